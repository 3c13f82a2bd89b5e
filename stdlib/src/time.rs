//! Timing: `tic()` starts a stopwatch and `toc()` reads it, in seconds (for benchmarks and for
//! comparing, say, power iteration with `eig`).
//!
//! The stopwatch is one per thread (an MML session runs on one thread), shared by every script
//! that thread runs.

use std::cell::Cell;
use std::time::Instant;

use mml_runtime::{BuiltinError, Value};

use crate::macros::builtin;

thread_local! {
    static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

builtin! {
    /// Starts (or restarts) the stopwatch that `toc()` reads.
    /// Returns `nothing`.
    /// ```mml
    /// tic()   # => nothing
    /// ```
    pub static TIC: Io = "tic"(), |_ctx, _args| {
        STARTED.with(|s| s.set(Some(Instant::now())));
        Ok(Value::Nothing)
    }
}

builtin! {
    /// The seconds elapsed since the last `tic()`.
    /// The resolution is a microsecond or better. Calling `toc()` without a `tic()` first is an error.
    /// ```mml
    /// tic()
    /// s = 0
    /// for i in 1:1000 { s += i }
    /// toc() >= 0   # => true
    /// ```
    pub static TOC: Io = "toc"(), |_ctx, _args| {
        match STARTED.with(Cell::get) {
            Some(t) => Ok(Value::Num(t.elapsed().as_secs_f64())),
            None => Err(BuiltinError::new("invalid-argument", "`toc()` was called before `tic()`")
                .with_help("call tic() to start the stopwatch, then toc() to read the seconds since")),
        }
    }
}
