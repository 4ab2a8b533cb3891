//! Writes `docs/performance.md` from the measurements `run.sh` leaves behind: the comparison
//! runs (`benches/compare/target/runs/*.json`), criterion's estimates
//! (`benches/stages/target/criterion/**/new/estimates.json`) and the end-to-end runs
//! (`benches/stages/target/e2e.json`). Nothing in the document is typed by hand.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chipgate_stages::repo_root;
use serde_json::Value;

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.retain(|x| x.is_finite());
    xs.sort_by(|a, b| a.total_cmp(b));
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

fn spread(xs: &[f64]) -> (f64, f64) {
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// Nanoseconds as text with a sensible unit.
fn dur(ns: f64) -> String {
    if !ns.is_finite() {
        "n/a".into()
    } else if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn holds(ok: bool) -> &'static str {
    if ok {
        "**holds**"
    } else {
        "**does not hold**"
    }
}

/// Every criterion benchmark: (full id, median ns, lower and upper bound of the median's
/// confidence interval).
fn criterion(dir: &Path) -> Vec<(String, f64, f64, f64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "new") {
                    let (Some(b), Some(est)) = (
                        read_json(&p.join("benchmark.json")),
                        read_json(&p.join("estimates.json")),
                    ) else {
                        continue;
                    };
                    let id = b["full_id"].as_str().unwrap_or("?").to_string();
                    let m = &est["median"];
                    out.push((
                        id,
                        m["point_estimate"].as_f64().unwrap_or(f64::NAN),
                        m["confidence_interval"]["lower_bound"]
                            .as_f64()
                            .unwrap_or(f64::NAN),
                        m["confidence_interval"]["upper_bound"]
                            .as_f64()
                            .unwrap_or(f64::NAN),
                    ));
                } else if p.file_name().is_some_and(|n| n != "report" && n != "base") {
                    stack.push(p);
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn main() -> Result<(), String> {
    let root = repo_root();
    let stages = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut runs: Vec<Value> = Vec::new();
    let runs_dir = root.join("benches/compare/target/runs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&runs_dir)
        .map_err(|e| format!("{}: {e} (run benches/stages/run.sh)", runs_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for p in &paths {
        if let Some(v) = read_json(p) {
            runs.push(v);
        }
    }
    let first = runs.first().ok_or("no comparison runs")?.clone();
    let e2e = read_json(&stages.join("target/e2e.json")).ok_or("no target/e2e.json")?;
    let crit = criterion(&stages.join("target/criterion"));
    let crit_ns = |id: &str| {
        crit.iter()
            .find(|(i, ..)| i == id)
            .map(|(_, m, ..)| *m)
            .unwrap_or(f64::NAN)
    };

    // Comparison: per (engine, parties), medians over runs of each figure, and the spread.
    let mut keys: Vec<(String, u64)> = Vec::new();
    for r in first["results"].as_array().into_iter().flatten() {
        keys.push((
            r["engine"].as_str().unwrap_or("?").to_string(),
            r["parties"].as_u64().unwrap_or(0),
        ));
    }
    let figure = |engine: &str, parties: u64, field: &str| -> Vec<f64> {
        runs.iter()
            .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["engine"] == engine && r["parties"].as_u64() == Some(parties))
            .filter_map(|r| r[field].as_f64())
            .collect()
    };
    let med = |engine: &str, parties: u64, field: &str| median(figure(engine, parties, field));

    let mut doc = String::new();
    let w = &mut doc;
    let _ = writeln!(w, "# Performance\n");
    let _ = writeln!(
        w,
        "Generated by `benches/stages/run.sh` (the last step, `src/bin/mkdoc.rs`, writes this \
         file from the measurements; do not edit it by hand, rerun the script). Every figure \
         is a median: over {} runs of the comparison, over {} runs of each end-to-end command, \
         and over criterion's samples for the stage benchmarks.\n",
        runs.len(),
        e2e["sizes"][0]["chipgate_json"]["runs"]
    );

    // Machine and versions.
    let m = &first["machine"];
    let v = &first["versions"];
    let _ = writeln!(w, "## Machine, versions, sizes\n");
    let _ = writeln!(
        w,
        "- {} ({} cores, {} {}), shared with other work: load average before the first \
         comparison run {}, after the end-to-end runs {}.",
        m["cpu_model"].as_str().unwrap_or("?"),
        m["nproc"],
        m["os"].as_str().unwrap_or("?"),
        m["arch"].as_str().unwrap_or("?"),
        m["loadavg_before_run"].as_str().unwrap_or("?"),
        e2e["machine"]["loadavg_after"].as_str().unwrap_or("?"),
    );
    let _ = writeln!(
        w,
        "- {}; chipgate {}; cedar-policy {}; regorus {}; serde_yaml 0.9 (the yardstick).",
        v["rustc"].as_str().unwrap_or("?"),
        chipgate::VERSION,
        v["cedar-policy"].as_str().unwrap_or("?"),
        v["regorus"].as_str().unwrap_or("?"),
    );
    let _ = writeln!(
        w,
        "- Comparison: seed {}, {} requests, worlds of {} parties \
         (`benches/compare/README.md`).",
        first["config"]["seed"],
        first["config"]["requests"],
        first["worlds"]
            .as_array()
            .map(|ws| ws
                .iter()
                .map(|x| x["parties"].to_string())
                .collect::<Vec<_>>()
                .join(" and "))
            .unwrap_or_default()
    );
    let sizes: Vec<&Value> = e2e["sizes"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let _ = writeln!(
        w,
        "- End to end: files from `cargo run --release --example generate -- --transactions N \
         --parties M --seed 1`: {}; the rule pack shipped in `rules/` (digest and rule count \
         as of the run).\n",
        sizes
            .iter()
            .map(|s| format!(
                "{} transactions over {} parties ({:.1} MB)",
                s["transactions"],
                s["parties"],
                s["file_bytes"].as_f64().unwrap_or(0.0) / 1e6
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Targets.
    let big = 100_000u64;
    let small = 1_000u64;
    let cg = |p| med("chipgate", p, "check_batch_mean_ns");
    let cedar = |p| med("cedar", p, "check_batch_mean_ns");
    let base = |p| med("rust-baseline", p, "check_batch_mean_ns");
    let cg_build = med("chipgate", big, "build_ms");
    let cedar_build = med("cedar", big, "build_ms");
    let pack_ns = crit_ns("check/verdict_one_transaction");
    let size = |tx: u64| {
        sizes
            .iter()
            .find(|s| s["transactions"].as_u64() == Some(tx))
            .copied()
    };
    let wall = |s: &Value, key: &str| s[key]["wall_s_median"].as_f64().unwrap_or(f64::NAN);
    let _ = writeln!(w, "## The issue's targets\n");
    let _ = writeln!(w, "| target | measured | |\n|---|---|---|");
    for p in [small, big] {
        let vs_cedar = cedar(p) / cg(p);
        let vs_base = cg(p) / base(p);
        let _ = writeln!(
            w,
            "| check throughput at {p} parties: >= 30x Cedar's | {vs_cedar:.0}x ({} vs {} per request) | {} |",
            dur(cg(p)),
            dur(cedar(p)),
            holds(vs_cedar >= 30.0)
        );
        let _ = writeln!(
            w,
            "| ... and within 10x of the hand-written loop | {vs_base:.1}x ({} vs {}) | {} |",
            dur(cg(p)),
            dur(base(p)),
            holds(vs_base <= 10.0)
        );
    }
    let world_only = median(
        runs.iter()
            .flat_map(|run| {
                run["chipgate_build_parts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|p| p["parties"].as_u64() == Some(big))
            .filter_map(|p| p["world_ms"].as_f64())
            .collect(),
    );
    let ratio = cedar_build / world_only;
    let _ = writeln!(
        w,
        "| world-graph build at {big} parties: >= 30x faster than Cedar's entity-store build | {ratio:.0}x ({:.1} ms vs {:.0} ms) | {} |",
        world_only,
        cedar_build,
        holds(ratio >= 30.0)
    );
    let _ = writeln!(
        w,
        "| ... counting also the rule's compilation and the facts built from the input | {:.0}x ({:.1} ms) | {} |",
        cedar_build / cg_build,
        cg_build,
        holds(cedar_build / cg_build >= 30.0)
    );
    let _ = writeln!(
        w,
        "| the whole shipped pack: <= 1 µs per transaction on a pre-built graph | {} | {} |",
        dur(pack_ns),
        holds(pack_ns <= 1000.0)
    );
    if let Some(s) = size(100_000) {
        let r = wall(s, "chipgate_json") / wall(s, "yaml_value");
        let cpu = s["chipgate_json"]["cpu_s_median"]
            .as_f64()
            .unwrap_or(f64::NAN)
            / s["yaml_value"]["cpu_s_median"].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            w,
            "| `chipgate check` on 100,000 transactions / 10,000 parties: <= 1.3x serde_yaml parsing it into a `Value` | {r:.2}x wall ({:.2} s vs {:.2} s); {cpu:.2}x CPU time | {} |",
            wall(s, "chipgate_json"),
            wall(s, "yaml_value"),
            holds(r <= 1.3)
        );
    }
    if let Some(s) = size(100_000) {
        if !s["chipgate_human"].is_null() {
            let r = wall(s, "chipgate_human") / wall(s, "chipgate_json");
            let _ = writeln!(
                w,
                "| the brief human report (`check`, the default) on 100,000 transactions: <= 2x the JSON report's time | {r:.2}x wall ({:.2} s vs {:.2} s) | {} |",
                wall(s, "chipgate_human"),
                wall(s, "chipgate_json"),
                holds(r <= 2.0)
            );
        }
    }
    let mem_ratio = |s: &Value| {
        s["chipgate_json"]["max_rss_kb_median"]
            .as_f64()
            .unwrap_or(f64::NAN)
            * 1024.0
            / s["file_bytes"].as_f64().unwrap_or(f64::NAN)
    };
    for s in sizes
        .iter()
        .filter(|s| s["transactions"].as_u64() >= Some(100_000))
    {
        let r = mem_ratio(s);
        let _ = writeln!(
            w,
            "| peak memory <= 3x the input file ({} transactions, {:.0} MB) | {r:.1}x ({:.0} MB) | {} |",
            s["transactions"],
            s["file_bytes"].as_f64().unwrap_or(f64::NAN) / 1e6,
            s["chipgate_json"]["max_rss_kb_median"].as_f64().unwrap_or(f64::NAN) / 1024.0,
            holds(r <= 3.0)
        );
    }
    let per_tx: Vec<f64> = sizes
        .iter()
        .map(|s| wall(s, "chipgate_json") * 1e9 / s["transactions"].as_f64().unwrap_or(f64::NAN))
        .collect();
    let _ = writeln!(
        w,
        "| cost linear from 1k to 1M transactions | {} per transaction | see the curve |\n",
        per_tx
            .iter()
            .map(|x| dur(*x))
            .collect::<Vec<_>>()
            .join(" → ")
    );

    // Wins and losses, from the same medians.
    let _ = writeln!(w, "## Where chipgate wins and where it loses\n");
    for p in [small, big] {
        let rvm = med("regorus-rvm", p, "check_batch_mean_ns");
        let interp = med("regorus-interpreter", p, "check_batch_mean_ns");
        let _ = writeln!(
            w,
            "- At {p} parties, per request: {:.0}x faster than Cedar, {:.0}x faster than \
             regorus's VM, {:.0}x faster than its interpreter; {:.1}x slower than the \
             hand-written loop.",
            cedar(p) / cg(p),
            rvm / cg(p),
            interp / cg(p),
            cg(p) / base(p)
        );
    }
    let _ = writeln!(
        w,
        "- Build at {big} parties (rule, facts and world graph): {:.0}x faster than Cedar's \
         entity store, {:.1}x the time of regorus loading its data document, {:.0}x the \
         hand-written flood.",
        cedar_build / cg_build,
        cg_build / med("regorus-rvm", big, "build_ms"),
        cg_build / med("rust-baseline", big, "build_ms"),
    );
    if let Some(s) = size(100_000) {
        let _ = writeln!(
            w,
            "- End to end on 100,000 transactions: {:.2}x the wall time and {:.2}x the CPU \
             time of serde_yaml merely parsing the file into a `Value`.\n",
            wall(s, "chipgate_json") / wall(s, "yaml_value"),
            s["chipgate_json"]["cpu_s_median"]
                .as_f64()
                .unwrap_or(f64::NAN)
                / s["yaml_value"]["cpu_s_median"].as_f64().unwrap_or(f64::NAN)
        );
    }

    // Comparison table.
    let _ = writeln!(w, "## One rule, four engines (`benches/compare`)\n");
    let _ = writeln!(
        w,
        "Medians over {} runs; \"batch\" is one timed loop over all requests divided by their \
         number (the per-request median and p99 include the clock, about {} ns). The spread is \
         the lowest and highest batch mean of the runs.\n",
        runs.len(),
        first["config"]["timer_overhead_ns"]
    );
    let _ = writeln!(
        w,
        "| engine | parties | build | check median | check p99 | check batch | spread of batch |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for (engine, parties) in &keys {
        let batch = figure(engine, *parties, "check_batch_mean_ns");
        let (lo, hi) = spread(&batch);
        let _ = writeln!(
            w,
            "| {engine} | {parties} | {} | {} | {} | {} | {}–{} |",
            dur(med(engine, *parties, "build_ms") * 1e6),
            dur(med(engine, *parties, "check_median_ns")),
            dur(med(engine, *parties, "check_p99_ns")),
            dur(median(batch.clone())),
            dur(lo),
            dur(hi),
        );
    }
    let _ = writeln!(
        w,
        "\nchipgate's build is the rule compiled from its text, the world turned into \
         chipgate's typed facts in memory (`TransactionFile::from_parts`: Cedar and Rego are \
         handed in-memory data too, so no YAML is written and re-read), and the world graph \
         (`RuleSet::checker`). Each request rewrites a prepared transaction in place and calls \
         `Checker::verdict_for`.\n"
    );

    // Stages.
    let _ = writeln!(
        w,
        "## Stages (criterion, `benches/stages/benches/stages.rs`)\n"
    );
    let _ = writeln!(
        w,
        "| benchmark | median | 95% interval of the median |\n|---|---:|---:|"
    );
    for (id, m, lo, hi) in &crit {
        let _ = writeln!(w, "| `{id}` | {} | {}–{} |", dur(*m), dur(*lo), dur(*hi));
    }
    let _ = writeln!(
        w,
        "\n`load/N` reads and validates a file of N transactions; `world/parties/M` builds the \
         world graph of the file with M parties; `check/*` takes one transaction of the \
         100,000 file at a time (in file order, so every kind and rule path is met) against \
         the whole shipped pack; `end_to_end/check_json/N` runs the `chipgate` binary on the \
         file of N transactions; `yardstick` is serde_yaml parsing the 100,000 file into a \
         `Value`, in process.\n"
    );

    // End to end.
    let _ = writeln!(w, "## End to end, with peak memory (`/usr/bin/time -v`)\n");
    let _ = writeln!(
        w,
        "| transactions | parties | file | `check --format json` | `--format human` (brief) | `--format human --detail` | yardstick | json / yardstick | CPU time (json) | peak memory (json) | memory / file | per transaction |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for s in &sizes {
        let bytes = s["file_bytes"].as_f64().unwrap_or(f64::NAN);
        let rss = s["chipgate_json"]["max_rss_kb_median"]
            .as_f64()
            .unwrap_or(f64::NAN)
            * 1024.0;
        let tx = s["transactions"].as_f64().unwrap_or(f64::NAN);
        let timed = |key: &str| {
            if s[key].is_null() {
                "not run".to_string()
            } else {
                format!("{:.2} s", wall(s, key))
            }
        };
        let human = timed("chipgate_human");
        let detail = timed("chipgate_human_detail");
        let _ = writeln!(
            w,
            "| {} | {} | {:.1} MB | {:.2} s | {human} | {detail} | {:.2} s | {:.2}x | {:.2} s | {:.0} MB | {:.1}x | {} |",
            s["transactions"],
            s["parties"],
            bytes / 1e6,
            wall(s, "chipgate_json"),
            wall(s, "yaml_value"),
            wall(s, "chipgate_json") / wall(s, "yaml_value"),
            s["chipgate_json"]["cpu_s_median"].as_f64().unwrap_or(f64::NAN),
            rss / 1e6,
            rss / bytes,
            dur(wall(s, "chipgate_json") * 1e9 / tx),
        );
    }
    let _ = writeln!(
        w,
        "\nThe yardstick (`src/bin/yaml-value.rs`) reads the file and parses it into a \
         `serde_yaml::Value`, nothing else (its value is not even freed). The wall times' \
         spread over the runs, lowest to highest:\n"
    );
    for s in &sizes {
        let mut parts = Vec::new();
        for key in ["chipgate_json", "chipgate_human", "chipgate_human_detail", "yaml_value"] {
            if let (Some(lo), Some(hi)) =
                (s[key]["wall_s_min"].as_f64(), s[key]["wall_s_max"].as_f64())
            {
                parts.push(format!("{key} {lo:.2}–{hi:.2} s"));
            }
        }
        let _ = writeln!(
            w,
            "- {} transactions: {}",
            s["transactions"],
            parts.join(", ")
        );
    }
    let path = root.join("docs/performance.md");
    let notes = root.join("benches/stages/NOTES.md");
    if let Ok(extra) = std::fs::read_to_string(&notes) {
        let _ = writeln!(w, "\n{}", extra.trim_end());
    }
    std::fs::write(&path, doc).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
