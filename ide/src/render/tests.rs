//! Rich rendering of values, checked on exact text.

use mml_runtime::Session;

use super::*;

fn value(code: &str) -> (Session, Value) {
    let mut s = Session::new(mml_stdlib::library(), Box::new(|_| {}));
    let (outcome, v) = s.run_cell("<test>", code);
    assert!(outcome.is_ok(), "{:?}", outcome.diagnostics);
    let v = v.expect("a value");
    (s, v)
}

#[test]
fn a_matrix_is_a_table_and_a_bmatrix() {
    let (s, v) = value("[1, 2.5; -3, 1e-7]");
    let r = render_value(&s, &v);
    assert!(r.plain.starts_with("2×2 matrix"), "{}", r.plain);
    let html = r.html.unwrap();
    assert!(html.contains("<caption style=\"text-align: left\">2×2 matrix</caption>"), "{html}");
    assert_eq!(html.matches("<tr>").count(), 2);
    assert!(html.contains(">2.5</td>") && html.contains(">-3</td>") && html.contains(">1e-07</td>"), "{html}");
    assert_eq!(r.latex.unwrap(), r"$$\begin{bmatrix}1 & 2.5 \\ -3 & 10^{-7}\end{bmatrix}$$");
}

#[test]
fn large_matrices_are_elided() {
    let (s, v) = value("reshape(1:(30 * 20), 30, 20)");
    let r = render_value(&s, &v);
    let html = r.html.unwrap();
    assert_eq!(html.matches("<tr>").count(), 2 * EDGE_ROWS + 1);
    assert!(html.contains(">⋮</td>") && html.contains(">⋯</td>") && html.contains(">⋱</td>"));
    assert!(html.contains(">600</td>"), "the last element is shown");
    let latex = r.latex.unwrap();
    assert!(latex.contains(r"\vdots") && latex.contains(r"\cdots") && latex.contains(r"\ddots"));
}

#[test]
fn complex_entries_read_a_plus_bi() {
    let (s, v) = value("[1 + 2i, 3 - 1i]");
    let r = render_value(&s, &v);
    let html = r.html.unwrap();
    assert!(html.contains("2×1 complex matrix") && html.contains(">1 + 2i</td>") && html.contains(">3 - 1i</td>"));
    assert_eq!(r.latex.unwrap(), r"$$\begin{bmatrix}1 + 2i \\ 3 - 1i\end{bmatrix}$$");
}

#[test]
fn records_and_lists_nest() {
    let (s, v) = value("r = {name = \"a<b\", W = [1, 2; 3, 4], inner = {k = 3}, items = {1, \"x\"}}\nr");
    let html = render_value(&s, &v).html.unwrap();
    assert!(html.contains("<code>&quot;a&lt;b&quot;</code>"), "escaped: {html}");
    assert!(html.contains("2×2 matrix"), "{html}");
    assert!(html.contains(">k</th><td style=\"text-align: left\"><code>3</code>"), "{html}");
    assert!(html.contains("list of 2"), "{html}");
}

#[test]
fn a_symbolic_derivative_is_a_formula() {
    let (s, v) = value("f(x) = x^2 * sin(x)\ndiff(f)");
    let r = render_value(&s, &v);
    assert_eq!(r.plain, "2*x*sin(x) + x^2*cos(x)");
    assert_eq!(r.latex.unwrap(), r"$$2 \, x \, \sin\left(x\right) + x^{2} \, \cos\left(x\right)$$");
}

#[test]
fn formulas_in_latex() {
    assert_eq!(formula_latex("(x + 1)/(2*y)").unwrap(), r"\frac{x + 1}{2 \, y}");
    assert_eq!(formula_latex("-(a - b)^2").unwrap(), r"-\left(a - b\right)^{2}");
    assert_eq!(formula_latex("exp(-x^2)*theta").unwrap(), r"e^{-x^{2}} \, \theta");
    assert_eq!(formula_latex("3*2").unwrap(), r"3 \cdot 2");
    assert_eq!(formula_latex("x - (y - z)").unwrap(), r"x - \left(y - z\right)");
    assert_eq!(formula_latex("sqrt(sigmoid(w))").unwrap(), r"\sqrt{\operatorname{sigmoid}\left(w\right)}");
    assert_eq!(formula_latex("x = 1"), None);
}

#[test]
fn numbers_and_strings_are_text_only() {
    let (s, v) = value("1 + 2");
    assert_eq!(render_value(&s, &v), Rendered { plain: "3".into(), html: None, latex: None });
}
