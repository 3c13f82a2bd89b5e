//! Square systems F(z) = 0 by Powell's hybrid method and by Levenberg–Marquardt.
//!
//! `hybrid` is Powell's dogleg trust-region method in the form of MINPACK's `hybrj` (Moré,
//! Garbow and Hillstrom, "User Guide for MINPACK-1", 1980; Powell, "A hybrid method for
//! nonlinear equations", 1970), which SciPy's `optimize.root` runs by default: a QR
//! factorisation of the exact Jacobian, kept up to date between Jacobian evaluations by rank-1
//! (Broyden) updates, a dogleg step between the Gauss–Newton step and the steepest-descent
//! step inside a trust region scaled by the Jacobian's column norms, and a fresh Jacobian when
//! the updates stop paying. From the same start it follows hybrj's iterates, so it reaches the
//! roots SciPy reports.
//!
//! `levenberg_marquardt` minimises ½‖F‖² with Marquardt's damping, scaled like `curve_fit`'s.
//!
//! Both return a [`SystemOutcome`] saying why they stopped; neither treats "stopped" as
//! "found a root": the caller decides from `stop` and `residual`.

use mml_runtime::kernel;
use mml_runtime::{BuiltinError, CallCtx, Matrix};

use super::SystemFn;
use crate::objective::{show_point, Vector};

/// The result of a system solve.
pub(crate) struct SystemOutcome {
    /// The last accepted iterate.
    pub x: Vector,
    /// ‖F(x)‖₂.
    pub residual: f64,
    /// z0, then every accepted iterate.
    pub path: Vec<Vector>,
    /// Accepted steps (updates of x).
    pub iterations: usize,
    /// Evaluations of F (the start's included; a Jacobian evaluation, which also returns F, is
    /// counted in `jacobians` only, as in MINPACK's nfev and njev).
    pub evaluations: usize,
    /// Evaluations of the exact Jacobian.
    pub jacobians: usize,
    /// Why the iteration stopped.
    pub stop: SystemStop,
}

impl SystemOutcome {
    /// The outcome before any step: the start, its residual, one evaluation of F and of the
    /// Jacobian.
    fn at_start(z0: Vector, residual: f64) -> SystemOutcome {
        SystemOutcome {
            x: z0.clone(),
            residual,
            path: vec![z0],
            iterations: 0,
            evaluations: 1,
            jacobians: 1,
            stop: SystemStop::Residual,
        }
    }
}

/// Why a system solve stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SystemStop {
    /// The relative change of x is at most `tol` (MINPACK's info 1), or the step is down to
    /// rounding so that x cannot change any more (info 3, when `tol` is below what the
    /// arithmetic resolves).
    Step,
    /// F(x) = 0 exactly.
    Residual,
    /// `maxit` evaluations of F were used up (MINPACK's info 2).
    MaxIterations,
    /// Not making progress (MINPACK's info 4 and 5, SciPy's "The iteration is not making good
    /// progress"): typically a local minimum of ‖F‖ that is not a root.
    Slow,
}

/// hybrj's initial step bound: `FACTOR`·‖D z0‖ (or `FACTOR` when that is zero).
const FACTOR: f64 = 100.0;

/// ‖v‖₂ without overflow or underflow in the squares; infinite when an entry is not finite.
fn enorm(v: &[f64]) -> f64 {
    let mut big = 0.0f64;
    for &x in v {
        if !x.is_finite() {
            return f64::INFINITY;
        }
        big = big.max(x.abs());
    }
    if big == 0.0 {
        return 0.0;
    }
    if big > 1e-150 && big < 1e150 {
        return v.iter().map(|x| x * x).sum::<f64>().sqrt();
    }
    big * v.iter().map(|x| (x / big) * (x / big)).sum::<f64>().sqrt()
}

/// Entry-wise product of two vectors.
fn times(d: &[f64], x: &[f64]) -> Vec<f64> {
    d.iter().zip(x).map(|(a, b)| a * b).collect()
}

/// Householder QR of a square matrix, A = Q R, without pivoting (MINPACK's `qrfac` with
/// `pivot = false`), and the Euclidean norms of A's columns.
fn householder_qr(a: &Matrix) -> (Matrix, Matrix, Vec<f64>) {
    let n = a.ncols();
    let m = a.nrows();
    let acnorm: Vec<f64> = (0..n).map(|j| enorm(a.column(j).iter().copied().collect::<Vec<_>>().as_slice())).collect();
    let mut w = a.clone();
    let mut rdiag = vec![0.0; n];
    let mut reflected = vec![false; n];
    for j in 0..n.min(m) {
        let mut ajnorm = enorm(&(j..m).map(|i| w[(i, j)]).collect::<Vec<_>>());
        if ajnorm == 0.0 {
            continue;
        }
        if w[(j, j)] < 0.0 {
            ajnorm = -ajnorm;
        }
        for i in j..m {
            w[(i, j)] /= ajnorm;
        }
        w[(j, j)] += 1.0;
        // Apply I − v vᵀ / v_j to the remaining columns (v_j ≥ 1).
        for k in j + 1..n {
            let s: f64 = (j..m).map(|i| w[(i, j)] * w[(i, k)]).sum();
            let t = s / w[(j, j)];
            for i in j..m {
                let wij = w[(i, j)];
                w[(i, k)] -= t * wij;
            }
        }
        rdiag[j] = -ajnorm;
        reflected[j] = true;
    }
    let mut r = Matrix::zeros(n, n);
    for k in 0..n {
        for i in 0..k.min(m) {
            r[(i, k)] = w[(i, k)];
        }
        r[(k, k)] = rdiag[k];
    }
    // Q = H₀ H₁ ⋯ H₍ₙ₋₁₎ applied to the identity, last reflection first.
    let mut q = Matrix::identity(m, m);
    for j in (0..n.min(m)).rev() {
        if !reflected[j] {
            continue;
        }
        let vj = w[(j, j)];
        for k in 0..m {
            let s: f64 = (j..m).map(|i| w[(i, j)] * q[(i, k)]).sum();
            let t = s / vj;
            for i in j..m {
                q[(i, k)] -= t * w[(i, j)];
            }
        }
    }
    (q, r, acnorm)
}

/// Powell's dogleg step (MINPACK's `dogleg`): the point p minimising ‖R p − qtb‖ within
/// ‖D p‖ ≤ delta along the path from the Cauchy point to the Gauss–Newton point, with the
/// sign of hybrj's `x` (the step is −p).
fn dogleg(r: &Matrix, diag: &[f64], qtb: &[f64], delta: f64) -> Vec<f64> {
    let n = qtb.len();
    // The Gauss–Newton direction: R x = qtb by back substitution, a zero diagonal entry being
    // replaced by a small multiple of its column's size.
    let mut x = vec![0.0; n];
    for j in (0..n).rev() {
        let sum: f64 = (j + 1..n).map(|i| r[(j, i)] * x[i]).sum();
        let mut temp = r[(j, j)];
        if temp == 0.0 {
            let colmax = (0..=j).fold(0.0f64, |m, i| m.max(r[(i, j)].abs()));
            temp = f64::EPSILON * colmax;
            if temp == 0.0 {
                temp = f64::EPSILON;
            }
        }
        x[j] = (qtb[j] - sum) / temp;
    }
    let qnorm = enorm(&times(diag, &x));
    if qnorm <= delta {
        return x;
    }
    // The scaled gradient D⁻¹ Rᵀ qtb.
    let mut g: Vec<f64> = (0..n).map(|j| (0..=j).map(|i| r[(i, j)] * qtb[i]).sum::<f64>() / diag[j]).collect();
    let gnorm = enorm(&g);
    let mut sgnorm = 0.0;
    let mut alpha = delta / qnorm;
    if gnorm != 0.0 && gnorm.is_finite() {
        for (gj, dj) in g.iter_mut().zip(diag) {
            *gj = (*gj / gnorm) / dj;
        }
        // The minimiser of the model along the scaled gradient.
        let rg: Vec<f64> = (0..n).map(|j| (j..n).map(|i| r[(j, i)] * g[i]).sum()).collect();
        let temp = enorm(&rg);
        sgnorm = (gnorm / temp) / temp;
        alpha = 0.0;
        if sgnorm < delta {
            // The point on the dogleg's second leg where it leaves the trust region.
            let bnorm = enorm(qtb);
            let dq = delta / qnorm;
            let sd = sgnorm / delta;
            let mut t = (bnorm / gnorm) * (bnorm / qnorm) * sd;
            t = t - dq * sd * sd + ((t - dq) * (t - dq) + (1.0 - dq * dq) * (1.0 - sd * sd)).sqrt();
            alpha = (dq * (1.0 - sd * sd)) / t;
        }
    } else {
        g = vec![0.0; n];
    }
    let t = (1.0 - alpha) * sgnorm.min(delta);
    if alpha == 0.0 || !qnorm.is_finite() {
        return g.iter().map(|gj| t * gj).collect();
    }
    g.iter().zip(&x).map(|(gj, xj)| t * gj + alpha * xj).collect()
}

/// A plane rotation (c, s) taking (a, b) to (hypot(a, b), 0).
fn givens(a: f64, b: f64) -> (f64, f64) {
    if b == 0.0 {
        return (1.0, 0.0);
    }
    let h = a.hypot(b);
    (a / h, b / h)
}

/// Rotates rows `i` and `k` of `r`, entries `i` and `k` of `qtf`, and columns `i` and `k` of `q`
/// by (c, s), so that Q R and Qᵀ f stay consistent.
fn rotate(r: &mut Matrix, q: &mut Matrix, qtf: &mut [f64], i: usize, k: usize, (c, s): (f64, f64)) {
    for col in 0..r.ncols() {
        let (a, b) = (r[(i, col)], r[(k, col)]);
        r[(i, col)] = c * a + s * b;
        r[(k, col)] = -s * a + c * b;
    }
    let (a, b) = (qtf[i], qtf[k]);
    qtf[i] = c * a + s * b;
    qtf[k] = -s * a + c * b;
    for row in 0..q.nrows() {
        let (a, b) = (q[(row, i)], q[(row, k)]);
        q[(row, i)] = c * a + s * b;
        q[(row, k)] = -s * a + c * b;
    }
}

/// The rank-1 update of a factorisation B = Q R to B + Q v uᵀ (MINPACK's `r1updt` and
/// `r1mpyq`): rotations turn R + v uᵀ upper triangular again, and the same rotations are
/// applied to Q's columns and to qtf = Qᵀ f.
fn rank1_update(r: &mut Matrix, q: &mut Matrix, qtf: &mut [f64], u: &[f64], v: &mut [f64]) {
    let n = v.len();
    if n == 0 {
        return;
    }
    // Rotate v into a multiple of e₁, from the bottom up: R becomes upper Hessenberg.
    for i in (1..n).rev() {
        let rot = givens(v[i - 1], v[i]);
        v[i - 1] = rot.0 * v[i - 1] + rot.1 * v[i];
        v[i] = 0.0;
        rotate(r, q, qtf, i - 1, i, rot);
    }
    for (col, uc) in u.iter().enumerate() {
        r[(0, col)] += v[0] * uc;
    }
    // Back to upper triangular.
    for i in 0..n - 1 {
        let rot = givens(r[(i, i)], r[(i + 1, i)]);
        rotate(r, q, qtf, i, i + 1, rot);
        r[(i + 1, i)] = 0.0;
    }
}

/// Evaluates F (and the Jacobian when asked) and checks the sizes.
fn evaluate(
    ctx: &mut dyn CallCtx,
    eval: &mut SystemFn<'_>,
    z: &Vector,
    jacobian: bool,
) -> Result<(Vector, Option<Matrix>), BuiltinError> {
    let n = z.len();
    let (f, j) = eval(ctx, z, jacobian)?;
    if f.len() != n {
        return Err(BuiltinError::new(
            "shape-mismatch",
            format!("the system needs as many equations as unknowns: F returns {} values for {n} unknowns", f.len()),
        ));
    }
    if jacobian {
        match &j {
            Some(m) if m.shape() == (n, n) => {}
            Some(m) => {
                return Err(BuiltinError::new(
                    "shape-mismatch",
                    format!("the Jacobian is {}×{}, not {n}×{n}", m.nrows(), m.ncols()),
                ))
            }
            None => return Err(BuiltinError::new("internal", "the Jacobian was not computed")),
        }
    }
    Ok((f, j))
}

/// The start's F and Jacobian, which must be finite.
fn start(
    ctx: &mut dyn CallCtx,
    eval: &mut SystemFn<'_>,
    z0: &Vector,
    method: &str,
) -> Result<(Vector, Matrix), BuiltinError> {
    if z0.is_empty() {
        return Err(BuiltinError::new("invalid-argument", "the system has no unknowns"));
    }
    let (f, j) = evaluate(ctx, eval, z0, true)?;
    let Some(j) = j else {
        return Err(BuiltinError::new("internal", "the Jacobian was not computed"));
    };
    if f.iter().any(|v| !v.is_finite()) {
        return Err(BuiltinError::new(
            "no-convergence",
            format!("{method} cannot start: F is not finite at the start x = {}", show_point(z0)),
        )
        .with_help("start from a point where every equation has a finite value"));
    }
    if j.iter().any(|v| !v.is_finite()) {
        return Err(BuiltinError::new(
            "no-convergence",
            format!("{method} cannot start: the Jacobian is not finite at the start x = {}", show_point(z0)),
        )
        .with_help("start from a point where the equations are differentiable"));
    }
    Ok((f, j))
}

/// A non-finite Jacobian at an accepted iterate.
fn jacobian_not_finite(method: &str, x: &Vector) -> BuiltinError {
    BuiltinError::new(
        "no-convergence",
        format!("{method} ran off: the Jacobian is not finite at x = {}", show_point(x)),
    )
    .with_help("start from another point, away from where the equations are not differentiable")
}

/// The floating-point work of one factorisation and dogleg step, for `check_work`.
fn work(n: usize) -> f64 {
    let n = n as f64;
    4.0 * n * n * n + 10.0 * n * n
}

/// Powell's hybrid method for the square system F(z) = 0 from `z0`, as MINPACK's `hybrj`
/// with `mode = 1` (scaling by the Jacobian's column norms), `factor = 100` and `xtol = tol`:
/// it stops when the trust radius is at most `tol`·‖D x‖ (or F(x) = 0). `maxit` bounds the
/// number of evaluations of F, the start's included, as hybrj's `maxfev` does (SciPy's default
/// is 100·(n + 1)); evaluations of the Jacobian are counted apart.
///
/// Non-finite F or Jacobian at `z0` is a `no-convergence` error; later, a trial point where F
/// is not finite is a failed step (the radius shrinks and the step is not used to update the
/// factorisation), and a non-finite Jacobian at an accepted point is a `no-convergence` error.
pub(crate) fn hybrid(
    ctx: &mut dyn CallCtx,
    eval: &mut SystemFn<'_>,
    z0: Vector,
    tol: f64,
    maxit: usize,
) -> Result<SystemOutcome, BuiltinError> {
    const METHOD: &str = "Powell's hybrid method";
    let n = z0.len();
    let (f0, j0) = start(ctx, eval, &z0, METHOD)?;
    let mut fnorm = enorm(f0.as_slice());
    let mut out = SystemOutcome::at_start(z0, fnorm);
    if fnorm == 0.0 {
        return Ok(out);
    }
    if maxit <= 1 {
        out.stop = SystemStop::MaxIterations;
        return Ok(out);
    }
    let mut x = out.x.clone();
    let mut fvec = f0;
    let mut next_jacobian = Some(j0);
    let mut diag = vec![1.0; n];
    let mut delta = 0.0;
    let mut xnorm = 0.0;
    // hybrj's `iter == 1`: no step has been accepted yet.
    let mut first = true;
    let (mut ncsuc, mut ncfail, mut nslow1, mut nslow2) = (0usize, 0usize, 0usize, 0usize);
    let stop = 'outer: loop {
        let jac = match next_jacobian.take() {
            Some(j) => j,
            None => {
                let (_, j) = evaluate(ctx, eval, &x, true)?;
                out.jacobians += 1;
                match j {
                    Some(j) if j.iter().all(|v| v.is_finite()) => j,
                    _ => return Err(jacobian_not_finite(METHOD, &x)),
                }
            }
        };
        ctx.check_work(work(n))?;
        let (mut q, mut r, acnorm) = householder_qr(&jac);
        if first {
            // Scale by the initial Jacobian's column norms (1 for a zero column).
            diag = acnorm.iter().map(|&c| if c == 0.0 { 1.0 } else { c }).collect();
            xnorm = enorm(&times(&diag, x.as_slice()));
            delta = FACTOR * xnorm;
            if delta == 0.0 {
                delta = FACTOR;
            }
        }
        let mut qtf: Vec<f64> = (q.transpose() * &fvec).iter().copied().collect();
        for (d, c) in diag.iter_mut().zip(&acnorm) {
            *d = d.max(*c);
        }
        let mut jeval = true;
        loop {
            ctx.check_work(work(n))?;
            let p: Vec<f64> = dogleg(&r, &diag, &qtf, delta).iter().map(|v| -v).collect();
            let pnorm = enorm(&times(&diag, &p));
            if first {
                delta = delta.min(pnorm);
            }
            if pnorm == 0.0 || !pnorm.is_finite() {
                // No usable step from this model (underflow or overflow in the dogleg): try a
                // fresh Jacobian, or give up when the model is already fresh.
                if jeval {
                    break 'outer SystemStop::Slow;
                }
                continue 'outer;
            }
            let trial = &x + Vector::from_column_slice(&p);
            let (ft, _) = evaluate(ctx, eval, &trial, false)?;
            out.evaluations += 1;
            let finite = ft.iter().all(|v| v.is_finite());
            let fnorm1 = enorm(ft.as_slice());
            let actred = if finite && fnorm1 < fnorm { 1.0 - (fnorm1 / fnorm) * (fnorm1 / fnorm) } else { -1.0 };
            // The predicted reduction, from the linear model ‖qtf + R p‖.
            let model: Vec<f64> = (0..n).map(|i| qtf[i] + (i..n).map(|j| r[(i, j)] * p[j]).sum::<f64>()).collect();
            let mnorm = enorm(&model);
            let prered = if mnorm < fnorm { 1.0 - (mnorm / fnorm) * (mnorm / fnorm) } else { 0.0 };
            let ratio = if prered > 0.0 { actred / prered } else { 0.0 };
            // The trust radius.
            if ratio < 0.1 {
                ncsuc = 0;
                ncfail += 1;
                delta *= 0.5;
            } else {
                ncfail = 0;
                ncsuc += 1;
                if ratio >= 0.5 || ncsuc > 1 {
                    delta = delta.max(pnorm / 0.5);
                }
                if (ratio - 1.0).abs() <= 0.1 {
                    delta = pnorm / 0.5;
                }
            }
            let accepted = finite && ratio >= 1e-4;
            if accepted {
                x = trial;
                fvec = ft.clone();
                xnorm = enorm(&times(&diag, x.as_slice()));
                fnorm = fnorm1;
                first = false;
                out.iterations += 1;
                ctx.check_alloc(n, out.path.len() + 1)?;
                out.path.push(x.clone());
            }
            // Progress counters.
            nslow1 += 1;
            if actred >= 0.001 {
                nslow1 = 0;
            }
            if jeval {
                nslow2 += 1;
            }
            if actred >= 0.1 {
                nslow2 = 0;
            }
            if fnorm == 0.0 {
                break 'outer SystemStop::Residual;
            }
            if delta <= tol * xnorm {
                break 'outer SystemStop::Step;
            }
            if out.evaluations >= maxit {
                break 'outer SystemStop::MaxIterations;
            }
            if 0.1 * (0.1 * delta).max(pnorm) <= f64::EPSILON * xnorm {
                break 'outer SystemStop::Step;
            }
            if nslow2 == 5 || nslow1 == 10 {
                break 'outer SystemStop::Slow;
            }
            if ncfail == 2 {
                continue 'outer;
            }
            jeval = false;
            if !finite {
                continue;
            }
            // Broyden's update of B = Q R with the secant F(x + p) − F(x) ≈ B p, in the scaled norm.
            let qtft: Vec<f64> = (q.transpose() * &ft).iter().copied().collect();
            let mut v: Vec<f64> = qtft.iter().zip(&model).map(|(a, b)| (a - b) / pnorm).collect();
            let u: Vec<f64> = diag.iter().zip(&p).map(|(d, pj)| d * ((d * pj) / pnorm)).collect();
            if accepted {
                qtf = qtft;
            }
            rank1_update(&mut r, &mut q, &mut qtf, &u, &mut v);
        }
    };
    out.residual = fnorm;
    out.x = x;
    out.stop = stop;
    Ok(out)
}

/// Levenberg–Marquardt for the square system F(z) = 0 from `z0`: minimises ½‖F‖² with the
/// exact Jacobian, solving [J; √λ D] δ = [−F; 0] with Marquardt's damping scaled by the
/// squared column norms of J (as `curve_fit` does), λ divided by 10 after a step that reduces
/// ‖F‖ and multiplied by 10 after one that does not. It stops with `Residual` when F = 0, with
/// `Step` when an accepted step is at most `tol`·(1 + |z|) (largest entries) at a point where the
/// linear model still accounts for F (so a root to working precision), with `Slow` when the
/// damping runs away (λ > 10²⁰: no step reduces ‖F‖) or the steps die out at a minimum of ‖F‖
/// that the Jacobian cannot reduce further (not a root), and with `MaxIterations` after `maxit`
/// evaluations of F (the start's included).
pub(crate) fn levenberg_marquardt(
    ctx: &mut dyn CallCtx,
    eval: &mut SystemFn<'_>,
    z0: Vector,
    tol: f64,
    maxit: usize,
) -> Result<SystemOutcome, BuiltinError> {
    const METHOD: &str = "Levenberg–Marquardt";
    let n = z0.len();
    let (mut f, mut jac) = start(ctx, eval, &z0, METHOD)?;
    let mut fnorm = enorm(f.as_slice());
    let mut out = SystemOutcome::at_start(z0, fnorm);
    let mut z = out.x.clone();
    let mut lambda = 1e-3;
    let stop = 'outer: loop {
        if fnorm == 0.0 {
            break SystemStop::Residual;
        }
        let d: Vec<f64> = (0..n).map(|j| jac.column(j).norm_squared()).collect();
        let dmax = d.iter().copied().fold(0.0, f64::max);
        let scale: Vec<f64> = d.iter().map(|&dj| if dmax > 0.0 { dj.max(1e-12 * dmax) } else { 1.0 }).collect();
        loop {
            if out.evaluations >= maxit {
                break 'outer SystemStop::MaxIterations;
            }
            ctx.check_work(work(2 * n))?;
            let Some(step) = damped_step(&jac, &f, &scale, lambda) else {
                lambda *= 10.0;
                if lambda > 1e20 {
                    break 'outer SystemStop::Slow;
                }
                continue;
            };
            let small = step.amax() <= tol * (1.0 + z.amax());
            let trial = &z + &step;
            let (ft, _) = evaluate(ctx, eval, &trial, false)?;
            out.evaluations += 1;
            let fnorm1 = enorm(ft.as_slice());
            if fnorm1.is_finite() && fnorm1 <= fnorm {
                lambda = (lambda / 10.0).max(1e-15);
                let near_root = model_reaches_zero(&jac, &f, &scale);
                z = trial;
                f = ft;
                fnorm = fnorm1;
                out.iterations += 1;
                ctx.check_alloc(n, out.path.len() + 1)?;
                out.path.push(z.clone());
                if fnorm == 0.0 {
                    break 'outer SystemStop::Residual;
                }
                if small {
                    break 'outer if near_root { SystemStop::Step } else { SystemStop::Slow };
                }
                let (_, j) = evaluate(ctx, eval, &z, true)?;
                out.jacobians += 1;
                match j {
                    Some(j) if j.iter().all(|v| v.is_finite()) => jac = j,
                    _ => return Err(jacobian_not_finite(METHOD, &z)),
                }
                break;
            }
            if small {
                // Even a tiny step does not reduce ‖F‖: a root to working precision, or a
                // minimum of ‖F‖ that is not one.
                break 'outer if model_reaches_zero(&jac, &f, &scale) { SystemStop::Step } else { SystemStop::Slow };
            }
            lambda *= 10.0;
            if lambda > 1e20 {
                break 'outer SystemStop::Slow;
            }
        }
    };
    out.residual = fnorm;
    out.x = z;
    out.stop = stop;
    Ok(out)
}

/// The damped step: [J; √(λ s)] δ = [−F; 0] in the least-squares sense; `None` if it is not
/// finite.
fn damped_step(jac: &Matrix, f: &Vector, scale: &[f64], lambda: f64) -> Option<Vector> {
    let n = f.len();
    let mut aug = Matrix::zeros(2 * n, n);
    aug.view_mut((0, 0), (n, n)).copy_from(jac);
    for (j, s) in scale.iter().enumerate() {
        aug[(n + j, j)] = (lambda * s).sqrt();
    }
    let mut rhs = Matrix::zeros(2 * n, 1);
    for (i, fi) in f.iter().enumerate() {
        rhs[(i, 0)] = -fi;
    }
    let step = kernel::solve(&aug, &rhs).ok()?;
    step.iter().all(|v| v.is_finite()).then(|| Vector::from_column_slice(step.as_slice()))
}

/// Whether the linear model F + J δ can be brought to at most half of ‖F‖ (almost undamped):
/// true near a root, false at a minimum of ‖F‖ where F is orthogonal to J's columns.
fn model_reaches_zero(jac: &Matrix, f: &Vector, scale: &[f64]) -> bool {
    let Some(step) = damped_step(jac, f, scale, 1e-12) else {
        return false;
    };
    let model = f + jac * step;
    enorm(model.as_slice()) <= 0.5 * enorm(f.as_slice())
}

#[cfg(test)]
#[path = "hybrid_tests.rs"]
mod tests;
