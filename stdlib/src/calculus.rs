//! Exact derivatives of MML functions by automatic differentiation (`derivative`, `grad`,
//! `jacobian`, `hessian`), and finite differences to compare with (`numgrad`).
//!
//! `derivative`, `jacobian` and `hessian` are forward mode: each input direction is one run of
//! the function with dual numbers (see the runtime's `ad` module), so `n` inputs cost `n` runs
//! (`n²` for `hessian`). `grad` of two or more inputs is reverse mode: one run recording a
//! tape (`ad::tape`) and one sweep back, whatever `n`; it falls back to forward mode inside
//! another differentiation. Derivatives are exact to rounding, through user functions, loops,
//! branches and indexed assignment.
//!
//! Arguments: a function of one number, of several numbers `f(x, y)`, of a vector, of
//! several matrices, or of a record of them. With one argument, `grad` has that argument's
//! shape; with several numbers it is a column of partial derivatives; with several matrices,
//! a list of gradients in their shapes; with a record, a record of gradients.

use std::rc::Rc;

use mml_runtime::symbolic::{self, Sym};
use mml_runtime::{ad, Args, Bound, BuiltinError, CallCtx, Matrix, Value};

use crate::macros::builtin;

/// The inputs of a differentiation: the arguments, and the numbers and matrices in them
/// (each argument, or each field of a record argument: a record of parameters) in order.
struct Inputs {
    args: Vec<Value>,
    leaves: Vec<Leaf>,
    shapes: Vec<(usize, usize)>,
}

/// Where one input sits: argument `arg`, or field `field` of that record argument.
struct Leaf {
    arg: usize,
    field: Option<usize>,
}

impl Inputs {
    fn new(values: &[Value], first_arg: usize) -> Result<Inputs, BuiltinError> {
        let numeric = |v: &Value| {
            matches!(v, Value::Num(_) | Value::Matrix(_) | Value::Dual(_) | Value::Jet(_) | Value::Range(_))
        };
        let as_input = |v: &Value| match v {
            Value::Range(r) => Value::matrix(r.to_column()),
            other => other.clone(),
        };
        let mut args = Vec::with_capacity(values.len());
        let mut leaves = Vec::new();
        let mut shapes = Vec::new();
        for (k, v) in values.iter().enumerate() {
            match v {
                v if numeric(v) => {
                    leaves.push(Leaf { arg: k, field: None });
                    shapes.push(v.shape().unwrap_or((1, 1)));
                    args.push(as_input(v));
                }
                Value::Record(r) if !r.fields.is_empty() && r.fields.iter().all(|(_, f)| numeric(f)) => {
                    let mut record = (**r).clone();
                    for (i, (_, f)) in record.fields.iter_mut().enumerate() {
                        leaves.push(Leaf { arg: k, field: Some(i) });
                        shapes.push(f.shape().unwrap_or((1, 1)));
                        *f = as_input(f);
                    }
                    args.push(Value::Record(Rc::new(record)));
                }
                other => {
                    return Err(BuiltinError::type_error(
                        first_arg + k,
                        "a number, matrix or record of them to differentiate at",
                        other,
                    )
                    .code("not-differentiable"))
                }
            }
        }
        Ok(Inputs { args, leaves, shapes })
    }

    /// The total number of scalar inputs.
    fn len(&self) -> usize {
        self.shapes.iter().map(|(r, c)| r * c).sum()
    }

    /// The value of input `leaf`.
    fn value(&self, leaf: &Leaf) -> &Value {
        match (&self.args[leaf.arg], leaf.field) {
            (Value::Record(r), Some(i)) => &r.fields[i].1,
            (v, _) => v,
        }
    }

    /// Whether some input already carries a derivative (a differentiation inside another).
    fn any_dual(&self) -> bool {
        self.leaves.iter().any(|l| matches!(self.value(l), Value::Dual(_) | Value::Jet(_)))
    }

    /// The arguments with each input replaced by `make(input index, its value)`.
    fn with(&self, mut make: impl FnMut(usize, &Value) -> Option<Value>) -> Vec<Value> {
        let mut out = self.args.clone();
        for (i, leaf) in self.leaves.iter().enumerate() {
            let Some(v) = make(i, self.value(leaf)) else { continue };
            match (&mut out[leaf.arg], leaf.field) {
                (Value::Record(r), Some(f)) => Rc::make_mut(r).fields[f].1 = v,
                (slot, _) => *slot = v,
            }
        }
        out
    }

    /// The arguments with input `k` (counting numbers across all inputs) seeded with tangent 1.
    fn seeded(&self, k: usize, tag: u32) -> Vec<Value> {
        let mut rest = k;
        self.with(|i, value| {
            let (r, c) = self.shapes[i];
            let n = r * c;
            if rest >= n {
                rest -= n;
                return None;
            }
            let d = if (r, c) == (1, 1) {
                Value::Num(1.0)
            } else {
                let mut m = Matrix::zeros(r, c);
                m[rest] = 1.0;
                Value::matrix(m)
            };
            rest = usize::MAX;
            Some(ad::make(tag, value.clone(), d))
        })
    }

    /// One value per input (a gradient's parts) arranged like the arguments: the value itself
    /// for one argument, a column for several numbers, a record for a record, a list otherwise.
    fn arrange(&self, parts: Vec<Value>) -> Value {
        if self.args.iter().all(|a| !matches!(a, Value::Record(_))) {
            if parts.len() == 1 {
                return parts.into_iter().next().unwrap_or(Value::Num(0.0));
            }
            if self.shapes.iter().all(|s| *s == (1, 1)) {
                let n = parts.len();
                return column_of(parts, n, 1);
            }
        }
        let mut per_arg: Vec<Value> = self.args.clone();
        for (leaf, part) in self.leaves.iter().zip(parts) {
            match (&mut per_arg[leaf.arg], leaf.field) {
                (Value::Record(r), Some(f)) => Rc::make_mut(r).fields[f].1 = part,
                (slot, _) => *slot = part,
            }
        }
        if per_arg.len() == 1 {
            return per_arg.into_iter().next().unwrap_or(Value::Nothing);
        }
        Value::List(Rc::new(per_arg))
    }
}

/// Calls `f` with input `k` seeded and returns the derivative of the result along it.
fn directional(ctx: &mut dyn CallCtx, f: &Value, inputs: &Inputs, k: usize) -> Result<Value, BuiltinError> {
    let tag = ad::new_tag();
    let y = ctx.call(f, &inputs.seeded(k, tag))?;
    differentiable(&y)?;
    Ok(ad::tangent(&y, tag))
}

/// Fails unless a function's result is a number or matrix (a bool from a comparison has no
/// derivative).
fn differentiable(y: &Value) -> Result<(), BuiltinError> {
    if matches!(y, Value::Num(_) | Value::Matrix(_) | Value::Dual(_) | Value::Jet(_)) {
        return Ok(());
    }
    let e = BuiltinError::new(
        "not-differentiable",
        format!("the function returned {}, which has no derivative", mml_runtime::display::describe(y)),
    );
    Err(if matches!(y, Value::Bool(_)) {
        e.with_help("a comparison is true or false: it has no derivative")
    } else {
        e
    })
}

/// A derivative in its input's shape: the number itself for 1×1.
fn shaped(values: Vec<Value>, (r, c): (usize, usize)) -> Value {
    if (r, c) == (1, 1) {
        return values.into_iter().next().unwrap_or(Value::Num(0.0));
    }
    column_of(values, r, c)
}

/// Builds an `r × c` value (column-major) from per-element derivatives, which may be
/// themselves carrying derivatives (in nested differentiation).
fn column_of(values: Vec<Value>, r: usize, c: usize) -> Value {
    let build = &mut |items: &[Value]| {
        let data: Vec<f64> = items.iter().map(|v| v.as_scalar().unwrap_or(f64::NAN)).collect();
        Ok(Value::matrix(Matrix::from_vec(r, c, data)))
    };
    ad::rearrange(&values, build).unwrap_or(Value::Nothing)
}

/// A builtin with `f` fixed, returned when the point is not given (`grad(f)`).
fn bind(builtin: &'static mml_runtime::Builtin, what: &str, f: &Value) -> Value {
    let name = match f {
        Value::Func(c) => format!("{what} of {}", c.name()),
        Value::Builtin(b) => format!("{what} of {}", b.name),
        _ => what.to_string(),
    };
    Value::Bound(Rc::new(Bound { name, builtin, args: vec![f.clone()], formula: false }))
}

/// The gradient of `f` at the point `at`: in reverse mode when it applies, else in forward mode.
fn gradient(ctx: &mut dyn CallCtx, f: &Value, at: &[Value]) -> Result<Value, BuiltinError> {
    let inputs = Inputs::new(at, 1)?;
    if let Some(parts) = reverse_gradient(ctx, f, &inputs)? {
        let parts =
            parts.into_iter().map(|m| if m.len() == 1 && m.nrows() == 1 { Value::Num(m[0]) } else { Value::matrix(m) });
        return Ok(inputs.arrange(parts.collect()));
    }
    let mut partials = Vec::with_capacity(inputs.len());
    for k in 0..inputs.len() {
        let d = directional(ctx, f, &inputs, k)?;
        if d.shape() != Some((1, 1)) {
            return Err(not_scalar(d.shape()));
        }
        partials.push(d);
    }
    let mut it = partials.into_iter();
    let parts = inputs.shapes.iter().map(|&shape| shaped(it.by_ref().take(shape.0 * shape.1).collect(), shape));
    Ok(inputs.arrange(parts.collect()))
}

/// The error for `grad` of a function that does not return a number.
fn not_scalar(shape: Option<(usize, usize)>) -> BuiltinError {
    let (r, c) = shape.unwrap_or((0, 0));
    BuiltinError::arg(0, format!("`grad` needs a function returning a number, this one returns a {r}×{c} matrix"))
        .code("not-differentiable")
        .with_help("for vector-valued functions use `jacobian(F, x)`")
}

/// The gradient by reverse mode (see [`taped`]), for two or more inputs at a point that
/// carries no derivative; `None` otherwise, and forward mode is used.
fn reverse_gradient(ctx: &mut dyn CallCtx, f: &Value, inputs: &Inputs) -> Result<Option<Vec<Matrix>>, BuiltinError> {
    // One input costs one forward run: reverse mode pays off from two.
    if inputs.any_dual() || inputs.len() < 2 {
        return Ok(None);
    }
    let check = |y: &Value| {
        differentiable(y)?;
        if y.shape() == Some((1, 1)) {
            Ok(())
        } else {
            Err(not_scalar(y.shape()))
        }
    };
    let found = taped(ctx, f, &mut |seed| inputs.with(|_, v| Some(seed(v.clone()))), &check)?;
    Ok(found.map(|(_, gradients)| gradients))
}

/// Builds a function's arguments, passing each input through the seeding function it is given.
pub(crate) type TapedArgs<'a> = dyn FnMut(&mut dyn FnMut(Value) -> Value) -> Vec<Value> + 'a;

/// One run of `f` in reverse mode, and one sweep back: `args` builds the arguments, passing
/// each input through `seed`. `check` vets the result (without its derivative) before the
/// sweep. Returns that result and the gradient with respect to each seeded input, in its
/// shape; `None` when reverse mode does not apply (a tape is already recording, or the
/// function did something it cannot record) and the caller uses forward mode.
pub(crate) fn taped(
    ctx: &mut dyn CallCtx,
    f: &Value,
    args: &mut TapedArgs<'_>,
    check: &dyn Fn(&Value) -> Result<(), BuiltinError>,
) -> Result<Option<(Value, Vec<Matrix>)>, BuiltinError> {
    let Some(recording) = ad::tape::Recording::start() else {
        return Ok(None);
    };
    let tag = ad::new_tag();
    let mut seeds = Vec::new();
    let args = args(&mut |v: Value| {
        let d = recording.input(v.shape().unwrap_or((1, 1)));
        seeds.push(d.clone());
        ad::make(tag, v, d)
    });
    let y = match ctx.call(f, &args) {
        Ok(y) => y,
        Err(_) if recording.unsupported() => return Ok(None),
        Err(e) => return Err(e),
    };
    let (value, d) = ad::split(&y, tag);
    check(&value)?;
    Ok(recording.gradients(&d, &seeds).map(|gradients| (value, gradients)))
}

builtin! {
    /// The derivative of a function of one number, as a function.
    /// `derivative(f)(x)` is f′(x), and `derivative(f, n)` the n-th derivative: exact
    /// (automatic differentiation), through loops, branches and other functions. `n` goes up
    /// to 100: high orders come from one run of `f` in Taylor arithmetic, so order 40 takes
    /// a fraction of a millisecond. A function calling a builtin that has no rule for high
    /// orders (`norm`, `det`, …) goes up to order 12, and the error above that names it.
    /// ```mml
    /// f(x) = x^3
    /// derivative(f)(2)      # => 12
    /// derivative(f, 2)(2)   # => 12
    /// derivative(sin)(0)    # => 1
    /// derivative(x -> x^10, 10)(2)   # => 3628800
    /// ```
    pub static DERIVATIVE: Calculus = "derivative"(f, n = 1), |_ctx, args| {
        let f = args.func(0)?;
        let n = derivative_order(args)?;
        let name = match f {
            Value::Func(c) => c.name().to_string(),
            Value::Builtin(b) => b.name.to_string(),
            _ => "f".to_string(),
        };
        let what = if n == 1 { "derivative".to_string() } else { format!("derivative {n}") };
        Ok(Value::Bound(Rc::new(Bound {
            name: format!("{what} of {name}"),
            builtin: &DERIVATIVE_AT,
            args: vec![f.clone(), Value::Num(n as f64)],
            formula: false,
        })))
    }
}

/// The order `n` (argument 1) of a derivative: at most [`ad::jet::MAX_ORDER`], as for `taylor`
/// (the Taylor arithmetic of jets costs O(n²) per operation).
fn derivative_order(args: &Args<'_>) -> Result<usize, BuiltinError> {
    let n = args.count(1)?;
    let max = ad::jet::MAX_ORDER;
    if n > max {
        return Err(BuiltinError::arg(1, format!("`derivative` computes up to order {max}, asked for {n}"))
            .code("invalid-argument")
            .with_help(
                "the work grows with the square of the order; `taylor(f, x0, n)` gives all the orders up to n at once",
            ));
    }
    Ok(n)
}

/// The name of the builtin that reported it has no rule for jets, if `e` is that error.
fn without_jet_rule(e: &BuiltinError, f: &Value) -> Option<String> {
    match e {
        BuiltinError::Message { code, .. } if *code == ad::jet::NO_RULE => Some(function_name(f)),
        BuiltinError::Raised(r) => match &r.kind {
            mml_runtime::ErrorKind::Builtin { function, code, .. } if *code == ad::jet::NO_RULE => {
                Some(format!("`{function}`"))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether `e` is a limit or an interruption, which a second attempt would only repeat.
fn stops(e: &BuiltinError) -> bool {
    let code = match e {
        BuiltinError::Message { code, .. } => *code,
        BuiltinError::Raised(r) => r.code(),
    };
    matches!(code, "interrupted" | "timeout" | "limit-exceeded" | "recursion-limit")
}

/// Runs `f` at `x` seeded with a jet of order `n` (see `ad::jet`), giving the result and the
/// jet's tag. `None` when that fails and `n` is low enough for nested dual numbers (the
/// caller uses those); above that order, a builtin without a rule for jets is an error naming
/// it, pointing at argument `order_arg` (the order) of `what`.
pub(crate) fn run_jet(
    ctx: &mut dyn CallCtx,
    f: &Value,
    x: &Value,
    n: usize,
    (what, order_arg): (&str, usize),
) -> Result<Option<(Value, u32)>, BuiltinError> {
    let tag = ad::new_tag();
    match ctx.call(f, &[ad::jet::seed(tag, x.clone(), n)]) {
        Ok(y) => Ok(Some((y, tag))),
        // Up to the order nested duals reach, any failure is retried with them, so that what
        // they computed before jets still works (a limit or Ctrl-C is not retried).
        Err(e) if n <= crate::series::NESTED_MAX_ORDER && !stops(&e) => Ok(None),
        Err(e) => match without_jet_rule(&e, f) {
            Some(name) => {
                let max = crate::series::NESTED_MAX_ORDER;
                Err(BuiltinError::arg(
                    order_arg,
                    format!("{name} has no rule for derivatives above order {max}, and `{what}` was asked for order {n}"),
                )
                .code("not-differentiable")
                .with_help(format!(
                    "{name} can be differentiated up to order {max} (arithmetic, indexing and the elementary functions go up to order {})",
                    ad::jet::MAX_ORDER
                )))
            }
            None => Err(e),
        },
    }
}

/// `n!` as a float (exact up to 22!, and finite up to 170!).
pub(crate) fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Fails unless `y`, what `f` returned, is numbers (possibly carrying derivatives).
fn numbers_only(y: &Value) -> Result<(), BuiltinError> {
    let plain = ad::strip(y);
    if !matches!(plain, Value::Num(_) | Value::Matrix(_) | Value::Bool(_)) {
        return Err(BuiltinError::arg(
            0,
            format!(
                "`derivative` needs a function returning numbers, this one returned {}",
                mml_runtime::display::describe(if matches!(plain, Value::Nothing) { y } else { &plain })
            ),
        )
        .code("not-differentiable"));
    }
    Ok(())
}

/// The n-th derivative of `f` at `x`: from one run on a jet for n ≥ 2 (k! times its k-th
/// coefficient), else, or when `f` needs it, by nesting dual numbers.
fn nth_derivative(ctx: &mut dyn CallCtx, f: &Value, n: usize, x: &Value) -> Result<Value, BuiltinError> {
    if n >= 2 {
        if let Some((y, tag)) = run_jet(ctx, f, x, n, ("derivative", 1))? {
            numbers_only(&y)?;
            let c = ad::jet::explicit_coefficient(&y, tag, n);
            return ad::arith(mml_lang::ast::BinOp::ElemMul, &c, &Value::Num(factorial(n)));
        }
    }
    nested_derivative(ctx, f, n, x)
}

/// The n-th derivative of `f` at `x`, by nesting dual numbers.
fn nested_derivative(ctx: &mut dyn CallCtx, f: &Value, n: usize, x: &Value) -> Result<Value, BuiltinError> {
    if n == 0 {
        return ctx.call(f, std::slice::from_ref(x));
    }
    let tag = ad::new_tag();
    let seeded = ad::make(tag, x.clone(), Value::Num(1.0));
    let y = nested_derivative(ctx, f, n - 1, &seeded)?;
    numbers_only(&y)?;
    Ok(ad::tangent(&y, tag))
}

builtin! {
    /// The value of an n-th derivative at a point (what `derivative(f, n)` returns, called).
    /// At a matrix of points, the derivative at each element, in the points' shape (so
    /// `plot(xs, derivative(f)(xs))` draws f′); a function of k numbers at k numbers or a
    /// k-vector has the gradient as its derivative, in the point's shape.
    /// ```mml
    /// derivative_at(x -> x^2, 1, 3)   # => 6
    /// derivative(x -> x^3)([1, 2])'   # => 1×2 matrix
    ///                                 # =>   3  12
    /// f(x, y) = x^2 * y
    /// derivative(f)([1, 2])'          # => 1×2 matrix
    ///                                 # =>   4  1
    /// ```
    pub static DERIVATIVE_AT: Calculus = "derivative_at"(f, n, x...), |ctx, args| {
        let f = args.func(0)?.clone();
        let n = derivative_order(args)?;
        let at = args.rest();
        let several = at.len() >= 2 || spread_point(&f, at).is_some();
        if several {
            if n != 1 {
                return Err(BuiltinError::arg(2, format!(
                    "`derivative(f, {n})` is for functions of one number, and this one takes {} numbers",
                    args.rest().len().max(spread_point(&f, at).map_or(0, |(p, _)| p.len()))
                ))
                .code("not-differentiable")
                .with_help("the second derivatives of a function of several variables are `hessian(f, point)`"));
            }
            return match spread_point(&f, at) {
                Some((point, row)) => Ok(as_point_shape(gradient(ctx, &f, &point)?, row)),
                None => gradient(ctx, &f, at),
            };
        }
        let [x] = at else {
            return Err(BuiltinError::arg(1, "the derivative needs a point: `derivative(f)(x)`").code("argument-count"));
        };
        match x {
            Value::Num(x0) => finite_derivative(nth_derivative(ctx, &f, n, x)?, &f, n, *x0),
            Value::Matrix(_) | Value::Range(_) => each_point(ctx, &f, n, x),
            _ if x.shape() == Some((1, 1)) && !matches!(x, Value::Bool(_)) => nth_derivative(ctx, &f, n, x),
            _ => Err(BuiltinError::type_error(2, "a number or a matrix of numbers", x)
                .code("not-differentiable")
                .with_help("`derivative` is for functions of one number; use `grad` or `jacobian` for vectors")),
        }
    }
}

/// A derivative `d` of order `n` of `f` at `x0`, or an error naming the point when it is not a
/// finite number: at a pole, a branch point or a vertical tangent the derivative does not exist,
/// and `inf` would pass for an answer.
fn finite_derivative(d: Value, f: &Value, n: usize, x0: f64) -> Result<Value, BuiltinError> {
    match ad::strip(&d).as_scalar() {
        Some(v) if !v.is_finite() && x0.is_finite() => {
            let order = if n == 1 { "derivative".to_string() } else { format!("derivative of order {n}") };
            Err(BuiltinError::arg(
                2,
                format!(
                    "the {order} of {} does not exist at x = {}: it comes out as {}",
                    function_name(f),
                    mml_runtime::display::format_number(x0),
                    mml_runtime::display::format_number(v)
                ),
            )
            .code("not-differentiable")
            .with_help("the function has a pole, a branch point or a vertical tangent there; try a point nearby"))
        }
        _ => Ok(d),
    }
}

/// A function's name for messages: `log`, `f`, or `the function` for a lambda.
fn function_name(f: &Value) -> String {
    match f {
        Value::Func(c) if c.name() != "<lambda>" => format!("`{}`", c.name()),
        Value::Builtin(b) => format!("`{}`", b.name),
        _ => "the function".to_string(),
    }
}

/// The n-th derivative of a function of one number at every element of `xs`, in its shape.
/// A function that maps the whole matrix to something of another shape (`sum`, `norm`) is a
/// function of a vector, whose derivative is its gradient: that is an error saying so, not a
/// silent element-by-element answer.
fn each_point(ctx: &mut dyn CallCtx, f: &Value, n: usize, xs: &Value) -> Result<Value, BuiltinError> {
    let m = xs.to_matrix().ok_or_else(|| BuiltinError::type_error(2, "a matrix of numbers", xs))?;
    if let Ok(whole) = ctx.call(f, std::slice::from_ref(xs)) {
        let numeric = matches!(ad::strip(&whole), Value::Num(_) | Value::Matrix(_) | Value::Bool(_));
        if !numeric {
            return Err(BuiltinError::arg(
                0,
                format!(
                    "`derivative` needs a function returning numbers, this one returned {}",
                    mml_runtime::display::describe(&whole)
                ),
            )
            .code("not-differentiable"));
        }
        if whole.shape() != Some(m.shape()) {
            return Err(BuiltinError::arg(
                2,
                format!(
                    "this function maps {} to {}, so it is a function of a vector, not of one number",
                    mml_runtime::display::describe(xs),
                    mml_runtime::display::describe(&whole)
                ),
            )
            .code("not-differentiable")
            .with_help("its derivative is the gradient: `grad(f, x)` (or `jacobian(f, x)` for a vector result)"));
        }
    }
    let mut out = Matrix::zeros(m.nrows(), m.ncols());
    for (slot, &x) in out.iter_mut().zip(m.iter()) {
        let d = finite_derivative(nth_derivative(ctx, f, n, &Value::Num(x))?, f, n, x)?;
        *slot = match ad::strip(&d).as_scalar() {
            Some(v) => v,
            None => {
                return Err(BuiltinError::arg(
                    0,
                    format!(
                        "`derivative` needs a function returning a number, this one returned {} at {x}",
                        mml_runtime::display::describe(&d)
                    ),
                )
                .code("not-differentiable"))
            }
        };
    }
    Ok(Value::matrix(out))
}

builtin! {
    /// The gradient of a function returning a number.
    /// `grad(f, x)` is the gradient at `x`, and `grad(f)` the gradient as a function.
    /// For `f(x, y)` give both numbers: `grad(f, 1, 2)` is the column [∂f/∂x, ∂f/∂y]; for a
    /// function of a vector, the gradient is a vector; for several matrix arguments, a list of
    /// gradients in their shapes, and for a record of parameters a record of gradients
    /// (backpropagation). Reverse mode: one run of `f` and one sweep back, however many inputs.
    /// ```mml
    /// f(x, y) = x^2 * y + y^3
    /// grad(f, 1, 2)    # => 2×1 matrix
    ///                  # =>    4
    ///                  # =>   13
    /// grad(f, [1, 2])  # => 2×1 matrix
    ///                  # =>    4
    ///                  # =>   13
    /// g(v) = v' * v
    /// grad(g, [1, 2])  # => 2×1 matrix
    ///                  # =>   2
    ///                  # =>   4
    /// loss(p) = sum((p.W * [1, 2] + p.b) .^ 2)
    /// grad(loss, {W = [1, 0; 0, 1], b = [0, 1]})   # => {W = [2, 4; 6, 12], b = [2, 6]}
    /// ```
    pub static GRAD: Calculus = "grad"(f, at...), |ctx, args| {
        let f = args.func(0)?.clone();
        if args.rest().is_empty() {
            return Ok(bind(&GRAD, "gradient", &f));
        }
        match spread_point(&f, args.rest()) {
            Some((at, row)) => Ok(as_point_shape(gradient(ctx, &f, &at)?, row)),
            None => gradient(ctx, &f, args.rest()),
        }
    }
}

/// The point of `grad`, `jacobian` and `hessian` as separate numbers when one k-vector is
/// given to a function of k scalars ([`crate::objective::spreads`]), with whether it was a row.
fn spread_point(f: &Value, at: &[Value]) -> Option<(Vec<Value>, bool)> {
    match at {
        [point] => crate::objective::spreads(f, 0, point).map(|xs| (xs, point.shape().is_some_and(|(r, _)| r == 1))),
        _ => None,
    }
}

/// A gradient column in the point's shape: transposed when the point was a row.
fn as_point_shape(g: Value, row: bool) -> Value {
    match (&g, row) {
        (Value::Matrix(m), true) => Value::matrix(m.transpose()),
        _ => g,
    }
}

builtin! {
    /// The Jacobian matrix of a function at a point.
    /// Row i holds the partial derivatives of output i (outputs and inputs flattened column by
    /// column). `jacobian(F)` is a function.
    /// ```mml
    /// F(v) = [v[1]^2 * v[2], 5 * v[1] + sin(v[2])]
    /// jacobian(F, [1, 0])   # => 2×2 matrix
    ///                       # =>   0  1
    ///                       # =>   5  1
    /// ```
    pub static JACOBIAN: Calculus = "jacobian"(f, at...), |ctx, args| {
        let f = args.func(0)?.clone();
        if args.rest().is_empty() {
            return Ok(bind(&JACOBIAN, "jacobian", &f));
        }
        let spread = spread_point(&f, args.rest());
        let inputs = Inputs::new(spread.as_ref().map_or(args.rest(), |(at, _)| at), 1)?;
        let mut columns: Vec<Vec<Value>> = Vec::with_capacity(inputs.len());
        let mut m = None;
        for k in 0..inputs.len() {
            let d = directional(ctx, &f, &inputs, k)?;
            let (r, c) = d.shape().unwrap_or((1, 1));
            if m.is_some_and(|m| m != r * c) {
                return Err(BuiltinError::new("not-differentiable", "the function's output changes size between runs"));
            }
            m = Some(r * c);
            let entries = (0..r * c).map(|i| scalar_at(&d, i)).collect::<Result<Vec<_>, _>>()?;
            columns.push(entries);
        }
        let m = m.unwrap_or(0);
        let n = inputs.len();
        let mut all = Vec::with_capacity(m * n);
        for col in columns {
            all.extend(col);
        }
        Ok(column_of(all, m, n))
    }
}

/// Element `i` (column-major) of a number or matrix that may carry derivatives.
fn scalar_at(v: &Value, i: usize) -> Result<Value, BuiltinError> {
    match v {
        Value::Dual(_) | Value::Lin(_) => Ok(ad::element(v, i)),
        Value::Num(x) => Ok(Value::Num(*x)),
        Value::Bool(b) => Ok(Value::Num(f64::from(u8::from(*b)))),
        Value::Matrix(m) => Ok(Value::Num(m.get(i).copied().unwrap_or(0.0))),
        other => Err(BuiltinError::type_error(0, "a number or matrix", other)),
    }
}

builtin! {
    /// The Hessian matrix (second partial derivatives) of a function returning a number.
    /// It is the Jacobian of the gradient; `hessian(f)` is a function.
    /// ```mml
    /// f(x, y) = x^2 * y + y^3
    /// hessian(f, 1, 2)   # => 2×2 matrix
    ///                    # =>   4   2
    ///                    # =>   2  12
    /// hessian(f, [1, 2]) == hessian(f, 1, 2)   # => true
    /// ```
    pub static HESSIAN: Calculus = "hessian"(f, at...), |ctx, args| {
        let f = args.func(0)?.clone();
        if args.rest().is_empty() {
            return Ok(bind(&HESSIAN, "hessian", &f));
        }
        let spread = spread_point(&f, args.rest());
        let inputs = Inputs::new(spread.as_ref().map_or(args.rest(), |(at, _)| at), 1)?;
        let n = inputs.len();
        let mut entries = Vec::with_capacity(n * n);
        for k in 0..n {
            // Differentiate the gradient along input k: the outer tag is older than the
            // gradient's own, so the two derivatives stay apart.
            let tag = ad::new_tag();
            let g = gradient(ctx, &f, &inputs.seeded(k, tag))?;
            let flat = flatten_gradient(&g);
            for entry in flat {
                entries.push(ad::tangent(&entry, tag));
            }
        }
        Ok(column_of(entries, n, n))
    }
}

/// The entries of a gradient (number, column or list of matrices), in input order.
fn flatten_gradient(g: &Value) -> Vec<Value> {
    match g {
        Value::List(items) => items.iter().flat_map(flatten_gradient).collect(),
        Value::Record(r) => r.fields.iter().flat_map(|(_, v)| flatten_gradient(v)).collect(),
        v => {
            let n = v.shape().map_or(1, |(r, c)| r * c);
            (0..n).filter_map(|i| scalar_at(v, i).ok()).collect()
        }
    }
}

builtin! {
    /// The gradient by finite differences ("rise over run"), to compare with `grad`.
    /// Central differences (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for each input; `method = "forward"` uses
    /// (f(x + h·eᵢ) − f(x)) / h. Accurate to about h² (central) or h (forward).
    /// ```mml
    /// f(x) = x^3
    /// round(numgrad(f, 2), 6)   # => 12
    /// g(x, y) = x^2 * y
    /// round(numgrad(g, [3, 4], h = 1e-5), 6)   # => 2×1 matrix
    ///                                          # =>   24
    ///                                          # =>    9
    /// ```
    pub static NUMGRAD: Calculus = "numgrad"(f, x; h = 1e-6, method = str "central"), |ctx, args| {
        let f = args.func(0)?.clone();
        let x = args.matrix(1)?;
        let h = args.num(2)?;
        let central = match args.str(3)? {
            "central" => true,
            "forward" => false,
            other => {
                return Err(BuiltinError::arg(3, format!("unknown method \"{other}\""))
                    .with_help("use \"central\" or \"forward\""))
            }
        };
        if !(h > 0.0 && h.is_finite()) {
            return Err(BuiltinError::arg(2, "the step h must be a positive number"));
        }
        let scalar = x.len() == 1 && matches!(args.get(1), Value::Num(_));
        let spread = crate::objective::spreads(&f, 0, args.get(1)).is_some();
        let eval = |ctx: &mut dyn CallCtx, m: &Matrix| -> Result<f64, BuiltinError> {
            let y = if spread {
                let xs: Vec<Value> = m.iter().map(|v| Value::Num(*v)).collect();
                ctx.call(&f, &xs)?
            } else if scalar {
                ctx.call(&f, &[Value::Num(m[0])])?
            } else {
                ctx.call(&f, &[Value::matrix(m.clone())])?
            };
            y.as_scalar().ok_or_else(|| BuiltinError::arg(0, "`numgrad` needs a function returning a number"))
        };
        let base = if central { 0.0 } else { eval(ctx, &x)? };
        let mut g = Matrix::zeros(x.nrows(), x.ncols());
        for i in 0..x.len() {
            let mut up = (*x).clone();
            up[i] += h;
            if central {
                let mut down = (*x).clone();
                down[i] -= h;
                g[i] = (eval(ctx, &up)? - eval(ctx, &down)?) / (2.0 * h);
            } else {
                g[i] = (eval(ctx, &up)? - base) / h;
            }
        }
        Ok(if scalar { Value::Num(g[0]) } else { Value::matrix(g) })
    }
}

/// How a builtin that is linear in one argument acts, for the derivative rule of
/// [`linear_in`].
#[derive(Clone, Copy)]
pub(crate) enum Linear {
    /// It only moves elements around (`reshape`, `flatten`, `diag`).
    Moves,
    /// `sum` (`mean` with `true`) along the `dim` in argument 1.
    Sum(bool),
    /// `trace`.
    Trace,
}

/// Runs builtin `run` on arguments where argument `i` may carry a derivative, for builtins
/// that are linear in that argument: f(v + dε) = f(v) + f(d)ε.
pub(crate) fn linear_in(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    i: usize,
    run: mml_runtime::BuiltinFn,
    kind: Linear,
) -> Result<Value, BuiltinError> {
    if let Value::Jet(j) = args.get(i) {
        // Every Taylor coefficient alike (each may carry derivatives of lower tags, on a tape too).
        let mut c = Vec::with_capacity(j.c.len());
        for (k, ck) in j.c.iter().enumerate() {
            if k > 0 && ad::jet::is_zero(ck) {
                c.push(Value::Num(0.0));
                continue;
            }
            let mut values = args.values.to_vec();
            values[i] = ck.clone();
            c.push(linear_in(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed }, i, run, kind)?);
        }
        return Ok(ad::jet::make(j.tag, c));
    }
    let Some(tag) = ad::tag_of(args.get(i)) else {
        return run(ctx, args);
    };
    let mut values = args.values.to_vec();
    if let Linear::Moves = kind {
        return ad::rearrange(std::slice::from_ref(args.get(i)), &mut |items| {
            values[i] = items[0].clone();
            run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })
        });
    }
    let (v, d) = ad::split(args.get(i), tag);
    values[i] = v;
    let primal = run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })?;
    let tangent = match kind {
        // Tangents on a reverse-mode tape are summed by products with ones, which it records.
        Linear::Sum(mean) if ad::is_taped(&d) => {
            let dim = crate::stats::dim_arg(args, 1, d.shape().unwrap_or((1, 1)))?;
            sum_taped(&d, dim, mean)?
        }
        Linear::Trace if ad::is_taped(&d) => {
            let n = d.shape().map_or(0, |(r, _)| r);
            let diagonal = ad::arith(ElemMul, &Value::matrix(Matrix::identity(n, n)), &d)?;
            sum_all(&diagonal)?
        }
        _ => {
            values[i] = d;
            run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })?
        }
    };
    Ok(ad::make(tag, primal, tangent))
}

use mml_lang::ast::BinOp::{ElemDiv, ElemMul, Mul};

/// `ones(1, r) * x * ones(c, 1)` and its partial forms: `sum(x, dim)` (or `mean`) as products,
/// for a tangent on a reverse-mode tape.
fn sum_taped(x: &Value, dim: crate::stats::Dim, mean: bool) -> Result<Value, BuiltinError> {
    use crate::stats::Dim;
    let (r, c) = x.shape().unwrap_or((1, 1));
    let ones = |n: usize, m: usize| Value::matrix(Matrix::from_element(n, m, 1.0));
    let (total, count) = match dim {
        Dim::Down => (ad::arith(Mul, &ones(1, r), x)?, r),
        Dim::Across => (ad::arith(Mul, x, &ones(c, 1))?, c),
        Dim::All => (sum_all(x)?, r * c),
    };
    if mean {
        ad::arith(ElemDiv, &total, &Value::Num(count.max(1) as f64))
    } else {
        Ok(total)
    }
}

/// `dot(x, w)` for a tangent `x` on a reverse-mode tape and a constant vector `w` of its length.
fn dot_taped(x: &Value, w: &Value) -> Result<Value, BuiltinError> {
    let (r, c) = x.shape().unwrap_or((1, 1));
    let w = w.to_matrix().ok_or_else(|| BuiltinError::type_error(1, "a vector", w))?;
    if w.len() != r * c {
        return Err(BuiltinError::arg(1, "`dot` needs two vectors of the same length").code("shape-mismatch"));
    }
    let w = Value::matrix(Matrix::from_column_slice(r, c, w.as_slice()));
    sum_all(&ad::arith(ElemMul, x, &w)?)
}

/// Runs builtin `run` on two arguments that may carry derivatives, for builtins linear in
/// each (`dot`): f(u + du ε, v + dv ε) = f(u, v) + (f(du, v) + f(u, dv)) ε.
pub(crate) fn bilinear(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    run: mml_runtime::BuiltinFn,
) -> Result<Value, BuiltinError> {
    if let Some(tag) = ad::jet::top(&args.values[..2]) {
        // The Cauchy product of the bilinear builtin.
        let mut call = |a: &Value, b: &Value| {
            let mut values = args.values.to_vec();
            values[0] = a.clone();
            values[1] = b.clone();
            run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })
        };
        return ad::jet::bilinear(args.get(0), args.get(1), tag, &mut call, |e| ad::op_error(e, 0));
    }
    let Some(tag) = ad::tag_of(args.get(0)).max(ad::tag_of(args.get(1))) else {
        return run(ctx, args);
    };
    let (u, du) = ad::split(args.get(0), tag);
    let (v, dv) = ad::split(args.get(1), tag);
    let mut call = |a: &Value, b: &Value| -> Result<Value, BuiltinError> {
        if ad::is_taped(a) {
            return dot_taped(a, b);
        }
        if ad::is_taped(b) {
            return dot_taped(b, a);
        }
        let mut values = args.values.to_vec();
        values[0] = a.clone();
        values[1] = b.clone();
        run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })
    };
    let primal = call(&u, &v)?;
    let zero = |x: &Value| matches!(x, Value::Num(z) if *z == 0.0);
    let left = if zero(&du) { Value::Num(0.0) } else { call(&du, &v)? };
    let right = if zero(&dv) { Value::Num(0.0) } else { call(&u, &dv)? };
    let tangent = ad::arith(mml_lang::ast::BinOp::Add, &left, &right)?;
    Ok(ad::make(tag, primal, tangent))
}

builtin! {
    /// The derivative of a one-expression function as a formula that prints and can be called.
    /// It works on formulas of the parameters with numbers, `+ - * / ^` and the elementary
    /// functions; `var` picks the parameter for functions of several variables. The result
    /// is simplified, and `diff` of it gives the second derivative.
    /// ```mml
    /// f(x) = x^2 * sin(x)
    /// diff(f)                 # => 2*x*sin(x) + x^2*cos(x)
    /// diff(f)(0)              # => 0
    /// diff(diff(x -> x^3))    # => 6*x
    /// g(x, y) = x^2 * y + exp(y)
    /// diff(g, 2)              # => x^2 + exp(y)
    /// ```
    pub static DIFF: Calculus = "diff"(f, var = 1), |ctx, args| {
        if matches!(args.get(0), Value::Matrix(_) | Value::Range(_)) {
            return Err(BuiltinError::type_error(0, "a function", args.get(0))
                .with_help("`diff` is the derivative of a function; for the differences of neighbouring elements (NumPy's np.diff) write v[2:end] - v[1:end-1]"));
        }
        let f = args.func(0)?;
        let (sym, params) = match f {
            Value::Bound(b) if std::ptr::eq(b.builtin, &FORMULA) => (decode(&b.args[0])?, names(&b.args[1])),
            _ => symbolic::formula(f, &|slot| ctx.global(slot)).map_err(|m| BuiltinError::arg(0, m).code("not-differentiable"))?,
        };
        let var = args.count(1)?;
        if var == 0 || var > params.len() {
            return Err(BuiltinError::arg(1, format!("the function has {} parameter(s); `var` must be 1 to {}", params.len(), params.len())));
        }
        let d = symbolic::derivative(&sym, var - 1, crate::library().builtins)
            .map_err(|m| BuiltinError::arg(0, m).code("not-differentiable"))?;
        let text = symbolic::to_source(&d, &params);
        let names = Value::List(Rc::new(params.iter().map(Value::str).collect()));
        Ok(Value::Bound(Rc::new(Bound { name: text, builtin: &FORMULA, args: vec![encode(&d), names], formula: true })))
    }
}

builtin! {
    /// Evaluates a formula made by `diff` at the given arguments (what calling `diff(f)` does).
    /// ```mml
    /// diff(x -> x^2)(3)   # => 6
    /// ```
    pub static FORMULA: Calculus = "formula"(sym, names, at...), |ctx, args| {
        let sym = decode(args.get(0))?;
        let n = names(args.get(1)).len();
        if args.rest().len() != n {
            return Err(BuiltinError::new("argument-count", format!("this formula takes {n} argument(s), got {}", args.rest().len())));
        }
        evaluate(ctx, &sym, args.rest())
    }
}

/// The parameter names stored with a formula.
fn names(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => {
            items.iter().map(|i| mml_runtime::display::format_value(i, &Default::default())).collect()
        }
        _ => Vec::new(),
    }
}

/// A formula as nested lists (`{"+", a, b}`), so that it can travel as a value.
fn encode(s: &Sym) -> Value {
    let node = |tag: &str, parts: Vec<Value>| {
        let mut items = vec![Value::str(tag)];
        items.extend(parts);
        Value::List(Rc::new(items))
    };
    match s {
        Sym::Num(x) => Value::Num(*x),
        Sym::Var(i) => node("var", vec![Value::Num(*i as f64)]),
        Sym::Neg(a) => node("neg", vec![encode(a)]),
        Sym::Add(a, b) => node("+", vec![encode(a), encode(b)]),
        Sym::Sub(a, b) => node("-", vec![encode(a), encode(b)]),
        Sym::Mul(a, b) => node("*", vec![encode(a), encode(b)]),
        Sym::Div(a, b) => node("/", vec![encode(a), encode(b)]),
        Sym::Pow(a, b) => node("^", vec![encode(a), encode(b)]),
        Sym::Call(f, a) => node("call", vec![Value::Builtin(f), encode(a)]),
    }
}

/// The formula back from its encoding.
fn decode(v: &Value) -> Result<Sym, BuiltinError> {
    let bad = || BuiltinError::arg(0, "not a formula made by `diff`");
    let rc = |v: &Value| decode(v).map(Rc::new);
    match v {
        Value::Num(x) => Ok(Sym::Num(*x)),
        Value::List(items) => {
            let tag = match items.first() {
                Some(Value::Str(t)) => t.as_str(),
                _ => return Err(bad()),
            };
            let arg = |k: usize| items.get(k).ok_or_else(bad);
            Ok(match tag {
                "var" => Sym::Var(arg(1)?.as_scalar().ok_or_else(bad)? as usize),
                "neg" => Sym::Neg(rc(arg(1)?)?),
                "+" => Sym::Add(rc(arg(1)?)?, rc(arg(2)?)?),
                "-" => Sym::Sub(rc(arg(1)?)?, rc(arg(2)?)?),
                "*" => Sym::Mul(rc(arg(1)?)?, rc(arg(2)?)?),
                "/" => Sym::Div(rc(arg(1)?)?, rc(arg(2)?)?),
                "^" => Sym::Pow(rc(arg(1)?)?, rc(arg(2)?)?),
                "call" => match arg(1)? {
                    Value::Builtin(b) => Sym::Call(b, rc(arg(2)?)?),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            })
        }
        _ => Err(bad()),
    }
}

/// Evaluates a formula at `at` (numbers, matrices element-wise, or values being
/// differentiated, so the result can itself be differentiated).
fn evaluate(ctx: &mut dyn CallCtx, s: &Sym, at: &[Value]) -> Result<Value, BuiltinError> {
    use mml_lang::ast::BinOp::*;
    let mut ev = |e: &Sym| evaluate(ctx, e, at);
    Ok(match s {
        Sym::Num(x) => Value::Num(*x),
        Sym::Var(i) => at.get(*i).cloned().unwrap_or(Value::Nothing),
        Sym::Neg(a) => ad::arith(Sub, &Value::Num(0.0), &ev(a)?)?,
        Sym::Add(a, b) => ad::arith(Add, &ev(a)?, &ev(b)?)?,
        Sym::Sub(a, b) => ad::arith(Sub, &ev(a)?, &ev(b)?)?,
        Sym::Mul(a, b) => ad::arith(ElemMul, &ev(a)?, &ev(b)?)?,
        Sym::Div(a, b) => ad::arith(ElemDiv, &ev(a)?, &ev(b)?)?,
        Sym::Pow(a, b) => ad::arith(ElemPow, &ev(a)?, &ev(b)?)?,
        Sym::Call(f, a) => {
            let x = ev(a)?;
            ctx.call(&Value::Builtin(f), &[x])?
        }
    })
}

/// Runs builtin `run` on arguments that may carry derivatives, for builtins that only move
/// their elements around (`hcat`, `vcat`): the builtin applied to the values and to the
/// tangents alike.
pub(crate) fn linear_in_all(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    run: mml_runtime::BuiltinFn,
) -> Result<Value, BuiltinError> {
    ad::rearrange(args.values, &mut |items| run(ctx, &mml_runtime::Args { values: items, nfixed: args.nfixed }))
}

/// Whether any argument carries a derivative.
pub(crate) fn any_dual(args: &mml_runtime::Args<'_>) -> bool {
    args.values.iter().any(|v| matches!(v, Value::Dual(_)))
}

/// Whether any argument carries a derivative, as a dual number or a jet: for builtins whose
/// derivative rule serves jets too ([`with_tangent`], [`bilinear`], [`linear_in_all`]).
pub(crate) fn carries(args: &mml_runtime::Args<'_>) -> bool {
    args.values.iter().any(|v| matches!(v, Value::Dual(_) | Value::Jet(_)))
}

/// `det(A)` for an `A` carrying a derivative: det(A)' = det(A) · trace(A⁻¹ A').
pub(crate) fn det_rule(ctx: &mut dyn CallCtx, a: &Value, det: mml_runtime::BuiltinFn) -> Result<Value, BuiltinError> {
    use mml_lang::ast::BinOp::{LeftDiv, Mul};
    let Some(tag) = ad::tag_of(a) else {
        return det(ctx, &mml_runtime::Args { values: std::slice::from_ref(a), nfixed: 1 });
    };
    let (v, d) = ad::split(a, tag);
    let value = det_rule(ctx, &v, det)?;
    let n = v.shape().map_or(0, |(r, _)| r);
    let inverse = ad::arith(LeftDiv, &v, &Value::matrix(Matrix::identity(n, n)))?;
    let product = ad::arith(Mul, &inverse, &d)?;
    let trace = (0..n)
        .map(|i| scalar_at(&product, i * n + i))
        .try_fold(Value::Num(0.0), |acc, x| ad::arith(mml_lang::ast::BinOp::Add, &acc, &x?))?;
    let tangent = ad::arith(Mul, &value, &trace)?;
    Ok(ad::make(tag, value, tangent))
}

/// `var(X, dim, ddof)` (or `std` with `root`) for an `X` carrying a derivative, composed from
/// `mean`, `sum` and arithmetic so that the derivative follows.
pub(crate) fn variance_rule(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    mean: mml_runtime::BuiltinFn,
    sum: mml_runtime::BuiltinFn,
    root: bool,
) -> Result<Value, BuiltinError> {
    use mml_lang::ast::BinOp::{ElemDiv, ElemMul, Sub};
    let x = args.get(0);
    let dim = args.get(1).clone();
    let ddof = args.num(2)?;
    let m = mean(ctx, &mml_runtime::Args { values: &[x.clone(), dim.clone()], nfixed: 2 })?;
    let centred = ad::arith(Sub, x, &m)?;
    let squares = ad::arith(ElemMul, &centred, &centred)?;
    let total = sum(ctx, &mml_runtime::Args { values: &[squares, dim], nfixed: 2 })?;
    let count = |v: &Value| v.shape().map_or(1, |(r, c)| r * c) as f64;
    let n = count(x) / count(&total);
    if n - ddof <= 0.0 {
        return Err(BuiltinError::arg(2, format!("`ddof` must be less than the number of values ({n})")));
    }
    let var = ad::arith(ElemDiv, &total, &Value::Num(n - ddof))?;
    if root {
        crate::math::sqrt_of(&var)
    } else {
        Ok(var)
    }
}

// ---------------------------------------------------------------------------------------------
// Derivative rules by composition: a builtin handed a value that carries a derivative
// rebuilds its result from operations that carry derivatives (arithmetic, `element`,
// `pick`), which gives forward and reverse mode alike.

/// The derivative rule of a builtin written as a composition: the builtin first runs on the
/// plain values (so bad input gets its own error), then `compose` builds the result from
/// operations that carry derivatives.
pub(crate) fn composed(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    run: mml_runtime::BuiltinFn,
    compose: &mut dyn FnMut(&mut dyn CallCtx) -> Result<Value, BuiltinError>,
) -> Result<Value, BuiltinError> {
    let plain: Vec<Value> = args.values.iter().map(ad::strip).collect();
    run(ctx, &mml_runtime::Args { values: &plain, nfixed: args.nfixed })?;
    compose(ctx)
}

/// `a op b` on values that may carry derivatives.
pub(crate) fn op(o: mml_lang::ast::BinOp, a: &Value, b: &Value) -> Result<Value, BuiltinError> {
    ad::arith(o, a, b)
}

/// Builtin `b` called with all its parameters' values.
pub(crate) fn call(ctx: &mut dyn CallCtx, b: &mml_runtime::Builtin, values: &[Value]) -> Result<Value, BuiltinError> {
    (b.run)(ctx, &mml_runtime::Args { values, nfixed: values.len() })
}

/// A vector as a column (a row is transposed), carrying its derivative.
pub(crate) fn as_column(v: &Value) -> Result<Value, BuiltinError> {
    match v.shape() {
        Some((1, c)) if c > 1 => ad::transposed(v),
        _ => Ok(v.clone()),
    }
}

/// The elements of `x` at column-major positions `pos`, as an `r × c` value, carrying the
/// derivative (for results that select elements: extremes, sorting).
pub(crate) fn pick(x: &Value, pos: &[usize], (r, c): (usize, usize)) -> Result<Value, BuiltinError> {
    ad::rearrange(std::slice::from_ref(x), &mut |items| {
        let m = items[0].to_matrix().ok_or_else(|| BuiltinError::type_error(0, "a number or matrix", &items[0]))?;
        let data: Vec<f64> = pos.iter().map(|&p| m.get(p).copied().unwrap_or(0.0)).collect();
        Ok(if (r, c) == (1, 1) { Value::Num(data[0]) } else { Value::matrix(Matrix::from_vec(r, c, data)) })
    })
}

/// A tangent from the arguments' values and tangents (see [`with_tangent`]).
pub(crate) type TangentRule<'a> = dyn Fn(&[Value], &[Value]) -> Result<Value, BuiltinError> + 'a;

/// The derivative rule of a builtin given by its tangent: when an argument carries a
/// derivative, the arguments are split at the highest tag, the value is the builtin on the
/// values (which applies this rule again for lower tags), and the tangent is
/// `tangent(values, tangents)`, arithmetic linear in the tangents.
pub(crate) fn with_tangent(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    run: mml_runtime::BuiltinFn,
    tangent: &TangentRule<'_>,
) -> Result<Value, BuiltinError> {
    if let Some(tag) = ad::jet::top(args.values) {
        // A jet: the value from the coefficients c₀, the rest from the tangent rule applied to
        // the jets one order shorter (see `ad::jet::integrate`).
        return ad::jet::integrate(
            args.values,
            tag,
            &mut |values| run(ctx, &mml_runtime::Args { values, nfixed: args.nfixed }),
            &mut |values, tangents| tangent(values, tangents),
            |e| ad::op_error(e, 0),
        );
    }
    let Some((tag, values, tangents)) = ad::split_all(args.values) else {
        return run(ctx, args);
    };
    let value = run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })?;
    let d = tangent(&values, &tangents)?;
    Ok(ad::make(tag, value, d))
}

/// `⟨x, y⟩`: `x' A y` for an inner-product matrix `A`, or the dot product when `A` is nothing;
/// for vectors that may carry derivatives.
pub(crate) fn inner_of(x: &Value, y: &Value, a: &Value) -> Result<Value, BuiltinError> {
    let (x, y) = (as_column(x)?, as_column(y)?);
    let xt = ad::transposed(&x)?;
    match a {
        Value::Nothing => op(Mul, &xt, &y),
        a => op(Mul, &op(Mul, &xt, a)?, &y),
    }
}

/// The length `sqrt(⟨x, x⟩)` of a vector that may carry a derivative.
pub(crate) fn length_of(x: &Value, a: &Value) -> Result<Value, BuiltinError> {
    crate::math::sqrt_of(&inner_of(x, x, a)?)
}

/// The sum of every element, carrying the derivative.
pub(crate) fn sum_all(v: &Value) -> Result<Value, BuiltinError> {
    let (r, c) = v.shape().unwrap_or((1, 1));
    let ones = |n: usize, m: usize| Value::matrix(Matrix::from_element(n, m, 1.0));
    op(Mul, &op(Mul, &ones(1, r), v)?, &ones(c, 1))
}
