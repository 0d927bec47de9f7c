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
