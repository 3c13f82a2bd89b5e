//! The learning path, `docs/guide/*.md`: every ```mml block of a page runs, in order, in one
//! session per page (so later blocks see the variables of earlier ones), and every `# =>`
//! comment's output is checked, as in the builtin examples. Figures go to a temporary folder.
//!
//! `UPDATE_GUIDE_IMAGES=1 cargo test --test it guide` resolves the pages' relative `savefig`
//! paths against `docs/guide/` instead, so `savefig("img/NAME.png")` regenerates the images
//! the pages show, and writes the diagnostic screenshot used by the README.

use std::path::{Path, PathBuf};

use crate::common::{check_statements, echo_session, mml_blocks};

fn guide_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GUIDE_IMAGES").is_some()
}

/// The guide's pages, sorted by name.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(guide_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    pages
}

/// Runs every block of one page in one session; returns a description of each failure.
fn check_page(page: &Path, plot_dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap();
    let name = format!("docs/guide/{}", page.file_name().unwrap().to_string_lossy());
    let (mut session, out) = echo_session();
    mml_stdlib::plot::set_output_dir(Some(plot_dir.to_path_buf()));
    let mut failures = Vec::new();
    for block in mml_blocks(&text) {
        failures.extend(check_statements(&mut session, &out, &name, &block));
    }
    failures
}

#[test]
fn every_guide_block_runs_and_prints_what_it_says() {
    let pages = pages();
    assert!(pages.len() >= 2, "the guide has no pages");
    let plot_dir = if updating() { guide_dir() } else { std::env::temp_dir().join("mml-guide-plots") };
    let mut failures = Vec::new();
    let mut blocks = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        blocks += mml_blocks(&text).len();
        failures.extend(check_page(page, &plot_dir));
    }
    assert!(blocks >= 10, "only {blocks} mml blocks in the guide");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every image a page shows (`![…](img/NAME.png)`) is one its blocks save, so that
/// regenerating the images reproduces all of them; and every such image is committed.
#[test]
fn every_guide_image_is_generated_by_a_block() {
    let mut failures = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let page_name = page.file_name().unwrap().to_string_lossy().to_string();
        for (k, _) in text.match_indices("](img/") {
            let rest = &text[k + 2..];
            let Some(end) = rest.find(')') else { continue };
            let rel = &rest[..end];
            let saved = text.contains(&format!("savefig(\"{rel}\")")) || text.contains(&format!("file = \"{rel}\""));
            if !saved && rel != "img/diagnostic.svg" {
                failures.push(format!("{page_name} shows {rel}, which none of its blocks saves"));
            }
            // While updating, the images are being written by the test beside this one.
            if !updating() && !guide_dir().join(rel).exists() {
                failures.push(format!(
                    "{page_name} shows {rel}, which is missing: run UPDATE_GUIDE_IMAGES=1 cargo test --test it guide"
                ));
            }
        }
    }
    // And every committed image is shown somewhere, so that none is left behind stale.
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let shown: String = pages().iter().map(|p| std::fs::read_to_string(p).unwrap()).chain([readme]).collect();
    for entry in std::fs::read_dir(guide_dir().join("img")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !shown.contains(&format!("img/{name})")) {
            failures.push(format!("docs/guide/img/{name} is shown by no page and not by the README: remove it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The diagnostic the README shows, drawn as an SVG terminal screenshot.
const DIAGNOSTIC_SOURCE: &str = "v = [1, 2, 3]\nw = [4, 5, 6]\nprint(v * w)\n";

/// The colours of the ANSI SGR codes the renderer uses, on a dark background.
fn ansi_colour(code: &str) -> Option<&'static str> {
    Some(match code {
        "31" | "91" => "#ff6b6b",
        "32" | "92" => "#8fd18f",
        "33" | "93" => "#f5c26b",
        "34" | "94" => "#6fa8ff",
        "35" | "95" => "#d79bff",
        "36" | "96" => "#6fd6e0",
        "37" | "97" => "#ffffff",
        _ => return None,
    })
}

/// A colour of the xterm 256-colour palette (`ESC[38;5;Nm`): the 6×6×6 cube and the greys.
fn xterm_256(n: u8) -> String {
    let level = |k: u8| if k == 0 { 0 } else { 55 + 40 * u32::from(k) };
    match n {
        16..=231 => {
            let k = n - 16;
            format!("#{:02x}{:02x}{:02x}", level(k / 36), level(k / 6 % 6), level(k % 6))
        }
        232..=255 => {
            let g = 8 + 10 * (u32::from(n) - 232);
            format!("#{g:02x}{g:02x}{g:02x}")
        }
        _ => "#d4d4d4".to_string(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Renders ANSI-coloured terminal text as an SVG image in a monospace font.
fn ansi_to_svg(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let (char_w, line_h, pad) = (8.4, 18.0, 16.0);
    let visible = |l: &str| {
        let mut n = 0;
        let mut chars = l.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                n += 1;
            }
        }
        n
    };
    let cols = lines.iter().map(|l| visible(l)).max().unwrap_or(0).max(40);
    let width = pad * 2.0 + char_w * cols as f64;
    let height = pad * 2.0 + line_h * lines.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\">\n\
         <rect width=\"100%\" height=\"100%\" rx=\"6\" fill=\"#1e1e1e\"/>\n\
         <g font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\" xml:space=\"preserve\">\n"
    );
    for (i, line) in lines.iter().enumerate() {
        let y = pad + line_h * (i as f64 + 0.75);
        svg.push_str(&format!("<text x=\"{pad}\" y=\"{y:.1}\" fill=\"#d4d4d4\">"));
        let (mut colour, mut bold) = (None::<String>, false);
        let mut run = String::new();
        let flush = |run: &mut String, svg: &mut String, colour: Option<&str>, bold: bool| {
            if run.is_empty() {
                return;
            }
            let fill = colour.map(|c| format!(" fill=\"{c}\"")).unwrap_or_default();
            let weight = if bold { " font-weight=\"bold\"" } else { "" };
            svg.push_str(&format!("<tspan{fill}{weight}>{}</tspan>", xml_escape(run)));
            run.clear();
        };
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c != '\u{1b}' {
                run.push(c);
                continue;
            }
            flush(&mut run, &mut svg, colour.as_deref(), bold);
            let mut seq = String::new();
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
                seq.push(d);
            }
            let codes: Vec<&str> = seq.trim_start_matches('[').split(';').collect();
            let mut i = 0;
            while i < codes.len() {
                match codes[i] {
                    "" | "0" => (colour, bold) = (None, false),
                    "1" => bold = true,
                    "22" => bold = false,
                    "39" => colour = None,
                    "38" if codes.get(i + 1) == Some(&"5") => {
                        colour = codes.get(i + 2).and_then(|n| n.parse().ok()).map(xterm_256);
                        i += 2;
                    }
                    c => colour = ansi_colour(c).map(String::from).or(colour),
                }
                i += 1;
            }
        }
        flush(&mut run, &mut svg, colour.as_deref(), bold);
        svg.push_str("</text>\n");
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

#[test]
fn the_diagnostic_screenshot_is_up_to_date() {
    let (mut session, _) = echo_session();
    let outcome = session.run("dot.mml", DIAGNOSTIC_SOURCE);
    assert!(!outcome.is_ok(), "the screenshot's script should fail");
    let rendered: String = outcome.diagnostics.iter().map(|d| d.render(session.sources(), true)).collect();
    assert!(rendered.contains('\u{1b}'), "the coloured rendering has no colour codes");
    let svg = ansi_to_svg(&rendered);
    assert!(svg.contains("<tspan fill="), "the screenshot has no coloured text");
    let path = guide_dir().join("img/diagnostic.svg");
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &svg).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == svg,
        "{} is out of date: run UPDATE_GUIDE_IMAGES=1 cargo test --test it guide",
        path.display()
    );
}

#[test]
fn ansi_text_becomes_coloured_svg_text() {
    let svg = ansi_to_svg("\u{1b}[1;31merror\u{1b}[0m: a < b");
    assert!(svg.contains("<tspan fill=\"#ff6b6b\" font-weight=\"bold\">error</tspan>"), "{svg}");
    assert!(svg.contains("<tspan>: a &lt; b</tspan>"), "{svg}");
    let grey = ansi_to_svg("\u{1b}[38;5;246m│\u{1b}[0m \u{1b}[38;5;115mnote\u{1b}[0m");
    assert!(grey.contains("<tspan fill=\"#949494\">│</tspan>"), "{grey}");
    assert!(grey.contains("<tspan fill=\"#87d7af\">note</tspan>"), "{grey}");
}
