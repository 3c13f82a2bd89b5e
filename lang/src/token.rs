//! The tokens of MML, recognised by a logos-generated lexer.

use std::fmt;
use std::rc::Rc;

use logos::{Lexer, Logos};

/// Why the lexer could not read a piece of text.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexError {
    /// A character that starts no token.
    #[default]
    UnexpectedChar,
    /// A `"` with no closing `"` before the end of the input.
    UnterminatedString,
}

/// One token. Comments (`#` to the end of the line) and blanks are skipped; newlines are tokens,
/// because they separate statements and matrix rows.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\f]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum Token {
    /// A number literal such as `1`, `2.5`, `.5`, `1e-3` or `1_000`.
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9][0-9_]*)?", number)]
    #[regex(r"\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?", number)]
    Number(f64),
    /// An imaginary number literal such as `2i` or `1.5e3i`.
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9][0-9_]*)?i", imaginary)]
    #[regex(r"\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?i", imaginary)]
    Imag(f64),
    /// A string literal: the raw text between the quotes, escapes and `{...}` not yet processed.
    #[token("\"", string)]
    Str(Rc<str>),
    /// A name.
    #[regex(r"[\p{XID_Start}_][\p{XID_Continue}]*", |lex| Rc::<str>::from(lex.slice()))]
    Ident(Rc<str>),

    /// `fn`
    #[token("fn")]
    Fn,
    /// `if`
    #[token("if")]
    If,
    /// `else`
    #[token("else")]
    Else,
    /// `while`
    #[token("while")]
    While,
    /// `for`
    #[token("for")]
    For,
    /// `in`
    #[token("in")]
    In,
    /// `break`
    #[token("break")]
    Break,
    /// `continue`
    #[token("continue")]
    Continue,
    /// `return`
    #[token("return")]
    Return,
    /// `and`
    #[token("and")]
    And,
    /// `or`
    #[token("or")]
    Or,
    /// `not`
    #[token("not")]
    Not,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,
    /// `nothing`
    #[token("nothing")]
    Nothing,
    /// `end` (inside an index)
    #[token("end")]
    End,

    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `,`
    #[token(",")]
    Comma,
    /// `;`
    #[token(";")]
    Semi,
    /// A line break.
    #[token("\n")]
    Newline,
    /// `:`
    #[token(":")]
    Colon,
    /// `.` (field access)
    #[token(".")]
    Dot,
    /// `'` (transpose)
    #[token("'")]
    Quote,
    /// `->`
    #[token("->")]
    Arrow,
    /// `=`
    #[token("=")]
    Assign,
    /// `+=`
    #[token("+=")]
    PlusAssign,
    /// `-=`
    #[token("-=")]
    MinusAssign,
    /// `*=`
    #[token("*=")]
    StarAssign,
    /// `/=`
    #[token("/=")]
    SlashAssign,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `\`
    #[token("\\")]
    Backslash,
    /// `^`
    #[token("^")]
    Caret,
    /// `.*`
    #[token(".*")]
    DotStar,
    /// `./`
    #[token("./")]
    DotSlash,
    /// `.^`
    #[token(".^")]
    DotCaret,
    /// `==`
    #[token("==")]
    EqEq,
    /// `.==`
    #[token(".==")]
    DotEqEq,
    /// `.!=`
    #[token(".!=")]
    DotNotEq,
    /// `.<`
    #[token(".<")]
    DotLt,
    /// `.<=`
    #[token(".<=")]
    DotLe,
    /// `.>`
    #[token(".>")]
    DotGt,
    /// `.>=`
    #[token(".>=")]
    DotGe,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `&&`
    #[token("&&")]
    AndAnd,
    /// `||`
    #[token("||")]
    OrOr,
    /// `!`
    #[token("!")]
    Bang,

    // Spellings of other languages, read so that `parser::habits` can say what MML writes
    // instead; the grammar never sees them.
    /// `@` (NumPy's matrix product, Octave's anonymous function)
    #[token("@")]
    At,
    /// `**` (Python's power)
    #[token("**")]
    StarStar,
    /// `~=` (Octave's not-equal)
    #[token("~=")]
    TildeEq,
    /// `~` (Octave's not)
    #[token("~")]
    Tilde,
}

fn imaginary(lex: &mut Lexer<'_, Token>) -> Option<f64> {
    let digits: String = lex.slice().trim_end_matches('i').chars().filter(|c| *c != '_').collect();
    digits.parse().ok()
}

fn number(lex: &mut Lexer<'_, Token>) -> Option<f64> {
    let digits: String = lex.slice().chars().filter(|c| *c != '_').collect();
    digits.parse().ok()
}

/// Scans a string literal after its opening quote, up to the first unescaped `"`.
/// Strings may span lines; `{...}` is left for the parser.
fn string(lex: &mut Lexer<'_, Token>) -> Result<Rc<str>, LexError> {
    let rest = lex.remainder();
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            let body = Rc::from(&rest[..i]);
            lex.bump(i + 1);
            return Ok(body);
        }
    }
    lex.bump(rest.len());
    Err(LexError::UnterminatedString)
}

impl Token {
    /// The source text of a fixed token (keywords, operators, punctuation), or `None` for
    /// tokens that carry a value.
    pub fn text(&self) -> Option<&'static str> {
        use Token::*;
        Some(match self {
            Number(_) | Imag(_) | Str(_) | Ident(_) => return None,
            Newline => "\n",
            Fn => "fn",
            If => "if",
            Else => "else",
            While => "while",
            For => "for",
            In => "in",
            Break => "break",
            Continue => "continue",
            Return => "return",
            And => "and",
            Or => "or",
            Not => "not",
            True => "true",
            False => "false",
            Nothing => "nothing",
            End => "end",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Comma => ",",
            Semi => ";",
            Colon => ":",
            Dot => ".",
            Quote => "'",
            Arrow => "->",
            Assign => "=",
            PlusAssign => "+=",
            MinusAssign => "-=",
            StarAssign => "*=",
            SlashAssign => "/=",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Backslash => "\\",
            Caret => "^",
            DotStar => ".*",
            DotSlash => "./",
            DotCaret => ".^",
            EqEq => "==",
            NotEq => "!=",
            DotEqEq => ".==",
            DotNotEq => ".!=",
            DotLt => ".<",
            DotLe => ".<=",
            DotGt => ".>",
            DotGe => ".>=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            AndAnd => "&&",
            OrOr => "||",
            Bang => "!",
            At => "@",
            StarStar => "**",
            TildeEq => "~=",
            Tilde => "~",
        })
    }

    /// True for infix and prefix operators, after which an expression must follow
    /// (so a newline right after one continues the expression).
    pub(crate) fn is_operator(&self) -> bool {
        use Token::*;
        matches!(
            self,
            Plus | Minus
                | Star
                | Slash
                | Backslash
                | Caret
                | DotStar
                | DotSlash
                | DotCaret
                | EqEq
                | NotEq
                | DotEqEq
                | DotNotEq
                | DotLt
                | DotLe
                | DotGt
                | DotGe
                | Lt
                | Le
                | Gt
                | Ge
                | AndAnd
                | OrOr
                | And
                | Or
                | Not
                | Bang
                | Colon
                | Arrow
                | Assign
                | PlusAssign
                | MinusAssign
                | StarAssign
                | SlashAssign
                | Dot
        )
    }
}

impl fmt::Display for Token {
    /// The name used in messages: "number", "identifier", "newline", or the token in backticks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Number(_) | Token::Imag(_) => f.write_str("number"),
            Token::Str(_) => f.write_str("string"),
            Token::Ident(_) => f.write_str("identifier"),
            Token::Newline => f.write_str("newline"),
            other => write!(f, "`{}`", other.text().unwrap_or("?")),
        }
    }
}
