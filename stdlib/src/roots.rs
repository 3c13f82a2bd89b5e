//! Roots of equations: `newton_raphson` (one equation, one unknown), `root` (systems, by
//! Newton's method with the exact Jacobian) and `bisect` (bracketing).
//!
//! Policy: a root finder that cannot find a root says so with a `no-convergence` error
//! showing the last iterations, rather than returning a wrong number; a cycle (an iterate
//! that comes back exactly) is reported as soon as it happens.

use mml_runtime::kernel;
use mml_runtime::{BuiltinError, CallCtx, Matrix, Value};

use crate::macros::builtin;
use crate::objective::{short, show_point, Objective, Vector};
use crate::trace::{Path, Report, Stop};

/// How many iterations an error's note shows.
const SHOWN: usize = 5;

/// The last few `(k, x, f(x))` of an iteration as note lines.
fn history_note(history: &[(f64, f64)]) -> String {
    let start = history.len().saturating_sub(SHOWN);
    let rows: Vec<String> = history[start..]
        .iter()
        .enumerate()
        .map(|(i, (x, fx))| format!("x{} = {}, f = {}", start + i, short(*x, 10), short(*fx, 4)))
        .collect();
    format!("the last iterations: {}", rows.join("; "))
}

/// The optional derivative of `newton_raphson`, or automatic differentiation.
enum Slope<'a> {
    Exact,
    Given(Objective<'a>),
}

/// One row of an iteration table.
fn table_row(ctx: &mut dyn CallCtx, k: usize, x: f64, fx: f64) {
    ctx.write(&format!("{k:>4}  {:<24} {}\n", mml_runtime::display::format_number(x), short(fx, 6)));
}

builtin! {
    /// Newton–Raphson iteration for a root of f(x) = 0 from `x0`: x ← x − f(x)/f′(x).
    /// The derivative is exact (automatic differentiation) unless `df` is given, third, as in
    /// SciPy's `newton(f, x0, fprime)`; `tol`, `maxit`, `table` and `trace` are given by name. It
    /// stops when the step is at most `tol`·max(1, |x|) and returns x. `table = true` prints
    /// every iterate and f there; `trace = true` returns the record
    /// `{x, value, path, iterations, converged, reason, message}` instead (see `:help iterative`;
    /// `iterations` counts the updates x ← x − f/f′).
    ///
    /// If the iteration does not settle within `maxit` steps, comes back to an earlier
    /// iterate (a cycle), meets f′(x) = 0 or runs off to infinity, it is a `no-convergence`
    /// error whose note shows the last iterations: try another start, or `bisect` (with
    /// `trace = true`, the record says so: `reason` `"max-iterations"`, `"cycled"`,
    /// `"zero-derivative"` or `"diverged"`). For systems of equations use `root`.
    /// ```mml
    /// round(newton_raphson(x -> x^2 - 2, 1), 12)   # => 1.414213562373
    /// f(x) = x^3 - 2*x + 2
    /// round(newton_raphson(f, -2), 12)  # => -1.769292354239
    /// newton_raphson(cos, 1, x -> -sin(x))   # => 1.5707963267948966
    /// round(newton_raphson(x -> x^2 - 2, 1, tol = 1e-6), 6)   # => 1.414214
    /// r = newton_raphson(x -> x^2 - 2, 1, trace = true)
    /// r.iterations      # => 6
    /// r.reason          # => step
    /// newton_raphson(x -> x^3 - 2*x + 2, 0, trace = true).reason   # => cycled
    /// ```
    pub static NEWTON_RAPHSON: Calculus = "newton_raphson"(f, x0, df = nothing; tol = 1e-12, maxit = 100, table = false, trace = false),
    |ctx, args| {
        let f = args.func(0)?;
        if !matches!(args.get(1), Value::Num(_)) {
            return Err(BuiltinError::type_error(1, "a number (the starting point)", args.get(1))
                .with_help("for a system of equations F(x) = 0 in several unknowns use `root(F, x0)`"));
        }
        let (obj, x) = Objective::new("newton_raphson", f, 0, Vec::new(), args.get(1), 1)?;
        let slope = match args.get(2) {
            Value::Nothing => Slope::Exact,
            v if v.is_function() => Slope::Given(Objective::new("newton_raphson", v, 2, Vec::new(), args.get(1), 1)?.0),
            v => {
                return Err(BuiltinError::type_error(2, "a function (the derivative f′)", v).with_help(
                    "the third argument is the derivative, as in SciPy's `newton(f, x0, fprime)`; \
                     give a tolerance by name: `newton_raphson(f, x0, tol = 1e-8)`",
                ))
            }
        };
        let tol = positive(args, 3, "tolerance")?;
        let maxit = args.count(4)?;
        let table = args.bool(5)?;
        let trace = args.bool(6)?;
        if table {
            ctx.write(&format!("{:>4}  {:<24} {}\n", "k", "x", "f(x)"));
        }
        let mut x = x[0];
        let mut path = Path::new(&[x]);
        let mut history: Vec<(f64, f64)> = Vec::new();
        // Why the iteration stopped, what to say, f at the last iterate, and what to do.
        let (stop, message, fx, help) = 'run: {
            for k in 0..=maxit {
                let at = Vector::from_element(1, x);
                let (fx, dfx) = match &slope {
                    Slope::Exact => {
                        let (fx, g) = obj.gradient(ctx, &at)?;
                        (fx, g[0])
                    }
                    Slope::Given(df) => (obj.value(ctx, &at)?, df.value(ctx, &at)?),
                };
                if table {
                    table_row(ctx, k, x, fx);
                }
                history.push((x, fx));
                if fx == 0.0 {
                    break 'run (Stop::Residual, format!("converged: f(x) = 0 exactly at x = {}", short(x, 10)), fx, "");
                }
                if !fx.is_finite() || !dfx.is_finite() {
                    let bad = if fx.is_finite() { short(dfx, 6) } else { short(fx, 6) };
                    let message = format!("Newton–Raphson ran off: f or f′ is {bad} at x = {}", short(x, 10));
                    break 'run (Stop::Diverged, message, fx, "start closer to the root, or use `bisect` on an interval where f changes sign");
                }
                if dfx == 0.0 {
                    let message = format!("Newton–Raphson stopped: f′(x) = 0 at x = {}, so the tangent never meets zero", short(x, 10));
                    break 'run (Stop::ZeroDerivative, message, fx, "start somewhere else, away from the turning point");
                }
                if k == maxit {
                    break;
                }
                let step = fx / dfx;
                let next = x - step;
                path.push(&*ctx, &[next])?;
                if step.abs() <= tol * next.abs().max(1.0) {
                    x = next;
                    let fnext = if table || trace { obj.value(ctx, &Vector::from_element(1, next))? } else { f64::NAN };
                    if table {
                        table_row(ctx, k + 1, next, fnext);
                    }
                    let message = format!(
                        "converged: the last step, {}, is at most tol·max(1, |x|) = {}",
                        short(step.abs(), 3),
                        short(tol * next.abs().max(1.0), 3)
                    );
                    break 'run (Stop::Step, message, fnext, "");
                }
                if let Some(j) = history.iter().position(|(xj, _)| *xj == next) {
                    let message = format!("Newton–Raphson is cycling: x{} = {} is x{j} again", k + 1, short(next, 10));
                    x = next;
                    break 'run (Stop::Cycled, message, history[j].1, "start from another x0, or use `bisect` on an interval where f changes sign");
                }
                x = next;
            }
            let last = history.last().map_or(f64::NAN, |h| h.1);
            (Stop::MaxIterations, format!("Newton–Raphson did not converge in {maxit} steps"), last, "start closer to the root, raise `maxit`, or use `bisect`")
        };
        let report = Report::new(stop, path.columns() - 1, path, message);
        if trace {
            return Ok(report.record(vec![("x", Value::Num(x)), ("value", Value::Num(fx))]));
        }
        if report.converged() {
            return Ok(Value::Num(x));
        }
        Err(report.error(Some(history_note(&history)), help))
    }
}

/// Argument `i` as a positive finite number (`what` names it in the message).
pub(crate) fn positive(args: &mml_runtime::Args<'_>, i: usize, what: &str) -> Result<f64, BuiltinError> {
    let v = args.num(i)?;
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(BuiltinError::arg(i, format!("the {what} must be a positive number, found {}", short(v, 6))))
    }
}

/// Solves the Newton system `J δ = rhs` by LU; `None` when `J` has an exact zero pivot or the
/// step is not finite. Unlike `solve`, a nearly singular `J` is not an error: near a
/// degenerate root or minimum the Jacobian becomes ill-conditioned while the steps stay useful.
pub(crate) fn newton_solve(j: &Matrix, rhs: &Vector) -> Option<Vector> {
    if !j.is_square() || j.nrows() != rhs.len() || j.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let f = kernel::lu(j);
    if f.has_zero_pivot() {
        return None;
    }
    let x = f.solve(&Matrix::from_column_slice(rhs.len(), 1, rhs.as_slice()));
    x.iter().all(|v| v.is_finite()).then(|| Vector::from_column_slice(x.as_slice()))
}

/// How a solver for a system of equations ended: the last iterate, every iterate from the
/// start, and why it stopped.
pub(crate) struct SystemRun {
    /// The last iterate (the solution when the run converged).
    pub x: Vector,
    /// The start and every accepted iterate.
    pub path: Vec<Vector>,
    /// The number of updates of x.
    pub iterations: usize,
    /// Why it stopped.
    pub stop: Stop,
    /// What happened, in a sentence.
    pub message: String,
    /// The last iterates and their residuals, for an error's note.
    pub note: String,
    /// What to try when it failed.
    pub help: &'static str,
}

impl SystemRun {
    /// The shared report fields, with the path restricted to its first `rows` rows (the point
    /// without `lagrange`'s multipliers).
    pub(crate) fn report(&self, ctx: &dyn CallCtx, rows: usize) -> Result<Report, BuiltinError> {
        let first: Vec<f64> = self.path.first().map_or_else(Vec::new, |z| z.iter().take(rows).copied().collect());
        let mut path = Path::new(&first);
        for z in self.path.iter().skip(1) {
            path.push(ctx, z.as_slice())?;
        }
        Ok(Report::new(self.stop, self.iterations, path, self.message.clone()))
    }

    /// The run as a result: `Ok` when it converged, else its error.
    pub(crate) fn check(self) -> Result<SystemRun, BuiltinError> {
        if self.stop.converged() {
            return Ok(self);
        }
        let report = Report::new(self.stop, self.iterations, Path::new(&[]), self.message);
        Err(report.error(Some(self.note), self.help))
    }
}

/// Evaluates a system's residual at a point, and its Jacobian when asked.
pub(crate) type SystemFn<'e> =
    dyn FnMut(&mut dyn CallCtx, &Vector, bool) -> Result<(Vector, Option<Matrix>), BuiltinError> + 'e;

/// Newton's method for `R(z) = 0` with backtracking on ‖R‖: full steps near the root
/// (quadratic convergence), shorter ones when a full step would increase the residual.
/// `jacobian_name` names the matrix in the singular-matrix message ("the Jacobian"). A run
/// that fails (a singular Jacobian, no decrease, running off, too many steps) is returned
/// with its reason rather than raised.
pub(crate) fn newton_system(
    ctx: &mut dyn CallCtx,
    eval: &mut SystemFn<'_>,
    z0: Vector,
    tol: f64,
    maxit: usize,
    jacobian_name: &str,
) -> Result<SystemRun, BuiltinError> {
    let mut z = z0;
    let mut norms: Vec<(Vector, f64)> = Vec::new();
    let mut path = vec![z.clone()];
    let end =
        |z: Vector, path: Vec<Vector>, norms: &[(Vector, f64)], stop: Stop, message: String, help: &'static str| {
            let iterations = path.len() - 1;
            SystemRun { x: z, path, iterations, stop, message, note: system_note(norms), help }
        };
    for _ in 0..maxit {
        let (r, j) = eval(ctx, &z, true)?;
        let rnorm = r.norm();
        if !rnorm.is_finite() {
            let message = format!("Newton's method ran off: the residual is not finite at x = {}", show_point(&z));
            return Ok(end(z, path, &norms, Stop::Diverged, message, "start closer to the solution"));
        }
        norms.push((z.clone(), rnorm));
        if rnorm == 0.0 {
            let message = format!("converged: the residual is exactly 0 at x = {}", show_point(&z));
            return Ok(end(z, path, &norms, Stop::Residual, message, ""));
        }
        let Some(j) = j else {
            return Err(BuiltinError::new("internal", "the Jacobian was not computed"));
        };
        let Some(step) = newton_solve(&j, &-&r) else {
            if j.iter().any(|v| !v.is_finite()) {
                let message =
                    format!("Newton's method ran off: {jacobian_name} is not finite at x = {}", show_point(&z));
                return Ok(end(z, path, &norms, Stop::Diverged, message, "start closer to the solution"));
            }
            let message =
                format!("{jacobian_name} is singular at x = {}, so Newton's step is undefined", show_point(&z));
            let mut run = end(
                z,
                path,
                &norms,
                Stop::Singular,
                message,
                "start from another point: here the equations' derivatives are linearly dependent",
            );
            run.note = format!("{jacobian_name} there is {}", show_matrix(&j));
            return Ok(run);
        };
        let size = step.amax();
        if size <= tol * (1.0 + z.amax()) {
            let bound = tol * (1.0 + z.amax());
            z += step;
            path.push(z.clone());
            let message =
                format!("converged: the last step, {}, is at most tol·(1 + |x|) = {}", short(size, 3), short(bound, 3));
            return Ok(end(z, path, &norms, Stop::Step, message, ""));
        }
        // Backtrack: halve the step until the residual decreases.
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let trial = &z + &step * t;
            let (rt, _) = eval(ctx, &trial, false)?;
            let n = rt.norm();
            if n.is_finite() && n <= (1.0 - 1e-4 * t) * rnorm {
                accepted = Some(trial);
                break;
            }
            t /= 2.0;
        }
        match accepted {
            Some(next) => {
                z = next;
                path.push(z.clone());
            }
            None => {
                let message = format!(
                    "Newton's method is stuck at x = {}: no step along it reduces the residual",
                    show_point(&z)
                );
                return Ok(end(
                    z,
                    path,
                    &norms,
                    Stop::Stalled,
                    message,
                    "this may be a minimum of the residual that is not a solution; start from another point",
                ));
            }
        }
    }
    let message = format!("Newton's method did not converge in {maxit} steps");
    Ok(end(z, path, &norms, Stop::MaxIterations, message, "start closer to the solution or raise `maxit`"))
}

/// The last iterates of a system solve and their residual norms.
fn system_note(norms: &[(Vector, f64)]) -> String {
    let start = norms.len().saturating_sub(SHOWN);
    let rows: Vec<String> = norms[start..]
        .iter()
        .enumerate()
        .map(|(i, (z, r))| format!("x{} = {}, |F| = {}", start + i, show_short(z), short(*r, 4)))
        .collect();
    if rows.is_empty() {
        return "no iterations were completed".to_string();
    }
    format!("the last iterations: {}", rows.join("; "))
}

/// A point with 6 significant digits per entry.
pub(crate) fn show_short(z: &Vector) -> String {
    let parts: Vec<String> = z.iter().map(|v| short(*v, 6)).collect();
    if parts.len() == 1 {
        return parts.join("");
    }
    format!("[{}]", parts.join(", "))
}

/// A small matrix on one line: `[1, 2; 3, 4]`.
pub(crate) fn show_matrix(m: &Matrix) -> String {
    let rows: Vec<String> =
        m.row_iter().map(|r| r.iter().map(|v| short(*v, 6)).collect::<Vec<_>>().join(", ")).collect();
    format!("[{}]", rows.join("; "))
}

builtin! {
    /// A root of a system of equations F(x) = 0 from the guess `x0`, by Powell's hybrid method.
    /// `F` takes a vector (or one number per unknown, `F(x, y)`) and returns as many values as
    /// there are unknowns; its Jacobian is exact (automatic differentiation).
    /// `method`: `"hybrid"` (default) is Powell's dogleg trust-region method as MINPACK's `hybrj`
    /// runs it, which is what SciPy's `optimize.root` uses, so from the same start it reaches
    /// the root SciPy reports; it stops when a step changes x by at most `tol` relative to its
    /// size, and `maxit` bounds the evaluations of F (default 100·(n + 1)). `"newton"` solves
    /// J δ = −F and steps, halving a step that would make |F| larger, until the step is at most
    /// `tol`·(1 + |x|) (`maxit` steps, default 100): fast near a root, but it strays or sticks
    /// further out. `"lm"` is Levenberg–Marquardt on ½|F|² (`maxit` evaluations). The hybrid
    /// and Levenberg–Marquardt runs end with one Newton step when it lowers |F|. A run counts as
    /// converged only when |F| is small there too.
    ///
    /// Not converging (too many steps, no progress at a minimum of |F| that is no root, a
    /// singular Jacobian for `"newton"`) is a `no-convergence` (or `singular-matrix`) error
    /// showing the last iterations; `trace = true` returns the record
    /// `{x, value, path, iterations, converged, reason, message}` instead, whatever happened
    /// (see `:help iterative`; `value` is F at x).
    /// ```mml
    /// F(v) = [v[1]^2 + v[2]^2 - 4, v[1] - v[2]]
    /// root(F, [1, 2])       # => 2×1 matrix
    ///                       # =>   1.41421
    ///                       # =>   1.41421
    /// G(x, y) = [x + y - 3, x - y - 1]
    /// root(G, [0, 0])       # => 2×1 matrix
    ///                       # =>   2
    ///                       # =>   1
    /// root(x -> cos(x) - x, 1)   # => 0.7390851332151607
    /// r = root(x -> x^2 + 1, 2, trace = true)   # no real root
    /// r.converged   # => false
    /// r.reason      # => stalled
    /// ```
    pub static ROOT: Calculus = "root"(F, x0; tol = 1e-12, maxit = nothing, method = str "hybrid", trace = false), |ctx, args| {
        let f = args.func(0)?;
        let (obj, x) = Objective::new("root", f, 0, Vec::new(), args.get(1), 1)?;
        let tol = positive(args, 2, "tolerance")?;
        let method = system_method(args, 4)?;
        let n = x.len();
        let maxit = system_maxit(args, 3, method, n)?;
        let trace = args.bool(5)?;
        let mut eval = |ctx: &mut dyn CallCtx, z: &Vector, jac: bool| -> Result<(Vector, Option<Matrix>), BuiltinError> {
            let (r, j) = if jac {
                let (r, j) = obj.jacobian(ctx, z)?;
                (r, Some(j))
            } else {
                (obj.values(ctx, z)?, None)
            };
            if r.len() != n {
                return Err(BuiltinError::arg(0, format!(
                    "`root` needs as many equations as unknowns: F returns {} values for {n} unknowns", r.len()
                ))
                .code("shape-mismatch")
                .with_help("for more equations than unknowns, fit by least squares with `curve_fit` or `lstsq`"));
            }
            Ok((r, j))
        };
        let run = solve_system(ctx, method, &mut eval, x, tol, maxit, "the Jacobian")?;
        if !trace {
            return Ok(obj.to_value(&run.check()?.x));
        }
        let (residual, _) = eval(ctx, &run.x, false)?;
        let report = run.report(&*ctx, n)?;
        let value = if residual.len() == 1 { Value::Num(residual[0]) } else { Value::matrix(Matrix::from_column_slice(n, 1, residual.as_slice())) };
        Ok(report.record(vec![("x", obj.to_value(&run.x)), ("value", value)]))
    }
}

/// A method for systems of equations (`root`, `lagrange`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SystemMethod {
    /// Powell's hybrid method (MINPACK's hybrj, SciPy's default).
    Hybrid,
    /// Newton's method with backtracking.
    Newton,
    /// Levenberg–Marquardt on ½‖F‖².
    Marquardt,
}

/// Argument `i`, the `method` of `root` or `lagrange`.
pub(crate) fn system_method(args: &mml_runtime::Args<'_>, i: usize) -> Result<SystemMethod, BuiltinError> {
    match args.str(i)? {
        "hybrid" | "hybr" => Ok(SystemMethod::Hybrid),
        "newton" => Ok(SystemMethod::Newton),
        "lm" => Ok(SystemMethod::Marquardt),
        other => Err(BuiltinError::arg(i, format!("unknown method \"{other}\"")).with_help(
            "use \"hybrid\" (Powell's hybrid method, the default), \"newton\" or \"lm\" (Levenberg–Marquardt)",
        )),
    }
}

/// Argument `i`, the `maxit` of `root` or `lagrange`: Newton's steps (default 100), or the
/// evaluations of F the other methods may make (default 100·(n + 1), as SciPy's `maxfev`).
pub(crate) fn system_maxit(
    args: &mml_runtime::Args<'_>,
    i: usize,
    method: SystemMethod,
    n: usize,
) -> Result<usize, BuiltinError> {
    if !args.is_nothing(i) {
        return args.count(i);
    }
    Ok(match method {
        SystemMethod::Newton => 100,
        _ => 100 * (n + 1),
    })
}

/// Solves a system by `method`.
pub(crate) fn solve_system(
    ctx: &mut dyn CallCtx,
    method: SystemMethod,
    eval: &mut SystemFn<'_>,
    z0: Vector,
    tol: f64,
    maxit: usize,
    jacobian_name: &str,
) -> Result<SystemRun, BuiltinError> {
    let (name, outcome) = match method {
        SystemMethod::Newton => return newton_system(ctx, eval, z0, tol, maxit, jacobian_name),
        SystemMethod::Hybrid => ("Powell's hybrid method", hybrid(ctx, eval, z0.clone(), tol, maxit)?),
        SystemMethod::Marquardt => ("Levenberg–Marquardt", levenberg_marquardt(ctx, eval, z0.clone(), tol, maxit)?),
    };
    let (start, _) = eval(ctx, &z0, false)?;
    let mut outcome = outcome;
    if matches!(outcome.stop, SystemStop::Step | SystemStop::Residual) && outcome.residual > 0.0 {
        polish(ctx, eval, &mut outcome)?;
    }
    Ok(system_run(name, outcome, start.norm(), maxit))
}

/// One Newton step with the exact Jacobian from where a method converged, kept when it lowers
/// ‖F‖: the last digits the trust region's own stopping test leaves (a linear system comes
/// out exact).
fn polish(ctx: &mut dyn CallCtx, eval: &mut SystemFn<'_>, o: &mut SystemOutcome) -> Result<(), BuiltinError> {
    let (r, j) = eval(ctx, &o.x, true)?;
    let Some(step) = j.and_then(|j| newton_solve(&j, &-&r)) else { return Ok(()) };
    let trial = &o.x + &step;
    let (rt, _) = eval(ctx, &trial, false)?;
    let norm = rt.norm();
    if norm < o.residual && trial != o.x {
        o.x = trial;
        o.residual = norm;
        o.path.push(o.x.clone());
        o.iterations += 1;
        if norm == 0.0 {
            o.stop = SystemStop::Residual;
        }
    }
    Ok(())
}

/// A hybrid or Levenberg–Marquardt outcome as a run. A run whose steps stopped changing x
/// counts as converged only where the residual is small too (at most 1e-6·max(1, ‖F(x0)‖)):
/// otherwise x has settled at a minimum of ‖F‖ that is no root.
fn system_run(name: &str, o: SystemOutcome, start: f64, maxit: usize) -> SystemRun {
    let note = format!(
        "{} step{}, {} evaluations of F and {} of its Jacobian; at the end x = {}, |F| = {}",
        o.iterations,
        if o.iterations == 1 { "" } else { "s" },
        o.evaluations,
        o.jacobians,
        show_short(&o.x),
        short(o.residual, 4)
    );
    let at = show_point(&o.x);
    let (stop, message, help) = match o.stop {
        SystemStop::Residual => (Stop::Residual, format!("converged: the residual is exactly 0 at x = {at}"), ""),
        SystemStop::Step if o.residual <= 1e-6 * start.max(1.0) => (
            Stop::Step,
            format!("converged: x changed by at most tol relative to its size, with |F| = {}", short(o.residual, 3)),
            "",
        ),
        SystemStop::Step | SystemStop::Slow => (
            Stop::Stalled,
            format!("{name} is not making progress at x = {at}, where |F| = {}: this is no root, more likely a minimum of |F|", short(o.residual, 3)),
            "start from another point; if there may be no solution, look at |F| along the path (trace = true)",
        ),
        SystemStop::MaxIterations => (
            Stop::MaxIterations,
            format!("{name} did not converge in {maxit} evaluations of F (|F| = {} at the end)", short(o.residual, 3)),
            "start closer to the solution or raise `maxit`",
        ),
    };
    SystemRun { x: o.x, path: o.path, iterations: o.iterations, stop, message, note, help }
}

builtin! {
    /// A root of f in the interval [a, b] by bisection.
    /// f(a) and f(b) must have opposite signs (else a `no-sign-change` error); the interval is
    /// halved, keeping the half where the sign changes, until it is at most `2·tol` wide. Slow but sure: each step gains one
    /// binary digit. `table = true` prints every midpoint; `trace = true` returns the record
    /// `{x, value, path, iterations, converged, reason, message}` (see `:help iterative`):
    /// `path` holds the midpoints and `iterations` counts the halvings.
    /// ```mml
    /// round(bisect(x -> x^2 - 2, 0, 2), 10)   # => 1.4142135624
    /// bisect(x -> x - 1, 1, 5)                 # => 1
    /// bisect(x -> x^2 - 2, 0, 2, tol = 1e-3, trace = true).iterations   # => 10
    /// ```
    pub static BISECT: Calculus = "bisect"(f, a, b; tol = 1e-12, table = false, trace = false), |ctx, args| {
        let f = args.func(0)?;
        for i in [1, 2] {
            if !matches!(args.get(i), Value::Num(_)) {
                return Err(BuiltinError::type_error(i, "a number (an end of the interval)", args.get(i)));
            }
        }
        let (obj, a) = Objective::new("bisect", f, 0, Vec::new(), args.get(1), 1)?;
        let (_, b) = Objective::new("bisect", f, 0, Vec::new(), args.get(2), 2)?;
        let tol = positive(args, 3, "tolerance")?;
        let table = args.bool(4)?;
        let (mut a, mut b) = (a[0], b[0]);
        if a == b {
            return Err(BuiltinError::arg(2, "the interval is empty: a and b are equal"));
        }
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        let eval = |ctx: &mut dyn CallCtx, x: f64| -> Result<f64, BuiltinError> {
            let v = obj.value(ctx, &Vector::from_element(1, x))?;
            if v.is_nan() {
                return Err(BuiltinError::new("domain-error", format!("f({}) is nan", short(x, 10))));
            }
            Ok(v)
        };
        let trace = args.bool(5)?;
        let mut fa = eval(ctx, a)?;
        let fb = eval(ctx, b)?;
        // The answer x with f(x), and the shared report.
        let finish = |x: f64, fx: f64, path: Path, stop: Stop, message: String| -> Value {
            if !trace {
                return Value::Num(x);
            }
            let iterations = path.columns().saturating_sub(1);
            Report::new(stop, iterations, path, message).record(vec![("x", Value::Num(x)), ("value", Value::Num(fx))])
        };
        let exact = |x: f64| format!("converged: f(x) = 0 exactly at x = {}", short(x, 10));
        if fa == 0.0 {
            return Ok(finish(a, fa, Path::new(&[a]), Stop::Residual, exact(a)));
        }
        if fb == 0.0 {
            return Ok(finish(b, fb, Path::new(&[b]), Stop::Residual, exact(b)));
        }
        if (fa > 0.0) == (fb > 0.0) {
            return Err(BuiltinError::arg(1, format!(
                "f has the same sign at both ends: f({}) = {} and f({}) = {}",
                short(a, 10), short(fa, 6), short(b, 10), short(fb, 6)
            ))
            .code("no-sign-change")
            .with_help("bisection needs an interval where f changes sign: plot f, or evaluate it at a few points"));
        }
        if table {
            ctx.write(&format!("{:>4}  {:<24} {:<24} {}\n", "k", "a", "b", "f(midpoint)"));
        }
        let mut k = 0;
        let mut path: Option<Path> = None;
        loop {
            let m = a + (b - a) / 2.0;
            match &mut path {
                None => path = Some(Path::new(&[m])),
                Some(p) => p.push(&*ctx, &[m])?,
            }
            if (b - a) / 2.0 <= tol || m <= a || m >= b {
                let fm = if trace { eval(ctx, m)? } else { f64::NAN };
                let message = format!(
                    "converged: the interval [{}, {}] is at most 2·tol wide",
                    mml_runtime::display::format_number(a),
                    mml_runtime::display::format_number(b)
                );
                return Ok(finish(m, fm, path.unwrap_or_else(|| Path::new(&[m])), Stop::Interval, message));
            }
            let fm = eval(ctx, m)?;
            if table {
                ctx.write(&format!(
                    "{k:>4}  {:<24} {:<24} {}\n",
                    mml_runtime::display::format_number(a),
                    mml_runtime::display::format_number(b),
                    short(fm, 6)
                ));
            }
            k += 1;
            if fm == 0.0 {
                return Ok(finish(m, fm, path.unwrap_or_else(|| Path::new(&[m])), Stop::Residual, exact(m)));
            }
            if (fm > 0.0) == (fa > 0.0) {
                a = m;
                fa = fm;
            } else {
                b = m;
            }
        }
    }
}

mod hybrid;
use hybrid::{hybrid, levenberg_marquardt, SystemOutcome, SystemStop};

#[cfg(test)]
mod tests;
