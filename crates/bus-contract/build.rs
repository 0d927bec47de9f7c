//! Embeds the Bellyfed registry (the repository's `bus-contract.yaml`, `routing.snap.yaml`,
//! `contracts/` and `patterns/`) in the library, from the files on disk: adding a service is
//! adding its files. Writes `registry.rs` into `OUT_DIR`: one `(path, include_str!(…))` pair
//! per file, sorted by path.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The registry's single files and directories, relative to the repository's root.
const FILES: [&str; 2] = ["bus-contract.yaml", "routing.snap.yaml"];
const DIRS: [&str; 2] = ["contracts", "patterns"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_WORKSPACE").is_none() {
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for name in FILES {
        let path = root.join(name);
        println!("cargo::rerun-if-changed={}", path.display());
        files.push((name.to_string(), path));
    }
    for dir in DIRS {
        let path = root.join(dir);
        println!("cargo::rerun-if-changed={}", path.display());
        walk(&path, dir, &mut files);
    }
    files.sort();
    let mut out = String::from("&[\n");
    for (name, path) in &files {
        assert!(
            path.is_file(),
            "the embedded registry needs {} (the registry lives two directories above this crate)",
            path.display()
        );
        let path = path.canonicalize().expect("a registry file resolves");
        let path = path.to_str().expect("a registry path is UTF-8");
        writeln!(out, "    ({name:?}, include_str!({path:?})),").expect("writes to a String");
    }
    out.push_str("]\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("registry.rs");
    std::fs::write(&dest, out).expect("OUT_DIR is writable");
}

/// Every file under `dir` (named `rel` in the registry), skipping hidden ones, which editors and
/// file managers leave behind.
fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "the embedded registry needs the directory {}: {e}",
            dir.display()
        )
    });
    for entry in entries {
        let entry = entry.expect("a readable directory entry");
        let name = entry.file_name();
        let name = name.to_str().expect("registry file names are UTF-8");
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = format!("{rel}/{name}");
        if path.is_dir() {
            walk(&path, &rel, out);
        } else {
            out.push((rel, path));
        }
    }
}
