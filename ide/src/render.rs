//! A value as plain text, HTML and LaTeX, for front ends that show rich output (Jupyter).
//!
//! - Matrices: an HTML table with the shape as its caption, numbers right-aligned, and a
//!   LaTeX `bmatrix`; complex entries read `a + bi`. Large matrices are elided in the middle
//!   (`⋮`, `⋯`) the way the text display is.
//! - Records: a table of fields, each value rendered in turn (so a record of matrices shows
//!   nested tables); lists: a table of positions and values.
//! - A symbolic derivative (`diff(f)`): its formula in LaTeX.
//! - Everything else: plain text only.
//!
//! The plain text is always the session's own display, so a front end that shows only text
//! shows what the REPL shows.

use std::fmt::Write as _;

use mml_lang::ast::{BinOp, Expr, ExprKind, StmtKind, UnOp};
use mml_runtime::display::{format_complex, format_number_with};
use mml_runtime::{CMatrix, Matrix, Session, Value, C64};

/// A value in the forms a rich front end can choose from.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// The text the REPL shows.
    pub plain: String,
    /// An HTML fragment, when the value has a better form than text.
    pub html: Option<String>,
    /// LaTeX (in `$$ … $$`), when the value is mathematics.
    pub latex: Option<String>,
}

/// Rows shown before a matrix is elided.
const MAX_ROWS: usize = 20;
/// Rows kept at each end of an elided matrix.
const EDGE_ROWS: usize = 8;
/// Columns shown before a matrix is elided.
const MAX_COLS: usize = 12;
/// Columns kept at each end of an elided matrix.
const EDGE_COLS: usize = 5;
/// Nesting depth of records and lists rendered as tables; deeper ones are text.
const MAX_DEPTH: usize = 4;

const TABLE_STYLE: &str = "border-collapse: collapse; font-family: var(--jp-code-font-family, monospace)";

/// Renders `v` with the session's number format.
pub fn render_value(session: &Session, v: &Value) -> Rendered {
    let opts = session.format();
    let plain = session.format_value(v);
    let plain = plain.strip_suffix('\n').unwrap_or(&plain).to_string();
    let r = Renderer { opts };
    let (html, latex) = match v {
        Value::Matrix(m) if m.nrows() * m.ncols() > 0 => (Some(r.matrix_html(m)), Some(r.matrix_latex(m))),
        Value::CMatrix(m) if m.nrows() * m.ncols() > 0 => (Some(r.cmatrix_html(m)), Some(r.cmatrix_latex(m))),
        Value::Record(_) | Value::List(_) => (Some(r.html(v, 0)), None),
        Value::Bound(b) if b.formula => (None, formula_latex(&b.name).map(|f| format!("$${f}$$"))),
        _ => (None, None),
    };
    Rendered { plain, html, latex }
}

struct Renderer {
    opts: mml_runtime::display::FormatOptions,
}

/// The positions shown of `n`, `None` marking the elided middle.
fn shown(n: usize, max: usize, edge: usize) -> Vec<Option<usize>> {
    if n <= max {
        (0..n).map(Some).collect()
    } else {
        (0..edge).map(Some).chain([None]).chain((n - edge..n).map(Some)).collect()
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

impl Renderer {
    fn num(&self, x: f64) -> String {
        format_number_with(x, self.opts.precision)
    }

    fn complex(&self, c: C64) -> String {
        format_complex(c, self.opts.precision)
    }

    fn table(&self, rows: usize, cols: usize, caption: &str, cell: impl Fn(usize, usize) -> String) -> String {
        let mut out = format!("<table style=\"{TABLE_STYLE}\"><caption style=\"text-align: left\">{caption}</caption>");
        let cols = shown(cols, MAX_COLS, EDGE_COLS);
        for i in shown(rows, MAX_ROWS, EDGE_ROWS) {
            out.push_str("<tr>");
            for j in &cols {
                let text = match (i, j) {
                    (Some(i), Some(j)) => cell(i, *j),
                    (None, Some(_)) => "⋮".to_string(),
                    (Some(_), None) => "⋯".to_string(),
                    (None, None) => "⋱".to_string(),
                };
                let _ = write!(out, "<td style=\"text-align: right; padding: 0 0.6em\">{}</td>", escape(&text));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        out
    }

    fn latex(&self, rows: usize, cols: usize, cell: impl Fn(usize, usize) -> String) -> String {
        let cols = shown(cols, MAX_COLS, EDGE_COLS);
        let lines: Vec<String> = shown(rows, MAX_ROWS, EDGE_ROWS)
            .into_iter()
            .map(|i| {
                let cells: Vec<String> = cols
                    .iter()
                    .map(|j| match (i, j) {
                        (Some(i), Some(j)) => cell(i, *j),
                        (None, Some(_)) => r"\vdots".to_string(),
                        (Some(_), None) => r"\cdots".to_string(),
                        (None, None) => r"\ddots".to_string(),
                    })
                    .collect();
                cells.join(" & ")
            })
            .collect();
        format!("$$\\begin{{bmatrix}}{}\\end{{bmatrix}}$$", lines.join(r" \\ "))
    }

    fn matrix_html(&self, m: &Matrix) -> String {
        self.table(m.nrows(), m.ncols(), &shape(m.nrows(), m.ncols(), "matrix"), |i, j| self.num(m[(i, j)]))
    }

    fn cmatrix_html(&self, m: &CMatrix) -> String {
        let caption = shape(m.nrows(), m.ncols(), "complex matrix");
        self.table(m.nrows(), m.ncols(), &caption, |i, j| self.complex(m[(i, j)]))
    }

    fn matrix_latex(&self, m: &Matrix) -> String {
        self.latex(m.nrows(), m.ncols(), |i, j| latex_number(&self.num(m[(i, j)])))
    }

    fn cmatrix_latex(&self, m: &CMatrix) -> String {
        self.latex(m.nrows(), m.ncols(), |i, j| {
            let text = self.complex(m[(i, j)]);
            // `1 + 2i` → `1 + 2i` with the numbers in LaTeX form.
            text.split(' ')
                .map(|w| if w == "+" || w == "-" { w.to_string() } else { latex_number(w) })
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    /// A value inside a record or list table: a nested table, or its one-line text.
    fn html(&self, v: &Value, depth: usize) -> String {
        match v {
            Value::Matrix(m) if m.nrows() * m.ncols() > 1 => self.matrix_html(m),
            Value::CMatrix(m) if m.nrows() * m.ncols() > 1 => self.cmatrix_html(m),
            Value::Record(r) if depth < MAX_DEPTH => {
                let mut out = format!("<table style=\"{TABLE_STYLE}\">");
                for (name, value) in &r.fields {
                    let _ = write!(
                        out,
                        "<tr><th style=\"text-align: left; vertical-align: top; padding: 0 0.6em\">{}</th><td style=\"text-align: left\">{}</td></tr>",
                        escape(name),
                        self.html(value, depth + 1)
                    );
                }
                out.push_str("</table>");
                out
            }
            Value::List(items) if depth < MAX_DEPTH => {
                let mut out = format!(
                    "<table style=\"{TABLE_STYLE}\"><caption style=\"text-align: left\">list of {}</caption>",
                    items.len()
                );
                for (i, value) in items.iter().enumerate() {
                    let _ = write!(
                        out,
                        "<tr><th style=\"text-align: right; vertical-align: top; padding: 0 0.6em\">{}</th><td style=\"text-align: left\">{}</td></tr>",
                        i + 1,
                        self.html(value, depth + 1)
                    );
                }
                out.push_str("</table>");
                out
            }
            Value::Str(s) => format!("<code>{}</code>", escape(&format!("{s:?}"))),
            v => {
                let text = mml_runtime::display::format_value(v, &self.opts);
                format!("<code>{}</code>", escape(text.trim_end()))
            }
        }
    }
}

fn shape(rows: usize, cols: usize, what: &str) -> String {
    format!("{rows}×{cols} {what}")
}

/// A number's text in LaTeX: `1.5e-07` → `1.5 \times 10^{-7}`, `inf` → `\infty`.
fn latex_number(text: &str) -> String {
    match text {
        "inf" => return r"\infty".to_string(),
        "-inf" => return r"-\infty".to_string(),
        "nan" => return r"\mathrm{NaN}".to_string(),
        _ => {}
    }
    let (text, imag) = match text.strip_suffix('i') {
        Some(t) => (t, "i"),
        None => (text, ""),
    };
    match text.split_once('e') {
        Some((m, e)) => {
            let e: i32 = e.parse().unwrap_or(0);
            if m == "1" {
                format!("10^{{{e}}}{imag}")
            } else {
                format!(r"{m} \times 10^{{{e}}}{imag}")
            }
        }
        None => format!("{text}{imag}"),
    }
}

/// An MML formula (`2*x*sin(x) + x^2*cos(x)`) in LaTeX, if it parses as one expression.
pub fn formula_latex(formula: &str) -> Option<String> {
    let parsed = mml_lang::parse_program(0, formula);
    if !parsed.diagnostics.is_empty() || parsed.program.stmts.len() != 1 {
        return None;
    }
    match &parsed.program.stmts[0].node {
        StmtKind::Expr(e) => latex_expr(e),
        _ => None,
    }
}

/// Precedence of an expression for parenthesising: sums 1, products 2, negation 3,
/// powers 4, atoms 5.
fn prec(e: &Expr) -> u8 {
    match &e.node {
        ExprKind::Binary(BinOp::Add | BinOp::Sub, ..) => 1,
        ExprKind::Binary(BinOp::Mul | BinOp::ElemMul | BinOp::Div | BinOp::ElemDiv, ..) => 2,
        ExprKind::Unary(..) => 3,
        ExprKind::Num(x) if *x < 0.0 => 3,
        ExprKind::Binary(BinOp::Pow | BinOp::ElemPow, ..) => 4,
        _ => 5,
    }
}

const GREEK: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
    "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
];

fn latex_name(name: &str) -> String {
    if GREEK.contains(&name) {
        format!("\\{name}")
    } else if name.chars().count() == 1 {
        name.to_string()
    } else {
        format!(r"\mathrm{{{}}}", name.replace('_', r"\_"))
    }
}

fn latex_expr(e: &Expr) -> Option<String> {
    let child = |c: &Expr, min: u8| -> Option<String> {
        let s = latex_expr(c)?;
        Some(if prec(c) < min { format!(r"\left({s}\right)") } else { s })
    };
    Some(match &e.node {
        ExprKind::Num(x) => latex_number(&mml_runtime::display::format_number(*x)),
        ExprKind::Ident(n) => latex_name(n),
        ExprKind::Unary(UnOp::Neg, a) => format!("-{}", child(a, 2)?),
        ExprKind::Unary(UnOp::Plus, a) => child(a, 2)?,
        ExprKind::Binary(BinOp::Add, a, b) => format!("{} + {}", child(a, 1)?, child(b, 1)?),
        ExprKind::Binary(BinOp::Sub, a, b) => format!("{} - {}", child(a, 1)?, child(b, 2)?),
        ExprKind::Binary(BinOp::Mul | BinOp::ElemMul, a, b) => {
            let (l, r) = (child(a, 2)?, child(b, 3)?);
            // Juxtapose (`2 x \sin(x)`) unless the right factor starts with a digit.
            let sep = if r.starts_with(|c: char| c.is_ascii_digit() || c == '-') { r" \cdot " } else { r" \, " };
            format!("{l}{sep}{r}")
        }
        ExprKind::Binary(BinOp::Div | BinOp::ElemDiv, a, b) => {
            format!(r"\frac{{{}}}{{{}}}", latex_expr(a)?, latex_expr(b)?)
        }
        ExprKind::Binary(BinOp::Pow | BinOp::ElemPow, a, b) => format!("{}^{{{}}}", child(a, 5)?, latex_expr(b)?),
        ExprKind::Call(f, args) => {
            let ExprKind::Ident(name) = &f.node else { return None };
            let args: Option<Vec<String>> =
                args.iter().map(|a| if a.name.is_some() { None } else { latex_expr(&a.value) }).collect();
            let args = args?.join(", ");
            match &**name {
                "sqrt" => format!(r"\sqrt{{{args}}}"),
                "abs" => format!(r"\left|{args}\right|"),
                "exp" => format!("e^{{{args}}}"),
                "sin" | "cos" | "tan" | "log" | "sinh" | "cosh" | "tanh" => format!(r"\{name}\left({args}\right)"),
                "asin" | "acos" | "atan" => format!(r"\{}\left({args}\right)", name.replacen('a', "arc", 1)),
                other => format!(r"\operatorname{{{}}}\left({args}\right)", other.replace('_', r"\_")),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
