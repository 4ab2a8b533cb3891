//! The screening entry point: a [`Screener`] built once over some lists answers queries,
//! one at a time or a batch on all cores, with matches as data.
//!
//! A query has a name, aliases and maybe a country; each of its names is screened against
//! every listed name and alias, and each entry keeps its best pair. Output is deterministic:
//! best score first, then list and entry order.

use std::collections::HashMap;

use rayon::prelude::*;

use super::index::{Index, QueryName};
use super::list::ScreeningList;
use super::score::{score_name, Match, MatchOptions, Reasons, Scored, Strength, TokenMatch};
use crate::country::Country;

/// A party to screen.
#[derive(Clone, Copy, Debug, Default)]
pub struct Query<'a> {
    pub name: &'a str,
    pub aliases: &'a [&'a str],
    pub country: Option<Country>,
}

impl<'a> Query<'a> {
    /// A query of one name, no aliases, no country.
    pub fn name(name: &'a str) -> Query<'a> {
        Query {
            name,
            aliases: &[],
            country: None,
        }
    }

    pub fn with_country(mut self, country: Option<Country>) -> Query<'a> {
        self.country = country;
        self
    }

    pub fn with_aliases(mut self, aliases: &'a [&'a str]) -> Query<'a> {
        self.aliases = aliases;
        self
    }
}

/// The screening index over some lists, with the options it matches by.
pub struct Screener {
    index: Index,
    options: MatchOptions,
}

impl std::fmt::Debug for Screener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screener")
            .field("entries", &self.index.entries.len())
            .field("names", &self.index.names.len())
            .field("tokens", &self.index.tokens.len())
            .field("options", &self.options)
            .finish()
    }
}

impl Screener {
    /// Builds the index over every name and alias of every entry of `lists`.
    pub fn new(lists: &[ScreeningList], options: &MatchOptions) -> Screener {
        Screener {
            index: Index::build(lists),
            options: options.clone(),
        }
    }

    pub fn options(&self) -> &MatchOptions {
        &self.options
    }

    /// How many entries, names (names and aliases) and distinct tokens the index holds.
    pub fn size(&self) -> (usize, usize, usize) {
        (
            self.index.entries.len(),
            self.index.names.len(),
            self.index.tokens.len(),
        )
    }

    /// The entries a party matches at or above the possible threshold, best first, at most
    /// `options.max_results`.
    pub fn screen(&self, query: &Query<'_>) -> Vec<Match> {
        self.matches(query, false)
    }

    /// Every entry whose names the candidate generator found for a party and scored, best
    /// first, whatever the score: matches below the possible threshold, and those a rule
    /// held below it (weak words only, inexact evidence, a company against a person), with
    /// the rule in their `reasons`. For looking at why a party did or did not match; not
    /// capped by `options.max_results`. `strength` is `Possible` for everything below the
    /// strong threshold: compare `score` with `options.possible`.
    pub fn explain_query(&self, query: &Query<'_>) -> Vec<Match> {
        self.matches(query, true)
    }

    fn matches(&self, query: &Query<'_>, everything: bool) -> Vec<Match> {
        let mut names: Vec<QueryName> = Vec::with_capacity(1 + query.aliases.len());
        for text in std::iter::once(&query.name).chain(query.aliases.iter()) {
            if !text.trim().is_empty() {
                names.push(self.index.query_name(text, self.options.fuzzy));
            }
        }
        // Best (score, query name, listed name) per entry.
        let mut best: HashMap<u32, (Scored, usize, u32)> = HashMap::new();
        for (qi, q) in names.iter().enumerate() {
            for n in self.index.candidates(q, self.options.fuzzy) {
                let Some(rec) = self.index.names.get(n as usize) else {
                    continue;
                };
                let entry = self.index.entries.get(rec.entry as usize);
                let countries = entry.map_or(&[][..], |e| e.countries.as_slice());
                let individual = entry.is_some_and(|e| e.individual);
                let Some(s) = score_name(
                    &self.index,
                    q,
                    rec,
                    query.country,
                    countries,
                    individual,
                    &self.options,
                ) else {
                    continue;
                };
                if s.score < self.options.possible && !everything {
                    continue;
                }
                let better = best.get(&rec.entry).is_none_or(|(b, bq, bn)| {
                    s.score > b.score || (s.score == b.score && (qi, n) < (*bq, *bn))
                });
                if better {
                    best.insert(rec.entry, (s, qi, n));
                }
            }
        }
        let mut found: Vec<(u32, (Scored, usize, u32))> = best.into_iter().collect();
        found.sort_by(|a, b| b.1 .0.score.total_cmp(&a.1 .0.score).then(a.0.cmp(&b.0)));
        if !everything {
            found.truncate(self.options.max_results);
        }
        found
            .into_iter()
            .filter_map(|(_, (s, qi, n))| self.to_match(names.get(qi)?, n, s))
            .collect()
    }

    /// Screens many parties on all cores; the result `i` is `screen(&queries[i])`.
    pub fn screen_all(&self, queries: &[Query<'_>]) -> Vec<Vec<Match>> {
        queries.par_iter().map(|q| self.screen(q)).collect()
    }

    fn to_match(&self, q: &QueryName, n: u32, s: Scored) -> Option<Match> {
        let rec = self.index.names.get(n as usize)?;
        let entry = self.index.entries.get(rec.entry as usize)?;
        let qtext = |start: usize, len: usize| -> String {
            let words: Vec<&str> = q
                .norm
                .units
                .iter()
                .skip(start)
                .take(len)
                .map(|u| u.text.as_str())
                .collect();
            words.join(" ")
        };
        let etext = |start: usize, len: usize| -> String {
            let words: Vec<&str> = rec
                .units
                .iter()
                .skip(start)
                .take(len)
                .map(|u| self.index.token_text(u.id))
                .collect();
            words.join(" ")
        };
        let mut pairs = s.pairs.clone();
        pairs.sort_by_key(|p| (p.es, p.qs));
        let mut weak_tokens = Vec::new();
        let tokens: Vec<TokenMatch> = pairs
            .iter()
            .map(|p| {
                let covered = rec.units.iter().skip(p.es).take(p.el);
                let weight: f32 = covered.clone().map(|u| u.weight).sum();
                let weak = covered
                    .clone()
                    .all(|u| self.index.token(u.id).is_some_and(|t| t.weak));
                if weak {
                    weak_tokens.push(etext(p.es, p.el));
                }
                TokenMatch {
                    query: qtext(p.qs, p.ql),
                    entry: etext(p.es, p.el),
                    how: p.how,
                    similarity: (f64::from(p.sim) * 1000.0).round() / 1000.0,
                    weight: (f64::from(weight) * 100.0).round() / 100.0,
                    weak,
                }
            })
            .collect();
        let covered = |len: usize, side: &dyn Fn(&super::score::Pair) -> (usize, usize)| {
            let mut used = vec![false; len];
            for p in &pairs {
                let (s, l) = side(p);
                for u in used.iter_mut().skip(s).take(l) {
                    *u = true;
                }
            }
            used
        };
        let q_used = covered(q.units.len(), &|p| (p.qs, p.ql));
        let e_used = covered(rec.units.len(), &|p| (p.es, p.el));
        let unmatched_query = q_used
            .iter()
            .enumerate()
            .filter(|(_, u)| !**u)
            .map(|(i, _)| qtext(i, 1))
            .collect();
        let unmatched_entry = e_used
            .iter()
            .enumerate()
            .filter(|(_, u)| !**u)
            .map(|(i, _)| etext(i, 1))
            .collect();
        let strength = if s.score >= self.options.strong {
            Strength::Strong
        } else {
            Strength::Possible
        };
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        Some(Match {
            list: entry.list as usize,
            entry: entry.entry as usize,
            score: s.score,
            strength,
            query_name: q.text.clone(),
            matched_name: rec.text.to_string(),
            matched_alias: rec.alias.map(|a| a as usize),
            tokens,
            country: s.country,
            reasons: Reasons {
                precision: round(s.precision),
                recall: round(s.recall),
                f_beta: (s.f_beta * 10.0).round() / 10.0,
                country_adjustment: s.adjustment,
                weak_only: s.weak_only,
                inexact_only: s.inexact_only,
                company_vs_individual: s.company_vs_individual,
                short_name: rec.short,
                unmatched_query,
                unmatched_entry,
                weak_tokens,
                query_legal_forms: q.norm.legal_forms.clone(),
                entry_legal_forms: rec.legal_forms.iter().map(|f| f.to_string()).collect(),
            },
        })
    }
}
