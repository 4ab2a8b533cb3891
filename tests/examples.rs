//! The reports of every example in `examples/`, snapshotted beside the input: the brief and
//! the detailed human report, the table and the JSON report in one snapshot per example, the
//! HTML review record in another. A change to a rule, the engine or a renderer shows up here
//! as a reviewable diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use chipgate::report::{self, human};
use chipgate::{Limits, RuleSet, TransactionFile};

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn example_reports() {
    let rules = RuleSet::builtin().unwrap();
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples"),
        "*.yaml",
        |path| {
            let rel = relative(path);
            let text = std::fs::read_to_string(path).unwrap();
            let file = TransactionFile::from_str(&rel, &text, &Limits::default()).unwrap();
            let reports = rules.check(&file, None);
            let style = human::Style {
                color: false,
                unicode: true,
                width: 100,
            };
            let short = rules.digest().get(..19).unwrap_or("");
            let mut out = format!("----- INPUT\n{text}----- HUMAN\n");
            out.push_str(
                &human::brief_report(&reports, &rules, style).replace(short, "sha256:[digest]"),
            );
            out.push_str("----- HUMAN --detail\n");
            out.push_str(
                &human::detailed_report(&reports, &rules, style).replace(short, "sha256:[digest]"),
            );
            out.push_str("----- TABLE\n");
            out.push_str(
                &report::table::render(&rules, &reports, 100)
                    .replace(rules.digest(), "sha256:[digest]"),
            );
            out.push_str("----- JSON\n");
            let json = report::json::render(&report::Report::new(&rules, &reports));
            out.push_str(
                &json
                    .replace(rules.digest(), "sha256:[digest]")
                    .replace(chipgate::VERSION, "[version]"),
            );
            out.push('\n');
            insta::assert_snapshot!(out);
        }
    );
}

#[test]
fn example_review_records() {
    let rules = RuleSet::builtin().unwrap();
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples"),
        "*.yaml",
        |path| {
            let rel = relative(path);
            let text = std::fs::read_to_string(path).unwrap();
            let file = TransactionFile::from_str(&rel, &text, &Limits::default()).unwrap();
            let reports = rules.check(&file, None);
            let html = report::html::render(&rules, std::slice::from_ref(&file), &reports);
            let digest = chipgate::report::sha256(text.as_bytes());
            insta::assert_snapshot!(html
                .replace(rules.digest(), "sha256:[digest]")
                .replace(&digest, "sha256:[input digest]")
                .replace(
                    &format!("chipgate {}", chipgate::VERSION),
                    "chipgate [version]"
                ));
        }
    );
}
