//! Every sentence chipgate says about a finding: the checker records what it tested as data
//! (`crate::finding::StepKind`), and this one layer words it — the explanation lines of every
//! format, the briefs inside other steps, the labels under underlined facts, the remedies and
//! the assumptions. A change of wording is a change here and nowhere else.

use std::collections::HashSet;

use crate::date::{Date, Window};
use crate::facts::{
    DestinationSource, EndUserSource, FactRef, FormSource, ItemId, PartyId, TransactionFile,
};
use crate::finding::step::{Auth, AuthMiss, Link, Member, ScopeMiss, What, Who};
use crate::finding::{Step, StepKind, Truth};
use crate::ir::{Cmp, LeadField, RouteMode, RuleSet};
use crate::vocab::{AuthKind, Form, NumAttr, Role};

/// Source lines named after one step of an explanation, at most.
const MAX_STEP_LINES: usize = 12;

/// Links of an ownership chain told in an explanation's text: the first and the last few.
const CHAIN_HEAD: usize = 6;
const CHAIN_TAIL: usize = 4;

/// A number as people write it: `4800`, `5.92`, `19.4496`.
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Words for the findings of one transaction file under one rule set: the names of its
/// parties and items, and the rule set's group titles.
pub struct Words<'a> {
    pub facts: &'a TransactionFile,
    pub rules: &'a RuleSet,
}

impl<'a> Words<'a> {
    pub fn new(facts: &'a TransactionFile, rules: &'a RuleSet) -> Words<'a> {
        Words { facts, rules }
    }

    /// "`sg-ai` (SG-AI Pte. Ltd.)".
    pub fn party(&self, p: PartyId) -> String {
        match self.facts.party(p) {
            Some(x) => format!("`{}` ({})", x.id, x.name),
            None => format!("party {p}"),
        }
    }

    fn who(&self, w: &Who) -> String {
        self.party(w.index)
    }

    /// "`h100` (NVIDIA H100 SXM5)".
    pub fn item(&self, i: ItemId) -> String {
        match self.facts.item(i) {
            Some(x) => format!("`{}` ({})", x.id, x.name),
            None => format!("item {i}"),
        }
    }

    fn what(&self, w: &What) -> String {
        self.item(w.index)
    }

    /// "is in D5 (Country Group D:5, member 2021-12-09 to 2026-02-03) on 2025-06-10", or
    /// "is not in [A5, A6] on …", or why it may or may not be.
    pub fn membership(&self, m: &Member) -> String {
        match m.holds {
            Truth::True => match &m.via {
                Some(v) => {
                    let when = v
                        .window
                        .map(|w| format!(", member {w}"))
                        .unwrap_or_default();
                    format!("is in {} ({}{when}) on {}", v.group, v.title, m.date)
                }
                None => format!("is in {}", m.places),
            },
            Truth::Unknown => match &m.uncertain {
                Some(u) => match (&u.group, u.window, &u.reason) {
                    (Some(g), Some(w), Some(r)) => format!(
                        "may or may not be in {g} on {} (membership uncertain {w}: {r})",
                        m.date
                    ),
                    _ => format!(
                        "may or may not be in {} on {} (a membership the sources do not date)",
                        m.places, m.date
                    ),
                },
                None => format!(
                    "may or may not be in {} on {} (a membership the sources do not date)",
                    m.places, m.date
                ),
            },
            Truth::False => format!("is not in {} on {}", m.places, m.date),
        }
    }

    /// The step in a sentence.
    pub fn step(&self, s: &Step) -> String {
        let text = self.kind(&s.kind, false);
        match s.lifted {
            None => text,
            Some(Truth::True) => format!("authorized: {text}"),
            Some(Truth::False) => format!("not authorized: {text}"),
            Some(Truth::Unknown) => format!("authorization undetermined: {text}"),
        }
    }

    /// A shorter form for summaries inside other steps ("item `h100` is 3A090.a"), where the
    /// full sentence would repeat arithmetic shown elsewhere.
    pub fn brief(&self, s: &Step) -> String {
        match &s.kind {
            StepKind::Classification {
                item,
                pattern,
                holds,
                ..
            } => format!("item `{}` {} {pattern}", item.id, verb(*holds)),
            StepKind::ByDeclaration {
                item,
                pattern,
                declared,
                holds,
            } => format!(
                "item `{}` {} {pattern} (declared {declared})",
                item.id,
                verb(*holds)
            ),
            _ => self.kind(&s.kind, false),
        }
    }

    /// The sentence for what a step tested, without the part of the rule it belongs to.
    pub fn test(&self, k: &StepKind) -> String {
        self.kind(k, false)
    }

    /// The sentence for a kind of step; `bare` leaves out the item a classification's own
    /// tests are about (they are told inside its sentence).
    fn kind(&self, k: &StepKind, bare: bool) -> String {
        use StepKind::*;
        let item = |w: &What| -> String {
            if bare {
                String::new()
            } else {
                format!("item {}", self.what(w))
            }
        };
        // "item X: tpp …" told bare is "tpp …"; "item X is …" is "is …".
        let with = |w: &What, rest: String| -> String {
            if bare {
                rest
            } else {
                format!("{} {rest}", item(w))
            }
        };
        match k {
            FigureMissing { item: i, attr } => with(i, format!("has no `{}`", attr.key())),
            Figure {
                item: i,
                attr,
                value,
                op,
                threshold,
                holds,
            } => {
                let rest = format!("{} {} {} {}", attr.key(), num(*value), rel(*op, *holds), num(*threshold));
                if bare {
                    rest
                } else {
                    format!("{}: {rest}", item(i))
                }
            }
            Datacenter {
                item: i,
                value,
                given,
            } => {
                let not = if *value { "" } else { "not " };
                let how = if *given {
                    ""
                } else {
                    " (`datacenter` not given, taken as true)"
                };
                with(i, format!("is {not}designed or marketed for data centres{how}"))
            }
            Origin {
                item: i,
                given,
                member,
            } => {
                let how = if *given {
                    ""
                } else {
                    " (origin not given, taken as US)"
                };
                with(
                    i,
                    format!(
                        "originates in {}{how}, which {}",
                        member.country,
                        self.membership(member)
                    ),
                )
            }
            DeveloperFromOrigin {
                item: i,
                given,
                member,
            } => {
                let how = if *given {
                    ""
                } else {
                    ", origin not given, taken as US"
                };
                with(
                    i,
                    format!(
                        "names no developer; its origin {} stands for where it was designed ({}{how}), which {}",
                        member.country,
                        member.country,
                        self.membership(member)
                    ),
                )
            }
            DeveloperUnknown { item: i, developer } => with(
                i,
                format!("was developed by {developer}, whose headquarters are not known: name it as a party of the file with its `headquarters`"),
            ),
            Developer {
                item: i,
                developer,
                headquarters,
                source,
                member,
            } => with(
                i,
                format!(
                    "was developed by {developer}, headquartered in {headquarters} ({source}), which {}",
                    self.membership(member)
                ),
            ),
            Form {
                item: i,
                form,
                source,
                declared,
            } => {
                let what = match form {
                    crate::vocab::Form::Ic => "an integrated circuit",
                    crate::vocab::Form::Computer => {
                        "a computer or assembly containing integrated circuits"
                    }
                    crate::vocab::Form::Memory => "a memory part",
                };
                let how = match source {
                    FormSource::Given => String::new(),
                    FormSource::DeclaredEccn => format!(
                        " (from its declared ECCN {})",
                        declared.as_deref().unwrap_or("")
                    ),
                    FormSource::Default => {
                        " (form not given, taken as an integrated circuit)".to_string()
                    }
                };
                with(i, format!("is {what}{how}"))
            }
            Declared { item: i, declared } => match declared {
                Some(d) => with(i, format!("is declared {d}")),
                None => with(i, "declares no ECCN".to_string()),
            },
            EccnNotDeclared { item: i } => with(i, "declares no `eccn`".to_string()),
            EccnIn {
                item: i,
                declared,
                patterns,
                holds,
            } => with(
                i,
                format!(
                    "is declared {declared}, which {} in [{}] (the answer relies on the declared classification)",
                    if *holds { "is" } else { "is not" },
                    patterns.join(", ")
                ),
            ),
            HtsMissing {
                item: i,
                tested,
                codes,
            } => with(
                i,
                format!(
                    "gives no `hts` code (needed: is it under {}?)",
                    codes_text(codes, *tested)
                ),
            ),
            Hts {
                item: i,
                hts,
                holds,
                under,
                tested,
            } => match (holds, under) {
                (Truth::True, Some(p)) => with(i, format!("has HTS code {hts}, under {p}")),
                (Truth::Unknown, _) => with(
                    i,
                    format!("gives the HTS code {hts}, which the list splits into longer codes: give the code to six digits or more"),
                ),
                _ => with(
                    i,
                    format!("has HTS code {hts}, under none of the {tested} codes tested"),
                ),
            },
            NotInForce { pattern, date } => {
                format!("no classification {pattern} is in force on {date}")
            }
            ByDeclaration {
                item: i,
                pattern,
                declared,
                holds,
            } => {
                let name = self.what(i);
                match holds {
                    Truth::True => format!("item {name} is {pattern}: its declared ECCN is {declared}, and the figures given do not contradict it (the answer relies on the declared classification)"),
                    Truth::False => format!("item {name} is not {pattern}: its declared ECCN is {declared}, and the figures given do not contradict it (the answer relies on the declared classification)"),
                    Truth::Unknown => format!("item {name} may be {pattern}: its declared ECCN {declared} does not give the paragraph, and its figures are incomplete"),
                }
            }
            Classification {
                item: i,
                pattern,
                date,
                holds,
                reasons,
                cites,
                ask,
            } => {
                let mut text = format!("item {} {} {pattern} on {date}", self.what(i), verb(*holds));
                // One line: the classification, the figures that decided it, the citation.
                // A block is named ("not 3A090.a: …") when the pattern has several and the
                // item does not meet them.
                let told: Vec<String> = reasons
                    .iter()
                    .flat_map(|block| {
                        let eccn = &block.eccn;
                        block
                            .steps
                            .iter()
                            .filter(|s| !s.facts.is_empty() || s.missing)
                            .map(move |s| {
                                let bare = self.kind(&s.kind, true);
                                match eccn {
                                    Some(e) => format!("not {e}: {bare}"),
                                    None => bare,
                                }
                            })
                    })
                    .collect();
                // Blocks share tests (`has no \`tpp\``): each is told once.
                let mut once: Vec<&str> = Vec::with_capacity(told.len());
                for t in &told {
                    if !once.contains(&t.as_str()) {
                        once.push(t);
                    }
                }
                if !once.is_empty() {
                    text = format!("{text}: {}", once.join("; "));
                }
                if !cites.is_empty() {
                    text = format!("{text} [{}]", cites.join("; "));
                }
                if *ask {
                    text = format!("{text}: give its specifications or its declared `eccn`");
                }
                text
            }
            EccnDisagrees {
                item: i,
                declared,
                found,
                date,
            } => {
                let found = if found.is_empty() {
                    "none of the classified ECCNs".to_string()
                } else {
                    found.join(", ")
                };
                format!(
                    "item {} declares ECCN {declared}, but its specifications give {found} on {date}",
                    self.what(i)
                )
            }
            QuantityMissing { total } => format!("the {} is not known", quantity_word(*total)),
            Quantity {
                total,
                value,
                op,
                threshold,
                holds,
            } => format!(
                "{} {} {} {}",
                quantity_word(*total),
                num(*value),
                rel(*op, *holds),
                num(*threshold)
            ),
            Date {
                date,
                op,
                compared_to,
                holds,
            } => format!("transaction date {date} {} {compared_to}", rel(*op, *holds)),
            Destination {
                source,
                end_user_known,
                member,
            } => {
                let how = match (source, end_user_known) {
                    (DestinationSource::Given, _) => "",
                    (DestinationSource::Facility, _) => " (the facility's country)",
                    (DestinationSource::RouteEnd, _) => {
                        " (the route's last country: the ultimate destination)"
                    }
                    (DestinationSource::EndUser, true) => " (the end user's country)",
                    (DestinationSource::EndUser, false) => {
                        " (the consignee's country; the end user is not known)"
                    }
                };
                format!("destination {}{how} {}", member.country, self.membership(member))
            }
            RegionMissing { tx, codes } => format!(
                "transaction `{tx}` does not give the destination's `region` (needed: is it in {}?)",
                codes.join(", ")
            ),
            Region {
                region,
                codes,
                holds,
            } => format!(
                "the destination's region is {region}, which {} one of {}",
                if *holds { "is" } else { "is not" },
                codes.join(", ")
            ),
            EndUseMissing { tx } => format!("transaction `{tx}` does not state its `end_use`"),
            EndUse { end_use } => format!("end use is {}", end_use.word()),
            Kind { kind } => format!(
                "the transaction is a{} {}",
                if *kind == crate::vocab::Kind::Export {
                    "n"
                } else {
                    ""
                },
                kind.word()
            ),
            RouteHop {
                hops,
                given,
                mode,
                places,
                hop,
                member,
            } => format!(
                "{} {} {places} at hop {} ({} {})",
                route_shown(hops, *given),
                mode_word(*mode),
                hop + 1,
                member.country,
                self.membership(member)
            ),
            RouteUncertain {
                hops,
                given,
                hop,
                member,
            } => format!(
                "{}: hop {} ({}) {}",
                route_shown(hops, *given),
                hop + 1,
                member.country,
                self.membership(member)
            ),
            RouteMiss {
                hops,
                given,
                mode,
                places,
                date,
            } => format!(
                "{}: it does not {} {places} on {date}",
                route_shown(hops, *given),
                mode_verb(*mode)
            ),
            Authorized {
                auth,
                issued,
                lead,
                unscoped,
            } => {
                let text = match lead {
                    None => {
                        let when = issued.map(|d| format!(" issued {d}")).unwrap_or_default();
                        format!("{}{when} is on file", auth_label(auth))
                    }
                    Some(m) => format!(
                        "{} {} {}, {} days before {} (at least {} needed)",
                        auth_label(auth),
                        lead_word(m.field),
                        m.on,
                        m.days_before,
                        m.on.plus_days(m.days_before),
                        m.needs
                    ),
                };
                if *unscoped {
                    format!("{text}; it states no scope (items, parties, destination, quantity), so its scope was not checked")
                } else {
                    format!("{text}, and its stated scope covers this transaction")
                }
            }
            NotOnFile { kind, lead, date } => {
                let need = match lead {
                    Some((LeadField::Notified, days)) => {
                        format!(" notified at least {days} days before {date}")
                    }
                    Some((LeadField::Issued, days)) => {
                        format!(" issued at least {days} days before {date}")
                    }
                    None => String::new(),
                };
                format!("no {}{need} is on file", kind.word())
            }
            NotAuthorizing { auth, miss, date } => {
                let label = auth_label(auth);
                match miss {
                    AuthMiss::IssuedAfter { issued } => format!(
                        "{label} was issued {issued}, after the transaction date {date}"
                    ),
                    AuthMiss::Expired { expires } => format!(
                        "{label} expired {expires}, on or before the transaction date {date}"
                    ),
                    // A scope the transaction leaves open (no quantity, an unknown end user)
                    // neither covers it nor fails to.
                    AuthMiss::Scope {
                        miss:
                            miss @ (ScopeMiss::Quantity { needs: None, .. }
                            | ScopeMiss::EndUserUnknown { .. }),
                    } => format!(
                        "whether {label} covers this transaction cannot be decided: {}",
                        self.scope_miss(miss)
                    ),
                    AuthMiss::Scope { miss } => format!(
                        "{label} does not cover this transaction: {}",
                        self.scope_miss(miss)
                    ),
                    AuthMiss::NoLeadDate { field, days } => {
                        let word = lead_word(*field);
                        format!("{label} on file gives no `{word}` date: cannot tell whether it was {word} at least {days} days before {date}")
                    }
                    AuthMiss::TooLate {
                        field,
                        on,
                        days_before,
                        needs,
                        deadline,
                    } => format!(
                        "{label} {} {on}, only {} days before {date}; needs at least {needs} (on or before {deadline})",
                        lead_word(*field),
                        (*days_before).max(0)
                    ),
                }
            }
            ExceptionOutOfForce {
                title,
                windows,
                date,
                ..
            } => {
                let when: Vec<String> = windows.iter().map(|w| w.to_string()).collect();
                format!(
                    "{title} is not available on {date} (available {})",
                    when.join(", ")
                )
            }
            Exception {
                title,
                holds,
                steps,
                ..
            } => {
                let verdict = match holds {
                    Truth::True => "applies",
                    Truth::False => "does not apply",
                    Truth::Unknown => "may apply",
                };
                // Each reason once: a condition may test the same fact on several branches.
                let mut reasons: Vec<String> = Vec::with_capacity(steps.len());
                for s in steps {
                    let r = self.brief(s);
                    if !reasons.contains(&r) {
                        reasons.push(r);
                    }
                }
                format!("{title} {verdict}: {}", reasons.join("; "))
            }
            NoRole { role } => format!("the transaction names no {}", role.label()),
            EndUserUnknown { tx } => format!(
                "the end user of transaction `{tx}` is not known (`end_user: unknown`): name it to decide"
            ),
            UltimateParent { party, top, chain } => format!(
                "the ultimate parent of {} is {}: {}",
                self.who(party),
                self.who(top),
                chain_text(chain)
            ),
            OwnParent { party } => format!(
                "{} has no majority owner, so it is its own ultimate parent",
                self.who(party)
            ),
            ParentUnknown { party, at } => format!(
                "the ultimate parent of {} is unknown: an owner's share of {} is not given, and it could be a majority",
                self.who(party),
                self.who(at)
            ),
            ParentCycle { party, at } => format!(
                "the majority owners above {} loop back to {}: there is no ultimate parent",
                self.who(party),
                self.who(at)
            ),
            Place {
                party,
                headquarters,
                member,
            } => format!(
                "{} {} {}, which {}",
                self.who(party),
                if *headquarters {
                    "is headquartered in"
                } else {
                    "is located in"
                },
                member.country,
                self.membership(member)
            ),
            Distributor { party, value } => match value {
                Some(d) => format!(
                    "{} is {}a distributor",
                    self.who(party),
                    if *d { "" } else { "not " }
                ),
                None => format!(
                    "the file does not say whether {} is a distributor (`distributor: true` or `false`)",
                    self.who(party)
                ),
            },
            Named {
                role,
                source,
                holds,
            } => match (role, source) {
                (Role::EndUser, EndUserSource::Named) => "the file names the end user".to_string(),
                (Role::EndUser, EndUserSource::Unknown) => {
                    "the file says the end user is not known (`end_user: unknown`)".to_string()
                }
                (Role::EndUser, EndUserSource::Defaulted) => {
                    "no end user is named (the consignee is taken as the end user)".to_string()
                }
                (r, _) if *holds => format!("the file names the {}", r.label()),
                (r, _) => format!("the transaction names no {}", r.label()),
            },
            Listed {
                party,
                list,
                since,
                until,
                entry,
                federal_register_notice,
                license_requirement,
                license_policy,
            } => {
                let since = since.map(|s| format!(" since {s}")).unwrap_or_default();
                let until = until.map(|u| format!(" until {u}")).unwrap_or_default();
                let mut about: Vec<String> = Vec::new();
                if let Some(e) = entry {
                    about.push(format!("entry {e}"));
                }
                if let Some(n) = federal_register_notice {
                    about.push(n.clone());
                }
                if let Some(r) = license_requirement {
                    about.push(format!("license requirement: {r}"));
                }
                if let Some(p) = license_policy {
                    about.push(format!("review policy: {p}"));
                }
                let about = if about.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", about.join("; "))
                };
                format!(
                    "{} is on the {}{since}{until}{about}",
                    self.who(party),
                    list_title(list)
                )
            }
            ListedOutsideEntry {
                party,
                list,
                entry,
                license_requirement,
                item,
                declared,
            } => {
                let entry = entry
                    .as_ref()
                    .map(|e| format!(" (entry {e})"))
                    .unwrap_or_default();
                let reach = match declared {
                    Some(d) => format!(
                        "which does not reach item {} declared {d} (15 CFR 744.16(a); the answer relies on the declared classification)",
                        item.id
                    ),
                    None => format!(
                        "which reaches item {} only if it is not EAR99, and it declares no ECCN: give its `eccn`",
                        item.id
                    ),
                };
                format!(
                    "{} is on the {}{entry}, whose license requirement reads \"{license_requirement}\", {reach}",
                    self.who(party),
                    list_title(list)
                )
            }
            PossibleMatch {
                party,
                list,
                entry,
                matched_name,
                score,
                list_file,
                line,
            } => format!(
                "{} possibly matches entry {entry} of the {} (\"{matched_name}\", score {score:.0}, {list_file}:{line}): possible match, review it and record the decision as `screening: [{{entry: {entry}, decision: cleared or confirmed, by, on, reason}}]`",
                self.who(party),
                list_title(list)
            ),
            NotListed {
                party,
                lists,
                date,
                other,
                screened,
            } => {
                let other: Vec<String> = other
                    .iter()
                    .filter_map(|(title, from, until)| match (from, until) {
                        (Some(f), _) if f > date => Some(format!("on the {title} from {f}")),
                        (_, Some(u)) if u <= date => Some(format!("on the {title} until {u}")),
                        _ => None,
                    })
                    .collect();
                let extra = if other.is_empty() {
                    String::new()
                } else {
                    format!(" (designated at other dates: {})", other.join(", "))
                };
                if screened.is_empty() {
                    format!(
                        "no designation on the {} is given for {} in the file on {date}{extra} (the parties were not screened against a list)",
                        list_titles(lists),
                        self.who(party)
                    )
                } else {
                    format!(
                        "{} is not on the {} on {date}{extra}: neither the file nor the screening lists ({}) designate it",
                        self.who(party),
                        list_titles(lists),
                        screened.join(", ")
                    )
                }
            }
            Aggregate {
                party,
                lists,
                counted,
                total,
                threshold,
                holds,
                date,
            } => {
                if counted.is_empty() {
                    return match &self.facts.screened {
                        None => format!(
                            "no owner of {} is given a designation on the {} in the file on {date} (the parties were not screened against a list)",
                            self.who(party),
                            list_titles(lists)
                        ),
                        Some(s) => format!(
                            "no owner of {} is on the {} on {date}: neither the file nor the screening lists ({}) designate one",
                            self.who(party),
                            list_titles(lists),
                            s.lists.iter().map(|l| l.file.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    };
                }
                let parts: Vec<String> = counted
                    .iter()
                    .map(|c| {
                        let share = c
                            .share
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| "an unknown share".into());
                        let why = match &c.listed {
                            Some((list, Some(since))) => {
                                format!("{} since {since}", list_title(list))
                            }
                            Some((list, None)) => list_title(list).to_string(),
                            None => format!("itself owned {threshold} by listed parties"),
                        };
                        format!("`{}` holds {share} ({why})", c.owner.id)
                    })
                    .collect();
                let verdict = match holds {
                    Some(Truth::True) => format!("{}% in aggregate, {threshold}", num(*total)),
                    Some(Truth::Unknown) => format!(
                        "{}% known in aggregate; the unknown shares could reach {threshold}",
                        num(*total)
                    ),
                    Some(Truth::False) => format!(
                        "{}% in aggregate, less than {}",
                        num(*total),
                        threshold
                            .replace("at least ", "")
                            .replace("more than ", "")
                    ),
                    None => format!("{}% in aggregate", num(*total)),
                };
                format!("{}: {}: {verdict}", self.who(party), parts.join(" + "))
            }
            Same { a, b } => {
                if a.index == b.index {
                    format!("{} is both", self.who(a))
                } else {
                    format!("{} and {} are different parties", self.who(a), self.who(b))
                }
            }
            OwnerPath {
                party,
                threshold,
                chain,
                unknown,
            } => {
                let head = format!(
                    "an owner of {} {threshold} at every link: {}",
                    self.who(party),
                    chain_text(chain)
                );
                if *unknown {
                    format!("{head} (a share on this chain is unknown)")
                } else {
                    head
                }
            }
            NoOwnerPath { party, threshold } => format!(
                "no owner of {} holding {threshold} (at every link) meets the test",
                self.who(party)
            ),
        }
    }

    fn scope_miss(&self, m: &ScopeMiss) -> String {
        let party = |w: &Who| format!("`{}`", w.id);
        match m {
            ScopeMiss::Items { named, item } => {
                let named: Vec<String> = named.iter().map(|i| format!("`{i}`")).collect();
                format!("it names the items {}, not `{item}`", named.join(", "))
            }
            ScopeMiss::Consignee { named, actual } => format!(
                "it names the consignee {}, not {}",
                party(named),
                actual.as_ref().map_or_else(|| "none".to_string(), party)
            ),
            ScopeMiss::EndUserUnknown { named } => format!(
                "it names the end user {}, and this transaction's end user is not known",
                party(named)
            ),
            ScopeMiss::EndUser { named, actual } => format!(
                "it names the end user {}, not {}",
                party(named),
                actual.as_ref().map_or_else(|| "none".to_string(), party)
            ),
            ScopeMiss::Destination { named, actual } => {
                format!("it names the destination {named}, not {actual}")
            }
            ScopeMiss::Quantity {
                covers,
                used,
                needs,
            } => match needs {
                Some(n) => format!("it covers {covers} units; the file's earlier transactions under it used {used}, and this one needs {n} more"),
                None => format!("it covers {covers} units ({used} used by earlier transactions), and this transaction gives no `quantity`"),
            },
        }
    }

    /// A step with the file positions of the facts it used: "… (deal.yaml:12,13)".
    pub fn with_lines(&self, s: &Step) -> String {
        self.located(&self.step(s), &s.facts)
    }

    /// A sentence followed by the lines of the facts it rests on: "… (deal.yaml:12,13)", or
    /// with facts from a facts file too, "… (deal.csv:4; master.yaml:12)".
    pub fn located(&self, text: &str, facts: &[FactRef]) -> String {
        // Each line once, in the order the reasoning used them ("17,18", not "17,18,17,18"),
        // grouped by file (the transaction file's first).
        let mut files: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut seen = HashSet::new();
        for f in facts {
            let (source, span) = self.facts.fact_loc(*f);
            let line = source.line_col(span.start).0;
            if !seen.insert((source.name(), line)) {
                continue;
            }
            match files.iter_mut().find(|(n, _)| *n == source.name()) {
                Some((_, lines)) => lines.push(line),
                None => files.push((source.name(), vec![line])),
            }
        }
        if files.is_empty() {
            return text.to_string();
        }
        files.sort_by_key(|(n, _)| *n != self.facts.source.name());
        // A long ownership chain uses a line per link: name the first few and count the rest
        // (the finding's evidence lists every one).
        let parts: Vec<String> = files
            .iter()
            .map(|(name, lines)| {
                let more = lines.len().saturating_sub(MAX_STEP_LINES);
                let mut at: Vec<String> = lines
                    .iter()
                    .take(MAX_STEP_LINES)
                    .map(|l| l.to_string())
                    .collect();
                if more > 0 {
                    at.push(format!("… and {more} more lines"));
                }
                format!("{name}:{}", at.join(","))
            })
            .collect();
        format!("{text} ({})", parts.join("; "))
    }

    /// A classification's tests, told without the item they are about ("tpp 15832 >= 4800").
    pub fn bare(&self, s: &Step) -> String {
        self.kind(&s.kind, true)
    }

    /// A fact in a few words, for the label under it.
    pub fn fact(&self, fact: FactRef) -> String {
        let f = self.facts;
        let party_id = |p: PartyId| f.party(p).map_or("?", |x| x.id.as_str()).to_string();
        match fact {
            FactRef::Party(p, "country") => format!(
                "`{}` is located in {}",
                party_id(p),
                f.party(p)
                    .map(|x| x.country.to_string())
                    .unwrap_or_default()
            ),
            FactRef::Party(p, "headquarters") => format!(
                "`{}` is headquartered in {}",
                party_id(p),
                f.party(p)
                    .map(|x| x.headquarters.to_string())
                    .unwrap_or_default()
            ),
            FactRef::Party(p, "owners") => format!("owners of `{}`", party_id(p)),
            FactRef::Party(p, _) => format!("`{}`", party_id(p)),
            FactRef::Owner { party, entry } => {
                let o = f.party(party).and_then(|x| x.owners.get(entry as usize));
                let share = o
                    .and_then(|o| o.share)
                    .map_or_else(|| "an unknown share".to_string(), |s| s.to_string());
                format!(
                    "`{}` holds {share} of `{}`",
                    o.map(|o| party_id(o.owner)).unwrap_or_default(),
                    party_id(party)
                )
            }
            FactRef::Designation { party, entry } => {
                let d = f.party(party).and_then(|x| x.lists.get(entry as usize));
                let since = d
                    .and_then(|d| d.since)
                    .map(|s| format!(" since {s}"))
                    .unwrap_or_default();
                let screened = d
                    .and_then(|d| d.screened.as_deref().map(|s| (d, s)))
                    .map(|(d, s)| {
                        let confirmed = s
                            .confirmed
                            .as_ref()
                            .map(|c| format!("; confirmed by {} on {}", c.by, c.on))
                            .unwrap_or_default();
                        format!(
                            " (screening: entry {} of {}:{}, \"{}\", score {:.0}{confirmed})",
                            d.entry.as_deref().unwrap_or("?"),
                            s.list_file,
                            s.line,
                            s.matched_name,
                            s.score
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "`{}` on the {}{since}{screened}",
                    party_id(party),
                    d.map_or("list", |d| d.list.title())
                )
            }
            FactRef::Item(i, key) => {
                let item = f.item(i);
                let value = item.and_then(|it| it.figures.get(NumAttr::parse(key)?));
                match (key, value, item) {
                    (_, Some(v), _) => {
                        format!("{} {}", key.replace('_', " "), (v * 100.0).round() / 100.0)
                    }
                    ("datacenter", _, Some(it)) => {
                        if it.datacenter {
                            "data-centre item".into()
                        } else {
                            "not a data-centre item".into()
                        }
                    }
                    ("origin", _, Some(it)) => format!("made in {}", it.origin),
                    ("eccn", _, Some(it)) => {
                        format!("declared {}", it.eccn.as_deref().unwrap_or(""))
                    }
                    (k, _, Some(it)) => format!("`{}` {}", it.id, k.replace('_', " ")),
                    _ => key.to_string(),
                }
            }
            FactRef::Facility(i, key) => {
                let fac = f.facilities.get(i.index());
                match (key, fac) {
                    ("country", Some(x)) => format!("facility `{}` in {}", x.id, x.country),
                    (_, Some(x)) => format!("facility `{}`", x.id),
                    _ => "facility".into(),
                }
            }
            FactRef::Transaction(t, key) => {
                let tx = f.transactions.get(t.index());
                match (key, tx) {
                    ("kind", Some(tx)) => format!(
                        "the transaction is a{} {}",
                        if tx.kind.word().starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "n"
                        } else {
                            ""
                        },
                        tx.kind.word()
                    ),
                    ("end_use", Some(tx)) => match tx.end_use {
                        Some(u) => format!("end use {}", u.word()),
                        None => "no end use given".into(),
                    },
                    ("quantity", Some(tx)) => match tx.quantity {
                        Some(q) => format!("quantity {q}"),
                        None => "no quantity given".into(),
                    },
                    ("date", Some(tx)) => format!("dated {}", tx.date),
                    _ => key.replace('_', " "),
                }
            }
            FactRef::RouteHop { tx, hop } => {
                let c = f
                    .transactions
                    .get(tx.index())
                    .and_then(|t| t.route.get(hop as usize));
                format!(
                    "hop {}: {}",
                    hop + 1,
                    c.map(|c| c.to_string()).unwrap_or_default()
                )
            }
            FactRef::Authorization { tx, entry } => {
                let a = f
                    .transactions
                    .get(tx.index())
                    .and_then(|t| t.authorizations.get(entry as usize));
                match a {
                    Some(a) => format!(
                        "{} {}",
                        a.kind.word(),
                        a.number
                            .as_deref()
                            .or(a.confirmation.as_deref())
                            .unwrap_or("")
                    )
                    .trim()
                    .to_string(),
                    None => "authorization".into(),
                }
            }
            FactRef::AuthorizationField { key, .. } => format!("its {}", key.replace('_', " ")),
        }
    }
}

/// `parties[2].headquarters`: where a fact sits, as a path into the file.
pub fn fact_path(fact: FactRef) -> String {
    match fact {
        FactRef::Party(p, k) => format!("parties[{p}].{k}"),
        FactRef::Owner { party, entry } => format!("parties[{party}].owners[{entry}]"),
        FactRef::Designation { party, entry } => format!("parties[{party}].lists[{entry}]"),
        FactRef::Item(i, k) => format!("items[{i}].{k}"),
        FactRef::Facility(i, k) => format!("facilities[{i}].{k}"),
        FactRef::Transaction(t, k) => format!("transactions[{t}].{k}"),
        FactRef::RouteHop { tx, hop } => format!("transactions[{tx}].route[{hop}]"),
        FactRef::Authorization { tx, entry } => {
            format!("transactions[{tx}].authorizations[{entry}]")
        }
        FactRef::AuthorizationField { tx, entry, key } => {
            format!("transactions[{tx}].authorizations[{entry}].{key}")
        }
    }
}

fn verb(holds: Truth) -> &'static str {
    match holds {
        Truth::True => "is",
        Truth::False => "is not",
        Truth::Unknown => "may be",
    }
}

/// `>=`, or `not >=` when the comparison fails.
fn rel(op: Cmp, holds: bool) -> String {
    if holds {
        op.symbol().to_string()
    } else {
        format!("not {}", op.symbol())
    }
}

fn quantity_word(total: bool) -> &'static str {
    if total {
        "total TPP (quantity × tpp)"
    } else {
        "quantity"
    }
}

fn lead_word(field: LeadField) -> &'static str {
    match field {
        LeadField::Notified => "notified",
        LeadField::Issued => "issued",
    }
}

/// "NAC A123456", "NAC (confirmation A123456)", "license".
fn auth_label(a: &Auth) -> String {
    match (&a.number, &a.confirmation) {
        (Some(n), _) => format!("{} {n}", a.kind.word()),
        (None, Some(c)) => format!("{} (confirmation {c})", a.kind.word()),
        (None, None) => a.kind.word().to_string(),
    }
}

/// "HTS 8471, 8473" for a few codes, "one of the 2405 HTS codes tested" for a list.
fn codes_text(codes: &[String], tested: usize) -> String {
    if tested <= 8 {
        format!("HTS {}", codes.join(", "))
    } else {
        format!("one of the {tested} HTS codes tested")
    }
}

fn route_shown(hops: &[crate::country::Country], given: bool) -> String {
    let text: Vec<String> = hops.iter().map(|c| c.to_string()).collect();
    if given {
        format!("route {}", text.join(" → "))
    } else if hops.is_empty() {
        "no route (a lease ships nothing)".to_string()
    } else {
        format!("no route given, so direct: {}", text.join(" → "))
    }
}

fn mode_word(mode: RouteMode) -> &'static str {
    match mode {
        RouteMode::PassesThrough => "passes through",
        RouteMode::Includes => "includes",
        RouteMode::StartsIn => "starts in",
        RouteMode::EndsIn => "ends in",
    }
}

fn mode_verb(mode: RouteMode) -> &'static str {
    match mode {
        RouteMode::PassesThrough => "pass through",
        RouteMode::Includes => "include",
        RouteMode::StartsIn => "start in",
        RouteMode::EndsIn => "end in",
    }
}

/// A list's title from its word (`entity-list` → "Entity List").
fn list_title(word: &str) -> &'static str {
    crate::vocab::ListKind::parse(word).map_or("list", |l| l.title())
}

fn list_titles(words: &[String]) -> String {
    let names: Vec<&str> = words.iter().map(|w| list_title(w)).collect();
    names.join(" or ")
}

/// "`sg-ai` is owned 60% by `sz-parent`, which …": a chain of links told by its ends when
/// long (the witness keeps every link).
fn chain_text(chain: &[Link]) -> String {
    let mut text = String::new();
    let hidden = chain.len().saturating_sub(CHAIN_HEAD + CHAIN_TAIL);
    for (i, link) in chain.iter().enumerate() {
        if i == 0 {
            text.push_str(&format!("`{}`", link.owned.id));
        }
        if hidden > 0 && i == CHAIN_HEAD {
            let resumed = chain
                .get(CHAIN_HEAD + hidden)
                .map_or("?", |l| l.owned.id.as_str());
            text.push_str(&format!(
                " is owned through {hidden} more links (each one in the witness) by \
                 `{resumed}`, which"
            ));
        }
        if hidden == 0 || i < CHAIN_HEAD || i >= CHAIN_HEAD + hidden {
            let share = link
                .share
                .map(|s| s.to_string())
                .unwrap_or_else(|| "an unknown share".into());
            text.push_str(&format!(" is owned {share} by `{}`", link.owner.id));
            if i + 1 < chain.len() {
                text.push_str(", which");
            }
        }
    }
    text
}

/// What to do to authorize a transaction with an authorization of a kind: the license
/// exception it claims (as the rule pack declares it), its lead time (days, and the last day to
/// meet it) and, for a license, the review policy it would meet.
pub fn remedy(
    kind: AuthKind,
    exception: Option<&crate::finding::ExceptionRef>,
    lead: Option<(i32, Date)>,
    policy: Option<&str>,
) -> String {
    let name = exception.map_or_else(
        || kind.word().to_string(),
        |e| format!("License Exception {}", e.name),
    );
    let cite = exception
        .and_then(|e| e.cites.first())
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    match kind {
        AuthKind::License => match policy {
            Some(p) => format!("a license on file would authorize it (review policy: {p})"),
            None => "a license on file would authorize it".to_string(),
        },
        AuthKind::Nac => match lead {
            Some((days, by)) => format!(
                "{name} is available: file a NAC notification in SNAP-R at least {days} days before shipping (on or before {by}) and record it as `type: NAC` with its `notified` date"
            ),
            None => format!("{name} is available: record the NAC notification (`type: NAC`)"),
        },
        AuthKind::Aca => format!("{name} is available: no notification is needed; record it as `type: ACA`"),
        AuthKind::Hbm => format!("{name} may be used if all its conditions{cite} are met: record it as `type: HBM`"),
        AuthKind::Permit => "a permit on file would authorize it: record it as `type: permit`".to_string(),
    }
}

/// A check stopped at the step limit: what happened, and what to do.
pub fn stopped(tx: &str, s: &crate::finding::Stopped) -> (String, String) {
    (
        format!(
            "checking transaction `{tx}` stopped at the step limit ({} steps): the rules not judged by then may have required a license or prohibited it, so this is not a clearance",
            s.limit
        ),
        "its ownership graph is too large to walk within the limit: raise it with --max-steps-per-transaction".to_string(),
    )
}

/// The window of a membership, unless it is always.
pub fn window_if_dated(w: Window) -> Option<Window> {
    (w.from != Date::MIN || w.until != Date::MAX).then_some(w)
}

/// The words an authorization kind is recorded with in a file.
pub fn auth_kind_word(k: AuthKind) -> &'static str {
    k.word()
}

/// The form words for an item form.
pub fn form_word(f: Form) -> &'static str {
    f.word()
}

/// What an item took from the catalogue, for its transactions' assumptions: each figure
/// with its value, certainty and source, the figures the file gave instead, and the other
/// facts filled in.
pub fn catalogue_use(item: &str, m: &crate::facts::ModelUse) -> String {
    let figures: Vec<String> = m
        .figures
        .iter()
        .map(|(attr, f)| {
            format!(
                "{} {} ({}; {})",
                attr.key(),
                trim_number(f.value),
                f.certainty,
                f.source
            )
        })
        .collect();
    let mut out = format!(
        "item {item} is the catalogue's `{}` (`model: {}`, rules/catalogue.yaml)",
        m.model, m.written
    );
    if figures.is_empty() {
        out.push_str(": no figure taken from it");
    } else {
        out.push_str(&format!(
            ": figures from the catalogue: {}",
            figures.join("; ")
        ));
    }
    if !m.overridden.is_empty() {
        let keys: Vec<&str> = m.overridden.iter().map(|a| a.key()).collect();
        out.push_str(&format!(
            "; given in the file instead of the catalogue's: {}",
            keys.join(", ")
        ));
    }
    if !m.filled.is_empty() {
        out.push_str(&format!(
            "; also from the catalogue: {}",
            m.filled.join(", ")
        ));
    }
    out
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

// The reports' own phrases (brief human report, table, HTML review record).

/// What a transaction no rule reaches is told.
pub fn no_rule_applies(date: Date) -> String {
    format!("no rule in the rule set applies to this transaction on {date}")
}

/// The same, where the verdict line says the rest.
pub fn no_rule_applies_briefly() -> &'static str {
    "no rule applies"
}

/// A finding or transaction told in full for an earlier transaction of the file: "as for L01".
pub fn as_for(id: &str) -> String {
    format!("as for {id}")
}

/// A fact a finding used, with its line: "`sg-ai` is located in SG (line 13)".
pub fn fact_at(about: &str, line: usize) -> String {
    if line == 0 {
        about.to_string()
    } else {
        format!("{about} (line {line})")
    }
}

/// The facts a brief line leaves out.
pub fn more_facts(n: usize) -> String {
    format!("and {n} more (`chipgate explain` lists every one)")
}

/// What an `allowed` finding's outcome means, after the word.
pub fn lifted() -> &'static str {
    " (authorized by what is on file)"
}

/// The remedies a brief line leaves to `--detail`.
pub fn more_remedies(n: usize) -> String {
    format!(
        "{n} more way{} to comply (`--detail`)",
        if n == 1 { "" } else { "s" }
    )
}

/// An order summed over its lines: "30 lines: 2 license_required, 4 indeterminate, 24 allowed".
pub fn order_counts(lines: usize, counts: &[(crate::finding::Verdict, usize)]) -> String {
    let parts: Vec<String> = counts.iter().map(|(v, n)| format!("{n} {v}")).collect();
    format!(
        "{lines} line{}: {}",
        if lines == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// Where the full reasoning is, closing the brief report.
pub fn detail_hint() -> &'static str {
    "the full reasoning: `chipgate check --detail FILE`, or `chipgate explain FILE -t ID`"
}
