//! The shipped rule pack against its scenario corpus (`rules/tests/*.yaml`): every
//! transaction's verdict and fired rules must match what the regulations say.

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
fn scenario_corpus_passes() {
    let rules = RuleSet::builtin().expect("the shipped pack compiles");
    let mut dir: Vec<PathBuf> = std::fs::read_dir("rules/tests")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    dir.sort();
    assert!(!dir.is_empty(), "no cases found");
    let mut failures = Vec::new();
    let mut total = 0;
    for path in &dir {
        let case = match Case::load(path, &rules, &Limits::default()) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let (result, _) = case.run(&rules);
        for r in &result.results {
            total += 1;
            if !r.passed {
                failures.push(format!(
                    "{} {}: {} (fired: {:?})",
                    path.display(),
                    r.id,
                    r.difference(),
                    r.fired
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
