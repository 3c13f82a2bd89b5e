//! Helpers for the tests of the solvers, minimisers and fits: scripts run through a real
//! session (the builtins call MML functions), with their globals read back.

use std::cell::RefCell;
use std::rc::Rc;

use mml_runtime::{Session, Value};

/// Runs `src`; returns the session, what it printed and its rendered errors.
pub(crate) fn run(src: &str) -> (Session, String, String) {
    let out = Rc::new(RefCell::new(String::new()));
    let sink = out.clone();
    let mut s = Session::new(crate::library(), Box::new(move |t: &str| sink.borrow_mut().push_str(t)));
    let outcome = s.run("<test>", src);
    let diags: String = outcome.diagnostics.iter().map(|d| d.render(s.sources(), false)).collect();
    let text = out.borrow().clone();
    (s, text, diags)
}

/// Runs `src`, which must succeed.
#[track_caller]
pub(crate) fn ok(src: &str) -> Session {
    let (s, _, diags) = run(src);
    assert!(diags.is_empty(), "script failed:\n{src}\n{diags}");
    s
}

/// Runs `src`, which must fail with an error of kind `code`; returns the rendered error.
#[track_caller]
pub(crate) fn fails(src: &str, code: &str) -> String {
    let (_, _, diags) = run(src);
    assert!(diags.contains(&format!("[{code}]")), "expected a `{code}` error from\n{src}\ngot:\n{diags}");
    diags
}

/// The global `name` of a session.
#[track_caller]
pub(crate) fn global(s: &Session, name: &str) -> Value {
    s.globals().into_iter().find(|(n, _)| n == name).map(|(_, v)| v).unwrap_or_else(|| panic!("no global {name}"))
}

/// The number in global `name`.
#[track_caller]
pub(crate) fn num(s: &Session, name: &str) -> f64 {
    global(s, name).as_scalar().unwrap_or_else(|| panic!("{name} is not a number"))
}

/// The elements (column-major) of global `name`.
#[track_caller]
pub(crate) fn elems(s: &Session, name: &str) -> Vec<f64> {
    let v = global(s, name);
    v.to_matrix().unwrap_or_else(|| panic!("{name} is not numeric: {v:?}")).iter().copied().collect()
}

/// `a` and `b` agree to a relative tolerance `rtol` (absolute near zero).
#[track_caller]
pub(crate) fn close(a: f64, b: f64, rtol: f64) {
    assert!((a - b).abs() <= rtol * b.abs().max(1.0), "{a} is not within {rtol} of {b}");
}

/// Element-wise [`close`].
#[track_caller]
pub(crate) fn all_close(a: &[f64], b: &[f64], rtol: f64) {
    assert_eq!(a.len(), b.len(), "lengths differ: {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        close(*x, *y, rtol);
    }
}
