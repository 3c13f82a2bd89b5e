//! Tests of `hybrid` and `levenberg_marquardt`, driven by Rust closures with exact Jacobians.
//! The reference answers come from SciPy 1.17.1: `optimize.root(fun, x0, jac=jacobian,
//! method='hybr', tol=1e-14)` (MINPACK's hybrj, as `hybrid` is), printed by the `hybr` lines of
//! tests/data/gen_calculus_scipy.py. `hybrid` runs with the same `tol` and with `maxit`
//! equal to SciPy's default `maxfev` = 100·(n + 1), so it follows hybrj's iterates.

use mml_runtime::{BuiltinError, CallCtx, Matrix};

use super::{hybrid, levenberg_marquardt, SystemOutcome, SystemStop};
use crate::objective::Vector;
use crate::roots::newton_system;
use crate::testing::FakeCtx;

/// A system: F(z) and its Jacobian, row by row.
type System = fn(&[f64]) -> (Vec<f64>, Vec<Vec<f64>>);

/// The closure `hybrid` and `levenberg_marquardt` call.
fn closure(
    sys: System,
) -> impl FnMut(&mut dyn CallCtx, &Vector, bool) -> Result<(Vector, Option<Matrix>), BuiltinError> {
    move |_ctx: &mut dyn CallCtx, z: &Vector, jac: bool| {
        let (f, j) = sys(z.as_slice());
        let n = z.len();
        let jm = jac.then(|| Matrix::from_row_slice(n, n, &j.concat()));
        Ok((Vector::from_vec(f), jm))
    }
}

/// `hybrid` from `z0` with SciPy's `maxfev`.
fn hy(sys: System, z0: &[f64], tol: f64) -> SystemOutcome {
    let mut ctx = FakeCtx::default();
    let mut eval = closure(sys);
    let maxfev = 100 * (z0.len() + 1);
    match hybrid(&mut ctx, &mut eval, Vector::from_column_slice(z0), tol, maxfev) {
        Ok(o) => o,
        Err(e) => panic!("hybrid failed from {z0:?}: {e:?}"),
    }
}

/// `levenberg_marquardt` from `z0`.
fn lm(sys: System, z0: &[f64], tol: f64, maxit: usize) -> SystemOutcome {
    let mut ctx = FakeCtx::default();
    let mut eval = closure(sys);
    match levenberg_marquardt(&mut ctx, &mut eval, Vector::from_column_slice(z0), tol, maxit) {
        Ok(o) => o,
        Err(e) => panic!("levenberg_marquardt failed from {z0:?}: {e:?}"),
    }
}

/// How close MML's x must come to SciPy's: 1e-10 relative to max(1, |entry|).
const AGREE: f64 = 1e-10;

#[track_caller]
fn assert_near(x: &Vector, want: &[f64], tol: f64) {
    assert_eq!(x.len(), want.len());
    for (a, b) in x.iter().zip(want) {
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "{:?} is not within {tol} of {want:?}", x.as_slice());
    }
}

/// The bookkeeping every outcome keeps.
#[track_caller]
fn assert_path(o: &SystemOutcome, z0: &[f64]) {
    assert_eq!(o.path[0].as_slice(), z0);
    assert_eq!(o.path.len(), o.iterations + 1);
    assert_eq!(o.path.last().map(|p| p.as_slice()), Some(o.x.as_slice()));
    assert!(o.jacobians >= 1 && o.evaluations > o.iterations);
}

// ∇L = 0 for f = x²y on x² + y² = 3, as `lagrange` writes it: [∇f − λ∇g; −g].
fn xxy(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y, l) = (z[0], z[1], z[2]);
    (
        vec![2.0 * x * y - 2.0 * l * x, x * x - 2.0 * l * y, -(x * x + y * y - 3.0)],
        vec![
            vec![2.0 * y - 2.0 * l, 2.0 * x, -2.0 * x],
            vec![2.0 * x, -2.0 * l, -2.0 * y],
            vec![-2.0 * x, -2.0 * y, 0.0],
        ],
    )
}

// The Gaussian hill f = exp(−(2x² + y² − xy)/2) on the ellipse x² + 3(y + 1)² = 1.
fn hill(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y, l) = (z[0], z[1], z[2]);
    let e = (-(2.0 * x * x + y * y - x * y) / 2.0).exp();
    let (a, b) = (-(4.0 * x - y) / 2.0, -(2.0 * y - x) / 2.0);
    (
        vec![e * a - 2.0 * l * x, e * b - 6.0 * l * (y + 1.0), -(x * x + 3.0 * (y + 1.0).powi(2) - 1.0)],
        vec![
            vec![e * (a * a - 2.0) - 2.0 * l, e * (a * b + 0.5), -2.0 * x],
            vec![e * (a * b + 0.5), e * (b * b - 1.0) - 6.0 * l, -6.0 * (y + 1.0)],
            vec![-2.0 * x, -6.0 * (y + 1.0), 0.0],
        ],
    )
}

// The point of the line {x + y + w = 3, x − y = 1} nearest the origin: f = |v|², two constraints.
fn nearest(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y, w, l1, l2) = (z[0], z[1], z[2], z[3], z[4]);
    (
        vec![2.0 * x - l1 - l2, 2.0 * y - l1 + l2, 2.0 * w - l1, -(x + y + w - 3.0), -(x - y - 1.0)],
        vec![
            vec![2.0, 0.0, 0.0, -1.0, -1.0],
            vec![0.0, 2.0, 0.0, -1.0, 1.0],
            vec![0.0, 0.0, 2.0, -1.0, 0.0],
            vec![-1.0, -1.0, -1.0, 0.0, 0.0],
            vec![-1.0, 1.0, 0.0, 0.0, 0.0],
        ],
    )
}

// The practice quiz's f(x, y) = −exp(x − y² + xy) on g(x, y) = cosh(y) + x − 2 = 0.
fn quiz(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y, l) = (z[0], z[1], z[2]);
    let e = -(x - y * y + x * y).exp();
    let (a, b) = (1.0 + y, x - 2.0 * y);
    (
        vec![e * a - l, e * b - l * y.sinh(), -(y.cosh() + x - 2.0)],
        vec![
            vec![e * a * a, e * (a * b + 1.0), -1.0],
            vec![e * (a * b + 1.0), e * (b * b - 2.0) - l * y.cosh(), -y.sinh()],
            vec![-1.0, -y.sinh(), 0.0],
        ],
    )
}

// Powell's badly scaled function.
fn powell(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y) = (z[0], z[1]);
    (
        vec![1e4 * x * y - 1.0, (-x).exp() + (-y).exp() - 1.0001],
        vec![vec![1e4 * y, 1e4 * x], vec![-(-x).exp(), -(-y).exp()]],
    )
}

// Rosenbrock's function as a system.
fn rosenbrock(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y) = (z[0], z[1]);
    (vec![10.0 * (y - x * x), 1.0 - x], vec![vec![-20.0 * x, 10.0], vec![-1.0, 0.0]])
}

// Freudenstein and Roth's function: a root at (5, 4), a local minimum of ‖F‖ near (11.41, −0.8968).
fn freudenstein_roth(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (x, y) = (z[0], z[1]);
    (
        vec![-13.0 + x + ((5.0 - y) * y - 2.0) * y, -29.0 + x + ((y + 1.0) * y - 14.0) * y],
        vec![vec![1.0, 10.0 * y - 3.0 * y * y - 2.0], vec![1.0, 3.0 * y * y + 2.0 * y - 14.0]],
    )
}

// x² + 1 = 0: no real root; ‖F‖ is least at 0, where the Jacobian vanishes.
fn no_root(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    (vec![z[0] * z[0] + 1.0], vec![vec![2.0 * z[0]]])
}

/// One reference case: SciPy's x, status (MINPACK's info), nfev and njev. SciPy 1.17's nfev
/// counts two calls more than hybrj's own count (`evaluations` here): one to check F's shape
/// and a second evaluation at x0. `counts` is `None` where the last iterates differ in
/// rounding (the x still agree).
struct Case {
    name: &'static str,
    sys: System,
    x0: &'static [f64],
    x: &'static [f64],
    status: u8,
    counts: Option<(usize, usize)>,
}

/// SciPy's answers, `optimize.root(fun, x0, jac=jacobian, method='hybr', tol=1e-14)`.
// SciPy's digits as printed (1.414213562373095 is one unit in the last place below √2).
#[allow(clippy::approx_constant)]
const CASES: &[Case] = &[
    // status 1, "The solution converged."
    Case {
        name: "xxy",
        sys: xxy,
        x0: &[1.0, 1.0, 0.0],
        x: &[1.414213562373095, 1.0, 1.0],
        status: 1,
        counts: Some((17, 1)),
    },
    Case {
        name: "xxy",
        sys: xxy,
        x0: &[-1.0, -1.0, 0.0],
        x: &[-1.414213562373095, -1.0, -1.0],
        status: 1,
        counts: Some((17, 1)),
    },
    // status 3, "xtol=0.000000 is too small, no further improvement in the approximate solution
    // is possible": the stationary point (0, √3) where f = 0 and λ = 0.
    Case {
        name: "xxy",
        sys: xxy,
        x0: &[-1.0, 2.0, 0.0],
        x: &[1.925929944387236e-34, 1.7320508075688774, 0.0],
        status: 3,
        counts: Some((24, 2)),
    },
    // status 3, as above.
    Case {
        name: "hill",
        sys: hill,
        x0: &[1.0, -1.0, 0.0],
        x: &[0.9309418388841619, -1.2108295461701823, -0.15231909608998662],
        status: 3,
        counts: Some((26, 1)),
    },
    // status 1.
    Case {
        name: "hill",
        sys: hill,
        x0: &[-1.0, -1.0, 0.0],
        x: &[-0.9589625388383235, -1.1636977388407843, -0.24653756763420842],
        status: 1,
        counts: Some((27, 3)),
    },
    Case {
        name: "nearest",
        sys: nearest,
        x0: &[0.0; 5],
        x: &[1.5, 0.5, 1.0, 2.0, 1.0],
        status: 1,
        counts: Some((5, 1)),
    },
    Case {
        name: "quiz",
        sys: quiz,
        x0: &[0.0, 0.0, 0.0],
        x: &[0.9577823608336402, 0.2895647902184091, -4.077888912160428],
        status: 1,
        counts: None,
    },
    Case {
        name: "powell",
        sys: powell,
        x0: &[0.0, 1.0],
        x: &[1.0981593296998163e-05, 9.106146739866533],
        status: 1,
        counts: Some((172, 5)),
    },
    Case { name: "rosenbrock", sys: rosenbrock, x0: &[-1.2, 1.0], x: &[1.0, 1.0], status: 1, counts: Some((23, 2)) },
    // status 5, "The iteration is not making good progress, as measured by the improvement from
    // the last ten iterations": the local minimum of ‖F‖.
    Case {
        name: "freudenstein_roth",
        sys: freudenstein_roth,
        x0: &[0.5, -2.0],
        x: &[11.412708077190171, -0.8967944610456444],
        status: 5,
        counts: Some((24, 6)),
    },
    // status 1: the root (5, 4), where Newton's method is stuck (below).
    Case {
        name: "freudenstein_roth",
        sys: freudenstein_roth,
        x0: &[-10.0, -1.0],
        x: &[5.0, 4.0],
        status: 1,
        counts: Some((15, 2)),
    },
    // status 2, "The number of calls to function has reached maxfev = 400.": hybrj wanders off
    // towards where exp(x − y² + xy) vanishes and λ with it.
    Case {
        name: "quiz",
        sys: quiz,
        x0: &[1.0, 1.0, 1.0],
        x: &[-2.710497351564473, 2.231478534055082, 1.4086071466992768e-06],
        status: 2,
        counts: Some((402, 4)),
    },
    // status 5 from 2 and −3, status 4 ("… from the last five Jacobian evaluations") from 0.5.
    Case { name: "no_root", sys: no_root, x0: &[2.0], x: &[0.0011541193181817677], status: 5, counts: Some((20, 4)) },
    Case { name: "no_root", sys: no_root, x0: &[0.5], x: &[0.0001220703125], status: 4, counts: Some((24, 7)) },
    Case { name: "no_root", sys: no_root, x0: &[-3.0], x: &[-0.0002740143723629965], status: 5, counts: Some((23, 4)) },
];

#[test]
fn hybrid_reaches_scipys_answers() {
    for c in CASES {
        let o = hy(c.sys, c.x0, 1e-14);
        let what = format!(
            "{} from {:?}: x = {:?}, {:?}, {} evaluations, {} Jacobians, {} steps",
            c.name,
            c.x0,
            o.x.as_slice(),
            o.stop,
            o.evaluations,
            o.jacobians,
            o.iterations
        );
        eprintln!("{what}");
        assert_near(&o.x, c.x, AGREE);
        let stops: &[SystemStop] = match c.status {
            1 => &[SystemStop::Step, SystemStop::Residual],
            2 => &[SystemStop::MaxIterations],
            3 => &[SystemStop::Step],
            _ => &[SystemStop::Slow],
        };
        assert!(stops.contains(&o.stop), "{what}: SciPy's status is {}", c.status);
        if let Some((nfev, njev)) = c.counts {
            assert_eq!((o.evaluations + 2, o.jacobians), (nfev, njev), "{what}");
        }
        assert_path(&o, c.x0);
    }
}

#[test]
fn hybrid_succeeds_where_newton_is_stuck() {
    // From (−10, −1) Newton's method with backtracking runs into the valley of Freudenstein and
    // Roth's local minimum and stops there; hybrj reaches the root (5, 4):
    // optimize.root(..., [-10, -1], jac=..., method='hybr', tol=1e-14) gives
    // x = [5.0, 4.0], status 1, "The solution converged.".
    let mut ctx = FakeCtx::default();
    let mut eval = closure(freudenstein_roth);
    let newton =
        newton_system(&mut ctx, &mut eval, Vector::from_column_slice(&[-10.0, -1.0]), 1e-12, 100, "the Jacobian");
    match newton {
        Ok(r) => {
            assert_eq!(r.stop, crate::trace::Stop::Stalled, "{}", r.message);
            assert!(r.message.contains("stuck"), "{}", r.message);
        }
        Err(e) => panic!("{e:?}"),
    }
    let o = hy(freudenstein_roth, &[-10.0, -1.0], 1e-14);
    assert_near(&o.x, &[5.0, 4.0], AGREE);
    assert!(matches!(o.stop, SystemStop::Step | SystemStop::Residual), "{:?}", o.stop);
    assert_path(&o, &[-10.0, -1.0]);
}

#[test]
fn hybrid_stops_at_maxit_and_reports_it() {
    // The quiz's system from (1, 1, 1) uses up SciPy's maxfev = 400 (see CASES).
    let o = hy(quiz, &[1.0, 1.0, 1.0], 1e-14);
    assert_eq!((o.stop, o.evaluations), (SystemStop::MaxIterations, 400));
    // Powell's badly scaled function needs 172 evaluations; 20 are not enough.
    let mut ctx = FakeCtx::default();
    let mut eval = closure(powell);
    let o = hybrid(&mut ctx, &mut eval, Vector::from_column_slice(&[0.0, 1.0]), 1e-14, 20).unwrap();
    assert_eq!((o.stop, o.evaluations), (SystemStop::MaxIterations, 20));
    assert_path(&o, &[0.0, 1.0]);
    let o = hybrid(&mut ctx, &mut eval, Vector::from_column_slice(&[0.0, 1.0]), 1e-14, 1).unwrap();
    assert_eq!((o.stop, o.evaluations, o.iterations), (SystemStop::MaxIterations, 1, 0));
}

#[test]
fn hybrid_never_claims_a_root_of_x2_plus_1() {
    for x0 in [2.0, 0.5, -3.0, 0.0, 1e-8, 1e6] {
        let o = hy(no_root, &[x0], 1e-12);
        assert!(matches!(o.stop, SystemStop::Slow | SystemStop::MaxIterations), "from {x0}: {:?}", o.stop);
        assert!(o.residual >= 1.0);
        assert_path(&o, &[x0]);
        let o = lm(no_root, &[x0], 1e-12, 200);
        assert!(matches!(o.stop, SystemStop::Slow | SystemStop::MaxIterations), "LM from {x0}: {:?}", o.stop);
        assert_path(&o, &[x0]);
    }
}

#[test]
fn hybrid_with_the_default_tolerance() {
    for (sys, x0, want) in [
        (rosenbrock as System, &[-1.2, 1.0][..], &[1.0, 1.0][..]),
        (xxy, &[1.0, 1.0, 0.0], &[2f64.sqrt(), 1.0, 1.0]),
        (freudenstein_roth, &[-10.0, -1.0], &[5.0, 4.0]),
    ] {
        let o = hy(sys, x0, 1e-12);
        assert!(matches!(o.stop, SystemStop::Step | SystemStop::Residual), "{:?}", o.stop);
        assert_near(&o.x, want, 1e-10);
        assert!(o.residual <= 1e-9, "{}", o.residual);
    }
}

// ln(x) = 0 from 10: the first full step lands at x < 0, where F is nan.
fn log(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    (vec![z[0].ln()], vec![vec![1.0 / z[0]]])
}

// A zero column (y does not appear) and a zero row of the Jacobian at the start.
fn no_y(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    (vec![z[0] - 1.0, z[0].powi(3) - 1.0], vec![vec![1.0, 0.0], vec![3.0 * z[0] * z[0], 0.0]])
}

// x² = 0 and y = 0 from (0, 1): J = [0, 0; 0, 1] is singular at the start.
fn singular_start(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    (vec![z[0] * z[0], z[1]], vec![vec![2.0 * z[0], 0.0], vec![0.0, 1.0]])
}

#[test]
fn hybrid_handles_the_numeric_edges() {
    let o = hy(log, &[10.0], 1e-12);
    assert!(matches!(o.stop, SystemStop::Step | SystemStop::Residual), "{:?}", o.stop);
    assert_near(&o.x, &[1.0], 1e-12);
    // Every (1, y) is a root; the dogleg's step along the zero column is arbitrary (large, as
    // in MINPACK) but finite.
    let o = hy(no_y, &[3.0, 7.0], 1e-12);
    assert!((o.x[0] - 1.0).abs() <= 1e-10 && o.x[1].is_finite(), "{:?}", o.x.as_slice());
    assert!(o.residual <= 1e-10);
    let o = hy(no_y, &[1.0, 7.0], 1e-12);
    assert_eq!((o.stop, o.iterations, o.evaluations), (SystemStop::Residual, 0, 1));
    let o = hy(singular_start, &[0.0, 1.0], 1e-12);
    assert!(o.x[0] == 0.0 && o.x[1].abs() <= 1e-12, "{:?}", o.x.as_slice());
    // Non-finite at the start is an error saying where.
    let mut ctx = FakeCtx::default();
    for method in [hybrid, levenberg_marquardt] {
        let mut eval = closure(log);
        match method(&mut ctx, &mut eval, Vector::from_column_slice(&[-1.0]), 1e-12, 100) {
            Err(BuiltinError::Message { code, message, .. }) => {
                assert_eq!(code, "no-convergence");
                assert!(message.contains("F is not finite at the start x = -1"), "{message}");
            }
            _ => panic!("no error"),
        }
        let mut eval = closure(log);
        match method(&mut ctx, &mut eval, Vector::from_column_slice(&[0.0]), 1e-12, 100) {
            Err(BuiltinError::Message { code, .. }) => assert_eq!(code, "no-convergence"),
            _ => panic!("no error"),
        }
        let mut eval = closure(log);
        assert!(method(&mut ctx, &mut eval, Vector::zeros(0), 1e-12, 100).is_err());
    }
}

#[test]
fn levenberg_marquardt_solves_the_easy_ones() {
    for (sys, x0, want) in [
        (xxy as System, &[1.0, 1.0, 0.0][..], &[2f64.sqrt(), 1.0, 1.0][..]),
        (xxy, &[-1.0, -1.0, 0.0], &[-(2f64.sqrt()), -1.0, -1.0]),
        (hill, &[-1.0, -1.0, 0.0], &[-0.9589625388383235, -1.1636977388407843, -0.24653756763420842]),
        (nearest, &[0.0; 5], &[1.5, 0.5, 1.0, 2.0, 1.0]),
        (rosenbrock, &[-1.2, 1.0], &[1.0, 1.0]),
        (quiz, &[0.0, 0.0, 0.0], &[0.9577823608336402, 0.2895647902184091, -4.077888912160428]),
        (log, &[10.0], &[1.0]),
    ] {
        let o = lm(sys, x0, 1e-12, 1000);
        eprintln!(
            "LM from {x0:?}: {:?} {:?} {} steps {} evaluations",
            o.x.as_slice(),
            o.stop,
            o.iterations,
            o.evaluations
        );
        assert!(matches!(o.stop, SystemStop::Step | SystemStop::Residual), "from {x0:?}: {:?}", o.stop);
        assert_near(&o.x, want, AGREE);
        assert_path(&o, x0);
    }
    // Freudenstein and Roth from (0.5, −2): the local minimum of ‖F‖, reported as such.
    let o = lm(freudenstein_roth, &[0.5, -2.0], 1e-12, 1000);
    eprintln!("LM FR: {:?} {:?}", o.x.as_slice(), o.stop);
    assert_eq!(o.stop, SystemStop::Slow);
    assert!(o.residual > 1.0);
    let o = lm(rosenbrock, &[-1.2, 1.0], 1e-12, 3);
    assert_eq!((o.stop, o.evaluations), (SystemStop::MaxIterations, 3));
}

// x² + 1 with a Jacobian that is nan once |x| < 1.5, as if F were not differentiable there.
fn broken_jacobian(z: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = if z[0].abs() < 1.5 { f64::NAN } else { 2.0 * z[0] };
    (vec![z[0] * z[0] + 1.0], vec![vec![d]])
}

#[test]
fn a_later_non_finite_jacobian_is_an_error_saying_where() {
    let mut ctx = FakeCtx::default();
    for method in [hybrid, levenberg_marquardt] {
        let mut eval = closure(broken_jacobian);
        match method(&mut ctx, &mut eval, Vector::from_column_slice(&[2.0]), 1e-12, 100) {
            Err(BuiltinError::Message { code, message, .. }) => {
                assert_eq!(code, "no-convergence");
                assert!(message.contains("the Jacobian is not finite at x = "), "{message}");
            }
            Err(e) => panic!("{e:?}"),
            Ok(o) => panic!("no error: {:?}", o.stop),
        }
    }
}
