//! Assertions and user-raised errors, for in-language tests and input checks.

use mml_runtime::display::{describe, format_complex, format_number, format_value, FormatOptions};
use mml_runtime::{Args, BuiltinError, CallCtx, Value, C64};

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

/// Two values compared element by element, as complex elements (real values have a zero
/// imaginary part); a number on either side stands for every element of the other.
pub(crate) struct Compared {
    /// The shape of the comparison.
    pub(crate) shape: (usize, usize),
    /// The elements of the first value, column by column.
    pub(crate) a: Vec<C64>,
    /// The elements of the second value (the reference).
    pub(crate) b: Vec<C64>,
    /// Whether either value is complex (for messages).
    pub(crate) complex: bool,
}

/// One side of a comparison: its shape, its elements, and whether it is complex.
type Side = ((usize, usize), Vec<C64>, bool);

/// The elements of argument `i` and its shape: numbers, bools, matrices, ranges and complex values.
fn elements(ctx: &dyn CallCtx, args: &Args<'_>, i: usize) -> Result<Side, BuiltinError> {
    let v = mml_runtime::ad::strip(args.get(i));
    match &v {
        Value::Complex(_) | Value::CMatrix(_) => {
            let m = v.to_cmatrix().unwrap_or_default();
            Ok((m.shape(), m.iter().copied().collect(), true))
        }
        other => {
            let n = Numeric::from_value(ctx, other, i)?;
            Ok((n.shape(), n.elements().iter().map(|x| C64::new(*x, 0.0)).collect(), false))
        }
    }
}

/// Reads arguments 0 and 1 for a comparison: the same shape, or one of them a number.
pub(crate) fn compared(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<Compared, BuiltinError> {
    let (sa, a, ca) = elements(ctx, args, 0)?;
    let (sb, b, cb) = elements(ctx, args, 1)?;
    let (shape, a, b) = if sa == sb {
        (sa, a, b)
    } else if a.len() == 1 {
        (sb, vec![a[0]; b.len()], b)
    } else if b.len() == 1 {
        (sa, a.clone(), vec![b[0]; a.len()])
    } else {
        return Err(BuiltinError::arg(
            1,
            format!("cannot compare {} with {}", describe(args.get(0)), describe(args.get(1))),
        )
        .code("shape-mismatch")
        .with_help("both must have the same shape, or one must be a number"));
    };
    Ok(Compared { shape, a, b, complex: ca || cb })
}

/// Whether a complex number has a NaN part.
fn has_nan(x: C64) -> bool {
    x.re.is_nan() || x.im.is_nan()
}

/// Whether both parts are finite.
fn is_finite(x: C64) -> bool {
    x.re.is_finite() && x.im.is_finite()
}

/// Whether `x` is within the tolerance of the expected `y`: `|x - y| ≤ tol × max(1, |y|)`
/// (equal infinities and two NaNs count as close).
pub(crate) fn is_close(x: C64, y: C64, tol: f64) -> bool {
    // Equal infinities are close; an infinity is never close to anything else (the
    // difference would be compared with an infinite tolerance).
    x == y || (has_nan(x) && has_nan(y)) || (is_finite(y) && (x - y).norm() <= tol * y.norm().max(1.0))
}

/// NumPy's `isclose`: `|x - y| ≤ atol + rtol × |y|`; NaN is close to nothing, equal
/// infinities are close.
pub(crate) fn is_allclose(x: C64, y: C64, rtol: f64, atol: f64) -> bool {
    x == y || (is_finite(x) && is_finite(y) && (x - y).norm() <= atol + rtol * y.norm())
}

/// A number or complex number for messages.
fn show(x: C64, complex: bool) -> String {
    if complex {
        format_complex(x, None)
    } else {
        format_number(x.re)
    }
}

builtin! {
    /// Stops with an `assertion-failed` error unless `a` is close to the expected `b`.
    /// The test is element by element: `|a - b| ≤ tol × max(1, |b|)` (an absolute tolerance
    /// near zero, a relative one for large values; for complex values `|·|` is the modulus).
    /// The shapes must match, or one side may be a number, which every element is compared
    /// with (a `shape-mismatch` error otherwise); a failure names the largest difference and
    /// where it is.
    /// Two `nan`s in the same place count as close, as do equal infinities.
    /// ```mml
    /// assert_close(0.1 + 0.2, 0.3)             # => nothing
    /// assert_close([1, 2], [1, 2.001], 0.01)   # => nothing
    /// assert_close(eig([0, -1; 1, 0]).values, [1i, -1i])   # => nothing
    /// assert_close(ones(2, 2) * 0.1 * 3, 0.3)  # => nothing
    /// ```
    pub static ASSERT_CLOSE: Check = "assert_close"(a, b, tol = 1e-9), |ctx, args| {
        let tol = args.num(2)?;
        if tol.is_nan() || tol < 0.0 {
            return Err(BuiltinError::arg(2, "the tolerance must be a non-negative number"));
        }
        let Compared { shape: (ra, ca), a, b, complex } = compared(&*ctx, args)?;
        let mut failures = 0;
        let mut worst: Option<(usize, f64)> = None;
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            if is_close(*x, *y, tol) {
                continue;
            }
            failures += 1;
            let diff = (x - y).norm();
            let diff = if diff.is_nan() { f64::INFINITY } else { diff };
            if worst.is_none_or(|(_, d)| diff > d) {
                worst = Some((k, diff));
            }
        }
        let Some((k, diff)) = worst else {
            return Ok(Value::Nothing);
        };
        let nan = C64::new(f64::NAN, 0.0);
        let x = a.get(k).copied().unwrap_or(nan);
        let y = b.get(k).copied().unwrap_or(nan);
        let message = if ra * ca == 1 {
            format!("assertion failed: {} is not close to {}", show(x, complex), show(y, complex))
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
            show(x, complex),
            show(y, complex),
            format_number(diff),
            format_number(tol)
        )))
    }
}

/// Error kinds that `assert_error` never catches: a run that was stopped, or hit a safety
/// limit, must stop the whole script, whatever the test expected.
const NEVER_CAUGHT: [&str; 4] = ["interrupted", "timeout", "recursion-limit", "limit-exceeded"];

builtin! {
    /// Checks that calling `f()` fails with an error of kind `kind`, and returns its message.
    /// The kind is the name shown in brackets, such as `singular-matrix` or `no-convergence`.
    /// It stops with an `assertion-failed` error if `f()` succeeds or fails with another kind.
    /// An interruption (Ctrl-C) or a safety limit (`timeout`, `recursion-limit`,
    /// `limit-exceeded`) is never caught: it stops the script as usual. Use it in course tests
    /// that check what must not work, such as "must report non-convergence".
    /// ```mml
    /// assert_error(() -> inv([1, 2; 2, 4]), "singular-matrix")   # => the 2×2 matrix is singular
    /// assert_error(() -> [1, 2] * [3, 4], "shape-mismatch")      # => shape mismatch in `*`: 2×1 and 2×1
    /// msg = assert_error(() -> error("bad input"), "user-error")
    /// msg                                                         # => bad input
    /// ```
    pub static ASSERT_ERROR: Check = "assert_error"(f, kind), |ctx, args| {
        let f = args.func(0)?;
        let kind = args.str(1)?;
        if kind.trim().is_empty() || kind.contains(char::is_whitespace) {
            return Err(BuiltinError::arg(1, format!("an error kind is one word such as \"singular-matrix\", found \"{kind}\""))
                .with_help("the kind is the name in brackets at the start of an error, such as `[shape-mismatch]`"));
        }
        let failure = match ctx.call(f, &[]) {
            Ok(v) => {
                return Err(BuiltinError::new(
                    "assertion-failed",
                    format!("assertion failed: expected a `{kind}` error, but the call succeeded"),
                )
                .at_arg(0)
                .with_note(format!("it returned {}", mml_runtime::display::describe(&v))))
            }
            Err(e) => e,
        };
        let (code, message) = match &failure {
            BuiltinError::Message { code, message, .. } => (*code, message.clone()),
            BuiltinError::Raised(e) => (e.code(), e.to_diagnostic().message),
        };
        if NEVER_CAUGHT.contains(&code) {
            return Err(failure);
        }
        if code != kind {
            return Err(BuiltinError::new(
                "assertion-failed",
                format!("assertion failed: expected a `{kind}` error, found a `{code}` error"),
            )
            .at_arg(0)
            .with_note(format!("the error was: {message}")));
        }
        Ok(Value::str(message))
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
