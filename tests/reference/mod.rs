//! A deliberately naive reference checker for the test rule set `tests/reference/rules.cg`:
//! each rule is written out by hand in Rust below and answered by walking the parsed facts
//! directly, with no precomputed closures, no strongly connected components, no interning,
//! no compiled conditions and no date tables. It shares nothing with `chipgate::check`,
//! `chipgate::world` or `chipgate::compile` but the loaded [`TransactionFile`], so the
//! differential test (`tests/differential.rs`) catches a bug in any of them.
//!
//! Everything is three-valued (Kleene): a missing fact is `U`nknown unless the other facts
//! settle the answer.

#![allow(dead_code)]

pub mod ir;
pub mod world;

use chipgate::facts::{
    AuthKind, EndUse, EndUserSource, Form, Item, Kind, ListKind, NumAttr, Party, PartyId,
    Transaction,
};
use chipgate::{Date, TransactionFile, Verdict};

/// Kleene's three truth values, ordered false < unknown < true.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Truth {
    F,
    U,
    T,
}

use Truth::{F, U};

fn b(x: bool) -> Truth {
    if x {
        Truth::T
    } else {
        F
    }
}

fn not(x: Truth) -> Truth {
    match x {
        Truth::T => F,
        F => Truth::T,
        U => U,
    }
}

fn and(xs: &[Truth]) -> Truth {
    xs.iter().copied().min().unwrap_or(Truth::T)
}

fn or(xs: &[Truth]) -> Truth {
    xs.iter().copied().max().unwrap_or(F)
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// `from <= date < until`.
fn within(date: Date, from: &str, until: Option<&str>) -> bool {
    d(from) <= date && until.is_none_or(|u| date < d(u))
}

fn code(c: &chipgate::country::Country) -> String {
    c.to_string()
}

/// Group G1 on a date: CN, RU, MO, and KH from 2024-01-01 until 2025-06-01.
fn in_g1(country: &str, date: Date) -> bool {
    matches!(country, "CN" | "RU" | "MO")
        || (country == "KH" && within(date, "2024-01-01", Some("2025-06-01")))
}

/// Group G2 on a date: G1, SG, and MY from 2025-01-01.
fn in_g2(country: &str, date: Date) -> bool {
    in_g1(country, date) || country == "SG" || (country == "MY" && within(date, "2025-01-01", None))
}

/// Group G3 on a date: UA; SA until 2024-06-01, then unknown until 2025-01-15; AE unknown
/// from 2024-06-01.
fn in_g3(country: &str, date: Date) -> Truth {
    match country {
        "UA" => Truth::T,
        "SA" if date < d("2024-06-01") => Truth::T,
        "SA" if date < d("2025-01-15") => U,
        "AE" if date >= d("2024-06-01") => U,
        _ => F,
    }
}

/// One transaction on one date, and the questions the rules ask about it.
pub struct Case<'a> {
    pub file: &'a TransactionFile,
    pub tx: &'a Transaction,
    pub item: &'a Item,
    pub date: Date,
}

/// What a rule says when it fires: the outcome words of the language.
#[derive(Clone, Copy)]
enum Outcome {
    Warning,
    LicenseRequired,
    Prohibited,
}

impl<'a> Case<'a> {
    fn party(&self, i: u32) -> &'a Party {
        &self.file.parties[i as usize]
    }

    // ---- the item

    fn num(&self, v: Option<f64>, pred: impl Fn(f64) -> bool) -> Truth {
        v.map_or(U, |x| b(pred(x)))
    }

    fn tpp(&self, pred: impl Fn(f64) -> bool) -> Truth {
        self.num(self.item.figures.get(NumAttr::Tpp), pred)
    }

    /// Given, or tpp / die area.
    fn pd(&self, pred: impl Fn(f64) -> bool) -> Truth {
        let pd = self
            .item
            .figures
            .get(NumAttr::PerformanceDensity)
            .or_else(|| {
                Some(
                    self.item.figures.get(NumAttr::Tpp)?
                        / self.item.figures.get(NumAttr::DieArea)?,
                )
            });
        self.num(pd, pred)
    }

    fn is_computer(&self) -> bool {
        self.item.form == Form::Computer
    }

    /// The three classifications of rules.cg, as written there.
    fn class_9a001a(&self) -> Truth {
        let when = and(&[
            b(self.item.form == Form::Ic),
            or(&[
                self.tpp(|t| t >= 4800.0),
                and(&[self.tpp(|t| t >= 1600.0), self.pd(|p| p >= 5.92)]),
            ]),
        ]);
        let unless = and(&[b(!self.item.datacenter), self.tpp(|t| t < 4800.0)]);
        and(&[when, not(unless)])
    }

    fn class_9a001b(&self) -> Truth {
        and(&[
            b(self.item.form == Form::Ic),
            self.tpp(|t| t >= 2400.0),
            self.pd(|p| p < 5.92),
        ])
    }

    fn class_9a002(&self) -> Truth {
        and(&[
            b(self.is_computer()),
            self.num(self.item.figures.get(NumAttr::Interconnect), |g| g >= 600.0),
        ])
    }

    /// The classifications in force on the date, as (ECCN, truth).
    fn classes(&self) -> Vec<(&'static str, Truth)> {
        let mut out = Vec::new();
        if within(self.date, "2023-01-01", None) {
            out.push(("9A001.a", self.class_9a001a()));
        }
        if within(self.date, "2024-06-01", Some("2026-01-01")) {
            out.push(("9A001.b", self.class_9a001b()));
        }
        if within(self.date, "2023-01-01", None) {
            out.push(("9A002", self.class_9a002()));
        }
        if within(self.date, "2023-01-01", None) {
            let declared = self
                .item
                .eccn
                .as_deref()
                .is_some_and(|d| eccn_under(d, "9A009"));
            out.push(("9A009", b(declared)));
        }
        out
    }

    /// `item is PATTERN`: the classifications it names that are in force; when the
    /// specifications cannot settle it, the declared ECCN does.
    fn item_is(&self, pattern: &str) -> Truth {
        let named: Vec<Truth> = self
            .classes()
            .into_iter()
            .filter(|(eccn, _)| eccn_under(eccn, pattern))
            .map(|(_, t)| t)
            .collect();
        if named.is_empty() {
            return F;
        }
        let computed = or(&named);
        match (&self.item.eccn, computed) {
            (Some(declared), U) if eccn_under(declared, pattern) => Truth::T,
            // A declared family (`9A001`) does not say which paragraph.
            (Some(declared), U) if eccn_under(pattern, declared) => U,
            (Some(_), U) => F,
            _ => computed,
        }
    }

    /// `item.eccn disagrees`: a declared ECCN that the specifications, where they settle
    /// it, contradict (within a family the rules classify, or against a classification).
    fn eccn_disagrees(&self) -> Truth {
        let Some(declared) = &self.item.eccn else {
            return F;
        };
        let family = declared.split('.').next().unwrap_or("");
        let classes = self.classes();
        if classes.iter().any(|(_, t)| *t == U) {
            return F;
        }
        let computed: Vec<&str> = classes
            .iter()
            .filter(|(_, t)| *t == Truth::T)
            .map(|(e, _)| *e)
            .collect();
        let same_family = classes
            .iter()
            .any(|(e, _)| e.split('.').next() == Some(family));
        let agrees = computed
            .iter()
            .any(|c| eccn_under(c, declared) || eccn_under(declared, c));
        let judged = same_family || !computed.is_empty() || declared == "EAR99";
        b(judged && !agrees && (!computed.is_empty() || same_family))
    }

    // ---- the transaction

    fn destination(&self) -> String {
        code(&self.tx.destination)
    }

    fn quantity(&self, pred: impl Fn(f64) -> bool) -> Truth {
        self.num(self.tx.quantity.map(|q| q as f64), pred)
    }

    fn total_tpp(&self, pred: impl Fn(f64) -> bool) -> Truth {
        let total = self
            .tx
            .quantity
            .and_then(|q| Some(q as f64 * self.item.figures.get(NumAttr::Tpp)?));
        self.num(total, pred)
    }

    fn end_use(&self, uses: &[EndUse]) -> Truth {
        self.tx.end_use.map_or(U, |u| b(uses.contains(&u)))
    }

    /// The route as given; else straight from the sender's country to the destination
    /// (a lease ships nothing).
    fn hops(&self) -> Vec<String> {
        if !self.tx.route.is_empty() {
            return self.tx.route.iter().map(code).collect();
        }
        if self.tx.kind == Kind::Lease {
            return Vec::new();
        }
        let mut hops: Vec<String> = self
            .tx
            .sender
            .map(|s| code(&self.party(s.0).country))
            .into_iter()
            .collect();
        hops.push(self.destination());
        hops
    }

    /// `authorized by KIND [notified|issued at least DAYS days before]`: an authorization of
    /// that kind, issued by the date and not expired, with the lead time if one is asked.
    fn authorized(&self, kind: AuthKind, lead: Option<(&str, i32)>) -> Truth {
        let mut result = F;
        for a in self.tx.authorizations.iter().filter(|a| a.kind == kind) {
            if a.issued.is_some_and(|i| i > self.date) || a.expires.is_some_and(|e| e <= self.date)
            {
                continue;
            }
            // What it names must cover the transaction; what the transaction leaves open
            // (no quantity, an unknown end user) cannot be shown to be covered.
            let sc = &a.scope;
            let consignee = if self.tx.kind == Kind::Lease {
                self.tx.lessee
            } else {
                self.tx.consignee
            };
            let unknown_end_user = self.tx.end_user_source == EndUserSource::Unknown;
            let mut covers = Truth::T;
            if sc
                .items
                .as_ref()
                .is_some_and(|i| !i.contains(&self.tx.item))
                || sc.consignee.is_some_and(|c| consignee != Some(c))
                || sc
                    .end_user
                    .is_some_and(|u| !unknown_end_user && self.tx.end_user != Some(u))
                || sc.destination.is_some_and(|d| d != self.tx.destination)
            {
                covers = F;
            }
            if covers == Truth::T {
                if let Some(q) = sc.quantity {
                    covers = match self.tx.quantity {
                        Some(n) if a.used_before + n > q => F,
                        Some(_) => covers,
                        None => U,
                    };
                }
                if sc.end_user.is_some() && unknown_end_user && covers == Truth::T {
                    covers = U;
                }
            }
            if covers != Truth::T {
                result = or(&[result, if covers == U { U } else { F }]);
                continue;
            }
            let Some((field, days)) = lead else {
                return Truth::T;
            };
            let when = if field == "notified" {
                a.notified
            } else {
                a.issued
            };
            match when {
                None => result = or(&[result, U]),
                Some(w) if w <= self.date.minus_days(days) => return Truth::T,
                Some(_) => {}
            }
        }
        result
    }

    fn exception_ex1(&self) -> Truth {
        if !within(self.date, "2024-01-01", None) {
            return F;
        }
        and(&[
            b(matches!(self.tx.kind, Kind::Export | Kind::Reexport)),
            self.authorized(AuthKind::Nac, Some(("notified", 25))),
        ])
    }

    fn exception_ex2(&self) -> Truth {
        if !within(self.date, "2024-03-01", Some("2025-09-01")) {
            return F;
        }
        and(&[
            or(&[self.exception_ex1(), self.authorized(AuthKind::Aca, None)]),
            not(self.hq_g1(self.end_user())),
        ])
    }

    // ---- parties

    fn operator(&self) -> Option<u32> {
        self.tx
            .facility
            .map(|f| self.file.facilities[f.index()].operator.0)
    }

    /// A test of one party, when the transaction names it (a party it does not name fails).
    fn of(&self, party: Result<u32, Truth>, test: impl Fn(u32) -> Truth) -> Truth {
        match party {
            Ok(p) => test(p),
            Err(t) => t,
        }
    }

    fn hq_in_g1(&self, p: u32) -> Truth {
        b(in_g1(&code(&self.party(p).headquarters), self.date))
    }

    fn located_in(&self, p: u32, places: impl Fn(&str) -> bool) -> Truth {
        b(places(&code(&self.party(p).country)))
    }

    /// Listed as an owner is asked about: from the designation's `since`, its `until` not
    /// followed (ownership questions take the conservative reading).
    pub(crate) fn listed_ever(&self, p: u32, lists: &[ListKind]) -> Truth {
        b(self
            .party(p)
            .lists
            .iter()
            .any(|l| lists.contains(&l.list) && l.since.is_none_or(|s| s <= self.date)))
    }

    fn listed(&self, p: u32, lists: &[ListKind]) -> Truth {
        b(self
            .party(p)
            .lists
            .iter()
            .any(|l| lists.contains(&l.list) && l.holds_on(self.date)))
    }

    /// The owner a known share of more than half makes the majority owner.
    fn majority_owner(&self, p: u32) -> Option<u32> {
        self.party(p)
            .owners
            .iter()
            .find(|o| o.owner.0 != p && o.share.is_some_and(|s| s.0 > 500_000))
            .map(|o| o.owner.0)
    }

    /// Whether an owner of unknown share might hold the majority.
    fn majority_unknown(&self, p: u32) -> bool {
        let party = self.party(p);
        let known: u32 = party
            .owners
            .iter()
            .filter_map(|o| o.share)
            .map(|s| s.0)
            .sum();
        1_000_000u32.saturating_sub(known) > 500_000
            && party
                .owners
                .iter()
                .any(|o| o.share.is_none() && o.owner.0 != p)
    }

    /// Follows majority owners to the top; `Err(U)` when a share on the way is unknown or
    /// the chain loops.
    fn ultimate_parent(&self, p: u32) -> Result<u32, Truth> {
        let mut seen = vec![p];
        let mut cur = p;
        loop {
            match self.majority_owner(cur) {
                Some(next) if seen.contains(&next) => return Err(U),
                Some(next) => {
                    seen.push(next);
                    cur = next;
                }
                None if self.majority_unknown(cur) => return Err(U),
                None => return Ok(cur),
            }
        }
    }

    fn hq_g1(&self, party: Result<u32, Truth>) -> Truth {
        self.of(party, |p| {
            or(&[
                self.hq_in_g1(p),
                match self.ultimate_parent(p) {
                    Ok(top) => self.hq_in_g1(top),
                    Err(t) => t,
                },
            ])
        })
    }

    /// The share an ownership entry stands for: known, or, where `possible`, the most that
    /// the party's known shares leave.
    fn share(&self, owned: u32, entry: usize, possible: bool) -> Option<u32> {
        let party = self.party(owned);
        let o = &party.owners[entry];
        match o.share {
            Some(s) => Some(s.0),
            None if possible => {
                let known: u32 = party
                    .owners
                    .iter()
                    .filter_map(|o| o.share)
                    .map(|s| s.0)
                    .sum();
                Some(1_000_000u32.saturating_sub(known))
            }
            None => None,
        }
    }

    /// Everyone reachable from `from` by one or more ownership links each meeting the
    /// threshold (`(share, inclusive)` in millionths), by plain graph search.
    fn owners_at(&self, from: u32, threshold: (u32, bool), possible: bool) -> Vec<u32> {
        let meets = |s: u32| {
            if threshold.1 {
                s >= threshold.0
            } else {
                s > threshold.0
            }
        };
        let mut found: Vec<u32> = Vec::new();
        let mut todo = vec![from];
        while let Some(x) = todo.pop() {
            for (k, o) in self.party(x).owners.iter().enumerate() {
                if o.owner.0 == x || !self.share(x, k, possible).is_some_and(meets) {
                    continue;
                }
                if !found.contains(&o.owner.0) {
                    found.push(o.owner.0);
                    todo.push(o.owner.0);
                }
            }
        }
        found
    }

    /// `any owner of PARTY holding THRESHOLD TEST`: true if some owner reached by known
    /// shares passes; unknown if one reached when unknown shares take their largest value
    /// might.
    fn any_owner(
        &self,
        party: Result<u32, Truth>,
        threshold: (u32, bool),
        test: impl Fn(u32) -> Truth,
    ) -> Truth {
        self.of(party, |p| {
            if self
                .owners_at(p, threshold, false)
                .into_iter()
                .any(|q| test(q) == Truth::T)
            {
                Truth::T
            } else if self
                .owners_at(p, threshold, true)
                .into_iter()
                .any(|q| test(q) != F)
            {
                U
            } else {
                F
            }
        })
    }

    /// `PARTY is owned THRESHOLD by parties listed on LISTS`: the naive fixpoint. Listed
    /// parties count; so does any party whose counted owners together reach the threshold;
    /// repeat until nothing changes. Computed once with known shares only (sure) and once
    /// with unknown shares at their largest (possible).
    fn owned_by_listed(
        &self,
        party: Result<u32, Truth>,
        threshold: (u32, bool),
        lists: &[ListKind],
    ) -> Truth {
        let reached = |possible: bool| -> Vec<bool> {
            let n = self.file.parties.len();
            let listed: Vec<bool> = (0..n as u32)
                .map(|p| self.listed_ever(p, lists) == Truth::T)
                .collect();
            let mut owned = vec![false; n];
            loop {
                let mut changed = false;
                for p in 0..n {
                    if owned[p] {
                        continue;
                    }
                    let total: u64 = self.file.parties[p]
                        .owners
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| o.owner.index() != p)
                        .filter(|(_, o)| listed[o.owner.index()] || owned[o.owner.index()])
                        .filter_map(|(k, _)| self.share(p as u32, k, possible))
                        .map(u64::from)
                        .sum();
                    let met = if threshold.1 {
                        total >= u64::from(threshold.0)
                    } else {
                        total > u64::from(threshold.0)
                    };
                    if met {
                        owned[p] = true;
                        changed = true;
                    }
                }
                if !changed {
                    return owned;
                }
            }
        };
        self.of(party, |p| {
            if reached(false)[p as usize] {
                Truth::T
            } else if reached(true)[p as usize] {
                U
            } else {
                F
            }
        })
    }

    /// `A is B` for two party expressions that each name one party (or fail to).
    fn same(&self, a: Result<u32, Truth>, b_: Result<u32, Truth>) -> Truth {
        match (a, b_) {
            (Err(t), _) | (_, Err(t)) => t,
            (Ok(x), Ok(y)) => b(x == y),
        }
    }

    fn role(&self, r: Option<PartyId>) -> Result<u32, Truth> {
        r.map(|p| p.0).ok_or(F)
    }

    /// The end user: unknown when the file says it is not known.
    fn end_user(&self) -> Result<u32, Truth> {
        if self.tx.end_user_source == EndUserSource::Unknown {
            return Err(U);
        }
        self.role(self.tx.end_user)
    }

    // ---- the rules of rules.cg, in order

    /// Each rule in force on the date for the transaction's kind, with its `when`, its
    /// `unless` and its outcome.
    fn rules(&self) -> Vec<(&'static str, Truth, Option<Truth>, Outcome)> {
        use Kind::*;
        use Outcome::*;
        let k = self.tx.kind;
        let date = self.date;
        let tx = self.tx;
        let g1 = |c: &str| in_g1(c, date);
        let g2 = |c: &str| in_g2(c, date);
        let dest = self.destination();
        let hops = self.hops();
        let last = hops.len().saturating_sub(1);
        let mut out = Vec::new();
        let mut rule = |id: &'static str,
                        from: &str,
                        until: Option<&str>,
                        kinds: &[Kind],
                        when: &dyn Fn() -> Truth,
                        unless: Option<&dyn Fn() -> Truth>,
                        outcome: Outcome| {
            if within(date, from, until) && kinds.contains(&k) {
                out.push((id, when(), unless.map(|u| u()), outcome));
            }
        };
        let not_lease = [Export, Reexport, Transfer];
        let all = [Export, Reexport, Transfer, Lease];
        rule(
            "t.item-is",
            "2023-06-01",
            None,
            &not_lease,
            &|| and(&[self.item_is("9A001"), b(g1(&dest))]),
            Some(&|| self.authorized(AuthKind::License, None)),
            LicenseRequired,
        );
        rule(
            "t.item-is-b",
            "2023-06-01",
            None,
            &all,
            &|| and(&[self.item_is("9A001.b"), not(self.item_is("9A001.a"))]),
            None,
            Warning,
        );
        rule(
            "t.computer",
            "2023-01-01",
            None,
            &[Export],
            &|| {
                or(&[
                    self.item_is("9A002"),
                    and(&[b(self.is_computer()), self.quantity(|q| q >= 10.0)]),
                ])
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.bandwidth",
            "2023-01-01",
            None,
            &all,
            &|| {
                and(&[
                    self.num(self.item.figures.get(NumAttr::Interconnect), |g| g >= 600.0),
                    self.num(self.item.figures.get(NumAttr::MemoryBandwidth), |g| {
                        g < 4000.0
                    }),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.numbers",
            "2023-01-01",
            None,
            &[Export, Reexport],
            &|| {
                or(&[
                    self.num(
                        self.item.figures.get(NumAttr::MemoryBandwidthDensity),
                        |m| m > 2.0,
                    ),
                    self.num(self.item.figures.get(NumAttr::DieArea), |a| a <= 600.0),
                    self.tpp(|t| t == 4800.0),
                    and(&[self.tpp(|t| t != 2368.0), self.tpp(|t| t > 20000.0)]),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.origin",
            "2023-01-01",
            None,
            &all,
            &|| and(&[b(g1(&code(&self.item.origin))), b(!self.item.datacenter)]),
            None,
            Prohibited,
        );
        rule(
            "t.disagrees",
            "2023-01-01",
            None,
            &all,
            &|| self.eccn_disagrees(),
            None,
            Warning,
        );
        rule(
            "t.total-tpp",
            "2023-01-01",
            None,
            &[Export, Reexport],
            &|| {
                and(&[
                    self.total_tpp(|t| t >= 1_000_000.0),
                    b(date >= d("2025-01-15")),
                ])
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.destination",
            "2024-01-01",
            Some("2026-01-01"),
            &not_lease,
            &|| b(g2(&dest)),
            None,
            Warning,
        );
        rule(
            "t.end-use",
            "2023-01-01",
            None,
            &[Export, Lease],
            &|| {
                or(&[
                    self.end_use(&[EndUse::Training, EndUse::Research]),
                    and(&[not(self.end_use(&[EndUse::Resale])), b(dest == "AE")]),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.lease",
            "2023-01-01",
            None,
            &[Lease],
            &|| {
                and(&[
                    b(k == Lease),
                    self.of(self.role(tx.lessee), |p| self.located_in(p, g1)),
                ])
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.route-through",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                b(hops
                    .iter()
                    .enumerate()
                    .any(|(i, c)| i >= 1 && i < last && g1(c)))
            },
            Some(&|| self.authorized(AuthKind::Permit, None)),
            LicenseRequired,
        );
        rule(
            "t.route-ends",
            "2023-01-01",
            None,
            &all,
            &|| {
                or(&[
                    and(&[
                        b(hops.first().is_some_and(|c| c == "US")),
                        b(hops.last().is_some_and(|c| g2(c))),
                    ]),
                    b(hops.iter().any(|c| c == "MY")),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.lead-time",
            "2023-01-01",
            None,
            &not_lease,
            &|| b(g1(&dest)),
            Some(&|| {
                or(&[
                    self.authorized(AuthKind::License, Some(("issued", 10))),
                    self.exception_ex2(),
                ])
            }),
            LicenseRequired,
        );
        rule(
            "t.hq",
            "2024-01-01",
            None,
            &not_lease,
            &|| {
                let controlled = and(&[b(g2(&dest)), b(dest != "SG")]);
                and(&[self.hq_g1(self.end_user()), not(controlled)])
            },
            Some(&|| self.exception_ex1()),
            LicenseRequired,
        );
        rule(
            "t.owner-listed",
            "2023-01-01",
            None,
            &all,
            &|| {
                self.any_owner(self.end_user(), (250_000, false), |q| {
                    self.listed_ever(q, &[ListKind::EntityList, ListKind::Sdn])
                })
            },
            None,
            Prohibited,
        );
        rule(
            "t.owner-hq",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                self.any_owner(self.role(tx.consignee), (500_000, true), |q| {
                    self.hq_in_g1(q)
                })
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.owner-located",
            "2023-01-01",
            None,
            &all,
            &|| {
                self.any_owner(self.end_user(), (100_000, true), |q| {
                    self.located_in(q, |c| c == "RU")
                })
            },
            None,
            Warning,
        );
        rule(
            "t.owned",
            "2023-01-01",
            None,
            &all,
            &|| self.owned_by_listed(self.end_user(), (500_000, true), &[ListKind::EntityList]),
            None,
            LicenseRequired,
        );
        rule(
            "t.owned-strict",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                self.owned_by_listed(
                    self.role(tx.consignee),
                    (500_000, false),
                    &[ListKind::MeuList, ListKind::Sdn],
                )
            },
            None,
            Prohibited,
        );
        rule(
            "t.listed",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                or(&[
                    self.of(self.end_user(), |p| {
                        self.listed(p, &[ListKind::UnverifiedList])
                    }),
                    self.of(self.role(tx.consignee), |p| {
                        self.listed(p, &[ListKind::EntityList])
                    }),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.same",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                and(&[
                    not(self.same(self.role(tx.consignee), self.end_user())),
                    self.of(self.end_user(), |p| self.located_in(p, g1)),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.parent",
            "2023-01-01",
            None,
            &all,
            &|| {
                let parent = self.end_user().and_then(|p| self.ultimate_parent(p));
                and(&[
                    not(self.same(parent, self.end_user())),
                    match parent {
                        Ok(top) => self.located_in(top, |c| c == "CN"),
                        Err(t) => t,
                    },
                ])
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.owner-is-sender",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                self.any_owner(self.end_user(), (500_000, true), |q| {
                    self.same(Ok(q), self.role(tx.sender))
                })
            },
            None,
            Warning,
        );
        rule(
            "t.owner-owned",
            "2023-01-01",
            None,
            &all,
            &|| {
                self.any_owner(self.end_user(), (500_000, false), |q| {
                    self.owned_by_listed(Ok(q), (500_000, true), &[ListKind::Sdn])
                })
            },
            None,
            Prohibited,
        );
        rule(
            "t.unenforced",
            "2024-01-01",
            None,
            &not_lease,
            &|| b(dest == "MY" || dest == "SG"),
            None,
            LicenseRequired,
        );
        rule(
            "t.lease-operator",
            "2023-01-01",
            None,
            &[Lease],
            &|| {
                or(&[
                    self.of(self.role(self.operator().map(PartyId)), |p| {
                        self.hq_in_g1(p)
                    }),
                    match self.role(tx.lessee).and_then(|p| self.ultimate_parent(p)) {
                        Ok(top) => self.hq_in_g1(top),
                        Err(t) => t,
                    },
                ])
            },
            Some(&|| self.authorized(AuthKind::License, None)),
            LicenseRequired,
        );
        rule(
            "t.kleene",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                and(&[
                    not(or(&[self.tpp(|t| t >= 4800.0), self.pd(|p| p >= 5.92)])),
                    b(dest == "CN"),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.window",
            "2024-01-01",
            Some("2024-12-31"),
            &[Export],
            &|| and(&[b(date < d("2024-07-01")), not(b(k == Reexport))]),
            None,
            Warning,
        );
        let g3 = |c: &str| in_g3(c, date);
        rule(
            "t.uncertain",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                let through: Vec<Truth> = hops
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i >= 1 && *i < last)
                    .map(|(_, c)| g3(c))
                    .collect();
                or(&[
                    g3(&dest),
                    self.of(self.end_user(), |p| g3(&code(&self.party(p).headquarters))),
                    or(&through),
                    g3(&code(&self.item.origin)),
                ])
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.owner-uncertain",
            "2023-01-01",
            None,
            &all,
            &|| {
                self.any_owner(self.end_user(), (500_000, true), |q| {
                    g3(&code(&self.party(q).headquarters))
                })
            },
            None,
            Warning,
        );
        rule(
            "t.compliance",
            "2024-01-01",
            None,
            &[Export],
            &|| b(dest == "AE" || dest == "SA"),
            Some(&|| self.authorized(AuthKind::License, None)),
            LicenseRequired,
        );
        rule(
            "t.otherwise",
            "2023-01-01",
            None,
            &[Export, Reexport],
            &|| {
                let fast = match self.tpp(|t| t >= 4800.0) {
                    U => self.declared_in(&["9A001", "3A090"]),
                    v => v,
                };
                and(&[fast, b(g1(&dest))])
            },
            None,
            LicenseRequired,
        );
        rule(
            "t.declared",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                let hts = match &self.item.hts {
                    None => U,
                    Some(h) if h.starts_with("8542") || h.starts_with("8471") => Truth::T,
                    Some(h) if "8542".starts_with(h.as_str()) || "8471".starts_with(h.as_str()) => {
                        U
                    }
                    Some(_) => F,
                };
                or(&[
                    self.item_is("9A009"),
                    and(&[self.declared_in(&["EAR99"]), hts]),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.region",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                let region = match &tx.region {
                    None => U,
                    Some(r) => b(r.code() == "UA-43"),
                };
                and(&[b(dest == "UA"), region])
            },
            None,
            Prohibited,
        );
        rule(
            "t.developer",
            "2023-01-01",
            None,
            &all,
            &|| match &self.item.developer {
                None => b(g1(&code(&self.item.origin))),
                Some(dev) => dev.headquarters.map_or(U, |hq| b(g1(&code(&hq)))),
            },
            None,
            Prohibited,
        );
        rule(
            "t.distributor",
            "2023-01-01",
            None,
            &not_lease,
            &|| {
                let distributor =
                    |p: Result<u32, Truth>| self.of(p, |p| self.party(p).distributor.map_or(U, b));
                or(&[
                    distributor(self.role(tx.sender)),
                    and(&[
                        not(distributor(self.role(tx.consignee))),
                        self.quantity(|q| q >= 100.0),
                    ]),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.named",
            "2023-01-01",
            None,
            &all,
            &|| {
                and(&[
                    b(tx.end_user_source != EndUserSource::Named),
                    self.end_use(&[EndUse::Resale]),
                ])
            },
            None,
            Warning,
        );
        rule(
            "t.dpl",
            "2023-01-01",
            None,
            &all,
            &|| {
                self.of(self.end_user(), |p| {
                    self.listed(p, &[ListKind::Dpl, ListKind::UaeApproved])
                })
            },
            None,
            Prohibited,
        );
        out
    }

    /// `item.eccn in [PATTERNS]`: the declared ECCN under one of them; unknown when none is
    /// declared.
    fn declared_in(&self, patterns: &[&str]) -> Truth {
        match &self.item.eccn {
            None => U,
            Some(d) => b(patterns.iter().any(|p| eccn_under(d, p))),
        }
    }

    /// The verdict and the rules that fired with their outcomes, in rule order.
    pub fn judge(&self) -> (Verdict, Vec<(String, Verdict)>) {
        let mut fired = Vec::new();
        for (id, when, unless, outcome) in self.rules() {
            if when == F {
                continue;
            }
            let text = match outcome {
                Outcome::Warning => Verdict::Warning,
                Outcome::LicenseRequired => Verdict::LicenseRequired,
                Outcome::Prohibited => Verdict::Prohibited,
            };
            let mut v = match (when, unless.unwrap_or(F)) {
                (_, Truth::T) => Verdict::Allowed,
                // An authorization must be shown: an unknown one leaves the requirement.
                (Truth::T, _) => text,
                _ if text == Verdict::Warning => Verdict::Warning,
                _ => Verdict::Indeterminate,
            };
            // t.compliance is required only from 2025-01-15.
            if id == "t.compliance" && v >= Verdict::LicenseRequired && self.date < d("2025-01-15")
            {
                v = Verdict::Warning;
            }
            // t.unenforced is not enforced from 2025-05-13 until 2026-01-01.
            if id == "t.unenforced"
                && v >= Verdict::LicenseRequired
                && within(self.date, "2025-05-13", Some("2026-01-01"))
            {
                v = Verdict::Warning;
            }
            fired.push((id.to_string(), v));
        }
        let verdict = fired
            .iter()
            .map(|(_, v)| *v)
            .max()
            .unwrap_or(Verdict::Allowed);
        (verdict, fired)
    }
}

/// `3A090.a` is under `3A090` and under itself, not under `3A090.b`.
fn eccn_under(eccn: &str, pattern: &str) -> bool {
    eccn == pattern
        || (eccn.len() > pattern.len()
            && eccn.starts_with(pattern)
            && eccn.as_bytes()[pattern.len()] == b'.')
}

/// Per transaction: its id, its verdict, and each rule that fired with its outcome.
pub type Judgement = (String, Verdict, Vec<(String, Verdict)>);

/// Judges every transaction of a file (on its own date, or as of a date) with the reference.
pub fn judge_file(file: &TransactionFile, as_of: Option<Date>) -> Vec<Judgement> {
    file.transactions
        .iter()
        .map(|tx| {
            let case = Case {
                file,
                tx,
                item: &file.items[tx.item.index()],
                date: as_of.unwrap_or(tx.date),
            };
            let (verdict, fired) = case.judge();
            (tx.id.clone(), verdict, fired)
        })
        .collect()
}
