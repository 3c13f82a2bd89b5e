//! Fitting models to data: straight lines (`linfit`, `linregress`), polynomials (`polyfit`,
//! `polyval`), linear least squares (`lstsq`), non-linear least squares (`curve_fit`,
//! Levenberg–Marquardt with the model's exact Jacobian), and the normal density
//! `normal_pdf`.
//!
//! Conventions: data are vectors (columns or rows) of equal length; polynomial coefficients
//! are listed highest power first, as in NumPy (`polyfit` returns them so, `polyval` reads
//! them so); χ² is the plain sum of squared residuals Σ(y − f)², as in the course.

use mml_lang::ast::BinOp;
use mml_runtime::display::format_number;
use mml_runtime::kernel::{self, SolveError};
use mml_runtime::{ad, Args, BuiltinError, Matrix, Value};

use crate::elementwise::{domain_error, Numeric};
use crate::macros::builtin;
use crate::objective::{short, Objective, Vector};
use crate::roots::{positive, show_short};
use crate::solve::{finite_matrix, narrow, record, singular_error};
use crate::trace::{Path, Report, Stop};

/// Argument `i` as a vector of finite numbers (a column, a row, or a range).
fn data_vector(args: &Args<'_>, i: usize, name: &str) -> Result<Vec<f64>, BuiltinError> {
    let m = finite_matrix(args, i)?;
    if m.ncols() != 1 && m.nrows() != 1 {
        let (r, c) = m.shape();
        return Err(BuiltinError::arg(i, format!("`{name}` needs a vector of data, found a {r}×{c} matrix"))
            .code("shape-mismatch"));
    }
    Ok(m.iter().copied().collect())
}

/// The data `x` and `y` (arguments 0 and 1) of equal length, at least `min` points.
fn xy(args: &Args<'_>, name: &str, min: usize) -> Result<(Vec<f64>, Vec<f64>), BuiltinError> {
    let x = data_vector(args, 0, name)?;
    let y = data_vector(args, 1, name)?;
    if x.len() != y.len() {
        return Err(BuiltinError::arg(1, format!("x has {} values and y has {}: they must pair up", x.len(), y.len()))
            .code("shape-mismatch"));
    }
    if x.len() < min {
        return Err(BuiltinError::arg(0, format!("`{name}` needs at least {min} points, found {}", x.len())));
    }
    Ok((x, y))
}

/// The statistics of a straight-line fit.
struct Line {
    slope: f64,
    intercept: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    chi2: f64,
    sum_x2: f64,
    n: f64,
}

/// Fits y = m x + c by least squares (centred sums, as the course writes them).
fn line(x: &[f64], y: &[f64]) -> Result<Line, BuiltinError> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (xi, yi) in x.iter().zip(y) {
        let (dx, dy) = (xi - mx, yi - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if sxx == 0.0 {
        return Err(BuiltinError::arg(0, "all the x values are equal, so no line through them has a slope")
            .with_help("a straight-line fit needs at least two different x values"));
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let chi2 = x.iter().zip(y).map(|(xi, yi)| (yi - slope * xi - intercept).powi(2)).sum();
    let sum_x2 = x.iter().map(|v| v * v).sum();
    Ok(Line { slope, intercept, sxx, syy, sxy, chi2, sum_x2, n })
}

builtin! {
    /// The least-squares straight line y ≈ m x + c through the points (x, y).
    /// It returns `{slope, intercept}`: m = Σ(xᵢ − x̄) yᵢ / Σ(xᵢ − x̄)², c = ȳ − m x̄.
    /// `m, c = linfit(x, y)`; `linregress` adds r, standard errors and χ².
    /// ```mml
    /// m, c = linfit([0, 1, 2, 3], [1, 3, 5, 7])
    /// m   # => 2
    /// c   # => 1
    /// ```
    pub static LINFIT: Calculus = "linfit"(x, y), |_ctx, args| {
        let (x, y) = xy(args, "linfit", 2)?;
        let l = line(&x, &y)?;
        Ok(record([("slope", Value::Num(l.slope)), ("intercept", Value::Num(l.intercept))]))
    }
}

builtin! {
    /// A straight-line regression with its statistics, like SciPy's `linregress`.
    /// It returns `{slope, intercept, r, slope_err, intercept_err, chi2}`. `r` is the correlation
    /// coefficient (nan when y is constant), the errors are the standard errors of slope and
    /// intercept (√(χ²/((n − 2) Σ(x − x̄)²)) for the slope; nan for 2 points), and χ² is
    /// Σ(yᵢ − m xᵢ − c)².
    /// ```mml
    /// r = linregress([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    /// r.slope              # => 0.6
    /// r.intercept          # => 2.2
    /// round(r.r, 6)        # => 0.774597
    /// round(r.slope_err, 6)   # => 0.282843
    /// round(r.chi2, 12)    # => 2.4
    /// ```
    pub static LINREGRESS: Calculus = "linregress"(x, y), |_ctx, args| {
        let (x, y) = xy(args, "linregress", 2)?;
        let l = line(&x, &y)?;
        let r = if l.syy == 0.0 { f64::NAN } else { (l.sxy / (l.sxx * l.syy).sqrt()).clamp(-1.0, 1.0) };
        let dof = l.n - 2.0;
        let slope_err = if dof > 0.0 { (l.chi2 / (dof * l.sxx)).sqrt() } else { f64::NAN };
        let intercept_err = slope_err * (l.sum_x2 / l.n).sqrt();
        Ok(record([
            ("slope", Value::Num(l.slope)),
            ("intercept", Value::Num(l.intercept)),
            ("r", Value::Num(r)),
            ("slope_err", Value::Num(slope_err)),
            ("intercept_err", Value::Num(intercept_err)),
            ("chi2", Value::Num(l.chi2)),
        ]))
    }
}

/// Least squares `A x ≈ b` by Householder QR with the columns of `A` scaled to unit length
/// first (columns whose sizes differ by many orders, as in polynomial fits and the Longley
/// data, then share one scale; the certified Longley coefficients come out to about 1e-12).
/// Small problems of simple fractions are solved exactly and rounded once.
fn scaled_lstsq(a: &Matrix, b: &Matrix, arg: usize) -> Result<Matrix, BuiltinError> {
    let exact = if a.is_square() { kernel::exact::solve(a, b) } else { kernel::exact::lstsq(a, b).map(Some) };
    match exact {
        Some(Some(x)) => return Ok(x),
        Some(None) => return Err(singular_error(arg, a, 0.0)),
        None => {}
    }
    let n = a.ncols();
    let scale: Vec<f64> = (0..n)
        .map(|j| {
            let s = a.column(j).norm();
            if s > 0.0 && s.is_finite() {
                s
            } else {
                1.0
            }
        })
        .collect();
    let mut scaled = a.clone();
    for (j, s) in scale.iter().enumerate() {
        scaled.column_mut(j).scale_mut(1.0 / s);
    }
    let mut y = kernel::solve(&scaled, b).map_err(|e| match e {
        SolveError::Singular { rcond } => singular_error(arg, a, rcond),
        SolveError::NotFinite => BuiltinError::arg(arg, "the matrix contains nan or inf").code("not-finite"),
        SolveError::NoConvergence => crate::solve::no_convergence(arg, "least-squares solve"),
    })?;
    for (j, s) in scale.iter().enumerate() {
        y.row_mut(j).scale_mut(1.0 / s);
    }
    Ok(y)
}

builtin! {
    /// The least-squares solution of A x ≈ b, with the facts about it.
    /// It returns `{x, residuals, rank, sv}`: the x minimising |A x − b| (of minimum length when A's
    /// columns are dependent), the residual vector b − A x, the rank of A and its singular
    /// values (descending). Solved by Householder QR on A with its columns scaled to unit
    /// length (never the normal equations), so it stays accurate on ill-conditioned problems:
    /// it reproduces NIST's certified Longley coefficients to about 10 digits.
    /// (NumPy's `residuals` is `sum(r.residuals.^2)`.)
    /// ```mml
    /// r = lstsq([1, 0; 1, 1; 1, 2], [1, 2, 4])
    /// r.x           # => 2×1 matrix
    ///               # =>   0.83333
    ///               # =>   1.5
    /// r.rank        # => 2
    /// round(sum(r.residuals.^2), 12)   # => 0.166666666667
    /// ```
    pub static LSTSQ: Solve = "lstsq"(A, b), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 20.0)?;
        let a = finite_matrix(args, 0)?;
        let b = finite_matrix(args, 1)?;
        if a.nrows() != b.nrows() {
            return Err(BuiltinError::arg(1, format!(
                "A has {} rows but b has {}: one value of b per row (equation) of A",
                a.nrows(), b.nrows()
            ))
            .code("shape-mismatch"));
        }
        if a.is_empty() {
            return Err(BuiltinError::arg(0, "the matrix A is empty"));
        }
        ctx.check_alloc(a.ncols(), b.ncols())?;
        let svd = crate::solve::svd_of(&a, false, 0)?;
        let rank = svd.rank(None);
        let x = if rank == a.ncols() { scaled_lstsq(&a, &b, 0)? } else { svd.solve(&b, None) };
        let residuals = &*b - &*a * &x;
        Ok(record([
            ("x", narrow(x)),
            ("residuals", narrow(residuals)),
            ("rank", Value::Num(rank as f64)),
            ("sv", Value::column(svd.s.clone())),
        ]))
    }
}

builtin! {
    /// The least-squares polynomial of degree `degree` through the points (x, y).
    /// It returns the coefficients, **highest power first** (as NumPy's `polyfit`; evaluate with `polyval`).
    /// Solved by QR on the (column-scaled) Vandermonde matrix. Needs at least `degree + 1`
    /// points; with exactly that many, the polynomial interpolates them.
    /// ```mml
    /// polyfit([0, 1, 2, 3], [1, 2, 5, 10], 2)   # => 3×1 matrix
    ///                                           # =>   1
    ///                                           # =>   0
    ///                                           # =>   1
    /// polyfit([1, 2, 3], [2, 4, 6], 1)          # => 2×1 matrix
    ///                                           # =>   2
    ///                                           # =>   0
    /// ```
    pub static POLYFIT: Calculus = "polyfit"(x, y, degree), |ctx, args| {
        let (x, y) = xy(args, "polyfit", 1)?;
        let deg = args.count(2)?;
        if x.len() < deg + 1 {
            return Err(BuiltinError::arg(2, format!(
                "a polynomial of degree {deg} has {} coefficients, and there are only {} points", deg + 1, x.len()
            ))
            .with_help(format!("use a degree of at most {}", x.len() - 1)));
        }
        ctx.check_alloc(x.len(), deg + 1)?;
        let v = Matrix::from_fn(x.len(), deg + 1, |i, j| x[i].powi((deg - j) as i32));
        let distinct = {
            let mut s = x.clone();
            s.sort_by(f64::total_cmp);
            s.dedup();
            s.len()
        };
        if distinct < deg + 1 {
            return Err(BuiltinError::arg(0, format!(
                "a polynomial of degree {deg} needs {} different x values, and there are {distinct}", deg + 1
            )));
        }
        let p = scaled_lstsq(&v, &Matrix::from_column_slice(y.len(), 1, &y), 0)?;
        Ok(Value::matrix(p))
    }
}

use ad::element;

builtin! {
    /// Evaluates the polynomial with coefficients `p` at `x`, element-wise.
    /// The coefficients come **highest power first**, as `polyfit` returns them:
    /// p₁xⁿ⁻¹ + … + pₙ, by Horner's rule. Differentiable in both `x` and `p`.
    /// ```mml
    /// polyval([1, 0, -1], 3)         # => 8
    /// polyval([2, 1], [0, 1, 2])     # => 3×1 matrix
    ///                                # =>   1
    ///                                # =>   3
    ///                                # =>   5
    /// derivative(x -> polyval([1, 0, 0], x))(3)   # => 6
    /// ```
    pub static POLYVAL: Calculus = "polyval"(p, x), |ctx, args| {
        let p = args.get(0);
        let x = args.get(1);
        let Some((r, c)) = p.shape().filter(|_| !matches!(p, Value::Complex(_) | Value::CMatrix(_))) else {
            return Err(BuiltinError::type_error(0, "a vector of coefficients", p));
        };
        if r != 1 && c != 1 {
            return Err(BuiltinError::arg(0, format!("the coefficients must be a vector, found a {r}×{c} matrix"))
                .code("shape-mismatch"));
        }
        let len = r * c;
        if let (Some(pm), false) = (p.to_matrix(), matches!(x, Value::Dual(_))) {
            let coeffs: Vec<f64> = pm.iter().copied().collect();
            let horner = |t: f64| coeffs.iter().fold(0.0, |acc, ck| acc * t + ck);
            return Ok(match Numeric::from_value(ctx, x, 1)? {
                Numeric::Scalar(t) => Value::Num(horner(t)),
                Numeric::Matrix(m) => Value::matrix(m.map(horner)),
            });
        }
        let mut y = element(p, 0);
        for i in 1..len {
            y = ad::arith(BinOp::Add, &ad::arith(BinOp::ElemMul, &y, x)?, &element(p, i))?;
        }
        if len <= 1 {
            y = ad::arith(BinOp::Add, &y, &ad::arith(BinOp::ElemMul, x, &Value::Num(0.0))?)?;
        }
        Ok(y)
    }
}

builtin! {
    /// Non-linear least squares: the parameters p minimising χ² = Σ(yᵢ − model(xᵢ, p))².
    /// It runs Levenberg–Marquardt from the guess `p0`, with the model's exact Jacobian with respect to
    /// the parameters (automatic differentiation). `model(x, p)` gets the whole data vector
    /// `x` and the parameter vector (or one number per parameter: `model(x, mu, sigma)`) and
    /// returns the predictions for all the points. Returns `{params, residuals, chi2, path,
    /// iterations, converged, reason, message}` (see `:help iterative`), the residuals being
    /// y − model(x, params) and `path` the parameters after each accepted step. Stops when a
    /// step changes no parameter by more than `tol`·(1 + |p|); when no step lowers χ² however
    /// damped, the record says `reason = "stalled"`; not converging in `maxit` steps is a
    /// `no-convergence` error (with `trace = true`, the record).
    /// ```mml
    /// x = [0, 1, 2, 3, 4]
    /// y = 3 * exp(-0.5 * x)
    /// fit = curve_fit((x, a, k) -> a * exp(-k * x), x, y, [1, 1])
    /// round(fit.params, 10)   # => 2×1 matrix
    ///                         # =>   3
    ///                         # =>   0.5
    /// fit.chi2 < 1e-20        # => true
    /// ```
    pub static CURVE_FIT: Calculus = "curve_fit"(model, x, y, p0; tol = 1e-10, maxit = 200, trace = false), |ctx, args| {
        let model = args.func(0)?;
        let x = args.get(1).clone();
        if !matches!(x, Value::Num(_) | Value::Matrix(_) | Value::Range(_) | Value::List(_)) {
            return Err(BuiltinError::type_error(1, "the data x (a vector or matrix)", &x));
        }
        let ym = finite_matrix(args, 2)?;
        let y = Vector::from_column_slice(ym.as_slice());
        let (obj, p0) = Objective::new("curve_fit", model, 0, vec![x], args.get(3), 3)?;
        let tol = positive(args, 4, "tolerance")?;
        let maxit = args.count(5)?;
        let trace = args.bool(6)?;
        let residual = |f: &Vector| -> Result<Vector, BuiltinError> {
            if f.len() != y.len() {
                return Err(BuiltinError::arg(0, format!(
                    "the model returns {} values for {} data points", f.len(), y.len()
                ))
                .code("shape-mismatch")
                .with_help("the model gets the whole vector x and must return one prediction per point (use .* ./ .^)"));
            }
            Ok(&y - f)
        };
        let mut p = p0;
        let (f, mut jac) = obj.jacobian(ctx, &p)?;
        let mut r = residual(&f)?;
        let mut chi2 = r.norm_squared();
        if !chi2.is_finite() {
            return Err(BuiltinError::arg(3, "the model is not finite at the starting parameters").code("no-convergence"));
        }
        let k = p.len();
        let mut lambda: Option<f64> = None;
        let mut history: Vec<(Vector, f64)> = vec![(p.clone(), chi2)];
        let mut path = Path::new(p.as_slice());
        let shape = ym.shape();
        for it in 0..maxit {
            // Marquardt's damping, scaled by the size of each column of the Jacobian.
            let d: Vec<f64> = (0..k).map(|j| jac.column(j).norm_squared()).collect();
            let dmax = d.iter().copied().fold(0.0, f64::max);
            if dmax == 0.0 {
                return Err(BuiltinError::arg(0, "the model does not depend on its parameters here (its Jacobian is zero)")
                    .code("singular-matrix"));
            }
            let mut lam = lambda.unwrap_or(1e-3);
            loop {
                // Solve [J; √λ D] δ = [r; 0] by QR.
                let m = jac.nrows();
                let mut aug = Matrix::zeros(m + k, k);
                aug.view_mut((0, 0), (m, k)).copy_from(&jac);
                for j in 0..k {
                    aug[(m + j, j)] = (lam * d[j].max(1e-12 * dmax)).sqrt();
                }
                let mut rhs = Matrix::zeros(m + k, 1);
                rhs.view_mut((0, 0), (m, 1)).copy_from(&r);
                let step = match kernel::solve(&aug, &rhs) {
                    Ok(s) => Vector::from_column_slice(s.as_slice()),
                    Err(_) => {
                        return Err(BuiltinError::new("no-convergence", "the fit ran off: the Jacobian is not finite")
                            .with_note(fit_note(&history)))
                    }
                };
                let trial = &p + &step;
                let rt = residual(&obj.values(ctx, &trial)?)?;
                let chi2t = rt.norm_squared();
                let bound = tol * (1.0 + p.amax());
                let small = step.amax() <= bound;
                let step_message = || {
                    format!("converged: the last step, {}, is at most tol·(1 + |p|) = {}", short(step.amax(), 3), short(bound, 3))
                };
                if chi2t.is_finite() && chi2t <= chi2 {
                    lambda = Some((lam / 10.0).max(1e-15));
                    p = trial;
                    history.push((p.clone(), chi2t));
                    path.push(&*ctx, p.as_slice())?;
                    if small || chi2t == 0.0 {
                        let report = if chi2t == 0.0 {
                            Report::new(Stop::Residual, it + 1, path, "converged: the model fits the data exactly (χ² = 0)")
                        } else {
                            Report::new(Stop::Step, it + 1, path, step_message())
                        };
                        return Ok(fit_result(&obj, &p, &rt, shape, chi2t, report));
                    }
                    let (f, j) = obj.jacobian(ctx, &p)?;
                    r = residual(&f)?;
                    chi2 = r.norm_squared();
                    jac = j;
                    break;
                }
                if small {
                    // Even tiny steps do not reduce χ²: this is the minimum to working precision.
                    let message = format!("{}; it did not lower χ², so this is the minimum to working precision", step_message());
                    return Ok(fit_result(&obj, &p, &r, shape, chi2, Report::new(Stop::Step, it, path, message)));
                }
                lam *= 10.0;
                if lam > 1e20 {
                    let message = "stalled: no step, however damped, lowers χ² (the damping passed 1e20)";
                    return Ok(fit_result(&obj, &p, &r, shape, chi2, Report::new(Stop::Stalled, it, path, message)));
                }
            }
        }
        let report = Report::new(Stop::MaxIterations, maxit, path, format!("the fit did not converge in {maxit} steps"));
        if trace {
            return Ok(fit_result(&obj, &p, &r, shape, chi2, report));
        }
        Err(report.error(Some(fit_note(&history)), "start from parameters closer to the data's shape, or raise `maxit`"))
    }
}

/// The record `curve_fit` returns.
fn fit_result(
    obj: &Objective<'_>,
    p: &Vector,
    r: &Vector,
    (rows, cols): (usize, usize),
    chi2: f64,
    report: Report,
) -> Value {
    report.record(vec![
        ("params", obj.to_value(p)),
        ("residuals", Value::matrix(Matrix::from_column_slice(rows, cols, r.as_slice()))),
        ("chi2", Value::Num(chi2)),
    ])
}

/// The last parameter sets of a fit and their χ².
fn fit_note(history: &[(Vector, f64)]) -> String {
    let start = history.len().saturating_sub(5);
    let rows: Vec<String> =
        history[start..].iter().map(|(p, c)| format!("p = {}, χ² = {}", show_short(p), short(*c, 6))).collect();
    format!("the last steps: {}", rows.join("; "))
}

/// e^v element-wise, with its derivative rule (itself).
fn exp_of(v: &Value) -> Result<Value, BuiltinError> {
    ad::map(v, 0, f64::exp, &exp_of)
}

builtin! {
    /// The normal (Gaussian) probability density with mean `mu` and standard deviation `sigma`.
    /// It is exp(−(x − μ)²/(2σ²)) / (σ√(2π)), element-wise. Differentiable in `x`, `mu` and
    /// `sigma` (for fitting with `curve_fit` or `grad`); `sigma` must be positive.
    /// ```mml
    /// round(normal_pdf(0), 12)              # => 0.398942280401
    /// round(normal_pdf(170, 170, 10), 12)   # => 0.03989422804
    /// normal_pdf([-1, 1]) == normal_pdf([1, -1])   # => true
    /// ```
    pub static NORMAL_PDF: Math = "normal_pdf"(x, mu = 0, sigma = 1), |ctx, args| {
        let (x, mu, sigma) = (args.get(0), args.get(1), args.get(2));
        for i in 0..3 {
            if ad::strip(args.get(i)).to_matrix().is_none() {
                return Err(BuiltinError::type_error(i, "a number or matrix", args.get(i)));
            }
        }
        if let Some(s) = ad::strip(sigma).to_matrix() {
            if let Some(bad) = s.iter().find(|s| s.is_nan() || **s <= 0.0) {
                return Err(domain_error(2, format!("the standard deviation must be positive, found {}", format_number(*bad))));
            }
        }
        let plain = |v: &Value| matches!(v, Value::Num(_));
        if plain(mu) && plain(sigma) && !matches!(x, Value::Dual(_)) {
            let (m, s) = (mu.as_scalar().unwrap_or(0.0), sigma.as_scalar().unwrap_or(1.0));
            let c = 1.0 / (s * (2.0 * std::f64::consts::PI).sqrt());
            let f = |t: f64| c * (-0.5 * ((t - m) / s).powi(2)).exp();
            return Ok(match Numeric::from_value(ctx, x, 0)? {
                Numeric::Scalar(t) => Value::Num(f(t)),
                Numeric::Matrix(m) => Value::matrix(m.map(f)),
            });
        }
        let z = ad::arith(BinOp::ElemDiv, &ad::arith(BinOp::Sub, x, mu)?, sigma)?;
        let e = exp_of(&ad::arith(BinOp::ElemMul, &Value::Num(-0.5), &ad::arith(BinOp::ElemMul, &z, &z)?)?)?;
        let norm = ad::arith(BinOp::ElemMul, sigma, &Value::Num((2.0 * std::f64::consts::PI).sqrt()))?;
        ad::arith(BinOp::ElemDiv, &e, &norm)
    }
}

#[cfg(test)]
mod tests;
