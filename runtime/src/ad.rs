//! Forward-mode automatic differentiation with dual numbers.
//!
//! A dual value `v + d·ε` (ε² = 0) carries a primal value `v` and a tangent `d` of the same
//! shape; `d` is the derivative of `v` along one chosen input direction. Every operator
//! propagates tangents by the rules of calculus (see [`binary`]), so derivatives flow through
//! user functions, loops, branches and indexed assignment without the interpreter knowing.
//!
//! Each differentiation gets a fresh **tag**; a value may be a dual of duals (for second
//! derivatives), and an operation splits its operands at the highest tag present, treating
//! lower-tagged duals as constants at that level. This keeps nested derivatives apart
//! (no "perturbation confusion").
//!
//! In reverse mode (see [`tape`]) the tangents are nodes on a tape instead of values: the same
//! rules then record how each tangent is made, and one backward sweep gives a gradient.
//!
//! Invariant: a tangent is either the number 0 (a zero of any shape, the common case, kept
//! cheap) or has exactly the primal's shape.

pub mod jet;
pub mod tape;

use std::cell::Cell;
use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};

use crate::builtin::BuiltinError;
use crate::ops::{self, OpError, Side};
use crate::value::{Matrix, Value};

/// A dual value `v + d·ε` of one differentiation (its tag).
#[derive(Clone, Debug)]
pub struct Dual {
    /// Which differentiation this tangent belongs to.
    pub tag: u32,
    /// The primal value (a number or matrix, possibly itself a dual of a lower tag).
    pub v: Value,
    /// The tangent: the number 0, or a value of the primal's shape.
    pub d: Value,
}

thread_local! {
    static NEXT_TAG: Cell<u32> = const { Cell::new(1) };
}

/// A fresh tag for one differentiation; nested differentiations get higher tags.
pub fn new_tag() -> u32 {
    NEXT_TAG.with(|t| {
        let tag = t.get();
        t.set(tag.wrapping_add(1).max(1));
        tag
    })
}

/// The highest tag in `v`, if it is a dual.
pub fn tag_of(v: &Value) -> Option<u32> {
    match v {
        Value::Dual(d) => Some(d.tag),
        _ => None,
    }
}

/// `v + d·ε` for tag `tag`; a zero tangent gives back `v` (a constant at this level).
pub fn make(tag: u32, v: Value, d: Value) -> Value {
    if is_zero(&d) {
        return v;
    }
    // Keep the invariant: a non-zero number tangent of a matrix primal is spread to its shape.
    let d = match (v.shape(), &d) {
        (Some((r, c)), Value::Num(x)) if (r, c) != (1, 1) => Value::matrix(Matrix::from_element(r, c, *x)),
        (Some(shape), Value::Lin(l)) if l.shape() != shape => tape::broadcast(*l, shape).unwrap_or(d),
        _ => d,
    };
    Value::Dual(Rc::new(Dual { tag, v, d }))
}

/// Splits `v` at tag `tag` into (primal, tangent); anything else is a constant.
pub fn split(v: &Value, tag: u32) -> (Value, Value) {
    match v {
        Value::Dual(d) if d.tag == tag => (d.v.clone(), d.d.clone()),
        _ => (v.clone(), Value::Num(0.0)),
    }
}

/// The derivative part of `v` for tag `tag`: its tangent, or 0 of its shape when `v` does not
/// depend on that input.
pub fn tangent(v: &Value, tag: u32) -> Value {
    let (primal, d) = split(v, tag);
    if is_zero(&d) {
        return match primal.shape() {
            Some((r, c)) if (r, c) != (1, 1) => Value::matrix(Matrix::zeros(r, c)),
            _ => Value::Num(0.0),
        };
    }
    d
}

/// The primal part of `v` for tag `tag`.
pub fn primal(v: &Value, tag: u32) -> Value {
    split(v, tag).0
}

/// The value with every tangent and Taylor coefficient removed (what a dual or a jet looks
/// like when printed).
pub fn strip(v: &Value) -> Value {
    match v {
        Value::Dual(d) => strip(&d.v),
        Value::Jet(j) => strip(&j.c[0]),
        other => other.clone(),
    }
}

/// Whether `v` is the zero tangent.
fn is_zero(v: &Value) -> bool {
    matches!(v, Value::Num(x) if *x == 0.0)
}

type R = Result<Value, OpError>;

fn add(a: Value, b: Value) -> R {
    if is_zero(&a) {
        return Ok(b);
    }
    if is_zero(&b) {
        return Ok(a);
    }
    ops::binary(BinOp::Add, &a, &b)
}

fn sub(a: Value, b: Value) -> R {
    if is_zero(&b) {
        return Ok(a);
    }
    if is_zero(&a) {
        return ops::unary(UnOp::Neg, &b);
    }
    ops::binary(BinOp::Sub, &a, &b)
}

/// `op(a, b)` where a zero tangent on either side gives zero.
fn times(op: BinOp, a: &Value, b: &Value) -> R {
    if is_zero(a) || is_zero(b) {
        return Ok(Value::Num(0.0));
    }
    ops::binary(op, a, b)
}

fn bin(op: BinOp, a: &Value, b: &Value) -> R {
    ops::binary(op, a, b)
}

/// A binary operator where at least one operand is a dual.
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> R {
    let tag = tag_of(a).max(tag_of(b)).unwrap_or(0);
    let (x, dx) = split(a, tag);
    let (y, dy) = split(b, tag);
    let v = ops::binary(op, &x, &y)?;
    use BinOp::*;
    let d = match op {
        Add => add(dx, dy)?,
        Sub => sub(dx, dy)?,
        // (x y)' = x' y + x y', for matrix and scalar products alike.
        Mul | ElemMul => add(times(op, &dx, &y)?, times(op, &x, &dy)?)?,
        // v = x / y: v' = (x' − v y') / y (also for matrices: A B⁻¹).
        Div | ElemDiv => {
            let prod = if op == Div { Mul } else { ElemMul };
            let num = sub(dx, times(prod, &v, &dy)?)?;
            if is_zero(&num) {
                Value::Num(0.0)
            } else {
                bin(op, &num, &y)?
            }
        }
        // v = x \ y: v' = x \ (y' − x' v).
        LeftDiv => {
            let rhs = sub(dy, times(Mul, &dx, &v)?)?;
            if is_zero(&rhs) {
                Value::Num(0.0)
            } else {
                bin(LeftDiv, &x, &rhs)?
            }
        }
        Pow if x.shape().is_some_and(|s| s != (1, 1)) => return matrix_power(a, b, &y, &dy),
        Pow | ElemPow => {
            let eop = if op == Pow { Mul } else { ElemMul };
            // With a constant exponent: y x^(y−1) x' (valid for negative x too).
            let mut d = Value::Num(0.0);
            if !is_zero(&dx) {
                let y1 = bin(Sub, &y, &Value::Num(1.0))?;
                let pw = bin(if op == Pow { Pow } else { ElemPow }, &x, &y1)?;
                d = times(eop, &times(eop, &y, &pw)?, &dx)?;
            }
            // With a varying exponent: v log(x) y'.
            if !is_zero(&dy) {
                let logx = log(&x)?;
                d = add(d, times(eop, &times(eop, &v, &logx)?, &dy)?)?;
            }
            d
        }
        // Comparisons look at primal values only; their results carry no derivative.
        Eq | Ne | Lt | Le | Gt | Ge | ElemEq | ElemNe | ElemLt | ElemLe | ElemGt | ElemGe | And | Or => {
            return Ok(v);
        }
    };
    Ok(make(tag, v, d))
}

/// `A^n` for a dual square matrix and a whole constant `n`, by repeated products of duals
/// (so the product rule gives the derivative).
pub(crate) fn matrix_power(a: &Value, b: &Value, y: &Value, dy: &Value) -> R {
    if !is_zero(dy) || tag_of(b).is_some() {
        return Err(OpError::Other {
            side: Side::Rhs,
            code: "not-differentiable",
            message: "cannot differentiate a matrix power with respect to its exponent".into(),
            help: vec!["for element-wise powers use `.^`".into()],
        });
    }
    let n = y.as_scalar().unwrap_or(f64::NAN);
    let (r, c) = a.shape().unwrap_or((0, 0));
    if r != c {
        return Err(OpError::NotSquare { shape: (r, c), help: vec!["for element-wise powers use `.^`".into()] });
    }
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(OpError::Other {
            side: Side::Rhs,
            code: "invalid-argument",
            message: "a matrix power needs a whole-number exponent".into(),
            help: vec!["for element-wise powers use `.^`".into()],
        });
    }
    let identity = Value::matrix(Matrix::identity(r, c));
    let mut base = if n < 0.0 { ops::binary(BinOp::LeftDiv, a, &identity)? } else { a.clone() };
    let mut k = n.abs() as u64;
    let mut acc = identity;
    while k > 0 {
        if k & 1 == 1 {
            acc = ops::binary(BinOp::Mul, &acc, &base)?;
        }
        k >>= 1;
        if k > 0 {
            base = ops::binary(BinOp::Mul, &base, &base)?;
        }
    }
    Ok(acc)
}

/// Element-wise natural logarithm of a value that may carry derivatives.
pub(crate) fn log(x: &Value) -> R {
    map_op(x, f64::ln, &|v| ops::binary(BinOp::ElemDiv, &Value::Num(1.0), v), Some(jet::Rule::Log(1.0)))
}

/// Element-wise exponential of a value that may carry derivatives.
pub(crate) fn exp(x: &Value) -> R {
    map_op(x, f64::exp, &exp, Some(jet::Rule::Exp))
}

/// A prefix operator on a dual.
pub(crate) fn unary(op: UnOp, a: &Value) -> R {
    let tag = tag_of(a).unwrap_or(0);
    let (x, dx) = split(a, tag);
    let v = ops::unary(op, &x)?;
    match op {
        UnOp::Not => Ok(v),
        UnOp::Plus => Ok(make(tag, v, dx)),
        UnOp::Neg if is_zero(&dx) => Ok(v),
        UnOp::Neg => Ok(make(tag, v, ops::unary(UnOp::Neg, &dx)?)),
    }
}

/// The transpose of a dual.
pub(crate) fn transpose(a: &Value) -> R {
    let tag = tag_of(a).unwrap_or(0);
    let (x, dx) = split(a, tag);
    let v = ops::transpose(&x)?;
    let d = if is_zero(&dx) { dx } else { ops::transpose(&dx)? };
    Ok(make(tag, v, d))
}

/// Applies an element-wise function `f` with derivative `df` to a value that may be a dual:
/// `f(v + d·ε) = f(v) + f'(v) d·ε`. `df` receives the primal (itself possibly a lower-tagged
/// dual, so second derivatives work) and returns `f'` element-wise. On a jet, `rule` is the
/// function's own recurrence, if it has one (else `df` gives the generic one).
fn map_op(x: &Value, f: fn(f64) -> f64, df: &dyn Fn(&Value) -> R, rule: Option<jet::Rule>) -> R {
    match x {
        Value::Jet(j) => {
            let v0 = map_op(&j.c[0], f, df, rule)?;
            jet::map(x, j, v0, df, rule)
        }
        Value::Dual(dual) => {
            let v = map_op(&dual.v, f, df, rule)?;
            let d = times(BinOp::ElemMul, &df(&dual.v)?, &dual.d)?;
            Ok(make(dual.tag, v, d))
        }
        Value::Num(n) => Ok(Value::Num(f(*n))),
        other => match other.to_matrix() {
            Some(m) => Ok(ops::from_matrix(m.map(f))),
            None => Err(OpError::Type {
                side: Side::Lhs,
                expected: "a number or matrix".into(),
                found: crate::display::describe(other),
            }),
        },
    }
}

/// [`map_op`] for builtins: `f` element-wise with derivative `df` (which may use [`arith`]
/// and call back into the builtin itself for higher derivatives); errors point at argument
/// `arg`.
pub fn map(
    x: &Value,
    arg: usize,
    f: fn(f64) -> f64,
    df: &dyn Fn(&Value) -> Result<Value, BuiltinError>,
) -> Result<Value, BuiltinError> {
    map_rule(x, arg, f, df, None)
}

/// [`map`] for a function with a recurrence of its own for jets (see [`jet::Rule`]).
pub fn map_rule(
    x: &Value,
    arg: usize,
    f: fn(f64) -> f64,
    df: &dyn Fn(&Value) -> Result<Value, BuiltinError>,
    rule: Option<jet::Rule>,
) -> Result<Value, BuiltinError> {
    let cell = std::cell::RefCell::new(None);
    let df = |v: &Value| {
        df(v).map_err(|e| {
            *cell.borrow_mut() = Some(e);
            OpError::Other { side: Side::Lhs, code: "not-differentiable", message: String::new(), help: Vec::new() }
        })
    };
    let result = map_op(x, f, &df, rule);
    match (result, cell.into_inner()) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(op_error(e, arg)),
    }
}

/// An operator on any values (duals included), for builtins computing derivatives.
pub fn arith(op: BinOp, a: &Value, b: &Value) -> Result<Value, BuiltinError> {
    ops::binary(op, a, b).map_err(|e| op_error(e, 0))
}

/// An operator error as a builtin error about argument `arg`.
pub fn op_error(e: OpError, arg: usize) -> BuiltinError {
    match e {
        OpError::Type { expected, found, .. } => {
            BuiltinError::arg(arg, format!("expected {expected}, found {found}")).code("type-mismatch")
        }
        OpError::Shape { lhs, rhs, rule, help } => {
            let mut e = BuiltinError::arg(
                arg,
                format!("shapes {}×{} and {}×{} do not fit: {rule}", lhs.0, lhs.1, rhs.0, rhs.1),
            )
            .code("shape-mismatch");
            for h in help {
                e = e.with_help(h);
            }
            e
        }
        OpError::NotSquare { shape, .. } => {
            let e = BuiltinError::arg(arg, format!("needs a square matrix, found {}×{}", shape.0, shape.1))
                .code("not-square");
            if crate::error::one_size_column(shape) {
                e.with_help(crate::error::ONE_SIZE_HINT)
            } else {
                e
            }
        }
        OpError::Other { code, message, help, .. } => {
            let mut e = BuiltinError::arg(arg, message).code(code);
            for h in help {
                e = e.with_help(h);
            }
            e
        }
    }
}

/// Applies `f` to the primal and the tangent of every dual level alike: for linear,
/// shape-changing operations such as indexing, transposing or reshaping.
pub(crate) fn linear<E>(x: &Value, f: &mut dyn FnMut(&Value) -> Result<Value, E>) -> Result<Value, E> {
    match x {
        Value::Jet(j) => jet::linear(j, f),
        Value::Dual(dual) => {
            let v = linear(&dual.v, f)?;
            let d = if is_zero(&dual.d) { Value::Num(0.0) } else { linear(&dual.d, f)? };
            Ok(make(dual.tag, v, d))
        }
        other => f(other),
    }
}

/// Splits every item of a list of values at the highest tag among them; tangents of items
/// that do not depend on it are zeros of the item's shape.
/// `None` also when a jet carries the highest tag (its rules come first).
pub fn split_all(items: &[Value]) -> Option<(u32, Vec<Value>, Vec<Value>)> {
    if jet::top(items).is_some() {
        return None;
    }
    let tag = items.iter().filter_map(tag_of).max()?;
    let mut vs = Vec::with_capacity(items.len());
    let mut ds = Vec::with_capacity(items.len());
    for item in items {
        let (v, _) = split(item, tag);
        ds.push(tangent(item, tag));
        vs.push(v);
    }
    Some((tag, vs, ds))
}

/// Element `i` (column-major) of a number or matrix that may carry derivatives; 0 past the end.
pub fn element(v: &Value, i: usize) -> Value {
    match v {
        Value::Dual(d) => make(d.tag, element(&d.v, i), element(&d.d, i)),
        Value::Jet(j) => jet::make(
            j.tag,
            j.c.iter()
                .enumerate()
                .map(|(k, c)| if k > 0 && jet::is_zero(c) { Value::Num(0.0) } else { element(c, i) })
                .collect(),
        ),
        Value::Lin(l) => tape::gather(*l, vec![i], (1, 1)).unwrap_or(Value::Num(0.0)),
        Value::Num(x) if i == 0 => Value::Num(*x),
        other => Value::Num(other.to_matrix().and_then(|m| m.get(i).copied()).unwrap_or(0.0)),
    }
}

/// Applies `f`, a function that only moves elements around (stacking, concatenating,
/// reshaping, taking a diagonal), to items that may carry derivatives: to the primal values,
/// and alike to their tangents. `f` must be linear in all the items together: constants it
/// needs belong in the closure, not among the items (whose tangents it is also applied to).
pub fn rearrange(
    items: &[Value],
    f: &mut dyn FnMut(&[Value]) -> Result<Value, BuiltinError>,
) -> Result<Value, BuiltinError> {
    if let Some(tag) = jet::top(items) {
        return jet::rearrange_with(items, tag, &mut |part| rearrange(part, f));
    }
    let Some((tag, vs, ds)) = split_all(items) else {
        if items.iter().any(|d| matches!(d, Value::Lin(_))) {
            return tape::structural(items, f, |e| op_error(e, 0));
        }
        return f(items);
    };
    let v = rearrange(&vs, f)?;
    let d = if ds.iter().any(|d| matches!(d, Value::Lin(_))) {
        tape::structural(&ds, f, |e| op_error(e, 0))?
    } else {
        rearrange(&ds, f)?
    };
    Ok(make(tag, v, d))
}

/// Whether `v` is a tangent on a reverse-mode tape.
pub fn is_taped(v: &Value) -> bool {
    matches!(v, Value::Lin(_))
}

/// `v'` for any value, carrying derivatives (for builtins composing derivative rules).
pub fn transposed(v: &Value) -> Result<Value, BuiltinError> {
    ops::transpose(v).map_err(|e| op_error(e, 0))
}
