//! GitHub Actions workflow commands: an annotation per finding, on its file and line.

use std::io::{self, Write};

use super::{evidence_text, is_local_file, place};
use crate::diag::{Location, Report, Severity};

/// A command's message: `%`, CR and LF escaped.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: the message's escapes, and `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Report {
    /// Writes GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`
    /// (or `::warning`) for each finding, with its evidence on the following lines of the
    /// annotation, then the verdict as a plain line. A finding about a file outside the checked
    /// directory (the registry a service repo is checked against) names it in its message
    /// instead.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_github(&self, w: &mut dyn Write) -> io::Result<()> {
        for f in &self.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut properties = Vec::new();
            let mut message = String::new();
            if is_local_file(&f.file) {
                properties.push(format!("file={}", escape_property(&f.file)));
                match &f.location {
                    Location::LineColumn(l, c) => {
                        properties.push(format!("line={l}"));
                        properties.push(format!("col={c}"));
                    }
                    Location::Pointer(p) => message.push_str(&format!("at {p}: ")),
                    Location::File => {}
                }
            } else if !f.file.is_empty() {
                message.push_str(&format!("{}: ", place(f)));
            }
            let title = match &f.service {
                Some(s) => format!("{} ({s})", f.code),
                None => f.code.to_string(),
            };
            properties.push(format!("title={}", escape_property(&title)));
            message.push_str(&f.message);
            if let Some(e) = evidence_text(f) {
                message.push('\n');
                message.push_str(e);
            }
            writeln!(
                w,
                "::{command} {}::{}",
                properties.join(","),
                escape_data(&message)
            )?;
        }
        writeln!(w, "{}", self.verdict())
    }
}
