//! Helpers shared by the integration tests: run MML source through a session and
//! capture its output and rendered diagnostics.

use std::cell::RefCell;
use std::rc::Rc;

use mml_runtime::Session;

/// What one run printed and reported.
pub struct RunResult {
    /// Everything written to the output sink.
    pub stdout: String,
    /// Every diagnostic, rendered without colour.
    pub diagnostics: String,
    /// Whether no error was reported.
    pub ok: bool,
}

/// Runs `text` as a script named `name` in a fresh session.
pub fn run(name: &str, text: &str) -> RunResult {
    let out = Rc::new(RefCell::new(String::new()));
    let sink = out.clone();
    let mut session = Session::new(mml_stdlib::library(), Box::new(move |s: &str| sink.borrow_mut().push_str(s)));
    let outcome = session.run(name, text);
    let diagnostics = outcome.diagnostics.iter().map(|d| d.render(session.sources(), false)).collect();
    let stdout = out.borrow().clone();
    RunResult { stdout, diagnostics, ok: outcome.is_ok() }
}
