//! generate, match, explain and graph, over the Bellyfed registry.

mod common;

use std::process::Output;

use assert_cmd::Command;
use bus_contract::{CheckConfig, Code, Event, Pattern, Workspace};

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("bus-contract").expect("built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_string());
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("runs");
    (
        status.code().expect("exits"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// `generate --rule X --count 40 --seed 7` prints 40 events that all match X in test-pattern's
/// strict mode; `--near-miss` prints 40 that all miss; a seed reproduces the bytes.
#[test]
fn explore_generate_for_every_rule() {
    let ws = Workspace::bellyfed();
    for rule in ws.rules() {
        let name = format!("{}/{}", rule.service, rule.name);
        let pattern = rule.pattern.unwrap();
        let (code, out, err) = run(
            &["generate", "--rule", &name, "--count", "40", "--seed", "7"],
            None,
        );
        assert_eq!(code, 0, "{name}: {err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 40, "{name}");
        for line in &lines {
            let event = Event::parse(line).unwrap();
            assert!(event.missing_envelope_fields().is_empty(), "{name}: {line}");
            assert!(pattern.matches_event(&event), "{name} should match {line}");
        }
        let (_, again, _) = run(
            &["generate", "--rule", &name, "--count", "40", "--seed", "7"],
            None,
        );
        assert_eq!(out, again, "{name}: the same seed gives the same bytes");
        let (code, near, err) = run(
            &[
                "generate",
                "--rule",
                &name,
                "--count",
                "40",
                "--seed",
                "7",
                "--near-miss",
            ],
            None,
        );
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(near.lines().count(), 40);
        for line in near.lines() {
            assert!(
                !pattern.matches(line).unwrap(),
                "{name} should not match {line}"
            );
        }
    }
}

/// The acceptance check itself, through the command line: test-pattern in strict mode.
#[test]
fn explore_generated_events_pass_test_pattern() {
    let rule = "search-service/search-reindex-profile";
    let pattern = "file://patterns/user/search-reindex-profile.json";
    let (_, out, _) = run(
        &["generate", "--rule", rule, "--count", "5", "--seed", "7"],
        None,
    );
    for line in out.lines() {
        let (code, result, err) = run(
            &["test-pattern", "--event-pattern", pattern, "--event", line],
            None,
        );
        assert_eq!(
            (code, result.as_str()),
            (0, "{\"Result\": true}\n"),
            "{err}"
        );
    }
    let (_, out, _) = run(
        &[
            "generate",
            "--rule",
            rule,
            "--count",
            "5",
            "--seed",
            "7",
            "--near-miss",
        ],
        None,
    );
    for line in out.lines() {
        let (code, result, err) = run(
            &["test-pattern", "--event-pattern", pattern, "--event", line],
            None,
        );
        assert_eq!(
            (code, result.as_str()),
            (0, "{\"Result\": false}\n"),
            "{err}"
        );
    }
}

#[test]
fn explore_generate_events_and_errors() {
    let (code, out, _) = run(
        &[
            "generate",
            "--event",
            "auth.login.attempted",
            "--count",
            "3",
        ],
        None,
    );
    assert_eq!(code, 0);
    for line in out.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["detail-type"], "LoginAttempted");
    }
    let (code, _, err) = run(&["generate", "--event", "user.nothing.happened"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no service publishes"), "{err}");
    let (code, _, err) = run(&["generate", "--rule", "no-such-rule"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no rule named"), "{err}");
    let (code, _, _) = run(&["generate", "--count", "3"], None);
    assert_eq!(code, 2);
}

/// A rule narrower than its `every: true` expectation fails, with a small counterexample
/// (generated: the producer's example, which the check would try first, is taken away).
#[test]
fn explore_partial_coverage_counterexample_is_small() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/partial-coverage");
    let dir = std::env::temp_dir().join(format!("bus-contract-shrink-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    common::copy_dir(&fixture, &dir);
    let producer = std::fs::read_to_string(dir.join("contracts/producer.yaml")).unwrap();
    let without: String = producer
        .lines()
        .filter(|l| !l.trim_start().starts_with("examples:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("contracts/producer.yaml"), without).unwrap();
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default().seed(3));
    let found = report.with_code(Code::PartialCoverage);
    assert_eq!(found.len(), 1);
    let Some(bus_contract::Evidence::Event(e)) = &found[0].evidence else {
        panic!("no event")
    };
    let e: serde_json::Value = serde_json::from_str(e).unwrap();
    // Shrunk: required members only, at their smallest.
    assert_eq!(
        e["detail"],
        serde_json::json!({"orderId": "", "total": 0.0})
    );
}

#[test]
fn explore_match_human_and_json() {
    let (code, out, _) = run(
        &[
            "match",
            "--color",
            "never",
            "contracts/examples/user/profile-updated.json",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "line 1: bellyfed.user ProfileUpdated: 1 rule\n  search-service/search-reindex-profile\n"
    );
    let (_, generated, _) = run(
        &[
            "generate",
            "--event",
            "user.preferences.changed",
            "--count",
            "4",
        ],
        None,
    );
    let (code, out, _) = run(&["match", "--format", "json", "-"], Some(&generated));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 4);
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let rules: Vec<&str> = v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(
            rules.contains(&"search-service/search-reindex-profile"),
            "{line}"
        );
    }
    let (code, out, _) = run(
        &[
            "match",
            "--format",
            "json",
            "--patterns",
            "patterns/auth/*.json",
            "contracts/examples/auth/password-changed.json",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("patterns/auth/notify-security-changes.json"),
        "{out}"
    );
    let (code, _, err) = run(&["match", "-"], Some("{\"a\":1}\nnot json\n"));
    assert_eq!(code, 2);
    assert!(err.contains("-:2:"), "{err}");
}

#[test]
fn explore_explain_names_the_failing_field() {
    let event = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/contracts/examples/user/profile-updated.json"
    ))
    .unwrap()
    .replace("\"ProfileUpdated\"", "\"ProfileChanged\"");
    let (code, out, _) = run(
        &[
            "explain",
            "--color",
            "never",
            "--rule",
            "search-reindex-profile",
            "-",
        ],
        Some(&event),
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("✗ search-service/search-reindex-profile does not match\n"),
        "{out}"
    );
    assert!(out.contains("✗ detail-type\n      wants [\"ProfileUpdated\", \"PreferencesChanged\"]\n      event \"ProfileChanged\"\n"), "{out}");
    assert!(
        out.contains("nearest \"ProfileUpdated\": Profile[-Upd-]{+Ch+}a[-t-]{+ng+}ed"),
        "{out}"
    );
    assert!(out.contains("✓ source"), "{out}");

    // $or branches, and array consistency named when every field is fine on its own.
    let p = Pattern::parse(r#"{"a":{"b":[1],"c":[4]}}"#).unwrap();
    let e = Event::parse(r#"{"a":[{"b":1,"c":2},{"b":3,"c":4}]}"#).unwrap();
    let text = p.explain(&e).to_text("r", false);
    assert!(text.contains("array consistency"), "{text}");
    let p = Pattern::parse(r#"{"$or":[{"a":["x"]},{"b":["y"]}]}"#).unwrap();
    let text = p
        .explain(&Event::parse(r#"{"b":"y"}"#).unwrap())
        .to_text("r", false);
    assert!(
        text.starts_with("✓ r matches\n  $or branch 1 of 2 ✗\n"),
        "{text}"
    );
    assert!(text.contains("$or branch 2 of 2 ✓"), "{text}");
}

#[test]
fn explore_graph() {
    let (code, out, _) = run(&["graph"], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("flowchart LR\n"));
    assert!(out.contains("svc_user_service -- \"user.profile.updated\" --> bus_bellyfed_domain_user___environment_"), "{out}");
    assert!(
        out.contains("rule_search_service_search_reindex_profile --> target_search_indexer"),
        "{out}"
    );
    let (code, out, _) = run(&["graph", "--format", "dot"], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph routing {"));
    assert_eq!(
        Workspace::bellyfed().graph_mermaid(),
        Workspace::load(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .graph_mermaid()
    );
}

/// `match --summary --format json`: stdout is exactly one JSON object of the specified shape,
/// the rule names are the pattern files' paths as given, and `--validate` counts the same.
#[test]
fn explore_match_summary_json() {
    let (_, generated, _) = run(
        &[
            "generate",
            "--event",
            "auth.login.attempted",
            "--count",
            "25",
            "--seed",
            "3",
        ],
        None,
    );
    for extra in [None, Some("--validate")] {
        let mut args = vec![
            "match",
            "--summary",
            "--format",
            "json",
            "--patterns",
            "patterns/auth/*.json",
        ];
        args.extend(extra);
        args.push("-");
        let (code, out, err) = run(&args, Some(&generated));
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().count(), 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["elapsed_seconds", "events", "events_per_second", "rules"]
        );
        assert_eq!(v["events"], 25);
        assert!(v["elapsed_seconds"].as_f64().unwrap() >= 0.0);
        assert!(v["events_per_second"].as_f64().unwrap() >= 0.0);
        let rules = v["rules"].as_object().unwrap();
        assert_eq!(rules.len(), 5);
        // Every login attempt is an auth change the audit rule takes.
        assert_eq!(rules["patterns/auth/audit-auth-changes.json"], 25);
        assert_eq!(rules["patterns/auth/security-session-monitor.json"], 0);
    }
    let (code, out, _) = run(
        &["match", "--summary", "--color", "never", "-"],
        Some(&generated),
    );
    assert_eq!(code, 0);
    let audit = out
        .lines()
        .find(|l| l.starts_with("audit-service/audit-auth-changes "))
        .unwrap();
    assert!(audit.ends_with(" 25"), "{out}");
    assert!(out.trim_end().ends_with("events/s"), "{out}");
}
