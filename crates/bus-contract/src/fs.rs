//! File access confined to a root: what every reader of untrusted input uses to open, resolve
//! and write files. A path that leaves the root (`..`, an absolute path, a symbolic link that
//! points out) is refused before anything is read, and every read has a size limit. Depends on
//! the standard library and `glob` alone.

use std::path::{Component, Path, PathBuf};

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
pub(crate) fn walk_glob(
    root: &Path,
    pattern: &str,
    compiled: &glob::Pattern,
) -> Result<Vec<String>, String> {
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
