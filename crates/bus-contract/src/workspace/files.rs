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
    /// A contract of a service repo (or an overlay) on disk.
    Overlay(Overlay),
}

/// A contract on disk checked on top of the workspace, and the service repo it belongs to:
/// the directory its paths resolve in and may not leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Overlay {
    /// The contract, inside `root`.
    pub(crate) path: PathBuf,
    /// The name findings use: the contract's path relative to `root`.
    pub(crate) name: String,
    /// The service repo (absolute).
    pub(crate) root: PathBuf,
}

impl Overlay {
    /// A contract file given on its own: its service repo is the current directory when the
    /// contract is inside it (as in `cargo test`, which runs in the package's directory),
    /// else the contract's own directory.
    pub(crate) fn of_file(contract: &Path) -> Overlay {
        let path = contract
            .canonicalize()
            .unwrap_or_else(|_| contract.to_path_buf());
        let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
        let root = match cwd {
            Some(cwd) if path.starts_with(&cwd) => cwd,
            _ => path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
        };
        let name = path.strip_prefix(&root).map_or_else(
            |_| contract.display().to_string(),
            |r| r.display().to_string(),
        );
        Overlay { path, name, root }
    }
}

impl Origin {
    /// The name findings use for this file, given the workspace's files.
    pub(crate) fn display(&self, files: &Files) -> String {
        match self {
            Origin::Workspace(p) => files.name(p),
            Origin::Overlay(o) => o.name.clone(),
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
    /// What names of the base's files start with: empty, or, when a service repo is checked
    /// on top of this registry, `bellyfed:` (the embedded registry) or the registry's
    /// directory as given, so that a report tells the registry's files from the service's.
    pub(crate) label: String,
    /// The directory as the caller gave it, for the label.
    pub(crate) shown: String,
}

impl Files {
    /// The name findings use for a base file.
    pub(crate) fn name(&self, rel: &str) -> String {
        format!("{}{rel}", self.label)
    }

    /// The workspace-relative path of a base file, from the name findings use for it: `None`
    /// for a name without the label (a service repo's own file), and for every name when the
    /// base is not labelled.
    pub(crate) fn base_path<'n>(&self, name: &'n str) -> Option<&'n str> {
        if self.label.is_empty() {
            None
        } else {
            name.strip_prefix(self.label.as_str())
        }
    }

    /// This registry as the base of a service repo: its files' names labelled.
    pub(crate) fn labelled(mut self) -> Files {
        if self.label.is_empty() {
            self.label = match &self.base {
                Base::Embedded(_) => "bellyfed:".to_string(),
                Base::Dir(_) if self.shown.is_empty() || self.shown == "." => "registry/".into(),
                Base::Dir(_) => format!("{}/", self.shown.trim_end_matches('/')),
            };
        }
        self
    }

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
                    name: self.name(p),
                    text: (*text).to_string(),
                })
                .ok_or_else(|| format!("`{clean}` does not exist")),
            Base::Dir(root) => {
                read_workspace_file(root, "the workspace", &root.join(&clean), &clean).map(|text| {
                    Read {
                        name: self.name(&clean),
                        text,
                    }
                })
            }
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
            Origin::Overlay(o) => {
                // Beside the contract, then at the service repo's root, then in the registry;
                // never outside the service repo.
                let dir = o
                    .path
                    .parent()
                    .and_then(|d| d.strip_prefix(&o.root).ok())
                    .unwrap_or(Path::new(""));
                let beside = normalize(&dir.join(path));
                let at_root = normalize(Path::new(path));
                for rel in [&beside, &at_root].into_iter().flatten() {
                    let local = o.root.join(rel);
                    if local.symlink_metadata().is_ok() {
                        return read_workspace_file(&o.root, "the service repo", &local, rel).map(
                            |text| Read {
                                name: rel.clone(),
                                text,
                            },
                        );
                    }
                }
                match at_root {
                    Some(rel) if self.exists(&rel) => self.read(&rel),
                    Some(_) => Err(format!(
                        "`{path}` does not exist (looked beside {}, at the root of its service repo and in the registry)",
                        o.name
                    )),
                    None if beside.is_some() => Err(format!(
                        "`{path}` does not exist (looked beside {})",
                        o.name
                    )),
                    None => Err(format!(
                        "`{path}` is outside the service repo of {}",
                        o.name
                    )),
                }
            }
        }
    }
}

/// Reads a workspace file at `path`, which must stay inside `root` (`place` names `root` in
/// errors), refusing huge ones and invalid UTF-8.
pub(crate) fn read_workspace_file(
    root: &Path,
    place: &str,
    path: &Path,
    name: &str,
) -> Result<String, String> {
    read_inside(
        root,
        place,
        path,
        name,
        MAX_FILE_SIZE,
        "files in a workspace",
    )
}

pub(crate) use crate::fs::{normalize, read_inside, resolve_inside, walk_glob, write_atomic};
