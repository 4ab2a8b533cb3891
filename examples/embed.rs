//! Embedding chipgate in compliance tooling: compile the rules once, check a file, and read
//! verdicts, findings and their witnesses as data.
//!
//! Run with `cargo run --example embed -- examples/transshipment.yaml`.

use std::process::ExitCode;

use chipgate::{Limits, RuleSet, TransactionFile, Verdict, Witness};

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/transshipment.yaml".into());
    // Compile once; a RuleSet can check any number of files.
    let rules = match RuleSet::builtin() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    // Bad input is a list of located diagnostics, never a panic.
    let file = match TransactionFile::from_bytes(&path, bytes, &Limits::default()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut blocked = false;
    for report in rules.check(&file, None) {
        println!("{} on {}: {}", report.id, report.date, report.verdict);
        blocked |= report.verdict.blocks();
        for f in &report.findings {
            println!("  {} [{}] {}", f.outcome, f.rule, f.citation.join("; "));
            for w in &f.witness {
                match w {
                    Witness::OwnershipPath { edges } => {
                        for e in edges {
                            let share = e.share.map_or("?".to_string(), |s| format!("{s}%"));
                            println!("    {} is owned {share} by {}", e.owned, e.owner);
                        }
                    }
                    Witness::RouteHop {
                        index,
                        country,
                        places,
                    } => {
                        println!("    route hop {index} ({country}) is in {places}");
                    }
                    _ => {}
                }
            }
            for remedy in &f.remedies {
                println!("    to comply: {}", remedy.text);
            }
        }
    }
    // The JSON report of the contract, for storing or sending on.
    let reports = rules.check(&file, None);
    let json = chipgate::report::json::render(&chipgate::report::Report::new(&rules, &reports));
    println!(
        "{} bytes of JSON; verdicts: {:?}",
        json.len(),
        reports.iter().map(|r| r.verdict).collect::<Vec<Verdict>>()
    );
    if blocked {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
