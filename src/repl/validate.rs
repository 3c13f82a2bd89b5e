//! Multi-line input: the line editor asks for another line while brackets or a block are open.

/// Whether `input` is unfinished (an open `[`, `(` or `{`), so Enter should add a line.
/// REPL commands (`:help`, …) are always complete.
pub fn is_incomplete(input: &str) -> bool {
    !input.trim_start().starts_with(':') && mml_lang::is_incomplete(input)
}
