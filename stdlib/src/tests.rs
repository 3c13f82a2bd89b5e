//! Unit tests of the builtins, called directly through a fake interpreter context.
//!
//! Besides per-builtin behaviour, [`doc_examples_that_are_plain_calls_hold`] runs every doc
//! example line that is a call with literal arguments (`round(3.14159, 2)   # => 3.14`) and
//! compares its printed value, so wrong examples are caught before the interpreter exists.
//! The full doc-example tests through the interpreter live in the root `tests/`.

use std::collections::HashSet;
use std::rc::Rc;

use mml_runtime::display::{format_value, FormatOptions};
use mml_runtime::{BuiltinError, Matrix, RangeVal, Value};

use crate::library;
use crate::testing::{call, find, num, ok, run_builtin, FakeCtx};

mod geometry;

fn call_in(ctx: &mut FakeCtx, name: &str, args: &[Value]) -> Result<Value, BuiltinError> {
    run_builtin(ctx, name, args, &[])
}

#[track_caller]
fn mat_of(name: &str, args: &[Value]) -> Matrix {
    match ok(name, args) {
        Value::Matrix(m) => (*m).clone(),
        v => panic!("{name} returned {v:?}, not a matrix"),
    }
}

/// The code and argument index of an error.
#[track_caller]
fn err(name: &str, args: &[Value]) -> (&'static str, Option<usize>) {
    match call(name, args) {
        Ok(v) => panic!("{name} succeeded with {v:?}"),
        Err(BuiltinError::Message { code, arg, .. }) => (code, arg),
        Err(e) => panic!("{name} raised {e:?}"),
    }
}

/// The message of an error.
#[track_caller]
fn message(name: &str, args: &[Value]) -> String {
    match call(name, args) {
        Err(BuiltinError::Message { message, .. }) => message,
        other => panic!("{name} gave {other:?}"),
    }
}

fn n(x: f64) -> Value {
    Value::Num(x)
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn col(xs: &[f64]) -> Value {
    Value::column(xs.to_vec())
}

fn mat(rows: usize, cols: usize, data: &[f64]) -> Value {
    Value::matrix(Matrix::from_row_slice(rows, cols, data))
}

fn range(a: f64, step: f64, b: f64) -> Value {
    Value::Range(Rc::new(RangeVal::new(a, step, b).unwrap()))
}

fn show(v: &Value) -> String {
    format_value(v, &FormatOptions::default())
}

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} is not close to {b}");
}

// ---------------------------------------------------------------------------------------------
// The table.

#[test]
fn no_two_builtins_share_a_name() {
    let mut seen = HashSet::new();
    for b in library().builtins {
        assert!(seen.insert(b.name), "builtin {} is declared twice", b.name);
    }
    for c in library().constants {
        assert!(seen.insert(c.name), "constant {} clashes with another name", c.name);
    }
}

/// The lines of every ```` ```mml ```` block in a doc string.
fn example_lines(doc: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        if line.trim() == "```mml" {
            inside = true;
        } else if line.trim() == "```" {
            inside = false;
        } else if inside {
            lines.push(line);
        }
    }
    lines
}

#[test]
fn every_entry_has_a_summary_and_an_example() {
    let docs =
        library().builtins.iter().map(|b| (b.name, b.doc)).chain(library().constants.iter().map(|c| (c.name, c.doc)));
    for (name, doc) in docs {
        let summary = doc.lines().next().unwrap_or("");
        assert!(!summary.starts_with(' '), "{name}: the doc keeps the space after `///`");
        assert!(summary.len() > 10 && summary.ends_with('.'), "{name}: summary {summary:?} is not a sentence");
        assert!(!summary.contains("```"), "{name}: summary holds code");
        let lines = example_lines(doc);
        assert!(lines.iter().any(|l| l.contains("# => ")), "{name}: no ```mml example with `# =>`");
    }
}

#[test]
fn builtin_docs_are_unindented_markdown() {
    let sqrt = find("sqrt");
    assert!(sqrt.doc.starts_with("Square root, element-wise.\n"), "{:?}", sqrt.doc);
    assert!(sqrt.doc.contains("\n```mml\nsqrt(16)       # => 4\n"), "{:?}", sqrt.doc);
    assert_eq!(sqrt.summary(), "Square root, element-wise.");
    assert_eq!(find("round").signature(), "round(x, digits = 0)");
    assert_eq!(find("print").signature(), "print(values...)");
    assert_eq!(find("assert_close").signature(), "assert_close(a, b, tol = 1e-09)");
}

// A tiny evaluator for doc-example lines that are calls with literal arguments.

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.text.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_spaces();
        if self.text.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self, ctx: &mut FakeCtx) -> Option<Value> {
        self.skip_spaces();
        let start = self.pos;
        let c = *self.text.get(self.pos)?;
        let v = if c == b'"' {
            let len = self.text[start + 1..].iter().position(|b| *b == b'"')?;
            // Interpolation and escapes need the real interpreter.
            if self.text[start + 1..start + 1 + len].iter().any(|b| matches!(b, b'{' | b'\\')) {
                return None;
            }
            self.pos = start + 2 + len;
            Value::str(std::str::from_utf8(&self.text[start + 1..start + 1 + len]).ok()?)
        } else if c == b'[' {
            self.pos += 1;
            let mut rows: Vec<Vec<f64>> = vec![vec![]];
            loop {
                if self.eat(b']') {
                    break;
                }
                let x = self.expr(ctx)?.as_scalar()?;
                rows.last_mut()?.push(x);
                if self.eat(b';') {
                    rows.push(vec![]);
                } else if !self.eat(b',') && self.text.get(self.pos) != Some(&b']') {
                    return None;
                }
            }
            let m = if rows.len() == 1 {
                Matrix::from_vec(rows[0].len(), 1, rows[0].clone())
            } else {
                let ncols = rows[0].len();
                let flat: Vec<f64> = rows.concat();
                Matrix::from_row_slice(rows.len(), ncols, &flat)
            };
            Value::matrix(m)
        } else if c == b'-' || c.is_ascii_digit() {
            self.pos += 1;
            while let Some(b) = self.text.get(self.pos) {
                let prev = self.text[self.pos - 1];
                if b.is_ascii_digit() || *b == b'.' || *b == b'e' || ((*b == b'-' || *b == b'+') && prev == b'e') {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            Value::Num(std::str::from_utf8(&self.text[start..self.pos]).ok()?.parse().ok()?)
        } else if c.is_ascii_alphabetic() {
            while self.text.get(self.pos).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                self.pos += 1;
            }
            let name = std::str::from_utf8(&self.text[start..self.pos]).ok()?;
            if self.eat(b'(') {
                let mut args = Vec::new();
                while !self.eat(b')') {
                    args.push(self.expr(ctx)?);
                    if !self.eat(b',') && self.text.get(self.pos) != Some(&b')') {
                        return None;
                    }
                }
                library().builtins.iter().find(|b| b.name == name)?;
                call_in(ctx, name, &args).ok()?
            } else if let Some(c) = library().constants.iter().find(|c| c.name == name) {
                Value::Num(c.value)
            } else if name == "true" || name == "false" {
                Value::Bool(name == "true")
            } else {
                Value::Builtin(library().builtins.iter().copied().find(|b| b.name == name)?)
            }
        } else {
            return None;
        };
        if self.eat(b'\'') {
            let m = v.to_matrix()?;
            return Some(Value::matrix(m.transpose()));
        }
        Some(v)
    }
}

/// Evaluates `src` if it is a call (or constant) with literal arguments; `None` otherwise.
fn eval_literal_call(src: &str) -> Option<(Value, String)> {
    let mut ctx = FakeCtx::default();
    let mut p = Parser { text: src.as_bytes(), pos: 0 };
    let v = p.expr(&mut ctx)?;
    p.skip_spaces();
    (p.pos == src.len()).then_some((v, ctx.out))
}

#[test]
fn doc_examples_that_are_plain_calls_hold() {
    let mut checked = 0;
    let docs = library().builtins.iter().map(|b| b.doc).chain(library().constants.iter().map(|c| c.doc));
    for doc in docs {
        let lines = example_lines(doc);
        for (i, line) in lines.iter().enumerate() {
            let Some((code, first)) = line.split_once("# => ") else { continue };
            if code.trim().is_empty() {
                continue;
            }
            let mut expected = vec![first.to_string()];
            for next in &lines[i + 1..] {
                match next.trim_start().strip_prefix("# => ") {
                    Some(more) => expected.push(more.to_string()),
                    None => break,
                }
            }
            let expected = expected.join("\n");
            let Some((value, out)) = eval_literal_call(code.trim()) else { continue };
            let got = if matches!(value, Value::Nothing) && !out.is_empty() {
                out.trim_end_matches('\n').to_string()
            } else {
                show(&value)
            };
            assert_eq!(got, expected, "example `{}`", code.trim());
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} examples were checked");
}

// ---------------------------------------------------------------------------------------------
// Elementary maths.

#[test]
fn unary_functions_on_numbers() {
    close(num("sin", &[n(1.0)]), 0.8414709848078965);
    close(num("cos", &[n(1.0)]), 0.5403023058681398);
    close(num("tan", &[n(1.0)]), 1.5574077246549023);
    close(num("asin", &[n(0.5)]), std::f64::consts::FRAC_PI_6);
    close(num("acos", &[n(0.5)]), std::f64::consts::FRAC_PI_3);
    close(num("atan", &[n(1.0)]), std::f64::consts::FRAC_PI_4);
    close(num("exp", &[n(2.0)]), 7.38905609893065);
    close(num("log", &[n(10.0)]), std::f64::consts::LN_10);
    assert_eq!(num("log2", &[n(1024.0)]), 10.0);
    assert_eq!(num("log10", &[n(0.001)]), -3.0);
    assert_eq!(num("sqrt", &[n(2.25)]), 1.5);
    assert_eq!(num("abs", &[n(-0.5)]), 0.5);
    assert_eq!(num("floor", &[n(-0.5)]), -1.0);
    assert_eq!(num("ceil", &[n(-0.5)]), 0.0);
    assert_eq!(num("sign", &[n(-3.0)]), -1.0);
    assert_eq!(num("sign", &[n(0.0)]), 0.0);
    assert!(num("sign", &[n(f64::NAN)]).is_nan());
    assert!(num("sqrt", &[n(f64::NAN)]).is_nan());
    assert_eq!(num("log", &[n(0.0)]), f64::NEG_INFINITY);
    assert_eq!(num("sqrt", &[Value::Bool(true)]), 1.0);
}

#[test]
fn unary_functions_are_elementwise() {
    let m = mat_of("sqrt", &[mat(2, 2, &[1.0, 4.0, 9.0, 16.0])]);
    assert_eq!(m, Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]));
    // A 1×1 matrix stays a matrix; a range becomes a column.
    assert_eq!(mat_of("abs", &[mat(1, 1, &[-2.0])]).shape(), (1, 1));
    let r = mat_of("floor", &[range(0.0, 0.5, 2.0)]);
    assert_eq!(r, Matrix::from_vec(5, 1, vec![0.0, 0.0, 1.0, 1.0, 2.0]));
    assert_eq!(mat_of("exp", &[Value::matrix(Matrix::zeros(0, 3))]).shape(), (0, 3));
}

#[test]
fn unary_functions_reject_non_numbers() {
    assert_eq!(err("sqrt", &[s("a")]), ("type-mismatch", Some(0)));
    assert_eq!(err("sin", &[Value::Nothing]), ("type-mismatch", Some(0)));
    assert_eq!(message("sqrt", &[s("a")]), "expected a number or matrix, found a string");
}

#[test]
fn domain_errors_point_at_the_argument() {
    assert_eq!(err("sqrt", &[n(-1.0)]), ("domain-error", Some(0)));
    assert_eq!(message("sqrt", &[n(-1.0)]), "sqrt of a negative number (-1)");
    assert_eq!(err("log", &[n(-0.5)]), ("domain-error", Some(0)));
    assert_eq!(err("log2", &[n(-2.0)]), ("domain-error", Some(0)));
    assert_eq!(err("log10", &[n(-2.0)]), ("domain-error", Some(0)));
    assert_eq!(err("asin", &[n(1.5)]), ("domain-error", Some(0)));
    assert_eq!(err("acos", &[n(-1.01)]), ("domain-error", Some(0)));
    assert_eq!(message("sqrt", &[col(&[4.0, 1.0, -9.0])]), "sqrt of a negative number: element 3 is -9");
    assert_eq!(message("log", &[mat(2, 2, &[1.0, 2.0, -3.0, 4.0])]), "log of a negative number: element (2, 1) is -3");
}

#[test]
fn atan2_knows_the_quadrant_and_broadcasts() {
    close(num("atan2", &[n(-1.0), n(-1.0)]), -3.0 * std::f64::consts::FRAC_PI_4);
    close(num("atan2", &[n(0.0), n(-1.0)]), std::f64::consts::PI);
    let m = mat_of("atan2", &[col(&[1.0, -1.0]), n(0.0)]);
    close(m[0], std::f64::consts::FRAC_PI_2);
    close(m[1], -std::f64::consts::FRAC_PI_2);
    assert_eq!(err("atan2", &[n(1.0), s("x")]), ("type-mismatch", Some(1)));
}

#[test]
fn round_halves_away_from_zero_and_takes_digits() {
    assert_eq!(num("round", &[n(0.5)]), 1.0);
    assert_eq!(num("round", &[n(-0.5)]), -1.0);
    assert_eq!(num("round", &[n(2.675), n(1.0)]), 2.7);
    assert_eq!(num("round", &[n(-1.2345), n(3.0)]), -1.235);
    assert_eq!(num("round", &[n(1234.5), n(-2.0)]), 1200.0);
    assert_eq!(num("round", &[n(1e300), n(400.0)]), 1e300);
    assert_eq!(num("round", &[n(123.0), n(-400.0)]), 0.0);
    assert_eq!(mat_of("round", &[col(&[1.26, 2.71]), n(1.0)]), Matrix::from_vec(2, 1, vec![1.3, 2.7]));
    assert_eq!(err("round", &[n(1.0), n(0.5)]), ("invalid-argument", Some(1)));
}

#[test]
fn min_and_max_reduce_or_combine() {
    assert_eq!(num("min", &[n(3.0), n(-2.0)]), -2.0);
    assert_eq!(num("max", &[n(3.0), n(-2.0)]), 3.0);
    // A matrix reduces per column (rows are observations); `dim = "all"` over everything.
    assert_eq!(mat_of("min", &[mat(2, 2, &[4.0, 2.0, 8.0, 3.0])]), Matrix::from_row_slice(1, 2, &[4.0, 2.0]));
    assert_eq!(num("min", &[mat(2, 2, &[4.0, 2.0, 8.0, 3.0]), Value::Nothing, s("all")]), 2.0);
    assert_eq!(num("max", &[mat(2, 2, &[4.0, 2.0, 8.0, 3.0]), Value::Nothing, s("all")]), 8.0);
    assert_eq!(num("max", &[range(1.0, 1.0, 10.0)]), 10.0);
    assert_eq!(num("min", &[n(5.0)]), 5.0);
    assert!(num("max", &[col(&[1.0, f64::NAN, 3.0])]).is_nan());
    assert_eq!(mat_of("max", &[col(&[1.0, 5.0, -2.0]), n(0.0)]), Matrix::from_vec(3, 1, vec![1.0, 5.0, 0.0]));
    assert_eq!(mat_of("min", &[col(&[1.0, 5.0]), col(&[3.0, 2.0])]), Matrix::from_vec(2, 1, vec![1.0, 2.0]));
    assert_eq!(err("min", &[Value::matrix(Matrix::zeros(0, 0))]), ("invalid-argument", Some(0)));
}

#[test]
fn elementwise_binary_broadcasts_rows_and_columns() {
    // A row against a matrix, a column against a matrix.
    let a = mat(2, 3, &[1.0, 5.0, 3.0, 4.0, 2.0, 6.0]);
    let row = mat(1, 3, &[2.0, 2.0, 2.0]);
    assert_eq!(mat_of("max", &[a.clone(), row]), Matrix::from_row_slice(2, 3, &[2.0, 5.0, 3.0, 4.0, 2.0, 6.0]));
    let column = col(&[10.0, 0.0]);
    assert_eq!(mat_of("min", &[a.clone(), column]), Matrix::from_row_slice(2, 3, &[1.0, 5.0, 3.0, 0.0, 0.0, 0.0]));
    // A column against a row is an error, not an outer product.
    assert_eq!(err("max", &[col(&[1.0, 2.0]), mat(1, 3, &[1.0, 2.0, 3.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(err("max", &[a, mat(3, 2, &[0.0; 6])]), ("shape-mismatch", Some(1)));
    assert_eq!(
        message("min", &[col(&[1.0, 2.0]), col(&[1.0, 2.0, 3.0])]),
        "cannot combine a 2×1 matrix with a 3×1 matrix"
    );
}

#[test]
fn mod_takes_the_sign_of_the_divisor() {
    assert_eq!(num("mod", &[n(7.0), n(3.0)]), 1.0);
    assert_eq!(num("mod", &[n(-7.0), n(3.0)]), 2.0);
    assert_eq!(num("mod", &[n(7.0), n(-3.0)]), -2.0);
    assert_eq!(num("mod", &[n(-7.0), n(-3.0)]), -1.0);
    assert_eq!(num("mod", &[n(6.0), n(3.0)]), 0.0);
    assert_eq!(num("mod", &[n(5.5), n(2.0)]), 1.5);
    assert_eq!(mat_of("mod", &[range(1.0, 1.0, 4.0), n(2.0)]), Matrix::from_vec(4, 1, vec![1.0, 0.0, 1.0, 0.0]));
    assert_eq!(err("mod", &[n(1.0), n(0.0)]), ("domain-error", Some(1)));
    assert_eq!(message("mod", &[n(1.0), col(&[1.0, 0.0])]), "mod by zero: element 2 is 0");
}

#[test]
fn constants_have_their_values() {
    let get = |name: &str| library().constants.iter().find(|c| c.name == name).map(|c| c.value);
    assert_eq!(get("pi"), Some(std::f64::consts::PI));
    assert_eq!(get("e"), Some(std::f64::consts::E));
    assert_eq!(get("inf"), Some(f64::INFINITY));
    assert!(get("nan").is_some_and(f64::is_nan));
}

// ---------------------------------------------------------------------------------------------
// Construction and shape.

#[test]
fn zeros_ones_eye() {
    assert_eq!(mat_of("zeros", &[n(2.0), n(3.0)]), Matrix::zeros(2, 3));
    assert_eq!(mat_of("zeros", &[n(2.0)]), Matrix::zeros(2, 1));
    assert_eq!(mat_of("ones", &[n(3.0)]), Matrix::from_element(3, 1, 1.0));
    assert_eq!(mat_of("zeros", &[n(2.0), n(2.0)]), Matrix::zeros(2, 2));
    assert_eq!(mat_of("ones", &[n(3.0), n(1.0)]), Matrix::from_element(3, 1, 1.0));
    assert_eq!(mat_of("eye", &[n(3.0)]), Matrix::identity(3, 3));
    assert_eq!(mat_of("eye", &[n(2.0), n(3.0)]), Matrix::from_row_slice(2, 3, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]));
    assert_eq!(mat_of("zeros", &[n(0.0)]).shape(), (0, 1));
}

#[test]
fn sizes_must_be_whole_and_within_limits() {
    assert_eq!(err("zeros", &[n(-1.0)]), ("invalid-argument", Some(0)));
    assert_eq!(err("ones", &[n(2.0), n(1.5)]), ("invalid-argument", Some(1)));
    assert_eq!(err("eye", &[n(f64::INFINITY)]), ("invalid-argument", Some(0)));
    assert_eq!(err("zeros", &[s("3")]), ("type-mismatch", Some(0)));
    assert_eq!(err("zeros", &[n(1e6), n(1e6)]).0, "limit-exceeded");
    assert_eq!(err("ones", &[n(1e10)]).0, "limit-exceeded");
    assert_eq!(err("linspace", &[n(0.0), n(1.0), n(1e12)]), ("limit-exceeded", Some(2)));
    // Overflowing products are limit errors too, not wrap-arounds.
    assert_eq!(err("zeros", &[n(2f64.powi(40)), n(2f64.powi(40))]).0, "limit-exceeded");
    // Materialising a huge range for an element-wise function is checked as well.
    assert_eq!(err("sin", &[range(1.0, 1.0, 1e12)]), ("limit-exceeded", Some(0)));
}

#[test]
fn size_rows_cols_numel() {
    let a = Value::matrix(Matrix::zeros(2, 3));
    assert_eq!(mat_of("size", std::slice::from_ref(&a)), Matrix::from_row_slice(1, 2, &[2.0, 3.0]));
    assert_eq!(num("size", &[a.clone(), n(1.0)]), 2.0);
    assert_eq!(num("size", &[a.clone(), n(2.0)]), 3.0);
    assert_eq!(err("size", &[a.clone(), n(3.0)]), ("invalid-argument", Some(1)));
    assert_eq!(mat_of("size", &[n(7.0)]), Matrix::from_row_slice(1, 2, &[1.0, 1.0]));
    assert_eq!(mat_of("size", &[range(1.0, 1.0, 4.0)]), Matrix::from_row_slice(1, 2, &[4.0, 1.0]));
    assert_eq!(err("size", &[s("abc")]), ("type-mismatch", Some(0)));
    assert_eq!(num("rows", std::slice::from_ref(&a)), 2.0);
    assert_eq!(num("cols", std::slice::from_ref(&a)), 3.0);
    assert_eq!(num("numel", &[a]), 6.0);
    assert_eq!(num("numel", &[range(0.0, 0.1, 1.0)]), 11.0);
}

#[test]
fn length_of_vectors_lists_strings_ranges() {
    assert_eq!(num("length", &[col(&[1.0, 2.0, 3.0])]), 3.0);
    assert_eq!(num("length", &[mat(1, 4, &[0.0; 4])]), 4.0);
    assert_eq!(num("length", &[n(5.0)]), 1.0);
    assert_eq!(num("length", &[Value::matrix(Matrix::zeros(0, 3))]), 0.0);
    assert_eq!(num("length", &[Value::List(Rc::new(vec![n(1.0), s("a")]))]), 2.0);
    assert_eq!(num("length", &[s("héllo")]), 5.0);
    assert_eq!(num("length", &[range(10.0, -3.0, 1.0)]), 4.0);
    assert_eq!(err("length", &[Value::matrix(Matrix::zeros(2, 3))]), ("invalid-argument", Some(0)));
    assert_eq!(err("length", &[Value::Nothing]), ("type-mismatch", Some(0)));
}

#[test]
fn range_and_linspace() {
    match ok("range", &[n(0.0), n(1.0), n(0.25)]) {
        Value::Range(r) => assert_eq!((r.start, r.step, r.stop, r.len()), (0.0, 0.25, 1.0, 5)),
        v => panic!("{v:?}"),
    }
    assert_eq!(show(&ok("range", &[n(1.0), n(5.0)])), "1:5");
    assert_eq!(err("range", &[n(0.0), n(1.0), n(0.0)]), ("invalid-argument", Some(2)));
    assert_eq!(err("range", &[n(f64::NAN), n(1.0)]), ("invalid-argument", Some(0)));
    assert_eq!(err("range", &[n(0.0), n(f64::NAN)]), ("invalid-argument", Some(1)));

    let l = mat_of("linspace", &[n(0.0), n(1.0), n(3.0)]);
    assert_eq!(l, Matrix::from_vec(3, 1, vec![0.0, 0.5, 1.0]));
    let l = mat_of("linspace", &[n(0.0), n(0.3), n(4.0)]);
    assert_eq!(l[3], 0.3, "the last point is exactly b");
    assert_eq!(mat_of("linspace", &[n(2.0), n(5.0), n(1.0)]), Matrix::from_vec(1, 1, vec![2.0]));
    assert_eq!(mat_of("linspace", &[n(2.0), n(5.0), n(0.0)]).shape(), (0, 1));
    assert_eq!(mat_of("linspace", &[n(0.0), n(1.0)]).shape(), (100, 1));
    assert_eq!(err("linspace", &[n(0.0), n(1.0), n(-2.0)]), ("invalid-argument", Some(2)));
}

// ---------------------------------------------------------------------------------------------
// Printing, strings and types.

#[test]
fn print_writes_one_line() {
    let mut ctx = FakeCtx::default();
    let v = call_in(&mut ctx, "print", &[s("x ="), n(2.5), Value::Bool(true)]).unwrap();
    assert!(matches!(v, Value::Nothing));
    assert_eq!(ctx.out, "x = 2.5 true\n");

    let mut ctx = FakeCtx::default();
    call_in(&mut ctx, "print", &[]).unwrap();
    assert_eq!(ctx.out, "\n");

    let mut ctx = FakeCtx::default();
    call_in(&mut ctx, "print", &[s("A ="), mat(2, 2, &[1.0, 2.5, -3.0, 4.0]), s("done")]).unwrap();
    assert_eq!(ctx.out, "A =\n2×2 matrix\n   1  2.5\n  -3  4\ndone\n");
}

#[test]
fn string_and_typeof() {
    assert_eq!(show(&ok("string", &[n(0.5)])), "0.5");
    assert_eq!(show(&ok("string", &[Value::List(Rc::new(vec![s("a"), n(1.0)]))])), "{\"a\", 1}");
    assert_eq!(show(&ok("typeof", &[n(1.0)])), "number");
    assert_eq!(show(&ok("typeof", &[range(1.0, 1.0, 2.0)])), "range");
    assert_eq!(show(&ok("typeof", &[Value::Builtin(find("sin"))])), "function");
    assert_eq!(show(&ok("typeof", &[Value::Nothing])), "nothing");
}

#[test]
fn format_rounds_to_digits_or_decimals() {
    let f = |args: &[Value]| show(&ok("format", args));
    let pi = n(std::f64::consts::PI);
    assert_eq!(f(std::slice::from_ref(&pi)), "3.141592653589793");
    assert_eq!(f(&[pi.clone(), n(3.0)]), "3.14");
    assert_eq!(f(&[pi.clone(), Value::Nothing, n(2.0)]), "3.14");
    assert_eq!(f(&[n(2.5), Value::Nothing, n(0.0)]), "2");
    assert_eq!(f(&[n(-0.001), Value::Nothing, n(2.0)]), "0.00");
    assert_eq!(f(&[n(f64::INFINITY), Value::Nothing, n(2.0)]), "inf");
    // Matrix columns get the digits for their largest element, as the display does.
    assert_eq!(f(&[col(&[1.0 / 3.0, 2.0]), n(2.0)]), "2×1 matrix\n  0.3\n  2");
    assert_eq!(f(&[col(&[1.0 / 3.0, 0.5]), n(2.0)]), "2×1 matrix\n  0.33\n  0.5");
    assert_eq!(f(&[Value::List(Rc::new(vec![n(1.0 / 3.0), s("a")])), n(2.0)]), "{0.33, \"a\"}");

    assert_eq!(err("format", &[pi.clone(), n(0.0)]), ("invalid-argument", Some(1)));
    assert_eq!(err("format", &[pi.clone(), n(1.5)]), ("invalid-argument", Some(1)));
    assert_eq!(err("format", &[pi.clone(), n(3.0), n(2.0)]), ("invalid-argument", Some(2)));
    assert_eq!(err("format", &[s("a"), Value::Nothing, n(2.0)]), ("type-mismatch", Some(0)));
    assert_eq!(err("format", &[col(&[1.0, 2.0]), Value::Nothing, n(2.0)]), ("type-mismatch", Some(0)));
}

// ---------------------------------------------------------------------------------------------
// Checks and errors.

#[test]
fn assert_passes_and_fails() {
    assert!(matches!(ok("assert", &[Value::Bool(true)]), Value::Nothing));
    assert_eq!(err("assert", &[Value::Bool(false)]), ("assertion-failed", Some(0)));
    assert_eq!(message("assert", &[Value::Bool(false)]), "assertion failed");
    assert_eq!(
        message("assert", &[Value::Bool(false), s("x must be positive")]),
        "assertion failed: x must be positive"
    );
    assert_eq!(err("assert", &[n(1.0)]), ("type-mismatch", Some(0)));
}

#[test]
fn assert_close_uses_relative_and_absolute_tolerance() {
    assert!(matches!(ok("assert_close", &[n(0.1 + 0.2), n(0.3)]), Value::Nothing));
    assert!(matches!(ok("assert_close", &[n(1e12 + 1e-1), n(1e12)]), Value::Nothing));
    assert!(matches!(ok("assert_close", &[n(f64::NAN), n(f64::NAN)]), Value::Nothing));
    assert!(matches!(ok("assert_close", &[n(f64::INFINITY), n(f64::INFINITY)]), Value::Nothing));
    assert!(matches!(ok("assert_close", &[range(1.0, 1.0, 3.0), col(&[1.0, 2.0, 3.0])]), Value::Nothing));
    assert!(matches!(ok("assert_close", &[n(1.0), n(1.05), n(0.1)]), Value::Nothing));
    assert_eq!(err("assert_close", &[n(1.0), n(1.001)]), ("assertion-failed", None));
    assert_eq!(message("assert_close", &[n(1.5), n(1.0)]), "assertion failed: 1.5 is not close to 1");
    assert_eq!(
        message("assert_close", &[col(&[1.0, 2.5, 3.1]), col(&[1.0, 2.0, 3.0])]),
        "assertion failed: 2 of 3 elements differ, the most at element 2"
    );
    assert_eq!(
        message("assert_close", &[mat(2, 2, &[1.0, 2.0, 3.0, f64::NAN]), mat(2, 2, &[1.0, 2.1, 3.0, 4.0])]),
        "assertion failed: 2 of 4 elements differ, the most at element (2, 2)"
    );
    assert_eq!(
        message("assert_close", &[col(&[1.0, 2.0]), col(&[1.0, 2.1])]),
        "assertion failed: element 2 is not close"
    );
    assert_eq!(err("assert_close", &[col(&[1.0, 2.0]), col(&[1.0, 2.0, 3.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(err("assert_close", &[n(1.0), n(1.0), n(-1.0)]), ("invalid-argument", Some(2)));
    assert_eq!(err("assert_close", &[s("a"), n(1.0)]), ("type-mismatch", Some(0)));
}

#[test]
fn error_raises_a_user_error() {
    assert_eq!(err("error", &[s("bad input")]), ("user-error", None));
    assert_eq!(message("error", &[s("bad input")]), "bad input");
    assert_eq!(message("error", &[n(42.0)]), "42");
}
