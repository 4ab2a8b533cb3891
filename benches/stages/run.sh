#!/usr/bin/env bash
# Measures everything docs/performance.md reports, then regenerates it:
#   1. builds chipgate and the generator; generates the transaction files (seed 1);
#   2. runs the side-by-side comparison (benches/compare) RUNS times;
#   3. runs the criterion benchmarks of the stages (benches/stages/benches/stages.rs);
#   4. runs `chipgate check` end to end RUNS times per size under GNU time (peak memory),
#      interleaved with the yardstick (serde_yaml parsing the same file into a Value);
#   5. writes docs/performance.md from the results (src/bin/mkdoc.rs).
# Usage: benches/stages/run.sh            (RUNS=5 by default; about 20 minutes on 2 cores)
#        RUNS=3 CHIPGATE_BENCH_SIZES=1000,10000,100000 benches/stages/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
command -v /usr/bin/time >/dev/null || { echo "GNU time is needed: apt-get install time" >&2; exit 2; }

cargo build --release
cargo build --release --example generate
data=benches/stages/target/data
mkdir -p "$data"
for spec in 1000:100 10000:1000 100000:10000 1000000:100000; do
  t=${spec%%:*}; p=${spec##*:}
  [ -s "$data/tx-$t.yaml" ] || target/release/examples/generate --transactions "$t" --parties "$p" --seed 1 --out "$data/tx-$t.yaml"
done

mkdir -p benches/compare/target/runs
rm -f benches/compare/target/runs/*.json
for i in $(seq "$RUNS"); do
  cargo run --release --manifest-path benches/compare/Cargo.toml -- --out "benches/compare/target/runs/$i.json"
done
cp "benches/compare/target/runs/1.json" benches/compare/results.json

cargo bench --manifest-path benches/stages/Cargo.toml --bench stages
cargo run --release --manifest-path benches/stages/Cargo.toml --bin e2e -- "$RUNS"
cargo run --release --manifest-path benches/stages/Cargo.toml --bin mkdoc
