//! Reading plot arguments: vectors, colours, limits, styles, and calling the user's functions.

use mml_runtime::display::describe;
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};

use super::colormap::{colormap, colormap_names, parse_color, Colormap, Rgb, NAMES};
use super::figure::Dash;

/// Argument `i` as the numbers of a vector (a row, a column, a range or a number).
pub(crate) fn vector(args: &Args<'_>, i: usize) -> Result<Vec<f64>, BuiltinError> {
    let m = args.matrix(i)?;
    if m.nrows() == 1 || m.ncols() == 1 {
        Ok(m.iter().copied().collect())
    } else {
        Err(BuiltinError::arg(i, format!("expected a vector, found {}", describe(args.get(i)))).code("shape-mismatch"))
    }
}

/// Argument `i` as an optional string.
pub(crate) fn opt_str(args: &Args<'_>, i: usize) -> Result<Option<String>, BuiltinError> {
    if args.is_nothing(i) {
        Ok(None)
    } else {
        match args.get(i) {
            Value::Str(s) => Ok(Some(s.to_string())),
            Value::Num(x) => Ok(Some(super::figure::short_number(*x))),
            v => Err(BuiltinError::type_error(i, "a string", v)),
        }
    }
}

/// A colour value: a name, `#rrggbb`, or `[r, g, b]` with parts in 0…1.
pub(crate) fn color_value(v: &Value, i: usize) -> Result<Rgb, BuiltinError> {
    match v {
        Value::Str(s) => parse_color(s).ok_or_else(|| {
            let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
            BuiltinError::arg(i, format!("unknown colour \"{s}\""))
                .with_help(format!("use one of {}, \"#rrggbb\", \"C0\"…\"C9\" or [r, g, b]", names.join(", ")))
        }),
        v => match v.to_matrix() {
            Some(m) if m.len() == 3 && m.iter().all(|c| (0.0..=1.0).contains(c)) => {
                let c = |k: usize| (m[k] * 255.0).round() as u8;
                Ok(Rgb(c(0), c(1), c(2)))
            }
            _ => Err(BuiltinError::type_error(i, "a colour name or [r, g, b] with parts in 0…1", v)),
        },
    }
}

/// Argument `i` as an optional colour.
pub(crate) fn opt_color(args: &Args<'_>, i: usize) -> Result<Option<Rgb>, BuiltinError> {
    if args.is_nothing(i) {
        Ok(None)
    } else {
        color_value(args.get(i), i).map(Some)
    }
}

/// Argument `i` as an optional interval `[a, b]` with `a < b`.
pub(crate) fn opt_interval(args: &Args<'_>, i: usize) -> Result<Option<(f64, f64)>, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(None);
    }
    let v = vector(args, i)?;
    match v[..] {
        [a, b] if a.is_finite() && b.is_finite() && a < b => Ok(Some((a, b))),
        [_, _] => Err(BuiltinError::arg(i, "expected an interval [a, b] with a < b, both finite")),
        _ => Err(BuiltinError::arg(i, format!("expected an interval [a, b], found {} numbers", v.len()))),
    }
}

/// Argument `i` as a colour map name.
pub(crate) fn cmap(args: &Args<'_>, i: usize) -> Result<Colormap, BuiltinError> {
    let name = args.str(i)?;
    colormap(name).ok_or_else(|| {
        BuiltinError::arg(i, format!("unknown colour map \"{name}\""))
            .with_help(format!("use one of {}", colormap_names()))
    })
}

/// A line style: `"-"` solid, `"--"` dashed, `":"` dotted, with an optional marker `o` (dots)
/// or `.` (small dots); a marker alone draws no line. Returns the dash and marker radius.
pub(crate) fn line_style(args: &Args<'_>, i: usize) -> Result<(Dash, Option<u32>), BuiltinError> {
    let s = args.str(i)?.trim();
    let (dash, rest) = if let Some(r) = s.strip_prefix("--").or_else(|| s.strip_prefix("-.")) {
        (Dash::Dashed, r)
    } else if let Some(r) = s.strip_prefix('-') {
        (Dash::Solid, r)
    } else if let Some(r) = s.strip_prefix(':') {
        (Dash::Dotted, r)
    } else {
        (Dash::None, s)
    };
    let marker = match rest {
        "" => None,
        "o" => Some(4),
        "." => Some(2),
        _ => {
            return Err(BuiltinError::arg(i, format!("unknown line style \"{s}\"")).with_help(
                "use \"-\" (solid), \"--\" (dashed), \":\" (dotted), \"o\" (dots), \".\" (small dots), or a line and a dot: \"-o\"",
            ))
        }
    };
    if dash == Dash::None && marker.is_none() {
        return Err(BuiltinError::arg(i, "an empty line style draws nothing").with_help("use \"-\" for a solid line"));
    }
    Ok((dash, marker))
}

/// Argument `i` as a whole number in `lo..=hi`.
pub(crate) fn count_in(args: &Args<'_>, i: usize, lo: usize, hi: usize) -> Result<usize, BuiltinError> {
    let n = args.count(i)?;
    if (lo..=hi).contains(&n) {
        Ok(n)
    } else {
        Err(BuiltinError::arg(i, format!("expected a whole number from {lo} to {hi}, found {n}")))
    }
}

/// The number of parameters a function value takes, when known.
fn arity(f: &Value) -> Option<usize> {
    match f {
        Value::Func(c) => Some(c.params().len()),
        Value::Builtin(b) => Some(b.params.iter().filter(|p| p.default == mml_runtime::ParamDefault::Required).count()),
        _ => None,
    }
}

/// Calls `f` at a point of the plane: `f(x, y)`, or `f([x, y])` for a function of one vector.
pub(crate) fn call_xy(ctx: &mut dyn CallCtx, f: &Value, x: f64, y: f64) -> Result<Value, BuiltinError> {
    if arity(f) == Some(1) {
        ctx.call(f, &[Value::column(vec![x, y])])
    } else {
        ctx.call(f, &[Value::Num(x), Value::Num(y)])
    }
}

/// A function's result as a number (non-finite results are allowed and become gaps).
pub(crate) fn number_result(v: &Value, i: usize, call: &str) -> Result<f64, BuiltinError> {
    v.as_scalar().ok_or_else(|| {
        BuiltinError::arg(i, format!("the function must return a number, but {call} returned {}", describe(v)))
    })
}

/// `n` evenly spaced numbers from `a` to `b`.
pub(crate) fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![a];
    }
    (0..n).map(|k| a + (b - a) * k as f64 / (n - 1) as f64).collect()
}

/// Grid coordinates from argument `i`: an interval `[a, b]` sampled at `n` points, or the
/// increasing grid points themselves (3 or more numbers).
pub(crate) fn grid_axis(args: &Args<'_>, i: usize, n: usize) -> Result<Vec<f64>, BuiltinError> {
    let v = vector(args, i)?;
    if v.len() == 2 {
        return opt_interval(args, i).map(|r| r.map_or_else(Vec::new, |(a, b)| linspace(a, b, n)));
    }
    if v.len() < 2 {
        return Err(BuiltinError::arg(i, "expected an interval [a, b] or the grid points"));
    }
    if v.windows(2).all(|w| w[1] > w[0]) && v.iter().all(|x| x.is_finite()) {
        Ok(v)
    } else {
        Err(BuiltinError::arg(i, "grid points must be finite and increasing"))
    }
}

/// The images given to `imshow`/`imgrid`: a matrix as is; a vector of `r·c` numbers reshaped
/// row by row to `shape` (or to a square).
pub(crate) fn image_from(v: &[f64], shape: Option<(usize, usize)>, i: usize) -> Result<Matrix, BuiltinError> {
    let (r, c) = match shape {
        Some(s) => s,
        None => {
            let side = (v.len() as f64).sqrt().round() as usize;
            if side * side != v.len() {
                return Err(BuiltinError::arg(
                    i,
                    format!("a flattened image of {} numbers is not square: give its shape", v.len()),
                )
                .with_help("pass shape = [rows, cols]"));
            }
            (side, side)
        }
    };
    if r.checked_mul(c) != Some(v.len()) {
        return Err(
            BuiltinError::arg(i, format!("{} numbers do not make a {r}×{c} image", v.len())).code("shape-mismatch")
        );
    }
    Ok(Matrix::from_row_slice(r, c, v))
}

/// Argument `i` as an optional image shape `[rows, cols]`.
pub(crate) fn opt_shape(args: &Args<'_>, i: usize) -> Result<Option<(usize, usize)>, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(None);
    }
    let v = vector(args, i)?;
    match v[..] {
        [r, c] if r >= 1.0 && c >= 1.0 && r.fract() == 0.0 && c.fract() == 0.0 => Ok(Some((r as usize, c as usize))),
        _ => Err(BuiltinError::arg(i, "expected a shape [rows, cols] of positive whole numbers")),
    }
}

/// Labels from argument `i`: a list of strings or numbers, or a vector of numbers.
pub(crate) fn labels(args: &Args<'_>, i: usize) -> Result<Option<Vec<String>>, BuiltinError> {
    match args.get(i) {
        Value::Nothing => Ok(None),
        Value::List(items) => items
            .iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s.to_string()),
                Value::Num(x) => Ok(super::figure::short_number(*x)),
                v => Err(BuiltinError::arg(i, format!("labels must be strings or numbers, found {}", describe(v)))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Value::Str(s) => Ok(Some(vec![s.to_string()])),
        _ => Ok(Some(vector(args, i)?.into_iter().map(super::figure::short_number).collect())),
    }
}
