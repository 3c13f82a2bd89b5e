//! The Emacs package (`editors/emacs/mml-mode.el`) in Emacs itself: the ERT suite in
//! `tests/editors/emacs/` runs in `emacs --batch` against the built `mml`. It checks that the
//! package byte-compiles without warnings, its autoloads, mode selection, faces, that a
//! transpose never opens a string, indentation, imenu, and eglot talking to `mml lsp` (a
//! flymake diagnostic that clears after the fix, hover, signature help, definition,
//! completion). Without Emacs 27+ (or without eglot) the test says loudly that it was
//! skipped and what to install.

use std::process::{Command, Stdio};

use crate::tools::{root, skipped};

const INSTALL: &str = "install Emacs 27+ with eglot (Debian: emacs-nox elpa-eglot)";

/// The running Emacs's version as (major, minor), or `None` when there is no `emacs`.
fn emacs_version() -> Option<(u32, u32)> {
    let out = Command::new("emacs")
        .args(["--batch", "-Q", "--eval", "(princ (format \"%d %d\" emacs-major-version emacs-minor-version))"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

#[test]
fn emacs_mode_and_eglot_in_emacs() {
    let test = "emacs_mode_and_eglot_in_emacs";
    match emacs_version() {
        None => return skipped(test, INSTALL),
        Some(v) if v < (27, 1) => return skipped(test, &format!("Emacs {}.{} is too old: {INSTALL}", v.0, v.1)),
        Some(_) => {}
    }
    let out = Command::new("emacs")
        .args(["--batch", "-Q", "-L", "editors/emacs", "-l", "tests/editors/emacs/mml-mode-tests.el"])
        // A hung test (a prompt, a server that never answers) ends the run instead of the suite.
        .args(["--eval", "(run-at-time 120 nil (lambda () (message \"timed out after 120 s\") (kill-emacs 2)))"])
        .args(["-f", "ert-run-tests-batch-and-exit"])
        .env("MML_BIN", env!("CARGO_BIN_EXE_mml"))
        .stdin(Stdio::null())
        .current_dir(root())
        .output()
        .expect("emacs runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{text}");
    assert!(out.status.success(), "the Emacs tests in tests/editors/emacs failed:\n{text}");
    assert!(text.contains("results as expected, 0 unexpected"), "the ERT suite did not run:\n{text}");
    // ERT counts a skipped test as expected; here it is a loud skip.
    if let Some(line) = text.lines().find(|l| l.starts_with("mml-mode-tests skipped: ")) {
        skipped(test, line.trim_start_matches("mml-mode-tests skipped: "));
    } else {
        assert!(!text.contains("SKIPPED"), "an Emacs test was skipped:\n{text}");
    }
}
