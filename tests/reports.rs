//! The report formats CI reads: SARIF valid against the SARIF 2.1.0 schema and JUnit valid
//! against the JUnit XSD Jenkins reads (both from `../shared/schemas`), GitHub workflow
//! commands, JSON with structured fields, and `--output`.

mod common;

use std::path::{Path, PathBuf};

use common::{broken_service_repo, fixture, have_xmllint, run, shared_file, tempdir};

/// Workspaces whose reports hold every kind of location: a line and column, a JSON pointer,
/// a whole file, an imported rule's logical id, and a registry file of a service repo's check.
fn workspaces() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "fuzz"))
        .collect();
    out.sort();
    out.push(broken_service_repo("reports-broken"));
    out.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    out
}

/// `check` of a workspace in a format: exit code and stdout; `None` for a workspace that is a
/// usage error (exit 2), which has no report.
fn report(dir: &Path, format: &str) -> Option<(i32, String)> {
    let (code, out, err) = run(&["check", "-w", dir.to_str().unwrap(), "--format", format]);
    assert!(!err.contains("panicked"), "{}: {err}", dir.display());
    (code != 2).then_some((code, out))
}

#[test]
fn sarif_is_valid_and_has_a_result_per_finding() {
    let Some(schema) = shared_file("schemas/sarif-2.1.0.json") else {
        return;
    };
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    // The published schema's pattern for `language` has a bare `]`, which ECMAScript reads
    // as a literal and Rust's regex engines refuse; escaped, it means the same. The reports
    // never write `language`.
    fn escape_bracket(v: &mut serde_json::Value) -> usize {
        match v {
            serde_json::Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$".into();
                1
            }
            serde_json::Value::Array(items) => items.iter_mut().map(escape_bracket).sum(),
            serde_json::Value::Object(m) => m.values_mut().map(escape_bracket).sum(),
            _ => 0,
        }
    }
    assert!(escape_bracket(&mut schema) > 0);
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let mut kinds = std::collections::BTreeSet::new();
    for dir in workspaces() {
        let Some((_, sarif)) = report(&dir, "sarif") else {
            continue;
        };
        let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
        let (_, json) = report(&dir, "json").unwrap();
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let findings = json["findings"].as_array().unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), findings.len(), "{}", dir.display());
        for (r, f) in results.iter().zip(findings) {
            assert_eq!(r["ruleId"], f["code"]);
            assert_eq!(r["level"], f["severity"]);
            assert_eq!(r["message"]["text"], f["message"]);
            let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
            assert_eq!(
                rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
                f["code"]
            );
            let location = &r["locations"][0];
            let physical = &location["physicalLocation"];
            if !f["line"].is_null() && physical.is_object() {
                assert_eq!(physical["region"]["startLine"], f["line"]);
                assert_eq!(physical["region"]["startColumn"], f["column"]);
                kinds.insert("line");
            }
            if physical.is_object() {
                let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
                assert!(
                    !uri.starts_with('/'),
                    "relative to the checked directory: {uri}"
                );
            } else {
                kinds.insert("registry file");
            }
            if f["location"].as_str().unwrap().starts_with('/') {
                let logical = location["logicalLocations"].as_array().unwrap();
                assert!(
                    logical
                        .iter()
                        .any(|l| l["fullyQualifiedName"] == f["location"])
                );
                kinds.insert("pointer");
            }
            if !f["origin"].is_null() {
                kinds.insert("origin");
            }
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["line", "origin", "pointer", "registry file"],
        "every kind of location was validated"
    );
}

#[test]
fn junit_is_valid_against_the_jenkins_schema() {
    let Some(xsd) = shared_file("schemas/junit-10.xsd") else {
        return;
    };
    if !have_xmllint() {
        return;
    }
    let out_dir = tempdir("junit");
    let mut failing = 0;
    for (i, dir) in workspaces().iter().enumerate() {
        let Some((code, xml)) = report(dir, "junit") else {
            continue;
        };
        let file = out_dir.join(format!("{i}.xml"));
        std::fs::write(&file, &xml).unwrap();
        let lint = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "{}: {}\n{xml}",
            dir.display(),
            String::from_utf8_lossy(&lint.stderr)
        );
        if code == 1 {
            failing += 1;
            assert!(xml.contains("<failure"), "{}", dir.display());
        }
    }
    assert!(failing > 10, "failing workspaces were validated too");
}

#[test]
fn junit_has_a_case_per_check_and_subject_with_every_failure() {
    let dir = broken_service_repo("junit-cases");
    let (code, xml) = report(&dir, "junit").unwrap();
    assert_eq!(code, 1);
    // The service's suite names its contract; the failing case names the check and the rule,
    // and its body has the place.
    assert!(
        xml.contains(r#"<testsuite name="onboarding-service""#)
            && xml.contains(r#"file="contracts/onboarding-service.yaml""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase name="no-producer: onboarding-send-welcome ← user.account.registered" classname="onboarding-service">"#),
        "{xml}"
    );
    assert!(
        xml.contains("contracts/onboarding-service.yaml:18:15: error: rule onboarding-send-welcome expects user.account.registered"),
        "{xml}"
    );
    // Checks that found nothing are passing cases.
    assert!(xml.contains(r#"<testcase name="unsatisfiable" classname="onboarding-service"/>"#));
}

#[test]
fn github_annotations_point_at_the_file_and_line() {
    let dir = broken_service_repo("github");
    let (code, out) = report(&dir, "github").unwrap();
    assert_eq!(code, 1);
    let line = out
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an error annotation");
    assert!(
        line.starts_with("::error file=contracts/onboarding-service.yaml,line=18,col=15,title=no-producer (onboarding-service)::rule onboarding-send-welcome expects user.account.registered"),
        "{line}"
    );
    // A registry file is named in the message, not as a file of the repository.
    assert!(
        out.lines()
            .filter(|l| l.contains("bellyfed:"))
            .all(|l| !l.contains("file=bellyfed")),
        "{out}"
    );
    assert!(
        out.trim_end()
            .ends_with("✗ check failed: 2 errors, 2 warnings"),
        "{out}"
    );
}

#[test]
fn json_findings_carry_service_rule_and_event() {
    let dir = broken_service_repo("json-fields");
    let (_, json) = report(&dir, "json").unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "no-producer")
        .unwrap();
    assert_eq!(f["service"], "onboarding-service");
    assert_eq!(f["rule"], "onboarding-send-welcome");
    assert_eq!(f["event"], "user.account.registered");
    assert_eq!(f["file"], "contracts/onboarding-service.yaml");
}

#[test]
fn output_writes_reports_while_the_terminal_gets_the_human_one() {
    let dir = broken_service_repo("outputs");
    let out_dir = tempdir("outputs-files");
    let junit = out_dir.join("report.xml");
    let sarif = out_dir.join("report.sarif");
    let (code, out, _) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--output",
        &format!("junit={}", junit.display()),
        "--output",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("error[no-producer]"), "{out}");
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .starts_with("<?xml")
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // A bad --output is a usage error, before anything is checked.
    let (code, _, err) = run(&["check", "--output", "xml=report.xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format `xml`"), "{err}");
    let (code, _, err) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--output",
        "json=/nonexistent-dir/report.json",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot write the report /nonexistent-dir/report.json"),
        "{err}"
    );
}

#[test]
fn quiet_prints_only_findings_and_the_verdict() {
    let dir = broken_service_repo("quiet");
    let (code, out, _) = run(&["check", "-w", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[no-producer]"));
    assert!(
        !out.contains("✓ user-service") && !out.contains("witnesses") && !out.contains("checked "),
        "{out}"
    );
    assert!(
        out.trim_end()
            .ends_with("✗ check failed: 2 errors, 2 warnings")
    );
}
