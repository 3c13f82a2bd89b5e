//! Taylor series: `taylor(f, x0, n)` gives the coefficients f⁽ᵏ⁾(x0)/k! and the polynomial as
//! a function; for a function of several variables, the value, gradient and Hessian at the
//! point and the quadratic approximation.
//!
//! The coefficients come from one run of `f` on a jet: the truncated Taylor polynomial
//! x0 + t, carried through every operation by the recurrences of Taylor arithmetic (see the
//! runtime's `ad::jet`), O(n²) work per operation, so `n` goes up to [`MAX_ORDER`]. A
//! function calling a builtin without a rule for jets is run instead with `n` nested dual
//! numbers all seeded along the same direction (the part of the result multiplying k of the
//! n infinitesimals is the k-th derivative); each level triples the work of a product, so
//! that way goes up to [`NESTED_MAX_ORDER`].

use std::rc::Rc;

use mml_lang::ast::BinOp;
use mml_runtime::{ad, Bound, BuiltinError, CallCtx, Matrix, Value};

use crate::macros::builtin;
use crate::objective::Objective;
use crate::solve::record;

/// The highest order `taylor` and `derivative` compute for a function of one number.
pub(crate) const MAX_ORDER: usize = ad::jet::MAX_ORDER;

/// The highest order by nested dual numbers, for functions calling a builtin without a rule
/// for jets (about 3ⁿ work per operation, as every product of nested dual numbers takes three
/// products one level down).
pub(crate) const NESTED_MAX_ORDER: usize = 12;

/// The Taylor coefficients c₀ … cₙ of `f` at `x0`.
fn coefficients(ctx: &mut dyn CallCtx, f: &Value, x0: f64, n: usize) -> Result<Vec<f64>, BuiltinError> {
    if n >= 2 {
        if let Some((y, tag)) = crate::calculus::run_jet(ctx, f, &Value::Num(x0), n, ("taylor", 2))? {
            return (0..=n).map(|k| checked(f, x0, k, &ad::jet::coefficient(&y, tag, k), 1.0)).collect();
        }
    }
    nested_coefficients(ctx, f, x0, n)
}

/// The Taylor coefficients c₀ … cₙ of `f` at `x0` by nested dual numbers.
fn nested_coefficients(ctx: &mut dyn CallCtx, f: &Value, x0: f64, n: usize) -> Result<Vec<f64>, BuiltinError> {
    let mut x = Value::Num(x0);
    let mut tags = Vec::with_capacity(n);
    for _ in 0..n {
        let tag = ad::new_tag();
        x = ad::make(tag, x, Value::Num(1.0));
        tags.push(tag);
    }
    let y = ctx.call(f, &[x])?;
    let mut coeffs = Vec::with_capacity(n + 1);
    let mut factorial = 1.0;
    for k in 0..=n {
        if k > 0 {
            factorial *= k as f64;
        }
        // The tangent along the k newest tags, then the plain value underneath.
        let mut part = y.clone();
        for &tag in tags.iter().rev().take(k) {
            part = ad::tangent(&part, tag);
        }
        coeffs.push(checked(f, x0, k, &part, factorial)?);
    }
    Ok(coeffs)
}

/// Coefficient `k` of the Taylor series of `f` at `x0` from `part` (which may carry
/// derivatives of lower tags) divided by `divisor`: a number, or an error naming the point
/// when it is not finite (a pole or branch point).
fn checked(f: &Value, x0: f64, k: usize, part: &Value, divisor: f64) -> Result<f64, BuiltinError> {
    let value = match ad::strip(part) {
        Value::Num(v) => v,
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Matrix(m) if m.len() == 1 => m[0],
        other => {
            return Err(BuiltinError::arg(
                0,
                format!(
                    "`taylor` needs a function returning a number, this one returned {}",
                    mml_runtime::display::describe(&other)
                ),
            )
            .code("not-differentiable"))
        }
    };
    if !value.is_finite() {
        let what = match k {
            0 => "its value".to_string(),
            1 => "its derivative".to_string(),
            _ => format!("its derivative of order {k}"),
        };
        return Err(BuiltinError::arg(
            1,
            format!(
                "{} has no Taylor series about {}: {what} there is {}",
                match name_of(f).as_str() {
                    "<lambda>" => "the function".to_string(),
                    name => format!("`{name}`"),
                },
                mml_runtime::display::format_number(x0),
                mml_runtime::display::format_number(value)
            ),
        )
        .code("not-differentiable")
        .with_help("a pole or a branch point has no Taylor series; expand about a point nearby (log about 1, say)"));
    }
    Ok(value / divisor)
}

/// `a + b`, `a * b`, … on values that may carry derivatives.
fn op(o: BinOp, a: &Value, b: &Value) -> Result<Value, BuiltinError> {
    ad::arith(o, a, b)
}

/// A Taylor result that calls its polynomial when called: `taylor(exp, 0, 4)(1)`.
fn callable(result: Value) -> Value {
    match result {
        Value::Record(r) => Value::Record(Rc::new(Rc::unwrap_or_clone(r).calling("poly"))),
        other => other,
    }
}

/// The name of a function, for the name of the polynomial.
fn name_of(f: &Value) -> String {
    match f {
        Value::Func(c) => c.name().to_string(),
        Value::Builtin(b) => b.name.to_string(),
        Value::Bound(b) => b.name.clone(),
        _ => "f".to_string(),
    }
}

builtin! {
    /// The Taylor series of `f` about `x0` to order `n`: the coefficients and the polynomial.
    /// For a function of one number it returns `{coeffs, poly}`: `coeffs` is the column
    /// c₀, c₁, …, cₙ with cₖ = f⁽ᵏ⁾(x0)/k! (lowest order first, so `coeffs[k + 1]` goes with
    /// (x − x0)ᵏ), and `poly` is the polynomial Σ cₖ (x − x0)ᵏ as a function (element-wise
    /// on matrices). The derivatives are exact (automatic differentiation by Taylor
    /// arithmetic); `n` is at most 100 (12 for a function calling a builtin without a rule
    /// for high orders, which says so).
    /// The result itself can be called as the polynomial: `taylor(exp, 0, 4)(1)` is
    /// `taylor(exp, 0, 4).poly(1)`.
    ///
    /// For a function of several variables (`x0` a vector; `f(x, y)` or `f(v)`) it returns
    /// `{value, gradient, hessian, poly}` at `x0`, and `poly` is the approximation of order
    /// `n` (0, 1 or 2): f(x0) + ∇f·(x − x0) + ½ (x − x0)ᵀ H (x − x0).
    /// ```mml
    /// t = taylor(exp, 0, 4)
    /// t.coeffs'             # => 1×5 matrix
    ///                       # =>   1  1  0.5  0.166667  0.0416667
    /// round(t.poly(1), 6)   # => 2.708333
    /// round(t(1), 6)        # => 2.708333
    /// taylor(exp, 0, 4)(0.5) == t.poly(0.5)   # => true
    /// c, p = taylor(x -> 1 / x, 1, 3)
    /// c'                    # => 1×4 matrix
    ///                       # =>   1  -1  1  -1
    /// f(x, y) = x^2 * y
    /// q = taylor(f, [1, 2])
    /// q.gradient            # => 2×1 matrix
    ///                       # =>   4
    ///                       # =>   1
    /// q.poly(1, 2)          # => 2
    /// q([1.5, 2])           # => 4.5
    /// ```
    pub static TAYLOR: Calculus = "taylor"(f, x0, n = 2), |ctx, args| {
        let f = args.func(0)?.clone();
        let n = args.count(2)?;
        if let Value::Num(x0) = args.get(1) {
            if n > MAX_ORDER {
                return Err(BuiltinError::arg(2, format!("`taylor` computes up to order {MAX_ORDER}, asked for {n}"))
                    .with_help("the work grows with the square of the order"));
            }
            if !x0.is_finite() {
                return Err(BuiltinError::arg(1, "the point must be a finite number").code("not-finite"));
            }
            let c = coefficients(ctx, &f, *x0, n)?;
            let poly = Value::Bound(Rc::new(Bound {
                name: format!("Taylor polynomial of {} (order {n})", name_of(&f)),
                builtin: &TAYLOR_POLY,
                args: vec![Value::column(c.clone()), Value::Num(*x0)],
                formula: false,
            }));
            return Ok(callable(record([("coeffs", Value::column(c)), ("poly", poly)])));
        }
        if n > 2 {
            return Err(BuiltinError::arg(2, format!(
                "for a function of several variables `taylor` goes up to order 2, asked for {n}"
            )));
        }
        let (obj, x) = Objective::new("taylor", &f, 0, Vec::new(), args.get(1), 1)?;
        let s = obj.second(ctx, &x)?;
        if s.values.len() != 1 {
            return Err(BuiltinError::arg(0, "`taylor` needs a function returning a number").code("shape-mismatch"));
        }
        let value = s.values[0];
        let gradient = Matrix::from_column_slice(x.len(), 1, s.jacobian.row(0).transpose().as_slice());
        let hessian = s.hessians.into_iter().next().unwrap_or_else(|| Matrix::zeros(x.len(), x.len()));
        let xv = Value::matrix(Matrix::from_column_slice(x.len(), 1, x.as_slice()));
        let poly = Value::Bound(Rc::new(Bound {
            name: format!("Taylor polynomial of {} (order {n})", name_of(&f)),
            builtin: &TAYLOR_POLY2,
            args: vec![
                Value::Num(value),
                Value::matrix(gradient.clone()),
                Value::matrix(hessian.clone()),
                xv,
                Value::Num(n as f64),
            ],
            formula: false,
        }));
        Ok(callable(record([
            ("value", Value::Num(value)),
            ("gradient", Value::matrix(gradient)),
            ("hessian", Value::matrix(hessian)),
            ("poly", poly),
        ])))
    }
}

builtin! {
    /// Evaluates Σ cₖ (x − x0)ᵏ element-wise (coefficients lowest order first).
    /// This is the polynomial that `taylor` returns.
    /// ```mml
    /// taylor_poly([1, 1, 0.5], 0, 2)   # => 5
    /// ```
    pub(crate) static TAYLOR_POLY: Calculus = "taylor_poly"(coeffs, x0, x), |_ctx, args| {
        let c = args.matrix(0)?;
        let x0 = args.get(1);
        let x = args.get(2);
        let d = op(BinOp::Sub, x, x0).map_err(|e| e.at_arg(2))?;
        let mut y = Value::Num(c.iter().next_back().copied().unwrap_or(0.0));
        for &ck in c.iter().rev().skip(1) {
            y = op(BinOp::Add, &op(BinOp::ElemMul, &y, &d)?, &Value::Num(ck))?;
        }
        // A constant polynomial still has the shape of its argument.
        if c.len() <= 1 {
            y = op(BinOp::Add, &y, &op(BinOp::ElemMul, &d, &Value::Num(0.0))?)?;
        }
        Ok(y)
    }
}

/// Stacks numbers (possibly carrying derivatives) into a column.
fn stack(values: &[Value]) -> Value {
    let column =
        &mut |items: &[Value]| Ok(Value::column(items.iter().map(|v| v.as_scalar().unwrap_or(f64::NAN)).collect()));
    ad::rearrange(values, column).unwrap_or(Value::Nothing)
}

builtin! {
    /// Evaluates a Taylor approximation of order `n` ≤ 2 in several variables.
    /// Its value is `f0`, gradient `g` and Hessian `H` about `x0`; `x` is a vector, or one
    /// number per variable.
    /// ```mml
    /// taylor_poly2(1, [1, 0], [2, 0; 0, 2], [0, 0], 2, 1, 1)   # => 4
    /// ```
    pub(crate) static TAYLOR_POLY2: Calculus = "taylor_poly2"(f0, g, H, x0, n, x...), |_ctx, args| {
        let g = args.matrix(1)?;
        let h = args.matrix(2)?;
        let x0 = args.get(3);
        let n = args.count(4)?;
        let rest = args.rest();
        let dim = g.len();
        let x = match rest {
            [v] if v.shape().is_some_and(|(r, c)| r * c == dim) => {
                let m = ad::strip(v);
                let (r, c) = m.shape().unwrap_or((dim, 1));
                if c != 1 && r == 1 {
                    return Err(BuiltinError::arg(5, "give the point as a column or as numbers"));
                }
                v.clone()
            }
            many if many.len() == dim && many.iter().all(|v| v.shape() == Some((1, 1))) => stack(many),
            _ => {
                return Err(BuiltinError::arg(5, format!(
                    "the polynomial is in {dim} variables: give a vector of {dim} numbers or {dim} numbers"
                )))
            }
        };
        let d = op(BinOp::Sub, &x, x0)?;
        let mut y = args.get(0).clone();
        if n >= 1 {
            let gt = Value::matrix(g.transpose());
            y = op(BinOp::Add, &y, &op(BinOp::Mul, &gt, &d)?)?;
        }
        if n >= 2 {
            let hd = op(BinOp::Mul, &Value::matrix((*h).clone()), &d)?;
            let ones = Value::matrix(Matrix::from_element(1, dim, 0.5));
            let quad = op(BinOp::Mul, &ones, &op(BinOp::ElemMul, &d, &hd)?)?;
            y = op(BinOp::Add, &y, &quad)?;
        }
        Ok(y)
    }
}

#[cfg(test)]
mod tests;
