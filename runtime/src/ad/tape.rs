//! Reverse-mode automatic differentiation: a tape of the linear maps that carry tangents.
//!
//! In reverse mode (`grad` of a function of many inputs) a dual's tangent is not a value but
//! a node on this tape, [`Value::Lin`]. The forward rules in [`super`] build every result's
//! tangent from its operands' tangents with linear operations only (sums, products with
//! constants, transposes, selections), and the tape records each one instead of computing it.
//! One backward sweep then carries the output's adjoint to every input: the gradient of a
//! function of n inputs costs a small multiple of one run of the function, not n runs.
//!
//! Invariants:
//! - the constants recorded are plain numbers and matrices, never duals: reverse mode is the
//!   outermost differentiation (`grad` falls back to forward mode when nested inside another
//!   one, see [`Recording::unsupported`]);
//! - a node's operands are earlier nodes, so the backward sweep, last node first, reaches a
//!   node only after every use of it;
//! - a node's shape is its tangent's shape, which is its primal's shape; shapes are checked
//!   when a node is recorded, so the sweep's matrix arithmetic always fits.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use mml_lang::ast::BinOp;

use crate::ops::{self, OpError, Side};
use crate::value::{Matrix, Value};

/// A tangent on the tape: which tape, and which node on it. The top bit of `tape` marks a
/// 1×1 node, so the shape of the many scalar tangents of a loop is known without a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinRef {
    tape: u32,
    node: u32,
}

/// The bit of [`LinRef::tape`] that marks a 1×1 node.
const SCALAR: u32 = 1 << 31;

impl LinRef {
    /// The tangent's shape (that of the value it belongs to).
    pub fn shape(self) -> (usize, usize) {
        if self.tape & SCALAR != 0 {
            return (1, 1);
        }
        TAPE.with(|t| match &*t.borrow() {
            Some(tape) if tape.id == self.tape => tape.nodes.get(self.node as usize).map_or((0, 0), |n| n.shape),
            _ => (0, 0),
        })
    }

    /// The tape this tangent is on.
    fn tape_id(self) -> u32 {
        self.tape & !SCALAR
    }
}

/// How a node's tangent is made from earlier ones.
#[derive(Debug)]
enum Op {
    /// An input.
    Leaf,
    /// `a + b`, either side broadcast to the node's shape.
    Add(u32, u32),
    /// `a` broadcast (a number, a row or a column) to the node's shape.
    Broadcast(u32),
    /// `s · a`.
    Scale(u32, f64),
    /// `a .* c`, broadcasting between the two.
    ElemMul(u32, Rc<Matrix>),
    /// `c * a`.
    MulLeft(Rc<Matrix>, u32),
    /// `a * c`.
    MulRight(u32, Rc<Matrix>),
    /// `c \ a` (a solve, or least squares when `c` is not square).
    LeftDiv(Rc<Matrix>, u32),
    /// `a'`.
    Transpose(u32),
    /// `a` with the same elements (column-major) in the node's shape.
    Reshape(u32),
    /// `out[k] = a[pos[k]]`.
    Gather(u32, Box<[u32]>),
    /// One element of `a` (a 1×1 node): a gather without the allocation.
    Element(u32, u32),
    /// Elements picked from several tangents (see [`Placement`]).
    Place(Box<Placement>),
    /// `base` (or zeros) with the elements at `pos` replaced by `src` (or zeros); a 1×1 `src`
    /// fills every position.
    Assign(Box<Assignment>),
}

/// Where a [`Op::Place`] takes its elements from: `labels[k]` is 0 (a zero) or 1 + an element
/// number counted across `parts`, each part being (node, first element number).
#[derive(Debug)]
struct Placement {
    parts: Box<[(u32, usize)]>,
    labels: Box<[usize]>,
}

/// An [`Op::Assign`]'s operands.
#[derive(Debug)]
struct Assignment {
    base: Option<u32>,
    pos: Box<[u32]>,
    src: Option<u32>,
}

#[derive(Debug)]
struct Node {
    shape: (usize, usize),
    op: Op,
}

#[derive(Debug)]
struct Tape {
    id: u32,
    nodes: Vec<Node>,
    /// Numbers held by the tape's constants, against [`MAX_STORED`].
    stored: usize,
    /// Set when an operation could not be recorded (see [`Recording::unsupported`]).
    unsupported: bool,
}

/// At most this many numbers are kept alive by a tape (2 GiB of constants).
const MAX_STORED: usize = 1 << 28;

thread_local! {
    static TAPE: RefCell<Option<Tape>> = const { RefCell::new(None) };
    static NEXT_TAPE: Cell<u32> = const { Cell::new(1) };
}

/// One reverse-mode differentiation in progress: the tape exists while this lives.
#[derive(Debug)]
pub struct Recording {
    id: u32,
}

impl Recording {
    /// Starts a tape; `None` when one is already recording (a gradient inside a function being
    /// differentiated in reverse mode runs in forward mode instead).
    pub fn start() -> Option<Recording> {
        TAPE.with(|t| {
            let mut t = t.borrow_mut();
            if t.is_some() {
                return None;
            }
            let id = NEXT_TAPE.with(|n| {
                let id = n.get();
                n.set(((id + 1) % SCALAR).max(1));
                id
            });
            *t = Some(Tape { id, nodes: Vec::new(), stored: 0, unsupported: false });
            Some(Recording { id })
        })
    }

    /// A new input of the given shape: its tangent, to seed a dual with.
    pub fn input(&self, shape: (usize, usize)) -> Value {
        push(shape, Op::Leaf, 0).unwrap_or(Value::Num(0.0))
    }

    /// Whether the function did something reverse mode cannot record (an operation with a
    /// value being differentiated by an enclosing forward-mode derivative); the caller then
    /// differentiates in forward mode instead.
    pub fn unsupported(&self) -> bool {
        TAPE.with(|t| t.borrow().as_ref().is_some_and(|tape| tape.unsupported))
    }

    /// The gradients of a scalar output with tangent `out` (a [`Value::Lin`], or the number 0
    /// when the output does not depend on the inputs) with respect to `inputs` (the values
    /// [`Recording::input`] returned), in the inputs' shapes. `None` when `out` is neither
    /// (the tape did not see the whole computation: use forward mode).
    pub fn gradients(&self, out: &Value, inputs: &[Value]) -> Option<Vec<Matrix>> {
        let zeros = |v: &Value| {
            let (r, c) = lin_of(v).map_or((1, 1), LinRef::shape);
            Matrix::zeros(r, c)
        };
        let out = match out {
            Value::Lin(l) if l.tape_id() == self.id => *l,
            Value::Num(z) if *z == 0.0 => return Some(inputs.iter().map(zeros).collect()),
            _ => return None,
        };
        TAPE.with(|t| {
            let t = t.borrow();
            let tape = t.as_ref().filter(|tape| tape.id == self.id)?;
            let mut adj = sweep(tape, out);
            Some(
                inputs
                    .iter()
                    .map(|v| match lin_of(v) {
                        Some(l) if l.tape_id() == self.id => {
                            let shape = tape.nodes[l.node as usize].shape;
                            std::mem::take(&mut adj[l.node as usize]).into_dense(shape)
                        }
                        _ => zeros(v),
                    })
                    .collect(),
            )
        })
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        TAPE.with(|t| {
            let mut t = t.borrow_mut();
            if t.as_ref().is_some_and(|tape| tape.id == self.id) {
                *t = None;
            }
        });
    }
}

fn lin_of(v: &Value) -> Option<LinRef> {
    match v {
        Value::Lin(l) => Some(*l),
        _ => None,
    }
}

/// The error for an operation reverse mode cannot record; it also marks the tape so that the
/// gradient is taken in forward mode instead.
fn unsupported(message: &str) -> OpError {
    TAPE.with(|t| {
        if let Some(tape) = t.borrow_mut().as_mut() {
            tape.unsupported = true;
        }
    });
    OpError::Other {
        side: Side::Lhs,
        code: "not-differentiable",
        message: format!("cannot differentiate this in reverse mode: {message}"),
        help: Vec::new(),
    }
}

/// Records a node holding `stored` numbers of constants and returns its tangent.
fn push(shape: (usize, usize), op: Op, stored: usize) -> Result<Value, OpError> {
    TAPE.with(|t| {
        let mut t = t.borrow_mut();
        let Some(tape) = t.as_mut() else {
            return Err(unsupported("no gradient is being taken"));
        };
        tape.stored += stored + 1;
        if tape.stored > MAX_STORED {
            return Err(OpError::Other {
                side: Side::Lhs,
                code: "limit-exceeded",
                message: format!("the gradient's record of operations grew past {MAX_STORED} numbers"),
                help: vec!["differentiate a smaller computation, or use `numgrad`".into()],
            });
        }
        let node = u32::try_from(tape.nodes.len()).map_err(|_| unsupported("too many operations"))?;
        tape.nodes.push(Node { shape, op });
        let scalar = if shape == (1, 1) { SCALAR } else { 0 };
        Ok(Value::Lin(LinRef { tape: tape.id | scalar, node }))
    })
}

/// The node of `l` on the current tape, checked.
fn node(l: LinRef) -> Result<u32, OpError> {
    let live = TAPE.with(|t| t.borrow().as_ref().is_some_and(|tape| tape.id == l.tape_id()));
    if live {
        Ok(l.node)
    } else {
        Err(unsupported("a value from a finished differentiation was used"))
    }
}

/// A constant operand as a matrix, or `unsupported` when it carries a derivative itself.
fn constant(v: &Value) -> Result<Rc<Matrix>, OpError> {
    match v {
        Value::Num(_) | Value::Bool(_) | Value::Matrix(_) | Value::Range(_) => {
            v.to_matrix().ok_or_else(|| unsupported("a value that is not a number"))
        }
        Value::Dual(_) => Err(unsupported("a value differentiated by an enclosing derivative")),
        other => Err(OpError::Type {
            side: Side::Rhs,
            expected: "a number or matrix".into(),
            found: crate::display::describe(other),
        }),
    }
}

/// The shape of `a ∘ b` under element-wise broadcasting, if the two fit.
fn broadcast_shape(a: (usize, usize), b: (usize, usize)) -> Result<(usize, usize), OpError> {
    let dim = |x: usize, y: usize| {
        if x == y || y == 1 {
            Some(x)
        } else if x == 1 {
            Some(y)
        } else {
            None
        }
    };
    match (dim(a.0, b.0), dim(a.1, b.1)) {
        (Some(r), Some(c)) => Ok((r, c)),
        _ => Err(OpError::Shape { lhs: a, rhs: b, rule: "element-wise operands must fit".into(), help: Vec::new() }),
    }
}

/// `a` spread to `shape` (nothing to record when it already has it).
pub(crate) fn broadcast(a: LinRef, shape: (usize, usize)) -> Result<Value, OpError> {
    let from = a.shape();
    if from == shape {
        return Ok(Value::Lin(a));
    }
    broadcast_shape(shape, from)?;
    push(shape, Op::Broadcast(node(a)?), 0)
}

/// Whether every element of a constant is zero (tangents add only to zero constants).
fn all_zero(c: &Matrix) -> bool {
    c.iter().all(|x| *x == 0.0)
}

/// A binary operator where at least one operand is a tangent on the tape.
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, OpError> {
    use BinOp::*;
    match (lin_of(a), lin_of(b)) {
        (Some(x), Some(y)) => match op {
            Add | Sub => {
                let shape = broadcast_shape(x.shape(), y.shape())?;
                let y = if op == Sub { scale(y, -1.0)? } else { y };
                push(shape, Op::Add(node(x)?, node(y)?), 0)
            }
            _ => Err(unsupported("a product of two derivatives")),
        },
        (Some(x), None) => match scalar_constant(op, x, b, true) {
            Some(done) => done,
            None => with_constant(op, x, &constant(b)?, true),
        },
        (None, Some(y)) => match scalar_constant(op, y, a, false) {
            Some(done) => done,
            None => with_constant(op, y, &constant(a)?, false),
        },
        (None, None) => ops::binary(op, a, b),
    }
}

fn lin(v: Value) -> Result<LinRef, OpError> {
    lin_of(&v).ok_or_else(|| unsupported("an unexpected constant"))
}

fn scale(a: LinRef, s: f64) -> Result<LinRef, OpError> {
    lin(push(a.shape(), Op::Scale(node(a)?, s), 0)?)
}

/// `op` between tangent `x` and a number `c`, the common case in scalar code, recorded without
/// making a matrix of the number; `None` for everything else.
fn scalar_constant(op: BinOp, x: LinRef, c: &Value, lin_left: bool) -> Option<Result<Value, OpError>> {
    use BinOp::*;
    let Value::Num(c) = *c else { return None };
    let scaled = |s: f64| Some(scale(x, s).map(Value::Lin));
    match op {
        Mul | ElemMul => scaled(c),
        Div | ElemDiv if lin_left => scaled(1.0 / c),
        LeftDiv if !lin_left => scaled(1.0 / c),
        Add if c == 0.0 => Some(Ok(Value::Lin(x))),
        Sub if c == 0.0 && lin_left => Some(Ok(Value::Lin(x))),
        Sub if c == 0.0 => scaled(-1.0),
        _ => None,
    }
}

/// `op` between tangent `x` and constant `c`; `lin_left` says which side `x` is on.
fn with_constant(op: BinOp, x: LinRef, c: &Rc<Matrix>, lin_left: bool) -> Result<Value, OpError> {
    use BinOp::*;
    let xs = x.shape();
    let cs = c.shape();
    let scalar_c = cs == (1, 1);
    let shape_err = |rule: &str| {
        let (lhs, rhs) = if lin_left { (xs, cs) } else { (cs, xs) };
        OpError::Shape { lhs, rhs, rule: rule.into(), help: Vec::new() }
    };
    match op {
        // Tangents are only ever added to zero constants (the tangent of a constant).
        Add | Sub if all_zero(c) => {
            let shape = broadcast_shape(xs, cs)?;
            let x = if op == Sub && !lin_left { scale(x, -1.0)? } else { x };
            broadcast(x, shape)
        }
        Mul | ElemMul if scalar_c => Ok(Value::Lin(scale(x, c[0])?)),
        Mul if xs == (1, 1) => push(cs, Op::ElemMul(node(x)?, c.clone()), c.len()),
        ElemMul => {
            let shape = broadcast_shape(xs, cs)?;
            push(shape, Op::ElemMul(node(x)?, c.clone()), c.len())
        }
        Mul if lin_left => {
            if xs.1 != cs.0 {
                return Err(shape_err("a matrix product needs the columns of the left to match the rows of the right"));
            }
            push((xs.0, cs.1), Op::MulRight(node(x)?, c.clone()), c.len())
        }
        Mul => {
            if cs.1 != xs.0 {
                return Err(shape_err("a matrix product needs the columns of the left to match the rows of the right"));
            }
            push((cs.0, xs.1), Op::MulLeft(c.clone(), node(x)?), c.len())
        }
        Div | ElemDiv if lin_left && scalar_c => Ok(Value::Lin(scale(x, 1.0 / c[0])?)),
        ElemDiv if lin_left => {
            let shape = broadcast_shape(xs, cs)?;
            push(shape, Op::ElemMul(node(x)?, Rc::new(c.map(|v| 1.0 / v))), c.len())
        }
        // x / C = (C' \ x')'.
        Div if lin_left => {
            let t = lin(transpose(x)?)?;
            let solved = lin(with_constant(LeftDiv, t, &Rc::new(c.transpose()), false)?)?;
            transpose(solved)
        }
        LeftDiv if !lin_left && scalar_c => Ok(Value::Lin(scale(x, 1.0 / c[0])?)),
        LeftDiv if !lin_left => {
            if cs.0 != xs.0 {
                return Err(shape_err("`A \\ b` needs as many rows in b as in A"));
            }
            push((cs.1, xs.1), Op::LeftDiv(c.clone(), node(x)?), c.len())
        }
        _ => Err(unsupported("an operation that is not linear in the derivative")),
    }
}

/// `-a`.
pub(crate) fn neg(a: LinRef) -> Result<Value, OpError> {
    Ok(Value::Lin(scale(a, -1.0)?))
}

/// `a'`.
pub(crate) fn transpose(a: LinRef) -> Result<Value, OpError> {
    let (r, c) = a.shape();
    if r == 1 && c == 1 {
        return Ok(Value::Lin(a));
    }
    push((c, r), Op::Transpose(node(a)?), 0)
}

/// `a` with its elements (column-major) in `shape`.
pub fn reshape(a: LinRef, shape: (usize, usize)) -> Result<Value, OpError> {
    let (r, c) = a.shape();
    if r * c != shape.0 * shape.1 {
        return Err(OpError::Shape {
            lhs: (r, c),
            rhs: shape,
            rule: "a reshape keeps the number of elements".into(),
            help: Vec::new(),
        });
    }
    if (r, c) == shape {
        return Ok(Value::Lin(a));
    }
    push(shape, Op::Reshape(node(a)?), 0)
}

/// The elements of `a` at `pos` (column-major positions) in `shape`.
pub fn gather(a: LinRef, pos: Vec<usize>, shape: (usize, usize)) -> Result<Value, OpError> {
    let (r, c) = a.shape();
    if pos.iter().any(|&p| p >= r * c) || pos.len() != shape.0 * shape.1 {
        return Err(unsupported("an index out of range"));
    }
    if let [p] = pos[..] {
        return push(shape, Op::Element(node(a)?, p as u32), 0);
    }
    let pos = pos.into_iter().map(|p| p as u32).collect::<Box<[u32]>>();
    let n = pos.len();
    push(shape, Op::Gather(node(a)?, pos), n)
}

/// The tangent after `target[pos] = value`: `base` is the target's old tangent (a tangent on
/// the tape, or a zero) of shape `shape`, `src` the value's (one element, or one per position).
pub fn assign(base: &Value, shape: (usize, usize), pos: Vec<usize>, src: &Value) -> Result<Value, OpError> {
    let base = lin_of(base).map(node).transpose()?;
    let src_ref = lin_of(src);
    if let Some(s) = src_ref {
        let (r, c) = s.shape();
        if r * c != 1 && r * c != pos.len() {
            return Err(OpError::Shape {
                lhs: (pos.len(), 1),
                rhs: (r, c),
                rule: "the value assigned must have the shape of the selection, or be a number".into(),
                help: Vec::new(),
            });
        }
    }
    if pos.iter().any(|&p| p >= shape.0 * shape.1) {
        return Err(unsupported("an index out of range"));
    }
    let src = src_ref.map(node).transpose()?;
    if base.is_none() && src.is_none() {
        return Ok(Value::Num(0.0));
    }
    let pos = pos.into_iter().map(|p| p as u32).collect::<Box<[u32]>>();
    let n = pos.len();
    push(shape, Op::Assign(Box::new(Assignment { base, pos, src })), n)
}

/// Applies a linear function that only moves elements around (concatenation, reshaping,
/// taking a diagonal, indexing) to tangents `items` (on the tape, or zeros of their values'
/// shapes). `f` runs once on stand-ins that label every element; where each label lands says
/// where each element goes.
pub fn structural<E>(
    items: &[Value],
    f: &mut dyn FnMut(&[Value]) -> Result<Value, E>,
    error: impl Fn(OpError) -> E,
) -> Result<Value, E> {
    let mut parts = Vec::new();
    let mut labelled = Vec::with_capacity(items.len());
    let mut next = 0usize;
    for item in items {
        match lin_of(item) {
            Some(l) => {
                let (r, c) = l.shape();
                parts.push((node(l).map_err(&error)?, next));
                let labels = Matrix::from_fn(r, c, |i, j| (next + 1 + i + j * r) as f64);
                next += r * c;
                labelled.push(if (r, c) == (1, 1) { Value::Num(labels[0]) } else { Value::matrix(labels) });
            }
            None => labelled.push(match item.shape() {
                Some((r, c)) if (r, c) != (1, 1) => Value::matrix(Matrix::zeros(r, c)),
                _ => Value::Num(0.0),
            }),
        }
    }
    let out = f(&labelled)?;
    let Some(m) = out.to_matrix() else {
        return Err(error(unsupported("a result that is not a number or matrix")));
    };
    let labels: Box<[usize]> = m.iter().map(|&x| if x >= 1.0 && x <= next as f64 { x as usize } else { 0 }).collect();
    if labels.iter().all(|&l| l == 0) {
        return Ok(if m.len() == 1 { Value::Num(0.0) } else { Value::matrix(Matrix::zeros(m.nrows(), m.ncols())) });
    }
    let n = labels.len();
    push(m.shape(), Op::Place(Box::new(Placement { parts: parts.into_boxed_slice(), labels })), n).map_err(error)
}

/// An adjoint while sweeping: none yet, dense, or a few (position, value) contributions.
#[derive(Debug, Default)]
enum Adj {
    #[default]
    None,
    /// The adjoint of a 1×1 node, kept off the heap.
    Scalar(f64),
    Dense(Matrix),
    Sparse(Vec<(u32, f64)>),
}

impl Adj {
    fn into_dense(self, (r, c): (usize, usize)) -> Matrix {
        match self {
            Adj::None => Matrix::zeros(r, c),
            Adj::Scalar(x) => Matrix::from_element(r, c, x),
            Adj::Dense(m) => m,
            Adj::Sparse(entries) => {
                let mut m = Matrix::zeros(r, c);
                for (p, v) in entries {
                    m[p as usize] += v;
                }
                m
            }
        }
    }

    /// The adjoint of a 1×1 node as a number.
    fn into_scalar(self) -> f64 {
        match self {
            Adj::None => 0.0,
            Adj::Scalar(x) => x,
            Adj::Dense(m) => m.iter().sum(),
            Adj::Sparse(entries) => entries.iter().map(|(_, v)| v).sum(),
        }
    }

    /// Adds `x` to the adjoint of a 1×1 node.
    fn add_scalar(&mut self, x: f64) {
        match self {
            Adj::None => *self = Adj::Scalar(x),
            Adj::Scalar(y) => *y += x,
            Adj::Dense(d) => d[0] += x,
            Adj::Sparse(entries) => entries.push((0, x)),
        }
    }

    /// Adds `m` (of the slot's shape), moving it in when the slot is empty.
    fn add(&mut self, m: Matrix) {
        match self {
            Adj::None => *self = Adj::Dense(m),
            Adj::Scalar(x) => {
                let mut m = m;
                m[0] += *x;
                *self = Adj::Dense(m);
            }
            Adj::Dense(d) => *d += m,
            Adj::Sparse(entries) => {
                let mut m = m;
                for &(p, v) in entries.iter() {
                    m[p as usize] += v;
                }
                *self = Adj::Dense(m);
            }
        }
    }

    /// Adds `v` at position `p` of a slot of shape `shape`.
    fn add_at(&mut self, p: u32, v: f64, shape: (usize, usize)) {
        if shape == (1, 1) {
            return self.add_scalar(v);
        }
        match self {
            Adj::Scalar(x) => {
                let x = *x;
                *self = Adj::Sparse(vec![(0, x), (p, v)]);
            }
            Adj::Dense(d) => d[p as usize] += v,
            Adj::None => *self = Adj::Sparse(vec![(p, v)]),
            Adj::Sparse(entries) => {
                entries.push((p, v));
                if entries.len() > 2 * shape.0 * shape.1 + 8 {
                    let dense = std::mem::take(self).into_dense(shape);
                    *self = Adj::Dense(dense);
                }
            }
        }
    }
}

/// Element (i, j) of `c` broadcast to a larger shape.
fn at(c: &Matrix, i: usize, j: usize) -> f64 {
    c[(if c.nrows() == 1 { 0 } else { i }, if c.ncols() == 1 { 0 } else { j })]
}

/// Sums `m` down to `shape` (the reverse of broadcasting).
fn unbroadcast(m: Matrix, shape: (usize, usize)) -> Matrix {
    if m.shape() == shape {
        return m;
    }
    let mut out = Matrix::zeros(shape.0, shape.1);
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            let (oi, oj) = (if shape.0 == 1 { 0 } else { i }, if shape.1 == 1 { 0 } else { j });
            out[(oi, oj)] += m[(i, j)];
        }
    }
    out
}

/// A matrix product through the runtime's kernels.
fn product(a: &Matrix, b: &Matrix) -> Matrix {
    crate::kernel::matmul(a, b)
}

/// `c⁺ᵀ adj`: the transpose of `x ↦ c \ x` (a solve for square `c`, least squares or the
/// least-norm solution otherwise), applied to `adj`.
fn left_div_transpose(c: &Matrix, adj: Matrix) -> Matrix {
    let (m, n) = c.shape();
    let solve = |a: Matrix, b: Matrix| -> Matrix {
        match ops::binary(BinOp::LeftDiv, &Value::matrix(a), &Value::matrix(b)) {
            Ok(v) => v.to_matrix().map_or_else(|| Matrix::from_element(1, 1, f64::NAN), |m| (*m).clone()),
            Err(_) => Matrix::from_element(1, 1, f64::NAN),
        }
    };
    let fit = |x: Matrix, (r, cols): (usize, usize)| {
        if x.shape() == (r, cols) {
            x
        } else {
            Matrix::from_element(r, cols, f64::NAN)
        }
    };
    let shape = (m, adj.ncols());
    let out = if m == n {
        solve(c.transpose(), adj)
    } else if m > n {
        // c⁺ = (cᵀc)⁻¹cᵀ, so c⁺ᵀ adj = c ((cᵀc) \ adj).
        product(c, &solve(c.tr_mul(c), adj))
    } else {
        // c⁺ = cᵀ(ccᵀ)⁻¹, so c⁺ᵀ adj = (ccᵀ) \ (c adj).
        solve(product(c, &c.transpose()), product(c, &adj))
    };
    fit(out, shape)
}

/// The backward sweep from output `out` (1×1, adjoint 1): every node's adjoint, the inputs'
/// left in place.
fn sweep(tape: &Tape, out: LinRef) -> Vec<Adj> {
    let mut adj: Vec<Adj> = Vec::with_capacity(tape.nodes.len());
    adj.resize_with(tape.nodes.len(), Adj::default);
    adj[out.node as usize] = Adj::Scalar(1.0);
    for k in (0..=out.node as usize).rev() {
        let node = &tape.nodes[k];
        if matches!(node.op, Op::Leaf) || matches!(adj[k], Adj::None) {
            continue;
        }
        let slot = std::mem::take(&mut adj[k]);
        let shape_of = |i: u32| tape.nodes[i as usize].shape;
        // The common nodes of a scalar loop, without matrices.
        if node.shape == (1, 1) {
            match &node.op {
                Op::Add(a, b) => {
                    let x = slot.into_scalar();
                    adj[*a as usize].add_scalar(x);
                    adj[*b as usize].add_scalar(x);
                    continue;
                }
                Op::Scale(a, s) => {
                    let x = slot.into_scalar();
                    adj[*a as usize].add_scalar(x * s);
                    continue;
                }
                _ => {}
            }
        }
        match &node.op {
            Op::Leaf => {}
            Op::Element(a, p) => {
                let shape = shape_of(*a);
                let x = slot.into_scalar();
                adj[*a as usize].add_at(*p, x, shape);
            }
            Op::Gather(a, pos) => {
                let shape = shape_of(*a);
                let target = &mut adj[*a as usize];
                match slot {
                    Adj::Sparse(entries) => {
                        for (p, v) in entries {
                            target.add_at(pos[p as usize], v, shape);
                        }
                    }
                    other => {
                        let d = other.into_dense(node.shape);
                        for (p, v) in pos.iter().zip(d.iter()) {
                            target.add_at(*p, *v, shape);
                        }
                    }
                }
            }
            Op::Scale(a, s) => {
                let moved = match slot {
                    Adj::Sparse(entries) => Adj::Sparse(entries.into_iter().map(|(p, v)| (p, v * s)).collect()),
                    other => Adj::Dense(other.into_dense(node.shape) * *s),
                };
                accumulate(&mut adj[*a as usize], moved, shape_of(*a));
            }
            Op::Reshape(a) => {
                let moved = match slot {
                    Adj::Sparse(entries) => Adj::Sparse(entries),
                    other => {
                        let d = other.into_dense(node.shape);
                        let (r, c) = shape_of(*a);
                        Adj::Dense(Matrix::from_vec(r, c, d.as_slice().to_vec()))
                    }
                };
                accumulate(&mut adj[*a as usize], moved, shape_of(*a));
            }
            Op::Place(placement) => {
                let (parts, labels) = (&placement.parts, &placement.labels);
                let d = slot.into_dense(node.shape);
                for (label, v) in labels.iter().zip(d.iter()) {
                    if *label == 0 || *v == 0.0 {
                        continue;
                    }
                    let e = label - 1;
                    let i = parts.partition_point(|(_, first)| *first <= e) - 1;
                    let (part, first) = parts[i];
                    adj[part as usize].add_at((e - first) as u32, *v, shape_of(part));
                }
            }
            Op::Assign(assignment) => {
                let Assignment { base, pos, src } = &**assignment;
                let mut d = slot.into_dense(node.shape);
                if let Some(s) = src {
                    let shape = shape_of(*s);
                    let target = &mut adj[*s as usize];
                    if shape == (1, 1) {
                        let total: f64 = pos.iter().map(|&p| d[p as usize]).sum();
                        target.add_at(0, total, shape);
                    } else {
                        for (k, &p) in pos.iter().enumerate() {
                            target.add_at(k as u32, d[p as usize], shape);
                        }
                    }
                }
                if let Some(b) = base {
                    for &p in pos.iter() {
                        d[p as usize] = 0.0;
                    }
                    adj[*b as usize].add(d);
                }
            }
            op => {
                let d = slot.into_dense(node.shape);
                match op {
                    Op::Add(a, b) => {
                        let (sa, sb) = (shape_of(*a), shape_of(*b));
                        if a == b {
                            adj[*a as usize].add(unbroadcast(d, sa) * 2.0);
                        } else {
                            adj[*b as usize].add(unbroadcast(d.clone(), sb));
                            adj[*a as usize].add(unbroadcast(d, sa));
                        }
                    }
                    Op::Broadcast(a) => adj[*a as usize].add(unbroadcast(d, shape_of(*a))),
                    Op::ElemMul(a, c) => {
                        let mut d = d;
                        for j in 0..d.ncols() {
                            for i in 0..d.nrows() {
                                d[(i, j)] *= at(c, i, j);
                            }
                        }
                        adj[*a as usize].add(unbroadcast(d, shape_of(*a)));
                    }
                    Op::MulLeft(c, a) => adj[*a as usize].add(product(&c.transpose(), &d)),
                    Op::MulRight(a, c) => adj[*a as usize].add(product(&d, &c.transpose())),
                    Op::LeftDiv(c, a) => adj[*a as usize].add(left_div_transpose(c, d)),
                    Op::Transpose(a) => adj[*a as usize].add(d.transpose()),
                    _ => {}
                }
            }
        }
    }
    adj
}

/// Adds an adjoint (dense or sparse) into a slot of shape `shape`.
fn accumulate(target: &mut Adj, incoming: Adj, shape: (usize, usize)) {
    match incoming {
        Adj::None => {}
        Adj::Scalar(x) => target.add_at(0, x, shape),
        Adj::Dense(m) => target.add(m),
        Adj::Sparse(entries) => {
            if matches!(target, Adj::None) {
                *target = Adj::Sparse(entries);
            } else {
                for (p, v) in entries {
                    target.add_at(p, v, shape);
                }
            }
        }
    }
}
