//! The reserved words and operators of MML, for REPL completion and generated editor grammars.

/// Every reserved word.
pub const KEYWORDS: &[&str] = &[
    "fn", "if", "else", "while", "for", "in", "break", "continue", "return", "and", "or", "not", "true", "false",
    "nothing", "end",
];

/// Every operator and punctuation token, longest first within each family.
pub const OPERATORS: &[&str] = &[
    ".==", ".!=", ".<=", ".>=", ".<", ".>", "->", "+=", "-=", "*=", "/=", ".*", "./", ".^", "==", "!=", "<=", ">=",
    "&&", "||", "+", "-", "*", "/", "\\", "^", "<", ">", "!", "=", ":", ".", "'", ",", ";", "(", ")", "[", "]", "{",
    "}",
];
