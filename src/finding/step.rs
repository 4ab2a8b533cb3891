//! One step of a finding's reasoning, as data: what was tested, with the values compared and
//! the facts used. The checker records steps; `crate::words` turns them into sentences (the
//! explanation lines of every format) and the JSON report carries them as they are
//! (`findings[].steps`). Nothing here is worded.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::country::Country;
use crate::date::{Date, Window};
use crate::facts::{
    DestinationSource, EndUserSource, FactRef, FormSource, ItemId, PartyId, Region,
};
use crate::ir::{Cmp, LeadField, RouteMode, SrcSpan};
use crate::vocab::{AuthKind, EndUse, Form, Kind, NumAttr, Role, Share};

use super::Witness;

/// Kleene's three truth values, ordered false < unknown < true.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
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

/// A party a step names: its position, and its id for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Who {
    pub index: PartyId,
    pub id: String,
}

impl Serialize for Who {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id)
    }
}

/// An item a step names: its position, and its id for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct What {
    pub index: ItemId,
    pub id: String,
}

impl Serialize for What {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id)
    }
}

/// How a country stands to a place set on a date, with what decided it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Member {
    pub country: Country,
    /// The place set as the rule writes it (`[D1, D4, D5]`).
    pub places: String,
    pub date: Date,
    pub holds: Truth,
    /// The group (and its dated window) that makes it a member, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
    /// Why the membership is not known, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<Unsure>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Via {
    pub group: String,
    pub title: String,
    /// The membership's window, unless it is always.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unsure {
    /// The group whose membership is uncertain, when one is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One link of an ownership chain: `owned` is held `share` by `owner` (its owner entry).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub owned: Who,
    pub owner: Who,
    pub share: Option<Share>,
    #[serde(skip)]
    pub entry: u32,
}

/// An owner counted in an aggregate, and why it counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counted {
    pub owner: Who,
    pub share: Option<Share>,
    /// The list it is on (with the date), or `None` when it counts for being so owned itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed: Option<(String, Option<Date>)>,
}

/// An authorization of the file, as a step names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Auth {
    pub kind: AuthKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
}

/// A lead time met: the authorization's date (`notified` or `issued`), how many days before
/// the transaction it was, and how many the rule needs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LeadMet {
    pub field: LeadField,
    pub on: Date,
    pub days_before: i32,
    pub needs: i32,
}

/// Why an authorization on file does not cover a transaction: the first part of its stated
/// scope that does not.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum ScopeMiss {
    Items {
        named: Vec<String>,
        item: String,
    },
    Consignee {
        named: Who,
        actual: Option<Who>,
    },
    EndUserUnknown {
        named: Who,
    },
    EndUser {
        named: Who,
        actual: Option<Who>,
    },
    Destination {
        named: Country,
        actual: Country,
    },
    Quantity {
        covers: u64,
        used: u64,
        needs: Option<u64>,
    },
}

/// Why an authorization of the kind asked does not establish it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum AuthMiss {
    IssuedAfter {
        issued: Date,
    },
    Expired {
        expires: Date,
    },
    Scope {
        miss: ScopeMiss,
    },
    /// The lead-time date is not given.
    NoLeadDate {
        field: LeadField,
        days: i32,
    },
    TooLate {
        field: LeadField,
        on: Date,
        days_before: i32,
        needs: i32,
        deadline: Date,
    },
}

/// One classification block's tests inside a classification step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Block {
    /// The block's ECCN, named when the pattern has several blocks and the item does not
    /// meet it ("not 3A090.a: …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eccn: Option<String>,
    pub steps: Vec<Step>,
}

/// What a step tested, with the values compared. Each variant names one kind of test; the
/// JSON report groups them by [`StepKind::kind`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum StepKind {
    /// An item figure the file does not give.
    FigureMissing {
        item: What,
        attr: NumAttr,
    },
    /// An item figure compared with a threshold.
    Figure {
        item: What,
        attr: NumAttr,
        value: f64,
        op: Cmp,
        threshold: f64,
        holds: bool,
    },
    Datacenter {
        item: What,
        value: bool,
        given: bool,
    },
    Origin {
        item: What,
        given: bool,
        member: Member,
    },
    /// No developer named: the origin stands for where it was designed.
    DeveloperFromOrigin {
        item: What,
        given: bool,
        member: Member,
    },
    DeveloperUnknown {
        item: What,
        developer: String,
    },
    Developer {
        item: What,
        developer: String,
        headquarters: Country,
        source: String,
        member: Member,
    },
    Form {
        item: What,
        form: Form,
        source: FormSource,
        declared: Option<String>,
    },
    Declared {
        item: What,
        declared: Option<String>,
    },
    EccnNotDeclared {
        item: What,
    },
    EccnIn {
        item: What,
        declared: String,
        patterns: Vec<String>,
        holds: bool,
    },
    HtsMissing {
        item: What,
        tested: usize,
        codes: Vec<String>,
    },
    Hts {
        item: What,
        hts: String,
        holds: Truth,
        under: Option<String>,
        tested: usize,
    },
    /// No classification the pattern names is in force on the date.
    NotInForce {
        pattern: String,
        date: Date,
    },
    /// A classification taken from the declared ECCN (the figures did not settle it).
    ByDeclaration {
        item: What,
        pattern: String,
        declared: String,
        holds: Truth,
    },
    /// A classification by the figures, with the blocks' tests that decided it.
    Classification {
        item: What,
        pattern: String,
        date: Date,
        holds: Truth,
        /// The blocks tested, with their steps.
        reasons: Vec<Block>,
        cites: Vec<String>,
        /// Neither figures nor a declaration: what to give.
        ask: bool,
    },
    EccnDisagrees {
        item: What,
        declared: String,
        found: Vec<String>,
        date: Date,
    },
    QuantityMissing {
        total: bool,
    },
    Quantity {
        total: bool,
        value: f64,
        op: Cmp,
        threshold: f64,
        holds: bool,
    },
    Date {
        date: Date,
        op: Cmp,
        compared_to: Date,
        holds: bool,
    },
    Destination {
        source: DestinationSource,
        end_user_known: bool,
        member: Member,
    },
    RegionMissing {
        tx: String,
        codes: Vec<String>,
    },
    Region {
        region: Region,
        codes: Vec<String>,
        holds: bool,
    },
    EndUseMissing {
        tx: String,
    },
    EndUse {
        end_use: EndUse,
    },
    Kind {
        kind: Kind,
    },
    /// A hop of the route (given, or the direct one implied) meets the place set.
    RouteHop {
        hops: Vec<Country>,
        given: bool,
        mode: RouteMode,
        places: String,
        hop: usize,
        member: Member,
    },
    /// A hop's membership is uncertain.
    RouteUncertain {
        hops: Vec<Country>,
        given: bool,
        hop: usize,
        member: Member,
    },
    RouteMiss {
        hops: Vec<Country>,
        given: bool,
        mode: RouteMode,
        places: String,
        date: Date,
    },
    Authorized {
        auth: Auth,
        issued: Option<Date>,
        /// The lead time met, when the rule asks for one.
        lead: Option<LeadMet>,
        unscoped: bool,
    },
    NotOnFile {
        kind: AuthKind,
        lead: Option<(LeadField, i32)>,
        date: Date,
    },
    NotAuthorizing {
        auth: Auth,
        miss: AuthMiss,
        date: Date,
    },
    ExceptionOutOfForce {
        name: String,
        title: String,
        windows: Vec<Window>,
        date: Date,
    },
    Exception {
        name: String,
        title: String,
        holds: Truth,
        steps: Vec<Step>,
    },
    NoRole {
        role: Role,
    },
    EndUserUnknown {
        tx: String,
    },
    UltimateParent {
        party: Who,
        top: Who,
        chain: Vec<Link>,
    },
    OwnParent {
        party: Who,
    },
    ParentUnknown {
        party: Who,
        at: Who,
    },
    ParentCycle {
        party: Who,
        at: Who,
    },
    Place {
        party: Who,
        headquarters: bool,
        member: Member,
    },
    Distributor {
        party: Who,
        value: Option<bool>,
    },
    Named {
        role: Role,
        source: EndUserSource,
        holds: bool,
    },
    Listed {
        party: Who,
        list: String,
        since: Option<Date>,
        until: Option<Date>,
        entry: Option<String>,
        federal_register_notice: Option<String>,
        license_requirement: Option<String>,
        license_policy: Option<String>,
    },
    /// Designated on the date, but the entry's license requirement ("other than EAR99") does
    /// not reach the item, or may not: `declared` is its declared ECCN, if any.
    ListedOutsideEntry {
        party: Who,
        list: String,
        entry: Option<String>,
        license_requirement: String,
        item: What,
        declared: Option<String>,
    },
    /// A possible screening match that no reviewer decision resolves.
    PossibleMatch {
        party: Who,
        list: String,
        entry: String,
        matched_name: String,
        score: f64,
        list_file: String,
        line: u32,
    },
    NotListed {
        party: Who,
        lists: Vec<String>,
        date: Date,
        /// The list files the parties were screened against (empty: not screened).
        screened: Vec<String>,
        /// Designations of other dates: (list title, from, until).
        other: Vec<(String, Option<Date>, Option<Date>)>,
    },
    /// An aggregate question at one party: the owners that count and their total.
    Aggregate {
        party: Who,
        lists: Vec<String>,
        counted: Vec<Counted>,
        total: f64,
        threshold: String,
        /// The answer, on the first party asked; `None` on the owners explored below it.
        holds: Option<Truth>,
        date: Date,
    },
    Same {
        a: Who,
        b: Who,
    },
    OwnerPath {
        party: Who,
        threshold: String,
        chain: Vec<Link>,
        unknown: bool,
    },
    NoOwnerPath {
        party: Who,
        threshold: String,
    },
}

impl StepKind {
    /// The kind of test, in the report's coarse vocabulary (`classification`, `threshold`,
    /// `membership`, `ownership`, `aggregate`, `route`, `dates`, `authorization`,
    /// `designation`, `item`, `party`, `transaction`, `exception`).
    pub fn kind(&self) -> &'static str {
        use StepKind::*;
        match self {
            FigureMissing { .. } | Figure { .. } | Quantity { .. } | QuantityMissing { .. } => {
                "threshold"
            }
            Datacenter { .. }
            | Form { .. }
            | Declared { .. }
            | EccnNotDeclared { .. }
            | EccnIn { .. }
            | HtsMissing { .. }
            | Hts { .. }
            | DeveloperUnknown { .. } => "item",
            NotInForce { .. }
            | ByDeclaration { .. }
            | Classification { .. }
            | EccnDisagrees { .. } => "classification",
            Origin { .. }
            | DeveloperFromOrigin { .. }
            | Developer { .. }
            | Destination { .. }
            | Place { .. } => "membership",
            Region { .. }
            | RegionMissing { .. }
            | EndUse { .. }
            | EndUseMissing { .. }
            | Kind { .. } => "transaction",
            Date { .. } => "dates",
            RouteHop { .. } | RouteUncertain { .. } | RouteMiss { .. } => "route",
            Authorized { .. } | NotOnFile { .. } | NotAuthorizing { .. } => "authorization",
            ExceptionOutOfForce { .. } | Exception { .. } => "exception",
            NoRole { .. }
            | EndUserUnknown { .. }
            | Distributor { .. }
            | Named { .. }
            | Same { .. } => "party",
            UltimateParent { .. }
            | OwnParent { .. }
            | ParentUnknown { .. }
            | ParentCycle { .. }
            | OwnerPath { .. }
            | NoOwnerPath { .. } => "ownership",
            Listed { .. } | ListedOutsideEntry { .. } | PossibleMatch { .. } | NotListed { .. } => {
                "designation"
            }
            Aggregate { .. } => "aggregate",
        }
    }
}

/// One step of a finding's reasoning. Serialized (inside another step, such as an
/// exception's) as its kind's values and whether it is missing a fact.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub kind: StepKind,
    #[serde(skip)]
    pub facts: Vec<FactRef>,
    #[serde(skip)]
    pub rule_at: Option<SrcSpan>,
    #[serde(skip)]
    pub witness: Option<Witness>,
    /// A fact the question needed and the file does not give.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    /// The part of the rule the step belongs to: `None` for its condition, or the answer of
    /// its `unless` (the authorizations).
    #[serde(skip)]
    pub lifted: Option<Truth>,
}

impl Step {
    pub fn new(kind: StepKind, facts: Vec<FactRef>, at: Option<SrcSpan>) -> Step {
        Step {
            kind,
            facts,
            rule_at: at,
            witness: None,
            missing: false,
            lifted: None,
        }
    }
}

/// A step as the JSON report carries it: its kind and values, the facts used with where each
/// sits, and whether it names a fact the file does not give.
pub struct StepRecord<'a> {
    pub step: &'a Step,
    pub facts: &'a [super::Evidence],
}

impl Serialize for StepRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", self.step.kind.kind())?;
        // The test and its values, flattened beside the kind: the test's name first.
        let values = serde_json::to_value(&self.step.kind).map_err(serde::ser::Error::custom)?;
        if let serde_json::Value::Object(mut fields) = values {
            if let Some(test) = fields.remove("test") {
                map.serialize_entry("test", &test)?;
            }
            for (k, v) in fields {
                map.serialize_entry(&k, &v)?;
            }
        }
        if let Some(l) = self.step.lifted {
            map.serialize_entry("unless", &l)?;
        }
        if self.step.missing {
            map.serialize_entry("missing", &true)?;
        }
        map.serialize_entry("facts", &self.facts)?;
        map.end()
    }
}
