//! The index over every name and alias of every entry, built once per set of lists, and the
//! candidate generator that finds, for a query, the few names worth scoring.
//!
//! Scoring every name of a 30,000-entry list for each of 100,000 parties would take hours;
//! the index makes a query touch only the names that share a distinctive token with it. It
//! holds:
//! - a vocabulary of normalized tokens with their document frequency over entries, from
//!   which each token's weight (inverse document frequency) comes;
//! - for each name, its units (token ids and weights) and its *joins* (adjacent units
//!   written together: "hua wei" → "huawei", "z t e" → "zte"), so that spacing differences
//!   match in either direction;
//! - postings: for each token or join, the names that hold it;
//! - a deletion index (every spelling of 4+ characters, and each of its one-character
//!   deletions, by hash; 3-character spellings by their own hash): a query token with one
//!   edit, or two in a long token, finds its listed spelling without comparing against the
//!   whole vocabulary (the symmetric-deletion idea of SymSpell, bounded to one deletion on
//!   the list's side to keep memory small). A token's spellings are its normalized text and
//!   the words it was normalized from when a plural was dropped ("devices" for "device"), so
//!   a misspelt plural meets its listed plural;
//! - CJK character bigrams of Han names, for Han queries against Han aliases.
//!
//! Weak tokens (see `legal_forms::WEAK_WORDS`, and any token in more than 1 in 200 entries)
//! do not generate candidates when a query has any other token: they cannot make a match
//! on their own, so they need not find one.

use std::cell::RefCell;
use std::collections::HashMap;

use rayon::prelude::*;

use super::legal_forms::is_weak;
use super::list::ScreeningList;
use super::normalize::{normalize, Normalized, Unit, UnitKind};
use crate::country::Country;

/// The most a weak word weighs, as a share of the weight of a token found in one entry only
/// (ln(1 + entries): 10.3 for 30,000 entries, so weak words weigh at most 1.5 there),
/// whatever their frequency in the list: in a small list every word is rare.
pub const WEAK_WEIGHT_SHARE: f32 = 0.15;

/// Most joins made from one name (a hostile long name cannot blow the index up).
const MAX_JOINS: usize = 48;

/// Candidate names scored per query name, at most.
const MAX_CANDIDATES: usize = 48;

/// A candidate whose estimated share of the query's weight is below this cannot reach the
/// possible threshold (F-beta with β² = 2 needs precision ≥ 0.46 to reach 0.72 even at full
/// recall), so it is not scored.
const MIN_PRECISION_BOUND: f32 = 0.4;

pub(crate) struct Token {
    pub text: Box<str>,
    /// Entries holding the token as a unit (0: only ever a join).
    pub df: u32,
    pub weight: f32,
    pub weak: bool,
    pub chars: u16,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct URec {
    pub id: u32,
    pub kind: UnitKind,
    pub weight: f32,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Join {
    pub start: u8,
    pub len: u8,
    pub id: u32,
}

pub(crate) struct NameRec {
    /// Index into `Index::entries`.
    pub entry: u32,
    /// `None`: the entry's name; `Some(i)`: its alias `i`.
    pub alias: Option<u32>,
    pub text: Box<str>,
    pub units: Vec<URec>,
    pub joins: Vec<Join>,
    pub total: f32,
    /// At most 3 units, each at most 4 characters ("ZTE"): only exact matches count.
    pub short: bool,
    pub legal_forms: Vec<Box<str>>,
}

pub(crate) struct EntryRec {
    pub list: u32,
    pub entry: u32,
    pub countries: Vec<Country>,
    /// The entry is an individual (`type: Individual`): a query that carries a company's
    /// legal form is not that person.
    pub individual: bool,
}

/// The built index.
pub(crate) struct Index {
    pub tokens: Vec<Token>,
    map: HashMap<Box<str>, u32>,
    pub names: Vec<NameRec>,
    pub entries: Vec<EntryRec>,
    postings: Vec<Vec<u32>>,
    /// Spellings beyond the tokens' own texts: the words as written when a plural was
    /// dropped ("devices" for the token "device"), with their token. A spelling id below
    /// `tokens.len()` is that token's own text; above, `extra_spellings[id - tokens.len()]`.
    extra_spellings: Vec<(Box<str>, u32)>,
    /// (hash of a spelling or of one of its one-character deletions, spelling id), sorted.
    deletions: Vec<(u64, u32)>,
    /// Start of each top-16-bit bucket of `deletions` (65,537 offsets).
    buckets: Vec<u32>,
    bigrams: HashMap<(char, char), Vec<u32>>,
    /// The weight of a token the list does not hold: as rare as can be.
    pub unknown_weight: f32,
}

/// Allowed edits for a token of `chars` characters: none below 4, one for 4 to 8, then
/// about one per 5 (2 for 9 to 13, 3 for 14 to 18, …).
pub(crate) fn max_edits(chars: usize) -> usize {
    if chars < 4 {
        0
    } else {
        ((chars + 1) / 5).max(1)
    }
}

/// The most a token of `chars` characters can weigh: the information of that many letters,
/// ln(1 + 26^chars) (3.3 for one letter, 6.5 for two, 9.8 for three). A one- or two-letter
/// token the list does not hold is most likely an initial or a fragment, not the rarest
/// word there is.
pub(crate) fn length_cap(chars: usize) -> f32 {
    if chars >= 4 {
        f32::INFINITY
    } else {
        (1.0 + 26f32.powi(i32::try_from(chars).unwrap_or(4))).ln()
    }
}

/// A listed token near a query token.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Near {
    pub id: u32,
    pub sim: f32,
    pub edits: u8,
}

/// How much a fuzzy pair loses per edit, relative to the longer token's length: one edit in
/// 5 letters keeps 0.8, in 10 letters 0.9; twice as much when the first letters differ
/// (people rarely get a name's first letter wrong, and "Alcon" is one edit from "Falcon").
/// Never more than the Jaro-Winkler similarity.
pub(crate) const EDIT_COST: f64 = 1.0;

/// The least similarity (see [`fuzzy_similarity`]) at which a word the list lacks is taken
/// for its near listed word misspelt, and weighs what that word weighs: one edit in four
/// letters (0.75) qualifies, a changed first letter of a word of up to seven letters does
/// not.
pub(crate) const MISSPELT_SIMILARITY: f32 = 0.75;

pub(crate) fn fuzzy_similarity(a: &str, b: &str, edits: usize) -> f32 {
    let len = a.chars().count().max(b.chars().count()).max(1) as f64;
    let cost = if a.chars().next() == b.chars().next() {
        EDIT_COST
    } else {
        2.0 * EDIT_COST
    };
    let by_edits = 1.0 - cost * edits as f64 / len;
    strsim::jaro_winkler(a, b).min(by_edits).max(0.0) as f32
}

/// Allowed edits between tokens of `a` and `b` characters: by the longer one (a deletion
/// makes a 5-letter word 4 letters long, a 4-letter one 3 letters long), none if the
/// shorter has fewer than 3 letters or the longer fewer than 4 ("Hu" and "Wu", "ZTE" and
/// "ZTO" are different names, not typos of each other).
pub(crate) fn pair_edits(a: usize, b: usize) -> usize {
    if a.min(b) < 3 {
        0
    } else {
        max_edits(a.max(b))
    }
}

/// FNV-1a over the characters of `text`, skipping the characters at `skip` (positions).
fn hash_skipping(text: &str, skip: [usize; 2]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, c) in text.chars().enumerate() {
        if i == skip[0] || i == skip[1] {
            continue;
        }
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A join: first unit, number of units, the units' texts written together.
pub(crate) type JoinText = (usize, usize, String);

/// Joins of a name's units: every adjacent pair, and longer runs of single letters
/// ("z t e") or of Han syllables ("zhong xing tong"), up to four units.
pub(crate) fn joins_of(units: &[Unit]) -> Vec<JoinText> {
    let mut out = Vec::new();
    let joinable =
        |u: &Unit| u.text.chars().count() == 1 || matches!(u.kind, UnitKind::Syllable(_));
    for start in 0..units.len() {
        for len in 2..=4usize {
            let Some(run) = units.get(start..start + len) else {
                break;
            };
            if len > 2 && !run.iter().all(joinable) {
                break;
            }
            // From the words as written: "Zagros Kimia" joins to "zagroskimia" (its plural
            // rule then applies to the joined word as a whole).
            let mut text: String = run.iter().map(|u| u.surface.as_str()).collect();
            super::normalize::stem(&mut text);
            out.push((start, len, text));
            if out.len() >= MAX_JOINS {
                return out;
            }
        }
    }
    out
}

struct Scratch {
    acc: Vec<f32>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch { acc: Vec::new(), touched: Vec::new() }) };
}

/// A query piece that looks names up: token id, weight, weak, the unit's near tokens.
type Piece<'a> = (Option<u32>, f32, bool, Option<&'a [Near]>);

/// A query name, normalized and looked up in the vocabulary.
pub(crate) struct QueryName {
    pub text: String,
    pub norm: Normalized,
    pub units: Vec<QUnit>,
    pub joins: Vec<QJoin>,
    pub total: f32,
}

pub(crate) struct QUnit {
    pub id: Option<u32>,
    /// Listed tokens within the allowed edits (empty for Han syllables and short tokens).
    pub near: Vec<Near>,
    pub kind: UnitKind,
    pub weight: f32,
    pub weak: bool,
}

pub(crate) struct QJoin {
    pub start: usize,
    pub len: usize,
    pub id: Option<u32>,
}

impl Index {
    pub(crate) fn build(lists: &[ScreeningList]) -> Index {
        // Every name of every entry, normalized on all cores.
        let mut entries = Vec::new();
        let mut work: Vec<(u32, Option<u32>, &str)> = Vec::new();
        for (l, list) in lists.iter().enumerate() {
            for (e, entry) in list.entries.iter().enumerate() {
                let global = u32::try_from(entries.len()).unwrap_or(u32::MAX);
                entries.push(EntryRec {
                    list: u32::try_from(l).unwrap_or(u32::MAX),
                    entry: u32::try_from(e).unwrap_or(u32::MAX),
                    countries: entry.countries(),
                    individual: entry.kind == super::list::EntryKind::Individual,
                });
                work.push((global, None, entry.name.as_str()));
                for (a, alias) in entry.alt_names.iter().enumerate() {
                    work.push((global, Some(u32::try_from(a).unwrap_or(u32::MAX)), alias));
                }
            }
        }
        let normalized: Vec<(Normalized, Vec<JoinText>)> = work
            .par_iter()
            .map(|(_, _, text)| {
                let n = normalize(text);
                let joins = joins_of(&n.units);
                (n, joins)
            })
            .collect();

        // The vocabulary, with document frequencies counted once per entry.
        let mut map: HashMap<Box<str>, u32> = HashMap::new();
        let mut tokens: Vec<Token> = Vec::new();
        let mut last_entry: Vec<u32> = Vec::new();
        let intern = |text: &str, map: &mut HashMap<Box<str>, u32>, tokens: &mut Vec<Token>| {
            if let Some(id) = map.get(text) {
                return *id;
            }
            let id = u32::try_from(tokens.len()).unwrap_or(u32::MAX);
            map.insert(text.into(), id);
            tokens.push(Token {
                text: text.into(),
                df: 0,
                weight: 0.0,
                weak: false,
                chars: u16::try_from(text.chars().count()).unwrap_or(u16::MAX),
            });
            id
        };
        let mut names = Vec::with_capacity(work.len());
        let mut surfaces: HashMap<Box<str>, u32> = HashMap::new();
        for ((entry, alias, text), (norm, joins)) in work.iter().zip(normalized) {
            let mut units = Vec::with_capacity(norm.units.len());
            for u in &norm.units {
                let id = intern(&u.text, &mut map, &mut tokens);
                if u.surface != u.text && !surfaces.contains_key(u.surface.as_str()) {
                    surfaces.insert(u.surface.as_str().into(), id);
                }
                let idx = id as usize;
                if last_entry.len() <= idx {
                    last_entry.resize(idx + 1, u32::MAX);
                }
                if let (Some(seen), Some(t)) = (last_entry.get_mut(idx), tokens.get_mut(idx)) {
                    if *seen != *entry {
                        *seen = *entry;
                        t.df += 1;
                    }
                }
                units.push(URec {
                    id,
                    kind: u.kind,
                    weight: 0.0,
                });
            }
            let joins = joins
                .into_iter()
                .map(|(start, len, text)| Join {
                    start: u8::try_from(start).unwrap_or(u8::MAX),
                    len: u8::try_from(len).unwrap_or(u8::MAX),
                    id: intern(&text, &mut map, &mut tokens),
                })
                .collect();
            let short = !units.is_empty()
                && units.len() <= 3
                && norm.units.iter().all(|u| u.text.chars().count() <= 4);
            names.push(NameRec {
                entry: *entry,
                alias: *alias,
                text: (*text).into(),
                units,
                joins,
                total: 0.0,
                short,
                legal_forms: norm.legal_forms.into_iter().map(Into::into).collect(),
            });
        }

        // Weights: inverse document frequency over entries; weak words capped.
        let n = entries.len().max(1) as f32;
        let unknown_weight = (1.0 + n).ln();
        let weak_cap = WEAK_WEIGHT_SHARE * unknown_weight;
        let frequent = (n / 200.0).max(50.0);
        for t in &mut tokens {
            t.weak = is_weak(&t.text) || (t.df as f32) > frequent;
            t.weight = if t.df == 0 {
                unknown_weight
            } else {
                (1.0 + n / t.df as f32).ln()
            }
            .min(length_cap(usize::from(t.chars)));
            if is_weak(&t.text) {
                t.weight = t.weight.min(weak_cap);
            }
        }
        for name in &mut names {
            for u in &mut name.units {
                u.weight = tokens.get(u.id as usize).map_or(0.0, |t| t.weight);
            }
            name.total = name.units.iter().map(|u| u.weight).sum();
        }

        // Postings, bigrams and deletions.
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); tokens.len()];
        let mut bigrams: HashMap<(char, char), Vec<u32>> = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for id in name
                .units
                .iter()
                .map(|u| u.id)
                .chain(name.joins.iter().map(|j| j.id))
            {
                if let Some(p) = postings.get_mut(id as usize) {
                    if p.last() != Some(&i) {
                        p.push(i);
                    }
                }
            }
            for pair in name.units.windows(2) {
                if let [URec {
                    kind: UnitKind::Syllable(a),
                    ..
                }, URec {
                    kind: UnitKind::Syllable(b),
                    ..
                }] = pair
                {
                    let p = bigrams.entry((*a, *b)).or_default();
                    if p.last() != Some(&i) {
                        p.push(i);
                    }
                }
            }
        }
        let mut extra_spellings: Vec<(Box<str>, u32)> = surfaces
            .into_iter()
            .filter(|(text, _)| !map.contains_key(text))
            .collect();
        extra_spellings.sort_unstable();
        let spellings: Vec<(&str, u32)> = tokens
            .iter()
            .map(|t| &*t.text)
            .chain(extra_spellings.iter().map(|(s, _)| &**s))
            .enumerate()
            .map(|(i, s)| (s, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let mut deletions: Vec<(u64, u32)> = spellings
            .par_iter()
            .filter_map(|&(text, id)| {
                let chars = text.chars().count();
                (3..=40).contains(&chars).then_some((text, id, chars))
            })
            .flat_map_iter(|(text, id, chars)| {
                // A 3-letter spelling only meets a 4-letter one with a letter more: its own
                // hash is enough (skipping position `chars` skips nothing).
                let from = if chars < 4 { chars } else { 0 };
                (from..=chars).map(move |skip| (hash_skipping(text, [skip, usize::MAX]), id))
            })
            .collect();
        deletions.par_sort_unstable();
        deletions.dedup();
        let mut buckets = vec![0u32; 65_537];
        for (h, _) in &deletions {
            if let Some(b) = buckets.get_mut((h >> 48) as usize + 1) {
                *b += 1;
            }
        }
        for i in 1..buckets.len() {
            let prev = buckets.get(i - 1).copied().unwrap_or(0);
            if let Some(b) = buckets.get_mut(i) {
                *b += prev;
            }
        }
        Index {
            tokens,
            map,
            names,
            entries,
            postings,
            extra_spellings,
            deletions,
            buckets,
            bigrams,
            unknown_weight,
        }
    }

    pub(crate) fn token(&self, id: u32) -> Option<&Token> {
        self.tokens.get(id as usize)
    }

    pub(crate) fn token_text(&self, id: u32) -> &str {
        self.token(id).map_or("", |t| &t.text)
    }

    /// Token ids whose hash (of the token or a one-character deletion) is `h`.
    fn deletion_hits(&self, h: u64, out: &mut Vec<u32>) {
        let bucket = (h >> 48) as usize;
        let from = self.buckets.get(bucket).copied().unwrap_or(0) as usize;
        let to = self.buckets.get(bucket + 1).copied().unwrap_or(0) as usize;
        let Some(slice) = self.deletions.get(from..to) else {
            return;
        };
        let start = slice.partition_point(|(k, _)| *k < h);
        for (k, id) in slice.iter().skip(start) {
            if *k != h {
                break;
            }
            out.push(*id);
        }
    }

    /// A spelling's text and its token.
    fn spelling(&self, id: u32) -> Option<(&str, u32)> {
        let i = id as usize;
        match self.tokens.get(i) {
            Some(t) => Some((&t.text, id)),
            None => self
                .extra_spellings
                .get(i - self.tokens.len())
                .map(|(s, t)| (&**s, *t)),
        }
    }

    /// Tokens within the allowed edits of `text` (the normalized query token) or of
    /// `surface` (the word as written), other than `text` itself, with their similarity
    /// (see [`fuzzy_similarity`]) and edit count, best first, each token once.
    pub(crate) fn fuzzy(&self, text: &str, surface: &str, out: &mut Vec<Near>) {
        let mut ids = Vec::new();
        let forms: &[&str] = if surface == text {
            &[text]
        } else {
            &[text, surface]
        };
        for form in forms {
            let chars = form.chars().count();
            if !(3..=40).contains(&chars) {
                continue;
            }
            ids.clear();
            for skip in 0..=chars {
                self.deletion_hits(hash_skipping(form, [skip, usize::MAX]), &mut ids);
            }
            if max_edits(chars + 1) >= 2 && chars <= 16 {
                for a in 0..chars {
                    for b in a + 1..chars {
                        self.deletion_hits(hash_skipping(form, [a, b]), &mut ids);
                    }
                }
            }
            ids.sort_unstable();
            ids.dedup();
            for &sid in &ids {
                let Some((spelling, id)) = self.spelling(sid) else {
                    continue;
                };
                if self.token_text(id) == text {
                    continue;
                }
                let other = spelling.chars().count();
                let allowed = pair_edits(chars, other);
                if allowed == 0 || chars.abs_diff(other) > allowed {
                    continue;
                }
                let d = strsim::osa_distance(form, spelling);
                if d <= allowed {
                    out.push(Near {
                        id,
                        sim: fuzzy_similarity(form, spelling, d),
                        edits: u8::try_from(d).unwrap_or(u8::MAX),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            a.id.cmp(&b.id)
                .then(b.sim.total_cmp(&a.sim))
                .then(a.edits.cmp(&b.edits))
        });
        out.dedup_by_key(|n| n.id);
        out.sort_by(|a, b| b.sim.total_cmp(&a.sim).then(a.id.cmp(&b.id)));
    }

    /// Normalizes a query name and looks its units and joins up.
    pub(crate) fn query_name(&self, text: &str, fuzzy: bool) -> QueryName {
        let norm = normalize(text);
        let joins = joins_of(&norm.units)
            .into_iter()
            .map(|(start, len, text)| QJoin {
                id: self.map.get(text.as_str()).copied(),
                start,
                len,
            })
            .collect();
        let units: Vec<QUnit> = norm
            .units
            .iter()
            .map(|u| {
                let id = self.map.get(u.text.as_str()).copied();
                let known = id.and_then(|id| self.token(id)).filter(|t| t.df > 0);
                let weak_word = is_weak(&u.text);
                let mut weight = known.map_or_else(
                    || self.unknown_weight.min(length_cap(u.text.chars().count())),
                    |t| t.weight,
                );
                if weak_word {
                    weight = weight.min(WEAK_WEIGHT_SHARE * self.unknown_weight);
                }
                let mut near = Vec::new();
                if fuzzy && !matches!(u.kind, UnitKind::Syllable(_)) {
                    self.fuzzy(&u.text, &u.surface, &mut near);
                }
                // A token the list does not hold but that is within an edit of one it does
                // is most likely that token misspelt: it weighs what that token weighs. Not
                // when the edit is as doubtful as a changed first letter of a short word:
                // "land" is one edit from "and", and is not "and" misspelt.
                let likely = near
                    .first()
                    .filter(|n| n.sim >= MISSPELT_SIMILARITY)
                    .and_then(|n| self.token(n.id));
                let (weight, weak) = match (known, likely) {
                    (None, Some(t)) if t.df > 0 => (t.weight.min(weight), t.weak || weak_word),
                    _ => (weight, weak_word || known.is_some_and(|t| t.weak)),
                };
                QUnit {
                    id,
                    near,
                    kind: u.kind,
                    weight,
                    weak,
                }
            })
            .collect();
        let total = units.iter().map(|u| u.weight).sum();
        QueryName {
            text: text.to_string(),
            norm,
            units,
            joins,
            total,
        }
    }

    /// The names worth scoring for a query name, best estimate first.
    pub(crate) fn candidates(&self, q: &QueryName, fuzzy: bool) -> Vec<u32> {
        if q.units.is_empty() || q.total <= 0.0 {
            return Vec::new();
        }
        let has_han = q
            .units
            .iter()
            .any(|u| matches!(u.kind, UnitKind::Syllable(_)));
        // The pieces that look names up: units and joins, as (text, id, weight, weak).
        let mut pieces: Vec<Piece<'_>> = Vec::new();
        for u in &q.units {
            if has_han && matches!(u.kind, UnitKind::Syllable(_)) {
                continue; // syllables alone are too common; bigrams and joins stand in
            }
            pieces.push((u.id, u.weight, u.weak, Some(&u.near)));
        }
        for j in &q.joins {
            let covered = q.units.get(j.start..j.start + j.len).unwrap_or(&[]);
            let weight: f32 = covered.iter().map(|u| u.weight).sum();
            let weak = covered.iter().all(|u| u.weak);
            pieces.push((j.id, weight, weak, None));
        }
        let strong = pieces.iter().any(|p| !p.2);
        let weak_total: f32 = if strong {
            q.units.iter().filter(|u| u.weak).map(|u| u.weight).sum()
        } else {
            0.0
        };
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch { acc, touched } = &mut *s;
            if acc.len() < self.names.len() {
                acc.resize(self.names.len(), 0.0);
            }
            let add = |postings: &[u32], w: f32, acc: &mut Vec<f32>, touched: &mut Vec<u32>| {
                for &n in postings {
                    if let Some(a) = acc.get_mut(n as usize) {
                        if *a == 0.0 {
                            touched.push(n);
                        }
                        *a += w;
                    }
                }
            };
            for (id, weight, weak, near) in &pieces {
                if strong && *weak {
                    continue;
                }
                if let Some(p) = id.and_then(|id| self.postings.get(id as usize)) {
                    add(p, *weight, acc, touched);
                }
                if fuzzy && (id.is_none() || !*weak) {
                    for n in near.unwrap_or(&[]) {
                        if let Some(p) = self.postings.get(n.id as usize) {
                            add(p, weight * n.sim, acc, touched);
                        }
                    }
                }
            }
            if has_han {
                let syllables: Vec<(char, f32)> = q
                    .units
                    .iter()
                    .filter_map(|u| match u.kind {
                        UnitKind::Syllable(c) => Some((c, u.weight)),
                        _ => None,
                    })
                    .collect();
                for pair in syllables.windows(2) {
                    if let [(a, wa), (b, wb)] = pair {
                        if let Some(p) = self.bigrams.get(&(*a, *b)) {
                            add(p, (wa + wb) / 2.0, acc, touched);
                        }
                    }
                }
            }
            // Rank what passed the bound by what each name really shares with the query:
            // the query weight found (weak words included, now that the set is small), then
            // the share of the name's own weight that the query's tokens cover.
            // Each query unit's own token and, for a weak one (not looked up above), its
            // near tokens: a misspelt common word ("Wu Tengg") must still rank the name
            // that holds it ("Wu Teng") above the names that share only the rest.
            let mut ids: Vec<(u32, f32, bool)> = Vec::new();
            for u in &q.units {
                if let Some(id) = u.id {
                    ids.push((id, u.weight, u.weak));
                }
                if fuzzy && u.weak && strong {
                    ids.extend(u.near.iter().map(|n| (n.id, u.weight * n.sim, true)));
                }
            }
            let join_ids: Vec<u32> = q.joins.iter().filter_map(|j| j.id).collect();
            let mut found: Vec<(f32, f32, u32)> = touched
                .iter()
                .filter_map(|&n| {
                    let strong_found = acc.get(n as usize).copied().unwrap_or(0.0);
                    if (strong_found + weak_total) / q.total < MIN_PRECISION_BOUND {
                        return None;
                    }
                    let name = self.names.get(n as usize)?;
                    let mut found_q = strong_found;
                    let mut found_e = 0.0f32;
                    for u in &name.units {
                        if let Some((_, wq, weak)) = ids.iter().find(|(id, _, _)| *id == u.id) {
                            found_e += u.weight;
                            if *weak && strong {
                                found_q += wq;
                            }
                        } else if join_ids.contains(&u.id) {
                            found_e += u.weight;
                        }
                    }
                    let recall = if name.total > 0.0 {
                        found_e / name.total
                    } else {
                        0.0
                    };
                    Some(((found_q / q.total).min(1.0), recall, n))
                })
                .collect();
            for &n in touched.iter() {
                if let Some(a) = acc.get_mut(n as usize) {
                    *a = 0.0;
                }
            }
            touched.clear();
            found.sort_by(|a, b| {
                let key = |x: &(f32, f32, u32)| (x.0 * 20.0).round() + x.1;
                key(b).total_cmp(&key(a)).then(a.2.cmp(&b.2))
            });
            found.truncate(MAX_CANDIDATES);
            found.into_iter().map(|(_, _, n)| n).collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_cover_pairs_and_letter_runs() {
        let n = normalize("Z T E Hua Wei");
        let joins: Vec<String> = joins_of(&n.units).into_iter().map(|j| j.2).collect();
        assert!(joins.contains(&"zte".to_string()));
        assert!(joins.contains(&"huawei".to_string()));
        assert!(!joins.contains(&"ehuawei".to_string()));
    }

    #[test]
    fn joins_are_made_from_the_words_as_written() {
        // "zagros" alone loses its plural-looking s; joined, the word keeps it.
        let n = normalize("Zagros Kimia");
        assert_eq!(n.text(), "zagro kimia");
        let joins: Vec<String> = joins_of(&n.units).into_iter().map(|j| j.2).collect();
        assert_eq!(joins, vec!["zagroskimia".to_string()]);
        // A split plural joins back to the listed word's own normalized form.
        let n = normalize("Mikrores urs");
        let joins: Vec<String> = joins_of(&n.units).into_iter().map(|j| j.2).collect();
        assert_eq!(joins, vec!["mikroresur".to_string()]);
    }

    #[test]
    fn short_tokens_weigh_what_their_letters_can_carry() {
        assert!((length_cap(1) - 27f32.ln()).abs() < 1e-4);
        assert!(length_cap(2) < length_cap(3));
        assert!(length_cap(4).is_infinite());
    }

    #[test]
    fn pairs_of_short_tokens_allow_one_edit_from_four_letters() {
        assert_eq!(pair_edits(3, 3), 0, "zhu and zuh, hu and wu");
        assert_eq!(pair_edits(4, 3), 1, "taic and tai");
        assert_eq!(pair_edits(4, 4), 1, "qied and qide");
        assert_eq!(pair_edits(2, 3), 0, "an and and");
        assert_eq!(pair_edits(10, 9), 2);
    }

    #[test]
    fn edits_grow_with_length() {
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(4), 1);
        assert_eq!(max_edits(5), 1);
        assert_eq!(max_edits(9), 2);
        assert_eq!(max_edits(14), 3);
    }
}
