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
}

impl ListKind {
    pub const ALL: [ListKind; 6] = [
        ListKind::EntityList,
        ListKind::MeuList,
        ListKind::UnverifiedList,
        ListKind::Sdn,
        ListKind::Dpl,
        ListKind::UaeApproved,
    ];

    /// How many lists there are: the size of per-list tables.
    pub const COUNT: usize = 6;

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
