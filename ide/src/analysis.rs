//! One document analysed without running it, for editors: its diagnostics (what `mml check`
//! reports), and from the resolver's view of every name, references, renaming, an outline
//! of its functions and variables, and the kind of every token for highlighting.
//!
//! Scoping is the interpreter's own ([`mml_runtime::names`]): a function's parameter or local
//! `x` is not the global `x`, and a variable a lambda captures is the one it copies.

use std::collections::HashMap;

use mml_lang::ast::{self, ExprKind, FnBody, StmtKind};
use mml_lang::{Diagnostic, Severity, Span, Token, KEYWORDS};
use mml_runtime::names::{Occurrence, Role, Target};
use mml_runtime::Library;

mod incremental;
pub use incremental::Edit;

/// A document's parse, resolution and diagnostics.
pub struct Analysis {
    /// The parsed program.
    pub program: ast::Program,
    /// Syntax and name errors and other checks, as `mml check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// Every name and what it refers to, by position.
    pub occurrences: Vec<Occurrence>,
    /// Whether the parser found errors (then parts of the text were not read as code).
    pub syntax_errors: bool,
    /// Whether the parser found nothing at all to say (then an edit may re-read only the
    /// statements it touched).
    parsed_cleanly: bool,
}

/// An entry of a document's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// The name.
    pub name: String,
    /// A function (`f(x) = …`, `f = x -> …`) or a variable.
    pub function: bool,
    /// The signature of a function (`f(x, y)`); empty for a variable.
    pub detail: String,
    /// The whole definition (byte offsets).
    pub range: (usize, usize),
    /// The name in it.
    pub selection: (usize, usize),
    /// The functions defined inside a function.
    pub children: Vec<Symbol>,
}

/// The kinds of token a highlighter distinguishes (in the order of [`TOKEN_TYPES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenType {
    /// `for`, `if`, `true`, `end`, …
    Keyword,
    /// A builtin or user function.
    Function,
    /// A parameter of a user function, or a keyword argument's name.
    Parameter,
    /// A variable or a builtin constant.
    Variable,
    /// A field name.
    Property,
    /// A number, imaginary ones included.
    Number,
    /// A string, or the literal text of an interpolated one.
    String,
    /// A `#` comment.
    Comment,
    /// An operator, the transpose `'` included.
    Operator,
}

/// The token type names, as LSP spells them, in [`TokenType`]'s order.
pub const TOKEN_TYPES: &[&str] =
    &["keyword", "function", "parameter", "variable", "property", "number", "string", "comment", "operator"];

/// The token modifier names, as LSP spells them: bit `i` of [`Highlight::modifiers`] is
/// `TOKEN_MODIFIERS[i]`.
pub const TOKEN_MODIFIERS: &[&str] = &["declaration", "readonly", "defaultLibrary"];

/// Bit of [`TOKEN_MODIFIERS`]: where a name is first given a value.
pub const DECLARATION: u32 = 1;
/// Bit of [`TOKEN_MODIFIERS`]: a constant.
pub const READONLY: u32 = 2;
/// Bit of [`TOKEN_MODIFIERS`]: a builtin.
pub const DEFAULT_LIBRARY: u32 = 4;

/// One highlighted piece of text; never spans a line break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it is.
    pub kind: TokenType,
    /// Bits of [`TOKEN_MODIFIERS`].
    pub modifiers: u32,
}

impl Analysis {
    /// Parses and resolves `text` against `library`.
    pub fn new(library: &'static Library, text: &str) -> Analysis {
        Analysis::of(library, mml_lang::parse_program(0, text))
    }

    /// The analysis of `new_text`, which is this analysis's text with `edit` made: only the
    /// statements around the edit are parsed again when that gives the same program as
    /// parsing it whole (the rest is always resolved and checked again).
    pub fn edited(self, library: &'static Library, new_text: &str, edit: Edit) -> Analysis {
        if self.parsed_cleanly {
            if let Some(program) = incremental::reparse(self.program, new_text, edit) {
                let parsed = mml_lang::ParseResult { program, diagnostics: Vec::new(), incomplete: false };
                return Analysis::of(library, parsed);
            }
        }
        Analysis::new(library, new_text)
    }

    fn of(library: &'static Library, parsed: mml_lang::ParseResult) -> Analysis {
        let syntax_errors = parsed.diagnostics.iter().any(|d| d.severity == Severity::Error);
        let parsed_cleanly = parsed.diagnostics.is_empty() && !parsed.incomplete;
        let mut diagnostics = parsed.diagnostics;
        let (occurrences, resolved) = mml_runtime::names::occurrences(&parsed.program, library, syntax_errors);
        diagnostics.extend(resolved);
        Analysis { program: parsed.program, diagnostics, occurrences, syntax_errors, parsed_cleanly }
    }

    /// The name at byte `offset` (the cursor in it or just after it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let i = self.occurrences.partition_point(|o| (o.span.end as usize) < offset);
        self.occurrences[i..]
            .iter()
            .take_while(|o| o.span.start as usize <= offset)
            .find(|o| (o.span.start as usize) < offset || o.span.end as usize >= offset)
    }

    /// Every occurrence of `target`, in order.
    fn all(&self, target: Target) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(move |o| o.target == target)
    }

    /// Where `target` is first given a value: its parameter, its function's name, or its
    /// first assignment in the text.
    fn declaration(&self, target: Target) -> Option<&Occurrence> {
        self.all(target).find(|o| o.role.defines())
    }

    /// Where the variable or function at `offset` is declared (see [`Analysis::references`]).
    pub fn definition(&self, offset: usize) -> Option<Span> {
        self.declaration_at(offset).map(|d| d.span)
    }

    /// The declaration of the variable or function at `offset`, with its role there
    /// (parameter, function, loop variable or assignment) and whether it is local to a function.
    pub fn declaration_at(&self, offset: usize) -> Option<&Occurrence> {
        let o = self.at(offset).filter(|o| is_variable(o.target))?;
        self.declaration(o.target)
    }

    /// Every place the variable or function at `offset` is written or read, in order; the
    /// declaration (its parameter, its function's name, or its first assignment) only with
    /// `include_declaration`. `None` unless the name there is one of the file's own.
    pub fn references(&self, offset: usize, include_declaration: bool) -> Option<Vec<Span>> {
        let o = self.at(offset).filter(|o| is_variable(o.target))?;
        let declaration = self.declaration(o.target).map(|d| d.span);
        Some(
            self.all(o.target).filter(|r| include_declaration || Some(r.span) != declaration).map(|r| r.span).collect(),
        )
    }

    /// The name at `offset` if it can be renamed, or why not.
    pub fn prepare_rename(&self, text: &str, offset: usize) -> Result<Span, String> {
        if self.syntax_errors {
            return Err("the file has syntax errors: fix them before renaming, so that every use is seen".into());
        }
        let Some(o) = self.at(offset) else {
            return Err(match crate::text::word_at(text, offset).map(|(s, e)| &text[s..e]) {
                Some(w) if KEYWORDS.contains(&w) => format!("`{w}` is a keyword and cannot be renamed"),
                _ => "there is no variable or function here to rename".into(),
            });
        };
        let name = slice(text, o.span);
        match o.target {
            Target::Global(_) | Target::Local { .. } => Ok(o.span),
            Target::Builtin => Err(format!("`{name}` is a builtin function and cannot be renamed")),
            Target::Constant => Err(format!("`{name}` is a builtin constant and cannot be renamed")),
            Target::Unknown => Err(format!("`{name}` is not defined in this file")),
            Target::Field => Err(format!("`{name}` is a field name; only variables and functions can be renamed")),
            Target::ArgName => {
                Err(format!("`{name}` names a keyword argument; only variables and functions can be renamed"))
            }
        }
    }

    /// The spans to replace with `new_name` to rename the variable or function at `offset`,
    /// or why it cannot be done: not a name of the file's own, not a valid name, or a name
    /// that is already used in the file or is a builtin's (the renamed name would collide
    /// with it or shadow it).
    pub fn rename(&self, library: &Library, text: &str, offset: usize, new_name: &str) -> Result<Vec<Span>, String> {
        let span = self.prepare_rename(text, offset)?;
        let old = slice(text, span);
        if !is_identifier(new_name) {
            return Err(if KEYWORDS.contains(&new_name) {
                format!("`{new_name}` is a keyword, not a name")
            } else {
                format!("`{new_name}` is not a valid name: write a letter or `_` followed by letters, digits or `_`")
            });
        }
        let target = self.at(offset).map(|o| o.target).ok_or("there is no variable or function here to rename")?;
        if new_name == old {
            return Ok(self.all(target).map(|o| o.span).collect());
        }
        if library.builtins.iter().any(|b| b.name == new_name) {
            return Err(format!("`{new_name}` is a builtin function: the new name would shadow it"));
        }
        if library.constants.iter().any(|c| c.name == new_name) {
            return Err(format!("`{new_name}` is a builtin constant: the new name would shadow it"));
        }
        let used = self
            .occurrences
            .iter()
            .any(|o| !matches!(o.target, Target::Field | Target::ArgName) && slice(text, o.span) == new_name);
        if used {
            return Err(format!("`{new_name}` is already a name in this file: renaming `{old}` to it would collide"));
        }
        Ok(self.all(target).map(|o| o.span).collect())
    }

    /// The outline: top-level functions (with the functions defined inside them) and the
    /// first top-level assignment of each variable.
    pub fn symbols(&self) -> Vec<Symbol> {
        let mut out: Vec<Symbol> = Vec::new();
        for stmt in &self.program.stmts {
            match &stmt.node {
                StmtKind::FnDef(f) => out.extend(function_symbol(f, stmt.span)),
                StmtKind::Assign { targets, value, op: None } => {
                    for t in targets {
                        let name = t.root.node.to_string();
                        if out.iter().any(|s| s.name == name) {
                            continue;
                        }
                        let (function, detail, children) = match (&value.node, targets.len()) {
                            (ExprKind::Lambda(f), 1) => (true, signature(&name, f), nested_functions(f)),
                            _ => (false, String::new(), Vec::new()),
                        };
                        out.push(Symbol {
                            name,
                            function,
                            detail,
                            range: bytes(stmt.span),
                            selection: bytes(t.root.span),
                            children,
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Every token of `text` with its kind, in order, for semantic highlighting: from the
    /// lexer (so a transpose `'` is an operator and `2i` a number), with names classified by
    /// the resolver and comments and interpolations found between and inside tokens.
    pub fn highlights(&self, text: &str) -> Vec<Highlight> {
        // What each variable is, in one pass: where it is declared, whether it is a
        // function or a parameter.
        let mut roles: HashMap<Target, Kinds> = HashMap::new();
        for o in &self.occurrences {
            if !is_variable(o.target) {
                continue;
            }
            let k = roles.entry(o.target).or_default();
            if k.declaration.is_none() && o.role.defines() {
                k.declaration = Some(o.span);
            }
            k.function |= o.role == Role::Function;
            k.parameter |= o.role == Role::Parameter;
        }
        let mut found = Vec::new();
        self.highlight_range(text, 0, text.len(), &roles, &mut found);
        // Split pieces that cross lines (strings may span lines).
        let mut out = Vec::with_capacity(found.len());
        for h in found {
            let mut start = h.start;
            for (i, _) in text[h.start..h.end].match_indices('\n') {
                let end = h.start + i;
                if end > start {
                    out.push(Highlight { start, end, ..h });
                }
                start = end + 1;
            }
            if h.end > start {
                out.push(Highlight { start, ..h });
            }
        }
        out
    }

    /// Highlights `text[from..to]`, which is code (the whole text, or an interpolation).
    fn highlight_range(
        &self,
        text: &str,
        from: usize,
        to: usize,
        roles: &HashMap<Target, Kinds>,
        out: &mut Vec<Highlight>,
    ) {
        let (tokens, _) = mml_lang::lex(0, &text[from..to]);
        let mut at = from;
        for t in tokens {
            let (start, end) = (from + t.span.start as usize, from + t.span.end as usize);
            gap(text, at, start, out);
            at = end;
            let piece = |kind, modifiers| Highlight { start, end, kind, modifiers };
            match &t.token {
                Token::Ident(_) => out.push(self.name_highlight(start, end, roles)),
                Token::Number(_) | Token::Imag(_) => out.push(piece(TokenType::Number, 0)),
                Token::Str(_) => self.string(text, start, end, roles, out),
                tok if tok.text().is_some_and(|s| KEYWORDS.contains(&s)) => out.push(piece(TokenType::Keyword, 0)),
                tok if is_operator(tok) => out.push(piece(TokenType::Operator, 0)),
                _ => {}
            }
        }
        gap(text, at, to, out);
    }

    fn name_highlight(&self, start: usize, end: usize, roles: &HashMap<Target, Kinds>) -> Highlight {
        let (kind, modifiers) =
            match self.occurrences.binary_search_by_key(&(start as u32, end as u32), |o| (o.span.start, o.span.end)) {
                Err(_) => (TokenType::Variable, 0),
                Ok(i) => {
                    let o = &self.occurrences[i];
                    match o.target {
                        Target::Builtin => (TokenType::Function, DEFAULT_LIBRARY),
                        Target::Constant => (TokenType::Variable, READONLY | DEFAULT_LIBRARY),
                        Target::Field => (TokenType::Property, 0),
                        Target::ArgName => (TokenType::Parameter, 0),
                        Target::Unknown => (TokenType::Variable, 0),
                        target => {
                            let k = roles.get(&target).copied().unwrap_or_default();
                            let modifiers = if k.declaration == Some(o.span) { DECLARATION } else { 0 };
                            let kind = if k.function {
                                TokenType::Function
                            } else if k.parameter {
                                TokenType::Parameter
                            } else {
                                TokenType::Variable
                            };
                            (kind, modifiers)
                        }
                    }
                }
            };
        Highlight { start, end, kind, modifiers }
    }

    /// A string token `text[start..end]`: its literal text as strings, each `{…}` inside as
    /// code (the braces themselves are left to the editor's grammar).
    fn string(&self, text: &str, start: usize, end: usize, roles: &HashMap<Target, Kinds>, out: &mut Vec<Highlight>) {
        let lit = |s: usize, e: usize, out: &mut Vec<Highlight>| {
            if e > s {
                out.push(Highlight { start: s, end: e, kind: TokenType::String, modifiers: 0 });
            }
        };
        if !text[start..].starts_with('"') {
            return lit(start, end, out); // A single-quoted string (reported) has no interpolation.
        }
        let body_end = if end > start + 1 && text[..end].ends_with('"') { end - 1 } else { end };
        let raw = &text[start + 1..body_end];
        let mut piece = start;
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '{' => {
                    let mut depth = 1usize;
                    let close = raw[i + 1..].char_indices().find_map(|(j, d)| {
                        match d {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        (depth == 0).then_some(i + 1 + j)
                    });
                    let Some(close) = close else { break };
                    let open = start + 1 + i;
                    lit(piece, open, out);
                    self.highlight_range(text, open + 1, start + 1 + close, roles, out);
                    piece = start + 1 + close + 1;
                    while chars.peek().is_some_and(|(k, _)| *k <= close) {
                        chars.next();
                    }
                }
                _ => {}
            }
        }
        lit(piece, end, out);
    }
}

/// What a variable is, for highlighting.
#[derive(Clone, Copy, Default)]
struct Kinds {
    declaration: Option<Span>,
    function: bool,
    parameter: bool,
}

/// Comments (and an unterminated string) in `text[from..to]`, which holds no tokens.
fn gap(text: &str, from: usize, to: usize, out: &mut Vec<Highlight>) {
    let piece = &text[from..to];
    let mut at = 0;
    while let Some(k) = piece[at..].find(['#', '"']) {
        let start = at + k;
        if piece[start..].starts_with('"') {
            // The lexer read an unterminated string to the end.
            out.push(Highlight { start: from + start, end: to, kind: TokenType::String, modifiers: 0 });
            return;
        }
        let end = piece[start..].find('\n').map_or(piece.len(), |e| start + e);
        out.push(Highlight { start: from + start, end: from + end, kind: TokenType::Comment, modifiers: 0 });
        at = end;
    }
}

fn is_operator(t: &Token) -> bool {
    use Token::*;
    matches!(
        t,
        Quote
            | Arrow
            | Assign
            | PlusAssign
            | MinusAssign
            | StarAssign
            | SlashAssign
            | Plus
            | Minus
            | Star
            | Slash
            | Backslash
            | Caret
            | DotStar
            | DotSlash
            | DotCaret
            | EqEq
            | DotEqEq
            | DotNotEq
            | DotLt
            | DotLe
            | DotGt
            | DotGe
            | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | AndAnd
            | OrOr
            | Bang
            | Colon
            | Dot
            | At
            | StarStar
            | TildeEq
            | Tilde
    )
}

/// Whether a name refers to one of the file's own variables or functions.
fn is_variable(t: Target) -> bool {
    matches!(t, Target::Global(_) | Target::Local { .. })
}

/// Whether `name` is one identifier (not a keyword).
pub fn is_identifier(name: &str) -> bool {
    let (tokens, diags) = mml_lang::lex(0, name);
    diags.is_empty()
        && matches!(&tokens[..], [t] if matches!(t.token, Token::Ident(_)) && t.span.end as usize == name.len())
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize).unwrap_or("")
}

fn bytes(span: Span) -> (usize, usize) {
    (span.start as usize, span.end as usize)
}

/// `f(x, y)`.
fn signature(name: &str, f: &ast::FnDef) -> String {
    let params: Vec<&str> = f.params.iter().map(|p| &*p.name.node).collect();
    format!("{name}({})", params.join(", "))
}

fn function_symbol(f: &ast::FnDef, span: Span) -> Option<Symbol> {
    let name = f.name.as_ref()?;
    Some(Symbol {
        name: name.node.to_string(),
        function: true,
        detail: signature(&name.node, f),
        range: bytes(span),
        selection: bytes(name.span),
        children: nested_functions(f),
    })
}

/// The functions defined directly in a function's body.
fn nested_functions(f: &ast::FnDef) -> Vec<Symbol> {
    match &f.body {
        FnBody::Block(b) => b
            .stmts
            .iter()
            .filter_map(|s| match &s.node {
                StmtKind::FnDef(g) => function_symbol(g, s.span),
                _ => None,
            })
            .collect(),
        FnBody::Expr(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
