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
