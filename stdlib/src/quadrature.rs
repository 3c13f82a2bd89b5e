//! Definite integrals: `integrate(f, a, b)` by adaptive Gauss–Kronrod quadrature (the 7-point
//! Gauss rule inside the 15-point Kronrod rule, as QUADPACK's QAG), for the course's inner
//! products of functions ⟨f, g⟩ = ∫ f g and areas under curves.
//!
//! Policy: the interval whose error estimate is largest is halved until the total estimate
//! meets the tolerance; if it does not within [`MAX_INTERVALS`] intervals, or the integrand is
//! not finite somewhere, that is an error saying so (with the estimate), never a quiet guess.
//! Infinite limits are mapped onto finite ones (x = a + t/(1 − t), x = t/(1 − t²)).

use mml_runtime::display::format_number;
use mml_runtime::{BuiltinError, CallCtx, Value};

use crate::macros::builtin;

/// Kronrod nodes on [0, 1] (symmetric about 0); the odd ones are the Gauss nodes.
const XK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
/// Kronrod weights for the nodes of [`XK`].
const WK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
/// Gauss weights for the nodes `XK[1], XK[3], XK[5], XK[7]`.
const WG: [f64; 4] =
    [0.129_484_966_168_869_7, 0.279_705_391_489_276_7, 0.381_830_050_505_118_9, 0.417_959_183_673_469_4];

/// The most intervals the interval is cut into before giving up.
const MAX_INTERVALS: usize = 2000;

/// One piece of the integral: its limits (in the mapped variable), value and error estimate.
struct Piece {
    lo: f64,
    hi: f64,
    value: f64,
    error: f64,
}

/// The integrand in the mapped variable `t`: f(x(t)) · x′(t).
struct Integrand<'a> {
    f: &'a Value,
    map: Map,
}

/// How `t` maps to `x`.
#[derive(Clone, Copy)]
enum Map {
    /// x = t on [a, b].
    Finite,
    /// x = a + t/(1 − t), t in [0, 1): [a, ∞).
    Above(f64),
    /// x = b − t/(1 − t), t in [0, 1): (−∞, b] (integrated with the sign flipped).
    Below(f64),
    /// x = t/(1 − t²), t in (−1, 1): the whole line.
    Line,
}

impl Integrand<'_> {
    fn at(&self, ctx: &mut dyn CallCtx, t: f64) -> Result<f64, BuiltinError> {
        let (x, dx) = match self.map {
            Map::Finite => (t, 1.0),
            Map::Above(a) => (a + t / (1.0 - t), 1.0 / ((1.0 - t) * (1.0 - t))),
            Map::Below(b) => (b - t / (1.0 - t), 1.0 / ((1.0 - t) * (1.0 - t))),
            Map::Line => (t / (1.0 - t * t), (1.0 + t * t) / ((1.0 - t * t) * (1.0 - t * t))),
        };
        let y = ctx.call(self.f, &[Value::Num(x)])?;
        let Some(v) = y.as_scalar().filter(|_| !matches!(y, Value::Str(_) | Value::Bool(_))) else {
            return Err(BuiltinError::arg(
                0,
                format!(
                    "`integrate` needs a function returning a number, this one returns {}",
                    mml_runtime::display::describe(&y)
                ),
            )
            .code("type-mismatch"));
        };
        if !v.is_finite() {
            return Err(BuiltinError::arg(
                0,
                format!("the integrand is {} at x = {}", format_number(v), format_number(x)),
            )
            .code("not-finite")
            .with_help("at a singularity, split the integral there or remove it by a change of variable"));
        }
        Ok(v * dx)
    }

    /// The 15-point Kronrod estimate on [lo, hi] and its difference from the 7-point Gauss one.
    fn piece(&self, ctx: &mut dyn CallCtx, lo: f64, hi: f64) -> Result<Piece, BuiltinError> {
        let centre = 0.5 * (lo + hi);
        let half = 0.5 * (hi - lo);
        let mid = self.at(ctx, centre)?;
        let mut kronrod = WK[7] * mid;
        let mut gauss = WG[3] * mid;
        for k in 0..7 {
            let dx = half * XK[k];
            let pair = self.at(ctx, centre - dx)? + self.at(ctx, centre + dx)?;
            kronrod += WK[k] * pair;
            if k % 2 == 1 {
                gauss += WG[k / 2] * pair;
            }
        }
        let value = kronrod * half;
        let error = ((kronrod - gauss) * half).abs();
        Ok(Piece { lo, hi, value, error })
    }
}

builtin! {
    /// The definite integral ∫ f(x) dx from `a` to `b`, by adaptive Gauss–Kronrod quadrature.
    /// Accurate to about `tol` relative to the integral (or absolutely, for integrals near 0);
    /// `a` and `b` may be `-inf` or `inf`, and `b < a` gives the negative. Inner products of
    /// functions are integrals of products: ⟨f, g⟩ = `integrate(x -> f(x) * g(x), a, b)`. A
    /// result that cannot reach `tol` (a non-integrable singularity, a wildly oscillating
    /// integrand) is a `no-convergence` error with the best estimate.
    /// ```mml
    /// round(integrate(x -> x^2, 0, 3), 12)   # => 9
    /// round(integrate(sin, 0, pi), 12)       # => 2
    /// integrate(x -> exp(-x), 0, inf)        # => 1
    /// round(integrate(x -> exp(-x^2), -inf, inf)^2, 10) == round(pi, 10)   # => true
    /// round(integrate(x -> sin(x) * cos(x), -pi, pi), 12)   # => 0
    /// ```
    pub static INTEGRATE: Calculus = "integrate"(f, a, b; tol = 1e-10), |ctx, args| {
        let f = args.func(0)?;
        let (a, b) = (args.num(1)?, args.num(2)?);
        let tol = args.num(3)?;
        if tol.is_nan() || tol <= 0.0 {
            return Err(BuiltinError::arg(3, "the tolerance must be a positive number"));
        }
        for (i, v) in [(1, a), (2, b)] {
            if v.is_nan() {
                return Err(BuiltinError::arg(i, "a limit of integration is nan").code("not-finite"));
            }
        }
        if a == b {
            return Ok(Value::Num(0.0));
        }
        let (lo, hi, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
        let (map, range) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) => (Map::Finite, (lo, hi)),
            (true, false) => (Map::Above(lo), (0.0, 1.0)),
            (false, true) => (Map::Below(hi), (0.0, 1.0)),
            (false, false) => (Map::Line, (-1.0, 1.0)),
        };
        let integrand = Integrand { f, map };
        let mut pieces = vec![integrand.piece(ctx, range.0, range.1)?];
        loop {
            let value: f64 = pieces.iter().map(|p| p.value).sum();
            let error: f64 = pieces.iter().map(|p| p.error).sum();
            if error <= tol * value.abs().max(1e-300) || error <= tol * 1e-3 {
                return Ok(Value::Num(sign * value));
            }
            let (worst, _) = pieces
                .iter()
                .enumerate()
                .fold((0, -1.0), |best, (k, p)| if p.error > best.1 { (k, p.error) } else { best });
            let p = pieces.swap_remove(worst);
            let mid = 0.5 * (p.lo + p.hi);
            if pieces.len() + 2 > MAX_INTERVALS || mid <= p.lo || mid >= p.hi {
                return Err(BuiltinError::new(
                    "no-convergence",
                    format!("`integrate` did not reach the tolerance {}: the estimate is {} ± {}", format_number(tol), format_number(sign * value), short_error(error)),
                )
                .with_help("a singularity or a jump inside the interval: split the integral there; or ask for a looser `tol`"));
            }
            pieces.push(integrand.piece(ctx, p.lo, mid)?);
            pieces.push(integrand.piece(ctx, mid, p.hi)?);
        }
    }
}

/// An error estimate with three significant digits.
fn short_error(e: f64) -> String {
    format!("{e:.2e}")
}
