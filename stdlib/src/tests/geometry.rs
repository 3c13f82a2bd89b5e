//! Unit tests of the vectors-and-geometry builtins (issue 3): construction and shape,
//! products, norms, geometry, orthogonality, transformations, power iteration, PageRank and
//! random numbers. Reference values are hand-derived or NumPy's (noted at each).

use super::*;

fn truth(name: &str, args: &[Value]) -> bool {
    match ok(name, args) {
        Value::Bool(b) => b,
        v => panic!("{name} returned {v:?}, not a bool"),
    }
}

fn field(v: &Value, name: &str) -> Value {
    match v {
        Value::Record(r) => r.get(name).cloned().unwrap_or_else(|| panic!("no field {name} in {v:?}")),
        _ => panic!("{v:?} is not a record"),
    }
}

fn as_matrix(v: &Value) -> Matrix {
    v.to_matrix().map(|m| (*m).clone()).unwrap_or_else(|| panic!("{v:?} is not a matrix"))
}

fn m(rows: usize, cols: usize, data: &[f64]) -> Matrix {
    Matrix::from_row_slice(rows, cols, data)
}

#[track_caller]
fn near(a: &Matrix, b: &Matrix, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes differ: {a} vs {b}");
    let diff = (a - b).abs().max();
    assert!(diff <= tol, "differ by {diff}:\n{a}\nvs\n{b}");
}

// ---------------------------------------------------------------------------------------------
// Construction and shape.

#[test]
fn full_and_diag() {
    assert_eq!(mat_of("full", &[n(2.0), n(1.0), n(7.5)]), m(2, 1, &[7.5, 7.5]));
    assert!(mat_of("full", &[n(1.0), n(2.0), n(f64::NAN)]).iter().all(|x| x.is_nan()));
    assert_eq!(err("full", &[n(-1.0), n(2.0), n(0.0)]), ("invalid-argument", Some(0)));
    assert_eq!(err("full", &[n(1e9), n(1e9), n(0.0)]).0, "limit-exceeded");

    assert_eq!(mat_of("diag", &[col(&[1.0, 2.0])]), m(2, 2, &[1.0, 0.0, 0.0, 2.0]));
    // A row and a range are vectors too.
    assert_eq!(mat_of("diag", &[mat(1, 2, &[1.0, 2.0])]), m(2, 2, &[1.0, 0.0, 0.0, 2.0]));
    assert_eq!(mat_of("diag", &[range(1.0, 1.0, 2.0)]), m(2, 2, &[1.0, 0.0, 0.0, 2.0]));
    assert_eq!(mat_of("diag", &[col(&[5.0]), n(-1.0)]), m(2, 2, &[0.0, 0.0, 5.0, 0.0]));
    let a = mat(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(mat_of("diag", std::slice::from_ref(&a)), m(2, 1, &[1.0, 5.0]));
    assert_eq!(mat_of("diag", &[a.clone(), n(1.0)]), m(2, 1, &[2.0, 6.0]));
    assert_eq!(mat_of("diag", &[a.clone(), n(2.0)]), m(1, 1, &[3.0]));
    assert_eq!(mat_of("diag", &[a.clone(), n(-1.0)]), m(1, 1, &[4.0]));
    assert_eq!(err("diag", &[a.clone(), n(3.0)]), ("invalid-argument", Some(1)));
    assert_eq!(err("diag", &[a.clone(), n(-2.0)]), ("invalid-argument", Some(1)));
    assert_eq!(err("diag", &[a, n(0.5)]), ("invalid-argument", Some(1)));
    assert_eq!(err("diag", &[s("x")]), ("type-mismatch", Some(0)));
}

#[test]
fn reshape_and_flatten_are_column_major() {
    let a = mat(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // Octave: reshape([1 2 3; 4 5 6], 3, 2) = [1 5; 4 3; 2 6].
    assert_eq!(mat_of("reshape", &[a.clone(), n(3.0), n(2.0)]), m(3, 2, &[1.0, 5.0, 4.0, 3.0, 2.0, 6.0]));
    assert_eq!(mat_of("flatten", std::slice::from_ref(&a)), m(6, 1, &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]));
    assert_eq!(mat_of("reshape", &[range(1.0, 1.0, 4.0), n(2.0), n(2.0)]), m(2, 2, &[1.0, 3.0, 2.0, 4.0]));
    assert_eq!(err("reshape", &[a.clone(), n(4.0), n(2.0)]), ("shape-mismatch", Some(1)));
    assert_eq!(
        message("reshape", &[a, n(4.0), n(2.0)]),
        "cannot reshape a 2×3 matrix (6 elements) into 4×2 (8 elements)"
    );
    assert_eq!(mat_of("flatten", &[n(3.0)]), m(1, 1, &[3.0]));
}

#[test]
fn hcat_and_vcat_follow_literal_rules() {
    let a = col(&[1.0, 2.0]);
    assert_eq!(mat_of("hcat", &[a.clone(), a.clone()]), m(2, 2, &[1.0, 1.0, 2.0, 2.0]));
    assert_eq!(mat_of("vcat", &[a.clone(), n(3.0)]), m(3, 1, &[1.0, 2.0, 3.0]));
    // Empty blocks are skipped, as in `[[], A]`.
    assert_eq!(mat_of("hcat", &[Value::matrix(Matrix::zeros(0, 0)), a.clone()]), m(2, 1, &[1.0, 2.0]));
    assert_eq!(mat_of("hcat", &[]).shape(), (0, 0));
    // A 1×1 result is a number, as for `[x, y]` of blocks.
    assert!(matches!(ok("hcat", &[n(4.0)]), Value::Num(x) if x == 4.0));
    // The offending block is the one pointed at.
    assert_eq!(err("hcat", &[a.clone(), a.clone(), n(1.0)]), ("shape-mismatch", Some(2)));
    assert_eq!(
        message("hcat", &[a.clone(), n(1.0)]),
        "cannot join a 1×1 matrix to a 2×1 one: they need the same number of rows"
    );
    assert_eq!(err("vcat", &[a.clone(), mat(1, 2, &[1.0, 2.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(err("vcat", &[a, s("x")]), ("type-mismatch", Some(1)));
}

#[test]
fn meshgrid_rows_follow_y_and_columns_follow_x() {
    let g = ok("meshgrid", &[col(&[1.0, 2.0, 3.0]), mat(1, 2, &[10.0, 20.0])]);
    // NumPy: np.meshgrid([1, 2, 3], [10, 20]) gives X = [[1,2,3],[1,2,3]], Y = [[10,10,10],[20,20,20]].
    assert_eq!(as_matrix(&field(&g, "X")), m(2, 3, &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]));
    assert_eq!(as_matrix(&field(&g, "Y")), m(2, 3, &[10.0, 10.0, 10.0, 20.0, 20.0, 20.0]));
    let Value::Record(r) = &g else { unreachable!() };
    assert_eq!(r.fields.iter().map(|(k, _)| &**k).collect::<Vec<_>>(), ["X", "Y"]);
    let sq = ok("meshgrid", &[range(0.0, 1.0, 1.0)]);
    assert_eq!(as_matrix(&field(&sq, "Y")), m(2, 2, &[0.0, 0.0, 1.0, 1.0]));
    assert_eq!(err("meshgrid", &[mat(2, 2, &[1.0, 2.0, 3.0, 4.0])]), ("shape-mismatch", Some(0)));
}

// ---------------------------------------------------------------------------------------------
// Products and norms.

#[test]
fn products() {
    assert_eq!(num("dot", &[col(&[1.0, 2.0, 3.0]), mat(1, 3, &[4.0, 5.0, 6.0])]), 32.0);
    assert_eq!(num("dot", &[range(1.0, 1.0, 3.0), col(&[1.0, 1.0, 1.0])]), 6.0);
    assert_eq!(err("dot", &[col(&[1.0, 2.0]), col(&[1.0, 2.0, 3.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(message("dot", &[col(&[1.0, 2.0]), col(&[1.0, 2.0, 3.0])]), "`v` has 2 elements but `w` has 3");
    assert_eq!(err("dot", &[mat(2, 2, &[1.0; 4]), col(&[1.0, 2.0])]), ("shape-mismatch", Some(0)));
    assert_eq!(message("dot", &[mat(2, 2, &[1.0; 4]), col(&[1.0])]), "`v` must be a vector, found a 2×2 matrix");

    // (1, 2, 3) × (4, 5, 6) = (-3, 6, -3), perpendicular to both.
    let c = mat_of("cross", &[col(&[1.0, 2.0, 3.0]), col(&[4.0, 5.0, 6.0])]);
    assert_eq!(c, m(3, 1, &[-3.0, 6.0, -3.0]));
    assert_eq!(mat_of("cross", &[mat(1, 3, &[1.0, 0.0, 0.0]), mat(1, 3, &[0.0, 1.0, 0.0])]), m(1, 3, &[0.0, 0.0, 1.0]));
    assert_eq!(err("cross", &[col(&[1.0, 2.0]), col(&[1.0, 2.0, 3.0])]), ("shape-mismatch", Some(0)));

    assert_eq!(mat_of("outer", &[col(&[1.0, 2.0]), mat(1, 2, &[3.0, 4.0])]), m(2, 2, &[3.0, 4.0, 6.0, 8.0]));
    let k = mat_of("kron", &[mat(1, 2, &[1.0, 2.0]), mat(2, 1, &[1.0, 10.0])]);
    assert_eq!(k, m(2, 2, &[1.0, 2.0, 10.0, 20.0]));
    assert_eq!(mat_of("kron", &[n(2.0), Value::matrix(Matrix::zeros(0, 3))]).shape(), (0, 3));
    assert_eq!(
        err("kron", &[Value::matrix(Matrix::zeros(100_000, 1)), Value::matrix(Matrix::zeros(100_000, 1))]).0,
        "limit-exceeded"
    );
}

#[test]
fn vector_norms() {
    let v = col(&[3.0, -4.0]);
    assert_eq!(num("norm", std::slice::from_ref(&v)), 5.0);
    assert_eq!(num("norm", &[v.clone(), n(1.0)]), 7.0);
    assert_eq!(num("norm", &[v.clone(), n(f64::INFINITY)]), 4.0);
    assert_eq!(num("norm", &[v.clone(), s("inf")]), 4.0);
    assert_eq!(num("norm", &[v.clone(), s("fro")]), 5.0);
    assert_eq!(num("norm", &[mat(1, 2, &[3.0, 4.0])]), 5.0);
    // NumPy: np.linalg.norm([1, 2, 3], 3) = 3.3019272488946263.
    close(num("norm", &[col(&[1.0, 2.0, 3.0]), n(3.0)]), 3.3019272488946263);
    // No overflow or underflow in the squares.
    close(num("norm", &[col(&[3e200, 4e200])]), 5e200);
    close(num("norm", &[col(&[3e-200, 4e-200])]), 5e-200);
    close(num("norm", &[col(&[3e200, 4e200]), n(3.0)]), 4.497941445275415e200);
    assert_eq!(num("norm", &[col(&[0.0, 0.0]), n(3.0)]), 0.0);
    assert_eq!(num("norm", &[col(&[f64::INFINITY, 1.0])]), f64::INFINITY);
    assert!(num("norm", &[col(&[f64::NAN, f64::INFINITY]), n(f64::INFINITY)]).is_nan());
    assert_eq!(num("norm", &[Value::matrix(Matrix::zeros(0, 1))]), 0.0);
    assert_eq!(err("norm", &[v.clone(), n(0.5)]), ("invalid-argument", Some(1)));
    assert_eq!(err("norm", &[v.clone(), s("max")]), ("invalid-argument", Some(1)));
    assert_eq!(err("norm", &[v, n(f64::NAN)]), ("invalid-argument", Some(1)));
}

#[test]
fn matrix_norms() {
    // NumPy: np.linalg.norm([[1, 2], [3, 4]], p) for p = 2, 1, inf, 'fro'.
    let a = mat(2, 2, &[1.0, 2.0, 3.0, 4.0]);
    close(num("norm", std::slice::from_ref(&a)), 5.464985704219043);
    assert_eq!(num("norm", &[a.clone(), n(1.0)]), 6.0);
    assert_eq!(num("norm", &[a.clone(), s("inf")]), 7.0);
    close(num("norm", &[a.clone(), s("fro")]), 5.477225575051661);
    // The 2-norm of an orthogonal matrix is 1; of a diagonal one, its largest |entry|.
    let c = std::f64::consts::FRAC_1_SQRT_2;
    close(num("norm", &[mat(2, 2, &[c, -c, c, c])]), 1.0);
    close(num("norm", &[mat(2, 3, &[1.0, 0.0, 0.0, 0.0, -9.0, 0.0])]), 9.0);
    assert!(num("norm", &[mat(2, 2, &[1.0, f64::NAN, 0.0, 1.0])]).is_nan());
    assert_eq!(num("norm", &[mat(2, 2, &[1.0, f64::INFINITY, 0.0, 1.0])]), f64::INFINITY);
    assert_eq!(err("norm", &[a, n(3.0)]), ("invalid-argument", Some(1)));
}

// ---------------------------------------------------------------------------------------------
// Geometry.

#[test]
fn unit_angle_dist() {
    assert_eq!(mat_of("unit", &[col(&[3.0, 4.0])]), m(2, 1, &[0.6, 0.8]));
    assert_eq!(mat_of("unit", &[mat(1, 2, &[0.0, -2.0])]), m(1, 2, &[0.0, -1.0]));
    assert_eq!(err("unit", &[col(&[0.0, 0.0])]), ("zero-vector", Some(0)));
    assert_eq!(err("unit", &[mat(2, 2, &[1.0; 4])]), ("shape-mismatch", Some(0)));

    let pi = std::f64::consts::PI;
    close(num("angle", &[col(&[1.0, 0.0]), col(&[0.0, 3.0])]), pi / 2.0);
    close(num("angle", &[col(&[1.0, 0.0]), col(&[1.0, 1.0])]), pi / 4.0);
    assert_eq!(num("angle", &[col(&[1.0, 2.0]), col(&[-2.0, -4.0])]), pi);
    assert_eq!(num("angle", &[col(&[1.0, 2.0, 3.0]), col(&[2.0, 4.0, 6.0])]), 0.0);
    // Nearly parallel: acos of the rounded cosine would give 0 here.
    close(num("angle", &[col(&[1.0, 0.0]), col(&[1.0, 1e-10])]), 1e-10);
    // cos θ = 32 / (sqrt(14) sqrt(77)): θ = 0.2257261285527342 (NumPy, arccos).
    close(num("angle", &[col(&[1.0, 2.0, 3.0]), col(&[4.0, 5.0, 6.0])]), 0.2257261285527342);
    assert_eq!(err("angle", &[col(&[1.0, 2.0]), col(&[0.0, 0.0])]), ("zero-vector", Some(1)));
    assert_eq!(err("angle", &[col(&[0.0, 0.0]), col(&[1.0, 0.0])]), ("zero-vector", Some(0)));
    assert_eq!(err("angle", &[col(&[1.0, 2.0]), col(&[1.0])]), ("shape-mismatch", Some(1)));

    assert_eq!(num("dist", &[col(&[1.0, 1.0]), mat(1, 2, &[4.0, 5.0])]), 5.0);
    assert_eq!(num("dist", &[n(2.0), n(-1.0)]), 3.0);
}

#[test]
fn projections_onto_a_vector() {
    // The course's week-2 example: projecting (2, 1) onto (3, 4).
    assert_eq!(num("scalar_proj", &[col(&[2.0, 1.0]), col(&[3.0, 4.0])]), 2.0);
    assert_eq!(num("scalar_proj", &[col(&[-2.0, 0.0]), col(&[5.0, 0.0])]), -2.0);
    let p = mat_of("vec_proj", &[col(&[2.0, 1.0]), col(&[3.0, 4.0])]);
    assert_eq!(p, m(2, 1, &[1.2, 1.6]));
    // The remainder is perpendicular to the direction.
    let v = m(3, 1, &[1.0, -2.0, 5.0]);
    let u = m(3, 1, &[0.3, 0.4, -1.2]);
    let p = mat_of("vec_proj", &[Value::matrix(v.clone()), Value::matrix(u.clone())]);
    assert!((v - &p).dot(&u).abs() < 1e-14);
    assert_eq!(err("vec_proj", &[col(&[1.0, 2.0]), col(&[0.0, 0.0])]), ("zero-vector", Some(1)));
    assert_eq!(err("scalar_proj", &[col(&[1.0, 2.0]), col(&[0.0, 0.0])]), ("zero-vector", Some(1)));
}

#[test]
fn change_of_basis() {
    // The course's example: b1 = (2, 1), b2 = (-2, 4) are orthogonal; v = (3, 4) → (2, 1/2).
    let b = mat(2, 2, &[2.0, -2.0, 1.0, 4.0]);
    assert_eq!(mat_of("change_basis", &[col(&[3.0, 4.0]), b.clone()]), m(2, 1, &[2.0, 0.5]));
    // A row vector gives a row; several points (columns) convert together.
    assert_eq!(mat_of("change_basis", &[mat(1, 2, &[3.0, 4.0]), b.clone()]), m(1, 2, &[2.0, 0.5]));
    let pts = mat_of("change_basis", &[mat(2, 2, &[3.0, 2.0, 4.0, 1.0]), b]);
    assert_eq!(pts, m(2, 2, &[2.0, 1.0, 0.5, 0.0]));
    // Not orthogonal: solved. B = [1, 1; 0, 1], v = (3, 2) → c = (1, 2) since 1 (1, 0) + 2 (1, 1) = (3, 2).
    let b = mat(2, 2, &[1.0, 1.0, 0.0, 1.0]);
    assert_eq!(mat_of("change_basis", &[col(&[3.0, 2.0]), b]), m(2, 1, &[1.0, 2.0]));
    // A 3-D non-orthogonal basis: check the residual B c - v.
    let bm = m(3, 3, &[1.0, 2.0, 0.0, 0.5, -1.0, 3.0, 2.0, 0.0, 1.0]);
    let v = m(3, 1, &[1.0, 2.0, 3.0]);
    let c = mat_of("change_basis", &[Value::matrix(v.clone()), Value::matrix(bm.clone())]);
    assert!((&bm * c - v).norm() < 1e-12);
    assert_eq!(
        err("change_basis", &[col(&[1.0, 2.0]), mat(2, 2, &[1.0, 2.0, 2.0, 4.0])]),
        ("singular-matrix", Some(1))
    );
    assert_eq!(
        err("change_basis", &[col(&[1.0, 2.0]), mat(2, 2, &[1.0, 0.0, 0.0, 0.0])]),
        ("singular-matrix", Some(1))
    );
    assert_eq!(err("change_basis", &[col(&[1.0, 2.0, 3.0]), mat(3, 2, &[1.0; 6])]), ("not-square", Some(1)));
    assert_eq!(
        err("change_basis", &[col(&[1.0, 2.0, 3.0]), mat(2, 2, &[1.0, 0.0, 0.0, 1.0])]),
        ("shape-mismatch", Some(0))
    );
    assert_eq!(
        err("change_basis", &[col(&[1.0, 2.0]), mat(2, 2, &[f64::NAN, 0.0, 0.0, 1.0])]),
        ("invalid-argument", Some(1))
    );
}

#[test]
fn closeness_tests() {
    assert!(truth("allclose", &[col(&[1.0, 2.0]), col(&[1.0, 2.0 + 1e-10])]));
    assert!(!truth("allclose", &[col(&[1.0, 2.0]), col(&[1.0, 2.0 + 1e-8])]));
    // NumPy semantics: the tolerance is relative to the second argument.
    assert!(truth("allclose", &[n(1.0e-13), n(0.0)]));
    assert!(!truth("allclose", &[n(1.0e-11), n(0.0)]));
    assert!(truth("allclose", &[n(0.0), n(0.0), n(0.0), n(0.0)]));
    assert!(!truth("allclose", &[n(f64::NAN), n(f64::NAN)]));
    assert!(truth("allclose", &[n(f64::INFINITY), n(f64::INFINITY)]));
    assert!(!truth("allclose", &[n(f64::INFINITY), n(-f64::INFINITY)]));
    // A number broadcasts.
    assert!(truth("allclose", &[mat(2, 2, &[1.0; 4]), n(1.0)]));
    assert_eq!(err("allclose", &[col(&[1.0, 2.0]), mat(1, 2, &[1.0, 2.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(err("allclose", &[n(1.0), n(1.0), n(-1.0)]), ("invalid-argument", Some(2)));

    assert!(truth("approx", &[n(0.1 + 0.2), n(0.3)]));
    assert!(truth("approx", &[n(1e6 + 1e-4), n(1e6)]));
    assert!(!truth("approx", &[n(1e-3), n(0.0)]));
    assert!(truth("approx", &[n(f64::NAN), n(f64::NAN)]));
    assert!(truth("approx", &[n(f64::INFINITY), n(f64::INFINITY)]));
    assert!(!truth("approx", &[n(f64::INFINITY), n(-f64::INFINITY)]));
    assert!(!truth("approx", &[n(1e300), n(f64::INFINITY)]));
    assert!(truth("approx", &[col(&[1.0, 2.0]), col(&[1.0, 2.01]), n(0.01)]));
    assert!(!truth("approx", &[col(&[1.0, 2.0]), col(&[1.0, 2.01])]));
}

// ---------------------------------------------------------------------------------------------
// Orthogonality.

fn dimensions(q: &Matrix) -> f64 {
    q.column_iter().map(|c| c.norm()).sum()
}

#[test]
fn gram_schmidt_matches_the_course_tests() {
    let gs = |a: Matrix| mat_of("gram_schmidt", &[Value::matrix(a)]);
    // The notebook's V: orthonormal, same span, and GS twice = GS once.
    let v = m(4, 4, &[1.0, 0.0, 2.0, 6.0, 0.0, 1.0, 8.0, 2.0, 2.0, 8.0, 3.0, 1.0, 1.0, -6.0, 2.0, 3.0]);
    let q = gs(v.clone());
    near(&(q.transpose() * &q), &Matrix::identity(4, 4), 1e-12);
    near(&(&q * q.transpose() * &v), &v, 1e-12);
    near(&gs(q.clone()), &q, 1e-12);
    // Each column of Q depends only on the first columns of V: Q' V is upper triangular.
    let r = q.transpose() * &v;
    for j in 0..4 {
        for i in j + 1..4 {
            assert!(r[(i, j)].abs() < 1e-12);
        }
        assert!(r[(j, j)] > 0.0);
    }
    // 4×3 of full rank: dimension 3.
    let a = m(4, 3, &[3.0, 2.0, 3.0, 2.0, 5.0, -1.0, 2.0, 4.0, 8.0, 12.0, 2.0, 1.0]);
    assert!((dimensions(&gs(a)) - 3.0).abs() < 1e-12);
    // 3×5: the last two columns become zero, dimension 3.
    let a = m(3, 5, &[6.0, 2.0, 1.0, 7.0, 5.0, 2.0, 8.0, 5.0, -4.0, 1.0, 1.0, -6.0, 3.0, 2.0, 8.0]);
    let q = gs(a);
    assert_eq!(q.column(3).norm(), 0.0);
    assert_eq!(q.column(4).norm(), 0.0);
    assert!((dimensions(&q) - 3.0).abs() < 1e-12);
    // Dependent third column: [1/√2, 0, 1/√2], [0, 1, 0], 0; dimension 2.
    let q = gs(m(3, 3, &[1.0, 0.0, 2.0, 0.0, 1.0, -3.0, 1.0, 0.0, 2.0]));
    let h = std::f64::consts::FRAC_1_SQRT_2;
    near(&q, &m(3, 3, &[h, 0.0, 0.0, 0.0, 1.0, 0.0, h, 0.0, 0.0]), 1e-15);
    assert!((dimensions(&q) - 2.0).abs() < 1e-12);
}

#[test]
fn gram_schmidt_tolerance_is_relative() {
    // Scaling A does not change which columns count as dependent.
    let a = m(2, 3, &[1.0, 2.0, 0.0, 1.0, 2.0, 1.0]) * 1e-12;
    let q = mat_of("gram_schmidt", &[Value::matrix(a)]);
    assert!((dimensions(&q) - 2.0).abs() < 1e-12);
    assert_eq!(q.column(1).norm(), 0.0);
    // A large tolerance zeroes a nearly dependent column.
    let b = m(2, 2, &[1.0, 1.0, 0.0, 1e-6]);
    assert_eq!(mat_of("gram_schmidt", &[Value::matrix(b.clone()), n(1e-3)]).column(1).norm(), 0.0);
    assert!((mat_of("gram_schmidt", &[Value::matrix(b)]).column(1).norm() - 1.0).abs() < 1e-12);
    assert_eq!(mat_of("gram_schmidt", &[Value::matrix(Matrix::zeros(3, 0))]).shape(), (3, 0));
    assert_eq!(err("gram_schmidt", &[mat(1, 2, &[1.0, f64::NAN])]), ("invalid-argument", Some(0)));
    assert_eq!(err("gram_schmidt", &[mat(1, 1, &[1.0]), n(-1.0)]), ("invalid-argument", Some(1)));
}

#[test]
fn orthonormality() {
    assert!(truth("is_orthonormal", &[Value::matrix(Matrix::identity(3, 3))]));
    assert!(truth("is_orthonormal", &[mat(3, 1, &[0.6, 0.8, 0.0])]));
    assert!(!truth("is_orthonormal", &[mat(2, 2, &[1.0, 1.0, 1.0, -1.0])]));
    assert!(!truth("is_orthonormal", &[mat(1, 2, &[1.0, 0.0])]));
    assert!(!truth("is_orthonormal", &[mat(1, 1, &[f64::NAN])]));
    assert!(truth("is_orthonormal", &[mat(1, 1, &[1.0 + 1e-12])]));
    assert!(!truth("is_orthonormal", &[mat(1, 1, &[1.0 + 1e-12]), n(1e-14)]));
}

#[test]
fn projections_onto_a_subspace_match_the_course_tests() {
    // b = [1, 2, 2]: P = [[1, 2, 2], [2, 4, 4], [2, 4, 4]] / 9; x = ones → [5, 10, 10] / 9.
    let p = mat_of("projection_matrix", &[col(&[1.0, 2.0, 2.0])]);
    near(&p, &(m(3, 3, &[1.0, 2.0, 2.0, 2.0, 4.0, 4.0, 2.0, 4.0, 4.0]) / 9.0), 1e-15);
    let x = mat_of("project", &[col(&[1.0, 1.0, 1.0]), col(&[1.0, 2.0, 2.0])]);
    near(&x, &(m(3, 1, &[5.0, 10.0, 10.0]) / 9.0), 1e-15);
    // B = [[1, 0], [1, 1], [1, 2]]: P = [[5, 2, -1], [2, 2, 2], [-1, 2, 5]] / 6; x = [6, 0, 0] → [5, 2, -1].
    let b = mat(3, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
    let p = mat_of("projection_matrix", std::slice::from_ref(&b));
    near(&p, &(m(3, 3, &[5.0, 2.0, -1.0, 2.0, 2.0, 2.0, -1.0, 2.0, 5.0]) / 6.0), 1e-14);
    assert_eq!(p, p.transpose());
    near(&(&p * &p), &p, 1e-14);
    let x = m(3, 1, &[6.0, 0.0, 0.0]);
    let proj = mat_of("project", &[Value::matrix(x.clone()), b.clone()]);
    near(&proj, &m(3, 1, &[5.0, 2.0, -1.0]), 1e-14);
    // The remainder is orthogonal to the subspace: B' (x - p) = 0.
    assert!((b.to_matrix().unwrap().transpose() * (x - &proj)).norm() < 1e-13);
    // Several points at once, and a row.
    let two = mat_of("project", &[mat(3, 2, &[6.0, 1.0, 0.0, 1.0, 0.0, 1.0]), b.clone()]);
    near(&two, &m(3, 2, &[5.0, 1.0, 2.0, 1.0, -1.0, 1.0]), 1e-14);
    let row = mat_of("project", &[mat(1, 3, &[6.0, 0.0, 0.0]), b.clone()]);
    near(&row, &m(1, 3, &[5.0, 2.0, -1.0]), 1e-14);
    // Dependent, zero and too many columns.
    assert_eq!(err("projection_matrix", &[mat(3, 2, &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0])]), ("singular-matrix", Some(0)));
    assert_eq!(
        message("projection_matrix", &[mat(3, 2, &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0])]),
        "column 2 of `B` is a combination of the columns before it"
    );
    assert_eq!(message("projection_matrix", &[mat(2, 2, &[0.0, 1.0, 0.0, 1.0])]), "column 1 of `B` is zero");
    assert_eq!(err("projection_matrix", &[mat(1, 3, &[1.0, 2.0, 2.0])]), ("singular-matrix", Some(0)));
    assert_eq!(err("project", &[col(&[1.0, 2.0]), b]), ("shape-mismatch", Some(0)));
    assert_eq!(mat_of("projection_matrix", &[Value::matrix(Matrix::zeros(2, 0))]), Matrix::zeros(2, 2));
}

#[test]
fn reflections() {
    // The course's bear basis [[1, -1], [1.5, 2]]: mirror along (1, 1.5), T = [[-5, 12], [12, 5]] / 13.
    let t = mat_of("reflection", &[Value::Nothing, col(&[1.0, 1.5])]);
    near(&t, &(m(2, 2, &[-5.0, 12.0, 12.0, 5.0]) / 13.0), 1e-15);
    // The same mirror through E diag(1, -1) E' with E = gram_schmidt(bear basis).
    let e = mat_of("gram_schmidt", &[mat(2, 2, &[1.0, -1.0, 1.5, 2.0])]);
    near(&(&e * Matrix::from_diagonal(&nalgebra::DVector::from_vec(vec![1.0, -1.0])) * e.transpose()), &t, 1e-15);
    // Householder: n ↦ -n, the mirror is fixed, T² = I.
    let n3 = m(3, 1, &[1.0, 2.0, 2.0]);
    let h = mat_of("reflection", &[Value::matrix(n3.clone())]);
    near(&(&h * &n3), &(-&n3), 1e-14);
    near(&(&h * m(3, 1, &[2.0, -1.0, 0.0])), &m(3, 1, &[2.0, -1.0, 0.0]), 1e-15);
    near(&(&h * &h), &Matrix::identity(3, 3), 1e-15);
    assert_eq!(h, h.transpose());
    // Across the xy-plane spanned by two columns (positional matrix or `across`).
    let plane = mat(3, 2, &[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    let z = m(3, 3, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
    near(&mat_of("reflection", std::slice::from_ref(&plane)), &z, 1e-15);
    near(&mat_of("reflection", &[Value::Nothing, plane]), &z, 1e-15);
    assert_eq!(err("reflection", &[col(&[0.0, 0.0])]), ("zero-vector", Some(0)));
    assert_eq!(err("reflection", &[]).0, "invalid-argument");
    assert_eq!(err("reflection", &[col(&[1.0, 0.0]), col(&[1.0, 0.0])]), ("invalid-argument", Some(1)));
    assert_eq!(err("reflection", &[Value::Nothing, mat(1, 2, &[1.0, 1.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(err("reflection", &[Value::Nothing, mat(2, 2, &[1.0, 2.0, 1.0, 2.0])]), ("singular-matrix", Some(1)));
}

#[test]
fn rotations_shears_and_scalings() {
    let (s30, c30) = (0.5, 3f64.sqrt() / 2.0);
    near(&mat_of("rotation", &[n(std::f64::consts::PI / 6.0)]), &m(2, 2, &[c30, -s30, s30, c30]), 1e-15);
    // About z, the 3-D rotation contains the 2-D one.
    let r = mat_of("rotation", &[n(0.3), col(&[0.0, 0.0, 5.0])]);
    let r2 = mat_of("rotation", &[n(0.3)]);
    near(&r.view((0, 0), (2, 2)).clone_owned(), &r2, 1e-15);
    assert_eq!(r[(2, 2)], 1.0);
    // A third of a turn about (1, 1, 1) maps x → y → z → x.
    let r = mat_of("rotation", &[n(2.0 * std::f64::consts::PI / 3.0), col(&[1.0, 1.0, 1.0])]);
    near(&r, &m(3, 3, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]), 1e-15);
    // Any rotation is orthogonal with determinant 1 and fixes its axis.
    let axis = m(3, 1, &[0.2, -1.0, 0.7]);
    let r = mat_of("rotation", &[n(1.1), Value::matrix(axis.clone())]);
    near(&(r.transpose() * &r), &Matrix::identity(3, 3), 1e-15);
    assert!((r.determinant() - 1.0).abs() < 1e-14);
    near(&(&r * &axis), &axis, 1e-15);
    assert_eq!(err("rotation", &[n(1.0), col(&[0.0, 0.0, 0.0])]), ("zero-vector", Some(1)));
    assert_eq!(err("rotation", &[n(1.0), col(&[1.0, 0.0])]), ("shape-mismatch", Some(1)));

    assert_eq!(mat_of("shear", &[n(2.0)]), m(2, 2, &[1.0, 2.0, 0.0, 1.0]));
    assert_eq!(mat_of("shear", &[n(2.0), s("y")]), m(2, 2, &[1.0, 0.0, 2.0, 1.0]));
    assert_eq!(err("shear", &[n(2.0), s("z")]), ("invalid-argument", Some(1)));

    assert_eq!(mat_of("scale", &[n(2.0), n(3.0)]), m(2, 2, &[2.0, 0.0, 0.0, 3.0]));
    assert_eq!(mat_of("scale", &[col(&[1.0, -1.0, 2.0])]), m(3, 3, &[1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 2.0]));
    assert_eq!(err("scale", &[n(2.0)]), ("invalid-argument", Some(0)));
    assert_eq!(err("scale", &[]).0, "invalid-argument");
    assert_eq!(err("scale", &[n(2.0), s("x")]), ("type-mismatch", Some(1)));
}

// ---------------------------------------------------------------------------------------------
// Power iteration and PageRank.

/// The course's 6-page micro-internet (A … F), with column F filled in as the worksheet asks.
fn course_web() -> Value {
    let (h, t) = (0.5, 1.0 / 3.0);
    #[rustfmt::skip]
    let l = [
        0.0, h,   t,   0.0, 0.0, 0.0,
        t,   0.0, 0.0, 0.0, h,   0.0,
        t,   h,   0.0, 1.0, 0.0, h,
        t,   0.0, t,   0.0, h,   h,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, t,   0.0, 0.0, 0.0,
    ];
    mat(6, 6, &l)
}

#[test]
fn power_iteration_finds_the_dominant_eigenpair() {
    let r = ok("power_iteration", &[mat(2, 2, &[2.0, 1.0, 1.0, 2.0]), col(&[1.0, 0.0])]);
    assert!((field(&r, "value").as_scalar().unwrap() - 3.0).abs() < 1e-12);
    let h = std::f64::consts::FRAC_1_SQRT_2;
    near(&as_matrix(&field(&r, "vector")), &m(2, 1, &[h, h]), 1e-9);
    assert!(field(&r, "iterations").as_scalar().unwrap() > 1.0);
    // A negative dominant eigenvalue converges too, and the vector's largest element is positive.
    let r = ok("power_iteration", &[mat(2, 2, &[-3.0, 0.0, 0.0, 1.0]), col(&[-1.0, 1.0])]);
    assert!((field(&r, "value").as_scalar().unwrap() + 3.0).abs() < 1e-12);
    near(&as_matrix(&field(&r, "vector")), &m(2, 1, &[1.0, 0.0]), 1e-9);
    // A non-symmetric 3×3 with eigenvalues 4, 2, 1 (upper triangular): residual |Mx - λx|.
    let a = m(3, 3, &[4.0, 1.0, 2.0, 0.0, 2.0, 1.0, 0.0, 0.0, 1.0]);
    let r = ok("power_iteration", &[Value::matrix(a.clone()), col(&[1.0, 1.0, 1.0])]);
    let (x, lam) = (as_matrix(&field(&r, "vector")), field(&r, "value").as_scalar().unwrap());
    assert!((lam - 4.0).abs() < 1e-9);
    assert!((&a * &x - &x * lam).norm() < 1e-9);
    // ±1 tie forever: no convergence, reported as an error.
    assert_eq!(
        err("power_iteration", &[mat(2, 2, &[0.0, 1.0, 1.0, 0.0]), col(&[1.0, 0.0])]),
        ("no-convergence", Some(0))
    );
    assert_eq!(
        message("power_iteration", &[mat(2, 2, &[0.0, 1.0, 1.0, 0.0]), col(&[1.0, 0.0]), n(1e-10), n(50.0)]),
        "the power iteration did not converge in 50 iterations"
    );
    assert_eq!(err("power_iteration", &[mat(2, 2, &[1.0, 0.0, 0.0, 0.0]), col(&[0.0, 1.0])]), ("zero-vector", Some(1)));
    assert_eq!(err("power_iteration", &[mat(2, 2, &[1.0; 4]), col(&[0.0, 0.0])]), ("zero-vector", Some(1)));
    assert_eq!(err("power_iteration", &[mat(2, 3, &[1.0; 6]), col(&[1.0, 0.0])]), ("not-square", Some(0)));
    assert_eq!(err("power_iteration", &[mat(2, 2, &[1.0; 4]), col(&[1.0, 0.0, 0.0])]), ("shape-mismatch", Some(1)));
    assert_eq!(
        err("power_iteration", &[mat(2, 2, &[1.0; 4]), col(&[1.0, 0.0]), n(0.0)]),
        ("invalid-argument", Some(2))
    );
}

#[test]
fn pagerank_matches_the_course_and_numpy() {
    // Undamped: the worksheet's principal eigenvector scaled to 100 is [16, 5.33, 40, 25.33, 0, 13.33]
    // (hand-checked: r = L r with r = [12, 4, 30, 19, 0, 10] / 75).
    let r = ok("pagerank", &[course_web(), n(1.0)]);
    let expected = m(6, 1, &[12.0, 4.0, 30.0, 19.0, 0.0, 10.0]) / 75.0;
    near(&as_matrix(&field(&r, "ranks")), &expected, 1e-9);
    // d = 0.85: NumPy's eigenvector of M = d L + (1 - d)/6 for eigenvalue 1, scaled to sum 1.
    let r = ok("pagerank", &[course_web()]);
    let ranks = as_matrix(&field(&r, "ranks"));
    let numpy = m(
        6,
        1,
        &[0.1627171873281909, 0.08172820307632078, 0.36346835654383863, 0.23910355203089556, 0.025, 0.1279827010207543],
    );
    near(&ranks, &numpy, 1e-9);
    assert!((ranks.sum() - 1.0).abs() < 1e-14);
    // The ranks solve r = d L r + (1 - d)/n.
    let l = course_web().to_matrix().unwrap();
    let residual = &ranks - (&*l * &ranks * 0.85).add_scalar(0.15 / 6.0);
    assert!(residual.norm() < 1e-9);
    let iterations = field(&r, "iterations").as_scalar().unwrap();
    assert!(iterations > 10.0 && iterations < 200.0, "{iterations}");
    // d = 0 is uniform after one step.
    let r = ok("pagerank", &[course_web(), n(0.0)]);
    near(&as_matrix(&field(&r, "ranks")), &Matrix::from_element(6, 1, 1.0 / 6.0), 1e-15);
}

#[test]
fn pagerank_rejects_bad_link_matrices() {
    // A page with no links (column of zeros).
    let dangling = mat(2, 2, &[0.0, 0.0, 1.0, 0.0]);
    assert_eq!(err("pagerank", std::slice::from_ref(&dangling)), ("not-stochastic", Some(0)));
    assert_eq!(message("pagerank", &[dangling]), "column 2 of L sums to 0, not 1");
    assert_eq!(err("pagerank", &[mat(2, 2, &[0.0, 1.0, 1.0, 1.0])]), ("not-stochastic", Some(0)));
    assert_eq!(err("pagerank", &[mat(2, 2, &[2.0, 1.0, -1.0, 0.0])]), ("not-stochastic", Some(0)));
    assert_eq!(err("pagerank", &[mat(2, 3, &[0.5; 6])]), ("not-square", Some(0)));
    assert_eq!(err("pagerank", &[course_web(), n(1.5)]), ("invalid-argument", Some(1)));
    // From the uniform start a cycle of pages is already balanced: it converges at once, and
    // the course's loop, which does not count the first multiplication, counts 0.
    let cycle = mat(3, 3, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let r = ok("pagerank", &[cycle, n(1.0)]);
    assert_eq!(field(&r, "iterations").as_scalar(), Some(0.0));
    assert_eq!(as_matrix(&field(&r, "path")).shape(), (3, 2));
    let chain = mat(2, 2, &[0.0, 1.0, 1.0, 0.0]);
    let r = ok("pagerank", &[chain, n(1.0)]);
    assert_eq!(field(&r, "iterations").as_scalar(), Some(0.0));
}

#[test]
fn pagerank_reports_no_convergence() {
    // Pages 1 ↔ 2 swap, page 3 links to 1: from the uniform start the ranks oscillate between
    // two states forever without damping.
    let l = mat(3, 3, &[0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(err("pagerank", &[l.clone(), n(1.0), n(1e-10), n(100.0)]), ("no-convergence", Some(0)));
    // Damping fixes it.
    assert_eq!(ok("pagerank", &[l, n(0.85)]).type_name(), "record");
}

// ---------------------------------------------------------------------------------------------
// Random numbers.

#[test]
fn seeded_draws_repeat_and_fill_column_major() {
    let mut ctx = FakeCtx::default();
    call_in(&mut ctx, "seed", &[n(42.0)]).unwrap();
    // The first uniforms from seed 42 (recorded in random.rs's tests).
    let first = call_in(&mut ctx, "rand", &[]).unwrap().as_scalar().unwrap();
    assert_eq!(first, 0.08386297105988216);
    call_in(&mut ctx, "seed", &[n(42.0)]).unwrap();
    let a = call_in(&mut ctx, "rand", &[n(2.0), n(2.0)]).unwrap().to_matrix().unwrap();
    assert_eq!(a.shape(), (2, 2));
    assert_eq!(a[(0, 0)], 0.08386297105988216);
    assert_eq!(a[(1, 0)], 0.3789802506626686);
    assert_eq!(a[(0, 1)], 0.6800434110281394);
    call_in(&mut ctx, "seed", &[n(42.0)]).unwrap();
    let z = call_in(&mut ctx, "randn", &[n(3.0)]).unwrap().to_matrix().unwrap();
    assert_eq!(z.as_slice(), &[-0.7262191382447857, 0.2216227015035933, 0.46417731016247366]);
    assert_eq!(call_in(&mut ctx, "rand", &[n(4.0)]).unwrap().shape(), Some((4, 1)));
    assert_eq!(call_in(&mut ctx, "randn", &[n(0.0), n(3.0)]).unwrap().shape(), Some((0, 3)));
    assert_eq!(err("seed", &[n(-1.0)]), ("invalid-argument", Some(0)));
    assert_eq!(err("seed", &[n(0.5)]), ("invalid-argument", Some(0)));
    assert_eq!(err("rand", &[n(1.5)]), ("invalid-argument", Some(0)));
    assert_eq!(err("rand", &[Value::Nothing, n(2.0)]), ("invalid-argument", Some(1)));
    assert_eq!(err("randn", &[n(1e9), n(1e9)]).0, "limit-exceeded");
}

#[test]
fn rand_has_the_right_moments() {
    let mut ctx = FakeCtx::default();
    call_in(&mut ctx, "seed", &[n(2024.0)]).unwrap();
    let u = call_in(&mut ctx, "rand", &[n(10_000.0)]).unwrap().to_matrix().unwrap();
    // Mean 1/2 (standard error 0.0029) and variance 1/12 (standard error about 0.0007).
    assert!((u.mean() - 0.5).abs() < 0.012, "{}", u.mean());
    assert!((u.variance() - 1.0 / 12.0).abs() < 0.003, "{}", u.variance());
    let z = call_in(&mut ctx, "randn", &[n(100.0), n(100.0)]).unwrap().to_matrix().unwrap();
    // Mean 0 (standard error 0.01) and variance 1 (standard error about 0.014).
    assert!(z.mean().abs() < 0.04, "{}", z.mean());
    assert!((z.variance() - 1.0).abs() < 0.06, "{}", z.variance());
}
