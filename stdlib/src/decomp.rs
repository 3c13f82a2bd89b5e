//! Matrix factorisations returned as records: `lu` ({L, U, P}), `qr` ({Q, R}), `chol` (L) and
//! `svd` ({U, S, V}), each destructurable: `U, S, V = svd(A)`.

use mml_runtime::kernel;
use mml_runtime::{BuiltinError, Matrix, Value};

use crate::macros::builtin;
use crate::solve::{finite_matrix, normalise_signs, record, square_matrix, svd_of};

/// Whether `a` is symmetric within a relative tolerance of `1e-10·max|a|` (computed matrices
/// such as `X' * X` are symmetric only up to rounding).
pub(crate) fn is_symmetric(a: &Matrix) -> bool {
    let big = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let tol = 1e-10 * big;
    let n = a.nrows();
    (0..n).all(|i| (0..i).all(|j| (a[(i, j)] - a[(j, i)]).abs() <= tol))
}

/// The `not-symmetric` error for argument `arg`.
pub(crate) fn not_symmetric(arg: usize, name: &str) -> BuiltinError {
    BuiltinError::arg(arg, format!("`{name}` needs a symmetric matrix, and this one is not (A' != A)"))
        .code("not-symmetric")
        .with_help("(A + A') / 2 is the nearest symmetric matrix; eig(A) works for any square matrix")
}

builtin! {
    /// The LU factorisation with partial pivoting, `P A = L U`.
    /// It returns `{L, U, P}` with `L` unit lower
    /// triangular (every multiplier at most 1 in size), `U` upper triangular, `P` a
    /// permutation matrix (the row swaps). Works for any shape: for `m×n`, `L` is `m×k` and `U`
    /// is `k×n` with `k = min(m, n)`. A singular matrix factors too (a zero appears on `U`'s
    /// diagonal).
    /// ```mml
    /// L, U, P = lu([1, 2; 3, 4])
    /// L        # => 2×2 matrix
    ///          # =>   1        0
    ///          # =>   0.33333  1
    /// U        # => 2×2 matrix
    ///          # =>   3  4
    ///          # =>   0  0.66667
    /// P        # => 2×2 matrix
    ///          # =>   0  1
    ///          # =>   1  0
    /// ```
    pub static LU: Solve = "lu"(A), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 2.0)?;
        let a = finite_matrix(args, 0)?;
        let f = kernel::lu(&a);
        Ok(record([("L", Value::matrix(f.l())), ("U", Value::matrix(f.u())), ("P", Value::matrix(f.p()))]))
    }
}

builtin! {
    /// The QR factorisation `A = Q R`.
    /// Computed by Householder reflections, it returns `{Q, R}` with `Q` with
    /// orthonormal columns and `R` upper triangular. Thin by default (`Q` is `m×k`, `R` is `k×n`,
    /// `k = min(m, n)`); `full = true` gives a square orthogonal `Q` (`m×m`) and `R` `m×n`.
    /// `R`'s diagonal may be negative, so `Q` can differ from Gram-Schmidt's in the signs of
    /// its columns.
    /// ```mml
    /// Q, R = qr([3, 0; 4, 5])
    /// R                 # => 2×2 matrix
    ///                   # =>   -5  -4
    ///                   # =>    0   3
    /// round(Q' * Q, 12)   # => 2×2 matrix
    ///                     # =>   1  0
    ///                     # =>   0  1
    /// size(qr(ones(3, 1), full = true).Q)   # => 1×2 matrix
    ///                                       # =>   3  3
    /// ```
    pub static QR: Solve = "qr"(A, full = false), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 4.0)?;
        let a = finite_matrix(args, 0)?;
        let full = args.bool(1)?;
        if full {
            ctx.check_alloc(a.nrows(), a.nrows()).map_err(|e| e.at_arg(0))?;
        }
        let (q, r) = kernel::qr(&a, full);
        Ok(record([("Q", Value::matrix(q)), ("R", Value::matrix(r))]))
    }
}

builtin! {
    /// The Cholesky factor `L` of a symmetric positive-definite matrix, `A = L L'`.
    /// `L` is lower triangular with a positive diagonal (NumPy's convention; `L'` is the upper
    /// factor).
    /// A matrix that is not symmetric is a `not-symmetric` error; one that is not positive
    /// definite (an eigenvalue ≤ 0) is a `not-positive-definite` error.
    /// ```mml
    /// chol([4, 2; 2, 3])   # => 2×2 matrix
    ///                      # =>   2  0
    ///                      # =>   1  1.41421
    /// ```
    pub static CHOL: Solve = "chol"(A), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 1.0)?;
        let a = square_matrix(args, 0, "chol")?;
        if !is_symmetric(&a) {
            return Err(not_symmetric(0, "chol"));
        }
        kernel::cholesky(&a).map(Value::matrix).ok_or_else(|| {
            BuiltinError::arg(0, "the matrix is not positive definite")
                .code("not-positive-definite")
                .with_help("a symmetric matrix is positive definite when all its eigenvalues are > 0: check eigh(A)")
        })
    }
}

builtin! {
    /// The singular value decomposition `A = U diag(S) V'`.
    /// It returns `{U, S, V}` with `S` a column of
    /// the singular values in descending order and `U`, `V` with orthonormal columns.
    /// Thin by default (`U` is `m×k`, `V` is `n×k`, `k = min(m, n)`); `full = true` gives square
    /// `U` (`m×m`) and `V` (`n×n`). Each pair of singular vectors is signed so that the first
    /// non-zero component of `U`'s column is positive. Entries near the ends of the
    /// floating-point range are handled by an exact power-of-two scaling; singular values beyond
    /// the largest double are a `not-finite` error.
    /// ```mml
    /// U, S, V = svd([3, 2, 2; 2, 3, -2])
    /// round(S, 12)      # => 2×1 matrix
    ///                   # =>   5
    ///                   # =>   3
    /// norm(U * diag(S) * V' - [3, 2, 2; 2, 3, -2]) < 1e-14   # => true
    /// ```
    pub static SVD: Solve = "svd"(A, full = false), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let a = finite_matrix(args, 0)?;
        let full = args.bool(1)?;
        if full {
            let big = a.nrows().max(a.ncols());
            ctx.check_alloc(big, big).map_err(|e| e.at_arg(0))?;
        }
        let mut svd = svd_of(&a, full, 0)?;
        sign_pairs(&mut svd.u, &mut svd.v, svd.s.len());
        Ok(record([
            ("U", Value::matrix(svd.u)),
            ("S", Value::column(svd.s)),
            ("V", Value::matrix(svd.v)),
        ]))
    }
}

/// Signs the first `k` singular-vector pairs together (first non-zero component of `U`'s column
/// positive), then the remaining columns of a full `U` or `V` on their own.
fn sign_pairs(u: &mut Matrix, v: &mut Matrix, k: usize) {
    for j in 0..k {
        let col = u.column(j);
        let big = col.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        if col.iter().find(|x| x.abs() > 1e-10 * big).is_some_and(|x| *x < 0.0) {
            u.column_mut(j).neg_mut();
            v.column_mut(j).neg_mut();
        }
    }
    for m in [u, v] {
        let extra = m.ncols().saturating_sub(k);
        let mut rest = m.columns(k, extra).into_owned();
        normalise_signs(&mut rest);
        m.columns_mut(k, extra).copy_from(&rest);
    }
}
