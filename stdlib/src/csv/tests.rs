//! Tests of the data I/O builtins: the CSV parser (delimiters, quotes, headers, errors that
//! name the line and column), exact round trips through `write_csv`/`read_csv` (plain and gzip),
//! PNG round trips (grey, colour, 16-bit), and the built-in data sets against the shared files'
//! NumPy statistics.
#![allow(clippy::cloned_ref_to_slice_refs)]

use std::path::PathBuf;

use mml_runtime::{Matrix, Value};

use super::{parse, Header};
use crate::stats::tests::{
    as_mat, as_num, b, case, close, column, err, err_kw, field, m, message, n, ok, ok_kw, rows, s,
};

/// A fresh path in the temporary folder.
fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mml-stdlib-test-{}-{name}", std::process::id()))
}

fn path_value(p: &std::path::Path) -> Value {
    s(&p.to_string_lossy())
}

#[test]
fn parsing_delimiters_quotes_and_headers() {
    let t = parse("a,b\n1,2\n\n3,4.5\n", "f.csv", Header::Auto, None, None).unwrap();
    assert_eq!(t.data, rows(&[&[1.0, 2.0], &[3.0, 4.5]]));
    assert_eq!(t.header, Some(vec!["a".to_string(), "b".to_string()]));
    let t = parse("1\t2\r\n3\t4\r\n", "f.tsv", Header::Auto, None, None).unwrap();
    assert_eq!(t.data, rows(&[&[1.0, 2.0], &[3.0, 4.0]]));
    assert!(t.header.is_none());
    let t = parse("1;2\n3;4\n", "f", Header::Auto, None, None).unwrap();
    assert_eq!(t.data.shape(), (2, 2));
    let t = parse("  59 2  32.1\n48 1 21.6 \n", "f", Header::Auto, None, None).unwrap();
    assert_eq!(t.data, rows(&[&[59.0, 2.0, 32.1], &[48.0, 1.0, 21.6]]));
    let t = parse("\u{feff}\"x, y\",\"q\"\"\"\n\"1\", 2 \n", "f", Header::Auto, None, None).unwrap();
    assert_eq!(t.header, Some(vec!["x, y".to_string(), "q\"".to_string()]));
    assert_eq!(t.data, rows(&[&[1.0, 2.0]]));
    // Forced header / no header, explicit delimiter, special numbers, selected columns.
    let t = parse("1,2\n3,4\n", "f", Header::Yes, None, None).unwrap();
    assert_eq!(t.data, rows(&[&[3.0, 4.0]]));
    assert!(parse("a,2\n", "f", Header::No, None, None).is_err());
    let t = parse("1|nan|-inf\n", "f", Header::Auto, Some('|'), None).unwrap();
    assert!(t.data[1].is_nan() && t.data[2] == f64::NEG_INFINITY);
    let t = parse("1,setosa,2\n3,virginica,4\n", "f", Header::No, None, Some(&[0, 2])).unwrap();
    assert_eq!(t.data, rows(&[&[1.0, 2.0], &[3.0, 4.0]]));
    // A header line of metadata (scikit-learn's) is skipped without matching the data's width.
    let t = parse("150,4,setosa\n1,2,3,4,0\n", "f", Header::Auto, None, None).unwrap();
    assert_eq!(t.data.shape(), (1, 5));
    // Empty input, header only.
    assert_eq!(parse("", "f", Header::Auto, None, None).unwrap().data.shape(), (0, 0));
    assert_eq!(parse("a,b\n", "f", Header::Auto, None, None).unwrap().data.shape(), (0, 2));
}

#[test]
fn parse_errors_name_the_file_line_and_column() {
    let e = parse("a,b\n1,2\n3\n", "data.csv", Header::Auto, None, None).unwrap_err();
    assert_eq!(e, "data.csv, line 3: found 1 field, but line 2 has 2");
    let e = parse("1,2\n3,x\n", "data.csv", Header::Auto, None, None).unwrap_err();
    assert_eq!(e, "data.csv, line 2, column 2: \"x\" is not a number");
    let e = parse("1,2\n\n3,\n", "data.csv", Header::Auto, None, None).unwrap_err();
    assert_eq!(e, "data.csv, line 3, column 2: the field is empty (a missing value)");
    let e = parse("1,2\n", "data.csv", Header::Auto, None, Some(&[4])).unwrap_err();
    assert!(e.contains("there is no column 5"));
}

#[test]
fn csv_round_trips_exactly() {
    let mut seed = 3u64;
    let x = Matrix::from_fn(20, 4, |_, _| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((seed % 40) as i32 - 20)
    });
    for name in ["round.csv", "round.csv.gz"] {
        let p = temp(name);
        ok("write_csv", &[path_value(&p), m(x.clone())]);
        assert_eq!(as_mat(&ok("read_csv", &[path_value(&p)])), x);
        std::fs::remove_file(&p).ok();
    }
    let p = temp("named.csv");
    let header = Value::List(std::rc::Rc::new(vec![s("a,b"), s("c")]));
    ok_kw("write_csv", &[path_value(&p), m(rows(&[&[1.0, 2.0]]))], &[("header", header), ("delimiter", s(";"))]);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "a,b;c\n1;2\n");
    let t = ok_kw("read_csv", &[path_value(&p)], &[("names", b(true))]);
    assert_eq!(as_mat(&field(&t, "data")), rows(&[&[1.0, 2.0]]));
    assert!(matches!(field(&t, "header"), Value::List(l) if l.len() == 2));
    std::fs::remove_file(&p).ok();
    // Errors: a missing file, a malformed one (naming the line), bad arguments.
    assert_eq!(err("read_csv", &[path_value(&temp("missing.csv"))]), "io-error");
    let p = temp("bad.csv");
    std::fs::write(&p, "1,2\n3,4\n5,six\n").unwrap();
    assert_eq!(err("read_csv", &[path_value(&p)]), "malformed-file");
    assert!(message("read_csv", &[path_value(&p)], &[]).ends_with("bad.csv, line 3, column 2: \"six\" is not a number"));
    assert_eq!(as_mat(&ok_kw("read_csv", &[path_value(&p)], &[("columns", n(1.0))])), column(&[1.0, 3.0, 5.0]));
    assert_eq!(err_kw("read_csv", &[path_value(&p)], &[("delimiter", s(",,"))]), "invalid-argument");
    assert_eq!(err_kw("read_csv", &[path_value(&p)], &[("columns", n(0.0))]), "invalid-argument");
    std::fs::remove_file(&p).ok();
    let header = Value::List(std::rc::Rc::new(vec![s("a")]));
    assert_eq!(
        err_kw("write_csv", &[path_value(&temp("w.csv")), m(rows(&[&[1.0, 2.0]]))], &[("header", header)]),
        "shape-mismatch"
    );
    assert_eq!(err("write_csv", &[s("/nonexistent-dir/x.csv"), n(1.0)]), "io-error");
}

#[test]
fn png_round_trips() {
    let grey = Matrix::from_fn(3, 5, |i, j| ((i * 5 + j) * 17) as f64 / 255.0);
    let p = temp("grey.png");
    ok("write_image", &[path_value(&p), m(grey.clone())]);
    close(&as_mat(&ok("read_image", &[path_value(&p)])), &grey, 1e-15);
    let colour = ok_kw("read_image", &[path_value(&p)], &[("color", b(true))]);
    close(&as_mat(&field(&colour, "g")), &grey, 1e-15);
    // Colour images: channels round-trip; grey is the BT.601 luma.
    let r = Matrix::from_fn(2, 2, |i, j| (i + j) as f64 / 2.0);
    let g = Matrix::from_element(2, 2, 1.0);
    let bl = Matrix::zeros(2, 2);
    let rgb = crate::stats::tests::record(vec![("r", m(r.clone())), ("g", m(g.clone())), ("b", m(bl))]);
    let p = temp("rgb.png");
    ok("write_image", &[path_value(&p), rgb]);
    let back = ok_kw("read_image", &[path_value(&p)], &[("color", b(true))]);
    close(&as_mat(&field(&back, "r")), &r.map(|v| (v * 255.0).round() / 255.0), 1e-15);
    let luma = as_mat(&ok("read_image", &[path_value(&p)]));
    close(&luma, &(r.map(|v| (v * 255.0).round() / 255.0) * 0.299 + g * 0.587), 1e-12);
    // 16-bit grey with alpha (as other programs write them).
    let p16 = temp("grey16.png");
    {
        let mut bytes = Vec::new();
        let mut enc = png::Encoder::new(&mut bytes, 2, 1);
        enc.set_color(png::ColorType::GrayscaleAlpha);
        enc.set_depth(png::BitDepth::Sixteen);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[0, 0, 255, 255, 0xff, 0xff, 0, 0]).unwrap();
        w.finish().unwrap();
        std::fs::write(&p16, bytes).unwrap();
    }
    assert_eq!(as_mat(&ok("read_image", &[path_value(&p16)])), Matrix::from_row_slice(1, 2, &[0.0, 1.0]));
    // Out of range values, scaling, errors.
    assert_eq!(err("write_image", &[path_value(&p), m(column(&[0.5, 1.5]))]), "invalid-argument");
    ok("write_image", &[path_value(&p), m(column(&[1.0 + 1e-9, -1e-9]))]);
    ok_kw("write_image", &[path_value(&p), m(column(&[-3.0, 1.0]))], &[("scale", b(true))]);
    assert_eq!(as_mat(&ok("read_image", &[path_value(&p)])), column(&[0.0, 1.0]));
    assert_eq!(err("write_image", &[path_value(&p), m(column(&[f64::NAN]))]), "invalid-argument");
    assert_eq!(err("write_image", &[path_value(&p), m(Matrix::zeros(0, 0))]), "invalid-argument");
    let not_png = temp("not.png");
    std::fs::write(&not_png, "hello").unwrap();
    assert_eq!(err("read_image", &[path_value(&not_png)]), "malformed-file");
    assert_eq!(err("read_image", &[path_value(&temp("missing.png"))]), "io-error");
    for f in [p, p16, not_png, temp("grey.png")] {
        std::fs::remove_file(f).ok();
    }
}

#[test]
fn built_in_data_sets() {
    let (x, y) = crate::stats::tests::iris();
    assert_eq!(x.shape(), (150, 4));
    assert_eq!(as_mat(&ok("bincount", &[m(y)])), column(&[50.0, 50.0, 50.0]));
    close(&as_mat(&ok("mean", &[m(x)])), &case("iris").get("mean").row(), 1e-14);
    let (d, t) = crate::stats::tests::digits();
    assert_eq!((d.shape(), t.shape()), ((1797, 64), (1797, 1)));
    assert_eq!(d.max(), 16.0);
    assert_eq!(t.max(), 9.0);
    let shapes = [("wine", (178, 13)), ("diabetes", (442, 10)), ("longley", (16, 6))];
    for (name, shape) in shapes {
        let r = ok("dataset", &[s(name)]);
        assert_eq!(as_mat(&field(&r, "data")).shape(), shape, "{name}");
        assert_eq!(as_mat(&field(&r, "target")).nrows(), shape.0, "{name}");
    }
    // NIST's Longley: TOTEMP of 1947 and the last year's predictors.
    let l = ok_kw("dataset", &[s("longley")], &[("names", b(true))]);
    assert_eq!(as_mat(&field(&l, "target"))[0], 60323.0);
    assert_eq!(as_mat(&field(&l, "data"))[(15, 5)], 1962.0);
    assert!(matches!(field(&l, "feature_names"), Value::List(v) if v.len() == 6));
    let iris = ok_kw("dataset", &[s("iris")], &[("names", b(true))]);
    assert!(matches!(field(&iris, "target_names"), Value::List(v) if v.len() == 3));
    // The course's heights histogram: 100 bins from 50 with width 2.5, a density.
    let h = ok("dataset", &[s("heights")]);
    let hx = as_mat(&field(&h, "x"));
    let hy = as_mat(&field(&h, "y"));
    assert_eq!((hx.len(), hx[0], hx[99]), (100, 51.25, 298.75));
    assert!((hy.sum() * 2.5 - 1.0).abs() < 1e-14);
    assert_eq!(hy.iter().filter(|v| **v > 0.0).count(), 16);
    assert!((hy[45] * 0.995 * 2.5 - 0.013).abs() < 1e-15);
    assert!(matches!(ok("dataset", &[]), Value::List(v) if v.len() == 6));
    assert_eq!(err("dataset", &[s("mnist")]), "invalid-argument");
    assert!((as_num(&ok("sum", &[field(&h, "y")])) - 0.4).abs() < 1e-15);
}

#[test]
fn a_quote_left_open_is_an_error_naming_its_line_and_column_not_a_number() {
    // Read leniently, `1,"2` used to give the row [1, 2].
    let e = parse("a,b\n1,\"2\n3,4\n", "f.csv", Header::Auto, None, None).unwrap_err();
    assert_eq!(e, "f.csv, line 2, column 2: the quote that opens this field is never closed on its line");
    let e = parse("a,\"b\n1,2\n", "f.csv", Header::Auto, None, None).unwrap_err();
    assert!(e.starts_with("f.csv, line 1, column 2:"), "{e}");
    // A closed quote with a doubled quote inside is fine.
    let t = parse("\"x\"\"\",b\n1,2\n", "f.csv", Header::Auto, None, None).unwrap();
    assert_eq!(t.header, Some(vec!["x\"".to_string(), "b".to_string()]));
}
