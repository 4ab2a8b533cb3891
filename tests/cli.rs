//! The `chipgate` binary, run as a user runs it: each `tests/cli/NAME.args` file holds one
//! command line (arguments separated by spaces, run from the crate's root); its snapshot
//! (`tests/snapshots/cli__NAME.snap`) holds the exit code, standard output and standard
//! error, with `NO_COLOR` and a fixed width. Adding a case is adding a file.
//!
//! Digests (`sha256:…`) are masked: they change with every edit of the rule pack or an
//! example, while what these snapshots pin is the commands' behaviour.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::{mask_digests, run};

#[test]
fn commands() {
    insta::glob!("cli/*.args", |path: &std::path::Path| {
        let line = std::fs::read_to_string(path).unwrap();
        let args: Vec<&str> = line.split_whitespace().collect();
        let (code, stdout, stderr) = run(&args);
        // Exit codes: 0 clear/passed/unchanged, 1 flagged/failed/changed, 2 bad input.
        assert!((0..=2).contains(&code), "exit code {code} for {line}");
        if code == 2 {
            assert!(
                !stderr.is_empty(),
                "exit 2 without a diagnostic for `{line}`"
            );
        }
        assert!(!stderr.contains("panicked"), "`{line}` panicked:\n{stderr}");
        insta::assert_snapshot!(format!(
            "$ chipgate {}\n----- exit: {code}\n----- stdout\n{}----- stderr\n{}",
            line.trim(),
            mask_digests(&stdout),
            mask_digests(&stderr)
        ));
    });
}
