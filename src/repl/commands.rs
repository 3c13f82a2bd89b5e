//! REPL commands: `:help`, `:vars`, `:load`, `:quit`.

use mml_runtime::{Session, Value};

/// Every command, for completion and suggestions.
pub const COMMANDS: &[&str] = &[":help", ":load", ":q", ":quit", ":vars"];

/// A parsed REPL command.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// `:help` or `:help NAME`.
    Help(Option<String>),
    /// `:vars`.
    Vars,
    /// `:load FILE`.
    Load(String),
    /// `:quit` or `:q`.
    Quit,
}

/// Parses a line starting with `:`; the error is a message for the user.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        assert_eq!(parse(":help"), Ok(Command::Help(None)));
        assert_eq!(parse(" :help  sin "), Ok(Command::Help(Some("sin".into()))));
        assert_eq!(parse(":q"), Ok(Command::Quit));
        assert_eq!(parse(":vars"), Ok(Command::Vars));
        assert_eq!(parse(":load a b.mml"), Ok(Command::Load("a b.mml".into())));
        assert_eq!(parse(":load"), Err("`:load` needs a file name: `:load script.mml`".into()));
        assert_eq!(parse(":quit now"), Err("`:quit` takes no argument".into()));
        assert_eq!(parse(":hlep"), Err("unknown command `:hlep`; did you mean `:help`?".into()));
        assert_eq!(parse(":zzzzzz"), Err("unknown command `:zzzzzz`; `:help` lists the commands".into()));
    }
}
