//! The checks that need generated events: a witness for each (rule, expected event) pair,
//! `partial-coverage` for `every: true`, `unexpected-event`, and `undecided` when nothing
//! settles a question. Static reasoning runs first; generation only decides what it cannot.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestError;
use serde_json::Value as J;

use crate::check::satisfy::{Producer, never_matches};
use crate::check::{Code, Evidence, Finding, Location, expand};
use crate::diag::Witness;
use crate::event::Event;
use crate::pattern::Pattern;
use crate::strategy::{self, Declaration};
use crate::workspace::{Publication, Subscription, Workspace};

/// A seed for one question, derived from the run's seed and the question's names, so that
/// every question draws its own events and a seed reproduces all of them.
pub(super) fn seed_for(seed: u64, parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for p in parts {
        for b in p.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Whether a pattern takes only events of AWS services (`source` all `aws.…`), which no
/// contract declares.
fn aws_only(pattern: &Pattern) -> bool {
    let Ok(value) = serde_json::from_str::<J>(pattern.source()) else {
        return false;
    };
    let aws = |v: &J| match v {
        J::String(s) => s.starts_with("aws."),
        J::Object(o) => o
            .get("prefix")
            .and_then(J::as_str)
            .is_some_and(|p| p.starts_with("aws.")),
        _ => false,
    };
    value
        .get("source")
        .and_then(J::as_array)
        .is_some_and(|list| !list.is_empty() && list.iter().all(aws))
}

fn statically_never(pattern: &Pattern, p: &Publication) -> bool {
    never_matches(pattern, &Producer::of(p)).is_some()
}

/// A valid instance of `decl` that `pattern` misses (`want_match = true`) or matches
/// (`false`), shrunk; `None` when all `cases` generated instances behave.
fn counterexample(
    pattern: &Pattern,
    decl: &Declaration,
    want_match: bool,
    seed: u64,
    cases: u32,
) -> Option<J> {
    let mut builder = crate::Matcher::builder();
    builder.add("p", pattern.clone()).ok()?;
    let matcher = builder.build().ok()?;
    let scratch = std::cell::RefCell::new((crate::Scratch::default(), Vec::new(), Vec::new()));
    let mut runner = strategy::quiet_runner(seed, cases);
    let result = runner.run(&strategy::event_of(decl), |e| {
        let mut guard = scratch.borrow_mut();
        let (scratch, hits, bytes) = &mut *guard;
        bytes.clear();
        serde_json::to_writer(&mut *bytes, &e)
            .map_err(|err| proptest::test_runner::TestCaseError::fail(err.to_string()))?;
        let matched = matcher.matches_into(bytes, scratch, hits).is_ok() && !hits.is_empty();
        if matched == want_match {
            Ok(())
        } else {
            Err(proptest::test_runner::TestCaseError::fail("counterexample"))
        }
    });
    match result {
        Err(TestError::Fail(_, minimal)) => Some(minimal),
        _ => None,
    }
}

pub(super) fn compact(event: &J) -> String {
    serde_json::to_string(event).unwrap_or_default()
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
    // The publications on each bus in each environment, found once: a rule's bus is then one
    // lookup per environment, not a scan of every publication.
    let mut by_bus: std::collections::HashMap<(usize, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, p) in all.iter().enumerate() {
        for (e, env) in envs.iter().enumerate() {
            by_bus
                .entry((e, expand(&p.bus.value, env)))
                .or_default()
                .push(i);
        }
    }
    for service in &ws.services {
        for sub in &service.subscribes {
            let Some(pattern) = sub.pattern() else {
                continue;
            };
            let mut here: Vec<usize> = envs
                .iter()
                .enumerate()
                .filter_map(|(e, env)| by_bus.get(&(e, expand(&sub.bus.value, env))))
                .flatten()
                .copied()
                .collect();
            here.sort_unstable();
            here.dedup();
            // A publication whose schema does not compile (an invalid-contract error) is not
            // generated from: its instances would be anything.
            let on_bus: Vec<&Published> = here
                .into_iter()
                .map(|i| &all[i])
                .filter(|p| p.generable())
                .collect();
            if sub.expects.is_empty() {
                // A rule that says nothing of what it expects (as imported ones do): it should
                // at least be able to receive some event declared on its bus.
                if on_bus.iter().all(|p| statically_never(pattern, p)) && !aws_only(pattern) {
                    let message = if on_bus.is_empty() {
                        format!(
                            "rule {} is on {}, where no service publishes",
                            sub.rule.value, sub.bus.value
                        )
                    } else {
                        format!(
                            "rule {} can match none of the {} event{} declared on {}",
                            sub.rule.value,
                            on_bus.len(),
                            if on_bus.len() == 1 { "" } else { "s" },
                            sub.bus.value
                        )
                    };
                    out.push(
                        Finding::new(Code::NoProducer, &sub.file, sub.at.clone(), message)
                            .severity(crate::check::Severity::Warning)
                            .service(Some(&service.name))
                            .rule(&sub.rule.value)
                            .origin(sub.origin.as_deref()),
                    );
                }
                continue;
            }
            expectations(
                service.name.as_str(),
                sub,
                pattern,
                &on_bus,
                seed,
                cases,
                out,
                witnesses,
            );
            // Events on the bus that the rule neither expects nor accepts, but matches: the
            // producers' own examples first (certain), then generated valid instances.
            let expected: Vec<&&Published> = on_bus
                .iter()
                .filter(|p| sub.expects.iter().any(|e| e.value.event == p.event.value))
                .collect();
            for p in on_bus.iter().filter(|p| {
                !sub.expects.iter().any(|e| e.value.event == p.event.value)
                    && !sub.also_accepts.covers(&p.event.value)
                    // An event declared with an expected one's source and detail-type is a
                    // duplicate-event, not a fault of the rule.
                    && !expected.iter().any(|e| {
                        e.source.value == p.source.value
                            && e.detail_type.value == p.detail_type.value
                    })
            }) {
                if statically_never(pattern, p) {
                    continue;
                }
                let s = seed_for(
                    seed,
                    &[&service.name, &sub.rule.value, &p.event.value, "unexpected"],
                );
                let Some((which, example)) = evidence(pattern, p, true, s, cases) else {
                    continue;
                };
                let at = hit_location(sub, pattern, &example);
                let message = format!(
                    "rule {} also matches {} ({which}), which it does not expect: narrow the pattern, add the event to expects, or list it in also-accepts",
                    sub.rule.value, p.event.value
                );
                out.push(
                    Finding::new(Code::UnexpectedEvent, &sub.pattern_file, at, message)
                        .service(Some(&service.name))
                        .rule(&sub.rule.value)
                        .event(&p.event.value)
                        .evidence(Evidence::Event(example)),
                );
            }
        }
    }
}

/// A publication, its service, and those of its examples that are valid instances, parsed:
/// made once per check for every question that asks.
pub(super) struct Published<'w> {
    pub(super) service: &'w crate::workspace::Service,
    pub(super) p: &'w Publication,
    pub(super) examples: Vec<(&'w str, Event)>,
}

impl<'w> Published<'w> {
    /// Every publication of a workspace, in order.
    pub(super) fn all(ws: &'w Workspace) -> Vec<Published<'w>> {
        ws.services
            .iter()
            .flat_map(|s| s.publishes.iter().map(move |p| (s, p)))
            .map(|(service, p)| Published {
                service,
                p,
                examples: valid_examples(p),
            })
            .collect()
    }

    /// Whether its instances can be generated: a schema that does not compile (an
    /// invalid-contract error) would make them anything.
    pub(super) fn generable(&self) -> bool {
        self.p.schema.as_ref().is_none_or(|s| s.validator.is_some())
    }
}

impl std::ops::Deref for Published<'_> {
    type Target = Publication;

    fn deref(&self) -> &Publication {
        self.p
    }
}

/// A valid instance of the publication that the pattern takes (`matching`) or misses: one of
/// its examples when one does, since that is certain, else a generated one, shrunk; with how
/// a message names it.
fn evidence(
    pattern: &Pattern,
    p: &Published,
    matching: bool,
    seed: u64,
    cases: u32,
) -> Option<(String, String)> {
    if let Some((file, e)) = p
        .examples
        .iter()
        .find(|(_, e)| pattern.matches_event(e) == matching)
    {
        return Some((format!("its example {file}"), e.value().to_string()));
    }
    counterexample(pattern, &p.declaration(), !matching, seed, cases).map(|e| {
        (
            "valid instances such as the evidence's".to_string(),
            compact(&e),
        )
    })
}

/// The examples of a publication that are valid events under its schema, with their files.
fn valid_examples(p: &Publication) -> Vec<(&str, Event)> {
    let validator = p.schema.as_ref().and_then(|s| s.validator.clone());
    p.examples
        .iter()
        .filter_map(|ex| {
            let event = Event::parse(&ex.text).ok()?;
            let json: J = serde_json::from_str(&ex.text).ok()?;
            let declared = json.get("source").and_then(J::as_str) == Some(p.source.value.as_str())
                && json.get("detail-type").and_then(J::as_str)
                    == Some(p.detail_type.value.as_str());
            let valid = match (&validator, json.get("detail")) {
                (Some(v), Some(d)) => v.is_valid(d),
                (None, _) => true,
                (Some(_), None) => false,
            };
            (declared && valid).then_some((ex.file.as_str(), event))
        })
        .collect()
}

/// Where a pattern takes an event it should not: in the first branch that matches, the
/// `detail-type` condition (what usually narrows a rule to its events), else `source`, else
/// the branch's first field.
fn hit_location(sub: &Subscription, pattern: &Pattern, event: &str) -> Location {
    let Ok(event) = Event::parse(event) else {
        return sub.pattern_at.clone();
    };
    let explanation = pattern.explain(&event);
    let branch = explanation
        .branches
        .iter()
        .position(crate::BranchVerdict::fields_ok)
        .unwrap_or(0);
    let Some(rule) = pattern.sub_rules().get(branch) else {
        return sub.pattern_at.clone();
    };
    let field = ["detail-type", "source"]
        .iter()
        .find_map(|name| rule.fields.iter().find(|f| f.path == *name))
        .or_else(|| rule.fields.first());
    field.map_or_else(|| sub.pattern_at.clone(), |f| sub.field_location(&f.list))
}

/// Where a pattern misses an event it should take: in the branch that fails the fewest
/// fields, the first field it fails, described with its pointer when the pattern has `$or`.
fn miss_location(sub: &Subscription, pattern: &Pattern, event: &str) -> (Location, String) {
    let fallback = (sub.pattern_at.clone(), String::new());
    let Ok(event) = Event::parse(event) else {
        return fallback;
    };
    let explanation = pattern.explain(&event);
    let Some((branch, verdict)) = explanation
        .branches
        .iter()
        .enumerate()
        .min_by_key(|(_, b)| b.fields.iter().filter(|f| !f.ok).count())
    else {
        return fallback;
    };
    let Some((i, failed)) = verdict.fields.iter().enumerate().find(|(_, f)| !f.ok) else {
        return fallback;
    };
    let Some(field) = pattern
        .sub_rules()
        .get(branch)
        .and_then(|r| r.fields.get(i))
    else {
        return fallback;
    };
    let values = if failed.values.is_empty() {
        "no value".to_string()
    } else {
        failed.values.join(", ")
    };
    let place = if pattern.sub_rule_count() > 1 {
        format!("in $or branch {} ({}), ", branch + 1, field.list.pointer)
    } else {
        String::new()
    };
    (
        sub.field_location(&field.list),
        format!(
            "{place}{} wants {} but it has {values}",
            failed.path, failed.wants
        ),
    )
}

#[allow(clippy::too_many_arguments)]
fn expectations(
    service: &str,
    sub: &Subscription,
    pattern: &Pattern,
    on_bus: &[&Published],
    seed: u64,
    cases: u32,
    out: &mut Vec<Finding>,
    witnesses: &mut Vec<Witness>,
) {
    for expect in &sub.expects {
        let event = &expect.value.event;
        let producers: Vec<&&Published> =
            on_bus.iter().filter(|p| p.event.value == *event).collect();
        let possible: Vec<&&Published> = producers
            .iter()
            .copied()
            .filter(|p| !statically_never(pattern, p))
            .collect();
        if possible.is_empty() {
            // No producer (no-producer), or never (unsatisfiable): reported statically.
            continue;
        }
        let s = seed_for(seed, &[service, &sub.rule.value, event, "witness"]);
        // The search for a witness gets a bounded budget of rejected candidates.
        let witness = possible.iter().find_map(|p| {
            let mut runner = strategy::quiet_runner(s, cases.max(16) / 4);
            strategy::matching_within(pattern, &p.declaration())
                .new_tree(&mut runner)
                .ok()
                .map(|t| t.current())
        });
        match witness {
            Some(w) => witnesses.push(Witness {
                service: service.to_string(),
                rule: sub.rule.value.clone(),
                event: event.clone(),
                example: compact(&w),
            }),
            None => {
                let message = format!(
                    "rule {} expects {event}, but no generated valid instance matched it, and static reasoning cannot tell whether one can",
                    sub.rule.value
                );
                out.push(
                    Finding::new(Code::Undecided, &sub.file, expect.at.clone(), message)
                        .service(Some(service))
                        .rule(&sub.rule.value)
                        .event(event),
                );
                continue;
            }
        }
        if expect.value.every {
            for p in &producers {
                let s = seed_for(seed, &[service, &sub.rule.value, event, "every"]);
                if let Some((which, example)) = evidence(pattern, p, false, s, cases) {
                    let (at, why) = miss_location(sub, pattern, &example);
                    let message = format!(
                        "rule {} expects every {event} (expects entry at {}:{}), but misses {which}: {why}",
                        sub.rule.value, sub.file, expect.at
                    );
                    out.push(
                        Finding::new(Code::PartialCoverage, &sub.pattern_file, at, message)
                            .service(Some(service))
                            .rule(&sub.rule.value)
                            .event(event)
                            .evidence(Evidence::Event(example)),
                    );
                    break;
                }
            }
        }
    }
}
