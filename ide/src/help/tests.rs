//! Tests of `:help` over a small made-up library, so they do not depend on the stdlib's wording.

use mml_runtime::{
    Args, Builtin, BuiltinError, CallCtx, Category, Constant, Library, Param, ParamDefault, Session, Value,
};

use super::{closest, help_markdown, help_text};

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
    check(Some("linspac"), "no help for `linspac`\ndid you mean `linspace`?\n");
    check(Some("zzzzzzzz"), "no help for `zzzzzzzz`\n`:help` lists the categories of builtins\n");
}

#[test]
fn a_word_searches_the_documentation() {
    check(
        Some("radians"),
        "`radians` is not a name; the builtins whose documentation mentions it:\n  sin  The sine of `x` (radians), element-wise.\n`:help NAME` shows one of them\n",
    );
    check(
        Some("spaced"),
        "`spaced` is not a name; the builtins whose documentation mentions it:\n  linspace  Evenly spaced points from `a` to `b`, as a column.\n`:help NAME` shows one of them\n",
    );
}

#[test]
fn a_category_lists_its_builtins() {
    check(Some("elementary maths"), "Elementary maths:\n  sin  The sine of `x` (radians), element-wise.\n");
}

#[test]
fn commands() {
    check(Some(":vars"), ":vars lists the variables defined so far, with their values\n");
}

#[test]
fn overview_is_short_and_lists_categories() {
    let text = help_text(&session(), None);
    assert!(text.starts_with("MML: "), "{text}");
    assert!(text.lines().count() < 30, "{text}");
    let math = text.find("  Elementary maths        sin\n");
    let construct = text.find("  Construction and shape  linspace\n");
    assert!(math.is_some() && construct.is_some(), "{text}");
    assert!(math < construct, "categories in declaration order:\n{text}");
    assert!(text.contains("  Constants               pi\n"), "{text}");
}

#[test]
fn markdown_for_inspection() {
    let md = help_markdown(&session(), "linspace").unwrap();
    assert!(md.starts_with("```mml\nlinspace(a, b, n = 100)\n```\n\nEvenly spaced"), "{md}");
    assert!(md.contains("```mml\nlinspace(0, 1, 3)"), "{md}");
    assert_eq!(help_markdown(&session(), "nonesuch"), None);
}

#[test]
fn closest_names() {
    let names = ["linspace", "log", "zeros", "ones"];
    assert_eq!(closest("lnspace", names), Some("linspace"));
    assert_eq!(closest("zero", names), Some("zeros"));
    assert_eq!(closest("qqq", names), None);
    assert_eq!(closest("log", names), None);
}

#[test]
fn names_from_numpy_and_octave_say_how_mml_writes_them() {
    let s = Session::new(mml_stdlib::library(), Box::new(|_| {}));
    let text = help_text(&s, Some("eigvals"));
    assert!(text.starts_with("`eigvals` (NumPy"), "{text}");
    assert!(text.contains("MML writes this as eig(A).values"), "{text}");
    let text = help_text(&s, Some("np.linalg.eig"));
    assert!(text.contains("MML writes this as"), "{text}");
    // A word that names nothing searches the documentation.
    let text = help_text(&s, Some("eigenvalue"));
    for name in ["eig", "eigh", "charpoly"] {
        assert!(text.contains(&format!("\n  {name} ")), "{name} in {text}");
    }
}

#[test]
fn iterative_results_have_a_help_topic() {
    let text = help_text(&session(), Some("iterative"));
    for word in ["path", "iterations", "converged", "reason", "message", "trace = true"] {
        assert!(text.contains(word), "{word}: {text}");
    }
    for reason in [
        "step",
        "gradient",
        "residual",
        "interval",
        "change",
        "max-iterations",
        "stalled",
        "diverged",
        "cycled",
        "zero-derivative",
        "singular",
        "saddle",
        "maximum",
        "unbounded",
    ] {
        assert!(text.contains(&format!("\"{reason}\"")), "{reason}");
    }
    for alias in ["iterations", "converged", "reason", "solvers"] {
        assert_eq!(help_text(&session(), Some(alias)), text);
    }
}
