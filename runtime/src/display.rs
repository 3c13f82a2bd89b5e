//! How values print: numbers shortest round-trip, matrices aligned with their shape.
//!
//! The rules, in one place:
//!
//! - **Numbers** print as the shortest text that reads back as the same `f64` (Rust's `{}`),
//!   without a trailing `.0` (`3`, `-2`, `0.1`). When `|x| ≥ 1e16` or `|x| < 1e-5` they use
//!   NumPy's exponent form with a sign and at least two exponent digits (`1e+20`, `1.5e-07`).
//!   `-0` prints as `0`; NaN as `nan`; infinities as `inf` and `-inf`. With a precision of `p`,
//!   numbers are rounded to `p` significant digits and trailing zeros are trimmed
//!   (`3.14159` at 3 digits is `3.14`, `1234.5` is `1230`).
//! - **Matrices** print a header with the shape (`2×3 matrix`; vectors too: `3×1 matrix`),
//!   then one line per row, indented by two spaces, columns two spaces apart, decimal points
//!   aligned within each column. More than 20 rows show the first and last 8 with a `⋮` row;
//!   more than 10 columns show the first and last 4 with a `…` column. Empty matrices print
//!   only the header.
//! - **Inside lists and records** values print compactly on one line: strings quoted,
//!   matrices of at most 10 elements as literals (`[1, 2, 3]` for a column, `[1, 2, 3]'` for
//!   a row, `[1, 2; 3, 4]` otherwise), larger ones by shape (`50×2 matrix`).
//! - **Records** print on one line when that is short (`{x = 1, name = "a"}`), otherwise one
//!   field per line, with large matrices shown in full and indented.
//! - **Other values**: `true`/`false`, strings raw (no quotes) at the top level, ranges as
//!   written (`1:5`, `0:0.25:1`), functions as `<function f>` / `<builtin round(x, digits = 0)>`,
//!   and `nothing`.

use crate::value::{CMatrix, Matrix, Value, C64};

/// Display settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct FormatOptions {
    /// Significant digits; `None` prints the shortest text that reads back as the same number.
    pub precision: Option<usize>,
}

/// Numbers at least this large (in magnitude) print in exponent form.
const EXP_ABOVE: f64 = 1e16;
/// Non-zero numbers smaller than this (in magnitude) print in exponent form.
const EXP_BELOW: f64 = 1e-5;
/// Matrices with more rows than this are elided in the middle.
const MAX_ROWS: usize = 20;
/// Rows kept at each end of an elided matrix.
const EDGE_ROWS: usize = 8;
/// Matrices with more columns than this are elided in the middle.
const MAX_COLS: usize = 10;
/// Columns kept at each end of an elided matrix.
const EDGE_COLS: usize = 4;
/// Matrices with at most this many elements print as a literal inside lists and records.
const MAX_INLINE_ELEMENTS: usize = 10;
/// Records whose one-line form is longer than this print one field per line.
const MAX_RECORD_LINE: usize = 72;

/// Formats a number: shortest round-trip, integers without a decimal point (see the module
/// documentation for the exact rule).
pub fn format_number(x: f64) -> String {
    format_num(x, None)
}

/// Formats a number as [`format_number`] does, rounded to `precision` significant digits
/// when given (a session's display setting).
pub fn format_number_with(x: f64, precision: Option<usize>) -> String {
    format_num(x, precision)
}

/// Formats a number, rounded to `precision` significant digits when given.
fn format_num(x: f64, precision: Option<usize>) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    match precision {
        None => {
            let a = x.abs();
            if !(EXP_BELOW..EXP_ABOVE).contains(&a) {
                exponent_form(&format!("{x:e}"))
            } else {
                format!("{x}")
            }
        }
        Some(p) => {
            let p = p.max(1);
            let sci = format!("{:.*e}", p - 1, x);
            let exp: i32 = sci.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
            if !(-5..16).contains(&exp) {
                exponent_form(&sci)
            } else {
                // Print the already-rounded value in fixed notation with just enough decimals.
                let rounded: f64 = sci.parse().unwrap_or(x);
                let decimals = usize::try_from(p as i64 - 1 - i64::from(exp)).unwrap_or(0);
                trim_fraction(format!("{rounded:.decimals$}"))
            }
        }
    }
}

/// Rewrites Rust's `1.50e20` / `1e-7` as `1.5e+20` / `1e-07`.
fn exponent_form(rust_sci: &str) -> String {
    let Some((mantissa, exp)) = rust_sci.split_once('e') else {
        return rust_sci.to_string();
    };
    let mantissa = trim_fraction(mantissa.to_string());
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Removes trailing zeros after a decimal point, and the point itself if nothing follows.
fn trim_fraction(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Formats any value for `print` and the REPL echo.
pub fn format_value(v: &Value, opts: &FormatOptions) -> String {
    match v {
        Value::Dual(_) => format_value(&crate::ad::strip(v), opts),
        Value::Str(s) => s.to_string(),
        Value::Matrix(m) => format_matrix(m, opts),
        Value::CMatrix(m) => format_cmatrix(m, opts),
        Value::Record(r) => {
            let line = format_inline(v, opts);
            let all_inline = r.fields.iter().all(|(_, f)| !matches!(f, Value::Matrix(m) if !is_inline_matrix(m)));
            if all_inline && line.chars().count() <= MAX_RECORD_LINE {
                return line;
            }
            let mut out = String::from("{");
            for (name, field) in &r.fields {
                let text = match field {
                    Value::Matrix(m) if !is_inline_matrix(m) => format_matrix(m, opts),
                    _ => format_inline(field, opts),
                };
                out.push_str("\n  ");
                out.push_str(name);
                out.push_str(" = ");
                out.push_str(&text.replace('\n', "\n  "));
            }
            out.push_str("\n}");
            out
        }
        _ => format_inline(v, opts),
    }
}

/// Formats a value on one line, as it appears inside a list or record.
fn format_inline(v: &Value, opts: &FormatOptions) -> String {
    match v {
        Value::Nothing => "nothing".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Num(x) => format_num(*x, opts.precision),
        Value::Complex(c) => format_complex(**c, opts.precision),
        Value::CMatrix(m) => {
            if m.len() <= MAX_INLINE_ELEMENTS && !m.is_empty() {
                let lines: Vec<String> = m
                    .row_iter()
                    .map(|row| row.iter().map(|c| format_complex(*c, opts.precision)).collect::<Vec<_>>().join(", "))
                    .collect();
                format!("[{}]", lines.join("; "))
            } else {
                format!("{}×{} complex matrix", m.nrows(), m.ncols())
            }
        }
        Value::Str(s) => quote(s),
        Value::Matrix(m) => {
            if is_inline_matrix(m) {
                matrix_literal(m, opts)
            } else {
                shape_name(m.nrows(), m.ncols())
            }
        }
        Value::Range(r) => {
            let n = |x: f64| format_num(x, opts.precision);
            if r.step == 1.0 {
                format!("{}:{}", n(r.start), n(r.stop))
            } else {
                format!("{}:{}:{}", n(r.start), n(r.step), n(r.stop))
            }
        }
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(|x| format_inline(x, opts)).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Record(r) => {
            let parts: Vec<String> =
                r.fields.iter().map(|(name, x)| format!("{name} = {}", format_inline(x, opts))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Func(c) => format!("<function {}>", c.signature()),
        Value::Builtin(b) => format!("<builtin {}>", b.signature()),
        Value::Bound(b) if b.formula => b.name.clone(),
        Value::Bound(b) => format!("<function {}>", b.name),
        Value::Dual(_) => format_inline(&crate::ad::strip(v), opts),
        Value::Lin(_) => format!("<{}>", describe(v)),
    }
}

/// A string in double quotes, with `"`, `\` and control characters escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `3×1 matrix`.
fn shape_name(rows: usize, cols: usize) -> String {
    format!("{rows}×{cols} matrix")
}

/// Whether a matrix is small enough to print as a literal inside lists and records.
fn is_inline_matrix(m: &Matrix) -> bool {
    m.len() <= MAX_INLINE_ELEMENTS && (!m.is_empty() || m.shape() == (0, 0))
}

/// A matrix as the literal that builds it: `[1, 2, 3]` (a column), `[1, 2, 3]'` (a row),
/// `[1, 2; 3, 4]`, `[]`.
fn matrix_literal(m: &Matrix, opts: &FormatOptions) -> String {
    let n = |x: f64| format_num(x, opts.precision);
    let (rows, cols) = m.shape();
    if cols == 1 {
        let parts: Vec<String> = m.iter().map(|x| n(*x)).collect();
        format!("[{}]", parts.join(", "))
    } else if rows == 1 {
        let parts: Vec<String> = m.iter().map(|x| n(*x)).collect();
        format!("[{}]'", parts.join(", "))
    } else {
        let lines: Vec<String> =
            m.row_iter().map(|row| row.iter().map(|x| n(*x)).collect::<Vec<_>>().join(", ")).collect();
        format!("[{}]", lines.join("; "))
    }
}

/// The indices to show along one axis of length `n`: all of them, or the first and last
/// `edge` with `None` standing for the elided middle.
fn shown_indices(n: usize, max: usize, edge: usize) -> Vec<Option<usize>> {
    if n <= max {
        (0..n).map(Some).collect()
    } else {
        (0..edge).map(Some).chain(std::iter::once(None)).chain((n - edge..n).map(Some)).collect()
    }
}

/// One formatted matrix element split at its decimal point (or exponent), so that a column
/// can align the points: `-2.5` is (`-2`, `.5`), `1e+20` is (`1`, `e+20`), `nan` is (`nan`, ``).
fn split_number(s: &str) -> (&str, &str) {
    match s.find(['.', 'e']) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    }
}

/// Appends `nrows` lines of cells taken from `columns`, indented by two spaces, two apart.
fn push_rows(out: &mut String, columns: &[Vec<String>], nrows: usize) {
    for r in 0..nrows {
        let cells: Vec<&str> = columns.iter().filter_map(|c| c.get(r)).map(String::as_str).collect();
        out.push_str("\n  ");
        out.push_str(cells.join("  ").trim_end());
    }
}

/// A matrix in full: header line, then the aligned (and possibly elided) rows.
fn format_matrix(m: &Matrix, opts: &FormatOptions) -> String {
    let (nrows, ncols) = m.shape();
    let mut out = shape_name(nrows, ncols);
    if m.is_empty() {
        return out;
    }
    let rows = shown_indices(nrows, MAX_ROWS, EDGE_ROWS);
    let cols = shown_indices(ncols, MAX_COLS, EDGE_COLS);
    // Each shown column becomes a vector of cells, one per shown row.
    let columns: Vec<Vec<String>> = cols
        .iter()
        .map(|col| match col {
            None => rows.iter().map(|r| if r.is_some() { "…" } else { "⋱" }.to_string()).collect(),
            Some(j) => align_column(&rows, |i| format_num(m[(i, *j)], opts.precision)),
        })
        .collect();
    push_rows(&mut out, &columns, rows.len());
    out
}

/// A complex number as `a + bi` or `a - bi`.
pub fn format_complex(c: C64, precision: Option<usize>) -> String {
    let re = format_num(c.re, precision);
    if c.im < 0.0 {
        format!("{re} - {}i", format_num(-c.im, precision))
    } else {
        format!("{re} + {}i", format_num(c.im, precision))
    }
}

/// A complex matrix in full: header, then rows with right-aligned `a + bi` cells.
fn format_cmatrix(m: &CMatrix, opts: &FormatOptions) -> String {
    let (nrows, ncols) = m.shape();
    let mut out = format!("{nrows}×{ncols} complex matrix");
    if m.is_empty() {
        return out;
    }
    let rows = shown_indices(nrows, MAX_ROWS, EDGE_ROWS);
    let cols = shown_indices(ncols, MAX_COLS, EDGE_COLS);
    let columns: Vec<Vec<String>> = cols
        .iter()
        .map(|col| {
            let cells: Vec<String> = rows
                .iter()
                .map(|r| match (r, col) {
                    (Some(i), Some(j)) => format_complex(m[(*i, *j)], opts.precision),
                    (None, Some(_)) => "⋮".to_string(),
                    (Some(_), None) => "…".to_string(),
                    (None, None) => "⋱".to_string(),
                })
                .collect();
            let width = cells.iter().map(|c| c.chars().count()).max().unwrap_or(0);
            cells.into_iter().map(|c| format!("{c:>width$}")).collect()
        })
        .collect();
    push_rows(&mut out, &columns, rows.len());
    out
}

/// The cells of one column, padded so their decimal points line up; `None` rows become `⋮`.
fn align_column(rows: &[Option<usize>], element: impl Fn(usize) -> String) -> Vec<String> {
    let texts: Vec<Option<String>> = rows.iter().map(|r| r.map(&element)).collect();
    let width = |s: &str| s.chars().count();
    let mut int_width = 1;
    let mut frac_width = 0;
    for t in texts.iter().flatten() {
        let (int, frac) = split_number(t);
        int_width = int_width.max(width(int));
        frac_width = frac_width.max(width(frac));
    }
    texts
        .iter()
        .map(|t| {
            let (int, frac) = match t {
                Some(t) => split_number(t),
                None => ("⋮", ""),
            };
            format!("{int:>int_width$}{frac:<frac_width$}")
        })
        .collect()
}

/// A short description for error messages: "a number (2.5)", "a 3×1 matrix", "a string",
/// "a list of 3 items", "a range of 5 numbers", "nothing".
pub fn describe(v: &Value) -> String {
    match v {
        Value::Nothing => "nothing".to_string(),
        Value::Bool(_) => "a bool".to_string(),
        Value::Num(x) => format!("a number ({})", format_number(*x)),
        Value::Complex(c) => format!("a complex number ({})", format_complex(**c, None)),
        Value::CMatrix(m) => format!("a {}×{} complex matrix", m.nrows(), m.ncols()),
        Value::Str(_) => "a string".to_string(),
        Value::Matrix(m) => {
            let (r, c) = m.shape();
            format!("{} {r}×{c} matrix", article(r))
        }
        Value::Range(r) => match r.len() {
            0 => "an empty range".to_string(),
            1 => "a range of 1 number".to_string(),
            n => format!("a range of {n} numbers"),
        },
        Value::List(items) => match items.len() {
            0 => "an empty list".to_string(),
            1 => "a list of 1 item".to_string(),
            n => format!("a list of {n} items"),
        },
        Value::Record(_) => "a record".to_string(),
        Value::Func(_) | Value::Builtin(_) | Value::Bound(_) => "a function".to_string(),
        Value::Dual(_) => format!("{} being differentiated", describe(&crate::ad::strip(v))),
        Value::Lin(l) => {
            let (r, c) = l.shape();
            format!("the derivative of {} {r}×{c} value", article(r))
        }
    }
}

/// The English article before a number read aloud: "an 8×8", "an 11×2", "a 3×1".
fn article(n: usize) -> &'static str {
    let s = n.to_string();
    let eleven_or_eighteen = (s.starts_with("11") || s.starts_with("18")) && s.len() % 3 == 2;
    if s.starts_with('8') || eleven_or_eighteen {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::value::{RangeVal, Record};

    fn show(v: &Value) -> String {
        format_value(v, &FormatOptions::default())
    }

    fn show_p(v: &Value, p: usize) -> String {
        format_value(v, &FormatOptions { precision: Some(p) })
    }

    fn mat(rows: usize, cols: usize, data: &[f64]) -> Value {
        Value::matrix(Matrix::from_row_slice(rows, cols, data))
    }

    #[test]
    fn numbers_shortest_round_trip() {
        let cases = [
            (3.0, "3"),
            (-2.0, "-2"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-0.0, "0"),
            (0.0, "0"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1e15, "1000000000000000"),
            (1e16, "1e+16"),
            (1.5e20, "1.5e+20"),
            (-1.5e20, "-1.5e+20"),
            (1e-5, "0.00001"),
            (1e-7, "1e-07"),
            (1.25e-7, "1.25e-07"),
            (1e300, "1e+300"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (123456.789, "123456.789"),
        ];
        for (x, want) in cases {
            assert_eq!(format_number(x), want, "formatting {x:?}");
        }
    }

    #[test]
    fn numbers_round_trip_exactly() {
        for x in [0.1, 1.0 / 3.0, 2.0_f64.sqrt(), 1e-7 / 3.0, 6.02214076e23, -4.9e-324] {
            let back: f64 = format_number(x).parse().unwrap();
            assert_eq!(back, x);
        }
    }

    #[test]
    fn numbers_with_precision() {
        let p = |x: f64, p: usize| format_num(x, Some(p));
        assert_eq!(p(std::f64::consts::PI, 3), "3.14");
        assert_eq!(p(std::f64::consts::PI, 1), "3");
        assert_eq!(p(2.0, 5), "2");
        assert_eq!(p(1234.5, 3), "1230");
        assert_eq!(p(0.000123456, 3), "0.000123");
        assert_eq!(p(9.999, 2), "10");
        assert_eq!(p(-0.5, 4), "-0.5");
        assert_eq!(p(1.23456e-9, 3), "1.23e-09");
        assert_eq!(p(6.02214076e23, 4), "6.022e+23");
        assert_eq!(p(1.0, 0), "1");
        assert_eq!(p(f64::NAN, 3), "nan");
    }

    #[test]
    fn scalars_and_simple_values() {
        assert_eq!(show(&Value::Num(2.5)), "2.5");
        assert_eq!(show(&Value::Bool(true)), "true");
        assert_eq!(show(&Value::Nothing), "nothing");
        assert_eq!(show(&Value::str("hi \"you\"")), "hi \"you\"");
        let r = |a, s, b| Value::Range(Rc::new(RangeVal::new(a, s, b).unwrap()));
        assert_eq!(show(&r(1.0, 1.0, 5.0)), "1:5");
        assert_eq!(show(&r(0.0, 0.25, 1.0)), "0:0.25:1");
        assert_eq!(show(&r(5.0, -1.0, 1.0)), "5:-1:1");
    }

    #[test]
    fn matrix_aligns_decimal_points() {
        assert_eq!(show(&mat(2, 2, &[1.0, 2.5, -3.0, 4.0])), "2×2 matrix\n   1  2.5\n  -3  4");
        assert_eq!(show(&mat(3, 1, &[1.25, 10.0, -0.5])), "3×1 matrix\n   1.25\n  10\n  -0.5");
        assert_eq!(show(&mat(1, 3, &[1.0, 2.0, 3.0])), "1×3 matrix\n  1  2  3");
        assert_eq!(show(&mat(2, 1, &[f64::NAN, 1e20])), "2×1 matrix\n  nan\n    1e+20");
    }

    #[test]
    fn matrix_with_precision() {
        let m = mat(1, 2, &[std::f64::consts::PI, 2.0]);
        assert_eq!(show_p(&m, 3), "1×2 matrix\n  3.14  2");
    }

    #[test]
    fn empty_matrices_show_their_shape() {
        assert_eq!(show(&Value::matrix(Matrix::zeros(0, 0))), "0×0 matrix");
        assert_eq!(show(&Value::matrix(Matrix::zeros(0, 3))), "0×3 matrix");
    }

    #[test]
    fn large_matrices_are_elided() {
        let m = Value::matrix(Matrix::from_fn(30, 1, |i, _| i as f64 + 1.0));
        let text = show(&m);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 8 + 1 + 8);
        assert_eq!(lines[0], "30×1 matrix");
        assert_eq!(lines[1], "   1");
        assert_eq!(lines[8], "   8");
        assert_eq!(lines[9], "   ⋮");
        assert_eq!(lines[10], "  23");
        assert_eq!(lines[17], "  30");

        let wide = Value::matrix(Matrix::from_fn(2, 12, |i, j| (i * 12 + j) as f64));
        assert_eq!(
            show(&wide),
            "2×12 matrix\n   0   1   2   3  …   8   9  10  11\n  12  13  14  15  …  20  21  22  23"
        );

        let both = Value::matrix(Matrix::from_fn(25, 25, |_, _| 1.0));
        let text = show(&both);
        assert_eq!(text.lines().count(), 18);
        assert!(text.lines().any(|l| l == "  ⋮  ⋮  ⋮  ⋮  ⋱  ⋮  ⋮  ⋮  ⋮"), "{text}");
    }

    #[test]
    fn lists_are_compact() {
        let list = Value::List(Rc::new(vec![
            Value::Num(1.0),
            Value::str("a"),
            mat(3, 1, &[1.0, 2.0, 3.0]),
            mat(1, 2, &[1.0, 2.0]),
            mat(2, 2, &[1.0, 2.0, 3.0, 4.0]),
            Value::matrix(Matrix::zeros(4, 3)),
            Value::matrix(Matrix::zeros(0, 0)),
            Value::List(Rc::new(vec![])),
        ]));
        assert_eq!(show(&list), "{1, \"a\", [1, 2, 3], [1, 2]', [1, 2; 3, 4], 4×3 matrix, [], {}}");
        let escaped = Value::List(Rc::new(vec![Value::str("a\"b\\c\nd")]));
        assert_eq!(show(&escaped), r#"{"a\"b\\c\nd"}"#);
    }

    #[test]
    fn records_short_and_long() {
        let short = Value::Record(Rc::new(Record::from_pairs([("x", Value::Num(1.0)), ("name", Value::str("a"))])));
        assert_eq!(show(&short), "{x = 1, name = \"a\"}");

        let long = Value::Record(Rc::new(Record::from_pairs([
            ("ratio", mat(2, 1, &[0.9, 0.1])),
            ("A", Value::matrix(Matrix::from_fn(3, 4, |i, j| (i + j) as f64))),
        ])));
        assert_eq!(
            show(&long),
            "{\n  ratio = [0.9, 0.1]\n  A = 3×4 matrix\n    0  1  2  3\n    1  2  3  4\n    2  3  4  5\n}"
        );

        let wide = Value::Record(Rc::new(Record::from_pairs([
            ("description", Value::str("a fairly long piece of text that goes on")),
            ("another", Value::str("and some more text here")),
        ])));
        assert_eq!(
            show(&wide),
            "{\n  description = \"a fairly long piece of text that goes on\"\n  another = \"and some more text here\"\n}"
        );
    }

    #[test]
    fn describe_values() {
        assert_eq!(describe(&Value::Num(2.5)), "a number (2.5)");
        assert_eq!(describe(&mat(3, 1, &[1.0, 2.0, 3.0])), "a 3×1 matrix");
        assert_eq!(describe(&Value::matrix(Matrix::zeros(8, 8))), "an 8×8 matrix");
        assert_eq!(describe(&Value::matrix(Matrix::zeros(11, 2))), "an 11×2 matrix");
        assert_eq!(describe(&Value::matrix(Matrix::zeros(110, 2))), "a 110×2 matrix");
        assert_eq!(describe(&Value::str("x")), "a string");
        assert_eq!(describe(&Value::Bool(false)), "a bool");
        assert_eq!(describe(&Value::List(Rc::new(vec![Value::Nothing; 3]))), "a list of 3 items");
        assert_eq!(describe(&Value::List(Rc::new(vec![Value::Nothing]))), "a list of 1 item");
        assert_eq!(describe(&Value::Record(Rc::new(Record::default()))), "a record");
        assert_eq!(describe(&Value::Nothing), "nothing");
        let r = Value::Range(Rc::new(RangeVal::new(1.0, 1.0, 5.0).unwrap()));
        assert_eq!(describe(&r), "a range of 5 numbers");
    }
}
