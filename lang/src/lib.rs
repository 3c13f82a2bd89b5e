//! The MML front end: source text to tokens to an AST, with diagnostics.
//!
//! Parsing never fails: [`parse_program`] returns a program (with `Error` nodes where the
//! text could not be read) together with every diagnostic found.
#![warn(missing_docs)]

pub mod ast;
mod diagnostic;
mod keywords;
mod lexer;
mod parser;
mod pretty;
mod span;
mod token;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use keywords::{KEYWORDS, OPERATORS};
pub use lexer::{lex, LexedToken};
pub use parser::{is_incomplete, parse_program, parse_range, ParseResult};
pub use pretty::dump_program;
pub use span::{Source, SourceId, SourceMap, Span, Spanned};
pub use token::Token;
