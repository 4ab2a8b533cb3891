//! criterion benchmarks of chipgate's stages. Run through `benches/stages/run.sh`, which
//! generates the data files first; or by hand:
//!
//! ```sh
//! cargo run --release --example generate -- --transactions 10000 --parties 1000 \
//!     --out benches/stages/target/data/tx-10000.yaml        # and the other sizes
//! cargo build --release                                      # for the end-to-end group
//! cargo bench --manifest-path benches/stages/Cargo.toml
//! ```
//!
//! Groups: `compile` (the shipped pack), `load` (read and validate a transaction file),
//! `world` (build the world graph), `check` (one transaction against the whole shipped pack,
//! verdict only and explained), `end_to_end` (`chipgate check --format json` as a process,
//! per size; `CHIPGATE_BENCH_SIZES=1000,10000` picks sizes) and `yardstick` (serde_yaml
//! parsing the 100k file into a generic `Value`).

use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::Duration;

use chipgate::{Limits, RuleSet, TransactionFile};
use chipgate_stages::{data_file, repo_root, selected_sizes};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn read(transactions: usize) -> Option<Vec<u8>> {
    let path = data_file(transactions);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) => {
            eprintln!(
                "skipping size {transactions}: {} ({e}); run benches/stages/run.sh",
                path.display()
            );
            None
        }
    }
}

fn load(bytes: &[u8]) -> TransactionFile {
    TransactionFile::from_bytes("bench.yaml", bytes.to_vec(), &Limits::default())
        .expect("generated files are valid")
}

fn compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.bench_function("shipped_pack", |b| {
        b.iter(|| black_box(RuleSet::builtin().expect("the pack compiles")))
    });
    g.finish();
}

fn load_and_world(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("the pack compiles");
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    for (tx, _) in [(1_000, 100), (10_000, 1_000), (100_000, 10_000)] {
        let Some(bytes) = read(tx) else { continue };
        g.throughput(Throughput::Elements(tx as u64));
        g.bench_with_input(BenchmarkId::from_parameter(tx), &bytes, |b, bytes| {
            b.iter(|| black_box(load(bytes)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("world");
    g.sample_size(10);
    for (tx, parties) in [(10_000, 1_000), (100_000, 10_000), (1_000_000, 100_000)] {
        let Some(bytes) = read(tx) else { continue };
        let file = load(&bytes);
        g.throughput(Throughput::Elements(parties as u64));
        g.bench_with_input(BenchmarkId::new("parties", parties), &file, |b, file| {
            b.iter(|| black_box(rules.checker(file)))
        });
    }
    g.finish();
}

fn check(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("the pack compiles");
    let Some(bytes) = read(100_000) else { return };
    let file = load(&bytes);
    let checker = rules.checker(&file);
    let n = file.transactions.len();
    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(1));
    // One transaction per iteration, walking the file so every kind and rule path is met.
    let mut i = 0usize;
    g.bench_function("verdict_one_transaction", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            black_box(checker.verdict(i, None))
        })
    });
    let mut i = 0usize;
    g.bench_function("explained_one_transaction", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            black_box(checker.check(i, None))
        })
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let bin = std::env::var_os("CHIPGATE_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/release/chipgate"));
    if !bin.exists() {
        eprintln!(
            "skipping end_to_end: {} not built (cargo build --release)",
            bin.display()
        );
        return;
    }
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    for (tx, _) in selected_sizes() {
        let path = data_file(tx);
        if !path.exists() {
            eprintln!("skipping end_to_end {tx}: {} missing", path.display());
            continue;
        }
        g.throughput(Throughput::Elements(tx as u64));
        g.measurement_time(Duration::from_secs(if tx >= 1_000_000 { 60 } else { 10 }));
        g.bench_with_input(BenchmarkId::new("check_json", tx), &path, |b, path| {
            b.iter(|| {
                let status = Command::new(&bin)
                    .args(["check", "--format", "json"])
                    .arg(path)
                    .stdout(Stdio::null())
                    .status()
                    .expect("chipgate runs");
                // 0 or 1 are verdicts; 2 would mean the file was refused.
                assert!(status.code().is_some_and(|c| c < 2), "{status}");
            })
        });
    }
    g.finish();
}

fn yardstick(c: &mut Criterion) {
    let Some(bytes) = read(100_000) else { return };
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut g = c.benchmark_group("yardstick");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("serde_yaml_value_100000", |b| {
        b.iter(|| black_box(serde_yaml::from_str::<serde_yaml::Value>(&text).expect("YAML")))
    });
    g.finish();
}

criterion_group!(
    benches,
    compile,
    load_and_world,
    check,
    end_to_end,
    yardstick
);
criterion_main!(benches);
