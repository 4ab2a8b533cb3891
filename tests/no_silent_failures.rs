//! The compiler and the loader never drop a failure without reporting it: a rule set either
//! compiles with every rule it declares, or is refused with at least one error; a transaction
//! file either loads with every transaction, or is refused with at least one error. Checked
//! on the shipped pack, on every bad-input case, and on the pack and the example files with
//! each line taken out in turn (each such deletion is a plausible editing mistake).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chipgate::diag::{Code, Severity};
use chipgate::syntax::ast::{BlockKind, Decl};
use chipgate::syntax::{self, SyntaxLimits};
use chipgate::{Error, Limits, RuleSet, SourceFile, TransactionFile};

/// How many `rule` blocks the files declare, as the parser reads them.
fn declared_rules(sources: &[(String, String)]) -> usize {
    sources
        .iter()
        .map(|(name, text)| {
            let (file, _) = syntax::parse(
                &SourceFile::new(name.as_str(), text.as_str()),
                &SyntaxLimits::default(),
            );
            file.decls
                .iter()
                .filter(|d| matches!(d, Decl::Block(b) if b.kind == BlockKind::Rule))
                .count()
        })
        .sum()
}

fn refused_with_a_reason(e: &Error, what: &str) {
    assert!(
        e.diagnostics.iter().any(|d| d.severity == Severity::Error),
        "{what} was refused without an error: {e}"
    );
}

/// Compiles `sources`: all its rules, or a refusal that says why.
fn rules_hold(sources: &[(String, String)], what: &str) {
    match RuleSet::from_sources(sources, &Limits::default()) {
        Ok(rules) => assert_eq!(
            rules.rule_count(),
            declared_rules(sources),
            "{what} compiled without some of its rules, and nothing said why"
        ),
        Err(e) => refused_with_a_reason(&e, what),
    }
}

fn pack() -> Vec<(String, String)> {
    chipgate::pack::files()
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

#[test]
fn the_pack_compiles_with_every_rule_it_declares() {
    let sources = pack();
    let rules = RuleSet::from_sources(&sources, &Limits::default()).unwrap();
    assert_eq!(rules.rule_count(), declared_rules(&sources));
}

/// Every fifth line of the pack, taken out in turn (each compile takes a while in a debug
/// build); `CHIPGATE_EVERY_LINE=1` takes out every line.
#[test]
fn the_pack_with_a_line_taken_out_compiles_whole_or_says_why() {
    use rayon::prelude::*;
    let step = if std::env::var_os("CHIPGATE_EVERY_LINE").is_some() {
        1
    } else {
        5
    };
    let sources = pack();
    let cuts: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(f, (_, text))| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(move |(i, _)| (f, i))
        })
        .step_by(step)
        .collect();
    cuts.par_iter().for_each(|&(f, skip)| {
        let (name, text) = &sources[f];
        let edited: String = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let mut mutated = sources.clone();
        mutated[f].1 = edited;
        rules_hold(&mutated, &format!("{name} without line {}", skip + 1));
    });
}

#[test]
fn every_bad_rule_case_is_refused_with_an_error() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/rules");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let e = RuleSet::from_sources(&[(name.clone(), text)], &Limits::default())
            .err()
            .unwrap_or_else(|| panic!("{name} compiled"));
        refused_with_a_reason(&e, &name);
    }
}

/// A mistake in a define is said once (at the define), however many rules use it, and every
/// rule that uses it fails with it: none compiles without its condition.
#[test]
fn a_mistake_said_once_still_fails_every_rule_that_meets_it() {
    let text = "define bad { destination in D55 }\n\
        rule a.one { title \"t\" cite \"c\" effective 2024-01-01 on export when bad outcome warning }\n\
        rule a.two { title \"t\" cite \"c\" effective 2024-01-01 on export when bad outcome warning }\n";
    let e = RuleSet::from_sources(&[("d.cg".into(), text.into())], &Limits::default())
        .err()
        .unwrap();
    let codes: Vec<Code> = e.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::RulesUnknownName]);
}

/// Names a file that could not be included might have declared are not reported, but the
/// rule set is refused for the include.
#[test]
fn a_failed_include_refuses_the_rule_set_for_what_it_hides() {
    let text = "include \"missing.cg\"\n\
        rule a.one { title \"t\" cite \"c\" effective 2024-01-01 on export when destination in HIDDEN outcome warning }\n";
    let e = RuleSet::from_sources(&[("i.cg".into(), text.into())], &Limits::default())
        .err()
        .unwrap();
    let codes: Vec<Code> = e.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::RulesInclude]);
}

#[test]
fn the_examples_with_any_line_taken_out_load_whole_or_say_why() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let edited: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| format!("{l}\n"))
                .collect();
            let what = format!("{} without line {}", path.display(), skip + 1);
            let declared = serde_yaml::from_str::<serde_yaml::Value>(&edited)
                .ok()
                .and_then(|v| v.get("transactions")?.as_sequence().map(Vec::len));
            match TransactionFile::parse(
                SourceFile::new("x.yaml", edited.as_str()),
                &Limits::default(),
            ) {
                Ok(file) => assert_eq!(
                    Some(file.transactions.len()),
                    declared,
                    "{what} loaded without some of its transactions, and nothing said why"
                ),
                Err(e) => refused_with_a_reason(&e, &what),
            }
        }
    }
    assert!(seen > 0);
}
