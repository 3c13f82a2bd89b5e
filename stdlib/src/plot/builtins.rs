//! The plot builtins. Each one reads its arguments (calling the user's functions first), then
//! adds its series to the current panel and applies the shared axes options.

use mml_runtime::display::{describe, format_number};
use mml_runtime::{Args, BuiltinError, CallCtx, Matrix, Value};

use super::colormap::{cycle, Colormap, Norm, Rgb, VIRIDIS_MAP};
use super::contour::{bands, lines, ring_area, Grid};
use super::figure::{
    format_ticks, nice_ticks, short_number, ColorBar, ContourPath, Dash, Figure, Panel, Pt, Scale, Series, Ticks,
};
use super::input::{
    call_xy, cmap, color_value, count_in, grid_axis, image_from, labels, line_style, linspace, number_result,
    opt_color, opt_interval, opt_shape, opt_str, vector,
};
use super::{resolve_path, show_all, with_state, write_figure};
use crate::macros::builtin;

/// The shared options every 2-D plot builtin ends with, in this order.
const AXES_N: usize = 13;

/// Declares a 2-D plot builtin: its own parameters, then `title, xlabel, ylabel, xlim, ylim,
/// xscale, yscale, xticks, yticks, equal, legend, figsize, file`.
macro_rules! plot_builtin {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $stat:ident = $name:literal ( $($params:tt)* ),
        |$ctx:tt, $args:tt| $body:block
    ) => {
        builtin! {
            $(#[doc = $doc])*
            $vis static $stat: Plot = $name(
                $($params)*, title = nothing, xlabel = nothing, ylabel = nothing, xlim = nothing,
                ylim = nothing, xscale = nothing, yscale = nothing, xticks = nothing, yticks = nothing,
                equal = false, legend = nothing, figsize = nothing, file = nothing
            ),
            |$ctx, $args| $body
        }
    };
}

/// What an `xticks`/`yticks` argument asked for.
#[derive(Clone)]
enum TickSpec {
    /// Ticks at these positions, labelled with their values (none: no ticks).
    Positions(Vec<f64>),
    /// These labels at the plot's own positions (bars, matrix rows or columns).
    Labels(Vec<String>),
    /// These labels at these positions.
    Both(Vec<f64>, Vec<String>),
}

/// The positions a plot has of its own, where `xticks = {"a", "b", …}` puts its labels.
#[derive(Clone, Default)]
enum Slots {
    /// None: labels need positions.
    #[default]
    None,
    /// Items at these positions (bars); a position is its own coordinate.
    Items(Vec<f64>),
    /// Matrix rows 1…n, row 1 at the top: row k is drawn at n + 1 − k.
    Rows(usize),
}

impl Slots {
    fn positions(&self) -> Option<Vec<f64>> {
        match self {
            Slots::None => None,
            Slots::Items(v) => Some(v.clone()),
            Slots::Rows(n) => Some((1..=*n).map(|k| k as f64).collect()),
        }
    }

    /// A position the user wrote (a row number for rows) as a data coordinate.
    fn to_data(&self, v: f64) -> f64 {
        match self {
            Slots::Rows(n) => *n as f64 + 1.0 - v,
            _ => v,
        }
    }
}

/// The shared axes options of one call.
#[derive(Default)]
struct AxesOpts {
    title: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    xlim: Option<(f64, f64)>,
    ylim: Option<(f64, f64)>,
    /// The scales asked for, with the index of their argument.
    xscale: Option<(Scale, usize)>,
    yscale: Option<(Scale, usize)>,
    /// The tick arguments, with their index.
    xticks: Option<(TickSpec, usize)>,
    yticks: Option<(TickSpec, usize)>,
    /// Where labels without positions go, set by the builtin (bars, heat maps).
    xslots: Slots,
    yslots: Slots,
    equal: bool,
    legend: Option<bool>,
    figsize: Option<(u32, u32)>,
    /// The file to write, and the index of the `file` argument.
    file: Option<(String, usize)>,
}

fn figsize(args: &Args<'_>, i: usize) -> Result<Option<(u32, u32)>, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(None);
    }
    let v = vector(args, i)?;
    match v[..] {
        [w, h] if (100.0..=4000.0).contains(&w) && (100.0..=4000.0).contains(&h) => {
            Ok(Some((w.round() as u32, h.round() as u32)))
        }
        _ => Err(BuiltinError::arg(i, "expected a size [width, height] in pixels, each from 100 to 4000")),
    }
}

fn file_opt(args: &Args<'_>, i: usize) -> Result<Option<(String, usize)>, BuiltinError> {
    Ok(if args.is_nothing(i) { None } else { Some((args.str(i)?.to_string(), i)) })
}

/// Argument `i` as an axis scale, `"linear"` or `"log"`.
fn scale_opt(args: &Args<'_>, i: usize) -> Result<Option<(Scale, usize)>, BuiltinError> {
    if args.is_nothing(i) {
        return Ok(None);
    }
    let name = args.str(i)?;
    match name.trim().to_ascii_lowercase().as_str() {
        "linear" => Ok(Some((Scale::Linear, i))),
        "log" | "log10" => Ok(Some((Scale::Log, i))),
        _ => Err(BuiltinError::arg(i, format!("unknown axis scale \"{name}\""))
            .with_help("use \"linear\" or \"log\" (powers of ten equally spaced)")),
    }
}

/// Argument `i` as tick positions, labels, or both (`{positions, labels}`).
fn ticks_opt(args: &Args<'_>, i: usize) -> Result<Option<(TickSpec, usize)>, BuiltinError> {
    let shape_help =
        "give positions [1, 2, 3], labels {\"a\", \"b\", \"c\"}, or both: {[1, 2, 3], {\"a\", \"b\", \"c\"}}";
    let text = |v: &Value| match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Num(x) => Some(short_number(*x)),
        _ => None,
    };
    let spec = match args.get(i) {
        Value::Nothing => return Ok(None),
        Value::List(items) => {
            if let Some(l) = items.iter().map(text).collect::<Option<Vec<String>>>() {
                TickSpec::Labels(l)
            } else if let [pos, Value::List(names)] = &items[..] {
                let pos: Vec<f64> = pos
                    .to_matrix()
                    .filter(|m| m.nrows() <= 1 || m.ncols() <= 1)
                    .map(|m| m.iter().copied().collect())
                    .ok_or_else(|| {
                        BuiltinError::type_error(i, "tick positions (a vector) first", pos).with_help(shape_help)
                    })?;
                let names = names
                    .iter()
                    .map(|v| {
                        text(v).ok_or_else(|| {
                            BuiltinError::arg(
                                i,
                                format!("tick labels must be strings or numbers, found {}", describe(v)),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if pos.len() != names.len() {
                    return Err(BuiltinError::arg(
                        i,
                        format!("{} tick positions but {} labels", pos.len(), names.len()),
                    )
                    .code("shape-mismatch")
                    .with_help("give one label per position"));
                }
                TickSpec::Both(pos, names)
            } else {
                return Err(BuiltinError::arg(i, "expected tick positions, labels, or both").with_help(shape_help));
            }
        }
        Value::Str(s) => TickSpec::Labels(vec![s.to_string()]),
        v @ Value::Bool(_) => {
            return Err(BuiltinError::type_error(i, "tick positions or labels", v).with_help(shape_help))
        }
        v => match v.to_matrix() {
            Some(m) if m.nrows() <= 1 || m.ncols() <= 1 => TickSpec::Positions(m.iter().copied().collect()),
            _ => return Err(BuiltinError::type_error(i, "tick positions or labels", v).with_help(shape_help)),
        },
    };
    let positions = match &spec {
        TickSpec::Positions(p) | TickSpec::Both(p, _) => &p[..],
        TickSpec::Labels(_) => &[],
    };
    if positions.iter().any(|p| !p.is_finite()) {
        return Err(BuiltinError::arg(i, "tick positions must be finite numbers"));
    }
    Ok(Some((spec, i)))
}

/// The ticks of one axis from its argument, with labels placed at the plot's own `slots`.
fn resolve_ticks(spec: &TickSpec, i: usize, slots: &Slots) -> Result<Ticks, BuiltinError> {
    match spec {
        TickSpec::Positions(p) => Ok(p.iter().map(|v| slots.to_data(*v)).zip(format_ticks(p)).collect()),
        TickSpec::Both(p, l) => Ok(p.iter().map(|v| slots.to_data(*v)).zip(l.iter().cloned()).collect()),
        TickSpec::Labels(l) => {
            let Some(pos) = slots.positions() else {
                return Err(BuiltinError::arg(i, "tick labels alone need positions on this plot")
                    .with_help("give the positions too: {[1, 2, 3], {\"a\", \"b\", \"c\"}}"));
            };
            if pos.len() != l.len() {
                return Err(BuiltinError::arg(i, format!("{} tick labels for {} positions", l.len(), pos.len()))
                    .code("shape-mismatch")
                    .with_help("give one label per bar, row or column"));
            }
            Ok(pos.iter().map(|v| slots.to_data(*v)).zip(l.iter().cloned()).collect())
        }
    }
}

fn axes_opts(args: &Args<'_>) -> Result<AxesOpts, BuiltinError> {
    let b = args.nfixed.saturating_sub(AXES_N);
    let legend = if args.is_nothing(b + 10) { None } else { Some(args.bool(b + 10)?) };
    Ok(AxesOpts {
        title: opt_str(args, b)?,
        xlabel: opt_str(args, b + 1)?,
        ylabel: opt_str(args, b + 2)?,
        xlim: opt_interval(args, b + 3)?,
        ylim: opt_interval(args, b + 4)?,
        xscale: scale_opt(args, b + 5)?,
        yscale: scale_opt(args, b + 6)?,
        xticks: ticks_opt(args, b + 7)?,
        yticks: ticks_opt(args, b + 8)?,
        xslots: Slots::None,
        yslots: Slots::None,
        equal: args.bool(b + 9)?,
        legend,
        figsize: figsize(args, b + 11)?,
        file: file_opt(args, b + 12)?,
    })
}

impl AxesOpts {
    /// Applies the options to the current panel; `ticks` are the resolved `xticks`, `yticks`.
    fn apply(&self, fig: &mut Figure, ticks: &(Option<Ticks>, Option<Ticks>)) {
        if self.figsize.is_some() {
            fig.size = self.figsize;
        }
        let p = fig.panel();
        if self.title.is_some() {
            p.title.clone_from(&self.title);
        }
        if self.xlabel.is_some() {
            p.xlabel.clone_from(&self.xlabel);
        }
        if self.ylabel.is_some() {
            p.ylabel.clone_from(&self.ylabel);
        }
        if self.xlim.is_some() {
            p.xlim = self.xlim;
        }
        if self.ylim.is_some() {
            p.ylim = self.ylim;
        }
        if let Some((s, _)) = self.xscale {
            p.xscale = s;
        }
        if let Some((s, _)) = self.yscale {
            p.yscale = s;
        }
        if ticks.0.is_some() {
            p.xticks.clone_from(&ticks.0);
        }
        if ticks.1.is_some() {
            p.yticks.clone_from(&ticks.1);
        }
        if self.equal {
            p.equal = true;
        }
        if self.legend.is_some() {
            p.legend = self.legend;
        }
    }
}

/// Whether a call draws in 2-D or 3-D; a panel holds one or the other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Space {
    Flat,
    Solid,
}

/// Why a panel cannot take its log axis: a value it would have to show that is not positive,
/// or an image. `arg` is the argument the error points at.
fn check_log_axes(p: &Panel, opts: &AxesOpts) -> Result<(), BuiltinError> {
    for (axis, scale, given, name) in [(0, p.xscale, opts.xscale, "x"), (1, p.yscale, opts.yscale, "y")] {
        if scale != Scale::Log {
            continue;
        }
        let arg = given.map_or(0, |g| g.1);
        let scale_name = if axis == 0 { "xscale" } else { "yscale" };
        for s in &p.series {
            if matches!(s, Series::Cells { .. }) {
                return Err(BuiltinError::arg(arg, format!("a heat map or image cannot have a log {name} axis"))
                    .with_help(format!("draw it on a new figure, or leave out {scale_name} = \"log\"")));
            }
            if let Some(v) = s.non_positive(axis) {
                return Err(BuiltinError::arg(
                    arg,
                    format!(
                        "the {name} values include {}, but a log axis shows only positive numbers",
                        short_number(v)
                    ),
                )
                .code("domain-error")
                .with_help(format!("keep only the positive values, or use {scale_name} = \"linear\"")));
            }
        }
    }
    Ok(())
}

/// Adds to the current panel (starting a new figure when the panel holds the other kind of
/// plot), applies the options, and writes the `file` when one was given. A panel that cannot
/// take what was asked (values ≤ 0 on a log axis) is left as it was, and the call fails.
fn commit(opts: &AxesOpts, space: Space, add: impl FnOnce(&mut Panel)) -> Result<Value, BuiltinError> {
    let resolve = |t: &Option<(TickSpec, usize)>, slots: &Slots| {
        t.as_ref().map(|(spec, i)| resolve_ticks(spec, *i, slots)).transpose()
    };
    let ticks = (resolve(&opts.xticks, &opts.xslots)?, resolve(&opts.yticks, &opts.yslots)?);
    let to_write = with_state(|s| {
        let fig = s.figure();
        let locked = fig.locked;
        let p = fig.panel();
        let clash = locked
            || match space {
                Space::Flat => p.is_3d(),
                Space::Solid => !p.series.is_empty(),
            };
        if clash {
            s.new_figure();
        }
        let fig = s.figure();
        let logs = |p: &Panel| p.xscale == Scale::Log || p.yscale == Scale::Log;
        let wants_log = matches!(opts.xscale, Some((Scale::Log, _))) || matches!(opts.yscale, Some((Scale::Log, _)));
        let before = (wants_log || logs(fig.panel())).then(|| (fig.panel().clone(), fig.size));
        add(fig.panel());
        opts.apply(fig, &ticks);
        if let Some((panel, size)) = before {
            if let Err(e) = check_log_axes(fig.panel(), opts) {
                *fig.panel() = panel;
                fig.size = size;
                return Err(e);
            }
        }
        fig.dirty = opts.file.is_none();
        Ok(opts.file.as_ref().map(|f| (fig.clone(), f.clone())))
    })?;
    if let Some((fig, (path, i))) = to_write {
        write_figure(&fig, &resolve_path(&path)).map_err(|e| e.at_arg(i))?;
    }
    Ok(Value::Nothing)
}

fn nothing_to_plot(i: usize) -> BuiltinError {
    BuiltinError::arg(i, "nothing to plot: no points given").code("shape-mismatch")
}

/// Legend texts for `k` series from a `label` argument: one text for one series, numbered
/// texts for several, or one per series from a list.
fn series_labels(args: &Args<'_>, i: usize, k: usize) -> Result<Vec<Option<String>>, BuiltinError> {
    match labels(args, i)? {
        None => Ok(vec![None; k]),
        Some(l) if l.len() == k => Ok(l.into_iter().map(Some).collect()),
        Some(l) if l.len() == 1 => {
            let base = &l[0];
            Ok(if k == 1 { vec![Some(base.clone())] } else { (1..=k).map(|j| Some(format!("{base} {j}"))).collect() })
        }
        Some(l) => Err(BuiltinError::arg(i, format!("{} labels for {k} series", l.len())).code("shape-mismatch")),
    }
}

plot_builtin! {
    /// Draws a line through points, or the graph of a function.
    /// `plot(y)` uses x = 1, 2, …; `plot(x, y)` joins the points (x_i, y_i), one line per column
    /// when `y` is a matrix; `plot(f, a, b)` draws y = f(x) for a ≤ x ≤ b (NaN or infinite
    /// values leave gaps). Calls add to the current figure, so several lines overlay.
    /// `style` is `"-"`, `"--"`, `":"`, `"o"` (dots only) or a line with dots (`"-o"`); `width`
    /// is the line width in pixels; `label` names the line in the legend.
    /// Shared options of every plot: `title`, `xlabel`, `ylabel`, `xlim = [a, b]`,
    /// `ylim = [a, b]`, `equal = true` (same scale on both axes), `legend = false`,
    /// `figsize = [width, height]` (pixels) and `file = "name.png"` (or `.svg`).
    /// ```mml
    /// x = linspace(0, 2 * pi, 50)
    /// plot(x, sin(x), label = "sin", title = "Waves")   # => nothing
    /// plot(cos, 0, 2 * pi, label = "cos", style = "--")   # => nothing
    /// ```
    pub(crate) static PLOT = "plot"(x, y = nothing, b = nothing, label = nothing, color = nothing, style = str "-", width = 2), |ctx, args| {
        let opts = axes_opts(args)?;
        let (dash, marker) = line_style(args, 5)?;
        let width = count_in(args, 6, 1, 20)? as u32;
        let color = opt_color(args, 4)?;
        let mut lines_: Vec<Vec<Pt>> = Vec::new();
        if args.get(0).is_function() {
            if args.is_nothing(1) || args.is_nothing(2) {
                return Err(BuiltinError::arg(0, "plotting a function needs an interval")
                    .with_help("give the ends of the x axis: plot(f, a, b)"));
            }
            let (a, b) = (args.num(1)?, args.num(2)?);
            if !(a.is_finite() && b.is_finite()) || a >= b {
                return Err(BuiltinError::arg(2, "expected finite ends a < b of the interval"));
            }
            let f = args.get(0);
            let mut pts = Vec::with_capacity(400);
            for x in linspace(a, b, 400) {
                let v = ctx.call(f, &[Value::Num(x)])?;
                let y = number_result(&v, 0, &format!("f({})", format_number(x)))?;
                pts.push((x, if y.is_finite() { y } else { f64::NAN }));
            }
            lines_.push(pts);
        } else {
            if !args.is_nothing(2) {
                return Err(BuiltinError::arg(2, "a third argument is only for a function: plot(f, a, b)"));
            }
            let xm = args.matrix(0)?;
            if args.is_nothing(1) {
                let cols: Vec<Vec<f64>> = if xm.nrows() == 1 || xm.ncols() == 1 {
                    vec![xm.iter().copied().collect()]
                } else {
                    xm.column_iter().map(|c| c.iter().copied().collect()).collect()
                };
                for c in cols {
                    lines_.push(c.iter().enumerate().map(|(k, &y)| ((k + 1) as f64, y)).collect());
                }
            } else {
                let xs = vector(args, 0)?;
                let ym = args.matrix(1)?;
                let n = xs.len();
                if (ym.nrows() == 1 || ym.ncols() == 1) && ym.len() == n {
                    lines_.push(xs.iter().copied().zip(ym.iter().copied()).collect());
                } else if ym.nrows() == n {
                    for c in ym.column_iter() {
                        lines_.push(xs.iter().copied().zip(c.iter().copied()).collect());
                    }
                } else {
                    return Err(BuiltinError::arg(
                        1,
                        format!("x has {n} points but y is {}", describe(args.get(1))),
                    )
                    .code("shape-mismatch")
                    .with_help("x and y need the same number of points (or y one row per x value)"));
                }
            }
        }
        if lines_.iter().all(|l| l.is_empty()) {
            return Err(nothing_to_plot(0));
        }
        let labels = series_labels(args, 3, lines_.len())?;
        commit(&opts, Space::Flat, |p| {
            for (pts, label) in lines_.into_iter().zip(labels) {
                let color = color.unwrap_or_else(|| p.next_color());
                p.series.push(Series::Line { pts, color, width, dash, marker, label });
            }
        })
    }
}

plot_builtin! {
    /// Draws points as dots: `scatter(x, y)`, or `scatter(P)` for an n×2 matrix of points.
    /// `c` colours the points: class labels (whole numbers, up to 12 classes) each get a colour
    /// of their own and a legend entry; other numbers map through viridis with a colour bar;
    /// a colour name colours them all. `markersize` is the dot radius in pixels.
    /// ```mml
    /// scatter([1, 2, 3, 4], [1, 4, 2, 3], c = [0, 0, 1, 1], label = "class")   # => nothing
    /// ```
    pub(crate) static SCATTER = "scatter"(x, y = nothing, c = nothing, label = nothing, color = nothing, markersize = 4), |_ctx, args| {
        let opts = axes_opts(args)?;
        let pts: Vec<Pt> = if args.is_nothing(1) {
            let m = args.matrix(0)?;
            if m.ncols() != 2 {
                return Err(BuiltinError::arg(0, format!("expected an n×2 matrix of points, found {}", describe(args.get(0))))
                    .code("shape-mismatch")
                    .with_help("give x and y: scatter(x, y)"));
            }
            m.row_iter().map(|r| (r[0], r[1])).collect()
        } else {
            let (xs, ys) = (vector(args, 0)?, vector(args, 1)?);
            if xs.len() != ys.len() {
                return Err(BuiltinError::arg(1, format!("x has {} points but y has {}", xs.len(), ys.len()))
                    .code("shape-mismatch"));
            }
            xs.into_iter().zip(ys).collect()
        };
        if pts.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let radius = count_in(args, 5, 1, 50)? as u32;
        let label = opt_str(args, 3)?;
        let color = opt_color(args, 4)?;
        enum Coloring {
            One(Option<Rgb>),
            Classes(Vec<f64>, Vec<f64>),
            Values(Vec<f64>, f64, f64),
        }
        let coloring = match args.get(2) {
            Value::Nothing => Coloring::One(color),
            Value::Str(_) => Coloring::One(Some(color_value(args.get(2), 2)?)),
            _ => {
                let c = vector(args, 2)?;
                if c.len() != pts.len() {
                    return Err(BuiltinError::arg(2, format!("{} colours for {} points", c.len(), pts.len()))
                        .code("shape-mismatch"));
                }
                let mut classes: Vec<f64> = c.iter().copied().filter(|v| v.is_finite()).collect();
                classes.sort_by(f64::total_cmp);
                classes.dedup();
                if c.iter().all(|v| v.fract() == 0.0) && classes.len() <= 12 {
                    Coloring::Classes(c, classes)
                } else {
                    let lo = classes.first().copied().unwrap_or(0.0);
                    let hi = classes.last().copied().unwrap_or(1.0);
                    Coloring::Values(c, lo, hi)
                }
            }
        };
        commit(&opts, Space::Flat, |p| match coloring {
            Coloring::One(color) => {
                let color = color.unwrap_or_else(|| p.next_color());
                let legend = label.map(|l| vec![(l, color)]).unwrap_or_default();
                p.series.push(Series::Scatter { colors: vec![color; pts.len()], pts, radius, legend });
            }
            Coloring::Classes(c, classes) => {
                let color_of = |v: f64| {
                    classes.iter().position(|k| *k == v).map_or(Rgb(150, 150, 150), cycle)
                };
                let colors = c.iter().map(|v| color_of(*v)).collect();
                let legend = classes
                    .iter()
                    .map(|k| {
                        let name = short_number(*k);
                        (label.as_ref().map_or(name.clone(), |l| format!("{l} {name}")), color_of(*k))
                    })
                    .collect();
                p.series.push(Series::Scatter { pts, colors, radius, legend });
            }
            Coloring::Values(c, lo, hi) => {
                let scale = if hi > lo { hi - lo } else { 1.0 };
                let colors = c.iter().map(|v| VIRIDIS_MAP.at((v - lo) / scale)).collect();
                p.colorbar = Some(ColorBar { cmap: VIRIDIS_MAP, norm: Norm::linear(lo, hi) });
                p.series.push(Series::Scatter { pts, colors, radius, legend: Vec::new() });
            }
        })
    }
}

plot_builtin! {
    /// Draws bars: `bar(heights)` at x = 1, 2, …, or `bar(x, heights)`.
    /// `xticks` (or `ticks`) names the positions (a list of strings, one per bar); `width` is
    /// the bar width in x units, by default 0.8 of the smallest gap between neighbouring
    /// positions (0.8 for bars at 1, 2, …; bars at the centres of bins of width 2.5 get 2);
    /// `offset` shifts the bars off their positions, so that groups of bars stand side by
    /// side (`offset = -0.2` and `0.2` with `width = 0.4`).
    /// ```mml
    /// bar([0.4, 0.25, 0.35], xticks = {"A", "B", "C"}, title = "PageRank")   # => nothing
    /// bar(0.5:1:9.5, [1, 3, 7, 12, 9, 5, 2, 1, 0, 1], width = 1, ylabel = "count")   # => nothing
    /// ```
    pub(crate) static BAR = "bar"(x, heights = nothing, ticks = nothing, label = nothing, color = nothing, width = nothing, offset = 0), |_ctx, args| {
        let mut opts = axes_opts(args)?;
        let (xs, hs) = if args.is_nothing(1) {
            let h = vector(args, 0)?;
            ((1..=h.len()).map(|k| k as f64).collect::<Vec<_>>(), h)
        } else {
            let (x, h) = (vector(args, 0)?, vector(args, 1)?);
            if x.len() != h.len() {
                return Err(BuiltinError::arg(1, format!("{} positions but {} heights", x.len(), h.len()))
                    .code("shape-mismatch"));
            }
            (x, h)
        };
        if xs.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let w = if args.is_nothing(5) {
            let mut sorted: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
            sorted.sort_by(f64::total_cmp);
            let gap = sorted.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0.0).fold(f64::INFINITY, f64::min);
            0.8 * if gap.is_finite() { gap } else { 1.0 }
        } else {
            let w = args.num(5)?;
            if !(w > 0.0 && w.is_finite()) {
                return Err(BuiltinError::arg(5, "the bar width must be positive"));
            }
            w
        };
        let names = labels(args, 2)?;
        if let Some(n) = &names {
            if n.len() != xs.len() {
                return Err(BuiltinError::arg(2, format!("{} tick names for {} bars", n.len(), xs.len()))
                    .code("shape-mismatch"));
            }
        }
        let label = opt_str(args, 3)?;
        let color = opt_color(args, 4)?;
        let offset = args.num(6)?;
        if !offset.is_finite() {
            return Err(BuiltinError::arg(6, "the offset must be a finite number"));
        }
        let rects: Vec<[f64; 4]> = xs
            .iter()
            .zip(&hs)
            .map(|(&x, &h)| [x + offset - w / 2.0, 0.0f64.min(h), x + offset + w / 2.0, 0.0f64.max(h)])
            .collect();
        opts.xslots = Slots::Items(xs.clone());
        commit(&opts, Space::Flat, |p| {
            let color = color.unwrap_or_else(|| p.next_color());
            if let Some(n) = names {
                p.xticks = Some(xs.iter().copied().zip(n).collect());
            }
            p.series.push(Series::Bars { rects, color, label });
        })
    }
}

plot_builtin! {
    /// A histogram of the values in `x`.
    /// `bins` is a number of equal bins over the data's range, or the bin edges as an
    /// increasing vector. `density = true` scales the bars to unit area.
    /// NaN values are left out; the last bin includes its right edge.
    /// ```mml
    /// hist([1, 2, 2, 3, 3, 3, 4], bins = 4, xlabel = "value")   # => nothing
    /// ```
    pub(crate) static HIST = "hist"(x, bins = 10, density = false, label = nothing, color = nothing), |ctx, args| {
        let opts = axes_opts(args)?;
        let data: Vec<f64> = args.matrix(0)?.iter().copied().filter(|v| !v.is_nan()).collect();
        if data.iter().any(|v| v.is_infinite()) {
            return Err(BuiltinError::arg(0, "cannot bin infinite values").code("domain-error"));
        }
        if data.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let edges: Vec<f64> = match args.get(1).as_scalar() {
            Some(_) => {
                let n = count_in(args, 1, 1, 10_000)?;
                let lo = data.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, hi + 0.5) };
                linspace(lo, hi, n + 1)
            }
            None => {
                let e = vector(args, 1)?;
                if e.len() < 2 || !e.windows(2).all(|w| w[1] > w[0]) || !e.iter().all(|v| v.is_finite()) {
                    return Err(BuiltinError::arg(1, "bin edges must be 2 or more finite, increasing numbers"));
                }
                e
            }
        };
        ctx.check_alloc(edges.len(), 1)?;
        let nb = edges.len() - 1;
        let mut counts = vec![0.0; nb];
        let (first, last) = (edges[0], edges[nb]);
        for &v in &data {
            if v < first || v > last {
                continue;
            }
            let k = edges.partition_point(|e| *e <= v).saturating_sub(1).min(nb - 1);
            counts[k] += 1.0;
        }
        if args.bool(2)? {
            let total: f64 = counts.iter().sum();
            for (k, c) in counts.iter_mut().enumerate() {
                let w = edges[k + 1] - edges[k];
                *c = if total > 0.0 { *c / (total * w) } else { 0.0 };
            }
        }
        let label = opt_str(args, 3)?;
        let color = opt_color(args, 4)?;
        let rects = (0..nb).map(|k| [edges[k], 0.0, edges[k + 1], counts[k]]).collect();
        commit(&opts, Space::Flat, |p| {
            let color = color.unwrap_or_else(|| p.next_color());
            p.series.push(Series::Bars { rects, color, label });
        })
    }
}

plot_builtin! {
    /// Points with error bars.
    /// `err` is one number for all points, a vector (y ± err), or an n×2 matrix of the
    /// distances below and above. `style = "-o"` also joins the points.
    /// ```mml
    /// errorbar([1, 2, 3], [2, 4, 3], [0.5, 0.3, 0.8], label = "measured")   # => nothing
    /// ```
    pub(crate) static ERRORBAR = "errorbar"(x, y, err, label = nothing, color = nothing, style = str "o"), |_ctx, args| {
        let opts = axes_opts(args)?;
        let (xs, ys) = (vector(args, 0)?, vector(args, 1)?);
        let n = xs.len();
        if ys.len() != n {
            return Err(BuiltinError::arg(1, format!("x has {n} points but y has {}", ys.len())).code("shape-mismatch"));
        }
        if n == 0 {
            return Err(nothing_to_plot(0));
        }
        let e = args.matrix(2)?;
        let (below, above): (Vec<f64>, Vec<f64>) = if e.len() == 1 {
            (vec![e[0]; n], vec![e[0]; n])
        } else if (e.nrows() == 1 || e.ncols() == 1) && e.len() == n {
            (e.iter().copied().collect(), e.iter().copied().collect())
        } else if e.nrows() == n && e.ncols() == 2 {
            (e.column(0).iter().copied().collect(), e.column(1).iter().copied().collect())
        } else {
            return Err(BuiltinError::arg(2, format!("expected {n} errors (or an {n}×2 matrix), found {}", describe(args.get(2))))
                .code("shape-mismatch"));
        };
        if below.iter().chain(&above).any(|v| *v < 0.0) {
            return Err(BuiltinError::arg(2, "errors must not be negative"));
        }
        let (dash, _) = line_style(args, 5)?;
        let label = opt_str(args, 3)?;
        let color = opt_color(args, 4)?;
        let pts: Vec<(f64, f64, f64, f64)> = (0..n).map(|k| (xs[k], ys[k], ys[k] - below[k], ys[k] + above[k])).collect();
        commit(&opts, Space::Flat, |p| {
            let color = color.unwrap_or_else(|| p.next_color());
            if dash != Dash::None {
                let line = xs.iter().copied().zip(ys.iter().copied()).collect();
                p.series.push(Series::Line { pts: line, color, width: 2, dash, marker: None, label: None });
            }
            p.series.push(Series::ErrorBars { pts, color, label });
        })
    }
}

/// Splits points at NaN rows into separate pieces.
fn split_at_nan(pts: Vec<Pt>) -> Vec<Vec<Pt>> {
    let mut out = vec![Vec::new()];
    for p in pts {
        if p.0.is_nan() || p.1.is_nan() {
            out.push(Vec::new());
        } else if let Some(last) = out.last_mut() {
            last.push(p);
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

plot_builtin! {
    /// Fills the polygon through the points (x_i, y_i), or through the rows of an n×2 matrix.
    /// A row of NaN starts a new polygon. `alpha` is the opacity of the fill (0 to 1).
    /// ```mml
    /// fill([0, 1, 0], [0, 0, 1], label = "triangle", equal = true)   # => nothing
    /// ```
    pub(crate) static FILL = "fill"(x, y = nothing, label = nothing, color = nothing, alpha = 0.3), |_ctx, args| {
        let opts = axes_opts(args)?;
        let pts: Vec<Pt> = if args.is_nothing(1) {
            let m = args.matrix(0)?;
            if m.ncols() != 2 {
                return Err(BuiltinError::arg(0, format!("expected an n×2 matrix of corners, found {}", describe(args.get(0))))
                    .code("shape-mismatch"));
            }
            m.row_iter().map(|r| (r[0], r[1])).collect()
        } else {
            let (xs, ys) = (vector(args, 0)?, vector(args, 1)?);
            if xs.len() != ys.len() {
                return Err(BuiltinError::arg(1, format!("x has {} points but y has {}", xs.len(), ys.len()))
                    .code("shape-mismatch"));
            }
            xs.into_iter().zip(ys).collect()
        };
        let rings = split_at_nan(pts);
        if rings.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let alpha = args.num(4)?;
        if !(0.0..=1.0).contains(&alpha) {
            return Err(BuiltinError::arg(4, "alpha must be between 0 and 1"));
        }
        let label = opt_str(args, 2)?;
        let color = opt_color(args, 3)?;
        commit(&opts, Space::Flat, |p| {
            let color = color.unwrap_or_else(|| p.next_color());
            p.series.push(Series::Fill { rings, color, alpha, label });
        })
    }
}

/// A 2×k matrix (or a 2-vector) as k points.
fn columns2(args: &Args<'_>, i: usize) -> Result<Vec<Pt>, BuiltinError> {
    let m = args.matrix(i)?;
    if m.nrows() == 2 {
        Ok(m.column_iter().map(|c| (c[0], c[1])).collect())
    } else if m.nrows() == 1 && m.ncols() == 2 {
        Ok(vec![(m[0], m[1])])
    } else {
        Err(BuiltinError::arg(
            i,
            format!("expected a 2-vector (or 2×k vectors as columns), found {}", describe(args.get(i))),
        )
        .code("shape-mismatch"))
    }
}

plot_builtin! {
    /// Draws vectors as arrows.
    /// `arrow(v)` goes from the origin to `v`, `arrow(p, v)` from the point `p` to `p + v`. A 2×k matrix draws its k columns (a basis, say); `p` may be one point
    /// for all of them.
    /// ```mml
    /// arrow([1, 0; 0, 1], label = "basis", equal = true)   # => nothing
    /// arrow([1, 1], [0.5, -1], color = "red")   # => nothing
    /// ```
    pub(crate) static ARROW = "arrow"(p, v = nothing, label = nothing, color = nothing, width = 2), |_ctx, args| {
        let opts = axes_opts(args)?;
        let (from, vecs) = if args.is_nothing(1) {
            let v = columns2(args, 0)?;
            (vec![(0.0, 0.0); v.len()], v)
        } else {
            let (p, v) = (columns2(args, 0)?, columns2(args, 1)?);
            if p.len() == 1 {
                (vec![p[0]; v.len()], v)
            } else if p.len() == v.len() {
                (p, v)
            } else {
                return Err(BuiltinError::arg(1, format!("{} start points for {} vectors", p.len(), v.len()))
                    .code("shape-mismatch"));
            }
        };
        let width = count_in(args, 4, 1, 20)? as u32;
        let label = opt_str(args, 2)?;
        let color = opt_color(args, 3)?;
        let arrows = from.into_iter().zip(vecs).map(|(a, d)| (a, (a.0 + d.0, a.1 + d.1))).collect();
        commit(&opts, Space::Flat, |p| {
            let color = color.unwrap_or_else(|| p.next_color());
            p.series.push(Series::Arrows { arrows, color, width, label });
        })
    }
}

plot_builtin! {
    /// Draws a vector field as arrows, such as a gradient field.
    /// `quiver(f, [a, b], [c, d])` draws `f(x, y)` (a 2-vector; `f` may also take one vector
    /// `[x, y]`) on an `n × n` grid; `quiver(x, y, u, v)` draws the
    /// vector (u_i, v_i) at each point (x_i, y_i). Arrows are scaled so the longest fits a grid
    /// cell; `scale` multiplies the vectors by a fixed factor instead.
    /// ```mml
    /// quiver((x, y) -> [-y, x], [-1, 1], [-1, 1], n = 9, equal = true)   # => nothing
    /// ```
    pub(crate) static QUIVER = "quiver"(x, y, u = nothing, v = nothing, n = 15, scale = nothing, label = nothing, color = nothing), |ctx, args| {
        let opts = axes_opts(args)?;
        let mut field: Vec<(Pt, Pt)> = Vec::new();
        let cell = if args.get(0).is_function() {
            let n = count_in(args, 4, 2, 100)?;
            if args.is_nothing(2) {
                return Err(BuiltinError::arg(0, "a vector field needs the x and y intervals")
                    .with_help("quiver(f, [xmin, xmax], [ymin, ymax])"));
            }
            let xs = grid_axis(args, 1, n)?;
            let ys = grid_axis(args, 2, n)?;
            let f = args.get(0);
            for &y in &ys {
                for &x in &xs {
                    let r = call_xy(ctx, f, x, y)?;
                    let d = r.to_matrix().filter(|m| m.len() == 2).ok_or_else(|| {
                        BuiltinError::arg(0, format!(
                            "the field must return a 2-vector, but f({}, {}) returned {}",
                            format_number(x), format_number(y), describe(&r)
                        ))
                    })?;
                    field.push(((x, y), (d[0], d[1])));
                }
            }
            let step = |v: &[f64]| v.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
            step(&xs).min(step(&ys))
        } else {
            if args.is_nothing(2) || args.is_nothing(3) {
                return Err(BuiltinError::arg(0, "quiver needs x, y, u and v (or a function and two intervals)"));
            }
            let m: Vec<_> = (0..4).map(|i| args.matrix(i)).collect::<Result<_, _>>()?;
            for (i, mi) in m.iter().enumerate().skip(1) {
                if mi.len() != m[0].len() {
                    return Err(BuiltinError::arg(i, format!("{} values but x has {}", mi.len(), m[0].len()))
                        .code("shape-mismatch"));
                }
            }
            let values = |i: usize| m[i].iter().copied();
            for (((x, y), u), v) in values(0).zip(values(1)).zip(values(2)).zip(values(3)) {
                field.push(((x, y), (u, v)));
            }
            let span = |c: usize| {
                let it = field.iter().map(|f| if c == 0 { f.0 .0 } else { f.0 .1 });
                let (lo, hi) = it.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                hi - lo
            };
            let per_side = (field.len() as f64).sqrt().max(1.0);
            let c = span(0).max(span(1)) / per_side;
            if c > 0.0 { c } else { 1.0 }
        };
        if field.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let factor = if args.is_nothing(5) {
            let longest = field.iter().map(|(_, d)| d.0.hypot(d.1)).filter(|l| l.is_finite()).fold(0.0, f64::max);
            if longest > 0.0 { 0.9 * cell / longest } else { 1.0 }
        } else {
            args.num(5)?
        };
        let label = opt_str(args, 6)?;
        let color = opt_color(args, 7)?;
        let arrows = field.into_iter().map(|(a, d)| (a, (a.0 + d.0 * factor, a.1 + d.1 * factor))).collect();
        commit(&opts, Space::Flat, |p| {
            let color = color.unwrap_or_else(|| p.next_color());
            p.series.push(Series::Arrows { arrows, color, width: 1, label });
        })
    }
}

/// A grid of values from `z` (a function called on an `n × n` grid over the intervals `x`,
/// `y`, or a matrix whose row i is at y_i and column j at x_j).
fn grid_from(
    ctx: &mut dyn CallCtx,
    args: &Args<'_>,
    n_arg: usize,
    around: Option<[f64; 4]>,
) -> Result<Grid, BuiltinError> {
    if args.get(0).is_function() {
        let n = count_in(args, n_arg, 2, 500)?;
        let side = |i: usize, lo: f64, hi: f64| {
            if args.is_nothing(i) {
                Ok(linspace(lo, hi, n))
            } else {
                grid_axis(args, i, n)
            }
        };
        let (xs, ys) = match around {
            Some([x0, y0, x1, y1]) => (side(1, x0, x1)?, side(2, y0, y1)?),
            None if args.is_nothing(1) || args.is_nothing(2) => {
                return Err(BuiltinError::arg(0, "a function needs the x and y intervals")
                    .with_help("give them after the function: (f, [xmin, xmax], [ymin, ymax]), or a path to draw around: path = r.path"));
            }
            None => (grid_axis(args, 1, n)?, grid_axis(args, 2, n)?),
        };
        ctx.check_alloc(xs.len(), ys.len())?;
        let f = args.get(0);
        let mut z = Vec::with_capacity(xs.len() * ys.len());
        for &y in &ys {
            for &x in &xs {
                let v = call_xy(ctx, f, x, y)?;
                let call = format!("f({}, {})", format_number(x), format_number(y));
                let r = number_result(&v, 0, &call)?;
                z.push(if r.is_finite() { r } else { f64::NAN });
            }
        }
        Ok(Grid { xs, ys, z })
    } else {
        let m = args.matrix(0)?;
        let (rows, cols) = m.shape();
        if rows < 2 || cols < 2 {
            return Err(BuiltinError::arg(
                0,
                format!("expected a grid of at least 2×2 values, found {}", describe(args.get(0))),
            )
            .code("shape-mismatch"));
        }
        let axis = |i: usize, len: usize| -> Result<Vec<f64>, BuiltinError> {
            if args.is_nothing(i) {
                return Ok((1..=len).map(|k| k as f64).collect());
            }
            let v = grid_axis(args, i, len)?;
            if v.len() != len {
                return Err(BuiltinError::arg(i, format!("{} coordinates for {len} grid lines", v.len()))
                    .code("shape-mismatch"));
            }
            Ok(v)
        };
        let xs = axis(1, cols)?;
        let ys = axis(2, rows)?;
        let z = (0..rows).flat_map(|i| (0..cols).map(move |j| (i, j))).map(|(i, j)| m[(i, j)]).collect();
        Ok(Grid { xs, ys, z })
    }
}

/// Argument `i` of `contour`, the optimiser's path to draw: its points, or `None`.
fn contour_path(args: &Args<'_>, i: usize) -> Result<Option<Vec<Pt>>, BuiltinError> {
    let v = match args.get(i) {
        Value::Nothing => return Ok(None),
        Value::Record(r) => r.get("path").cloned().ok_or_else(|| {
            BuiltinError::arg(i, "this record has no `path` field")
                .with_help("give the result of an optimiser, or its `path`")
        })?,
        v => v.clone(),
    };
    let m = v.to_matrix().ok_or_else(|| BuiltinError::type_error(i, "a path: a 2×k matrix of points", &v))?;
    let pts: Vec<Pt> = if m.nrows() == 2 {
        m.column_iter().map(|c| (c[0], c[1])).collect()
    } else if m.ncols() == 2 {
        m.row_iter().map(|r| (r[0], r[1])).collect()
    } else {
        return Err(BuiltinError::arg(i, format!("a path in the plane has 2 rows (x and y), found {}", describe(&v)))
            .code("shape-mismatch")
            .with_help("a 2-D optimiser's `r.path` has one column per point; for more variables, pick two rows: path = r.path[1:2, :]"));
    };
    if pts.is_empty() {
        return Err(BuiltinError::arg(i, "the path has no points"));
    }
    if pts.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return Err(BuiltinError::arg(i, "the path has points that are not finite").code("not-finite"));
    }
    Ok(Some(pts))
}

/// The box around a path, with a margin of a sixth of its size on each side (at least 1
/// across when the path is a point).
fn around(pts: &[Pt]) -> [f64; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &(x, y) in pts {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let pad = |a: f64, b: f64| {
        let w = b - a;
        let m = if w > 0.0 { w / 6.0 } else { 0.5 * a.abs().max(1.0) };
        (a - m, b + m)
    };
    let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
    [x0, y0, x1, y1]
}

plot_builtin! {
    /// Draws contour lines (or filled contours) of a function of two variables or of a grid.
    /// `contour(f, [xmin, xmax], [ymin, ymax])` for a function, `contour(Z, x, y)` for a grid of
    /// values (row i of `Z` at y_i, column j at x_j).
    /// `levels` is how many lines (about; at round values) or the values themselves; the
    /// lines are coloured by level through `cmap` (or all in one `color`) and each is labelled
    /// with its level (`clabel = false` leaves the labels out). `filled = true` fills the
    /// bands between them instead, with a colour bar (`colorbar = false` hides it, `true`
    /// adds one to lines). `vmin`, `vmax` and `vcenter` set the colour range as in `heatmap`.
    /// `f` may take `(x, y)` or one vector; it is evaluated on an `n × n` grid. Lines end
    /// exactly at the edges of the grid.
    /// `path` draws an optimiser's iterates over the map in the same call: a 2×k matrix (one
    /// column per point, as `r.path` of `gradient_descent`, `minimize`, `newton_minimize` or
    /// `lagrange`), a k×2 matrix, or the result record itself; the start is a ring and the
    /// end a dot. Without intervals, `contour(f, path = r.path)` draws f around the path.
    /// ```mml
    /// f(x, y) = x^2 + 3 * y^2
    /// contour(f, [-2, 2], [-2, 2], levels = 8, equal = true)   # => nothing
    /// contour(f, [-2, 2], [-2, 2], levels = [1, 2, 4, 8], clabel = false, colorbar = true)   # => nothing
    /// r = gradient_descent(f, [1.8, 1], rate = 0.1, steps = 20)
    /// contour(f, path = r.path)   # => nothing
    /// ```
    pub(crate) static CONTOUR = "contour"(z, x = nothing, y = nothing, levels = 10, filled = false, cmap = str "viridis", color = nothing, n = 60, clabel = nothing, colorbar = nothing, vmin = nothing, vmax = nothing, vcenter = nothing, path = nothing), |ctx, args| {
        let opts = axes_opts(args)?;
        let map = cmap(args, 5)?;
        let color = opt_color(args, 6)?;
        let filled = args.bool(4)?;
        let clabel = if args.is_nothing(8) { !filled } else { args.bool(8)? };
        let colorbar = if args.is_nothing(9) { filled } else { args.bool(9)? };
        if colorbar && color.is_some() && !filled {
            return Err(BuiltinError::arg(9, "a colour bar needs lines coloured by level, but `color` gives them one colour")
                .with_help("leave out `color`, or `colorbar`"));
        }
        let path = contour_path(args, 13)?;
        let grid = grid_from(ctx, args, 7, path.as_deref().map(around))?;
        let extent = grid.extent();
        let Some((zmin, zmax)) = grid.range() else {
            return Err(BuiltinError::arg(0, "every value is NaN or infinite: nothing to draw").code("domain-error"));
        };
        let given: Option<Vec<f64>> = match args.get(3).as_scalar() {
            Some(_) => None,
            None => {
                let mut v = vector(args, 3)?;
                if v.iter().any(|l| !l.is_finite()) {
                    return Err(BuiltinError::arg(3, "levels must be finite"));
                }
                v.sort_by(f64::total_cmp);
                v.dedup();
                Some(v)
            }
        };
        let levels: Vec<f64> = match &given {
            Some(v) => v.clone(),
            None => {
                let k = count_in(args, 3, 1, 200)?;
                nice_ticks(zmin, zmax, k).into_iter().filter(|l| *l > zmin && *l < zmax).collect()
            }
        };
        // Lines are coloured over the range of their levels (as Matplotlib does), bands over
        // the range of the values.
        let lines_range = match (levels.first(), levels.last()) {
            (Some(&a), Some(&b)) if b > a => (a, b),
            _ => (zmin, zmax),
        };
        let norm = color_norm(args, 10, if filled { (zmin, zmax) } else { lines_range }, &map)?;
        let texts: Vec<String> = format_ticks(&levels);
        let contour_lines = |color_of: &dyn Fn(f64) -> Rgb, labelled: bool| -> Result<Vec<ContourPath>, BuiltinError> {
            let mut paths = Vec::new();
            for (level, ls) in lines(&grid, &levels).map_err(|e| BuiltinError::new("plot-error", e))? {
                let c = color_of(level);
                let label = levels.iter().position(|l| *l == level).and_then(|k| texts.get(k).cloned());
                paths.extend(ls.into_iter().map(|pts| ContourPath { pts, color: c, label: label.clone().filter(|_| labelled) }));
            }
            Ok(paths)
        };
        let mut series = Vec::new();
        if filled {
            let bounds: Vec<f64> = match &given {
                Some(v) => v.clone(),
                None => {
                    let span = if zmax > zmin { zmax - zmin } else { 1.0 };
                    let mut b = vec![zmin];
                    b.extend(&levels);
                    b.push(zmax + span * 1e-9 + f64::EPSILON);
                    b
                }
            };
            let mut polys: Vec<(Vec<Pt>, Rgb)> = Vec::new();
            if zmax == zmin {
                let e = extent;
                polys.push((vec![(e[0], e[1]), (e[2], e[1]), (e[2], e[3]), (e[0], e[3])], map.at(0.5)));
            } else {
                for (lo, hi, rings) in bands(&grid, &bounds).map_err(|e| BuiltinError::new("plot-error", e))? {
                    let c = norm.color(&map, (lo + hi) / 2.0);
                    polys.extend(rings.into_iter().map(|r| (r, c)));
                }
                polys.sort_by(|a, b| ring_area(&b.0).total_cmp(&ring_area(&a.0)));
            }
            series.push(Series::ContourBands { polys, extent });
            if clabel {
                // Labelled bands get thin grey lines at their boundaries, with the levels on them.
                let paths = contour_lines(&|_| Rgb(60, 60, 60), true)?;
                series.push(Series::ContourLines { paths, extent });
            }
        } else {
            let paths = contour_lines(&|l| color.unwrap_or_else(|| norm.color(&map, l)), clabel)?;
            series.push(Series::ContourLines { paths, extent });
        }
        if let Some(pts) = path {
            let red = Rgb(214, 39, 40);
            let (first, last) = (pts[0], pts[pts.len() - 1]);
            series.push(Series::Line { pts, color: red, width: 2, dash: Dash::Solid, marker: Some(3), label: Some("path".into()) });
            series.push(Series::Scatter { pts: vec![first], colors: vec![red], radius: 6, legend: Vec::new() });
            series.push(Series::Scatter { pts: vec![first], colors: vec![Rgb(255, 255, 255)], radius: 3, legend: Vec::new() });
            series.push(Series::Scatter { pts: vec![last], colors: vec![Rgb(20, 20, 20)], radius: 5, legend: Vec::new() });
        }
        let colorbar = (colorbar && norm.hi > norm.lo).then_some(ColorBar { cmap: map, norm });
        commit(&opts, Space::Flat, |p| {
            p.series.extend(series);
            if colorbar.is_some() {
                p.colorbar = colorbar;
            }
        })
    }
}

/// The colour scale of a colour-mapped plot over values spanning `data`, from the `vmin`,
/// `vmax` and `vcenter` arguments at `i`, `i + 1`, `i + 2`. Without them the scale spans the
/// data, except that a diverging map (`"coolwarm"`) over data of both signs is centred at 0.
fn color_norm(args: &Args<'_>, i: usize, data: (f64, f64), map: &Colormap) -> Result<Norm, BuiltinError> {
    let num = |k: usize| -> Result<Option<f64>, BuiltinError> {
        if args.is_nothing(k) {
            return Ok(None);
        }
        let v = args.num(k)?;
        if v.is_finite() {
            Ok(Some(v))
        } else {
            Err(BuiltinError::arg(k, "expected a finite number"))
        }
    };
    let (vmin, vmax, vcenter) = (num(i)?, num(i + 1)?, num(i + 2)?);
    if let (Some(a), Some(b)) = (vmin, vmax) {
        if a >= b {
            return Err(BuiltinError::arg(i + 1, format!("vmax must be greater than vmin = {}", short_number(a))));
        }
    }
    let auto_center = map.is_diverging() && vmin.is_none() && vmax.is_none() && data.0 < 0.0 && data.1 > 0.0;
    let Some(c) = vcenter.or(auto_center.then_some(0.0)) else {
        let (lo, hi) = (vmin.unwrap_or(data.0), vmax.unwrap_or(data.1));
        if lo >= hi && (vmin.is_some() || vmax.is_some()) {
            let (k, what) = if vmin.is_some() { (i, "vmin") } else { (i + 1, "vmax") };
            return Err(BuiltinError::arg(
                k,
                format!(
                    "{what} leaves no range: the values run from {} to {}",
                    short_number(data.0),
                    short_number(data.1)
                ),
            )
            .with_help("give both vmin and vmax, with vmin < vmax"));
        }
        return Ok(Norm::linear(lo, hi));
    };
    let (lo, hi) = match (vmin, vmax) {
        (None, None) => {
            let half = (data.0 - c).abs().max((data.1 - c).abs());
            let half = if half > 0.0 { half } else { 1.0 };
            (c - half, c + half)
        }
        (Some(a), None) => (a, 2.0 * c - a),
        (None, Some(b)) => (2.0 * c - b, b),
        (Some(a), Some(b)) => (a, b),
    };
    if !(lo < c && c < hi) {
        return Err(BuiltinError::arg(i + 2, format!("vcenter = {} must lie between vmin and vmax", short_number(c)))
            .with_help("give vmin < vcenter < vmax"));
    }
    Ok(Norm { lo, hi, center: Some(c) })
}

/// Tick marks for matrix rows or columns 1…n at positions `pos(k)`: all when few, else a
/// round-numbered subset.
pub(crate) fn index_ticks(n: usize, max: usize, pos: impl Fn(usize) -> f64) -> Vec<(f64, String)> {
    let picks: Vec<usize> = if n <= max {
        (1..=n).collect()
    } else {
        // Whole steps of 1, 2 or 5 × 10^k; with steps of 5 and more, 1 is marked too.
        let mut step = 1;
        while n / step > max {
            step = match step.to_string().as_bytes().first() {
                Some(b'1') => step * 2,
                Some(b'2') => step / 2 * 5,
                _ => step * 2,
            };
        }
        let mut v: Vec<usize> = (1..=n).filter(|k| k % step == 0).collect();
        if step >= 5 {
            v.insert(0, 1);
        }
        v
    };
    picks.into_iter().map(|k| (pos(k), k.to_string())).collect()
}

/// The finite range of a matrix.
fn value_range(m: &Matrix) -> (f64, f64) {
    let (lo, hi) =
        m.iter().filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

/// Adds a matrix as coloured cells: row 1 at the top, cell (i, j) centred on x = j and on the
/// row labelled i.
fn add_cells(p: &mut Panel, m: Matrix, cmap: Colormap, norm: Norm, annotate: bool, colorbar: bool) {
    let (rows, cols) = m.shape();
    let extent = [0.5, 0.5, cols as f64 + 0.5, rows as f64 + 0.5];
    p.xticks = Some(index_ticks(cols, 12, |k| k as f64));
    p.yticks = Some(index_ticks(rows, 12, |k| (rows + 1 - k) as f64));
    if colorbar {
        p.colorbar = Some(ColorBar { cmap, norm });
    }
    p.series.push(Series::Cells { values: m, extent, cmap, norm, annotate });
}

plot_builtin! {
    /// Shows a matrix as a grid of coloured cells (row 1 at the top), with a colour bar.
    /// `annotate = true` writes each value in its cell when it fits. The colours span the
    /// values, or `vmin` to `vmax`; `vcenter = c` puts c at the middle of the map (the range
    /// made symmetric about it, unless `vmin` and `vmax` are given too). A diverging map
    /// (`cmap = "coolwarm"`) over values of both signs is centred at 0 unless told otherwise.
    /// `xticks`/`yticks` name the columns and rows (`yticks = {"a", "b"}`) or pick which to mark
    /// (`xticks = [1, 5, 10]`).
    /// ```mml
    /// heatmap([1, 2; 3, 4], annotate = true, title = "A")   # => nothing
    /// heatmap([-1, 2; 3, -4], cmap = "coolwarm", xticks = {"x", "y"}, yticks = {"first", "second"})   # => nothing
    /// heatmap([1, 2; 3, 4], vmin = 0, vmax = 10)   # => nothing
    /// ```
    pub(crate) static HEATMAP = "heatmap"(M, cmap = str "viridis", annotate = false, colorbar = true, vmin = nothing, vmax = nothing, vcenter = nothing), |_ctx, args| {
        let mut opts = axes_opts(args)?;
        let m = args.matrix(0)?;
        if m.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let map = cmap(args, 1)?;
        let (annotate, colorbar) = (args.bool(2)?, args.bool(3)?);
        let norm = color_norm(args, 4, value_range(&m), &map)?;
        opts.xslots = Slots::Items((1..=m.ncols()).map(|k| k as f64).collect());
        opts.yslots = Slots::Rows(m.nrows());
        commit(&opts, Space::Flat, |p| add_cells(p, (*m).clone(), map, norm, annotate, colorbar))
    }
}

plot_builtin! {
    /// Shows a matrix as an image with square pixels.
    /// Grey by default (low values dark), or through a colour map (`cmap = "viridis"`,
    /// `"gray_r"`, …). A vector is reshaped row by
    /// row into a square image, or into `shape = [rows, cols]` (a flattened 28×28 digit, say).
    /// The grey levels (or colours) span the image's values, or `vmin` to `vmax`, with
    /// `vcenter` at the middle of the map, as in `heatmap`.
    /// ```mml
    /// imshow([0, 1, 0; 1, 1, 1; 0, 1, 0], title = "plus")   # => nothing
    /// imshow([0, 8; 8, 16], vmin = 0, vmax = 16, colorbar = true)   # => nothing
    /// ```
    pub(crate) static IMSHOW = "imshow"(M, shape = nothing, cmap = str "gray", colorbar = false, vmin = nothing, vmax = nothing, vcenter = nothing), |_ctx, args| {
        let mut opts = axes_opts(args)?;
        let m = args.matrix(0)?;
        if m.is_empty() {
            return Err(nothing_to_plot(0));
        }
        let shape = opt_shape(args, 1)?;
        let img = if m.nrows() == 1 || m.ncols() == 1 || shape.is_some() {
            let v: Vec<f64> = if m.nrows() == 1 || m.ncols() == 1 {
                m.iter().copied().collect()
            } else {
                // Row by row, as the image was flattened.
                m.transpose().iter().copied().collect()
            };
            image_from(&v, shape, 0)?
        } else {
            (*m).clone()
        };
        let map = cmap(args, 2)?;
        let colorbar = args.bool(3)?;
        let norm = color_norm(args, 4, value_range(&img), &map)?;
        opts.xslots = Slots::Items((1..=img.ncols()).map(|k| k as f64).collect());
        opts.yslots = Slots::Rows(img.nrows());
        commit(&opts, Space::Flat, |p| {
            add_cells(p, img, map, norm, false, colorbar);
            p.equal = true;
        })
    }
}

builtin! {
    /// Shows many small images in a grid, such as digits.
    /// The images are the rows of a matrix, flattened row by row (square unless
    /// `shape = [rows, cols]`), or a list of matrices. `cols` is the number of
    /// images per row (about √n by default); `titles` labels each image (a list, or a vector
    /// of numbers such as digit labels); `title` goes above the grid. Each image is scaled to
    /// its own range, unless `share = true` (one range, that of all the images) or `vmin` and
    /// `vmax` fix it; `vcenter` centres the map as in `heatmap` (a diverging map over
    /// values of both signs is centred at 0). The grid takes a figure of its own.
    /// ```mml
    /// imgrid([1, 0, 0, 1; 0, 1, 1, 0], titles = [7, 3])   # => nothing
    /// imgrid({[0, 4; 8, 16], [0, 1; 1, 0]}, share = true)   # => nothing
    /// ```
    pub(crate) static IMGRID: Plot = "imgrid"(images, cols = nothing, shape = nothing, cmap = str "gray", titles = nothing, title = nothing, figsize = nothing, file = nothing, vmin = nothing, vmax = nothing, vcenter = nothing, share = false), |ctx, args| {
        let shape = opt_shape(args, 2)?;
        let images: Vec<Matrix> = match args.get(0) {
            Value::List(items) => items
                .iter()
                .map(|v| {
                    let m = v.to_matrix().ok_or_else(|| BuiltinError::type_error(0, "a list of matrices", v))?;
                    if m.nrows() == 1 || m.ncols() == 1 {
                        image_from(&m.iter().copied().collect::<Vec<_>>(), shape, 0)
                    } else {
                        Ok((*m).clone())
                    }
                })
                .collect::<Result<_, _>>()?,
            _ => {
                let m = args.matrix(0)?;
                m.row_iter()
                    .map(|r| image_from(&r.iter().copied().collect::<Vec<_>>(), shape, 0))
                    .collect::<Result<_, _>>()?
            }
        };
        let n = images.len();
        if n == 0 || images.iter().any(|m| m.is_empty()) {
            return Err(nothing_to_plot(0));
        }
        if n > 400 {
            return Err(BuiltinError::arg(0, format!("{n} images are too many for one grid (at most 400)"))
                .with_help("show a slice, such as images[1:100, :]"));
        }
        let cols = if args.is_nothing(1) { (n as f64).sqrt().ceil() as usize } else { count_in(args, 1, 1, 400)? };
        let rows = n.div_ceil(cols);
        ctx.check_alloc(rows * cols, 1)?;
        let map = cmap(args, 3)?;
        let titles = labels(args, 4)?;
        if let Some(t) = &titles {
            if t.len() != n {
                return Err(BuiltinError::arg(4, format!("{} titles for {n} images", t.len())).code("shape-mismatch"));
            }
        }
        let suptitle = opt_str(args, 5)?;
        let size = figsize(args, 6)?;
        let file = file_opt(args, 7)?;
        let shared = if args.bool(11)? {
            let all = images.iter().map(value_range).reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
            all.unwrap_or((0.0, 1.0))
        } else {
            (f64::NAN, f64::NAN)
        };
        let norms = images
            .iter()
            .map(|img| color_norm(args, 8, if args.bool(11)? { shared } else { value_range(img) }, &map))
            .collect::<Result<Vec<_>, _>>()?;
        let to_write = with_state(|s| {
            if !s.figure().is_empty() {
                s.new_figure();
            }
            let fig = s.figure();
            fig.rows = rows;
            fig.cols = cols;
            fig.current = 0;
            fig.panels = images
                .into_iter()
                .zip(norms)
                .enumerate()
                .map(|(k, (img, norm))| {
                    let mut p = Panel { bare: true, equal: true, ..Panel::default() };
                    p.title = titles.as_ref().and_then(|t| t.get(k).cloned());
                    add_cells(&mut p, img, map, norm, false, false);
                    p
                })
                .collect();
            fig.panels.resize(rows * cols, Panel { bare: true, ..Panel::default() });
            fig.suptitle = suptitle;
            fig.locked = true;
            if size.is_some() {
                fig.size = size;
            } else {
                let side = if cols <= 5 { 160 } else { (1000 / cols as u32).max(60) };
                fig.size = Some((side * cols as u32 + 20, side * rows as u32 + if fig.suptitle.is_some() { 60 } else { 20 }));
            }
            fig.dirty = file.is_none();
            file.map(|f| (fig.clone(), f))
        });
        if let Some((fig, (path, i))) = to_write {
            write_figure(&fig, &resolve_path(&path)).map_err(|e| e.at_arg(i))?;
        }
        Ok(Value::Nothing)
    }
}

builtin! {
    /// Draws a 3-D surface, coloured by height.
    /// `surface(f, [xmin, xmax], [ymin, ymax])` draws z = f(x, y) on an `n × n` grid;
    /// `surface(Z, x, y)` draws a grid of values (row i at y_i, column j at x_j).
    /// The surface takes a panel of its own (a new figure if the current panel has a plot).
    /// ```mml
    /// surface((x, y) -> exp(-(x^2 + y^2)), [-2, 2], [-2, 2], n = 20, title = "bump")   # => nothing
    /// ```
    pub(crate) static SURFACE: Plot = "surface"(z, x = nothing, y = nothing, n = 30, cmap = str "viridis", title = nothing, figsize = nothing, file = nothing), |ctx, args| {
        let grid = grid_from(ctx, args, 3, None)?;
        let map = cmap(args, 4)?;
        let Some(range) = grid.range() else {
            return Err(BuiltinError::arg(0, "every value is NaN or infinite: nothing to draw").code("domain-error"));
        };
        let z = Matrix::from_row_slice(grid.ys.len(), grid.xs.len(), &grid.z);
        let opts = AxesOpts {
            title: opt_str(args, 5)?,
            figsize: figsize(args, 6)?,
            file: file_opt(args, 7)?,
            ..AxesOpts::default()
        };
        let series = Series::Surface { xs: grid.xs, ys: grid.ys, z, cmap: map, range };
        commit(&opts, Space::Solid, |p| p.series.push(series))
    }
}

builtin! {
    /// Starts a new figure, on which later plots draw.
    /// The previous figure stays open and is still written when the script ends (or at
    /// `show()`). `figsize = [width, height]` in
    /// pixels; `title` goes above all its panels.
    /// ```mml
    /// figure(figsize = [600, 400])   # => nothing
    /// ```
    pub(crate) static FIGURE: Plot = "figure"(figsize = nothing, title = nothing), |_ctx, args| {
        let size = figsize(args, 0)?;
        let title = opt_str(args, 1)?;
        with_state(|s| {
            let fig = s.new_figure();
            fig.size = size;
            fig.suptitle = title;
        });
        Ok(Value::Nothing)
    }
}

builtin! {
    /// Splits the current figure into a grid of panels and selects one to draw in.
    /// The grid has `rows × cols` panels; `k` counts 1, 2, … along the rows.
    /// ```mml
    /// subplot(1, 2, 1)
    /// plot(sin, 0, pi, title = "sin")   # => nothing
    /// subplot(1, 2, 2)
    /// plot(cos, 0, pi, title = "cos")   # => nothing
    /// ```
    pub(crate) static SUBPLOT: Plot = "subplot"(rows, cols, k), |_ctx, args| {
        let rows = count_in(args, 0, 1, 20)?;
        let cols = count_in(args, 1, 1, 20)?;
        let k = count_in(args, 2, 1, rows * cols)?;
        with_state(|s| {
            if s.figure().locked {
                s.new_figure();
            }
            let fig = s.figure();
            if fig.rows != rows || fig.cols != cols {
                fig.rows = rows;
                fig.cols = cols;
                fig.panels.resize(rows * cols, Panel::default());
            }
            fig.current = k - 1;
        });
        Ok(Value::Nothing)
    }
}

builtin! {
    /// Writes the current figure to a file, PNG or SVG by the extension.
    /// A relative path is resolved against `$MML_PLOT_DIR` when it is set, else the current directory. The
    /// figure stays open, so more can be drawn on it and saved again.
    /// ```mml
    /// plot([1, 4, 9, 16], title = "squares")   # => nothing
    /// savefig("squares.svg")   # => nothing
    /// ```
    pub(crate) static SAVEFIG: Plot = "savefig"(path), |_ctx, args| {
        let path = args.str(0)?;
        let fig = with_state(|s| {
            let fig = s.figure();
            if fig.is_empty() {
                return None;
            }
            fig.dirty = false;
            Some(fig.clone())
        });
        let fig = fig.ok_or_else(|| {
            BuiltinError::new("empty-figure", "nothing to save: the current figure is empty")
                .with_help("draw something first, with `plot(x, y)`, `scatter`, `contour`, …")
        })?;
        write_figure(&fig, &resolve_path(path)).map_err(|e| e.at_arg(0))?;
        Ok(Value::Nothing)
    }
}

builtin! {
    /// Writes and displays every open figure, then closes them.
    /// Each goes to its default file `mml-plot-N.png` (in `$MML_PLOT_DIR` when set); `show`
    /// prints where, shows it in the terminal when it can display images, and closes
    /// the figures: the next plot starts a new figure. Scripts need not call it: figures not
    /// yet saved are written the same way when the script ends.
    /// ```mml
    /// show()   # => nothing
    /// ```
    pub(crate) static SHOW: Plot = "show"(), |ctx, _args| {
        show_all(ctx)?;
        Ok(Value::Nothing)
    }
}
