//! Symbolic derivatives of one-expression functions: `f(x) = x^2 * sin(x)` is read as a
//! formula, differentiated by the rules of calculus, simplified, and printed
//! (`2*x*sin(x) + x^2*cos(x)`). The formula can be evaluated, so the derivative is also a
//! function.

use std::fmt::Write as _;
use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};

use crate::builtin::Builtin;
use crate::display::format_number;
use crate::hir::{Body, ExprKind, StmtKind, Var};
use crate::interp::Closure;
use crate::value::Value;

/// A formula in the parameters of a function.
#[derive(Clone, Debug, PartialEq)]
pub enum Sym {
    /// A constant.
    Num(f64),
    /// Parameter `i` (0-based).
    Var(usize),
    /// `-a`.
    Neg(Rc<Sym>),
    /// `a + b`.
    Add(Rc<Sym>, Rc<Sym>),
    /// `a - b`.
    Sub(Rc<Sym>, Rc<Sym>),
    /// `a * b`.
    Mul(Rc<Sym>, Rc<Sym>),
    /// `a / b`.
    Div(Rc<Sym>, Rc<Sym>),
    /// `a ^ b`.
    Pow(Rc<Sym>, Rc<Sym>),
    /// An elementary function of one argument.
    Call(&'static Builtin, Rc<Sym>),
}

/// The elementary functions whose derivatives are known symbolically.
const FUNCTIONS: &[&str] = &["sin", "cos", "tan", "exp", "log", "sqrt", "asin", "acos", "atan", "tanh", "sigmoid"];

/// A function as a formula of its parameters, with the parameters' names.
/// Global variables the formula uses are read through `global` and must be numbers.
pub fn formula(f: &Value, global: &dyn Fn(u32) -> Option<Value>) -> Result<(Sym, Vec<String>), String> {
    let Value::Func(c) = f else {
        return Err("`diff` needs a function written in MML, such as `f(x) = x^2 * sin(x)`".into());
    };
    let body = match &c.proto.body {
        Body::Expr(e) => e,
        Body::Block(stmts) => match stmts.as_slice() {
            [s] => match &s.kind {
                StmtKind::Expr(e) | StmtKind::Return(Some(e)) => e,
                _ => return Err("`diff` works on functions whose body is one expression".into()),
            },
            _ => return Err("`diff` works on functions whose body is one expression".into()),
        },
    };
    let params = c.params().into_iter().map(str::to_string).collect();
    Ok((convert(c, body, global)?, params))
}

fn convert(c: &Closure, e: &crate::hir::Expr, global: &dyn Fn(u32) -> Option<Value>) -> Result<Sym, String> {
    let rc = |e: &crate::hir::Expr| convert(c, e, global).map(Rc::new);
    Ok(match &e.kind {
        ExprKind::Num(x) => Sym::Num(*x),
        ExprKind::Var(Var::Local(i), name) => {
            let i = *i as usize;
            if i < c.proto.params.len() {
                Sym::Var(i)
            } else {
                // A captured value is a constant of the formula.
                let base = (c.proto.nslots - c.proto.ncaptures) as usize;
                match i.checked_sub(base).and_then(|k| c.captures.get(k)).cloned().flatten() {
                    Some(Value::Num(x)) => Sym::Num(x),
                    _ => return Err(format!("`{name}` is not a number known when the function was made")),
                }
            }
        }
        ExprKind::Var(Var::Global(slot), name) => match global(*slot) {
            Some(Value::Num(x)) => Sym::Num(x),
            _ => {
                return Err(format!(
                    "the formula uses `{name}`, which is not a number; `diff` differentiates formulas of the parameters with numbers"
                ))
            }
        },
        ExprKind::Unary(UnOp::Neg, x) => Sym::Neg(rc(x)?),
        ExprKind::Unary(UnOp::Plus, x) => convert(c, x, global)?,
        ExprKind::Binary(op, a, b) => {
            let (a, b) = (rc(a)?, rc(b)?);
            match op {
                BinOp::Add => Sym::Add(a, b),
                BinOp::Sub => Sym::Sub(a, b),
                BinOp::Mul | BinOp::ElemMul => Sym::Mul(a, b),
                BinOp::Div | BinOp::ElemDiv => Sym::Div(a, b),
                BinOp::Pow | BinOp::ElemPow => Sym::Pow(a, b),
                other => return Err(format!("`{}` has no symbolic derivative", other.symbol())),
            }
        }
        ExprKind::Call(f, args) => match (&f.kind, args.as_slice()) {
            (ExprKind::Builtin(b), [arg]) if arg.name.is_none() && FUNCTIONS.contains(&b.name) => {
                Sym::Call(b, rc(&arg.value)?)
            }
            _ => return Err("`diff` knows the elementary functions (sin, cos, exp, log, sqrt, …) of the parameters".into()),
        },
        ExprKind::Deep(_) => {
            return Err(format!(
                "the formula is nested more than {} levels deep, too deep to write out; `derivative(f)` gives its exact derivative as a function",
                crate::hir::DEEP_EVERY
            ))
        }
        _ => return Err("`diff` works on formulas of numbers, parameters, + - * / ^ and elementary functions".into()),
    })
}

fn num(x: f64) -> Rc<Sym> {
    Rc::new(Sym::Num(x))
}

/// A call of the library's function `name`.
fn call(name: &str, lib: &'static [&'static Builtin], arg: Rc<Sym>) -> Result<Sym, String> {
    lib.iter()
        .copied()
        .find(|b| b.name == name)
        .map(|b| Sym::Call(b, arg))
        .ok_or_else(|| format!("`{name}` is not available"))
}

/// The derivative of `s` with respect to parameter `var`, simplified.
pub fn derivative(s: &Sym, var: usize, library: &'static [&'static Builtin]) -> Result<Sym, String> {
    Ok(simplify(&d(s, var, library)?))
}

fn d(s: &Sym, var: usize, lib: &'static [&'static Builtin]) -> Result<Sym, String> {
    use Sym::*;
    let rc = Rc::new;
    let dd = |e: &Sym| d(e, var, lib).map(Rc::new);
    Ok(match s {
        Num(_) => Num(0.0),
        Var(i) => Num(if *i == var { 1.0 } else { 0.0 }),
        Neg(a) => Neg(dd(a)?),
        Add(a, b) => Add(dd(a)?, dd(b)?),
        Sub(a, b) => Sub(dd(a)?, dd(b)?),
        Mul(a, b) => Add(rc(Mul(dd(a)?, b.clone())), rc(Mul(a.clone(), dd(b)?))),
        Div(a, b) => Div(rc(Sub(rc(Mul(dd(a)?, b.clone())), rc(Mul(a.clone(), dd(b)?)))), rc(Pow(b.clone(), num(2.0)))),
        Pow(a, b) => {
            let db = d(b, var, lib)?;
            if simplify(&db) == Num(0.0) {
                // (a^n)' = n a^(n-1) a'
                Mul(rc(Mul(b.clone(), rc(Pow(a.clone(), rc(Sub(b.clone(), num(1.0))))))), dd(a)?)
            } else {
                // (a^b)' = a^b (b' log(a) + b a' / a)
                let log_a = rc(call("log", lib, a.clone())?);
                Mul(rc(s.clone()), rc(Add(rc(Mul(rc(db), log_a)), rc(Div(rc(Mul(b.clone(), dd(a)?)), a.clone())))))
            }
        }
        Call(f, a) => {
            let sq = |e: &Rc<Sym>| rc(Pow(e.clone(), num(2.0)));
            let outer = match f.name {
                "sin" => call("cos", lib, a.clone())?,
                "cos" => Neg(rc(call("sin", lib, a.clone())?)),
                "tan" => Div(num(1.0), sq(&rc(call("cos", lib, a.clone())?))),
                "exp" => s.clone(),
                "log" => Div(num(1.0), a.clone()),
                "sqrt" => Div(num(1.0), rc(Mul(num(2.0), rc(s.clone())))),
                "asin" => Div(num(1.0), rc(call("sqrt", lib, rc(Sub(num(1.0), sq(a))))?)),
                "acos" => Neg(rc(Div(num(1.0), rc(call("sqrt", lib, rc(Sub(num(1.0), sq(a))))?)))),
                "atan" => Div(num(1.0), rc(Add(num(1.0), sq(a)))),
                "tanh" => Sub(num(1.0), sq(&rc(s.clone()))),
                // sigmoid' = sigmoid (1 - sigmoid)
                _ => Mul(rc(s.clone()), rc(Sub(num(1.0), rc(s.clone())))),
            };
            Mul(rc(outer), dd(a)?)
        }
    })
}

/// Folds constants and removes zeros and ones.
pub fn simplify(s: &Sym) -> Sym {
    use Sym::*;
    match s {
        Num(_) | Var(_) => s.clone(),
        Neg(a) => match simplify(a) {
            Num(x) => Num(-x),
            Neg(b) => (*b).clone(),
            // -(c*e) = (-c)*e
            Mul(c, e) if matches!(*c, Num(_)) => match &*c {
                Num(x) => Mul(num(-x), e),
                _ => Neg(Rc::new(Mul(c, e))),
            },
            a => Neg(Rc::new(a)),
        },
        Add(a, b) => match (simplify(a), simplify(b)) {
            (Num(x), Num(y)) => Num(x + y),
            (Num(z), e) | (e, Num(z)) if z == 0.0 => e,
            (a, Neg(b)) => Sub(Rc::new(a), b),
            (a, b) if a == b => simplify(&Mul(num(2.0), Rc::new(a))),
            (a, b) => Add(Rc::new(a), Rc::new(b)),
        },
        Sub(a, b) => match (simplify(a), simplify(b)) {
            (Num(x), Num(y)) => Num(x - y),
            (e, Num(0.0)) => e,
            (Num(0.0), e) => simplify(&Neg(Rc::new(e))),
            (a, b) if a == b => Num(0.0),
            (a, b) => Sub(Rc::new(a), Rc::new(b)),
        },
        Mul(a, b) => match (simplify(a), simplify(b)) {
            (Num(x), Num(y)) => Num(x * y),
            (Num(z), _) | (_, Num(z)) if z == 0.0 => Num(0.0),
            (Num(o), e) | (e, Num(o)) if o == 1.0 => e,
            (Num(m), e) | (e, Num(m)) if m == -1.0 => Neg(Rc::new(e)),
            // Numbers first: 2*x rather than x*2; gather numbers: 2*(3*x) = 6*x.
            (e, Num(x)) => simplify(&Mul(num(x), Rc::new(e))),
            (Num(x), Mul(p, q)) if matches!(*p, Num(_)) => match &*p {
                Num(y) => simplify(&Mul(num(x * y), q)),
                _ => Mul(num(x), Rc::new(Mul(p, q))),
            },
            (Neg(a), b) | (b, Neg(a)) => simplify(&Neg(Rc::new(Mul(a, Rc::new(b))))),
            // (1/b)*c = c/b
            (Div(o, b), c) | (c, Div(o, b)) if *o == Num(1.0) => simplify(&Div(Rc::new(c), b)),
            // a*(c*b) = c*(a*b) for a number c
            (a, Mul(c, b)) if matches!(*c, Num(_)) => simplify(&Mul(c, Rc::new(Mul(Rc::new(a), b)))),
            (a, b) if a == b => Pow(Rc::new(a), num(2.0)),
            (a, b) => Mul(Rc::new(a), Rc::new(b)),
        },
        Div(a, b) => match (simplify(a), simplify(b)) {
            (Num(x), Num(y)) if y != 0.0 => Num(x / y),
            // (c*p)/(c*q) = p/q
            (Mul(c, p), Mul(d, q)) if c == d && matches!(*c, Num(_)) => simplify(&Div(p, q)),
            (Num(0.0), _) => Num(0.0),
            (e, Num(1.0)) => e,
            (a, b) if a == b => Num(1.0),
            (a, b) => Div(Rc::new(a), Rc::new(b)),
        },
        Pow(a, b) => match (simplify(a), simplify(b)) {
            (Num(x), Num(y)) => Num(x.powf(y)),
            (_, Num(0.0)) => Num(1.0),
            (e, Num(1.0)) => e,
            (a, b) => Pow(Rc::new(a), Rc::new(b)),
        },
        Call(f, a) => Call(f, Rc::new(simplify(a))),
    }
}

/// Precedence for printing: sums 1, products 2, unary minus 3, powers 4, atoms 5.
fn prec(s: &Sym) -> u8 {
    match s {
        Sym::Add(..) | Sym::Sub(..) => 1,
        Sym::Mul(..) | Sym::Div(..) => 2,
        Sym::Neg(_) => 3,
        Sym::Pow(..) => 4,
        Sym::Num(x) if *x < 0.0 => 3,
        _ => 5,
    }
}

/// The formula as MML source, with as few parentheses as the precedence allows.
pub fn to_source(s: &Sym, params: &[String]) -> String {
    let mut out = String::new();
    write_sym(&mut out, s, params);
    out
}

fn write_sym(out: &mut String, s: &Sym, params: &[String]) {
    let child = |out: &mut String, c: &Sym, min: u8| {
        if prec(c) < min {
            out.push('(');
            write_sym(out, c, params);
            out.push(')');
        } else {
            write_sym(out, c, params);
        }
    };
    match s {
        Sym::Num(x) => out.push_str(&format_number(*x)),
        Sym::Var(i) => out.push_str(params.get(*i).map_or("x", String::as_str)),
        Sym::Neg(a) => {
            out.push('-');
            // -(a*b) prints as -a*b: negation commutes with products.
            child(out, a, if matches!(**a, Sym::Mul(..) | Sym::Div(..)) { 2 } else { 3 });
        }
        Sym::Add(a, b) => {
            child(out, a, 1);
            out.push_str(" + ");
            child(out, b, 2);
        }
        Sym::Sub(a, b) => {
            child(out, a, 1);
            out.push_str(" - ");
            child(out, b, 2);
        }
        Sym::Mul(a, b) => {
            child(out, a, 2);
            out.push('*');
            child(out, b, if matches!(**b, Sym::Mul(..)) { 2 } else { 3 });
        }
        Sym::Div(a, b) => {
            child(out, a, 2);
            out.push('/');
            child(out, b, 4);
        }
        Sym::Pow(a, b) => {
            child(out, a, 5);
            out.push('^');
            child(out, b, 4);
        }
        Sym::Call(f, a) => {
            let _ = write!(out, "{}(", f.name);
            write_sym(out, a, params);
            out.push(')');
        }
    }
}
