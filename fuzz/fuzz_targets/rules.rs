//! Fuzz target `rules`: see `tests/fuzz/drive.rs`, shared with the regression suite.
#![no_main]

#[path = "../../tests/fuzz/drive.rs"]
#[allow(dead_code)]
mod drive;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = drive::rules(data);
});
