//! `chipgate screen`: every party of a file, its owners up the chain, and the list entries
//! each matches, for people (`human`) and tools (`json`).

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::facts::TransactionFile;
use crate::screen::{ListEntry, PartyMatches, Resolution, Screening};

fn resolution_word(r: &Resolution) -> &'static str {
    match r {
        Resolution::Designated => "strong match: designated",
        Resolution::Review => "possible match: review",
        Resolution::Cleared => "cleared by a reviewer",
        Resolution::Confirmed => "confirmed by a reviewer",
        Resolution::OtherList => "match on a list the rules do not ask about",
    }
}

/// The owners of party `p` up its chain (each once, nearest first), with their shares.
fn owner_chain(file: &TransactionFile, p: usize) -> Vec<(usize, usize, Option<String>)> {
    let mut out = Vec::new();
    let mut seen = vec![p];
    let mut queue = vec![p];
    while let Some(x) = queue.pop() {
        let Some(party) = file.parties.get(x) else {
            continue;
        };
        for o in &party.owners {
            let owner = o.owner.index();
            if seen.contains(&owner) || seen.len() > 64 {
                continue;
            }
            seen.push(owner);
            out.push((x, owner, o.share.map(|s| s.to_string())));
            queue.insert(0, owner);
        }
    }
    out
}

fn entry_json(s: &Screening, m: &crate::screen::Match, r: &Resolution) -> Value {
    let list = s.lists().get(m.list);
    let e: Option<&ListEntry> = list.and_then(|l| l.entries.get(m.entry));
    json!({
        "score": (m.score * 10.0).round() / 10.0,
        "strength": m.strength,
        "resolution": r,
        "query_name": m.query_name,
        "matched_name": m.matched_name,
        "matched_alias": m.matched_alias.is_some(),
        "list": e.map(|e| e.source.code()),
        "list_file": list.map(|l| l.name.as_str()),
        "line": e.map(|e| e.location.line),
        "entry": e.map(|e| e.id.as_str()),
        "name": e.map(|e| e.name.as_str()),
        "start_date": e.and_then(|e| e.start_date).map(|d| d.to_string()),
        "end_date": e.and_then(|e| e.end_date).map(|d| d.to_string()),
        "federal_register_notice": e.and_then(|e| e.federal_register_notice.as_deref()),
        "license_requirement": e.and_then(|e| e.license_requirement.as_deref()),
        "license_policy": e.and_then(|e| e.license_policy.as_deref()),
        "addresses": e.map(|e| e.addresses.clone()).unwrap_or_default(),
        "why": s.describe(m),
        "reasons": m.reasons,
    })
}

/// The JSON report: `{"lists": [...], "files": [{"file", "parties": [{"id", "name",
/// "country", "owners": [...], "matches": [...]}]}]}`.
pub fn json(s: &Screening, files: &[(&TransactionFile, Vec<PartyMatches>)]) -> String {
    let lists: Vec<Value> = s
        .lists()
        .iter()
        .map(|l| json!({"file": l.name, "entries": l.entries.len(), "digest": l.digest}))
        .collect();
    let files: Vec<Value> = files
        .iter()
        .map(|(file, found)| {
            let parties: Vec<Value> = found
                .iter()
                .filter_map(|pm| {
                    let party = file.parties.get(pm.party)?;
                    let owners: Vec<Value> = owner_chain(file, pm.party)
                        .into_iter()
                        .filter_map(|(owned, owner, share)| {
                            Some(json!({
                                "owned": file.parties.get(owned)?.id,
                                "owner": file.parties.get(owner)?.id,
                                "share": share,
                            }))
                        })
                        .collect();
                    Some(json!({
                        "id": party.id,
                        "name": party.name,
                        "country": party.country.to_string(),
                        "owners": owners,
                        "matches": pm.matches.iter().map(|(m, r)| entry_json(s, m, r)).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            json!({"file": file.source.name(), "parties": parties})
        })
        .collect();
    let mut out =
        serde_json::to_string_pretty(&json!({"lists": lists, "files": files})).unwrap_or_default();
    out.push('\n');
    out
}

/// The human report: each party, its owners' matches by reference, and each match with the
/// entry's facts.
pub fn human(s: &Screening, files: &[(&TransactionFile, Vec<PartyMatches>)]) -> String {
    let mut out = String::new();
    let total: usize = s.lists().iter().map(|l| l.entries.len()).sum();
    let names: Vec<&str> = s.lists().iter().map(|l| l.name.as_str()).collect();
    let _ = writeln!(
        out,
        "screened against {} ({total} entries)",
        names.join(", ")
    );
    for (file, found) in files {
        let _ = writeln!(out, "\n{}", file.source.name());
        let matched = |p: usize| found.get(p).is_some_and(|pm| !pm.matches.is_empty());
        for pm in found {
            let Some(party) = file.parties.get(pm.party) else {
                continue;
            };
            let mark = if pm.matches.is_empty() { "·" } else { "!" };
            let _ = writeln!(
                out,
                "  {mark} `{}` {} ({}): {}",
                party.id,
                party.name,
                party.country,
                match pm.matches.len() {
                    0 => "no match".to_string(),
                    1 => "1 match".to_string(),
                    n => format!("{n} matches"),
                }
            );
            for (m, r) in &pm.matches {
                let e = s.lists().get(m.list).and_then(|l| l.entries.get(m.entry));
                let _ = writeln!(out, "      {}: {}", resolution_word(r), s.describe(m));
                if let Some(e) = e {
                    let mut facts = Vec::new();
                    if !e.id.is_empty() {
                        facts.push(format!("entry {}", e.id));
                    }
                    if let Some(d) = e.start_date {
                        facts.push(format!("from {d}"));
                    }
                    if let Some(d) = e.end_date {
                        facts.push(format!("until {d}"));
                    }
                    if let Some(n) = &e.federal_register_notice {
                        facts.push(n.clone());
                    }
                    if let Some(l) = &e.license_requirement {
                        facts.push(format!("license requirement: {l}"));
                    }
                    if let Some(p) = &e.license_policy {
                        facts.push(format!("policy: {p}"));
                    }
                    let _ = writeln!(out, "        {}", facts.join("; "));
                    for a in &e.addresses {
                        let text: Vec<&str> = [&a.address, &a.city, &a.state, &a.country_text]
                            .into_iter()
                            .filter_map(|x| x.as_deref())
                            .collect();
                        if !text.is_empty() {
                            let _ = writeln!(out, "        address: {}", text.join(", "));
                        }
                    }
                }
                if *r == Resolution::Review {
                    let entry = e.map(|e| e.id.as_str()).unwrap_or("?");
                    let _ = writeln!(
                        out,
                        "        to resolve: add to `{}` `screening: [{{entry: {entry}, decision: cleared, by: NAME, on: YYYY-MM-DD, reason: TEXT}}]` (or `decision: confirmed`)",
                        party.id
                    );
                }
            }
            for (owned, owner, share) in owner_chain(file, pm.party) {
                if matched(owner) {
                    let (Some(a), Some(b)) = (file.parties.get(owned), file.parties.get(owner))
                    else {
                        continue;
                    };
                    let _ = writeln!(
                        out,
                        "      owner `{}` holds {} of `{}`, and has matches (above)",
                        b.id,
                        share.as_deref().unwrap_or("an unknown share"),
                        a.id
                    );
                }
            }
        }
    }
    out
}
