//! Scoring one query name against one listed name: which units correspond, and how much of
//! each side's weight they cover.
//!
//! Units are paired greedily, best pairs first: exact (same token; two Han characters only
//! when they are the same character), joined (query units written together equal one listed
//! token: "hua wei" ~ "huawei"), split (the reverse), then fuzzy (tokens of 5+ characters
//! within about one edit per 5 characters, optimal string alignment, valued at their
//! Jaro-Winkler similarity). Order does not matter. Then:
//!
//! - precision P = matched query weight / query weight; recall R = matched listed weight /
//!   listed weight, each unit weighing its inverse document frequency over the list;
//! - score = 100 · (1 + β²)·P·R / (β²·P + R), with β² = 2 by default (recall counts more:
//!   a query that holds the whole listed name plus a branch or city is still that party);
//! - a name of at most 3 units of at most 4 characters ("ZTE", "Hu Hai") matches only if
//!   every one of its units is matched;
//! - a match whose listed units are all weak words, and that is not a whole-name match,
//!   is held just below the possible threshold: weak words cannot make a match on their own;
//! - so is a match whose only distinctive evidence is inexact (a misspelt word, or a
//!   romanized word against Han script, where toneless pinyin is many-to-one), unless the
//!   rest of both names agrees: "Micron Technology" is one edit from a listed "Mikron", but
//!   "technology" is left over, and a different word one edit away is as likely as a typo;
//!   a misspelt short word (4 letters or fewer on either side) alone is not enough even then
//!   ("Hoya" and "Hoda", "Snam" and "Sanam");
//! - so is a query carrying a company's legal form against a listed individual;
//! - country: + `country_agree_bonus` when the query's country is among the entry's
//!   address countries, − `country_disagree_penalty` when the entry has countries and the
//!   query's is not one of them.

use super::index::{Index, NameRec, QueryName};
use super::legal_forms::{is_place, is_qualifier, is_stopword};

use super::normalize::UnitKind;
use crate::country::Country;

/// Thresholds and weights of the matcher.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MatchOptions {
    /// At or above: treated as a designation (default 90).
    pub strong: f64,
    /// At or above (and below `strong`): a possible match a reviewer must resolve
    /// (default 75). Nothing below it is returned.
    pub possible: f64,
    /// Most matches returned per query (default 10).
    pub max_results: usize,
    /// β² of the F-beta blend (default 2: recall weighs twice precision).
    pub beta_squared: f64,
    /// Points added when the countries agree (default 3).
    pub country_agree_bonus: f64,
    /// Points taken when they disagree (default 12: an exact name in the wrong country is a
    /// possible match, not a strong one).
    pub country_disagree_penalty: f64,
    /// Whether misspelt tokens may match (default true).
    pub fuzzy: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            strong: 90.0,
            possible: 75.0,
            max_results: 10,
            beta_squared: 2.0,
            country_agree_bonus: 3.0,
            country_disagree_penalty: 12.0,
            fuzzy: true,
        }
    }
}

/// How sure a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// At or above the strong threshold: treat the party as the listed one.
    Strong,
    /// Between the thresholds: a reviewer must resolve it.
    Possible,
}

/// Whether the query's country agrees with the entry's address countries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CountryAgreement {
    Agree,
    Disagree,
    /// The query or the entry has no country.
    Unknown,
}

/// How a pair of units matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "how")]
pub enum How {
    /// The same token.
    Exact,
    /// Within the allowed edits.
    Fuzzy { edits: u32 },
    /// Several query tokens written together are one listed token ("hua wei" ~ "huawei").
    Joined,
    /// One query token is several listed tokens written together.
    Split,
    /// One side is Han script, compared through pinyin or the glossary.
    Transliterated,
}

/// One correspondence between query tokens and listed tokens.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TokenMatch {
    /// The query's normalized token(s), space-separated.
    pub query: String,
    /// The listed name's normalized token(s).
    pub entry: String,
    pub how: How,
    /// 1 for exact, joined, split and transliterated; the Jaro-Winkler similarity for fuzzy.
    pub similarity: f64,
    /// The listed tokens' weight (inverse document frequency, weak words capped).
    pub weight: f64,
    /// Whether every listed token here is a weak word (counted, but discounted).
    pub weak: bool,
}

/// The data behind a score, for an explanation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reasons {
    pub precision: f64,
    pub recall: f64,
    /// 100 · F-beta, before the country adjustment and the weak-word cap.
    pub f_beta: f64,
    /// Points added (positive) or taken (negative) for the country.
    pub country_adjustment: f64,
    /// Only weak words matched: the score was held below the possible threshold.
    pub weak_only: bool,
    /// The distinctive words matched only inexactly (misspelt, or a romanized word against
    /// Han script through toneless pinyin) and the rest of the names do not agree, or the
    /// only one is a misspelt short word (4 letters or fewer): the score was held below the
    /// possible threshold.
    pub inexact_only: bool,
    /// The query carries a company's legal form and the entry is an individual: the score
    /// was held below the possible threshold.
    pub company_vs_individual: bool,
    /// The listed name is short ("ZTE"): exact matches were required.
    pub short_name: bool,
    pub unmatched_query: Vec<String>,
    pub unmatched_entry: Vec<String>,
    /// Weak words that matched (discounted).
    pub weak_tokens: Vec<String>,
    /// Legal forms dropped from the query name and from the listed name.
    pub query_legal_forms: Vec<String>,
    pub entry_legal_forms: Vec<String>,
}

/// One listed entry that a query matched.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Match {
    /// Index of the list, in the order given to [`super::Screener::new`].
    pub list: usize,
    /// Index of the entry in that list.
    pub entry: usize,
    /// 0 to 100.
    pub score: f64,
    pub strength: Strength,
    /// Which of the query's names matched, as given.
    pub query_name: String,
    /// The entry's name or alias that matched, as listed.
    pub matched_name: String,
    /// `None`: the entry's name; `Some(i)`: its alias `i` (`alt_names[i]`).
    pub matched_alias: Option<usize>,
    pub tokens: Vec<TokenMatch>,
    pub country: CountryAgreement,
    pub reasons: Reasons,
}

/// A pair of unit ranges: query `[qs, qs + ql)`, listed `[es, es + el)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pair {
    pub qs: usize,
    pub ql: usize,
    pub es: usize,
    pub el: usize,
    pub sim: f32,
    pub how: How,
}

/// The outcome of scoring one name pair.
pub(crate) struct Scored {
    pub score: f64,
    pub precision: f64,
    pub recall: f64,
    pub f_beta: f64,
    pub adjustment: f64,
    pub weak_only: bool,
    pub inexact_only: bool,
    pub company_vs_individual: bool,
    pub country: CountryAgreement,
    pub pairs: Vec<Pair>,
}

fn mask(start: usize, len: usize) -> u64 {
    if len == 0 || start >= 64 {
        return 0;
    }
    let ones = if len >= 64 {
        u64::MAX
    } else {
        (1u64 << len) - 1
    };
    ones << start
}

fn how_for(q: UnitKind, e: UnitKind, base: How) -> How {
    let han = |k: UnitKind| !matches!(k, UnitKind::Word);
    if han(q) != han(e) && matches!(base, How::Exact | How::Joined | How::Split) {
        How::Transliterated
    } else {
        base
    }
}

/// Picks pairs best first, none overlapping another on either side.
fn select(mut candidates: Vec<(Pair, f32)>, qmask: &mut u64, emask: &mut u64, out: &mut Vec<Pair>) {
    candidates.sort_by(|a, b| {
        b.0.sim
            .total_cmp(&a.0.sim)
            .then(b.1.total_cmp(&a.1))
            .then(a.0.qs.cmp(&b.0.qs))
            .then(a.0.es.cmp(&b.0.es))
    });
    for (p, _) in candidates {
        let qm = mask(p.qs, p.ql);
        let em = mask(p.es, p.el);
        if qm & *qmask == 0 && em & *emask == 0 {
            *qmask |= qm;
            *emask |= em;
            out.push(p);
        }
    }
}

/// Which of the rules that hold a score below the possible threshold apply.
struct Held {
    weak_only: bool,
    inexact_only: bool,
    company_vs_individual: bool,
}

/// The rules that hold a match below the possible threshold (see the module
/// documentation), given the pairs and the masks of matched query and listed units.
fn held(
    index: &Index,
    q: &QueryName,
    n: &NameRec,
    pairs: &[Pair],
    (qmask, emask): (u64, u64),
    individual: bool,
) -> Held {
    let distinctive = |p: &&Pair| {
        n.units
            .iter()
            .skip(p.es)
            .take(p.el)
            .any(|u| index.token(u.id).is_some_and(|t| !t.weak))
    };
    let fuzzy = |p: &&Pair| matches!(p.how, How::Fuzzy { .. });
    // A misspelt short word (either side of at most 4 letters): one edit relates too many
    // different short words.
    let short_fuzzy = |p: &&Pair| {
        fuzzy(p)
            && q.norm
                .units
                .get(p.qs)
                .zip(n.units.get(p.es))
                .is_none_or(|(a, b)| {
                    a.text
                        .chars()
                        .count()
                        .min(index.token_text(b.id).chars().count())
                        <= 4
                })
    };
    let strong_unit = pairs.iter().any(|p| distinctive(&p));
    // Sure evidence: a distinctive listed word written the same on both sides (exact,
    // joined or split in one script). A misspelt word, or a romanized word against Han
    // script (toneless pinyin: 鸿海 and 宏海 are both "honghai"), may be another word.
    let sure_unit = pairs
        .iter()
        .filter(|p| matches!(p.how, How::Exact | How::Joined | How::Split))
        .any(|p| distinctive(&p));
    // Both names agree: every unit of both sides is in a pair, but for articles and
    // conjunctions ("and", "of"), which translations drop, and qualifiers ("international",
    // "group"), which say how a company is organized, not what it does. An unmatched word
    // of what it does ("precision", "materials") disagrees. A place ("hangzhou") may be
    // dropped from a Latin name ("Hikvison Digital Technology" for Hangzhou Hikvision), not
    // from a Han one against a romanized name: that is made from the Han name, city first.
    let agree_with = |places: bool| {
        let left_over = |t: &str| !(is_stopword(t) || is_qualifier(t) || places && is_place(t));
        (0..q.units.len()).all(|i| {
            mask(i, 1) & qmask != 0 || q.norm.units.get(i).is_none_or(|u| !left_over(&u.text))
        }) && (0..n.units.len()).all(|j| {
            mask(j, 1) & emask != 0
                || n.units
                    .get(j)
                    .is_none_or(|u| !left_over(index.token_text(u.id)))
        })
    };
    let transliterated = pairs
        .iter()
        .any(|p| matches!(p.how, How::Transliterated) && distinctive(&p));
    let agree = agree_with(!transliterated);
    // A misspelt short word is all that matched (stopwords aside): one edit relates too
    // many different short words ("Hoya" and "Hoda", "Saab" and "Saba", "Snam" and
    // "Sanam").
    let short_fuzzy_alone = pairs.iter().any(|p| short_fuzzy(&p))
        && !pairs.iter().any(|p| {
            !short_fuzzy(&p)
                && n.units
                    .iter()
                    .skip(p.es)
                    .take(p.el)
                    .any(|u| !is_stopword(index.token_text(u.id)))
        });
    // Weak words cannot make a match on their own, unless they are the whole listed name
    // written out ("China Electronics Technology Group Corporation").
    let written_out = agree_with(false) && !short_fuzzy_alone;
    let weak_only = !(strong_unit || written_out);
    // Inexact distinctive evidence needs the rest of both names to agree, and a misspelt
    // short word alone is not enough even then.
    let inexact_only = strong_unit && !sure_unit && (!agree || short_fuzzy_alone);
    let company_vs_individual = individual && !q.norm.legal_forms.is_empty();
    Held {
        weak_only,
        inexact_only,
        company_vs_individual,
    }
}

pub(crate) fn score_name(
    index: &Index,
    q: &QueryName,
    n: &NameRec,
    query_country: Option<Country>,
    countries: &[Country],
    individual: bool,
    options: &MatchOptions,
) -> Option<Scored> {
    if q.units.is_empty() || n.units.is_empty() || q.total <= 0.0 || n.total <= 0.0 {
        return None;
    }
    let qw = |s: usize, l: usize| -> f32 { q.units.iter().skip(s).take(l).map(|u| u.weight).sum() };
    let ew = |s: usize, l: usize| -> f32 { n.units.iter().skip(s).take(l).map(|u| u.weight).sum() };

    // Exact, joined and split pairs.
    let mut exact: Vec<(Pair, f32)> = Vec::new();
    for (i, qu) in q.units.iter().enumerate() {
        let Some(qid) = qu.id else { continue };
        for (j, eu) in n.units.iter().enumerate() {
            let same_char = match (qu.kind, eu.kind) {
                (UnitKind::Syllable(a), UnitKind::Syllable(b)) => a == b,
                _ => true,
            };
            if qid == eu.id && same_char {
                let p = Pair {
                    qs: i,
                    ql: 1,
                    es: j,
                    el: 1,
                    sim: 1.0,
                    how: how_for(qu.kind, eu.kind, How::Exact),
                };
                exact.push((p, qw(i, 1) + ew(j, 1)));
            }
        }
        for ej in &n.joins {
            if ej.id == qid {
                let (es, el) = (usize::from(ej.start), usize::from(ej.len));
                let ek = n.units.get(es).map_or(UnitKind::Word, |u| u.kind);
                let p = Pair {
                    qs: i,
                    ql: 1,
                    es,
                    el,
                    sim: 1.0,
                    how: how_for(qu.kind, ek, How::Split),
                };
                exact.push((p, qw(i, 1) + ew(es, el)));
            }
        }
    }
    for qj in &q.joins {
        let Some(qid) = qj.id else { continue };
        let qk = q.units.get(qj.start).map_or(UnitKind::Word, |u| u.kind);
        for (j, eu) in n.units.iter().enumerate() {
            if qid == eu.id {
                let p = Pair {
                    qs: qj.start,
                    ql: qj.len,
                    es: j,
                    el: 1,
                    sim: 1.0,
                    how: how_for(qk, eu.kind, How::Joined),
                };
                exact.push((p, qw(qj.start, qj.len) + ew(j, 1)));
            }
        }
    }
    let (mut qmask, mut emask) = (0u64, 0u64);
    let mut pairs = Vec::new();
    select(exact, &mut qmask, &mut emask, &mut pairs);

    // Fuzzy pairs among what is left.
    let all_q = mask(0, q.units.len());
    let all_e = mask(0, n.units.len());
    if options.fuzzy && (qmask != all_q && emask != all_e) {
        let mut fuzzy: Vec<(Pair, f32)> = Vec::new();
        // Fuzzy pairs are between single units (a join must match exactly), from the query
        // units' near tokens found once per query.
        let free_q = |s: usize| mask(s, 1) & qmask == 0;
        let free_e = |s: usize| mask(s, 1) & emask == 0;
        for (i, qu) in q.units.iter().enumerate() {
            if !free_q(i) || qu.near.is_empty() {
                continue;
            }
            for (j, eu) in n.units.iter().enumerate() {
                if !free_e(j) {
                    continue;
                }
                if let Some(near) = qu.near.iter().find(|x| x.id == eu.id) {
                    let p = Pair {
                        qs: i,
                        ql: 1,
                        es: j,
                        el: 1,
                        sim: near.sim,
                        how: How::Fuzzy {
                            edits: u32::from(near.edits),
                        },
                    };
                    fuzzy.push((p, qw(i, 1) + ew(j, 1)));
                }
            }
        }
        select(fuzzy, &mut qmask, &mut emask, &mut pairs);
    }

    // A short listed name needs every unit matched.
    if n.short && emask != all_e {
        return None;
    }
    if pairs.is_empty() {
        return None;
    }
    let matched_q: f32 = pairs.iter().map(|p| p.sim * qw(p.qs, p.ql)).sum();
    let matched_e: f32 = pairs.iter().map(|p| p.sim * ew(p.es, p.el)).sum();
    let precision = f64::from((matched_q / q.total).min(1.0));
    let recall = f64::from((matched_e / n.total).min(1.0));
    let b2 = options.beta_squared.max(0.0);
    let denominator = b2 * precision + recall;
    let f = if denominator > 0.0 {
        (1.0 + b2) * precision * recall / denominator
    } else {
        0.0
    };
    let f_beta = 100.0 * f;
    let Held {
        weak_only,
        inexact_only,
        company_vs_individual,
    } = held(index, q, n, &pairs, (qmask, emask), individual);
    let held = weak_only || inexact_only || company_vs_individual;
    let mut score = f_beta;
    if held {
        score = score.min(options.possible - 1.0);
    }
    let (country, adjustment) = match query_country {
        Some(c) if !countries.is_empty() => {
            if countries.contains(&c) {
                (CountryAgreement::Agree, options.country_agree_bonus)
            } else {
                (
                    CountryAgreement::Disagree,
                    -options.country_disagree_penalty,
                )
            }
        }
        _ => (CountryAgreement::Unknown, 0.0),
    };
    if !held {
        score += adjustment;
    }
    let score = (score.clamp(0.0, 100.0) * 10.0).round() / 10.0;
    Some(Scored {
        score,
        precision,
        recall,
        f_beta,
        adjustment: if held { 0.0 } else { adjustment },
        weak_only,
        inexact_only,
        company_vs_individual,
        country,
        pairs,
    })
}
