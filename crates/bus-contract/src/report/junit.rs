//! JUnit XML, valid against the schema Jenkins reads: a test suite per service (and one for
//! the workspace's own files), a test case per (check, subject).

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{evidence_text, place, subject};
use crate::diag::{Code, Finding, Report, Severity};

const WORKSPACE: &str = "(workspace)";

impl Report {
    /// Writes JUnit XML: a test suite per service (and one, `(workspace)`, for findings that
    /// belong to no service), whose `file` attribute is the service's contract.
    ///
    /// In each suite, a check (finding code) that found nothing is one passing test case named
    /// after the code. A check that found something has a test case per subject (the rule,
    /// the event, or the place the findings are about), named `code: subject`: failed when
    /// it has errors, with every error's message in the failure's `message` and each one's
    /// `file:line:column`, message and evidence in its body; warnings go to the case's
    /// `system-out`. The schema has no `file` or `line` attribute on a test case, so the
    /// places are in the text.
    ///
    /// `services` names services to list even when the report has no summary of them.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_junit(&self, w: &mut dyn Write, services: &[&str]) -> io::Result<()> {
        let mut report = quick_junit::Report::new("bus-contract check");
        let mut files: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        for s in &self.services {
            files.insert(&s.name, Some(&s.file));
        }
        for s in services {
            files.entry(s).or_insert(None);
        }
        files.entry(WORKSPACE).or_insert(None);
        for f in &self.findings {
            files
                .entry(f.service.as_deref().unwrap_or(WORKSPACE))
                .or_insert(None);
        }
        for (name, file) in files {
            let mut suite = TestSuite::new(name);
            if let Some(file) = file {
                suite.extra.insert("file".into(), file.into());
            }
            for code in Code::ALL {
                let mut by_subject: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
                for f in self
                    .findings
                    .iter()
                    .filter(|f| f.code == code && f.service.as_deref().unwrap_or(WORKSPACE) == name)
                {
                    by_subject.entry(subject(f)).or_default().push(f);
                }
                if by_subject.is_empty() {
                    let mut case = TestCase::new(code.as_str(), TestCaseStatus::success());
                    case.set_classname(name);
                    suite.add_test_case(case);
                }
                for (subject, found) in by_subject {
                    suite.add_test_case(case(name, code, &subject, &found));
                }
            }
            report.add_test_suite(suite);
        }
        let xml = report.to_string().map_err(io::Error::other)?;
        // The schema allows `skipped` on a test suite but not on the root.
        let xml = match xml.split_once("<testsuites ") {
            Some((head, rest)) => {
                let (root, tail) = rest.split_once('>').unwrap_or((rest, ""));
                let root: Vec<&str> = root
                    .split(' ')
                    .filter(|a| !a.starts_with("skipped="))
                    .collect();
                format!("{head}<testsuites {}>{tail}", root.join(" "))
            }
            None => xml,
        };
        writeln!(w, "{xml}")
    }
}

fn case(suite: &str, code: Code, subject: &str, found: &[&Finding]) -> TestCase {
    let describe = |fs: &[&&Finding]| {
        fs.iter()
            .map(|f| {
                let mut text = format!("{}: {}: {}", place(f), f.severity.as_str(), f.message);
                if let Some(e) = evidence_text(f) {
                    for line in e.lines() {
                        text.push_str("\n    ");
                        text.push_str(line);
                    }
                }
                text
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let errors: Vec<&&Finding> = found
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let warnings: Vec<&&Finding> = found
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    let status = if errors.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let messages: Vec<&str> = errors.iter().map(|f| f.message.as_str()).collect();
        s.set_message(messages.join("; "));
        s.set_type(code.as_str());
        s.set_description(describe(&errors));
        s
    };
    let mut case = TestCase::new(format!("{code}: {subject}"), status);
    case.set_classname(suite);
    if !warnings.is_empty() {
        case.set_system_out(describe(&warnings));
    }
    case
}
