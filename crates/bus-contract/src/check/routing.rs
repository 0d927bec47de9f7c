//! The routing snapshot: which rules each example event hits. `snapshot` writes it; `check`
//! reports `routing-changed` for every example whose rules differ from it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::check::{Code, Evidence, Finding, Location, expand};
use crate::event::Event;
use crate::matcher::{Matcher, Scratch};
use crate::workspace::Workspace;

const HEADER: &str = "\
# Routing snapshot: the rules each example event hits, as service/rule.
# Written by `bus-contract snapshot`; `bus-contract check` reports routing-changed when it
# no longer holds. Review changes to it like code.
";

/// Per example file, per environment, the rules it hits.
fn routes(ws: &Workspace) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    // Per environment, the rules on each bus.
    let mut on_bus: BTreeMap<&str, HashMap<String, Vec<usize>>> = BTreeMap::new();
    let rules: Vec<(String, &crate::Pattern, &str)> = ws
        .services
        .iter()
        .flat_map(|s| s.subscribes.iter().map(move |sub| (s, sub)))
        .filter_map(|(s, sub)| {
            Some((
                format!("{}/{}", s.name, sub.rule.value),
                sub.pattern()?,
                sub.bus.value.as_str(),
            ))
        })
        .collect();
    for env in &ws.config.environments {
        let map = on_bus.entry(env.as_str()).or_default();
        for (i, (_, _, bus)) in rules.iter().enumerate() {
            map.entry(expand(bus, env)).or_default().push(i);
        }
    }
    // Every rule in one compiled matcher; each example is matched once.
    let mut builder = Matcher::builder();
    for (i, (_, pattern, _)) in rules.iter().enumerate() {
        let _ = builder.add(i.to_string(), (*pattern).clone());
    }
    let matcher = builder
        .build()
        .unwrap_or_else(|_| unreachable!("invariant: names are distinct"));
    let (mut scratch, mut ids) = (Scratch::default(), Vec::new());
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for service in &ws.services {
        for p in &service.publishes {
            for ex in &p.examples {
                if Event::parse(&ex.text).is_err() {
                    continue;
                }
                // The rules that share the example's bus in some environment, matched once.
                let mut candidates: Vec<usize> = on_bus
                    .iter()
                    .filter_map(|(env, map)| map.get(&expand(&p.bus.value, env)))
                    .flatten()
                    .copied()
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                matcher
                    .matches_into(ex.text.as_bytes(), &mut scratch, &mut ids)
                    .ok();
                let hit: Vec<usize> = ids
                    .iter()
                    .map(|id| id.0 as usize)
                    .filter(|i| candidates.binary_search(i).is_ok())
                    .collect();
                // Keyed by the registry's own paths, as the snapshot writes them.
                let key = ws.files.base_path(&ex.file).unwrap_or(&ex.file);
                let entry = out.entry(key.to_string()).or_default();
                for (env, map) in &on_bus {
                    let here = map.get(&expand(&p.bus.value, env));
                    let hits = entry.entry((*env).to_string()).or_default();
                    hits.extend(
                        hit.iter()
                            .filter(|i| here.is_some_and(|h| h.contains(i)))
                            .map(|&i| rules[i].0.clone()),
                    );
                    hits.sort();
                    hits.dedup();
                }
            }
        }
    }
    out
}

fn list(out: &mut String, indent: &str, rules: &[String]) {
    if rules.is_empty() {
        out.push_str(" []\n");
    } else {
        out.push('\n');
        for r in rules {
            let _ = writeln!(out, "{indent}- {r}");
        }
    }
}

/// One example's entry, as it appears in the snapshot.
fn block(file: &str, per_env: &BTreeMap<String, Vec<String>>) -> String {
    let mut out = format!("{file}:");
    let mut values = per_env.values();
    let first = values.next();
    if values.all(|v| Some(v) == first) {
        list(&mut out, "  ", first.map_or(&[][..], Vec::as_slice));
    } else {
        out.push('\n');
        for (env, rules) in per_env {
            let _ = write!(out, "  {env}:");
            list(&mut out, "    ", rules);
        }
    }
    out
}

impl Workspace {
    /// The routing snapshot for the workspace as it is now: which rules each example event
    /// hits. Deterministic (sorted everywhere), so that it can be reviewed in pull requests.
    pub fn snapshot(&self) -> String {
        let mut out = HEADER.to_string();
        for (file, per_env) in routes(self) {
            out.push_str(&block(&file, &per_env));
        }
        out
    }

    /// Writes [`Workspace::snapshot`] to the workspace's snapshot file (`routing.snap.yaml`
    /// unless `bus-contract.yaml` names another) and returns its path.
    ///
    /// # Errors
    /// When the workspace is the embedded registry, or the file cannot be written.
    pub fn write_snapshot(&self) -> std::io::Result<std::path::PathBuf> {
        self.write_snapshot_text(&self.snapshot())
    }
}

/// The entries of a snapshot's text: key, first line, and the entry's text.
fn entries(text: &str) -> BTreeMap<String, (u64, String)> {
    let mut out: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') && !line.starts_with('-') {
            if let Some((key, _)) = line.split_once(':') {
                let key = key.trim().trim_matches('"').to_string();
                out.insert(key.clone(), (i as u64 + 1, String::new()));
                current = Some(key);
            }
        }
        if let Some(entry) = current.as_ref().and_then(|k| out.get_mut(k)) {
            entry.1.push_str(line);
            entry.1.push('\n');
        }
    }
    out
}

pub(crate) fn check(ws: &Workspace, out: &mut Vec<Finding>) {
    let Some((file, text)) = &ws.snapshot else {
        return;
    };
    let old = entries(text);
    let new = entries(&ws.snapshot());
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (old_line, old_text) = old
            .get(key)
            .map_or((None, ""), |(l, t)| (Some(*l), t.as_str()));
        let new_text = new.get(key).map_or("", |(_, t)| t.as_str());
        if old_text == new_text {
            continue;
        }
        // On top of a registry, the snapshot is the platform's: an example the service repo
        // adds, or one whose contract it replaces, is the registry's to record when the
        // contract lands there. What is worth seeing is a change to the routing of an example
        // both hold.
        if ws.has_overlays() && (old_text.is_empty() || new_text.is_empty()) {
            continue;
        }
        let message = match (old_text.is_empty(), new_text.is_empty()) {
            (true, _) => format!(
                "{key} is not in the routing snapshot; run `bus-contract snapshot` and review"
            ),
            (_, true) => format!("{key} is in the routing snapshot but is no longer an example"),
            _ if ws.has_overlays() => format!(
                "the rules {key} hits have changed: the registry's routing snapshot will need `bus-contract snapshot` when this contract lands there"
            ),
            _ => format!(
                "the rules {key} hits have changed; review, then run `bus-contract snapshot`"
            ),
        };
        let diff = similar::TextDiff::from_lines(old_text, new_text)
            .unified_diff()
            .context_radius(3)
            .header(file, "current routing")
            .to_string();
        let at = old_line.map_or(Location::File, |l| Location::LineColumn(l, 1));
        let mut f =
            Finding::new(Code::RoutingChanged, file, at, message).evidence(Evidence::Diff(diff));
        // With an overlay, the snapshot is the platform's, which the overlaid contract cannot
        // update: the difference is worth seeing, not failing on.
        if ws.has_overlays() {
            f = f.severity(crate::check::Severity::Warning);
        }
        out.push(f);
    }
}
