//! Side-by-side comparison of one export-control rule across engines.
//!
//! `cargo run --release --manifest-path benches/compare/Cargo.toml -- --help`

mod data;
mod engines;
mod graph;
mod guard;
mod measure;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use engines::{Engine, ALL};

const USAGE: &str = "\
usage: chipgate-compare [--parties 1000,100000] [--requests 100000] [--seed 2025]
                        [--engines cedar,regorus-rvm,...] [--out results.json]

Generates seeded worlds of the given party counts, builds every engine on each, checks every
request with each engine, aborts on the first verdict that differs from the hand-written
baseline, then prints a markdown table and writes the JSON report (default:
benches/compare/results.json). The baseline always runs.";

struct Args {
    parties: Vec<usize>,
    requests: usize,
    seed: u64,
    engines: Option<Vec<String>>,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        parties: vec![1_000, 100_000],
        requests: 100_000,
        seed: 2025,
        engines: None,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results.json"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value\n\n{USAGE}"))?;
        let number = |s: &str| {
            s.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("`{flag}`: `{s}` is not a whole number"))
        };
        match flag.as_str() {
            "--parties" => {
                args.parties = value
                    .split(',')
                    .map(|s| number(s).map(|n| n as usize))
                    .collect::<Result<_, _>>()?;
                if args.parties.iter().any(|&n| n < 2) {
                    return Err("`--parties`: each size must be at least 2".to_string());
                }
            }
            "--requests" => args.requests = number(&value)? as usize,
            "--seed" => args.seed = number(&value)?,
            "--engines" => {
                let names: Vec<String> = value.split(',').map(str::to_string).collect();
                if let Some(bad) = names.iter().find(|n| !ALL.iter().any(|(e, _)| e == n)) {
                    let known: Vec<&str> = ALL.iter().map(|(e, _)| *e).collect();
                    return Err(format!(
                        "`--engines`: unknown engine `{bad}` (known: {})",
                        known.join(", ")
                    ));
                }
                args.engines = Some(names);
            }
            "--out" => args.out = PathBuf::from(value),
            _ => return Err(format!("unknown flag `{flag}`\n\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; run with --release for meaningful figures");
    }
    let load_before = report::load_average();
    let timer_overhead_ns = measure::timer_overhead_ns();
    let mut profiles = Vec::new();
    let mut rows = Vec::new();
    for &parties in &args.parties {
        let start = Instant::now();
        let world = data::generate(parties, args.requests, args.seed);
        let generate_ms = start.elapsed().as_secs_f64() * 1e3;

        let owners = world.controlling_owners();
        let components = graph::strongly_connected(&owners);
        let in_cycles = components
            .of
            .iter()
            .filter(|&&c| components.size[c as usize] > 1)
            .count();
        let baseline = engines::Baseline::build(&world)?;
        let exposed = (0..world.parties.len())
            .filter(|&p| baseline.is_exposed(p))
            .count();
        let profile = report::Profile::new(&world, exposed, in_cycles, generate_ms);
        eprintln!("world: {}", profile.line());
        profiles.push(profile);

        let reference = guard::reference_verdicts(&world);
        let mut baseline_verdicts = None;
        for (name, runner) in ALL {
            // The first engine is the baseline, which always runs: it must match the literal
            // reading of the rule, and every other engine must match it.
            let is_baseline = baseline_verdicts.is_none();
            let selected = args
                .engines
                .as_ref()
                .is_none_or(|e| e.iter().any(|n| n == name));
            if !is_baseline && !selected {
                continue;
            }
            eprintln!("  {name} ...");
            let m = runner(&world)?;
            let want = baseline_verdicts.as_ref().unwrap_or(&reference);
            guard::compare(&world, want, &m.verdicts, name)?;
            if baseline_verdicts.is_none() {
                baseline_verdicts = Some(m.verdicts.clone());
            }
            rows.push(report::Row {
                parties,
                requests: world.requests.len(),
                m,
            });
        }
    }

    let table = report::markdown(&rows);
    println!("{table}");
    println!(
        "Per-request times include the clock: timing an empty body costs {timer_overhead_ns} ns \
         (median) here. All engines agreed with the baseline on every request."
    );
    let json = report::json(&report::Run {
        seed: args.seed,
        requests: args.requests,
        timer_overhead_ns,
        load_before,
        profiles: &profiles,
        rows: &rows,
    });
    let mut json = json;
    // chipgate's build, part by part (rule text, facts, world graph), for docs/performance.md.
    if let Ok(parts) = engines::chipgate::BUILD_PARTS.lock() {
        json["chipgate_build_parts"] = serde_json::json!(parts
            .iter()
            .map(|(parties, [rule, facts, world])| serde_json::json!({
                "parties": parties, "rule_ms": rule, "facts_ms": facts, "world_ms": world
            }))
            .collect::<Vec<_>>());
    }
    let text = serde_json::to_string_pretty(&json).map_err(|e| format!("json: {e}"))?;
    std::fs::write(&args.out, text + "\n")
        .map_err(|e| format!("writing {}: {e}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}
