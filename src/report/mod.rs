//! Renderers: turn what the checker returns into text for people ([`human`], brief or
//! detailed; [`table`], a line per transaction; [`html`], a printable review record), JSON
//! for programs ([`json`]), and the formats CI and audit tools read: [`sarif`] (code
//! scanning), [`junit`] (test reports), [`github`] (workflow annotations) and [`jsonl`] (one
//! decision record per line, for audit stores). Transactions that name an `order` are summed
//! per order in each ([`orders`]). They decide nothing.

pub mod changes;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod listing;
pub mod orders;
pub mod sarif;
pub mod screening;
pub mod suite;
pub mod svg;
pub mod table;

use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::finding::{TransactionReport, Verdict};
use crate::ir::RuleSet;
use crate::source::SourceFile;

/// The report of one `chipgate check` run (docs/cli.md, "--format json").
#[derive(Serialize)]
pub struct Report<'a> {
    pub version: &'static str,
    pub ruleset: RulesetInfo,
    pub transactions: &'a [TransactionReport],
    /// The orders the transactions are lines of (`order:`), each summed over its lines;
    /// empty when no transaction names an order.
    pub orders: Vec<orders::OrderSummary>,
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
            orders: orders::Orders::of(transactions).into_list(),
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

/// `sha256:…` of some bytes, the form every digest in chipgate's output takes.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// 1-based line and column where a transaction's entry starts in its file (1:1 if unknown).
pub fn position(tx: &TransactionReport) -> (usize, usize) {
    tx.source
        .as_ref()
        .map_or((1, 1), |s| s.line_col(tx.span.start))
}

/// The digest of each input file's bytes, computed once per file however many transactions
/// it holds.
#[derive(Default)]
pub struct InputDigests {
    seen: Vec<(Arc<SourceFile>, String)>,
}

impl InputDigests {
    pub fn of(&mut self, tx: &TransactionReport) -> String {
        match &tx.source {
            Some(source) => self.of_file(source),
            None => String::new(),
        }
    }

    /// The digest of one file's bytes, computed once per file.
    pub fn of_file(&mut self, source: &Arc<SourceFile>) -> String {
        if let Some((_, d)) = self.seen.iter().find(|(s, _)| Arc::ptr_eq(s, source)) {
            return d.clone();
        }
        // A source file's text is its bytes unchanged (decoding only checks them).
        let digest = sha256(source.text().as_bytes());
        self.seen.push((Arc::clone(source), digest.clone()));
        digest
    }
}
