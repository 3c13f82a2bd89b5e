//! Tests of the command-line parser.

use std::ffi::OsString;
use std::path::PathBuf;

use super::{parse, Command, Invocation};

#[track_caller]
fn ok(args: &[&str]) -> Invocation {
    match parse(args.iter().map(OsString::from)) {
        Ok(inv) => inv,
        Err(e) => panic!("{args:?} failed: {e}"),
    }
}

#[track_caller]
fn err(args: &[&str]) -> String {
    match parse(args.iter().map(OsString::from)) {
        Ok(inv) => panic!("{args:?} parsed as {inv:?}"),
        Err(e) => e,
    }
}

#[test]
fn commands() {
    assert_eq!(ok(&[]).command, Command::Default);
    assert_eq!(ok(&["a.mml"]).command, Command::Run(PathBuf::from("a.mml")));
    assert_eq!(ok(&["-"]).command, Command::Stdin);
    assert_eq!(ok(&["-e", "1 + 2"]).command, Command::Eval("1 + 2".into()));
    assert_eq!(ok(&["-e", "a = 1", "--eval=print(a)"]).command, Command::Eval("a = 1\nprint(a)".into()));
    assert_eq!(ok(&["check", "a.mml", "b.mml"]).command, Command::Check(vec!["a.mml".into(), "b.mml".into()]));
    assert_eq!(ok(&["--", "check"]).command, Command::Run(PathBuf::from("check")));
    assert_eq!(ok(&["--help", "a.mml"]).command, Command::Help);
    assert_eq!(ok(&["-V"]).command, Command::Version);
}

#[test]
fn options() {
    let inv = ok(&["--max-depth", "50", "--max-elements=1e6", "--max-seconds", "2.5", "--precision", "4", "a.mml"]);
    assert_eq!(inv.options.limits.max_call_depth, 50);
    assert_eq!(inv.options.limits.max_elements, 1_000_000);
    assert_eq!(inv.options.limits.max_seconds, Some(2.5));
    assert_eq!(inv.options.precision, Some(4));
    assert_eq!(inv.command, Command::Run(PathBuf::from("a.mml")));
    // Options may follow the file.
    assert_eq!(ok(&["a.mml", "--max-depth", "3"]).options.limits.max_call_depth, 3);
}

#[test]
fn usage_errors() {
    assert_eq!(err(&["--frobnicate"]), "unknown option `--frobnicate`");
    assert_eq!(err(&["-e"]), "`-e` needs some code");
    assert_eq!(err(&["--max-depth", "-1"]), "`--max-depth` needs a non-negative whole number, found `-1`");
    assert_eq!(err(&["--max-seconds", "0"]), "`--max-seconds` needs a positive number of seconds, found `0`");
    assert_eq!(err(&["--precision", "40"]), "`--precision` needs a number of digits from 1 to 17, found 40");
    assert_eq!(err(&["check"]), "`check` needs at least one file");
    assert_eq!(err(&["a.mml", "b.mml"]), "unexpected argument `b.mml`: scripts take no arguments");
    assert_eq!(err(&["-e", "1", "a.mml"]), "unexpected argument `a.mml` after `-e`");
}
