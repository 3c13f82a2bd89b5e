//! Tests of the dense kernels: residuals on fixed-seed random and structured matrices.

use super::exact::{self, Rational};
use super::*;

/// A fixed-seed linear congruential generator (Knuth's MMIX constants), uniform in [-1, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    fn matrix(&mut self, r: usize, c: usize) -> Matrix {
        Matrix::from_fn(r, c, |_, _| self.next())
    }
}

fn fro(m: &Matrix) -> f64 {
    m.norm()
}

fn hilbert(n: usize) -> Matrix {
    Matrix::from_fn(n, n, |i, j| 1.0 / (i + j + 1) as f64)
}

#[test]
fn matmul_matches_nalgebra() {
    let mut g = Lcg(1);
    for (m, k, n) in [(3, 4, 5), (17, 9, 1), (1, 1, 1), (0, 3, 2), (3, 0, 2), (40, 33, 21)] {
        let a = g.matrix(m, k);
        let b = g.matrix(k, n);
        let c = matmul(&a, &b);
        assert_eq!(c.shape(), (m, n));
        assert!(fro(&(c - &a * &b)) <= 1e-13 * (1.0 + fro(&a) * fro(&b)));
    }
}

#[test]
fn lu_reconstructs_pa() {
    let mut g = Lcg(2);
    for (m, n) in [(5, 5), (6, 3), (3, 6), (1, 1), (30, 30)] {
        let a = g.matrix(m, n);
        let f = lu(&a);
        let (l, u, p) = (f.l(), f.u(), f.p());
        assert!(fro(&(&p * &a - &l * &u)) <= 1e-13 * fro(&a), "{m}×{n}");
        // Partial pivoting keeps every multiplier at most 1 in size.
        assert!(l.iter().all(|x| x.abs() <= 1.0 + 1e-15));
    }
}

#[test]
fn lu_solve_and_det_on_random_systems() {
    let mut g = Lcg(3);
    for n in [1, 2, 7, 25] {
        let a = g.matrix(n, n);
        let b = g.matrix(n, 2);
        let x = solve(&a, &b).unwrap();
        assert!(fro(&(&a * &x - &b)) <= 1e-12 * fro(&a) * fro(&x), "n = {n}");
        let xt = lu(&a).solve_transpose(&b);
        assert!(fro(&(a.transpose() * &xt - &b)) <= 1e-12 * fro(&a) * fro(&xt));
        let d = lu(&a).det();
        assert!((d - a.clone().determinant()).abs() <= 1e-12 * d.abs().max(1.0), "n = {n}");
    }
}

#[test]
fn rcond_estimates_the_condition_number() {
    // Identity: exactly 1. Diagonal diag(1, 1e-6): 1e-6.
    assert_eq!(lu(&Matrix::identity(4, 4)).rcond(1.0), 1.0);
    let d = Matrix::from_diagonal(&nalgebra::DVector::from_vec(vec![1.0, 1e-6]));
    assert!((lu(&d).rcond(norm1(&d)) - 1e-6).abs() < 1e-12);
    // Hilbert 8: cond_1 = 3.387e10 (Higham, Accuracy and Stability, table 28.1 gives κ₁).
    let h = hilbert(8);
    let rc = lu(&h).rcond(norm1(&h));
    assert!(rc > 1.0 / 4e10 && rc < 1.0 / 2.5e10, "rcond {rc}");
    // Hilbert 13 is singular to working precision.
    let h = hilbert(13);
    assert!(lu(&h).rcond(norm1(&h)) < RCOND_SINGULAR);
}

#[test]
fn singular_systems_are_reported() {
    let a = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0]);
    let b = Matrix::from_row_slice(2, 1, &[1.0, 2.0]);
    assert_eq!(solve(&a, &b), Err(SolveError::Singular { rcond: 0.0 }));
    // Too big for the exact path: an 14×14 matrix with two equal columns.
    let mut g = Lcg(4);
    let mut a = g.matrix(14, 14);
    let c = a.column(0).into_owned();
    a.set_column(5, &c);
    assert!(matches!(solve(&a, &g.matrix(14, 1)), Err(SolveError::Singular { .. })));
    let nan = Matrix::from_row_slice(1, 1, &[f64::NAN]);
    assert_eq!(solve(&nan, &b.rows(0, 1).into_owned()), Err(SolveError::NotFinite));
}

#[test]
fn least_squares_and_minimum_norm() {
    let mut g = Lcg(5);
    // Tall, full rank: the residual is orthogonal to the columns.
    let a = g.matrix(20, 4);
    let b = g.matrix(20, 1);
    let x = solve(&a, &b).unwrap();
    assert!(fro(&(a.transpose() * (&a * &x - &b))) < 1e-12);
    // Tall, rank deficient: minimum-norm least squares, x orthogonal to the null space.
    let mut a = g.matrix(10, 3);
    let c = a.column(0) * 2.0;
    a.set_column(2, &c);
    let x = solve(&a, &b.rows(0, 10).into_owned()).unwrap();
    let r = &a * &x - b.rows(0, 10);
    assert!(fro(&(a.transpose() * r)) < 1e-12);
    let null = Matrix::from_row_slice(3, 1, &[2.0, 0.0, -1.0]);
    assert!((x.transpose() * null)[0].abs() < 1e-12);
    // Wide: an exact solution of least norm (x in the row space).
    let a = g.matrix(3, 7);
    let b = g.matrix(3, 1);
    let x = solve(&a, &b).unwrap();
    assert!(fro(&(&a * &x - &b)) < 1e-13);
    let svd = svd(&a, false).unwrap();
    assert!(fro(&(&svd.v * svd.v.transpose() * &x - &x)) < 1e-13);
    // The known answer: x + y = 2 has minimum-norm solution (1, 1).
    let x = solve(&Matrix::from_row_slice(1, 2, &[1.0, 1.0]), &Matrix::from_element(1, 1, 2.0)).unwrap();
    assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 1.0).abs() < 1e-15);
}

#[test]
fn qr_thin_and_full() {
    let mut g = Lcg(6);
    for (m, n) in [(6, 3), (3, 6), (5, 5), (1, 4)] {
        let a = g.matrix(m, n);
        for full in [false, true] {
            let (q, r) = qr(&a, full);
            let k = if full { m } else { m.min(n) };
            assert_eq!((q.shape(), r.shape()), ((m, k), (k, n)));
            assert!(fro(&(&q * &r - &a)) < 1e-13);
            assert!(fro(&(q.transpose() * &q - Matrix::identity(k, k))) < 1e-13);
            assert!((0..r.nrows()).all(|i| (0..i.min(n)).all(|j| r[(i, j)] == 0.0)));
        }
    }
}

#[test]
fn cholesky_of_spd_and_not() {
    let mut g = Lcg(7);
    let b = g.matrix(6, 6);
    let a = &b * b.transpose() + Matrix::identity(6, 6);
    let l = cholesky(&a).unwrap();
    assert!(fro(&(&l * l.transpose() - &a)) < 1e-12);
    assert!((0..6).all(|i| l[(i, i)] > 0.0 && (i + 1..6).all(|j| l[(i, j)] == 0.0)));
    assert!(cholesky(&Matrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0])).is_none());
}

#[test]
fn svd_residuals_and_known_values() {
    let mut g = Lcg(8);
    for (m, n) in [(8, 3), (3, 8), (6, 6)] {
        let a = g.matrix(m, n);
        let s = svd(&a, false).unwrap();
        let k = m.min(n);
        let sm = Matrix::from_diagonal(&nalgebra::DVector::from_vec(s.s.clone()));
        assert!(fro(&(&s.u * sm * s.v.transpose() - &a)) < 1e-13);
        assert!(fro(&(s.u.transpose() * &s.u - Matrix::identity(k, k))) < 1e-13);
        assert!(fro(&(s.v.transpose() * &s.v - Matrix::identity(k, k))) < 1e-13);
        assert!(s.s.windows(2).all(|w| w[0] >= w[1]) && s.s.iter().all(|&x| x >= 0.0));
        let full = svd(&a, true).unwrap();
        assert_eq!((full.u.shape(), full.v.shape()), ((m, m), (n, n)));
        assert!(fro(&(full.u.transpose() * &full.u - Matrix::identity(m, m))) < 1e-13);
        let only = singular_values(&a).unwrap();
        assert!(only.iter().zip(&s.s).all(|(p, q)| (p - q).abs() < 1e-13));
        // Pseudo-inverse: A A⁺ A = A.
        assert!(fro(&(&a * s.pinv(None) * &a - &a)) < 1e-12);
    }
    // [3, 2, 2; 2, 3, -2] has singular values 5 and 3 (Strang, Introduction to Linear Algebra).
    let a = Matrix::from_row_slice(2, 3, &[3.0, 2.0, 2.0, 2.0, 3.0, -2.0]);
    let s = singular_values(&a).unwrap();
    assert!((s[0] - 5.0).abs() < 1e-14 && (s[1] - 3.0).abs() < 1e-14);
}

#[test]
fn symmetric_eigen() {
    let mut g = Lcg(9);
    let b = g.matrix(12, 12);
    let a = &b + b.transpose();
    let (vals, vecs) = eigh(&a).unwrap();
    let lam = Matrix::from_diagonal(&nalgebra::DVector::from_vec(vals.clone()));
    assert!(fro(&(&a * &vecs - &vecs * lam)) < 1e-12);
    assert!(fro(&(vecs.transpose() * &vecs - Matrix::identity(12, 12))) < 1e-13);
    assert!(vals.windows(2).all(|w| w[0] <= w[1]));
    // The course's eig([3, 2; 2, 3]) = 1, 5.
    let (vals, _) = eigh(&Matrix::from_row_slice(2, 2, &[3.0, 2.0, 2.0, 3.0])).unwrap();
    assert!((vals[0] - 1.0).abs() < 1e-14 && (vals[1] - 5.0).abs() < 1e-14);
}

#[test]
fn general_eigen_real_and_complex() {
    let mut g = Lcg(10);
    let a = g.matrix(9, 9);
    let (vals, vecs) = eig(&a).unwrap();
    let ac = a.map(|x| C64::new(x, 0.0));
    let lam = CMatrix::from_diagonal(&nalgebra::DVector::from_vec(vals.clone()));
    assert!((&ac * &vecs - &vecs * lam).norm() < 1e-12);
    // Real eigenvalues are exactly real; complex ones come in conjugate pairs.
    for (i, v) in vals.iter().enumerate() {
        if v.im != 0.0 {
            assert!(vals.iter().any(|w| *w == v.conj()), "eigenvalue {i} has no conjugate");
        }
    }
    // A rotation by 90°: ±i.
    let (vals, _) = eig(&Matrix::from_row_slice(2, 2, &[0.0, -1.0, 1.0, 0.0])).unwrap();
    let mut ims: Vec<f64> = vals.iter().map(|v| v.im).collect();
    ims.sort_by(f64::total_cmp);
    assert!((ims[0] + 1.0).abs() < 1e-15 && (ims[1] - 1.0).abs() < 1e-15);
    assert!(vals.iter().all(|v| v.re.abs() < 1e-15));
    // An upper-triangular matrix: real eigenvalues on the diagonal, imaginary parts exactly 0.
    let (vals, vecs) = eig(&Matrix::from_row_slice(3, 3, &[2.0, 1.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0, 5.0])).unwrap();
    assert!(vals.iter().all(|v| v.im == 0.0) && vecs.iter().all(|v| v.im == 0.0));
    let mut re: Vec<f64> = vals.iter().map(|v| v.re).collect();
    re.sort_by(f64::total_cmp);
    assert!((re[0] - 2.0).abs() < 1e-14 && (re[1] - 3.0).abs() < 1e-14 && (re[2] - 5.0).abs() < 1e-14);
}

#[test]
fn empty_matrices() {
    let e = Matrix::zeros(0, 0);
    assert_eq!(solve(&e, &e), Ok(Matrix::zeros(0, 0)));
    assert_eq!(lu(&e).det(), 1.0);
    assert_eq!(svd(&Matrix::zeros(0, 3), false).unwrap().s.len(), 0);
    assert_eq!(eigh(&e).unwrap().0.len(), 0);
    assert_eq!(eig(&e).unwrap().0.len(), 0);
    let (q, r) = qr(&Matrix::zeros(3, 0), false);
    assert_eq!((q.shape(), r.shape()), ((3, 0), (0, 0)));
    assert_eq!(solve(&Matrix::zeros(0, 2), &Matrix::zeros(0, 1)), Ok(Matrix::zeros(2, 1)));
}

#[test]
fn rationals_read_simple_fractions() {
    assert_eq!(Rational::from_f64(0.1).map(|r| r.to_string()), Some("1/10".into()));
    assert_eq!(Rational::from_f64(1.0 / 3.0).map(|r| r.to_string()), Some("1/3".into()));
    assert_eq!(Rational::from_f64(-2.5).map(|r| r.to_string()), Some("-5/2".into()));
    assert_eq!(Rational::from_f64(7.0).map(|r| r.to_string()), Some("7".into()));
    assert_eq!(Rational::from_f64(0.1 + 0.2), None);
    assert_eq!(Rational::from_f64(f64::NAN), None);
    assert_eq!(Rational::from_f64(std::f64::consts::PI), None);
    let half = Rational::new(1, 2).unwrap();
    let third = Rational::new(1, 3).unwrap();
    assert_eq!(half.checked_add(third).unwrap().to_string(), "5/6");
    assert_eq!(half.checked_sub(third).unwrap().to_string(), "1/6");
    assert_eq!(half.checked_mul(third).unwrap().to_string(), "1/6");
    assert_eq!(half.checked_div(third).unwrap().to_string(), "3/2");
    assert_eq!(half.checked_div(Rational::ZERO), None);
    assert!(third < half);
    let big = Rational::new(i128::MAX, 1).unwrap();
    assert_eq!(big.checked_add(big), None);
}

#[test]
fn exact_solve_det_and_inverse() {
    let a = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(exact::det(&a), Some(-2.0));
    let inv = exact::inverse(&a).unwrap().unwrap();
    assert_eq!(inv.as_slice(), &[-2.0, 1.5, 1.0, -0.5]);
    let x = exact::solve(&a, &Matrix::from_row_slice(2, 1, &[5.0, 6.0])).unwrap().unwrap();
    assert_eq!(x.as_slice(), &[-4.0, 4.5]);
    assert_eq!(exact::solve(&Matrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0]), &Matrix::zeros(2, 1)), Some(None));
    // Hilbert 6 has determinant 1/186313420339200000 (exact, OEIS A005249).
    let d = exact::det(&hilbert(6)).unwrap();
    assert_eq!(d, 1.0 / 186313420339200000.0);
    // Not rational: no exact path.
    assert_eq!(exact::det(&Matrix::from_element(1, 1, std::f64::consts::PI)), None);
}
