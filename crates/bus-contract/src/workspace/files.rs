//! Where a workspace's files come from: a directory, or the registry embedded in the crate, plus
//! overlay contracts read from disk.

use std::path::{Path, PathBuf};

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
                out = walk_glob(root, pattern, &compiled)?;
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
            Base::Dir(root) => read_inside(
                root,
                "the workspace",
                &root.join(&clean),
                &clean,
                MAX_FILE_SIZE,
                "files in a workspace",
            )
            .map(|text| Read { name: clean, text }),
        }
    }

    /// Whether anything (a file, a directory, a link) is at a workspace-relative path, so that
    /// a refused file is reported as refused rather than as missing.
    pub(crate) fn exists(&self, rel: &str) -> bool {
        let Some(clean) = normalize(Path::new(rel)) else {
            return false;
        };
        match &self.base {
            Base::Embedded(files) => files.iter().any(|(p, _)| *p == clean),
            Base::Dir(root) => root.join(clean).symlink_metadata().is_ok(),
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
                    Some(rel) if self.exists(&rel) => self.read(&rel),
                    Some(_) => Err(format!(
                        "`{path}` does not exist (looked beside {contract} and at the workspace root)"
                    )),
                    None => Err(format!("`{path}` is outside the workspace")),
                }
            }
            Origin::Overlay(contract) => {
                let dir = contract.parent().unwrap_or(Path::new(""));
                match normalize(Path::new(path)) {
                    Some(rel) => {
                        let local = dir.join(&rel);
                        if local.symlink_metadata().is_ok() {
                            let name = local.display().to_string();
                            let dir = if dir.as_os_str().is_empty() {
                                Path::new(".")
                            } else {
                                dir
                            };
                            return read_inside(
                                dir,
                                "the overlay's directory",
                                &local,
                                &name,
                                MAX_FILE_SIZE,
                                "files in a workspace",
                            )
                            .map(|text| Read { name, text });
                        }
                        if self.exists(&rel) {
                            return self.read(&rel);
                        }
                        Err(format!(
                            "`{path}` does not exist (looked beside {} and in the workspace)",
                            contract.display()
                        ))
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

pub(crate) use crate::fs::{
    normalize, read_inside, read_limited, resolve_inside, walk_glob, write_atomic,
};
