//! The parser: tokens to an AST, recovering from errors so that one run reports many.
//!
//! The pipeline is: [`crate::lexer`] (tokens) → `habits` (other languages' spellings reported
//! and rewritten into MML) → `layout` (which newlines matter) →
//! chumsky grammar (`stmt`, `expr`) → `recovery` (chumsky errors to [`Diagnostic`]s).
//!
//! # Grammar
//!
//! ```text
//! program    = item*
//! item       = sep | stmt                       (a stray `}` becomes an error statement)
//! sep        = NEWLINE | ";"
//! block      = "{" item* "}"
//! stmt       = ( "fn" IDENT "(" params ")" block
//!              | "if" expr block ("else" "if" expr block)* ("else" block)?
//!              | "while" expr block
//!              | "for" IDENT "in" expr block
//!              | "break" | "continue" | "return" expr?
//!              | block
//!              | expr ("," expr)* (("=" | "+=" | "-=" | "*=" | "/=") expr)?
//!              ) followed by sep, "}" or the end
//! params     = (param ("," param)* ","?)?
//! param      = IDENT ("=" expr)?
//! expr       = lambda | binary
//! lambda     = (IDENT | "(" params ")") "->" (block | expr)
//! binary     = operators over postfix, loosest first:
//!                or ||                   left
//!                and &&                  left
//!                not !                   prefix
//!                == != < <= > >=         non-associative
//!                :                       range: a:b or a:step:b, non-associative
//!                + -                     left
//!                * / \ .* ./             left
//!                - +                     prefix
//!                ^ .^                    right (so -x^2 is -(x^2), and 2^-1 is allowed)
//! postfix    = atom ( "(" args ")" | "[" index ("," index)* "]" | "." IDENT | "'" )*
//! args       = (arg ("," arg)* ","?)?
//! arg        = IDENT "=" expr | expr
//! index      = ":" | expr                    (`end` is allowed only inside an index)
//! atom       = NUMBER | STRING | IDENT | "true" | "false" | "nothing" | "end"
//!            | "(" expr ")" | matrix | "{" "}" | "{" list "}" | "{" record "}"
//! matrix     = "[" rowsep? (row (rowsep row)* rowsep?)? "]"
//! row        = expr ("," expr)*
//! rowsep     = (";" | NEWLINE)+
//! list       = expr ("," expr)* ","?
//! record     = IDENT "=" expr ("," IDENT "=" expr)* ","?
//! ```
//!
//! Decisions the grammar alone does not show:
//! - Newlines separate statements and matrix rows; they are ignored inside `( )`, index
//!   brackets, and `{ }` lists and records, after an operator, `,`, `;`, `else` or an opening
//!   bracket, and before a closing bracket or `else` (see `layout`).
//! - At the start of a statement, after `)`, `->`, `else` or a value, `{` opens a block;
//!   elsewhere (after an operator, `=`, `(`, `,`, `return`, `in`) it opens a list or record.
//!   So `x -> {a = 1}` is a lambda with a block body; write `x -> ({a = 1})` for a record.
//! - A matrix literal keeps its rows as written: `[1, 2, 3]` is one row of three items
//!   (the runtime makes a single row of scalars a column vector), `[1, 2; 3, 4]` two rows.
//!   Commas between elements are required: `[1 2]` is an error.
//! - `[` right after a value (name, literal, `)`, `]`, `'`, a list's `}`) on the same line
//!   indexes it; otherwise it starts a matrix literal.
//! - An assignment's left side is parsed as an expression and then checked: a call of a name
//!   whose arguments are names or `name = default` makes a one-line function definition;
//!   a name followed by indexes and fields makes a place; anything else is an error.
//! - Strings end at the first unescaped `"`, so an interpolation `{...}` cannot itself contain
//!   a string literal.

mod expr;
mod habits;
mod layout;
mod recovery;
mod stmt;
mod string;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chumsky::input::{Checkpoint, Cursor, Input, MappedInput};
use chumsky::inspector::Inspector;
use chumsky::prelude::*;

use crate::ast::{Expr, ExprKind, Program, StrPart};
use crate::diagnostic::Diagnostic;
use crate::lexer::lex_at;
use crate::span::{SourceId, Span, Spanned};
use crate::token::Token;

/// The token input the grammar runs on.
pub(crate) type Tokens<'src> = MappedInput<'src, Token, SimpleSpan, &'src [(Token, SimpleSpan)]>;

/// The chumsky error type.
pub(crate) type Error<'src> = Rich<'src, Token, SimpleSpan>;

/// The chumsky parser configuration: rich errors and our [`ParseState`].
pub(crate) type Extra<'src> = extra::Full<Error<'src>, ParseState, ()>;

/// A boxed parser over [`Tokens`].
pub(crate) type P<'src, O> = Boxed<'src, 'src, Tokens<'src>, O, Extra<'src>>;

/// State threaded through a parse: the source id, diagnostics found by fold functions (undone
/// when the parser backtracks) and the pre-parsed parts of each string literal.
pub(crate) struct ParseState {
    pub src: SourceId,
    pub diags: Vec<Diagnostic>,
    /// String parts keyed by the start byte of the string token.
    pub strings: HashMap<usize, Vec<StrPart>>,
    /// Where a `[` or `(` follows a value (an index or a call), from the layout pass, sorted.
    pub postfix: Vec<usize>,
    /// For each token index, whether an atom starting there has failed to parse. Parsing is
    /// deterministic in the position, so it would fail again: an operator whose operand
    /// failed is tried again by each enclosing operator of the expression (`!a ^ (...)` tries
    /// `^` for `a` and then for `!a`), and without this table each nesting level would
    /// multiply the work. Not undone on backtracking, unlike `diags`.
    pub failed: Vec<bool>,
}

/// The extra information chumsky hands to `map_with` and fold functions.
pub(crate) type Extras<'src, 'b> = chumsky::input::MapExtra<'src, 'b, Tokens<'src>, Extra<'src>>;

/// The span of what was just parsed, as our [`Span`].
pub(crate) fn sp(e: &mut Extras<'_, '_>) -> Span {
    let s = e.span();
    e.state().span(s)
}

/// The parse state, from inside `map_with`.
pub(crate) fn state<'a>(e: &'a mut Extras<'_, '_>) -> &'a mut ParseState {
    e.state()
}

impl ParseState {
    /// Converts a chumsky span into ours.
    pub fn span(&self, s: SimpleSpan) -> Span {
        Span::new(self.src, s.start, s.end)
    }
}

impl<'src, I: Input<'src>> Inspector<'src, I> for ParseState {
    type Checkpoint = usize;

    fn on_token(&mut self, _: &I::Token) {}

    fn on_save<'parse>(&self, _: &Cursor<'src, 'parse, I>) -> usize {
        self.diags.len()
    }

    fn on_rewind<'parse>(&mut self, marker: &Checkpoint<'src, 'parse, I, usize>) {
        self.diags.truncate(*marker.inspector());
    }
}

/// The outcome of parsing: always a program, plus every problem found.
#[derive(Clone, Debug)]
pub struct ParseResult {
    /// The statements; unreadable ones are `StmtKind::Error`.
    pub program: Program,
    /// Syntax errors, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The input ended inside an open bracket or string, or after an operator: the REPL
    /// should read another line rather than report the errors.
    pub incomplete: bool,
}

/// Parses a whole script or REPL input. Never fails and never panics: problems become
/// diagnostics and `Error` nodes, and parsing resumes at the next statement.
pub fn parse_program(src: SourceId, text: &str) -> ParseResult {
    parse_range(src, text, 0..text.len())
}

/// Parses `text[range]` as a program, with spans (and diagnostics) counted in the whole
/// `text`: an editor re-reads only the statements an edit touched. Like
/// [`parse_program`] otherwise (a range that is out of bounds or splits a character reads as
/// empty).
pub fn parse_range(src: SourceId, text: &str, range: std::ops::Range<usize>) -> ParseResult {
    let range = if text.get(range.clone()).is_some() { range } else { 0..0 };
    let lexed = lex_at(src, &text[range.clone()], range.start);
    let mut diagnostics = lexed.diagnostics;
    let (tokens, habits) = habits::rewrite(text, lexed.tokens);
    diagnostics.extend(habits);
    // A bad character or another language's habit usually also breaks its statement:
    // report only that.
    let bad_chars: Vec<usize> = diagnostics.iter().filter_map(|d| d.anchor()).map(|s| s.start as usize).collect();
    let layout = layout::layout(&tokens, false);
    diagnostics.extend(layout.diagnostics);
    let strings = string_table(src, &layout.tokens, &mut diagnostics);
    let failed = vec![false; layout.tokens.len() + 1];
    let mut state = ParseState { src, diags: Vec::new(), strings, postfix: layout.postfix.clone(), failed };
    let eoi = SimpleSpan::from(range.end..range.end);
    let parser = stmt::program_parser();
    let result = parser.parse_with_state(layout.tokens.as_slice().split_token_span(eoi), &mut state);
    let (program, errors) = result.into_output_errors();
    let at_eof = errors.iter().any(|e| e.found().is_none());
    // Only the nearest bad character before `at` matters (if any is on `at`'s line, that one
    // is), so each error costs one search and one scan of part of its line: linear overall,
    // where checking every bad character was quadratic on a line of thousands of them.
    let mut bad_chars = bad_chars;
    bad_chars.sort_unstable();
    let follows_bad_char = |at: usize| match bad_chars.partition_point(|&b| b <= at) {
        0 => false,
        k => !text.get(bad_chars[k - 1]..at).unwrap_or("\n").contains('\n'),
    };
    diagnostics.extend(state.diags);
    let synthetic = |e: &SimpleSpan| e.start == e.end && layout.synthetic.binary_search(&e.start).is_ok();
    diagnostics.extend(
        errors
            .into_iter()
            .filter(|e| !follows_bad_char(e.span().start) && !synthetic(e.span()))
            .map(|e| recovery::to_diagnostic(src, e)),
    );
    let incomplete = lexed.unterminated_string || layout.open_at_end || (at_eof && layout.trailing_operator);
    ParseResult { program: program.unwrap_or_default(), diagnostics: cap(recovery::tidy(diagnostics)), incomplete }
}

/// Most diagnostics one parse reports; the rest are counted in one more.
const MAX_REPORTED: usize = 100;

/// Keeps the first [`MAX_REPORTED`] diagnostics and sums up the rest in one: a file of
/// garbage would otherwise give one report per character, each showing its line.
fn cap(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.len() <= MAX_REPORTED {
        return diags;
    }
    let rest = diags.split_off(MAX_REPORTED);
    let mut more = Diagnostic::error("syntax", format!("{} more syntax problems not shown", rest.len()))
        .with_help("fix the ones above first: later ones often follow from them");
    if let Some(span) = rest.iter().find_map(|d| d.anchor()) {
        more = more.with_primary(span, "the next one is here");
    }
    diags.push(more);
    diags
}

/// True when `text` ended inside an open `(`, `[`, `{` or string, or after a trailing
/// operator or `,`: the REPL then asks for another line.
pub fn is_incomplete(text: &str) -> bool {
    parse_program(0, text).incomplete
}

/// Parses the expression inside a string interpolation; `text` starts at byte `offset`.
pub(crate) fn parse_interpolation(src: SourceId, text: &str, offset: usize) -> (Expr, Vec<Diagnostic>) {
    let lexed = lex_at(src, text, offset);
    let mut diagnostics = lexed.diagnostics;
    let layout = layout::layout(&lexed.tokens, true);
    diagnostics.extend(layout.diagnostics);
    // String tokens cannot occur here (the enclosing string would have ended), but keep the
    // table for uniformity.
    let strings = string_table(src, &layout.tokens, &mut diagnostics);
    let failed = vec![false; layout.tokens.len() + 1];
    let mut state = ParseState { src, diags: Vec::new(), strings, postfix: layout.postfix.clone(), failed };
    let end = offset + text.len();
    let eoi = SimpleSpan::from(end..end);
    let parser = stmt::interpolation_parser();
    let result = parser.parse_with_state(layout.tokens.as_slice().split_token_span(eoi), &mut state);
    let (expr, errors) = result.into_output_errors();
    diagnostics.extend(state.diags);
    let synthetic = |e: &SimpleSpan| e.start == e.end && layout.synthetic.binary_search(&e.start).is_ok();
    diagnostics.extend(errors.into_iter().filter(|e| !synthetic(e.span())).map(|e| recovery::to_diagnostic(src, e)));
    let expr = expr.unwrap_or_else(|| Spanned::new(ExprKind::Error, Span::new(src, offset, end)));
    (expr, diagnostics)
}

/// Splits every string token into its parts up front, so the grammar only looks them up.
fn string_table(
    src: SourceId,
    tokens: &[(Token, SimpleSpan)],
    diags: &mut Vec<Diagnostic>,
) -> HashMap<usize, Vec<StrPart>> {
    let mut table = HashMap::new();
    for (tok, span) in tokens {
        if let Token::Str(raw) = tok {
            let parts = string::string_parts(src, raw, span.start + 1, diags);
            table.insert(span.start, parts);
        }
    }
    table
}
