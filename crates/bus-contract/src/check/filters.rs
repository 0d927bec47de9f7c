//! Filter consumers (`subscribes` entries with `filter`, and imported pipes, event-source
//! mappings and SNS subscriptions): what reaches one is what the rules targeting its queue,
//! stream or topic deliver, as that source hands it on, and then what its filter passes.
//! `check` holds it to that as it holds a rule to its bus: `no-producer`, `unsatisfiable`,
//! `undecided`, `partial-coverage`, `unexpected-event` and `missing-field`; and a filter that
//! can pass nothing its source delivers is a finding even when it declares no `expects`.
//!
//! A rule delivers its matched event as JSON unless its target says otherwise (`InputPath`,
//! a constant `Input`, an `InputTransformer`). An SQS queue hands it on as a record whose
//! `body` is that text, a Kinesis stream as base64 `data`, an SNS topic as the `Message`, with
//! no message attributes (EventBridge's SNS targets take none). A filter condition on what the
//! service sets at delivery (an SQS record's `attributes`, a Kinesis `partitionKey`) cannot be
//! known offline, and such a filter is `undecided`, never guessed.

use base64::Engine as _;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestError;
use serde_json::Value as J;

use super::generated::{Published, compact, seed_for};
use super::satisfy::{Producer, never_matches, not_guaranteed, pattern_guarantees};
use super::{Code, Evidence, Finding, Severity, expand};
use crate::Dialect;
use crate::diag::Witness;
use crate::event::Event;
use crate::import::TargetInput;
use crate::pattern::Pattern;
use crate::strategy::{self, Declaration, matches_json};
use crate::workspace::{
    FilterSubscription, Publication, RuleState, Service, Subscription, Workspace,
};

/// A rule that delivers to a filter's source, with what its target sends.
struct Feeder<'w> {
    rule: &'w Subscription,
    pattern: &'w Pattern,
    input: &'w TargetInput,
    /// The environments (indices) in which its target is the source.
    envs: Vec<usize>,
    /// How the filter sees what it delivers.
    seen: Seen,
}

/// How a filter sees what one rule delivers.
enum Seen {
    /// The same record whatever the event: whether the filter passes it, and why it is the
    /// same.
    Always(bool, String),
    /// It depends on the event; each filter's conditions over the event itself, where they
    /// translate (used for definite "never" answers and to draw candidates).
    PerEvent(Vec<Option<Pattern>>),
    /// Not known offline, and why.
    Unknown(String),
}

/// The record fields a filter may read that are known offline, by source kind: the data
/// field, the constant `eventSource`, and the SQS message attributes EventBridge never sets.
fn known_fields(kind: Dialect) -> &'static [&'static str] {
    match kind {
        Dialect::LambdaSqs => &["body", "eventSource", "messageAttributes"],
        Dialect::LambdaKinesis => &["data", "eventSource"],
        _ => &[],
    }
}

/// The members of a plain `JSONPath` (`$`, `$.detail`, `$.detail.order`), or `None` for
/// anything else (filters, wildcards, brackets).
fn json_path(path: &str) -> Option<Vec<&str>> {
    let rest = path.trim().strip_prefix('$')?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let rest = rest.strip_prefix('.')?;
    let segments: Vec<&str> = rest.split('.').collect();
    segments
        .iter()
        .all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '$' | ':' | '@'))
        })
        .then_some(segments)
}

/// The text a rule's target is sent for `event`; `None` when an `InputPath` selects nothing
/// (EventBridge then sends nothing this tool can say) or the input is transformed.
fn payload(input: &TargetInput, event: &J) -> Option<String> {
    match input {
        TargetInput::Event => Some(event.to_string()),
        TargetInput::Path(p) => {
            let mut v = event;
            for s in json_path(p)? {
                v = v.get(s)?;
            }
            Some(v.to_string())
        }
        TargetInput::Constant(text) => Some(text.clone()),
        TargetInput::Transformed => None,
    }
}

/// The record a source of `kind` hands its consumer for a delivered text.
fn record(kind: Dialect, source: &str, payload: &str) -> Option<Event> {
    let value = match kind {
        Dialect::LambdaSqs => serde_json::json!({
            "messageId": "00000000-0000-4000-8000-000000000000",
            "receiptHandle": "bus-contract",
            "body": payload,
            "attributes": {},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": format!("arn:aws:sqs:us-east-1:123456789012:{source}"),
            "awsRegion": "us-east-1"
        }),
        Dialect::LambdaKinesis => serde_json::json!({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "bus-contract",
                "sequenceNumber": "0",
                "data": base64::engine::general_purpose::STANDARD.encode(payload),
                "approximateArrivalTimestamp": 0
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": "shardId-000000000000:0",
            "eventName": "aws:kinesis:record",
            "awsRegion": "us-east-1",
            "eventSourceARN": format!("arn:aws:kinesis:us-east-1:123456789012:stream/{source}")
        }),
        Dialect::SnsAttributes | Dialect::SnsBody => serde_json::json!({
            "Message": payload,
            "MessageAttributes": {}
        }),
        _ => return None,
    };
    Event::parse(&value.to_string()).ok()
}

/// A filter's conditions over the event itself, when they are all on the data field (or, for
/// an SNS body policy, the message) and the event reaches it whole or by a plain path: the
/// data field's pattern, nested under the path. A condition on anything else is dropped,
/// which only widens the pattern, so that its "never" answers stay true.
fn over_event(kind: Dialect, input: &TargetInput, filter: &Pattern) -> Option<Pattern> {
    let J::Object(members) = serde_json::from_str::<J>(filter.source()).ok()? else {
        return None;
    };
    let data = match kind {
        Dialect::LambdaSqs => members.get("body")?.clone(),
        Dialect::LambdaKinesis => members.get("data")?.clone(),
        Dialect::SnsBody => J::Object(members),
        _ => return None,
    };
    if !data.is_object() {
        return None;
    }
    let segments = match input {
        TargetInput::Event => Vec::new(),
        TargetInput::Path(p) => json_path(p)?,
        _ => return None,
    };
    let wrapped = segments.iter().rev().fold(data, |inner, s| {
        let mut m = serde_json::Map::new();
        m.insert((*s).to_string(), inner);
        J::Object(m)
    });
    Pattern::parse(&wrapped.to_string()).ok()
}

/// Whether a filter treats the SQS body as plain text: its `body` condition lists values
/// rather than naming fields of a JSON body.
fn plain_text_filter(filter: &Pattern) -> bool {
    serde_json::from_str::<J>(filter.source())
        .ok()
        .and_then(|v| v.get("body").map(J::is_array))
        .unwrap_or(false)
}

fn seen(
    f: &FilterSubscription,
    filters: &crate::Filters,
    kind: Dialect,
    input: &TargetInput,
) -> Seen {
    let source = &f.source.value;
    if kind == Dialect::SnsAttributes {
        let passes = record(kind, source, "{}").is_some_and(|r| filters.matches(&r));
        return Seen::Always(
            passes,
            "EventBridge publishes to SNS with no message attributes".to_string(),
        );
    }
    match input {
        TargetInput::Transformed => {
            return Seen::Unknown(
                "the rule's target has an InputTransformer, whose output is not worked out offline"
                    .to_string(),
            );
        }
        TargetInput::Constant(text) => {
            let passes = record(kind, source, text).is_some_and(|r| filters.matches(&r));
            return Seen::Always(
                passes,
                format!("the rule's target sends the constant input {text}"),
            );
        }
        TargetInput::Path(p) if json_path(p).is_none() => {
            return Seen::Unknown(format!(
                "the rule's target has InputPath {p}, which this tool does not follow"
            ));
        }
        _ => {}
    }
    let known = known_fields(kind);
    if !known.is_empty() {
        let unknown = filters.patterns().iter().find_map(|p| {
            p.sub_rules()
                .iter()
                .flat_map(|r| &r.fields)
                .map(|field| field.path.as_str())
                .find(|path| !known.contains(&path.split('.').next().unwrap_or(path)))
        });
        if let Some(path) = unknown {
            return Seen::Unknown(format!(
                "the filter reads {path}, which the service sets when it delivers"
            ));
        }
    }
    if kind == Dialect::LambdaSqs
        && *input == TargetInput::Event
        && filters.patterns().iter().all(plain_text_filter)
    {
        return Seen::Always(
            false,
            "the filter matches the body as plain text, but the rule delivers the event as JSON, so SQS drops every message".to_string(),
        );
    }
    Seen::PerEvent(
        filters
            .patterns()
            .iter()
            .map(|p| over_event(kind, input, p))
            .collect(),
    )
}

/// Whether the filter passes what a rule delivers for `event`.
fn passes(
    f: &FilterSubscription,
    filters: &crate::Filters,
    kind: Dialect,
    input: &TargetInput,
    event: &J,
) -> bool {
    payload(input, event)
        .and_then(|p| record(kind, &f.source.value, &p))
        .is_some_and(|r| filters.matches(&r))
}

/// Why a feeder can never bring an instance of a publication through the filter, if it
/// certainly cannot.
fn never(feeder: &Feeder<'_>, p: &Publication) -> Option<String> {
    let producer = Producer::of(p);
    if let Some(reasons) = never_matches(feeder.pattern, &producer) {
        let why = reasons
            .first()
            .map_or_else(String::new, |r| format!(": {}: {}", r.path, r.reason));
        return Some(format!(
            "rule {} never matches {}{why}",
            feeder.rule.rule.value, p.event.value
        ));
    }
    match &feeder.seen {
        Seen::Always(false, why) => Some(format!("the filter passes nothing: {why}")),
        Seen::PerEvent(patterns) if patterns.iter().all(Option::is_some) => {
            let mut first = None;
            for pattern in patterns.iter().flatten() {
                match never_matches(pattern, &producer) {
                    None => return None,
                    Some(reasons) => {
                        if first.is_none() {
                            first = reasons.into_iter().next();
                        }
                    }
                }
            }
            let why = first.map_or_else(String::new, |r| format!(": {}: {}", r.path, r.reason));
            Some(format!(
                "the filter never passes {} as rule {} delivers it{why}",
                p.event.value, feeder.rule.rule.value
            ))
        }
        _ => None,
    }
}

/// Up to `n` valid instances of `decl` that `pattern` matches.
fn draws(pattern: &Pattern, decl: &Declaration, seed: u64, n: u32) -> Vec<J> {
    let mut runner = strategy::quiet_runner(seed, n.max(16) / 4);
    let strat = strategy::matching_within(pattern, decl);
    (0..n)
        .map_while(|_| strat.new_tree(&mut runner).ok().map(|t| t.current()))
        .collect()
}

/// An instance of `p` that comes through `feeder` and the filter (`through`), or that does
/// not (`!through`): an example when one does, else a generated one; with how a message
/// names it.
#[allow(clippy::too_many_arguments)]
fn instance(
    f: &FilterSubscription,
    filters: &crate::Filters,
    kind: Dialect,
    feeder: &Feeder<'_>,
    p: &Published<'_>,
    through: bool,
    seed: u64,
    cases: u32,
) -> Option<(String, String)> {
    let accepts =
        |e: &J| matches_json(feeder.pattern, e) && passes(f, filters, kind, feeder.input, e);
    for (file, event) in &p.examples {
        let json: J = serde_json::from_str(&event.value().to_string()).ok()?;
        if accepts(&json) == through {
            return Some((format!("its example {file}"), event.value().to_string()));
        }
    }
    let decl = p.p.declaration();
    let generated = "valid instances such as the evidence's".to_string();
    if through {
        let n = cases.clamp(8, 64);
        let mut found = draws(feeder.pattern, &decl, seed, n)
            .into_iter()
            .find(&accepts);
        if found.is_none() {
            if let Seen::PerEvent(patterns) = &feeder.seen {
                found = patterns.iter().flatten().find_map(|pattern| {
                    draws(pattern, &decl, seed ^ 1, n)
                        .into_iter()
                        .find(&accepts)
                });
            }
        }
        return found.map(|e| (generated, compact(&e)));
    }
    let mut runner = strategy::quiet_runner(seed, cases);
    let result = runner.run(&strategy::event_of(&decl), |e| {
        if accepts(&e) {
            Ok(())
        } else {
            Err(proptest::test_runner::TestCaseError::fail("misses"))
        }
    });
    match result {
        Err(TestError::Fail(_, minimal)) => Some((generated, compact(&minimal))),
        _ => None,
    }
}

pub(crate) fn check(
    ws: &Workspace,
    envs: &[String],
    seed: u64,
    cases: u32,
    out: &mut Vec<Finding>,
    witnesses: &mut Vec<Witness>,
    all: &[Published],
) {
    for service in &ws.services {
        for f in &service.filters {
            Consumer {
                ws,
                envs,
                seed,
                cases,
                service,
                f,
                all,
                out: &mut *out,
                witnesses: &mut *witnesses,
            }
            .check();
        }
    }
}

/// One filter consumer being checked.
struct Consumer<'a, 'w> {
    ws: &'w Workspace,
    envs: &'a [String],
    seed: u64,
    cases: u32,
    service: &'w Service,
    f: &'w FilterSubscription,
    all: &'a [Published<'w>],
    out: &'a mut Vec<Finding>,
    witnesses: &'a mut Vec<Witness>,
}

impl<'a, 'w> Consumer<'a, 'w> {
    fn finding(&self, code: Code, file: &str, at: crate::Location, message: String) -> Finding {
        Finding::new(code, file, at, message)
            .service(Some(&self.service.name))
            .rule(&self.f.name.value)
            .origin(self.f.origin.as_deref())
    }

    fn check(&mut self) {
        let f = self.f;
        let what = format!("filter {}", f.name.value);
        if f.state == RuleState::Disabled {
            let message = format!("{what} is disabled: it passes nothing on, and is not checked");
            let finding = self.finding(Code::DisabledRule, &f.file, f.at.clone(), message);
            self.out.push(finding);
            return;
        }
        let (Some(filters), Some(kind)) = (f.active(), f.source_kind) else {
            return;
        };
        if !matches!(
            kind,
            Dialect::LambdaSqs | Dialect::LambdaKinesis | Dialect::SnsAttributes | Dialect::SnsBody
        ) {
            // DynamoDB streams and Kafka topics are fed by their tables and producers, never
            // by an EventBridge rule.
            if let Some(e) = f.expects.first() {
                let message = format!(
                    "{what} reads a {} source, which EventBridge rules do not deliver to: its expects cannot be held to any producer",
                    if kind == Dialect::LambdaDynamodb {
                        "DynamoDB stream"
                    } else {
                        "Kafka"
                    }
                );
                let finding = self.finding(Code::InvalidContract, &f.file, e.at.clone(), message);
                self.out.push(finding);
            }
            return;
        }
        let feeders = self.feeders(filters, kind);
        if feeders.is_empty() {
            if let Some(e) = f.expects.first() {
                let hint = self
                    .nearest_target()
                    .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
                let message = format!(
                    "{what} reads {}, which no rule of the workspace targets{hint}: what reaches it is not known, so its expects are not checked",
                    f.source.value
                );
                let finding = self
                    .finding(Code::Undecided, &f.file, e.at.clone(), message)
                    .severity(Severity::Warning);
                self.out.push(finding);
            }
            return;
        }
        // With expects, each expectation says it; without, the filter itself.
        for feeder in feeders.iter().filter(|_| f.expects.is_empty()) {
            if let Seen::Unknown(why) = &feeder.seen {
                let message = format!(
                    "{what} is fed by rule {}, but {why}: whether the filter passes its events is not checked",
                    feeder.rule.rule.value
                );
                let finding = self
                    .finding(
                        Code::Undecided,
                        &f.pattern_file,
                        f.pattern_at.clone(),
                        message,
                    )
                    .severity(Severity::Warning);
                self.out.push(finding);
            }
        }
        if f.expects.is_empty() {
            self.passes_nothing(&feeders);
            return;
        }
        self.expectations(filters, kind, &feeders);
        self.unexpected(filters, kind, &feeders);
    }

    /// The rules whose targets are the source, in the environments checked.
    fn feeders(&self, filters: &crate::Filters, kind: Dialect) -> Vec<Feeder<'w>> {
        let mut feeders: Vec<Feeder<'w>> = Vec::new();
        for s in &self.ws.services {
            for rule in &s.subscribes {
                let Some(pattern) = rule.pattern() else {
                    continue;
                };
                for target in &rule.targets {
                    let envs: Vec<usize> = self
                        .envs
                        .iter()
                        .enumerate()
                        .filter(|(_, env)| {
                            expand(&target.name.value, env) == expand(&self.f.source.value, env)
                        })
                        .map(|(i, _)| i)
                        .collect();
                    if envs.is_empty() {
                        continue;
                    }
                    feeders.push(Feeder {
                        rule,
                        pattern,
                        input: &target.input,
                        envs,
                        seen: seen(self.f, filters, kind, &target.input),
                    });
                }
            }
        }
        feeders
    }

    /// The target name nearest the source's, for a hint.
    fn nearest_target(&self) -> Option<String> {
        let names: Vec<&str> = self
            .ws
            .services
            .iter()
            .flat_map(|s| &s.subscribes)
            .flat_map(|r| &r.targets)
            .map(|t| t.name.value.as_str())
            .collect();
        crate::suggest::nearest(&self.f.source.value, names).map(String::from)
    }

    /// The publications a feeder's rule can receive: those on its bus in its environments.
    fn on_bus(&self, feeder: &Feeder<'_>) -> Vec<&'a Published<'w>> {
        let all: &'a [Published<'w>] = self.all;
        // A publication whose schema does not compile is not generated from.
        all.iter()
            .filter(|p| p.generable())
            .filter(|p| {
                feeder.envs.iter().any(|&e| {
                    let env = &self.envs[e];
                    expand(&p.p.bus.value, env) == expand(&feeder.rule.bus.value, env)
                })
            })
            .collect()
    }

    /// For a filter without expects (an imported one): a finding when it can pass nothing
    /// its source delivers.
    fn passes_nothing(&mut self, feeders: &[Feeder<'_>]) {
        let f = self.f;
        let what = format!("filter {}", f.name.value);
        if let Some(why) = feeders
            .iter()
            .map(|fd| match &fd.seen {
                Seen::Always(false, why) => Some(why.clone()),
                _ => None,
            })
            .collect::<Option<Vec<String>>>()
            .and_then(|whys| whys.into_iter().next())
        {
            let message = format!(
                "{what} can never pass what {} delivers: {why}",
                f.source.value
            );
            let finding = self.finding(
                Code::Unsatisfiable,
                &f.pattern_file,
                f.pattern_at.clone(),
                message,
            );
            self.out.push(finding);
            return;
        }
        let mut delivered = 0;
        for fd in feeders {
            for p in self.on_bus(fd) {
                delivered += 1;
                if never(fd, p.p).is_none() {
                    return;
                }
            }
        }
        if delivered > 0 {
            let message = format!(
                "{what} can pass none of the {delivered} event{} that rules deliver to {}",
                if delivered == 1 { "" } else { "s" },
                f.source.value
            );
            let finding = self
                .finding(
                    Code::NoProducer,
                    &f.pattern_file,
                    f.pattern_at.clone(),
                    message,
                )
                .severity(Severity::Warning);
            self.out.push(finding);
        }
    }

    fn expectations(&mut self, filters: &crate::Filters, kind: Dialect, feeders: &[Feeder<'_>]) {
        let f = self.f;
        let what = format!("filter {}", f.name.value);
        let mut producers_of_expected: Vec<(&Feeder<'_>, &Published<'_>)> = Vec::new();
        for expect in &f.expects {
            let event = &expect.value.event;
            let candidates: Vec<(&Feeder<'_>, &Published<'_>)> = feeders
                .iter()
                .flat_map(|fd| {
                    self.on_bus(fd)
                        .into_iter()
                        .filter(|p| p.p.event.value == *event)
                        .map(move |p| (fd, p))
                })
                .collect();
            producers_of_expected.extend(candidates.iter().copied());
            if candidates.is_empty() {
                let rules: Vec<&str> = feeders
                    .iter()
                    .map(|fd| fd.rule.rule.value.as_str())
                    .collect();
                let message = format!(
                    "{what} expects {event}, but no service publishes it on the bus of a rule that delivers to {} ({})",
                    f.source.value,
                    rules.join(", ")
                );
                let finding = self.finding(Code::NoProducer, &f.file, expect.at.clone(), message);
                self.out.push(finding.event(event));
                continue;
            }
            let reasons: Vec<Option<String>> =
                candidates.iter().map(|(fd, p)| never(fd, p.p)).collect();
            if let Some(all) = reasons.iter().cloned().collect::<Option<Vec<String>>>() {
                let message = format!(
                    "{what} can never receive {event} (expects entry at {}:{}): {}",
                    f.file, expect.at, all[0]
                );
                let mut finding = self.finding(
                    Code::Unsatisfiable,
                    &f.pattern_file,
                    f.pattern_at.clone(),
                    message,
                );
                if all.len() > 1 {
                    finding = finding.evidence(Evidence::Text(all.join("\n")));
                }
                self.out.push(finding.event(event));
                continue;
            }
            let s = seed_for(
                self.seed,
                &[&self.service.name, &f.name.value, event, "witness"],
            );
            let witness = candidates
                .iter()
                .zip(&reasons)
                .filter(|(_, r)| r.is_none())
                .filter(|((fd, _), _)| !matches!(fd.seen, Seen::Unknown(_)))
                .find_map(|((fd, p), _)| instance(f, filters, kind, fd, p, true, s, self.cases));
            match witness {
                Some((_, example)) => self.witnesses.push(Witness {
                    service: self.service.name.clone(),
                    rule: f.name.value.clone(),
                    event: event.clone(),
                    example,
                }),
                None => {
                    let unknown = candidates.iter().find_map(|(fd, _)| match &fd.seen {
                        Seen::Unknown(why) => Some(why.clone()),
                        _ => None,
                    });
                    let message = match unknown {
                        Some(why) => format!("{what} expects {event}, but {why}"),
                        None => format!(
                            "{what} expects {event}, but no generated valid instance came through a rule that delivers to {} and the filter, and static reasoning cannot tell whether one can",
                            f.source.value
                        ),
                    };
                    let finding = self
                        .finding(Code::Undecided, &f.file, expect.at.clone(), message)
                        .event(event);
                    self.out.push(finding);
                    continue;
                }
            }
            if expect.value.every {
                let s = seed_for(
                    self.seed,
                    &[&self.service.name, &f.name.value, event, "every"],
                );
                for (fd, p) in &candidates {
                    if matches!(fd.seen, Seen::Unknown(_)) {
                        continue;
                    }
                    if let Some((which, example)) =
                        instance(f, filters, kind, fd, p, false, s, self.cases)
                    {
                        let stage = Event::parse(&example)
                            .ok()
                            .filter(|e| !fd.pattern.matches_event(e))
                            .map_or_else(
                                || "the filter does not pass it".to_string(),
                                |_| format!("rule {} does not match it", fd.rule.rule.value),
                            );
                        let message = format!(
                            "{what} expects every {event} (expects entry at {}:{}), but misses {which}: {stage}",
                            f.file, expect.at
                        );
                        let finding = self
                            .finding(
                                Code::PartialCoverage,
                                &f.pattern_file,
                                f.pattern_at.clone(),
                                message,
                            )
                            .event(event)
                            .evidence(Evidence::Event(example));
                        self.out.push(finding);
                        break;
                    }
                }
            }
        }
        self.missing_fields(&producers_of_expected);
    }

    /// `missing-field`: a `uses` field that some expected event's schema does not guarantee,
    /// unless every rule delivering it, or every filter, requires the field.
    fn missing_fields(&mut self, producers: &[(&Feeder<'_>, &Published<'_>)]) {
        let f = self.f;
        for u in f.uses.iter().filter(|u| !u.value.optional) {
            let (field, ty) = (&u.value.field, u.value.ty.as_deref());
            let mut reasons: Vec<String> = Vec::new();
            for (fd, p) in producers {
                let by_rule = pattern_guarantees(fd.pattern, field, ty);
                let by_filter = match &fd.seen {
                    Seen::PerEvent(patterns) => {
                        !patterns.is_empty()
                            && patterns.iter().all(|pt| {
                                pt.as_ref()
                                    .is_some_and(|pt| pattern_guarantees(pt, field, ty))
                            })
                    }
                    _ => false,
                };
                let producer = Producer::of(p.p);
                if (by_rule || by_filter)
                    && (ty.is_none()
                        || ty == Some("array")
                        || !super::satisfy::may_be_array(&producer, field))
                {
                    continue;
                }
                if let Some(why) = not_guaranteed(&producer, field, ty) {
                    let r = format!("{} from {}: {why}", p.p.event.value, p.service.name);
                    if !reasons.contains(&r) {
                        reasons.push(r);
                    }
                }
            }
            if let Some(first) = reasons.first() {
                let message = format!(
                    "filter {} uses {field}, which is not guaranteed: {first}",
                    f.name.value
                );
                let mut finding = self.finding(Code::MissingField, &f.file, u.at.clone(), message);
                if reasons.len() > 1 {
                    finding = finding.evidence(Evidence::Text(reasons.join("\n")));
                }
                self.out.push(finding);
            }
        }
    }

    /// `unexpected-event`: an event the consumer neither expects nor accepts that comes
    /// through a rule and the filter.
    fn unexpected(&mut self, filters: &crate::Filters, kind: Dialect, feeders: &[Feeder<'_>]) {
        let f = self.f;
        let expected: Vec<&Publication> = self
            .all
            .iter()
            .filter(|p| p.generable())
            .map(|p| p.p)
            .filter(|p| f.expects.iter().any(|e| e.value.event == p.event.value))
            .collect();
        let mut reported = std::collections::BTreeSet::new();
        for fd in feeders {
            if matches!(fd.seen, Seen::Unknown(_)) {
                continue;
            }
            for p in self.on_bus(fd) {
                let name = &p.p.event.value;
                if reported.contains(name)
                    || f.expects.iter().any(|e| e.value.event == *name)
                    || f.also_accepts.covers(name)
                    || expected.iter().any(|e| {
                        e.source.value == p.p.source.value
                            && e.detail_type.value == p.p.detail_type.value
                    })
                    || never(fd, p.p).is_some()
                {
                    continue;
                }
                let s = seed_for(
                    self.seed,
                    &[&self.service.name, &f.name.value, name, "unexpected"],
                );
                let Some((which, example)) = instance(f, filters, kind, fd, p, true, s, self.cases)
                else {
                    continue;
                };
                reported.insert(name.clone());
                let message = format!(
                    "filter {} also receives {name} ({which}, through rule {}), which it does not expect: narrow the filter, add the event to expects, or list it in also-accepts",
                    f.name.value, fd.rule.rule.value
                );
                let finding = self
                    .finding(
                        Code::UnexpectedEvent,
                        &f.pattern_file,
                        f.pattern_at.clone(),
                        message,
                    )
                    .event(name)
                    .evidence(Evidence::Event(example));
                self.out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_paths() {
        assert_eq!(json_path("$"), Some(vec![]));
        assert_eq!(json_path("$.detail"), Some(vec!["detail"]));
        assert_eq!(
            json_path("$.detail.order-id"),
            Some(vec!["detail", "order-id"])
        );
        assert_eq!(json_path("$.detail[0]"), None);
        assert_eq!(json_path("$..x"), None);
        assert_eq!(json_path("detail"), None);
    }

    #[test]
    fn payloads_follow_the_target() {
        let event = serde_json::json!({"source": "s", "detail": {"a": 1}});
        assert_eq!(
            payload(&TargetInput::Event, &event).unwrap(),
            event.to_string()
        );
        assert_eq!(
            payload(&TargetInput::Path("$.detail".into()), &event).unwrap(),
            r#"{"a":1}"#
        );
        assert_eq!(
            payload(&TargetInput::Path("$.missing".into()), &event),
            None
        );
        assert_eq!(payload(&TargetInput::Transformed, &event), None);
    }

    #[test]
    fn filters_translate_over_the_event() {
        let filter =
            Pattern::parse(r#"{"body": {"detail": {"a": [1]}}, "eventSource": ["aws:sqs"]}"#)
                .unwrap();
        let p = over_event(Dialect::LambdaSqs, &TargetInput::Event, &filter).unwrap();
        assert_eq!(p.source(), r#"{"detail":{"a":[1]}}"#);
        let p = over_event(
            Dialect::LambdaSqs,
            &TargetInput::Path("$.detail".into()),
            &Pattern::parse(r#"{"body": {"a": [1]}}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(p.source(), r#"{"detail":{"a":[1]}}"#);
        let policy = Pattern::parse(r#"{"detail": {"a": [1]}}"#).unwrap();
        assert!(over_event(Dialect::SnsBody, &TargetInput::Event, &policy).is_some());
        let plain = Pattern::parse(r#"{"body": ["x"]}"#).unwrap();
        assert!(over_event(Dialect::LambdaSqs, &TargetInput::Event, &plain).is_none());
        assert!(plain_text_filter(&plain));
    }
}
