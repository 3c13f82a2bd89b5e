//! The abstract syntax tree the parser produces and the resolver consumes.

use std::rc::Rc;

use crate::span::{Span, Spanned};

/// A name as written, with its span.
pub type Ident = Spanned<Rc<str>>;

/// A whole script or REPL input: a sequence of statements.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    /// The statements in order.
    pub stmts: Vec<Stmt>,
}

/// A statement with its span.
pub type Stmt = Spanned<StmtKind>;

/// A `{ ... }` block of statements.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The statements in order.
    pub stmts: Vec<Stmt>,
    /// From `{` to `}`.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// An expression evaluated for its value or effect; the REPL echoes its value.
    Expr(Expr),
    /// `x = e`, `A[i, j] = e`, `r.f = e`, `x += e` (with `op`), or destructuring `a, b = e`
    /// (several targets, never with `op`).
    Assign {
        /// One target, or several for destructuring.
        targets: Vec<Place>,
        /// `Some(op)` for `+=`, `-=`, `*=`, `/=`.
        op: Option<BinOp>,
        /// The right-hand side.
        value: Expr,
    },
    /// `f(x, y = 1) = expr` or `fn f(x, y = 1) { ... }`.
    FnDef(Rc<FnDef>),
    /// `if c { } else if c { } else { }`: the branches in order, then the optional `else`.
    If {
        /// Each `(condition, block)` in order.
        branches: Vec<(Expr, Block)>,
        /// The final `else` block.
        else_block: Option<Block>,
    },
    /// `while cond { body }`.
    While {
        /// Tested before each iteration.
        cond: Expr,
        /// The loop body.
        body: Block,
    },
    /// `for var in iter { body }`: iterates a range, the elements of a vector (or the columns
    /// of a matrix), or the items of a list.
    For {
        /// The loop variable.
        var: Ident,
        /// What to iterate.
        iter: Expr,
        /// The loop body.
        body: Block,
    },
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `return` or `return e`.
    Return(Option<Expr>),
    /// A bare `{ ... }` block used as a statement.
    Block(Block),
    /// A statement the parser could not read; it has already produced a diagnostic.
    Error,
}

/// An assignable place: a variable followed by index and field accessors,
/// such as `x`, `A[i, j]`, `r.W[1, :]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// The variable at the root.
    pub root: Ident,
    /// Accessors applied left to right.
    pub path: Vec<Accessor>,
    /// The whole place.
    pub span: Span,
}

/// One step into a value, on the left of `=`.
#[derive(Clone, Debug, PartialEq)]
pub enum Accessor {
    /// `[i, j]` with its span.
    Index(Vec<Expr>, Span),
    /// `.name`.
    Field(Ident),
}

/// A function definition (named) or lambda (unnamed).
#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    /// `None` for a lambda.
    pub name: Option<Ident>,
    /// Parameters in order.
    pub params: Vec<Param>,
    /// The body.
    pub body: FnBody,
    /// The whole definition.
    pub span: Span,
}

/// One parameter, with an optional default.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The name (also the keyword for keyword arguments).
    pub name: Ident,
    /// Evaluated at call time, in the function's scope, when the argument is not given.
    pub default: Option<Expr>,
}

/// The body of a function.
#[derive(Clone, Debug, PartialEq)]
pub enum FnBody {
    /// `f(x) = expr` or `(x) -> expr`.
    Expr(Expr),
    /// `fn f(x) { ... }` or `(x) -> { ... }`.
    Block(Block),
}

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Num(f64),
    /// An imaginary literal: `2i` is `Imag(2.0)`.
    Imag(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `nothing`.
    Nothing,
    /// A string literal; `"a {x} b"` interpolates, giving several parts.
    Str(Vec<StrPart>),
    /// A variable or function name.
    Ident(Rc<str>),
    /// `end` inside an index: the length of the indexed dimension.
    End,
    /// A bare `:` inside an index: the whole dimension.
    Colon,
    /// `[a, b; c, d]`: rows of comma-separated items (each item a scalar or a block).
    Matrix(Vec<Vec<Expr>>),
    /// `{a, b, c}`: a list.
    List(Vec<Expr>),
    /// `{x = 1, y = 2}`: a record.
    Record(Vec<(Ident, Expr)>),
    /// `start:stop` or `start:step:stop`.
    Range {
        /// First value.
        start: Box<Expr>,
        /// Increment (1 when absent).
        step: Option<Box<Expr>>,
        /// Last value (inclusive, when reached).
        stop: Box<Expr>,
    },
    /// A prefix operator.
    Unary(UnOp, Box<Expr>),
    /// An infix operator (including the short-circuit `and` / `or`).
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Postfix `'`.
    Transpose(Box<Expr>),
    /// `f(args)`.
    Call(Box<Expr>, Vec<Arg>),
    /// `x[i]`, `A[i, j]`.
    Index(Box<Expr>, Vec<Expr>),
    /// `r.name`.
    Field(Box<Expr>, Ident),
    /// `(x, y) -> body` or `x -> body`.
    Lambda(Rc<FnDef>),
    /// `if c { a } else { b }` in value position: the value of the chosen block's last
    /// expression. The parser reports a missing `else`.
    If {
        /// Each `(condition, block)` in order.
        branches: Vec<(Expr, Block)>,
        /// The final `else` block.
        else_block: Option<Block>,
    },
    /// An expression the parser could not read; it has already produced a diagnostic.
    Error,
}

/// A piece of a string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes already processed.
    Lit(String),
    /// `{expr}` inside the string: the expression's value, formatted.
    Interp(Expr),
}

/// One call argument, positional or `name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `Some` for a keyword argument.
    pub name: Option<Ident>,
    /// The argument expression.
    pub value: Expr,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-x`.
    Neg,
    /// `+x`.
    Plus,
    /// `not x` or `!x`.
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*` (matrix product)
    Mul,
    /// `/` (right division; scalar division when the right side is a number)
    Div,
    /// `\` (left division: solve)
    LeftDiv,
    /// `^` (matrix power)
    Pow,
    /// `.*`
    ElemMul,
    /// `./`
    ElemDiv,
    /// `.^`
    ElemPow,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `.==` (element-wise)
    ElemEq,
    /// `.!=` (element-wise)
    ElemNe,
    /// `.<` (element-wise)
    ElemLt,
    /// `.<=` (element-wise)
    ElemLe,
    /// `.>` (element-wise)
    ElemGt,
    /// `.>=` (element-wise)
    ElemGe,
    /// `and` / `&&` (short-circuit)
    And,
    /// `or` / `||` (short-circuit)
    Or,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::LeftDiv => "\\",
            BinOp::Pow => "^",
            BinOp::ElemMul => ".*",
            BinOp::ElemDiv => "./",
            BinOp::ElemPow => ".^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::ElemEq => ".==",
            BinOp::ElemNe => ".!=",
            BinOp::ElemLt => ".<",
            BinOp::ElemLe => ".<=",
            BinOp::ElemGt => ".>",
            BinOp::ElemGe => ".>=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

impl UnOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::Not => "not",
        }
    }
}

/// A part of a tree being taken apart by [`Program`]'s drop.
enum Part {
    Expr(Expr),
    Stmt(Stmt),
    Block(Block),
    Fn(Rc<FnDef>),
}

/// Dropping a program takes its tree apart with an explicit stack, so that a very long flat
/// expression (a sum of 100,000 terms is a left-leaning tree that deep) or deep nesting cannot
/// overflow the native stack, as the compiler's recursive drop would.
impl Drop for Program {
    fn drop(&mut self) {
        let mut stack: Vec<Part> = std::mem::take(&mut self.stmts).into_iter().map(Part::Stmt).collect();
        while let Some(part) = stack.pop() {
            match part {
                Part::Expr(mut e) => expr_parts(std::mem::replace(&mut e.node, ExprKind::Nothing), &mut stack),
                Part::Stmt(mut s) => stmt_parts(std::mem::replace(&mut s.node, StmtKind::Break), &mut stack),
                Part::Block(b) => stack.extend(b.stmts.into_iter().map(Part::Stmt)),
                Part::Fn(f) => {
                    // Only a definition no one else holds is taken apart; a shared one is
                    // dropped by its last owner.
                    if let Ok(f) = Rc::try_unwrap(f) {
                        stack.extend(f.params.into_iter().filter_map(|p| p.default).map(Part::Expr));
                        match f.body {
                            FnBody::Expr(e) => stack.push(Part::Expr(e)),
                            FnBody::Block(b) => stack.push(Part::Block(b)),
                        }
                    }
                }
            }
        }
    }
}

/// The children of an expression, onto the stack.
fn expr_parts(kind: ExprKind, stack: &mut Vec<Part>) {
    let mut push = |e: Expr| stack.push(Part::Expr(e));
    match kind {
        ExprKind::Unary(_, a) | ExprKind::Transpose(a) | ExprKind::Field(a, _) => push(*a),
        ExprKind::Binary(_, a, b) => {
            push(*a);
            push(*b);
        }
        ExprKind::Range { start, step, stop } => {
            push(*start);
            if let Some(s) = step {
                push(*s);
            }
            push(*stop);
        }
        ExprKind::Call(f, args) => {
            push(*f);
            args.into_iter().for_each(|a| push(a.value));
        }
        ExprKind::Index(a, items) => {
            push(*a);
            items.into_iter().for_each(push);
        }
        ExprKind::Matrix(rows) => rows.into_iter().flatten().for_each(push),
        ExprKind::List(items) => items.into_iter().for_each(push),
        ExprKind::Record(fields) => fields.into_iter().for_each(|(_, e)| push(e)),
        ExprKind::Str(parts) => parts.into_iter().for_each(|p| {
            if let StrPart::Interp(e) = p {
                push(e)
            }
        }),
        ExprKind::Lambda(f) => stack.push(Part::Fn(f)),
        ExprKind::If { branches, else_block } => if_parts(branches, else_block, stack),
        _ => {}
    }
}

/// The conditions and blocks of an `if` (statement or expression), onto the stack.
fn if_parts(branches: Vec<(Expr, Block)>, else_block: Option<Block>, stack: &mut Vec<Part>) {
    for (c, b) in branches {
        stack.push(Part::Expr(c));
        stack.push(Part::Block(b));
    }
    stack.extend(else_block.map(Part::Block));
}

/// The children of a statement, onto the stack.
fn stmt_parts(kind: StmtKind, stack: &mut Vec<Part>) {
    match kind {
        StmtKind::Expr(e) | StmtKind::Return(Some(e)) => stack.push(Part::Expr(e)),
        StmtKind::Assign { targets, value, .. } => {
            stack.push(Part::Expr(value));
            for t in targets {
                for a in t.path {
                    if let Accessor::Index(items, _) = a {
                        stack.extend(items.into_iter().map(Part::Expr));
                    }
                }
            }
        }
        StmtKind::FnDef(f) => stack.push(Part::Fn(f)),
        StmtKind::If { branches, else_block } => if_parts(branches, else_block, stack),
        StmtKind::While { cond, body } => {
            stack.push(Part::Expr(cond));
            stack.push(Part::Block(body));
        }
        StmtKind::For { iter, body, .. } => {
            stack.push(Part::Expr(iter));
            stack.push(Part::Block(body));
        }
        StmtKind::Block(b) => stack.push(Part::Block(b)),
        _ => {}
    }
}
