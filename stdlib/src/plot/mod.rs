//! Plots: line plots, scatter plots, bars, histograms, contours, heat maps, images, surfaces.
//!
//! **The figure model.** Each thread (one per session) has a list of open figures and a
//! current one. Plot builtins add a series to the selected panel of the current figure, so
//! successive calls overlay (a descent path drawn on a contour map); `figure()` starts a new
//! figure and `subplot(rows, cols, k)` selects a panel of a grid. Nothing is drawn until a
//! figure is written:
//!
//! - `savefig(path)` (or the `file = …` option of any plot call) renders the current figure
//!   to a `.png` or `.svg` file; it prints nothing and the figure stays open.
//! - `show()` renders every open figure to its default file `mml-plot-N.png`, prints each
//!   path, shows them inline in a terminal that can display images, and closes them.
//! - At the end of each script or REPL input the host calls [`finish_run`], which does the
//!   same as `show()` for every figure changed since it was last written, but keeps the
//!   figures open (so in the REPL the next `plot` still draws on the same axes).
//!
//! So a script that plots and never saves gets one file per figure, written once, when it
//! ends; a script that calls `savefig` gets exactly the files it asked for.
//!
//! Default files go to `$MML_PLOT_DIR` when set, else the current directory; relative paths
//! given to `savefig` are resolved the same way. [`set_output_dir`] overrides both (tests).
//!
//! Error kinds: `io-error` (a file could not be written), `plot-error` (rendering failed),
//! `empty-figure` (saving a figure with nothing drawn).

mod builtins;
mod colormap;
mod contour;
mod figure;
mod font;
mod inline;
mod input;
mod render;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use mml_runtime::{BuiltinError, CallCtx};

pub(crate) use builtins::{
    ARROW, BAR, CONTOUR, ERRORBAR, FIGURE, FILL, HEATMAP, HIST, IMGRID, IMSHOW, PLOT, QUIVER, SAVEFIG, SCATTER, SHOW,
    SUBPLOT, SURFACE,
};
pub use inline::{inline, inline_from_env, set_inline, InlineProtocol};

use figure::Figure;

/// The open figures of this thread's session.
#[derive(Default)]
struct State {
    figures: Vec<Figure>,
    /// Index of the current figure in `figures`.
    current: Option<usize>,
    /// The number of the last figure created.
    last_id: usize,
    /// Where default files and relative paths go, overriding `MML_PLOT_DIR`.
    dir: Option<PathBuf>,
    /// Whether figures are kept in memory for the host instead of written to default files.
    capture: bool,
    /// The figures rendered for the host since it last took them.
    captured: Vec<RenderedFigure>,
}

/// A figure rendered for a host that shows images itself (a notebook).
#[derive(Clone, Debug)]
pub struct RenderedFigure {
    /// The figure's number.
    pub id: usize,
    /// A PNG at twice the figure's size, sharp on high-DPI screens.
    pub png: Vec<u8>,
    /// The size to show the PNG at, in CSS pixels: the figure's own size (half the PNG's).
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// The same figure as SVG.
    pub svg: String,
}

impl State {
    /// The current figure, created when there is none.
    fn figure(&mut self) -> &mut Figure {
        match self.current.filter(|&i| i < self.figures.len()) {
            Some(i) => &mut self.figures[i],
            None => self.new_figure(),
        }
    }

    /// Opens a new figure and makes it current.
    fn new_figure(&mut self) -> &mut Figure {
        self.last_id += 1;
        self.figures.push(Figure::new(self.last_id));
        let i = self.figures.len() - 1;
        self.current = Some(i);
        &mut self.figures[i]
    }
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Closes every figure and restarts the numbering (a fresh session on this thread).
pub fn reset() {
    with_state(|s| {
        let (dir, capture) = (s.dir.take(), s.capture);
        *s = State { dir, capture, ..State::default() };
    });
}

/// On this thread, keeps the figures that `show()` and the end of a run would write to their
/// default files in memory instead, as PNG and SVG, for the host to take with
/// [`take_figures`] and display (a notebook kernel). `savefig` still writes its files.
pub fn set_capture(on: bool) {
    with_state(|s| s.capture = on);
}

/// MML's logo as a `size`×`size` PNG (the notebook kernel's icon).
pub fn logo_png(size: u32) -> Result<Vec<u8>, String> {
    render::logo_png(size)
}

/// The figures rendered since the last call, in the order they were shown.
pub fn take_figures() -> Vec<RenderedFigure> {
    with_state(|s| std::mem::take(&mut s.captured))
}

/// Sends default plot files and relative `savefig` paths to `dir` on this thread
/// (`None`: back to `$MML_PLOT_DIR` or the current directory). Used by tests.
pub fn set_output_dir(dir: Option<PathBuf>) {
    with_state(|s| s.dir = dir);
}

/// The directory default files go to, if not the current directory.
fn output_dir() -> Option<PathBuf> {
    with_state(|s| s.dir.clone())
        .or_else(|| std::env::var_os("MML_PLOT_DIR").filter(|d| !d.is_empty()).map(PathBuf::from))
}

/// A user's path, resolved against the output directory when relative.
fn resolve_path(path: &str) -> PathBuf {
    let p = Path::new(path);
    match output_dir() {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p.to_path_buf(),
    }
}

/// The default file of figure `id`.
fn default_path(id: usize) -> PathBuf {
    let name = format!("mml-plot-{id}.png");
    match output_dir() {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    }
}

/// The file format, from the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Png,
    Svg,
}

fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "png" => Some(Format::Png),
        "svg" => Some(Format::Svg),
        _ => None,
    }
}

/// Renders `fig` into the file at `path` (format from its extension). Returns the PNG when
/// one was made, for inline display.
fn write_figure(fig: &Figure, path: &Path) -> Result<Option<render::Png>, BuiltinError> {
    let format = format_of(path).ok_or_else(|| {
        BuiltinError::new("invalid-argument", format!("cannot tell the image format of `{}`", path.display()))
            .with_help("use a file name ending in .png or .svg")
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|e| io_error(path, &e))?;
        }
    }
    match format {
        Format::Png => {
            let png = render::render_png(fig).map_err(|e| BuiltinError::new("plot-error", e))?;
            std::fs::write(path, &png.bytes).map_err(|e| io_error(path, &e))?;
            Ok(Some(png))
        }
        Format::Svg => {
            let svg = render::render_svg(fig).map_err(|e| BuiltinError::new("plot-error", e))?;
            std::fs::write(path, svg).map_err(|e| io_error(path, &e))?;
            Ok(None)
        }
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> BuiltinError {
    BuiltinError::new("io-error", format!("cannot write `{}`: {e}", path.display()))
}

/// Writes figure `fig` to its default file and reports it: the path line, and the image
/// inline when the terminal shows images.
fn show_figure(fig: &Figure, protocol: Option<InlineProtocol>, out: &mut dyn FnMut(&str)) -> Result<(), BuiltinError> {
    if with_state(|s| s.capture) {
        let rendered = capture_figure(fig)?;
        with_state(|s| s.captured.push(rendered));
        return Ok(());
    }
    let path = default_path(fig.id);
    let png = write_figure(fig, &path)?;
    if let (Some(protocol), Some(png)) = (protocol, png) {
        out(&inline::escape_sequence(protocol, &png.bytes, &png.rgb, png.width, png.height));
    }
    out(&format!("figure {} saved to {}\n", fig.id, path.display()));
    Ok(())
}

/// Renders `fig` for the host: a PNG at twice its size and an SVG.
fn capture_figure(fig: &Figure) -> Result<RenderedFigure, BuiltinError> {
    let png = render::render_png_at(fig, 2).map_err(|e| BuiltinError::new("plot-error", e))?;
    let svg = render::render_svg(fig).map_err(|e| BuiltinError::new("plot-error", e))?;
    let (width, height) = fig.pixel_size();
    Ok(RenderedFigure { id: fig.id, png: png.bytes, width, height, svg })
}

/// Ends a run (a script, a `-e` snippet, one REPL input): every open figure changed since it
/// was last written goes to its default file, `mml-plot-N.png`, with its path written to
/// `out` (and the image itself, inline, when [`set_inline`] chose a protocol). Figures stay
/// open. Returns the first error (a file that could not be written), after trying them all.
pub fn finish_run(out: &mut dyn FnMut(&str)) -> Result<(), String> {
    finish_run_with(inline::inline(), out)
}

/// [`finish_run`] with a given inline protocol.
fn finish_run_with(protocol: Option<InlineProtocol>, out: &mut dyn FnMut(&str)) -> Result<(), String> {
    let pending: Vec<Figure> = with_state(|s| {
        let mut v = Vec::new();
        for f in s.figures.iter_mut().filter(|f| f.dirty && !f.is_empty()) {
            f.dirty = false;
            v.push(f.clone());
        }
        v
    });
    let mut first_error = None;
    for fig in &pending {
        if let Err(e) = show_figure(fig, protocol, out) {
            if first_error.is_none() {
                first_error = Some(match e {
                    BuiltinError::Message { message, .. } => message,
                    BuiltinError::Raised(e) => format!("{e:?}"),
                });
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// `show()`: every open figure with something drawn goes to its default file (and inline);
/// then all figures are closed.
fn show_all(ctx: &mut dyn CallCtx) -> Result<(), BuiltinError> {
    let figures: Vec<Figure> = with_state(|s| {
        s.current = None;
        std::mem::take(&mut s.figures)
    });
    for fig in figures.iter().filter(|f| !f.is_empty()) {
        show_figure(fig, inline::inline(), &mut |t| ctx.write(t))?;
    }
    Ok(())
}
