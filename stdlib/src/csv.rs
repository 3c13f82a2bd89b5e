//! Numeric CSV files: `read_csv` and `write_csv`, plain or gzip-compressed.
//!
//! The reader is strict, so that nothing is silently lost: every data line must have the same
//! number of fields and every kept field must be a number (`nan`, `inf` and `-inf` included);
//! otherwise the error names the file, the line and the column. Blank lines are ignored. The
//! delimiter is detected from the first two lines (the first of comma, tab and semicolon that
//! occurs equally often in both, else the first in the first line, else runs of spaces) unless
//! given. Fields may be quoted (`"1.5"`, with `""` for a quote inside). A
//! header line is detected when the first line has a field that is not a number (or forced
//! with `header = true` / `false`); it is not part of the data and is not checked against the
//! data's width (so metadata lines such as scikit-learn's `150,4,setosa,…` are skipped too).
//! Files starting with the gzip magic bytes are decompressed, whatever their name.

use std::io::{Read, Write};

use mml_runtime::display::format_number;
use mml_runtime::{Args, BuiltinError, Matrix, Value};

use crate::linalg::matrix_arg;
use crate::macros::builtin;
use crate::solve::record;

/// Whether a header line is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    /// Detected: the first line is a header when one of its fields is not a number.
    Auto,
    /// The first line is a header.
    Yes,
    /// There is no header.
    No,
}

/// A parsed numeric table.
#[derive(Debug)]
pub(crate) struct Table {
    /// The data, one row per data line.
    pub(crate) data: Matrix,
    /// The header's fields, if there was a header line.
    pub(crate) header: Option<Vec<String>>,
}

/// The field separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delimiter {
    Char(char),
    Whitespace,
}

/// Splits one line into fields (quotes removed, unquoted fields trimmed). A quote still
/// open at the end of the line is an error (a quoted field cannot span lines here), naming
/// the column where it opened.
fn split_line(line: &str, delim: Delimiter) -> Result<Vec<String>, usize> {
    let Delimiter::Char(d) = delim else {
        let fields: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        // Quotes are not special between spaces, but an odd number of them is a quote left
        // open (most likely a comma-separated file whose first quote hid its commas).
        if line.matches('"').count() % 2 == 1 {
            let column = fields.iter().rposition(|f| f.contains('"')).map_or(1, |k| k + 1);
            return Err(column);
        }
        return Ok(fields);
    };
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut opened = 0;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.trim().is_empty() {
            field.clear();
            quoted = true;
            was_quoted = true;
            opened = fields.len() + 1;
        } else if c == d {
            fields.push(if was_quoted {
                std::mem::take(&mut field)
            } else {
                std::mem::take(&mut field).trim().to_string()
            });
            was_quoted = false;
        } else {
            field.push(c);
        }
    }
    if quoted {
        return Err(opened);
    }
    fields.push(if was_quoted { field } else { field.trim().to_string() });
    Ok(fields)
}

/// How often `c` occurs in `line` outside double quotes.
fn count_outside_quotes(line: &str, c: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&x| {
            if x == '"' {
                quoted = !quoted;
            }
            x == c && !quoted
        })
        .count()
}

/// The delimiter of a file from its first two lines: the first of comma, tab and semicolon that
/// occurs equally often (and at least once) in both, else the first that occurs in the first
/// line, else runs of whitespace.
fn detect(first: &str, second: Option<&str>) -> Delimiter {
    const CANDIDATES: [char; 3] = [',', '\t', ';'];
    if let Some(second) = second {
        for c in CANDIDATES {
            let k = count_outside_quotes(first, c);
            if k > 0 && k == count_outside_quotes(second, c) {
                return Delimiter::Char(c);
            }
        }
    }
    CANDIDATES.into_iter().find(|c| count_outside_quotes(first, *c) > 0).map_or(Delimiter::Whitespace, Delimiter::Char)
}

/// A field as a number, if it is one.
fn number(field: &str) -> Option<f64> {
    let t = field.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Decompresses gzip data (several members are read in turn), or returns `bytes` unchanged.
pub(crate) fn maybe_gunzip(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .map_err(|e| format!("it looks gzip-compressed but cannot be decompressed: {e}"))?;
    Ok(out)
}

/// Parses CSV text (see the module docs). `name` names the file in errors; `columns` are the
/// 0-based columns to keep (all when `None`).
pub(crate) fn parse(
    text: &str,
    name: &str,
    header: Header,
    delimiter: Option<char>,
    columns: Option<&[usize]>,
) -> Result<Table, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l)).filter(|(_, l)| !l.trim().is_empty()).peekable();
    let Some(&(_, first)) = lines.peek() else {
        return Ok(Table { data: Matrix::zeros(0, 0), header: None });
    };
    let second = text.lines().filter(|l| !l.trim().is_empty()).nth(1);
    let delim = match delimiter {
        Some(' ') => Delimiter::Whitespace,
        Some(c) => Delimiter::Char(c),
        None => detect(first, second),
    };
    let unclosed = |line_no: usize, column: usize| {
        format!("{name}, line {line_no}, column {column}: the quote that opens this field is never closed on its line")
    };
    let first_line_no = lines.peek().map_or(1, |&(k, _)| k);
    let first_fields = split_line(first, delim).map_err(|col| unclosed(first_line_no, col))?;
    let has_header = match header {
        Header::Yes => true,
        Header::No => false,
        Header::Auto => first_fields.iter().any(|f| number(f).is_none()),
    };
    let header_fields = if has_header {
        lines.next();
        Some(first_fields)
    } else {
        None
    };
    let mut data: Vec<f64> = Vec::new();
    let mut width: Option<(usize, usize)> = None; // (fields, line)
    let mut rows = 0;
    for (line_no, line) in lines {
        let fields = split_line(line, delim).map_err(|col| unclosed(line_no, col))?;
        match width {
            None => width = Some((fields.len(), line_no)),
            Some((w, first_line)) if w != fields.len() => {
                let k = fields.len();
                let plural = if k == 1 { "" } else { "s" };
                return Err(format!("{name}, line {line_no}: found {k} field{plural}, but line {first_line} has {w}"));
            }
            Some(_) => {}
        }
        let keep: Vec<usize> = match columns {
            Some(c) => c.to_vec(),
            None => (0..fields.len()).collect(),
        };
        for &j in &keep {
            let Some(field) = fields.get(j) else {
                return Err(format!(
                    "{name}, line {line_no}: there is no column {} (the line has {} fields)",
                    j + 1,
                    fields.len()
                ));
            };
            match number(field) {
                Some(x) => data.push(x),
                None if field.trim().is_empty() => {
                    return Err(format!(
                        "{name}, line {line_no}, column {}: the field is empty (a missing value)",
                        j + 1
                    ));
                }
                None => return Err(format!("{name}, line {line_no}, column {}: \"{field}\" is not a number", j + 1)),
            }
        }
        rows += 1;
    }
    let cols = match (columns, width) {
        (Some(c), _) => c.len(),
        (None, Some((w, _))) => w,
        (None, None) => header_fields.as_ref().map_or(0, Vec::len),
    };
    let data = if rows == 0 { Matrix::zeros(0, cols) } else { Matrix::from_row_slice(rows, cols, &data) };
    Ok(Table { data, header: header_fields })
}

/// Reads a file (decompressing gzip), as text.
pub(crate) fn read_text(path: &str) -> Result<String, BuiltinError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(0, format!("cannot read \"{path}\": {e}")))?;
    let bytes = maybe_gunzip(bytes).map_err(|e| malformed(0, format!("{path}: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| malformed(0, format!("{path} is not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))
}

/// An `io-error` at argument `i`: a file that cannot be read or written.
pub(crate) fn io_error(i: usize, message: String) -> BuiltinError {
    BuiltinError::arg(i, message).code("io-error").with_help("paths are relative to the directory mml runs in")
}

/// A `malformed-file` error at argument `i`: a file whose content is not what was expected.
pub(crate) fn malformed(i: usize, message: String) -> BuiltinError {
    BuiltinError::arg(i, message).code("malformed-file")
}

/// Reads the `header` argument: nothing (detect), true or false.
fn header_arg(args: &Args<'_>, i: usize) -> Result<Header, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(Header::Auto);
    }
    Ok(if args.bool(i)? { Header::Yes } else { Header::No })
}

/// Reads a one-character `delimiter` argument (`nothing` detects it).
fn delimiter_arg(args: &Args<'_>, i: usize) -> Result<Option<char>, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(None);
    }
    let s = args.str(i)?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c != '"' && c != '\n' && c != '\r' => Ok(Some(c)),
        _ => Err(BuiltinError::arg(i, format!("the delimiter must be one character, found \"{s}\""))
            .with_help("for example delimiter = \",\", \"\\t\", \";\" or \" \" (runs of spaces)")),
    }
}

builtin! {
    /// Reads a CSV file of numbers into a matrix, one row per line.
    /// The delimiter (comma, tab, semicolon or spaces) is detected from the first line unless
    /// `delimiter` is given; files compressed with gzip (`.csv.gz`) are decompressed. A first
    /// line with a field that is not a number is a header and is skipped (`header = true` or
    /// `false` decides explicitly); `names = true` returns the record `{data, header}` with the
    /// header's fields as a list of strings. `columns` keeps only some columns (1-based), for
    /// example to leave out a text column. Anything else that is not a number, a line with a
    /// different number of fields, or an empty field is an error naming the file, line and
    /// column: nothing is skipped silently. Paths are relative to the directory `mml` runs in.
    /// ```mml
    /// path = "/tmp/mml-doc-read.csv"
    /// write_csv(path, [1, 2; 3, 4.5], header = {"a", "b"})
    /// X = read_csv(path)
    /// X                                   # => 2×2 matrix
    ///                                     # =>   1  2
    ///                                     # =>   3  4.5
    /// t = read_csv(path, names = true)
    /// t.header                            # => {"a", "b"}
    /// read_csv(path, columns = [2])'      # => 1×2 matrix
    ///                                     # =>   2  4.5
    /// ```
    pub static READ_CSV: Stats = "read_csv"(path, header = nothing, delimiter = nothing, columns = nothing, names = false), |ctx, args| {
        let path = args.str(0)?;
        let header = header_arg(args, 1)?;
        let delimiter = delimiter_arg(args, 2)?;
        let columns: Option<Vec<usize>> = if args.is_nothing(3) {
            None
        } else {
            let c = matrix_arg(&*ctx, args, 3)?;
            let cols = c.iter().map(|&x| {
                if x >= 1.0 && x.fract() == 0.0 && x < 1e9 { Ok(x as usize - 1) } else {
                    Err(BuiltinError::arg(3, format!("column numbers start at 1, found {}", format_number(x))))
                }
            }).collect::<Result<Vec<_>, _>>()?;
            Some(cols)
        };
        let names = args.bool(4)?;
        let text = read_text(path)?;
        let table = parse(&text, path, header, delimiter, columns.as_deref()).map_err(|m| {
            let help = if m.contains("is not a number") {
                "read_csv reads numbers only: keep the numeric columns with columns = [...], or fix the file"
            } else if m.contains("never closed") {
                "close the quote on the same line, as in \"1.5\"; write a quote inside a quoted field as \"\""
            } else if m.contains("is empty") {
                "fill in the missing value, or write nan for it"
            } else {
                "every line needs the same number of fields: look for a missing or extra delimiter"
            };
            malformed(0, m).with_help(help)
        })?;
        ctx.check_alloc(table.data.nrows(), table.data.ncols())?;
        if names {
            let header = table.header.unwrap_or_default().into_iter().map(Value::str).collect();
            return Ok(record([("data", Value::matrix(table.data)), ("header", Value::List(std::rc::Rc::new(header)))]));
        }
        Ok(Value::matrix(table.data))
    }
}

/// Quotes a header field when it needs it.
fn quote(field: &str, delim: char) -> String {
    if field.contains(delim) || field.contains('"') || field.contains('\n') || field.trim() != field {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

builtin! {
    /// Writes a matrix to a CSV file, one row per line, numbers in full precision.
    /// `header` is an optional list of column names written as the first line; `delimiter`
    /// defaults to a comma. A path ending in `.gz` is gzip-compressed. Numbers are written as
    /// they print (the shortest text that reads back as the same number), so `read_csv` gives
    /// back exactly the same matrix. Returns `nothing`.
    /// ```mml
    /// path = "/tmp/mml-doc-write.csv.gz"
    /// write_csv(path, [0.1, 1e-20; -3, nan])
    /// read_csv(path)                   # => 2×2 matrix
    ///                                  # =>    0.1    1e-20
    ///                                  # =>   -3    nan
    /// ```
    pub static WRITE_CSV: Stats = "write_csv"(path, X, header = nothing, delimiter = str ","), |ctx, args| {
        let path = args.str(0)?;
        let x = matrix_arg(&*ctx, args, 1)?;
        let delim = delimiter_arg(args, 3)?.unwrap_or(',');
        let mut text = String::new();
        match args.get(2) {
            Value::Nothing => {}
            Value::List(items) => {
                if items.len() != x.ncols() {
                    return Err(BuiltinError::arg(2, format!("the header has {} names but the matrix has {} columns", items.len(), x.ncols()))
                        .code("shape-mismatch"));
                }
                let names = items.iter().map(|v| match v {
                    Value::Str(s) => Ok(quote(s, delim)),
                    other => Err(BuiltinError::type_error(2, "a list of strings", other)),
                }).collect::<Result<Vec<_>, _>>()?;
                text.push_str(&names.join(&delim.to_string()));
                text.push('\n');
            }
            other => return Err(BuiltinError::type_error(2, "a list of column names", other)),
        }
        let sep = delim.to_string();
        for row in x.row_iter() {
            let fields: Vec<String> = row.iter().map(|v| format_number(*v)).collect();
            text.push_str(&fields.join(&sep));
            text.push('\n');
        }
        let bytes = if path.ends_with(".gz") {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(text.as_bytes()).and_then(|_| enc.finish()).map_err(|e| io_error(0, format!("cannot compress \"{path}\": {e}")))?
        } else {
            text.into_bytes()
        };
        std::fs::write(path, bytes).map_err(|e| io_error(0, format!("cannot write \"{path}\": {e}")))?;
        Ok(Value::Nothing)
    }
}

#[cfg(test)]
mod tests;
