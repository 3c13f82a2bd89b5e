//! Exact rational arithmetic for small matrices of simple fractions: `det([1, 2; 3, 4])` is
//! exactly `-2`, and elimination steps print `3/2` rather than `1.4999999999999998`.
//!
//! A number is *rational* here when it is the closest `f64` to a fraction `p/q` with
//! `q ≤ 10⁶` and `|p| ≤ 2⁵³` (so `0.1` is `1/10` and `1/3` typed as `1/3` is `1/3`); `0.1 + 0.2`
//! (closest to 3/10 only within 1 ulp) is not. Arithmetic is on reduced `i128` fractions with
//! overflow checks: any overflow makes the caller fall back to floating point.

use std::cmp::Ordering;
use std::fmt;

use crate::Matrix;

/// The largest denominator accepted when reading an `f64` as a fraction.
const MAX_DEN: i128 = 1_000_000;
/// The largest numerator accepted when reading an `f64` (integers are exact up to 2⁵³).
const MAX_NUM: f64 = 9_007_199_254_740_992.0;
/// Square systems up to this size are solved exactly when their entries are rational.
pub const EXACT_MAX_DIM: usize = 12;

/// A reduced fraction `num/den` with `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// One.
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num/den` reduced; `None` when `den` is zero or the reduction overflows.
    pub fn new(num: i128, den: i128) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den);
        let (mut n, mut d) = (num / g, den / g);
        if d < 0 {
            n = n.checked_neg()?;
            d = d.checked_neg()?;
        }
        Some(Rational { num: n, den: d })
    }

    /// A whole number.
    pub fn int(n: i64) -> Rational {
        Rational { num: i128::from(n), den: 1 }
    }

    /// The simplest fraction whose closest `f64` is `x` (see the module docs), or `None`.
    pub fn from_f64(x: f64) -> Option<Rational> {
        if !x.is_finite() || x.abs() > MAX_NUM {
            return None;
        }
        if x.fract() == 0.0 {
            return Some(Rational { num: x as i128, den: 1 });
        }
        // Continued-fraction convergents of |x| until one reads back as x.
        let target = x.abs();
        let (mut h0, mut h1) = (0i128, 1i128);
        let (mut k0, mut k1) = (1i128, 0i128);
        let mut r = target;
        for _ in 0..64 {
            let a = r.floor();
            if a > MAX_NUM {
                return None;
            }
            let ai = a as i128;
            let h = ai.checked_mul(h1)?.checked_add(h0)?;
            let k = ai.checked_mul(k1)?.checked_add(k0)?;
            if k > MAX_DEN || h as f64 > MAX_NUM {
                return None;
            }
            if h as f64 / k as f64 == target {
                let num = if x < 0.0 { -h } else { h };
                return Rational::new(num, k);
            }
            let frac = r - a;
            if frac == 0.0 {
                return None;
            }
            r = 1.0 / frac;
            (h0, h1, k0, k1) = (h1, h, k1, k);
        }
        None
    }

    /// The nearest `f64` (exact division when numerator and denominator fit in 53 bits).
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The numerator (carries the sign).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator (positive).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// Whether this is zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// Whether this is a whole number.
    pub fn is_integer(self) -> bool {
        self.den == 1
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, o: Rational) -> Option<Rational> {
        let g = gcd(self.den, o.den);
        let num = self.num.checked_mul(o.den / g)?.checked_add(o.num.checked_mul(self.den / g)?)?;
        Rational::new(num, (self.den / g).checked_mul(o.den)?)
    }

    /// `self - other`, `None` on overflow.
    pub fn checked_sub(self, o: Rational) -> Option<Rational> {
        self.checked_add(o.checked_neg()?)
    }

    /// `-self`, `None` on overflow.
    pub fn checked_neg(self) -> Option<Rational> {
        Some(Rational { num: self.num.checked_neg()?, den: self.den })
    }

    /// `self * other`, `None` on overflow.
    pub fn checked_mul(self, o: Rational) -> Option<Rational> {
        let g1 = gcd(self.num, o.den).max(1);
        let g2 = gcd(o.num, self.den).max(1);
        let num = (self.num / g1).checked_mul(o.num / g2)?;
        let den = (self.den / g2).checked_mul(o.den / g1)?;
        Rational::new(num, den)
    }

    /// `self / other`, `None` on overflow or division by zero.
    pub fn checked_div(self, o: Rational) -> Option<Rational> {
        if o.num == 0 {
            return None;
        }
        self.checked_mul(Rational::new(o.den, o.num)?)
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Self) -> Ordering {
        // Cross-multiplication in i128 may overflow for huge values; compare as floats then.
        match (self.num.checked_mul(other.den), other.num.checked_mul(self.den)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.to_f64().total_cmp(&other.to_f64()),
        }
    }
}

impl fmt::Display for Rational {
    /// `3/2`, `-2`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// A matrix of fractions, row-major rows (easy row operations).
pub type RationalRows = Vec<Vec<Rational>>;

/// `A` as rows of fractions, or `None` if an entry is not rational (module docs).
pub fn to_rationals(a: &Matrix) -> Option<RationalRows> {
    (0..a.nrows()).map(|i| (0..a.ncols()).map(|j| Rational::from_f64(a[(i, j)])).collect()).collect()
}

/// Rows of fractions back to a matrix of the nearest `f64`s.
pub fn from_rationals(rows: &RationalRows, ncols: usize) -> Matrix {
    Matrix::from_fn(rows.len(), ncols, |i, j| rows[i][j].to_f64())
}

/// Gauss-Jordan on the augmented rows `[A | B]` (first `n` columns square): `Some(Some(X))`,
/// `Some(None)` if `A` is singular, `None` on overflow.
fn gauss_jordan(mut rows: RationalRows, n: usize) -> Option<Option<RationalRows>> {
    for k in 0..n {
        let Some(p) = (k..n).find(|&i| !rows[i][k].is_zero()) else { return Some(None) };
        rows.swap(k, p);
        let pivot = rows[k][k];
        for x in rows[k].iter_mut() {
            *x = x.checked_div(pivot)?;
        }
        let pivot_row = rows[k].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            let f = row[k];
            if i == k || f.is_zero() {
                continue;
            }
            for (x, p) in row.iter_mut().zip(&pivot_row) {
                *x = x.checked_sub(f.checked_mul(*p)?)?;
            }
        }
    }
    Some(Some(rows.into_iter().map(|r| r[n..].to_vec()).collect()))
}

/// Solves the square system `A X = B` exactly when `A` is at most [`EXACT_MAX_DIM`] square,
/// `B` has at most that many columns, and every entry is rational: `Some(Some(X))` (each
/// element the `f64` nearest the exact answer), `Some(None)` if `A` is exactly singular, `None`
/// when the exact path does not apply (too big, not rational, overflow).
pub fn solve(a: &Matrix, b: &Matrix) -> Option<Option<Matrix>> {
    let n = a.nrows();
    if n != a.ncols() || n > EXACT_MAX_DIM || b.nrows() != n || b.ncols() > EXACT_MAX_DIM {
        return None;
    }
    let ra = to_rationals(a)?;
    let rb = to_rationals(b)?;
    let rows: RationalRows = ra
        .into_iter()
        .zip(rb)
        .map(|(mut r, s)| {
            r.extend(s);
            r
        })
        .collect();
    Some(gauss_jordan(rows, n)?.map(|x| from_rationals(&x, b.ncols())))
}

/// The exact inverse of a small rational square matrix, like [`solve`] with `B = I`.
pub fn inverse(a: &Matrix) -> Option<Option<Matrix>> {
    solve(a, &Matrix::identity(a.nrows(), a.nrows()))
}

/// The exact determinant of a small rational square matrix (rounded once), or `None` when the
/// exact path does not apply.
pub fn det(a: &Matrix) -> Option<f64> {
    let n = a.nrows();
    if n != a.ncols() || n > EXACT_MAX_DIM {
        return None;
    }
    let mut rows = to_rationals(a)?;
    let mut d = Rational::ONE;
    for k in 0..n {
        let Some(p) = (k..n).find(|&i| !rows[i][k].is_zero()) else { return Some(0.0) };
        if p != k {
            rows.swap(k, p);
            d = d.checked_neg()?;
        }
        let pivot = rows[k][k];
        d = d.checked_mul(pivot)?;
        let pivot_row = rows[k].clone();
        for row in rows.iter_mut().skip(k + 1) {
            let f = row[k].checked_div(pivot)?;
            if f.is_zero() {
                continue;
            }
            for (x, p) in row.iter_mut().zip(&pivot_row).skip(k) {
                *x = x.checked_sub(f.checked_mul(*p)?)?;
            }
        }
    }
    Some(d.to_f64())
}

/// Non-square systems up to this many rows or columns (with at most [`EXACT_MAX_DIM`] on the
/// smaller side) are solved exactly when their entries are rational.
pub const EXACT_MAX_LSTSQ: usize = 100;

/// `Aᵀ B` in fractions (`None` on overflow).
fn tr_mul(a: &RationalRows, b: &RationalRows) -> Option<RationalRows> {
    let n = a.first().map_or(0, Vec::len);
    let k = b.first().map_or(0, Vec::len);
    let mut out = vec![vec![Rational::ZERO; k]; n];
    for (ra, rb) in a.iter().zip(b) {
        for (i, x) in ra.iter().enumerate() {
            if x.is_zero() {
                continue;
            }
            for (j, y) in rb.iter().enumerate() {
                if !y.is_zero() {
                    out[i][j] = out[i][j].checked_add(x.checked_mul(*y)?)?;
                }
            }
        }
    }
    Some(out)
}

/// The transpose of rows of fractions.
fn transpose(a: &RationalRows) -> RationalRows {
    let n = a.first().map_or(0, Vec::len);
    (0..n).map(|j| a.iter().map(|r| r[j]).collect()).collect()
}

/// The least-squares solution of a tall system, or the minimum-norm solution of a wide one,
/// computed exactly when `A` has full rank and every entry is rational: with exact arithmetic
/// the normal equations `AᵀA x = Aᵀb` (tall) and `x = Aᵀ (AAᵀ)⁻¹ b` (wide) lose nothing.
/// `None` when the exact path does not apply (sizes, non-rational entries, dependent
/// columns/rows, overflow).
pub fn lstsq(a: &Matrix, b: &Matrix) -> Option<Matrix> {
    let (m, n) = a.shape();
    if m == n || m.min(n) == 0 || m.min(n) > EXACT_MAX_DIM || m.max(n) > EXACT_MAX_LSTSQ || b.nrows() != m {
        return None;
    }
    if b.ncols() > EXACT_MAX_LSTSQ {
        return None;
    }
    let ra = to_rationals(a)?;
    let rb = to_rationals(b)?;
    let augmented = |g: RationalRows, h: RationalRows| -> RationalRows {
        g.into_iter()
            .zip(h)
            .map(|(mut r, s)| {
                r.extend(s);
                r
            })
            .collect()
    };
    if m > n {
        let g = tr_mul(&ra, &ra)?;
        let h = tr_mul(&ra, &rb)?;
        let x = gauss_jordan(augmented(g, h), n)??;
        Some(from_rationals(&x, b.ncols()))
    } else {
        let at = transpose(&ra);
        let g = tr_mul(&at, &at)?;
        let y = gauss_jordan(augmented(g, rb), m)??;
        let x = tr_mul(&ra, &y)?;
        Some(from_rationals(&x, b.ncols()))
    }
}
