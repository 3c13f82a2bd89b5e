//! k-nearest-neighbour classification: `knn(k, X, labels, queries)`.
//!
//! Neighbours are ordered by Euclidean distance, equal distances by their row in `X`; the
//! predicted label is the most common among the `k` nearest, and a tie between labels goes to
//! the one whose nearest member comes first in that order (so `k = 1` and ties reduce to the
//! nearest neighbour's label). Distances come from `pairwise_dist`'s kernel.

use std::cmp::Ordering;

use mml_runtime::display::format_number;
use mml_runtime::{BuiltinError, Matrix, Value};

use crate::inner::sq_dists;
use crate::linalg::{matrix_arg, require_finite};
use crate::macros::builtin;

/// The label voted for by the neighbours `order` (nearest first).
fn vote(order: &[usize], labels: &[f64]) -> f64 {
    // (label, votes, position of its nearest member); few distinct labels, so a vector.
    let mut tally: Vec<(f64, usize, usize)> = Vec::new();
    for (pos, &i) in order.iter().enumerate() {
        let l = labels[i];
        match tally.iter_mut().find(|t| t.0 == l) {
            Some(t) => t.1 += 1,
            None => tally.push((l, 1, pos)),
        }
    }
    tally.iter().copied().max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2))).map_or(f64::NAN, |t| t.0)
}

builtin! {
    /// Classifies each query point by a majority vote of its `k` nearest neighbours in `X`.
    /// `X` has one training point per row and `labels` its class (one number per row);
    /// `queries` has one point per row (a single query may be a vector), and the result is the
    /// predicted label of each (a column, or a number for one query). Distances are Euclidean.
    /// Ties are broken deterministically: equally distant neighbours in the order of their rows
    /// in `X`, and a tie between labels in favour of the label whose nearest member is closest.
    /// ```mml
    /// X = [0, 0; 0, 1; 1, 0; 5, 5; 5, 6; 6, 5]
    /// y = [0, 0, 0, 1, 1, 1]
    /// knn(3, X, y, [1, 1; 4, 5])'   # => 1×2 matrix
    ///                               # =>   0  1
    /// knn(1, X, y, [6, 6])          # => 1
    /// ```
    pub static KNN: Stats = "knn"(k, X, labels, queries), |ctx, args| {
        let x = matrix_arg(&*ctx, args, 1)?;
        let (n, d) = x.shape();
        require_finite(&x, 1, "X")?;
        let k = args.count(0)?;
        if k == 0 || k > n {
            return Err(BuiltinError::arg(0, format!("k must be between 1 and the number of training points ({n}), found {k}")));
        }
        let labels = matrix_arg(&*ctx, args, 2)?;
        if labels.nrows().min(labels.ncols()) > 1 || labels.len() != n {
            return Err(BuiltinError::arg(2, format!("`labels` must be a vector with one label per row of X ({n}), found {}×{}", labels.nrows(), labels.ncols()))
                .code("shape-mismatch"));
        }
        if let Some(bad) = labels.iter().position(|l| !l.is_finite()) {
            return Err(BuiltinError::arg(2, format!("label {} is {}", bad + 1, format_number(labels[bad]))).with_help("labels must be finite numbers"));
        }
        let q = matrix_arg(&*ctx, args, 3)?;
        let single = d > 1 && q.len() == d && (q.nrows() == 1 || q.ncols() == 1);
        let q = if single { Matrix::from_row_slice(1, d, q.as_slice()) } else { q.as_ref().clone() };
        if q.ncols() != d {
            return Err(BuiltinError::arg(3, format!("the training points have {d} features but the queries have {}", q.ncols()))
                .code("shape-mismatch")
                .with_help("queries are rows with one column per feature, like the rows of X"));
        }
        require_finite(&q, 3, "queries")?;
        let m = q.nrows();
        ctx.check_alloc(m, n)?;
        let dist = sq_dists(&q, &x, false);
        let mut order: Vec<usize> = Vec::with_capacity(n);
        let mut out = Vec::with_capacity(m);
        for i in 0..m {
            let row = |j: usize| dist[(i, j)];
            let cmp = |a: &usize, b: &usize| row(*a).partial_cmp(&row(*b)).unwrap_or(Ordering::Equal).then(a.cmp(b));
            order.clear();
            order.extend(0..n);
            if k < n {
                order.select_nth_unstable_by(k - 1, cmp);
            }
            order.truncate(k);
            order.sort_by(cmp);
            out.push(vote(&order, labels.as_slice()));
        }
        Ok(if single { Value::Num(out[0]) } else { Value::column(out) })
    }
}
