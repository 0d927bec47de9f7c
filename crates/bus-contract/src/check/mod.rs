//! `check`: everything the gate verifies over a loaded workspace. Pure: no I/O, no printing.

mod filters;
mod generated;
mod naming;
mod practices;
pub(crate) mod routing;
mod satisfy;

use std::collections::{BTreeMap, BTreeSet};

pub(crate) use crate::diag::{Code, Evidence, Finding, Location, Severity};
pub(crate) use crate::environment::expand;

use crate::diag::Report;
use crate::event::Event;
use crate::workspace::{Publication, Service, Subscription, Workspace};
use satisfy::{Producer, never_matches, not_guaranteed};

/// What `check` does beyond its defaults.
///
/// # Example
/// ```
/// use bus_contract::{CheckConfig, Workspace};
/// let report = Workspace::bellyfed().check(&CheckConfig::default().environment("prod"));
/// assert_eq!(report.errors(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConfig {
    environment: Option<String>,
    cases: u32,
    seed: u64,
    deny_warnings: bool,
    severities: BTreeMap<Code, Option<Severity>>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            environment: None,
            cases: 256,
            seed: 0,
            deny_warnings: false,
            severities: BTreeMap::new(),
        }
    }
}

impl CheckConfig {
    /// Makes every warning an error, so that warnings fail the gate too (`--deny warnings`).
    /// Applied after the severities. Default: off.
    #[must_use]
    pub fn deny_warnings(mut self, on: bool) -> Self {
        self.deny_warnings = on;
        self
    }

    /// Sets the severity of one code, over `severities` in `bus-contract.yaml`; `None` turns
    /// the code off (`--severity CODE=error|warning|off`).
    #[must_use]
    pub fn severity(mut self, code: Code, severity: Option<Severity>) -> Self {
        self.severities.insert(code, severity);
        self
    }

    /// How many events to generate for each question static reasoning leaves open
    /// (`partial-coverage`, `unexpected-event`). Default: 256.
    #[must_use]
    pub fn cases(mut self, cases: u32) -> Self {
        self.cases = cases;
        self
    }

    /// The seed of the generated events; the same seed gives the same report. Default: 0.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Check one environment only. Default: every environment of the workspace.
    #[must_use]
    pub fn environment(mut self, env: impl Into<String>) -> Self {
        self.environment = Some(env.into());
        self
    }
}

/// The attempts and ages EventBridge accepts in a retry policy.
const RETRY_ATTEMPTS: std::ops::RangeInclusive<i64> = 0..=185;
const RETRY_AGE_SECONDS: std::ops::RangeInclusive<i64> = 60..=86_400;

impl Workspace {
    /// Runs every check and returns the report. Findings are data: this never fails.
    pub fn check(&self, config: &CheckConfig) -> Report {
        let envs: Vec<String> = match &config.environment {
            Some(e) => vec![e.clone()],
            None => self.config.environments.clone(),
        };
        let mut out = self.problems.clone();
        if let Some(why) = self.nothing_to_check() {
            out.push(Finding::new(
                Code::InvalidContract,
                crate::CONFIG_FILE,
                Location::File,
                why,
            ));
        }
        if let Some(why) = config
            .environment
            .as_deref()
            .and_then(|env| self.unknown_environment(env))
        {
            out.push(Finding::new(
                Code::InvalidContract,
                crate::CONFIG_FILE,
                Location::File,
                why,
            ));
        }
        let mut ctx = Context {
            ws: self,
            envs: &envs,
            out: &mut out,
        };
        ctx.producers();
        ctx.policies();
        ctx.orphans();
        ctx.duplicates();
        ctx.duplicate_rules();
        ctx.examples();
        if let Some(conventions) = &self.config.conventions {
            naming::check(self, conventions, &envs, &mut out);
        }
        routing::check(self, &mut out);
        practices::check(self, &envs, &mut out);
        let mut witnesses = Vec::new();
        // Each publication's valid examples, parsed once for rules and filters alike.
        let published = generated::Published::all(self);
        generated::check(
            self,
            &envs,
            config.seed,
            config.cases,
            &mut out,
            &mut witnesses,
            &published,
        );
        filters::check(
            self,
            &envs,
            config.seed,
            config.cases,
            &mut out,
            &mut witnesses,
            &published,
        );
        // Severity overrides from bus-contract.yaml.
        let mut findings: Vec<Finding> = out
            .into_iter()
            .filter_map(|mut f| {
                let set = config
                    .severities
                    .get(&f.code)
                    .or_else(|| self.config.severities.get(&f.code));
                match set {
                    Some(None) => return None,
                    Some(Some(s)) => f.severity = *s,
                    None => {}
                }
                if config.deny_warnings {
                    f.severity = Severity::Error;
                }
                Some(f)
            })
            .collect();
        findings.sort();
        findings.dedup();
        let services = self
            .services
            .iter()
            .map(|s| crate::diag::ServiceSummary {
                name: s.name.clone(),
                file: s.file.clone(),
                events: s.publishes.len(),
                // A rule imported once per environment is one rule.
                rules: s
                    .subscribes
                    .iter()
                    .map(|sub| &sub.rule.value)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                filters: s.filters.len(),
                examples: s.publishes.iter().map(|p| p.examples.len()).sum(),
            })
            .collect();
        Report::new(findings, services, envs, witnesses)
    }
}

struct Context<'a> {
    ws: &'a Workspace,
    envs: &'a [String],
    out: &'a mut Vec<Finding>,
}

impl<'a> Context<'a> {
    fn push(&mut self, service: &Service, finding: Finding) {
        self.out.push(finding.service(Some(&service.name)));
    }

    /// A finding about a subscription: for an imported rule, with where it came from.
    fn push_sub(&mut self, service: &Service, sub: &Subscription, finding: Finding) {
        self.out.push(
            finding
                .service(Some(&service.name))
                .rule(&sub.rule.value)
                .origin(sub.origin.as_deref()),
        );
    }

    /// Publications of `event` on `bus` (a template) in each environment.
    fn producers_of<'w>(
        &self,
        event: &str,
        bus: &str,
    ) -> BTreeMap<String, Vec<(&'w Service, &'w Publication)>>
    where
        'a: 'w,
    {
        let ws: &'w Workspace = self.ws;
        let mut out = BTreeMap::new();
        for env in self.envs {
            let wanted = expand(bus, env);
            let found: Vec<_> = ws
                .services
                .iter()
                .flat_map(|s| s.publishes.iter().map(move |p| (s, p)))
                .filter(|(_, p)| p.event.value == event && expand(&p.bus.value, env) == wanted)
                .collect();
            out.insert(env.clone(), found);
        }
        out
    }

    /// `no-producer`, `unsatisfiable` and `missing-field`.
    fn producers(&mut self) {
        let ws: &'a Workspace = self.ws;
        for service in &ws.services {
            for sub in &service.subscribes {
                let mut producers_of_expected = Vec::new();
                for expect in &sub.expects {
                    let event = &expect.value.event;
                    let by_env = self.producers_of(event, &sub.bus.value);
                    let missing: Vec<&str> = by_env
                        .iter()
                        .filter(|(_, p)| p.is_empty())
                        .map(|(e, _)| e.as_str())
                        .collect();
                    if !missing.is_empty() {
                        let elsewhere: BTreeSet<String> = ws
                            .services
                            .iter()
                            .flat_map(|s| s.publishes.iter().map(move |p| (s, p)))
                            .filter(|(_, p)| p.event.value == *event)
                            .map(|(s, p)| format!("{} publishes it on {}", s.name, p.bus.value))
                            .collect();
                        let envs = if missing.len() == by_env.len() {
                            String::new()
                        } else {
                            format!(" in {}", missing.join(", "))
                        };
                        let hint = if elsewhere.is_empty() {
                            ws.nearest_event(event)
                                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"))
                        } else {
                            format!(
                                " ({})",
                                elsewhere.into_iter().collect::<Vec<_>>().join("; ")
                            )
                        };
                        let message = format!(
                            "rule {} expects {event}, which no service publishes on {}{envs}{hint}",
                            sub.rule.value, sub.bus.value
                        );
                        let f =
                            Finding::new(Code::NoProducer, &sub.file, expect.at.clone(), message);
                        self.push_sub(service, sub, f.event(event));
                    }
                    let mut distinct: Vec<(&Service, &Publication)> = Vec::new();
                    for (s, p) in by_env.into_values().flatten() {
                        if !distinct
                            .iter()
                            .any(|(ds, dp)| std::ptr::eq(*ds, s) && std::ptr::eq(*dp, p))
                        {
                            distinct.push((s, p));
                        }
                    }
                    if let Some(pattern) = sub.pattern() {
                        self.unsatisfiable(
                            service,
                            sub,
                            pattern,
                            &expect.value.event,
                            &expect.at,
                            &distinct,
                        );
                    }
                    producers_of_expected.extend(distinct);
                }
                self.missing_fields(service, sub, &producers_of_expected);
                if let crate::workspace::AlsoAccepts::Events(events) = &sub.also_accepts {
                    for e in events {
                        let published = self
                            .producers_of(&e.value, &sub.bus.value)
                            .values()
                            .any(|p| !p.is_empty());
                        if !published {
                            let hint = ws
                                .nearest_event(&e.value)
                                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
                            let message = format!(
                                "rule {} also accepts {}, which no service publishes on {}{hint}",
                                sub.rule.value, e.value, sub.bus.value
                            );
                            let f =
                                Finding::new(Code::NoProducer, &sub.file, e.at.clone(), message)
                                    .severity(Severity::Warning);
                            self.push_sub(service, sub, f.event(&e.value));
                        }
                    }
                }
            }
        }
    }

    fn unsatisfiable(
        &mut self,
        service: &Service,
        sub: &Subscription,
        pattern: &crate::Pattern,
        event: &str,
        at: &Location,
        producers: &[(&Service, &Publication)],
    ) {
        if producers.is_empty() {
            return;
        }
        let mut all = Vec::new();
        for (ps, p) in producers {
            match never_matches(pattern, &Producer::of(p)) {
                None => return,
                Some(reasons) => all.extend(reasons.into_iter().map(|r| (ps, p, r))),
            }
        }
        let Some((_, _, first)) = all.first() else {
            return;
        };
        let branches = pattern.sub_rule_count();
        let describe = |r: &satisfy::Never| {
            if branches > 1 {
                format!(
                    "in $or branch {} ({}), {}: {}",
                    r.branch + 1,
                    r.list.pointer,
                    r.path,
                    r.reason
                )
            } else {
                format!("{}: {}", r.path, r.reason)
            }
        };
        // Every branch of the first producer, each with its own failing field.
        let (first_service, first_publication) = (all[0].0, all[0].1);
        let first_producer: Vec<String> = all
            .iter()
            .take_while(|(ps, p, _)| {
                std::ptr::eq(**ps, *first_service) && std::ptr::eq(**p, *first_publication)
            })
            .map(|(_, _, r)| describe(r))
            .collect();
        let whole = if branches > 1 {
            "no $or branch can match: "
        } else {
            ""
        };
        let message = format!(
            "rule {} can never match {event} (expects entry at {}:{at}): {whole}{}",
            sub.rule.value,
            sub.file,
            first_producer.join("; ")
        );
        let mut f = Finding::new(
            Code::Unsatisfiable,
            &sub.pattern_file,
            sub.field_location(&first.list),
            message,
        );
        if all.len() > first_producer.len() {
            let lines: Vec<String> = all
                .iter()
                .map(|(ps, p, r)| format!("{} ({}): {}", ps.name, p.event.value, describe(r)))
                .collect();
            f = f.evidence(Evidence::Text(lines.join("\n")));
        }
        self.push_sub(service, sub, f.event(event));
    }

    fn missing_fields(
        &mut self,
        service: &Service,
        sub: &Subscription,
        producers: &[(&Service, &Publication)],
    ) {
        for u in sub.uses.iter().filter(|u| !u.value.optional) {
            let (field, ty) = (&u.value.field, u.value.ty.as_deref());
            // A field the rule's own pattern requires is in every event the rule delivers,
            // and a value condition fixes its type, unless the schema lets it be an array.
            let by_pattern = sub
                .pattern()
                .is_some_and(|pattern| satisfy::pattern_guarantees(pattern, field, ty));
            let mut reasons = Vec::new();
            for (ps, p) in producers {
                let producer = Producer::of(p);
                if by_pattern
                    && (ty.is_none()
                        || ty == Some("array")
                        || !satisfy::may_be_array(&producer, field))
                {
                    continue;
                }
                if let Some(why) = not_guaranteed(&producer, field, ty) {
                    let r = format!("{} from {}: {why}", p.event.value, ps.name);
                    if !reasons.contains(&r) {
                        reasons.push(r);
                    }
                }
            }
            if let Some(first) = reasons.first() {
                let message = format!(
                    "rule {} uses {field}, which is not guaranteed: {first}",
                    sub.rule.value
                );
                let mut f = Finding::new(Code::MissingField, &sub.file, u.at.clone(), message);
                if reasons.len() > 1 {
                    f = f.evidence(Evidence::Text(reasons.join("\n")));
                }
                self.push_sub(service, sub, f);
            }
        }
    }

    /// `no-dead-letter-queue` and `retry-policy`, for each target of an enabled rule;
    /// `disabled-rule`.
    fn policies(&mut self) {
        let ws: &'a Workspace = self.ws;
        for service in &ws.services {
            for sub in &service.subscribes {
                if sub.state == crate::workspace::RuleState::Disabled {
                    let message = format!(
                        "rule {} is DISABLED: EventBridge does not match it, and neither do check, match and the routing snapshot",
                        sub.rule.value
                    );
                    let f = Finding::new(Code::DisabledRule, &sub.file, sub.at.clone(), message);
                    self.push_sub(service, sub, f);
                    // It delivers nothing, so its queues and policies wait until it is enabled.
                    continue;
                }
                let several = sub.targets.len() > 1;
                for target in &sub.targets {
                    let whose = if several {
                        format!("rule {} (target {})", sub.rule.value, target.name.value)
                    } else {
                        format!("rule {}", sub.rule.value)
                    };
                    self.target_policies(service, sub, target, &whose);
                }
            }
        }
    }

    fn target_policies(
        &mut self,
        service: &Service,
        sub: &Subscription,
        target: &crate::workspace::Target,
        whose: &str,
    ) {
        if target.dead_letter_queue.is_none() {
            let message = format!(
                "{whose} has no dead-letter queue: events its target fails to take are lost"
            );
            let f = Finding::new(Code::NoDeadLetterQueue, &sub.file, sub.at.clone(), message);
            self.push_sub(service, sub, f);
        }
        let empty =
            |p: &crate::workspace::RetryPolicy| p.attempts.is_none() && p.age_seconds.is_none();
        match &target.retry_policy {
            // An empty policy is EventBridge's defaults, as no policy is.
            None => {
                let message = format!(
                    "{whose} has no retry policy (EventBridge then retries for 24 hours, 185 times)"
                );
                let f = Finding::new(Code::RetryPolicy, &sub.file, sub.at.clone(), message)
                    .severity(Severity::Warning);
                self.push_sub(service, sub, f);
            }
            Some(policy) if empty(&policy.value) => {
                let message = format!(
                    "{whose} has an empty retry policy, which is EventBridge's default: retries for 24 hours, 185 times"
                );
                let f = Finding::new(Code::RetryPolicy, &sub.file, policy.at.clone(), message)
                    .severity(Severity::Warning);
                self.push_sub(service, sub, f);
            }
            Some(policy) => {
                let mut problems = Vec::new();
                match policy.value.attempts {
                    Some(a) if !RETRY_ATTEMPTS.contains(&a) => {
                        problems.push(format!("maximum-retry-attempts {a} is outside 0 to 185"));
                    }
                    // Either field may be left out: EventBridge then takes its default.
                    _ => {}
                }
                match policy.value.age_seconds {
                    Some(s) if !RETRY_AGE_SECONDS.contains(&s) => {
                        problems.push(format!(
                            "maximum-event-age-seconds {s} is outside 60 to 86400"
                        ));
                    }
                    _ => {}
                }
                if !problems.is_empty() {
                    let message = format!("{whose}: {}", problems.join("; "));
                    let f = Finding::new(Code::RetryPolicy, &sub.file, policy.at.clone(), message);
                    self.push_sub(service, sub, f);
                }
            }
        }
    }

    /// `orphan-event`: published, expected by no rule.
    fn orphans(&mut self) {
        let ws: &'a Workspace = self.ws;
        for service in &ws.services {
            for p in &service.publishes {
                let expected = ws.services.iter().flat_map(|s| &s.subscribes).any(|sub| {
                    // A rule without expects (an imported one) takes what it can match.
                    let takes = if sub.expects.is_empty() {
                        sub.pattern().is_some_and(|pattern| {
                            never_matches(pattern, &Producer::of(p)).is_none()
                        })
                    } else {
                        sub.expects.iter().any(|e| e.value.event == p.event.value)
                    };
                    takes
                        && self
                            .envs
                            .iter()
                            .any(|env| expand(&sub.bus.value, env) == expand(&p.bus.value, env))
                });
                if !expected {
                    let message = format!(
                        "{} on {} is expected by no rule",
                        p.event.value, p.bus.value
                    );
                    let f = Finding::new(
                        Code::OrphanEvent,
                        &service.file,
                        p.event.at.clone(),
                        message,
                    );
                    self.push(service, f.event(&p.event.value));
                }
            }
        }
    }

    /// `duplicate-event`: one (source, detail-type) declared twice on one bus.
    fn duplicates(&mut self) {
        let mut reported = BTreeSet::new();
        let ws: &'a Workspace = self.ws;
        for env in self.envs {
            // Decided per environment: a bus without `${environment}` (`default`) is the same
            // bus in each, and one declaration must not meet itself there.
            let mut seen: BTreeMap<(String, String, String), (String, String)> = BTreeMap::new();
            for service in &ws.services {
                for p in &service.publishes {
                    let key = (
                        expand(&p.bus.value, env),
                        p.source.value.clone(),
                        p.detail_type.value.clone(),
                    );
                    match seen.get(&key) {
                        None => {
                            seen.insert(key, (service.name.clone(), p.event.value.clone()));
                        }
                        Some((other, other_event)) => {
                            let id = (service.file.clone(), p.at.clone());
                            if reported.insert(id) {
                                let message = format!(
                                    "source {} with detail-type {} on {} is already declared by {other} as {other_event}",
                                    p.source.value, p.detail_type.value, p.bus.value
                                );
                                let f = Finding::new(
                                    Code::DuplicateEvent,
                                    &service.file,
                                    p.at.clone(),
                                    message,
                                );
                                self.push(service, f.event(&p.event.value));
                            }
                        }
                    }
                }
            }
        }
    }

    /// `duplicate-rule`: two rules of one name on one bus in one environment. Each is
    /// reported where it is written, naming the other.
    fn duplicate_rules(&mut self) {
        let ws: &'a Workspace = self.ws;
        let rules: Vec<(&Service, &Subscription)> = ws
            .services
            .iter()
            .flat_map(|s| s.subscribes.iter().map(move |sub| (s, sub)))
            .collect();
        let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, (_, sub)) in rules.iter().enumerate() {
            by_name.entry(sub.rule.value.as_str()).or_default().push(i);
        }
        let mut reported = BTreeSet::new();
        let pairs = by_name.values().flat_map(|same| {
            same.iter()
                .enumerate()
                .flat_map(move |(k, &i)| same[k + 1..].iter().map(move |&j| (i, j)))
        });
        for (i, j) in pairs {
            let ((sa, a), (sb, b)) = (rules[i], rules[j]);
            // One resource of one template, evaluated once per environment: not two rules.
            if a.origin.is_some() && a.origin == b.origin && a.file == b.file {
                continue;
            }
            // Same-named buses of two accounts or regions are two buses.
            if !a.bus_place.may_be_same(&b.bus_place) {
                continue;
            }
            let envs: Vec<&str> = self
                .envs
                .iter()
                .filter(|env| expand(&a.bus.value, env) == expand(&b.bus.value, env))
                .map(String::as_str)
                .collect();
            if envs.is_empty() {
                continue;
            }
            let place = |s: &Subscription| match &s.at {
                Location::File => s.file.clone(),
                at => format!("{}:{at}", s.file),
            };
            let scope = if envs.len() == self.envs.len() {
                String::new()
            } else {
                format!(" in {}", envs.join(", "))
            };
            for ((svc, this), (other_svc, other)) in [((sa, a), (sb, b)), ((sb, b), (sa, a))] {
                if !reported.insert((
                    this.file.clone(),
                    this.at.clone(),
                    other.file.clone(),
                    other.at.clone(),
                )) {
                    continue;
                }
                // A rule adopted into a contract while its template is still imported.
                let adopted = if this.origin.is_some() != other.origin.is_some() {
                    "; to adopt an imported rule into a contract, stop importing it (or drop the contract's entry)"
                } else {
                    ""
                };
                let message = format!(
                    "rule {} on {}{scope} is also declared at {} ({}): EventBridge rule names are unique per bus, so one would replace the other{adopted}",
                    this.rule.value,
                    this.bus.value,
                    place(other),
                    other_svc.name
                );
                let f = Finding::new(
                    Code::DuplicateRule,
                    &this.file,
                    this.rule.at.clone(),
                    message,
                );
                self.push_sub(svc, this, f);
            }
        }
    }

    /// `invalid-example`.
    fn examples(&mut self) {
        let max = self.ws.config.max_event_size;
        let ws: &'a Workspace = self.ws;
        for service in &ws.services {
            for p in &service.publishes {
                let validator = p.schema.as_ref().and_then(|s| s.validator.clone());
                for ex in &p.examples {
                    let mut problems: Vec<(Location, String)> = Vec::new();
                    let json: serde_json::Value = match serde_json::from_str(&ex.text) {
                        Ok(j) => j,
                        Err(e) => {
                            let at = Location::LineColumn(e.line() as u64, e.column() as u64);
                            let f = Finding::new(
                                Code::InvalidExample,
                                &ex.file,
                                at,
                                format!("example is not JSON: {e}"),
                            );
                            self.push(service, f.event(&p.event.value));
                            continue;
                        }
                    };
                    match Event::parse(&ex.text) {
                        Err(e) => {
                            problems.push((Location::File, format!("example is not an event: {e}")))
                        }
                        Ok(event) => {
                            let mut missing = event.missing_envelope_fields();
                            if event.value().get("detail").is_none() {
                                missing.push("detail");
                            }
                            if !missing.is_empty() {
                                problems.push((
                                    Location::File,
                                    format!("the envelope lacks {}", missing.join(", ")),
                                ));
                            }
                        }
                    }
                    for (field, declared) in [
                        ("source", &p.source.value),
                        ("detail-type", &p.detail_type.value),
                    ] {
                        if let Some(actual) = json.get(field) {
                            if actual.as_str() != Some(declared.as_str()) {
                                problems.push((
                                    Location::Pointer(format!("/{field}")),
                                    format!(
                                        "{field} is {actual}, but {} declares {declared:?}",
                                        p.event.value
                                    ),
                                ));
                            }
                        }
                    }
                    if let (Some(v), Some(detail)) = (&validator, json.get("detail")) {
                        for error in v.iter_errors(detail) {
                            let path = error.instance_path().to_string();
                            problems.push((
                                Location::Pointer(format!("/detail{path}")),
                                format!(
                                    "detail{path} violates the schema of {}: {error}",
                                    p.event.value
                                ),
                            ));
                        }
                    }
                    let size = entry_size(&json);
                    if size > max {
                        problems.push((
                            Location::File,
                            format!("the event is {size} bytes as a PutEvents entry; EventBridge takes at most {max}"),
                        ));
                    }
                    for (at, message) in problems {
                        let f = Finding::new(Code::InvalidExample, &ex.file, at, message);
                        self.push(service, f.event(&p.event.value));
                    }
                }
            }
        }
    }
}

/// The size EventBridge counts for a `PutEvents` entry: 14 bytes when `time` is set, plus the
/// UTF-8 bytes of source, detail-type, detail (as JSON text) and each resource.
fn entry_size(event: &serde_json::Value) -> u64 {
    let text = |k: &str| {
        event
            .get(k)
            .and_then(serde_json::Value::as_str)
            .map_or(0, str::len)
    };
    let mut size = text("source") + text("detail-type");
    if event.get("time").is_some() {
        size += 14;
    }
    if let Some(d) = event.get("detail") {
        size += d.to_string().len();
    }
    if let Some(r) = event.get("resources").and_then(serde_json::Value::as_array) {
        size += r
            .iter()
            .filter_map(serde_json::Value::as_str)
            .map(str::len)
            .sum::<usize>();
    }
    size as u64
}
