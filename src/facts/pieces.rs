//! Reading a large transaction file on all cores. The line scan of `spans` finds where each
//! entry of the top-level lists starts; runs of whole entries are then deserialized by
//! serde_yaml on separate threads, and each run of transactions is validated as soon as it is
//! read, so the raw form of only a few runs is alive at once.
//!
//! This is a shortcut, never a second dialect: it is taken only when the file is laid out as
//! plain block lists under the contract's four keys and every piece reads and validates
//! cleanly. Anything else (flow style, anchors across entries, an unknown key, any error at
//! all) returns `None`, and the caller reads the whole file in one piece, which also gives
//! the diagnostics their exact positions and order.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use super::raw::{RawFacility, RawItem, RawParty, RawTransaction};
use super::spans::{scan_top_level, Entry, SpanIndex};
use super::validate::{Refs, Validator};
use super::{Transaction, TransactionFile};
use crate::limits::Limits;
use crate::source::SourceFile;

/// Files smaller than this are read in one piece: threads would not pay for themselves.
pub(crate) const PARALLEL_FROM_BYTES: usize = 1 << 20;

/// Aim for pieces of about this many bytes.
const PIECE_BYTES: usize = 256 * 1024;

/// The largest single entry read in pieces (real entries are a few hundred bytes).
const MAX_ENTRY_BYTES: usize = 1 << 20;

/// Runs of consecutive entries, each as `(index of its first entry, byte range)`.
fn pieces(entries: &[Entry]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0usize;
    while let Some(start) = entries.get(first) {
        let (from, _) = start.bounds();
        let mut last = first;
        while let Some(next) = entries.get(last + 1) {
            if next.bounds().0.saturating_sub(from) >= PIECE_BYTES {
                break;
            }
            last += 1;
        }
        let (_, to) = entries.get(last).map(Entry::bounds).unwrap_or((from, from));
        out.push((first, from, to));
        first = last + 1;
    }
    out
}

/// A run of entries as a list of `T`, or `None` if it does not read as exactly `count` of them.
fn read<T: DeserializeOwned>(text: &str, from: usize, to: usize, count: usize) -> Option<Vec<T>> {
    let part = text.get(from..to)?;
    let list: Vec<T> = match super::fast::from_str(part) {
        Some(list) => list,
        None => serde_yaml::from_str(part).ok()?,
    };
    (list.len() == count).then_some(list)
}

/// A whole top-level list, read in pieces on all cores.
fn read_list<T: DeserializeOwned + Send>(
    text: &str,
    entries: Option<&Vec<Entry>>,
) -> Option<Vec<T>> {
    let Some(entries) = entries else {
        return Some(Vec::new());
    };
    let runs = pieces(entries);
    let parts: Option<Vec<Vec<T>>> = runs
        .par_iter()
        .enumerate()
        .map(|(k, (first, from, to))| {
            let next = runs.get(k + 1).map_or(entries.len(), |r| r.0);
            read(text, *from, *to, next - first)
        })
        .collect();
    Some(concat(parts?))
}

/// The parts joined in order, each freed as soon as it is moved (never two whole copies).
fn concat<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        all.extend(part);
    }
    all
}

pub(crate) fn load(source: &Arc<SourceFile>, limits: &Limits) -> Option<TransactionFile> {
    let text = source.text();
    let top = scan_top_level(text)?;
    const KEYS: [&str; 4] = ["parties", "items", "facilities", "transactions"];
    if !top.inline.is_empty() || top.lists.iter().any(|(k, _)| !KEYS.contains(&k.as_str())) {
        return None;
    }
    // Pieces bound serde_yaml's memory only if no entry is itself huge: a file with one
    // giant entry is read whole, under the guard's count of values.
    if top
        .lists
        .iter()
        .flat_map(|(_, entries)| entries.iter())
        .any(|e| e.bounds().1.saturating_sub(e.bounds().0) > MAX_ENTRY_BYTES)
    {
        return None;
    }
    let list = |key: &str| top.lists.iter().find(|(k, _)| k == key).map(|(_, e)| e);
    let tx_entries = list("transactions").filter(|e| !e.is_empty())?;
    let count = |key: &str| list(key).map_or(0, Vec::len);
    if count("parties") > limits.max_parties
        || count("items") > limits.max_items
        || tx_entries.len() > limits.max_transactions
    {
        return None;
    }

    let raw_parties: Vec<RawParty> = read_list(text, list("parties"))?;
    let raw_items: Vec<RawItem> = read_list(text, list("items"))?;
    let raw_facilities: Vec<RawFacility> = read_list(text, list("facilities"))?;
    let edges: usize = raw_parties.iter().map(|p| p.owners.len()).sum();
    if edges > limits.max_ownership_edges {
        return None;
    }
    let mut head = Validator::unlocated(Arc::clone(source), limits);
    let [party_ids, item_ids, facility_ids] =
        head.head_ids(&raw_parties, &raw_items, &raw_facilities);
    let (parties, items, facilities) =
        head.head_values(&raw_parties, &raw_items, &raw_facilities, &party_ids);
    if head.has_errors() {
        return None;
    }
    let refs = Refs {
        parties: &party_ids,
        items: &item_ids,
        facilities: &facility_ids,
        party_list: &parties,
        facility_list: &facilities,
    };

    // Transactions: each run read and validated on its own thread; its raw form is dropped
    // as soon as it is validated. The runs go in waves of a few per thread, each wave's
    // transactions moved into the one list at once, so that the validated transactions are
    // never held twice (in their runs' lists and in the whole file's).
    let runs = pieces(tx_entries);
    let wave = rayon::current_num_threads().max(1) * 4;
    let mut transactions: Vec<Transaction> = Vec::with_capacity(tx_entries.len());
    for (w, chunk) in runs.chunks(wave).enumerate() {
        let parts: Option<Vec<Vec<Transaction>>> = chunk
            .par_iter()
            .enumerate()
            .map(|(j, (first, from, to))| {
                let k = w * wave + j;
                let next = runs.get(k + 1).map_or(tx_entries.len(), |r| r.0);
                let raw: Vec<RawTransaction> = read(text, *from, *to, next - first)?;
                let mut v = Validator::unlocated(Arc::clone(source), limits);
                let out: Vec<Transaction> = raw
                    .iter()
                    .enumerate()
                    .filter_map(|(j, t)| v.transaction(first + j, t, &refs))
                    .collect();
                (!v.has_errors() && out.len() == raw.len()).then_some(out)
            })
            .collect();
        for part in parts? {
            transactions.extend(part);
        }
    }
    // The checks the one-piece reading makes on transaction ids: present and unique.
    let mut seen: HashSet<&str> = HashSet::with_capacity(transactions.len());
    if !transactions
        .iter()
        .all(|t| !t.id.trim().is_empty() && seen.insert(t.id.as_str()))
    {
        return None;
    }
    drop(seen);
    // The line scan is kept for positions: findings parse only the entries they point into.
    let spans = OnceLock::new();
    let _ = spans.set(SpanIndex::from_lists(source, top.lists));
    Some(TransactionFile::new(
        Arc::clone(source),
        parties,
        items,
        facilities,
        transactions,
        None,
        spans,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file just large enough to be read in pieces: the same facts either way.
    #[test]
    fn pieces_read_the_same_facts_as_one_piece() {
        let mut text = String::from("parties:\n");
        for p in 0..2000 {
            text.push_str(&format!(
                "  - id: p{p}\n    name: \"Party {p}: Ltd.\"\n    country: {}\n",
                if p % 3 == 0 { "CN" } else { "SG" }
            ));
            if p > 0 {
                text.push_str(&format!(
                    "    owners:\n      - party: p{}\n        share: 60\n",
                    p - 1
                ));
            }
        }
        text.push_str(
            "items:\n- id: h100\n  name: H100\n  tpp: 15832\n  die_area_mm2: 814\ntransactions:\n",
        );
        for t in 0..12_000 {
            text.push_str(&format!(
                "  # transaction {t}\n  - id: T{t}\n    kind: export\n    date: 2025-02-10\n    item: h100\n    from: p{}\n    to: p{}\n    route: [US, SG]\n",
                t % 2000,
                (t * 7) % 2000
            ));
        }
        assert!(text.len() > PARALLEL_FROM_BYTES);
        let source = SourceFile::new("big.yaml", text.as_str());
        let limits = Limits::default();
        let fast = load(&source, &limits).expect("read in pieces");
        assert!(pieces(&scan_top_level(&text).unwrap().lists[2].1).len() > 1);
        let raw: super::super::raw::RawFile = serde_yaml::from_str(&text).unwrap();
        let slow = Validator::new(Arc::clone(&source), &limits, None)
            .run(raw)
            .unwrap();
        assert_eq!(fast.transactions.len(), slow.transactions.len());
        assert_eq!(
            format!("{:?}{:?}{:?}", fast.parties, fast.items, fast.transactions),
            format!("{:?}{:?}{:?}", slow.parties, slow.items, slow.transactions)
        );
    }

    #[test]
    fn anything_unusual_is_left_to_the_one_piece_reading() {
        let limits = Limits::default();
        for text in [
            "parties: []\ntransactions:\n  - id: T1\n",
            "meta: 1\ntransactions:\n  - id: T1\n",
            "transactions:\n  - id: T1\n    kind: export\n",
        ] {
            assert!(
                load(&SourceFile::new("t.yaml", text), &limits).is_none(),
                "{text}"
            );
        }
    }
}
