//! Runs every case of `../shared/conformance/*.jsonl` through the library and reports every
//! failure at the end. `BUS_CONFORMANCE=substr` runs only the cases whose id contains `substr`.
//!
//! The cases are read from `../shared` at test time; nothing derived from them is stored here.

mod common;

use bus_contract::{Event, Matcher, Options, Pattern};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Case {
    id: String,
    pattern: Option<Box<RawValue>>,
    pattern_raw: Option<String>,
    event: Option<Box<RawValue>>,
    event_raw: Option<String>,
    expected: String,
    error: Option<CaseError>,
    known_conflict: Option<String>,
    event_ruler_result: Option<String>,
}

#[derive(Deserialize)]
struct CaseError {
    code: String,
    message: Option<String>,
}

/// What the library says about one case, in the corpus's vocabulary.
fn outcome(
    pattern: &str,
    event: Option<&str>,
    strict_envelope: bool,
) -> (String, Option<(String, String)>) {
    let pattern = match Pattern::parse(pattern) {
        Ok(p) => p,
        Err(e) => {
            return ("error".into(), Some((e.code().into(), e.to_string())));
        }
    };
    let Some(event) = event else {
        return ("no event".into(), None);
    };
    let invalid_event = || {
        (
            "error".to_string(),
            Some((
                "ValidationException".to_string(),
                "Parameter Event is not valid.".to_string(),
            )),
        )
    };
    let Ok(event) = Event::parse(event) else {
        return invalid_event();
    };
    if strict_envelope && !event.missing_envelope_fields().is_empty() {
        return invalid_event();
    }
    let verdict = if pattern.matches_event(&event) {
        "match"
    } else {
        "no-match"
    };
    // The compiled matcher must agree with the reference matcher on every case.
    let mut builder = Matcher::builder();
    builder.add("p", pattern.clone()).unwrap();
    let compiled = builder.build().unwrap();
    let hits = compiled.matches(event.to_string().as_bytes()).unwrap();
    let compiled_verdict = if hits.is_empty() { "no-match" } else { "match" };
    if compiled_verdict != verdict {
        return (
            format!("{compiled_verdict} (compiled matcher; the reference says {verdict})"),
            None,
        );
    }
    (verdict.into(), None)
}

#[test]
fn conformance_corpus() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let filter = std::env::var("BUS_CONFORMANCE").unwrap_or_default();
    let mut failures = Vec::new();
    let mut total = 0;
    for (file, strict) in [
        ("aws-verified.jsonl", true),
        ("event-ruler.jsonl", false),
        ("docs.jsonl", false),
    ] {
        let path = shared.join("conformance").join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let case: Case =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", n + 1));
            if !case.id.contains(&filter) {
                continue;
            }
            total += 1;
            let pattern = case
                .pattern_raw
                .clone()
                .or_else(|| case.pattern.as_ref().map(|p| p.get().to_string()))
                .unwrap_or_default();
            let event = case
                .event_raw
                .clone()
                .or_else(|| case.event.as_ref().map(|e| e.get().to_string()))
                .filter(|e| e != "null");
            // Where the documentation is known to be outdated, AWS's behaviour is the truth.
            let expected = match (&case.known_conflict, &case.event_ruler_result) {
                (Some(_), Some(actual)) => actual.clone(),
                _ => case.expected.clone(),
            };
            let (got, error) = outcome(&pattern, event.as_deref(), strict);
            let ok = match (&case.error, expected.as_str()) {
                (Some(want), "error") => match &error {
                    Some((code, message)) => {
                        code == &want.code && want.message.as_ref().is_none_or(|m| m == message)
                    }
                    None => false,
                },
                _ => got == expected,
            };
            if !ok {
                failures.push(format!(
                    "{file} {}: expected {expected}{}, got {got}{}\n    pattern: {pattern}\n    event: {}",
                    case.id,
                    case.error
                        .as_ref()
                        .map(|e| format!(" ({}: {})", e.code, e.message.as_deref().unwrap_or("any message")))
                        .unwrap_or_default(),
                    error.map(|(c, m)| format!(" ({c}: {m})")).unwrap_or_default(),
                    event.as_deref().unwrap_or("-"),
                ));
            }
        }
    }
    assert!(
        total > 0,
        "no conformance case matched BUS_CONFORMANCE={filter:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} conformance cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{total} conformance cases agree");
}

/// Probes whose event-ruler outcome this engine deliberately does not reproduce; each is in
/// the README's divergences.
const KNOWN_DIVERGENCES: &[(&str, &str)] = &[
    (
        "ab-prefix-emptylist",
        "event-ruler accepts the empty list and fails when matching; rejected up front",
    ),
    (
        "ab-eic-emptylist",
        "event-ruler accepts the empty list and fails when matching; rejected up front",
    ),
    (
        "dot-key-trailing",
        "keys with a trailing dot are ambiguous and out of the spec's scope (§1.3)",
    ),
];

/// The spec's companion probes (`../shared/spec/eventbridge-patterns-probes.tsv`): the outcome
/// recorded on AWS where there is one, else event-ruler's; the flattened (non array-consistent)
/// outcome where it differs; and the wildcard complexity figure, checked against the limit.
#[test]
fn conformance_spec_probes() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let filter = std::env::var("BUS_CONFORMANCE").unwrap_or_default();
    let path = shared.join("spec/eventbridge-patterns-probes.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut total = 0;
    let mut skipped = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("source\t"))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [_, label, pattern, event, aws, ruler, non_ac, complexity] = cols[..] else {
            panic!("unexpected probe line: {line}");
        };
        if !label.contains(&filter) {
            continue;
        }
        total += 1;
        if let Some((_, why)) = KNOWN_DIVERGENCES.iter().find(|(l, _)| *l == label) {
            eprintln!("{label}: known divergence, {why}");
            skipped += 1;
            continue;
        }
        let expected = if aws.is_empty() { ruler } else { aws };
        let verdict = |options: &Options| -> String {
            match Pattern::parse_with(pattern, options) {
                Err(e) => format!("ERROR: {}", e.reason()),
                Ok(p) => match p.matches(event) {
                    Ok(true) => "MATCH".into(),
                    Ok(false) => "NO".into(),
                    Err(e) => format!("EVENT ERROR: {e}"),
                },
            }
        };
        // Wildcard complexity is a service-level check that event-ruler does not make.
        let ruler_options = Options::default().max_wildcard_complexity(None);
        let options = if aws.is_empty() {
            ruler_options.clone()
        } else {
            Options::default()
        };
        let got = verdict(&options);
        if got != expected {
            failures.push(format!("{label}: expected {expected}, got {got}\n    pattern: {pattern}\n    event: {event}"));
        }
        // The flattened outcome is recorded from event-ruler's deprecated API, which also
        // differs in number handling; only its array semantics are an option here.
        if !non_ac.is_empty() && event.contains('[') {
            let got = verdict(&ruler_options.clone().array_consistency(false));
            if got != non_ac {
                failures.push(format!("{label} (flattened): expected {non_ac}, got {got}"));
            }
        }
        if let Ok(c) = complexity.parse::<usize>() {
            let accepted = Pattern::parse(pattern).is_ok();
            if accepted != (c <= 10) {
                failures.push(format!(
                    "{label}: complexity {c}, but accepted = {accepted}"
                ));
            }
        }
    }
    assert!(total > 0, "no probe matched BUS_CONFORMANCE={filter:?}");
    assert!(
        failures.is_empty(),
        "{} of {total} probes failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} spec probes agree; {skipped} known divergences skipped",
        total - skipped
    );
}
