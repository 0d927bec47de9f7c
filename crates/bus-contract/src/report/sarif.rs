//! SARIF 2.1.0, for code scanning: a result per finding, with the finding's code as its rule.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{evidence_text, is_local_file};
use crate::diag::{Code, Location, Report};

/// A relative path as a URI reference: every byte but the unreserved ones and `/`
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Report {
    /// The report as a SARIF 2.1.0 log: one run of the tool `bus-contract`, whose rules are
    /// the finding codes (each with its default level), and one result per finding: its code,
    /// level, message, and location. A file of the checked directory is an artifact relative
    /// to `%SRCROOT%` with the line and column where the finding has them; a JSON pointer is a
    /// logical location; an imported rule's logical id, construct path or Terraform address is
    /// one too. The service, rule and event are the result's properties, and the evidence is
    /// the `evidence` property.
    pub fn to_sarif(&self) -> Value {
        let rules: Vec<Value> = Code::ALL
            .iter()
            .map(|c| {
                json!({
                    "id": c.as_str(),
                    "name": c.as_str(),
                    "shortDescription": {"text": c.summary()},
                    "defaultConfiguration": {"level": c.default_severity().as_str()},
                })
            })
            .collect();
        let results: Vec<Value> = self
            .findings
            .iter()
            .map(|f| {
                let index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
                let mut location = serde_json::Map::new();
                let mut logical = Vec::new();
                if is_local_file(&f.file) {
                    let mut physical = json!({
                        "artifactLocation": {"uri": uri(&f.file), "uriBaseId": "%SRCROOT%"},
                    });
                    if let Location::LineColumn(line, column) = f.location {
                        physical["region"] = json!({
                            "startLine": line.max(1),
                            "startColumn": column.max(1),
                        });
                    }
                    location.insert("physicalLocation".into(), physical);
                } else if !f.file.is_empty() {
                    logical.push(json!({"fullyQualifiedName": f.file, "kind": "module"}));
                }
                if let Location::Pointer(p) = &f.location {
                    logical.push(json!({"fullyQualifiedName": p, "kind": "member"}));
                }
                if let Some(o) = &f.origin {
                    logical.push(json!({"fullyQualifiedName": o, "kind": "resource"}));
                }
                if !logical.is_empty() {
                    location.insert("logicalLocations".into(), Value::Array(logical));
                }
                let mut properties = serde_json::Map::new();
                for (key, value) in [
                    ("service", &f.service),
                    ("rule", &f.rule),
                    ("event", &f.event),
                ] {
                    if let Some(v) = value {
                        properties.insert(key.into(), v.clone().into());
                    }
                }
                if let Some(e) = evidence_text(f) {
                    properties.insert("evidence".into(), e.into());
                }
                let mut result = json!({
                    "ruleId": f.code.as_str(),
                    "ruleIndex": index,
                    "level": f.severity.as_str(),
                    "message": {"text": f.message},
                    "locations": if location.is_empty() { vec![] } else { vec![Value::Object(location)] },
                });
                if !properties.is_empty() {
                    result["properties"] = Value::Object(properties);
                }
                result
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "bus-contract",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        })
    }

    /// Writes [`Report::to_sarif`], pretty-printed.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_sarif(&self, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &self.to_sarif())?;
        writeln!(w)
    }
}
