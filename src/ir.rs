//! The compiled rule form the checker runs: names resolved to indices, dates to day numbers,
//! groups flattened into dated country sets, defines inlined. Nothing here refers to text
//! except for explanations.

use std::sync::Arc;

use crate::country::{Country, CountrySet};
use crate::date::{Date, Window};
use crate::source::{SourceFile, Span};
use crate::vocab::{AuthKind, Form, Share};
pub use crate::vocab::{NumAttr, Role};

/// A span in one of the rule set's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SrcSpan {
    pub file: u16,
    pub span: Span,
}

/// A compiled set of rules, ready to check any number of transaction files.
pub struct RuleSet {
    pub(crate) sources: Vec<Arc<SourceFile>>,
    pub(crate) laws: Vec<Law>,
    pub(crate) groups: Vec<Group>,
    pub(crate) classes: Vec<Classification>,
    pub(crate) exceptions: Vec<Exception>,
    pub(crate) rules: Vec<Rule>,
    /// Rule indices applying to each transaction kind, in declaration order.
    pub(crate) by_kind: [Vec<u32>; 4],
    /// The graph questions the rules ask, so the world graph precomputes exactly those.
    pub(crate) needs: Needs,
    /// How many [`Cond::Item`] slots the conditions use.
    pub(crate) item_slots: u16,
    pub(crate) digest: String,
}

#[derive(Clone, Debug, Default)]
pub struct Needs {
    /// Ownership thresholds used by `any owner of … holding …`.
    pub thresholds: Vec<Threshold>,
    /// Per threshold, what the rules ask of the owners in the chain ([`Asks`]): the world
    /// graph summarises only that (a missing entry asks everything).
    pub asks: Vec<u8>,
    /// `owned … by parties listed on …`: a threshold and a set of lists.
    pub aggregates: Vec<(Threshold, u8)>,
}

/// What a rule set asks of a chain of owners, as bits of [`Needs::asks`].
pub struct Asks;

impl Asks {
    pub const HEADQUARTERS: u8 = 1;
    pub const LOCATION: u8 = 2;
    pub const LISTED: u8 = 4;
    pub const ALL: u8 = 7;
}

/// "at least 50%" (inclusive) or "more than 50%".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Threshold {
    pub share: Share,
    pub inclusive: bool,
}

impl Threshold {
    pub fn met_by(self, share: Share) -> bool {
        if self.inclusive {
            share >= self.share
        } else {
            share > self.share
        }
    }

    pub fn describe(self) -> String {
        format!(
            "{} {}",
            if self.inclusive {
                "at least"
            } else {
                "more than"
            },
            self.share
        )
    }
}

pub struct Law {
    pub name: String,
    pub title: String,
}

/// A membership the sources do not date: in `window` the country may or may not be a member,
/// so tests of it there are unknown, and findings say why.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    pub country: Country,
    pub window: Window,
    pub reason: String,
}

pub struct Group {
    pub name: String,
    pub title: Option<String>,
    pub cites: Vec<String>,
    /// Each member with the window of its membership (after flattening nested groups).
    pub members: Vec<(Country, Window)>,
    /// Memberships not known in a window (after flattening nested groups).
    pub uncertain: Vec<Uncertain>,
    /// Membership as of each change date, in date order: `(from, members, uncertain
    /// members)`; a country is in at most one of the two sets.
    pub epochs: Vec<(Date, CountrySet, CountrySet)>,
    pub notes: Vec<String>,
    pub at: SrcSpan,
}

impl Group {
    /// The members on a date.
    pub fn on(&self, date: Date) -> &CountrySet {
        let i = self.epochs.partition_point(|(from, _, _)| *from <= date);
        match i.checked_sub(1).and_then(|i| self.epochs.get(i)) {
            Some((_, set, _)) => set,
            None => &EMPTY_SET,
        }
    }

    /// The window of a country's membership covering `date`, for explanations.
    pub fn window_of(&self, country: Country, date: Date) -> Option<Window> {
        self.members
            .iter()
            .find(|(c, w)| *c == country && w.contains(date))
            .map(|(_, w)| *w)
    }

    /// The uncertain membership of a country covering `date`, for explanations.
    pub fn uncertain_on(&self, country: Country, date: Date) -> Option<&Uncertain> {
        self.uncertain
            .iter()
            .find(|u| u.country == country && u.window.contains(date))
    }

    /// Builds the epoch table from the member windows in one sweep over the dates where
    /// some membership starts or ends (testing every member at every date was quadratic).
    pub fn with_epochs(mut self) -> Group {
        let sure = sweep(&self.members);
        let maybe_members: Vec<(Country, Window)> = self
            .uncertain
            .iter()
            .map(|u| (u.country, u.window))
            .collect();
        let maybe = sweep(&maybe_members);
        // Both tables on one set of dates; a sure membership wins over an uncertain one.
        let mut dates: Vec<Date> = sure.iter().chain(&maybe).map(|(d, _)| *d).collect();
        dates.sort();
        dates.dedup();
        let at = |table: &[(Date, CountrySet)], d: Date| -> CountrySet {
            let i = table.partition_point(|(from, _)| *from <= d);
            i.checked_sub(1)
                .and_then(|i| table.get(i))
                .map_or(CountrySet::EMPTY, |(_, s)| *s)
        };
        let mut epochs: Vec<(Date, CountrySet, CountrySet)> = Vec::with_capacity(dates.len());
        for d in dates {
            let s = at(&sure, d);
            let mut m = at(&maybe, d);
            for c in s.iter() {
                m.remove(c);
            }
            if epochs
                .last()
                .is_some_and(|(_, ls, lm)| *ls == s && *lm == m)
            {
                continue;
            }
            epochs.push((d, s, m));
        }
        if epochs.is_empty() {
            epochs.push((Date::MIN, CountrySet::EMPTY, CountrySet::EMPTY));
        }
        self.epochs = epochs;
        self
    }
}

/// The members as of each date some window opens or closes, in one sweep.
fn sweep(members: &[(Country, Window)]) -> Vec<(Date, CountrySet)> {
    {
        // Each window opens at `from` and closes at `until` (half-open, like `Window`).
        let mut events: Vec<(Date, bool, Country)> = members
            .iter()
            .flat_map(|(c, w)| [(w.from, true, *c), (w.until, false, *c)])
            .collect();
        events.sort_by_key(|(d, _, _)| *d);
        // How many of a country's windows are open (merged windows never overlap, but the
        // count keeps the sweep right for any list of members).
        let mut open = vec![0u32; crate::country::TABLE_SIZE];
        let mut set = CountrySet::EMPTY;
        let mut epochs = vec![(Date::MIN, CountrySet::EMPTY)];
        let mut events = events.into_iter().peekable();
        while let Some((date, opens, c)) = events.next() {
            if let Some(n) = open.get_mut(c.index()) {
                if opens {
                    *n += 1;
                    set.insert(c);
                } else {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        set.remove(c);
                    }
                }
            }
            if events.peek().is_some_and(|(next, _, _)| *next == date) {
                continue;
            }
            match epochs.last_mut() {
                Some((last, members)) if *last == date => *members = set,
                _ => epochs.push((date, set)),
            }
        }
        epochs
    }
}

static EMPTY_SET: CountrySet = CountrySet::EMPTY;

pub struct Classification {
    pub eccn: String,
    pub title: Option<String>,
    pub cites: Vec<String>,
    pub windows: Vec<Window>,
    pub when: Cond,
    pub unless: Option<Cond>,
    pub notes: Vec<String>,
    pub at: SrcSpan,
}

pub struct Exception {
    pub name: String,
    pub title: Option<String>,
    pub law: Option<u16>,
    pub cites: Vec<String>,
    pub windows: Vec<Window>,
    pub when: Cond,
    pub help: Option<String>,
    pub notes: Vec<String>,
    pub at: SrcSpan,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Warning,
    LicenseRequired,
    Prohibited,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Warning => "warning",
            Outcome::LicenseRequired => "license_required",
            Outcome::Prohibited => "prohibited",
        }
    }
}

pub struct Policy {
    pub text: String,
    pub when: Option<Cond>,
}

/// A window in which the codified requirement is not enforced: findings are reported as
/// warnings that name both layers.
pub struct Unenforced {
    pub window: Window,
    pub reason: String,
}

/// A rule's note with the condition under which it matters.
pub struct Caveat {
    pub text: String,
    pub when: Cond,
}

/// The date compliance with a rule is required from, where it follows the effective date:
/// before it a requirement is reported as a warning that names the date.
pub struct Compliance {
    pub date: Date,
    pub note: Option<String>,
}

pub struct Rule {
    pub id: String,
    pub title: String,
    pub law: Option<u16>,
    pub cites: Vec<String>,
    pub windows: Vec<Window>,
    pub compliance: Option<Compliance>,
    pub kinds: u8,
    pub when: Cond,
    pub unless: Option<Cond>,
    pub outcome: Outcome,
    pub policies: Vec<Policy>,
    pub unenforced: Vec<Unenforced>,
    pub explain: Option<Template>,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// Notes that say when they matter: reported with a transaction whose facts meet the
    /// condition, whether or not the rule fires (they are among `notes` too).
    pub caveats: Vec<Caveat>,
    /// The whole declaration and its `when` condition, for underlining the rule text.
    pub at: SrcSpan,
    pub when_at: SrcSpan,
    /// Authorization kinds mentioned in `unless`, for counterfactual hints.
    pub remedy_kinds: Vec<AuthKind>,
}

impl Rule {
    pub fn in_force(&self, date: Date) -> bool {
        self.windows.iter().any(|w| w.contains(date))
    }
}

/// A condition. `Not` and the connectives follow Kleene's three-valued logic, so a missing
/// fact stays visible (indeterminate) unless the other facts settle the answer.
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Test(Box<Test>, SrcSpan),
    /// `A otherwise B`: A where the facts settle it, else B (a declared classification where
    /// the figures are missing, say).
    Otherwise(Box<Cond>, Box<Cond>),
    /// A part that reads only the item's own figures (no date, no party): the checker
    /// computes it once per item and the fast path reads slot `u16` of the item's row
    /// instead of evaluating it. Explanations evaluate the inner condition as written.
    Item(Box<Cond>, u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl serde::Serialize for Cmp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

impl Cmp {
    pub fn parse(text: &str) -> Option<Cmp> {
        Some(match text {
            ">=" => Cmp::Ge,
            ">" => Cmp::Gt,
            "<=" => Cmp::Le,
            "<" => Cmp::Lt,
            "==" => Cmp::Eq,
            "!=" => Cmp::Ne,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }

    pub fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
            Cmp::Le => a <= b,
            Cmp::Lt => a < b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteMode {
    /// An intermediate hop (not the first or the last).
    PassesThrough,
    Includes,
    StartsIn,
    EndsIn,
}

/// Countries and groups, tested on a date.
#[derive(Clone, Debug, Default)]
pub struct PlaceSet {
    pub countries: CountrySet,
    pub groups: Vec<u16>,
    /// As written, for explanations: `[D5, MO]`.
    pub text: String,
    /// All members (countries and the groups' members) from each date on, in date order,
    /// with the members whose membership is uncertain then; computed at compile time.
    pub epochs: Vec<(Date, CountrySet, CountrySet)>,
    /// Unique within its rule set: lets the checker keep answers per place set.
    pub id: u16,
    /// The groups (bit `g` for group `g`, the first 64) in the set, directly or nested, that
    /// carry an `uncertain:` note: a finding that tests the set says so.
    pub noted: u64,
}

impl PlaceSet {
    /// Every member on `date`.
    #[inline]
    pub fn on(&self, date: Date) -> &CountrySet {
        // A handful of epochs at most: a scan from the latest beats a binary search.
        self.epochs
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= date)
            .map_or(&self.countries, |(_, set, _)| set)
    }

    /// The countries whose membership is not known on `date` (never members on that date).
    #[inline]
    pub fn uncertain_on(&self, date: Date) -> &CountrySet {
        self.epochs
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= date)
            .map_or(&EMPTY_SET, |(_, _, maybe)| maybe)
    }

    /// Whether a country is in the set on `date`: true, false, or unknown (uncertain).
    #[inline]
    pub fn holds(&self, country: Country, date: Date) -> Membership {
        let epoch = self.epochs.iter().rev().find(|(from, _, _)| *from <= date);
        match epoch {
            Some((_, sure, maybe)) => {
                if sure.contains(country) {
                    Membership::Member
                } else if maybe.contains(country) {
                    Membership::Uncertain
                } else {
                    Membership::NotMember
                }
            }
            None if self.countries.contains(country) => Membership::Member,
            None => Membership::NotMember,
        }
    }
}

/// A country's membership of a place set on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    Member,
    NotMember,
    /// The sources do not date the membership: it may or may not hold.
    Uncertain,
}

#[derive(Clone, Debug)]
pub enum PartyRef {
    Role(Role),
    UltimateParent(Box<PartyRef>),
    AnyOwner { of: Box<PartyRef>, threshold: u16 },
}

#[derive(Clone, Debug)]
pub enum PartyPred {
    HeadquarteredIn(PlaceSet),
    LocatedIn(PlaceSet),
    ListedOn(u8),
    OwnedBy(u16),
    /// The party is a distributor (`distributor: true`); unknown when the file does not say.
    Distributor,
    /// The file names the party itself (an end user not defaulted, not `unknown`).
    Named,
    Same(PartyRef),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadField {
    Notified,
    Issued,
}

pub enum Test {
    /// The item's classification on the date matches the pattern; `classes` are the
    /// classification blocks whose ECCN matches.
    ItemIs {
        pattern: String,
        classes: Vec<u16>,
    },
    ItemNum {
        attr: NumAttr,
        op: Cmp,
        value: f64,
    },
    /// In a `classify` block: the item's declared ECCN is this one (false when none is
    /// declared: such ECCNs are known by declaration only).
    Declared {
        eccn: String,
    },
    /// The declared ECCN matches one of the patterns (unknown when none is declared).
    ItemEccnIn {
        patterns: Vec<String>,
    },
    /// The HTS code starts with one of the prefixes (unknown when not given).
    ItemHts {
        prefixes: Vec<String>,
    },
    /// Where the item's developer is headquartered (the origin when no developer is named;
    /// unknown when a developer is named whose headquarters are not known).
    ItemDeveloperHq(PlaceSet),
    ItemDatacenter,
    ItemOrigin(PlaceSet),
    ItemForm(Form),
    ItemEccnDisagrees,
    Quantity {
        op: Cmp,
        value: f64,
    },
    TotalTpp {
        op: Cmp,
        value: f64,
    },
    Date {
        op: Cmp,
        date: Date,
    },
    Destination(PlaceSet),
    /// The destination's ISO 3166-2 subdivision is one of these (unknown when not given).
    Region(Vec<String>),
    EndUse(u8),
    Kind(u8),
    Route {
        mode: RouteMode,
        places: PlaceSet,
    },
    Authorized {
        kind: AuthKind,
        lead: Option<(LeadField, i32)>,
    },
    Exception(u16),
    Party {
        party: PartyRef,
        pred: PartyPred,
    },
}

/// An explanation template: text with `{placeholders}` resolved at compile time.
#[derive(Clone, Debug)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Clone, Debug)]
pub enum TemplatePart {
    Text(String),
    Item,
    ItemNum(NumAttr),
    ItemEccn,
    Party(Role),
    PartyCountry(Role),
    PartyHeadquarters(Role),
    Destination,
    Date,
    Kind,
    Quantity,
    EndUse,
}
