//! JSON Schema → proptest strategy, for the keywords contracts use: `type`, `properties`,
//! `required`, `additionalProperties`, `enum`, `const`, `pattern`, the formats `date-time`,
//! `date`, `uuid`, `email` and `ipv4`, `minimum`/`maximum` (and their exclusive forms),
//! `minLength`/`maxLength`, `items`, `minItems`/`maxItems`, `uniqueItems`, `oneOf` and `anyOf`.
//! Optional members are sometimes left out, and shrink towards being left out.

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use serde_json::{Map, Value as J};

/// How deep nested schemas are followed; deeper ones produce `{}` or `null`.
const MAX_DEPTH: usize = 12;

/// Values valid under `schema` (a JSON Schema of `detail`).
pub fn detail_of(schema: &J) -> BoxedStrategy<J> {
    value(schema, 0)
}

pub(crate) fn date_time() -> BoxedStrategy<String> {
    (
        2020u32..2030,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
        0u32..1000,
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
        })
        .boxed()
}

fn types_of(schema: &J) -> Vec<String> {
    match schema.get("type") {
        Some(J::String(t)) => vec![t.clone()],
        Some(J::Array(ts)) => ts.iter().filter_map(J::as_str).map(String::from).collect(),
        _ => {
            // Infer the type from the keywords present.
            let has = |k: &str| schema.get(k).is_some();
            if has("properties") || has("required") {
                vec!["object".into()]
            } else if has("items") {
                vec!["array".into()]
            } else if has("pattern") || has("format") || has("minLength") || has("maxLength") {
                vec!["string".into()]
            } else if has("minimum") || has("maximum") {
                vec!["number".into()]
            } else {
                Vec::new()
            }
        }
    }
}

fn value(schema: &J, depth: usize) -> BoxedStrategy<J> {
    if let Some(c) = schema.get("const") {
        return Just(c.clone()).boxed();
    }
    if let Some(values) = schema
        .get("enum")
        .and_then(J::as_array)
        .filter(|v| !v.is_empty())
    {
        return prop::sample::select(values.clone()).boxed();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema
            .get(key)
            .and_then(J::as_array)
            .filter(|v| !v.is_empty())
        {
            let options: Vec<BoxedStrategy<J>> =
                branches.iter().map(|b| value(b, depth + 1)).collect();
            return Union::new(options).boxed();
        }
    }
    if depth > MAX_DEPTH {
        return Just(J::Null).boxed();
    }
    let types = types_of(schema);
    if types.is_empty() {
        return prop_oneof![
            "[a-z]{0,6}".prop_map(J::from),
            (-100i64..100).prop_map(J::from),
            any::<bool>().prop_map(J::from),
        ]
        .boxed();
    }
    let options: Vec<BoxedStrategy<J>> = types.iter().map(|t| typed(schema, t, depth)).collect();
    Union::new(options).boxed()
}

fn typed(schema: &J, ty: &str, depth: usize) -> BoxedStrategy<J> {
    match ty {
        "string" => string(schema).prop_map(J::from).boxed(),
        "integer" => integer(schema),
        "number" => number(schema),
        "boolean" => any::<bool>().prop_map(J::from).boxed(),
        "null" => Just(J::Null).boxed(),
        "array" => array(schema, depth),
        "object" => object(schema, depth),
        _ => Just(J::Null).boxed(),
    }
}

/// The longest string generated: a schema may ask for more (`minLength: 1000000000`), but an
/// event is at most 256 KB, and generation must not allocate what a schema asks.
const MAX_STRING: usize = 1024;

/// The most items of one generated array, halved at each level of nesting, so that nested
/// `minItems` cannot multiply into gigabytes.
fn max_items(depth: usize) -> usize {
    (8usize >> depth.min(3)).max(1)
}

fn string(schema: &J) -> BoxedStrategy<String> {
    let min = (schema.get("minLength").and_then(J::as_u64).unwrap_or(0) as usize).min(MAX_STRING);
    let max = schema
        .get("maxLength")
        .and_then(J::as_u64)
        .map_or(min.max(8), |m| m as usize)
        .max(min)
        .min(MAX_STRING);
    if let Some(format) = schema.get("format").and_then(J::as_str) {
        let s: Option<BoxedStrategy<String>> = match format {
            "date-time" => Some(date_time()),
            "date" => Some(
                (2020u32..2030, 1u32..13, 1u32..29)
                    .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
                    .boxed(),
            ),
            "uuid" => {
                Some("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}".boxed())
            }
            "email" => Some("[a-z]{1,8}@(example\\.com|bellyfed\\.example)".boxed()),
            "ipv4" => Some(
                any::<[u8; 4]>()
                    .prop_map(|b| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]))
                    .boxed(),
            ),
            "uri" => Some("https://example\\.com/[a-z]{0,8}".boxed()),
            _ => None,
        };
        if let Some(s) = s {
            return s;
        }
    }
    if let Some(pattern) = schema.get("pattern").and_then(J::as_str) {
        // Generation needs a whole-string regex without anchors; a match of the pattern's body
        // also satisfies the (unanchored) search JSON Schema performs.
        let body = pattern.strip_prefix('^').unwrap_or(pattern);
        let body = body.strip_suffix('$').unwrap_or(body);
        // A pattern whose matches can be longer than a generated string may be (nested
        // repeats, `a{100000}`) is not generated from: its strings could fill the memory.
        let bounded = regex_syntax::Parser::new()
            .parse(body)
            .ok()
            .filter(|hir| generated_len(hir) <= MAX_STRING);
        if let Some(hir) = bounded {
            if let Ok(s) = proptest::string::string_regex_parsed(&hir) {
                return s.boxed();
            }
        }
    }
    proptest::string::string_regex(&format!("[a-z]{{{min},{max}}}"))
        .map(|s| s.boxed())
        .unwrap_or_else(|_| Just("x".repeat(min)).boxed())
}

/// The longest string proptest generates from a regex, in characters: an unbounded
/// repetition (`*`, `+`, `{n,}`) yields at most 32 more than its minimum. Saturates.
fn generated_len(hir: &regex_syntax::hir::Hir) -> usize {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(lit) => lit.0.len(),
        HirKind::Class(_) => 1,
        HirKind::Repetition(rep) => {
            let times = rep.max.unwrap_or(rep.min.saturating_add(32)) as usize;
            generated_len(&rep.sub).saturating_mul(times)
        }
        HirKind::Capture(cap) => generated_len(&cap.sub),
        HirKind::Concat(items) => items
            .iter()
            .map(generated_len)
            .fold(0, usize::saturating_add),
        HirKind::Alternation(items) => items.iter().map(generated_len).max().unwrap_or(0),
    }
}

fn bound(schema: &J, inclusive: &str, exclusive: &str) -> Option<(f64, bool)> {
    match (
        schema.get(inclusive).and_then(J::as_f64),
        schema.get(exclusive),
    ) {
        (_, Some(J::Number(n))) => n.as_f64().map(|v| (v, false)),
        (Some(v), Some(J::Bool(true))) => Some((v, false)),
        (Some(v), _) => Some((v, true)),
        _ => None,
    }
}

fn integer(schema: &J) -> BoxedStrategy<J> {
    let lo = bound(schema, "minimum", "exclusiveMinimum")
        .map_or(0.0, |(v, inc)| if inc { v.ceil() } else { v.floor() + 1.0 });
    let hi = bound(schema, "maximum", "exclusiveMaximum").map_or(lo + 1000.0, |(v, inc)| {
        if inc { v.floor() } else { v.ceil() - 1.0 }
    });
    let (lo, hi) = (lo as i64, (hi as i64).max(lo as i64));
    (lo..=hi).prop_map(J::from).boxed()
}

fn number(schema: &J) -> BoxedStrategy<J> {
    let low = bound(schema, "minimum", "exclusiveMinimum");
    let high = bound(schema, "maximum", "exclusiveMaximum");
    let lo = low.map_or(0.0, |(v, _)| v);
    let hi = high.map_or(lo + 1000.0, |(v, _)| v);
    (0u32..=1000)
        .prop_map(move |k| {
            // Hundredths within the range, away from exclusive ends.
            let mut x = lo + (hi - lo) * f64::from(k) / 1000.0;
            x = (x * 100.0).round() / 100.0;
            if low.is_some_and(|(v, inc)| !inc && x <= v) || x < lo {
                x = lo + (hi - lo) / 2.0;
            }
            if high.is_some_and(|(v, inc)| !inc && x >= v) || x > hi {
                x = lo + (hi - lo) / 2.0;
            }
            serde_json::Number::from_f64(x).map_or(J::Null, J::Number)
        })
        .boxed()
}

fn array(schema: &J, depth: usize) -> BoxedStrategy<J> {
    let cap = max_items(depth);
    let min = (schema.get("minItems").and_then(J::as_u64).unwrap_or(0) as usize).min(cap);
    let max = schema
        .get("maxItems")
        .and_then(J::as_u64)
        .map_or(min + 3, |m| m as usize)
        .max(min)
        .min(cap);
    let items = schema
        .get("items")
        .map_or_else(|| Just(J::from("x")).boxed(), |i| value(i, depth + 1));
    let unique = schema.get("uniqueItems") == Some(&J::Bool(true));
    prop::collection::vec(items, min..=max)
        .prop_map(move |mut v| {
            if unique {
                let mut seen: Vec<J> = Vec::new();
                v.retain(|x| {
                    let new = !seen.contains(x);
                    if new {
                        seen.push(x.clone());
                    }
                    new
                });
            }
            J::Array(v)
        })
        .prop_filter("uniqueItems left fewer items than minItems", move |v| {
            v.as_array().is_some_and(|a| a.len() >= min)
        })
        .boxed()
}

fn object(schema: &J, depth: usize) -> BoxedStrategy<J> {
    let required: Vec<String> = schema
        .get("required")
        .and_then(J::as_array)
        .map(|r| r.iter().filter_map(J::as_str).map(String::from).collect())
        .unwrap_or_default();
    let props: Vec<(String, J)> = schema
        .get("properties")
        .and_then(J::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let members: Vec<BoxedStrategy<Option<(String, J)>>> = props
        .into_iter()
        .map(|(name, sub)| {
            let s = value(&sub, depth + 1);
            let key = name.clone();
            if required.contains(&name) {
                s.prop_map(move |v| Some((key.clone(), v))).boxed()
            } else {
                prop::option::of(s)
                    .prop_map(move |v| v.map(|v| (key.clone(), v)))
                    .boxed()
            }
        })
        .collect();
    members
        .prop_map(|ms| {
            let mut m = Map::new();
            for (k, v) in ms.into_iter().flatten() {
                m.insert(k, v);
            }
            J::Object(m)
        })
        .boxed()
}

/// What a schema says about an event path (`detail.a.b`): the values it allows, when it lists
/// them exactly (`const` or `enum`), and whether the member is an array of them. `None` when
/// the path is not declared.
pub(crate) fn at_path(schema: &J, path: &str) -> Option<(Option<Vec<J>>, bool)> {
    let rest = path.strip_prefix("detail.")?;
    let mut node = schema;
    for seg in rest.split('.') {
        if types_of(node) == ["array"] {
            node = node.get("items")?;
        }
        node = node.get("properties")?.get(seg)?;
    }
    let is_array = types_of(node) == ["array"];
    if is_array {
        node = node.get("items")?;
    }
    let values = match node.get("const") {
        Some(c) => Some(vec![c.clone()]),
        None => node.get("enum").and_then(J::as_array).cloned(),
    };
    Some((values, is_array))
}
