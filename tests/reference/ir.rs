//! The reference checker for any rule set, the shipped pack included: it walks the compiled
//! conditions (`RuleSet::compiled`) and answers each test with the same naive helpers as the
//! hand-written rules (`super::Case`): group membership by scanning member windows,
//! classifications by evaluating their conditions on the item, ownership by plain graph search
//! and fixpoint iteration over the parsed facts. It shares the compiler with the product, so it
//! checks `chipgate::check` and `chipgate::world`; the hand-written rules check the compiler.

use chipgate::facts::{EndUse, EndUserSource, Kind, ListKind};
use chipgate::ir::{
    Cmp, Cond, LeadField, NumAttr, PartyPred, PartyRef, PlaceSet, Role, RouteMode, Test,
};
use chipgate::{Compiled, Date, RuleSet, TransactionFile, Verdict};

use super::{and, b, eccn_under, not, or, Case, Judgement, Truth, F, U};

fn holds(op: Cmp, a: f64, v: f64) -> bool {
    match op {
        Cmp::Ge => a >= v,
        Cmp::Gt => a > v,
        Cmp::Le => a <= v,
        Cmp::Lt => a < v,
        Cmp::Eq => a == v,
        Cmp::Ne => a != v,
    }
}

fn holds_date(op: Cmp, a: Date, v: Date) -> bool {
    match op {
        Cmp::Ge => a >= v,
        Cmp::Gt => a > v,
        Cmp::Le => a <= v,
        Cmp::Lt => a < v,
        Cmp::Eq => a == v,
        Cmp::Ne => a != v,
    }
}

struct Walker<'a> {
    ir: Compiled<'a>,
    case: Case<'a>,
}

impl Walker<'_> {
    /// A country is in a place set on the date: listed itself, or a member of a listed group
    /// in a window that holds the date (true); a member of one in an uncertain window only
    /// (unknown); else false.
    fn inside(&self, country: &str, places: &PlaceSet) -> Truth {
        let date = self.case.date;
        let sure = places.countries.iter().any(|c| c.to_string() == country)
            || places.groups.iter().any(|g| {
                self.ir.groups[usize::from(*g)]
                    .members
                    .iter()
                    .any(|(c, w)| c.to_string() == country && w.contains(date))
            });
        if sure {
            return Truth::T;
        }
        let maybe = places.groups.iter().any(|g| {
            self.ir.groups[usize::from(*g)]
                .uncertain
                .iter()
                .any(|u| u.country.to_string() == country && u.window.contains(date))
        });
        if maybe {
            U
        } else {
            F
        }
    }

    fn cond(&self, c: &Cond) -> Truth {
        match c {
            Cond::And(cs) => and(&cs.iter().map(|c| self.cond(c)).collect::<Vec<_>>()),
            Cond::Or(cs) => or(&cs.iter().map(|c| self.cond(c)).collect::<Vec<_>>()),
            Cond::Not(c) => not(self.cond(c)),
            Cond::Otherwise(a, b) => match self.cond(a) {
                U => self.cond(b),
                v => v,
            },
            // The product's precomputed item part: the reference walks what is inside.
            Cond::Item(c, _) => self.cond(c),
            Cond::Test(t, _) => self.test(t),
        }
    }

    fn number(&self, attr: NumAttr) -> Option<f64> {
        let item = self.case.item;
        match attr {
            NumAttr::Tpp => item.figures.get(NumAttr::Tpp),
            NumAttr::DieArea => item.figures.get(NumAttr::DieArea),
            NumAttr::PerformanceDensity => {
                item.figures.get(NumAttr::PerformanceDensity).or_else(|| {
                    Some(item.figures.get(NumAttr::Tpp)? / item.figures.get(NumAttr::DieArea)?)
                })
            }
            NumAttr::Interconnect => item.figures.get(NumAttr::Interconnect),
            NumAttr::MemoryBandwidth => item.figures.get(NumAttr::MemoryBandwidth),
            NumAttr::MemoryBandwidthDensity => item.figures.get(NumAttr::MemoryBandwidthDensity),
        }
    }

    /// The classifications in force on the date, as (ECCN, truth on this item).
    fn classes(&self) -> Vec<(&str, Truth)> {
        self.ir
            .classes
            .iter()
            .filter(|c| c.windows.iter().any(|w| w.contains(self.case.date)))
            .map(|c| {
                let when = self.cond(&c.when);
                let unless = c.unless.as_ref().map_or(F, |u| self.cond(u));
                (c.eccn.as_str(), and(&[when, not(unless)]))
            })
            .collect()
    }

    fn test(&self, t: &Test) -> Truth {
        let case = &self.case;
        let tx = case.tx;
        match t {
            Test::ItemIs { pattern, .. } => {
                let named: Vec<Truth> = self
                    .classes()
                    .into_iter()
                    .filter(|(eccn, _)| eccn_under(eccn, pattern))
                    .map(|(_, t)| t)
                    .collect();
                if named.is_empty() {
                    return F;
                }
                match (&case.item.eccn, or(&named)) {
                    (Some(declared), U) if eccn_under(declared, pattern) => Truth::T,
                    (Some(declared), U) if eccn_under(pattern, declared) => U,
                    (Some(_), U) => F,
                    (_, computed) => computed,
                }
            }
            Test::Declared { eccn } => b(case
                .item
                .eccn
                .as_deref()
                .is_some_and(|d| eccn_under(d, eccn))),
            Test::ItemEccnIn { patterns } => match &case.item.eccn {
                None => U,
                Some(d) => b(patterns.iter().any(|p| eccn_under(d, p))),
            },
            Test::ItemHts { prefixes } => match &case.item.hts {
                None => U,
                Some(h) if prefixes.iter().any(|p| h.starts_with(p.as_str())) => Truth::T,
                // A heading shorter than a listed code that begins with it: not settled.
                Some(h) if prefixes.iter().any(|p| p.starts_with(h.as_str())) => U,
                Some(_) => F,
            },
            Test::ItemDeveloperHq(places) => match &case.item.developer {
                None => self.inside(&case.item.origin.to_string(), places),
                Some(d) => match d.headquarters {
                    None => U,
                    Some(hq) => self.inside(&hq.to_string(), places),
                },
            },
            Test::Region(codes) => match &tx.region {
                None => U,
                Some(r) => b(codes.iter().any(|c| c == r.code())),
            },
            Test::ItemNum { attr, op, value } => {
                self.number(*attr).map_or(U, |x| b(holds(*op, x, *value)))
            }
            Test::ItemDatacenter => b(case.item.datacenter),
            Test::ItemOrigin(places) => self.inside(&case.item.origin.to_string(), places),
            Test::ItemForm(form) => b(case.item.form == *form),
            Test::ItemEccnDisagrees => {
                let Some(declared) = &case.item.eccn else {
                    return F;
                };
                let classes = self.classes();
                if classes.iter().any(|(_, t)| *t == U) {
                    return F;
                }
                let family = declared.split('.').next().unwrap_or("");
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
            Test::Quantity { op, value } => case.quantity(|q| holds(*op, q, *value)),
            Test::TotalTpp { op, value } => case.total_tpp(|t| holds(*op, t, *value)),
            Test::Date { op, date } => b(holds_date(*op, case.date, *date)),
            Test::Destination(places) => self.inside(&case.destination(), places),
            Test::EndUse(mask) => {
                let uses: Vec<EndUse> = EndUse::ALL
                    .into_iter()
                    .filter(|u| mask & u.bit() != 0)
                    .collect();
                case.end_use(&uses)
            }
            Test::Kind(mask) => b(Kind::ALL
                .into_iter()
                .any(|k| mask & k.bit() != 0 && k == tx.kind)),
            Test::Route { mode, places } => {
                let hops = case.hops();
                let last = hops.len().saturating_sub(1);
                or(&hops
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let at = match mode {
                            RouteMode::PassesThrough => i >= 1 && i < last,
                            RouteMode::Includes => true,
                            RouteMode::StartsIn => i == 0,
                            RouteMode::EndsIn => i == last,
                        };
                        if at {
                            self.inside(c, places)
                        } else {
                            F
                        }
                    })
                    .collect::<Vec<_>>())
            }
            Test::Authorized { kind, lead } => case.authorized(
                *kind,
                lead.map(|(field, days)| {
                    let word = match field {
                        LeadField::Notified => "notified",
                        LeadField::Issued => "issued",
                    };
                    (word, days)
                }),
            ),
            Test::Exception(i) => {
                let e = &self.ir.exceptions[usize::from(*i)];
                if e.windows.iter().any(|w| w.contains(case.date)) {
                    self.cond(&e.when)
                } else {
                    F
                }
            }
            Test::Party {
                party: PartyRef::Role(role),
                pred: PartyPred::Named,
            } => match role {
                Role::EndUser => b(tx.end_user_source == EndUserSource::Named),
                _ => b(self.one(&PartyRef::Role(*role)).is_ok()),
            },
            Test::Party { party, pred } => match party {
                PartyRef::AnyOwner { of, threshold } => {
                    let t = self.ir.needs.thresholds[usize::from(*threshold)];
                    match self.one(of) {
                        Err(v) => v,
                        Ok(p) => case.any_owner(Ok(p), (t.share.0, t.inclusive), |q| {
                            self.owner_pred(q, pred)
                        }),
                    }
                }
                _ => match self.one(party) {
                    Err(v) => v,
                    Ok(p) => self.pred(p, pred),
                },
            },
        }
    }

    /// A party expression that names one party, or the truth it gives when it cannot.
    fn one(&self, party: &PartyRef) -> Result<u32, Truth> {
        let tx = self.case.tx;
        match party {
            PartyRef::Role(Role::EndUser) if tx.end_user_source == EndUserSource::Unknown => Err(U),
            PartyRef::Role(role) => match role {
                Role::Sender => tx.sender,
                Role::Consignee => tx.consignee,
                Role::EndUser => tx.end_user,
                Role::Lessor => tx.lessor,
                Role::Lessee => tx.lessee,
                Role::Operator => self.case.operator().map(chipgate::facts::PartyId),
            }
            .map(|p| p.0)
            .ok_or(F),
            PartyRef::UltimateParent(inner) => {
                let base = self.one(inner)?;
                self.case.ultimate_parent(base)
            }
            PartyRef::AnyOwner { .. } => Err(U),
        }
    }

    /// A predicate asked of an owner up a chain: a listing counts from its `since`, its
    /// `until` not followed (the conservative reading ownership questions take).
    fn owner_pred(&self, p: u32, pred: &PartyPred) -> Truth {
        match pred {
            PartyPred::ListedOn(mask) => {
                let lists: Vec<ListKind> = ListKind::ALL
                    .into_iter()
                    .filter(|l| mask & l.bit() != 0)
                    .collect();
                self.case.listed_ever(p, &lists)
            }
            _ => self.pred(p, pred),
        }
    }

    fn pred(&self, p: u32, pred: &PartyPred) -> Truth {
        let party = self.case.party(p);
        match pred {
            PartyPred::HeadquarteredIn(places) => {
                self.inside(&party.headquarters.to_string(), places)
            }
            PartyPred::LocatedIn(places) => self.inside(&party.country.to_string(), places),
            PartyPred::Distributor => party.distributor.map_or(U, b),
            PartyPred::Named => Truth::T,
            PartyPred::ListedOn(mask) => {
                let lists: Vec<ListKind> = ListKind::ALL
                    .into_iter()
                    .filter(|l| mask & l.bit() != 0)
                    .collect();
                self.case.listed(p, &lists)
            }
            PartyPred::OwnedBy(i) => {
                let (t, mask) = self.ir.needs.aggregates[usize::from(*i)];
                let lists: Vec<ListKind> = ListKind::ALL
                    .into_iter()
                    .filter(|l| mask & l.bit() != 0)
                    .collect();
                self.case
                    .owned_by_listed(Ok(p), (t.share.0, t.inclusive), &lists)
            }
            PartyPred::Same(other) => self.case.same(Ok(p), self.one(other)),
        }
    }
}

/// Judges every transaction of a file with any rule set, walking its compiled conditions.
pub fn judge_file(rules: &RuleSet, file: &TransactionFile, as_of: Option<Date>) -> Vec<Judgement> {
    let ir = rules.compiled();
    file.transactions
        .iter()
        .map(|tx| {
            let date = as_of.unwrap_or(tx.date);
            let walker = Walker {
                ir,
                case: Case {
                    file,
                    tx,
                    item: &file.items[tx.item.index()],
                    date,
                },
            };
            let mut fired = Vec::new();
            for rule in ir.rules {
                if rule.kinds & tx.kind.bit() == 0 || !rule.windows.iter().any(|w| w.contains(date))
                {
                    continue;
                }
                let when = walker.cond(&rule.when);
                if when == F {
                    continue;
                }
                let unless = rule.unless.as_ref().map_or(F, |u| walker.cond(u));
                let text = chipgate::check::verdict_of(rule.outcome);
                let mut v = match (when, unless) {
                    (_, Truth::T) => Verdict::Allowed,
                    // An authorization must be shown: an unknown one leaves the requirement.
                    (Truth::T, _) => text,
                    _ if text == Verdict::Warning => Verdict::Warning,
                    _ => Verdict::Indeterminate,
                };
                if v >= Verdict::LicenseRequired
                    && (rule.unenforced.iter().any(|u| u.window.contains(date))
                        || rule.compliance.as_ref().is_some_and(|c| date < c.date))
                {
                    v = Verdict::Warning;
                }
                fired.push((rule.id.clone(), v));
            }
            let verdict = fired
                .iter()
                .map(|(_, v)| *v)
                .max()
                .unwrap_or(Verdict::Allowed);
            (tx.id.clone(), verdict, fired)
        })
        .collect()
}
