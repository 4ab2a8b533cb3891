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
    },
    /// The body of a `define`.
    Body(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>, Span),
    Or(Vec<Expr>, Span),
    Not(Box<Expr>, Span),
    Test(Box<Test>, Span),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, s) | Expr::Or(_, s) | Expr::Not(_, s) | Expr::Test(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// `item is [not] 3A090.a`
    ItemIs { negated: bool, eccn: Name },
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
    OwnedBy { bound: ShareBound, lists: Vec<Name> },
    Same(PartyExpr),
}
