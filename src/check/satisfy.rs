//! Static reasoning: can any valid instance of an event match a pattern, and does a schema
//! guarantee a field? Only definite answers count: when the schema says too little, the answer
//! is "maybe", never a guess.

use serde_json::Value as J;

use crate::json::Value;
use crate::number::NumericProfile;
use crate::pattern::Pattern;
use crate::pattern::ast::{LeafList, Matcher};
use crate::pattern::reference::list_accepts;

/// What a schema says about the values at one path.
#[derive(Debug, Clone, PartialEq)]
enum Knowledge {
    /// The path never holds a value.
    Absent(String),
    /// Nothing definite.
    Unknown,
    /// The values, if known exactly (`const`, `enum`), the JSON types allowed, and whether the
    /// value is always present.
    Known {
        values: Option<Vec<J>>,
        types: Vec<String>,
        required: bool,
    },
}

/// The facts about a producer's events that static reasoning uses.
pub(crate) struct Producer<'a> {
    pub(crate) source: &'a str,
    pub(crate) detail_type: &'a str,
    pub(crate) schema: Option<&'a J>,
}

impl<'a> Producer<'a> {
    /// What a publication declares about its events.
    pub(crate) fn of(p: &'a crate::workspace::Publication) -> Producer<'a> {
        Producer {
            source: &p.source.value,
            detail_type: &p.detail_type.value,
            schema: p.schema.as_ref().map(|s| &s.value),
        }
    }
}

/// The top-level members an EventBridge event can have (spec §1.1).
const ENVELOPE: [&str; 10] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
    "replay-name",
];

impl Producer<'_> {
    fn knowledge(&self, path: &str) -> Knowledge {
        let exact = |v: &str| Knowledge::Known {
            values: Some(vec![J::String(v.to_string())]),
            types: vec!["string".into()],
            required: true,
        };
        match path {
            "source" => return exact(self.source),
            "detail-type" => return exact(self.detail_type),
            "detail" => return Knowledge::Absent("`detail` is an object, never a value".into()),
            _ => {}
        }
        let Some(rest) = path.strip_prefix("detail.") else {
            let top = path.split('.').next().unwrap_or(path);
            return if ENVELOPE.contains(&top) {
                Knowledge::Unknown
            } else {
                Knowledge::Absent(format!("events have no top-level member `{top}`"))
            };
        };
        let Some(schema) = self.schema else {
            return Knowledge::Unknown;
        };
        walk(schema, rest, true)
    }
}

/// Follows `path` (dot-separated) through a schema.
fn walk(schema: &J, path: &str, mut required: bool) -> Knowledge {
    let mut node = schema;
    let mut segments = path.split('.').peekable();
    while let Some(seg) = segments.next() {
        // Arrays of objects: the path continues into the items.
        if types_of(node) == ["array"] {
            match node.get("items") {
                Some(items) => node = items,
                None => return Knowledge::Unknown,
            }
        }
        if node.get("oneOf").is_some()
            || node.get("anyOf").is_some()
            || node.get("allOf").is_some()
            || node.get("$ref").is_some()
        {
            return Knowledge::Unknown;
        }
        let props = node.get("properties").and_then(J::as_object);
        match props.and_then(|p| p.get(seg)) {
            Some(child) => {
                let is_required = node
                    .get("required")
                    .and_then(J::as_array)
                    .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(seg)));
                required &= is_required;
                node = child;
            }
            None => {
                let closed = node.get("additionalProperties") == Some(&J::Bool(false));
                let is_object = types_of(node) == ["object"];
                return if closed || !is_object && !types_of(node).is_empty() {
                    Knowledge::Absent(format!(
                        "the schema allows no member `{seg}`{}",
                        if segments.peek().is_some() {
                            " on the way there"
                        } else {
                            ""
                        }
                    ))
                } else {
                    Knowledge::Unknown
                };
            }
        }
    }
    // Arrays flatten: the values are the items'.
    let mut can_be_empty = false;
    if types_of(node) == ["array"] {
        can_be_empty = node.get("minItems").and_then(J::as_u64).unwrap_or(0) == 0;
        match node.get("items") {
            Some(items) => node = items,
            None => return Knowledge::Unknown,
        }
    }
    if node.get("oneOf").is_some() || node.get("anyOf").is_some() || node.get("$ref").is_some() {
        return Knowledge::Unknown;
    }
    let values = if let Some(c) = node.get("const") {
        Some(vec![c.clone()])
    } else {
        node.get("enum").and_then(J::as_array).cloned()
    };
    let types = types_of(node);
    if types.iter().any(|t| t == "object") && types.len() == 1 {
        return Knowledge::Absent("the schema makes it an object, never a value".into());
    }
    Knowledge::Known {
        values,
        types,
        required: required && !can_be_empty,
    }
}

fn types_of(node: &J) -> Vec<String> {
    match node.get("type") {
        Some(J::String(t)) => vec![t.clone()],
        Some(J::Array(ts)) => ts.iter().filter_map(J::as_str).map(String::from).collect(),
        _ => Vec::new(),
    }
}

/// A schema value as an event value.
fn to_event_value(v: &J) -> Value {
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(n.to_string()),
        J::String(s) => Value::String(s.clone()),
        J::Array(_) | J::Object(_) => Value::Null,
    }
}

/// Whether a matcher could accept some value of a JSON type.
fn type_can_match(m: &Matcher, ty: &str) -> bool {
    match m {
        Matcher::Exists(true) | Matcher::AnythingBut(_) => true,
        Matcher::Exists(false) => false,
        Matcher::Exact { .. }
        | Matcher::Exactly(_)
        | Matcher::Prefix(_)
        | Matcher::PrefixFolded(..)
        | Matcher::Suffix(_)
        | Matcher::SuffixFolded(..)
        | Matcher::EqualsIgnoreCase(..)
        | Matcher::Wildcard(_)
        | Matcher::Cidr(..) => ty == "string",
        Matcher::Number { .. } | Matcher::Numeric(_) => ty == "number" || ty == "integer",
        Matcher::Bool(_) => ty == "boolean",
        Matcher::Null => ty == "null",
    }
}

/// Why no instance can satisfy a field, or `None` when some instance may.
fn field_never(list: &LeafList, k: &Knowledge, profile: NumericProfile) -> Option<String> {
    let wants = || {
        let shown: Vec<String> = list.matchers.iter().map(ToString::to_string).collect();
        format!("[{}]", shown.join(", "))
    };
    match k {
        Knowledge::Unknown => None,
        Knowledge::Absent(why) => {
            (!list.has_exists_false).then(|| format!("{why}, but the pattern wants {}", wants()))
        }
        Knowledge::Known {
            values,
            types,
            required,
        } => {
            if list.has_exists_false && !required {
                return None;
            }
            match values {
                Some(values) => {
                    let any = values
                        .iter()
                        .any(|v| list_accepts(list, &to_event_value(v), profile));
                    if any {
                        return None;
                    }
                    let shown: Vec<String> = values.iter().map(J::to_string).collect();
                    let what = if shown.len() == 1 {
                        format!("always {}", shown[0])
                    } else {
                        format!("one of {}", shown.join(", "))
                    };
                    Some(format!(
                        "the producer's value is {what}, but the pattern wants {}",
                        wants()
                    ))
                }
                None if types.is_empty() => None,
                None => {
                    let any = list
                        .matchers
                        .iter()
                        .any(|m| types.iter().any(|t| type_can_match(m, t)));
                    (!any).then(|| {
                        format!(
                            "the schema makes it {}, but the pattern wants {}",
                            types.join(" or "),
                            wants()
                        )
                    })
                }
            }
        }
    }
}

/// `None` when some valid instance of the producer's event may match; otherwise one reason per
/// sub-rule, each naming the field that can never be satisfied.
pub(crate) fn never_matches(pattern: &Pattern, producer: &Producer<'_>) -> Option<Vec<String>> {
    let mut reasons = Vec::new();
    for rule in pattern.sub_rules() {
        let mut why = None;
        for field in &rule.fields {
            if let Some(reason) = field_never(
                &field.list,
                &producer.knowledge(&field.path),
                pattern.profile(),
            ) {
                why = Some(format!("{}: {reason}", field.path));
                break;
            }
        }
        reasons.push(why?);
    }
    Some(reasons)
}

/// `None` when every valid instance has `field` (of `ty`, if given); otherwise why not.
pub(crate) fn not_guaranteed(
    producer: &Producer<'_>,
    field: &str,
    ty: Option<&str>,
) -> Option<String> {
    let top = field.split('.').next().unwrap_or(field);
    if field == "detail"
        || (ENVELOPE.contains(&top)
            && top != "detail"
            && top != "replay-name"
            && !field.contains('.'))
    {
        return None;
    }
    if !field.starts_with("detail.") {
        return Some(format!("events have no guaranteed member `{field}`"));
    }
    let Some(schema) = producer.schema else {
        return Some("the producer declares no schema".into());
    };
    // Guaranteed means required at every level, without going through an array.
    let mut node = schema;
    for seg in field["detail.".len()..].split('.') {
        let required = node
            .get("required")
            .and_then(J::as_array)
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(seg)));
        let child = node.get("properties").and_then(|p| p.get(seg));
        match (child, required) {
            (Some(c), true) => node = c,
            (Some(_), false) => return Some(format!("`{seg}` is not required")),
            (None, _) => return Some(format!("the schema does not declare `{seg}`")),
        }
    }
    if let Some(ty) = ty {
        let types = types_of(node);
        let ok = types
            .iter()
            .any(|t| t == ty || (ty == "number" && t == "integer"));
        if !ok {
            let has = if types.is_empty() {
                "any type".to_string()
            } else {
                types.join(" or ")
            };
            return Some(format!("it is {has}, not {ty}"));
        }
    }
    None
}
