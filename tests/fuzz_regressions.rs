//! Every input a fuzzing run found (a crash, a hang, a blow-up, or an input worth keeping),
//! replayed through the same code the fuzz target runs (`tests/fuzz/drive.rs`), with a
//! snapshot of the outcome. Adding a case is adding a file to `tests/fuzz/<target>/` (then
//! `INSTA_UPDATE=always cargo test --test fuzz_regressions` writes its snapshot to review).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "fuzz/drive.rs"]
mod drive;

#[test]
fn fuzz_findings_stay_fixed() {
    insta::glob!("fuzz/{rules,facts,check}/*", |path| {
        let data = std::fs::read(path).unwrap();
        let target = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap();
        let outcome = match target {
            "rules" => drive::rules(&data),
            "facts" => drive::facts(&data),
            "check" => drive::check(&data),
            other => panic!("no fuzz target `{other}`"),
        };
        insta::assert_snapshot!(outcome);
    });
}
