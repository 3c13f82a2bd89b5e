//! Runtime and resolution errors as data; all their wording lives in [`RuntimeError::to_diagnostic`].

use mml_lang::{Diagnostic, Span};

use crate::builtin::ForeignName;

/// The shape of a matrix-like operand, for messages.
pub type Shape = (usize, usize);

/// The fix-it for a learner who wrote Octave's `zeros(n)` and meant a square matrix: shown
/// where an n×1 matrix is indexed by column, or given where a square one is needed.
pub const ONE_SIZE_HINT: &str = "if it came from `zeros(n)` (or `ones`, `rand`, `randn`, `full` with one size): that is an n×1 column in MML, as in NumPy; an n×n matrix is `zeros(n, n)`";

/// Whether an r×c matrix looks like a one-size constructor's column mistaken for a square matrix.
pub fn one_size_column(shape: (usize, usize)) -> bool {
    shape.1 == 1 && shape.0 >= 2
}

/// An error raised while resolving or running, with where it happened and the calls that led there.
#[derive(Clone, Debug)]
pub struct RuntimeError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where.
    pub span: Span,
    /// Enclosing calls, innermost first: (function name, call span).
    pub trace: Vec<(String, Span)>,
}

/// What an unknown name probably meant, when it comes from another language.
#[derive(Clone, Debug)]
pub enum NameHint {
    /// A name from the table of foreign names (`eigvals`, `np.linalg.eig`).
    Foreign(&'static ForeignName),
    /// A module prefix in front of an MML builtin or constant (`np.sqrt`, `math.pi`).
    Prefixed {
        /// The module part as written (`np`, `scipy.linalg`).
        module: String,
        /// The builtin or constant.
        builtin: String,
    },
    /// A module of another language (`np.foo`): MML has no modules.
    Module {
        /// The module name as written.
        module: String,
    },
}

/// The kinds of runtime error.
#[derive(Clone, Debug)]
pub enum ErrorKind {
    /// A name that is neither a variable nor a builtin.
    UnknownName {
        /// The name.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
        /// What MML writes instead, when the name comes from another language.
        hint: Option<NameHint>,
    },
    /// A variable read before it was given a value on this path.
    Unassigned {
        /// The name.
        name: String,
    },
    /// An operand of the wrong type.
    TypeMismatch {
        /// The operation (`+`, `for`, `if`, …).
        op: String,
        /// What was expected.
        expected: String,
        /// What was found (a description such as "a string").
        found: String,
    },
    /// Two operands whose shapes do not fit the operation.
    ShapeMismatch {
        /// The operator.
        op: String,
        /// Left operand shape and span.
        lhs: (Shape, Span),
        /// Right operand shape and span.
        rhs: (Shape, Span),
        /// What the operator needs.
        rule: String,
        /// Fix-its.
        help: Vec<String>,
    },
    /// A matrix power or other square-only operation on a non-square matrix.
    NotSquare {
        /// The operator.
        op: String,
        /// The shape found.
        shape: Shape,
        /// Fix-its.
        help: Vec<String>,
    },
    /// An index outside the valid range.
    IndexOutOfRange {
        /// The offending index (1-based, as written).
        index: f64,
        /// The length of the indexed dimension.
        len: usize,
        /// "row", "column", "element", "item".
        what: &'static str,
        /// The shape of the indexed value, if matrix-like.
        shape: Option<Shape>,
        /// Whether the index is on the left of an assignment (which does not grow a value).
        assigning: bool,
    },
    /// An index that is not a positive whole number.
    BadIndex {
        /// Description of the index.
        found: String,
        /// Whether the index looks like a mask of 0s and 1s (from a comparison).
        mask: bool,
    },
    /// A record has no such field.
    NoField {
        /// The field asked for.
        name: String,
        /// The fields it does have.
        available: Vec<String>,
    },
    /// A record indexed (`r[1]`) or called (`r(1)`) as if it were a matrix or a function.
    RecordByPosition {
        /// Its field names, in order.
        fields: Vec<String>,
        /// It was called rather than indexed.
        called: bool,
    },
    /// `.name` on a value that is not a record (`A.T`, `A.shape`).
    FieldOfNonRecord {
        /// The field asked for.
        name: String,
        /// What the value is ("a 2×2 matrix").
        found: String,
    },
    /// Calling something that is not a function.
    NotCallable {
        /// What was called.
        found: String,
    },
    /// Wrong number of arguments.
    ArgCount {
        /// The function's name.
        function: String,
        /// Its signature.
        signature: String,
        /// Minimum and maximum (`None`: unbounded).
        expected: (usize, Option<usize>),
        /// Number given.
        got: usize,
    },
    /// A keyword argument the function does not have.
    UnknownKeyword {
        /// The function's name.
        function: String,
        /// The keyword.
        name: String,
        /// Its signature.
        signature: String,
    },
    /// A keyword-only parameter reached by position (`numgrad(f, 3, 3)`).
    KeywordOnly {
        /// The function's name.
        function: String,
        /// The keyword-only parameter the extra argument would have been.
        name: String,
        /// How many arguments it takes by position.
        positional: usize,
        /// Its signature.
        signature: String,
    },
    /// A parameter given twice (by position and by keyword, or keyword twice).
    DuplicateArgument {
        /// The parameter.
        name: String,
    },
    /// Destructuring `a, b = v` with the wrong number of items.
    DestructureCount {
        /// Number of targets.
        targets: usize,
        /// Number of items found.
        found: usize,
        /// The field names, when a record was unpacked.
        fields: Vec<String>,
    },
    /// An error reported by a builtin.
    Builtin {
        /// The builtin's name.
        function: String,
        /// Stable code.
        code: &'static str,
        /// Headline.
        message: String,
        /// Fix-its.
        help: Vec<String>,
        /// Notes.
        notes: Vec<String>,
        /// The call's span, when the error points at one argument.
        call: Option<Span>,
    },
    /// `break` or `continue` outside a loop, `return` outside a function.
    MisplacedControl {
        /// The keyword.
        keyword: &'static str,
    },
    /// `break`, `continue` or `return` inside a branch of an `if` used as a value.
    ControlInValue {
        /// The keyword.
        keyword: &'static str,
    },
    /// Too many nested calls.
    RecursionLimit {
        /// The limit.
        depth: usize,
    },
    /// Ctrl-C.
    Interrupted,
    /// The time limit was reached.
    Timeout {
        /// The limit in seconds.
        seconds: f64,
    },
    /// The step limit (`--max-steps`) was reached.
    StepLimit {
        /// The limit in steps.
        steps: u64,
    },
}

impl RuntimeError {
    /// An error of `kind` at `span`.
    pub fn new(kind: ErrorKind, span: Span) -> RuntimeError {
        RuntimeError { kind, span, trace: Vec::new() }
    }

    /// The stable code of this error's kind.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            ErrorKind::UnknownName { .. } => "unknown-name",
            ErrorKind::Unassigned { .. } => "unassigned-variable",
            ErrorKind::TypeMismatch { .. } => "type-mismatch",
            ErrorKind::ShapeMismatch { .. } => "shape-mismatch",
            ErrorKind::NotSquare { .. } => "not-square",
            ErrorKind::IndexOutOfRange { .. } => "index-out-of-range",
            ErrorKind::BadIndex { .. } => "bad-index",
            ErrorKind::NoField { .. } => "no-field",
            ErrorKind::NotCallable { .. } => "not-callable",
            ErrorKind::RecordByPosition { called: true, .. } => "not-callable",
            ErrorKind::RecordByPosition { called: false, .. } | ErrorKind::FieldOfNonRecord { .. } => "type-mismatch",
            ErrorKind::ArgCount { .. } => "argument-count",
            ErrorKind::UnknownKeyword { .. } => "unknown-keyword",
            ErrorKind::KeywordOnly { .. } => "keyword-only",
            ErrorKind::DuplicateArgument { .. } => "duplicate-argument",
            ErrorKind::DestructureCount { .. } => "destructure-count",
            ErrorKind::Builtin { code, .. } => code,
            ErrorKind::MisplacedControl { .. } | ErrorKind::ControlInValue { .. } => "misplaced-control",
            ErrorKind::RecursionLimit { .. } => "recursion-limit",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::Timeout { .. } => "timeout",
            ErrorKind::StepLimit { .. } => "limit-exceeded",
        }
    }

    /// Turns the error into a diagnostic: all wording of runtime errors is here.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        let span = self.span;
        let mut d = match &self.kind {
            ErrorKind::UnknownName { name, suggestion, hint } => {
                let d = Diagnostic::error(code, format!("unknown name {}", shortened(name)));
                match hint {
                    Some(NameHint::Foreign(f)) => {
                        let help = match f.mml.strip_prefix("no builtin: ") {
                            Some(rest) => format!("MML has no builtin for this: {rest}"),
                            None => format!("MML writes this as {}", f.mml),
                        };
                        d.with_primary(span, format!("not an MML name ({})", f.from))
                            .with_help(help)
                            .with_note(format!("for example: `{}`", f.example))
                    }
                    Some(NameHint::Prefixed { module, builtin }) => d
                        .with_primary(span, format!("MML has no `{module}` module"))
                        .with_help(format!("builtins are called by name: write `{builtin}`")),
                    Some(NameHint::Module { module }) => d
                        .with_primary(span, format!("MML has no `{module}` module"))
                        .with_help("builtins are called by name, without a module; `:help` lists them"),
                    None => {
                        let mut d = d.with_primary(span, "not defined here");
                        if let Some(s) = suggestion {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        d
                    }
                }
            }
            ErrorKind::Unassigned { name } => Diagnostic::error(code, format!("`{name}` has no value yet"))
                .with_primary(span, "read here before any assignment ran")
                .with_help(format!("assign `{name}` before this line")),
            ErrorKind::TypeMismatch { op, expected, found } => {
                Diagnostic::error(code, format!("{op} expected {expected}, found {found}"))
                    .with_primary(span, format!("this is {found}"))
            }
            ErrorKind::ShapeMismatch { op, lhs, rhs, rule, help } => {
                let mut d = Diagnostic::error(
                    code,
                    format!("shape mismatch in `{op}`: {}×{} and {}×{}", lhs.0 .0, lhs.0 .1, rhs.0 .0, rhs.0 .1),
                )
                .with_primary(lhs.1, format!("this is {}×{}", lhs.0 .0, lhs.0 .1))
                .with_label(rhs.1, format!("this is {}×{}", rhs.0 .0, rhs.0 .1))
                .with_note(rule.clone());
                for h in help {
                    d = d.with_help(h.clone());
                }
                d
            }
            ErrorKind::NotSquare { op, shape, help } => {
                let mut d =
                    Diagnostic::error(code, format!("`{op}` needs a square matrix, found {}×{}", shape.0, shape.1))
                        .with_primary(span, format!("this is {}×{}", shape.0, shape.1));
                for h in help {
                    d = d.with_help(h.clone());
                }
                if one_size_column(*shape) {
                    d = d.with_help(ONE_SIZE_HINT);
                }
                d
            }
            ErrorKind::IndexOutOfRange { index, len, what, shape, assigning } => {
                let idx = crate::display::format_number(*index);
                let mut d = Diagnostic::error(code, format!("{what} index {idx} is out of range 1..{len}"))
                    .with_primary(span, format!("{what} {idx} does not exist"));
                if let Some((r, c)) = shape {
                    d = d.with_note(format!("the value is {r}×{c}"));
                    if *what == "column" && one_size_column((*r, *c)) && *index <= *r as f64 {
                        d = d.with_help(ONE_SIZE_HINT);
                    }
                }
                if *len == 0 {
                    d = d.with_note("the dimension is empty");
                }
                if *assigning && *index == *len as f64 + 1.0 {
                    d = d.with_help(match *what {
                        "item" => "assignment does not grow a list: append with `L = L + {x}`",
                        "row" => "assignment does not grow a matrix: add a row with `A = [A; row]`",
                        "column" => "assignment does not grow a matrix: add a column with `A = [A, column]`",
                        _ => "assignment does not grow a vector: append with `v = [v; x]`",
                    });
                }
                d
            }
            ErrorKind::BadIndex { found, mask } => {
                let d = Diagnostic::error(code, format!("an index must be a positive whole number, found {found}"))
                    .with_primary(span, "this index");
                if *mask {
                    d.with_note("this index is all 0s and 1s, like the result of a comparison")
                        .with_help("to pick the elements where a condition holds, index with `find`: `v[find(v .> 0)]`")
                } else {
                    d.with_help("indexing is 1-based: the first element is `v[1]`")
                }
            }
            ErrorKind::NoField { name, available } => {
                let mut d = Diagnostic::error(code, format!("no field `{name}` in this record"))
                    .with_primary(span, "unknown field");
                if available.is_empty() {
                    d = d.with_note("the record has no fields");
                } else {
                    d = d.with_note(format!("its fields are: {}", available.join(", ")));
                }
                if let Some(s) = crate::resolve::closest(name, available.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                d
            }
            ErrorKind::RecordByPosition { fields, called } => {
                let (what, label) = if *called { ("called", "a record") } else { ("indexed by position", "a record") };
                let mut d = Diagnostic::error(code, format!("a record cannot be {what}: its fields have names"))
                    .with_primary(span, label);
                match fields.first() {
                    Some(first) => {
                        let names: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
                        d = d.with_note(format!("its fields are {}", names.join(", "))).with_help(format!(
                            "read a field by name with `.{first}`; `{} = …` unpacks the fields in this order",
                            fields.join(", ")
                        ));
                    }
                    None => d = d.with_note("the record has no fields"),
                }
                d
            }
            ErrorKind::FieldOfNonRecord { name, found } => {
                let d = Diagnostic::error(code, format!("`.{name}` expected a record, found {found}"))
                    .with_primary(span, format!("this is {found}"));
                match numpy_attribute(name) {
                    Some(instead) => d.with_help(format!("NumPy's `.{name}` is written {instead} in MML")),
                    None => d.with_help("only records have fields; MML calls functions by name, as in `sum(A)`"),
                }
            }
            ErrorKind::NotCallable { found } => Diagnostic::error(code, format!("{found} cannot be called"))
                .with_primary(span, "not a function")
                .with_help("to index a matrix use square brackets: `A[i, j]`"),
            ErrorKind::ArgCount { function, signature, expected, got } => {
                let want = match expected {
                    (lo, Some(hi)) if lo == hi => plural(*lo, "argument"),
                    (lo, Some(hi)) => format!("{lo} to {hi} arguments"),
                    (lo, None) => format!("at least {}", plural(*lo, "argument")),
                };
                Diagnostic::error(code, format!("`{function}` takes {want}, got {got}"))
                    .with_primary(span, format!("called with {}", plural(*got, "argument")))
                    .with_note(format!("signature: {signature}"))
            }
            ErrorKind::UnknownKeyword { function, name, signature } => {
                let d = Diagnostic::error(code, format!("`{function}` has no parameter `{name}`"))
                    .with_primary(span, "unknown keyword")
                    .with_note(format!("signature: {signature}"));
                if name == "axis" && signature.contains("dim") {
                    d.with_help(format!(
                        "MML's `dim` counts from 1: `{function}(A, dim = 1)` works down the columns (NumPy's `axis = 0`), `dim = 2` along the rows"
                    ))
                } else {
                    d
                }
            }
            ErrorKind::KeywordOnly { function, name, positional, signature } => Diagnostic::error(
                code,
                format!(
                    "`{function}` takes {} by position; `{name}` is given by name",
                    plural(*positional, "argument")
                ),
            )
            .with_primary(span, format!("a {} argument by position", ordinal(*positional + 1)))
            .with_help(format!(
                "give it by name, `{function}(…, {name} = …)`; a point of several numbers is one vector, `[x, y]`"
            ))
            .with_note(format!("signature: {signature}")),
            ErrorKind::DuplicateArgument { name } => {
                Diagnostic::error(code, format!("parameter `{name}` is given twice"))
                    .with_primary(span, "given again here")
            }
            ErrorKind::DestructureCount { targets, found, fields } if !fields.is_empty() => {
                Diagnostic::error(code, format!("cannot unpack a record of {found} fields into {targets} names"))
                    .with_primary(span, format!("this record has the fields {}", fields.join(", ")))
                    .with_help(format!(
                "a record unpacks field by field, in order: `{} = …`; or keep it whole and read a field with `.{}`",
                fields.join(", "),
                fields[0]
            ))
            }
            ErrorKind::DestructureCount { targets, found, .. } => {
                Diagnostic::error(code, format!("cannot unpack {found} values into {targets} names"))
                    .with_primary(span, format!("this has {found} values"))
            }
            ErrorKind::Builtin { function, message, help, notes, call, .. } => {
                let at_operand = call.is_some() || !function.chars().all(|c| c.is_alphanumeric() || c == '_');
                let label = if code == "singular-matrix" && at_operand {
                    "this matrix is singular".to_string()
                } else if call.is_some() {
                    "this argument".to_string()
                } else if function == "if" || function == "while" {
                    "this condition".to_string()
                } else if function == "for" {
                    "this is iterated".to_string()
                } else if function.is_empty() {
                    "here".to_string()
                } else if function.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    format!("in this call to `{function}`")
                } else {
                    "here".to_string()
                };
                let mut d = Diagnostic::error(code, message.clone()).with_primary(span, label);
                if let Some(c) = call {
                    d = d.with_label(*c, format!("in this call to `{function}`"));
                }
                for n in notes {
                    d = d.with_note(n.clone());
                }
                for h in help {
                    d = d.with_help(h.clone());
                }
                d
            }
            ErrorKind::MisplacedControl { keyword } => {
                let place = if *keyword == "return" { "a function" } else { "a loop" };
                Diagnostic::error(code, format!("`{keyword}` outside {place}"))
                    .with_primary(span, format!("not inside {place}"))
            }
            ErrorKind::ControlInValue { keyword } => {
                Diagnostic::error(code, format!("`{keyword}` inside an `if` used as a value"))
                    .with_primary(span, "the `if` must give a value")
                    .with_help("end each branch with its value, or write the `if` as a statement of its own")
            }
            ErrorKind::RecursionLimit { depth } => {
                Diagnostic::error(code, format!("too many nested calls (more than {depth})"))
                    .with_primary(span, "this call went too deep")
                    .with_help("check that the recursion has a base case; raise the limit with --max-depth")
            }
            ErrorKind::Interrupted => Diagnostic::error(code, "interrupted").with_primary(span, "stopped here"),
            ErrorKind::Timeout { seconds } => Diagnostic::error(code, format!("time limit of {seconds} s reached"))
                .with_primary(span, "stopped here")
                .with_help("raise the limit with --max-seconds"),
            ErrorKind::StepLimit { steps } => Diagnostic::error(code, format!("step limit of {steps} reached"))
                .with_primary(span, "stopped here")
                .with_note("a step is one loop iteration or one function call")
                .with_help("raise the limit with --max-steps"),
        };
        // Consecutive identical frames (deep recursion) are shown once, with a count.
        let mut k = 0;
        while k < self.trace.len() {
            let (name, span) = &self.trace[k];
            let run = self.trace[k..].iter().take_while(|(n, s)| n == name && s == span).count();
            let what =
                if run > 1 { format!("in call to `{name}` ({run} times)") } else { format!("in call to `{name}`") };
            d.trace.push((what, *span));
            k += run;
        }
        d
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// How MML writes a NumPy array attribute or method (`A.T`, `A.shape`, `A.sum()`).
fn numpy_attribute(name: &str) -> Option<&'static str> {
    Some(match name {
        "T" | "H" | "transpose" | "conj().T" => "`A'` (the transpose)",
        "shape" => "`size(A)`",
        "size" => "`numel(A)`",
        "ndim" => "`2` (every matrix is 2-D): `size(A)` gives the shape",
        "dot" => "`A * B`",
        "sum" => "`sum(A)`",
        "mean" => "`mean(A)`",
        "std" => "`std(A)`",
        "var" => "`var(A)`",
        "max" => "`max(A)`",
        "min" => "`min(A)`",
        "argmax" => "`argmax(A)`",
        "argmin" => "`argmin(A)`",
        "cumsum" => "`cumsum(A)`",
        "prod" => "`prod(A)`",
        "reshape" => "`reshape(A, r, c)`",
        "flatten" | "ravel" => "`flatten(A)`",
        "copy" => "`B = A` (assignment copies)",
        "real" => "`re(A)`",
        "imag" => "`im(A)`",
        "conj" => "`conj(A)`",
        "trace" => "`trace(A)`",
        "diagonal" => "`diag(A)`",
        "sort" => "`sort(A)`",
        "round" => "`round(A)`",
        "any" => "`any(A)`",
        "all" => "`all(A)`",
        "inv" | "I" => "`inv(A)`",
        _ => return None,
    })
}

/// A name as shown in a message: a very long one (a generated or pasted blob) is cut to its
/// ends, with its length, so that the message stays one readable line.
fn shortened(name: &str) -> String {
    let n = name.chars().count();
    if n <= 60 {
        return format!("`{name}`");
    }
    let head: String = name.chars().take(24).collect();
    let tail: String = name.chars().skip(n - 12).collect();
    format!("`{head}…{tail}` ({n} characters)")
}
