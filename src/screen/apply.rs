//! Screening a transaction file's parties, owners included (they are parties of the file),
//! and turning what is found into facts the checker judges:
//!
//! - a strong match to an entry of a restricted-party list (Entity List, MEU, UVL, DPL, SDN,
//!   approved UAE entities) is a designation of the party on that list from the entry's start
//!   date (until its end date), cited to the entry;
//! - a possible match is a question for a reviewer: until the party's `screening:` decisions
//!   resolve it, a rule that asks whether the party is on that list cannot be answered;
//! - a decision `cleared` sets a match aside (the party is not the listed one), `confirmed`
//!   makes a possible match a designation.
//!
//! Designations reach owners through the ownership graph the checker already walks (the
//! Affiliates Rule's aggregate, OFAC's 50% rule), so screening every party is enough.

use crate::facts::{
    Decision, Designation, PossibleMatch, ScreenedFrom, ScreenedList, ScreeningDecision,
    TransactionFile,
};
use crate::{Error, Limits};

use super::{describe, ListEntry, Match, MatchOptions, Query, Screener, ScreeningList, Strength};

/// The shipped lists: codified in the eCFR of 2026-09-24 (`rules/lists/README.md` says how
/// they were transcribed). The Entity List, the SDN List and the Denied Persons List are not
/// codified there in full: they come from the user's CSL file.
pub const PACK_LISTS: &[(&str, &str)] = &[
    (
        "rules/lists/unverified-list.csv",
        include_str!("../../rules/lists/unverified-list.csv"),
    ),
    (
        "rules/lists/meu-list.csv",
        include_str!("../../rules/lists/meu-list.csv"),
    ),
    (
        "rules/lists/uae-approved.csv",
        include_str!("../../rules/lists/uae-approved.csv"),
    ),
    (
        "rules/lists/is-informed.csv",
        include_str!("../../rules/lists/is-informed.csv"),
    ),
];

/// The word that names the shipped lists on the command line (`--screening pack`).
pub const PACK_WORD: &str = "pack";

/// Lists ready to screen against: the lists and their index, built once.
pub struct Screening {
    lists: Vec<ScreeningList>,
    screener: Screener,
}

/// What happened to one match of one party.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// A strong match: the party is taken to be the listed one.
    Designated,
    /// A possible match no decision resolves: review it.
    Review,
    /// A reviewer cleared it (the party is not the listed one).
    Cleared,
    /// A reviewer confirmed it.
    Confirmed,
    /// An entry of a list the rules do not ask about (`ISN`, `FSE`, …): reported only.
    OtherList,
}

/// One party's matches, with what each became.
#[derive(Clone, Debug)]
pub struct PartyMatches {
    pub party: usize,
    pub matches: Vec<(Match, Resolution)>,
}

impl Screening {
    /// Indexes the lists with the default matching options.
    pub fn new(lists: Vec<ScreeningList>) -> Screening {
        Screening::with_options(lists, &MatchOptions::default())
    }

    pub fn with_options(lists: Vec<ScreeningList>, options: &MatchOptions) -> Screening {
        let screener = Screener::new(&lists, options);
        Screening { lists, screener }
    }

    /// Reads the lists named on the command line: files, or [`PACK_WORD`] for the shipped
    /// lists. Every bad file is reported, not only the first.
    pub fn load(names: &[String], limits: &Limits) -> Result<Screening, Error> {
        let mut lists = Vec::new();
        let mut errors: Option<Error> = None;
        let mut keep = |r: Result<ScreeningList, Error>| match r {
            Ok(l) => lists.push(l),
            Err(e) => match &mut errors {
                Some(all) => all.diagnostics.extend(e.diagnostics),
                None => errors = Some(e),
            },
        };
        for name in names {
            if name == PACK_WORD {
                for (file, text) in PACK_LISTS {
                    keep(ScreeningList::from_str(file, text, limits));
                }
            } else {
                keep(ScreeningList::from_path(std::path::Path::new(name), limits));
            }
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(Screening::new(lists)),
        }
    }

    pub fn lists(&self) -> &[ScreeningList] {
        &self.lists
    }

    pub fn screener(&self) -> &Screener {
        &self.screener
    }

    fn entry(&self, m: &Match) -> Option<&ListEntry> {
        self.lists.get(m.list)?.entries.get(m.entry)
    }

    /// A match in words: which tokens matched and why the score.
    pub fn describe(&self, m: &Match) -> String {
        describe(m, &self.lists)
    }

    /// Every party's matches and what each became, without changing the file.
    pub fn matches(&self, file: &TransactionFile) -> Vec<PartyMatches> {
        let queries: Vec<Query<'_>> = file
            .parties
            .iter()
            .map(|p| Query::name(&p.name).with_country(Some(p.country)))
            .collect();
        let found = self.screener.screen_all(&queries);
        file.parties
            .iter()
            .zip(found)
            .enumerate()
            .map(|(i, (party, matches))| PartyMatches {
                party: i,
                matches: matches
                    .into_iter()
                    .map(|m| {
                        let r = self.resolve(&m, &party.screening);
                        (m, r)
                    })
                    .collect(),
            })
            .collect()
    }

    fn resolve(&self, m: &Match, decisions: &[ScreeningDecision]) -> Resolution {
        let Some(entry) = self.entry(m) else {
            return Resolution::OtherList;
        };
        if entry.source.list_kind().is_none() {
            return Resolution::OtherList;
        }
        // The latest decision on the entry wins.
        let decision = decisions
            .iter()
            .filter(|d| !entry.id.is_empty() && d.entry == entry.id)
            .max_by_key(|d| d.on);
        match (decision.map(|d| d.decision), m.strength) {
            (Some(Decision::Cleared), _) => Resolution::Cleared,
            (Some(Decision::Confirmed), _) => Resolution::Confirmed,
            (None, Strength::Strong) => Resolution::Designated,
            (None, Strength::Possible) => Resolution::Review,
        }
    }

    /// Screens every party and records what was found as facts of the file: designations
    /// for strong and confirmed matches, possible matches for the rest that no decision
    /// resolves. Returns the matches, for reports.
    pub fn apply(&self, file: &mut TransactionFile) -> Vec<PartyMatches> {
        let found = self.matches(file);
        for pm in &found {
            let Some(party) = file.parties.get_mut(pm.party) else {
                continue;
            };
            for (m, r) in &pm.matches {
                let Some(entry) = self.entry(m) else {
                    continue;
                };
                let Some(list) = entry.source.list_kind() else {
                    continue;
                };
                let list_file = self
                    .lists
                    .get(m.list)
                    .map(|l| l.name.clone())
                    .unwrap_or_default();
                let confirmed = party
                    .screening
                    .iter()
                    .filter(|d| d.entry == entry.id && d.decision == Decision::Confirmed)
                    .max_by_key(|d| d.on)
                    .cloned();
                let from = ScreenedFrom {
                    list_file,
                    line: entry.location.line,
                    matched_name: m.matched_name.clone(),
                    score: m.score,
                    confirmed,
                };
                match r {
                    Resolution::Designated | Resolution::Confirmed => {
                        party.lists.push(Designation {
                            list,
                            since: entry.start_date,
                            until: entry.end_date,
                            entry: (!entry.id.is_empty()).then(|| entry.id.clone()),
                            license_requirement: entry.license_requirement.clone(),
                            license_policy: entry.license_policy.clone(),
                            federal_register_notice: entry.federal_register_notice.clone(),
                            screened: Some(Box::new(from)),
                        });
                    }
                    Resolution::Review => party.possible.push(PossibleMatch {
                        list,
                        since: entry.start_date,
                        until: entry.end_date,
                        entry: entry.id.clone(),
                        from,
                    }),
                    Resolution::Cleared | Resolution::OtherList => {}
                }
            }
        }
        file.screened = Some(crate::facts::Screened {
            lists: self
                .lists
                .iter()
                .map(|l| ScreenedList {
                    file: l.name.clone(),
                    entries: l.entries.len(),
                    digest: l.digest.clone(),
                })
                .collect(),
        });
        found
    }
}
