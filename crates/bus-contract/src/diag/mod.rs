//! Diagnostics, the bottom layer every reader and check reports through: findings (code,
//! severity, location, evidence) and the [`Report`] that gathers them. Plain data that depends
//! on the standard library alone; the renderers live in `report`.

mod report;

pub(crate) use report::ServiceSummary;
pub use report::{Report, Witness};

use std::fmt;

/// The stable code of a finding. The README lists what each one means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// YAML that does not parse or does not fit the format; unknown keys; missing files.
    InvalidContract,
    /// EventBridge would reject the pattern; the message is EventBridge's reason.
    InvalidPattern,
    /// An expected event is published by no service on the rule's bus.
    NoProducer,
    /// No valid instance of an expected event matches the pattern.
    Unsatisfiable,
    /// With `every: true`, a valid instance of the event that the pattern misses.
    PartialCoverage,
    /// The pattern also matches valid instances of an event the rule neither expects nor
    /// lists in `also-accepts`. An error: the handler would receive what it did not declare.
    UnexpectedEvent,
    /// Neither static reasoning nor the generated cases settle whether a rule can receive an
    /// expected event.
    Undecided,
    /// A `uses` field is not guaranteed by every expected event's schema.
    MissingField,
    /// A published event no rule expects.
    OrphanEvent,
    /// An example violates its schema, the envelope, its declared source or detail-type, or
    /// the size limit.
    InvalidExample,
    /// The rules an example hits differ from the routing snapshot.
    RoutingChanged,
    /// A bus, event, source or detail-type name breaks the conventions.
    Naming,
    /// A service publishes to a bus of another domain.
    CrossDomain,
    /// A subscription has no dead-letter queue.
    NoDeadLetterQueue,
    /// A retry policy is missing, or outside EventBridge's limits.
    RetryPolicy,
    /// One (source, detail-type) is declared twice on one bus.
    DuplicateEvent,
    /// An imported rule holds a value that cannot be resolved offline (`!ImportValue`, a
    /// parameter without a default, …). In a pattern, bus or state it is an error and the
    /// rule is never matched.
    UnresolvedValue,
    /// A plain YAML scalar in an imported pattern (`false`, `4.0`) whose type the
    /// template's reader decides.
    AmbiguousScalar,
    /// A DISABLED rule: reported, not matched.
    DisabledRule,
    /// Two rules of one name on one bus in one environment (EventBridge's rule names are
    /// unique per bus).
    DuplicateRule,
    /// A key written twice in an imported template: CloudFormation keeps the last value, and
    /// so does the import.
    DuplicateKey,
    /// A subscription's idempotency key is not guaranteed, as a string or a number, by every
    /// event it receives; or it names none where the platform requires one.
    IdempotencyKey,
    /// An event can be larger than its size budget or the bus's limit: an example over it, a
    /// schema whose largest instance is, or (where the platform asks for budgets) no budget or
    /// an unbounded schema.
    EventSize,
    /// A field a producer publishes that no consumer uses or routes on.
    UnusedField,
    /// A field marked `x-sensitive` reaches a bus or a consumer the platform does not allow.
    SensitiveField,
    /// A dead-letter queue without an alarm on its depth, or a rule without an alarm on its
    /// failed invocations.
    NoAlarm,
    /// A consumer's timeouts do not fit: a queue's visibility timeout under six times its
    /// function's timeout, or a retry policy's event age under one attempt.
    ConsumerTimeout,
    /// A batch size or batching window outside the service's limits.
    Batching,
    /// A batch consumer that does not report partial batch failures.
    PartialFailure,
    /// A consumer without a concurrency limit.
    Concurrency,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 30] = [
        Code::InvalidContract,
        Code::InvalidPattern,
        Code::NoProducer,
        Code::Unsatisfiable,
        Code::PartialCoverage,
        Code::UnexpectedEvent,
        Code::Undecided,
        Code::MissingField,
        Code::OrphanEvent,
        Code::InvalidExample,
        Code::RoutingChanged,
        Code::Naming,
        Code::CrossDomain,
        Code::NoDeadLetterQueue,
        Code::RetryPolicy,
        Code::DuplicateEvent,
        Code::UnresolvedValue,
        Code::AmbiguousScalar,
        Code::DisabledRule,
        Code::DuplicateRule,
        Code::DuplicateKey,
        Code::IdempotencyKey,
        Code::EventSize,
        Code::UnusedField,
        Code::SensitiveField,
        Code::NoAlarm,
        Code::ConsumerTimeout,
        Code::Batching,
        Code::PartialFailure,
        Code::Concurrency,
    ];

    /// The code as written in reports and in `bus-contract.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidContract => "invalid-contract",
            Code::InvalidPattern => "invalid-pattern",
            Code::NoProducer => "no-producer",
            Code::Unsatisfiable => "unsatisfiable",
            Code::PartialCoverage => "partial-coverage",
            Code::UnexpectedEvent => "unexpected-event",
            Code::Undecided => "undecided",
            Code::MissingField => "missing-field",
            Code::OrphanEvent => "orphan-event",
            Code::InvalidExample => "invalid-example",
            Code::RoutingChanged => "routing-changed",
            Code::Naming => "naming",
            Code::CrossDomain => "cross-domain",
            Code::NoDeadLetterQueue => "no-dead-letter-queue",
            Code::RetryPolicy => "retry-policy",
            Code::DuplicateEvent => "duplicate-event",
            Code::UnresolvedValue => "unresolved-value",
            Code::AmbiguousScalar => "ambiguous-scalar",
            Code::DisabledRule => "disabled-rule",
            Code::DuplicateRule => "duplicate-rule",
            Code::DuplicateKey => "duplicate-key",
            Code::IdempotencyKey => "idempotency-key",
            Code::EventSize => "event-size",
            Code::UnusedField => "unused-field",
            Code::SensitiveField => "sensitive-field",
            Code::NoAlarm => "no-alarm",
            Code::ConsumerTimeout => "consumer-timeout",
            Code::Batching => "batching",
            Code::PartialFailure => "partial-failure",
            Code::Concurrency => "concurrency",
        }
    }

    /// What a finding of this code means, in one sentence (SARIF's rule descriptions).
    pub fn summary(self) -> &'static str {
        match self {
            Code::InvalidContract => {
                "A workspace file does not parse, does not fit its format, or is missing."
            }
            Code::InvalidPattern => "EventBridge would reject the event pattern.",
            Code::NoProducer => {
                "A rule expects an event that no service publishes on the rule's bus."
            }
            Code::Unsatisfiable => {
                "No valid instance of an expected event can match the rule's pattern."
            }
            Code::PartialCoverage => {
                "A rule that expects every instance of an event misses some valid ones."
            }
            Code::UnexpectedEvent => {
                "A rule also matches valid instances of an event it does not expect."
            }
            Code::Undecided => {
                "Neither reasoning nor generated events settle whether a rule can receive an expected event."
            }
            Code::MissingField => {
                "A field a rule uses is not guaranteed by every event it expects."
            }
            Code::OrphanEvent => "A published event that no rule expects.",
            Code::InvalidExample => {
                "An example event violates its schema, the envelope or the size limit."
            }
            Code::RoutingChanged => "The rules an example hits differ from the routing snapshot.",
            Code::Naming => {
                "A bus, event, source or detail-type name breaks the platform's conventions."
            }
            Code::CrossDomain => "A service publishes to a bus of another domain.",
            Code::NoDeadLetterQueue => "A rule's target has no dead-letter queue.",
            Code::RetryPolicy => "A retry policy is missing or outside EventBridge's limits.",
            Code::DuplicateEvent => "One source and detail-type pair is declared twice on one bus.",
            Code::UnresolvedValue => "An imported value cannot be resolved offline.",
            Code::AmbiguousScalar => {
                "A plain YAML scalar in an imported pattern whose type the template's reader decides."
            }
            Code::DisabledRule => "A disabled rule: reported, not matched.",
            Code::DuplicateRule => "Two rules of one name on one bus in one environment.",
            Code::DuplicateKey => {
                "A key written twice in an imported template; the last value is kept."
            }
            Code::IdempotencyKey => {
                "A subscription's idempotency key is missing, or not guaranteed by every event it receives."
            }
            Code::EventSize => "An event can exceed its size budget or the bus's limit.",
            Code::UnusedField => "A published field that no consumer uses or routes on.",
            Code::SensitiveField => {
                "A sensitive field reaches a bus or a consumer the platform does not allow."
            }
            Code::NoAlarm => "A dead-letter queue or a rule has no alarm on its failures.",
            Code::ConsumerTimeout => {
                "A consumer's queue visibility timeout or retry age does not fit its function's timeout."
            }
            Code::Batching => "A batch size or batching window is outside the service's limits.",
            Code::PartialFailure => "A batch consumer does not report partial batch failures.",
            Code::Concurrency => "A consumer has no concurrency limit.",
        }
    }

    /// Parses a code's name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// ` (did you mean `x`?)` for a misspelt code's name, or nothing.
    pub(crate) fn hint(name: &str) -> String {
        crate::suggest::hint(name, Code::ALL.iter().map(|c| c.as_str()))
    }

    /// Parses a code's name, or says why not, with the nearest code's name.
    ///
    /// # Errors
    /// When no code has this name.
    pub fn parse(name: &str) -> Result<Code, String> {
        Code::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            format!(
                "unknown finding code `{name}`{}; the codes are {}",
                Code::hint(name),
                names.join(", ")
            )
        })
    }

    /// The severity a finding of this code has unless `bus-contract.yaml` says otherwise.
    pub fn default_severity(self) -> Severity {
        match self {
            Code::OrphanEvent
            | Code::Undecided
            | Code::AmbiguousScalar
            | Code::DisabledRule
            | Code::DuplicateKey => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a finding is. Errors fail the gate; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fails the gate.
    Error,
    /// Reported, but does not fail the gate.
    Warning,
}

impl Severity {
    /// A severity setting as `severities` in `bus-contract.yaml` and `--severity` write it:
    /// `error`, `warning`, or `off` (`Some(None)`: the code is not reported). `None` for any
    /// other word.
    pub fn setting(word: &str) -> Option<Option<Severity>> {
        match word {
            "error" => Some(Some(Severity::Error)),
            "warning" => Some(Some(Severity::Warning)),
            "off" => Some(None),
            _ => None,
        }
    }

    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where in a file a finding points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Location {
    /// The whole file.
    #[default]
    File,
    /// A 1-based line and column.
    LineColumn(u64, u64),
    /// A JSON pointer into the file (or into an inline value).
    Pointer(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::LineColumn(l, c) => write!(f, "{l}:{c}"),
            Location::Pointer(p) => f.write_str(p),
        }
    }
}

/// Supporting material for a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Evidence {
    /// An event, as JSON text.
    Event(String),
    /// A unified diff.
    Diff(String),
    /// Free text, one reason per line.
    Text(String),
}

/// One problem `check` found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Finding {
    /// The file the finding is about, as named in the workspace.
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// The stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The service whose contract the finding is about, when there is one.
    pub service: Option<String>,
    /// For a finding about an imported rule: its logical id, CDK construct path or
    /// Terraform address.
    pub origin: Option<String>,
    /// The rule the finding is about, when there is one.
    pub rule: Option<String>,
    /// The published event (its contract name, such as `user.profile.updated`) the finding is
    /// about, when there is one.
    pub event: Option<String>,
    /// One line saying what is wrong.
    pub message: String,
    /// Supporting material.
    pub evidence: Option<Evidence>,
}

impl Finding {
    pub(crate) fn new(
        code: Code,
        file: impl Into<String>,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            file: file.into(),
            location,
            code,
            severity: code.default_severity(),
            service: None,
            origin: None,
            rule: None,
            event: None,
            message: message.into(),
            evidence: None,
        }
    }

    pub(crate) fn service(mut self, service: Option<&str>) -> Self {
        self.service = service.map(String::from);
        self
    }

    pub(crate) fn origin(mut self, origin: Option<&str>) -> Self {
        self.origin = origin.map(String::from);
        self
    }

    pub(crate) fn rule(mut self, rule: &str) -> Self {
        self.rule = Some(rule.to_string());
        self
    }

    pub(crate) fn event(mut self, event: &str) -> Self {
        self.event = Some(event.to_string());
        self
    }

    pub(crate) fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = Some(evidence);
        self
    }

    pub(crate) fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}
