//! Test helpers shared by the unit tests of the library: a context for calling builtins
//! directly, and argument binding as the interpreter does it.

use mml_runtime::{Args, Builtin, BuiltinError, CallCtx, Limits, ParamDefault, Value};

use crate::library;

/// A context that collects output, has default limits and cannot call MML functions.
#[derive(Default)]
pub(crate) struct FakeCtx {
    /// Everything written.
    pub(crate) out: String,
    /// The limits reported to builtins.
    pub(crate) limits: Limits,
}

impl CallCtx for FakeCtx {
    fn call(&mut self, _f: &Value, _args: &[Value]) -> Result<Value, BuiltinError> {
        Err(BuiltinError::new("unsupported", "the test context cannot call functions"))
    }

    fn write(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// The builtin called `name`.
pub(crate) fn find(name: &str) -> &'static Builtin {
    library().builtins.iter().copied().find(|b| b.name == name).unwrap_or_else(|| panic!("no builtin {name}"))
}

/// Binds positional and keyword arguments as the interpreter does (defaults filled in, a
/// variadic last parameter collecting the extra positional ones) and runs builtin `name`.
pub(crate) fn run_builtin(
    ctx: &mut FakeCtx,
    name: &str,
    pos: &[Value],
    kw: &[(&str, Value)],
) -> Result<Value, BuiltinError> {
    let b = find(name);
    let nfixed = b.params.iter().filter(|p| p.default != ParamDefault::Variadic).count();
    let variadic = nfixed < b.params.len();
    assert!(pos.len() <= b.positional() || variadic, "too many positional arguments for {name}");
    let mut values: Vec<Value> =
        (0..nfixed).map(|i| pos.get(i).cloned().unwrap_or_else(|| b.params[i].default.value())).collect();
    for (k, v) in kw {
        let i = b.params[..nfixed]
            .iter()
            .position(|p| p.name == *k)
            .unwrap_or_else(|| panic!("{name} has no parameter {k}"));
        values[i] = v.clone();
    }
    for (i, p) in b.params[..nfixed].iter().enumerate() {
        let given = i < pos.len() || kw.iter().any(|(k, _)| *k == p.name);
        assert!(p.default != ParamDefault::Required || given, "missing argument {} of {name}", p.name);
    }
    values.extend(pos.iter().skip(nfixed).cloned());
    (b.run)(ctx, &Args { values: &values, nfixed })
}

/// Runs builtin `name` with positional arguments in a fresh context.
pub(crate) fn call(name: &str, args: &[Value]) -> Result<Value, BuiltinError> {
    run_builtin(&mut FakeCtx::default(), name, args, &[])
}

/// Runs builtin `name`, which must succeed.
#[track_caller]
pub(crate) fn ok(name: &str, args: &[Value]) -> Value {
    match call(name, args) {
        Ok(v) => v,
        Err(e) => panic!("{name} failed: {e:?}"),
    }
}

/// Runs builtin `name`, which must return a number.
#[track_caller]
pub(crate) fn num(name: &str, args: &[Value]) -> f64 {
    match ok(name, args) {
        Value::Num(x) => x,
        v => panic!("{name} returned {v:?}, not a number"),
    }
}
