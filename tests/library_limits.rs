//! The limits through the library (the command's are in tests/refusals.rs): each `Limits`
//! field changes what is refused, and a refusal is a located diagnostic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chipgate::report::human;
use chipgate::{Limits, RuleSet, TransactionFile, Verdict};

const DEAL: &str = include_str!("../examples/sg-subsidiary.yaml");

fn located(e: &chipgate::Error) -> Vec<String> {
    e.diagnostics
        .iter()
        .map(|d| format!("{} {}", d.location().unwrap_or_default(), d.code))
        .collect()
}

#[test]
fn loading_and_compiling_obey_the_limits_given() {
    let few_parties = Limits {
        max_parties: 1,
        ..Limits::default()
    };
    let e = TransactionFile::from_str("deal.yaml", DEAL, &few_parties).unwrap_err();
    assert_eq!(located(&e), ["deal.yaml:8:5 facts::limit"]);

    let shallow = Limits {
        max_rule_nesting: 2,
        ..Limits::default()
    };
    let rules = "rule x.y {\n  title \"t\"\n  cite \"c\"\n  effective 2024-01-01\n  on export\n  when not (item.tpp > 1 and not item.datacenter)\n  outcome warning\n}\n";
    let Err(e) = RuleSet::from_sources(&[("x.cg".into(), rules.into())], &shallow) else {
        panic!("compiled past the nesting limit");
    };
    assert_eq!(located(&e), ["x.cg:6:30 rules::too-deep"]);
    assert!(RuleSet::from_sources(&[("x.cg".into(), rules.into())], &Limits::default()).is_ok());

    let small = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    let Err(e) = RuleSet::from_sources(&[("x.cg".into(), rules.into())], &small) else {
        panic!("compiled past the size limit");
    };
    assert_eq!(located(&e), ["x.cg:1:1 input::too-large"]);
}

#[test]
fn a_check_past_the_step_limit_is_refused_or_indeterminate() {
    let rules = RuleSet::builtin().unwrap();
    let file = TransactionFile::from_str("deal.yaml", DEAL, &Limits::default()).unwrap();
    let tight = Limits {
        max_steps_per_transaction: 3,
        ..Limits::default()
    };
    // `try_check` refuses, pointing at the transaction.
    let e = rules.try_check(&file, None, &tight).unwrap_err();
    assert_eq!(located(&e), ["deal.yaml:32:5 check::limit"]);
    // The infallible `check` says why it stopped, and keeps what judging found if that is
    // more severe than indeterminate (judging reads precomputed answers and spends few steps;
    // explaining walks the graph).
    let report = rules
        .checker_with_limits(&file, &tight)
        .check(0, None)
        .unwrap();
    assert!(report.verdict >= Verdict::Indeterminate);
    assert_eq!(report.stopped.map(|s| s.limit), Some(3));
    insta::assert_snapshot!(human::transaction(&report, &rules, human::Style::default()));
    // With the default limits the same transaction is judged.
    assert!(rules.try_check(&file, None, &Limits::default()).is_ok());
}
