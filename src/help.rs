//! The text of `:help` and `:help NAME`, derived from the builtin table and the keywords.

use std::fmt::Write as _;

use mml_runtime::{Category, Session};

use crate::repl::commands::COMMANDS;

#[cfg(test)]
mod tests;

const OVERVIEW: &str = "\
MML REPL: type an expression to see its value, or a statement to run it.
  Open brackets and blocks continue on the next line; Tab completes names;
  Up/Down browse the history; Ctrl-C stops a running evaluation (variables are kept);
  Ctrl-D or :quit leaves.

Commands:
  :help        this overview
  :help NAME   the signature and documentation of a builtin, constant or keyword
  :vars        the variables defined so far
  :load FILE   run a script in this session
  :quit, :q    leave
";

/// The text of `:help` (`name` is `None`) or `:help NAME`.
pub fn help_text(session: &Session, name: Option<&str>) -> String {
    match name.map(str::trim) {
        None | Some("") => overview(session),
        Some(name) => about(session, name),
    }
}

fn overview(session: &Session) -> String {
    let mut out = String::from(OVERVIEW);
    let mut builtins: Vec<_> = session.builtins().to_vec();
    builtins.sort_by(|a, b| a.category.cmp(&b.category).then(a.name.cmp(b.name)));
    let width = builtins.iter().map(|b| b.name.len()).chain(session.constants().iter().map(|c| c.name.len())).max();
    let width = width.unwrap_or(0);
    let mut category: Option<Category> = None;
    for b in &builtins {
        if category != Some(b.category) {
            category = Some(b.category);
            let _ = write!(out, "\n{}:\n", b.category.title());
        }
        let _ = writeln!(out, "  {:width$}  {}", b.name, b.summary());
    }
    if !session.constants().is_empty() {
        out.push_str("\nConstants:\n");
        for c in session.constants() {
            let _ = writeln!(out, "  {:width$}  {}", c.name, summary(c.doc));
        }
    }
    out.push_str("\n`:help NAME` shows more about one of them.\n");
    out
}

fn about(session: &Session, name: &str) -> String {
    if let Some(b) = session.builtin(name) {
        return format!("{}\n\n{}", b.signature(), render_doc(b.doc));
    }
    if let Some(c) = session.constants().iter().find(|c| c.name == name) {
        return format!("{} = {}\n\n{}", c.name, mml_runtime::display::format_number(c.value), render_doc(c.doc));
    }
    if mml_lang::KEYWORDS.contains(&name) {
        return format!("`{name}` is a keyword: {}\n", keyword_help(name));
    }
    if let Some(cmd) = command_help(name) {
        return format!("{cmd}\n");
    }
    if let Some((_, value)) = session.globals().into_iter().find(|(n, _)| n == name) {
        let text = session.format_value(&value);
        let text = text.trim_end();
        let shown = if text.contains('\n') { format!("\n{text}") } else { format!(" {text}") };
        return format!(
            "`{name}` is a variable of this session ({}):{shown}\n",
            mml_runtime::display::describe(&value)
        );
    }
    let mut out = format!("no help for `{name}`\n");
    let globals = session.globals();
    let known = session
        .builtins()
        .iter()
        .map(|b| b.name)
        .chain(session.constants().iter().map(|c| c.name))
        .chain(mml_lang::KEYWORDS.iter().copied())
        .chain(COMMANDS.iter().copied())
        .chain(globals.iter().map(|(n, _)| n.as_str()));
    if let Some(best) = closest(name, known) {
        let _ = writeln!(out, "did you mean `{best}`?");
    }
    out.push_str("`:help` lists every builtin\n");
    out
}

/// The first line of a doc text.
fn summary(doc: &str) -> &str {
    doc.lines().next().unwrap_or("").trim()
}

/// Markdown docs for a terminal: code fences dropped and their contents indented.
fn render_doc(doc: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in doc.trim().lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            let _ = writeln!(out, "    {line}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// What a keyword does, in a line.
fn keyword_help(word: &str) -> &'static str {
    match word {
        "fn" => "defines a block function: `fn name(x, y = 1) { ... }`",
        "return" => "leaves the current function with a value: `return x`",
        "if" => "runs a block when a condition holds: `if x > 0 { ... } else { ... }`",
        "else" => "the alternative of an `if`: `else { ... }` or `else if cond { ... }`",
        "while" => "repeats a block while a condition holds: `while err > tol { ... }`",
        "for" => "runs a block for each element: `for i in 1:n { ... }`",
        "in" => "separates the variable from what a `for` loop walks over: `for v in list { ... }`",
        "break" => "leaves the innermost loop",
        "continue" => "skips to the next iteration of the innermost loop",
        "true" | "false" => "a bool value",
        "nothing" => "the absence of a value, returned by statements and `print`",
        "end" => "inside an index, the last position: `v[end]`, `A[2:end, :]`",
        "and" => "logical and, evaluating the right side only when needed",
        "or" => "logical or, evaluating the right side only when needed",
        "not" => "logical negation",
        _ => "part of MML's syntax",
    }
}

/// Help for a REPL command (`:vars`), if `name` is one.
fn command_help(name: &str) -> Option<&'static str> {
    Some(match name {
        ":help" | ":h" => ":help lists the builtins; :help NAME shows the documentation of one name",
        ":vars" => ":vars lists the variables defined so far, with their values",
        ":load" => ":load FILE runs a script in this session; its variables stay defined",
        ":quit" | ":q" => ":quit (or :q, or Ctrl-D) leaves the REPL",
        _ => return None,
    })
}

/// The candidate closest to `word` in edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}
