//! chipgate: the rule in chipgate's own rule language, compiled once; the world turned into
//! chipgate's typed facts in memory (`TransactionFile::from_parts`, no YAML text: Cedar and
//! Rego are handed in-memory data too); the world graph built once (`RuleSet::checker`:
//! owner closures per threshold, interned country sets); each request checked with
//! `Checker::verdict_for`, the fast path that decides without explaining.
//!
//! The build is timed as a whole; its parts (compiling the rule, building the facts, building
//! the world graph) are printed on stderr and kept in [`BUILD_PARTS`] for the report.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use chipgate::country::Country;
use chipgate::facts::{
    AuthKind, Authorization, Form, Item, Kind, Ownership, Party, Share, Transaction,
};
use chipgate::{Checker, Date, Limits, RuleSet, TransactionFile, Verdict as CgVerdict};

use super::Engine;
use crate::data::{Request, Verdict, World, D5};

/// The rule, as a rule author writes it (the D:5 group as in `rules/groups.cg`, without the
/// dated Cambodia entry so that every engine reads the same static list).
pub fn rule_text() -> String {
    format!(
        r#"group D5 "Country Group D:5 (U.S. arms embargoed countries)" {{
  cite "15 CFR Part 740, Supp. No. 1"
  members {}
}}

rule cmp.forbid {{
  title "Advanced chips to a recipient controlled from D:5"
  cite "benches/compare README, `The rule`"
  effective 2000-01-01
  on transfer
  when (item.tpp >= 4800 or (item.tpp >= 1600 and item.performance_density >= 5.92))
   and (consignee is headquartered in D5
        or any owner of consignee holding at least 50% is headquartered in D5)
  unless authorized by license
  outcome prohibited
}}
"#,
        D5.join(", ")
    )
}

/// Build time split into its parts, in milliseconds: `(parties, [rule, facts, world])`.
pub static BUILD_PARTS: Mutex<Vec<(usize, [f64; 3])>> = Mutex::new(Vec::new());

pub struct Chipgate {
    checker: Checker<'static>,
    /// The request being judged, rewritten in place for each request (no allocation).
    unlicensed: Transaction,
    licensed: Transaction,
    /// Each party's country, for the transaction's destination.
    countries: Vec<Country>,
}

/// `p123`: the same ids the other engines use, without the formatting machinery.
fn id(prefix: char, n: usize) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut id = String::with_capacity(1 + digits.len() - at);
    id.push(prefix);
    id.extend(digits[at..].iter().map(|d| char::from(*d)));
    id
}

fn country(code: &str) -> Result<Country, String> {
    Country::parse(code).ok_or_else(|| format!("chipgate: `{code}` is not a country"))
}

fn transaction(licensed: bool, destination: Country, date: Date) -> Transaction {
    Transaction {
        id: "request".to_string(),
        kind: Kind::Transfer,
        date,
        item: 0,
        quantity: Some(1),
        sender: Some(0),
        consignee: Some(0),
        end_user: Some(0),
        end_user_given: false,
        destination,
        destination_given: false,
        route: Vec::new(),
        end_use: None,
        authorizations: if licensed {
            vec![Authorization {
                kind: AuthKind::License,
                number: Some("D0000001".to_string()),
                issued: None,
                notified: None,
                confirmation: None,
                expires: None,
            }]
        } else {
            Vec::new()
        },
        facility: None,
        lessor: None,
        lessee: None,
    }
}

impl Engine for Chipgate {
    const NAME: &'static str = "chipgate";

    fn build(world: &World) -> Result<Self, String> {
        let t = Instant::now();
        let rules = RuleSet::from_sources(
            &[("compare.cg".to_string(), rule_text())],
            &Limits::default(),
        )
        .map_err(|e| format!("chipgate rule: {e:?}"))?;
        let rule_ms = t.elapsed().as_secs_f64() * 1e3;

        let t = Instant::now();
        // Country codes are parsed once per distinct code, as any loader would.
        let mut codes: HashMap<&str, Country> = HashMap::new();
        let countries = world
            .parties
            .iter()
            .map(|p| match codes.get(p.hq) {
                Some(c) => Ok(*c),
                None => country(p.hq).inspect(|c| {
                    codes.insert(p.hq, *c);
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut parties: Vec<Party> = countries
            .iter()
            .enumerate()
            .map(|(i, c)| Party {
                id: id('p', i),
                // Names only appear in explanations, which this benchmark never asks for.
                name: String::new(),
                country: *c,
                headquarters: *c,
                owners: Vec::new(),
                lists: Vec::new(),
            })
            .collect();
        for e in &world.edges {
            if let Some(owned) = parties.get_mut(e.owned as usize) {
                owned.owners.push(Ownership {
                    owner: e.owner,
                    share: Some(Share::from_percent(f64::from(e.share))),
                });
            }
        }
        let first = *countries.first().ok_or("chipgate: no parties")?;
        let us = country("US")?;
        let items = world
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| Item {
                id: id('i', i),
                name: format!("Item {i}"),
                tpp: Some(it.tpp.to_f64()),
                die_area_mm2: None,
                performance_density: Some(it.performance_density.to_f64()),
                interconnect_gbps: None,
                memory_bandwidth_gbps: None,
                memory_bandwidth_density: None,
                datacenter: true,
                eccn: None,
                origin: us,
                form: Form::Ic,
            })
            .collect();
        let date = Date::from_ymd(2025, 1, 1).ok_or("chipgate: bad date")?;
        let facts = TransactionFile::from_parts("compare", parties, items, Vec::new(), Vec::new())
            .map_err(|e| format!("chipgate facts: {e:?}"))?;
        let facts_ms = t.elapsed().as_secs_f64() * 1e3;

        // The checker borrows the rules and the facts for its whole life; the harness keeps
        // an engine until the process ends, so both are leaked rather than self-referenced.
        let t = Instant::now();
        let rules: &'static RuleSet = Box::leak(Box::new(rules));
        let facts: &'static TransactionFile = Box::leak(Box::new(facts));
        let checker = rules.checker(facts);
        let world_ms = t.elapsed().as_secs_f64() * 1e3;

        eprintln!(
            "    chipgate build: rule {rule_ms:.2} ms, facts {facts_ms:.2} ms, world graph {world_ms:.2} ms"
        );
        if let Ok(mut parts) = BUILD_PARTS.lock() {
            parts.push((countries.len(), [rule_ms, facts_ms, world_ms]));
        }
        Ok(Chipgate {
            checker,
            unlicensed: transaction(false, first, date),
            licensed: transaction(true, first, date),
            countries,
        })
    }

    fn check(&mut self, r: &Request) -> Result<Verdict, String> {
        let destination = *self
            .countries
            .get(r.recipient as usize)
            .ok_or("unknown party")?;
        let tx = if r.licensed {
            &mut self.licensed
        } else {
            &mut self.unlicensed
        };
        tx.item = r.item;
        tx.consignee = Some(r.recipient);
        tx.end_user = Some(r.recipient);
        tx.destination = destination;
        match self.checker.verdict_for(tx, None) {
            Some(CgVerdict::Prohibited) => Ok(Verdict::Deny),
            Some(CgVerdict::Allowed) => Ok(Verdict::Allow),
            other => Err(format!("chipgate: unexpected verdict {other:?}")),
        }
    }
}
