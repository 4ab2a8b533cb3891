//! Facts shared by transaction files: master files of parties, items and facilities
//! (`check --facts FILE`), in the transaction-file format without `transactions`. They are
//! read and validated once; each transaction file then refers to their ids as to its own.
//!
//! Ids never collide silently: an entry defined in two files the same way is one entry, and
//! an id defined differently in two places is a diagnostic at the second, naming the first.
//! A fact taken from a facts file is cited with that file's lines.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::raw::{RawFacility, RawFacts, RawItem, RawParty};
use super::spans::{Seg, SpanIndex};
use super::validate::{Validator, P};
use super::{Facility, Item, Party};
use crate::diag::{Diagnostic, Error};
use crate::limits::Limits;
use crate::source::{SourceFile, Span};

/// Validated facts from one or more facts files.
pub struct Shared {
    pub(crate) files: Vec<Arc<SourceFile>>,
    spans: Vec<OnceLock<SpanIndex>>,
    /// Entries per file: parties, items, facilities (for the line scan of positions).
    counts: Vec<[usize; 3]>,
    pub(crate) raw_parties: Vec<RawParty>,
    pub(crate) raw_items: Vec<RawItem>,
    pub(crate) raw_facilities: Vec<RawFacility>,
    pub(crate) parties: Vec<Party>,
    pub(crate) items: Vec<Item>,
    pub(crate) facilities: Vec<Facility>,
    /// For each party, item and facility: the file it came from and its index there.
    pub(crate) origin: [Vec<(u16, u32)>; 3],
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field(
                "files",
                &self.files.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field("parties", &self.parties.len())
            .field("items", &self.items.len())
            .field("facilities", &self.facilities.len())
            .finish()
    }
}

/// The lists of one file's parties, items and facilities.
pub(crate) struct Part<'r> {
    pub parties: &'r [RawParty],
    pub items: &'r [RawItem],
    pub facilities: &'r [RawFacility],
}

/// Parties, items and facilities gathered from several files, validated.
pub(crate) struct Head<'r> {
    pub parties: Vec<Party>,
    pub items: Vec<Item>,
    pub facilities: Vec<Facility>,
    /// Ids to indices in the lists above.
    pub ids: [HashMap<&'r str, u32>; 3],
    /// For each entry past the base's: (part, index in that part).
    pub origin: [Vec<(u16, u32)>; 3],
}

const KINDS: [(&str, &str); 3] = [
    ("parties", "party"),
    ("items", "item"),
    ("facilities", "facility"),
];

/// One kind of entry gathered: the entries kept, in order, as (part, index), and ids to
/// merged indices. An id met again is the same entry when defined the same way; defined
/// differently, it is reported.
#[allow(clippy::too_many_arguments)]
fn gather<'r, T: PartialEq + 'r>(
    kind: usize,
    base: &'r [T],
    base_origin: &[(u16, u32)],
    base_files: &[Arc<SourceFile>],
    base_span: &dyn Fn(usize, &[Seg<'_>]) -> Span,
    parts: &[&'r [T]],
    id: impl Fn(&T) -> &str,
    validators: &mut [Validator<'_>],
) -> (Vec<(u16, u32)>, HashMap<&'r str, u32>) {
    let (key, what) = KINDS.get(kind).copied().unwrap_or(("parties", "party"));
    let mut ids: HashMap<&'r str, u32> = HashMap::with_capacity(base.len());
    for (i, e) in base.iter().enumerate() {
        ids.entry(id(e))
            .or_insert(u32::try_from(i).unwrap_or(u32::MAX));
    }
    let mut kept: Vec<(u16, u32)> = Vec::new();
    let mut first_part: HashMap<&'r str, u16> = HashMap::new();
    for (p, entries) in parts.iter().enumerate() {
        let part = u16::try_from(p).unwrap_or(u16::MAX);
        // Empty ids and duplicates within the file: its own validator says so.
        if let Some(v) = validators.get_mut(p) {
            v.ids(entries.iter().map(&id), key, what);
        }
        for (i, e) in entries.iter().enumerate() {
            let name = id(e);
            if name.trim().is_empty() {
                continue;
            }
            let Some(&m) = ids.get(name) else {
                ids.insert(
                    name,
                    u32::try_from(base.len() + kept.len()).unwrap_or(u32::MAX),
                );
                first_part.insert(name, part);
                kept.push((part, u32::try_from(i).unwrap_or(u32::MAX)));
                continue;
            };
            let m = m as usize;
            let (earlier, at) = if m < base.len() {
                let (file, local) = base_origin.get(m).copied().unwrap_or((0, 0));
                let span = base_span(
                    m,
                    &[Seg::Key(key), Seg::Index(local as usize), Seg::Key("id")],
                );
                let where_ = base_files
                    .get(file as usize)
                    .map(|f| f.location(span))
                    .unwrap_or_default();
                (base.get(m), where_)
            } else {
                let Some(&(q, local)) = kept.get(m - base.len()) else {
                    continue;
                };
                if first_part.get(name) == Some(&part) {
                    // A duplicate within one file: reported as such by `ids`.
                    continue;
                }
                let earlier = parts.get(q as usize).and_then(|l| l.get(local as usize));
                let where_ = validators
                    .get(q as usize)
                    .map(|v| {
                        let path = [P::K(key), P::I(local as usize), P::K("id")];
                        v.source().location(v.span(&path, false))
                    })
                    .unwrap_or_default();
                (earlier, where_)
            };
            if earlier == Some(e) {
                continue;
            }
            if let Some(v) = validators.get_mut(p) {
                v.conflict(
                    &[P::K(key), P::I(i), P::K("id")],
                    format!("{what} `{name}` is defined differently at {at}"),
                    format!(
                        "an id means one {what} across the transaction file and its facts files: keep one definition, or give this {what} its own id"
                    ),
                );
            }
        }
    }
    (kept, ids)
}

/// Validates the parties, items and facilities of `parts` (each with its validator) on top
/// of `base` (already validated): references resolve across all of them.
pub(crate) fn build<'r>(
    base: Option<&'r Shared>,
    parts: &[Part<'r>],
    validators: &mut [Validator<'_>],
) -> Head<'r> {
    let empty_origin: [Vec<(u16, u32)>; 3] = Default::default();
    let (bp, bi, bf): (&[RawParty], &[RawItem], &[RawFacility]) = match base {
        Some(b) => (&b.raw_parties, &b.raw_items, &b.raw_facilities),
        None => (&[], &[], &[]),
    };
    let origin = base.map_or(&empty_origin, |b| &b.origin);
    let files: &[Arc<SourceFile>] = base.map_or(&[], |b| &b.files);
    let base_span = |kind: usize| {
        move |m: usize, path: &[Seg<'_>]| base.map_or(Span::default(), |b| b.span(kind, m, path))
    };
    let (kept_p, party_ids) = gather(
        0,
        bp,
        origin.first().map_or(&[][..], |v| v),
        files,
        &base_span(0),
        &parts.iter().map(|p| p.parties).collect::<Vec<_>>(),
        |e| e.id.as_str(),
        validators,
    );
    let (kept_i, item_ids) = gather(
        1,
        bi,
        origin.get(1).map_or(&[][..], |v| v),
        files,
        &base_span(1),
        &parts.iter().map(|p| p.items).collect::<Vec<_>>(),
        |e| e.id.as_str(),
        validators,
    );
    let (kept_f, facility_ids) = gather(
        2,
        bf,
        origin.get(2).map_or(&[][..], |v| v),
        files,
        &base_span(2),
        &parts.iter().map(|p| p.facilities).collect::<Vec<_>>(),
        |e| e.id.as_str(),
        validators,
    );
    let raw_party = |m: u32| -> Option<&'r RawParty> {
        let m = m as usize;
        if m < bp.len() {
            return bp.get(m);
        }
        let (p, i) = kept_p.get(m - bp.len())?;
        parts.get(*p as usize)?.parties.get(*i as usize)
    };
    let mut parties: Vec<Party> = base.map_or_else(Vec::new, |b| b.parties.clone());
    for (p, i) in &kept_p {
        let (Some(v), Some(raw)) = (
            validators.get_mut(*p as usize),
            parts
                .get(*p as usize)
                .and_then(|part| part.parties.get(*i as usize)),
        ) else {
            continue;
        };
        if let Some(party) = v.party(*i as usize, raw, &party_ids) {
            parties.push(party);
        }
    }
    let mut items: Vec<Item> = base.map_or_else(Vec::new, |b| b.items.clone());
    for (p, i) in &kept_i {
        let (Some(v), Some(raw)) = (
            validators.get_mut(*p as usize),
            parts
                .get(*p as usize)
                .and_then(|part| part.items.get(*i as usize)),
        ) else {
            continue;
        };
        if let Some(item) = v.item(*i as usize, raw, &raw_party, &party_ids) {
            items.push(item);
        }
    }
    let mut facilities: Vec<Facility> = base.map_or_else(Vec::new, |b| b.facilities.clone());
    for (p, i) in &kept_f {
        let (Some(v), Some(raw)) = (
            validators.get_mut(*p as usize),
            parts
                .get(*p as usize)
                .and_then(|part| part.facilities.get(*i as usize)),
        ) else {
            continue;
        };
        if let Some(f) = v.facility(*i as usize, raw, &party_ids) {
            facilities.push(f);
        }
    }
    Head {
        parties,
        items,
        facilities,
        ids: [party_ids, item_ids, facility_ids],
        origin: [kept_p, kept_i, kept_f],
    }
}

impl Shared {
    /// Reads the facts files at these paths (`--facts`) and validates them together; every
    /// unreadable file and every problem of every file is reported.
    pub fn from_paths(paths: &[std::path::PathBuf], limits: &Limits) -> Result<Shared, Error> {
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            match crate::facts::read(path, limits) {
                Ok(s) => sources.push(s),
                Err(e) => errors.extend(e.diagnostics),
            }
        }
        if !errors.is_empty() {
            return Err(Error::from(errors));
        }
        Shared::load(sources, limits)
    }

    /// Reads and validates facts files together: each is a transaction file without
    /// `transactions` (YAML or JSON, by its name). Every problem of every file is reported.
    pub fn load(sources: Vec<Arc<SourceFile>>, limits: &Limits) -> Result<Shared, Error> {
        let mut raws: Vec<RawFacts> = Vec::with_capacity(sources.len());
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut validators: Vec<Validator<'_>> = Vec::new();
        for source in &sources {
            match super::validate::read_facts(source, limits) {
                Ok((raw, v)) => {
                    raws.push(raw);
                    validators.push(v);
                }
                Err(e) => errors.extend(e.diagnostics),
            }
        }
        if !errors.is_empty() {
            return Err(Error::from(errors));
        }
        let parts: Vec<Part<'_>> = raws
            .iter()
            .map(|r| Part {
                parties: &r.parties,
                items: &r.items,
                facilities: &r.facilities,
            })
            .collect();
        let head = build(None, &parts, &mut validators);
        let (parties, items, facilities, origin) =
            (head.parties, head.items, head.facilities, head.origin);
        for v in validators {
            errors.extend(v.into_errors());
        }
        if !errors.is_empty() {
            return Err(Error::from(errors));
        }
        let counts = raws
            .iter()
            .map(|r| [r.parties.len(), r.items.len(), r.facilities.len()])
            .collect();
        let [kept_p, kept_i, kept_f] = &origin;
        let raw_parties = pick(
            raws.iter_mut().map(|r| std::mem::take(&mut r.parties)),
            kept_p,
        );
        let raw_items = pick(
            raws.iter_mut().map(|r| std::mem::take(&mut r.items)),
            kept_i,
        );
        let raw_facilities = pick(
            raws.iter_mut().map(|r| std::mem::take(&mut r.facilities)),
            kept_f,
        );
        Ok(Shared {
            spans: sources.iter().map(|_| OnceLock::new()).collect(),
            files: sources,
            counts,
            raw_parties,
            raw_items,
            raw_facilities,
            parties,
            items,
            facilities,
            origin,
        })
    }

    /// How many parties, items and facilities.
    pub fn counts(&self) -> [usize; 3] {
        [self.parties.len(), self.items.len(), self.facilities.len()]
    }

    /// The file entry `m` of a kind came from, and its span at `path` (whose index is
    /// replaced by the entry's index in that file).
    pub(crate) fn locate(
        &self,
        kind: usize,
        m: usize,
        path: &[Seg<'_>],
    ) -> Option<(&Arc<SourceFile>, Span)> {
        let (file, local) = self.origin.get(kind)?.get(m).copied()?;
        let source = self.files.get(file as usize)?;
        let counts = self.counts.get(file as usize)?;
        let [np, ni, nf] = *counts;
        let spans = self.spans.get(file as usize)?.get_or_init(|| {
            SpanIndex::with_counts(
                source,
                None,
                &[("parties", np), ("items", ni), ("facilities", nf)],
            )
        });
        let mut owned: Vec<Seg<'_>> = path.to_vec();
        if let Some(seg) = owned.get_mut(1) {
            *seg = Seg::Index(local as usize);
        }
        // Headquarters default to the location: point at `country` when not written.
        if matches!(
            owned.as_slice(),
            [Seg::Key("parties"), _, Seg::Key("headquarters")]
        ) && spans.find(&owned).is_none()
        {
            if let Some(last) = owned.last_mut() {
                *last = Seg::Key("country");
            }
        }
        Some((source, spans.locate_entry(&owned)))
    }

    fn span(&self, kind: usize, m: usize, path: &[Seg<'_>]) -> Span {
        self.locate(kind, m, path)
            .map_or(Span::default(), |(_, s)| s)
    }
}

/// The entries `kept` names, as (file, index), taken out of each file's list in that order.
fn pick<T>(lists: impl Iterator<Item = Vec<T>>, kept: &[(u16, u32)]) -> Vec<T> {
    let mut lists: Vec<Vec<Option<T>>> = lists.map(|l| l.into_iter().map(Some).collect()).collect();
    kept.iter()
        .filter_map(|(p, i)| {
            lists
                .get_mut(*p as usize)
                .and_then(|l| l.get_mut(*i as usize))
                .and_then(Option::take)
        })
        .collect()
}
