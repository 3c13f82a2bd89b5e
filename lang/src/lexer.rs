//! Turns source text into tokens with spans; unreadable characters become diagnostics.

use logos::Logos;

use crate::diagnostic::Diagnostic;
use crate::span::{SourceId, Span};
use crate::token::{LexError, Token};

/// A token with the span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct LexedToken {
    /// The token.
    pub token: Token,
    /// Where it was written.
    pub span: Span,
}

/// Everything the lexer found in one text.
pub(crate) struct Lexed {
    pub tokens: Vec<LexedToken>,
    pub diagnostics: Vec<Diagnostic>,
    /// The text ended inside a string literal.
    pub unterminated_string: bool,
}

/// Splits `text` (source `src`) into tokens. Characters that start no token are reported as
/// `syntax` diagnostics and skipped; lexing always continues to the end.
pub fn lex(src: SourceId, text: &str) -> (Vec<LexedToken>, Vec<Diagnostic>) {
    let lexed = lex_at(src, text, 0);
    (lexed.tokens, lexed.diagnostics)
}

/// Lexes `text`, which starts at byte `offset` of source `src` (used for the expressions
/// inside string interpolations).
pub(crate) fn lex_at(src: SourceId, text: &str, offset: usize) -> Lexed {
    let mut out = Lexed { tokens: Vec::new(), diagnostics: Vec::new(), unterminated_string: false };
    let mut lexer = Token::lexer(text);
    // The end of the last unreadable character and the index of its diagnostic.
    let mut last_bad: Option<(u32, usize)> = None;
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let span = Span::new(src, range.start + offset, range.end + offset);
        match result {
            Ok(Token::Quote) if !out.tokens.last().is_some_and(|t| ends_operand(&t.token)) => {
                // A `'` that cannot be a transpose opens a single-quoted string (Octave, Python).
                let rest = lexer.remainder();
                match rest.find(['\'', '\n']).filter(|&k| rest[k..].starts_with('\'')) {
                    Some(k) => {
                        let body: String = rest[..k]
                            .chars()
                            .flat_map(|c| match c {
                                '"' | '\\' | '{' | '}' => vec!['\\', c],
                                c => vec![c],
                            })
                            .collect();
                        lexer.bump(k + 1);
                        let whole = Span::new(src, span.start as usize, span.end as usize + k + 1);
                        let text = &rest[..k];
                        out.diagnostics.push(
                            Diagnostic::error("syntax", "strings use double quotes")
                                .with_primary(whole, "a single-quoted string")
                                .with_help(format!(
                                    "write `\"{text}\"` (in MML `'` is always the transpose, as in `A'`)"
                                )),
                        );
                        out.tokens.push(LexedToken { token: Token::Str(body.into()), span: whole });
                    }
                    None => out.tokens.push(LexedToken { token: Token::Quote, span }),
                }
            }
            Ok(token) => out.tokens.push(LexedToken { token, span }),
            Err(LexError::UnterminatedString) => {
                out.unterminated_string = true;
                let quote = Span::new(src, span.start as usize, span.start as usize + 1);
                out.diagnostics.push(
                    Diagnostic::error("syntax", "unterminated string")
                        .with_primary(quote, "this string is never closed")
                        .with_help("end the string with `\"`"),
                );
            }
            Err(LexError::UnexpectedChar) => {
                let slice = lexer.slice();
                // A run of unreadable characters (a pasted "```", say) is one error.
                if let Some(run) = last_bad.filter(|(end, _)| *end == span.start) {
                    if let Some(d) = out.diagnostics.get_mut(run.1) {
                        if let Some(label) = d.labels.first_mut() {
                            label.span = label.span.to(span);
                            let range = (label.span.start as usize).saturating_sub(offset)
                                ..(label.span.end as usize).saturating_sub(offset);
                            let text = text.get(range).unwrap_or("");
                            d.message = format!("unexpected characters `{text}`");
                        }
                        last_bad = Some((span.end, run.1));
                        continue;
                    }
                }
                last_bad = Some((span.end, out.diagnostics.len()));
                let mut d = Diagnostic::error("syntax", format!("unexpected character `{slice}`"))
                    .with_primary(span, "not part of any token");
                d = match slice {
                    "%" => d.with_help("comments start with `#`; the remainder of a division is `mod(a, b)`"),
                    "&" => d.with_help("logical and is `and` or `&&`"),
                    "|" => d.with_help("logical or is `or` or `||`"),
                    "`" => d.with_help("strings use double quotes: \"text\""),
                    _ => d,
                };
                out.diagnostics.push(d);
            }
        }
    }
    out
}

/// Can a `'` after this token be a transpose?
fn ends_operand(t: &Token) -> bool {
    matches!(
        t,
        Token::Ident(_)
            | Token::Number(_)
            | Token::Imag(_)
            | Token::Str(_)
            | Token::RParen
            | Token::RBracket
            | Token::RBrace
            | Token::Quote
            | Token::End
            | Token::True
            | Token::False
            | Token::Nothing
    )
}

#[cfg(test)]
mod tests {
    use super::lex;

    #[test]
    fn a_run_of_unreadable_characters_is_one_error() {
        let (tokens, diags) = lex(0, "x = 1 ``` 2 $");
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(diags[0].message, "unexpected characters `````");
        assert_eq!((diags[0].labels[0].span.start, diags[0].labels[0].span.end), (6, 9));
        assert_eq!(diags[1].message, "unexpected character `$`");
        assert_eq!(tokens.len(), 4, "x = 1 2 remain: {tokens:?}");
    }
}
