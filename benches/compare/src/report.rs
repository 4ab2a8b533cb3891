//! The markdown table, the JSON file and the facts about the machine.

use serde_json::{json, Value};

use crate::data::{Verdict, World};
use crate::measure::Measurement;

/// One engine on one world size.
pub struct Row {
    pub parties: usize,
    pub requests: usize,
    pub m: Measurement,
}

impl Row {
    fn denies(&self) -> usize {
        self.m
            .verdicts
            .iter()
            .filter(|&&v| v == Verdict::Deny)
            .count()
    }
}

/// Facts about a generated world, to show the data is not trivial.
pub struct Profile {
    pub parties: usize,
    pub edges: usize,
    pub controlling_edges: usize,
    pub d5_headquartered: usize,
    pub exposed: usize,
    pub parties_in_cycles: usize,
    pub items: usize,
    pub generate_ms: f64,
}

impl Profile {
    pub fn new(world: &World, exposed: usize, parties_in_cycles: usize, generate_ms: f64) -> Self {
        Profile {
            parties: world.parties.len(),
            edges: world.edges.len(),
            controlling_edges: world
                .edges
                .iter()
                .filter(|e| e.share >= crate::data::CONTROL_SHARE)
                .count(),
            d5_headquartered: world
                .parties
                .iter()
                .filter(|p| crate::data::is_d5(p.hq))
                .count(),
            exposed,
            parties_in_cycles,
            items: world.items.len(),
            generate_ms,
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{} parties ({} D:5-headquartered, {} exposed through the chain, {} in ownership \
             cycles), {} edges ({} of >= 50%), {} items; generated in {:.0} ms",
            self.parties,
            self.d5_headquartered,
            self.exposed,
            self.parties_in_cycles,
            self.edges,
            self.controlling_edges,
            self.items,
            self.generate_ms
        )
    }
}

fn duration_text(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| engine | parties | build | check median | check p99 | check mean (batch) | denies |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} / {} |\n",
            row.m.engine,
            row.parties,
            duration_text(row.m.build.as_nanos() as f64),
            duration_text(row.m.median_ns as f64),
            duration_text(row.m.p99_ns as f64),
            duration_text(row.m.batch_mean_ns),
            row.denies(),
            row.requests,
        ));
    }
    out
}

pub struct Run<'a> {
    pub seed: u64,
    pub requests: usize,
    pub timer_overhead_ns: u64,
    /// `/proc/loadavg` before the run: other work on the machine makes the figures noisy.
    pub load_before: String,
    pub profiles: &'a [Profile],
    pub rows: &'a [Row],
}

pub fn json(run: &Run) -> Value {
    let unix_time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    json!({
        "schema": 1,
        "unix_time": unix_time,
        "machine": {
            "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "cpu_model": cpu_model(),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "loadavg_before_run": run.load_before,
        },
        "versions": {
            "cedar-policy": locked_version("cedar-policy"),
            "regorus": locked_version("regorus"),
            "rustc": rustc_version(),
        },
        "config": {
            "seed": run.seed,
            "requests": run.requests,
            "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
            "per_request_timing": "each request timed alone with std::time::Instant; \
                                   batch mean = one timed loop over all requests / count",
            "timer_overhead_ns": run.timer_overhead_ns,
        },
        "worlds": run.profiles.iter().map(|p| json!({
            "parties": p.parties,
            "edges": p.edges,
            "controlling_edges": p.controlling_edges,
            "d5_headquartered": p.d5_headquartered,
            "exposed": p.exposed,
            "parties_in_cycles": p.parties_in_cycles,
            "items": p.items,
        })).collect::<Vec<_>>(),
        "results": run.rows.iter().map(|r| json!({
            "engine": r.m.engine,
            "parties": r.parties,
            "requests": r.requests,
            "build_ms": r.m.build.as_secs_f64() * 1e3,
            "check_median_ns": r.m.median_ns,
            "check_p99_ns": r.m.p99_ns,
            "check_batch_mean_ns": r.m.batch_mean_ns,
            "denies": r.denies(),
        })).collect::<Vec<_>>(),
    })
}

/// The three load averages from `/proc/loadavg`, or "unknown".
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// The version Cargo.lock pinned for `name` when this binary was compiled.
fn locked_version(name: &str) -> String {
    const LOCK: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"));
    let header = format!("name = \"{name}\"");
    let mut lines = LOCK.lines();
    while let Some(line) = lines.next() {
        if line == header {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return v.trim_matches('"').to_string();
            }
        }
    }
    "unknown".to_string()
}

fn rustc_version() -> String {
    std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
