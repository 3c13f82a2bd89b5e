//! Minimisation: `gradient_descent` (fixed rate, the course's steepest descent),
//! `newton_minimize` (Newton's step −H⁻¹∇f), `minimize` (BFGS, Newton or steepest descent
//! with a Wolfe line search), `lagrange` (stationary points under equality constraints) and
//! `classify_stationary` (the second-derivative test).
//!
//! Gradients and Hessians are exact (automatic differentiation). The minimisers return the
//! same record, `{x, value, path, iterations, converged, reason, message}` (crate::trace),
//! with `path` holding one column per iterate for plotting. `converged` is true only when the
//! stated criterion holds at the stated tolerance and the second-derivative test does not
//! show a saddle point, a maximum or a plateau there. Running out of iterations, stalling and
//! ending anywhere but at a minimum are reported in the record, since the last point is often
//! still useful; a run that blows up (values turning infinite) or a function that falls without
//! bound is a `no-convergence` error unless `trace = true` asks for the record.

use mml_runtime::kernel;
use mml_runtime::{BuiltinError, CallCtx, Matrix, Value};

use crate::decomp::{is_symmetric, not_symmetric};
use crate::macros::builtin;
use crate::objective::{short, Objective, Vector};
use crate::roots::{newton_solve, positive, show_matrix, show_short, solve_system, system_maxit, system_method};
use crate::solve::finite_matrix;
use crate::trace::{Path, Report, Stop};

/// The answer of a minimiser: the record `{x, value, …}`, or, for a run that blew up or fell
/// without bound (or met a singular Hessian) when `trace` is off, its error with `help`.
struct Ending<'h> {
    stop: Stop,
    message: String,
    help: &'h str,
}

impl Ending<'_> {
    fn new(stop: Stop, message: impl Into<String>) -> Ending<'static> {
        Ending { stop, message: message.into(), help: "" }
    }
}

fn answer(
    obj: &Objective<'_>,
    x: &Vector,
    value: f64,
    path: Path,
    iterations: usize,
    end: Ending<'_>,
    trace: bool,
) -> Result<Value, BuiltinError> {
    let report = Report::new(end.stop, iterations, path, end.message);
    if !trace && matches!(end.stop, Stop::Diverged | Stop::Unbounded | Stop::Singular) {
        return Err(report.error(None, end.help));
    }
    Ok(report.record(vec![("x", obj.to_value(x)), ("value", Value::Num(value))]))
}

/// The ending of a run whose values became infinite or nan at `x`.
fn diverged<'h>(what: &str, x: &Vector, fx: f64, help: &'h str) -> Ending<'h> {
    if fx == f64::NEG_INFINITY {
        return unbounded(x, fx);
    }
    Ending {
        stop: Stop::Diverged,
        message: format!("{what} diverged: the function or its gradient is not finite at x = {}", show_short(x)),
        help,
    }
}

/// The ending of a run on a function that falls without bound.
fn unbounded(x: &Vector, fx: f64) -> Ending<'static> {
    Ending {
        stop: Stop::Unbounded,
        message: format!(
            "the function has no minimum: it keeps falling as the step grows (f = {} at x = {})",
            short(fx, 6),
            show_short(x)
        ),
        help: "minimize a function that is bounded below, or start near the minimum you want",
    }
}

/// The message of a run that converged by its gradient criterion.
fn gradient_message(g: &Vector, bound: f64, norm: &str) -> String {
    let size = if norm == "|∇f|" { g.norm() } else { g.amax() };
    format!("converged: {norm} = {} is at most {}", short(size, 3), short(bound, 3))
}

/// The largest number of unknowns for which the second-derivative test runs at the end of a
/// minimisation (it needs the whole Hessian).
const SECOND_ORDER_MAX: usize = 200;

/// The second-derivative test at a point where a minimiser's criterion held: `None` when the
/// point may be a minimum, else why it is not one: a saddle point or a maximum (the Hessian
/// has a negative eigenvalue), a plateau (the gradient is not zero but f does not curve at
/// all, so the gradient is small only because f is flat), or an inflection (the gradient and
/// Hessian are zero and f is lower close by, as for x³ at 0).
fn not_a_minimum(
    ctx: &mut dyn CallCtx,
    obj: &Objective<'_>,
    x: &Vector,
    fx: f64,
    g: &Vector,
) -> Result<Option<Ending<'static>>, BuiltinError> {
    let n = x.len();
    if n == 0 || n > SECOND_ORDER_MAX {
        return Ok(None);
    }
    let (_, _, h) = scalar_second(obj, ctx, x)?;
    if h.iter().any(|v| !v.is_finite()) {
        return Ok(None);
    }
    let sym = (&h + h.transpose()) * 0.5;
    let Ok((values, _)) = crate::solve::eigh_of(&sym, 0) else { return Ok(None) };
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), v| (l.min(*v), u.max(*v)));
    let big = lo.abs().max(hi.abs());
    let tiny = 1e-8 * big.max(1.0);
    let at = show_short(x);
    if lo < -tiny && hi > tiny {
        return Ok(Some(Ending {
            stop: Stop::Saddle,
            message: format!(
                "x = {at} is a saddle point of f, not a minimum: the Hessian there has eigenvalues {} and {}",
                short(lo, 4),
                short(hi, 4)
            ),
            help: "f falls along the eigenvector of the negative eigenvalue: start from another point",
        }));
    }
    if lo < -tiny {
        return Ok(Some(Ending {
            stop: Stop::Maximum,
            message: format!(
                "x = {at} is a maximum of f, not a minimum: f curves down there (the Hessian's eigenvalues are at most {})",
                short(hi, 4)
            ),
            help: "start from another point",
        }));
    }
    if big > tiny {
        return Ok(None);
    }
    if g.iter().any(|v| *v != 0.0) {
        return Ok(Some(Ending {
            stop: Stop::Stalled,
            message: format!(
                "stalled on a plateau at x = {at}: the gradient ({}) is small only because f is flat there (its Hessian is about 0), so this need not be a minimum",
                short(g.norm(), 3)
            ),
            help: "start nearer the minimum, or rescale f so that it changes over the region",
        }));
    }
    // Gradient and Hessian both zero: look at f close by.
    let h = 1e-3 * (1.0 + x.amax());
    for i in 0..n {
        for sign in [-1.0, 1.0] {
            let mut p = x.clone();
            p[i] += sign * h;
            let fp = obj.value(ctx, &p)?;
            if fp < fx - 1e-12 * fx.abs().max(1e-300) {
                return Ok(Some(Ending {
                    stop: Stop::Saddle,
                    message: format!(
                        "x = {at} is not a minimum: the gradient and Hessian are zero there, but f is lower close by ({} at x = {})",
                        short(fp, 6),
                        show_short(&p)
                    ),
                    help: "start from another point: f falls on one side of this point",
                }));
            }
        }
    }
    Ok(None)
}

/// `ending`, unless the second-derivative test says the point is no minimum.
fn checked(
    ctx: &mut dyn CallCtx,
    obj: &Objective<'_>,
    x: &Vector,
    fx: f64,
    g: &Vector,
    ending: Ending<'static>,
) -> Result<Ending<'static>, BuiltinError> {
    Ok(not_a_minimum(ctx, obj, x, fx, g)?.unwrap_or(ending))
}

builtin! {
    /// Gradient descent (steepest descent) with a fixed rate: x ← x − rate·∇f(x).
    /// The gradient is exact (automatic differentiation). Takes `steps` steps, or stops early once
    /// |∇f| ≤ `tol` when a tolerance is given. `f` takes a number, a vector, or one number per
    /// variable (`f(x, y)` with `x0 = [1, 2]`).
    ///
    /// Returns `{x, value, path, iterations, converged, reason, message}` (see `:help iterative`):
    /// the last point, f there, the iterates as the columns of a matrix (for plotting; draw
    /// them over f's contours with `contour(f, path = r.path)`), the number of steps, and
    /// whether the gradient there is at most `tol` (1e-6 when no `tol` is given) at a point
    /// that can be a minimum: a saddle point, a maximum or a plateau where f is flat is
    /// reported in `reason`, with `converged = false`. A rate that is too large makes the
    /// iterates blow up: a `no-convergence` error (with `trace = true`, the record, `reason`
    /// `"diverged"`).
    /// ```mml
    /// f(x, y) = (x - 1)^2 + 2 * (y + 2)^2
    /// r = gradient_descent(f, [0, 0], rate = 0.2, steps = 100)
    /// round(r.x, 8)      # => 2×1 matrix
    ///                    # =>    1
    ///                    # =>   -2
    /// size(r.path)       # => 1×2 matrix
    ///                    # =>   2  101
    /// r.converged        # => true
    /// r.reason           # => gradient
    /// gradient_descent(x -> x^2, 3, rate = 0.25, steps = 2).path   # => 1×3 matrix
    ///                                                               # =>   3  1.5  0.75
    /// gradient_descent((x, y) -> x^2 - y^2, [1, 0]).reason          # => saddle
    /// ```
    pub static GRADIENT_DESCENT: Calculus = "gradient_descent"(f, x0; rate = 0.1, steps = 1000, tol = nothing, trace = false),
    |ctx, args| {
        let f = args.func(0)?;
        let (obj, mut x) = Objective::new("gradient_descent", f, 0, Vec::new(), args.get(1), 1)?;
        let rate = positive(args, 2, "rate")?;
        let steps = args.count(3)?;
        let tol = if args.is_nothing(4) { None } else { Some(positive(args, 4, "tolerance")?) };
        let trace = args.bool(5)?;
        let bound = tol.unwrap_or(1e-6);
        let mut path = Path::new(x.as_slice());
        let help = "make the rate smaller";
        let (mut fx, mut g) = obj.gradient(ctx, &x)?;
        let mut taken = 0;
        let finite = |fx: f64, g: &Vector| fx.is_finite() && g.iter().all(|v| v.is_finite());
        let ending = loop {
            if !finite(fx, &g) {
                break diverged("gradient descent", &x, fx, help);
            }
            let at_zero = g.iter().all(|v| *v == 0.0);
            if at_zero || tol.is_some_and(|t| g.norm() <= t) {
                let message = if at_zero { "converged: the gradient is exactly 0".to_string() } else { gradient_message(&g, bound, "|∇f|") };
                break checked(ctx, &obj, &x, fx, &g, Ending::new(Stop::Gradient, message))?;
            }
            if taken == steps {
                if g.norm() <= bound {
                    break checked(ctx, &obj, &x, fx, &g, Ending::new(Stop::Gradient, gradient_message(&g, bound, "|∇f|")))?;
                }
                let message = format!(
                    "took all {steps} steps without converging: |∇f| = {} is still above {}",
                    short(g.norm(), 3),
                    short(bound, 3)
                );
                break Ending::new(Stop::MaxIterations, message);
            }
            let next = &x - &g * rate;
            if next == x && g.norm() > bound {
                let message = format!(
                    "stalled at x = {}: a step of rate·∇f ({}) no longer changes x in floating point",
                    show_short(&x),
                    short(g.norm() * rate, 3)
                );
                break checked(ctx, &obj, &x, fx, &g, Ending::new(Stop::Stalled, message))?;
            }
            x = next;
            path.push(&*ctx, x.as_slice())?;
            taken += 1;
            (fx, g) = obj.gradient(ctx, &x)?;
        };
        answer(&obj, &x, fx, path, taken, ending, trace)
    }
}

builtin! {
    /// Newton's method for a stationary point of f: x ← x − H⁻¹∇f.
    /// The gradient and Hessian are exact. Converges fast near a minimum, but heads for maxima
    /// and saddle points just as readily: ending at one is reported (`reason` `"saddle"` or
    /// `"maximum"`, `converged = false`); `minimize` is safer.
    /// Stops when the step is at most `tol`·(1 + |x|). Returns
    /// `{x, value, path, iterations, converged, reason, message}` (see `:help iterative`); a
    /// singular Hessian is a `singular-matrix` error (with `trace = true`, the record).
    /// ```mml
    /// f(x, y) = x^4 + (y - 1)^2
    /// r = newton_minimize(f, [1, 0])
    /// r.x[2]                 # => 1
    /// abs(r.x[1]) < 1e-8     # => true
    /// r.iterations           # => 54
    /// newton_minimize(x -> x^2 - 4*x, 0).x   # => 2
    /// newton_minimize(x -> x^3 - 3*x, -2).reason   # => maximum
    /// ```
    pub static NEWTON_MINIMIZE: Calculus = "newton_minimize"(f, x0; tol = 1e-10, maxit = 100, trace = false), |ctx, args| {
        let f = args.func(0)?;
        let (obj, mut x) = Objective::new("newton_minimize", f, 0, Vec::new(), args.get(1), 1)?;
        let tol = positive(args, 2, "tolerance")?;
        let maxit = args.count(3)?;
        let trace = args.bool(4)?;
        let mut path = Path::new(x.as_slice());
        let help = "start closer to the minimum";
        let mut taken = 0;
        let (mut fx, mut g, mut h) = scalar_second(&obj, ctx, &x)?;
        let ending = loop {
            if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) || h.iter().any(|v| !v.is_finite()) {
                break diverged("Newton's method", &x, fx, help);
            }
            if g.iter().all(|v| *v == 0.0) {
                break checked(ctx, &obj, &x, fx, &g, Ending::new(Stop::Gradient, "converged: the gradient is exactly 0"))?;
            }
            if taken == maxit {
                break Ending::new(Stop::MaxIterations, format!("Newton's method did not converge in {maxit} steps"));
            }
            let Some(step) = newton_solve(&h, &-&g) else {
                break Ending {
                    stop: Stop::Singular,
                    message: format!(
                        "the Hessian is singular at x = {}, so Newton's step is undefined (the Hessian there is {})",
                        show_short(&x),
                        show_matrix(&h)
                    ),
                    help: "start from another point, or use `minimize(f, x0)`",
                };
            };
            x += &step;
            path.push(&*ctx, x.as_slice())?;
            taken += 1;
            (fx, g, h) = scalar_second(&obj, ctx, &x)?;
            let bound = tol * (1.0 + x.amax());
            if step.amax() <= bound && fx.is_finite() {
                let message = format!("converged: the last step, {}, is at most tol·(1 + |x|) = {}", short(step.amax(), 3), short(bound, 3));
                break checked(ctx, &obj, &x, fx, &g, Ending::new(Stop::Step, message))?;
            }
        };
        answer(&obj, &x, fx, path, taken, ending, trace)
    }
}

/// The value, gradient and Hessian of a function returning a number.
fn scalar_second(
    obj: &Objective<'_>,
    ctx: &mut dyn CallCtx,
    x: &Vector,
) -> Result<(f64, Vector, Matrix), BuiltinError> {
    let s = obj.second(ctx, x)?;
    if s.values.len() != 1 {
        return Err(BuiltinError::arg(0, format!("the function must return a number, not {} values", s.values.len()))
            .code("shape-mismatch"));
    }
    let g = s.jacobian.row(0).transpose();
    let h = s.hessians.into_iter().next().unwrap_or_else(|| Matrix::zeros(x.len(), x.len()));
    Ok((s.values[0], g, h))
}

/// A minimisation method of `minimize`.
#[derive(Clone, Copy, PartialEq)]
enum Method {
    Bfgs,
    Newton,
    Descent,
}

/// The line search's constants: sufficient decrease and curvature (strong Wolfe), and the
/// upper curvature bound of the approximate Wolfe conditions, (2δ − 1) with δ = 0.1.
const C1: f64 = 1e-4;
const C2: f64 = 0.9;
const APPROX: f64 = -0.8;

/// What a line search found.
enum Search {
    /// A step length.
    Step(f64),
    /// No acceptable step.
    Nothing,
    /// f kept falling as the step grew, or fell to -inf, at this point.
    Unbounded(Vector),
}

/// A step length along `d` from `x` satisfying the strong Wolfe conditions (Nocedal and
/// Wright, Algorithms 3.5 and 3.6), starting with `alpha0`. Where the decrease the step
/// promises is below the rounding of f (close to a minimum), the approximate Wolfe conditions
/// of Hager and Zhang stand in for sufficient decrease: f may not rise beyond its rounding,
/// and the slope must have flattened. This is what lets tolerances far below 1e-8 be met.
fn line_search(
    ctx: &mut dyn CallCtx,
    obj: &Objective<'_>,
    x: &Vector,
    d: &Vector,
    f0: f64,
    slope0: f64,
    alpha0: f64,
) -> Result<Search, BuiltinError> {
    let phi = |ctx: &mut dyn CallCtx, a: f64| -> Result<(f64, f64), BuiltinError> { obj.along(ctx, &(x + d * a), d) };
    let rounding = 1e3 * f64::EPSILON * f0.abs();
    let approx = |fa: f64, sa: f64, a: f64| {
        (a * slope0).abs() <= rounding && fa <= f0 + rounding && sa >= C2 * slope0 && sa <= APPROX * slope0
    };
    let bad = |fa: f64, a: f64| !fa.is_finite() || fa > f0 + C1 * a * slope0;
    let (mut a_prev, mut f_prev, mut s_prev) = (0.0, f0, slope0);
    let mut a = alpha0;
    for i in 0..60 {
        let (fa, sa) = phi(ctx, a)?;
        if fa == f64::NEG_INFINITY {
            return Ok(Search::Unbounded(x + d * a));
        }
        if approx(fa, sa, a) {
            return Ok(Search::Step(a));
        }
        let (lo, hi) = if bad(fa, a) || (i > 0 && fa >= f_prev) {
            ((a_prev, f_prev, s_prev), (a, fa, sa))
        } else if sa.abs() <= -C2 * slope0 {
            return Ok(Search::Step(a));
        } else if sa >= 0.0 {
            ((a, fa, sa), (a_prev, f_prev, s_prev))
        } else {
            (a_prev, f_prev, s_prev) = (a, fa, sa);
            a *= 2.0;
            continue;
        };
        // Zoom in between `lo` (the best point so far) and `hi`.
        let (mut lo, mut hi) = (lo, hi);
        for _ in 0..60 {
            let (l, h) = (lo.0, hi.0);
            let width = h - l;
            let mut trial = l + width / 2.0;
            if hi.1.is_finite() {
                // The minimum of the quadratic through f(lo), f'(lo) and f(hi), kept well inside.
                let denom = 2.0 * (hi.1 - lo.1 - lo.2 * width);
                if denom != 0.0 {
                    let q = l - lo.2 * width * width / denom;
                    let (min, max) = (l.min(h), l.max(h));
                    let margin = 0.1 * width.abs();
                    if q.is_finite() && q > min + margin && q < max - margin {
                        trial = q;
                    }
                }
            }
            let (ft, st) = phi(ctx, trial)?;
            if ft == f64::NEG_INFINITY {
                return Ok(Search::Unbounded(x + d * trial));
            }
            if approx(ft, st, trial) {
                return Ok(Search::Step(trial));
            }
            if bad(ft, trial) || ft >= lo.1 {
                hi = (trial, ft, st);
            } else {
                if st.abs() <= -C2 * slope0 {
                    return Ok(Search::Step(trial));
                }
                if st * (h - l) >= 0.0 {
                    hi = lo;
                }
                lo = (trial, ft, st);
            }
            if (hi.0 - lo.0).abs() <= f64::EPSILON * lo.0.abs().max(1e-300) {
                break;
            }
        }
        // No point met the curvature condition; a decrease is still progress.
        return Ok(if lo.0 > 0.0 && lo.1 < f0 { Search::Step(lo.0) } else { Search::Nothing });
    }
    // The step doubled 60 times and f kept falling with a steady slope: no minimum this way.
    Ok(Search::Unbounded(x + d * a))
}

/// Positive-definite Newton direction: −(H + μI)⁻¹ g with the smallest μ ≥ 0 (from a short
/// list) making H + μI positive definite.
fn newton_direction(h: &Matrix, g: &Vector) -> Vector {
    let n = g.len();
    let scale = h.amax().max(1e-300);
    let mut mu = 0.0;
    for _ in 0..40 {
        let shifted = h + Matrix::identity(n, n) * mu;
        if let Some(l) = kernel::cholesky(&shifted) {
            if l.iter().all(|v| v.is_finite()) && (0..n).all(|i| l[(i, i)] > 0.0) {
                let y = l.solve_lower_triangular(&Matrix::from_column_slice(n, 1, (-g).as_slice()));
                let x = y.and_then(|y| l.transpose().solve_upper_triangular(&y));
                if let Some(x) = x {
                    return Vector::from_column_slice(x.as_slice());
                }
            }
        }
        mu = if mu == 0.0 { 1e-8 * scale } else { mu * 10.0 };
    }
    -g
}

builtin! {
    /// The minimum of f from `x0`, by a quasi-Newton method with a line search.
    /// `method`: `"bfgs"` (default; builds up curvature from gradients), `"newton"` (the exact
    /// Hessian, shifted when it is not positive definite) or `"gd"` (steepest descent). Each
    /// step satisfies the strong Wolfe conditions (the approximate ones of Hager and Zhang
    /// where f's rounding hides the decrease, so tolerances down to about 1e-15 work). Stops
    /// when |∇f| ≤ `tol`·max(1, |f|) (largest component; |f| taken no larger than at `x0`, so
    /// that the test does not loosen as f falls). Returns
    /// `{x, value, path, iterations, converged, reason, message}` (see `:help iterative`).
    /// `converged` is true only when that criterion holds and the Hessian there shows no
    /// saddle point, maximum or plateau (checked for up to 200 unknowns); a function that
    /// keeps falling is a `no-convergence` error (with `trace = true`, the record, `reason`
    /// `"unbounded"`). Finds a local minimum: start near the one you want.
    /// ```mml
    /// rosen(x, y) = (1 - x)^2 + 100 * (y - x^2)^2
    /// r = minimize(rosen, [-1.2, 1])
    /// round(r.x, 6)      # => 2×1 matrix
    ///                    # =>   1
    ///                    # =>   1
    /// r.converged        # => true
    /// round(minimize(rosen, [-1.2, 1], method = "newton").x, 6)   # => 2×1 matrix
    ///                                                             # =>   1
    ///                                                             # =>   1
    /// round(minimize(x -> (x - 3)^2 + 1, 0).value, 12)          # => 1
    /// minimize((x, y) -> x^2 - y^2, [0, 0]).reason               # => saddle
    /// minimize(x -> x, 0, trace = true).reason                   # => unbounded
    /// ```
    pub static MINIMIZE: Calculus = "minimize"(f, x0, method = str "bfgs"; tol = 1e-8, maxit = 1000, trace = false), |ctx, args| {
        let f = args.func(0)?;
        let (obj, mut x) = Objective::new("minimize", f, 0, Vec::new(), args.get(1), 1)?;
        let method = match args.str(2)? {
            "bfgs" => Method::Bfgs,
            "newton" => Method::Newton,
            "gd" => Method::Descent,
            other => {
                return Err(BuiltinError::arg(2, format!("unknown method \"{other}\""))
                    .with_help("use \"bfgs\", \"newton\" or \"gd\""))
            }
        };
        let tol = positive(args, 3, "tolerance")?;
        let maxit = args.count(4)?;
        let trace = args.bool(5)?;
        let n = x.len();
        let help = "start somewhere else: the function seems to have no minimum in this direction";
        let mut path = Path::new(x.as_slice());
        let (mut fx, mut g, mut h) = if method == Method::Newton {
            let (f, g, h) = scalar_second(&obj, ctx, &x)?;
            (f, g, Some(h))
        } else {
            let (f, g) = obj.gradient(ctx, &x)?;
            (f, g, None)
        };
        let mut inv = Matrix::identity(n, n);
        let mut fresh = true;
        let mut alpha_prev: f64 = 1.0;
        let mut taken = 0;
        // ‖∇f‖∞ ≤ tol·max(1, |f|), with |f| no larger than at the start: relative to the size of
        // f, but not loosened as f runs off towards -∞.
        let f_start = fx.abs();
        let bound = |fx: f64| tol * fx.abs().min(f_start).max(1.0);
        let small_gradient = |g: &Vector, fx: f64| g.amax() <= bound(fx);
        let criterion = |g: &Vector, fx: f64| gradient_message(g, bound(fx), "|∇f|∞");
        // The ending of a run that can go no further at x: converged if the criterion holds.
        let no_progress = |g: &Vector, fx: f64, why: String| {
            if small_gradient(g, fx) {
                Ending::new(Stop::Gradient, criterion(g, fx))
            } else {
                Ending::new(Stop::Stalled, format!("{why}; |∇f|∞ = {} is still above {}", short(g.amax(), 3), short(bound(fx), 3)))
            }
        };
        let ending = loop {
            if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
                break diverged("minimize", &x, fx, help);
            }
            if small_gradient(&g, fx) {
                break checked(ctx, &obj, &x, fx, &g, Ending::new(Stop::Gradient, criterion(&g, fx)))?;
            }
            if taken == maxit {
                let message = format!(
                    "minimize did not converge in {maxit} steps: |∇f|∞ = {} is still above {}",
                    short(g.amax(), 3),
                    short(bound(fx), 3)
                );
                break Ending::new(Stop::MaxIterations, message);
            }
            let mut d = match (method, &h) {
                (Method::Newton, Some(h)) => newton_direction(h, &g),
                (Method::Bfgs, _) => -(&inv * &g),
                _ => -&g,
            };
            let mut slope = g.dot(&d);
            if slope.is_nan() || slope >= 0.0 {
                d = -&g;
                slope = -g.dot(&g);
                inv = Matrix::identity(n, n);
                fresh = true;
            }
            let alpha0 = match method {
                Method::Descent if taken > 0 => (alpha_prev * 2.0).min(1e10),
                _ if taken == 0 || fresh => (1.0 / g.amax()).min(1.0),
                _ => 1.0,
            };
            let alpha0 = if method == Method::Newton { 1.0 } else { alpha0 };
            let alpha = match line_search(ctx, &obj, &x, &d, fx, slope, alpha0)? {
                Search::Step(a) => a,
                Search::Unbounded(p) => {
                    x = p;
                    fx = obj.value(ctx, &x)?;
                    path.push(&*ctx, x.as_slice())?;
                    taken += 1;
                    break unbounded(&x, fx);
                }
                Search::Nothing if method == Method::Bfgs && !fresh => {
                    // The curvature estimate has gone stale: start it again.
                    inv = Matrix::identity(n, n);
                    fresh = true;
                    continue;
                }
                Search::Nothing => {
                    let why = format!("stalled at x = {}: the line search found no step that lowers f", show_short(&x));
                    break no_progress(&g, fx, why);
                }
            };
            alpha_prev = alpha;
            let s = &d * alpha;
            let next = &x + &s;
            let (f_next, g_next, h_next) = if method == Method::Newton {
                let (f, g, h) = scalar_second(&obj, ctx, &next)?;
                (f, g, Some(h))
            } else {
                let (f, g) = obj.gradient(ctx, &next)?;
                (f, g, None)
            };
            if method == Method::Bfgs {
                let y = &g_next - &g;
                let sy = s.dot(&y);
                if sy > 1e-12 * s.norm() * y.norm() && sy.is_finite() {
                    if fresh {
                        inv = Matrix::identity(n, n) * (sy / y.dot(&y));
                        fresh = false;
                    }
                    let rho = 1.0 / sy;
                    let hy = &inv * &y;
                    let yhy = y.dot(&hy);
                    // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded.
                    inv -= (&hy * s.transpose() + &s * hy.transpose()) * rho;
                    inv += (&s * s.transpose()) * (rho * rho * yhy + rho);
                }
            }
            let stalled = s.amax() <= f64::EPSILON * (1.0 + x.amax()) && f_next >= fx;
            x = next;
            (fx, g, h) = (f_next, g_next, h_next);
            path.push(&*ctx, x.as_slice())?;
            taken += 1;
            if stalled && !small_gradient(&g, fx) {
                let why = format!("stalled at x = {}: the steps no longer change x in floating point", show_short(&x));
                break no_progress(&g, fx, why);
            }
        };
        answer(&obj, &x, fx, path, taken, ending, trace)
    }
}

/// The constraint functions of `lagrange`: one function or a list of them.
fn constraint_list(v: &Value) -> Result<Vec<&Value>, BuiltinError> {
    match v {
        Value::List(items) => {
            if items.is_empty() {
                return Err(BuiltinError::arg(1, "the list of constraints is empty")
                    .with_help("without constraints, use `minimize` or `root(grad(f), x0)`"));
            }
            items
                .iter()
                .map(|g| {
                    if g.is_function() {
                        Ok(g)
                    } else {
                        Err(BuiltinError::type_error(1, "a function (a constraint g(x) = 0)", g))
                    }
                })
                .collect()
        }
        g if g.is_function() => Ok(vec![g]),
        other => Err(BuiltinError::type_error(1, "a constraint function g(x) = 0, or a list of them", other)),
    }
}

/// The course's combined start `(x, y, λ)` of `lagrange`: for f of k ≥ 2 scalar parameters, a
/// vector of more than k numbers is the point (its first k) followed by the multipliers.
/// Returns the point to start from and the multipliers when they were given this way.
fn split_combined_start(f: &Value, start: &Value) -> (Value, Option<Vec<f64>>) {
    let (Value::Func(c), Some(m)) = (f, start.to_matrix().filter(|_| matches!(start, Value::Matrix(_)))) else {
        return (start.clone(), None);
    };
    let k = c.params().len();
    if k < 2 || m.len() <= k || (m.ncols() != 1 && m.nrows() != 1) {
        return (start.clone(), None);
    }
    let xs = m.as_slice();
    (Value::matrix(Matrix::from_column_slice(k, 1, &xs[..k])), Some(xs[k..].to_vec()))
}

builtin! {
    /// A stationary point of f subject to equality constraints g(x) = 0 (Lagrange multipliers).
    /// It solves ∇L = 0 for L(x, λ) = f(x) − λ·g(x) from `x0` with exact derivatives (the
    /// Jacobian of ∇L is the Hessian of L), by Powell's hybrid method as SciPy's `root` does
    /// (`method = "newton"` or `"lm"` as for `root`, whose `tol` and `maxit` these are).
    /// `constraints` is a function g (returning one number, or a vector for several
    /// constraints) or a list of functions. The multipliers start from their least-squares
    /// estimate unless `lambda0` is given, or the start holds them after the point: for
    /// f(x, y), `[x, y, λ]` (as the course's quiz starts `root`). Returns `{x, lambda, value,
    /// path, iterations, converged, reason, message}`: the point, the multipliers (a number for
    /// one constraint), f there, and how the solve went (see `:help iterative`; `path` holds
    /// the points without the multipliers, for `contour(f, path = r.path)`). Not converging is
    /// a `no-convergence` error (with `trace = true`, the record). Which stationary point is
    /// found depends on `x0`.
    /// ```mml
    /// f(x, y) = x^2 * y
    /// g(x, y) = x^2 + y^2 - 3
    /// r = lagrange(f, g, [1, 1])
    /// round(r.x, 12)     # => 2×1 matrix
    ///                    # =>   1.41421
    ///                    # =>   1
    /// round(r.lambda, 12)   # => 1
    /// round(r.value, 12)    # => 2
    /// s = lagrange(f, g, [1, 1, 1])   # the start (x, y, λ) in one vector
    /// round(s.lambda, 12)   # => 1
    /// ```
    pub static LAGRANGE: Calculus = "lagrange"(f, constraints, x0; tol = 1e-12, maxit = nothing, lambda0 = nothing, method = str "hybrid", trace = false),
    |ctx, args| {
        let f = args.func(0)?;
        let (start, combined) = split_combined_start(f, args.get(2));
        if combined.is_some() && !args.is_nothing(5) {
            return Err(BuiltinError::arg(2, "the start holds the multipliers after the point, and `lambda0` gives them again")
                .with_help("give the multipliers once: in the start `[x, y, λ]` or as `lambda0`"));
        }
        let (obj, x0) = Objective::new("lagrange", f, 0, Vec::new(), &start, 2)?;
        let gs = constraint_list(args.get(1))?;
        let mut cons = Vec::with_capacity(gs.len());
        for g in gs {
            cons.push(Objective::new("lagrange", g, 1, Vec::new(), &start, 2)?.0);
        }
        let tol = positive(args, 3, "tolerance")?;
        let method = system_method(args, 6)?;
        let trace = args.bool(7)?;
        let n = x0.len();
        // The constraints' values, Jacobian (rows) and Hessians, stacked.
        let constraints = |ctx: &mut dyn CallCtx, x: &Vector| -> Result<(Vector, Matrix, Vec<Matrix>), BuiltinError> {
            let mut values = Vec::new();
            let mut rows: Vec<Vector> = Vec::new();
            let mut hessians = Vec::new();
            for c in &cons {
                let s = c.second(ctx, x)?;
                values.extend(s.values.iter());
                rows.extend(s.jacobian.row_iter().map(|r| r.transpose()));
                hessians.extend(s.hessians);
            }
            let m = values.len();
            let mut jac = Matrix::zeros(m, n);
            for (i, r) in rows.iter().enumerate() {
                jac.set_row(i, &r.transpose());
            }
            Ok((Vector::from_vec(values), jac, hessians))
        };
        let (_, g0) = obj.gradient(ctx, &x0)?;
        let (c0, j0, _) = constraints(ctx, &x0)?;
        let m = c0.len();
        if m == 0 {
            return Err(BuiltinError::arg(1, "the constraint function returned no values"));
        }
        if m > n {
            return Err(BuiltinError::arg(1, format!("{m} constraints on {n} unknowns leave no freedom to optimise"))
                .code("shape-mismatch"));
        }
        let lambda0 = if let Some(l) = combined {
            if l.len() != m {
                let constraints = if m == 1 { "1 constraint".to_string() } else { format!("{m} constraints") };
                return Err(BuiltinError::arg(
                    2,
                    format!("with {constraints}, the start `[x…, λ…]` needs {n} + {m} numbers, not {}", n + l.len()),
                )
                .code("shape-mismatch"));
            }
            Vector::from_column_slice(&l)
        } else if args.is_nothing(5) {
            // ∇f = Jᵀλ in the least-squares sense.
            let gm = Matrix::from_column_slice(n, 1, g0.as_slice());
            match kernel::solve(&j0.transpose(), &gm) {
                Ok(l) if l.iter().all(|v| v.is_finite()) => Vector::from_column_slice(l.as_slice()),
                _ => Vector::zeros(m),
            }
        } else {
            let l = args.matrix(5)?;
            if l.len() != m {
                return Err(BuiltinError::arg(5, format!("there are {m} constraints, so `lambda0` needs {m} numbers, not {}", l.len()))
                    .code("shape-mismatch"));
            }
            Vector::from_column_slice(l.as_slice())
        };
        let maxit = system_maxit(args, 4, method, n + m)?;
        let mut z0 = Vector::zeros(n + m);
        z0.rows_mut(0, n).copy_from(&x0);
        z0.rows_mut(n, m).copy_from(&lambda0);
        let mut eval = |ctx: &mut dyn CallCtx, z: &Vector, _jac: bool| -> Result<(Vector, Option<Matrix>), BuiltinError> {
            let x = z.rows(0, n).into_owned();
            let lambda = z.rows(n, m).into_owned();
            let (_, g, h) = scalar_second(&obj, ctx, &x)?;
            let (c, j, hs) = constraints(ctx, &x)?;
            if c.len() != m {
                return Err(BuiltinError::arg(1, "the constraints' result changes size from one call to the next")
                    .code("shape-mismatch"));
            }
            let mut r = Vector::zeros(n + m);
            r.rows_mut(0, n).copy_from(&(&g - j.transpose() * &lambda));
            r.rows_mut(n, m).copy_from(&(-&c));
            let mut k = Matrix::zeros(n + m, n + m);
            let mut hl = h;
            for (li, hi) in lambda.iter().zip(&hs) {
                hl -= hi * *li;
            }
            k.view_mut((0, 0), (n, n)).copy_from(&hl);
            k.view_mut((0, n), (n, m)).copy_from(&(-j.transpose()));
            k.view_mut((n, 0), (m, n)).copy_from(&(-&j));
            Ok((r, Some(k)))
        };
        let run = solve_system(ctx, method, &mut eval, z0, tol, maxit, "the Hessian of the Lagrangian")?;
        let run = if trace { run } else { run.check()? };
        let x = run.x.rows(0, n).into_owned();
        let lambda = run.x.rows(n, m).into_owned();
        let value = obj.value(ctx, &x)?;
        let lambda = if m == 1 { Value::Num(lambda[0]) } else { Value::column(lambda.iter().copied().collect()) };
        let report = run.report(&*ctx, n)?;
        Ok(report.record(vec![("x", obj.to_value(&x)), ("lambda", lambda), ("value", Value::Num(value))]))
    }
}

builtin! {
    /// The second-derivative test: what kind of stationary point a Hessian `H` describes.
    /// From the signs of its eigenvalues: `"minimum"` (all positive), `"maximum"` (all
    /// negative), `"saddle"` (some of each) or `"degenerate"` (some zero and the rest of one
    /// sign, so the test cannot tell). Eigenvalues within `tol` of zero count as zero
    /// (default 1e-10·max(1, largest |eigenvalue|)). `H` must be symmetric.
    /// ```mml
    /// classify_stationary([2, 0; 0, 3])    # => minimum
    /// classify_stationary([2, 0; 0, -3])   # => saddle
    /// classify_stationary(-1)              # => maximum
    /// f(x, y) = x^2 - y^2
    /// classify_stationary(hessian(f, 0, 0))   # => saddle
    /// classify_stationary([1, 1; 1, 1])    # => degenerate
    /// ```
    pub static CLASSIFY_STATIONARY: Calculus = "classify_stationary"(H; tol = nothing), |_ctx, args| {
        let h = finite_matrix(args, 0)?;
        if !h.is_square() || h.is_empty() {
            let (r, c) = h.shape();
            return Err(BuiltinError::arg(0, format!("a Hessian is a non-empty square matrix, found a {r}×{c} matrix"))
                .code("not-square"));
        }
        if !is_symmetric(&h) {
            return Err(not_symmetric(0, "classify_stationary"));
        }
        let (values, _) = crate::solve::eigh_of(&h, 0)?;
        let big = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let tol = if args.is_nothing(1) { 1e-10 * big.max(1.0) } else { positive(args, 1, "tolerance")? };
        let pos = values.iter().filter(|v| **v > tol).count();
        let neg = values.iter().filter(|v| **v < -tol).count();
        let kind = if pos > 0 && neg > 0 {
            "saddle"
        } else if pos == values.len() {
            "minimum"
        } else if neg == values.len() {
            "maximum"
        } else {
            "degenerate"
        };
        Ok(Value::str(kind))
    }
}

#[cfg(test)]
mod tests;

/// How many points a `global_min` grid may have.
const MAX_GRID: usize = 2_000_000;
/// How many of the best grid points `global_min` polishes with `minimize`.
const POLISHED: usize = 5;

builtin! {
    /// The global minimum of f over a box `lower ≤ x ≤ upper`, by a grid search and `minimize`.
    /// f is evaluated on `n` points along each side (default: about 10,000 points
    /// in all, 201 in 1-D, 101 × 101 in 2-D), and `minimize` starts from the five best; a
    /// polished point that leaves the box is dropped. Deterministic, and it finds the lowest
    /// basin that the grid resolves (a well narrower than the grid spacing can be missed: give
    /// a larger `n`). For 1-D give numbers; otherwise vectors, and f takes a vector or one
    /// number per coordinate. Returns `{x, value, grid, path, iterations, converged, reason,
    /// message}` (`grid`: the number of grid points; the rest, see `:help iterative`, from the
    /// `minimize` run that found the answer, its path starting at its grid point; when no
    /// run from the grid improved on the best grid point, that point with `reason = "stalled"`).
    /// ```mml
    /// f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2 - 10 * exp(-((x - 3)^2 + (y - 2)^2))
    /// r = global_min(f, [-5, -5], [5, 5])
    /// round(r.x, 6)     # => 2×1 matrix
    ///                   # =>   3
    ///                   # =>   2
    /// round(r.value, 9)   # => -10
    /// g(x) = sin(3 * x) + 0.1 * (x - 2)^2
    /// round(global_min(g, -5, 5).x, 6)   # => 1.580128
    /// ```
    pub static GLOBAL_MIN: Calculus = "global_min"(f, lower, upper, n = nothing), |ctx, args| {
        let f = args.func(0)?;
        let lo = args.matrix(1)?;
        let hi = args.matrix(2)?;
        let d = lo.len();
        if d == 0 || hi.len() != d {
            return Err(BuiltinError::arg(2, format!("`lower` has {d} elements and `upper` {}: give one bound per coordinate on each side", hi.len()))
                .code("shape-mismatch"));
        }
        for i in 0..d {
            if !(lo[i].is_finite() && hi[i].is_finite()) {
                return Err(BuiltinError::arg(1, "the bounds must be finite numbers").code("not-finite"));
            }
            if lo[i] >= hi[i] {
                return Err(BuiltinError::arg(2, format!("the box is empty along coordinate {}: {} ≥ {}", i + 1, lo[i], hi[i])));
            }
        }
        let n = if args.is_nothing(3) {
            match d {
                1 => 201,
                2 => 101,
                _ => ((10_000f64).powf(1.0 / d as f64).floor() as usize).max(3),
            }
        } else {
            args.count(3)?
        };
        if n < 2 {
            return Err(BuiltinError::arg(3, "the grid needs at least 2 points along each side"));
        }
        let total = (0..d).try_fold(1usize, |t, _| t.checked_mul(n)).filter(|t| *t <= MAX_GRID).ok_or_else(|| {
            BuiltinError::arg(3, format!("a grid of {n} points along each of {d} sides is more than {MAX_GRID} points"))
                .code("limit-exceeded")
                .with_help("give a smaller `n`, or start `minimize` from a few guesses")
        })?;
        let centre: Vector = Vector::from_fn(d, |i, _| 0.5 * (lo[i] + hi[i]));
        let start = if d == 1 && matches!(args.get(1), Value::Num(_)) {
            Value::Num(centre[0])
        } else {
            Value::matrix(Matrix::from_column_slice(d, 1, centre.as_slice()))
        };
        let (obj, _) = Objective::new("global_min", f, 0, Vec::new(), &start, 1)?;
        // The grid, keeping the best few points.
        let mut best: Vec<(f64, Vector)> = Vec::with_capacity(POLISHED + 1);
        let mut index = vec![0usize; d];
        let mut x = Vector::zeros(d);
        for _ in 0..total {
            for i in 0..d {
                x[i] = lo[i] + (hi[i] - lo[i]) * index[i] as f64 / (n - 1) as f64;
            }
            let v = obj.value(ctx, &x)?;
            if !v.is_nan() && (best.len() < POLISHED || v < best[best.len() - 1].0) {
                let at = best.partition_point(|(b, _)| *b <= v);
                best.insert(at, (v, x.clone()));
                best.truncate(POLISHED);
            }
            for k in index.iter_mut() {
                *k += 1;
                if *k < n {
                    break;
                }
                *k = 0;
            }
        }
        let Some((mut value, mut point)) = best.first().cloned() else {
            return Err(BuiltinError::arg(0, "the function is nan everywhere on the grid").code("not-finite"));
        };
        let inside = |p: &Vector| (0..d).all(|i| p[i] >= lo[i] && p[i] <= hi[i]);
        // The polished run that won, if one did: its record gives the shared fields.
        let mut winner: Option<std::rc::Rc<mml_runtime::Record>> = None;
        for (_, guess) in &best {
            let polished = crate::calculus::call(
                ctx,
                &MINIMIZE,
                &[f.clone(), obj.to_value(guess), Value::str("bfgs"), Value::Num(1e-10), Value::Num(200.0), Value::Bool(true)],
            );
            // Errors from the function itself (and interruptions) stop the search.
            let r = match polished {
                Ok(Value::Record(r)) => r,
                Err(e @ BuiltinError::Raised(_)) => return Err(e),
                _ => continue,
            };
            let (Some(px), Some(pv)) = (r.get("x").and_then(Value::to_matrix), r.get("value").and_then(Value::as_scalar)) else { continue };
            let p = Vector::from_column_slice(px.as_slice());
            if p.len() == d && inside(&p) && pv <= value {
                value = pv;
                point = p;
                winner = Some(r);
            }
        }
        let mut fields = vec![("x", obj.to_value(&point)), ("value", Value::Num(value)), ("grid", Value::Num(total as f64))];
        match winner {
            Some(r) => {
                for name in ["path", "iterations", "converged", "reason", "message"] {
                    fields.push((name, r.get(name).cloned().unwrap_or(Value::Nothing)));
                }
                Ok(Value::Record(std::rc::Rc::new(mml_runtime::Record::from_pairs(fields))))
            }
            None => {
                let message = "stalled: the lowest grid point is the answer, since `minimize` from the best grid points left the box \
                               or found nothing lower (the minimum may lie on the boundary, or between grid points)";
                Ok(Report::new(Stop::Stalled, 0, Path::new(point.as_slice()), message).record(fields))
            }
        }
    }
}
