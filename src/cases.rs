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
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::diag::{suggestion_help, Code, Diagnostic, Error};
use crate::facts::raw::RawFile;
use crate::facts::spans::{Seg, SpanIndex};
use crate::facts::{validate, TransactionFile};
use crate::finding::{TransactionReport, Verdict};
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
    /// Screening lists to screen the facts' parties against (`--screening`): paths relative
    /// to the case file, or `pack`.
    #[serde(default)]
    screening: Vec<String>,
    #[serde(deserialize_with = "unique_keys")]
    expect: BTreeMap<String, RawExpect>,
}

/// A map whose keys are each given once: a map type keeps the last of two equal keys, which
/// would drop an expectation (`T1:` written twice) without a word. Refused as a key given
/// twice (`facts::duplicate-key`).
fn unique_keys<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, RawExpect>, D::Error> {
    struct Unique;
    impl<'de> serde::de::Visitor<'de> for Unique {
        type Value = BTreeMap<String, RawExpect>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map from transaction ids to expectations")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, RawExpect>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!(
                        "duplicate field `{key}`"
                    )));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique)
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
    /// `file:line:col` of the expectation in the case file.
    pub at: String,
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
    /// `file:line:col` of the expectation.
    pub at: String,
    /// Every rule that produced a finding, with its outcome.
    pub fired: Vec<Fired>,
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

/// A rule that produced a finding, and the finding's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fired {
    pub rule: String,
    pub outcome: Verdict,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    pub passed: bool,
    pub results: Vec<TransactionResult>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }
}

/// What every use of a case file shares: its YAML read, its `as_of` and its facts validated.
/// Expectations are checked against a rule set only by [`Case::parse`].
struct Parsed {
    raw: RawCase,
    as_of: Option<Date>,
    facts: TransactionFile,
    /// Problems found so far that do not stop the reading (a bad `as_of`).
    errors: Vec<Diagnostic>,
}

impl Parsed {
    fn read(source: &Arc<SourceFile>, limits: &Limits) -> Result<Parsed, Error> {
        validate::guard_text(source, limits)?;
        if source.text().trim().is_empty() {
            return Err(Error::one(
                Diagnostic::error(Code::CaseEmpty, "the test case is empty")
                    .in_file(source)
                    .label(Span::new(0, 0), "nothing here")
                    .help("a case has `description`, `facts` (or `facts_file`) and `expect` (see docs/testing-rules.md)"),
            ));
        }
        let mut raw: RawCase = serde_yaml::from_str(source.text())
            .map_err(|e| validate::yaml_diagnostic(source, &e))?;
        let index = SpanIndex::build(source, None);
        let error = |code: Code, path: &[Seg<'_>], message: String, help: Option<String>| {
            Diagnostic::error(code, message)
                .in_file(source)
                .label(index.locate(path), "here")
                .maybe_help(help)
        };
        let mut errors = Vec::new();
        let as_of = match raw.as_of.as_deref().map(Date::parse) {
            Some(Ok(d)) => Some(d),
            Some(Err(why)) => {
                errors.push(error(
                    Code::CaseBadDate,
                    &[Seg::Key("as_of")],
                    why,
                    Some("write YYYY-MM-DD".into()),
                ));
                None
            }
            None => None,
        };
        let facts = match (raw.facts.take(), raw.facts_file.take()) {
            (Some(f), None) => validate::from_raw(Arc::clone(source), f, "facts", limits),
            (None, Some(path)) => {
                let base = Path::new(source.name()).parent().unwrap_or(Path::new(""));
                let full = crate::source::normalise(&base.join(&path));
                match std::fs::read(&full) {
                    Ok(bytes) => TransactionFile::from_bytes(&full.to_string_lossy(), bytes, limits),
                    Err(e) => Err(Error::one(error(
                        Code::CaseUnreadable,
                        &[Seg::Key("facts_file")],
                        format!("cannot read `{}`: {e}", full.display()),
                        Some("the path is relative to the case file".into()),
                    ))),
                }
            }
            (Some(_), Some(_)) => Err(Error::one(error(
                Code::CaseBothFacts,
                &[Seg::Key("facts_file")],
                "a case gives `facts` or `facts_file`, not both".into(),
                None,
            ))),
            (None, None) => Err(Error::one(error(
                Code::CaseNoFacts,
                &[],
                "the case has no `facts`".into(),
                Some("add `facts:` with parties, items and transactions, or `facts_file:` naming a transaction file".into()),
            ))),
        };
        // Screening the facts, as `check --screening` does, with list paths relative to the
        // case file.
        let facts = facts.and_then(|mut facts| {
            if !raw.screening.is_empty() {
                let base = Path::new(source.name()).parent().unwrap_or(Path::new(""));
                let names: Vec<String> = raw
                    .screening
                    .iter()
                    .map(|n| {
                        if n == crate::screen::PACK_WORD {
                            n.clone()
                        } else {
                            crate::source::normalise(&base.join(n))
                                .to_string_lossy()
                                .into_owned()
                        }
                    })
                    .collect();
                crate::screen::Screening::load(&names, limits)?.apply(&mut facts);
            }
            Ok(facts)
        });
        match facts {
            Ok(facts) => Ok(Parsed {
                raw,
                as_of,
                facts,
                errors,
            }),
            Err(e) => {
                errors.extend(e.diagnostics);
                Err(Error::from(errors))
            }
        }
    }
}

/// A case file's facts and `as_of`, its expectations left unchecked: for judging the case's
/// transactions under any rule set (`chipgate diff`, verdict tables).
pub fn facts_of(
    source: Arc<SourceFile>,
    limits: &Limits,
) -> Result<(TransactionFile, Option<Date>), Error> {
    let parsed = Parsed::read(&source, limits)?;
    if !parsed.errors.is_empty() {
        return Err(Error::from(parsed.errors));
    }
    Ok((parsed.facts, parsed.as_of))
}

/// The YAML files the paths name: a file as given, a folder's `.yaml`/`.yml` files at any
/// depth, in name order. A path that does not exist is a diagnostic.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            out.extend(crate::source::files_under(path, &["yaml", "yml"]));
        } else if path.exists() || path.as_os_str() == "-" {
            out.push(path.clone());
        } else {
            errors.push(
                Diagnostic::error(
                    Code::InputNotFound,
                    format!("`{}` does not exist", path.display()),
                )
                .help("name a YAML file or a folder of them"),
            );
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::from(errors))
    }
}

impl Case {
    /// Reads a case file from disk (`facts_file` resolves relative to it).
    pub fn load(path: &Path, rules: &RuleSet, limits: &Limits) -> Result<Case, Error> {
        let source = crate::facts::read(path, limits)?;
        Case::parse(source, rules, limits)
    }

    /// Parses and validates a case held in memory.
    pub fn parse(source: Arc<SourceFile>, rules: &RuleSet, limits: &Limits) -> Result<Case, Error> {
        let Parsed {
            raw,
            as_of,
            facts,
            mut errors,
        } = Parsed::read(&source, limits)?;
        let index = SpanIndex::build(&source, None);
        let at = |path: &[Seg<'_>]| index.locate(path);
        let error = |code: Code, path: &[Seg<'_>], message: String, help: Option<String>| {
            Diagnostic::error(code, message)
                .in_file(&source)
                .label(at(path), "here")
                .maybe_help(help)
        };
        let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        let known_set: std::collections::HashSet<&str> = known.iter().copied().collect();
        let mut expect = Vec::new();
        for tx in &facts.transactions {
            let Some(e) = raw.expect.get(&tx.id) else {
                errors.push(error(
                    Code::CaseMissingExpectation,
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
                        Code::CaseUnknownVerdict,
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
                    if !known_set.contains(id.as_str()) {
                        let mut p = path.to_vec();
                        p.push(Seg::Key(key));
                        p.push(Seg::Index(i));
                        errors.push(error(
                            Code::CaseUnknownRule,
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
                    at: source.location(index.locate_entry(&path)),
                    verdict,
                    fires: e.fires.clone(),
                    not_fires: e.not_fires.clone(),
                    why: e.why.clone(),
                },
            ));
        }
        // Ids in a set: a case may hold a year of transactions, each with an expectation.
        let ids: std::collections::HashSet<&str> =
            facts.transactions.iter().map(|t| t.id.as_str()).collect();
        for id in raw.expect.keys() {
            if !ids.contains(id.as_str()) {
                errors.push(error(
                    Code::CaseUnknownTransaction,
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
        // Only the transactions with an expectation (all of them, unless `only` left out
        // some) are checked.
        let checker = rules.checker(&self.facts);
        let wanted: std::collections::HashSet<&str> =
            self.expect.iter().map(|(id, _)| id.as_str()).collect();
        let reports: Vec<TransactionReport> = self
            .facts
            .transactions
            .iter()
            .enumerate()
            .filter(|(_, t)| wanted.contains(t.id.as_str()))
            .filter_map(|(i, _)| checker.check(i, self.as_of))
            .collect();
        let by_id: std::collections::HashMap<&str, &TransactionReport> =
            reports.iter().map(|r| (r.id.as_str(), r)).collect();
        let results = self
            .expect
            .iter()
            .filter_map(|(id, e)| {
                let report = *by_id.get(id.as_str())?;
                let fired: Vec<Fired> = report
                    .findings
                    .iter()
                    .map(|f| Fired {
                        rule: f.rule.clone(),
                        outcome: f.outcome,
                    })
                    .collect();
                let has = |rule: &str| fired.iter().any(|f| f.rule == rule);
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
                    at: e.at.clone(),
                    fired,
                    why: e.why.clone(),
                })
            })
            .collect::<Vec<_>>();
        (
            CaseResult {
                file: self.source.name().to_string(),
                description: self.description.clone(),
                as_of: self.as_of,
                passed: results.iter().all(|r| r.passed),
                results,
            },
            reports,
        )
    }
}

/// The result of running a set of case files: each case's outcome, and which rules the cases
/// exercised.
#[derive(Clone, Debug, Serialize)]
pub struct SuiteResult {
    pub cases: Vec<CaseResult>,
    pub coverage: Coverage,
}

/// Which rules of the rule set the cases made fire, and how often; a rule no case fires is
/// untested: a change to it would pass every case.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub rules: Vec<RuleCoverage>,
    pub never_fired: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleCoverage {
    pub rule: String,
    /// Transactions in which the rule produced a finding.
    pub fired: usize,
    /// Of those, how many with each outcome.
    pub outcomes: BTreeMap<Verdict, usize>,
}

impl SuiteResult {
    pub fn passed(&self) -> bool {
        self.cases.iter().all(CaseResult::passed)
    }

    /// One line per failed transaction, `FILE ID: what differed`, for a test's assertion.
    pub fn failures(&self) -> Vec<String> {
        self.cases
            .iter()
            .flat_map(|c| {
                c.results
                    .iter()
                    .filter(|r| !r.passed)
                    .map(move |r| format!("{} {}: {}", c.file, r.id, r.difference()))
            })
            .collect()
    }

    /// The transactions the engine cleared (`allowed` or `warning`, which exit 0) where the
    /// case expects a license requirement, a prohibition or an indeterminate answer: the
    /// failures a compliance engine must never have. `FILE ID: expected X, got Y` each.
    pub fn false_clearances(&self) -> Vec<String> {
        self.cases
            .iter()
            .flat_map(|c| {
                c.results
                    .iter()
                    .filter(|r| r.expected.blocks() && !r.actual.blocks())
                    .map(move |r| {
                        format!(
                            "{} {} at {}: expected {}, got {}",
                            c.file, r.id, r.at, r.expected, r.actual
                        )
                    })
            })
            .collect()
    }

    /// (cases passed, cases failed, transactions passed, transactions failed).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let cases_failed = self.cases.iter().filter(|c| !c.passed()).count();
        let tx: Vec<&TransactionResult> = self.cases.iter().flat_map(|c| &c.results).collect();
        let tx_failed = tx.iter().filter(|r| !r.passed).count();
        (
            self.cases.len() - cases_failed,
            cases_failed,
            tx.len() - tx_failed,
            tx_failed,
        )
    }
}

/// Loads every case file the paths name (folders: their `.yaml`/`.yml` files at any depth).
/// Every problem in every file is reported; finding no case at all is an error too, so a
/// mistyped folder never passes as "0 failed".
pub fn load_all(
    paths: &[std::path::PathBuf],
    rules: &RuleSet,
    limits: &Limits,
) -> Result<Vec<Case>, Error> {
    let files = expand(paths)?;
    if files.is_empty() {
        let named: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        return Err(Error::one(
            Diagnostic::error(
                Code::CaseNoneFound,
                format!("no test cases found in {}", named.join(", ")),
            )
            .help("test cases are YAML files (`.yaml` or `.yml`) with `description`, `facts` and `expect`; see docs/testing-rules.md"),
        ));
    }
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        match Case::load(path, rules, limits) {
            Ok(c) => cases.push(c),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(Error::from(errors))
    }
}

/// Runs the cases and measures which rules they made fire.
pub fn run_all(cases: &[Case], rules: &RuleSet) -> SuiteResult {
    let results: Vec<CaseResult> = cases.iter().map(|c| c.run(rules).0).collect();
    let mut coverage: Vec<RuleCoverage> = rules
        .rules
        .iter()
        .map(|r| RuleCoverage {
            rule: r.id.clone(),
            fired: 0,
            outcomes: BTreeMap::new(),
        })
        .collect();
    for fired in results
        .iter()
        .flat_map(|c| &c.results)
        .flat_map(|r| &r.fired)
    {
        if let Some(c) = coverage.iter_mut().find(|c| c.rule == fired.rule) {
            c.fired += 1;
            *c.outcomes.entry(fired.outcome).or_default() += 1;
        }
    }
    let never_fired = coverage
        .iter()
        .filter(|c| c.fired == 0)
        .map(|c| c.rule.clone())
        .collect();
    SuiteResult {
        cases: results,
        coverage: Coverage {
            rules: coverage,
            never_fired,
        },
    }
}

/// Keeps, in every case, only the expectations of the transactions `ids` names (`chipgate
/// test --only`), and only the cases left with one. An id no case has is a diagnostic.
pub fn only(cases: Vec<Case>, ids: &[String]) -> Result<Vec<Case>, Error> {
    let unknown: Vec<&String> = ids
        .iter()
        .filter(|id| !cases.iter().any(|c| c.expect.iter().any(|(e, _)| e == *id)))
        .collect();
    if let Some(first) = unknown.first() {
        let all: Vec<&str> = cases
            .iter()
            .flat_map(|c| c.expect.iter().map(|(id, _)| id.as_str()))
            .collect();
        return Err(Error::one(
            Diagnostic::error(
                Code::CaseUnknownTransaction,
                format!("no case has a transaction `{first}`"),
            )
            .maybe_help(suggestion_help(first, all.iter().copied()))
            .help("--only names transaction ids of the cases given"),
        ));
    }
    Ok(cases
        .into_iter()
        .filter_map(|mut c| {
            c.expect.retain(|(id, _)| ids.contains(id));
            (!c.expect.is_empty()).then_some(c)
        })
        .collect())
}

/// One expectation rewritten by [`bless`].
#[derive(Clone, Debug, Serialize)]
pub struct Blessed {
    pub file: String,
    pub id: String,
    /// What changed: `verdict allowed -> license_required`, `fires: dropped x`, `added`.
    pub change: String,
}

/// Writes the verdicts the rules give now as the expectations of the case files the paths
/// name (`chipgate test --bless`), so that a rule author starts from what the engine says
/// and reviews the diff. The file is edited in place, line by line: each `verdict:` value
/// that differs is replaced; rules listed under `fires` that no longer fire, and under
/// `not_fires` that now fire, are dropped from their list; a transaction with no
/// expectation gets one at the end of `expect`. Comments, order and everything else are
/// kept as written. `only` limits it to those transactions.
pub fn bless(
    paths: &[std::path::PathBuf],
    rules: &RuleSet,
    limits: &Limits,
    only: &[String],
) -> Result<Vec<Blessed>, Error> {
    let files = expand(paths)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        match bless_one(path, rules, limits, only) {
            Ok(b) => out.extend(b),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::from(errors))
    }
}

fn bless_one(
    path: &Path,
    rules: &RuleSet,
    limits: &Limits,
    only: &[String],
) -> Result<Vec<Blessed>, Error> {
    let source = crate::facts::read(path, limits)?;
    let parsed = Parsed::read(&source, limits)?;
    if !parsed.errors.is_empty() {
        return Err(Error::from(parsed.errors));
    }
    let index = SpanIndex::build(&source, None);
    let text = source.text();
    let checker = rules.checker(&parsed.facts);
    // (span to replace, new text), applied from the end.
    let mut edits: Vec<(Span, String)> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let mut blessed = Vec::new();
    let mut note = |id: &str, change: String| {
        blessed.push(Blessed {
            file: source.name().to_string(),
            id: id.to_string(),
            change,
        })
    };
    for (i, tx) in parsed.facts.transactions.iter().enumerate() {
        if !only.is_empty() && !only.contains(&tx.id) {
            continue;
        }
        let Some(report) = checker.check(i, parsed.as_of) else {
            continue;
        };
        let fired: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        let Some(e) = parsed.raw.expect.get(&tx.id) else {
            added.push(format!(
                "{}:\n    verdict: {}",
                tx.id,
                report.verdict.word()
            ));
            note(&tx.id, format!("added: verdict {}", report.verdict.word()));
            continue;
        };
        let at =
            |key: &str| index.find(&[Seg::Key("expect"), Seg::Key(tx.id.as_str()), Seg::Key(key)]);
        if e.verdict != report.verdict.word() {
            if let Some((_, span)) = at("verdict") {
                edits.push((span, report.verdict.word().to_string()));
                note(
                    &tx.id,
                    format!("verdict {} -> {}", e.verdict, report.verdict.word()),
                );
            }
        }
        for (key, list, keep_fired) in [
            ("fires", &e.fires, true),
            ("not_fires", &e.not_fires, false),
        ] {
            let kept: Vec<&String> = list
                .iter()
                .filter(|r| fired.contains(&r.as_str()) == keep_fired)
                .collect();
            if kept.len() == list.len() {
                continue;
            }
            if let Some((_, span)) = at(key) {
                let dropped: Vec<&str> = list
                    .iter()
                    .filter(|r| !kept.contains(r))
                    .map(String::as_str)
                    .collect();
                let names: Vec<&str> = kept.iter().map(|r| r.as_str()).collect();
                edits.push((span, format!("[{}]", names.join(", "))));
                note(&tx.id, format!("{key}: dropped {}", dropped.join(", ")));
            }
        }
    }
    if !added.is_empty() {
        match index.find(&[Seg::Key("expect")]) {
            Some((_, span)) if text.as_bytes().get(span.start as usize) != Some(&b'{') => {
                // After the last line of `expect`, indented like its first key.
                let first_key = index.keys(&[Seg::Key("expect")]).first().cloned();
                let indent = first_key
                    .and_then(|k| index.find(&[Seg::Key("expect"), Seg::Key(k.as_str())]))
                    .and_then(|(key, _)| key)
                    .map_or(2, |k| source.line_col(k.start).1 - 1);
                let line_end = text
                    .get(span.end as usize..)
                    .and_then(|rest| rest.find('\n'))
                    .map_or(text.len(), |n| span.end as usize + n);
                let pad = " ".repeat(indent);
                let block: String = added
                    .iter()
                    .map(|a| format!("\n{pad}{}", a.replace("\n    ", &format!("\n{pad}  "))))
                    .collect();
                edits.push((Span::new(line_end, line_end), block));
            }
            _ => {
                return Err(Error::one(
                    Diagnostic::error(
                        Code::CaseMissingExpectation,
                        format!("cannot add expectations for {} to `{}`", added.len(), source.name()),
                    )
                    .in_file(&source)
                    .label(index.locate(&[Seg::Key("expect")]), "here")
                    .help("write `expect:` as a block mapping (one transaction id a line) to bless new expectations"),
                ));
            }
        }
    }
    if edits.is_empty() {
        return Ok(blessed);
    }
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut new_text = text.to_string();
    for (span, with) in edits {
        let (a, b) = (span.start as usize, span.end as usize);
        if a <= b
            && b <= new_text.len()
            && new_text.is_char_boundary(a)
            && new_text.is_char_boundary(b)
        {
            new_text.replace_range(a..b, &with);
        }
    }
    std::fs::write(path, new_text).map_err(|e| {
        Error::one(
            Diagnostic::error(
                Code::CaseUnreadable,
                format!("cannot write `{}`: {e}", source.name()),
            )
            .help("--bless rewrites the case files in place"),
        )
    })?;
    Ok(blessed)
}
