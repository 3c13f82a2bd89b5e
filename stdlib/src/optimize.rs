//! Minimisation: `gradient_descent` (fixed rate, the course's steepest descent),
//! `newton_minimize` (Newton's step −H⁻¹∇f), `minimize` (BFGS, Newton or steepest descent
//! with a Wolfe line search), `lagrange` (stationary points under equality constraints) and
//! `classify_stationary` (the second-derivative test).
//!
//! Gradients and Hessians are exact (automatic differentiation). The minimisers return the
//! same record, `{x, value, path, iterations, converged}`, with `path` holding one column per
//! iterate for plotting; running out of iterations is reported by `converged = false`, not an
//! error, since the last point is often still useful. A run that blows up (values turning
//! infinite) is a `no-convergence` error.

use mml_runtime::kernel;
use mml_runtime::{BuiltinError, CallCtx, Matrix, Value};

use crate::decomp::{is_symmetric, not_symmetric};
use crate::macros::builtin;
use crate::objective::{Objective, Vector};
use crate::roots::{newton_solve, newton_system, positive, show_matrix, show_short};
use crate::solve::{finite_matrix, record};

/// The iterates of a minimisation, collected for the `path` field.
struct Path {
    n: usize,
    data: Vec<f64>,
}

impl Path {
    fn new(x: &Vector) -> Path {
        Path { n: x.len(), data: x.iter().copied().collect() }
    }

    fn push(&mut self, ctx: &dyn CallCtx, x: &Vector) -> Result<(), BuiltinError> {
        ctx.check_alloc(self.n, self.data.len() / self.n.max(1) + 1)?;
        self.data.extend(x.iter());
        Ok(())
    }

    fn into_value(self) -> Value {
        let cols = self.data.len() / self.n.max(1);
        Value::matrix(Matrix::from_vec(self.n, cols, self.data))
    }
}

/// The record every minimiser returns.
fn outcome(obj: &Objective<'_>, x: &Vector, value: f64, path: Path, iterations: usize, converged: bool) -> Value {
    record([
        ("x", obj.to_value(x)),
        ("value", Value::Num(value)),
        ("path", path.into_value()),
        ("iterations", Value::Num(iterations as f64)),
        ("converged", Value::Bool(converged)),
    ])
}

/// The error for a minimisation whose values became infinite or nan.
fn diverged(what: &str, x: &Vector, help: &str) -> BuiltinError {
    BuiltinError::new(
        "no-convergence",
        format!("{what} diverged: the function or its gradient is not finite at x = {}", show_short(x)),
    )
    .with_help(help.to_string())
}

/// Whether the gradient is small enough: ‖g‖∞ ≤ tol·max(1, |f|).
fn small_gradient(g: &Vector, f: f64, tol: f64) -> bool {
    g.amax() <= tol * f.abs().max(1.0)
}

builtin! {
    /// Gradient descent (steepest descent) with a fixed rate: x ← x − rate·∇f(x).
    /// The gradient is exact (automatic differentiation). Takes `steps` steps, or stops early once
    /// |∇f| ≤ `tol` when a tolerance is given. `f` takes a number, a vector, or one number per
    /// variable (`f(x, y)` with `x0 = [1, 2]`).
    ///
    /// Returns `{x, value, path, iterations, converged}`: the last point, f there, the
    /// iterates as the columns of a matrix (for plotting), the number of steps, and whether
    /// the gradient there is at most `tol` (1e-6 when no `tol` is given).
    /// A rate that is too large makes the iterates blow up: a `no-convergence` error.
    /// ```mml
    /// f(x, y) = (x - 1)^2 + 2 * (y + 2)^2
    /// r = gradient_descent(f, [0, 0], rate = 0.2, steps = 100)
    /// round(r.x, 8)      # => 2×1 matrix
    ///                    # =>    1
    ///                    # =>   -2
    /// size(r.path)       # => 1×2 matrix
    ///                    # =>   2  101
    /// r.converged        # => true
    /// gradient_descent(x -> x^2, 3, rate = 0.25, steps = 2).path   # => 1×3 matrix
    ///                                                               # =>   3  1.5  0.75
    /// ```
    pub static GRADIENT_DESCENT: Calculus = "gradient_descent"(f, x0; rate = 0.1, steps = 1000, tol = nothing),
    |ctx, args| {
        let f = args.func(0)?;
        let (obj, mut x) = Objective::new("gradient_descent", f, 0, Vec::new(), args.get(1), 1)?;
        let rate = positive(args, 2, "rate")?;
        let steps = args.count(3)?;
        let tol = if args.is_nothing(4) { None } else { Some(positive(args, 4, "tolerance")?) };
        let mut path = Path::new(&x);
        let help = "make the rate smaller";
        let (mut fx, mut g) = obj.gradient(ctx, &x)?;
        let mut taken = 0;
        while taken < steps {
            if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
                return Err(diverged("gradient descent", &x, help));
            }
            if g.iter().all(|v| *v == 0.0) || tol.is_some_and(|t| g.norm() <= t) {
                break;
            }
            x -= &g * rate;
            path.push(ctx, &x)?;
            taken += 1;
            (fx, g) = obj.gradient(ctx, &x)?;
        }
        if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
            return Err(diverged("gradient descent", &x, help));
        }
        let converged = g.norm() <= tol.unwrap_or(1e-6);
        Ok(outcome(&obj, &x, fx, path, taken, converged))
    }
}

builtin! {
    /// Newton's method for a stationary point of f: x ← x − H⁻¹∇f.
    /// The gradient and Hessian are exact. Converges fast near a minimum, but finds maxima and saddle points just as
    /// readily (check with `classify_stationary(hessian(f, x))`); `minimize` is safer.
    /// Stops when the step is at most `tol`·(1 + |x|). Returns
    /// `{x, value, path, iterations, converged}`; a singular Hessian is a `singular-matrix`
    /// error.
    /// ```mml
    /// f(x, y) = x^4 + (y - 1)^2
    /// r = newton_minimize(f, [1, 0])
    /// r.x[2]                 # => 1
    /// abs(r.x[1]) < 1e-8     # => true
    /// r.iterations           # => 54
    /// newton_minimize(x -> x^2 - 4*x, 0).x   # => 2
    /// ```
    pub static NEWTON_MINIMIZE: Calculus = "newton_minimize"(f, x0; tol = 1e-10, maxit = 100), |ctx, args| {
        let f = args.func(0)?;
        let (obj, mut x) = Objective::new("newton_minimize", f, 0, Vec::new(), args.get(1), 1)?;
        let tol = positive(args, 2, "tolerance")?;
        let maxit = args.count(3)?;
        let mut path = Path::new(&x);
        for k in 0..maxit {
            let (fx, g, h) = scalar_second(&obj, ctx, &x)?;
            if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) || h.iter().any(|v| !v.is_finite()) {
                return Err(diverged("Newton's method", &x, "start closer to the minimum"));
            }
            if g.iter().all(|v| *v == 0.0) {
                return Ok(outcome(&obj, &x, fx, path, k, true));
            }
            let step = newton_solve(&h, &-&g).ok_or_else(|| {
                BuiltinError::new("singular-matrix", format!("the Hessian is singular at x = {}, so Newton's step is undefined", show_short(&x)))
                    .with_note(format!("the Hessian there is {}", show_matrix(&h)))
                    .with_help("start from another point, or use `minimize(f, x0)`")
            })?;
            x += &step;
            path.push(ctx, &x)?;
            if step.amax() <= tol * (1.0 + x.amax()) {
                let fx = obj.value(ctx, &x)?;
                return Ok(outcome(&obj, &x, fx, path, k + 1, true));
            }
        }
        let fx = obj.value(ctx, &x)?;
        Ok(outcome(&obj, &x, fx, path, maxit, false))
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

/// The line search's constants: sufficient decrease and curvature (strong Wolfe).
const C1: f64 = 1e-4;
const C2: f64 = 0.9;

/// A step length along `d` from `x` satisfying the strong Wolfe conditions (Nocedal and
/// Wright, Algorithms 3.5 and 3.6), starting with `alpha0`; `None` if none is found.
fn line_search(
    ctx: &mut dyn CallCtx,
    obj: &Objective<'_>,
    x: &Vector,
    d: &Vector,
    f0: f64,
    slope0: f64,
    alpha0: f64,
) -> Result<Option<f64>, BuiltinError> {
    let phi = |ctx: &mut dyn CallCtx, a: f64| -> Result<(f64, f64), BuiltinError> {
        let point = x + d * a;
        let (f, s) = obj.along(ctx, &point, d)?;
        if f == f64::NEG_INFINITY {
            return Err(BuiltinError::new(
                "no-convergence",
                format!("the function has no minimum: it falls to -inf at x = {}", show_short(&point)),
            )
            .with_help("minimize a function that is bounded below, or start near the minimum you want"));
        }
        Ok((f, s))
    };
    let bad = |fa: f64, a: f64| !fa.is_finite() || fa > f0 + C1 * a * slope0;
    let (mut a_prev, mut f_prev, mut s_prev) = (0.0, f0, slope0);
    let mut a = alpha0;
    for i in 0..40 {
        let (fa, sa) = phi(ctx, a)?;
        let (lo, hi) = if bad(fa, a) || (i > 0 && fa >= f_prev) {
            ((a_prev, f_prev, s_prev), (a, fa, sa))
        } else if sa.abs() <= -C2 * slope0 {
            return Ok(Some(a));
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
            if bad(ft, trial) || ft >= lo.1 {
                hi = (trial, ft, st);
            } else {
                if st.abs() <= -C2 * slope0 {
                    return Ok(Some(trial));
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
        return Ok((lo.0 > 0.0 && lo.1 < f0).then_some(lo.0));
    }
    Ok(None)
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
    /// step satisfies the strong Wolfe conditions. Stops when |∇f| ≤ `tol`·max(1, |f|) (largest
    /// component). Returns `{x, value, path, iterations, converged}`. Finds a local minimum:
    /// start near the one you want.
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
    /// ```
    pub static MINIMIZE: Calculus = "minimize"(f, x0, method = str "bfgs"; tol = 1e-8, maxit = 1000), |ctx, args| {
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
        let n = x.len();
        let help = "start somewhere else: the function seems to have no minimum in this direction";
        let mut path = Path::new(&x);
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
        for k in 0..maxit {
            if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
                return Err(diverged("minimize", &x, help));
            }
            if small_gradient(&g, fx, tol) {
                return Ok(outcome(&obj, &x, fx, path, k, true));
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
                Method::Descent if k > 0 => (alpha_prev * 2.0).min(1e10),
                _ if k == 0 || fresh => (1.0 / g.amax()).min(1.0),
                _ => 1.0,
            };
            let alpha0 = if method == Method::Newton { 1.0 } else { alpha0 };
            let alpha = match line_search(ctx, &obj, &x, &d, fx, slope, alpha0)? {
                Some(a) => a,
                None if method == Method::Bfgs && !fresh => {
                    // The curvature estimate has gone stale: start it again.
                    inv = Matrix::identity(n, n);
                    fresh = true;
                    continue;
                }
                None => return Ok(outcome(&obj, &x, fx, path, k, small_gradient(&g, fx, tol.sqrt()))),
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
            path.push(ctx, &x)?;
            if stalled {
                return Ok(outcome(&obj, &x, fx, path, k + 1, small_gradient(&g, fx, tol.sqrt())));
            }
        }
        let converged = small_gradient(&g, fx, tol);
        Ok(outcome(&obj, &x, fx, path, maxit, converged))
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
    /// It solves ∇L = 0 for L(x, λ) = f(x) − λ·g(x) with Newton's method from `x0`
    /// (exact derivatives; the Jacobian of ∇L is the Hessian of L). `constraints` is a
    /// function g (returning one number, or a vector for several constraints) or a list of
    /// functions. The multipliers start from their least-squares estimate unless `lambda0`
    /// is given, or the start holds them after the point: for f(x, y), `[x, y, λ]`. Returns `{x, lambda, value}`: the point, the multipliers (a number for one
    /// constraint) and f there. Which stationary point is found depends on `x0`.
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
    pub static LAGRANGE: Calculus = "lagrange"(f, constraints, x0; tol = 1e-12, maxit = 100, lambda0 = nothing),
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
        let maxit = args.count(4)?;
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
        let result = newton_system(ctx, &mut eval, z0, tol, maxit, "the Hessian of the Lagrangian")?;
        let x = result.x.rows(0, n).into_owned();
        let lambda = result.x.rows(n, m).into_owned();
        let value = obj.value(ctx, &x)?;
        let lambda = if m == 1 { Value::Num(lambda[0]) } else { Value::column(lambda.iter().copied().collect()) };
        Ok(record([("x", obj.to_value(&x)), ("lambda", lambda), ("value", Value::Num(value))]))
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
    /// number per coordinate. Returns `{x, value, grid}` (`grid`: the number of grid points).
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
        for (_, guess) in &best {
            let polished = crate::calculus::call(ctx, &MINIMIZE, &[f.clone(), obj.to_value(guess), Value::str("bfgs"), Value::Num(1e-10), Value::Num(200.0)]);
            // A start that does not converge is skipped; errors from the function itself (and
            // interruptions) stop the search.
            let r = match polished {
                Ok(Value::Record(r)) => r,
                Err(e @ BuiltinError::Raised(_)) => return Err(e),
                _ => continue,
            };
            let (Some(px), Some(pv)) = (r.get("x").and_then(Value::to_matrix), r.get("value").and_then(Value::as_scalar)) else { continue };
            let p = Vector::from_column_slice(px.as_slice());
            if p.len() == d && inside(&p) && pv < value {
                value = pv;
                point = p;
            }
        }
        Ok(record([("x", obj.to_value(&point)), ("value", Value::Num(value)), ("grid", Value::Num(total as f64))]))
    }
}
