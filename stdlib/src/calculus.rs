//! Exact derivatives of MML functions by forward-mode automatic differentiation
//! (`derivative`, `grad`, `jacobian`, `hessian`), and finite differences to compare with
//! (`numgrad`).
//!
//! Each input direction is one run of the function with dual numbers (see the runtime's
//! `ad` module): a function of `n` numbers costs `n` runs for `grad` and `jacobian`, and
//! `n²` for `hessian`. Derivatives are exact to rounding, through user functions, loops,
//! branches and indexed assignment.
//!
//! Arguments: a function of one number, of several numbers `f(x, y)`, of a vector, or of
//! several matrices. With one argument, `grad` has that argument's shape; with several
//! numbers it is a column of partial derivatives; with several matrices, a list of
//! gradients in their shapes.

use std::rc::Rc;

use mml_runtime::symbolic::{self, Sym};
use mml_runtime::{ad, Bound, BuiltinError, CallCtx, Matrix, Value};

use crate::macros::builtin;

/// The inputs of a differentiation: each argument's values flattened (column-major).
struct Inputs {
    args: Vec<Value>,
    shapes: Vec<(usize, usize)>,
}

impl Inputs {
    fn new(values: &[Value], first_arg: usize) -> Result<Inputs, BuiltinError> {
        let mut shapes = Vec::with_capacity(values.len());
        for (k, v) in values.iter().enumerate() {
            match v {
                Value::Num(_) | Value::Matrix(_) | Value::Dual(_) | Value::Range(_) => {
                    shapes.push(v.shape().unwrap_or((1, 1)))
                }
                other => {
                    return Err(BuiltinError::type_error(
                        first_arg + k,
                        "a number or matrix to differentiate at",
                        other,
                    )
                    .code("not-differentiable"))
                }
            }
        }
        let args = values
            .iter()
            .map(|v| match v {
                Value::Range(r) => Value::matrix(r.to_column()),
                other => other.clone(),
            })
            .collect();
        Ok(Inputs { args, shapes })
    }

    /// The total number of scalar inputs.
    fn len(&self) -> usize {
        self.shapes.iter().map(|(r, c)| r * c).sum()
    }

    /// The arguments with input `k` (counting across all arguments) seeded with tangent 1.
    fn seeded(&self, k: usize, tag: u32) -> Vec<Value> {
        let mut rest = k;
        let mut out = Vec::with_capacity(self.args.len());
        for (arg, &(r, c)) in self.args.iter().zip(&self.shapes) {
            let n = r * c;
            if rest < n && rest != usize::MAX {
                let d = if (r, c) == (1, 1) {
                    Value::Num(1.0)
                } else {
                    let mut m = Matrix::zeros(r, c);
                    m[rest] = 1.0;
                    Value::matrix(m)
                };
                out.push(ad::make(tag, arg.clone(), d));
                rest = usize::MAX;
            } else {
                out.push(arg.clone());
                if rest != usize::MAX {
                    rest -= n;
                }
            }
        }
        out
    }
}

/// Calls `f` with input `k` seeded and returns the derivative of the result along it.
fn directional(ctx: &mut dyn CallCtx, f: &Value, inputs: &Inputs, k: usize) -> Result<Value, BuiltinError> {
    let tag = ad::new_tag();
    let y = ctx.call(f, &inputs.seeded(k, tag))?;
    if !matches!(y, Value::Num(_) | Value::Matrix(_) | Value::Dual(_) | Value::Bool(_)) {
        return Err(BuiltinError::new(
            "not-differentiable",
            format!("the function returned {}, which has no derivative", mml_runtime::display::describe(&y)),
        ));
    }
    Ok(ad::tangent(&y, tag))
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
    if let Some((tag, vs, ds)) = ad::split_all(&values) {
        return ad::make(tag, column_of(vs, r, c), column_of(ds, r, c));
    }
    let data: Vec<f64> = values.iter().map(|v| v.as_scalar().unwrap_or(f64::NAN)).collect();
    Value::matrix(Matrix::from_vec(r, c, data))
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

/// The gradient of `f` at the point `at`.
fn gradient(ctx: &mut dyn CallCtx, f: &Value, at: &[Value]) -> Result<Value, BuiltinError> {
    let inputs = Inputs::new(at, 1)?;
    let mut partials = Vec::with_capacity(inputs.len());
    for k in 0..inputs.len() {
        let d = directional(ctx, f, &inputs, k)?;
        if d.shape() != Some((1, 1)) {
            let (r, c) = d.shape().unwrap_or((0, 0));
            return Err(BuiltinError::arg(
                0,
                format!("`grad` needs a function returning a number, this one returns a {r}×{c} matrix"),
            )
            .code("not-differentiable")
            .with_help("for vector-valued functions use `jacobian(F, x)`"));
        }
        partials.push(d);
    }
    if inputs.shapes.len() == 1 {
        return Ok(shaped(partials, inputs.shapes[0]));
    }
    if inputs.shapes.iter().all(|s| *s == (1, 1)) {
        let n = partials.len();
        return Ok(column_of(partials, n, 1));
    }
    let mut out = Vec::with_capacity(inputs.shapes.len());
    let mut it = partials.into_iter();
    for &(r, c) in &inputs.shapes {
        out.push(shaped(it.by_ref().take(r * c).collect(), (r, c)));
    }
    Ok(Value::List(Rc::new(out)))
}

builtin! {
    /// The derivative of a function of one number, as a function.
    /// `derivative(f)(x)` is f′(x), and `derivative(f, n)` the n-th derivative: exact
    /// (automatic differentiation), through loops, branches and other functions.
    /// ```mml
    /// f(x) = x^3
    /// derivative(f)(2)      # => 12
    /// derivative(f, 2)(2)   # => 12
    /// derivative(sin)(0)    # => 1
    /// ```
    pub static DERIVATIVE: Calculus = "derivative"(f, n = 1), |_ctx, args| {
        let f = args.func(0)?;
        let n = args.count(1)?;
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

/// The n-th derivative of `f` at `x`, by nesting dual numbers.
fn nth_derivative(ctx: &mut dyn CallCtx, f: &Value, n: usize, x: &Value) -> Result<Value, BuiltinError> {
    if n == 0 {
        return ctx.call(f, std::slice::from_ref(x));
    }
    let tag = ad::new_tag();
    let seeded = ad::make(tag, x.clone(), Value::Num(1.0));
    let y = nth_derivative(ctx, f, n - 1, &seeded)?;
    Ok(ad::tangent(&y, tag))
}

builtin! {
    /// The value of an n-th derivative at a point (what `derivative(f, n)` returns, called).
    /// ```mml
    /// derivative_at(x -> x^2, 1, 3)   # => 6
    /// ```
    pub static DERIVATIVE_AT: Calculus = "derivative_at"(f, n, x), |ctx, args| {
        let f = args.func(0)?.clone();
        let n = args.count(1)?;
        let x = args.get(2);
        if x.shape() != Some((1, 1)) || matches!(x, Value::Bool(_)) {
            return Err(BuiltinError::type_error(2, "a number", x)
                .code("not-differentiable")
                .with_help("`derivative` is for functions of one number; use `grad` or `jacobian` for vectors"));
        }
        nth_derivative(ctx, &f, n, x)
    }
}

builtin! {
    /// The gradient of a function returning a number.
    /// `grad(f, x)` is the gradient at `x`, and `grad(f)` the gradient as a function.
    /// For `f(x, y)` give both numbers: `grad(f, 1, 2)` is the column [∂f/∂x, ∂f/∂y]; for a
    /// function of a vector, the gradient is a vector; for several matrix arguments, a list of
    /// gradients in their shapes (backpropagation).
    /// ```mml
    /// f(x, y) = x^2 * y + y^3
    /// grad(f, 1, 2)    # => 2×1 matrix
    ///                  # =>    4
    ///                  # =>   13
    /// g(v) = v' * v
    /// grad(g, [1, 2])  # => 2×1 matrix
    ///                  # =>   2
    ///                  # =>   4
    /// ```
    pub static GRAD: Calculus = "grad"(f, at...), |ctx, args| {
        let f = args.func(0)?.clone();
        if args.rest().is_empty() {
            return Ok(bind(&GRAD, "gradient", &f));
        }
        gradient(ctx, &f, args.rest())
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
        let inputs = Inputs::new(args.rest(), 1)?;
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
        Value::Dual(d) => Ok(ad::make(d.tag, scalar_at(&d.v, i)?, scalar_at(&d.d, i).unwrap_or(Value::Num(0.0)))),
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
    /// ```
    pub static HESSIAN: Calculus = "hessian"(f, at...), |ctx, args| {
        let f = args.func(0)?.clone();
        if args.rest().is_empty() {
            return Ok(bind(&HESSIAN, "hessian", &f));
        }
        let inputs = Inputs::new(args.rest(), 1)?;
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
    /// ```
    pub static NUMGRAD: Calculus = "numgrad"(f, x, h = 1e-6, method = str "central"), |ctx, args| {
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
        let arg = |m: &Matrix| if scalar { Value::Num(m[0]) } else { Value::matrix(m.clone()) };
        let eval = |ctx: &mut dyn CallCtx, m: &Matrix| -> Result<f64, BuiltinError> {
            let y = ctx.call(&f, &[arg(m)])?;
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

/// Runs builtin `run` on arguments where argument `i` may carry a derivative, for builtins
/// that are linear in that argument (`sum`, `mean`, `trace`): f(v + dε) = f(v) + f(d)ε.
pub(crate) fn linear_in(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    i: usize,
    run: mml_runtime::BuiltinFn,
) -> Result<Value, BuiltinError> {
    let Some(tag) = ad::tag_of(args.get(i)) else {
        return run(ctx, args);
    };
    let (v, d) = ad::split(args.get(i), tag);
    let mut values = args.values.to_vec();
    values[i] = v;
    let primal = run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })?;
    values[i] = d;
    let tangent = run(ctx, &mml_runtime::Args { values: &values, nfixed: args.nfixed })?;
    Ok(ad::make(tag, primal, tangent))
}

/// Runs builtin `run` on two arguments that may carry derivatives, for builtins linear in
/// each (`dot`): f(u + du ε, v + dv ε) = f(u, v) + (f(du, v) + f(u, dv)) ε.
pub(crate) fn bilinear(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    run: mml_runtime::BuiltinFn,
) -> Result<Value, BuiltinError> {
    let Some(tag) = ad::tag_of(args.get(0)).max(ad::tag_of(args.get(1))) else {
        return run(ctx, args);
    };
    let (u, du) = ad::split(args.get(0), tag);
    let (v, dv) = ad::split(args.get(1), tag);
    let mut call = |a: &Value, b: &Value| -> Result<Value, BuiltinError> {
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

/// Runs builtin `run` on arguments that may carry derivatives, for builtins that are linear
/// in all of them together (`hcat`, `vcat`): the builtin applied to the values and to the
/// tangents (zeros of the right shape for arguments that carry none).
pub(crate) fn linear_in_all(
    ctx: &mut dyn CallCtx,
    args: &mml_runtime::Args<'_>,
    run: mml_runtime::BuiltinFn,
) -> Result<Value, BuiltinError> {
    let Some((tag, primals, tangents)) = ad::split_all(args.values) else {
        return run(ctx, args);
    };
    let primal = run(ctx, &mml_runtime::Args { values: &primals, nfixed: args.nfixed })?;
    let tangent = run(ctx, &mml_runtime::Args { values: &tangents, nfixed: args.nfixed })?;
    Ok(ad::make(tag, primal, tangent))
}

/// Whether any argument carries a derivative.
pub(crate) fn any_dual(args: &mml_runtime::Args<'_>) -> bool {
    args.values.iter().any(|v| matches!(v, Value::Dual(_)))
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
