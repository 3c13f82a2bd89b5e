//! Linear systems and the numbers that describe a matrix: `solve`, `inv`, `pinv`, `det`, `rank`,
//! `trace`, `cond`, `is_singular`, `null`, `orth`.
//!
//! Policies shared by the linear-algebra builtins (here, `decomp`, `eigen` and `rref`):
//! - Inputs containing `nan` or `inf` are a `not-finite` error pointing at the argument.
//! - Square-only functions reject other shapes with `not-square`.
//! - Singular means: an exact zero pivot, or a reciprocal condition number below machine
//!   epsilon (`singular-matrix`). Ill-conditioned but not singular systems (`cond(A)` up to
//!   about 1e16) are solved; the answer may then have few correct digits, so `cond(A)` is there
//!   to check. (MML has no warnings channel yet; when it has one, such solves will warn.)
//! - Tolerances (`tol`) are absolute thresholds on singular values; the default is NumPy's
//!   `max(m, n)·eps·σmax`.
//! - Basis vectors (`null`, `orth`, eigenvectors, singular vectors) are unit length with their
//!   first non-zero component positive, so results are reproducible and match the course's
//!   "flip so the first component is ≥ 0" checks.
//! - Small square matrices of simple fractions (see `mml_runtime::kernel::exact`) are solved,
//!   inverted and have their determinant computed exactly, then rounded once: `det([1, 2; 3, 4])`
//!   is `-2`, not `-2.0000000000000004`.

use std::rc::Rc;

use mml_runtime::display::format_number;
use mml_runtime::kernel::{self, exact, SolveError, Svd};
use mml_runtime::{Args, BuiltinError, CMatrix, CallCtx, Matrix, Record, Value, C64};

use crate::macros::builtin;

/// Argument `i` as a matrix with finite elements (`not-finite` otherwise).
pub(crate) fn finite_matrix(args: &Args<'_>, i: usize) -> Result<Rc<Matrix>, BuiltinError> {
    let m = args.matrix(i)?;
    if let Some(k) = m.iter().position(|x| !x.is_finite()) {
        let (r, c) = (k % m.nrows().max(1) + 1, k / m.nrows().max(1) + 1);
        return Err(BuiltinError::arg(
            i,
            format!("the matrix contains {} at row {r}, column {c}", format_number(m[k])),
        )
        .code("not-finite")
        .with_help("linear algebra needs finite numbers: replace or remove the nan/inf entries first"));
    }
    Ok(m)
}

/// Refuses up front (with `timeout`) a decomposition of the matrix `a` that could not finish
/// in the time left, taking `factor`·m·n·min(m, n) floating-point operations; also notices
/// Ctrl-C. Decompositions cannot stop halfway, so this is their only check.
pub(crate) fn check_cubic(ctx: &dyn CallCtx, a: &Value, factor: f64) -> Result<(), BuiltinError> {
    let (m, n) = a.shape().unwrap_or((0, 0));
    let (m, n) = (m as f64, n as f64);
    ctx.check_work(factor * m * n * m.min(n))
}

/// The error for argument `i` of builtin `name` when it is an r×c matrix, not a square one.
pub(crate) fn not_square(i: usize, name: &str, (r, c): (usize, usize)) -> BuiltinError {
    let e = BuiltinError::arg(i, format!("`{name}` needs a square matrix, found a {r}×{c} matrix")).code("not-square");
    if mml_runtime::one_size_column((r, c)) {
        e.with_help(mml_runtime::ONE_SIZE_HINT)
    } else {
        e
    }
}

/// Argument `i` as a finite square matrix; `name` is the builtin, for the message.
pub(crate) fn square_matrix(args: &Args<'_>, i: usize, name: &str) -> Result<Rc<Matrix>, BuiltinError> {
    let m = finite_matrix(args, i)?;
    if !m.is_square() {
        let (r, c) = m.shape();
        return Err(not_square(i, name, (r, c)));
    }
    Ok(m)
}

/// The optional tolerance argument `i`: `None` for `nothing`, else a non-negative number.
pub(crate) fn tol_arg(args: &Args<'_>, i: usize) -> Result<Option<f64>, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(None);
    }
    let t = args.num(i)?;
    if t.is_nan() || t < 0.0 {
        return Err(BuiltinError::arg(i, "the tolerance must be a non-negative number"));
    }
    Ok(Some(t))
}

/// Flips each column so that its first clearly non-zero component is positive.
pub(crate) fn normalise_signs(m: &mut Matrix) {
    for mut col in m.column_iter_mut() {
        let big = col.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        if let Some(first) = col.iter().find(|x| x.abs() > 1e-10 * big.max(f64::MIN_POSITIVE)) {
            if *first < 0.0 {
                col.neg_mut();
            }
        }
    }
}

/// The SVD of the matrix at argument `arg` (`no-convergence` if it fails).
pub(crate) fn svd_of(a: &Matrix, full: bool, arg: usize) -> Result<Svd, BuiltinError> {
    let (scaled, s) = scaled(a);
    let mut svd = kernel::svd(scaled.as_ref().unwrap_or(a), full)
        .ok_or_else(|| no_convergence(arg, "singular value decomposition"))?;
    if s != 1.0 {
        for x in svd.s.iter_mut() {
            *x *= s;
        }
        overflowed(svd.s.iter().copied(), arg, "singular values")?;
    }
    Ok(svd)
}

/// The eigenvalues and eigenvectors of a symmetric matrix, scaled first when its entries are
/// near the ends of the floating-point range (see [`scaled`]).
pub(crate) fn eigh_of(a: &Matrix, arg: usize) -> Result<(Vec<f64>, Matrix), BuiltinError> {
    let (scaled, s) = scaled(a);
    let (mut values, vectors) =
        kernel::eigh(scaled.as_ref().unwrap_or(a)).ok_or_else(|| no_convergence(arg, "eigenvalue iteration"))?;
    if s != 1.0 {
        for v in values.iter_mut() {
            *v *= s;
        }
        overflowed(values.iter().copied(), arg, "eigenvalues")?;
    }
    Ok((values, vectors))
}

/// The eigenvalues and eigenvectors of a square matrix, scaled first like [`eigh_of`].
pub(crate) fn eig_of(a: &Matrix, arg: usize) -> Result<(Vec<C64>, CMatrix), BuiltinError> {
    let (scaled, s) = scaled(a);
    let (mut values, vectors) =
        kernel::eig(scaled.as_ref().unwrap_or(a)).ok_or_else(|| no_convergence(arg, "eigenvalue iteration"))?;
    if s != 1.0 {
        for v in values.iter_mut() {
            *v *= s;
        }
        overflowed(values.iter().flat_map(|v| [v.re, v.im]), arg, "eigenvalues")?;
    }
    Ok((values, vectors))
}

/// The singular values (descending), scaled first like [`svd_of`].
pub(crate) fn singular_values_of(a: &Matrix, arg: usize) -> Result<Vec<f64>, BuiltinError> {
    let (scaled, s) = scaled(a);
    let mut values = kernel::singular_values(scaled.as_ref().unwrap_or(a))
        .ok_or_else(|| no_convergence(arg, "singular value decomposition"))?;
    if s != 1.0 {
        for x in values.iter_mut() {
            *x *= s;
        }
        overflowed(values.iter().copied(), arg, "singular values")?;
    }
    Ok(values)
}

/// `a` divided by a power of two that brings its largest entry near 1, and that power, when
/// the entries are so large (or small) that a decomposition's intermediate sums of squares
/// would overflow (or underflow); `(None, 1.0)` otherwise. Dividing by a power of two is
/// exact, so the vectors of the scaled matrix are the matrix's own, and its values are the
/// scaled values times the power.
pub(crate) fn scaled(a: &Matrix) -> (Option<Matrix>, f64) {
    let big = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if big == 0.0 || !big.is_finite() || (1e-150..=1e150).contains(&big) {
        return (None, 1.0);
    }
    let s = 2f64.powi(big.log2().floor() as i32);
    (Some(a.map(|x| x / s)), s)
}

/// The `not-finite` error when values scaled back up overflow.
pub(crate) fn overflowed(values: impl Iterator<Item = f64>, arg: usize, what: &str) -> Result<(), BuiltinError> {
    if values.into_iter().all(f64::is_finite) {
        return Ok(());
    }
    Err(BuiltinError::arg(arg, format!("the {what} of this matrix overflow: some are larger than 1.8e308"))
        .code("not-finite")
        .with_help(
            "scale the matrix down first (for example divide it by its largest entry), then scale the result back",
        ))
}

/// The error for an iteration that did not converge.
pub(crate) fn no_convergence(arg: usize, what: &str) -> BuiltinError {
    BuiltinError::arg(arg, format!("the {what} did not converge")).code("no-convergence")
}

/// The `singular-matrix` error for the square matrix at argument `arg`.
pub(crate) fn singular_error(arg: usize, a: &Matrix, rcond: f64) -> BuiltinError {
    let n = a.nrows();
    if rcond > 0.0 {
        BuiltinError::arg(arg, format!("the {n}×{n} matrix is singular to working precision"))
            .code("singular-matrix")
            .with_note(format!("its reciprocal condition number is about {rcond:.1e}, below machine epsilon (2.2e-16)"))
    } else {
        BuiltinError::arg(arg, format!("the {n}×{n} matrix is singular"))
            .code("singular-matrix")
            .with_note("elimination meets a zero pivot: its columns are linearly dependent")
    }
}

/// A record value from `(name, value)` pairs.
pub(crate) fn record<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    Value::Record(Rc::new(Record::from_pairs(pairs)))
}

/// A matrix result, 1×1 results as numbers (as the operators do).
pub(crate) fn narrow(m: Matrix) -> Value {
    if m.nrows() == 1 && m.ncols() == 1 {
        Value::Num(m[0])
    } else {
        Value::matrix(m)
    }
}

/// The inverse of a finite square matrix, or the singular error at `arg`.
pub(crate) fn inverse(a: &Matrix, arg: usize) -> Result<Matrix, BuiltinError> {
    let n = a.nrows();
    match exact::inverse(a) {
        Some(Some(inv)) => return Ok(inv),
        Some(None) => return Err(singular_error(arg, a, 0.0)),
        None => {}
    }
    let f = kernel::lu(a);
    let rcond = f.rcond(kernel::norm1(a));
    if f.has_zero_pivot() || rcond < kernel::RCOND_SINGULAR {
        return Err(singular_error(arg, a, rcond));
    }
    Ok(f.solve(&Matrix::identity(n, n)))
}

builtin! {
    /// Solves the linear system `A x = b`, the same as `A \ b`.
    /// - Square `A`: LU factorisation with partial pivoting. A singular matrix (or one singular
    ///   to working precision, `cond(A)` above about 1e16) is a `singular-matrix` error.
    ///   A nearly singular one is still solved, with fewer correct digits: check `cond(A)`.
    /// - Tall `A` (more equations than unknowns): the least-squares solution, by QR
    ///   (never the normal equations); minimum norm if the columns are dependent.
    /// - Wide `A` (fewer equations): the solution of minimum length.
    ///
    /// `b` may have several columns (one system per column). Small systems of simple fractions
    /// are solved exactly, so the answers carry no rounding noise.
    /// ```mml
    /// solve([2, 1; 1, 3], [3, 5])   # => 2×1 matrix
    ///                               # =>   0.8
    ///                               # =>   1.4
    /// solve([1, 1; 1, -1; 1, 0], [2, 0, 2])   # => 2×1 matrix
    ///                                         # =>   1.33333
    ///                                         # =>   1
    /// solve([1, 1]', 2)             # => 2×1 matrix
    ///                               # =>   1
    ///                               # =>   1
    /// ```
    pub static SOLVE: Solve = "solve"(A, b), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 2.0)?;
        if crate::calculus::any_dual(args) {
            return mml_runtime::ad::arith(mml_lang::ast::BinOp::LeftDiv, args.get(0), args.get(1));
        }
        let a = finite_matrix(args, 0)?;
        let b = finite_matrix(args, 1)?;
        if a.nrows() != b.nrows() {
            let rows = if b.nrows() == 1 { "1 row".to_string() } else { format!("{} rows", b.nrows()) };
            return Err(BuiltinError::arg(1, format!(
                "b has {rows} but A is {}×{}: they need the same number of rows",
                a.nrows(), a.ncols()
            )).code("shape-mismatch"));
        }
        match kernel::solve(&a, &b) {
            Ok(x) => Ok(narrow(x)),
            Err(SolveError::Singular { rcond }) => Err(singular_error(0, &a, rcond)
                .with_help("`pinv(A) * b` gives the least-squares solution of minimum norm")),
            Err(SolveError::NotFinite) => Err(BuiltinError::arg(0, "the system contains nan or inf").code("not-finite")),
            Err(SolveError::NoConvergence) => Err(no_convergence(0, "singular value decomposition")),
        }
    }
}

builtin! {
    /// The inverse of a square matrix: `inv(A) * A` is the identity.
    /// A singular matrix has no inverse: that is a `singular-matrix` error (`pinv` gives the
    /// pseudo-inverse instead). To solve `A x = b`, `A \ b` is faster and more accurate than
    /// `inv(A) * b`.
    /// ```mml
    /// inv([1, 2; 3, 4])   # => 2×2 matrix
    ///                     # =>   -2     1
    ///                     # =>    1.5  -0.5
    /// inv(4)              # => 0.25
    /// ```
    pub static INV: Solve = "inv"(A), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 2.0)?;
        if let Value::Dual(_) = args.get(0) {
            // inv(A)' = −A⁻¹ A' A⁻¹, through the derivative rule of `\`.
            let n = args.get(0).shape().map_or(0, |(r, _)| r);
            let identity = Value::matrix(Matrix::identity(n, n));
            return mml_runtime::ad::arith(mml_lang::ast::BinOp::LeftDiv, args.get(0), &identity);
        }
        let a = square_matrix(args, 0, "inv")?;
        inverse(&a, 0).map(narrow).map_err(|e| e.with_help("pinv(A) gives the pseudo-inverse of any matrix"))
    }
}

builtin! {
    /// The pseudo-inverse of any matrix.
    /// The Moore-Penrose pseudo-inverse, by SVD: singular values at most `tol` count as zero (default `max(m, n)·eps·σmax`).
    /// For a matrix with independent columns it is `inv(A'A) A'`, so `pinv(A) * b` is the
    /// least-squares solution; for a singular one, the solution of minimum norm. Small
    /// full-rank matrices of simple fractions are pseudo-inverted exactly.
    /// ```mml
    /// round(pinv([1, 2; 2, 4]), 12)   # => 2×2 matrix
    ///                                 # =>   0.04  0.08
    ///                                 # =>   0.08  0.16
    /// pinv([1, 1, 1]')     # => 3×1 matrix
    ///                      # =>   0.333333
    ///                      # =>   0.333333
    ///                      # =>   0.333333
    /// ```
    pub static PINV: Solve = "pinv"(A, tol = nothing), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        if crate::calculus::any_dual(args) {
            // For full rank, inv(A'A) A' (or A' inv(A A') for wide A), which carries the
            // derivative; where the rank drops, the pseudo-inverse jumps and has none.
            return crate::calculus::composed(ctx, args, PINV.run, &mut |ctx| {
                use mml_lang::ast::BinOp::{LeftDiv, Mul};
                let a = args.get(0);
                let (r, c) = a.shape().unwrap_or((1, 1));
                let rank = crate::calculus::call(ctx, &RANK, &[mml_runtime::ad::strip(a), Value::Nothing])?;
                if rank.as_scalar() != Some(r.min(c) as f64) {
                    return Err(BuiltinError::arg(0, "the pseudo-inverse of a rank-deficient matrix has no derivative")
                        .code("not-differentiable"));
                }
                let at = mml_runtime::ad::transposed(a)?;
                if r >= c {
                    crate::calculus::op(LeftDiv, &crate::calculus::op(Mul, &at, a)?, &at)
                } else {
                    let inverse = crate::calculus::op(LeftDiv, &crate::calculus::op(Mul, a, &at)?, &Value::matrix(Matrix::identity(r, r)))?;
                    crate::calculus::op(Mul, &at, &inverse)
                }
            });
        }
        let a = finite_matrix(args, 0)?;
        let tol = tol_arg(args, 1)?;
        if tol.is_none() {
            let exact = if a.is_square() {
                exact::inverse(&a).flatten()
            } else {
                exact::lstsq(&a, &Matrix::identity(a.nrows(), a.nrows()))
            };
            if let Some(p) = exact {
                return Ok(narrow(p));
            }
        }
        let svd = svd_of(&a, false, 0)?;
        Ok(narrow(svd.pinv(tol)))
    }
}

builtin! {
    /// The determinant of a square matrix.
    /// It is the factor by which the matrix scales areas (volumes), zero when it is singular. Computed by LU factorisation; exactly for small matrices of simple
    /// fractions. The empty matrix has determinant 1.
    /// ```mml
    /// det([1, 2; 3, 4])      # => -2
    /// det([2, 0; 0, 3])      # => 6
    /// det([1, 2; 2, 4])      # => 0
    /// ```
    pub static DET: Solve = "det"(A), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 2.0)?;
        if let Value::Dual(_) = args.get(0) {
            return crate::calculus::det_rule(ctx, args.get(0), DET.run);
        }
        let a = square_matrix(args, 0, "det")?;
        if let Some(d) = exact::det(&a) {
            return Ok(Value::Num(d));
        }
        Ok(Value::Num(kernel::lu(&a).det()))
    }
}

builtin! {
    /// The rank of a matrix.
    /// The rank is the number of linearly independent columns (or rows), counted as the singular
    /// values above `tol` (default `max(m, n)·eps·σmax`, as NumPy).
    /// ```mml
    /// rank([1, 2; 2, 4])           # => 1
    /// rank(eye(3))                 # => 3
    /// rank([1, 2, 3; 4, 5, 6])     # => 2
    /// rank(zeros(2, 3))            # => 0
    /// ```
    pub static RANK: Solve = "rank"(A, tol = nothing), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let a = finite_matrix(args, 0)?;
        let tol = tol_arg(args, 1)?;
        let s = singular_values_of(&a, 0)?;
        let tol = tol.unwrap_or_else(|| a.nrows().max(a.ncols()) as f64 * f64::EPSILON * s.first().copied().unwrap_or(0.0));
        Ok(Value::Num(s.iter().filter(|&&x| x > tol).count() as f64))
    }
}

builtin! {
    /// The trace of a square matrix (the sum of its diagonal).
    /// It equals the sum of the eigenvalues. (The `trace = true` option of the solvers and
    /// minimisers is something else: see `:help iterative`.)
    /// ```mml
    /// trace([1, 2; 3, 4])   # => 5
    /// trace(eye(3))         # => 3
    /// ```
    pub static TRACE: Solve = "trace"(A), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return crate::calculus::linear_in(ctx, args, 0, TRACE.run, crate::calculus::Linear::Trace);
        }
        let a = args.matrix(0)?;
        if !a.is_square() {
            let (r, c) = a.shape();
            return Err(not_square(0, "trace", (r, c)));
        }
        Ok(Value::Num(a.trace()))
    }
}

builtin! {
    /// The condition number of a matrix (2-norm).
    /// `cond(A)` is `σmax / σmin`: how much relative errors
    /// in `b` can grow in the solution of `A x = b`. 1 for orthogonal matrices; `inf` for
    /// matrices that are singular to working precision (`σmin ≤ max(m, n)·eps·σmax`, the test
    /// `rank` and `is_singular` use; NumPy would print a huge finite number there).
    /// Above about 1e12, answers from `A \ b` have few correct digits.
    /// Non-square matrices use their `min(m, n)` singular values; the empty matrix gives 0.
    /// ```mml
    /// cond(eye(2))             # => 1
    /// cond([2, 0; 0, 0.5])     # => 4
    /// cond([1, 2; 2, 4])       # => inf
    /// ```
    pub static COND: Solve = "cond"(A), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let a = finite_matrix(args, 0)?;
        let s = singular_values_of(&a, 0)?;
        let (Some(max), Some(min)) = (s.first(), s.last()) else { return Ok(Value::Num(0.0)) };
        // Singular to working precision (the same test as `rank` and `is_singular`): inf.
        let tol = a.nrows().max(a.ncols()) as f64 * f64::EPSILON * max;
        Ok(Value::Num(if *min <= tol { f64::INFINITY } else { max / min }))
    }
}

builtin! {
    /// Whether a square matrix is singular (has no inverse).
    /// True when its rank is less than its size, with singular values at most `tol` counting as zero (default
    /// `max(m, n)·eps·σmax`). The course's `isSingular` exercise answers the same question by
    /// elimination (see `echelon`).
    /// ```mml
    /// is_singular([1, 2; 2, 4])   # => true
    /// is_singular([1, 2; 3, 4])   # => false
    /// is_singular([2, 0, 0, 0; 0, 3, 0, 0; 0, 0, 4, 4; 0, 0, 5, 5])   # => true
    /// ```
    pub static IS_SINGULAR: Solve = "is_singular"(A, tol = nothing), |_ctx, args| {
        let a = square_matrix(args, 0, "is_singular")?;
        let tol = tol_arg(args, 1)?;
        let s = singular_values_of(&a, 0)?;
        let tol = tol.unwrap_or_else(|| a.nrows() as f64 * f64::EPSILON * s.first().copied().unwrap_or(0.0));
        Ok(Value::Bool(s.iter().filter(|&&x| x > tol).count() < a.nrows()))
    }
}

builtin! {
    /// An orthonormal basis of the null space of a matrix.
    /// The null space holds the solutions of `A x = 0`; its basis is returned as the columns of
    /// an `n×k` matrix, by SVD; `k` is `n - rank(A)` and may be 0 (an `n×0` matrix).
    /// Singular values at most `tol` count as zero (default `max(m, n)·eps·σmax`).
    /// ```mml
    /// N = null([1, 1; 1, 1])
    /// N                  # => 2×1 matrix
    ///                    # =>    0.707107
    ///                    # =>   -0.707107
    /// size(null(eye(2)))   # => 1×2 matrix
    ///                      # =>   2  0
    /// ```
    pub static NULL: Solve = "null"(A, tol = nothing), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let a = finite_matrix(args, 0)?;
        let tol = tol_arg(args, 1)?;
        let n = a.ncols();
        ctx.check_alloc(n, n).map_err(|e| e.at_arg(0))?;
        let svd = svd_of(&a, true, 0)?;
        let r = svd.rank(tol);
        let mut basis = svd.v.columns(r, n - r).into_owned();
        normalise_signs(&mut basis);
        Ok(Value::matrix(basis))
    }
}

builtin! {
    /// An orthonormal basis of the column space of a matrix.
    /// The basis of the column space (range) is returned as the columns of an `m×r` matrix with `r = rank(A)`, by SVD. Singular values at most `tol` count as zero.
    /// ```mml
    /// orth([1, 1; 1, 1])   # => 2×1 matrix
    ///                      # =>   0.707107
    ///                      # =>   0.707107
    /// ```
    pub static ORTH: Solve = "orth"(A, tol = nothing), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let a = finite_matrix(args, 0)?;
        let tol = tol_arg(args, 1)?;
        let svd = svd_of(&a, false, 0)?;
        let r = svd.rank(tol);
        let mut basis = svd.u.columns(0, r).into_owned();
        normalise_signs(&mut basis);
        Ok(Value::matrix(basis))
    }
}

#[cfg(test)]
mod tests;
