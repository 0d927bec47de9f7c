//! A service repo checked against the platform registry: the example under
//! `examples/service-repo`, through the command line, the library, the GitHub Action's command
//! and the pre-commit hook; and the rules its paths follow.

mod common;

use std::path::{Path, PathBuf};

use bus_contract::{CheckConfig, Code, Workspace};
use common::{broken_service_repo, registry_copy, run, service_repo_copy};

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/service-repo")
}

#[test]
fn the_example_passes_and_a_planted_mistake_fails_through_the_cli() {
    let (code, out, err) = run(&["check", "-w", "examples/service-repo"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines().any(|l| l.starts_with("✓ onboarding-service")
            && l.ends_with("publishes 1 event, subscribes with 3 rules")),
        "{out}"
    );
    assert!(out.contains("✓ check passed: no errors"), "{out}");
    // Run from inside the service repo, as CI does, the positional form says the same.
    let out = common::bin()
        .current_dir(example())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let broken = broken_service_repo("cli-broken");
    let (code, out, _) = run(&["check", broken.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[no-producer] contracts/onboarding-service.yaml:18:15"),
        "{out}"
    );
}

#[test]
fn the_example_passes_and_a_planted_mistake_fails_through_the_library() {
    let ws = Workspace::load(example()).unwrap();
    assert!(ws.is_service_repo());
    let report = ws.check(&CheckConfig::default());
    report.assert_ok();
    // The imported rule joined the service repo's one contract.
    assert!(
        ws.rule("onboarding-service/SuspendedReminderAccountSuspended")
            .is_some()
    );
    // The same through the explicit API.
    Workspace::bellyfed()
        .service(example())
        .check(&CheckConfig::default())
        .assert_ok();

    let broken = broken_service_repo("library-broken");
    let report = Workspace::load(&broken)
        .unwrap()
        .check(&CheckConfig::default());
    assert!(!report.is_ok());
    let f = report.with_code(Code::NoProducer);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].file, "contracts/onboarding-service.yaml");
    assert_eq!(f[0].rule.as_deref(), Some("onboarding-send-welcome"));
}

/// The `run:` script of the step with `id: check` in action.yml, and its environment.
fn action_step() -> String {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let steps = action["runs"]["steps"].as_array().unwrap();
    let check = steps.iter().find(|s| s["id"] == "check").unwrap();
    assert_eq!(check["shell"], "bash");
    check["run"].as_str().unwrap().to_string()
}

/// Runs the action's check step in `dir` as the runner would: bash, with the inputs in the
/// environment and the binary on the PATH.
fn run_action(dir: &Path, args: &str) -> (i32, String) {
    let binary = assert_cmd::cargo::cargo_bin("bus-contract");
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(action_step())
        .current_dir(dir)
        .env("PATH", path)
        .env("INPUT_WORKSPACE", ".")
        .env("INPUT_REGISTRY", "")
        .env("INPUT_SARIF", "bus-contract.sarif")
        .env("INPUT_ARGS", args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_github_action_passes_the_example_and_fails_a_planted_mistake() {
    let dir = service_repo_copy("action-ok");
    let (code, out) = run_action(&dir, "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("::warning title=routing-changed::"), "{out}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bus-contract.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // args reach the command: with --deny warnings the routing changes fail it.
    let (code, _) = run_action(&dir, "--deny warnings");
    assert_eq!(code, 1);

    let broken = broken_service_repo("action-broken");
    let (code, out) = run_action(&broken, "");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "::error file=contracts/onboarding-service.yaml,line=18,col=15,title=no-producer"
        ),
        "{out}"
    );
}

#[test]
fn the_pre_commit_hook_runs_the_check_on_the_files_it_names() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let hooks: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "bus-contract-check");
    assert_eq!(hook["pass_filenames"], false);
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "bus-contract");
    // The files that trigger it: a service repo's and a registry's.
    let files = hook["files"].as_str().unwrap();
    let changed = "bus-contract.yaml\ncontracts/onboarding-service.yaml\ncontracts/schemas/onboarding-completed.json\npatterns/first-week-tips.json\nrouting.snap.yaml\nsrc/handler.py\n";
    let grep = std::process::Command::new("grep")
        .args(["-E", files])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(changed.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&grep.stdout),
        "bus-contract.yaml\ncontracts/onboarding-service.yaml\ncontracts/schemas/onboarding-completed.json\npatterns/first-week-tips.json\nrouting.snap.yaml\n"
    );
    // Its command, run where pre-commit runs it (the repository's root).
    let hook_run = |dir: &Path| {
        common::bin()
            .current_dir(dir)
            .args(&entry[1..])
            .output()
            .unwrap()
    };
    let ok = hook_run(&example());
    assert_eq!(ok.status.code(), Some(0));
    let broken = broken_service_repo("hook-broken");
    let failed = hook_run(&broken);
    assert_eq!(failed.status.code(), Some(1));
    let out = String::from_utf8_lossy(&failed.stdout);
    assert!(!out.contains("witnesses"), "--quiet: {out}");
}

#[test]
fn a_service_repo_is_checked_against_a_registry_directory() {
    let registry = registry_copy("service-registry");
    let dir = example();
    let (code, out, err) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // The registry's files are named with its directory.
    let (_, out, _) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let prefix = format!("{}/routing.snap.yaml", registry.display());
    assert!(out.contains(&prefix), "{out}");
    // A registry that breaks the service: user-service stops publishing account creation.
    let user = registry.join("contracts/user-service.yaml");
    let text = std::fs::read_to_string(&user).unwrap();
    std::fs::write(
        &user,
        text.replace("event: user.account.created", "event: user.account.opened"),
    )
    .unwrap();
    let (code, out, _) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[no-producer] contracts/onboarding-service.yaml"),
        "{out}"
    );
    // --registry bellyfed is the built-in one; a service repo is not a registry.
    let (code, _, _) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--registry",
        "bellyfed",
    ]);
    assert_eq!(code, 0);
    let (code, _, err) = run(&[
        "check",
        "-w",
        dir.to_str().unwrap(),
        "--registry",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is a service repo"), "{err}");
}

/// A service repo with one contract, written by the test.
fn repo_with(name: &str, contract: &str, config: Option<&str>) -> PathBuf {
    let dir = common::tempdir(name);
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::create_dir_all(dir.join("patterns")).unwrap();
    std::fs::write(dir.join("contracts/my-service.yaml"), contract).unwrap();
    std::fs::write(
        dir.join("bus-contract.yaml"),
        config.unwrap_or("registry: bellyfed\n"),
    )
    .unwrap();
    dir
}

const WELCOME: &str = "service: my-service\nsubscribes:\n  - rule: my-welcome\n    bus: bellyfed-domain-user-${environment}\n    pattern: PATTERN\n    expects: [user.account.created]\n    target: mailer\n    dead-letter-queue: my-dlq\n    retry-policy: { maximum-retry-attempts: 3, maximum-event-age-seconds: 600 }\n    idempotency-key: id\n    alarms: { failed-invocations: my-welcome-failures, dead-letter-queue: my-dlq-depth }\n";

fn messages(dir: &Path, code: Code) -> Vec<String> {
    Workspace::load(dir)
        .unwrap()
        .check(&CheckConfig::default())
        .with_code(code)
        .iter()
        .map(|f| format!("{}: {}", f.file, f.message))
        .collect()
}

/// The pattern `WELCOME` names, at the service repo's root.
fn write_welcome_pattern(dir: &Path) {
    std::fs::write(
        dir.join("patterns/welcome.json"),
        r#"{"source": ["bellyfed.user"], "detail-type": ["AccountCreated"]}"#,
    )
    .unwrap();
}

#[test]
fn paths_resolve_beside_the_contract_then_at_the_root_and_never_outside() {
    // The registry's own layout: a pattern at the root, named from contracts/.
    let dir = repo_with(
        "paths-root",
        &WELCOME.replace("PATTERN", "patterns/welcome.json"),
        None,
    );
    write_welcome_pattern(&dir);
    Workspace::load(&dir)
        .unwrap()
        .check(&CheckConfig::default())
        .assert_ok();
    // The same contract as a lone overlay, outside the current directory: its service repo is
    // its own directory, so a root-relative path is looked for beside it, and the message
    // says where (Workspace::service(dir) is the way to name the root).
    let report = Workspace::bellyfed()
        .overlay(dir.join("contracts/my-service.yaml"))
        .check(&CheckConfig::default());
    let found: Vec<&str> = report
        .with_code(Code::InvalidContract)
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        found
            .iter()
            .any(|m| m
                .contains("`patterns/welcome.json` does not exist (looked beside my-service.yaml")),
        "{found:?}"
    );
    // `..` that stays inside the service repo is fine; leaving it is refused.
    let inside = repo_with(
        "paths-inside",
        &WELCOME.replace("PATTERN", "../patterns/welcome.json"),
        None,
    );
    write_welcome_pattern(&inside);
    Workspace::load(&inside)
        .unwrap()
        .check(&CheckConfig::default())
        .assert_ok();
    let outside = repo_with(
        "paths-outside",
        &WELCOME.replace("PATTERN", "../../../../etc/hostname"),
        None,
    );
    let found = messages(&outside, Code::InvalidContract);
    assert!(
        found
            .iter()
            .any(|m| m.contains("is outside the service repo of contracts/my-service.yaml")),
        "{found:?}"
    );
    // A link out of the service repo is refused, not followed.
    #[cfg(unix)]
    {
        let linked = repo_with(
            "paths-link",
            &WELCOME.replace("PATTERN", "patterns/welcome.json"),
            None,
        );
        std::os::unix::fs::symlink("/etc/hostname", linked.join("patterns/welcome.json")).unwrap();
        let found = messages(&linked, Code::InvalidContract);
        assert!(
            found.iter().any(|m| m.contains("outside the service repo")),
            "{found:?}"
        );
    }
}

#[test]
fn a_service_repos_config_holds_only_what_is_its_own() {
    let contract = WELCOME.replace(
        "PATTERN",
        "{ source: [bellyfed.user], detail-type: [AccountCreated] }",
    );
    let dir = repo_with(
        "config-keys",
        &contract,
        Some("registry: bellyfed\nconventions: { service: bellyfed }\n"),
    );
    let found = messages(&dir, Code::InvalidContract);
    assert!(
        found.iter().any(
            |m| m.starts_with("bus-contract.yaml: unknown field `conventions`")
                && m.contains("are the registry's")
        ),
        "{found:?}"
    );
    let dir = repo_with("config-registry", &contract, Some("registry: platform\n"));
    let found = messages(&dir, Code::InvalidContract);
    assert!(
        found
            .iter()
            .any(|m| m.contains("unknown registry `platform`")),
        "{found:?}"
    );
    // An import outside the service repo is refused.
    let dir = repo_with(
        "config-import",
        &contract,
        Some("registry: bellyfed\nimports: [../elsewhere/template.yaml]\n"),
    );
    let found = messages(&dir, Code::InvalidContract);
    assert!(
        found
            .iter()
            .any(|m| m.contains("import `../elsewhere/template.yaml` is outside the service repo")),
        "{found:?}"
    );
}

#[test]
fn two_contracts_of_one_service_in_a_service_repo_are_a_mistake() {
    let contract = WELCOME.replace(
        "PATTERN",
        "{ source: [bellyfed.user], detail-type: [AccountCreated] }",
    );
    let dir = repo_with("two-contracts", &contract, None);
    std::fs::write(dir.join("contracts/again.yaml"), "service: my-service\n").unwrap();
    let found = messages(&dir, Code::InvalidContract);
    assert!(
        found
            .iter()
            .any(|m| m.contains("service `my-service` is also declared in")),
        "{found:?}"
    );
}

#[test]
fn an_empty_service_repo_is_nothing_to_check() {
    let dir = common::tempdir("empty-service");
    std::fs::write(dir.join("bus-contract.yaml"), "registry: bellyfed\n").unwrap();
    let (code, _, err) = run(&["check", "-w", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nothing to check in the service repo"),
        "{err}"
    );
    // snapshot refuses a service repo: the snapshot is the registry's.
    let (code, _, err) = run(&["snapshot", "-w", example().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the routing snapshot is the registry's"),
        "{err}"
    );
}
