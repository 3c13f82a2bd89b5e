//! The help text of a name (`:help NAME`, `?NAME`, a notebook's inspection, an editor's
//! hover), derived from the builtin table and the keywords, as terminal text or Markdown.
//!
//! `:help` alone is a short overview (the commands and one line per category); `:help` with a
//! category's name lists that category; a word that names nothing searches the documentation
//! (`:help eigenvalue` finds `eig`, `eigh`, `charpoly`).

use std::fmt::Write as _;

use mml_runtime::{Builtin, Category, Session};

use crate::input::COMMANDS;

#[cfg(test)]
mod tests;

const OVERVIEW: &str = "\
MML: type an expression to see its value, or a statement to run it.
  Open brackets and blocks continue on the next line; Tab completes names;
  Up/Down browse the history; Ctrl-C stops a running evaluation (variables are kept);
  a trailing `;` hides a value; `ans` is the last value shown.

Commands:
  :help NAME   the signature and documentation of a name (also `?NAME`, `NAME?`, `help NAME`)
  :help WORD   the builtins whose documentation mentions WORD (`:help eigenvalue`)
  :vars        the variables defined so far
  :load FILE   run a script in this session
  :quit        leave (also `quit`, `exit`, Ctrl-D)
";

/// How many names of a category the overview shows.
const OVERVIEW_NAMES: usize = 7;

/// The text of `:help` (`name` is `None`) or `:help NAME`, for a terminal.
pub fn help_text(session: &Session, name: Option<&str>) -> String {
    match name.map(str::trim) {
        None | Some("") => overview(session),
        Some(name) => about(session, name).unwrap_or_else(|| not_found(session, name)),
    }
}

/// The help of `name` as Markdown (a notebook's inspection, an editor's hover), or `None`
/// when the name is unknown.
pub fn help_markdown(session: &Session, name: &str) -> Option<String> {
    if let Some(b) = session.builtin(name) {
        return Some(format!("```mml\n{}\n```\n\n{}\n", b.signature(), b.doc.trim()));
    }
    if let Some(c) = session.constants().iter().find(|c| c.name == name) {
        let value = mml_runtime::display::format_number(c.value);
        return Some(format!("```mml\n{} = {value}\n```\n\n{}\n", c.name, c.doc.trim()));
    }
    about(session, name).map(|text| format!("```\n{}\n```\n", text.trim_end()))
}

fn overview(session: &Session) -> String {
    let mut out = String::from(OVERVIEW);
    out.push_str("\nBuiltins by category (`:help CATEGORY` lists one, `:help NAME` shows one):\n");
    let categories = categories(session);
    let width = categories.iter().map(|(c, _)| c.title().len()).max().unwrap_or(0);
    for (category, names) in &categories {
        let shown: Vec<&str> = names.iter().take(OVERVIEW_NAMES).map(|b| b.name).collect();
        let more = if names.len() > OVERVIEW_NAMES { format!(", … ({} in all)", names.len()) } else { String::new() };
        let _ = writeln!(out, "  {:width$}  {}{more}", category.title(), shown.join(", "));
    }
    if !session.constants().is_empty() {
        let names: Vec<&str> = session.constants().iter().map(|c| c.name).collect();
        let _ = writeln!(out, "  {:width$}  {}", "Constants", names.join(", "));
    }
    out
}

/// The builtins grouped by category, in declaration order of the categories, names sorted.
fn categories(session: &Session) -> Vec<(Category, Vec<&'static Builtin>)> {
    let mut builtins: Vec<&'static Builtin> = session.builtins().to_vec();
    builtins.sort_by(|a, b| a.category.cmp(&b.category).then(a.name.cmp(b.name)));
    let mut out: Vec<(Category, Vec<&'static Builtin>)> = Vec::new();
    for b in builtins {
        match out.last_mut() {
            Some((c, names)) if *c == b.category => names.push(b),
            _ => out.push((b.category, vec![b])),
        }
    }
    out
}

/// The help of a known name, category or command; `None` when `name` is none of them.
fn about(session: &Session, name: &str) -> Option<String> {
    if let Some(b) = session.builtin(name) {
        return Some(format!("{}\n\n{}", b.signature(), render_doc(b.doc)));
    }
    if let Some(c) = session.constants().iter().find(|c| c.name == name) {
        return Some(format!("{} = {}\n\n{}", c.name, mml_runtime::display::format_number(c.value), render_doc(c.doc)));
    }
    if let Some(f) = session.foreign(name) {
        return Some(format!(
            "`{name}` ({}) is not an MML name; MML writes this as {}\n\n    {}\n",
            f.from, f.mml, f.example
        ));
    }
    if mml_lang::KEYWORDS.contains(&name) {
        return Some(format!("`{name}` is a keyword: {}\n", keyword_help(name)));
    }
    if let Some(text) = topic_help(name) {
        return Some(text.to_string());
    }
    if let Some(cmd) = command_help(name) {
        return Some(format!("{cmd}\n"));
    }
    if let Some((_, value)) = session.globals().into_iter().rev().find(|(n, _)| n == name) {
        let text = session.format_value(&value);
        let text = text.trim_end();
        let shown = if text.contains('\n') { format!("\n{text}") } else { format!(" {text}") };
        return Some(format!(
            "`{name}` is a variable of this session ({}):{shown}\n",
            mml_runtime::display::describe(&value)
        ));
    }
    let wanted = name.to_lowercase();
    if let Some((category, names)) = categories(session).into_iter().find(|(c, _)| c.title().to_lowercase() == wanted) {
        let width = names.iter().map(|b| b.name.len()).max().unwrap_or(0);
        let mut out = format!("{}:\n", category.title());
        for b in names {
            let _ = writeln!(out, "  {:width$}  {}", b.name, b.summary());
        }
        return Some(out);
    }
    None
}

/// `:help WORD` for a word that names nothing: the builtins whose documentation mentions it,
/// else a spelling suggestion.
fn not_found(session: &Session, name: &str) -> String {
    let globals = session.globals();
    let known = session
        .builtins()
        .iter()
        .map(|b| b.name)
        .chain(session.constants().iter().map(|c| c.name))
        .chain(mml_lang::KEYWORDS.iter().copied())
        .chain(COMMANDS.iter().copied())
        .chain(globals.iter().map(|(n, _)| n.as_str()));
    let mut out = format!("no help for `{name}`\n");
    if let Some(best) = closest(name, known) {
        let _ = writeln!(out, "did you mean `{best}`?");
        return out;
    }
    let found = search(session, name);
    if found.is_empty() {
        out.push_str("`:help` lists the categories of builtins\n");
        return out;
    }
    let width = found.iter().map(|b| b.name.len()).max().unwrap_or(0);
    let mut out = format!("`{name}` is not a name; the builtins whose documentation mentions it:\n");
    for b in found {
        let _ = writeln!(out, "  {:width$}  {}", b.name, b.summary());
    }
    out.push_str("`:help NAME` shows one of them\n");
    out
}

/// The builtins whose documentation contains `word` (case-insensitively, as a word's
/// beginning), those that mention it in their summary first.
fn search(session: &Session, word: &str) -> Vec<&'static Builtin> {
    let word = word.to_lowercase();
    if word.chars().count() < 3 || !word.chars().all(|c| c.is_alphanumeric() || c == '-' || c == ' ') {
        return Vec::new();
    }
    let mentions = |text: &str| {
        let text = text.to_lowercase();
        text.match_indices(&word).any(|(i, _)| !text[..i].ends_with(|c: char| c.is_alphanumeric()))
    };
    let mut found: Vec<(bool, &'static Builtin)> =
        session.builtins().iter().filter(|b| mentions(b.doc)).map(|b| (!mentions(b.summary()), *b)).collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(b.1.name)));
    found.into_iter().map(|(_, b)| b).collect()
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

/// What every iterative builtin reports: `:help iterative` (also `:help iterations`,
/// `:help converged`, `:help reason`).
const TRACE_HELP: &str = "\
Iterative builtins (newton_raphson, bisect, root, power_iteration, pagerank,
gradient_descent, minimize, newton_minimize, curve_fit, lagrange, global_min) say what
they did in one shape: their result record ends with

  path        the iterates, one column each, from the start point
  iterations  the number of updates, as a hand-written loop counts them (pagerank and
              power_iteration count as the course's loop: not the first multiplication)
  converged   true only when the stated criterion holds at the stated tolerance
  reason      why it stopped: \"step\", \"gradient\", \"residual\", \"interval\" or
              \"change\" (converged by that criterion), or \"max-iterations\", \"stalled\",
              \"diverged\", \"cycled\", \"zero-derivative\", \"singular\", \"saddle\",
              \"maximum\", \"unbounded\"
  message     the same in a sentence, with the numbers

newton_raphson, bisect and root answer with a number (or vector); trace = true gives the
record instead. With trace = true every one of them returns its record whatever happened;
without it, a run that failed is a no-convergence (or singular-matrix) error with the same
message (the minimisers and curve_fit return their record with converged = false when
they run out of iterations, stall, or end at a saddle point, maximum or plateau).

    r = newton_raphson(x -> x^2 - 2, 1, trace = true)
    r.iterations                                    # => 6
    r.reason                                        # => step
    minimize((x, y) -> x^2 - y^2, [0, 0]).reason    # => saddle
    f(x, y) = x^2 + 3 * y^2
    contour(f, path = gradient_descent(f, [1, 1]).path)   # the path over f's contours

See docs/language.md, \"What iterative builtins report\", for each builtin's method and test.
";

/// Help on a topic that is not a name.
fn topic_help(name: &str) -> Option<&'static str> {
    match name {
        "iterative" | "iterations" | "converged" | "reason" | "solvers" => Some(TRACE_HELP),
        _ => None,
    }
}

/// Help for a REPL command (`:vars`), if `name` is one.
fn command_help(name: &str) -> Option<&'static str> {
    Some(match name {
        ":help" | ":h" => ":help gives an overview; :help NAME shows the documentation of one name",
        ":vars" => ":vars lists the variables defined so far, with their values",
        ":load" => ":load FILE runs a script in this session; its variables stay defined",
        ":quit" | ":q" => ":quit (or :q, quit, exit, Ctrl-D) leaves the REPL",
        _ => return None,
    })
}

/// The candidate closest to `word` in edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word && c.chars().count().abs_diff(len) <= limit)
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}
