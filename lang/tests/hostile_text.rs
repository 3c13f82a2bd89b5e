//! Text that once made the front end slow: parsing and rendering stay fast on it.

use std::time::{Duration, Instant};

fn parse_and_render(text: &str) -> (usize, usize, Duration) {
    let start = Instant::now();
    let mut sources = mml_lang::SourceMap::new();
    let id = sources.add("<t>", text);
    let parsed = mml_lang::parse_program(id, text);
    let rendered: usize = parsed.diagnostics.iter().map(|d| d.render(&sources, false).len()).sum();
    (parsed.diagnostics.len(), rendered, start.elapsed())
}

#[test]
fn a_line_of_thousands_of_bad_characters_gives_a_bounded_report() {
    // Each `$` is an error; once, every error rendered the whole line (quadratic output) and
    // each parse error was checked against every bad character before it.
    let (count, rendered, took) = parse_and_render(&"$ ".repeat(20_000));
    assert!(count <= 101, "{count} diagnostics");
    assert!(rendered < 200_000, "{rendered} bytes of diagnostics");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_diagnostic_on_a_very_long_line_shows_a_window_of_it() {
    let text = format!("x = {} $ {}", "1 + ".repeat(50_000), "1");
    let mut sources = mml_lang::SourceMap::new();
    let id = sources.add("<t>", text.as_str());
    let parsed = mml_lang::parse_program(id, &text);
    let first = parsed.diagnostics.first().expect("the `$` is reported");
    let rendered = first.render(&sources, false);
    assert!(rendered.len() < 5_000, "{} bytes", rendered.len());
    assert!(rendered.contains('$') && rendered.contains('…'), "{rendered}");
    assert!(rendered.contains("too long to show whole: this is the part around column 200006"), "{rendered}");
}

#[test]
fn the_diagnostics_of_garbage_are_capped_with_a_count_of_the_rest() {
    let (count, _, _) = parse_and_render(&"$\n".repeat(500));
    assert_eq!(count, 101);
    let mut sources = mml_lang::SourceMap::new();
    let text = "$\n".repeat(500);
    let id = sources.add("<t>", text.as_str());
    let parsed = mml_lang::parse_program(id, &text);
    let last = parsed.diagnostics.last().unwrap().render(&sources, false);
    assert!(last.contains("400 more syntax problems not shown"), "{last}");
}

#[test]
fn a_short_line_beside_a_long_one_is_shown_without_a_note() {
    let text = format!("# {}\nx = 1 $\n", "a".repeat(10_000));
    let mut sources = mml_lang::SourceMap::new();
    let id = sources.add("<t>", text.as_str());
    let parsed = mml_lang::parse_program(id, &text);
    let first = parsed.diagnostics.first().expect("the `$` is reported");
    let rendered = first.render(&sources, false);
    assert!(rendered.contains("x = 1 $"), "{rendered}");
    assert!(!rendered.contains("too long to show whole"), "{rendered}");
}
