//! The report of `chipgate test`: PASS/FAIL per case with what differed, the coverage of the
//! rule set, and a summary; as text, JSON, JUnit XML or GitHub annotations.

use std::fmt::Write as _;

use serde::Serialize;

use super::github::annotation;
use super::junit::{self, Document, Failure, Suite, TestCase};
use super::RulesetInfo;
use crate::cases::{SuiteResult, TransactionResult};
use crate::ir::RuleSet;

pub fn human(result: &SuiteResult, rules: &RuleSet) -> String {
    let mut out = String::new();
    for case in &result.cases {
        let word = if case.passed() { "PASS" } else { "FAIL" };
        let n = case.results.len();
        let _ = writeln!(
            out,
            "{word} {} ({n} transaction{}): {}",
            case.file,
            if n == 1 { "" } else { "s" },
            case.description
        );
        for r in case.results.iter().filter(|r| !r.passed) {
            let _ = writeln!(out, "  ✖ {} at {}: {}", r.id, r.at, r.difference());
            let fired: Vec<String> = r
                .fired
                .iter()
                .map(|f| format!("{} ({})", f.rule, f.outcome))
                .collect();
            let _ = writeln!(
                out,
                "      fired: {}",
                if fired.is_empty() {
                    "no rule".to_string()
                } else {
                    fired.join(", ")
                }
            );
            if let Some(why) = &r.why {
                let _ = writeln!(out, "      expected because: {why}");
            }
        }
    }
    let cov = &result.coverage;
    let fired = cov.rules.len() - cov.never_fired.len();
    let _ = writeln!(
        out,
        "\ncoverage: {fired} of {} rules fired in the cases",
        cov.rules.len()
    );
    for r in &cov.rules {
        if r.fired == 0 {
            let _ = writeln!(out, "  {:>4}  {}  never fired", 0, r.rule);
            continue;
        }
        let outcomes: Vec<String> = r
            .outcomes
            .iter()
            .rev()
            .map(|(v, n)| format!("{v} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  {:>4}  {}  ({})",
            r.fired,
            r.rule,
            outcomes.join(", ")
        );
    }
    let cleared = result.false_clearances();
    if !cleared.is_empty() {
        let _ = writeln!(
            out,
            "✖ {} false clearance{}: the engine cleared what the cases expect to need a license, be prohibited or be indeterminate",
            cleared.len(),
            if cleared.len() == 1 { "" } else { "s" }
        );
        for c in &cleared {
            let _ = writeln!(out, "    {c}");
        }
    }
    let (cp, cf, tp, tf) = result.counts();
    let digest = rules.digest();
    let _ = writeln!(
        out,
        "{} case{}: {cp} passed, {cf} failed ({} transactions: {tp} passed, {tf} failed; rules {}…)",
        cp + cf,
        if cp + cf == 1 { "" } else { "s" },
        tp + tf,
        digest.get(..19).unwrap_or(digest)
    );
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: &'static str,
    ruleset: RulesetInfo,
    passed: bool,
    summary: Summary,
    #[serde(flatten)]
    result: &'a SuiteResult,
}

#[derive(Serialize)]
struct Summary {
    cases: usize,
    cases_passed: usize,
    cases_failed: usize,
    transactions: usize,
    transactions_passed: usize,
    transactions_failed: usize,
    /// Transactions cleared where the case expects a license, a prohibition or an
    /// indeterminate answer.
    false_clearances: usize,
}

pub fn json(result: &SuiteResult, rules: &RuleSet) -> String {
    let (cp, cf, tp, tf) = result.counts();
    let report = JsonReport {
        version: crate::VERSION,
        ruleset: RulesetInfo {
            digest: rules.digest().to_string(),
            rules: rules.rule_count(),
        },
        passed: result.passed(),
        summary: Summary {
            cases: cp + cf,
            cases_passed: cp,
            cases_failed: cf,
            transactions: tp + tf,
            transactions_passed: tp,
            transactions_failed: tf,
            false_clearances: result.false_clearances().len(),
        },
        result,
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One suite per case file, one test case per transaction expectation.
pub fn junit(result: &SuiteResult, rules: &RuleSet) -> String {
    let doc = Document {
        name: "chipgate test".into(),
        properties: junit::provenance(rules),
        suites: result
            .cases
            .iter()
            .map(|case| Suite {
                name: case.file.clone(),
                cases: case
                    .results
                    .iter()
                    .map(|r| {
                        let (file, line, _) = split_location(&r.at);
                        TestCase {
                            name: r.id.clone(),
                            classname: case.file.clone(),
                            file: file.to_string(),
                            line,
                            failure: (!r.passed).then(|| Failure {
                                kind: "expectation".into(),
                                message: r.difference(),
                                body: failure_body(r),
                            }),
                            system_out: None,
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    doc.render()
}

/// An `::error` annotation on each failing expectation.
pub fn github(result: &SuiteResult) -> String {
    let mut out = String::new();
    for r in result
        .cases
        .iter()
        .flat_map(|c| &c.results)
        .filter(|r| !r.passed)
    {
        let (file, line, col) = split_location(&r.at);
        let _ = writeln!(
            out,
            "{}",
            annotation(
                "error",
                file,
                line,
                col,
                &format!("chipgate test: {}", r.id),
                &format!("{}: {}\n{}", r.id, r.difference(), failure_body(r)),
            )
        );
    }
    out
}

fn failure_body(r: &TransactionResult) -> String {
    let fired: Vec<String> = r
        .fired
        .iter()
        .map(|f| format!("{} ({})", f.rule, f.outcome))
        .collect();
    let mut body = format!(
        "fired: {}",
        if fired.is_empty() {
            "no rule".into()
        } else {
            fired.join(", ")
        }
    );
    if let Some(why) = &r.why {
        let _ = write!(body, "\nexpected because: {why}");
    }
    body
}

/// `file:line:col` back into its parts (file names may hold `:`).
fn split_location(at: &str) -> (&str, usize, usize) {
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (parts.next(), line, col) {
        (Some(file), Some(line), Some(col)) => (file, line, col),
        _ => (at, 1, 1),
    }
}
