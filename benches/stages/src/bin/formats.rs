//! The input formats side by side (issue 12): the same 100,000 transactions over 10,000
//! parties as one YAML file, and as a facts file with a JSON Lines file of transactions.
//! For each: reading and validating in process (median of RUNS), and `chipgate check
//! --format json` end to end under GNU time (wall, CPU, peak memory), beside the yardstick
//! (serde_yaml parsing the YAML file into a `Value`).
//!
//! `cargo run --release --manifest-path benches/stages/Cargo.toml --bin formats -- [RUNS]`
//! after `cargo build --release` and the generator (which `run.sh` and this binary's usage
//! line name). Prints a Markdown table on stdout.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use chipgate::{facts, facts::Shared, Limits, TransactionFile};
use chipgate_stages::{data_dir, repo_root};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn load(file: &Path, facts: Option<&Path>) -> Result<f64, String> {
    let limits = Limits::default();
    let start = Instant::now();
    let shared = match facts {
        Some(f) => {
            let s = facts::read(f, &limits).map_err(|e| format!("{e:?}"))?;
            Some(Arc::new(Shared::load(vec![s], &limits).map_err(|e| format!("{e:?}"))?))
        }
        None => None,
    };
    let source = facts::read(file, &limits).map_err(|e| format!("{e:?}"))?;
    let parsed = TransactionFile::parse_with(source, shared.as_ref(), &limits)
        .map_err(|e| format!("{e:?}"))?;
    let secs = start.elapsed().as_secs_f64();
    std::mem::forget(parsed);
    Ok(secs)
}

/// (wall s, CPU s, peak MB) of a command under GNU time, its output discarded.
fn timed(program: &Path, args: &[&str]) -> Result<(f64, f64, f64), String> {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %U %S %M")
        .arg(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or("");
    let f: Vec<f64> = last.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    match f.as_slice() {
        [wall, user, sys, kb] => Ok((*wall, user + sys, kb / 1024.0)),
        _ => Err(format!("unexpected time output: {err}")),
    }
}

fn main() -> Result<(), String> {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let data = data_dir();
    let yaml = data.join("tx-100000.yaml");
    let facts = data.join("facts-100000.yaml");
    let jsonl = data.join("tx-100000.jsonl");
    if !yaml.exists() || !jsonl.exists() || !facts.exists() {
        return Err(format!(
            "generate the files first: target/release/examples/generate --transactions 100000 --parties 10000 --seed 1 --out {} --split-facts {} --split-jsonl {}",
            yaml.display(),
            facts.display(),
            jsonl.display()
        ));
    }
    let root = repo_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let chipgate = target.join("release/chipgate");
    let yardstick = target.join("release/yaml-value");
    let (mut ly, mut lj) = (Vec::new(), Vec::new());
    let (mut ey, mut ej, mut ev) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        ly.push(load(&yaml, None)?);
        lj.push(load(&jsonl, Some(&facts))?);
        let y = yaml.to_string_lossy().to_string();
        let j = jsonl.to_string_lossy().to_string();
        let f = facts.to_string_lossy().to_string();
        ey.push(timed(&chipgate, &["check", "--format", "json", &y])?);
        ej.push(timed(&chipgate, &["check", "--facts", &f, "--format", "json", &j])?);
        if yardstick.exists() {
            ev.push(timed(&yardstick, &[&y])?);
        }
    }
    let pick = |v: &[(f64, f64, f64)], k: usize| {
        median(v.iter().map(|t| [t.0, t.1, t.2][k]).collect())
    };
    println!("| 100,000 transactions | YAML | facts + JSON Lines | ratio |");
    println!("|---|---:|---:|---:|");
    let (a, b) = (median(ly), median(lj));
    println!("| read and validate (in process) | {a:.2} s | {b:.2} s | {:.2}x |", b / a);
    for (k, what, unit) in [(0, "`check --format json`, wall", "s"), (1, "`check --format json`, CPU", "s"), (2, "`check --format json`, peak memory", "MB")] {
        let (a, b) = (pick(&ey, k), pick(&ej, k));
        println!("| {what} | {a:.2} {unit} | {b:.2} {unit} | {:.2}x |", b / a);
    }
    if !ev.is_empty() {
        println!(
            "| yardstick: serde_yaml into a `Value` (wall, CPU, peak) | {:.2} s, {:.2} s, {:.0} MB | | |",
            pick(&ev, 0),
            pick(&ev, 1),
            pick(&ev, 2)
        );
    }
    Ok(())
}
