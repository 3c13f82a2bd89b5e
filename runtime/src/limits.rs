//! Safety limits: scripts from students and graders must not take the machine down.

use crate::builtin::BuiltinError;

/// Floating-point operations per second of a fast machine (many cores, vector units): work
/// estimated to need longer than the time left at this speed is refused up front, so a
/// refusal never stops work that could have finished.
pub const FAST_FLOPS: f64 = 5e10;

/// Limits checked while running; each exceeded limit is a friendly error.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest allowed nesting of user function calls.
    pub max_call_depth: usize,
    /// Most elements in one matrix or list, and bytes in one string (default 2^28: 2 GiB of
    /// f64, or a 256 MiB string).
    pub max_elements: usize,
    /// Wall-clock limit in seconds for one evaluation (`None`: unlimited).
    pub max_seconds: Option<f64>,
    /// Most steps (loop iterations and function calls) in one evaluation (`None`: unlimited):
    /// a deterministic budget, the same on every machine, for graders and playgrounds.
    pub max_steps: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_call_depth: 2000, max_elements: 1 << 28, max_seconds: None, max_steps: None }
    }
}

impl Limits {
    /// Fails if a `rows × cols` matrix exceeds the element limit.
    pub fn check_alloc(&self, rows: usize, cols: usize) -> Result<(), BuiltinError> {
        match rows.checked_mul(cols) {
            Some(n) if n <= self.max_elements => Ok(()),
            _ => Err(BuiltinError::new("limit-exceeded", format!("a {rows}×{cols} matrix is too large")).with_note(
                format!(
                    "the limit is {} elements ({} MiB); change it with --max-elements",
                    self.max_elements,
                    self.max_elements * 8 / (1 << 20)
                ),
            )),
        }
    }

    /// Fails if a string of `bytes` bytes (`what` = "string") or a list of that many items
    /// (`what` = "list") exceeds the element limit.
    pub fn check_length(&self, what: &str, n: usize) -> Result<(), BuiltinError> {
        if n <= self.max_elements {
            return Ok(());
        }
        let unit = if what == "string" { "bytes" } else { "items" };
        Err(BuiltinError::new("limit-exceeded", format!("a {what} of {n} {unit} is too large"))
            .with_note(format!("the limit is {} {unit}; change it with --max-elements", self.max_elements)))
    }
}
