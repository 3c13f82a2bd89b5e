//! Completion at a cursor, and the call around a cursor.
//!
//! The candidates depend on where the cursor is:
//! - after `name.` (or `name.fi`): the fields of the record `name` holds in the session;
//! - at the start of a line beginning with `:`: the REPL commands;
//! - inside a string or a comment: nothing;
//! - elsewhere, for the word before the cursor: builtins, constants, keywords and the
//!   session's variables, and, inside a call of a builtin or a user function, its keyword
//!   parameters (`n = `).

use std::collections::BTreeMap;

use mml_lang::{LexedToken, Token};
use mml_runtime::{Builtin, Constant, ParamDefault, Session, Value};

use crate::input::COMMANDS;

/// What a completion candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// A keyword parameter of the call around the cursor.
    Parameter,
    /// A field of a record.
    Field,
    /// A variable of the session.
    Variable,
    /// A builtin function.
    Builtin,
    /// A named constant.
    Constant,
    /// A keyword of the language.
    Keyword,
    /// A REPL command.
    Command,
}

impl ItemKind {
    /// The kind's name, as Jupyter's completion metadata shows it.
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Parameter => "parameter",
            ItemKind::Field => "field",
            ItemKind::Variable => "variable",
            ItemKind::Builtin => "function",
            ItemKind::Constant => "constant",
            ItemKind::Keyword => "keyword",
            ItemKind::Command => "command",
        }
    }
}

/// One completion candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// What the list shows (`linspace`, `n =`).
    pub label: String,
    /// What it is.
    pub kind: ItemKind,
    /// A builtin's signature, a variable's description, a parameter's default.
    pub detail: String,
    /// The first line of a builtin's documentation, if any.
    pub summary: String,
    /// The text that replaces `start..end` of the input.
    pub insert: String,
}

/// The candidates for the text between byte offsets `start` and `end`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completions {
    /// First byte of the word being completed.
    pub start: usize,
    /// One past its last byte (the cursor).
    pub end: usize,
    /// The candidates, parameters and fields first, then alphabetical.
    pub items: Vec<Item>,
}

/// The names completion draws from: the library, and the session's variables as of the last
/// input. Front ends that cannot borrow the session while editing (the REPL) keep a snapshot.
#[derive(Clone)]
pub struct Names {
    builtins: &'static [&'static Builtin],
    constants: &'static [Constant],
    globals: Vec<(String, Value)>,
    defined: Vec<crate::symbols::Definition>,
}

impl Names {
    /// The names of `session`'s library and its current variables.
    pub fn of(session: &Session) -> Names {
        Names {
            builtins: session.builtins(),
            constants: session.constants(),
            globals: session.globals(),
            defined: Vec::new(),
        }
    }

    /// Adds the names a document defines (an editor's, where nothing has run).
    pub fn with_definitions(mut self, defined: Vec<crate::symbols::Definition>) -> Names {
        self.defined = defined;
        self
    }

    /// Refreshes the variables after an input ran.
    pub fn refresh(&mut self, session: &Session) {
        self.globals = session.globals();
    }

    /// The builtin called `name`.
    pub fn builtin(&self, name: &str) -> Option<&'static Builtin> {
        self.builtins.iter().copied().find(|b| b.name == name)
    }

    /// The value of variable `name`.
    pub fn global(&self, name: &str) -> Option<&Value> {
        self.globals.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The parameters of the function `name` names (a builtin, or a variable holding a
    /// function): `(name, default shown as text)` pairs.
    pub fn params_of(&self, name: &str) -> Option<Vec<(String, Option<String>)>> {
        if let Some(sig) = self.defined.iter().find(|d| d.name == name).and_then(|d| d.signature.as_deref()) {
            let inner = sig.split_once('(').map_or("", |(_, r)| r.trim_end_matches(')'));
            return Some(inner.split(", ").filter(|p| !p.is_empty()).map(|p| (p.to_string(), None)).collect());
        }
        if let Some(Value::Func(f)) = self.global(name) {
            return Some(f.params().into_iter().map(|p| (p.to_string(), None)).collect());
        }
        let b = match self.global(name) {
            Some(Value::Builtin(b)) => *b,
            Some(_) => return None,
            None => self.builtin(name)?,
        };
        Some(
            b.params
                .iter()
                .map(|p| {
                    let default = match &p.default {
                        ParamDefault::Required | ParamDefault::Variadic => None,
                        ParamDefault::Nothing => Some("nothing".to_string()),
                        ParamDefault::Num(x) => Some(mml_runtime::display::format_number(*x)),
                        ParamDefault::Bool(b) => Some(b.to_string()),
                        ParamDefault::Str(s) => Some(format!("\"{s}\"")),
                    };
                    (p.name.to_string(), default)
                })
                .collect(),
        )
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The call whose parentheses enclose a cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// The called name (`linspace`; for `r.f(…)`, `f`).
    pub name: String,
    /// Byte offset of the name.
    pub name_start: usize,
    /// Which argument the cursor is in (0-based; commas at the call's own depth count).
    pub active: usize,
    /// Keyword arguments already given before the cursor.
    pub given: Vec<String>,
}

/// The tokens of `text` before byte `pos`, and whether `pos` is inside a string or comment.
fn tokens_before(text: &str, pos: usize) -> (Vec<LexedToken>, bool) {
    let (tokens, _) = mml_lang::lex(0, text);
    let mut before = Vec::new();
    let mut quoted = false;
    for t in tokens {
        let (s, e) = (t.span.start as usize, t.span.end as usize);
        if e <= pos {
            before.push(t);
        } else {
            // A string token that started before the cursor holds it.
            quoted = s < pos && matches!(t.token, Token::Str(_));
            break;
        }
    }
    let from = before.last().map_or(0, |t| t.span.end as usize);
    let gap = text.get(from..pos).unwrap_or("");
    // An unterminated string is not a token: a quote in the gap opens one.
    let in_comment_or_string = quoted || gap.contains('#') || gap.contains('"');
    (before, in_comment_or_string)
}

/// The innermost call whose `(` is open at byte `pos` of `text`, if any.
pub fn enclosing_call(text: &str, pos: usize) -> Option<CallSite> {
    let pos = pos.min(text.len());
    let (tokens, _) = tokens_before(text, pos);
    let mut depth = 0usize;
    let mut active = 0;
    let mut given = Vec::new();
    for (i, t) in tokens.iter().enumerate().rev() {
        match t.token {
            Token::RParen | Token::RBracket | Token::RBrace => depth += 1,
            Token::LBracket | Token::LBrace if depth == 0 => return None,
            Token::LParen | Token::LBracket | Token::LBrace if depth > 0 => depth -= 1,
            Token::LParen => {
                let Some(LexedToken { token: Token::Ident(name), span }) = i.checked_sub(1).map(|j| &tokens[j]) else {
                    return None;
                };
                given.reverse();
                return Some(CallSite { name: name.to_string(), name_start: span.start as usize, active, given });
            }
            Token::Comma if depth == 0 => active += 1,
            Token::Assign if depth == 0 => {
                if let Some(LexedToken { token: Token::Ident(name), .. }) = i.checked_sub(1).map(|j| &tokens[j]) {
                    given.push(name.to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// The candidates at byte `pos` of `text` (a line of the REPL, a notebook cell, a document).
pub fn complete(names: &Names, text: &str, pos: usize) -> Completions {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text[..pos];
    let start = before.char_indices().rev().take_while(|&(_, c)| is_name_char(c)).last().map_or(pos, |(i, _)| i);
    let word = &before[start..];
    let none = Completions { start, end: pos, items: Vec::new() };

    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before[line_start..].trim_start();
    if line.starts_with(':') && !line.contains(char::is_whitespace) {
        let start = pos - line.len();
        let items =
            COMMANDS.iter().filter(|c| c.starts_with(line)).map(|c| item(c, ItemKind::Command, "", "", c)).collect();
        return Completions { start, end: pos, items };
    }
    let (_, in_text) = tokens_before(text, start);
    if in_text || word.starts_with(|c: char| c.is_ascii_digit()) {
        return none;
    }
    // `r.` or `r.fi`: the fields of the record `r` holds.
    if let Some(dotted) = before[..start].strip_suffix('.') {
        let owner_start = dotted.char_indices().rev().take_while(|&(_, c)| is_name_char(c)).last().map(|(i, _)| i);
        let fields = owner_start.and_then(|s| record_fields(names, &dotted[..s], &dotted[s..]));
        let items = fields
            .unwrap_or_default()
            .into_iter()
            .filter(|(f, _)| f.starts_with(word))
            .map(|(f, d)| item(&f, ItemKind::Field, &d, "", &f))
            .collect();
        return Completions { start, end: pos, items };
    }
    let mut items = Vec::new();
    if let Some(call) = enclosing_call(text, start) {
        for (p, default) in names.params_of(&call.name).unwrap_or_default() {
            if p.starts_with(word) && !call.given.contains(&p) && !word.is_empty() {
                let detail = default.map_or(String::new(), |d| format!("default {d}"));
                items.push(item(&format!("{p} ="), ItemKind::Parameter, &detail, "", &format!("{p} = ")));
            }
        }
    }
    if word.is_empty() {
        return Completions { start, end: pos, items };
    }
    let mut found: BTreeMap<String, Item> = BTreeMap::new();
    for b in names.builtins.iter().filter(|b| b.name.starts_with(word)) {
        found.insert(b.name.to_string(), item(b.name, ItemKind::Builtin, &b.signature(), b.summary(), b.name));
    }
    for c in names.constants.iter().filter(|c| c.name.starts_with(word)) {
        let detail = mml_runtime::display::format_number(c.value);
        let summary = c.doc.lines().next().unwrap_or("").trim();
        found.insert(c.name.to_string(), item(c.name, ItemKind::Constant, &detail, summary, c.name));
    }
    for k in mml_lang::KEYWORDS.iter().filter(|k| k.starts_with(word)) {
        found.insert(k.to_string(), item(k, ItemKind::Keyword, "keyword", "", k));
    }
    for (n, v) in names.globals.iter().filter(|(n, _)| n.starts_with(word)) {
        found.insert(n.clone(), item(n, ItemKind::Variable, &mml_runtime::display::describe(v), "", n));
    }
    for d in names.defined.iter().filter(|d| d.name.starts_with(word)) {
        let detail = d.signature.clone().unwrap_or_else(|| "defined in this file".to_string());
        found.entry(d.name.clone()).or_insert_with(|| item(&d.name, ItemKind::Variable, &detail, &d.doc, &d.name));
    }
    items.extend(found.into_values());
    Completions { start, end: pos, items }
}

fn item(label: &str, kind: ItemKind, detail: &str, summary: &str, insert: &str) -> Item {
    Item {
        label: label.to_string(),
        kind,
        detail: detail.to_string(),
        summary: summary.to_string(),
        insert: insert.to_string(),
    }
}

/// The fields of the record reached by `owner` (a variable, or a field after `a.b.` in
/// `prefix`), each with a description of its value.
fn record_fields(names: &Names, prefix: &str, owner: &str) -> Option<Vec<(String, String)>> {
    match record_value(names, prefix, owner)? {
        Value::Record(r) => {
            Some(r.fields.iter().map(|(n, v)| (n.to_string(), mml_runtime::display::describe(v))).collect())
        }
        _ => None,
    }
}

/// The value `owner` names, following `a.b.` prefixes through records.
fn record_value(names: &Names, prefix: &str, owner: &str) -> Option<Value> {
    match prefix.strip_suffix('.') {
        None => names.global(owner).cloned(),
        Some(outer) => {
            let s = outer.char_indices().rev().take_while(|&(_, c)| is_name_char(c)).last()?.0;
            match record_value(names, &outer[..s], &outer[s..])? {
                Value::Record(r) => r.get(owner).cloned(),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
