//! Command-line arguments: a small hand-written parser (no dependency, nothing to initialise).

use std::ffi::OsString;
use std::path::PathBuf;

use mml_runtime::Limits;

#[cfg(test)]
mod tests;

/// The text of `mml --help`.
pub const USAGE: &str = "\
MML: a matrix language for the mathematics of machine learning

Usage:
  mml [OPTIONS]                start the REPL (or run standard input when it is not a terminal)
  mml [OPTIONS] FILE           run a script (`-` reads standard input)
  mml [OPTIONS] -e CODE        evaluate a snippet
  mml [OPTIONS] check FILE...  report syntax errors and unknown names without running

Options:
  -e, --eval CODE        evaluate CODE and print the value of its final expression
                         (may be given more than once; the parts are joined by newlines)
      --max-depth N      deepest allowed nesting of function calls (default 2000)
      --max-elements N   most elements in one matrix or list, bytes in one string (default 268435456)
      --max-seconds S    wall-clock limit for one evaluation, in seconds (default: none)
      --max-steps N      most loop iterations and function calls in one evaluation, the same
                         on every machine (default: none)
      --precision P      significant digits when printing numbers (default: single numbers in
                         full, matrices short, 6 digits; `format(\"long\")` prints them in full)
      --threads N        threads for matrix products and decompositions (default: the
                         MML_THREADS environment variable, else every core)
  -h, --help             print this help
  -V, --version          print the version

A script called `check` runs as `mml ./check`.
Diagnostics go to standard error, coloured when it is a terminal and NO_COLOR is unset.
Exit status: 0 on success, 1 if the script reported an error, 2 for usage errors and unreadable files,
130 after Ctrl-C.
";

/// What to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// No file, no `-e`: the REPL on a terminal, else the script on standard input.
    Default,
    /// `mml FILE`.
    Run(PathBuf),
    /// `mml -` : the script on standard input.
    Stdin,
    /// `mml -e CODE`.
    Eval(String),
    /// `mml check FILE...`.
    Check(Vec<PathBuf>),
    /// `mml --help`.
    Help,
    /// `mml --version`.
    Version,
}

/// Settings that apply to every command.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Safety limits for the session.
    pub limits: Limits,
    /// Significant digits for printed numbers.
    pub precision: Option<usize>,
    /// Threads for the dense kernels (`--threads`).
    pub threads: Option<usize>,
}

impl Options {
    /// Sets the dense kernels' threads from `--threads`, else from `MML_THREADS` (a value
    /// that is not a whole number from 1 up is reported and ignored).
    pub fn apply_threads(&self) {
        if let Some(n) = self.threads {
            mml_runtime::kernel::set_threads(n);
            return;
        }
        if let Some(v) = std::env::var_os("MML_THREADS") {
            match v.to_str().and_then(|t| t.trim().parse::<usize>().ok()).filter(|n| (1..=1024).contains(n)) {
                Some(n) => mml_runtime::kernel::set_threads(n),
                None => eprintln!(
                    "mml: ignoring MML_THREADS={}: it must be a whole number from 1 to 1024",
                    v.to_string_lossy()
                ),
            }
        }
    }
}

/// A parsed command line.
#[derive(Debug)]
pub struct Invocation {
    /// What to do.
    pub command: Command,
    /// How to do it.
    pub options: Options,
}

/// Parses the arguments after the program name. The error is a one-line message.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Invocation, String> {
    let mut args = args.into_iter();
    let mut options = Options::default();
    let mut snippets: Vec<String> = Vec::new();
    let mut positional: Vec<OsString> = Vec::new();
    let mut only_positional = false;
    let mut subcommand_allowed = true;
    let mut help = false;
    let mut version = false;

    while let Some(arg) = args.next() {
        if only_positional {
            positional.push(arg);
            continue;
        }
        let Some(text) = arg.to_str() else {
            // Not UTF-8: only a file name can be like that.
            positional.push(arg);
            continue;
        };
        if text == "--" {
            only_positional = true;
            // `mml -- check` runs a script called `check`.
            subcommand_allowed = !positional.is_empty();
            continue;
        }
        if text == "-" || !text.starts_with('-') {
            positional.push(arg);
            continue;
        }
        // `--name=value` or `--name value`.
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (text.to_string(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => match args.next() {
                    Some(v) => v.into_string().map_err(|_| format!("the value of `{name}` is not valid UTF-8")),
                    None => Err(format!("`{name}` needs {what}")),
                },
            }
        };
        match name.as_str() {
            "-h" | "--help" => help = true,
            "-V" | "--version" => version = true,
            "-e" | "--eval" => snippets.push(value("some code")?),
            "--max-depth" => options.limits.max_call_depth = parse_count(&name, &value("a number")?)?,
            "--max-elements" => options.limits.max_elements = parse_count(&name, &value("a number")?)?,
            "--max-steps" => options.limits.max_steps = Some(parse_count(&name, &value("a number")?)? as u64),
            "--max-seconds" => {
                let v = value("a number of seconds")?;
                match v.trim().parse::<f64>() {
                    Ok(s) if s > 0.0 && s.is_finite() => options.limits.max_seconds = Some(s),
                    _ => return Err(format!("`{name}` needs a positive number of seconds, found `{v}`")),
                }
            }
            "--threads" => {
                let n = parse_count(&name, &value("a number of threads")?)?;
                if !(1..=1024).contains(&n) {
                    return Err(format!("`{name}` needs a number of threads from 1 to 1024, found {n}"));
                }
                options.threads = Some(n);
            }
            "--precision" => {
                let p = parse_count(&name, &value("a number of digits")?)?;
                if !(1..=17).contains(&p) {
                    return Err(format!("`{name}` needs a number of digits from 1 to 17, found {p}"));
                }
                options.precision = Some(p);
            }
            _ => return Err(format!("unknown option `{text}`")),
        }
    }

    let command = if help {
        Command::Help
    } else if version {
        Command::Version
    } else if !snippets.is_empty() {
        if let Some(extra) = positional.first() {
            return Err(format!("unexpected argument `{}` after `-e`", extra.to_string_lossy()));
        }
        Command::Eval(snippets.join("\n"))
    } else {
        let mut positional = positional.into_iter();
        match positional.next() {
            None => Command::Default,
            Some(first) if first == "check" && subcommand_allowed => {
                let files: Vec<PathBuf> = positional.map(PathBuf::from).collect();
                if files.is_empty() {
                    return Err("`check` needs at least one file".to_string());
                }
                Command::Check(files)
            }
            Some(first) => {
                if let Some(extra) = positional.next() {
                    return Err(format!(
                        "unexpected argument `{}`: scripts take no arguments",
                        extra.to_string_lossy()
                    ));
                }
                if first == "-" {
                    Command::Stdin
                } else {
                    Command::Run(PathBuf::from(first))
                }
            }
        }
    };
    Ok(Invocation { command, options })
}

/// A non-negative whole number; `1e6` is accepted as well as `1000000`.
fn parse_count(name: &str, text: &str) -> Result<usize, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<usize>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x < usize::MAX as f64 => Ok(x as usize),
        _ => Err(format!("`{name}` needs a non-negative whole number, found `{text}`")),
    }
}
