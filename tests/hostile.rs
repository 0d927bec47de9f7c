//! A workspace is untrusted input: what a pull request puts in it must not make the tool read
//! or write outside it, hang, or take exponential time.

#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use bus_contract::{CheckConfig, Code, Workspace};
use common::{copy_dir, fixture, tempdir};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A clean workspace beside a directory that stands for the rest of the machine.
fn workspace(name: &str) -> (PathBuf, PathBuf) {
    let base = tempdir(name);
    let ws = base.join("ws");
    copy_dir(&fixture("clean"), &ws);
    let outside = base.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    (ws, outside)
}

#[test]
fn a_snapshot_path_outside_the_workspace_is_refused() {
    let (ws, outside) = workspace("snap-out");
    let target = outside.join("written.yaml");
    for path in ["../outside/written.yaml", target.to_str().unwrap()] {
        std::fs::write(ws.join("bus-contract.yaml"), format!("snapshot: {path}\n")).unwrap();
        let (code, _, err) = run(&["snapshot", ws.to_str().unwrap()]);
        assert_eq!(code, 2, "{path}: {err}");
        assert!(err.contains("outside the workspace"), "{err}");
        assert!(!target.exists(), "{path}: written outside");
        let report = Workspace::load(&ws).unwrap().check(&CheckConfig::default());
        assert!(
            report
                .with_code(Code::InvalidContract)
                .iter()
                .any(|f| f.message.contains("outside the workspace")),
            "{:#?}",
            report.findings()
        );
    }
}

#[test]
fn a_linked_snapshot_is_replaced_not_written_through() {
    let (ws, outside) = workspace("snap-link");
    let target = outside.join("victim.txt");
    std::fs::write(&target, "precious\n").unwrap();
    symlink(&target, ws.join("routing.snap.yaml")).unwrap();
    let (code, _, err) = run(&["snapshot", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    let written = ws.join("routing.snap.yaml");
    assert!(!written.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(
        std::fs::read_to_string(written)
            .unwrap()
            .starts_with("# Routing snapshot")
    );
}

#[test]
fn a_link_out_is_refused_without_its_content() {
    let (ws, outside) = workspace("link-out");
    let secret = outside.join("secret.json");
    std::fs::write(&secret, "{\"password\": \"hunter2-secret-text\"").unwrap();
    std::fs::remove_file(ws.join("contracts/examples/order-placed.json")).unwrap();
    symlink(&secret, ws.join("contracts/examples/order-placed.json")).unwrap();
    symlink(&secret, ws.join("patterns/leak.json")).unwrap();
    let (code, out, err) = run(&["check", ws.to_str().unwrap(), "--color", "never"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("hunter2"), "{out}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        out.contains(
            "example: contracts/examples/order-placed.json leads outside the workspace through a symbolic link; refused"
        ),
        "{out}"
    );
    assert!(
        out.contains("patterns/leak.json leads outside the workspace"),
        "{out}"
    );
}

#[test]
fn devices_and_fifos_are_refused_at_once() {
    let (ws, _) = workspace("fifo");
    let examples = ws.join("contracts/examples");
    symlink("/dev/zero", examples.join("zero.json")).unwrap();
    let fifo = examples.join("fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // A device inside the workspace, as far as its path goes.
    let producer = std::fs::read_to_string(ws.join("contracts/producer.yaml")).unwrap();
    std::fs::write(
        ws.join("contracts/producer.yaml"),
        producer.replace(
            "examples: [examples/order-placed.json]",
            "examples: [examples/order-placed.json, examples/zero.json, examples/fifo.json]",
        ),
    )
    .unwrap();
    let start = Instant::now();
    let report = Workspace::load(&ws).unwrap().check(&CheckConfig::default());
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let messages: Vec<&str> = report
        .with_code(Code::InvalidContract)
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("zero.json leads outside the workspace")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("fifo.json is not a regular file")),
        "{messages:#?}"
    );
}

#[test]
fn globs_stay_inside_the_workspace() {
    let (ws, outside) = workspace("globs");
    std::fs::write(
        outside.join("stray.json"),
        "{\"x\": [{\"wildcard\": \"a**\"}]}",
    )
    .unwrap();
    for glob in [
        "/**/*.json",
        "../outside/*.json",
        "patterns/../../outside/*.json",
    ] {
        std::fs::write(
            ws.join("bus-contract.yaml"),
            format!("patterns: [\"{glob}\"]\n"),
        )
        .unwrap();
        let start = Instant::now();
        let report = Workspace::load(&ws).unwrap().check(&CheckConfig::default());
        assert!(start.elapsed() < Duration::from_secs(2));
        assert!(
            report
                .with_code(Code::InvalidContract)
                .iter()
                .any(|f| f.message.contains(glob) && f.message.contains("workspace")),
            "{glob}: {:#?}",
            report.findings()
        );
        assert!(report.with_code(Code::InvalidPattern).is_empty());
    }
    // A linked directory is not walked, and a loop of links ends.
    symlink(&outside, ws.join("patterns/elsewhere")).unwrap();
    symlink(ws.join("patterns"), ws.join("patterns/loop")).unwrap();
    std::fs::write(
        ws.join("bus-contract.yaml"),
        "patterns: [\"patterns/**/*.json\"]\n",
    )
    .unwrap();
    let report = Workspace::load(&ws).unwrap().check(&CheckConfig::default());
    assert!(
        report.with_code(Code::InvalidPattern).is_empty(),
        "{:#?}",
        report.findings()
    );
}

#[test]
fn an_assembly_that_names_itself_is_read_once() {
    let dir = tempdir("cdk-loop");
    let cdk = dir.join("cdk.out");
    std::fs::create_dir_all(&cdk).unwrap();
    // The assembly nests itself as a stage, and its template nests itself twice.
    std::fs::write(
        cdk.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {
            "Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},
            "Again": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "./."}},
            "Stack": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "t.json"}}
        }}"#,
    )
    .unwrap();
    std::fs::write(
        cdk.join("t.json"),
        r#"{"Resources": {
            "A": {"Type": "AWS::CloudFormation::Stack", "Metadata": {"aws:asset:path": "t.json"}},
            "B": {"Type": "AWS::CloudFormation::Stack", "Metadata": {"aws:asset:path": "./t.json"}},
            "R": {"Type": "AWS::Events::Rule", "Properties": {"Name": "r", "EventPattern": {"source": ["x"]}}}
        }}"#,
    )
    .unwrap();
    let start = Instant::now();
    let imported = bus_contract::import::import(&cdk, "cdk.out", &Default::default());
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(imported.rules.len(), 1, "{:#?}", imported.rules);

    // A file of the assembly that leads out of it is refused.
    let outside = dir.join("secret.json");
    std::fs::write(&outside, "{\"Resources\": {}}").unwrap();
    std::fs::remove_file(cdk.join("t.json")).unwrap();
    symlink(&outside, cdk.join("t.json")).unwrap();
    let imported = bus_contract::import::import(&cdk, "cdk.out", &Default::default());
    assert!(
        imported
            .problems
            .iter()
            .any(|p| p.message.contains("leads outside the assembly")),
        "{:#?}",
        imported.problems
    );
}

#[test]
fn a_chain_of_parameter_defaults_is_not_exponential() {
    let dir = tempdir("sub-chain");
    let mut t = String::from("Parameters:\n  P0: { Type: String, Default: x }\n");
    for i in 1..=40 {
        t.push_str(&format!(
            "  P{i}: {{ Type: String, Default: !Sub '${{P{}}}${{P{}}}' }}\n",
            i - 1,
            i - 1
        ));
    }
    t.push_str("Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern:\n        source: [!Sub '${P40}']\n");
    let path = dir.join("template.yaml");
    std::fs::write(&path, t).unwrap();
    let start = Instant::now();
    let imported = bus_contract::import::import(&path, "template.yaml", &Default::default());
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    // CloudFormation takes defaults literally: the rule is unresolved, not a huge string.
    assert_eq!(imported.rules.len(), 1);
    assert!(imported.rules[0].unmatchable, "{:#?}", imported.rules[0]);
}

#[test]
fn a_yaml_alias_of_a_long_string_is_refused() {
    let dir = tempdir("alias-bytes");
    let long = "x".repeat(512 * 1024);
    let mut t = format!("Anchor: &a \"{long}\"\nCopies:\n");
    for _ in 0..20_000 {
        t.push_str("  - *a\n");
    }
    t.push_str("Resources: {}\n");
    let path = dir.join("template.yaml");
    std::fs::write(&path, t).unwrap();
    let start = Instant::now();
    let imported = bus_contract::import::import(&path, "template.yaml", &Default::default());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(
        imported
            .problems
            .iter()
            .any(|p| p.message.contains("through its aliases")),
        "{:#?}",
        imported.problems
    );
}

#[test]
fn a_bus_without_environment_is_no_duplicate_of_itself() {
    let dir = tempdir("default-bus");
    copy_dir(&fixture("clean"), &dir);
    for f in ["contracts/producer.yaml", "contracts/consumer.yaml"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        std::fs::write(
            dir.join(f),
            text.replace("shop-orders-${environment}", "default"),
        )
        .unwrap();
    }
    let report = Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default());
    assert!(
        report.with_code(Code::DuplicateEvent).is_empty(),
        "{:#?}",
        report.findings()
    );
    assert!(report.is_ok(), "{:#?}", report.findings());
}

#[test]
fn match_streams_when_the_first_line_is_not_an_event() {
    let dir = tempdir("stream");
    let event = r#"{"id":"1","account":"1","source":"bellyfed.user","time":"2026-01-01T00:00:00Z","region":"r","detail-type":"ProfileUpdated","detail":{}}"#;
    let mut text = String::from("not json\n");
    for _ in 0..1000 {
        text.push_str(event);
        text.push('\n');
    }
    let path = dir.join("events.jsonl");
    std::fs::write(&path, text).unwrap();
    let out = Command::cargo_bin("bus-contract")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "match",
            path.to_str().unwrap(),
            "--summary",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":1: "), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["events"], 1001, "{summary}");
}

/// Numbers keep their text wherever a pattern travels: an inline YAML pattern, import output,
/// and the contract it loads back as.
#[test]
fn numbers_keep_their_text() {
    let dir = tempdir("numbers");
    std::fs::write(
        dir.join("template.yaml"),
        "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      Name: big-numbers\n      EventPattern:\n        source: [shop]\n        detail:\n          n: [1e400, 123456789012345678901234567890]\n",
    )
    .unwrap();
    let imported = bus_contract::import::import(
        &dir.join("template.yaml"),
        "template.yaml",
        &Default::default(),
    );
    let yaml = bus_contract::import::to_contract_yaml("shop", &imported);
    assert!(
        yaml.contains(
            r#"pattern: {"source":["shop"],"detail":{"n":[1e400,123456789012345678901234567890]}}"#
        ),
        "{yaml}"
    );
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::write(dir.join("contracts/shop.yaml"), yaml).unwrap();
    let ws = Workspace::load(&dir).unwrap();
    let rule = ws.rule("big-numbers").unwrap();
    assert!(
        rule.pattern
            .unwrap()
            .source()
            .contains("[1e400,123456789012345678901234567890]"),
        "{:?}",
        rule.pattern.map(bus_contract::Pattern::source)
    );
}
