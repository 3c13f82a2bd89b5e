//! The tree-walking interpreter over the resolved tree.
//!
//! Locals live in one value stack shared by all calls (a frame is a window starting at
//! `base`), so a call allocates nothing beyond what its values need. Errors travel as
//! boxed [`RuntimeError`]s and collect the call trace on the way out.

mod call;
pub(crate) mod fast;
pub(crate) mod index;

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use mml_lang::ast::{BinOp, UnOp};
use mml_lang::{SourceId, Span};

use crate::display::{describe, format_value, FormatOptions};
use crate::error::{ErrorKind, RuntimeError};
use crate::hir::{Body, Expr, ExprKind, Proto, Stmt, StmtKind, StrPart, Var};
use crate::limits::Limits;
use crate::ops::{self, OpError, Side};
use crate::resolve::{resolve_program, GlobalNames};
use crate::session::{Echo, Outcome, Session, Sink};
use crate::value::{Matrix, RangeVal, Record, Value, C64};

pub(crate) type R<T> = Result<T, Box<RuntimeError>>;

/// Stack space kept free before each statement and call; below it the stack grows onto the heap.
pub(crate) const STACK_RED_ZONE: usize = 4 * 1024 * 1024;
/// Size of each extra stack segment.
pub(crate) const STACK_SEGMENT: usize = 32 * 1024 * 1024;

/// Multiply-adds in one block of a large matrix product, between checks of Ctrl-C and the
/// time limit (about 10 ms of work).
const PRODUCT_BLOCK: f64 = (1u64 << 25) as f64;

/// A user function or lambda with its captured values.
#[derive(Debug)]
pub struct Closure {
    pub(crate) proto: Rc<Proto>,
    /// Copied at creation; `None` for a variable that had no value then.
    pub(crate) captures: Box<[Option<Value>]>,
}

impl Closure {
    /// The function's name (`<lambda>` for lambdas).
    pub fn name(&self) -> &str {
        &self.proto.name
    }

    /// The parameter names in order.
    pub fn params(&self) -> Vec<&str> {
        self.proto.params.iter().map(|p| &*p.name).collect()
    }

    /// The signature as users read it: `f(x, y = …)`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .proto
            .params
            .iter()
            .map(|p| if p.default.is_some() { format!("{} = …", p.name) } else { p.name.to_string() })
            .collect();
        format!("{}({})", self.proto.name, params.join(", "))
    }
}

/// Global variables of a session: names with their slots, and the values.
#[derive(Default)]
pub struct Globals {
    pub(crate) names: GlobalNames,
    pub(crate) values: Vec<Option<Value>>,
}

impl Globals {
    pub(crate) fn list(&self) -> Vec<(String, Value)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (self.names.name(i).to_string(), v.clone())))
            .collect()
    }
}

/// How a statement finished. A `return`ed value waits in [`Interp::ret`], so a `Flow` is
/// one byte and passing it up through statements copies no value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return,
}

/// The state of one evaluation.
pub(crate) struct Interp<'s> {
    pub(crate) globals: &'s mut Vec<Option<Value>>,
    pub(crate) global_names: &'s GlobalNames,
    pub(crate) out: &'s mut Sink,
    pub(crate) limits: &'s Limits,
    pub(crate) format: FormatOptions,
    interrupt: &'s AtomicBool,
    deadline: Option<Instant>,
    pub(crate) stack: Vec<Option<Value>>,
    pub(crate) base: usize,
    pub(crate) depth: usize,
    /// Lengths of the dimensions being indexed, innermost last, for `end`.
    pub(crate) ends: Vec<usize>,
    /// The closure running now, for recursive calls by name.
    pub(crate) current: Option<Rc<Closure>>,
    /// The span of the builtin call running now, for callbacks into user code.
    pub(crate) call_span: Span,
    /// The value of the `return` being carried out to the function body.
    ret: Value,
    ticks: u64,
}

/// Parses, resolves and (unless `check_only`) runs source `src` of the session.
pub(crate) fn run_source(s: &mut Session, src: SourceId, check_only: bool) -> Outcome {
    let text = s.sources.get(src).map(|x| x.text.clone()).unwrap_or_default();
    let parsed = mml_lang::parse_program(src, &text);
    let syntax_errors = parsed.diagnostics.iter().any(|d| d.severity == mml_lang::Severity::Error);
    let mut diagnostics = parsed.diagnostics;
    let (stmts, rdiags) = resolve_program(&parsed.program, &mut s.globals.names, s.library);
    diagnostics.extend(rdiags);
    if check_only {
        // `mml check` also reports shape mismatches found without running.
        diagnostics.extend(crate::shapes::check(&stmts, !syntax_errors));
    }
    let failed = diagnostics.iter().any(|d| d.severity == mml_lang::Severity::Error);
    s.globals.values.resize(s.globals.names.len(), None);
    if failed || check_only {
        return Outcome { diagnostics };
    }
    s.interrupt.store(false, Ordering::Relaxed);
    // A value shown by the echo (the REPL, a notebook cell) is also kept in `ans`, as in
    // Octave and MATLAB.
    let ans = matches!(s.echo, Echo::All | Echo::Last).then(|| {
        let slot = s.globals.names.slot(&Rc::from("ans")) as usize;
        s.globals.values.resize(s.globals.names.len(), None);
        slot
    });
    let mut it = Interp {
        globals: &mut s.globals.values,
        global_names: &s.globals.names,
        out: &mut s.out,
        limits: &s.limits,
        format: s.format,
        interrupt: &s.interrupt,
        deadline: s.limits.max_seconds.map(|t| Instant::now() + std::time::Duration::from_secs_f64(t.max(0.0))),
        stack: Vec::with_capacity(256),
        base: 0,
        depth: 0,
        ends: Vec::new(),
        current: None,
        call_span: Span::default(),
        ret: Value::Nothing,
        ticks: 0,
    };
    let echo = s.echo;
    let last = stmts.len().saturating_sub(1);
    for (i, stmt) in stmts.iter().enumerate() {
        // A bare expression is shown (echoed, or kept as the run's value) unless a `;`
        // follows it, as in Octave and IPython.
        let shown = |span: Span| !followed_by_semicolon(&text, span);
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || match &stmt.kind {
            StmtKind::Expr(e) if echo == Echo::All || (echo == Echo::PrintLast && i == last) => it.eval(e).map(|v| {
                if !matches!(v, Value::Nothing) && shown(stmt.span) {
                    let text = format_value(&v, &it.format);
                    (it.out)(&text);
                    (it.out)("\n");
                    if let Some(slot) = ans {
                        it.globals[slot] = Some(v);
                    }
                }
                Flow::Normal
            }),
            StmtKind::Expr(e) if echo == Echo::Last && i == last => it.eval(e).map(|v| {
                if !matches!(v, Value::Nothing) && shown(stmt.span) {
                    if let Some(slot) = ans {
                        it.globals[slot] = Some(v.clone());
                    }
                    s.last_value = Some(v);
                }
                Flow::Normal
            }),
            _ => it.exec(stmt),
        });
        if let Err(e) = result {
            diagnostics.push(e.to_diagnostic());
            break;
        }
    }
    // `format("long")` lasts for the rest of the session.
    s.format = it.format;
    s.interrupt.store(false, Ordering::Relaxed);
    Outcome { diagnostics }
}

/// Whether the first thing after `span` on its line (past blanks) is a `;`.
fn followed_by_semicolon(text: &str, span: Span) -> bool {
    let rest = text.get(span.end as usize..).unwrap_or("");
    rest.trim_start_matches([' ', '\t']).starts_with(';')
}

/// The error of operator `op` on operands at `ls` and `rs`.
pub(crate) fn op_error(oe: OpError, op: &str, ls: Span, rs: Span) -> Box<RuntimeError> {
    let side_span = |side| if side == Side::Lhs { ls } else { rs };
    Box::new(match oe {
        OpError::Type { side, expected, found } => {
            RuntimeError::new(ErrorKind::TypeMismatch { op: format!("`{op}`"), expected, found }, side_span(side))
        }
        OpError::Shape { lhs, rhs, rule, help } => RuntimeError::new(
            ErrorKind::ShapeMismatch { op: op.to_string(), lhs: (lhs, ls), rhs: (rhs, rs), rule, help },
            ls,
        ),
        OpError::NotSquare { shape, help } => {
            RuntimeError::new(ErrorKind::NotSquare { op: op.to_string(), shape, help }, ls)
        }
        OpError::Other { side, code, message, help } => RuntimeError::new(
            ErrorKind::Builtin { function: op.to_string(), code, message, help, notes: Vec::new(), call: None },
            side_span(side),
        ),
    })
}

/// A column-against-row error's hints, now quoting the operands as written (`write `b'``).
#[cold]
pub(crate) fn quote_operands(mut e: Box<RuntimeError>, op: BinOp, l: &Expr, r: &Expr) -> Box<RuntimeError> {
    if let ErrorKind::ShapeMismatch { lhs, rhs, help, .. } = &mut e.kind {
        let elementwise = !matches!(op, BinOp::Mul | BinOp::Div | BinOp::LeftDiv | BinOp::Pow);
        if elementwise && ops::is_column_vs_row(lhs.0, rhs.0) {
            *help = ops::column_row_help(op, lhs.0, rhs.0, &operand_text(l), &operand_text(r));
        }
    }
    e
}

/// How an operand was written, when it is a name or a transposed name.
fn operand_text(e: &Expr) -> ops::Operand {
    match &e.kind {
        ExprKind::Var(_, name) => ops::Operand { text: Some(name.to_string()), untransposed: None },
        ExprKind::Transpose(inner) => match &inner.kind {
            ExprKind::Var(_, name) => {
                ops::Operand { text: Some(format!("{name}'")), untransposed: Some(name.to_string()) }
            }
            _ => ops::Operand::default(),
        },
        _ => ops::Operand::default(),
    }
}

/// Builds a boxed runtime error.
pub(crate) fn err<T>(kind: ErrorKind, span: Span) -> R<T> {
    Err(Box::new(RuntimeError::new(kind, span)))
}

/// A type-mismatch error at `span`.
pub(crate) fn type_err<T>(op: &str, expected: &str, found: &Value, span: Span) -> R<T> {
    err(ErrorKind::TypeMismatch { op: op.to_string(), expected: expected.to_string(), found: describe(found) }, span)
}

/// The operators on two numbers that need no call into `ops` (the rest, such as `^` and
/// `==`, go through it).
#[inline(always)]
fn num_binary(op: BinOp, x: f64, y: f64) -> Option<Value> {
    Some(match op {
        BinOp::Add => Value::Num(x + y),
        BinOp::Sub => Value::Num(x - y),
        BinOp::Mul | BinOp::ElemMul => Value::Num(x * y),
        BinOp::Div | BinOp::ElemDiv => Value::Num(x / y),
        BinOp::Lt => Value::Bool(x < y),
        BinOp::Le => Value::Bool(x <= y),
        BinOp::Gt => Value::Bool(x > y),
        BinOp::Ge => Value::Bool(x >= y),
        _ => return None,
    })
}

/// `l op r` when `cond` is an ordering or (in)equality comparison.
#[inline(always)]
fn comparison(cond: &Expr) -> Option<(BinOp, &Expr, &Expr)> {
    match &cond.kind {
        ExprKind::Binary(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne), l, r) => {
            Some((*op, l, r))
        }
        _ => None,
    }
}

/// A comparison of two numbers, as `ops` makes it (`==` and `!=` of two numbers compare them
/// as numbers, so nan is not equal to itself).
#[inline(always)]
fn compare(op: BinOp, x: f64, y: f64) -> bool {
    match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        BinOp::Eq => x == y,
        _ => x != y,
    }
}

/// Drops a value, skipping the out-of-line drop glue for the kinds that own nothing
/// (numbers above all), which the interpreter drops on every step.
#[inline(always)]
pub(crate) fn drop_value(v: Value) {
    match v {
        Value::Num(_) | Value::Bool(_) | Value::Nothing | Value::Builtin(_) => std::mem::forget(v),
        v => drop(v),
    }
}

impl Interp<'_> {
    /// Checks for Ctrl-C and the time limit; called on every loop iteration and call.
    #[inline(always)]
    pub(crate) fn tick(&mut self, span: Span) -> R<()> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & 0x3f == 0 {
            return self.check_stop(span);
        }
        Ok(())
    }

    /// The slow part of [`Interp::tick`]: Ctrl-C and the step limit every 64 ticks, the clock
    /// every 4096.
    #[inline(never)]
    fn check_stop(&mut self, span: Span) -> R<()> {
        if self.interrupt.load(Ordering::Relaxed) {
            return err(ErrorKind::Interrupted, span);
        }
        if let Some(steps) = self.limits.max_steps {
            if self.ticks > steps {
                return err(ErrorKind::StepLimit { steps }, span);
            }
        }
        if self.ticks & 0xfff == 0 {
            if let (Some(deadline), Some(seconds)) = (self.deadline, self.limits.max_seconds) {
                if Instant::now() > deadline {
                    return err(ErrorKind::Timeout { seconds }, span);
                }
            }
        }
        Ok(())
    }

    /// The number in a literal or a variable holding a number, read in place; `None` for
    /// anything else (which then goes through [`Interp::eval`]).
    #[inline(always)]
    fn num_operand(&self, e: &Expr) -> Option<f64> {
        let slot = match &e.kind {
            ExprKind::Num(x) => return Some(*x),
            ExprKind::Var(Var::Local(i), _) => self.stack.get(self.base + *i as usize),
            ExprKind::Var(Var::Global(i), _) => self.globals.get(*i as usize),
            ExprKind::Element(el) => return el.read.as_ref()?.get(self),
            _ => return None,
        };
        match slot {
            Some(Some(Value::Num(x))) => Some(*x),
            _ => None,
        }
    }

    /// The number an arithmetic expression of numbers gives (`+ - * / .* ./` and unary minus
    /// over literals, variables holding numbers and planned element reads), computed without
    /// making a value; `None` as soon as anything else appears (the caller then evaluates the
    /// expression in full, which is harmless since everything read here is pure).
    pub(crate) fn num_pure(&self, e: &Expr) -> Option<f64> {
        if let Some(x) = self.num_operand(e) {
            return Some(x);
        }
        match &e.kind {
            ExprKind::Binary(
                op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::ElemMul | BinOp::ElemDiv),
                l,
                r,
            ) => {
                let x = self.num_pure(l)?;
                let y = self.num_pure(r)?;
                match num_binary(*op, x, y) {
                    Some(Value::Num(z)) => Some(z),
                    _ => None,
                }
            }
            ExprKind::Unary(UnOp::Neg, x) => Some(-self.num_pure(x)?),
            _ => None,
        }
    }

    /// Evaluates an operand, reading numbers in variables and literals without a call.
    #[inline(always)]
    fn operand(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Num(x) => Ok(Value::Num(*x)),
            ExprKind::Var(Var::Local(i), _) => {
                if let Some(Some(Value::Num(x))) = self.stack.get(self.base + *i as usize) {
                    return Ok(Value::Num(*x));
                }
                self.eval(e)
            }
            ExprKind::Var(Var::Global(i), _) => {
                if let Some(Some(Value::Num(x))) = self.globals.get(*i as usize) {
                    return Ok(Value::Num(*x));
                }
                self.eval(e)
            }
            _ => self.eval(e),
        }
    }

    #[inline]
    fn get_var(&self, var: Var, name: &Rc<str>, span: Span) -> R<Value> {
        let slot = match var {
            Var::Local(i) => self.stack.get(self.base + i as usize),
            Var::Global(i) => self.globals.get(i as usize),
        };
        match slot {
            Some(Some(v)) => Ok(v.clone()),
            _ => err(ErrorKind::Unassigned { name: name.to_string() }, span),
        }
    }

    /// The value in a variable's slot, read in place (`None` when unassigned).
    #[inline]
    pub(crate) fn slot_ref(&self, var: Var) -> Option<&Value> {
        let slot = match var {
            Var::Local(i) => self.stack.get(self.base + i as usize),
            Var::Global(i) => self.globals.get(i as usize),
        };
        slot.and_then(Option::as_ref)
    }

    #[inline]
    pub(crate) fn slot_mut(&mut self, var: Var) -> &mut Option<Value> {
        let (vec, i) = match var {
            Var::Local(i) => (&mut self.stack, self.base + i as usize),
            Var::Global(i) => (&mut *self.globals, i as usize),
        };
        if i >= vec.len() {
            vec.resize(i + 1, None);
        }
        &mut vec[i]
    }

    #[inline]
    fn set_var(&mut self, var: Var, value: Value) {
        let slot = self.slot_mut(var);
        // Overwriting a number with a number needs no drop of either value.
        if let (Some(Value::Num(old)), Value::Num(new)) = (&mut *slot, &value) {
            *old = *new;
            std::mem::forget(value);
            return;
        }
        *slot = Some(value);
    }

    /// Runs statements in order, stopping at the first control-flow change.
    pub(crate) fn exec_block(&mut self, stmts: &[Stmt]) -> R<Flow> {
        for s in stmts {
            if self.run_compiled(s) {
                continue;
            }
            match self.exec(s)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs a statement by its compiled code ([`fast`]) when it has code that applies:
    /// `true` when that did it, `false` (having changed nothing) when [`Interp::exec`] must.
    /// Tried for the statements of blocks, which loops run over and over.
    #[inline(always)]
    fn run_compiled(&mut self, s: &Stmt) -> bool {
        match &s.kind {
            StmtKind::SetVar(var, _, Some(code)) => match code.get(self) {
                Some(x) => {
                    self.set_var(*var, Value::Num(x));
                    true
                }
                None => false,
            },
            StmtKind::SetPlace(_, _, _, Some(store)) => store.run(self).is_some(),
            _ => false,
        }
    }

    /// Runs a function body: its value is the `return`ed value, else the value of a final
    /// expression statement, else nothing.
    #[inline(always)]
    pub(crate) fn exec_body(&mut self, body: &Body) -> R<Value> {
        let stmts = match body {
            Body::Expr(e) => return self.eval(e),
            Body::Block(stmts) => stmts,
        };
        let Some((last, init)) = stmts.split_last() else { return Ok(Value::Nothing) };
        for s in init {
            // `if c { return e }` at the top of a body (a recursion's base case) returns
            // the value of `e` as it is, through no other layer.
            if let StmtKind::If(branches, else_block) = &s.kind {
                if let Some(body) = self.choose_branch(branches, else_block)? {
                    if let [Stmt { kind: StmtKind::Return(Some(e)), .. }] = body {
                        return self.eval(e);
                    }
                    if let Some(v) = self.run_stmts(body)? {
                        return Ok(v);
                    }
                }
                continue;
            }
            if let Some(v) = self.run_stmts(std::slice::from_ref(s))? {
                return Ok(v);
            }
        }
        match &last.kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.eval(e),
            _ => Ok(self.run_stmts(std::slice::from_ref(last))?.unwrap_or(Value::Nothing)),
        }
    }

    /// Runs statements of a function body that are not inside a loop: `Some(v)` as soon as
    /// one of them returns `v`. A `return` here, also inside `if` branches, hands its value
    /// straight back instead of going through [`Flow`].
    fn run_stmts(&mut self, stmts: &[Stmt]) -> R<Option<Value>> {
        for s in stmts {
            match &s.kind {
                StmtKind::If(branches, else_block) => {
                    if let Some(body) = self.choose_branch(branches, else_block)? {
                        // `if c { return e }`: the value comes straight back.
                        if let [Stmt { kind: StmtKind::Return(Some(e)), .. }] = body {
                            return self.eval(e).map(Some);
                        }
                        if let Some(v) = self.run_stmts(body)? {
                            return Ok(Some(v));
                        }
                    }
                }
                StmtKind::Return(Some(e)) => return self.eval(e).map(Some),
                _ => match self.exec(s)? {
                    Flow::Normal => {}
                    Flow::Return => return Ok(Some(self.take_ret())),
                    Flow::Break | Flow::Continue => return Ok(Some(Value::Nothing)),
                },
            }
        }
        Ok(None)
    }

    /// The branch of an `if` chain whose condition holds first, else the `else` block.
    #[inline(always)]
    fn choose_branch<'b>(
        &mut self,
        branches: &'b [(Expr, Vec<Stmt>)],
        else_block: &'b Option<Vec<Stmt>>,
    ) -> R<Option<&'b [Stmt]>> {
        for (cond, body) in branches {
            if self.condition(cond, "if")? {
                return Ok(Some(body));
            }
        }
        Ok(else_block.as_deref())
    }

    /// The value of a block used as a value (a branch of an `if` expression): that of its
    /// last expression statement, after running the statements before it.
    fn block_value(&mut self, body: &[Stmt], span: Span) -> R<Value> {
        let Some((last, init)) = body.split_last() else { return Ok(Value::Nothing) };
        let flow = self.exec_block(init)?;
        let flow = match (&last.kind, flow) {
            (StmtKind::Expr(e), Flow::Normal) => return self.eval(e),
            (_, Flow::Normal) => self.exec(last)?,
            (_, flow) => flow,
        };
        // The resolver rejects `return`, `break` and `continue` in these blocks.
        let keyword = match flow {
            Flow::Normal => return Ok(Value::Nothing),
            Flow::Return => {
                drop_value(self.take_ret());
                "return"
            }
            Flow::Break => "break",
            Flow::Continue => "continue",
        };
        err(ErrorKind::ControlInValue { keyword }, span)
    }

    /// Takes the value of the `return` that just finished.
    #[inline(always)]
    fn take_ret(&mut self) -> Value {
        std::mem::replace(&mut self.ret, Value::Nothing)
    }

    /// Holds the value of a `return` until the function body takes it.
    #[inline(always)]
    fn set_ret(&mut self, v: Value) -> Flow {
        drop_value(std::mem::replace(&mut self.ret, v));
        Flow::Return
    }

    pub(crate) fn exec(&mut self, s: &Stmt) -> R<Flow> {
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            StmtKind::SetVar(var, e, _) => {
                let v = self.eval(e)?;
                self.set_var(*var, v);
                Ok(Flow::Normal)
            }
            StmtKind::SetPlace(place, op, e, _) if place.element.is_some() => self.exec_set_element(s, place, *op, e),
            StmtKind::If(branches, else_block) => {
                for (cond, body) in branches {
                    if self.condition(cond, "if")? {
                        return self.exec_block(body);
                    }
                }
                match else_block {
                    Some(body) => self.exec_block(body),
                    None => Ok(Flow::Normal),
                }
            }
            StmtKind::Return(Some(e)) => {
                let v = self.eval(e)?;
                Ok(self.set_ret(v))
            }
            _ => self.exec_other(s),
        }
    }

    #[inline(never)]
    fn exec_other(&mut self, s: &Stmt) -> R<Flow> {
        match &s.kind {
            StmtKind::Expr(_) | StmtKind::SetVar(..) => return self.exec(s),
            StmtKind::OpVar(var, op, e) => {
                let rhs = self.eval(e)?;
                let name = self.var_name(*var);
                let lhs = self.get_var(*var, &name, s.span)?;
                let v = self.binary(*op, &lhs, &rhs, s.span, e.span, s.span)?;
                self.set_var(*var, v);
            }
            StmtKind::SetPlace(place, op, e, _) => {
                let v = self.eval(e)?;
                self.assign_place(place, *op, v, e.span)?;
            }
            StmtKind::Destructure(places, e) => {
                let v = self.eval(e)?;
                let items = self.unpack(&v, places.len(), e.span)?;
                for (place, item) in places.iter().zip(items) {
                    self.assign_place(place, None, item, e.span)?;
                }
            }
            StmtKind::If(..) => return self.exec(s),
            StmtKind::While(cond, body) => {
                while self.condition(cond, "while")? {
                    self.tick(s.span)?;
                    match self.exec_block(body)? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
            }
            StmtKind::For(var, iter, body) => return self.exec_for(*var, iter, body, s.span),
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::Nothing,
                };
                return Ok(self.set_ret(v));
            }
            StmtKind::Block(stmts) => return self.exec_block(stmts),
        }
        Ok(Flow::Normal)
    }

    /// The statement `v[i] = e` or `A[i, j] op= e` whose place is an element
    /// ([`crate::hir::Place::element`]): when `e` is arithmetic on numbers, its number is
    /// computed without making values and handed to `assign_place` (whose `set_element`
    /// stores it in place); otherwise the statement runs the general way.
    #[inline(never)]
    fn exec_set_element(&mut self, s: &Stmt, place: &crate::hir::Place, op: Option<BinOp>, e: &Expr) -> R<Flow> {
        match self.num_pure(e) {
            Some(x) => {
                self.assign_place(place, op, Value::Num(x), e.span)?;
                Ok(Flow::Normal)
            }
            None => self.exec_other(s),
        }
    }

    fn var_name(&self, var: Var) -> Rc<str> {
        match var {
            Var::Global(i) => Rc::from(self.global_names.name(i as usize)),
            Var::Local(_) => Rc::from("variable"),
        }
    }

    /// Evaluates an `if` or `while` condition. A comparison of two numbers read in place
    /// gives its answer here, without making a value.
    #[inline(always)]
    fn condition(&mut self, cond: &Expr, what: &str) -> R<bool> {
        if let Some((op, l, r)) = comparison(cond) {
            if let (Some(x), Some(y)) = (self.num_operand(l), self.num_operand(r)) {
                return Ok(compare(op, x, y));
            }
        }
        self.condition_slow(cond, what)
    }

    #[inline(never)]
    fn condition_slow(&mut self, cond: &Expr, what: &str) -> R<bool> {
        // Arithmetic on numbers on either side (`i * i <= n`) is computed without values.
        if let Some((op, l, r)) = comparison(cond) {
            if let Some(x) = self.num_pure(l) {
                if let Some(y) = self.num_pure(r) {
                    return Ok(compare(op, x, y));
                }
            }
        }
        // A comparison of two numbers gives its answer without making a value.
        if let ExprKind::Binary(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), l, r) = &cond.kind {
            let a = self.operand(l)?;
            let b = match self.operand(r) {
                Ok(b) => b,
                Err(e) => {
                    drop_value(a);
                    return Err(e);
                }
            };
            if let (Value::Num(x), Value::Num(y)) = (&a, &b) {
                let t = match op {
                    BinOp::Lt => x < y,
                    BinOp::Le => x <= y,
                    BinOp::Gt => x > y,
                    _ => x >= y,
                };
                std::mem::forget(a);
                std::mem::forget(b);
                return Ok(t);
            }
            return match self.binary_other(*op, a, b, l, r, cond.span)? {
                Value::Bool(t) => Ok(t),
                other => self.condition_error(other, cond, what),
            };
        }
        match self.eval(cond)? {
            Value::Bool(b) => Ok(b),
            other => self.condition_error(other, cond, what),
        }
    }

    #[inline(never)]
    fn condition_error(&self, other: Value, cond: &Expr, what: &str) -> R<bool> {
        {
            {
                let mut e = RuntimeError::new(
                    ErrorKind::TypeMismatch {
                        op: format!("the `{what}` condition"),
                        expected: "a bool".into(),
                        found: describe(&other),
                    },
                    cond.span,
                );
                if matches!(other, Value::Matrix(_)) {
                    e.kind = ErrorKind::Builtin {
                        function: what.to_string(),
                        code: "type-mismatch",
                        message: format!("the `{what}` condition must be a bool, found {}", describe(&other)),
                        help: vec![
                            "`==` compares whole matrices; element-wise comparisons (`.<`, `.==`, …) give a matrix of 0s and 1s: reduce it with `all(...)` or `any(...)`".into(),
                        ],
                        notes: Vec::new(),
                        call: None,
                    };
                }
                Err(Box::new(e))
            }
        }
    }

    fn exec_for(&mut self, var: Var, iter: &Expr, body: &[Stmt], span: Span) -> R<Flow> {
        let seq = self.eval(iter)?;
        macro_rules! run_body {
            ($value:expr) => {{
                self.tick(span)?;
                self.set_var(var, $value);
                match self.exec_block(body)? {
                    Flow::Break => break,
                    Flow::Return => return Ok(Flow::Return),
                    Flow::Normal | Flow::Continue => {}
                }
            }};
        }
        match &seq {
            Value::Range(r) => {
                for i in 0..r.len() {
                    run_body!(Value::Num(r.at(i)));
                }
            }
            Value::Num(_) | Value::Bool(_) => {
                for v in [seq.clone()] {
                    run_body!(v);
                }
            }
            Value::Matrix(m) if m.nrows() == 1 || m.ncols() == 1 || m.is_empty() => {
                for i in 0..m.len() {
                    run_body!(Value::Num(m[i]));
                }
            }
            Value::List(items) => {
                for i in 0..items.len() {
                    run_body!(items[i].clone());
                }
            }
            Value::Complex(_) => {
                for v in [seq.clone()] {
                    run_body!(v);
                }
            }
            Value::Dual(_) | Value::Jet(_) if seq.shape().is_some_and(|(r, c)| r == 1 || c == 1) => {
                let n = seq.shape().map_or(0, |(r, c)| r * c);
                for i in 0..n {
                    run_body!(self.gather(&seq, &[index::Ix::One(i)])?);
                }
            }
            Value::CMatrix(m) if m.nrows() == 1 || m.ncols() == 1 => {
                for i in 0..m.len() {
                    run_body!(Value::complex(m[i]));
                }
            }
            Value::Matrix(m) => {
                return Err(Box::new(RuntimeError::new(
                    ErrorKind::Builtin {
                        function: "for".into(),
                        code: "type-mismatch",
                        message: format!(
                            "`for` iterates over a vector, range or list, found a {}×{} matrix",
                            m.nrows(),
                            m.ncols()
                        ),
                        help: vec![
                            "loop over the columns with `for j in 1:cols(A)` and use `A[:, j]`".into(),
                            "or over every element with `for x in reshape(A, numel(A), 1)`".into(),
                        ],
                        notes: Vec::new(),
                        call: None,
                    },
                    iter.span,
                )))
            }
            other => return type_err("`for`", "a range, vector or list", other, iter.span),
        }
        Ok(Flow::Normal)
    }

    /// Splits a value into `n` parts for `a, b = v`.
    fn unpack(&self, v: &Value, n: usize, span: Span) -> R<Vec<Value>> {
        let items: Vec<Value> = match v {
            Value::List(items) => items.to_vec(),
            Value::Record(r) => r.fields.iter().map(|(_, v)| v.clone()).collect(),
            Value::Matrix(m) if m.nrows() == 1 || m.ncols() == 1 => m.iter().map(|x| Value::Num(*x)).collect(),
            Value::Range(r) => (0..r.len().min(n + 1)).map(|i| Value::Num(r.at(i))).collect(),
            Value::Dual(_) | Value::Jet(_) if v.shape().is_some_and(|(r, c)| r == 1 || c == 1) => {
                let len = v.shape().map_or(0, |(r, c)| r * c);
                (0..len).map(|i| self.gather(v, &[index::Ix::One(i)])).collect::<R<Vec<_>>>()?
            }
            other => return type_err("destructuring", "a list, record or vector", other, span),
        };
        if items.len() != n {
            let found = if let Value::Range(r) = v { r.len() } else { items.len() };
            let fields = if let Value::Record(r) = v { index::record_fields(r) } else { Vec::new() };
            return err(ErrorKind::DestructureCount { targets: n, found, fields }, span);
        }
        Ok(items)
    }

    /// Evaluates an expression. The common kinds are handled here, in a small function
    /// that is cheap to enter; the rest in [`Interp::eval_other`].
    ///
    /// Every arm is either a value read in place or a tail call, so entering `eval` saves no
    /// registers.
    pub(crate) fn eval(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Num(x) => Ok(Value::Num(*x)),
            ExprKind::Var(..) => {
                if let Some(x) = self.num_operand(e) {
                    return Ok(Value::Num(x));
                }
                self.get_var_slow(e)
            }
            ExprKind::Binary(op, l, r) => {
                if let (Some(x), Some(y)) = (self.num_operand(l), self.num_operand(r)) {
                    if let Some(v) = num_binary(*op, x, y) {
                        return Ok(v);
                    }
                }
                self.eval_binary(*op, l, r, e.span)
            }
            ExprKind::Call(..) => self.call_expr(e),
            ExprKind::Index(..) | ExprKind::Element(..) => self.eval_index_call(e),
            _ => self.eval_other(e),
        }
    }

    /// Reads a variable holding anything but a number (few arguments, so `eval` tail-calls it).
    #[inline(never)]
    fn get_var_slow(&self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Var(var, name) => self.get_var(*var, name, e.span),
            _ => Ok(Value::Nothing),
        }
    }

    #[inline(never)]
    fn eval_index_call(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Index(base, ix) => self.eval_index(base, ix, e.span),
            ExprKind::Element(el) => self.eval_element(el, e.span),
            _ => Ok(Value::Nothing),
        }
    }

    #[inline(never)]
    fn eval_other(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Num(_)
            | ExprKind::Var(..)
            | ExprKind::Binary(..)
            | ExprKind::Call(..)
            | ExprKind::Index(..)
            | ExprKind::Element(..) => self.eval(e),
            ExprKind::Deep(d) => match d.inner() {
                Some(x) => stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.eval(x)),
                None => Ok(Value::Nothing),
            },
            ExprKind::Imag(x) => Ok(Value::complex(C64::new(0.0, *x))),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Nothing => Ok(Value::Nothing),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Interp(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        StrPart::Lit(l) => s.push_str(l),
                        StrPart::Expr(x) => match self.eval(x)? {
                            Value::Str(t) => s.push_str(&t),
                            v => s.push_str(&format_value(&v, &self.format)),
                        },
                    }
                    self.limits
                        .check_length("string", s.len())
                        .map_err(|err| self.builtin_error_at("string", err, e.span, &[]))?;
                }
                Ok(Value::str(s))
            }
            ExprKind::Builtin(b) => Ok(Value::Builtin(b)),
            ExprKind::SelfFn => match &self.current {
                Some(c) => Ok(Value::Func(c.clone())),
                None => err(ErrorKind::Unassigned { name: "function".into() }, e.span),
            },
            ExprKind::End => match self.ends.last() {
                Some(&n) => Ok(Value::Num(n as f64)),
                None => err(ErrorKind::MisplacedControl { keyword: "end" }, e.span),
            },
            ExprKind::Colon => err(ErrorKind::MisplacedControl { keyword: ":" }, e.span),
            ExprKind::Matrix(rows) => self.eval_matrix(rows, e.span),
            ExprKind::List(items) => {
                let items = items.iter().map(|x| self.eval(x)).collect::<R<Vec<_>>>()?;
                Ok(Value::List(Rc::new(items)))
            }
            ExprKind::Record(fields) => {
                let mut r = Record::default();
                for (name, x) in fields {
                    let v = self.eval(x)?;
                    r.set(name.clone(), v);
                }
                Ok(Value::Record(Rc::new(r)))
            }
            ExprKind::Range(start, step, stop) => {
                let a = self.range_part(start)?;
                let s = match step {
                    Some(s) => self.range_part(s)?,
                    None => 1.0,
                };
                let b = self.range_part(stop)?;
                let Some(r) = RangeVal::new(a, s, b) else {
                    let what =
                        if s == 0.0 { "the step of a range cannot be zero" } else { "a range cannot contain nan" };
                    return err(
                        ErrorKind::Builtin {
                            function: ":".into(),
                            code: "invalid-range",
                            message: what.into(),
                            help: Vec::new(),
                            notes: Vec::new(),
                            call: None,
                        },
                        step.as_ref().map_or(e.span, |s| s.span),
                    );
                };
                if r.len() > self.limits.max_elements {
                    return err(
                        ErrorKind::Builtin {
                            function: ":".into(),
                            code: "limit-exceeded",
                            message: format!("this range has more than {} elements", self.limits.max_elements),
                            help: vec!["raise the limit with --max-elements".into()],
                            notes: Vec::new(),
                            call: None,
                        },
                        e.span,
                    );
                }
                Ok(Value::Range(Rc::new(r)))
            }
            ExprKind::Unary(op, x) => {
                let v = self.eval(x)?;
                if let (UnOp::Neg, Value::Num(n)) = (op, &v) {
                    return Ok(Value::Num(-n));
                }
                ops::unary(*op, &v).map_err(|oe| self.op_error(oe, UnOp::symbol(*op), x.span, x.span, e.span))
            }
            ExprKind::Transpose(x) => {
                let v = self.eval(x)?;
                ops::transpose(&v).map_err(|oe| self.op_error(oe, "'", x.span, x.span, e.span))
            }
            ExprKind::Field(base, name) => {
                let v = self.eval(base)?;
                match &v {
                    Value::Record(r) => match r.get(name) {
                        Some(f) => Ok(f.clone()),
                        None => err(
                            ErrorKind::NoField {
                                name: name.to_string(),
                                available: r.fields.iter().map(|(n, _)| n.to_string()).collect(),
                            },
                            e.span,
                        ),
                    },
                    other => {
                        err(ErrorKind::FieldOfNonRecord { name: name.to_string(), found: describe(other) }, base.span)
                    }
                }
            }
            ExprKind::If(branches, else_block) => {
                let Some(body) = self.choose_branch(branches, else_block)? else { return Ok(Value::Nothing) };
                self.block_value(body, e.span)
            }
            ExprKind::Lambda(proto, sources) => {
                let mut captures = Vec::with_capacity(sources.len());
                for src in sources {
                    let slot = match *src {
                        Var::Local(i) => self.stack.get(self.base + i as usize),
                        Var::Global(i) => self.globals.get(i as usize),
                    };
                    // A variable with no value yet stays empty: reading it inside the
                    // function reports that it had no value when the function was made.
                    captures.push(slot.cloned().flatten());
                }
                Ok(Value::Func(Rc::new(Closure { proto: proto.clone(), captures: captures.into_boxed_slice() })))
            }
        }
    }

    fn range_part(&mut self, e: &Expr) -> R<f64> {
        let v = self.eval(e)?;
        match v.as_scalar() {
            Some(x) if !matches!(v, Value::Bool(_)) => Ok(x),
            _ => type_err("`:`", "a number", &v, e.span),
        }
    }

    #[inline(never)]
    fn eval_binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> R<Value> {
        if let BinOp::And | BinOp::Or = op {
            return self.eval_logic(op, l, r);
        }
        // A number operand is read out of the result where it was written: copying the
        // whole result first would load 16 bytes just stored piecewise, which stalls.
        let ra = self.operand(l);
        if let Ok(Value::Num(x)) = ra {
            std::mem::forget(ra);
            let rb = self.operand(r);
            if let Ok(Value::Num(y)) = rb {
                std::mem::forget(rb);
                if let Some(v) = num_binary(op, x, y) {
                    return Ok(v);
                }
                return self.binary_other(op, Value::Num(x), Value::Num(y), l, r, span);
            }
            return self.binary_other(op, Value::Num(x), rb?, l, r, span);
        }
        let a = ra?;
        let b = match self.operand(r) {
            Ok(b) => b,
            Err(e) => {
                drop_value(a);
                return Err(e);
            }
        };
        self.binary_other(op, a, b, l, r, span)
    }

    /// Binary operators on anything but two numbers (kept out of the hot path).
    #[inline(never)]
    fn binary_other(&self, op: BinOp, a: Value, b: Value, l: &Expr, r: &Expr, span: Span) -> R<Value> {
        self.binary(op, &a, &b, l.span, r.span, span).map_err(|e| quote_operands(e, op, l, r))
    }

    /// `and` / `or`, evaluating the right side only when needed.
    #[inline(never)]
    fn eval_logic(&mut self, op: BinOp, l: &Expr, r: &Expr) -> R<Value> {
        let a = self.eval(l)?;
        let Value::Bool(x) = a else { return type_err(&format!("`{}`", op.symbol()), "a bool", &a, l.span) };
        if (op == BinOp::And && !x) || (op == BinOp::Or && x) {
            return Ok(Value::Bool(x));
        }
        match self.eval(r)? {
            Value::Bool(y) => Ok(Value::Bool(y)),
            other => type_err(&format!("`{}`", op.symbol()), "a bool", &other, r.span),
        }
    }

    /// Applies a binary operator, attaching operand spans to errors.
    pub(crate) fn binary(&self, op: BinOp, a: &Value, b: &Value, ls: Span, rs: Span, span: Span) -> R<Value> {
        if op == BinOp::Add {
            let joined = match (a, b) {
                (Value::Str(x), Value::Str(y)) => Some(("string", x.len().saturating_add(y.len()))),
                (Value::List(x), Value::List(y)) => Some(("list", x.len().saturating_add(y.len()))),
                _ => None,
            };
            if let Some((what, n)) = joined {
                self.limits.check_length(what, n).map_err(|e| self.builtin_error_at("+", e, span, &[]))?;
            }
        }
        if matches!(op, BinOp::LeftDiv | BinOp::Div | BinOp::Pow) {
            // Solves and matrix powers cannot stop halfway: refused up front if they could not
            // finish in the time left.
            let size = |v: &Value| v.shape().filter(|&(r, c)| r * c > 1).map(|(r, c)| r.max(c) as f64);
            if let Some(n) = size(a).into_iter().chain(size(b)).reduce(f64::max) {
                let steps =
                    if op == BinOp::Pow { b.as_scalar().map_or(1.0, |k| k.abs().max(2.0).log2() * 2.0) } else { 1.0 };
                self.check_work_at(2.0 * n * n * n * steps, span)?;
            }
        }
        if let Some(work) = crate::ad::jet::work(op, a, b).filter(|w| *w > PRODUCT_BLOCK) {
            // Jets multiply the work by their coefficients: refused up front if too much.
            self.check_work_at(work, span)?;
        }
        if op == BinOp::Mul {
            if let (Value::Matrix(x), Value::Matrix(y)) = (a, b) {
                let work = (x.nrows() as f64) * (x.ncols() as f64) * (y.ncols() as f64);
                if work > PRODUCT_BLOCK && x.ncols() == y.nrows() {
                    return self.blocked_product(x, y, ls, rs, span);
                }
            }
        }
        ops::binary(op, a, b).map_err(|oe| self.op_error(oe, op.symbol(), ls, rs, span))
    }

    /// A large matrix product, a block of columns at a time, checking Ctrl-C and the time
    /// limit between blocks so that neither waits for the whole product.
    #[inline(never)]
    fn blocked_product(&self, x: &Rc<Matrix>, y: &Rc<Matrix>, ls: Span, rs: Span, span: Span) -> R<Value> {
        self.limits.check_alloc(x.nrows(), y.ncols()).map_err(|e| self.builtin_error_at("*", e, span, &[]))?;
        let per_column = (x.nrows() as f64) * (x.ncols() as f64);
        let width = ((PRODUCT_BLOCK / per_column.max(1.0)) as usize).clamp(1, y.ncols());
        let mut out = Matrix::zeros(x.nrows(), y.ncols());
        let left = Value::Matrix(x.clone());
        let mut j = 0;
        while j < y.ncols() {
            self.check_work_at(0.0, span)?;
            let w = width.min(y.ncols() - j);
            let block = Value::matrix(y.columns(j, w).into_owned());
            match ops::binary(BinOp::Mul, &left, &block).map_err(|oe| self.op_error(oe, "*", ls, rs, span))? {
                Value::Matrix(part) => out.columns_mut(j, w).copy_from(&*part),
                Value::Num(v) => out[(0, j)] = v,
                _ => {}
            }
            j += w;
        }
        Ok(Value::matrix(out))
    }

    pub(crate) fn op_error(&self, oe: OpError, op: &str, ls: Span, rs: Span, _span: Span) -> Box<RuntimeError> {
        op_error(oe, op, ls, rs)
    }

    /// Builds a matrix literal: a single row of numbers is a column vector; otherwise the
    /// items of each row are joined side by side and the rows stacked.
    fn eval_matrix(&mut self, rows: &[Vec<Expr>], span: Span) -> R<Value> {
        let mut evaluated = Vec::with_capacity(rows.len());
        for row in rows {
            let values = row.iter().map(|x| self.eval(x)).collect::<R<Vec<_>>>()?;
            evaluated.push((values, row));
        }
        self.build_matrix(evaluated, span)
    }

    /// Builds a matrix literal from its evaluated items; with items being differentiated,
    /// the primal and tangent literals are built alike.
    fn build_matrix(&self, evaluated: Vec<(Vec<Value>, &Vec<Expr>)>, span: Span) -> R<Value> {
        let all: Vec<Value> = evaluated.iter().flat_map(|(vals, _)| vals.iter().cloned()).collect();
        if let Some(tag) = crate::ad::jet::top(&all) {
            // A jet: the literal of each Taylor coefficient.
            return crate::ad::jet::rearrange_with(&all, tag, &mut |part| {
                let mut rest = part.iter().cloned();
                let rows = evaluated.iter().map(|(vals, ex)| (rest.by_ref().take(vals.len()).collect(), *ex)).collect();
                self.build_matrix(rows, span)
            });
        }
        if let Some(tag) = evaluated.iter().flat_map(|(vals, _)| vals.iter()).filter_map(crate::ad::tag_of).max() {
            let part = |f: fn(&Value, u32) -> Value| -> Vec<(Vec<Value>, &Vec<Expr>)> {
                evaluated.iter().map(|(vals, ex)| (vals.iter().map(|x| f(x, tag)).collect(), *ex)).collect()
            };
            let v = self.build_matrix(part(crate::ad::primal), span)?;
            let tangents = part(crate::ad::tangent);
            if !tangents.iter().any(|(vals, _)| vals.iter().any(|x| matches!(x, Value::Lin(_)))) {
                let d = self.build_matrix(tangents, span)?;
                return Ok(crate::ad::make(tag, v, d));
            }
            // Reverse mode: the tape learns where each item's elements land.
            let flat: Vec<Value> = tangents.iter().flat_map(|(vals, _)| vals.iter().cloned()).collect();
            let d = crate::ad::tape::structural(
                &flat,
                &mut |labels| {
                    let mut rest = labels.iter().cloned();
                    let rows =
                        tangents.iter().map(|(vals, ex)| (rest.by_ref().take(vals.len()).collect(), *ex)).collect();
                    self.build_matrix(rows, span)
                },
                |e| self.op_error(e, "[…]", span, span, span),
            )?;
            return Ok(crate::ad::make(tag, v, d));
        }
        let complex =
            evaluated.iter().any(|(vals, _)| vals.iter().any(|v| matches!(v, Value::Complex(_) | Value::CMatrix(_))));
        if evaluated.len() == 1 && evaluated[0].0.iter().all(|v| v.shape() == Some((1, 1))) {
            // `[1, 2, 3]` is a column.
            let items = &evaluated[0].0;
            if complex {
                let data: Vec<C64> = items.iter().filter_map(|v| v.to_cmatrix().map(|m| m[0])).collect();
                return Ok(Value::cmatrix(nalgebra::DMatrix::from_vec(data.len(), 1, data)));
            }
            return Ok(Value::column(items.iter().filter_map(Value::as_scalar).collect()));
        }
        if complex {
            let m = self.concat(&evaluated, C64::new(0.0, 0.0), Value::to_cmatrix)?;
            self.finish_literal(m.shape(), span)?;
            return Ok(narrow(Value::cmatrix(m)));
        }
        let m = self.concat(&evaluated, 0.0, Value::to_matrix)?;
        self.finish_literal(m.shape(), span)?;
        Ok(ops::from_matrix(m))
    }

    fn finish_literal(&self, (rows, cols): (usize, usize), span: Span) -> R<()> {
        self.limits.check_alloc(rows, cols).map_err(|e| self.builtin_error_at("[...]", e, span, &[]))
    }

    /// Joins the items of each row side by side, then stacks the rows.
    fn concat<T: nalgebra::Scalar + Copy>(
        &self,
        rows: &[(Vec<Value>, &Vec<Expr>)],
        zero: T,
        convert: impl Fn(&Value) -> Option<Rc<nalgebra::DMatrix<T>>>,
    ) -> R<nalgebra::DMatrix<T>> {
        type Block<T> = (nalgebra::DMatrix<T>, Span);
        let mut blocks: Vec<Block<T>> = Vec::new();
        for (values, exprs) in rows {
            let mut parts: Vec<(Rc<nalgebra::DMatrix<T>>, Span)> = Vec::new();
            for (v, x) in values.iter().zip(exprs.iter()) {
                let Some(m) = convert(v) else {
                    return type_err("a matrix literal", "numbers or matrices", v, x.span);
                };
                if !m.is_empty() {
                    parts.push((m, x.span));
                }
            }
            let Some(first) = parts.first() else { continue };
            let height = first.0.nrows();
            if let Some((bad, bspan)) = parts.iter().find(|(m, _)| m.nrows() != height) {
                return Err(Box::new(RuntimeError::new(
                    ErrorKind::ShapeMismatch {
                        op: "[A, B]".into(),
                        lhs: (first.0.shape(), first.1),
                        rhs: (bad.shape(), *bspan),
                        rule: "items side by side in a matrix literal need the same number of rows".into(),
                        help: vec!["to stack blocks on top of each other, separate them with `;`".into()],
                    },
                    first.1,
                )));
            }
            let width: usize = parts.iter().map(|(m, _)| m.ncols()).sum();
            let mut row = nalgebra::DMatrix::from_element(height, width, zero);
            let mut c = 0;
            for (m, _) in &parts {
                row.view_mut((0, c), m.shape()).copy_from(&**m);
                c += m.ncols();
            }
            let rspan = parts[0].1.to(parts[parts.len() - 1].1);
            blocks.push((row, rspan));
        }
        let Some(first) = blocks.first() else { return Ok(nalgebra::DMatrix::from_element(0, 0, zero)) };
        let width = first.0.ncols();
        if let Some((bad, bspan)) = blocks.iter().find(|(m, _)| m.ncols() != width) {
            return Err(Box::new(RuntimeError::new(
                ErrorKind::ShapeMismatch {
                    op: "[A; B]".into(),
                    lhs: (first.0.shape(), first.1),
                    rhs: (bad.shape(), *bspan),
                    rule: "rows of a matrix literal need the same number of columns".into(),
                    help: vec!["to put blocks side by side, separate them with `,`".into()],
                },
                first.1,
            )));
        }
        let height: usize = blocks.iter().map(|(m, _)| m.nrows()).sum();
        let mut out = nalgebra::DMatrix::from_element(height, width, zero);
        let mut r = 0;
        for (m, _) in &blocks {
            out.view_mut((r, 0), m.shape()).copy_from(m);
            r += m.nrows();
        }
        Ok(out)
    }
}

/// A 1×1 matrix literal result is a number.
fn narrow(v: Value) -> Value {
    match &v {
        Value::CMatrix(m) if m.len() == 1 && m.nrows() == 1 => Value::complex(m[0]),
        Value::Matrix(m) if m.len() == 1 && m.nrows() == 1 => Value::Num(m[0]),
        _ => v,
    }
}
