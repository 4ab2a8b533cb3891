//! A full check, rendered both ways. The first byte chooses what is fuzzed:
//! - even: the rest is a transaction file, checked against the built-in rule pack (on its
//!   own dates and as of a date taken from the second byte);
//! - odd: the rest is a rule file (named `rules/ear/fuzz.cg`, so the pack's `include`s of
//!   groups, laws and classifications resolve), compiled and checked against a fixed
//!   transaction file (`fuzz/world.yaml`: ownership cycles, unknown shares, aggregates,
//!   leases, routes).
#![no_main]

use std::sync::OnceLock;

use chipgate::report::{self, human};
use chipgate::{Date, Limits, RuleSet, TransactionFile};
use libfuzzer_sys::fuzz_target;

static WORLD: &str = include_str!("../world.yaml");

fn builtin() -> Option<&'static RuleSet> {
    static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().ok()).as_ref()
}

fn world() -> Option<&'static TransactionFile> {
    static FILE: OnceLock<Option<TransactionFile>> = OnceLock::new();
    FILE.get_or_init(|| TransactionFile::from_str("world.yaml", WORLD, &Limits::default()).ok())
        .as_ref()
}

fn check_and_render(rules: &RuleSet, file: &TransactionFile, as_of: Option<Date>) {
    let reports = rules.check(file, as_of);
    let style = human::Style::default();
    for r in &reports {
        let _ = human::transaction(r, rules, style);
    }
    let _ = human::summary(&reports, rules);
    let _ = report::json::render(&report::Report::new(rules, &reports));
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let limits = Limits::default();
    if mode % 2 == 0 {
        let Some(rules) = builtin() else { return };
        let as_of = rest.first().and_then(|b| {
            // 2022-01-01 plus up to ~5 years in weeks: around every effective date.
            Date::parse("2022-01-01").ok().map(|d| d.plus_days(i32::from(*b) * 7))
        });
        let body = rest.get(1..).unwrap_or(&[]);
        if let Ok(file) = TransactionFile::from_bytes("fuzz.yaml", body.to_vec(), &limits) {
            check_and_render(rules, &file, None);
            check_and_render(rules, &file, as_of);
        }
    } else {
        let Some(file) = world() else { return };
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        // The pack's files that declare no rules (groups, laws, classifications), so that
        // a fuzzed copy of a pack rule file neither misses its includes nor clashes.
        let mut sources: Vec<(String, String)> = chipgate::pack::files()
            .iter()
            .filter(|(_, t)| !t.contains("\nrule "))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        sources.push(("rules/ear/fuzz.cg".to_string(), text.to_string()));
        if let Ok(rules) = RuleSet::from_sources(&sources, &limits) {
            check_and_render(&rules, file, None);
        }
    }
});
