#!/usr/bin/env bash
# The citylots benchmark: each rule bank of ../shared/bench/rules.json (not SHELLSTYLE or
# REGEXP, which are not EventBridge) and the two composites, through
# `bus-contract match --jobs 1 --summary --format json`, on a single thread, against the parse
# floor (serde_json into IgnoredAny over the same lines, read the same way) measured in the same
# run, before and after; then the same banks in memory (`cargo bench --bench citylots -- --table`)
# in the same run, and each bank's streaming rate as a share of its in-memory rate. Every rule's
# count is checked against the generator's --expected counts. A bank's target is the larger of
# twice event-ruler's best ratio and quamina's, from ../shared/bench/README.md.
#
#   benches/citylots.sh            # generates the corpus (~200 MB) on first use
set -euo pipefail
cd "$(dirname "$0")/.."
bench=../shared/bench
dir=target/citylots
corpus=$dir/cl2.jsonl
mkdir -p "$dir"
if [ ! -s "$corpus" ] || [ ! -s "$dir/cl2.expected.json" ]; then
  python3 "$bench/gen_citylots.py" -o "$corpus" --expected "$dir/cl2.expected.json" --rules "$bench/rules.json"
fi
cargo build --release --quiet
cargo build --release --quiet --example parse_floor
python3 - "$bench/rules.json" "$dir/banks" <<'PY'
import json, os, sys
rules = json.load(open(sys.argv[1]))
for name, cls in rules["classes"].items():
    d = os.path.join(sys.argv[2], name)
    os.makedirs(d, exist_ok=True)
    for i, text in enumerate(cls["rules"]):
        open(os.path.join(d, f"r{i}.json"), "w").write(text)
PY
floor() { target/release/examples/parse_floor "$corpus" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events_per_second"])'; }
f1=$(floor)
results=$dir/results.jsonl
: > "$results"
run() {
  local name=$1; shift
  local args=()
  for bank in "$@"; do args+=(--patterns "$dir/banks/$bank/*.json"); done
  target/release/bus-contract match --jobs 1 "${args[@]}" --summary --format json "$corpus" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); d["bank"]=sys.argv[1]; print(json.dumps(d))' "$name" >> "$results"
}
for bank in $(python3 -c 'import json,sys; print(" ".join(b for b in json.load(open(sys.argv[1]))["order"] if b not in ("SHELLSTYLE","REGEXP")))' "$bench/rules.json"); do
  run "$bank" "$bank"
done
run PARTIAL_COMBO $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["composites"]["PARTIAL_COMBO"]))' "$bench/rules.json")
run COMBO $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["composites"]["COMBO"]))' "$bench/rules.json")
f2=$(floor)
memory=$dir/in-memory.md
cargo bench --quiet --bench citylots -- --table > "$memory"
python3 - "$results" "$dir/cl2.expected.json" "$f1" "$f2" "$memory" "$bench/README.md" <<'PY'
import json, re, sys
results = [json.loads(l) for l in open(sys.argv[1])]
expected = json.load(open(sys.argv[2]))["classes"]
f1, f2 = float(sys.argv[3]), float(sys.argv[4])
floor = (f1 + f2) / 2
memory = {}
for l in open(sys.argv[5]):
    cells = [c.strip() for c in l.strip().strip("|").split("|")]
    if len(cells) == 5 and cells[1].isdigit():
        memory[cells[0]] = float(cells[1])
targets = {}
for l in open(sys.argv[6]):
    cells = [c.strip() for c in l.strip().strip("|").split("|")]
    if len(cells) == 5 and re.fullmatch(r"[A-Z_-]+", cells[0]):
        ratio = lambda c: float(c) if re.fullmatch(r"[0-9.]+", c) else 0.0
        targets[cells[0]] = max(2 * ratio(cells[2]), ratio(cells[4]))
print(f"parse floor (serde_json IgnoredAny, streamed): {f1:,.0f} and {f2:,.0f} events/s, mean {floor:,.0f}")
print("| bank | match events/s | ratio to floor | target | in memory events/s | streamed / in memory | counts |")
print("| --- | --- | --- | --- | --- | --- | --- |")
ok_all = True
for r in results:
    ok = True
    for path, hits in r["rules"].items():
        m = re.search(r"banks/([^/]+)/r(\d+)\.json$", path)
        want = expected[m.group(1)]["expected"][int(m.group(2))]
        ok &= hits == want
    ok_all &= ok
    rate, bank = r["events_per_second"], r["bank"]
    ratio = rate / floor
    target = targets.get(bank)
    reached = "" if target is None else (f"{target:.2f} {'met' if ratio >= target else 'MISSED'}")
    mem = memory.get(bank)
    share = f"{rate / mem:.0%}" if mem else "-"
    print(f"| {bank} | {rate:,.0f} | {ratio:.2f} | {reached} | {mem or 0:,.0f} | {share} | {'equal to --expected' if ok else 'DIFFERENT'} |")
sys.exit(0 if ok_all else 1)
PY
