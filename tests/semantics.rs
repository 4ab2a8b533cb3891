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

use chipgate::cases;
use chipgate::{Limits, RuleSet};

#[test]
fn semantics_cases() {
    let limits = Limits::default();
    let rules = RuleSet::from_paths(&[PathBuf::from("tests/semantics/probes.cg")], &limits)
        .unwrap_or_else(|e| panic!("probes compile: {e}"));
    let loaded = cases::load_all(&["tests/semantics".into()], &rules, &limits)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.len() >= 4);
    let suite = cases::run_all(&loaded, &rules);
    let failures = suite.failures();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
