//! Assertions and user-raised errors, for in-language tests and input checks.

use mml_runtime::display::{format_number, format_value, FormatOptions};
use mml_runtime::{BuiltinError, Value};

use crate::elementwise::{position, Numeric};
use crate::macros::builtin;

builtin! {
    /// Stops with an `assertion-failed` error unless `cond` is `true`.
    /// The optional `message` (any value; strings print without quotes) is added to the error.
    /// Returns `nothing`.
    /// ```mml
    /// assert(1 + 1 == 2)                      # => nothing
    /// assert(2 > 1, "two is bigger than one") # => nothing
    /// ```
    pub static ASSERT: Check = "assert"(cond, message = nothing), |_ctx, args| {
        let ok = match args.get(0) {
            Value::Bool(b) => *b,
            v => {
                return Err(BuiltinError::type_error(0, "a bool", v)
                    .with_help("a condition is a comparison such as `x > 0` or `a == b`"))
            }
        };
        if ok {
            return Ok(Value::Nothing);
        }
        let message = match args.get(1) {
            Value::Nothing => "assertion failed".to_string(),
            m => format!("assertion failed: {}", format_value(m, &FormatOptions::default())),
        };
        Err(BuiltinError::new("assertion-failed", message).at_arg(0))
    }
}

/// Whether `x` is within the tolerance of the expected `y` (equal infinities and two NaNs count
/// as close).
fn is_close(x: f64, y: f64, tol: f64) -> bool {
    // Equal infinities are close; an infinity is never close to anything else (the
    // difference would be compared with an infinite tolerance).
    x == y || (x.is_nan() && y.is_nan()) || (y.is_finite() && (x - y).abs() <= tol * y.abs().max(1.0))
}

builtin! {
    /// Stops with an `assertion-failed` error unless `a` is close to the expected `b`.
    /// The test is element by element: `|a - b| ≤ tol × max(1, |b|)` (an absolute tolerance
    /// near zero, a relative one for large values).
    /// The shapes must match (a `shape-mismatch` error otherwise); a failure names the largest
    /// difference and where it is.
    /// Two `nan`s in the same place count as close, as do equal infinities.
    /// ```mml
    /// assert_close(0.1 + 0.2, 0.3)             # => nothing
    /// assert_close([1, 2], [1, 2.001], 0.01)   # => nothing
    /// ```
    pub static ASSERT_CLOSE: Check = "assert_close"(a, b, tol = 1e-9), |ctx, args| {
        let a = Numeric::from_value(&*ctx, args.get(0), 0)?;
        let b = Numeric::from_value(&*ctx, args.get(1), 1)?;
        let tol = args.num(2)?;
        if tol.is_nan() || tol < 0.0 {
            return Err(BuiltinError::arg(2, "the tolerance must be a non-negative number"));
        }
        let ((ra, ca), (rb, cb)) = (a.shape(), b.shape());
        if (ra, ca) != (rb, cb) {
            return Err(BuiltinError::arg(1, format!("cannot compare a {ra}×{ca} value with a {rb}×{cb} one"))
                .code("shape-mismatch")
                .with_help("both sides must have the same shape"));
        }
        let mut failures = 0;
        let mut worst: Option<(usize, f64)> = None;
        for (k, (x, y)) in a.elements().iter().zip(b.elements()).enumerate() {
            if is_close(*x, *y, tol) {
                continue;
            }
            failures += 1;
            let diff = (x - y).abs();
            let diff = if diff.is_nan() { f64::INFINITY } else { diff };
            if worst.is_none_or(|(_, d)| diff > d) {
                worst = Some((k, diff));
            }
        }
        let Some((k, diff)) = worst else {
            return Ok(Value::Nothing);
        };
        let x = a.elements().get(k).copied().unwrap_or(f64::NAN);
        let y = b.elements().get(k).copied().unwrap_or(f64::NAN);
        let message = if ra * ca == 1 {
            format!("assertion failed: {} is not close to {}", format_number(x), format_number(y))
        } else if failures == 1 {
            format!("assertion failed: element {} is not close", position(k, ra, ca))
        } else {
            format!(
                "assertion failed: {failures} of {} elements differ, the most at element {}",
                ra * ca,
                position(k, ra, ca)
            )
        };
        Err(BuiltinError::new("assertion-failed", message).with_note(format!(
            "found {}, expected {}: the difference {} exceeds the tolerance {} × max(1, |expected|)",
            format_number(x),
            format_number(y),
            format_number(diff),
            format_number(tol)
        )))
    }
}

builtin! {
    /// Stops the script with a `user-error` carrying `message`.
    /// The message may be any value; strings print without quotes.
    /// Use it to reject bad input in your own functions.
    /// ```mml
    /// fn safe_sqrt(x) {
    ///     if x < 0 { error("x must be non-negative") }
    ///     return sqrt(x)
    /// }
    /// safe_sqrt(4)   # => 2
    /// ```
    pub static ERROR: Check = "error"(message), |_ctx, args| {
        Err(BuiltinError::new("user-error", format_value(args.get(0), &FormatOptions::default())))
    }
}

/// Reads a bool, number or matrix as a list of truth values (non-zero is true).
fn truth_values(args: &mml_runtime::Args<'_>) -> Result<Vec<bool>, BuiltinError> {
    match args.get(0) {
        Value::Bool(b) => Ok(vec![*b]),
        v => match v.to_matrix() {
            Some(m) => Ok(m.iter().map(|x| *x != 0.0).collect()),
            None => Err(BuiltinError::type_error(0, "a bool or a matrix of 0s and 1s", v)),
        },
    }
}

builtin! {
    /// Whether every element is true (non-zero); `true` for an empty matrix.
    /// Reduces an element-wise comparison to one bool.
    /// ```mml
    /// all([1, 2, 3] .> 0)   # => true
    /// all([1, 0, 3])        # => false
    /// ```
    pub static ALL: Check = "all"(v), |_ctx, args| {
        Ok(Value::Bool(truth_values(args)?.iter().all(|b| *b)))
    }
}

builtin! {
    /// Whether at least one element is true (non-zero); `false` for an empty matrix.
    /// ```mml
    /// any([1, 2, 3] .> 2)   # => true
    /// any([0, 0])           # => false
    /// ```
    pub static ANY: Check = "any"(v), |_ctx, args| {
        Ok(Value::Bool(truth_values(args)?.iter().any(|b| *b)))
    }
}

/// 1 where `test` holds for an element of argument 0 and 0 elsewhere, in its shape (a number
/// for a number); complex elements are tested on their real and imaginary parts (`any`: one
/// of them, else both). Values being differentiated are tested on their values.
fn element_test(args: &mml_runtime::Args<'_>, test: fn(f64) -> bool, any: bool) -> Result<Value, BuiltinError> {
    let v = mml_runtime::ad::strip(args.get(0));
    let flag = |x: f64| f64::from(u8::from(test(x)));
    let complex = |c: mml_runtime::C64| {
        let (re, im) = (test(c.re), test(c.im));
        f64::from(u8::from(if any { re || im } else { re && im }))
    };
    match &v {
        Value::Num(x) => Ok(Value::Num(flag(*x))),
        Value::Complex(c) => Ok(Value::Num(complex(**c))),
        Value::CMatrix(m) => Ok(Value::matrix(m.map(complex))),
        other => match other.to_matrix() {
            Some(m) => Ok(Value::matrix(m.map(flag))),
            None => Err(BuiltinError::type_error(0, "a number or matrix", other)),
        },
    }
}

builtin! {
    /// 1 where an element is NaN (not a number) and 0 elsewhere, element-wise.
    /// NaN is the only value not equal to itself, so `x .== nan` is always 0: test with
    /// `isnan`. With `find` it locates the gaps: `v[find(isnan(v) .== 0)]` drops them.
    /// ```mml
    /// isnan([1, nan, 3])   # => 3×1 matrix
    ///                      # =>   0
    ///                      # =>   1
    ///                      # =>   0
    /// isnan(0 / 0)         # => 1
    /// ```
    pub static ISNAN: Check = "isnan"(x), |_ctx, args| {
        element_test(args, f64::is_nan, true)
    }
}

builtin! {
    /// 1 where an element is finite (neither NaN nor ±inf) and 0 elsewhere, element-wise.
    /// ```mml
    /// isfinite([1, inf, nan])   # => 3×1 matrix
    ///                           # =>   1
    ///                           # =>   0
    ///                           # =>   0
    /// ```
    pub static ISFINITE: Check = "isfinite"(x), |_ctx, args| {
        element_test(args, f64::is_finite, false)
    }
}
