//! The world graph of one transaction file: parties and their ownership edges (petgraph),
//! with the closures the rules ask about computed once, in linear time, so that a check is a
//! handful of lookups:
//!
//! - the ultimate parent of each party (the chain of majority owners);
//! - for each ownership threshold the rules use, a summary of everyone in each party's chain
//!   of owners at that threshold (their headquarters, locations and list designations),
//!   cycle-safe through strongly connected components;
//! - for each "owned … by parties listed on …" question, the first date from which each party
//!   is so owned, directly or indirectly, individually or in aggregate: a least fixpoint over
//!   the ownership graph, computed in date order.
//!
//! Unknown shares are handled soundly: every closure is computed twice, once counting only
//! known shares ("sure") and once letting each unknown share take the largest value the other
//! shares allow ("possible"). A question true on the sure graph is true; false on the possible
//! graph is false; anything between is indeterminate.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use petgraph::csr::Csr;
use petgraph::visit::EdgeRef;
use petgraph::Directed;

use crate::country::{Country, CountrySet};
use crate::date::Date;
use crate::facts::{PartyId, TransactionFile};
use crate::ir::{Asks, Needs, Threshold};
use crate::limits::Budget;
use crate::vocab::{ListKind, Share};

mod scc;

/// An ownership edge's weight: which owner entry of the owned party it is, and its share
/// (kept on the edge so that walking the graph never reaches back into the party records).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holding {
    pub entry: u32,
    pub share: Option<Share>,
}

/// The outcome of following majority owners upward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// The top of the chain (the party itself when it has no majority owner).
    Top(PartyId),
    /// Whether some owner holds a majority is unknown at this party (a share is missing).
    Unknown { at: PartyId },
    /// The chain of majority owners loops back on itself here.
    Cycle { at: PartyId },
}

/// What a party's chain of owners contains, interned so that lookups are table reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Summary {
    /// Index into [`World::country_sets`]: the owners' headquarters.
    pub headquarters: u32,
    /// Index into [`World::country_sets`]: the owners' locations.
    pub locations: u32,
    /// Earliest designation date among the owners, per list (`Date::MAX`: none).
    pub listed: [Date; ListKind::COUNT],
}

/// The owner closures at one threshold: per party, an index into [`World::summaries`]
/// (four bytes a party, so that the table stays in cache when parties run to millions).
pub struct Closure {
    pub threshold: Threshold,
    pub sure: Vec<u32>,
    /// Equal to `sure` when the file has no unknown shares.
    pub possible: Option<Vec<u32>>,
}

/// First dates from which each party is owned at the threshold by listed parties.
pub struct Aggregate {
    pub threshold: Threshold,
    pub lists: u8,
    pub sure_from: Vec<Date>,
    pub possible_from: Vec<Date>,
}

pub struct World {
    /// Ownership edges from the owned party to its owner (self-ownership left out).
    pub graph: Csr<(), Holding, Directed, u32>,
    pub parents: Vec<Parent>,
    pub closures: Vec<Closure>,
    pub aggregates: Vec<Aggregate>,
    pub country_sets: Vec<CountrySet>,
    /// The distinct summaries the closures point into.
    pub summaries: Vec<Summary>,
    /// Per party: `[country, headquarters]`, packed for the checks that read only these.
    pub homes: Vec<[Country; 2]>,
    /// Per party, per list: the earliest date of designation (`Date::MAX`: not listed).
    pub listed_since: Vec<[Date; ListKind::COUNT]>,
    /// The same, counting possible screening matches as designations: the "possible" side
    /// of ownership questions, so an owner that may be listed leaves them open.
    pub maybe_listed_since: Vec<[Date; ListKind::COUNT]>,
    /// Per party: what the known shares leave (100% minus their sum), the most an owner of
    /// unknown share can hold. Summed once here: summing per edge was quadratic in a party's
    /// owners (100,000 owners of unknown share took seconds, a million would not finish).
    room: Vec<Share>,
}

const NEVER: Date = Date::MAX;

impl World {
    pub fn build(facts: &TransactionFile, needs: &Needs) -> World {
        let n = facts.parties.len();
        // Ownership edges (owned → owner, weighted by the owner entry and its share), sorted,
        // as a compressed adjacency table: each party's owners side by side in memory.
        let mut edges: Vec<(u32, u32, Holding)> = Vec::new();
        let mut has_unknown = false;
        for (i, p) in facts.parties.iter().enumerate() {
            let owned = u32::try_from(i).unwrap_or(u32::MAX);
            let first = edges.len();
            for (k, o) in p.owners.iter().enumerate() {
                // Self-ownership (treasury shares) confers no control: left out of every
                // question, so it can never make a loop.
                if o.owner.0 == owned {
                    continue;
                }
                has_unknown |= o.share.is_none();
                let entry = u32::try_from(k).unwrap_or(u32::MAX);
                edges.push((
                    owned,
                    o.owner.0,
                    Holding {
                        entry,
                        share: o.share,
                    },
                ));
            }
            if let Some(mine) = edges.get_mut(first..) {
                mine.sort_unstable();
            }
        }
        // An owner named twice (the loader refuses it; parts built in memory may not) counts
        // once, by its first entry.
        edges.dedup_by_key(|(owned, owner, _)| (*owned, *owner));
        let graph = sorted_graph(&edges, n);
        let listed_since: Vec<[Date; ListKind::COUNT]> = facts
            .parties
            .iter()
            .map(|p| {
                let mut since = [NEVER; ListKind::COUNT];
                for d in &p.lists {
                    if let Some(slot) = since.get_mut(d.list as usize) {
                        *slot = (*slot).min(d.since.unwrap_or(Date::MIN));
                    }
                }
                since
            })
            .collect();
        let mut maybe_listed_since = listed_since.clone();
        for (p, since) in facts.parties.iter().zip(maybe_listed_since.iter_mut()) {
            for m in &p.possible {
                has_unknown = true;
                if let Some(slot) = since.get_mut(m.list as usize) {
                    *slot = (*slot).min(m.since.unwrap_or(Date::MIN));
                }
            }
        }
        let mut world = World {
            graph,
            parents: Vec::new(),
            closures: Vec::new(),
            aggregates: Vec::new(),
            country_sets: Vec::new(),
            summaries: Vec::new(),
            homes: facts
                .parties
                .iter()
                .map(|p| [p.country, p.headquarters])
                .collect(),
            listed_since,
            maybe_listed_since,
            room: facts
                .parties
                .iter()
                .map(|p| {
                    let known = p
                        .owners
                        .iter()
                        .filter_map(|o| o.share)
                        .fold(0u32, |sum, s| sum.saturating_add(s.0));
                    Share(Share::WHOLE.0.saturating_sub(known))
                })
                .collect(),
        };
        world.parents = world.ultimate_parents();
        let mut interner = Interner::default();
        for (i, t) in needs.thresholds.iter().enumerate() {
            let asks = needs.asks.get(i).copied().unwrap_or(Asks::ALL);
            let sure = world.closure(facts, *t, asks, false, &mut interner);
            let possible = has_unknown.then(|| world.closure(facts, *t, asks, true, &mut interner));
            world.closures.push(Closure {
                threshold: *t,
                sure,
                possible,
            });
        }
        for (t, lists) in &needs.aggregates {
            let sure_from = world.aggregate(facts, *t, *lists, false);
            let possible_from = if has_unknown {
                world.aggregate(facts, *t, *lists, true)
            } else {
                sure_from.clone()
            };
            world.aggregates.push(Aggregate {
                threshold: *t,
                lists: *lists,
                sure_from,
                possible_from,
            });
        }
        world.country_sets = interner.sets;
        world.summaries = interner.summaries;
        world
    }

    /// Ultimate parents of all parties, read from the graph's edges alone (the same answers
    /// as [`majority_owner`] and [`majority_unknown`] give from the party records).
    fn ultimate_parents(&self) -> Vec<Parent> {
        let half = Share::WHOLE.0 / 2;
        ultimate_parents_of(
            self.graph.node_count(),
            |p| {
                // Of the owners holding a majority (one, in a valid file), the first entry.
                self.graph
                    .edges(p)
                    .filter(|e| e.weight().share.is_some_and(|s| s.0 > half))
                    .min_by_key(|e| e.weight().entry)
                    .map(|e| e.target())
            },
            |p| {
                self.room.get(p as usize).is_some_and(|r| r.0 > half)
                    && self.graph.edges(p).any(|e| e.weight().share.is_none())
            },
        )
    }

    /// The share an edge stands for: known, or (when `possible`) the most the other known
    /// shares leave.
    fn edge_share(
        &self,
        facts: &TransactionFile,
        owned: u32,
        entry: u32,
        possible: bool,
    ) -> Option<Share> {
        let party = facts.party(PartyId(owned))?;
        let o = party.owners.get(entry as usize)?;
        self.held(owned, o.share, possible)
    }

    /// A holding's share in the sure graph (known shares only) or the possible one (an
    /// unknown share stands for what the known ones leave).
    fn held(&self, owned: u32, share: Option<Share>, possible: bool) -> Option<Share> {
        match share {
            Some(s) => Some(s),
            None if possible => self.room.get(owned as usize).copied(),
            None => None,
        }
    }

    /// Whether the edge counts at the threshold in the sure or possible graph.
    pub fn edge_meets(
        &self,
        facts: &TransactionFile,
        owned: u32,
        entry: u32,
        t: Threshold,
        possible: bool,
    ) -> bool {
        self.edge_share(facts, owned, entry, possible)
            .is_some_and(|s| t.met_by(s))
    }

    /// Summaries of every party's chain of owners at a threshold, via strongly connected
    /// components so that ownership cycles are counted once and never loop. Only what the
    /// rules ask (`asks`) is gathered: the others stay empty, which costs nothing to unite.
    fn closure(
        &self,
        facts: &TransactionFile,
        t: Threshold,
        asks: u8,
        possible: bool,
        interner: &mut Interner,
    ) -> Vec<u32> {
        let n = facts.parties.len();
        // The edges that count at this threshold, filtered from the world graph (so still
        // sorted, as `sorted_graph` needs).
        let mut edges: Vec<(u32, u32, ())> = Vec::with_capacity(self.graph.edge_count());
        for owned in 0..self.graph.node_count() {
            let owned = u32::try_from(owned).unwrap_or(u32::MAX);
            for e in self.graph.edges(owned) {
                let share = self.held(owned, e.weight().share, possible);
                if share.is_some_and(|s| t.met_by(s)) {
                    edges.push((owned, e.target(), ()));
                }
            }
        }
        let sub = sorted_graph(&edges, n);
        let own: Vec<Summary> = facts
            .parties
            .iter()
            .enumerate()
            .map(|(i, p)| Summary {
                headquarters: if asks & Asks::HEADQUARTERS != 0 {
                    interner.single(p.headquarters)
                } else {
                    interner.empty()
                },
                locations: if asks & Asks::LOCATION != 0 {
                    interner.single(p.country)
                } else {
                    interner.empty()
                },
                listed: match self.listed_table(possible).get(i) {
                    Some(since) if asks & Asks::LISTED != 0 => *since,
                    _ => [NEVER; ListKind::COUNT],
                },
            })
            .collect();
        let empty = Summary {
            headquarters: interner.intern(CountrySet::EMPTY),
            locations: interner.intern(CountrySet::EMPTY),
            listed: [NEVER; ListKind::COUNT],
        };
        // Components come so that every edge points to an earlier one (`scc`): owners
        // come before the parties they own. Each component is folded as it is found (no list
        // of components is kept: that was one allocation per party).
        let mut scc_of = vec![usize::MAX; n];
        // `full[k]`: everything reachable from component k, its own members included.
        let mut full: Vec<Summary> = Vec::new();
        let mut result = vec![empty; n];
        scc::for_each_component(&sub, |comp: &[u32]| {
            let k = full.len();
            for v in comp {
                if let Some(slot) = scc_of.get_mut(*v as usize) {
                    *slot = k;
                }
            }
            let mut members = empty;
            let mut beyond = empty;
            let mut cyclic = comp.len() > 1;
            for v in comp {
                if let Some(s) = own.get(*v as usize) {
                    members = interner.union(members, *s);
                }
                for &w in sub.neighbors_slice(*v) {
                    let target = scc_of.get(w as usize).copied().unwrap_or(k);
                    if target == k {
                        cyclic = true;
                    } else if let Some(s) = full.get(target) {
                        beyond = interner.union(beyond, *s);
                    }
                }
            }
            let reach = interner.union(members, beyond);
            full.push(reach);
            for v in comp {
                if let Some(slot) = result.get_mut(*v as usize) {
                    // In a cycle every member reaches every member, itself included.
                    *slot = if cyclic { reach } else { beyond };
                }
            }
        });
        result.into_iter().map(|r| interner.summary_id(r)).collect()
    }

    /// The designation dates the sure (`false`) or the possible (`true`) answers count.
    fn listed_table(&self, possible: bool) -> &[[Date; ListKind::COUNT]] {
        if possible {
            &self.maybe_listed_since
        } else {
            &self.listed_since
        }
    }

    /// First date from which each party is owned at the threshold by parties on the lists,
    /// directly or through parties so owned, individually or in aggregate. Parties become
    /// "affected" in date order (a priority queue), each adding its share to what it owns.
    fn aggregate(
        &self,
        facts: &TransactionFile,
        t: Threshold,
        lists: u8,
        possible: bool,
    ) -> Vec<Date> {
        let n = facts.parties.len();
        // Reverse adjacency: owner → (owned, share).
        let mut owns: Vec<Vec<(u32, Share)>> = vec![Vec::new(); n];
        for (i, p) in facts.parties.iter().enumerate() {
            let owned = u32::try_from(i).unwrap_or(u32::MAX);
            for (k, o) in p.owners.iter().enumerate() {
                if o.owner.index() == i {
                    continue;
                }
                let entry = u32::try_from(k).unwrap_or(u32::MAX);
                if let (Some(list), Some(share)) = (
                    owns.get_mut(o.owner.index()),
                    self.edge_share(facts, owned, entry, possible),
                ) {
                    list.push((owned, share));
                }
            }
        }
        let mut affected = vec![NEVER; n];
        let mut owned_from = vec![NEVER; n];
        let mut acc = vec![0u64; n];
        let mut heap = BinaryHeap::new();
        for (i, since) in self.listed_table(possible).iter().enumerate() {
            let first = ListKind::ALL
                .iter()
                .filter(|l| lists & l.bit() != 0)
                .filter_map(|l| since.get(*l as usize))
                .min()
                .copied()
                .unwrap_or(NEVER);
            if first != NEVER {
                heap.push(Reverse((first, i)));
            }
        }
        let needed = u64::from(t.share.0);
        while let Some(Reverse((date, p))) = heap.pop() {
            match affected.get_mut(p) {
                Some(slot) if *slot == NEVER => *slot = date,
                _ => continue,
            }
            for (owned, share) in owns.get(p).map(Vec::as_slice).unwrap_or(&[]) {
                let c = *owned as usize;
                let Some(total) = acc.get_mut(c) else {
                    continue;
                };
                *total += u64::from(share.0);
                let met = if t.inclusive {
                    *total >= needed
                } else {
                    *total > needed
                };
                if met && owned_from.get(c) == Some(&NEVER) {
                    if let Some(slot) = owned_from.get_mut(c) {
                        *slot = date;
                    }
                    if affected.get(c) == Some(&NEVER) {
                        heap.push(Reverse((date, c)));
                    }
                }
            }
        }
        owned_from
    }

    /// A shortest chain of owners from `from` to an owner satisfying `target`, as
    /// `(owned, owner entry)` steps, in the sure or possible graph at the threshold. Memory
    /// and time grow with the owners visited, not the file: each owner and each ownership
    /// edge walked spends one step of `budget`, and the walk gives up (None) once it is spent.
    pub fn owner_path(
        &self,
        facts: &TransactionFile,
        from: PartyId,
        t: Threshold,
        possible: bool,
        budget: &Budget,
        target: impl Fn(PartyId) -> bool,
    ) -> Option<Vec<(PartyId, u32)>> {
        let path =
            self.owner_path_raw(facts, from.0, t, possible, budget, |q| target(PartyId(q)))?;
        Some(path.into_iter().map(|(p, e)| (PartyId(p), e)).collect())
    }

    /// [`World::owner_path`] over the graph's own node numbers.
    fn owner_path_raw(
        &self,
        facts: &TransactionFile,
        from: u32,
        t: Threshold,
        possible: bool,
        budget: &Budget,
        target: impl Fn(u32) -> bool,
    ) -> Option<Vec<(u32, u32)>> {
        // Each party reached, with the step that reached it (None for `from`).
        let mut back: HashMap<u32, Option<(u32, u32)>> = HashMap::new();
        let mut queue = VecDeque::new();
        queue.push_back(from);
        back.insert(from, None);
        while let Some(v) = queue.pop_front() {
            let party = facts.party(PartyId(v))?;
            if !budget.spend(1 + party.owners.len() as u64) {
                return None;
            }
            for (k, o) in party.owners.iter().enumerate() {
                let entry = u32::try_from(k).unwrap_or(u32::MAX);
                if o.owner.0 == v || !self.edge_meets(facts, v, entry, t, possible) {
                    continue;
                }
                let w = o.owner.0;
                if target(w) {
                    let mut path = vec![(v, entry)];
                    let mut cur = v;
                    while let Some(step) = back.get(&cur).copied().flatten() {
                        path.push(step);
                        cur = step.0;
                    }
                    path.reverse();
                    return Some(path);
                }
                if let std::collections::hash_map::Entry::Vacant(slot) = back.entry(w) {
                    slot.insert(Some((v, entry)));
                    queue.push_back(w);
                }
            }
        }
        None
    }

    /// The majority-owner chain from a party upward, as `(owned, owner entry)` steps.
    pub fn majority_chain(
        &self,
        facts: &TransactionFile,
        from: PartyId,
        budget: &Budget,
    ) -> Vec<(PartyId, u32)> {
        let mut chain = Vec::new();
        let mut cur = from.0;
        let mut seen = std::collections::HashSet::new();
        while let Some((entry, owner)) = majority_owner(facts, cur) {
            if !seen.insert(cur) || !budget.spend(1) {
                break;
            }
            chain.push((PartyId(cur), entry));
            cur = owner;
        }
        chain
    }
}

/// A petgraph `Csr` of `n` nodes from edges sorted by source, then target, without repeats.
fn sorted_graph<E: Copy + Default>(edges: &[(u32, u32, E)], n: usize) -> Csr<(), E, Directed, u32> {
    // Cannot fail: every caller builds its edges in that order. Were it to, the graph would
    // have no edges, and every closure would be the party alone.
    let mut graph = Csr::from_sorted_edges(edges).unwrap_or_else(|_| Csr::new());
    while graph.node_count() < n {
        graph.add_node(());
    }
    graph
}

/// The owner holding a known majority (more than 50%) of `party`, as (entry, owner).
pub fn majority_owner(facts: &TransactionFile, party: u32) -> Option<(u32, u32)> {
    let p = facts.party(PartyId(party))?;
    p.owners.iter().enumerate().find_map(|(k, o)| {
        (o.owner.0 != party && o.share.is_some_and(|s| s.0 > Share::WHOLE.0 / 2))
            .then(|| (u32::try_from(k).unwrap_or(u32::MAX), o.owner.0))
    })
}

/// Whether some owner with an unknown share could hold a majority of `party`.
pub fn majority_unknown(facts: &TransactionFile, party: u32) -> bool {
    let Some(p) = facts.party(PartyId(party)) else {
        return false;
    };
    let known: u32 = p.owners.iter().filter_map(|o| o.share).map(|s| s.0).sum();
    let room = Share::WHOLE.0.saturating_sub(known);
    room > Share::WHOLE.0 / 2
        && p.owners
            .iter()
            .any(|o| o.share.is_none() && o.owner.0 != party)
}

/// Ultimate parents of all parties in one pass: each chain is walked once and its answer
/// shared by every party on it.
fn ultimate_parents_of(
    n: usize,
    majority_owner: impl Fn(u32) -> Option<u32>,
    majority_unknown: impl Fn(u32) -> bool,
) -> Vec<Parent> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done(Parent),
    }
    let mut state = vec![State::New; n];
    // One path, reused: an allocation per party was a tenth of the world's build.
    let mut path = Vec::new();
    for start in 0..n {
        path.clear();
        let mut cur = u32::try_from(start).unwrap_or(u32::MAX);
        let answer = loop {
            match state.get(cur as usize).copied() {
                Some(State::Done(p)) => break p,
                Some(State::OnPath) => break Parent::Cycle { at: PartyId(cur) },
                None => break Parent::Top(PartyId(cur)),
                Some(State::New) => {}
            }
            if let Some(s) = state.get_mut(cur as usize) {
                *s = State::OnPath;
            }
            path.push(cur);
            match majority_owner(cur) {
                Some(owner) => cur = owner,
                None if majority_unknown(cur) => break Parent::Unknown { at: PartyId(cur) },
                None => break Parent::Top(PartyId(cur)),
            }
        };
        for p in &path {
            if let Some(s) = state.get_mut(*p as usize) {
                *s = State::Done(answer);
            }
        }
    }
    state
        .into_iter()
        .enumerate()
        .map(|(i, s)| match s {
            State::Done(p) => p,
            _ => Parent::Top(PartyId::new(i)),
        })
        .collect()
}

/// A multiply-rotate hash (the one rustc uses internally) for the interner's small keys:
/// SipHash's resistance to chosen keys buys nothing here (the keys are country sets and
/// indices the interner made itself) and cost most of the world build.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = *b;
            }
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, word: u32) {
        self.write_u64(u64::from(word));
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Deduplicates country sets so summaries stay small and comparisons cheap.
#[derive(Default)]
struct Interner {
    sets: Vec<CountrySet>,
    index: HashMap<CountrySet, u32, FxBuild>,
    unions: HashMap<(u32, u32), u32, FxBuild>,
    /// The set of one country, by country index (most parties' own summary); `u32::MAX`
    /// until interned.
    singles: Vec<u32>,
    summaries: Vec<Summary>,
    summary_index: HashMap<Summary, u32, FxBuild>,
    empty_id: Option<u32>,
}

impl Interner {
    /// The empty set's index (interned on first use, then a lookup of one field).
    fn empty(&mut self) -> u32 {
        match self.empty_id {
            Some(i) => i,
            None => {
                let i = self.intern(CountrySet::EMPTY);
                self.empty_id = Some(i);
                i
            }
        }
    }

    fn summary_id(&mut self, s: Summary) -> u32 {
        if let Some(i) = self.summary_index.get(&s) {
            return *i;
        }
        let i = u32::try_from(self.summaries.len()).unwrap_or(u32::MAX);
        self.summaries.push(s);
        self.summary_index.insert(s, i);
        i
    }

    fn single(&mut self, c: Country) -> u32 {
        if let Some(i) = self.singles.get(c.index()).filter(|i| **i != u32::MAX) {
            return *i;
        }
        let mut set = CountrySet::EMPTY;
        set.insert(c);
        let i = self.intern(set);
        if self.singles.is_empty() {
            self.singles = vec![u32::MAX; crate::country::TABLE_SIZE];
        }
        if let Some(slot) = self.singles.get_mut(c.index()) {
            *slot = i;
        }
        i
    }

    fn intern(&mut self, set: CountrySet) -> u32 {
        if let Some(i) = self.index.get(&set) {
            return *i;
        }
        let i = u32::try_from(self.sets.len()).unwrap_or(u32::MAX);
        self.sets.push(set);
        self.index.insert(set, i);
        i
    }

    fn union_sets(&mut self, a: u32, b: u32) -> u32 {
        // Most unions add nothing (a party with no owners, an owner already counted).
        let empty = self.empty();
        if a == b || b == empty {
            return a;
        }
        if a == empty {
            return b;
        }
        let key = (a.min(b), a.max(b));
        if let Some(i) = self.unions.get(&key) {
            return *i;
        }
        let mut set = self.sets.get(a as usize).copied().unwrap_or_default();
        if let Some(other) = self.sets.get(b as usize) {
            set.union_with(other);
        }
        let i = self.intern(set);
        self.unions.insert(key, i);
        i
    }

    fn union(&mut self, a: Summary, b: Summary) -> Summary {
        let mut listed = a.listed;
        for (x, y) in listed.iter_mut().zip(b.listed.iter()) {
            *x = (*x).min(*y);
        }
        Summary {
            headquarters: self.union_sets(a.headquarters, b.headquarters),
            locations: self.union_sets(a.locations, b.locations),
            listed,
        }
    }
}
