//! Random sampling from MML's generator (see `random.rs`): `randint`, `shuffle`, `choice` and
//! `mvn_sample`, all reproducible with `seed(n)`.
//!
//! How draws are made (so that other implementations can reproduce them):
//!
//! - **a whole number in `[0, k)`**: take the next 64-bit output `u`; reject it while
//!   `u ≥ 2⁶⁴ - (2⁶⁴ mod k)` (so every remainder is equally likely), then return `u mod k`;
//! - **shuffling** is Fisher–Yates from the end: for `i = n-1, …, 1` swap item `i` with item
//!   `j`, a whole number in `[0, i]`;
//! - **sampling without replacement** is Fisher–Yates from the front, stopped after `k` swaps:
//!   for `i = 0, …, k-1` swap item `i` with item `i + j`, `j` in `[0, n - i)`;
//! - **weighted draws** take `u = rand() · (sum of the remaining weights)` and pick the first
//!   item whose running sum of weights exceeds `u`;
//! - **multivariate normal** samples are drawn one observation at a time: `d` standard normals
//!   `z` (as `randn`), then `mu + L z` with `Sigma = L L'` (Cholesky; for a singular `Sigma`,
//!   `L = V sqrt(Λ)` from its eigenvectors). The first `k` samples do not depend on `n`.

use std::rc::Rc;

use mml_runtime::display::{describe, format_number};
use mml_runtime::kernel;
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};

use crate::decomp::{is_symmetric, not_symmetric};
use crate::linalg::{matrix_arg, require_finite, vector_arg};
use crate::macros::builtin;
use crate::random::{with_rng, Xoshiro256};
use crate::solve::narrow;

/// A uniformly distributed whole number in `[0, k)` (`k ≥ 1`), by rejection (module docs).
pub(crate) fn below(r: &mut Xoshiro256, k: u64) -> u64 {
    let rem = (u64::MAX % k + 1) % k;
    loop {
        let u = r.next_u64();
        if rem == 0 || u <= u64::MAX - rem {
            return u % k;
        }
    }
}

/// The largest magnitude of a whole number that `randint` accepts: 2⁵³.
const MAX_INT: f64 = 9_007_199_254_740_992.0;

/// Reads a bound of `randint`: a whole number no larger than 2⁵³ in magnitude.
fn whole(args: &Args<'_>, i: usize) -> Result<f64, BuiltinError> {
    let x = args.num(i)?;
    if x.fract() != 0.0 || !x.is_finite() || x.abs() > MAX_INT {
        return Err(BuiltinError::arg(
            i,
            format!("the bounds of randint are whole numbers, found {}", format_number(x)),
        ));
    }
    Ok(x)
}

builtin! {
    /// Random whole numbers from `lo` to `hi`, both included, all equally likely.
    /// `randint(lo, hi)` is a number, `randint(lo, hi, n)` a column of `n`, and
    /// `randint(lo, hi, n, m)` an `n×m` matrix (filled column by column). `seed(k)` makes the
    /// numbers repeat. For a random index into a vector `v`, write `randint(1, length(v))`.
    /// ```mml
    /// seed(3)
    /// d = randint(1, 6, 1000)        # a thousand dice
    /// min(d) >= 1 and max(d) <= 6    # => true
    /// all(d .== round(d))            # => true
    /// ```
    pub static RANDINT: Random = "randint"(lo, hi, n = nothing, m = nothing), |ctx, args| {
        let lo = whole(args, 0)?;
        let hi = whole(args, 1)?;
        if hi < lo {
            return Err(BuiltinError::arg(1, format!("the range {}..{} is empty: hi must be at least lo", format_number(lo), format_number(hi))));
        }
        let span = (hi - lo) as u64 + 1;
        let draw = |r: &mut Xoshiro256| lo + below(r, span) as f64;
        if args.is_nothing(2) {
            if !args.is_nothing(3) {
                return Err(BuiltinError::arg(3, "give the number of rows `n` too"));
            }
            return Ok(Value::Num(with_rng(draw)));
        }
        let rows = args.count(2)?;
        let cols = if args.is_nothing(3) { 1 } else { args.count(3)? };
        ctx.check_alloc(rows, cols)?;
        let data: Vec<f64> = with_rng(|r| (0..rows * cols).map(|_| draw(r)).collect());
        Ok(Value::matrix(Matrix::from_vec(rows, cols, data)))
    }
}

/// What `shuffle` and `choice` draw from: the elements of a vector, the rows of a matrix or
/// the items of a list.
enum Population {
    /// A vector's elements, and whether it was a row.
    Vector(Vec<f64>, bool),
    /// A matrix's rows.
    Rows(Rc<Matrix>),
    /// A list's items.
    List(Rc<Vec<Value>>),
}

impl Population {
    fn read(ctx: &dyn CallCtx, args: &Args<'_>, i: usize, what: &str) -> Result<Population, BuiltinError> {
        match args.get(i) {
            Value::List(items) => Ok(Population::List(items.clone())),
            Value::Num(_) | Value::Bool(_) => Err(BuiltinError::type_error(i, what, args.get(i))
                .with_help("for a random whole number use randint(lo, hi); for 1..n write 1:n")),
            _ => {
                let m = matrix_arg(ctx, args, i).map_err(|_| BuiltinError::type_error(i, what, args.get(i)))?;
                let (r, c) = m.shape();
                if r <= 1 || c <= 1 {
                    Ok(Population::Vector(m.as_slice().to_vec(), r == 1 && c > 1))
                } else {
                    Ok(Population::Rows(m))
                }
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Population::Vector(v, _) => v.len(),
            Population::Rows(m) => m.nrows(),
            Population::List(items) => items.len(),
        }
    }

    /// The items at `idx`, in that order, as a value of the population's kind.
    fn pick(&self, idx: &[usize]) -> Value {
        match self {
            Population::Vector(v, row) => {
                let data: Vec<f64> = idx.iter().map(|&k| v[k]).collect();
                let n = data.len();
                Value::matrix(if *row { Matrix::from_vec(1, n, data) } else { Matrix::from_vec(n, 1, data) })
            }
            Population::Rows(m) => Value::matrix(m.select_rows(idx)),
            Population::List(items) => Value::List(Rc::new(idx.iter().map(|&k| items[k].clone()).collect())),
        }
    }

    /// The single item `k` (a number, a `1×d` row or a list item).
    fn one(&self, k: usize) -> Value {
        match self {
            Population::Vector(v, _) => Value::Num(v[k]),
            Population::Rows(m) => Value::matrix(m.select_rows(&[k])),
            Population::List(items) => items[k].clone(),
        }
    }
}

builtin! {
    /// The items in a random order: a vector's elements, a matrix's rows or a list's items.
    /// The rows of a matrix move whole (each observation stays together).
    /// Every order is equally likely (Fisher–Yates); `seed(n)` makes it repeat. `shuffle(1:n)`
    /// is a random permutation of `1…n`; to shuffle a data set and its labels together,
    /// shuffle the row indices: `p = shuffle(1:rows(X))`, then `X[p, :]` and `y[p]`.
    /// ```mml
    /// seed(1)
    /// p = shuffle(1:5)
    /// sort(p)'              # => 1×5 matrix
    ///                       # =>   1  2  3  4  5
    /// size(shuffle(zeros(4, 3)))   # => 1×2 matrix
    ///                              # =>   4  3
    /// ```
    pub static SHUFFLE: Random = "shuffle"(x), |ctx, args| {
        let pop = Population::read(&*ctx, args, 0, "a vector, matrix or list")?;
        let n = pop.len();
        let mut idx: Vec<usize> = (0..n).collect();
        with_rng(|r| {
            for i in (1..n).rev() {
                let j = below(r, i as u64 + 1) as usize;
                idx.swap(i, j);
            }
        });
        Ok(pop.pick(&idx))
    }
}

/// Reads the weights `p` (argument `i`) for `n` items: non-negative, finite, not all zero.
fn weights(ctx: &dyn CallCtx, args: &Args<'_>, i: usize, n: usize) -> Result<Vec<f64>, BuiltinError> {
    let p = vector_arg(ctx, args, i, "p")?.data;
    if p.len() != n {
        return Err(BuiltinError::arg(i, format!("`p` has {} weights but there are {n} items", p.len()))
            .code("shape-mismatch")
            .with_help("give one weight per item"));
    }
    if let Some(k) = p.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(BuiltinError::arg(
            i,
            format!("weights must be finite and non-negative, but weight {} is {}", k + 1, format_number(p[k])),
        ));
    }
    if p.iter().all(|w| *w == 0.0) {
        return Err(BuiltinError::arg(i, "the weights are all zero"));
    }
    Ok(p.iter().copied().collect())
}

/// A weighted draw: the first index whose running sum of `w` exceeds `rand() · Σw`.
fn weighted(r: &mut Xoshiro256, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let u = r.uniform() * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (k, &x) in w.iter().enumerate() {
        if x > 0.0 {
            acc += x;
            last = k;
            if acc > u {
                return k;
            }
        }
    }
    last
}

builtin! {
    /// Random items drawn from a vector's elements, a matrix's rows or a list's items.
    /// `choice(x)` is one item (a number, a `1×d` row or a list item); `choice(x, k)` draws
    /// `k` of them: different items (no repeats) by default, or independently with
    /// `replace = true`. `p` gives the items' weights (non-negative, not necessarily summing to
    /// 1): item `i` is drawn with probability `p[i] / sum(p)` (without replacement, among the
    /// items not yet drawn).
    /// ```mml
    /// seed(2)
    /// s = choice(1:10, 3)
    /// length(unique(s))                   # => 3
    /// choice([5, 6, 7], p = [0, 1, 0])    # => 6
    /// size(choice(zeros(10, 2), 4))       # => 1×2 matrix
    ///                                     # =>   4  2
    /// ```
    pub static CHOICE: Random = "choice"(x, k = nothing, replace = false, p = nothing), |ctx, args| {
        let pop = Population::read(&*ctx, args, 0, "a vector, matrix or list to choose from")?;
        let n = pop.len();
        let replace = args.bool(2)?;
        let w = if args.is_nothing(3) { None } else { Some(weights(&*ctx, args, 3, n)?) };
        let single = args.is_nothing(1);
        let k = if single { 1 } else { args.count(1)? };
        if n == 0 && k > 0 {
            return Err(BuiltinError::arg(0, "there is nothing to choose from: it is empty"));
        }
        let available = w.as_ref().map_or(n, |w| w.iter().filter(|x| **x > 0.0).count());
        if !replace && k > available {
            let what = if w.is_some() { "items with a positive weight" } else { "items" };
            return Err(BuiltinError::arg(1, format!("cannot draw {k} different items from {available} {what}"))
                .with_help("draw fewer, or allow repeats with replace = true"));
        }
        let mut idx: Vec<usize> = Vec::with_capacity(k);
        with_rng(|r| match (&w, replace) {
            (None, true) => idx.extend((0..k).map(|_| below(r, n as u64) as usize)),
            (None, false) => {
                let mut all: Vec<usize> = (0..n).collect();
                for i in 0..k {
                    let j = i + below(r, (n - i) as u64) as usize;
                    all.swap(i, j);
                }
                idx.extend_from_slice(&all[..k]);
            }
            (Some(w), true) => idx.extend((0..k).map(|_| weighted(r, w))),
            (Some(w), false) => {
                let mut left = w.clone();
                for _ in 0..k {
                    let j = weighted(r, &left);
                    left[j] = 0.0;
                    idx.push(j);
                }
            }
        });
        Ok(if single { pop.one(idx[0]) } else { pop.pick(&idx) })
    }
}

/// A factor `L` with `Sigma = L L'`: Cholesky, or `V sqrt(Λ)` for a positive semi-definite
/// `Sigma` (eigenvalues down to `-d·ε·λmax` count as zero).
pub(crate) fn covariance_factor(s: &Matrix, arg: usize) -> Result<Matrix, BuiltinError> {
    if let Some(l) = kernel::cholesky(s) {
        return Ok(l);
    }
    let (w, v) = crate::solve::eigh_of(s, arg)?;
    let big = w.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let tol = 1e3 * s.nrows() as f64 * f64::EPSILON * big;
    if let Some(bad) = w.iter().find(|x| **x < -tol) {
        return Err(BuiltinError::arg(
            arg,
            format!("`Sigma` is not a covariance matrix: it has the negative eigenvalue {}", format_number(*bad)),
        )
        .code("not-positive-definite")
        .with_help("a covariance matrix is symmetric with eigenvalues ≥ 0, such as A * A'"));
    }
    let mut l = v;
    for (j, mut col) in l.column_iter_mut().enumerate() {
        col *= w[j].max(0.0).sqrt();
    }
    Ok(l)
}

builtin! {
    /// Samples from the multivariate normal distribution with mean `mu` and covariance `Sigma`.
    /// The `n` samples are the rows of the result (an `n×d` data set).
    /// `Sigma` must be symmetric positive semi-definite (a singular one, such as a perfectly
    /// correlated pair, is fine). Each sample is `mu + L z` with `Sigma = L L'` and `z` a
    /// column of `d` `randn` numbers; samples are drawn one after the other, so the first rows
    /// do not depend on `n`. `seed(k)` makes them repeat.
    /// ```mml
    /// seed(4)
    /// X = mvn_sample([1, 1], [1, 0.8; 0.8, 1], 2000)
    /// size(X)                                       # => 1×2 matrix
    ///                                               # =>   2000  2
    /// norm(mean(X) - [1, 1]') < 0.1                 # => true
    /// norm(cov(X) - [1, 0.8; 0.8, 1]) < 0.1         # => true
    /// ```
    pub static MVN_SAMPLE: Random = "mvn_sample"(mu, Sigma, n = 1), |ctx, args| {
        let mu = vector_arg(&*ctx, args, 0, "mu")?.data;
        let s = matrix_arg(&*ctx, args, 1)?;
        let d = mu.len();
        if s.shape() != (d, d) {
            return Err(BuiltinError::arg(1, format!("`mu` has {d} elements, so `Sigma` must be {d}×{d}, but it is {}", describe(args.get(1))))
                .code("shape-mismatch"));
        }
        require_finite(&Matrix::from_column_slice(d, 1, mu.as_slice()), 0, "mu")?;
        require_finite(&s, 1, "Sigma")?;
        if !is_symmetric(&s) {
            return Err(not_symmetric(1, "Sigma"));
        }
        let n = args.count(2)?;
        ctx.check_alloc(n, d)?;
        let l = covariance_factor(&s, 1)?;
        let mut out = Matrix::zeros(n, d);
        let mut z = nalgebra::DVector::zeros(d);
        with_rng(|r| {
            for i in 0..n {
                z.iter_mut().for_each(|x| *x = r.normal());
                let x = &l * &z + &mu;
                for j in 0..d {
                    out[(i, j)] = x[j];
                }
            }
        });
        Ok(narrow(out))
    }
}

#[cfg(test)]
mod tests;
