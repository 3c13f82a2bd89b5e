//! Compiled numeric code: element reads, arithmetic on numbers and element writes, turned
//! by the resolver into closures specialised for where each variable lives (a frame slot or
//! a global) and how each index is read (a number, a variable plus a constant, `end` plus a
//! constant), so that running one costs a few direct loads and an indirect call per
//! operation instead of a walk over the tree with a `match` at every node.
//!
//! Compiled code has no effect until its last step, and gives up (`None`) the moment a
//! variable holds anything but what it expects (a number, a matrix) or an index is not a
//! whole number in range: the interpreter then runs the same tree the general way, which
//! computes the same value or reports the error. The arithmetic is [`super::num_binary`]'s,
//! so both ways give the same bits.

use std::fmt;
use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};

use super::index::whole_index;
use super::{num_binary, Interp};
use crate::hir::{Expr, ExprKind, IndexOp, IndexPlan, Var};
use crate::value::{Matrix, Value};

/// The code of a [`Num`].
type NumCode = dyn Fn(&Interp<'_>) -> Option<f64>;

/// A compiled number: an element read or arithmetic on numbers.
pub(crate) struct Num(Box<NumCode>);

impl Num {
    /// The number, or `None` when the general path must compute it.
    #[inline(always)]
    pub(crate) fn get(&self, it: &Interp<'_>) -> Option<f64> {
        (self.0)(it)
    }
}

impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<compiled number>")
    }
}

/// The code of a [`Store`].
type StoreCode = dyn Fn(&mut Interp<'_>) -> Option<()>;

/// A compiled element write `v[i] = x` or `A[i, j] op= x` of a number into a matrix.
pub(crate) struct Store(Box<StoreCode>);

impl Store {
    /// Writes the element in place (copy-on-write), or returns `None`, having changed
    /// nothing, when the general path must run the statement.
    #[inline(always)]
    pub(crate) fn run(&self, it: &mut Interp<'_>) -> Option<()> {
        (self.0)(it)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<compiled store>")
    }
}

/// Where a variable's value lives.
trait Slot: Copy + 'static {
    fn value<'a>(self, it: &'a Interp<'_>) -> Option<&'a Value>;
    fn value_mut<'a>(self, it: &'a mut Interp<'_>) -> Option<&'a mut Value>;
}

/// A slot of the running frame.
#[derive(Clone, Copy)]
struct Local(usize);

impl Slot for Local {
    #[inline(always)]
    fn value<'a>(self, it: &'a Interp<'_>) -> Option<&'a Value> {
        it.stack.get(it.base + self.0)?.as_ref()
    }

    #[inline(always)]
    fn value_mut<'a>(self, it: &'a mut Interp<'_>) -> Option<&'a mut Value> {
        it.stack.get_mut(it.base + self.0)?.as_mut()
    }
}

/// A session global.
#[derive(Clone, Copy)]
struct Global(usize);

impl Slot for Global {
    #[inline(always)]
    fn value<'a>(self, it: &'a Interp<'_>) -> Option<&'a Value> {
        it.globals.get(self.0)?.as_ref()
    }

    #[inline(always)]
    fn value_mut<'a>(self, it: &'a mut Interp<'_>) -> Option<&'a mut Value> {
        it.globals.get_mut(self.0)?.as_mut()
    }
}

/// Something read as a number: an operand of arithmetic, or an index given the length of
/// the dimension it indexes (for `end`).
trait Operand: 'static {
    fn num(&self, it: &Interp<'_>, len: usize) -> Option<f64>;
}

/// A number written in the script.
#[derive(Clone, Copy)]
struct Const(f64);

impl Operand for Const {
    #[inline(always)]
    fn num(&self, _: &Interp<'_>, _: usize) -> Option<f64> {
        Some(self.0)
    }
}

/// A variable holding a number (`j`).
#[derive(Clone, Copy)]
struct Same<S>(S);

impl<S: Slot> Operand for Same<S> {
    #[inline(always)]
    fn num(&self, it: &Interp<'_>, _: usize) -> Option<f64> {
        match self.0.value(it)? {
            Value::Num(x) => Some(*x),
            _ => None,
        }
    }
}

/// A variable plus a constant (`j + 1`, `i - 1`), added as `+` adds.
#[derive(Clone, Copy)]
struct Plus<S>(S, f64);

impl<S: Slot> Operand for Plus<S> {
    #[inline(always)]
    fn num(&self, it: &Interp<'_>, len: usize) -> Option<f64> {
        Some(Same(self.0).num(it, len)? + self.1)
    }
}

/// `end` plus a constant.
#[derive(Clone, Copy)]
struct End(f64);

impl Operand for End {
    #[inline(always)]
    fn num(&self, _: &Interp<'_>, len: usize) -> Option<f64> {
        Some(len as i64 as f64 + self.0)
    }
}

impl Operand for Num {
    #[inline(always)]
    fn num(&self, it: &Interp<'_>, _: usize) -> Option<f64> {
        (self.0)(it)
    }
}

/// An element of the matrix a variable holds, by planned indices.
trait Position: Copy + 'static {
    /// The matrix and the column-major position of the element.
    fn at<'a>(self, it: &'a Interp<'_>) -> Option<(&'a Matrix, usize)>;
    /// The variable's value, to write into.
    fn value_mut<'a>(self, it: &'a mut Interp<'_>) -> Option<&'a mut Value>;
}

/// `v[i]`: one index over all the elements in column-major order.
#[derive(Clone, Copy)]
struct P1<S, I>(S, I);

impl<S: Slot, I: Operand + Copy> Position for P1<S, I> {
    #[inline(always)]
    fn at<'a>(self, it: &'a Interp<'_>) -> Option<(&'a Matrix, usize)> {
        let Value::Matrix(m) = self.0.value(it)? else { return None };
        let n = m.len();
        Some((m, whole_index(self.1.num(it, n)?, n)?))
    }

    #[inline(always)]
    fn value_mut<'a>(self, it: &'a mut Interp<'_>) -> Option<&'a mut Value> {
        self.0.value_mut(it)
    }
}

/// `A[i, j]`.
#[derive(Clone, Copy)]
struct P2<S, I, J>(S, I, J);

impl<S: Slot, I: Operand + Copy, J: Operand + Copy> Position for P2<S, I, J> {
    #[inline(always)]
    fn at<'a>(self, it: &'a Interp<'_>) -> Option<(&'a Matrix, usize)> {
        let Value::Matrix(m) = self.0.value(it)? else { return None };
        let (rows, cols) = m.shape();
        let i = whole_index(self.1.num(it, rows)?, rows)?;
        let j = whole_index(self.2.num(it, cols)?, cols)?;
        Some((m, i + j * rows))
    }

    #[inline(always)]
    fn value_mut<'a>(self, it: &'a mut Interp<'_>) -> Option<&'a mut Value> {
        self.0.value_mut(it)
    }
}

/// Runs `$body` with `$s` bound to the [`Slot`] of `$var`.
macro_rules! with_slot {
    ($var:expr, $s:ident => $body:expr) => {
        match $var {
            Var::Local(k) => {
                let $s = Local(k as usize);
                $body
            }
            Var::Global(k) => {
                let $s = Global(k as usize);
                $body
            }
        }
    };
}

/// Runs `$body` with `$i` bound to the [`Operand`] of planned index `$op`; returns `None`
/// from the enclosing function for an index that is not planned.
macro_rules! with_index {
    ($op:expr, $i:ident => $body:expr) => {
        match $op {
            IndexOp::Num(c) => {
                let $i = Const(c);
                $body
            }
            IndexOp::Var(v, c) if c == 0.0 => with_slot!(v, s => {
                let $i = Same(s);
                $body
            }),
            IndexOp::Var(v, c) => with_slot!(v, s => {
                let $i = Plus(s, c);
                $body
            }),
            IndexOp::End(c) => {
                let $i = End(c);
                $body
            }
            IndexOp::Eval => return None,
        }
    };
}

/// Runs `$body` with `$p` bound to the [`Position`] of `$var` at `$n` planned indices.
macro_rules! with_position {
    ($var:expr, $plan:expr, $n:expr, $p:ident => $body:expr) => {
        with_slot!($var, s => {
            if $n == 1 {
                with_index!($plan[0], i => {
                    let $p = P1(s, i);
                    $body
                })
            } else {
                with_index!($plan[0], i => with_index!($plan[1], j => {
                    let $p = P2(s, i, j);
                    $body
                }))
            }
        })
    };
}

/// The compiled read of an element whose indices are all planned.
pub(crate) fn element(var: Var, plan: &IndexPlan, n: usize) -> Option<Num> {
    fn read<P: Position>(p: P) -> Num {
        Num(Box::new(move |it| {
            let (m, k) = p.at(it)?;
            m.as_slice().get(k).copied()
        }))
    }
    Some(with_position!(var, plan, n, p => read(p)))
}

/// Arithmetic on numbers, as `ops` does it for two numbers.
#[inline(always)]
fn arith(op: BinOp, x: f64, y: f64) -> Option<f64> {
    match num_binary(op, x, y)? {
        Value::Num(z) => Some(z),
        _ => None,
    }
}

/// An operand of compiled arithmetic: leaves are read inline, the rest through a call.
enum Leaf {
    Const(f64),
    Var(Var),
    Code(Num),
}

fn leaf(e: &Expr, depth: usize) -> Option<Leaf> {
    Some(match &e.kind {
        ExprKind::Num(x) => Leaf::Const(*x),
        ExprKind::Var(v, _) => Leaf::Var(*v),
        _ => Leaf::Code(compile_at(e, depth + 1)?),
    })
}

/// Runs `$body` with `$a` bound to the [`Operand`] of leaf `$leaf`.
macro_rules! with_leaf {
    ($leaf:expr, $a:ident => $body:expr) => {
        match $leaf {
            Leaf::Const(c) => {
                let $a = Const(c);
                $body
            }
            Leaf::Var(v) => with_slot!(v, s => {
                let $a = Same(s);
                $body
            }),
            Leaf::Code(code) => {
                let $a = code;
                $body
            }
        }
    };
}

fn binary<A: Operand, B: Operand>(op: BinOp, a: A, b: B) -> Num {
    match op {
        BinOp::Add => Num(Box::new(move |it| Some(a.num(it, 0)? + b.num(it, 0)?))),
        BinOp::Sub => Num(Box::new(move |it| Some(a.num(it, 0)? - b.num(it, 0)?))),
        BinOp::Mul | BinOp::ElemMul => Num(Box::new(move |it| Some(a.num(it, 0)? * b.num(it, 0)?))),
        _ => Num(Box::new(move |it| Some(a.num(it, 0)? / b.num(it, 0)?))),
    }
}

/// How deep compiled arithmetic nests at most: deeper formulas (rare in loops) are left to the
/// interpreter, so that compiling, running and dropping the code need little stack.
const MAX_DEPTH: usize = 32;

/// The compiled form of arithmetic on numbers (`+ - * / .* ./` and unary minus over
/// numbers, variables and planned element reads, nested at most [`MAX_DEPTH`] deep); `None`
/// for anything else.
pub(crate) fn compile(e: &Expr) -> Option<Num> {
    stacker::maybe_grow(128 * 1024, 1024 * 1024, || compile_at(e, 0))
}

fn compile_at(e: &Expr, depth: usize) -> Option<Num> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Var(..) => {
            with_leaf!(leaf(e, depth)?, a => Some(Num(Box::new(move |it| a.num(it, 0)))))
        }
        ExprKind::Element(el) => element(el.var, &el.plan, el.ix.len()),
        ExprKind::Binary(
            op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::ElemMul | BinOp::ElemDiv),
            l,
            r,
        ) => {
            let (a, b) = (leaf(l, depth)?, leaf(r, depth)?);
            Some(with_leaf!(a, a => with_leaf!(b, b => binary(*op, a, b))))
        }
        ExprKind::Unary(UnOp::Neg, x) => {
            let a = compile_at(x, depth + 1)?;
            Some(Num(Box::new(move |it| Some(-a.get(it)?))))
        }
        _ => None,
    }
}

/// Whether compiling `e` as the value of `x = e` beats evaluating it: not for a number or
/// a variable, which the interpreter reads in place.
pub(crate) fn worth_compiling(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Element(_) | ExprKind::Binary(..) | ExprKind::Unary(..))
}

/// The compiled write `place = e` or `place op= e` of element `var[…]` with planned
/// indices, when `e` compiles and `op` is arithmetic.
pub(crate) fn store(var: Var, plan: &IndexPlan, n: usize, op: Option<BinOp>, e: &Expr) -> Option<Store> {
    if let Some(op) = op {
        arith(op, 1.0, 1.0)?;
    }
    let value = compile(e)?;
    fn write<P: Position>(p: P, op: Option<BinOp>, value: Num) -> Store {
        Store(Box::new(move |it| {
            let x = value.get(it)?;
            let (m, k) = p.at(it)?;
            if m.len() <= 1 {
                return None;
            }
            let new = match op {
                None => x,
                Some(op) => arith(op, *m.as_slice().get(k)?, x)?,
            };
            let Value::Matrix(m) = p.value_mut(it)? else { return None };
            // An unshared matrix (the loop's case) is written with the inlined check alone.
            if Rc::get_mut(m).is_none() {
                Rc::make_mut(m);
            }
            *Rc::get_mut(m)?.as_mut_slice().get_mut(k)? = new;
            Some(())
        }))
    }
    Some(with_position!(var, plan, n, p => write(p, op, value)))
}
