//! Syntax errors: the kinds the grammar reports itself, and the conversion of chumsky's
//! `Rich` errors into [`Diagnostic`]s. All parser wording lives here.

use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::span::SimpleSpan;

use crate::diagnostic::Diagnostic;
use crate::span::{SourceId, Span};
use crate::token::Token;

/// Separates the headline from help lines inside a custom chumsky message.
const HELP: char = '\u{1}';

/// Syntax errors found by checks in the grammar rather than by a failed match.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SyntaxError {
    /// `[1 2]`: two elements with no comma between them (holds the second one's token).
    MissingComma(Token),
    /// `a < b < c`.
    ChainedComparison,
    /// `a:b:c:d`.
    ChainedRange,
    /// `1 = x`, `f(x) + 1 = 2`.
    NotAPlace,
    /// `f(1) = ...`: a parameter that is not a name.
    BadParam,
    /// `a, b` with no `= value`.
    CommaWithoutAssign,
    /// `a, b += 1`.
    CompoundDestructure,
    /// A closing bracket with no opening one.
    Unmatched(Token),
    /// `x = if c { a }`: an `if` used for its value has no `else`.
    IfWithoutElse,
    /// A block whose `{` the input ends inside (holds nothing: the span is the `{`).
    UnclosedBlock,
}

impl SyntaxError {
    fn headline(&self) -> String {
        match self {
            SyntaxError::MissingComma(t) => format!("expected `,` or `]`, found {t}"),
            SyntaxError::ChainedComparison => "comparison operators cannot be chained".into(),
            SyntaxError::ChainedRange => "a range has at most one step".into(),
            SyntaxError::NotAPlace => "cannot assign to this expression".into(),
            SyntaxError::BadParam => "a function parameter must be a name".into(),
            SyntaxError::CommaWithoutAssign => "expected `=` after several targets".into(),
            SyntaxError::CompoundDestructure => "a compound assignment takes exactly one target".into(),
            SyntaxError::Unmatched(t) => format!("unmatched {t}"),
            SyntaxError::IfWithoutElse => "an `if` used as a value needs an `else`".into(),
            SyntaxError::UnclosedBlock => "this block is never closed".into(),
        }
    }

    fn help(&self) -> Option<&'static str> {
        Some(match self {
            SyntaxError::MissingComma(_) => "separate elements with commas and rows with `;`, as in `[1, 2; 3, 4]`",
            SyntaxError::ChainedComparison => "combine comparisons with `and`: `a < b and b < c`",
            SyntaxError::ChainedRange => "write `start:stop` or `start:step:stop`",
            SyntaxError::NotAPlace => {
                "the left of `=` must be a name, maybe indexed or with fields: `x`, `A[i, j]`, `r.f`"
            }
            SyntaxError::BadParam => "define a function as `f(x, y = 2) = ...`",
            SyntaxError::CommaWithoutAssign => "to make a list, write `{a, b}`",
            SyntaxError::CompoundDestructure => return None,
            SyntaxError::Unmatched(_) => "remove it, or add the opening bracket",
            SyntaxError::IfWithoutElse => "add `else { … }` with the value when the condition is false",
            SyntaxError::UnclosedBlock => "add `}` where the block ends",
        })
    }

    /// The text of the primary label.
    fn label(&self) -> &'static str {
        match self {
            SyntaxError::MissingComma(_) => "expected `,` before this",
            SyntaxError::ChainedComparison => "chained comparison",
            SyntaxError::ChainedRange => "too many `:`",
            SyntaxError::NotAPlace => "not a name, index or field",
            SyntaxError::BadParam => "not a name",
            SyntaxError::CommaWithoutAssign => "several expressions",
            SyntaxError::CompoundDestructure => "several targets",
            SyntaxError::Unmatched(_) => "nothing to close",
            SyntaxError::IfWithoutElse => "no `else`",
            SyntaxError::UnclosedBlock => "this `{` has no matching `}`",
        }
    }

    fn message(&self) -> String {
        let mut m = self.headline();
        m.push(HELP);
        m.push_str(self.label());
        if let Some(h) = self.help() {
            m.push(HELP);
            m.push_str(h);
        }
        m
    }

    /// The diagnostic for this error at `span`.
    pub(crate) fn diagnostic(&self, span: Span) -> Diagnostic {
        from_message(&self.message(), span)
    }
}

/// A chumsky error carrying `kind`.
pub(crate) fn custom<'src>(span: SimpleSpan, kind: SyntaxError) -> Rich<'src, Token, SimpleSpan> {
    Rich::custom(span, kind.message())
}

fn from_message(message: &str, span: Span) -> Diagnostic {
    let mut pieces = message.split(HELP);
    let headline = pieces.next().unwrap_or_default();
    let label = pieces.next().unwrap_or_default();
    let mut d = Diagnostic::error("syntax", headline).with_primary(span, label);
    for h in pieces {
        d = d.with_help(h);
    }
    d
}

fn describe(p: &RichPattern<'_, Token>) -> String {
    match p {
        RichPattern::Token(t) => t.to_string(),
        RichPattern::Label(l) => l.to_string(),
        RichPattern::Identifier(s) => format!("`{s}`"),
        RichPattern::Any => "something".into(),
        RichPattern::SomethingElse => "something else".into(),
        RichPattern::EndOfInput => "end of input".into(),
        _ => "something else".into(),
    }
}

/// Tokens and labels that continue an expression; they are left out of "expected ..." when
/// something more telling is also expected.
fn continues_expr(p: &RichPattern<'_, Token>) -> bool {
    match p {
        RichPattern::Token(t) => {
            (t.is_operator() && !matches!(&**t, Token::Assign))
                || matches!(&**t, Token::Quote | Token::LParen | Token::LBracket | Token::Dot)
        }
        RichPattern::Label(l) => matches!(&**l, "call" | "index"),
        RichPattern::SomethingElse | RichPattern::Any => true,
        _ => false,
    }
}

/// Joins alternatives as "a, b or c".
fn one_of_list(items: &[String]) -> String {
    match items {
        [] => "something else".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Converts a chumsky error into a diagnostic.
pub(crate) fn to_diagnostic(src: SourceId, err: Rich<'_, Token, SimpleSpan>) -> Diagnostic {
    let span = Span::new(src, err.span().start, err.span().end);
    let mut d = match err.reason() {
        RichReason::Custom(msg) => from_message(msg, span),
        RichReason::ExpectedFound { expected, found } => {
            let found_text = found.as_ref().map_or("end of input".to_string(), |t| t.to_string());
            let telling = expected.iter().any(|p| !continues_expr(p));
            let mut items: Vec<String> = Vec::new();
            let shown = |p: &&RichPattern<'_, Token>| {
                !(matches!(p, RichPattern::SomethingElse | RichPattern::Any) || telling && continues_expr(p))
            };
            for p in expected.iter().filter(shown) {
                let s = describe(p);
                if !items.contains(&s) {
                    items.push(s);
                }
            }
            // Most specific first: punctuation before words such as "expression".
            items.sort_by_key(|s| !s.starts_with('`'));
            // Where a statement or matrix row could end, name only the separators: every
            // operator could also continue the expression, but listing them does not help.
            let has = |t: Token| expected.iter().any(|p| matches!(p, RichPattern::Token(x) if **x == t));
            if has(Token::Newline) {
                items = if has(Token::RBracket) {
                    vec!["`,`".into(), "`;`".into(), "`]`".into()]
                } else {
                    vec!["newline".into(), "`;`".into()]
                };
            }
            if items.len() > 4 {
                items.truncate(3);
                items.push("something else".into());
            }
            let what = one_of_list(&items);
            let label = if found.is_some() { format!("unexpected {found_text}") } else { String::new() };
            let mut d =
                Diagnostic::error("syntax", format!("expected {what}, found {found_text}")).with_primary(span, label);
            if matches!(found.as_deref(), Some(Token::Newline)) && items.iter().any(|i| i == "`{`") {
                d = d.with_help("a block's `{` must be on the same line as its `if`, `while`, `for` or `fn`");
            }
            d
        }
    };
    if let Some((RichPattern::Label(what), ctx)) = err.contexts().next() {
        let at = Span::new(src, ctx.start, ctx.start.saturating_add(1).min(ctx.end.max(ctx.start + 1)));
        if at.start != span.start {
            let msg = match &**what {
                "call" => "in this call".to_string(),
                "index" => "in this index".to_string(),
                other => format!("this {other} starts here"),
            };
            d = d.with_label(at, msg);
        }
    }
    d
}

/// Sorts diagnostics by position and drops exact duplicates.
pub(crate) fn tidy(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| d.anchor().map_or((u32::MAX, u32::MAX), |s| (s.start, s.end)));
    diags.dedup();
    diags
}
