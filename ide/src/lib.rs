//! The services MML's front ends share: the REPL, the Jupyter kernel and the language server
//! are thin adapters over this crate (protocol in, protocol out), so a feature added here
//! appears in all of them at once and is tested once.
//!
//! - [`analysis`]: a document checked without running it, with what every name refers to:
//!   references, rename, the outline and semantic highlighting, for the language server.
//! - [`complete`]: completion at a cursor (builtins, keywords, variables, record fields after
//!   `.`, keyword parameters inside a call) and the call around a cursor, for signature help.
//! - [`help`]: the help text of a name, as terminal text or Markdown, and the overview.
//! - [`input`]: whether an input is complete (for multi-line entry), REPL commands (`:help`,
//!   `?eig`, `quit`) and `:vars`.
//! - [`render`]: a value as plain text, HTML and LaTeX, for rich displays.
//! - [`symbols`]: the names a document defines, for editors (nothing has run there).
//!
//! Nothing here does I/O. Byte offsets are used throughout; front ends convert their own
//! positions (Unicode code points for Jupyter, UTF-16 or UTF-8 for LSP) with [`text`].
#![warn(missing_docs)]

pub mod analysis;
pub mod complete;
pub mod help;
pub mod input;
pub mod render;
pub mod symbols;
pub mod text;

pub use analysis::Analysis;
pub use complete::{complete, enclosing_call, CallSite, Completions, Item, ItemKind, Names};
pub use help::{closest, help_markdown, help_text};
pub use input::{completeness, parse_command, vars_text, Command, Completeness};
pub use render::{render_value, Rendered};
