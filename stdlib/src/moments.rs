//! Second moments of data sets and what the course does with them: `cov`, `corr`, `center`,
//! `standardize`, the affine rules `affine_mean` / `affine_cov`, and `mse`.
//!
//! Data sets have one observation per row (see `stats.rs` for the dimension rule). Covariances
//! divide by `N` by default (the course's and `np.cov(..., bias=True)`'s convention), with
//! `ddof = 1` for `N - 1`.
//!
//! `(X - μ)ᵀ (X - μ)` is computed by [`centred_gram`]: only the lower triangle, from blocks of
//! centred rows, each block column one matrix product on views (no transposed copy and no
//! centred copy of the whole data set), then mirrored.

use std::rc::Rc;

use mml_runtime::display::{describe, format_number};
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};
use nalgebra::{DMatrixView, Dyn};

use crate::linalg::{matrix_arg, vector_arg};
use crate::macros::builtin;
use crate::solve::narrow;
use crate::stats::{dim_arg, mean_of, var_of, Dim};

/// Columns per block of the lower-triangular products ([`centred_gram`] and PCA's `X Xᵀ`).
/// Measured on the W8 data (20000×784, one thread, matrixmultiply): 0.23 s for the covariance
/// with 128-column blocks, 0.25 s with 256, 0.38 s as one full product, 0.8 s for
/// `transpose() * X` and 10 s for nalgebra's `tr_mul`.
pub(crate) const GRAM_BLOCK: usize = 128;

/// nalgebra hands a product to matrixmultiply (which honours any strides) only when every
/// dimension exceeds 5; its fallback for smaller ones mis-indexes views whose row stride is not
/// 1, so the strided views below are only multiplied when all dimensions exceed this.
pub(crate) const SMALL_DIM: usize = 5;

/// Rows per block in [`centred_gram`]: the centred rows of one block (1024×784 doubles for
/// the W8 benchmark, 6.4 MB) are the only copy of the data it makes (512 to 4096 measured
/// within 5% of each other; the whole 20000 rows at once was 25% slower).
pub(crate) const ROW_BLOCK: usize = 1024;

/// Splits `0..len` into blocks of `size`, the last absorbing a remainder that would be too
/// short for a strided product.
pub(crate) fn blocks_of(len: usize, size: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut j = 0;
    while j < len {
        let w = if len - j <= size + SMALL_DIM { len - j } else { size };
        out.push((j, w));
        j += w;
    }
    out
}

/// The widths of the column blocks of a `d`-wide product (see [`GRAM_BLOCK`]).
pub(crate) fn blocks(d: usize) -> Vec<(usize, usize)> {
    blocks_of(d, GRAM_BLOCK)
}

/// `Xcᵀ Xc` for the centred data `Xc = X - 1 μ` (`μ` a `1×d` row; no centring when `None`),
/// computing only the lower triangle (half the work of a full product) and mirroring it.
///
/// The centred data is never stored whole: blocks of [`ROW_BLOCK`] rows are centred into one
/// buffer, and each adds its contribution `Bᵀ B` block column by block column: for columns
/// `j..j+w`, `B[:, j..]ᵀ B[:, j..j+w]` is one GEMM on views, `B[:, j..]ᵀ` a strided view of the
/// buffer (no transposed copy).
pub(crate) fn centred_gram(x: &Matrix, mu: Option<&Matrix>) -> Matrix {
    let (n, d) = x.shape();
    let shift = |j: usize| mu.map_or(0.0, |m| m[j]);
    if n <= SMALL_DIM || d <= SMALL_DIM {
        // Small: dot products of the centred columns (exactly symmetric).
        let xc = Matrix::from_fn(n, d, |i, j| x[(i, j)] - shift(j));
        return xc.tr_mul(&xc);
    }
    let mut c = Matrix::zeros(d, d);
    let rows = blocks_of(n, ROW_BLOCK);
    let most = rows.iter().map(|(_, r)| *r).max().unwrap_or(0);
    let mut buf = vec![0.0; most * d];
    for (i0, r) in rows {
        for j in 0..d {
            let m = shift(j);
            let src = &x.as_slice()[j * n + i0..j * n + i0 + r];
            for (dst, v) in buf[j * r..(j + 1) * r].iter_mut().zip(src) {
                *dst = v - m;
            }
        }
        let block = DMatrixView::from_slice(&buf[..r * d], r, d);
        for (j, w) in blocks(d) {
            let bt: DMatrixView<'_, f64, Dyn, Dyn> =
                DMatrixView::from_slice_with_strides_generic(&buf[j * r..r * d], Dyn(d - j), Dyn(r), Dyn(r), Dyn(1));
            c.view_mut((j, j), (d - j, w)).gemm(1.0, &bt, &block.columns(j, w), 1.0);
        }
    }
    for j in 0..d {
        for i in 0..j {
            c[(i, j)] = c[(j, i)];
        }
    }
    c
}

/// The column means of `x` as a `1×d` row (zeros for no rows).
pub(crate) fn column_means(x: &Matrix) -> Matrix {
    let n = x.nrows();
    Matrix::from_fn(1, x.ncols(), |_, j| if n == 0 { 0.0 } else { mean_of(&x.as_slice()[j * n..(j + 1) * n]) })
}

/// `x` with the row `mu` subtracted from every row: one new matrix, written in one pass.
pub(crate) fn subtract_row(x: &Matrix, mu: &Matrix) -> Matrix {
    let (n, d) = x.shape();
    let mut data = Vec::with_capacity(n * d);
    if n > 0 {
        for (j, col) in x.as_slice().chunks(n).enumerate() {
            let m = mu[j];
            data.extend(col.iter().map(|v| v - m));
        }
    }
    Matrix::from_vec(n, d, data)
}

/// The data matrix argument `i`: a matrix with one observation per row (a vector is one
/// feature, whatever its orientation: `n` observations).
fn data_matrix(ctx: &dyn CallCtx, args: &Args<'_>, i: usize) -> Result<Rc<Matrix>, BuiltinError> {
    let v = args.get(i);
    if matches!(v, Value::Complex(_) | Value::CMatrix(_)) {
        return Err(BuiltinError::type_error(i, "a real matrix", v));
    }
    let m = matrix_arg(ctx, args, i)?;
    Ok(if m.nrows() == 1 && m.ncols() > 1 && matches!(v, Value::Matrix(_)) { Rc::new(m.transpose()) } else { m })
}

/// `cov(X, ddof)` from operations that carry derivatives: `Xc' Xc / (n - ddof)` with `Xc` the
/// centred data (a vector is one variable, its observations in a column).
fn covariance_rule(ctx: &mut dyn CallCtx, x: &Value, ddof: f64) -> Result<Value, BuiltinError> {
    use mml_lang::ast::BinOp::{ElemDiv, Mul, Sub};
    let x = crate::calculus::as_column(x)?;
    let n = x.shape().map_or(1, |(r, _)| r);
    let m = crate::calculus::call(ctx, &crate::stats::MEAN, &[x.clone(), Value::Num(1.0)])?;
    let xc = crate::calculus::op(Sub, &x, &m)?;
    let gram = crate::calculus::op(Mul, &mml_runtime::ad::transposed(&xc)?, &xc)?;
    crate::calculus::op(ElemDiv, &gram, &Value::Num(n as f64 - ddof))
}

/// The covariance matrix of the rows of `x` with divisor `n - ddof`.
pub(crate) fn covariance(x: &Matrix, ddof: f64) -> Matrix {
    let mu = column_means(x);
    centred_gram(x, Some(&mu)) / (x.nrows() as f64 - ddof)
}

/// Reads `ddof` (argument `i`) for `n` observations.
fn ddof_for(args: &Args<'_>, i: usize, n: usize) -> Result<f64, BuiltinError> {
    let d = args.num(i)?;
    if !(d >= 0.0 && d.is_finite()) {
        return Err(BuiltinError::arg(i, format!("ddof must be a non-negative number, found {}", format_number(d))));
    }
    if d >= n as f64 {
        return Err(BuiltinError::arg(
            0,
            format!(
                "a covariance with ddof = {} needs more than {} observations (rows), found {n}",
                format_number(d),
                format_number(d)
            ),
        )
        .with_help("observations are the rows of X; for one variable given as a row, transpose it"));
    }
    Ok(d)
}

builtin! {
    /// The covariance matrix of a data set with one observation per row.
    /// For `N` observations of `d` features it is the `d×d` matrix
    /// `(X - mean(X))' * (X - mean(X)) / N`: the population covariance, as the course defines
    /// it (NumPy's `np.cov(X, rowvar=False, bias=True)`). `ddof = 1` divides by `N - 1`. A
    /// vector is `N` observations of one variable and gives its variance (a number).
    /// Only one triangle of `X'X` is computed; the result is exactly symmetric.
    /// ```mml
    /// cov([0, 1; 1, 2; 0, 1; 1, 2])   # => 2×2 matrix
    ///                                 # =>   0.25  0.25
    ///                                 # =>   0.25  0.25
    /// cov([0, 1; 2, 3])               # => 2×2 matrix
    ///                                 # =>   1  1
    ///                                 # =>   1  1
    /// cov([1, 2, 3, 4])               # => 1.25
    /// cov([1, 2, 3, 4], ddof = 1)     # => 1.6666666666666667
    /// ```
    pub static COV: Stats = "cov"(X, ddof = 0), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, COV.run, &mut |ctx| covariance_rule(ctx, args.get(0), args.num(1)?));
        }
        let x = data_matrix(&*ctx, args, 0)?;
        let ddof = ddof_for(args, 1, x.nrows())?;
        ctx.check_alloc(x.nrows(), x.ncols())?;
        Ok(narrow(covariance(&x, ddof)))
    }
}

builtin! {
    /// The correlation matrix of a data set with one observation per row (Pearson's r).
    /// Element `(i, j)` is `cov(X)[i, j] / (std_i std_j)`: 1 on the diagonal, between -1 and 1
    /// elsewhere. A feature that never varies has no correlation: its row and column are `nan`
    /// (NumPy's `corrcoef` gives the same, with a warning).
    /// ```mml
    /// corr([1, 2; 2, 4; 3, 7])   # => 2×2 matrix
    ///                            # =>   1       0.9934
    ///                            # =>   0.9934  1
    /// ```
    pub static CORR: Stats = "corr"(X), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, CORR.run, &mut |ctx| {
                use mml_lang::ast::BinOp::{ElemDiv, Mul};
                let c = covariance_rule(ctx, args.get(0), 0.0)?;
                let d = c.shape().map_or(1, |(r, _)| r);
                let diagonal: Vec<usize> = (0..d).map(|i| i * d + i).collect();
                let s = crate::math::sqrt_of(&crate::calculus::pick(&c, &diagonal, (d, 1))?)?;
                let scale = crate::calculus::op(Mul, &s, &mml_runtime::ad::transposed(&s)?)?;
                crate::calculus::op(ElemDiv, &c, &scale)
            });
        }
        let x = data_matrix(&*ctx, args, 0)?;
        if x.nrows() == 0 {
            return Err(BuiltinError::arg(0, "the correlation of no observations is undefined")
                .with_help("observations are the rows of X"));
        }
        ctx.check_alloc(x.nrows(), x.ncols())?;
        let c = covariance(&x, 0.0);
        let d = c.nrows();
        let s: Vec<f64> = (0..d).map(|i| c[(i, i)].sqrt()).collect();
        let r = Matrix::from_fn(d, d, |i, j| {
            if s[i] == 0.0 || s[j] == 0.0 {
                f64::NAN
            } else if i == j {
                1.0
            } else {
                (c[(i, j)] / s[i] / s[j]).clamp(-1.0, 1.0)
            }
        });
        Ok(narrow(r))
    }
}

/// The centred copy of argument 0 along `dim` (see `stats.rs`), and the means subtracted.
fn centred(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<(Matrix, Dim), BuiltinError> {
    let v = args.get(0);
    if matches!(v, Value::Complex(_) | Value::CMatrix(_)) {
        return Err(BuiltinError::type_error(0, "a real matrix", v));
    }
    let x = matrix_arg(ctx, args, 0)?;
    let dim = dim_arg(args, 1, x.shape())?;
    if x.is_empty() {
        return Ok((x.as_ref().clone(), dim));
    }
    if dim == Dim::Down {
        return Ok((subtract_row(&x, &column_means(&x)), dim));
    }
    let mut out = x.as_ref().clone();
    let (r, c) = out.shape();
    match dim {
        Dim::All => {
            let m = mean_of(out.as_slice());
            out.iter_mut().for_each(|v| *v -= m);
        }
        Dim::Down => {}
        Dim::Across => {
            for i in 0..r {
                let row: Vec<f64> = out.row(i).iter().copied().collect();
                let m = mean_of(&row);
                for j in 0..c {
                    out[(i, j)] -= m;
                }
            }
        }
    }
    Ok((out, dim))
}

builtin! {
    /// The data with its mean subtracted: `X - mean(X)`, each feature (column) centred at 0.
    /// The dimension rule is `mean`'s: a vector loses its mean, a matrix the mean of each column
    /// (`dim = 2`: of each row). This is the first step of PCA.
    /// ```mml
    /// center([0, 0; 1, 1; 2, 2])   # => 3×2 matrix
    ///                              # =>   -1  -1
    ///                              # =>    0   0
    ///                              # =>    1   1
    /// center([1, 2, 6])'           # => 1×3 matrix
    ///                              # =>   -2  -1  3
    /// ```
    pub static CENTER: Stats = "center"(X, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, CENTER.run, &mut |ctx| {
                let m = crate::calculus::call(ctx, &crate::stats::MEAN, &[args.get(0).clone(), args.get(1).clone()])?;
                crate::calculus::op(mml_lang::ast::BinOp::Sub, args.get(0), &m)
            });
        }
        Ok(Value::matrix(centred(&*ctx, args)?.0))
    }
}

builtin! {
    /// The data in standard units: each feature centred and divided by its standard deviation.
    /// Every column of the result has mean 0 and (population) standard deviation 1. A column
    /// that never varies (standard deviation 0) is only centred, to zeros, as in the course:
    /// its standard deviation is taken as 1 instead of dividing by zero. The dimension rule is
    /// `mean`'s; `ddof = 1` uses the sample standard deviation.
    /// ```mml
    /// standardize([1, 5; 2, 5; 3, 5])   # => 3×2 matrix
    ///                                   # =>   -1.22474  0
    ///                                   # =>    0        0
    ///                                   # =>    1.22474  0
    /// ```
    pub static STANDARDIZE: Stats = "standardize"(X, dim = nothing, ddof = 0), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, STANDARDIZE.run, &mut |ctx| {
                use mml_lang::ast::BinOp::{Add, ElemDiv, Sub};
                let (x, dim) = (args.get(0).clone(), args.get(1).clone());
                let m = crate::calculus::call(ctx, &crate::stats::MEAN, &[x.clone(), dim.clone()])?;
                let s = crate::calculus::call(ctx, &crate::stats::STD, &[x.clone(), dim, args.get(2).clone()])?;
                // A lane that never varies is only centred: its scale is taken as 1.
                let flat = mml_runtime::ad::strip(&s).to_matrix().unwrap_or_default().map(|v| f64::from(u8::from(v == 0.0)));
                let safe = crate::calculus::op(Add, &s, &mml_runtime::Value::matrix(flat))?;
                crate::calculus::op(ElemDiv, &crate::calculus::op(Sub, &x, &m)?, &safe)
            });
        }
        let (mut z, dim) = centred(&*ctx, args)?;
        let (r, c) = z.shape();
        let n = dim.lane_len((r, c));
        let ddof = args.num(2)?;
        if !(ddof >= 0.0 && ddof.is_finite()) || (n > 0 && ddof >= n as f64) {
            return Err(BuiltinError::arg(2, format!("ddof must be a non-negative number below the number of observations ({n}), found {}", format_number(ddof))));
        }
        if z.is_empty() {
            return Ok(Value::matrix(z));
        }
        let mut buf = Vec::new();
        let mut scale = |x: &mut [f64]| {
            let s = var_of(x, ddof, &mut buf).sqrt();
            let s = if s == 0.0 { 1.0 } else { s };
            x.iter_mut().for_each(|v| *v /= s);
        };
        match dim {
            Dim::All => scale(z.as_mut_slice()),
            Dim::Down => z.as_mut_slice().chunks_mut(r).for_each(scale),
            Dim::Across => {
                for i in 0..r {
                    let mut row: Vec<f64> = z.row(i).iter().copied().collect();
                    scale(&mut row);
                    for (j, v) in row.into_iter().enumerate() {
                        z[(i, j)] = v;
                    }
                }
            }
        }
        Ok(Value::matrix(z))
    }
}

/// Argument `i` as a square matrix whose side matches `n` (the length of the mean or the side
/// of the covariance).
fn transform_arg(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    i: usize,
    n: usize,
    what: &str,
) -> Result<Rc<Matrix>, BuiltinError> {
    let a = matrix_arg(ctx, args, i)?;
    if a.ncols() != n {
        return Err(BuiltinError::arg(i, format!("`A` is {}×{} but {what} has {n} elements", a.nrows(), a.ncols()))
            .code("shape-mismatch")
            .with_help(format!("A must have one column per element of {what}, so that A * x makes sense")));
    }
    Ok(a)
}

builtin! {
    /// The mean of the data after the affine map `x ↦ A x + b`: `A μ + b`.
    /// If the data set has mean `μ`, the transformed data `X * A' + b'` (each observation mapped)
    /// has mean `A μ + b`. `mu` and `b` may be rows or columns; the result has `mu`'s
    /// orientation, so `affine_mean(mean(X), A, b)` is a row like `mean(X)`. `b` defaults to 0.
    /// ```mml
    /// affine_mean([2, 2], [0, 1; 2, 3], [1, 1])   # => 2×1 matrix
    ///                                             # =>    3
    ///                                             # =>   11
    /// ```
    pub static AFFINE_MEAN: Stats = "affine_mean"(mu, A, b = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, AFFINE_MEAN.run, &mut |_| {
                use mml_lang::ast::BinOp::{Add, Mul};
                let mut out = crate::calculus::op(Mul, args.get(1), &crate::calculus::as_column(args.get(0))?)?;
                if !args.is_nothing(2) {
                    out = crate::calculus::op(Add, &out, &crate::calculus::as_column(args.get(2))?)?;
                }
                let row = args.get(0).shape().is_some_and(|(r, c)| r == 1 && c > 1);
                if row { mml_runtime::ad::transposed(&out) } else { Ok(out) }
            });
        }
        let mu = vector_arg(&*ctx, args, 0, "mu")?;
        let a = transform_arg(&*ctx, args, 1, mu.data.len(), "mu")?;
        let mut out = &*a * &mu.data;
        if !args.is_nothing(2) {
            let b = vector_arg(&*ctx, args, 2, "b")?.data;
            if b.len() != out.len() {
                return Err(BuiltinError::arg(2, format!("`b` has {} elements but A * mu has {}", b.len(), out.len()))
                    .code("shape-mismatch")
                    .with_help("b must have one element per row of A"));
            }
            out += b;
        }
        let n = out.len();
        Ok(if mu.row { Value::matrix(Matrix::from_row_slice(1, n, out.as_slice())) } else { Value::matrix(Matrix::from_column_slice(n, 1, out.as_slice())) })
    }
}

builtin! {
    /// The covariance of the data after the affine map `x ↦ A x + b`: `A S A'`.
    /// If the data set has covariance `S`, the transformed data `X * A' + b'` has covariance
    /// `A S A'`. The shift `b` does not change a covariance; it is accepted (and ignored) so
    /// that calls mirror `affine_mean`.
    /// ```mml
    /// affine_cov(2 * eye(2), [0, 1; 2, 3], [1, 1])   # => 2×2 matrix
    ///                                                # =>   2   6
    ///                                                # =>   6  26
    /// ```
    pub static AFFINE_COV: Stats = "affine_cov"(S, A, b = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, AFFINE_COV.run, &mut |_| {
                use mml_lang::ast::BinOp::{Add, ElemMul, Mul};
                let a = args.get(1);
                let m = crate::calculus::op(Mul, &crate::calculus::op(Mul, a, args.get(0))?, &mml_runtime::ad::transposed(a)?)?;
                let sym = crate::calculus::op(Add, &m, &mml_runtime::ad::transposed(&m)?)?;
                crate::calculus::op(ElemMul, &Value::Num(0.5), &sym)
            });
        }
        let s = matrix_arg(&*ctx, args, 0)?;
        if s.nrows() != s.ncols() {
            return Err(BuiltinError::arg(0, format!("a covariance matrix is square, but `S` is {}", describe(args.get(0))))
                .code("not-square"));
        }
        let a = transform_arg(&*ctx, args, 1, s.nrows(), "the side of S")?;
        if !args.is_nothing(2) {
            let b = vector_arg(&*ctx, args, 2, "b")?.data;
            if b.len() != a.nrows() {
                return Err(BuiltinError::arg(2, format!("`b` has {} elements but A has {} rows", b.len(), a.nrows()))
                    .code("shape-mismatch"));
            }
        }
        let out = &*a * &*s * a.transpose();
        Ok(narrow((&out + out.transpose()) * 0.5))
    }
}

builtin! {
    /// The mean squared error between two data sets, observation by observation.
    /// It is the average over observations (rows) of the squared distance `|aᵢ - bᵢ|²`.
    /// For vectors (one value per observation) this is the usual `mean((a - b).^2)`. For data
    /// matrices it is the course's reconstruction error `mean(sum((X - X̃).^2, dim = 2))`;
    /// divide by `cols(X)` for the mean over every element. `A` and `B` must have the same
    /// shape.
    /// ```mml
    /// mse([1, 2, 3], [1, 2, 5])          # => 1.3333333333333333
    /// mse([0, 0; 1, 1], [0, 1; 1, 3])    # => 2.5
    /// ```
    pub static MSE: Stats = "mse"(A, B), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::composed(ctx, args, MSE.run, &mut |_| {
                use mml_lang::ast::BinOp::{ElemDiv, ElemMul, Sub};
                let vector = |v: &Value| v.shape().is_some_and(|(r, c)| r == 1 || c == 1);
                let (a, b) = (args.get(0), args.get(1));
                let (a, b, rows) = if vector(a) && vector(b) {
                    let n = a.shape().map_or(1, |(r, c)| r * c);
                    (crate::calculus::as_column(a)?, crate::calculus::as_column(b)?, n)
                } else {
                    (a.clone(), b.clone(), a.shape().map_or(1, |(r, _)| r))
                };
                let diff = crate::calculus::op(Sub, &a, &b)?;
                let total = crate::calculus::sum_all(&crate::calculus::op(ElemMul, &diff, &diff)?)?;
                crate::calculus::op(ElemDiv, &total, &Value::Num(rows as f64))
            });
        }
        let a = matrix_arg(&*ctx, args, 0)?;
        let b = matrix_arg(&*ctx, args, 1)?;
        let vector = |m: &Matrix| m.nrows() == 1 || m.ncols() == 1;
        let same = a.shape() == b.shape() || (vector(&a) && vector(&b) && a.len() == b.len());
        if !same {
            return Err(BuiltinError::arg(1, format!("cannot compare {} with {}", describe(args.get(0)), describe(args.get(1))))
                .code("shape-mismatch")
                .with_help("both data sets need the same number of observations (rows) and features (columns)"));
        }
        let rows = if vector(&a) { a.len() } else { a.nrows() };
        if rows == 0 {
            return Err(BuiltinError::arg(0, "the mean squared error of no observations is undefined"));
        }
        let sq: Vec<f64> = a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).collect();
        Ok(Value::Num(crate::stats::pairwise_sum(&sq) / rows as f64))
    }
}
