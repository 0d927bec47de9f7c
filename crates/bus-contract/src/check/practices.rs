//! The platform's best practices as checks (`practices:` in `bus-contract.yaml`): idempotency
//! keys, event sizes, unused and sensitive fields, alarms, consumer timeouts, batching, partial
//! batch failures and concurrency limits. What a contract or template says is always checked
//! (a named idempotency key must be guaranteed, a declared budget holds, a batch size is within
//! its service's limits); what it leaves out is a finding only where the platform requires it.

use std::collections::BTreeSet;

use serde_json::Value as J;

use super::satisfy::{Producer, not_guaranteed};
use super::{Code, Evidence, Finding, Location, Severity, entry_size, expand};
use crate::Dialect;
use crate::workspace::{Consumer, Publication, RuleState, Service, Workspace};

/// The bytes a number takes at most, as serializers print doubles
/// (`-1.7976931348623157e308`).
const NUMBER_BYTES: u64 = 24;
/// The bytes EventBridge counts for an entry's `time`.
const TIME_BYTES: u64 = 14;
/// AWS's guidance: a queue's visibility timeout at least six times its function's timeout.
const VISIBILITY_FACTOR: i64 = 6;
/// The largest batch any event-source mapping takes, and the longest batching window.
const MAX_BATCH: i64 = 10_000;
const MAX_WINDOW: i64 = 300;
/// An SQS mapping's batch size above which a batching window is needed.
const SQS_UNWINDOWED_BATCH: i64 = 10;

/// The largest JSON text a schema lets a value be, in bytes; `Err` with the path (under
/// `at`) of what has no bound.
fn max_size(schema: &J, at: &str, depth: usize) -> Result<u64, String> {
    if depth > 64 {
        return Err(at.to_string());
    }
    let J::Object(s) = schema else {
        return match schema {
            J::Bool(false) => Ok(0),
            _ => Err(at.to_string()),
        };
    };
    if let Some(c) = s.get("const") {
        return Ok(c.to_string().len() as u64);
    }
    if let Some(J::Array(values)) = s.get("enum") {
        return Ok(values
            .iter()
            .map(|v| v.to_string().len() as u64)
            .max()
            .unwrap_or(0));
    }
    if s.contains_key("$ref") || s.contains_key("not") || s.contains_key("if") {
        return Err(at.to_string());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(J::Array(branches)) = s.get(key) {
            let mut most = 0;
            for b in branches {
                most = most.max(max_size(b, at, depth + 1)?);
            }
            return Ok(most);
        }
    }
    if let Some(J::Array(branches)) = s.get("allOf") {
        // Every branch holds: the tightest bound any of them gives.
        return branches
            .iter()
            .filter_map(|b| max_size(b, at, depth + 1).ok())
            .min()
            .ok_or_else(|| at.to_string());
    }
    let types: Vec<&str> = match s.get("type") {
        Some(J::String(t)) => vec![t.as_str()],
        Some(J::Array(ts)) => ts.iter().filter_map(J::as_str).collect(),
        _ if s.contains_key("properties") => vec!["object"],
        _ => return Err(at.to_string()),
    };
    let mut most = 0;
    for ty in types {
        let size = match ty {
            "null" => 4,
            "boolean" => 5,
            "number" | "integer" => NUMBER_BYTES,
            // A character takes at most 6 bytes in JSON text as serializers write it: a
            // control character's escape (`\u0000`); any other at most 4 in UTF-8.
            "string" => match s.get("maxLength").and_then(J::as_u64) {
                Some(n) => 2 + 6 * n,
                None => return Err(at.to_string()),
            },
            "array" => {
                let Some(n) = s.get("maxItems").and_then(J::as_u64) else {
                    return Err(at.to_string());
                };
                let item = match s.get("items") {
                    Some(items) => max_size(items, &format!("{at}[]"), depth + 1)?,
                    None => return Err(format!("{at}[]")),
                };
                2 + n * (item + 1)
            }
            "object" => {
                let open = !matches!(s.get("additionalProperties"), Some(J::Bool(false)))
                    || s.contains_key("patternProperties");
                if open {
                    return Err(format!(
                        "{at} (an open object: additionalProperties is not false)"
                    ));
                }
                let mut size = 2;
                if let Some(J::Object(props)) = s.get("properties") {
                    for (k, v) in props {
                        let path = if at.is_empty() {
                            k.clone()
                        } else {
                            format!("{at}.{k}")
                        };
                        size += J::String(k.clone()).to_string().len() as u64
                            + 2
                            + max_size(v, &path, depth + 1)?;
                    }
                }
                size
            }
            _ => return Err(at.to_string()),
        };
        most = most.max(size);
    }
    Ok(most)
}

/// The property paths a schema declares under `detail`, and whether each is marked
/// `x-sensitive: true`.
fn fields(schema: &J, at: &str, depth: usize, out: &mut Vec<(String, bool)>) {
    if depth > 32 {
        return;
    }
    let Some(J::Object(props)) = schema.get("properties") else {
        return;
    };
    for (k, v) in props {
        let path = format!("{at}.{k}");
        let sensitive = v.get("x-sensitive") == Some(&J::Bool(true));
        out.push((path.clone(), sensitive));
        fields(v, &path, depth + 1, out);
    }
}

/// Whether a consumer that reads `used` reads `field`: the same path, or one holding or held
/// by it.
fn covers(used: &str, field: &str) -> bool {
    used == field
        || field.starts_with(&format!("{used}."))
        || used.starts_with(&format!("{field}."))
}

struct Ctx<'a, 's> {
    ws: &'a Workspace,
    envs: &'a [String],
    out: &'a mut Vec<Finding>,
    /// Every subscription, built once.
    subs: &'s [Sub<'a>],
    /// The publications of each event name.
    by_event: std::collections::HashMap<&'a str, Vec<(&'a Service, &'a Publication)>>,
    /// The subscriptions (indices into `subs`) expecting each event name.
    expecting: std::collections::HashMap<&'a str, Vec<usize>>,
}

/// Whether two buses, as contracts write them, meet in some environment: the same text, or
/// the same once `${environment}` is expanded.
fn meet(a: &str, b: &str, envs: &[String]) -> bool {
    a == b || envs.iter().any(|env| expand(a, env) == expand(b, env))
}

pub(crate) fn check(ws: &Workspace, envs: &[String], out: &mut Vec<Finding>) {
    let subs = subs(ws);
    let mut by_event: std::collections::HashMap<&str, Vec<(&Service, &Publication)>> =
        std::collections::HashMap::new();
    for s in &ws.services {
        for p in &s.publishes {
            by_event.entry(&p.event.value).or_default().push((s, p));
        }
    }
    let mut expecting: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, sub) in subs.iter().enumerate() {
        for e in &sub.expects {
            expecting.entry(e).or_default().push(i);
        }
    }
    let mut cx = Ctx {
        ws,
        envs,
        out,
        subs: &subs,
        by_event,
        expecting,
    };
    cx.idempotency();
    cx.sizes();
    cx.unused_fields();
    cx.sensitive_fields();
    cx.consumers();
}

/// A subscription of either kind, as these checks see it.
struct Sub<'w> {
    service: &'w Service,
    what: String,
    name: &'w str,
    file: &'w str,
    at: &'w Location,
    origin: Option<&'w str>,
    /// The bus, for a rule; `None` for a filter, whose events come through its source.
    bus: Option<&'w str>,
    /// A rule's pattern, whose fields it routes on.
    pattern: Option<&'w crate::Pattern>,
    enabled: bool,
    expects: Vec<&'w str>,
    uses: Vec<(&'w str, &'w Location)>,
    idempotency_key: Option<(&'w str, &'w Location)>,
    consumer: Option<&'w Consumer>,
    /// For a rule: each target's dead-letter queue and retry policy's event age.
    targets: Vec<(Option<&'w str>, Option<i64>)>,
    failed_invocations_alarm: Option<&'w str>,
    dlq_alarms: &'w std::collections::BTreeMap<String, String>,
}

static NO_ALARMS: std::sync::LazyLock<std::collections::BTreeMap<String, String>> =
    std::sync::LazyLock::new(std::collections::BTreeMap::new);

fn subs(ws: &Workspace) -> Vec<Sub<'_>> {
    let mut out = Vec::new();
    for service in &ws.services {
        for s in &service.subscribes {
            out.push(Sub {
                service,
                what: format!("rule {}", s.rule.value),
                name: &s.rule.value,
                file: &s.file,
                at: &s.at,
                origin: s.origin.as_deref(),
                bus: Some(&s.bus.value),
                pattern: s.pattern(),
                enabled: s.state == RuleState::Enabled,
                expects: s.expects.iter().map(|e| e.value.event.as_str()).collect(),
                uses: s
                    .uses
                    .iter()
                    .map(|u| (u.value.field.as_str(), &u.at))
                    .collect(),
                idempotency_key: s
                    .idempotency_key
                    .as_ref()
                    .map(|k| (k.value.as_str(), &k.at)),
                consumer: s.consumer.as_ref(),
                targets: s
                    .targets
                    .iter()
                    .map(|t| {
                        (
                            t.dead_letter_queue.as_ref().map(|q| q.value.as_str()),
                            t.retry_policy.as_ref().and_then(|p| p.value.age_seconds),
                        )
                    })
                    .collect(),
                failed_invocations_alarm: s.alarms.failed_invocations.as_deref(),
                dlq_alarms: &s.alarms.dead_letter_queues,
            });
        }
        for f in &service.filters {
            out.push(Sub {
                service,
                what: format!("filter {}", f.name.value),
                name: &f.name.value,
                file: &f.file,
                at: &f.at,
                origin: f.origin.as_deref(),
                bus: None,
                pattern: None,
                enabled: f.state == RuleState::Enabled,
                expects: f.expects.iter().map(|e| e.value.event.as_str()).collect(),
                uses: f
                    .uses
                    .iter()
                    .map(|u| (u.value.field.as_str(), &u.at))
                    .collect(),
                idempotency_key: f
                    .idempotency_key
                    .as_ref()
                    .map(|k| (k.value.as_str(), &k.at)),
                consumer: f.consumer.as_ref(),
                targets: Vec::new(),
                failed_invocations_alarm: None,
                dlq_alarms: &NO_ALARMS,
            });
        }
    }
    out
}

impl<'a, 's> Ctx<'a, 's> {
    fn push(&mut self, sub: &Sub<'_>, finding: Finding) {
        self.out.push(
            finding
                .service(Some(&sub.service.name))
                .rule(sub.name)
                .origin(sub.origin),
        );
    }

    /// The publications of the events a subscription expects: on its bus (in some
    /// environment) for a rule, anywhere for a filter.
    fn expected(&self, sub: &Sub<'_>) -> Vec<(&'a Service, &'a Publication)> {
        sub.expects
            .iter()
            .filter_map(|e| self.by_event.get(e))
            .flatten()
            .copied()
            .filter(|(_, p)| sub.bus.is_none_or(|bus| meet(bus, &p.bus.value, self.envs)))
            .collect()
    }

    /// `idempotency-key`.
    fn idempotency(&mut self) {
        let required = self.ws.config.practices.require_idempotency_key;
        for sub in self.subs {
            if !sub.enabled {
                continue;
            }
            let Some((key, at)) = sub.idempotency_key else {
                // A template cannot say it: an imported rule is held to it once adopted into
                // a contract.
                if required && sub.origin.is_none() {
                    let message = format!(
                        "{} names no idempotency-key: name the field its handler deduplicates on (`id`, which every event has, or a detail field every expected event requires)",
                        sub.what
                    );
                    let f = Finding::new(Code::IdempotencyKey, sub.file, sub.at.clone(), message);
                    self.push(sub, f);
                }
                continue;
            };
            let mut reasons = Vec::new();
            for (ps, p) in self.expected(sub) {
                let producer = Producer::of(p);
                let why = if matches!(key, "detail" | "resources") {
                    Some(format!("`{key}` is not a string or a number"))
                } else {
                    match (
                        not_guaranteed(&producer, key, Some("string")),
                        not_guaranteed(&producer, key, Some("number")),
                    ) {
                        (Some(why), Some(_)) => Some(why),
                        _ => None,
                    }
                };
                if let Some(why) = why {
                    let r = format!("{} from {}: {why}", p.event.value, ps.name);
                    if !reasons.contains(&r) {
                        reasons.push(r);
                    }
                }
            }
            if let Some(first) = reasons.first() {
                let message = format!(
                    "{} deduplicates on {key}, which is not guaranteed as a string or a number: {first}",
                    sub.what
                );
                let mut f = Finding::new(Code::IdempotencyKey, sub.file, at.clone(), message);
                if reasons.len() > 1 {
                    f = f.evidence(Evidence::Text(reasons.join("\n")));
                }
                self.push(sub, f);
            }
        }
    }

    /// `event-size`: examples over their budget; schemas whose largest instance is over the
    /// budget or the bus's limit; where budgets are required, none or an unbounded schema.
    fn sizes(&mut self) {
        let ws: &'a Workspace = self.ws;
        let limit = ws.config.max_event_size;
        let required = ws.config.practices.require_size_budget;
        for service in &ws.services {
            for p in &service.publishes {
                let what = format!("{} on {}", p.event.value, p.bus.value);
                let budget = p.size_budget.as_ref().map(|b| b.value);
                if budget.is_none() && required {
                    let message = format!(
                        "{what} declares no size-budget: give the largest size, in bytes, its events may have"
                    );
                    let f = Finding::new(Code::EventSize, &service.file, p.at.clone(), message);
                    self.out
                        .push(f.service(Some(&service.name)).event(&p.event.value));
                }
                if let Some(b) = &p.size_budget {
                    for ex in &p.examples {
                        let Ok(json) = serde_json::from_str::<J>(&ex.text) else {
                            continue;
                        };
                        let size = entry_size(&json);
                        if size > b.value {
                            let message = format!(
                                "example of {what} is {size} bytes as a PutEvents entry, over its size-budget of {} bytes (set at {}:{})",
                                b.value, service.file, b.at
                            );
                            let f =
                                Finding::new(Code::EventSize, &ex.file, Location::File, message);
                            self.out
                                .push(f.service(Some(&service.name)).event(&p.event.value));
                        }
                    }
                }
                let Some(schema) = &p.schema else {
                    if required {
                        let message =
                            format!("{what} declares no schema, so nothing bounds its size");
                        let f = Finding::new(Code::EventSize, &service.file, p.at.clone(), message);
                        self.out
                            .push(f.service(Some(&service.name)).event(&p.event.value));
                    }
                    continue;
                };
                let envelope =
                    (p.source.value.len() + p.detail_type.value.len()) as u64 + TIME_BYTES;
                match max_size(&schema.value, "detail", 0) {
                    Ok(detail) => {
                        let largest = envelope + detail;
                        let (cap, whose) = match budget {
                            Some(b) if b < limit => (b, "its size-budget"),
                            _ => (limit, "the bus's limit (max-event-size)"),
                        };
                        if largest > cap {
                            let message = format!(
                                "{what} can be {largest} bytes as a PutEvents entry (the largest instance its schema allows), over {whose} of {cap} bytes: lower a maxLength or a maxItems (a string counts up to 6 bytes a character, as a control character's escape takes; a number {NUMBER_BYTES})"
                            );
                            let f = Finding::new(
                                Code::EventSize,
                                &schema.file,
                                schema.at.clone(),
                                message,
                            );
                            self.out
                                .push(f.service(Some(&service.name)).event(&p.event.value));
                        }
                    }
                    Err(path) if required => {
                        let message = format!(
                            "the schema of {what} bounds no size at {path}: give strings a maxLength, arrays a maxItems and items, and objects additionalProperties: false"
                        );
                        let f =
                            Finding::new(Code::EventSize, &schema.file, schema.at.clone(), message);
                        self.out
                            .push(f.service(Some(&service.name)).event(&p.event.value));
                    }
                    Err(_) => {}
                }
            }
        }
    }

    /// The subscriptions that expect an event, with the pattern fields they route on.
    fn consumers_of(&self, p: &Publication) -> Vec<(&'s Sub<'a>, Vec<String>)> {
        let subs: &'s [Sub<'a>] = self.subs;
        let mut out = Vec::new();
        for &i in self
            .expecting
            .get(p.event.value.as_str())
            .into_iter()
            .flatten()
        {
            let sub = &subs[i];
            if let Some(bus) = sub.bus {
                if !meet(bus, &p.bus.value, self.envs) {
                    continue;
                }
            }
            let routed: Vec<String> = sub
                .pattern
                .map(|pattern| {
                    pattern
                        .sub_rules()
                        .iter()
                        .flat_map(|r| r.fields.iter().map(|f| f.path.clone()))
                        .collect()
                })
                .unwrap_or_default();
            out.push((sub, routed));
        }
        out
    }

    /// `unused-field`, where the platform asks for it: a field of a published event that no
    /// consumer expecting the event uses or routes on. Only when every such consumer lists
    /// what it uses, since one that lists nothing may read anything.
    fn unused_fields(&mut self) {
        let ws: &'a Workspace = self.ws;
        if !ws.config.practices.report_unused_fields {
            return;
        }
        for service in &ws.services {
            for p in &service.publishes {
                let Some(schema) = &p.schema else { continue };
                let consumers = self.consumers_of(p);
                if consumers.is_empty() || consumers.iter().any(|(s, _)| s.uses.is_empty()) {
                    continue;
                }
                let mut declared = Vec::new();
                fields(&schema.value, "detail", 0, &mut declared);
                let used: BTreeSet<&str> = consumers
                    .iter()
                    .flat_map(|(s, routed)| {
                        s.uses
                            .iter()
                            .map(|(u, _)| *u)
                            .chain(routed.iter().map(String::as_str))
                            .chain(s.idempotency_key.map(|(k, _)| k))
                    })
                    .collect();
                let unused: Vec<&str> = declared
                    .iter()
                    .map(|(f, _)| f.as_str())
                    .filter(|f| !used.iter().any(|u| covers(u, f)))
                    // A member inside an unused one is said with it.
                    .collect();
                let top: Vec<&str> = unused
                    .iter()
                    .copied()
                    .filter(|f| !unused.iter().any(|o| f.starts_with(&format!("{o}."))))
                    .collect();
                for field in top {
                    let message = format!(
                        "{} publishes {field}, which none of its {} consumer{} uses or routes on: drop it, or add it to a consumer's uses",
                        p.event.value,
                        consumers.len(),
                        if consumers.len() == 1 { "" } else { "s" }
                    );
                    let f =
                        Finding::new(Code::UnusedField, &schema.file, schema.at.clone(), message)
                            .severity(Severity::Warning);
                    self.out
                        .push(f.service(Some(&service.name)).event(&p.event.value));
                }
            }
        }
    }

    /// `sensitive-field`: fields marked `x-sensitive: true` published on a denied bus, or used
    /// by a service the platform does not allow.
    fn sensitive_fields(&mut self) {
        let ws: &'a Workspace = self.ws;
        let practices = &ws.config.practices;
        if practices.denied_buses.is_empty() && practices.allowed_consumers.is_none() {
            return;
        }
        for service in &ws.services {
            for p in &service.publishes {
                let Some(schema) = &p.schema else { continue };
                let mut declared = Vec::new();
                fields(&schema.value, "detail", 0, &mut declared);
                let sensitive: Vec<&str> = declared
                    .iter()
                    .filter(|(_, s)| *s)
                    .map(|(f, _)| f.as_str())
                    .collect();
                if sensitive.is_empty() {
                    continue;
                }
                let denied = practices
                    .denied_buses
                    .iter()
                    .find(|bus| meet(bus, &p.bus.value, self.envs));
                if let Some(bus) = denied {
                    let message = format!(
                        "{} carries sensitive {} onto {}, which the platform closes to sensitive fields ({bus}): drop the field or publish on another bus",
                        p.event.value,
                        sensitive.join(", "),
                        p.bus.value
                    );
                    let f = Finding::new(
                        Code::SensitiveField,
                        &service.file,
                        p.bus.at.clone(),
                        message,
                    );
                    self.out
                        .push(f.service(Some(&service.name)).event(&p.event.value));
                }
                let Some(allowed) = &practices.allowed_consumers else {
                    continue;
                };
                for (sub, _) in self.consumers_of(p) {
                    if allowed.contains(&sub.service.name) {
                        continue;
                    }
                    for (u, at) in &sub.uses {
                        let Some(field) = sensitive.iter().find(|f| covers(u, f)) else {
                            continue;
                        };
                        let message = format!(
                            "{} uses {u}, which holds the sensitive {field} of {}, but {} is not among the services allowed sensitive fields",
                            sub.what, p.event.value, sub.service.name
                        );
                        let f =
                            Finding::new(Code::SensitiveField, sub.file, (*at).clone(), message);
                        self.push(sub, f.event(&p.event.value));
                    }
                }
            }
        }
    }

    /// `no-alarm`, `consumer-timeout`, `batching`, `partial-failure`, `concurrency`.
    fn consumers(&mut self) {
        let practices = self.ws.config.practices.clone();
        for sub in self.subs {
            if !sub.enabled {
                continue;
            }
            if practices.require_alarms && sub.bus.is_some() {
                if sub.failed_invocations_alarm.is_none() {
                    let message = format!(
                        "{} has no alarm on its FailedInvocations (namespace AWS/Events, dimension RuleName): failed deliveries go unnoticed",
                        sub.what
                    );
                    let f = Finding::new(Code::NoAlarm, sub.file, sub.at.clone(), message);
                    self.push(sub, f);
                }
                for (dlq, _) in &sub.targets {
                    if let Some(q) = dlq {
                        if !sub.dlq_alarms.contains_key(*q) {
                            let message = format!(
                                "the dead-letter queue {q} of {} has no alarm on its depth (AWS/SQS ApproximateNumberOfMessagesVisible, dimension QueueName): events that land there go unnoticed",
                                sub.what
                            );
                            let f = Finding::new(Code::NoAlarm, sub.file, sub.at.clone(), message);
                            self.push(sub, f);
                        }
                    }
                }
            }
            // The rest is about a function that consumes the events (`consumer:`, or what a
            // template says of the function a rule or mapping invokes).
            let Some(c) = sub.consumer else {
                continue;
            };
            let (file, at) = (c.file.as_str(), c.location.clone());
            match c.timeout {
                Some(t) => {
                    if let Some(v) = c.visibility_timeout {
                        if v < VISIBILITY_FACTOR * t {
                            let message = format!(
                                "the queue of {} has a visibility timeout of {v} s, under six times its function's timeout of {t} s: set it to at least {} s, or a message is handed out again while it is still being processed",
                                sub.what,
                                VISIBILITY_FACTOR * t
                            );
                            let f = Finding::new(Code::ConsumerTimeout, file, at.clone(), message);
                            self.push(sub, f);
                        }
                    }
                    for (_, age) in &sub.targets {
                        if let Some(age) = age {
                            if *age < t {
                                let message = format!(
                                    "{} retries events for at most {age} s (maximum-event-age-seconds), less than one attempt of its function can take ({t} s): set it to at least {t}",
                                    sub.what
                                );
                                let f =
                                    Finding::new(Code::ConsumerTimeout, file, at.clone(), message);
                                self.push(sub, f);
                            }
                        }
                    }
                }
                None if practices.require_timeouts => {
                    let message = format!(
                        "{} says no timeout for its consumer: give the function's timeout (consumer: timeout), so that queues and retries can be held to it",
                        sub.what
                    );
                    let f = Finding::new(Code::ConsumerTimeout, file, at.clone(), message);
                    self.push(sub, f);
                }
                None => {}
            }
            self.batching(sub, c, file, &at);
            if practices.require_partial_failure_reporting && c.batches() {
                let size = c.batch_size.unwrap_or(match c.source_kind {
                    Some(Dialect::LambdaSqs) | None => 10,
                    _ => 100,
                });
                if size > 1 && c.report_batch_item_failures != Some(true) {
                    let message = format!(
                        "{} takes batches of up to {size} without reporting partial failures: add ReportBatchItemFailures to FunctionResponseTypes (consumer: report-batch-item-failures: true), or one bad record retries its whole batch",
                        sub.what
                    );
                    let f = Finding::new(Code::PartialFailure, file, at.clone(), message);
                    self.push(sub, f);
                }
            }
            if practices.require_concurrency_limit
                && c.maximum_concurrency.is_none()
                && c.reserved_concurrency.is_none()
            {
                let message = format!(
                    "{} has no concurrency limit: set the mapping's ScalingConfig MaximumConcurrency or the function's reserved concurrency (consumer: maximum-concurrency or reserved-concurrency)",
                    sub.what
                );
                let f = Finding::new(Code::Concurrency, file, at.clone(), message);
                self.push(sub, f);
            }
        }
    }

    /// `batching`: a batch size or window outside the service's limits.
    fn batching(&mut self, sub: &Sub<'_>, c: &Consumer, file: &str, at: &Location) {
        let mut problems = Vec::new();
        if let Some(n) = c.batch_size {
            if !(1..=MAX_BATCH).contains(&n) {
                problems.push(format!("batch size {n} is outside 1 to {MAX_BATCH}"));
            } else if c.source_kind == Some(Dialect::LambdaSqs)
                && n > SQS_UNWINDOWED_BATCH
                && c.batching_window.is_none_or(|w| w < 1)
            {
                problems.push(format!(
                    "an SQS batch size of {n} (over {SQS_UNWINDOWED_BATCH}) needs a batching window of at least 1 s"
                ));
            }
        }
        if let Some(w) = c.batching_window {
            if !(0..=MAX_WINDOW).contains(&w) {
                problems.push(format!(
                    "batching window {w} s is outside 0 to {MAX_WINDOW}"
                ));
            }
        }
        if !problems.is_empty() {
            let message = format!("{}: {}", sub.what, problems.join("; "));
            let f = Finding::new(Code::Batching, file, at.clone(), message);
            self.push(sub, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_sizes() {
        let bounded = serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string", "maxLength": 10},
                "n": {"type": "integer"},
                "kind": {"enum": ["a", "bbb"]},
                "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 1}}
            }
        });
        // {} + "id":62 + "n":24 + "kind":5 + "tags":2+2*(8+1)
        let want = 2 + (4 + 2 + 62) + (3 + 2 + 24) + (6 + 2 + 5) + (6 + 2 + 20);
        assert_eq!(max_size(&bounded, "detail", 0), Ok(want));
        let open = serde_json::json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 1}}});
        assert!(
            max_size(&open, "detail", 0)
                .unwrap_err()
                .starts_with("detail")
        );
        let string = serde_json::json!({"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}});
        assert_eq!(max_size(&string, "detail", 0), Err("detail.a".to_string()));
        let one_of = serde_json::json!({"oneOf": [{"const": "x"}, {"type": "boolean"}]});
        assert_eq!(max_size(&one_of, "detail", 0), Ok(5));
    }

    #[test]
    fn covering_paths() {
        assert!(covers("detail.user", "detail.user.email"));
        assert!(covers("detail.user.email", "detail.user"));
        assert!(covers("detail.user", "detail.user"));
        assert!(!covers("detail.user", "detail.username"));
    }
}
