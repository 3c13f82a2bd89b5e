//! Decides which newlines matter before the grammar sees the tokens.
//!
//! Newlines separate statements (at top level and in blocks) and matrix rows (in `[ ]`).
//! Everywhere else they are dropped: inside `( )`, index brackets and `{ }` lists and records;
//! after an operator, `,`, `;` or an opening bracket (line continuation); before a closing
//! bracket or `else`; and when repeated. The pass also checks that `end` only appears inside
//! an index, and records what is still open at the end of the input (for the REPL).

use chumsky::span::SimpleSpan;

use crate::diagnostic::Diagnostic;
use crate::lexer::LexedToken;
use crate::token::Token;

/// Deepest nesting of brackets and blocks read; a deeper bracket is a `nesting-limit` error.
/// It keeps parsing time and every tree walk bounded (parsing nested brackets costs more
/// than linear time in their depth).
pub(crate) const MAX_BRACKETS: usize = 1_000;

/// What an open bracket is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    Paren,
    Index,
    Matrix,
    List,
    Block,
}

impl Frame {
    fn newlines_matter(self) -> bool {
        matches!(self, Frame::Matrix | Frame::Block)
    }

    fn closer(self) -> Token {
        match self {
            Frame::Paren => Token::RParen,
            Frame::Index | Frame::Matrix => Token::RBracket,
            Frame::List | Frame::Block => Token::RBrace,
        }
    }

    /// How the opener is written, for messages.
    fn opener(self) -> &'static str {
        match self {
            Frame::Paren => "(",
            Frame::Index | Frame::Matrix => "[",
            Frame::List | Frame::Block => "{",
        }
    }
}

/// The error for a bracket (or block) that is never closed: at the end of the input, or before
/// the closer `by` of a bracket around it. The layout pass closes it there, so that the grammar
/// always sees balanced brackets: a bracket the grammar cannot close would make every rule
/// around it fail and be tried again another way, which costs time exponential in the number
/// of such brackets.
fn never_closed(frame: Frame, open: crate::span::Span, by: Option<(crate::span::Span, &Token)>) -> Diagnostic {
    let closer = match frame.closer() {
        Token::RParen => ")",
        Token::RBracket => "]",
        _ => "}",
    };
    let (message, label) = if frame == Frame::Block {
        ("this block is never closed".to_string(), "this `{` has no matching `}`".to_string())
    } else {
        (
            format!("this `{}` is never closed", frame.opener()),
            format!("this `{}` has no matching `{closer}`", frame.opener()),
        )
    };
    let d = Diagnostic::error("syntax", message).with_primary(open, label);
    match by {
        Some((at, t)) => d
            .with_label(at, format!("the `{}` here closes an outer bracket", token_text(t)))
            .with_help(format!("add `{closer}` before it")),
        None => d.with_help(format!("add `{closer}` where it ends")),
    }
}

/// The error for a closer `t` at `at` that matches no open bracket, and so closes the
/// innermost one, `frame` opened at `open`.
fn mismatched(frame: Frame, open: crate::span::Span, at: crate::span::Span, t: &Token) -> Diagnostic {
    let (closer, found) = (token_text(&frame.closer()), token_text(t));
    let what = if frame == Frame::Block { "block".to_string() } else { format!("`{}`", frame.opener()) };
    Diagnostic::error("syntax", format!("this `{found}` does not match the {what} it closes"))
        .with_primary(at, format!("expected `{closer}`"))
        .with_label(open, format!("the innermost open bracket is this `{}`", frame.opener()))
        .with_help(format!("write `{closer}` here, or remove the `{found}` if it is one too many"))
}

fn token_text(t: &Token) -> &'static str {
    match t {
        Token::RParen => ")",
        Token::RBracket => "]",
        _ => "}",
    }
}

/// The tokens the grammar parses, and facts about the end of the input.
pub(crate) struct Layout {
    pub tokens: Vec<(Token, SimpleSpan)>,
    pub diagnostics: Vec<Diagnostic>,
    /// A bracket was still open at the end of the input.
    pub open_at_end: bool,
    /// The last token was an operator or `,`, so the expression goes on.
    pub trailing_operator: bool,
    /// Where closers were put in for brackets the input leaves open (each an empty span
    /// there): the grammar's complaints about these tokens are left out, since the
    /// never-closed error says what is wrong.
    pub synthetic: Vec<usize>,
    /// Where a `[` or `(` follows a value, so that it indexes or calls it: the grammar never
    /// reads such a bracket as the start of another matrix element (which would read the text
    /// inside it a second time whenever the index or call has an error).
    pub postfix: Vec<usize>,
}

/// Can this token end an expression (so that a following `[` indexes it)?
fn ends_expr(t: &Token) -> bool {
    matches!(
        t,
        Token::Ident(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::RParen
            | Token::RBracket
            | Token::Quote
            | Token::True
            | Token::False
            | Token::Nothing
            | Token::End
    )
}

/// After these tokens a newline is a line continuation.
fn continues_line(t: &Token) -> bool {
    t.is_operator()
        || matches!(
            t,
            Token::Comma | Token::Semi | Token::LParen | Token::LBracket | Token::LBrace | Token::Else | Token::Newline
        )
}

/// Applies the newline rules to `lexed`. `nested` starts inside parentheses (for the
/// expression of a string interpolation).
pub(crate) fn layout(lexed: &[LexedToken], nested: bool) -> Layout {
    let mut stack: Vec<Frame> = Vec::new();
    // Where each open bracket of `stack` was opened.
    let mut opened: Vec<crate::span::Span> = Vec::new();
    if nested {
        stack.push(Frame::Paren);
        opened.push(lexed.first().map_or_else(crate::span::Span::default, |t| t.span));
    }
    let base = stack.len();
    let mut out: Vec<(Token, SimpleSpan)> = Vec::with_capacity(lexed.len());
    let mut diagnostics = Vec::new();
    // Whether the most recent `}` closed a list or record (then `[` after it indexes).
    let mut closed_list = false;
    // For each position, the next token that is not a newline (computed once, back to front,
    // so long runs of blank lines stay linear).
    let mut next_real: Vec<Option<&Token>> = vec![None; lexed.len() + 1];
    for i in (0..lexed.len()).rev() {
        let t = &lexed[i].token;
        next_real[i] = if *t == Token::Newline { next_real[i + 1] } else { Some(t) };
    }
    let mut open_at_end = false;
    let mut synthetic = Vec::new();
    let mut postfix = Vec::new();
    // Whether a bracket past the nesting limit ran to the end of the input (its error says
    // all there is to say about the brackets left open).
    let mut swallowed = false;
    let mut i = 0;
    while i < lexed.len() {
        let lt = &lexed[i];
        i += 1;
        let span = SimpleSpan::from(lt.span.start as usize..lt.span.end as usize);
        let opens = matches!(lt.token, Token::LParen | Token::LBracket | Token::LBrace);
        if opens && stack.len() - base >= MAX_BRACKETS {
            // Too deep: the bracket and everything up to its match become one placeholder, so
            // that no later pass (parser, resolver, editors' walks) meets a deeper tree.
            let mut depth = 0usize;
            let mut close = None;
            for (j, t) in lexed.iter().enumerate().skip(i - 1) {
                match t.token {
                    Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
                    Token::RParen | Token::RBracket | Token::RBrace => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let closer_span =
                close.map_or(span, |j| SimpleSpan::from(lexed[j].span.start as usize..lexed[j].span.end as usize));
            diagnostics.push(
                Diagnostic::error("nesting-limit", format!("brackets nested more than {MAX_BRACKETS} deep"))
                    .with_primary(lt.span, format!("{} brackets are open here", MAX_BRACKETS + 1))
                    .with_help("split the expression into several assignments, or the code into functions"),
            );
            let frame = match lt.token {
                Token::LParen => Frame::Paren,
                Token::LBracket => Frame::Index,
                _ => Frame::List,
            };
            out.push((lt.token.clone(), span));
            if matches!(frame, Frame::Paren | Frame::Index) {
                out.push((Token::Nothing, span));
            }
            out.push((frame.closer(), closer_span));
            closed_list = false;
            match close {
                Some(j) => i = j + 1,
                None => {
                    open_at_end = true;
                    swallowed = true;
                    i = lexed.len();
                }
            }
            continue;
        }
        let prev = out.last().map(|(t, _)| t);
        match &lt.token {
            Token::Newline => {
                let matters = stack.last().is_none_or(|f| f.newlines_matter());
                let after_ok = prev.is_some_and(|p| !continues_line(p));
                let next = next_real[i];
                let before_ok =
                    next.is_some_and(|n| !matches!(n, Token::RBracket | Token::RBrace | Token::RParen | Token::Else));
                if matters && after_ok && before_ok {
                    out.push((Token::Newline, span));
                }
                continue;
            }
            Token::LParen => {
                if prev.is_some_and(ends_expr) {
                    postfix.push(span.start);
                }
                stack.push(Frame::Paren);
                opened.push(lt.span);
            }
            Token::LBracket => {
                let index = prev.is_some_and(|p| ends_expr(p) || (*p == Token::RBrace && closed_list));
                if index {
                    postfix.push(span.start);
                }
                stack.push(if index { Frame::Index } else { Frame::Matrix });
                opened.push(lt.span);
            }
            Token::LBrace => {
                let block = match prev {
                    None => true,
                    Some(p) => {
                        ends_expr(p)
                            || matches!(
                                p,
                                Token::Newline
                                    | Token::Semi
                                    | Token::RBrace
                                    | Token::Else
                                    | Token::Arrow
                                    | Token::Break
                                    | Token::Continue
                            )
                            || (*p == Token::LBrace && stack.last() == Some(&Frame::Block))
                    }
                };
                let block = block && !(prev.is_none() && nested);
                stack.push(if block { Frame::Block } else { Frame::List });
                opened.push(lt.span);
            }
            Token::RParen | Token::RBracket | Token::RBrace => {
                // A closer that matches no open bracket still closes the innermost one
                // (`f(1, 2]`), so that one slip does not swallow the following lines.
                let matched = stack[base..].iter().rposition(|f| f.closer() == lt.token);
                // The brackets inside the one this closes are never closed: close them here.
                if let Some(depth) = matched {
                    while stack.len() > base + depth + 1 {
                        let (Some(frame), Some(open)) = (stack.pop(), opened.pop()) else { break };
                        diagnostics.push(never_closed(frame, open, Some((lt.span, &lt.token))));
                        out.push((frame.closer(), SimpleSpan::from(span.start..span.start)));
                        synthetic.push(span.start);
                    }
                }
                let depth = matched.or_else(|| (stack.len() > base).then(|| stack.len() - base - 1));
                if let Some(depth) = depth {
                    closed_list = stack[base + depth] == Frame::List;
                    if matched.is_none() {
                        // The grammar sees the closer of the bracket this closes, so that
                        // brackets stay balanced for it (see `never_closed`).
                        let (frame, open) = (stack[base + depth], opened[base + depth]);
                        diagnostics.push(mismatched(frame, open, lt.span, &lt.token));
                        stack.truncate(base + depth);
                        opened.truncate(base + depth);
                        out.push((frame.closer(), span));
                        continue;
                    }
                    stack.truncate(base + depth);
                    opened.truncate(base + depth);
                }
            }
            Token::End if !stack.contains(&Frame::Index) => {
                diagnostics.push(
                    Diagnostic::error("syntax", "`end` can only be used inside an index")
                        .with_primary(lt.span, "not inside `[ ]` after a value")
                        .with_help("`end` stands for the last position, as in `v[end]`; blocks are closed with `}`"),
                );
            }
            _ => {}
        }
        out.push((lt.token.clone(), span));
    }
    let trailing_operator = out.last().is_some_and(|(t, _)| t.is_operator() || *t == Token::Comma);
    let open_at_end = open_at_end || stack.len() > base;
    // Close what the input leaves open, innermost first, so that the grammar sees balanced
    // brackets (see `never_closed`).
    // More than 50 are reported as one error, at the innermost, so that they do not
    // crowd out the rest of the diagnostics.
    let end = lexed.last().map_or(0, |t| t.span.end as usize);
    let open_count = stack.len() - base;
    let mut first = true;
    while stack.len() > base {
        let (Some(frame), Some(open)) = (stack.pop(), opened.pop()) else { break };
        if swallowed {
            // Reported as the nesting limit.
        } else if open_count <= 50 {
            diagnostics.push(never_closed(frame, open, None));
        } else if first {
            diagnostics.push(
                never_closed(frame, open, None)
                    .with_note(format!("{} more brackets opened before it are not closed either", open_count - 1)),
            );
        }
        first = false;
        out.push((frame.closer(), SimpleSpan::from(end..end)));
        synthetic.push(end);
    }
    Layout { tokens: out, diagnostics, open_at_end, trailing_operator, synthetic, postfix }
}
