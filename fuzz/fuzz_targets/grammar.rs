//! Programs built from the builtin table with hostile arguments, run under tight limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(program) = mml_fuzz::program_from_bytes(data) {
        mml_fuzz::run_limited(&program);
    }
});
