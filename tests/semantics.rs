//! The engine's semantics, case by case: probe rules (`tests/semantics/probes.cg`) ask one
//! question each, and the cases (`tests/semantics/*.yaml`) give the answers the language
//! reference promises — classification at the exact thresholds, owner chains, ultimate
//! parents, cycles, self-ownership, unknown shares, the aggregate fixpoint, lead times and
//! routes. Adding a case is adding a file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use chipgate::cases::Case;
use chipgate::{Limits, RuleSet};

#[test]
fn semantics_cases() {
    let limits = Limits::default();
    let rules = RuleSet::from_paths(&[PathBuf::from("tests/semantics/probes.cg")], &limits)
        .unwrap_or_else(|e| panic!("probes compile: {e}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/semantics")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    let mut failures = Vec::new();
    for path in &files {
        let case =
            Case::load(path, &rules, &limits).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (result, _) = case.run(&rules);
        for r in result.results.iter().filter(|r| !r.passed) {
            failures.push(format!(
                "{} {}: {} (fired {:?})",
                path.display(),
                r.id,
                r.difference(),
                r.fired
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
