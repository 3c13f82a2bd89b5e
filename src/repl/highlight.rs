//! Syntax colouring of the input line, from the lexer's tokens.
//!
//! Tokens are classified by their text (keyword, number, string, operator), so the colouring
//! does not depend on the names of the lexer's token variants. Comments are skipped by the
//! lexer: they are the parts of the gaps between tokens that start with `#`.

use std::fmt::Write as _;
use std::ops::Range;

const KEYWORD: &str = "\x1b[1;35m";
const NUMBER: &str = "\x1b[36m";
const STRING: &str = "\x1b[32m";
const COMMENT: &str = "\x1b[90m";
const OPERATOR: &str = "\x1b[33m";
const COMMAND: &str = "\x1b[1;34m";
const RESET: &str = "\x1b[0m";

/// The byte ranges of the tokens of `text`, in order.
fn token_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = mml_lang::lex(0, text).0.iter().map(|t| t.span.range()).collect();
    // Keep the ranges in order, non-overlapping and inside the text, whatever the lexer did.
    ranges.sort_by_key(|r| r.start);
    let mut end = 0;
    ranges.retain_mut(|r| {
        r.start = r.start.max(end);
        r.end = r.end.min(text.len());
        let keep = r.start < r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end);
        if keep {
            end = r.end;
        }
        keep
    });
    ranges
}

/// The colour of a token, from its text.
fn token_color(token: &str) -> Option<&'static str> {
    let mut chars = token.chars();
    let first = chars.next()?;
    if first == '"' {
        Some(STRING)
    } else if first.is_ascii_digit() || (first == '.' && chars.next().is_some_and(|c| c.is_ascii_digit())) {
        Some(NUMBER)
    } else if mml_lang::KEYWORDS.contains(&token) {
        Some(KEYWORD)
    } else if first.is_alphabetic()
        || first == '_'
        || first.is_whitespace()
        || matches!(first, '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';')
    {
        // Names, newlines, brackets and separators stay plain.
        None
    } else {
        Some(OPERATOR)
    }
}

/// `line` with ANSI colours; the visible text is unchanged.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    if line.trim_start().starts_with(':') {
        // A REPL command: colour the command word, leave its argument alone.
        let start = line.len() - line.trim_start().len();
        let end = line[start..].find(char::is_whitespace).map_or(line.len(), |i| start + i);
        let _ = write!(out, "{}{COMMAND}{}{RESET}{}", &line[..start], &line[start..end], &line[end..]);
        return out;
    }
    let mut pos = 0;
    for range in token_ranges(line) {
        gap(&mut out, &line[pos..range.start]);
        let token = &line[range.clone()];
        match token_color(token) {
            Some(color) => {
                let _ = write!(out, "{color}{token}{RESET}");
            }
            None => out.push_str(token),
        }
        pos = range.end;
    }
    gap(&mut out, &line[pos..]);
    out
}

/// Text between tokens: whitespace, comments (`#` to the end of the line) and the rest of an
/// unterminated string (which the lexer reports and skips).
fn gap(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['#', '"']) {
        out.push_str(&rest[..at]);
        let color = if rest[at..].starts_with('#') { COMMENT } else { STRING };
        let end = rest[at..].find('\n').map_or(rest.len(), |i| at + i);
        let _ = write!(out, "{color}{}{RESET}", &rest[at..end]);
        rest = &rest[end..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shows colours as `<k>…</>` tags so expectations stay readable.
    fn tags(s: &str) -> String {
        s.replace(KEYWORD, "<k>")
            .replace(NUMBER, "<n>")
            .replace(STRING, "<s>")
            .replace(COMMENT, "<c>")
            .replace(OPERATOR, "<o>")
            .replace(COMMAND, "<cmd>")
            .replace(RESET, "</>")
    }

    #[test]
    fn colours_tokens_and_comments() {
        assert_eq!(
            tags(&highlight("if x > 1.5 { print(\"hi\") } # done")),
            "<k>if</> x <o>></> <n>1.5</> { print(<s>\"hi\"</>) } <c># done</>"
        );
    }

    #[test]
    fn colours_commands() {
        assert_eq!(tags(&highlight(":help sin")), "<cmd>:help</> sin");
    }

    #[test]
    fn keeps_the_text() {
        for text in ["a = [1, 2; 3, 4]'", "x = \"unterminated", "# only a comment", "f(x) = x^2 # sq\ny = 2", "€ @ $"]
        {
            assert_eq!(strip_ansi(&highlight(text)), text);
        }
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
