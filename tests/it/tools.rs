//! Tests that drive MML through tools beyond cargo (Jupyter's Python clients). Each installs
//! what it needs from pinned files in the project into `target/`, never globally. On a
//! machine without the tool itself (python3 with venv), the test says loudly that it was
//! skipped and what to install, and leaves a note in `target/skipped-tests/`, which
//! `.ci/run` checks: in CI nothing may be skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Waits for `child`, killing it once `limit` has passed: `None` if it had to be killed.
pub fn wait_with_limit(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Records and announces a skipped test.
pub fn skipped(test: &str, why: &str) {
    let dir = root().join("target").join("skipped-tests");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{test}.txt")), format!("{why}\n"));
    eprintln!("\n*** SKIPPED {test}: {why} ***\n");
}

/// A Python virtual environment at `target/NAME` with `requirements` installed, made again
/// when the requirements change. `Err` says what is missing from the machine.
pub fn python_venv(name: &str, requirements: &Path) -> Result<PathBuf, String> {
    let dir = root().join("target").join(name);
    let python = dir.join("bin").join("python");
    let wanted = std::fs::read_to_string(requirements).map_err(|e| format!("cannot read {requirements:?}: {e}"))?;
    let stamp = dir.join("installed-requirements.txt");
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    let made = Command::new("python3").args(["-m", "venv", "--clear"]).arg(&dir).output();
    match made {
        Err(_) => {
            return Err("python3 is not installed: install Python 3.9 or later (Debian: python3 python3-venv)".into())
        }
        Ok(out) if !out.status.success() => {
            return Err(format!(
                "python3 cannot make a virtual environment (Debian: install python3-venv): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
        Ok(_) => {}
    }
    let out = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(requirements)
        .output()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    // A failed install (no network to PyPI) is a failure, not a skip.
    assert!(
        out.status.success(),
        "pip could not install {}:\n{}{}",
        requirements.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {stamp:?}: {e}"))?;
    Ok(python)
}

/// Runs the pytest suite in `folder` against the built binary, in the virtual environment
/// `venv` made from `folder/requirements.txt`; `test` names the calling test for a skip note.
fn run_pytest(test: &str, venv: &str, folder: &str) {
    let python = match python_venv(venv, &root().join(folder).join("requirements.txt")) {
        Ok(p) => p,
        Err(why) => return skipped(test, &why),
    };
    let out = Command::new(python)
        .args(["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", folder])
        .env("MML_BIN", env!("CARGO_BIN_EXE_mml"))
        .current_dir(root())
        .output()
        .expect("pytest runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{text}");
    assert!(out.status.success(), "the tests in {folder} failed:\n{text}");
}

/// The Jupyter kernel through Jupyter's own clients: `jupyter_kernel_test`, nbclient running
/// every notebook in `examples/notebooks/` against its recorded outputs, and the kernel's own
/// tests (`tests/kernel/`).
#[test]
fn jupyter_kernel_through_real_clients() {
    run_pytest("jupyter_kernel_through_real_clients", "kernel-venv", "tests/kernel");
}

/// `mml lsp` through a real LSP client (pygls, via pytest-lsp) with the VS Code, Neovim and
/// Emacs capability profiles (`tests/lsp/`).
#[test]
fn language_server_through_a_real_client() {
    run_pytest("language_server_through_a_real_client", "lsp-venv", "tests/lsp");
}
