//! String literals: escapes and `{expr}` interpolation.

use crate::ast::StrPart;
use crate::diagnostic::Diagnostic;
use crate::span::{SourceId, Span};

/// Splits the raw body of a string literal (which starts at byte `offset` of source `src`,
/// just after the opening quote) into literal text and interpolated expressions.
/// Problems are pushed onto `diags`; the parts read so far are still returned.
pub(crate) fn string_parts(src: SourceId, raw: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> Vec<StrPart> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let Some((j, e)) = chars.next() else { break };
                match e {
                    'n' => lit.push('\n'),
                    't' => lit.push('\t'),
                    'r' => lit.push('\r'),
                    '0' => lit.push('\0'),
                    '"' | '\\' | '{' | '}' => lit.push(e),
                    other => {
                        let span = Span::new(src, offset + i, offset + j + other.len_utf8());
                        diags.push(
                            Diagnostic::error("syntax", format!("unknown escape `\\{other}`"))
                                .with_primary(span, "not an escape")
                                .with_help(
                                    "the escapes are \\n \\t \\r \\0 \\\" \\\\ \\{ \\}; write \\\\ for a backslash",
                                ),
                        );
                        lit.push(other);
                    }
                }
            }
            '{' => {
                // Find the matching `}`, allowing nested braces (lists, records).
                let mut depth = 1usize;
                let mut close = None;
                for (j, d) in raw[i + 1..].char_indices() {
                    match d {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                close = Some(i + 1 + j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(close) = close else {
                    diags.push(
                        Diagnostic::error("syntax", "unmatched `{` in string")
                            .with_primary(Span::new(src, offset + i, offset + i + 1), "never closed")
                            .with_help("close the interpolation with `}`, or write `\\{` for a literal brace"),
                    );
                    break;
                };
                if !lit.is_empty() {
                    parts.push(StrPart::Lit(std::mem::take(&mut lit)));
                }
                let inner = &raw[i + 1..close];
                let whole = Span::new(src, offset + i, offset + close + 1);
                if inner.trim().is_empty() {
                    diags.push(
                        Diagnostic::error("syntax", "empty interpolation `{}` in string")
                            .with_primary(whole, "expected an expression inside")
                            .with_help("write `\\{\\}` for literal braces"),
                    );
                } else {
                    let (expr, mut d) = super::parse_interpolation(src, inner, offset + i + 1);
                    diags.append(&mut d);
                    parts.push(StrPart::Interp(expr));
                }
                while chars.peek().is_some_and(|(k, _)| *k <= close) {
                    chars.next();
                }
            }
            '}' => {
                diags.push(
                    Diagnostic::error("syntax", "unmatched `}` in string")
                        .with_primary(Span::new(src, offset + i, offset + i + 1), "no `{` before it")
                        .with_help("write `\\}` for a literal brace"),
                );
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(StrPart::Lit(lit));
    }
    parts
}
