//! The resolved tree the interpreter walks: every name is already a slot, a global index,
//! a builtin or a constant, so running a script does no name lookups.

use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};
use mml_lang::Span;

use crate::builtin::Builtin;

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
#[derive(Debug)]
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
    Field(Box<Expr>, Rc<str>),
    /// Creates a closure, copying the captured variables.
    Lambda(Rc<Proto>, Vec<Var>),
    /// `if c { a } else { b }` as a value: the value of the chosen block's last expression.
    If(Vec<(Expr, Vec<Stmt>)>, Option<Vec<Stmt>>),
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

/// The kinds of resolved statement.
#[derive(Debug)]
pub enum StmtKind {
    Expr(Expr),
    /// `x = e` to a plain variable (the hot case).
    SetVar(Var, Expr),
    /// `x op= e` to a plain variable.
    OpVar(Var, BinOp, Expr),
    /// Assignment into a place with accessors, or with an operator (`A[i] += 1`).
    SetPlace(Place, Option<BinOp>, Expr),
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
