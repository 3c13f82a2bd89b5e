//! Colours: named colours, the series colour cycle and the colour maps of heat maps and images.

/// An opaque RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// This colour mixed with white: `t = 0` is the colour, `t = 1` white.
    pub(crate) fn lighten(self, t: f64) -> Rgb {
        let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * t).round().clamp(0.0, 255.0) as u8;
        Rgb(mix(self.0), mix(self.1), mix(self.2))
    }

    /// Relative luminance (0 black … 1 white), to pick readable text on a cell.
    pub(crate) fn luminance(self) -> f64 {
        (0.2126 * f64::from(self.0) + 0.7152 * f64::from(self.1) + 0.0722 * f64::from(self.2)) / 255.0
    }
}

/// The colour cycle of series in one panel (Matplotlib's "tab10", familiar to course users).
pub(crate) const CYCLE: [Rgb; 10] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
    Rgb(0xe3, 0x77, 0xc2),
    Rgb(0x7f, 0x7f, 0x7f),
    Rgb(0xbc, 0xbd, 0x22),
    Rgb(0x17, 0xbe, 0xcf),
];

/// The `i`-th colour of the cycle (wrapping).
pub(crate) fn cycle(i: usize) -> Rgb {
    CYCLE[i % CYCLE.len()]
}

/// The colour names `color = "…"` accepts, besides `#rrggbb` and `C0` … `C9`.
pub(crate) const NAMES: &[(&str, Rgb)] = &[
    ("black", Rgb(0, 0, 0)),
    ("white", Rgb(255, 255, 255)),
    ("red", Rgb(0xd6, 0x27, 0x28)),
    ("green", Rgb(0x2c, 0xa0, 0x2c)),
    ("blue", Rgb(0x1f, 0x77, 0xb4)),
    ("orange", Rgb(0xff, 0x7f, 0x0e)),
    ("purple", Rgb(0x94, 0x67, 0xbd)),
    ("brown", Rgb(0x8c, 0x56, 0x4b)),
    ("pink", Rgb(0xe3, 0x77, 0xc2)),
    ("gray", Rgb(0x7f, 0x7f, 0x7f)),
    ("grey", Rgb(0x7f, 0x7f, 0x7f)),
    ("olive", Rgb(0xbc, 0xbd, 0x22)),
    ("cyan", Rgb(0x17, 0xbe, 0xcf)),
    ("magenta", Rgb(0xff, 0x00, 0xff)),
    ("yellow", Rgb(0xff, 0xd7, 0x00)),
    ("navy", Rgb(0x00, 0x00, 0x80)),
    ("teal", Rgb(0x00, 0x80, 0x80)),
];

/// Parses a colour name, `#rrggbb`, `#rgb` or `C0` … `C9` (the cycle).
pub(crate) fn parse_color(s: &str) -> Option<Rgb> {
    let t = s.trim().to_ascii_lowercase();
    if let Some((_, c)) = NAMES.iter().find(|(n, _)| *n == t) {
        return Some(*c);
    }
    if let Some(d) = t.strip_prefix('c') {
        if let Ok(i) = d.parse::<usize>() {
            return (i < CYCLE.len()).then(|| CYCLE[i]);
        }
    }
    let hex = t.strip_prefix('#')?;
    let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
    match hex.len() {
        6 => {
            let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
            Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
        }
        3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        _ => None,
    }
}

/// A colour map: a value in [0, 1] to a colour, by linear interpolation between anchors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Colormap {
    /// The name users pass as `cmap = "…"`.
    pub name: &'static str,
    anchors: &'static [Rgb],
}

/// Matplotlib's viridis at 0, 0.1, …, 1 (perceptually uniform, readable in grey).
const VIRIDIS: &[Rgb] = &[
    Rgb(0x44, 0x01, 0x54),
    Rgb(0x48, 0x24, 0x75),
    Rgb(0x41, 0x44, 0x87),
    Rgb(0x35, 0x5f, 0x8d),
    Rgb(0x2a, 0x78, 0x8e),
    Rgb(0x21, 0x91, 0x8c),
    Rgb(0x22, 0xa8, 0x84),
    Rgb(0x44, 0xbf, 0x70),
    Rgb(0x7a, 0xd1, 0x51),
    Rgb(0xbd, 0xdf, 0x26),
    Rgb(0xfd, 0xe7, 0x25),
];

/// Matplotlib's plasma at 0, 0.25, …, 1.
const PLASMA: &[Rgb] = &[
    Rgb(0x0d, 0x08, 0x87),
    Rgb(0x7e, 0x03, 0xa8),
    Rgb(0xcc, 0x47, 0x78),
    Rgb(0xf8, 0x95, 0x40),
    Rgb(0xf0, 0xf9, 0x21),
];

/// Matplotlib's coolwarm (diverging: blue below the middle, red above) at steps of 1/8.
const COOLWARM: &[Rgb] = &[
    Rgb(59, 76, 192),
    Rgb(98, 130, 234),
    Rgb(141, 176, 254),
    Rgb(184, 208, 249),
    Rgb(221, 221, 221),
    Rgb(245, 196, 173),
    Rgb(244, 154, 123),
    Rgb(222, 96, 77),
    Rgb(180, 4, 38),
];

const GRAY: &[Rgb] = &[Rgb(0, 0, 0), Rgb(255, 255, 255)];
const GRAY_R: &[Rgb] = &[Rgb(255, 255, 255), Rgb(0, 0, 0)];

/// Every colour map, by name.
pub(crate) const COLORMAPS: &[Colormap] = &[
    Colormap { name: "viridis", anchors: VIRIDIS },
    Colormap { name: "plasma", anchors: PLASMA },
    Colormap { name: "coolwarm", anchors: COOLWARM },
    Colormap { name: "gray", anchors: GRAY },
    Colormap { name: "gray_r", anchors: GRAY_R },
];

/// The default map of heat maps, filled contours and surfaces.
pub(crate) const VIRIDIS_MAP: Colormap = Colormap { name: "viridis", anchors: VIRIDIS };

/// Looks a colour map up by name (`grey` is accepted for `gray`).
pub(crate) fn colormap(name: &str) -> Option<Colormap> {
    let n = name.trim().to_ascii_lowercase().replace("grey", "gray");
    COLORMAPS.iter().copied().find(|c| c.name == n)
}

/// The names of all colour maps, for error messages.
pub(crate) fn colormap_names() -> String {
    COLORMAPS.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ")
}

impl Colormap {
    /// The colour at `t` (clamped to [0, 1]; NaN gives the lowest colour).
    pub(crate) fn at(&self, t: f64) -> Rgb {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let n = self.anchors.len();
        if n < 2 {
            return self.anchors.first().copied().unwrap_or(Rgb(0, 0, 0));
        }
        let x = t * (n - 1) as f64;
        let i = (x.floor() as usize).min(n - 2);
        let f = x - i as f64;
        let (a, b) = (self.anchors[i], self.anchors[i + 1]);
        let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
        Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}

/// How values map onto a colour map: `lo` to its first colour, `hi` to its last; with a
/// `center`, `[lo, center]` fills the lower half of the map and `[center, hi]` the upper half
/// (Matplotlib's `TwoSlopeNorm`), so the centre always gets the map's middle colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Norm {
    pub lo: f64,
    pub hi: f64,
    pub center: Option<f64>,
}

impl Norm {
    /// A linear norm from `lo` to `hi`.
    pub(crate) fn linear(lo: f64, hi: f64) -> Norm {
        Norm { lo, hi, center: None }
    }

    /// The position of `v` along the map, in [0, 1] when `v` is in range (NaN stays NaN).
    pub(crate) fn t(&self, v: f64) -> f64 {
        match self.center {
            Some(c) if c > self.lo && c < self.hi => {
                if v <= c {
                    0.5 * (v - self.lo) / (c - self.lo)
                } else {
                    0.5 + 0.5 * (v - c) / (self.hi - c)
                }
            }
            _ => {
                let span = if self.hi > self.lo { self.hi - self.lo } else { 1.0 };
                if self.hi > self.lo {
                    (v - self.lo) / span
                } else {
                    0.5
                }
            }
        }
    }

    /// The colour of `v` through `cmap`.
    pub(crate) fn color(&self, cmap: &Colormap, v: f64) -> Rgb {
        cmap.at(self.t(v))
    }
}

impl Colormap {
    /// Whether the map is diverging: its middle colour is neutral and its ends are opposites,
    /// so it reads best with the middle at zero.
    pub(crate) fn is_diverging(&self) -> bool {
        self.name == "coolwarm"
    }
}
