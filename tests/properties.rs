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

/// 512 cases each, or `PROPTEST_CASES` for a deeper run.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(512),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every dialect validates and matches any JSON without panicking: random filters,
    /// random records, and records whose data fields hold random (and base64) text.
    #[test]
    fn properties_dialects_never_panic(p in json(), q in pattern(), e in json(), data in json()) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
        let records = [
            e.clone(),
            format!(r#"{{"eventSource": "aws:sqs", "body": {}}}"#, serde_json::to_string(&data).unwrap()),
            format!(r#"{{"eventSource": "aws:kinesis", "kinesis": {{"data": "{b64}"}}, "data": {e}}}"#),
            format!(r#"{{"eventSource": "aws:dynamodb", "dynamodb": {e}}}"#),
        ];
        for d in bus_contract::DIALECTS {
            for text in [&p, &q] {
                if let Ok(filters) = d.filters(&[text.as_str(), q.as_str()]) {
                    for r in &records {
                        if let Ok(record) = bus_contract::Event::parse(r) {
                            let _ = filters.matches(&record);
                        }
                    }
                }
            }
        }
    }

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

        /// `near_miss` builds events the reference matcher rejects. Some patterns leave no
        /// near miss to find (another `$or` branch takes every candidate): the strategy then
        /// gives up within its budget, which is no failure of the law.
        #[test]
        fn properties_near_miss_never_matches(text in super::pattern(), seed in any::<u64>()) {
            use proptest::strategy::ValueTree;
            let p = Pattern::parse(&text).unwrap();
            if let Some(near) = strategy::near_miss(&p) {
                let mut runner = strategy::runner(seed);
                if let Ok(tree) = near.new_tree(&mut runner) {
                    let event = tree.current();
                    prop_assert!(!matches(&p, &event), "{text} should not match {event}");
                }
            }
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

    /// A scalar near the values the `anything-but` property excludes.
    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            "[abAB]{0,3}".prop_map(|s| format!("\"{s}\"")),
            (-2i32..6).prop_map(|n| n.to_string()),
            Just("null".to_string()),
            Just("true".to_string()),
        ]
    }

    /// A pattern with matcher `m` on `s`, and on `m` beside an exact value: the index alone
    /// and the index within a list.
    fn s_and_m(m: &str) -> String {
        format!(r#"{{"s": [{m}], "m": [{m}, "x"]}}"#)
    }

    /// An event with the first value at `s` and all of them in an array at `m`.
    fn on_s_and_m(values: &[String]) -> String {
        format!(r#"{{"s": {}, "m": [{}]}}"#, values[0], values.join(","))
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
                    s_and_m(&format!(r#"{{"wildcard": {w}}}"#))
                })
                .collect();
            let values: Vec<String> = values.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            let event = on_s_and_m(&values);
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
                    s_and_m(&format!(r#"{{"equals-ignore-case": {w}}}"#))
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
            let event = on_s_and_m(&values);
            both(&patterns, &event)?;
        }

        /// `anything-but` in every form and `exists: true`, alone in a field (settled when its
        /// sub-rule is verified, not indexed) or with other matchers and `exists: false`,
        /// inside arrays of objects where array consistency matters and outside them.
        #[test]
        fn properties_compiled_equals_reference_on_anything_but(
            fields in prop::collection::vec(prop::collection::vec((0u8..8, "[ab]{0,2}", -2i32..2), 1..3), 1..4),
            extra in prop::collection::vec(0u8..4, 3),
            count in 1usize..12,
            elements in prop::collection::vec((prop::option::of(scalar()), prop::option::of(scalar())), 0..4),
            top in prop::option::of(scalar()),
        ) {
            let list = |ms: &[(u8, String, i32)], extra: u8| {
                let mut out: Vec<String> = ms
                    .iter()
                    .map(|(kind, t, n)| {
                        let t = serde_json::to_string(t).unwrap();
                        match kind {
                            0 => format!(r#"{{"anything-but": [{t}, "b"]}}"#),
                            1 => format!(r#"{{"anything-but": [{n}, 5]}}"#),
                            2 => format!(r#"{{"anything-but": {{"prefix": {t}}}}}"#),
                            3 => format!(r#"{{"anything-but": {{"suffix": {t}}}}}"#),
                            4 => format!(r#"{{"anything-but": {{"equals-ignore-case": [{t}]}}}}"#),
                            5 => format!(r#"{{"anything-but": {{"wildcard": "{}*"}}}}"#, t.trim_matches('"')),
                            6 => r#"{"exists": true}"#.to_string(),
                            _ => format!(r#"{{"anything-but": {t}}}"#),
                        }
                    })
                    .collect();
                match extra {
                    1 => out.push(r#"{"exists": false}"#.into()),
                    2 => out.push(r#""a""#.into()),
                    _ => {}
                }
                out.join(", ")
            };
            let paths = ["b", "c", "t"];
            let patterns: Vec<String> = (0..count)
                .map(|i| {
                    let (mut inner, mut outer) = (Vec::new(), Vec::new());
                    for (k, ms) in fields.iter().enumerate() {
                        // Each pattern a little different: rotate the fields' paths.
                        let path = paths[(k + i) % 3];
                        let member = format!(r#""{path}": [{}]"#, list(ms, extra[k % 3]));
                        if path == "t" { outer.push(member) } else { inner.push(member) }
                    }
                    if !inner.is_empty() {
                        outer.push(format!(r#""a": {{{}}}"#, inner.join(", ")));
                    }
                    format!("{{{}}}", outer.join(", "))
                })
                .collect();
            let elements: Vec<String> = elements
                .iter()
                .map(|(b, c)| {
                    let members: Vec<String> = [("b", b), ("c", c)]
                        .iter()
                        .filter_map(|(k, v)| v.as_ref().map(|v| format!(r#""{k}": {v}"#)))
                        .collect();
                    format!("{{{}}}", members.join(", "))
                })
                .collect();
            let top = top.map_or(String::new(), |v| format!(r#", "t": {v}"#));
            let event = format!(r#"{{"a": [{}]{top}}}"#, elements.join(", "));
            both(&patterns, &event)?;
            // The same values outside arrays.
            let flat = format!(r#"{{"a": {}{top}}}"#, elements.first().map_or("{}", String::as_str));
            both(&patterns, &flat)?;
        }

        /// Many `cidr` blocks and address literals on one path, as the index of blocks holds
        /// them: both families, every mask length, host bits set, values that are not
        /// addresses or of the other family.
        #[test]
        fn properties_compiled_equals_reference_on_cidr(
            blocks in prop::collection::vec((any::<bool>(), any::<u32>(), 0u32..33, 0u8..3), 1..40),
            values in prop::collection::vec((any::<bool>(), any::<u32>(), 0u8..4), 1..4),
        ) {
            let address = |v6: bool, bits: u32| {
                if v6 {
                    format!("2001:db8:{:x}:{:x}::{:x}", bits >> 16, bits & 0xffff, bits & 0xff)
                } else {
                    let b = bits.to_be_bytes();
                    format!("{}.{}.{}.{}", b[0] & 0x0f, b[1] & 0x03, b[2], b[3])
                }
            };
            let patterns: Vec<String> = blocks
                .iter()
                .map(|(v6, bits, len, shape)| {
                    let a = address(*v6, *bits);
                    let len = if *v6 { 32 + len * 2 } else { *len.min(&31) };
                    let m = match shape {
                        0 => format!(r#"{{"cidr": "{a}/{len}"}}"#),
                        1 => format!(r#""{a}""#),
                        _ => format!(r#"{{"anything-but": "{a}"}}, {{"cidr": "{a}/{len}"}}"#),
                    };
                    format!(r#"{{"ip": [{m}], "m": [{m}, "x"]}}"#)
                })
                .collect();
            let values: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, (v6, bits, how))| {
                    let near = blocks[i % blocks.len()].1;
                    match how {
                        0 => format!(r#""{}""#, address(*v6, near)),
                        1 => format!(r#""{}""#, address(*v6, *bits)),
                        2 => format!(r#""0{}""#, address(false, near)),
                        _ => format!(r#""{}""#, address(*v6, near).to_uppercase()),
                    }
                })
                .collect();
            let event = format!(r#"{{"ip": {}, "m": [{}]}}"#, values[0], values.join(","));
            both(&patterns, &event)?;
        }

        /// Many `prefix` and `suffix` `equals-ignore-case` values on one path, ASCII and not,
        /// as the index of their leading and trailing texts holds them, quotes included.
        #[test]
        fn properties_compiled_equals_reference_on_folded_affixes(
            wanted in prop::collection::vec(("[aAßSsK\u{212A}kÉéςσΣ🚀?\"]{0,7}", any::<bool>()), 1..40),
            picks in prop::collection::vec((any::<prop::sample::Index>(), 0u8..5, "[aAßSsK\u{212A}kÉéςσΣ🚀?\"]{0,9}"), 1..4),
        ) {
            let patterns: Vec<String> = wanted
                .iter()
                .map(|(w, suffix)| {
                    let op = if *suffix { "suffix" } else { "prefix" };
                    let w = serde_json::to_string(w).unwrap();
                    let m = format!(r#"{{"{op}": {{"equals-ignore-case": {w}}}}}"#);
                    s_and_m(&m)
                })
                .collect();
            let values: Vec<String> = picks
                .iter()
                .map(|(i, how, other)| {
                    let w = &i.get(&wanted).0;
                    let v = match how {
                        0 => format!("{w}{other}"),
                        1 => format!("{other}{}", w.to_uppercase()),
                        2 => w.to_lowercase(),
                        3 => w.trim_matches('"').to_string(),
                        _ => other.clone(),
                    };
                    serde_json::to_string(&v).unwrap()
                })
                .collect();
            let event = on_s_and_m(&values);
            both(&patterns, &event)?;
        }

        /// Many wildcards that start and end with `*`, as the automaton over their longest
        /// pieces holds them, with repeated and overlapping pieces.
        #[test]
        fn properties_compiled_equals_reference_on_inner_wildcards(
            wildcards in prop::collection::vec("[abé]{0,3}(\\*[abé]{1,3}){0,2}", 9..60),
            values in prop::collection::vec("[abé*]{0,9}", 1..4),
        ) {
            let patterns: Vec<String> = wildcards
                .iter()
                .map(|w| {
                    let w = serde_json::to_string(&format!("*{w}*")).unwrap();
                    s_and_m(&format!(r#"{{"wildcard": {w}}}"#))
                })
                .collect();
            let values: Vec<String> = values.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            let event = on_s_and_m(&values);
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
