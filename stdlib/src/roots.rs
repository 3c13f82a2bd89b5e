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
    /// SciPy's `newton(f, x0, fprime)`; `tol`, `maxit` and `table` are given by name. It stops when
    /// the step is at most `tol`·max(1, |x|) and returns x. `table = true` prints every
    /// iterate and f there.
    ///
    /// If the iteration does not settle within `maxit` steps, comes back to an earlier
    /// iterate (a cycle), meets f′(x) = 0 or runs off to infinity, it is a `no-convergence`
    /// error whose note shows the last iterations: try another start, or `bisect`.
    /// For systems of equations use `root`.
    /// ```mml
    /// round(newton_raphson(x -> x^2 - 2, 1), 12)   # => 1.414213562373
    /// f(x) = x^3 - 2*x + 2
    /// round(newton_raphson(f, -2), 12)  # => -1.769292354239
    /// newton_raphson(cos, 1, x -> -sin(x))   # => 1.5707963267948966
    /// round(newton_raphson(x -> x^2 - 2, 1, tol = 1e-6), 6)   # => 1.414214
    /// ```
    pub static NEWTON_RAPHSON: Calculus = "newton_raphson"(f, x0, df = nothing; tol = 1e-12, maxit = 100, table = false),
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
        if table {
            ctx.write(&format!("{:>4}  {:<24} {}\n", "k", "x", "f(x)"));
        }
        let mut x = x;
        let mut history: Vec<(f64, f64)> = Vec::new();
        for k in 0..=maxit {
            let (fx, dfx) = match &slope {
                Slope::Exact => {
                    let (fx, g) = obj.gradient(ctx, &x)?;
                    (fx, g[0])
                }
                Slope::Given(df) => (obj.value(ctx, &x)?, df.value(ctx, &x)?),
            };
            if table {
                table_row(ctx, k, x[0], fx);
            }
            history.push((x[0], fx));
            if fx == 0.0 {
                return Ok(Value::Num(x[0]));
            }
            if !fx.is_finite() || !dfx.is_finite() {
                return Err(BuiltinError::new(
                    "no-convergence",
                    format!("Newton–Raphson ran off: f or f′ is {} at x = {}", if fx.is_finite() { short(dfx, 6) } else { short(fx, 6) }, short(x[0], 10)),
                )
                .with_note(history_note(&history))
                .with_help("start closer to the root, or use `bisect` on an interval where f changes sign"));
            }
            if dfx == 0.0 {
                return Err(BuiltinError::new(
                    "no-convergence",
                    format!("Newton–Raphson stopped: f′(x) = 0 at x = {}, so the tangent never meets zero", short(x[0], 10)),
                )
                .with_note(history_note(&history))
                .with_help("start somewhere else, away from the turning point"));
            }
            if k == maxit {
                break;
            }
            let step = fx / dfx;
            let next = x[0] - step;
            if step.abs() <= tol * next.abs().max(1.0) {
                if table {
                    let fnext = obj.value(ctx, &Vector::from_element(1, next))?;
                    table_row(ctx, k + 1, next, fnext);
                }
                return Ok(Value::Num(next));
            }
            if let Some(j) = history.iter().position(|(xj, _)| *xj == next) {
                return Err(BuiltinError::new(
                    "no-convergence",
                    format!("Newton–Raphson is cycling: x{} = {} is x{j} again", k + 1, short(next, 10)),
                )
                .with_note(history_note(&history))
                .with_help("start from another x0, or use `bisect` on an interval where f changes sign"));
            }
            x[0] = next;
        }
        Err(BuiltinError::new("no-convergence", format!("Newton–Raphson did not converge in {maxit} steps"))
            .with_note(history_note(&history))
            .with_help("start closer to the root, raise `maxit`, or use `bisect`"))
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

/// The result of Newton's method on a system.
pub(crate) struct NewtonResult {
    /// The solution.
    pub x: Vector,
}

/// Evaluates a system's residual at a point, and its Jacobian when asked.
pub(crate) type SystemFn<'e> =
    dyn FnMut(&mut dyn CallCtx, &Vector, bool) -> Result<(Vector, Option<Matrix>), BuiltinError> + 'e;

/// Newton's method for `R(z) = 0` with backtracking on ‖R‖: full steps near the root
/// (quadratic convergence), shorter ones when a full step would increase the residual.
/// `jacobian_name` names the matrix in the singular-matrix error ("the Jacobian").
pub(crate) fn newton_system(
    ctx: &mut dyn CallCtx,
    eval: &mut SystemFn<'_>,
    z0: Vector,
    tol: f64,
    maxit: usize,
    jacobian_name: &str,
) -> Result<NewtonResult, BuiltinError> {
    let mut z = z0;
    let mut norms: Vec<(Vector, f64)> = Vec::new();
    for _ in 0..maxit {
        let (r, j) = eval(ctx, &z, true)?;
        let rnorm = r.norm();
        if !rnorm.is_finite() {
            return Err(BuiltinError::new(
                "no-convergence",
                format!("Newton's method ran off: the residual is not finite at x = {}", show_point(&z)),
            )
            .with_note(system_note(&norms))
            .with_help("start closer to the solution"));
        }
        norms.push((z.clone(), rnorm));
        if rnorm == 0.0 {
            return Ok(NewtonResult { x: z });
        }
        let Some(j) = j else {
            return Err(BuiltinError::new("internal", "the Jacobian was not computed"));
        };
        let Some(step) = newton_solve(&j, &-&r) else {
            if j.iter().any(|v| !v.is_finite()) {
                return Err(BuiltinError::new(
                    "no-convergence",
                    format!("Newton's method ran off: {jacobian_name} is not finite at x = {}", show_point(&z)),
                )
                .with_note(system_note(&norms)));
            }
            return Err(BuiltinError::new(
                "singular-matrix",
                format!("{jacobian_name} is singular at x = {}, so Newton's step is undefined", show_point(&z)),
            )
            .with_note(format!("{jacobian_name} there is {}", show_matrix(&j)))
            .with_help("start from another point: here the equations' derivatives are linearly dependent"));
        };
        let size = step.amax();
        if size <= tol * (1.0 + z.amax()) {
            return Ok(NewtonResult { x: z + step });
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
            Some(next) => z = next,
            None => {
                return Err(BuiltinError::new(
                    "no-convergence",
                    format!(
                        "Newton's method is stuck at x = {}: no step along it reduces the residual",
                        show_point(&z)
                    ),
                )
                .with_note(system_note(&norms))
                .with_help("this may be a minimum of the residual that is not a solution; start from another point"))
            }
        }
    }
    Err(BuiltinError::new("no-convergence", format!("Newton's method did not converge in {maxit} steps"))
        .with_note(system_note(&norms))
        .with_help("start closer to the solution or raise `maxit`"))
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
    /// A root of a system of equations F(x) = 0, by Newton's method from the guess `x0`.
    /// The Jacobian is exact (automatic differentiation): solve J δ = −F, step, repeat,
    /// halving a step that would make |F| larger. `F` takes a vector (or one number per unknown,
    /// `F(x, y)`) and returns as many values as there are unknowns. Stops when the step is at
    /// most `tol`·(1 + |x|).
    ///
    /// A singular Jacobian on the way is a `singular-matrix` error; no convergence within
    /// `maxit` steps is a `no-convergence` error showing the last iterations.
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
    /// ```
    pub static ROOT: Calculus = "root"(F, x0; tol = 1e-12, maxit = 100), |ctx, args| {
        let f = args.func(0)?;
        let (obj, x) = Objective::new("root", f, 0, Vec::new(), args.get(1), 1)?;
        let tol = positive(args, 2, "tolerance")?;
        let maxit = args.count(3)?;
        let n = x.len();
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
        let result = newton_system(ctx, &mut eval, x, tol, maxit, "the Jacobian")?;
        Ok(obj.to_value(&result.x))
    }
}

builtin! {
    /// A root of f in the interval [a, b] by bisection.
    /// f(a) and f(b) must have opposite signs (else a `no-sign-change` error); the interval is
    /// halved, keeping the half where the sign changes, until it is at most `2·tol` wide. Slow but sure: each step gains one
    /// binary digit. `table = true` prints every midpoint.
    /// ```mml
    /// round(bisect(x -> x^2 - 2, 0, 2), 10)   # => 1.4142135624
    /// bisect(x -> x - 1, 1, 5)                 # => 1
    /// ```
    pub static BISECT: Calculus = "bisect"(f, a, b; tol = 1e-12, table = false), |ctx, args| {
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
        let mut fa = eval(ctx, a)?;
        let fb = eval(ctx, b)?;
        if fa == 0.0 {
            return Ok(Value::Num(a));
        }
        if fb == 0.0 {
            return Ok(Value::Num(b));
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
        loop {
            let m = a + (b - a) / 2.0;
            if (b - a) / 2.0 <= tol || m <= a || m >= b {
                return Ok(Value::Num(m));
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
                return Ok(Value::Num(m));
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

#[cfg(test)]
mod tests;
