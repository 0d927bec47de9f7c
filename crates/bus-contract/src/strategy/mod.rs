//! Proptest strategies for events (feature `gen`, on by default).
//!
//! - [`event_of`]: full envelopes whose `detail` is valid under a declared JSON Schema;
//! - [`matching`]: events that match a pattern, built field by field rather than filtered;
//! - [`near_miss`]: events that differ from a match in one condition, and do not match;
//! - [`matching_within`]: valid instances of a declaration that also match a pattern.
//!
//! All of them shrink towards small events (short strings, small numbers, optional members
//! left out), and a seeded runner ([`runner`]) reproduces the same events.
//!
//! # Example
//! ```
//! use bus_contract::{Pattern, strategy};
//! use proptest::prelude::*;
//!
//! let pattern = Pattern::parse(r#"{"source": ["bellyfed.user"], "detail": {"plan": [{"anything-but": "free"}]}}"#)?;
//! proptest!(|(event in strategy::matching(&pattern))| {
//!     prop_assert!(pattern.matches(&event.to_string()).unwrap());
//! });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod schema;

use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value as J};

use crate::event::Event;
use crate::pattern::Pattern;
use crate::pattern::ast::{AnythingBut, LeafList, Matcher, SubRule};
use crate::pattern::reference::list_accepts;

pub use schema::detail_of;

/// What a producer declares about one event: the envelope's source and detail-type, and the
/// JSON Schema of `detail`.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    /// The event's name, such as `user.profile.updated`.
    pub event: String,
    /// The envelope's `source`.
    pub source: String,
    /// The envelope's `detail-type`.
    pub detail_type: String,
    /// The JSON Schema of `detail`, if declared.
    pub schema: Option<J>,
}

/// A test runner whose generated values depend only on `seed`.
pub fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Draws `count` values from `strategy` with a runner seeded by `seed`: the same seed gives the
/// same values.
///
/// # Errors
/// When the strategy rejects too many candidates (for example [`matching_within`] for a
/// declaration none of whose instances match), with proptest's reason.
pub fn sample<S: Strategy>(strategy: &S, count: usize, seed: u64) -> Result<Vec<S::Value>, String> {
    let mut runner = runner(seed);
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .map(|t| t.current())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A runner for `cases` cases that writes no regression files and gives up on filtered
/// strategies after a bounded number of rejects.
pub(crate) fn quiet_runner(seed: u64, cases: u32) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_local_rejects: cases.saturating_mul(64).max(1024),
        max_global_rejects: cases.saturating_mul(64).max(1024),
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// The envelope members every generated event has, with `detail` empty.
fn envelope() -> impl Strategy<Value = Map<String, J>> {
    (
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        schema::date_time(),
        prop::sample::select(vec![
            "us-east-1",
            "eu-west-1",
            "eu-central-1",
            "ap-southeast-2",
        ]),
    )
        .prop_map(|(id, time, region)| {
            let mut m = Map::new();
            m.insert("version".into(), J::from("0"));
            m.insert("id".into(), J::from(id));
            m.insert("detail-type".into(), J::from("Generated"));
            m.insert("source".into(), J::from("bus-contract.generated"));
            m.insert("account".into(), J::from("123456789012"));
            m.insert("time".into(), J::from(time));
            m.insert("region".into(), J::from(region));
            m.insert("resources".into(), J::Array(Vec::new()));
            m.insert("detail".into(), J::Object(Map::new()));
            m
        })
}

/// Full envelopes whose `detail` is valid under the declaration's schema (any object when it
/// declares none), with its source and detail-type.
pub fn event_of(declaration: &Declaration) -> impl Strategy<Value = J> + use<> {
    let source = declaration.source.clone();
    let detail_type = declaration.detail_type.clone();
    let detail = match &declaration.schema {
        Some(s) => detail_of(s),
        None => Just(J::Object(Map::new())).boxed(),
    };
    (envelope(), detail).prop_map(move |(mut m, detail)| {
        m.insert("source".into(), J::from(source.clone()));
        m.insert("detail-type".into(), J::from(detail_type.clone()));
        m.insert("detail".into(), detail);
        J::Object(m)
    })
}

/// A value for one field: `None` leaves the field out.
type FieldValue = Option<J>;

/// Events that match `pattern`: one sub-rule is chosen, and each of its fields gets a value
/// that one of its matchers accepts (or is left out, for `exists: false`).
pub fn matching(pattern: &Pattern) -> impl Strategy<Value = J> + use<> {
    let rules: Arc<Vec<SubRule>> = Arc::new(pattern.sub_rules().to_vec());
    let count = rules.len();
    (0..count, envelope())
        .prop_flat_map(move |(i, env)| {
            let fields = &rules[i].fields;
            let paths: Vec<String> = fields.iter().map(|f| f.path.clone()).collect();
            let values: Vec<BoxedStrategy<FieldValue>> =
                fields.iter().map(|f| field_value(&f.list)).collect();
            (Just(env), Just(paths), values)
        })
        .prop_map(|(env, paths, values)| assemble(env, &paths, values))
}

/// Events that miss `pattern` by one condition: a matching event in which one field's value is
/// replaced by one its leaf list rejects (or removed). Events that another `$or` branch still
/// matches are filtered out.
///
/// `None` when no single change can make the pattern fail, as for `{"a": [{"exists": true},
/// {"exists": false}]}`: such a pattern has no near misses.
pub fn near_miss(pattern: &Pattern) -> Option<impl Strategy<Value = J> + use<>> {
    // Only sub-rules with a field that some value fails can be missed by one condition.
    let rules: Arc<Vec<SubRule>> = Arc::new(
        pattern
            .sub_rules()
            .iter()
            .filter(|r| {
                r.fields
                    .iter()
                    .any(|f| !failing_values(&f.path, &f.list).is_empty())
            })
            .cloned()
            .collect(),
    );
    if rules.is_empty() {
        return None;
    }
    let check = pattern.clone();
    let count = rules.len();
    let strategy = (0..count, envelope(), any::<prop::sample::Index>())
        .prop_flat_map(move |(i, env, which)| {
            let fields = &rules[i].fields;
            let breakable: Vec<usize> = (0..fields.len())
                .filter(|&k| !failing_values(&fields[k].path, &fields[k].list).is_empty())
                .collect();
            let broken = Some(breakable[which.index(breakable.len())]);
            let paths: Vec<String> = fields.iter().map(|f| f.path.clone()).collect();
            let values: Vec<BoxedStrategy<FieldValue>> = fields
                .iter()
                .enumerate()
                .map(|(k, f)| {
                    if Some(k) == broken {
                        prop::sample::select(failing_values(&f.path, &f.list)).boxed()
                    } else {
                        field_value(&f.list)
                    }
                })
                .collect();
            (Just(env), Just(paths), values)
        })
        .prop_map(|(env, paths, values)| assemble(env, &paths, values))
        .prop_filter("another $or branch of the pattern matches", move |e| {
            !matches_json(&check, e)
        });
    Some(strategy)
}

/// Valid instances of `declaration` that match `pattern`. Fields the pattern names take values
/// that both the schema allows and the pattern accepts, where the schema lists them; the
/// remaining candidates that are invalid or do not match are filtered out. When no valid
/// instance matches, every case is rejected.
pub fn matching_within(
    pattern: &Pattern,
    declaration: &Declaration,
) -> impl Strategy<Value = J> + use<> {
    let rules: Arc<Vec<SubRule>> = Arc::new(pattern.sub_rules().to_vec());
    let count = rules.len();
    let decl = declaration.clone();
    let validator = declaration
        .schema
        .as_ref()
        .and_then(|s| {
            jsonschema::options()
                .should_validate_formats(true)
                .build(s)
                .ok()
        })
        .map(Arc::new);
    let check = pattern.clone();
    let (source, detail_type) = (declaration.source.clone(), declaration.detail_type.clone());
    (0..count, event_of(declaration))
        .prop_flat_map(move |(i, base)| {
            let fields = &rules[i].fields;
            let paths: Vec<String> = fields.iter().map(|f| f.path.clone()).collect();
            // Per field: `None` keeps the value the schema strategy chose, which often already
            // satisfies the pattern (and always satisfies the schema).
            let edits: Vec<BoxedStrategy<Option<FieldValue>>> = fields
                .iter()
                .map(|f| {
                    if matches!(f.path.as_str(), "source" | "detail-type") {
                        // The declaration fixes the envelope's source and detail-type.
                        return Just(None).boxed();
                    }
                    let declared = decl
                        .schema
                        .as_ref()
                        .and_then(|s| schema::at_path(s, &f.path));
                    let (values, is_array) = declared.unwrap_or((None, false));
                    let ok: Vec<FieldValue> = values
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|v| {
                            list_accepts(&f.list, &to_event_value(v), crate::NumericProfile::F64)
                        })
                        .map(Some)
                        .collect();
                    let set = if ok.is_empty() {
                        field_value(&f.list)
                    } else {
                        prop::sample::select(ok).boxed()
                    };
                    // An array member holds the value as its one element.
                    let set = if is_array {
                        set.prop_map(|v| v.map(|v| J::Array(vec![v]))).boxed()
                    } else {
                        set
                    };
                    prop_oneof![Just(None), set.prop_map(Some)].boxed()
                })
                .collect();
            (Just(base), Just(paths), edits)
        })
        .prop_map(|(base, paths, edits)| {
            let J::Object(map) = base else {
                unreachable!("invariant: event_of yields objects")
            };
            let (paths, values): (Vec<String>, Vec<FieldValue>) = paths
                .into_iter()
                .zip(edits)
                .filter_map(|(p, e)| e.map(|v| (p, v)))
                .unzip();
            assemble(map, &paths, values)
        })
        .prop_filter("not a valid instance of the declaration", move |e| {
            e.get("source").and_then(J::as_str) == Some(source.as_str())
                && e.get("detail-type").and_then(J::as_str) == Some(detail_type.as_str())
                && validator
                    .as_ref()
                    .is_none_or(|v| e.get("detail").is_some_and(|d| v.is_valid(d)))
        })
        .prop_filter("the pattern does not match", move |e| {
            matches_json(&check, e)
        })
}

/// Whether a pattern matches a generated event.
pub(crate) fn matches_json(pattern: &Pattern, event: &J) -> bool {
    Event::parse(&event.to_string()).is_ok_and(|e| pattern.matches_event(&e))
}

pub(crate) fn to_event_value(v: &J) -> crate::Value {
    match v {
        J::Null => crate::Value::Null,
        J::Bool(b) => crate::Value::Bool(*b),
        J::Number(n) => crate::Value::Number(n.to_string()),
        J::String(s) => crate::Value::String(s.clone()),
        J::Array(_) | J::Object(_) => crate::Value::Null,
    }
}

/// Puts each field's value at its path. A path that needs to be both a value and an object
/// gets an array holding both, which EventBridge treats as two values at that path.
fn assemble(mut env: Map<String, J>, paths: &[String], values: Vec<FieldValue>) -> J {
    for (path, value) in paths.iter().zip(values) {
        let segments: Vec<&str> = path.split('.').collect();
        match value {
            Some(v) => insert(&mut env, &segments, v),
            None => remove(&mut env, &segments),
        }
    }
    J::Object(env)
}

fn insert(map: &mut Map<String, J>, segments: &[&str], value: J) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() {
        match map.get_mut(*first) {
            Some(J::Object(existing)) if !existing.is_empty() => {
                let obj = J::Object(std::mem::take(existing));
                map.insert((*first).to_string(), J::Array(vec![obj, value]));
            }
            _ => {
                map.insert((*first).to_string(), value);
            }
        }
        return;
    }
    let slot = map
        .entry((*first).to_string())
        .or_insert_with(|| J::Object(Map::new()));
    match slot {
        J::Object(inner) => insert(inner, rest, value),
        J::Array(items) => {
            if let Some(J::Object(inner)) = items.iter_mut().find(|i| i.is_object()) {
                insert(inner, rest, value);
            } else {
                let mut inner = Map::new();
                insert(&mut inner, rest, value);
                items.push(J::Object(inner));
            }
        }
        _ => {
            let mut inner = Map::new();
            insert(&mut inner, rest, value);
            let scalar = slot.take();
            *slot = J::Array(vec![scalar, J::Object(inner)]);
        }
    }
}

fn remove(map: &mut Map<String, J>, segments: &[&str]) {
    match segments {
        [] => {}
        [last] => {
            map.remove(*last);
        }
        [first, rest @ ..] => {
            if let Some(J::Object(inner)) = map.get_mut(*first) {
                remove(inner, rest);
            }
        }
    }
}

/// Values that satisfy a leaf list: one strategy per matcher that can produce a value.
fn field_value(list: &LeafList) -> BoxedStrategy<FieldValue> {
    let options: Vec<BoxedStrategy<FieldValue>> =
        list.matchers.iter().filter_map(matcher_value).collect();
    if options.is_empty() {
        // Only reachable for literals that JSON numbers cannot carry (such as 1e400).
        return Just(None).boxed();
    }
    Union::new(options).boxed()
}

fn small_text() -> BoxedStrategy<String> {
    "[a-z0-9]{0,4}".boxed()
}

/// A value one matcher accepts, or `None` for `exists: false`.
fn matcher_value(m: &Matcher) -> Option<BoxedStrategy<FieldValue>> {
    let some = |s: BoxedStrategy<J>| Some(s.prop_map(Some).boxed());
    match m {
        Matcher::Exact { value, .. } | Matcher::Exactly(value) => {
            some(Just(J::from(value.clone())).boxed())
        }
        Matcher::Number { text, .. } => {
            let n: J = serde_json::from_str(text).ok()?;
            // A literal that only matches its own text survives only if JSON keeps the text.
            (m_is_comparable(m) || n.to_string().as_str() == text.as_str())
                .then(|| Just(Some(n)).boxed())
        }
        Matcher::Bool(b) => some(Just(J::from(*b)).boxed()),
        Matcher::Null => some(Just(J::Null).boxed()),
        Matcher::Prefix(p) => {
            let p = p.clone();
            some(
                small_text()
                    .prop_map(move |t| J::from(format!("{p}{t}")))
                    .boxed(),
            )
        }
        Matcher::Suffix(p) => {
            let p = p.clone();
            some(
                small_text()
                    .prop_map(move |t| J::from(format!("{t}{p}")))
                    .boxed(),
            )
        }
        Matcher::PrefixFolded(_, p) => {
            let p = p.clone();
            some(
                (case_variant(&p), small_text())
                    .prop_map(|(c, t)| J::from(format!("{c}{t}")))
                    .boxed(),
            )
        }
        Matcher::SuffixFolded(_, p) => {
            let p = p.clone();
            some(
                (small_text(), case_variant(&p))
                    .prop_map(|(t, c)| J::from(format!("{t}{c}")))
                    .boxed(),
            )
        }
        Matcher::EqualsIgnoreCase(_, p) => some(case_variant(p).prop_map(J::from).boxed()),
        Matcher::Wildcard(w) => {
            let pieces = w.pieces().to_vec();
            let fills = prop::collection::vec(small_text(), pieces.len().saturating_sub(1));
            some(
                fills
                    .prop_map(move |fill| {
                        let mut s = pieces[0].clone();
                        for (f, p) in fill.iter().zip(&pieces[1..]) {
                            s.push_str(f);
                            s.push_str(p);
                        }
                        J::from(s)
                    })
                    .boxed(),
            )
        }
        Matcher::AnythingBut(a) => some(not_excluded(a)),
        Matcher::Numeric(r) => some(in_range(r.low, r.high)),
        Matcher::Exists(true) => some(
            prop_oneof![
                small_text().prop_map(J::from),
                (0i64..100).prop_map(J::from)
            ]
            .boxed(),
        ),
        Matcher::Exists(false) => Some(Just(None).boxed()),
        Matcher::Cidr(c, _) => {
            let c = *c;
            some(
                any::<u128>()
                    .prop_map(move |h| J::from(c.address(h)))
                    .boxed(),
            )
        }
    }
}

fn m_is_comparable(m: &Matcher) -> bool {
    matches!(m, Matcher::Number { value: Some(_), .. })
}

/// The string with each character in its lower- or upper-case form.
fn case_variant(s: &str) -> BoxedStrategy<String> {
    let chars: Vec<char> = s.chars().collect();
    prop::collection::vec(any::<bool>(), chars.len())
        .prop_map(move |upper| {
            chars
                .iter()
                .zip(upper)
                .map(|(c, u)| {
                    if u {
                        c.to_uppercase().collect::<String>()
                    } else {
                        c.to_lowercase().collect()
                    }
                })
                .collect()
        })
        .boxed()
}

/// A value that `anything-but` does not exclude.
fn not_excluded(a: &AnythingBut) -> BoxedStrategy<J> {
    match a {
        AnythingBut::Strings(list) => {
            let list = list.clone();
            "[a-z]{1,6}"
                .prop_map(move |mut s| {
                    while list.contains(&s) {
                        s.push('x');
                    }
                    J::from(s)
                })
                .boxed()
        }
        AnythingBut::Numbers(list) => {
            let list: Vec<f64> = list.iter().map(|(v, _)| *v).collect();
            (-1000i64..1000)
                .prop_map(move |mut n| {
                    while list.contains(&(n as f64)) {
                        n += 1;
                    }
                    J::from(n)
                })
                .boxed()
        }
        AnythingBut::Prefix(list) => {
            let firsts: Vec<char> = list.iter().filter_map(|p| p.chars().next()).collect();
            let start = ('a'..='z').chain('0'..='9').find(|c| !firsts.contains(c));
            match start {
                Some(c) => small_text()
                    .prop_map(move |t| J::from(format!("{c}{t}")))
                    .boxed(),
                None => (0i64..100).prop_map(J::from).boxed(),
            }
        }
        AnythingBut::Suffix(list) => {
            let lasts: Vec<char> = list.iter().filter_map(|p| p.chars().last()).collect();
            let end = ('a'..='z').chain('0'..='9').find(|c| !lasts.contains(c));
            match end {
                Some(c) => small_text()
                    .prop_map(move |t| J::from(format!("{t}{c}")))
                    .boxed(),
                None => (0i64..100).prop_map(J::from).boxed(),
            }
        }
        // Other types are never excluded by the string forms.
        AnythingBut::EqualsIgnoreCase(_) | AnythingBut::Wildcard(_) => {
            (0i64..100).prop_map(J::from).boxed()
        }
    }
}

/// A number inside a numeric range: integers where the range has room for them.
fn in_range(low: Option<(f64, bool)>, high: Option<(f64, bool)>) -> BoxedStrategy<J> {
    let lo = low.map_or(-1e6, |(v, _)| v);
    let hi = high.map_or(lo.max(0.0) + 1e6, |(v, _)| v);
    let ok = move |x: f64| {
        low.is_none_or(|(v, inc)| if inc { x >= v } else { x > v })
            && high.is_none_or(|(v, inc)| if inc { x <= v } else { x < v })
    };
    let first_int = lo.ceil();
    let ints: Vec<i64> = (0..20)
        .map(|k| first_int + k as f64)
        .filter(|x| ok(*x) && x.abs() < 9e15)
        .map(|x| x as i64)
        .collect();
    if !ints.is_empty() {
        return prop::sample::select(ints).prop_map(J::from).boxed();
    }
    // A narrow range: its midpoint, or its only point.
    let mid = if lo == hi { lo } else { lo + (hi - lo) / 2.0 };
    Just(serde_json::Number::from_f64(mid).map_or(J::Null, J::Number)).boxed()
}

/// Values a leaf list rejects: variants of its own literals, values just outside its ranges,
/// excluded values, and values of other types. `None` (leaving the field out) is offered when
/// the list has no `exists: false`.
fn failing_values(path: &str, list: &LeafList) -> Vec<FieldValue> {
    let mut candidates: Vec<J> = Vec::new();
    for m in &list.matchers {
        match m {
            Matcher::Exact { value, .. }
            | Matcher::Exactly(value)
            | Matcher::Prefix(value)
            | Matcher::Suffix(value) => {
                candidates.push(J::from(format!("{value}-x")));
                candidates.push(J::from(format!("x-{value}")));
                candidates.push(J::from(value.chars().rev().collect::<String>()));
            }
            Matcher::PrefixFolded(_, v)
            | Matcher::SuffixFolded(_, v)
            | Matcher::EqualsIgnoreCase(_, v) => {
                candidates.push(J::from(format!("x{v}x")));
            }
            Matcher::Numeric(r) => {
                for (v, _) in [r.low, r.high].into_iter().flatten() {
                    for d in [-1.0, -0.5, 0.5, 1.0] {
                        if let Some(n) = serde_json::Number::from_f64(v + d) {
                            candidates.push(J::Number(n));
                        }
                    }
                }
            }
            Matcher::AnythingBut(AnythingBut::Strings(list)) => {
                candidates.extend(list.iter().map(|s| J::from(s.clone())))
            }
            Matcher::AnythingBut(AnythingBut::Numbers(list)) => {
                candidates.extend(
                    list.iter()
                        .filter_map(|(v, _)| serde_json::Number::from_f64(*v))
                        .map(J::Number),
                );
            }
            Matcher::AnythingBut(AnythingBut::Prefix(list) | AnythingBut::Suffix(list)) => {
                candidates.extend(list.iter().map(|s| J::from(s.clone())));
            }
            Matcher::AnythingBut(AnythingBut::EqualsIgnoreCase(list)) => {
                candidates.extend(list.iter().map(|(_, s)| J::from(s.clone())));
            }
            Matcher::AnythingBut(AnythingBut::Wildcard(list)) => {
                candidates.extend(list.iter().map(|w| J::from(w.pieces().concat())));
            }
            Matcher::Cidr(c, _) => {
                candidates.push(J::from(if c.address(0).contains(':') {
                    "::1"
                } else {
                    "255.255.255.255"
                }));
            }
            _ => {}
        }
    }
    candidates.extend([
        J::from("bus-contract-near-miss"),
        J::from(-987_654_321),
        J::from(true),
        J::Null,
    ]);
    let mut out: Vec<FieldValue> = Vec::new();
    for c in candidates {
        if !list_accepts(list, &to_event_value(&c), crate::NumericProfile::F64)
            && !out.contains(&Some(c.clone()))
        {
            out.push(Some(c));
        }
    }
    // Leaving the field out also misses, except for the envelope members TestEventPattern needs.
    if !list.has_exists_false && !crate::ENVELOPE_FIELDS.contains(&path) {
        out.push(None);
    }
    out
}
