#!/usr/bin/env bash
# Cost per event as rule counts grow, per operator (benches/scaling.rs): N seldom-matching
# rules of one operator (5, 500, 5,000 and 50,000 by default; pass other counts) over the same
# 20,000 citylots events, on one thread, with the build time and memory per rule.
#
#   benches/scaling.sh [COUNTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=target/citylots/cl2.jsonl
if [ ! -s "$corpus" ]; then
  mkdir -p target/citylots
  python3 ../shared/bench/gen_citylots.py -o "$corpus" --expected target/citylots/cl2.expected.json \
    --rules ../shared/bench/rules.json
fi
cargo bench --quiet --bench scaling -- "$@"
