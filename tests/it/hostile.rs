//! The catalogue of hostile inputs (`tests/hostile/catalogue.txt`), generated cases too large
//! to write there, and every builtin called with wrong arguments. Each runs in a fresh
//! session under modest limits; the outcome kind is asserted exactly, and a panic is caught
//! and reported with the case that caused it.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::rc::Rc;

use mml_runtime::{Limits, Session};

/// Modest limits: a hostile case must end quickly whatever it does.
// `..Limits::default()` keeps this compiling as limits are added.
#[allow(clippy::needless_update)]
fn limits() -> Limits {
    Limits { max_call_depth: 200, max_elements: 1_000_000, max_seconds: Some(1.0), ..Limits::default() }
}

/// A scratch folder for the plots and files a case writes.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mml-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What a run ended with: `ok`, the first error's kind, or the panic's message.
#[derive(Debug)]
enum Ending {
    Kind(String),
    Panic(String),
}

/// Runs `text` in a fresh session; the first error's kind (or `ok`), with every diagnostic
/// rendered (rendering must not panic either, and must name the kind).
fn outcome(text: &str) -> Ending {
    let dir = scratch();
    let result = catch_unwind(AssertUnwindSafe(|| {
        mml_stdlib::plot::set_output_dir(Some(dir.clone()));
        mml_stdlib::plot::set_capture(true);
        let out = Rc::new(RefCell::new(0usize));
        let sink = out.clone();
        let mut session = Session::new(mml_stdlib::library(), Box::new(move |s: &str| *sink.borrow_mut() += s.len()));
        session.set_limits(limits());
        let outcome = session.run("<hostile>", text);
        let mut first = None;
        for d in &outcome.diagnostics {
            let rendered = d.render(session.sources(), false);
            assert!(
                rendered.contains(d.code),
                "the rendering of a `{}` diagnostic omits its kind:\n{rendered}",
                d.code
            );
            if first.is_none() && d.severity == mml_lang::Severity::Error {
                assert!(d.anchor().is_some(), "a `{}` error has no span:\n{rendered}", d.code);
                first = Some(d.code.to_string());
            }
        }
        drop(mml_stdlib::plot::take_figures());
        first.unwrap_or_else(|| "ok".to_string())
    }));
    match result {
        Ok(kind) => Ending::Kind(kind),
        Err(payload) => Ending::Panic(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// One case: a title, the expected outcome, the source.
struct Case {
    title: String,
    expect: String,
    source: String,
}

/// Reads `### <outcome> <title>` blocks.
fn parse_catalogue(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("### ") {
            let (expect, title) = head.split_once(' ').unwrap_or((head, ""));
            cases.push(Case { title: title.to_string(), expect: expect.to_string(), source: String::new() });
        } else if let Some(case) = cases.last_mut() {
            case.source.push_str(line);
            case.source.push('\n');
        }
    }
    cases
}

/// Runs cases and reports every mismatch and panic at once.
fn check_all(cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        if std::env::var_os("HOSTILE_TRACE").is_some() {
            eprintln!("hostile case: {}", case.title);
        }
        let start = std::time::Instant::now();
        let ending = outcome(&case.source);
        let took = start.elapsed().as_secs_f64();
        if took > 1.5 {
            eprintln!("slow hostile case ({took:.1} s): {}", case.title);
        }
        match ending {
            Ending::Kind(kind) if kind == case.expect => {}
            Ending::Kind(kind) => failures.push(format!(
                "{}: expected `{}`, got `{kind}`\n{}",
                case.title,
                case.expect,
                abbreviate(&case.source)
            )),
            Ending::Panic(msg) => {
                failures.push(format!("{}: PANICKED: {msg}\n{}", case.title, abbreviate(&case.source)))
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn abbreviate(source: &str) -> String {
    let s: String = source.chars().take(200).collect();
    if s.len() < source.len() {
        format!("{s}…")
    } else {
        s
    }
}

#[test]
fn the_catalogue_of_hostile_inputs_gets_the_expected_outcomes() {
    let text = std::fs::read_to_string("tests/hostile/catalogue.txt").unwrap();
    let cases = parse_catalogue(&text);
    assert!(cases.len() > 100, "the catalogue lost its cases: {}", cases.len());
    check_all(&cases);
}

/// Inputs that fuzzing found to crash, hang or abort, kept so that they stay fixed: each file
/// under `tests/hostile/found/` is `<outcome>__<name>.mml` (the outcome as in the catalogue).
#[test]
fn inputs_found_by_fuzzing_stay_fixed() {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir("tests/hostile/found").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".mml") else { continue };
        let expect = stem.split("__").next().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        cases.push(Case { title: name.clone(), expect, source: String::from_utf8_lossy(&bytes).into_owned() });
    }
    assert!(!cases.is_empty());
    check_all(&cases);
}

/// Inputs too large to keep in the catalogue.
#[test]
fn huge_generated_inputs_are_diagnosed_not_crashed() {
    let sum = |n: usize| {
        let mut s = String::from("x = 1");
        for _ in 1..n {
            s.push_str(" + 1");
        }
        s
    };
    let cases = [
        ("a sum of 100,000 terms", "nesting-limit", sum(100_000)),
        ("a sum of 100 terms", "ok", format!("{}\nassert(x == 100)", sum(100))),
        ("a sum of 9,000 terms", "ok", format!("{}\nassert(x == 9000)", sum(9_000))),
        (
            "a function of a sum of 9,000 terms, differentiated",
            "ok",
            format!("f(t) = t{}\nassert(f(2) == 18000)\nassert(derivative(f)(3) == 9000)", " + t".repeat(8_999)),
        ),
        ("a sum of 20,000 terms", "nesting-limit", sum(20_000)),
        ("a product of 5,000 factors", "ok", format!("x = 1{}\nassert(x == 1)", " * 1".repeat(4_999))),
        ("a product of 20,000 factors", "nesting-limit", format!("x = 1{}", " * 1".repeat(19_999))),
        ("a power tower of 5,000", "ok", format!("x = 2{}\nassert(x == 2)", " ^ 1".repeat(4_999))),
        ("a power tower of 20,000", "nesting-limit", format!("x = 1{}", " ^ 1".repeat(19_999))),
        ("a chain of 5,000 unary minus", "ok", format!("x = {}1\nassert(x == 1)", "-".repeat(5_000))),
        ("a chain of 20,000 unary minus", "nesting-limit", format!("x = {}1", "-".repeat(20_000))),
        ("a chain of 5,000 nots", "ok", format!("x = {}true\nassert(x)", "not ".repeat(5_000))),
        ("a chain of 20,000 nots", "nesting-limit", format!("x = {}true", "not ".repeat(20_000))),
        (
            "diff of a formula nested 300 deep",
            "not-differentiable",
            format!("g(t) = t{}\nd = diff(g)", " * t".repeat(300)),
        ),
        ("1,000 nested parentheses", "ok", format!("x = {}1{}", "(".repeat(1_000), ")".repeat(1_000))),
        ("5,000 nested parentheses", "nesting-limit", format!("x = {}1{}", "(".repeat(5_000), ")".repeat(5_000))),
        ("100,000 nested parentheses", "nesting-limit", format!("x = {}1{}", "(".repeat(100_000), ")".repeat(100_000))),
        (
            "100,000 nested blocks",
            "nesting-limit",
            format!("{}x = 1{}", "if true { ".repeat(100_000), " }".repeat(100_000)),
        ),
        ("a thousand blocks never closed", "syntax", "while true {\n  x = 1\n".repeat(1_000)),
        (
            "a thousand blocks each followed by a statement on the same line",
            "syntax",
            "if true {\n  x = 1\n}y = 2\n".repeat(1_000),
        ),
        ("a million newlines", "ok", format!("x = 1{}y = 2", "\n".repeat(1_000_000))),
        ("100,000 command words on one line", "syntax", format!("{}(", "hold; ".repeat(100_000))),
        ("20,000 brace-less ifs", "syntax", "if x\n".repeat(20_000)),
        ("5,000 nested brackets", "nesting-limit", format!("x = {}1{}", "[".repeat(5_000), "]".repeat(5_000))),
        ("5,000 nested braces", "nesting-limit", format!("x = {}1{}", "{".repeat(5_000), "}".repeat(5_000))),
        ("5,000 open parentheses never closed", "nesting-limit", format!("x = {}1", "(".repeat(5_000))),
        ("1,000 nested blocks", "ok", format!("{}x = 1{}", "if true { ".repeat(1_000), " }".repeat(1_000))),
        ("3,000 nested blocks", "nesting-limit", format!("{}x = 1{}", "if true { ".repeat(3_000), " }".repeat(3_000))),
        ("a chain of 5,000 indexings", "ok", format!("v = [7]\nx = v{}\nassert(x == 7)", "[1]".repeat(5_000))),
        ("a chain of 20,000 indexings", "nesting-limit", format!("v = [1]\nx = v{}", "[1]".repeat(20_000))),
        ("a chain of 5,000 transposes", "ok", format!("x = [1, 2]{}\nassert(size(x, 1) == 1)", "'".repeat(5_001))),
        ("a chain of 20,000 transposes", "nesting-limit", format!("x = 1{}", "'".repeat(20_000))),
        ("a chain of 5,000 calls", "ok", format!("f(x) = f\nx = f{}", "(1)".repeat(5_000))),
        ("a chain of 20,000 calls", "nesting-limit", format!("f(x) = f\nx = f{}", "(1)".repeat(20_000))),
        ("a chain of 5,000 fields", "type-mismatch", format!("r = {{a = 1}}\nx = r{}", ".a".repeat(5_000))),
        ("a chain of 20,000 fields", "nesting-limit", format!("r = {{a = 1}}\nx = r{}", ".a".repeat(20_000))),
        ("a line of a million characters in a comment", "ok", format!("# {}\nx = 1", "a".repeat(1_000_000))),
        (
            "a string literal of a million characters",
            "ok",
            format!("s = \"{}\"\nassert(length(s) == 1000000)", "é".repeat(1_000_000)),
        ),
        (
            "a matrix literal of 5,000 elements",
            "ok",
            format!("v = [{}]\nassert(length(v) == 5000)", vec!["1"; 5_000].join(", ")),
        ),
        ("5,000 statements", "ok", "x = 1\n".repeat(5_000)),
        ("a million semicolons", "ok", ";".repeat(1_000_000)),
        ("a name of 100,000 characters", "ok", format!("{} = 1", "a".repeat(100_000))),
        ("an unknown name of 5,000 characters", "unknown-name", format!("x = {}", "q".repeat(5_000))),
        ("an unknown name of 1,000,000 characters", "unknown-name", format!("x = {}", "q".repeat(1_000_000))),
        ("a number of 100,000 digits", "ok", format!("x = {}", "9".repeat(100_000))),
        ("100,000 syntax errors", "syntax", ")\n".repeat(100_000)),
        ("20,000 unexpected characters", "syntax", "$ ".repeat(20_000)),
        ("a line of 100,000 unicode characters", "ok", format!("s = \"{}\"", "😀".repeat(100_000))),
        ("a deep list", "nesting-limit", format!("x = {}{}", "{1, ".repeat(5_000), "}".repeat(5_000))),
    ];
    let cases: Vec<Case> = cases
        .into_iter()
        .map(|(title, expect, source)| Case { title: title.to_string(), expect: expect.to_string(), source })
        .collect();
    check_all(&cases);
}

/// Every builtin, called with no arguments, with a string, with a record and with one
/// argument too many: a diagnostic of the expected kind, never a panic.
#[test]
fn every_builtin_rejects_wrong_arguments_with_a_diagnostic() {
    use mml_runtime::ParamDefault;
    let mut failures = Vec::new();
    for b in mml_stdlib::library().builtins {
        let required = b.params.iter().filter(|p| matches!(p.default, ParamDefault::Required)).count();
        let variadic = b.params.iter().any(|p| matches!(p.default, ParamDefault::Variadic));
        let positional = b.params.iter().filter(|p| !p.keyword).count();
        let mut calls: Vec<(String, Option<&str>)> = Vec::new();
        // No arguments: an argument-count error when one is required.
        calls.push((format!("{}()", b.name), (required > 0).then_some("argument-count")));
        // One too many: an argument-count error unless it takes any number.
        let too_many = vec!["1"; positional + 1].join(", ");
        // (When it has keyword-only parameters, the extra argument reaches the first of them.)
        let keyword_only = b.params.iter().any(|p| p.keyword);
        let too_many_kind = if keyword_only { "keyword-only" } else { "argument-count" };
        calls.push((format!("{}({too_many})", b.name), (!variadic).then_some(too_many_kind)));
        // A string and a record where its first argument goes: any diagnostic, or success
        // for the builtins that take any value; never a panic.
        for wrong in [
            "\"tests/hostile/files/ok.csv/text\"",
            "{a = 1, b = \"x\"}",
            "{1, \"a\"}",
            "2i",
            "(x) -> x",
            "zeros(0, 3)",
            "nan",
        ] {
            let mut args = vec![wrong.to_string()];
            args.extend(std::iter::repeat_n("1".to_string(), required.saturating_sub(1)));
            calls.push((format!("{}({})", b.name, args.join(", ")), None));
        }
        for (call, expect) in calls {
            match outcome(&call) {
                Ending::Panic(msg) => failures.push(format!("`{call}` PANICKED: {msg}")),
                Ending::Kind(kind) => {
                    if let Some(expect) = expect {
                        if kind != expect {
                            failures.push(format!("`{call}`: expected `{expect}`, got `{kind}`"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} builtin calls failed:\n{}", failures.len(), failures.join("\n"));
}
