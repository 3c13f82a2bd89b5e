//! Inline images in terminals that can show them (kitty, iTerm2, sixel).
//!
//! The protocol is chosen once, at start-up, by the program that owns the terminal (the CLI)
//! and passed in with [`set_inline`]; [`inline_from_env`] picks one from environment variables
//! only (no escape-sequence probing, which could leak replies into the input). The stdlib then
//! writes the image's escape sequence through the session's output like any other text.

use std::sync::atomic::{AtomicU8, Ordering};

/// A terminal graphics protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineProtocol {
    /// The kitty graphics protocol (kitty, Ghostty, WezTerm): PNG sent in base64 chunks.
    Kitty,
    /// iTerm2's inline images (iTerm2, WezTerm, mintty): PNG in one OSC 1337 sequence.
    Iterm,
    /// DEC sixel graphics (foot, mlterm, xterm -ti vt340, Windows Terminal): a 256-colour raster.
    Sixel,
}

static INLINE: AtomicU8 = AtomicU8::new(0);

/// Sets how figures are shown inline: `None` (the default) shows none and only writes files.
/// Call it once at start-up, and only when the output is a terminal.
pub fn set_inline(protocol: Option<InlineProtocol>) {
    let code = match protocol {
        None => 0,
        Some(InlineProtocol::Kitty) => 1,
        Some(InlineProtocol::Iterm) => 2,
        Some(InlineProtocol::Sixel) => 3,
    };
    INLINE.store(code, Ordering::Relaxed);
}

/// The protocol set by [`set_inline`].
pub fn inline() -> Option<InlineProtocol> {
    match INLINE.load(Ordering::Relaxed) {
        1 => Some(InlineProtocol::Kitty),
        2 => Some(InlineProtocol::Iterm),
        3 => Some(InlineProtocol::Sixel),
        _ => None,
    }
}

/// The protocol the terminal supports, judged from environment variables only.
///
/// `MML_INLINE_IMAGES=kitty|iterm|sixel|none` decides when set. Otherwise: kitty
/// (`KITTY_WINDOW_ID`, `TERM=xterm-kitty`, `TERM_PROGRAM=ghostty`), iTerm2
/// (`TERM_PROGRAM=iTerm.app` or `WezTerm`, `LC_TERMINAL=iTerm2`), sixel (`TERM` naming foot or
/// mlterm). Inside tmux or screen, none (they do not pass images through by default).
pub fn inline_from_env() -> Option<InlineProtocol> {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    detect(&var)
}

/// [`inline_from_env`] over any variable lookup (for tests).
pub(crate) fn detect(var: &dyn Fn(&str) -> String) -> Option<InlineProtocol> {
    match var("MML_INLINE_IMAGES").trim().to_ascii_lowercase().as_str() {
        "kitty" => return Some(InlineProtocol::Kitty),
        "iterm" | "iterm2" => return Some(InlineProtocol::Iterm),
        "sixel" => return Some(InlineProtocol::Sixel),
        "none" | "off" | "no" | "0" | "false" => return None,
        _ => {}
    }
    let term = var("TERM");
    let program = var("TERM_PROGRAM");
    if !var("TMUX").is_empty() || term.starts_with("screen") || term.starts_with("tmux") {
        return None;
    }
    if !var("KITTY_WINDOW_ID").is_empty() || term == "xterm-kitty" || program.eq_ignore_ascii_case("ghostty") {
        return Some(InlineProtocol::Kitty);
    }
    if program == "iTerm.app" || program == "WezTerm" || var("LC_TERMINAL") == "iTerm2" {
        return Some(InlineProtocol::Iterm);
    }
    if term.starts_with("foot") || term.starts_with("mlterm") {
        return Some(InlineProtocol::Sixel);
    }
    None
}

/// The escape sequence that shows an image: `png` is the encoded file, `rgb` the raw
/// `width × height` pixels (used by sixel). Ends with a newline.
pub(crate) fn escape_sequence(protocol: InlineProtocol, png: &[u8], rgb: &[u8], width: u32, height: u32) -> String {
    match protocol {
        InlineProtocol::Kitty => kitty(png),
        InlineProtocol::Iterm => {
            format!("\x1b]1337;File=inline=1;size={};preserveAspectRatio=1:{}\x07\n", png.len(), base64(png))
        }
        InlineProtocol::Sixel => sixel(rgb, width as usize, height as usize),
    }
}

/// The kitty graphics protocol: a PNG (`f=100`) transmitted and shown (`a=T`) in chunks of at
/// most 4096 base64 characters.
fn kitty(png: &[u8]) -> String {
    let data = base64(png);
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(4096).collect();
    let mut out = String::with_capacity(data.len() + chunks.len() * 16);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        let text = std::str::from_utf8(chunk).unwrap_or("");
        if i == 0 {
            out.push_str(&format!("\x1b_Ga=T,f=100,m={more};{text}\x1b\\"));
        } else {
            out.push_str(&format!("\x1b_Gm={more};{text}\x1b\\"));
        }
    }
    out.push('\n');
    out
}

/// Standard base64 with padding.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Levels per channel of the sixel palette (6 × 7 × 6 = 252 colours).
const SIXEL_LEVELS: [usize; 3] = [6, 7, 6];

/// The palette index of a colour.
fn sixel_index(r: u8, g: u8, b: u8) -> usize {
    let q = |c: u8, n: usize| (usize::from(c) * (n - 1) + 127) / 255;
    (q(r, SIXEL_LEVELS[0]) * SIXEL_LEVELS[1] + q(g, SIXEL_LEVELS[1])) * SIXEL_LEVELS[2] + q(b, SIXEL_LEVELS[2])
}

/// A sixel image of `rgb` (`width × height`, 3 bytes per pixel), with run-length encoding.
fn sixel(rgb: &[u8], width: usize, height: usize) -> String {
    let ncolors = SIXEL_LEVELS.iter().product::<usize>();
    let mut out = format!("\x1bPq\"1;1;{width};{height}");
    for i in 0..ncolors {
        let (r, rest) = (i / (SIXEL_LEVELS[1] * SIXEL_LEVELS[2]), i % (SIXEL_LEVELS[1] * SIXEL_LEVELS[2]));
        let (g, b) = (rest / SIXEL_LEVELS[2], rest % SIXEL_LEVELS[2]);
        let pct = |v: usize, n: usize| v * 100 / (n - 1);
        out.push_str(&format!(
            "#{i};2;{};{};{}",
            pct(r, SIXEL_LEVELS[0]),
            pct(g, SIXEL_LEVELS[1]),
            pct(b, SIXEL_LEVELS[2])
        ));
    }
    let mut masks = vec![0u8; ncolors * width];
    let mut used = vec![false; ncolors];
    for band in (0..height).step_by(6) {
        masks.iter_mut().for_each(|m| *m = 0);
        used.iter_mut().for_each(|u| *u = false);
        for dy in 0..6.min(height - band) {
            let row = band + dy;
            for x in 0..width {
                let p = (row * width + x) * 3;
                let Some(px) = rgb.get(p..p + 3) else { continue };
                let c = sixel_index(px[0], px[1], px[2]);
                masks[c * width + x] |= 1 << dy;
                used[c] = true;
            }
        }
        let mut first = true;
        for c in (0..ncolors).filter(|&c| used[c]) {
            if !first {
                out.push('$');
            }
            first = false;
            out.push_str(&format!("#{c}"));
            let row = &masks[c * width..(c + 1) * width];
            let mut x = 0;
            while x < width {
                let m = row[x];
                let mut run = 1;
                while x + run < width && row[x + run] == m {
                    run += 1;
                }
                let ch = char::from(63 + m);
                if run > 3 {
                    out.push_str(&format!("!{run}{ch}"));
                } else {
                    (0..run).for_each(|_| out.push(ch));
                }
                x += run;
            }
        }
        out.push('-');
    }
    out.push_str("\x1b\\\n");
    out
}
