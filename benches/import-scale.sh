#!/usr/bin/env bash
# Times `bus-contract import` and `check --import` on a generated CloudFormation YAML template
# of N rules (default 2,000), each with !Sub names and ARNs, a pattern, a target, a DLQ and a
# retry policy.
#
#   benches/import-scale.sh [RULES]
set -euo pipefail
cd "$(dirname "$0")/.."
rules=${1:-2000}
dir=target/bench-import
mkdir -p "$dir/ws"
cargo build --release --quiet
{
  printf 'Parameters:\n  Environment: {Type: String, Default: prod}\nResources:\n'
  for ((i = 0; i < rules; i++)); do
    cat <<RULE
  Rule$i:
    Type: AWS::Events::Rule
    Properties:
      Name: !Sub rule-$i-\${Environment}
      EventBusName: !Sub arn:aws:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/bellyfed-domain-user-\${Environment}
      EventPattern:
        source: [bellyfed.user]
        detail-type: [Type$i]
        detail: { userId: [{ prefix: "u-$i" }] }
      Targets:
        - Id: t
          Arn: !Sub arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:fn-$i
          DeadLetterConfig: { Arn: "arn:aws:sqs:eu-west-1:123456789012:dlq-$i" }
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 }
RULE
  done
} > "$dir/template.yaml"
params=(--parameter AWS::Region=eu-west-1 --parameter AWS::AccountId=123456789012)
echo "template: $(wc -c < "$dir/template.yaml") bytes, $rules rules"
/usr/bin/time -f "import: %e s, %M KB peak" target/release/bus-contract import "$dir/template.yaml" "${params[@]}" > "$dir/contract.yaml" 2> "$dir/import.err" || true
tail -n 2 "$dir/import.err"
echo "rules printed: $(grep -c '^  - rule:' "$dir/contract.yaml")"
/usr/bin/time -f "check --import: %e s, %M KB peak" target/release/bus-contract check "$dir/ws" --import "$dir/template.yaml" "${params[@]}" --color never > "$dir/check.out" || true
tail -n 1 "$dir/check.out"

# Many small templates: 1,000 `--import` flags against the same files under `imports:`.
many=${MANY:-1000}
mkdir -p "$dir/many/t" "$dir/many-flags"
for ((i = 0; i < many; i++)); do
  cat > "$dir/many/t/t$i.yaml" <<ONE
Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      Name: many-$i
      EventBusName: bellyfed-domain-user-prod
      EventPattern: { source: [bellyfed.user], detail-type: [Type$i] }
ONE
done
{
  echo "imports:"
  for ((i = 0; i < many; i++)); do echo "  - { path: t/t$i.yaml, service: s$i }"; done
} > "$dir/many/bus-contract.yaml"
flags=()
for ((i = 0; i < many; i++)); do flags+=(--import "$dir/many/t/t$i.yaml"); done
/usr/bin/time -f "check with $many imports: entries: %e s, %M KB peak" target/release/bus-contract check "$dir/many" --color never > /dev/null || true
/usr/bin/time -f "check with $many --import flags: %e s, %M KB peak" target/release/bus-contract check "$dir/many-flags" "${flags[@]}" --color never > /dev/null || true
