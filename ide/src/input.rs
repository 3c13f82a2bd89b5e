//! What an input is: a command for the front end (`:help`, `?eig`, `quit`), or code, and
//! whether code is complete or needs another line.

use mml_lang::Token;
use mml_runtime::{Session, Value};

/// Every `:command`, for completion and suggestions.
pub const COMMANDS: &[&str] = &[":help", ":load", ":q", ":quit", ":set", ":vars"];

/// A front-end command.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// `:help`, `:help NAME`, `?NAME`, `NAME?`, `help NAME`, `help(NAME)`.
    Help(Option<String>),
    /// `:vars`.
    Vars,
    /// `:load FILE`.
    Load(String),
    /// `:set digits N` (`None`: back to the shortest exact form).
    Digits(Option<usize>),
    /// `:quit`, `:q`, `quit`, `exit`, `quit()`.
    Quit,
}

/// Whether `input` is a command rather than code, and which: `None` for code, `Some(Err)` for
/// a malformed `:command` (the message says what to write).
pub fn parse_command(input: &str) -> Option<Result<Command, String>> {
    let line = input.trim();
    if line.starts_with(':') {
        return Some(parse_colon(line));
    }
    if line.contains('\n') {
        return None;
    }
    if matches!(line, "quit" | "exit" | "quit()" | "exit()") {
        return Some(Ok(Command::Quit));
    }
    if line == "help" || line == "?" || line == "help()" {
        return Some(Ok(Command::Help(None)));
    }
    // IPython's `?eig`, `eig?`, `??eig`; Octave's `help eig`; Python's `help(eig)`.
    let name = line
        .strip_prefix("??")
        .or_else(|| line.strip_prefix('?'))
        .or_else(|| line.strip_suffix("??"))
        .or_else(|| line.strip_suffix('?'))
        .or_else(|| line.strip_prefix("help ").map(str::trim))
        .or_else(|| line.strip_prefix("help(").and_then(|r| r.strip_suffix(')')).map(str::trim));
    match name {
        Some(n) if is_help_subject(n) => Some(Ok(Command::Help(Some(n.trim().to_string())))),
        _ => None,
    }
}

/// A name, `:command` or a few words (a documentation search) that help can be asked about.
fn is_help_subject(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | ' ' | '-' | ':' | '.'))
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn parse_colon(line: &str) -> Result<Command, String> {
    let (word, arg) = match line.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (line, ""),
    };
    let no_arg = |cmd: Command| {
        if arg.is_empty() {
            Ok(cmd)
        } else {
            Err(format!("`{word}` takes no argument"))
        }
    };
    match word {
        ":help" | ":h" | ":?" => Ok(Command::Help((!arg.is_empty()).then(|| arg.to_string()))),
        ":vars" | ":v" => no_arg(Command::Vars),
        ":quit" | ":q" | ":exit" => no_arg(Command::Quit),
        ":load" | ":l" => {
            if arg.is_empty() {
                Err("`:load` needs a file name: `:load script.mml`".to_string())
            } else {
                Ok(Command::Load(arg.to_string()))
            }
        }
        ":set" => parse_set(arg),
        _ => {
            let mut message = format!("unknown command `{word}`");
            if let Some(best) = crate::help::closest(word, COMMANDS.iter().copied()) {
                message.push_str(&format!("; did you mean `{best}`?"));
            } else {
                message.push_str("; `:help` lists the commands");
            }
            Err(message)
        }
    }
}

fn parse_set(arg: &str) -> Result<Command, String> {
    const USAGE: &str = "`:set digits N` shows numbers to N significant digits; `:set digits full` shows them exactly";
    let mut words = arg.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("digits"), Some("full" | "default" | "shortest"), None) => Ok(Command::Digits(None)),
        (Some("digits"), Some(n), None) => match n.parse::<usize>() {
            Ok(n) if (1..=17).contains(&n) => Ok(Command::Digits(Some(n))),
            _ => Err(format!("`:set digits` takes a number from 1 to 17 or `full`, not `{n}`")),
        },
        _ => Err(USAGE.to_string()),
    }
}

/// The text of `:vars`: each global with its value when it fits on a line, else a description.
pub fn vars_text(session: &Session) -> String {
    let globals = session.globals();
    if globals.is_empty() {
        return "no variables yet: `x = 1` makes one\n".to_string();
    }
    let width = globals.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (name, value) in &globals {
        out.push_str(&format!("{name:width$} {}\n", short(session, value)));
    }
    out
}

/// A value on one line: its display if short and single-line, else its description.
fn short(session: &Session, value: &Value) -> String {
    let text = session.format_value(value);
    let text = text.trim_end();
    if !text.contains('\n') && text.chars().count() <= 60 {
        format!("= {text}")
    } else {
        format!(": {}", mml_runtime::display::describe(value))
    }
}

/// Whether an input can run as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// It can run (it may still have errors the run will report).
    Complete,
    /// It ends inside an open bracket or block: another line is needed, indented by `indent`.
    Incomplete {
        /// The indentation of the next line: four spaces per open bracket.
        indent: String,
    },
    /// It has a syntax error that no further line can mend.
    Invalid,
}

/// Whether `input` is complete, from the parser's incomplete flag; commands always are.
pub fn completeness(input: &str) -> Completeness {
    if parse_command(input).is_some() {
        return Completeness::Complete;
    }
    let parsed = mml_lang::parse_program(0, input);
    if parsed.incomplete {
        return Completeness::Incomplete { indent: "    ".repeat(open_brackets(input)) };
    }
    if parsed.diagnostics.iter().any(|d| d.severity == mml_lang::Severity::Error) {
        Completeness::Invalid
    } else {
        Completeness::Complete
    }
}

/// How many brackets are open at the end of `input`.
fn open_brackets(input: &str) -> usize {
    let (tokens, _) = mml_lang::lex(0, input);
    let mut depth: usize = 0;
    for t in tokens {
        match t.token {
            Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> Option<Result<Command, String>> {
        parse_command(s)
    }

    #[test]
    fn colon_commands() {
        assert_eq!(cmd(":help"), Some(Ok(Command::Help(None))));
        assert_eq!(cmd(" :help  sin "), Some(Ok(Command::Help(Some("sin".into())))));
        assert_eq!(cmd(":q"), Some(Ok(Command::Quit)));
        assert_eq!(cmd(":vars"), Some(Ok(Command::Vars)));
        assert_eq!(cmd(":load a b.mml"), Some(Ok(Command::Load("a b.mml".into()))));
        assert_eq!(cmd(":load"), Some(Err("`:load` needs a file name: `:load script.mml`".into())));
        assert_eq!(cmd(":quit now"), Some(Err("`:quit` takes no argument".into())));
        assert_eq!(cmd(":hlep"), Some(Err("unknown command `:hlep`; did you mean `:help`?".into())));
        assert_eq!(cmd(":zzzzzz"), Some(Err("unknown command `:zzzzzz`; `:help` lists the commands".into())));
        assert_eq!(cmd(":set digits 4"), Some(Ok(Command::Digits(Some(4)))));
        assert_eq!(cmd(":set digits full"), Some(Ok(Command::Digits(None))));
        assert!(matches!(cmd(":set digits 40"), Some(Err(m)) if m.contains("1 to 17")));
    }

    #[test]
    fn habits_of_ipython_octave_and_python() {
        for s in ["?eig", "eig?", "??eig", "help eig", "help(eig)", "help( eig )"] {
            assert_eq!(cmd(s), Some(Ok(Command::Help(Some("eig".into())))), "{s}");
        }
        for s in ["quit", "exit", "quit()", "exit()", "  quit  "] {
            assert_eq!(cmd(s), Some(Ok(Command::Quit)), "{s}");
        }
        assert_eq!(cmd("help"), Some(Ok(Command::Help(None))));
        // Code stays code.
        for s in ["x = 1", "help_me(2)", "quitting", "f(x)?", "v[1]", "a ? b", "help(1 + 2)"] {
            assert_eq!(cmd(s), None, "{s}");
        }
    }

    #[test]
    fn completeness_from_the_parser() {
        assert_eq!(completeness("x = 1"), Completeness::Complete);
        assert_eq!(completeness("for i in 1:3 {"), Completeness::Incomplete { indent: "    ".into() });
        assert_eq!(completeness("f(x) = [1, 2,\n  [3, (4"), Completeness::Incomplete { indent: " ".repeat(12) });
        assert_eq!(completeness("x = )"), Completeness::Invalid);
        assert_eq!(completeness(":help"), Completeness::Complete);
        // Unknown names are found when the input runs, not here.
        assert_eq!(completeness("undefined_thing + 1"), Completeness::Complete);
    }
}
