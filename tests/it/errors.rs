//! One script per error kind under `tests/errors/<phase>/<kind>.mml`; each must fail, and
//! its rendered diagnostic (no colour) is snapshotted.

use crate::common::run;

#[test]
fn error_scripts_render_their_diagnostics() {
    insta::glob!("../errors", "**/*.mml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let result = run(&name, &text);
        assert!(!result.ok, "{} ran without error", path.display());
        let stem = name.trim_end_matches(".mml");
        let code = stem.split("__").next().unwrap_or(stem).replace('_', "-");
        assert!(
            result.diagnostics.contains(&format!("[{code}]")) || result.diagnostics.contains(&code),
            "{}: expected an error of kind `{code}`, got:\n{}",
            path.display(),
            result.diagnostics
        );
        insta::assert_snapshot!(format!("{}\n--- output ---\n{}", result.diagnostics, result.stdout));
    });
}
