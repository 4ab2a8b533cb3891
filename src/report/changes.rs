//! The report of `chipgate diff`: only the transactions whose decision changed, each with the
//! rules responsible and when they are in force.

use std::fmt::Write as _;

use crate::diff::{DiffReport, RuleChange};

pub fn human(report: &DiffReport) -> String {
    let mut out = String::new();
    for c in &report.changes {
        let as_of = if c.as_of.is_some() { " (as of)" } else { "" };
        let _ = writeln!(
            out,
            "{} {} on {}{as_of}: {} → {}",
            c.at, c.id, c.date, c.before, c.after
        );
        for r in c.added.iter().chain(&c.removed).chain(&c.changed) {
            let _ = writeln!(out, "  {:<8}{}", r.change(), rule_line(r));
        }
    }
    if !report.changes.is_empty() {
        out.push('\n');
    }
    let short = |d: &str| d.get(..19).unwrap_or(d).to_string();
    let _ = writeln!(
        out,
        "{} of {} transaction{} changed (base {} {}…, {} rule{}; new {} {}…, {} rule{})",
        report.changes.len(),
        report.transactions,
        if report.transactions == 1 { "" } else { "s" },
        report.base.source,
        short(&report.base.digest),
        report.base.rules,
        if report.base.rules == 1 { "" } else { "s" },
        report.new.source,
        short(&report.new.digest),
        report.new.rules,
        if report.new.rules == 1 { "" } else { "s" },
    );
    out
}

fn rule_line(r: &RuleChange) -> String {
    let word = |v: Option<crate::Verdict>| v.map_or("no finding".to_string(), |v| v.to_string());
    let mut line = format!("{}: {} → {}", r.rule, word(r.before), word(r.after));
    let window = |w: &[String]| {
        if w.is_empty() {
            "not in this rule set".to_string()
        } else {
            w.join(", ")
        }
    };
    if r.effective_before == r.effective_after {
        let _ = write!(line, " (in force {})", window(&r.effective_after));
    } else {
        let _ = write!(
            line,
            " (in force {} in base, {} in new)",
            window(&r.effective_before),
            window(&r.effective_after)
        );
    }
    line
}

pub fn json(report: &DiffReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
