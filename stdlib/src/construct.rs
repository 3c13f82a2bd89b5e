//! Building matrices and ranges, and asking for shapes and lengths.
//!
//! Every allocation is checked against the session's element limit first, so `zeros(1e6, 1e6)`
//! is a `limit-exceeded` error rather than an abort; sizes must be non-negative whole numbers.

use std::rc::Rc;

use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, RangeVal, Value};

use crate::macros::builtin;

/// The `(rows, cols)` of `zeros`/`ones`/`eye`: `cols` defaults to `rows`; checked against the
/// element limit.
fn dims(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<(usize, usize), BuiltinError> {
    let rows = args.count(0)?;
    let cols = if args.is_nothing(1) { rows } else { args.count(1)? };
    ctx.check_alloc(rows, cols)?;
    Ok((rows, cols))
}

builtin! {
    /// An `n×m` matrix of zeros (`n×n` when `m` is omitted).
    /// For a column of `n` zeros write `zeros(n, 1)`.
    /// ```mml
    /// zeros(2, 3)   # => 2×3 matrix
    ///               # =>   0  0  0
    ///               # =>   0  0  0
    /// size(zeros(4), 2)   # => 4
    /// ```
    pub static ZEROS: Construct = "zeros"(n, m = nothing), |ctx, args| {
        let (r, c) = dims(&*ctx, args)?;
        Ok(Value::matrix(Matrix::zeros(r, c)))
    }
}

builtin! {
    /// An `n×m` matrix of ones (`n×n` when `m` is omitted).
    /// For a column of `n` ones write `ones(n, 1)`.
    /// ```mml
    /// ones(2, 1)   # => 2×1 matrix
    ///              # =>   1
    ///              # =>   1
    /// ```
    pub static ONES: Construct = "ones"(n, m = nothing), |ctx, args| {
        let (r, c) = dims(&*ctx, args)?;
        Ok(Value::matrix(Matrix::from_element(r, c, 1.0)))
    }
}

builtin! {
    /// The `n×n` identity matrix, or an `n×m` matrix with ones on the diagonal.
    /// ```mml
    /// eye(2)   # => 2×2 matrix
    ///          # =>   1  0
    ///          # =>   0  1
    /// ```
    pub static EYE: Construct = "eye"(n, m = nothing), |ctx, args| {
        let (r, c) = dims(&*ctx, args)?;
        Ok(Value::matrix(Matrix::identity(r, c)))
    }
}

/// The shape of a matrix-like argument (numbers are 1×1, ranges columns).
fn shape_of(args: &Args<'_>, i: usize) -> Result<(usize, usize), BuiltinError> {
    args.get(i).shape().ok_or_else(|| {
        let e = BuiltinError::type_error(i, "a matrix or number", args.get(i));
        if matches!(args.get(i), Value::List(_) | Value::Str(_)) {
            e.with_help("use length(...) for the number of items of a list or characters of a string")
        } else {
            e
        }
    })
}

builtin! {
    /// The shape of a matrix as a row `[rows, cols]'`, or one dimension with `dim` = 1 or 2.
    /// Numbers are 1×1 and ranges are columns.
    /// `r, c = size(A)` unpacks the shape.
    /// ```mml
    /// size(zeros(2, 3))      # => 1×2 matrix
    ///                        # =>   2  3
    /// size(zeros(2, 3), 1)   # => 2
    /// size(5, 2)             # => 1
    /// ```
    pub static SIZE: Construct = "size"(A, dim = nothing), |_ctx, args| {
        let (r, c) = shape_of(args, 0)?;
        if args.is_nothing(1) {
            return Ok(Value::matrix(Matrix::from_row_slice(1, 2, &[r as f64, c as f64])));
        }
        let dim = args.num(1)?;
        if dim == 1.0 {
            Ok(Value::Num(r as f64))
        } else if dim == 2.0 {
            Ok(Value::Num(c as f64))
        } else {
            Err(BuiltinError::arg(1, "the dimension must be 1 (rows) or 2 (columns)"))
        }
    }
}

builtin! {
    /// The number of rows of a matrix (1 for a number).
    /// ```mml
    /// rows(zeros(2, 3))   # => 2
    /// ```
    pub static ROWS: Construct = "rows"(A), |_ctx, args| {
        Ok(Value::Num(shape_of(args, 0)?.0 as f64))
    }
}

builtin! {
    /// The number of columns of a matrix (1 for a number).
    /// ```mml
    /// cols(zeros(2, 3))   # => 3
    /// ```
    pub static COLS: Construct = "cols"(A), |_ctx, args| {
        Ok(Value::Num(shape_of(args, 0)?.1 as f64))
    }
}

builtin! {
    /// The number of elements of a matrix (rows × columns), range or number.
    /// ```mml
    /// numel(zeros(2, 3))   # => 6
    /// numel(1:10)          # => 10
    /// ```
    pub static NUMEL: Construct = "numel"(A), |_ctx, args| {
        let (r, c) = shape_of(args, 0)?;
        Ok(Value::Num((r * c) as f64))
    }
}

builtin! {
    /// The number of elements of a vector or range, items of a list, or characters of a string.
    /// A matrix with more than one row and column has no single length: that is an error
    /// suggesting `size` or `numel`.
    /// ```mml
    /// length([1, 2, 3])    # => 3
    /// length(1:10)         # => 10
    /// length("héllo")      # => 5
    /// ```
    pub static LENGTH: Construct = "length"(v), |_ctx, args| {
        let n = match args.get(0) {
            Value::List(items) => items.len(),
            Value::Str(s) => s.chars().count(),
            Value::Range(r) => r.len(),
            v => match v.shape() {
                Some((r, c)) if r <= 1 || c <= 1 => r * c,
                Some((r, c)) => {
                    return Err(BuiltinError::arg(0, format!("a {r}×{c} matrix has no single length"))
                        .with_help("use size(A) for its shape or numel(A) for its number of elements"))
                }
                None => return Err(BuiltinError::type_error(0, "a vector, list, string or range", v)),
            },
        };
        Ok(Value::Num(n as f64))
    }
}

builtin! {
    /// The range `a, a + step, a + 2 step, …` up to `b`, the same as `a:b` or `a:step:b`.
    /// `b` is included when the steps reach it.
    /// Ranges are lazy: no matrix is built until one is needed.
    /// `step` may be negative to count down; it must not be zero.
    /// ```mml
    /// range(1, 5)          # => 1:5
    /// range(0, 1, 0.25)    # => 0:0.25:1
    /// length(range(10, 1, -3))   # => 4
    /// ```
    pub static RANGE: Construct = "range"(a, b, step = 1), |_ctx, args| {
        let (a, b, step) = (args.num(0)?, args.num(1)?, args.num(2)?);
        if !a.is_finite() {
            return Err(BuiltinError::arg(0, "the start of a range must be a finite number"));
        }
        if !step.is_finite() || step == 0.0 {
            return Err(BuiltinError::arg(2, "the step of a range must be a finite, non-zero number"));
        }
        match RangeVal::new(a, step, b) {
            Some(r) => Ok(Value::Range(Rc::new(r))),
            None => Err(BuiltinError::arg(1, "the end of a range must be a number, not nan")),
        }
    }
}

builtin! {
    /// A column of `n` evenly spaced numbers from `a` to `b`, both included.
    /// `linspace(a, b, 1)` is `[a]`; `linspace(a, b, 0)` is empty.
    /// ```mml
    /// linspace(0, 1, 5)   # => 5×1 matrix
    ///                     # =>   0
    ///                     # =>   0.25
    ///                     # =>   0.5
    ///                     # =>   0.75
    ///                     # =>   1
    /// numel(linspace(0, 1))   # => 100
    /// ```
    pub static LINSPACE: Construct = "linspace"(a, b, n = 100), |ctx, args| {
        let (a, b, n) = (args.num(0)?, args.num(1)?, args.count(2)?);
        ctx.check_alloc(n, 1).map_err(|e| e.at_arg(2))?;
        let last = n.saturating_sub(1);
        let step = if last == 0 { 0.0 } else { (b - a) / last as f64 };
        let column = Matrix::from_fn(n, 1, |i, _| if i == last && last > 0 { b } else { a + step * i as f64 });
        Ok(Value::matrix(column))
    }
}
