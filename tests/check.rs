//! `check` over fixture workspaces (one per finding code), over the Bellyfed registry, and over
//! copies of the registry with one thing broken.

mod common;

use std::path::Path;

use assert_cmd::Command;
use bus_contract::{CheckConfig, Code, Location, Severity, Workspace};
use common::{copy_dir, fixture, registry_copy, tempdir};

/// Each fixture yields a finding of its code at this file and location, and no error of any
/// other code.
#[test]
fn check_fixtures_one_per_code() {
    let cases: &[(&str, Code, &str, Location)] = &[
        (
            "invalid-contract",
            Code::InvalidContract,
            "contracts/consumer.yaml",
            Location::LineColumn(9, 5),
        ),
        (
            "invalid-pattern",
            Code::InvalidPattern,
            "patterns/bill-orders.json",
            Location::LineColumn(3, 20),
        ),
        (
            "no-producer",
            Code::NoProducer,
            "contracts/consumer.yaml",
            Location::LineColumn(6, 34),
        ),
        (
            "unsatisfiable",
            Code::Unsatisfiable,
            "patterns/bill-orders.json",
            Location::LineColumn(3, 3),
        ),
        (
            "missing-field",
            Code::MissingField,
            "contracts/consumer.yaml",
            Location::LineColumn(7, 28),
        ),
        (
            "orphan-event",
            Code::OrphanEvent,
            "contracts/producer.yaml",
            Location::LineColumn(15, 12),
        ),
        (
            "invalid-example",
            Code::InvalidExample,
            "contracts/examples/order-placed.json",
            Location::Pointer("/detail/total".into()),
        ),
        (
            "routing-changed",
            Code::RoutingChanged,
            "routing.snap.yaml",
            Location::LineColumn(2, 1),
        ),
        (
            "naming",
            Code::Naming,
            "contracts/producer.yaml",
            Location::LineColumn(3, 12),
        ),
        (
            "cross-domain",
            Code::CrossDomain,
            "contracts/producer.yaml",
            Location::LineColumn(5, 13),
        ),
        (
            "no-dead-letter-queue",
            Code::NoDeadLetterQueue,
            "contracts/consumer.yaml",
            Location::LineColumn(3, 5),
        ),
        (
            "retry-policy",
            Code::RetryPolicy,
            "contracts/consumer.yaml",
            Location::LineColumn(10, 5),
        ),
        (
            "duplicate-event",
            Code::DuplicateEvent,
            "contracts/producer.yaml",
            Location::LineColumn(15, 5),
        ),
        (
            "partial-coverage",
            Code::PartialCoverage,
            "patterns/bill-orders.json",
            Location::LineColumn(4, 14),
        ),
        (
            "unexpected-event",
            Code::UnexpectedEvent,
            "patterns/bill-orders.json",
            Location::LineColumn(2, 3),
        ),
        (
            "undecided",
            Code::Undecided,
            "contracts/consumer.yaml",
            Location::LineColumn(6, 15),
        ),
        (
            "unresolved-value",
            Code::UnresolvedValue,
            "template.yaml",
            Location::LineColumn(10, 38),
        ),
        (
            "ambiguous-scalar",
            Code::AmbiguousScalar,
            "template.yaml",
            Location::LineColumn(9, 22),
        ),
        (
            "duplicate-rule",
            Code::DuplicateRule,
            "contracts/consumer.yaml",
            Location::LineColumn(3, 11),
        ),
        (
            "duplicate-key",
            Code::DuplicateKey,
            "template.yaml",
            Location::LineColumn(13, 7),
        ),
        (
            "disabled-rule",
            Code::DisabledRule,
            "contracts/consumer.yaml",
            Location::LineColumn(3, 5),
        ),
        (
            "idempotency-key",
            Code::IdempotencyKey,
            "contracts/consumer.yaml",
            Location::LineColumn(11, 22),
        ),
        (
            "event-size",
            Code::EventSize,
            "contracts/producer.yaml",
            Location::LineColumn(8, 5),
        ),
        (
            "unused-field",
            Code::UnusedField,
            "contracts/producer.yaml",
            Location::LineColumn(7, 5),
        ),
        (
            "sensitive-field",
            Code::SensitiveField,
            "contracts/producer.yaml",
            Location::LineColumn(4, 10),
        ),
        (
            "no-alarm",
            Code::NoAlarm,
            "contracts/consumer.yaml",
            Location::LineColumn(3, 5),
        ),
        (
            "consumer-timeout",
            Code::ConsumerTimeout,
            "contracts/consumer.yaml",
            Location::LineColumn(11, 5),
        ),
        (
            "batching",
            Code::Batching,
            "contracts/consumer.yaml",
            Location::LineColumn(11, 5),
        ),
        (
            "partial-failure",
            Code::PartialFailure,
            "contracts/consumer.yaml",
            Location::LineColumn(11, 5),
        ),
        (
            "concurrency",
            Code::Concurrency,
            "contracts/consumer.yaml",
            Location::LineColumn(11, 5),
        ),
    ];
    let mut covered: Vec<Code> = Vec::new();
    for (name, code, file, location) in cases {
        let report = Workspace::load(fixture(name))
            .expect("fixture loads")
            .check(&CheckConfig::default());
        let found = report.with_code(*code);
        assert!(
            found
                .iter()
                .any(|f| f.file == *file && f.location == *location),
            "{name}: no {code} at {file}:{location}; findings: {:#?}",
            report.findings()
        );
        let other_errors: Vec<_> = report
            .findings()
            .iter()
            .filter(|f| f.severity == Severity::Error && f.code != *code)
            .collect();
        assert!(
            other_errors.is_empty(),
            "{name}: unexpected errors {other_errors:#?}"
        );
        covered.push(*code);
    }
    for code in Code::ALL {
        assert!(covered.contains(&code), "no fixture for {code}");
    }
    // Formats are asserted too.
    let report = Workspace::load(fixture("invalid-example"))
        .unwrap()
        .check(&CheckConfig::default());
    assert!(
        report
            .with_code(Code::InvalidExample)
            .iter()
            .any(
                |f| f.location == Location::Pointer("/detail/placedAt".into())
                    && f.message.contains("date-time")
            )
    );
    let clean = Workspace::load(fixture("clean"))
        .expect("loads")
        .check(&CheckConfig::default());
    assert!(clean.findings().is_empty(), "{:#?}", clean.findings());
}

#[test]
fn check_bellyfed_registry_is_clean() {
    let embedded = Workspace::bellyfed().check(&CheckConfig::default());
    embedded.assert_ok();
    assert!(embedded.findings().is_empty(), "{:#?}", embedded.findings());
    let on_disk = Workspace::load(env!("CARGO_MANIFEST_DIR"))
        .expect("loads")
        .check(&CheckConfig::default());
    assert_eq!(on_disk, embedded);
    assert!(Workspace::bellyfed().service_names().len() >= 6);
}

/// How a service repo uses the library: its own, newer contract against the platform.
#[test]
fn check_overlay_from_a_service_repo() {
    let dir = tempdir("overlay");
    std::fs::create_dir_all(dir.join("patterns")).unwrap();
    std::fs::write(
        dir.join("patterns/welcome.json"),
        r#"{"source": ["bellyfed.user"], "detail-type": ["AccountCreated"]}"#,
    )
    .unwrap();
    let contract = dir.join("onboarding-service.yaml");
    std::fs::write(
        &contract,
        "service: onboarding-service\nsubscribes:\n  - rule: send-welcome\n    bus: bellyfed-domain-user-${environment}\n    pattern: patterns/welcome.json\n    expects: [user.account.created]\n    uses: [detail.email]\n    target: welcome-mailer\n    dead-letter-queue: welcome-dlq\n    retry-policy: { maximum-retry-attempts: 3, maximum-event-age-seconds: 600 }\n    idempotency-key: id\n    alarms: { failed-invocations: send-welcome-failures, dead-letter-queue: welcome-dlq-depth }\n",
    )
    .unwrap();
    let report = Workspace::bellyfed()
        .overlay(&contract)
        .check(&CheckConfig::default());
    report.assert_ok();
    // The same contract expecting an event that does not exist fails the gate.
    let text = std::fs::read_to_string(&contract)
        .unwrap()
        .replace("user.account.created", "user.account.welcomed");
    std::fs::write(&contract, text).unwrap();
    let report = Workspace::bellyfed()
        .overlay(&contract)
        .check(&CheckConfig::default());
    assert!(!report.is_ok());
    assert_eq!(report.with_code(Code::NoProducer).len(), 1);
    // An overlay replaces the platform's contract of the same service.
    let search = dir.join("search-service.yaml");
    std::fs::write(&search, "service: search-service\n").unwrap();
    let ws = Workspace::bellyfed().overlay(&search);
    assert_eq!(
        ws.service_names()
            .iter()
            .filter(|n| **n == "search-service")
            .count(),
        1
    );
}

/// Replaces the first `from` in a file with `to`.
fn edit(path: &Path, from: &str, to: &str) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, s.replacen(from, to, 1)).unwrap();
}

/// Declares one more event in the user service's contract.
fn publish_on_user_bus(dir: &Path, event: &str, source: &str, detail_type: &str) {
    let entry = format!(
        "publishes:\n  - event: {event}\n    bus: bellyfed-domain-user-${{environment}}\n    source: {source}\n    detail-type: {detail_type}\n"
    );
    edit(
        &dir.join("contracts/user-service.yaml"),
        "publishes:\n",
        &entry,
    );
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

/// Runs the CLI's check on `dir` and returns (exit code, JSON report).
fn cli_check(dir: &Path) -> (i32, serde_json::Value) {
    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

fn codes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const RULE: &str = "  - rule: {rule}\n    bus: {bus}\n    pattern: {pattern}\n    expects: [{expects}]\n    target: t\n    dead-letter-queue: dlq\n    retry-policy: { maximum-retry-attempts: 3, maximum-event-age-seconds: 600 }\n    idempotency-key: id\n    alarms: { failed-invocations: rule-failures, dead-letter-queue: dlq-depth }\n";

fn rule(name: &str, bus: &str, pattern: &str, expects: &str) -> String {
    RULE.replace("{rule}", name)
        .replace("{bus}", bus)
        .replace("{pattern}", pattern)
        .replace("{expects}", expects)
}

#[test]
fn check_broken_copies_of_the_registry() {
    let user_bus = "bellyfed-domain-user-${environment}";
    type Breaker = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Breaker, &str, &str)> = vec![
        (
            "no-producer",
            Box::new(move |d: &Path| {
                append(
                    &d.join("contracts/search-service.yaml"),
                    &rule(
                        "r",
                        user_bus,
                        "{ source: [bellyfed.user] }",
                        "user.avatar.changed",
                    ),
                );
            }),
            "no-producer",
            "user.avatar.changed",
        ),
        (
            "unsatisfiable",
            Box::new(move |d: &Path| {
                append(
                    &d.join("contracts/search-service.yaml"),
                    &rule(
                        "r",
                        user_bus,
                        "{ source: [bellyfed.user], detail-type: [ProfileChanged] }",
                        "user.profile.updated",
                    ),
                );
            }),
            "unsatisfiable",
            "detail-type",
        ),
        (
            "empty-list",
            Box::new(move |d: &Path| {
                append(
                    &d.join("contracts/search-service.yaml"),
                    &rule("r", user_bus, "{ source: [] }", "user.profile.updated"),
                );
            }),
            "invalid-pattern",
            "Empty arrays are not allowed",
        ),
        (
            "no-dlq",
            Box::new(move |d: &Path| {
                edit(
                    &d.join("contracts/billing-service.yaml"),
                    "    dead-letter-queue: billing-service-billing-account-lifecycle-dlq\n",
                    "",
                );
            }),
            "no-dead-letter-queue",
            "billing-account-lifecycle",
        ),
        (
            "cross-domain",
            Box::new(|d: &Path| {
                publish_on_user_bus(d, "auth.token.issued", "bellyfed.auth", "TokenIssued")
            }),
            "cross-domain",
            "bellyfed.auth",
        ),
        (
            "naming",
            Box::new(|d: &Path| {
                publish_on_user_bus(d, "UserAvatarChanged", "bellyfed.user", "AvatarChanged")
            }),
            "naming",
            "UserAvatarChanged",
        ),
        (
            "not-yaml",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("contracts/broken.yaml"),
                    "service: [unclosed\n  publishes: {\n",
                )
                .unwrap()
            }),
            "invalid-contract",
            "",
        ),
    ];
    for (name, break_it, code, needle) in cases {
        let dir = registry_copy(name);
        let (clean_code, _) = cli_check(&dir);
        assert_eq!(clean_code, 0, "{name}: the copy starts clean");
        break_it(&dir);
        let (exit, report) = cli_check(&dir);
        assert_eq!(exit, 1, "{name}: {report:#}");
        let found = codes(&report);
        assert!(
            found.iter().any(|(c, m)| c == code && m.contains(needle)),
            "{name}: no {code} mentioning {needle:?} in {found:#?}"
        );
    }
}

#[test]
fn check_a_satisfiable_rule_adds_no_errors() {
    let dir = registry_copy("satisfiable");
    append(
        &dir.join("contracts/search-service.yaml"),
        &rule(
            "search-pro-profiles",
            "bellyfed-domain-user-${environment}",
            "{ source: [bellyfed.user], detail-type: [ProfileUpdated], detail: { plan: [pro, business] } }",
            "user.profile.updated",
        ),
    );
    // The rule changes routing, so the pull request also updates the snapshot.
    let (exit, report) = cli_check(&dir);
    assert_eq!(exit, 1);
    assert_eq!(
        codes(&report)
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>(),
        ["routing-changed"]
    );
    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .arg("snapshot")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (exit, report) = cli_check(&dir);
    assert_eq!(exit, 0, "{report:#}");
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}

#[test]
fn check_json_shape() {
    let (exit, report) = cli_check(&fixture("no-producer"));
    assert_eq!(exit, 1);
    assert_eq!(report["schema"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    let f = &report["findings"][0];
    for key in [
        "code", "severity", "file", "location", "message", "evidence",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
    }
    assert_eq!(f["code"], "no-producer");
    assert_eq!(f["location"], "6:34");
}

#[test]
fn check_junit_and_human_output() {
    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .args(["check", "--format", "junit"])
        .arg(fixture("retry-policy"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testsuite name=\"consumer\""), "{xml}");
    assert!(xml.contains("<testcase name=\"retry-policy\""), "{xml}");
    assert!(xml.contains("<failure"), "{xml}");

    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .args(["check", "--color", "never"])
        .arg(fixture("retry-policy"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("consumer\n  error[retry-policy] contracts/consumer.yaml:10:5\n"),
        "{text}"
    );
    assert!(
        text.ends_with("✗ check failed: 1 error, 0 warnings\n"),
        "{text}"
    );
    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .args(["check", "--color", "always"])
        .arg(fixture("retry-policy"))
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("\u{1b}["));
}

#[test]
fn check_refuses_hostile_files() {
    let dir = tempdir("hostile");
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    let mut bomb = String::from("service: x\nextra:\n  a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
        let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i];
        bomb.push_str(&format!(
            "  {name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(",")
        ));
    }
    std::fs::write(dir.join("contracts/bomb.yaml"), bomb).unwrap();
    std::fs::write(dir.join("contracts/huge.yaml"), "x".repeat(2 * 1024 * 1024)).unwrap();
    std::fs::write(
        dir.join("contracts/escape.yaml"),
        "service: escape\nsubscribes:\n  - rule: r\n    bus: b\n    pattern: ../../etc/passwd\n    target: t\n",
    )
    .unwrap();
    std::fs::write(dir.join("contracts/bad-utf8.yaml"), b"service: \xff\n").unwrap();
    let start = std::time::Instant::now();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let invalid = report.with_code(Code::InvalidContract);
    let files: Vec<&str> = invalid.iter().map(|f| f.file.as_str()).collect();
    for f in [
        "contracts/bomb.yaml",
        "contracts/huge.yaml",
        "contracts/escape.yaml",
        "contracts/bad-utf8.yaml",
    ] {
        assert!(files.contains(&f), "{f} not refused: {invalid:#?}");
    }
    let escape = invalid
        .iter()
        .find(|f| f.file == "contracts/escape.yaml")
        .unwrap();
    assert!(
        escape.message.contains("outside the workspace"),
        "{}",
        escape.message
    );
    assert!(start.elapsed().as_secs() < 10);
    assert!(Workspace::load(dir.join("nope")).is_err());
}

#[test]
fn check_validates_unreferenced_pattern_files() {
    let dir = tempdir("stray");
    copy_dir(&fixture("clean"), &dir);
    std::fs::write(
        dir.join("patterns/stray.json"),
        "{\"a\": [{\"wildcard\": \"x**\"}]}\n",
    )
    .unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let found = report.with_code(Code::InvalidPattern);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].file, "patterns/stray.json");
    assert!(
        found[0]
            .message
            .ends_with("Consecutive wildcard characters at pos 2")
    );
}

/// Consumers that filter a queue or a topic fed by a rule: each filter of the fixture shows one
/// finding (or none), from contracts and from an imported template alike.
#[test]
fn check_filter_consumers() {
    let (exit, report) = cli_check(&fixture("filters"));
    assert_eq!(exit, 1);
    let mut got: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let subject = f["rule"]
                .as_str()
                .map(String::from)
                .or_else(|| {
                    // A contract's invalid-pattern names its filter in the message.
                    let m = f["message"].as_str()?;
                    Some(m.strip_prefix("filter ")?.split(':').next()?.to_string())
                })
                .unwrap_or_default();
            (
                subject,
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        // EventBridge never sets SNS message attributes: a policy on them passes nothing.
        ("OrderMailByAttribute", "unsatisfiable", "error"),
        // Attributes are set at delivery: not known offline, so not guessed.
        ("pack-by-receive-count", "undecided", "warning"),
        // A plain-text body filter on a JSON body: SQS drops every message.
        ("pack-by-text", "unsatisfiable", "error"),
        // Every OrderPlaced passes, so every: true holds; giftNote is optional in the schema.
        ("pack-gift-notes", "missing-field", "error"),
        // It also takes shop.order.cancelled, which it does not expect.
        ("pack-everything", "unexpected-event", "error"),
        // The schema's channel is web or app.
        ("pack-fax-orders", "unsatisfiable", "error"),
        // A typo in the source: no rule targets it.
        ("pack-from-nowhere", "undecided", "warning"),
        // Lambda has no wildcard.
        ("pack-with-wildcard", "invalid-pattern", "error"),
    ];
    let mut want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{report:#}");
    let messages = codes(&report);
    let text = |code: &str, needle: &str| {
        assert!(
            messages
                .iter()
                .any(|(c, m)| c == code && m.contains(needle)),
            "no {code} saying {needle:?}: {messages:#?}"
        );
    };
    text(
        "unsatisfiable",
        "EventBridge publishes to SNS with no message attributes",
    );
    text("unsatisfiable", "detail.channel");
    text(
        "invalid-pattern",
        "InvalidParameterValueException: Invalid filter pattern definition.",
    );
    // The filters that hold have witnesses: an event that comes through rule and filter.
    let witnesses: Vec<&str> = report["witnesses"]
        .as_array()
        .map(|w| w.iter().filter_map(|w| w["rule"].as_str()).collect())
        .unwrap_or_default();
    for filter in ["pack-web-orders", "pack-everything", "pack-gift-notes"] {
        assert!(witnesses.contains(&filter), "{filter}: {witnesses:?}");
    }
}

/// A filter that expects every instance of an event reports one that the filter drops, and a
/// disabled one is reported, not checked.
#[test]
fn check_filter_partial_coverage_and_state() {
    let dir = tempdir("filter-coverage");
    copy_dir(&fixture("filters"), &dir);
    edit(
        &dir.as_path().join("contracts/fulfilment.yaml"),
        "expects: [{ event: shop.order.placed, every: true }]",
        "expects: [{ event: shop.order.placed, every: true }]\n    state: enabled",
    );
    edit(
        &dir.as_path().join("contracts/fulfilment.yaml"),
        "pattern: { body: { detail-type: [OrderPlaced], detail: { channel: [web] } } }\n    expects: [shop.order.placed]",
        "pattern: { body: { detail-type: [OrderPlaced], detail: { channel: [web] } } }\n    expects: [{ event: shop.order.placed, every: true }]",
    );
    edit(
        &dir.as_path().join("contracts/fulfilment.yaml"),
        "source: fulfilment-queu\n",
        "source: fulfilment-queu\n    state: disabled\n",
    );
    let (_, report) = cli_check(dir.as_path());
    let findings = report["findings"].as_array().unwrap();
    let partial: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["code"] == "partial-coverage")
        .collect();
    assert_eq!(partial.len(), 1, "{report:#}");
    assert_eq!(partial[0]["rule"], "pack-web-orders");
    let evidence = partial[0]["evidence"].to_string();
    assert!(evidence.contains("app"), "{evidence}");
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "disabled-rule" && f["rule"] == "pack-from-nowhere"),
        "{report:#}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["code"] == "undecided" && f["rule"] == "pack-from-nowhere")
    );
}

/// A target's `input-path` decides what the queue's consumers see: the filter then names the
/// fields of the part sent, not of the event.
#[test]
fn check_filters_follow_the_targets_input() {
    let dir = tempdir("filter-input-path");
    copy_dir(&fixture("filters"), &dir);
    std::fs::remove_file(dir.join("bus-contract.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/fulfilment.yaml"),
        "service: fulfilment-service
subscribes:
  - rule: fulfilment-orders
    bus: shop-orders-${environment}
    pattern: { source: [shop.orders], detail-type: [OrderPlaced] }
    expects: [shop.order.placed]
    target: fulfilment-queue
    input-path: $.detail
    dead-letter-queue: fulfilment-dlq
    retry-policy: { maximum-retry-attempts: 3, maximum-event-age-seconds: 3600 }
  - filter: pack-web-orders
    dialect: lambda-sqs
    source: fulfilment-queue
    pattern: { body: { channel: [web] } }
    expects: [shop.order.placed]
  - filter: pack-constant
    dialect: sns-body
    source: fulfilment-queue
    pattern: { channel: [web] }
    expects: [shop.order.placed]
",
    )
    .unwrap();
    let (_, report) = cli_check(&dir);
    let findings = report["findings"].as_array().unwrap();
    let of = |rule: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .filter_map(|f| f["code"].as_str())
            .collect()
    };
    assert_eq!(of("pack-web-orders"), Vec::<&str>::new(), "{report:#}");
    assert_eq!(of("pack-constant"), Vec::<&str>::new(), "{report:#}");
    // Sent whole, the same body filter misses every order: the body's `channel` is under
    // `detail`.
    edit(
        &dir.join("contracts/fulfilment.yaml"),
        "    input-path: $.detail\n",
        "",
    );
    let (_, report) = cli_check(&dir);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "pack-web-orders" && f["code"] == "unsatisfiable"),
        "{report:#}"
    );
    // A constant input is the same message for every event.
    edit(
        &dir.join("contracts/fulfilment.yaml"),
        "    target: fulfilment-queue\n",
        "    target: fulfilment-queue\n    input: '{\"channel\": \"app\"}'\n",
    );
    let (_, report) = cli_check(&dir);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["rule"] == "pack-constant"
            && f["code"] == "unsatisfiable"
            && f["message"].as_str().unwrap().contains("constant input")),
        "{report:#}"
    );
}

/// The practices over consumers that templates describe: every finding of the fixture, with
/// its code, severity and place (the mapping, the function or the rule to change).
#[test]
fn check_practices_from_templates() {
    let report = Workspace::load(fixture("practices"))
        .unwrap()
        .check(&CheckConfig::default());
    let mut got: Vec<(Code, Severity, String, Location)> = report
        .findings()
        .iter()
        .map(|f| (f.code, f.severity, f.file.clone(), f.location.clone()))
        .collect();
    got.sort_by_key(|(c, _, f, l)| (f.clone(), l.to_string(), c.as_str()));
    let cfn = "cloudformation/template.yaml";
    let tf = "terraform/main.tf";
    let at = |l, c| Location::LineColumn(l, c);
    let mut want = vec![
        // A: the mapping's queue times out too soon; a batch of 50 needs a window.
        (Code::Batching, Severity::Error, cfn, at(25, 3)),
        (Code::ConsumerTimeout, Severity::Error, cfn, at(25, 3)),
        // B: the function retries for less than one invocation; no limit; no alarms.
        (Code::Concurrency, Severity::Error, cfn, at(63, 3)),
        (Code::ConsumerTimeout, Severity::Error, cfn, at(63, 3)),
        (Code::NoAlarm, Severity::Error, cfn, at(72, 3)),
        (Code::NoAlarm, Severity::Error, cfn, at(72, 3)),
        // C: batches without partial-failure reporting.
        (Code::PartialFailure, Severity::Error, cfn, at(104, 3)),
        // Terraform: batch over 10,000; visibility under 6 × 15 s; the DLQ has no alarm.
        (Code::Batching, Severity::Error, tf, at(23, 1)),
        (Code::ConsumerTimeout, Severity::Error, tf, at(23, 1)),
        (Code::NoAlarm, Severity::Error, tf, at(31, 1)),
    ]
    .into_iter()
    .map(|(c, s, f, l)| (c, s, f.to_string(), l))
    .collect::<Vec<_>>();
    want.sort_by_key(|(c, _, f, l)| (f.clone(), l.to_string(), c.as_str()));
    assert_eq!(got, want, "{:#?}", report.findings());
    let messages: Vec<&str> = report
        .findings()
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    for needle in [
        "set it to at least 180 s",
        "set it to at least 90 s",
        "needs a batching window of at least 1 s",
        "batch size 20000 is outside 1 to 10000",
        "add ReportBatchItemFailures",
        "less than one attempt of its function can take (120 s)",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "{needle}: {messages:#?}"
        );
    }
}

/// `sensitive-field` for consumers: a service outside `allowed-consumers` that uses a field
/// marked `x-sensitive` (or the object holding it); `unused-field` counts optional uses.
#[test]
fn check_sensitive_consumers_and_optional_uses() {
    let dir = tempdir("sensitive-consumers");
    copy_dir(&fixture("sensitive-field"), &dir);
    std::fs::write(
        dir.join("bus-contract.yaml"),
        "practices:\n  report-unused-fields: true\n  sensitive-fields:\n    allowed-consumers: [auditor]\n",
    )
    .unwrap();
    edit(
        &dir.join("contracts/consumer.yaml"),
        "uses: [detail.orderId, detail.total]",
        "uses: [detail.orderId, detail.total, { field: detail.email, optional: true }]",
    );
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let sensitive = report.with_code(Code::SensitiveField);
    assert_eq!(sensitive.len(), 1, "{:#?}", report.findings());
    assert_eq!(sensitive[0].file, "contracts/consumer.yaml");
    assert!(
        sensitive[0].message.contains("detail.email") && sensitive[0].message.contains("consumer"),
        "{}",
        sensitive[0].message
    );
    // The optional use counts: no field is unused, and it is not held to a guarantee.
    assert!(
        report.with_code(Code::UnusedField).is_empty(),
        "{:#?}",
        report.findings()
    );
    assert!(
        report.with_code(Code::MissingField).is_empty(),
        "{:#?}",
        report.findings()
    );
    // Allowed, it is no finding.
    edit(
        &dir.join("bus-contract.yaml"),
        "[auditor]",
        "[auditor, consumer]",
    );
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    assert!(report.with_code(Code::SensitiveField).is_empty());
}

/// A filtered mapping's settings are its filter's consumer, not its queue's rule's.
#[test]
fn check_practices_follow_a_filter_to_its_mapping() {
    let dir = tempdir("filter-practices");
    copy_dir(&fixture("filters"), &dir);
    append(
        &dir.join("bus-contract.yaml"),
        "practices:\n  require-concurrency-limit: true\n",
    );
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    let limits: Vec<&str> = report
        .with_code(Code::Concurrency)
        .iter()
        .filter_map(|f| f.rule.as_deref())
        .collect();
    assert_eq!(limits, ["OrderMailMapping"], "{:#?}", report.findings());
}
