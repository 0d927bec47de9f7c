#!/usr/bin/env bash
# Times `bus-contract check` on a generated workspace of 200 services and 2,000 rules (1,000
# events, each with a schema and an example), after writing its routing snapshot.
#
#   benches/check-scale.sh [SERVICES]
#
# Runs the workspace twice over in one go: as generated, and with every practice check on
# (the contracts then give what the practices ask for), and prints the ratio of the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-200}
dir=target/bench-workspace
cargo build --release --quiet --example gen_workspace
cargo build --release --quiet
median() { sort -n | sed -n 2p; }
for variant in plain practices; do
  arg=""
  [ "$variant" = practices ] && arg=practices
  target/release/examples/gen_workspace "$dir" "$services" $arg
  target/release/bus-contract snapshot "$dir" > /dev/null
  : > "$dir.times"
  for run in 1 2 3; do
    start=$(date +%s%N)
    set +e
    target/release/bus-contract check "$dir" --color never > "$dir.out"
    code=$?
    set -e
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    echo "$ms" >> "$dir.times"
    printf '%s run %s: %d ms, exit %s, %s\n' "$variant" "$run" "$ms" "$code" "$(tail -n 1 "$dir.out")"
  done
  grep '^checked' "$dir.out"
  eval "median_$variant=$(median < "$dir.times")"
done
awk -v a="$median_plain" -v b="$median_practices" 'BEGIN { printf "median: %d ms plain, %d ms with every practice on: %.2fx\n", a, b, b / a }'
