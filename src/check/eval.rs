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
use crate::vocab::{AuthKind, Form, Kind, ListKind};
use crate::world::{Parent, World};

use super::report::{Step, Witness, WitnessEdge};

/// Links of an ownership chain told in an explanation's text: the first and the last few.
const CHAIN_HEAD: usize = 6;
const CHAIN_TAIL: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Truth {
    False,
    Unknown,
    True,
}

impl Truth {
    pub fn of(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    pub fn negate(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

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
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl<'a> Ctx<'a> {
    fn step(&self, text: String, facts: Vec<FactRef>, at: SrcSpan) -> Step {
        Step {
            text,
            brief: None,
            facts,
            rule_at: Some(at),
            witness: None,
            missing: false,
        }
    }

    fn missing(&self, text: String, facts: Vec<FactRef>, at: SrcSpan) -> Step {
        Step {
            text,
            brief: None,
            facts,
            rule_at: Some(at),
            witness: None,
            missing: true,
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

    pub fn party_name(&self, i: PartyId) -> String {
        match self.party(i) {
            Some(p) => format!("`{}` ({})", p.id, p.name),
            None => format!("party {i}"),
        }
    }

    fn item_index(&self) -> ItemId {
        self.item_index
    }

    fn item_name(&self) -> String {
        format!("`{}` ({})", self.item.id, self.item.name)
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

    /// "in D5 (member since 2021-12-09 until 2026-02-03)" or "not in D5".
    fn membership_text(&self, country: Country, places: &PlaceSet, inside: bool) -> String {
        if !inside {
            if let Some(why) = self.uncertain_text(country, places) {
                return why;
            }
            return format!("is not in {} on {}", places.text, self.date);
        }
        if places.countries.contains(country) {
            return format!("is in {}", places.text);
        }
        for g in &places.groups {
            if let Some(group) = self.rules.groups.get(usize::from(*g)) {
                if let Some(w) = group.window_of(country, self.date) {
                    let title = group.title.as_deref().unwrap_or(&group.name);
                    let when = match (w.from == Date::MIN, w.until == Date::MAX) {
                        (true, true) => String::new(),
                        _ => format!(", member {w}"),
                    };
                    return format!("is in {} ({title}{when}) on {}", group.name, self.date);
                }
            }
        }
        format!("is in {}", places.text)
    }

    /// Why a country's membership of a place set is not known on the date, if it is not.
    fn uncertain_text(&self, country: Country, places: &PlaceSet) -> Option<String> {
        if !places.uncertain_on(self.date).contains(country) {
            return None;
        }
        let found = places.groups.iter().find_map(|g| {
            let group = self.rules.groups.get(usize::from(*g))?;
            group
                .uncertain_on(country, self.date)
                .map(|u| (group.name.as_str(), u))
        });
        Some(match found {
            Some((name, u)) => format!(
                "may or may not be in {name} on {} (membership uncertain {}: {})",
                self.date, u.window, u.reason
            ),
            None => format!(
                "may or may not be in {} on {} (a membership the sources do not date)",
                places.text, self.date
            ),
        })
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
    fn membership_step(&self, text: String, facts: Vec<FactRef>, at: SrcSpan, v: Truth) -> Step {
        if v == Truth::Unknown {
            self.missing(text, facts, at)
        } else {
            self.step(text, facts, at)
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
                            format!("item {} has no `{}`", self.item_name(), attr.key()),
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
                        let rel = if holds {
                            op.symbol().to_string()
                        } else {
                            format!("not {}", op.symbol())
                        };
                        let mut s = self.step(
                            format!(
                                "item {}: {} {} {rel} {}",
                                self.item_name(),
                                attr.key(),
                                fmt_num(x),
                                fmt_num(*value)
                            ),
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
                    let not = if self.item.datacenter { "" } else { "not " };
                    let how = if self.item.datacenter_given {
                        ""
                    } else {
                        " (`datacenter` not given, taken as true)"
                    };
                    let text = format!(
                        "item {} is {not}designed or marketed for data centres{how}",
                        self.item_name()
                    );
                    let facts = if self.item.datacenter_given {
                        vec![FactRef::Item(item_i, "datacenter")]
                    } else {
                        vec![FactRef::Item(item_i, "id")]
                    };
                    t.push(self.step(text, facts, at));
                }
                Truth::of(self.item.datacenter)
            }
            Test::ItemOrigin(places) => {
                if !self.item.origin_given {
                    self.rely(Relied::ORIGIN_DEFAULT);
                }
                let v = self.member(self.item.origin, places);
                if T::ON {
                    let how = if self.item.origin_given {
                        String::new()
                    } else {
                        " (origin not given, taken as US)".to_string()
                    };
                    let facts = if self.item.origin_given {
                        vec![FactRef::Item(item_i, "origin")]
                    } else {
                        vec![FactRef::Item(item_i, "id")]
                    };
                    t.push(self.membership_step(
                        format!(
                            "item {} originates in {}{how}, which {}",
                            self.item_name(),
                            self.item.origin,
                            self.membership_text(self.item.origin, places, v == Truth::True)
                        ),
                        facts,
                        at,
                        v,
                    ));
                }
                v
            }
            Test::ItemDeveloperHq(places) => self.developer_hq(places, at, t),
            Test::ItemForm(form) => {
                let holds = self.item.form == *form;
                if self.item.form_source == FormSource::Default {
                    self.rely(Relied::FORM_DEFAULT);
                }
                if T::ON {
                    let what = match self.item.form {
                        Form::Ic => "an integrated circuit",
                        Form::Computer => "a computer or assembly containing integrated circuits",
                        Form::Memory => "a memory part",
                    };
                    let (how, facts) = match self.item.form_source {
                        FormSource::Given => (String::new(), vec![FactRef::Item(item_i, "form")]),
                        FormSource::DeclaredEccn => (
                            format!(
                                " (from its declared ECCN {})",
                                self.item.eccn.as_deref().unwrap_or("")
                            ),
                            vec![FactRef::Item(item_i, "eccn")],
                        ),
                        // The default form is not worth underlining, but it is said.
                        FormSource::Default => (
                            " (form not given, taken as an integrated circuit)".to_string(),
                            vec![],
                        ),
                    };
                    t.push(self.step(
                        format!("item {} is {what}{how}", self.item_name()),
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
                    let text = match self.item.eccn.as_deref() {
                        Some(d) => format!("item {} is declared {d}", self.item_name()),
                        None => format!("item {} declares no ECCN", self.item_name()),
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
                            format!("item {} declares no `eccn`", self.item_name()),
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
                        let verb = if holds { "is" } else { "is not" };
                        t.push(self.step(
                            format!(
                                "item {} is declared {d}, which {verb} in [{}] (the answer relies on the declared classification)",
                                self.item_name(),
                                patterns.join(", ")
                            ),
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
                            format!(
                                "item {} gives no `hts` code (needed: is it under HTS {}?)",
                                self.item_name(),
                                prefixes.join(", ")
                            ),
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
                        let hit = prefixes.iter().find(|p| h.starts_with(p.as_str()));
                        t.push(match (v, hit) {
                            (Truth::True, Some(p)) => self.step(
                                format!("item {} has HTS code {h}, under {p}", self.item_name()),
                                facts,
                                at,
                            ),
                            (Truth::Unknown, _) => self.missing(
                                format!(
                                    "item {} gives the HTS code {h}, which the list splits into longer codes: give the code to six digits or more",
                                    self.item_name()
                                ),
                                facts,
                                at,
                            ),
                            _ => self.step(
                                format!(
                                    "item {} has HTS code {h}, under none of the {} codes tested",
                                    self.item_name(),
                                    prefixes.len()
                                ),
                                facts,
                                at,
                            ),
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
                let what = if total {
                    "total TPP (quantity × tpp)"
                } else {
                    "quantity"
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
                            t.push(self.missing(format!("the {what} is not known"), facts(), at));
                        }
                        Truth::Unknown
                    }
                    Some(x) => {
                        let holds = op.holds(x, *value);
                        if T::ON {
                            let facts = facts();
                            let rel = if holds {
                                op.symbol().to_string()
                            } else {
                                format!("not {}", op.symbol())
                            };
                            t.push(self.step(
                                format!("{what} {} {rel} {}", fmt_num(x), fmt_num(*value)),
                                facts,
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
                    let rel = if holds {
                        op.symbol().to_string()
                    } else {
                        format!("not {}", op.symbol())
                    };
                    let mut s = self.step(
                        format!("transaction date {} {rel} {date}", self.date),
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
                    let (source, how) = self.destination_source();
                    let mut s = self.membership_step(
                        format!(
                            "destination {d}{how} {}",
                            self.membership_text(d, places, v == Truth::True)
                        ),
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
                            format!(
                                "transaction `{}` does not give the destination's `region` (needed: is it in {}?)",
                                self.tx.id,
                                codes.join(", ")
                            ),
                            vec![FactRef::Transaction(tx_i, "id")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(r) => {
                    let holds = codes.iter().any(|c| c == r.code());
                    if T::ON {
                        let verb = if holds { "is" } else { "is not" };
                        t.push(self.step(
                            format!(
                                "the destination's region is {r}, which {verb} one of {}",
                                codes.join(", ")
                            ),
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
                            format!("transaction `{}` does not state its `end_use`", self.tx.id),
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
                            format!("end use is {}", u.word()),
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
                        format!(
                            "the transaction is a{} {}",
                            if self.tx.kind == Kind::Export {
                                "n"
                            } else {
                                ""
                            },
                            self.tx.kind.word()
                        ),
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

    /// Where the destination came from: the facts, and the words for it.
    fn destination_source(&self) -> (Vec<FactRef>, &'static str) {
        let tx_i = self.tx_index;
        match self.tx.destination_source {
            DestinationSource::Given => (vec![FactRef::Transaction(tx_i, "destination")], ""),
            DestinationSource::Facility => (
                self.tx
                    .facility
                    .map(|f| vec![FactRef::Facility(f, "country")])
                    .unwrap_or_default(),
                " (the facility's country)",
            ),
            DestinationSource::RouteEnd => (
                vec![FactRef::RouteHop {
                    tx: tx_i,
                    hop: u32::try_from(self.tx.route.len().saturating_sub(1)).unwrap_or(0),
                }],
                " (the route's last country: the ultimate destination)",
            ),
            DestinationSource::EndUser => match self.tx.end_user {
                Some(u) => (
                    vec![FactRef::Party(u, "country")],
                    " (the end user's country)",
                ),
                None => (
                    self.tx
                        .consignee
                        .map(|c| vec![FactRef::Party(c, "country")])
                        .unwrap_or_default(),
                    " (the consignee's country; the end user is not known)",
                ),
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
            let name = self.item_name();
            if !in_force {
                t.push(self.step(
                    format!("no classification {pattern} is in force on {}", self.date),
                    vec![],
                    at,
                ));
            } else if by_declaration {
                let d = declared.unwrap_or("");
                let text = match result {
                    Truth::True => format!("item {name} is {pattern}: its declared ECCN is {d}, and the figures given do not contradict it (the answer relies on the declared classification)"),
                    Truth::False => format!("item {name} is not {pattern}: its declared ECCN is {d}, and the figures given do not contradict it (the answer relies on the declared classification)"),
                    Truth::Unknown => format!("item {name} may be {pattern}: its declared ECCN {d} does not give the paragraph, and its figures are incomplete"),
                };
                let mut step = self.step(text, vec![FactRef::Item(item_i, "eccn")], at);
                step.brief = Some(format!(
                    "item `{}` {} {pattern} (declared {d})",
                    self.item.id,
                    match result {
                        Truth::True => "is",
                        Truth::False => "is not",
                        Truth::Unknown => "may be",
                    }
                ));
                step.missing = result == Truth::Unknown;
                t.push(step);
            } else {
                let verb = match result {
                    Truth::True => "is",
                    Truth::False => "is not",
                    Truth::Unknown => "may be",
                };
                let mut head = self.step(
                    format!("item {name} {verb} {pattern} on {}", self.date),
                    vec![],
                    at,
                );
                head.brief = Some(format!("item `{}` {verb} {pattern}", self.item.id));
                head.witness = Some(Witness::Classification {
                    item: self.item.id.clone(),
                    eccn: pattern.to_string(),
                    date: self.date,
                    holds: result == Truth::True,
                });
                let mut cites = Vec::new();
                let mut sub = Trace::default();
                let name_prefix = format!("item {name}");
                for c in classes {
                    let Some(v) = self.class_truth(*c) else {
                        continue;
                    };
                    if result == Truth::True && v != Truth::True {
                        continue;
                    }
                    if let Some(class) = self.rules.classes.get(usize::from(*c)) {
                        let start = sub.steps.len();
                        self.class_eval(class, &mut sub);
                        for s in sub.steps.iter_mut().skip(start) {
                            let bare = s
                                .text
                                .replacen(&name_prefix, "", 1)
                                .trim_start_matches([':', ' '])
                                .to_string();
                            s.text = if classes.len() > 1 && result != Truth::True {
                                format!("not {}: {bare}", class.eccn)
                            } else {
                                bare
                            };
                        }
                        cites.extend(class.cites.iter().cloned());
                        if result == Truth::True {
                            break;
                        }
                    }
                }
                cites.dedup();
                // One line: the classification, the figures that decided it, the citation.
                let reasons: Vec<String> = sub
                    .steps
                    .iter()
                    .filter(|s| !s.facts.is_empty() || s.missing)
                    .map(|s| s.text.clone())
                    .collect();
                if !reasons.is_empty() {
                    head.text = format!("{}: {}", head.text, reasons.join("; "));
                }
                if !cites.is_empty() {
                    head.text = format!("{} [{}]", head.text, cites.join("; "));
                }
                for s in &sub.steps {
                    head.facts.extend(s.facts.iter().copied());
                }
                if result == Truth::Unknown && declared.is_none() {
                    head.missing = true;
                    head.text = format!(
                        "{}: give its specifications or its declared `eccn`",
                        head.text
                    );
                }
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
            let found = if computed.is_empty() {
                "none of the classified ECCNs".to_string()
            } else {
                computed.join(", ")
            };
            t.push(self.step(
                format!(
                    "item {} declares ECCN {declared}, but its specifications give {found} on {}",
                    self.item_name(),
                    self.date
                ),
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
            let route_text: Vec<String> = hops.iter().map(|c| c.to_string()).collect();
            let shown = if given {
                format!("route {}", route_text.join(" → "))
            } else if hops.is_empty() {
                "no route (a lease ships nothing)".to_string()
            } else {
                format!("no route given, so direct: {}", route_text.join(" → "))
            };
            let mode_text = match mode {
                RouteMode::PassesThrough => "passes through",
                RouteMode::Includes => "includes",
                RouteMode::StartsIn => "starts in",
                RouteMode::EndsIn => "ends in",
            };
            match hit {
                Some(i) => {
                    let c = hops.get(i).copied();
                    let facts = if given {
                        vec![FactRef::RouteHop {
                            tx: self.tx_index,
                            hop: u32::try_from(i).unwrap_or(u32::MAX),
                        }]
                    } else {
                        vec![]
                    };
                    let member = c
                        .map(|c| self.membership_text(c, places, true))
                        .unwrap_or_default();
                    let mut s = self.step(
                        format!(
                            "{shown} {mode_text} {} at hop {} ({} {member})",
                            places.text,
                            i + 1,
                            c.map(|c| c.to_string()).unwrap_or_default()
                        ),
                        facts,
                        at,
                    );
                    s.witness = c.map(|c| Witness::RouteHop {
                        index: i + 1,
                        country: c,
                        places: places.text.clone(),
                    });
                    t.push(s);
                }
                None if maybe.is_some() => {
                    let i = maybe.unwrap_or(0);
                    let c = hops.get(i).copied();
                    let facts = if given {
                        vec![FactRef::RouteHop {
                            tx: self.tx_index,
                            hop: u32::try_from(i).unwrap_or(u32::MAX),
                        }]
                    } else {
                        vec![]
                    };
                    let why = c
                        .and_then(|c| self.uncertain_text(c, places))
                        .unwrap_or_default();
                    t.push(self.missing(
                        format!(
                            "{shown}: hop {} ({}) {why}",
                            i + 1,
                            c.map(|c| c.to_string()).unwrap_or_default()
                        ),
                        facts,
                        at,
                    ));
                }
                None => {
                    let facts = if given {
                        vec![FactRef::Transaction(self.tx_index, "route")]
                    } else {
                        vec![]
                    };
                    t.push(self.step(
                        format!(
                                "{shown}: it does not {} {} on {}",
                                mode_text
                                    .replace("passes", "pass")
                                    .replace("includes", "include")
                                    .replace("starts", "start")
                                    .replace("ends", "end"),
                                places.text,
                                self.date
                            ),
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

    /// `item.developer_hq in PLACES`: where the company that designed the item is
    /// headquartered. With no developer named, the item's origin (where it was designed)
    /// stands in; a developer named whose headquarters are not known leaves it open.
    fn developer_hq<T: Tracer>(&self, places: &PlaceSet, at: SrcSpan, t: &mut T) -> Truth {
        let item_i = self.item_index();
        match &self.item.developer {
            None => {
                self.rely(Relied::DEVELOPER_FROM_ORIGIN);
                if !self.item.origin_given {
                    self.rely(Relied::ORIGIN_DEFAULT);
                }
                let v = self.member(self.item.origin, places);
                if T::ON {
                    let how = if self.item.origin_given {
                        ""
                    } else {
                        ", origin not given, taken as US"
                    };
                    let facts = if self.item.origin_given {
                        vec![FactRef::Item(item_i, "origin")]
                    } else {
                        vec![FactRef::Item(item_i, "id")]
                    };
                    t.push(self.membership_step(
                        format!(
                            "item {} names no developer; its origin {} stands for where it was designed ({}{how}), which {}",
                            self.item_name(),
                            self.item.origin,
                            self.item.origin,
                            self.membership_text(self.item.origin, places, v == Truth::True)
                        ),
                        facts,
                        at,
                        v,
                    ));
                }
                v
            }
            Some(dev) => match dev.headquarters {
                None => {
                    if T::ON {
                        t.push(self.missing(
                            format!(
                                "item {} was developed by {}, whose headquarters are not known: name it as a party of the file with its `headquarters`",
                                self.item_name(),
                                dev.name
                            ),
                            vec![FactRef::Item(item_i, "developer")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
                Some(hq) => {
                    let v = self.member(hq, places);
                    if T::ON {
                        let source = dev.headquarters_source.unwrap_or("the file");
                        let mut facts = vec![FactRef::Item(item_i, "developer")];
                        if let Some(p) = dev.party {
                            facts.push(FactRef::Party(p, "headquarters"));
                        }
                        t.push(self.membership_step(
                            format!(
                                "item {} was developed by {}, headquartered in {hq} ({source}), which {}",
                                self.item_name(),
                                dev.name,
                                self.membership_text(hq, places, v == Truth::True)
                            ),
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
        let mut best: Option<(usize, String, bool)> = None;
        // Why each authorization of the kind on file does not establish it (explaining only):
        // (entry, text, whether a missing fact is the reason, the field it is about).
        let mut notes: Vec<(usize, String, bool, Option<&'static str>)> = Vec::new();
        for (k, a) in self.tx.authorizations.iter().enumerate() {
            if a.kind != kind {
                continue;
            }
            let label = || match (&a.number, &a.confirmation) {
                (Some(n), _) => format!("{} {n}", kind.word()),
                (None, Some(c)) => format!("{} (confirmation {c})", kind.word()),
                (None, None) => kind.word().to_string(),
            };
            if let Some(issued) = a.issued {
                if issued > self.date {
                    if T::ON {
                        notes.push((
                            k,
                            format!(
                                "{} was issued {issued}, after the transaction date {}",
                                label(),
                                self.date
                            ),
                            false,
                            Some("issued"),
                        ));
                    }
                    continue;
                }
            }
            if let Some(expires) = a.expires {
                if expires <= self.date {
                    if T::ON {
                        notes.push((
                            k,
                            format!(
                                "{} expired {expires}, on or before the transaction date {}",
                                label(),
                                self.date
                            ),
                            false,
                            Some("expires"),
                        ));
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
                        let (why, field) = self.scope_text(a);
                        notes.push((
                            k,
                            format!("{} does not cover this transaction: {why}", label()),
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
                    if T::ON {
                        let when = a.issued.map(|d| format!(" issued {d}")).unwrap_or_default();
                        best = Some((k, format!("{}{when} is on file", label()), unscoped));
                    } else {
                        best = Some((k, String::new(), unscoped));
                    }
                    break;
                }
                Some((field, days)) => {
                    let (value, word) = match field {
                        LeadField::Notified => (a.notified, "notified"),
                        LeadField::Issued => (a.issued, "issued"),
                    };
                    let deadline = self.date.minus_days(days);
                    match value {
                        None => {
                            result = result.max(Truth::Unknown);
                            if T::ON {
                                notes.push((k, format!("{} on file gives no `{word}` date: cannot tell whether it was {word} at least {days} days before {}", label(), self.date), true, None));
                            }
                        }
                        Some(d) if d <= deadline => {
                            result = Truth::True;
                            let text = if T::ON {
                                format!(
                                    "{} {word} {d}, {} days before {} (at least {days} needed)",
                                    label(),
                                    self.date.days_since(d),
                                    self.date
                                )
                            } else {
                                String::new()
                            };
                            best = Some((k, text, unscoped));
                            break;
                        }
                        Some(d) => {
                            if T::ON {
                                notes.push((k, format!("{} {word} {d}, only {} days before {}; needs at least {days} (on or before {deadline})", label(), self.date.days_since(d).max(0), self.date), false, None));
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
            match (&best, result) {
                (Some((k, text, unscoped)), Truth::True) => {
                    let text = if *unscoped {
                        format!("{text}; it states no scope (items, parties, destination, quantity), so its scope was not checked")
                    } else {
                        format!("{text}, and its stated scope covers this transaction")
                    };
                    let mut s = self.step(
                        text.clone(),
                        vec![FactRef::Authorization {
                            tx,
                            entry: u32::try_from(*k).unwrap_or(u32::MAX),
                        }],
                        at,
                    );
                    s.witness = Some(Witness::Authorization {
                        kind: kind.word().into(),
                        detail: text,
                    });
                    t.push(s);
                }
                _ => {
                    if notes.is_empty() {
                        let need = match lead {
                            Some((LeadField::Notified, days)) => {
                                format!(" notified at least {days} days before {}", self.date)
                            }
                            Some((LeadField::Issued, days)) => {
                                format!(" issued at least {days} days before {}", self.date)
                            }
                            None => String::new(),
                        };
                        t.push(self.step(
                            format!("no {}{need} is on file", kind.word()),
                            vec![FactRef::Transaction(tx, "id")],
                            at,
                        ));
                    }
                    for (k, text, is_missing, field) in notes {
                        let entry = u32::try_from(k).unwrap_or(u32::MAX);
                        let f = match field {
                            Some(key) => vec![FactRef::AuthorizationField { tx, entry, key }],
                            None => vec![FactRef::Authorization { tx, entry }],
                        };
                        t.push(if is_missing {
                            self.missing(text, f, at)
                        } else {
                            self.step(text, f, at)
                        });
                    }
                }
            }
        }
        result
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
    fn scope_text(&self, a: &crate::facts::Authorization) -> (String, &'static str) {
        let sc = &a.scope;
        let party = |p: PartyId| {
            self.party(p)
                .map_or_else(|| format!("party {p}"), |x| format!("`{}`", x.id))
        };
        if let Some(items) = &sc.items {
            if !items.contains(&self.tx.item) {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|i| self.facts.item(*i))
                    .map(|i| format!("`{}`", i.id))
                    .collect();
                return (
                    format!(
                        "it names the items {}, not `{}`",
                        names.join(", "),
                        self.item.id
                    ),
                    "items",
                );
            }
        }
        if let Some(c) = sc.consignee {
            let consignee = if self.tx.kind == Kind::Lease {
                self.tx.lessee
            } else {
                self.tx.consignee
            };
            if consignee != Some(c) {
                return (
                    format!(
                        "it names the consignee {}, not {}",
                        party(c),
                        consignee.map_or_else(|| "none".to_string(), party)
                    ),
                    "consignee",
                );
            }
        }
        if let Some(u) = sc.end_user {
            if self.tx.end_user_source == EndUserSource::Unknown {
                return (
                    format!(
                        "it names the end user {}, and this transaction's end user is not known",
                        party(u)
                    ),
                    "end_user",
                );
            }
            if self.tx.end_user != Some(u) {
                return (
                    format!(
                        "it names the end user {}, not {}",
                        party(u),
                        self.tx.end_user.map_or_else(|| "none".to_string(), party)
                    ),
                    "end_user",
                );
            }
        }
        if let Some(d) = sc.destination {
            if d != self.tx.destination {
                return (
                    format!("it names the destination {d}, not {}", self.tx.destination),
                    "destination",
                );
            }
        }
        if let Some(q) = sc.quantity {
            return match self.tx.quantity {
                Some(n) => (
                    format!(
                        "it covers {q} units; the file's earlier transactions under it used {}, and this one needs {n} more",
                        a.used_before
                    ),
                    "quantity",
                ),
                None => (
                    format!(
                        "it covers {q} units ({} used by earlier transactions), and this transaction gives no `quantity`",
                        a.used_before
                    ),
                    "quantity",
                ),
            };
        }
        (String::from("its scope does not match"), "items")
    }

    fn exception<T: Tracer>(&self, idx: u16, at: SrcSpan, t: &mut T) -> Truth {
        let Some(e) = self.rules.exceptions.get(usize::from(idx)) else {
            return Truth::False;
        };
        let title = e
            .title
            .clone()
            .unwrap_or_else(|| format!("License Exception {}", e.name));
        if !e.windows.iter().any(|w| w.contains(self.date)) {
            if T::ON {
                let when: Vec<String> = e.windows.iter().map(|w| w.to_string()).collect();
                t.push(self.step(
                    format!(
                        "{title} is not available on {} (available {})",
                        self.date,
                        when.join(", ")
                    ),
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
        let verdict = match v {
            Truth::True => "applies",
            Truth::False => "does not apply",
            Truth::Unknown => "may apply",
        };
        // Each reason once: a condition may test the same fact on several branches.
        let mut reasons: Vec<&str> = Vec::with_capacity(sub.steps.len());
        for s in &sub.steps {
            let r = s.brief.as_deref().unwrap_or(&s.text);
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        let mut head = self.step(
            format!("{title} {verdict}: {}", reasons.join("; ")),
            vec![],
            at,
        );
        for s in &sub.steps {
            head.facts.extend(s.facts.iter().copied());
            head.missing |= s.missing;
        }
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
                let text = match (role, self.tx.end_user_source) {
                    (Role::EndUser, EndUserSource::Named) => {
                        "the file names the end user".to_string()
                    }
                    (Role::EndUser, EndUserSource::Unknown) => {
                        "the file says the end user is not known (`end_user: unknown`)".to_string()
                    }
                    (Role::EndUser, EndUserSource::Defaulted) => {
                        "no end user is named (the consignee is taken as the end user)".to_string()
                    }
                    (r, _) if v == Truth::True => format!("the file names the {}", r.label()),
                    (r, _) => format!("the transaction names no {}", r.label()),
                };
                let facts = if self.tx.end_user_source == EndUserSource::Named {
                    vec![FactRef::Transaction(self.tx_index, "end_user")]
                } else {
                    vec![FactRef::Transaction(self.tx_index, "id")]
                };
                t.push(self.step(text, facts, at));
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
                            format!(
                                "the end user of transaction `{}` is not known (`end_user: unknown`): name it to decide",
                                self.tx.id
                            ),
                            vec![FactRef::Transaction(self.tx_index, "end_user")],
                            at,
                        ));
                    }
                    Err(Truth::Unknown)
                }
                Err(v) => {
                    if T::ON {
                        t.push(self.step(
                            format!("the transaction names no {}", role.label()),
                            vec![],
                            at,
                        ));
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
                            let (text, facts, edges) = self.chain_text(&chain);
                            let mut s = self.step(
                                format!(
                                    "the ultimate parent of {} is {}: {text}",
                                    self.party_name(base),
                                    self.party_name(top)
                                ),
                                facts,
                                at,
                            );
                            s.witness = Some(Witness::OwnershipPath { edges });
                            t.push(s);
                        } else if T::ON {
                            t.push(self.step(
                                format!(
                                    "{} has no majority owner, so it is its own ultimate parent",
                                    self.party_name(base)
                                ),
                                vec![FactRef::Party(base, "id")],
                                at,
                            ));
                        }
                        Ok(top)
                    }
                    Some(Parent::Unknown { at: p }) => {
                        if T::ON {
                            t.push(self.missing(format!("the ultimate parent of {} is unknown: an owner's share of {} is not given, and it could be a majority", self.party_name(base), self.party_name(p)), vec![FactRef::Party(p, "owners")], at));
                        }
                        Err(Truth::Unknown)
                    }
                    Some(Parent::Cycle { at: p }) => {
                        if T::ON {
                            t.push(self.missing(format!("the majority owners above {} loop back to {}: there is no ultimate parent", self.party_name(base), self.party_name(p)), vec![FactRef::Party(p, "owners")], at));
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

    /// "`sg-ai` is owned 60% by `sz-parent`, which …" for a chain of (owned, owner entry)
    /// steps.
    fn chain_text(&self, chain: &[(PartyId, u32)]) -> (String, Vec<FactRef>, Vec<WitnessEdge>) {
        let mut text = String::new();
        let mut facts = Vec::new();
        let mut edges = Vec::new();
        for (i, (owned, entry)) in chain.iter().enumerate() {
            let Some(p) = self.party(*owned) else {
                continue;
            };
            let Some(o) = p.owners.get(*entry as usize) else {
                continue;
            };
            let owner = self.party(o.owner);
            if i == 0 {
                text.push_str(&format!("`{}`", p.id));
            }
            // A long chain is told by its ends; the witness keeps every link.
            let hidden = chain.len().saturating_sub(CHAIN_HEAD + CHAIN_TAIL);
            if hidden > 0 && i == CHAIN_HEAD {
                let resumed = chain
                    .get(CHAIN_HEAD + hidden)
                    .and_then(|(owned, _)| self.party(*owned))
                    .map_or("?", |x| x.id.as_str());
                text.push_str(&format!(
                    " is owned through {hidden} more links (each one in the witness) by \
                     `{resumed}`, which"
                ));
            }
            if hidden == 0 || i < CHAIN_HEAD || i >= CHAIN_HEAD + hidden {
                let share = o
                    .share
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "an unknown share".into());
                text.push_str(&format!(
                    " is owned {share} by `{}`",
                    owner.map(|x| x.id.as_str()).unwrap_or("?")
                ));
                if i + 1 < chain.len() {
                    text.push_str(", which");
                }
            }
            facts.push(FactRef::Owner {
                party: *owned,
                entry: *entry,
            });
            edges.push(WitnessEdge {
                owned: p.id.clone(),
                owner: owner.map(|x| x.id.clone()).unwrap_or_default(),
                share: o.share.map(|s| s.percent()),
            });
        }
        (text, facts, edges)
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
                    let verb = if hq {
                        "is headquartered in"
                    } else {
                        "is located in"
                    };
                    let key = if hq { "headquarters" } else { "country" };
                    let mut s = self.membership_step(
                        format!(
                            "{} {verb} {c}, which {}",
                            self.party_name(p),
                            self.membership_text(c, places, v == Truth::True)
                        ),
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
            PartyPred::Distributor => match party.distributor {
                Some(d) => {
                    if T::ON {
                        let not = if d { "" } else { "not " };
                        t.push(self.step(
                            format!("{} is {not}a distributor", self.party_name(p)),
                            vec![FactRef::Party(p, "distributor")],
                            at,
                        ));
                    }
                    Truth::of(d)
                }
                None => {
                    if T::ON {
                        t.push(self.missing(
                            format!(
                                "the file does not say whether {} is a distributor (`distributor: true` or `false`)",
                                self.party_name(p)
                            ),
                            vec![FactRef::Party(p, "id")],
                            at,
                        ));
                    }
                    Truth::Unknown
                }
            },
            PartyPred::Named => Truth::True,
            PartyPred::ListedOn(mask) => {
                let hit = party
                    .lists
                    .iter()
                    .enumerate()
                    .find(|(_, d)| mask & d.list.bit() != 0 && d.holds_on(self.date));
                if T::ON {
                    match hit {
                        Some((k, d)) => {
                            let since = d.since.map(|s| format!(" since {s}")).unwrap_or_default();
                            let until = d.until.map(|u| format!(" until {u}")).unwrap_or_default();
                            let mut about: Vec<String> = Vec::new();
                            if let Some(e) = &d.entry {
                                about.push(format!("entry {e}"));
                            }
                            if let Some(n) = &d.federal_register_notice {
                                about.push(n.clone());
                            }
                            if let Some(r) = &d.license_requirement {
                                about.push(format!("license requirement: {r}"));
                            }
                            if let Some(pol) = &d.license_policy {
                                about.push(format!("review policy: {pol}"));
                            }
                            let about = if about.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", about.join("; "))
                            };
                            let mut s = self.step(
                                format!(
                                    "{} is on the {}{since}{until}{about}",
                                    self.party_name(p),
                                    d.list.title()
                                ),
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
                            let later: Vec<String> = party
                                .lists
                                .iter()
                                .filter(|d| mask & d.list.bit() != 0)
                                .filter_map(|d| match (d.since, d.until) {
                                    (Some(s), _) if s > self.date => {
                                        Some(format!("on the {} from {s}", d.list.title()))
                                    }
                                    (_, Some(u)) if u <= self.date => {
                                        Some(format!("on the {} until {u}", d.list.title()))
                                    }
                                    _ => None,
                                })
                                .collect();
                            let extra = if later.is_empty() {
                                String::new()
                            } else {
                                format!(" (designated at other dates: {})", later.join(", "))
                            };
                            t.push(self.step(
                                format!(
                                    "no designation on the {} is given for {} in the file on {}{extra} (the parties were not screened against a list)",
                                    list_names(*mask),
                                    self.party_name(p),
                                    self.date
                                ),
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
                        let text = if p == q {
                            format!("{} is both", self.party_name(p))
                        } else {
                            format!(
                                "{} and {} are different parties",
                                self.party_name(p),
                                self.party_name(q)
                            )
                        };
                        t.push(self.step(
                            text,
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
            let mut parts = Vec::new();
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
                let share = o
                    .share
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "an unknown share".into());
                total += o.share.map_or(0, |s| u64::from(s.0));
                let counts_itself = listed.is_some();
                let why = match listed {
                    Some(text) => text,
                    None => format!("itself owned {} by listed parties", a.threshold.describe()),
                };
                parts.push(format!(
                    "`{}` holds {share} ({why})",
                    self.party(o.owner).map(|q| q.id.as_str()).unwrap_or("?")
                ));
                facts.push(FactRef::Owner {
                    party: x,
                    entry: u32::try_from(k).unwrap_or(u32::MAX),
                });
                edges.push(WitnessEdge {
                    owned: party.id.clone(),
                    owner: self
                        .party(o.owner)
                        .map(|q| q.id.clone())
                        .unwrap_or_default(),
                    share: o.share.map(|s| s.percent()),
                });
                if via && !counts_itself && !visited.contains(&o.owner) && visited.len() < 16 {
                    visited.push(o.owner);
                    queue.push(o.owner);
                }
            }
            let total_pct = total as f64 / 10_000.0;
            let text = if parts.is_empty() {
                format!(
                    "no owner of {} is given a designation on the {} in the file on {} (the parties were not screened against a list)",
                    self.party_name(x),
                    list_names(a.lists),
                    self.date
                )
            } else {
                let verdict = match (first, v) {
                    (true, Truth::True) => format!(
                        "{}% in aggregate, {}",
                        fmt_num(total_pct),
                        a.threshold.describe()
                    ),
                    (true, Truth::Unknown) => format!(
                        "{}% known in aggregate; the unknown shares could reach {}",
                        fmt_num(total_pct),
                        a.threshold.describe()
                    ),
                    (true, Truth::False) => format!(
                        "{}% in aggregate, less than {}",
                        fmt_num(total_pct),
                        a.threshold
                            .describe()
                            .replace("at least ", "")
                            .replace("more than ", "")
                    ),
                    _ => format!("{}% in aggregate", fmt_num(total_pct)),
                };
                format!("{}: {}: {verdict}", self.party_name(x), parts.join(" + "))
            };
            let mut s = if first && v == Truth::Unknown {
                self.missing(text, facts, at)
            } else {
                self.step(text, facts, at)
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

    fn listed_on(&self, p: PartyId, lists: u8) -> Option<String> {
        let party = self.party(p)?;
        party
            .lists
            .iter()
            .find(|d| lists & d.list.bit() != 0 && d.holds_on(self.date))
            .map(|d| match d.since {
                Some(s) => format!("{} since {s}", d.list.title()),
                None => d.list.title().to_string(),
            })
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
                    let (text, facts, edges) = self.chain_text(&path);
                    let top = path
                        .last()
                        .and_then(|(owned, entry)| {
                            self.party(*owned)
                                .and_then(|p| p.owners.get(*entry as usize))
                        })
                        .map(|o| o.owner);
                    let head = format!(
                        "an owner of {} {} at every link: {text}",
                        self.party_name(base),
                        threshold.describe()
                    );
                    let mut s = if v == Truth::Unknown {
                        self.missing(
                            format!("{head} (a share on this chain is unknown)"),
                            facts,
                            at,
                        )
                    } else {
                        self.step(head, facts, at)
                    };
                    s.witness = Some(Witness::OwnershipPath { edges });
                    t.push(s);
                    if let Some(top) = top {
                        self.pred_on(top, pred, at, t);
                    }
                }
                None => {
                    t.push(self.step(
                        format!(
                            "no owner of {} holding {} (at every link) meets the test",
                            self.party_name(base),
                            threshold.describe()
                        ),
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

fn list_names(mask: u8) -> String {
    let names: Vec<&str> = ListKind::ALL
        .iter()
        .filter(|l| mask & l.bit() != 0)
        .map(|l| l.title())
        .collect();
    names.join(" or ")
}
