//! Owner questions answered ahead of time. `any owner of X holding at least 50% is
//! headquartered in D5` is, for a given file, a fixed property of X on each date epoch of D5.
//! So for every such question the rules ask, one bit per party and epoch is computed when
//! the checker is built (from the closure summaries of `world`), and the fast path answers
//! it with one bit test: a table of 12.5 KB per 100,000 parties stays in cache where the
//! summaries themselves would not.

use crate::country::CountrySet;
use crate::date::Date;
use crate::facts::PartyId;
use crate::ir::{Cond, PartyPred, PartyRef, PlaceSet, RuleSet, Test};
use crate::world::World;

/// One question: place set, threshold (closure index), headquarters or location.
struct Question {
    place: u16,
    threshold: u16,
    headquarters: bool,
    /// From each date on: the parties for which it surely holds, and (when some share is
    /// unknown) those for which it possibly holds.
    epochs: Vec<(Date, Vec<u64>, Option<Vec<u64>>)>,
}

#[derive(Default)]
pub struct OwnerHits {
    questions: Vec<Question>,
}

fn bit(bits: &[u64], p: u32) -> bool {
    bits.get(p as usize / 64)
        .is_some_and(|w| w & (1 << (p % 64)) != 0)
}

fn visit<'r>(c: &'r Cond, found: &mut Vec<(&'r PlaceSet, u16, bool)>) {
    match c {
        Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| visit(c, found)),
        Cond::Not(c) | Cond::Item(c, _) => visit(c, found),
        Cond::Otherwise(a, b) => {
            visit(a, found);
            visit(b, found);
        }
        Cond::Test(t, _) => {
            if let Test::Party {
                party: PartyRef::AnyOwner { threshold, .. },
                pred,
            } = t.as_ref()
            {
                let (places, hq) = match pred {
                    PartyPred::HeadquarteredIn(p) => (p, true),
                    PartyPred::LocatedIn(p) => (p, false),
                    _ => return,
                };
                if !found
                    .iter()
                    .any(|(p, t, h)| p.id == places.id && t == threshold && *h == hq)
                {
                    found.push((places, *threshold, hq));
                }
            }
        }
    }
}

impl OwnerHits {
    pub fn build(rules: &RuleSet, world: &World) -> OwnerHits {
        let mut found = Vec::new();
        for r in &rules.rules {
            visit(&r.when, &mut found);
            if let Some(u) = &r.unless {
                visit(u, &mut found);
            }
            for p in &r.policies {
                if let Some(c) = &p.when {
                    visit(c, &mut found);
                }
            }
        }
        for e in &rules.exceptions {
            visit(&e.when, &mut found);
        }
        let questions = found
            .into_iter()
            .filter_map(|(places, threshold, headquarters)| {
                let closure = world.closures.get(usize::from(threshold))?;
                // From each date: the sure members, and the sure and uncertain members
                // together (an owner headquartered in a country of uncertain membership
                // possibly meets the test).
                let epochs: Vec<(Date, CountrySet, CountrySet)> = if places.epochs.is_empty() {
                    vec![(Date::MIN, places.countries, places.countries)]
                } else {
                    places
                        .epochs
                        .iter()
                        .map(|(d, sure, maybe)| {
                            let mut either = *sure;
                            either.union_with(maybe);
                            (*d, *sure, either)
                        })
                        .collect()
                };
                let per_party = |ids: &[u32], set: &CountrySet| -> Vec<u64> {
                    // First per distinct summary (few), then per party (one lookup each).
                    let hit: Vec<bool> = world
                        .summaries
                        .iter()
                        .map(|s| {
                            let idx = if headquarters {
                                s.headquarters
                            } else {
                                s.locations
                            };
                            world
                                .country_sets
                                .get(idx as usize)
                                .is_some_and(|c| c.intersects(set))
                        })
                        .collect();
                    let mut bits = vec![0u64; ids.len().div_ceil(64)];
                    for (p, id) in ids.iter().enumerate() {
                        if hit.get(*id as usize).copied().unwrap_or(false) {
                            if let Some(w) = bits.get_mut(p / 64) {
                                *w |= 1 << (p % 64);
                            }
                        }
                    }
                    bits
                };
                Some(Question {
                    place: places.id,
                    threshold,
                    headquarters,
                    epochs: epochs
                        .iter()
                        .map(|(from, sure, either)| {
                            let possible_ids = closure.possible.as_deref();
                            let possible = if sure == either {
                                possible_ids.map(|ids| per_party(ids, sure))
                            } else {
                                Some(per_party(possible_ids.unwrap_or(&closure.sure), either))
                            };
                            (*from, per_party(&closure.sure, sure), possible)
                        })
                        .collect(),
                })
            })
            .collect();
        OwnerHits { questions }
    }

    /// `(surely, possibly)` for party `p` on `date`, if this question was computed ahead.
    #[inline]
    pub fn get(
        &self,
        places: &PlaceSet,
        threshold: u16,
        headquarters: bool,
        date: Date,
        p: PartyId,
    ) -> Option<(bool, bool)> {
        let q = self.questions.iter().find(|q| {
            q.place == places.id && q.threshold == threshold && q.headquarters == headquarters
        })?;
        let (_, sure, possible) = q.epochs.iter().rev().find(|(from, _, _)| *from <= date)?;
        let s = bit(sure, p.0);
        Some((s, possible.as_ref().map_or(s, |b| bit(b, p.0))))
    }
}
