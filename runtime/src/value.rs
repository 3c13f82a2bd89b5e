//! Runtime values: cheap to clone (numbers inline, everything larger behind `Rc`).

use std::fmt;
use std::rc::Rc;

use nalgebra::DMatrix;

use crate::builtin::Builtin;
use crate::interp::Closure;

/// A dense matrix of `f64`; vectors are `n×1` columns, row vectors `1×n`.
pub type Matrix = DMatrix<f64>;

/// A complex number.
pub type C64 = nalgebra::Complex<f64>;

/// A dense complex matrix (eigenvectors of non-symmetric matrices).
pub type CMatrix = DMatrix<C64>;

/// Every MML value. Copying a `Value` never copies a matrix: the matrix is shared and copied
/// lazily on write (`Rc::make_mut`), which gives value semantics at reference cost.
///
/// Laid out as a tag byte, then every payload at offset 8 (`repr(C, u8)`), so that moving a
/// value copies two words rather than a bool at offset 1 and the bytes around it.
#[derive(Clone)]
#[repr(C, u8)]
pub enum Value {
    /// The absence of a value (`nothing`), returned by statements and `print`.
    Nothing,
    /// `true` / `false`.
    Bool(bool),
    /// A real number.
    Num(f64),
    /// A complex number (boxed: rare, and it keeps `Value` at 16 bytes).
    Complex(Rc<C64>),
    /// A complex matrix.
    CMatrix(Rc<CMatrix>),
    /// An immutable string (`Rc<String>`, a thin pointer, keeps `Value` at 16 bytes).
    Str(Rc<String>),
    /// A matrix (vectors are `n×1`).
    Matrix(Rc<Matrix>),
    /// A lazy arithmetic range `start:step:stop`.
    Range(Rc<RangeVal>),
    /// A heterogeneous list `{a, b, c}`.
    List(Rc<Vec<Value>>),
    /// A record with named fields `{x = 1, y = 2}`, fields in declaration order.
    Record(Rc<Record>),
    /// A user function or lambda, with its captured values.
    Func(Rc<Closure>),
    /// A builtin function.
    Builtin(&'static Builtin),
    /// A builtin with its first arguments already given (`derivative(f)` is one).
    Bound(Rc<Bound>),
    /// A number or matrix carrying a derivative, while a function is being differentiated.
    Dual(Rc<crate::ad::Dual>),
    /// A truncated Taylor polynomial along one direction, while `derivative(f, n)` or
    /// `taylor` computes derivatives of high order. Never seen by users.
    Jet(Rc<crate::ad::jet::Jet>),
    /// The tangent of a dual in reverse mode: a node on the differentiation's tape. Never
    /// seen by users: it lives inside a [`Value::Dual`] while `grad` runs.
    Lin(crate::ad::tape::LinRef),
}

/// A builtin with its leading arguments fixed: calling it with more arguments calls the
/// builtin with all of them.
#[derive(Debug)]
pub struct Bound {
    /// What users see: `derivative of f`.
    pub name: String,
    /// The builtin called.
    pub builtin: &'static Builtin,
    /// The arguments given first.
    pub args: Vec<Value>,
    /// Whether `name` is a formula that displays as itself (`diff(f)`), rather than
    /// `<function name>`.
    pub formula: bool,
}

impl Value {
    /// The type name users see in messages and from `typeof`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nothing => "nothing",
            Value::Bool(_) => "bool",
            Value::Num(_) => "number",
            Value::Complex(_) => "complex",
            Value::CMatrix(_) => "complex matrix",
            Value::Str(_) => "string",
            Value::Matrix(_) => "matrix",
            Value::Range(_) => "range",
            Value::List(_) => "list",
            Value::Record(_) => "record",
            Value::Func(_) | Value::Builtin(_) | Value::Bound(_) => "function",
            Value::Dual(d) => d.v.type_name(),
            Value::Jet(j) => j.c[0].type_name(),
            Value::Lin(_) => "matrix",
        }
    }

    /// Wraps a matrix.
    pub fn matrix(m: Matrix) -> Value {
        Value::Matrix(Rc::new(m))
    }

    /// A complex number, or a real one when the imaginary part is exactly zero.
    pub fn complex(c: C64) -> Value {
        if c.im == 0.0 {
            Value::Num(c.re)
        } else {
            Value::Complex(Rc::new(c))
        }
    }

    /// A complex matrix, or a real one when every imaginary part is exactly zero.
    pub fn cmatrix(m: CMatrix) -> Value {
        if m.iter().all(|c| c.im == 0.0) {
            Value::matrix(m.map(|c| c.re))
        } else {
            Value::CMatrix(Rc::new(m))
        }
    }

    /// Converts any numeric value (real or complex, scalar or matrix) to a complex matrix.
    pub fn to_cmatrix(&self) -> Option<Rc<CMatrix>> {
        match self {
            Value::Complex(c) => Some(Rc::new(CMatrix::from_element(1, 1, **c))),
            Value::CMatrix(m) => Some(m.clone()),
            other => other.to_matrix().map(|m| Rc::new(m.map(|x| C64::new(x, 0.0)))),
        }
    }

    /// Wraps a string.
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(Rc::new(s.as_ref().to_string()))
    }

    /// A column vector from its elements.
    pub fn column(v: Vec<f64>) -> Value {
        let n = v.len();
        Value::matrix(Matrix::from_vec(n, 1, v))
    }

    /// The shape `(rows, cols)` of anything matrix-like: numbers and bools are 1×1,
    /// ranges are `n×1` columns. `None` for other values.
    pub fn shape(&self) -> Option<(usize, usize)> {
        match self {
            Value::Num(_) | Value::Bool(_) => Some((1, 1)),
            Value::Matrix(m) => Some(m.shape()),
            Value::Range(r) => Some((r.len(), 1)),
            Value::Complex(_) => Some((1, 1)),
            Value::CMatrix(m) => Some(m.shape()),
            Value::Dual(d) => d.v.shape(),
            Value::Jet(j) => j.c[0].shape(),
            Value::Lin(l) => Some(l.shape()),
            _ => None,
        }
    }

    /// Converts a number, bool, matrix or range to a matrix (ranges become columns).
    /// `None` for values that are not numeric.
    pub fn to_matrix(&self) -> Option<Rc<Matrix>> {
        match self {
            Value::Num(x) => Some(Rc::new(Matrix::from_element(1, 1, *x))),
            Value::Bool(b) => Some(Rc::new(Matrix::from_element(1, 1, f64::from(u8::from(*b))))),
            Value::Matrix(m) => Some(m.clone()),
            Value::Range(r) => Some(Rc::new(r.to_column())),
            _ => None,
        }
    }

    /// The number in a number, a bool, or a 1×1 matrix.
    pub fn as_scalar(&self) -> Option<f64> {
        match self {
            Value::Num(x) => Some(*x),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Matrix(m) if m.len() == 1 => Some(m[0]),
            _ => None,
        }
    }

    /// Whether the value is callable.
    pub fn is_function(&self) -> bool {
        matches!(self, Value::Func(_) | Value::Builtin(_) | Value::Bound(_))
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::display::format_value(self, &crate::display::FormatOptions::default()))
    }
}

// A `Value` stays two words: cheap to copy through the interpreter.
const _: () = assert!(std::mem::size_of::<Value>() == 16);
const _: () = assert!(std::mem::size_of::<Option<Value>>() == 16);

/// A lazy range `start, start+step, …` up to and including `stop` when it is reached.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeVal {
    /// First element.
    pub start: f64,
    /// Increment (never zero).
    pub step: f64,
    /// Bound, inclusive.
    pub stop: f64,
    len: usize,
}

impl RangeVal {
    /// A range; `None` when `step` is zero or any part is NaN.
    pub fn new(start: f64, step: f64, stop: f64) -> Option<RangeVal> {
        if step == 0.0 || start.is_nan() || step.is_nan() || stop.is_nan() {
            return None;
        }
        let q = (stop - start) / step;
        // Tolerate rounding in ranges like 0:0.1:1, which must reach 1.
        let q = q + 1e-10 * (1.0 + q.abs());
        let len = if q < 0.0 {
            0
        } else if q >= usize::MAX as f64 {
            usize::MAX
        } else {
            q.floor() as usize + 1
        };
        Some(RangeVal { start, step, stop, len })
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the range has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`-th element (0-based), no bounds check.
    pub fn at(&self, i: usize) -> f64 {
        self.start + self.step * i as f64
    }

    /// The elements as an `n×1` column.
    pub fn to_column(&self) -> Matrix {
        Matrix::from_fn(self.len, 1, |i, _| self.at(i))
    }
}

/// A record: named fields in declaration order (few fields, so a vector beats a map).
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// `(name, value)` pairs, names unique.
    pub fields: Vec<(Rc<str>, Value)>,
    /// The field that calling the record calls (`t(1)` is `t.poly(1)` for a Taylor result),
    /// set only by builtins whose results the course calls.
    pub call: Option<Rc<str>>,
}

impl Record {
    /// The value of field `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }

    /// Sets field `name`, adding it at the end if new.
    pub fn set(&mut self, name: Rc<str>, value: Value) {
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
    }

    /// Builds a record from `(name, value)` pairs.
    pub fn from_pairs<I: IntoIterator<Item = (&'static str, Value)>>(pairs: I) -> Record {
        Record { fields: pairs.into_iter().map(|(n, v)| (Rc::from(n), v)).collect(), call: None }
    }

    /// The record, called as its field `name` when called.
    pub fn calling(mut self, name: &str) -> Record {
        self.call = Some(Rc::from(name));
        self
    }

    /// The function that calling the record calls, if it has one.
    pub fn called(&self) -> Option<&Value> {
        self.call.as_deref().and_then(|name| self.get(name))
    }
}
