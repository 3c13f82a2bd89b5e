//! The MML standard library: every builtin function, each declared once.
//!
//! Each area has its own module; a builtin is a `static` declared with the `builtin!` macro
//! next to its implementation, and listed once in [`library`].
#![warn(missing_docs)]

mod check;
mod construct;
pub mod docs;
mod elementwise;
mod io;
mod macros;
mod math;

#[cfg(test)]
mod tests;

use mml_runtime::{Builtin, Library};

/// Every builtin, grouped by category and alphabetical within each group.
static BUILTINS: &[&Builtin] = &[
    // Elementary maths.
    &math::ABS,
    &math::ACOS,
    &math::ASIN,
    &math::ATAN,
    &math::ATAN2,
    &math::CEIL,
    &math::COS,
    &math::EXP,
    &math::FLOOR,
    &math::LOG,
    &math::LOG10,
    &math::LOG2,
    &math::MAX,
    &math::MIN,
    &math::MOD,
    &math::ROUND,
    &math::SIGN,
    &math::SIN,
    &math::SQRT,
    &math::TAN,
    // Construction and shape.
    &construct::COLS,
    &construct::EYE,
    &construct::LENGTH,
    &construct::LINSPACE,
    &construct::NUMEL,
    &construct::ONES,
    &construct::RANGE,
    &construct::ROWS,
    &construct::SIZE,
    &construct::ZEROS,
    // Printing, strings and types.
    &io::FORMAT,
    &io::PRINT,
    &io::STRING,
    &io::TYPEOF,
    // Checks and errors.
    &check::ASSERT,
    &check::ASSERT_CLOSE,
    &check::ERROR,
];

/// The whole standard library: builtins and constants.
pub fn library() -> &'static Library {
    static LIB: Library = Library { builtins: BUILTINS, constants: &math::CONSTANTS };
    &LIB
}
