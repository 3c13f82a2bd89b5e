//! Principal component analysis: `pca`, `pca_transform` and `pca_reconstruct`.
//!
//! For a data set `X` (`N` observations as rows, `D` features as columns), with mean `μ` and
//! centred data `Xc = X - μ`, the principal components are the eigenvectors of the covariance
//! `S = Xc' Xc / N` with the largest eigenvalues. Three routes compute them:
//!
//! - `"cov"`: the eigenvectors of the `D×D` covariance (only one triangle of `Xc' Xc` is
//!   computed, then `eigh`);
//! - `"high_dim"`: for `N < D` (the course's "PCA for high-dimensional data"), the eigenvectors
//!   `v` of the `N×N` matrix `K = Xc Xc' / N`, which has the same non-zero eigenvalues, mapped
//!   back by `u = Xc' v / |Xc' v|`. Components beyond the rank of `Xc` (zero variance) are an
//!   orthonormal completion by Gram–Schmidt on the standard basis vectors;
//! - `"svd"`: the right singular vectors of `Xc` (`values = σ² / N`), the most accurate route.
//!
//! `"auto"` (the default) takes `"cov"` when `N ≥ D` and `"high_dim"` otherwise.
//!
//! **Sign convention**: each component is a unit vector whose first clearly non-zero element
//! (larger than `1e-10` times its largest) is positive, as `eigh`'s eigenvectors, so every route
//! gives the same components (up to rounding) and the course's "flip so the first element is
//! non-negative" comparison holds.
//!
//! Memory: the `"cov"` route never stores the centred data whole (it centres blocks of rows
//! for the covariance and the scores); the other two make one centred copy and free it before
//! the reconstruction is built. So `pca` holds at most two `N×D` matrices: the input and one
//! more.

use std::rc::Rc;

use mml_runtime::display::describe;
use mml_runtime::kernel;
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Record, Value};
use nalgebra::{DMatrixView, Dyn};

use crate::linalg::{matrix_arg, require_finite};
use crate::macros::builtin;
use crate::moments::{blocks, blocks_of, centred_gram, column_means, subtract_row, ROW_BLOCK, SMALL_DIM};
use crate::solve::{narrow, normalise_signs};

/// `X Xᵀ` for an `n×d` matrix: only the lower triangle, by blocks of columns of the result, each
/// one GEMM on views (`X[j.., :]` and a strided view of `X[j..j+w, :]ᵀ`), then mirrored.
fn outer_gram(x: &Matrix) -> Matrix {
    let (n, d) = x.shape();
    if n <= SMALL_DIM || d <= SMALL_DIM {
        return x * x.transpose();
    }
    let mut k = Matrix::zeros(n, n);
    for (j, w) in blocks(n) {
        let rows_t: DMatrixView<'_, f64, Dyn, Dyn> =
            DMatrixView::from_slice_with_strides_generic(&x.as_slice()[j..], Dyn(d), Dyn(w), Dyn(n), Dyn(1));
        let mut out = k.view_mut((j, j), (n - j, w));
        out.gemm(1.0, &x.rows(j, n - j), &rows_t, 0.0);
    }
    for j in 0..n {
        for i in 0..j {
            k[(i, j)] = k[(j, i)];
        }
    }
    k
}

/// The top `k` eigenpairs (descending) of a symmetric matrix read from its lower triangle.
fn top_eigen(s: &Matrix, k: usize) -> Result<(Vec<f64>, Matrix), BuiltinError> {
    let (w, v) = crate::solve::eigh_of(s, 0)?;
    let n = w.len();
    let values: Vec<f64> = (0..k).map(|i| w[n - 1 - i]).collect();
    let vectors = Matrix::from_fn(s.nrows(), k, |r, c| v[(r, n - 1 - c)]);
    Ok((values, vectors))
}

/// Extends the orthonormal columns `u[:, ..good]` to `k` orthonormal columns with the standard
/// basis vectors that have the largest components outside their span (Gram–Schmidt, twice).
fn complete_basis(u: &mut Matrix, good: usize) {
    let (d, k) = u.shape();
    let mut have = good;
    let mut candidate = 0;
    while have < k && candidate < d {
        let mut v = nalgebra::DVector::zeros(d);
        v[candidate] = 1.0;
        for _ in 0..2 {
            for j in 0..have {
                let c = u.column(j).dot(&v);
                v.axpy(-c, &u.column(j), 1.0);
            }
        }
        let len = v.norm();
        if len > 0.5 {
            u.set_column(have, &(v / len));
            have += 1;
        }
        candidate += 1;
    }
}

/// The principal analysis of `x` (mean `mu`) by `method`.
struct Analysis {
    /// `D×k`, unit columns, signs normalised.
    components: Matrix,
    /// The variances along them (clamped at 0).
    values: Vec<f64>,
    /// The total variance.
    total: f64,
    /// `(X - mu) * components`.
    scores: Matrix,
}

/// `(X - 1 μ) U`, centring blocks of rows into a buffer (no centred copy of the whole data).
fn centred_product(x: &Matrix, mu: &Matrix, u: &Matrix) -> Matrix {
    let (n, d) = x.shape();
    let mut out = Matrix::zeros(n, u.ncols());
    for (i0, r) in blocks_of(n, ROW_BLOCK) {
        let mut data = Vec::with_capacity(r * d);
        for (j, col) in x.as_slice().chunks(n.max(1)).enumerate() {
            let m = mu[j];
            data.extend(col[i0..i0 + r].iter().map(|v| v - m));
        }
        let block = Matrix::from_vec(r, d, data);
        out.rows_mut(i0, r).copy_from(&kernel::matmul(&block, u));
    }
    out
}

/// The principal components of `x` (mean `mu`) by `method`, and the scores.
fn analyse(x: &Matrix, mu: &Matrix, k: usize, method: &str) -> Result<Analysis, BuiltinError> {
    let (n, d) = x.shape();
    let nf = n as f64;
    let finish = |mut u: Matrix, mut values: Vec<f64>, total: f64, scores: Option<Matrix>| {
        normalise_signs(&mut u);
        values.iter_mut().for_each(|l| *l = l.max(0.0));
        let scores = match scores {
            Some(xc) => kernel::matmul(&xc, &u),
            None => centred_product(x, mu, &u),
        };
        Analysis { components: u, values, total, scores }
    };
    Ok(match method {
        "cov" => {
            // The covariance from blocks of centred rows: no centred copy of the data.
            let s = centred_gram(x, Some(mu)) / nf;
            let total = s.trace();
            let (values, u) = top_eigen(&s, k)?;
            finish(u, values, total, None)
        }
        "high_dim" => {
            let xc = subtract_row(x, mu);
            let kk = outer_gram(&xc) / nf;
            let total = kk.trace();
            let (values, v) = top_eigen(&kk, k)?;
            // u = Xcᵀ v, as (vᵀ Xc)ᵀ: no transposed copy of the data.
            let mut u = kernel::matmul(&v.transpose(), &xc).transpose();
            let big = values.first().copied().unwrap_or(0.0).max(0.0);
            let tol = n.max(d) as f64 * f64::EPSILON * big;
            let good = values.iter().take_while(|l| **l > tol).count();
            for mut col in u.column_iter_mut().take(good) {
                let len = col.norm();
                col /= len;
            }
            complete_basis(&mut u, good);
            finish(u, values, total, Some(xc))
        }
        _ => {
            let xc = subtract_row(x, mu);
            let svd = crate::solve::svd_of(&xc, false, 0)?;
            let values: Vec<f64> = (0..k).map(|i| svd.s.get(i).map_or(0.0, |s| s * s / nf)).collect();
            let total = svd.s.iter().map(|s| s * s).sum::<f64>() / nf;
            let mut u = Matrix::zeros(d, k);
            let r = svd.v.ncols().min(k);
            u.columns_mut(0, r).copy_from(&svd.v.columns(0, r));
            complete_basis(&mut u, r);
            finish(u, values, total, Some(xc))
        }
    })
}

/// Reads the `method` argument.
fn method_arg(args: &Args<'_>, i: usize, n: usize, d: usize) -> Result<&'static str, BuiltinError> {
    match args.str(i)? {
        "auto" => Ok(if n >= d { "cov" } else { "high_dim" }),
        "cov" => Ok("cov"),
        "high_dim" => Ok("high_dim"),
        "svd" => Ok("svd"),
        other => Err(BuiltinError::arg(i, format!("unknown PCA method \"{other}\""))
            .with_help("use method = \"auto\", \"cov\" (eigenvectors of the D×D covariance), \"high_dim\" (the N×N route for N < D) or \"svd\"")),
    }
}

builtin! {
    /// Principal component analysis of a data set with one observation per row.
    /// `pca(X, k)` finds the `k` orthonormal directions of largest variance (default: all
    /// `min(N, D)`) and returns a record with
    /// `components` (`D×k`, one unit direction per column, largest variance first),
    /// `values` (a column of their variances: the top eigenvalues of `cov(X)`, dividing by `N`;
    /// a number when `k = 1`),
    /// `explained_ratio` (each value over the total variance),
    /// `mean` (the `1×D` mean that was subtracted),
    /// `scores` (`N×k`: the centred data in the new coordinates, `(X - mean) * components`) and
    /// `reconstruction` (`N×D`: `scores * components' + mean`, the projection of each
    /// observation onto the principal subspace).
    /// Each component's first clearly non-zero element is positive (as for `eigh`). With
    /// `method = "auto"` the eigenvectors of the `D×D` covariance are used when `N ≥ D`, and
    /// those of the `N×N` matrix `Xc Xc' / N` when `N < D` (much smaller, for example for
    /// images); `"cov"`, `"high_dim"` and `"svd"` choose a route explicitly.
    /// `reconstruct = false` leaves out the `reconstruction` field (an `N×D` matrix as large as
    /// the data) when only the components and scores are needed.
    /// ```mml
    /// X = [1, 2; 3, 4; 5, 7]
    /// r = pca(X, 1)
    /// round(r.values, 6)        # => 6.867316
    /// round(r.components, 6)    # => 2×1 matrix
    ///                           # =>   0.621599
    ///                           # =>   0.783336
    /// round(r.explained_ratio, 6)   # => 0.996868
    /// allclose(pca(X).reconstruction, X)   # => true
    /// ```
    pub static PCA: Stats = "pca"(X, k = nothing, method = str "auto", reconstruct = true), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let x = matrix_arg(&*ctx, args, 0)?;
        let (n, d) = x.shape();
        if n == 0 || d == 0 {
            return Err(BuiltinError::arg(0, format!("PCA needs at least one observation and one feature, found {}", describe(args.get(0)))));
        }
        let kmax = n.min(d);
        let k = if args.is_nothing(1) { kmax } else { args.count(1)? };
        if k == 0 || k > kmax {
            return Err(BuiltinError::arg(1, format!("k must be between 1 and min(N, D) = {kmax}, found {k}"))
                .with_help(format!("X has {n} observations (rows) and {d} features (columns)")));
        }
        let method = method_arg(args, 2, n, d)?;
        ctx.check_alloc(n, d)?;
        let reconstruct = args.bool(3)?;
        let mu = column_means(&x);
        // A NaN or infinity anywhere makes its column's mean non-finite: only then look for it
        // (a finite sum proves every element finite, and saves a pass over the data).
        if mu.iter().any(|m| !m.is_finite()) {
            require_finite(&x, 0, "X")?;
        }
        let Analysis { components: u, values, total, scores } = analyse(&x, &mu, k, method)?;
        drop(x);
        let ratio: Vec<f64> = values.iter().map(|l| if total > 0.0 { l / total } else { 0.0 }).collect();
        let mut fields = vec![
            ("components", Value::matrix(u.clone())),
            ("values", narrow(Matrix::from_vec(k, 1, values))),
            ("explained_ratio", narrow(Matrix::from_vec(k, 1, ratio))),
            ("mean", Value::matrix(mu.clone())),
        ];
        // Peak memory: the input, one centred copy only for the N×N and SVD routes (freed by
        // now), and the reconstruction.
        let recon = reconstruct.then(|| {
            let mut recon = kernel::matmul(&scores, &u.transpose());
            for (j, col) in recon.as_mut_slice().chunks_mut(n).enumerate() {
                let m = mu[j];
                col.iter_mut().for_each(|v| *v += m);
            }
            recon
        });
        fields.push(("scores", Value::matrix(scores)));
        if let Some(r) = recon {
            fields.push(("reconstruction", Value::matrix(r)));
        }
        Ok(Value::Record(Rc::new(Record::from_pairs(fields))))
    }
}

/// The `components` (`D×k`) and `mean` (`1×D`) of a PCA record at argument `i`.
fn model(args: &Args<'_>, i: usize) -> Result<(Rc<Matrix>, Rc<Matrix>), BuiltinError> {
    let bad = || {
        BuiltinError::type_error(i, "the record returned by pca", args.get(i))
            .with_help("r = pca(X, k) gives the model; then pca_transform(r, Y) or pca_reconstruct(r, Z)")
    };
    let Value::Record(r) = args.get(i) else { return Err(bad()) };
    let field = |r: &Record, name: &str| match r.get(name) {
        Some(Value::Matrix(m)) => Some(m.clone()),
        Some(Value::Num(x)) => Some(Rc::new(Matrix::from_element(1, 1, *x))),
        _ => None,
    };
    let (Some(c), Some(mu)) = (field(r, "components"), field(r, "mean")) else { return Err(bad()) };
    if mu.len() != c.nrows() {
        return Err(bad());
    }
    Ok((c, mu))
}

/// Argument `i` as observations (rows) of `width` columns; a vector of `width` elements
/// (`width > 1`) is one observation.
fn observations(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    i: usize,
    width: usize,
    what: &str,
) -> Result<Matrix, BuiltinError> {
    let m = matrix_arg(ctx, args, i)?;
    if width > 1 && m.len() == width && (m.nrows() == 1 || m.ncols() == 1) {
        return Ok(Matrix::from_row_slice(1, width, m.as_slice()));
    }
    if m.ncols() != width {
        return Err(BuiltinError::arg(i, format!("expected rows of {width} {what}, found {}", describe(args.get(i))))
            .code("shape-mismatch")
            .with_help("observations are rows, with one column per feature as in the data given to pca"));
    }
    Ok(m.as_ref().clone())
}

builtin! {
    /// The coordinates of observations in a PCA model's components: `(X - mean) * components`.
    /// `model` is the record returned by `pca`; `X` has one observation per row with the
    /// original features (a single observation may be a vector). For the data `pca` was given
    /// this is its `scores`.
    /// ```mml
    /// r = pca([1, 2; 3, 4; 5, 7], 1)
    /// allclose(pca_transform(r, [1, 2; 3, 4; 5, 7]), r.scores)   # => true
    /// round(pca_transform(r, [3, 4]), 6)                         # => -0.261112
    /// ```
    pub static PCA_TRANSFORM: Stats = "pca_transform"(model, X), |ctx, args| {
        let (c, mu) = model(args, 0)?;
        let x = observations(&*ctx, args, 1, c.nrows(), "features")?;
        let xc = subtract_row(&x, &mu);
        Ok(narrow(kernel::matmul(&xc, &c)))
    }
}

builtin! {
    /// Observations rebuilt from their PCA coordinates: `Z * components' + mean`.
    /// `model` is the record returned by `pca`; `Z` has one row of `k` coordinates per
    /// observation (a single one may be a vector). `pca_reconstruct(r, pca_transform(r, X))`
    /// projects `X` onto the principal subspace.
    /// ```mml
    /// X = [1, 2; 3, 4; 5, 7]
    /// r = pca(X, 1)
    /// allclose(pca_reconstruct(r, r.scores), r.reconstruction)   # => true
    /// ```
    pub static PCA_RECONSTRUCT: Stats = "pca_reconstruct"(model, Z), |ctx, args| {
        let (c, mu) = model(args, 0)?;
        let z = observations(&*ctx, args, 1, c.ncols(), "coordinates")?;
        let mut out = kernel::matmul(&z, &c.transpose());
        let n = out.nrows();
        if n > 0 {
            for (j, col) in out.as_mut_slice().chunks_mut(n).enumerate() {
                let m = mu[j];
                col.iter_mut().for_each(|v| *v += m);
            }
        }
        Ok(narrow(out))
    }
}

#[cfg(test)]
mod tests;
