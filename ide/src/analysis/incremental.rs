//! Re-reading only what an edit touched: the top-level statements around the edit are
//! parsed again, the others are kept (moved by the edit's change of length). Used only when
//! the old text parsed without a problem and the new statements do too; anything else is
//! parsed whole, so the result is always what [`mml_lang::parse_program`] gives.

use std::rc::Rc;

use mml_lang::ast::{Accessor, Block, Expr, ExprKind, FnBody, FnDef, Place, Program, Stmt, StmtKind, StrPart};
use mml_lang::Span;

/// One edit: bytes `start..old_end` of the old text became `start..new_end` of the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Where the change starts (the same in both texts).
    pub start: usize,
    /// Where the replaced text ended, in the old text.
    pub old_end: usize,
    /// Where the inserted text ends, in the new text.
    pub new_end: usize,
}

/// The program of `new_text`, reusing `old`'s statements away from `edit`; `None` when the
/// statements around the edit do not parse cleanly on their own (then parse it whole).
pub(super) fn reparse(mut old: Program, new_text: &str, edit: Edit) -> Option<Program> {
    let stmts = &old.stmts;
    let delta = edit.new_end as i64 - edit.old_end as i64;
    if stmts.is_empty() || edit.old_end < edit.start || edit.new_end < edit.start {
        return None;
    }
    // The statements the edit touches, and one more on each side.
    let first = stmts.partition_point(|s| (s.span.end as usize) < edit.start).saturating_sub(1);
    let after = stmts.partition_point(|s| (s.span.start as usize) <= edit.old_end);
    let last = (after + 1).min(stmts.len()).max(first + 1);
    // From the end of the statement kept before to the start of the one kept after.
    let start = if first > 0 { stmts[first - 1].span.end as usize } else { 0 };
    let old_len = new_text.len() as i64 - delta;
    let end_old = if last < stmts.len() { stmts[last].span.start as i64 } else { old_len };
    let end = usize::try_from(end_old + delta).ok()?;
    if start > edit.start || end < edit.new_end || end > new_text.len() {
        return None;
    }
    let mut parsed = mml_lang::parse_range(0, new_text, start..end);
    if !parsed.diagnostics.is_empty() || parsed.incomplete {
        return None;
    }
    let mut stmts = std::mem::take(&mut old.stmts);
    let mut kept_after = stmts.split_off(last);
    // The statements read again are dropped as a program (which takes deep trees apart
    // without recursing).
    old.stmts = stmts.split_off(first);
    drop(old);
    stmts.append(&mut parsed.program.stmts);
    if delta != 0 {
        kept_after.iter_mut().for_each(|s| stmt(s, delta));
    }
    stmts.append(&mut kept_after);
    Some(Program { stmts })
}

fn span(s: &mut Span, delta: i64) {
    s.start = (s.start as i64 + delta) as u32;
    s.end = (s.end as i64 + delta) as u32;
}

fn stmt(s: &mut Stmt, d: i64) {
    span(&mut s.span, d);
    match &mut s.node {
        StmtKind::Expr(e) => expr(e, d),
        StmtKind::Assign { targets, value, .. } => {
            targets.iter_mut().for_each(|t| place(t, d));
            expr(value, d);
        }
        StmtKind::FnDef(f) => function(f, d),
        StmtKind::If { branches, else_block } => {
            for (c, b) in branches {
                expr(c, d);
                block(b, d);
            }
            if let Some(b) = else_block {
                block(b, d);
            }
        }
        StmtKind::While { cond, body } => {
            expr(cond, d);
            block(body, d);
        }
        StmtKind::For { var, iter, body } => {
            span(&mut var.span, d);
            expr(iter, d);
            block(body, d);
        }
        StmtKind::Return(Some(e)) => expr(e, d),
        StmtKind::Block(b) => block(b, d),
        StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
    }
}

fn block(b: &mut Block, d: i64) {
    span(&mut b.span, d);
    b.stmts.iter_mut().for_each(|s| stmt(s, d));
}

fn place(p: &mut Place, d: i64) {
    span(&mut p.span, d);
    span(&mut p.root.span, d);
    for a in &mut p.path {
        match a {
            Accessor::Index(ix, s) => {
                span(s, d);
                ix.iter_mut().for_each(|e| expr(e, d));
            }
            Accessor::Field(f) => span(&mut f.span, d),
        }
    }
}

fn function(f: &mut Rc<FnDef>, d: i64) {
    let f = Rc::make_mut(f);
    span(&mut f.span, d);
    if let Some(n) = &mut f.name {
        span(&mut n.span, d);
    }
    for p in &mut f.params {
        span(&mut p.name.span, d);
        if let Some(e) = &mut p.default {
            expr(e, d);
        }
    }
    match &mut f.body {
        FnBody::Expr(e) => expr(e, d),
        FnBody::Block(b) => block(b, d),
    }
}

fn expr(e: &mut Expr, d: i64) {
    // A long sum is a tree as deep as it has terms.
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || expr_inner(e, d));
}

fn expr_inner(e: &mut Expr, d: i64) {
    span(&mut e.span, d);
    match &mut e.node {
        ExprKind::Str(parts) => {
            for p in parts {
                if let StrPart::Interp(x) = p {
                    expr(x, d);
                }
            }
        }
        ExprKind::Matrix(rows) => rows.iter_mut().flatten().for_each(|x| expr(x, d)),
        ExprKind::List(items) => items.iter_mut().for_each(|x| expr(x, d)),
        ExprKind::Record(fields) => {
            for (name, x) in fields {
                span(&mut name.span, d);
                expr(x, d);
            }
        }
        ExprKind::Range { start, step, stop } => {
            expr(start, d);
            if let Some(s) = step {
                expr(s, d);
            }
            expr(stop, d);
        }
        ExprKind::Unary(_, x) | ExprKind::Transpose(x) => expr(x, d),
        ExprKind::Binary(_, l, r) => {
            expr(l, d);
            expr(r, d);
        }
        ExprKind::Call(f, args) => {
            expr(f, d);
            for a in args {
                if let Some(n) = &mut a.name {
                    span(&mut n.span, d);
                }
                expr(&mut a.value, d);
            }
        }
        ExprKind::Index(base, ix) => {
            expr(base, d);
            ix.iter_mut().for_each(|x| expr(x, d));
        }
        ExprKind::Field(base, name) => {
            expr(base, d);
            span(&mut name.span, d);
        }
        ExprKind::Lambda(f) => function(f, d),
        ExprKind::If { branches, else_block } => {
            for (c, b) in branches {
                expr(c, d);
                block(b, d);
            }
            if let Some(b) = else_block {
                block(b, d);
            }
        }
        ExprKind::Num(_)
        | ExprKind::Imag(_)
        | ExprKind::Bool(_)
        | ExprKind::Nothing
        | ExprKind::Ident(_)
        | ExprKind::End
        | ExprKind::Colon
        | ExprKind::Error => {}
    }
}
