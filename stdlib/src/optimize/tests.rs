//! Tests of the minimisers, `lagrange` and `classify_stationary`: closed-form answers
//! (quadratics, the gradient-descent recurrence, Lagrange problems solved by hand),
//! Himmelblau's four minima (reference: Newton on its exact gradient with NumPy), Rosenbrock,
//! and the failures (divergence, singular Hessian, bad arguments).

use crate::objective::tests::{all_close, close, elems, fails, global, num, ok};

#[test]
fn gradient_descent_follows_the_recurrence() {
    // On f = ½xᵀAx − bᵀx the iterates are x ← x − 0.1 (A x − b); 50 steps from 0 give
    // [0.59969139…, −0.79950065…] (NumPy), and the path starts at x0.
    let s = ok("A = [3, 1; 1, 2]
        b = [1, -1]
        f(x) = 0.5 * x' * A * x - b' * x
        r = gradient_descent(f, [0, 0], rate = 0.1, steps = 50)
        x = r.x
        P = r.path
        it = r.iterations
        conv = r.converged
        q = gradient_descent(x -> x^2, 3, rate = 0.25, steps = 4)
        qp = q.path
        early = gradient_descent(f, [0, 0], rate = 0.1, steps = 1000, tol = 1e-10)
        ex = early.x
        eit = early.iterations");
    let x = elems(&s, "x");
    all_close(&x, &[0.5996913861418901, -0.799500652318397], 1e-14);
    let p = global(&s, "P").to_matrix().unwrap();
    assert_eq!(p.shape(), (2, 51));
    assert_eq!((p[(0, 0)], p[(1, 0)]), (0.0, 0.0));
    // The first step is −0.1·∇f(0) = 0.1 b.
    all_close(&[p[(0, 1)], p[(1, 1)]], &[0.1, -0.1], 1e-15);
    assert_eq!(num(&s, "it"), 50.0);
    assert!(matches!(global(&s, "conv"), mml_runtime::Value::Bool(false)));
    // x ← x − 0.25·2x halves x.
    assert_eq!(elems(&s, "qp"), vec![3.0, 1.5, 0.75, 0.375, 0.1875]);
    all_close(&elems(&s, "ex"), &[0.6, -0.8], 1e-9);
    let eit = num(&s, "eit");
    assert!(eit > 50.0 && eit < 1000.0, "{eit}");
}

#[test]
fn gradient_descent_spreads_a_vector_over_parameters() {
    let s = ok("f(x, y) = (x - 1)^2 + 2 * (y + 2)^2
        r = gradient_descent(f, [0, 0], rate = 0.2, steps = 200)
        x = r.x
        v = r.value
        c = r.converged");
    all_close(&elems(&s, "x"), &[1.0, -2.0], 1e-12);
    assert!(num(&s, "v") < 1e-24);
    assert!(matches!(global(&s, "c"), mml_runtime::Value::Bool(true)));
}

#[test]
fn gradient_descent_errors() {
    let e = fails("gradient_descent(x -> x^2, 1, rate = 2, steps = 2000)", "no-convergence");
    assert!(e.contains("smaller"), "{e}");
    fails("gradient_descent(x -> x^2, 1, rate = 0)", "invalid-argument");
    fails("gradient_descent(x -> x^2, 1, steps = -1)", "invalid-argument");
    fails("gradient_descent(x -> [x, x], 1)", "shape-mismatch");
    fails("gradient_descent(x -> x^2, \"a\")", "type-mismatch");
}

#[test]
fn newton_minimize_solves_a_quadratic_in_one_step() {
    let s = ok("A = [3, 1; 1, 2]
        b = [1, -1]
        f(x) = 0.5 * x' * A * x - b' * x
        r = newton_minimize(f, [5, 5])
        x = r.x
        it = r.iterations
        m = newton_minimize(x -> -(x - 2)^2, 0).x");
    all_close(&elems(&s, "x"), &[0.6, -0.8], 1e-14);
    // One step lands on the minimum; the second (zero) step confirms it.
    assert!(num(&s, "it") <= 2.0);
    // A maximum is a stationary point too.
    assert_eq!(num(&s, "m"), 2.0);
    let e = fails("newton_minimize((x, y) -> (x + y)^2, [1, 2])", "singular-matrix");
    assert!(e.contains("the Hessian is singular"), "{e}");
}

#[test]
fn minimize_finds_himmelblaus_minima() {
    // Newton on the exact gradient (NumPy) from near each minimum.
    let s = ok("h(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2
        a = minimize(h, [0, 0]).x
        b = minimize(h, [-3, 3]).x
        c = minimize(h, [-3, -3], method = \"newton\").x
        d = minimize(h, [3, -2], method = \"gd\").x");
    all_close(&elems(&s, "a"), &[3.0, 2.0], 1e-8);
    all_close(&elems(&s, "b"), &[-2.805118086952745, 3.131312518250573], 1e-8);
    all_close(&elems(&s, "c"), &[-3.779310253377747, -3.2831859912861696], 1e-8);
    all_close(&elems(&s, "d"), &[3.5844283403304917, -1.8481265269644034], 1e-7);
}

#[test]
fn minimize_handles_rosenbrock_and_vectors() {
    let s = ok("rosen(v) = (1 - v[1])^2 + 100 * (v[2] - v[1]^2)^2
        r = minimize(rosen, [-1.2, 1])
        x = r.x
        c = r.converged
        P = r.path
        n = minimize(rosen, [-1.2, 1], method = \"newton\").x
        q(v) = [1, 10, 100, 1000]' * (v - [1, 2, 3, 4]).^2
        y = minimize(q, zeros(4, 1)).x");
    all_close(&elems(&s, "x"), &[1.0, 1.0], 1e-7);
    all_close(&elems(&s, "n"), &[1.0, 1.0], 1e-7);
    assert!(matches!(global(&s, "c"), mml_runtime::Value::Bool(true)));
    let p = global(&s, "P").to_matrix().unwrap();
    assert_eq!((p[(0, 0)], p[(1, 0)]), (-1.2, 1.0));
    all_close(&elems(&s, "y"), &[1.0, 2.0, 3.0, 4.0], 1e-9);
}

#[test]
fn minimize_reports_running_out_and_divergence() {
    let s = ok("r = minimize((x, y) -> (1 - x)^2 + 100 * (y - x^2)^2, [-1.2, 1], method = \"gd\", maxit = 5)
        c = r.converged
        it = r.iterations");
    assert!(matches!(global(&s, "c"), mml_runtime::Value::Bool(false)));
    assert_eq!(num(&s, "it"), 5.0);
    // Unbounded below: the line search keeps doubling until the values overflow.
    fails("minimize(x -> -exp(x), 0)", "no-convergence");
    fails("minimize(x -> x^2, 1, method = \"simplex\")", "invalid-argument");
    fails("minimize(x -> x^2, 1, tol = 0)", "invalid-argument");
}

#[test]
fn lagrange_solves_constrained_problems() {
    // max x²y on x² + y² = 3: x = ±√2, y = 1, λ = 1 (by hand: 2xy = 2λx, x² = 2λy).
    // x + y on the unit circle: x = y = ±1/√2, λ = 1/(2x).
    // Two constraints: min x² + y² + z² with x + y + z = 3 and x − y = 1: with y = x − 1 and
    // z = 4 − 2x, f′ = 12x − 18 = 0, so (1.5, 0.5, 1); 2(x, y, z) = λ₁(1, 1, 1) + λ₂(1, −1, 0)
    // gives λ = [2, 1].
    let s = ok("f(x, y) = x^2 * y
        g(x, y) = x^2 + y^2 - 3
        r = lagrange(f, g, [1, 1])
        x = r.x
        l = r.lambda
        v = r.value
        s = lagrange((x, y) -> x + y, (x, y) -> x^2 + y^2 - 1, [-1, -0.5])
        sx = s.x
        sl = s.lambda
        t = lagrange(v -> v' * v, {v -> v[1] + v[2] + v[3] - 3, v -> v[1] - v[2] - 1}, [0, 0, 0])
        tx = t.x
        tl = t.lambda
        u = lagrange(v -> v' * v, v -> [v[1] + v[2] + v[3] - 3; v[1] - v[2] - 1], [0, 0, 0], lambda0 = [1, 1])
        ux = u.x");
    all_close(&elems(&s, "x"), &[2f64.sqrt(), 1.0], 1e-14);
    close(num(&s, "l"), 1.0, 1e-14);
    close(num(&s, "v"), 2.0, 1e-14);
    let h = -(0.5f64.sqrt());
    all_close(&elems(&s, "sx"), &[h, h], 1e-14);
    close(num(&s, "sl"), 1.0 / (2.0 * h), 1e-14);
    all_close(&elems(&s, "tx"), &[1.5, 0.5, 1.0], 1e-14);
    all_close(&elems(&s, "tl"), &[2.0, 1.0], 1e-14);
    all_close(&elems(&s, "ux"), &[1.5, 0.5, 1.0], 1e-14);
}

#[test]
fn lagrange_errors() {
    // At the origin the constraint's gradient vanishes: the KKT matrix is singular, so
    // Newton's step is undefined, and the hybrid method finds no root either.
    fails(
        "lagrange((x, y) -> x + y, (x, y) -> x^2 + y^2, [0, 0], lambda0 = 0, method = \"newton\")",
        "singular-matrix",
    );
    fails("lagrange((x, y) -> x + y, (x, y) -> x^2 + y^2, [0, 0], lambda0 = 0)", "no-convergence");
    fails("lagrange((x, y) -> x, {}, [0, 0])", "invalid-argument");
    fails("lagrange((x, y) -> x, 3, [0, 0])", "type-mismatch");
    fails("lagrange(x -> x, x -> [x - 1; x + 1], 0)", "shape-mismatch");
    fails("lagrange((x, y) -> x, (x, y) -> x - y, [0, 0], lambda0 = [1, 2])", "shape-mismatch");
}

#[test]
fn classify_stationary_uses_the_eigenvalues() {
    let s = ok("a = classify_stationary([2, 0; 0, 3])
        b = classify_stationary([-2, 1; 1, -3])
        c = classify_stationary([1, 2; 2, 1])
        d = classify_stationary([1, 1; 1, 1])
        e = classify_stationary(4)
        f(x, y) = x^3 - 3*x + y^2
        m = classify_stationary(hessian(f, 1, 0))
        sd = classify_stationary(hessian(f, -1, 0))
        t = classify_stationary([1e-12, 0; 0, 1], tol = 1e-15)");
    let word = |n: &str| match global(&s, n) {
        mml_runtime::Value::Str(t) => t.to_string(),
        v => panic!("{v:?}"),
    };
    assert_eq!(word("a"), "minimum");
    assert_eq!(word("b"), "maximum");
    assert_eq!(word("c"), "saddle");
    assert_eq!(word("d"), "degenerate");
    assert_eq!(word("e"), "minimum");
    assert_eq!(word("m"), "minimum");
    assert_eq!(word("sd"), "saddle");
    assert_eq!(word("t"), "minimum");
    fails("classify_stationary([1, 2; 3, 4])", "not-symmetric");
    fails("classify_stationary([1, 2])", "not-square");
    fails("classify_stationary([1, nan; nan, 1])", "not-finite");
}
