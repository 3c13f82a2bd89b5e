//! Operators on values: arithmetic with broadcasting, matrix products and powers, solves,
//! comparisons. Every operator goes through here, so new operand kinds (complex numbers,
//! derivative-carrying values) plug in by extending these functions, not the interpreter.
//!
//! Errors carry no spans ([`OpError`]); the interpreter attaches the operands' spans.

use std::rc::Rc;

use mml_lang::ast::{BinOp, UnOp};

use crate::display::describe;
use nalgebra::DMatrix;

use crate::value::{CMatrix, Matrix, Value, C64};

/// Which operand an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Lhs,
    Rhs,
}

/// An operator error, before spans are attached.
#[derive(Debug)]
pub enum OpError {
    /// An operand of the wrong type.
    Type { side: Side, expected: String, found: String },
    /// Operand shapes that do not fit.
    Shape { lhs: (usize, usize), rhs: (usize, usize), rule: String, help: Vec<String> },
    /// A square-only operation on a non-square left operand.
    NotSquare { shape: (usize, usize), help: Vec<String> },
    /// Anything else, pointing at one operand.
    Other { side: Side, code: &'static str, message: String, help: Vec<String> },
}

type OpResult = Result<Value, OpError>;

/// An operand viewed as numbers.
enum Num {
    Scalar(f64),
    Mat(Rc<Matrix>),
}

fn numeric(v: &Value, side: Side) -> Result<Num, OpError> {
    match v {
        Value::Num(x) => Ok(Num::Scalar(*x)),
        Value::Matrix(m) if m.len() == 1 => Ok(Num::Scalar(m[0])),
        Value::Matrix(m) => Ok(Num::Mat(m.clone())),
        Value::Range(r) => Ok(Num::Mat(Rc::new(r.to_column()))),
        _ => Err(type_err(side, v)),
    }
}

fn type_err(side: Side, v: &Value) -> OpError {
    OpError::Type { side, expected: "a number or matrix".into(), found: describe(v) }
}

/// A value from a matrix result: 1×1 results of operators are numbers.
pub(crate) fn from_matrix(m: Matrix) -> Value {
    if m.len() == 1 && m.nrows() == 1 {
        Value::Num(m[0])
    } else {
        Value::matrix(m)
    }
}

/// Applies a binary operator.
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> OpResult {
    if let (Value::Num(x), Value::Num(y)) = (a, b) {
        return Ok(scalar_op(op, *x, *y));
    }
    // In arithmetic a bool is 0 or 1, as in NumPy and Octave: `(i == j) * n`. Conditions,
    // `and`, `or` and `not` still take bools only.
    if (matches!(a, Value::Bool(_)) || matches!(b, Value::Bool(_))) && is_arithmetic(op) {
        return binary(op, &bool_as_number(a), &bool_as_number(b));
    }
    // Tangents on a tape first: they meet only constants (a dual there is reported, and the
    // gradient is taken in forward mode instead).
    if matches!(a, Value::Lin(_)) || matches!(b, Value::Lin(_)) {
        return crate::ad::tape::binary(op, a, b);
    }
    if matches!(a, Value::Dual(_) | Value::Jet(_)) || matches!(b, Value::Dual(_) | Value::Jet(_)) {
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            return Ok(equality(op, &crate::ad::strip(a), &crate::ad::strip(b)));
        }
        // The highest tag decides whose rules apply: a jet's or a dual's.
        if crate::ad::jet::top2(a, b).is_some() {
            return crate::ad::jet::binary(op, a, b);
        }
        return crate::ad::binary(op, a, b);
    }
    match op {
        BinOp::Eq | BinOp::Ne => return Ok(equality(op, a, b)),
        BinOp::Add => {
            if let (Value::Str(x), Value::Str(y)) = (a, b) {
                return Ok(Value::str(format!("{x}{y}")));
            }
            // Lists join, as strings do: `L = L + {x}` appends.
            match (a, b) {
                (Value::List(x), Value::List(y)) => {
                    return Ok(Value::List(Rc::new(x.iter().chain(y.iter()).cloned().collect())));
                }
                (Value::List(_), other) | (other, Value::List(_)) => {
                    let side = if matches!(a, Value::List(_)) { Side::Rhs } else { Side::Lhs };
                    return Err(OpError::Other {
                        side,
                        code: "type-mismatch",
                        message: format!("a list joins only with another list, not with {}", describe(other)),
                        help: vec!["to append one item `x` to a list `L`, write `L + {x}`".into()],
                    });
                }
                _ => {}
            }
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let not_scalar = |v: &Value| {
                matches!(v, Value::Matrix(_) | Value::Range(_) | Value::CMatrix(_)) && v.shape() != Some((1, 1))
            };
            if not_scalar(a) || not_scalar(b) {
                let dotted = format!(".{}", op.symbol());
                return Err(OpError::Other {
                    side: if not_scalar(a) { Side::Lhs } else { Side::Rhs },
                    code: "type-mismatch",
                    message: format!("`{}` compares two numbers, found a matrix", op.symbol()),
                    help: vec![format!("for an element-by-element comparison (a matrix of 0s and 1s) use `{dotted}`")],
                });
            }
            if let (Value::Str(x), Value::Str(y)) = (a, b) {
                let ord = x.cmp(y);
                let r = match op {
                    BinOp::Lt => ord.is_lt(),
                    BinOp::Le => ord.is_le(),
                    BinOp::Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                };
                return Ok(Value::Bool(r));
            }
        }
        BinOp::And | BinOp::Or => {
            // Handled with short-circuit in the interpreter; here only for completeness.
            return match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => Ok(Value::Bool(if op == BinOp::And { *x && *y } else { *x || *y })),
                (Value::Bool(_), other) => {
                    Err(OpError::Type { side: Side::Rhs, expected: "a bool".into(), found: describe(other) })
                }
                (other, _) => Err(OpError::Type { side: Side::Lhs, expected: "a bool".into(), found: describe(other) }),
            };
        }
        _ => {}
    }
    if is_complex(a) || is_complex(b) {
        return complex_binary(op, a, b);
    }
    let x = numeric(a, Side::Lhs)?;
    let y = numeric(b, Side::Rhs)?;
    match (x, y) {
        (Num::Scalar(x), Num::Scalar(y)) => Ok(scalar_op(op, x, y)),
        (Num::Mat(m), Num::Scalar(s)) => matrix_scalar(op, &m, s),
        (Num::Scalar(s), Num::Mat(m)) => scalar_matrix(op, s, &m),
        (Num::Mat(p), Num::Mat(q)) => matrix_matrix(op, &p, &q),
    }
}

/// Whether `op` computes numbers (where a bool counts as 0 or 1).
fn is_arithmetic(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Div
            | BinOp::LeftDiv
            | BinOp::Pow
            | BinOp::ElemMul
            | BinOp::ElemDiv
            | BinOp::ElemPow
    )
}

/// A bool as the number 1 or 0; other values unchanged.
fn bool_as_number(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::Num(f64::from(u8::from(*b))),
        other => other.clone(),
    }
}

fn scalar_op(op: BinOp, x: f64, y: f64) -> Value {
    match op {
        BinOp::Add => Value::Num(x + y),
        BinOp::Sub => Value::Num(x - y),
        BinOp::Mul | BinOp::ElemMul => Value::Num(x * y),
        BinOp::Div | BinOp::ElemDiv => Value::Num(x / y),
        BinOp::LeftDiv => Value::Num(y / x),
        BinOp::Pow | BinOp::ElemPow => Value::Num(x.powf(y)),
        BinOp::Eq => Value::Bool(x == y),
        BinOp::Ne => Value::Bool(x != y),
        BinOp::Lt => Value::Bool(x < y),
        BinOp::Le => Value::Bool(x <= y),
        BinOp::Gt => Value::Bool(x > y),
        BinOp::Ge => Value::Bool(x >= y),
        BinOp::ElemEq => Value::Bool(x == y),
        BinOp::ElemNe => Value::Bool(x != y),
        BinOp::ElemLt => Value::Bool(x < y),
        BinOp::ElemLe => Value::Bool(x <= y),
        BinOp::ElemGt => Value::Bool(x > y),
        BinOp::ElemGe => Value::Bool(x >= y),
        BinOp::And => Value::Bool(x != 0.0 && y != 0.0),
        BinOp::Or => Value::Bool(x != 0.0 || y != 0.0),
    }
}

/// The element function of an element-wise operator.
fn elem_fn(op: BinOp) -> fn(f64, f64) -> f64 {
    fn b(x: bool) -> f64 {
        f64::from(u8::from(x))
    }
    match op {
        BinOp::Add => |x, y| x + y,
        BinOp::Sub => |x, y| x - y,
        BinOp::Mul | BinOp::ElemMul => |x, y| x * y,
        BinOp::Div | BinOp::ElemDiv => |x, y| x / y,
        BinOp::LeftDiv => |x, y| y / x,
        BinOp::Pow | BinOp::ElemPow => f64::powf,
        BinOp::Eq | BinOp::ElemEq => |x, y| b(x == y),
        BinOp::Ne | BinOp::ElemNe => |x, y| b(x != y),
        BinOp::Lt | BinOp::ElemLt => |x, y| b(x < y),
        BinOp::Le | BinOp::ElemLe => |x, y| b(x <= y),
        BinOp::Gt | BinOp::ElemGt => |x, y| b(x > y),
        BinOp::Ge | BinOp::ElemGe => |x, y| b(x >= y),
        BinOp::And => |x, y| b(x != 0.0 && y != 0.0),
        BinOp::Or => |x, y| b(x != 0.0 || y != 0.0),
    }
}

fn matrix_scalar(op: BinOp, m: &Matrix, s: f64) -> OpResult {
    match op {
        BinOp::Pow => matrix_power(m, s),
        BinOp::LeftDiv => Err(OpError::Other {
            side: Side::Lhs,
            code: "shape-mismatch",
            message: format!("cannot solve a {}×{} system for a single number", m.nrows(), m.ncols()),
            help: vec!["to divide every element use `./` or `/` with the number on the right".into()],
        }),
        _ => {
            let f = elem_fn(op);
            Ok(from_matrix(m.map(|x| f(x, s))))
        }
    }
}

fn scalar_matrix(op: BinOp, s: f64, m: &Matrix) -> OpResult {
    match op {
        BinOp::Div => Err(OpError::Other {
            side: Side::Rhs,
            code: "shape-mismatch",
            message: format!("cannot divide a number by a {}×{} matrix", m.nrows(), m.ncols()),
            help: vec!["for element-wise division use `./`".into()],
        }),
        BinOp::Pow => Err(OpError::Other {
            side: Side::Rhs,
            code: "shape-mismatch",
            message: format!("cannot raise a number to a {}×{} matrix power", m.nrows(), m.ncols()),
            help: vec!["for element-wise powers use `.^`".into()],
        }),
        _ => {
            let f = elem_fn(op);
            Ok(from_matrix(m.map(|x| f(s, x))))
        }
    }
}

fn matrix_matrix(op: BinOp, a: &Matrix, b: &Matrix) -> OpResult {
    match op {
        BinOp::Mul => matmul(a, b),
        BinOp::LeftDiv => solve(a, b),
        BinOp::Div => {
            // A / B = A * inv(B), computed as (B' \ A')'.
            if a.ncols() != b.ncols() {
                return Err(right_division_shape_error(a.shape(), b.shape()));
            }
            // The system solved is B'; its problems are about the right operand.
            let swap = |side| if side == Side::Lhs { Side::Rhs } else { Side::Lhs };
            match solve(&b.transpose(), &a.transpose()) {
                Ok(Value::Matrix(m)) => Ok(from_matrix(m.transpose())),
                Ok(other) => Ok(other),
                Err(OpError::Other { side, code, message, help }) => {
                    Err(OpError::Other { side: swap(side), code, message, help })
                }
                Err(OpError::Type { side, expected, found }) => {
                    Err(OpError::Type { side: swap(side), expected, found })
                }
                Err(e) => Err(e),
            }
        }
        BinOp::Pow => Err(OpError::Other {
            side: Side::Rhs,
            code: "shape-mismatch",
            message: "a matrix power needs a number as the exponent".into(),
            help: vec!["for element-wise powers use `.^`".into()],
        }),
        _ => broadcast(op, a, b).map(from_matrix),
    }
}

/// Element-wise `op` with broadcasting of 1×1, rows and columns.
fn broadcast(op: BinOp, a: &Matrix, b: &Matrix) -> Result<Matrix, OpError> {
    broadcast_with(op, a, b, elem_fn(op))
}

/// Element-wise `f` with broadcasting of 1×1, rows and columns, for real or complex matrices.
fn broadcast_with<T: nalgebra::Scalar + Copy>(
    op: BinOp,
    a: &DMatrix<T>,
    b: &DMatrix<T>,
    f: impl Fn(T, T) -> T,
) -> Result<DMatrix<T>, OpError> {
    let (ra, ca) = a.shape();
    let (rb, cb) = b.shape();
    if (ra, ca) == (rb, cb) {
        return Ok(a.zip_map(b, f));
    }
    let (r, c) = (ra.max(rb), ca.max(cb));
    let fits = |n: usize, m: usize| n == m || n == 1;
    let column_vs_row = is_column_vs_row((ra, ca), (rb, cb));
    if column_vs_row || !(fits(ra, r) && fits(rb, r) && fits(ca, c) && fits(cb, c)) {
        let mut help = Vec::new();
        if column_vs_row {
            help = column_row_help(op, (ra, ca), (rb, cb), &Operand::default(), &Operand::default());
        } else if ra * ca == rb * cb {
            help.push("the shapes hold the same number of elements: transpose or reshape one operand".into());
        }
        return Err(OpError::Shape {
            lhs: (ra, ca),
            rhs: (rb, cb),
            rule: format!(
                "`{}` works element by element: the shapes must be equal, or one must be a number, or a row or column matching the other's size",
                op.symbol()
            ),
            help,
        });
    }
    Ok(DMatrix::from_fn(r, c, |i, j| {
        let x = a[(if ra == 1 { 0 } else { i }, if ca == 1 { 0 } else { j })];
        let y = b[(if rb == 1 { 0 } else { i }, if cb == 1 { 0 } else { j })];
        f(x, y)
    }))
}

/// How an operand of a failed operator was written, when that is short enough to quote in a
/// hint: a name (`b`) or a transposed name (`w'`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Operand {
    /// The operand's text (`b`, `w'`).
    pub(crate) text: Option<String>,
    /// The text without its transpose, when the operand is written `x'` (`w` for `w'`).
    pub(crate) untransposed: Option<String>,
}

/// Whether shapes `a` and `b` are a column and a row (in either order), of more than one element each.
pub(crate) fn is_column_vs_row(a: (usize, usize), b: (usize, usize)) -> bool {
    let ((ra, ca), (rb, cb)) = (a, b);
    (ca == 1 && rb == 1 && ra > 1 && cb > 1) || (ra == 1 && cb == 1 && ca > 1 && rb > 1)
}

/// The help for an element-wise operator between a column and a row: what was likely meant
/// (both vectors in the same orientation) and, for `+` and `-`, how to get every pairwise
/// result (`outer` is only right for products). `lhs` and `rhs` say how the operands were
/// written, so the hint can quote them.
pub(crate) fn column_row_help(
    op: BinOp,
    a: (usize, usize),
    b: (usize, usize),
    lhs: &Operand,
    rhs: &Operand,
) -> Vec<String> {
    let sym = op.symbol();
    let same_length = a.0 * a.1 == b.0 * b.1;
    let column_is_left = a.1 == 1;
    let (column, row) = if column_is_left { (lhs, rhs) } else { (rhs, lhs) };
    let verb = match op {
        BinOp::Add => "add",
        BinOp::Sub => "subtract",
        BinOp::ElemMul => "multiply",
        BinOp::ElemDiv => "divide",
        _ => "combine",
    };
    let mut help = Vec::new();
    if same_length {
        // A row written as `w'` was most likely meant as the column `w`; otherwise the
        // column is the odd one out (`X * A' + b`: `b` should be a row like `X * A'`).
        if let Some(plain) = &row.untransposed {
            let both = match (column_is_left, &column.text) {
                (true, Some(c)) => format!("`{c} {sym} {plain}`"),
                (false, Some(c)) => format!("`{plain} {sym} {c}`"),
                _ => format!("`{plain}` without the `'`"),
            };
            help.push(format!("to {verb} element by element, give both vectors the same orientation: write {both}"));
        } else {
            let fix = match (&column.untransposed, &column.text) {
                (Some(plain), _) => format!("`{plain}`"),
                (None, Some(c)) => format!("`{c}'`"),
                (None, None) => "the column transposed (`b'` for a column `b`)".to_string(),
            };
            let side = if column_is_left { "left" } else { "right" };
            help.push(format!(
                "the {side} operand is a column and the other a row: to {verb} element by element, write {fix} to make it a row"
            ));
        }
    } else {
        help.push("a column and a row do not broadcast; give both the same orientation by transposing one".into());
    }
    let (m, n) = if column_is_left { (a.0, b.1) } else { (b.0, a.1) };
    match op {
        // Only when the row is written as a name: `x * A' + b` wants `b'`, not a matrix.
        BinOp::Add | BinOp::Sub if row.text.is_some() => {
            let c = column.text.clone().unwrap_or_else(|| "col".to_string());
            let r = row.text.clone().unwrap_or_default();
            let what = if op == BinOp::Add { "sums" } else { "differences" };
            let pairwise = if column_is_left {
                format!("`{c} * ones(1, {n}) {sym} ones({m}, 1) * {r}`")
            } else {
                format!("`ones({m}, 1) * {r} {sym} {c} * ones(1, {n})`")
            };
            help.push(format!("for the {m}×{n} matrix of all pairwise {what}, write {pairwise}"));
        }
        BinOp::ElemMul => help.push("for the matrix of all pairwise products use `outer(v, w)`".into()),
        _ => {}
    }
    help
}

/// The message for `A / B` with operands of different widths.
fn right_division_shape_error(a: (usize, usize), b: (usize, usize)) -> OpError {
    OpError::Shape {
        lhs: a,
        rhs: b,
        rule: "`A / B` needs A and B with the same number of columns".into(),
        help: vec!["for element-wise division use `./`".into()],
    }
}

/// The message and fix-its for `*` with inner dimensions that do not agree.
fn matmul_shape_error(a: (usize, usize), b: (usize, usize)) -> OpError {
    let mut help = Vec::new();
    if a.1 == 1 && b.1 == 1 && a.0 == b.0 {
        help.push("for the dot product use `v' * w`; for element-wise products use `v .* w`".into());
    } else if a.0 == b.0 {
        help.push("transpose the left operand: `A' * B`".into());
    } else if a.1 == b.1 {
        help.push("transpose the right operand: `A * B'`".into());
    }
    if a == b && help.is_empty() {
        help.push("for element-wise products use `.*`".into());
    }
    if crate::error::one_size_column(a) && b.0 == b.1 && b.0 == a.0 {
        help.push(crate::error::ONE_SIZE_HINT.into());
    }
    OpError::Shape {
        lhs: a,
        rhs: b,
        rule: format!(
            "`*` is the matrix product: the left operand's columns ({}) must equal the right operand's rows ({})",
            a.1, b.0
        ),
        help,
    }
}

fn matmul(a: &Matrix, b: &Matrix) -> OpResult {
    if a.ncols() != b.nrows() {
        return Err(matmul_shape_error(a.shape(), b.shape()));
    }
    Ok(from_matrix(crate::kernel::matmul(a, b)))
}

/// `A \ B`: LU for square systems, least squares (minimum norm) otherwise.
pub(crate) fn solve(a: &Matrix, b: &Matrix) -> OpResult {
    if a.nrows() != b.nrows() {
        return Err(OpError::Shape {
            lhs: a.shape(),
            rhs: b.shape(),
            rule: format!("`A \\ b` needs b with as many rows as A ({}), found {}", a.nrows(), b.nrows()),
            help: Vec::new(),
        });
    }
    match crate::kernel::solve(a, b) {
        Ok(x) => Ok(from_matrix(x)),
        Err(crate::kernel::SolveError::NotFinite) => Err(OpError::Other {
            side: if crate::kernel::all_finite(a) { Side::Rhs } else { Side::Lhs },
            code: "not-finite",
            message: "cannot solve a system containing nan or inf".into(),
            help: Vec::new(),
        }),
        Err(crate::kernel::SolveError::Singular { rcond }) => {
            let (n, _) = a.shape();
            let (message, note) = if rcond > 0.0 {
                (
                    format!("the {n}×{n} matrix is singular to working precision"),
                    format!("its reciprocal condition number is about {rcond:.1e}, below machine epsilon (2.2e-16)"),
                )
            } else {
                (
                    format!("the {n}×{n} matrix is singular"),
                    "elimination meets a zero pivot: its columns are linearly dependent".into(),
                )
            };
            Err(OpError::Other {
                side: Side::Lhs,
                code: "singular-matrix",
                message,
                help: vec![
                    note,
                    "a singular system has no unique solution; `pinv(A) * b` gives the least-squares solution of minimum norm"
                        .into(),
                ],
            })
        }
        Err(crate::kernel::SolveError::NoConvergence) => Err(OpError::Other {
            side: Side::Lhs,
            code: "solve-failed",
            message: "the singular value decomposition did not converge".into(),
            help: Vec::new(),
        }),
    }
}

fn matrix_power(m: &Matrix, p: f64) -> OpResult {
    power_by_squaring(m, p).map(from_matrix)
}

/// `A^p` for a square matrix and a whole exponent `p`, by repeated squaring (an inverse
/// first for negative `p`); real and complex matrices alike.
fn power_by_squaring<T: nalgebra::ComplexField + Copy>(m: &DMatrix<T>, p: f64) -> Result<DMatrix<T>, OpError> {
    if !m.is_square() {
        return Err(OpError::NotSquare { shape: m.shape(), help: vec!["for element-wise powers use `.^`".into()] });
    }
    if p.fract() != 0.0 || !p.is_finite() {
        return Err(OpError::Other {
            side: Side::Rhs,
            code: "invalid-argument",
            message: "a matrix power needs a whole-number exponent".into(),
            help: vec!["for element-wise powers use `.^`".into()],
        });
    }
    let mut base = if p < 0.0 {
        m.clone().try_inverse().ok_or_else(|| OpError::Other {
            side: Side::Lhs,
            code: "singular-matrix",
            message: "a negative power of a singular matrix does not exist".into(),
            help: Vec::new(),
        })?
    } else {
        m.clone()
    };
    let mut n = p.abs() as u64;
    let mut acc = DMatrix::<T>::identity(m.nrows(), m.ncols());
    while n > 0 {
        if n & 1 == 1 {
            acc = &acc * &base;
        }
        n >>= 1;
        if n > 0 {
            base = &base * &base;
        }
    }
    Ok(acc)
}

/// `==` and `!=`: whole values, always a bool (element-wise comparison is `.==`).
fn equality(op: BinOp, a: &Value, b: &Value) -> Value {
    let eq = values_equal(a, b);
    Value::Bool(if op == BinOp::Eq { eq } else { !eq })
}

/// Structural equality (matrices equal when shapes and all elements are equal).
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nothing, Value::Nothing) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q))
        }
        (Value::Record(x), Value::Record(y)) => {
            x.fields.len() == y.fields.len()
                && x.fields.iter().all(|(n, v)| y.get(n).is_some_and(|w| values_equal(v, w)))
        }
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::Builtin(x), Value::Builtin(y)) => std::ptr::eq(*x, *y),
        (Value::Bool(_), _) | (_, Value::Bool(_)) => false,
        (Value::Complex(_) | Value::CMatrix(_), _) | (_, Value::Complex(_) | Value::CMatrix(_)) => {
            match (a.to_cmatrix(), b.to_cmatrix()) {
                (Some(x), Some(y)) => x.shape() == y.shape() && x.iter().zip(y.iter()).all(|(p, q)| p == q),
                _ => false,
            }
        }
        _ => match (a.to_matrix(), b.to_matrix()) {
            (Some(x), Some(y)) => x.shape() == y.shape() && x.iter().zip(y.iter()).all(|(p, q)| p == q),
            _ => false,
        },
    }
}

/// Applies a prefix operator.
pub(crate) fn unary(op: UnOp, v: &Value) -> OpResult {
    match (op, v) {
        (_, Value::Dual(_)) => crate::ad::unary(op, v),
        (_, Value::Jet(_)) => crate::ad::jet::unary(op, v),
        (UnOp::Neg, Value::Lin(l)) => crate::ad::tape::neg(*l),
        (UnOp::Plus, Value::Lin(_)) => Ok(v.clone()),
        (UnOp::Neg, Value::Num(x)) => Ok(Value::Num(-x)),
        (UnOp::Plus, Value::Num(x)) => Ok(Value::Num(*x)),
        (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnOp::Neg, Value::Bool(b)) => Ok(Value::Num(-f64::from(u8::from(*b)))),
        (UnOp::Plus, Value::Bool(b)) => Ok(Value::Num(f64::from(u8::from(*b)))),
        (UnOp::Neg, Value::Complex(c)) => Ok(Value::complex(-**c)),
        (UnOp::Plus, Value::Complex(c)) => Ok(Value::complex(**c)),
        (UnOp::Neg, Value::CMatrix(m)) => Ok(Value::cmatrix(m.map(|c| -c))),
        (UnOp::Plus, Value::CMatrix(m)) => Ok(Value::CMatrix(m.clone())),
        (UnOp::Not, other) => {
            Err(OpError::Type { side: Side::Rhs, expected: "a bool for `not`".into(), found: describe(other) })
        }
        (_, Value::Matrix(_) | Value::Range(_)) => {
            let m = v.to_matrix().unwrap_or_default();
            Ok(Value::matrix(if op == UnOp::Neg { m.map(|x| -x) } else { (*m).clone() }))
        }
        (_, other) => {
            Err(OpError::Type { side: Side::Rhs, expected: "a number or matrix".into(), found: describe(other) })
        }
    }
}

/// `v'`: the transpose.
pub(crate) fn transpose(v: &Value) -> OpResult {
    match v {
        Value::Num(_) | Value::Bool(_) => Ok(v.clone()),
        Value::Dual(_) => crate::ad::transpose(v),
        Value::Jet(j) => crate::ad::jet::linear(j, &mut transpose),
        Value::Lin(l) => crate::ad::tape::transpose(*l),
        Value::Matrix(m) => Ok(Value::matrix(m.transpose())),
        // `'` is the conjugate transpose, as in the maths (Aᴴ) and in Octave.
        Value::Complex(c) => Ok(Value::complex(c.conj())),
        Value::CMatrix(m) => Ok(Value::cmatrix(m.adjoint())),
        Value::Range(r) => Ok(Value::matrix(r.to_column().transpose())),
        other => Err(OpError::Type {
            side: Side::Lhs,
            expected: "a matrix or number to transpose".into(),
            found: describe(other),
        }),
    }
}

/// `p^q`, exact for whole exponents (so `(1i)^2` is exactly `-1`).
fn cpow(p: C64, q: C64) -> C64 {
    if q.im == 0.0 && q.re.fract() == 0.0 && q.re.abs() < f64::from(i32::MAX) {
        p.powi(q.re as i32)
    } else {
        p.powc(q)
    }
}

fn is_complex(v: &Value) -> bool {
    matches!(v, Value::Complex(_) | Value::CMatrix(_))
}

/// A complex result: a number when 1×1, narrowed to real when exactly real.
fn from_cmatrix(m: CMatrix) -> Value {
    if m.len() == 1 && m.nrows() == 1 {
        Value::complex(m[0])
    } else {
        Value::cmatrix(m)
    }
}

/// Binary operators where at least one operand is complex.
fn complex_binary(op: BinOp, a: &Value, b: &Value) -> OpResult {
    let x = a.to_cmatrix().ok_or_else(|| type_err(Side::Lhs, a))?;
    let y = b.to_cmatrix().ok_or_else(|| type_err(Side::Rhs, b))?;
    let scalar_x = x.len() == 1;
    let scalar_y = y.len() == 1;
    let elem: fn(C64, C64) -> C64 = match op {
        BinOp::Add => |p, q| p + q,
        BinOp::Sub => |p, q| p - q,
        BinOp::ElemMul => |p, q| p * q,
        BinOp::ElemDiv => |p, q| p / q,
        BinOp::ElemPow => cpow,
        BinOp::Mul if scalar_x || scalar_y => |p, q| p * q,
        BinOp::Div if scalar_y => |p, q| p / q,
        BinOp::LeftDiv if scalar_x => |p, q| q / p,
        BinOp::Pow if scalar_x && scalar_y => cpow,
        BinOp::Mul => {
            if x.ncols() != y.nrows() {
                return Err(matmul_shape_error(x.shape(), y.shape()));
            }
            return Ok(from_cmatrix(&*x * &*y));
        }
        BinOp::Pow => return complex_power(&x, &y),
        BinOp::LeftDiv => return complex_solve(&x, &y).map(from_cmatrix),
        BinOp::Div => {
            if x.ncols() != y.ncols() {
                return Err(right_division_shape_error(x.shape(), y.shape()));
            }
            return complex_solve(&y.transpose(), &x.transpose()).map(|m| from_cmatrix(m.transpose()));
        }
        BinOp::ElemEq | BinOp::ElemNe => {
            let eq = op == BinOp::ElemEq;
            let m = broadcast_with(op, &x, &y, |p, q| C64::new(f64::from(u8::from((p == q) == eq)), 0.0))?;
            return Ok(if m.len() == 1 && scalar_x && scalar_y {
                Value::Bool(m[0].re != 0.0)
            } else {
                from_matrix(m.map(|c| c.re))
            });
        }
        BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::ElemLt
        | BinOp::ElemLe
        | BinOp::ElemGt
        | BinOp::ElemGe
        | BinOp::And
        | BinOp::Or => {
            return Err(OpError::Other {
                side: Side::Lhs,
                code: "type-mismatch",
                message: format!("complex numbers cannot be compared with `{}`", op.symbol()),
                help: vec!["compare their real parts `re(z)` or their magnitudes `abs(z)`".into()],
            })
        }
        BinOp::Eq | BinOp::Ne => return Ok(equality(op, a, b)),
    };
    broadcast_with(op, &x, &y, elem).map(from_cmatrix)
}

fn complex_power(x: &CMatrix, y: &CMatrix) -> OpResult {
    if y.len() != 1 {
        return Err(OpError::Other {
            side: Side::Rhs,
            code: "shape-mismatch",
            message: "a matrix power needs a number as the exponent".into(),
            help: vec!["for element-wise powers use `.^`".into()],
        });
    }
    let p = if y[0].im == 0.0 { y[0].re } else { f64::NAN };
    power_by_squaring(x, p).map(from_cmatrix)
}

fn complex_solve(a: &CMatrix, b: &CMatrix) -> Result<CMatrix, OpError> {
    if a.nrows() != b.nrows() {
        return Err(OpError::Shape {
            lhs: a.shape(),
            rhs: b.shape(),
            rule: format!("`A \\ b` needs b with as many rows as A ({}), found {}", a.nrows(), b.nrows()),
            help: Vec::new(),
        });
    }
    let singular = || OpError::Other {
        side: Side::Lhs,
        code: "singular-matrix",
        message: format!("the {}×{} matrix is singular", a.nrows(), a.ncols()),
        help: vec!["its columns are linearly dependent, so the system has no unique solution".into()],
    };
    let finite = |m: &CMatrix| m.iter().all(|z| z.re.is_finite() && z.im.is_finite());
    if !finite(a) || !finite(b) {
        return Err(OpError::Other {
            side: if finite(a) { Side::Rhs } else { Side::Lhs },
            code: "not-finite",
            message: "`\\` needs finite numbers, but there is an inf or nan".into(),
            help: vec!["find where the inf or nan comes from (isnan, isinf) before solving".into()],
        });
    }
    if a.is_square() {
        return a.clone().lu().solve(b).ok_or_else(singular);
    }
    // Least squares by SVD, of A scaled by a power of two so that its entries are at most
    // about 1 (entries near the largest double would overflow inside the SVD); the solution
    // of (A / s) x = b / s is the same x.
    let big = a.iter().fold(0.0f64, |m, z| m.max(z.re.abs()).max(z.im.abs()));
    let s = if big > 0.0 { 2f64.powi(big.log2().round() as i32) } else { 1.0 };
    let (a, b) = (a.map(|z| z / s), b.map(|z| z / s));
    if !finite(&a) || !finite(&b) || a.iter().any(|z| z.re.is_subnormal() || z.im.is_subnormal()) {
        return Err(OpError::Other {
            side: Side::Lhs,
            code: "not-finite",
            message: "the least-squares system's numbers span more than floating point can hold".into(),
            help: vec!["rescale the matrix and the right-hand side to numbers near 1".into()],
        });
    }
    // nalgebra's SVD panics when a singular value comes out nan; with the input finite and
    // scaled that should not happen, and if it does it is an error here, not a crash.
    let attempt =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.clone().try_svd(true, true, f64::EPSILON, 10_000)));
    let Ok(Some(svd)) = attempt else {
        return Err(OpError::Other {
            side: Side::Lhs,
            code: "no-convergence",
            message: format!("the SVD of the {}×{} matrix did not converge", a.nrows(), a.ncols()),
            help: Vec::new(),
        });
    };
    let eps = f64::EPSILON * a.nrows().max(a.ncols()) as f64 * svd.singular_values.max();
    svd.solve(&b, eps).map_err(|e| OpError::Other {
        side: Side::Lhs,
        code: "solve-failed",
        message: e.to_string(),
        help: Vec::new(),
    })
}
