//! The power iteration for a dominant eigenvector, and PageRank built on it.
//!
//! Both stop when one step changes the (normalised) vector by at most `tol` in Euclidean
//! length. Not converging within `maxit` steps is an error of kind `no-convergence` rather than
//! a result with a flag, so that a script cannot go on with an unconverged vector by
//! accident; a link matrix whose columns do not sum to 1 is a `not-stochastic` error.

use std::rc::Rc;

use mml_runtime::display::format_number;
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};
use nalgebra::DVector;

use crate::linalg::{matrix_arg, norm2, require_finite, vector_arg, zero_vector};
use crate::macros::builtin;
use crate::objective::short;
use crate::trace::{Path, Report, Stop};

/// Argument `i` (called `name`) as a finite square matrix.
fn square_arg(ctx: &dyn CallCtx, args: &Args<'_>, i: usize, name: &str) -> Result<Rc<Matrix>, BuiltinError> {
    let m = matrix_arg(ctx, args, i)?;
    let (r, c) = m.shape();
    if r != c {
        return Err(BuiltinError::arg(i, format!("`{name}` must be square, but it is {r}×{c}")).code("not-square"));
    }
    if r == 0 {
        return Err(BuiltinError::arg(i, format!("`{name}` is empty")));
    }
    require_finite(&m, i, name)?;
    Ok(m)
}

/// Reads `tol` (a positive number) and `maxit` (a positive whole number).
fn stopping(args: &Args<'_>, tol_i: usize) -> Result<(f64, usize), BuiltinError> {
    let tol = args.num(tol_i)?;
    if tol.is_nan() || tol <= 0.0 {
        return Err(BuiltinError::arg(
            tol_i,
            format!("the tolerance must be a positive number, found {}", format_number(tol)),
        ));
    }
    let maxit = args.count(tol_i + 1)?;
    if maxit == 0 {
        return Err(BuiltinError::arg(tol_i + 1, "the iteration limit must be at least 1"));
    }
    Ok((tol, maxit))
}

/// The `no-convergence` error after `maxit` steps whose last change was `change`.
fn no_convergence(what: &str, maxit: usize, change: f64, tol: f64) -> BuiltinError {
    BuiltinError::arg(0, format!("{what} did not converge in {maxit} iterations")).code("no-convergence").with_note(
        format!("the last step changed the vector by {} (tol = {})", format_number(change), format_number(tol)),
    )
}

/// The message of a power iteration that stopped after `k` multiplications.
fn ended(what: &str, stop: Stop, k: usize, change: f64, tol: f64) -> String {
    if stop == Stop::Change {
        format!(
            "converged: multiplication {k} changed the vector by {}, at most tol = {}",
            short(change, 3),
            format_number(tol)
        )
    } else {
        format!("{what} did not converge in {k} multiplications: the last changed the vector by {}", short(change, 3))
    }
}

/// `v` flipped, if needed, so that its element of largest magnitude is positive.
fn orient(mut v: DVector<f64>) -> DVector<f64> {
    let big = v.iter().copied().fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
    if big < 0.0 {
        v.neg_mut();
    }
    v
}

builtin! {
    /// The dominant eigenvector of `M` (for the eigenvalue of largest size) by power iteration.
    /// The iteration starts from `x0`.
    /// Each step computes `y = M x` and normalises it to length 1 (flipping its sign when it
    /// turned against `x`, so negative eigenvalues converge too); it stops when a step changes
    /// `x` by at most `tol`. Returns a record `{vector, value, path, iterations, converged,
    /// reason, message}` (see `:help iterative`): the unit eigenvector (its largest element
    /// positive), the eigenvalue `x' M x`, every normalised iterate from the start, and the
    /// number of iterations as the course's loop counts them (the first multiplication sets
    /// the loop up and is not counted: `size(r.path, 2) - 2`). Not converging within `maxit`
    /// multiplications is a `no-convergence` error (with `trace = true`, the record); it
    /// happens when the two largest eigenvalues have the same size (`λ` and `-λ`, or a
    /// complex pair).
    /// ```mml
    /// r = power_iteration([2, 1; 1, 2], [1, 0])
    /// round(r.value, 9)    # => 3
    /// round(r.vector * sqrt(2), 9)   # => 2×1 matrix
    ///                                # =>   1
    ///                                # =>   1
    /// ```
    pub static POWER_ITERATION: Eigen = "power_iteration"(M, x0, tol = 1e-10, maxit = 10000; trace = false), |ctx, args| {
        let m = square_arg(&*ctx, args, 0, "M")?;
        let n = m.nrows();
        let x0 = vector_arg(&*ctx, args, 1, "x0")?.data;
        if x0.len() != n {
            return Err(BuiltinError::arg(1, format!("`x0` has {} elements but `M` is {n}×{n}", x0.len()))
                .code("shape-mismatch")
                .with_help(format!("start from a vector of {n} elements, such as ones({n}, 1)")));
        }
        require_finite(&Matrix::from_column_slice(n, 1, x0.as_slice()), 1, "x0")?;
        let (tol, maxit) = stopping(args, 2)?;
        let len = norm2(x0.as_slice());
        if len == 0.0 {
            return Err(zero_vector(1, "the power iteration cannot start from the zero vector")
                .with_help(format!("start from a non-zero vector, such as ones({n}, 1)")));
        }
        let trace = args.bool(4)?;
        let mut x = x0 / len;
        let mut path = Path::new(x.as_slice());
        let mut change = f64::INFINITY;
        for k in 1..=maxit {
            let y = &*m * &x;
            let ny = norm2(y.as_slice());
            if ny == 0.0 || !ny.is_finite() {
                return Err(zero_vector(1, format!("M x became the zero vector at step {k}"))
                    .with_note("x0 has no component along any eigenvector with a non-zero eigenvalue")
                    .with_help(format!("start from another vector, such as ones({n}, 1)")));
            }
            let mut next = y / ny;
            if next.dot(&x) < 0.0 {
                next.neg_mut();
            }
            change = norm2((&next - &x).as_slice());
            x = next;
            path.push(&*ctx, x.as_slice())?;
            if change <= tol || (trace && k == maxit) {
                let stop = if change <= tol { Stop::Change } else { Stop::MaxIterations };
                let message = ended("the power iteration", stop, k, change, tol);
                let x = orient(x);
                let value = x.dot(&(&*m * &x));
                return Ok(Report::new(stop, k - 1, path, message).record(vec![
                    ("vector", Value::matrix(Matrix::from_column_slice(n, 1, x.as_slice()))),
                    ("value", Value::Num(value)),
                ]));
            }
        }
        Err(no_convergence("the power iteration", maxit, change, tol).with_help(
            "the two largest eigenvalues may have the same size (such as 1 and -1, or a complex pair); \
             eig(M) finds them all. Otherwise raise maxit or tol",
        ))
    }
}

/// Checks that `l` is a link matrix: non-negative, every column summing to 1.
fn check_link_matrix(l: &Matrix) -> Result<(), BuiltinError> {
    let n = l.nrows();
    if let Some(k) = l.iter().position(|x| *x < 0.0) {
        let (i, j) = (k % n + 1, k / n + 1);
        return Err(BuiltinError::arg(0, format!("L[{i}, {j}] is negative ({})", format_number(l.as_slice()[k])))
            .code("not-stochastic")
            .with_help("a link matrix holds the fractions of each page's links: numbers from 0 to 1"));
    }
    for (j, col) in l.column_iter().enumerate() {
        let sum: f64 = col.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            let e = BuiltinError::arg(0, format!("column {} of L sums to {}, not 1", j + 1, format_number(sum)))
                .code("not-stochastic")
                .with_note("column j of a link matrix lists where page j links to, as fractions that add up to 1");
            return Err(if sum == 0.0 {
                e.with_help(format!(
                    "page {} has no outgoing links: the usual fix is to let it link to every page equally (a column of 1/{n})",
                    j + 1
                ))
            } else {
                e.with_help("divide each column by its sum (its page's number of links)")
            });
        }
    }
    Ok(())
}

builtin! {
    /// Ranks the pages of a small web by PageRank, the course's week-5 assignment.
    /// `L` is the link matrix: column `j` holds the links of page `j`, each outgoing link
    /// weighted `1 / (number of links of page j)`, so every column sums to 1 (a
    /// `not-stochastic` error otherwise). With damping `d`, a surfer follows a link with
    /// probability `d` and jumps to a random page otherwise, so the ranks solve
    /// `r = d L r + (1 - d) / n`. They are found by the power iteration from `r = 1/n` in every
    /// element, stopping when a step changes `r` by at most `tol` (Euclidean length).
    /// Returns a record `{ranks, path, iterations, converged, reason, message}` (see
    /// `:help iterative`); the ranks sum to 1 (the course scales them by 100:
    /// `100 * pagerank(L).ranks`). `iterations` counts as the course's loop does, which does
    /// not count the first multiplication (with its stopping rule, `tol = 1e-4` here, its web
    /// takes 18); `path` holds every rank vector from the start. `d = 1` is the undamped
    /// `r = L r`, which may not converge (a `no-convergence` error after `maxit`
    /// multiplications; with `trace = true`, the record).
    /// ```mml
    /// L = [0, 1, 1/2; 1/2, 0, 1/2; 1/2, 0, 0]
    /// r = pagerank(L, d = 1)
    /// round(9 * r.ranks, 6)   # => 3×1 matrix
    ///                         # =>   4
    ///                         # =>   3
    ///                         # =>   2
    /// r.reason                # => change
    /// ```
    pub static PAGERANK: Eigen = "pagerank"(L, d = 0.85, tol = 1e-10, maxit = 10000; trace = false), |ctx, args| {
        let l = square_arg(&*ctx, args, 0, "L")?;
        check_link_matrix(&l)?;
        let d = args.num(1)?;
        if !(0.0..=1.0).contains(&d) {
            return Err(BuiltinError::arg(1, format!("the damping d must be between 0 and 1, found {}", format_number(d)))
                .with_help("the usual value is 0.85: the chance that a surfer follows a link rather than jumping"));
        }
        let (tol, maxit) = stopping(args, 2)?;
        let n = l.nrows();
        let jump = (1.0 - d) / n as f64;
        let trace = args.bool(4)?;
        let mut r = DVector::from_element(n, 1.0 / n as f64);
        let mut path = Path::new(r.as_slice());
        let mut change = f64::INFINITY;
        for k in 1..=maxit {
            let mut next = (&*l * &r) * d;
            next.add_scalar_mut(jump);
            // The ranks keep summing to 1 in exact arithmetic; renormalise against drift.
            let total = next.sum();
            next /= total;
            change = norm2((&next - &r).as_slice());
            r = next;
            path.push(&*ctx, r.as_slice())?;
            if change <= tol || (trace && k == maxit) {
                let stop = if change <= tol { Stop::Change } else { Stop::MaxIterations };
                let message = ended("pagerank", stop, k, change, tol);
                return Ok(Report::new(stop, k - 1, path, message)
                    .record(vec![("ranks", Value::matrix(Matrix::from_column_slice(n, 1, r.as_slice())))]));
            }
        }
        let e = no_convergence("pagerank", maxit, change, tol);
        Err(if d == 1.0 {
            e.with_help("without damping the ranks can cycle around loops of links: use d < 1 (usually 0.85)")
        } else {
            e.with_help("raise maxit, or loosen tol")
        })
    }
}
