//! Lexes, parses and renders every diagnostic of arbitrary UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        mml_fuzz::parse_and_render(text);
    }
});
