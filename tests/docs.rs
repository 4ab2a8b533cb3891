//! Documents whose command output is generated, not typed: every block
//!
//! ```text
//! <!-- chipgate: classify examples/accelerators.yaml --as-of 2024-06-03 --format markdown -->
//! …output…
//! <!-- /chipgate -->
//! ```
//!
//! in README.md and docs/*.md must equal what the command prints now. Run with
//! `CHIPGATE_BLESS=1 cargo test --test docs` to regenerate them after a deliberate change.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Command;

const OPEN: &str = "<!-- chipgate: ";
const CLOSE: &str = "<!-- /chipgate -->";

fn run(args: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_chipgate"))
        .args(args.split_whitespace())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Fenced unless the output is Markdown already.
    if args.contains("--format markdown") {
        text
    } else {
        format!("```text\n{text}```\n")
    }
}

fn regenerate(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(start) = rest.find(OPEN) {
        let after_open = &rest[start + OPEN.len()..];
        let end_of_marker = after_open.find("-->").unwrap();
        let args = after_open[..end_of_marker].trim();
        let body_start = start + OPEN.len() + end_of_marker + 3;
        let close = rest[body_start..]
            .find(CLOSE)
            .unwrap_or_else(|| panic!("unclosed block for `{args}`"));
        out.push_str(&rest[..body_start]);
        out.push('\n');
        out.push_str(&run(args));
        out.push_str(CLOSE);
        rest = &rest[body_start + close + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn generated_blocks_are_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    let bless = std::env::var_os("CHIPGATE_BLESS").is_some();
    let mut stale = Vec::new();
    for path in docs {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains(OPEN) {
            continue;
        }
        let fresh = regenerate(&text);
        if fresh != text {
            if bless {
                std::fs::write(&path, fresh).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(stale.is_empty(), "generated blocks are out of date in {stale:?}: run CHIPGATE_BLESS=1 cargo test --test docs");
}
