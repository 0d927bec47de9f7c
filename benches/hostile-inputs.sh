#!/usr/bin/env bash
# Feeds the hostile inputs of the engine's acceptance list to `bus-contract test-pattern` and
# prints, for each, the wall time, the exit code and the first line of output.
#
#   benches/hostile-inputs.sh            # builds the release binary first
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/bus-contract
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

repeat() { local s=$1 n=$2 out=""; out=$(printf "%${n}s" ""); printf '%s' "${out// /$s}"; }
env='"id":"1","account":"1","source":"s","time":"t","region":"r","detail-type":"d"'

printf '{"a":%s[1]' "$(repeat '{"a":' 100000)" > "$dir/deep-pattern.json"
printf '{%s,"a":%s' "$env" "$(repeat '[' 100000)" > "$dir/deep-event.json"
printf '{"n":[%s]}' "$(repeat 7 100000)" > "$dir/long-number-pattern.json"
printf '{%s,"n":%s}' "$env" "$(repeat 7 100000)" > "$dir/long-number-event.json"
printf '{"source":["\xff\xfe"]}' > "$dir/bad-utf8-pattern.json"
printf '{%s,"x":"\xc3"}' "$env" > "$dir/bad-utf8-event.json"
printf '{"s":[{"wildcard":"%s"}]}' "$(repeat '*a' 2000)*b" > "$dir/wildcard-pattern.json"
printf '{%s,"s":"%s"}' "$env" "$(repeat a 307200)" > "$dir/long-string-event.json"
values=$(seq -f '"v%g"' 0 99999 | paste -sd,)
printf '{"a":[%s]}' "$values" > "$dir/list-pattern.json"
printf '{%s,"a":[%s]}' "$env" "$(seq -f '"w%g"' 0 99999 | paste -sd,)" > "$dir/list-event.json"
printf '{"$or":[%s]}' "$(seq -f '{"f%g":["v"]}' 0 2999 | paste -sd,)" > "$dir/or-pattern.json"
printf '{%s}' "$env" > "$dir/plain-event.json"

run() {
  local label=$1; shift
  local start end code out
  start=$(date +%s%N)
  set +e
  out=$("$bin" test-pattern "$@" 2>&1 | head -c 160 | head -n 1)
  code=${PIPESTATUS[0]}
  set -e
  end=$(date +%s%N)
  printf '%-46s %6.1f ms  exit %s  %s\n' "$label" "$(( (end - start) / 10000 ))e-2" "$code" "$out"
}

p() { printf 'file://%s/%s' "$dir" "$1"; }
run "pattern nested 100,000 deep"                 --event-pattern "$(p deep-pattern.json)" --event "$(p plain-event.json)"
run "  same, size limit off"                      --event-pattern "$(p deep-pattern.json)" --event "$(p plain-event.json)" --max-pattern-size 0
run "event nested 100,000 deep"                   --event-pattern '{"a":[1]}' --event "$(p deep-event.json)"
run "pattern number 1e999999"                     --event-pattern '{"n":[1e999999]}' --event "{$env,\"n\":1e999999}"
run "numeric operand 1e999999"                    --event-pattern '{"n":[{"numeric":[">",1e999999]}]}' --event "$(p plain-event.json)"
run "pattern number of 100,000 digits, size off"  --event-pattern "$(p long-number-pattern.json)" --event "$(p long-number-event.json)" --max-pattern-size 0
run "event number of 100,000 digits"              --event-pattern '{"n":[{"numeric":[">",0]}]}' --event "$(p long-number-event.json)"
run "pattern with invalid UTF-8"                  --event-pattern "$(p bad-utf8-pattern.json)" --event "$(p plain-event.json)"
run "event with invalid UTF-8"                    --event-pattern '{"x":["y"]}' --event "$(p bad-utf8-event.json)"
run "*a*a… wildcard (2,000 stars)"                --event-pattern "$(p wildcard-pattern.json)" --event "$(p long-string-event.json)" --max-pattern-size 0
run "  same, complexity check off, 300 KB string" --event-pattern "$(p wildcard-pattern.json)" --event "$(p long-string-event.json)" --max-pattern-size 0 --max-wildcard-complexity 0
run "100,000-value list, 100,000-element array"   --event-pattern "$(p list-pattern.json)" --event "$(p list-event.json)" --max-pattern-size 0
run "3,000 \$or branches"                          --event-pattern "$(p or-pattern.json)" --event "$(p plain-event.json)" --max-pattern-size 0
