//! The resolved tree the interpreter walks: every name is already a slot, a global index,
//! a builtin or a constant, so running a script does no name lookups.

use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};
use mml_lang::Span;

use crate::builtin::Builtin;
use crate::interp::fast::{Num, Store};

/// Where a variable lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// A slot in the current call frame.
    Local(u32),
    /// A session global.
    Global(u32),
}

/// A resolved expression with its span.
#[derive(Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of resolved expression.
///
/// `repr(u8)` gives the enum a tag byte of its own: without it the tag is folded into a
/// niche of one variant's fields, and every `match` of the interpreter decodes it with
/// several instructions (measured with callgrind in the element loops).
#[derive(Debug)]
#[repr(u8)]
pub enum ExprKind {
    Num(f64),
    /// An imaginary literal.
    Imag(f64),
    Bool(bool),
    Nothing,
    Str(Rc<String>),
    Interp(Vec<StrPart>),
    Var(Var, Rc<str>),
    Builtin(&'static Builtin),
    /// The function being defined, from inside its own body (recursion).
    SelfFn,
    End,
    Colon,
    Matrix(Vec<Vec<Expr>>),
    List(Vec<Expr>),
    Record(Vec<(Rc<str>, Expr)>),
    Range(Box<Expr>, Option<Box<Expr>>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Transpose(Box<Expr>),
    Call(Box<Expr>, Vec<Arg>),
    Index(Box<Expr>, Vec<Expr>),
    /// `v[i]` or `A[i, j]` of a variable, every index pure ([`Element`]).
    Element(Box<Element>),
    Field(Box<Expr>, Rc<str>),
    /// Creates a closure, copying the captured variables.
    Lambda(Rc<Proto>, Vec<Var>),
    /// `if c { a } else { b }` as a value: the value of the chosen block's last expression.
    If(Vec<(Expr, Vec<Stmt>)>, Option<Vec<Stmt>>),
    /// The same value as the expression inside, which is [`DEEP_EVERY`] levels below the
    /// previous `Deep` (or the top): evaluating and dropping it first make sure there is stack
    /// to go deeper, so a long chain (a sum of thousands of terms) cannot overflow it.
    Deep(Deep),
}

/// An element read `v[i]` or `A[i, j]` whose base is a variable and whose one or two indices
/// are pure: numbers, variables, `end` and arithmetic on them, so that evaluating them has no
/// effect but their value. The interpreter evaluates the indices into a position and reads
/// the element in place; when they are not whole numbers in range it takes the general path
/// of [`ExprKind::Index`], which evaluates them again and reports why.
#[derive(Debug)]
pub struct Element {
    /// The variable indexed.
    pub var: Var,
    /// Its name, for messages.
    pub name: Rc<str>,
    /// Where the variable is written.
    pub base_span: Span,
    /// The indices.
    pub ix: Vec<Expr>,
    /// How to read each index without evaluating it, where it has a simple form.
    pub plan: IndexPlan,
    /// The compiled read, when every index is planned.
    pub read: Option<Num>,
}

/// One or two indices of an element, each in a form read without evaluation where possible.
pub type IndexPlan = [IndexOp; 2];

/// One index of an element read or write, as the interpreter computes it (`repr(u8)`: a tag
/// byte of its own, as for [`ExprKind`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u8)]
pub enum IndexOp {
    /// A number.
    Num(f64),
    /// A variable plus a constant: `j`, `j + 1`, `i - 1` (the sum as `+` computes it).
    Var(Var, f64),
    /// `end` plus a constant: `end`, `end - 1`.
    End(f64),
    /// Any other pure expression: evaluated.
    Eval,
}

impl IndexOp {
    /// The plan of index `e`.
    pub fn of(e: &Expr) -> IndexOp {
        let constant = |x: &Expr| match x.kind {
            ExprKind::Num(c) => Some(c),
            _ => None,
        };
        match &e.kind {
            ExprKind::Num(x) => IndexOp::Num(*x),
            ExprKind::Var(v, _) => IndexOp::Var(*v, 0.0),
            ExprKind::End => IndexOp::End(0.0),
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub), a, b) => {
                let Some(c) = constant(b) else {
                    return match (&a.kind, constant(a), op) {
                        (_, Some(c), BinOp::Add) => match b.kind {
                            ExprKind::Var(v, _) => IndexOp::Var(v, c),
                            ExprKind::End => IndexOp::End(c),
                            _ => IndexOp::Eval,
                        },
                        _ => IndexOp::Eval,
                    };
                };
                let c = if *op == BinOp::Sub { -c } else { c };
                match a.kind {
                    ExprKind::Var(v, _) => IndexOp::Var(v, c),
                    ExprKind::End => IndexOp::End(c),
                    _ => IndexOp::Eval,
                }
            }
            _ => IndexOp::Eval,
        }
    }

    /// The plan of one or two indices.
    pub fn plan(ix: &[Expr]) -> IndexPlan {
        [ix.first().map_or(IndexOp::Eval, IndexOp::of), ix.get(1).map_or(IndexOp::Eval, IndexOp::of)]
    }
}

/// Whether evaluating `e` has no effect but its value: numbers, variables, `end` and
/// arithmetic on them (see [`Element`] and [`Place::element`]).
pub fn pure(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Var(..) | ExprKind::End => true,
        ExprKind::Binary(_, a, b) => pure(a) && pure(b),
        ExprKind::Unary(_, a) => pure(a),
        _ => false,
    }
}

/// How many levels of expression nesting lie between two [`ExprKind::Deep`] nodes.
pub const DEEP_EVERY: usize = 128;

/// The expression inside an [`ExprKind::Deep`]; dropped on a stack with room to spare.
#[derive(Debug)]
pub struct Deep(Option<Box<Expr>>);

impl Deep {
    /// Wraps `e`.
    pub fn new(e: Expr) -> Deep {
        Deep(Some(Box::new(e)))
    }

    /// The expression inside (`None` only while it is being dropped).
    pub fn inner(&self) -> Option<&Expr> {
        self.0.as_deref()
    }
}

impl Drop for Deep {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, move || drop(inner));
        }
    }
}

/// A piece of an interpolated string.
#[derive(Debug)]
pub enum StrPart {
    Lit(Rc<str>),
    Expr(Expr),
}

/// A call argument.
#[derive(Debug)]
pub struct Arg {
    pub name: Option<(Rc<str>, Span)>,
    pub value: Expr,
}

/// A resolved statement.
#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// The kinds of resolved statement (`repr(u8)`: a tag byte of its own, as for [`ExprKind`]).
#[derive(Debug)]
#[repr(u8)]
pub enum StmtKind {
    Expr(Expr),
    /// `x = e` to a plain variable (the hot case), with `e` compiled when it is arithmetic
    /// on numbers worth compiling ([`crate::interp::fast`]).
    SetVar(Var, Expr, Option<Num>),
    /// `x op= e` to a plain variable.
    OpVar(Var, BinOp, Expr),
    /// Assignment into a place with accessors, or with an operator (`A[i] += 1`), compiled
    /// when it writes arithmetic on numbers into an element at planned indices.
    SetPlace(Place, Option<BinOp>, Expr, Option<Store>),
    /// `a, b = e`.
    Destructure(Vec<Place>, Expr),
    If(Vec<(Expr, Vec<Stmt>)>, Option<Vec<Stmt>>),
    While(Expr, Vec<Stmt>),
    For(Var, Expr, Vec<Stmt>),
    Break,
    Continue,
    Return(Option<Expr>),
    Block(Vec<Stmt>),
}

/// A resolved assignment target.
#[derive(Debug)]
pub struct Place {
    pub root: Var,
    pub name: Rc<str>,
    pub path: Vec<Accessor>,
    pub span: Span,
    /// When the place is one element of the variable, `v[i]` or `A[i, j]` with pure indices
    /// (as for [`Element`]), which the interpreter may write in place: how to read them.
    pub element: Option<IndexPlan>,
}

/// One step of a place.
#[derive(Debug)]
pub enum Accessor {
    Index(Vec<Expr>, Span),
    Field(Rc<str>, Span),
}

/// A compiled function: parameters, frame size and body.
#[derive(Debug)]
pub struct Proto {
    pub name: Rc<str>,
    pub params: Vec<Param>,
    /// Frame layout: params, then captures, then other locals.
    pub nslots: u32,
    pub ncaptures: u32,
    /// Whether the body or a default calls the function by its own name
    /// ([`ExprKind::SelfFn`]); only then does a call record the running closure.
    pub recursive: bool,
    pub body: Body,
}

/// A resolved parameter.
#[derive(Debug)]
pub struct Param {
    pub name: Rc<str>,
    pub default: Option<Expr>,
}

/// A function body.
#[derive(Debug)]
pub enum Body {
    Expr(Expr),
    Block(Vec<Stmt>),
}
