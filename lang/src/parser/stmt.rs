//! Statements, blocks and the whole program, with statement-level error recovery.

use std::rc::Rc;

use chumsky::prelude::*;

use super::expr::{expr_parser, ident, params};
use super::recovery::{custom, SyntaxError};
use super::{sp, state, Error, Extra, Tokens, P};
use crate::ast::{Accessor, Arg, BinOp, Block, Expr, ExprKind, FnBody, FnDef, Param, Place, Program, Stmt, StmtKind};
use crate::span::Spanned;
use crate::token::Token;

/// The parser of a whole program.
pub(super) fn program_parser<'src>() -> impl Parser<'src, Tokens<'src>, Program, Extra<'src>> {
    let (_, stmt) = grammar();
    items(stmt, true).map(|stmts| Program { stmts }).then_ignore(end())
}

/// The parser of one interpolated expression.
pub(super) fn interpolation_parser<'src>() -> impl Parser<'src, Tokens<'src>, Expr, Extra<'src>> {
    let (expr, _) = grammar();
    expr.then_ignore(end())
}

/// Builds the mutually recursive expression and statement parsers.
///
/// Each refers to itself only through `recursive`'s weak reference, so that the grammar is
/// freed after each parse: `Recursive::declare` with a clone of itself inside its own
/// definition is a reference cycle, and leaked the whole grammar on every parse (and every
/// interpolated string), which a REPL or language server does thousands of times.
fn grammar<'src>() -> (P<'src, Expr>, P<'src, Stmt>) {
    let statement = |expr: P<'src, Expr>| recursive(move |stmt| stmt_parser(expr.clone(), block(stmt.boxed()))).boxed();
    let expr = recursive(|expr| {
        let expr = expr.boxed();
        expr_parser(expr.clone(), block(statement(expr)))
    })
    .boxed();
    (expr.clone(), statement(expr))
}

/// Statements and separators, in a block (`top == false`) or at top level.
fn items<'src>(stmt: P<'src, Stmt>, top: bool) -> P<'src, Vec<Stmt>> {
    let sep = one_of([Token::Newline, Token::Semi]).to(None);
    let stray = one_of([Token::RBrace, Token::RParen, Token::RBracket]).map_with(|t, e| (t, e.span())).validate(
        |(t, s), e, emitter| {
            emitter.emit(custom(s, SyntaxError::Unmatched(t)));
            Some(Spanned::new(StmtKind::Error, state(e).span(s)))
        },
    );
    let item = if top { choice((sep, stmt.map(Some), stray)).boxed() } else { choice((sep, stmt.map(Some))).boxed() };
    item.repeated().collect::<Vec<_>>().map(|v| v.into_iter().flatten().collect()).boxed()
}

/// `{ statements }`. A block the input ends inside is reported at its `{` and kept: failing
/// would make every enclosing construct try its other readings of the same text, which
/// doubles the work at each unclosed block (exponential in how many are open).
fn block<'src>(stmt: P<'src, Stmt>) -> P<'src, Block> {
    let close = choice((just(Token::RBrace).to(true), end().rewind().to(false)));
    just(Token::LBrace)
        .map_with(|_, e| e.span())
        .then(items(stmt, false))
        .then(close)
        .validate(|((open, stmts), closed), e, emitter| {
            if !closed {
                emitter.emit(custom(open, SyntaxError::UnclosedBlock));
            }
            Block { stmts, span: sp(e) }
        })
        .boxed()
}

/// Skips the rest of a bad statement: up to the next newline or `;` outside brackets, or an
/// unmatched `}`; stray `)` and `]` are skipped too. Consumes at least one token.
fn skip_statement<'src>() -> impl Parser<'src, Tokens<'src>, (), Extra<'src>> + Clone {
    chumsky::primitive::custom(|inp: &mut chumsky::input::InputRef<'src, '_, Tokens<'src>, Extra<'src>>| {
        let before = inp.cursor();
        // The closers of the brackets opened while skipping, innermost last. A closer that
        // matches none of them closes the innermost, as in the layout pass.
        let mut open: Vec<Token> = Vec::new();
        let mut count = 0usize;
        while let Some(tok) = inp.peek() {
            match tok {
                Token::Newline | Token::Semi | Token::RBrace if open.is_empty() => break,
                Token::LParen => open.push(Token::RParen),
                Token::LBracket => open.push(Token::RBracket),
                Token::LBrace => open.push(Token::RBrace),
                Token::RParen | Token::RBracket | Token::RBrace => {
                    let depth = open.iter().rposition(|c| *c == tok);
                    open.truncate(depth.unwrap_or(open.len().saturating_sub(1)));
                }
                _ => {}
            }
            inp.skip();
            count += 1;
        }
        if count == 0 {
            let span = inp.span_since(&before);
            return Err(Error::custom(span, "nothing to skip"));
        }
        Ok(())
    })
}

fn stmt_parser<'src>(expr: P<'src, Expr>, block: P<'src, Block>) -> P<'src, Stmt> {
    let fn_def = just(Token::Fn).ignore_then(ident()).then(params(expr.clone())).then(block.clone()).map_with(
        |((name, params), body), e| {
            let span = sp(e);
            StmtKind::FnDef(Rc::new(FnDef { name: Some(name), params, body: FnBody::Block(body), span }))
        },
    );

    let while_stmt = just(Token::While)
        .ignore_then(expr.clone())
        .then(block.clone())
        .map(|(cond, body)| StmtKind::While { cond, body });

    let for_stmt = just(Token::For)
        .ignore_then(ident())
        .then_ignore(just(Token::In))
        .then(expr.clone())
        .then(block.clone())
        .map(|((var, iter), body)| StmtKind::For { var, iter, body });

    let simple = choice((
        just(Token::Break).to(StmtKind::Break),
        just(Token::Continue).to(StmtKind::Continue),
        just(Token::Return).ignore_then(expr.clone().or_not()).map(StmtKind::Return),
    ));

    let assign_op = select! {
        Token::Assign => None,
        Token::PlusAssign => Some(BinOp::Add),
        Token::MinusAssign => Some(BinOp::Sub),
        Token::StarAssign => Some(BinOp::Mul),
        Token::SlashAssign => Some(BinOp::Div),
    };
    let expr_stmt = expr
        .clone()
        .separated_by(just(Token::Comma))
        .at_least(1)
        .collect::<Vec<_>>()
        .then(assign_op.then(expr).or_not())
        .validate(|(targets, rhs), e, emitter| {
            let span = e.span();
            match bare_if(targets, rhs, state(e)) {
                Ok(kind) => kind,
                Err((targets, rhs)) => assignment(targets, rhs, span, emitter),
            }
        });

    let terminator = choice((one_of([Token::Newline, Token::Semi, Token::RBrace]).ignored(), end())).rewind();
    // After a statement that ends in a block, a missing separator is reported and parsing
    // goes on: no other reading starts with `fn`, `while`, `for` or a block's `{`, so
    // backtracking would only parse the whole block again (twice per level of nesting).
    let after_block = terminator.clone().recover_with(via_parser(empty()));
    let compound = choice((fn_def, while_stmt, for_stmt, block.map(StmtKind::Block))).then_ignore(after_block);

    choice((compound, simple.then_ignore(terminator.clone()), expr_stmt.then_ignore(terminator)))
        .map_with(|kind, e| Spanned::new(kind, sp(e)))
        .recover_with(via_parser(skip_statement().map_with(|(), e| Spanned::new(StmtKind::Error, sp(e)))))
        .boxed()
}

/// A statement that is one `if` expression is an `if` statement, which needs no `else`: its
/// `if-without-else` error (made when the expression was parsed) is taken back. Anything else
/// is handed back for [`assignment`].
#[allow(clippy::type_complexity)]
fn bare_if(
    mut targets: Vec<Expr>,
    rhs: Option<(Option<BinOp>, Expr)>,
    st: &mut super::ParseState,
) -> Result<StmtKind, (Vec<Expr>, Option<(Option<BinOp>, Expr)>)> {
    if rhs.is_none() && targets.len() == 1 && matches!(targets[0].node, ExprKind::If { .. }) {
        if let Some(Spanned { node: ExprKind::If { branches, else_block }, span }) = targets.pop() {
            if else_block.is_none() {
                if let Some(k) = st.diags.iter().rposition(|d| d.anchor() == Some(span)) {
                    st.diags.remove(k);
                }
            }
            return Ok(StmtKind::If { branches, else_block });
        }
    }
    Err((targets, rhs))
}

/// Turns `targets [op= value]` into a statement, checking the targets.
fn assignment(
    mut targets: Vec<Expr>,
    rhs: Option<(Option<BinOp>, Expr)>,
    span: SimpleSpan,
    emitter: &mut chumsky::input::Emitter<Error<'_>>,
) -> StmtKind {
    let Some((op, value)) = rhs else {
        if targets.len() == 1 {
            if let Some(e) = targets.pop() {
                return StmtKind::Expr(e);
            }
        }
        emitter.emit(custom(span, SyntaxError::CommaWithoutAssign));
        return StmtKind::Error;
    };
    let value = if targets.len() == 1 && op.is_none() {
        match fn_def(&targets[0], value, emitter) {
            Ok(def) => return def,
            Err(value) => value,
        }
    } else {
        value
    };
    if targets.len() > 1 && op.is_some() {
        emitter.emit(custom(span, SyntaxError::CompoundDestructure));
        return StmtKind::Error;
    }
    let mut places = Vec::with_capacity(targets.len());
    for t in &targets {
        match place(t) {
            Some(p) => places.push(p),
            None => {
                let s = SimpleSpan::from(t.span.range());
                emitter.emit(custom(s, SyntaxError::NotAPlace));
                return StmtKind::Error;
            }
        }
    }
    StmtKind::Assign { targets: places, op, value }
}

/// `f(x, y = 2) = body`: a call of a name whose arguments are names or `name = default`.
/// Hands the value back when the target is not a call of a name (so it is checked as a
/// place). The body is moved, not copied: copying a deep expression would recurse as deep.
fn fn_def(target: &Expr, value: Expr, emitter: &mut chumsky::input::Emitter<Error<'_>>) -> Result<StmtKind, Expr> {
    let ExprKind::Call(callee, args) = &target.node else { return Err(value) };
    let ExprKind::Ident(name) = &callee.node else { return Err(value) };
    let mut params = Vec::with_capacity(args.len());
    for Arg { name: kw, value: arg } in args {
        match (kw, &arg.node) {
            (Some(kw), _) => params.push(Param { name: kw.clone(), default: Some(arg.clone()) }),
            (None, ExprKind::Ident(p)) => params.push(Param { name: Spanned::new(p.clone(), arg.span), default: None }),
            (None, _) => {
                emitter.emit(custom(SimpleSpan::from(arg.span.range()), SyntaxError::BadParam));
                return Ok(StmtKind::Error);
            }
        }
    }
    let span = target.span.to(value.span);
    Ok(StmtKind::FnDef(Rc::new(FnDef {
        name: Some(Spanned::new(name.clone(), callee.span)),
        params,
        body: FnBody::Expr(value),
        span,
    })))
}

/// A name followed by indexes and fields, as the target of an assignment.
fn place(e: &Expr) -> Option<Place> {
    let mut path = Vec::new();
    let mut cur = e;
    loop {
        match &cur.node {
            ExprKind::Ident(name) => {
                path.reverse();
                return Some(Place { root: Spanned::new(name.clone(), cur.span), path, span: e.span });
            }
            ExprKind::Index(base, idx) => {
                let mut s = cur.span;
                s.start = base.span.end;
                path.push(Accessor::Index(idx.clone(), s));
                cur = base;
            }
            ExprKind::Field(base, name) => {
                path.push(Accessor::Field(name.clone()));
                cur = base;
            }
            _ => return None,
        }
    }
}
