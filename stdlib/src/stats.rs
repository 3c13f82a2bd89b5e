//! Reductions over data sets: `sum prod mean median var std min max argmin argmax cumsum`.
//!
//! # The dimension rule
//!
//! A data set is a matrix with one observation per row and one feature per column (the
//! course's and NumPy's layout), so every reduction follows one rule:
//!
//! - a **vector** (`n×1` or `1×n`), a range or a number is reduced over all its elements and
//!   gives a number (`cumsum` keeps the vector's shape);
//! - a **matrix** is reduced down its rows by default (`dim = 1`), giving a `1×d` row with one
//!   result per column (per feature), ready to broadcast: `X - mean(X)` centres the data;
//! - `dim = 2` reduces across the columns instead (one result per row, as an `n×1` column), and
//!   `dim = "all"` over every element.
//!
//! A result of shape `1×1` is a number. A single row `1×d` counts as a vector; give `dim = 1`
//! explicitly for a data set with one observation.
//!
//! Sums use NumPy's pairwise summation (blocks of 8, unrolled), so the sum or mean of a vector
//! is bit-for-bit NumPy's. NaNs propagate: a NaN in a lane makes its `sum`, `mean`, `median`,
//! `var`, `min` and `max` NaN, and `argmin`/`argmax` point at the first NaN (as NumPy's do).
//! Reductions that need an element (`mean`, `median`, `var`, `std`, `min`, `max`, `argmin`,
//! `argmax`) are an error on empty input; `sum` of nothing is 0 and `prod` of nothing is 1.

use mml_runtime::display::format_number;
use mml_runtime::{Args, BuiltinError, CMatrix, CallCtx, Matrix, Value, C64};

use crate::elementwise::zip_elementwise;
use crate::linalg::matrix_arg;
use crate::macros::builtin;
use crate::solve::narrow;

/// Which elements a reduction combines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dim {
    /// Every element.
    All,
    /// Down the rows: one result per column (`dim = 1`).
    Down,
    /// Across the columns: one result per row (`dim = 2`).
    Across,
}

impl Dim {
    /// The number of elements in each lane of an `r×c` matrix.
    pub(crate) fn lane_len(self, (r, c): (usize, usize)) -> usize {
        match self {
            Dim::All => r * c,
            Dim::Down => r,
            Dim::Across => c,
        }
    }
}

/// Reads the `dim` argument `i` for a value of shape `shape` (see the module docs).
pub(crate) fn dim_arg(args: &Args<'_>, i: usize, (r, c): (usize, usize)) -> Result<Dim, BuiltinError> {
    let help = "dim = 1 reduces down the rows (one result per column), dim = 2 across the columns \
                (one result per row), dim = \"all\" over every element";
    match args.get(i) {
        Value::Nothing => Ok(if r == 1 || c == 1 || r + c == 0 { Dim::All } else { Dim::Down }),
        Value::Str(s) if &**s == "all" => Ok(Dim::All),
        v @ Value::Bool(_) => Err(BuiltinError::type_error(i, "1, 2 or \"all\"", v).with_help(help)),
        Value::Str(s) => Err(BuiltinError::arg(i, format!("unknown dimension \"{s}\"")).with_help(help)),
        v => match v.as_scalar() {
            Some(1.0) => Ok(Dim::Down),
            Some(2.0) => Ok(Dim::Across),
            Some(d) => Err(BuiltinError::arg(i, format!("there is no dimension {}", format_number(d))).with_help(help)),
            None => Err(BuiltinError::type_error(i, "1, 2 or \"all\"", v).with_help(help)),
        },
    }
}

/// Applies `f` to every lane of `m` (see [`Dim`]); the results form a row (`Down`), a column
/// (`Across`) or one number (`All`), and a `1×1` result is a number.
pub(crate) fn reduce<T, E>(
    m: &nalgebra::DMatrix<T>,
    dim: Dim,
    mut f: impl FnMut(&[T]) -> Result<T, E>,
) -> Result<nalgebra::DMatrix<T>, E>
where
    T: nalgebra::Scalar + Copy,
{
    let (r, c) = m.shape();
    Ok(match dim {
        Dim::All => nalgebra::DMatrix::from_element(1, 1, f(m.as_slice())?),
        Dim::Down => {
            let mut out = Vec::with_capacity(c);
            for j in 0..c {
                out.push(f(&m.as_slice()[j * r..(j + 1) * r])?);
            }
            nalgebra::DMatrix::from_vec(1, c, out)
        }
        Dim::Across => {
            let mut out = Vec::with_capacity(r);
            let mut row = Vec::with_capacity(c);
            for i in 0..r {
                row.clear();
                row.extend(m.row(i).iter().copied());
                out.push(f(&row)?);
            }
            nalgebra::DMatrix::from_vec(r, 1, out)
        }
    })
}

/// NumPy's pairwise summation (`pairwise_sum` in `loops_utils.h`): a plain loop below 8
/// elements, eight interleaved accumulators up to 128, and halves (at a multiple of 8) above.
pub(crate) fn pairwise_sum(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 8 {
        x.iter().fold(0.0, |s, v| s + v)
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&x[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (k, acc) in r.iter_mut().enumerate() {
                *acc += x[i + k];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &x[whole..] {
            res += v;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&x[..half]) + pairwise_sum(&x[half..])
    }
}

/// The mean of a non-empty slice.
pub(crate) fn mean_of(x: &[f64]) -> f64 {
    pairwise_sum(x) / x.len() as f64
}

/// The variance `Σ (x - mean)² / (n - ddof)` of a slice with `n > ddof`.
pub(crate) fn var_of(x: &[f64], ddof: f64, buf: &mut Vec<f64>) -> f64 {
    let m = mean_of(x);
    buf.clear();
    buf.extend(x.iter().map(|v| (v - m) * (v - m)));
    pairwise_sum(buf) / (x.len() as f64 - ddof)
}

/// The error for a reduction `name` that needs at least one element.
fn empty_error(i: usize, name: &str) -> BuiltinError {
    BuiltinError::arg(i, format!("{name} of an empty matrix")).with_help(format!("{name} needs at least one element"))
}

/// A real data argument and its reduction dimension.
fn real_data(ctx: &dyn CallCtx, args: &Args<'_>, dim_at: usize) -> Result<(std::rc::Rc<Matrix>, Dim), BuiltinError> {
    let v = args.get(0);
    if matches!(v, Value::Complex(_) | Value::CMatrix(_)) {
        return Err(BuiltinError::type_error(0, "a real number or matrix", v)
            .with_help("take re(z), im(z) or abs(z) first; sum, prod and mean accept complex values"));
    }
    let m = matrix_arg(ctx, args, 0)?;
    let dim = dim_arg(args, dim_at, m.shape())?;
    Ok((m, dim))
}

/// Reduces argument 0 along argument `dim_at` with `f` (real data), failing on empty lanes
/// when `needs_element`.
fn reduce_real(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    dim_at: usize,
    name: &str,
    needs_element: bool,
    f: impl FnMut(&[f64]) -> Result<f64, BuiltinError>,
) -> Result<Value, BuiltinError> {
    let (m, dim) = real_data(ctx, args, dim_at)?;
    if needs_element && dim.lane_len(m.shape()) == 0 && lanes(&m, dim) > 0 {
        return Err(empty_error(0, name));
    }
    Ok(narrow(reduce(&m, dim, f)?))
}

/// The number of lanes of `m` along `dim`.
fn lanes(m: &Matrix, dim: Dim) -> usize {
    match dim {
        Dim::All => 1,
        Dim::Down => m.ncols(),
        Dim::Across => m.nrows(),
    }
}

/// Sum, product or mean of argument 0, real or complex.
fn sum_like(
    ctx: &dyn CallCtx,
    args: &Args<'_>,
    name: &str,
    real: fn(&[f64]) -> f64,
    complex: fn(&[C64]) -> C64,
) -> Result<Value, BuiltinError> {
    let c = match args.get(0) {
        Value::Complex(z) => Some(std::rc::Rc::new(CMatrix::from_element(1, 1, **z))),
        Value::CMatrix(m) => Some(m.clone()),
        _ => None,
    };
    let Some(c) = c else {
        return reduce_real(ctx, args, 1, name, name == "mean", |x| Ok(real(x)));
    };
    let dim = dim_arg(args, 1, c.shape())?;
    if name == "mean" && dim.lane_len(c.shape()) == 0 {
        return Err(empty_error(0, name));
    }
    let out = reduce(&c, dim, |x| Ok::<_, BuiltinError>(complex(x)))?;
    Ok(if out.len() == 1 { Value::complex(out[0]) } else { Value::cmatrix(out) })
}

/// The sum of complex numbers (pairwise on the real and imaginary parts separately).
fn complex_sum(x: &[C64]) -> C64 {
    let re: Vec<f64> = x.iter().map(|z| z.re).collect();
    let im: Vec<f64> = x.iter().map(|z| z.im).collect();
    C64::new(pairwise_sum(&re), pairwise_sum(&im))
}

builtin! {
    /// The sum of the elements: of a vector, or of each column of a matrix.
    /// A vector, range or number gives a number. A matrix gives a row with the sum of each column
    /// (`dim = 1`, the default: rows are observations); `dim = 2` sums each row (a column), and
    /// `dim = "all"` sums everything. Complex values are summed too. The empty sum is 0.
    /// ```mml
    /// sum([1, 2, 3, 4])         # => 10
    /// sum(1:100)                # => 5050
    /// sum([1, 2; 3, 4])         # => 1×2 matrix
    ///                           # =>   4  6
    /// sum([1, 2; 3, 4], dim = 2)   # => 2×1 matrix
    ///                              # =>   3
    ///                              # =>   7
    /// sum([1, 2; 3, 4], dim = "all")   # => 10
    /// sum([0.5, 0.2, 0.3] .> 0.25)     # => 2
    /// ```
    pub static SUM: Stats = "sum"(X, dim = nothing), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return crate::calculus::linear_in(ctx, args, 0, SUM.run, crate::calculus::Linear::Sum(false));
        }
        sum_like(&*ctx, args, "sum", pairwise_sum, complex_sum)
    }
}

builtin! {
    /// The product of the elements: of a vector, or of each column of a matrix.
    /// The dimension rule is `sum`'s: a vector gives a number, a matrix a row of column products
    /// (`dim = 2` for rows, `dim = "all"` for everything). The empty product is 1.
    /// ```mml
    /// prod([1, 2, 3, 4])        # => 24
    /// prod([1, 2; 3, 4])        # => 1×2 matrix
    ///                           # =>   3  8
    /// ```
    pub static PROD: Stats = "prod"(X, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            // The product of each lane, multiplied out element by element (exact at zeros).
            return crate::calculus::composed(ctx, args, PROD.run, &mut |_| {
                let x = args.get(0);
                let shape = x.shape().unwrap_or((1, 1));
                let dim = dim_arg(args, 1, shape)?;
                let lanes = lanes_of(shape, dim);
                let products = lanes
                    .iter()
                    .map(|lane| {
                        lane.iter().try_fold(Value::Num(1.0), |p, &k| crate::calculus::op(mml_lang::ast::BinOp::ElemMul, &p, &mml_runtime::ad::element(x, k)))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                per_lane(&products, dim)
            });
        }
        sum_like(&*ctx, args, "prod", |x| x.iter().product(), |x| x.iter().fold(C64::new(1.0, 0.0), |p, z| p * z))
    }
}

builtin! {
    /// The mean (average) of a vector, or of each column (feature) of a data matrix.
    /// A vector, range or number gives a number. A matrix with one observation per row gives the
    /// `1×d` row of column means, so `X - mean(X)` centres the data; `dim = 2` averages each row
    /// and `dim = "all"` every element. The mean of nothing is an error.
    /// ```mml
    /// mean([1, 2, 3, 4])              # => 2.5
    /// X = [0, 1, 1; 1, 2, 1]          # two observations of three features
    /// mean(X)                         # => 1×3 matrix
    ///                                 # =>   0.5  1.5  1
    /// mean(X, dim = 2)                # => 2×1 matrix
    ///                                 # =>   0.66667
    ///                                 # =>   1.33333
    /// ```
    pub static MEAN: Stats = "mean"(X, dim = nothing), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return crate::calculus::linear_in(ctx, args, 0, MEAN.run, crate::calculus::Linear::Sum(true));
        }
        sum_like(&*ctx, args, "mean", mean_of, |x| complex_sum(x) / x.len() as f64)
    }
}

builtin! {
    /// The median: the middle value of a vector, or of each column of a data matrix.
    /// For an even number of values it is the mean of the two middle ones.
    /// The dimension rule is `mean`'s. A NaN gives NaN.
    /// ```mml
    /// median([3, 1, 2])         # => 2
    /// median([4, 1, 3, 2])      # => 2.5
    /// median([1, 10; 2, 20; 9, 30])   # => 1×2 matrix
    ///                                  # =>   2  20
    /// ```
    pub static MEDIAN: Stats = "median"(X, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            // The middle element of each lane (the mean of the two middle ones), each keeping
            // its own derivative.
            return crate::calculus::composed(ctx, args, MEDIAN.run, &mut |_| {
                use mml_lang::ast::BinOp::{Add, ElemMul};
                let x = args.get(0);
                let shape = x.shape().unwrap_or((1, 1));
                let dim = dim_arg(args, 1, shape)?;
                let plain = mml_runtime::ad::strip(x).to_matrix().unwrap_or_default();
                let lanes = lanes_of(shape, dim);
                let middles = lanes
                    .iter()
                    .map(|lane| {
                        let mut order = lane.clone();
                        order.sort_by(|&a, &b| plain[a].total_cmp(&plain[b]));
                        let n = order.len();
                        let upper = crate::calculus::pick(x, &[order[n / 2]], (1, 1))?;
                        if n % 2 == 1 {
                            return Ok(upper);
                        }
                        let lower = crate::calculus::pick(x, &[order[n / 2 - 1]], (1, 1))?;
                        crate::calculus::op(ElemMul, &Value::Num(0.5), &crate::calculus::op(Add, &lower, &upper)?)
                    })
                    .collect::<Result<Vec<_>, BuiltinError>>()?;
                per_lane(&middles, dim)
            });
        }
        let mut buf = Vec::new();
        reduce_real(&*ctx, args, 1, "median", true, |x| Ok(median_of(x, &mut buf)))
    }
}

/// The median of a non-empty slice (NaN if it holds a NaN).
pub(crate) fn median_of(x: &[f64], buf: &mut Vec<f64>) -> f64 {
    if x.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    buf.clear();
    buf.extend_from_slice(x);
    buf.sort_by(f64::total_cmp);
    let n = buf.len();
    if n % 2 == 1 {
        buf[n / 2]
    } else {
        (buf[n / 2 - 1] + buf[n / 2]) / 2.0
    }
}

/// Reads `ddof` (argument `i`): a non-negative number below the lane length `n`.
fn ddof_arg(args: &Args<'_>, i: usize, n: usize) -> Result<f64, BuiltinError> {
    let d = args.num(i)?;
    if !(d >= 0.0 && d.is_finite()) {
        return Err(BuiltinError::arg(i, format!("ddof must be a non-negative number, found {}", format_number(d))));
    }
    if n > 0 && d >= n as f64 {
        return Err(BuiltinError::arg(
            i,
            format!("ddof = {} needs more than {} observations, found {n}", format_number(d), format_number(d)),
        )
        .with_help("the divisor is n - ddof, which must be positive"));
    }
    Ok(d)
}

/// `var` (or `std` when `root`) of argument 0.
fn variance(ctx: &dyn CallCtx, args: &Args<'_>, root: bool) -> Result<Value, BuiltinError> {
    let name = if root { "std" } else { "var" };
    let (m, dim) = real_data(ctx, args, 1)?;
    let n = dim.lane_len(m.shape());
    let ddof = ddof_arg(args, 2, n)?;
    if n == 0 && lanes(&m, dim) > 0 {
        return Err(empty_error(0, name));
    }
    let mut buf = Vec::new();
    let out = reduce(&m, dim, |x| {
        let v = var_of(x, ddof, &mut buf);
        Ok::<_, BuiltinError>(if root { v.sqrt() } else { v })
    })?;
    Ok(narrow(out))
}

builtin! {
    /// The variance: the mean squared distance from the mean, `Σ (x - mean)² / N`.
    /// This is the population variance (divide by `N`), as the course defines it; `ddof = 1`
    /// divides by `N - 1` instead (the unbiased sample variance). The dimension rule is `mean`'s:
    /// a data matrix gives the row of per-feature variances.
    /// ```mml
    /// var([1, 2, 3, 4])              # => 1.25
    /// var([1, 2, 3, 4], ddof = 1)    # => 1.6666666666666667
    /// var([1, 2; 3, 6])              # => 1×2 matrix
    ///                                # =>   1  4
    /// ```
    pub static VAR: Stats = "var"(X, dim = nothing, ddof = 0), |ctx, args| {
        if let Value::Dual(_) = args.get(0) {
            return crate::calculus::variance_rule(ctx, args, MEAN.run, SUM.run, false);
        }
        variance(&*ctx, args, false)
    }
}

builtin! {
    /// The standard deviation: the square root of the variance `var`.
    /// Population (divide by `N`) by default, `ddof = 1` for the sample standard deviation; the
    /// dimension rule is `mean`'s.
    /// ```mml
    /// std([2, 4, 4, 4, 5, 5, 7, 9])   # => 2
    /// std([1, 2; 3, 6])               # => 1×2 matrix
    ///                                 # =>   1  2
    /// ```
    pub static STD: Stats = "std"(X, dim = nothing, ddof = 0), |ctx, args| {
        if let Value::Dual(_) = args.get(0) {
            return crate::calculus::variance_rule(ctx, args, MEAN.run, SUM.run, true);
        }
        variance(&*ctx, args, true)
    }
}

// ---------------------------------------------------------------------------------------------
// Extremes.

/// The smaller of two numbers, NaN if either is NaN.
fn min2(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// The larger of two numbers, NaN if either is NaN.
fn max2(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// The 0-based position of the extreme of a non-empty slice (`beats(a, b)` says `a` beats
/// `b`), the first NaN if there is one, the first of equal extremes otherwise.
fn arg_extreme(x: &[f64], beats: fn(f64, f64) -> bool) -> usize {
    if let Some(k) = x.iter().position(|v| v.is_nan()) {
        return k;
    }
    let mut best = 0;
    for (k, v) in x.iter().enumerate().skip(1) {
        if beats(*v, x[best]) {
            best = k;
        }
    }
    best
}

/// The column-major positions of each lane of an `r×c` matrix along `dim`.
fn lanes_of((r, c): (usize, usize), dim: Dim) -> Vec<Vec<usize>> {
    match dim {
        Dim::All => vec![(0..r * c).collect()],
        Dim::Down => (0..c).map(|j| (j * r..(j + 1) * r).collect()).collect(),
        Dim::Across => (0..r).map(|i| (0..c).map(|j| i + j * r).collect()).collect(),
    }
}

/// One result per lane (numbers that may carry derivatives) arranged as a reduction along
/// `dim` arranges them: a row for `Down`, a column otherwise, a number for one.
fn per_lane(results: &[Value], dim: Dim) -> Result<Value, BuiltinError> {
    let (r, c) = match dim {
        Dim::Down => (1, results.len()),
        _ => (results.len(), 1),
    };
    mml_runtime::ad::rearrange(results, &mut |items| {
        let data: Vec<f64> = items.iter().map(|v| v.as_scalar().unwrap_or(f64::NAN)).collect();
        Ok(narrow(Matrix::from_vec(r, c, data)))
    })
}

/// The column-major positions that 1-based indices within lanes pick (what `argmax` or
/// `argsort` returns along `dim`): index `idx[(i, j)]` is within lane `j` along `Down`,
/// lane `i` along `Across`, and the one lane of `All`.
pub(crate) fn picked((r, c): (usize, usize), dim: Dim, idx: &Matrix) -> Vec<usize> {
    let lanes = lanes_of((r, c), dim);
    let mut out = Vec::with_capacity(idx.len());
    for j in 0..idx.ncols() {
        for i in 0..idx.nrows() {
            let lane = match dim {
                Dim::Down => j,
                Dim::Across => i,
                Dim::All => 0,
            };
            let k = (idx[(i, j)] as usize).saturating_sub(1);
            out.push(lanes.get(lane).and_then(|l| l.get(k)).copied().unwrap_or(0));
        }
    }
    out
}

/// The derivative rule of `min`/`max` (`arg` is `argmin`/`argmax`, `keep_a` says where the
/// first argument wins): one argument gives the derivative of the element picked in each
/// lane; two give each element's derivative from the argument it was taken from.
fn extremum_rule(
    ctx: &mut dyn CallCtx,
    args: &Args<'_>,
    run: mml_runtime::BuiltinFn,
    arg: &mml_runtime::Builtin,
    keep_a: mml_lang::ast::BinOp,
) -> Result<Value, BuiltinError> {
    use mml_lang::ast::BinOp::{Add, ElemMul, Sub};
    if !args.is_nothing(1) {
        return crate::calculus::with_tangent(ctx, args, run, &|v, d| {
            let plain = |x: &Value| mml_runtime::ad::strip(x);
            let mask = crate::calculus::op(keep_a, &plain(&v[0]), &plain(&v[1]))?;
            let mask = Value::matrix(mask.to_matrix().unwrap_or_default().as_ref().clone());
            let other = crate::calculus::op(Sub, &Value::Num(1.0), &mask)?;
            let from_a = crate::calculus::op(ElemMul, &d[0], &mask)?;
            crate::calculus::op(Add, &from_a, &crate::calculus::op(ElemMul, &d[1], &other)?)
        });
    }
    crate::calculus::composed(ctx, args, run, &mut |ctx| {
        let x = args.get(0);
        let idx = crate::calculus::call(ctx, arg, &[mml_runtime::ad::strip(x), args.get(2).clone()])?;
        let idx = idx.to_matrix().unwrap_or_default();
        let shape = x.shape().unwrap_or((1, 1));
        let pos = picked(shape, dim_arg(args, 2, shape)?, &idx);
        crate::calculus::pick(x, &pos, idx.shape())
    })
}

/// `min`/`max`: reduces one argument along `dim`, or combines two element-wise.
fn extremum(ctx: &dyn CallCtx, args: &Args<'_>, name: &str, pick: fn(f64, f64) -> f64) -> Result<Value, BuiltinError> {
    if !args.is_nothing(1) {
        if !args.is_nothing(2) {
            return Err(BuiltinError::arg(2, format!("{name}(a, b) compares element by element and takes no `dim`"))
                .with_help(format!("for the {name} along a dimension write {name}(a, dim = 1)")));
        }
        return zip_elementwise(ctx, (args.get(0), 0), (args.get(1), 1), pick);
    }
    reduce_real(ctx, args, 2, name, true, |x| {
        let first = x.first().copied().unwrap_or(f64::NAN);
        Ok(x.iter().copied().fold(first, pick))
    })
}

builtin! {
    /// The smallest element of a vector, of each column of a matrix, or of `a` and `b` in turn.
    /// `min(a, b)` is the element-wise smaller of `a` and `b`.
    /// With one argument the dimension rule is `sum`'s: a vector (or number, or range) gives a
    /// number, a matrix a row of column minima (`dim = 2` for rows, `dim = "all"` for the
    /// overall minimum). An empty one is an error.
    /// With two, numbers broadcast against matrices.
    /// A NaN anywhere gives `nan`.
    /// ```mml
    /// min(3, 7)           # => 3
    /// min([4, -1, 3])     # => -1
    /// min([1, 5], 2)      # => 2×1 matrix
    ///                     # =>   1
    ///                     # =>   2
    /// min([4, 1; 2, 8])   # => 1×2 matrix
    ///                     # =>   2  1
    /// min([4, 1; 2, 8], dim = "all")   # => 1
    /// ```
    pub static MIN: Stats = "min"(a, b = nothing, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return extremum_rule(ctx, args, MIN.run, &ARGMIN, mml_lang::ast::BinOp::ElemLe);
        }
        extremum(&*ctx, args, "min", min2)
    }
}

builtin! {
    /// The largest element of a vector, of each column of a matrix, or of `a` and `b` in turn.
    /// `max(a, b)` is the element-wise larger of `a` and `b`.
    /// With one argument the dimension rule is `sum`'s: a vector (or number, or range) gives a
    /// number, a matrix a row of column maxima (`dim = 2` for rows, `dim = "all"` for the
    /// overall maximum). An empty one is an error.
    /// With two, numbers broadcast against matrices.
    /// A NaN anywhere gives `nan`.
    /// ```mml
    /// max(3, 7)           # => 7
    /// max([4, -1, 3])     # => 4
    /// max([1, 5], 2)      # => 2×1 matrix
    ///                     # =>   2
    ///                     # =>   5
    /// max([4, 1; 2, 8], dim = 2)   # => 2×1 matrix
    ///                              # =>   4
    ///                              # =>   8
    /// ```
    pub static MAX: Stats = "max"(a, b = nothing, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return extremum_rule(ctx, args, MAX.run, &ARGMAX, mml_lang::ast::BinOp::ElemGe);
        }
        extremum(&*ctx, args, "max", max2)
    }
}

/// `argmin`/`argmax` of argument 0: 1-based positions within each lane.
fn arg_of(ctx: &dyn CallCtx, args: &Args<'_>, name: &str, beats: fn(f64, f64) -> bool) -> Result<Value, BuiltinError> {
    reduce_real(ctx, args, 1, name, true, |x| Ok((arg_extreme(x, beats) + 1) as f64))
}

builtin! {
    /// The position (1-based) of the smallest element of a vector, or of each column's smallest.
    /// The dimension rule is `min`'s: a matrix gives a row with, for each column, the row index
    /// of its minimum (`dim = 2`: the column index of each row's minimum; `dim = "all"`: the
    /// column-major position). Ties give the first position; a NaN's position wins (as NumPy's).
    /// ```mml
    /// argmin([4, -1, 3, -1])   # => 2
    /// argmin([4, 1; 2, 8])     # => 1×2 matrix
    ///                          # =>   2  1
    /// ```
    pub static ARGMIN: Stats = "argmin"(X, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            // Positions do not change with small changes of the values: plain numbers.
            return crate::calculus::call(ctx, &ARGMIN, &[mml_runtime::ad::strip(args.get(0)), args.get(1).clone()]);
        }
        arg_of(&*ctx, args, "argmin", |a, b| a < b)
    }
}

builtin! {
    /// The position (1-based) of the largest element of a vector, or of each column's largest.
    /// The dimension rule is `max`'s: a matrix gives a row with, for each column, the row index
    /// of its maximum (`dim = 2`: the column index of each row's maximum; `dim = "all"`: the
    /// column-major position). Ties give the first position; a NaN's position wins (as NumPy's).
    /// ```mml
    /// argmax([4, 9, 3, 9])     # => 2
    /// argmax([4, 1; 2, 8], dim = 2)   # => 2×1 matrix
    ///                                 # =>   1
    ///                                 # =>   2
    /// ```
    pub static ARGMAX: Stats = "argmax"(X, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            return crate::calculus::call(ctx, &ARGMAX, &[mml_runtime::ad::strip(args.get(0)), args.get(1).clone()]);
        }
        arg_of(&*ctx, args, "argmax", |a, b| a > b)
    }
}

builtin! {
    /// Cumulative sums: element `k` is the sum of the elements up to and including `k`.
    /// A vector keeps its shape. A matrix accumulates down each column (`dim = 1`, the default),
    /// across each row (`dim = 2`), or over all elements in column-major order (`dim = "all"`,
    /// giving a column).
    /// ```mml
    /// cumsum([1, 2, 3, 4])'   # => 1×4 matrix
    ///                         # =>   1  3  6  10
    /// cumsum([1, 2; 3, 4])    # => 2×2 matrix
    ///                         # =>   1  2
    ///                         # =>   4  6
    /// ```
    pub static CUMSUM: Stats = "cumsum"(X, dim = nothing), |ctx, args| {
        if crate::calculus::any_dual(args) {
            // Running sums are products with a triangle of ones.
            return crate::calculus::composed(ctx, args, CUMSUM.run, &mut |_| {
                use mml_lang::ast::BinOp::Mul;
                let x = args.get(0);
                let (r, c) = x.shape().unwrap_or((1, 1));
                let lower = |n: usize| Value::matrix(Matrix::from_fn(n, n, |i, j| f64::from(u8::from(j <= i))));
                let upper = |n: usize| Value::matrix(Matrix::from_fn(n, n, |i, j| f64::from(u8::from(i <= j))));
                match dim_arg(args, 1, (r, c))? {
                    Dim::All if r == 1 => crate::calculus::op(Mul, x, &upper(c)),
                    Dim::All => {
                        let flat = crate::calculus::pick(x, &(0..r * c).collect::<Vec<_>>(), (r * c, 1))?;
                        crate::calculus::op(Mul, &lower(r * c), &flat)
                    }
                    Dim::Down => crate::calculus::op(Mul, &lower(r), x),
                    Dim::Across => crate::calculus::op(Mul, x, &upper(c)),
                }
            });
        }
        let (m, dim) = real_data(&*ctx, args, 1)?;
        let (r, c) = m.shape();
        let running = |x: &mut [f64]| {
            let mut s = 0.0;
            for v in x.iter_mut() {
                s += *v;
                *v = s;
            }
        };
        let mut out = m.as_ref().clone();
        match dim {
            Dim::All if r <= 1 || c <= 1 => running(out.as_mut_slice()),
            Dim::All => {
                running(out.as_mut_slice());
                out = Matrix::from_column_slice(r * c, 1, out.as_slice());
            }
            Dim::Down => out.as_mut_slice().chunks_mut(r.max(1)).for_each(running),
            Dim::Across => {
                for i in 0..r {
                    let mut s = 0.0;
                    for j in 0..c {
                        s += out[(i, j)];
                        out[(i, j)] = s;
                    }
                }
            }
        }
        Ok(narrow(out))
    }
}

#[cfg(test)]
pub(crate) mod tests;
