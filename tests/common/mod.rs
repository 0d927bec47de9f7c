//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// The `shared` directory beside the repository, if present. When it is absent, the caller
/// skips with a printed reason, unless `BUS_CONTRACT_REQUIRE_SHARED=1`, in which case this
/// panics.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("conformance").is_dir() {
        return Some(dir);
    }
    if std::env::var("BUS_CONTRACT_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "BUS_CONTRACT_REQUIRE_SHARED=1 but {} is missing; check out `shared` beside the repository",
            dir.display()
        );
    }
    // Written to the real stderr, not through `eprintln!`, so that the test harness does not
    // swallow it: a skipped check should be seen.
    let _ = writeln!(
        std::io::stderr(),
        "skipping: {} not found (it lives beside the repository in CI; set BUS_CONTRACT_REQUIRE_SHARED=1 to fail instead)",
        dir.join("conformance").display()
    );
    None
}

/// Copies a directory tree.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// A fixture workspace under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh, empty directory of this test process.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bus-contract-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the registry (contracts, patterns, configuration and snapshot), for breaking.
pub fn registry_copy(name: &str) -> PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempdir(name);
    for d in ["contracts", "patterns"] {
        copy_dir(&root.join(d), &dir.join(d));
    }
    for f in ["bus-contract.yaml", "routing.snap.yaml"] {
        std::fs::copy(root.join(f), dir.join(f)).unwrap();
    }
    dir
}

/// The `bus-contract` binary, run from the repository's root.
pub fn bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("bus-contract").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs the binary: its exit code, standard output and standard error.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code().expect("exits"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A file of `../shared` (such as `schemas/sarif-2.1.0.json`), under the same rule as
/// [`shared_dir`]: `None`, after a printed reason, when `shared` is absent.
pub fn shared_file(rel: &str) -> Option<PathBuf> {
    let path = shared_dir()?.join(rel);
    assert!(path.is_file(), "{} is missing from shared", path.display());
    Some(path)
}

/// Whether `xmllint` can be run. When it cannot, the caller skips with a printed reason,
/// unless `BUS_CONTRACT_REQUIRE_SHARED=1` (as in CI, whose `.ci/run` installs it).
pub fn have_xmllint() -> bool {
    let ok = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("BUS_CONTRACT_REQUIRE_SHARED").as_deref() != Ok("1"),
            "BUS_CONTRACT_REQUIRE_SHARED=1 but xmllint is not installed (Debian: libxml2-utils)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipping: xmllint not found (Debian package libxml2-utils; .ci/run installs it)"
        );
    }
    ok
}

/// The example service repo, copied so that a test can plant a mistake in it.
pub fn service_repo_copy(name: &str) -> PathBuf {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/service-repo");
    let dir = tempdir(name);
    copy_dir(&from, &dir);
    dir
}

/// The example service repo with a planted mistake: its welcome rule expects an event no
/// service publishes.
pub fn broken_service_repo(name: &str) -> PathBuf {
    let dir = service_repo_copy(name);
    let contract = dir.join("contracts/onboarding-service.yaml");
    let text = std::fs::read_to_string(&contract).unwrap();
    let broken = text.replace(
        "expects: [user.account.created]",
        "expects: [user.account.registered]",
    );
    assert_ne!(
        text, broken,
        "the example's welcome rule expects user.account.created"
    );
    std::fs::write(&contract, broken).unwrap();
    dir
}
