#!/usr/bin/env bash
# The speed-up from matching on several threads: `bus-contract match --summary` over the
# 213,068-event citylots corpus with the EXACT and COMBO banks, --jobs 1 against --jobs N
# (default: the available cores), alternately, three rounds in one run; counts checked equal.
#
#   benches/jobs.sh [N]            # after benches/citylots.sh has made the corpus and banks
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-$(nproc)}
dir=target/citylots
[ -s "$dir/cl2.jsonl" ] && [ -d "$dir/banks/EXACT" ] || { echo "run benches/citylots.sh first" >&2; exit 1; }
cargo build --release --quiet
combo=$(python3 -c 'import json; print(" ".join(json.load(open("../shared/bench/rules.json"))["composites"]["COMBO"]))')
run() {  # run BANKS... with --jobs $J: events/s and the total hits
  local args=()
  for bank in "$@"; do args+=(--patterns "$dir/banks/$bank/*.json"); done
  target/release/bus-contract match --jobs "$J" "${args[@]}" --summary --format json "$dir/cl2.jsonl" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["events_per_second"]), sum(d["rules"].values()))'
}
printf '| bank | round | --jobs 1 events/s | --jobs %s events/s | speed-up |\n| --- | --- | --- | --- | --- |\n' "$jobs"
for bank in EXACT COMBO; do
  banks=$bank; [ "$bank" = COMBO ] && banks=$combo
  for round in 1 2 3; do
    read -r one hits1 < <(J=1 run $banks)
    read -r many hits2 < <(J=$jobs run $banks)
    [ "$hits1" = "$hits2" ] || { echo "counts differ: $hits1 and $hits2" >&2; exit 1; }
    python3 -c "import sys; o,m=int(sys.argv[1]),int(sys.argv[2]); print(f'| $bank | $round | {o:,} | {m:,} | {m/o:.2f}x |')" "$one" "$many"
  done
done
