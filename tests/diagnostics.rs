//! Every diagnostic, snapshotted beside the input that produced it (Gleam's habit): one case
//! file per diagnostic under `tests/cases/{rules,facts}/`, so adding a case is adding a file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use chipgate::report::human::{self, Style};
use chipgate::{Error, Limits, RuleSet, TransactionFile};

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn render(input: &[u8], error: &Error) -> String {
    let style = Style {
        color: false,
        unicode: true,
        width: 100,
    };
    // Long or huge inputs (the limit cases) are shown in part: the diagnostic is the point.
    let text = String::from_utf8_lossy(input).replace('\0', "\\0");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::from("----- INPUT\n");
    for line in lines.iter().take(40) {
        if line.chars().count() > 160 {
            out.extend(line.chars().take(160));
            out.push_str(&format!("… ({} characters)\n", line.chars().count()));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if lines.len() > 40 {
        out.push_str(&format!("… ({} more lines)\n", lines.len() - 40));
    }
    out.push_str("----- DIAGNOSTICS\n");
    for d in &error.diagnostics {
        out.push_str(&human::diagnostic(d, style));
    }
    out
}

#[test]
fn rule_file_diagnostics() {
    insta::glob!("cases/rules/*.cg", |path| {
        let rel = relative(path);
        let input = std::fs::read(path).unwrap();
        let error = RuleSet::from_paths(&[rel.clone().into()], &Limits::default())
            .err()
            .unwrap_or_else(|| panic!("{rel} compiled, but it is a case of a bad rule file"));
        insta::assert_snapshot!(render(&input, &error));
    });
}

#[test]
fn transaction_file_diagnostics() {
    insta::glob!("cases/facts/*.yaml", |path| {
        let rel = relative(path);
        let input = std::fs::read(path).unwrap();
        let error = TransactionFile::from_bytes(&rel, input.clone(), &Limits::default())
            .err()
            .unwrap_or_else(|| panic!("{rel} loaded, but it is a case of a bad transaction file"));
        insta::assert_snapshot!(render(&input, &error));
    });
}

/// Facts built in memory (`TransactionFile::from_parts`) have no file to point into: a
/// reference out of range is said by its list and position.
#[test]
fn facts_built_in_memory_diagnostics() {
    let deal = include_str!("../examples/sg-subsidiary.yaml");
    let good = TransactionFile::from_str("deal.yaml", deal, &Limits::default()).unwrap();
    let mut transactions = good.transactions.clone();
    transactions[0].item = chipgate::facts::ItemId::new(99);
    let error = TransactionFile::from_parts(
        "built",
        good.parties.clone(),
        good.items.clone(),
        good.facilities.clone(),
        transactions,
    )
    .err()
    .unwrap();
    insta::assert_snapshot!(render(
        b"(examples/sg-subsidiary.yaml, its first transaction given item 99)",
        &error
    ));
}
