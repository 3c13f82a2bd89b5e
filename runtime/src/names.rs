//! What every name in a program refers to, as the resolver sees it: for editors (references,
//! rename, semantic highlighting), which need the same scoping the interpreter uses.
//!
//! [`occurrences`] resolves a program with a fresh set of globals and returns one
//! [`Occurrence`] per name written in it. Two occurrences with equal [`Target`]s are the same
//! variable: a function's parameter or local `x` is not the global `x`, and a variable a
//! lambda captures is the enclosing function's variable, not a new one.

use mml_lang::ast;
use mml_lang::{Diagnostic, Span};

use crate::builtin::Library;
use crate::resolve::{resolve_program_recording, GlobalNames};

/// What a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A global variable (top-level), by slot.
    Global(u32),
    /// A local variable or parameter of a function: the function's number (in the order the
    /// resolver meets them) and the slot in its frame.
    Local {
        /// Which function.
        function: u32,
        /// Which slot.
        slot: u32,
    },
    /// A builtin function.
    Builtin,
    /// A named constant (`pi`).
    Constant,
    /// A name defined nowhere (already reported as `unknown-name`).
    Unknown,
    /// A field name: `r.name`, `{name = 1}`, `r.name = 2`.
    Field,
    /// The name of a keyword argument in a call: `linspace(0, 1, n = 5)`.
    ArgName,
}

/// How a name is written at one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Read.
    Read,
    /// Assigned (`x = …`, `x += …`, `x[i] = …`, `a, b = …`).
    Write,
    /// A function's parameter, in its parameter list.
    Parameter,
    /// A function's name where it is defined (`f(x) = …`).
    Function,
    /// A `for` loop's variable, after `for`.
    LoopVar,
    /// A field or keyword-argument name.
    Label,
}

impl Role {
    /// Whether this occurrence gives the name a value (every role but `Read` and `Label`).
    pub fn defines(self) -> bool {
        !matches!(self, Role::Read | Role::Label)
    }
}

/// One name as written in a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Where (byte offsets in the source).
    pub span: Span,
    /// What it refers to.
    pub target: Target,
    /// How it is used there.
    pub role: Role,
}

/// Every name in `program` and what it refers to, sorted by position, with the resolver's
/// diagnostics and the shape mismatches found without running (what `mml check` reports
/// after the parser's). `syntax_errors` says whether the parser reported errors (then
/// variables' shapes are not tracked: unread statements might assign them).
pub fn occurrences(
    program: &ast::Program,
    library: &'static Library,
    syntax_errors: bool,
) -> (Vec<Occurrence>, Vec<Diagnostic>) {
    let mut globals = GlobalNames::default();
    let (stmts, mut found, mut diags) = resolve_program_recording(program, &mut globals, library);
    diags.extend(crate::shapes::check(&stmts, !syntax_errors));
    found.sort_by_key(|o| (o.span.start, o.span.end));
    (found, diags)
}
