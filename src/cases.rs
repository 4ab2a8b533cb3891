//! Rule test cases as data: a transaction file (`facts:`, or `facts_file:` naming one) with
//! the expected verdict of every transaction and, optionally, the rules that must and must not
//! fire. The shipped pack's cases live in `rules/tests/`; `chipgate test` and `cargo test`
//! both run them through this module.
//!
//! ```yaml
//! description: "HQ rule: a Singapore subsidiary 60% owned from Shenzhen"
//! as_of: 2025-03-01              # optional
//! facts: { parties: […], items: […], transactions: […] }
//! expect:
//!   T1:
//!     verdict: license_required
//!     fires: [us.ear.hq-rule]    # a finding of any outcome, `allowed` (authorized) included
//!     not_fires: [us.ear.3a090a.destinations]
//!     why: "15 CFR 744.23(a)(3): the ultimate parent is headquartered in CN"
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::check::report::{TransactionReport, Verdict};
use crate::date::Date;
use crate::diag::{suggestion_help, Diagnostic, Error};
use crate::facts::raw::RawFile;
use crate::facts::spans::{Seg, SpanIndex};
use crate::facts::{validate, TransactionFile};
use crate::ir::RuleSet;
use crate::limits::Limits;
use crate::source::{SourceFile, Span};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    description: String,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    facts: Option<RawFile>,
    #[serde(default)]
    facts_file: Option<String>,
    expect: BTreeMap<String, RawExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    verdict: String,
    #[serde(default)]
    fires: Vec<String>,
    #[serde(default)]
    not_fires: Vec<String>,
    #[serde(default)]
    why: Option<String>,
}

/// What one transaction of a case is expected to give.
#[derive(Clone, Debug, Serialize)]
pub struct Expectation {
    pub verdict: Verdict,
    pub fires: Vec<String>,
    pub not_fires: Vec<String>,
    pub why: Option<String>,
}

/// A loaded, validated test case.
pub struct Case {
    pub source: Arc<SourceFile>,
    pub description: String,
    pub as_of: Option<Date>,
    pub facts: TransactionFile,
    /// In the order of the transactions.
    pub expect: Vec<(String, Expectation)>,
}

/// The outcome of one transaction of a case.
#[derive(Clone, Debug, Serialize)]
pub struct TransactionResult {
    pub id: String,
    pub passed: bool,
    pub expected: Verdict,
    pub actual: Verdict,
    /// Rules expected to fire that did not.
    pub missing: Vec<String>,
    /// Rules expected not to fire that did.
    pub unexpected: Vec<String>,
    /// Every rule that produced a finding, with its outcome.
    pub fired: Vec<(String, Verdict)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl TransactionResult {
    /// "expected license_required, got allowed; missing rule us.ear.hq-rule".
    pub fn difference(&self) -> String {
        let mut parts = Vec::new();
        if self.expected != self.actual {
            parts.push(format!("expected {}, got {}", self.expected, self.actual));
        }
        if !self.missing.is_empty() {
            parts.push(format!(
                "missing rule{} {}",
                plural(self.missing.len()),
                self.missing.join(", ")
            ));
        }
        if !self.unexpected.is_empty() {
            parts.push(format!(
                "unexpected rule{} {}",
                plural(self.unexpected.len()),
                self.unexpected.join(", ")
            ));
        }
        parts.join("; ")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    pub file: String,
    pub description: String,
    pub results: Vec<TransactionResult>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }
}

impl Case {
    /// Reads a case file from disk (`facts_file` resolves relative to it).
    pub fn load(path: &Path, rules: &RuleSet, limits: &Limits) -> Result<Case, Error> {
        let name = crate::pack::normalise(path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).map_err(|e| {
            Error::one(
                Diagnostic::error("case::unreadable", format!("cannot read `{name}`: {e}"))
                    .help("check the path"),
            )
        })?;
        let source = crate::facts::decode(&name, bytes, limits)?;
        Case::parse(source, rules, limits)
    }

    /// Parses and validates a case held in memory.
    pub fn parse(source: Arc<SourceFile>, rules: &RuleSet, limits: &Limits) -> Result<Case, Error> {
        validate::guard_text(&source, limits)?;
        if source.text().trim().is_empty() {
            return Err(Error::one(
                Diagnostic::error("case::empty", "the test case is empty")
                    .in_file(&source)
                    .label(Span::new(0, 0), "nothing here")
                    .help("a case has `description`, `facts` (or `facts_file`) and `expect` (see docs/testing-rules.md)"),
            ));
        }
        let raw: RawCase = serde_yaml::from_str(source.text())
            .map_err(|e| validate::yaml_diagnostic(&source, &e))?;
        let index = SpanIndex::build(&source, None);
        let at = |path: &[Seg<'_>]| index.locate(path);
        let error =
            |code: &'static str, path: &[Seg<'_>], message: String, help: Option<String>| {
                Diagnostic::error(code, message)
                    .in_file(&source)
                    .label(at(path), "here")
                    .maybe_help(help)
            };
        let mut errors = Vec::new();
        let as_of = match raw.as_of.as_deref().map(Date::parse) {
            Some(Ok(d)) => Some(d),
            Some(Err(why)) => {
                errors.push(error(
                    "case::bad-date",
                    &[Seg::Key("as_of")],
                    why,
                    Some("write YYYY-MM-DD".into()),
                ));
                None
            }
            None => None,
        };
        let facts = match (raw.facts, raw.facts_file) {
            (Some(f), None) => validate::from_raw(Arc::clone(&source), f, "facts", limits),
            (None, Some(path)) => {
                let base = Path::new(source.name()).parent().unwrap_or(Path::new(""));
                let full = crate::pack::normalise(&base.join(&path));
                match std::fs::read(&full) {
                    Ok(bytes) => TransactionFile::from_bytes(&full.to_string_lossy(), bytes, limits),
                    Err(e) => Err(Error::one(error(
                        "case::unreadable",
                        &[Seg::Key("facts_file")],
                        format!("cannot read `{}`: {e}", full.display()),
                        Some("the path is relative to the case file".into()),
                    ))),
                }
            }
            (Some(_), Some(_)) => Err(Error::one(error(
                "case::both-facts",
                &[Seg::Key("facts_file")],
                "a case gives `facts` or `facts_file`, not both".into(),
                None,
            ))),
            (None, None) => Err(Error::one(error(
                "case::no-facts",
                &[],
                "the case has no `facts`".into(),
                Some("add `facts:` with parties, items and transactions, or `facts_file:` naming a transaction file".into()),
            ))),
        };
        let facts = match facts {
            Ok(f) => f,
            Err(e) => {
                errors.extend(e.diagnostics);
                return Err(Error::from(errors));
            }
        };
        let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        let mut expect = Vec::new();
        for tx in &facts.transactions {
            let Some(e) = raw.expect.get(&tx.id) else {
                errors.push(error(
                    "case::missing-expectation",
                    &[Seg::Key("expect")],
                    format!("no expectation for transaction `{}`", tx.id),
                    Some(format!(
                        "add `{}:` with its `verdict` under `expect`",
                        tx.id
                    )),
                ));
                continue;
            };
            let path = [Seg::Key("expect"), Seg::Key(tx.id.as_str())];
            let verdict = match Verdict::parse(&e.verdict) {
                Some(v) => v,
                None => {
                    let words: Vec<&str> = Verdict::ALL.iter().map(|v| v.word()).collect();
                    errors.push(error(
                        "case::unknown-verdict",
                        &[
                            Seg::Key("expect"),
                            Seg::Key(tx.id.as_str()),
                            Seg::Key("verdict"),
                        ],
                        format!("unknown verdict `{}`", e.verdict),
                        suggestion_help(&e.verdict, words.iter().copied())
                            .or_else(|| Some(format!("verdicts are: {}", words.join(", ")))),
                    ));
                    continue;
                }
            };
            for (key, list) in [("fires", &e.fires), ("not_fires", &e.not_fires)] {
                for (i, id) in list.iter().enumerate() {
                    if !known.contains(&id.as_str()) {
                        let mut p = path.to_vec();
                        p.push(Seg::Key(key));
                        p.push(Seg::Index(i));
                        errors.push(error(
                            "case::unknown-rule",
                            &p,
                            format!("no rule `{id}` in the rule set"),
                            suggestion_help(id, known.iter().copied()).or_else(|| {
                                Some("name a rule id of the rule set under test".into())
                            }),
                        ));
                    }
                }
            }
            expect.push((
                tx.id.clone(),
                Expectation {
                    verdict,
                    fires: e.fires.clone(),
                    not_fires: e.not_fires.clone(),
                    why: e.why.clone(),
                },
            ));
        }
        for id in raw.expect.keys() {
            if !facts.transactions.iter().any(|t| &t.id == id) {
                errors.push(error(
                    "case::unknown-transaction",
                    &[Seg::Key("expect"), Seg::Key(id.as_str())],
                    format!("`{id}` is not a transaction of this case"),
                    suggestion_help(id, facts.transactions.iter().map(|t| t.id.as_str())),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::from(errors));
        }
        Ok(Case {
            source,
            description: raw.description,
            as_of,
            facts,
            expect,
        })
    }

    /// Runs the case: each transaction's verdict and fired rules against the expectation.
    pub fn run(&self, rules: &RuleSet) -> (CaseResult, Vec<TransactionReport>) {
        let reports = rules.check(&self.facts, self.as_of);
        let results = self
            .expect
            .iter()
            .filter_map(|(id, e)| {
                let report = reports.iter().find(|r| &r.id == id)?;
                let fired: Vec<(String, Verdict)> = report
                    .findings
                    .iter()
                    .map(|f| (f.rule.clone(), f.outcome))
                    .collect();
                let has = |rule: &str| fired.iter().any(|(r, _)| r == rule);
                let missing: Vec<String> = e.fires.iter().filter(|r| !has(r)).cloned().collect();
                let unexpected: Vec<String> =
                    e.not_fires.iter().filter(|r| has(r)).cloned().collect();
                Some(TransactionResult {
                    id: id.clone(),
                    passed: report.verdict == e.verdict
                        && missing.is_empty()
                        && unexpected.is_empty(),
                    expected: e.verdict,
                    actual: report.verdict,
                    missing,
                    unexpected,
                    fired,
                    why: e.why.clone(),
                })
            })
            .collect();
        (
            CaseResult {
                file: self.source.name().to_string(),
                description: self.description.clone(),
                results,
            },
            reports,
        )
    }
}
