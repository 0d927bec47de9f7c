//! Rules imported from CloudFormation, SAM, CDK synth output and Terraform JSON: every rule,
//! bus, target, dead-letter queue and retry policy of the example templates in
//! `tests/fixtures/imports`, the findings a check reports about them, and `bus-contract import`
//! output loaded back as a contract.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bus_contract::import::{ImportedRule, import, to_contract_yaml};
use bus_contract::{CheckConfig, Code, Location, RuleState, Severity, Workspace};
use common::copy_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/imports")
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A target as expected: name, dead-letter queue, retry attempts and age.
type WantTarget<'a> = (&'a str, Option<&'a str>, Option<(i64, i64)>);

/// One rule as expected: name, bus, pattern, enabled, origin, location, targets as
/// (name, dead-letter queue, retry attempts, retry age).
struct Want {
    name: &'static str,
    bus: &'static str,
    pattern: &'static str,
    enabled: bool,
    origin: &'static str,
    location: &'static str,
    targets: &'static [WantTarget<'static>],
    unmatchable: bool,
}

fn assert_rules(file: &str, got: &[ImportedRule], want: &[Want]) {
    let names: Vec<&str> = got.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        want.iter().map(|w| w.name).collect::<Vec<_>>(),
        "{file}: rules"
    );
    for (r, w) in got.iter().zip(want) {
        let ctx = format!("{file}: rule {}", w.name);
        assert_eq!(r.bus, w.bus, "{ctx}: bus");
        let pattern: serde_json::Value = serde_json::from_str(&r.pattern).expect("pattern is JSON");
        let wanted: serde_json::Value = serde_json::from_str(w.pattern).unwrap();
        assert_eq!(pattern, wanted, "{ctx}: pattern");
        assert_eq!(r.enabled, w.enabled, "{ctx}: state");
        assert_eq!(r.origin, w.origin, "{ctx}: origin");
        assert_eq!(r.location.to_string(), w.location, "{ctx}: location");
        assert_eq!(
            r.unmatchable, w.unmatchable,
            "{ctx}: unmatchable ({:?})",
            r.unresolved
        );
        let targets: Vec<WantTarget<'_>> = r
            .targets
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.dead_letter_queue.as_deref(),
                    t.has_retry_policy.then(|| {
                        (
                            t.maximum_retry_attempts.unwrap_or(-1),
                            t.maximum_event_age_seconds.unwrap_or(-1),
                        )
                    }),
                )
            })
            .collect();
        assert_eq!(targets, w.targets, "{ctx}: targets");
    }
}

#[test]
fn cloudformation_yaml_template() {
    let path = fixtures().join("cloudformation/search.yaml");
    let got = import(&path, "search.yaml", &params(&[("Environment", "prod")]));
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    let indexer = &[(
        "search-indexer-prod",
        Some("search-indexer-dlq-prod"),
        Some((3, 900)),
    )];
    assert_rules(
        "search.yaml",
        &got.rules,
        &[
            Want {
                name: "search-reindex-profile-prod",
                // An ARN built with !Sub from pseudo parameters still names its bus.
                bus: "bellyfed-domain-user-prod",
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["ProfileUpdated"],"detail":{"verified":[true]}}"#,
                enabled: true,
                origin: "ReindexProfileRule",
                location: "36:3",
                targets: &[(
                    "search-indexer-prod",
                    Some("search-indexer-dlq-prod"),
                    Some((8, 3600)),
                )],
                unmatchable: false,
            },
            Want {
                name: "search-remove-account-prod",
                bus: "bellyfed-domain-user-prod",
                // !Sub in a value list; !If with AWS::NoValue on the other branch.
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["AccountDeleted","AccountPurged"]}"#,
                enabled: true,
                origin: "RemoveAccountRule",
                location: "57:3",
                targets: indexer,
                unmatchable: false,
            },
            Want {
                name: "search-partner-profile",
                bus: "bellyfed-domain-user-prod",
                pattern: r#"{"source":["bellyfed.user","${unresolved:!ImportValue partner-profile-source}"],"detail-type":["ProfileUpdated"]}"#,
                enabled: true,
                origin: "PartnerProfileRule",
                location: "78:3",
                targets: indexer,
                unmatchable: true,
            },
            Want {
                name: "search-legacy-reindex",
                bus: "bellyfed-domain-user-prod",
                pattern: r#"{"source":["bellyfed.user"],"detail-type":[{"prefix":"Profile"}]}"#,
                enabled: false,
                origin: "LegacyReindexRule",
                location: "98:3",
                targets: &[("search-indexer-prod", None, None)],
                unmatchable: false,
            },
            Want {
                name: "search-high-score",
                bus: "bellyfed-domain-user-prod",
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["ProfileUpdated"],"detail":{"score":[4.0],"verified":[false]}}"#,
                enabled: true,
                origin: "HighScoreRule",
                location: "112:3",
                targets: indexer,
                unmatchable: false,
            },
            Want {
                name: "search-score-change-prod",
                bus: "bellyfed-domain-user-prod",
                // A JSON string through !Sub: JSON decides the types, so no warnings.
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["ProfileUpdated"],"detail":{"score":[{"numeric":[">=",4.0]}],"verified":[true]}}"#,
                enabled: true,
                origin: "ScoreChangeRule",
                location: "142:3",
                targets: indexer,
                unmatchable: false,
            },
        ],
    );
    assert!(got.rules[5].warnings.is_empty());
    // With the other default, the !If takes its other branch.
    let dev = import(&path, "search.yaml", &BTreeMap::new());
    let remove = dev
        .rules
        .iter()
        .find(|r| r.origin == "RemoveAccountRule")
        .unwrap();
    assert_eq!(remove.name, "search-remove-account-dev");
    assert_eq!(remove.bus, "bellyfed-domain-user-dev");
    assert!(
        !remove.pattern.contains("AccountPurged"),
        "{}",
        remove.pattern
    );
    // The placeholder and the typed scalars are located.
    let partner = &got.rules[2];
    assert_eq!(partner.unresolved.len(), 1);
    assert_eq!(partner.unresolved[0].location, Location::LineColumn(86, 26));
    assert!(partner.unresolved[0].blocks_matching);
    let high = &got.rules[4];
    let typed: Vec<String> = high
        .warnings
        .iter()
        .map(|n| n.location.to_string())
        .collect();
    assert_eq!(typed, ["121:19", "122:22"]);
    assert!(high.warnings[0].message.contains("`4.0`"));
    assert!(high.warnings[1].message.contains("`false`"));
    // A canonical integer is not ambiguous; `true` is.
    assert_eq!(got.rules[0].warnings.len(), 1);
}

#[test]
fn cloudformation_json_template_with_a_json_string_pattern() {
    let path = fixtures().join("cloudformation/analytics.json");
    let with_account = params(&[("Environment", "prod"), ("AWS::AccountId", "123456789012")]);
    let got = import(&path, "analytics.json", &with_account);
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    assert_rules(
        "analytics.json",
        &got.rules,
        &[Want {
            name: "analytics-profile-views-prod",
            // A Ref to an EventBus resource is that bus's Name.
            bus: "bellyfed-analytics-prod",
            pattern: r#"{"source":["bellyfed.user"],"detail-type":[{"prefix":"Profile"}],"account":["123456789012"],"detail":{"userId":[{"exists":true}]}}"#,
            enabled: true,
            origin: "ProfileViewsRule",
            location: "/Resources/ProfileViewsRule",
            targets: &[
                (
                    "analytics-warehouse-prod",
                    Some("analytics-dlq-prod"),
                    Some((10, 7200)),
                ),
                ("analytics-view-counter-prod", None, Some((2, 600))),
            ],
            unmatchable: false,
        }],
    );
    // JSON says what is a string: no typed-scalar warnings for a JSON template.
    assert!(got.rules[0].warnings.is_empty());
    // Without the account, the !Sub in the JSON string leaves a placeholder inside a value.
    let got = import(&path, "analytics.json", &params(&[("Environment", "prod")]));
    let r = &got.rules[0];
    assert!(r.unmatchable);
    assert!(
        r.pattern
            .contains(r#""account": ["${unresolved:!Ref AWS::AccountId}"]"#),
        "{}",
        r.pattern
    );
    assert!(
        r.unresolved[0]
            .message
            .contains("--parameter AWS::AccountId=VALUE")
    );
}

#[test]
fn sam_template() {
    let path = fixtures().join("sam/template.yaml");
    let got = import(&path, "template.yaml", &params(&[("Environment", "prod")]));
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    assert_rules(
        "sam/template.yaml",
        &got.rules,
        &[
            Want {
                name: "notifications-welcome-prod",
                bus: "bellyfed-domain-user-prod",
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["AccountCreated"]}"#,
                enabled: true,
                origin: "WelcomeMailFunction/Events/AccountCreated",
                location: "23:9",
                // `Type: SQS`: the queue SAM creates, named after the rule.
                targets: &[(
                    "notifications-welcome-prod",
                    Some("WelcomeMailFunctionAccountCreatedQueue"),
                    Some((5, 900)),
                )],
                unmatchable: false,
            },
            Want {
                name: "WelcomeMailFunctionAccountDeleted",
                bus: "bellyfed-domain-user-prod",
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["AccountDeleted"]}"#,
                enabled: false,
                origin: "WelcomeMailFunction/Events/AccountDeleted",
                location: "36:9",
                targets: &[("notifications-welcome-prod", None, None)],
                unmatchable: false,
            },
            Want {
                name: "LockoutStateMachineLoginFailed",
                bus: "bellyfed-domain-auth-prod",
                pattern: r#"{"source":["bellyfed.auth"],"detail-type":["LoginFailed"],"detail":{"attempts":[{"numeric":[">=",5]}]}}"#,
                enabled: true,
                origin: "LockoutStateMachine/Events/LoginFailed",
                location: "56:9",
                targets: &[(
                    "notifications-lockout-prod",
                    Some("notifications-lockout-dlq"),
                    Some((185, 30)),
                )],
                unmatchable: false,
            },
        ],
    );
}

#[test]
fn cdk_assembly_with_a_nested_stack() {
    let dir = fixtures().join("cdk.out");
    let got = import(&dir, "cdk.out", &BTreeMap::new());
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    assert_rules(
        "cdk.out",
        &got.rules,
        &[
            Want {
                name: "BellyfedOrders/ProfileSync",
                bus: "bellyfed-domain-user-prod",
                // Account and region come from the manifest's environment.
                pattern: r#"{"source":["bellyfed.user"],"detail-type":["ProfileUpdated"],"account":["123456789012"],"region":["eu-west-1"]}"#,
                enabled: true,
                origin: "BellyfedOrders/ProfileSync/Resource",
                location: "/Resources/ProfileSync8C1F2E3A",
                targets: &[(
                    "orders-profile-sync",
                    Some("ProfileSyncDlq5E6F7A8B"),
                    Some((4, 3600)),
                )],
                unmatchable: false,
            },
            Want {
                name: "BellyfedOrders/Audit/LoginAudit",
                bus: "bellyfed-domain-auth-prod",
                pattern: r#"{"source":["bellyfed.auth"],"detail-type":["LoginFailed"]}"#,
                enabled: true,
                origin: "BellyfedOrders/Audit/LoginAudit/Resource",
                location: "/Resources/LoginAudit5E6F7A8B",
                targets: &[("/bellyfed/orders/login-audit", None, None)],
                unmatchable: false,
            },
        ],
    );
    assert_eq!(got.rules[0].file, "cdk.out/BellyfedOrders.template.json");
    assert_eq!(
        got.rules[1].file,
        "cdk.out/BellyfedOrdersAudit4B5C6D7E.nested.template.json"
    );
    // The manifest itself leads to the same rules.
    let via_manifest = import(
        &dir.join("manifest.json"),
        "cdk.out/manifest.json",
        &BTreeMap::new(),
    );
    assert_eq!(via_manifest.rules, got.rules);
}

#[test]
fn terraform_plan_and_state() {
    let want = [
        Want {
            name: "loyalty-legacy-accounts",
            bus: "bellyfed-domain-user-prod",
            pattern: r#"{"source":["bellyfed.user"],"detail-type":[{"prefix":"Account"}]}"#,
            enabled: false,
            origin: "aws_cloudwatch_event_rule.legacy_accounts",
            location: "",
            targets: &[("loyalty-legacy", None, None)],
            unmatchable: false,
        },
        Want {
            name: "loyalty-profile-updated",
            // An ARN-form bus name.
            bus: "bellyfed-domain-user-prod",
            pattern: r#"{"source":["bellyfed.user"],"detail-type":["ProfileUpdated"],"detail":{"updatedFields":["email","phone"]}}"#,
            enabled: true,
            origin: "module.consumers.aws_cloudwatch_event_rule.profile_updated",
            location: "",
            targets: &[("loyalty-points", Some("loyalty-dlq"), Some((4, 3600)))],
            unmatchable: false,
        },
    ];
    for (file, root) in [("plan.json", "/planned_values"), ("state.json", "/values")] {
        let got = import(
            &fixtures().join("terraform").join(file),
            file,
            &BTreeMap::new(),
        );
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        let mut rules = got.rules.clone();
        let locations: Vec<String> = rules.iter().map(|r| r.location.to_string()).collect();
        assert_eq!(
            locations,
            [
                format!("{root}/root_module/resources/1"),
                format!("{root}/root_module/child_modules/0/resources/1")
            ],
            "{file}"
        );
        for r in &mut rules {
            r.location = Location::File;
        }
        assert_rules(file, &rules, &want);
    }
}

#[test]
fn bad_inputs_are_problems_with_a_place() {
    let dir = std::env::temp_dir().join(format!("bus-contract-import-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "broken.yaml",
            "Resources:\n  A: [1, 2\n",
            "LineColumn(2, 6)",
        ),
        ("other.json", "{\"hello\": 1}", "neither a CloudFormation"),
        ("bad.json", "{\"Resources\": ", "end-of-input"),
        ("bytes.yaml", "Resources: \u{0}", ""),
    ];
    for (name, text, wanted) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let got = import(&path, name, &BTreeMap::new());
        assert!(got.rules.is_empty(), "{name}");
        let problem = format!("{:?}", got.problems);
        assert_eq!(got.problems.len(), 1, "{name}: {problem}");
        assert!(problem.contains(wanted), "{name}: {problem}");
    }
    // Cycles and depth: placeholders, not hangs or overflows.
    let chain: String = (0..20_000)
        .map(|i| format!("  C{i}: !Condition C{}\n", i + 1))
        .collect();
    let rule = "Resources:\n  R:\n    Type: AWS::Events::Rule\n";
    let hostile = [
        format!(
            "Conditions:\n{chain}  C20000: !Equals [a, a]\n{rule}    Condition: C0\n    Properties:\n      EventPattern: {{source: [x]}}\n"
        ),
        format!(
            "Parameters:\n  P: {{Type: String, Default: !Ref P}}\n{rule}    Properties:\n      EventPattern: {{source: [!Ref P]}}\n"
        ),
        format!(
            "{rule}    Properties:\n      EventBusName: !Ref B\n      EventPattern: {{source: [x]}}\n  B:\n    Type: AWS::Events::EventBus\n    Properties: {{Name: !Ref B}}\n"
        ),
    ];
    for (i, text) in hostile.iter().enumerate() {
        let path = dir.join(format!("hostile-{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        let got = import(&path, "hostile.yaml", &BTreeMap::new());
        assert_eq!(got.rules.len(), 1, "hostile {i}: {:?}", got.problems);
        assert!(got.rules[0].unmatchable, "hostile {i}");
    }
    let deep = format!(
        "{rule}    Properties:\n      EventPattern: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    std::fs::write(dir.join("deep.yaml"), deep).unwrap();
    let got = import(&dir.join("deep.yaml"), "deep.yaml", &BTreeMap::new());
    assert!(
        got.problems[0].message.contains("recursion limit"),
        "{:?}",
        got.problems
    );
    std::fs::write(dir.join("not-utf8.yaml"), b"Resources: \xff\n").unwrap();
    let got = import(
        &dir.join("not-utf8.yaml"),
        "not-utf8.yaml",
        &BTreeMap::new(),
    );
    assert!(
        got.problems[0].message.contains("not UTF-8"),
        "{:?}",
        got.problems
    );
    // A CDK manifest may not lead outside its assembly.
    std::fs::create_dir_all(dir.join("cdk.out")).unwrap();
    std::fs::write(
        dir.join("cdk.out/manifest.json"),
        r#"{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../../etc/passwd"}}}}"#,
    )
    .unwrap();
    let got = import(&dir.join("cdk.out"), "cdk.out", &BTreeMap::new());
    assert!(
        got.problems[0].message.contains("outside the assembly"),
        "{:?}",
        got.problems
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_points_at_the_templates() {
    let ws = Workspace::load(fixtures()).unwrap();
    let report = ws.check(&CheckConfig::default());
    let at = |code: Code, file: &str, location: &str| {
        report
            .with_code(code)
            .into_iter()
            .find(|f| f.file == file && f.location.to_string() == location)
            .unwrap_or_else(|| panic!("no {code} at {file} {location}: {:#?}", report.findings()))
            .clone()
    };
    let f = at(Code::UnresolvedValue, "cloudformation/search.yaml", "86:26");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.origin.as_deref(), Some("PartnerProfileRule"));
    assert_eq!(f.service.as_deref(), Some("search-service"));
    assert!(f.message.contains("!ImportValue partner-profile-source"));
    at(
        Code::AmbiguousScalar,
        "cloudformation/search.yaml",
        "121:19",
    );
    at(
        Code::AmbiguousScalar,
        "cloudformation/search.yaml",
        "122:22",
    );
    at(Code::DisabledRule, "cloudformation/search.yaml", "98:3");
    let f = at(Code::DisabledRule, "sam/template.yaml", "36:9");
    assert_eq!(
        f.origin.as_deref(),
        Some("WelcomeMailFunction/Events/AccountDeleted")
    );
    at(Code::RetryPolicy, "sam/template.yaml", "56:9");
    let f = at(
        Code::NoDeadLetterQueue,
        "cloudformation/analytics.json",
        "/Resources/ProfileViewsRule",
    );
    assert!(
        f.message.contains("target analytics-view-counter-prod"),
        "{}",
        f.message
    );
    let f = at(
        Code::NoDeadLetterQueue,
        "cdk.out/BellyfedOrdersAudit4B5C6D7E.nested.template.json",
        "/Resources/LoginAudit5E6F7A8B",
    );
    assert_eq!(
        f.origin.as_deref(),
        Some("BellyfedOrders/Audit/LoginAudit/Resource")
    );
    let f = at(
        Code::DisabledRule,
        "terraform/plan.json",
        "/planned_values/root_module/resources/1",
    );
    assert_eq!(
        f.origin.as_deref(),
        Some("aws_cloudwatch_event_rule.legacy_accounts")
    );
    // Every imported, enabled rule with a pattern receives a declared event: no warnings
    // about rules nothing can reach, and no orphans.
    assert!(
        report.with_code(Code::NoProducer).is_empty(),
        "{:#?}",
        report.findings()
    );
    assert!(
        report.with_code(Code::OrphanEvent).is_empty(),
        "{:#?}",
        report.findings()
    );
    // In the graph, imported rules hang off the producers' buses.
    let graph = ws.graph_mermaid();
    assert!(!graph.contains("\"bellyfed-domain-user-prod\""), "{graph}");
    assert!(graph.contains("bus_bellyfed_domain_user___environment_ --> rule_search_service_search_reindex_profile_prod"), "{graph}");
    // The rules' states.
    let state = |name: &str| ws.rule(name).unwrap().state;
    assert_eq!(state("search-partner-profile"), RuleState::Unresolved);
    assert_eq!(state("search-legacy-reindex"), RuleState::Disabled);
    assert_eq!(state("loyalty-profile-updated"), RuleState::Enabled);
    assert!(ws.rule("search-partner-profile").unwrap().pattern.is_none());
    assert_eq!(
        ws.rule("search-partner-profile").unwrap().origin,
        Some("PartnerProfileRule")
    );
}

/// Each import of the fixture workspace, printed by `import` as a contract, and loaded back
/// in its place: the same rules, and the same routing.
#[test]
fn import_output_loads_back_with_the_same_routing() {
    let original = Workspace::load(fixtures()).unwrap();
    let dir = std::env::temp_dir().join(format!("bus-contract-import-back-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    copy_dir(&fixtures(), &dir);
    std::fs::write(dir.join("bus-contract.yaml"), "environments: [prod]\n").unwrap();
    type Entry<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let imports: &[Entry<'_>] = &[
        (
            "cloudformation/search.yaml",
            "search-service",
            &[("Environment", "prod")],
        ),
        (
            "cloudformation/analytics.json",
            "analytics-service",
            &[("Environment", "prod"), ("AWS::AccountId", "123456789012")],
        ),
        (
            "sam/template.yaml",
            "notification-service",
            &[("Environment", "prod")],
        ),
        ("cdk.out", "orders-service", &[]),
        ("terraform/plan.json", "loyalty-service", &[]),
    ];
    for (path, service, parameters) in imports {
        let got = import(&fixtures().join(path), path, &params(parameters));
        let yaml = to_contract_yaml(service, &got);
        std::fs::write(dir.join("contracts").join(format!("{service}.yaml")), yaml).unwrap();
    }
    let back = Workspace::load(&dir).unwrap();
    assert_eq!(back.snapshot(), original.snapshot());
    assert!(
        original
            .snapshot()
            .contains("search-service/search-reindex-profile-prod")
    );
    let summary = |ws: &Workspace| {
        let mut rules: Vec<String> = ws
            .rules()
            .iter()
            .map(|r| {
                format!(
                    "{}/{} on {} {:?} {:?} {:?}",
                    r.service,
                    r.name,
                    r.bus,
                    r.state,
                    r.targets,
                    r.pattern
                        .map(|p| serde_json::from_str::<serde_json::Value>(p.source()).unwrap())
                )
            })
            .collect();
        rules.sort();
        rules
    };
    assert_eq!(summary(&back), summary(&original));
    // The same findings, save where they point.
    let codes = |ws: &Workspace| {
        let mut c: Vec<(Code, Severity)> = ws
            .check(&CheckConfig::default())
            .findings()
            .iter()
            .map(|f| (f.code, f.severity))
            .filter(|(c, _)| *c != Code::AmbiguousScalar)
            .collect();
        c.sort();
        c
    };
    assert_eq!(codes(&back), codes(&original));
    std::fs::remove_dir_all(&dir).ok();
}

fn bin() -> Command {
    Command::cargo_bin("bus-contract").unwrap()
}

#[test]
fn import_command_prints_a_contract() {
    let out = bin()
        .current_dir(fixtures())
        .args([
            "import",
            "sam/template.yaml",
            "--service",
            "notification-service",
            "--parameter",
            "Environment=prod",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("service: notification-service\nsubscribes:\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  - rule: notifications-welcome-prod\n"),
        "{stdout}"
    );
    assert!(stdout.contains("    state: disabled\n"), "{stdout}");
    assert!(
        stdout.contains(
            "    retry-policy: { maximum-retry-attempts: 5, maximum-event-age-seconds: 900 }\n"
        ),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 rules and 0 filters imported"));
    // Notes about unresolved values go to stderr, with the place.
    let out = bin()
        .current_dir(fixtures())
        .args(["import", "cloudformation/search.yaml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cloudformation/search.yaml:86:26 (PartnerProfileRule): !ImportValue"),
        "{stderr}"
    );
    // Files that cannot be read: exit 2.
    bin()
        .args(["import", "no/such/template.yaml"])
        .assert()
        .code(2);
    bin()
        .args(["import", "x.yaml", "--parameter", "novalue"])
        .assert()
        .code(2);
}

#[test]
fn match_explain_and_generate_read_imports() {
    let ws = fixtures();
    let event = ws.join("contracts/examples/profile-updated.json");
    // --import on a workspace without imports: the rules of the template alone.
    let empty =
        std::env::temp_dir().join(format!("bus-contract-import-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = bin()
        .args(["match", "--format", "json", "--dir"])
        .arg(&empty)
        .arg("--import")
        .arg(ws.join("cloudformation/search.yaml"))
        .args(["--parameter", "Environment=prod"])
        .arg(&event)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("search/search-reindex-profile-prod"),
        "{stdout}"
    );
    // The partner rule's placeholder never matches, and the disabled rule is not matched.
    assert!(!stdout.contains("partner"), "{stdout}");
    assert!(!stdout.contains("legacy"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 disabled rule and 1 rule with unresolved values"),
        "{stderr}"
    );
    // explain: a disabled rule is explained with a note; an unresolved one is refused.
    let out = bin()
        .current_dir(&ws)
        .args(["explain", "--rule", "search-legacy-reindex"])
        .arg(&event)
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("DISABLED"));
    bin()
        .current_dir(&ws)
        .args(["explain", "--rule", "search-partner-profile"])
        .arg(&event)
        .assert()
        .code(2);
    // generate: events the imported rule matches.
    let out = bin()
        .current_dir(&ws)
        .args([
            "generate",
            "--rule",
            "loyalty-profile-updated",
            "--count",
            "5",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let pattern = ws_pattern("loyalty-profile-updated");
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        assert!(pattern.matches(line).unwrap(), "{line}");
    }
    std::fs::remove_dir_all(&empty).ok();
}

fn ws_pattern(rule: &str) -> bus_contract::Pattern {
    Workspace::load(fixtures())
        .unwrap()
        .rule(rule)
        .unwrap()
        .pattern
        .unwrap()
        .clone()
}

/// An imported rule has no `expects`: it should still be able to receive something declared
/// on its bus, unless it listens to AWS services' own events.
#[test]
fn imported_rules_that_nothing_reaches_are_warned_about() {
    let dir =
        std::env::temp_dir().join(format!("bus-contract-import-reach-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::copy(
        fixtures().join("contracts/user-service.yaml"),
        dir.join("contracts/user-service.yaml"),
    )
    .unwrap();
    copy_dir(
        &fixtures().join("contracts/examples"),
        &dir.join("contracts/examples"),
    );
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "environments: [prod]\nimports: [{ path: rules.yaml, service: watcher }]\n",
    )
    .unwrap();
    let rule = |id: &str, bus: &str, source: &str| {
        format!(
            "  {id}:\n    Type: AWS::Events::Rule\n    Properties:\n      EventBusName: {bus}\n      EventPattern: {{ source: [{source}] }}\n      Targets:\n        - Id: t\n          Arn: arn:aws:sqs:eu-west-1:123456789012:watcher\n          DeadLetterConfig: {{ Arn: arn:aws:sqs:eu-west-1:123456789012:watcher-dlq }}\n          RetryPolicy: {{ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 }}\n"
        )
    };
    let template = format!(
        "Resources:\n{}{}{}",
        rule("Typo", "bellyfed-domain-user-prod", "bellyfed.usr"),
        rule("Ec2", "default", "aws.ec2"),
        rule("Fine", "bellyfed-domain-user-prod", "bellyfed.user"),
    );
    std::fs::write(dir.join("rules.yaml"), template).unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let warned: Vec<(String, Severity)> = report
        .with_code(Code::NoProducer)
        .iter()
        .map(|f| (f.origin.clone().unwrap_or_default(), f.severity))
        .collect();
    assert_eq!(
        warned,
        [("Typo".to_string(), Severity::Warning)],
        "{:#?}",
        report.findings()
    );
    assert!(report.is_ok(), "{:#?}", report.findings());
    std::fs::remove_dir_all(&dir).ok();
}

/// A service repo checks the rules its template deploys against the embedded platform.
#[test]
fn a_template_against_the_embedded_platform() {
    let report = Workspace::bellyfed()
        .parameters([("Environment".to_string(), "prod".to_string())])
        .import(fixtures().join("sam/template.yaml"))
        .check(&CheckConfig::default());
    // The welcome rule hits the platform's account-created example: the snapshot is the
    // platform's, so that is a warning.
    let routing = report.with_code(Code::RoutingChanged);
    assert!(!routing.is_empty());
    assert!(routing.iter().all(|f| f.severity == Severity::Warning));
    // The platform's auth bus declares no LoginFailed.
    let unreached = report.with_code(Code::NoProducer);
    assert_eq!(unreached.len(), 1, "{:#?}", report.findings());
    assert_eq!(
        unreached[0].origin.as_deref(),
        Some("LockoutStateMachine/Events/LoginFailed")
    );
    // The disabled rule is reported, not held to the queue and policy checks.
    assert!(
        report
            .findings()
            .iter()
            .filter(|f| f.origin.as_deref() == Some("WelcomeMailFunction/Events/AccountDeleted"))
            .all(|f| f.code == Code::DisabledRule)
    );
}

/// A parameter given as `${environment}`: the template is evaluated for each environment, so
/// that conditions on it are decided per environment.
#[test]
fn a_per_environment_parameter_imports_each_environment() {
    let dir = std::env::temp_dir().join(format!("bus-contract-import-envs-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    copy_dir(&fixtures(), &dir);
    std::fs::remove_file(dir.join("routing.snap.yaml")).unwrap();
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "environments: [dev, prod]\nimports:\n  - path: cloudformation/search.yaml\n    service: search-service\n    parameters: { Environment: \"${environment}\" }\n",
    )
    .unwrap();
    let ws = Workspace::load(&dir).unwrap();
    let remove: Vec<(String, String, String)> = ws
        .rules()
        .iter()
        .filter(|r| r.origin == Some("RemoveAccountRule"))
        .map(|r| {
            (
                r.name.to_string(),
                r.bus.to_string(),
                r.pattern.unwrap().source().to_string(),
            )
        })
        .collect();
    assert_eq!(remove.len(), 2, "{remove:?}");
    assert_eq!(remove[0].0, "search-remove-account-dev");
    assert_eq!(remove[0].1, "bellyfed-domain-user-dev");
    assert!(!remove[0].2.contains("AccountPurged"));
    assert_eq!(remove[1].0, "search-remove-account-prod");
    assert!(remove[1].2.contains("AccountPurged"));
    // A rule the same in every environment is kept once.
    let partner = ws
        .rules()
        .iter()
        .filter(|r| r.origin == Some("PartnerProfileRule"))
        .count();
    assert_eq!(partner, 2, "its bus differs per environment");
    // Each environment's copy routes in its own environment only.
    let snapshot = ws.snapshot();
    assert!(
        snapshot.contains("search-service/search-remove-account-dev"),
        "{snapshot}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A CDK app with stages: the top manifest names nested cloud assemblies.
#[test]
fn cdk_stages_are_nested_assemblies() {
    let dir =
        std::env::temp_dir().join(format!("bus-contract-import-stage-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let stage = dir.join("cdk.out/assembly-Prod");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(
        dir.join("cdk.out/manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        stage.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"ProdOrders": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region", "properties": {"templateFile": "ProdOrders.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        stage.join("ProdOrders.template.json"),
        r#"{"Resources": {"R1": {"Type": "AWS::Events::Rule", "Metadata": {"aws:cdk:path": "Prod/Orders/Rule/Resource"}, "Properties": {"EventPattern": {"source": ["bellyfed.user"], "account": [{"Ref": "AWS::AccountId"}]}}}}}"#,
    )
    .unwrap();
    let got = import(&dir.join("cdk.out"), "cdk.out", &BTreeMap::new());
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    assert_eq!(got.rules.len(), 1);
    let r = &got.rules[0];
    assert_eq!(r.name, "Prod/Orders/Rule");
    assert_eq!(r.file, "cdk.out/assembly-Prod/ProdOrders.template.json");
    // An environment-agnostic stack leaves its account unknown.
    assert!(r.unmatchable);
    assert!(r.unresolved[0].message.contains("AWS::AccountId"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A failed import prints no contract, so that `> contracts/x.yaml` cannot overwrite a real
/// contract with an empty or partial one.
#[test]
fn a_failed_import_prints_nothing() {
    for args in [
        vec!["import", "no-such-template.yaml"],
        vec!["import", "sam/template.yaml", "no-such-template.yaml"],
    ] {
        let out = bin()
            .current_dir(fixtures())
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(
            out.stdout.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("no-such-template.yaml does not exist"),
            "{stderr}"
        );
        assert!(stderr.contains("nothing printed"), "{stderr}");
    }
}

/// What an imported filter is: name, dialect, source, pattern count, enabled, checkable.
type FilterWant<'a> = (&'a str, &'a str, &'a str, usize, bool, bool);

fn assert_filters(file: &str, parameters: &[(&str, &str)], want: &[FilterWant<'_>]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filters/infra");
    let got = import(&dir.join(file), file, &params(parameters));
    assert!(got.problems.is_empty(), "{file}: {:#?}", got.problems);
    let got: Vec<(String, String, String, usize, bool, bool)> = got
        .filters
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                f.dialect
                    .map_or("?", bus_contract::Dialect::name)
                    .to_string(),
                f.source.clone(),
                f.patterns.len(),
                f.enabled,
                !f.unmatchable,
            )
        })
        .collect();
    let want: Vec<(String, String, String, usize, bool, bool)> = want
        .iter()
        .map(|(n, d, s, c, e, ok)| (n.to_string(), d.to_string(), s.to_string(), *c, *e, *ok))
        .collect();
    assert_eq!(got, want, "{file}");
}

/// Every pipe, event-source mapping and SNS filter policy of a template of each kind, each
/// with its dialect and its source named as a rule names its target.
#[test]
fn filters_of_every_template_kind() {
    assert_filters(
        "template.yaml",
        &[("Environment", "prod")],
        &[
            (
                "OrderMailByAttribute",
                "sns-attributes",
                "notifications-orders-prod",
                1,
                true,
                true,
            ),
            (
                "OrderMailByBody",
                "sns-body",
                "notifications-orders-prod",
                1,
                true,
                true,
            ),
            (
                "OrderMailMapping",
                "lambda-sqs",
                "notifications-orders-prod",
                1,
                true,
                true,
            ),
            (
                "notifications-orders-pipe-prod",
                "pipes",
                "notifications-orders-prod",
                1,
                true,
                true,
            ),
        ],
    );
    assert_filters(
        "sam.yaml",
        &[],
        &[
            (
                "PointsFunctionFromQueue",
                "lambda-sqs",
                "loyalty-points",
                2,
                true,
                true,
            ),
            (
                "PointsFunctionFromStream",
                "lambda-kinesis",
                "loyalty-points-stream",
                1,
                true,
                true,
            ),
            (
                "PointsFunctionFromTable",
                "lambda-dynamodb",
                "loyalty-members",
                1,
                false,
                true,
            ),
            (
                "PointsFunctionFromCluster",
                "lambda-kafka",
                "loyalty",
                1,
                true,
                true,
            ),
            (
                "PointsFunctionFromSelfManaged",
                "lambda-kafka",
                "points-legacy",
                1,
                true,
                true,
            ),
            (
                "PointsFunctionFromTopic",
                "sns-body",
                "loyalty-points-topic",
                1,
                true,
                true,
            ),
        ],
    );
    assert_filters(
        "terraform/plan.json",
        &[],
        &[
            (
                "aws_lambda_event_source_mapping.receipts",
                "lambda-sqs",
                "receipts-prod",
                1,
                true,
                true,
            ),
            (
                "receipts-pipe-prod",
                "pipes",
                "receipts-prod",
                1,
                false,
                true,
            ),
            (
                "aws_sns_topic_subscription.receipts",
                "sns-attributes",
                "receipts-topic-prod",
                1,
                true,
                true,
            ),
        ],
    );
    assert_filters(
        "terraform/hcl",
        &[],
        &[
            (
                "aws_lambda_event_source_mapping.receipts",
                "lambda-sqs",
                "receipts-prod",
                2,
                true,
                true,
            ),
            (
                "aws_lambda_event_source_mapping.clicks",
                "lambda-kinesis",
                "clicks-prod",
                1,
                false,
                true,
            ),
            (
                "receipts-pipe-prod",
                "pipes",
                "receipts-prod",
                1,
                true,
                true,
            ),
            (
                "aws_sns_topic_subscription.receipts",
                "sns-body",
                "receipts-topic-prod",
                1,
                true,
                true,
            ),
        ],
    );
    // Amazon MQ is not modelled: said, not guessed.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filters/infra");
    let sam = import(&dir.join("sam.yaml"), "sam.yaml", &BTreeMap::new());
    assert!(
        sam.unread
            .iter()
            .any(|n| n.message.contains("Amazon MQ") && n.message.contains("FromBroker")),
        "{:#?}",
        sam.unread
    );
}

/// A filter whose source is a parameter is not guessed: its dialect is unknown, and check
/// says so rather than validating it as some dialect.
#[test]
fn a_filter_on_an_unknown_source_is_unresolved() {
    let dir = common::tempdir("filter-unknown-source");
    std::fs::write(
        dir.join("template.yaml"),
        r#"Parameters:
  QueueArn: { Type: String }
Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !Ref QueueArn
      FunctionName: worker
      FilterCriteria:
        Filters:
          - Pattern: '{"body": {"kind": [{"wildcard": "a*"}]}}'
"#,
    )
    .unwrap();
    let got = import(
        &dir.join("template.yaml"),
        "template.yaml",
        &BTreeMap::new(),
    );
    let [f] = got.filters.as_slice() else {
        panic!("{:#?}", got.filters)
    };
    assert_eq!(f.dialect, None);
    assert!(f.unmatchable);
    assert!(
        f.unresolved
            .iter()
            .any(|n| n.blocks_matching && n.message.contains("what kind of source")),
        "{:#?}",
        f.unresolved
    );
    let yaml = to_contract_yaml("worker", &got);
    assert!(yaml.contains("# not written"), "{yaml}");
}

/// `bus-contract import` output of filters loads back: the same findings as the import.
#[test]
fn imported_filters_load_back_with_the_same_findings() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filters");
    let original = Workspace::load(&fixture).unwrap();
    let dir = common::tempdir("filters-back");
    copy_dir(&fixture, &dir);
    std::fs::write(dir.join("bus-contract.yaml"), "environments: [prod]\n").unwrap();
    let got = import(
        &fixture.join("infra/template.yaml"),
        "infra/template.yaml",
        &params(&[("Environment", "prod")]),
    );
    let yaml = to_contract_yaml("notification-service", &got);
    std::fs::write(dir.join("contracts/notification-service.yaml"), &yaml).unwrap();
    let back = Workspace::load(&dir).unwrap();
    let codes = |ws: &Workspace| {
        let mut c: Vec<(Code, Severity, Option<String>)> = ws
            .check(&CheckConfig::default())
            .findings()
            .iter()
            .map(|f| (f.code, f.severity, f.rule.clone()))
            .collect();
        c.sort();
        c
    };
    assert_eq!(codes(&back), codes(&original), "{yaml}");
    assert!(
        codes(&back)
            .iter()
            .any(|(c, _, r)| *c == Code::Unsatisfiable
                && r.as_deref() == Some("OrderMailByAttribute"))
    );
}

/// What the practices read from Terraform JSON: alarms, functions, queues and mappings, a
/// value known only after apply traced through the configuration's references.
#[test]
fn terraform_json_facts_for_the_practices() {
    let dir = common::tempdir("tf-facts");
    let plan = r#"{
      "format_version": "1.2",
      "terraform_version": "1.9.5",
      "planned_values": {"root_module": {"resources": [
        {"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue", "name": "q",
         "values": {"name": "billing-q", "visibility_timeout_seconds": 45}},
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "values": {"function_name": "billing-f", "timeout": 20, "reserved_concurrent_executions": -1}},
        {"address": "aws_lambda_event_source_mapping.m", "mode": "managed", "type": "aws_lambda_event_source_mapping", "name": "m",
         "values": {"function_name": "billing-f", "batch_size": 25, "maximum_batching_window_in_seconds": 2,
                    "function_response_types": ["ReportBatchItemFailures"], "scaling_config": [{"maximum_concurrency": 3}]}},
        {"address": "aws_cloudwatch_metric_alarm.a", "mode": "managed", "type": "aws_cloudwatch_metric_alarm", "name": "a",
         "values": {"alarm_name": "billing-q-depth", "namespace": "AWS/SQS", "metric_name": "ApproximateNumberOfMessagesVisible",
                    "dimensions": {"QueueName": "billing-q"}}}
      ]}},
      "configuration": {"root_module": {"resources": [
        {"address": "aws_lambda_event_source_mapping.m",
         "expressions": {"event_source_arn": {"references": ["aws_sqs_queue.q.arn", "aws_sqs_queue.q"]}}}
      ]}}
    }"#;
    std::fs::write(dir.join("plan.json"), plan).unwrap();
    let got = import(&dir.join("plan.json"), "plan.json", &BTreeMap::new());
    assert!(got.problems.is_empty(), "{:#?}", got.problems);
    assert_eq!(got.queues.len(), 1);
    assert_eq!(
        (
            got.queues[0].name.as_str(),
            got.queues[0].visibility_timeout
        ),
        ("billing-q", 45)
    );
    assert_eq!(got.functions.len(), 1);
    let f = &got.functions[0];
    assert_eq!(
        (f.name.as_str(), f.timeout, f.reserved_concurrency),
        ("billing-f", 20, None)
    );
    let [m] = got.mappings.as_slice() else {
        panic!("{:#?}", got.mappings)
    };
    assert_eq!(m.source, "billing-q");
    assert_eq!(m.source_kind, Some(bus_contract::Dialect::LambdaSqs));
    assert_eq!(m.function.as_deref(), Some("billing-f"));
    assert_eq!(
        (
            m.batch_size,
            m.batching_window,
            m.report_batch_item_failures,
            m.maximum_concurrency
        ),
        (Some(25), Some(2), true, Some(3))
    );
    let [a] = got.alarms.as_slice() else {
        panic!("{:#?}", got.alarms)
    };
    assert_eq!(
        (
            a.namespace.as_str(),
            a.metric.as_str(),
            a.dimensions.clone()
        ),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            vec![("QueueName".to_string(), "billing-q".to_string())]
        )
    );
}

/// `bus-contract import` writes what the templates say of alarms and consumers, so a contract
/// adopted from them is held to the practices as the templates are.
#[test]
fn imported_practices_load_back_with_the_same_findings() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/practices");
    let original = Workspace::load(&fixture).unwrap();
    let dir = common::tempdir("practices-back");
    copy_dir(&fixture, &dir);
    let config = std::fs::read_to_string(dir.join("bus-contract.yaml")).unwrap();
    let config = config.split("imports:").next().unwrap().to_string();
    std::fs::write(dir.join("bus-contract.yaml"), config).unwrap();
    for (path, service) in [
        ("cloudformation/template.yaml", "shipping-service"),
        ("terraform", "invoicing-service"),
    ] {
        let got = import(&fixture.join(path), path, &BTreeMap::new());
        let yaml = to_contract_yaml(service, &got);
        std::fs::write(dir.join("contracts").join(format!("{service}.yaml")), yaml).unwrap();
    }
    let codes = |ws: &Workspace| {
        let mut c: Vec<(Code, Severity, Option<String>)> = ws
            .check(&CheckConfig::default())
            .findings()
            .iter()
            .map(|f| (f.code, f.severity, f.rule.clone()))
            .collect();
        c.sort();
        c
    };
    let back = Workspace::load(&dir).unwrap();
    assert_eq!(
        codes(&back),
        codes(&original),
        "{}",
        std::fs::read_to_string(dir.join("contracts/shipping-service.yaml")).unwrap()
    );
}
