//! The library's modules run one way: each may use only the modules of lower layers, never one
//! of its own layer or above. ARCHITECTURE.md explains the layers; this test holds the code to
//! them by reading every `crate::…` path in the sources.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, bottom first.
const LAYERS: &[&[&str]] = &[
    &["json", "number", "ip", "suggest", "fs", "environment"],
    &["event"],
    &["pattern"],
    &["matcher", "strategy", "diag", "dialect"],
    &["replay", "import"],
    &["workspace"],
    &["check"],
    &["report"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names the crate's root re-exports, and the module each comes from: `crate::Pattern` is a
/// use of `pattern`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let text = code(lib);
    for (i, _) in text.match_indices("pub use ") {
        let rest = &text[i + "pub use ".len()..];
        let rest = &rest[..rest.find(';').unwrap_or(rest.len())];
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").to_string();
            if !name.is_empty() {
                out.insert(name, module.trim().to_string());
            }
        }
    }
    out
}

/// The source without its comments' lines: a doc link is not a dependency.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a source names through `crate::`, in `crate::x` and `crate::{x, y}`.
fn uses(text: &str) -> BTreeSet<String> {
    let text = &code(text);
    let mut out = BTreeSet::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                out.insert(word(item.trim()));
            }
        } else {
            out.insert(word(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

#[test]
fn no_module_uses_one_of_its_layer_or_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let roots = reexports(&std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("inside src");
        let module = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("a module");
        if module == "lib" {
            continue;
        }
        seen.insert(module.clone());
        let Some(own) = layer(&module) else {
            wrong.push(format!(
                "{}: module `{module}` is in no layer",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("UTF-8");
        for used in uses(&text) {
            let used = roots.get(&used).cloned().unwrap_or(used);
            if used == module {
                continue;
            }
            match layer(&used) {
                Some(l) if l < own => {}
                Some(_) => wrong.push(format!(
                    "{}: `{module}` uses `{used}`, which is not below it",
                    rel.display()
                )),
                None => wrong.push(format!(
                    "{}: `{module}` uses `{used}`, which is in no layer",
                    rel.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    let listed: BTreeSet<String> = LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .map(|s| (*s).to_string())
        .collect();
    assert_eq!(
        seen, listed,
        "every module is in one layer, and every layer's module exists"
    );
}

#[test]
fn the_reader_of_paths_sees_groups() {
    let found =
        uses("use crate::{json::Value, event::Event};\nlet x = crate::pattern::Pattern::parse;");
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["event", "json", "pattern"]
    );
}
