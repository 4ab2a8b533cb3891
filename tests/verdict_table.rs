//! The decisions of the shipped pack over its own scenario corpus (`rules/tests/`) and the
//! examples, as verdict tables (`chipgate::table`): any change to the pack shows here as a
//! diff of decisions, line by line. Review it with `cargo insta review`; accept it when every
//! flipped line is what the change intended.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use chipgate::table::VerdictTable;
use chipgate::{Limits, RuleSet};

fn table(folder: &str) -> VerdictTable {
    let rules = RuleSet::builtin().expect("the shipped pack compiles");
    VerdictTable::from_paths(&rules, &[PathBuf::from(folder)], &Limits::default())
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
}

#[test]
fn pack_scenarios() {
    insta::assert_snapshot!(table("rules/tests").to_string());
}

#[test]
fn examples() {
    insta::assert_snapshot!(table("examples").to_string());
}
