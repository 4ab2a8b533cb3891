//! What a check returns: per transaction a verdict and its findings, each finding carrying
//! its reasoning as typed steps (`step`), the facts it used with their positions, and its
//! witness. Plain data, serializable; `crate::words` says it in sentences and the renderers in
//! `crate::report` lay it out.

pub mod step;

pub use step::{Step, StepKind, Truth};

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::country::Country;
use crate::date::Date;
use crate::facts::FactRef;
use crate::ir::SrcSpan;
use crate::source::{SourceFile, Span};

/// A transaction's verdict (the most severe of its findings), or a finding's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Warning,
    Indeterminate,
    LicenseRequired,
    Prohibited,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Prohibited,
        Verdict::LicenseRequired,
        Verdict::Indeterminate,
        Verdict::Warning,
        Verdict::Allowed,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Warning => "warning",
            Verdict::Indeterminate => "indeterminate",
            Verdict::LicenseRequired => "license_required",
            Verdict::Prohibited => "prohibited",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.word() == text)
    }

    /// Whether this verdict makes `chipgate check` exit 1.
    pub fn blocks(self) -> bool {
        self >= Verdict::Indeterminate
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The structured evidence behind a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "witness", rename_all = "snake_case")]
pub enum Witness {
    Threshold {
        attribute: String,
        value: f64,
        op: String,
        threshold: f64,
        met: bool,
    },
    Classification {
        item: String,
        eccn: String,
        date: Date,
        holds: bool,
    },
    Membership {
        country: Country,
        places: String,
        date: Date,
        member: bool,
    },
    OwnershipPath {
        edges: Vec<WitnessEdge>,
    },
    Aggregate {
        party: String,
        owners: Vec<WitnessEdge>,
        total: f64,
        threshold: f64,
    },
    RouteHop {
        index: usize,
        country: Country,
        places: String,
    },
    Dates {
        what: String,
        date: Date,
        compared_to: Date,
        relation: String,
        holds: bool,
    },
    Authorization {
        kind: String,
        detail: String,
    },
    /// A party's designation on a list, as the list (or the file) gives it.
    Designation {
        party: String,
        list: String,
        since: Option<Date>,
        until: Option<Date>,
        date: Date,
        entry: Option<String>,
        license_requirement: Option<String>,
        license_policy: Option<String>,
        federal_register_notice: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WitnessEdge {
    pub owned: String,
    pub owner: String,
    /// Percent; `None` when the file does not give it.
    pub share: Option<f64>,
}

/// A fact a finding used, with where it sits in the transaction file.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// What the fact is, e.g. `parties[2].headquarters`.
    pub fact: String,
    /// The fact itself, for tools that follow it (the picture of `chipgate explain`).
    #[serde(skip)]
    pub at: FactRef,
    /// The fact in words, e.g. "`sz-parent` holds 60% of `sg-ai`".
    pub about: String,
    /// The file that gives the fact, when it is not the transaction's own (a facts file of
    /// `check --facts`); `line` and `column` are in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub span: Span,
    /// The facts file that gives the fact (with `file`).
    #[serde(skip)]
    pub source: Option<std::sync::Arc<crate::source::SourceFile>>,
}

/// Something the user can do that would authorize the transaction: the authorization that
/// would lift the requirement, and the exception (with its citation) that it would claim.
#[derive(Clone, Debug, Serialize)]
pub struct Remedy {
    pub authorization: crate::vocab::AuthKind,
    /// What to do, in words (`crate::words::remedy`).
    pub text: String,
    /// The license exception claimed, when the authorization is one.
    #[serde(skip)]
    pub exception: Option<ExceptionRef>,
    /// The lead time it needs and the last day to meet it (a NAC notification 25 days ahead).
    #[serde(skip)]
    pub lead: Option<(i32, Date)>,
    /// The review policy a license application would meet.
    #[serde(skip)]
    pub policy: Option<String>,
}

/// A license exception as the rule set declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExceptionRef {
    pub name: String,
    pub title: String,
    pub cites: Vec<String>,
    pub help: Option<String>,
}

/// A step of a finding with the positions of the facts it used: what the JSON report's
/// `findings[].steps` holds.
#[derive(Clone, Debug)]
pub struct FindingStep {
    pub step: Step,
    pub facts: Vec<Evidence>,
}

impl Serialize for FindingStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        step::StepRecord {
            step: &self.step,
            facts: &self.facts,
        }
        .serialize(s)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub law: Option<String>,
    pub outcome: Verdict,
    /// Where enforcement differs from the codified text: what the text alone requires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_outcome: Option<Verdict>,
    /// The rule's compliance date, when the transaction's date falls before it: the rule is
    /// in force, its requirement reported as a warning until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    pub citation: Vec<String>,
    pub message: String,
    /// One step of the reasoning per entry, each fact with where it came from (the steps in
    /// words).
    pub explanation: Vec<String>,
    /// The reasoning as data: one entry per step, with its kind, values and facts.
    pub steps: Vec<FindingStep>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remedies: Vec<Remedy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub effective: Vec<String>,
    pub facts: Vec<Evidence>,
    pub witness: Vec<Witness>,
    /// The rule's text in its rule file.
    #[serde(skip)]
    pub rule_at: SrcSpan,
    /// The rule's condition and the lines of it each step came from.
    #[serde(skip)]
    pub rule_spans: Vec<SrcSpan>,
}

/// Something a verdict rests on that the file does not establish.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assumption {
    /// `declared_classification`, `default`, `not_screened`, `end_user_default`,
    /// `unscoped_authorization`, `group_caveat`, `rule_caveat`, `fallback`.
    pub kind: &'static str,
    pub text: String,
    /// The rules whose answers relied on it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// A rule that produced no finding for a transaction, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Dismissal {
    pub rule: String,
    pub title: String,
    /// The steps that settled it: the false part of the rule's condition, each fact with
    /// where it came from; or why the rule does not reach the transaction at all.
    pub reason: Vec<String>,
}

/// Why a transaction's check stopped: it took more than `limit` steps
/// (`Limits::max_steps_per_transaction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stopped {
    pub limit: u64,
}

/// The judgement of one transaction.
#[derive(Clone, Debug, Serialize)]
pub struct TransactionReport {
    pub id: String,
    pub file: String,
    pub date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// The order the transaction is a line of (`order:` in the file), when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// What the verdict rests on that the file does not establish: defaults taken, declared
    /// classifications relied on, parties not screened, authorizations whose scope was not
    /// checked, caveats of the groups and rules consulted. Never empty of what matters: a
    /// clearance that relies on something says so here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,
    /// Set when checking stopped before every rule was explained: the verdict is then at
    /// least `indeterminate`, never a clearance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
    /// The facts files (`check --facts`) the transaction's parties and items may come from:
    /// a decision record names them with their digests, so that it can be replayed.
    #[serde(skip)]
    pub facts_files: Vec<Arc<SourceFile>>,
}

impl TransactionReport {
    /// The rules whose findings are not `allowed` (the ones that decided the verdict).
    pub fn determining_rules(&self) -> impl Iterator<Item = &str> {
        self.findings
            .iter()
            .filter(|f| f.outcome != Verdict::Allowed)
            .map(|f| f.rule.as_str())
    }
}
