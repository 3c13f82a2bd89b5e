//! Running scripts, snippets and `mml check`: the session, its output sink and diagnostics.

use std::cell::RefCell;
use std::io::{self, BufWriter, IsTerminal, Read, StdoutLock, Write};
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mml_runtime::display::FormatOptions;
use mml_runtime::{Outcome, Session, Sink};

use crate::cli::Options;

/// Exit status when the script reported an error.
pub const EXIT_ERROR: u8 = 1;
/// Exit status for usage errors and unreadable files.
pub const EXIT_USAGE: u8 = 2;
/// Exit status after Ctrl-C (SIGINT), as shells report a process stopped by it: 128 + 2.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Standard output, locked once and buffered; shared by the session's sink and the REPL.
///
/// Output is flushed before any diagnostic is written to standard error, so the two streams
/// interleave in the order things happened, and at every newline when standard output is a
/// terminal, so that progress printed by a long script shows up as it is printed.
#[derive(Clone)]
pub struct Output {
    inner: Rc<RefCell<BufWriter<StdoutLock<'static>>>>,
    line_flush: bool,
}

impl Output {
    /// Locks standard output.
    pub fn new() -> Output {
        let stdout = io::stdout();
        let line_flush = stdout.is_terminal();
        Output { inner: Rc::new(RefCell::new(BufWriter::with_capacity(1 << 14, stdout.lock()))), line_flush }
    }

    /// Writes text. Errors (a closed pipe) are ignored: there is nobody left to tell.
    pub fn write(&self, text: &str) {
        let mut w = self.inner.borrow_mut();
        let _ = w.write_all(text.as_bytes());
        if self.line_flush && text.contains('\n') {
            let _ = w.flush();
        }
    }

    /// Flushes buffered output.
    pub fn flush(&self) {
        let _ = self.inner.borrow_mut().flush();
    }

    /// A sink for [`Session::new`] writing here.
    pub fn sink(&self) -> Sink {
        let out = self.clone();
        Box::new(move |text: &str| out.write(text))
    }
}

/// Whether diagnostics on standard error get ANSI colours: only on a terminal, and never when
/// `NO_COLOR` is set to a non-empty value (no-color.org) or `TERM` is `dumb`.
pub fn stderr_color() -> bool {
    io::stderr().is_terminal() && color_allowed()
}

/// Whether the environment allows colour at all (`NO_COLOR`, `TERM=dumb`).
pub fn color_allowed() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    !no_color && !dumb
}

/// A session with the standard library and the command-line settings, printing to `out`.
pub fn new_session(options: &Options, out: &Output) -> Session {
    let mut session = Session::new(mml_stdlib::library(), out.sink());
    session.set_limits(options.limits.clone());
    session.set_format(FormatOptions { precision: options.precision, long: false, width: output_width() });
    session
}

/// The width matrices wrap at: the terminal's when standard output is one, else none, so
/// that output sent to a file or a pipe does not depend on the window it was made in.
fn output_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w)).filter(|w| *w >= 20)
}

/// Flushes `out`, then writes every diagnostic of `outcome` to standard error.
pub fn report(session: &Session, outcome: &Outcome, out: &Output, color: bool) {
    out.flush();
    if outcome.diagnostics.is_empty() {
        return;
    }
    let mut err = io::stderr().lock();
    for d in &outcome.diagnostics {
        let _ = err.write_all(d.render(session.sources(), color).as_bytes());
    }
    let _ = err.flush();
}

/// `mml -e CODE`: runs the snippet and prints the value of its final bare expression.
pub fn run_eval(code: &str, options: &Options) -> ExitCode {
    let out = Output::new();
    let mut session = new_session(options, &out);
    install_interrupt_handler(session.interrupt_flag());
    session.set_echo_last(true);
    let outcome = session.run("<-e>", code);
    report(&session, &outcome, &out, stderr_color());
    exit_status(&outcome)
}

/// `mml FILE`.
pub fn run_file(path: &Path, options: &Options) -> ExitCode {
    match read_file(path) {
        Ok(text) => run_text(&path.display().to_string(), &text, options),
        Err(message) => usage_failure(&message),
    }
}

/// `mml` with a script on standard input (or `mml -`).
pub fn run_stdin(options: &Options) -> ExitCode {
    let mut text = String::new();
    match io::stdin().lock().read_to_string(&mut text) {
        Ok(_) => run_text("<stdin>", &text, options),
        Err(e) => usage_failure(&format!("cannot read standard input: {}", io_message(&e))),
    }
}

/// Runs `text` as a source called `name` in a fresh session.
pub fn run_text(name: &str, text: &str, options: &Options) -> ExitCode {
    let out = Output::new();
    let mut session = new_session(options, &out);
    install_interrupt_handler(session.interrupt_flag());
    let outcome = session.run(name, text);
    report(&session, &outcome, &out, stderr_color());
    exit_status(&outcome)
}

/// `mml check FILE...`: parse and resolve each file without running it.
pub fn check_files(paths: &[impl AsRef<Path>], options: &Options) -> ExitCode {
    let out = Output::new();
    let color = stderr_color();
    let mut status = 0;
    for path in paths {
        let path = path.as_ref();
        let text = match read_file(path) {
            Ok(text) => text,
            Err(message) => {
                out.flush();
                eprintln!("mml: {message}");
                status = EXIT_USAGE;
                continue;
            }
        };
        let mut session = new_session(options, &out);
        let name = path.display().to_string();
        let outcome = session.check(&name, &text);
        report(&session, &outcome, &out, color);
        if outcome.is_ok() {
            out.write(&format!("{name}: no errors\n"));
        } else {
            status = status.max(EXIT_ERROR);
        }
    }
    out.flush();
    ExitCode::from(status)
}

/// Reads a script; the error reads "cannot read `x.mml`: No such file or directory".
pub fn read_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {}", path.display(), io_message(&e)))
}

/// An I/O error's message without the " (os error 2)" suffix.
pub fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn usage_failure(message: &str) -> ExitCode {
    eprintln!("mml: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Ctrl-C (SIGINT) sets `flag`, which stops the running evaluation with an `interrupted`
/// error at the line being run; a second Ctrl-C before it stops quits at once.
pub fn install_interrupt_handler(flag: Arc<AtomicBool>) {
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            eprintln!("\nmml: interrupted twice, quitting");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
}

fn exit_status(outcome: &Outcome) -> ExitCode {
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else if outcome.diagnostics.iter().any(|d| d.code == "interrupted") {
        ExitCode::from(EXIT_INTERRUPTED)
    } else {
        ExitCode::from(EXIT_ERROR)
    }
}
