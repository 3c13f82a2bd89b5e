//! Tab completion: builtins, constants, keywords, global variables and `:commands`.

use std::collections::BTreeSet;

use super::commands::COMMANDS;

/// The names that can be completed; globals are refreshed after every input.
#[derive(Default)]
pub struct Names {
    /// Builtins, constants and keywords: fixed for the session.
    pub fixed: Vec<String>,
    /// Global variables, as of the last input.
    pub globals: Vec<String>,
}

impl Names {
    /// Names from the session's library and the language's keywords.
    pub fn new(session: &mml_runtime::Session) -> Names {
        let mut fixed: Vec<String> = session.builtins().iter().map(|b| b.name.to_string()).collect();
        fixed.extend(session.constants().iter().map(|c| c.name.to_string()));
        fixed.extend(mml_lang::KEYWORDS.iter().map(|k| k.to_string()));
        Names { fixed, globals: Vec::new() }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The word before `pos` in `line` and the candidates for it: `(start of the word, names)`.
/// Returns `None` where file-name completion applies instead (the argument of `:load`).
pub fn candidates(line: &str, pos: usize, names: &Names) -> Option<(usize, Vec<String>)> {
    let before = line.get(..pos)?;
    let trimmed = before.trim_start();
    if trimmed.starts_with(':') {
        match trimmed.find(char::is_whitespace) {
            // Completing the command word itself.
            None => {
                let start = pos - trimmed.len();
                let found = COMMANDS.iter().filter(|c| c.starts_with(trimmed)).map(|c| c.to_string()).collect();
                return Some((start, found));
            }
            Some(_) if trimmed.starts_with(":load ") || trimmed.starts_with(":l ") => return None,
            Some(_) => {}
        }
    }
    let start = before.char_indices().rev().take_while(|&(_, c)| is_name_char(c)).last().map_or(pos, |(i, _)| i);
    let word = &before[start..];
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return Some((start, Vec::new()));
    }
    let found: BTreeSet<&str> =
        names.fixed.iter().chain(&names.globals).map(String::as_str).filter(|n| n.starts_with(word)).collect();
    Some((start, found.into_iter().map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            fixed: ["linspace", "log", "log2", "if", "pi"].map(String::from).to_vec(),
            globals: vec!["lr".to_string(), "log_loss".to_string()],
        }
    }

    #[track_caller]
    fn check(line: &str, expect: Option<(usize, &[&str])>) {
        let got = candidates(line, line.len(), &names());
        let want = expect.map(|(s, v)| (s, v.iter().map(|x| x.to_string()).collect::<Vec<_>>()));
        assert_eq!(got, want);
    }

    #[test]
    fn names_and_globals() {
        check("x = linsp", Some((4, &["linspace"])));
        check("lo", Some((0, &["log", "log2", "log_loss"])));
        check("f(l", Some((2, &["linspace", "log", "log2", "log_loss", "lr"])));
        check("x = ", Some((4, &[])));
        check("1e", Some((0, &[])));
    }

    #[test]
    fn commands() {
        check(":h", Some((0, &[":help"])));
        check("  :q", Some((2, &[":q", ":quit"])));
        check(":help lins", Some((6, &["linspace"])));
        check(":load ex", None);
    }
}
