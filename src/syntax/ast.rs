//! The abstract syntax tree of rule files. Every node carries the [`Span`] of the text it came
//! from, so the compiler can point at any name, number or condition it rejects.

use std::sync::Arc;

use crate::source::{SourceFile, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

pub type Name = Spanned<String>;

/// One parsed rule file.
#[derive(Debug)]
pub struct RuleFile {
    pub source: Arc<SourceFile>,
    pub decls: Vec<Decl>,
    /// Names of declarations that failed to parse, so uses of them elsewhere are not reported
    /// again as unknown (one bad declaration, one error).
    pub broken: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    Include(Name),
    Law {
        name: Name,
        title: Name,
        span: Span,
    },
    /// `group`, `define`, `classify`, `exception` and `rule`: a header and a body of items.
    Block(Block),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Group,
    Define,
    Classify,
    Exception,
    Rule,
}

impl BlockKind {
    pub fn word(self) -> &'static str {
        match self {
            BlockKind::Group => "group",
            BlockKind::Define => "define",
            BlockKind::Classify => "classify",
            BlockKind::Exception => "exception",
            BlockKind::Rule => "rule",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub name: Name,
    /// The quoted title after the name (`group D5 "Country Group D:5" {`).
    pub title: Option<Name>,
    /// Parameters of a `define`.
    pub params: Vec<Name>,
    pub items: Vec<Spanned<Item>>,
    /// The whole declaration, from keyword to closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Title(Name),
    Law(Name),
    Cite(Vec<Name>),
    Note(Name),
    /// `note "…" when COND`: a caveat that matters when COND holds.
    Caveat(Name, Expr),
    Help(Name),
    Explain(Name),
    Effective {
        from: Spanned<String>,
        until: Option<Spanned<String>>,
    },
    On(Vec<Name>),
    When(Expr),
    Unless(Expr),
    Outcome(Name),
    Policy {
        text: Name,
        when: Option<Expr>,
    },
    Unenforced {
        from: Spanned<String>,
        until: Option<Spanned<String>>,
        reason: Name,
    },
    Members(Vec<Name>),
    Member {
        name: Name,
        from: Option<Spanned<String>>,
        until: Option<Spanned<String>>,
        /// `member AE uncertain from … until … "reason"`: the membership in that window is
        /// not known.
        uncertain: Option<Name>,
    },
    /// `compliance 2025-05-15 "note"`: compliance is required from this date.
    Compliance {
        date: Spanned<String>,
        note: Option<Name>,
    },
    /// The body of a `define`.
    Body(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>, Span),
    Or(Vec<Expr>, Span),
    Not(Box<Expr>, Span),
    /// `A otherwise B`: A, or B where the facts leave A unknown.
    Otherwise(Box<Expr>, Box<Expr>, Span),
    Test(Box<Test>, Span),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, s)
            | Expr::Or(_, s)
            | Expr::Not(_, s)
            | Expr::Otherwise(_, _, s)
            | Expr::Test(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// `item is [not] 3A090.a`
    ItemIs { negated: bool, eccn: Name },
    /// `declared`, in a `classify` block: the item's declared ECCN is the block's.
    Declared,
    /// `true` or `false`.
    Constant(bool),
    /// `item.tpp >= 4800`, `destination in D5`, `item.datacenter`, ...
    Value { path: Name, tail: Option<ValueTail> },
    /// `route passes through [SG, MY]`
    Route { mode: Name, places: Vec<Name> },
    /// `authorized by NAC notified at least 25 days before`
    Authorized {
        kind: Name,
        lead: Option<(Name, Spanned<f64>)>,
    },
    /// `exception NAC`
    Exception(Name),
    /// `end_user is [not] headquartered in D5`, ...
    Party {
        party: PartyExpr,
        negated: bool,
        pred: PartyPred,
    },
    /// A `define` used as a condition.
    Call { name: Name, args: Vec<PartyExpr> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueTail {
    Compare { op: Name, value: Name },
    In { negated: bool, names: Vec<Name> },
    Is { negated: bool, name: Name },
    Disagrees(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PartyExpr {
    Role(Name),
    UltimateParent(Box<PartyExpr>, Span),
    AnyOwner {
        of: Box<PartyExpr>,
        bound: ShareBound,
        span: Span,
    },
}

impl PartyExpr {
    pub fn span(&self) -> Span {
        match self {
            PartyExpr::Role(n) => n.span,
            PartyExpr::UltimateParent(_, s) => *s,
            PartyExpr::AnyOwner { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShareBound {
    /// `at least` (true) or `more than` (false).
    pub inclusive: bool,
    pub percent: Spanned<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PartyPred {
    HeadquarteredIn(Vec<Name>),
    LocatedIn(Vec<Name>),
    ListedOn(Vec<Name>),
    OwnedBy {
        bound: ShareBound,
        lists: Vec<Name>,
    },
    /// `is a distributor`
    Distributor,
    /// `is named`: the file names this party itself (not a default, not `unknown`).
    Named,
    Same(PartyExpr),
}
