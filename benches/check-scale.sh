#!/usr/bin/env bash
# Times `bus-contract check` on a generated workspace of 200 services and 2,000 rules (1,000
# events, each with a schema and an example), after writing its routing snapshot.
#
#   benches/check-scale.sh [SERVICES]
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-200}
dir=target/bench-workspace
cargo build --release --quiet --example gen_workspace
cargo build --release --quiet
target/release/examples/gen_workspace "$dir" "$services"
target/release/bus-contract snapshot "$dir" > /dev/null
for run in 1 2 3; do
  start=$(date +%s%N)
  set +e
  target/release/bus-contract check "$dir" --color never > "$dir.out"
  code=$?
  set -e
  end=$(date +%s%N)
  printf 'run %s: %d ms, exit %s, %s\n' "$run" "$(( (end - start) / 1000000 ))" "$code" "$(tail -n 1 "$dir.out")"
done
grep '^checked' "$dir.out"
