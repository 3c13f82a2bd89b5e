//! The embedded font (DejaVu Sans, see `stdlib/assets/README.md`), registered with plotters
//! once, so text needs no system fonts and renders the same everywhere.

use std::sync::OnceLock;

use plotters::style::FontStyle;

/// The font family name every plot text uses.
pub(crate) const FAMILY: &str = "sans-serif";

static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the font; returns an error message if the embedded file cannot be read.
pub(crate) fn ensure_registered() -> Result<(), String> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err("the embedded font could not be loaded".into())
    }
}
