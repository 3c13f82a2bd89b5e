//! `dataset(name)`: small real data sets built into the binary (from the repository's `data/`
//! folder, whose `README.md` gives their sources and licences), so that they load from any
//! directory without files next to the script.
//!
//! Each set is parsed from its embedded CSV (gzip for the larger ones) on first use and kept
//! for the rest of the session's thread.

use std::cell::RefCell;
use std::rc::Rc;

use mml_runtime::{BuiltinError, Matrix, Record, Value};

use crate::csv::{maybe_gunzip, parse, Header};
use crate::macros::builtin;

const IRIS: &[u8] = include_bytes!("../../data/iris.csv");
const DIGITS: &[u8] = include_bytes!("../../data/digits.csv.gz");
const WINE: &[u8] = include_bytes!("../../data/wine_data.csv");
const DIABETES_DATA: &[u8] = include_bytes!("../../data/diabetes_data_raw.csv.gz");
const DIABETES_TARGET: &[u8] = include_bytes!("../../data/diabetes_target.csv.gz");
const LONGLEY: &[u8] = include_bytes!("../../data/longley.csv");
const HEIGHTS: &[u8] = include_bytes!("../../data/heights.csv");

/// The names `dataset` knows, in the order the help lists them.
pub(crate) const NAMES: [&str; 6] = ["iris", "digits", "wine", "diabetes", "longley", "heights"];

/// The table in an embedded file (`header` as in `read_csv`).
fn table(bytes: &[u8], name: &str, header: Header) -> Result<(Matrix, Vec<String>), String> {
    let raw = maybe_gunzip(bytes.to_vec())?;
    let text = String::from_utf8(raw).map_err(|_| format!("{name} is not UTF-8"))?;
    let t = parse(&text, name, header, None, None)?;
    Ok((t.data, t.header.unwrap_or_default()))
}

/// A list of strings.
fn strings<S: AsRef<str>>(items: &[S]) -> Value {
    Value::List(Rc::new(items.iter().map(|s| Value::str(s.as_ref())).collect()))
}

/// Column `j` of `m` as an `n×1` matrix.
fn column(m: &Matrix, j: usize) -> Matrix {
    Matrix::from_column_slice(m.nrows(), 1, m.column(j).as_slice())
}

/// A classification set: every column but the last are the features, the last is the class.
fn classified(m: &Matrix, features: Value, classes: Value) -> Value {
    let d = m.ncols().saturating_sub(1);
    let data = m.columns(0, d).into_owned();
    let target = column(m, d);
    record_of(vec![
        ("data", Value::matrix(data)),
        ("target", Value::matrix(target)),
        ("feature_names", features),
        ("target_names", classes),
    ])
}

/// A record from its fields.
fn record_of(fields: Vec<(&'static str, Value)>) -> Value {
    Value::Record(Rc::new(Record::from_pairs(fields)))
}

/// Builds the record of data set `name`.
fn load(name: &str) -> Result<Value, String> {
    Ok(match name {
        "iris" => {
            let (m, meta) = table(IRIS, "iris.csv", Header::Yes)?;
            let features = strings(&["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]);
            classified(&m, features, strings(meta.get(2..).unwrap_or_default()))
        }
        "wine" => {
            let (m, meta) = table(WINE, "wine_data.csv", Header::Yes)?;
            let features = strings(&[
                "alcohol",
                "malic_acid",
                "ash",
                "alcalinity_of_ash",
                "magnesium",
                "total_phenols",
                "flavanoids",
                "nonflavanoid_phenols",
                "proanthocyanins",
                "color_intensity",
                "hue",
                "od280/od315_of_diluted_wines",
                "proline",
            ]);
            classified(&m, features, strings(meta.get(2..).unwrap_or_default()))
        }
        "digits" => {
            let (m, _) = table(DIGITS, "digits.csv.gz", Header::No)?;
            let pixels: Vec<String> = (0..64).map(|k| format!("pixel_{}_{}", k / 8, k % 8)).collect();
            let classes: Vec<String> = (0..10).map(|k| k.to_string()).collect();
            classified(&m, strings(&pixels), strings(&classes))
        }
        "diabetes" => {
            let (x, _) = table(DIABETES_DATA, "diabetes_data_raw.csv.gz", Header::No)?;
            let (y, _) = table(DIABETES_TARGET, "diabetes_target.csv.gz", Header::No)?;
            let features = strings(&["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]);
            record_of(vec![("data", Value::matrix(x)), ("target", Value::matrix(y)), ("feature_names", features)])
        }
        "longley" => {
            let (m, header) = table(LONGLEY, "longley.csv", Header::Yes)?;
            // Columns: Obs, TOTEMP (the response), then the six predictors.
            let data = m.columns(2, m.ncols().saturating_sub(2)).into_owned();
            let target = column(&m, 1);
            record_of(vec![
                ("data", Value::matrix(data)),
                ("target", Value::matrix(target)),
                ("feature_names", strings(header.get(2..).unwrap_or_default())),
            ])
        }
        "heights" => {
            let (m, _) = table(HEIGHTS, "heights.csv", Header::Yes)?;
            let width = 2.5;
            let total: f64 = m.column(1).iter().sum::<f64>() * width;
            let x = column(&m, 0).map(|s| s + width / 2.0);
            let y = column(&m, 1).map(|v| v / total);
            record_of(vec![("x", Value::matrix(x)), ("y", Value::matrix(y))])
        }
        _ => return Err(format!("unknown data set \"{name}\"")),
    })
}

thread_local! {
    /// Data sets already parsed on this thread.
    static CACHE: RefCell<Vec<(&'static str, Value)>> = const { RefCell::new(Vec::new()) };
}

builtin! {
    /// One of the small real data sets built into MML, as a record.
    /// The record has the fields `data` (one observation per row) and `target` (the class of
    /// each row, numbered from 0, or the value to predict), so `X, y = dataset("iris")` gives
    /// the data and the labels. `names = true` adds `feature_names` (the columns' names) and,
    /// for classification sets, `target_names` (the classes' names), as lists of strings.
    /// `dataset()` lists the data sets.
    ///
    /// - `"iris"`: 150 iris flowers, 4 measurements in cm (sepal length and width, petal
    ///   length and width), 3 species (Fisher, 1936).
    /// - `"digits"`: 1797 handwritten digits, 8×8 images of grey levels 0–16 stored row by row
    ///   in 64 columns (`reshape(X[i, :], 8, 8)'` is image `i` upright), labels 0–9 (UCI,
    ///   Alpaydin and Kaynak).
    /// - `"wine"`: 178 wines, 13 chemical measurements, 3 cultivars (UCI, Forina et al.).
    /// - `"diabetes"`: 442 patients, 10 raw baseline variables (age, sex, bmi, bp, s1–s6) and
    ///   a disease-progression score one year later (Efron et al., 2004).
    /// - `"longley"`: 16 years (1947–1962) of 6 US economic series and total employment, the
    ///   target (Longley, 1967; NIST's certified least-squares test, notoriously ill-conditioned).
    /// - `"heights"`: the course's histogram of heights: `x` the centres of 100 bins of width
    ///   2.5 from 50 to 300 (cm), `y` the fraction in each bin scaled to a density
    ///   (`sum(y) * 2.5` is 1).
    ///
    /// Sources and licences are in the repository's `data/README.md`.
    /// ```mml
    /// X, y = dataset("iris")
    /// size(X)                      # => 1×2 matrix
    ///                              # =>   150  4
    /// bincount(y)'                 # => 1×3 matrix
    ///                              # =>   50  50  50
    /// dataset("iris", names = true).target_names   # => {"setosa", "versicolor", "virginica"}
    /// h = dataset("heights")
    /// sum(h.y) * 2.5               # => 1
    /// dataset()                    # => {"iris", "digits", "wine", "diabetes", "longley", "heights"}
    /// ```
    pub static DATASET: Stats = "dataset"(name = nothing, names = false), |_ctx, args| {
        if args.is_nothing(0) {
            return Ok(Value::List(Rc::new(NAMES.iter().map(Value::str).collect())));
        }
        let name = args.str(0)?;
        let Some(&key) = NAMES.iter().find(|n| **n == name) else {
            return Err(BuiltinError::arg(0, format!("unknown data set \"{name}\""))
                .with_help(format!("the data sets are {}", NAMES.map(|n| format!("\"{n}\"")).join(", "))));
        };
        let names = args.bool(1)?;
        let cached = CACHE.with(|c| c.borrow().iter().find(|(n, _)| *n == key).map(|(_, v)| v.clone()));
        let full = match cached {
            Some(v) => v,
            None => {
                let v = load(key).map_err(|m| BuiltinError::new("malformed-file", format!("the built-in data set is damaged: {m}")))?;
                CACHE.with(|c| c.borrow_mut().push((key, v.clone())));
                v
            }
        };
        match full {
            Value::Record(r) if !names => {
                let keep = r.fields.iter().filter(|(n, _)| !n.ends_with("_names")).cloned().collect();
                Ok(Value::Record(Rc::new(Record { fields: keep, call: None })))
            }
            v => Ok(v),
        }
    }
}
