//! The names a document defines at its top level (functions and variables), for completion,
//! hover and go-to-definition in editors, where nothing has run.

use mml_lang::ast::{Stmt, StmtKind};

/// A name defined by a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// The name.
    pub name: String,
    /// The signature (`f(x, y)`) of a function; `None` for a variable.
    pub signature: Option<String>,
    /// Where the name is written in its first definition (byte offsets).
    pub start: usize,
    /// See `start`.
    pub end: usize,
    /// The `#` comment lines just above a function, without the `#`.
    pub doc: String,
}

/// The top-level functions and variables of `text`, and the variables of its top-level
/// `for` loops, each at its first definition.
pub fn definitions(text: &str) -> Vec<Definition> {
    let parsed = mml_lang::parse_program(0, text);
    let mut out: Vec<Definition> = Vec::new();
    collect(&parsed.program.stmts, text, &mut out);
    out
}

fn collect(stmts: &[Stmt], text: &str, out: &mut Vec<Definition>) {
    for stmt in stmts {
        match &stmt.node {
            StmtKind::Assign { targets, .. } => {
                for t in targets {
                    add(out, &t.root.node, None, (t.root.span.start, t.root.span.end), String::new());
                }
            }
            StmtKind::FnDef(f) => {
                if let Some(name) = &f.name {
                    let params: Vec<&str> = f.params.iter().map(|p| &*p.name.node).collect();
                    let signature = format!("{}({})", name.node, params.join(", "));
                    let doc = comment_above(text, f.span.start as usize);
                    add(out, &name.node, Some(signature), (name.span.start, name.span.end), doc);
                }
            }
            StmtKind::For { var, body, .. } => {
                add(out, &var.node, None, (var.span.start, var.span.end), String::new());
                collect(&body.stmts, text, out);
            }
            StmtKind::While { body, .. } | StmtKind::Block(body) => collect(&body.stmts, text, out),
            StmtKind::If { branches, else_block } => {
                for (_, block) in branches {
                    collect(&block.stmts, text, out);
                }
                if let Some(block) = else_block {
                    collect(&block.stmts, text, out);
                }
            }
            _ => {}
        }
    }
}

/// Records a definition unless the name was defined before.
fn add(out: &mut Vec<Definition>, name: &str, signature: Option<String>, (start, end): (u32, u32), doc: String) {
    if !out.iter().any(|d| d.name == name) {
        out.push(Definition { name: name.to_string(), signature, start: start as usize, end: end as usize, doc });
    }
}

/// The comment lines directly above byte `at`, joined.
fn comment_above(text: &str, at: usize) -> String {
    let before = &text[..at.min(text.len())];
    let mut lines: Vec<&str> = Vec::new();
    for line in before.lines().rev().skip(usize::from(!before.ends_with('\n'))) {
        match line.trim_start().strip_prefix('#') {
            Some(c) => lines.push(c.trim()),
            None => break,
        }
    }
    lines.reverse();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_variables_and_loop_variables() {
        let text = "A = eye(2)\n# The loss of a step.\n# Squared.\nloss(w, b = 1) = sum(w .^ 2) + b\nfor k in 1:3 { s = k }\nA = 2\n";
        let defs = definitions(text);
        let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["A", "loss", "k", "s"]);
        let loss = &defs[1];
        assert_eq!(loss.signature.as_deref(), Some("loss(w, b)"));
        assert_eq!(loss.doc, "The loss of a step.\nSquared.");
        assert_eq!(&text[loss.start..loss.end], "loss");
        assert_eq!((defs[0].start, defs[0].end), (0, 1), "the first definition");
    }
}
