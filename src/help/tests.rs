//! Tests of `:help` over a small made-up library, so they do not depend on the stdlib's wording.

use mml_runtime::{
    Args, Builtin, BuiltinError, CallCtx, Category, Constant, Library, Param, ParamDefault, Session, Value,
};

use super::{closest, help_text};

fn nothing(_: &mut dyn CallCtx, _: &Args<'_>) -> Result<Value, BuiltinError> {
    Ok(Value::Nothing)
}

static LINSPACE: Builtin = Builtin {
    name: "linspace",
    category: Category::Construct,
    params: &[Param::req("a"), Param::req("b"), Param::opt("n", ParamDefault::Num(100.0))],
    doc: "Evenly spaced points from `a` to `b`, as a column.\n\nBoth ends are included.\n```mml\nlinspace(0, 1, 3)   # => [0; 0.5; 1]\n```\n",
    run: nothing,
};

static SIN: Builtin = Builtin {
    name: "sin",
    category: Category::Math,
    params: &[Param::req("x")],
    doc: "The sine of `x` (radians), element-wise.",
    run: nothing,
};

static LIBRARY: Library = Library {
    builtins: &[&LINSPACE, &SIN],
    constants: &[Constant {
        name: "pi",
        value: std::f64::consts::PI,
        doc: "The ratio of a circle's circumference to its diameter.",
    }],
    on_new_session: None,
    on_run_end: None,
    foreign: &[],
};

fn session() -> Session {
    Session::new(&LIBRARY, Box::new(|_| {}))
}

#[track_caller]
fn check(name: Option<&str>, expect: &str) {
    assert_eq!(help_text(&session(), name), expect);
}

#[test]
fn builtin() {
    check(
        Some("linspace"),
        "linspace(a, b, n = 100)\n\nEvenly spaced points from `a` to `b`, as a column.\n\nBoth ends are included.\n    linspace(0, 1, 3)   # => [0; 0.5; 1]\n",
    );
}

#[test]
fn constant() {
    check(Some("pi"), "pi = 3.141592653589793\n\nThe ratio of a circle's circumference to its diameter.\n");
}

#[test]
fn unknown_name_suggests() {
    check(Some("linspac"), "no help for `linspac`\ndid you mean `linspace`?\n`:help` lists every builtin\n");
    check(Some("zzzzzzzz"), "no help for `zzzzzzzz`\n`:help` lists every builtin\n");
}

#[test]
fn commands() {
    check(Some(":vars"), ":vars lists the variables defined so far, with their values\n");
}

#[test]
fn overview_lists_builtins_by_category() {
    let text = help_text(&session(), None);
    assert!(text.starts_with("MML REPL"), "{text}");
    let math = text.find("Elementary maths:\n  sin       The sine of `x` (radians), element-wise.\n");
    let construct =
        text.find("Construction and shape:\n  linspace  Evenly spaced points from `a` to `b`, as a column.\n");
    assert!(math.is_some() && construct.is_some(), "{text}");
    assert!(math < construct, "categories in declaration order:\n{text}");
    assert!(
        text.contains("Constants:\n  pi        The ratio of a circle's circumference to its diameter.\n"),
        "{text}"
    );
}

#[test]
fn closest_names() {
    let names = ["linspace", "log", "zeros", "ones"];
    assert_eq!(closest("lnspace", names), Some("linspace"));
    assert_eq!(closest("zero", names), Some("zeros"));
    assert_eq!(closest("qqq", names), None);
    assert_eq!(closest("log", names), None);
}
