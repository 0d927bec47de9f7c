//! Property tests: random and mutated patterns and events never panic, and a few laws of the
//! semantics hold for every input.

use bus_contract::{Event, Options, Pattern};
use proptest::prelude::*;

/// Arbitrary JSON text, bounded in depth and size.
fn json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        prop_oneof![
            Just("1e400"),
            Just("-0.0"),
            Just("0.100"),
            Just("9007199254740993"),
            Just("3.0e2")
        ]
        .prop_map(String::from),
        "[a-c*\\\\\"é🚀.: ]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        prop_oneof![
            Just("\"10.0.0.1\""),
            Just("\"2001:db8::1\""),
            Just("\"10.0.0.0/8\"")
        ]
        .prop_map(String::from),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key(), inner), 0..5).prop_map(|m| {
                let members: Vec<String> = m.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Member names, biased towards operator names and the names patterns use.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "a",
            "b",
            "a.b",
            "$or",
            "prefix",
            "suffix",
            "equals-ignore-case",
            "wildcard",
            "anything-but",
            "numeric",
            "exists",
            "cidr",
            "exactly",
            "source",
            "detail",
            "",
        ])
        .prop_map(|s| serde_json::to_string(s).unwrap()),
        "[a-z]{1,3}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

/// A valid leaf-list element.
fn matcher() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-c]{0,3}".prop_map(|s| format!("\"{s}\"")),
        (-5i32..5).prop_map(|n| n.to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        "[a-c]{0,2}".prop_map(|s| format!(r#"{{"prefix":"{s}"}}"#)),
        "[a-c]{0,2}".prop_map(|s| format!(r#"{{"suffix":{{"equals-ignore-case":"{s}"}}}}"#)),
        "[a-c]{0,2}".prop_map(|s| format!(r#"{{"equals-ignore-case":"{s}"}}"#)),
        "[a-c]{0,2}\\*?[a-c]{0,2}".prop_map(|s| format!(r#"{{"wildcard":"{s}"}}"#)),
        "[a-c]{1,2}".prop_map(|s| format!(r#"{{"anything-but":"{s}"}}"#)),
        (-5i32..5).prop_map(|n| format!(r#"{{"anything-but":[{n}]}}"#)),
        "[a-c]{1,2}".prop_map(|s| format!(r#"{{"anything-but":{{"prefix":"{s}"}}}}"#)),
        (-5i32..0, 0i32..5).prop_map(|(l, h)| format!(r#"{{"numeric":[">",{l},"<=",{h}]}}"#)),
        any::<bool>().prop_map(|b| format!(r#"{{"exists":{b}}}"#)),
        Just(r#"{"cidr":"10.0.0.0/8"}"#.to_string()),
    ]
}

/// A valid pattern over the fields a, b and a.c, with an optional `$or`.
fn pattern() -> impl Strategy<Value = String> {
    let field = (
        prop::sample::select(vec!["a", "b", "c"]),
        prop::collection::vec(matcher(), 1..4),
    )
        .prop_map(|(k, ms)| format!(r#""{k}":[{}]"#, ms.join(",")));
    let object = prop::collection::vec(field, 1..3)
        .prop_map(|fs| format!("{{{}}}", fs.join(",")))
        .boxed();
    (object.clone(), prop::option::of((object.clone(), object))).prop_map(|(base, or)| match or {
        None => base,
        Some((x, y)) => format!(r#"{{"n":{base},"$or":[{x},{y}]}}"#),
    })
}

/// An event over the same fields.
fn event() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        "[a-c]{0,3}".prop_map(|s| format!("\"{s}\"")),
        (-5i32..5).prop_map(|n| n.to_string()),
        (-5i32..5).prop_map(|n| format!("{n}.0")),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("\"10.1.2.3\"".to_string()),
    ]
    .boxed();
    let value = prop_oneof![
        scalar.clone(),
        prop::collection::vec(scalar.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
    ];
    let object = prop::collection::vec((prop::sample::select(vec!["a", "b", "c"]), value), 0..4)
        .prop_map(|m| {
            let members: Vec<String> = m
                .into_iter()
                .map(|(k, v)| format!(r#""{k}":{v}"#))
                .collect();
            format!("{{{}}}", members.join(","))
        })
        .boxed();
    (
        object.clone(),
        prop::collection::vec(object.clone(), 0..3),
        object,
    )
        .prop_map(|(top, n, inner)| {
            let top = top.trim_end_matches('}');
            let sep = if top.len() > 1 { "," } else { "" };
            format!(r#"{top}{sep}"n":[{}],"x":{inner}}}"#, n.join(","))
        })
}

/// One random edit of a text: delete, insert or replace a character.
fn mutate(text: &str, at: usize, op: u8, c: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let mut out: Vec<char> = chars.clone();
    match op % 3 {
        0 if at < out.len() => {
            out.remove(at);
        }
        1 => out.insert(at, c),
        _ if at < out.len() => out[at] = c,
        _ => out.push(c),
    }
    out.into_iter().collect()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn properties_random_json_never_panics(p in json(), e in json()) {
        let parsed = Pattern::parse(&p);
        let event = Event::parse(&e);
        if let (Ok(p), Ok(e)) = (parsed, event) {
            let _ = p.matches_event(&e);
        }
    }

    #[test]
    fn properties_generated_patterns_are_valid(p in pattern(), e in event()) {
        let parsed = Pattern::parse(&p);
        prop_assert!(parsed.is_ok(), "{p}: {:?}", parsed.err().map(|e| e.to_string()));
        let event = Event::parse(&e);
        prop_assert!(event.is_ok(), "{e}");
        let _ = parsed.unwrap().matches_event(&event.unwrap());
    }

    #[test]
    fn properties_mutated_patterns_never_panic(
        p in pattern(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), prop::sample::select(vec!['{', '}', '[', ']', '"', ',', ':', '\\', '*', '0', 'e', '-', '.', 'x', ' '])), 1..4),
        e in event(),
    ) {
        let mut text = p;
        for (at, op, c) in edits {
            text = mutate(&text, at, op, c);
        }
        if let Ok(p) = Pattern::parse(&text) {
            let _ = p.matches(&e);
        }
        let mutated_event = mutate(&e, text.len(), 1, '"');
        let _ = Event::parse(&mutated_event);
    }

    /// `exists: true` and `exists: false` on one path are complements.
    #[test]
    fn properties_exists_complement(e in event(), path in prop::sample::select(vec!["a", "n.a", "x.b", "q"])) {
        let nest = |cond: &str| {
            let parts: Vec<&str> = path.split('.').collect();
            let mut s = format!("[{{\"exists\":{cond}}}]");
            for p in parts.iter().rev() {
                s = format!("{{\"{p}\":{s}}}");
            }
            s
        };
        let yes = Pattern::parse(&nest("true")).unwrap().matches(&e).unwrap();
        let no = Pattern::parse(&nest("false")).unwrap().matches(&e).unwrap();
        prop_assert_ne!(yes, no);
    }

    /// Whitespace between tokens never changes the verdict.
    #[test]
    fn properties_whitespace_is_irrelevant(p in pattern(), e in event()) {
        let spaced = p.replace(',', " ,\n ").replace(':', " : ");
        let a = Pattern::parse(&p).unwrap().matches(&e).unwrap();
        let options = Options::default().max_pattern_size(None);
        let b = Pattern::parse_with(&spaced, &options).unwrap().matches(&e).unwrap();
        prop_assert_eq!(a, b);
    }

    /// A `$or` of two patterns matches exactly when one of them does.
    #[test]
    fn properties_or_is_disjunction(x in pattern().prop_filter("no nested $or", |p| !p.contains("$or")),
                                    y in pattern().prop_filter("no nested $or", |p| !p.contains("$or")),
                                    e in event()) {
        let both = format!(r#"{{"$or":[{x},{y}]}}"#);
        let m = |p: &str| Pattern::parse(p).unwrap().matches(&e).unwrap();
        prop_assert_eq!(m(&both), m(&x) || m(&y));
    }
}

mod strategies {
    use bus_contract::{CheckConfig, Pattern, Workspace, strategy};
    use proptest::prelude::*;

    fn matches(p: &Pattern, e: &serde_json::Value) -> bool {
        p.matches(&e.to_string()).unwrap()
    }

    fn parsed(text: String) -> (String, Pattern) {
        let p = Pattern::parse(&text).unwrap();
        (text, p)
    }

    proptest! {
        #![proptest_config(super::config())]

        /// `matching` builds events the reference matcher accepts.
        #[test]
        fn properties_matching_always_matches(
            (text, event) in super::pattern().prop_map(parsed).prop_flat_map(|(t, p)| (Just(t), strategy::matching(&p)))
        ) {
            let p = Pattern::parse(&text).unwrap();
            prop_assert!(matches(&p, &event), "{text} should match {event}");
            // Generated events are full envelopes, as test-pattern's strict mode wants.
            let e = bus_contract::Event::parse(&event.to_string()).unwrap();
            prop_assert!(e.missing_envelope_fields().is_empty() || text.contains("exists\":false"), "{event}");
        }

        /// `near_miss` builds events the reference matcher rejects.
        #[test]
        fn properties_near_miss_never_matches(
            (text, event) in super::pattern()
                .prop_map(parsed)
                .prop_filter("patterns without near misses", |(_, p)| strategy::near_miss(p).is_some())
                .prop_flat_map(|(t, p)| (Just(t), strategy::near_miss(&p).unwrap()))
        ) {
            let p = Pattern::parse(&text).unwrap();
            prop_assert!(!matches(&p, &event), "{text} should not match {event}");
        }
    }

    /// The same laws over every rule of the Bellyfed registry.
    #[test]
    fn properties_registry_rules() {
        let ws = Workspace::bellyfed();
        assert!(ws.check(&CheckConfig::default()).is_ok());
        let rules = ws.rules();
        assert!(rules.len() >= 12);
        for rule in rules {
            let pattern = rule.pattern.expect("registry patterns are valid");
            let mut runner = strategy::runner(7);
            runner
                .run(&strategy::matching(pattern), |e| {
                    prop_assert!(matches(pattern, &e), "{}: {e}", rule.name);
                    Ok(())
                })
                .unwrap();
            let near = strategy::near_miss(pattern).expect("registry rules have near misses");
            runner
                .run(&near, |e| {
                    prop_assert!(!matches(pattern, &e), "{}: {e}", rule.name);
                    Ok(())
                })
                .unwrap();
        }
    }
}

/// The compiled matcher agrees with the reference matcher.
mod differential {
    use bus_contract::{Event, Matcher, Pattern, Scratch};
    use proptest::prelude::*;

    fn numeric_op() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["<", "<=", ">", ">=", "="])
    }

    /// Numbers near each other and at the edges: the boundaries the index must get right.
    fn numeric_value() -> impl Strategy<Value = String> {
        prop_oneof![
            (-4i32..5).prop_map(|i| i.to_string()),
            (-4i32..5).prop_map(|i| format!("{i}.5")),
            prop::sample::select(vec![
                "0",
                "-0",
                "0.0",
                "-0.0",
                "1e0",
                "10e-1",
                "1E+0",
                "5e9",
                "-5e9",
                "5000000000.000001",
                "1e308",
                "-1e308",
                "1e-320",
                "123456789012345678",
                "0.1",
                "0.30000000000000004",
            ])
            .prop_map(String::from),
        ]
    }

    fn both(patterns: &[String], event: &str) -> Result<(), TestCaseError> {
        both_with(patterns, event, &bus_contract::Options::default())
    }

    fn both_with(
        patterns: &[String],
        event: &str,
        options: &bus_contract::Options,
    ) -> Result<(), TestCaseError> {
        let parsed: Vec<Pattern> = patterns
            .iter()
            .filter_map(|p| Pattern::parse_with(p, options).ok())
            .collect();
        let mut builder = Matcher::builder();
        for (i, p) in parsed.iter().enumerate() {
            builder.add(format!("p{i}"), p.clone()).unwrap();
        }
        let matcher = builder.build().unwrap();
        let Ok(e) = Event::parse(event) else {
            return Ok(());
        };
        let want: Vec<String> = parsed
            .iter()
            .enumerate()
            .filter(|(_, p)| p.matches_event(&e))
            .map(|(i, _)| format!("p{i}"))
            .collect();
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        // Twice with one scratch: reuse must not leak state between events.
        for _ in 0..2 {
            matcher
                .matches_into(event.as_bytes(), &mut scratch, &mut out)
                .unwrap();
            let got: Vec<String> = out.iter().map(|&id| matcher.name(id).to_string()).collect();
            prop_assert_eq!(&got, &want, "patterns {:?}, event {}", patterns, event);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(super::config())]

        #[test]
        fn properties_compiled_equals_reference(patterns in prop::collection::vec(super::pattern(), 1..6), event in super::event()) {
            both(&patterns, &event)?;
        }

        #[test]
        fn properties_compiled_equals_reference_on_random_json(pattern in super::json(), event in super::json()) {
            both(&[pattern], &event)?;
        }

        /// Many `numeric` ranges on one path, as the interval index holds them: open and
        /// closed ends, one-sided ranges, `=`, -0, numbers of every form (exponents, huge,
        /// tiny), on both numeric profiles, in and out of arrays.
        #[test]
        fn properties_compiled_equals_reference_on_numeric_ranges(
            ranges in prop::collection::vec((numeric_op(), numeric_value(), numeric_op(), numeric_value(), 0u8..4), 1..40),
            values in prop::collection::vec(numeric_value(), 1..4),
            legacy in any::<bool>(),
        ) {
            let patterns: Vec<String> = ranges
                .iter()
                .map(|(op1, v1, op2, v2, shape)| {
                    let list = match shape {
                        0 => format!(r#"["{op1}", {v1}]"#),
                        1 => format!(r#"["=", {v1}]"#),
                        _ => format!(r#"[">{}", {v1}, "<{}", {v2}]"#, if op1.contains('=') { "=" } else { "" }, if op2.contains('=') { "=" } else { "" }),
                    };
                    format!(r#"{{"n": [{{"numeric": {list}}}], "m": [{{"numeric": {list}}}, "x"]}}"#)
                })
                .collect();
            let event = format!(r#"{{"n": {}, "m": [{}]}}"#, values[0], values.join(","));
            if legacy {
                let options = bus_contract::Options::default().numeric_profile(bus_contract::NumericProfile::Legacy5e9);
                both_with(&patterns, &event, &options)?;
            } else {
                both(&patterns, &event)?;
            }
        }

        /// Many wildcards on one path, as the affix index holds them: leading and trailing
        /// stars, none, escapes, multi-byte text.
        #[test]
        fn properties_compiled_equals_reference_on_wildcards(
            wildcards in prop::collection::vec("[ab*é\\\\]{0,6}", 1..30),
            values in prop::collection::vec("[ab*é\\\\]{0,6}", 1..4),
        ) {
            let patterns: Vec<String> = wildcards
                .iter()
                .map(|w| {
                    let w = serde_json::to_string(w).unwrap();
                    format!(r#"{{"s": [{{"wildcard": {w}}}], "m": [{{"wildcard": {w}}}, "x"]}}"#)
                })
                .collect();
            let values: Vec<String> = values.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            let event = format!(r#"{{"s": {}, "m": [{}]}}"#, values[0], values.join(","));
            both(&patterns, &event)?;
        }

        /// Many non-ASCII `equals-ignore-case` values on one path, as the index of their
        /// leading texts holds them, with the engine's quirks (ß and SS, the Kelvin sign,
        /// final sigma, astral characters as `??`).
        #[test]
        fn properties_compiled_equals_reference_on_folded_text(
            wanted in prop::collection::vec("[aAßSsK\u{212A}kÉéςσΣ🚀?]{0,9}", 1..30),
            picks in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, "[aAßSsK\u{212A}kÉéςσΣ🚀?]{0,9}"), 1..4),
        ) {
            let patterns: Vec<String> = wanted
                .iter()
                .map(|w| {
                    let w = serde_json::to_string(w).unwrap();
                    format!(r#"{{"s": [{{"equals-ignore-case": {w}}}], "m": [{{"equals-ignore-case": {w}}}, "x"]}}"#)
                })
                .collect();
            // Values near the wanted ones (the same, upper-cased, lower-cased) and others.
            let values: Vec<String> = picks
                .iter()
                .map(|(i, how, other)| {
                    let w = i.get(&wanted);
                    let v = match how {
                        0 => w.clone(),
                        1 => w.to_uppercase(),
                        2 => w.to_lowercase(),
                        _ => other.clone(),
                    };
                    serde_json::to_string(&v).unwrap()
                })
                .collect();
            let event = format!(r#"{{"s": {}, "m": [{}]}}"#, values[0], values.join(","));
            both(&patterns, &event)?;
        }

        #[test]
        fn properties_compiled_equals_reference_on_arrays(
            patterns in prop::collection::vec(super::pattern(), 1..4),
            elements in prop::collection::vec(super::event(), 0..4),
        ) {
            // Arrays of objects, where array consistency matters.
            let event = format!(r#"{{"a":[{}],"n":[{}]}}"#, elements.join(","), elements.join(","));
            both(&patterns, &event)?;
        }
    }
}
