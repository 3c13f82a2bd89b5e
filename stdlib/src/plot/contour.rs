//! Contour lines and filled contour bands by marching squares (the `contour` crate), mapped
//! from grid indices to data coordinates and cut exactly at the edges of the grid.
//!
//! The crate pads the grid with values below every threshold so that its rings close; the
//! padding puts ring points half a cell outside the data. Lines drop those points (so no
//! line runs along the border of the plot), and band polygons are clamped onto the border.

use contour::ContourBuilder;

use super::figure::Pt;

/// Values `z[i * nx + j]` at `(xs[j], ys[i])`: rows are y, columns x.
pub(crate) struct Grid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub z: Vec<f64>,
}

impl Grid {
    fn nx(&self) -> usize {
        self.xs.len()
    }

    fn ny(&self) -> usize {
        self.ys.len()
    }

    /// The smallest and largest finite value.
    pub(crate) fn range(&self) -> Option<(f64, f64)> {
        let (lo, hi) = self
            .z
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        (lo <= hi).then_some((lo, hi))
    }

    /// `[xmin, ymin, xmax, ymax]` of the grid.
    pub(crate) fn extent(&self) -> [f64; 4] {
        let (x0, x1) = (self.xs.first().copied().unwrap_or(0.0), self.xs.last().copied().unwrap_or(1.0));
        let (y0, y1) = (self.ys.first().copied().unwrap_or(0.0), self.ys.last().copied().unwrap_or(1.0));
        [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]
    }

    /// Maps a crate coordinate (value `k` sits at `k + 0.5`) to a data coordinate, clamping
    /// onto the grid; piecewise linear, so uneven grids work.
    fn to_data(&self, p: &contour::Pt) -> Pt {
        (interp(&self.xs, p.x - 0.5), interp(&self.ys, p.y - 0.5))
    }

    /// Whether a crate coordinate lies in the padding outside the data.
    fn in_padding(&self, p: &contour::Pt) -> bool {
        let eps = 1e-9;
        p.x < 0.5 - eps || p.y < 0.5 - eps || p.x > self.nx() as f64 - 0.5 + eps || p.y > self.ny() as f64 - 0.5 + eps
    }

    fn builder(&self) -> ContourBuilder {
        ContourBuilder::new(self.nx(), self.ny(), true)
    }

    /// The values with NaN replaced by a value below every level (NaN cells are "outside").
    fn values(&self, below: f64) -> Vec<f64> {
        self.z.iter().map(|&v| if v.is_nan() { below } else { v }).collect()
    }
}

/// `coords` at fractional index `t` (clamped), linearly interpolated.
fn interp(coords: &[f64], t: f64) -> f64 {
    let n = coords.len();
    if n == 0 {
        return t;
    }
    if n == 1 {
        return coords[0];
    }
    let t = t.clamp(0.0, (n - 1) as f64);
    let i = (t.floor() as usize).min(n - 2);
    let f = t - i as f64;
    coords[i] + (coords[i + 1] - coords[i]) * f
}

/// Polylines (or polygon outlines) in data coordinates.
pub(crate) type Paths = Vec<Vec<Pt>>;

/// Contour lines of `grid` at each level: `(level, polylines)`.
pub(crate) fn lines(grid: &Grid, levels: &[f64]) -> Result<Vec<(f64, Paths)>, String> {
    if grid.nx() < 2 || grid.ny() < 2 {
        return Ok(Vec::new());
    }
    let below = levels.iter().fold(f64::INFINITY, |m, &l| m.min(l)) - 1.0;
    let values = grid.values(below);
    let found = grid.builder().lines(&values, levels).map_err(|e| format!("marching squares failed: {e:?}"))?;
    let mut out = Vec::new();
    for line in found {
        let level = line.threshold();
        let mut paths = Vec::new();
        for ring in &line.geometry().0 {
            paths.extend(cut_at_padding(grid, &ring.0));
        }
        out.push((level, paths));
    }
    Ok(out)
}

/// Splits a closed ring into the polylines between the points that lie in the padding.
fn cut_at_padding(grid: &Grid, ring: &[contour::Pt]) -> Vec<Vec<Pt>> {
    // Rings repeat their first point at the end.
    let pts = match ring.split_last() {
        Some((last, rest)) if rest.first() == Some(last) => rest,
        _ => ring,
    };
    let Some(start) = pts.iter().position(|p| grid.in_padding(p)) else {
        // A closed line inside the grid.
        let mut path: Vec<Pt> = pts.iter().map(|p| grid.to_data(p)).collect();
        if let Some(&first) = path.first() {
            path.push(first);
        }
        return vec![path];
    };
    let mut out = Vec::new();
    let mut current: Vec<Pt> = Vec::new();
    for k in 0..=pts.len() {
        let p = &pts[(start + k) % pts.len()];
        if grid.in_padding(p) {
            if current.len() >= 2 {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.push(grid.to_data(p));
        }
    }
    if current.len() >= 2 {
        out.push(current);
    }
    out
}

/// Filled bands between consecutive `bounds`: `(low, high, rings)`, where each ring is the
/// outline of one piece of the band (holes are left out: they are other bands, drawn on top
/// when the rings are painted largest first).
pub(crate) fn bands(grid: &Grid, bounds: &[f64]) -> Result<Vec<(f64, f64, Paths)>, String> {
    if grid.nx() < 2 || grid.ny() < 2 || bounds.len() < 2 {
        return Ok(Vec::new());
    }
    let below = bounds.iter().fold(f64::INFINITY, |m, &l| m.min(l)) - 1.0;
    let values = grid.values(below);
    let found = grid.builder().isobands(&values, bounds).map_err(|e| format!("marching squares failed: {e:?}"))?;
    let mut out = Vec::new();
    for band in found {
        let rings: Vec<Vec<Pt>> = band
            .geometry()
            .0
            .iter()
            .map(|poly| poly.exterior().0.iter().map(|p| grid.to_data(p)).collect::<Vec<Pt>>())
            .filter(|r| r.len() >= 3)
            .collect();
        out.push((band.min_v(), band.max_v(), rings));
    }
    Ok(out)
}

/// The area enclosed by a ring (absolute, shoelace formula).
pub(crate) fn ring_area(ring: &[Pt]) -> f64 {
    let n = ring.len();
    let mut s = 0.0;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        s += a.0 * b.1 - b.0 * a.1;
    }
    (s / 2.0).abs()
}
