//! The Bellyfed platform registry, embedded so that a service repo can check against it
//! without checking this repository out. `build.rs` lists it from the files on disk.

use super::files::EmbeddedFile;

pub(crate) const FILES: &[EmbeddedFile] = include!(concat!(env!("OUT_DIR"), "/registry.rs"));

#[cfg(test)]
mod tests {
    use super::FILES;
    use std::path::Path;

    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("inside");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    /// The embedded registry is the registry on disk: the same files, the same bytes.
    #[test]
    fn the_embedded_registry_is_the_one_on_disk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut on_disk = vec![
            "bus-contract.yaml".to_string(),
            "routing.snap.yaml".to_string(),
        ];
        walk(&root.join("contracts"), &root, &mut on_disk);
        walk(&root.join("patterns"), &root, &mut on_disk);
        on_disk.sort();
        let embedded: Vec<String> = FILES.iter().map(|(p, _)| (*p).to_string()).collect();
        assert_eq!(embedded, on_disk, "sorted by path, as build.rs writes them");
        for (path, text) in FILES {
            let disk = std::fs::read_to_string(root.join(path)).expect("readable");
            assert_eq!(*text, disk, "{path}");
        }
    }
}
