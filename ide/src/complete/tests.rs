//! Completion over the real standard library and a session with variables.

use mml_runtime::Session;

use super::*;

fn session(code: &str) -> Session {
    let mut s = Session::new(mml_stdlib::library(), Box::new(|_| {}));
    let outcome = s.run("<test>", code);
    assert!(outcome.is_ok(), "{:?}", outcome.diagnostics);
    s
}

fn labels(names: &Names, text: &str) -> (usize, Vec<String>) {
    let c = complete(names, text, text.len());
    (c.start, c.items.into_iter().map(|i| i.label).collect())
}

#[test]
fn builtins_keywords_and_variables() {
    let s = session("lr = 0.1\nlog_loss = 2");
    let names = Names::of(&s);
    let (start, got) = labels(&names, "x = linsp");
    assert_eq!((start, got), (4, vec!["linspace".to_string()]));
    let (_, got) = labels(&names, "lo");
    assert!(got.contains(&"log".to_string()) && got.contains(&"log_loss".to_string()), "{got:?}");
    let (_, got) = labels(&names, "whi");
    assert_eq!(got, vec!["while"]);
    let (_, got) = labels(&names, "l");
    assert!(got.contains(&"lr".to_string()));
    // Nothing to complete after a digit or at an empty word outside a call.
    assert_eq!(labels(&names, "1e").1, Vec::<String>::new());
    assert_eq!(labels(&names, "x = ").1, Vec::<String>::new());
}

#[test]
fn details_carry_signatures_and_descriptions() {
    let s = session("A = [1, 2; 3, 4]");
    let names = Names::of(&s);
    let c = complete(&names, "linspa", 6);
    assert_eq!(c.items[0].detail, "linspace(a, b, n = 100)");
    assert!(!c.items[0].summary.is_empty());
    let c = complete(&names, "A", 1);
    let a = c.items.iter().find(|i| i.label == "A").unwrap();
    assert_eq!((a.kind, a.detail.as_str()), (ItemKind::Variable, "a 2×2 matrix"));
}

#[test]
fn record_fields_after_a_dot() {
    let s = session("r = {alpha = 1, beta = [1, 2], inner = {deep = 3}}");
    let names = Names::of(&s);
    assert_eq!(labels(&names, "r."), (2, vec!["alpha".into(), "beta".into(), "inner".into()]));
    assert_eq!(labels(&names, "y = r.b"), (6, vec!["beta".into()]));
    assert_eq!(labels(&names, "r.inner.d"), (8, vec!["deep".into()]));
    // Not a record: nothing, rather than every name.
    assert_eq!(labels(&names, "r.alpha.").1, Vec::<String>::new());
    assert_eq!(labels(&names, "nope.").1, Vec::<String>::new());
}

#[test]
fn keyword_parameters_inside_a_call() {
    let s = session("f(x, scale = 2) = scale * x");
    let names = Names::of(&s);
    let c = complete(&names, "linspace(0, 1, n", 16);
    assert_eq!(c.items[0].label, "n =");
    assert_eq!(c.items[0].insert, "n = ");
    assert_eq!(c.items[0].kind, ItemKind::Parameter);
    let (_, got) = labels(&names, "f(1, sc");
    assert_eq!(got[0], "scale =");
    // A parameter already given is not offered again; a nested call is its own call.
    let (_, got) = labels(&names, "linspace(0, 1, n = 3, n");
    assert!(!got.contains(&"n =".to_string()), "{got:?}");
    let (_, got) = labels(&names, "linspace(0, sum([1, 2], d");
    assert!(got.contains(&"dim =".to_string()), "{got:?}");
}

#[test]
fn nothing_inside_strings_and_comments() {
    let names = Names::of(&session(""));
    assert_eq!(labels(&names, "print(\"lin").1, Vec::<String>::new());
    assert_eq!(labels(&names, "x = 1 # lin").1, Vec::<String>::new());
    assert!(!labels(&names, "print(\"a\") + lin").1.is_empty());
}

#[test]
fn commands_at_the_start_of_a_line() {
    let names = Names::of(&session(""));
    assert_eq!(labels(&names, ":h"), (0, vec![":help".into()]));
    assert_eq!(labels(&names, "  :q"), (2, vec![":q".into(), ":quit".into()]));
    assert_eq!(labels(&names, ":help lins").1, vec!["linspace"]);
}

#[test]
fn unicode_before_the_cursor() {
    let s = session("θ = 1\nθ2 = 2");
    let names = Names::of(&s);
    let text = "y = θ";
    let (start, got) = labels(&names, text);
    assert_eq!(start, 4);
    assert_eq!(got, vec!["θ", "θ2"]);
}

#[test]
fn the_call_around_the_cursor() {
    let call = enclosing_call("y = linspace(0, f(1), ", 22).unwrap();
    assert_eq!((call.name.as_str(), call.name_start, call.active), ("linspace", 4, 2));
    let call = enclosing_call("linspace(0, f(1", 15).unwrap();
    assert_eq!((call.name.as_str(), call.active), ("f", 0));
    let call = enclosing_call("plot(x, y, title = \"a, b\", c", 28).unwrap();
    assert_eq!((call.active, call.given.clone()), (3, vec!["title".to_string()]));
    assert_eq!(enclosing_call("[1, 2", 5), None);
    assert_eq!(enclosing_call("f(1)", 4), None);
    assert_eq!(enclosing_call("(1 + 2", 6), None);
}
