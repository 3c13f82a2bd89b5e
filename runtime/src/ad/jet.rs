//! Truncated Taylor arithmetic ("jets") for derivatives of high order along one direction.
//!
//! A jet `c₀ + c₁ t + … + cₙ tⁿ` is the Taylor polynomial of a quantity along the seeded
//! direction, truncated after order `n`: `c₀` is the value and `k! cₖ` the k-th derivative.
//! Each coefficient is a number or a matrix of the value's shape, or the number 0 standing
//! for a zero of that shape (the common case, kept cheap). Operators and builtins combine
//! jets by the standard recurrences (Griewank & Walther, *Evaluating Derivatives*, ch. 13):
//! sums coefficient by coefficient, any bilinear operation (products of numbers or matrices,
//! `kron`, `dot`) as a Cauchy product, quotients and the elementary functions by recurrences
//! that cost O(n²) per operation, where `n` nested dual numbers cost O(3ⁿ).
//!
//! A jet is tagged like a dual number (see [`super`]), from the same counter: an operation
//! splits its operands at the highest tag present, whether a dual or a jet carries it, and
//! treats everything of a lower tag as a constant at that level. So a jet may hold duals of
//! a lower tag as coefficients (`grad` of a function that calls `derivative(g, 30)`), and a
//! dual may hold a jet as its value.
//!
//! A builtin without a rule for jets reports `no-jet-rule` ([`NO_RULE`]) when handed one;
//! `derivative` and `taylor` then use nested dual numbers instead, up to the order those
//! allow.

// The recurrences read coefficients of several sequences at related indices (j and k − j):
// index loops say that best.
#![allow(clippy::needless_range_loop)]

use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};

use crate::ops::{self, OpError, Side};
use crate::value::{Matrix, Value};

/// The error code of a builtin handed a jet it has no rule for.
pub const NO_RULE: &str = "no-jet-rule";

/// The highest order a jet may have: the recurrences cost O(n²) per operation (and a Cauchy
/// product of matrices n²/2 matrix products), which keeps the work bounded.
pub const MAX_ORDER: usize = 100;

/// A truncated Taylor polynomial of one differentiation (its tag).
#[derive(Clone, Debug)]
pub struct Jet {
    /// Which differentiation the coefficients belong to.
    pub tag: u32,
    /// `c₀ … cₙ`: the value (possibly carrying derivatives of lower tags) and the Taylor
    /// coefficients, each the number 0 or of the value's shape.
    pub c: Vec<Value>,
}

impl Jet {
    /// The order `n`: the highest power kept.
    pub fn order(&self) -> usize {
        self.c.len().saturating_sub(1)
    }
}

type R = Result<Value, OpError>;

/// Whether `v` is the zero coefficient.
pub fn is_zero(v: &Value) -> bool {
    matches!(v, Value::Num(x) if *x == 0.0)
}

/// The jet with coefficients `c` (the value first) for tag `tag`; with no non-zero
/// coefficient past the value it is the value itself (a constant at this level).
pub fn make(tag: u32, mut c: Vec<Value>) -> Value {
    if c.len() <= 1 || c[1..].iter().all(is_zero) {
        return c.into_iter().next().unwrap_or(Value::Num(0.0));
    }
    // Keep the invariant: a non-zero number coefficient of a matrix value has its shape.
    if let Some((r, cols)) = c[0].shape().filter(|s| *s != (1, 1)) {
        for ck in c.iter_mut().skip(1) {
            if let Value::Num(x) = ck {
                if *x != 0.0 {
                    *ck = Value::matrix(Matrix::from_element(r, cols, *x));
                }
            }
        }
    }
    Value::Jet(Rc::new(Jet { tag, c }))
}

/// `x + t` truncated after order `n`: the jet of the input of a function differentiated `n`
/// times along one direction.
pub fn seed(tag: u32, x: Value, n: usize) -> Value {
    let mut c = vec![Value::Num(0.0); n.max(1) + 1];
    c[1] = Value::Num(1.0);
    c[0] = x;
    make(tag, c)
}

/// The tag of a dual number or jet.
pub fn level(v: &Value) -> Option<u32> {
    match v {
        Value::Dual(d) => Some(d.tag),
        Value::Jet(j) => Some(j.tag),
        _ => None,
    }
}

/// The tag of the highest differentiation among `items` when a jet carries it (so jet rules
/// apply at the top); `None` when a dual does, or nothing carries a derivative.
pub fn top(items: &[Value]) -> Option<u32> {
    let best = items.iter().filter_map(level).max()?;
    items.iter().any(|v| matches!(v, Value::Jet(j) if j.tag == best)).then_some(best)
}

/// [`top`] of two operands.
pub(crate) fn top2(a: &Value, b: &Value) -> Option<u32> {
    let best = level(a).max(level(b))?;
    let is = |v: &Value| matches!(v, Value::Jet(j) if j.tag == best);
    (is(a) || is(b)).then_some(best)
}

/// The lowest order among the jets of tag `tag` in `items` (a truncated jet knows no more).
pub fn order_of(items: &[Value], tag: u32) -> usize {
    items
        .iter()
        .filter_map(|v| match v {
            Value::Jet(j) if j.tag == tag => Some(j.order()),
            _ => None,
        })
        .min()
        .unwrap_or(0)
}

/// Coefficient `k` of `v` at tag `tag`: the value itself for k = 0 when `v` is a constant
/// there, and the zero coefficient past its order.
pub fn coefficient(v: &Value, tag: u32, k: usize) -> Value {
    match v {
        Value::Jet(j) if j.tag == tag => j.c.get(k).cloned().unwrap_or(Value::Num(0.0)),
        _ if k == 0 => v.clone(),
        _ => Value::Num(0.0),
    }
}

/// [`coefficient`] with a zero spelled out in the value's shape (for operations that move
/// elements around, which need the shapes).
pub fn explicit_coefficient(v: &Value, tag: u32, k: usize) -> Value {
    let c = coefficient(v, tag, k);
    match v.shape() {
        Some((r, cols)) if is_zero(&c) && (r, cols) != (1, 1) => Value::matrix(Matrix::zeros(r, cols)),
        _ => c,
    }
}

/// The coefficients `c₀ … cₙ` of `v` at tag `tag`.
fn parts(v: &Value, tag: u32, n: usize) -> Vec<Value> {
    (0..=n).map(|k| coefficient(v, tag, k)).collect()
}

/// `v` truncated after order `m`.
fn truncate(v: &Value, tag: u32, m: usize) -> Value {
    match v {
        Value::Jet(j) if j.tag == tag => make(tag, j.c.iter().take(m + 1).cloned().collect()),
        _ => v.clone(),
    }
}

/// The jet of `dv/dt` to order `n − 1`: coefficients `(k + 1) cₖ₊₁`; a zero of `v`'s shape
/// when `v` is a constant at tag `tag`.
fn derivative_of(v: &Value, tag: u32, n: usize) -> Result<Value, OpError> {
    let mut c = Vec::with_capacity(n);
    for k in 1..=n {
        let ck = if k == 1 { explicit_coefficient(v, tag, 1) } else { coefficient(v, tag, k) };
        c.push(scale(&ck, k as f64)?);
    }
    Ok(make(tag, c))
}

fn add(a: &Value, b: &Value) -> R {
    if is_zero(a) {
        return Ok(b.clone());
    }
    if is_zero(b) {
        return Ok(a.clone());
    }
    ops::binary(BinOp::Add, a, b)
}

fn sub(a: &Value, b: &Value) -> R {
    if is_zero(b) {
        return Ok(a.clone());
    }
    if is_zero(a) {
        return ops::unary(UnOp::Neg, b);
    }
    ops::binary(BinOp::Sub, a, b)
}

/// `op(a, b)` for a bilinear `op`: zero when either side is.
fn prod(op: BinOp, a: &Value, b: &Value) -> R {
    if is_zero(a) || is_zero(b) {
        return Ok(Value::Num(0.0));
    }
    ops::binary(op, a, b)
}

fn scale(a: &Value, k: f64) -> R {
    if k == 1.0 {
        return Ok(a.clone());
    }
    if k == 0.0 {
        return Ok(Value::Num(0.0));
    }
    prod(BinOp::ElemMul, a, &Value::Num(k))
}

/// `a ./ b` (or `a / b` with `op`), zero when `a` is.
fn quot(op: BinOp, a: &Value, b: &Value) -> R {
    if is_zero(a) {
        return Ok(Value::Num(0.0));
    }
    ops::binary(op, a, b)
}

/// `Σ_{j=lo}^{hi} op(a_j, b_{k−j})`.
fn conv(op: BinOp, a: &[Value], b: &[Value], k: usize, lo: usize, hi: usize) -> R {
    let mut acc = Value::Num(0.0);
    for j in lo..=hi {
        acc = add(&acc, &prod(op, &a[j], &b[k - j])?)?;
    }
    Ok(acc)
}

/// The Cauchy product of a bilinear operation `f`: `c_k = Σ_{i+j=k} f(a_i, b_j)`. The value
/// `f(a₀, b₀)` is always computed (for its shape and errors).
pub fn bilinear<E>(
    a: &Value,
    b: &Value,
    tag: u32,
    f: &mut dyn FnMut(&Value, &Value) -> Result<Value, E>,
    err: fn(OpError) -> E,
) -> Result<Value, E> {
    let items = [a.clone(), b.clone()];
    let n = order_of(&items, tag);
    let x = parts(a, tag, n);
    let y = parts(b, tag, n);
    let mut c = Vec::with_capacity(n + 1);
    c.push(f(&x[0], &y[0])?);
    for k in 1..=n {
        let mut acc = Value::Num(0.0);
        for i in 0..=k {
            if is_zero(&x[i]) || is_zero(&y[k - i]) {
                continue;
            }
            acc = add(&acc, &f(&x[i], &y[k - i])?).map_err(err)?;
        }
        c.push(acc);
    }
    Ok(make(tag, c))
}

/// A binary operator where the highest tag among the operands belongs to a jet.
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> R {
    let Some(tag) = top2(a, b) else { return ops::binary(op, a, b) };
    let items = [a.clone(), b.clone()];
    let n = order_of(&items, tag);
    let (ja, jb) = (matches!(a, Value::Jet(j) if j.tag == tag), matches!(b, Value::Jet(j) if j.tag == tag));
    let x = parts(a, tag, n);
    let y = parts(b, tag, n);
    use BinOp::*;
    let c = match op {
        Add | Sub => {
            let mut c = vec![ops::binary(op, &x[0], &y[0])?];
            for k in 1..=n {
                c.push(if op == Add { add(&x[k], &y[k])? } else { sub(&x[k], &y[k])? });
            }
            c
        }
        Mul | ElemMul => {
            let mut c = vec![ops::binary(op, &x[0], &y[0])?];
            for k in 1..=n {
                c.push(match (ja, jb) {
                    (true, false) => prod(op, &x[k], &y[0])?,
                    (false, true) => prod(op, &x[0], &y[k])?,
                    _ => conv(op, &x, &y, k, 0, k)?,
                });
            }
            c
        }
        // v = x / y: v_k = (x_k − Σ_{j≥1} v_{k−j} y_j) / y₀ (also for matrices: A B⁻¹).
        Div | ElemDiv => {
            let times = if op == Div { Mul } else { ElemMul };
            let mut c = vec![ops::binary(op, &x[0], &y[0])?];
            for k in 1..=n {
                let num = if jb {
                    let mut acc = x[k].clone();
                    for j in 1..=k {
                        acc = sub(&acc, &prod(times, &c[k - j], &y[j])?)?;
                    }
                    acc
                } else {
                    x[k].clone()
                };
                c.push(quot(op, &num, &y[0])?);
            }
            c
        }
        // v = x \ y: v_k = x₀ \ (y_k − Σ_{j≥1} x_j v_{k−j}).
        LeftDiv => {
            let mut c = vec![ops::binary(op, &x[0], &y[0])?];
            for k in 1..=n {
                let mut rhs = y[k].clone();
                if ja {
                    for j in 1..=k {
                        rhs = sub(&rhs, &prod(Mul, &x[j], &c[k - j])?)?;
                    }
                }
                c.push(if is_zero(&rhs) { Value::Num(0.0) } else { ops::binary(LeftDiv, &x[0], &rhs)? });
            }
            c
        }
        Pow | ElemPow => return power(op, a, b, tag, n, (&x, &y), (ja, jb)),
        Eq | Ne | Lt | Le | Gt | Ge | ElemEq | ElemNe | ElemLt | ElemLe | ElemGt | ElemGe | And | Or => {
            return ops::binary(op, &x[0], &y[0]);
        }
    };
    Ok(make(tag, c))
}

/// The largest whole exponent raised by repeated products rather than the recurrence of a
/// real power (which divides by the base, so fails at 0).
const WHOLE_POWER: f64 = 1_048_576.0;

/// `a ^ b` or `a .^ b` with a jet on top.
fn power(
    op: BinOp,
    a: &Value,
    b: &Value,
    tag: u32,
    n: usize,
    (x, y): (&[Value], &[Value]),
    (_ja, jb): (bool, bool),
) -> R {
    let matrix_base = x[0].shape().is_some_and(|s| s != (1, 1));
    if op == BinOp::Pow && matrix_base {
        if jb {
            return Err(OpError::Other {
                side: Side::Rhs,
                code: "not-differentiable",
                message: "cannot differentiate a matrix power with respect to its exponent".into(),
                help: vec!["for element-wise powers use `.^`".into()],
            });
        }
        return super::matrix_power(a, b, &y[0], &Value::Num(0.0));
    }
    if jb {
        // aᵇ = exp(b log a), element-wise.
        let l = super::log(a)?;
        return super::exp(&ops::binary(BinOp::ElemMul, b, &l)?);
    }
    let e = &y[0];
    let times = if op == BinOp::Pow { BinOp::Mul } else { BinOp::ElemMul };
    if let Some(k) = e.as_scalar().filter(|k| k.fract() == 0.0 && k.abs() <= WHOLE_POWER) {
        if k == 0.0 {
            return ops::binary(op, &x[0], e);
        }
        // Repeated products of jets (exact at a zero base, unlike the recurrence).
        let mut base = if k < 0.0 { binary(BinOp::ElemDiv, &Value::Num(1.0), a)? } else { a.clone() };
        let mut m = k.abs() as u64;
        let mut acc: Option<Value> = None;
        while m > 0 {
            if m & 1 == 1 {
                acc = Some(match acc {
                    None => base.clone(),
                    Some(p) => ops::binary(times, &p, &base)?,
                });
            }
            m >>= 1;
            if m > 0 {
                base = ops::binary(times, &base, &base)?;
            }
        }
        return Ok(acc.unwrap_or(Value::Num(1.0)));
    }
    // The recurrence below divides by the base: at a base of 0 (where x^2.5 still has two
    // derivatives) nested duals do better, so this asks for them.
    if super::strip(&x[0]).to_matrix().is_some_and(|m| m.iter().any(|v| *v == 0.0)) {
        return Err(OpError::Other {
            side: Side::Lhs,
            code: NO_RULE,
            message: "a power with an exponent that is not whole has no rule for high orders at a base of 0".into(),
            help: Vec::new(),
        });
    }
    // v = xʳ: x v' = r v x', so v_k = Σ_{j=1}^{k} (r j − (k − j)) x_j v_{k−j} / (k x₀).
    let mut c = vec![ops::binary(op, &x[0], e)?];
    for k in 1..=n {
        let mut acc = Value::Num(0.0);
        for j in 1..=k {
            if is_zero(&x[j]) {
                continue;
            }
            let factor = match e.as_scalar() {
                Some(r) => Value::Num(r * j as f64 - (k - j) as f64),
                None => ops::binary(
                    BinOp::Sub,
                    &ops::binary(BinOp::ElemMul, e, &Value::Num(j as f64))?,
                    &Value::Num((k - j) as f64),
                )?,
            };
            let term = ops::binary(BinOp::ElemMul, &ops::binary(BinOp::ElemMul, &factor, &x[j])?, &c[k - j])?;
            acc = add(&acc, &term)?;
        }
        c.push(quot(BinOp::ElemDiv, &acc, &scale(&x[0], k as f64)?)?);
    }
    Ok(make(tag, c))
}

/// A prefix operator on a jet.
pub(crate) fn unary(op: UnOp, a: &Value) -> R {
    let Value::Jet(j) = a else { return ops::unary(op, a) };
    match op {
        UnOp::Not => ops::unary(op, &j.c[0]),
        UnOp::Plus | UnOp::Neg => {
            let c = j.c.iter().map(|ck| if is_zero(ck) { Ok(Value::Num(0.0)) } else { ops::unary(op, ck) });
            Ok(make(j.tag, c.collect::<Result<_, _>>()?))
        }
    }
}

/// Applies `f`, a linear operation (indexing, transposing, summing, reshaping), to every
/// coefficient of a jet; zero coefficients stay zero.
pub(crate) fn linear<E>(j: &Jet, f: &mut dyn FnMut(&Value) -> Result<Value, E>) -> Result<Value, E> {
    let mut c = Vec::with_capacity(j.c.len());
    for (k, ck) in j.c.iter().enumerate() {
        c.push(if k > 0 && is_zero(ck) { Value::Num(0.0) } else { super::linear(ck, f)? });
    }
    Ok(make(j.tag, c))
}

/// Applies `f`, linear in all the items together (stacking, concatenating), to the items
/// coefficient by coefficient, with zeros spelled out in each item's shape.
pub fn rearrange_with<E>(
    items: &[Value],
    tag: u32,
    f: &mut dyn FnMut(&[Value]) -> Result<Value, E>,
) -> Result<Value, E> {
    let n = order_of(items, tag);
    let mut c = Vec::with_capacity(n + 1);
    for k in 0..=n {
        if k > 0 && items.iter().all(|v| is_zero(&coefficient(v, tag, k))) {
            c.push(Value::Num(0.0));
            continue;
        }
        let part: Vec<Value> = items.iter().map(|v| explicit_coefficient(v, tag, k)).collect();
        c.push(f(&part)?);
    }
    Ok(make(tag, c))
}

/// A derivative rule as a tangent: from the arguments and their tangents.
pub type TangentOf<'a, E> = dyn FnMut(&[Value], &[Value]) -> Result<Value, E> + 'a;

/// The function of a jet `y = F(x₁, …)` from its value and its derivative rule, for builtins
/// that give their derivative as a tangent (see `with_tangent` in the library): `y₀` is `F`
/// of the values, and since `dy/dt = T(x(t), dx/dt)` with `T` linear in the tangents, `T`
/// applied to the jets truncated after order `n − 1` and to their derivatives gives the jet
/// of `dy/dt`, whose coefficients divided by `k` are `y_k`. `T` may call `F` again, on jets
/// one order shorter.
pub fn integrate<E>(
    items: &[Value],
    tag: u32,
    value: &mut dyn FnMut(&[Value]) -> Result<Value, E>,
    tangent: &mut TangentOf<'_, E>,
    err: fn(OpError) -> E,
) -> Result<Value, E> {
    let n = order_of(items, tag);
    let values: Vec<Value> = items.iter().map(|v| coefficient(v, tag, 0)).collect();
    let v0 = value(&values)?;
    if n == 0 {
        return Ok(v0);
    }
    let truncated: Vec<Value> = items.iter().map(|v| truncate(v, tag, n - 1)).collect();
    let derivatives = items.iter().map(|v| derivative_of(v, tag, n)).collect::<Result<Vec<_>, _>>().map_err(err)?;
    let g = tangent(&truncated, &derivatives)?;
    let mut c = Vec::with_capacity(n + 1);
    c.push(v0);
    for k in 1..=n {
        c.push(scale(&coefficient(&g, tag, k - 1), 1.0 / k as f64).map_err(err)?);
    }
    Ok(make(tag, c))
}

/// An element-wise function with a recurrence of its own (rather than the generic one from
/// its derivative rule, which calls the rule on a jet one order shorter, and so costs O(n³)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// `eˣ`.
    Exp,
    /// A logarithm: `ln x / l` (l = 1 for the natural one, ln 2 for `log2`, …).
    Log(f64),
    /// `√x`.
    Sqrt,
    /// `sin x` (the derivative rule gives `cos x`).
    Sin,
    /// `cos x` (the derivative rule gives `−sin x`).
    Cos,
    /// `sinh x` (the derivative rule gives `cosh x`).
    Sinh,
    /// `cosh x` (the derivative rule gives `sinh x`).
    Cosh,
    /// `tan x`: v' = (1 + v²) x'.
    Tan,
    /// `tanh x`: v' = (1 − v²) x'.
    Tanh,
    /// The logistic sigmoid: v' = (v − v²) x'.
    Sigmoid,
    /// `atan x`: v' = x' / (1 + x²).
    Atan,
    /// `asin x` or `acos x`: v' = x' / u with u² = 1 − x² (u's sign from the derivative rule).
    Asin,
}

/// An element-wise function `f` of the jet `x` (= `j`), with value `v0 = f(c₀)` and
/// derivative rule `df`, by the function's own recurrence when it has one.
pub(crate) fn map(x: &Value, j: &Jet, v0: Value, df: &dyn Fn(&Value) -> R, rule: Option<Rule>) -> R {
    let tag = j.tag;
    let n = j.order();
    let xs = &j.c;
    let Some(rule) = rule else {
        return integrate(
            std::slice::from_ref(x),
            tag,
            &mut |_| Ok(v0.clone()),
            &mut |v, d| prod(BinOp::ElemMul, &df(&v[0])?, &d[0]),
            |e| e,
        );
    };
    use BinOp::{ElemDiv, ElemMul};
    // x̃_j = j x_j, as every recurrence below weighs the argument's coefficients so.
    let xt = xs.iter().enumerate().map(|(k, c)| scale(c, k as f64)).collect::<Result<Vec<_>, _>>()?;
    let inv = |k: usize| 1.0 / k as f64;
    let mut v = vec![v0];
    match rule {
        Rule::Exp => {
            for k in 1..=n {
                v.push(scale(&conv(ElemMul, &xt, &v, k, 1, k)?, inv(k))?);
            }
        }
        Rule::Log(l) => {
            // x v' = x' / l.
            for k in 1..=n {
                let vt: Vec<Value> = v.iter().enumerate().map(|(i, c)| scale(c, i as f64)).collect::<Result<_, _>>()?;
                let s = if k > 1 { conv(ElemMul, &vt, xs, k, 1, k - 1)? } else { Value::Num(0.0) };
                let num = sub(&scale(&xs[k], 1.0 / l)?, &scale(&s, inv(k))?)?;
                v.push(quot(ElemDiv, &num, &xs[0])?);
            }
        }
        Rule::Sqrt => {
            let two_v0 = scale(&v[0], 2.0)?;
            for k in 1..=n {
                let s = if k > 1 { conv(ElemMul, &v, &v, k, 1, k - 1)? } else { Value::Num(0.0) };
                v.push(quot(ElemDiv, &sub(&xs[k], &s)?, &two_v0)?);
            }
        }
        Rule::Sin | Rule::Cos | Rule::Sinh | Rule::Cosh => {
            // s' = c x', c' = ∓ s x'.
            let d0 = df(&xs[0])?;
            let (mut s, mut c) = match rule {
                Rule::Sin | Rule::Sinh => (vec![v[0].clone()], vec![d0]),
                Rule::Cos => (vec![ops::unary(UnOp::Neg, &d0)?], vec![v[0].clone()]),
                _ => (vec![d0], vec![v[0].clone()]),
            };
            let sign = if matches!(rule, Rule::Sin | Rule::Cos) { -1.0 } else { 1.0 };
            for k in 1..=n {
                let sk = scale(&conv(ElemMul, &xt, &c, k, 1, k)?, inv(k))?;
                let ck = scale(&conv(ElemMul, &xt, &s, k, 1, k)?, sign * inv(k))?;
                s.push(sk);
                c.push(ck);
            }
            v = if matches!(rule, Rule::Sin | Rule::Sinh) { s } else { c };
        }
        Rule::Tan | Rule::Tanh | Rule::Sigmoid => {
            // v' = w x' with w = a + b v + c v².
            let (a, b, q) = match rule {
                Rule::Tan => (1.0, 0.0, 1.0),
                Rule::Tanh => (1.0, 0.0, -1.0),
                _ => (0.0, 1.0, -1.0),
            };
            let mut w: Vec<Value> = Vec::with_capacity(n);
            for k in 1..=n {
                let m = k - 1;
                let sq = conv(ElemMul, &v, &v, m, 0, m)?;
                let mut wm = add(&scale(&v[m], b)?, &scale(&sq, q)?)?;
                if m == 0 {
                    wm = ops::binary(BinOp::Add, &wm, &Value::Num(a))?;
                }
                w.push(wm);
                v.push(scale(&conv(ElemMul, &xt, &w, k, 1, k)?, inv(k))?);
            }
        }
        Rule::Atan | Rule::Asin => {
            // u v' = x' with u = 1 + x² (atan) or u = ±√(1 − x²) (asin, acos).
            let mut u: Vec<Value> = Vec::with_capacity(n + 1);
            if rule == Rule::Atan {
                for k in 0..=n {
                    let sq = conv(ElemMul, xs, xs, k, 0, k)?;
                    u.push(if k == 0 { ops::binary(BinOp::Add, &sq, &Value::Num(1.0))? } else { sq });
                }
            } else {
                u.push(ops::binary(ElemDiv, &Value::Num(1.0), &df(&xs[0])?)?);
                let two_u0 = scale(&u[0], 2.0)?;
                for k in 1..=n {
                    // p = 1 − x², and u_k = (p_k − Σ_{j=1}^{k−1} u_j u_{k−j}) / (2 u₀).
                    let p = ops::unary(UnOp::Neg, &conv(ElemMul, xs, xs, k, 0, k)?)?;
                    let s = if k > 1 { conv(ElemMul, &u, &u, k, 1, k - 1)? } else { Value::Num(0.0) };
                    u.push(quot(ElemDiv, &sub(&p, &s)?, &two_u0)?);
                }
            }
            for k in 1..=n {
                let vt: Vec<Value> = v.iter().enumerate().map(|(i, c)| scale(c, i as f64)).collect::<Result<_, _>>()?;
                let s = if k > 1 { conv(ElemMul, &vt, &u, k, 1, k - 1)? } else { Value::Num(0.0) };
                v.push(quot(ElemDiv, &sub(&xs[k], &scale(&s, inv(k))?)?, &u[0])?);
            }
        }
    }
    Ok(make(tag, v))
}

/// An estimate of the floating-point work of `a op b` when a jet is involved (for the time
/// limit, checked before the work starts): one operation per pair of coefficients.
pub fn work(op: BinOp, a: &Value, b: &Value) -> Option<f64> {
    let n = match (a, b) {
        (Value::Jet(x), Value::Jet(y)) => x.order().max(y.order()),
        (Value::Jet(x), _) | (_, Value::Jet(x)) => x.order(),
        _ => return None,
    } as f64;
    let (r, c) = a.shape().unwrap_or((1, 1));
    let (p, q) = b.shape().unwrap_or((1, 1));
    let each = match op {
        BinOp::Mul if r * c > 1 && p * q > 1 => 2.0 * r as f64 * c as f64 * q as f64,
        BinOp::Div | BinOp::LeftDiv | BinOp::Pow if r * c > 1 || p * q > 1 => {
            let m = r.max(c).max(p).max(q) as f64;
            2.0 * m * m * m
        }
        _ => (r * c).max(p * q) as f64,
    };
    Some(each * (n + 1.0) * (n + 2.0) / 2.0)
}

/// An estimate of the work of an element-wise function of `x` when it is a jet.
pub fn map_work(x: &Value) -> f64 {
    match x {
        Value::Jet(j) => {
            let n = j.order() as f64;
            let (r, c) = x.shape().unwrap_or((1, 1));
            4.0 * (r * c) as f64 * (n + 1.0) * (n + 1.0)
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coeffs(v: &Value, tag: u32, n: usize) -> Vec<f64> {
        (0..=n).map(|k| coefficient(v, tag, k).as_scalar().unwrap_or(f64::NAN)).collect()
    }

    #[test]
    fn products_and_quotients_follow_the_series() {
        // (1 + t)² = 1 + 2t + t², and 1 / (1 + t) = Σ (−t)ᵏ.
        let x = seed(7, Value::Num(1.0), 6);
        let sq = ops::binary(BinOp::Mul, &x, &x).unwrap();
        assert_eq!(coeffs(&sq, 7, 6), vec![1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        let inv = ops::binary(BinOp::Div, &Value::Num(1.0), &x).unwrap();
        assert_eq!(coeffs(&inv, 7, 6), vec![1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0]);
        // A constant at this level stays a plain value.
        assert!(matches!(ops::binary(BinOp::Mul, &sq, &Value::Num(0.0)).unwrap(), Value::Num(z) if z == 0.0));
    }

    #[test]
    fn an_escaped_jet_shows_its_value() {
        let x = seed(3, Value::Num(2.5), 4);
        let opts = crate::display::FormatOptions::default();
        assert_eq!(crate::display::format_value(&x, &opts), "2.5");
        assert_eq!(crate::display::describe(&x), "a number (2.5) being differentiated");
        assert_eq!(x.type_name(), "number");
        let e = crate::builtin::BuiltinError::type_error(0, "a number", &x);
        assert!(matches!(e, crate::builtin::BuiltinError::Message { code, .. } if code == NO_RULE));
    }
}
