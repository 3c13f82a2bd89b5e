//! Applying number functions element-wise to numbers, matrices and ranges, with broadcasting.

use std::rc::Rc;

use mml_runtime::display::{describe, format_number};
use mml_runtime::{BuiltinError, CallCtx, Matrix, Value};

/// A numeric argument: a number (numbers and bools) or a matrix (matrices and ranges, which
/// become columns).
pub(crate) enum Numeric {
    /// A plain number: results stay numbers.
    Scalar(f64),
    /// A matrix: results are matrices of the same shape.
    Matrix(Rc<Matrix>),
}

impl Numeric {
    /// Reads argument `arg` (only for error messages) from `v`, materialising ranges within
    /// the allocation limit.
    pub(crate) fn from_value(ctx: &dyn CallCtx, v: &Value, arg: usize) -> Result<Numeric, BuiltinError> {
        match v {
            Value::Num(x) => Ok(Numeric::Scalar(*x)),
            Value::Bool(b) => Ok(Numeric::Scalar(f64::from(u8::from(*b)))),
            Value::Matrix(m) => Ok(Numeric::Matrix(m.clone())),
            Value::Range(r) => {
                ctx.check_alloc(r.len(), 1).map_err(|e| e.at_arg(arg))?;
                Ok(Numeric::Matrix(Rc::new(r.to_column())))
            }
            other => Err(BuiltinError::type_error(arg, "a number or matrix", other)),
        }
    }

    /// The shape, numbers being 1×1.
    pub(crate) fn shape(&self) -> (usize, usize) {
        match self {
            Numeric::Scalar(_) => (1, 1),
            Numeric::Matrix(m) => m.shape(),
        }
    }

    /// The elements in column-major order.
    pub(crate) fn elements(&self) -> &[f64] {
        match self {
            Numeric::Scalar(x) => std::slice::from_ref(x),
            Numeric::Matrix(m) => m.as_slice(),
        }
    }
}

/// Applies `f` to a number, or to every element of a matrix or range (giving a matrix of the
/// same shape; ranges give columns). Anything else is a type error at argument `arg`.
pub(crate) fn map_elementwise(
    ctx: &dyn CallCtx,
    v: &Value,
    arg: usize,
    f: impl Fn(f64) -> f64,
) -> Result<Value, BuiltinError> {
    Ok(match Numeric::from_value(ctx, v, arg)? {
        Numeric::Scalar(x) => Value::Num(f(x)),
        Numeric::Matrix(m) => Value::matrix(m.map(f)),
    })
}

/// Fails with a `domain-error` at argument `arg` if some element of `v` is outside the domain
/// of the real function `name` (`ok` is false for it); `what` describes such a value
/// ("a negative number").
pub(crate) fn check_domain(
    ctx: &dyn CallCtx,
    v: &Value,
    arg: usize,
    name: &str,
    ok: impl Fn(f64) -> bool,
    what: &str,
) -> Result<(), BuiltinError> {
    let n = Numeric::from_value(ctx, v, arg)?;
    let (rows, _) = n.shape();
    let bad = n.elements().iter().position(|x| !ok(*x));
    match (bad, &n) {
        (None, _) => Ok(()),
        (Some(_), Numeric::Scalar(x)) => Err(domain_error(arg, format!("{name} of {what} ({})", format_number(*x)))),
        (Some(k), Numeric::Matrix(m)) => {
            let x = n.elements().get(k).copied().unwrap_or(f64::NAN);
            Err(domain_error(
                arg,
                format!("{name} of {what}: element {} is {}", position(k, rows, m.ncols()), format_number(x)),
            ))
        }
    }
    .map_err(|e| e.with_note("MML's numbers are real; complex results are not supported yet"))
}

/// A `domain-error` at argument `arg`.
pub(crate) fn domain_error(arg: usize, message: String) -> BuiltinError {
    BuiltinError::arg(arg, message).code("domain-error")
}

/// The 1-based position of column-major element `k` in a `rows × cols` matrix, as users
/// write it: `3` in a vector, `(2, 1)` otherwise.
pub(crate) fn position(k: usize, rows: usize, cols: usize) -> String {
    if cols == 1 || rows == 1 {
        format!("{}", k + 1)
    } else {
        format!("({}, {})", k % rows.max(1) + 1, k / rows.max(1) + 1)
    }
}

/// The shape of `a op b` under broadcasting: equal shapes; a 1×1 against anything; a column
/// (`n×1`) against an `n×m` matrix; a row (`1×m`) against an `n×m` matrix. A column against a
/// row is not broadcast (it would silently build an outer product).
pub(crate) fn broadcast_shape(a: (usize, usize), b: (usize, usize)) -> Option<(usize, usize)> {
    if a == b || b == (1, 1) {
        Some(a)
    } else if a == (1, 1) {
        Some(b)
    } else if a.0 == b.0 && (a.1 == 1 || b.1 == 1) {
        Some((a.0, a.1.max(b.1)))
    } else if a.1 == b.1 && (a.0 == 1 || b.0 == 1) {
        Some((a.0.max(b.0), a.1))
    } else {
        None
    }
}

/// Applies `f` element-wise to two numeric values with broadcasting (see [`broadcast_shape`]).
/// Two numbers give a number. Shapes that do not broadcast are a `shape-mismatch` at `arg_b`.
pub(crate) fn zip_elementwise(
    ctx: &dyn CallCtx,
    (a, arg_a): (&Value, usize),
    (b, arg_b): (&Value, usize),
    f: impl Fn(f64, f64) -> f64,
) -> Result<Value, BuiltinError> {
    let x = Numeric::from_value(ctx, a, arg_a)?;
    let y = Numeric::from_value(ctx, b, arg_b)?;
    match (&x, &y) {
        (Numeric::Scalar(p), Numeric::Scalar(q)) => return Ok(Value::Num(f(*p, *q))),
        (Numeric::Scalar(p), Numeric::Matrix(m)) => return Ok(Value::matrix(m.map(|q| f(*p, q)))),
        (Numeric::Matrix(m), Numeric::Scalar(q)) => return Ok(Value::matrix(m.map(|p| f(p, *q)))),
        (Numeric::Matrix(_), Numeric::Matrix(_)) => {}
    }
    let (sa, sb) = (x.shape(), y.shape());
    let Some((rows, cols)) = broadcast_shape(sa, sb) else {
        return Err(BuiltinError::arg(arg_b, format!("cannot combine {} with {}", describe(a), describe(b)))
            .code("shape-mismatch")
            .with_help("give two matrices of the same shape, or a number, a row or a column matching the other"));
    };
    ctx.check_alloc(rows, cols)?;
    let at = |n: &Numeric, (r, c): (usize, usize), i: usize, j: usize| -> f64 {
        let (i, j) = (if r == 1 { 0 } else { i }, if c == 1 { 0 } else { j });
        n.elements().get(i + j * r).copied().unwrap_or(f64::NAN)
    };
    Ok(Value::matrix(Matrix::from_fn(rows, cols, |i, j| f(at(&x, sa, i, j), at(&y, sb, i, j)))))
}
