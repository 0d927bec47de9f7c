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

/// Reads a file of at most `max` bytes (`what` says whose limit that is) that must be UTF-8
/// and a regular file: a FIFO, a device or a directory is refused before it is opened, and the
/// size is enforced while reading, not taken from the file's metadata.
pub(crate) fn read_limited(path: &Path, max: u64, what: &str) -> Result<String, String> {
    let name = path.display().to_string();
    read_regular(path, &name, max, what)
}

/// Reads `path`, which must resolve (symbolic links included) to a regular file under `root`.
/// `name` is how errors name it. Nothing is read from a file that is refused, so no error
/// shows content from outside the root.
pub(crate) fn read_inside(
    root: &Path,
    place: &str,
    path: &Path,
    name: &str,
    max: u64,
    what: &str,
) -> Result<String, String> {
    let resolved = resolve_inside(root, place, path, name)?;
    read_regular(&resolved, name, max, what)
}

/// `path` with every symbolic link resolved, when it stays under `root`.
/// `place` names the root in errors: `the workspace`, `the assembly`.
pub(crate) fn resolve_inside(
    root: &Path,
    place: &str,
    path: &Path,
    name: &str,
) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    let resolved = path.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound if path.symlink_metadata().is_ok() => {
            format!("{name} is a symbolic link to nothing; refused")
        }
        std::io::ErrorKind::NotFound => format!("{name} does not exist"),
        _ => format!("cannot read {name}: {e}"),
    })?;
    if !resolved.starts_with(&root) {
        return Err(format!(
            "{name} leads outside {place} through a symbolic link; refused"
        ));
    }
    Ok(resolved)
}

fn read_regular(path: &Path, name: &str, max: u64, what: &str) -> Result<String, String> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{name} is not a regular file (a directory, FIFO, socket or device); refused"
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{name} is over {max} bytes; {what} are at most {max} bytes"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name} is not UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Writes `path` whole or not at all: into a temporary file beside it, then renamed over it,
/// so that a killed or failed run leaves the previous file as it was. `fill` writes the
/// contents. The directory must resolve to a place under `root`; a symbolic link at `path`
/// is replaced, never written through.
pub(crate) fn write_atomic(
    root: &Path,
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} names no file", path.display())))?;
    let root = root.canonicalize()?;
    if !dir.canonicalize()?.starts_with(&root) {
        return Err(std::io::Error::other(format!(
            "{} leads outside the workspace; refused",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(std::io::Error::other(format!(
            "{} is a directory; refused",
            path.display()
        )));
    }
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        fill(&mut file)?;
        file.flush()?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The most directory entries one glob may visit: a workspace is a few thousand files.
const MAX_GLOB_ENTRIES: usize = 200_000;

/// The files under `root` that a glob matches, as workspace-relative `/` paths. Only the
/// directory the glob's literal beginning names is walked; symbolic links to directories are
/// not followed, so a walk never leaves the workspace and never loops.
fn walk_glob(root: &Path, pattern: &str, compiled: &glob::Pattern) -> Result<Vec<String>, String> {
    if Path::new(pattern).is_absolute() || pattern.starts_with('/') || pattern.starts_with('\\') {
        return Err(format!(
            "glob `{pattern}` is absolute; globs are relative to the workspace"
        ));
    }
    if pattern.split(['/', '\\']).any(|c| c == "..") {
        return Err(format!(
            "glob `{pattern}` climbs out with `..`; globs stay inside the workspace"
        ));
    }
    // The literal directories before the first wildcard.
    let mut start = PathBuf::new();
    let parts: Vec<&str> = pattern.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        if part.contains(['*', '?', '[']) {
            break;
        }
        start.push(part);
    }
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let mut out = Vec::new();
    let first = root.join(&start);
    if !first.exists() {
        return Ok(out);
    }
    resolve_inside(root, "the workspace", &first, &slash_path(&start))?;
    let mut stack = vec![first];
    let mut visited = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            visited += 1;
            if visited > MAX_GLOB_ENTRIES {
                return Err(format!(
                    "glob `{pattern}` visits more than {MAX_GLOB_ENTRIES} entries; narrow it"
                ));
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let rel = slash_path(rel);
            if kind.is_dir() {
                stack.push(path);
            } else if compiled.matches_with(&rel, options) {
                // A file, or a link (whose reading is then checked like any other).
                out.push(rel);
            }
        }
    }
    Ok(out)
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

    /// A write that fails halfway (as a killed run would stop) leaves the previous file as it
    /// was, and no temporary file behind.
    #[test]
    fn a_failed_write_leaves_the_previous_file() {
        let dir = std::env::temp_dir().join(format!("bus-contract-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("routing.snap.yaml");
        std::fs::write(&path, "previous\n").unwrap();
        let result = write_atomic(&dir, &path, |w| {
            w.write_all(b"half of the new")?;
            Err(std::io::Error::other("killed"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous\n");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        write_atomic(&dir, &path, |w| w.write_all(b"new\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

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
