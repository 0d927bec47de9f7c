//! Where a workspace's files come from: a directory, or the registry embedded in the crate, plus
//! overlay contracts read from disk.

use std::path::{Component, Path, PathBuf};

/// The largest file a workspace may hold. Contracts, patterns, schemas and examples are small;
/// anything bigger is refused before it is parsed.
pub(crate) const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// A file of the embedded registry: its workspace-relative path and its contents.
pub(crate) type EmbeddedFile = (&'static str, &'static str);

#[derive(Debug, Clone)]
pub(crate) enum Base {
    Dir(PathBuf),
    Embedded(&'static [EmbeddedFile]),
}

/// Where a contract was read from; references in it resolve against that place first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A workspace file, by its workspace-relative path.
    Workspace(String),
    /// An overlay contract on disk.
    Overlay(PathBuf),
}

impl Origin {
    /// The name findings use for this file.
    pub(crate) fn display(&self) -> String {
        match self {
            Origin::Workspace(p) => p.clone(),
            Origin::Overlay(p) => p.display().to_string(),
        }
    }
}

/// A file that was read, with the name findings use for it.
pub(crate) struct Read {
    pub(crate) name: String,
    pub(crate) text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Files {
    pub(crate) base: Base,
}

impl Files {
    /// Workspace-relative paths of the files matching a glob, sorted.
    pub(crate) fn glob(&self, pattern: &str) -> Result<Vec<String>, String> {
        let compiled =
            glob::Pattern::new(pattern).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
        let mut out = Vec::new();
        match &self.base {
            Base::Embedded(files) => {
                out.extend(
                    files
                        .iter()
                        .map(|(p, _)| *p)
                        .filter(|p| compiled.matches(p))
                        .map(String::from),
                );
            }
            Base::Dir(root) => {
                let full = root.join(pattern);
                let full = full
                    .to_str()
                    .ok_or_else(|| format!("the path of `{pattern}` is not UTF-8"))?;
                let paths =
                    glob::glob(full).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
                for entry in paths.flatten() {
                    if entry.is_file() {
                        if let Ok(rel) = entry.strip_prefix(root) {
                            out.push(slash_path(rel));
                        }
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Reads a workspace-relative path, which must stay inside the workspace.
    pub(crate) fn read(&self, rel: &str) -> Result<Read, String> {
        let clean =
            normalize(Path::new(rel)).ok_or_else(|| format!("`{rel}` is outside the workspace"))?;
        match &self.base {
            Base::Embedded(files) => files
                .iter()
                .find(|(p, _)| *p == clean)
                .map(|(p, text)| Read {
                    name: (*p).to_string(),
                    text: (*text).to_string(),
                })
                .ok_or_else(|| format!("`{clean}` does not exist")),
            Base::Dir(root) => read_disk(&root.join(&clean)).map(|text| Read { name: clean, text }),
        }
    }

    /// Whether a workspace-relative file exists.
    pub(crate) fn exists(&self, rel: &str) -> bool {
        let Some(clean) = normalize(Path::new(rel)) else {
            return false;
        };
        match &self.base {
            Base::Embedded(files) => files.iter().any(|(p, _)| *p == clean),
            Base::Dir(root) => root.join(clean).is_file(),
        }
    }

    /// Resolves a path written in a contract: relative to the contract's own directory first,
    /// then to the workspace root. A path may not leave the workspace (or, for an overlay
    /// contract, its own directory).
    pub(crate) fn read_from(&self, origin: &Origin, path: &str) -> Result<Read, String> {
        if Path::new(path).is_absolute() {
            return Err(format!(
                "`{path}` is an absolute path; paths are relative to the workspace"
            ));
        }
        match origin {
            Origin::Workspace(contract) => {
                let dir = Path::new(contract).parent().unwrap_or(Path::new(""));
                if let Some(local) = normalize(&dir.join(path)) {
                    if self.exists(&local) {
                        return self.read(&local);
                    }
                }
                match normalize(Path::new(path)) {
                    Some(rel) => self.read(&rel).map_err(|_| {
                        format!("`{path}` does not exist (looked beside {contract} and at the workspace root)")
                    }),
                    None => Err(format!("`{path}` is outside the workspace")),
                }
            }
            Origin::Overlay(contract) => {
                let dir = contract.parent().unwrap_or(Path::new(""));
                match normalize(Path::new(path)) {
                    Some(rel) => {
                        let local = dir.join(&rel);
                        if local.is_file() {
                            return read_disk(&local).map(|text| Read {
                                name: local.display().to_string(),
                                text,
                            });
                        }
                        self.read(&rel).map_err(|_| {
                            format!(
                                "`{path}` does not exist (looked beside {} and in the workspace)",
                                contract.display()
                            )
                        })
                    }
                    None => Err(format!(
                        "`{path}` is outside the directory of {}",
                        contract.display()
                    )),
                }
            }
        }
    }
}

/// Reads a file from disk, refusing huge ones and invalid UTF-8.
pub(crate) fn read_disk(path: &Path) -> Result<String, String> {
    read_limited(path, MAX_FILE_SIZE, "files in a workspace")
}

/// Reads a file of at most `max` bytes (`what` says whose limit that is) that must be UTF-8.
pub(crate) fn read_limited(path: &Path, max: u64, what: &str) -> Result<String, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > max {
        return Err(format!(
            "{} is {} bytes; {what} are at most {max} bytes",
            path.display(),
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 (first bad byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// A relative path with `.` and `..` resolved, as `/`-separated text; `None` if it is absolute
/// or climbs above its start.
pub(crate) fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?.to_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

fn slash_path(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.json")).as_deref(),
            Some("a/c.json")
        );
        assert_eq!(normalize(Path::new("../x")), None);
        assert_eq!(normalize(Path::new("a/../../x")), None);
        assert_eq!(normalize(Path::new("/etc/passwd")), None);
    }
}
