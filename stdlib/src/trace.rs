//! The one shape in which every iterative builtin says what it did.
//!
//! `newton_raphson`, `bisect`, `root`, `power_iteration`, `pagerank`, `gradient_descent`,
//! `minimize`, `newton_minimize`, `curve_fit`, `lagrange` and `global_min` end their answer
//! records with the same five fields:
//!
//! - `path`: the iterates, one column each, starting with the start point;
//! - `iterations`: the number of updates, as a hand-written loop counts them (for the power
//!   iteration and PageRank, the course's loop, which does not count the first
//!   multiplication);
//! - `converged`: whether the stated criterion holds at the stated tolerance, and nothing else;
//! - `reason`: which criterion stopped the run (`"step"`, `"gradient"`, `"residual"`,
//!   `"interval"`, `"change"`) or why it stopped without converging (`"max-iterations"`,
//!   `"stalled"`, `"diverged"`, `"cycled"`, `"zero-derivative"`, `"singular"`, `"saddle"`,
//!   `"maximum"`, `"unbounded"`);
//! - `message`: the same in a sentence, with the numbers.
//!
//! The builtins that answer with a plain number (`newton_raphson`, `bisect`, `root`) return
//! the record when called with `trace = true`. With `trace = true` every one of them returns
//! its record whatever happened; without it, a run that failed is a `no-convergence` (or
//! `singular-matrix`) error carrying the same message.

use std::rc::Rc;

use mml_runtime::{BuiltinError, CallCtx, Matrix, Record, Value};

/// Why an iterative builtin stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The last step was at most the tolerance (relative to the size of x).
    Step,
    /// The gradient was at most the tolerance.
    Gradient,
    /// The function (or residual) was exactly zero.
    Residual,
    /// The bracketing interval became at most twice the tolerance wide.
    Interval,
    /// One step changed the vector by at most the tolerance.
    Change,
    /// The iteration limit was reached first.
    MaxIterations,
    /// The iterates stopped moving (or no step made progress) before the criterion held.
    Stalled,
    /// The values became infinite or nan.
    Diverged,
    /// An iterate came back exactly.
    Cycled,
    /// The derivative was zero, so Newton's step is undefined.
    ZeroDerivative,
    /// The Jacobian or Hessian was singular.
    Singular,
    /// The point reached is a saddle point, not a minimum.
    Saddle,
    /// The point reached is a maximum, not a minimum.
    Maximum,
    /// The function falls without bound.
    Unbounded,
}

impl Stop {
    /// The word the `reason` field holds.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Stop::Step => "step",
            Stop::Gradient => "gradient",
            Stop::Residual => "residual",
            Stop::Interval => "interval",
            Stop::Change => "change",
            Stop::MaxIterations => "max-iterations",
            Stop::Stalled => "stalled",
            Stop::Diverged => "diverged",
            Stop::Cycled => "cycled",
            Stop::ZeroDerivative => "zero-derivative",
            Stop::Singular => "singular",
            Stop::Saddle => "saddle",
            Stop::Maximum => "maximum",
            Stop::Unbounded => "unbounded",
        }
    }

    /// Whether this stop means the stated criterion held.
    pub(crate) fn converged(self) -> bool {
        matches!(self, Stop::Step | Stop::Gradient | Stop::Residual | Stop::Interval | Stop::Change)
    }

    /// The error code of a failed run reported as an error.
    fn code(self) -> &'static str {
        match self {
            Stop::Singular => "singular-matrix",
            _ => "no-convergence",
        }
    }
}

/// The iterates of a run, one column each.
pub(crate) struct Path {
    n: usize,
    data: Vec<f64>,
}

impl Path {
    /// A path starting at `x`.
    pub(crate) fn new(x: &[f64]) -> Path {
        Path { n: x.len(), data: x.to_vec() }
    }

    /// Appends an iterate (of the same length as the start), within the element limit.
    pub(crate) fn push(&mut self, ctx: &dyn CallCtx, x: &[f64]) -> Result<(), BuiltinError> {
        ctx.check_alloc(self.n, self.columns() + 1)?;
        self.data.extend(x.iter().take(self.n));
        Ok(())
    }

    /// How many iterates it holds.
    pub(crate) fn columns(&self) -> usize {
        self.data.len() / self.n.max(1)
    }

    /// The path as a matrix, one column per iterate.
    pub(crate) fn into_value(self) -> Value {
        let cols = self.columns();
        Value::matrix(Matrix::from_vec(self.n, cols, self.data))
    }
}

/// How a run ended.
pub(crate) struct Report {
    /// Why it stopped.
    pub stop: Stop,
    /// The number of updates.
    pub iterations: usize,
    /// The iterates.
    pub path: Path,
    /// What happened, in a sentence.
    pub message: String,
}

impl Report {
    /// A report.
    pub(crate) fn new(stop: Stop, iterations: usize, path: Path, message: impl Into<String>) -> Report {
        Report { stop, iterations, path, message: message.into() }
    }

    /// Whether the run converged.
    pub(crate) fn converged(&self) -> bool {
        self.stop.converged()
    }

    /// The record: the builtin's own fields `head`, then the five shared ones.
    pub(crate) fn record(self, head: Vec<(&'static str, Value)>) -> Value {
        let converged = self.converged();
        let mut fields = head;
        fields.push(("path", self.path.into_value()));
        fields.push(("iterations", Value::Num(self.iterations as f64)));
        fields.push(("converged", Value::Bool(converged)));
        fields.push(("reason", Value::str(self.stop.word())));
        fields.push(("message", Value::str(&self.message)));
        Value::Record(Rc::new(Record::from_pairs(fields)))
    }

    /// The error a failed run raises when the caller did not ask for the record: the message,
    /// `note` (such as the last iterates) and `help`.
    pub(crate) fn error(&self, note: Option<String>, help: &str) -> BuiltinError {
        let mut e = BuiltinError::new(self.stop.code(), self.message.clone());
        if let Some(note) = note {
            e = e.with_note(note);
        }
        if help.is_empty() {
            e
        } else {
            e.with_help(help.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Stop;

    #[test]
    fn only_the_criteria_count_as_converged() {
        let all = [
            Stop::Step,
            Stop::Gradient,
            Stop::Residual,
            Stop::Interval,
            Stop::Change,
            Stop::MaxIterations,
            Stop::Stalled,
            Stop::Diverged,
            Stop::Cycled,
            Stop::ZeroDerivative,
            Stop::Singular,
            Stop::Saddle,
            Stop::Maximum,
            Stop::Unbounded,
        ];
        let converged: Vec<&str> = all.iter().filter(|s| s.converged()).map(|s| s.word()).collect();
        assert_eq!(converged, ["step", "gradient", "residual", "interval", "change"]);
        let mut words: Vec<&str> = all.iter().map(|s| s.word()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), all.len());
    }
}

#[cfg(test)]
#[path = "trace/builtins_tests.rs"]
mod builtins_tests;
