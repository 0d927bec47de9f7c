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
