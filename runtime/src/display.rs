//! How values print: single numbers shortest round-trip, matrices short and aligned.
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
//! - **Short matrix elements** (the default): each column is formatted on its own, so that
//!   one column of large values does not change how the others print. A column of whole
//!   numbers prints them as integers. Otherwise its largest magnitude `M` decides: with
//!   `1e-4 ≤ M < 1e8` the column uses fixed decimals, enough for [`SHORT_DIGITS`] (6)
//!   significant digits of `M` (`5 - floor(log10 M)` decimals, at least 0), and each element
//!   is rounded to them with trailing zeros trimmed (`0.333333`, `2.5`, `1`); otherwise every
//!   element of the column prints in exponent form with 6 significant digits (`1.5e+09`).
//!   An element that is not zero but too small to show in its column's decimals (round-off
//!   such as `1e-17` beside `1`) prints in exponent form with 2 significant digits (`1e-17`,
//!   `-2.2e-16`): it is never shown as an exact `0`, and it widens only its own column, by the
//!   few characters of its exponent. Octave and NumPy (without `suppress`) switch the whole
//!   matrix to exponent form instead. Complex matrices apply the same column rule to the real
//!   and imaginary parts together.
//! - **Long format** (`format("long")`): every element prints as its shortest round-trip text,
//!   as single numbers do. **A precision of `p`** (`--precision`, `:set digits`) rounds single
//!   numbers to `p` significant digits and gives matrix columns `p` significant digits instead
//!   of 6.
//! - **Wrapping**: given a line width (the terminal's, set by the front end), a matrix whose
//!   rows are wider is printed in blocks of columns, each headed ` Columns 1 through 6:`
//!   (` Columns 7 and 8:`, ` Column 9:`), as Octave does. Without a width nothing wraps.
//! - **Inside lists and records** values print compactly on one line: strings quoted,
//!   matrices of at most 10 elements as literals (`[1, 2, 3]` for a column, `[1, 2, 3]'` for
//!   a row, `[1, 2; 3, 4]` otherwise), larger ones by shape (`50×2 matrix`). In the short
//!   format, numbers inside lists and records are rounded to 6 significant digits.
//! - **Records** print on one line when that is short (`{x = 1, name = "a"}`), otherwise one
//!   field per line, with large matrices shown in full and indented.
//! - **Other values**: `true`/`false`, strings raw (no quotes) at the top level, ranges as
//!   written (`1:5`, `0:0.25:1`), functions as `<function f>` / `<builtin round(x, digits = 0)>`,
//!   and `nothing`.

use crate::value::{CMatrix, Matrix, Value, C64};

/// Display settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// Significant digits; `None` prints single numbers as the shortest text that reads back
    /// as the same number, and matrices in the short or long format.
    pub precision: Option<usize>,
    /// The long format: matrix elements (and numbers in lists and records) print in full, as
    /// single numbers do, instead of rounded to [`SHORT_DIGITS`].
    pub long: bool,
    /// The line width matrices wrap at (in characters); `None` never wraps.
    pub width: Option<usize>,
}

impl FormatOptions {
    /// Settings with `precision` significant digits (and the other settings as default).
    pub fn with_precision(precision: Option<usize>) -> FormatOptions {
        FormatOptions { precision, ..FormatOptions::default() }
    }

    /// The significant digits of matrix elements: `None` in the long format.
    fn element_digits(&self) -> Option<usize> {
        match self.precision {
            Some(p) => Some(p.max(1)),
            None if self.long => None,
            None => Some(SHORT_DIGITS),
        }
    }
}

/// Significant digits of matrix elements in the short format.
pub const SHORT_DIGITS: usize = 6;
/// The most significant digits a number is printed with (`format(x, 1000)` prints 100).
pub const MAX_DIGITS: usize = 100;
/// Significant digits of elements too small for their column's decimals.
const TINY_DIGITS: usize = 2;

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

/// A number inside a list, record or matrix literal: whole numbers in full, others with the
/// matrix elements' significant digits (see the module documentation).
fn element(x: f64, opts: &FormatOptions) -> String {
    match opts.element_digits() {
        Some(_) if is_whole(x) => format_number(x),
        digits => format_num(x, digits),
    }
}

/// Whether `x` prints as a whole number in every format.
fn is_whole(x: f64) -> bool {
    x.fract() == 0.0 && x.abs() < 1e15
}

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
            // An f64 has at most 17 significant digits; more only spells out its binary value, and
            // beyond 100 the formatter itself would refuse.
            let p = p.clamp(1, MAX_DIGITS);
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
        Value::Dual(_) | Value::Jet(_) => format_value(&crate::ad::strip(v), opts),
        Value::Str(s) => s.to_string(),
        Value::Num(x) => format_num(*x, opts.precision),
        Value::Complex(c) => format_complex(**c, opts.precision),
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
        Value::Num(x) => element(*x, opts),
        Value::Complex(c) => format_complex_with(**c, |x| element(x, opts)),
        Value::CMatrix(m) => {
            if m.len() <= MAX_INLINE_ELEMENTS && !m.is_empty() {
                let lines: Vec<String> = m
                    .row_iter()
                    .map(|row| {
                        row.iter().map(|c| format_complex_with(*c, |x| element(x, opts))).collect::<Vec<_>>().join(", ")
                    })
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
        Value::Dual(_) | Value::Jet(_) => format_inline(&crate::ad::strip(v), opts),
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
    let n = |x: f64| element(x, opts);
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
            Some(j) => {
                let style = ColumnStyle::of(rows.iter().flatten().map(|i| m[(*i, *j)]), opts);
                align_column(&rows, |i| style.cell(m[(i, *j)]))
            }
        })
        .collect();
    push_blocks(&mut out, &columns, &cols, rows.len(), opts.width);
    out
}

/// How the elements of one matrix column print.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ColumnStyle {
    /// Each element as its shortest round-trip text (the long format).
    Full,
    /// A column of whole numbers, printed in full.
    Whole,
    /// Fixed decimals, trailing zeros trimmed; elements too small for them in exponent form.
    Fixed(usize),
    /// Exponent form with `digits` significant digits.
    Exponent(usize),
}

impl ColumnStyle {
    /// The style for a column with these (shown) elements.
    fn of(values: impl Iterator<Item = f64>, opts: &FormatOptions) -> ColumnStyle {
        let Some(digits) = opts.element_digits() else {
            return ColumnStyle::Full;
        };
        let mut all_whole = true;
        let mut max_abs: f64 = 0.0;
        for x in values.filter(|x| x.is_finite()) {
            all_whole &= is_whole(x);
            max_abs = max_abs.max(x.abs());
        }
        if all_whole {
            ColumnStyle::Whole
        } else if (1e-4..1e8).contains(&max_abs) {
            let magnitude = max_abs.log10().floor() as i64;
            ColumnStyle::Fixed(usize::try_from(digits as i64 - 1 - magnitude).unwrap_or(0).min(20))
        } else {
            ColumnStyle::Exponent(digits)
        }
    }

    /// One element's text.
    fn cell(self, x: f64) -> String {
        if !x.is_finite() || x == 0.0 {
            return format_number(x);
        }
        match self {
            ColumnStyle::Full | ColumnStyle::Whole => format_number(x),
            ColumnStyle::Exponent(digits) => exponent_form(&format!("{:.*e}", digits.clamp(1, MAX_DIGITS) - 1, x)),
            ColumnStyle::Fixed(decimals) => {
                if x.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
                    return exponent_form(&format!("{:.*e}", TINY_DIGITS - 1, x));
                }
                let text = trim_fraction(format!("{x:.decimals$}"));
                // A negative number rounded to zero keeps no sign.
                if text == "-0" {
                    "0".to_string()
                } else {
                    text
                }
            }
        }
    }
}

/// The heading of a block of columns (0-based indices, `None` for the elided middle), in
/// Octave's words: ` Column 3:`, ` Columns 1 and 2:`, ` Columns 1 through 4, …, 9 and 10:`.
fn block_label(indices: &[Option<usize>]) -> String {
    let runs: Vec<&[Option<usize>]> = indices.split(Option::is_none).filter(|r| !r.is_empty()).collect();
    let text = |run: &[Option<usize>]| match run {
        [Some(a)] => format!("{}", a + 1),
        [Some(a), Some(b)] => format!("{} and {}", a + 1, b + 1),
        [Some(a), .., Some(b)] => format!("{} through {}", a + 1, b + 1),
        _ => String::new(),
    };
    let mut parts: Vec<String> = runs.iter().map(|r| text(r)).collect();
    if indices.first() == Some(&None) {
        parts.insert(0, "…".to_string());
    }
    if indices.len() > 1 && indices.last() == Some(&None) {
        parts.push("…".to_string());
    }
    if runs.len() > 1 {
        // Between two runs lies the elided middle.
        parts.insert(parts.len() - 1, "…".to_string());
    }
    let plural = indices.iter().flatten().count() > 1 || indices.contains(&None);
    format!(" {} {}:", if plural { "Columns" } else { "Column" }, parts.join(", "))
}

/// Appends the rows of `columns`, split into blocks of columns that fit in `width` (each
/// block headed by the numbers of the columns it holds) when the rows are wider.
fn push_blocks(
    out: &mut String,
    columns: &[Vec<String>],
    indices: &[Option<usize>],
    nrows: usize,
    width: Option<usize>,
) {
    let widths: Vec<usize> = columns.iter().map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let total = 2 + widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let Some(width) = width.filter(|w| total > *w && columns.len() > 1) else {
        push_rows(out, columns, nrows);
        return;
    };
    let mut start = 0;
    while start < columns.len() {
        let mut end = start + 1;
        let mut used = 2 + widths[start];
        while end < columns.len() && used + 2 + widths[end] <= width {
            used += 2 + widths[end];
            end += 1;
        }
        out.push('\n');
        out.push_str(&block_label(&indices[start..end]));
        push_rows(out, &columns[start..end], nrows);
        start = end;
    }
}

/// A complex number as `a + bi` or `a - bi`.
pub fn format_complex(c: C64, precision: Option<usize>) -> String {
    format_complex_with(c, |x| format_num(x, precision))
}

/// A complex number as `a + bi` or `a - bi`, its parts formatted by `part`.
fn format_complex_with(c: C64, part: impl Fn(f64) -> String) -> String {
    let re = part(c.re);
    if c.im < 0.0 {
        format!("{re} - {}i", part(-c.im))
    } else {
        format!("{re} + {}i", part(c.im))
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
            let style = match col {
                Some(j) => ColumnStyle::of(rows.iter().flatten().flat_map(|i| [m[(*i, *j)].re, m[(*i, *j)].im]), opts),
                None => ColumnStyle::Full,
            };
            let cells: Vec<String> = rows
                .iter()
                .map(|r| match (r, col) {
                    (Some(i), Some(j)) => format_complex_with(m[(*i, *j)], |x| style.cell(x)),
                    (None, Some(_)) => "⋮".to_string(),
                    (Some(_), None) => "…".to_string(),
                    (None, None) => "⋱".to_string(),
                })
                .collect();
            let width = cells.iter().map(|c| c.chars().count()).max().unwrap_or(0);
            cells.into_iter().map(|c| format!("{c:>width$}")).collect()
        })
        .collect();
    push_blocks(&mut out, &columns, &cols, rows.len(), opts.width);
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
        Value::Dual(_) | Value::Jet(_) => format!("{} being differentiated", describe(&crate::ad::strip(v))),
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

    fn show_long(v: &Value) -> String {
        format_value(v, &FormatOptions { long: true, ..FormatOptions::default() })
    }

    fn show_w(v: &Value, width: usize) -> String {
        format_value(v, &FormatOptions { width: Some(width), ..FormatOptions::default() })
    }

    fn show_p(v: &Value, p: usize) -> String {
        format_value(v, &FormatOptions::with_precision(Some(p)))
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
    fn enormous_precisions_are_capped_not_a_panic() {
        let text = format_number_with(std::f64::consts::PI, Some(100_000));
        assert!(text.starts_with("3.14159265358979311599796346854418516"), "{text}");
        assert!(text.len() <= MAX_DIGITS + 2, "{} characters", text.len());
        let m = Value::matrix(Matrix::from_column_slice(2, 1, &[1e-300, 1e300]));
        assert!(format_value(&m, &FormatOptions::with_precision(Some(100_000))).contains("e+300"));
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
    fn short_matrices_round_each_column() {
        let third = 1.0 / 3.0;
        assert_eq!(show(&mat(2, 2, &[third, 2.0, 0.1 + 0.2, 4.0])), "2×2 matrix\n  0.333333  2\n  0.3       4");
        // The largest magnitude of each column sets its decimals.
        assert_eq!(
            show(&mat(3, 2, &[1234.5678, 0.5, -2.25, std::f64::consts::PI, 10.0, 1e-3])),
            "3×2 matrix\n  1234.57  0.5\n    -2.25  3.14159\n    10     0.001"
        );
        // Whole numbers print in full, however many digits they have.
        assert_eq!(show(&mat(2, 1, &[123456789.0, -3.0])), "2×1 matrix\n  123456789\n         -3");
        // Very large or very small columns use exponent form.
        assert_eq!(show(&mat(2, 1, &[1.5e9 + 0.25, 2.25e10])), "2×1 matrix\n  1.5e+09\n  2.25e+10");
        assert_eq!(show(&mat(2, 1, &[1.23456789e-6, 5e-7])), "2×1 matrix\n  1.23457e-06\n  5e-07");
        // Special values keep their names.
        assert_eq!(show(&mat(3, 1, &[f64::NAN, f64::NEG_INFINITY, 0.5])), "3×1 matrix\n   nan\n  -inf\n     0.5");
    }

    #[test]
    fn round_off_is_shown_but_does_not_widen_other_columns() {
        // NumPy prints `[[1.e+00, 1.e-17], [2.e+00, 3.e+00]]`, Octave `1.0000e+00 1.0000e-17 ...`.
        assert_eq!(show(&mat(2, 2, &[1.0, 1e-17, 2.0, 3.0])), "2×2 matrix\n  1  1e-17\n  2  3");
        assert_eq!(
            show(&mat(2, 2, &[0.5, -2.220446049250313e-16, 1.5, 1.0])),
            "2×2 matrix\n  0.5  -2.2e-16\n  1.5   1"
        );
        // A value too small for the column's decimals is not rounded to zero.
        assert_eq!(show(&mat(2, 1, &[1000.25, 1e-4])), "2×1 matrix\n  1000.25\n     1e-04");
        // A negative value that rounds to zero in its decimals loses the sign.
        assert_eq!(show(&mat(2, 1, &[1.5, -0.0000004])), "2×1 matrix\n   1.5\n  -4e-07");
    }

    #[test]
    fn long_format_prints_elements_in_full() {
        let m = mat(2, 1, &[1.0 / 3.0, 0.1 + 0.2]);
        assert_eq!(show_long(&m), "2×1 matrix\n  0.3333333333333333\n  0.30000000000000004");
        assert_eq!(show(&m), "2×1 matrix\n  0.333333\n  0.3");
    }

    #[test]
    fn single_numbers_stay_exact_in_every_format() {
        for x in [0.1 + 0.2, 1.0 / 3.0, 1e-20, 3.0] {
            assert_eq!(show(&Value::Num(x)), format_number(x));
            assert_eq!(show_long(&Value::Num(x)), format_number(x));
        }
        assert_eq!(show(&Value::Num(0.1)), "0.1");
        assert_eq!(show(&Value::Num(1e-20)), "1e-20");
    }

    #[test]
    fn lists_and_records_use_short_numbers() {
        let list = Value::List(Rc::new(vec![Value::Num(1.0 / 3.0), mat(2, 1, &[0.1 + 0.2, 1234567.0])]));
        assert_eq!(show(&list), "{0.333333, [0.3, 1234567]}");
        assert_eq!(show_long(&list), "{0.3333333333333333, [0.30000000000000004, 1234567]}");
        let rec = Value::Record(Rc::new(Record::from_pairs([("slope", Value::Num(2.0000000000000004))])));
        assert_eq!(show(&rec), "{slope = 2}");
    }

    #[test]
    fn complex_matrices_are_short_too() {
        let m =
            Value::CMatrix(Rc::new(CMatrix::from_row_slice(2, 1, &[C64::new(1.0 / 3.0, 1.0), C64::new(-0.5, -1e-17)])));
        assert_eq!(show(&m), "2×1 complex matrix\n   0.33333 + 1i\n  -0.5 - 1e-17i");
    }

    #[test]
    fn wide_matrices_wrap_in_labelled_blocks() {
        let m = mat(2, 4, &[1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5]);
        assert_eq!(show(&m), "2×4 matrix\n  1.5  2.5  3.5  4.5\n  5.5  6.5  7.5  8.5");
        assert_eq!(show_w(&m, 20), show(&m), "fits: no wrapping");
        assert_eq!(
            show_w(&m, 12),
            "2×4 matrix\n Columns 1 and 2:\n  1.5  2.5\n  5.5  6.5\n Columns 3 and 4:\n  3.5  4.5\n  7.5  8.5"
        );
        assert_eq!(
            show_w(&mat(1, 3, &[100.0, 200.0, 300.0]), 10),
            "1×3 matrix\n Columns 1 and 2:\n  100  200\n Column 3:\n  300"
        );
        // Elided columns keep their numbers in the labels.
        let wide = Value::matrix(Matrix::from_fn(1, 12, |_, j| (j + 1) as f64 * 1000.0));
        assert_eq!(
            show_w(&wide, 40),
            "1×12 matrix\n Columns 1 through 4, …, 9 and 10:\n  1000  2000  3000  4000  …  9000  10000\n Columns 11 and 12:\n  11000  12000"
        );
    }

    #[test]
    fn block_labels() {
        assert_eq!(block_label(&[Some(2)]), " Column 3:");
        assert_eq!(block_label(&[Some(0), Some(1)]), " Columns 1 and 2:");
        assert_eq!(block_label(&[Some(0), Some(1), Some(2), Some(3), None]), " Columns 1 through 4, …:");
        assert_eq!(block_label(&[None, Some(8), Some(9)]), " Columns …, 9 and 10:");
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
