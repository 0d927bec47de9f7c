//! `bus-contract import`: imported rules as a contract's `subscribes` entries.

use std::fmt::Write as _;

use super::{ConsumerFacts, Imported, ImportedTarget, TargetInput};

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

/// The keys that say what a target is sent, when it is not the event.
fn input_keys(t: &ImportedTarget, indent: &str) -> String {
    match &t.input {
        TargetInput::Event => String::new(),
        TargetInput::Path(p) => format!("{indent}input-path: {}\n", scalar(p)),
        TargetInput::Constant(c) => format!("{indent}input: {}\n", scalar(c)),
        TargetInput::Transformed => format!("{indent}input-transformer: true\n"),
    }
}

/// Where an imported item was read, for its comment.
fn place(file: &str, location: &crate::diag::Location) -> String {
    match location.to_string() {
        l if l.is_empty() => file.to_string(),
        l if l.starts_with('/') => format!("{file} {l}"),
        l => format!("{file}:{l}"),
    }
}

/// The `consumer:` key of what templates say of a consumer.
fn consumer_key(c: &ConsumerFacts) -> String {
    let mut parts = Vec::new();
    let mut num = |k: &str, v: Option<i64>| {
        if let Some(v) = v {
            parts.push(format!("{k}: {v}"));
        }
    };
    num("timeout", c.timeout);
    num("queue-visibility-timeout", c.visibility_timeout);
    num("batch-size", c.batch_size);
    num("batching-window", c.batching_window);
    num("maximum-concurrency", c.maximum_concurrency);
    num("reserved-concurrency", c.reserved_concurrency);
    if let Some(k) = c.source_kind.and_then(crate::Dialect::source_kind_name) {
        parts.push(format!("source: {k}"));
    }
    if let Some(r) = c.report_batch_item_failures {
        parts.push(format!("report-batch-item-failures: {r}"));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// Prints what `imported` holds as the contract of `service`: one `subscribes` entry per rule
/// and per filter, with a comment saying where each came from, and the alarms and consumers
/// its templates give them. Loaded back, the contract routes, filters and is held to the
/// practices as the templates are.
pub fn to_contract_yaml(service: &str, imported: &Imported) -> String {
    let (rules, filters) = (&imported.rules, &imported.filters);
    let filtered = imported.filtered();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `bus-contract import`. Add `expects` and `uses` to each rule, so that\n# `bus-contract check` can hold producers to them."
    );
    let _ = writeln!(out, "service: {}", scalar(service));
    if rules.is_empty() && filters.is_empty() {
        let _ = writeln!(out, "subscribes: []");
        return out;
    }
    let _ = writeln!(out, "subscribes:");
    for r in rules {
        let _ = writeln!(out, "  # {} ({})", r.origin, place(&r.file, &r.location));
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
                out.push_str(&input_keys(t, "    "));
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
                    out.push_str(&input_keys(t, "        "));
                }
            }
        }
        let mut alarms = Vec::new();
        if let Some(a) = imported.rule_alarm(&r.name) {
            alarms.push(format!("failed-invocations: {}", scalar(a)));
        }
        let queues: Vec<&str> = r
            .targets
            .iter()
            .filter_map(|t| t.dead_letter_queue.as_deref())
            .collect();
        // One alarm name stands for every queue: written only when each has one.
        let queue_alarms: Vec<&str> = queues
            .iter()
            .filter_map(|q| imported.queue_alarm(q))
            .collect();
        if !queues.is_empty() && queue_alarms.len() == queues.len() {
            alarms.push(format!("dead-letter-queue: {}", scalar(queue_alarms[0])));
        }
        if !alarms.is_empty() {
            let _ = writeln!(out, "    alarms: {{ {} }}", alarms.join(", "));
        }
        if let Some(c) = r
            .targets
            .first()
            .and_then(|t| imported.target_consumer(&t.name, &filtered))
        {
            let _ = writeln!(out, "    consumer: {}", consumer_key(&c));
        }
    }
    for f in filters.iter() {
        let _ = writeln!(out, "  # {} ({})", f.origin, place(&f.file, &f.location));
        for n in &f.unresolved {
            let _ = writeln!(out, "  # unresolved at {}: {}", n.location, n.message);
        }
        let Some(dialect) = f.dialect else {
            let _ = writeln!(
                out,
                "  # not written: the kind of source it reads, which decides its dialect, is not known offline"
            );
            continue;
        };
        let _ = writeln!(out, "  - filter: {}", scalar(&f.name));
        let _ = writeln!(out, "    dialect: {}", dialect.name());
        if dialect == crate::Dialect::Pipes {
            // A pipe whose source is not known is written unresolved; sqs stands in.
            let kind = f
                .source_kind
                .and_then(crate::Dialect::source_kind_name)
                .unwrap_or("sqs");
            let _ = writeln!(out, "    source-kind: {kind}");
        }
        let _ = writeln!(out, "    source: {}", scalar(&f.source));
        let _ = writeln!(out, "    patterns:");
        for p in &f.patterns {
            match pattern(p) {
                Ok(line) => {
                    let _ = writeln!(out, "      - {line}");
                }
                Err(e) => {
                    let _ = writeln!(out, "      # not JSON ({e}); as written:");
                    let _ = writeln!(out, "      - {}", scalar(p));
                }
            }
        }
        if let Some(t) = &f.target {
            let _ = writeln!(out, "    target: {}", scalar(t));
        }
        if f.unmatchable {
            let _ = writeln!(out, "    state: unresolved");
        } else if !f.enabled {
            let _ = writeln!(out, "    state: disabled");
        }
        if let Some(c) = imported.mapping_consumer(&f.origin) {
            let _ = writeln!(out, "    consumer: {}", consumer_key(&c));
        }
    }
    out
}
