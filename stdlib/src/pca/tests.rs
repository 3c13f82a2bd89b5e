//! Tests of PCA, k-nearest neighbours, pairwise distances and inner products: scikit-learn
//! values from `tests/data/stats_numpy.json`, the course's PCA tests, residual checks
//! (`‖S U − U Λ‖`, `‖UᵀU − I‖`, `P² = P`), the deterministic tie rules and the error codes.
#![allow(clippy::cloned_ref_to_slice_refs)]

use mml_runtime::{Matrix, Value};

use crate::stats::tests::{
    as_mat, as_num, b, call, case, close, column, digits, err, err_kw, field, iris, m, n, ok, ok_kw, record, row, rows,
    s,
};

/// The columns `cols` (1-based) of `x`.
fn columns(x: &Matrix, cols: &[f64]) -> Matrix {
    Matrix::from_fn(x.nrows(), cols.len(), |i, j| x[(i, cols[j] as usize - 1)])
}

/// The rows `idx` (1-based) of `x`.
fn select(x: &Matrix, idx: &[f64]) -> Matrix {
    let idx: Vec<usize> = idx.iter().map(|i| *i as usize - 1).collect();
    x.select_rows(&idx)
}

/// Checks a `pca` record against a reference case (see `gen_stats_numpy.py`).
#[track_caller]
fn check_pca(r: &Value, c: &crate::stats::tests::Json, tol: f64) {
    close(&as_mat(&field(r, "components")), &c.get("components").matrix(), tol);
    close(&as_mat(&field(r, "values")), &c.get("values").column(), tol);
    close(&as_mat(&field(r, "explained_ratio")), &c.get("explained_ratio").column(), tol);
    close(&as_mat(&field(r, "mean")), &c.get("mean").row(), 1e-13);
    close(&as_mat(&field(r, "scores")).rows(0, 5).into_owned(), &c.get("scores_head").matrix(), tol);
    close(&as_mat(&field(r, "reconstruction")).rows(0, 5).into_owned(), &c.get("reconstruction_head").matrix(), tol);
}

#[test]
fn iris_pca_matches_scikit_learn_by_every_route() {
    let (x, _) = iris();
    for (name, k) in [("iris_pca", 4.0), ("iris_pca2", 2.0)] {
        let c = case(name);
        for method in ["auto", "cov", "svd"] {
            let r = ok_kw("pca", &[m(x.clone()), n(k)], &[("method", s(method))]);
            check_pca(&r, &c, 1e-10);
            let mse = as_num(&ok("mse", &[m(x.clone()), field(&r, "reconstruction")]));
            assert!((mse - c.get("mse").num()).abs() <= 1e-10 * c.get("mse").num().max(1e-12), "{method}: {mse}");
        }
    }
}

#[test]
fn digits_pca_matches_scikit_learn() {
    let c = case("digits_pca");
    let (d, _) = digits();
    let r = ok("pca", &[m(d.clone())]);
    let ratio = as_mat(&field(&r, "explained_ratio"));
    // The smallest variances are tiny: compare with an absolute tolerance on the ratios.
    for (a, e) in ratio.iter().zip(c.get("explained_ratio").vec()) {
        assert!((a - e).abs() < 1e-12, "{a} vs {e}");
    }
    close(
        &as_mat(&field(&r, "values")).rows(0, 20).into_owned(),
        &c.get("values").column().rows(0, 20).into_owned(),
        1e-10,
    );
    close(&as_mat(&field(&r, "components")).columns(0, 3).into_owned(), &c.get("components3").matrix(), 1e-9);
    // The number of components for 90% of the variance: the first k with cumsum ≥ 0.9.
    let cum = as_mat(&ok("cumsum", &[field(&r, "explained_ratio")]));
    let k90 = cum.iter().position(|v| *v >= 0.9).unwrap() + 1;
    assert_eq!(k90 as f64, c.get("k90").num());
    for (k, expected) in [(1.0, "1"), (5.0, "5"), (10.0, "10"), (20.0, "20"), (40.0, "40")] {
        let rk = ok("pca", &[m(d.clone()), n(k)]);
        let mse = as_num(&ok("mse", &[m(d.clone()), field(&rk, "reconstruction")]));
        let e = c.get("mse").get(expected).num();
        assert!((mse - e).abs() <= 1e-9 * e, "k = {k}: {mse} vs {e}");
    }
    // All 64 components reconstruct the data.
    close(&as_mat(&field(&r, "reconstruction")), &d, 1e-10);
}

#[test]
fn the_high_dimensional_route_agrees_with_the_others() {
    let c = case("digits_high_dim");
    let (d, _) = digits();
    let x = d.rows(0, 40).into_owned();
    for method in ["auto", "high_dim", "cov", "svd"] {
        let r = ok_kw("pca", &[m(x.clone()), n(5.0)], &[("method", s(method))]);
        check_pca(&r, &c, 1e-9);
    }
    // All 40 components: the centred data has rank at most 39, so the last direction (zero
    // variance) is completed to an orthonormal basis, and the data is reconstructed.
    for method in ["high_dim", "cov", "svd"] {
        let r = ok_kw("pca", &[m(x.clone())], &[("method", s(method))]);
        let u = as_mat(&field(&r, "components"));
        assert_eq!(u.shape(), (64, 40));
        close(&(u.transpose() * &u), &Matrix::identity(40, 40), 1e-10);
        close(&as_mat(&field(&r, "reconstruction")), &x, 1e-9);
        assert!(as_mat(&field(&r, "values")).iter().all(|v| *v >= 0.0));
    }
}

#[test]
fn components_are_eigenvectors_of_the_covariance() {
    let (x, _) = iris();
    let r = ok("pca", &[m(x.clone())]);
    let u = as_mat(&field(&r, "components"));
    let lam = as_mat(&field(&r, "values"));
    let sx = as_mat(&ok("cov", &[m(x)]));
    let residual = &sx * &u - &u * Matrix::from_diagonal(&lam.column(0).into_owned());
    assert!(residual.norm() < 1e-12 * sx.norm(), "‖SU − UΛ‖ = {}", residual.norm());
    assert!((u.transpose() * &u - Matrix::identity(4, 4)).norm() < 1e-13);
    // Sign convention: the first clearly non-zero element of each component is positive.
    for col in u.column_iter() {
        assert!(col.iter().find(|v| v.abs() > 1e-10).is_some_and(|v| *v > 0.0));
    }
    // Ratios of all components sum to 1; values are in decreasing order.
    let ratio = as_mat(&field(&r, "explained_ratio"));
    assert!((ratio.sum() - 1.0).abs() < 1e-14);
    assert!(lam.as_slice().windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn the_courses_pca_tests() {
    // Data with covariance [[3, 2], [2, 3]] (the notebook's eig test): values 5, 1 and unit
    // vectors whose first element is ≥ 0.
    let a = 5f64.sqrt();
    let x = m(rows(&[&[a, a], &[-a, -a], &[1.0, -1.0], &[-1.0, 1.0]]));
    close(&as_mat(&ok("cov", &[x.clone()])), &rows(&[&[3.0, 2.0], &[2.0, 3.0]]), 1e-15);
    let r = ok("pca", &[x.clone()]);
    let u = as_mat(&field(&r, "components"));
    let h = std::f64::consts::FRAC_1_SQRT_2;
    close(&u, &rows(&[&[h, h], &[h, -h]]), 1e-12);
    close(&as_mat(&field(&r, "values")), &column(&[5.0, 1.0]), 1e-14);
    // M = D reconstructs X exactly; pca_transform / pca_reconstruct round-trip.
    close(&as_mat(&field(&r, "reconstruction")), &as_mat(&x), 1e-13);
    let z = ok("pca_transform", &[r.clone(), x.clone()]);
    close(&as_mat(&z), &as_mat(&field(&r, "scores")), 1e-14);
    close(&as_mat(&ok("pca_reconstruct", &[r.clone(), z])), &as_mat(&x), 1e-13);
    // A single observation given as a vector.
    let one = as_mat(&ok("pca_transform", &[r.clone(), m(column(&[1.0, 1.0]))]));
    assert_eq!(one.shape(), (1, 2));
    // N < D: 5 observations of 8 features, PCA_high_dim = PCA for M = 2.
    let y = rows(&[
        &[0.3, -1.2, 0.5, 2.0, 0.1, -0.7, 1.1, 0.0],
        &[1.5, 0.2, -0.3, 0.4, 0.9, 1.2, -0.5, 0.3],
        &[-0.8, 0.7, 1.9, -1.1, 0.0, 0.4, 0.6, -1.4],
        &[0.2, 0.2, -0.6, 0.8, -1.3, 0.5, 0.9, 1.0],
        &[1.1, -0.4, 0.3, -0.2, 0.7, -1.0, 0.2, 0.6],
    ]);
    let a = ok_kw("pca", &[m(y.clone()), n(2.0)], &[("method", s("cov"))]);
    let h = ok_kw("pca", &[m(y), n(2.0)], &[("method", s("high_dim"))]);
    for f in ["components", "values", "scores", "reconstruction"] {
        close(&as_mat(&field(&h, f)), &as_mat(&field(&a, f)), 1e-12);
    }
}

#[test]
fn pca_errors() {
    let x = m(rows(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 7.0]]));
    assert_eq!(err("pca", &[x.clone(), n(0.0)]), "invalid-argument");
    assert_eq!(err("pca", &[x.clone(), n(3.0)]), "invalid-argument");
    assert_eq!(err_kw("pca", &[x.clone()], &[("method", s("qr"))]), "invalid-argument");
    assert_eq!(err("pca", &[m(Matrix::zeros(0, 3))]), "invalid-argument");
    assert_eq!(err("pca", &[m(rows(&[&[1.0, f64::NAN], &[0.0, 1.0]]))]), "invalid-argument");
    let r = ok("pca", &[x.clone(), n(1.0)]);
    assert_eq!(err("pca_transform", &[n(1.0), x.clone()]), "type-mismatch");
    assert_eq!(err("pca_transform", &[record(vec![("mean", n(1.0))]), x.clone()]), "type-mismatch");
    assert_eq!(err("pca_transform", &[r.clone(), m(Matrix::zeros(2, 3))]), "shape-mismatch");
    assert_eq!(err("pca_reconstruct", &[r, m(Matrix::zeros(2, 2))]), "shape-mismatch");
    // Without the reconstruction the other fields are the same.
    let lean = ok_kw("pca", &[x.clone(), n(1.0)], &[("reconstruct", b(false))]);
    assert!(matches!(&lean, Value::Record(rec) if rec.get("reconstruction").is_none()));
    assert_eq!(as_mat(&field(&lean, "scores")), as_mat(&field(&ok("pca", &[x.clone(), n(1.0)]), "scores")));
    // Constant data: no variance, ratios 0, components still orthonormal.
    let c = ok("pca", &[m(Matrix::from_element(4, 3, 2.0))]);
    let u = as_mat(&field(&c, "components"));
    close(&(u.transpose() * &u), &Matrix::identity(3, 3), 1e-15);
    assert!(as_mat(&field(&c, "explained_ratio")).iter().all(|v| *v == 0.0));
}

// ---------------------------------------------------------------------------------------------
// k-nearest neighbours and distances.

#[test]
fn knn_matches_scikit_learn_where_there_is_no_tie() {
    let (x, y) = iris();
    for name in ["knn4", "knn2"] {
        let c = case(name);
        let cols = c.get("features").vec();
        let train = c.get("train").vec();
        let test = c.get("test").vec();
        let xt = select(&columns(&x, &cols), &train);
        let yt = select(&y, &train);
        let q = select(&columns(&x, &cols), &test);
        let pred = as_mat(&ok("knn", &[n(c.get("k").num()), m(xt), m(yt), m(q)]));
        let tied = c.get("tied").bools();
        let mut compared = 0;
        for ((p, e), t) in pred.iter().zip(c.get("predicted").vec()).zip(tied) {
            if !t {
                assert_eq!(*p, e, "{name}");
                compared += 1;
            }
        }
        assert!(compared >= 15, "{name}: only {compared} untied queries");
    }
    let acc = as_mat(&ok("knn", &[n(3.0), m(x.clone()), m(y.clone()), m(x)]))
        .iter()
        .zip(y.iter())
        .filter(|(p, e)| p == e)
        .count();
    assert_eq!(acc as f64 / 150.0, case("knn_accuracy_self_k3").num());
}

#[test]
fn knn_ties_are_deterministic() {
    // The query is equally far from all four points; k = 2 takes rows 1 and 2 (row order), a
    // 1–1 vote between labels 7 and 3, won by 7 whose member comes first.
    let x = m(rows(&[&[1.0, 0.0], &[0.0, 1.0], &[-1.0, 0.0], &[0.0, -1.0]]));
    let y = m(column(&[7.0, 3.0, 3.0, 7.0]));
    assert_eq!(as_num(&ok("knn", &[n(2.0), x.clone(), y.clone(), m(column(&[0.0, 0.0]))])), 7.0);
    // k = 3: rows 1, 2, 3 vote 7, 3, 3: the majority wins.
    assert_eq!(as_num(&ok("knn", &[n(3.0), x.clone(), y.clone(), m(row(&[0.0, 0.0]))])), 3.0);
    // Nearer neighbours come first: label 3's member is nearest, so a 2–2 vote goes to 3.
    let q = m(rows(&[&[0.0, 0.1]]));
    assert_eq!(as_num(&ok("knn", &[n(4.0), x.clone(), y.clone(), q])), 3.0);
    assert_eq!(err("knn", &[n(5.0), x.clone(), y.clone(), m(row(&[0.0, 0.0]))]), "invalid-argument");
    assert_eq!(err("knn", &[n(0.0), x.clone(), y.clone(), m(row(&[0.0, 0.0]))]), "invalid-argument");
    assert_eq!(err("knn", &[n(1.0), x.clone(), m(column(&[1.0, 2.0])), m(row(&[0.0, 0.0]))]), "shape-mismatch");
    assert_eq!(err("knn", &[n(1.0), x.clone(), y.clone(), m(row(&[0.0, 0.0, 0.0]))]), "shape-mismatch");
    assert_eq!(
        err("knn", &[n(1.0), x, m(column(&[1.0, f64::NAN, 0.0, 0.0])), m(row(&[0.0, 0.0]))]),
        "invalid-argument"
    );
}

#[test]
fn pairwise_distances_match_scikit_learn() {
    let c = case("pairwise");
    let x = c.get("X").matrix();
    let y = c.get("Y").matrix();
    let d = as_mat(&ok("pairwise_dist", &[m(x.clone()), m(y.clone())]));
    close(&d, &c.get("D").matrix(), 1e-12);
    let d2 = as_mat(&ok_kw("pairwise_dist", &[m(x.clone()), m(y)], &[("squared", b(true))]));
    close(&d2, &c.get("D").matrix().map(|v| v * v), 1e-11);
    let dx = as_mat(&ok("pairwise_dist", &[m(x.clone())]));
    assert_eq!(dx, dx.transpose());
    assert!(dx.diagonal().iter().all(|v| *v == 0.0));
    for i in 0..5 {
        for j in 0..5 {
            let direct = (x.row(i) - x.row(j)).norm();
            assert!((dx[(i, j)] - direct).abs() <= 1e-12 * direct.max(1.0));
        }
    }
    // Far from the origin the |x|² − 2x·y + |y|² formula cancels; close pairs are recomputed.
    let far = rows(&[&[1e8, 1e8], &[1e8 + 1.0, 1e8], &[1e8, 1e8 + 3.0]]);
    let df = as_mat(&ok("pairwise_dist", &[m(far)]));
    close(&df, &rows(&[&[0.0, 1.0, 3.0], &[1.0, 0.0, 10f64.sqrt()], &[3.0, 10f64.sqrt(), 0.0]]), 1e-15);
    assert_eq!(err("pairwise_dist", &[m(Matrix::zeros(2, 3)), m(Matrix::zeros(2, 2))]), "shape-mismatch");
    assert_eq!(as_num(&ok("pairwise_dist", &[m(row(&[0.0, 0.0])), m(row(&[3.0, 4.0]))])), 5.0);
}

// ---------------------------------------------------------------------------------------------
// Inner products.

#[test]
fn inner_products_and_their_geometry() {
    let a = rows(&[&[2.0, 1.0], &[1.0, 2.0]]);
    let x = column(&[1.0, 2.0]);
    let y = column(&[-1.0, 3.0]);
    let xay = (x.transpose() * &a * &y)[0];
    assert_eq!(as_num(&ok("inner", &[m(x.clone()), m(y.clone()), m(a.clone())])), xay);
    assert_eq!(as_num(&ok("inner", &[m(x.clone()), m(y.clone())])), 5.0);
    let len = |v: &Matrix| (v.transpose() * &a * v)[0].sqrt();
    let nx = as_num(&ok_kw("norm", &[m(x.clone())], &[("A", m(a.clone()))]));
    assert!((nx - len(&x)).abs() < 1e-15);
    let dxy = as_num(&ok("dist", &[m(x.clone()), m(y.clone()), m(a.clone())]));
    assert!((dxy - len(&(&x - &y))).abs() < 1e-14);
    let th = as_num(&ok("angle", &[m(x.clone()), m(y.clone()), m(a.clone())]));
    assert!((th.cos() - xay / (len(&x) * len(&y))).abs() < 1e-15);
    // [1, 1] and [1, -1] are orthogonal for the dot product and for A (its eigenvectors), not A2.
    let e = as_num(&ok("angle", &[m(column(&[1.0, 1.0])), m(column(&[1.0, -1.0])), m(a.clone())]));
    assert!((e - std::f64::consts::FRAC_PI_2).abs() < 1e-15);
    let a2 = rows(&[&[2.0, -1.0], &[-1.0, 4.0]]);
    let e2 = as_num(&ok("angle", &[m(column(&[1.0, 1.0])), m(column(&[1.0, -1.0])), m(a2)]));
    assert!((e2.cos() - (-2.0 / (4f64.sqrt() * 8f64.sqrt()))).abs() < 1e-15);
    // The identity gives the ordinary geometry.
    let i2 = m(Matrix::identity(2, 2));
    assert_eq!(
        as_num(&ok("dist", &[m(x.clone()), m(y.clone()), i2.clone()])),
        as_num(&ok("dist", &[m(x.clone()), m(y.clone())]))
    );
    // Errors: not symmetric, not positive definite, wrong size, p ≠ 2.
    assert_eq!(err("inner", &[m(x.clone()), m(y.clone()), m(rows(&[&[2.0, 1.0], &[0.0, 2.0]]))]), "not-symmetric");
    assert_eq!(
        err("inner", &[m(x.clone()), m(y.clone()), m(rows(&[&[1.0, 2.0], &[2.0, 1.0]]))]),
        "not-positive-definite"
    );
    assert_eq!(err("angle", &[m(x.clone()), m(y.clone()), m(Matrix::zeros(2, 2))]), "not-positive-definite");
    assert_eq!(err("dist", &[m(x.clone()), m(y.clone()), m(Matrix::identity(3, 3))]), "shape-mismatch");
    assert_eq!(err_kw("norm", &[m(x.clone()), n(1.0)], &[("A", m(a.clone()))]), "invalid-argument");
    assert_eq!(err("inner", &[m(x), m(column(&[1.0])), m(a)]), "shape-mismatch");
    assert!(call("inner", &[n(1.0), n(2.0), n(3.0)]).is_ok());
}

#[test]
fn projections_under_an_inner_product() {
    let a = rows(&[&[3.0, 1.0, 0.0], &[1.0, 2.0, 0.5], &[0.0, 0.5, 1.0]]);
    let bm = rows(&[&[1.0, 0.0], &[1.0, 1.0], &[1.0, 2.0]]);
    let p = as_mat(&ok_kw("projection_matrix", &[m(bm.clone())], &[("A", m(a.clone()))]));
    // The definition B (BᵀAB)⁻¹ BᵀA, idempotence and A-self-adjointness.
    let btab = bm.transpose() * &a * &bm;
    let expected = &bm * btab.try_inverse().unwrap() * bm.transpose() * &a;
    close(&p, &expected, 1e-13);
    close(&(&p * &p), &p, 1e-13);
    close(&(&a * &p), &(p.transpose() * &a), 1e-13);
    // x − Px is A-orthogonal to the subspace; project agrees with the matrix.
    let x = column(&[6.0, 0.0, 1.0]);
    let px = as_mat(&ok_kw("project", &[m(x.clone()), m(bm.clone())], &[("A", m(a.clone()))]));
    close(&px, &(&p * &x), 1e-13);
    assert!((bm.transpose() * &a * (&x - &px)).norm() < 1e-13);
    // The identity gives the ordinary projection of the course's test.
    let pi = as_mat(&ok_kw("projection_matrix", &[m(bm.clone())], &[("A", m(Matrix::identity(3, 3)))]));
    close(&(pi * 6.0), &rows(&[&[5.0, 2.0, -1.0], &[2.0, 2.0, 2.0], &[-1.0, 2.0, 5.0]]), 1e-13);
    let row_x = as_mat(&ok_kw("project", &[m(x.transpose()), m(bm.clone())], &[("A", m(a.clone()))]));
    close(&row_x, &px.transpose(), 1e-15);
    assert_eq!(
        err_kw("projection_matrix", &[m(rows(&[&[1.0, 2.0], &[2.0, 4.0], &[0.0, 0.0]]))], &[("A", m(a.clone()))]),
        "singular-matrix"
    );
    assert_eq!(err_kw("project", &[m(column(&[1.0, 2.0])), m(bm)], &[("A", m(a))]), "shape-mismatch");
}
