//! Elementary functions (element-wise on matrices and ranges) and the constants `pi`, `e`,
//! `inf`, `nan`.
//!
//! Domain rule: MML's numbers are real, so a function whose real result does not exist
//! (`sqrt(-1)`, `log(-1)`, `asin(2)`, `mod(1, 0)`) is a `domain-error` pointing at the
//! argument, never a silent `nan`. Limits that exist are returned: `log(0)` is `-inf`.
//! NaN inputs propagate (`sqrt(nan)` is `nan`).

use mml_lang::ast::BinOp;
use mml_runtime::ad::jet::Rule;
use mml_runtime::{ad, BuiltinError, Constant, Value};

use crate::elementwise::{check_domain, domain_error, map_elementwise, position, zip_elementwise, Numeric};
use crate::macros::builtin;

/// Declares a one-argument element-wise builtin from a Rust `f64 -> f64` function, with an
/// optional domain (`domain: ok => "what is outside it"`).
macro_rules! unary {
    (
        $(#[doc = $doc:literal])*
        $stat:ident = $name:literal, $f:expr, deriv: $df:expr $(, domain: $ok:expr => $what:literal)?
    ) => {
        builtin! {
            $(#[doc = $doc])*
            pub static $stat: Math = $name(x), |ctx, args| {
                let x = args.get(0);
                $( check_domain(&*ctx, &ad::strip(x), 0, $name, $ok, $what)?; )?
                if let Value::Dual(_) | Value::Jet(_) = x {
                    ctx.check_work(ad::jet::map_work(x))?;
                    return differentiate($name, x, $f, $df);
                }
                map_elementwise(&*ctx, x, 0, $f)
            }
        }
    };
}

/// Applies `f` to a value being differentiated, with its derivative rule `df`; functions
/// without a derivative (`floor`, `round`, …) are a `not-differentiable` error.
fn differentiate(name: &str, x: &Value, f: fn(f64) -> f64, df: Option<DerivRule>) -> D {
    match df {
        Some(df) => ad::map_rule(x, 0, f, &df, jet_rule(name)),
        None => Err(BuiltinError::arg(0, format!("`{name}` has no derivative")).code("not-differentiable").with_help(
            format!("`{name}` is piecewise constant: its derivative is 0 where it exists and undefined at its jumps"),
        )),
    }
}

/// The recurrence of an elementary function on jets (high-order derivatives), where it has
/// one of its own; the others derive theirs from their derivative rule.
fn jet_rule(name: &str) -> Option<Rule> {
    Some(match name {
        "exp" => Rule::Exp,
        "log" => Rule::Log(1.0),
        "log2" => Rule::Log(std::f64::consts::LN_2),
        "log10" => Rule::Log(std::f64::consts::LN_10),
        "sqrt" => Rule::Sqrt,
        "sin" => Rule::Sin,
        "cos" => Rule::Cos,
        "sinh" => Rule::Sinh,
        "cosh" => Rule::Cosh,
        "tan" => Rule::Tan,
        "tanh" => Rule::Tanh,
        "sigmoid" => Rule::Sigmoid,
        "atan" => Rule::Atan,
        "asin" | "acos" => Rule::Asin,
        _ => return None,
    })
}

/// A derivative rule: given the argument (possibly itself being differentiated, for
/// higher derivatives), the derivative of the function element-wise.
type DerivRule = fn(&Value) -> D;
type D = Result<Value, BuiltinError>;

fn neg(v: D) -> D {
    ad::arith(BinOp::Sub, &Value::Num(0.0), &v?)
}
fn recip(v: D) -> D {
    ad::arith(BinOp::ElemDiv, &Value::Num(1.0), &v?)
}
fn one_minus_sq(v: &Value) -> D {
    ad::arith(BinOp::Sub, &Value::Num(1.0), &ad::arith(BinOp::ElemMul, v, v)?)
}
fn sin_of(v: &Value) -> D {
    ad::map_rule(v, 0, f64::sin, &d_sin, Some(Rule::Sin))
}
fn cos_of(v: &Value) -> D {
    ad::map_rule(v, 0, f64::cos, &d_cos, Some(Rule::Cos))
}
pub(crate) fn sqrt_of(v: &Value) -> D {
    ad::map_rule(v, 0, f64::sqrt, &d_sqrt, Some(Rule::Sqrt))
}
fn d_sin(v: &Value) -> D {
    cos_of(v)
}
fn d_cos(v: &Value) -> D {
    neg(sin_of(v))
}
fn d_tan(v: &Value) -> D {
    // 1 / cos²(x)
    let c = cos_of(v)?;
    recip(ad::arith(BinOp::ElemMul, &c, &c))
}
fn d_asin(v: &Value) -> D {
    recip(sqrt_of(&one_minus_sq(v)?))
}
fn d_acos(v: &Value) -> D {
    neg(d_asin(v))
}
fn d_atan(v: &Value) -> D {
    recip(ad::arith(BinOp::Add, &Value::Num(1.0), &ad::arith(BinOp::ElemMul, v, v)?))
}
fn d_exp(v: &Value) -> D {
    ad::map_rule(v, 0, f64::exp, &d_exp, Some(Rule::Exp))
}
fn d_log(v: &Value) -> D {
    recip(Ok(v.clone()))
}
fn d_log2(v: &Value) -> D {
    recip(ad::arith(BinOp::ElemMul, v, &Value::Num(std::f64::consts::LN_2)))
}
fn d_log10(v: &Value) -> D {
    recip(ad::arith(BinOp::ElemMul, v, &Value::Num(std::f64::consts::LN_10)))
}
fn d_sqrt(v: &Value) -> D {
    // 1 / (2 sqrt(x))
    recip(ad::arith(BinOp::ElemMul, &Value::Num(2.0), &sqrt_of(v)?))
}

unary! {
    /// The hyperbolic sine (eˣ − e⁻ˣ)/2, element-wise.
    /// ```mml
    /// sinh(0)             # => 0
    /// round(sinh(1), 6)   # => 1.175201
    /// ```
    SINH = "sinh", f64::sinh, deriv: Some(d_sinh)
}

unary! {
    /// The hyperbolic cosine (eˣ + e⁻ˣ)/2, element-wise.
    /// ```mml
    /// cosh(0)             # => 1
    /// round(cosh(1), 6)   # => 1.543081
    /// ```
    COSH = "cosh", f64::cosh, deriv: Some(d_cosh)
}

fn d_sinh(v: &Value) -> D {
    ad::map_rule(v, 0, f64::cosh, &d_cosh, Some(Rule::Cosh))
}
fn d_cosh(v: &Value) -> D {
    ad::map_rule(v, 0, f64::sinh, &d_sinh, Some(Rule::Sinh))
}

unary! {
    /// The hyperbolic tangent, element-wise: an activation function of neural networks.
    /// ```mml
    /// tanh(0)             # => 0
    /// round(tanh(1), 6)   # => 0.761594
    /// ```
    TANH = "tanh", f64::tanh, deriv: Some(d_tanh)
}

unary! {
    /// The logistic sigmoid 1 / (1 + e^(−x)), element-wise: squashes any number into (0, 1).
    /// ```mml
    /// sigmoid(0)   # => 0.5
    /// sigmoid([-1000, 1000])   # => 2×1 matrix
    ///                          # =>   0
    ///                          # =>   1
    /// ```
    SIGMOID = "sigmoid", sigmoid, deriv: Some(d_sigmoid)
}

unary! {
    /// The rectified linear unit max(0, x), element-wise; its derivative at 0 is taken as 0.
    /// ```mml
    /// relu(-2)   # => 0
    /// relu(3)    # => 3
    /// ```
    RELU = "relu", |x: f64| if x > 0.0 || x.is_nan() { x } else { 0.0 }, deriv: Some(d_relu)
}

builtin! {
    /// The normalised sinc function sin(πx) / (πx), element-wise, with sinc(0) = 1.
    /// It is 1 at 0 and 0 at every other whole number (NumPy's `np.sinc`); its bumps make
    /// landscapes with many minima. Differentiable any number of times, also at 0.
    /// ```mml
    /// sinc(0)            # => 1
    /// sinc([1, 2.5])     # => 2×1 matrix
    ///                    # =>   3.9e-17
    ///                    # =>   0.127324
    /// derivative(sinc)(0)   # => 0
    /// ```
    pub static SINC: Math = "sinc"(x), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return sinc_of(args.get(0));
        }
        map_elementwise(&*ctx, args.get(0), 0, sinc)
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let p = std::f64::consts::PI * x;
        p.sin() / p
    }
}

/// `sinc` of a value carrying derivatives, composed so that derivatives of every order exist:
/// sin(πx)/(πx) away from 0, and near 0 (|x| < 1e-3, where that quotient's derivatives lose
/// digits) its Taylor polynomial 1 − (πx)²/3! + (πx)⁴/5! − (πx)⁶/7! + (πx)⁸/9!, exact there
/// to rounding.
fn sinc_of(x: &Value) -> D {
    use BinOp::{Add, ElemDiv, ElemMul, Sub};
    let near = ad::map(&ad::strip(x), 0, |v| f64::from(u8::from(v.abs() < 1e-3)), &|_| Ok(Value::Num(0.0)))?;
    let far = ad::arith(Sub, &Value::Num(1.0), &near)?;
    let p = ad::arith(ElemMul, x, &Value::Num(std::f64::consts::PI))?;
    let p2 = ad::arith(ElemMul, &p, &p)?;
    let mut series = Value::Num(1.0 / 362_880.0);
    for c in [-1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0, 1.0] {
        series = ad::arith(Add, &ad::arith(ElemMul, &series, &p2)?, &Value::Num(c))?;
    }
    let safe = ad::arith(Add, &p, &near)?;
    let quotient = ad::arith(ElemDiv, &sin_of(&safe)?, &safe)?;
    ad::arith(Add, &ad::arith(ElemMul, &near, &series)?, &ad::arith(ElemMul, &far, &quotient)?)
}

/// 1 / (1 + e^(−x)), without overflow for large |x|.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
fn d_tanh(v: &Value) -> D {
    // 1 − tanh²(x)
    let t = ad::map_rule(v, 0, f64::tanh, &d_tanh, Some(Rule::Tanh))?;
    ad::arith(BinOp::Sub, &Value::Num(1.0), &ad::arith(BinOp::ElemMul, &t, &t)?)
}
fn d_sigmoid(v: &Value) -> D {
    // σ(x) (1 − σ(x))
    let s = ad::map_rule(v, 0, sigmoid, &d_sigmoid, Some(Rule::Sigmoid))?;
    ad::arith(BinOp::ElemMul, &s, &ad::arith(BinOp::Sub, &Value::Num(1.0), &s)?)
}
fn d_relu(v: &Value) -> D {
    ad::map(&ad::strip(v), 0, |x| if x > 0.0 { 1.0 } else { 0.0 }, &|_| Ok(Value::Num(0.0)))
}

unary! {
    /// Sine of an angle in radians, element-wise.
    /// ```mml
    /// sin(0)        # => 0
    /// sin(pi / 2)   # => 1
    /// ```
    SIN = "sin", f64::sin, deriv: Some(d_sin)
}

unary! {
    /// Cosine of an angle in radians, element-wise.
    /// ```mml
    /// cos(0)    # => 1
    /// cos(pi)   # => -1
    /// ```
    COS = "cos", f64::cos, deriv: Some(d_cos)
}

unary! {
    /// Tangent of an angle in radians, element-wise.
    /// ```mml
    /// tan(0)   # => 0
    /// ```
    TAN = "tan", f64::tan, deriv: Some(d_tan)
}

unary! {
    /// Inverse sine, in radians (between -pi/2 and pi/2), element-wise.
    /// The argument must lie in [-1, 1]; anything else is a `domain-error`.
    /// ```mml
    /// asin(1)   # => 1.5707963267948966
    /// ```
    ASIN = "asin", f64::asin, deriv: Some(d_asin), domain: |x: f64| x.is_nan() || (-1.0..=1.0).contains(&x) => "a number outside [-1, 1]"
}

unary! {
    /// Inverse cosine, in radians (between 0 and pi), element-wise.
    /// The argument must lie in [-1, 1]; anything else is a `domain-error`.
    /// ```mml
    /// acos(1)    # => 0
    /// acos(-1)   # => 3.141592653589793
    /// ```
    ACOS = "acos", f64::acos, deriv: Some(d_acos), domain: |x: f64| x.is_nan() || (-1.0..=1.0).contains(&x) => "a number outside [-1, 1]"
}

unary! {
    /// Inverse tangent, in radians (between -pi/2 and pi/2), element-wise.
    /// For the angle of a point `(x, y)` in all four quadrants use `atan2(y, x)`.
    /// ```mml
    /// atan(1)   # => 0.7853981633974483
    /// ```
    ATAN = "atan", f64::atan, deriv: Some(d_atan)
}

unary! {
    /// The exponential function `e^x`, element-wise.
    /// ```mml
    /// exp(0)   # => 1
    /// exp(1)   # => 2.718281828459045
    /// ```
    EXP = "exp", f64::exp, deriv: Some(d_exp)
}

unary! {
    /// Natural logarithm, element-wise.
    /// Negative arguments are a `domain-error`; `log(0)` is `-inf`.
    /// ```mml
    /// log(1)   # => 0
    /// log(e)   # => 1
    /// log(0)   # => -inf
    /// ```
    LOG = "log", f64::ln, deriv: Some(d_log), domain: |x: f64| x.is_nan() || x >= 0.0 => "a negative number"
}

unary! {
    /// Base-2 logarithm, element-wise.
    /// Negative arguments are a `domain-error`; `log2(0)` is `-inf`.
    /// ```mml
    /// log2(8)   # => 3
    /// ```
    LOG2 = "log2", f64::log2, deriv: Some(d_log2), domain: |x: f64| x.is_nan() || x >= 0.0 => "a negative number"
}

unary! {
    /// Base-10 logarithm, element-wise.
    /// Negative arguments are a `domain-error`; `log10(0)` is `-inf`.
    /// ```mml
    /// log10(1000)   # => 3
    /// ```
    LOG10 = "log10", f64::log10, deriv: Some(d_log10), domain: |x: f64| x.is_nan() || x >= 0.0 => "a negative number"
}

unary! {
    /// Square root, element-wise.
    /// Negative arguments are a `domain-error` (complex numbers are not supported yet).
    /// ```mml
    /// sqrt(16)       # => 4
    /// sqrt(2)        # => 1.4142135623730951
    /// sqrt([4, 9])   # => 2×1 matrix
    ///                # =>   2
    ///                # =>   3
    /// ```
    SQRT = "sqrt", f64::sqrt, deriv: Some(d_sqrt), domain: |x: f64| x.is_nan() || x >= 0.0 => "a negative number"
}

unary! {
    /// Rounds down to the nearest whole number, element-wise.
    /// ```mml
    /// floor(2.7)    # => 2
    /// floor(-2.5)   # => -3
    /// ```
    FLOOR = "floor", f64::floor, deriv: None
}

unary! {
    /// Rounds up to the nearest whole number, element-wise.
    /// ```mml
    /// ceil(2.1)    # => 3
    /// ceil(-2.5)   # => -2
    /// ```
    CEIL = "ceil", f64::ceil, deriv: None
}

unary! {
    /// The sign of a number: -1, 0 or 1, element-wise (`sign(nan)` is `nan`).
    /// ```mml
    /// sign(-2.5)   # => -1
    /// sign(0)      # => 0
    /// sign(7)      # => 1
    /// ```
    SIGN = "sign", sign, deriv: None
}

/// -1, 0 or 1 (Rust's `signum` gives 1 for 0).
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

builtin! {
    /// The angle of the point `(x, y)` from the positive x axis, in radians (between -pi and pi).
    /// Unlike `atan(y / x)` it knows the quadrant and works for `x = 0`.
    /// Element-wise; numbers broadcast against matrices.
    /// ```mml
    /// atan2(1, 1)    # => 0.7853981633974483
    /// atan2(1, -1)   # => 2.356194490192345
    /// atan2(1, 0)    # => 1.5707963267948966
    /// ```
    pub static ATAN2: Math = "atan2"(y, x), |ctx, args| {
        if crate::calculus::carries(args) {
            // d atan2(y, x) = (x dy - y dx) / (x² + y²).
            return crate::calculus::with_tangent(ctx, args, ATAN2.run, &|v, d| {
                let (y, x) = (&v[0], &v[1]);
                let num = ad::arith(BinOp::Sub, &ad::arith(BinOp::ElemMul, x, &d[0])?, &ad::arith(BinOp::ElemMul, y, &d[1])?)?;
                let den = ad::arith(BinOp::Add, &ad::arith(BinOp::ElemMul, x, x)?, &ad::arith(BinOp::ElemMul, y, y)?)?;
                ad::arith(BinOp::ElemDiv, &num, &den)
            });
        }
        zip_elementwise(&*ctx, (args.get(0), 0), (args.get(1), 1), f64::atan2)
    }
}

builtin! {
    /// Rounds to the nearest whole number, or to `digits` decimal places.
    /// Halves round away from zero.
    /// `digits` may be negative to round to tens, hundreds, ….
    /// Element-wise.
    /// ```mml
    /// round(2.5)            # => 3
    /// round(-2.5)           # => -3
    /// round(3.14159, 2)     # => 3.14
    /// round(1234.5, -2)     # => 1200
    /// ```
    pub static ROUND: Math = "round"(x, digits = 0), |ctx, args| {
        let d = args.num(1)?;
        if !d.is_finite() || d.fract() != 0.0 {
            return Err(BuiltinError::arg(1, "the number of digits must be a whole number"));
        }
        map_elementwise(&*ctx, args.get(0), 0, |x| round_to(x, d))
    }
}

/// `x` rounded to `digits` decimal places (half away from zero).
fn round_to(x: f64, digits: f64) -> f64 {
    if digits == 0.0 || !x.is_finite() {
        return x.round();
    }
    let scale = 10f64.powf(digits.abs());
    if digits > 0.0 {
        let y = x * scale;
        // Beyond 2^52 every f64 is already whole: nothing to round.
        if !y.is_finite() || y.abs() >= 4_503_599_627_370_496.0 {
            x
        } else {
            y.round() / scale
        }
    } else if scale.is_finite() {
        (x / scale).round() * scale
    } else {
        0.0
    }
}

builtin! {
    /// The remainder of `a / b` with the sign of `b` (as in Python and Octave), element-wise.
    /// `mod(a, b)` is `a - b * floor(a / b)`, so it is never negative for positive `b`.
    /// A zero `b` is a `domain-error`.
    /// ```mml
    /// mod(7, 3)     # => 1
    /// mod(-7, 3)    # => 2
    /// mod(7, -3)    # => -2
    /// mod(5.5, 2)   # => 1.5
    /// ```
    pub static MOD: Math = "mod"(a, b), |ctx, args| {
        let b = Numeric::from_value(&*ctx, args.get(1), 1)?;
        if let Some(k) = b.elements().iter().position(|x| *x == 0.0) {
            let (rows, cols) = b.shape();
            let message = match b {
                Numeric::Scalar(_) => "mod by zero".to_string(),
                Numeric::Matrix(_) => format!("mod by zero: element {} is 0", position(k, rows, cols)),
            };
            return Err(domain_error(1, message));
        }
        if crate::calculus::carries(args) {
            // mod(a, b) = a - b floor(a / b), and floor is constant between its jumps.
            return crate::calculus::with_tangent(ctx, args, MOD.run, &|v, d| {
                let ratio = ad::arith(BinOp::ElemDiv, &ad::strip(&v[0]), &ad::strip(&v[1]))?;
                let q = ad::map(&ratio, 0, f64::floor, &|_| Ok(Value::Num(0.0)))?;
                ad::arith(BinOp::Sub, &d[0], &ad::arith(BinOp::ElemMul, &d[1], &q)?)
            });
        }
        zip_elementwise(&*ctx, (args.get(0), 0), (args.get(1), 1), modulo)
    }
}

/// `a mod b` with the sign of `b`, computed like CPython's float `%` (exact for finite inputs).
fn modulo(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r == 0.0 {
        0.0_f64.copysign(b)
    } else if (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    }
}

/// The named constants.
pub(crate) static CONSTANTS: [Constant; 4] = [
    Constant {
        name: "pi",
        value: std::f64::consts::PI,
        doc: concat!(
            "The ratio of a circle's circumference to its diameter, π ≈ 3.14159.\n",
            "```mml\n",
            "pi   # => 3.141592653589793\n",
            "```\n",
        ),
    },
    Constant {
        name: "e",
        value: std::f64::consts::E,
        doc: concat!(
            "Euler's number, the base of the natural logarithm, e ≈ 2.71828.\n",
            "```mml\n",
            "e   # => 2.718281828459045\n",
            "```\n",
        ),
    },
    Constant {
        name: "inf",
        value: f64::INFINITY,
        doc: concat!(
            "Positive infinity: larger than every number; `-inf` is smaller than every number.\n",
            "```mml\n",
            "inf   # => inf\n",
            "```\n",
        ),
    },
    Constant {
        name: "nan",
        value: f64::NAN,
        doc: concat!(
            "Not a number: the result of undefined arithmetic such as `0 / 0`.\n",
            "It is not equal to anything, itself included.\n",
            "```mml\n",
            "nan   # => nan\n",
            "```\n",
        ),
    },
];
