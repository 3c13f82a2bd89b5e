//! Tests of the sampling builtins: ranges and shapes, reproducibility from `seed`, the
//! documented draw algorithms, statistical sanity (with tolerances of several standard errors
//! on fixed seeds), and the error codes.
#![allow(clippy::cloned_ref_to_slice_refs)]

use mml_runtime::{Matrix, Value};

use super::below;
use crate::random::Xoshiro256;
use crate::stats::tests::{as_mat, as_num, b, column, err, err_kw, m, n, ok, ok_kw, rows};

fn seed(k: f64) {
    ok("seed", &[n(k)]);
}

#[test]
fn below_rejects_the_biased_tail() {
    // Reproduce the documented rule by hand for k = 3.
    let mut r = Xoshiro256::new(9);
    let mut reference = Xoshiro256::new(9);
    let k = std::hint::black_box(3u64);
    let rem = (u64::MAX % k + 1) % k;
    for _ in 0..1000 {
        let expected = loop {
            let u = reference.next_u64();
            if u <= u64::MAX - rem {
                break u % k;
            }
        };
        assert_eq!(below(&mut r, k), expected);
    }
    // Powers of two never reject.
    let mut r = Xoshiro256::new(1);
    let mut reference = Xoshiro256::new(1);
    assert_eq!(below(&mut r, 8), reference.next_u64() % 8);
    let mut counts = [0usize; 6];
    let mut r = Xoshiro256::new(5);
    for _ in 0..60_000 {
        counts[below(&mut r, 6) as usize] += 1;
    }
    // Each count is 10000 ± 91 (one standard error); allow five.
    assert!(counts.iter().all(|c| (*c as f64 - 10_000.0).abs() < 460.0), "{counts:?}");
}

#[test]
fn randint_is_inclusive_and_reproducible() {
    seed(11.0);
    let d = as_mat(&ok("randint", &[n(-2.0), n(2.0), n(5000.0)]));
    assert_eq!(d.shape(), (5000, 1));
    for k in -2..=2 {
        let c = d.iter().filter(|v| **v == f64::from(k)).count();
        assert!((c as f64 - 1000.0).abs() < 150.0, "{k}: {c}");
    }
    seed(11.0);
    assert_eq!(as_mat(&ok("randint", &[n(-2.0), n(2.0), n(5000.0)])), d);
    assert_eq!(as_mat(&ok("randint", &[n(1.0), n(1.0), n(2.0), n(3.0)])), Matrix::from_element(2, 3, 1.0));
    assert_eq!(as_num(&ok("randint", &[n(4.0), n(4.0)])), 4.0);
    assert_eq!(err("randint", &[n(2.0), n(1.0)]), "invalid-argument");
    assert_eq!(err("randint", &[n(0.5), n(1.0)]), "invalid-argument");
    assert_eq!(err("randint", &[n(0.0), n(1e300)]), "invalid-argument");
    assert_eq!(err("randint", &[n(0.0), n(1.0), Value::Nothing, n(2.0)]), "invalid-argument");
    assert_eq!(err("randint", &[n(0.0), n(1.0), n(1e6), n(1e6)]), "limit-exceeded");
}

#[test]
fn shuffle_permutes_elements_rows_and_lists() {
    seed(3.0);
    let p = as_mat(&ok("shuffle", &[ok("range", &[n(1.0), n(50.0)])]));
    let mut sorted: Vec<f64> = p.iter().copied().collect();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(sorted, (1..=50).map(f64::from).collect::<Vec<_>>());
    assert_ne!(p, Matrix::from_fn(50, 1, |i, _| (i + 1) as f64));
    // Rows stay whole.
    let x = Matrix::from_fn(6, 2, |i, j| (10 * i + j) as f64);
    let sx = as_mat(&ok("shuffle", &[m(x)]));
    for r in sx.row_iter() {
        assert_eq!(r[1], r[0] + 1.0);
    }
    let row = as_mat(&ok("shuffle", &[m(Matrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]))]));
    assert_eq!(row.shape(), (1, 3));
    let list = Value::List(std::rc::Rc::new(vec![n(1.0), Value::str("a")]));
    assert!(matches!(ok("shuffle", &[list]), Value::List(l) if l.len() == 2));
    assert_eq!(err("shuffle", &[n(3.0)]), "type-mismatch");
    // Every permutation of three items appears, with frequencies near 1/6.
    let mut counts = std::collections::HashMap::new();
    for _ in 0..6000 {
        let p = as_mat(&ok("shuffle", &[m(column(&[1.0, 2.0, 3.0]))]));
        *counts.entry(p.iter().map(|v| *v as u8).collect::<Vec<_>>()).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 6);
    assert!(counts.values().all(|c| (*c as f64 - 1000.0).abs() < 150.0), "{counts:?}");
}

#[test]
fn choice_with_and_without_replacement() {
    seed(5.0);
    let s = as_mat(&ok("choice", &[ok("range", &[n(1.0), n(10.0)]), n(10.0)]));
    let mut v: Vec<f64> = s.iter().copied().collect();
    v.sort_by(f64::total_cmp);
    assert_eq!(v, (1..=10).map(f64::from).collect::<Vec<_>>());
    assert_eq!(err("choice", &[m(column(&[1.0, 2.0])), n(3.0)]), "invalid-argument");
    let r = as_mat(&ok_kw("choice", &[m(column(&[1.0, 2.0])), n(30.0)], &[("replace", b(true))]));
    assert_eq!(r.len(), 30);
    // Weights: a zero weight is never drawn; frequencies follow the weights.
    let w = m(column(&[0.0, 1.0, 3.0]));
    let draws =
        as_mat(&ok_kw("choice", &[m(column(&[7.0, 8.0, 9.0])), n(4000.0)], &[("replace", b(true)), ("p", w.clone())]));
    assert!(draws.iter().all(|v| *v != 7.0));
    let nines = draws.iter().filter(|v| **v == 9.0).count() as f64;
    assert!((nines / 4000.0 - 0.75).abs() < 0.035, "{nines}");
    let two = as_mat(&ok_kw("choice", &[m(column(&[7.0, 8.0, 9.0])), n(2.0)], &[("p", w.clone())]));
    let mut t: Vec<f64> = two.iter().copied().collect();
    t.sort_by(f64::total_cmp);
    assert_eq!(t, vec![8.0, 9.0]);
    assert_eq!(err_kw("choice", &[m(column(&[7.0, 8.0, 9.0])), n(3.0)], &[("p", w)]), "invalid-argument");
    assert_eq!(err_kw("choice", &[m(column(&[7.0, 8.0]))], &[("p", m(column(&[1.0, -1.0])))]), "invalid-argument");
    assert_eq!(err_kw("choice", &[m(column(&[7.0, 8.0]))], &[("p", m(column(&[0.0, 0.0])))]), "invalid-argument");
    assert_eq!(err_kw("choice", &[m(column(&[7.0, 8.0]))], &[("p", m(column(&[1.0])))]), "shape-mismatch");
    // One item: a number, a row or a list item; rows of a matrix stay whole.
    assert!(matches!(ok("choice", &[m(column(&[4.0, 5.0]))]), Value::Num(_)));
    let x = rows(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 6.0]]);
    let one = as_mat(&ok("choice", &[m(x.clone())]));
    assert_eq!(one.shape(), (1, 2));
    assert_eq!(one[1], one[0] + 1.0);
    assert_eq!(as_mat(&ok("choice", &[m(x), n(2.0)])).shape(), (2, 2));
    assert_eq!(err("choice", &[n(5.0)]), "type-mismatch");
    assert_eq!(err("choice", &[m(Matrix::zeros(0, 1))]), "invalid-argument");
}

#[test]
fn multivariate_normal_samples() {
    seed(8.0);
    let mu = m(column(&[1.0, -2.0, 0.5]));
    let sigma = rows(&[&[2.0, 0.6, 0.0], &[0.6, 1.0, -0.3], &[0.0, -0.3, 0.5]]);
    let x = as_mat(&ok("mvn_sample", &[mu.clone(), m(sigma.clone()), n(20_000.0)]));
    assert_eq!(x.shape(), (20_000, 3));
    let mean = as_mat(&ok("mean", &[m(x.clone())]));
    // Standard errors of the means are at most sqrt(2 / 20000) = 0.01.
    assert!((mean - Matrix::from_row_slice(1, 3, &[1.0, -2.0, 0.5])).amax() < 0.04);
    let c = as_mat(&ok("cov", &[m(x.clone())]));
    assert!((c - &sigma).amax() < 0.07);
    // The first rows do not depend on n.
    seed(8.0);
    let head = as_mat(&ok("mvn_sample", &[mu.clone(), m(sigma.clone()), n(5.0)]));
    assert_eq!(head, x.rows(0, 5).into_owned());
    // Sample 1 is mu + L z with the Cholesky factor and the first three normals.
    seed(8.0);
    let z = as_mat(&ok("randn", &[n(3.0)]));
    let l = sigma.clone().cholesky().unwrap().l();
    let first = (l * z + column(&[1.0, -2.0, 0.5])).transpose();
    assert!((first - head.rows(0, 1)).amax() < 1e-14);
    // A singular covariance (perfectly correlated pair) works: the samples lie on the line.
    let y = as_mat(&ok("mvn_sample", &[m(column(&[0.0, 0.0])), m(rows(&[&[1.0, 2.0], &[2.0, 4.0]])), n(50.0)]));
    assert!(y.row_iter().all(|r| (r[1] - 2.0 * r[0]).abs() < 1e-12));
    assert_eq!(
        err("mvn_sample", &[m(column(&[0.0, 0.0])), m(rows(&[&[1.0, 2.0], &[2.0, 1.0]]))]),
        "not-positive-definite"
    );
    assert_eq!(err("mvn_sample", &[m(column(&[0.0, 0.0])), m(rows(&[&[1.0, 2.0], &[0.0, 1.0]]))]), "not-symmetric");
    assert_eq!(err("mvn_sample", &[mu, m(Matrix::identity(2, 2))]), "shape-mismatch");
    assert_eq!(as_mat(&ok("mvn_sample", &[n(3.0), n(4.0), n(2.0)])).shape(), (2, 1));
}
