//! The gate's verdict: nothing to check is not a pass, one typo hides nothing, over-broad
//! rules fail whatever the snapshot says, `uses` reads the rule, numbers and strings are
//! reasoned about, duplicate rule names, the CI switches, and findings that point where the
//! fix is. One fixture per behaviour, each asserting code, severity, file and location.

mod common;

use std::path::{Path, PathBuf};

use bus_contract::{CheckConfig, Code, Finding, Location, Report, Severity, Workspace};
use common::{copy_dir, fixture, registry_copy, run, tempdir};
use proptest::prelude::*;

fn check(name: &str) -> Report {
    Workspace::load(fixture(name))
        .expect("fixture loads")
        .check(&CheckConfig::default())
}

/// The one finding of `code` at `file` and `location`, with its severity.
fn at<'r>(
    report: &'r Report,
    code: Code,
    severity: Severity,
    file: &str,
    location: impl Into<Location>,
) -> &'r Finding {
    let location = location.into();
    let found: Vec<&Finding> = report
        .findings()
        .iter()
        .filter(|f| f.code == code && f.file == file && f.location == location)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {code} at {file}:{location}; findings: {:#?}",
        report.findings()
    );
    assert_eq!(found[0].severity, severity, "{:#?}", found[0]);
    found[0]
}

fn errors_other_than(report: &Report, codes: &[Code]) -> Vec<Finding> {
    report
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error && !codes.contains(&f.code))
        .cloned()
        .collect()
}

// 1. Nothing to check is not a pass.

#[test]
fn nothing_to_check_exits_2() {
    let empty = tempdir("empty");
    let (code, _, err) = run(&["check", empty.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing to check in"), "{err}");
    assert!(err.contains("contracts/*.yaml"), "{err}");

    // The contracts directory itself, as a new user might give it.
    let (code, _, err) = run(&["check", "contracts"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("check the workspace above it"), "{err}");

    // A contracts: glob that matches nothing.
    let (code, _, err) = run(&["check", "tests/fixtures/nothing-to-check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("services/*.yaml"), "{err}");

    // The library's report fails too.
    let report = check("nothing-to-check");
    let f = at(
        &report,
        Code::InvalidContract,
        Severity::Error,
        "bus-contract.yaml",
        Location::File,
    );
    assert!(f.message.starts_with("nothing to check"), "{}", f.message);

    // Rules imported from infrastructure are something to check.
    let (code, out, err) = run(&[
        "check",
        empty.to_str().unwrap(),
        "--import",
        "tests/fixtures/imports/cloudformation/search.yaml",
        "--color",
        "never",
    ]);
    assert_ne!(code, 2, "{out}{err}");
    assert!(out.contains("rule search-reindex-profile-dev"), "{out}");
    assert!(!out.contains("does not exist"), "{out}");
}

#[test]
fn env_takes_only_the_configured_environments() {
    for (env, hint) in [
        ("Prod", Some("prod")),
        ("production", Some("prod")),
        ("stage", Some("staging")),
        ("qa", None),
    ] {
        let (code, _, err) = run(&["check", "--env", env]);
        assert_eq!(code, 2, "{env}: {err}");
        assert!(
            err.contains("the workspace's environments are dev, staging, prod"),
            "{err}"
        );
        match hint {
            Some(h) => assert!(err.contains(&format!("did you mean `{h}`?")), "{err}"),
            None => assert!(!err.contains("did you mean"), "{err}"),
        }
    }
    let (code, out, _) = run(&["check", "--env", "prod", "--color", "never"]);
    assert_eq!(code, 0, "{out}");
}

// 2. One typo hides nothing.

#[test]
fn a_misspelt_key_hides_nothing_else() {
    let report = check("unknown-key");
    let typo = at(
        &report,
        Code::InvalidContract,
        Severity::Error,
        "contracts/consumer.yaml",
        Location::LineColumn(9, 5),
    );
    assert!(
        typo.message
            .contains("unknown key `dead-leter-queue` in a subscribes entry (did you mean `dead-letter-queue`?)"),
        "{}",
        typo.message
    );
    // The rest of the file is still checked: its retry policy, and the queue it lacks.
    at(
        &report,
        Code::RetryPolicy,
        Severity::Error,
        "contracts/consumer.yaml",
        Location::LineColumn(10, 5),
    );
    at(
        &report,
        Code::NoDeadLetterQueue,
        Severity::Error,
        "contracts/consumer.yaml",
        Location::LineColumn(3, 5),
    );
    // And its rule still receives what it expects.
    assert!(
        report
            .witnesses()
            .iter()
            .any(|w| w.rule == "bill-orders" && w.event == "shop.order.placed")
    );
}

#[test]
fn a_file_that_is_not_yaml_is_dropped_and_says_so() {
    let report = check("unreadable-contract");
    let f = at(
        &report,
        Code::InvalidContract,
        Severity::Error,
        "contracts/broken.yaml",
        Location::LineColumn(3, 11),
    );
    assert!(
        f.message
            .ends_with("the contract cannot be read, so nothing in it is checked"),
        "{}",
        f.message
    );
    // The other contracts are checked as usual.
    assert_eq!(report.witnesses().len(), 1);
}

// 3. Over-broad rules fail the gate, and `also-accepts` says a rule means to take more.

#[test]
fn an_over_broad_rule_is_an_error() {
    let report = check("unexpected-event");
    let f = at(
        &report,
        Code::UnexpectedEvent,
        Severity::Error,
        "patterns/bill-orders.json",
        Location::LineColumn(2, 3),
    );
    assert!(f.message.contains("shop.order.cancelled"), "{}", f.message);
    assert!(f.evidence.is_some());
    assert!(!report.is_ok());
}

#[test]
fn also_accepts_takes_more_on_purpose() {
    let report = check("also-accepts");
    assert!(
        report.with_code(Code::UnexpectedEvent).is_empty(),
        "{:#?}",
        report.findings()
    );
    assert!(report.is_ok(), "{:#?}", report.findings());
}

/// The README's example: a rule over every auth event, which says so.
#[test]
fn the_readme_also_accepts_example() {
    let rule = |also: &str| {
        format!(
            "  - rule: audit-all-auth\n    bus: bellyfed-domain-auth-${{environment}}\n    pattern: {{ source: [bellyfed.auth] }}\n    expects: [auth.password.changed, auth.permissions.updated]\n{also}    target: audit-log\n    dead-letter-queue: audit-all-auth-dlq\n    retry-policy: {{ maximum-retry-attempts: 8, maximum-event-age-seconds: 3600 }}\n"
        )
    };
    let mut unexpected = Vec::new();
    for also in ["", "    also-accepts: any\n"] {
        let dir = registry_copy(&format!("readme-also-{}", also.len()));
        let path = dir.join("contracts/audit-service.yaml");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&rule(also));
        std::fs::write(&path, text).unwrap();
        let report = Workspace::load(&dir)
            .unwrap()
            .check(&CheckConfig::default().cases(16));
        unexpected.push(report.with_code(Code::UnexpectedEvent).len());
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(unexpected[0] >= 1, "{unexpected:?}");
    assert_eq!(unexpected[1], 0);
}

// 4. `uses` reads the rule, not only the schema.

#[test]
fn uses_fields_the_pattern_requires_are_guaranteed() {
    let report = check("uses-from-pattern");
    let missing = report.with_code(Code::MissingField);
    // Only the rule whose second `$or` branch does not require the field.
    assert_eq!(missing.len(), 1, "{missing:#?}");
    assert_eq!(missing[0].file, "contracts/consumer.yaml");
    assert_eq!(missing[0].location, Location::LineColumn(32, 12));
    assert!(missing[0].message.contains("coupon-or-anything"));
    assert_eq!(errors_other_than(&report, &[Code::MissingField]), vec![]);
}

// 5. Numbers and strings reasoned about, not sampled.

#[test]
fn ranges_no_valid_value_can_satisfy_are_unsatisfiable() {
    let report = check("numeric-range");
    for (file, reason) in [
        ("patterns/long-shifts.json", "at most 480"),
        ("patterns/negative-shifts.json", "at least 0"),
        ("patterns/odd-shifts.json", "multiples of 15"),
        ("patterns/long-codes.json", "at most 4 characters"),
        ("patterns/bad-start.json", "is not a \"date-time\""),
    ] {
        let f = at(
            &report,
            Code::Unsatisfiable,
            Severity::Error,
            file,
            Location::LineColumn(6, 5),
        );
        assert!(f.message.contains(reason), "{file}: {}", f.message);
    }
    assert!(
        report.with_code(Code::Undecided).is_empty(),
        "{:#?}",
        report.findings()
    );
    // The rule that can match has a witness and no finding.
    assert!(report.witnesses().iter().any(|w| w.rule == "full-shifts"));
    assert_eq!(report.errors(), 5, "{:#?}", report.findings());
}

// 6. Duplicate rule names.

#[test]
fn duplicate_rule_names_point_at_both() {
    let report = check("duplicate-rule");
    let a = at(
        &report,
        Code::DuplicateRule,
        Severity::Error,
        "contracts/consumer.yaml",
        Location::LineColumn(3, 11),
    );
    assert!(
        a.message.contains("contracts/ledger.yaml:3:5"),
        "{}",
        a.message
    );
    let b = at(
        &report,
        Code::DuplicateRule,
        Severity::Error,
        "contracts/ledger.yaml",
        Location::LineColumn(3, 11),
    );
    assert!(
        b.message.contains("contracts/consumer.yaml:3:5"),
        "{}",
        b.message
    );
}

/// One template resource evaluated once per environment is one rule, not a duplicate; a rule
/// both imported and declared in a contract is one, with a hint.
#[test]
fn duplicate_rules_from_imports() {
    let dir = tempdir("dup-import");
    copy_dir(&fixture("clean"), &dir);
    std::fs::write(
        dir.join("template.yaml"),
        "Parameters:\n  Environment: { Type: String }\nConditions:\n  IsProd: !Equals [!Ref Environment, prod]\nResources:\n  BillOrders:\n    Type: AWS::Events::Rule\n    Properties:\n      Name: bill-orders\n      EventBusName: shop-orders\n      EventPattern:\n        source: [shop.orders]\n        detail-type: !If [IsProd, [OrderPlaced], [OrderPlaced, OrderTest]]\n      Targets:\n        - Id: billing\n          Arn: arn:aws:lambda:eu-west-1:123456789012:function:billing\n          DeadLetterConfig: { Arn: arn:aws:sqs:eu-west-1:123456789012:billing-dlq }\n          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }\n",
    )
    .unwrap();
    // Imported alone (no contract of the consumer): no duplicate.
    std::fs::remove_file(dir.join("contracts/consumer.yaml")).unwrap();
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "imports:\n  - path: template.yaml\n    service: consumer\n    parameters: { Environment: \"${environment}\" }\n",
    )
    .unwrap();
    let ws = Workspace::load(&dir).unwrap();
    // The prod variant and the other environments' variant.
    assert_eq!(ws.rules().len(), 2, "{:#?}", ws.rules());
    let report = ws.check(&CheckConfig::default());
    assert!(
        report.with_code(Code::DuplicateRule).is_empty(),
        "{:#?}",
        report.findings()
    );
    // Imported and adopted into a contract as well: one rule twice.
    copy_dir(&fixture("clean").join("contracts"), &dir.join("contracts"));
    let consumer = std::fs::read_to_string(dir.join("contracts/consumer.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/consumer.yaml"),
        consumer.replace("bus: shop-orders-${environment}", "bus: shop-orders"),
    )
    .unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let found = report.with_code(Code::DuplicateRule);
    assert!(!found.is_empty(), "{:#?}", report.findings());
    assert!(
        found
            .iter()
            .all(|f| f.message.contains("stop importing it")),
        "{found:#?}"
    );
}

// 7. CI switches.

#[test]
fn deny_warnings_and_severity_overrides() {
    // orphan-event is a warning: the check passes...
    let (code, out, _) = run(&["check", "tests/fixtures/orphan-event", "--color", "never"]);
    assert_eq!(code, 0, "{out}");
    // ...unless warnings are denied,
    let (code, out, _) = run(&[
        "check",
        "tests/fixtures/orphan-event",
        "--deny",
        "warnings",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["summary"]["warnings"], 0);
    assert!(json["summary"]["errors"].as_u64().unwrap() >= 1);
    // ...or the code is made an error,
    let (code, _, _) = run(&[
        "check",
        "tests/fixtures/orphan-event",
        "--severity",
        "orphan-event=error",
    ]);
    assert_eq!(code, 1);
    // ...and an error turned off no longer fails.
    let (code, out, _) = run(&[
        "check",
        "tests/fixtures/retry-policy",
        "--severity",
        "retry-policy=off",
        "--color",
        "never",
    ]);
    assert_eq!(code, 0, "{out}");
    // A misspelt code is a usage error with the nearest code.
    let (code, _, err) = run(&["check", "--severity", "orphan-evnt=error"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `orphan-event`?"), "{err}");
    let (code, _, err) = run(&["check", "--severity", "orphan-event=fatal"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected error, warning or off"), "{err}");
}

// 8. Findings point where the fix is.

#[test]
fn findings_point_at_the_pattern_field() {
    let report = check("unsatisfiable");
    let f = at(
        &report,
        Code::Unsatisfiable,
        Severity::Error,
        "patterns/bill-orders.json",
        Location::LineColumn(3, 3),
    );
    assert!(
        f.message
            .contains("expects entry at contracts/consumer.yaml:6:15"),
        "{}",
        f.message
    );
    let report = check("partial-coverage");
    at(
        &report,
        Code::PartialCoverage,
        Severity::Error,
        "patterns/bill-orders.json",
        Location::LineColumn(4, 14),
    );
    // An inline pattern: the place in the contract.
    let dir = tempdir("inline");
    copy_dir(&fixture("unsatisfiable"), &dir);
    std::fs::write(
        dir.join("contracts/consumer.yaml"),
        "service: consumer\nsubscribes:\n  - rule: bill-orders\n    bus: shop-orders-${environment}\n    pattern:\n      source: [shop.orders]\n      detail-type: [OrderCreated]\n    expects: [shop.order.placed]\n    target: billing\n    dead-letter-queue: billing-dlq\n    retry-policy: { maximum-retry-attempts: 3, maximum-event-age-seconds: 3600 }\n",
    )
    .unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    at(
        &report,
        Code::Unsatisfiable,
        Severity::Error,
        "contracts/consumer.yaml",
        Location::LineColumn(7, 7),
    );
}

#[test]
fn or_messages_name_the_failing_branch() {
    let report = check("or-branch");
    let f = at(
        &report,
        Code::Unsatisfiable,
        Severity::Error,
        "patterns/bill-orders.json",
        Location::LineColumn(4, 6),
    );
    assert!(
        f.message
            .contains("in $or branch 1 (/$or/0/detail-type), detail-type"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains(
            "; in $or branch 2 (/$or/1/detail/total), detail.total: the schema allows at least 0"
        ),
        "{}",
        f.message
    );
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    let (code, _, err) = run(&["explain", "--rule", "search-reindex-profil", "-"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `search-reindex-profile`?"),
        "{err}"
    );
    let (code, _, err) = run(&["generate", "--event", "user.profile.update"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `user.profile.updated`?"),
        "{err}"
    );
    let (code, _, err) = run(&["generate", "--rule", "search-servce/search-reindex-profile"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `search-service/search-reindex-profile`?"),
        "{err}"
    );
    // An expected event that nobody publishes, near one that somebody does.
    let dir = tempdir("expects-typo");
    copy_dir(&fixture("clean"), &dir);
    let consumer = std::fs::read_to_string(dir.join("contracts/consumer.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/consumer.yaml"),
        consumer.replace(
            "expects: [shop.order.placed]",
            "expects: [shop.order.plcaed]",
        ),
    )
    .unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let f = at(
        &report,
        Code::NoProducer,
        Severity::Error,
        "contracts/consumer.yaml",
        Location::LineColumn(6, 15),
    );
    assert!(
        f.message.contains("did you mean `shop.order.placed`?"),
        "{}",
        f.message
    );
}

// 9. The registry stays clean, and no defect depends on the snapshot alone.

#[test]
fn the_registry_passes() {
    let report = Workspace::load(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .check(&CheckConfig::default());
    assert_eq!(report.errors(), 0, "{:#?}", report.findings());
    assert_eq!(report.warnings(), 0, "{:#?}", report.findings());
    assert!(report.with_code(Code::Undecided).is_empty());
}

/// The registry's pattern files, in order.
fn pattern_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
    for domain in std::fs::read_dir(&root).unwrap() {
        for f in std::fs::read_dir(domain.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

/// A change to a pattern, as a developer might make one.
#[derive(Debug, Clone)]
enum Change {
    /// Drop one member (a condition, or a whole nested object).
    Drop(usize),
    /// Keep only the source condition.
    OnlySource,
    /// Turn one string condition into a prefix of its first value.
    Prefix(usize),
    /// Add an `anything-but` where a string list was.
    AnythingBut(usize),
}

/// The paths of the members of a pattern (objects walked, lists are leaves).
fn members(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            let path = format!("{prefix}/{k}");
            out.push(path.clone());
            members(v, &path, out);
        }
    }
}

fn apply(pattern: &serde_json::Value, change: &Change) -> serde_json::Value {
    let mut p = pattern.clone();
    let mut paths = Vec::new();
    members(&p, "", &mut paths);
    let leaves: Vec<&String> = paths
        .iter()
        .filter(|path| p.pointer(path).is_some_and(serde_json::Value::is_array))
        .collect();
    let remove = |p: &mut serde_json::Value, path: &str| {
        let (parent, key) = path.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            Some(&mut *p)
        } else {
            p.pointer_mut(parent)
        };
        if let Some(serde_json::Value::Object(m)) = parent {
            m.remove(key);
        }
    };
    match change {
        Change::Drop(i) if !paths.is_empty() => {
            let path = paths[i % paths.len()].clone();
            remove(&mut p, &path);
        }
        Change::OnlySource => {
            let source = p.get("source").cloned();
            p = serde_json::json!({});
            if let Some(s) = source {
                p["source"] = s;
            }
        }
        Change::Prefix(i) | Change::AnythingBut(i) if !leaves.is_empty() => {
            let path = leaves[i % leaves.len()].clone();
            let first = p
                .pointer(&path)
                .and_then(|l| l.get(0))
                .and_then(serde_json::Value::as_str)
                .map(String::from);
            if let (Some(first), Some(slot)) = (first, p.pointer_mut(&path)) {
                *slot = match change {
                    Change::Prefix(_) => {
                        let cut: String = first
                            .chars()
                            .take(first.chars().count().div_ceil(2))
                            .collect();
                        serde_json::json!([{ "prefix": cut }])
                    }
                    _ => serde_json::json!([{ "anything-but": ["no-such-value"] }]),
                };
            }
        }
        _ => {}
    }
    // EventBridge refuses an empty pattern; keep the source at least.
    if p.as_object().is_some_and(serde_json::Map::is_empty) {
        p = pattern.clone();
        if let Some(m) = p.as_object_mut() {
            m.retain(|k, _| k == "source");
        }
    }
    p
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0usize..8).prop_map(Change::Drop),
        Just(Change::OnlySource),
        (0usize..8).prop_map(Change::Prefix),
        (0usize..8).prop_map(Change::AnythingBut),
    ]
}

fn non_routing_errors(report: &Report) -> Vec<Finding> {
    errors_other_than(report, &[Code::RoutingChanged])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A pattern change the gate rejects for anything but routing is rejected in the same way
    /// after `bus-contract snapshot` has been re-run; and a change that makes a rule take an
    /// example of an event it does not expect, or miss an example of one it expects every
    /// instance of, is rejected both before and after. The snapshot is a review aid: no
    /// defect depends on it alone.
    #[test]
    fn rejected_changes_stay_rejected_after_the_snapshot(file in 0usize..64, change in change()) {
        let files = pattern_files();
        let original_path = &files[file % files.len()];
        let dir = registry_copy(&format!("prop-{}", file % files.len()));
        let rel = original_path
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap();
        let original: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(original_path).unwrap()).unwrap();
        let changed = apply(&original, &change);
        prop_assume!(changed != original);
        std::fs::write(dir.join(rel), serde_json::to_string_pretty(&changed).unwrap()).unwrap();

        let config = CheckConfig::default().cases(16);
        let ws = Workspace::load(&dir).unwrap();
        let before = ws.check(&config);
        ws.write_snapshot().unwrap();
        let after = Workspace::load(&dir).unwrap().check(&config);

        prop_assert!(after.with_code(Code::RoutingChanged).is_empty());
        prop_assert_eq!(non_routing_errors(&before), non_routing_errors(&after));

        // The oracle: which examples the changed rule now takes or misses, by the reference
        // matcher, against what its contract says it expects.
        let rule = ws
            .rules()
            .into_iter()
            .find(|r| r.pattern.is_some_and(|p| {
                serde_json::from_str::<serde_json::Value>(p.source()).ok() == Some(changed.clone())
            }))
            .map(|r| (r.name.to_string(), r.bus.to_string(), r.expects.iter().map(|(e, every)| (e.to_string(), *every)).collect::<Vec<_>>()));
        let Some((name, bus, expects)) = rule else {
            return Ok(());
        };
        let old = bus_contract::Pattern::parse(&original.to_string()).unwrap();
        let new = bus_contract::Pattern::parse(&changed.to_string()).unwrap();
        let mut defect = None;
        for contract in std::fs::read_dir(dir.join("contracts")).unwrap() {
            let path = contract.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: serde_json::Value = yaml_as_json(&text);
            for p in doc["publishes"].as_array().into_iter().flatten() {
                if p["bus"].as_str() != Some(bus.as_str()) {
                    continue;
                }
                let event = p["event"].as_str().unwrap_or_default();
                let expected = expects.iter().find(|(e, _)| e == event);
                for ex in p["examples"].as_array().into_iter().flatten() {
                    let ex_path = dir.join("contracts").join(ex.as_str().unwrap());
                    let Ok(text) = std::fs::read_to_string(&ex_path) else { continue };
                    let (was, is) = (old.matches(&text).unwrap_or(false), new.matches(&text).unwrap_or(false));
                    match expected {
                        None if is && !was => defect = Some(format!("{name} now takes {event}")),
                        Some((_, true)) if was && !is => defect = Some(format!("{name} now misses {event}")),
                        _ => {}
                    }
                }
            }
        }
        if let Some(defect) = defect {
            prop_assert!(before.errors() > 0, "{defect}: not rejected");
            prop_assert!(after.errors() > 0, "{defect}: passed once the snapshot was rewritten");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A contract as JSON, for the oracle: read through serde, not through the loader the test
/// checks.
fn yaml_as_json(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or(serde_json::Value::Null)
}
