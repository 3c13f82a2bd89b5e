//! Inner products `⟨x, y⟩ = x' A y` for a symmetric positive-definite `A`, the geometry they
//! give to `norm`, `dist`, `angle`, `projection_matrix` and `project` (their `A` argument), and
//! `pairwise_dist` between the rows of two data sets.
//!
//! Under `A = L L'` (Cholesky), `⟨x, y⟩ = (L'x) · (L'y)`: lengths, distances and angles are the
//! Euclidean ones of the transformed vectors `L'x`, which is how they are computed (a length is
//! then never the square root of a slightly negative rounding error). The orthogonal projection
//! onto span(B) under `A` is `P = B (B'AB)⁻¹ B'A`, computed stably as `L'⁻¹ Q Q' L'` from a QR
//! factorisation `L'B = Q R`. `P` is idempotent and self-adjoint for `A` (`A P = P' A`), but
//! not symmetric unless `A` commutes with it.

use mml_runtime::display::describe;
use mml_runtime::kernel;
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};
use nalgebra::DVector;

use crate::decomp::is_symmetric;
use crate::linalg::{length_mismatch, matrix_arg, norm2, require_finite, vector_arg};
use crate::macros::builtin;
use crate::solve::narrow;

/// The Cholesky factor `L` (`A = L L'`) of the inner-product matrix at argument `i`, for
/// vectors with `n` elements: `A` must be `n×n`, finite, symmetric and positive definite.
pub(crate) fn inner_product_factor(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    i: usize,
    n: usize,
) -> Result<Matrix, BuiltinError> {
    let a = matrix_arg(ctx, args, i)?;
    if a.shape() != (n, n) {
        return Err(BuiltinError::arg(
            i,
            format!(
                "the vectors have {n} elements, so the inner-product matrix `A` must be {n}×{n}, but it is {}",
                describe(args.get(i))
            ),
        )
        .code("shape-mismatch")
        .with_help("⟨x, y⟩ = x' A y needs a square A with one row and column per element"));
    }
    require_finite(&a, i, "A")?;
    if !is_symmetric(&a) {
        return Err(BuiltinError::arg(
            i,
            "an inner product needs a symmetric matrix `A`, and this one is not (A' != A)",
        )
        .code("not-symmetric")
        .with_help(
            "⟨x, y⟩ = x' A y must equal ⟨y, x⟩, which needs A' = A; (A + A') / 2 is the nearest symmetric matrix",
        ));
    }
    kernel::cholesky(&a).ok_or_else(|| {
        BuiltinError::arg(i, "an inner product needs a positive-definite matrix `A`, and this one is not")
            .code("not-positive-definite")
            .with_note("positive definite means x' A x > 0 for every x ≠ 0: every eigenvalue is positive")
            .with_help("check the eigenvalues with eigh(A); B' * B + eye(n) is positive definite for any B")
    })
}

/// `v` and `w` in the coordinates of the inner product at argument `i` (`L'v`, `L'w`), or
/// unchanged when that argument is absent: Euclidean lengths, distances and angles of the
/// results are those of the inner product.
pub(crate) fn metric_pair(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    i: usize,
    v: DVector<f64>,
    w: DVector<f64>,
) -> Result<(DVector<f64>, DVector<f64>), BuiltinError> {
    if args.is_nothing(i) {
        return Ok((v, w));
    }
    let l = inner_product_factor(ctx, args, i, v.len())?;
    let lt = l.transpose();
    Ok((&lt * v, &lt * w))
}

builtin! {
    /// The inner product `⟨x, y⟩ = x' A y` for a symmetric positive-definite matrix `A`.
    /// Without `A` it is the dot product `x · y`. `A` must be symmetric (a `not-symmetric`
    /// error otherwise) and positive definite, `x' A x > 0` for every `x ≠ 0` (a
    /// `not-positive-definite` error otherwise): then `⟨·, ·⟩` is an inner product, and `norm`,
    /// `dist`, `angle`, `projection_matrix` and `project` accept the same `A` for the lengths,
    /// distances, angles and projections it defines.
    /// ```mml
    /// A = [2, 1; 1, 2]
    /// inner([1, 0], [0, 1], A)    # => 1
    /// inner([1, 1], [1, 1], A)    # => 6
    /// inner([1, 2], [3, 4])       # => 11
    /// norm([1, 1], A = A)^2       # => 5.999999999999999
    /// angle([1, 0], [0, 1], A = A) * 180 / pi   # => 60.00000000000001
    /// ```
    pub static INNER: Linalg = "inner"(x, y, A = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, INNER.run, &mut |_| crate::calculus::inner_of(args.get(0), args.get(1), args.get(2)));
        }
        let x = vector_arg(&*ctx, args, 0, "x")?.data;
        let y = vector_arg(&*ctx, args, 1, "y")?.data;
        if x.len() != y.len() {
            return Err(length_mismatch(1, ("x", x.len()), ("y", y.len())));
        }
        if args.is_nothing(2) {
            return Ok(Value::Num(x.dot(&y)));
        }
        inner_product_factor(&*ctx, args, 2, x.len())?;
        let a = matrix_arg(&*ctx, args, 2)?;
        Ok(Value::Num(x.dot(&(&*a * &y))))
    }
}

/// `pairwise_dist` from operations that carry derivatives: `|x|² - 2 x·y + |y|²`, and its
/// square root, whose derivative is taken as 0 where a distance is 0 (like `abs` at 0).
fn pairwise_rule(args: &Args<'_>) -> Result<Value, BuiltinError> {
    use crate::calculus::op;
    use mml_lang::ast::BinOp::{Add, ElemMul, Mul, Sub};
    let x = args.get(0);
    let y = if args.is_nothing(1) { x } else { args.get(1) };
    let squares = |m: &Value| {
        let cols = m.shape().map_or(1, |(_, c)| c);
        op(Mul, &op(ElemMul, m, m)?, &Value::matrix(Matrix::from_element(cols, 1, 1.0)))
    };
    let (sx, sy) = (squares(x)?, squares(y)?);
    let cross = op(Mul, x, &mml_runtime::ad::transposed(y)?)?;
    let ones = |r: usize, c: usize| Value::matrix(Matrix::from_element(r, c, 1.0));
    let (n, m) = (sx.shape().map_or(1, |(r, _)| r), sy.shape().map_or(1, |(r, _)| r));
    let spread = op(Add, &op(Mul, &sx, &ones(1, m))?, &op(Mul, &ones(n, 1), &mml_runtime::ad::transposed(&sy)?)?)?;
    let d2 = op(Sub, &spread, &op(ElemMul, &Value::Num(2.0), &cross)?)?;
    if args.bool(2)? {
        return Ok(d2);
    }
    let zero = mml_runtime::ad::strip(&d2).to_matrix().unwrap_or_default().map(|v| f64::from(u8::from(v <= 0.0)));
    let zero = Value::matrix(zero);
    let positive = op(Add, &d2, &zero)?;
    op(Sub, &crate::math::sqrt_of(&positive)?, &zero)
}

/// `norm(v, p, A)` with an inner-product matrix: `sqrt(v' A v)`, for vectors and `p = 2` only.
pub(crate) fn norm_under(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<Value, BuiltinError> {
    if args.get(1).as_scalar() != Some(2.0) {
        return Err(BuiltinError::arg(1, "an inner-product matrix `A` gives the length sqrt(v' A v): p must be 2")
            .with_help("leave out p when giving A"));
    }
    let v = vector_arg(ctx, args, 0, "v")?.data;
    let l = inner_product_factor(ctx, args, 2, v.len())?;
    Ok(Value::Num(norm2((l.transpose() * v).as_slice())))
}

/// An orthonormal basis `Q` (in the coordinates `L'x`) of `L' B` for the basis argument `bi`,
/// whose columns must be independent.
fn transformed_basis(ctx: &dyn CallCtx, args: &Args<'_>, bi: usize, l: &Matrix) -> Result<Matrix, BuiltinError> {
    let b = matrix_arg(ctx, args, bi)?;
    require_finite(&b, bi, "B")?;
    let (n, k) = b.shape();
    if k > n {
        return Err(BuiltinError::arg(
            bi,
            format!("`B` has {k} columns in ℝ^{n}: at most {n} of them can be independent"),
        )
        .code("singular-matrix")
        .with_note("so B'AB is singular and B (B'AB)⁻¹ B'A does not exist"));
    }
    let bt = l.transpose() * &*b;
    let (q, r) = kernel::qr(&bt, false);
    for j in 0..k {
        let len = norm2(bt.column(j).as_slice());
        if len == 0.0 || r[(j, j)].abs() <= 1e-10 * len {
            return Err(BuiltinError::arg(
                bi,
                format!("column {} of `B` is a combination of the columns before it (or zero)", j + 1),
            )
            .code("singular-matrix")
            .with_note("the columns of B are linearly dependent, so B'AB is singular")
            .with_help("drop that column: the other columns span the same subspace"));
        }
    }
    Ok(q)
}

/// Reads the basis `B` (argument `bi`) and the inner product `A` (argument `ai`): `L` and `Q`.
fn projection_parts(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    bi: usize,
    ai: usize,
) -> Result<(Matrix, Matrix), BuiltinError> {
    let n = matrix_arg(ctx, args, bi)?.nrows();
    let l = inner_product_factor(ctx, args, ai, n)?;
    let q = transformed_basis(ctx, args, bi, &l)?;
    Ok((l, q))
}

/// `L'⁻¹ M` for lower-triangular `L` with a positive diagonal.
fn solve_lt(l: &Matrix, m: Matrix) -> Matrix {
    l.tr_solve_lower_triangular(&m).unwrap_or(m)
}

/// `projection_matrix(B, A)`: `B (B'AB)⁻¹ B'A`.
pub(crate) fn projection_matrix_under(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<Value, BuiltinError> {
    let (l, q) = projection_parts(ctx, args, 0, 1)?;
    ctx.check_alloc(l.nrows(), l.nrows())?;
    let inner = &q * (q.transpose() * l.transpose());
    Ok(Value::matrix(solve_lt(&l, inner)))
}

/// `project(x, B, A)`: `B (B'AB)⁻¹ B'A x`, for a vector or the columns of a matrix `x`.
pub(crate) fn project_under(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<Value, BuiltinError> {
    let (l, q) = projection_parts(ctx, args, 1, 2)?;
    let n = l.nrows();
    let mut x = matrix_arg(ctx, args, 0)?.as_ref().clone();
    let row = x.nrows() == 1 && x.ncols() == n && n > 1;
    if row {
        x = x.transpose();
    }
    if x.nrows() != n {
        return Err(BuiltinError::arg(
            0,
            format!("`x` has {} rows but the columns of `B` have {n} elements", x.nrows()),
        )
        .code("shape-mismatch")
        .with_help("x and the columns of B must live in the same space; several points go in as the columns of x"));
    }
    let p = solve_lt(&l, &q * (q.transpose() * (l.transpose() * x)));
    Ok(Value::matrix(if row { p.transpose() } else { p }))
}

// ---------------------------------------------------------------------------------------------
// Distances between data sets.

/// The squared row norms of `x`.
fn row_norms2(x: &Matrix) -> Vec<f64> {
    let mut out = vec![0.0; x.nrows()];
    for col in x.column_iter() {
        for (o, v) in out.iter_mut().zip(col.iter()) {
            *o += v * v;
        }
    }
    out
}

/// The squared Euclidean distances between the rows of `x` (`n×d`) and of `y` (`m×d`), as an
/// `n×m` matrix: `|x|² - 2 x·y + |y|²` through one matrix product, with every entry small
/// enough for that cancellation to matter (below 1e-4 of `|x|² + |y|²`) recomputed directly.
/// When `same` (`y` is `x`), the diagonal is exactly 0 and the result exactly symmetric.
pub(crate) fn sq_dists(x: &Matrix, y: &Matrix, same: bool) -> Matrix {
    let nx = row_norms2(x);
    let ny = if same { nx.clone() } else { row_norms2(y) };
    let g = kernel::matmul(x, &y.transpose());
    let (n, m) = g.shape();
    let mut d = Matrix::zeros(n, m);
    for j in 0..m {
        for i in 0..n {
            if same && i > j {
                break;
            }
            let scale = nx[i] + ny[j];
            let mut v = (nx[i] + ny[j] - 2.0 * g[(i, j)]).max(0.0);
            if v <= 1e-4 * scale || !v.is_finite() {
                v = (0..x.ncols()).map(|k| (x[(i, k)] - y[(j, k)]).powi(2)).sum();
            }
            d[(i, j)] = v;
        }
    }
    if same {
        for j in 0..m {
            d[(j, j)] = 0.0;
            for i in j + 1..n {
                d[(i, j)] = d[(j, i)];
            }
        }
    }
    d
}

builtin! {
    /// The Euclidean distances between every row of `X` and every row of `Y`, as a matrix.
    /// For `X` with `N` rows (points) and `Y` with `M` rows of the same length, element `(i, j)`
    /// is `dist(X[i, :], Y[j, :])`. Without `Y`, the distances among the rows of `X` (`N×N`,
    /// symmetric, zero diagonal). Computed without loops as `|x|² - 2 x·y + |y|²` (one matrix
    /// product), with entries close to zero recomputed directly so they keep their accuracy.
    /// `squared = true` returns squared distances.
    /// ```mml
    /// X = [0, 0; 3, 4]
    /// pairwise_dist(X)                 # => 2×2 matrix
    ///                                  # =>   0  5
    ///                                  # =>   5  0
    /// pairwise_dist(X, [0, 1; 6, 8])   # => 2×2 matrix
    ///                                  # =>   1        10
    ///                                  # =>   4.24264   5
    /// ```
    pub static PAIRWISE_DIST: Stats = "pairwise_dist"(X, Y = nothing, squared = false), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, PAIRWISE_DIST.run, &mut |_| pairwise_rule(args));
        }
        let x = matrix_arg(&*ctx, args, 0)?;
        let same = args.is_nothing(1);
        let y = if same { x.clone() } else { matrix_arg(&*ctx, args, 1)? };
        if x.ncols() != y.ncols() {
            return Err(BuiltinError::arg(1, format!("the rows of `X` have {} elements but those of `Y` have {}", x.ncols(), y.ncols()))
                .code("shape-mismatch")
                .with_help("points are rows: both data sets need the same number of columns (features)"));
        }
        ctx.check_alloc(x.nrows(), y.nrows())?;
        let mut d = sq_dists(&x, &y, same);
        if !args.bool(2)? {
            d.iter_mut().for_each(|v| *v = v.sqrt());
        }
        Ok(narrow(d))
    }
}
