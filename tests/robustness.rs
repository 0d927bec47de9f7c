//! Hostile inputs: each must get a clear error or a result, never a panic, a hang or
//! exponential time. (Timings are shown by the benchmark commands in the README, not asserted.)

use bus_contract::{Event, EventError, Options, Pattern, PatternErrorKind};

fn unlimited() -> Options {
    Options::default().max_pattern_size(None)
}

#[test]
fn robustness_deep_nesting() {
    let deep_pattern = format!("{}{}", "{\"a\":".repeat(100_000), "[1]");
    let e = Pattern::parse_with(&deep_pattern, &unlimited()).unwrap_err();
    assert_eq!(e.kind(), PatternErrorKind::Syntax);
    assert!(
        e.reason()
            .starts_with("Document nesting depth (1001) exceeds the maximum allowed (1000"),
        "{e}"
    );
    // With the default size limit the size check answers first.
    assert_eq!(
        Pattern::parse(&deep_pattern).unwrap_err().kind(),
        PatternErrorKind::TooLarge
    );

    let deep_event = "[".repeat(100_000);
    let deep_event = format!("{{\"a\":{deep_event}");
    assert!(matches!(
        Event::parse(&deep_event),
        Err(EventError::Syntax { .. })
    ));

    // 999 levels is fine, on both sides.
    let ok_pattern = format!("{}[1]{}", "{\"a\":".repeat(998), "}".repeat(998));
    let p = Pattern::parse_with(&ok_pattern, &unlimited()).unwrap();
    let ok_event = format!("{}1{}", "{\"a\":".repeat(998), "}".repeat(998));
    assert!(p.matches(&ok_event).unwrap());
}

#[test]
fn robustness_huge_numbers() {
    let digits = "7".repeat(100_000);
    for n in ["1e999999", "-1e-999999", digits.as_str()] {
        // As a literal: not comparable, so it matches only its own text.
        let p = Pattern::parse_with(&format!(r#"{{"n":[{n}]}}"#), &unlimited()).unwrap();
        assert!(p.matches(&format!(r#"{{"n":{n}}}"#)).unwrap());
        assert!(!p.matches(r#"{"n":1}"#).unwrap());
        // As a numeric operand: rejected with EventBridge's reason.
        let e = Pattern::parse_with(
            &format!(r#"{{"n":[{{"numeric":[">",{n}]}}]}}"#),
            &unlimited(),
        )
        .unwrap_err();
        assert_eq!(e.reason(), format!("Cannot compare number : {n}"));
        // In an event: never satisfies numeric.
        let p = Pattern::parse(r#"{"n":[{"numeric":[">",0]}]}"#).unwrap();
        assert!(!p.matches(&format!(r#"{{"n":{n}}}"#)).unwrap());
    }
}

#[test]
fn robustness_invalid_utf8() {
    let bytes = b"{\"source\": \"\xff\xfe\"}";
    assert_eq!(
        Event::from_slice(bytes),
        Err(EventError::Utf8 { offset: 12 })
    );
}

#[test]
fn robustness_wildcards_on_long_strings() {
    let long = "a".repeat(300 * 1024);
    let stars = "*a".repeat(2000);
    // EventBridge refuses such a pattern as too complex...
    let e = Pattern::parse_with(
        &format!(r#"{{"s":[{{"wildcard":"{stars}"}}]}}"#),
        &unlimited(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), PatternErrorKind::TooComplex);
    // ...and without that check, matching stays linear.
    let relaxed = unlimited().max_wildcard_complexity(None);
    let p = Pattern::parse_with(
        &format!(r#"{{"s":[{{"wildcard":"{stars}*b"}}]}}"#),
        &relaxed,
    )
    .unwrap();
    assert!(!p.matches(&format!(r#"{{"s":"{long}"}}"#)).unwrap());
    let p =
        Pattern::parse_with(&format!(r#"{{"s":[{{"wildcard":"{stars}*"}}]}}"#), &relaxed).unwrap();
    assert!(p.matches(&format!(r#"{{"s":"{long}"}}"#)).unwrap());
    let p = Pattern::parse_with(
        &format!(r#"{{"s":[{{"anything-but":{{"wildcard":"{stars}"}}}}]}}"#),
        &relaxed,
    )
    .unwrap();
    assert!(!p.matches(&format!(r#"{{"s":"{long}"}}"#)).unwrap());
}

#[test]
fn robustness_long_lists() {
    let values: Vec<String> = (0..100_000).map(|i| format!("\"v{i}\"")).collect();
    let pattern = format!(
        r#"{{"a":[{}],"b":[{}]}}"#,
        values.join(","),
        values.join(",")
    );
    assert_eq!(
        Pattern::parse(&pattern).unwrap_err().kind(),
        PatternErrorKind::TooLarge
    );
    let p = Pattern::parse_with(&pattern, &unlimited()).unwrap();
    let event = format!(
        r#"{{"a":[{}],"b":[{}]}}"#,
        values.join(","),
        values.join(",")
    );
    assert!(p.matches(&event).unwrap());
    let miss: Vec<String> = (0..100_000).map(|i| format!("\"w{i}\"")).collect();
    let event = format!(r#"{{"a":[{}],"b":[{}]}}"#, values.join(","), miss.join(","));
    assert!(!p.matches(&event).unwrap());
    // Arrays of objects, where array consistency narrows each choice.
    let objects: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"x":"v{i}","y":"v{i}","z":"no"}}"#))
        .collect();
    let p =
        Pattern::parse(r#"{"d":{"x":[{"prefix":"v"}],"y":[{"prefix":"v"}],"z":["yes"]}}"#).unwrap();
    assert!(
        !p.matches(&format!(r#"{{"d":[{}]}}"#, objects.join(",")))
            .unwrap()
    );
}

#[test]
fn robustness_many_or_branches() {
    let branches: Vec<String> = (0..3000).map(|i| format!(r#"{{"f{i}":["v"]}}"#)).collect();
    let pattern = format!(r#"{{"$or":[{}]}}"#, branches.join(","));
    let e = Pattern::parse_with(&pattern, &unlimited()).unwrap_err();
    assert_eq!(e.kind(), PatternErrorKind::TooManyCombinations);
    let p = Pattern::parse_with(&pattern, &unlimited().max_combinations(10_000)).unwrap();
    assert_eq!(p.sub_rule_count(), 3000);
    assert!(p.matches(r#"{"f2999":"v"}"#).unwrap());
    // Nested $or is counted as it expands, so it cannot blow up before the check.
    let nested = format!(
        r#"{{"a":{{"$or":[{0}]}},"b":{{"$or":[{0}]}}}}"#,
        branches.join(",")
    );
    assert_eq!(
        Pattern::parse_with(&nested, &unlimited())
            .unwrap_err()
            .kind(),
        PatternErrorKind::TooManyCombinations
    );
}
