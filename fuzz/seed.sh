#!/usr/bin/env bash
# Builds the fuzz targets' seed corpora (fuzz/corpus/<target>/, not committed) from the
# repository's examples, the scenario corpus's facts and the rule pack.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/rules corpus/facts corpus/check
n=0
# Transaction files: the examples, and the `facts:` block of every case file (de-indented).
for f in "$root"/examples/*.yaml "$root"/tests/fuzz/world.yaml; do
  cp "$f" "corpus/facts/$(basename "$f")"
done
for f in "$root"/rules/tests/*.yaml; do
  awk '/^facts:/{on=1; next} /^[^ #]/{on=0} on{sub(/^  /, ""); print}' "$f" \
    > "corpus/facts/case-$(basename "$f")"
done
for f in corpus/facts/*; do
  # check: an even first byte (built-in pack × this file), then the as-of byte.
  { printf '\x00\x50'; cat "$f"; } > "corpus/check/facts-$(basename "$f")"
done
# Rule files: every file of the pack; for `check`, an odd first byte.
while IFS= read -r f; do
  n=$((n + 1))
  cp "$f" "corpus/rules/$n-$(basename "$f")"
  { printf '\x01'; cat "$f"; } > "corpus/check/rules-$n-$(basename "$f")"
done < <(find "$root/rules" -name '*.cg' | sort)
# Regression inputs found by earlier runs (tests/fuzz/<target>/).
for t in rules facts check; do
  if [ -d "$root/tests/fuzz/$t" ]; then
    cp "$root/tests/fuzz/$t"/* "corpus/$t/" 2>/dev/null || true
  fi
done
echo "seeded: $(ls corpus/rules | wc -l) rules, $(ls corpus/facts | wc -l) facts, $(ls corpus/check | wc -l) check"
