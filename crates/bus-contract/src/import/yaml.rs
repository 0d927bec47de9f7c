//! `bus-contract import`: imported rules as a contract's `subscribes` entries.

use std::fmt::Write as _;

use super::ImportedRule;

/// A scalar as YAML: plain when that reads back as the same string, else JSON-quoted (which
/// YAML reads as a double-quoted string).
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

/// The pattern as one line of JSON, which YAML reads as a flow mapping. Keys keep their
/// order; JSON has line breaks only between tokens, so a break and the blanks around it
/// become one space. Numbers are written as they are, whatever their size.
fn pattern(text: &str) -> Result<String, String> {
    // The crate's own reader: numbers keep their text, even those past f64's range.
    crate::json::Value::parse(text).map_err(|e| e.message)?;
    let line = text
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(line)
}

/// Prints `rules` as the contract of `service`: one `subscribes` entry per rule, with a
/// comment saying where each came from. Loaded back, the contract routes as the rules do.
pub fn to_contract_yaml(service: &str, rules: &[ImportedRule]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `bus-contract import`. Add `expects` and `uses` to each rule, so that\n# `bus-contract check` can hold producers to them."
    );
    let _ = writeln!(out, "service: {}", scalar(service));
    if rules.is_empty() {
        let _ = writeln!(out, "subscribes: []");
        return out;
    }
    let _ = writeln!(out, "subscribes:");
    for r in rules {
        let place = match r.location.to_string() {
            l if l.is_empty() => r.file.clone(),
            l if l.starts_with('/') => format!("{} {l}", r.file),
            l => format!("{}:{l}", r.file),
        };
        let _ = writeln!(out, "  # {} ({place})", r.origin);
        for n in &r.unresolved {
            let _ = writeln!(out, "  # unresolved at {}: {}", n.location, n.message);
        }
        let _ = writeln!(out, "  - rule: {}", scalar(&r.name));
        let _ = writeln!(out, "    bus: {}", scalar(&r.bus));
        match pattern(&r.pattern) {
            Ok(p) => {
                let _ = writeln!(out, "    pattern: {p}");
            }
            Err(e) => {
                let _ = writeln!(out, "    # the pattern is not JSON ({e}); as written:");
                let _ = writeln!(out, "    pattern: {}", scalar(&r.pattern));
            }
        }
        if r.unmatchable {
            let _ = writeln!(out, "    state: unresolved");
        } else if !r.enabled {
            let _ = writeln!(out, "    state: disabled");
        }
        let policy = |t: &super::ImportedTarget| {
            t.has_retry_policy.then(|| {
                let mut parts = Vec::new();
                if let Some(a) = t.maximum_retry_attempts {
                    parts.push(format!("maximum-retry-attempts: {a}"));
                }
                if let Some(s) = t.maximum_event_age_seconds {
                    parts.push(format!("maximum-event-age-seconds: {s}"));
                }
                format!("{{ {} }}", parts.join(", "))
            })
        };
        match r.targets.as_slice() {
            [t] => {
                let _ = writeln!(out, "    target: {}", scalar(&t.name));
                if let Some(q) = &t.dead_letter_queue {
                    let _ = writeln!(out, "    dead-letter-queue: {}", scalar(q));
                }
                if let Some(p) = policy(t) {
                    let _ = writeln!(out, "    retry-policy: {p}");
                }
            }
            [] => {
                let _ = writeln!(out, "    targets: []");
            }
            many => {
                let _ = writeln!(out, "    targets:");
                for t in many {
                    let _ = writeln!(out, "      - target: {}", scalar(&t.name));
                    if let Some(q) = &t.dead_letter_queue {
                        let _ = writeln!(out, "        dead-letter-queue: {}", scalar(q));
                    }
                    if let Some(p) = policy(t) {
                        let _ = writeln!(out, "        retry-policy: {p}");
                    }
                }
            }
        }
    }
    out
}
