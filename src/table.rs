//! A verdict table: the decisions of a corpus under a rule set, in a stable text form made for
//! snapshot tests. A rule author snapshots the table of their corpus (`insta`), and every
//! rule change then shows in review as a diff of decisions.
//!
//! Each transaction is one line (file, id, date, verdict), followed by one indented line per
//! finding (outcome, rule). Lines are independent of one another: no column widths that shift
//! when a longer id appears, no digests or versions that change with every edit, so a change
//! touches exactly the lines of the transactions it flips.
//!
//! ```
//! use chipgate::table::VerdictTable;
//! use chipgate::{Limits, RuleSet, TransactionFile};
//!
//! let rules = RuleSet::builtin().expect("the shipped pack compiles");
//! let yaml = r#"
//! parties:
//!   - { id: us-dist, name: US Distributor Inc., country: US }
//!   - { id: sz-buyer, name: Shenzhen Buyer Co., country: CN }
//! items:
//!   - { id: h100, name: NVIDIA H100 SXM5, tpp: 15832, die_area_mm2: 814 }
//! transactions:
//!   - { id: T1, kind: export, date: 2024-06-03, item: h100, quantity: 8, from: us-dist, to: sz-buyer }
//! "#;
//! let file = TransactionFile::from_str("deal.yaml", yaml, &Limits::default()).expect("valid file");
//! let table = VerdictTable::check(&rules, &[file], None);
//! assert_eq!(
//!     table.to_string(),
//!     "deal.yaml T1 2024-06-03 license_required\n    license_required us.ear.3a090a.destinations\n"
//! );
//! // In a test: insta::assert_snapshot!(table.to_string());
//! ```

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::corpus;
use crate::date::Date;
use crate::diag::Error;
use crate::facts::TransactionFile;
use crate::finding::{TransactionReport, Verdict};
use crate::ir::RuleSet;
use crate::limits::Limits;

/// One transaction's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub file: String,
    pub id: String,
    /// The date it was judged on.
    pub date: Date,
    pub as_of: Option<Date>,
    pub verdict: Verdict,
    /// Every rule that produced a finding, with the finding's outcome, in rule order.
    pub findings: Vec<(String, Verdict)>,
}

/// The decisions of a corpus, in input order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerdictTable {
    pub rows: Vec<Row>,
}

impl VerdictTable {
    pub fn new() -> VerdictTable {
        VerdictTable::default()
    }

    /// Adds the decisions of already-checked transactions.
    pub fn extend(&mut self, reports: &[TransactionReport]) {
        self.rows.extend(reports.iter().map(|r| {
            Row {
                file: r.file.clone(),
                id: r.id.clone(),
                date: r.date,
                as_of: r.as_of,
                verdict: r.verdict,
                findings: r
                    .findings
                    .iter()
                    .map(|f| (f.rule.clone(), f.outcome))
                    .collect(),
            }
        }));
    }

    pub fn from_reports(reports: &[TransactionReport]) -> VerdictTable {
        let mut t = VerdictTable::new();
        t.extend(reports);
        t
    }

    /// Checks the files under the rules (on `as_of`, or each transaction's own date).
    pub fn check(rules: &RuleSet, files: &[TransactionFile], as_of: Option<Date>) -> VerdictTable {
        let mut t = VerdictTable::new();
        for f in files {
            t.extend(&rules.check(f, as_of));
        }
        t
    }

    /// Loads transaction files and rule test cases (a case's facts, on its `as_of`) from
    /// files and folders, and checks them.
    pub fn from_paths(
        rules: &RuleSet,
        paths: &[PathBuf],
        limits: &Limits,
    ) -> Result<VerdictTable, Error> {
        let mut t = VerdictTable::new();
        for input in corpus::load(paths, limits)? {
            t.extend(&rules.check(&input.facts, input.as_of));
        }
        Ok(t)
    }

    /// How many transactions have each verdict, most severe first.
    pub fn tally(&self) -> Vec<(Verdict, usize)> {
        Verdict::ALL
            .iter()
            .map(|v| (*v, self.rows.iter().filter(|r| r.verdict == *v).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.file, self.id, self.date)?;
        if self.as_of.is_some() {
            f.write_str(" (as of)")?;
        }
        writeln!(f, " {}", self.verdict)?;
        for (rule, outcome) in &self.findings {
            writeln!(f, "    {outcome} {rule}")?;
        }
        Ok(())
    }
}

impl fmt::Display for VerdictTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for row in &self.rows {
            write!(f, "{row}")?;
        }
        Ok(())
    }
}
