//! The documentation tests: every builtin's examples run and print what their `# =>`
//! comments say, and the generated reference and editor grammars are up to date.

use crate::common::{check_block, mml_blocks};

#[test]
fn every_builtin_example_prints_what_it_says() {
    let lib = mml_stdlib::library();
    let mut failures = Vec::new();
    for b in lib.builtins {
        let blocks = mml_blocks(b.doc);
        if !blocks.iter().any(|bl| bl.iter().any(|l| l.contains("# =>"))) {
            failures.push(format!("`{}` has no example with a `# =>` result", b.name));
        }
        for block in blocks {
            failures.extend(check_block(b.name, &block));
        }
    }
    for c in lib.constants {
        for block in mml_blocks(c.doc) {
            failures.extend(check_block(c.name, &block));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn builtin_names_are_unique_and_documented() {
    let lib = mml_stdlib::library();
    let mut names: Vec<&str> =
        lib.builtins.iter().map(|b| b.name).chain(lib.constants.iter().map(|c| c.name)).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "a name is declared twice");
    for b in lib.builtins {
        assert!(!b.summary().is_empty(), "`{}` has no summary", b.name);
        assert!(!mml_lang::KEYWORDS.contains(&b.name), "`{}` is a keyword", b.name);
    }
}

/// Checks that a generated file matches; rewrites it when stale (so that the next run passes
/// and the diff shows in review) and says so.
fn ensure_file_contents(rel: &str, contents: &str) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    if old == contents {
        return None;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, contents).unwrap();
    Some(format!("{rel} was out of date; it has been regenerated: review and commit it"))
}

#[test]
fn generated_files_are_up_to_date() {
    let lib = mml_stdlib::library();
    let stale: Vec<String> = [
        ensure_file_contents("docs/reference.md", &mml_stdlib::docs::reference_markdown(lib)),
        ensure_file_contents("editors/vim/syntax/mml.vim", &mml_stdlib::docs::vim_syntax(lib)),
        ensure_file_contents("docs/from-numpy-and-octave.md", &mml_stdlib::docs::foreign_markdown()),
        ensure_file_contents("editors/vscode/syntaxes/mml.tmLanguage.json", &mml_stdlib::docs::textmate_grammar(lib)),
        ensure_file_contents("editors/emacs/mml-mode-words.el", &mml_stdlib::docs::emacs_keywords(lib)),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn every_foreign_name_example_runs() {
    let lib = mml_stdlib::library();
    let table = mml_stdlib::foreign::FOREIGN;
    assert!(table.len() >= 100, "the table of foreign names has only {} entries", table.len());
    let mut failures = Vec::new();
    let mut names: Vec<&str> = table.iter().map(|f| f.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), table.len(), "a foreign name is listed twice");
    for f in table {
        // A name MML already has would never reach the table.
        let plain = !f.name.contains('.');
        if plain && (lib.builtins.iter().any(|b| b.name == f.name) || lib.constants.iter().any(|c| c.name == f.name)) {
            failures.push(format!("`{}` is an MML name, so its entry is never shown", f.name));
        }
        failures.extend(check_block(f.name, &[f.example]));
        // The name itself is an error that quotes the entry.
        let (mut session, _) = crate::common::echo_session();
        let outcome = session.run("<foreign>", &format!("x = {}", f.name));
        let rendered: String = outcome.diagnostics.iter().map(|d| d.render(session.sources(), false)).collect();
        if !rendered.contains("unknown-name") || !rendered.contains(f.example) {
            failures.push(format!("`{}` does not report its MML way:\n{rendered}", f.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn foreign_names_are_found_through_module_prefixes() {
    use mml_stdlib::foreign::foreign_name;
    assert_eq!(foreign_name("eigvals").map(|f| f.mml), Some("eig(A).values"));
    assert_eq!(foreign_name("np.linalg.eig").map(|f| f.name), Some("np.linalg.eig"));
    assert_eq!(foreign_name("numpy.linalg.eig").map(|f| f.name), Some("np.linalg.eig"));
    assert_eq!(foreign_name("scipy.linalg.cholesky").map(|f| f.name), Some("cholesky"));
    assert_eq!(foreign_name("np.random.seed").map(|f| f.name), Some("random.seed"));
    assert_eq!(foreign_name("np.zeros").map(|f| f.name), Some("np.zeros"));
    assert!(foreign_name("mymodule.eigvals").is_none(), "only known module prefixes are looked through");
    assert!(foreign_name("eig").is_none());
}
