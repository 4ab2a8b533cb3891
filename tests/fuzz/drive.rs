//! What each fuzz target does with its input, shared by the cargo-fuzz targets (`fuzz/`) and
//! the regression suite (`tests/fuzz_regressions.rs`, which replays every input a fuzzing
//! run found, kept in `tests/fuzz/<target>/`). Each returns a short account of the outcome
//! for the regression snapshots; the fuzzers ignore it. None of them may panic, hang or
//! exhaust memory on any input.

use std::sync::OnceLock;

use chipgate::report::{self, human};
use chipgate::{Date, Error, Limits, RuleSet, TransactionFile, TransactionReport};

/// The fixed transaction file fuzzed rules are checked against: every kind of transaction,
/// ownership with a cycle, listed owners in aggregate, unknown shares, dated designations,
/// a lease, routes and authorizations.
pub static WORLD: &str = include_str!("world.yaml");

/// `file:line:col code: message` for each diagnostic, after rendering it.
fn refused(e: &Error) -> String {
    let mut out = String::new();
    for d in &e.diagnostics {
        let _ = human::diagnostic(d, human::Style::default());
        out.push_str(&format!(
            "refused: {} {}: {}\n",
            d.location().unwrap_or_else(|| "(no location)".into()),
            d.code,
            d.message
        ));
    }
    out
}

/// The rule-language parser and compiler: the text is cut into up to four files at lines
/// of `====` (named `f0.cg`…), so `include` between them is exercised too.
pub fn rules(data: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(data) else {
        return "not UTF-8\n".into();
    };
    let sources: Vec<(String, String)> = text
        .split("\n====\n")
        .take(4)
        .enumerate()
        .map(|(i, t)| (format!("f{i}.cg"), t.to_string()))
        .collect();
    match RuleSet::from_sources(&sources, &Limits::default()) {
        Ok(rules) => format!("compiled: {} rules\n", rules.rule_summaries().len()),
        Err(e) => refused(&e),
    }
}

/// The transaction-file loader, then every transaction's position.
pub fn facts(data: &[u8]) -> String {
    match TransactionFile::from_bytes("fuzz.yaml", data.to_vec(), &Limits::default()) {
        Ok(file) => {
            for i in 0..file.transactions.len() {
                let _ = file.transaction_span(chipgate::facts::TxId::new(i));
            }
            format!("loaded: {} transactions\n", file.transactions.len())
        }
        Err(e) => refused(&e),
    }
}

fn builtin() -> Option<&'static RuleSet> {
    static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().ok()).as_ref()
}

fn world() -> Option<&'static TransactionFile> {
    static FILE: OnceLock<Option<TransactionFile>> = OnceLock::new();
    FILE.get_or_init(|| TransactionFile::from_str("world.yaml", WORLD, &Limits::default()).ok())
        .as_ref()
}

/// Checks and renders both ways; one line per transaction.
fn check_and_render(rules: &RuleSet, file: &TransactionFile, as_of: Option<Date>) -> String {
    let reports: Vec<TransactionReport> = rules.check(file, as_of);
    let style = human::Style::default();
    for r in &reports {
        let _ = human::transaction(r, rules, style);
    }
    let _ = human::summary(&reports, rules);
    let _ = report::json::render(&report::Report::new(rules, &reports));
    reports
        .iter()
        .map(|r| {
            let fired: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
            format!("{} {} [{}]\n", r.id, r.verdict, fired.join(", "))
        })
        .collect()
}

/// A full check. The first byte chooses what is fuzzed:
/// - even: the rest (after an as-of byte) is a transaction file, checked against the
///   built-in pack on its own dates and as of 2022-01-01 plus that many weeks;
/// - odd: the rest is a rule file named `rules/ear/fuzz.cg` (so the pack's includes
///   resolve: its files that declare no rules are given alongside), checked against
///   [`WORLD`].
pub fn check(data: &[u8]) -> String {
    let Some((&mode, rest)) = data.split_first() else {
        return "empty\n".into();
    };
    let limits = Limits::default();
    if mode % 2 == 0 {
        let Some(rules) = builtin() else {
            return "the built-in pack does not compile\n".into();
        };
        let as_of = rest
            .first()
            .and_then(|b| Date::from_ymd(2022, 1, 1).map(|d| d.plus_days(i32::from(*b) * 7)));
        let body = rest.get(1..).unwrap_or(&[]);
        match TransactionFile::from_bytes("fuzz.yaml", body.to_vec(), &limits) {
            Ok(file) => {
                let mut out = check_and_render(rules, &file, None);
                out.push_str("as of:\n");
                out.push_str(&check_and_render(rules, &file, as_of));
                out
            }
            Err(e) => refused(&e),
        }
    } else {
        let Some(file) = world() else {
            return "the fixed world does not load\n".into();
        };
        let Ok(text) = std::str::from_utf8(rest) else {
            return "not UTF-8\n".into();
        };
        let mut sources: Vec<(String, String)> = chipgate::pack::files()
            .iter()
            .filter(|(_, t)| !t.contains("\nrule "))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        sources.push(("rules/ear/fuzz.cg".to_string(), text.to_string()));
        match RuleSet::from_sources(&sources, &limits) {
            Ok(rules) => check_and_render(&rules, file, None),
            Err(e) => refused(&e),
        }
    }
}
