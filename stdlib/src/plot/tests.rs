//! Tests of the plots: scripts run through a real session, rendered to PNG and SVG in a
//! temporary folder, and checked the way a person would look at them (pixel colours at
//! data coordinates, texts in the SVG), never against golden images.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use mml_runtime::{Library, Session};

use super::colormap::{cycle, Rgb, VIRIDIS_MAP};
use super::contour::{lines, Grid};
use super::inline::{base64, detect, escape_sequence, InlineProtocol};

/// A fresh temporary folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    // One folder per test, reused (emptied) by the next run, so runs leave nothing behind.
    let dir = std::env::temp_dir().join("mml-plot-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The standard library without its end-of-run step, so that tests call `finish_run`
/// themselves and see exactly what it writes.
static LIBRARY_WITHOUT_RUN_END: Library = Library {
    builtins: crate::BUILTINS,
    constants: &crate::math::CONSTANTS,
    on_new_session: Some(crate::new_session),
    on_run_end: None,
    foreign: crate::foreign::FOREIGN,
};

/// What a script printed, and its rendered error (empty when it succeeded).
fn run_result(dir: &Path, src: &str) -> (String, String) {
    super::reset();
    super::set_output_dir(Some(dir.to_path_buf()));
    let out = Rc::new(RefCell::new(String::new()));
    let sink = out.clone();
    let mut s = Session::new(&LIBRARY_WITHOUT_RUN_END, Box::new(move |t: &str| sink.borrow_mut().push_str(t)));
    let outcome = s.run("<test>", src);
    let diags: String = outcome.diagnostics.iter().map(|d| d.render(s.sources(), false)).collect();
    let text = out.borrow().clone();
    (text, diags)
}

/// Runs `src` with plots going to `dir`; returns the output. Fails the test on an error.
#[track_caller]
fn run(dir: &Path, src: &str) -> String {
    let (out, diags) = run_result(dir, src);
    assert!(diags.is_empty(), "script failed:\n{diags}");
    out
}

/// Runs `src`, which must fail with an error of kind `code`.
#[track_caller]
fn run_err(src: &str, code: &str) -> String {
    let (_, diags) = run_result(&temp_dir("errors"), src);
    assert!(diags.contains(&format!("[{code}]")), "expected a `{code}` error from {src:?}, got:\n{diags}");
    diags
}

/// A decoded PNG.
struct Image {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
}

fn load(path: &Path) -> Image {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    Image { w: info.width as usize, h: info.height as usize, rgb: buf }
}

const FRAME: Rgb = Rgb(60, 60, 60);
const WHITE: Rgb = Rgb(255, 255, 255);

impl Image {
    fn at(&self, x: usize, y: usize) -> Rgb {
        let i = (y * self.w + x) * 3;
        Rgb(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// Whether some pixel within `r` of `(x, y)` has colour `c` (±12 per channel).
    fn near(&self, (x, y): (usize, usize), r: usize, c: Rgb) -> bool {
        let close = |a: u8, b: u8| a.abs_diff(b) <= 12;
        (y.saturating_sub(r)..=(y + r).min(self.h - 1)).any(|yy| {
            (x.saturating_sub(r)..=(x + r).min(self.w - 1)).any(|xx| {
                let p = self.at(xx, yy);
                close(p.0, c.0) && close(p.1, c.1) && close(p.2, c.2)
            })
        })
    }

    /// The axes frame `(left, top, right, bottom)`, found as a person would: walking out from
    /// the middle of the image to the dark frame lines.
    fn frame(&self) -> (usize, usize, usize, usize) {
        let (cx, cy) = (self.w / 2, self.h / 2);
        let left = (0..cx).rev().find(|&x| self.at(x, cy) == FRAME).unwrap();
        let right = (cx..self.w).find(|&x| self.at(x, cy) == FRAME).unwrap();
        let top = (0..cy).rev().find(|&y| self.at(cx, y) == FRAME).unwrap();
        let bottom = (cy..self.h).find(|&y| self.at(cx, y) == FRAME).unwrap();
        (left, top, right, bottom)
    }

    /// The pixel of data point `(x, y)` for axes limits `[x0, x1] × [y0, y1]`.
    fn pixel(&self, lim: (f64, f64, f64, f64), (x, y): (f64, f64)) -> (usize, usize) {
        let (l, t, r, b) = self.frame();
        let px = l as f64 + (x - lim.0) / (lim.1 - lim.0) * (r - l) as f64;
        let py = b as f64 - (y - lim.2) / (lim.3 - lim.2) * (b - t) as f64;
        (px.round() as usize, py.round() as usize)
    }
}

/// The texts of an SVG's `<text>` elements.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
        .collect()
}

#[test]
fn a_line_is_drawn_through_its_data_points_on_a_white_background() {
    let dir = temp_dir("line");
    run(
        &dir,
        r#"plot([0, 10], [0, 10], color = "red", xlim = [0, 10], ylim = [0, 10], figsize = [400, 300])
           savefig("line.png")"#,
    );
    let img = load(&dir.join("line.png"));
    assert_eq!((img.w, img.h), (400, 300));
    let red = super::colormap::parse_color("red").unwrap();
    assert_eq!(img.at(2, 2), WHITE, "background");
    let lim = (0.0, 10.0, 0.0, 10.0);
    for k in 1..10 {
        let p = img.pixel(lim, (f64::from(k), f64::from(k)));
        assert!(img.near(p, 2, red), "the line passes through ({k}, {k}) at pixel {p:?}");
    }
    // Off the line: the point (2, 8) is background (or a grid line), not red.
    assert!(!img.near(img.pixel(lim, (2.0, 8.0)), 3, red));
}

#[test]
fn overlaid_calls_share_one_figure_and_a_function_plot_follows_its_graph() {
    let dir = temp_dir("overlay");
    run(
        &dir,
        r#"f(x) = x^2
           plot(f, 0, 2, xlim = [0, 2], ylim = [0, 4])
           scatter([1.5], [0.5], markersize = 6)
           savefig("overlay.png")"#,
    );
    let img = load(&dir.join("overlay.png"));
    let lim = (0.0, 2.0, 0.0, 4.0);
    for x in [0.5, 1.0, 1.5] {
        assert!(img.near(img.pixel(lim, (x, x * x)), 2, cycle(0)), "the graph of x² at x = {x}");
    }
    assert!(img.near(img.pixel(lim, (1.5, 0.5)), 2, cycle(1)), "the second series takes the second colour");
    // One figure: nothing else was written.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn scatter_colours_points_by_class_and_lists_the_classes_in_the_legend() {
    let dir = temp_dir("scatter");
    run(
        &dir,
        r#"scatter([1, 2, 3, 4], [1, 2, 3, 4], c = [5, 5, 9, 9], label = "digit", xlim = [0, 5], ylim = [0, 5])
           savefig("s.png")
           savefig("s.svg")"#,
    );
    let img = load(&dir.join("s.png"));
    let lim = (0.0, 5.0, 0.0, 5.0);
    assert!(img.near(img.pixel(lim, (1.0, 1.0)), 1, cycle(0)));
    assert!(img.near(img.pixel(lim, (2.0, 2.0)), 1, cycle(0)));
    assert!(img.near(img.pixel(lim, (3.0, 3.0)), 1, cycle(1)));
    assert!(img.near(img.pixel(lim, (4.0, 4.0)), 1, cycle(1)));
    let texts = svg_texts(&std::fs::read_to_string(dir.join("s.svg")).unwrap());
    assert!(texts.contains(&"digit 5".to_string()) && texts.contains(&"digit 9".to_string()), "{texts:?}");
}

#[test]
fn the_svg_holds_the_title_axis_labels_and_tick_labels() {
    let dir = temp_dir("svg");
    run(
        &dir,
        r#"plot([0, 10], [0, 1], title = "Learning curve", xlabel = "epoch", ylabel = "loss", xlim = [0, 10], ylim = [0, 1])
           savefig("c.svg")"#,
    );
    let svg = std::fs::read_to_string(dir.join("c.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    let texts = svg_texts(&svg);
    for t in ["Learning curve", "epoch", "loss", "0", "2", "4", "6", "8", "10", "0.2", "0.4", "1"] {
        assert!(texts.iter().any(|x| x == t), "{t:?} missing from {texts:?}");
    }
}

#[test]
fn a_heatmap_shows_each_cell_in_its_colour_with_row_one_on_top() {
    let dir = temp_dir("heat");
    run(&dir, r#"heatmap([1, 2; 3, 4], colorbar = false, figsize = [400, 400], file = "h.png")"#);
    let img = load(&dir.join("h.png"));
    let (l, t, r, b) = img.frame();
    let (qx, qy) = ((r - l) / 4, (b - t) / 4);
    assert_eq!(img.at(l + qx, t + qy), VIRIDIS_MAP.at(0.0), "A[1, 1] = 1 is the lowest colour, top left");
    assert_eq!(img.at(r - qx, b - qy), VIRIDIS_MAP.at(1.0), "A[2, 2] = 4 is the highest, bottom right");
    assert_eq!(img.at(r - qx, t + qy), VIRIDIS_MAP.at(1.0 / 3.0), "A[1, 2] = 2");
}

#[test]
fn imshow_draws_grey_levels_with_square_pixels() {
    let dir = temp_dir("imshow");
    run(&dir, r#"imshow([0, 1; 1, 0.5], file = "i.png")"#);
    let img = load(&dir.join("i.png"));
    let (l, t, r, b) = img.frame();
    assert!(((r - l) as i64 - (b - t) as i64).abs() <= 2, "a 2×2 image is drawn square: {:?}", (l, t, r, b));
    let (qx, qy) = ((r - l) / 4, (b - t) / 4);
    assert_eq!(img.at(l + qx, t + qy), Rgb(0, 0, 0), "0 is black");
    assert_eq!(img.at(r - qx, t + qy), Rgb(255, 255, 255), "the largest value is white");
    assert_eq!(img.at(r - qx, b - qy), Rgb(128, 128, 128), "the middle value is mid-grey");
}

#[test]
fn bars_rise_from_zero_to_their_heights() {
    let dir = temp_dir("bar");
    run(
        &dir,
        r#"bar([2, 4], ticks = {"low", "high"}, color = "green", ylim = [0, 5], file = "b.svg")
                 savefig("b.png")"#,
    );
    let img = load(&dir.join("b.png"));
    let green = super::colormap::parse_color("green").unwrap();
    // Bars at x = 1, 2 with width 0.8; padded x limits are 0.6 - 0.07 … 2.4 + 0.07.
    let lim = (0.6 - 0.09, 2.4 + 0.09, 0.0, 5.0);
    assert_eq!(img.at(img.pixel(lim, (1.0, 1.0)).0, img.pixel(lim, (1.0, 1.0)).1), green);
    assert_eq!(img.at(img.pixel(lim, (2.0, 3.5)).0, img.pixel(lim, (2.0, 3.5)).1), green);
    assert_ne!(img.at(img.pixel(lim, (1.0, 3.0)).0, img.pixel(lim, (1.0, 3.0)).1), green, "above the first bar");
    let texts = svg_texts(&std::fs::read_to_string(dir.join("b.svg")).unwrap());
    assert!(texts.contains(&"low".to_string()) && texts.contains(&"high".to_string()));
}

#[test]
fn filled_contours_colour_the_peak_with_the_top_of_the_map() {
    let dir = temp_dir("contourf");
    run(&dir, r#"contour((x, y) -> -(x^2 + y^2), [-1, 1], [-1, 1], filled = true, file = "f.png")"#);
    let img = load(&dir.join("f.png"));
    let lim = (-1.0, 1.0, -1.0, 1.0);
    let top = img.at(img.pixel(lim, (0.0, 0.0)).0, img.pixel(lim, (0.0, 0.0)).1);
    let corner = img.at(img.pixel(lim, (-0.97, -0.97)).0, img.pixel(lim, (-0.97, -0.97)).1);
    // The band colours are taken at band middles: near the ends of the map, not at them.
    let lum = |c: Rgb| c.luminance();
    assert!(lum(top) > 0.7, "the peak is yellow-ish: {top:?}");
    assert!(lum(corner) < 0.2, "the corners are dark purple: {corner:?}");
}

#[test]
fn contour_lines_of_a_plane_are_straight_and_reach_the_grid_edges() {
    let xs: Vec<f64> = (0..11).map(|k| f64::from(k) / 10.0).collect();
    let grid = Grid { xs: xs.clone(), ys: xs.clone(), z: xs.iter().flat_map(|_| xs.iter().copied()).collect() };
    let found = lines(&grid, &[0.55]).unwrap();
    assert_eq!(found.len(), 1);
    let paths = &found[0].1;
    assert_eq!(paths.len(), 1, "one line, not a ring around the padding: {paths:?}");
    let path = &paths[0];
    for p in path {
        assert!((p.0 - 0.55).abs() < 1e-12, "x = 0.55 along the line: {p:?}");
    }
    let ys: Vec<f64> = path.iter().map(|p| p.1).collect();
    let (lo, hi) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| (a.min(y), b.max(y)));
    assert_eq!((lo, hi), (0.0, 1.0), "the line runs exactly from the bottom edge to the top edge");
}

#[test]
fn contour_lines_of_a_bowl_never_run_along_the_border() {
    let xs: Vec<f64> = (0..21).map(|k| -1.0 + f64::from(k) / 10.0).collect();
    let z = xs.iter().flat_map(|y| xs.iter().map(move |x| x * x + y * y)).collect();
    let grid = Grid { xs: xs.clone(), ys: xs.clone(), z };
    // Level 0.5 is a closed circle inside; level 1.5 cuts the four corners.
    let found = lines(&grid, &[0.5, 1.5]).unwrap();
    let circle = &found[0].1;
    assert_eq!(circle.len(), 1);
    assert_eq!(circle[0].first(), circle[0].last(), "the circle closes");
    for p in &circle[0] {
        let r = (p.0 * p.0 + p.1 * p.1).sqrt();
        assert!((r - 0.5f64.sqrt()).abs() < 0.02, "on the circle of radius √0.5: {p:?} (r = {r})");
    }
    let arcs = &found[1].1;
    assert_eq!(arcs.len(), 4, "four corner arcs");
    for arc in arcs {
        for p in arc {
            assert!(p.0.abs() <= 1.0 && p.1.abs() <= 1.0, "inside the grid: {p:?}");
        }
        for w in arc.windows(2) {
            let on_edge = |v: f64| (v.abs() - 1.0).abs() < 1e-12;
            let along_x_edge = on_edge(w[0].0) && on_edge(w[1].0) && w[0].0 == w[1].0;
            let along_y_edge = on_edge(w[0].1) && on_edge(w[1].1) && w[0].1 == w[1].1;
            assert!(!along_x_edge && !along_y_edge, "a segment runs along the border: {w:?}");
        }
        let ends = [arc[0], arc[arc.len() - 1]];
        for e in ends {
            assert!(
                (e.0.abs() - 1.0).abs() < 1e-12 || (e.1.abs() - 1.0).abs() < 1e-12,
                "arcs end on the border: {e:?}"
            );
            assert!((e.0 * e.0 + e.1 * e.1 - 1.5).abs() < 0.02, "ends are on the level set: {e:?}");
        }
    }
}

#[test]
fn unsaved_figures_are_written_when_the_run_ends_and_saved_ones_are_not() {
    let dir = temp_dir("finish");
    let out = run(
        &dir,
        r#"plot([1, 2, 3])
           figure()
           plot([3, 2, 1])
           savefig("second.png")
           figure()"#,
    );
    assert_eq!(out, "");
    let mut printed = String::new();
    super::finish_run_with(None, &mut |t| printed.push_str(t)).unwrap();
    let expected = dir.join("mml-plot-1.png");
    assert_eq!(printed, format!("figure 1 saved to {}\n", expected.display()));
    assert!(expected.exists() && dir.join("second.png").exists());
    assert!(!dir.join("mml-plot-2.png").exists(), "figure 2 was saved by the script");
    assert!(!dir.join("mml-plot-3.png").exists(), "figure 3 is empty");
    // Nothing changed since: the next run end writes nothing.
    let mut again = String::new();
    super::finish_run_with(None, &mut |t| again.push_str(t)).unwrap();
    assert_eq!(again, "");
}

#[test]
fn show_writes_every_figure_inline_too_and_closes_them() {
    let dir = temp_dir("show");
    let out = run(&dir, "plot([1, 2])\nfigure()\nbar([1, 2])\nshow()\nplot([2, 1])");
    assert_eq!(
        out,
        format!(
            "figure 1 saved to {}\nfigure 2 saved to {}\n",
            dir.join("mml-plot-1.png").display(),
            dir.join("mml-plot-2.png").display()
        )
    );
    // After show, the next plot starts figure 3; with kitty on, it is sent inline.
    let mut printed = String::new();
    super::finish_run_with(Some(InlineProtocol::Kitty), &mut |t| printed.push_str(t)).unwrap();
    assert!(printed.starts_with("\x1b_Ga=T,f=100,"), "{:?}", &printed[..20.min(printed.len())]);
    assert!(printed.ends_with(&format!("figure 3 saved to {}\n", dir.join("mml-plot-3.png").display())));
}

#[test]
fn subplots_put_each_panel_in_its_own_cell() {
    let dir = temp_dir("subplot");
    run(
        &dir,
        r#"subplot(1, 2, 1)
           plot([0, 1], [0, 1], color = "red")
           subplot(1, 2, 2)
           plot([0, 1], [0, 1], color = "blue")
           savefig("s.png")"#,
    );
    let img = load(&dir.join("s.png"));
    let count = |c: Rgb, xs: std::ops::Range<usize>| {
        xs.flat_map(|x| (0..img.h).map(move |y| (x, y))).filter(|&(x, y)| img.at(x, y) == c).count()
    };
    let (red, blue) = (super::colormap::parse_color("red").unwrap(), super::colormap::parse_color("blue").unwrap());
    let half = img.w / 2;
    assert!(count(red, 0..half) > 100 && count(red, half..img.w) == 0);
    assert!(count(blue, half..img.w) > 100 && count(blue, 0..half) == 0);
}

#[test]
fn image_grids_surfaces_quivers_and_the_rest_render() {
    let dir = temp_dir("misc");
    run(
        &dir,
        r#"imgrid({[1, 0; 0, 1], [0, 1; 1, 0]}, titles = {"a", "b"}, title = "grid", file = "g.png")
           surface((x, y) -> x * y, [-1, 1], [-1, 1], n = 8, file = "surf.svg")
           figure()
           quiver((x, y) -> [x, y], [-1, 1], [-1, 1], n = 5)
           arrow([1, 1], label = "v")
           errorbar([1, 2], [1, 2], 0.5)
           fill([0, 1, 1], [0, 0, 1], alpha = 0.5)
           hist([1, 2, 2, 3], bins = 3)
           savefig("m.svg")"#,
    );
    let g = load(&dir.join("g.png"));
    assert!(g.w > 100 && g.h > 100);
    let texts = svg_texts(&std::fs::read_to_string(dir.join("m.svg")).unwrap());
    assert!(texts.contains(&"v".to_string()));
    assert!(std::fs::read_to_string(dir.join("surf.svg")).unwrap().contains("<polygon"));
}

#[test]
fn bad_inputs_are_errors_that_point_at_the_argument() {
    run_err("plot([1, 2, 3], [1, 2])", "shape-mismatch");
    run_err("plot(sin)", "invalid-argument");
    run_err("plot(sin, 1, 0)", "invalid-argument");
    run_err("plot((x) -> [x, x], 0, 1)", "invalid-argument");
    run_err(r#"plot([1, 2], color = "blurple")"#, "invalid-argument");
    run_err(r#"plot([1, 2], style = "~")"#, "invalid-argument");
    run_err(r#"plot([1, 2], xlim = [1, 0])"#, "invalid-argument");
    run_err("plot([])", "shape-mismatch");
    run_err(
        r#"plot([1, 2])
               savefig("x.jpg")"#,
        "invalid-argument",
    );
    run_err(r#"savefig("empty.png")"#, "empty-figure");
    run_err("scatter([1, 2, 3])", "shape-mismatch");
    run_err("scatter([1, 2], [1, 2], c = [1, 2, 3])", "shape-mismatch");
    run_err("hist([1, inf])", "domain-error");
    run_err("hist([1, 2], bins = [2, 1])", "invalid-argument");
    run_err("contour((x, y) -> nan, [0, 1], [0, 1])", "domain-error");
    run_err("contour([1, 2, 3])", "shape-mismatch");
    run_err(r#"heatmap([1, 2], cmap = "rainbow")"#, "invalid-argument");
    run_err("imshow([1, 2, 3])", "invalid-argument");
    run_err("imgrid(zeros(401, 4))", "invalid-argument");
    run_err("subplot(2, 2, 5)", "invalid-argument");
    run_err("figure(figsize = [10, 10])", "invalid-argument");
    run_err("errorbar([1, 2], [1, 2], [-1, 1])", "invalid-argument");
    let diag = run_err(r#"plot([1, 2], color = "blurple")"#, "invalid-argument");
    assert!(diag.contains("\"blurple\"") && diag.contains("#rrggbb"), "{diag}");
}

#[test]
fn a_file_in_a_missing_folder_is_created_and_an_unwritable_path_is_an_io_error() {
    let dir = temp_dir("folders");
    run(&dir, r#"plot([1, 2], file = "sub/dir/p.png")"#);
    assert!(dir.join("sub/dir/p.png").exists());
    std::fs::write(dir.join("blocker"), "x").unwrap();
    let (_, diags) = run_result(&dir, r#"plot([1, 2], file = "blocker/p.png")"#);
    assert!(diags.contains("[io-error]"), "{diags}");
}

#[test]
fn inline_protocols_are_chosen_from_the_environment_only() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()).unwrap_or_default()
    };
    assert_eq!(detect(&env(&[("KITTY_WINDOW_ID", "1")])), Some(InlineProtocol::Kitty));
    assert_eq!(detect(&env(&[("TERM", "xterm-kitty")])), Some(InlineProtocol::Kitty));
    assert_eq!(detect(&env(&[("TERM_PROGRAM", "iTerm.app")])), Some(InlineProtocol::Iterm));
    assert_eq!(detect(&env(&[("TERM", "foot")])), Some(InlineProtocol::Sixel));
    assert_eq!(detect(&env(&[("TERM", "xterm-256color")])), None);
    assert_eq!(detect(&env(&[("TERM", "xterm-kitty"), ("TMUX", "/tmp/x")])), None);
    assert_eq!(detect(&env(&[("TERM", "xterm-kitty"), ("MML_INLINE_IMAGES", "none")])), None);
    assert_eq!(detect(&env(&[("MML_INLINE_IMAGES", "sixel")])), Some(InlineProtocol::Sixel));
}

#[test]
fn inline_escape_sequences_are_well_formed() {
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
    assert_eq!(base64(b"M"), "TQ==");
    assert_eq!(base64(b""), "");
    // kitty: chunks of at most 4096 base64 characters, all but the last flagged m=1.
    let png = vec![7u8; 6000];
    let k = escape_sequence(InlineProtocol::Kitty, &png, &[], 0, 0);
    let chunks: Vec<&str> = k.trim_end().split("\x1b\\").filter(|c| !c.is_empty()).collect();
    assert_eq!(chunks.len(), 2);
    assert!(chunks[0].starts_with("\x1b_Ga=T,f=100,m=1;") && chunks[1].starts_with("\x1b_Gm=0;"));
    let payload: String = chunks.iter().map(|c| c.split_once(';').unwrap().1).collect();
    assert_eq!(payload, base64(&png));
    let i = escape_sequence(InlineProtocol::Iterm, b"abc", &[], 0, 0);
    assert_eq!(i, "\x1b]1337;File=inline=1;size=3;preserveAspectRatio=1:YWJj\x07\n");
    // sixel: a 2×7 image, red on top of blue: two bands of six rows.
    let mut rgb = Vec::new();
    for row in 0..7 {
        for _ in 0..2 {
            rgb.extend(if row < 3 { [255, 0, 0] } else { [0, 0, 255] });
        }
    }
    let s = escape_sequence(InlineProtocol::Sixel, &[], &rgb, 2, 7);
    assert!(s.starts_with("\x1bPq\"1;1;2;7") && s.ends_with("\x1b\\\n"));
    assert_eq!(s.matches('-').count(), 2, "two bands");
    // Red (index 5·7·6 = 210) covers rows 0-2 of band 1 (bits 0b000111 → '?' + 7 = 'F').
    assert!(s.contains("#210FF"), "{s:?}");
}

#[test]
fn a_plot_after_an_image_grid_or_on_a_surface_starts_a_new_figure() {
    let dir = temp_dir("lock");
    run(
        &dir,
        r#"imgrid({[1, 0; 0, 1]})
           plot([1, 2])
           surface((x, y) -> x + y, [0, 1], [0, 1], n = 4)
           contour((x, y) -> x + y, [0, 1], [0, 1])"#,
    );
    let mut printed = String::new();
    super::finish_run_with(None, &mut |t| printed.push_str(t)).unwrap();
    let figures: Vec<&str> = printed.lines().map(|l| l.split(" saved").next().unwrap()).collect();
    assert_eq!(figures, ["figure 1", "figure 2", "figure 3", "figure 4"], "{printed}");
}

#[test]
fn matrix_index_ticks_use_round_steps() {
    let ticks = |n| super::builtins::index_ticks(n, 12, |k| k as f64).into_iter().map(|t| t.1).collect::<Vec<_>>();
    assert_eq!(ticks(3), ["1", "2", "3"]);
    assert_eq!(ticks(28), ["1", "5", "10", "15", "20", "25"]);
    assert_eq!(ticks(20), ["2", "4", "6", "8", "10", "12", "14", "16", "18", "20"]);
}

#[test]
fn an_image_larger_than_its_axes_is_sampled_per_pixel() {
    let dir = temp_dir("bigimage");
    // 300×600 cells in a 300×200 figure: left half 0 (black), right half 1 (white).
    run(&dir, r#"imshow([zeros(300, 300), ones(300, 300)], figsize = [300, 200], file = "big.png")"#);
    let img = load(&dir.join("big.png"));
    let (l, t, r, b) = img.frame();
    let y = (t + b) / 2;
    assert_eq!(img.at(l + (r - l) / 4, y), Rgb(0, 0, 0));
    assert_eq!(img.at(r - (r - l) / 4, y), Rgb(255, 255, 255));
}

#[test]
fn captured_figures_stay_in_memory_at_twice_the_size() {
    let dir = temp_dir("capture");
    super::set_capture(true);
    let (out, diags) = run_result(&dir, "plot([1, 2, 3], [1, 4, 9])\nfigure()\nscatter([1, 2], [2, 1])\nshow()");
    super::set_capture(false);
    assert!(diags.is_empty(), "{diags}");
    assert_eq!(out, "", "no `figure N saved to` lines");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no files written");
    let figures = super::take_figures();
    assert_eq!(figures.iter().map(|f| f.id).collect::<Vec<_>>(), vec![1, 2]);
    for f in &figures {
        let mut reader = png::Decoder::new(std::io::Cursor::new(&f.png)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (2 * f.width, 2 * f.height));
        assert!(f.svg.starts_with("<svg") && f.svg.contains(&format!("width=\"{}\"", f.width)), "{}", &f.svg[..80]);
    }
    assert!(super::take_figures().is_empty(), "taken once");
}

/// The texts of an SVG's `<text>` elements with their anchor positions `(x, y)`.
fn svg_text_positions(svg: &str) -> Vec<(String, f64, f64)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (attrs, rest) = t.split_once('>')?;
            let attr = |name: &str| -> Option<f64> {
                let v = attrs.split(&format!(" {name}=\"")).nth(1)?.split('"').next()?;
                v.parse().ok()
            };
            Some((rest.split_once("</text>")?.0.trim().to_string(), attr("x")?, attr("y")?))
        })
        .collect()
}

fn reddish(c: Rgb) -> bool {
    i32::from(c.0) - i32::from(c.1) > 40 && i32::from(c.0) - i32::from(c.2) > 40
}

#[test]
fn a_log_axis_spaces_powers_of_ten_equally_and_draws_data_by_its_logarithm() {
    let dir = temp_dir("log");
    run(
        &dir,
        r#"plot([10, 100, 1000], [1, 2, 3], color = "red", style = "o", xscale = "log", figsize = [500, 400], file = "l.png")
           savefig("l.svg")"#,
    );
    let texts = svg_text_positions(&std::fs::read_to_string(dir.join("l.svg")).unwrap());
    let x_of =
        |t: &str| texts.iter().find(|(s, _, _)| s == t).map(|p| p.1).unwrap_or_else(|| panic!("{t} in {texts:?}"));
    let (a, b, c) = (x_of("10"), x_of("100"), x_of("1000"));
    assert!(a < b && b < c, "{a} {b} {c}");
    assert!(((b - a) - (c - b)).abs() <= 1.0, "10, 100, 1000 equally spaced: {a}, {b}, {c}");
    // The points sit at their logarithms: limits are log10 1…3, padded by 5%.
    let img = load(&dir.join("l.png"));
    let red = super::colormap::parse_color("red").unwrap();
    let lim = (0.9, 3.1, 0.9, 3.1);
    for (k, x) in [1.0, 2.0, 3.0].into_iter().enumerate() {
        let p = img.pixel(lim, (x, (k + 1) as f64));
        assert!(img.near(p, 2, red), "point {k} at pixel {p:?}");
    }
    // Halfway between 10 and 100 on the axis is √1000 ≈ 31.6, not 55: nothing is drawn there.
    assert!(!img.near(img.pixel(lim, (55f64.log10(), 1.5)), 3, red));
}

#[test]
fn non_positive_values_on_a_log_axis_are_an_error_at_the_scale_argument() {
    let d = run_err(r#"plot([1, 2, 3], [0, 1, 2], yscale = "log")"#, "domain-error");
    assert!(d.contains("the y values include 0") && d.contains("yscale = \"linear\""), "{d}");
    // The error points at the yscale argument.
    assert!(d.lines().any(|l| l.contains("yscale = \"log\"")), "{d}");
    run_err(r#"plot([-1, 2], [1, 2], xscale = "log")"#, "domain-error");
    let d = run_err(r#"plot([1, 2], xscale = "logit")"#, "invalid-argument");
    assert!(d.contains("\"linear\" or \"log\""), "{d}");
    run_err(r#"heatmap([1, 2; 3, 4], yscale = "log")"#, "invalid-argument");
    // A later call cannot turn an axis with non-positive data logarithmic, and the failed
    // call leaves the panel as it was.
    let dir = temp_dir("log-kept");
    let (_, diags) = run_result(
        &dir,
        r#"plot([1, 2], [-1, 1])
           plot([1, 2], [1, 2], yscale = "log")"#,
    );
    assert!(diags.contains("[domain-error]"), "{diags}");
    run(&dir, r#"plot([1, 2], [-1, 1], file = "ok.png")"#);
    // Bars start at zero, which a log axis allows (zero-height bars are simply not drawn).
    run(&dir, r#"hist([1, 2, 2, 3, 9], bins = 8, yscale = "log", file = "h.png")"#);
}

#[test]
fn a_centred_diverging_map_renders_zero_as_its_neutral_colour() {
    let coolwarm = super::colormap::colormap("coolwarm").unwrap();
    let neutral = coolwarm.at(0.5);
    assert_eq!(neutral, Rgb(221, 221, 221));
    let dir = temp_dir("centre");
    // Values -1, 0, 3: a map over the data range would put 0 at a quarter (blue).
    run(&dir, r#"heatmap([-1, 0, 3]', cmap = "coolwarm", colorbar = false, figsize = [600, 300], file = "c.png")"#);
    let img = load(&dir.join("c.png"));
    let (l, t, r, b) = img.frame();
    let cell = |j: usize| img.at(l + (r - l) * (2 * j + 1) / 6, (t + b) / 2);
    assert_eq!(cell(1), neutral, "0 is the neutral middle colour");
    assert_eq!(cell(2), coolwarm.at(1.0), "3, the largest magnitude, is the red end");
    assert_eq!(cell(0), coolwarm.at(0.5 - 0.5 / 3.0), "-1 is a third of the way to the blue end");
    // vcenter on another map; vmin and vmax fix the range.
    run(&dir, r#"heatmap([0, 1, 10]', vcenter = 1, colorbar = false, figsize = [600, 300], file = "v.png")"#);
    let img = load(&dir.join("v.png"));
    let (l, t, r, b) = img.frame();
    assert_eq!(img.at(l + (r - l) / 2, (t + b) / 2), VIRIDIS_MAP.at(0.5), "vcenter = 1 is the middle");
    run(&dir, r#"heatmap([1, 2]', vmin = 0, vmax = 4, colorbar = false, figsize = [600, 300], file = "m.png")"#);
    let img = load(&dir.join("m.png"));
    let (l, t, r, b) = img.frame();
    assert_eq!(img.at(l + (r - l) / 4, (t + b) / 2), VIRIDIS_MAP.at(0.25));
    assert_eq!(img.at(l + 3 * (r - l) / 4, (t + b) / 2), VIRIDIS_MAP.at(0.5));
    run_err("heatmap([1, 2], vmin = 3, vmax = 1)", "invalid-argument");
    run_err("heatmap([1, 2], vmin = 0, vmax = 1, vcenter = 5)", "invalid-argument");
    run_err("heatmap([1, 2], vmin = 5)", "invalid-argument");
}

#[test]
fn imgrid_can_share_one_colour_range() {
    let dir = temp_dir("share");
    let grey = Rgb(128, 128, 128);
    let count = |img: &Image, c: Rgb| {
        (0..img.h).flat_map(|y| (0..img.w).map(move |x| (x, y))).filter(|&(x, y)| img.at(x, y) == c).count()
    };
    run(&dir, r#"imgrid({[0, 1; 1, 0], [0, 2; 2, 0]}, file = "own.png")"#);
    let own = load(&dir.join("own.png"));
    assert!(count(&own, grey) < 10, "each image on its own range: only black and white");
    run(&dir, r#"imgrid({[0, 1; 1, 0], [0, 2; 2, 0]}, share = true, file = "shared.png")"#);
    let shared = load(&dir.join("shared.png"));
    assert!(count(&shared, grey) > 500, "1 is mid-grey on the shared range 0…2");
    assert!(count(&shared, WHITE) > 500);
    run(&dir, r#"imgrid({[0, 1; 1, 0], [0, 2; 2, 0]}, vmin = 0, vmax = 2, file = "fixed.png")"#);
    assert!(count(&load(&dir.join("fixed.png")), grey) > 500, "vmin and vmax apply to every image");
}

#[test]
fn bars_of_bins_nearly_touch() {
    let dir = temp_dir("bins");
    // Bin centres 2.5 apart, as in a histogram given as counts.
    run(&dir, r#"bar(2.5:2.5:25, ones(10), color = "green", ylim = [0, 2], figsize = [600, 300], file = "b.png")"#);
    let img = load(&dir.join("b.png"));
    let green = super::colormap::parse_color("green").unwrap();
    let (l, t, r, b) = img.frame();
    let y = t + 3 * (b - t) / 4;
    let row: Vec<bool> = (l + 1..r).map(|x| img.at(x, y) == green).collect();
    // Runs of bar and of gap along the row, between the first and the last bar.
    let mut runs: Vec<(bool, usize)> = Vec::new();
    for v in row {
        match runs.last_mut() {
            Some((w, n)) if *w == v => *n += 1,
            _ => runs.push((v, 1)),
        }
    }
    let bars: Vec<usize> = runs.iter().filter(|r| r.0).map(|r| r.1).collect();
    let first = runs.iter().position(|r| r.0).unwrap();
    let last = runs.iter().rposition(|r| r.0).unwrap();
    let gaps: Vec<usize> = runs[first..=last].iter().filter(|r| !r.0).map(|r| r.1).collect();
    assert_eq!(bars.len(), 10, "{runs:?}");
    let (bar_w, gap_w) = (bars[4] as f64, gaps.iter().copied().max().unwrap() as f64);
    // Width 0.8 of the spacing: gaps a quarter of a bar (they were 2.5 times a bar at width 0.8).
    assert!(gap_w <= 0.3 * bar_w + 2.0, "bars {bars:?}, gaps {gaps:?}");
    // An explicit width still counts: bars of width 2.5 touch.
    run(
        &dir,
        r#"bar(2.5:2.5:25, ones(10), width = 2.5, color = "green", ylim = [0, 2], figsize = [600, 300], file = "w.png")"#,
    );
    let img = load(&dir.join("w.png"));
    let (l, t, r, b) = img.frame();
    let y = t + 3 * (b - t) / 4;
    let inside: Vec<usize> = (l + 1..r).filter(|&x| img.at(x, y) == green).collect();
    let span = inside.last().unwrap() - inside.first().unwrap() + 1;
    assert!(inside.len() + 20 >= span, "touching bars leave only their light edges: {} of {span}", inside.len());
}

#[test]
fn a_line_that_doubles_back_stays_near_its_data_and_inside_the_frame() {
    let dir = temp_dir("spike");
    run(
        &dir,
        r#"plot([0, 1, 0.2, 0.8], [0, 1, 0.2, 0.8000001], width = 6, color = "red", xlim = [0, 1.2], ylim = [0, 1.2], figsize = [400, 300], file = "s.png")"#,
    );
    let img = load(&dir.join("s.png"));
    let lim = (0.0, 1.2, 0.0, 1.2);
    let (a, b) = (img.pixel(lim, (0.0, 0.0)), img.pixel(lim, (1.0, 1.0)));
    let (a, b) = ((a.0 as f64, a.1 as f64), (b.0 as f64, b.1 as f64));
    let mut red = 0;
    for y in 0..img.h {
        for x in 0..img.w {
            if !reddish(img.at(x, y)) {
                continue;
            }
            red += 1;
            // Distance to the segment from (0, 0) to (1, 1), which the whole line lies on.
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let t = (((x as f64 - a.0) * dx + (y as f64 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            let d = (x as f64 - a.0 - t * dx).hypot(y as f64 - a.1 - t * dy);
            assert!(d <= 5.0, "a red pixel at ({x}, {y}) is {d:.1} px from the line");
        }
    }
    assert!(red > 500, "the line is drawn");
    // A wide line leaving the axes is cut at the frame.
    run(
        &dir,
        r#"plot([0, 2], [0.5, 0.5], width = 12, color = "red", xlim = [0, 1], ylim = [0, 1], figsize = [400, 300], file = "e.png")
           scatter([1], [1], markersize = 10, color = "red")"#,
    );
    let img = load(&dir.join("e.png"));
    let (l, t, r, bottom) = img.frame();
    for y in 0..img.h {
        for x in 0..img.w {
            let outside = x < l || x > r || y < t || y > bottom;
            assert!(!(outside && reddish(img.at(x, y))), "red outside the frame at ({x}, {y})");
        }
    }
}

#[test]
fn line_contours_are_labelled_with_their_levels_and_can_have_a_colour_bar() {
    let dir = temp_dir("clabel");
    run(&dir, r#"contour((x, y) -> x, [0, 1], [0, 1], levels = [0.25, 0.55], file = "c.svg")"#);
    let texts = svg_texts(&std::fs::read_to_string(dir.join("c.svg")).unwrap());
    assert!(texts.contains(&"0.25".to_string()) && texts.contains(&"0.55".to_string()), "{texts:?}");
    run(&dir, r#"contour((x, y) -> x, [0, 1], [0, 1], levels = [0.25, 0.55], clabel = false, file = "n.svg")"#);
    let texts = svg_texts(&std::fs::read_to_string(dir.join("n.svg")).unwrap());
    assert!(!texts.contains(&"0.25".to_string()), "{texts:?}");
    // A colour bar in the right margin, from the map's first colour at the bottom to its last
    // at the top.
    run(
        &dir,
        r#"contour((x, y) -> x + y, [0, 1], [0, 1], levels = 5, clabel = false, colorbar = true, figsize = [500, 400], file = "b.png")"#,
    );
    let img = load(&dir.join("b.png"));
    let (_, t, r, b) = img.frame();
    let bar_x = (r + 1..img.w).find(|&x| img.at(x, (t + b) / 2) != WHITE && img.at(x, (t + b) / 2) != FRAME).unwrap();
    let x = bar_x + 4;
    assert!(x > r + 5 && x < img.w - 20, "the bar is in the right margin: x = {x}, frame right {r}");
    assert!(img.near((x, b - 3), 1, VIRIDIS_MAP.at(0.0)), "bottom: {:?}", img.at(x, b - 3));
    assert!(img.near((x, t + 3), 1, VIRIDIS_MAP.at(1.0)), "top: {:?}", img.at(x, t + 3));
    let d = run_err(r#"contour((x, y) -> x, [0, 1], [0, 1], color = "gray", colorbar = true)"#, "invalid-argument");
    assert!(d.contains("colour bar"), "{d}");
}

#[test]
fn xticks_and_yticks_take_positions_labels_or_both() {
    let dir = temp_dir("ticks");
    run(
        &dir,
        r#"heatmap(zeros(3, 2), xticks = {"left", "right"}, yticks = {[1], {"top row"}}, figsize = [400, 400], file = "h.svg")"#,
    );
    let texts = svg_text_positions(&std::fs::read_to_string(dir.join("h.svg")).unwrap());
    let find = |t: &str| texts.iter().find(|(s, _, _)| s == t).cloned().unwrap_or_else(|| panic!("{t} in {texts:?}"));
    let (_, lx, _) = find("left");
    let (_, rx, _) = find("right");
    assert!(lx < rx);
    let (_, _, ty) = find("top row");
    assert!(ty < 150.0, "row 1 is at the top: y = {ty}");
    assert!(!texts.iter().any(|(s, _, _)| s == "2" || s == "3"), "only the given row ticks: {texts:?}");
    run(&dir, r#"plot([0, 10], [0, 1], xticks = [0, 5, 10], file = "p.svg")"#);
    let texts = svg_texts(&std::fs::read_to_string(dir.join("p.svg")).unwrap());
    assert!(texts.contains(&"5".to_string()) && !texts.contains(&"2".to_string()), "{texts:?}");
    run(&dir, r#"bar([3, 1], xticks = {"yes", "no"}, file = "b.svg")"#);
    let texts = svg_texts(&std::fs::read_to_string(dir.join("b.svg")).unwrap());
    assert!(texts.contains(&"yes".to_string()) && texts.contains(&"no".to_string()), "{texts:?}");
    run_err(r#"plot([1, 2], xticks = {"a", "b"})"#, "invalid-argument");
    run_err(r#"bar([3, 1], xticks = {"a", "b", "c"})"#, "shape-mismatch");
    run_err(r#"plot([1, 2], xticks = {[1, 2], {"a"}})"#, "shape-mismatch");
    run_err(r#"plot([1, 2], yticks = true)"#, "type-mismatch");
}

#[test]
fn a_path_is_drawn_over_the_contours_in_the_same_call() {
    let dir = temp_dir("contour-path");
    // From (1, 1) to (2, 2) to (3, 3): red between the points, a ring (white centre) at the start,
    // a dark dot at the end.
    run(
        &dir,
        r#"contour((x, y) -> x^2 + y^2, [0, 4], [0, 4], levels = [30], path = [1, 2, 3; 1, 2, 3], xlim = [0, 4], ylim = [0, 4], file = "p.png")"#,
    );
    let img = load(&dir.join("p.png"));
    let lim = (0.0, 4.0, 0.0, 4.0);
    let red = Rgb(214, 39, 40);
    assert!(img.near(img.pixel(lim, (1.5, 1.5)), 2, red), "the path runs through (1.5, 1.5)");
    assert!(img.near(img.pixel(lim, (2.5, 2.5)), 2, red), "the path runs through (2.5, 2.5)");
    assert!(!img.near(img.pixel(lim, (1.5, 2.5)), 4, red), "nothing red off the path");
    assert_eq!(img.at(img.pixel(lim, (1.0, 1.0)).0, img.pixel(lim, (1.0, 1.0)).1), WHITE, "the start is a ring");
    assert!(img.near(img.pixel(lim, (1.0, 1.0)), 5, red));
    let end = img.pixel(lim, (3.0, 3.0));
    assert!(img.at(end.0, end.1).0 < 60, "the end is a dark dot: {:?}", img.at(end.0, end.1));
    // An optimiser's record, or its path, frames the plot when no intervals are given.
    run(
        &dir,
        r#"r = gradient_descent((x, y) -> x^2 + 3 * y^2, [1.8, 1], rate = 0.1, steps = 20)
        contour((x, y) -> x^2 + 3 * y^2, path = r, file = "q.png")
        contour((x, y) -> x^2 + 3 * y^2, path = r.path', file = "r.png")"#,
    );
    let q = load(&dir.join("q.png"));
    assert!((0..q.w).any(|x| (0..q.h).any(|y| q.at(x, y) == red)));
    run_err(r#"contour((x, y) -> x, path = [1, 2, 3; 4, 5, 6; 7, 8, 9])"#, "shape-mismatch");
    run_err(r#"contour((x, y) -> x, path = {a = 1})"#, "invalid-argument");
    run_err(r#"contour((x, y) -> x, path = [0, nan; 1, 1])"#, "not-finite");
    run_err(r#"contour((x, y) -> x)"#, "invalid-argument");
}
