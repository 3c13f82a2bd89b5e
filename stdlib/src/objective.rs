//! The function a solver, minimiser or fit works on: calling it at a point given as a plain
//! vector, and its gradient (reverse mode, as `grad`), Jacobian and second derivatives
//! (forward mode, dual numbers, as `jacobian` and `hessian` compute them).
//!
//! The point is passed the way the user's starting point suggests: a number stays a number,
//! a matrix keeps its shape, and a vector of `n` numbers given to a function of exactly `n`
//! parameters is spread over them (`f(x, y)` with `x0 = [1, 2]`). Fixed leading arguments
//! (the data `x` of a model `model(x, p)`) come first.
//!
//! Results must be plain numbers or matrices. A result that still carries a derivative of
//! another differentiation (the function uses a variable that an outer `grad` is
//! differentiating) is a `not-differentiable` error: solvers and minimisers are iterative,
//! and their answers have no derivative by automatic differentiation.

use mml_runtime::display::{describe, format_number};
use mml_runtime::{ad, BuiltinError, CallCtx, Matrix, Value};
use nalgebra::DVector;

#[cfg(test)]
pub(crate) mod tests;

/// A point or a vector of values, as the solvers hold them.
pub(crate) type Vector = DVector<f64>;

/// How a point is handed to the function.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Form {
    /// A number.
    Number,
    /// A matrix of this shape (vectors are n×1 or 1×n), filled column by column.
    Shape(usize, usize),
    /// One number per parameter: `f(x, y)`.
    Spread,
}

/// The function of a builtin such as `root` or `minimize`, with the way it takes its point.
pub(crate) struct Objective<'a> {
    f: &'a Value,
    /// Arguments given before the point (the data of a model).
    prefix: Vec<Value>,
    form: Form,
    /// The builtin's name, for messages.
    name: &'static str,
    /// The argument index of the function, for messages.
    arg: usize,
}

/// The one rule for a point given as one vector: a function of k ≥ 2 scalar parameters (after
/// `nprefix` fixed ones) given a k-vector (column or row) takes its elements as its k
/// arguments; returns them as numbers. A function of one parameter (`f(v) = sum(v.^2)`) keeps
/// the vector whole (`None`), as does anything that is not a vector of exactly k numbers.
pub(crate) fn spreads(f: &Value, nprefix: usize, point: &Value) -> Option<Vec<Value>> {
    let Value::Func(c) = f else { return None };
    let m = match point {
        Value::Matrix(_) | Value::Range(_) => point.to_matrix()?,
        _ => return None,
    };
    let n = m.len();
    let k = c.params().len().checked_sub(nprefix)?;
    (k >= 2 && n == k && (m.ncols() == 1 || m.nrows() == 1)).then(|| m.iter().map(|x| Value::Num(*x)).collect())
}

impl<'a> Objective<'a> {
    /// The function at argument `f_arg` taking the point `x0` (argument `x_arg`) after the
    /// fixed arguments `prefix`; returns it with the starting point as a vector.
    pub(crate) fn new(
        name: &'static str,
        f: &'a Value,
        f_arg: usize,
        prefix: Vec<Value>,
        x0: &Value,
        x_arg: usize,
    ) -> Result<(Objective<'a>, Vector), BuiltinError> {
        if !f.is_function() {
            return Err(BuiltinError::type_error(f_arg, "a function", f));
        }
        let (form, x) = match x0 {
            Value::Num(x) => (Form::Number, Vector::from_element(1, *x)),
            Value::Matrix(_) | Value::Range(_) => {
                let m = x0.to_matrix().ok_or_else(|| BuiltinError::type_error(x_arg, "a number or vector", x0))?;
                if m.is_empty() {
                    return Err(BuiltinError::arg(x_arg, "the starting point is empty"));
                }
                let spread = spreads(f, prefix.len(), x0).is_some();
                let form = if spread { Form::Spread } else { Form::Shape(m.nrows(), m.ncols()) };
                (form, Vector::from_column_slice(m.as_slice()))
            }
            other => return Err(BuiltinError::type_error(x_arg, "a number or vector (the starting point)", other)),
        };
        if let Some(k) = x.iter().position(|v| !v.is_finite()) {
            return Err(BuiltinError::arg(
                x_arg,
                format!("the starting point has {} at element {}", format_number(x[k]), k + 1),
            )
            .code("not-finite"));
        }
        Ok((Objective { f, prefix, form, name, arg: f_arg }, x))
    }

    /// The point `x` as the function's arguments (after the prefix), with the inputs in
    /// `seeds` carrying derivatives: `(tag, k)` seeds input `k` along tag `tag`. Seeds must be
    /// given innermost (lowest tag) first.
    fn arguments(&self, x: &Vector, seeds: &[(u32, usize)]) -> Vec<Value> {
        let mut out = self.prefix.clone();
        match self.form {
            Form::Number => {
                let mut v = Value::Num(x[0]);
                for &(tag, _) in seeds {
                    v = ad::make(tag, v, Value::Num(1.0));
                }
                out.push(v);
            }
            Form::Shape(r, c) => {
                let mut v = Value::matrix(Matrix::from_column_slice(r, c, x.as_slice()));
                for &(tag, k) in seeds {
                    let mut e = Matrix::zeros(r, c);
                    e[k] = 1.0;
                    v = ad::make(tag, v, Value::matrix(e));
                }
                out.push(v);
            }
            Form::Spread => {
                for (i, &xi) in x.iter().enumerate() {
                    let mut v = Value::Num(xi);
                    for &(tag, k) in seeds {
                        if k == i {
                            v = ad::make(tag, v, Value::Num(1.0));
                        }
                    }
                    out.push(v);
                }
            }
        }
        out
    }

    /// The value of a function returning a number at `x` and its derivative along the
    /// direction `d` (∇f·d), in one run with dual numbers.
    pub(crate) fn along(&self, ctx: &mut dyn CallCtx, x: &Vector, d: &Vector) -> Result<(f64, f64), BuiltinError> {
        let tag = ad::new_tag();
        let mut args = self.prefix.clone();
        match self.form {
            Form::Number => args.push(ad::make(tag, Value::Num(x[0]), Value::Num(d[0]))),
            Form::Shape(r, c) => args.push(ad::make(
                tag,
                Value::matrix(Matrix::from_column_slice(r, c, x.as_slice())),
                Value::matrix(Matrix::from_column_slice(r, c, d.as_slice())),
            )),
            Form::Spread => {
                for (xi, di) in x.iter().zip(d.iter()) {
                    args.push(ad::make(tag, Value::Num(*xi), Value::Num(*di)));
                }
            }
        }
        let y = ctx.call(self.f, &args)?;
        let v = self.scalar(&self.flat(&ad::primal(&y, tag))?)?;
        let s = self.scalar(&self.flat(&ad::tangent(&y, tag))?)?;
        Ok((v, s))
    }

    /// The point as a value of the starting point's shape (a column when spread).
    pub(crate) fn to_value(&self, x: &Vector) -> Value {
        match self.form {
            Form::Number => Value::Num(x[0]),
            Form::Shape(r, c) => Value::matrix(Matrix::from_column_slice(r, c, x.as_slice())),
            Form::Spread => Value::matrix(Matrix::from_column_slice(x.len(), 1, x.as_slice())),
        }
    }

    /// The function's values at `x`, flattened column by column.
    pub(crate) fn values(&self, ctx: &mut dyn CallCtx, x: &Vector) -> Result<Vector, BuiltinError> {
        let y = ctx.call(self.f, &self.arguments(x, &[]))?;
        self.flat(&y)
    }

    /// The function's value at `x`, which must be a number.
    pub(crate) fn value(&self, ctx: &mut dyn CallCtx, x: &Vector) -> Result<f64, BuiltinError> {
        let y = self.values(ctx, x)?;
        self.scalar(&y)
    }

    fn scalar(&self, y: &Vector) -> Result<f64, BuiltinError> {
        if y.len() == 1 {
            Ok(y[0])
        } else {
            Err(BuiltinError::arg(
                self.arg,
                format!("`{}` needs a function returning a number, this one returns {} values", self.name, y.len()),
            )
            .code("shape-mismatch"))
        }
    }

    /// The values and the Jacobian (one row per output, one column per input) at `x`:
    /// one run with dual numbers per input.
    pub(crate) fn jacobian(&self, ctx: &mut dyn CallCtx, x: &Vector) -> Result<(Vector, Matrix), BuiltinError> {
        let n = x.len();
        let mut values = Vector::zeros(0);
        let mut jac = Matrix::zeros(0, n);
        for k in 0..n {
            let tag = ad::new_tag();
            let y = ctx.call(self.f, &self.arguments(x, &[(tag, k)]))?;
            let (v, d) = (ad::primal(&y, tag), ad::tangent(&y, tag));
            let (v, d) = (self.flat(&v)?, self.flat(&d)?);
            if k == 0 {
                ctx.check_alloc(v.len(), n)?;
                jac = Matrix::zeros(v.len(), n);
                values = v;
            } else if v.len() != values.len() {
                return Err(self.changing_size());
            }
            if d.len() != values.len() {
                return Err(self.changing_size());
            }
            jac.set_column(k, &d);
        }
        Ok((values, jac))
    }

    /// The value and gradient of a function returning a number: one run in reverse mode when
    /// it applies (see `grad`), else one run per input in forward mode.
    pub(crate) fn gradient(&self, ctx: &mut dyn CallCtx, x: &Vector) -> Result<(f64, Vector), BuiltinError> {
        // One input costs one forward run: reverse mode pays off from two.
        if x.len() > 1 {
            if let Some(found) = self.reverse_gradient(ctx, x)? {
                return Ok(found);
            }
        }
        let (v, j) = self.jacobian(ctx, x)?;
        let f = self.scalar(&v)?;
        Ok((f, j.row(0).transpose()))
    }

    /// The value and gradient in reverse mode: one run recording a tape, one sweep back.
    /// `None` when reverse mode does not apply (inside another reverse-mode gradient, or the
    /// function uses a value another differentiation is following).
    fn reverse_gradient(&self, ctx: &mut dyn CallCtx, x: &Vector) -> Result<Option<(f64, Vector)>, BuiltinError> {
        let mut args = |seed: &mut dyn FnMut(Value) -> Value| {
            let mut args = self.prefix.clone();
            match self.form {
                Form::Number => args.push(seed(Value::Num(x[0]))),
                Form::Shape(r, c) => args.push(seed(Value::matrix(Matrix::from_column_slice(r, c, x.as_slice())))),
                Form::Spread => args.extend(x.iter().map(|&xi| seed(Value::Num(xi)))),
            }
            args
        };
        let check = |y: &Value| self.flat(y).and_then(|v| self.scalar(&v)).map(|_| ());
        let Some((y, parts)) = crate::calculus::taped(ctx, self.f, &mut args, &check)? else {
            return Ok(None);
        };
        let v = self.scalar(&self.flat(&y)?)?;
        let g: Vec<f64> = parts.iter().flat_map(|m| m.iter().copied()).collect();
        Ok(Some((v, Vector::from_vec(g))))
    }

    /// Values, Jacobian and the Hessian of every output (`n × n` each) at `x`: one run with
    /// nested dual numbers per pair of inputs `i ≤ j`, so `n (n + 1) / 2` runs.
    pub(crate) fn second(&self, ctx: &mut dyn CallCtx, x: &Vector) -> Result<Second, BuiltinError> {
        let n = x.len();
        let mut out = Second { values: Vector::zeros(0), jacobian: Matrix::zeros(0, n), hessians: Vec::new() };
        for i in 0..n {
            for j in i..n {
                let inner = ad::new_tag();
                let outer = ad::new_tag();
                let y = ctx.call(self.f, &self.arguments(x, &[(inner, j), (outer, i)]))?;
                let (p, t) = (ad::primal(&y, outer), ad::tangent(&y, outer));
                let value = self.flat(&ad::primal(&p, inner))?;
                let d_j = self.flat(&ad::tangent(&p, inner))?;
                let d_ij = self.flat(&ad::tangent(&t, inner))?;
                if i == 0 && j == 0 {
                    let m = value.len();
                    ctx.check_alloc(m.max(1) * n, n)?;
                    out.jacobian = Matrix::zeros(m, n);
                    out.hessians = vec![Matrix::zeros(n, n); m];
                    out.values = value;
                } else if value.len() != out.values.len() {
                    return Err(self.changing_size());
                }
                if d_j.len() != out.values.len() || d_ij.len() != out.values.len() {
                    return Err(self.changing_size());
                }
                if i == 0 {
                    out.jacobian.set_column(j, &d_j);
                }
                for (h, &v) in out.hessians.iter_mut().zip(d_ij.iter()) {
                    h[(i, j)] = v;
                    h[(j, i)] = v;
                }
            }
        }
        Ok(out)
    }

    fn changing_size(&self) -> BuiltinError {
        BuiltinError::arg(self.arg, "the function's result changes size from one call to the next")
            .code("shape-mismatch")
    }

    /// The entries of a result, column by column.
    fn flat(&self, y: &Value) -> Result<Vector, BuiltinError> {
        match y {
            Value::Num(v) => Ok(Vector::from_element(1, *v)),
            Value::Bool(b) => Ok(Vector::from_element(1, f64::from(u8::from(*b)))),
            Value::Matrix(m) => Ok(Vector::from_column_slice(m.as_slice())),
            Value::Range(r) => Ok(Vector::from_column_slice(r.to_column().as_slice())),
            Value::Dual(_) => Err(BuiltinError::arg(
                self.arg,
                format!("`{}` cannot be differentiated: its function uses a variable that is being differentiated", self.name),
            )
            .code("not-differentiable")
            .with_help("an iterative solver's answer has no derivative by automatic differentiation; differentiate the equations it solves instead")),
            other => Err(BuiltinError::arg(
                self.arg,
                format!("`{}` needs a function returning numbers, this one returned {}", self.name, describe(other)),
            )
            .code("type-mismatch")),
        }
    }
}

/// Values, first and second derivatives of a function at a point.
pub(crate) struct Second {
    /// The outputs.
    pub values: Vector,
    /// One row per output.
    pub jacobian: Matrix,
    /// The Hessian of each output.
    pub hessians: Vec<Matrix>,
}

/// Formats a point for messages: a number, or `[a, b, c]`.
pub(crate) fn show_point(x: &Vector) -> String {
    if x.len() == 1 {
        return format_number(x[0]);
    }
    let parts: Vec<String> = x.iter().map(|v| format_number(*v)).collect();
    format!("[{}]", parts.join(", "))
}

/// A number formatted with `digits` significant digits (for iteration tables and notes).
pub(crate) fn short(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format_number(x);
    }
    let s = format!("{:.*e}", digits.saturating_sub(1), x);
    // Back through f64 so that the shortest form is printed (1.5 rather than 1.500000e0).
    match s.parse::<f64>() {
        Ok(v) => format_number(v),
        Err(_) => s,
    }
}
