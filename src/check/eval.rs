//! Evaluating compiled conditions against one transaction, in Kleene's three-valued logic.
//!
//! One evaluator serves two purposes: the fast path (`NoTrace`, no allocation) decides
//! whether a rule fires, and the explaining path (`Trace`) re-runs it for the rules that fired
//! to record each fact used, where it sits in the YAML, and the witness (ownership path,
//! route hop, dates compared, threshold crossed).

use std::cell::Cell;

use crate::country::{Country, CountrySet};
use crate::date::Date;
use crate::facts::{
    DestinationSource, EndUserSource, FactRef, FormSource, Item, ItemId, Party, PartyId,
    Transaction, TransactionFile, TxId,
};
use crate::ir::*;
use crate::limits::Budget;
use crate::vocab::{AuthKind, Kind, ListKind};
use crate::world::{Parent, World};

use crate::finding::step::{
    Auth, AuthMiss, Block, Counted, LeadMet, Link, Member, ScopeMiss, StepKind, Unsure, Via, What,
    Who,
};
pub use crate::finding::Truth;
use crate::finding::{Step, Witness, WitnessEdge};

/// Records explanation steps, or nothing at all.
pub trait Tracer {
    const ON: bool;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn push(&mut self, step: Step);
    /// Keeps, of the steps recorded since `from`, only those in `keep` (ranges in order).
    fn retain(&mut self, from: usize, keep: &[(usize, usize)]);
    /// Marks the steps recorded since `from` as settled: facts they miss no longer decide.
    fn settle(&mut self, from: usize);
}

pub struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    fn len(&self) -> usize {
        0
    }
    fn push(&mut self, _: Step) {}
    fn retain(&mut self, _: usize, _: &[(usize, usize)]) {}
    fn settle(&mut self, _: usize) {}
}

#[derive(Default)]
pub struct Trace {
    pub steps: Vec<Step>,
}

impl Tracer for Trace {
    const ON: bool = true;
    fn len(&self) -> usize {
        self.steps.len()
    }
    fn push(&mut self, step: Step) {
        self.steps.push(step);
    }
    fn retain(&mut self, from: usize, keep: &[(usize, usize)]) {
        let tail: Vec<Step> = self.steps.drain(from..).collect();
        let mut kept = Vec::new();
        for (i, s) in tail.into_iter().enumerate() {
            if keep.iter().any(|(a, b)| (a - from..b - from).contains(&i)) {
                kept.push(s);
            }
        }
        self.steps.extend(kept);
    }
    fn settle(&mut self, from: usize) {
        for s in self.steps.iter_mut().skip(from) {
            s.missing = false;
        }
    }
}

/// Everything a condition may look at for one transaction on one date.
pub struct Ctx<'a> {
    pub rules: &'a RuleSet,
    pub facts: &'a TransactionFile,
    pub world: &'a World,
    /// Per item, per classification block: whether the item's specifications meet it.
    pub classes: &'a [Vec<Truth>],
    /// Owner questions answered ahead (the fast path's shortcut).
    pub hits: &'a super::memo::OwnerHits,
    /// This item's value of each [`Cond::Item`] slot (empty: evaluate them as written).
    pub item_parts: &'a [Truth],
    pub tx: &'a Transaction,
    pub tx_index: TxId,
    pub item_index: ItemId,
    pub date: Date,
    /// Authorization kinds assumed on file (for "what would make it compliant").
    pub assume: u8,
    /// The item's classification at this point of the search (used inside classifications).
    pub item: &'a Item,
    /// The evaluation work left for this transaction (`Limits::max_steps_per_transaction`).
    pub budget: &'a Budget,
    /// What the answers so far relied on that the file does not establish ([`Relied`]
    /// bits): set by the tests, read per rule by the checker. A `Cell` write, so the fast
    /// path stays allocation-free.
    pub relied: Cell<u32>,
    /// Groups with caveats (`uncertain:` notes) that the answers consulted: bit `g` for
    /// group `g` (the first 64 groups).
    pub consulted: Cell<u64>,
}

/// Bits of [`Ctx::relied`]: the defaults, declarations and conventions an answer rested on.
pub struct Relied;

impl Relied {
    /// A classification taken from the declared ECCN (the figures did not settle it).
    pub const DECLARED_ECCN: u32 = 1;
    /// `A otherwise B`: A was not settled by the facts, so B decided.
    pub const OTHERWISE: u32 = 1 << 1;
    /// The item's origin was not given and was taken as US.
    pub const ORIGIN_DEFAULT: u32 = 1 << 2;
    /// The item's form was not given (nor implied by an ECCN) and was taken as an IC.
    pub const FORM_DEFAULT: u32 = 1 << 3;
    /// `datacenter` was not given and was taken as true.
    pub const DATACENTER_DEFAULT: u32 = 1 << 4;
    /// A party was found on no list, but the file carries only the designations written in
    /// it (the parties were not screened against a list).
    pub const NOT_SCREENED: u32 = 1 << 5;
    /// The end user was not named: the consignee (or lessee) was taken as the end user.
    pub const END_USER_DEFAULT: u32 = 1 << 6;
    /// An authorization that states no scope was taken to cover the transaction.
    pub const UNSCOPED_AUTHORIZATION: u32 = 1 << 7;
    /// A country-group membership with a note was consulted.
    pub const GROUP_NOTE: u32 = 1 << 8;
    /// A declared ECCN was tested directly (`item.eccn in …`).
    pub const DECLARED_ECCN_TEST: u32 = 1 << 9;
    /// No developer was named, so the item's origin stood for the developer's headquarters.
    pub const DEVELOPER_FROM_ORIGIN: u32 = 1 << 10;
    /// A possible screening match that no reviewer resolved left a list question open: the
    /// finding is indeterminate ("possible match: review"), even for a red-flag rule.
    pub const POSSIBLE_MATCH: u32 = 1 << 11;
}

impl<'a> Ctx<'a> {
    fn step(&self, kind: StepKind, facts: Vec<FactRef>, at: SrcSpan) -> Step {
        Step::new(kind, facts, Some(at))
    }

    fn missing(&self, kind: StepKind, facts: Vec<FactRef>, at: SrcSpan) -> Step {
        let mut s = Step::new(kind, facts, Some(at));
        s.missing = true;
        s
    }

    /// The item being judged, as a step names it.
    fn what(&self) -> What {
        What {
            index: self.item_index,
            id: self.item.id.clone(),
        }
    }

    /// A party, as a step names it.
    fn who(&self, p: PartyId) -> Who {
        Who {
            index: p,
            id: self
                .party(p)
                .map_or_else(|| p.to_string(), |x| x.id.clone()),
        }
    }

    /// How a country stands to a place set on the date, with what decided it (explaining).
    fn member_of(&self, country: Country, places: &PlaceSet, holds: Truth) -> Member {
        let mut via = None;
        let mut uncertain = None;
        match holds {
            Truth::True if !places.countries.contains(country) => {
                via = places.groups.iter().find_map(|g| {
                    let group = self.rules.groups.get(usize::from(*g))?;
                    let w = group.window_of(country, self.date)?;
                    Some(Via {
                        group: group.name.clone(),
                        title: group.title.clone().unwrap_or_else(|| group.name.clone()),
                        window: crate::words::window_if_dated(w),
                    })
                });
            }
            Truth::Unknown => {
                let found = places.groups.iter().find_map(|g| {
                    let group = self.rules.groups.get(usize::from(*g))?;
                    group
                        .uncertain_on(country, self.date)
                        .map(|u| (group.name.clone(), u))
                });
                uncertain = Some(match found {
                    Some((name, u)) => Unsure {
                        group: Some(name),
                        window: Some(u.window),
                        reason: Some(u.reason.clone()),
                    },
                    None => Unsure {
                        group: None,
                        window: None,
                        reason: None,
                    },
                });
            }
            _ => {}
        }
        Member {
            country,
            places: places.text.clone(),
            date: self.date,
            holds,
            via,
            uncertain,
        }
    }

    /// Notes that the answer being worked out rests on `bits` ([`Relied`]).
    #[inline]
    pub fn rely(&self, bits: u32) {
        self.relied.set(self.relied.get() | bits);
    }

    pub fn party(&self, i: PartyId) -> Option<&'a Party> {
        self.facts.party(i)
    }

    fn item_index(&self) -> ItemId {
        self.item_index
    }

    pub fn cond<T: Tracer>(&self, c: &Cond, t: &mut T) -> Truth {
        if !T::ON {
            return self.decide(c);
        }
        match c {
            Cond::Not(inner) => self.cond(inner, t).negate(),
            Cond::Item(inner, _) => self.cond(inner, t),
            Cond::And(cs) => {
                let from = t.len();
                let mut ranges: Vec<(usize, usize, Truth)> = Vec::new();
                let mut acc = Truth::True;
                for c in cs {
                    let start = t.len();
                    let v = self.cond(c, t);
                    if T::ON {
                        ranges.push((start, t.len(), v));
                    }
                    if v == Truth::False {
                        if T::ON {
                            t.retain(from, &[(start, t.len())]);
                        }
                        return Truth::False;
                    }
                    acc = acc.min(v);
                }
                acc
            }
            Cond::Or(cs) => {
                let from = t.len();
                let mut ranges: Vec<(usize, usize)> = Vec::new();
                let mut acc = Truth::False;
                for c in cs {
                    let start = t.len();
                    let v = self.cond(c, t);
                    if v == Truth::True {
                        if T::ON {
                            t.retain(from, &[(start, t.len())]);
                        }
                        return Truth::True;
                    }
                    if T::ON && (v == Truth::Unknown || acc == Truth::False) {
                        ranges.push((start, t.len()));
                    }
                    acc = acc.max(v);
                }
                if T::ON && acc == Truth::Unknown {
                    // Keep what is missing; the false branches are context the reader can skip.
                    let unknown: Vec<(usize, usize)> = ranges;
                    t.retain(from, &unknown);
                }
                acc
            }
            Cond::Otherwise(first, then) => {
                let from = t.len();
                let v = self.cond(first, t);
                if v != Truth::Unknown {
                    return v;
                }
                self.rely(Relied::OTHERWISE);
                let w = self.cond(then, t);
                if w != Truth::Unknown {
                    // The first part's missing facts did not decide the answer: keep them as
                    // context, not as facts the verdict waits for.
                    t.settle(from);
                }
                w
            }
            Cond::Test(test, at) => {
                // Once the budget is spent every question is unknown, so evaluation ends
                // quickly; the checker then reports the limit instead of a verdict.
                if !self.budget.spend(1) {
                    return Truth::Unknown;
                }
                self.test(test, *at, t)
            }
        }
    }

    /// The fast path of [`Ctx::cond`]: the same Kleene connectives with nothing recorded, in
    /// a small function of its own (the explaining path's bookkeeping made every step of
    /// the recursion pay for a large stack frame).
    pub fn decide(&self, c: &Cond) -> Truth {
        match c {
            Cond::Test(test, at) => match test.as_ref() {
                Test::Party {
                    party: PartyRef::Role(role),
                    pred,
                } => self.decide_role(*role, pred, *at),
                Test::Party {
                    party: PartyRef::AnyOwner { of, threshold },
                    pred,
                } => match of.as_ref() {
                    PartyRef::Role(role) => self.decide_owners(*role, *threshold, pred, *at),
                    _ => self.test(test, *at, &mut NoTrace),
                },
                _ => self.test(test, *at, &mut NoTrace),
            },
            Cond::And(cs) => {
                let mut acc = Truth::True;
                for c in cs {
                    match self.decide(c) {
                        Truth::False => return Truth::False,
                        v => acc = acc.min(v),
                    }
                }
                acc
            }
            Cond::Or(cs) => {
                let mut acc = Truth::False;
                for c in cs {
                    match self.decide(c) {
                        Truth::True => return Truth::True,
                        v => acc = acc.max(v),
                    }
                }
                acc
            }
            Cond::Not(inner) => self.decide(inner).negate(),
            Cond::Otherwise(first, then) => match self.decide(first) {
                Truth::Unknown => {
                    self.rely(Relied::OTHERWISE);
                    self.decide(then)
                }
                v => v,
            },
            Cond::Item(inner, slot) => match self.item_parts.get(usize::from(*slot)) {
                Some(v) => *v,
                None => self.decide(inner),
            },
        }
    }

    /// `ROLE is headquartered in / located in PLACES` and the other predicates on a role,
    /// without the general path's detours.
    #[inline]
    fn decide_role(&self, role: Role, pred: &PartyPred, at: SrcSpan) -> Truth {
        if matches!(pred, PartyPred::Named) {
            return self.named(role);
        }
        match self.role_party(role) {
            Ok(p) => self.pred_on(p, pred, at, &mut NoTrace),
            Err(v) => v,
        }
    }

    /// Notes the caveated groups a party predicate consults.
    #[inline]
    fn note_places(&self, pred: &PartyPred) {
        if let PartyPred::HeadquarteredIn(places) | PartyPred::LocatedIn(places) = pred {
            if places.noted != 0 {
                self.rely(Relied::GROUP_NOTE);
                self.consulted.set(self.consulted.get() | places.noted);
            }
        }
    }

    /// `ROLE is named`: whether the file names that party itself.
    fn named(&self, role: Role) -> Truth {
        match role {
            Role::EndUser => Truth::of(self.tx.end_user_source == EndUserSource::Named),
            other => Truth::of(self.role(other).is_some()),
        }
    }

    /// The party in a role: `Err(False)` when the transaction has no such party,
    /// `Err(Unknown)` for an end user the file says is not known (`end_user: unknown`).
    #[inline]
    fn role_party(&self, role: Role) -> Result<PartyId, Truth> {
        if role == Role::EndUser {
            match self.tx.end_user_source {
                EndUserSource::Unknown => return Err(Truth::Unknown),
                EndUserSource::Defaulted => self.rely(Relied::END_USER_DEFAULT),
                EndUserSource::Named => {}
            }
        }
        self.role(role).ok_or(Truth::False)
    }

    /// `any owner of ROLE holding … is headquartered in / located in PLACES`: one bit from
    /// the table computed ahead, when there is one.
    #[inline]
    fn decide_owners(&self, role: Role, threshold: u16, pred: &PartyPred, at: SrcSpan) -> Truth {
        let p = match self.role_party(role) {
            Ok(p) => p,
            Err(v) => return v,
        };
        self.note_places(pred);
        let ahead = match pred {
            PartyPred::HeadquarteredIn(places) => {
                self.hits.get(places, threshold, true, self.date, p)
            }
            PartyPred::LocatedIn(places) => self.hits.get(places, threshold, false, self.date, p),
            _ => None,
        };
        match ahead {
            Some((true, _)) => Truth::True,
            Some((false, true)) => Truth::Unknown,
            Some((false, false)) => Truth::False,
            None => self.any_owner(&PartyRef::Role(role), threshold, pred, at, &mut NoTrace),
        }
    }

    /// Places on the transaction's date, as one set (precomputed per date epoch).
    pub fn places_on<'p>(&self, places: &'p PlaceSet) -> &'p CountrySet {
        places.on(self.date)
    }

    /// A country's membership of a place set on the date, three-valued; notes the groups
    /// whose caveats the answer rests on.
    #[inline]
    fn member(&self, country: Country, places: &PlaceSet) -> Truth {
        if places.noted != 0 {
            self.rely(Relied::GROUP_NOTE);
            self.consulted.set(self.consulted.get() | places.noted);
        }
        match places.holds(country, self.date) {
            Membership::Member => Truth::True,
            Membership::NotMember => Truth::False,
            Membership::Uncertain => Truth::Unknown,
        }
    }

    /// A membership step: missing when the membership is uncertain.
    fn membership_step(&self, kind: StepKind, facts: Vec<FactRef>, at: SrcSpan, v: Truth) -> Step {
        if v == Truth::Unknown {
            self.missing(kind, facts, at)
        } else {
            self.step(kind, facts, at)
        }
    }

    fn test<T: Tracer>(&self, test: &Test, at: SrcSpan, t: &mut T) -> Truth {
        let item_i = self.item_index();
        let tx_i = self.tx_index;
        match test {
            Test::ItemIs { pattern, classes } => self.item_is(pattern, classes, at, t),
            Test::ItemNum { attr, op, value } => match self.item_value(*attr) {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::FigureMissing {
                                item: self.what(),
                                attr: *attr,
                            },
                            self.item_facts(*attr),
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(x) => {
                    let holds = op.holds(x, *value);
                    if T::ON {
                        let facts = self.item_facts(*attr);
                        let mut s = self.step(
                            StepKind::Figure {
                                item: self.what(),
                                attr: *attr,
                                value: x,
                                op: *op,
                                threshold: *value,
                                holds,
                            },
                            facts,
                            at,
                        );
                        s.witness = Some(Witness::Threshold {
                            attribute: attr.key().to_string(),
                            value: x,
                            op: op.symbol().to_string(),
                            threshold: *value,
                            met: holds,
                        });
                        t.push(s);
                    }
                    Truth::of(holds)
                }
            },
            Test::ItemDatacenter => {
                if !self.item.datacenter_given {
                    self.rely(Relied::DATACENTER_DEFAULT);
                }
                if T::ON {
                    let text = StepKind::Datacenter {
                        item: self.what(),
                        value: self.item.datacenter,
                        given: self.item.datacenter_given,
                    };
                    let facts = if self.item.datacenter_given {
                        vec![FactRef::Item(item_i, "datacenter")]
                    } else {
                        vec![FactRef::Item(item_i, "id")]
                    };
                    t.push(self.step(text, facts, at));
                }
                Truth::of(self.item.datacenter)
            }
            Test::ItemOrigin(places) => self.origin_in(places, false, at, t),
            Test::ItemDeveloperHq(places) => self.developer_hq(places, at, t),
            Test::ItemForm(form) => {
                let holds = self.item.form == *form;
                if self.item.form_source == FormSource::Default {
                    self.rely(Relied::FORM_DEFAULT);
                }
                if T::ON {
                    let facts = match self.item.form_source {
                        FormSource::Given => vec![FactRef::Item(item_i, "form")],
                        FormSource::DeclaredEccn => vec![FactRef::Item(item_i, "eccn")],
                        // The default form is not worth underlining, but it is said.
                        FormSource::Default => vec![],
                    };
                    t.push(self.step(
                        StepKind::Form {
                            item: self.what(),
                            form: self.item.form,
                            source: self.item.form_source,
                            declared: self.item.eccn.clone(),
                        },
                        facts,
                        at,
                    ));
                }
                Truth::of(holds)
            }
            Test::Declared { eccn } => {
                let holds = self
                    .item
                    .eccn
                    .as_deref()
                    .is_some_and(|d| crate::compile::eccn_matches(eccn, d));
                if T::ON {
                    let text = StepKind::Declared {
                        item: self.what(),
                        declared: self.item.eccn.clone(),
                    };
                    let facts = if self.item.eccn.is_some() {
                        vec![FactRef::Item(item_i, "eccn")]
                    } else {
                        vec![]
                    };
                    t.push(self.step(text, facts, at));
                }
                Truth::of(holds)
            }
            Test::ItemEccnIn { patterns } => match self.item.eccn.as_deref() {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::EccnNotDeclared { item: self.what() },
                            vec![FactRef::Item(item_i, "id")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(d) => {
                    self.rely(Relied::DECLARED_ECCN_TEST);
                    let holds = patterns.iter().any(|p| crate::compile::eccn_matches(p, d));
                    if T::ON {
                        t.push(self.step(
                            StepKind::EccnIn {
                                item: self.what(),
                                declared: d.to_string(),
                                patterns: patterns.clone(),
                                holds,
                            },
                            vec![FactRef::Item(item_i, "eccn")],
                            at,
                        ));
                    }
                    Truth::of(holds)
                }
            },
            Test::ItemHts { prefixes } => match self.item.hts.as_deref() {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::HtsMissing {
                                item: self.what(),
                                tested: prefixes.len(),
                                codes: prefixes.iter().take(8).cloned().collect(),
                            },
                            vec![FactRef::Item(item_i, "id")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(h) => {
                    let v = hts_in(h, prefixes);
                    if T::ON {
                        let facts = vec![FactRef::Item(item_i, "hts")];
                        let under = prefixes.iter().find(|p| h.starts_with(p.as_str())).cloned();
                        let kind = StepKind::Hts {
                            item: self.what(),
                            hts: h.to_string(),
                            holds: v,
                            under,
                            tested: prefixes.len(),
                        };
                        t.push(if v == Truth::Unknown {
                            self.missing(kind, facts, at)
                        } else {
                            self.step(kind, facts, at)
                        });
                    }
                    v
                }
            },
            Test::ItemEccnDisagrees => self.eccn_disagrees(at, t),
            Test::Quantity { op, value } | Test::TotalTpp { op, value } => {
                let total = matches!(test, Test::TotalTpp { .. });
                let q = self.tx.quantity.map(|q| q as f64);
                let v = if total {
                    q.zip(self.item.figures.get(NumAttr::Tpp))
                        .map(|(q, tpp)| q * tpp)
                } else {
                    q
                };

                let facts = || {
                    let mut facts = vec![FactRef::Transaction(tx_i, "quantity")];
                    if total {
                        facts.push(FactRef::Item(item_i, "tpp"));
                    }
                    facts
                };
                match v {
                    None => {
                        if T::ON {
                            t.push(self.missing(StepKind::QuantityMissing { total }, facts(), at));
                        }
                        Truth::Unknown
                    }
                    Some(x) => {
                        let holds = op.holds(x, *value);
                        if T::ON {
                            t.push(self.step(
                                StepKind::Quantity {
                                    total,
                                    value: x,
                                    op: *op,
                                    threshold: *value,
                                    holds,
                                },
                                facts(),
                                at,
                            ));
                        }
                        Truth::of(holds)
                    }
                }
            }
            Test::Date { op, date } => {
                let holds = op.holds(self.date, *date);
                if T::ON {
                    let mut s = self.step(
                        StepKind::Date {
                            date: self.date,
                            op: *op,
                            compared_to: *date,
                            holds,
                        },
                        vec![FactRef::Transaction(tx_i, "date")],
                        at,
                    );
                    s.witness = Some(Witness::Dates {
                        what: "transaction date".into(),
                        date: self.date,
                        compared_to: *date,
                        relation: op.symbol().into(),
                        holds,
                    });
                    t.push(s);
                }
                Truth::of(holds)
            }
            Test::Destination(places) => {
                let d = self.tx.destination;
                let v = self.member(d, places);
                if T::ON {
                    let source = self.destination_source();
                    let mut s = self.membership_step(
                        StepKind::Destination {
                            source: self.tx.destination_source,
                            end_user_known: self.tx.end_user.is_some(),
                            member: self.member_of(d, places, v),
                        },
                        source,
                        at,
                        v,
                    );
                    s.witness = Some(Witness::Membership {
                        country: d,
                        places: places.text.clone(),
                        date: self.date,
                        member: v == Truth::True,
                    });
                    t.push(s);
                }
                v
            }
            Test::Region(codes) => match &self.tx.region {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::RegionMissing {
                                tx: self.tx.id.clone(),
                                codes: codes.clone(),
                            },
                            vec![FactRef::Transaction(tx_i, "id")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(r) => {
                    let holds = codes.iter().any(|c| c == r.code());
                    if T::ON {
                        t.push(self.step(
                            StepKind::Region {
                                region: r.clone(),
                                codes: codes.clone(),
                                holds,
                            },
                            vec![FactRef::Transaction(tx_i, "region")],
                            at,
                        ));
                    }
                    Truth::of(holds)
                }
            },
            Test::EndUse(mask) => match self.tx.end_use {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::EndUseMissing {
                                tx: self.tx.id.clone(),
                            },
                            vec![FactRef::Transaction(tx_i, "id")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(u) => {
                    let holds = mask & u.bit() != 0;
                    if T::ON {
                        t.push(self.step(
                            StepKind::EndUse { end_use: u },
                            vec![FactRef::Transaction(tx_i, "end_use")],
                            at,
                        ));
                    }
                    Truth::of(holds)
                }
            },
            Test::Kind(mask) => {
                let holds = mask & self.tx.kind.bit() != 0;
                if T::ON {
                    t.push(self.step(
                        StepKind::Kind { kind: self.tx.kind },
                        vec![FactRef::Transaction(tx_i, "kind")],
                        at,
                    ));
                }
                Truth::of(holds)
            }
            Test::Route { mode, places } => self.route(*mode, places, at, t),
            Test::Authorized { kind, lead } => self.authorized(*kind, *lead, at, t),
            Test::Exception(idx) => self.exception(*idx, at, t),
            Test::Party { party, pred } => self.party_test(party, pred, at, t),
        }
    }

    /// The facts the destination came from.
    fn destination_source(&self) -> Vec<FactRef> {
        let tx_i = self.tx_index;
        match self.tx.destination_source {
            DestinationSource::Given => vec![FactRef::Transaction(tx_i, "destination")],
            DestinationSource::Facility => self
                .tx
                .facility
                .map(|f| vec![FactRef::Facility(f, "country")])
                .unwrap_or_default(),
            DestinationSource::RouteEnd => vec![FactRef::RouteHop {
                tx: tx_i,
                hop: u32::try_from(self.tx.route.len().saturating_sub(1)).unwrap_or(0),
            }],
            DestinationSource::EndUser => match self.tx.end_user {
                Some(u) => vec![FactRef::Party(u, "country")],
                None => self
                    .tx
                    .consignee
                    .map(|c| vec![FactRef::Party(c, "country")])
                    .unwrap_or_default(),
            },
        }
    }

    /// An item figure: a field read, nothing allocated (the fast path asks this).
    fn item_value(&self, attr: NumAttr) -> Option<f64> {
        let it = self.item;
        it.figures.get(attr)
    }

    /// The facts an item figure comes from, for explanations.
    fn item_facts(&self, attr: NumAttr) -> Vec<FactRef> {
        let i = self.item_index();
        let it = self.item;
        match attr {
            NumAttr::PerformanceDensity
                if it.figures.get(NumAttr::DieArea).is_some()
                    && it.figures.get(NumAttr::Tpp).is_some() =>
            {
                vec![FactRef::Item(i, "tpp"), FactRef::Item(i, "die_area_mm2")]
            }
            other => vec![FactRef::Item(i, other.key())],
        }
    }

    /// Whether the specifications meet a classification block (precomputed), in force today.
    fn class_truth(&self, c: u16) -> Option<Truth> {
        let class = self.rules.classes.get(usize::from(c))?;
        if !class.windows.iter().any(|w| w.contains(self.date)) {
            return None;
        }
        self.classes
            .get(self.item_index().index())?
            .get(usize::from(c))
            .copied()
    }

    fn item_is<T: Tracer>(&self, pattern: &str, classes: &[u16], at: SrcSpan, t: &mut T) -> Truth {
        let mut computed = Truth::False;
        let mut in_force = false;
        for c in classes {
            if let Some(v) = self.class_truth(*c) {
                in_force = true;
                computed = computed.max(v);
            }
        }
        // A declared ECCN governs where the figures given do not settle the classification
        // (they never contradict it then); where they settle it, they govern, and the
        // data-quality rule reports any disagreement. A declaration of the ECCN family alone
        // (`3A090`) does not say which paragraph.
        let declared = self.item.eccn.as_deref();
        let by_declaration = computed == Truth::Unknown && in_force && declared.is_some();
        let result = match (computed, declared) {
            (Truth::Unknown, Some(d)) if in_force => {
                if crate::compile::eccn_matches(pattern, d) {
                    Truth::True
                } else if crate::compile::eccn_matches(d, pattern) {
                    Truth::Unknown
                } else {
                    Truth::False
                }
            }
            (v, _) => v,
        };
        if by_declaration {
            self.rely(Relied::DECLARED_ECCN);
        }
        if T::ON {
            let item_i = self.item_index();
            if !in_force {
                t.push(self.step(
                    StepKind::NotInForce {
                        pattern: pattern.to_string(),
                        date: self.date,
                    },
                    vec![],
                    at,
                ));
            } else if by_declaration {
                let mut step = self.step(
                    StepKind::ByDeclaration {
                        item: self.what(),
                        pattern: pattern.to_string(),
                        declared: declared.unwrap_or("").to_string(),
                        holds: result,
                    },
                    vec![FactRef::Item(item_i, "eccn")],
                    at,
                );
                step.missing = result == Truth::Unknown;
                t.push(step);
            } else {
                let mut cites = Vec::new();
                let mut reasons = Vec::new();
                let mut facts = Vec::new();
                for c in classes {
                    let Some(v) = self.class_truth(*c) else {
                        continue;
                    };
                    if result == Truth::True && v != Truth::True {
                        continue;
                    }
                    if let Some(class) = self.rules.classes.get(usize::from(*c)) {
                        let mut sub = Trace::default();
                        self.class_eval(class, &mut sub);
                        for s in &sub.steps {
                            facts.extend(s.facts.iter().copied());
                        }
                        // A block is named when the pattern has several and the item does
                        // not meet it ("not 3A090.a: …").
                        let named = (classes.len() > 1 && result != Truth::True)
                            .then(|| class.eccn.clone());
                        reasons.push(Block {
                            eccn: named,
                            steps: sub.steps,
                        });
                        cites.extend(class.cites.iter().cloned());
                        if result == Truth::True {
                            break;
                        }
                    }
                }
                cites.dedup();
                let ask = result == Truth::Unknown && declared.is_none();
                let mut head = self.step(
                    StepKind::Classification {
                        item: self.what(),
                        pattern: pattern.to_string(),
                        date: self.date,
                        holds: result,
                        reasons,
                        cites,
                        ask,
                    },
                    facts,
                    at,
                );
                head.witness = Some(Witness::Classification {
                    item: self.item.id.clone(),
                    eccn: pattern.to_string(),
                    date: self.date,
                    holds: result == Truth::True,
                });
                head.missing = ask;
                t.push(head);
            }
        }
        result
    }
    /// A classification block's condition on this item, explained.
    pub fn class_eval<T: Tracer>(&self, class: &Classification, t: &mut T) -> Truth {
        let w = self.cond(&class.when, t);
        if w == Truth::False {
            return w;
        }
        match &class.unless {
            Some(u) => {
                let from = t.len();
                let v = self.cond(u, t);
                if T::ON && v == Truth::False {
                    t.retain(from, &[]);
                }
                w.min(v.negate())
            }
            None => w,
        }
    }

    pub fn eccn_disagrees<T: Tracer>(&self, at: SrcSpan, t: &mut T) -> Truth {
        let Some(declared) = self.item.eccn.as_deref() else {
            return Truth::False;
        };
        let mut computed: Vec<&str> = Vec::new();
        let mut unknown = false;
        let mut family = false;
        let base = declared.split('.').next().unwrap_or(declared);
        for (c, class) in self.rules.classes.iter().enumerate() {
            let Some(v) = self.class_truth(u16::try_from(c).unwrap_or(u16::MAX)) else {
                continue;
            };
            if class.eccn.split('.').next() == Some(base) {
                family = true;
            }
            match v {
                Truth::True => computed.push(&class.eccn),
                Truth::Unknown => unknown = true,
                Truth::False => {}
            }
        }
        let agrees = computed.iter().any(|c| {
            crate::compile::eccn_matches(declared, c) || crate::compile::eccn_matches(c, declared)
        });
        let judged = !unknown && (family || !computed.is_empty() || declared == "EAR99");
        let disagrees = judged && !agrees && (!computed.is_empty() || family);
        if T::ON && disagrees {
            t.push(self.step(
                StepKind::EccnDisagrees {
                    item: self.what(),
                    declared: declared.to_string(),
                    found: computed.iter().map(|c| c.to_string()).collect(),
                    date: self.date,
                },
                vec![FactRef::Item(self.item_index(), "eccn")],
                at,
            ));
            let mut sub = Trace::default();
            for class in &self.rules.classes {
                if computed.contains(&class.eccn.as_str()) {
                    self.class_eval(class, &mut sub);
                    break;
                }
            }
            for s in sub.steps {
                t.push(s);
            }
        }
        Truth::of(disagrees)
    }

    fn route<T: Tracer>(
        &self,
        mode: RouteMode,
        places: &PlaceSet,
        at: SrcSpan,
        t: &mut T,
    ) -> Truth {
        let set = self.places_on(places);
        // Without a route, a shipment goes straight from the sender's country to the
        // destination; a lease moves nothing.
        // The implied route lives on the stack: the fast path allocates nothing here.
        let implied: [Country; 2];
        let (hops, given): (&[Country], bool) = if !self.tx.route.is_empty() {
            (&self.tx.route, true)
        } else if self.tx.kind == Kind::Lease {
            (&[], false)
        } else {
            let origin = self
                .tx
                .sender
                .and_then(|s| self.party(s))
                .map(|p| p.country);
            match origin {
                Some(o) => {
                    implied = [o, self.tx.destination];
                    (&implied, false)
                }
                None => (std::slice::from_ref(&self.tx.destination), false),
            }
        };
        let last = hops.len().saturating_sub(1);
        let mut candidates = match mode {
            RouteMode::PassesThrough => 1..last,
            RouteMode::Includes => 0..hops.len(),
            RouteMode::StartsIn => 0..hops.len().min(1),
            RouteMode::EndsIn => last..hops.len(),
        };
        let hit = candidates
            .clone()
            .find(|i| hops.get(*i).is_some_and(|c| set.contains(*c)));
        // A hop whose membership is uncertain on the date leaves the answer open.
        let maybe = if hit.is_none() {
            let uncertain = places.uncertain_on(self.date);
            candidates.find(|i| hops.get(*i).is_some_and(|c| uncertain.contains(*c)))
        } else {
            None
        };
        // The list's caveats matter only where there is a hop to test against it.
        if places.noted != 0 && !candidates.is_empty() {
            self.rely(Relied::GROUP_NOTE);
            self.consulted.set(self.consulted.get() | places.noted);
        }
        if T::ON {
            let hop_fact = |i: usize| {
                if given {
                    vec![FactRef::RouteHop {
                        tx: self.tx_index,
                        hop: u32::try_from(i).unwrap_or(u32::MAX),
                    }]
                } else {
                    vec![]
                }
            };
            match (hit, maybe) {
                (Some(i), _) => {
                    if let Some(c) = hops.get(i).copied() {
                        let mut s = self.step(
                            StepKind::RouteHop {
                                hops: hops.to_vec(),
                                given,
                                mode,
                                places: places.text.clone(),
                                hop: i,
                                member: self.member_of(c, places, Truth::True),
                            },
                            hop_fact(i),
                            at,
                        );
                        s.witness = Some(Witness::RouteHop {
                            index: i + 1,
                            country: c,
                            places: places.text.clone(),
                        });
                        t.push(s);
                    }
                }
                (None, Some(i)) => {
                    if let Some(c) = hops.get(i).copied() {
                        t.push(self.missing(
                            StepKind::RouteUncertain {
                                hops: hops.to_vec(),
                                given,
                                hop: i,
                                member: self.member_of(c, places, Truth::Unknown),
                            },
                            hop_fact(i),
                            at,
                        ));
                    }
                }
                (None, None) => {
                    let facts = if given {
                        vec![FactRef::Transaction(self.tx_index, "route")]
                    } else {
                        vec![]
                    };
                    t.push(self.step(
                        StepKind::RouteMiss {
                            hops: hops.to_vec(),
                            given,
                            mode,
                            places: places.text.clone(),
                            date: self.date,
                        },
                        facts,
                        at,
                    ));
                }
            }
        }
        if hit.is_some() {
            Truth::True
        } else if maybe.is_some() {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    /// `item.origin in PLACES`, or the origin standing for the developer's headquarters when
    /// no developer is named (`for_developer`). An origin not given is taken as US, and said.
    fn origin_in<T: Tracer>(
        &self,
        places: &PlaceSet,
        for_developer: bool,
        at: SrcSpan,
        t: &mut T,
    ) -> Truth {
        let given = self.item.origin_given;
        if !given {
            self.rely(Relied::ORIGIN_DEFAULT);
        }
        let v = self.member(self.item.origin, places);
        if T::ON {
            let key = if given { "origin" } else { "id" };
            let (item, member) = (self.what(), self.member_of(self.item.origin, places, v));
            let kind = if for_developer {
                StepKind::DeveloperFromOrigin {
                    item,
                    given,
                    member,
                }
            } else {
                StepKind::Origin {
                    item,
                    given,
                    member,
                }
            };
            let facts = vec![FactRef::Item(self.item_index(), key)];
            t.push(self.membership_step(kind, facts, at, v));
        }
        v
    }

    /// `item.developer_hq in PLACES`: where the company that designed the item is
    /// headquartered. With no developer named, the item's origin (where it was designed)
    /// stands in; a developer named whose headquarters are not known leaves it open.
    fn developer_hq<T: Tracer>(&self, places: &PlaceSet, at: SrcSpan, t: &mut T) -> Truth {
        let item_i = self.item_index();
        match &self.item.developer {
            None => {
                self.rely(Relied::DEVELOPER_FROM_ORIGIN);
                self.origin_in(places, true, at, t)
            }
            Some(dev) => match dev.headquarters {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::DeveloperUnknown {
                                item: self.what(),
                                developer: dev.name.clone(),
                            },
                            vec![FactRef::Item(item_i, "developer")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(hq) => {
                    let v = self.member(hq, places);
                    if T::ON {
                        let mut facts = vec![FactRef::Item(item_i, "developer")];
                        if let Some(p) = dev.party {
                            facts.push(FactRef::Party(p, "headquarters"));
                        }
                        t.push(self.membership_step(
                            StepKind::Developer {
                                item: self.what(),
                                developer: dev.name.clone(),
                                headquarters: hq,
                                source: dev.headquarters_source.unwrap_or("the file").to_string(),
                                member: self.member_of(hq, places, v),
                            },
                            facts,
                            at,
                            v,
                        ));
                    }
                    v
                }
            },
        }
    }
    fn authorized<T: Tracer>(
        &self,
        kind: AuthKind,
        lead: Option<(LeadField, i32)>,
        at: SrcSpan,
        t: &mut T,
    ) -> Truth {
        if self.assume & kind.bit() != 0 {
            return Truth::True;
        }
        let mut result = Truth::False;
        // The authorization that establishes it: its entry, the lead time met, and whether it
        // states no scope.
        let mut best: Option<(usize, Option<LeadMet>, bool)> = None;
        // Why each authorization of the kind on file does not establish it (explaining only):
        // (entry, why, whether a missing fact is the reason, the field it is about).
        let mut notes: Vec<(usize, AuthMiss, bool, Option<&'static str>)> = Vec::new();
        for (k, a) in self.tx.authorizations.iter().enumerate() {
            if a.kind != kind {
                continue;
            }
            if let Some(issued) = a.issued {
                if issued > self.date {
                    if T::ON {
                        notes.push((k, AuthMiss::IssuedAfter { issued }, false, Some("issued")));
                    }
                    continue;
                }
            }
            if let Some(expires) = a.expires {
                if expires <= self.date {
                    if T::ON {
                        notes.push((k, AuthMiss::Expired { expires }, false, Some("expires")));
                    }
                    continue;
                }
            }
            // What the authorization names must cover the transaction (15 CFR 750.7).
            match self.scope_covers(a) {
                Truth::True => {}
                v => {
                    if v == Truth::Unknown {
                        result = result.max(Truth::Unknown);
                    }
                    if T::ON {
                        let (miss, field) = self.scope_miss(a);
                        notes.push((
                            k,
                            AuthMiss::Scope { miss },
                            v == Truth::Unknown,
                            Some(field),
                        ));
                    }
                    continue;
                }
            }
            let unscoped = a.scope.is_empty();
            match lead {
                None => {
                    result = Truth::True;
                    best = Some((k, None, unscoped));
                    break;
                }
                Some((field, days)) => {
                    let value = match field {
                        LeadField::Notified => a.notified,
                        LeadField::Issued => a.issued,
                    };
                    let deadline = self.date.minus_days(days);
                    match value {
                        None => {
                            result = result.max(Truth::Unknown);
                            if T::ON {
                                notes.push((k, AuthMiss::NoLeadDate { field, days }, true, None));
                            }
                        }
                        Some(d) if d <= deadline => {
                            result = Truth::True;
                            let met = LeadMet {
                                field,
                                on: d,
                                days_before: self.date.days_since(d),
                                needs: days,
                            };
                            best = Some((k, Some(met), unscoped));
                            break;
                        }
                        Some(d) => {
                            if T::ON {
                                notes.push((
                                    k,
                                    AuthMiss::TooLate {
                                        field,
                                        on: d,
                                        days_before: self.date.days_since(d),
                                        needs: days,
                                        deadline,
                                    },
                                    false,
                                    None,
                                ));
                            }
                        }
                    }
                }
            }
        }
        if let (Some((_, _, true)), Truth::True) = (&best, result) {
            self.rely(Relied::UNSCOPED_AUTHORIZATION);
        }
        if T::ON {
            let tx = self.tx_index;
            let auth_of = |k: usize| {
                let a = self.tx.authorizations.get(k);
                Auth {
                    kind,
                    number: a.and_then(|a| a.number.clone()),
                    confirmation: a.and_then(|a| a.confirmation.clone()),
                }
            };
            match (best, result) {
                (Some((k, lead, unscoped)), Truth::True) => {
                    let mut s = self.step(
                        StepKind::Authorized {
                            auth: auth_of(k),
                            issued: self.tx.authorizations.get(k).and_then(|a| a.issued),
                            lead,
                            unscoped,
                        },
                        vec![FactRef::Authorization {
                            tx,
                            entry: u32::try_from(k).unwrap_or(u32::MAX),
                        }],
                        at,
                    );
                    // Its detail is the step in words, filled in where the finding is worded.
                    s.witness = Some(Witness::Authorization {
                        kind: kind.word().into(),
                        detail: String::new(),
                    });
                    t.push(s);
                }
                _ => {
                    if notes.is_empty() {
                        t.push(self.step(
                            StepKind::NotOnFile {
                                kind,
                                lead,
                                date: self.date,
                            },
                            vec![FactRef::Transaction(tx, "id")],
                            at,
                        ));
                    }
                    for (k, miss, is_missing, field) in notes {
                        let entry = u32::try_from(k).unwrap_or(u32::MAX);
                        let f = match field {
                            Some(key) => vec![FactRef::AuthorizationField { tx, entry, key }],
                            None => vec![FactRef::Authorization { tx, entry }],
                        };
                        let step = StepKind::NotAuthorizing {
                            auth: auth_of(k),
                            miss,
                            date: self.date,
                        };
                        t.push(if is_missing {
                            self.missing(step, f, at)
                        } else {
                            self.step(step, f, at)
                        });
                    }
                }
            }
        }
        result
    }
    /// The list files the parties were screened against (empty: not screened).
    fn screened_against(&self) -> Vec<String> {
        self.facts
            .screened
            .as_ref()
            .map(|s| s.lists.iter().map(|l| l.file.clone()).collect())
            .unwrap_or_default()
    }

    /// Whether a designation's license requirement reaches the transaction's item: an entry
    /// "for all items subject to the EAR having a classification other than EAR99" does not
    /// reach an item declared EAR99, and may reach one that declares nothing. A lease (compute,
    /// not an item shipped) is always reached: the conservative reading.
    fn entry_reaches_item(&self, d: &crate::facts::Designation) -> Truth {
        if d.list != crate::vocab::ListKind::EntityList
            || d.scope() == crate::facts::EntryScope::AllItems
            || self.tx.kind == Kind::Lease
        {
            return Truth::True;
        }
        match self.item.eccn.as_deref() {
            Some(e) => Truth::of(!e.eq_ignore_ascii_case("EAR99")),
            None => Truth::Unknown,
        }
    }

    /// Whether an authorization's stated scope covers the transaction: false when it names
    /// another item, party or destination, or too few units (counting what the file's earlier
    /// transactions used); unknown when the transaction leaves the fact open (no quantity, an
    /// unknown end user).
    fn scope_covers(&self, a: &crate::facts::Authorization) -> Truth {
        let sc = &a.scope;
        if let Some(items) = &sc.items {
            if !items.contains(&self.tx.item) {
                return Truth::False;
            }
        }
        if let Some(c) = sc.consignee {
            let consignee = if self.tx.kind == Kind::Lease {
                self.tx.lessee
            } else {
                self.tx.consignee
            };
            if consignee != Some(c) {
                return Truth::False;
            }
        }
        let mut open = false;
        if let Some(u) = sc.end_user {
            match self.tx.end_user_source {
                EndUserSource::Unknown => open = true,
                _ if self.tx.end_user != Some(u) => return Truth::False,
                _ => {}
            }
        }
        if let Some(d) = sc.destination {
            if d != self.tx.destination {
                return Truth::False;
            }
        }
        if let Some(q) = sc.quantity {
            match self.tx.quantity {
                Some(n) if a.used_before.saturating_add(n) > q => return Truth::False,
                Some(_) => {}
                None => open = true,
            }
        }
        if open {
            Truth::Unknown
        } else {
            Truth::True
        }
    }

    /// Why a scope does not cover the transaction, and the key it is about.
    fn scope_miss(&self, a: &crate::facts::Authorization) -> (ScopeMiss, &'static str) {
        let sc = &a.scope;
        if let Some(items) = &sc.items {
            if !items.contains(&self.tx.item) {
                let named = items
                    .iter()
                    .filter_map(|i| self.facts.item(*i))
                    .map(|i| i.id.clone())
                    .collect();
                let item = self.item.id.clone();
                return (ScopeMiss::Items { named, item }, "items");
            }
        }
        if let Some(c) = sc.consignee {
            let consignee = if self.tx.kind == Kind::Lease {
                self.tx.lessee
            } else {
                self.tx.consignee
            };
            if consignee != Some(c) {
                let named = self.who(c);
                let actual = consignee.map(|p| self.who(p));
                return (ScopeMiss::Consignee { named, actual }, "consignee");
            }
        }
        if let Some(u) = sc.end_user {
            if self.tx.end_user_source == EndUserSource::Unknown {
                let named = self.who(u);
                return (ScopeMiss::EndUserUnknown { named }, "end_user");
            }
            if self.tx.end_user != Some(u) {
                let named = self.who(u);
                let actual = self.tx.end_user.map(|p| self.who(p));
                return (ScopeMiss::EndUser { named, actual }, "end_user");
            }
        }
        if let Some(d) = sc.destination {
            if d != self.tx.destination {
                let actual = self.tx.destination;
                return (ScopeMiss::Destination { named: d, actual }, "destination");
            }
        }
        let miss = ScopeMiss::Quantity {
            covers: sc.quantity.unwrap_or(0),
            used: a.used_before,
            needs: self.tx.quantity,
        };
        (miss, "quantity")
    }
    fn exception<T: Tracer>(&self, idx: u16, at: SrcSpan, t: &mut T) -> Truth {
        let Some(e) = self.rules.exceptions.get(usize::from(idx)) else {
            return Truth::False;
        };
        let title = || {
            e.title
                .clone()
                .unwrap_or_else(|| format!("License Exception {}", e.name))
        };
        if !e.windows.iter().any(|w| w.contains(self.date)) {
            if T::ON {
                t.push(self.step(
                    StepKind::ExceptionOutOfForce {
                        name: e.name.clone(),
                        title: title(),
                        windows: e.windows.clone(),
                        date: self.date,
                    },
                    vec![],
                    at,
                ));
            }
            return Truth::False;
        }
        if !T::ON {
            return self.cond(&e.when, t);
        }
        let mut sub = Trace::default();
        let v = self.cond(&e.when, &mut sub);
        let mut facts = Vec::new();
        let mut missing = false;
        for s in &sub.steps {
            facts.extend(s.facts.iter().copied());
            missing |= s.missing;
        }
        let mut head = self.step(
            StepKind::Exception {
                name: e.name.clone(),
                title: title(),
                holds: v,
                steps: sub.steps,
            },
            facts,
            at,
        );
        head.missing = missing;
        t.push(head);
        v
    }
    fn party_test<T: Tracer>(
        &self,
        party: &PartyRef,
        pred: &PartyPred,
        at: SrcSpan,
        t: &mut T,
    ) -> Truth {
        if let (PartyPred::Named, PartyRef::Role(role)) = (pred, party) {
            let v = self.named(*role);
            if T::ON {
                let facts = if self.tx.end_user_source == EndUserSource::Named {
                    vec![FactRef::Transaction(self.tx_index, "end_user")]
                } else {
                    vec![FactRef::Transaction(self.tx_index, "id")]
                };
                t.push(self.step(
                    StepKind::Named {
                        role: *role,
                        source: self.tx.end_user_source,
                        holds: v == Truth::True,
                    },
                    facts,
                    at,
                ));
            }
            return v;
        }
        match party {
            PartyRef::AnyOwner { of, threshold } => self.any_owner(of, *threshold, pred, at, t),
            _ => match self.single_party(party, at, t) {
                Err(v) => v,
                Ok(p) => self.pred_on(p, pred, at, t),
            },
        }
    }

    /// A party expression that names one party: a role or an ultimate parent.
    fn single_party<T: Tracer>(
        &self,
        party: &PartyRef,
        at: SrcSpan,
        t: &mut T,
    ) -> Result<PartyId, Truth> {
        match party {
            PartyRef::Role(role) => match self.role_party(*role) {
                Ok(p) => Ok(p),
                Err(Truth::Unknown) => {
                    if T::ON {
                        t.push(self.missing(
                            StepKind::EndUserUnknown {
                                tx: self.tx.id.clone(),
                            },
                            vec![FactRef::Transaction(self.tx_index, "end_user")],
                            at,
                        ));
                    }
                    Err(Truth::Unknown)
                }
                Err(v) => {
                    if T::ON {
                        t.push(self.step(StepKind::NoRole { role: *role }, vec![], at));
                    }
                    Err(v)
                }
            },
            PartyRef::UltimateParent(inner) => {
                let base = self.single_party(inner, at, t)?;
                match self.world.parents.get(base.index()).copied() {
                    Some(Parent::Top(top)) => {
                        if T::ON && top != base {
                            let chain = self.world.majority_chain(self.facts, base, self.budget);
                            let (links, facts, edges) = self.chain(&chain);
                            let mut s = self.step(
                                StepKind::UltimateParent {
                                    party: self.who(base),
                                    top: self.who(top),
                                    chain: links,
                                },
                                facts,
                                at,
                            );
                            s.witness = Some(Witness::OwnershipPath { edges });
                            t.push(s);
                        } else if T::ON {
                            t.push(self.step(
                                StepKind::OwnParent {
                                    party: self.who(base),
                                },
                                vec![FactRef::Party(base, "id")],
                                at,
                            ));
                        }
                        Ok(top)
                    }
                    Some(Parent::Unknown { at: p }) => {
                        if T::ON {
                            t.push(self.missing(
                                StepKind::ParentUnknown {
                                    party: self.who(base),
                                    at: self.who(p),
                                },
                                vec![FactRef::Party(p, "owners")],
                                at,
                            ));
                        }
                        Err(Truth::Unknown)
                    }
                    Some(Parent::Cycle { at: p }) => {
                        if T::ON {
                            t.push(self.missing(
                                StepKind::ParentCycle {
                                    party: self.who(base),
                                    at: self.who(p),
                                },
                                vec![FactRef::Party(p, "owners")],
                                at,
                            ));
                        }
                        Err(Truth::Unknown)
                    }
                    None => Err(Truth::Unknown),
                }
            }
            PartyRef::AnyOwner { .. } => Err(Truth::Unknown),
        }
    }

    #[inline]
    fn role(&self, role: Role) -> Option<PartyId> {
        match role {
            Role::Sender => self.tx.sender,
            Role::Consignee => self.tx.consignee,
            Role::EndUser => self.tx.end_user,
            Role::Lessor => self.tx.lessor,
            Role::Lessee => self.tx.lessee,
            Role::Operator => self
                .tx
                .facility
                .and_then(|f| self.facts.facilities.get(f.index()))
                .map(|f| f.operator),
        }
    }

    /// The links of a chain of (owned, owner entry) steps, the facts they come from and the
    /// witness's edges (every link; the words tell a long chain by its ends).
    fn chain(&self, chain: &[(PartyId, u32)]) -> (Vec<Link>, Vec<FactRef>, Vec<WitnessEdge>) {
        let mut links = Vec::new();
        let mut facts = Vec::new();
        let mut edges = Vec::new();
        for (owned, entry) in chain {
            let Some(p) = self.party(*owned) else {
                continue;
            };
            let Some(o) = p.owners.get(*entry as usize) else {
                continue;
            };
            let owner = self.who(o.owner);
            facts.push(FactRef::Owner {
                party: *owned,
                entry: *entry,
            });
            edges.push(WitnessEdge {
                owned: p.id.clone(),
                owner: owner.id.clone(),
                share: o.share.map(|s| s.percent()),
            });
            links.push(Link {
                owned: self.who(*owned),
                owner,
                share: o.share,
                entry: *entry,
            });
        }
        (links, facts, edges)
    }
    fn pred_on<T: Tracer>(&self, p: PartyId, pred: &PartyPred, at: SrcSpan, t: &mut T) -> Truth {
        // The fast path reads the packed table, not the party's whole record.
        if !T::ON {
            if let PartyPred::HeadquarteredIn(places) | PartyPred::LocatedIn(places) = pred {
                let Some([country, hq]) = self.world.homes.get(p.index()) else {
                    return Truth::Unknown;
                };
                let c = if matches!(pred, PartyPred::HeadquarteredIn(_)) {
                    hq
                } else {
                    country
                };
                return self.member(*c, places);
            }
        }
        let Some(party) = self.party(p) else {
            return Truth::Unknown;
        };
        match pred {
            PartyPred::HeadquarteredIn(places) | PartyPred::LocatedIn(places) => {
                let hq = matches!(pred, PartyPred::HeadquarteredIn(_));
                let c = if hq {
                    party.headquarters
                } else {
                    party.country
                };
                let v = self.member(c, places);
                if T::ON {
                    let key = if hq { "headquarters" } else { "country" };
                    let mut s = self.membership_step(
                        StepKind::Place {
                            party: self.who(p),
                            headquarters: hq,
                            member: self.member_of(c, places, v),
                        },
                        vec![FactRef::Party(p, key)],
                        at,
                        v,
                    );
                    s.witness = Some(Witness::Membership {
                        country: c,
                        places: places.text.clone(),
                        date: self.date,
                        member: v == Truth::True,
                    });
                    t.push(s);
                }
                v
            }
            PartyPred::Distributor => {
                if T::ON {
                    let step = StepKind::Distributor {
                        party: self.who(p),
                        value: party.distributor,
                    };
                    t.push(match party.distributor {
                        Some(_) => self.step(step, vec![FactRef::Party(p, "distributor")], at),
                        None => self.missing(step, vec![FactRef::Party(p, "id")], at),
                    });
                }
                party.distributor.map_or(Truth::Unknown, Truth::of)
            }
            PartyPred::Named => Truth::True,
            PartyPred::ListedOn(mask) => {
                // A designation counts where the entry's license requirement reaches the item
                // (744.16(a)); one that may (the item declares no ECCN) leaves the test open.
                let mut open = None;
                let mut outside = None;
                let hit = party.lists.iter().enumerate().find(|(k, d)| {
                    if mask & d.list.bit() == 0 || !d.holds_on(self.date) {
                        return false;
                    }
                    match self.entry_reaches_item(d) {
                        Truth::True => true,
                        Truth::Unknown => {
                            open.get_or_insert(*k);
                            false
                        }
                        Truth::False => {
                            outside.get_or_insert(*k);
                            false
                        }
                    }
                });
                if hit.is_none() {
                    // A possible match that no reviewer resolved: the question stays open.
                    if let Some(m) = party
                        .possible
                        .iter()
                        .find(|m| mask & m.list.bit() != 0 && m.holds_on(self.date))
                    {
                        if T::ON {
                            let step = StepKind::PossibleMatch {
                                party: self.who(p),
                                list: m.list.word().to_string(),
                                entry: m.entry.clone(),
                                matched_name: m.from.matched_name.clone(),
                                score: m.from.score,
                                list_file: m.from.list_file.clone(),
                                line: m.from.line,
                            };
                            t.push(self.missing(step, vec![FactRef::Party(p, "name")], at));
                        }
                        self.rely(Relied::POSSIBLE_MATCH);
                        return Truth::Unknown;
                    }
                    if let Some(k) = open.or(outside) {
                        if T::ON {
                            if let Some(d) = party.lists.get(k) {
                                let step = StepKind::ListedOutsideEntry {
                                    party: self.who(p),
                                    list: d.list.word().to_string(),
                                    entry: d.entry.clone(),
                                    license_requirement: d
                                        .license_requirement
                                        .clone()
                                        .unwrap_or_default(),
                                    item: self.what(),
                                    declared: self.item.eccn.clone(),
                                };
                                let facts = vec![
                                    FactRef::Designation {
                                        party: p,
                                        entry: u32::try_from(k).unwrap_or(u32::MAX),
                                    },
                                    FactRef::Item(self.item_index, "eccn"),
                                ];
                                t.push(if open.is_some() {
                                    self.missing(step, facts, at)
                                } else {
                                    self.step(step, facts, at)
                                });
                            }
                        }
                        if open.is_some() {
                            return Truth::Unknown;
                        }
                        self.rely(Relied::DECLARED_ECCN_TEST);
                        return Truth::False;
                    }
                }
                if T::ON {
                    match hit {
                        Some((k, d)) => {
                            let mut s = self.step(
                                StepKind::Listed {
                                    party: self.who(p),
                                    list: d.list.word().to_string(),
                                    since: d.since,
                                    until: d.until,
                                    entry: d.entry.clone(),
                                    federal_register_notice: d.federal_register_notice.clone(),
                                    license_requirement: d.license_requirement.clone(),
                                    license_policy: d.license_policy.clone(),
                                },
                                vec![FactRef::Designation {
                                    party: p,
                                    entry: u32::try_from(k).unwrap_or(u32::MAX),
                                }],
                                at,
                            );
                            s.witness = Some(Witness::Designation {
                                party: party.id.clone(),
                                list: d.list.word().to_string(),
                                since: d.since,
                                until: d.until,
                                date: self.date,
                                entry: d.entry.clone(),
                                license_requirement: d.license_requirement.clone(),
                                license_policy: d.license_policy.clone(),
                                federal_register_notice: d.federal_register_notice.clone(),
                            });
                            t.push(s);
                        }
                        None => {
                            let other = party
                                .lists
                                .iter()
                                .filter(|d| mask & d.list.bit() != 0)
                                .map(|d| (d.list.title().to_string(), d.since, d.until))
                                .collect();
                            t.push(self.step(
                                StepKind::NotListed {
                                    party: self.who(p),
                                    lists: list_words(*mask),
                                    date: self.date,
                                    other,
                                    screened: self.screened_against(),
                                },
                                vec![FactRef::Party(p, "id")],
                                at,
                            ));
                        }
                    }
                }
                if hit.is_none() {
                    self.rely(Relied::NOT_SCREENED);
                }
                Truth::of(hit.is_some())
            }
            PartyPred::OwnedBy(agg) => {
                let Some(a) = self.world.aggregates.get(usize::from(*agg)) else {
                    return Truth::Unknown;
                };
                let sure = a.sure_from.get(p.index()).is_some_and(|d| *d <= self.date);
                let possible = a
                    .possible_from
                    .get(p.index())
                    .is_some_and(|d| *d <= self.date);
                let v = if sure {
                    Truth::True
                } else if possible {
                    Truth::Unknown
                } else {
                    Truth::False
                };
                if v == Truth::False {
                    self.rely(Relied::NOT_SCREENED);
                }
                if T::ON {
                    self.explain_aggregate(p, *agg, v, at, t);
                }
                v
            }
            PartyPred::Same(other) => match self.single_party(other, at, t) {
                Err(v) => v,
                Ok(q) => {
                    if T::ON {
                        t.push(self.step(
                            StepKind::Same {
                                a: self.who(p),
                                b: self.who(q),
                            },
                            vec![FactRef::Party(p, "id"), FactRef::Party(q, "id")],
                            at,
                        ));
                    }
                    Truth::of(p == q)
                }
            },
        }
    }
    /// Shows the arithmetic of "owned … in aggregate": which owners count, their shares and
    /// why each counts (listed itself, or so owned in turn).
    fn explain_aggregate<T: Tracer>(&self, p: PartyId, agg: u16, v: Truth, at: SrcSpan, t: &mut T) {
        let Some(a) = self.world.aggregates.get(usize::from(agg)) else {
            return;
        };
        let mut visited = vec![p];
        let mut queue = vec![p];
        let mut first = true;
        while let Some(x) = queue.pop() {
            let Some(party) = self.party(x) else { continue };
            if !self.budget.spend(1 + party.owners.len() as u64) {
                return;
            }
            let mut counted = Vec::new();
            let mut facts = Vec::new();
            let mut edges = Vec::new();
            let mut total = 0u64;
            for (k, o) in party.owners.iter().enumerate() {
                if o.owner == x {
                    continue;
                }
                let listed = self.listed_on(o.owner, a.lists);
                let via = a
                    .sure_from
                    .get(o.owner.index())
                    .is_some_and(|d| *d <= self.date);
                if listed.is_none() && !via {
                    continue;
                }
                total += o.share.map_or(0, |s| u64::from(s.0));
                let counts_itself = listed.is_some();
                let owner = self.who(o.owner);
                facts.push(FactRef::Owner {
                    party: x,
                    entry: u32::try_from(k).unwrap_or(u32::MAX),
                });
                edges.push(WitnessEdge {
                    owned: party.id.clone(),
                    owner: owner.id.clone(),
                    share: o.share.map(|s| s.percent()),
                });
                counted.push(Counted {
                    owner,
                    share: o.share,
                    listed,
                });
                if via && !counts_itself && !visited.contains(&o.owner) && visited.len() < 16 {
                    visited.push(o.owner);
                    queue.push(o.owner);
                }
            }
            let total_pct = total as f64 / 10_000.0;
            let step = StepKind::Aggregate {
                party: self.who(x),
                lists: list_words(a.lists),
                counted,
                total: total_pct,
                threshold: a.threshold.describe(),
                holds: first.then_some(v),
                date: self.date,
            };
            let mut s = if first && v == Truth::Unknown {
                self.missing(step, facts, at)
            } else {
                self.step(step, facts, at)
            };
            s.witness = Some(Witness::Aggregate {
                party: party.id.clone(),
                owners: edges,
                total: total_pct,
                threshold: a.threshold.share.percent(),
            });
            t.push(s);
            first = false;
        }
    }

    /// The list (by its word) and date a party is designated on, of those in `lists`.
    fn listed_on(&self, p: PartyId, lists: u8) -> Option<(String, Option<Date>)> {
        let party = self.party(p)?;
        party
            .lists
            .iter()
            .find(|d| lists & d.list.bit() != 0 && d.holds_on(self.date))
            .map(|d| (d.list.word().to_string(), d.since))
    }
    /// `any owner of X holding …`: answered from the precomputed closure summaries, with the
    /// path reconstructed only when explaining.
    fn any_owner<T: Tracer>(
        &self,
        of: &PartyRef,
        th: u16,
        pred: &PartyPred,
        at: SrcSpan,
        t: &mut T,
    ) -> Truth {
        let base = match self.single_party(of, at, t) {
            Ok(b) => b,
            Err(v) => return v,
        };
        if !T::ON {
            self.note_places(pred);
            let ahead = match pred {
                PartyPred::HeadquarteredIn(places) => {
                    self.hits.get(places, th, true, self.date, base)
                }
                PartyPred::LocatedIn(places) => self.hits.get(places, th, false, self.date, base),
                _ => None,
            };
            if let Some((sure, possible)) = ahead {
                return match (sure, possible) {
                    (true, _) => Truth::True,
                    (false, true) => Truth::Unknown,
                    (false, false) => Truth::False,
                };
            }
        }
        let Some(closure) = self.world.closures.get(usize::from(th)) else {
            return Truth::Unknown;
        };
        let threshold = closure.threshold;
        // `wide`: count countries of uncertain membership as members (the possible side).
        let summary_holds = |ids: &[u32], wide: bool| -> Option<bool> {
            let s = self.world.summaries.get(*ids.get(base.index())? as usize)?;
            let meets = |set: u32, places: &PlaceSet| -> Option<bool> {
                let owners = self.world.country_sets.get(set as usize)?;
                Some(
                    owners.intersects(self.places_on(places))
                        || (wide && owners.intersects(places.uncertain_on(self.date))),
                )
            };
            Some(match pred {
                PartyPred::HeadquarteredIn(places) => meets(s.headquarters, places)?,
                PartyPred::LocatedIn(places) => meets(s.locations, places)?,
                PartyPred::ListedOn(mask) => ListKind::ALL.iter().any(|l| {
                    mask & l.bit() != 0
                        && s.listed.get(*l as usize).is_some_and(|d| *d <= self.date)
                }),
                _ => return None,
            })
        };
        let (sure, possible) = match summary_holds(&closure.sure, false) {
            Some(sure) => {
                let possible = match &closure.possible {
                    Some(p) => summary_holds(p, true).unwrap_or(sure),
                    None => summary_holds(&closure.sure, true).unwrap_or(sure),
                };
                (sure, possible || sure)
            }
            None => {
                // Questions the summaries do not answer: walk the chain.
                let check = |q: PartyId| self.pred_on(q, pred, at, &mut NoTrace) == Truth::True;
                let sure = self
                    .world
                    .owner_path(self.facts, base, threshold, false, self.budget, check)
                    .is_some();
                let possible = sure
                    || self
                        .world
                        .owner_path(self.facts, base, threshold, true, self.budget, |q| {
                            self.pred_on(q, pred, at, &mut NoTrace) != Truth::False
                        })
                        .is_some();
                (sure, possible)
            }
        };
        let v = if sure {
            Truth::True
        } else if possible {
            Truth::Unknown
        } else {
            Truth::False
        };
        match pred {
            PartyPred::ListedOn(_) if v == Truth::False => self.rely(Relied::NOT_SCREENED),
            PartyPred::HeadquarteredIn(places) | PartyPred::LocatedIn(places)
                if places.noted != 0 =>
            {
                self.rely(Relied::GROUP_NOTE);
                self.consulted.set(self.consulted.get() | places.noted);
            }
            _ => {}
        }
        if T::ON {
            let hit = |q: PartyId| self.pred_on(q, pred, at, &mut NoTrace) == Truth::True;
            let path = match v {
                Truth::True => {
                    self.world
                        .owner_path(self.facts, base, threshold, false, self.budget, hit)
                }
                Truth::Unknown => {
                    self.world
                        .owner_path(self.facts, base, threshold, true, self.budget, |q| {
                            self.pred_on(q, pred, at, &mut NoTrace) != Truth::False
                        })
                }
                Truth::False => None,
            };
            match path {
                Some(path) => {
                    let (chain, facts, edges) = self.chain(&path);
                    let top = path
                        .last()
                        .and_then(|(owned, entry)| {
                            self.party(*owned)
                                .and_then(|p| p.owners.get(*entry as usize))
                        })
                        .map(|o| o.owner);
                    let step = StepKind::OwnerPath {
                        party: self.who(base),
                        threshold: threshold.describe(),
                        chain,
                        unknown: v == Truth::Unknown,
                    };
                    let mut s = if v == Truth::Unknown {
                        self.missing(step, facts, at)
                    } else {
                        self.step(step, facts, at)
                    };
                    s.witness = Some(Witness::OwnershipPath { edges });
                    t.push(s);
                    if let Some(top) = top {
                        self.pred_on(top, pred, at, t);
                    }
                }
                None => {
                    t.push(self.step(
                        StepKind::NoOwnerPath {
                            party: self.who(base),
                            threshold: threshold.describe(),
                        },
                        vec![FactRef::Party(base, "owners")],
                        at,
                    ));
                }
            }
        }
        v
    }
}

/// Whether an HTS code falls under one of the listed codes: true when it begins with one,
/// unknown when it is shorter than a listed code that begins with it (a heading the list
/// splits), false otherwise.
pub fn hts_in(code: &str, listed: &[String]) -> Truth {
    if listed.iter().any(|p| code.starts_with(p.as_str())) {
        Truth::True
    } else if listed.iter().any(|p| p.starts_with(code)) {
        Truth::Unknown
    } else {
        Truth::False
    }
}

/// The words of the lists in a mask (`entity-list`, `mec`), as a step names them.
fn list_words(mask: u8) -> Vec<String> {
    ListKind::ALL
        .iter()
        .filter(|l| mask & l.bit() != 0)
        .map(|l| l.word().to_string())
        .collect()
}
