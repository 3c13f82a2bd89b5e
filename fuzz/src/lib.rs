//! What the fuzz targets share: running a script in a [`Session`] under tight limits, and
//! programs built from the builtin table with hostile arguments (the `grammar` target).
//!
//! Any outcome but a panic, an abort or a hang is a pass: diagnostics are expected.

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use mml_runtime::{Limits, Session};

/// Tight limits: small matrices, shallow recursion, half a second per run.
// `..Limits::default()` keeps this compiling as limits are added.
#[allow(clippy::needless_update)]
pub fn limits() -> Limits {
    Limits { max_call_depth: 200, max_elements: 100_000, max_seconds: Some(0.5), ..Limits::default() }
}

/// A private scratch folder that is the current directory while fuzzing, so that files a
/// script writes (`write_csv("a.csv", …)`, `savefig`) land there and nowhere else.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("mml-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        dir
    })
}

/// Whether a script could reach files outside the scratch folder: an absolute path or `..`
/// in a string. Such inputs are skipped (the fuzzer runs with the user's rights).
fn escapes_scratch(text: &str) -> bool {
    text.contains("\"/")
        || text.contains("'/")
        || text.contains("..")
        || text.contains("\"~")
        || text.contains('\\') && text.contains(':')
}

/// Lexes, parses and renders every diagnostic of `text` (colour on and off).
pub fn parse_and_render(text: &str) {
    let mut sources = mml_lang::SourceMap::new();
    let id = sources.add("<fuzz>", text);
    let parsed = mml_lang::parse_program(id, text);
    for d in &parsed.diagnostics {
        let plain = d.render(&sources, false);
        assert!(!plain.is_empty(), "a diagnostic rendered as nothing");
        let _ = d.render(&sources, true);
    }
    let _ = mml_lang::is_incomplete(text);
    let _ = mml_lang::dump_program(&parsed.program);
}

/// Runs `text` as a whole script in a fresh session under [`limits`], output to a bounded
/// buffer, plots kept in memory and files written to a scratch folder; renders every diagnostic.
pub fn run_limited(text: &str) {
    if escapes_scratch(text) {
        return;
    }
    let dir = scratch();
    let _ = std::env::set_current_dir(dir);
    mml_stdlib::plot::set_output_dir(Some(dir.clone()));
    mml_stdlib::plot::set_capture(true);
    let mut written = 0usize;
    let mut session = Session::new(
        mml_stdlib::library(),
        Box::new(move |s: &str| {
            // Counted, not kept: a loop that prints must not grow the fuzzer's memory.
            written = written.saturating_add(s.len());
        }),
    );
    session.set_limits(limits());
    let outcome = session.run("<fuzz>", text);
    for d in &outcome.diagnostics {
        let rendered = d.render(session.sources(), false);
        assert!(!rendered.is_empty(), "a diagnostic rendered as nothing");
    }
    drop(mml_stdlib::plot::take_figures());
}

/// A value handed to a builtin: every kind MML has, at its edges.
#[derive(Arbitrary, Debug)]
pub enum Arg {
    /// A number from [`NUMBERS`].
    Number(u8),
    /// A matrix literal of small size with numbers from [`NUMBERS`].
    Matrix(u8, u8, Vec<u8>),
    /// An empty or degenerate matrix from [`SHAPES`].
    Shape(u8),
    /// A string from [`STRINGS`].
    Str(u8),
    /// A record, list, complex number, range, function, bool or `nothing` from [`OTHERS`].
    Other(u8),
    /// A variable set by an earlier statement.
    Var(u8),
    /// A nested call.
    Call(Box<Call>),
    /// Arithmetic on two arguments.
    Binary(u8, Box<Arg>, Box<Arg>),
}

/// A call of one builtin, by its index in the table.
#[derive(Arbitrary, Debug)]
pub struct Call {
    /// Index into the builtin table (modulo its length).
    pub builtin: u16,
    /// Positional arguments.
    pub args: Vec<Arg>,
    /// Keyword arguments: (index into the builtin's parameters, value).
    pub keywords: Vec<(u8, Arg)>,
}

/// One statement of a generated program.
#[derive(Arbitrary, Debug)]
pub enum Stmt {
    /// `vN = call`.
    Assign(u8, Call),
    /// A bare call.
    Expr(Call),
    /// `for i in 1:3 { call }`.
    Loop(Call),
    /// `fN = (x) -> call`, a user function around a call.
    Lambda(u8, Call),
}

/// Numbers at the edges: NaN, infinities, zero, negative and huge sizes, fractions.
pub const NUMBERS: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "0",
    "-0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "0.5",
    "1e-300",
    "1e308",
    "-1e308",
    "1e9",
    "-1e9",
    "4294967296",
    "9007199254740993",
    "1e18",
    "2.5",
    "100",
    "1000",
    "0.1",
    "5e-324",
    "pi",
];

/// Empty and degenerate shapes.
pub const SHAPES: &[&str] = &[
    "zeros(0, 3)",
    "zeros(3, 0)",
    "zeros(0, 0)",
    "[]",
    "[1]",
    "[1, 2, 3]",
    "[1; 2; 3]",
    "[1, 2; 3, 4]",
    "[1, 2; 2, 4]",
    "[0, 0; 0, 0]",
    "[1, 2, 3; 4, 5, 6]",
    "[nan, 1; 1, nan]",
    "[inf, 0; 0, 1]",
    "eye(3)",
    "ones(4, 4)",
    "[2, -1, 0; -1, 2, -1; 0, -1, 2]",
    "1:5",
    "0:0.25:1",
    "[1 + 2i, 3; 4, 5i]",
    "[true, false]",
];

/// Strings: empty, unicode, paths that do not exist or cannot be written, format specs.
pub const STRINGS: &[&str] = &[
    "\"\"",
    "\"a\"",
    "\"x.csv\"",
    "\"out.png\"",
    "\"out.svg\"",
    "\"missing.csv\"",
    "\"no/such/dir/x.csv\"",
    "\"ünï😀\"",
    "\"iris\"",
    "\"long\"",
    "\"short\"",
    "\"%d\"",
    "\"{x}\"",
    "\"\\n\\t\"",
    "\"nan\"",
    "\"fro\"",
    "\"gray\"",
];

/// Other kinds of value.
pub const OTHERS: &[&str] = &[
    "{a = 1, b = [1, 2]}",
    "{}",
    "{1, \"a\", [1, 2]}",
    "{{}}",
    "2i",
    "1 + 2i",
    "nan * 1i",
    "(x) -> x^2",
    "(x, y) -> x * y",
    "(v) -> sum(v .^ 2)",
    "(x) -> [x, x]",
    "(x) -> \"s\"",
    "(x) -> nothing",
    "(x) -> error(\"no\")",
    "(x) -> 1 / x",
    "sin",
    "zeros",
    "true",
    "false",
    "nothing",
];

fn pick<'a>(table: &[&'a str], i: u8) -> &'a str {
    table[i as usize % table.len()]
}

impl Arg {
    fn render(&self, out: &mut String, depth: usize) {
        match self {
            Arg::Number(i) => out.push_str(pick(NUMBERS, *i)),
            Arg::Matrix(r, c, vals) => {
                let (r, c) = (*r as usize % 4, *c as usize % 4 + 1);
                out.push('[');
                for i in 0..r {
                    if i > 0 {
                        out.push_str("; ");
                    }
                    for j in 0..c {
                        if j > 0 {
                            out.push_str(", ");
                        }
                        let v = vals.get(i * c + j).copied().unwrap_or(j as u8 + 1);
                        out.push_str(pick(NUMBERS, v));
                    }
                }
                out.push(']');
            }
            Arg::Shape(i) => out.push_str(pick(SHAPES, *i)),
            Arg::Str(i) => out.push_str(pick(STRINGS, *i)),
            Arg::Other(i) => out.push_str(pick(OTHERS, *i)),
            Arg::Var(i) => out.push_str(&format!("v{}", i % 4)),
            Arg::Call(call) if depth < 4 => call.render(out, depth + 1),
            Arg::Call(_) => out.push('1'),
            Arg::Binary(op, a, b) => {
                out.push('(');
                a.render(out, depth + 1);
                out.push_str([" + ", " - ", " * ", " / ", " .* ", " ^ ", " \\ ", " == "][*op as usize % 8]);
                b.render(out, depth + 1);
                out.push(')');
            }
        }
    }
}

impl Call {
    fn render(&self, out: &mut String, depth: usize) {
        let builtins = mml_stdlib::library().builtins;
        let b = builtins[self.builtin as usize % builtins.len()];
        out.push_str(b.name);
        out.push('(');
        let mut first = true;
        // At most two more arguments than the builtin takes.
        for a in self.args.iter().take(b.params.len() + 2) {
            if !first {
                out.push_str(", ");
            }
            first = false;
            a.render(out, depth);
        }
        for (k, a) in self.keywords.iter().take(3) {
            if b.params.is_empty() {
                break;
            }
            if !first {
                out.push_str(", ");
            }
            first = false;
            out.push_str(b.params[*k as usize % b.params.len()].name);
            out.push_str(" = ");
            a.render(out, depth);
        }
        out.push(')');
    }
}

/// Renders a generated program as MML source.
pub fn render_program(stmts: &[Stmt]) -> String {
    // Every variable exists, so calls reach the builtins instead of stopping at unknown names.
    let mut out = String::from("v0 = 1\nv1 = [1, 2; 3, 4]\nv2 = \"s\"\nv3 = {a = 1}\n");
    for s in stmts.iter().take(8) {
        match s {
            Stmt::Assign(v, call) => {
                out.push_str(&format!("v{} = ", v % 4));
                call.render(&mut out, 0);
            }
            Stmt::Expr(call) => call.render(&mut out, 0),
            Stmt::Loop(call) => {
                out.push_str("for i in 1:3 { ");
                call.render(&mut out, 0);
                out.push_str(" }");
            }
            Stmt::Lambda(f, call) => {
                out.push_str(&format!("f{} = (x) -> ", f % 4));
                call.render(&mut out, 0);
            }
        }
        out.push('\n');
    }
    out
}

/// Builds a program from fuzzer bytes.
pub fn program_from_bytes(data: &[u8]) -> Option<String> {
    let mut u = Unstructured::new(data);
    let stmts: Vec<Stmt> = Vec::arbitrary(&mut u).ok()?;
    Some(render_program(&stmts))
}

/// What a language server asks about a document, at positions and with an edit chosen by
/// the fuzzer: the same `mml-ide` services `mml lsp` answers requests with (diagnostics,
/// hover target, definition, references, rename, symbols, semantic tokens, completion,
/// signature help), and the incremental re-analysis after an edit, checked against a whole
/// parse.
pub fn ide_requests(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(text), Ok(insert)) = (<String as Arbitrary>::arbitrary(&mut u), <String as Arbitrary>::arbitrary(&mut u))
    else {
        return;
    };
    let positions: Vec<usize> = (0..4).filter_map(|_| u.int_in_range(0..=text.len() + 2).ok()).collect();
    let library = mml_stdlib::library();
    let analysis = mml_ide::Analysis::new(library, &text);
    let names = mml_ide::Names::of(&Session::new(library, Box::new(|_: &str| {})));
    for &at in &positions {
        let _ = analysis.at(at);
        let _ = analysis.definition(at);
        let _ = analysis.declaration_at(at);
        let _ = analysis.references(at, true);
        let _ = analysis.prepare_rename(&text, at);
        let _ = analysis.rename(library, &text, at, "renamed");
        let _ = mml_ide::complete(&names, &text, at);
        let _ = mml_ide::enclosing_call(&text, at);
        let _ = mml_ide::text::word_at(&text, at);
        let utf16 = mml_ide::text::utf16_of_byte(&text, at);
        let _ = mml_ide::text::byte_of_utf16(&text, utf16);
        let chars = mml_ide::text::char_of_byte(&text, at);
        let _ = mml_ide::text::byte_of_char(&text, chars);
    }
    let _ = analysis.symbols();
    let _ = analysis.highlights(&text);
    let _ = mml_ide::symbols::definitions(&text);
    // An edit replacing text[start..end] by `insert` (on character boundaries).
    let (Some(&a), Some(&b)) = (positions.first(), positions.get(1)) else { return };
    let (mut start, mut end) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let new_text = format!("{}{insert}{}", &text[..start], &text[end..]);
    let edit = mml_ide::analysis::Edit { start, old_end: end, new_end: start + insert.len() };
    let edited = analysis.edited(library, &new_text, edit);
    let whole = mml_ide::Analysis::new(library, &new_text);
    assert_eq!(
        edited.symbols().len(),
        whole.symbols().len(),
        "re-analysing only the edited statements found other definitions than a whole parse"
    );
}
