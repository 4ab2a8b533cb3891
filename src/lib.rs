//! chipgate: export-control compliance checks for advanced chips.
//!
//! Rules written in chipgate's rule language (`docs/language.md`) compile once into a
//! [`RuleSet`]; transaction files (`docs/transaction-file.md`) load into a [`TransactionFile`]; checking
//! gives one [`TransactionReport`] per transaction with its [`Verdict`] and explained
//! [`Finding`]s.
//!
//! ```
//! use chipgate::{RuleSet, TransactionFile, Limits, Verdict};
//!
//! let rules = RuleSet::builtin().expect("the shipped pack compiles");
//! let yaml = r#"
//! parties:
//!   - { id: us-dist, name: US Distributor Inc., country: US }
//!   - { id: sz-buyer, name: Shenzhen Buyer Co., country: CN }
//! items:
//!   - { id: h100, name: NVIDIA H100 SXM5, tpp: 15832, die_area_mm2: 814 }
//! transactions:
//!   - { id: T1, kind: export, date: 2025-02-10, item: h100, quantity: 8, from: us-dist, to: sz-buyer }
//! "#;
//! let file = TransactionFile::from_str("deal.yaml", yaml, &Limits::default()).expect("valid file");
//! let reports = rules.check(&file, None);
//! assert_eq!(reports[0].verdict, Verdict::LicenseRequired);
//! assert!(reports[0].findings.iter().any(|f| f.rule == "us.ear.3a090a.destinations"));
//! ```
//!
//! The pipeline, one module per stage: [`syntax`] (pest, spans on every node) →
//! [`compile`] (names, types, dates, citations) → [`ir`] ← [`check`] → [`world`] ←
//! [`facts`] (serde_yaml, validation); [`report`] renders what [`check`] returns.

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
// Errors are diagnostics carrying their spans, help and source: large, but built once per
// problem on the cold path, so boxing them would buy nothing.
#![allow(clippy::result_large_err)]

pub mod cases;
pub mod catalogue;
pub mod check;
pub mod compile;
pub mod corpus;
pub mod country;
pub mod date;
pub mod diag;
pub mod diff;
pub mod explain;
pub mod facts;
pub mod finding;
pub mod ir;
pub mod limits;
pub mod pack;
pub mod report;
pub mod schema;
pub mod screen;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod syntax;
pub mod table;
pub mod vocab;
pub mod words;
pub mod world;

use std::path::PathBuf;
use std::sync::Arc;

pub use check::Checker;
pub use date::Date;
pub use diag::{Diagnostic, Error};
pub use facts::TransactionFile;
pub use finding::{Evidence, Finding, Remedy, TransactionReport, Verdict, Witness};
pub use ir::RuleSet;
pub use limits::Limits;
pub use source::SourceFile;

/// The engine's version, stamped on every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl RuleSet {
    /// The rule pack shipped in `rules/`, built into the library.
    pub fn builtin() -> Result<RuleSet, Error> {
        pack::builtin(&Limits::default())
    }

    /// Rule files and folders from disk.
    pub fn from_paths(paths: &[PathBuf], limits: &Limits) -> Result<RuleSet, Error> {
        pack::from_paths(paths, limits)
    }

    /// Rule texts held in memory, as `(name, text)`; `include` resolves among the names.
    pub fn from_sources(sources: &[(String, String)], limits: &Limits) -> Result<RuleSet, Error> {
        pack::from_sources(sources, limits)
    }

    /// `sha256:…` over every rule file's name and text: identifies the rule set in reports.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// How many rules (not counting groups, classifications and exceptions).
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The rule files compiled into this set.
    pub fn sources(&self) -> &[Arc<SourceFile>] {
        &self.sources
    }

    /// The compiled form, read-only: for tools that walk it, such as the naive reference
    /// checker the test suite compares the checker with (`tests/reference/`).
    pub fn compiled(&self) -> Compiled<'_> {
        Compiled {
            rules: &self.rules,
            groups: &self.groups,
            classes: &self.classes,
            exceptions: &self.exceptions,
            needs: &self.needs,
        }
    }

    /// Summaries of every rule, for listings and coverage.
    pub fn rule_summaries(&self) -> Vec<RuleSummary> {
        self.rules
            .iter()
            .map(|r| RuleSummary {
                id: r.id.clone(),
                title: r.title.clone(),
                law: r
                    .law
                    .and_then(|l| self.laws.get(usize::from(l)))
                    .map(|l| l.name.clone()),
                citation: r.cites.clone(),
                effective: r.windows.iter().map(|w| w.to_string()).collect(),
                outcome: check::verdict_of(r.outcome),
                kinds: facts::Kind::ALL
                    .iter()
                    .filter(|k| r.kinds & k.bit() != 0)
                    .map(|k| k.word().to_string())
                    .collect(),
                notes: r.notes.clone(),
                location: self
                    .sources
                    .get(usize::from(r.at.file))
                    .map(|s| s.location(r.at.span))
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Checks every transaction of a file (on its own date, or on `as_of`), in file order.
    pub fn check(&self, file: &TransactionFile, as_of: Option<Date>) -> Vec<TransactionReport> {
        let checker = Checker::new(self, file);
        (0..file.transactions.len())
            .filter_map(|i| checker.check(i, as_of))
            .collect()
    }

    /// Checks every transaction of a file within `limits`, in file order; a transaction whose
    /// check takes more than `limits.max_steps_per_transaction` steps is refused with a
    /// located diagnostic (where [`RuleSet::check`] would call it `indeterminate`).
    pub fn try_check(
        &self,
        file: &TransactionFile,
        as_of: Option<Date>,
        limits: &Limits,
    ) -> Result<Vec<TransactionReport>, Error> {
        let checker = Checker::with_limits(self, file, limits);
        let mut reports = Vec::with_capacity(file.transactions.len());
        let mut refused = Vec::new();
        for i in 0..file.transactions.len() {
            match checker.try_check(i, as_of) {
                Ok(Some(r)) => reports.push(r),
                Ok(None) => {}
                Err(d) => refused.push(d),
            }
        }
        if refused.is_empty() {
            Ok(reports)
        } else {
            Err(Error::from(refused))
        }
    }

    /// Checks every transaction of a file like [`RuleSet::check`], but streams: each report
    /// is turned into a `T` by `map` (on all cores when the file is large) and handed to
    /// `sink` in file order, so memory never holds every report at once.
    pub fn check_streaming<T: Send>(
        &self,
        file: &TransactionFile,
        as_of: Option<Date>,
        map: impl Fn(TransactionReport) -> T + Sync,
        sink: impl FnMut(T),
    ) {
        check::stream(&Checker::new(self, file), as_of, map, sink);
    }

    /// A checker bound to one file, for checking transactions one at a time.
    pub fn checker<'a>(&'a self, file: &'a TransactionFile) -> Checker<'a> {
        Checker::new(self, file)
    }

    /// A checker bound to one file, with a step limit per transaction other than the default.
    pub fn checker_with_limits<'a>(
        &'a self,
        file: &'a TransactionFile,
        limits: &Limits,
    ) -> Checker<'a> {
        Checker::with_limits(self, file, limits)
    }
}

/// A rule set's compiled form ([`ir`]), borrowed: indices in the conditions refer to these
/// lists (`Test::ItemIs::classes`, `Test::Exception`, `PlaceSet::groups`,
/// `PartyRef::AnyOwner::threshold` into `needs.thresholds`, `PartyPred::OwnedBy` into
/// `needs.aggregates`).
#[derive(Clone, Copy)]
pub struct Compiled<'a> {
    pub rules: &'a [ir::Rule],
    pub groups: &'a [ir::Group],
    pub classes: &'a [ir::Classification],
    pub exceptions: &'a [ir::Exception],
    pub needs: &'a ir::Needs,
}

/// One rule, described for listings.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub title: String,
    pub law: Option<String>,
    pub citation: Vec<String>,
    pub effective: Vec<String>,
    pub outcome: Verdict,
    pub kinds: Vec<String>,
    pub notes: Vec<String>,
    pub location: String,
}

impl TransactionFile {
    /// Reads and validates a transaction file held in memory.
    pub fn from_str(name: &str, text: &str, limits: &Limits) -> Result<TransactionFile, Error> {
        TransactionFile::from_bytes(name, text.as_bytes().to_vec(), limits)
    }
}
