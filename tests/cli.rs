//! The `bus-contract` binary, run as a user runs it.

mod common;

use std::path::PathBuf;

use common::{copy_dir, run};

const ENVELOPE: &str = r#"{"id":"1","account":"123456789012","source":"bellyfed.user","time":"2026-11-27T10:00:00Z","region":"eu-west-1","detail-type":"ProfileUpdated","detail":{"plan":"pro"}}"#;

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bus-contract-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

#[test]
fn cli_test_pattern_prints_result() {
    let (code, out, err) = run(&[
        "test-pattern",
        "--event-pattern",
        r#"{"source":["bellyfed.user"]}"#,
        "--event",
        ENVELOPE,
    ]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "{\"Result\": true}\n", "")
    );
    let (code, out, _) = run(&[
        "test-pattern",
        "--event-pattern",
        r#"{"source":["bellyfed.auth"]}"#,
        "--event",
        ENVELOPE,
    ]);
    assert_eq!((code, out.as_str()), (0, "{\"Result\": false}\n"));
}

#[test]
fn cli_test_pattern_reads_files() {
    let (code, out, _) = run(&[
        "test-pattern",
        "--event-pattern",
        "file://patterns/user/search-reindex-profile.json",
        "--event",
        "file://contracts/examples/user/profile-updated.json",
    ]);
    assert_eq!((code, out.as_str()), (0, "{\"Result\": true}\n"));
    let (code, _, err) = run(&[
        "test-pattern",
        "--event-pattern",
        "file://no/such/file.json",
        "--event",
        ENVELOPE,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: cannot read the pattern file no/such/file.json"),
        "{err}"
    );
}

#[test]
fn cli_test_pattern_invalid_pattern() {
    let (code, out, err) = run(&[
        "test-pattern",
        "--event-pattern",
        r#"{"detail":{"n":[{"numeric":[">",0,">",0]}]}}"#,
        "--event",
        ENVELOPE,
    ]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "InvalidEventPatternException: Event pattern is not valid. Reason: Bad numeric range operator: >\n"
    );
    let (code, _, err) = run(&[
        "test-pattern",
        "--event-pattern",
        "{'bad': 'quotation'}",
        "--event",
        ENVELOPE,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "InvalidEventPatternException: Event pattern is not valid. Reason: Unexpected character (''' (code 39)): was expecting double-quote to start field name\n"
    );
}

#[test]
fn cli_test_pattern_requires_the_envelope() {
    let (code, out, err) = run(&[
        "test-pattern",
        "--event-pattern",
        r#"{"source":["x"]}"#,
        "--event",
        r#"{"source":"x","id":"1"}"#,
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some("ValidationException: Parameter Event is not valid.")
    );
    let hint = lines.next().unwrap_or_default();
    assert!(
        hint.contains("account, time, region, detail-type"),
        "{hint}"
    );
    assert!(hint.contains("--lenient"), "{hint}");
    let (code, out, _) = run(&[
        "test-pattern",
        "--lenient",
        "--event-pattern",
        r#"{"source":["x"]}"#,
        "--event",
        r#"{"source":"x"}"#,
    ]);
    assert_eq!((code, out.as_str()), (0, "{\"Result\": true}\n"));
    for bad in ["\"plain string\"", "[\"x\"]", "{not json", ""] {
        let (code, _, err) = run(&[
            "test-pattern",
            "--lenient",
            "--event-pattern",
            r#"{"a":["x"]}"#,
            "--event",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}");
        assert!(
            err.starts_with("ValidationException: Parameter Event is not valid.\nhint: "),
            "{bad}: {err}"
        );
    }
}

#[test]
fn cli_invalid_utf8() {
    let event = temp_file("bad-event.json", b"{\"source\": \"\xff\"}");
    let pattern = temp_file("bad-pattern.json", b"{\"source\": [\"\xc3\"]}");
    let (code, _, err) = run(&[
        "test-pattern",
        "--event-pattern",
        r#"{"a":["x"]}"#,
        "--event",
        &format!("file://{}", event.display()),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not valid UTF-8 (first bad byte at offset 12)"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "test-pattern",
        "--event-pattern",
        &format!("file://{}", pattern.display()),
        "--event",
        ENVELOPE,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("the pattern is not valid UTF-8"), "{err}");
}

#[test]
fn cli_validate_reports_each_file() {
    let good = "patterns/user/search-reindex-profile.json";
    let bad = temp_file("empty-list.json", b"{\n  \"source\": []\n}\n");
    let bad = bad.to_str().expect("utf-8 path");
    let (code, out, _) = run(&["validate", good]);
    assert_eq!(
        (code, out.as_str()),
        (0, format!("{good}: valid\n1 of 1 pattern valid\n").as_str())
    );
    let (code, out, _) = run(&["validate", good, bad]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "{good}: valid\n{bad}:2:15: invalid: InvalidEventPatternException: Event pattern is not valid. Reason: Empty arrays are not allowed\n1 of 2 patterns valid\n"
        )
    );
    let (code, _, err) = run(&["validate", good, "no/such.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read no/such.json"), "{err}");
}

#[test]
fn cli_help_explains() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("test-pattern") && out.contains("validate") && out.contains("Exit codes"),
        "{out}"
    );
    let (code, out, _) = run(&["test-pattern", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("file://PATH") && out.contains("--lenient"),
        "{out}"
    );
    let (code, _, err) = run(&["test-pattern"]);
    assert_eq!(code, 2);
    assert!(err.contains("--event-pattern"), "{err}");
}

#[test]
fn cli_check_the_bellyfed_registry() {
    let (code, out, err) = run(&["check", "--color", "never"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("✓ user-service"), "{out}");
    assert!(
        out.ends_with("✓ check passed: no errors, 0 warnings\n"),
        "{out}"
    );
    let (code, out, _) = run(&["check", "--format", "json", "--env", "prod"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(json["summary"]["ok"], true);
    let (code, _, err) = run(&["check", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir"), "{err}");
}

#[test]
fn cli_snapshot_is_deterministic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("bus-contract-snap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for d in ["contracts", "patterns"] {
        copy_dir(&root.join(d), &dir.join(d));
    }
    std::fs::copy(
        root.join("bus-contract.yaml"),
        dir.join("bus-contract.yaml"),
    )
    .unwrap();
    let dir_arg = dir.to_str().unwrap();
    for _ in 0..2 {
        let (code, out, _) = run(&["snapshot", dir_arg]);
        assert_eq!(code, 0);
        assert!(out.starts_with("wrote "), "{out}");
        let written = std::fs::read_to_string(dir.join("routing.snap.yaml")).unwrap();
        assert_eq!(
            written,
            std::fs::read_to_string(root.join("routing.snap.yaml")).unwrap()
        );
    }
}
