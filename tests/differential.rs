//! Differential testing: random valid worlds (tests/reference/world.rs) checked by the
//! product (`RuleSet::check`, with its precomputed closures, components and fixpoints) and by
//! the naive reference checker (tests/reference/mod.rs, the rules of
//! tests/reference/rules.cg written out by hand over the parsed facts). Both must give every
//! transaction the same verdict and the same fired rules with the same outcomes.
//!
//! `cargo test` runs a few hundred worlds; `CHIPGATE_PROPTEST_CASES=100000 cargo test
//! --release --test differential` is the long run (docs/reliability.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod reference;

use std::path::PathBuf;
use std::sync::LazyLock;

use chipgate::{Limits, RuleSet};
use proptest::prelude::*;
use reference::world::{as_of, cases, world};

static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    RuleSet::from_paths(
        &[PathBuf::from("tests/reference/rules.cg")],
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn product_and_reference_agree(w in world(), as_of in as_of()) {
        let file = w.load();
        let product = decided(RULES.check(&file, as_of));
        let reference = in_rule_order(reference::judge_file(&file, as_of));
        prop_assert_eq!(&product, &reference, "as of {:?}\n{}", as_of, w.yaml());
        // The walker of compiled conditions agrees with the hand-written rules too.
        let walked = in_rule_order(reference::ir::judge_file(&RULES, &file, as_of));
        prop_assert_eq!(&walked, &reference, "walker, as of {:?}\n{}", as_of, w.yaml());
    }

    /// The shipped pack, against the reference walking its compiled conditions.
    #[test]
    fn product_and_reference_agree_on_the_pack(w in world(), as_of in as_of()) {
        let file = w.load();
        prop_assert_eq!(
            decided(PACK.check(&file, as_of)),
            in_rule_order(reference::ir::judge_file(&PACK, &file, as_of)),
            "as of {:?}\n{}", as_of, w.yaml()
        );
    }
}

/// The built-in pack, or the rule files under `CHIPGATE_REFERENCE_RULES` (a file or folder),
/// to try a pack being written.
static PACK: LazyLock<RuleSet> = LazyLock::new(|| {
    match std::env::var_os("CHIPGATE_REFERENCE_RULES") {
        Some(path) => RuleSet::from_paths(&[PathBuf::from(path)], &Limits::default()),
        None => RuleSet::builtin(),
    }
    .unwrap_or_else(|e| panic!("{e}"))
});

fn decided(reports: Vec<chipgate::TransactionReport>) -> Vec<reference::Judgement> {
    reports
        .into_iter()
        .map(|r| {
            // Findings are presented most severe first; the reference lists them in rule order.
            let mut fired: Vec<_> = r
                .findings
                .iter()
                .map(|f| (f.rule.clone(), f.outcome))
                .collect();
            fired.sort();
            (r.id, r.verdict, fired)
        })
        .collect()
}

/// Every rule of the test rule set fires somewhere in the generated worlds, so agreement
/// is not the agreement of two silent checkers.
#[test]
fn every_test_rule_fires_in_generated_worlds() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut fired = std::collections::BTreeSet::new();
    for _ in 0..400 {
        let w = world().new_tree(&mut runner).unwrap().current();
        let file = w.load();
        for r in RULES.check(&file, None) {
            fired.extend(r.findings.into_iter().map(|f| f.rule));
        }
    }
    let never: Vec<String> = RULES
        .rule_summaries()
        .into_iter()
        .map(|s| s.id)
        .filter(|id| !fired.contains(id))
        .collect();
    assert!(never.is_empty(), "never fired: {never:?}");
}

/// Fired rules sorted, on both sides: the order findings are presented in is not a decision.
fn in_rule_order(mut judgements: Vec<reference::Judgement>) -> Vec<reference::Judgement> {
    for (_, _, fired) in &mut judgements {
        fired.sort();
    }
    judgements
}
