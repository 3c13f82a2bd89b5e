//! `mml kernel install` and `mml kernel uninstall`: the kernelspec folder Jupyter finds.

use std::path::{Path, PathBuf};

/// Where a kernelspec goes, as `jupyter kernelspec install` names the places.
#[derive(Debug, PartialEq, Eq)]
pub enum Location {
    /// The user's Jupyter data directory (the default).
    User,
    /// `DIR/share/jupyter/kernels/`.
    Prefix(PathBuf),
    /// The running Python environment's `share/jupyter/kernels/`.
    SysPrefix,
}

/// The kernel's name in Jupyter (the folder `kernels/mml/`).
pub const NAME: &str = "mml";

/// The user's Jupyter data directory: `$JUPYTER_DATA_DIR`, else the platform's default
/// (`~/.local/share/jupyter` on Linux, honouring `$XDG_DATA_HOME`; `~/Library/Jupyter` on
/// macOS; `%APPDATA%\jupyter` on Windows).
fn user_data_dir() -> Result<PathBuf, String> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("JUPYTER_DATA_DIR") {
        return Ok(dir);
    }
    if cfg!(windows) {
        return var("APPDATA").map(|d| d.join("jupyter")).ok_or_else(|| "APPDATA is not set".to_string());
    }
    let home = var("HOME").ok_or_else(|| "HOME is not set: give `--prefix DIR` instead".to_string())?;
    if cfg!(target_os = "macos") {
        return Ok(home.join("Library").join("Jupyter"));
    }
    Ok(var("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.join(".local").join("share"))
        .join("jupyter"))
}

/// The prefix of the Python environment Jupyter runs in: `$VIRTUAL_ENV`, `$CONDA_PREFIX`,
/// else what `python3` says its `sys.prefix` is.
fn sys_prefix() -> Result<PathBuf, String> {
    for k in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(dir) = std::env::var_os(k).filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
    }
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .map_err(|e| format!("`--sys-prefix` needs an active Python environment or python3 on the PATH ({e})"))?;
    let prefix = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || prefix.is_empty() {
        return Err("`--sys-prefix`: python3 did not report its sys.prefix".to_string());
    }
    Ok(PathBuf::from(prefix))
}

/// The kernelspec folder for `location`.
pub fn kernel_dir(location: &Location) -> Result<PathBuf, String> {
    let kernels = match location {
        Location::User => user_data_dir()?.join("kernels"),
        Location::Prefix(dir) => dir.join("share").join("jupyter").join("kernels"),
        Location::SysPrefix => sys_prefix()?.join("share").join("jupyter").join("kernels"),
    };
    Ok(kernels.join(NAME))
}

/// The contents of `kernel.json`: the installed binary, `kernel --connection-file`, and the
/// extra options (limits) to pass.
pub fn kernel_json(binary: &Path, extra: &[String]) -> String {
    let mut argv = vec![
        binary.display().to_string(),
        "kernel".to_string(),
        "--connection-file".to_string(),
        "{connection_file}".to_string(),
    ];
    argv.extend(extra.iter().cloned());
    let spec = serde_json::json!({
        "argv": argv,
        "display_name": "MML",
        "language": "mml",
        "interrupt_mode": "message",
        "metadata": { "debugger": false },
    });
    let mut text = serde_json::to_string_pretty(&spec).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the kernelspec; returns the folder written.
pub fn install(location: &Location, extra: &[String]) -> Result<PathBuf, String> {
    let dir = kernel_dir(location)?;
    let binary = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| format!("cannot tell where the mml binary is: {e}"))?;
    let fail =
        |what: &Path, e: std::io::Error| format!("cannot write `{}`: {}", what.display(), crate::run::io_message(&e));
    std::fs::create_dir_all(&dir).map_err(|e| fail(&dir, e))?;
    let json = dir.join("kernel.json");
    std::fs::write(&json, kernel_json(&binary, extra)).map_err(|e| fail(&json, e))?;
    for size in [32, 64] {
        let png = mml_stdlib::plot::logo_png(size).map_err(|e| format!("cannot draw the logo: {e}"))?;
        let path = dir.join(format!("logo-{size}x{size}.png"));
        std::fs::write(&path, png).map_err(|e| fail(&path, e))?;
    }
    Ok(dir)
}

/// Removes the kernelspec; returns the folder removed.
pub fn uninstall(location: &Location) -> Result<PathBuf, String> {
    let dir = kernel_dir(location)?;
    if !dir.join("kernel.json").exists() {
        return Err(format!("no MML kernel is installed in `{}`", dir.display()));
    }
    std::fs::remove_dir_all(&dir)
        .map_err(|e| format!("cannot remove `{}`: {}", dir.display(), crate::run::io_message(&e)))?;
    Ok(dir)
}
