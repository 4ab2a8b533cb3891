//! Random valid worlds for property tests: parties with ownership (cycles, self-ownership,
//! several owners adding up, unknown shares), list designations with dates, items whose
//! figures sit on either side of every threshold of the test rules and the pack, dates on and
//! around every effective date, leases, routes and authorizations with lead times. A world is
//! written out as a transaction file (YAML) and loaded by the real loader.

use std::sync::LazyLock;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use chipgate::ir::{Cond, NumAttr, Test};
use chipgate::{Date, Limits, RuleSet, TransactionFile};

pub const COUNTRIES: &[&str] = &[
    "US", "CN", "RU", "MO", "KH", "SG", "MY", "AE", "HK", "JP", "TH", "UA", "SA", "IR", "BY",
];

/// Regions written for parties and transactions in Ukraine (Crimea, Donetsk, Kyiv).
const REGIONS: &[&str] = &["UA-43", "UA-14", "UA-30"];
/// HTS codes around the headings the rules name.
const HTS: &[&str] = &["8542.31", "8471.50", "8473.30", "8504.40", "85", "8542"];
/// Developers: a known PRC and a known US company, one the table does not know; or a party.
const DEVELOPERS: &[&str] = &["Huawei", "NVIDIA Corporation", "Unknown Designs Ltd"];

/// Effective dates of the test rules, their groups and exceptions, and of the pack as it was
/// written when this list was; [`DATES`] adds whatever the built-in pack has now.
const FIXED_DATES: &[&str] = &[
    "2022-10-07",
    "2023-01-01",
    "2023-06-01",
    "2023-11-17",
    "2024-01-01",
    "2024-03-01",
    "2024-04-04",
    "2024-06-01",
    "2024-07-01",
    "2024-12-31",
    "2025-01-01",
    "2025-01-15",
    "2025-04-09",
    "2025-05-13",
    "2025-06-01",
    "2025-09-01",
    "2026-01-01",
    "2026-01-15",
    "2026-02-03",
    "2024-06-01",
    "2025-01-15",
    "2022-02-24",
    "2022-03-02",
];

/// Every date a window of the built-in pack or of the test rules starts or ends on (rules,
/// `unenforced` windows, exceptions, classifications, group members), so that transactions
/// fall on, just before and just after each of them.
pub static DATES: LazyLock<Vec<Date>> = LazyLock::new(|| {
    let mut dates: Vec<Date> = FIXED_DATES
        .iter()
        .map(|d| Date::parse(d).unwrap())
        .collect();
    if let Ok(pack) = RuleSet::builtin() {
        let ir = pack.compiled();
        let windows = ir
            .rules
            .iter()
            .flat_map(|r| {
                r.windows
                    .iter()
                    .copied()
                    .chain(r.unenforced.iter().map(|u| u.window))
            })
            .chain(ir.exceptions.iter().flat_map(|e| e.windows.iter().copied()))
            .chain(ir.classes.iter().flat_map(|c| c.windows.iter().copied()))
            .chain(
                ir.groups
                    .iter()
                    .flat_map(|g| g.members.iter().map(|(_, w)| *w)),
            )
            .chain(
                ir.groups
                    .iter()
                    .flat_map(|g| g.uncertain.iter().map(|u| u.window)),
            )
            .chain(ir.rules.iter().filter_map(|r| {
                r.compliance.as_ref().map(|c| chipgate::date::Window {
                    from: c.date,
                    until: Date::MAX,
                })
            }));
        for w in windows {
            dates.extend(
                [w.from, w.until]
                    .into_iter()
                    .filter(|d| *d != Date::MIN && *d != Date::MAX),
            );
        }
    }
    dates.sort();
    dates.dedup();
    dates
});

/// Each threshold the built-in pack compares an item figure or a quantity with, and values
/// just below and above it: (attribute key or "quantity", value as written in YAML).
static PACK_THRESHOLDS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    fn walk(c: &Cond, out: &mut Vec<(&'static str, f64)>) {
        match c {
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| walk(c, out)),
            Cond::Not(c) | Cond::Item(c, _) => walk(c, out),
            Cond::Otherwise(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Cond::Test(t, _) => match t.as_ref() {
                Test::ItemNum { attr, value, .. } => out.push((attr.key(), *value)),
                Test::Quantity { value, .. } => out.push(("quantity", *value)),
                _ => {}
            },
        }
    }
    let mut found = Vec::new();
    if let Ok(pack) = RuleSet::builtin() {
        let ir = pack.compiled();
        for r in ir.rules {
            walk(&r.when, &mut found);
            r.unless.iter().for_each(|u| walk(u, &mut found));
            r.policies
                .iter()
                .filter_map(|p| p.when.as_ref())
                .for_each(|c| walk(c, &mut found));
        }
        ir.exceptions.iter().for_each(|e| walk(&e.when, &mut found));
        for c in ir.classes {
            walk(&c.when, &mut found);
            c.unless.iter().for_each(|u| walk(u, &mut found));
        }
    }
    let mut out = Vec::new();
    for (key, v) in found {
        let step = if key == "quantity" {
            1.0
        } else {
            (v * 1e-4).max(0.001)
        };
        for x in [v - step, v, v + step] {
            if x > 0.0 {
                let text = format!("{:.4}", x);
                let text = text.trim_end_matches('0').trim_end_matches('.').to_string();
                let text = if key == "quantity" {
                    format!("{}", x.round().max(1.0))
                } else {
                    text
                };
                out.push((key, text));
            }
        }
    }
    out.sort();
    out.dedup();
    out
});

/// The fixed values of an item figure, and the pack's thresholds of it.
fn values(fixed: &[&str], key: &str) -> Vec<String> {
    let mut all: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    all.extend(
        PACK_THRESHOLDS
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone()),
    );
    all.sort();
    all.dedup();
    all
}

static TPP_VALUES: LazyLock<Vec<String>> = LazyLock::new(|| values(TPP, NumAttr::Tpp.key()));
static DIE_VALUES: LazyLock<Vec<String>> = LazyLock::new(|| values(DIE, NumAttr::DieArea.key()));
static PD_VALUES: LazyLock<Vec<String>> =
    LazyLock::new(|| values(PD, NumAttr::PerformanceDensity.key()));
static INTERCONNECT_VALUES: LazyLock<Vec<String>> =
    LazyLock::new(|| values(INTERCONNECT, NumAttr::Interconnect.key()));
static MEMBW_VALUES: LazyLock<Vec<String>> =
    LazyLock::new(|| values(MEMBW, NumAttr::MemoryBandwidth.key()));
static MBD_VALUES: LazyLock<Vec<String>> =
    LazyLock::new(|| values(MBD, NumAttr::MemoryBandwidthDensity.key()));
static QUANTITY_VALUES: LazyLock<Vec<String>> = LazyLock::new(|| values(QUANTITIES, "quantity"));

fn pick_value(list: &[String], i: u8) -> &str {
    &list[usize::from(i) % list.len()]
}

/// Percentages on either side of 10, 25 and 50 (at least and more than).
pub const SHARES: &[&str] = &[
    "10", "9.9999", "25", "25.0001", "30", "49.9999", "50", "50.0001", "60", "75", "100",
];

const TPP: &[&str] = &[
    "1544", "1600", "2368", "2400", "4799.9", "4800", "4800.1", "15832", "20000", "20001", "21000",
];
const DIE: &[&str] = &["300", "600", "600.1", "814", "1000"];
const PD: &[&str] = &["1.6", "3.2", "5.91", "5.92", "5.93", "19.45"];
const INTERCONNECT: &[&str] = &["400", "599", "600", "900"];
const MEMBW: &[&str] = &["3350", "3999", "4000", "6500", "8000"];
const MBD: &[&str] = &["1.9", "2", "2.1", "3.3"];
const ECCNS: &[&str] = &[
    "9A001.a", "9A001.b", "9A001", "9A002", "EAR99", "3A090.a", "3A090.b", "4A090.a", "3A991",
    "9A009", "5A992.z", "3A090.c",
];
const LISTS: &[&str] = &[
    "entity-list",
    "meu-list",
    "unverified-list",
    "sdn",
    "dpl",
    "uae-approved",
];
const KINDS: &[&str] = &["export", "reexport", "transfer", "lease"];
const END_USES: &[&str] = &[
    "training",
    "inference",
    "resale",
    "evaluation",
    "research",
    "other",
];
const AUTHS: &[&str] = &["license", "NAC", "ACA", "HBM", "permit"];
/// Days before the transaction date that an authorization was issued or notified: around
/// the 10- and 25-day lead times, and one day after.
const LEADS: &[i32] = &[40, 26, 25, 24, 11, 10, 9, 0, -1];
/// Days after the transaction date that an authorization expires.
const EXPIRES: &[i32] = &[-1, 0, 1, 30];
const QUANTITIES: &[&str] = &["1", "9", "10", "64", "100", "1000"];

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[usize::from(i) % list.len()]
}

/// A designation: (list, since as (date, offset in days), until as weeks after `since`).
pub type GDesignation = (u8, Option<(u8, i8)>, Option<u8>);

#[derive(Clone, Debug)]
pub struct GParty {
    pub country: u8,
    pub hq: Option<u8>,
    /// (list, since: (date, offset in days), until: days after `since`)
    pub lists: Vec<GDesignation>,
    /// (owner, share)
    pub owners: Vec<(u8, Option<u8>)>,
    pub distributor: Option<bool>,
    /// A region, written only for a party in Ukraine.
    pub region: Option<u8>,
}

#[derive(Clone, Debug)]
pub struct GItem {
    pub tpp: Option<u8>,
    pub die: Option<u8>,
    pub pd: Option<u8>,
    pub interconnect: Option<u8>,
    pub membw: Option<u8>,
    pub mbd: Option<u8>,
    pub datacenter: Option<bool>,
    pub eccn: Option<u8>,
    pub origin: Option<u8>,
    pub computer: bool,
    pub hts: Option<u8>,
    /// A developer: below `DEVELOPERS.len()` a named one, else a party.
    pub developer: Option<u8>,
}

#[derive(Clone, Debug)]
pub struct GAuth {
    pub kind: u8,
    pub number: bool,
    pub issued: Option<u8>,
    pub notified: Option<u8>,
    pub expires: Option<u8>,
    /// Scope: an item, a consignee, an end user, a destination, a quantity.
    pub items: Option<u8>,
    pub consignee: Option<u8>,
    pub end_user: Option<u8>,
    pub destination: Option<u8>,
    pub quantity: Option<u8>,
}

#[derive(Clone, Debug)]
pub struct GTx {
    pub kind: u8,
    pub date: (u8, i8),
    pub item: u8,
    pub quantity: Option<u8>,
    pub from: u8,
    pub to: u8,
    pub end_user: Option<u8>,
    pub destination: Option<u8>,
    pub route: Option<Vec<u8>>,
    pub end_use: Option<u8>,
    pub auths: Vec<GAuth>,
    pub facility: u8,
    /// `end_user: unknown` (overrides `end_user`).
    pub end_user_unknown: bool,
    /// A region, written only with a destination in Ukraine.
    pub region: Option<u8>,
}

#[derive(Clone, Debug)]
pub struct GWorld {
    pub parties: Vec<GParty>,
    pub items: Vec<GItem>,
    /// (country, operator)
    pub facilities: Vec<(u8, u8)>,
    pub txs: Vec<GTx>,
}

/// One of [`DATES`], give or take a day.
pub fn date_near(date: (u8, i8)) -> Date {
    let base = DATES[usize::from(date.0) % DATES.len()];
    base.plus_days(i32::from(date.1.clamp(-1, 1)))
}

/// A date around an effective date, with its offset of -1, 0 or 1 day.
pub fn date() -> impl Strategy<Value = (u8, i8)> {
    (any::<u8>(), -1i8..=1)
}

fn party() -> impl Strategy<Value = GParty> {
    (
        any::<u8>(),
        option::weighted(0.3, any::<u8>()),
        vec(
            (
                any::<u8>(),
                option::of(date()),
                option::weighted(0.15, any::<u8>()),
            ),
            0..2,
        ),
        vec((any::<u8>(), option::weighted(0.8, any::<u8>())), 0..3),
        option::weighted(0.3, any::<bool>()),
        option::weighted(0.5, any::<u8>()),
    )
        .prop_map(|(country, hq, lists, owners, distributor, region)| GParty {
            country,
            hq,
            lists,
            owners,
            distributor,
            region,
        })
}

fn item() -> impl Strategy<Value = GItem> {
    (
        (
            option::weighted(0.85, any::<u8>()),
            option::weighted(0.6, any::<u8>()),
            option::weighted(0.3, any::<u8>()),
            option::of(any::<u8>()),
            option::of(any::<u8>()),
        ),
        (
            option::weighted(0.3, any::<u8>()),
            option::weighted(0.3, any::<bool>()),
            option::weighted(0.3, any::<u8>()),
            option::weighted(0.4, any::<u8>()),
            prop::bool::weighted(0.2),
        ),
        (
            option::weighted(0.3, any::<u8>()),
            option::weighted(0.3, any::<u8>()),
        ),
    )
        .prop_map(
            |(
                (tpp, die, pd, interconnect, membw),
                (mbd, datacenter, eccn, origin, computer),
                (hts, developer),
            )| {
                GItem {
                    tpp,
                    die,
                    pd,
                    interconnect,
                    membw,
                    mbd,
                    datacenter,
                    eccn,
                    origin,
                    computer,
                    hts,
                    developer,
                }
            },
        )
}

fn auth() -> impl Strategy<Value = GAuth> {
    (
        (
            any::<u8>(),
            any::<bool>(),
            option::of(any::<u8>()),
            option::of(any::<u8>()),
            option::weighted(0.2, any::<u8>()),
        ),
        (
            option::weighted(0.2, any::<u8>()),
            option::weighted(0.2, any::<u8>()),
            option::weighted(0.15, any::<u8>()),
            option::weighted(0.15, any::<u8>()),
            option::weighted(0.2, any::<u8>()),
        ),
    )
        .prop_map(
            |(
                (kind, number, issued, notified, expires),
                (items, consignee, end_user, destination, quantity),
            )| GAuth {
                kind,
                number,
                issued,
                notified,
                expires,
                items,
                consignee,
                end_user,
                destination,
                quantity,
            },
        )
}

fn tx() -> impl Strategy<Value = GTx> {
    (
        (any::<u8>(), date(), any::<u8>(), option::of(any::<u8>())),
        (
            any::<u8>(),
            any::<u8>(),
            option::weighted(0.3, any::<u8>()),
            option::weighted(0.3, any::<u8>()),
        ),
        (
            option::weighted(0.5, vec(any::<u8>(), 1..5)),
            option::of(any::<u8>()),
            vec(auth(), 0..3),
            any::<u8>(),
        ),
        (
            prop::bool::weighted(0.1),
            option::weighted(0.5, any::<u8>()),
        ),
    )
        .prop_map(
            |(
                (kind, date, item, quantity),
                (from, to, end_user, destination),
                (route, end_use, auths, facility),
                (end_user_unknown, region),
            )| GTx {
                kind,
                date,
                item,
                quantity,
                from,
                to,
                end_user,
                destination,
                route,
                end_use,
                auths,
                facility,
                end_user_unknown,
                region,
            },
        )
}

/// A world of 2 to 8 parties, 1 to 3 items, 1 or 2 facilities and 1 to 4 transactions.
pub fn world() -> impl Strategy<Value = GWorld> {
    (
        vec(party(), 2..9),
        vec(item(), 1..4),
        vec((any::<u8>(), any::<u8>()), 1..3),
        vec(tx(), 1..5),
    )
        .prop_map(|(parties, items, facilities, txs)| GWorld {
            parties,
            items,
            facilities,
            txs,
        })
}

impl GWorld {
    fn party_id(&self, i: u8) -> String {
        format!("p{}", usize::from(i) % self.parties.len())
    }

    /// The world as a transaction file. Every choice is made valid here: owners are
    /// distinct, known shares add up to at most 100%, a given performance density goes with
    /// no die area, and only a lease names a facility.
    pub fn yaml(&self) -> String {
        let parties: Vec<usize> = (0..self.parties.len()).collect();
        let txs: Vec<usize> = (0..self.txs.len()).collect();
        self.yaml_in_order(&parties, &txs)
    }

    /// The same file with its parties and transactions written in the orders given (as
    /// indices into the world's lists); ids do not change.
    pub fn yaml_in_order(&self, party_order: &[usize], tx_order: &[usize]) -> String {
        let mut y = String::from("parties:\n");
        for &i in party_order {
            let p = &self.parties[i];
            y.push_str(&format!(
                "  - id: p{i}\n    name: Party {i}\n    country: {}\n",
                pick(COUNTRIES, p.country)
            ));
            if let Some(hq) = p.hq {
                y.push_str(&format!("    headquarters: {}\n", pick(COUNTRIES, hq)));
            }
            if let Some(d) = p.distributor {
                y.push_str(&format!("    distributor: {d}\n"));
            }
            if let (Some(r), "UA") = (p.region, pick(COUNTRIES, p.country)) {
                y.push_str(&format!("    region: {}\n", pick(REGIONS, r)));
            }
            let mut seen = Vec::new();
            let mut total = 0.0;
            let mut owners = String::new();
            for (owner, share) in &p.owners {
                let o = usize::from(*owner) % self.parties.len();
                if seen.contains(&o) {
                    continue;
                }
                seen.push(o);
                match share {
                    Some(s) => {
                        let text = pick(SHARES, *s);
                        let v: f64 = text.parse().unwrap();
                        if total + v > 100.0 {
                            continue;
                        }
                        total += v;
                        owners.push_str(&format!("      - {{ party: p{o}, share: {text} }}\n"));
                    }
                    None => owners.push_str(&format!("      - {{ party: p{o} }}\n")),
                }
            }
            if !owners.is_empty() {
                y.push_str("    owners:\n");
                y.push_str(&owners);
            }
            if !p.lists.is_empty() {
                y.push_str("    lists:\n");
                for (list, since, until) in &p.lists {
                    let until = |from: Date| {
                        until
                            .map(|u| format!(", until: {}", from.plus_days(1 + i32::from(u) * 7)))
                            .unwrap_or_default()
                    };
                    match since {
                        Some(s) => y.push_str(&format!(
                            "      - {{ list: {}, since: {}{} }}\n",
                            pick(LISTS, *list),
                            date_near(*s),
                            until(date_near(*s))
                        )),
                        None => y.push_str(&format!(
                            "      - {{ list: {}{} }}\n",
                            pick(LISTS, *list),
                            until(Date::parse("2023-06-01").unwrap())
                        )),
                    }
                }
            }
        }
        y.push_str("items:\n");
        for (i, it) in self.items.iter().enumerate() {
            y.push_str(&format!("  - id: i{i}\n    name: Item {i}\n"));
            let mut field = |key: &str, v: Option<&str>| {
                if let Some(v) = v {
                    y.push_str(&format!("    {key}: {v}\n"));
                }
            };
            field("tpp", it.tpp.map(|v| pick_value(&TPP_VALUES, v)));
            field("die_area_mm2", it.die.map(|v| pick_value(&DIE_VALUES, v)));
            if it.die.is_none() {
                field(
                    "performance_density",
                    it.pd.map(|v| pick_value(&PD_VALUES, v)),
                );
            }
            field(
                "interconnect_gbps",
                it.interconnect.map(|v| pick_value(&INTERCONNECT_VALUES, v)),
            );
            field(
                "memory_bandwidth_gbps",
                it.membw.map(|v| pick_value(&MEMBW_VALUES, v)),
            );
            field(
                "memory_bandwidth_density",
                it.mbd.map(|v| pick_value(&MBD_VALUES, v)),
            );
            field(
                "datacenter",
                it.datacenter.map(|v| if v { "true" } else { "false" }),
            );
            field("eccn", it.eccn.map(|v| pick(ECCNS, v)));
            field("origin", it.origin.map(|v| pick(COUNTRIES, v)));
            field("form", it.computer.then_some("computer"));
            field("hts", it.hts.map(|v| pick(HTS, v)));
            let developer = it.developer.map(|d| {
                if usize::from(d) % (DEVELOPERS.len() + 1) < DEVELOPERS.len() {
                    format!("\"{}\"", pick(DEVELOPERS, d))
                } else {
                    self.party_id(d)
                }
            });
            field("developer", developer.as_deref());
        }
        y.push_str("facilities:\n");
        for (i, (country, operator)) in self.facilities.iter().enumerate() {
            y.push_str(&format!(
                "  - {{ id: f{i}, name: Facility {i}, country: {}, operator: {} }}\n",
                pick(COUNTRIES, *country),
                self.party_id(*operator)
            ));
        }
        y.push_str("transactions:\n");
        for &i in tx_order {
            let t = &self.txs[i];
            let kind = pick(KINDS, t.kind);
            let date = date_near(t.date);
            y.push_str(&format!(
                "  - id: T{i}\n    kind: {kind}\n    date: {date}\n    item: i{}\n",
                usize::from(t.item) % self.items.len()
            ));
            if let Some(q) = t.quantity {
                y.push_str(&format!(
                    "    quantity: {}\n",
                    pick_value(&QUANTITY_VALUES, q)
                ));
            }
            if kind == "lease" {
                y.push_str(&format!(
                    "    facility: f{}\n    lessor: {}\n    lessee: {}\n",
                    usize::from(t.facility) % self.facilities.len(),
                    self.party_id(t.from),
                    self.party_id(t.to)
                ));
            } else {
                y.push_str(&format!(
                    "    from: {}\n    to: {}\n",
                    self.party_id(t.from),
                    self.party_id(t.to)
                ));
            }
            if t.end_user_unknown {
                y.push_str("    end_user: unknown\n");
            } else if let Some(u) = t.end_user {
                y.push_str(&format!("    end_user: {}\n", self.party_id(u)));
            }
            if let Some(d) = t.destination {
                y.push_str(&format!("    destination: {}\n", pick(COUNTRIES, d)));
                if let (Some(r), "UA") = (t.region, pick(COUNTRIES, d)) {
                    y.push_str(&format!("    region: {}\n", pick(REGIONS, r)));
                }
            }
            if let Some(route) = &t.route {
                let hops: Vec<&str> = route.iter().map(|c| pick(COUNTRIES, *c)).collect();
                y.push_str(&format!("    route: [{}]\n", hops.join(", ")));
            }
            if let Some(u) = t.end_use {
                y.push_str(&format!("    end_use: {}\n", pick(END_USES, u)));
            }
            if !t.auths.is_empty() {
                y.push_str("    authorizations:\n");
                for (k, a) in t.auths.iter().enumerate() {
                    let lead = |i: u8| date.minus_days(LEADS[usize::from(i) % LEADS.len()]);
                    y.push_str(&format!("      - type: {}\n", pick(AUTHS, a.kind)));
                    if a.number {
                        y.push_str(&format!("        number: A{i}{k}\n"));
                    }
                    if let Some(v) = a.issued {
                        y.push_str(&format!("        issued: {}\n", lead(v)));
                    }
                    if let Some(v) = a.notified {
                        y.push_str(&format!("        notified: {}\n", lead(v)));
                    }
                    if let Some(v) = a.expires {
                        let days = EXPIRES[usize::from(v) % EXPIRES.len()];
                        y.push_str(&format!("        expires: {}\n", date.plus_days(days)));
                    }
                    if let Some(v) = a.items {
                        y.push_str(&format!(
                            "        items: [i{}]\n",
                            usize::from(v) % self.items.len()
                        ));
                    }
                    if let Some(v) = a.consignee {
                        y.push_str(&format!("        consignee: {}\n", self.party_id(v)));
                    }
                    if let Some(v) = a.end_user {
                        y.push_str(&format!("        end_user: {}\n", self.party_id(v)));
                    }
                    if let Some(v) = a.destination {
                        y.push_str(&format!("        destination: {}\n", pick(COUNTRIES, v)));
                    }
                    if let Some(v) = a.quantity {
                        y.push_str(&format!(
                            "        quantity: {}\n",
                            pick_value(&QUANTITY_VALUES, v)
                        ));
                    }
                }
            }
        }
        y
    }

    /// The world as facts built in memory, with only what the file states (the loader's
    /// defaults and derivations left for `TransactionFile::from_parts` to apply): taken from
    /// the file the real loader read, with every derived value put back to "not given".
    pub fn parts(&self, file: &TransactionFile) -> TransactionFile {
        use chipgate::facts::{DestinationSource, EndUserSource, Form, FormSource};
        let parties = file.parties.clone();
        let mut items = file.items.clone();
        for (it, g) in items.iter_mut().zip(&self.items) {
            // A performance density is derived where the die area is given.
            if g.die.is_some() {
                it.figures.set(NumAttr::PerformanceDensity, None);
            }
            if it.form_source == FormSource::DeclaredEccn {
                it.form = Form::Ic;
                it.form_source = FormSource::Default;
            }
        }
        let facilities = file.facilities.clone();
        let mut transactions = file.transactions.clone();
        for t in &mut transactions {
            if t.end_user_source == EndUserSource::Defaulted {
                t.end_user = None;
            }
            if t.destination_source != DestinationSource::Given {
                // A placeholder: the destination is derived again.
                t.destination = chipgate::country::Country::parse("US").unwrap();
                t.destination_source = DestinationSource::EndUser;
                t.region = None;
            }
            for a in &mut t.authorizations {
                a.used_before = 0;
            }
        }
        TransactionFile::from_parts("parts", parties, items, facilities, transactions)
            .unwrap_or_else(|e| panic!("the parts do not build: {e}"))
    }

    /// Loads the world with the real loader; a generated world is always valid.
    pub fn load(&self) -> TransactionFile {
        load(&self.yaml())
    }
}

/// Loads a generated transaction file, which is always valid.
pub fn load(yaml: &str) -> TransactionFile {
    match TransactionFile::from_str("world.yaml", yaml, &Limits::default()) {
        Ok(f) => f,
        Err(e) => panic!("the generator wrote an invalid file: {e}\n{yaml}"),
    }
}

/// A date to judge as of: one of the effective dates, give or take a day.
pub fn as_of() -> impl Strategy<Value = Option<Date>> {
    option::weighted(0.3, date()).prop_map(|d| d.map(date_near))
}

/// How many cases a property runs: `CHIPGATE_PROPTEST_CASES`, or `default` (kept small so
/// that `cargo test` stays fast; the long runs are in docs/reliability.md).
pub fn cases(default: u32) -> u32 {
    std::env::var("CHIPGATE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
