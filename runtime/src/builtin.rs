//! The builtin function type: each builtin is declared once (name, parameters, docs,
//! implementation) and everything else — argument checking, `:help`, completion,
//! generated docs — reads that one declaration.

use std::rc::Rc;

use crate::error::RuntimeError;
use crate::limits::Limits;
use crate::value::{Matrix, Value};

/// The largest count or size a builtin takes ([`Args::count`]), 2^53: every whole number up
/// to it is exact as a number, and arithmetic on it (one more edge than bins) cannot overflow.
pub const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// The signature of a builtin's implementation.
pub type BuiltinFn = fn(&mut dyn CallCtx, &Args<'_>) -> Result<Value, BuiltinError>;

/// A builtin function.
pub struct Builtin {
    /// The name scripts call it by.
    pub name: &'static str,
    /// Where it belongs in the reference.
    pub category: Category,
    /// Parameters in order.
    pub params: &'static [Param],
    /// Markdown documentation: the first line is the summary; ```` ```mml ```` blocks are
    /// runnable examples whose `# => text` comments give the expected printed value.
    pub doc: &'static str,
    /// The implementation.
    pub run: BuiltinFn,
}

impl Builtin {
    /// The first line of the documentation.
    pub fn summary(&self) -> &'static str {
        self.doc.lines().next().unwrap_or("").trim()
    }

    /// The signature as users read it: `linspace(a, b, n = 100)`.
    pub fn signature(&self) -> String {
        let mut params: Vec<String> = self
            .params
            .iter()
            .map(|p| match &p.default {
                ParamDefault::Required => p.name.to_string(),
                ParamDefault::Variadic => format!("{}...", p.name),
                ParamDefault::Nothing => format!("{} = nothing", p.name),
                ParamDefault::Num(x) => format!("{} = {}", p.name, crate::display::format_number(*x)),
                ParamDefault::Bool(b) => format!("{} = {b}", p.name),
                ParamDefault::Str(s) => format!("{} = \"{s}\"", p.name),
            })
            .collect();
        // Keyword-only parameters follow a `;`, as in Julia: `numgrad(f, x; h = 1e-6)`.
        let npos = self.positional();
        if npos < params.len() && self.params[npos].keyword {
            let named = params.split_off(npos).join(", ");
            return format!("{}({}; {named})", self.name, params.join(", "));
        }
        format!("{}({})", self.name, params.join(", "))
    }

    /// The number of parameters that may be given by position (before the first keyword-only
    /// or variadic one).
    pub fn positional(&self) -> usize {
        self.params.iter().take_while(|p| !p.keyword && p.default != ParamDefault::Variadic).count()
    }
}

/// Builtins are equal when they are the same declaration.
impl PartialEq for Builtin {
    fn eq(&self, other: &Builtin) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<builtin {}>", self.name)
    }
}

/// The reference section a builtin is listed under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Elementary functions and constants.
    Math,
    /// Building matrices and asking their shape.
    Construct,
    /// Printing, strings and types.
    Io,
    /// Assertions and errors.
    Check,
    /// Vectors and matrices: products, norms, geometry, orthogonality.
    Linalg,
    /// Solving linear systems, elimination and decompositions.
    Solve,
    /// Eigenvalues, eigenvectors and iterations such as PageRank.
    Eigen,
    /// Random numbers.
    Random,
    /// Plots.
    Plot,
    /// Derivatives, optimisation and regression.
    Calculus,
    /// Statistics, PCA and data sets.
    Stats,
}

impl Category {
    /// The heading used in the reference.
    pub fn title(self) -> &'static str {
        match self {
            Category::Math => "Elementary maths",
            Category::Construct => "Construction and shape",
            Category::Io => "Printing, strings and types",
            Category::Check => "Checks and errors",
            Category::Linalg => "Vectors and matrices",
            Category::Solve => "Solving and decompositions",
            Category::Eigen => "Eigenvalues and eigenvectors",
            Category::Random => "Random numbers",
            Category::Plot => "Plots",
            Category::Calculus => "Derivatives, optimisation and regression",
            Category::Stats => "Statistics, PCA and data",
        }
    }
}

/// One parameter of a builtin.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// The name (also usable as a keyword argument).
    pub name: &'static str,
    /// Whether it may be omitted, and what it then is.
    pub default: ParamDefault,
    /// Keyword-only: given only by name (`h = 1e-4`), never by position, so that a number
    /// meant as part of the point is never taken as a step size or tolerance.
    pub keyword: bool,
}

impl Param {
    /// A required parameter.
    pub const fn req(name: &'static str) -> Param {
        Param { name, default: ParamDefault::Required, keyword: false }
    }

    /// An optional parameter with a default.
    pub const fn opt(name: &'static str, default: ParamDefault) -> Param {
        Param { name, default, keyword: false }
    }

    /// The same parameter, keyword-only (it must have a default).
    pub const fn keyword(self) -> Param {
        Param { keyword: true, ..self }
    }

    /// A trailing parameter collecting all remaining positional arguments.
    pub const fn rest(name: &'static str) -> Param {
        Param { name, default: ParamDefault::Variadic, keyword: false }
    }
}

/// The default of a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamDefault {
    /// Must be given.
    Required,
    /// Collects the remaining positional arguments (last parameter only; may be empty).
    Variadic,
    /// Defaults to `nothing` (the builtin decides what absence means).
    Nothing,
    /// Defaults to a number.
    Num(f64),
    /// Defaults to a bool.
    Bool(bool),
    /// Defaults to a string.
    Str(&'static str),
}

impl ParamDefault {
    /// The default as a value (`Nothing` for `Required` and `Variadic`).
    pub fn value(&self) -> Value {
        match self {
            ParamDefault::Required | ParamDefault::Variadic | ParamDefault::Nothing => Value::Nothing,
            ParamDefault::Num(x) => Value::Num(*x),
            ParamDefault::Bool(b) => Value::Bool(*b),
            ParamDefault::Str(s) => Value::str(s),
        }
    }
}

/// The arguments of one builtin call, bound to parameters: `values[i]` is parameter `i`
/// (defaults filled in), and for a variadic last parameter, `values[nfixed..]` are the
/// remaining positional arguments.
pub struct Args<'a> {
    /// Bound values.
    pub values: &'a [Value],
    /// The number of non-variadic parameters.
    pub nfixed: usize,
}

impl<'a> Args<'a> {
    /// Argument `i` (parameter order).
    pub fn get(&self, i: usize) -> &'a Value {
        self.values.get(i).unwrap_or(&Value::Nothing)
    }

    /// The variadic arguments.
    pub fn rest(&self) -> &'a [Value] {
        self.values.get(self.nfixed..).unwrap_or(&[])
    }

    /// Whether argument `i` was omitted (or given as `nothing`).
    pub fn is_nothing(&self, i: usize) -> bool {
        matches!(self.get(i), Value::Nothing)
    }

    /// Argument `i` as a number (numbers, bools and 1×1 matrices).
    pub fn num(&self, i: usize) -> Result<f64, BuiltinError> {
        self.get(i).as_scalar().ok_or_else(|| BuiltinError::type_error(i, "a number", self.get(i)))
    }

    /// Argument `i` as a non-negative whole number (a count or size).
    pub fn count(&self, i: usize) -> Result<usize, BuiltinError> {
        let x = self.num(i)?;
        if x > MAX_COUNT && x.is_finite() && x.fract() == 0.0 {
            return Err(BuiltinError::arg(
                i,
                format!("{} is too large: counts and sizes go up to 2^53", crate::display::format_number(x)),
            ));
        }
        if x.is_finite() && x >= 0.0 && x.fract() == 0.0 {
            Ok(x as usize)
        } else {
            Err(BuiltinError::arg(
                i,
                format!("expected a non-negative whole number, found {}", crate::display::format_number(x)),
            ))
        }
    }

    /// Argument `i` as a bool.
    pub fn bool(&self, i: usize) -> Result<bool, BuiltinError> {
        match self.get(i) {
            Value::Bool(b) => Ok(*b),
            v => Err(BuiltinError::type_error(i, "a bool", v)),
        }
    }

    /// Argument `i` as a string.
    pub fn str(&self, i: usize) -> Result<&'a str, BuiltinError> {
        match self.get(i) {
            Value::Str(s) => Ok(s),
            v => Err(BuiltinError::type_error(i, "a string", v)),
        }
    }

    /// Argument `i` as a matrix (numbers are 1×1, ranges columns).
    pub fn matrix(&self, i: usize) -> Result<Rc<Matrix>, BuiltinError> {
        self.get(i).to_matrix().ok_or_else(|| BuiltinError::type_error(i, "a matrix or number", self.get(i)))
    }

    /// Argument `i` as a function.
    pub fn func(&self, i: usize) -> Result<&'a Value, BuiltinError> {
        let v = self.get(i);
        if v.is_function() {
            Ok(v)
        } else {
            Err(BuiltinError::type_error(i, "a function", v))
        }
    }
}

/// What a builtin may ask of the interpreter.
pub trait CallCtx {
    /// Calls an MML function value with positional arguments.
    fn call(&mut self, f: &Value, args: &[Value]) -> Result<Value, BuiltinError>;
    /// Writes text to the session's output (no newline is added).
    fn write(&mut self, text: &str);
    /// The session's safety limits.
    fn limits(&self) -> &Limits;
    /// Fails with a limit error if a matrix of `rows × cols` elements may not be allocated.
    fn check_alloc(&self, rows: usize, cols: usize) -> Result<(), BuiltinError> {
        self.limits().check_alloc(rows, cols)
    }
    /// The current value of global variable number `slot` (for `diff`, which reads the
    /// numbers a formula uses).
    fn global(&self, _slot: u32) -> Option<Value> {
        None
    }
    /// Formatting options for displaying values (precision).
    fn format_options(&self) -> crate::display::FormatOptions {
        crate::display::FormatOptions::default()
    }
    /// Replaces the formatting options for the rest of the session (`format("long")`).
    fn set_format_options(&mut self, _format: crate::display::FormatOptions) {}
    /// Fails with `interrupted` after Ctrl-C, and with `timeout` when the time limit has
    /// passed or when `flops` more floating-point operations could not finish in the time left
    /// even at [`crate::limits::FAST_FLOPS`] per second. Long-running builtins call it before
    /// work that cannot be stopped halfway (a decomposition) and between blocks of work that
    /// can (a large matrix product).
    fn check_work(&self, _flops: f64) -> Result<(), BuiltinError> {
        Ok(())
    }
}

/// An error from a builtin. It knows no spans: the interpreter attaches the call's span,
/// or the span of argument `arg` when given.
#[derive(Debug)]
pub enum BuiltinError {
    /// A problem described by the builtin.
    Message {
        /// Stable kebab-case error kind (`domain-error`, `shape-mismatch`, …).
        code: &'static str,
        /// Headline: lower case, no full stop.
        message: String,
        /// The 0-based index (parameter order) of the offending argument.
        arg: Option<usize>,
        /// Fix-its.
        help: Vec<String>,
        /// Extra facts.
        notes: Vec<String>,
    },
    /// An error raised inside an MML function the builtin called (keeps its own spans and trace).
    Raised(Box<RuntimeError>),
}

impl BuiltinError {
    /// An error about the call as a whole.
    pub fn new(code: &'static str, message: impl Into<String>) -> BuiltinError {
        BuiltinError::Message { code, message: message.into(), arg: None, help: Vec::new(), notes: Vec::new() }
    }

    /// An invalid-argument error pointing at argument `i`.
    pub fn arg(i: usize, message: impl Into<String>) -> BuiltinError {
        BuiltinError::Message {
            code: "invalid-argument",
            message: message.into(),
            arg: Some(i),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A wrong-type error pointing at argument `i`: "expected a number, found a string".
    pub fn type_error(i: usize, expected: &str, found: &Value) -> BuiltinError {
        if let Value::Jet(_) = found {
            return BuiltinError::Message {
                code: crate::ad::jet::NO_RULE,
                message: "this function has no rule for derivatives of high order".to_string(),
                arg: Some(i),
                help: vec!["`derivative(f, n)` and `taylor` use nested dual numbers for it, up to order 12".into()],
                notes: Vec::new(),
            };
        }
        if let Value::Dual(_) = found {
            return BuiltinError::Message {
                code: "not-differentiable",
                message: "this function has no derivative rule yet, so it cannot be differentiated".to_string(),
                arg: Some(i),
                help: vec!["derivatives flow through arithmetic, indexing and the elementary functions; compare with `numgrad`".into()],
                notes: Vec::new(),
            };
        }
        BuiltinError::Message {
            code: "type-mismatch",
            message: format!("expected {expected}, found {}", crate::display::describe(found)),
            arg: Some(i),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Sets the error code.
    pub fn code(mut self, c: &'static str) -> Self {
        if let BuiltinError::Message { code, .. } = &mut self {
            *code = c;
        }
        self
    }

    /// Points the error at argument `i`.
    pub fn at_arg(mut self, i: usize) -> Self {
        if let BuiltinError::Message { arg, .. } = &mut self {
            *arg = Some(i);
        }
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, h: impl Into<String>) -> Self {
        if let BuiltinError::Message { help, .. } = &mut self {
            help.push(h.into());
        }
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, n: impl Into<String>) -> Self {
        if let BuiltinError::Message { notes, .. } = &mut self {
            notes.push(n.into());
        }
        self
    }
}

impl From<RuntimeError> for BuiltinError {
    fn from(e: RuntimeError) -> Self {
        BuiltinError::Raised(Box::new(e))
    }
}

/// A named constant (`pi`, `e`, `inf`, `nan`), documented like a builtin.
#[derive(Debug)]
pub struct Constant {
    /// The name.
    pub name: &'static str,
    /// The value.
    pub value: f64,
    /// Markdown documentation; the first line is the summary.
    pub doc: &'static str,
}

/// The end-of-run step of a library: gets the session's output; an error is reported as a
/// diagnostic of the run.
pub type RunEndFn = fn(&mut dyn FnMut(&str)) -> Result<(), String>;

/// Everything the standard library provides to a session.
#[derive(Debug)]
pub struct Library {
    /// The builtin functions.
    pub builtins: &'static [&'static Builtin],
    /// The named constants.
    pub constants: &'static [Constant],
    /// Called when a session starts, to reset library state kept between calls (such as
    /// the random number generator), so every session starts the same way.
    pub on_new_session: Option<fn()>,
    /// Called after each run (a script, a snippet, one REPL input) with the session's
    /// output, to finish work the run left pending, such as writing the figures it drew.
    pub on_run_end: Option<RunEndFn>,
    /// Names and spellings from other languages (NumPy, Octave, …) with the MML way of
    /// writing them; the resolver quotes them when such a name is unknown.
    pub foreign: &'static [ForeignName],
}

/// A name or spelling from another numerical language that learners type, and how MML
/// writes it. The table lives in the standard library (`mml_stdlib::foreign`).
#[derive(Debug)]
pub struct ForeignName {
    /// The spelling, possibly dotted (`eigvals`, `np.linalg.eig`).
    pub name: &'static str,
    /// The languages and libraries that use it (`"NumPy, SciPy"`).
    pub from: &'static str,
    /// The MML way, as code or a short phrase (`eig(A).values`).
    pub mml: &'static str,
    /// One line of MML that runs and shows the way (`eig([2, 1; 1, 2]).values`).
    pub example: &'static str,
}

/// Module names that prefix functions in other languages (`np.zeros`, `math.sqrt`,
/// `la.inv`): MML has no modules, so they are looked through.
pub const FOREIGN_MODULES: &[&str] = &[
    "np",
    "numpy",
    "jnp",
    "scipy",
    "sp",
    "la",
    "linalg",
    "math",
    "cmath",
    "optimize",
    "integrate",
    "stats",
    "special",
    "random",
    "spatial",
    "distance",
    "interpolate",
    "sklearn",
    "preprocessing",
    "decomposition",
    "linear_model",
    "neighbors",
    "metrics",
    "datasets",
    "model_selection",
    "torch",
    "plt",
    "pyplot",
    "matplotlib",
    "LinearAlgebra",
    "Statistics",
    "Optim",
    "Roots",
    "pd",
    "pandas",
];

/// The entry of `table` for `path` (`eigvals`, `np.linalg.eig`, `numpy.random.seed`): the
/// whole path first, then with leading module names (`np.`, `scipy.optimize.`) dropped one
/// by one. `numpy.` and `jnp.` are read as `np.`.
pub fn find_foreign(table: &'static [ForeignName], path: &str) -> Option<&'static ForeignName> {
    let mut parts: Vec<&str> = path.split('.').collect();
    if matches!(parts.first(), Some(&"numpy") | Some(&"jnp")) {
        parts[0] = "np";
    }
    for start in 0..parts.len() {
        if start > 0 && !FOREIGN_MODULES.contains(&parts[start - 1]) {
            break;
        }
        let key = parts[start..].join(".");
        if let Some(f) = table.iter().find(|f| f.name == key) {
            return Some(f);
        }
    }
    None
}
