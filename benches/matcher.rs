//! Criterion benchmarks of the reference and the compiled matcher on a typical 1 KB envelope.
//!
//! Run with `cargo bench --bench matcher`.

use std::hint::black_box;

use bus_contract::{Event, Matcher, Pattern, Scratch};
use criterion::{Criterion, criterion_group, criterion_main};

/// A realistic event of about 1 KB: the envelope plus a nested `detail`.
const EVENT: &str = r#"{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "ProfileUpdated",
  "source": "bellyfed.user",
  "account": "123456789012",
  "time": "2026-11-27T09:30:00Z",
  "region": "eu-west-1",
  "resources": ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"],
  "detail": {
    "userId": "user-4f9c2d1e-8b7a-4c3d-9e2f-1a2b3c4d5e6f",
    "updatedFields": ["name", "email", "avatar", "locale"],
    "timestamp": "2026-11-27T09:30:00.000Z",
    "plan": "pro",
    "profile": {
      "displayName": "Ada Lovelace",
      "email": "ada@example.com",
      "locale": "en-GB",
      "timezone": "Europe/London",
      "dietary": ["vegetarian", "gluten-free"],
      "favouriteCuisines": ["italian", "japanese", "ethiopian"]
    },
    "client": {"ip": "203.0.113.42", "userAgent": "Mozilla/5.0 (X11; Linux x86_64)", "appVersion": "4.12.1"},
    "metrics": {"profileCompleteness": 0.85, "sessions": 143, "reviews": 27},
    "previous": {"plan": "free", "locale": "en-US"},
    "correlationId": "c0ffee00-1234-4abc-8def-0123456789ab"
  }
}"#;

const SIMPLE: &str =
    r#"{"source": ["bellyfed.user"], "detail-type": ["ProfileUpdated", "PreferencesChanged"]}"#;

const MIXED: &str = r#"{
  "source": [{"prefix": "bellyfed."}],
  "detail-type": [{"equals-ignore-case": "profileupdated"}],
  "detail": {
    "plan": [{"anything-but": ["free", "trial"]}],
    "metrics": {"sessions": [{"numeric": [">", 100, "<=", 1000]}]},
    "profile": {"dietary": ["vegan", "vegetarian"], "email": [{"wildcard": "*@example.com"}]},
    "client": {"ip": [{"cidr": "203.0.113.0/24"}]},
    "correlationId": [{"exists": true}]
  }
}"#;

fn bench(c: &mut Criterion) {
    assert!(
        EVENT.len() > 1000 && EVENT.len() < 1400,
        "the event is {} bytes",
        EVENT.len()
    );
    let event = Event::parse(EVENT).expect("valid event");
    let mut group = c.benchmark_group("reference");
    for (name, text) in [("simple", SIMPLE), ("mixed", MIXED)] {
        let pattern = Pattern::parse(text).expect("valid pattern");
        assert!(pattern.matches_event(&event), "{name} must match");
        group.bench_function(format!("{name}/match_parsed_event"), |b| {
            b.iter(|| black_box(&pattern).matches_event(black_box(&event)))
        });
        group.bench_function(format!("{name}/parse_and_match"), |b| {
            b.iter(|| black_box(&pattern).matches(black_box(EVENT)))
        });
    }
    group.bench_function("event_parse", |b| b.iter(|| Event::parse(black_box(EVENT))));
    group.bench_function("pattern_parse/mixed", |b| {
        b.iter(|| Pattern::parse(black_box(MIXED)))
    });
    group.finish();

    // The compiled matcher on the same bytes: no DOM, buffers reused.
    let mut group = c.benchmark_group("compiled");
    for (name, text) in [("simple", SIMPLE), ("mixed", MIXED)] {
        let mut builder = Matcher::builder();
        builder
            .add(name, Pattern::parse(text).expect("valid pattern"))
            .expect("unique");
        let matcher = builder.build().expect("builds");
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        matcher
            .matches_into(EVENT.as_bytes(), &mut scratch, &mut out)
            .expect("valid event");
        assert_eq!(out.len(), 1, "{name} must match");
        group.bench_function(format!("{name}/match_bytes"), |b| {
            b.iter(|| matcher.matches_into(black_box(EVENT.as_bytes()), &mut scratch, &mut out))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
