//! The MML standard library: every builtin function, each declared once.
//!
//! Each area has its own module; a builtin is a `static` declared with the `builtin!` macro
//! next to its implementation, and listed once in [`library`].
#![warn(missing_docs)]

mod calculus;
mod check;
mod complex;
mod construct;
mod csv;
mod data;
mod decomp;
pub mod docs;
mod eigen;
mod elementwise;
pub mod foreign;
mod image;
mod inner;
mod io;
mod knn;
mod linalg;
mod macros;
mod math;
mod moments;
mod objective;
mod optimize;
mod order;
mod ortho;
mod pagerank;
mod pca;
pub mod plot;
mod quadrature;
mod random;
mod regression;
mod roots;
mod rref;
mod sample;
mod series;
mod solve;
mod stats;
mod time;
mod trace;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use mml_runtime::{Builtin, Library};

/// Every builtin, grouped by category and alphabetical within each group.
static BUILTINS: &[&Builtin] = &[
    // Elementary maths.
    &complex::ABS,
    &complex::ARG,
    &complex::COMPLEX,
    &complex::CONJ,
    &complex::IM,
    &complex::RE,
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
    &stats::MAX,
    &stats::MIN,
    &math::MOD,
    &math::ROUND,
    &math::SIGN,
    &math::SIN,
    &math::SINC,
    &math::SQRT,
    &math::TAN,
    &math::TANH,
    &math::SINH,
    &math::COSH,
    &math::SIGMOID,
    &math::RELU,
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
    // Construction and shape, continued (issue 3: vectors and geometry).
    &construct::DIAG,
    &construct::FLATTEN,
    &construct::FULL,
    &construct::HCAT,
    &construct::MESHGRID,
    &construct::RESHAPE,
    &construct::VCAT,
    // Vectors, geometry and orthogonality (issue 3).
    &linalg::ALLCLOSE,
    &linalg::ANGLE,
    &linalg::APPROX,
    &linalg::CHANGE_BASIS,
    &linalg::CROSS,
    &linalg::DIST,
    &linalg::DOT,
    &linalg::KRON,
    &linalg::NORM,
    &linalg::OUTER,
    &linalg::SCALAR_PROJ,
    &linalg::THREADS,
    &linalg::UNIT,
    &linalg::VEC_PROJ,
    &ortho::GRAM_SCHMIDT,
    &ortho::IS_ORTHONORMAL,
    &ortho::PROJECT,
    &ortho::PROJECTION_MATRIX,
    &ortho::REFLECTION,
    &ortho::ROTATION,
    &ortho::SCALE,
    &ortho::SHEAR,
    // Power iteration and PageRank (issue 3).
    &pagerank::PAGERANK,
    &pagerank::POWER_ITERATION,
    // Random numbers (issue 3).
    &random::CAUCHY,
    &random::RAND,
    &random::RANDN,
    &random::SEED,
    // Solving, elimination, decompositions and eigenvalues (issue 3).
    &decomp::CHOL,
    &decomp::LU,
    &decomp::QR,
    &decomp::SVD,
    &eigen::CHARPOLY,
    &eigen::DIAGONALIZE,
    &eigen::EIG,
    &eigen::EIGH,
    &eigen::MATPOW,
    &rref::ECHELON,
    &rref::RREF,
    &solve::COND,
    &solve::DET,
    &solve::INV,
    &solve::IS_SINGULAR,
    &solve::NULL,
    &solve::ORTH,
    &solve::PINV,
    &solve::RANK,
    &solve::SOLVE,
    &solve::TRACE,
    // Timing (issue 3).
    &time::TIC,
    &time::TOC,
    // Plots (issue 6).
    &plot::ARROW,
    &plot::BAR,
    &plot::CONTOUR,
    &plot::ERRORBAR,
    &plot::FIGURE,
    &plot::FILL,
    &plot::HEATMAP,
    &plot::HIST,
    &plot::IMGRID,
    &plot::IMSHOW,
    &plot::PLOT,
    &plot::QUIVER,
    &plot::SAVEFIG,
    &plot::SCATTER,
    &plot::SHOW,
    &plot::SUBPLOT,
    &plot::SURFACE,
    // Statistics, sampling, distances, PCA and data (issue 5).
    &csv::READ_CSV,
    &csv::WRITE_CSV,
    &data::DATASET,
    &image::READ_IMAGE,
    &image::WRITE_IMAGE,
    &inner::INNER,
    &inner::PAIRWISE_DIST,
    &knn::KNN,
    &moments::AFFINE_COV,
    &moments::AFFINE_MEAN,
    &moments::CENTER,
    &moments::CORR,
    &moments::COV,
    &moments::MSE,
    &moments::STANDARDIZE,
    &order::ARGSORT,
    &order::BINCOUNT,
    &order::HISTOGRAM,
    &order::SORT,
    &order::FIND,
    &order::UNIQUE,
    &pca::PCA,
    &pca::PCA_RECONSTRUCT,
    &pca::PCA_TRANSFORM,
    &sample::CHOICE,
    &sample::MVN_SAMPLE,
    &sample::RANDINT,
    &sample::SHUFFLE,
    &stats::ARGMAX,
    &stats::ARGMIN,
    &stats::CUMSUM,
    &stats::MEAN,
    &stats::MEDIAN,
    &stats::PROD,
    &stats::STD,
    &stats::SUM,
    &stats::VAR,
    // Printing, strings and types.
    &io::FORMAT,
    &io::PRINT,
    &io::STRING,
    &io::TYPEOF,
    // Derivatives.
    &calculus::DERIVATIVE,
    &calculus::DERIVATIVE_AT,
    &calculus::DIFF,
    &calculus::FORMULA,
    &calculus::GRAD,
    &calculus::HESSIAN,
    &calculus::JACOBIAN,
    &calculus::NUMGRAD,
    // Series, roots, integrals, optimisation and regression.
    &roots::BISECT,
    &optimize::CLASSIFY_STATIONARY,
    &regression::CURVE_FIT,
    &quadrature::INTEGRATE,
    &optimize::GLOBAL_MIN,
    &optimize::GRADIENT_DESCENT,
    &optimize::LAGRANGE,
    &regression::LINFIT,
    &regression::LINREGRESS,
    &regression::LSTSQ,
    &optimize::MINIMIZE,
    &optimize::NEWTON_MINIMIZE,
    &roots::NEWTON_RAPHSON,
    &regression::NORMAL_PDF,
    &regression::POLYFIT,
    &regression::POLYVAL,
    &roots::ROOT,
    &series::TAYLOR,
    // Checks and errors.
    &check::ALL,
    &check::ANY,
    &check::ASSERT,
    &check::ASSERT_CLOSE,
    &check::ASSERT_ERROR,
    &check::ERROR,
    &check::ISFINITE,
    &check::ISNAN,
];

/// Resets the state the library keeps per thread (the random generator, the figures), so
/// that every session starts the same way.
fn new_session() {
    random::reset();
    plot::reset();
}

/// The whole standard library: builtins, constants, and the steps run when a session
/// starts and after each run (writing the figures it drew).
pub fn library() -> &'static Library {
    static LIB: Library = Library {
        builtins: BUILTINS,
        constants: &math::CONSTANTS,
        on_new_session: Some(new_session),
        on_run_end: Some(plot::finish_run),
        foreign: foreign::FOREIGN,
    };
    &LIB
}
