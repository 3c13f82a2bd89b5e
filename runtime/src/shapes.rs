//! Shape mismatches found without running: an operator whose operands' shapes are known
//! from the text alone, and do not fit, fails every time it runs. `mml check` and the
//! language server report these with the runtime's own error (the operator is applied by
//! `ops` to stand-in values of those shapes, so the rules and the wording are the
//! interpreter's).
//!
//! A shape is known for: numbers; matrix literals of known items; `zeros`, `ones` and `eye`
//! (the builtins, not a variable of that name) with literal sizes; `-`, `+` and `'` of a
//! known operand; the result of an operator on known operands; and a global variable
//! assigned exactly once in the whole program, by a top-level statement, read by top-level
//! code after that statement (there it can only hold that value). Everything else is
//! unknown and never reported, so legal code gives nothing: broadcasting and scalars are
//! judged by the same `ops` the interpreter uses. The arguments of `assert_error` are not
//! judged: they are meant to fail.

use std::collections::HashMap;

use mml_lang::ast::{BinOp, UnOp};
use mml_lang::Diagnostic;

use crate::hir::{Accessor, Body, Expr, ExprKind, Stmt, StmtKind, StrPart, Var};
use crate::value::{Matrix, Value};

/// Stand-ins larger than this many elements are not built (the check gives up).
const MAX_ELEMENTS: usize = 10_000;

/// A known shape.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// A number, with its value (numbers are their own stand-ins, so `A ^ 0.5` is judged
    /// as the interpreter judges it).
    Num(f64),
    /// A matrix.
    Mat(usize, usize),
}

impl Shape {
    fn dims(self) -> (usize, usize) {
        match self {
            Shape::Num(_) => (1, 1),
            Shape::Mat(r, c) => (r, c),
        }
    }

    fn stand_in(self) -> Option<Value> {
        match self {
            Shape::Num(x) => Some(Value::Num(x)),
            Shape::Mat(r, c) if r.saturating_mul(c) <= MAX_ELEMENTS => Some(Value::matrix(Matrix::zeros(r, c))),
            Shape::Mat(..) => None,
        }
    }

    fn of(v: &Value) -> Option<Shape> {
        match v {
            Value::Num(x) => Some(Shape::Num(*x)),
            Value::Matrix(m) => Some(Shape::Mat(m.nrows(), m.ncols())),
            _ => None,
        }
    }
}

struct Checker {
    /// How many times each global is assigned anywhere.
    writes: HashMap<u32, usize>,
    /// Globals whose shape is known at this point of the top level.
    known: HashMap<u32, Shape>,
    /// Whether variables may be tracked (at the top level, in a program that parsed).
    track: bool,
    found: Vec<Diagnostic>,
}

/// The shape mismatches of a resolved program. `track_variables` is false when the program
/// had syntax errors: statements that could not be read might assign the variables too.
pub(crate) fn check(stmts: &[Stmt], track_variables: bool) -> Vec<Diagnostic> {
    let mut c = Checker { writes: HashMap::new(), known: HashMap::new(), track: track_variables, found: Vec::new() };
    count_writes(stmts, &mut c.writes);
    for s in stmts {
        if let StmtKind::SetVar(Var::Global(g), e, _) = &s.kind {
            let shape = c.expr(e);
            if let (Some(shape), Some(1)) = (shape, c.writes.get(g)) {
                c.known.insert(*g, shape);
            }
        } else {
            c.stmt(s);
        }
    }
    c.found
}

fn count_writes(stmts: &[Stmt], out: &mut HashMap<u32, usize>) {
    fn write(out: &mut HashMap<u32, usize>, v: &Var) {
        if let Var::Global(g) = v {
            *out.entry(*g).or_default() += 1;
        }
    }
    for s in stmts {
        match &s.kind {
            StmtKind::SetVar(v, ..) | StmtKind::OpVar(v, _, _) => write(out, v),
            StmtKind::SetPlace(p, ..) => write(out, &p.root),
            StmtKind::Destructure(ps, _) => ps.iter().for_each(|p| write(out, &p.root)),
            StmtKind::For(v, _, body) => {
                write(out, v);
                count_writes(body, out);
            }
            StmtKind::While(_, body) | StmtKind::Block(body) => count_writes(body, out),
            StmtKind::If(branches, else_block) => {
                for (_, b) in branches {
                    count_writes(b, out);
                }
                if let Some(b) = else_block {
                    count_writes(b, out);
                }
            }
            StmtKind::Expr(_) | StmtKind::Break | StmtKind::Continue | StmtKind::Return(_) => {}
        }
    }
}

impl Checker {
    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Expr(e) | StmtKind::SetVar(_, e, _) | StmtKind::OpVar(_, _, e) => {
                self.expr(e);
            }
            StmtKind::SetPlace(p, _, e, _) => {
                self.place_indices(std::slice::from_ref(p));
                self.expr(e);
            }
            StmtKind::Destructure(ps, e) => {
                self.place_indices(ps);
                self.expr(e);
            }
            StmtKind::If(branches, else_block) => self.branches(branches, else_block.as_deref()),
            StmtKind::While(c, body) | StmtKind::For(_, c, body) => {
                self.expr(c);
                self.stmts(body);
            }
            StmtKind::Return(Some(e)) => {
                self.expr(e);
            }
            StmtKind::Block(body) => self.stmts(body),
            StmtKind::Break | StmtKind::Continue | StmtKind::Return(None) => {}
        }
    }

    fn place_indices(&mut self, places: &[crate::hir::Place]) {
        for p in places {
            for a in &p.path {
                if let Accessor::Index(ix, _) = a {
                    for e in ix {
                        self.expr(e);
                    }
                }
            }
        }
    }

    fn branches(&mut self, branches: &[(Expr, Vec<Stmt>)], else_block: Option<&[Stmt]>) {
        for (c, b) in branches {
            self.expr(c);
            self.stmts(b);
        }
        if let Some(b) = else_block {
            self.stmts(b);
        }
    }

    /// Checks `e` and its parts; its shape when known.
    fn expr(&mut self, e: &Expr) -> Option<Shape> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &Expr) -> Option<Shape> {
        match &e.kind {
            ExprKind::Num(x) => Some(Shape::Num(*x)),
            ExprKind::Var(Var::Global(g), _) if self.track => self.known.get(g).copied(),
            ExprKind::Matrix(rows) => {
                let shapes: Vec<Vec<Option<Shape>>> =
                    rows.iter().map(|r| r.iter().map(|x| self.expr(x)).collect()).collect();
                literal_shape(&shapes)
            }
            ExprKind::Deep(d) => d.inner().and_then(|x| self.expr(x)),
            ExprKind::Unary(UnOp::Plus, x) => self.expr(x),
            ExprKind::Unary(UnOp::Neg, x) => self.expr(x).map(|s| match s {
                Shape::Num(v) => Shape::Num(-v),
                matrix => matrix,
            }),
            ExprKind::Transpose(x) => self.expr(x).map(|s| match s {
                Shape::Num(v) => Shape::Num(v),
                Shape::Mat(r, c) => Shape::Mat(c, r),
            }),
            ExprKind::Binary(op, l, r) => {
                let (a, b) = (self.expr(l), self.expr(r));
                if matches!(op, BinOp::And | BinOp::Or) {
                    return None;
                }
                let (a, b) = (a?, b?);
                let ((ra, ka), (_, cb)) = (a.dims(), b.dims());
                if *op == BinOp::Mul && ra.saturating_mul(ka).saturating_mul(cb) > 100 * MAX_ELEMENTS {
                    return None; // Keep the stand-ins' product cheap.
                }
                let (a, b) = (a.stand_in()?, b.stand_in()?);
                match crate::ops::binary(*op, &a, &b) {
                    Ok(v) => Shape::of(&v),
                    Err(oe @ (crate::ops::OpError::Shape { .. } | crate::ops::OpError::NotSquare { .. })) => {
                        let err = crate::interp::op_error(oe, op.symbol(), l.span, r.span);
                        let err = crate::interp::quote_operands(err, *op, l, r);
                        self.found.push(err.to_diagnostic());
                        None
                    }
                    Err(_) => None,
                }
            }
            ExprKind::Call(f, args) => {
                // What `assert_error` is given is meant to fail.
                if !matches!(&f.kind, ExprKind::Builtin(b) if b.name == "assert_error") {
                    for a in args {
                        self.expr(&a.value);
                    }
                }
                let ExprKind::Builtin(b) = &f.kind else {
                    self.expr(f);
                    return None;
                };
                let square = match b.name {
                    "zeros" | "ones" => false,
                    "eye" => true,
                    _ => return None,
                };
                let size = |a: &crate::hir::Arg| match a.value.kind {
                    ExprKind::Num(x) if a.name.is_none() && x >= 0.0 && x.fract() == 0.0 && x <= 1e9 => {
                        Some(x as usize)
                    }
                    _ => None,
                };
                match &args[..] {
                    [n] => size(n).map(|n| Shape::Mat(n, if square { n } else { 1 })),
                    [n, m] => Some(Shape::Mat(size(n)?, size(m)?)),
                    _ => None,
                }
            }
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let StrPart::Expr(x) = p {
                        self.expr(x);
                    }
                }
                None
            }
            ExprKind::List(items) => {
                for x in items {
                    self.expr(x);
                }
                None
            }
            ExprKind::Record(fields) => {
                for (_, x) in fields {
                    self.expr(x);
                }
                None
            }
            ExprKind::Range(a, step, b) => {
                self.expr(a);
                if let Some(s) = step {
                    self.expr(s);
                }
                self.expr(b);
                None
            }
            ExprKind::Unary(_, x) | ExprKind::Field(x, _) => {
                self.expr(x);
                None
            }
            ExprKind::Element(el) => {
                for x in &el.ix {
                    self.expr(x);
                }
                None
            }
            ExprKind::Index(base, ix) => {
                self.expr(base);
                for x in ix {
                    self.expr(x);
                }
                None
            }
            ExprKind::Lambda(proto, _) => {
                // A function runs later, maybe before a global's assignment: no variables.
                let track = std::mem::replace(&mut self.track, false);
                for p in &proto.params {
                    if let Some(d) = &p.default {
                        self.expr(d);
                    }
                }
                match &proto.body {
                    Body::Expr(x) => {
                        self.expr(x);
                    }
                    Body::Block(stmts) => self.stmts(stmts),
                }
                self.track = track;
                None
            }
            ExprKind::If(branches, else_block) => {
                self.branches(branches, else_block.as_deref());
                None
            }
            ExprKind::Imag(_)
            | ExprKind::Bool(_)
            | ExprKind::Nothing
            | ExprKind::Str(_)
            | ExprKind::Var(..)
            | ExprKind::Builtin(_)
            | ExprKind::SelfFn
            | ExprKind::End
            | ExprKind::Colon => None,
        }
    }
}

/// The shape of a matrix literal of items of known shapes, by the interpreter's rules: one
/// row of 1×1 items is a column; otherwise the items of each row (empty ones left out) are
/// joined side by side and the rows stacked. `None` when an item is unknown or the items do
/// not fit (the interpreter reports that when it builds the literal).
fn literal_shape(rows: &[Vec<Option<Shape>>]) -> Option<Shape> {
    if rows.len() == 1 && rows[0].iter().all(|s| s.map(Shape::dims) == Some((1, 1))) {
        return Some(Shape::Mat(rows[0].len(), 1));
    }
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    for row in rows {
        let mut parts = Vec::new();
        for s in row {
            let (r, c) = s.as_ref()?.dims();
            if r > 0 && c > 0 {
                parts.push((r, c));
            }
        }
        let Some(&(height, _)) = parts.first() else { continue };
        if parts.iter().any(|&(r, _)| r != height) {
            return None;
        }
        blocks.push((height, parts.iter().map(|&(_, c)| c).sum()));
    }
    let Some(&(_, width)) = blocks.first() else { return Some(Shape::Mat(0, 0)) };
    if blocks.iter().any(|&(_, c)| c != width) {
        return None;
    }
    Some(Shape::Mat(blocks.iter().map(|&(r, _)| r).sum(), width))
}
