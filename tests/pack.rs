//! The shipped rule pack against its scenario corpus (`rules/tests/*.yaml`): every
//! transaction's verdict and fired rules must match what the regulations say, and every rule
//! of the pack must fire somewhere (a rule no case reaches is a rule no case tests).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chipgate::cases;
use chipgate::{Limits, RuleSet};

#[test]
fn scenario_corpus_passes() {
    let rules = RuleSet::builtin().expect("the shipped pack compiles");
    let loaded = cases::load_all(&["rules/tests".into()], &rules, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let suite = cases::run_all(&loaded, &rules);
    let failures = suite.failures();
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        suite.coverage.never_fired.is_empty(),
        "rules no case fires: {:?}",
        suite.coverage.never_fired
    );
}

/// The false-clearance guard: across every scenario corpus written from the regulations
/// (the pack's own cases and the workflow cases of `tests/data/cases`), no transaction whose
/// expected verdict needs a license, is prohibited or is indeterminate may be cleared. The
/// count is printed on every run, and any one fails the test.
#[test]
fn no_false_clearance_in_the_corpus() {
    let rules = RuleSet::builtin().expect("the shipped pack compiles");
    let loaded = cases::load_all(
        &["rules/tests".into(), "tests/data/cases".into()],
        &rules,
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let suite = cases::run_all(&loaded, &rules);
    let transactions: usize = suite.cases.iter().map(|c| c.results.len()).sum();
    let controlled = suite
        .cases
        .iter()
        .flat_map(|c| &c.results)
        .filter(|r| r.expected.blocks())
        .count();
    let cleared = suite.false_clearances();
    println!(
        "false clearances: {} of {controlled} controlled transactions ({transactions} in the corpus)",
        cleared.len()
    );
    assert!(
        cleared.is_empty(),
        "{} false clearances:\n{}",
        cleared.len(),
        cleared.join("\n")
    );
}
