//! The report `check` returns: its findings, the services' summaries and the witnesses, as
//! plain data. The renderers (human text, JSON, JUnit XML) live in `report`.

use super::{Code, Finding, Severity};

/// The outcome of [`crate::Workspace::check`]: findings in a deterministic order (file,
/// location, code), and their counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub(crate) findings: Vec<Finding>,
    pub(crate) services: Vec<ServiceSummary>,
    pub(crate) environments: Vec<String>,
    pub(crate) witnesses: Vec<Witness>,
}

/// A generated event, valid under the producer's schema, that a rule matches: the proof that
/// the rule can receive an event it expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The subscribing service.
    pub service: String,
    /// The rule.
    pub rule: String,
    /// The expected event's name.
    pub event: String,
    /// The witness, as compact JSON.
    pub example: String,
}

/// What one service's contract holds, for the report's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceSummary {
    pub(crate) name: String,
    /// The contract file (or the first import) the service comes from.
    pub(crate) file: String,
    pub(crate) events: usize,
    pub(crate) rules: usize,
    /// Consumers that filter a queue, stream or topic.
    pub(crate) filters: usize,
    pub(crate) examples: usize,
}

impl Report {
    pub(crate) fn new(
        findings: Vec<Finding>,
        mut services: Vec<ServiceSummary>,
        environments: Vec<String>,
        mut witnesses: Vec<Witness>,
    ) -> Report {
        services.sort_by(|a, b| a.name.cmp(&b.name));
        witnesses
            .sort_by(|a, b| (&a.service, &a.rule, &a.event).cmp(&(&b.service, &b.rule, &b.event)));
        Report {
            findings,
            services,
            environments,
            witnesses,
        }
    }

    /// A witness for each (rule, expected event) pair that has one.
    pub fn witnesses(&self) -> &[Witness] {
        &self.witnesses
    }

    /// Every finding, sorted by file, location and code.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// How many findings are errors.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// How many findings are warnings.
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }

    /// Whether the gate passes: no errors (warnings are allowed).
    pub fn is_ok(&self) -> bool {
        self.errors() == 0
    }

    /// The findings with this code.
    pub fn with_code(&self, code: Code) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.code == code).collect()
    }
}
