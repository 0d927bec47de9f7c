#!/usr/bin/env bash
# Cost per event as rule counts grow, per operator: N seldom-matching rules of one operator
# (5, 500, 5,000 by default; pass more counts, e.g. 50000) over the same 20,000 citylots-like
# events, through `bus-contract match --patterns … --summary --format json` on one thread.
# Prints events/s and the cost relative to 5 rules, measured in one run, plus the time to
# build the matcher (the run's time minus the matching time).
#
#   benches/scaling.sh [COUNTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(5 500 5000)
dir=target/scaling
corpus=target/citylots/cl2.jsonl
mkdir -p "$dir"
if [ ! -s "$corpus" ]; then
  python3 ../shared/bench/gen_citylots.py -o "$corpus" --expected target/citylots/cl2.expected.json \
    --rules ../shared/bench/rules.json
fi
head -n 20000 "$corpus" > "$dir/events.jsonl"
cargo build --release --quiet
python3 - "$dir" "${counts[@]}" <<'PY'
import json, os, subprocess, sys, time
root, counts = sys.argv[1], [int(c) for c in sys.argv[2:]]
def street(cond): return {"properties": {"STREET": [cond]}}
def x(cond): return {"geometry": {"firstCoordinates": {"x": [cond]}}}
# Each rule can never (or almost never) match the corpus; a second field the corpus lacks
# keeps the operators that match almost everything (anything-but) from matching.
guard = lambda p, i: {**p, "properties": {**p.get("properties", {}), "BLOCK_NUM": [f"ZZ{i}"]}}
operators = {
    "exact": lambda i: street(f"ZZ{i}"),
    "prefix": lambda i: street({"prefix": f"ZZ{i}"}),
    "suffix": lambda i: street({"suffix": f"{i}ZZ"}),
    "equals-ignore-case (ASCII)": lambda i: street({"equals-ignore-case": f"zz{i}"}),
    "equals-ignore-case (non-ASCII)": lambda i: street({"equals-ignore-case": f"ŻŻ{i}"}),
    "wildcard": lambda i: street({"wildcard": f"ZZ{i}*Q"}),
    "anything-but (list)": lambda i: guard(street({"anything-but": [f"A{i}", f"B{i}"]}), i),
    "anything-but prefix": lambda i: guard(street({"anything-but": {"prefix": f"ZZ{i}"}}), i),
    "numeric range": lambda i: x({"numeric": [">", 1000 + i, "<=", 1000.5 + i]}),
    "numeric =": lambda i: x({"numeric": ["=", 1000 + i]}),
}
binary = "target/release/bus-contract"
print(f"{'operator':32} " + " ".join(f"{c:>14}" for c in counts) + "   build ms at " + str(counts[-1]))
for name, make in operators.items():
    rates, build = [], 0.0
    for n in counts:
        d = os.path.join(root, "".join(ch if ch.isalnum() else "-" for ch in name), str(n))
        os.makedirs(d, exist_ok=True)
        if len(os.listdir(d)) != n:
            for f in os.listdir(d):
                os.remove(os.path.join(d, f))
            for i in range(n):
                with open(os.path.join(d, f"r{i}.json"), "w") as f:
                    json.dump(make(i), f)
        start = time.time()
        out = subprocess.run([binary, "match", "--patterns", os.path.join(d, "*.json"), "--summary",
                              "--format", "json", os.path.join(root, "events.jsonl")],
                             check=True, capture_output=True, text=True).stdout
        wall = time.time() - start
        s = json.loads(out)
        rates.append(s["events_per_second"])
        build = (wall - s["elapsed_seconds"]) * 1000
    cells = [f"{rates[0]:>9.0f}/s 1.0x"] + [f"{r:>8.0f}/s {rates[0] / r:4.1f}x" for r in rates[1:]]
    print(f"{name:32} " + " ".join(f"{c:>14}" for c in cells) + f"   {build:8.0f}")
PY
