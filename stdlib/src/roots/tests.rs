//! Tests of `newton_raphson`, `root` and `bisect`: the course's Newton–Raphson quiz
//! (reference roots from `scipy.optimize.newton`), its cycling example, systems with known
//! solutions, and every failure (cycle, zero derivative, no convergence, singular Jacobian,
//! wrong shapes, no sign change).

use crate::objective::tests::{all_close, close, elems, fails, num, ok, run};

/// The practice quiz "Newton-Raphson in one dimension".
const QUIZ: &str = "f(x) = x^6/6 - 3*x^4 - 2*x^3/3 + 27*x^2/2 + 18*x - 30
d_f(x) = x^5 - 12*x^3 - 2*x^2 + 27*x + 18\n";

#[test]
fn newton_raphson_solves_the_course_quiz() {
    // scipy.optimize.newton(f, x0, d_f, tol=1e-14) gives -3.7602139721974477 from -4, 1.99
    // and 3.1 (from 1.99 the first step throws the iterate to about -36.47).
    let s = ok(&format!(
        "{QUIZ}a = newton_raphson(f, -4)\nb = newton_raphson(f, 1.99)\nc = newton_raphson(f, 3.1)\nd = newton_raphson(f, -4, df = d_f)"
    ));
    for name in ["a", "b", "c", "d"] {
        close(num(&s, name), -3.7602139721974477, 1e-14);
    }
    let s = ok("r = newton_raphson(x -> x^2 - 2, 1)\nq = newton_raphson(x -> x^3 - 2*x + 2, -2)");
    close(num(&s, "r"), 2f64.sqrt(), 1e-15);
    // The real root of x³ − 2x + 2 (by hand: Cardano).
    let cardano = -((1.0 + (19f64 / 27.0).sqrt()).cbrt() + (1.0 - (19f64 / 27.0).sqrt()).cbrt());
    close(num(&s, "q"), cardano, 1e-14);
}

#[test]
fn newton_raphson_table_shows_the_iterates() {
    let (_, out, diags) = run("x = newton_raphson(x -> x^2 - 4, 3, table = true)");
    assert!(diags.is_empty(), "{diags}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("f(x)"));
    // x₁ = 3 − 5/6 = 13/6.
    assert!(lines[1].contains(" 3 ") && lines[2].contains("2.1666666666666"), "{out}");
    assert!(lines.last().is_some_and(|l| l.contains(" 2 ")), "{out}");
}

#[test]
fn newton_raphson_reports_cycles_and_failures() {
    // The lecture's example: from 0 the iterates go 0, 1, 0, 1, …
    let e = fails("newton_raphson(x -> x^3 - 2*x + 2, 0)", "no-convergence");
    assert!(e.contains("cycling") && e.contains("x2 = 0 is x0 again"), "{e}");
    assert!(e.contains("x0 = 0, f = 2") && e.contains("x1 = 1, f = 1"), "{e}");
    let e = fails("newton_raphson(x -> x^2 - 1, 0)", "no-convergence");
    assert!(e.contains("f′(x) = 0"), "{e}");
    // No real root: the iterates wander.
    let e = fails("newton_raphson(x -> x^2 + 1, 0.5, maxit = 30)", "no-convergence");
    assert!(e.contains("did not converge in 30 steps") || e.contains("cycling"), "{e}");
    fails("newton_raphson(x -> exp(x) - 1e300, -10, maxit = 5)", "no-convergence");
    fails("newton_raphson(x -> x, [1, 2])", "type-mismatch");
    fails("newton_raphson(x -> [x, x], 1)", "shape-mismatch");
    fails("newton_raphson(x -> x, 1, tol = 0)", "invalid-argument");
    fails("newton_raphson(x -> \"a\", 1)", "type-mismatch");
    // Solving inside a derivative has no derivative.
    fails("derivative(a -> newton_raphson(x -> x^2 - a, 1))(2)", "not-differentiable");
}

#[test]
fn root_solves_systems() {
    let s = ok("F(v) = [v[1]^2 + v[2]^2 - 4, v[1] - v[2]]
        a = root(F, [1, 2])
        G(x, y) = [x + y - 3, x - y - 1]
        b = root(G, [0, 0])
        c = root(x -> cos(x) - x, 1)
        H(v) = [exp(v[1]) - v[2], v[1] + v[2] - 2, v[3]^3 - 8]
        d = root(H, [0, 1, 1])");
    all_close(&elems(&s, "a"), &[2f64.sqrt(), 2f64.sqrt()], 1e-15);
    all_close(&elems(&s, "b"), &[2.0, 1.0], 1e-15);
    // The Dottie number.
    close(num(&s, "c"), 0.7390851332151607, 1e-15);
    let d = elems(&s, "d");
    close(d[0].exp(), d[1], 1e-14);
    close(d[0] + d[1], 2.0, 1e-15);
    close(d[2], 2.0, 1e-15);
}

#[test]
fn root_solves_the_lagrange_quiz_system() {
    // ∇L = 0 for f = exp(−(2x² + y² − xy)/2), g = x² + 3(y + 1)² − 1, solved by
    // scipy.optimize.root from [1, −1, 0] and [−1, −1, 0].
    let s = ok("f(x, y) = exp(-(2*x^2 + y^2 - x*y) / 2)
        g(x, y) = x^2 + 3*(y + 1)^2 - 1
        fn dL(x, y, l) {
            df = grad(f, x, y)
            dg = grad(g, x, y)
            return [df - l * dg; -g(x, y)]
        }
        a = root(dL, [1, -1, 0])
        b = root(dL, [-1, -1, 0])");
    all_close(&elems(&s, "a"), &[0.930941838884162, -1.2108295461701821, -0.15231909608998656], 1e-12);
    all_close(&elems(&s, "b"), &[-0.9589625388383235, -1.1636977388407843, -0.24653756763420842], 1e-12);
}

#[test]
fn root_errors() {
    let e = fails("root(v -> [v[1] + v[2], 2*v[1] + 2*v[2] - 1], [0, 0], method = \"newton\")", "singular-matrix");
    assert!(e.contains("the Jacobian is singular at x = [0, 0]"), "{e}");
    // The hybrid method settles at the least-squares point of the contradictory equations
    // (|F| = 1/√5) and says that it is no root.
    let e = fails("root(v -> [v[1] + v[2], 2*v[1] + 2*v[2] - 1], [0, 0])", "no-convergence");
    assert!(e.contains("|F| = 0.447") && e.contains("no root"), "{e}");
    fails("root(v -> [v[1], v[2], v[1] + v[2]], [1, 1])", "shape-mismatch");
    fails("root(v -> v' * v, [1, 1])", "shape-mismatch");
    // x² + 1 = 0 has no real root: Newton stalls or wanders.
    fails("root(x -> x^2 + 1, 2)", "no-convergence");
    fails("root(x -> x, [])", "invalid-argument");
    fails("root(x -> x, [1, nan])", "not-finite");
    fails("root(1, 2)", "type-mismatch");
}

#[test]
fn bisect_halves_to_the_root() {
    let s = ok("a = bisect(x -> x^2 - 2, 0, 2)
        b = bisect(x -> x^2 - 2, 2, 0)
        c = bisect(x -> x - 1, 1, 5)
        d = bisect(cos, 0, 3, tol = 1e-3)
        e = bisect(x -> x^3 - 2*x + 2, -3, 0)");
    close(num(&s, "a"), 2f64.sqrt(), 1e-12);
    close(num(&s, "b"), 2f64.sqrt(), 1e-12);
    assert_eq!(num(&s, "c"), 1.0);
    assert!((num(&s, "d") - std::f64::consts::FRAC_PI_2).abs() <= 1e-3);
    close(num(&s, "e"), -1.7692923542386314, 1e-12);
}

#[test]
fn bisect_errors() {
    let e = fails("bisect(x -> x^2 + 1, -1, 1)", "no-sign-change");
    assert!(e.contains("f(-1) = 2 and f(1) = 2"), "{e}");
    fails("bisect(x -> x, 1, 1)", "invalid-argument");
    fails("bisect(x -> sqrt(x), -1, 1)", "domain-error");
    fails("bisect(x -> x, [0, 1], 1)", "type-mismatch");
    fails("bisect(x -> x, -1, 1, tol = -1)", "invalid-argument");
}

#[test]
fn bisect_table_shows_each_halving() {
    let (_, out, diags) = run("r = bisect(x -> x - 0.3, 0, 1, tol = 0.1, table = true)");
    assert!(diags.is_empty(), "{diags}");
    let lines: Vec<&str> = out.lines().collect();
    // [0, 1] → midpoint 0.5 (f > 0) → [0, 0.5] → 0.25 (f < 0) → [0.25, 0.5] → 0.375 → [0.25, 0.375],
    // whose half-width 0.0625 is within the tolerance.
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with("   0  0 ") && lines[1].contains("0.2"), "{out}");
    assert!(lines[3].starts_with("   2  0.25 "), "{out}");
}
