//! What a rule change does to real decisions: the same transactions judged under a base rule
//! set and a new one, keeping only the transactions whose verdict or findings changed, with
//! the rules responsible. A finding is its rule and its outcome: a change of wording alone
//! (an explanation, a policy text) is not a changed decision.
//!
//! The base may be a rule file or folder, or a git revision (`HEAD~1` reads `rules/` as of
//! that commit; `REV:PATH` reads another folder), which is how a reviewer asks what a pull
//! request changes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde::Serialize;

use crate::corpus::Input;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Error};
use crate::finding::{TransactionReport, Verdict};
use crate::ir::RuleSet;
use crate::limits::Limits;
use crate::source::SourceFile;

/// Which rule set a side of the diff is, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// What the user named: a path, a revision, or `built-in`.
    pub source: String,
    pub digest: String,
    pub rules: usize,
}

impl Side {
    pub fn new(source: impl Into<String>, rules: &RuleSet) -> Side {
        Side {
            source: source.into(),
            digest: rules.digest().to_string(),
            rules: rules.rule_count(),
        }
    }
}

/// One rule whose finding appeared, disappeared or changed outcome.
#[derive(Clone, Debug, Serialize)]
pub struct RuleChange {
    pub rule: String,
    /// The outcome under the base rules; `None`: no finding.
    pub before: Option<Verdict>,
    pub after: Option<Verdict>,
    /// When the rule is in force, in each rule set (empty where it does not exist).
    pub effective_before: Vec<String>,
    pub effective_after: Vec<String>,
}

impl RuleChange {
    /// `added`, `removed` or `changed`.
    pub fn change(&self) -> &'static str {
        match (self.before, self.after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
        }
    }
}

/// A transaction whose decision changed.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub file: String,
    pub id: String,
    /// `file:line:col` of the transaction.
    pub at: String,
    /// The date it was judged on.
    pub date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    pub before: Verdict,
    pub after: Verdict,
    /// Findings of the new rules that the base rules did not produce, those that went away,
    /// and those whose outcome changed.
    pub added: Vec<RuleChange>,
    pub removed: Vec<RuleChange>,
    pub changed: Vec<RuleChange>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    pub version: &'static str,
    pub base: Side,
    pub new: Side,
    /// Transactions judged under both.
    pub transactions: usize,
    pub changes: Vec<Change>,
}

/// Judges every input under both rule sets and keeps what changed.
pub fn diff(
    base: (&RuleSet, Side),
    new: (&RuleSet, Side),
    inputs: &[Input],
    as_of: Option<Date>,
) -> DiffReport {
    let (old_rules, old_side) = base;
    let (new_rules, new_side) = new;
    let mut changes = Vec::new();
    let mut transactions = 0;
    for input in inputs {
        let when = as_of.or(input.as_of);
        let before = old_rules.check(&input.facts, when);
        let after = new_rules.check(&input.facts, when);
        for (b, a) in before.iter().zip(&after) {
            transactions += 1;
            if let Some(c) = compare(b, a, old_rules, new_rules) {
                changes.push(c);
            }
        }
    }
    DiffReport {
        version: crate::VERSION,
        base: old_side,
        new: new_side,
        transactions,
        changes,
    }
}

fn compare(
    before: &TransactionReport,
    after: &TransactionReport,
    old_rules: &RuleSet,
    new_rules: &RuleSet,
) -> Option<Change> {
    let effective = |rules: &RuleSet, id: &str| -> Vec<String> {
        rules
            .rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.windows.iter().map(|w| w.to_string()).collect())
            .unwrap_or_default()
    };
    let outcome = |r: &TransactionReport, id: &str| {
        r.findings.iter().find(|f| f.rule == id).map(|f| f.outcome)
    };
    let mut rules: Vec<&str> = before
        .findings
        .iter()
        .chain(&after.findings)
        .map(|f| f.rule.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for id in rules {
        let (b, a) = (outcome(before, id), outcome(after, id));
        if b == a {
            continue;
        }
        let change = RuleChange {
            rule: id.to_string(),
            before: b,
            after: a,
            effective_before: effective(old_rules, id),
            effective_after: effective(new_rules, id),
        };
        match (b, a) {
            (None, _) => added.push(change),
            (_, None) => removed.push(change),
            _ => changed.push(change),
        }
    }
    if before.verdict == after.verdict
        && added.is_empty()
        && removed.is_empty()
        && changed.is_empty()
    {
        return None;
    }
    let at = after
        .source
        .as_ref()
        .map_or_else(|| after.file.clone(), |s| s.location(after.span));
    Some(Change {
        file: after.file.clone(),
        id: after.id.clone(),
        at,
        date: after.date,
        as_of: after.as_of,
        before: before.verdict,
        after: after.verdict,
        added,
        removed,
        changed,
    })
}

/// Resolves `--base`: an existing rule file or folder, else a git revision (optionally
/// `REV:PATH`) read from the repository around the current directory.
pub fn load_base(spec: &str, limits: &Limits) -> Result<(RuleSet, Side), Error> {
    let path = Path::new(spec);
    if path.exists() {
        let rules = RuleSet::from_paths(&[PathBuf::from(spec)], limits)?;
        let side = Side::new(spec, &rules);
        return Ok((rules, side));
    }
    let (rev, folder) = match spec.split_once(':') {
        Some((rev, folder)) if !rev.is_empty() => (rev, folder.trim_matches('/')),
        _ => (spec, "rules"),
    };
    let not_base = |why: String| {
        Error::one(
            Diagnostic::error(
                Code::DiffBadBase,
                format!("`--base {spec}` is not a rule file, a rule folder or a git revision"),
            )
            .help(format!(
                "{why}; give a folder such as `rules`, a `.cg` file, or a revision such as `HEAD~1` or `main` (inside a git repository; `REV:PATH` reads another folder)"
            )),
        )
    };
    let top = match git(&["rev-parse", "--show-toplevel"], None) {
        Ok(out) => PathBuf::from(out.trim_end_matches(['\n', '\r'])),
        Err(why) => {
            return Err(not_base(format!(
                "no file or folder is named `{spec}`, and git found no repository here ({why})"
            )))
        }
    };
    let commit = match git(
        &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
        Some(&top),
    ) {
        Ok(c) => c.trim().to_string(),
        Err(_) => {
            return Err(not_base(format!(
                "no file or folder is named `{spec}`, and `{rev}` is not a revision of this git repository"
            )))
        }
    };
    let listing = git(
        &["ls-tree", "-r", "-z", "--name-only", &commit, "--", folder],
        Some(&top),
    )
    .map_err(|why| not_base(format!("git could not list `{folder}` at `{rev}`: {why}")))?;
    // Named `REV:path`, so a diagnostic in an old rule file says which version it is in.
    let read_at = |name: &str| -> Result<Arc<SourceFile>, String> {
        git(&["show", &format!("{commit}:{name}")], Some(&top))
            .map(|text| SourceFile::new(format!("{rev}:{name}"), text))
    };
    let mut roots = Vec::new();
    for name in listing.split('\0').filter(|n| n.ends_with(".cg")) {
        roots.push(
            read_at(name).map_err(|why| {
                not_base(format!("git could not read `{name}` at `{rev}`: {why}"))
            })?,
        );
    }
    if roots.is_empty() {
        return Err(Error::one(
            Diagnostic::error(
                Code::DiffBadBase,
                format!("revision `{rev}` has no `.cg` rule files under `{folder}/`"),
            )
            .help("name the folder holding the rules as `REV:PATH`, e.g. `HEAD~1:rules`"),
        ));
    }
    // Includes resolve within the same revision, outside the folder too.
    let prefix = format!("{rev}:");
    let resolve = |from: &SourceFile, path: &str| -> Result<Arc<SourceFile>, String> {
        let from_name = from.name().strip_prefix(&prefix).unwrap_or(from.name());
        let base = Path::new(from_name).parent().unwrap_or(Path::new(""));
        let target = crate::source::normalise(&base.join(path))
            .to_string_lossy()
            .replace('\\', "/");
        read_at(&target).map_err(|why| format!("`{target}` at `{rev}`: {why}"))
    };
    let rules = crate::compile::compile(roots, &resolve, limits)?;
    let side = Side::new(format!("{rev}:{folder} ({commit:.12})"), &rules);
    Ok((rules, side))
}

/// Runs git and returns its standard output; the error is git's message.
fn git(args: &[&str], dir: Option<&Path>) -> Result<String, String> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(if msg.is_empty() {
            format!("git {} failed", args.first().unwrap_or(&""))
        } else {
            msg
        });
    }
    String::from_utf8(out.stdout).map_err(|_| "git printed text that is not UTF-8".to_string())
}
