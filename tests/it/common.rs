//! Helpers shared by the integration tests: run MML source through a session and
//! capture its output and rendered diagnostics.

use std::cell::RefCell;
use std::rc::Rc;

use mml_runtime::{Library, Session};

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

/// A session that echoes expression values into a shared buffer.
pub fn echo_session() -> (Session, Rc<RefCell<String>>) {
    // Each example starts with no open figures, and plot files go to a temporary folder.
    mml_stdlib::plot::reset();
    mml_stdlib::plot::set_output_dir(Some(std::env::temp_dir().join("mml-doc-plots")));
    let out = Rc::new(RefCell::new(String::new()));
    let sink = out.clone();
    let mut s = Session::new(doc_library(), Box::new(move |t: &str| sink.borrow_mut().push_str(t)));
    s.set_echo(true);
    (s, out)
}

/// The standard library without its end-of-run step: the examples check the values that
/// lines echo, while writing figures at the end of a run is tested with the plots.
fn doc_library() -> &'static Library {
    thread_local! {
        static LIB: &'static Library = {
            let lib = mml_stdlib::library();
            Box::leak(Box::new(Library { on_run_end: None, ..*lib }))
        };
    }
    LIB.with(|l| *l)
}

/// The ```mml blocks of a doc string.
pub fn mml_blocks(doc: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in doc.lines() {
        let t = line.trim();
        match &mut current {
            None if t == "```mml" => current = Some(Vec::new()),
            Some(_) if t == "```" => blocks.extend(current.take()),
            Some(b) => b.push(line),
            None => {}
        }
    }
    blocks
}

/// Runs one example block in a fresh session; returns a description of each mismatch.
pub fn check_block(name: &str, block: &[&str]) -> Vec<String> {
    let (mut session, out) = echo_session();
    check_statements(&mut session, &out, name, block)
}

/// Runs the statements of a block, one at a time, in `session` (whose echoed output goes to
/// `out`), and compares what each statement prints with its `# =>` comments; returns a
/// description of each mismatch or failure.
pub fn check_statements(session: &mut Session, out: &Rc<RefCell<String>>, name: &str, block: &[&str]) -> Vec<String> {
    let mut failures = Vec::new();
    let mut k = 0;
    while k < block.len() {
        // Gather one statement (several lines while brackets are open) and the expected
        // output from its `# =>` comment and any `# =>` lines right after it.
        let mut code = String::new();
        let mut expected: Vec<String> = Vec::new();
        loop {
            let line = block[k];
            let (src, exp) = match line.split_once("# =>") {
                Some((s, e)) => (s, Some(e.trim().to_string())),
                None => (line, None),
            };
            code.push_str(src);
            code.push('\n');
            expected.extend(exp);
            k += 1;
            if k >= block.len() || !mml_lang::is_incomplete(&code) {
                break;
            }
        }
        while k < block.len() && block[k].trim_start().starts_with("# =>") {
            expected.push(block[k].trim_start().trim_start_matches("# =>").trim().to_string());
            k += 1;
        }
        out.borrow_mut().clear();
        let outcome = session.run(&format!("<example of {name}>"), &code);
        if !outcome.is_ok() {
            let rendered: String = outcome.diagnostics.iter().map(|d| d.render(session.sources(), false)).collect();
            failures.push(format!("`{name}` example `{}` failed:\n{rendered}", code.trim()));
            continue;
        }
        if !expected.is_empty() {
            let got: Vec<String> = out.borrow().lines().map(|l| l.trim().to_string()).collect();
            // The REPL echoes nothing for `nothing`; examples may still say `# => nothing`.
            let says_nothing = expected == ["nothing"] && got.is_empty();
            if got != expected && !says_nothing {
                failures.push(format!("`{name}` example `{}`: expected {:?}, got {:?}", code.trim(), expected, got));
            }
        }
    }
    failures
}
