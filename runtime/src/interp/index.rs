//! Indexing (`A[i, j]`, `v[2:end]`, `L[i]`) and assignment into places
//! (`A[i, j] = x`, `r.W[1, :] = v`), copy-on-write so that an unshared matrix is updated
//! in place.

use std::rc::Rc;

use mml_lang::ast::BinOp;
use mml_lang::Span;

use super::{err, type_err, Interp, R};
use crate::display::{describe, format_number};
use crate::error::{ErrorKind, RuntimeError};
use crate::hir::{Accessor, Expr, ExprKind, IndexOp, IndexPlan, Place, Var};
use crate::ops::from_matrix;
use crate::value::{Matrix, Value};

/// The positions one index selects, 0-based.
#[derive(Debug)]
pub(crate) enum Ix {
    /// `:`: the whole dimension of this length.
    All(usize),
    /// A single position.
    One(usize),
    /// Several positions, in order.
    Many(Vec<usize>),
}

impl Ix {
    fn len(&self) -> usize {
        match self {
            Ix::All(n) => *n,
            Ix::One(_) => 1,
            Ix::Many(v) => v.len(),
        }
    }

    fn at(&self, k: usize) -> usize {
        match self {
            Ix::All(_) => k,
            Ix::One(i) => *i,
            Ix::Many(v) => v[k],
        }
    }
}

/// A resolved step of a place, ready to apply.
enum Step {
    Index(Vec<Ix>, Span),
    Field(Rc<str>, Span),
}

/// The dimension lengths an index of `n` positions addresses in `v`.
fn dims(v: &Value, n: usize, span: Span) -> R<Vec<usize>> {
    let what = match v {
        Value::List(items) if n == 1 => return Ok(vec![items.len()]),
        Value::Str(s) if n == 1 => return Ok(vec![s.chars().count()]),
        Value::List(_) | Value::Str(_) => return too_many(v, n, 1, span),
        _ => v.shape(),
    };
    match (what, n) {
        (Some((r, c)), 1) => Ok(vec![r * c]),
        (Some((r, c)), 2) => Ok(vec![r, c]),
        (Some(_), _) => too_many(v, n, 2, span),
        (None, _) => match v {
            Value::Record(r) => err(ErrorKind::RecordByPosition { fields: record_fields(r), called: false }, span),
            _ => type_err("indexing", "a matrix, vector, list or string", v, span),
        },
    }
}

/// The 0-based position of index `x` into a dimension of `len`, when `x` is a whole number
/// from 1 to `len` (`as` saturates: nan and negatives give 0).
#[inline(always)]
pub(super) fn whole_index(x: f64, len: usize) -> Option<usize> {
    // Through i64, whose conversions are single instructions.
    let i = x as i64;
    (i >= 1 && i as u64 <= len as u64 && i as f64 == x).then(|| i as usize - 1)
}

/// The field names of a record, in order, for messages.
pub(crate) fn record_fields(r: &crate::value::Record) -> Vec<String> {
    r.fields.iter().map(|(n, _)| n.to_string()).collect()
}

fn too_many<T>(v: &Value, n: usize, max: usize, span: Span) -> R<T> {
    err(
        ErrorKind::Builtin {
            function: "[]".into(),
            code: "bad-index",
            message: format!(
                "{} takes at most {max} index{}, found {n}",
                describe(v),
                if max == 1 { "" } else { "es" }
            ),
            help: Vec::new(),
            notes: Vec::new(),
            call: None,
        },
        span,
    )
}

impl Interp<'_> {
    /// Evaluates the indices of `exprs` against `v`, with `end` bound to each dimension's length.
    fn indices(&mut self, v: &Value, exprs: &[Expr], span: Span) -> R<Vec<Ix>> {
        let lens = dims(v, exprs.len(), span)?;
        let what: &'static str = match (v, exprs.len()) {
            (Value::List(_), _) => "item",
            (Value::Str(_), _) => "character",
            (_, 1) => "element",
            _ => "",
        };
        let mut out = Vec::with_capacity(exprs.len());
        for (k, (e, &len)) in exprs.iter().zip(&lens).enumerate() {
            if let ExprKind::Colon = e.kind {
                out.push(Ix::All(len));
                continue;
            }
            self.ends.push(len);
            let iv = self.eval(e);
            self.ends.pop();
            let what = if what.is_empty() {
                if k == 0 {
                    "row"
                } else {
                    "column"
                }
            } else {
                what
            };
            out.push(self.to_ix(&iv?, len, what, v.shape(), e.span)?);
        }
        Ok(out)
    }

    fn to_ix(&self, iv: &Value, len: usize, what: &'static str, shape: Option<(usize, usize)>, span: Span) -> R<Ix> {
        let mask = matches!(iv, Value::Matrix(m) if m.len() > 1 && m.iter().all(|x| *x == 0.0 || *x == 1.0));
        let check = |x: f64| -> R<usize> {
            if x.fract() != 0.0 || x < 1.0 || !x.is_finite() {
                return err(ErrorKind::BadIndex { found: format_number(x), mask }, span);
            }
            if x > len as f64 {
                return err(ErrorKind::IndexOutOfRange { index: x, len, what, shape, assigning: false }, span);
            }
            Ok(x as usize - 1)
        };
        match iv {
            Value::Num(x) => Ok(Ix::One(check(*x)?)),
            Value::Range(r) => (0..r.len()).map(|i| check(r.at(i))).collect::<R<Vec<_>>>().map(Ix::Many),
            Value::Matrix(m) if m.nrows() == 1 || m.ncols() == 1 || m.is_empty() => {
                m.iter().map(|x| check(*x)).collect::<R<Vec<_>>>().map(Ix::Many)
            }
            other => err(ErrorKind::BadIndex { found: describe(other), mask: false }, span),
        }
    }

    /// The column-major position of the element `exprs` (one or two indices, each pure)
    /// select in the matrix held by `var`, evaluating the indices with `end` bound; `None`
    /// when `var` holds no matrix, or an index is not a whole number in range (then the
    /// general path evaluates them again, harmlessly since they are pure, and reports why).
    /// This is the element loops' fast path: no value is cloned and nothing is allocated.
    fn element_at(&mut self, var: Var, exprs: &[Expr], plan: &IndexPlan) -> R<Option<usize>> {
        let (rows, cols) = match self.slot_ref(var) {
            Some(Value::Matrix(m)) => m.shape(),
            _ => return Ok(None),
        };
        let lens = if exprs.len() == 1 { [rows * cols, 0] } else { [rows, cols] };
        let mut idx = [0usize; 2];
        for (k, e) in exprs.iter().enumerate() {
            let x = match self.planned_index(plan[k], lens[k]) {
                Some(x) => x,
                None if plan[k] != IndexOp::Eval => return Ok(None),
                None => {
                    self.ends.push(lens[k]);
                    let v = self.eval(e);
                    self.ends.pop();
                    match v? {
                        Value::Num(x) => x,
                        _ => return Ok(None),
                    }
                }
            };
            idx[k] = match whole_index(x, lens[k]) {
                Some(i) => i,
                None => return Ok(None),
            };
        }
        Ok(Some(if exprs.len() == 1 { idx[0] } else { idx[0] + idx[1] * rows }))
    }

    /// The value of a planned index read in place: `None` for [`IndexOp::Eval`] or a variable
    /// that holds no number.
    #[inline(always)]
    fn planned_index(&self, op: IndexOp, len: usize) -> Option<f64> {
        match op {
            IndexOp::Num(x) => Some(x),
            IndexOp::Var(v, c) => match self.slot_ref(v) {
                Some(Value::Num(x)) => Some(x + c),
                _ => None,
            },
            IndexOp::End(c) => Some(len as i64 as f64 + c),
            IndexOp::Eval => None,
        }
    }

    /// The column-major position of an element whose indices are all planned, found without
    /// evaluating anything: `None` when an index is not that simple, or `var` holds no matrix,
    /// or the indices are not whole numbers in range.
    #[inline(always)]
    fn planned_position(&self, var: Var, plan: &IndexPlan, n: usize) -> Option<(&Matrix, usize)> {
        let Some(Value::Matrix(m)) = self.slot_ref(var) else { return None };
        let (rows, cols) = m.shape();
        let at = if n == 1 {
            whole_index(self.planned_index(plan[0], rows * cols)?, rows * cols)?
        } else {
            let i = whole_index(self.planned_index(plan[0], rows)?, rows)?;
            let j = whole_index(self.planned_index(plan[1], cols)?, cols)?;
            i + j * rows
        };
        Some((m, at))
    }

    /// An element read of a variable at pure indices: in place when the indices select one
    /// element of a matrix, else through the general path.
    pub(crate) fn eval_element(&mut self, el: &crate::hir::Element, span: Span) -> R<Value> {
        if let Some(x) = el.read.as_ref().and_then(|r| r.get(self)) {
            return Ok(Value::Num(x));
        }
        if let Some(at) = self.element_at(el.var, &el.ix, &el.plan)? {
            if let Some(Value::Matrix(m)) = self.slot_ref(el.var) {
                return Ok(Value::Num(m.as_slice()[at]));
            }
        }
        let v = match self.slot_ref(el.var) {
            Some(v) => v.clone(),
            None => return err(ErrorKind::Unassigned { name: el.name.to_string() }, el.base_span),
        };
        let ix = self.indices(&v, &el.ix, span)?;
        self.gather(&v, &ix)
    }

    /// `v[i]` or `A[i, j] = x` in place: `place` is an element ([`Place::element`]), the
    /// value is a number, and the variable holds a matrix of more than one element. Returns
    /// the value back when the fast path does not apply.
    fn set_element(&mut self, place: &Place, op: Option<BinOp>, value: Value, vspan: Span) -> R<Option<Value>> {
        let (Value::Num(x), Some(plan), [Accessor::Index(exprs, _)]) = (&value, &place.element, place.path.as_slice())
        else {
            return Ok(Some(value));
        };
        let at = match self.planned_position(place.root, plan, exprs.len()) {
            Some((_, at)) => at,
            None => match self.element_at(place.root, exprs, plan)? {
                Some(at) => at,
                None => return Ok(Some(value)),
            },
        };
        let new = match op {
            None => *x,
            Some(op) => {
                let old = match self.slot_ref(place.root) {
                    Some(Value::Matrix(m)) => m.as_slice()[at],
                    _ => return Ok(Some(value)),
                };
                match self.binary(op, &Value::Num(old), &value, place.span, vspan, place.span)? {
                    Value::Num(y) => y,
                    _ => return Ok(Some(value)),
                }
            }
        };
        match self.slot_mut(place.root) {
            Some(Value::Matrix(m)) if m.len() > 1 => {
                Rc::make_mut(m).as_mut_slice()[at] = new;
                Ok(None)
            }
            _ => Ok(Some(value)),
        }
    }

    pub(crate) fn eval_index(&mut self, base: &Expr, exprs: &[Expr], span: Span) -> R<Value> {
        let v = self.eval(base)?;
        // Fast path: `v[i]` and `A[i, j]` with number indices.
        if let Value::Matrix(m) = &v {
            let mut idx = [0usize; 2];
            let mut fast = exprs.len() <= 2 && !exprs.is_empty();
            let lens = if exprs.len() == 1 { [m.len(), 0] } else { [m.nrows(), m.ncols()] };
            for (k, e) in exprs.iter().enumerate().take(2) {
                if !fast {
                    break;
                }
                match &e.kind {
                    ExprKind::Num(_) | ExprKind::Var(..) => match self.eval(e)? {
                        Value::Num(x) if x.fract() == 0.0 && x >= 1.0 && x <= lens[k] as f64 => idx[k] = x as usize - 1,
                        _ => fast = false,
                    },
                    _ => fast = false,
                }
            }
            if fast {
                return Ok(Value::Num(if exprs.len() == 1 { m[idx[0]] } else { m[(idx[0], idx[1])] }));
            }
        }
        let ix = self.indices(&v, exprs, span)?;
        self.gather(&v, &ix)
    }

    /// The part of `v` that `ix` selects.
    pub(crate) fn gather(&self, v: &Value, ix: &[Ix]) -> R<Value> {
        match v {
            Value::Dual(_) | Value::Jet(_) => crate::ad::linear(v, &mut |x| self.gather(x, ix)),
            Value::Lin(l) => {
                let (pos, shape) = selection(l.shape(), ix);
                crate::ad::tape::gather(*l, pos, shape)
                    .map_err(|e| self.op_error(e, "indexing", Span::default(), Span::default(), Span::default()))
            }
            Value::List(items) => Ok(match &ix[0] {
                Ix::One(i) => items[*i].clone(),
                sel => Value::List(Rc::new((0..sel.len()).map(|k| items[sel.at(k)].clone()).collect())),
            }),
            Value::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                let sel = &ix[0];
                Ok(Value::str((0..sel.len()).map(|k| chars[sel.at(k)]).collect::<String>()))
            }
            Value::Range(r) if ix.len() == 1 => Ok(match &ix[0] {
                Ix::One(i) => Value::Num(r.at(*i)),
                sel => Value::column((0..sel.len()).map(|k| r.at(sel.at(k))).collect()),
            }),
            Value::Complex(_) | Value::CMatrix(_) => {
                let Some(m) = v.to_cmatrix() else { return Ok(Value::Nothing) };
                Ok(gather_matrix(&m, ix, Value::complex, Value::cmatrix))
            }
            _ => {
                let Some(m) = v.to_matrix() else { return Ok(Value::Nothing) };
                Ok(gather_matrix(&m, ix, Value::Num, Value::matrix))
            }
        }
    }

    /// `place = value` or `place op= value`.
    pub(crate) fn assign_place(&mut self, place: &Place, op: Option<BinOp>, value: Value, vspan: Span) -> R<()> {
        if place.path.is_empty() && op.is_none() {
            *self.slot_mut(place.root) = Some(value);
            return Ok(());
        }
        let Some(value) = self.set_element(place, op, value, vspan)? else { return Ok(()) };
        // First walk the place read-only, to evaluate indices (with `end`) and the old value.
        let mut cur = self.slot_mut(place.root).clone();
        if cur.is_none() && (!place.path.is_empty() || op.is_some()) {
            return err(ErrorKind::Unassigned { name: place.name.to_string() }, place.span);
        }
        let mut steps = Vec::with_capacity(place.path.len());
        let last = place.path.len();
        for (k, acc) in place.path.iter().enumerate() {
            let c = cur.take().unwrap_or(Value::Nothing);
            let need_value = k + 1 < last || op.is_some();
            match acc {
                Accessor::Field(name, span) => {
                    if need_value {
                        cur = match &c {
                            Value::Record(r) => match r.get(name) {
                                Some(v) => Some(v.clone()),
                                None if k + 1 < last || op.is_some() => {
                                    return err(
                                        ErrorKind::NoField {
                                            name: name.to_string(),
                                            available: r.fields.iter().map(|(n, _)| n.to_string()).collect(),
                                        },
                                        *span,
                                    )
                                }
                                None => None,
                            },
                            other => return type_err(&format!("`.{name}`"), "a record", other, *span),
                        };
                    }
                    steps.push(Step::Field(name.clone(), *span));
                }
                Accessor::Index(exprs, span) => {
                    let ix = self.indices(&c, exprs, *span).map_err(|mut e| {
                        if let ErrorKind::IndexOutOfRange { assigning, .. } = &mut e.kind {
                            *assigning = k + 1 == last;
                        }
                        e
                    })?;
                    if need_value {
                        cur = Some(self.gather(&c, &ix)?);
                    }
                    steps.push(Step::Index(ix, *span));
                }
            }
        }
        let value = match op {
            Some(op) => {
                let old = cur.take().unwrap_or(Value::Nothing);
                self.binary(op, &old, &value, place.span, vspan, place.span)?
            }
            None => value,
        };
        drop(cur);
        // Then take the root out of its slot, so an unshared matrix has one owner and is
        // updated in place, and put it back whatever happens.
        let mut root = self.slot_mut(place.root).take().unwrap_or(Value::Nothing);
        let result = set_path(&mut root, &steps, value, vspan);
        *self.slot_mut(place.root) = Some(root);
        result
    }
}

fn set_path(target: &mut Value, steps: &[Step], value: Value, vspan: Span) -> R<()> {
    let Some((step, rest)) = steps.split_first() else {
        *target = value;
        return Ok(());
    };
    match step {
        Step::Field(name, span) => match target {
            Value::Record(r) => {
                let r = Rc::make_mut(r);
                if rest.is_empty() {
                    r.set(name.clone(), value);
                    return Ok(());
                }
                match r.fields.iter_mut().find(|(n, _)| n == name) {
                    Some((_, child)) => set_path(child, rest, value, vspan),
                    None => err(ErrorKind::NoField { name: name.to_string(), available: Vec::new() }, *span),
                }
            }
            other => type_err(&format!("`.{name}`"), "a record", other, *span),
        },
        Step::Index(..)
            if matches!(target, Value::Dual(_) | Value::Jet(_))
                || (matches!(value, Value::Dual(_) | Value::Jet(_)) && !matches!(target, Value::List(_))) =>
        {
            set_dual(target, steps, value, vspan)
        }
        Step::Index(ix, span) => match target {
            Value::List(items) => {
                let Ix::One(i) = ix[0] else {
                    return type_err("list assignment", "a single index", &Value::Nothing, *span);
                };
                let items = Rc::make_mut(items);
                set_path(&mut items[i], rest, value, vspan)
            }
            Value::Complex(_) | Value::CMatrix(_) => {
                if !rest.is_empty() {
                    return type_err("indexing", "a list or record", &Value::Num(0.0), *span);
                }
                set_complex(target, ix, &value, *span, vspan)
            }
            Value::Num(_) | Value::Bool(_) | Value::Range(_) | Value::Matrix(_)
                if matches!(value, Value::Complex(_) | Value::CMatrix(_)) =>
            {
                if !rest.is_empty() {
                    return type_err("indexing", "a list or record", &Value::Num(0.0), *span);
                }
                set_complex(target, ix, &value, *span, vspan)
            }
            Value::Num(_) | Value::Bool(_) | Value::Range(_) | Value::Matrix(_) => {
                if !rest.is_empty() {
                    return type_err("indexing", "a list or record", &Value::Num(0.0), *span);
                }
                if !matches!(target, Value::Matrix(_)) {
                    let m = target.to_matrix().unwrap_or_default();
                    *target = Value::Matrix(m);
                }
                let Value::Matrix(m) = target else { return Ok(()) };
                set_matrix(Rc::make_mut(m), ix, &value, *span, vspan)?;
                if m.len() == 1 && m.nrows() == 1 {
                    *target = from_matrix((**m).clone());
                }
                Ok(())
            }
            other => type_err("indexed assignment", "a matrix or list", other, *span),
        },
    }
}

/// Writes `value` into the positions of `m` that `ix` selects.
fn set_matrix(m: &mut Matrix, ix: &[Ix], value: &Value, span: Span, vspan: Span) -> R<()> {
    let (nr, nc) = if ix.len() == 1 { (ix[0].len(), 1) } else { (ix[0].len(), ix[1].len()) };
    let pos = |k: usize| -> (usize, usize) {
        if ix.len() == 1 {
            let p = ix[0].at(k);
            (p % m.nrows().max(1), p / m.nrows().max(1))
        } else {
            (ix[0].at(k % nr.max(1)), ix[1].at(k / nr.max(1)))
        }
    };
    let count = nr * nc;
    if let Some(x) = value.as_scalar().filter(|_| !matches!(value, Value::Str(_))) {
        let coords: Vec<(usize, usize)> = (0..count).map(pos).collect();
        for c in coords {
            m[c] = x;
        }
        return Ok(());
    }
    let Some(src) = value.to_matrix() else {
        return type_err("indexed assignment", "a number or matrix", value, vspan);
    };
    let same_shape = src.shape() == (nr, nc);
    let both_vectors = (src.nrows() == 1 || src.ncols() == 1) && (nr == 1 || nc == 1 || ix.len() == 1);
    if src.len() != count || !(same_shape || both_vectors) {
        return Err(Box::new(RuntimeError::new(
            ErrorKind::ShapeMismatch {
                op: "=".into(),
                lhs: ((nr, nc), span),
                rhs: (src.shape(), vspan),
                rule: "the value assigned must have the shape of the selection, or be a number".into(),
                help: if src.len() == count { vec!["transpose or reshape the value".into()] } else { Vec::new() },
            },
            span,
        )));
    }
    let coords: Vec<(usize, usize)> = (0..count).map(pos).collect();
    for (k, c) in coords.into_iter().enumerate() {
        m[c] = src[k];
    }
    Ok(())
}

/// The part of a matrix that `ix` selects, built with `scalar` for one element and `matrix`
/// otherwise (shared by real and complex matrices).
fn gather_matrix<T: nalgebra::Scalar + Copy>(
    m: &nalgebra::DMatrix<T>,
    ix: &[Ix],
    scalar: impl Fn(T) -> Value,
    matrix: impl Fn(nalgebra::DMatrix<T>) -> Value,
) -> Value {
    if ix.len() == 1 {
        let sel = &ix[0];
        if let Ix::One(i) = sel {
            return scalar(m[*i]);
        }
        let data: Vec<T> = (0..sel.len()).map(|k| m[sel.at(k)]).collect();
        let n = data.len();
        return if m.nrows() == 1 && m.ncols() != 1 {
            matrix(nalgebra::DMatrix::from_vec(1, n, data))
        } else {
            matrix(nalgebra::DMatrix::from_vec(n, 1, data))
        };
    }
    let (rs, cs) = (&ix[0], &ix[1]);
    if let (Ix::One(i), Ix::One(j)) = (rs, cs) {
        return scalar(m[(*i, *j)]);
    }
    matrix(nalgebra::DMatrix::from_fn(rs.len(), cs.len(), |i, j| m[(rs.at(i), cs.at(j))]))
}

/// Assignment where the target or the value is complex: the target becomes complex.
fn set_complex(target: &mut Value, ix: &[Ix], value: &Value, span: Span, vspan: Span) -> R<()> {
    let Some(mut m) = target.to_cmatrix().map(|m| (*m).clone()) else {
        return type_err("indexed assignment", "a matrix", target, span);
    };
    let Some(src) = value.to_cmatrix() else {
        return type_err("indexed assignment", "a number or matrix", value, vspan);
    };
    let (nr, nc) = if ix.len() == 1 { (ix[0].len(), 1) } else { (ix[0].len(), ix[1].len()) };
    let count = nr * nc;
    let rows = m.nrows().max(1);
    let pos = |k: usize| -> (usize, usize) {
        if ix.len() == 1 {
            let p = ix[0].at(k);
            (p % rows, p / rows)
        } else {
            (ix[0].at(k % nr.max(1)), ix[1].at(k / nr.max(1)))
        }
    };
    if src.len() != 1 && src.len() != count {
        return Err(Box::new(RuntimeError::new(
            ErrorKind::ShapeMismatch {
                op: "=".into(),
                lhs: ((nr, nc), span),
                rhs: (src.shape(), vspan),
                rule: "the value assigned must have the shape of the selection, or be a number".into(),
                help: Vec::new(),
            },
            span,
        )));
    }
    for k in 0..count {
        let c = pos(k);
        m[c] = if src.len() == 1 { src[0] } else { src[k] };
    }
    *target = if m.len() == 1 && m.nrows() == 1 { Value::complex(m[0]) } else { Value::cmatrix(m) };
    Ok(())
}

/// Assignment where the target or the value carries a derivative: the primal and the
/// tangent are assigned alike, so derivatives flow through `A[i, j] = x`. A target with one
/// owner is taken apart without copying, so assigning element by element in a loop stays
/// cheap.
fn set_dual(target: &mut Value, steps: &[Step], value: Value, vspan: Span) -> R<()> {
    if let Some(tag) = crate::ad::jet::top(&[target.clone(), value.clone()]) {
        return set_jet(target, steps, value, vspan, tag);
    }
    let tag = crate::ad::tag_of(target).max(crate::ad::tag_of(&value)).unwrap_or(0);
    let (mut primal, old) = match std::mem::replace(target, Value::Nothing) {
        Value::Dual(d) if d.tag == tag => match Rc::try_unwrap(d) {
            Ok(d) => (d.v, d.d),
            Err(d) => (d.v.clone(), d.d.clone()),
        },
        other => (other, Value::Num(0.0)),
    };
    let (v, d) = crate::ad::split(&value, tag);
    if let Err(e) = set_path(&mut primal, steps, v, vspan) {
        *target = crate::ad::make(tag, primal, old);
        return Err(e);
    }
    let tangent = match (steps, &old, &d) {
        ([Step::Index(ix, span)], Value::Lin(_), _) | ([Step::Index(ix, span)], _, Value::Lin(_)) => {
            let shape = primal.shape().unwrap_or((1, 1));
            let (pos, _) = selection(shape, ix);
            crate::ad::tape::assign(&old, shape, pos, &d).map_err(|e| {
                let span = *span;
                Box::new(RuntimeError::new(
                    ErrorKind::Builtin {
                        function: "=".into(),
                        code: "not-differentiable",
                        message: match e {
                            crate::ops::OpError::Other { message, .. } => message,
                            _ => "the assigned value does not fit the selection".into(),
                        },
                        help: Vec::new(),
                        notes: Vec::new(),
                        call: None,
                    },
                    span,
                ))
            })?
        }
        _ => {
            let mut tangent = match old {
                Value::Num(0.0) => match primal.shape() {
                    Some((r, c)) if (r, c) != (1, 1) => Value::matrix(Matrix::zeros(r, c)),
                    _ => Value::Num(0.0),
                },
                other => other,
            };
            set_path(&mut tangent, steps, d, vspan)?;
            tangent
        }
    };
    *target = crate::ad::make(tag, primal, tangent);
    Ok(())
}

/// Assignment where a jet carries the highest tag: every Taylor coefficient of the target is
/// assigned the value's coefficient alike (zeros spelled out in their shapes).
fn set_jet(target: &mut Value, steps: &[Step], value: Value, vspan: Span, tag: u32) -> R<()> {
    use crate::ad::jet;
    let n = jet::order_of(&[target.clone(), value.clone()], tag);
    let shape = target.shape();
    // A target with one owner is taken apart without copying its coefficients.
    let mut parts: Vec<Value> = match std::mem::replace(target, Value::Nothing) {
        Value::Jet(j) if j.tag == tag => {
            let mut c = Rc::try_unwrap(j).map_or_else(|j| j.c.clone(), |j| j.c);
            c.truncate(n + 1);
            c
        }
        other => {
            let mut c = vec![other];
            c.resize(n + 1, Value::Num(0.0));
            c
        }
    };
    for k in 0..=n {
        let v = jet::coefficient(&value, tag, k);
        if k > 0 && jet::is_zero(&v) && jet::is_zero(&parts[k]) {
            continue;
        }
        if let (Some((r, c)), true) = (shape, jet::is_zero(&parts[k]) && k > 0) {
            parts[k] = if (r, c) == (1, 1) { Value::Num(0.0) } else { Value::matrix(Matrix::zeros(r, c)) };
        }
        if let Err(e) = set_path(&mut parts[k], steps, jet::explicit_coefficient(&value, tag, k), vspan) {
            *target = jet::make(tag, parts);
            return Err(e);
        }
    }
    *target = jet::make(tag, parts);
    Ok(())
}

/// The column-major positions that `ix` selects in a matrix of `shape`, and the shape of the
/// selection (the rule of [`gather_matrix`]).
fn selection((r, c): (usize, usize), ix: &[Ix]) -> (Vec<usize>, (usize, usize)) {
    if ix.len() == 1 {
        let sel = &ix[0];
        let pos: Vec<usize> = (0..sel.len()).map(|k| sel.at(k)).collect();
        let n = pos.len();
        let shape = if matches!(sel, Ix::One(_)) || n == 1 && r == 1 && c == 1 {
            (1, 1)
        } else if r == 1 && c != 1 {
            (1, n)
        } else {
            (n, 1)
        };
        return (pos, shape);
    }
    let (rs, cs) = (&ix[0], &ix[1]);
    let mut pos = Vec::with_capacity(rs.len() * cs.len());
    for j in 0..cs.len() {
        for i in 0..rs.len() {
            pos.push(rs.at(i) + cs.at(j) * r);
        }
    }
    (pos, (rs.len(), cs.len()))
}
