//! Every `examples/**/*.mml` runs and prints exactly its recorded `.out` file.
//! `UPDATE_EXPECT=1 cargo test` records the current output instead.

use std::path::{Path, PathBuf};

use crate::common::run;

fn scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            scripts(&p, out);
        } else if p.extension().is_some_and(|x| x == "mml") {
            out.push(p);
        }
    }
}

#[test]
fn examples_match_their_recorded_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    scripts(&root.join("examples"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no examples found");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap();
        // Plots start afresh in each example and are written to a temporary folder.
        mml_stdlib::plot::reset();
        mml_stdlib::plot::set_output_dir(Some(std::env::temp_dir().join("mml-example-plots")));
        let result = run(&rel, &text);
        if !result.ok {
            failures.push(format!("{rel} failed:\n{}", result.diagnostics));
            continue;
        }
        let expected_path = file.with_extension("out");
        if update {
            std::fs::write(&expected_path, &result.stdout).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == result.stdout => {}
            Ok(expected) => failures.push(format!(
                "{rel}: output differs from {}\n--- expected\n{expected}\n--- actual\n{}",
                expected_path.display(),
                result.stdout
            )),
            Err(_) => failures.push(format!("{rel}: no recorded output (run with UPDATE_EXPECT=1)")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
