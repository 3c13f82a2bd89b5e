//! Eigenvalues and eigenvectors: `eig` (any square matrix, complex results when needed), `eigh`
//! (symmetric), `charpoly`, `diagonalize` and `matpow`.
//!
//! Eigenvectors are the columns of `vectors`, unit length, signed so that their first non-zero
//! component is positive (for complex vectors: real and positive). Orders are chosen with the
//! `sort` option: `"abs"` (largest `|λ|` first, the course's order for PageRank), `"descending"`
//! (largest first, the order of PCA), `"ascending"` (alias `"value"`, NumPy's `eigh` order) or
//! `"none"` (the solver's order). Complex values sort by real part, then imaginary part.

use mml_runtime::kernel::{self, exact};
use mml_runtime::{Args, BuiltinError, CMatrix, Matrix, Value, C64};

use crate::decomp::{is_symmetric, not_symmetric};
use crate::macros::builtin;
use crate::solve::{inverse, narrow, no_convergence, normalise_signs, record, square_matrix};

/// How to order eigenvalues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Abs,
    Ascending,
    Descending,
    None,
}

fn sort_arg(args: &Args<'_>, i: usize) -> Result<Sort, BuiltinError> {
    match args.str(i)? {
        "abs" => Ok(Sort::Abs),
        "ascending" | "value" => Ok(Sort::Ascending),
        "descending" => Ok(Sort::Descending),
        "none" => Ok(Sort::None),
        other => Err(BuiltinError::arg(i, format!("unknown sort order \"{other}\""))
            .with_help("use sort = \"abs\", \"descending\", \"ascending\" (or \"value\") or \"none\"")),
    }
}

/// The order in which to list `values`.
fn order(values: &[C64], sort: Sort) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    let by_value = |a: &C64, b: &C64| a.re.total_cmp(&b.re).then(a.im.total_cmp(&b.im));
    match sort {
        Sort::None => {}
        Sort::Ascending => idx.sort_by(|&i, &j| by_value(&values[i], &values[j])),
        Sort::Descending => idx.sort_by(|&i, &j| by_value(&values[j], &values[i])),
        Sort::Abs => {
            idx.sort_by(|&i, &j| values[j].norm().total_cmp(&values[i].norm()).then(by_value(&values[j], &values[i])))
        }
    }
    idx
}

/// Scales a complex vector so that its first clearly non-zero component is real and positive
/// (real vectors only change sign, so they stay exactly real).
fn normalise_phase(mut col: nalgebra::DVectorViewMut<'_, C64>) {
    let norm = col.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt();
    if norm == 0.0 {
        return;
    }
    let big = col.iter().fold(0.0f64, |m, c| m.max(c.norm()));
    let Some(first) = col.iter().copied().find(|c| c.norm() > 1e-10 * big) else { return };
    if col.iter().all(|c| c.im == 0.0) {
        let s = if first.re < 0.0 { -1.0 / norm } else { 1.0 / norm };
        for c in col.iter_mut() {
            *c = C64::new(c.re * s, 0.0);
        }
    } else {
        let phase = first.conj() / (first.norm() * norm);
        for c in col.iter_mut() {
            *c *= phase;
        }
        // The first component is real by construction: drop the rounding in its imaginary part.
        if let Some(c) = col.iter_mut().find(|c| c.norm() > 1e-10 * big / norm) {
            c.im = 0.0;
        }
    }
}

/// Eigenvalues and normalised eigenvectors of a finite square matrix, ordered by `sort`.
fn eig_sorted(a: &Matrix, sort: Sort) -> Result<(Vec<C64>, CMatrix), BuiltinError> {
    let (values, mut vectors) = crate::solve::eig_of(a, 0)?;
    for col in vectors.column_iter_mut() {
        normalise_phase(col);
    }
    let idx = order(&values, sort);
    let values: Vec<C64> = idx.iter().map(|&i| values[i]).collect();
    let vectors = CMatrix::from_fn(a.nrows(), idx.len(), |r, c| vectors[(r, idx[c])]);
    Ok((values, vectors))
}

fn complex_column(values: &[C64]) -> Value {
    Value::cmatrix(CMatrix::from_column_slice(values.len(), 1, values))
}

builtin! {
    /// The eigenvalues and eigenvectors of a square matrix.
    /// It returns `{values, vectors}` with
    /// `A * vectors[:, k] = values[k] * vectors[:, k]`.
    /// Eigenvalues can be complex (a rotation turns every vector): then `values` and `vectors`
    /// are complex, in conjugate pairs; real eigenvalues are exactly real.
    /// The default order is by size, largest `|λ|` first (`sort` = `"abs"`, `"descending"`,
    /// `"ascending"`, `"none"`). Eigenvectors are unit length with their first non-zero
    /// component positive. For symmetric matrices `eigh` is faster and always real.
    /// Entries near the ends of the floating-point range (1e300, 1e-300) are handled by an
    /// exact power-of-two scaling; eigenvalues beyond the largest double are a `not-finite` error.
    /// ```mml
    /// values, vectors = eig([2, 0; 0, 3])
    /// values          # => 2×1 matrix
    ///                 # =>   3
    ///                 # =>   2
    /// vectors         # => 2×2 matrix
    ///                 # =>   0  1
    ///                 # =>   1  0
    /// eig([0, -1; 1, 0]).values   # => 2×1 complex matrix
    ///                             # =>   0 + 1i
    ///                             # =>   0 - 1i
    /// ```
    pub static EIG: Eigen = "eig"(A, sort = str "abs"), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 25.0)?;
        let a = square_matrix(args, 0, "eig")?;
        let sort = sort_arg(args, 1)?;
        let (values, vectors) = eig_sorted(&a, sort)?;
        Ok(record([("values", complex_column(&values)), ("vectors", Value::cmatrix(vectors))]))
    }
}

builtin! {
    /// The eigenvalues and eigenvectors of a symmetric matrix.
    /// It returns `{values, vectors}`, all real,
    /// the eigenvectors orthonormal. Ascending order by default, like NumPy's `eigh`
    /// (`sort = "descending"` for PCA's order; also `"abs"`, `"none"`). Eigenvectors have their
    /// first non-zero component positive. A matrix that is not symmetric (within `1e-10` of its
    /// largest entry) is a `not-symmetric` error.
    /// ```mml
    /// values, vectors = eigh([3, 2; 2, 3])
    /// values          # => 2×1 matrix
    ///                 # =>   1
    ///                 # =>   5
    /// vectors         # => 2×2 matrix
    ///                 # =>    0.707107  0.707107
    ///                 # =>   -0.707107  0.707107
    /// eigh([3, 2; 2, 3], sort = "descending").values   # => 2×1 matrix
    ///                                                  # =>   5
    ///                                                  # =>   1
    /// ```
    pub static EIGH: Eigen = "eigh"(A, sort = str "ascending"), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 10.0)?;
        let a = square_matrix(args, 0, "eigh")?;
        let sort = sort_arg(args, 1)?;
        if !is_symmetric(&a) {
            return Err(not_symmetric(0, "eigh"));
        }
        let (values, mut vectors) = crate::solve::eigh_of(&a, 0)?;
        normalise_signs(&mut vectors);
        let as_complex: Vec<C64> = values.iter().map(|&v| C64::new(v, 0.0)).collect();
        let idx = order(&as_complex, sort);
        let values: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
        let vectors = Matrix::from_fn(a.nrows(), idx.len(), |r, c| vectors[(r, idx[c])]);
        Ok(record([("values", Value::column(values)), ("vectors", Value::matrix(vectors))]))
    }
}

/// The characteristic polynomial by Faddeev-LeVerrier in exact fractions; `None` when the exact
/// path does not apply (entries not simple fractions, larger than 12×12, or overflow).
fn charpoly_exact(a: &Matrix) -> Option<Vec<f64>> {
    use exact::Rational;
    let n = a.nrows();
    if n > exact::EXACT_MAX_DIM {
        return None;
    }
    let ra = exact::to_rationals(a)?;
    let mut coeffs = vec![Rational::ONE];
    // M_k = A M_{k-1} + c_{k-1} I, c_k = -tr(A M_k) / k, starting from M_0 = 0, c_0 = 1.
    let mut m = vec![vec![Rational::ZERO; n]; n];
    for k in 1..=n {
        let prev = coeffs[k - 1];
        let mut next = vec![vec![Rational::ZERO; n]; n];
        for i in 0..n {
            for j in 0..n {
                let mut s = if i == j { prev } else { Rational::ZERO };
                for (l, row) in m.iter().enumerate() {
                    if !ra[i][l].is_zero() && !row[j].is_zero() {
                        s = s.checked_add(ra[i][l].checked_mul(row[j])?)?;
                    }
                }
                next[i][j] = s;
            }
        }
        m = next;
        let mut tr = Rational::ZERO;
        for (i, row) in ra.iter().enumerate() {
            for (l, x) in row.iter().enumerate() {
                if !x.is_zero() && !m[l][i].is_zero() {
                    tr = tr.checked_add(x.checked_mul(m[l][i])?)?;
                }
            }
        }
        coeffs.push(tr.checked_div(Rational::int(k as i64))?.checked_neg()?);
    }
    Some(coeffs.into_iter().map(Rational::to_f64).collect())
}

builtin! {
    /// The characteristic polynomial of a square matrix.
    /// `charpoly(A)` gives `det(λI - A)` as the column of its
    /// coefficients from the highest power down (monic: the first is 1), like NumPy's `poly`.
    /// Its roots are the eigenvalues. Exact for small matrices of simple fractions; otherwise
    /// computed from the eigenvalues.
    /// ```mml
    /// charpoly([1, 2; 3, 4])   # => 3×1 matrix
    ///                          # =>    1
    ///                          # =>   -5
    ///                          # =>   -2
    /// charpoly([0, -1; 1, 0])  # => 3×1 matrix
    ///                          # =>   1
    ///                          # =>   0
    ///                          # =>   1
    /// ```
    pub static CHARPOLY: Eigen = "charpoly"(A), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 25.0)?;
        let a = square_matrix(args, 0, "charpoly")?;
        if let Some(c) = charpoly_exact(&a) {
            return Ok(Value::column(c));
        }
        let (values, _) = crate::solve::eig_of(&a, 0)?;
        let mut poly = vec![C64::new(1.0, 0.0)];
        for lam in values {
            let mut next = poly.clone();
            next.push(C64::new(0.0, 0.0));
            for (k, c) in poly.iter().enumerate() {
                next[k + 1] -= lam * c;
            }
            poly = next;
        }
        Ok(Value::column(poly.into_iter().map(|c| c.re).collect()))
    }
}

/// The real 2n×2n matrix `[Re, -Im; Im, Re]` whose singular values are those of `m`, twice.
fn real_embedding(m: &CMatrix) -> Matrix {
    let n = m.nrows();
    let c = m.ncols();
    Matrix::from_fn(2 * n, 2 * c, |i, j| {
        let z = m[(i % n, j % c)];
        match (i < n, j < c) {
            (true, true) | (false, false) => z.re,
            (true, false) => -z.im,
            (false, true) => z.im,
        }
    })
}

/// Whether `A` is defective: some cluster of (numerically) equal eigenvalues has fewer
/// independent eigenvectors than its size, judged by the rank of `A − λI`.
fn is_defective(a: &Matrix, values: &[C64]) -> Result<bool, BuiltinError> {
    let n = a.nrows();
    let scale = values.iter().fold(a.iter().fold(0.0f64, |m, x| m.max(x.abs())), |m, v| m.max(v.norm()));
    let cluster_tol = 1e-6 * scale.max(f64::MIN_POSITIVE);
    let mut seen = vec![false; n];
    for i in 0..n {
        if seen[i] {
            continue;
        }
        let members: Vec<usize> = (i..n).filter(|&j| (values[j] - values[i]).norm() <= cluster_tol).collect();
        for &j in &members {
            seen[j] = true;
        }
        if members.len() < 2 {
            continue;
        }
        let mean = members.iter().map(|&j| values[j]).sum::<C64>() / members.len() as f64;
        let shifted =
            CMatrix::from_fn(n, n, |r, c| C64::new(a[(r, c)], 0.0) - if r == c { mean } else { C64::new(0.0, 0.0) });
        let s = kernel::singular_values(&real_embedding(&shifted))
            .ok_or_else(|| no_convergence(0, "singular value decomposition"))?;
        let rank_tol = 1e-6 * scale;
        // Each complex singular value appears twice in the real embedding.
        let rank = s.iter().filter(|&&x| x > rank_tol).count() / 2;
        if n - rank < members.len() {
            return Ok(true);
        }
    }
    Ok(false)
}

builtin! {
    /// Diagonalises a square matrix, `A = P D P⁻¹`.
    /// It returns `{P, D}` with `D` the diagonal matrix of
    /// eigenvalues and `P`'s columns the eigenvectors (as `eig` returns them, in the same
    /// `sort` order). Then `A^n = P D^n P⁻¹`, and `D^n` just raises the diagonal to the `n`th
    /// power. Complex eigenvalues give complex `P` and `D`. A defective matrix (too few
    /// independent eigenvectors, such as the shear `[1, 1; 0, 1]`) cannot be diagonalised: that
    /// is a `not-diagonalizable` error.
    /// ```mml
    /// P, D = diagonalize([6, -1; 2, 3])
    /// D                 # => 2×2 matrix
    ///                   # =>   5  0
    ///                   # =>   0  4
    /// ```
    pub static DIAGONALIZE: Eigen = "diagonalize"(A, sort = str "abs"), |_ctx, args| {
        let a = square_matrix(args, 0, "diagonalize")?;
        let sort = sort_arg(args, 1)?;
        let (values, vectors) = eig_sorted(&a, sort)?;
        let s = kernel::singular_values(&real_embedding(&vectors))
            .ok_or_else(|| no_convergence(0, "singular value decomposition"))?;
        let ill = match (s.first(), s.last()) {
            (Some(&max), Some(&min)) => min <= 1e-13 * max,
            _ => false,
        };
        if ill || is_defective(&a, &values)? {
            return Err(BuiltinError::arg(0, "the matrix is not diagonalizable: it has too few independent eigenvectors")
                .code("not-diagonalizable")
                .with_note("a repeated eigenvalue whose eigenvectors do not span its multiplicity makes the matrix defective")
                .with_help("eig(A) still gives its eigenvalues; matpow(A, n) computes powers without diagonalising"));
        }
        let d = CMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(&values));
        Ok(record([("P", Value::cmatrix(vectors)), ("D", Value::cmatrix(d))]))
    }
}

builtin! {
    /// The matrix power `A^n` for a whole number `n`.
    /// Computed by repeated squaring, the same as the operator `A^n`. `n = 0` gives the identity; a negative `n` is a power of the inverse,
    /// an error for a singular matrix.
    /// ```mml
    /// matpow([1, 1; 1, 0], 10)   # => 2×2 matrix
    ///                            # =>   89  55
    ///                            # =>   55  34
    /// matpow([2, 0; 0, 4], -1)   # => 2×2 matrix
    ///                            # =>   0.5  0
    ///                            # =>   0    0.25
    /// ```
    pub static MATPOW: Eigen = "matpow"(A, n), |_ctx, args| {
        if let Value::Dual(_) = args.get(0) {
            return mml_runtime::ad::arith(mml_lang::ast::BinOp::Pow, args.get(0), args.get(1));
        }
        let a = square_matrix(args, 0, "matpow")?;
        let p = args.num(1)?;
        if !p.is_finite() || p.fract() != 0.0 {
            return Err(BuiltinError::arg(1, "the power must be a whole number")
                .with_help("for element-wise powers use `.^`"));
        }
        let mut base = if p < 0.0 { inverse(&a, 0)? } else { (*a).clone() };
        let mut e = p.abs() as u64;
        let n = a.nrows();
        let mut acc = Matrix::identity(n, n);
        while e > 0 {
            if e & 1 == 1 {
                acc = kernel::matmul(&acc, &base);
            }
            e >>= 1;
            if e > 0 {
                base = kernel::matmul(&base, &base);
            }
        }
        Ok(narrow(acc))
    }
}
