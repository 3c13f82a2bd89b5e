//! Printing, converting to strings, formatting, and asking for a value's type.

use mml_runtime::display::{format_value, FormatOptions};
use mml_runtime::{BuiltinError, Value};

use crate::macros::builtin;

builtin! {
    /// Prints values on one line, separated by spaces, and ends the line.
    /// Values print as the REPL shows them: strings without quotes, matrices with their shape
    /// on separate lines (a multi-line value is separated from its neighbours by line breaks
    /// instead of spaces).
    /// `print()` prints an empty line. Returns `nothing`.
    /// ```mml
    /// print("x =", 2.5)   # => x = 2.5
    /// ```
    pub static PRINT: Io = "print"(values...), |ctx, args| {
        let opts = ctx.format_options();
        let mut line = String::new();
        let mut previous_multiline = false;
        for (k, v) in args.rest().iter().enumerate() {
            let text = format_value(v, &opts);
            let multiline = text.contains('\n');
            if k > 0 {
                line.push(if multiline || previous_multiline { '\n' } else { ' ' });
            }
            line.push_str(&text);
            previous_multiline = multiline;
        }
        line.push('\n');
        ctx.write(&line);
        Ok(Value::Nothing)
    }
}

builtin! {
    /// The text `print` shows for a value, as a string.
    /// ```mml
    /// string(2.5)        # => 2.5
    /// string([1, 2]')    # => 1×2 matrix
    ///                    # =>   1  2
    /// length(string(1/3))   # => 18
    /// ```
    pub static STRING: Io = "string"(value), |ctx, args| {
        Ok(Value::str(format_value(args.get(0), &ctx.format_options())))
    }
}

builtin! {
    /// A value as a string, rounded to `digits` significant digits or `decimals` fixed decimals.
    /// Strings interpolate values directly (`"x = {x}"`); `format` controls how numbers look:
    /// `digits` applies to every number inside the value (lists, records, and matrices, whose
    /// columns get `digits` significant digits of their largest element as on display), while
    /// `decimals` shows a single number with exactly that many decimals.
    /// With neither it is the same as `string(value)`.
    ///
    /// `format("long")` and `format("short")` instead switch how every later value prints, for
    /// the rest of the session (as Octave's `format long`): the long format shows matrix
    /// elements in full (the shortest text that reads back as the same number), the short one
    /// (the default) rounds them to 6 significant digits per column; both also undo a
    /// `--precision` or `:set digits`. Single numbers always print in full. They return `nothing`.
    /// ```mml
    /// format(pi, 3)                # => 3.14
    /// format(1234.5678, 2)         # => 1200
    /// format(2, decimals = 2)      # => 2.00
    /// "pi ≈ {format(pi, 4)}"       # => pi ≈ 3.142
    /// [1/3, 2]                     # => 2×1 matrix
    ///                              # =>   0.33333
    ///                              # =>   2
    /// format("long")               # => nothing
    /// [1/3, 2]                     # => 2×1 matrix
    ///                              # =>   0.3333333333333333
    ///                              # =>   2
    /// ```
    pub static FORMAT: Io = "format"(value, digits = nothing, decimals = nothing), |ctx, args| {
        let value = args.get(0);
        if let (Value::Str(mode), true, true) = (value, args.is_nothing(1), args.is_nothing(2)) {
            let long = match mode.as_str() {
                "long" => true,
                "short" => false,
                other => {
                    return Err(BuiltinError::arg(
                        0,
                        format!("`format` with one string sets the display format: \"long\" or \"short\", found \"{other}\""),
                    )
                    .with_help("to turn a value into text write `string(value)`; to round it, `format(value, digits)`"))
                }
            };
            let current = ctx.format_options();
            ctx.set_format_options(FormatOptions { precision: None, long, width: current.width });
            return Ok(Value::Nothing);
        }
        match (args.is_nothing(1), args.is_nothing(2)) {
            (true, true) => Ok(Value::str(format_value(value, &ctx.format_options()))),
            (false, true) => {
                let digits = args.count(1)?;
                if digits == 0 {
                    return Err(BuiltinError::arg(1, "the number of significant digits must be at least 1"));
                }
                Ok(Value::str(format_value(value, &FormatOptions::with_precision(Some(digits)))))
            }
            (true, false) => {
                let decimals = args.count(2)?;
                let x = value
                    .as_scalar()
                    .ok_or_else(|| BuiltinError::type_error(0, "a number (to show with fixed decimals)", value))?;
                Ok(Value::str(fixed(x, decimals)))
            }
            (false, false) => Err(BuiltinError::arg(2, "give `digits` or `decimals`, not both")),
        }
    }
}

/// `x` with exactly `decimals` decimals; a rounded-away sign is dropped (`-0.001` at 2 is
/// `0.00`). Very large counts are capped at 100 (an f64 has at most 17 significant digits).
fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return format_value(&Value::Num(x), &FormatOptions::default());
    }
    let decimals = decimals.min(100);
    let text = format!("{x:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

builtin! {
    /// The type of a value, as a string.
    /// One of `"number"`, `"bool"`, `"string"`, `"matrix"`, `"range"`, `"list"`, `"record"`,
    /// `"function"` or `"nothing"`.
    /// ```mml
    /// typeof(1)        # => number
    /// typeof([1, 2])   # => matrix
    /// typeof("a")      # => string
    /// typeof(sin)      # => function
    /// ```
    pub static TYPEOF: Io = "typeof"(value), |_ctx, args| {
        Ok(Value::str(args.get(0).type_name()))
    }
}
