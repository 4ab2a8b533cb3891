//! Wording a match for people, in one line. Matches are data; this is the only place that
//! turns one into a sentence, so reports and the CLI say the same thing.

use std::fmt::Write as _;

use super::list::ScreeningList;
use super::score::{CountryAgreement, How, Match};

/// One line about a match, such as "score 96: `Huawei Technologies` ~ `Huawei Technologies
/// Co., Ltd.` (EL 12345, list.json:14): tokens huawei (exact, weight 7.1), technology
/// (exact, weak, weight 1); legal form dropped: co ltd; country agrees (CN)".
pub fn describe(m: &Match, lists: &[ScreeningList]) -> String {
    let mut out = String::new();
    let entry = lists
        .get(m.list)
        .and_then(|l| l.entries.get(m.entry).map(|e| (l, e)));
    let _ = write!(
        out,
        "score {}: `{}` ~ `{}`",
        trim(m.score),
        m.query_name,
        m.matched_name
    );
    if let Some((list, e)) = entry {
        let mut cite = e.source.code().to_string();
        if let Some(n) = &e.entity_number {
            let _ = write!(cite, " {n}");
        }
        if let Some(i) = m.matched_alias {
            let _ = write!(cite, ", alias {} of `{}`", i + 1, e.name);
        }
        let _ = write!(cite, ", {}:{}", list.name, e.location.line);
        let _ = write!(out, " ({cite})");
    }
    out.push_str(": tokens ");
    let words: Vec<String> = m
        .tokens
        .iter()
        .map(|t| {
            let how = match t.how {
                How::Exact => "exact".to_string(),
                How::Fuzzy { edits } => {
                    format!("fuzzy, {edits} edit{}", if edits == 1 { "" } else { "s" })
                }
                How::Joined => "joined".to_string(),
                How::Split => "split".to_string(),
                How::Transliterated => "transliterated".to_string(),
            };
            let weak = if t.weak { ", weak" } else { "" };
            if t.query == t.entry {
                format!("{} ({how}{weak}, weight {})", t.entry, trim(t.weight))
            } else {
                format!(
                    "{} ~ {} ({how}{weak}, weight {})",
                    t.query,
                    t.entry,
                    trim(t.weight)
                )
            }
        })
        .collect();
    out.push_str(&words.join(", "));
    if !m.reasons.unmatched_query.is_empty() || !m.reasons.unmatched_entry.is_empty() {
        let _ = write!(
            out,
            "; unmatched: {}",
            m.reasons
                .unmatched_query
                .iter()
                .chain(&m.reasons.unmatched_entry)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut legal: Vec<&str> = m
        .reasons
        .query_legal_forms
        .iter()
        .chain(&m.reasons.entry_legal_forms)
        .map(String::as_str)
        .collect();
    legal.sort_unstable();
    legal.dedup();
    if !legal.is_empty() {
        let _ = write!(
            out,
            "; legal form{} dropped: {}",
            if legal.len() == 1 { "" } else { "s" },
            legal.join(", ")
        );
    }
    if m.reasons.weak_only {
        out.push_str("; only weak words matched (held below the possible threshold)");
    }
    if m.reasons.inexact_only {
        out.push_str(
            "; the distinctive words matched only inexactly and the names do not otherwise agree (held below the possible threshold)",
        );
    }
    if m.reasons.company_vs_individual {
        out.push_str(
            "; the query has a company's legal form and the entry is an individual (held below the possible threshold)",
        );
    }
    if m.reasons.short_name {
        out.push_str("; short name: every word must match");
    }
    let listed = entry
        .map(|(_, e)| {
            e.countries()
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    match m.country {
        CountryAgreement::Agree => {
            let _ = write!(out, "; country agrees ({listed})");
        }
        CountryAgreement::Disagree => {
            let _ = write!(out, "; country disagrees (listed: {listed})");
        }
        CountryAgreement::Unknown => {}
    }
    out
}

/// A number without a needless ".0".
fn trim(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}
