//! Gaussian elimination as taught: `rref` (reduced row echelon form) and `echelon` (the course's
//! unit-diagonal row echelon form), optionally printing every elementary row operation and the
//! matrix after it.
//!
//! When every entry is a simple fraction (see `mml_runtime::kernel::exact`) and the matrix is
//! at most 20×20, elimination runs in exact rational arithmetic, so the steps show `3/2` and
//! `-2` rather than `1.4999999999999998`; the result is then rounded once to floating point.
//! Otherwise (or if the fractions overflow 128-bit integers) it runs in floating point with
//! partial pivoting and treats entries at most `tol` (default `max(m, n)·eps·‖A‖∞`, as MATLAB's
//! `rref`) as zero; the steps then say so in a note.
//!
//! Row operations print as `R1 ↔ R2` (swap), `R2 ← R2 / 5` (scale), `R2 ← R2 − 3·R1`
//! (subtract a multiple) and `R1 ← R1 + R2` (add a row, the course's fix for a zero pivot).

use mml_runtime::display::{format_value, FormatOptions};
use mml_runtime::kernel::exact::Rational;
use mml_runtime::{BuiltinError, CallCtx, Matrix, Value};

use crate::macros::builtin;
use crate::solve::{finite_matrix, tol_arg};

/// Matrices up to this many rows and columns are eliminated exactly when they can be.
const EXACT_MAX: usize = 20;

/// An entry of a matrix under elimination: an exact fraction or a float.
trait Entry: Copy {
    /// Whether this is floating point (pivoting by size) rather than exact.
    fn is_float() -> bool;
    fn is_zero(self) -> bool;
    fn magnitude(self) -> f64;
    /// `self − f·p`.
    fn sub_mul(self, f: Self, p: Self) -> Option<Self>;
    fn add(self, o: Self) -> Option<Self>;
    fn div(self, d: Self) -> Option<Self>;
    fn is_one(self) -> bool;
    fn is_negative(self) -> bool;
    fn neg(self) -> Option<Self>;
    fn to_f64(self) -> f64;
    fn text(self) -> String;
    /// Whether division by this needs brackets after `/` (negative numbers and fractions).
    fn needs_brackets(self) -> bool;
}

impl Entry for Rational {
    fn is_float() -> bool {
        false
    }
    fn is_zero(self) -> bool {
        Rational::is_zero(self)
    }
    fn magnitude(self) -> f64 {
        self.to_f64().abs()
    }
    fn sub_mul(self, f: Self, p: Self) -> Option<Self> {
        self.checked_sub(f.checked_mul(p)?)
    }
    fn add(self, o: Self) -> Option<Self> {
        self.checked_add(o)
    }
    fn div(self, d: Self) -> Option<Self> {
        Rational::checked_div(self, d)
    }
    fn is_one(self) -> bool {
        self == Rational::ONE
    }
    fn is_negative(self) -> bool {
        self.numer() < 0
    }
    fn neg(self) -> Option<Self> {
        Rational::checked_neg(self)
    }
    fn to_f64(self) -> f64 {
        Rational::to_f64(self)
    }
    fn text(self) -> String {
        self.to_string()
    }
    fn needs_brackets(self) -> bool {
        self.numer() < 0 || !self.is_integer()
    }
}

impl Entry for f64 {
    fn is_float() -> bool {
        true
    }
    fn is_zero(self) -> bool {
        self == 0.0
    }
    fn magnitude(self) -> f64 {
        self.abs()
    }
    fn sub_mul(self, f: Self, p: Self) -> Option<Self> {
        Some(self - f * p)
    }
    fn add(self, o: Self) -> Option<Self> {
        Some(self + o)
    }
    fn div(self, d: Self) -> Option<Self> {
        Some(self / d)
    }
    fn is_one(self) -> bool {
        self == 1.0
    }
    fn is_negative(self) -> bool {
        self < 0.0
    }
    fn neg(self) -> Option<Self> {
        Some(-self)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn text(self) -> String {
        format_value(&Value::Num(self), &FormatOptions::with_precision(Some(6)))
    }
    fn needs_brackets(self) -> bool {
        self < 0.0
    }
}

/// What went wrong during elimination.
enum Stop {
    /// A fraction overflowed: redo in floating point.
    Overflow,
    /// The course's algorithm found no non-zero pivot in row `row` (1-based).
    Singular { row: usize },
}

/// A matrix under elimination, with an optional trace of the steps.
struct Elim<T> {
    rows: Vec<Vec<T>>,
    /// Entries at most this are zero (floats only).
    tol: f64,
    trace: Option<String>,
}

impl<T: Entry> Elim<T> {
    fn zero(&self, x: T) -> bool {
        x.is_zero() || x.magnitude() <= self.tol
    }

    /// Sets the entries that are zero within tolerance to exactly zero (floats only).
    fn snap(&mut self, zero: T) {
        if self.tol > 0.0 {
            let tol = self.tol;
            for x in self.rows.iter_mut().flatten() {
                if x.magnitude() <= tol {
                    *x = zero;
                }
            }
        }
    }

    fn log(&mut self, op: String) {
        let Some(trace) = self.trace.as_mut() else { return };
        trace.push_str(&op);
        trace.push('\n');
        let cells: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(|x| x.text()).collect()).collect();
        let ncols = cells.first().map_or(0, Vec::len);
        let widths: Vec<usize> =
            (0..ncols).map(|j| cells.iter().map(|r| r[j].chars().count()).max().unwrap_or(0)).collect();
        for row in &cells {
            let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect();
            trace.push_str("  ");
            trace.push_str(&line.join("  "));
            trace.push('\n');
        }
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.rows.swap(i, j);
        self.log(format!("R{} ↔ R{}", i + 1, j + 1));
    }

    /// Row `i` divided by `d`.
    fn scale(&mut self, i: usize, d: T) -> Option<()> {
        for x in self.rows[i].iter_mut() {
            *x = x.div(d)?;
        }
        let dt = if d.needs_brackets() { format!("({})", d.text()) } else { d.text() };
        self.log(format!("R{0} ← R{0} / {dt}", i + 1));
        Some(())
    }

    /// Row `i` minus `f` times row `j`.
    fn sub_multiple(&mut self, i: usize, f: T, j: usize) -> Option<()> {
        let pivot_row = self.rows[j].clone();
        for (x, p) in self.rows[i].iter_mut().zip(&pivot_row) {
            *x = x.sub_mul(f, *p)?;
        }
        let (sign, mag) = if f.is_negative() { ("+", f.neg()?) } else { ("−", f) };
        let factor = if mag.is_one() { String::new() } else { format!("{}·", mag.text()) };
        self.log(format!("R{0} ← R{0} {sign} {factor}R{1}", i + 1, j + 1));
        Some(())
    }

    /// Row `i` plus row `j`.
    fn add_row(&mut self, i: usize, j: usize) -> Option<()> {
        let other = self.rows[j].clone();
        for (x, p) in self.rows[i].iter_mut().zip(&other) {
            *x = x.add(*p)?;
        }
        self.log(format!("R{0} ← R{0} + R{1}", i + 1, j + 1));
        Some(())
    }

    /// The pivot row for column `c` among rows `r..`: the first non-zero entry for fractions,
    /// the largest for floats (partial pivoting). `None` if the column is zero there.
    fn pivot(&self, r: usize, c: usize) -> Option<usize> {
        let candidates = (r..self.rows.len()).filter(|&i| !self.zero(self.rows[i][c]));
        if T::is_float() {
            candidates
                .max_by(|&a, &b| self.rows[a][c].magnitude().total_cmp(&self.rows[b][c].magnitude()).then(b.cmp(&a)))
        } else {
            candidates.min()
        }
    }

    /// Reduced row echelon form (Gauss-Jordan).
    fn rref(&mut self, zero: T) -> Result<(), Stop> {
        let (m, n) = (self.rows.len(), self.rows.first().map_or(0, Vec::len));
        let mut r = 0;
        for c in 0..n {
            if r == m {
                break;
            }
            let Some(p) = self.pivot(r, c) else { continue };
            if p != r {
                self.swap(r, p);
            }
            let pivot = self.rows[r][c];
            if !pivot.is_one() {
                self.scale(r, pivot).ok_or(Stop::Overflow)?;
                self.rows[r][c] = self.one_like(pivot);
            }
            for i in 0..m {
                let f = self.rows[i][c];
                if i != r && !f.is_zero() {
                    self.sub_multiple(i, f, r).ok_or(Stop::Overflow)?;
                    self.rows[i][c] = zero;
                }
            }
            self.snap(zero);
            r += 1;
        }
        Ok(())
    }

    /// Row echelon form with leading ones (elimination below the pivots only).
    fn echelon_general(&mut self, zero: T) -> Result<(), Stop> {
        let (m, n) = (self.rows.len(), self.rows.first().map_or(0, Vec::len));
        let mut r = 0;
        for c in 0..n {
            if r == m {
                break;
            }
            let Some(p) = self.pivot(r, c) else { continue };
            if p != r {
                self.swap(r, p);
            }
            let pivot = self.rows[r][c];
            if !pivot.is_one() {
                self.scale(r, pivot).ok_or(Stop::Overflow)?;
                self.rows[r][c] = self.one_like(pivot);
            }
            for i in r + 1..m {
                let f = self.rows[i][c];
                if !f.is_zero() {
                    self.sub_multiple(i, f, r).ok_or(Stop::Overflow)?;
                    self.rows[i][c] = zero;
                }
            }
            self.snap(zero);
            r += 1;
        }
        Ok(())
    }

    /// The course's algorithm for a square matrix: row by row, clear the entries left of the
    /// diagonal with the rows above; if the diagonal entry is then zero, add the rows below one
    /// at a time (clearing again) until it is not; if none helps, the matrix is singular.
    fn echelon_course(&mut self, zero: T) -> Result<(), Stop> {
        let n = self.rows.len();
        for k in 0..n {
            self.clear_left(k, zero)?;
            let mut below = k + 1;
            while self.zero(self.rows[k][k]) {
                if below == n {
                    return Err(Stop::Singular { row: k + 1 });
                }
                self.add_row(k, below).ok_or(Stop::Overflow)?;
                self.clear_left(k, zero)?;
                below += 1;
            }
            let pivot = self.rows[k][k];
            if !pivot.is_one() {
                self.scale(k, pivot).ok_or(Stop::Overflow)?;
                self.rows[k][k] = self.one_like(pivot);
            }
        }
        Ok(())
    }

    /// Clears the entries of row `k` left of the diagonal using the (unit-diagonal) rows above.
    fn clear_left(&mut self, k: usize, zero: T) -> Result<(), Stop> {
        for j in 0..k {
            let f = self.rows[k][j];
            if !f.is_zero() {
                self.sub_multiple(k, f, j).ok_or(Stop::Overflow)?;
                self.rows[k][j] = zero;
            }
        }
        self.snap(zero);
        Ok(())
    }

    /// One, of the entry type (the pivot divided by itself).
    fn one_like(&self, pivot: T) -> T {
        pivot.div(pivot).unwrap_or(pivot)
    }

    fn to_matrix(&self, ncols: usize) -> Matrix {
        Matrix::from_fn(self.rows.len(), ncols, |i, j| self.rows[i][j].to_f64())
    }
}

/// Which elimination to run.
#[derive(Clone, Copy)]
enum Form {
    Rref,
    Echelon,
}

/// How elimination stopped short of a result.
enum Stopped {
    /// The course's square algorithm found no row to fix the pivot of this row.
    Singular(usize),
    Error(BuiltinError),
}

/// Runs `form` on `a`, exactly when possible; writes the steps when `steps`. A square matrix
/// gets the course's echelon algorithm; when it is singular, elimination starts again with
/// row swaps and skipped columns, the general row echelon form, which every matrix has.
fn eliminate(
    ctx: &mut dyn CallCtx,
    a: &Matrix,
    form: Form,
    steps: bool,
    tol: Option<f64>,
) -> Result<Matrix, BuiltinError> {
    let course = matches!(form, Form::Echelon) && a.nrows() == a.ncols();
    match eliminate_as(ctx, a, form, course, steps, tol) {
        Ok(m) => Ok(m),
        Err(Stopped::Error(e)) => Err(e),
        Err(Stopped::Singular(row)) => {
            if steps {
                ctx.write(&format!(
                    "row {row} has no non-zero pivot, so the matrix is singular: elimination starts again with row swaps, giving the row echelon form (zero rows last)\n"
                ));
            }
            eliminate_as(ctx, a, form, false, steps, tol).map_err(|stop| match stop {
                Stopped::Error(e) => e,
                Stopped::Singular(row) => course_singular(row, a.ncols()),
            })
        }
    }
}

fn eliminate_as(
    ctx: &mut dyn CallCtx,
    a: &Matrix,
    form: Form,
    square_course: bool,
    steps: bool,
    tol: Option<f64>,
) -> Result<Matrix, Stopped> {
    let (m, n) = a.shape();
    let mut note = None;
    if m <= EXACT_MAX && n <= EXACT_MAX {
        if let Some(rows) = mml_runtime::kernel::exact::to_rationals(a) {
            let mut e = Elim { rows, tol: 0.0, trace: steps.then(String::new) };
            let zero = Rational::ZERO;
            let result = match (form, square_course) {
                (Form::Rref, _) => e.rref(zero),
                (Form::Echelon, true) => e.echelon_course(zero),
                (Form::Echelon, false) => e.echelon_general(zero),
            };
            match result {
                Ok(()) => {
                    if let Some(t) = e.trace.take() {
                        ctx.write(&t);
                    }
                    return Ok(e.to_matrix(n));
                }
                Err(Stop::Singular { row }) => {
                    if let Some(t) = e.trace.take() {
                        ctx.write(&t);
                    }
                    return Err(Stopped::Singular(row));
                }
                Err(Stop::Overflow) => {
                    note = Some("note: the fractions grew too large for exact arithmetic, so elimination restarts in floating point (entries shown to 6 digits)");
                }
            }
        } else {
            note = Some("note: not every entry is a simple fraction, so elimination runs in floating point (entries shown to 6 digits)");
        }
    }
    let norm_inf = a.row_iter().map(|r| r.iter().map(|x| x.abs()).sum::<f64>()).fold(0.0, f64::max);
    let tol = tol.unwrap_or(m.max(n) as f64 * f64::EPSILON * norm_inf);
    let rows: Vec<Vec<f64>> = (0..m).map(|i| (0..n).map(|j| a[(i, j)]).collect()).collect();
    let mut e = Elim { rows, tol: tol.max(f64::MIN_POSITIVE), trace: steps.then(String::new) };
    if let (Some(t), Some(note)) = (e.trace.as_mut(), note) {
        t.push_str(note);
        t.push('\n');
    }
    let result = match (form, square_course) {
        (Form::Rref, _) => e.rref(0.0),
        (Form::Echelon, true) => e.echelon_course(0.0),
        (Form::Echelon, false) => e.echelon_general(0.0),
    };
    if let Some(t) = e.trace.take() {
        ctx.write(&t);
    }
    match result {
        Ok(()) => Ok(e.to_matrix(n)),
        Err(Stop::Singular { row }) => Err(Stopped::Singular(row)),
        Err(Stop::Overflow) => {
            Err(Stopped::Error(BuiltinError::new("internal", "floating-point elimination cannot overflow")))
        }
    }
}

fn course_singular(row: usize, n: usize) -> BuiltinError {
    BuiltinError::arg(0, format!("the {n}×{n} matrix is singular: no row gives a non-zero pivot for row {row}"))
        .code("singular-matrix")
        .with_help("rref(A) reduces any matrix, singular or not; is_singular(A) just answers the question")
}

builtin! {
    /// The reduced row echelon form of a matrix, optionally printing every step.
    /// Gauss-Jordan elimination gives leading 1s with zeros above and below each of them.
    /// With `steps = true` it prints every elementary row operation (`R1 ↔ R2`,
    /// `R2 ← R2 / 5`, `R2 ← R2 − 3·R1`) and the matrix after it. Entries that are simple
    /// fractions are eliminated exactly and shown as fractions (`3/2`); otherwise floating point
    /// with partial pivoting is used, entries at most `tol` (default `max(m, n)·eps·‖A‖∞`)
    /// counting as zero. The result is a matrix either way.
    /// To solve `A x = b` by hand, reduce the augmented matrix `[A, b]`: its last column becomes `x`.
    /// ```mml
    /// rref([1, 2; 3, 4])            # => 2×2 matrix
    ///                               # =>   1  0
    ///                               # =>   0  1
    /// rref([1, 2, 3; 2, 4, 7])      # => 2×3 matrix
    ///                               # =>   1  2  0
    ///                               # =>   0  0  1
    /// R = rref([1, 2; 3, 4], steps = true)
    /// # => R2 ← R2 − 3·R1
    /// # =>   1   2
    /// # =>   0  -2
    /// # => R2 ← R2 / (-2)
    /// # =>   1  2
    /// # =>   0  1
    /// # => R1 ← R1 − 2·R2
    /// # =>   1  0
    /// # =>   0  1
    /// ```
    pub static RREF: Solve = "rref"(A, steps = false, tol = nothing), |ctx, args| {
        crate::solve::check_cubic(&*ctx, args.get(0), 2.0)?;
        let a = finite_matrix(args, 0)?;
        let steps = args.bool(1)?;
        let tol = tol_arg(args, 2)?;
        eliminate(ctx, &a, Form::Rref, steps, tol).map(Value::matrix)
    }
}

builtin! {
    /// A row echelon form with leading 1s, the course's elimination.
    /// This is the form of the course's "Identifying special matrices" exercise.
    /// For a square matrix it follows the course's algorithm: row by row, clear the
    /// entries left of the diagonal using the rows above; if the diagonal entry is then 0, add
    /// the rows below it one at a time until it is not; then divide the row by its diagonal
    /// entry. The result has 1s on the diagonal and zeros below it. If no row helps, the matrix
    /// is singular (which is how the exercise's `isSingular` decides; `is_singular(A)` answers
    /// it directly), and elimination starts again the way it goes for a non-square matrix:
    /// the usual row echelon form, with row swaps for zero pivots, zero columns skipped,
    /// leading 1s and zero rows last. `steps = true` prints every row operation (and says
    /// when it starts again); exact fractions and `tol` work as in `rref`.
    /// ```mml
    /// echelon([0, 7, -5, 3; 2, 8, 0, 4; 3, 12, 0, 5; 1, 3, 1, 3])   # => 4×4 matrix
    ///     # =>   1  7.5  -2.5      3.5
    ///     # =>   0  1    -0.71429  0.42857
    ///     # =>   0  0     1        1.5
    ///     # =>   0  0     0        1
    /// echelon([1, 2, 3; 2, 4, 7])   # => 2×3 matrix
    ///                               # =>   1  2  3
    ///                               # =>   0  0  1
    /// echelon([1, 2; 2, 4])         # => 2×2 matrix
    ///                               # =>   1  2
    ///                               # =>   0  0
    /// ```
    pub static ECHELON: Solve = "echelon"(A, steps = false, tol = nothing), |ctx, args| {
        let a = finite_matrix(args, 0)?;
        let steps = args.bool(1)?;
        let tol = tol_arg(args, 2)?;
        eliminate(ctx, &a, Form::Echelon, steps, tol).map(Value::matrix)
    }
}
