//! MML's dense `f64` linear-algebra kernels (LU, QR, SVD, eigen, Cholesky, products) over
//! nalgebra storage.
//!
//! Matrices stay nalgebra `DMatrix<f64>` everywhere; the heavy work is done by faer, which
//! measured 3–6× faster than nalgebra for solves, symmetric eigenproblems and SVDs on this kind
//! of machine (`bench/README.md`). faer reads and writes the nalgebra buffers in place: a
//! `DMatrix` is column-major with leading dimension `nrows`, exactly what
//! `MatRef::from_column_major_slice` describes, so no data is copied on the way in.
//!
//! Every faer call lives in this crate, behind thin non-generic functions, so the generic faer
//! code is instantiated once, here. Work of more than [`PARALLEL_ABOVE`] multiply-adds runs on
//! [`threads`] threads (faer's rayon parallelism; by default every core, `MML_THREADS`,
//! `--threads N` or the `threads` builtin change it); smaller work runs on one. Products, LU
//! solves, inverses, determinants and Cholesky give the same bits on any number of threads;
//! the Householder-based kernels (QR, SVD, symmetric eigen, least squares) sum their
//! reflections in another order on another number of threads, so their last bits may differ;
//! the same number of threads always gives the same bits (tested through the `mml` command).
//!
//! The runtime re-exports this crate as `mml_runtime::kernel`. It is a crate of its own so that
//! it can be compiled at opt-level 3 in debug builds (faer's generic code is compiled where it
//! is instantiated) without slowing the runtime's own compilation.
//!
//! Preconditions (shapes, finiteness) are the caller's job and are checked by the public
//! functions that can fail: they return `None` or an error instead of panicking. Small systems
//! whose entries are simple fractions are solved exactly (see [`exact`]).
#![warn(missing_docs)]

pub mod exact;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::solvers::SolveLstsqCore;
use faer::{Accum, Conj, MatMut, MatRef, Par};

/// A dense matrix of `f64` (the runtime's matrix type).
pub type Matrix = nalgebra::DMatrix<f64>;
/// A complex number.
pub type C64 = nalgebra::Complex<f64>;
/// A dense complex matrix.
pub type CMatrix = nalgebra::DMatrix<C64>;

/// faer's view of a nalgebra matrix (column-major, leading dimension `nrows`).
fn view(a: &Matrix) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(a.as_slice(), a.nrows(), a.ncols())
}

/// faer's mutable view of a nalgebra matrix.
fn view_mut(a: &mut Matrix) -> MatMut<'_, f64> {
    let (r, c) = a.shape();
    MatMut::from_column_major_slice_mut(a.as_mut_slice(), r, c)
}

/// Copies a faer matrix into a new nalgebra matrix.
fn to_nalgebra(m: MatRef<'_, f64>) -> Matrix {
    let mut out = Matrix::zeros(m.nrows(), m.ncols());
    view_mut(&mut out).copy_from(m);
    out
}

/// The number of threads the kernels use; 0 until [`set_threads`] is called (then the
/// machine's cores).
static THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Below this many multiply-adds a kernel runs on one thread: splitting smaller work costs
/// more than it saves (about a 128×128 product).
pub const PARALLEL_ABOVE: usize = 1 << 21;

/// Sets the number of threads (at least 1) the kernels use from now on.
pub fn set_threads(n: usize) {
    THREADS.store(n.max(1), std::sync::atomic::Ordering::Relaxed);
}

/// The number of threads the kernels use: the last [`set_threads`], else the machine's cores.
pub fn threads() -> usize {
    match THREADS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    }
}

/// The parallelism for work of `flops` multiply-adds; faer's solver types read it from the
/// global setting, which is set to the same.
fn par(flops: usize) -> Par {
    let n = threads();
    let p = if n <= 1 || flops < PARALLEL_ABOVE { Par::Seq } else { Par::rayon(n) };
    faer::set_global_parallelism(p);
    p
}

/// The work of a factorisation of an `m×n` matrix, about `m·n·min(m, n)` multiply-adds.
fn cube(m: usize, n: usize) -> usize {
    m.saturating_mul(n).saturating_mul(m.min(n))
}

// ---------------------------------------------------------------------------------------------
// Products and norms.

/// Below this many multiply-adds (`m·n·k`), nalgebra's product is as fast as faer's (measured
/// with `cargo run --release -p mml-kernel --example compare`: equal at 16³, faer ahead from 64³,
/// 1.15–1.7× at 1000³).
const MATMUL_FAER_ABOVE: usize = 32 * 32 * 32;

/// `A * B`: nalgebra's product for small sizes, faer's GEMM for large ones. Shapes must agree
/// (`a.ncols() == b.nrows()`); otherwise the result is a zero `a.nrows()×b.ncols()` matrix.
pub fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if k != b.nrows() {
        return Matrix::zeros(m, n);
    }
    if m.saturating_mul(n).saturating_mul(k) < MATMUL_FAER_ABOVE {
        return a * b;
    }
    let mut c = Matrix::zeros(m, n);
    let p = par(m.saturating_mul(n).saturating_mul(k));
    faer::linalg::matmul::matmul(view_mut(&mut c), Accum::Replace, view(a), view(b), 1.0, p);
    c
}

/// The 1-norm (largest absolute column sum).
pub fn norm1(a: &Matrix) -> f64 {
    a.column_iter().map(|c| c.iter().map(|x| x.abs()).sum::<f64>()).fold(0.0, f64::max)
}

/// Whether every element is finite (no NaN or infinity).
pub fn all_finite(a: &Matrix) -> bool {
    a.iter().all(|x| x.is_finite())
}

// ---------------------------------------------------------------------------------------------
// LU with partial pivoting.

/// An LU factorisation with partial pivoting, `P A = L U`, of an `m×n` matrix.
#[derive(Clone, Debug)]
pub struct Lu {
    /// `L` (unit lower, below the diagonal) and `U` (upper) packed into one `m×n` matrix.
    packed: Matrix,
    /// Row `i` of `P A` is row `perm[i]` of `A`.
    perm: Vec<usize>,
    perm_inv: Vec<usize>,
    /// The number of row transpositions (the sign of `det P`).
    swaps: usize,
}

/// Factors `P A = L U` with partial pivoting (any shape; never fails).
pub fn lu(a: &Matrix) -> Lu {
    let (m, n) = a.shape();
    let mut packed = a.clone();
    let mut perm: Vec<usize> = (0..m).collect();
    let mut perm_inv: Vec<usize> = (0..m).collect();
    let mut swaps = 0;
    if m > 0 && n > 0 {
        use faer::linalg::lu::partial_pivoting::factor::{lu_in_place, lu_in_place_scratch};
        let p = par(cube(m, n));
        let mut mem = MemBuffer::new(lu_in_place_scratch::<usize, f64>(m, n, p, Default::default()));
        let (info, _) = lu_in_place(
            view_mut(&mut packed),
            &mut perm,
            &mut perm_inv,
            p,
            MemStack::new(&mut mem),
            Default::default(),
        );
        swaps = info.transposition_count;
    }
    Lu { packed, perm, perm_inv, swaps }
}

impl Lu {
    /// The unit lower-triangular factor `L` (`m×k`, `k = min(m, n)`).
    pub fn l(&self) -> Matrix {
        let (m, n) = self.packed.shape();
        let k = m.min(n);
        Matrix::from_fn(m, k, |i, j| match i.cmp(&j) {
            std::cmp::Ordering::Greater => self.packed[(i, j)],
            std::cmp::Ordering::Equal => 1.0,
            std::cmp::Ordering::Less => 0.0,
        })
    }

    /// The upper-triangular factor `U` (`k×n`).
    pub fn u(&self) -> Matrix {
        let (m, n) = self.packed.shape();
        let k = m.min(n);
        Matrix::from_fn(k, n, |i, j| if i <= j { self.packed[(i, j)] } else { 0.0 })
    }

    /// The permutation matrix `P` (`m×m`) with `P A = L U`.
    pub fn p(&self) -> Matrix {
        let m = self.perm.len();
        let mut p = Matrix::zeros(m, m);
        for (i, &src) in self.perm.iter().enumerate() {
            p[(i, src)] = 1.0;
        }
        p
    }

    /// The diagonal of `U`: the pivots.
    pub fn pivots(&self) -> Vec<f64> {
        let k = self.packed.nrows().min(self.packed.ncols());
        (0..k).map(|i| self.packed[(i, i)]).collect()
    }

    /// The determinant of a square matrix: the product of the pivots, signed by the swaps.
    pub fn det(&self) -> f64 {
        let d: f64 = self.pivots().iter().product();
        if self.swaps % 2 == 1 {
            -d
        } else {
            d
        }
    }

    /// Whether a pivot is exactly zero (the factored square matrix is singular).
    pub fn has_zero_pivot(&self) -> bool {
        self.pivots().contains(&0.0)
    }

    /// Solves `A X = B` for a square, non-singular `A` (`B` must have `n` rows).
    pub fn solve(&self, b: &Matrix) -> Matrix {
        self.solve_impl(b, false)
    }

    /// Solves `Aᵀ X = B` for a square, non-singular `A`.
    pub fn solve_transpose(&self, b: &Matrix) -> Matrix {
        self.solve_impl(b, true)
    }

    fn solve_impl(&self, b: &Matrix, transpose: bool) -> Matrix {
        use faer::linalg::lu::partial_pivoting::solve as s;
        let n = self.packed.nrows();
        let mut x = b.clone();
        if n == 0 || n != self.packed.ncols() || b.nrows() != n || b.ncols() == 0 {
            return x;
        }
        let lu = view(&self.packed);
        let perm = faer::perm::PermRef::new_checked(&self.perm, &self.perm_inv, n);
        let k = b.ncols();
        let p = par(n.saturating_mul(n).saturating_mul(k));
        if transpose {
            let mut mem = MemBuffer::new(s::solve_transpose_in_place_scratch::<usize, f64>(n, k, p));
            s::solve_transpose_in_place_with_conj(lu, lu, perm, Conj::No, view_mut(&mut x), p, MemStack::new(&mut mem));
        } else {
            let mut mem = MemBuffer::new(s::solve_in_place_scratch::<usize, f64>(n, k, p));
            s::solve_in_place_with_conj(lu, lu, perm, Conj::No, view_mut(&mut x), p, MemStack::new(&mut mem));
        }
        x
    }

    /// An estimate of the reciprocal condition number `1 / (‖A‖₁ ‖A⁻¹‖₁)` of the factored square
    /// matrix, given `‖A‖₁` (Hager's method with Higham's refinements, as LAPACK's `gecon`).
    /// Zero when a pivot is zero; 1 for the empty matrix.
    pub fn rcond(&self, a_norm1: f64) -> f64 {
        let n = self.packed.nrows();
        if n == 0 {
            return 1.0;
        }
        if self.has_zero_pivot() || a_norm1 == 0.0 {
            return 0.0;
        }
        let inv_norm = self.inv_norm1_estimate();
        if !inv_norm.is_finite() || inv_norm == 0.0 {
            return 0.0;
        }
        1.0 / (a_norm1 * inv_norm)
    }

    /// A lower bound (usually exact) on `‖A⁻¹‖₁`.
    fn inv_norm1_estimate(&self) -> f64 {
        let n = self.packed.nrows();
        let mut x = Matrix::from_element(n, 1, 1.0 / n as f64);
        let mut est = 0.0f64;
        for iter in 0..5 {
            let y = self.solve(&x);
            let new_est: f64 = y.iter().map(|v| v.abs()).sum();
            if iter > 0 && new_est <= est {
                break;
            }
            est = new_est;
            let xi = y.map(|v| if v >= 0.0 { 1.0 } else { -1.0 });
            let z = self.solve_transpose(&xi);
            let (j, zmax) =
                z.iter().enumerate().fold((0, -1.0), |acc, (i, v)| if v.abs() > acc.1 { (i, v.abs()) } else { acc });
            let ztx: f64 = z.iter().zip(x.iter()).map(|(p, q)| p * q).sum();
            if iter > 0 && zmax <= ztx {
                break;
            }
            x = Matrix::zeros(n, 1);
            x[(j, 0)] = 1.0;
        }
        // Higham's alternative test vector catches cases where the iteration stalls.
        let alt = Matrix::from_fn(n, 1, |i, _| {
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            sign * (1.0 + i as f64 / (n.max(2) - 1) as f64)
        });
        let y = self.solve(&alt);
        let alt_est = 2.0 * y.iter().map(|v| v.abs()).sum::<f64>() / (3.0 * n as f64);
        est.max(alt_est)
    }
}

// ---------------------------------------------------------------------------------------------
// Solving systems.

/// Why a solve failed.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveError {
    /// The square matrix is singular (an exact zero pivot) or singular to working precision
    /// (reciprocal condition number below machine epsilon), with that estimate.
    Singular {
        /// The estimated reciprocal condition number (0 for an exact zero pivot).
        rcond: f64,
    },
    /// An element of `A` or `b` is NaN or infinite.
    NotFinite,
    /// The SVD used for a rank-deficient least-squares problem did not converge.
    NoConvergence,
}

/// Matrices below this reciprocal condition number are singular to working precision.
pub const RCOND_SINGULAR: f64 = f64::EPSILON;

/// Solves `A X = B` (`B` with as many rows as `A`; the caller checks that):
///
/// - square `A`: LU with partial pivoting; [`SolveError::Singular`] on a zero pivot or when the
///   estimated reciprocal condition number is below [`RCOND_SINGULAR`]. Small systems whose
///   entries are simple fractions are solved exactly and rounded once ([`exact::solve`]).
/// - tall `A` (more rows): least squares by Householder QR; when `A`'s columns are
///   dependent, the minimum-norm least-squares solution by SVD.
/// - wide `A` (more columns): the minimum-norm solution, by QR of `Aᵀ` (SVD when the rows are
///   dependent).
///
/// Small non-square systems of simple fractions with full rank are solved exactly
/// ([`exact::lstsq`]).
pub fn solve(a: &Matrix, b: &Matrix) -> Result<Matrix, SolveError> {
    if !all_finite(a) || !all_finite(b) {
        return Err(SolveError::NotFinite);
    }
    let (m, n) = a.shape();
    if m == n {
        if let Some(result) = exact::solve(a, b) {
            return result.ok_or(SolveError::Singular { rcond: 0.0 });
        }
        let f = lu(a);
        let rcond = f.rcond(norm1(a));
        if f.has_zero_pivot() || rcond < RCOND_SINGULAR {
            return Err(SolveError::Singular { rcond });
        }
        return Ok(f.solve(b));
    }
    if n == 0 || m == 0 {
        return Ok(Matrix::zeros(n, b.ncols()));
    }
    if let Some(x) = exact::lstsq(a, b) {
        return Ok(x);
    }
    if m > n {
        if let Some(x) = lstsq_qr(a, b) {
            return Ok(x);
        }
    } else if let Some(x) = min_norm_qr(a, b) {
        return Ok(x);
    }
    let svd = svd(a, false).ok_or(SolveError::NoConvergence)?;
    Ok(svd.solve(b, None))
}

/// Whether `R`'s diagonal shows dependent columns: some `|r_ii| ≤ max(m, n)·eps·max|r_jj|`.
fn rank_deficient_r(r: &Matrix, m: usize, n: usize) -> bool {
    let k = r.nrows().min(r.ncols());
    let diag: Vec<f64> = (0..k).map(|i| r[(i, i)].abs()).collect();
    let big = diag.iter().copied().fold(0.0, f64::max);
    let tol = m.max(n) as f64 * f64::EPSILON * big;
    big == 0.0 || diag.iter().any(|&d| d <= tol)
}

/// Least squares for a tall `A` of full column rank by Householder QR; `None` when `R` shows
/// dependent columns.
fn lstsq_qr(a: &Matrix, b: &Matrix) -> Option<Matrix> {
    let (m, n) = a.shape();
    par(cube(m, n));
    let qr = faer::linalg::solvers::Qr::new(view(a));
    let r = to_nalgebra(qr.thin_R());
    if rank_deficient_r(&r, m, n) {
        return None;
    }
    let mut x = b.clone();
    qr.solve_lstsq_in_place_with_conj(Conj::No, view_mut(&mut x));
    Some(x.rows(0, n).into_owned())
}

/// The minimum-norm solution for a wide `A` of full row rank: `Aᵀ = Q R`, `x = Q R⁻ᵀ b`.
fn min_norm_qr(a: &Matrix, b: &Matrix) -> Option<Matrix> {
    let (m, n) = a.shape();
    par(cube(m, n));
    let at = a.transpose();
    let qr = faer::linalg::solvers::Qr::new(view(&at));
    let r = to_nalgebra(qr.thin_R());
    if rank_deficient_r(&r, m, n) {
        return None;
    }
    let y = r.transpose().solve_lower_triangular(b)?;
    let q = to_nalgebra(qr.compute_thin_Q().as_ref());
    Some(matmul(&q, &y))
}

// ---------------------------------------------------------------------------------------------
// QR, Cholesky.

/// The Householder QR factorisation `A = Q R`: thin (`Q` m×k, `R` k×n, `k = min(m, n)`) or full
/// (`Q` m×m, `R` m×n). `R`'s diagonal may be negative (unlike Gram-Schmidt's).
pub fn qr(a: &Matrix, full: bool) -> (Matrix, Matrix) {
    let (m, n) = a.shape();
    let k = m.min(n);
    if m == 0 || n == 0 {
        let qcols = if full { m } else { k };
        return (Matrix::identity(m, qcols), Matrix::zeros(qcols, n));
    }
    par(cube(m, n));
    let qr = faer::linalg::solvers::Qr::new(view(a));
    if full {
        let thin_r = to_nalgebra(qr.thin_R());
        let r = Matrix::from_fn(m, n, |i, j| if i < k { thin_r[(i, j)] } else { 0.0 });
        (to_nalgebra(qr.compute_Q().as_ref()), r)
    } else {
        (to_nalgebra(qr.compute_thin_Q().as_ref()), to_nalgebra(qr.thin_R()))
    }
}

/// The Cholesky factor `L` (lower triangular, positive diagonal) with `A = L Lᵀ`, reading
/// only the lower triangle of the square `A`; `None` when `A` is not positive definite.
pub fn cholesky(a: &Matrix) -> Option<Matrix> {
    if a.nrows() != a.ncols() {
        return None;
    }
    if a.nrows() == 0 {
        return Some(Matrix::zeros(0, 0));
    }
    par(cube(a.nrows(), a.nrows()));
    let llt = faer::linalg::solvers::Llt::new(view(a), faer::Side::Lower).ok()?;
    Some(to_nalgebra(llt.L()))
}

// ---------------------------------------------------------------------------------------------
// SVD.

/// A singular value decomposition `A = U diag(s) Vᵀ`, singular values descending.
#[derive(Clone, Debug)]
pub struct Svd {
    /// Left singular vectors (columns).
    pub u: Matrix,
    /// Singular values, descending, non-negative.
    pub s: Vec<f64>,
    /// Right singular vectors (columns).
    pub v: Matrix,
}

impl Svd {
    /// The default rank tolerance `max(m, n)·eps·σmax` (NumPy's `matrix_rank`).
    pub fn default_tol(&self) -> f64 {
        let (m, n) = (self.u.nrows(), self.v.nrows());
        m.max(n) as f64 * f64::EPSILON * self.s.first().copied().unwrap_or(0.0)
    }

    /// The number of singular values above `tol` (default [`Svd::default_tol`]).
    pub fn rank(&self, tol: Option<f64>) -> usize {
        let tol = tol.unwrap_or_else(|| self.default_tol());
        self.s.iter().filter(|&&s| s > tol).count()
    }

    /// The minimum-norm least-squares solution of `A X = B`, ignoring singular values `≤ tol`.
    pub fn solve(&self, b: &Matrix, tol: Option<f64>) -> Matrix {
        let r = self.rank(tol);
        let ur = self.u.columns(0, r);
        let mut c = ur.transpose() * b;
        for (i, mut row) in c.row_iter_mut().enumerate() {
            row /= self.s[i];
        }
        self.v.columns(0, r) * c
    }

    /// The pseudo-inverse `V diag(1/s) Uᵀ`, ignoring singular values `≤ tol`.
    pub fn pinv(&self, tol: Option<f64>) -> Matrix {
        let r = self.rank(tol);
        let mut vs = self.v.columns(0, r).into_owned();
        for (i, mut col) in vs.column_iter_mut().enumerate() {
            col /= self.s[i];
        }
        let ut = self.u.columns(0, r).transpose();
        matmul(&vs, &ut)
    }
}

/// The SVD of `A`, thin (`U` m×k, `V` n×k) or full (`U` m×m, `V` n×n); `None` if the iteration
/// does not converge (never seen for finite input; NaN input must be rejected by the caller).
pub fn svd(a: &Matrix, full: bool) -> Option<Svd> {
    use faer::linalg::svd::{svd as faer_svd, svd_scratch, ComputeSvdVectors};
    let (m, n) = a.shape();
    let k = m.min(n);
    let (uc, vc) = if full { (m, n) } else { (k, k) };
    let mut u = Matrix::identity(m, uc);
    let mut v = Matrix::identity(n, vc);
    let mut s = vec![0.0; k];
    if k == 0 {
        return Some(Svd { u, s, v });
    }
    let compute = if full { ComputeSvdVectors::Full } else { ComputeSvdVectors::Thin };
    let p = par(cube(m, n));
    let mut mem = MemBuffer::new(svd_scratch::<f64>(m, n, compute, compute, p, Default::default()));
    faer_svd(
        view(a),
        faer::diag::DiagMut::from_slice_mut(&mut s),
        Some(view_mut(&mut u)),
        Some(view_mut(&mut v)),
        p,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .ok()?;
    Some(Svd { u, s, v })
}

/// The singular values of `A`, descending; `None` if the iteration does not converge.
pub fn singular_values(a: &Matrix) -> Option<Vec<f64>> {
    use faer::linalg::svd::{svd as faer_svd, svd_scratch, ComputeSvdVectors};
    let (m, n) = a.shape();
    let mut s = vec![0.0; m.min(n)];
    if s.is_empty() {
        return Some(s);
    }
    let no = ComputeSvdVectors::No;
    let p = par(cube(m, n));
    let mut mem = MemBuffer::new(svd_scratch::<f64>(m, n, no, no, p, Default::default()));
    faer_svd(
        view(a),
        faer::diag::DiagMut::from_slice_mut(&mut s),
        None,
        None,
        p,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .ok()?;
    Some(s)
}

// ---------------------------------------------------------------------------------------------
// Eigenproblems.

/// Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix, reading
/// only its lower triangle; `None` if the iteration does not converge.
pub fn eigh(a: &Matrix) -> Option<(Vec<f64>, Matrix)> {
    use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
    let n = a.nrows();
    let mut s = vec![0.0; n];
    let mut u = Matrix::zeros(n, n);
    if n == 0 || a.ncols() != n {
        return (a.ncols() == n).then_some((s, u));
    }
    let p = par(cube(n, n));
    let mut mem = MemBuffer::new(self_adjoint_evd_scratch::<f64>(n, ComputeEigenvectors::Yes, p, Default::default()));
    self_adjoint_evd(
        view(a),
        faer::diag::DiagMut::from_slice_mut(&mut s),
        Some(view_mut(&mut u)),
        p,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .ok()?;
    Some((s, u))
}

/// Eigenvalues and eigenvectors (columns, unit 2-norm) of a general real square matrix.
/// Real eigenvalues have exactly zero imaginary parts (and real eigenvectors); complex ones
/// come in conjugate pairs. `None` if the iteration does not converge.
pub fn eig(a: &Matrix) -> Option<(Vec<C64>, CMatrix)> {
    let n = a.nrows();
    if a.ncols() != n {
        return None;
    }
    if n == 0 {
        return Some((Vec::new(), CMatrix::zeros(0, 0)));
    }
    par(cube(n, n));
    let e = faer::linalg::solvers::Eigen::new_from_real(view(a)).ok()?;
    let s = e.S();
    let u = e.U();
    let values: Vec<C64> = (0..n).map(|i| s[i]).collect();
    let vectors = CMatrix::from_fn(n, n, |i, j| u[(i, j)]);
    Some((values, vectors))
}

#[cfg(test)]
mod tests;
