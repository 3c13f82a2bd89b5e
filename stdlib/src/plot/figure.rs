//! The figure model: figures hold a grid of panels, panels hold series and axis settings.
//! Plot builtins only add to this model; `render` turns it into pixels or SVG.

use super::colormap::{Colormap, Norm, Rgb};

/// A point in data coordinates.
pub(crate) type Pt = (f64, f64);

/// How a line is stroked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
    /// Markers only, no line.
    None,
}

/// One thing drawn in a panel.
#[derive(Clone, Debug)]
pub(crate) enum Series {
    /// A polyline; NaN points break it. `marker` is a marker radius in pixels.
    Line { pts: Vec<Pt>, color: Rgb, width: u32, dash: Dash, marker: Option<u32>, label: Option<String> },
    /// Points, each with its colour; `legend` lists the entries (one per class for `c = labels`).
    Scatter { pts: Vec<Pt>, colors: Vec<Rgb>, radius: u32, legend: Vec<(String, Rgb)> },
    /// Rectangles `[x0, y0, x1, y1]` (bars and histograms).
    Bars { rects: Vec<[f64; 4]>, color: Rgb, label: Option<String> },
    /// Vertical error bars: `(x, y, low, high)`.
    ErrorBars { pts: Vec<(f64, f64, f64, f64)>, color: Rgb, label: Option<String> },
    /// Filled polygons (one per NaN-separated piece).
    Fill { rings: Vec<Vec<Pt>>, color: Rgb, alpha: f64, label: Option<String> },
    /// Arrows from a point by a displacement: `(from, to)`.
    Arrows { arrows: Vec<(Pt, Pt)>, color: Rgb, width: u32, label: Option<String> },
    /// Contour lines: each path with its colour and, when the lines are labelled, its level's
    /// text.
    ContourLines { paths: Vec<ContourPath>, extent: [f64; 4] },
    /// Filled contours: polygons drawn in order (largest first), each with its colour.
    ContourBands { polys: Vec<(Vec<Pt>, Rgb)>, extent: [f64; 4] },
    /// A matrix drawn as coloured cells; row 1 at the top of `extent` `[x0, y0, x1, y1]`.
    Cells { values: nalgebra::DMatrix<f64>, extent: [f64; 4], cmap: Colormap, norm: Norm, annotate: bool },
    /// A surface `z[i][j]` over `xs[j]`, `ys[i]`, drawn in 3-D.
    Surface { xs: Vec<f64>, ys: Vec<f64>, z: nalgebra::DMatrix<f64>, cmap: Colormap, range: (f64, f64) },
}

/// One contour line.
#[derive(Clone, Debug)]
pub(crate) struct ContourPath {
    pub pts: Vec<Pt>,
    pub color: Rgb,
    /// The level's value as written on the line, when the lines are labelled.
    pub label: Option<String>,
}

/// How an axis maps data to distance: evenly, or by powers of ten.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Scale {
    #[default]
    Linear,
    Log,
}

impl Scale {
    /// A data value in axis units: itself, or its base-10 logarithm (0 becomes −∞, which
    /// clipping puts at the bottom of the axis; negative values become NaN, a gap).
    pub(crate) fn apply(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log if v > 0.0 => v.log10(),
            Scale::Log if v == 0.0 => f64::NEG_INFINITY,
            Scale::Log => f64::NAN,
        }
    }
}

/// How a series' extent counts towards automatic limits.
pub(crate) struct Extent {
    pub bbox: [f64; 4],
    /// Data extent to be padded by 5% (lines, points), or shown exactly (images, grids).
    pub pad: bool,
    /// Bars start at zero: do not pad below a minimum of exactly 0.
    pub sticky_zero: bool,
}

impl Series {
    /// The data bounding box `[xmin, ymin, xmax, ymax]` of the finite coordinates, if any.
    pub(crate) fn extent(&self) -> Option<Extent> {
        let from_pts = |it: &mut dyn Iterator<Item = Pt>| -> Option<[f64; 4]> {
            let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
            for (x, y) in it {
                if x.is_finite() && y.is_finite() {
                    b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                }
            }
            (b[0] <= b[2]).then_some(b)
        };
        let padded = |b: Option<[f64; 4]>| b.map(|bbox| Extent { bbox, pad: true, sticky_zero: false });
        match self {
            Series::Line { pts, .. } | Series::Scatter { pts, .. } => padded(from_pts(&mut pts.iter().copied())),
            Series::Bars { rects, .. } => {
                from_pts(&mut rects.iter().flat_map(|r| [(r[0], r[1]), (r[2], r[1]), (r[0], r[3]), (r[2], r[3])]))
                    .map(|bbox| Extent { bbox, pad: true, sticky_zero: true })
            }
            Series::ErrorBars { pts, .. } => {
                padded(from_pts(&mut pts.iter().flat_map(|&(x, y, lo, hi)| [(x, y), (x, lo), (x, hi)])))
            }
            Series::Fill { rings, .. } => padded(from_pts(&mut rings.iter().flatten().copied())),
            Series::Arrows { arrows, .. } => padded(from_pts(&mut arrows.iter().flat_map(|&(a, b)| [a, b]))),
            Series::ContourLines { extent, .. }
            | Series::ContourBands { extent, .. }
            | Series::Cells { extent, .. } => Some(Extent { bbox: *extent, pad: false, sticky_zero: false }),
            Series::Surface { .. } => None,
        }
    }

    /// This series in axis units: every coordinate through `sx` and `sy` (log axes).
    pub(crate) fn in_axis_units(&self, sx: Scale, sy: Scale) -> Series {
        let pt = |p: &Pt| (sx.apply(p.0), sy.apply(p.1));
        let pts = |v: &[Pt]| v.iter().map(pt).collect::<Vec<_>>();
        let ext = |e: &[f64; 4]| [sx.apply(e[0]), sy.apply(e[1]), sx.apply(e[2]), sy.apply(e[3])];
        let mut s = self.clone();
        match &mut s {
            Series::Line { pts: p, .. } | Series::Scatter { pts: p, .. } => *p = pts(p),
            Series::Bars { rects, .. } => {
                for r in rects.iter_mut() {
                    *r = ext(r);
                }
            }
            Series::ErrorBars { pts: p, .. } => {
                for e in p.iter_mut() {
                    *e = (sx.apply(e.0), sy.apply(e.1), sy.apply(e.2), sy.apply(e.3));
                }
            }
            Series::Fill { rings, .. } => {
                for r in rings.iter_mut() {
                    *r = pts(r);
                }
            }
            Series::Arrows { arrows, .. } => {
                for a in arrows.iter_mut() {
                    *a = (pt(&a.0), pt(&a.1));
                }
            }
            Series::ContourLines { paths, extent } => {
                for c in paths.iter_mut() {
                    c.pts = pts(&c.pts);
                }
                *extent = ext(extent);
            }
            Series::ContourBands { polys, extent } => {
                for (r, _) in polys.iter_mut() {
                    *r = pts(r);
                }
                *extent = ext(extent);
            }
            Series::Cells { extent, .. } => *extent = ext(extent),
            Series::Surface { .. } => {}
        }
        s
    }

    /// The smallest value of the series along x (`axis = 0`) or y (`axis = 1`) that a log
    /// axis would have to show, when some is not positive. Bars may start at zero.
    pub(crate) fn non_positive(&self, axis: usize) -> Option<f64> {
        let mut vals: Vec<f64> = Vec::new();
        let c = |p: &Pt| if axis == 0 { p.0 } else { p.1 };
        match self {
            Series::Line { pts, .. } | Series::Scatter { pts, .. } => vals.extend(pts.iter().map(c)),
            Series::Bars { rects, .. } => {
                for r in rects {
                    if axis == 0 {
                        vals.extend([r[0], r[2]]);
                    } else if r[1] < 0.0 {
                        vals.push(r[1]);
                    }
                }
            }
            Series::ErrorBars { pts, .. } => {
                for e in pts {
                    if axis == 0 {
                        vals.push(e.0);
                    } else {
                        vals.extend([e.1, e.2]);
                    }
                }
            }
            Series::Fill { rings, .. } => vals.extend(rings.iter().flatten().map(c)),
            Series::Arrows { arrows, .. } => vals.extend(arrows.iter().flat_map(|a| [c(&a.0), c(&a.1)])),
            Series::ContourLines { extent, .. }
            | Series::ContourBands { extent, .. }
            | Series::Cells { extent, .. } => vals.extend([extent[axis], extent[axis + 2]]),
            Series::Surface { .. } => {}
        }
        vals.into_iter().filter(|v| v.is_finite() && *v <= 0.0).reduce(f64::min)
    }

    /// The legend entries of this series: `(text, colour, kind)`.
    pub(crate) fn legend_entries(&self) -> Vec<(String, Rgb, LegendKind)> {
        match self {
            Series::Line { label: Some(l), color, dash, marker, .. } => {
                let kind =
                    if *dash == Dash::None { LegendKind::Marker } else { LegendKind::Line(*dash, marker.is_some()) };
                vec![(l.clone(), *color, kind)]
            }
            Series::Scatter { legend, .. } => legend.iter().map(|(l, c)| (l.clone(), *c, LegendKind::Marker)).collect(),
            Series::Bars { label: Some(l), color, .. } | Series::Fill { label: Some(l), color, .. } => {
                vec![(l.clone(), *color, LegendKind::Patch)]
            }
            Series::ErrorBars { label: Some(l), color, .. } => vec![(l.clone(), *color, LegendKind::Marker)],
            Series::Arrows { label: Some(l), color, .. } => {
                vec![(l.clone(), *color, LegendKind::Line(Dash::Solid, false))]
            }
            _ => Vec::new(),
        }
    }
}

/// What a legend entry shows next to its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LegendKind {
    /// A short line (with a marker on it when `true`).
    Line(Dash, bool),
    /// A dot.
    Marker,
    /// A filled square.
    Patch,
}

/// A colour bar beside a panel: the map and the value range it spans.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ColorBar {
    pub cmap: Colormap,
    pub norm: Norm,
}

/// Custom tick marks: `(position, text)`.
pub(crate) type Ticks = Vec<(f64, String)>;

/// One set of axes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Panel {
    pub series: Vec<Series>,
    pub title: Option<String>,
    pub xlabel: Option<String>,
    pub ylabel: Option<String>,
    pub xlim: Option<(f64, f64)>,
    pub ylim: Option<(f64, f64)>,
    pub equal: bool,
    /// `Some(false)` hides the legend, `Some(true)` asks for it; by default it shows when
    /// some series has a label.
    pub legend: Option<bool>,
    pub xticks: Option<Ticks>,
    pub yticks: Option<Ticks>,
    pub xscale: Scale,
    pub yscale: Scale,
    /// No axes at all (image grids).
    pub bare: bool,
    pub colorbar: Option<ColorBar>,
    /// How many series took a colour from the cycle.
    pub cycle_used: usize,
}

impl Panel {
    /// The next colour of the cycle.
    pub(crate) fn next_color(&mut self) -> Rgb {
        let c = super::colormap::cycle(self.cycle_used);
        self.cycle_used += 1;
        c
    }

    /// Whether this panel is drawn in 3-D.
    pub(crate) fn is_3d(&self) -> bool {
        self.series.iter().any(|s| matches!(s, Series::Surface { .. }))
    }

    /// The axis limits `(x0, x1, y0, y1)` of `series` (this panel's series in axis units):
    /// the user's limits, else the data's, padded; in axis units (logarithms on log axes).
    pub(crate) fn limits(&self, series: &[Series]) -> (f64, f64, f64, f64) {
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        let mut pad = false;
        let mut sticky = false;
        for e in series.iter().filter_map(Series::extent) {
            b = [b[0].min(e.bbox[0]), b[1].min(e.bbox[1]), b[2].max(e.bbox[2]), b[3].max(e.bbox[3])];
            pad |= e.pad;
            sticky |= e.sticky_zero;
        }
        if b[0] > b[2] {
            b = [0.0, 0.0, 1.0, 1.0];
        }
        let (mut x0, mut x1) = widen(b[0], b[2]);
        let (mut y0, mut y1) = widen(b[1], b[3]);
        if pad {
            let (dx, dy) = ((x1 - x0) * 0.05, (y1 - y0) * 0.05);
            x0 -= dx;
            x1 += dx;
            let sticky = sticky && self.yscale == Scale::Linear;
            if !(sticky && b[1] == 0.0) {
                y0 -= dy;
            }
            if !(sticky && b[3] == 0.0) {
                y1 += dy;
            }
        }
        let lim = |l: (f64, f64), s: Scale| (s.apply(l.0), s.apply(l.1));
        let (x0, x1) = self.xlim.map_or((x0, x1), |l| lim(l, self.xscale));
        let (y0, y1) = self.ylim.map_or((y0, y1), |l| lim(l, self.yscale));
        (x0, x1, y0, y1)
    }
}

/// A range of positive width around `[a, b]` (a single value gets ±0.5, or ±5% of itself).
fn widen(a: f64, b: f64) -> (f64, f64) {
    if b > a {
        (a, b)
    } else {
        let d = if a == 0.0 { 0.5 } else { a.abs() * 0.05 };
        (a - d, a + d)
    }
}

/// A figure: a `rows × cols` grid of panels.
#[derive(Clone, Debug)]
pub(crate) struct Figure {
    /// The figure number, as in `mml-plot-<id>.png`.
    pub id: usize,
    /// Size in pixels, when the user chose one.
    pub size: Option<(u32, u32)>,
    pub rows: usize,
    pub cols: usize,
    pub panels: Vec<Panel>,
    /// The selected panel (0-based, row-major).
    pub current: usize,
    /// A title over all panels.
    pub suptitle: Option<String>,
    /// Changed since it was last rendered to a file.
    pub dirty: bool,
    /// Takes no more plots (an image grid): the next plot starts a new figure.
    pub locked: bool,
}

impl Figure {
    /// An empty one-panel figure.
    pub(crate) fn new(id: usize) -> Figure {
        Figure {
            id,
            size: None,
            rows: 1,
            cols: 1,
            panels: vec![Panel::default()],
            current: 0,
            suptitle: None,
            dirty: false,
            locked: false,
        }
    }

    /// The selected panel.
    pub(crate) fn panel(&mut self) -> &mut Panel {
        let i = self.current.min(self.panels.len().saturating_sub(1));
        if self.panels.is_empty() {
            self.panels.push(Panel::default());
        }
        &mut self.panels[i]
    }

    /// Whether nothing has been drawn.
    pub(crate) fn is_empty(&self) -> bool {
        self.panels.iter().all(|p| p.series.is_empty())
    }

    /// The size in pixels: the user's, else 800×600 grown for large grids of panels.
    pub(crate) fn pixel_size(&self) -> (u32, u32) {
        self.size.unwrap_or_else(|| {
            let w = 800.max(420 * self.cols.min(6) as u32);
            let h = 600.max(340 * self.rows.min(6) as u32);
            (w, h)
        })
    }
}

/// "Nice" tick positions covering `[lo, hi]`: steps of 1, 2, 2.5 or 5 times a power of ten,
/// at most about `max_n` of them.
pub(crate) fn nice_ticks(lo: f64, hi: f64, max_n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max_n == 0 {
        return Vec::new();
    }
    let step = nice_step((hi - lo) / max_n as f64);
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    if !(last - first).is_finite() || last - first > 1000.0 {
        return Vec::new();
    }
    let mut ticks = Vec::new();
    let mut k = first;
    while k <= last {
        let v = k * step;
        ticks.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1.0;
    }
    ticks
}

/// The smallest step of 1, 2, 2.5 or 5 × 10^k that is at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw * (1.0 - 1e-9) {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Formats tick values with as many decimals as the step between them needs.
pub(crate) fn format_ticks(ticks: &[f64]) -> Vec<String> {
    let step = ticks.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
    let big = ticks.iter().fold(0f64, |m, t| m.max(t.abs()));
    if big >= 1e6 || (big > 0.0 && big < 1e-4) {
        return ticks.iter().map(|t| format_sci(*t)).collect();
    }
    let decimals = if step.is_finite() && step > 0.0 { (-step.log10().floor()).max(0.0) as usize + 1 } else { 2 };
    ticks.iter().map(|t| trim_number(&format!("{:.*}", decimals.min(12), t))).collect()
}

/// A number in compact scientific notation: `1.5e6`.
fn format_sci(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let s = format!("{v:.3e}");
    match s.split_once('e') {
        Some((m, e)) => format!("{}e{e}", trim_number(m)),
        None => s,
    }
}

/// Drops trailing zeros after a decimal point (and the point), and turns `-0` into `0`.
pub(crate) fn trim_number(s: &str) -> String {
    let t = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s };
    if t == "-0" {
        "0".into()
    } else {
        t.into()
    }
}

/// A short label for a value (legend entries, heat-map annotations): up to 4 significant digits.
pub(crate) fn short_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        return format!("{v:.0}");
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        return format_sci(v);
    }
    let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
    trim_number(&format!("{v:.decimals$}"))
}

/// Ticks of a log axis spanning `[lo, hi]` in axis units (base-10 logarithms): labelled
/// ticks at whole powers of ten (every k-th when more than `max_n` would fit), also at 2 and
/// 5 times them when fewer than two decades show, and unlabelled minor ticks at 2…9 times each
/// decade. Positions are in axis units.
pub(crate) fn log_ticks(lo: f64, hi: f64, max_n: usize) -> (Vec<(f64, String)>, Vec<f64>) {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || hi - lo > 600.0 {
        return (Vec::new(), Vec::new());
    }
    let (first, last) = ((lo - 1e-9).ceil() as i64, (hi + 1e-9).floor() as i64);
    let label = |v: f64| {
        let a = v.abs();
        if (1e-4..1e6).contains(&a) {
            short_number(v)
        } else {
            format_sci(v)
        }
    };
    let decades = (last - first + 1).max(0) as usize;
    let mut major = Vec::new();
    if decades >= 2 {
        let step = decades.div_ceil(max_n.max(2)).max(1) as i64;
        let mut k = first;
        while k <= last {
            major.push((k as f64, label(10f64.powi(k as i32))));
            k += step;
        }
    } else {
        for k in (first - 1)..=(last + 1) {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(k as i32);
                let t = v.log10();
                if t >= lo - 1e-9 && t <= hi + 1e-9 {
                    major.push((t, label(v)));
                }
            }
        }
        if major.len() < 2 {
            // Less than a factor of 2: round numbers in between, placed by their logarithm.
            let ticks = nice_ticks(10f64.powf(lo), 10f64.powf(hi), max_n.clamp(2, 5));
            major = ticks.iter().zip(format_ticks(&ticks)).map(|(v, s)| (v.log10(), s)).collect();
        }
    }
    let mut minor = Vec::new();
    if hi - lo <= 12.0 {
        for k in (first - 1)..=(last + 1) {
            for m in 2..=9 {
                let t = (f64::from(m) * 10f64.powi(k as i32)).log10();
                if t >= lo && t <= hi && !major.iter().any(|(p, _)| (p - t).abs() < 1e-9) {
                    minor.push(t);
                }
            }
        }
    }
    (major, minor)
}
