#!/usr/bin/env bash
# Measures `chipgate serve` on loopback (docs/service.md, "Measured"): single-transaction
# requests at 1, 8, 64 and 256 connections (closed loop: the peak), one 10,000-transaction
# body, the decision log's cost (fsync and write), a fixed rate at half the 64-connection peak,
# and (SOAK_SECONDS, default 300) a soak at that rate with the server's VmRSS sampled.
# Every load is bounded in time; every address is 127.0.0.1. Results: one JSON line each, on
# stdout and in $OUT (default benches/serve/results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
SECONDS_EACH="${SECONDS_EACH:-10}"
SOAK_SECONDS="${SOAK_SECONDS:-300}"
OUT="${OUT:-benches/serve/results.jsonl}"
cargo build --release --quiet
cargo build --release --quiet --example serve-load --example generate
BIN="$CARGO_TARGET_DIR/release/chipgate"
LOAD="$CARGO_TARGET_DIR/release/examples/serve-load"
WORK="$(mktemp -d)"
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$CARGO_TARGET_DIR/release/examples/generate" --transactions 10000 --seed 1 --out "$WORK/deals-10k.yaml"
: > "$OUT"

start() { # start [serve flags...]: sets SERVER and ADDR
  "$BIN" serve --listen 127.0.0.1:0 "$@" 2> "$WORK/server.err" &
  SERVER=$!
  for _ in $(seq 1 200); do
    ADDR="$(grep -o '127\.0\.0\.1:[0-9]*' "$WORK/server.err" | head -1 || true)"
    if [ -n "$ADDR" ] && grep -q "rules loaded" "$WORK/server.err"; then return; fi
    sleep 0.05
  done
  echo "server did not start" >&2; cat "$WORK/server.err" >&2; exit 1
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" || true; }
measure() { # measure LABEL [serve-load flags...]
  local label="$1"; shift
  local line
  local before after
  before="$(cut -d' ' -f1 /proc/loadavg)"
  line="$("$LOAD" --addr "$ADDR" "$@")" || true
  after="$(cut -d' ' -f1 /proc/loadavg)"
  # The machine's 1-minute load average before and after: other work on the same 2 cores
  # shows here (the server and the client account for about 2 of it).
  echo "{\"run\": \"$label\", \"load_before\": $before, \"load_after\": $after, ${line#\{}" | tee -a "$OUT"
}

ONE=examples/sg-subsidiary.yaml
start
for c in 1 8 64 256; do
  measure "single-transaction, $c connections" --file "$ONE" --connections "$c" --seconds "$SECONDS_EACH" --rss-pid "$SERVER"
done
measure "10,000-transaction body, 1 connection" --file "$WORK/deals-10k.yaml" --connections 1 --seconds "$SECONDS_EACH" --warmup 2
stop

for sync in fsync write; do
  start --decision-log "$WORK/decisions-$sync.jsonl" --decision-log-sync "$sync"
  measure "single-transaction, 64 connections, decision log ($sync)" --file "$ONE" --connections 64 --seconds "$SECONDS_EACH"
  measure "single-transaction, 1 connection, decision log ($sync)" --file "$ONE" --connections 1 --seconds "$SECONDS_EACH"
  stop
done

PEAK="$(grep '"single-transaction, 64 connections"' "$OUT" | sed 's/.*"rps": \([0-9]*\).*/\1/')"
ONLY_PEAK="${ONLY_PEAK:-0}"
if [ "$ONLY_PEAK" = 1 ]; then exit 0; fi
HALF=$((PEAK / 2))
start
measure "half the 64-connection peak ($HALF/s), 64 connections" --file "$ONE" --connections 64 --rate "$HALF" --seconds "$SECONDS_EACH"
if [ "$SOAK_SECONDS" -gt 0 ]; then
  measure "soak: $HALF/s for $SOAK_SECONDS s, 64 connections" --file "$ONE" --connections 64 --rate "$HALF" \
    --seconds "$SOAK_SECONDS" --rss-pid "$SERVER" --rss-out "${RSS_OUT:-benches/serve/soak-rss.tsv}"
fi
stop
