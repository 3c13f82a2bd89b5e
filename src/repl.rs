//! The interactive REPL: line editing, history, completion, colouring, commands and Ctrl-C.

mod highlight;

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mml_ide::{Command, Completeness, Names};
use mml_runtime::Session;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::history::DefaultHistory;
use rustyline::{Context, Editor, Helper, Hinter, Validator};

use crate::cli::Options;
use crate::run::{self, Output};

const PROMPT: &str = "mml> ";
const CONTINUATION_PROMPT: &str = "...> ";

/// The line editor's helper: completion and colouring. Multi-line input is read line by line
/// (see [`run`]), so every continuation line shows its own prompt.
#[derive(Helper, Hinter, Validator)]
struct ReplHelper {
    names: Rc<RefCell<Names>>,
    files: FilenameCompleter,
    color: bool,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with(":load ") || trimmed.starts_with(":l ") {
            return self.files.complete(line, pos, ctx);
        }
        let found = mml_ide::complete(&self.names.borrow(), line, pos);
        let pairs = found.items.into_iter().map(|i| Pair { display: i.label, replacement: i.insert }).collect();
        Ok((found.start, pairs))
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        // Recolour on every keystroke: a character can change the class of its whole token.
        self.color
    }
}

/// The REPL's state between inputs.
struct Repl {
    session: Session,
    out: Output,
    names: Rc<RefCell<Names>>,
    interrupt: Arc<AtomicBool>,
    diagnostic_color: bool,
    inputs: usize,
}

impl Repl {
    /// Runs one input (or a loaded file) in the session and prints its diagnostics.
    fn evaluate(&mut self, name: &str, text: &str) {
        let outcome = self.session.run(name, text);
        // The flag is cleared after a run, not before: a Ctrl-C pressed just as Enter was
        // must still stop the evaluation it was meant for.
        self.interrupt.store(false, Ordering::SeqCst);
        run::report(&self.session, &outcome, &self.out, self.diagnostic_color);
        self.names.borrow_mut().refresh(&self.session);
    }

    /// Runs a command; returns `false` for `:quit`.
    fn command(&mut self, command: Result<Command, String>) -> bool {
        match command {
            Ok(Command::Quit) => return false,
            Ok(Command::Help(name)) => {
                self.out.write(&mml_ide::help_text(&self.session, name.as_deref()));
            }
            Ok(Command::Vars) => self.out.write(&mml_ide::vars_text(&self.session)),
            Ok(Command::Load(file)) => match run::read_file(file.as_ref()) {
                Ok(text) => self.evaluate(&file, &text),
                Err(message) => self.error(&message),
            },
            Ok(Command::Digits(digits)) => {
                self.session.set_digits(digits);
            }
            Err(message) => self.error(&message),
        }
        true
    }

    fn error(&self, message: &str) {
        self.out.flush();
        eprintln!("error: {message}");
    }
}

/// Runs the REPL until `:quit` or Ctrl-D.
pub fn run(options: &Options) -> ExitCode {
    let out = Output::new();
    let mut session = run::new_session(options, &out);
    session.set_echo(true);
    let interrupt = session.interrupt_flag();
    run::install_interrupt_handler(interrupt.clone());

    let color = run::color_allowed();
    let names = Rc::new(RefCell::new(Names::of(&session)));
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .color_mode(if color { ColorMode::Enabled } else { ColorMode::Disabled })
        .build();
    let mut editor: Editor<ReplHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("mml: cannot start the line editor: {e}");
            return ExitCode::from(run::EXIT_USAGE);
        }
    };
    editor.set_helper(Some(ReplHelper { names: names.clone(), files: FilenameCompleter::new(), color }));
    let history = history_path();
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.load_history(path);
    }

    let mut repl = Repl { session, out, names, interrupt, diagnostic_color: run::stderr_color(), inputs: 0 };
    repl.out.write(&format!("MML {}: :help for help, Ctrl-D to quit\n", env!("CARGO_PKG_VERSION")));
    loop {
        repl.out.flush();
        let mut input = match editor.readline(PROMPT) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                repl.error(&format!("cannot read the input: {e}"));
                break;
            }
        };
        // An unfinished input (an open bracket or block) continues on the next line, under a
        // continuation prompt; Ctrl-C or Ctrl-D there cancels the whole input.
        while matches!(mml_ide::completeness(&input), Completeness::Incomplete { .. }) {
            match editor.readline(CONTINUATION_PROMPT) {
                Ok(more) => {
                    input.push('\n');
                    input.push_str(&more);
                }
                Err(_) => {
                    input.clear();
                    break;
                }
            }
        }
        if input.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(input.as_str());
        if let Some(path) = &history {
            // Never fail the REPL over history: a read-only home directory is fine.
            let _ = editor.append_history(path);
        }
        if let Some(command) = mml_ide::parse_command(&input) {
            if repl.command(command) {
                continue;
            }
            break;
        }
        repl.inputs += 1;
        let name = format!("<repl:{}>", repl.inputs);
        repl.evaluate(&name, &input);
    }
    repl.out.flush();
    ExitCode::SUCCESS
}

/// `$MML_HISTORY`, else `$XDG_STATE_HOME/mml/history`, else `~/.local/state/mml/history`.
fn history_path() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(path) = var("MML_HISTORY") {
        return Some(path);
    }
    if let Some(state) = var("XDG_STATE_HOME").filter(|p| p.is_absolute()) {
        return Some(state.join("mml").join("history"));
    }
    var("HOME").map(|home| home.join(".local").join("state").join("mml").join("history"))
}
