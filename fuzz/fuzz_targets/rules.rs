//! The rule-language parser and compiler: any text, cut into up to four files (at lines of
//! `====`) so that `include` between them is exercised too. Must never panic, hang or
//! exhaust memory; errors are diagnostics that render.
#![no_main]

use chipgate::report::human;
use chipgate::{Limits, RuleSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources: Vec<(String, String)> = text
        .split("\n====\n")
        .take(4)
        .enumerate()
        .map(|(i, t)| (format!("f{i}.cg"), t.to_string()))
        .collect();
    match RuleSet::from_sources(&sources, &Limits::default()) {
        Ok(rules) => {
            let _ = rules.rule_summaries();
        }
        Err(e) => {
            for d in &e.diagnostics {
                let _ = human::diagnostic(d, human::Style::default());
                let _ = d.location();
            }
        }
    }
});
