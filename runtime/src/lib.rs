//! The MML runtime: values, name resolution and the tree-walking interpreter.
//!
//! The runtime does no I/O: output goes to the sink given to [`Session::new`].
#![warn(missing_docs)]

pub mod ad;
mod builtin;
pub mod display;
mod error;
mod hir;
mod interp;
mod limits;
pub mod names;
mod ops;
mod resolve;
mod session;
mod shapes;
pub mod symbolic;
mod value;

pub use builtin::{
    find_foreign, Args, Builtin, BuiltinError, BuiltinFn, CallCtx, Category, Constant, ForeignName, Library, Param,
    ParamDefault, FOREIGN_MODULES, MAX_COUNT,
};
pub use error::{one_size_column, ErrorKind, RuntimeError, ONE_SIZE_HINT};
pub use interp::Closure;
pub use limits::Limits;
pub use mml_kernel as kernel;
pub use session::{Outcome, Session, Sink};
pub use value::{Bound, CMatrix, Matrix, RangeVal, Record, Value, C64};
