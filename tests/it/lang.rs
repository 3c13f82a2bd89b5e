//! In-language tests: every `tests/lang/*.mml` script runs without error (they check
//! themselves with `assert` and `assert_close`).

use crate::common::run;

#[test]
fn language_test_scripts_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lang");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 4, "expected the language test scripts in {}", dir.display());
    let mut failures = Vec::new();
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "mml")) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let result = run(&name, &std::fs::read_to_string(f).unwrap());
        if !result.ok {
            failures.push(result.diagnostics);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `grad` of many inputs runs the function once (reverse mode), where forward mode would run
/// it once per input; `jacobian` (forward mode) runs it once per input. Counted by what the
/// function prints.
#[test]
fn grad_runs_the_function_once_and_jacobian_once_per_input() {
    let script = "fn f(v) {\n    print(\"run\")\n    return sum(v .^ 2)\n}\ng = grad(f, [1, 2, 3, 4, 5])\nassert(g == [2, 4, 6, 8, 10])\nprint(\"--\")\nJ = jacobian(f, [1, 2, 3, 4, 5])\n";
    let result = run("grad_runs.mml", script);
    assert!(result.ok, "{}", result.diagnostics);
    let (grad_part, jacobian_part) = result.stdout.split_once("--\n").unwrap();
    assert_eq!(grad_part.matches("run").count(), 1, "grad ran the function more than once:\n{}", result.stdout);
    assert_eq!(jacobian_part.matches("run").count(), 5);
}

#[test]
fn display_settings_last_for_the_session() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let out = Rc::new(RefCell::new(String::new()));
    let sink = out.clone();
    let mut s =
        mml_runtime::Session::new(mml_stdlib::library(), Box::new(move |t: &str| sink.borrow_mut().push_str(t)));
    let show = |s: &mut mml_runtime::Session, code: &str| {
        out.borrow_mut().clear();
        assert!(s.run("<test>", code).is_ok(), "{code}");
        out.borrow().clone()
    };
    assert_eq!(show(&mut s, "print([1/3, 2])"), "2×1 matrix\n  0.33333\n  2\n");
    // `format("long")` in one run changes how the next runs print.
    assert_eq!(show(&mut s, "format(\"long\")"), "");
    assert!(s.format().long);
    assert_eq!(show(&mut s, "print([1/3, 2])"), "2×1 matrix\n  0.3333333333333333\n  2\n");
    show(&mut s, "format(\"short\")");
    // Digits (`:set digits 3`, `--precision 3`) and the width are session settings.
    s.set_digits(Some(3));
    assert_eq!(s.digits(), Some(3));
    assert_eq!(show(&mut s, "print(pi, [pi, 20])"), "3.14\n2×1 matrix\n   3.1\n  20\n");
    s.set_digits(None);
    s.set_width(Some(12));
    assert_eq!(s.width(), Some(12));
    assert_eq!(
        show(&mut s, "print([1.5, 2.5, 3.5]')"),
        "1×3 matrix\n Columns 1 and 2:\n  1.5  2.5\n Column 3:\n  3.5\n"
    );
    // The one-string form of `format` takes only the two formats.
    assert!(!s.run("<test>", "format(\"longer\")").is_ok());
}
