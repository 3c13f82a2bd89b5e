//! The language server's services (mml-ide) on arbitrary text, cursor positions and an edit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mml_fuzz::ide_requests(data);
});
