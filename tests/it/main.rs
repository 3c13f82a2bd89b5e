//! The one integration-test binary: each module tests one side of MML.

// A failed `unwrap` in a test helper is a failed test; clippy.toml's `allow-*-in-tests`
// covers only `#[test]` functions, not the helpers they share.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;
mod common;
mod docs;
mod editor_emacs;
mod editor_vim;
mod editor_vscode;
mod errors;
mod examples;
mod guesses;
mod guide;
mod hostile;
mod lang;
mod props;
mod repl;
mod tools;
