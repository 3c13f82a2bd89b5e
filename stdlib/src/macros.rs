//! The `builtin!` macro: one declaration per builtin (docs, name, parameters, implementation).
//!
//! ```text
//! builtin! {
//!     /// Rounds to `digits` decimal places.
//!     /// ```mml
//!     /// round(2.567, 2)   # => 2.57
//!     /// ```
//!     pub static ROUND: Math = "round"(x, digits = 0), |ctx, args| {
//!         ...
//!     }
//! }
//! ```
//!
//! - The `///` lines become the `doc` string, one line each, with the one space after `///`
//!   removed, so the first line is the summary and ```` ```mml ```` blocks are plain markdown.
//! - The name is a string literal, so builtins may be called `mod` or `typeof`.
//! - Parameters: `x` (required), `x = nothing`, `x = 0`, `x = -1`, `x = 1e-9`, `x = true`,
//!   `x = "text"`, and `values...` (variadic, last). Parameters after a `;` are keyword-only
//!   (`"numgrad"(f, x; h = 1e-6)`): given by name only, each with a default.
//! - The body is a plain `fn(&mut dyn CallCtx, &Args) -> Result<Value, BuiltinError>`; the two
//!   names between the bars are its parameters.

/// Declares a builtin as a `static` of type [`mml_runtime::Builtin`]; see the module docs.
macro_rules! builtin {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $stat:ident : $category:ident = $name:literal ( $($params:tt)* ),
        |$ctx:tt, $args:tt| $body:block
    ) => {
        $(#[doc = $doc])*
        $vis static $stat: ::mml_runtime::Builtin = ::mml_runtime::Builtin {
            name: $name,
            category: ::mml_runtime::Category::$category,
            params: $crate::macros::params!(@acc [] $($params)*),
            doc: {
                const RAW: &str = concat!($($doc, "\n",)*);
                const LEN: usize = $crate::macros::unindented_len(RAW);
                const BYTES: [u8; LEN] = $crate::macros::unindent(RAW);
                match ::std::str::from_utf8(&BYTES) {
                    Ok(text) => text,
                    Err(_) => RAW,
                }
            },
            run: {
                fn run(
                    $ctx: &mut dyn ::mml_runtime::CallCtx,
                    $args: &::mml_runtime::Args<'_>,
                ) -> ::std::result::Result<::mml_runtime::Value, ::mml_runtime::BuiltinError> $body
                run
            },
        };
    };
}

/// Turns a parameter list (`x, digits = 0, rest...`) into a `&[Param]` (a token muncher).
macro_rules! params {
    (@acc [$($out:expr,)*]) => { &[$($out,)*] };
    // After `;`, every parameter is keyword-only (and has a default).
    (@acc [$($out:expr,)*] ; $($rest:tt)*) => {
        $crate::macros::params!(@kw [$($out,)*] $($rest)*)
    };
    (@acc [$($out:expr,)*] $p:ident ; $($rest:tt)*) => {
        $crate::macros::params!(@kw [$($out,)* ::mml_runtime::Param::req(stringify!($p)),] $($rest)*)
    };
    (@acc [$($out:expr,)*] $p:ident = nothing ; $($rest:tt)*) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Nothing),] $($rest)*)
    };
    (@acc [$($out:expr,)*] $p:ident = str $s:literal ; $($rest:tt)*) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Str($s)),] $($rest)*)
    };
    (@acc [$($out:expr,)*] $p:ident = $d:literal ; $($rest:tt)*) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Num($d as f64)),] $($rest)*)
    };
    (@kw [$($out:expr,)*]) => { &[$($out,)*] };
    (@kw [$($out:expr,)*] $p:ident = nothing $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Nothing).keyword(),] $($($rest)*)?)
    };
    (@kw [$($out:expr,)*] $p:ident = true $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Bool(true)).keyword(),] $($($rest)*)?)
    };
    (@kw [$($out:expr,)*] $p:ident = false $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Bool(false)).keyword(),] $($($rest)*)?)
    };
    (@kw [$($out:expr,)*] $p:ident = str $s:literal $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Str($s)).keyword(),] $($($rest)*)?)
    };
    (@kw [$($out:expr,)*] $p:ident = $d:literal $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@kw [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Num($d as f64)).keyword(),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident ... $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)* ::mml_runtime::Param::rest(stringify!($p)),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident = nothing $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Nothing),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident = true $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Bool(true)),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident = false $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Bool(false)),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident = str $s:literal $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Str($s)),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident = - $d:literal $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Num(-($d as f64))),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident = $d:literal $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)*
            ::mml_runtime::Param::opt(stringify!($p), ::mml_runtime::ParamDefault::Num($d as f64)),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $p:ident $(, $($rest:tt)*)?) => {
        $crate::macros::params!(@acc [$($out,)* ::mml_runtime::Param::req(stringify!($p)),] $($($rest)*)?)
    };
}

pub(crate) use {builtin, params};

/// The length of `doc` after [`unindent`].
pub(crate) const fn unindented_len(doc: &str) -> usize {
    let bytes = doc.as_bytes();
    let mut len = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        if !(line_start && bytes[i] == b' ') {
            len += 1;
        }
        line_start = bytes[i] == b'\n';
        i += 1;
    }
    len
}

/// `doc` without the single space that `///` leaves at the start of every line.
/// `N` must be [`unindented_len`]`(doc)`; any extra bytes stay zero.
pub(crate) const fn unindent<const N: usize>(doc: &str) -> [u8; N] {
    let bytes = doc.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    let mut j = 0;
    let mut line_start = true;
    while i < bytes.len() && j < N {
        if !(line_start && bytes[i] == b' ') {
            out[j] = bytes[i];
            j += 1;
        }
        line_start = bytes[i] == b'\n';
        i += 1;
    }
    out
}
