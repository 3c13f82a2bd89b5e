//! Building matrices and ranges, and asking for shapes and lengths.
//!
//! Every allocation is checked against the session's element limit first, so `zeros(1e6, 1e6)`
//! is a `limit-exceeded` error rather than an abort; sizes must be non-negative whole numbers.

use std::rc::Rc;

use mml_runtime::display::{describe, format_number};
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, RangeVal, Record, Value};

use crate::elementwise::Numeric;
use crate::macros::builtin;

/// The `(rows, cols)` of `zeros`/`ones`/`eye`, checked against the element limit. With one
/// size, `cols` is 1 for `zeros`/`ones` (a column, as `rand(n)`
/// is), the rows themselves for `eye` (the square identity).
fn dims(ctx: &dyn CallCtx, args: &Args<'_>, square: bool) -> Result<(usize, usize), BuiltinError> {
    dims_from(ctx, args, square, !args.is_nothing(1))
}

/// [`dims`], with whether argument 1 is the number of columns.
fn dims_from(ctx: &dyn CallCtx, args: &Args<'_>, square: bool, has_cols: bool) -> Result<(usize, usize), BuiltinError> {
    // `zeros(size(A))`: a size as a pair [rows, cols] (either orientation), as in Octave.
    if let (Some(pair), false) = (args.get(0).to_matrix().filter(|m| m.len() == 2), has_cols) {
        let count = |x: f64| {
            if x >= 0.0 && x.fract() == 0.0 && x.is_finite() {
                Ok(x as usize)
            } else {
                Err(BuiltinError::arg(
                    0,
                    format!("a size must hold whole numbers, found {}", mml_runtime::display::format_number(x)),
                ))
            }
        };
        let (rows, cols) = (count(pair[0])?, count(pair[1])?);
        ctx.check_alloc(rows, cols)?;
        return Ok((rows, cols));
    }
    let rows = args.count(0)?;
    let cols = match (has_cols, square) {
        (false, true) => rows,
        (false, false) => 1,
        (true, _) => args.count(1)?,
    };
    ctx.check_alloc(rows, cols)?;
    Ok((rows, cols))
}

builtin! {
    /// An `n×m` matrix of zeros, or a column of `n` zeros.
    /// `zeros(n)` is `n×1`, as `ones(n)` and `rand(n)` are (Octave's `zeros(n)` is square:
    /// write `zeros(n, n)`); `zeros(size(A))` has A's shape.
    /// ```mml
    /// zeros(2, 3)   # => 2×3 matrix
    ///               # =>   0  0  0
    ///               # =>   0  0  0
    /// size(zeros(4))      # => 1×2 matrix
    ///                     # =>   4  1
    /// size(zeros(4, 4))   # => 1×2 matrix
    ///                     # =>   4  4
    /// zeros(size([1, 2; 3, 4; 5, 6]))   # => 3×2 matrix
    ///                                   # =>   0  0
    ///                                   # =>   0  0
    ///                                   # =>   0  0
    /// ```
    pub static ZEROS: Construct = "zeros"(n, m = nothing), |ctx, args| {
        let (r, c) = dims(&*ctx, args, false)?;
        Ok(Value::matrix(Matrix::zeros(r, c)))
    }
}

builtin! {
    /// An `n×m` matrix of ones, or a column of `n` ones.
    /// `ones(n)` is `n×1`, as `zeros(n)` and `rand(n)` are (Octave's `ones(n)` is square:
    /// write `ones(n, n)`), so `[x, ones(n)]` puts a column of ones beside a column `x`;
    /// `ones(size(A))` has A's shape.
    /// ```mml
    /// ones(2)   # => 2×1 matrix
    ///           # =>   1
    ///           # =>   1
    /// x = [2, 3, 5]
    /// [x, ones(3)]   # => 3×2 matrix
    ///                # =>   2  1
    ///                # =>   3  1
    ///                # =>   5  1
    /// ```
    pub static ONES: Construct = "ones"(n, m = nothing), |ctx, args| {
        let (r, c) = dims(&*ctx, args, false)?;
        Ok(Value::matrix(Matrix::from_element(r, c, 1.0)))
    }
}

builtin! {
    /// The `n×n` identity matrix, or an `n×m` matrix with ones on the diagonal.
    /// `eye(n)` is the one constructor whose single size gives a square: an identity is square.
    /// ```mml
    /// eye(2)   # => 2×2 matrix
    ///          # =>   1  0
    ///          # =>   0  1
    /// ```
    pub static EYE: Construct = "eye"(n, m = nothing), |ctx, args| {
        let (r, c) = dims(&*ctx, args, true)?;
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

builtin! {
    /// An `n×m` matrix with every element equal to `value`, or a column of `n` of them.
    /// `full(n, value)` is `n×1`, as `zeros(n)` is (NumPy's `np.full(n, value)`);
    /// `full(size(A), value)` has A's shape. `full(n, m, nan)` is handy for NaN-separated
    /// polygons in plots.
    /// ```mml
    /// full(2, 3, 7)   # => 2×3 matrix
    ///                 # =>   7  7  7
    ///                 # =>   7  7  7
    /// full(2, 7)      # => 2×1 matrix
    ///                 # =>   7
    ///                 # =>   7
    /// full(size([1, 2]'), -1)   # => 1×2 matrix
    ///                           # =>   -1  -1
    /// ```
    pub static FULL: Construct = "full"(n, m = nothing, value = nothing), |ctx, args| {
        let (dims, value) = match (args.is_nothing(1), args.is_nothing(2)) {
            (false, false) => (dims_from(&*ctx, args, false, true)?, args.num(2)?),
            (false, true) => (dims_from(&*ctx, args, false, false)?, args.num(1)?),
            (true, false) => (dims_from(&*ctx, args, false, false)?, args.num(2)?),
            (true, true) => {
                return Err(BuiltinError::arg(0, "`full` needs the value to fill with")
                    .code("argument-count")
                    .with_help("write `full(n, value)` for a column, `full(n, m, value)` for an n×m matrix"))
            }
        };
        Ok(Value::matrix(Matrix::from_element(dims.0, dims.1, value)))
    }
}

/// Argument `i` as a whole number that may be negative (a diagonal offset).
fn offset(args: &Args<'_>, i: usize) -> Result<i64, BuiltinError> {
    let k = args.num(i)?;
    if k.is_finite() && k.fract() == 0.0 && k.abs() < 9.0e15 {
        Ok(k as i64)
    } else {
        Err(BuiltinError::arg(i, format!("the diagonal offset must be a whole number, found {}", format_number(k))))
    }
}

builtin! {
    /// A diagonal matrix from a vector, or the diagonal of a matrix as a column.
    /// With `k`, the `k`-th diagonal: `k > 0` above the main diagonal, `k < 0` below it.
    /// A vector of `n` elements (a column, a row or a range) gives an `(n + |k|)×(n + |k|)`
    /// matrix; a matrix with more than one row and column gives its `k`-th diagonal, which must
    /// exist.
    /// ```mml
    /// diag([1, 2])          # => 2×2 matrix
    ///                       # =>   1  0
    ///                       # =>   0  2
    /// diag([1, 2; 3, 4])    # => 2×1 matrix
    ///                       # =>   1
    ///                       # =>   4
    /// diag([5, 6], 1)       # => 3×3 matrix
    ///                       # =>   0  5  0
    ///                       # =>   0  0  6
    ///                       # =>   0  0  0
    /// ```
    pub static DIAG: Construct = "diag"(v, k = 0), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return crate::calculus::linear_in(ctx, args, 0, DIAG.run, crate::calculus::Linear::Moves);
        }
        let m = Numeric::from_value(&*ctx, args.get(0), 0)?;
        let k = offset(args, 1)?;
        let (r, c) = m.shape();
        let elems = m.elements();
        if r <= 1 || c <= 1 {
            let n = elems.len();
            let size = n.saturating_add(k.unsigned_abs() as usize);
            ctx.check_alloc(size, size)?;
            let (dr, dc) = if k >= 0 { (0, k as usize) } else { (k.unsigned_abs() as usize, 0) };
            let mut out = Matrix::zeros(size, size);
            for (i, x) in elems.iter().enumerate() {
                out[(i + dr, i + dc)] = *x;
            }
            return Ok(Value::matrix(out));
        }
        let (r0, c0) = if k >= 0 { (0usize, k as usize) } else { (k.unsigned_abs() as usize, 0usize) };
        if r0 >= r || c0 >= c {
            return Err(BuiltinError::arg(1, format!("a {r}×{c} matrix has no diagonal {k}"))
                .with_help(format!("its diagonals run from k = {} (bottom left) to k = {} (top right)", -(r as i64 - 1), c - 1)));
        }
        let len = (r - r0).min(c - c0);
        Ok(Value::column((0..len).map(|i| elems[(r0 + i) + (c0 + i) * r]).collect()))
    }
}

builtin! {
    /// The elements of `A` rearranged into an `r×c` matrix, in column-major order.
    /// Elements are read down the columns of `A` (first column top to bottom, then the second,
    /// …) and written down the columns of the result, as in Octave, Julia and Fortran (NumPy's
    /// default is row-major: `np.reshape(a, (r, c))` is `reshape(A', c, r)'` here).
    /// The number of elements must stay the same.
    /// ```mml
    /// reshape(1:6, 2, 3)   # => 2×3 matrix
    ///                      # =>   1  3  5
    ///                      # =>   2  4  6
    /// reshape([1, 2; 3, 4], 1, 4)   # => 1×4 matrix
    ///                               # =>   1  3  2  4
    /// ```
    pub static RESHAPE: Construct = "reshape"(A, r, c), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return crate::calculus::linear_in(ctx, args, 0, RESHAPE.run, crate::calculus::Linear::Moves);
        }
        let a = Numeric::from_value(&*ctx, args.get(0), 0)?;
        let (r, c) = (args.count(1)?, args.count(2)?);
        let (ar, ac) = a.shape();
        let n = ar * ac;
        if r.checked_mul(c) != Some(n) {
            return Err(BuiltinError::arg(
                1,
                format!("cannot reshape a {ar}×{ac} matrix ({n} elements) into {r}×{c} ({} elements)", r.saturating_mul(c)),
            )
            .code("shape-mismatch")
            .with_help("the new shape must hold the same number of elements"));
        }
        Ok(Value::matrix(Matrix::from_column_slice(r, c, a.elements())))
    }
}

builtin! {
    /// The elements of `A` as one column, in column-major order (down each column in turn).
    /// `flatten(A)` is `reshape(A, numel(A), 1)`.
    /// ```mml
    /// flatten([1, 2; 3, 4])   # => 4×1 matrix
    ///                         # =>   1
    ///                         # =>   3
    ///                         # =>   2
    ///                         # =>   4
    /// ```
    pub static FLATTEN: Construct = "flatten"(A), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return crate::calculus::linear_in(ctx, args, 0, FLATTEN.run, crate::calculus::Linear::Moves);
        }
        let a = Numeric::from_value(&*ctx, args.get(0), 0)?;
        Ok(Value::column(a.elements().to_vec()))
    }
}

/// The numeric blocks of a variadic concatenation, skipping empty ones (as matrix literals do),
/// with their argument indices.
fn blocks(ctx: &dyn CallCtx, args: &Args<'_>) -> Result<Vec<(usize, Rc<Matrix>)>, BuiltinError> {
    let mut out = Vec::new();
    for (k, v) in args.rest().iter().enumerate() {
        let i = args.nfixed + k;
        let m = match Numeric::from_value(ctx, v, i)? {
            Numeric::Scalar(x) => Rc::new(Matrix::from_element(1, 1, x)),
            Numeric::Matrix(m) => m,
        };
        if !m.is_empty() {
            out.push((i, m));
        }
    }
    Ok(out)
}

/// Joins blocks side by side (`horizontal`) or stacked; 1×1 results are numbers, as for `[A, B]`.
fn concatenate(ctx: &dyn CallCtx, args: &Args<'_>, horizontal: bool) -> Result<Value, BuiltinError> {
    let parts = blocks(ctx, args)?;
    let Some((first_i, first)) = parts.first() else { return Ok(Value::matrix(Matrix::zeros(0, 0))) };
    let along = |m: &Matrix| if horizontal { m.nrows() } else { m.ncols() };
    let need = along(first);
    if let Some((i, bad)) = parts.iter().find(|(_, m)| along(m) != need) {
        let (what, help) = if horizontal {
            ("rows", "to stack blocks on top of each other use vcat (or `;` in a matrix literal)")
        } else {
            ("columns", "to put blocks side by side use hcat (or `,` in a matrix literal)")
        };
        let (fr, fc) = first.shape();
        let (br, bc) = bad.shape();
        return Err(BuiltinError::arg(
            *i,
            format!("cannot join a {br}×{bc} matrix to a {fr}×{fc} one: they need the same number of {what}"),
        )
        .code("shape-mismatch")
        .with_note(format!("argument {} is {fr}×{fc}, argument {} is {br}×{bc}", first_i + 1, i + 1))
        .with_help(help));
    }
    let total: usize = parts.iter().map(|(_, m)| if horizontal { m.ncols() } else { m.nrows() }).sum();
    let (rows, cols) = if horizontal { (need, total) } else { (total, need) };
    ctx.check_alloc(rows, cols)?;
    let mut out = Matrix::zeros(rows, cols);
    let mut at = 0;
    for (_, m) in &parts {
        if horizontal {
            out.view_mut((0, at), m.shape()).copy_from(&**m);
            at += m.ncols();
        } else {
            out.view_mut((at, 0), m.shape()).copy_from(&**m);
            at += m.nrows();
        }
    }
    if out.len() == 1 {
        return Ok(Value::Num(out[0]));
    }
    Ok(Value::matrix(out))
}

builtin! {
    /// Joins matrices side by side, like the matrix literal `[A, B, …]`.
    /// All blocks need the same number of rows; numbers are 1×1 blocks and ranges columns;
    /// empty matrices are skipped. `hcat()` is the 0×0 matrix.
    /// ```mml
    /// hcat([1, 2], [3, 4])   # => 2×2 matrix
    ///                        # =>   1  3
    ///                        # =>   2  4
    /// hcat(1, 2, 3)          # => 1×3 matrix
    ///                        # =>   1  2  3
    /// ```
    pub static HCAT: Construct = "hcat"(blocks...), |ctx, args| {
        if crate::calculus::carries(args) {
            return crate::calculus::linear_in_all(ctx, args, HCAT.run);
        }
        concatenate(&*ctx, args, true)
    }
}

builtin! {
    /// Stacks matrices on top of each other, like the matrix literal `[A; B; …]`.
    /// All blocks need the same number of columns; numbers are 1×1 blocks and ranges columns;
    /// empty matrices are skipped. `vcat()` is the 0×0 matrix.
    /// ```mml
    /// vcat([1, 2]', [3, 4]')   # => 2×2 matrix
    ///                          # =>   1  2
    ///                          # =>   3  4
    /// vcat([1, 2], 3)          # => 3×1 matrix
    ///                          # =>   1
    ///                          # =>   2
    ///                          # =>   3
    /// ```
    pub static VCAT: Construct = "vcat"(blocks...), |ctx, args| {
        if crate::calculus::carries(args) {
            return crate::calculus::linear_in_all(ctx, args, VCAT.run);
        }
        concatenate(&*ctx, args, false)
    }
}

/// Argument `i` as the elements of a vector (a column, a row, a range or a number).
fn vector_elements(ctx: &dyn CallCtx, args: &Args<'_>, i: usize) -> Result<Vec<f64>, BuiltinError> {
    let m = Numeric::from_value(ctx, args.get(i), i)?;
    let (r, c) = m.shape();
    if r > 1 && c > 1 {
        return Err(BuiltinError::arg(i, format!("expected a vector, found {}", describe(args.get(i))))
            .code("shape-mismatch")
            .with_help("give the grid points along this axis as a vector, e.g. linspace(0, 1, 5)"));
    }
    Ok(m.elements().to_vec())
}

builtin! {
    /// Grids of coordinates for evaluating a function of two variables on every pair `(x, y)`.
    /// Returns a record `{X, Y}` of two `ny×nx` matrices: row `i`, column `j` holds the point
    /// `(x[j], y[i])`, so rows follow `y` and columns follow `x` (NumPy's default `'xy'`
    /// indexing, as used for contour plots). `y` defaults to `x`.
    /// Unpack it with `X, Y = meshgrid(x, y)`.
    /// ```mml
    /// X, Y = meshgrid([1, 2, 3], [10, 20])
    /// X   # => 2×3 matrix
    ///     # =>   1  2  3
    ///     # =>   1  2  3
    /// Y   # => 2×3 matrix
    ///     # =>   10  10  10
    ///     # =>   20  20  20
    /// ```
    pub static MESHGRID: Construct = "meshgrid"(x, y = nothing), |ctx, args| {
        let x = vector_elements(&*ctx, args, 0)?;
        let y = if args.is_nothing(1) { x.clone() } else { vector_elements(&*ctx, args, 1)? };
        ctx.check_alloc(y.len(), x.len())?;
        let xs = Matrix::from_fn(y.len(), x.len(), |_, j| x[j]);
        let ys = Matrix::from_fn(y.len(), x.len(), |i, _| y[i]);
        Ok(Value::Record(Rc::new(Record::from_pairs([("X", Value::matrix(xs)), ("Y", Value::matrix(ys))]))))
    }
}
