//! End-to-end runs with peak memory: `chipgate check` on each generated file, and the
//! yardstick (`yaml-value`: serde_yaml parsing the same file into a generic `Value`), each run
//! several times under GNU time (`/usr/bin/time -v`). Writes `target/e2e.json`.
//!
//! `cargo run --release --bin e2e -- [RUNS]` (default 5); sizes from `CHIPGATE_BENCH_SIZES`,
//! formats from `E2E_FORMATS` (default `json,human,human-detail`).

use std::path::Path;
use std::process::{Command, Stdio};

use chipgate_stages::{data_file, repo_root, selected_sizes};
use serde_json::{json, Value};

/// One timed run: wall, user and system seconds, peak resident memory in KiB, exit code.
struct Run {
    wall: f64,
    user: f64,
    sys: f64,
    max_rss_kb: u64,
    code: i32,
}

fn timed(program: &Path, args: &[&str]) -> Result<Run, String> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("/usr/bin/time: {e} (install GNU time: apt-get install time)"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| -> Option<&str> {
        err.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(str::trim))
    };
    let secs = |name: &str| {
        field(name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):")
        .map(|v| {
            v.split(':')
                .filter_map(|p| p.parse::<f64>().ok())
                .fold(0.0, |acc, p| acc * 60.0 + p)
        })
        .unwrap_or(f64::NAN);
    Ok(Run {
        wall,
        user: secs("User time (seconds):"),
        sys: secs("System time (seconds):"),
        max_rss_kb: field("Maximum resident set size (kbytes):")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        code: field("Exit status:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1),
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

fn summary(runs: &[Run]) -> Value {
    let walls: Vec<f64> = runs.iter().map(|r| r.wall).collect();
    let min = walls.iter().copied().fold(f64::INFINITY, f64::min);
    let max = walls.iter().copied().fold(0.0, f64::max);
    json!({
        "runs": runs.len(),
        "wall_s_median": median(walls.clone()),
        "wall_s_min": min,
        "wall_s_max": max,
        "wall_s_all": walls,
        "cpu_s_median": median(runs.iter().map(|r| r.user + r.sys).collect()),
        "max_rss_kb_median": median(runs.iter().map(|r| r.max_rss_kb as f64).collect()),
        "exit_codes": runs.iter().map(|r| r.code).collect::<Vec<_>>(),
    })
}

fn main() -> Result<(), String> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    // The binary `cargo build --release` made: `CHIPGATE_BIN`, or under `CARGO_TARGET_DIR`,
    // or the repository's `target/`.
    let chipgate = std::env::var_os("CHIPGATE_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| repo_root().join("target"))
                .join("release/chipgate")
        });
    let yardstick = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name("yaml-value");
    let formats: Vec<String> = std::env::var("E2E_FORMATS")
        .unwrap_or_else(|_| "json,human,human-detail".into())
        .split(',')
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (tx, parties) in selected_sizes() {
        let file = data_file(tx);
        let path = file.to_string_lossy().to_string();
        let bytes = std::fs::metadata(&file)
            .map_err(|e| format!("{path}: {e} (run benches/stages/run.sh)"))?
            .len();
        let mut row = json!({ "transactions": tx, "parties": parties, "file_bytes": bytes });
        // Interleaved, so that a burst of load on the machine hits every program alike.
        let mut results: Vec<(String, Vec<Run>)> = Vec::new();
        for _ in 0..runs {
            for format in &formats {
                // The human report of a million transactions is not a thing anyone reads;
                // it is measured up to 100,000.
                if format.starts_with("human") && tx > 100_000 {
                    continue;
                }
                // `human` is the brief report (the default); `human-detail` adds `--detail`.
                let run = if format == "human-detail" {
                    timed(&chipgate, &["check", "--format", "human", "--detail", &path])?
                } else {
                    timed(&chipgate, &["check", "--format", format, &path])?
                };
                if run.code > 1 {
                    return Err(format!("chipgate refused {path} (exit {})", run.code));
                }
                let key = format!("chipgate_{}", format.replace('-', "_"));
                match results.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(run),
                    None => results.push((key, vec![run])),
                }
            }
            let run = timed(&yardstick, &[&path])?;
            match results.iter_mut().find(|(k, _)| k == "yaml_value") {
                Some((_, v)) => v.push(run),
                None => results.push(("yaml_value".into(), vec![run])),
            }
            eprint!(".");
        }
        for (key, r) in &results {
            row[key.as_str()] = summary(r);
        }
        eprintln!(" {tx}");
        rows.push(row);
    }
    let out = json!({
        "machine": {
            "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "loadavg_after": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        },
        "sizes": rows,
    });
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e.json");
    // The crate's own `target/` is not there when CARGO_TARGET_DIR builds elsewhere.
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&out).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
