//! Renders a [`Figure`] with plotters, to PNG (bitmap backend, encoded with `png`) or SVG.
//!
//! 2-D panels are laid out and drawn here in pixel coordinates (ticks, grid, frame, legend,
//! colour bar, series clipped to the axes in data coordinates), so every panel looks the
//! same in both formats; 3-D surfaces use plotters' 3-D chart.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform};

use super::colormap::Rgb;
use super::figure::{
    format_ticks, log_ticks, nice_ticks, short_number, ColorBar, Dash, Figure, LegendKind, Panel, Pt, Scale, Series,
    Ticks,
};
use super::font::{ensure_registered, FAMILY};

/// A rendered PNG: the encoded file and its raw RGB pixels.
pub(crate) struct Png {
    pub bytes: Vec<u8>,
    pub rgb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// How many device pixels per side make one PNG pixel (anti-aliasing by supersampling).
const SUPERSAMPLE: u32 = 2;

/// Renders to PNG.
pub(crate) fn render_png(fig: &Figure) -> Result<Png, String> {
    render_png_at(fig, 1)
}

/// Renders to PNG with `k` pixels per side for each of the figure's pixels (2 for high-DPI
/// screens): the same picture, `k` times as sharp.
pub(crate) fn render_png_at(fig: &Figure, k: u32) -> Result<Png, String> {
    ensure_registered()?;
    let (w, h) = fig.pixel_size();
    let (w, h) = (w * k, h * k);
    let s = SUPERSAMPLE;
    let mut big = vec![255u8; (w * s) as usize * (h * s) as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut big, (w * s, h * s)).into_drawing_area();
        draw_figure(&root, fig, (s * k) as i32, false)?;
        root.present().map_err(de)?;
    }
    let rgb = downsample(&big, w as usize, h as usize, s as usize);
    let bytes = encode_png(&rgb, w, h)?;
    Ok(Png { bytes, rgb, width: w, height: h })
}

/// Averages each `s × s` block of an RGB image `s·w × s·h` into one pixel.
fn downsample(big: &[u8], w: usize, h: usize, s: usize) -> Vec<u8> {
    if s == 1 {
        return big.to_vec();
    }
    let bw = w * s;
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..s {
                    let row = (y * s + dy) * bw;
                    for dx in 0..s {
                        sum += u32::from(big[(row + x * s + dx) * 3 + c]);
                    }
                }
                out[(y * w + x) * 3 + c] = ((sum + (s * s / 2) as u32) / (s * s) as u32) as u8;
            }
        }
    }
    out
}

/// Renders to SVG text.
pub(crate) fn render_svg(fig: &Figure) -> Result<String, String> {
    ensure_registered()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, fig.pixel_size()).into_drawing_area();
        draw_figure(&root, fig, 1, true)?;
        root.present().map_err(de)?;
    }
    Ok(out)
}

/// Encodes 8-bit RGB pixels as a PNG file.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| format!("PNG encoding failed: {e}"))?;
    writer.write_image_data(rgb).map_err(|e| format!("PNG encoding failed: {e}"))?;
    writer.finish().map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(bytes)
}

fn de<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

// Font sizes as plotters takes them (it draws an em of size / 1.24 pixels in SVG).
const TICK_FONT: f64 = 16.0;
const LABEL_FONT: f64 = 18.0;
const TITLE_FONT: f64 = 22.0;
const SUPTITLE_FONT: f64 = 25.0;
const FRAME: Rgb = Rgb(60, 60, 60);
const GRID: Rgb = Rgb(228, 228, 228);
const TEXT: Rgb = Rgb(20, 20, 20);

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn stroke(c: Rgb, width: u32) -> ShapeStyle {
    ShapeStyle { color: rgb(c).to_rgba(), filled: false, stroke_width: width }
}

fn filled(c: Rgb) -> ShapeStyle {
    ShapeStyle { color: rgb(c).to_rgba(), filled: true, stroke_width: 0 }
}

fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal)
}

fn text_style(size: f64, color: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle { font: font(size), color: rgb(color).to_backend_color(), pos: Pos::new(h, v) }
}

/// The drawing surface: the whole image, addressed in logical pixels. PNGs are drawn at
/// `scale` times the size and averaged down (anti-aliasing), so every coordinate, width and
/// font size is multiplied by `scale` here.
struct Canvas<'a, DB: DrawingBackend> {
    root: &'a DrawingArea<DB, Shift>,
    scale: i32,
    /// Drawing SVG (the viewer strokes lines itself).
    vector: bool,
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    fn at(&self, (x, y): (i32, i32)) -> (i32, i32) {
        (x * self.scale, y * self.scale)
    }

    fn all(&self, pts: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
        pts.into_iter().map(|p| self.at(p)).collect()
    }

    fn style(&self, style: ShapeStyle) -> ShapeStyle {
        ShapeStyle { stroke_width: style.stroke_width * self.scale as u32, ..style }
    }

    fn size(&self, size: f64) -> f64 {
        size * f64::from(self.scale)
    }

    fn text_width(&self, s: &str, size: f64) -> i32 {
        let style = text_style(self.size(size), TEXT, HPos::Left, VPos::Top);
        let w = self.root.estimate_text_size(s, &style).map(|(w, _)| w as i32);
        w.map(|w| w / self.scale).unwrap_or((s.len() as f64 * size * 0.6) as i32)
    }

    fn text(&self, s: &str, at: (i32, i32), size: f64, color: Rgb, h: HPos, v: VPos) -> Result<(), String> {
        if s.is_empty() {
            return Ok(());
        }
        self.root.draw_text(s, &text_style(self.size(size), color, h, v), self.at(at)).map_err(de)
    }

    fn vertical_text(&self, s: &str, at: (i32, i32), size: f64) -> Result<(), String> {
        if s.is_empty() {
            return Ok(());
        }
        let style = TextStyle {
            font: font(self.size(size)).transform(FontTransform::Rotate270),
            color: rgb(TEXT).to_backend_color(),
            pos: Pos::new(HPos::Center, VPos::Center),
        };
        self.root.draw_text(s, &style, self.at(at)).map_err(de)
    }

    fn path(&self, pts: Vec<(i32, i32)>, style: ShapeStyle) -> Result<(), String> {
        self.root.draw(&PathElement::new(self.all(pts), self.style(style))).map_err(de)
    }

    fn dashed(&self, pts: Vec<(i32, i32)>, dash: i32, gap: i32, style: ShapeStyle) -> Result<(), String> {
        let (dash, gap) = (dash * self.scale, gap * self.scale);
        self.root.draw(&DashedPathElement::new(self.all(pts), dash, gap, self.style(style))).map_err(de)
    }

    fn rect(&self, a: (i32, i32), b: (i32, i32), style: ShapeStyle) -> Result<(), String> {
        // A filled rectangle covers [a, b) (the far edge is not included), so cells that
        // share an edge neither overlap nor leave a seam.
        let (a, b) = (self.at(a), self.at(b));
        self.root.draw(&Rectangle::new([a, b], self.style(style))).map_err(de)
    }

    /// A point in logical pixels (fractional) to device pixels, keeping sub-pixel precision.
    fn dev(&self, (x, y): (f64, f64)) -> (i32, i32) {
        let k = f64::from(self.scale);
        ((x * k).round() as i32, (y * k).round() as i32)
    }

    /// A polyline through points in logical pixels (fractional), drawn at device precision.
    /// Wide lines in a bitmap are drawn segment by segment, each a rectangle, with a disc at
    /// every joint (round joins): plotters' own wide paths join segments with unlimited
    /// miters, which shoot far past a point where the line turns back on itself.
    fn path_f(&self, pts: &[(f64, f64)], style: ShapeStyle) -> Result<(), String> {
        let width = style.stroke_width * self.scale as u32;
        if self.vector || width <= 1 {
            let pts: Vec<(i32, i32)> = pts.iter().map(|p| self.dev(*p)).collect();
            return self.root.draw(&PathElement::new(pts, self.style(style))).map_err(de);
        }
        let k = f64::from(self.scale);
        let half = f64::from(width) / 2.0;
        let fill = ShapeStyle { filled: true, stroke_width: 0, ..style };
        let dev: Vec<(f64, f64)> = pts.iter().map(|p| (p.0 * k, p.1 * k)).collect();
        for (i, w) in dev.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1);
            if len > 0.0 {
                let (nx, ny) = (-(b.1 - a.1) / len * half, (b.0 - a.0) / len * half);
                let quad = [(a.0 + nx, a.1 + ny), (b.0 + nx, b.1 + ny), (b.0 - nx, b.1 - ny), (a.0 - nx, a.1 - ny)];
                let quad: Vec<(i32, i32)> = quad.iter().map(|p| (p.0.round() as i32, p.1.round() as i32)).collect();
                self.root.draw(&Polygon::new(quad, fill)).map_err(de)?;
            }
            if i + 2 < dev.len() {
                let at = (b.0.round() as i32, b.1.round() as i32);
                self.root.draw(&Circle::new(at, (half - 0.25).max(0.5).round() as u32, fill)).map_err(de)?;
            }
        }
        Ok(())
    }

    fn dashed_f(&self, pts: &[(f64, f64)], dash: i32, gap: i32, style: ShapeStyle) -> Result<(), String> {
        let pts: Vec<(i32, i32)> = pts.iter().map(|p| self.dev(*p)).collect();
        let (dash, gap) = (dash * self.scale, gap * self.scale);
        self.root.draw(&DashedPathElement::new(pts, dash, gap, self.style(style))).map_err(de)
    }

    fn polygon_f(&self, pts: &[(f64, f64)], style: ShapeStyle) -> Result<(), String> {
        let pts: Vec<(i32, i32)> = pts.iter().map(|p| self.dev(*p)).collect();
        self.root.draw(&Polygon::new(pts, self.style(style))).map_err(de)
    }

    fn circle_f(&self, at: (f64, f64), r: u32, style: ShapeStyle) -> Result<(), String> {
        self.root.draw(&Circle::new(self.dev(at), r * self.scale as u32, self.style(style))).map_err(de)
    }

    fn circle(&self, at: (i32, i32), r: u32, style: ShapeStyle) -> Result<(), String> {
        self.root.draw(&Circle::new(self.at(at), r * self.scale as u32, self.style(style))).map_err(de)
    }
}

/// Data → pixel mapping of one panel's axes.
#[derive(Clone, Copy)]
struct Map {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Map {
    fn fx(&self, x: f64) -> f64 {
        self.left + (x - self.x0) / (self.x1 - self.x0) * (self.right - self.left)
    }

    fn fy(&self, y: f64) -> f64 {
        self.bottom - (y - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)
    }

    fn px(&self, (x, y): Pt) -> (i32, i32) {
        (self.fx(x).round() as i32, self.fy(y).round() as i32)
    }

    /// Data → logical pixels, unrounded.
    fn pf(&self, (x, y): Pt) -> (f64, f64) {
        (self.fx(x), self.fy(y))
    }

    /// Data units per pixel along x and y.
    fn units_per_px(&self) -> (f64, f64) {
        ((self.x1 - self.x0) / (self.right - self.left), (self.y1 - self.y0) / (self.bottom - self.top))
    }

    fn contains(&self, (x, y): Pt) -> bool {
        let (ex, ey) = ((self.x1 - self.x0) * 1e-9, (self.y1 - self.y0) * 1e-9);
        x >= self.x0 - ex && x <= self.x1 + ex && y >= self.y0 - ey && y <= self.y1 + ey
    }
}

fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    scale: i32,
    vector: bool,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    let canvas = Canvas { root, scale, vector };
    let (w, h) = fig.pixel_size();
    let mut top = 0;
    if let Some(t) = &fig.suptitle {
        canvas.text(t, (w as i32 / 2, 10), SUPTITLE_FONT, TEXT, HPos::Center, VPos::Top)?;
        top = 40;
    }
    let rows = fig.rows.max(1);
    let cols = fig.cols.max(1);
    let cell_w = w as f64 / cols as f64;
    let cell_h = (h as f64 - f64::from(top)) / rows as f64;
    for (k, panel) in fig.panels.iter().enumerate() {
        if panel.series.is_empty() && panel.title.is_none() {
            continue;
        }
        let (r, c) = (k / cols, k % cols);
        let rect = (
            (c as f64 * cell_w).round() as i32,
            top + (r as f64 * cell_h).round() as i32,
            ((c + 1) as f64 * cell_w).round() as i32,
            top + ((r + 1) as f64 * cell_h).round() as i32,
        );
        if panel.is_3d() {
            let area = root
                .clone()
                .shrink((rect.0 * scale, rect.1 * scale), ((rect.2 - rect.0) * scale, (rect.3 - rect.1) * scale));
            draw_panel_3d(&area, &canvas, panel, rect)?;
        } else {
            draw_panel(&canvas, panel, rect)?;
        }
    }
    Ok(())
}

/// Draws a 2-D panel inside the pixel rectangle `(x0, y0, x1, y1)`.
fn draw_panel<DB: DrawingBackend>(cv: &Canvas<DB>, p: &Panel, rect: (i32, i32, i32, i32)) -> Result<(), String> {
    // Log axes: everything is drawn in axis units (logarithms), where the mapping is linear.
    let (sx, sy) = (p.xscale, p.yscale);
    let logs = sx == Scale::Log || sy == Scale::Log;
    let transformed: Vec<Series>;
    let series: &[Series] = if logs {
        transformed = p.series.iter().map(|s| s.in_axis_units(sx, sy)).collect();
        &transformed
    } else {
        &p.series
    };
    let (mut x0, mut x1, mut y0, mut y1) = p.limits(series);
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let custom = |t: &Option<Ticks>, s: Scale| {
        t.as_ref().map(|t| t.iter().map(|(v, l)| (s.apply(*v), l.clone())).filter(|(v, _)| v.is_finite()).collect())
    };
    let (custom_x, custom_y): (Option<Ticks>, Option<Ticks>) = (custom(&p.xticks, sx), custom(&p.yticks, sy));
    // Margins: title on top, tick labels and axis labels left and below, colour bar right.
    let (ticks_x, ticks_y) = (p.xticks.is_some(), p.yticks.is_some());
    let bare = p.bare;
    let title_h = if p.title.is_some() {
        if bare {
            22
        } else {
            32
        }
    } else if bare {
        4
    } else {
        12
    };
    let xlabel_h = if p.xlabel.is_some() { 24 } else { 0 };
    let ylabel_w = if p.ylabel.is_some() { 24 } else { 0 };
    let cbar_w = match &p.colorbar {
        Some(cb) => {
            14 + 18
                + 8
                + colorbar_ticks(cb, 300).iter().map(|(_, s)| cv.text_width(s, TICK_FONT)).max().unwrap_or(0)
                + 8
        }
        None => 0,
    };
    // Provisional y ticks, to measure the widest label.
    let approx_h = (rect.3 - rect.1 - title_h - 30 - xlabel_h).max(40);
    let (y_ticks_guess, _) = axis_ticks(&custom_y, sy, y0, y1, y_tick_count(approx_h));
    let ytick_w = y_ticks_guess.iter().map(|(_, s)| cv.text_width(s, TICK_FONT)).max().unwrap_or(0);
    let (mut left, mut right, mut top, mut bottom) = if bare {
        (rect.0 + 4, rect.2 - 4 - cbar_w, rect.1 + title_h, rect.3 - 4)
    } else {
        (
            rect.0 + 10 + ylabel_w + ytick_w + TICK_LEN + TICK_GAP + 2,
            rect.2 - 22 - cbar_w,
            rect.1 + title_h,
            rect.3 - 10 - xlabel_h - (TICK_FONT as i32 + TICK_LEN + TICK_GAP),
        )
    };
    if right - left < 10 || bottom - top < 10 {
        return Ok(());
    }
    // Images keep square pixels by shrinking the box around them, not by widening the limits.
    let image_only = !series.is_empty() && series.iter().all(|s| matches!(s, Series::Cells { .. }));
    if p.equal && image_only {
        let (w, h) = (f64::from(right - left), f64::from(bottom - top));
        let aspect = (x1 - x0) / (y1 - y0);
        if w / h > aspect {
            let nw = (h * aspect).round() as i32;
            left += (right - left - nw) / 2;
            right = left + nw;
        } else {
            let nh = (w / aspect).round() as i32;
            let shift = (bottom - top - nh) / 2;
            top += shift;
            bottom = top + nh;
        }
    }
    let mut map = Map {
        x0,
        x1,
        y0,
        y1,
        left: f64::from(left),
        right: f64::from(right),
        top: f64::from(top),
        bottom: f64::from(bottom),
    };
    if p.equal && !image_only {
        let (ux, uy) = map.units_per_px();
        if ux < uy {
            let half = uy * (map.right - map.left) / 2.0;
            let mid = (x0 + x1) / 2.0;
            (x0, x1) = (mid - half, mid + half);
        } else if uy < ux {
            let half = ux * (map.bottom - map.top) / 2.0;
            let mid = (y0 + y1) / 2.0;
            (y0, y1) = (mid - half, mid + half);
        }
        // Shrink the box to the data when the limits are images (no padding wanted).
        map = Map { x0, x1, y0, y1, ..map };
    }
    let (xt, xminor) = axis_ticks(&custom_x, sx, x0, x1, ((right - left) / 70).max(3) as usize);
    let (yt, yminor) = axis_ticks(&custom_y, sy, y0, y1, y_tick_count(bottom - top));
    // Custom ticks (bar names, matrix indices) are thinned until their labels fit.
    let label_w = xt.iter().map(|(_, s)| cv.text_width(s, TICK_FONT)).max().unwrap_or(0) + 10;
    let xt = thin(xt, (right - left) / label_w.max(1));
    let yt = thin(yt, (bottom - top) / (TICK_FONT as i32 + 6));

    // Grid.
    if !bare {
        for (t, _) in &xt {
            let x = map.fx(*t).round() as i32;
            cv.path(vec![(x, top), (x, bottom)], stroke(GRID, 1))?;
        }
        for (t, _) in &yt {
            let y = map.fy(*t).round() as i32;
            cv.path(vec![(left, y), (right, y)], stroke(GRID, 1))?;
        }
        if x0 < 0.0 && x1 > 0.0 && !ticks_x && sx == Scale::Linear {
            let x = map.fx(0.0).round() as i32;
            cv.path(vec![(x, top), (x, bottom)], stroke(Rgb(190, 190, 190), 1))?;
        }
        if y0 < 0.0 && y1 > 0.0 && !ticks_y && sy == Scale::Linear {
            let y = map.fy(0.0).round() as i32;
            cv.path(vec![(left, y), (right, y)], stroke(Rgb(190, 190, 190), 1))?;
        }
    }

    let mut placed = Vec::new();
    for s in series {
        draw_series(cv, &map, s, &mut placed)?;
    }
    // Nothing drawn for the data shows outside the axes: wide lines, markers and line joins
    // near the edges are cut at the frame.
    let white = filled(Rgb(255, 255, 255));
    cv.rect((rect.0, rect.1), (rect.2, top), white)?;
    cv.rect((rect.0, bottom + 1), (rect.2, rect.3), white)?;
    cv.rect((rect.0, top), (left, bottom + 1), white)?;
    cv.rect((right + 1, top), (rect.2, bottom + 1), white)?;

    if bare {
        cv.rect((left - 1, top - 1), (right, bottom), stroke(Rgb(200, 200, 200), 1))?;
    } else {
        cv.rect((left, top), (right, bottom), stroke(FRAME, 1))?;
        for (t, s) in &xt {
            let x = map.fx(*t).round() as i32;
            cv.path(vec![(x, bottom), (x, bottom + TICK_LEN)], stroke(FRAME, 1))?;
            cv.text(s, (x, bottom + TICK_LEN + TICK_GAP), TICK_FONT, TEXT, HPos::Center, VPos::Top)?;
        }
        for t in &xminor {
            let x = map.fx(*t).round() as i32;
            cv.path(vec![(x, bottom), (x, bottom + TICK_LEN / 2 + 1)], stroke(FRAME, 1))?;
        }
        for (t, s) in &yt {
            let y = map.fy(*t).round() as i32;
            cv.path(vec![(left - TICK_LEN, y), (left, y)], stroke(FRAME, 1))?;
            cv.text(s, (left - TICK_LEN - TICK_GAP, y), TICK_FONT, TEXT, HPos::Right, VPos::Center)?;
        }
        for t in &yminor {
            let y = map.fy(*t).round() as i32;
            cv.path(vec![(left - TICK_LEN / 2 - 1, y), (left, y)], stroke(FRAME, 1))?;
        }
        if let Some(l) = &p.xlabel {
            cv.text(l, ((left + right) / 2, rect.3 - 8), LABEL_FONT, TEXT, HPos::Center, VPos::Bottom)?;
        }
        if let Some(l) = &p.ylabel {
            cv.vertical_text(l, (rect.0 + 10 + 9, (top + bottom) / 2), LABEL_FONT)?;
        }
    }
    if let Some(t) = &p.title {
        let size = if bare { TICK_FONT } else { TITLE_FONT };
        cv.text(t, ((left + right) / 2, top - 6), size, TEXT, HPos::Center, VPos::Bottom)?;
    }
    draw_legend(cv, &map, p, series)?;
    if let Some(cb) = &p.colorbar {
        let (bx0, bx1) = (right + 14, right + 32);
        let steps = 128;
        let (lo, hi) = (cb.norm.lo, cb.norm.hi);
        for k in 0..steps {
            let ya = bottom - ((bottom - top) * k) / steps;
            let yb = bottom - ((bottom - top) * (k + 1)) / steps;
            let c = cb.cmap.at((k as f64 + 0.5) / steps as f64);
            cv.rect((bx0, yb), (bx1, ya), filled(c))?;
        }
        cv.rect((bx0, top), (bx1, bottom), stroke(FRAME, 1))?;
        if hi > lo {
            for (v, s) in colorbar_ticks(cb, bottom - top) {
                let t = cb.norm.t(v);
                let y = bottom - (t * f64::from(bottom - top)).round() as i32;
                cv.path(vec![(bx1, y), (bx1 + TICK_LEN, y)], stroke(FRAME, 1))?;
                cv.text(&s, (bx1 + TICK_LEN + TICK_GAP, y), TICK_FONT, TEXT, HPos::Left, VPos::Center)?;
            }
        }
    }
    Ok(())
}

/// Tick marks' length and the gap between a mark and its label, in pixels.
const TICK_LEN: i32 = 5;
const TICK_GAP: i32 = 4;

/// How many y ticks an axis `h` pixels tall takes, at most.
fn y_tick_count(h: i32) -> usize {
    (h / 50).max(3) as usize
}

/// The values and labels of a colour bar `h` pixels tall: round numbers within its range
/// (the centre of a centred map among them).
fn colorbar_ticks(cb: &ColorBar, h: i32) -> Vec<(f64, String)> {
    let (lo, hi) = (cb.norm.lo, cb.norm.hi);
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Vec::new();
    }
    let ticks = nice_ticks(lo, hi, (h / 60).max(2) as usize);
    ticks.iter().copied().zip(format_ticks(&ticks)).collect()
}

/// The ticks of one axis, in axis units: the custom ones when given, else round numbers (or
/// powers of ten on a log axis, with minor ticks).
fn axis_ticks(custom: &Option<Ticks>, scale: Scale, lo: f64, hi: f64, max_n: usize) -> (Ticks, Vec<f64>) {
    match (custom, scale) {
        (Some(_), _) | (None, Scale::Linear) => (tick_list(custom, lo, hi, max_n), Vec::new()),
        (None, Scale::Log) => log_ticks(lo, hi, max_n),
    }
}

/// Every k-th tick, so that at most `room` remain (and at least the first).
fn thin(ticks: Vec<(f64, String)>, room: i32) -> Vec<(f64, String)> {
    let room = room.max(1) as usize;
    if ticks.len() <= room {
        return ticks;
    }
    let k = ticks.len().div_ceil(room);
    ticks.into_iter().step_by(k).collect()
}

/// The ticks to draw: the panel's own, or nice numbers with formatted labels.
fn tick_list(custom: &Option<Vec<(f64, String)>>, lo: f64, hi: f64, max_n: usize) -> Vec<(f64, String)> {
    match custom {
        Some(t) => t.iter().filter(|(v, _)| *v >= lo && *v <= hi).cloned().collect(),
        None => {
            let ticks = nice_ticks(lo, hi, max_n);
            let labels = format_ticks(&ticks);
            ticks.into_iter().zip(labels).collect()
        }
    }
}

/// Draws one series; `placed` collects the boxes of contour labels already written.
fn draw_series<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    map: &Map,
    s: &Series,
    placed: &mut Vec<(i32, i32, i32, i32)>,
) -> Result<(), String> {
    match s {
        Series::Line { pts, color, width, dash, marker, .. } => {
            if *dash != Dash::None {
                for run in clip_polyline(pts, map) {
                    let px: Vec<(f64, f64)> = run.iter().map(|p| map.pf(*p)).collect();
                    let st = stroke(*color, *width);
                    match dash {
                        Dash::Dashed => cv.dashed_f(&px, 9, 6, st)?,
                        Dash::Dotted => cv.dashed_f(&px, 2, 4, st)?,
                        _ => cv.path_f(&px, st)?,
                    }
                }
            }
            if let Some(r) = marker {
                for p in pts.iter().filter(|p| map.contains(**p)) {
                    cv.circle_f(map.pf(*p), *r, filled(*color))?;
                }
            }
        }
        Series::Scatter { pts, colors, radius, .. } => {
            for (p, c) in pts.iter().zip(colors) {
                if map.contains(*p) {
                    cv.circle_f(map.pf(*p), *radius, filled(*c))?;
                }
            }
        }
        Series::Bars { rects, color, .. } => {
            for r in rects {
                let Some([a, b, c, d]) = clip_rect(*r, map) else { continue };
                let (p, q) = (map.px((a, b)), map.px((c, d)));
                cv.rect(p, q, filled(*color))?;
                if (q.0 - p.0).abs() >= 6 {
                    cv.rect(p, q, stroke(color.lighten(0.75), 1))?;
                }
            }
        }
        Series::ErrorBars { pts, color, .. } => {
            for &(x, y, lo, hi) in pts {
                for run in clip_polyline(&[(x, lo), (x, hi)], map) {
                    let px: Vec<(i32, i32)> = run.iter().map(|p| map.px(*p)).collect();
                    cv.path(px, stroke(*color, 2))?;
                }
                for v in [lo, hi] {
                    if map.contains((x, v)) {
                        let (cx, cy) = map.px((x, v));
                        cv.path(vec![(cx - 5, cy), (cx + 5, cy)], stroke(*color, 2))?;
                    }
                }
                if map.contains((x, y)) {
                    cv.circle(map.px((x, y)), 4, filled(*color))?;
                }
            }
        }
        Series::Fill { rings, color, alpha, .. } => {
            for ring in rings {
                let clipped = clip_polygon(ring, map);
                if clipped.len() < 3 {
                    continue;
                }
                let px: Vec<(f64, f64)> = clipped.iter().map(|p| map.pf(*p)).collect();
                cv.polygon_f(&px, filled(color.lighten(1.0 - alpha.clamp(0.0, 1.0))))?;
                let mut outline = px;
                if let Some(&first) = outline.first() {
                    outline.push(first);
                }
                cv.path_f(&outline, stroke(*color, 2))?;
            }
        }
        Series::Arrows { arrows, color, width, .. } => {
            for &(a, b) in arrows {
                draw_arrow(cv, map, a, b, *color, *width)?;
            }
        }
        Series::ContourLines { paths, .. } => {
            let mut runs_px = Vec::new();
            for path in paths {
                for run in clip_polyline(&path.pts, map) {
                    let px: Vec<(f64, f64)> = run.iter().map(|p| map.pf(*p)).collect();
                    cv.path_f(&px, stroke(path.color, 2))?;
                    if let Some(label) = &path.label {
                        runs_px.push((px, label, path.color));
                    }
                }
            }
            // Labels after all lines, each on a white box over its line where it does not
            // cover another label; the longest lines are labelled first.
            runs_px.sort_by(|a, b| polyline_length(&b.0).total_cmp(&polyline_length(&a.0)));
            for (px, label, color) in runs_px {
                draw_contour_label(cv, &px, label, color, placed)?;
            }
        }
        Series::ContourBands { polys, .. } => {
            for (ring, c) in polys {
                let clipped = clip_polygon(ring, map);
                if clipped.len() < 3 {
                    continue;
                }
                let px: Vec<(f64, f64)> = clipped.iter().map(|p| map.pf(*p)).collect();
                cv.polygon_f(&px, filled(*c))?;
                let mut outline = px;
                if let Some(&first) = outline.first() {
                    outline.push(first);
                }
                cv.path_f(&outline, stroke(*c, 1))?;
            }
        }
        Series::Cells { values, extent, cmap, norm, .. } if cells_finer_than_pixels(values, extent, map) => {
            // More cells than pixels: colour each pixel by the cell under its centre.
            let (m, n) = values.shape();
            let (px0, px1) =
                (map.fx(extent[0].max(map.x0)).floor() as i32, map.fx(extent[2].min(map.x1)).ceil() as i32);
            let (py0, py1) =
                (map.fy(extent[3].min(map.y1)).floor() as i32, map.fy(extent[1].max(map.y0)).ceil() as i32);
            for py in py0..py1 {
                // Runs of equal colour along the row become one rectangle.
                let mut run: Option<(i32, Rgb)> = None;
                for px in px0..=px1 {
                    let color = (px < px1).then(|| {
                        let (x, y) = unmap(map, (f64::from(px) + 0.5, f64::from(py) + 0.5));
                        let j = ((x - extent[0]) / (extent[2] - extent[0]) * n as f64).floor();
                        let i = ((extent[3] - y) / (extent[3] - extent[1]) * m as f64).floor();
                        let inside = i >= 0.0 && j >= 0.0 && i < m as f64 && j < n as f64;
                        let v = if inside { values[(i as usize, j as usize)] } else { f64::NAN };
                        (!v.is_nan()).then(|| norm.color(cmap, v))
                    });
                    let color = color.flatten();
                    if run.map(|r| Some(r.1)) != Some(color) {
                        if let Some((start, c)) = run {
                            cv.rect((start, py), (px, py + 1), filled(c))?;
                        }
                        run = color.map(|c| (px, c));
                    }
                }
            }
        }
        Series::Cells { values, extent, cmap, norm, annotate } => {
            let (m, n) = values.shape();
            let (cw, ch) = ((extent[2] - extent[0]) / n as f64, (extent[3] - extent[1]) / m as f64);
            for i in 0..m {
                for j in 0..n {
                    let v = values[(i, j)];
                    if v.is_nan() {
                        continue;
                    }
                    let r = [
                        extent[0] + j as f64 * cw,
                        extent[3] - (i + 1) as f64 * ch,
                        extent[0] + (j + 1) as f64 * cw,
                        extent[3] - i as f64 * ch,
                    ];
                    let Some([a, b, c, d]) = clip_rect(r, map) else { continue };
                    let color = norm.color(cmap, v);
                    let (p, q) = (map.px((a, d)), map.px((c, b)));
                    // Cells share edges: extend by one pixel so no seams show.
                    cv.rect(p, (q.0.max(p.0 + 1), q.1.max(p.1 + 1)), filled(color))?;
                    if *annotate {
                        let text = short_number(v);
                        let cell_px = (q.0 - p.0, q.1 - p.1);
                        let size = (f64::from(cell_px.1) * 0.4).clamp(10.0, TICK_FONT);
                        if cv.text_width(&text, size) + 4 <= cell_px.0 && f64::from(cell_px.1) >= size {
                            let ink = if color.luminance() > 0.5 { Rgb(0, 0, 0) } else { Rgb(255, 255, 255) };
                            cv.text(&text, ((p.0 + q.0) / 2, (p.1 + q.1) / 2), size, ink, HPos::Center, VPos::Center)?;
                        }
                    }
                }
            }
        }
        Series::Surface { .. } => {}
    }
    Ok(())
}

/// The length of a polyline in pixels.
fn polyline_length(px: &[(f64, f64)]) -> f64 {
    px.windows(2).map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1)).sum()
}

/// The point at distance `d` along a polyline, and the direction of the line there.
fn point_along(px: &[(f64, f64)], mut d: f64) -> Option<((f64, f64), (f64, f64))> {
    for w in px.windows(2) {
        let len = (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
        if len > 0.0 && d <= len {
            let t = d / len;
            let at = (w[0].0 + (w[1].0 - w[0].0) * t, w[0].1 + (w[1].1 - w[0].1) * t);
            return Some((at, ((w[1].0 - w[0].0) / len, (w[1].1 - w[0].1) / len)));
        }
        d -= len;
    }
    None
}

/// Font size of contour labels.
const CLABEL_FONT: f64 = 13.0;

/// Writes a contour level's value on its line: at the middle of the line, else a quarter or
/// three quarters along it, wherever its box covers no other label; lines too short for
/// their text stay unlabelled.
fn draw_contour_label<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    px: &[(f64, f64)],
    label: &str,
    color: Rgb,
    placed: &mut Vec<(i32, i32, i32, i32)>,
) -> Result<(), String> {
    let len = polyline_length(px);
    let (w, h) = (cv.text_width(label, CLABEL_FONT) + 6, CLABEL_FONT as i32);
    if len < f64::from(w) * 2.5 {
        return Ok(());
    }
    for f in [0.5, 0.25, 0.75] {
        let Some((at, _)) = point_along(px, len * f) else { continue };
        let (cx, cy) = (at.0.round() as i32, at.1.round() as i32);
        let b = (cx - w / 2, cy - h / 2, cx + w / 2 + 1, cy + h / 2 + 1);
        let overlaps = placed.iter().any(|o| b.0 < o.2 + 4 && o.0 < b.2 + 4 && b.1 < o.3 + 4 && o.1 < b.3 + 4);
        if overlaps {
            continue;
        }
        placed.push(b);
        cv.rect((b.0, b.1), (b.2, b.3), filled(Rgb(255, 255, 255)))?;
        let ink = if color.luminance() > 0.6 { TEXT } else { color };
        cv.text(label, (cx, cy), CLABEL_FONT, ink, HPos::Center, VPos::Center)?;
        return Ok(());
    }
    Ok(())
}

/// Whether a matrix drawn over `extent` has more cells than the pixels it covers.
fn cells_finer_than_pixels(values: &nalgebra::DMatrix<f64>, extent: &[f64; 4], map: &Map) -> bool {
    let w = (map.fx(extent[2]) - map.fx(extent[0])).abs();
    let h = (map.fy(extent[1]) - map.fy(extent[3])).abs();
    values.ncols() as f64 > w || values.nrows() as f64 > h
}

/// A shaft from `a` to `b` with a filled head at `b`, sized in pixels.
fn draw_arrow<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    map: &Map,
    a: Pt,
    b: Pt,
    color: Rgb,
    width: u32,
) -> Result<(), String> {
    let (ax, ay) = (map.fx(a.0), map.fy(a.1));
    let (bx, by) = (map.fx(b.0), map.fy(b.1));
    let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
    if !len.is_finite() || len < 0.5 {
        return Ok(());
    }
    let head = (6.0 + 3.0 * f64::from(width)).min(len * 0.45);
    let (ux, uy) = ((bx - ax) / len, (by - ay) / len);
    let base = (bx - ux * head, by - uy * head);
    let half = head * 0.45;
    for run in clip_polyline(&[a, unmap(map, base)], map) {
        let px: Vec<(f64, f64)> = run.iter().map(|p| map.pf(*p)).collect();
        cv.path_f(&px, stroke(color, width))?;
    }
    if map.contains(b) {
        let pts = [(bx, by), (base.0 - uy * half, base.1 + ux * half), (base.0 + uy * half, base.1 - ux * half)];
        cv.polygon_f(&pts, filled(color))?;
    }
    Ok(())
}

/// Pixel → data.
fn unmap(map: &Map, (x, y): (f64, f64)) -> Pt {
    (
        map.x0 + (x - map.left) / (map.right - map.left) * (map.x1 - map.x0),
        map.y0 + (map.bottom - y) / (map.bottom - map.top) * (map.y1 - map.y0),
    )
}

/// Draws the legend in the corner of the axes that hides the fewest data points.
fn draw_legend<DB: DrawingBackend>(cv: &Canvas<DB>, map: &Map, p: &Panel, series: &[Series]) -> Result<(), String> {
    let entries: Vec<_> = series.iter().flat_map(Series::legend_entries).collect();
    if entries.is_empty() || p.legend == Some(false) {
        return Ok(());
    }
    let row_h = 21;
    let text_w = entries.iter().map(|(t, _, _)| cv.text_width(t, TICK_FONT)).max().unwrap_or(0);
    let (w, h) = (text_w + 48, row_h * entries.len() as i32 + 10);
    let (left, right, top, bottom) = (map.left as i32, map.right as i32, map.top as i32, map.bottom as i32);
    let corners =
        [(right - w - 8, top + 8), (left + 8, top + 8), (right - w - 8, bottom - h - 8), (left + 8, bottom - h - 8)];
    let crowd = |(cx, cy): (i32, i32)| -> usize {
        let inside = |q: (i32, i32)| q.0 >= cx - 4 && q.0 <= cx + w + 4 && q.1 >= cy - 4 && q.1 <= cy + h + 4;
        let mut n = 0;
        for s in series {
            match s {
                Series::Line { pts, .. } | Series::Scatter { pts, .. } => {
                    n += dense(pts).filter(|q| map.contains(*q) && inside(map.px(*q))).count()
                }
                Series::Bars { rects, .. } => {
                    n += rects
                        .iter()
                        .filter(|r| {
                            let a = map.px((r[0], r[1]));
                            let b = map.px((r[2], r[3]));
                            a.0.max(b.0) >= cx && a.0.min(b.0) <= cx + w && a.1.min(b.1) <= cy + h && a.1.max(b.1) >= cy
                        })
                        .count()
                        * 50
                }
                Series::Fill { rings, .. } => n += rings.iter().flatten().filter(|q| inside(map.px(**q))).count(),
                _ => {}
            }
        }
        n
    };
    let (lx, ly) = corners.iter().copied().min_by_key(|c| crowd(*c)).unwrap_or(corners[0]);
    cv.rect((lx, ly), (lx + w, ly + h), filled(Rgb(255, 255, 255)))?;
    cv.rect((lx, ly), (lx + w, ly + h), stroke(Rgb(200, 200, 200), 1))?;
    for (k, (text, color, kind)) in entries.iter().enumerate() {
        let cy = ly + 5 + row_h * k as i32 + row_h / 2;
        let (sx0, sx1) = (lx + 8, lx + 34);
        match kind {
            LegendKind::Line(dash, marker) => {
                let st = stroke(*color, 2);
                match dash {
                    Dash::Dashed => cv.dashed(vec![(sx0, cy), (sx1, cy)], 7, 4, st)?,
                    Dash::Dotted => cv.dashed(vec![(sx0, cy), (sx1, cy)], 2, 3, st)?,
                    _ => cv.path(vec![(sx0, cy), (sx1, cy)], st)?,
                }
                if *marker {
                    cv.circle(((sx0 + sx1) / 2, cy), 3, filled(*color))?;
                }
            }
            LegendKind::Marker => cv.circle(((sx0 + sx1) / 2, cy), 5, filled(*color))?,
            LegendKind::Patch => cv.rect((sx0 + 4, cy - 7), (sx1 - 4, cy + 7), filled(*color))?,
        }
        cv.text(text, (lx + 40, cy), TICK_FONT, TEXT, HPos::Left, VPos::Center)?;
    }
    Ok(())
}

/// The points of a polyline, with extra points along long segments (for crowding tests).
fn dense(pts: &[Pt]) -> impl Iterator<Item = Pt> + '_ {
    pts.windows(2)
        .flat_map(|w| {
            (0..8).map(move |k| {
                let t = f64::from(k) / 8.0;
                (w[0].0 + (w[1].0 - w[0].0) * t, w[0].1 + (w[1].1 - w[0].1) * t)
            })
        })
        .chain(pts.iter().copied())
}

/// A 3-D surface panel, through plotters' 3-D chart.
fn draw_panel_3d<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cv: &Canvas<DB>,
    p: &Panel,
    rect: (i32, i32, i32, i32),
) -> Result<(), String> {
    let Some(Series::Surface { xs, ys, z, cmap, range }) =
        p.series.iter().find(|s| matches!(s, Series::Surface { .. }))
    else {
        return Ok(());
    };
    let (xa, xb) = (xs.first().copied().unwrap_or(0.0), xs.last().copied().unwrap_or(1.0));
    let (ya, yb) = (ys.first().copied().unwrap_or(0.0), ys.last().copied().unwrap_or(1.0));
    let (za, zb) = if range.1 > range.0 { *range } else { (range.0 - 0.5, range.0 + 0.5) };
    let title_h = if p.title.is_some() { 34 } else { 10 };
    if let Some(t) = &p.title {
        cv.text(t, ((rect.0 + rect.2) / 2, rect.1 + 8), TITLE_FONT, TEXT, HPos::Center, VPos::Top)?;
    }
    let k = cv.scale;
    let inner = area.margin(title_h * k, 10 * k, 10 * k, 10 * k);
    let mut chart = ChartBuilder::on(&inner)
        .margin(10 * k)
        .build_cartesian_3d(xa.min(xb)..xa.max(xb), za..zb, ya.min(yb)..ya.max(yb))
        .map_err(de)?;
    chart.with_projection(|mut pb| {
        pb.yaw = 0.6;
        pb.pitch = 0.35;
        pb.scale = 0.85;
        pb.into_matrix()
    });
    chart
        .configure_axes()
        .label_style(text_style(cv.size(TICK_FONT - 1.0), TEXT, HPos::Center, VPos::Center))
        .light_grid_style(cv.style(stroke(GRID, 1)))
        .bold_grid_style(cv.style(stroke(Rgb(200, 200, 200), 1)))
        .axis_panel_style(RGBColor(246, 246, 246).filled())
        .max_light_lines(3)
        .draw()
        .map_err(de)?;
    // Quads, painted from the farthest to the nearest.
    let (m, n) = z.shape();
    let scale = if zb > za { zb - za } else { 1.0 };
    let mut quads = Vec::new();
    for i in 0..m.saturating_sub(1) {
        for j in 0..n.saturating_sub(1) {
            let corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j)];
            if corners.iter().any(|&(a, b)| !z[(a, b)].is_finite()) {
                continue;
            }
            let pts: Vec<(f64, f64, f64)> = corners.iter().map(|&(a, b)| (xs[b], z[(a, b)], ys[a])).collect();
            let zmean = corners.iter().map(|&(a, b)| z[(a, b)]).sum::<f64>() / 4.0;
            let cx = (xs[j] + xs[j + 1]) / 2.0;
            let cy = (ys[i] + ys[i + 1]) / 2.0;
            let depth = chart.as_coord_spec().projected_depth(&cx, &zmean, &cy);
            quads.push((depth, pts, cmap.at((zmean - za) / scale)));
        }
    }
    quads.sort_by_key(|q| std::cmp::Reverse(q.0));
    for (_, pts, c) in quads {
        let mut outline = pts.clone();
        chart.plotting_area().draw(&Polygon::new(pts, filled(c))).map_err(de)?;
        if let Some(&first) = outline.first() {
            outline.push(first);
        }
        chart
            .plotting_area()
            .draw(&PathElement::new(outline, ShapeStyle { color: BLACK.mix(0.2), filled: false, stroke_width: 1 }))
            .map_err(de)?;
    }
    Ok(())
}

/// Clips a polyline (NaN or infinite points break it) to the axes: the visible runs.
fn clip_polyline(pts: &[Pt], map: &Map) -> Vec<Vec<Pt>> {
    let (xa, xb, ya, yb) = (map.x0, map.x1, map.y0, map.y1);
    let mut runs: Vec<Vec<Pt>> = Vec::new();
    let mut current: Vec<Pt> = Vec::new();
    let finite = |p: &Pt| p.0.is_finite() && p.1.is_finite();
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if !finite(&a) || !finite(&b) {
            if current.len() >= 2 {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        match clip_segment(a, b, xa, xb, ya, yb) {
            Some((p, q)) => {
                let joined = current.last().is_some_and(|l| *l == p);
                if !joined {
                    if current.len() >= 2 {
                        runs.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(p);
                }
                current.push(q);
                if q != b {
                    // Left the box.
                    runs.push(std::mem::take(&mut current));
                }
            }
            None => {
                if current.len() >= 2 {
                    runs.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        runs.push(current);
    }
    if pts.len() == 1 && finite(&pts[0]) && map.contains(pts[0]) {
        runs.push(vec![pts[0], pts[0]]);
    }
    runs.retain(|r| r.len() >= 2);
    runs
}

/// Liang–Barsky clipping of the segment `a`–`b` to the box.
fn clip_segment(a: Pt, b: Pt, xa: f64, xb: f64, ya: f64, yb: f64) -> Option<(Pt, Pt)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a.0 - xa), (dx, xb - a.0), (-dy, a.1 - ya), (dy, yb - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + dx * t, a.1 + dy * t)
        }
    };
    Some((at(t0), at(t1)))
}

/// Sutherland–Hodgman clipping of a polygon to the axes.
fn clip_polygon(ring: &[Pt], map: &Map) -> Vec<Pt> {
    let mut poly: Vec<Pt> = ring.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    let edges: [(usize, f64, bool); 4] = [(0, map.x0, true), (0, map.x1, false), (1, map.y0, true), (1, map.y1, false)];
    for (axis, bound, keep_above) in edges {
        if poly.is_empty() {
            break;
        }
        let coord = |p: &Pt| if axis == 0 { p.0 } else { p.1 };
        let inside = |p: &Pt| if keep_above { coord(p) >= bound } else { coord(p) <= bound };
        let cross = |a: &Pt, b: &Pt| {
            let t = (bound - coord(a)) / (coord(b) - coord(a));
            (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
        };
        let mut out = Vec::with_capacity(poly.len() + 4);
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
            match (inside(&a), inside(&b)) {
                (true, true) => out.push(b),
                (true, false) => out.push(cross(&a, &b)),
                (false, true) => {
                    out.push(cross(&a, &b));
                    out.push(b);
                }
                (false, false) => {}
            }
        }
        poly = out;
    }
    poly
}

/// A rectangle `[x0, y0, x1, y1]` (any corner order) clipped to the axes.
fn clip_rect(r: [f64; 4], map: &Map) -> Option<[f64; 4]> {
    let (a, c) = (r[0].min(r[2]).max(map.x0), r[0].max(r[2]).min(map.x1));
    let (b, d) = (r[1].min(r[3]).max(map.y0), r[1].max(r[3]).min(map.y1));
    (a < c && b < d).then_some([a, b, c, d])
}

/// MML's logo as a `size`×`size` PNG: a ∂ on a square in the plots' first colour.
pub(crate) fn logo_png(size: u32) -> Result<Vec<u8>, String> {
    ensure_registered()?;
    let s = SUPERSAMPLE;
    let big_side = size * s;
    let mut big = vec![255u8; (big_side * big_side * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut big, (big_side, big_side)).into_drawing_area();
        let side = big_side as i32;
        let blue = super::colormap::cycle(0);
        root.draw(&Rectangle::new([(0, 0), (side, side)], filled(blue))).map_err(de)?;
        let style = text_style(f64::from(big_side) * 0.8, Rgb(255, 255, 255), HPos::Center, VPos::Center);
        root.draw(&Text::new("∂", (side / 2, side / 2), style)).map_err(de)?;
        root.present().map_err(de)?;
    }
    let rgb = downsample(&big, size as usize, size as usize, s as usize);
    encode_png(&rgb, size, size)
}
