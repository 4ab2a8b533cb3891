//! Listings: item classifications (`chipgate classify`) and the rules of a rule set
//! (`chipgate rules`), as text for people or Markdown tables for documents.

use std::fmt::Write as _;

use crate::check::ItemClassification;
use crate::facts::TransactionFile;
use crate::vocab::NumAttr;
use crate::RuleSummary;

fn eccn_text(c: &ItemClassification) -> String {
    match (c.eccns.is_empty(), c.undetermined) {
        (false, _) => c.eccns.join(", "),
        (true, true) => "undetermined".to_string(),
        (true, false) => "none of the classified ECCNs".to_string(),
    }
}

/// Each item's ECCN on the date, with the arithmetic of every test in force.
pub fn classifications_text(items: &[ItemClassification]) -> String {
    let mut out = String::new();
    for c in items {
        let _ = writeln!(
            out,
            "{} ({}) on {}: {}",
            c.item,
            c.name,
            c.date,
            eccn_text(c)
        );
        for t in &c.tests {
            let why = if t.reasons.is_empty() {
                String::new()
            } else {
                format!(" — {}", t.reasons.join("; "))
            };
            let _ = writeln!(
                out,
                "  {:<8} {:<7} [{}; {}]{why}",
                t.eccn,
                t.result,
                t.citation.join("; "),
                t.effective.join(", ")
            );
        }
        match (&c.declared, c.declared_agrees) {
            (Some(d), Some(false)) => {
                let _ = writeln!(out, "  declared {d}: DISAGREES with the specifications — resolve before relying on either");
            }
            (Some(d), _) => {
                let _ = writeln!(out, "  declared {d}: agrees");
            }
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// A Markdown table: item, TPP, die area, PD, interconnect, memory bandwidth, ECCN.
pub fn classifications_markdown(items: &[ItemClassification], facts: &TransactionFile) -> String {
    let num = |v: Option<f64>| {
        v.map_or_else(
            || "—".to_string(),
            |x| format!("{}", (x * 100.0).round() / 100.0),
        )
    };
    let mut out = String::from("| item | TPP | die mm² | PD | interconnect GB/s | memory GB/s | ECCN |\n|---|---:|---:|---:|---:|---:|---|\n");
    // Looked up by id through a map: a file may hold 100,000 items.
    let by_id: std::collections::HashMap<&str, &crate::facts::Item> =
        facts.items.iter().map(|i| (i.id.as_str(), i)).collect();
    for c in items {
        let Some(it) = by_id.get(c.item.as_str()) else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.name,
            num(it.figures.get(NumAttr::Tpp)),
            num(it.figures.get(NumAttr::DieArea)),
            num(it.figures.get(NumAttr::PerformanceDensity)),
            num(it.figures.get(NumAttr::Interconnect)),
            num(it.figures.get(NumAttr::MemoryBandwidth)),
            eccn_text(c)
        );
    }
    out
}

/// The rules, one paragraph each.
pub fn rules_text(rules: &[RuleSummary]) -> String {
    let mut out = String::new();
    for r in rules {
        let _ = writeln!(out, "{} — {}", r.id, r.title);
        let _ = writeln!(
            out,
            "  outcome {} on {}; in force {}",
            r.outcome,
            r.kinds.join(", "),
            r.effective.join(", ")
        );
        let _ = writeln!(
            out,
            "  law {}; cited {}",
            r.law.as_deref().unwrap_or("—"),
            r.citation.join("; ")
        );
        for n in &r.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        let _ = writeln!(out, "  at {}\n", r.location);
    }
    out
}

/// The rules as a Markdown table, uncertainties included.
pub fn rules_markdown(rules: &[RuleSummary]) -> String {
    let mut out = String::from(
        "| rule | outcome | in force | law | citations | uncertain |\n|---|---|---|---|---|---|\n",
    );
    for r in rules {
        let uncertain: Vec<&str> = r
            .notes
            .iter()
            .filter_map(|n| {
                n.find("uncertain: ")
                    .and_then(|i| n.get(i + "uncertain: ".len()..))
            })
            .collect();
        let _ = writeln!(
            out,
            "| `{}` {} | {} | {} | {} | {} | {} |",
            r.id,
            r.title.replace('|', "/"),
            r.outcome,
            r.effective.join("; "),
            r.law.as_deref().unwrap_or("—"),
            r.citation.join("; ").replace('|', "/"),
            if uncertain.is_empty() {
                "—".to_string()
            } else {
                uncertain.join(" / ").replace('|', "/")
            }
        );
    }
    out
}
