//! CDK synth output: `cdk.out/manifest.json` names the stack templates (and nested cloud
//! assemblies, for stages); each template names its nested stacks' templates through
//! `aws:asset:path`. `aws:cdk:path` metadata names the rules.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::tree::{self, Node};
use super::{Imported, cfn, problem, read, read_warnings};
use crate::diag::Location;

/// Assemblies nest (stages within stages) and stacks nest; this bounds both.
const MAX_DEPTH: usize = 16;

/// The most files one assembly import reads: far above any real assembly.
const MAX_FILES: usize = 10_000;

/// What one assembly import has read: every file once, and never a file outside the
/// assembly's directory (symbolic links included).
struct Reader {
    root: PathBuf,
    seen: HashSet<PathBuf>,
}

impl Reader {
    /// The file, resolved; `None` (with a problem) when it leaves the assembly, was read
    /// already (an assembly or a nested stack that names itself, or a template shared by two
    /// nested stacks, whose rules are the same), or the budget of files is spent.
    fn admit(&mut self, path: &Path, display: &str, out: &mut Imported) -> Option<PathBuf> {
        let resolved = match crate::fs::resolve_inside(&self.root, "the assembly", path, display) {
            Ok(p) => p,
            Err(e) => {
                problem(out, display, Location::File, e);
                return None;
            }
        };
        if self.seen.len() >= MAX_FILES {
            problem(
                out,
                display,
                Location::File,
                format!(
                    "the assembly has more than {MAX_FILES} files to read; the rest are not read"
                ),
            );
            return None;
        }
        self.seen.insert(resolved.clone()).then_some(resolved)
    }
}

pub(crate) fn import(
    manifest: &Path,
    display_dir: &str,
    parameters: &BTreeMap<String, String>,
    out: &mut Imported,
) {
    let root = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let mut reader = Reader {
        root,
        seen: HashSet::new(),
    };
    assembly(&mut reader, manifest, display_dir, parameters, out, 0);
}

/// Reads a JSON file of the assembly; a problem when it cannot be read or parsed.
fn load(reader: &mut Reader, path: &Path, display: &str, out: &mut Imported) -> Option<Node> {
    let path = reader.admit(path, display, out)?;
    let parsed = read(&path)
        .map_err(|e| (Location::File, e))
        .and_then(|text| tree::template_from_json(&text));
    match parsed {
        Ok((root, warnings)) => {
            read_warnings(out, display, warnings);
            Some(root)
        }
        Err((at, message)) => {
            problem(out, display, at, message);
            None
        }
    }
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() || dir == "." {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// A relative path inside the assembly; anything that would leave it is refused.
fn inside(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty()
        && p.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

fn assembly(
    reader: &mut Reader,
    manifest: &Path,
    display_dir: &str,
    parameters: &BTreeMap<String, String>,
    out: &mut Imported,
    depth: usize,
) {
    let display = join(display_dir, "manifest.json");
    let Some(root) = load(reader, manifest, &display, out) else {
        return;
    };
    let Some(artifacts) = root.get("artifacts") else {
        return problem(
            out,
            &display,
            Location::File,
            "a CDK manifest has artifacts; this one has none".into(),
        );
    };
    let dir = manifest.parent().unwrap_or(Path::new("."));
    for (id, artifact) in artifacts.entries() {
        let kind = artifact
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let props = artifact.get("properties");
        match kind {
            "aws:cloudformation:stack" => {
                let Some(file) = props
                    .and_then(|p| p.get("templateFile"))
                    .and_then(Node::as_str)
                else {
                    problem(
                        out,
                        &display,
                        artifact.at.clone(),
                        format!("stack {id} names no templateFile"),
                    );
                    continue;
                };
                if !inside(file) {
                    problem(
                        out,
                        &display,
                        artifact.at.clone(),
                        format!("template {file} is outside the assembly"),
                    );
                    continue;
                }
                let stack_name = props
                    .and_then(|p| p.get("stackName"))
                    .and_then(Node::as_str)
                    .unwrap_or(id);
                let mut params = parameters.clone();
                if let Some(env) = artifact.get("environment").and_then(Node::as_str) {
                    // aws://ACCOUNT/REGION, with unknown-account and unknown-region when the
                    // stack is environment-agnostic.
                    let mut parts = env.trim_start_matches("aws://").splitn(2, '/');
                    if let Some(a) = parts.next().filter(|a| !a.starts_with("unknown")) {
                        params
                            .entry("AWS::AccountId".into())
                            .or_insert_with(|| a.into());
                    }
                    if let Some(r) = parts.next().filter(|r| !r.starts_with("unknown")) {
                        params
                            .entry("AWS::Region".into())
                            .or_insert_with(|| r.into());
                    }
                }
                template(
                    reader,
                    dir,
                    display_dir,
                    file,
                    Some(stack_name),
                    &params,
                    out,
                    depth,
                );
            }
            "cdk:cloud-assembly" => {
                let Some(sub) = props
                    .and_then(|p| p.get("directoryName"))
                    .and_then(Node::as_str)
                else {
                    continue;
                };
                if !inside(sub) || depth >= MAX_DEPTH {
                    problem(
                        out,
                        &display,
                        artifact.at.clone(),
                        format!("assembly {sub} is outside the assembly or nested too deep"),
                    );
                    continue;
                }
                assembly(
                    reader,
                    &dir.join(sub).join("manifest.json"),
                    &join(display_dir, sub),
                    parameters,
                    out,
                    depth + 1,
                );
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn template(
    reader: &mut Reader,
    dir: &Path,
    display_dir: &str,
    file: &str,
    stack_name: Option<&str>,
    parameters: &BTreeMap<String, String>,
    out: &mut Imported,
    depth: usize,
) {
    let display = join(display_dir, file);
    let Some(root) = load(reader, &dir.join(file), &display, out) else {
        return;
    };
    cfn::import(&root, &display, parameters, stack_name, out);
    // Nested stacks: their templates sit beside this one.
    let Some(resources) = root.get("Resources") else {
        return;
    };
    for (id, res) in resources.entries() {
        if res.get("Type").and_then(Node::as_str) != Some("AWS::CloudFormation::Stack") {
            continue;
        }
        let Some(asset) = res
            .get("Metadata")
            .and_then(|m| m.get("aws:asset:path"))
            .and_then(Node::as_str)
        else {
            continue;
        };
        if !inside(asset) || depth >= MAX_DEPTH {
            problem(
                out,
                &display,
                res.at.clone(),
                format!("nested stack {id}: {asset} is outside the assembly or nested too deep"),
            );
            continue;
        }
        let mut params = parameters.clone();
        params.remove("AWS::StackName");
        template(
            reader,
            dir,
            display_dir,
            asset,
            None,
            &params,
            out,
            depth + 1,
        );
    }
}
