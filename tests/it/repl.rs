//! The REPL in a real pseudo-terminal: echo, multi-line input, completion, Ctrl-C, `:help`, errors.

use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Regex, Session};

/// Starts the REPL with its own history file and no colour, and waits for the first prompt.
fn repl() -> Session {
    let dir = std::env::temp_dir().join(format!("mml-it-repl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mml"));
    cmd.env("MML_HISTORY", dir.join(format!("history-{:?}", std::thread::current().id())))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut session = Session::spawn(cmd).unwrap();
    // Every wait is bounded, so a broken REPL fails the test instead of hanging it.
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session.expect("mml> ").unwrap();
    session
}

/// Sends `line` and waits until the output matches `pattern` (a regex). A match consumes the
/// output up to its *last* occurrence in what has arrived, so one pattern should cover all that
/// is expected of an input, in order.
#[track_caller]
fn send_expect(p: &mut Session, line: &str, pattern: &str) {
    p.send_line(line).unwrap();
    if let Err(e) = p.expect(Regex(pattern)) {
        panic!("after `{line}`, expected /{pattern}/: {e}");
    }
}

fn quit(mut p: Session) {
    p.send_line(":quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn echoes_expression_values() {
    let mut p = repl();
    send_expect(&mut p, "1 + 2", r"\r?\n3\r?\n");
    p.expect("mml> ").unwrap();
    quit(p);
}

#[test]
fn multi_line_input() {
    let mut p = repl();
    // Lines typed ahead must survive from one prompt to the next (pasting a block); the
    // last line is sent before the REPL has shown its next prompt.
    p.send_line("fn f(x) {").unwrap();
    p.expect("fn f(x) {").unwrap();
    p.send_line("    x + 1").unwrap();
    p.expect("x + 1").unwrap();
    p.send_line("}").unwrap();
    send_expect(&mut p, "f(2)", r"\r?\n3\r?\n");
    quit(p);
}

#[test]
fn tab_completes_builtin_names() {
    let mut p = repl();
    p.send("x = linsp").unwrap();
    p.send(ControlCode::HorizontalTabulation).unwrap();
    p.expect("linspace").unwrap();
    // Finish the call and check that the completed name is what was run.
    send_expect(&mut p, "(0, 1, 3)", r"\r?\n");
    send_expect(&mut p, "size(x, 1)", r"\r?\n3\r?\n");
    quit(p);
}

#[test]
fn ctrl_c_interrupts_an_evaluation_and_keeps_variables() {
    let mut p = repl();
    send_expect(&mut p, "a = 5", "mml> ");
    p.send_line("while true { }").unwrap();
    // Give the loop time to start before interrupting it.
    std::thread::sleep(Duration::from_millis(300));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("interrupted").unwrap();
    p.expect("mml> ").unwrap();
    send_expect(&mut p, "a", r"\r?\n5\r?\n");
    quit(p);
}

#[test]
fn ctrl_c_at_the_prompt_clears_the_line() {
    let mut p = repl();
    p.send("1 + ").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("mml> ").unwrap();
    send_expect(&mut p, "40 + 2", r"\r?\n42\r?\n");
    quit(p);
}

#[test]
fn help_shows_a_builtin() {
    let mut p = repl();
    send_expect(&mut p, ":help sin", r"(?s)sin\(x\).*(?i:sine)");
    p.expect("mml> ").unwrap();
    quit(p);
}

#[test]
fn errors_are_reported_and_the_session_goes_on() {
    let mut p = repl();
    send_expect(&mut p, "b = 7", "mml> ");
    send_expect(&mut p, "undefined_thing", r"(?s)unknown name `undefined_thing`.*<repl:2>");
    p.expect("mml> ").unwrap();
    send_expect(&mut p, "b", r"\r?\n7\r?\n");
    quit(p);
}

#[test]
fn ctrl_d_leaves() {
    let mut p = repl();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn pasted_lines_all_run() {
    let mut p = repl();
    // Three lines arriving at once, as when a block is pasted: none may be lost.
    p.send("x = 20\ny = 22\nx + y\n").unwrap();
    p.expect(Regex(r"\r?\n42\r?\n")).unwrap();
    quit(p);
}
