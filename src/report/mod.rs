//! Renderers: turn what the checker returns into text for people ([`human`]) or JSON for
//! programs ([`json`]). They decide nothing.

pub mod human;
pub mod json;
pub mod listing;

use serde::Serialize;

use crate::check::report::{TransactionReport, Verdict};
use crate::ir::RuleSet;

/// The report of one `chipgate check` run (CONTRACT.md, "The JSON report").
#[derive(Serialize)]
pub struct Report<'a> {
    pub version: &'static str,
    pub ruleset: RulesetInfo,
    pub transactions: &'a [TransactionReport],
}

#[derive(Serialize)]
pub struct RulesetInfo {
    pub digest: String,
    pub rules: usize,
}

impl<'a> Report<'a> {
    pub fn new(rules: &RuleSet, transactions: &'a [TransactionReport]) -> Report<'a> {
        Report {
            version: crate::VERSION,
            ruleset: RulesetInfo {
                digest: rules.digest().to_string(),
                rules: rules.rule_count(),
            },
            transactions,
        }
    }
}

/// Counts of each verdict, most severe first, for summary lines.
pub fn tally(reports: &[TransactionReport]) -> Vec<(Verdict, usize)> {
    Verdict::ALL
        .iter()
        .map(|v| (*v, reports.iter().filter(|r| r.verdict == *v).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}
