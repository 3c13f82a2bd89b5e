//! PNG images as matrices: `read_image` and `write_image`.
//!
//! A grey image of `h×w` pixels is an `h×w` matrix with values in `[0, 1]` (0 black, 1 white),
//! row 1 at the top. A colour image is the record `{r, g, b}` of three such matrices. Reading
//! accepts every PNG (grey, RGB, palette, with or without alpha, 1 to 16 bits); alpha is
//! dropped. Colour becomes grey by the luma weights `0.299 r + 0.587 g + 0.114 b` (ITU-R BT.601,
//! as Pillow's `convert("L")`) unless `color = true`. Writing makes an 8-bit PNG.

use mml_runtime::display::format_number;
use mml_runtime::{BuiltinError, Matrix, Record, Value};

use crate::csv::{io_error, malformed};
use crate::elementwise::position;
use crate::macros::builtin;
use crate::solve::record;

/// A decoded image: `channels` (1 grey or 3 colour) planes of `h×w` values in `[0, 1]`.
struct Planes {
    h: usize,
    w: usize,
    planes: Vec<Matrix>,
}

/// Decodes PNG bytes (`name` for errors).
fn decode(bytes: &[u8], name: &str) -> Result<Planes, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| format!("{name} is not a readable PNG image: {e}"))?;
    let size = reader.output_buffer_size().ok_or_else(|| format!("{name}: the image is too large"))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(|e| format!("{name}: the PNG data is damaged: {e}"))?;
    let (h, w) = (info.height as usize, info.width as usize);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(format!("{name}: palette images could not be expanded")),
    };
    let sixteen = info.bit_depth == png::BitDepth::Sixteen;
    let line = info.line_size;
    let sample = |row: usize, k: usize| -> f64 {
        if sixteen {
            let at = row * line + 2 * k;
            f64::from(u16::from_be_bytes([buf[at], buf[at + 1]])) / 65535.0
        } else {
            f64::from(buf[row * line + k]) / 255.0
        }
    };
    let colour = if channels >= 3 { 3 } else { 1 };
    let planes = (0..colour).map(|c| Matrix::from_fn(h, w, |i, j| sample(i, j * channels + c))).collect();
    Ok(Planes { h, w, planes })
}

builtin! {
    /// Reads a PNG image as a matrix of grey levels in `[0, 1]` (0 black, 1 white).
    /// An `h×w` image gives an `h×w` matrix, row 1 at the top. Colour images are converted to
    /// grey (`0.299 r + 0.587 g + 0.114 b`) unless `color = true`, which returns the record
    /// `{r, g, b}` of three matrices (a grey image then has three equal ones). Transparency is
    /// ignored. Every PNG flavour is read (palette, 1–16 bits per sample).
    /// ```mml
    /// path = "/tmp/mml-doc-read.png"
    /// write_image(path, [0, 0.5; 1, 0.25])
    /// read_image(path)                      # => 2×2 matrix
    ///                                       # =>   0  0.501961
    ///                                       # =>   1  0.25098
    /// ```
    pub static READ_IMAGE: Stats = "read_image"(path, color = false), |ctx, args| {
        let path = args.str(0)?;
        let color = args.bool(1)?;
        let bytes = std::fs::read(path).map_err(|e| io_error(0, format!("cannot read \"{path}\": {e}")))?;
        let img = decode(&bytes, path).map_err(|m| malformed(0, m))?;
        ctx.check_alloc(img.h, img.w)?;
        let mut planes = img.planes;
        if color {
            if planes.len() == 1 {
                let g = planes.remove(0);
                return Ok(record([("r", Value::matrix(g.clone())), ("g", Value::matrix(g.clone())), ("b", Value::matrix(g))]));
            }
            let mut it = planes.into_iter();
            let (Some(r), Some(g), Some(b)) = (it.next(), it.next(), it.next()) else {
                return Err(malformed(0, format!("{path}: missing colour channels")));
            };
            return Ok(record([("r", Value::matrix(r)), ("g", Value::matrix(g)), ("b", Value::matrix(b))]));
        }
        if planes.len() == 3 {
            let grey = &planes[0] * 0.299 + &planes[1] * 0.587 + &planes[2] * 0.114;
            return Ok(Value::matrix(grey));
        }
        Ok(Value::matrix(planes.remove(0)))
    }
}

/// Tolerance for values just outside `[0, 1]` from rounding (they are clamped).
const SLACK: f64 = 1e-6;

/// One image plane (argument 1, channel `what`) as 8-bit samples; `scale` maps its own
/// minimum and maximum to 0 and 1 first.
fn samples(m: &Matrix, scale: bool, what: &str) -> Result<Vec<u8>, BuiltinError> {
    if let Some(k) = m.iter().position(|v| !v.is_finite()) {
        return Err(BuiltinError::arg(
            1,
            format!("{what}element {} is {}", position(k, m.nrows(), m.ncols()), format_number(m.as_slice()[k])),
        )
        .with_help("pixels must be finite numbers"));
    }
    let (lo, hi) = if scale {
        let lo = m.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = m.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, if hi > lo { hi } else { lo + 1.0 })
    } else {
        (0.0, 1.0)
    };
    if !scale {
        if let Some(k) = m.iter().position(|v| *v < -SLACK || *v > 1.0 + SLACK) {
            return Err(BuiltinError::arg(1, format!("{what}element {} is {}, outside [0, 1]", position(k, m.nrows(), m.ncols()), format_number(m.as_slice()[k])))
                .with_help("pixels are grey levels from 0 (black) to 1 (white); scale = true maps the smallest value to 0 and the largest to 1"));
        }
    }
    let mut out = vec![0u8; m.len()];
    let (h, w) = m.shape();
    for i in 0..h {
        for j in 0..w {
            let v = ((m[(i, j)] - lo) / (hi - lo)).clamp(0.0, 1.0);
            out[i * w + j] = (v * 255.0).round() as u8;
        }
    }
    Ok(out)
}

builtin! {
    /// Writes a matrix of grey levels in `[0, 1]` (or a colour record `{r, g, b}`) as a PNG.
    /// Row 1 is the top of the image; each value becomes an 8-bit level `round(255 v)`. Values
    /// outside `[0, 1]` are an error unless `scale = true`, which first maps the matrix's own
    /// smallest value to 0 and largest to 1 (as `imshow` does). Returns `nothing`.
    /// ```mml
    /// path = "/tmp/mml-doc-write.png"
    /// write_image(path, [0, 1; 1, 0])
    /// read_image(path)                       # => 2×2 matrix
    ///                                        # =>   0  1
    ///                                        # =>   1  0
    /// write_image(path, [-5, 5], scale = true)
    /// read_image(path)'                      # => 1×2 matrix
    ///                                        # =>   0  1
    /// ```
    pub static WRITE_IMAGE: Stats = "write_image"(path, image, scale = false), |_ctx, args| {
        let path = args.str(0)?;
        let scale = args.bool(2)?;
        let (h, w, colour, data) = match args.get(1) {
            Value::Record(r) => {
                let plane = |r: &Record, name: &str| match r.get(name) {
                    Some(v) => v.to_matrix().ok_or_else(|| BuiltinError::type_error(1, "a record {r, g, b} of matrices", v)),
                    None => Err(BuiltinError::type_error(1, "a matrix or a record {r, g, b}", args.get(1))),
                };
                let (pr, pg, pb) = (plane(r, "r")?, plane(r, "g")?, plane(r, "b")?);
                if pr.shape() != pg.shape() || pr.shape() != pb.shape() {
                    return Err(BuiltinError::arg(1, "the r, g and b matrices must have the same shape").code("shape-mismatch"));
                }
                let (sr, sg, sb) = (samples(&pr, scale, "r: ")?, samples(&pg, scale, "g: ")?, samples(&pb, scale, "b: ")?);
                let data: Vec<u8> = (0..sr.len()).flat_map(|k| [sr[k], sg[k], sb[k]]).collect();
                (pr.nrows(), pr.ncols(), true, data)
            }
            v => {
                let m = v.to_matrix().ok_or_else(|| BuiltinError::type_error(1, "a matrix or a record {r, g, b}", v))?;
                (m.nrows(), m.ncols(), false, samples(&m, scale, "")?)
            }
        };
        if h == 0 || w == 0 || h > u32::MAX as usize || w > u32::MAX as usize {
            return Err(BuiltinError::arg(1, format!("cannot write an image of {h}×{w} pixels")).with_help("an image needs at least one row and one column"));
        }
        let mut bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut bytes, w as u32, h as u32);
            enc.set_color(if colour { png::ColorType::Rgb } else { png::ColorType::Grayscale });
            enc.set_depth(png::BitDepth::Eight);
            let fail = |e: png::EncodingError| io_error(0, format!("cannot encode \"{path}\": {e}"));
            let mut writer = enc.write_header().map_err(fail)?;
            writer.write_image_data(&data).map_err(fail)?;
            writer.finish().map_err(fail)?;
        }
        std::fs::write(path, bytes).map_err(|e| io_error(0, format!("cannot write \"{path}\": {e}")))?;
        Ok(Value::Nothing)
    }
}
