//! Habits from other languages: spellings of NumPy, Python, Octave and MATLAB that learners
//! type, each reported once with what MML writes instead.
//!
//! The pass runs on the tokens before the layout pass. It reports a habit and rewrites the
//! tokens into the MML form (`A @ B` into `A * B`, `for i = 1:3 … end` into
//! `for i in 1:3 { … }`, a Python `def f(x):` and its indented body into `fn f(x) { … }`), so
//! the rest of the input parses as what was meant and the one mistake is one diagnostic,
//! without follow-on errors. A program with a diagnostic never runs, so the rewriting only has
//! to keep the rest of the input readable.

use crate::diagnostic::Diagnostic;
use crate::lexer::LexedToken;
use crate::span::Span;
use crate::token::Token;

/// A block opened in another language's style, closed by the pass.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Frame {
    /// Octave/MATLAB: closed by `end` (or `endfor`, `endif`, …).
    Octave,
    /// Python: closed when a line is indented no deeper than `indent`.
    Python { indent: usize },
}

struct Pass<'a> {
    text: &'a str,
    input: &'a [LexedToken],
    out: Vec<LexedToken>,
    diags: Vec<Diagnostic>,
    frames: Vec<Frame>,
    /// Facts about the input computed once, so that each token's questions cost O(1) and the
    /// pass stays linear on long lines and deep nesting.
    ix: Index,
}

/// Per-token facts of the input, each found in one sweep.
struct Index {
    /// The newline (or the end) ending each token's line.
    line_end: Vec<usize>,
    /// For a `(`, the `)` matching it on the same line.
    paren_match: Vec<Option<usize>>,
    /// The first `{` at or after each token (or the end).
    next_brace: Vec<usize>,
    /// The first `:` at or after each token (or the end).
    next_colon: Vec<usize>,
    /// The first token at or after each that is not a name, number or `;` (or the end).
    next_non_word: Vec<usize>,
    /// The first name `import` at or after each token (or the end).
    next_import: Vec<usize>,
    /// Whether a later line starts with `end` (or `endfor`, `endif`, …), from each token on.
    end_line_after: Vec<bool>,
    /// For a `(`: a `,` directly inside it.
    top_comma: Vec<bool>,
    /// For a `(`: a bare `:` directly inside it, as an item of its own (`A(:, 1)`).
    bare_colon: Vec<bool>,
}

impl Index {
    fn new(input: &[LexedToken]) -> Index {
        let n = input.len();
        let tok = |k: usize| input.get(k).map(|t| &t.token);
        let mut ix = Index {
            line_end: vec![n; n + 1],
            paren_match: vec![None; n + 1],
            next_brace: vec![n; n + 1],
            next_colon: vec![n; n + 1],
            end_line_after: vec![false; n + 1],
            next_non_word: vec![n; n + 1],
            next_import: vec![n; n + 1],
            top_comma: vec![false; n + 1],
            bare_colon: vec![false; n + 1],
        };
        for k in (0..n).rev() {
            let t = &input[k].token;
            ix.line_end[k] = if *t == Token::Newline { k } else { ix.line_end[k + 1] };
            ix.next_brace[k] = if *t == Token::LBrace { k } else { ix.next_brace[k + 1] };
            ix.next_colon[k] = if *t == Token::Colon { k } else { ix.next_colon[k + 1] };
            let starts_end_line = *t == Token::Newline
                && match tok(k + 1) {
                    Some(Token::End) => true,
                    Some(Token::Ident(name)) => name.starts_with("end"),
                    _ => false,
                };
            ix.end_line_after[k] = starts_end_line || ix.end_line_after[k + 1];
            let word = matches!(t, Token::Ident(_) | Token::Number(_) | Token::Semi);
            ix.next_non_word[k] = if word { ix.next_non_word[k + 1] } else { k };
            let import = matches!(t, Token::Ident(name) if &**name == "import");
            ix.next_import[k] = if import { k } else { ix.next_import[k + 1] };
        }
        // Brackets of every kind, innermost last; `(` also on a stack of their own, per line.
        let mut open: Vec<usize> = Vec::new();
        let mut parens: Vec<usize> = Vec::new();
        for (k, t) in input.iter().enumerate() {
            match t.token {
                Token::Newline => parens.clear(),
                Token::LParen => {
                    open.push(k);
                    parens.push(k);
                }
                Token::LBracket | Token::LBrace => open.push(k),
                Token::RParen | Token::RBracket | Token::RBrace => {
                    open.pop();
                    if t.token == Token::RParen {
                        if let Some(p) = parens.pop() {
                            ix.paren_match[p] = Some(k);
                        }
                    }
                }
                Token::Comma => {
                    if let Some(&p) = open.last() {
                        ix.top_comma[p] |= input[p].token == Token::LParen;
                    }
                }
                Token::Colon => {
                    let alone = k > 0
                        && matches!(tok(k - 1), Some(Token::LParen | Token::Comma))
                        && matches!(tok(k + 1), Some(Token::RParen | Token::Comma));
                    if let Some(&p) = open.last() {
                        ix.bare_colon[p] |= alone && input[p].token == Token::LParen;
                    }
                }
                _ => {}
            }
        }
        ix
    }
}

/// Rewrites other languages' habits in `tokens` (lexed from `text`) into MML, with a diagnostic for each.
pub(crate) fn rewrite(text: &str, tokens: Vec<LexedToken>) -> (Vec<LexedToken>, Vec<Diagnostic>) {
    if !tokens.iter().any(|t| suspicious(&t.token)) {
        return (tokens, Vec::new());
    }
    let mut pass = Pass {
        text,
        input: &tokens,
        out: Vec::with_capacity(tokens.len()),
        diags: Vec::new(),
        frames: Vec::new(),
        ix: Index::new(&tokens),
    };
    pass.run();
    (pass.out, pass.diags)
}

/// Tokens that may start a habit; input without any is left alone.
fn suspicious(t: &Token) -> bool {
    match t {
        Token::At | Token::StarStar | Token::TildeEq | Token::Tilde | Token::Plus | Token::Minus => true,
        Token::For | Token::If | Token::While | Token::Else | Token::Colon | Token::End => true,
        Token::Slash | Token::LParen => true,
        Token::Ident(name) => is_habit_word(name) || command_word(name).is_some(),
        _ => false,
    }
}

fn is_habit_word(name: &str) -> bool {
    matches!(
        name,
        "def"
            | "lambda"
            | "elif"
            | "elseif"
            | "function"
            | "endfunction"
            | "endfor"
            | "endwhile"
            | "endif"
            | "import"
            | "from"
    )
}

/// Octave and MATLAB commands written in command syntax (`format long`, `hold on`), with what
/// MML writes for them.
fn command_word(name: &str) -> Option<&'static str> {
    Some(match name {
        "format" => "MML calls functions with parentheses: `format(\"long\")` shows every digit, `format(\"short\")` about six",
        "hold" => "plots overlay on the current figure until it is shown or saved (no `hold on` needed); `figure()` starts a new one",
        "clear" => "MML has no `clear`: assigning a name again replaces its value; in the REPL, `:vars` lists the variables",
        "close" => "MML has no `close`: `figure()` starts a new figure, `show()` writes and closes the open ones",
        "clc" => "MML has no `clc`: in the REPL, Ctrl-L clears the screen",
        "grid" | "axis" => "set axes with options of the plot call: `plot(x, y, xlim = [0, 1], equal = true)`",
        "pkg" => "MML needs no packages: every builtin is always there (`:help` lists them)",
        "more" | "warning" | "disp" => "MML calls functions with parentheses: `print(x)` shows a value",
        _ => return None,
    })
}

impl Pass<'_> {
    fn tok(&self, i: usize) -> Option<&Token> {
        self.input.get(i).map(|t| &t.token)
    }

    fn span(&self, i: usize) -> Span {
        self.input.get(i).or(self.input.last()).map(|t| t.span).unwrap_or(Span::new(0, 0, 0))
    }

    fn push(&mut self, token: Token, span: Span) {
        self.out.push(LexedToken { token, span });
    }

    fn copy(&mut self, i: usize) {
        if let Some(t) = self.input.get(i) {
            self.out.push(t.clone());
        }
    }

    fn report(&mut self, span: Span, message: &str, label: &str, help: String) {
        self.diags.push(Diagnostic::error("syntax", message).with_primary(span, label).with_help(help));
    }

    /// The source text of tokens `from..=to`.
    fn source(&self, from: usize, to: usize) -> &str {
        let (a, b) = (self.span(from).start as usize, self.span(to).end as usize);
        self.text.get(a..b).unwrap_or("")
    }

    /// The column (in bytes) at which token `i` starts.
    fn column(&self, i: usize) -> usize {
        let start = self.span(i).start as usize;
        let before = self.text.get(..start).unwrap_or("");
        start - before.rfind('\n').map_or(0, |k| k + 1)
    }

    /// Does a statement start at token `i` (judging by what was written before it)?
    fn at_statement_start(&self) -> bool {
        self.out.last().is_none_or(|t| matches!(t.token, Token::Newline | Token::Semi | Token::LBrace | Token::RBrace))
    }

    /// The index of the `)` matching the `(` at `open`.
    fn matching_paren(&self, open: usize) -> Option<usize> {
        if self.tok(open) != Some(&Token::LParen) {
            return None;
        }
        self.ix.paren_match.get(open).copied().flatten()
    }

    /// The index of the newline (or the end) that ends the line of token `i`.
    fn line_end(&self, i: usize) -> usize {
        self.ix.line_end.get(i).copied().unwrap_or(self.input.len())
    }

    /// Is there a `{` in tokens `from..to`?
    fn brace_in(&self, from: usize, to: usize) -> bool {
        self.ix.next_brace.get(from).is_some_and(|&b| b < to)
    }

    /// Does the line of the header at `i` open a block in MML's own way (a `{` on the line, or
    /// on the next one)?
    fn has_brace(&self, i: usize) -> bool {
        let end = self.line_end(i);
        if self.brace_in(i, end) {
            return true;
        }
        // The next line's first token (blank lines skipped).
        let mut k = end;
        while self.tok(k) == Some(&Token::Newline) {
            k += 1;
        }
        self.tok(k) == Some(&Token::LBrace)
    }

    /// Is the line of `i` a Python block header (it ends with `:`)? Returns the colon's index.
    fn python_colon(&self, i: usize) -> Option<usize> {
        let end = self.line_end(i);
        (end > i + 1 && self.tok(end - 1) == Some(&Token::Colon)).then(|| end - 1)
    }

    /// Copies tokens `from..to`, rewriting habits inside them too.
    fn copy_range(&mut self, from: usize, to: usize) {
        let mut k = from;
        while k < to {
            k = self.step(k);
        }
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.input.len() {
            i = self.step(i);
        }
        let end = self.span(self.input.len());
        let end = Span::new(end.src, end.end as usize, end.end as usize);
        while self.frames.pop().is_some() {
            self.push(Token::RBrace, end);
        }
    }

    /// Handles the token at `i`; returns the index of the next token to handle.
    fn step(&mut self, i: usize) -> usize {
        let Some(t) = self.tok(i).cloned() else { return i + 1 };
        let span = self.span(i);
        let start = self.at_statement_start();
        match &t {
            Token::Newline => {
                self.close_python_blocks(i);
                self.copy(i);
                i + 1
            }
            Token::At if self.tok(i + 1) == Some(&Token::LParen) => {
                // `@(x) x^2`: keep `(x)`, add `->`.
                let Some(close) = self.matching_paren(i + 1) else {
                    self.report(
                        span,
                        "`@` is not an operator in MML",
                        "Octave's anonymous function",
                        "write `x -> x^2`".into(),
                    );
                    return i + 1;
                };
                let params = self.source(i + 1, close).to_string();
                self.report(
                    span.to(self.span(close)),
                    "MML writes anonymous functions with `->`",
                    "Octave's anonymous function",
                    format!("write `{params} -> …`, as in `x -> x^2`"),
                );
                for k in i + 1..=close {
                    self.copy(k);
                }
                self.push(Token::Arrow, self.span(close));
                close + 1
            }
            Token::At => {
                self.report(
                    span,
                    "`@` is not an operator in MML",
                    "NumPy's matrix product",
                    "the matrix product is `A * B` (element-wise: `A .* B`)".into(),
                );
                self.push(Token::Star, span);
                i + 1
            }
            Token::StarStar => {
                self.report(
                    span,
                    "the power operator is `^`",
                    "Python's power",
                    "write `x^2` (element-wise: `x .^ 2`)".into(),
                );
                self.push(Token::Caret, span);
                i + 1
            }
            Token::TildeEq => {
                self.report(
                    span,
                    "not-equal is written `!=`",
                    "Octave's not-equal",
                    "write `a != b` (element-wise: `a .!= b`)".into(),
                );
                self.push(Token::NotEq, span);
                i + 1
            }
            Token::Tilde => {
                self.report(
                    span,
                    "logical not is written `!` or `not`",
                    "Octave's not",
                    "write `!c` or `not c`".into(),
                );
                self.push(Token::Bang, span);
                i + 1
            }
            Token::Plus | Token::Minus if self.is_increment(i) => {
                let (op, word) = if t == Token::Plus { (Token::PlusAssign, "+") } else { (Token::MinusAssign, "-") };
                let target = self.out.last().map(|l| l.span).unwrap_or(span);
                let name = self.text.get(target.range()).unwrap_or("i").to_string();
                let both = span.to(self.span(i + 1));
                self.report(
                    both,
                    &format!("MML has no `{word}{word}`"),
                    "C's increment",
                    format!("write `{name} {word}= 1`"),
                );
                self.push(op, both);
                self.push(Token::Number(1.0), both);
                i + 2
            }
            Token::Slash
                if start && self.tok(i + 1) == Some(&Token::Slash) && self.span(i).end == self.span(i + 1).start =>
            {
                let end = self.line_end(i);
                let text = self.source(i + 2, end.saturating_sub(1)).trim().to_string();
                self.report(
                    span.to(self.span(i + 1)),
                    "MML comments start with `#`",
                    "a C-style comment",
                    format!("write `# {text}`"),
                );
                end
            }
            Token::LParen if self.is_tuple(i) => self.tuple(i),
            Token::Ident(_) if self.tok(i + 1) == Some(&Token::LParen) && self.is_octave_index(i + 1) => {
                self.octave_index(i)
            }
            Token::Ident(name) if start && self.is_import(i, name) => {
                let end = self.line_end(i);
                self.report(
                    span.to(self.span(end.saturating_sub(1))),
                    "MML needs no imports",
                    "a Python import",
                    "every builtin is always there, by its own name: write `eig(A)` for `np.linalg.eig(A)` (`:help` lists them)"
                        .into(),
                );
                end
            }
            Token::Ident(name) if start && command_word(name).is_some() && self.is_command_syntax(i) => {
                let help = command_word(name).unwrap_or_default().to_string();
                let end = self.line_end(i);
                self.report(
                    span.to(self.span(end.saturating_sub(1))),
                    &format!(
                        "MML has no command syntax: `{}` is not a statement",
                        self.source(i, end.saturating_sub(1))
                    ),
                    "Octave's command syntax",
                    help,
                );
                end
            }
            Token::Ident(name) if &**name == "lambda" => self.lambda(i),
            Token::Ident(name) if start && &**name == "def" && self.inline_colon(i).is_some() => {
                self.python_inline(i, "def")
            }
            Token::For | Token::While | Token::If if start && self.inline_colon(i).is_some() => {
                let word = t.text().unwrap_or("if");
                self.python_inline(i, word)
            }
            Token::Ident(name) if start && &**name == "def" => self.python_header(i, "def"),
            Token::Ident(name) if start && &**name == "function" => self.octave_function(i),
            Token::Ident(name) if matches!(&**name, "elif" | "elseif") => self.else_if(i, name),
            Token::Ident(name)
                if start && matches!(&**name, "endfunction" | "endfor" | "endwhile" | "endif") && self.in_octave() =>
            {
                self.frames.pop();
                self.push(Token::RBrace, span);
                i + 1
            }
            Token::End if start && self.in_octave() => {
                self.frames.pop();
                self.push(Token::RBrace, span);
                i + 1
            }
            Token::Else if start && self.in_octave() && !self.has_brace(i) => {
                // `else` inside an Octave `if … end`.
                self.push(Token::RBrace, span);
                self.copy(i);
                self.push(Token::LBrace, span);
                i + 1
            }
            Token::For | Token::While | Token::If | Token::Else if start && self.python_colon(i).is_some() => {
                let word = t.text().unwrap_or("if");
                self.python_header(i, word)
            }
            Token::For
                if matches!(self.tok(i + 1), Some(Token::Ident(_))) && self.tok(i + 2) == Some(&Token::Assign) =>
            {
                self.octave_for(i)
            }
            Token::While | Token::If if start && !self.has_brace(i) && self.closed_by_end(i) => {
                let word = t.text().unwrap_or("if");
                let end = self.line_end(i);
                self.report(
                    span,
                    "MML puts a block in braces",
                    &format!("an Octave `{word}` block"),
                    format!("write `{word} c {{ … }}`, closing with `}}` rather than `end`"),
                );
                self.copy(i);
                self.copy_range(i + 1, end);
                self.push(Token::LBrace, self.span(end.saturating_sub(1)));
                self.frames.push(Frame::Octave);
                end
            }
            _ => {
                self.copy(i);
                i + 1
            }
        }
    }

    /// `import numpy as np`, `from numpy import linalg`.
    fn is_import(&self, i: usize, name: &str) -> bool {
        let next_is_name = matches!(self.tok(i + 1), Some(Token::Ident(_)));
        match name {
            "import" => next_is_name,
            "from" => next_is_name && self.ix.next_import.get(i + 2).is_some_and(|&k| k < self.line_end(i)),
            _ => false,
        }
    }

    /// `format long`: a command word, then only names or numbers to the end of the line.
    fn is_command_syntax(&self, i: usize) -> bool {
        let end = self.line_end(i);
        let words_only = self.ix.next_non_word.get(i + 1).is_some_and(|&k| k >= end);
        end > i + 1 && words_only
            || (end == i + 1 && matches!(self.tok(i), Some(Token::Ident(n)) if matches!(&**n, "clc" | "hold")))
    }

    /// The `:` of a one-line Python header (`def f(x): return x`, `for i in range(3): print(i)`):
    /// right after a `)`, with more on the line and no `{`.
    fn inline_colon(&self, i: usize) -> Option<usize> {
        let end = self.line_end(i);
        if self.brace_in(i, end) {
            return None;
        }
        let colon = self.ix.next_colon.get(i + 1).copied().filter(|&c| c < end)?;
        (colon + 1 < end && self.tok(colon - 1) == Some(&Token::RParen)).then_some(colon)
    }

    /// A one-line Python header and its body, into braces.
    fn python_inline(&mut self, i: usize, word: &str) -> usize {
        let Some(colon) = self.inline_colon(i) else {
            self.copy(i);
            return i + 1;
        };
        let end = self.line_end(i);
        let body = self.source(colon + 1, end - 1).trim().to_string();
        self.header(i, colon, word, Some(&body));
        self.copy_range(colon + 1, end);
        self.push(Token::RBrace, self.span(end - 1));
        end
    }

    /// Reports a Python header `word … :` (tokens `i..=colon`) and writes its MML form up to the
    /// block's `{`; `body` is the rest of a one-line header's line.
    fn header(&mut self, i: usize, colon: usize, word: &str, body: Option<&str>) {
        let span = self.span(i).to(self.span(colon));
        if word == "def" {
            let head = self.source(i + 1, colon - 1).to_string();
            let help = match body.map(|b| (b, b.strip_prefix("return ").map(str::trim))) {
                Some((_, Some(expr))) => format!("write `{head} = {expr}`, or `fn {head} {{ return {expr} }}`"),
                Some((b, None)) => format!("write `fn {head} {{ {b} }}`"),
                None => format!("write `fn {head} {{ … }}`, or `{head} = …` for one expression"),
            };
            self.report(span, "MML defines functions with `fn` and braces", "a Python definition", help);
            self.push(Token::Fn, self.span(i));
        } else {
            let head = self.source(i, colon - 1).to_string();
            let help = format!("write `{head} {{ {} }}`", body.unwrap_or("…"));
            self.report(span, "MML puts a block in braces, not after `:`", "a Python block", help);
            self.copy(i);
        }
        self.copy_range(i + 1, colon);
        self.push(Token::LBrace, self.span(colon));
    }

    /// A Python tuple `(3, 3)` where a value starts (after `(`, `,` or `=`), not a lambda's
    /// parameters `(x, y) -> …`.
    fn is_tuple(&self, i: usize) -> bool {
        let after_value_start =
            self.out.last().is_some_and(|t| matches!(t.token, Token::LParen | Token::Comma | Token::Assign));
        if !after_value_start {
            return false;
        }
        let Some(close) = self.matching_paren(i) else { return false };
        if self.tok(close + 1) == Some(&Token::Arrow) {
            return false;
        }
        self.ix.top_comma[i]
    }

    /// `(3, 3)` as a value: reported, and read as the vector `[3, 3]`.
    fn tuple(&mut self, i: usize) -> usize {
        let Some(close) = self.matching_paren(i) else {
            self.copy(i);
            return i + 1;
        };
        let inner = self.source(i + 1, close - 1).to_string();
        self.report(
            self.span(i).to(self.span(close)),
            "MML has no tuples",
            "a Python tuple",
            format!("a size is given as separate numbers, as in `zeros({inner})`; a vector is `[{inner}]`, a list `{{{inner}}}`"),
        );
        self.push(Token::LBracket, self.span(i));
        self.copy_range(i + 1, close);
        self.push(Token::RBracket, self.span(close));
        close + 1
    }

    /// `A(:, 1)`, `A(2, :)`, `A(:)`: Octave's indexing with parentheses and a bare `:`.
    fn is_octave_index(&self, open: usize) -> bool {
        self.matching_paren(open).is_some() && self.ix.bare_colon[open]
    }

    /// Octave's `A(:, 1)` becomes `A[:, 1]`.
    fn octave_index(&mut self, i: usize) -> usize {
        let open = i + 1;
        let Some(close) = self.matching_paren(open) else {
            self.copy(i);
            return i + 1;
        };
        let name = self.source(i, i).to_string();
        let inner = self.source(open + 1, close - 1).to_string();
        self.report(
            self.span(open).to(self.span(close)),
            "MML indexes with square brackets",
            "Octave's indexing",
            format!("write `{name}[{inner}]`"),
        );
        self.copy(i);
        self.push(Token::LBracket, self.span(open));
        self.copy_range(open + 1, close);
        self.push(Token::RBracket, self.span(close));
        close + 1
    }

    fn in_octave(&self) -> bool {
        self.frames.last() == Some(&Frame::Octave)
    }

    /// Is there an `end` at the start of a later line (so that a brace-less `if` or `while`
    /// is an Octave block, not a `{` on a line of its own)?
    fn closed_by_end(&self, i: usize) -> bool {
        self.ix.end_line_after.get(i).copied().unwrap_or(false)
    }

    /// `i++` or `i--`: two adjacent `+` (or `-`) right after a name or index, ending a statement.
    fn is_increment(&self, i: usize) -> bool {
        let (Some(a), Some(b)) = (self.input.get(i), self.input.get(i + 1)) else { return false };
        a.token == b.token
            && a.span.end == b.span.start
            && self
                .out
                .last()
                .is_some_and(|p| matches!(p.token, Token::Ident(_) | Token::RBracket) && p.span.end == a.span.start)
            && self.tok(i + 2).is_none_or(|n| matches!(n, Token::Newline | Token::Semi | Token::RBrace))
    }

    /// `lambda x, y: body` becomes `(x, y) -> body`.
    fn lambda(&mut self, i: usize) -> usize {
        let span = self.span(i);
        let mut k = i + 1;
        let mut params = Vec::new();
        while let Some(Token::Ident(_)) = self.tok(k) {
            params.push(k);
            k += 1;
            if self.tok(k) == Some(&Token::Comma) {
                k += 1;
            } else {
                break;
            }
        }
        if self.tok(k) != Some(&Token::Colon) || params.is_empty() {
            self.copy(i);
            return i + 1;
        }
        let names = self.source(i + 1, k - 1).to_string();
        let written = if params.len() == 1 { names.clone() } else { format!("({names})") };
        self.report(
            span.to(self.span(k)),
            "MML writes anonymous functions with `->`",
            "Python's lambda",
            format!("write `{written} -> …`, as in `x -> x + 1`"),
        );
        if params.len() > 1 {
            self.push(Token::LParen, span);
        }
        for j in i + 1..k {
            self.copy(j);
        }
        if params.len() > 1 {
            self.push(Token::RParen, self.span(k));
        }
        self.push(Token::Arrow, self.span(k));
        k + 1
    }

    /// `} elif c {`, `} elseif c {` and, in an Octave block, `elseif c` on its own line.
    fn else_if(&mut self, i: usize, name: &str) -> usize {
        let span = self.span(i);
        self.report(
            span,
            &format!("MML writes `{name}` as `else if`"),
            "not a keyword",
            "write `else if c { … }`".into(),
        );
        if self.at_statement_start() && self.python_colon(i).is_some() {
            let colon = self.python_colon(i).unwrap_or(i);
            self.close_line_block(Token::Else, span, i, colon);
            return colon + 1;
        }
        let octave = self.at_statement_start() && self.in_octave() && !self.has_brace(i);
        if octave {
            self.push(Token::RBrace, span);
        }
        self.push(Token::Else, span);
        self.push(Token::If, span);
        if octave {
            let end = self.line_end(i);
            self.copy_range(i + 1, end);
            self.push(Token::LBrace, self.span(end.saturating_sub(1)));
            return end;
        }
        i + 1
    }

    /// Writes `else if` for a Python `elif c:` line (tokens `i + 1 .. colon` are the condition).
    fn close_line_block(&mut self, else_tok: Token, span: Span, i: usize, colon: usize) {
        self.push(else_tok, span);
        self.push(Token::If, span);
        self.copy_range(i + 1, colon);
        self.push(Token::LBrace, self.span(colon));
        let indent = self.column(i);
        self.frames.push(Frame::Python { indent });
    }

    /// A Python block header `def f(x):`, `if c:`, `for x in xs:`, `while c:`, `else:`.
    fn python_header(&mut self, i: usize, word: &str) -> usize {
        let Some(colon) = self.python_colon(i) else {
            self.copy(i);
            return i + 1;
        };
        let indent = self.column(i);
        self.header(i, colon, word, None);
        self.frames.push(Frame::Python { indent });
        colon + 1
    }

    /// Before the newline at `i`: closes the Python blocks that the next line dedents out of.
    fn close_python_blocks(&mut self, i: usize) {
        let Some(next) = (i..self.input.len()).find(|&k| self.input[k].token != Token::Newline) else { return };
        let col = self.column(next);
        while let Some(Frame::Python { indent }) = self.frames.last().copied() {
            if col > indent {
                break;
            }
            self.frames.pop();
            self.push(Token::RBrace, self.span(i));
        }
    }

    /// `for i = 1:10 … end` becomes `for i in 1:10 { … }`.
    fn octave_for(&mut self, i: usize) -> usize {
        let assign = i + 2;
        let end = self.line_end(i);
        let header = self.source(i, end.saturating_sub(1)).to_string();
        let written = header.replacen('=', "in", 1);
        let braces = self.has_brace(i);
        let help = if braces {
            format!("write `{}`", written.trim())
        } else {
            format!("write `{} {{ … }}`, closing with `}}` rather than `end`", written.trim())
        };
        self.report(self.span(assign), "MML loops are written `for x in …`", "expected `in`", help);
        self.copy(i);
        self.copy(i + 1);
        self.push(Token::In, self.span(assign));
        if braces {
            return assign + 1;
        }
        self.copy_range(assign + 1, end);
        self.push(Token::LBrace, self.span(end.saturating_sub(1)));
        self.frames.push(Frame::Octave);
        end
    }

    /// `function y = f(x) … end`, `function [a, b] = f(x) … end`, `function f(x) … end`.
    fn octave_function(&mut self, i: usize) -> usize {
        let mut k = i + 1;
        // The outputs: `y =` or `[a, b] =`.
        if matches!(self.tok(k), Some(Token::Ident(_))) && self.tok(k + 1) == Some(&Token::Assign) {
            k += 2;
        } else if self.tok(k) == Some(&Token::LBracket) {
            let close = (k..self.line_end(k)).find(|&j| self.tok(j) == Some(&Token::RBracket));
            match close {
                Some(c) if self.tok(c + 1) == Some(&Token::Assign) => k = c + 2,
                _ => {
                    self.copy(i);
                    return i + 1;
                }
            }
        }
        let name = k;
        let (Some(Token::Ident(_)), Some(Token::LParen)) = (self.tok(name), self.tok(name + 1)) else {
            self.copy(i);
            return i + 1;
        };
        let Some(close) = self.matching_paren(name + 1) else {
            self.copy(i);
            return i + 1;
        };
        let head = self.source(name, close).to_string();
        self.report(
            self.span(i).to(self.span(close)),
            "MML defines functions with `fn` and braces",
            "an Octave function",
            format!(
                "write `fn {head} {{ … }}` (its value is that of `return`, or of its last line), or `{head} = …` for one expression"
            ),
        );
        self.push(Token::Fn, self.span(i));
        for j in name..=close {
            self.copy(j);
        }
        self.push(Token::LBrace, self.span(close));
        self.frames.push(Frame::Octave);
        // The rest of the header line (there should be none) is copied as it is.
        close + 1
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;
    use crate::lexer::lex;
    use crate::token::Token;

    fn texts(src: &str) -> (String, usize) {
        let (tokens, _) = lex(0, src);
        let (out, diags) = rewrite(src, tokens);
        let words: Vec<String> = out
            .iter()
            .map(|t| match &t.token {
                Token::Ident(n) => n.to_string(),
                Token::Number(x) => x.to_string(),
                Token::Newline => "⏎".into(),
                other => other.text().unwrap_or("?").to_string(),
            })
            .collect();
        (words.join(" "), diags.len())
    }

    #[test]
    fn habits_become_mml_with_one_diagnostic_each() {
        assert_eq!(texts("C = A @ B"), ("C = A * B".into(), 1));
        assert_eq!(texts("y = x ** 2"), ("y = x ^ 2".into(), 1));
        assert_eq!(texts("i++"), ("i += 1".into(), 1));
        assert_eq!(texts("a ~= b"), ("a != b".into(), 1));
        assert_eq!(texts("f = @(x) x^2"), ("f = ( x ) -> x ^ 2".into(), 1));
        assert_eq!(texts("g = lambda x, y: x + y"), ("g = ( x , y ) -> x + y".into(), 1));
        assert_eq!(texts("for i = 1:3\nprint(i)\nend"), ("for i in 1 : 3 { ⏎ print ( i ) ⏎ }".into(), 1));
        assert_eq!(texts("def f(x):\n    return x\nprint(1)"), ("fn f ( x ) { ⏎ return x } ⏎ print ( 1 )".into(), 1));
        assert_eq!(texts("function y = f(x)\n  y = x\nend"), ("fn f ( x ) { ⏎ y = x ⏎ }".into(), 1));
        assert_eq!(texts("if a { 1 } elif b { 2 }"), ("if a { 1 } else if b { 2 }".into(), 1));
        assert_eq!(texts("def f(x): return x"), ("fn f ( x ) { return x }".into(), 1));
        assert_eq!(texts("for i in r(3): print(i)"), ("for i in r ( 3 ) { print ( i ) }".into(), 1));
        assert_eq!(texts("z = zeros((3, 3))"), ("z = zeros ( [ 3 , 3 ] )".into(), 1));
        assert_eq!(texts("print(A(:, 1))"), ("print ( A [ : , 1 ] )".into(), 1));
        assert_eq!(texts("// note\nx = 1"), ("⏎ x = 1".into(), 1));
        assert_eq!(texts("import numpy as np\nx = 1"), ("⏎ x = 1".into(), 1));
        assert_eq!(texts("format long"), ("".into(), 1));
    }

    #[test]
    fn mml_is_left_alone() {
        for src in [
            "x = a - -b",
            "A' * B'",
            "for i in 1:3 { i += 1 }",
            "if c {\n1\n} else {\n2\n}",
            "v[end]",
            "f = x -> x",
            "g = (x, y) -> x + y",
            "f(x, y) = (x + y) / 2",
            "A[:, 1] = v[2:3]",
            "format(\"long\")",
            "from = 1\nimport = from + 1",
            "x = 6 / 2 / 3",
        ] {
            let (tokens, _) = lex(0, src);
            let (out, diags) = rewrite(src, tokens.clone());
            assert!(diags.is_empty(), "{src}: {diags:?}");
            assert_eq!(out, tokens, "{src}");
        }
    }
}
