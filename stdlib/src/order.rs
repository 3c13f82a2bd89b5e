//! Sorting and counting: `sort`, `argsort`, `unique`, `bincount` and `histogram`.
//!
//! Sorting follows the dimension rule of `stats.rs`: a vector is sorted as a whole, a matrix
//! column by column (`dim = 1`) or row by row (`dim = 2`). Sorts are stable, and NaNs go last
//! in either direction.

use std::cmp::Ordering;

use mml_runtime::display::format_number;
use mml_runtime::{Args, BuiltinError, CMatrix, Matrix, Value, C64};

use crate::elementwise::position;
use crate::linalg::matrix_arg;
use crate::macros::builtin;
use crate::solve::record;
use crate::stats::{dim_arg, Dim};

/// Compares for an ascending (or descending) sort with NaNs last either way.
fn compare(a: f64, b: f64, descending: bool) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ if descending => b.total_cmp(&a),
        _ => a.total_cmp(&b),
    }
}

/// The stable sorting permutation of `x` (0-based).
pub(crate) fn sort_order(x: &[f64], descending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&i, &j| compare(x[i], x[j], descending));
    idx
}

/// Applies `f` (a lane's values → the lane's new values) to each lane of `m` along `dim`,
/// keeping the shape (a matrix with `dim = "all"` gives a column).
fn per_lane(m: &Matrix, dim: Dim, mut f: impl FnMut(&[f64]) -> Vec<f64>) -> Matrix {
    let (r, c) = m.shape();
    match dim {
        Dim::All => {
            let out = f(m.as_slice());
            if r <= 1 || c <= 1 {
                Matrix::from_vec(r, c, out)
            } else {
                Matrix::from_vec(r * c, 1, out)
            }
        }
        Dim::Down => {
            let mut out = m.clone();
            for j in 0..c {
                let lane = f(&m.as_slice()[j * r..(j + 1) * r]);
                out.as_mut_slice()[j * r..(j + 1) * r].copy_from_slice(&lane);
            }
            out
        }
        Dim::Across => {
            let mut out = m.clone();
            for i in 0..r {
                let row: Vec<f64> = m.row(i).iter().copied().collect();
                for (j, v) in f(&row).into_iter().enumerate() {
                    out[(i, j)] = v;
                }
            }
            out
        }
    }
}

/// Compares complex numbers as NumPy does: by real part, then by imaginary part, with NaNs
/// (in either part) last in either direction.
fn compare_complex(a: C64, b: C64, descending: bool) -> Ordering {
    let nan = |c: C64| c.re.is_nan() || c.im.is_nan();
    match (nan(a), nan(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => {
            let ord = a.re.total_cmp(&b.re).then(a.im.total_cmp(&b.im));
            if descending {
                ord.reverse()
            } else {
                ord
            }
        }
    }
}

/// `sort` and `argsort` of a complex vector or matrix (the lanes of `dim`, as for real ones).
fn sorted_complex(m: &CMatrix, args: &Args<'_>, indices: bool) -> Result<Value, BuiltinError> {
    let (r, c) = m.shape();
    let dim = dim_arg(args, 1, (r, c))?;
    let descending = args.bool(2)?;
    // The lanes as lists of (row, column) positions.
    let lanes: Vec<Vec<(usize, usize)>> = match dim {
        Dim::All => vec![(0..c).flat_map(|j| (0..r).map(move |i| (i, j))).collect()],
        Dim::Down => (0..c).map(|j| (0..r).map(|i| (i, j)).collect()).collect(),
        Dim::Across => (0..r).map(|i| (0..c).map(|j| (i, j)).collect()).collect(),
    };
    let (or, oc) = if dim == Dim::All && r > 1 && c > 1 { (r * c, 1) } else { (r, c) };
    let mut values = CMatrix::zeros(or, oc);
    let mut positions = Matrix::zeros(or, oc);
    for lane in &lanes {
        let mut order: Vec<usize> = (0..lane.len()).collect();
        order.sort_by(|&p, &q| compare_complex(m[lane[p]], m[lane[q]], descending));
        for (k, &from) in order.iter().enumerate() {
            // With `dim = "all"` the one lane fills the result column by column.
            let to = if dim == Dim::All { (k % or, k / or) } else { lane[k] };
            values[to] = m[lane[from]];
            positions[to] = (from + 1) as f64;
        }
    }
    Ok(if indices { Value::matrix(positions) } else { Value::cmatrix(values) })
}

/// The shared part of `sort` and `argsort`.
fn sorted(args: &Args<'_>, ctx: &dyn mml_runtime::CallCtx, indices: bool) -> Result<Value, BuiltinError> {
    if let v @ (Value::Complex(_) | Value::CMatrix(_)) = args.get(0) {
        return sorted_complex(&v.to_cmatrix().unwrap_or_default(), args, indices);
    }
    let m = matrix_arg(ctx, args, 0)?;
    let dim = dim_arg(args, 1, m.shape())?;
    let descending = args.bool(2)?;
    let out = per_lane(&m, dim, |x| {
        let order = sort_order(x, descending);
        if indices {
            order.into_iter().map(|k| (k + 1) as f64).collect()
        } else {
            order.into_iter().map(|k| x[k]).collect()
        }
    });
    Ok(Value::matrix(out))
}

builtin! {
    /// The elements in increasing order (`descending = true` for decreasing).
    /// A vector keeps its orientation; a matrix has each column sorted (`dim = 1`, the default)
    /// or each row (`dim = 2`); `dim = "all"` sorts every element into one column. The sort is
    /// stable and NaNs go last. Complex values sort as in NumPy: by real part, then by
    /// imaginary part.
    /// ```mml
    /// sort([3, 1, 2])'                      # => 1×3 matrix
    ///                                       # =>   1  2  3
    /// sort([3, 1, 2], descending = true)'   # => 1×3 matrix
    ///                                       # =>   3  2  1
    /// sort([3, 1; 2, 4])                    # => 2×2 matrix
    ///                                       # =>   2  1
    ///                                       # =>   3  4
    /// sort([1 + 1i, -2i, 1 - 1i])           # => 3×1 complex matrix
    ///                                       # =>   0 - 2i
    ///                                       # =>   1 - 1i
    ///                                       # =>   1 + 1i
    /// ```
    pub static SORT: Stats = "sort"(X, dim = nothing, descending = false), |ctx, args| {
        if crate::calculus::any_dual(args) {
            // Sorting moves elements: each keeps its own derivative.
            return crate::calculus::composed(ctx, args, SORT.run, &mut |ctx| {
                let x = args.get(0);
                let plain = [mml_runtime::ad::strip(x), args.get(1).clone(), args.get(2).clone()];
                let idx = crate::calculus::call(ctx, &ARGSORT, &plain)?.to_matrix().unwrap_or_default();
                let shape = x.shape().unwrap_or((1, 1));
                let pos = crate::stats::picked(shape, dim_arg(args, 1, shape)?, &idx);
                crate::calculus::pick(x, &pos, idx.shape())
            });
        }
        sorted(args, &*ctx, false)
    }
}

builtin! {
    /// The positions (1-based) that put the elements in order: `x[argsort(x)]` is `sort(x)`.
    /// The dimension rule is `sort`'s: for a matrix each column gets the row order that sorts it.
    /// The sort is stable (equal elements keep their order, also with `descending = true`),
    /// and NaNs go last.
    /// ```mml
    /// argsort([30, 10, 20])'                      # => 1×3 matrix
    ///                                             # =>   2  3  1
    /// argsort([1, 3, 3, 2], descending = true)'   # => 1×4 matrix
    ///                                             # =>   2  3  4  1
    /// argsort([2, 1 + 1i, 1 - 1i])'               # => 1×3 matrix
    ///                                             # =>   3  2  1
    /// ```
    pub static ARGSORT: Stats = "argsort"(X, dim = nothing, descending = false), |ctx, args| {
        if crate::calculus::any_dual(args) {
            let plain = [mml_runtime::ad::strip(args.get(0)), args.get(1).clone(), args.get(2).clone()];
            return crate::calculus::call(ctx, &ARGSORT, &plain);
        }
        sorted(args, &*ctx, true)
    }
}

builtin! {
    /// The positions (1-based, column by column) of the non-zero elements, as a column.
    /// With a comparison it picks the elements where a condition holds: `v[find(v .> 0)]`
    /// (MML indexes with positions, not with masks). `true` counts as non-zero.
    /// ```mml
    /// find([0, 3, 0, 5])             # => 2×1 matrix
    ///                                # =>   2
    ///                                # =>   4
    /// v = [4, -1, 7, 0]
    /// v[find(v .> 0)]                # => 2×1 matrix
    ///                                # =>   4
    ///                                # =>   7
    /// find([1, 0; 0, 1])'            # => 1×2 matrix
    ///                                # =>   1  4
    /// find([0, 0])                   # => 0×1 matrix
    /// ```
    pub static FIND: Stats = "find"(X), |ctx, args| {
        let x = mml_runtime::ad::strip(args.get(0));
        let m = matrix_arg(&*ctx, &Args { values: std::slice::from_ref(&x), nfixed: 1 }, 0)?;
        let positions: Vec<f64> = m.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(k, _)| (k + 1) as f64).collect();
        Ok(Value::matrix(Matrix::from_vec(positions.len(), 1, positions)))
    }
}

builtin! {
    /// The distinct elements, sorted, as a column.
    /// All elements of a matrix count. `counts = true` returns the record `{values, counts}`
    /// with how often each value occurs. NaNs are gathered into one `nan` at the end.
    /// ```mml
    /// unique([3, 1, 3, 2, 1])'   # => 1×3 matrix
    ///                            # =>   1  2  3
    /// u = unique([3, 1, 3, 2, 1], counts = true)
    /// u.counts'                  # => 1×3 matrix
    ///                            # =>   2  1  2
    /// ```
    pub static UNIQUE: Stats = "unique"(X, counts = false), |ctx, args| {
        let m = matrix_arg(&*ctx, args, 0)?;
        let want_counts = args.bool(1)?;
        let x = m.as_slice();
        let mut values: Vec<f64> = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        for k in sort_order(x, false) {
            let v = x[k];
            match values.last() {
                Some(last) if *last == v || (last.is_nan() && v.is_nan()) => {
                    if let Some(c) = counts.last_mut() {
                        *c += 1.0;
                    }
                }
                _ => {
                    values.push(v);
                    counts.push(1.0);
                }
            }
        }
        let values = Value::column(values);
        Ok(if want_counts { record([("values", values), ("counts", Value::column(counts))]) } else { values })
    }
}

/// Reads argument `i` as whole numbers `≥ 0` (labels or counts), naming the first bad one.
fn whole_numbers(m: &Matrix, i: usize, name: &str) -> Result<Vec<usize>, BuiltinError> {
    m.iter()
        .enumerate()
        .map(|(k, &v)| {
            if v >= 0.0 && v.fract() == 0.0 && v < 4_294_967_296.0 {
                Ok(v as usize)
            } else {
                Err(BuiltinError::arg(
                    i,
                    format!(
                        "{name} counts whole numbers from 0, but element {} is {}",
                        position(k, m.nrows(), m.ncols()),
                        format_number(v)
                    ),
                )
                .with_help("labels must be 0, 1, 2, …; for 1-based labels write bincount(x - 1)"))
            }
        })
        .collect()
}

builtin! {
    /// How often each whole number 0, 1, 2, … occurs: element `k + 1` counts the value `k`.
    /// The result is a column of length `max(x) + 1`, or `minlength` if that is longer. With
    /// `weights` (one per element), each occurrence adds its weight instead of 1. The values
    /// must be non-negative whole numbers, such as class labels 0…9.
    /// ```mml
    /// bincount([0, 1, 1, 3])'                   # => 1×4 matrix
    ///                                           # =>   1  2  0  1
    /// bincount([1, 1], minlength = 3)'          # => 1×3 matrix
    ///                                           # =>   0  2  0
    /// bincount([0, 1, 1], weights = [0.5, 1, 2])'   # => 1×2 matrix
    ///                                               # =>   0.5  3
    /// ```
    pub static BINCOUNT: Stats = "bincount"(x, minlength = 0, weights = nothing), |ctx, args| {
        let m = matrix_arg(&*ctx, args, 0)?;
        let labels = whole_numbers(&m, 0, "bincount")?;
        let min_len = args.count(1)?;
        let len = labels.iter().map(|k| k + 1).max().unwrap_or(0).max(min_len);
        ctx.check_alloc(len, 1)?;
        let weights = if args.is_nothing(2) {
            None
        } else {
            let w = matrix_arg(&*ctx, args, 2)?;
            if w.len() != labels.len() {
                return Err(BuiltinError::arg(2, format!("`weights` has {} elements but `x` has {}", w.len(), labels.len()))
                    .code("shape-mismatch")
                    .with_help("give one weight per element of x"));
            }
            Some(w)
        };
        let mut counts = vec![0.0; len];
        for (k, &label) in labels.iter().enumerate() {
            counts[label] += weights.as_ref().map_or(1.0, |w| w[k]);
        }
        Ok(Value::column(counts))
    }
}

/// The bin edges of `histogram`: from a count and range, or given.
fn bin_edges(args: &Args<'_>, ctx: &dyn mml_runtime::CallCtx, x: &[f64]) -> Result<Vec<f64>, BuiltinError> {
    let bins = args.get(1);
    if let Some(n) = bins.as_scalar() {
        if !(n >= 1.0 && n.fract() == 0.0 && n <= mml_runtime::MAX_COUNT) {
            return Err(BuiltinError::arg(
                1,
                format!("the number of bins must be a whole number from 1 to 2^53, found {}", format_number(n)),
            ));
        }
        let n = n as usize;
        ctx.check_alloc(n + 1, 1)?;
        let (mut lo, mut hi) = if args.is_nothing(2) {
            if let Some(k) = x.iter().position(|v| !v.is_finite()) {
                return Err(BuiltinError::arg(
                    0,
                    format!(
                        "`x` contains {} (element {}), so the range of the bins is unknown",
                        format_number(x[k]),
                        k + 1
                    ),
                )
                .with_help("remove it, or give the bins' range as range = [lo, hi]"));
            }
            let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if x.is_empty() {
                (0.0, 1.0)
            } else {
                (lo, hi)
            }
        } else {
            let r = matrix_arg(ctx, args, 2)?;
            if r.len() != 2 || !(r[0].is_finite() && r[1].is_finite()) || r[0] > r[1] {
                return Err(BuiltinError::arg(2, "the range must be [lo, hi] with finite lo ≤ hi"));
            }
            (r[0], r[1])
        };
        if lo == hi {
            // NumPy's choice: a unit-wide range around a constant sample.
            lo -= 0.5;
            hi += 0.5;
        }
        let width = (hi - lo) / n as f64;
        let mut edges: Vec<f64> = (0..=n).map(|k| lo + width * k as f64).collect();
        edges[n] = hi;
        return Ok(edges);
    }
    if !args.is_nothing(2) {
        return Err(BuiltinError::arg(2, "give either bin edges or a range, not both"));
    }
    let e = matrix_arg(ctx, args, 1)?;
    let edges: Vec<f64> = e.iter().copied().collect();
    if edges.len() < 2 || edges.iter().any(|v| !v.is_finite()) || edges.windows(2).any(|w| w[1] <= w[0]) {
        return Err(BuiltinError::arg(1, "bin edges must be at least two finite numbers in increasing order"));
    }
    Ok(edges)
}

/// The bin (0-based) of `v` among `edges` (right edge of the last bin included), if inside.
fn bin_of(v: f64, edges: &[f64]) -> Option<usize> {
    let n = edges.len() - 1;
    let (lo, hi) = (edges[0], edges[n]);
    if v.is_nan() || v < lo || v > hi {
        return None;
    }
    if v == hi {
        return Some(n - 1);
    }
    // The first edge greater than v, minus one.
    Some(edges.partition_point(|e| *e <= v) - 1)
}

builtin! {
    /// Counts how many values fall in each of `bins` equal-width bins (or between given edges).
    /// Returns the record `{counts, edges, centers}`: `counts[k]` values lie in
    /// `[edges[k], edges[k + 1])`, the last bin also holding its right edge (NumPy's rule).
    /// `bins` is a number of bins (default 10) spanning `range = [lo, hi]` (default: the data's
    /// smallest to largest value), or a vector of increasing edges. Values outside the range
    /// are not counted (`sum(h.counts)` says how many were). `density = true` divides the counts
    /// by `N · width`, so the bars have total area 1 and compare with a probability density.
    /// All elements of `x` count.
    /// ```mml
    /// h = histogram([1, 2, 2, 3, 3, 3, 4], 3)
    /// h.counts'    # => 1×3 matrix
    ///              # =>   1  2  4
    /// h.edges'     # => 1×4 matrix
    ///              # =>   1  2  3  4
    /// h = histogram([0.5, 1.5, 1.7], [0, 1, 2], density = true)
    /// h.counts'    # => 1×2 matrix
    ///              # =>   0.333333  0.666667
    /// ```
    pub static HISTOGRAM: Stats = "histogram"(x, bins = 10, range = nothing, density = false), |ctx, args| {
        let m = matrix_arg(&*ctx, args, 0)?;
        let x = m.as_slice();
        let edges = bin_edges(args, &*ctx, x)?;
        let density = args.bool(3)?;
        let n = edges.len() - 1;
        let mut counts = vec![0.0; n];
        for &v in x {
            if let Some(k) = bin_of(v, &edges) {
                counts[k] += 1.0;
            }
        }
        if density {
            let total: f64 = counts.iter().sum();
            for (k, c) in counts.iter_mut().enumerate() {
                *c /= total * (edges[k + 1] - edges[k]);
            }
        }
        let centers: Vec<f64> = edges.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
        Ok(record([("counts", Value::column(counts)), ("edges", Value::column(edges)), ("centers", Value::column(centers))]))
    }
}
