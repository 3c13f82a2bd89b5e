//! Expressions: atoms, matrix/list/record literals, lambdas and the operator table.

use std::rc::Rc;

use chumsky::error::RichPattern;
use chumsky::input::InputRef;
use chumsky::label::LabelError;
use chumsky::pratt::{infix, left, prefix, right};
use chumsky::prelude::*;
use chumsky::util::MaybeRef;

use super::recovery::{custom, SyntaxError};
use super::{sp, state, Extra, Extras, Tokens, P};
use crate::ast::{Arg, BinOp, Block, Expr, ExprKind, FnBody, FnDef, Ident, Param, UnOp};
use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};
use crate::token::Token;

/// A name with its span.
pub(super) fn ident<'src>() -> P<'src, Ident> {
    select! { Token::Ident(name) => name }.map_with(|name, e| Spanned::new(name, sp(e))).labelled("identifier").boxed()
}

/// What follows an atom: `(args)`, `[index]`, `.field` or `'`.
#[derive(Clone)]
enum Postfix {
    Call(Vec<Arg>),
    Index(Vec<Expr>),
    Field(Ident),
    Transpose,
}

/// An error at the current token that adds nothing when chumsky merges it with another at
/// the same place.
fn nothing_expected<'src>(inp: &mut InputRef<'src, '_, Tokens<'src>, Extra<'src>>) -> Rich<'src, Token, SimpleSpan> {
    let here = inp.cursor();
    let span = inp.span_since(&here);
    let found: Option<MaybeRef<'src, Token>> = inp.peek_maybe();
    <Rich<'src, Token, SimpleSpan> as LabelError<'src, Tokens<'src>, RichPattern<'src, Token>>>::expected_found(
        std::iter::empty(),
        found,
        span,
    )
}

/// Fails at once where an atom already failed to parse (from the token index the
/// `ParseState::failed` table keeps), without an error of its own: the first failure's error
/// is already the furthest one chumsky reports.
fn not_failed_before<'src>() -> impl Parser<'src, Tokens<'src>, (), Extra<'src>> + Clone {
    chumsky::primitive::custom(|inp: &mut InputRef<'src, '_, Tokens<'src>, Extra<'src>>| {
        let at = inp.cursor().inner().0;
        if inp.state().failed.get(at).copied().unwrap_or(false) {
            return Err(nothing_expected(inp));
        }
        Ok(())
    })
}

/// Records that an atom failed here (and fails too, again adding nothing to the error).
fn remember_failure<'src>() -> impl Parser<'src, Tokens<'src>, Expr, Extra<'src>> + Clone {
    chumsky::primitive::custom(|inp: &mut InputRef<'src, '_, Tokens<'src>, Extra<'src>>| {
        let at = inp.cursor().inner().0;
        if let Some(slot) = inp.state().failed.get_mut(at) {
            *slot = true;
        }
        Err(nothing_expected(inp))
    })
}

/// Can this token start an expression? Used to spot a missing comma in `[1 2]`.
fn starts_expr(t: &Token) -> bool {
    matches!(
        t,
        Token::Number(_)
            | Token::Imag(_)
            | Token::Str(_)
            | Token::Ident(_)
            | Token::True
            | Token::False
            | Token::Nothing
            | Token::End
            | Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::Not
            | Token::Bang
    )
}

/// Parameters in parentheses: `(x, y = 2)`.
pub(super) fn params<'src>(expr: P<'src, Expr>) -> P<'src, Vec<Param>> {
    ident()
        .then(just(Token::Assign).ignore_then(expr).or_not())
        .map(|(name, default)| Param { name, default })
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .boxed()
}

/// Is `e` a comparison written without parentheses around it?
fn bare(e: &Expr, first: &Expr) -> bool {
    e.span.start == first.span.start
}

fn binary(op: BinOp, l: Expr, r: Expr, span: Span) -> Expr {
    Spanned::new(ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
}

/// The expression parser. `expr` is the recursive handle to itself, `block` parses `{ ... }`.
pub(super) fn expr_parser<'src>(expr: P<'src, Expr>, block: P<'src, Block>) -> P<'src, Expr> {
    let spanned = |k: ExprKind, e: &mut Extras<'src, '_>| Spanned::new(k, sp(e));

    let literal = select! {
        Token::Number(n) => ExprKind::Num(n),
        Token::Imag(n) => ExprKind::Imag(n),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::Nothing => ExprKind::Nothing,
        Token::End => ExprKind::End,
        Token::Ident(name) => ExprKind::Ident(name),
    }
    .map_with(spanned);

    let string = select! { Token::Str(_) => () }.map_with(|(), e| {
        let s = e.span();
        let st = state(e);
        let parts = st.strings.get(&s.start).cloned().unwrap_or_default();
        Spanned::new(ExprKind::Str(parts), st.span(s))
    });

    // A parenthesised expression keeps the parentheses in its span, which is how the
    // non-associative operators tell `(a < b) < c` from `a < b < c`.
    let paren = expr
        .clone()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map_with(|inner: Expr, e| Spanned::new(inner.node, sp(e)));

    // Not a `[` or `(` right after a value: that indexes or calls it (see `Layout::postfix`).
    let missing_comma = any()
        .filter(starts_expr)
        .try_map_with(|t, e| {
            let span: SimpleSpan = e.span();
            match state(e).postfix.binary_search(&span.start) {
                Ok(_) => Err(Rich::custom(span, "")),
                Err(_) => Ok((t, span)),
            }
        })
        .rewind()
        .validate(|(t, s), _, emitter| emitter.emit(custom(s, SyntaxError::MissingComma(t))));
    let elem_sep = just(Token::Comma).ignored().or(missing_comma);
    let row = expr.clone().separated_by(elem_sep).at_least(1).collect::<Vec<_>>();
    let row_sep = one_of([Token::Semi, Token::Newline]).repeated().at_least(1);
    let matrix = just(Token::LBracket)
        .ignore_then(row_sep.clone().or_not())
        .ignore_then(row.separated_by(row_sep).allow_trailing().collect::<Vec<_>>())
        .then_ignore(just(Token::RBracket))
        .map_with(move |rows, e| spanned(ExprKind::Matrix(rows), e))
        .labelled("matrix literal")
        .as_context();

    let field = ident().then_ignore(just(Token::Assign)).then(expr.clone());
    let record =
        field.separated_by(just(Token::Comma)).at_least(1).allow_trailing().collect::<Vec<_>>().map(ExprKind::Record);
    let list = expr.clone().separated_by(just(Token::Comma)).allow_trailing().collect::<Vec<_>>().map(ExprKind::List);
    let braces = choice((record, list))
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(spanned)
        .labelled("list")
        .as_context();

    let else_if = just(Token::Else).ignore_then(just(Token::If)).ignore_then(expr.clone()).then(block.clone());
    let if_expr = just(Token::If)
        .ignore_then(expr.clone())
        .then(block.clone())
        .then(else_if.repeated().collect::<Vec<_>>())
        .then(just(Token::Else).ignore_then(block.clone()).or_not())
        .map_with(|(((cond, then), mut rest), else_block), e| {
            let span = sp(e);
            // Without `else` this is an error when the `if` is used for its value; a bare `if`
            // statement takes the error back (see `stmt::bare_if`). Parsed once either way, so
            // that a statement and an expression never parse the same `if` twice.
            if else_block.is_none() {
                state(e).diags.push(SyntaxError::IfWithoutElse.diagnostic(span));
            }
            rest.insert(0, (cond, then));
            Spanned::new(ExprKind::If { branches: rest, else_block }, span)
        });

    let atom = choice((literal, string, paren, matrix, braces, if_expr)).labelled("expression");
    // Where an atom failed to parse once it fails again at once (see `ParseState::failed`).
    let atom = not_failed_before().ignore_then(atom.or(remember_failure())).boxed();

    let arg = choice((
        ident()
            .then_ignore(just(Token::Assign))
            .then(expr.clone())
            .map(|(name, value)| Arg { name: Some(name), value }),
        expr.clone().map(|value| Arg { name: None, value }),
    ));
    let call_args = arg
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .labelled("call")
        .as_context();

    let colon = just(Token::Colon)
        .map_with(move |_, e| spanned(ExprKind::Colon, e))
        .then_ignore(one_of([Token::Comma, Token::RBracket]).rewind());
    let index_args = choice((colon, expr.clone()))
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .at_least(1)
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .labelled("index")
        .as_context();

    let bin = |l: Expr, op: BinOp, r: Expr, e: &mut Extras<'src, '_>| {
        let span = sp(e);
        binary(op, l, r, span)
    };
    let un = |op: UnOp, x: Expr, e: &mut Extras<'src, '_>| {
        let span = sp(e);
        Spanned::new(ExprKind::Unary(op, Box::new(x)), span)
    };

    // Calls, indexes, fields and transposes bind tighter than every operator, so they are
    // folded onto the atom here rather than being operators of the table below: an operator
    // table would try a postfix that failed once again at each enclosing prefix operator
    // (`-a(...)` tries the call for `a`, then for `-a`), which costs time exponential in the
    // nesting when the text inside is bad.
    let postfix_op = choice((
        call_args.map(Postfix::Call),
        index_args.map(Postfix::Index),
        just(Token::Dot).ignore_then(ident()).map(Postfix::Field),
        just(Token::Quote).to(Postfix::Transpose),
    ));
    let primary = atom.foldl_with(postfix_op.repeated(), |base: Expr, op, e| {
        let span = sp(e);
        let base = Box::new(base);
        let kind = match op {
            Postfix::Call(args) => ExprKind::Call(base, args),
            Postfix::Index(idx) => ExprKind::Index(base, idx),
            Postfix::Field(name) => ExprKind::Field(base, name),
            Postfix::Transpose => ExprKind::Transpose(base),
        };
        Spanned::new(kind, span)
    });

    let operators = primary.pratt((
        infix(left(1), one_of([Token::Or, Token::OrOr]).to(BinOp::Or), bin),
        infix(left(2), one_of([Token::And, Token::AndAnd]).to(BinOp::And), bin),
        prefix(3, one_of([Token::Not, Token::Bang]).to(UnOp::Not), un),
        infix(
            left(4),
            select! {
                Token::EqEq => BinOp::Eq,
                Token::NotEq => BinOp::Ne,
                Token::Lt => BinOp::Lt,
                Token::Le => BinOp::Le,
                Token::Gt => BinOp::Gt,
                Token::Ge => BinOp::Ge,
                Token::DotEqEq => BinOp::ElemEq,
                Token::DotNotEq => BinOp::ElemNe,
                Token::DotLt => BinOp::ElemLt,
                Token::DotLe => BinOp::ElemLe,
                Token::DotGt => BinOp::ElemGt,
                Token::DotGe => BinOp::ElemGe,
            },
            |l: Expr, op: BinOp, r: Expr, e: &mut Extras<'src, '_>| {
                let span = sp(e);
                if let ExprKind::Binary(inner, first, _) = &l.node {
                    if is_comparison(*inner) && bare(&l, first) {
                        let d = SyntaxError::ChainedComparison.diagnostic(span);
                        state(e).diags.push(d);
                    }
                }
                binary(op, l, r, span)
            },
        ),
        infix(left(5), just(Token::Colon), |l: Expr, _, r: Expr, e: &mut Extras<'src, '_>| {
            let span = sp(e);
            range(l, r, span, &mut state(e).diags)
        }),
        infix(left(6), select! { Token::Plus => BinOp::Add, Token::Minus => BinOp::Sub }, bin),
        infix(
            left(7),
            select! {
                Token::Star => BinOp::Mul,
                Token::Slash => BinOp::Div,
                Token::Backslash => BinOp::LeftDiv,
                Token::DotStar => BinOp::ElemMul,
                Token::DotSlash => BinOp::ElemDiv,
            },
            bin,
        ),
        prefix(8, select! { Token::Minus => UnOp::Neg, Token::Plus => UnOp::Plus }, un),
        infix(right(9), select! { Token::Caret => BinOp::Pow, Token::DotCaret => BinOp::ElemPow }, bin),
    ));

    let lambda_params = choice((ident().map(|name| vec![Param { name, default: None }]), params(expr.clone())));
    let body = choice((block.map(FnBody::Block), expr.map(FnBody::Expr)));
    let lambda = lambda_params.then_ignore(just(Token::Arrow)).then(body).map_with(|(params, body), e| {
        let span = sp(e);
        let def = FnDef { name: None, params, body, span };
        Spanned::new(ExprKind::Lambda(Rc::new(def)), span)
    });

    choice((lambda, operators)).labelled("expression").boxed()
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::ElemEq
            | BinOp::ElemNe
            | BinOp::ElemLt
            | BinOp::ElemLe
            | BinOp::ElemGt
            | BinOp::ElemGe
    )
}

/// Folds `l : r`. A bare `a:b` on the left makes `a:b:r` (with step `b`); a longer chain is
/// an error.
fn range(l: Expr, r: Expr, span: Span, diags: &mut Vec<Diagnostic>) -> Expr {
    let l_span = l.span;
    match l.node {
        ExprKind::Range { start, step: None, stop } if start.span.start == l_span.start => {
            let kind = ExprKind::Range { start, step: Some(stop), stop: Box::new(r) };
            Spanned::new(kind, span)
        }
        ExprKind::Range { step: Some(_), ref start, .. } if start.span.start == l_span.start => {
            diags.push(SyntaxError::ChainedRange.diagnostic(span));
            let kind = ExprKind::Range { start: Box::new(l), step: None, stop: Box::new(r) };
            Spanned::new(kind, span)
        }
        node => {
            let l = Spanned::new(node, l_span);
            let kind = ExprKind::Range { start: Box::new(l), step: None, stop: Box::new(r) };
            Spanned::new(kind, span)
        }
    }
}
