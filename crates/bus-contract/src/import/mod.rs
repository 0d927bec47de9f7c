//! Rules where teams already keep them: CloudFormation and SAM templates, CDK synth output
//! (`cdk.out`), Terraform modules (`.tf` files) and Terraform JSON (`terraform show -json`, of a
//! plan or of the state).
//!
//! [`import`] reads one of these and returns the EventBridge rules it deploys, each with its
//! bus, state, targets, dead-letter queues and retry policies, and where it was written.
//! CloudFormation's intrinsic functions are evaluated against parameter defaults, the given
//! parameters and the pseudo parameters; whatever cannot be known offline stays a placeholder
//! (`${unresolved:…}`) with a note, and a rule with one in its pattern, bus or state is never
//! matched.

mod cdk;
mod cfn;
pub(crate) mod eval;
mod facts;
mod filters;
mod hcl;
mod terraform;
pub(crate) mod tree;
mod yaml;

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::Location;

pub use eval::PLACEHOLDER;
pub use yaml::to_contract_yaml;

/// The formats [`import`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A CloudFormation template, JSON or YAML; SAM's serverless resources included.
    CloudFormation,
    /// A CDK cloud assembly: `cdk.out/manifest.json` and the templates it names.
    Cdk,
    /// `terraform show -json` of a plan or of the state.
    Terraform,
}

/// A rule found in infrastructure code.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImportedRule {
    /// The rule's name: its literal `Name`, or else the logical id (CloudFormation), the
    /// construct path (CDK) or the resource address (Terraform).
    pub name: String,
    /// The bus's name (an ARN is reduced to it); `default` when none is given.
    pub bus: String,
    /// The bus's account and region, when the bus's ARN or the stack says them: EventBridge
    /// identifies a bus by name, account and region, so same-named buses of two regions are two
    /// buses.
    pub bus_place: BusPlace,
    /// The pattern as EventBridge JSON text. It may hold placeholders.
    pub pattern: String,
    /// `false` for a DISABLED rule: EventBridge does not match it.
    pub enabled: bool,
    /// Where the rule's events go.
    pub targets: Vec<ImportedTarget>,
    /// The file the rule was read from.
    pub file: String,
    /// Where in the file: line and column (YAML) or a JSON pointer (JSON).
    pub location: Location,
    /// The logical id, CDK construct path or Terraform address.
    pub origin: String,
    /// Values that could not be resolved, with where each was written.
    pub unresolved: Vec<Note>,
    /// Warnings about how the template was read (plain YAML scalars in a pattern).
    pub warnings: Vec<Note>,
    /// Whether an unresolved value is in the pattern, the bus or the state, so that the rule
    /// cannot be matched.
    pub unmatchable: bool,
}

/// Where a bus lives: its account and region, each when known.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct BusPlace {
    /// The AWS account id.
    pub account: Option<String>,
    /// The region.
    pub region: Option<String>,
}

impl BusPlace {
    /// The account and region of an event bus ARN (`arn:aws:events:REGION:ACCOUNT:event-bus/NAME`),
    /// each when it is written literally; else the stack's, from `AWS::AccountId` and
    /// `AWS::Region`.
    pub(crate) fn of(bus: &str, parameters: &BTreeMap<String, String>) -> BusPlace {
        // A placeholder (`${unresolved:…}`) is not a place, nor is any part of one.
        let known = |s: &str| (!s.is_empty() && !s.contains('?')).then(|| s.to_string());
        // Placeholders hold `:` themselves: each stands for one unknown part.
        let mut plain = String::with_capacity(bus.len());
        let mut rest = bus;
        while let Some(i) = rest.find("${") {
            plain.push_str(&rest[..i]);
            plain.push('?');
            rest = rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]);
        }
        plain.push_str(rest);
        let bus = plain.as_str();
        let mut place = BusPlace {
            account: parameters.get("AWS::AccountId").and_then(|a| known(a)),
            region: parameters.get("AWS::Region").and_then(|r| known(r)),
        };
        let parts: Vec<&str> = bus.splitn(6, ':').collect();
        if bus.starts_with("arn:") && parts.len() == 6 && parts[2] == "events" {
            if let Some(r) = known(parts[3]) {
                place.region = Some(r);
            }
            if let Some(a) = known(parts[4]) {
                place.account = Some(a);
            }
        }
        place
    }

    /// Whether two places may be one: they differ only where both are known.
    pub fn may_be_same(&self, other: &BusPlace) -> bool {
        let agree = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        agree(&self.account, &other.account) && agree(&self.region, &other.region)
    }
}

/// One target of an imported rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedTarget {
    /// The target's `Id`.
    pub id: String,
    /// What it names: a resource's literal name, its logical id or address, or the last part
    /// of an ARN.
    pub name: String,
    /// The dead-letter queue, named the same way.
    pub dead_letter_queue: Option<String>,
    /// `MaximumRetryAttempts`.
    pub maximum_retry_attempts: Option<i64>,
    /// `MaximumEventAgeInSeconds`.
    pub maximum_event_age_seconds: Option<i64>,
    /// Whether the target has a retry policy at all.
    pub has_retry_policy: bool,
    /// What the target is sent: the event, or what `Input`, `InputPath` or
    /// `InputTransformer` make of it.
    pub input: TargetInput,
}

/// What a rule sends its target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetInput {
    /// The matched event, as JSON (the default).
    #[default]
    Event,
    /// The part of the event an `InputPath` selects, written as a `JSONPath` (`$.detail`).
    Path(String),
    /// A constant `Input`, the same text for every event.
    Constant(String),
    /// What an `InputTransformer` makes: not worked out offline.
    Transformed,
}

impl TargetInput {
    /// From what a target declares: whether it has a transformer, and its `input` and
    /// `input_path`, each `Some(None)` when given but not known offline. An empty text is as
    /// good as none (Terraform writes `""` for an unset attribute).
    pub(crate) fn of(
        transformer: bool,
        input: Option<Option<String>>,
        path: Option<Option<String>>,
    ) -> TargetInput {
        if transformer {
            return TargetInput::Transformed;
        }
        let given = |v: Option<Option<String>>| v.filter(|v| v.as_deref() != Some(""));
        match (given(input), given(path)) {
            (Some(Some(text)), _) => TargetInput::Constant(text),
            (Some(None), _) | (None, Some(None)) => TargetInput::Transformed,
            (None, Some(Some(path))) => TargetInput::Path(path),
            (None, None) => TargetInput::Event,
        }
    }
}

/// An alarm (`AWS::CloudWatch::Alarm`) on one metric, as far as telling what it watches goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedAlarm {
    /// `AlarmName`, else the logical id or address.
    pub name: String,
    /// `Namespace` (`AWS/SQS`, `AWS/Events`).
    pub namespace: String,
    /// `MetricName`.
    pub metric: String,
    /// `Dimensions`, as name and value (`QueueName`, `RuleName`).
    pub dimensions: Vec<(String, String)>,
}

/// A Lambda function's settings that decide how it consumes events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedFunction {
    /// Named as a rule's targets are: its literal `FunctionName`, else its logical id or
    /// address.
    pub name: String,
    /// `Timeout`, seconds (Lambda's default, 3, when none is given).
    pub timeout: i64,
    /// `ReservedConcurrentExecutions`, when set.
    pub reserved_concurrency: Option<i64>,
    /// The file it is written in.
    pub file: String,
    /// Where in the file.
    pub location: Location,
}

/// An SQS queue's visibility timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedQueue {
    /// Named as a rule's targets are.
    pub name: String,
    /// `VisibilityTimeout`, seconds (SQS's default, 30, when none is given).
    pub visibility_timeout: i64,
}

/// A Lambda event-source mapping (a SAM function's queue or stream event included), filtered
/// or not: what it reads, what it invokes, and how it batches.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedMapping {
    /// The logical id, SAM event path or address: the same as its filter's `origin`, if it
    /// filters.
    pub origin: String,
    /// The queue or stream, named as a rule's targets are.
    pub source: String,
    /// The kind of source (`LambdaSqs`, …), when known.
    pub source_kind: Option<crate::Dialect>,
    /// The function it invokes.
    pub function: Option<String>,
    /// `BatchSize`.
    pub batch_size: Option<i64>,
    /// `MaximumBatchingWindowInSeconds`.
    pub batching_window: Option<i64>,
    /// Whether `FunctionResponseTypes` holds `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency`.
    pub maximum_concurrency: Option<i64>,
    /// The file it is written in.
    pub file: String,
    /// Where in the file.
    pub location: Location,
}

/// What consumes a subscription's events, as far as timeouts, batching and concurrency go:
/// the function a rule or mapping invokes, with the mapping's batching and its queue's
/// visibility timeout when it reads a queue. Templates say it, or a contract's `consumer:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConsumerFacts {
    /// The function's timeout, seconds.
    pub(crate) timeout: Option<i64>,
    /// The queue's visibility timeout, seconds, when the function reads a queue.
    pub(crate) visibility_timeout: Option<i64>,
    /// The kind of source batches come from (`LambdaSqs`, `LambdaKinesis`, …), when known.
    pub(crate) source_kind: Option<crate::Dialect>,
    pub(crate) batch_size: Option<i64>,
    /// `MaximumBatchingWindowInSeconds`.
    pub(crate) batching_window: Option<i64>,
    /// Whether `FunctionResponseTypes` holds `ReportBatchItemFailures`; `None` when not said.
    pub(crate) report_batch_item_failures: Option<bool>,
    /// The mapping's `ScalingConfig.MaximumConcurrency`.
    pub(crate) maximum_concurrency: Option<i64>,
    /// The function's reserved concurrency.
    pub(crate) reserved_concurrency: Option<i64>,
    /// Where it is said, for findings: the file and the place in it.
    pub(crate) file: String,
    pub(crate) location: Location,
}

impl ConsumerFacts {
    /// Whether it reads batches: an event-source mapping on a queue or a stream.
    pub(crate) fn batches(&self) -> bool {
        self.source_kind.is_some() || self.batch_size.is_some() || self.batching_window.is_some()
    }
}

/// The SQS metrics whose alarm watches a dead-letter queue.
const SQS_DEPTH: [&str; 3] = [
    "ApproximateNumberOfMessagesVisible",
    "ApproximateAgeOfOldestMessage",
    "NumberOfMessagesSent",
];

impl Imported {
    /// Adds what another import found: its rules, filters and the facts the practices read;
    /// its problems, warnings and unread notes too.
    pub fn extend(&mut self, other: Imported) {
        self.rules.extend(other.rules);
        self.filters.extend(other.filters);
        self.alarms.extend(other.alarms);
        self.functions.extend(other.functions);
        self.queues.extend(other.queues);
        self.mappings.extend(other.mappings);
        self.problems.extend(other.problems);
        self.warnings.extend(other.warnings);
        self.unread.extend(other.unread);
    }

    fn alarm(
        &self,
        namespace: &str,
        metrics: &[&str],
        dimension: &str,
        value: &str,
    ) -> Option<&str> {
        self.alarms
            .iter()
            .find(|a| {
                a.namespace == namespace
                    && metrics.contains(&a.metric.as_str())
                    && a.dimensions
                        .iter()
                        .any(|(k, v)| k == dimension && v == value)
            })
            .map(|a| a.name.as_str())
    }

    /// The alarm on a rule's `FailedInvocations`, by the rule's name.
    pub(crate) fn rule_alarm(&self, rule: &str) -> Option<&str> {
        self.alarm("AWS/Events", &["FailedInvocations"], "RuleName", rule)
    }

    /// The alarm on a queue's depth, by the queue's name.
    pub(crate) fn queue_alarm(&self, queue: &str) -> Option<&str> {
        self.alarm("AWS/SQS", &SQS_DEPTH, "QueueName", queue)
    }

    fn mapping_facts(&self, m: &ImportedMapping) -> ConsumerFacts {
        let f = m
            .function
            .as_deref()
            .and_then(|n| self.functions.iter().find(|f| f.name == n));
        ConsumerFacts {
            timeout: f.map(|f| f.timeout),
            visibility_timeout: self
                .queues
                .iter()
                .find(|q| q.name == m.source)
                .map(|q| q.visibility_timeout),
            source_kind: m.source_kind,
            batch_size: m.batch_size,
            batching_window: m.batching_window,
            report_batch_item_failures: Some(m.report_batch_item_failures),
            maximum_concurrency: m.maximum_concurrency,
            reserved_concurrency: f.and_then(|f| f.reserved_concurrency),
            file: m.file.clone(),
            location: m.location.clone(),
        }
    }

    /// What consumes a rule's target: the mapping that reads a queue of its name (a queue and
    /// its function are often named alike, and the mapping says the target is the queue),
    /// unless that mapping filters (it is then its filter's consumer), else a function of its
    /// name.
    pub(crate) fn target_consumer(
        &self,
        target: &str,
        filtered: &std::collections::BTreeSet<String>,
    ) -> Option<ConsumerFacts> {
        if let Some(m) = self
            .mappings
            .iter()
            .find(|m| m.source == target && !filtered.contains(&m.origin))
        {
            return Some(self.mapping_facts(m));
        }
        let f = self.functions.iter().find(|f| f.name == target)?;
        Some(ConsumerFacts {
            timeout: Some(f.timeout),
            reserved_concurrency: f.reserved_concurrency,
            file: f.file.clone(),
            location: f.location.clone(),
            ..ConsumerFacts::default()
        })
    }

    /// What a filter's mapping says of its consumer, by the filter's origin.
    pub(crate) fn mapping_consumer(&self, origin: &str) -> Option<ConsumerFacts> {
        self.mappings
            .iter()
            .find(|m| m.origin == origin)
            .map(|m| self.mapping_facts(m))
    }

    /// The origins of the filters: their mappings consume for them.
    pub(crate) fn filtered(&self) -> std::collections::BTreeSet<String> {
        self.filters.iter().map(|f| f.origin.clone()).collect()
    }
}

/// A filter found in infrastructure code: the filter criteria of an EventBridge pipe or a
/// Lambda event-source mapping, or the filter policy of an SNS subscription.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImportedFilter {
    /// The pipe's literal `Name`, else the logical id, construct path or resource address.
    pub name: String,
    /// How the filter is validated and matched; `None` when that depends on a source whose
    /// kind is not known offline.
    pub dialect: Option<crate::Dialect>,
    /// How the source's records are decoded: the Lambda dialect of the queue, stream or
    /// cluster a pipe or mapping reads (`LambdaSqs`, …), or the SNS dialect itself. `None`
    /// when the source's kind is not known offline, or is one no dialect models (Amazon MQ).
    pub source_kind: Option<crate::Dialect>,
    /// The queue, stream or topic it reads, named as a rule's targets are named.
    pub source: String,
    /// The filter patterns (up to 5, any may match; one policy for SNS), as JSON text.
    pub patterns: Vec<String>,
    /// What it delivers to: the function, the pipe's target, the subscription's endpoint.
    pub target: Option<String>,
    /// `false` for a disabled mapping or a stopped pipe.
    pub enabled: bool,
    /// The file it was read from.
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// The logical id, CDK construct path or Terraform address.
    pub origin: String,
    /// Values that could not be resolved, with where each was written.
    pub unresolved: Vec<Note>,
    /// Whether an unresolved value is in the patterns, the source or the state, so that the
    /// filter cannot be checked.
    pub unmatchable: bool,
}

/// A remark about one place in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Note {
    /// The file.
    pub file: String,
    /// Where in it.
    pub location: Location,
    /// What the remark is.
    pub message: String,
    /// Whether the value is in the rule's pattern, bus or state, so that the rule cannot be
    /// matched.
    pub blocks_matching: bool,
}

/// What [`import`] found: the rules, and problems with files it could not read.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Imported {
    /// The rules, in the order they are written.
    pub rules: Vec<ImportedRule>,
    /// The pipes' and event-source mappings' filter criteria and the SNS subscriptions'
    /// filter policies, in the order they are written.
    pub filters: Vec<ImportedFilter>,
    /// Alarms (`AWS::CloudWatch::Alarm`), for the practice that failures be watched.
    pub alarms: Vec<ImportedAlarm>,
    /// Lambda functions' timeouts and reserved concurrency.
    pub functions: Vec<ImportedFunction>,
    /// SQS queues' visibility timeouts.
    pub queues: Vec<ImportedQueue>,
    /// Event-source mappings, filtered or not.
    pub mappings: Vec<ImportedMapping>,
    /// Files that could not be read or understood, each with where and why.
    pub problems: Vec<Note>,
    /// What was read as CloudFormation reads it but deserves a look: a key written twice,
    /// whose last value is kept.
    pub warnings: Vec<Note>,
    /// What the import could not read offline and may hold rules: a Terraform module from a
    /// registry or a remote source (the `terraform-aws-modules/eventbridge` module excepted).
    pub unread: Vec<Note>,
}

/// Reads the rules deployed by the infrastructure code at `path`: a CloudFormation or SAM
/// template (`.json`, `.yaml`, `.yml`, `.template`), a CDK cloud assembly (the `cdk.out`
/// directory or its `manifest.json`), or a Terraform JSON document. `parameters` override
/// template parameters and set pseudo parameters (`AWS::AccountId`, `AWS::Region`, …).
///
/// `display` is how files are named in notes; paths inside a CDK assembly are joined to it.
pub fn import(path: &Path, display: &str, parameters: &BTreeMap<String, String>) -> Imported {
    let mut out = Imported::default();
    let manifest = if path.is_dir() {
        Some(path.join("manifest.json"))
    } else if path.file_name().is_some_and(|n| n == "manifest.json") {
        Some(path.to_path_buf())
    } else {
        None
    };
    let terraform_dir = if path.is_dir() {
        manifest
            .as_ref()
            .is_some_and(|m| !m.exists())
            .then(|| path.to_path_buf())
    } else if path.extension().is_some_and(|e| e == "tf") {
        path.parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .map(Path::to_path_buf)
    } else {
        None
    };
    // A module or an assembly is named by its directory: the path given, or the directory of
    // the file given in it.
    let dir_display = || {
        if path.is_dir() {
            display.trim_end_matches('/').to_string()
        } else {
            display
                .rsplit_once('/')
                .map_or_else(|| ".".to_string(), |(d, _)| d.to_string())
        }
    };
    if let Some(dir) = terraform_dir {
        hcl::import(&dir, &dir_display(), parameters, &mut out);
        return out;
    }
    if let Some(manifest) = manifest {
        cdk::import(&manifest, &dir_display(), parameters, &mut out);
        return out;
    }
    let text = match read(path) {
        Ok(t) => t,
        Err(e) => {
            problem(&mut out, display, Location::File, e);
            return out;
        }
    };
    let is_json =
        path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    let root = if is_json {
        tree::template_from_json(&text)
    } else {
        tree::template_from_yaml(&text)
    };
    let root = match root {
        Ok((r, warnings)) => {
            read_warnings(&mut out, display, warnings);
            r
        }
        Err((at, message)) => {
            problem(&mut out, display, at, message);
            return out;
        }
    };
    match detect(&root) {
        Some(Format::Terraform) => terraform::import(&root, display, &mut out),
        Some(_) => cfn::import(&root, display, parameters, None, &mut out),
        None => problem(
            &mut out,
            display,
            Location::File,
            "neither a CloudFormation template (no Resources), a CDK manifest nor Terraform JSON (no format_version)".into(),
        ),
    }
    out
}

/// Records a file that could not be read or understood.
pub(crate) fn problem(out: &mut Imported, file: &str, location: Location, message: String) {
    out.problems.push(Note::about(file, location, message));
}

/// Records how a template reader read `file` (see [`tree::Warnings`]).
pub(crate) fn read_warnings(out: &mut Imported, file: &str, warnings: tree::Warnings) {
    out.warnings.extend(
        warnings
            .into_iter()
            .map(|(location, message)| Note::about(file, location, message)),
    );
}

impl Note {
    /// A remark that does not stop matching.
    pub(crate) fn about(file: &str, location: Location, message: String) -> Note {
        Note {
            file: file.to_string(),
            location,
            message,
            blocks_matching: false,
        }
    }
}

/// The service an import's rules belong to when its entry names none: the file's stem, or
/// the directory's name for generic file names.
pub fn default_service(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let generic = [
        "template", "manifest", "cdk", "plan", "state", "main", "tfplan", "tfstate", "",
    ];
    if generic.contains(&stem.as_str()) || path.is_dir() && stem == "cdk" {
        let parent = if path.is_dir() && stem != "cdk" {
            Some(stem.clone())
        } else {
            path.parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
        };
        if let Some(p) = parent.filter(|p| !p.is_empty() && p != "." && p != "cdk.out") {
            return p;
        }
    }
    stem.trim_end_matches(".template").to_string()
}

/// The largest infrastructure file read: far above any real template.
const MAX_FILE: u64 = 64 * 1024 * 1024;

pub(crate) fn read(path: &Path) -> Result<String, String> {
    crate::fs::read_limited(path, MAX_FILE, "infrastructure files")
}

fn detect(root: &tree::Node) -> Option<Format> {
    if root.get("format_version").is_some()
        && (root.get("values").is_some()
            || root.get("planned_values").is_some()
            || root.get("terraform_version").is_some())
    {
        Some(Format::Terraform)
    } else if root.get("Resources").is_some() || root.get("AWSTemplateFormatVersion").is_some() {
        Some(Format::CloudFormation)
    } else {
        None
    }
}

/// A bus given as a name or an ARN, as a name.
pub(crate) fn bus_name(bus: &str) -> String {
    if bus.starts_with("arn:") || bus.starts_with(PLACEHOLDER) {
        if let Some((_, name)) = bus.rsplit_once(":event-bus/") {
            return name.to_string();
        }
    }
    bus.to_string()
}

/// What a target or queue ARN names: the part after the last `:` or `/`.
pub(crate) fn arn_name(arn: &str) -> String {
    if arn.starts_with("arn:") && !arn.contains(PLACEHOLDER) {
        if let Some((_, group)) = arn.split_once(":log-group:") {
            return group.trim_end_matches(":*").to_string();
        }
        let tail = arn.rsplit(':').next().unwrap_or(arn);
        // A function ARN may end in a version or alias: `function:name:alias`.
        let parts: Vec<&str> = arn.split(':').collect();
        if parts.len() > 7 && parts[5] == "function" {
            return parts[6].to_string();
        }
        if parts.len() > 6 && parts[2] == "lambda" {
            return parts[6].to_string();
        }
        return tail.rsplit('/').next().unwrap_or(tail).to_string();
    }
    arn.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bus_places_from_arns_and_stacks() {
        let stack: BTreeMap<String, String> = [
            ("AWS::AccountId".to_string(), "111111111111".to_string()),
            ("AWS::Region".to_string(), "eu-west-1".to_string()),
        ]
        .into();
        let place = |b: &str, p: &BTreeMap<String, String>| {
            let p = BusPlace::of(b, p);
            (p.account, p.region)
        };
        let some = |a: &str, r: &str| (Some(a.to_string()), Some(r.to_string()));
        assert_eq!(place("orders", &stack), some("111111111111", "eu-west-1"));
        assert_eq!(
            place(
                "arn:aws:events:us-east-1:222222222222:event-bus/orders",
                &stack
            ),
            some("222222222222", "us-east-1")
        );
        assert_eq!(
            place(
                &format!(
                    "arn:aws:events:us-east-1:{PLACEHOLDER}!Ref AWS::AccountId}}:event-bus/orders"
                ),
                &BTreeMap::new()
            ),
            (None, Some("us-east-1".to_string()))
        );
        assert_eq!(place("orders", &BTreeMap::new()), (None, None));
        let (eu, us) = (
            BusPlace::of("x", &stack),
            BusPlace::of("arn:aws:events:us-east-1:111111111111:event-bus/x", &stack),
        );
        assert!(!eu.may_be_same(&us));
        assert!(eu.may_be_same(&BusPlace::default()));
    }

    #[test]
    fn names_from_arns() {
        assert_eq!(
            bus_name("arn:aws:events:eu-west-1:123456789012:event-bus/orders-prod"),
            "orders-prod"
        );
        assert_eq!(bus_name("orders-prod"), "orders-prod");
        assert_eq!(
            arn_name("arn:aws:sqs:eu-west-1:123456789012:orders-dlq"),
            "orders-dlq"
        );
        assert_eq!(
            arn_name("arn:aws:lambda:eu-west-1:123456789012:function:indexer:live"),
            "indexer"
        );
        assert_eq!(
            arn_name("arn:aws:states:eu-west-1:123456789012:stateMachine:fulfil"),
            "fulfil"
        );
        assert_eq!(
            arn_name("arn:aws:events:eu-west-1:123456789012:event-bus/analytics"),
            "analytics"
        );
    }
}
