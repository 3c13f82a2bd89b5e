//! Complex numbers: building them and taking them apart (`complex re im conj arg abs`).
//! Complex values arise from `1 + 2i` literals and from eigenvalues of non-symmetric matrices.

use mml_runtime::{ad, Args, BuiltinError, CMatrix, CallCtx, Value, C64};

use crate::elementwise::map_elementwise;
use crate::macros::builtin;

/// Applies `f` to every element of a real or complex argument, giving a real result.
fn complex_to_real(ctx: &dyn CallCtx, args: &Args<'_>, f: fn(C64) -> f64) -> Result<Value, BuiltinError> {
    match args.get(0) {
        Value::Complex(c) => Ok(Value::Num(f(**c))),
        Value::CMatrix(m) => Ok(Value::matrix(m.map(f))),
        v => map_elementwise(ctx, v, 0, |x| f(C64::new(x, 0.0))),
    }
}

builtin! {
    /// Absolute value (the modulus `|z|` for complex numbers), element-wise.
    /// ```mml
    /// abs(-3)       # => 3
    /// abs(2.5)      # => 2.5
    /// abs(3 + 4i)   # => 5
    /// ```
    pub static ABS: Math = "abs"(x), |ctx, args| {
        if let Value::Dual(_) | Value::Jet(_) = args.get(0) {
            return abs_of(args.get(0));
        }
        complex_to_real(&*ctx, args, |c| if c.im == 0.0 { c.re.abs() } else { c.norm() })
    }
}

/// `abs` of a real number or matrix that may carry a derivative: |x|' = sign(x), taken as 0
/// at the kink x = 0.
pub(crate) fn abs_of(v: &Value) -> Result<Value, BuiltinError> {
    ad::map(v, 0, f64::abs, &|v| ad::map(&ad::strip(v), 0, sign, &|_| Ok(Value::Num(0.0))))
}

builtin! {
    /// The real part, element-wise (real numbers are their own real part).
    /// ```mml
    /// re(3 - 4i)   # => 3
    /// re(2)        # => 2
    /// ```
    pub static RE: Math = "re"(z), |ctx, args| {
        complex_to_real(&*ctx, args, |c| c.re)
    }
}

builtin! {
    /// The imaginary part, element-wise (zero for real numbers).
    /// ```mml
    /// im(3 - 4i)   # => -4
    /// im(2)        # => 0
    /// ```
    pub static IM: Math = "im"(z), |ctx, args| {
        complex_to_real(&*ctx, args, |c| c.im)
    }
}

builtin! {
    /// The argument (phase angle) in radians, in (−π, π], element-wise.
    /// ```mml
    /// arg(1i)    # => 1.5707963267948966
    /// arg(-1)    # => 3.141592653589793
    /// ```
    pub static ARG: Math = "arg"(z), |ctx, args| {
        complex_to_real(&*ctx, args, |c| c.im.atan2(c.re))
    }
}

builtin! {
    /// The complex conjugate, element-wise (`z'` conjugates and transposes).
    /// ```mml
    /// conj(3 - 4i)   # => 3 + 4i
    /// conj(2)        # => 2
    /// ```
    pub static CONJ: Math = "conj"(z), |_ctx, args| {
        match args.get(0) {
            Value::Complex(c) => Ok(Value::complex(c.conj())),
            Value::CMatrix(m) => Ok(Value::cmatrix(m.map(|c| c.conj()))),
            v if v.to_matrix().is_some() => Ok(v.clone()),
            v => Err(BuiltinError::type_error(0, "a number or matrix", v)),
        }
    }
}

builtin! {
    /// The complex number `re + im·i` (element-wise for matrices of equal shape).
    /// ```mml
    /// complex(1, 2)    # => 1 + 2i
    /// complex(1, 0)    # => 1
    /// ```
    pub static COMPLEX: Math = "complex"(re, im = 0), |_ctx, args| {
        let re = args.matrix(0)?;
        let im = args.matrix(1)?;
        if re.len() == 1 && im.len() == 1 {
            return Ok(Value::complex(C64::new(re[0], im[0])));
        }
        if im.len() == 1 {
            return Ok(Value::cmatrix(re.map(|x| C64::new(x, im[0]))));
        }
        if re.shape() != im.shape() {
            return Err(BuiltinError::arg(
                1,
                format!(
                    "the imaginary parts are {}×{} but the real parts are {}×{}",
                    im.nrows(),
                    im.ncols(),
                    re.nrows(),
                    re.ncols()
                ),
            )
            .code("shape-mismatch"));
        }
        Ok(Value::cmatrix(CMatrix::from_fn(re.nrows(), re.ncols(), |i, j| C64::new(re[(i, j)], im[(i, j)]))))
    }
}

/// The sign of a number: -1, 0 or 1 (the derivative of `abs`).
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}
