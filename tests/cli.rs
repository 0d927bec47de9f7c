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

mod newcomer {
    //! The rough edges a newcomer hits (issue 14): one way to name the workspace, exit codes in
    //! every --help, PutEvents entries, buses, documents one after another, --exit-code.

    use super::common::{bin, run};

    const ENTRY: &str = r#"{"Source": "bellyfed.user", "DetailType": "AccountCreated", "Detail": "{\"userId\": \"user-8a1b2c3d\", \"email\": \"ada@example.com\", \"plan\": \"free\", \"timestamp\": \"2026-11-27T08:00:00.000Z\"}", "EventBusName": "bellyfed-domain-user-prod"}"#;

    fn match_stdin(args: &[&str], input: &str) -> (i32, String, String) {
        let out = bin()
            .arg("match")
            .args(args)
            .write_stdin(input)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn every_help_states_the_exit_codes() {
        for sub in [
            "check",
            "snapshot",
            "generate",
            "match",
            "explain",
            "graph",
            "test-pattern",
            "validate",
            "import",
            "completions",
            "man",
        ] {
            let (code, out, _) = run(&[sub, "--help"]);
            assert_eq!(code, 0, "{sub}");
            assert!(out.contains("Exit codes:"), "{sub} --help:\n{out}");
        }
    }

    #[test]
    fn the_workspace_is_named_the_same_way_everywhere() {
        for args in [
            &["check", "-w", "."][..],
            &["check", "--workspace", "."],
            &["check", "."],
            &["graph", "-w", "."],
            &["graph", "--dir", "."],
            &[
                "generate",
                "-w",
                ".",
                "--event",
                "user.account.created",
                "--count",
                "1",
            ],
        ] {
            let (code, _, err) = run(args);
            assert_eq!(code, 0, "{args:?}: {err}");
        }
        let (code, _, _) = match_stdin(&["-w", ".", "--summary"], "{}\n");
        assert_eq!(code, 0);
        // match offers only what it implements.
        let (code, _, err) = match_stdin(&["--format", "junit"], "{}\n");
        assert_eq!(code, 2);
        assert!(err.contains("possible values: human, json"), "{err}");
    }

    #[test]
    fn match_takes_put_events_entries_on_their_bus() {
        let (code, out, err) = match_stdin(&["--format", "json"], &format!("{ENTRY}\n"));
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out.trim(),
            r#"{"bus":"bellyfed-domain-user-prod","line":1,"rules":["billing-service/billing-account-lifecycle"]}"#
        );
        // On another bus the same entry reaches no rule; without EventBusName it goes to the
        // default bus, as in EventBridge.
        let other = ENTRY.replace("bellyfed-domain-user-prod", "bellyfed-domain-auth-prod");
        let none = ENTRY.replace(r#", "EventBusName": "bellyfed-domain-user-prod""#, "");
        let (_, out, _) = match_stdin(&["--format", "json"], &format!("{other}\n{none}\n"));
        assert_eq!(
            out,
            "{\"bus\":\"bellyfed-domain-auth-prod\",\"line\":1,\"rules\":[]}\n{\"bus\":\"default\",\"line\":2,\"rules\":[]}\n"
        );
        // An entry EventBridge would refuse is reported, and the stream goes on.
        let bad = ENTRY.replace(r#""Detail": "{"#, r#""Detail": "nope{"#);
        let (code, out, err) = match_stdin(&["--format", "json"], &format!("{bad}\n{ENTRY}\n"));
        assert_eq!(code, 2);
        assert!(
            err.contains("-:1: PutEvents entry: Detail is not a JSON object"),
            "{err}"
        );
        assert!(out.contains(r#""line":2"#), "{out}");
    }

    /// `validate --dialect`: each file as one filter of that service, with the service's
    /// error and the reason; the same file may be valid for one dialect and not another.
    #[test]
    fn validate_dialects() {
        let dir = super::common::tempdir("validate-dialects");
        let wild = dir.join("wild.json");
        let but = dir.join("anything-but-prefix.json");
        std::fs::write(&wild, r#"{"body": {"kind": [{"wildcard": "r*"}]}}"#).unwrap();
        std::fs::write(
            &but,
            r#"{"store": [{"anything-but": {"prefix": "test-"}}]}"#,
        )
        .unwrap();
        let run = |dialect: &str| {
            super::common::run(&[
                "validate",
                "--dialect",
                dialect,
                wild.to_str().unwrap(),
                but.to_str().unwrap(),
            ])
        };
        let (code, out, _) = run("lambda-sqs");
        assert_eq!(code, 1);
        assert!(
            out.contains("wild.json: invalid: InvalidParameterValueException: Invalid filter pattern definition. (lambda-sqs filters do not offer wildcard (at /body/kind))"),
            "{out}"
        );
        assert!(out.contains("anything-but-prefix.json: invalid:"), "{out}");
        assert!(out.contains("0 of 2 patterns valid"), "{out}");
        let (code, out, _) = run("sns-attributes");
        assert_eq!(code, 1);
        assert!(out.contains("anything-but-prefix.json: valid"), "{out}");
        // The reason is said once.
        assert_eq!(out.matches("do not offer wildcard").count(), 1, "{out}");
        let (code, out, _) = run("eventbridge");
        assert_eq!(
            (code, out.contains("2 of 2 patterns valid")),
            (0, true),
            "{out}"
        );
    }

    /// `test-pattern --dialect` (issue 16): Lambda and Pipes filters, any of them, on source
    /// records, with the service's error for a filter it refuses.
    #[test]
    fn test_pattern_dialects_follow_the_contract() {
        let sqs = r#"{"messageId": "m1", "eventSource": "aws:sqs", "body": "{\"kind\": \"refund\", \"amount\": 12}"}"#;
        let run = |args: &[&str]| super::common::run(&[&["test-pattern"][..], args].concat());
        let (code, out, err) = run(&[
            "--dialect",
            "lambda-sqs",
            "--event-pattern",
            r#"{"body": {"amount": [{"numeric": [">", 10]}]}}"#,
            "--event",
            sqs,
        ]);
        assert_eq!((code, out.as_str()), (0, "{\"Result\": true}\n"), "{err}");
        let (code, out, _) = run(&[
            "--dialect",
            "pipes",
            "--event-pattern",
            r#"{"body": {"kind": ["sale"]}}"#,
            "--event-pattern",
            r#"{"body": {"kind": ["refund"]}}"#,
            "--event",
            sqs,
        ]);
        assert_eq!((code, out.as_str()), (0, "{\"Result\": true}\n"));
        let (code, out, _) = run(&[
            "--dialect",
            "lambda-sqs",
            "--event-pattern",
            r#"{"body": ["refund"]}"#,
            "--event",
            sqs,
            "--exit-code",
        ]);
        assert_eq!((code, out.as_str()), (1, "{\"Result\": false}\n"));
        let (code, out, err) = run(&[
            "--dialect",
            "lambda-kinesis",
            "--event-pattern",
            r#"{"data": [{"wildcard": "*"}]}"#,
            "--event",
            "{}",
        ]);
        assert_eq!(code, 2);
        assert!(out.is_empty());
        assert_eq!(
            err.lines().next(),
            Some("InvalidParameterValueException: Invalid filter pattern definition.")
        );
        // SNS: a Publish request's message; the error as Subscribe reports it.
        let message = r#"{"Message": "hi", "MessageAttributes": {"store": {"DataType": "String", "StringValue": "example_corp"}, "price_usd": {"DataType": "Number", "StringValue": "210.75"}}}"#;
        let policy = r#"{"store": ["example_corp"], "price_usd": [{"numeric": [">=", 100]}]}"#;
        for (dialect, want) in [("sns-attributes", "true"), ("sns-body", "false")] {
            let (code, out, _) = run(&[
                "--dialect",
                dialect,
                "--event-pattern",
                policy,
                "--event",
                message,
            ]);
            assert_eq!(
                (code, out),
                (0, format!("{{\"Result\": {want}}}\n")),
                "{dialect}"
            );
        }
        let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
        let (code, _, err) = run(&[
            "--dialect",
            "sns-attributes",
            "--event-pattern",
            six,
            "--event",
            message,
        ]);
        assert_eq!(code, 2);
        assert!(
            err.starts_with(
                "InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: "
            ),
            "{err}"
        );
        let (code, _, err) = run(&[
            "--event-pattern",
            "{}",
            "--event-pattern",
            "{}",
            "--event",
            "{}",
        ]);
        assert_eq!(code, 2);
        assert!(err.contains("one event pattern"), "{err}");
    }

    /// `match --dialect`: pattern files as filters of one service, over records.
    #[test]
    fn match_dialect_runs_filters_over_records() {
        let dir = std::env::temp_dir().join(format!("bus-contract-filters-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("refunds.json"),
            r#"{"body": {"kind": ["refund"]}}"#,
        )
        .unwrap();
        std::fs::write(dir.join("pings.json"), r#"{"body": ["ping"]}"#).unwrap();
        let glob = format!("{}/*.json", dir.display());
        let records = "{\"body\": \"{\\\"kind\\\": \\\"refund\\\"}\"}\n{\"body\": \"ping\"}\n";
        let (code, out, err) = match_stdin(
            &[
                "--dialect",
                "lambda-sqs",
                "--patterns",
                &glob,
                "--format",
                "json",
            ],
            records,
        );
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].contains("refunds.json") && !lines[0].contains("pings.json"),
            "{out}"
        );
        assert!(
            lines[1].contains("pings.json") && !lines[1].contains("refunds.json"),
            "{out}"
        );
        // A filter the service would refuse stops the run before any record is read.
        std::fs::write(dir.join("wild.json"), r#"{"body": [{"wildcard": "p*"}]}"#).unwrap();
        let (code, _, err) =
            match_stdin(&["--dialect", "lambda-sqs", "--patterns", &glob], records);
        assert_eq!(code, 2);
        assert!(err.contains("Invalid filter pattern definition."), "{err}");
        let (code, _, err) = match_stdin(&["--dialect", "pipes"], records);
        assert_eq!(code, 2);
        assert!(err.contains("needs --patterns"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Many chunks of events on one thread and on three: the same lines, hits, errors and
    /// buses, in the same order (issue 15).
    #[test]
    fn match_jobs_keep_the_output_in_input_order() {
        let event = r#"{"source": "bellyfed.user", "detail-type": "AccountCreated", "detail": {"plan": "free"}}"#;
        let mut input = String::new();
        for i in 0..6000 {
            match i % 50 {
                7 => input.push_str("not an event\n"),
                9 => input.push('\n'),
                13 => input.push_str(&format!("{ENTRY}\n")),
                _ => input.push_str(&format!("{}, \"n\": {i}}}\n", &event[..event.len() - 1])),
            }
        }
        let (code, one, err_one) = match_stdin(&["--format", "json", "--jobs", "1"], &input);
        assert_eq!(code, 2, "the bad lines are reported");
        assert!(one.len() > 300_000, "{}", one.len());
        for jobs in ["2", "3"] {
            let (code, many, err_many) = match_stdin(&["--format", "json", "-j", jobs], &input);
            assert_eq!(code, 2);
            assert!(many == one, "--jobs {jobs} differs from --jobs 1");
            assert_eq!(err_many, err_one);
        }
        let (code, _, err) = match_stdin(&["--jobs", "0"], &input);
        assert_eq!(code, 2);
        assert!(err.contains("--jobs"), "{err}");
    }

    #[test]
    fn match_bus_keeps_the_rules_of_one_bus() {
        let event = r#"{"source": "bellyfed.user", "detail-type": "AccountCreated", "detail": {}}"#;
        let (_, out, _) = match_stdin(
            &["--format", "json", "--bus", "bellyfed-domain-user-dev"],
            event,
        );
        assert!(
            out.contains("billing-service/billing-account-lifecycle"),
            "{out}"
        );
        let arn = "arn:aws:events:eu-west-1:123456789012:event-bus/bellyfed-domain-auth-dev";
        let (_, out, _) = match_stdin(&["--format", "json", "--bus", arn], event);
        assert!(out.contains(r#""rules":[]"#), "{out}");
        let (code, _, err) =
            match_stdin(&["--bus", "x", "--patterns", "patterns/user/*.json"], event);
        assert_eq!(code, 2);
        assert!(err.contains("--bus needs the workspace's rules"), "{err}");
    }

    #[test]
    fn match_reads_pretty_documents_one_after_another() {
        let one = "{\n  \"source\": \"bellyfed.user\",\n  \"detail-type\": \"AccountCreated\",\n  \"detail\": {\n    \"plan\": \"free\"\n  }\n}\n";
        let (code, out, err) = match_stdin(&["--format", "json"], &format!("{one}{one}\n{one}"));
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[1].starts_with(r#"{"line":8,"#), "{out}");
        assert!(lines[2].starts_with(r#"{"line":16,"#), "{out}");
    }

    #[test]
    fn explain_and_test_pattern_have_an_exit_code_for_scripts() {
        let pattern = r#"{"detail": {"plan": ["pro"]}}"#;
        let file = super::common::tempdir("explain-exit").join("entry.json");
        std::fs::write(&file, ENTRY).unwrap();
        let f = file.to_str().unwrap();
        let (code, out, _) = run(&["explain", "--pattern", pattern, f]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("plan"), "{out}");
        let (code, _, _) = run(&["explain", "--pattern", pattern, "--exit-code", f]);
        assert_eq!(code, 1);
        let (code, _, _) = run(&[
            "explain",
            "--rule",
            "billing-account-lifecycle",
            "--exit-code",
            f,
        ]);
        assert_eq!(code, 0);
        let (code, _, err) = run(&["explain", f]);
        assert_eq!(code, 2);
        assert!(err.contains("--rule") && err.contains("--pattern"), "{err}");
        // test-pattern takes the entry as EventBridge delivers it.
        let (code, out, _) = run(&["test-pattern", "--event-pattern", pattern, "--event", ENTRY]);
        assert_eq!((code, out.trim()), (0, r#"{"Result": false}"#));
        let (code, _, _) = run(&[
            "test-pattern",
            "--event-pattern",
            pattern,
            "--event",
            ENTRY,
            "--exit-code",
        ]);
        assert_eq!(code, 1);
        let free = r#"{"detail": {"plan": ["free"]}, "account": ["123456789012"]}"#;
        let (code, out, _) = run(&[
            "test-pattern",
            "--event-pattern",
            free,
            "--event",
            ENTRY,
            "--exit-code",
        ]);
        assert_eq!((code, out.trim()), (0, r#"{"Result": true}"#));
    }

    #[test]
    fn generate_says_when_it_falls_back_and_refuses_flags_that_do_not_apply() {
        let (code, _, err) = run(&["generate", "--event", "user.account.created", "--near-miss"]);
        assert_eq!(code, 2);
        assert!(err.contains("cannot be used with"), "{err}");
        let dir = super::common::tempdir("generate-fallback");
        std::fs::create_dir_all(dir.join("contracts")).unwrap();
        std::fs::write(
            dir.join("contracts/c.yaml"),
            "service: c\nsubscribes:\n  - rule: r\n    bus: b\n    pattern: { source: [x] }\n    expects: [x.y.z]\n    target: t\n",
        )
        .unwrap();
        let (code, out, err) = run(&[
            "generate",
            "-w",
            dir.to_str().unwrap(),
            "--rule",
            "r",
            "--count",
            "1",
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().count(), 1);
        assert!(err.contains("built from the pattern alone"), "{err}");
        // With a producer's schema to work from, there is no note.
        let (code, _, err) = run(&[
            "generate",
            "--rule",
            "billing-account-lifecycle",
            "--count",
            "1",
        ]);
        assert_eq!(code, 0);
        assert!(!err.contains("pattern alone"), "{err}");
    }

    #[test]
    fn completions_and_the_man_page() {
        let (code, out, _) = run(&["completions", "bash"]);
        assert_eq!(code, 0);
        assert!(
            out.contains("_bus__contract()") && out.contains("--registry"),
            "{}",
            &out[..200.min(out.len())]
        );
        for shell in ["zsh", "fish", "elvish", "powershell"] {
            let (code, out, _) = run(&["completions", shell]);
            assert_eq!(code, 0);
            assert!(out.contains("bus-contract"), "{shell}");
        }
        let (code, out, _) = run(&["man"]);
        assert_eq!(code, 0);
        assert!(
            out.starts_with(".ie") || out.starts_with(".TH"),
            "{}",
            &out[..100]
        );
        assert!(out.contains("bus\\-contract"), "roff escapes dashes");
    }
}
