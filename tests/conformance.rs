//! Runs every case of `../shared/conformance/*.jsonl` through the library and reports every
//! failure at the end. `BUS_CONFORMANCE=substr` runs only the cases whose id contains `substr`.
//!
//! The cases are read from `../shared` at test time; nothing derived from them is stored here.

mod common;

use bus_contract::{Event, Pattern};
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
