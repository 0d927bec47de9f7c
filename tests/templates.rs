//! Templates as teams write them: what CloudFormation resolves only at deploy time stays
//! unresolved (dynamic references, Parameter Store parameters), and what CloudFormation accepts
//! is read as it reads it (a key written twice, a pre-processor's tag, a retry policy with one
//! field, a name given as a property). Fixtures in `tests/fixtures/templates`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bus_contract::import::{ImportedRule, PLACEHOLDER, import};
use bus_contract::{CheckConfig, Code, Location, RuleState, Workspace};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/templates")
        .join(name)
}

fn read(name: &str, params: &[(&str, &str)]) -> Vec<ImportedRule> {
    let params: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let got = import(&fixture(name), name, &params);
    assert!(got.problems.is_empty(), "{name}: {:?}", got.problems);
    got.rules
}

fn rule<'r>(rules: &'r [ImportedRule], origin: &str) -> &'r ImportedRule {
    rules
        .iter()
        .find(|r| r.origin == origin)
        .unwrap_or_else(|| panic!("no rule {origin}"))
}

/// The places and messages of a rule's unresolved values.
fn unresolved(r: &ImportedRule) -> Vec<(String, String)> {
    r.unresolved
        .iter()
        .map(|n| (n.location.to_string(), n.message.clone()))
        .collect()
}

#[test]
fn dynamic_references_are_resolved_at_deploy_time_only() {
    let rules = read("dynamic.yaml", &[]);
    // In the bus: never matched; the name falls back to the logical id, with a note too.
    let r = rule(&rules, "FromParameterStore");
    assert_eq!(r.name, "FromParameterStore");
    assert!(r.bus.starts_with(PLACEHOLDER), "{}", r.bus);
    assert!(r.unmatchable);
    let notes = unresolved(r);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[0].0, "10:21");
    assert!(notes[0].1.contains("{{resolve:ssm:/bellyfed/prod/bus}}"));
    assert!(notes[0].1.contains("Parameter Store at deploy time"));
    assert_eq!(notes[1].0, "9:13");
    assert!(notes[1].1.contains("{{resolve:ssm:/bellyfed/rule-name}}"));
    // In the pattern: never matched, the secret never taken for a literal.
    let r = rule(&rules, "SecretInPattern");
    assert!(r.unmatchable);
    assert!(!r.pattern.contains("{{resolve"), "{}", r.pattern);
    assert!(r.pattern.contains(PLACEHOLDER));
    assert_eq!(unresolved(r)[0].0, "23:20");
    assert!(unresolved(r)[0].1.contains("Secrets Manager"));
    // In the state, built by !Sub: never matched.
    let r = rule(&rules, "StateFromSecureString");
    assert!(r.unmatchable);
    assert_eq!(unresolved(r)[0].0, "28:7");
    assert!(
        unresolved(r)[0]
            .1
            .contains("{{resolve:ssm-secure:/bellyfed/aws/state}}")
    );
}

#[test]
fn a_parameter_store_parameter_is_not_its_default() {
    let rules = read("dynamic.yaml", &[]);
    let r = rule(&rules, "TargetFromParameterStore");
    // A target only: the rule is matched, the target named by a placeholder, with a note.
    assert!(!r.unmatchable);
    assert!(
        r.targets[0].name.starts_with(PLACEHOLDER),
        "{}",
        r.targets[0].name
    );
    assert!(!r.targets[0].name.contains("alarm-topic"));
    let notes = unresolved(r);
    assert_eq!(notes[0].0, "39:11");
    assert!(
        notes[0].1.contains("AWS::SSM::Parameter::Value<String>"),
        "{notes:?}"
    );
    // Given its value, it resolves.
    let rules = read(
        "dynamic.yaml",
        &[(
            "AlarmTopic",
            "arn:aws:sns:eu-west-1:123456789012:bellyfed-alarms",
        )],
    );
    let r = rule(&rules, "TargetFromParameterStore");
    assert_eq!(r.targets[0].name, "bellyfed-alarms");
    assert!(r.unresolved.is_empty());
}

#[test]
fn unknown_tags_stop_only_what_uses_them() {
    let rules = read("read-as-cloudformation.yaml", &[]);
    // The tag in Metadata stops nothing; a name given as a property resolves in a pattern.
    let r = rule(&rules, "PipelineFailed");
    assert!(!r.unmatchable, "{:?}", r.unresolved);
    let pattern: serde_json::Value = serde_json::from_str(&r.pattern).unwrap();
    assert_eq!(
        pattern,
        serde_json::json!({
            "source": ["aws.codepipeline"],
            "detail": {"pipeline": ["orders-release"], "state": ["FAILED"],
                       "approvalToken": [{"exists": false}]}
        })
    );
    assert_eq!(r.bus, "default");
    // `exists: false` is a boolean in every reading: no advice to quote it.
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // A tag inside a rule is a placeholder there, at its place.
    let r = rule(&rules, "Embedded");
    assert!(r.unmatchable);
    let notes = unresolved(r);
    assert_eq!(notes[0].0, "26:7");
    assert!(notes[0].1.contains("!Rain::Embed"), "{notes:?}");
}

#[test]
fn a_retry_policy_with_one_field_is_valid() {
    let dir = common::tempdir("retry-one-field");
    std::fs::copy(
        fixture("read-as-cloudformation.yaml"),
        dir.join("template.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "environments: [prod]\nimports:\n  - { path: template.yaml, service: ops }\n",
    )
    .unwrap();
    let ws = Workspace::load(&dir).unwrap();
    let report = ws.check(&CheckConfig::default());
    let retry: Vec<_> = report
        .with_code(Code::RetryPolicy)
        .into_iter()
        .filter(|f| f.origin.as_deref() == Some("PipelineFailed"))
        .collect();
    assert!(retry.is_empty(), "{retry:#?}");
    let states: Vec<(String, RuleState)> = ws
        .rules()
        .iter()
        .map(|r| (r.name.to_string(), r.state))
        .collect();
    assert_eq!(
        states,
        [
            ("PipelineFailed".to_string(), RuleState::Enabled),
            ("Embedded".to_string(), RuleState::Unresolved)
        ]
    );
    let unresolved = report.with_code(Code::UnresolvedValue);
    assert!(
        unresolved
            .iter()
            .any(|f| f.file == "template.yaml" && f.location == Location::LineColumn(26, 7)),
        "{unresolved:#?}"
    );
}

#[test]
fn a_key_given_twice_keeps_the_last() {
    let name = "duplicate.json";
    let got = import(&fixture(name), name, &BTreeMap::new());
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    assert_eq!(got.rules.len(), 1);
    assert_eq!(got.rules[0].bus, "bellyfed-domain-user-prod");
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(
        got.warnings[0].location,
        Location::Pointer("/Resources/Rule/Properties/EventBusName".into())
    );
    assert!(got.warnings[0].message.contains("keeps the last"));
}

#[test]
fn many_imports_read_at_once_are_the_imports_listed() {
    let dir = common::tempdir("many-imports");
    std::fs::create_dir_all(dir.join("t")).unwrap();
    let mut listed = String::from("environments: [prod]\nimports:\n");
    let mut paths = Vec::new();
    for i in 0..50 {
        let path = dir.join(format!("t/t{i}.yaml"));
        std::fs::write(
            &path,
            format!(
                "Resources:\n  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      Name: r{i}\n      EventPattern: {{source: [s{i}]}}\n"
            ),
        )
        .unwrap();
        listed.push_str(&format!("  - t/t{i}.yaml\n"));
        paths.push(path);
    }
    let flags = common::tempdir("many-imports-flags");
    let by_flags = Workspace::load(&flags).unwrap().imports(&paths);
    std::fs::write(dir.join("bus-contract.yaml"), listed).unwrap();
    let by_config = Workspace::load(&dir).unwrap();
    let names =
        |ws: &Workspace| -> Vec<String> { ws.rules().iter().map(|r| r.name.to_string()).collect() };
    assert_eq!(names(&by_flags).len(), 50);
    assert_eq!(names(&by_flags), names(&by_config));
    let one_by_one = paths
        .iter()
        .take(3)
        .fold(Workspace::load(&flags).unwrap(), |ws, p| ws.import(p));
    assert_eq!(names(&one_by_one), names(&by_flags)[..3]);
}

/// What routing needs of a rule, and what a check holds it to.
type Routed = (
    String,
    String,
    String,
    serde_json::Value,
    bool,
    Vec<(String, Option<String>, Option<i64>, Option<i64>)>,
);

fn routed(rules: &[ImportedRule]) -> Vec<Routed> {
    let mut out: Vec<Routed> = rules
        .iter()
        .map(|r| {
            (
                r.origin.clone(),
                r.name.clone(),
                r.bus.clone(),
                serde_json::from_str(&r.pattern).expect("the pattern is JSON"),
                r.enabled,
                r.targets
                    .iter()
                    .map(|t| {
                        (
                            t.name.clone(),
                            t.dead_letter_queue.clone(),
                            t.maximum_retry_attempts,
                            t.maximum_event_age_seconds,
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A module directory (variables, locals, `jsonencode`, a heredoc, `for_each`, `count`, a child
/// module, references between resources) reads as the plan of the same configuration does.
#[test]
fn terraform_hcl_reads_as_its_plan() {
    let hcl = import(&fixture("terraform"), "terraform", &BTreeMap::new());
    assert!(hcl.problems.is_empty(), "{:?}", hcl.problems);
    let plan = read("terraform-plan.json", &[]);
    assert_eq!(routed(&hcl.rules), routed(&plan));
    assert_eq!(hcl.rules.len(), 4);
    // Each rule points at its block.
    let at: Vec<(String, String, String)> = hcl
        .rules
        .iter()
        .map(|r| (r.origin.clone(), r.file.clone(), r.location.to_string()))
        .collect();
    assert_eq!(
        at,
        [
            (
                "aws_cloudwatch_event_rule.profile",
                "terraform/main.tf",
                "25:1"
            ),
            (
                "aws_cloudwatch_event_rule.alerts[\"lockout\"]",
                "terraform/main.tf",
                "53:1"
            ),
            (
                "aws_cloudwatch_event_rule.alerts[\"reset\"]",
                "terraform/main.tf",
                "53:1"
            ),
            (
                "module.audit.aws_cloudwatch_event_rule.audit[0]",
                "terraform/modules/audit/main.tf",
                "4:1"
            ),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    // A variable's default is overridden by --parameter, through to the child module.
    let staging = import(
        &fixture("terraform/main.tf"),
        "terraform/main.tf",
        &[("environment".to_string(), "staging".to_string())].into(),
    );
    let names: Vec<(&str, &str)> = staging
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.bus.as_str()))
        .collect();
    assert_eq!(
        names[0],
        ("profile-updated-staging", "bellyfed-domain-user-staging")
    );
    assert_eq!(names[3], ("audit-staging", "bellyfed-domain-user-staging"));
}

/// What needs a plan is a placeholder with a note at the rule, and the rule is never matched.
#[test]
fn terraform_values_known_only_from_a_plan_stay_unresolved() {
    let rules = read("terraform-data", &[]);
    let r = rule(&rules, "aws_cloudwatch_event_rule.from_data");
    assert!(r.unmatchable);
    assert!(r.bus.starts_with(PLACEHOLDER));
    assert_eq!(unresolved(r)[0].0, "9:1");
    assert!(
        unresolved(r)[0].1.contains("data source"),
        "{:?}",
        unresolved(r)
    );
    let r = rule(&rules, "aws_cloudwatch_event_rule.from_variable");
    assert!(r.unmatchable);
    assert!(
        unresolved(r)[0].1.contains("--parameter"),
        "{:?}",
        unresolved(r)
    );
    // Given, the variable resolves.
    let rules = read("terraform-data", &[("source_name", "bellyfed.auth")]);
    let r = rule(&rules, "aws_cloudwatch_event_rule.from_variable");
    assert!(!r.unmatchable);
    assert_eq!(r.pattern, r#"{"source":["bellyfed.auth"]}"#);
}

/// `imports:` takes a module directory; findings point into its files.
#[test]
fn a_workspace_imports_a_terraform_module() {
    let dir = common::tempdir("terraform-module");
    common::copy_dir(&fixture("terraform"), &dir.join("infra"));
    common::copy_dir(&fixture("terraform-data"), &dir.join("shared"));
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "environments: [prod]\nimports:\n  - { path: infra, service: search }\n  - { path: shared, service: shared }\n",
    )
    .unwrap();
    let ws = Workspace::load(&dir).unwrap();
    let rules: Vec<(String, RuleState)> = ws
        .rules()
        .iter()
        .map(|r| (r.name.to_string(), r.state))
        .collect();
    assert_eq!(rules.len(), 6, "{rules:?}");
    assert!(rules.contains(&("audit-prod".to_string(), RuleState::Disabled)));
    assert!(rules.contains(&("from-data".to_string(), RuleState::Unresolved)));
    let report = ws.check(&CheckConfig::default());
    let unresolved = report.with_code(Code::UnresolvedValue);
    assert!(
        unresolved
            .iter()
            .any(|f| f.file == "shared/main.tf" && f.location == Location::LineColumn(9, 1)),
        "{unresolved:#?}"
    );
    // A registry module is not read: said, as a warning where it is called.
    let unread: Vec<_> = unresolved
        .iter()
        .filter(|f| f.location == Location::LineColumn(20, 1))
        .collect();
    assert_eq!(unread.len(), 1, "{unresolved:#?}");
    assert_eq!(unread[0].severity, bus_contract::Severity::Warning);
    assert!(unread[0].message.contains("terraform-aws-modules/vpc/aws"));
}

/// A hostile module: brackets nested past any real file, and a child module whose source climbs
/// out of the imported directory. Both are refused with a reason; nothing outside is read.
#[test]
fn hostile_terraform_is_refused_with_a_reason() {
    let dir = common::tempdir("terraform-hostile");
    let deep = format!(
        "locals {{\n  x = {}{}\n}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(dir.join("deep.tf"), deep).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "module \"escape\" {\n  source = \"../../../../../../../../etc\"\n}\n",
    )
    .unwrap();
    let got = import(&dir, "m", &BTreeMap::new());
    let problems: Vec<String> = got.problems.iter().map(|p| p.message.clone()).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("nest deeper"), "{problems:?}");
    assert!(problems[1].contains("escape"), "{problems:?}");
    assert!(got.rules.is_empty());
}

/// The `terraform-aws-modules/eventbridge` module keeps rules in its `rules` map and their
/// targets in `targets`: read as the rules the module makes of them.
#[test]
fn the_eventbridge_module_inputs_are_rules() {
    let rules = read("terraform-eventbridge-module", &[]);
    assert_eq!(
        routed(&rules),
        [(
            "module.eventbridge.aws_cloudwatch_event_rule.this[\"profile_updates\"]".to_string(),
            "profile-updates-rule".to_string(),
            "bellyfed-domain-user-prod".to_string(),
            serde_json::json!({"source": ["bellyfed.user"], "detail-type": ["ProfileUpdated"]}),
            true,
            vec![(
                "search-indexer".to_string(),
                Some("search-dlq".to_string()),
                Some(5),
                Some(900)
            )],
        )]
    );
    assert_eq!(rules[0].file, "terraform-eventbridge-module/main.tf");
    assert_eq!(rules[0].location, Location::LineColumn(5, 1));
    let staging = read(
        "terraform-eventbridge-module",
        &[("environment", "staging")],
    );
    assert_eq!(staging[0].bus, "bellyfed-domain-user-staging");
}

/// EventBridge identifies a bus by name, account and region: a CDK app with a bus `orders` in
/// two regions has two buses, so one rule name on each is no duplicate. In one region it is.
#[test]
fn same_named_buses_of_two_regions_are_two_buses() {
    let got = import(&fixture("cdk-two-regions"), "cdk.out", &BTreeMap::new());
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    let places: Vec<(String, Option<String>, Option<String>)> = got
        .rules
        .iter()
        .map(|r| {
            (
                r.bus.clone(),
                r.bus_place.account.clone(),
                r.bus_place.region.clone(),
            )
        })
        .collect();
    let place = |region: &str| {
        (
            "orders".to_string(),
            Some("123456789012".to_string()),
            Some(region.to_string()),
        )
    };
    assert_eq!(places, [place("eu-west-1"), place("us-east-1")]);

    let dir = common::tempdir("two-regions");
    common::copy_dir(&fixture("cdk-two-regions"), &dir.join("cdk.out"));
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "environments: [prod]\nimports:\n  - { path: cdk.out, service: orders }\n",
    )
    .unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    assert!(
        report.with_code(Code::DuplicateRule).is_empty(),
        "{:#?}",
        report.findings()
    );
    assert!(report.is_ok());
    let graph = Workspace::load(&dir).unwrap().graph_mermaid();
    assert!(graph.contains("orders (123456789012/eu-west-1)"), "{graph}");
    assert!(graph.contains("orders (123456789012/us-east-1)"), "{graph}");

    // Both stacks in one region: one bus, and the second rule would replace the first.
    let manifest = dir.join("cdk.out/manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(
            "aws://123456789012/us-east-1",
            "aws://123456789012/eu-west-1",
        ),
    )
    .unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let duplicates = report.with_code(Code::DuplicateRule);
    assert_eq!(duplicates.len(), 2, "{:#?}", report.findings());
    assert_eq!(
        duplicates[0].location,
        Location::Pointer("/Resources/Audit".into())
    );
}

/// A local child module whose directory holds no `.tf` files is a problem, not an empty module.
#[test]
fn an_empty_child_module_is_a_problem() {
    let dir = common::tempdir("terraform-empty-child");
    std::fs::create_dir_all(dir.join("modules/empty")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "module \"rules\" {\n  source = \"./modules/empty\"\n}\n",
    )
    .unwrap();
    let got = import(&dir, "m", &BTreeMap::new());
    assert_eq!(got.problems.len(), 1, "{:?}", got.problems);
    assert_eq!(got.problems[0].file, "m/modules/empty");
    assert!(got.problems[0].message.contains("no .tf files"));
}

/// A target of one `for_each` instance (`rule.x[each.key]`) belongs to that instance alone;
/// a child module's input that needs a plan leaves its variable unknown, never its default.
#[test]
fn terraform_instances_and_unknown_inputs() {
    let rules = read("terraform-instances", &[]);
    let targets = |origin: &str| -> Vec<String> {
        rule(&rules, origin)
            .targets
            .iter()
            .map(|t| t.name.clone())
            .collect()
    };
    assert_eq!(
        targets("aws_cloudwatch_event_rule.alerts[\"lockout\"]"),
        ["lockout-handler"]
    );
    assert_eq!(
        targets("aws_cloudwatch_event_rule.alerts[\"reset\"]"),
        ["reset-handler"]
    );
    let child = rule(&rules, "module.child.aws_cloudwatch_event_rule.child");
    assert_ne!(child.bus, "fallback-bus");
    assert!(child.bus.starts_with(PLACEHOLDER), "{}", child.bus);
    assert!(child.unmatchable);
}
