//! Calls: binding arguments to parameters, user-function frames, builtins, and the
//! [`CallCtx`] that lets builtins call back into MML functions.

use std::rc::Rc;

use mml_lang::Span;

use super::{err, Closure, Interp, R, STACK_RED_ZONE, STACK_SEGMENT};
use crate::builtin::{Args, Builtin, BuiltinError, CallCtx, ParamDefault};
use crate::display::{describe, FormatOptions};
use crate::error::{ErrorKind, RuntimeError};
use crate::hir::{Arg, Expr, ExprKind, Proto, Var};
use crate::limits::Limits;
use crate::resolve::closest;
use crate::value::Value;

/// Whether `args` bind to the parameters of `proto` by position alone, leaving out some that
/// have defaults (the frame fills them in): no names, not too many.
#[inline(never)]
fn binds_with_defaults(proto: &Proto, args: &[Arg]) -> bool {
    args.len() <= proto.params.len()
        && args.iter().all(|a| a.name.is_none())
        && proto.params[args.len()..].iter().all(|p| p.default.is_some())
}

/// An evaluated argument.
pub(crate) struct ArgVal {
    name: Option<(Rc<str>, Span)>,
    value: Value,
    span: Span,
}

impl Interp<'_> {
    /// Evaluates a call. Calls by position of a closure (a recursive call by name, or a
    /// function in a variable) or of a builtin by name take the short paths. Each path takes
    /// the call expression `e` alone, so that `eval` tail-calls it.
    #[inline(always)]
    pub(crate) fn call_expr(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Call(callee, _) => match callee.kind {
                ExprKind::SelfFn => self.call_self(e),
                ExprKind::Var(..) => self.call_var(e),
                ExprKind::Builtin(_) => self.call_builtin_expr(e),
                _ => self.call_other(e),
            },
            _ => Ok(Value::Nothing),
        }
    }

    #[inline(never)]
    fn call_other(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Call(callee, args) => self.call_general(callee, args, e.span),
            _ => Ok(Value::Nothing),
        }
    }

    /// A call of a builtin by name with every argument given by position: the arguments
    /// are evaluated into an array on the Rust stack, not into vectors.
    #[inline(never)]
    fn call_builtin_expr(&mut self, e: &Expr) -> R<Value> {
        const MAX: usize = 6;
        let ExprKind::Call(callee, args) = &e.kind else { return Ok(Value::Nothing) };
        let ExprKind::Builtin(b) = callee.kind else { return self.call_other(e) };
        let nfixed = b.params.iter().take_while(|p| p.default != ParamDefault::Variadic).count();
        let variadic = nfixed < b.params.len();
        let total = args.len().max(nfixed);
        let fits = total <= MAX
            && (variadic || args.len() <= b.positional())
            && args.iter().all(|a| a.name.is_none())
            && b.params[args.len().min(nfixed)..nfixed].iter().all(|p| p.default != ParamDefault::Required);
        if !fits {
            return self.call_other(e);
        }
        let span = e.span;
        let mut values: [Value; MAX] = std::array::from_fn(|_| Value::Nothing);
        for (slot, a) in values.iter_mut().zip(args) {
            *slot = self.eval(&a.value)?;
        }
        for (slot, p) in values.iter_mut().zip(b.params).take(nfixed).skip(args.len()) {
            *slot = p.default.value();
        }
        let saved = std::mem::replace(&mut self.call_span, span);
        let result = (b.run)(self, &Args { values: &values[..total], nfixed });
        self.call_span = saved;
        for v in values {
            super::drop_value(v);
        }
        result.map_err(|err| {
            let spans: Vec<Span> = (0..total).map(|i| args.get(i).map_or(span, |a| a.value.span)).collect();
            self.builtin_error_at(b.name, err, span, &spans)
        })
    }

    /// A recursive call by name: the running closure, without wrapping it in a value.
    #[inline(never)]
    fn call_self(&mut self, e: &Expr) -> R<Value> {
        let ExprKind::Call(callee, args) = &e.kind else { return Ok(Value::Nothing) };
        let span = e.span;
        if let Some(c) = &self.current {
            // The running closure stays the running closure.
            if let Some(result) = self.call_positional::<true>(&c.clone(), args, span) {
                return result;
            }
        }
        self.call_general(callee, args, span)
    }

    /// A call of a function in a variable: the closure itself, without cloning it as a value.
    #[inline(never)]
    fn call_var(&mut self, e: &Expr) -> R<Value> {
        let ExprKind::Call(callee, args) = &e.kind else { return Ok(Value::Nothing) };
        let span = e.span;
        let slot = match callee.kind {
            ExprKind::Var(Var::Local(i), _) => self.stack.get(self.base + i as usize),
            ExprKind::Var(Var::Global(i), _) => self.globals.get(i as usize),
            _ => None,
        };
        if let Some(Some(Value::Func(c))) = slot {
            if let Some(result) = self.call_positional::<false>(&c.clone(), args, span) {
                return result;
            }
        }
        self.call_general(callee, args, span)
    }

    /// Calls closure `c` with arguments bound by position (`RECURSIVE`: it is the running
    /// closure), when they allow it: all given positionally, or leaving out defaulted
    /// parameters. `None` otherwise, for the general path.
    #[inline(always)]
    fn call_positional<const RECURSIVE: bool>(
        &mut self,
        c: &Rc<Closure>,
        args: &[Arg],
        span: Span,
    ) -> Option<R<Value>> {
        if args.len() == c.proto.params.len() && args.iter().all(|a| a.name.is_none()) {
            return Some(self.push_args(args).and_then(|base| self.enter_frame::<RECURSIVE, true>(c, base, span)));
        }
        if binds_with_defaults(&c.proto, args) {
            return Some(self.push_args(args).and_then(|base| self.enter_frame::<RECURSIVE, false>(c, base, span)));
        }
        None
    }

    #[inline(never)]
    fn call_general(&mut self, callee: &Expr, args: &[Arg], span: Span) -> R<Value> {
        let f = match &callee.kind {
            ExprKind::SelfFn => match &self.current {
                Some(c) => Value::Func(c.clone()),
                None => return err(ErrorKind::Unassigned { name: "function".into() }, callee.span),
            },
            _ => self.eval(callee)?,
        };
        match &f {
            Value::Func(c) if args.iter().all(|a| a.name.is_none()) && args.len() == c.proto.params.len() => {
                // The common case: every parameter given by position, straight onto the stack.
                let base = self.push_args(args)?;
                self.enter_frame::<false, true>(c, base, span)
            }
            Value::Func(_) | Value::Builtin(_) | Value::Bound(_) | Value::Record(_) if !matches!(&f, Value::Record(r) if r.called().is_none()) =>
            {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let value = self.eval(&a.value)?;
                    vals.push(ArgVal { name: a.name.clone(), value, span: a.value.span });
                }
                self.call_with(&f, vals, span)
            }
            Value::Record(r) => {
                err(ErrorKind::RecordByPosition { fields: super::index::record_fields(r), called: true }, callee.span)
            }
            other => err(ErrorKind::NotCallable { found: describe(other) }, callee.span),
        }
    }

    /// Evaluates positional arguments straight onto the stack; returns where they start.
    #[inline(always)]
    fn push_args(&mut self, args: &[Arg]) -> R<usize> {
        let base = self.stack.len();
        for a in args {
            match self.eval(&a.value) {
                // A number is written in place as its tag and its value: copying the 16 bytes
                // `eval` has just written piecewise would stall on the load.
                Ok(v) => {
                    if let Value::Num(x) = v {
                        std::mem::forget(v);
                        self.stack.push(None);
                        if let Some(slot) = self.stack.last_mut() {
                            // The slot holds `None`: nothing to drop.
                            std::mem::forget(slot.replace(Value::Num(x)));
                        }
                    } else {
                        self.stack.push(Some(v));
                    }
                }
                Err(e) => {
                    self.stack.truncate(base);
                    return Err(e);
                }
            }
        }
        Ok(base)
    }

    /// Calls any function value with positional arguments.
    pub(crate) fn call_value(&mut self, f: &Value, args: &[Value], span: Span) -> R<Value> {
        if let Value::Func(c) = f {
            if args.len() == c.proto.params.len() {
                // Every parameter given: straight onto the stack.
                let base = self.stack.len();
                self.stack.extend(args.iter().map(|v| Some(v.clone())));
                return self.enter_frame::<false, true>(c, base, span);
            }
        }
        let vals = args.iter().map(|v| ArgVal { name: None, value: v.clone(), span }).collect();
        self.call_with(f, vals, span)
    }

    /// Calls a function value with evaluated arguments.
    fn call_with(&mut self, f: &Value, mut args: Vec<ArgVal>, span: Span) -> R<Value> {
        match f {
            Value::Func(c) => self.call_closure(c, args, span),
            Value::Builtin(b) => self.call_builtin(b, args, span),
            Value::Bound(bound) => {
                let mut all: Vec<ArgVal> =
                    bound.args.iter().map(|v| ArgVal { name: None, value: v.clone(), span }).collect();
                all.append(&mut args);
                self.call_builtin(bound.builtin, all, span)
            }
            Value::Record(r) => match r.called() {
                Some(g) => {
                    let g = g.clone();
                    self.call_with(&g, args, span)
                }
                None => err(ErrorKind::RecordByPosition { fields: super::index::record_fields(r), called: true }, span),
            },
            other => err(ErrorKind::NotCallable { found: describe(other) }, span),
        }
    }

    fn call_closure(&mut self, c: &Rc<Closure>, args: Vec<ArgVal>, span: Span) -> R<Value> {
        let params = &c.proto.params;
        let mut bound: Vec<Option<Value>> = vec![None; params.len()];
        let mut positional = 0;
        for a in args {
            match &a.name {
                None => {
                    if positional >= params.len() {
                        let required = params.iter().filter(|p| p.default.is_none()).count();
                        return err(
                            ErrorKind::ArgCount {
                                function: c.proto.name.to_string(),
                                signature: c.signature(),
                                expected: (required, Some(params.len())),
                                got: positional + 1,
                            },
                            span,
                        );
                    }
                    bound[positional] = Some(a.value);
                    positional += 1;
                }
                Some((name, nspan)) => match params.iter().position(|p| p.name == *name) {
                    Some(i) if bound[i].is_some() => {
                        return err(ErrorKind::DuplicateArgument { name: name.to_string() }, *nspan)
                    }
                    Some(i) => bound[i] = Some(a.value),
                    None => {
                        return err(
                            ErrorKind::UnknownKeyword {
                                function: c.proto.name.to_string(),
                                name: name.to_string(),
                                signature: c.signature(),
                            },
                            *nspan,
                        )
                    }
                },
            }
        }
        let missing: Vec<usize> =
            (0..params.len()).filter(|&i| bound[i].is_none() && params[i].default.is_none()).collect();
        if !missing.is_empty() {
            let required = params.iter().filter(|p| p.default.is_none()).count();
            let given = bound.iter().filter(|b| b.is_some()).count();
            return err(
                ErrorKind::ArgCount {
                    function: c.proto.name.to_string(),
                    signature: c.signature(),
                    expected: (required, Some(params.len())),
                    got: given,
                },
                span,
            );
        }
        let base = self.stack.len();
        self.stack.extend(bound);
        self.enter(c, base, span)
    }

    /// Runs closure `c` whose arguments (possibly fewer than its parameters, for defaults)
    /// are on the stack from `base`.
    fn enter(&mut self, c: &Rc<Closure>, base: usize, span: Span) -> R<Value> {
        self.enter_frame::<false, false>(c, base, span)
    }

    /// [`Interp::enter`], with what the caller already knows about the call: `SAME`, the
    /// callee is the closure running now (a recursive call by name); `FULL`, every parameter
    /// has its argument on the stack.
    #[inline(always)]
    fn enter_frame<const SAME: bool, const FULL: bool>(
        &mut self,
        c: &Rc<Closure>,
        base: usize,
        span: Span,
    ) -> R<Value> {
        if self.depth >= self.limits.max_call_depth {
            self.pop_frame(base);
            return err(ErrorKind::RecursionLimit { depth: self.limits.max_call_depth }, span);
        }
        if let Err(e) = self.tick(span) {
            self.pop_frame(base);
            return Err(e);
        }
        let proto = &c.proto;
        // The frame: the arguments (on the stack already), the other locals, the captures.
        let top = base + proto.nslots as usize;
        if self.stack.len() < top {
            self.push_frame_rest(c, base);
        }
        let saved_base = std::mem::replace(&mut self.base, base);
        // Only a function that calls itself by name reads the running closure.
        let saved_current = if SAME || !proto.recursive { None } else { Some(self.current.replace(c.clone())) };
        self.depth += 1;
        // Checking the stack costs a little, so it is done every few levels; the red zone
        // is large enough for the levels in between.
        let result = if self.depth.is_multiple_of(8) {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.run_frame::<FULL>(proto, base))
        } else {
            self.run_frame::<FULL>(proto, base)
        };
        self.depth -= 1;
        if let Some(saved) = saved_current {
            self.current = saved;
        }
        self.base = saved_base;
        self.pop_frame(base);
        match result {
            // A number is rebuilt from its value rather than copied as 16 bytes that were
            // just written piecewise (a load that waits for those stores to land).
            Ok(v) => {
                if let Value::Num(x) = v {
                    std::mem::forget(v);
                    return Ok(Value::Num(x));
                }
                Ok(v)
            }
            Err(mut e) => {
                e.trace.push((proto.name.to_string(), span));
                Err(e)
            }
        }
    }

    /// Completes the frame of `c` at `base` after its arguments: empty locals, then copies of
    /// the captured values.
    #[inline(always)]
    fn push_frame_rest(&mut self, c: &Closure, base: usize) {
        let proto = &c.proto;
        let capture_base = base + (proto.nslots - proto.ncaptures) as usize;
        while self.stack.len() < capture_base {
            self.stack.push(None);
        }
        if self.stack.len() == capture_base {
            for v in c.captures.iter() {
                let v = match v {
                    Some(Value::Num(x)) => Some(Value::Num(*x)),
                    v => v.clone(),
                };
                self.stack.push(v);
            }
        } else {
            self.stack.resize_with(base + proto.nslots as usize, || None);
            for (k, v) in c.captures.iter().enumerate() {
                self.stack[capture_base + k] = v.clone();
            }
        }
    }

    /// Drops the frame starting at `base`.
    #[inline(always)]
    fn pop_frame(&mut self, base: usize) {
        while self.stack.len() > base {
            if let Some(Some(v)) = self.stack.pop() {
                super::drop_value(v);
            }
        }
    }

    /// Fills in defaulted parameters and runs the body of the frame at `base`.
    #[inline(always)]
    fn run_frame<const FULL: bool>(&mut self, proto: &Proto, base: usize) -> R<Value> {
        if !FULL && self.stack[base..base + proto.params.len()].iter().any(Option::is_none) {
            for (i, p) in proto.params.iter().enumerate() {
                if self.stack[base + i].is_none() {
                    if let Some(d) = &p.default {
                        let v = self.eval(d)?;
                        self.stack[base + i] = Some(v);
                    }
                }
            }
        }
        self.exec_body(&proto.body)
    }

    fn call_builtin(&mut self, b: &'static Builtin, args: Vec<ArgVal>, span: Span) -> R<Value> {
        let nfixed = b.params.iter().take_while(|p| p.default != ParamDefault::Variadic).count();
        let variadic = nfixed < b.params.len();
        let required = b.params.iter().filter(|p| p.default == ParamDefault::Required).count();
        let mut bound: Vec<Option<(Value, Span)>> = vec![None; nfixed];
        let mut rest: Vec<(Value, Span)> = Vec::new();
        let mut positional = 0;
        let npos = b.positional();
        let total = args.len();
        for a in args {
            match &a.name {
                None if positional < npos => {
                    bound[positional] = Some((a.value, a.span));
                    positional += 1;
                }
                None if variadic => rest.push((a.value, a.span)),
                None if npos < nfixed => {
                    return err(
                        ErrorKind::KeywordOnly {
                            function: b.name.into(),
                            name: b.params[npos].name.into(),
                            positional: npos,
                            signature: b.signature(),
                        },
                        a.span,
                    )
                }
                None => {
                    return err(
                        ErrorKind::ArgCount {
                            function: b.name.into(),
                            signature: b.signature(),
                            expected: (required, Some(nfixed)),
                            got: total,
                        },
                        span,
                    )
                }
                Some((name, nspan)) => match b.params[..nfixed].iter().position(|p| p.name == &**name) {
                    Some(i) if bound[i].is_some() => {
                        return err(ErrorKind::DuplicateArgument { name: name.to_string() }, *nspan)
                    }
                    Some(i) => bound[i] = Some((a.value, a.span)),
                    None => {
                        let mut e = RuntimeError::new(
                            ErrorKind::UnknownKeyword {
                                function: b.name.into(),
                                name: name.to_string(),
                                signature: b.signature(),
                            },
                            *nspan,
                        );
                        if let Some(s) = closest(name, b.params.iter().map(|p| p.name)) {
                            e.kind = match e.kind {
                                ErrorKind::UnknownKeyword { function, name, signature } => ErrorKind::UnknownKeyword {
                                    function,
                                    name,
                                    signature: format!("{signature} (did you mean `{s}`?)"),
                                },
                                k => k,
                            };
                        }
                        return Err(Box::new(e));
                    }
                },
            }
        }
        let mut values = Vec::with_capacity(nfixed + rest.len());
        let mut spans = Vec::with_capacity(nfixed + rest.len());
        for (i, slot) in bound.into_iter().enumerate() {
            match slot {
                Some((v, s)) => {
                    values.push(v);
                    spans.push(s);
                }
                None if b.params[i].default == ParamDefault::Required => {
                    return err(
                        ErrorKind::ArgCount {
                            function: b.name.into(),
                            signature: b.signature(),
                            expected: (required, if variadic { None } else { Some(nfixed) }),
                            got: total,
                        },
                        span,
                    )
                }
                None => {
                    values.push(b.params[i].default.value());
                    spans.push(span);
                }
            }
        }
        for (v, s) in rest {
            values.push(v);
            spans.push(s);
        }
        let saved = std::mem::replace(&mut self.call_span, span);
        let result = (b.run)(self, &Args { values: &values, nfixed });
        self.call_span = saved;
        result.map_err(|e| self.builtin_error_at(b.name, e, span, &spans))
    }

    /// Turns a builtin's error into a runtime error at the call, or at the offending argument.
    pub(crate) fn builtin_error_at(
        &self,
        name: &str,
        e: BuiltinError,
        span: Span,
        arg_spans: &[Span],
    ) -> Box<RuntimeError> {
        match e {
            BuiltinError::Raised(e) => e,
            BuiltinError::Message { code, message, arg, help, notes } => {
                let arg_span = arg.and_then(|i| arg_spans.get(i).copied()).filter(|s| *s != span);
                // With an argument labelled, the call is labelled at its head (`grad` in
                // `grad(f, x)`), so the two labels do not overlap.
                let head = match arg_spans.first() {
                    Some(first) if first.src == span.src && first.start > span.start && first.start <= span.end => {
                        Span { end: first.start - 1, ..span }
                    }
                    _ => span,
                };
                Box::new(RuntimeError::new(
                    ErrorKind::Builtin {
                        function: name.to_string(),
                        code,
                        message,
                        help,
                        notes,
                        call: arg_span.map(|_| head),
                    },
                    arg_span.unwrap_or(span),
                ))
            }
        }
    }
}

impl CallCtx for Interp<'_> {
    fn call(&mut self, f: &Value, args: &[Value]) -> Result<Value, BuiltinError> {
        let span = self.call_span;
        self.call_value(f, args, span).map_err(BuiltinError::Raised)
    }

    fn write(&mut self, text: &str) {
        (self.out)(text);
    }

    fn limits(&self) -> &Limits {
        self.limits
    }

    fn global(&self, slot: u32) -> Option<Value> {
        self.globals.get(slot as usize).cloned().flatten()
    }

    fn format_options(&self) -> FormatOptions {
        self.format
    }

    fn set_format_options(&mut self, format: FormatOptions) {
        self.format = format;
    }

    fn check_work(&self, flops: f64) -> Result<(), BuiltinError> {
        self.check_work_at(flops, self.call_span).map_err(BuiltinError::Raised)
    }
}

impl Interp<'_> {
    /// [`CallCtx::check_work`] at `span`.
    pub(crate) fn check_work_at(&self, flops: f64, span: Span) -> R<()> {
        if self.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
            return err(ErrorKind::Interrupted, span);
        }
        if let (Some(deadline), Some(seconds)) = (self.deadline, self.limits.max_seconds) {
            let now = std::time::Instant::now();
            if now > deadline {
                return err(ErrorKind::Timeout { seconds }, span);
            }
            let left = deadline.duration_since(now).as_secs_f64();
            let needed = flops / crate::limits::FAST_FLOPS;
            if needed > left {
                return Err(Box::new(RuntimeError::new(
                    ErrorKind::Builtin {
                        function: String::new(),
                        code: "timeout",
                        message: format!(
                            "this needs about {flops:.1e} floating-point operations, more than the {} s left can do",
                            crate::display::format_number_with(left, Some(2)),
                        ),
                        help: vec![],
                        notes: vec![format!(
                            "the time limit is {} s (--max-seconds); the estimate assumes {:.0e} operations a second",
                            crate::display::format_number(seconds),
                            crate::limits::FAST_FLOPS
                        )],
                        call: None,
                    },
                    span,
                )));
            }
        }
        Ok(())
    }
}
