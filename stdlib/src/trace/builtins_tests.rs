//! The shared result shape through MML code: every iterative builtin's record has `path`,
//! `iterations`, `converged`, `reason` and `message`; iteration counts are the ones a
//! hand-written loop gives; `converged` is true only when the criterion holds; saddle points,
//! maxima, plateaus and unbounded functions are reported as such; `trace = true` turns a
//! failure into a record. Reference roots of the Lagrange systems: SciPy 1.17.1,
//! `optimize.root(∇L, x0, jac = J, method = "hybr", tol = 1e-14)` (tests/data/gen_calculus_scipy.py).

use mml_runtime::Value;

use crate::objective::tests::{all_close, close, elems, fails, global, num, ok};

fn text(s: &mml_runtime::Session, name: &str) -> String {
    match global(s, name) {
        Value::Str(t) => t.to_string(),
        v => panic!("{name} is not a string: {v:?}"),
    }
}

fn flag(s: &mml_runtime::Session, name: &str) -> bool {
    match global(s, name) {
        Value::Bool(b) => b,
        v => panic!("{name} is not a bool: {v:?}"),
    }
}

/// Runs `call` (an expression giving a record) and checks the five shared fields: the path
/// starts at `start` (when given) and has `iterations + extra` columns.
fn shared(call: &str, extra: f64) -> mml_runtime::Session {
    let s = ok(&format!(
        "r = {call}
        p = r.path
        k = r.iterations
        c = r.converged
        why = r.reason
        say = r.message
        cols = size(r.path, 2)"
    ));
    close(num(&s, "cols"), num(&s, "k") + extra, 0.0);
    assert!(!text(&s, "say").is_empty());
    s
}

#[test]
fn every_iterative_builtin_has_the_shared_fields() {
    let cases = [
        ("newton_raphson(x -> x^2 - 2, 1, trace = true)", 1.0, "step"),
        ("bisect(x -> x^2 - 2, 0, 2, trace = true)", 1.0, "interval"),
        ("root((x, y) -> [x^2 + y^2 - 4, x - y], [1, 2], trace = true)", 1.0, "step"),
        ("root((x, y) -> [x^2 + y^2 - 4, x - y], [1, 2], method = \"newton\", trace = true)", 1.0, "step"),
        ("root((x, y) -> [x^2 + y^2 - 4, x - y], [1, 2], method = \"lm\", trace = true)", 1.0, "step"),
        ("power_iteration([2, 1; 1, 2], [1, 0])", 2.0, "change"),
        ("pagerank([0, 1, 1/2; 1/2, 0, 1/2; 1/2, 0, 0])", 2.0, "change"),
        ("gradient_descent((x, y) -> (x - 1)^2 + 2 * (y + 2)^2, [0, 0], rate = 0.2, tol = 1e-8)", 1.0, "gradient"),
        ("minimize((x, y) -> (1 - x)^2 + 100 * (y - x^2)^2, [-1.2, 1])", 1.0, "gradient"),
        ("newton_minimize((x, y) -> x^4 + (y - 1)^2, [1, 0])", 1.0, "step"),
        ("curve_fit((x, a, k) -> a * exp(-k * x), [0, 1, 2, 3, 4], [3.1, 1.8, 1.1, 0.7, 0.4], [1, 1])", 1.0, "step"),
        ("lagrange((x, y) -> x^2 * y, (x, y) -> x^2 + y^2 - 3, [1, 1])", 1.0, "step"),
        ("global_min((x, y) -> (x - 1)^2 + (y + 0.5)^2, [-2, -2], [2, 2])", 1.0, "gradient"),
    ];
    for (call, extra, reason) in cases {
        let s = shared(call, extra);
        assert!(flag(&s, "c"), "{call}: {}", text(&s, "say"));
        assert_eq!(text(&s, "why"), reason, "{call}: {}", text(&s, "say"));
    }
}

#[test]
fn counts_are_those_of_a_hand_written_loop() {
    // Newton–Raphson on x² − 2 from 1: 1.5, 1.41667, 1.414215686, 1.41421356237469,
    // 1.414213562373095, and a sixth update of 1.6e-16 that meets the tolerance.
    let s = ok("r = newton_raphson(x -> x^2 - 2, 1, trace = true)
        k = r.iterations
        p = r.path
        x = 1
        n = 0
        while true {
            step = (x^2 - 2) / (2 * x)
            x = x - step
            n = n + 1
            if abs(step) <= 1e-12 * max(1, abs(x)) { break }
        }");
    close(num(&s, "k"), num(&s, "n"), 0.0);
    let p = elems(&s, "p");
    assert_eq!(p.len(), 7);
    all_close(&p[..3], &[1.0, 1.5, 17.0 / 12.0], 1e-15);
    // Bisection on [0, 2] to tol 1e-3: the half-width 2⁻ᵏ first meets 1e-3 after 10 halvings.
    let s = ok("b = bisect(x -> x^2 - 2, 0, 2, tol = 1e-3, trace = true)
        k = b.iterations
        m = b.path");
    close(num(&s, "k"), 10.0, 0.0);
    all_close(&elems(&s, "m")[..3], &[1.0, 1.5, 1.25], 0.0);
    // Gradient descent: one iteration per step, and `steps` steps when no tolerance is given.
    let s = ok("g = gradient_descent(x -> x^2, 3, rate = 0.25, steps = 7)
        k = g.iterations");
    close(num(&s, "k"), 7.0, 0.0);
}

#[test]
fn pagerank_counts_as_the_course_loop_does() {
    // The course's six-page web with its notebook's loop: r = 100/6 everywhere, one
    // multiplication before the loop, then `while norm(lastR - r) > 0.01` counts 18.
    let s = ok("L = [0, 1/2, 1/3, 0, 0, 0
             1/3, 0, 0, 0, 1/2, 0
             1/3, 1/2, 0, 1, 0, 1/2
             1/3, 0, 1/3, 0, 1/2, 1/2
             0, 0, 0, 0, 0, 0
             0, 0, 1/3, 0, 0, 0]
        r = 100 * ones(6, 1) / 6
        last = r
        r = L * r
        i = 0
        while norm(last - r) > 0.01 {
            last = r
            r = L * r
            i = i + 1
        }
        p = pagerank(L, d = 1, tol = 1e-4)
        k = p.iterations
        cols = size(p.path, 2)
        ranks = 100 * p.ranks");
    close(num(&s, "i"), 18.0, 0.0);
    close(num(&s, "k"), 18.0, 0.0);
    close(num(&s, "cols"), 20.0, 0.0);
    all_close(&elems(&s, "ranks"), &[16.0, 5.333333, 40.0, 25.333333, 0.0, 13.333333], 2e-3);
}

#[test]
fn converged_means_the_criterion_holds_even_below_1e_8() {
    // A quadratic with minimum 3 at (1, −2): the gradient there must be at most tol·|f|.
    for tol in ["1e-10", "1e-12", "1e-14"] {
        let s = ok(&format!(
            "q(x, y) = (x - 1)^2 + 10 * (y + 2)^2 + 3
            r = minimize(q, [5, 5], tol = {tol})
            c = r.converged
            g = grad(q, r.x[1], r.x[2])
            f = r.value"
        ));
        assert!(flag(&s, "c"), "tol = {tol}");
        let g = elems(&s, "g");
        let bound: f64 = tol.parse::<f64>().unwrap_or(0.0) * num(&s, "f").abs().max(1.0);
        assert!(g.iter().all(|v| v.abs() <= bound), "tol = {tol}: {g:?}");
    }
    // Rosenbrock to 1e-12 with each method.
    for method in ["bfgs", "newton"] {
        let s = ok(&format!(
            "rosen(x, y) = (1 - x)^2 + 100 * (y - x^2)^2
            r = minimize(rosen, [-1.2, 1], method = \"{method}\", tol = 1e-12)
            c = r.converged
            x = r.x"
        ));
        assert!(flag(&s, "c"), "{method}");
        all_close(&elems(&s, "x"), &[1.0, 1.0], 1e-10);
    }
}

#[test]
fn saddles_maxima_plateaus_and_unbounded_functions_are_not_minima() {
    let cases = [
        ("minimize((x, y) -> x^2 - y^2, [0, 0])", "saddle"),
        ("minimize(cos, 0)", "maximum"),
        ("minimize(x -> -x^2, 0)", "maximum"),
        ("minimize(x -> x^3, 0)", "saddle"),
        ("gradient_descent((x, y) -> x^2 - y^2, [1, 0])", "saddle"),
        ("gradient_descent((x, y) -> -exp(-(x^2 + y^2)), [5, 5])", "stalled"),
        ("gradient_descent(x -> 1 / (1 + exp(-x)), 40)", "stalled"),
        ("newton_minimize(x -> x^3 - 3*x, -2)", "maximum"),
        ("newton_minimize((x, y) -> x^2 - y^2 + x*y, [1, 1])", "saddle"),
        ("minimize(x -> x, 0, trace = true)", "unbounded"),
        ("minimize((x, y) -> x^2 - y, [1, 1], trace = true)", "unbounded"),
        ("minimize(x -> -x^4, 1, trace = true)", "unbounded"),
    ];
    for (call, reason) in cases {
        let s = ok(&format!("r = {call}\nc = r.converged\nwhy = r.reason\nsay = r.message"));
        assert!(!flag(&s, "c"), "{call} claims convergence: {}", text(&s, "say"));
        assert_eq!(text(&s, "why"), reason, "{call}: {}", text(&s, "say"));
    }
    // Without `trace`, a function with no minimum is an error, not a record.
    let e = fails("minimize(x -> x, 0)", "no-convergence");
    assert!(e.contains("no minimum"), "{e}");
    // A flat minimum (x⁴ at 0) and a minimum along a valley are still minima.
    let s = ok("a = minimize(x -> x^4, 0).converged
        b = minimize((x, y) -> x^2 + y^4, [0, 0]).converged
        n = newton_minimize(x -> x^3 - 3*x, 2)
        nc = n.converged
        nx = n.x");
    assert!(flag(&s, "a") && flag(&s, "b") && flag(&s, "nc"));
    close(num(&s, "nx"), 1.0, 1e-12);
}

#[test]
fn trace_turns_failures_into_records() {
    let cases = [
        ("newton_raphson(x -> x^3 - 2*x + 2, 0, trace = true)", "cycled"),
        ("newton_raphson(x -> x^2 - 1, 0, trace = true)", "zero-derivative"),
        ("newton_raphson(x -> x^2 + 1, 0.5, maxit = 30, trace = true)", "max-iterations"),
        ("root(x -> x^2 + 1, 2, trace = true)", "stalled"),
        ("root((x, y) -> [x + y, 2*x + 2*y - 1], [0, 0], method = \"newton\", trace = true)", "singular"),
        ("power_iteration([0, 1; 1, 0], [1, 0], maxit = 50, trace = true)", "max-iterations"),
        ("pagerank([0, 1; 1, 0], d = 1, maxit = 5, trace = true)", "change"),
        ("gradient_descent(x -> x^2, 1, rate = 2, steps = 2000, trace = true)", "diverged"),
        ("curve_fit((x, a, k) -> a * exp(-k * x), [0, 1, 2, 3, 4], [3.1, 1.8, 1.1, 0.7, 0.4], [1, 1], maxit = 1, trace = true)", "max-iterations"),
    ];
    for (call, reason) in cases {
        let s = ok(&format!("r = {call}\nwhy = r.reason\nsay = r.message\nc = r.converged"));
        assert_eq!(text(&s, "why"), reason, "{call}: {}", text(&s, "say"));
        assert_eq!(flag(&s, "c"), reason == "change", "{call}");
    }
    // Without `trace`, the same runs are errors carrying the same message.
    let e = fails("root(x -> x^2 + 1, 2)", "no-convergence");
    assert!(e.contains("not making progress"), "{e}");
    fails("power_iteration([0, 1; 1, 0], [1, 0], maxit = 50)", "no-convergence");
    fails("root((x, y) -> [x + y, 2*x + 2*y - 1], [0, 0], method = \"newton\")", "singular-matrix");
    fails("root(x -> x - 1, 0, method = \"secant\")", "invalid-argument");
}

#[test]
fn lagrange_reaches_the_roots_scipy_reports() {
    // (start, SciPy's x, y, λ).
    let cases = [
        (
            "(x, y) -> exp(-(2*x^2 + y^2 - x*y) / 2)",
            "(x, y) -> x^2 + 3*(y + 1)^2 - 1",
            "[1, -1, 0]",
            [0.9309418388841619, -1.2108295461701823, -0.15231909608998662],
        ),
        (
            "(x, y) -> exp(-(2*x^2 + y^2 - x*y) / 2)",
            "(x, y) -> x^2 + 3*(y + 1)^2 - 1",
            "[-1, -1, 0]",
            [-0.9589625388383235, -1.1636977388407843, -0.24653756763420842],
        ),
        (
            "(x, y) -> -exp(x - y^2 + x*y)",
            "(x, y) -> cosh(y) + x - 2",
            "[0, 0, 0]",
            [0.9577823608336402, 0.2895647902184091, -4.077888912160428],
        ),
        ("(x, y) -> x^2 * y", "(x, y) -> x^2 + y^2 - 3", "[-1, -1, 0]", [-std::f64::consts::SQRT_2, -1.0, -1.0]),
    ];
    for (f, g, start, want) in cases {
        let s = ok(&format!(
            "r = lagrange({f}, {g}, {start})
            x = r.x
            l = r.lambda
            c = r.converged
            cols = size(r.path, 1)"
        ));
        assert!(flag(&s, "c"), "{f} from {start}");
        all_close(&elems(&s, "x"), &want[..2], 1e-10);
        close(num(&s, "l"), want[2], 1e-9);
        // The path holds the points only, without the multiplier.
        close(num(&s, "cols"), 2.0, 0.0);
    }
}
