//! The VS Code extension (`editors/vscode/`) through node: the TextMate grammar under
//! `vscode-tmgrammar-test` (VS Code's own tokenizer, vscode-textmate); under node's test
//! runner, the client's activation code with `vscode` stubbed, the language configuration, and
//! the real vscode-languageclient against the real `mml lsp` (`MML_BIN`) in a fake VS Code;
//! and `vsce package` building the `.vsix`. The npm packages are pinned by
//! `editors/vscode/package-lock.json` and installed with `npm ci` into
//! `editors/vscode/node_modules/` when that is missing or the lock file changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use mml_lang::{lex, Token, KEYWORDS, OPERATORS};

use crate::tools::{root, skipped};

const TEST: &str = "vscode_extension_grammar_client_and_vsix";
const INSTALL: &str = "install Node.js 18+ and npm (Debian: nodejs npm)";

/// The grammar test files; each must be reported as passed.
const GRAMMAR_TESTS: &[&str] = &["comments", "numbers", "operators", "strings", "transpose", "words"];

fn extension_dir() -> PathBuf {
    root().join("editors").join("vscode")
}

/// The major version of `node`, or `None` when it cannot be run.
fn node_major() -> Option<u32> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().trim_start_matches('v').split('.').next()?.parse().ok()
}

fn npm_runs() -> bool {
    Command::new("npm").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Runs `cmd` in `dir`, killing it after `limit`; returns whether it succeeded and its
/// stdout and stderr together.
fn run(mut cmd: Command, dir: &Path, limit: Duration) -> (bool, String) {
    let logs = std::env::temp_dir().join(format!("mml-it-vscode-{}", std::process::id()));
    std::fs::create_dir_all(&logs).unwrap();
    let log = logs.join("output.txt");
    let file = std::fs::File::create(&log).unwrap();
    let described = format!("{cmd:?}");
    let mut child = cmd
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {described}: {e}"));
    let status = crate::tools::wait_with_limit(&mut child, limit);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&logs);
    match status {
        Some(status) => (status.success(), text),
        None => (false, format!("{described} did not finish within {limit:?}:\n{text}")),
    }
}

/// `npm ci` unless `node_modules/` was installed from this very `package-lock.json`.
fn install_packages(dir: &Path) {
    let lock = std::fs::read_to_string(dir.join("package-lock.json")).unwrap();
    let stamp = dir.join("node_modules").join(".mml-installed-package-lock.json");
    let installed = ["@vscode/vsce", "vscode-tmgrammar-test", "vscode-languageclient"]
        .iter()
        .all(|p| dir.join("node_modules").join(p).join("package.json").exists());
    if installed && std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) {
        return;
    }
    let mut npm = Command::new("npm");
    // No install scripts: none of the packages needs one to package or test, and keytar's
    // (an optional dependency of vsce, for publishing) would try to download a binary.
    npm.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
    let (ok, text) = run(npm, dir, Duration::from_secs(600));
    // A failed install (no network to the npm registry) is a failure, not a skip.
    assert!(ok, "npm ci failed in {}:\n{text}", dir.display());
    std::fs::write(&stamp, lock).unwrap();
}

/// The names of the files in a zip archive, from its central directory.
fn zip_names(bytes: &[u8]) -> Vec<String> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
    // The end-of-central-directory record: signature, then the directory's size and offset.
    let end = (0..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("a zip archive ends with its central directory");
    let (count, mut at) = (u16_at(end + 10), u32_at(end + 16));
    let mut names = Vec::new();
    for _ in 0..count {
        assert_eq!(bytes[at..at + 4], [0x50, 0x4b, 0x01, 0x02], "a central directory entry");
        let (name_len, extra_len, comment_len) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        names.push(String::from_utf8_lossy(&bytes[at + 46..at + 46 + name_len]).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    names
}

/// Every `.mml` file under `dir`, recursively.
fn mml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            mml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "mml") {
            out.push(path);
        }
    }
}

/// A grammar token: start and end (UTF-16 columns) and its scopes.
type Scoped = (usize, usize, String);

/// What the grammar must say about a lexer token starting at a given place, or `None` when
/// it agrees. `whole` is whether the grammar token spans exactly the lexer token.
fn disagreement(token: &Token, slice: &str, scopes: &str, whole: bool) -> Option<&'static str> {
    let has = |s: &str| scopes.split(' ').any(|x| x == s || x.starts_with(&format!("{s}.")));
    let plain = !has("string") && !has("comment") && !has("invalid");
    match token {
        Token::Newline => None,
        Token::Number(_) if !(whole && has("constant.numeric.decimal")) => Some("a number literal"),
        Token::Imag(_) if !(whole && has("constant.numeric.imaginary")) => Some("an imaginary literal"),
        Token::Str(_) if slice.starts_with('"') && !has("punctuation.definition.string.begin") => {
            Some("the start of a string")
        }
        Token::Str(_) if slice.starts_with('\'') && !has("invalid.illegal.string.quoted.single") => {
            Some("the error \"strings use double quotes\"")
        }
        Token::Quote if !(plain && has("keyword.operator.transpose")) => Some("a transpose"),
        Token::Ident(_)
            if !(whole
                && plain
                && ["variable.other", "support.function", "support.constant", "entity.name.function"]
                    .iter()
                    .any(|s| has(s))) =>
        {
            Some("a name")
        }
        t => match t.text() {
            Some(k) if k.chars().all(char::is_alphabetic) => {
                let keyword = ["keyword", "storage.type.function", "constant.language", "variable.language"];
                (!(whole && plain && keyword.iter().any(|s| has(s)))).then_some("a keyword")
            }
            Some(op) if OPERATORS.contains(&op) && op != "'" => {
                (!(whole && plain && (has("keyword.operator") || has("punctuation")))).then_some("an operator")
            }
            _ => None,
        },
    }
}

/// The grammar, through `test/scopes.js` (vscode-textmate), agrees with MML's lexer on every
/// token of every example and error script: numbers, imaginary literals, names, keywords and
/// operators get their scopes over their whole extent, strings start where the lexer's do, and
/// every `'` the lexer reads as a transpose is a transpose, never part of a string.
fn grammar_agrees_with_the_lexer(dir: &Path, limit: Duration) {
    let mut files = Vec::new();
    mml_files(&root().join("examples"), &mut files);
    mml_files(&root().join("tests").join("errors"), &mut files);
    files.sort();
    assert!(files.len() > 50, "the examples and error scripts are found: {files:?}");
    let mut node = Command::new("node");
    node.arg("test/scopes.js").args(&files);
    let (ok, text) = run(node, dir, limit);
    assert!(ok, "test/scopes.js failed:\n{text}");
    let mut grammar: HashMap<(String, usize), Vec<Scoped>> = HashMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.splitn(5, '\t').collect();
        assert_eq!(f.len(), 5, "a token line from test/scopes.js: {line}");
        let n = |i: usize| f[i].parse::<usize>().unwrap();
        grammar.entry((f[0].to_string(), n(1))).or_default().push((n(2), n(3), f[4].to_string()));
    }
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let name = file.to_string_lossy().into_owned();
        let source = std::fs::read_to_string(file).unwrap();
        let line_starts: Vec<usize> =
            std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1)).collect();
        // (line, UTF-16 column) of a byte offset.
        let place = |b: usize| {
            let line = line_starts.partition_point(|&s| s <= b) - 1;
            (line, source[line_starts[line]..b].encode_utf16().count())
        };
        let in_examples = file.starts_with(root().join("examples"));
        for toks in grammar.iter().filter(|((f, _), _)| *f == name).map(|(_, t)| t) {
            if let Some(bad) = toks.iter().find(|t| in_examples && t.2.contains("invalid")) {
                wrong.push(format!("{name}: an example has an invalid token {bad:?}"));
            }
        }
        let (tokens, _) = lex(0, &source);
        for t in tokens {
            let (start, end) = (t.span.start as usize, t.span.end as usize);
            let ((line, col), (end_line, end_col)) = (place(start), place(end));
            let Some(found) =
                grammar.get(&(name.clone(), line)).and_then(|v| v.iter().find(|g| g.0 <= col && col < g.1))
            else {
                continue; // an empty line's newline
            };
            checked += 1;
            let whole = found.0 == col && end_line == line && found.1 == end_col;
            if let Some(what) = disagreement(&t.token, &source[start..end], &found.2, whole) {
                wrong.push(format!(
                    "{name}:{}:{}: the lexer reads {what} `{}`, the grammar says {found:?}",
                    line + 1,
                    col + 1,
                    &source[start..end]
                ));
            }
        }
    }
    assert!(checked > 10_000, "only {checked} tokens were compared");
    assert!(
        wrong.is_empty(),
        "the grammar disagrees with the lexer in {} places:\n{}",
        wrong.len(),
        wrong.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn vscode_extension_grammar_client_and_vsix() {
    match node_major() {
        None => return skipped(TEST, INSTALL),
        Some(v) if v < 18 => return skipped(TEST, &format!("node is version {v}: {INSTALL}")),
        Some(_) => {}
    }
    if !npm_runs() {
        return skipped(TEST, INSTALL);
    }
    let dir = extension_dir();
    install_packages(&dir);
    let limit = Duration::from_secs(120);

    // The grammar, as VS Code tokenizes it.
    let mut grammar = Command::new("node");
    grammar.args(["node_modules/vscode-tmgrammar-test/dist/unit.js", "--compact", "test/grammar/*.test.mml"]);
    let (ok, text) = run(grammar, &dir, limit);
    println!("{text}");
    assert!(ok, "the grammar tests failed:\n{text}");
    for name in GRAMMAR_TESTS {
        let file = format!("test/grammar/{name}.test.mml");
        assert!(dir.join(&file).exists(), "{file} is missing");
        assert!(text.contains(&format!("{file} run successfuly")), "{file} was not run:\n{text}");
    }

    grammar_agrees_with_the_lexer(&dir, limit);

    // The client under node with `vscode` stubbed, the language configuration, and the real
    // vscode-languageclient talking to the real `mml lsp` in a fake VS Code.
    let mut node = Command::new("node");
    node.args(["--test", "test/client.test.js", "test/language-configuration.test.js", "test/server.test.js"])
        .env("MML_BIN", env!("CARGO_BIN_EXE_mml"));
    let (ok, text) = run(node, &dir, limit);
    println!("{text}");
    assert!(ok, "the node tests failed:\n{text}");
    let passed = text.lines().find_map(|l| l.strip_prefix("# pass ")).and_then(|n| n.trim().parse::<u32>().ok());
    assert!(passed.is_some_and(|n| n >= 12), "fewer node tests ran than written:\n{text}");
    assert!(text.lines().any(|l| l.trim() == "# fail 0"), "{text}");
    assert!(text.lines().any(|l| l.trim() == "# skipped 0"), "no node test may be skipped:\n{text}");

    // The .vsix, built offline.
    let out = std::env::temp_dir().join(format!("mml-it-vscode-vsix-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let vsix = out.join("mml.vsix");
    let mut vsce = Command::new("node");
    vsce.args(["node_modules/@vscode/vsce/vsce", "package", "--allow-missing-repository", "--out"]).arg(&vsix);
    let (ok, text) = run(vsce, &dir, limit);
    println!("{text}");
    assert!(ok, "vsce package failed:\n{text}");
    let names = zip_names(&std::fs::read(&vsix).expect("vsce wrote the .vsix"));
    let _ = std::fs::remove_dir_all(&out);
    for file in [
        "extension/package.json",
        "extension/extension.js",
        "extension/language-configuration.json",
        "extension/syntaxes/mml.tmLanguage.json",
        "extension/node_modules/vscode-languageclient/package.json",
        "extension/README.md",
        "extension.vsixmanifest",
    ] {
        assert!(names.iter().any(|n| n == file), "the .vsix lacks {file}: {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("extension/test/")), "the tests are not shipped: {names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("extension/node_modules/@vscode/vsce/")),
        "development packages are not shipped"
    );
}

/// Without node too: the generated grammar is JSON whose keyword, builtin and constant rules
/// name every keyword, builtin and constant, and whose operator rule gives each operator (but
/// `'`, which has rules of its own) a scope.
#[test]
fn vscode_grammar_names_every_keyword_builtin_and_operator() {
    let lib = mml_stdlib::library();
    let text = mml_stdlib::docs::textmate_grammar(lib);
    let grammar: serde_json::Value = serde_json::from_str(&text).expect("the grammar is JSON");
    let repo = &grammar["repository"];
    assert_eq!(grammar["scopeName"], "source.mml");
    let alternatives = |rule: &serde_json::Value| -> Vec<String> {
        let m = rule["match"].as_str().unwrap();
        let inner = m.trim_start_matches("\\b").trim_end_matches("\\b");
        inner.trim_start_matches('(').trim_end_matches(')').split('|').map(str::to_string).collect()
    };
    let words: Vec<String> = repo["keyword"]["patterns"].as_array().unwrap().iter().flat_map(alternatives).collect();
    for k in KEYWORDS {
        assert!(words.iter().any(|w| w == k), "the keyword `{k}` has no rule: {words:?}");
    }
    let builtins = alternatives(&repo["builtin"]);
    for b in lib.builtins {
        assert!(builtins.iter().any(|w| w == b.name), "the builtin `{}` is not highlighted", b.name);
    }
    let constants = alternatives(&repo["constant"]);
    for c in lib.constants {
        assert!(constants.iter().any(|w| w == c.name), "the constant `{}` is not highlighted", c.name);
    }
    let captures = repo["operator"]["captures"].as_object().unwrap();
    assert_eq!(captures.len(), OPERATORS.len() - 1, "one capture per operator but `'`");
    assert!(captures.values().all(|c| c["name"].as_str().is_some_and(|n| n.ends_with(".mml"))));
    assert_eq!(repo["transpose"]["captures"]["1"]["name"], "keyword.operator.transpose.mml");
}
