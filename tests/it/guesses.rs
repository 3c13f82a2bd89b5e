//! A learner's first guesses (`tests/guesses/first-guesses.txt`: NumPy, SciPy, scikit-learn,
//! Octave, MATLAB and Julia habits), each typed at the REPL after a small prelude: every one
//! either runs or is a REPL command, or its error says what to write in MML (a help line
//! with code in backticks, or the foreign-name table's "MML writes this as").

use mml_runtime::{Library, Session};

/// Variables a learner would have defined before guessing.
const PRELUDE: &str = "A = [2, 1; 1, 3]\nB = [1, 0; 2, 1]\nv = [1, 2]\nw = [3, 4]\n\
X = [1, 2; 2, 4.5; 3, 5.5; 4, 8]\ny = [1, 2, 3, 4]\nx = 2\nf(t) = t^2 - 2\ng(a, b) = a^2 + b^2\n";

/// The standard library without writing figures at the end of a run.
fn library() -> &'static Library {
    thread_local! {
        static LIB: &'static Library = {
            let lib = mml_stdlib::library();
            Box::leak(Box::new(Library { on_run_end: None, ..*lib }))
        };
    }
    LIB.with(|l| *l)
}

/// What the guess did: `Ok` if it ran (or is a REPL command), else its rendered diagnostics.
fn try_guess(line: &str) -> Result<(), String> {
    if let Some(command) = mml_ide::input::parse_command(line) {
        return command.map(|_| ()).map_err(|message| format!("error: {message}"));
    }
    mml_stdlib::plot::reset();
    mml_stdlib::plot::set_capture(true);
    let mut session = Session::new(library(), Box::new(|_: &str| {}));
    assert!(session.run("<prelude>", PRELUDE).is_ok(), "the prelude runs");
    let outcome = session.run("<guess>", line);
    let _ = mml_stdlib::plot::take_figures();
    if outcome.is_ok() {
        return Ok(());
    }
    Err(outcome.diagnostics.iter().map(|d| d.render(session.sources(), false)).collect())
}

/// Whether a rendered diagnostic tells the learner what to write.
fn says_what_to_write(diagnostic: &str) -> bool {
    diagnostic.contains("MML writes this as")
        || diagnostic.contains("MML has no builtin for this")
        || diagnostic.lines().any(|l| {
            let l = l.trim_start_matches(|c: char| !c.is_alphanumeric());
            (l.starts_with("Help") || l.starts_with("help")) && l.contains('`')
        })
}

#[test]
fn a_hundred_first_guesses_run_or_say_what_to_write() {
    let text = std::fs::read_to_string(crate::tools::root().join("tests/guesses/first-guesses.txt")).unwrap();
    let guesses: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("##")).collect();
    assert!(guesses.len() >= 100, "only {} guesses", guesses.len());
    let mut failures = Vec::new();
    let (mut ran, mut taught) = (0, 0);
    for guess in &guesses {
        match try_guess(guess) {
            Ok(()) => ran += 1,
            Err(d) if says_what_to_write(&d) => taught += 1,
            Err(d) => failures.push(format!("`{guess}`:\n{d}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} guesses fail without saying what to write:\n\n{}",
        failures.len(),
        guesses.len(),
        failures.join("\n")
    );
    // Both halves are exercised: some guesses are MML already, many are not.
    assert!(ran >= 50 && taught >= 50, "{ran} ran, {taught} were taught");
}
