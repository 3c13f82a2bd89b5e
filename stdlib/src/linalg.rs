//! Products and geometry of vectors and matrices: dot, cross, outer and Kronecker products,
//! norms, unit vectors, angles, distances, projections, change of basis and closeness tests.
//!
//! A *vector* argument may be a column (`n×1`), a row (`1×n`), a range or a number (a vector of
//! one element); results that are vectors are columns. New error kind: `zero-vector`, for a
//! direction, unit vector or angle asked of a vector whose length is zero.

use std::rc::Rc;

use mml_runtime::display::{describe, format_number};
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};
use nalgebra::DVector;

use crate::elementwise::{position, Numeric};
use crate::macros::builtin;

// ---------------------------------------------------------------------------------------------
// Argument helpers shared by the linear-algebra modules.

/// The elements of a vector argument, and whether it was a row.
pub(crate) struct Vector {
    /// The elements in order.
    pub(crate) data: DVector<f64>,
    /// Whether the argument was a `1×n` row (with `n > 1`).
    pub(crate) row: bool,
}

/// Argument `i` (called `name` in messages) as a vector: a column, a row, a range or a number.
pub(crate) fn vector_arg(ctx: &dyn CallCtx, args: &Args<'_>, i: usize, name: &str) -> Result<Vector, BuiltinError> {
    let v = args.get(i);
    let m = Numeric::from_value(ctx, v, i)?;
    let (r, c) = m.shape();
    if r > 1 && c > 1 {
        return Err(BuiltinError::arg(i, format!("`{name}` must be a vector, found {}", describe(v)))
            .code("shape-mismatch")
            .with_help("a vector is a column such as [1, 2, 3]; take one column of a matrix with A[:, j]"));
    }
    Ok(Vector { data: DVector::from_column_slice(m.elements()), row: r == 1 && c > 1 })
}

/// Argument `i` as a matrix (numbers are 1×1, ranges columns), within the allocation limit.
pub(crate) fn matrix_arg(ctx: &dyn CallCtx, args: &Args<'_>, i: usize) -> Result<Rc<Matrix>, BuiltinError> {
    Ok(match Numeric::from_value(ctx, args.get(i), i)? {
        Numeric::Scalar(x) => Rc::new(Matrix::from_element(1, 1, x)),
        Numeric::Matrix(m) => m,
    })
}

/// Fails at argument `i` (called `name`) if `m` holds a NaN or an infinity: the iterative and
/// orthogonalising algorithms would silently produce garbage (or never stop) on them.
pub(crate) fn require_finite(m: &Matrix, i: usize, name: &str) -> Result<(), BuiltinError> {
    match m.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(k) => Err(BuiltinError::arg(
            i,
            format!(
                "`{name}` contains {} (element {})",
                format_number(m.as_slice()[k]),
                position(k, m.nrows(), m.ncols())
            ),
        )
        .with_help("this function needs finite numbers; check where the nan or inf came from")),
    }
}

/// A `shape-mismatch` error at argument `i` for two vectors of different lengths.
pub(crate) fn length_mismatch(i: usize, (a, na): (&str, usize), (b, nb): (&str, usize)) -> BuiltinError {
    BuiltinError::arg(i, format!("`{a}` has {na} elements but `{b}` has {nb}"))
        .code("shape-mismatch")
        .with_help("both vectors must have the same number of elements")
}

/// A `zero-vector` error at argument `i`.
pub(crate) fn zero_vector(i: usize, message: impl Into<String>) -> BuiltinError {
    BuiltinError::arg(i, message).code("zero-vector")
}

/// Two vector arguments of the same length.
fn vector_pair(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    (a, b): (&str, &str),
) -> Result<(DVector<f64>, DVector<f64>), BuiltinError> {
    let v = vector_arg(ctx, args, 0, a)?.data;
    let w = vector_arg(ctx, args, 1, b)?.data;
    if v.len() != w.len() {
        return Err(length_mismatch(1, (a, v.len()), (b, w.len())));
    }
    Ok((v, w))
}

/// The Euclidean length of `x`: `sqrt(Σ xᵢ²)` as NumPy computes it, rescaled only when that
/// would overflow or underflow.
pub(crate) fn norm2(x: &[f64]) -> f64 {
    let sum: f64 = x.iter().map(|v| v * v).sum();
    let plain = sum.sqrt();
    if plain.is_nan()
        || (plain.is_finite() && sum >= f64::MIN_POSITIVE)
        || (plain == 0.0 && x.iter().all(|v| *v == 0.0))
    {
        return plain;
    }
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || scale.is_infinite() {
        return scale;
    }
    scale * x.iter().map(|v| (v / scale).powi(2)).sum::<f64>().sqrt()
}

/// The singular values of `m`, in no particular order; `None` when the SVD does not converge
/// (only for finite `m`, which callers check first).
pub(crate) fn singular_values(m: &Matrix) -> Option<DVector<f64>> {
    if m.is_empty() {
        return Some(DVector::zeros(0));
    }
    let max_iterations = 100 * (m.nrows() + m.ncols()).max(100);
    nalgebra::SVD::try_new_unordered(m.clone(), false, false, f64::EPSILON, max_iterations)
        .map(|svd| svd.singular_values)
}

/// The `no-convergence` error of an SVD of argument `i`.
fn svd_failed(i: usize) -> BuiltinError {
    BuiltinError::arg(i, "the singular value decomposition did not converge").code("no-convergence")
}

/// A vector result as a column, or as a row when `row`.
pub(crate) fn oriented(v: DVector<f64>, row: bool) -> Value {
    let n = v.len();
    Value::matrix(if row {
        Matrix::from_row_slice(1, n, v.as_slice())
    } else {
        Matrix::from_column_slice(n, 1, v.as_slice())
    })
}

// ---------------------------------------------------------------------------------------------
// Products.

builtin! {
    /// The dot product `v · w = Σ vᵢ wᵢ` of two vectors of the same length.
    /// Either may be a column or a row; the result is a number.
    /// For two column vectors it equals `v' * w`.
    /// ```mml
    /// dot([1, 2, 3], [4, 5, 6])   # => 32
    /// dot([1, 0], [0, 1])         # => 0
    /// ```
    pub static DOT: Linalg = "dot"(v, w), |ctx, args| {
        if crate::calculus::carries(args) {
            return crate::calculus::bilinear(ctx, args, DOT.run);
        }
        for i in 0..2 {
            if let Some((r, c)) = matches!(args.get(i), Value::Matrix(_)).then(|| args.get(i).shape()).flatten().filter(|(r, c)| *r > 1 && *c > 1) {
                let name = if i == 0 { "v" } else { "w" };
                return Err(BuiltinError::arg(i, format!("`{name}` must be a vector, found a {r}×{c} matrix"))
                    .code("shape-mismatch")
                    .with_help("for matrices use the product A * B, or sum(A .* B) for the sum of element-wise products"));
            }
        }
        let (v, w) = vector_pair(&*ctx, args, ("v", "w"))?;
        Ok(Value::Num(v.dot(&w)))
    }
}

builtin! {
    /// The cross product `a × b` of two 3-vectors.
    /// It is perpendicular to both, with length `|a| |b| sin θ`, following the right-hand rule.
    /// The result is a column (a row when both arguments are rows).
    /// ```mml
    /// cross([1, 0, 0], [0, 1, 0])   # => 3×1 matrix
    ///                               # =>   0
    ///                               # =>   0
    ///                               # =>   1
    /// ```
    pub static CROSS: Linalg = "cross"(a, b), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, CROSS.run, &mut |_| {
                use mml_lang::ast::BinOp::{ElemMul, Sub};
                let (a, b) = (args.get(0), args.get(1));
                let at = |v: &Value, i: usize| mml_runtime::ad::element(v, i);
                let term = |i: usize, j: usize| -> Result<Value, BuiltinError> {
                    let ab = crate::calculus::op(ElemMul, &at(a, i), &at(b, j))?;
                    crate::calculus::op(Sub, &ab, &crate::calculus::op(ElemMul, &at(a, j), &at(b, i))?)
                };
                let parts = [term(1, 2)?, term(2, 0)?, term(0, 1)?];
                let column = mml_runtime::ad::rearrange(&parts, &mut |items| {
                    Ok(Value::column(items.iter().map(|v| v.as_scalar().unwrap_or(f64::NAN)).collect()))
                })?;
                let rows = a.shape().is_some_and(|(r, _)| r == 1) && b.shape().is_some_and(|(r, _)| r == 1);
                if rows { mml_runtime::ad::transposed(&column) } else { Ok(column) }
            });
        }
        let a = vector_arg(&*ctx, args, 0, "a")?;
        let b = vector_arg(&*ctx, args, 1, "b")?;
        for (i, v, name) in [(0, &a, "a"), (1, &b, "b")] {
            if v.data.len() != 3 {
                return Err(BuiltinError::arg(i, format!("the cross product needs 3-vectors, but `{name}` has {} elements", v.data.len()))
                    .code("shape-mismatch")
                    .with_help("for 2-D vectors, the z component `a[1] * b[2] - a[2] * b[1]` is the signed area"));
            }
        }
        Ok(oriented(a.data.cross(&b.data), a.row && b.row))
    }
}

builtin! {
    /// The outer product `v w'` of two vectors: the `n×m` matrix with elements `vᵢ wⱼ`.
    /// Either may be a column or a row.
    /// ```mml
    /// outer([1, 2], [3, 4, 5])   # => 2×3 matrix
    ///                            # =>   3  4   5
    ///                            # =>   6  8  10
    /// ```
    pub static OUTER: Linalg = "outer"(v, w), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, OUTER.run, &mut |_| {
                let v = crate::calculus::as_column(args.get(0))?;
                let w = mml_runtime::ad::transposed(&crate::calculus::as_column(args.get(1))?)?;
                crate::calculus::op(mml_lang::ast::BinOp::Mul, &v, &w)
            });
        }
        let v = vector_arg(&*ctx, args, 0, "v")?.data;
        let w = vector_arg(&*ctx, args, 1, "w")?.data;
        ctx.check_alloc(v.len(), w.len())?;
        Ok(Value::matrix(Matrix::from_fn(v.len(), w.len(), |i, j| v[i] * w[j])))
    }
}

builtin! {
    /// The Kronecker product `A ⊗ B`: every element `aᵢⱼ` of `A` replaced by the block `aᵢⱼ B`.
    /// An `m×n` and a `p×q` matrix give an `mp×nq` matrix.
    /// ```mml
    /// kron(eye(2), [1, 2; 3, 4])   # => 4×4 matrix
    ///                              # =>   1  2  0  0
    ///                              # =>   3  4  0  0
    ///                              # =>   0  0  1  2
    ///                              # =>   0  0  3  4
    /// ```
    pub static KRON: Linalg = "kron"(A, B), |ctx, args| {
        if crate::calculus::carries(args) {
            return crate::calculus::with_tangent(ctx, args, KRON.run, &|v, d| kron_tangent(&v[0], &v[1], &d[0], &d[1]));
        }
        let a = matrix_arg(&*ctx, args, 0)?;
        let b = matrix_arg(&*ctx, args, 1)?;
        let rows = a.nrows().saturating_mul(b.nrows());
        let cols = a.ncols().saturating_mul(b.ncols());
        ctx.check_alloc(rows, cols)?;
        Ok(Value::matrix(a.kronecker(&b)))
    }
}

/// The tangent of `kron(A, B)`: `kron(dA, B) + kron(A, dB)`. Each term is a selection that
/// repeats elements (`kron` with a matrix of ones, which carries the derivative) times a
/// constant: `kron(X, B) = kron(X, 1) .* kron(1, B)`.
fn kron_tangent(a: &Value, b: &Value, da: &Value, db: &Value) -> Result<Value, BuiltinError> {
    use mml_lang::ast::BinOp::{Add, ElemMul};
    let shape = |v: &Value| v.shape().unwrap_or((1, 1));
    let ((m, n), (p, q)) = (shape(a), shape(b));
    // `kron` of a value that may carry a derivative with a constant matrix of ones, on the
    // left or on the right: it only repeats elements.
    let repeat = |x: &Value, (r, c): (usize, usize), ones_first: bool| -> Result<Value, BuiltinError> {
        let ones = Matrix::from_element(r, c, 1.0);
        mml_runtime::ad::rearrange(std::slice::from_ref(x), &mut |items| {
            let x = items[0].to_matrix().ok_or_else(|| BuiltinError::type_error(0, "a number or matrix", &items[0]))?;
            Ok(Value::matrix(if ones_first { ones.kronecker(&x) } else { x.kronecker(&ones) }))
        })
    };
    let left = crate::calculus::op(ElemMul, &repeat(da, (p, q), false)?, &repeat(b, (m, n), true)?)?;
    let right = crate::calculus::op(ElemMul, &repeat(a, (p, q), false)?, &repeat(db, (m, n), true)?)?;
    crate::calculus::op(Add, &left, &right)
}

// ---------------------------------------------------------------------------------------------
// Norms.

/// Which norm `norm` computes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NormKind {
    /// `p`-norm with a finite `p ≥ 1`.
    P(f64),
    /// Largest absolute value (vectors) or largest absolute row sum (matrices).
    Inf,
    /// Frobenius: the 2-norm of all elements.
    Fro,
}

/// Reads the `p` argument of `norm`.
fn norm_kind(args: &Args<'_>, i: usize) -> Result<NormKind, BuiltinError> {
    let help = "use p = 1, 2, inf (or \"inf\"), any p ≥ 1 for vectors, or \"fro\" for matrices";
    match args.get(i) {
        Value::Str(s) => match s.as_str() {
            "fro" => Ok(NormKind::Fro),
            "inf" => Ok(NormKind::Inf),
            other => Err(BuiltinError::arg(i, format!("unknown norm \"{other}\"")).with_help(help)),
        },
        _ => {
            let p = args.num(i).map_err(|e| e.with_help(help))?;
            if p == f64::INFINITY {
                Ok(NormKind::Inf)
            } else if p >= 1.0 && p.is_finite() {
                Ok(NormKind::P(p))
            } else {
                Err(BuiltinError::arg(
                    i,
                    format!("p = {} does not give a norm: p must be at least 1", format_number(p)),
                )
                .with_help(help))
            }
        }
    }
}

/// The `p`-norm of a vector's elements.
fn vector_norm(x: &[f64], kind: NormKind) -> f64 {
    if x.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    match kind {
        NormKind::Inf => x.iter().fold(0.0f64, |m, v| m.max(v.abs())),
        NormKind::Fro => norm2(x),
        NormKind::P(1.0) => x.iter().map(|v| v.abs()).sum(),
        NormKind::P(2.0) => norm2(x),
        NormKind::P(p) => {
            let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if scale == 0.0 || scale.is_infinite() {
                return scale;
            }
            scale * x.iter().map(|v| (v.abs() / scale).powf(p)).sum::<f64>().powf(1.0 / p)
        }
    }
}

builtin! {
    /// The length (norm) of a vector, or a norm of a matrix.
    /// For a vector `v` (column or row): `p = 2` (the default) is the Euclidean length
    /// `sqrt(Σ vᵢ²)`, `p = 1` the sum of absolute values, `p = inf` the largest absolute
    /// value, and any `p ≥ 1` gives `(Σ |vᵢ|^p)^(1/p)`.
    /// For a matrix: `p = 2` is the largest singular value (how much `A` can stretch a unit
    /// vector), `p = 1` the largest absolute column sum, `p = inf` the largest absolute row sum,
    /// and `p = "fro"` the Frobenius norm `sqrt(Σ aᵢⱼ²)`.
    /// `p` may be written as a number or as the strings `"inf"` and `"fro"`.
    /// A NaN anywhere gives NaN.
    /// With an inner-product matrix `A` (symmetric positive definite; see `inner`), the length
    /// of a vector is `sqrt(v' A v)`.
    /// ```mml
    /// norm([3, 4])          # => 5
    /// norm([3, -4], 1)      # => 7
    /// norm([3, -4], inf)    # => 4
    /// norm([3, 0; 0, -5])   # => 5
    /// norm([1, 2; 3, 4], "fro")^2   # => 30
    /// norm([1, 1], A = [9, 0; 0, 16])   # => 5
    /// ```
    pub static NORM: Linalg = "norm"(v, p = 2, A = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, NORM.run, &mut |_| norm_rule(args));
        }
        if !args.is_nothing(2) {
            return crate::inner::norm_under(&*ctx, args);
        }
        let kind = norm_kind(args, 1)?;
        if let (Value::Dual(_), NormKind::P(p)) = (args.get(0), &kind) {
            if *p == 2.0 && args.get(0).shape().is_some_and(|(r, c)| r == 1 || c == 1) {
                // |v|' = v·v' / |v|, through the derivative rules of `dot` and `sqrt`.
                let v = args.get(0).clone();
                let squares = crate::calculus::bilinear(ctx, &Args { values: &[v.clone(), v], nfixed: 2 }, DOT.run)?;
                return crate::math::sqrt_of(&squares);
            }
        }
        let m = Numeric::from_value(&*ctx, args.get(0), 0)?;
        let (r, c) = m.shape();
        let x = m.elements();
        if r <= 1 || c <= 1 {
            return Ok(Value::Num(vector_norm(x, kind)));
        }
        if x.iter().any(|v| v.is_nan()) {
            return Ok(Value::Num(f64::NAN));
        }
        let Numeric::Matrix(a) = &m else { return Ok(Value::Num(vector_norm(x, kind))) };
        let value = match kind {
            NormKind::Fro => norm2(x),
            NormKind::P(1.0) => a.column_iter().map(|col| col.iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max),
            NormKind::Inf => a.row_iter().map(|row| row.iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max),
            NormKind::P(2.0) => {
                if x.iter().any(|v| v.is_infinite()) {
                    f64::INFINITY
                } else {
                    singular_values(a).ok_or_else(|| svd_failed(0))?.iter().fold(0.0, |m: f64, s| m.max(*s))
                }
            }
            NormKind::P(p) => {
                return Err(BuiltinError::arg(1, format!("the {}-norm of a matrix is not supported", format_number(p)))
                    .with_help("for matrices use p = 1, 2, inf or \"fro\"; for the p-norm of all elements use norm(flatten(A), p)"))
            }
        };
        Ok(Value::Num(value))
    }
}

/// `norm(v, p, A)` from operations that carry derivatives. Where the norm picks an element,
/// a column or a row (`inf`, the matrix 1- and inf-norms), the derivative is that of the one
/// picked; the matrix 2-norm is `u' A v` with the top singular vectors of `A` held fixed,
/// whose derivative `u' dA v` is exact when the largest singular value is simple.
fn norm_rule(args: &Args<'_>) -> Result<Value, BuiltinError> {
    use crate::calculus::{length_of, op, pick};
    use mml_lang::ast::BinOp::{ElemMul, ElemPow, Mul};
    let x = args.get(0);
    if !args.is_nothing(2) {
        return length_of(x, args.get(2));
    }
    let kind = norm_kind(args, 1)?;
    let (r, c) = x.shape().unwrap_or((1, 1));
    let plain = mml_runtime::ad::strip(x).to_matrix().unwrap_or_default();
    let abs = crate::complex::abs_of;
    let total = |v: &Value| crate::calculus::sum_all(v);
    let largest =
        |sums: Vec<f64>| sums.iter().enumerate().fold(0, |best, (k, s)| if *s > sums[best] { k } else { best });
    if r <= 1 || c <= 1 {
        return match kind {
            NormKind::P(2.0) | NormKind::Fro => length_of(x, &Value::Nothing),
            NormKind::P(1.0) => total(&abs(x)?),
            NormKind::P(p) => op(ElemPow, &total(&op(ElemPow, &abs(x)?, &Value::Num(p))?)?, &Value::Num(1.0 / p)),
            NormKind::Inf => {
                let k = largest(plain.iter().map(|v| v.abs()).collect());
                abs(&pick(x, &[k], (1, 1))?)
            }
        };
    }
    match kind {
        NormKind::Fro => crate::math::sqrt_of(&total(&op(ElemMul, x, x)?)?),
        NormKind::P(1.0) => {
            let j = largest(plain.column_iter().map(|col| col.iter().map(|v| v.abs()).sum()).collect());
            total(&abs(&pick(x, &(j * r..(j + 1) * r).collect::<Vec<_>>(), (r, 1))?)?)
        }
        NormKind::Inf => {
            let i = largest(plain.row_iter().map(|row| row.iter().map(|v| v.abs()).sum()).collect());
            total(&abs(&pick(x, &(0..c).map(|j| i + j * r).collect::<Vec<_>>(), (1, c))?)?)
        }
        NormKind::P(2.0) => {
            if matches!(x, Value::Dual(d) if matches!(d.v, Value::Dual(_))) {
                return Err(BuiltinError::arg(0, "second derivatives of the matrix 2-norm are not supported")
                    .code("not-differentiable")
                    .with_help("the Frobenius norm norm(A, \"fro\") has them"));
            }
            let svd = crate::solve::svd_of(&plain, false, 0)?;
            let u = Value::matrix(svd.u.columns(0, 1).transpose());
            let v = Value::matrix(svd.v.columns(0, 1).into_owned());
            op(Mul, &op(Mul, &u, x)?, &v)
        }
        NormKind::P(p) => {
            Err(BuiltinError::arg(1, format!("the {}-norm of a matrix is not supported", format_number(p))))
        }
    }
}

builtin! {
    /// The unit vector `v / |v|` pointing the same way as `v`.
    /// The zero vector has no direction: that is a `zero-vector` error.
    /// ```mml
    /// unit([3, 4])   # => 2×1 matrix
    ///                # =>   0.6
    ///                # =>   0.8
    /// norm(unit([1, 2, 2]))   # => 1
    /// ```
    pub static UNIT: Linalg = "unit"(v), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, UNIT.run, &mut |_| {
                let len = crate::calculus::length_of(args.get(0), &Value::Nothing)?;
                crate::calculus::op(mml_lang::ast::BinOp::ElemDiv, args.get(0), &len)
            });
        }
        let v = vector_arg(&*ctx, args, 0, "v")?;
        let len = norm2(v.data.as_slice());
        if len == 0.0 {
            return Err(zero_vector(0, "the zero vector has no direction").with_help("unit(v) needs a vector with a non-zero element"));
        }
        Ok(oriented(v.data / len, v.row))
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry.

/// The length of `v`, or a `zero-vector` error at argument `i` (what the error says `op` needs).
fn nonzero_length(v: &DVector<f64>, i: usize, name: &str, op: &str) -> Result<f64, BuiltinError> {
    let len = norm2(v.as_slice());
    if len == 0.0 {
        return Err(zero_vector(i, format!("`{name}` is the zero vector, which has no {op}")));
    }
    Ok(len)
}

builtin! {
    /// The angle between two vectors in radians, between 0 and pi.
    /// It is the `θ` of `cos θ = v · w / (|v| |w|)`, computed by Kahan's formula
    /// `2 atan2(|a - b|, |a + b|)` with `a = v / |v|` and `b = w / |w|`, which agrees with
    /// `acos` but stays accurate for nearly parallel vectors, where `acos` loses half the
    /// digits (`acos` of a rounded cosine would give `angle([1, 1], [2, 2])` as 2.1e-8, not 0).
    /// A zero vector has no direction, so it has no angle (a `zero-vector` error).
    /// Multiply by `180 / pi` for degrees.
    /// With an inner-product matrix `A` (symmetric positive definite; see `inner`), it is the
    /// angle of `cos θ = ⟨v, w⟩ / (|v| |w|)` with `⟨v, w⟩ = v' A w` and the lengths it gives.
    /// ```mml
    /// angle([1, 0], [0, 1])   # => 1.5707963267948966
    /// angle([1, 1], [2, 2])   # => 0
    /// angle([1, 0], [-1, 0]) == pi   # => true
    /// angle([1, 0], [1, 1]) * 180 / pi   # => 45
    /// angle([1, 1], [-3, 1], [2, -1; -1, 4]) * 180 / pi   # => 90
    /// ```
    pub static ANGLE: Linalg = "angle"(v, w, A = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            // Kahan's formula again, from operations that carry derivatives.
            return crate::calculus::composed(ctx, args, ANGLE.run, &mut |ctx| {
                use mml_lang::ast::BinOp::{Add, ElemDiv, ElemMul, Sub};
                use crate::calculus::{length_of, op};
                let metric = args.get(2);
                let a = op(ElemDiv, args.get(0), &length_of(args.get(0), metric)?)?;
                let b = op(ElemDiv, args.get(1), &length_of(args.get(1), metric)?)?;
                let (a, b) = (crate::calculus::as_column(&a)?, crate::calculus::as_column(&b)?);
                let half = crate::calculus::call(ctx, &crate::math::ATAN2, &[length_of(&op(Sub, &a, &b)?, metric)?, length_of(&op(Add, &a, &b)?, metric)?])?;
                op(ElemMul, &Value::Num(2.0), &half)
            });
        }
        let (v, w) = vector_pair(&*ctx, args, ("v", "w"))?;
        let (v, w) = crate::inner::metric_pair(&*ctx, args, 2, v, w)?;
        let nv = nonzero_length(&v, 0, "v", "direction, so no angle")?;
        let nw = nonzero_length(&w, 1, "w", "direction, so no angle")?;
        let (a, b) = (v / nv, w / nw);
        Ok(Value::Num(2.0 * norm2((&a - &b).as_slice()).atan2(norm2((&a + &b).as_slice()))))
    }
}

builtin! {
    /// The Euclidean distance `|v - w|` between two points given as vectors of the same length.
    /// With an inner-product matrix `A` (symmetric positive definite; see `inner`), it is
    /// `sqrt((v - w)' A (v - w))`.
    /// ```mml
    /// dist([1, 1], [4, 5])   # => 5
    /// dist(2, 7)             # => 5
    /// dist([1, 1], [4, 5], [1, 0; 0, 4])   # => 8.54400374531753
    /// ```
    pub static DIST: Linalg = "dist"(v, w, A = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, DIST.run, &mut |_| {
                let (v, w) = (crate::calculus::as_column(args.get(0))?, crate::calculus::as_column(args.get(1))?);
                crate::calculus::length_of(&crate::calculus::op(mml_lang::ast::BinOp::Sub, &v, &w)?, args.get(2))
            });
        }
        let (v, w) = vector_pair(&*ctx, args, ("v", "w"))?;
        let (v, w) = crate::inner::metric_pair(&*ctx, args, 2, v, w)?;
        Ok(Value::Num(norm2((v - w).as_slice())))
    }
}

builtin! {
    /// The scalar projection of `v` onto the direction of `onto`: `v · u / |u|` for `u = onto`.
    /// It is the signed length of `v`'s shadow along `onto` (negative when the angle is more
    /// than 90°). `onto` must not be the zero vector.
    /// ```mml
    /// scalar_proj([3, 4], [1, 0])    # => 3
    /// scalar_proj([2, 1], [3, 4])    # => 2
    /// ```
    pub static SCALAR_PROJ: Linalg = "scalar_proj"(v, onto), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, SCALAR_PROJ.run, &mut |_| {
                let dot = crate::calculus::inner_of(args.get(0), args.get(1), &Value::Nothing)?;
                crate::calculus::op(mml_lang::ast::BinOp::ElemDiv, &dot, &crate::calculus::length_of(args.get(1), &Value::Nothing)?)
            });
        }
        let (v, u) = vector_pair(&*ctx, args, ("v", "onto"))?;
        let len = nonzero_length(&u, 1, "onto", "direction to project onto")?;
        Ok(Value::Num(v.dot(&u) / len))
    }
}

builtin! {
    /// The vector projection of `v` onto the line of `onto`: `(v · u / u · u) u` for `u = onto`.
    /// The result points along `onto` (a column, or a row when `onto` is a row), and `v` minus it
    /// is perpendicular to `onto`. `onto` must not be the zero vector.
    /// ```mml
    /// vec_proj([2, 1], [3, 4])   # => 2×1 matrix
    ///                            # =>   1.2
    ///                            # =>   1.6
    /// ```
    pub static VEC_PROJ: Linalg = "vec_proj"(v, onto), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, VEC_PROJ.run, &mut |_| {
                use mml_lang::ast::BinOp::{ElemDiv, ElemMul};
                let u = args.get(1);
                let dot = crate::calculus::inner_of(args.get(0), u, &Value::Nothing)?;
                let coefficient = crate::calculus::op(ElemDiv, &dot, &crate::calculus::inner_of(u, u, &Value::Nothing)?)?;
                crate::calculus::op(ElemMul, &coefficient, u)
            });
        }
        let (v, u) = vector_pair(&*ctx, args, ("v", "onto"))?;
        nonzero_length(&u, 1, "onto", "direction to project onto")?;
        let p = (&u * v.dot(&u)) / u.dot(&u);
        Ok(oriented(p, vector_arg(&*ctx, args, 1, "onto")?.row))
    }
}

/// Whether the columns of `b` are mutually orthogonal (to a relative `1e-10`) and non-zero.
fn orthogonal_columns(b: &Matrix) -> bool {
    let norms: Vec<f64> = b.column_iter().map(|c| norm2(c.as_slice())).collect();
    if norms.contains(&0.0) {
        return false;
    }
    for i in 0..b.ncols() {
        for j in i + 1..b.ncols() {
            if b.column(i).dot(&b.column(j)).abs() > 1e-10 * norms[i] * norms[j] {
                return false;
            }
        }
    }
    true
}

/// Fails at argument `i` (called `name`) when the square matrix `b` is singular to working
/// precision (its smallest singular value is below `n·ε` times its largest).
pub(crate) fn require_invertible(b: &Matrix, i: usize, name: &str) -> Result<(), BuiltinError> {
    let s = singular_values(b).ok_or_else(|| svd_failed(i))?;
    let smax = s.iter().fold(0.0f64, |m, x| m.max(*x));
    let smin = s.iter().fold(f64::INFINITY, |m, x| m.min(*x));
    if smax == 0.0 || smin <= b.nrows() as f64 * f64::EPSILON * smax {
        return Err(dependent_basis(i, name, b.nrows()));
    }
    Ok(())
}

/// The `singular-matrix` error for an `n×n` basis `name` (argument `i`) whose columns are
/// dependent.
fn dependent_basis(i: usize, name: &str, n: usize) -> BuiltinError {
    BuiltinError::arg(i, format!("the columns of `{name}` are linearly dependent, so they are not a basis"))
        .code("singular-matrix")
        .with_note(format!("{name} is {n}×{n} but its columns span fewer than {n} dimensions"))
        .with_help("gram_schmidt(B) shows which columns depend on earlier ones: they come out as zero columns")
}

builtin! {
    /// The coordinates of `v` in the basis whose vectors are the columns of `B`.
    /// They are the vector `c` with `B c = v`, so `v = c[1] B[:, 1] + … + c[n] B[:, n]`.
    /// When the columns of `B` are orthogonal, each coordinate is a projection,
    /// `c[i] = v · bᵢ / |bᵢ|²` (the course's method); otherwise the system `B c = v` is solved.
    /// `B` must be square with independent columns (a `singular-matrix` error otherwise).
    /// `v` may also be a matrix with one point per column: each column is converted.
    /// ```mml
    /// change_basis([3, 4], [2, -2; 1, 4])   # => 2×1 matrix
    ///                                       # =>   2
    ///                                       # =>   0.5
    /// change_basis([5, -1], [1, 1; 1, -1])  # => 2×1 matrix
    ///                                       # =>   2
    ///                                       # =>   3
    /// ```
    pub static CHANGE_BASIS: Linalg = "change_basis"(v, B), |ctx, args| {
        let b = matrix_arg(&*ctx, args, 1)?;
        let mut v = matrix_arg(&*ctx, args, 0)?;
        let (n, k) = b.shape();
        if n != k {
            return Err(BuiltinError::arg(1, format!("a basis of ℝ^{n} needs {n} vectors, but B is {n}×{k}"))
                .code("not-square")
                .with_help("for coordinates within a subspace, project onto it with project(v, B) or solve the least-squares problem B \\ v"));
        }
        let row = v.nrows() == 1 && v.ncols() == n && n > 1;
        if row {
            v = Rc::new(v.transpose());
        }
        if v.nrows() != n {
            return Err(BuiltinError::arg(0, format!("`v` has {} elements but the basis vectors have {n}", v.nrows()))
                .code("shape-mismatch")
                .with_help("v and the columns of B must live in the same space"));
        }
        require_finite(&b, 1, "B")?;
        let coords = if orthogonal_columns(&b) {
            let mut c = b.transpose() * &*v;
            for (i, mut r) in c.row_iter_mut().enumerate() {
                r /= b.column(i).norm_squared();
            }
            c
        } else {
            require_invertible(&b, 1, "B")?;
            b.as_ref().clone().lu().solve(&*v).ok_or_else(|| dependent_basis(1, "B", n))?
        };
        Ok(Value::matrix(if row { coords.transpose() } else { coords }))
    }
}

// ---------------------------------------------------------------------------------------------
// Closeness.

/// Reads a tolerance argument: a non-negative number.
fn tolerance(args: &Args<'_>, i: usize) -> Result<f64, BuiltinError> {
    let t = args.num(i)?;
    if t.is_nan() || t < 0.0 {
        return Err(BuiltinError::arg(
            i,
            format!("a tolerance must be a non-negative number, found {}", format_number(t)),
        ));
    }
    Ok(t)
}

builtin! {
    /// Whether every element of `A` is close to the matching element of `B` (NumPy's rule).
    /// The rule is `|a - b| ≤ atol + rtol · |b|`, so `B` is the reference.
    /// The shapes must match, or one side may be a number. NaN is never close to anything;
    /// equal infinities are close. Complex values compare by the modulus of the difference.
    /// ```mml
    /// allclose([1, 2], [1, 2 + 1e-12])   # => true
    /// allclose([1 + 1i, 2], 1 + 1i)      # => false
    /// allclose((1 + 1i)^2, 2i)           # => true
    /// allclose(1e-13, 0)                 # => true
    /// allclose([1, 2], [1, 2.1])         # => false
    /// allclose([1, 2], [1, 2.1], rtol = 0.1)   # => true
    /// ```
    pub static ALLCLOSE: Check = "allclose"(A, B, rtol = 1e-9, atol = 1e-12), |ctx, args| {
        let c = crate::check::compared(&*ctx, args)?;
        let rtol = tolerance(args, 2)?;
        let atol = tolerance(args, 3)?;
        Ok(Value::Bool(c.a.iter().zip(&c.b).all(|(x, y)| crate::check::is_allclose(*x, *y, rtol, atol))))
    }
}

builtin! {
    /// Whether `a` is approximately `b`, element by element.
    /// The test is `|a - b| ≤ tol · max(1, |b|)`: an absolute tolerance near zero and a relative
    /// one for large values.
    /// This is the test `assert_close` makes: two NaNs in the same place count as close here,
    /// and an infinity is close only to the same infinity.
    /// Shapes must match, or one side may be a number (compared with every element).
    /// Complex values compare by the modulus of the difference.
    /// ```mml
    /// approx(0.1 + 0.2, 0.3)        # => true
    /// approx(zeros(2, 2) + 1e-12, 0)   # => true
    /// approx((1 + 2i) * (1 - 2i), 5)   # => true
    /// approx(1e6 + 1e-4, 1e6)       # => true
    /// approx([1, 2], [1, 2.01])     # => false
    /// approx([1, 2], [1, 2.01], 0.01)   # => true
    /// ```
    pub static APPROX: Check = "approx"(a, b, tol = 1e-9), |ctx, args| {
        let c = crate::check::compared(&*ctx, args)?;
        let tol = tolerance(args, 2)?;
        Ok(Value::Bool(c.a.iter().zip(&c.b).all(|(x, y)| crate::check::is_close(*x, *y, tol))))
    }
}

builtin! {
    /// The number of threads the dense kernels use, or sets it.
    /// `threads()` tells; `threads(n)` sets it (a whole number from 1 to 1024) and returns it.
    /// Matrix products, solves,
    /// decompositions (LU, QR, Cholesky, SVD, eigen) and everything built on them (`inv`,
    /// `pca`, `lstsq`, …) run on that many threads once the work passes about two million
    /// multiply-adds; smaller work runs on one. The default is every core of the machine, or
    /// the `MML_THREADS` environment variable, or the `--threads N` option of `mml`.
    /// Products, solves, inverses, determinants and Cholesky give the same bits on any number
    /// of threads; QR, SVD, eigen and least squares may differ in the last bits between
    /// numbers of threads (never between two runs on the same number).
    /// ```mml
    /// n = threads()
    /// threads(1)           # => 1
    /// A = rand(300, 300)
    /// one = A * A
    /// threads(2)           # => 2
    /// A * A == one         # => true
    /// threads(n);
    /// ```
    pub static THREADS: Linalg = "threads"(n = nothing), |_ctx, args| {
        if args.is_nothing(0) {
            return Ok(Value::Num(mml_runtime::kernel::threads() as f64));
        }
        let n = args.num(0)?;
        if !(n >= 1.0 && n.fract() == 0.0 && n <= 1024.0) {
            return Err(BuiltinError::arg(0, format!("the number of threads must be a whole number from 1 to 1024, found {}", mml_runtime::display::format_number(n)))
                .with_help("threads(1) runs the kernels on one thread; threads() tells how many they use"));
        }
        mml_runtime::kernel::set_threads(n as usize);
        Ok(Value::Num(n))
    }
}
