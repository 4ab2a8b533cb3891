//! Decision records (`--format jsonl`), one JSON object per line and per transaction, for
//! audit stores: the transaction's JSON report entry (docs/cli.md, "--format json", keys: `id`, `file`,
//! `date`, `verdict`, `findings`…) plus what is needed to replay the decision years later and
//! prove it was the same: the engine version, the rule set's digest, the input file's digest
//! (sha256 of its bytes), the as-of date it was judged on, and a decision id derived from all
//! of them. Records carry no clock time, so the same input gives the same bytes. A line of an
//! order carries its `order` and the order's `order_summary` (its verdict over all its lines).

use serde::Serialize;

use super::{sha256, InputDigests, RulesetInfo};
use crate::finding::TransactionReport;
use crate::ir::RuleSet;

/// The schema of a record; bumped if a key changes meaning.
pub const RECORD: &str = "chipgate.decision/1";

#[derive(Serialize)]
pub struct DecisionRecord<'a> {
    pub record: &'static str,
    /// `sha256:…` over the rule set digest, the input digest, the transaction id and the date
    /// judged on: the same decision always has the same id.
    pub decision_id: String,
    pub engine: Engine,
    pub ruleset: RulesetInfo,
    pub input: Input,
    #[serde(flatten)]
    pub transaction: &'a TransactionReport,
    /// For a line of an order (the transaction's `order`), the order summed over all its lines
    /// in the run: its verdict, line count and lines per verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_summary: Option<OrderTotal>,
}

#[derive(Serialize)]
pub struct OrderTotal {
    pub verdict: crate::Verdict,
    pub lines: usize,
    pub counts: super::orders::Counts,
}

#[derive(Serialize)]
pub struct Engine {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct Input {
    pub file: String,
    pub digest: String,
    /// The facts files the transaction file was judged with (`check --facts`), each with its
    /// digest; absent without facts files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactsInput>,
}

#[derive(Serialize)]
pub struct FactsInput {
    pub file: String,
    pub digest: String,
}

/// The records of a run, one per transaction, in order.
pub fn records<'a>(rules: &RuleSet, reports: &'a [TransactionReport]) -> Vec<DecisionRecord<'a>> {
    let mut digests = InputDigests::default();
    let orders = super::orders::Orders::of(reports);
    reports
        .iter()
        .map(|tx| {
            let input = digests.of(tx);
            let facts: Vec<FactsInput> = tx
                .facts_files
                .iter()
                .map(|f| FactsInput {
                    file: f.name().to_string(),
                    digest: digests.of_file(f),
                })
                .collect();
            // The facts files are part of the input: the same transaction judged with other
            // master data is another decision.
            let facts_key: String = facts.iter().map(|f| format!("\0{}", f.digest)).collect();
            let decision_id = sha256(
                format!(
                    "{}\0{input}{facts_key}\0{}\0{}",
                    rules.digest(),
                    tx.id,
                    tx.date
                )
                .as_bytes(),
            );
            DecisionRecord {
                record: RECORD,
                decision_id,
                engine: Engine {
                    name: "chipgate",
                    version: crate::VERSION,
                },
                ruleset: RulesetInfo {
                    digest: rules.digest().to_string(),
                    rules: rules.rule_count(),
                },
                input: Input {
                    file: tx.file.clone(),
                    digest: input,
                    facts,
                },
                transaction: tx,
                order_summary: tx
                    .order
                    .as_ref()
                    .and_then(|o| orders.get(o))
                    .map(|o| OrderTotal {
                        verdict: o.verdict,
                        lines: o.lines,
                        counts: o.counts,
                    }),
            }
        })
        .collect()
}

pub fn render(rules: &RuleSet, reports: &[TransactionReport]) -> String {
    let mut out = String::new();
    for r in records(rules, reports) {
        match serde_json::to_string(&r) {
            Ok(line) => out.push_str(&line),
            Err(e) => out.push_str(&format!("{{\"error\": \"{e}\"}}")),
        }
        out.push('\n');
    }
    out
}
