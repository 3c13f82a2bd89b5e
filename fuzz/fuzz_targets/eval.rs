//! Runs arbitrary UTF-8 text as a whole script under tight limits (see `mml_fuzz::limits`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        mml_fuzz::run_limited(text);
    }
});
