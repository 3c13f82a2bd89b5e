//! A session: the sources seen so far, the global variables and the builtin table.
//! Scripts, `-e` snippets and REPL inputs each run through [`Session::run`].

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use mml_lang::{Diagnostic, SourceMap};

use crate::builtin::{Builtin, Constant, Library};
use crate::display::FormatOptions;
use crate::limits::Limits;
use crate::value::Value;

/// The diagnostics of one run; it succeeded when none is an error.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    /// Whether no error was found.
    pub fn is_ok(&self) -> bool {
        self.diagnostics.iter().all(|d| d.severity != mml_lang::Severity::Error)
    }
}

/// Which values of bare expression statements a run shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Echo {
    /// None (scripts).
    Off,
    /// Every top-level one is printed (the REPL).
    All,
    /// Only the last statement's, kept as the run's value (notebook cells).
    Last,
    /// Only the last statement's, printed (`mml -e`).
    PrintLast,
}

/// Output sink: receives text exactly as `print` and the REPL echo produce it.
pub type Sink = Box<dyn FnMut(&str)>;

/// An interpreter session.
pub struct Session {
    pub(crate) sources: SourceMap,
    pub(crate) library: &'static Library,
    pub(crate) out: Sink,
    pub(crate) limits: Limits,
    pub(crate) format: FormatOptions,
    pub(crate) echo: Echo,
    pub(crate) last_value: Option<Value>,
    pub(crate) interrupt: Arc<AtomicBool>,
    pub(crate) globals: crate::interp::Globals,
}

impl Session {
    /// A session with the given library, writing all output to `out`.
    pub fn new(library: &'static Library, out: Sink) -> Session {
        if let Some(reset) = library.on_new_session {
            reset();
        }
        Session {
            sources: SourceMap::new(),
            library,
            out,
            limits: Limits::default(),
            format: FormatOptions::default(),
            echo: Echo::Off,
            last_value: None,
            interrupt: Arc::new(AtomicBool::new(false)),
            globals: crate::interp::Globals::default(),
        }
    }

    /// Replaces the safety limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Replaces all display settings (digits, long format, width).
    pub fn set_format(&mut self, format: FormatOptions) {
        self.format = format;
    }

    /// The display settings now in force; a script's `format("long")` changes them for the
    /// rest of the session.
    pub fn format(&self) -> FormatOptions {
        self.format
    }

    /// Sets the significant digits of printed numbers (`:set digits N`, `--precision N`):
    /// single numbers are rounded to them and matrix columns get them instead of the short
    /// format's 6. `None` goes back to single numbers in full and the short (or long) format.
    pub fn set_digits(&mut self, digits: Option<usize>) {
        self.format.precision = digits.map(|d| d.max(1));
    }

    /// The significant digits set with [`Session::set_digits`], if any.
    pub fn digits(&self) -> Option<usize> {
        self.format.precision
    }

    /// Sets the line width that matrices wrap at: a front end passes the terminal's width
    /// (the runtime does no I/O). `None` never wraps.
    pub fn set_width(&mut self, width: Option<usize>) {
        self.format.width = width;
    }

    /// The line width matrices wrap at, if any.
    pub fn width(&self) -> Option<usize> {
        self.format.width
    }

    /// When on (the REPL), the value of each top-level expression statement is printed,
    /// unless a `;` follows it.
    pub fn set_echo(&mut self, on: bool) {
        self.echo = if on { Echo::All } else { Echo::Off };
    }

    /// When on (`mml -e`), the value of a run's final statement is printed if that statement
    /// is a bare expression (`1 + 2` prints `3`; `x = 3` and `print(x)` print nothing more),
    /// as Octave's `--eval` does. Scripts leave it off: they print only what they print.
    pub fn set_echo_last(&mut self, on: bool) {
        self.echo = if on { Echo::PrintLast } else { Echo::Off };
    }

    /// Setting this flag (from a Ctrl-C handler) stops the running evaluation with an
    /// `interrupted` error; the session and its variables survive.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Every source run so far, for rendering diagnostics.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The library: builtins, constants and foreign names.
    pub fn library(&self) -> &'static Library {
        self.library
    }

    /// The builtin table.
    pub fn builtins(&self) -> &'static [&'static Builtin] {
        self.library.builtins
    }

    /// The named constants.
    pub fn constants(&self) -> &'static [Constant] {
        self.library.constants
    }

    /// The MML way of writing a name from NumPy, SciPy, Octave or Julia (`eigvals`,
    /// `np.linalg.eig`), if the library knows it.
    pub fn foreign(&self, name: &str) -> Option<&'static crate::builtin::ForeignName> {
        crate::builtin::find_foreign(self.library.foreign, name)
    }

    /// The builtin called `name`.
    pub fn builtin(&self, name: &str) -> Option<&'static Builtin> {
        self.library.builtins.iter().copied().find(|b| b.name == name)
    }

    /// Global variables that have values, in definition order.
    pub fn globals(&self) -> Vec<(String, Value)> {
        self.globals.list()
    }

    /// Parses, resolves and runs `text` (named `name` in diagnostics).
    pub fn run(&mut self, name: &str, text: &str) -> Outcome {
        let src = self.sources.add(name, text);
        let mut outcome = crate::interp::run_source(self, src, false);
        if let Some(finish) = self.library.on_run_end {
            // Runs even after an error, so that what was drawn before it still appears.
            if let Err(message) = finish(&mut *self.out) {
                outcome.diagnostics.push(Diagnostic::error("io-error", message));
            }
        }
        outcome
    }

    /// Runs `text` as a notebook cell: like [`Session::run`], but when the last statement is a
    /// bare expression (not followed by `;`) its value is returned instead of printed, for the
    /// front end to display. Earlier bare expressions show nothing, as in IPython.
    pub fn run_cell(&mut self, name: &str, text: &str) -> (Outcome, Option<Value>) {
        let echo = std::mem::replace(&mut self.echo, Echo::Last);
        self.last_value = None;
        let outcome = self.run(name, text);
        self.echo = echo;
        (outcome, self.last_value.take())
    }

    /// Parses and resolves `text` without running it: syntax errors and unknown names.
    pub fn check(&mut self, name: &str, text: &str) -> Outcome {
        let src = self.sources.add(name, text);
        crate::interp::run_source(self, src, true)
    }

    /// Formats a value with the session's display settings.
    pub fn format_value(&self, v: &Value) -> String {
        crate::display::format_value(v, &self.format)
    }
}
