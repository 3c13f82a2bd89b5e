//! A compact S-expression dump of the AST, one statement per line, for tests and debugging.

use std::fmt::Write as _;

use crate::ast::{Accessor, Block, Expr, ExprKind, FnBody, FnDef, Place, Program, Stmt, StmtKind, StrPart};

/// Dumps a program as S-expressions, one statement per line: `(= x (+ 1 (* 2 3)))`.
pub fn dump_program(p: &Program) -> String {
    let mut out = String::new();
    for s in &p.stmts {
        stmt(&mut out, s);
        out.push('\n');
    }
    out
}

/// Grows the stack when needed, so very deep trees dump without overflowing.
fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, f)
}

fn num(out: &mut String, n: f64) {
    let _ = write!(out, "{n}");
}

fn block(out: &mut String, b: &Block) {
    out.push_str("(block");
    for s in &b.stmts {
        out.push(' ');
        stmt(out, s);
    }
    out.push(')');
}

fn fn_def(out: &mut String, head: &str, f: &FnDef) {
    out.push('(');
    out.push_str(head);
    if let Some(name) = &f.name {
        let _ = write!(out, " {}", name.node);
    }
    out.push_str(" (");
    for (i, p) in f.params.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match &p.default {
            None => out.push_str(&p.name.node),
            Some(d) => {
                let _ = write!(out, "({} ", p.name.node);
                expr(out, d);
                out.push(')');
            }
        }
    }
    out.push_str(") ");
    match &f.body {
        FnBody::Expr(e) => expr(out, e),
        FnBody::Block(b) => block(out, b),
    }
    out.push(')');
}

fn place(out: &mut String, p: &Place) {
    let mut s = p.root.node.to_string();
    for acc in &p.path {
        match acc {
            Accessor::Index(idx, _) => {
                let mut t = format!("(index {s}");
                for i in idx {
                    t.push(' ');
                    expr(&mut t, i);
                }
                t.push(')');
                s = t;
            }
            Accessor::Field(name) => s = format!("(. {s} {})", name.node),
        }
    }
    out.push_str(&s);
}

fn stmt(out: &mut String, s: &Stmt) {
    deep(|| match &s.node {
        StmtKind::Expr(e) => expr(out, e),
        StmtKind::Assign { targets, op, value } => {
            let op = op.map_or("=".to_string(), |o| format!("{}=", o.symbol()));
            let _ = write!(out, "({op} ");
            if let [one] = targets.as_slice() {
                place(out, one);
            } else {
                out.push('(');
                for (i, t) in targets.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    place(out, t);
                }
                out.push(')');
            }
            out.push(' ');
            expr(out, value);
            out.push(')');
        }
        StmtKind::FnDef(f) => fn_def(out, "def", f),
        StmtKind::If { branches, else_block } => {
            out.push_str("(if");
            for (i, (c, b)) in branches.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { " (elif " });
                expr(out, c);
                out.push(' ');
                block(out, b);
                if i > 0 {
                    out.push(')');
                }
            }
            if let Some(b) = else_block {
                out.push_str(" (else ");
                block(out, b);
                out.push(')');
            }
            out.push(')');
        }
        StmtKind::While { cond, body } => {
            out.push_str("(while ");
            expr(out, cond);
            out.push(' ');
            block(out, body);
            out.push(')');
        }
        StmtKind::For { var, iter, body } => {
            let _ = write!(out, "(for {} ", var.node);
            expr(out, iter);
            out.push(' ');
            block(out, body);
            out.push(')');
        }
        StmtKind::Break => out.push_str("break"),
        StmtKind::Continue => out.push_str("continue"),
        StmtKind::Return(None) => out.push_str("(return)"),
        StmtKind::Return(Some(e)) => {
            out.push_str("(return ");
            expr(out, e);
            out.push(')');
        }
        StmtKind::Block(b) => block(out, b),
        StmtKind::Error => out.push_str("(error)"),
    })
}

fn list(out: &mut String, head: &str, items: &[Expr]) {
    out.push('(');
    out.push_str(head);
    for e in items {
        out.push(' ');
        expr(out, e);
    }
    out.push(')');
}

fn expr(out: &mut String, e: &Expr) {
    deep(|| match &e.node {
        ExprKind::Num(n) => num(out, *n),
        ExprKind::Imag(n) => {
            num(out, *n);
            out.push('i');
        }
        ExprKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Nothing => out.push_str("nothing"),
        ExprKind::Str(parts) => match parts.as_slice() {
            [StrPart::Lit(s)] => {
                let _ = write!(out, "{s:?}");
            }
            _ => {
                out.push_str("(str");
                for p in parts {
                    match p {
                        StrPart::Lit(s) => {
                            let _ = write!(out, " {s:?}");
                        }
                        StrPart::Interp(x) => {
                            out.push_str(" {");
                            expr(out, x);
                            out.push('}');
                        }
                    }
                }
                out.push(')');
            }
        },
        ExprKind::Ident(name) => out.push_str(name),
        ExprKind::End => out.push_str("end"),
        ExprKind::Colon => out.push(':'),
        ExprKind::Matrix(rows) => {
            out.push_str("(matrix");
            for r in rows {
                out.push_str(" (");
                for (i, x) in r.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    expr(out, x);
                }
                out.push(')');
            }
            out.push(')');
        }
        ExprKind::List(items) => list(out, "list", items),
        ExprKind::Record(fields) => {
            out.push_str("(record");
            for (name, v) in fields {
                let _ = write!(out, " ({} ", name.node);
                expr(out, v);
                out.push(')');
            }
            out.push(')');
        }
        ExprKind::Range { start, step, stop } => {
            out.push_str("(range ");
            expr(out, start);
            if let Some(s) = step {
                out.push(' ');
                expr(out, s);
            }
            out.push(' ');
            expr(out, stop);
            out.push(')');
        }
        ExprKind::Unary(op, x) => {
            let _ = write!(out, "({} ", op.symbol());
            expr(out, x);
            out.push(')');
        }
        ExprKind::Binary(op, l, r) => {
            let _ = write!(out, "({} ", op.symbol());
            expr(out, l);
            out.push(' ');
            expr(out, r);
            out.push(')');
        }
        ExprKind::Transpose(x) => {
            out.push_str("(' ");
            expr(out, x);
            out.push(')');
        }
        ExprKind::Call(f, args) => {
            out.push_str("(call ");
            expr(out, f);
            for a in args {
                out.push(' ');
                match &a.name {
                    Some(n) => {
                        let _ = write!(out, "(kw {} ", n.node);
                        expr(out, &a.value);
                        out.push(')');
                    }
                    None => expr(out, &a.value),
                }
            }
            out.push(')');
        }
        ExprKind::Index(a, idx) => {
            out.push_str("(index ");
            expr(out, a);
            for i in idx {
                out.push(' ');
                expr(out, i);
            }
            out.push(')');
        }
        ExprKind::Field(r, name) => {
            out.push_str("(. ");
            expr(out, r);
            let _ = write!(out, " {})", name.node);
        }
        ExprKind::Lambda(f) => fn_def(out, "lambda", f),
        ExprKind::If { branches, else_block } => {
            out.push_str("(if-expr");
            for (c, b) in branches {
                out.push(' ');
                expr(out, c);
                out.push(' ');
                block(out, b);
            }
            if let Some(b) = else_block {
                out.push_str(" (else ");
                block(out, b);
                out.push(')');
            }
            out.push(')');
        }
        ExprKind::Error => out.push_str("(error)"),
    })
}
