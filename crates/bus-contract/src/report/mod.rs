//! The renderers of a [`Report`]: human text, JSON, JUnit XML, SARIF and GitHub Actions
//! workflow commands. The report itself is data, in `diag`; renderers write to any
//! [`std::io::Write`], and the caller decides about color.

mod github;
mod junit;
mod sarif;

use std::collections::BTreeMap;
use std::io::{self, Write};

use colored::Colorize;

use crate::diag::{Evidence, Finding, Location, Report, ServiceSummary, Severity};

/// The parts of a witness event a reader needs: source, detail-type and detail.
fn witness_summary(example: &str) -> String {
    let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str::<serde_json::Value>(example)
    else {
        return example.to_string();
    };
    m.retain(|k, _| matches!(k.as_str(), "source" | "detail-type" | "detail"));
    serde_json::Value::Object(m).to_string()
}

impl Report {
    /// Panics with the human report when there are errors; for `cargo test`.
    ///
    /// # Panics
    /// When the report has at least one error.
    pub fn assert_ok(&self) {
        if !self.is_ok() {
            let mut text = Vec::new();
            let _ = self.write_human(&mut text, false);
            panic!(
                "bus-contract check failed:\n{}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    /// Writes the report for people: findings grouped by service, then a summary line.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_human(&self, w: &mut dyn Write, color: bool) -> io::Result<()> {
        self.human(w, color, false)
    }

    /// Writes the human report's findings and its verdict, and nothing else: no list of
    /// clean services, no witnesses, no counts (`check --quiet`).
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_findings(&self, w: &mut dyn Write, color: bool) -> io::Result<()> {
        self.human(w, color, true)
    }

    fn human(&self, w: &mut dyn Write, color: bool, brief: bool) -> io::Result<()> {
        let paint = |s: &str, f: fn(&str) -> colored::ColoredString| {
            if color {
                f(s).to_string()
            } else {
                s.to_string()
            }
        };
        let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            groups
                .entry(f.service.as_deref().unwrap_or("(workspace)"))
                .or_default()
                .push(f);
        }
        for (service, findings) in &groups {
            writeln!(w, "{}", paint(service, |s| s.bold()))?;
            for f in findings {
                let label = format!("{}[{}]", f.severity.as_str(), f.code);
                let label = match f.severity {
                    Severity::Error => paint(&label, |s| s.red().bold()),
                    Severity::Warning => paint(&label, |s| s.yellow().bold()),
                };
                let place = place(f);
                let place = match &f.origin {
                    Some(o) => format!("{place} ({o})"),
                    None => place,
                };
                writeln!(w, "  {label} {}", paint(&place, |s| s.dimmed()))?;
                writeln!(w, "    {}", f.message)?;
                if let (Some(e), Some(text)) = (&f.evidence, evidence_text(f)) {
                    for line in text.lines() {
                        let line = if color && matches!(e, Evidence::Diff(_)) {
                            if line.starts_with('+') && !line.starts_with("+++") {
                                line.green().to_string()
                            } else if line.starts_with('-') && !line.starts_with("---") {
                                line.red().to_string()
                            } else {
                                line.to_string()
                            }
                        } else {
                            line.to_string()
                        };
                        writeln!(w, "      {line}")?;
                    }
                }
            }
            writeln!(w)?;
        }
        let line = self.verdict();
        let line = if self.is_ok() {
            paint(&line, |s| s.green().bold())
        } else {
            paint(&line, |s| s.red().bold())
        };
        if brief {
            return writeln!(w, "{line}");
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let width = self
            .services
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0);
        for s in self
            .services
            .iter()
            .filter(|s| !groups.contains_key(s.name.as_str()))
        {
            let mut parts = Vec::new();
            if s.events > 0 {
                parts.push(format!("publishes {}", plural(s.events, "event")));
            }
            match (s.rules, s.filters) {
                (0, 0) => {}
                (r, 0) => parts.push(format!("subscribes with {}", plural(r, "rule"))),
                (0, f) => parts.push(format!("subscribes with {}", plural(f, "filter"))),
                (r, f) => parts.push(format!(
                    "subscribes with {} and {}",
                    plural(r, "rule"),
                    plural(f, "filter")
                )),
            }
            writeln!(
                w,
                "{} {:width$}  {}",
                paint("✓", |s| s.green()),
                s.name,
                parts.join(", ")
            )?;
        }
        if !self.witnesses.is_empty() {
            writeln!(
                w,
                "\nwitnesses: a generated valid event each rule (or filter) takes"
            )?;
            for wit in &self.witnesses {
                writeln!(
                    w,
                    "  {}/{} ← {}  {}",
                    wit.service,
                    wit.rule,
                    wit.event,
                    paint(&witness_summary(&wit.example), |s| s.dimmed())
                )?;
            }
        }
        let total = |f: fn(&ServiceSummary) -> usize| self.services.iter().map(f).sum::<usize>();
        let filters = match total(|s| s.filters) {
            0 => String::new(),
            n => format!(", {}", plural(n, "filter")),
        };
        writeln!(
            w,
            "\nchecked {}, {}, {}{filters} and {} in {}",
            plural(self.services.len(), "service"),
            plural(total(|s| s.events), "event"),
            plural(total(|s| s.rules), "rule"),
            plural(total(|s| s.examples), "example"),
            self.environments.join(", ")
        )?;
        writeln!(w, "{line}")
    }

    /// The last line of the human report: `✓ check passed: no errors, 2 warnings` or
    /// `✗ check failed: 1 error, 0 warnings`.
    pub fn verdict(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let (errors, warnings) = (self.errors(), self.warnings());
        if errors == 0 {
            format!("✓ check passed: no errors, {}", plural(warnings, "warning"))
        } else {
            format!(
                "✗ check failed: {}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            )
        }
    }

    /// The report as one JSON document: `{"schema": 1, "findings": [...], "summary": {...}}`.
    pub fn to_json(&self) -> serde_json::Value {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                let (line, column) = match f.location {
                    Location::LineColumn(l, c) => (Some(l), Some(c)),
                    _ => (None, None),
                };
                let evidence = match &f.evidence {
                    None => serde_json::Value::Null,
                    Some(Evidence::Event(e)) => serde_json::json!({
                        "kind": "event",
                        "event": serde_json::from_str::<serde_json::Value>(e).unwrap_or_else(|_| e.clone().into()),
                    }),
                    Some(Evidence::Diff(d)) => serde_json::json!({"kind": "diff", "diff": d}),
                    Some(Evidence::Text(t)) => serde_json::json!({"kind": "text", "text": t}),
                };
                serde_json::json!({
                    "code": f.code.as_str(),
                    "severity": f.severity.as_str(),
                    "service": f.service,
                    "rule": f.rule,
                    "event": f.event,
                    "file": f.file,
                    "origin": f.origin,
                    "location": f.location.to_string(),
                    "line": line,
                    "column": column,
                    "message": f.message,
                    "evidence": evidence,
                })
            })
            .collect();
        let mut by_code = BTreeMap::new();
        for f in &self.findings {
            *by_code.entry(f.code.as_str()).or_insert(0usize) += 1;
        }
        let witnesses: Vec<serde_json::Value> = self
            .witnesses
            .iter()
            .map(|w| {
                serde_json::json!({
                    "service": w.service,
                    "rule": w.rule,
                    "expects": w.event,
                    "evidence": {
                        "kind": "event",
                        "event": serde_json::from_str::<serde_json::Value>(&w.example).unwrap_or_default(),
                    },
                })
            })
            .collect();
        serde_json::json!({
            "schema": 1,
            "findings": findings,
            "witnesses": witnesses,
            "summary": {
                "ok": self.is_ok(),
                "errors": self.errors(),
                "warnings": self.warnings(),
                "by_code": by_code,
            },
        })
    }

    /// Writes [`Report::to_json`], pretty-printed.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_json(&self, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &self.to_json())?;
        writeln!(w)
    }
}

/// What a finding is about, for a test case's name: its rule, else its event, else its place.
fn subject(f: &Finding) -> String {
    match (&f.rule, &f.event) {
        (Some(rule), Some(event)) => format!("{rule} ← {event}"),
        (Some(rule), None) => rule.clone(),
        (None, Some(event)) => event.clone(),
        (None, None) => place(f),
    }
}

/// `file:line:column`, `file /pointer` or `file`.
fn place(f: &Finding) -> String {
    match &f.location {
        Location::File => f.file.clone(),
        Location::LineColumn(l, c) => format!("{}:{l}:{c}", f.file),
        Location::Pointer(p) => format!("{} {p}", f.file),
    }
}

/// The evidence as text, or nothing.
fn evidence_text(f: &Finding) -> Option<&str> {
    f.evidence.as_ref().map(|e| match e {
        Evidence::Event(t) | Evidence::Text(t) | Evidence::Diff(t) => t.as_str(),
    })
}

/// Whether a finding's file is a path in the checked directory, rather than a file of the
/// registry a service repo is checked against (named `bellyfed:contracts/…`).
fn is_local_file(file: &str) -> bool {
    !file.is_empty()
        && !file
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains('/'))
}
