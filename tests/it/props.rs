//! Property tests: the interpreter never panics, whatever it is given. Generated programs
//! mix valid fragments with noise; every run is bounded by small limits.

use std::cell::RefCell;
use std::rc::Rc;

use mml_runtime::{Limits, Session};
use proptest::prelude::*;

/// Pieces that combine into programs that parse often enough to reach the interpreter.
const FRAGMENTS: &[&str] = &[
    "x",
    "y",
    "A",
    "v",
    "f",
    "1",
    "2.5",
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "\"s\"",
    "true",
    "nothing",
    "[1, 2]",
    "[1, 2; 3, 4]",
    "[]",
    "{1, \"a\"}",
    "{a = 1}",
    "1:3",
    "0:0.5:2",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "\n",
    " + ",
    " - ",
    " * ",
    " / ",
    " \\ ",
    " ^ ",
    " .* ",
    " ./ ",
    " .^ ",
    "'",
    " == ",
    " < ",
    " and ",
    " or ",
    "not ",
    " = ",
    " += ",
    ":",
    "end",
    "x[1]",
    "A[2, :]",
    "v[end]",
    "r.a",
    "f(x)",
    "g = (t) -> t + 1",
    "fn h(a, b = 2) { a }",
    "if x > 0 { y = 1 } else { y = 2 }",
    "for i in 1:3 { x = i }",
    "while false { }",
    "break",
    "return 1",
    "print(x)",
    "zeros(2, 3)",
    "size(A)",
    "sqrt(x)",
    "x = 1",
    "A = [1, 2; 3, 4]",
    "v = [1, 2, 3]",
    "r = {a = 1}",
    "f(t) = t^2",
    "A[1, 1] = 5",
    "v[2:3] = 0",
    "a, b = {1, 2}",
];

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![4 => prop::sample::select(FRAGMENTS).prop_map(str::to_string), 1 => "[ -~]{0,3}"],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn run_bounded(text: &str) {
    let out = Rc::new(RefCell::new(String::new()));
    let sink = out.clone();
    let mut s = Session::new(mml_stdlib::library(), Box::new(move |t: &str| sink.borrow_mut().push_str(t)));
    s.set_limits(Limits { max_call_depth: 50, max_elements: 10_000, max_seconds: Some(0.5), max_steps: None });
    let outcome = s.run("<prop>", text);
    for d in &outcome.diagnostics {
        let rendered = d.render(s.sources(), false);
        assert!(!rendered.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_interpreter_never_panics(text in program()) {
        run_bounded(&text);
    }
}
