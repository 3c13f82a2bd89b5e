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
