//! The facts wing: transaction files (docs/transaction-file.md) read, validated and resolved into a typed
//! model with indices instead of ids. Nothing here knows about rules.
//!
//! Reading is two passes at most: serde_yaml deserializes straight into typed structs
//! (`raw`), then `validate` checks every value and resolves references. Source positions are
//! found only when a diagnostic or a finding needs them (`spans`).

mod developers;
pub(crate) mod doc;
pub(crate) mod extract;
mod fast;
mod guard;
mod load;
mod pieces;
pub(crate) mod raw;
pub(crate) mod rows;
pub mod shared;
pub mod spans;
pub(crate) mod validate;

pub use shared::Shared;

/// The formats a transaction file may be written in, by its name's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.yaml`, `.yml`, and any other name (standard input).
    Yaml,
    /// `.json`: one document, as YAML's.
    Json,
    /// `.jsonl`: one transaction object a line; parties and items from facts files.
    JsonLines,
    /// `.csv`: a header row naming transaction keys, one transaction a row.
    Csv,
}

impl Format {
    /// The extensions of transaction files, as a folder is searched for them.
    pub const EXTENSIONS: [&'static str; 5] = ["yaml", "yml", "json", "jsonl", "csv"];

    pub fn of(name: &str) -> Format {
        let ext = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Format::Json,
            Some("jsonl") | Some("ndjson") => Format::JsonLines,
            Some("csv") => Format::Csv,
            _ => Format::Yaml,
        }
    }
}

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::country::Country;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Error};
use crate::limits::Limits;
use crate::source::{SourceFile, Span};
pub use crate::vocab::{AuthKind, EndUse, Figures, Form, Kind, ListKind, NumAttr, Share};
use spans::{Seg, SpanIndex};

/// What an entry's license requirement covers (15 CFR 744.16(a): "any items included in the
/// License Requirement column of an entry").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryScope {
    /// Every item subject to the EAR, or a requirement the engine does not read (taken as
    /// covering every item, the conservative reading).
    AllItems,
    /// "All items subject to the EAR having a classification other than EAR99".
    CclItems,
}

impl Designation {
    /// The items its license requirement reaches, read from the entry's wording.
    pub fn scope(&self) -> EntryScope {
        const CCL_ONLY: &[u8] = b"other than ear99";
        match &self.license_requirement {
            Some(r)
                if r.as_bytes()
                    .windows(CCL_ONLY.len())
                    .any(|w| w.eq_ignore_ascii_case(CCL_ONLY)) =>
            {
                EntryScope::CclItems
            }
            _ => EntryScope::AllItems,
        }
    }

    /// Whether the designation holds on `date`.
    pub fn holds_on(&self, date: Date) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date < u)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Designation {
    pub list: ListKind,
    /// The day the designation took effect; `None` means "in force on every date".
    pub since: Option<Date>,
    /// The first day it no longer holds (removed, expired), when given. Honoured for the
    /// party itself; questions about its owners count a listing from `since` on (the
    /// conservative reading).
    pub until: Option<Date>,
    /// The list entry's identifier (a CSL `id`, or what the file gives).
    pub entry: Option<String>,
    /// The entry's license requirement, as the list states it ("For all items subject to
    /// the EAR").
    pub license_requirement: Option<String>,
    /// The entry's license review policy ("Presumption of denial").
    pub license_policy: Option<String>,
    /// The Federal Register notice that made the designation.
    pub federal_register_notice: Option<String>,
    /// Where a designation found by screening came from (`None`: written in the file).
    pub screened: Option<Box<ScreenedFrom>>,
}

/// The list entry a screening match found, for a designation or a possible match.
#[derive(Clone, Debug, PartialEq)]
pub struct ScreenedFrom {
    /// The list file, as given to `--screening`.
    pub list_file: String,
    /// The entry's line in that file.
    pub line: u32,
    /// The entry's name or alias that matched, as listed.
    pub matched_name: String,
    /// The match score, 0 to 100.
    pub score: f64,
    /// The reviewer's decision that confirmed a possible match, if one did.
    pub confirmed: Option<ScreeningDecision>,
}

/// A possible match of a party against a list entry, below the strong threshold and not
/// resolved by a reviewer's decision: rules that ask whether the party is on that list
/// cannot be answered ("possible match: review").
#[derive(Clone, Debug)]
pub struct PossibleMatch {
    pub list: ListKind,
    /// The entry's start date (`None`: always).
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// The entry's identifier.
    pub entry: String,
    pub from: ScreenedFrom,
}

impl PossibleMatch {
    pub fn holds_on(&self, date: Date) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date < u)
    }
}

/// A reviewer's decision on a screening match (the party's `screening:`): `cleared` says the
/// party is not the listed one; `confirmed` says it is.
#[derive(Clone, Debug, PartialEq)]
pub struct ScreeningDecision {
    /// The list entry's identifier (the CSL `id`).
    pub entry: String,
    pub decision: Decision,
    pub by: String,
    pub on: Date,
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Cleared,
    Confirmed,
}

#[derive(Clone, Debug)]
pub struct Ownership {
    /// The owning party.
    pub owner: PartyId,
    /// `None` when the file leaves the share out: questions that depend on it are
    /// indeterminate.
    pub share: Option<Share>,
}

#[derive(Clone, Debug)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub country: Country,
    pub headquarters: Country,
    pub owners: Vec<Ownership>,
    pub lists: Vec<Designation>,
    /// Whether the party is a distributor (a reseller, not the user or the designer of the
    /// goods); `None` when the file does not say.
    pub distributor: Option<bool>,
    /// ISO 3166-2 subdivision of the party's location (`UA-43`, Crimea), when given.
    pub region: Option<Region>,
    /// Reviewers' decisions on screening matches (`screening:`).
    pub screening: Vec<ScreeningDecision>,
    /// Possible matches that screening found and no decision resolved.
    pub possible: Vec<PossibleMatch>,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub id: String,
    pub name: String,
    /// The numeric figures; the performance density as given, or `tpp / die_area_mm2`.
    pub figures: Figures,
    pub datacenter: bool,
    /// Whether `datacenter` was written (it defaults to true).
    pub datacenter_given: bool,
    pub eccn: Option<String>,
    pub origin: Country,
    /// Whether `origin` was written (it defaults to US).
    pub origin_given: bool,
    pub form: Form,
    /// Where the form came from: written, taken from the declared ECCN, or the default.
    pub form_source: FormSource,
    /// The Harmonized Tariff Schedule code (`8542.31`), digits only, when given.
    pub hts: Option<String>,
    /// The company that designed the item, when given.
    pub developer: Option<Developer>,
    /// The catalogue product the item names (`model:`), and what was taken from it.
    pub model: Option<Box<ModelUse>>,
}

/// What an item took from the catalogue product it names: the figures the file did not
/// give (each with its source), and the other facts filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelUse {
    /// The catalogue's name for the product.
    pub model: String,
    /// The name as the file wrote it.
    pub written: String,
    pub figures: Vec<(NumAttr, crate::catalogue::Figure)>,
    /// Other keys filled in from the catalogue: `datacenter`, `origin`, `form`, `developer`.
    pub filled: Vec<&'static str>,
    /// The figures the file gave, which override the catalogue's.
    pub overridden: Vec<NumAttr>,
}

/// Where an item's form came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormSource {
    Given,
    /// From the declared ECCN (4A090 is a computer, 3A090.c a memory part).
    DeclaredEccn,
    /// Not stated and not implied: taken as an integrated circuit.
    #[default]
    Default,
}

/// The company that designed an item: a party of the file, or a company named by text.
#[derive(Clone, Debug)]
pub struct Developer {
    pub name: String,
    /// The party it names, when `developer` is a party id.
    pub party: Option<PartyId>,
    /// The developer's headquarters when known: the party's, or from the built-in list of
    /// known developers (with its source).
    pub headquarters: Option<Country>,
    pub headquarters_source: Option<&'static str>,
}

impl Developer {
    /// A developer named by text: its headquarters from the built-in table of known chip
    /// developers, when the table knows it.
    pub fn named(name: &str) -> Developer {
        let known = developers::known(name);
        Developer {
            name: name.to_string(),
            party: None,
            headquarters: known.map(|k| k.headquarters),
            headquarters_source: known.map(|k| k.source),
        }
    }

    /// A developer that is party `index` of the file.
    pub fn party(index: PartyId, party: &Party) -> Developer {
        Developer {
            name: party.name.clone(),
            party: Some(index),
            headquarters: Some(party.headquarters),
            headquarters_source: Some("the developer party's headquarters"),
        }
    }
}

/// An ISO 3166-2 subdivision code such as `UA-43` (Crimea), validated against the ISO
/// tables and kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Region(pub String);

impl Region {
    pub fn parse(text: &str) -> Option<Region> {
        let sub = rust_iso3166::iso3166_2::from_code(text)?;
        Some(Region(sub.code.to_string()))
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    /// The country the subdivision belongs to.
    pub fn country(&self) -> Option<Country> {
        Country::parse(self.0.get(..2)?)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The form a declared ECCN implies: 4A (computers and assemblies) a computer, 3A090.c a
/// memory part, other 3A entries an integrated circuit. `None` where the ECCN does not say
/// (5A992.z items, EAR99).
pub fn form_of_eccn(eccn: &str) -> Option<Form> {
    if eccn.starts_with("3A090.c") {
        Some(Form::Memory)
    } else if eccn.starts_with("4A") {
        Some(Form::Computer)
    } else if eccn.starts_with("3A") {
        Some(Form::Ic)
    } else {
        None
    }
}

#[derive(Clone, Debug)]
pub struct Facility {
    pub id: String,
    pub name: String,
    pub country: Country,
    pub operator: PartyId,
    /// ISO 3166-2 subdivision of the facility, when given.
    pub region: Option<Region>,
}

#[derive(Clone, Debug)]
pub struct Authorization {
    pub kind: AuthKind,
    pub number: Option<String>,
    pub issued: Option<Date>,
    pub notified: Option<Date>,
    pub confirmation: Option<String>,
    pub expires: Option<Date>,
    /// What the authorization covers, where the file states it.
    pub scope: Scope,
    /// Units of the same authorization (by `number`) used by the file's earlier
    /// transactions (by date, then file order), counted against `scope.quantity`.
    pub used_before: u64,
}

/// What an authorization names (15 CFR 750.7: a license authorizes what it states). Every
/// part is optional; an authorization that states none authorizes with a note that its
/// scope was not checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scope {
    /// Item indices it covers.
    pub items: Option<Vec<ItemId>>,
    pub consignee: Option<PartyId>,
    pub end_user: Option<PartyId>,
    pub destination: Option<Country>,
    /// Units it covers in all.
    pub quantity: Option<u64>,
}

impl Scope {
    pub fn is_empty(&self) -> bool {
        *self == Scope::default()
    }
}

/// Where a transaction's end user came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndUserSource {
    /// Named by `end_user`.
    Named,
    /// Not named: the consignee (`to`), or the lessee of a lease.
    #[default]
    Defaulted,
    /// `end_user: unknown`: the file says the end user is not known.
    Unknown,
}

/// Where a transaction's destination came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationSource {
    /// Written as `destination`.
    Given,
    /// The route's last country: the ultimate destination (15 CFR 732.3), where the route
    /// goes on past the end user's (or consignee's) country.
    RouteEnd,
    /// The end user's country (or the consignee's when the end user is not known).
    #[default]
    EndUser,
    /// The facility's country (a lease).
    Facility,
}

/// One proposed transaction, with every reference resolved to an index and every default
/// applied (`end_user` from `to` or the lessee, `destination` from the route's end, the end
/// user or the facility).
#[derive(Clone, Debug)]
pub struct Transaction {
    pub id: String,
    pub kind: Kind,
    pub date: Date,
    pub item: ItemId,
    pub quantity: Option<u64>,
    pub sender: Option<PartyId>,
    pub consignee: Option<PartyId>,
    /// The end user's party; `None` when the transaction has none or it is not known (see
    /// `end_user_source`).
    pub end_user: Option<PartyId>,
    pub end_user_source: EndUserSource,
    pub destination: Country,
    pub destination_source: DestinationSource,
    /// ISO 3166-2 subdivision of the destination (given, or the end user's or facility's).
    pub region: Option<Region>,
    /// Countries in order, as given (empty when the file gives no route).
    pub route: Vec<Country>,
    pub end_use: Option<EndUse>,
    pub authorizations: Vec<Authorization>,
    pub facility: Option<FacilityId>,
    pub lessor: Option<PartyId>,
    pub lessee: Option<PartyId>,
    /// The order this transaction is a line of (`order:`), when the file names one.
    pub order: Option<String>,
}

/// A validated transaction file.
pub struct TransactionFile {
    pub source: Arc<SourceFile>,
    pub parties: Vec<Party>,
    pub items: Vec<Item>,
    pub facilities: Vec<Facility>,
    pub transactions: Vec<Transaction>,
    /// The screening lists the parties were screened against (`None`: not screened, and
    /// only designations written in the file count).
    pub screened: Option<Screened>,
    /// Where the facts sit in the file: the document, or the value of this top-level key.
    root: Option<&'static str>,
    spans: OnceLock<SpanIndex>,
    /// The facts files the parties, items and facilities came from, when there were any:
    /// their entries come first in the lists above.
    shared: Option<Arc<shared::Shared>>,
    /// For the file's own parties, items and facilities (after the shared ones): each one's
    /// index in the file's lists (a duplicate of a shared entry is left out). Empty: the
    /// same index.
    own: [Vec<u32>; 3],
}

/// What the parties were screened against.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Screened {
    /// Each list file: its name as given, its entries, and its digest (`sha256:…`).
    pub lists: Vec<ScreenedList>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ScreenedList {
    pub file: String,
    pub entries: usize,
    pub digest: String,
}

impl fmt::Debug for TransactionFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactionFile")
            .field("source", &self.source.name())
            .field("parties", &self.parties.len())
            .field("items", &self.items.len())
            .field("transactions", &self.transactions.len())
            .finish()
    }
}

/// Index newtypes: a party, item, facility or transaction of one file, by position, so that
/// an item's index is never used where a party's is meant.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The entry at position `i` (saturating: a file never holds 2^32 entries).
            pub fn new(i: usize) -> $name {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }

            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

index_type!(
    /// A party of a transaction file.
    PartyId
);
index_type!(
    /// An item of a transaction file.
    ItemId
);
index_type!(
    /// A facility of a transaction file.
    FacilityId
);
index_type!(
    /// A transaction of a transaction file.
    TxId
);

/// A pointer to one fact in the file, resolved to a YAML position only when shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FactRef {
    Party(PartyId, &'static str),
    Owner {
        party: PartyId,
        entry: u32,
    },
    Designation {
        party: PartyId,
        entry: u32,
    },
    Item(ItemId, &'static str),
    Facility(FacilityId, &'static str),
    Transaction(TxId, &'static str),
    RouteHop {
        tx: TxId,
        hop: u32,
    },
    Authorization {
        tx: TxId,
        entry: u32,
    },
    /// One key of an authorization entry (`expires`, `consignee`, `items`, …).
    AuthorizationField {
        tx: TxId,
        entry: u32,
        key: &'static str,
    },
}

impl TransactionFile {
    /// Reads and validates a transaction file. Every problem is a located diagnostic.
    pub fn parse(source: Arc<SourceFile>, limits: &Limits) -> Result<TransactionFile, Error> {
        load::load(source, limits)
    }

    /// Reads and validates a transaction file in the format its name says (YAML, JSON,
    /// JSON Lines, CSV), its parties, items and facilities also taken from `shared` facts.
    pub fn parse_with(
        source: Arc<SourceFile>,
        shared: Option<&Arc<shared::Shared>>,
        limits: &Limits,
    ) -> Result<TransactionFile, Error> {
        load::load_with(source, shared, limits)
    }

    /// Reads a file from bytes (checking size, UTF-8 and binary content first).
    pub fn from_bytes(
        name: &str,
        bytes: Vec<u8>,
        limits: &Limits,
    ) -> Result<TransactionFile, Error> {
        let source = decode(name, bytes, limits)?;
        TransactionFile::parse(source, limits)
    }

    /// Builds a file from facts already in memory (an order desk's database, a generator),
    /// without writing and re-reading YAML. References are indices into the given lists and
    /// are checked here; a reference out of range is a diagnostic, never a panic. The file has
    /// no text, so findings on it point at no line.
    pub fn from_parts(
        name: &str,
        parties: Vec<Party>,
        items: Vec<Item>,
        facilities: Vec<Facility>,
        transactions: Vec<Transaction>,
    ) -> Result<TransactionFile, Error> {
        let (np, ni, nf) = (parties.len(), items.len(), facilities.len());
        let in_range = |i: usize, n: usize| i < n;
        let mut problems: Vec<String> = Vec::new();
        for (i, p) in parties.iter().enumerate() {
            if let Some(o) = p.owners.iter().find(|o| !in_range(o.owner.index(), np)) {
                problems.push(format!(
                    "party {i} (`{}`): owner {} is not a party",
                    p.id, o.owner
                ));
            }
        }
        for (i, f) in facilities.iter().enumerate() {
            if !in_range(f.operator.index(), np) {
                problems.push(format!(
                    "facility {i} (`{}`): operator {} is not a party",
                    f.id, f.operator
                ));
            }
        }
        for (i, t) in transactions.iter().enumerate() {
            let parties_ok = [t.sender, t.consignee, t.end_user, t.lessor, t.lessee]
                .iter()
                .flatten()
                .all(|p| in_range(p.index(), np));
            let facility_ok = t.facility.is_none_or(|f| in_range(f.index(), nf));
            if !in_range(t.item.index(), ni) || !parties_ok || !facility_ok {
                problems.push(format!(
                    "transaction {i} (`{}`): refers to a party, item or facility that is not in the file",
                    t.id
                ));
            }
        }
        if let Some(first) = problems.first() {
            return Err(Diagnostic::error(
                Code::FactsDanglingIndex,
                format!("`{name}`: {first} ({} such problems)", problems.len()),
            )
            .help(
                "indices refer to positions in the `parties`, `items` and `facilities` lists given",
            )
            .into());
        }
        // The same defaults and derivations as reading a file.
        let mut items = items;
        items.iter_mut().for_each(derive_item);
        let mut transactions = transactions;
        for t in &mut transactions {
            if derive_transaction(t, &parties, &facilities).is_none() {
                return Err(Diagnostic::error(
                    Code::FactsDanglingIndex,
                    format!(
                        "`{name}`: transaction `{}` has no party or facility to take its destination from",
                        t.id
                    ),
                )
                .help("give the transaction a `destination`, a consignee or a facility")
                .into());
            }
        }
        Ok(TransactionFile::new(
            SourceFile::new(name, ""),
            parties,
            items,
            facilities,
            transactions,
            None,
            OnceLock::new(),
        ))
    }

    pub(crate) fn new(
        source: Arc<SourceFile>,
        parties: Vec<Party>,
        items: Vec<Item>,
        facilities: Vec<Facility>,
        transactions: Vec<Transaction>,
        root: Option<&'static str>,
        spans: OnceLock<SpanIndex>,
    ) -> TransactionFile {
        let mut transactions = transactions;
        validate::count_authorization_use(&mut transactions);
        TransactionFile {
            source,
            parties,
            items,
            facilities,
            transactions,
            screened: None,
            root,
            spans,
            shared: None,
            own: Default::default(),
        }
    }

    /// The file's parties, items and facilities begin with those of `shared`; `own` maps
    /// the rest to their entries in the file.
    pub(crate) fn with_shared(
        mut self,
        shared: Option<Arc<shared::Shared>>,
        own: [Vec<u32>; 3],
    ) -> TransactionFile {
        self.shared = shared;
        self.own = own;
        self
    }

    /// The facts files this file's parties, items and facilities came from, if any.
    pub fn shared(&self) -> Option<&Arc<shared::Shared>> {
        self.shared.as_ref()
    }

    /// Where a party, item or facility (`kind` 0, 1, 2) of the merged lists is written: in a
    /// facts file, or at this index of the file's own list.
    fn origin(&self, kind: usize, index: usize) -> Result<usize, (usize, usize)> {
        let base = self
            .shared
            .as_ref()
            .map_or(0, |s| s.counts().get(kind).copied().unwrap_or(0));
        if index < base {
            return Err((kind, index));
        }
        let own = index - base;
        Ok(self
            .own
            .get(kind)
            .and_then(|v| v.get(own))
            .map_or(own, |i| *i as usize))
    }

    pub fn spans(&self) -> &SpanIndex {
        self.spans.get_or_init(|| {
            SpanIndex::with_counts(
                &self.source,
                self.root,
                &[
                    ("parties", self.own_count(0, self.parties.len())),
                    ("items", self.own_count(1, self.items.len())),
                    ("facilities", self.own_count(2, self.facilities.len())),
                    ("transactions", self.transactions.len()),
                ],
            )
        })
    }

    /// How many of a kind's entries the file itself gives.
    fn own_count(&self, kind: usize, all: usize) -> usize {
        match &self.shared {
            Some(_) => self.own.get(kind).map_or(0, Vec::len),
            None => all,
        }
    }

    pub fn party(&self, i: PartyId) -> Option<&Party> {
        self.parties.get(i.index())
    }

    pub fn item(&self, i: ItemId) -> Option<&Item> {
        self.items.get(i.index())
    }

    /// The span of a fact: its `key: value` entry when written, else its entry's first line
    /// (in the file that gives it: [`TransactionFile::fact_source`]).
    pub fn fact_span(&self, fact: FactRef) -> Span {
        self.fact_loc(fact).1
    }

    /// The file that gives a fact: this one, or the facts file its party, item or facility
    /// came from.
    pub fn fact_source(&self, fact: FactRef) -> &Arc<SourceFile> {
        self.fact_loc(fact).0
    }

    /// A fact's file and span.
    pub fn fact_loc(&self, fact: FactRef) -> (&Arc<SourceFile>, Span) {
        let (kind, index) = match fact {
            FactRef::Party(p, _) => (0, p.index()),
            FactRef::Owner { party, .. } | FactRef::Designation { party, .. } => (0, party.index()),
            FactRef::Item(i, _) => (1, i.index()),
            FactRef::Facility(f, _) => (2, f.index()),
            _ => return (&self.source, self.own_span(fact)),
        };
        match self.origin(kind, index) {
            Ok(local) => (&self.source, self.own_span(relocate(fact, local))),
            Err((kind, m)) => {
                let found = self.shared.as_ref().and_then(|s| {
                    let spans = self.paths(fact);
                    s.locate(kind, m, &spans)
                });
                match found {
                    Some((src, span)) => (src, span),
                    None => (&self.source, Span::default()),
                }
            }
        }
    }

    /// The path of a party, item or facility fact, for a facts file's index.
    fn paths(&self, fact: FactRef) -> Vec<Seg<'static>> {
        match fact {
            FactRef::Party(p, key) => {
                vec![Seg::Key("parties"), Seg::Index(p.index()), Seg::Key(key)]
            }
            FactRef::Owner { party, entry } => vec![
                Seg::Key("parties"),
                Seg::Index(party.index()),
                Seg::Key("owners"),
                Seg::Index(entry as usize),
            ],
            FactRef::Designation { party, entry } => vec![
                Seg::Key("parties"),
                Seg::Index(party.index()),
                Seg::Key("lists"),
                Seg::Index(entry as usize),
            ],
            FactRef::Item(i, key) => vec![Seg::Key("items"), Seg::Index(i.index()), Seg::Key(key)],
            FactRef::Facility(f, key) => {
                vec![Seg::Key("facilities"), Seg::Index(f.index()), Seg::Key(key)]
            }
            _ => Vec::new(),
        }
    }

    /// The span of a fact in this file, its parties, items and facilities counted by their
    /// index in the file.
    fn own_span(&self, fact: FactRef) -> Span {
        let spans = self.spans();
        match fact {
            FactRef::Party(p, key) => {
                let path = |k| [Seg::Key("parties"), Seg::Index(p.index()), Seg::Key(k)];
                // Headquarters default to the location: point at `country` when not written.
                if key == "headquarters" && spans.find(&path(key)).is_none() {
                    return spans.locate_entry(&path("country"));
                }
                spans.locate_entry(&path(key))
            }
            FactRef::Owner { party, entry } => spans.locate(&[
                Seg::Key("parties"),
                Seg::Index(party.index()),
                Seg::Key("owners"),
                Seg::Index(entry as usize),
            ]),
            FactRef::Designation { party, entry } => spans.locate(&[
                Seg::Key("parties"),
                Seg::Index(party.index()),
                Seg::Key("lists"),
                Seg::Index(entry as usize),
            ]),
            FactRef::Item(i, key) => {
                spans.locate_entry(&[Seg::Key("items"), Seg::Index(i.index()), Seg::Key(key)])
            }
            FactRef::Facility(i, key) => {
                spans.locate_entry(&[Seg::Key("facilities"), Seg::Index(i.index()), Seg::Key(key)])
            }
            FactRef::Transaction(t, key) => spans.locate_entry(&[
                Seg::Key("transactions"),
                Seg::Index(t.index()),
                Seg::Key(key),
            ]),
            FactRef::RouteHop { tx, hop } => spans.locate(&[
                Seg::Key("transactions"),
                Seg::Index(tx.index()),
                Seg::Key("route"),
                Seg::Index(hop as usize),
            ]),
            FactRef::Authorization { tx, entry } => spans.locate(&[
                Seg::Key("transactions"),
                Seg::Index(tx.index()),
                Seg::Key("authorizations"),
                Seg::Index(entry as usize),
            ]),
            FactRef::AuthorizationField { tx, entry, key } => spans.locate_entry(&[
                Seg::Key("transactions"),
                Seg::Index(tx.index()),
                Seg::Key("authorizations"),
                Seg::Index(entry as usize),
                Seg::Key(key),
            ]),
        }
    }

    /// `file:line` of a fact, for explanations.
    pub fn fact_location(&self, fact: FactRef) -> String {
        let (source, span) = self.fact_loc(fact);
        let (line, _) = source.line_col(span.start);
        format!("{}:{}", source.name(), line)
    }

    /// The span of a whole transaction entry.
    pub fn transaction_span(&self, tx: TxId) -> Span {
        self.spans().entry("transactions", tx.index())
    }
}

/// A party, item or facility fact with its entry's index replaced by `local`.
fn relocate(fact: FactRef, local: usize) -> FactRef {
    let p = PartyId::new(local);
    match fact {
        FactRef::Party(_, key) => FactRef::Party(p, key),
        FactRef::Owner { entry, .. } => FactRef::Owner { party: p, entry },
        FactRef::Designation { entry, .. } => FactRef::Designation { party: p, entry },
        FactRef::Item(_, key) => FactRef::Item(ItemId::new(local), key),
        FactRef::Facility(_, key) => FactRef::Facility(FacilityId::new(local), key),
        other => other,
    }
}

/// Applies a transaction's defaults and derivations, the same whether it was read from a file
/// or built in memory: the end user defaults to the consignee (the lessee of a lease); the
/// destination, when not given, is the facility's country for a lease, else the end user's
/// (the consignee's when the end user is not known) unless the route goes on past it, in
/// which case it is the route's last country (the ultimate destination, 15 CFR 732.3); the
/// region, when not given, is that of the party or facility the destination came from.
/// `None` when the transaction refers to a party or facility that does not exist.
pub(crate) fn derive_transaction(
    tx: &mut Transaction,
    parties: &[Party],
    facilities: &[Facility],
) -> Option<()> {
    if tx.end_user_source == EndUserSource::Defaulted {
        tx.end_user = if tx.kind == Kind::Lease {
            tx.lessee
        } else {
            tx.consignee
        };
    }
    if tx.end_user_source == EndUserSource::Unknown {
        tx.end_user = None;
    }
    let party = |p: Option<PartyId>| p.and_then(|p| parties.get(p.index()));
    if tx.destination_source != DestinationSource::Given {
        if tx.kind == Kind::Lease {
            let f = facilities.get(tx.facility?.index())?;
            tx.destination = f.country;
            tx.destination_source = DestinationSource::Facility;
            if tx.region.is_none() {
                tx.region = f.region.clone();
            }
        } else {
            let receiver = party(tx.end_user).or(party(tx.consignee))?;
            match tx.route.last() {
                Some(last) if *last != receiver.country => {
                    tx.destination = *last;
                    tx.destination_source = DestinationSource::RouteEnd;
                }
                _ => {
                    tx.destination = receiver.country;
                    tx.destination_source = DestinationSource::EndUser;
                    if tx.region.is_none() {
                        tx.region = receiver.region.clone();
                    }
                }
            }
        }
    }
    Some(())
}

/// Applies an item's derivations: performance density from TPP and die area when not given,
/// and the form from a declared ECCN when not given.
pub(crate) fn derive_item(item: &mut Item) {
    let f = &mut item.figures;
    if f.get(NumAttr::PerformanceDensity).is_none() {
        if let (Some(t), Some(d)) = (f.get(NumAttr::Tpp), f.get(NumAttr::DieArea)) {
            if d > 0.0 {
                f.set(NumAttr::PerformanceDensity, Some(t / d));
            }
        }
    }
    if item.form_source == FormSource::Default {
        if let Some(f) = item.eccn.as_deref().and_then(form_of_eccn) {
            item.form = f;
            item.form_source = FormSource::DeclaredEccn;
        }
    }
}

/// Reads a path (`-` is standard input), never more than the size limit.
pub fn read(path: &std::path::Path, limits: &Limits) -> Result<std::sync::Arc<SourceFile>, Error> {
    use std::io::Read;
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        crate::source::normalise(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let cap = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    let result = if stdin {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| {
            // Sized once from the file's length (a `Take` hides it, and doubling the buffer
            // as it fills held up to twice the file).
            let len = f.metadata().map_or(0, |m| m.len()).min(cap);
            bytes.reserve_exact(usize::try_from(len).unwrap_or(0).saturating_add(1));
            f.take(cap).read_to_end(&mut bytes)
        })
    };
    if let Err(e) = result {
        return Err(Error::one(
            Diagnostic::error(Code::InputUnreadable, format!("cannot read `{name}`: {e}"))
                .help("check the path; `-` reads standard input"),
        ));
    }
    decode(&name, bytes, limits)
}

/// Turns raw bytes into a source file: refuses files over the size limit, invalid UTF-8 and
/// binary content, each with a located diagnostic.
pub fn decode(name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<Arc<SourceFile>, Error> {
    if bytes.len() > limits.max_file_bytes {
        // Show the file's first line, at most, to say which file it is.
        let head = bytes
            .iter()
            .take(120)
            .take_while(|b| **b != b'\n')
            .copied()
            .collect::<Vec<u8>>();
        let file = SourceFile::new(name, String::from_utf8_lossy(&head).into_owned());
        return Err(Diagnostic::error(
            Code::InputTooLarge,
            format!(
                "`{name}` is larger than the limit of {} bytes",
                limits.max_file_bytes
            ),
        )
        .in_file(&file)
        .label(Span::new(0, 0), "this file")
        .help("split the file, or raise the limit with --max-file-bytes")
        .into());
    }
    match crate::source::text_of(name, bytes) {
        Ok(file) => Ok(file),
        Err(crate::source::NotText::Binary { at, before }) => {
            let end = before.text().len();
            Err(Diagnostic::error(
                Code::InputBinary,
                format!("`{name}` is a binary file, not text (a NUL byte at offset {at})"),
            )
            .in_file(&before)
            .label(Span::new(end, end), "binary content starts here")
            .help("chipgate reads text: YAML transaction files and `.cg` rule files")
            .into())
        }
        Err(crate::source::NotText::NotUtf8 { at, before }) => Err(Diagnostic::error(
            Code::InputNotUtf8,
            format!("`{name}` is not valid UTF-8 (invalid byte at offset {at})"),
        )
        .in_file(&before)
        .label(Span::new(at, at), "the invalid byte follows here")
        .help("save the file as UTF-8")
        .into()),
    }
}
