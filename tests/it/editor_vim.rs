//! The Vim package (`editors/vim/`) in the real editors. Vim (`vim -es`) and headless Neovim
//! load the package from the runtime path and run `tests/editors/vim/check.vim` over its
//! fixtures: filetype detection, syntax groups at chosen places, every operator, the
//! ftplugin's options, `=` re-indentation and `:compiler mml` + `:make`. Both also load the
//! package installed as its README says. Neovim's built-in LSP client talks to `mml lsp`
//! through the package's `lua/mml.lua` (`tests/editors/vim/lsp.lua`: a diagnostic that clears
//! after an edit, hover, definition) and through the README's own snippets.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::tools::{root, skipped};

const INSTALL_VIM: &str = "install Vim (Debian: vim)";
const INSTALL_NEOVIM: &str = "install Neovim 0.7+ (Debian: neovim)";

// Every editor here runs with `-n` (no swap file): the tests open the same fixtures at once,
// and a swap file left by one would make the next stop and ask.

fn fixtures() -> PathBuf {
    root().join("tests").join("editors").join("vim")
}

/// The first line of `TOOL --version`, or `None` when the tool is not installed.
fn version(tool: &str) -> Option<String> {
    let out = Command::new(tool).arg("--version").stdin(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    out.status.success().then(|| text.lines().next().unwrap_or("").to_string())
}

/// The (major, minor) version in an `nvim --version` line ("NVIM v0.7.2").
fn neovim_version(line: &str) -> Option<(u32, u32)> {
    let mut numbers = line.strip_prefix("NVIM v")?.split(|c: char| !c.is_ascii_digit()).map(|n| n.parse().ok());
    Some((numbers.next()??, numbers.next()??))
}

/// A fresh folder for one test's results, under `target/`.
fn out_dir(test: &str) -> PathBuf {
    let dir = root().join("target").join("editor-tests").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the editor with a time limit (it must never hang the suite); its output goes to files
/// in `out`. Returns whether it exited successfully and what it printed.
fn run(mut cmd: Command, out: &Path, limit: Duration) -> (bool, String) {
    let stdout = std::fs::File::create(out.join("stdout.txt")).unwrap();
    let stderr = std::fs::File::create(out.join("stderr.txt")).unwrap();
    let mut child = cmd
        .current_dir(root())
        .env("MML_FIXTURES", fixtures())
        .env("MML_OUT", out)
        .env("MML_BIN", env!("CARGO_BIN_EXE_mml"))
        // Neovim keeps its logs (the LSP client's) here, not in the user's home.
        .env("XDG_CACHE_HOME", out.join("cache"))
        .env("XDG_STATE_HOME", out.join("state"))
        .env("XDG_DATA_HOME", out.join("data"))
        .env("XDG_CONFIG_HOME", out.join("config"))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let status = crate::tools::wait_with_limit(&mut child, limit);
    let printed = ["stdout.txt", "stderr.txt"]
        .iter()
        .map(|f| std::fs::read_to_string(out.join(f)).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("");
    match status {
        Some(s) => (s.success(), printed),
        None => (false, format!("killed after {limit:?}; it printed:\n{printed}")),
    }
}

/// `operators.mml`: one `a OP b` line for every operator of the language, which `check.vim`
/// expects to be highlighted as an operator over its whole width.
fn write_operators(out: &Path) {
    let lines: Vec<String> = mml_lang::OPERATORS
        .iter()
        .filter(|op| !matches!(**op, "," | ";" | "." | "(" | ")" | "[" | "]" | "{" | "}"))
        .map(|op| format!("a {op} b\n"))
        .collect();
    assert!(lines.len() > 20, "the operator table is too short: {lines:?}");
    std::fs::write(out.join("operators.mml"), lines.concat()).unwrap();
}

/// Reads what `check.vim` left in `out` and fails with every check that did not pass.
fn assert_checks_passed(editor: &str, out: &Path, exited: bool, printed: &str) {
    let failures = std::fs::read_to_string(out.join("failures.txt"))
        .unwrap_or_else(|_| panic!("{editor} did not finish check.vim (exited ok: {exited}):\n{printed}"));
    assert!(failures.trim().is_empty(), "{editor}: the Vim package failed these checks:\n{failures}");
    let expected = std::fs::read_to_string(fixtures().join("indent_expected.mml")).unwrap();
    for (file, how) in [("indented.mml", "with syntax on"), ("indented-without-syntax.mml", "with syntax off")] {
        let indented = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(
            indented == expected,
            "{editor}: `gg=G` {how} over tests/editors/vim/indent_in.mml gave\n{indented}\nexpected (indent_expected.mml)\n{expected}"
        );
    }
    assert!(exited, "{editor} exited with an error after the checks:\n{printed}");
}

fn runtime_path() -> String {
    format!("set rtp^={}", root().join("editors").join("vim").display())
}

#[test]
fn vim_detects_highlights_and_indents_mml() {
    if version("vim").is_none() {
        return skipped("vim_detects_highlights_and_indents_mml", INSTALL_VIM);
    }
    let out = out_dir("vim");
    write_operators(&out);
    let mut cmd = Command::new("vim");
    cmd.args(["-es", "-N", "-n", "-u", "NONE", "-i", "NONE", "--cmd", &runtime_path()])
        .args(["-c", "filetype plugin indent on", "-c", "syntax on", "-S"])
        .arg(fixtures().join("check.vim"));
    let (exited, printed) = run(cmd, &out, Duration::from_secs(30));
    assert_checks_passed("Vim", &out, exited, &printed);
}

/// Neovim with its defaults (`--clean`: filetype plugins, indent and syntax on, no user config).
fn neovim(test: &str) -> Option<Command> {
    match version("nvim") {
        Some(v) if neovim_version(&v) >= Some((0, 7)) => {}
        Some(v) => {
            skipped(test, &format!("{INSTALL_NEOVIM}; this machine has {v}"));
            return None;
        }
        None => {
            skipped(test, INSTALL_NEOVIM);
            return None;
        }
    }
    let mut cmd = Command::new("nvim");
    cmd.args(["--headless", "--clean", "-n", "--cmd", &runtime_path()]);
    Some(cmd)
}

#[test]
fn neovim_detects_highlights_and_indents_mml() {
    let Some(mut cmd) = neovim("neovim_detects_highlights_and_indents_mml") else { return };
    let out = out_dir("neovim");
    write_operators(&out);
    cmd.arg("-S").arg(fixtures().join("check.vim"));
    let (exited, printed) = run(cmd, &out, Duration::from_secs(30));
    assert_checks_passed("Neovim", &out, exited, &printed);
}

#[test]
fn neovim_lsp_client_gets_diagnostics_hover_and_definition_from_mml_lsp() {
    let Some(mut cmd) = neovim("neovim_lsp_client_gets_diagnostics_hover_and_definition_from_mml_lsp") else {
        return;
    };
    let out = out_dir("neovim-lsp");
    std::fs::write(
        out.join("doc.mml"),
        "A = [1, 2; 3, 4]\nx = linspce(0, 1)\nfn double(v) {\n    return 2 * v\n}\ny = double(3)\n",
    )
    .unwrap();
    std::fs::write(out.join("other.mml"), "z = 1\n").unwrap();
    cmd.env("MML_BIN", env!("CARGO_BIN_EXE_mml"))
        .arg("-c")
        .arg(format!("luafile {}", fixtures().join("lsp.lua").display()));
    let (exited, printed) = run(cmd, &out, Duration::from_secs(40));
    let result = std::fs::read_to_string(out.join("lsp-result.txt"))
        .unwrap_or_else(|_| panic!("Neovim did not finish lsp.lua (exited ok: {exited}):\n{printed}"));
    assert!(result.starts_with("ok\n"), "Neovim's LSP client with `mml lsp`: {result}\n{printed}");
    assert!(exited, "Neovim exited with an error after the checks:\n{printed}");
}

/// Links `editors/vim` as `dir/pack/mml/start/mml`, as the README's installation does.
#[cfg(unix)]
fn install_package(dir: &Path) {
    let start = dir.join("pack").join("mml").join("start");
    std::fs::create_dir_all(&start).unwrap();
    std::os::unix::fs::symlink(root().join("editors").join("vim"), start.join("mml")).unwrap();
}

/// What `-c` commands record about `tests/editors/vim/sample.mml` once the editor opens it.
fn report_options(cmd: &mut Command) {
    let sample = fixtures().join("sample.mml");
    cmd.arg("-c").arg(format!("edit {}", sample.display())).args([
        "-c",
        "call writefile([&filetype, get(b:, 'current_syntax', ''), &indentexpr, &commentstring], $MML_OUT . '/loaded.txt')",
    ]);
}

const LOADED: &str = "mml\nmml\nGetMmlIndent(v:lnum)\n# %s\n";

/// The README's installation for Vim: a link in `~/.vim/pack/mml/start`, and a vimrc that
/// turns on filetype plugins, indentation and syntax.
#[cfg(unix)]
#[test]
fn vim_loads_the_package_installed_as_the_readme_says() {
    if version("vim").is_none() {
        return skipped("vim_loads_the_package_installed_as_the_readme_says", INSTALL_VIM);
    }
    let out = out_dir("vim-install");
    let home = out.join("home");
    install_package(&home.join(".vim"));
    std::fs::write(home.join(".vimrc"), "filetype plugin indent on\nsyntax on\n").unwrap();
    let mut cmd = Command::new("vim");
    cmd.env("HOME", &home).args(["-es", "-N", "-n", "-i", "NONE", "-u"]).arg(home.join(".vimrc"));
    report_options(&mut cmd);
    cmd.args(["-c", "qall!"]);
    let (exited, printed) = run(cmd, &out, Duration::from_secs(30));
    let loaded = std::fs::read_to_string(out.join("loaded.txt")).unwrap_or_default();
    assert_eq!(loaded, LOADED, "Vim with the package in ~/.vim/pack/mml/start: {printed}");
    assert!(exited, "{printed}");
}

/// The README's installation for Neovim: a link in `~/.local/share/nvim/site/pack/mml/start`
/// and `require("mml").setup()` in `init.lua`, which attaches `mml lsp` to MML buffers.
#[cfg(unix)]
#[test]
fn neovim_loads_the_package_installed_as_the_readme_says() {
    let Some(_) = neovim("neovim_loads_the_package_installed_as_the_readme_says") else { return };
    let out = out_dir("neovim-install");
    install_package(&out.join("data").join("nvim").join("site"));
    let config = out.join("config").join("nvim");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("init.lua"), "require(\"mml\").setup({ cmd = { os.getenv(\"MML_BIN\"), \"lsp\" } })\n")
        .unwrap();
    let mut cmd = Command::new("nvim");
    cmd.args(["--headless", "-n", "-i", "NONE"]);
    report_options(&mut cmd);
    cmd.args([
        "-c",
        // (`vim.lsp.get_clients` is Neovim 0.10's name for `buf_get_clients`.)
        "lua Clients = function() return vim.tbl_values(vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = 0 }) \
         or vim.lsp.buf_get_clients(0)) end",
        "-c",
        "lua vim.wait(5000, function() return #Clients() > 0 end, 20)",
        "-c",
        "call writefile([luaeval('Clients()[1].name')], $MML_OUT . '/client.txt')",
        "-c",
        "qall!",
    ]);
    let (exited, printed) = run(cmd, &out, Duration::from_secs(30));
    let loaded = std::fs::read_to_string(out.join("loaded.txt")).unwrap_or_default();
    assert_eq!(loaded, LOADED, "Neovim with the package in its site/pack/mml/start: {printed}");
    let client = std::fs::read_to_string(out.join("client.txt")).unwrap_or_default();
    assert_eq!(client, "mml\n", "require(\"mml\").setup() in init.lua attached no `mml` client: {printed}");
    assert!(exited, "{printed}");
}

/// The Lua snippets of `editors/vim/README.md` that set up `mml lsp` without the package's
/// module, run as `init.lua`: each attaches an `mml` client to an MML buffer. The 0.8+ one
/// (`vim.lsp.start`) runs where Neovim is 0.8 or later; the 0.7 one everywhere.
#[test]
fn neovim_readme_lsp_snippets_attach_mml_lsp() {
    let Some(_) = neovim("neovim_readme_lsp_snippets_attach_mml_lsp") else { return };
    let this = version("nvim").and_then(|v| neovim_version(&v)).unwrap();
    let readme = std::fs::read_to_string(root().join("editors").join("vim").join("README.md")).unwrap();
    let snippets: Vec<&str> = readme
        .split("```lua\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|code| code.contains("vim.lsp.start"))
        .collect();
    let (recent, old): (Vec<&str>, Vec<&str>) = snippets.iter().partition(|code| code.contains("vim.lsp.start("));
    assert_eq!((recent.len(), old.len()), (1, 1), "expected one snippet for 0.8+ and one for 0.7: {snippets:#?}");
    let mut ran = 0;
    for (name, code) in [("0.8", recent[0]), ("0.7", old[0])] {
        if name == "0.8" && this < (0, 8) {
            continue;
        }
        let out = out_dir(&format!("neovim-readme-{name}"));
        std::fs::write(out.join("doc.mml"), "x = 1\n").unwrap();
        let bin = format!("{{ \"{}\", \"lsp\" }}", env!("CARGO_BIN_EXE_mml"));
        assert!(code.contains(r#"{ "mml", "lsp" }"#), "{code}");
        std::fs::write(out.join("init.lua"), code.replace(r#"{ "mml", "lsp" }"#, &bin)).unwrap();
        let mut cmd = Command::new("nvim");
        cmd.args(["--headless", "-n", "-i", "NONE", "--cmd", &runtime_path(), "-u"]).arg(out.join("init.lua"));
        cmd.arg("-c").arg(format!("edit {}", out.join("doc.mml").display())).args([
            "-c",
            "lua Clients = function() return vim.tbl_values(vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = 0 }) \
             or vim.lsp.buf_get_clients(0)) end",
            "-c",
            "lua vim.wait(5000, function() return #Clients() > 0 and Clients()[1].initialized end, 20)",
            "-c",
            "call writefile([luaeval('Clients()[1].name')], $MML_OUT . '/client.txt')",
            "-c",
            "qall!",
        ]);
        let (exited, printed) = run(cmd, &out, Duration::from_secs(30));
        let client = std::fs::read_to_string(out.join("client.txt")).unwrap_or_default();
        assert_eq!(client, "mml\n", "the README's snippet for Neovim {name} attached no `mml` client: {printed}");
        assert!(exited, "{printed}");
        ran += 1;
    }
    assert!(ran > 0);
}

#[test]
fn neovim_versions_are_read() {
    assert_eq!(neovim_version("NVIM v0.7.2"), Some((0, 7)));
    assert_eq!(neovim_version("NVIM v0.10.0-dev"), Some((0, 10)));
    assert!(neovim_version("NVIM v0.6.1") < Some((0, 7)));
    assert_eq!(neovim_version("VIM - Vi IMproved 9.0"), None);
}
