//! The domain's vocabulary, declared once: transaction kinds, end uses, authorization and
//! list kinds, item forms, the numeric item figures, party roles and shares. The facts wing
//! (`facts`) reads files into these words, the rules wing (`compile`, `ir`) names them in
//! conditions, and the checker (`check`) compares them; none of them owns the words, so adding
//! an item figure is one variant here (with its key, unit and range) and one field in the raw
//! file format.

use std::fmt;

/// A share of equity, in millionths of the whole (100% = 1,000,000), so "at least 50%"
/// compares exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Share(pub u32);

impl Share {
    pub const WHOLE: Share = Share(1_000_000);

    pub fn from_percent(p: f64) -> Share {
        let v = (p * 10_000.0).round();
        Share(if v <= 0.0 {
            0
        } else if v >= 1_000_000.0 {
            1_000_000
        } else {
            v as u32
        })
    }

    pub fn percent(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.percent();
        if p.fract() == 0.0 {
            write!(f, "{p:.0}%")
        } else {
            write!(f, "{}%", format!("{p:.4}").trim_end_matches('0'))
        }
    }
}

/// Restricted-party lists a designation can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ListKind {
    #[default]
    EntityList,
    MeuList,
    UnverifiedList,
    Sdn,
    /// The Denied Persons List (General Prohibition Four, 15 CFR 736.2(b)(4)).
    Dpl,
    /// The approved UAE ultimate consignees and end users of Supp. No. 8 to Part 740 (an
    /// approval, not a restriction).
    UaeApproved,
    /// The recipients of BIS's company-specific "is-informed" letters to NVIDIA (2022-08-26,
    /// 2023-10-23, 2025-04-09): NVIDIA and the companies it controls.
    IsInformedNvidia,
    /// The recipients of the is-informed letter to AMD (MI308, April 2025).
    IsInformedAmd,
}

impl ListKind {
    pub const ALL: [ListKind; 8] = [
        ListKind::EntityList,
        ListKind::MeuList,
        ListKind::UnverifiedList,
        ListKind::Sdn,
        ListKind::Dpl,
        ListKind::UaeApproved,
        ListKind::IsInformedNvidia,
        ListKind::IsInformedAmd,
    ];

    /// How many lists there are: the size of per-list tables (a set of lists is a `u8` mask).
    pub const COUNT: usize = 8;

    pub fn parse(text: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|l| l.word() == text)
    }

    pub fn word(self) -> &'static str {
        match self {
            ListKind::EntityList => "entity-list",
            ListKind::MeuList => "meu-list",
            ListKind::UnverifiedList => "unverified-list",
            ListKind::Sdn => "sdn",
            ListKind::Dpl => "dpl",
            ListKind::UaeApproved => "uae-approved",
            ListKind::IsInformedNvidia => "is-informed-nvidia",
            ListKind::IsInformedAmd => "is-informed-amd",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ListKind::EntityList => "Entity List",
            ListKind::MeuList => "Military End-User List",
            ListKind::UnverifiedList => "Unverified List",
            ListKind::Sdn => "SDN List",
            ListKind::Dpl => "Denied Persons List",
            ListKind::UaeApproved => "approved UAE entities of Supp. No. 8 to Part 740",
            ListKind::IsInformedNvidia => "recipients of the is-informed letters to NVIDIA",
            ListKind::IsInformedAmd => "recipients of the is-informed letter to AMD",
        }
    }

    /// This list's bit in a set of lists.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// An integrated circuit (3A090).
    Ic,
    /// A computer, electronic assembly or component containing such ICs (4A090).
    Computer,
    /// A memory part such as an HBM stack (3A090.c).
    Memory,
}

impl Form {
    pub const ALL: [Form; 3] = [Form::Ic, Form::Computer, Form::Memory];

    pub fn parse(text: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.word() == text)
    }

    pub fn word(self) -> &'static str {
        match self {
            Form::Ic => "ic",
            Form::Computer => "computer",
            Form::Memory => "memory",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Export,
    Reexport,
    Transfer,
    Lease,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Export, Kind::Reexport, Kind::Transfer, Kind::Lease];

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.word() == text)
    }

    pub fn word(self) -> &'static str {
        match self {
            Kind::Export => "export",
            Kind::Reexport => "reexport",
            Kind::Transfer => "transfer",
            Kind::Lease => "lease",
        }
    }

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndUse {
    Training,
    Inference,
    Resale,
    Evaluation,
    Research,
    Other,
}

impl EndUse {
    pub const ALL: [EndUse; 6] = [
        EndUse::Training,
        EndUse::Inference,
        EndUse::Resale,
        EndUse::Evaluation,
        EndUse::Research,
        EndUse::Other,
    ];

    pub fn parse(text: &str) -> Option<EndUse> {
        EndUse::ALL.into_iter().find(|k| k.word() == text)
    }

    pub fn word(self) -> &'static str {
        match self {
            EndUse::Training => "training",
            EndUse::Inference => "inference",
            EndUse::Resale => "resale",
            EndUse::Evaluation => "evaluation",
            EndUse::Research => "research",
            EndUse::Other => "other",
        }
    }

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthKind {
    License,
    Nac,
    Aca,
    Hbm,
    Permit,
}

impl AuthKind {
    pub const ALL: [AuthKind; 5] = [
        AuthKind::License,
        AuthKind::Nac,
        AuthKind::Aca,
        AuthKind::Hbm,
        AuthKind::Permit,
    ];

    pub fn parse(text: &str) -> Option<AuthKind> {
        AuthKind::ALL.into_iter().find(|k| k.word() == text)
    }

    pub fn word(self) -> &'static str {
        match self {
            AuthKind::License => "license",
            AuthKind::Nac => "NAC",
            AuthKind::Aca => "ACA",
            AuthKind::Hbm => "HBM",
            AuthKind::Permit => "permit",
        }
    }

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumAttr {
    Tpp,
    DieArea,
    PerformanceDensity,
    Interconnect,
    MemoryBandwidth,
    MemoryBandwidthDensity,
}

impl NumAttr {
    /// How many figures there are: the size of an item's table of figures.
    pub const COUNT: usize = 6;

    pub const ALL: [NumAttr; NumAttr::COUNT] = [
        NumAttr::Tpp,
        NumAttr::DieArea,
        NumAttr::PerformanceDensity,
        NumAttr::Interconnect,
        NumAttr::MemoryBandwidth,
        NumAttr::MemoryBandwidthDensity,
    ];

    /// The attribute's name, which is also its YAML key.
    pub fn key(self) -> &'static str {
        match self {
            NumAttr::Tpp => "tpp",
            NumAttr::DieArea => "die_area_mm2",
            NumAttr::PerformanceDensity => "performance_density",
            NumAttr::Interconnect => "interconnect_gbps",
            NumAttr::MemoryBandwidth => "memory_bandwidth_gbps",
            NumAttr::MemoryBandwidthDensity => "memory_bandwidth_density",
        }
    }

    /// The attribute named by its key.
    pub fn parse(key: &str) -> Option<NumAttr> {
        NumAttr::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The largest value a file may give (a bigger one is a typing error), and its unit as
    /// diagnostics write it; the smallest is 0, exclusive for a die area.
    pub fn range(self) -> (f64, bool, f64, &'static str) {
        match self {
            NumAttr::Tpp => (0.0, false, 1e9, ""),
            NumAttr::DieArea => (0.0, true, 1e6, " mm2"),
            NumAttr::PerformanceDensity => (0.0, false, 1e7, ""),
            NumAttr::Interconnect => (0.0, false, 1e8, " GB/s"),
            NumAttr::MemoryBandwidth => (0.0, false, 1e8, " GB/s"),
            NumAttr::MemoryBandwidthDensity => (0.0, false, 1e5, " GB/s/mm2"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// An item's figures, one per [`NumAttr`]; `None` where the file does not give it (and,
/// for the performance density, it cannot be derived).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures([Option<f64>; NumAttr::COUNT]);

impl Figures {
    pub fn get(&self, attr: NumAttr) -> Option<f64> {
        self.0.get(attr.index()).copied().flatten()
    }

    pub fn set(&mut self, attr: NumAttr, value: Option<f64>) {
        if let Some(slot) = self.0.get_mut(attr.index()) {
            *slot = value;
        }
    }

    /// The figures with one of them given: `Figures::default().with(NumAttr::Tpp, 4800.0)`.
    pub fn with(mut self, attr: NumAttr, value: f64) -> Figures {
        self.set(attr, Some(value));
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Sender,
    Consignee,
    EndUser,
    Lessor,
    Lessee,
    Operator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Sender,
        Role::Consignee,
        Role::EndUser,
        Role::Lessor,
        Role::Lessee,
        Role::Operator,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Role::Sender => "sender",
            Role::Consignee => "consignee",
            Role::EndUser => "end_user",
            Role::Lessor => "lessor",
            Role::Lessee => "lessee",
            Role::Operator => "operator",
        }
    }

    /// Words for people: "end user".
    pub fn label(self) -> &'static str {
        match self {
            Role::EndUser => "end user",
            other => other.word(),
        }
    }

    /// Whether a transaction of this kind names this role.
    pub fn exists_for(self, kind: Kind) -> bool {
        match self {
            Role::Sender | Role::Consignee => kind != Kind::Lease,
            Role::Lessor | Role::Lessee | Role::Operator => kind == Kind::Lease,
            Role::EndUser => true,
        }
    }
}

/// The vocabulary serializes as the words the file and the rules use (`export`, `NAC`,
/// `tpp`, `end_user`, …).
macro_rules! serialize_as_word {
    ($($t:ty => $f:ident),* $(,)?) => {
        $(impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.$f())
            }
        })*
    };
}

serialize_as_word!(
    Kind => word,
    EndUse => word,
    AuthKind => word,
    ListKind => word,
    Form => word,
    NumAttr => key,
    Role => word,
);

impl serde::Serialize for Share {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.percent())
    }
}

/// The transaction-file format, key by key: every record (a party, an owner entry, an item,
/// a transaction, …) with its keys, what each holds and whether it is required. The loader's
/// complete reading (`facts::extract`, which reports every problem of a file at once), the
/// CSV reader's columns and the JSON Schema (`chipgate schema`,
/// `docs/transaction-file.schema.json`) are all generated from these tables; the typed serde
/// structs of the fast path (`facts::raw`) are checked against them by a test.
pub mod format {
    /// What a key holds.
    #[derive(Clone, Copy, Debug)]
    pub enum Value {
        /// A single value read as text: a name, an id, a reference to an id (a number such as
        /// `1001` is read as its text).
        Text,
        /// A reference to the id of a party, item or facility.
        Ref(&'static str),
        /// An ISO 3166-1 alpha-2 country code.
        Country,
        /// An ISO 3166-2 subdivision code (`UA-43`).
        Region,
        /// A date written YYYY-MM-DD.
        Date,
        /// One of a fixed list of words.
        Word(fn() -> Vec<&'static str>),
        /// A number in `[min, max]` (`min` excluded when `exclusive`).
        Number { min: f64, exclusive: bool, max: f64 },
        /// A whole number above zero, at most `max`.
        Count { max: f64 },
        /// `true` or `false`.
        Bool,
        /// A list of values.
        List(&'static Value),
        /// A list of records.
        Records(&'static Record),
    }

    /// One key of a record.
    #[derive(Clone, Copy, Debug)]
    pub struct Key {
        pub key: &'static str,
        pub value: Value,
        pub required: bool,
        /// What the key says, in a sentence (the schema's `description`).
        pub about: &'static str,
    }

    /// A kind of entry in the file.
    #[derive(Debug)]
    pub struct Record {
        /// The record in words, with its first keys: "a party (id, name, country, …)".
        pub what: &'static str,
        pub keys: &'static [Key],
    }

    impl Record {
        pub fn key(&self, key: &str) -> Option<&'static Key> {
            self.keys.iter().find(|k| k.key == key)
        }

        pub fn names(&self) -> Vec<&'static str> {
            self.keys.iter().map(|k| k.key).collect()
        }
    }

    const fn key(key: &'static str, value: Value, about: &'static str) -> Key {
        Key {
            key,
            value,
            required: false,
            about,
        }
    }

    const fn required(key: &'static str, value: Value, about: &'static str) -> Key {
        Key {
            key,
            value,
            required: true,
            about,
        }
    }

    const fn figure(key: &'static str, max: f64, exclusive: bool, about: &'static str) -> Key {
        Key {
            key,
            value: Value::Number {
                min: 0.0,
                exclusive,
                max,
            },
            required: false,
            about,
        }
    }

    fn lists() -> Vec<&'static str> {
        super::ListKind::ALL.iter().map(|l| l.word()).collect()
    }
    fn kinds() -> Vec<&'static str> {
        super::Kind::ALL.iter().map(|k| k.word()).collect()
    }
    fn end_uses() -> Vec<&'static str> {
        super::EndUse::ALL.iter().map(|k| k.word()).collect()
    }
    fn auth_kinds() -> Vec<&'static str> {
        super::AuthKind::ALL.iter().map(|k| k.word()).collect()
    }
    fn forms() -> Vec<&'static str> {
        super::Form::ALL.iter().map(|k| k.word()).collect()
    }
    fn decisions() -> Vec<&'static str> {
        vec!["cleared", "confirmed"]
    }

    pub static OWNER: Record = Record {
        what: "an owner entry (party, share)",
        keys: &[
            required("party", Value::Ref("party"), "the owning party's id"),
            key(
                "share",
                Value::Number {
                    min: 0.0,
                    exclusive: true,
                    max: 100.0,
                },
                "percent of equity, 0 < share <= 100; left out when unknown",
            ),
        ],
    };

    pub static DESIGNATION: Record = Record {
        what: "a designation (list, since)",
        keys: &[
            required("list", Value::Word(lists), "the restricted-party list"),
            key("since", Value::Date, "the day the designation took effect"),
            key("until", Value::Date, "the first day it no longer holds"),
            key("entry", Value::Text, "the list entry's text or number"),
            key(
                "license_requirement",
                Value::Text,
                "the entry's license requirement",
            ),
            key("license_policy", Value::Text, "the entry's review policy"),
            key(
                "federal_register_notice",
                Value::Text,
                "the Federal Register notice that made the designation",
            ),
        ],
    };

    pub static PARTY: Record = Record {
        what: "a party (id, name, country, …)",
        keys: &[
            required("id", Value::Text, "unique among the parties; referenced by transactions"),
            required("name", Value::Text, "the party's name"),
            required("country", Value::Country, "where the party is located (ISO 3166-1 alpha-2)"),
            key("headquarters", Value::Country, "where it is headquartered; defaults to `country`"),
            key("owners", Value::Records(&OWNER), "its direct shareholders"),
            key("lists", Value::Records(&DESIGNATION), "restricted-party list designations"),
            key("distributor", Value::Bool, "whether it is a distributor (License Exception HBM is not available to distributors)"),
            key("region", Value::Region, "ISO 3166-2 subdivision of its location"),
            key("screening", Value::Records(&DECISION), "reviewers' decisions on screening matches (`--screening`)"),
        ],
    };

    pub static DECISION: Record = Record {
        what: "a screening decision (entry, decision, by, on)",
        keys: &[
            required("entry", Value::Text, "the list entry's id (the CSL `id`)"),
            required(
                "decision",
                Value::Word(decisions),
                "cleared (not the listed party) or confirmed (it is)",
            ),
            required("by", Value::Text, "who decided"),
            required("on", Value::Date, "the day of the decision"),
            key("reason", Value::Text, "why"),
        ],
    };

    pub static ITEM: Record = Record {
        what: "an item (id, name, tpp, …)",
        keys: &[
            required("id", Value::Text, "unique among the items"),
            required("name", Value::Text, "the item's name"),
            figure("tpp", 1e9, false, "Total Processing Performance (2 x MacTOPS x bit length, dense)"),
            figure("die_area_mm2", 1e6, true, "applicable die area, mm2"),
            figure("performance_density", 1e7, false, "TPP per mm2 of die area; derived from tpp and die_area_mm2 when not given"),
            figure("interconnect_gbps", 1e8, false, "aggregate bidirectional I/O rate, GB/s (the 2022 test)"),
            figure("memory_bandwidth_gbps", 1e8, false, "total DRAM bandwidth, GB/s"),
            figure("memory_bandwidth_density", 1e5, false, "memory bandwidth density, GB/s per mm2 (3A090.c)"),
            key("datacenter", Value::Bool, "designed or marketed for data centres; default true"),
            key("eccn", Value::Text, "declared classification (`3A090.a`, `4A090.b`, `EAR99`), checked against the figures"),
            key("origin", Value::Country, "country where designed or produced; default US"),
            key("form", Value::Word(forms), "ic (default), computer (4A090) or memory (3A090.c); follows from a declared ECCN"),
            key("hts", Value::Text, "Harmonized Tariff Schedule code (`8542.31`)"),
            key("developer", Value::Text, "the company that designed it: a party id or a company name"),
            key("model", Value::Text, "a product of the built-in catalogue (`NVIDIA H20`, docs/catalogue.md); its figures fill in those not given"),
        ],
    };

    pub static FACILITY: Record = Record {
        what: "a facility (id, name, country, operator)",
        keys: &[
            required("id", Value::Text, "unique among the facilities"),
            required("name", Value::Text, "the facility's name"),
            required("country", Value::Country, "where the data centre is"),
            required("operator", Value::Ref("party"), "the operating party's id"),
            key("region", Value::Region, "ISO 3166-2 subdivision"),
        ],
    };

    pub static AUTHORIZATION: Record = Record {
        what: "an authorization (type, number, issued, notified, …)",
        keys: &[
            required(
                "type",
                Value::Word(auth_kinds),
                "what kind of authorization is on file",
            ),
            key("number", Value::Text, "the license or permit number"),
            key("issued", Value::Date, "the day it was issued"),
            key(
                "notified",
                Value::Date,
                "the day a notification (NAC) was filed",
            ),
            key(
                "confirmation",
                Value::Text,
                "the notification's confirmation number",
            ),
            key(
                "expires",
                Value::Date,
                "the first day it is no longer valid",
            ),
            key(
                "items",
                Value::List(&Value::Ref("item")),
                "scope: the item ids it covers",
            ),
            key(
                "consignee",
                Value::Ref("party"),
                "scope: the consignee it names",
            ),
            key(
                "end_user",
                Value::Ref("party"),
                "scope: the end user it names",
            ),
            key(
                "destination",
                Value::Country,
                "scope: the destination it names",
            ),
            key(
                "quantity",
                Value::Count { max: 1e12 },
                "scope: the units it covers in all, counted across the file's earlier transactions",
            ),
        ],
    };

    pub static TRANSACTION: Record = Record {
        what: "a transaction (id, kind, date, item, …)",
        keys: &[
            required("id", Value::Text, "unique in the file"),
            required("kind", Value::Word(kinds), "export, reexport, transfer or lease"),
            required("date", Value::Date, "the day it takes place"),
            required("item", Value::Ref("item"), "the item's id"),
            key("quantity", Value::Count { max: 1e9 }, "units; a rule that counts units cannot clear without it"),
            key("from", Value::Ref("party"), "exporter or seller (export, reexport, transfer)"),
            key("to", Value::Ref("party"), "consignee or buyer (export, reexport, transfer)"),
            key("end_user", Value::Ref("party"), "the end user; defaults to `to`; `unknown` says it is not known"),
            key("destination", Value::Country, "defaults to the end user's country, or the route's last country when the route goes on past it"),
            key("route", Value::List(&Value::Country), "countries the goods pass through, in order"),
            key("end_use", Value::Word(end_uses), "what the items will be used for"),
            key("authorizations", Value::Records(&AUTHORIZATION), "what is on file"),
            key("facility", Value::Ref("facility"), "the data centre of a lease"),
            key("lessor", Value::Ref("party"), "who leases the capacity out (lease)"),
            key("lessee", Value::Ref("party"), "who rents it (lease)"),
            key("region", Value::Region, "ISO 3166-2 subdivision of the destination"),
            key("order", Value::Text, "the order the transaction is a line of: lines sharing it are summed per order"),
        ],
    };

    const PARTIES: Key = key(
        "parties",
        Value::Records(&PARTY),
        "the parties the transactions name",
    );
    const ITEMS: Key = key("items", Value::Records(&ITEM), "the goods");
    const FACILITIES: Key = key(
        "facilities",
        Value::Records(&FACILITY),
        "data centres, for leases",
    );

    /// The top level of a transaction file.
    pub static FILE: Record = Record {
        what: "a transaction file (parties, items, facilities, transactions)",
        keys: &[
            PARTIES,
            ITEMS,
            FACILITIES,
            required(
                "transactions",
                Value::Records(&TRANSACTION),
                "the proposed transactions",
            ),
        ],
    };

    /// The top level of a facts file (`--facts`): a transaction file without
    /// `transactions`.
    pub static FACTS: Record = Record {
        what: "a facts file (parties, items, facilities)",
        keys: &[PARTIES, ITEMS, FACILITIES],
    };
}
