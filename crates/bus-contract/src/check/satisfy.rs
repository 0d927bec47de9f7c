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
enum Knowledge<'s> {
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
        /// The schema of the values (of the items, for an array): its bounds, lengths,
        /// formats and patterns decide what a condition can match.
        schema: &'s J,
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

/// The schema that allows every value.
static ANY: J = J::Bool(true);

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

impl<'a> Producer<'a> {
    fn knowledge(&self, path: &str) -> Knowledge<'a> {
        let exact = |v: &str| Knowledge::Known {
            values: Some(vec![J::String(v.to_string())]),
            types: vec!["string".into()],
            required: true,
            schema: &ANY,
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
fn walk<'s>(schema: &'s J, path: &str, mut required: bool) -> Knowledge<'s> {
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
        schema: node,
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
    let numeric = |t: &str| t == "number" || t == "integer";
    match m {
        Matcher::Exists(true) | Matcher::AnythingBut(_) => true,
        Matcher::Exists(false) => false,
        _ => fixed_type(m).is_some_and(|t| t == ty || (numeric(t) && numeric(ty))),
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
            schema,
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
                    let domain = Domain::of(types, schema);
                    if let Some(finite) = domain.finite() {
                        let any = finite
                            .iter()
                            .any(|v| list_accepts(list, &to_event_value(v), profile));
                        return (!any).then(|| {
                            let shown: Vec<String> = finite.iter().map(J::to_string).collect();
                            let allowed = match shown.as_slice() {
                                [] => "no value".to_string(),
                                _ if domain.integer_only() => domain.describe_numbers(),
                                all => format!("only {}", all.join(", ")),
                            };
                            format!(
                                "the schema allows {allowed}, but the pattern wants {}",
                                wants()
                            )
                        });
                    }
                    let mut reasons = Vec::new();
                    for m in &list.matchers {
                        if matches!(m, Matcher::Exists(false)) {
                            continue;
                        }
                        if !types.iter().any(|t| type_can_match(m, t)) {
                            reasons.push(format!(
                                "the schema makes it {}, but the pattern wants {m}",
                                types.join(" or ")
                            ));
                            continue;
                        }
                        match domain.never(m, profile) {
                            Some(why) => reasons.push(why),
                            None => return None,
                        }
                    }
                    if reasons.is_empty() {
                        return None;
                    }
                    reasons.dedup();
                    Some(reasons.join("; "))
                }
            }
        }
    }
}

/// What a schema allows at one path, for deciding whether a condition can match a value.
struct Domain<'s> {
    types: &'s [String],
    schema: &'s J,
    /// The validator of the leaf schema, when it stands alone (no `$ref` out of it),
    /// compiled only when a condition needs it.
    validator: std::cell::OnceCell<Option<jsonschema::Validator>>,
}

/// Whether a schema refers to another (`$ref` anywhere in it), so that it cannot be
/// compiled apart from the schema it is in.
fn has_ref(schema: &J) -> bool {
    match schema {
        J::Object(members) => members.iter().any(|(k, v)| k == "$ref" || has_ref(v)),
        J::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// A bound of an interval: the value and whether it is included.
type Bound = Option<(f64, bool)>;

fn number(schema: &J, key: &str) -> Option<f64> {
    schema.get(key).and_then(J::as_f64)
}

fn format_interval(low: Bound, high: Bound) -> String {
    let show = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            v.to_string()
        }
    };
    match (low, high) {
        (Some((l, li)), Some((h, hi))) if l == h && li && hi => format!("only {}", show(l)),
        (Some((l, li)), Some((h, hi))) => format!(
            "{} {} and {} {}",
            if li { "at least" } else { "more than" },
            show(l),
            if hi { "at most" } else { "less than" },
            show(h)
        ),
        (Some((l, li)), None) => {
            format!("{} {}", if li { "at least" } else { "more than" }, show(l))
        }
        (None, Some((h, hi))) => {
            format!("{} {}", if hi { "at most" } else { "less than" }, show(h))
        }
        (None, None) => "any number".into(),
    }
}

/// The larger of two lower bounds (the smaller of two upper ones with `upper`).
fn tighter(a: Bound, b: Bound, upper: bool) -> Bound {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some((av, ai)), Some((bv, bi))) => {
            if av == bv {
                Some((av, ai && bi))
            } else if (av > bv) != upper {
                Some((av, ai))
            } else {
                Some((bv, bi))
            }
        }
    }
}

/// Whether the interval holds a number (an integer, a multiple of `step`, when asked).
fn interval_empty(low: Bound, high: Bound, integer: bool, step: Option<f64>) -> bool {
    let (Some((l, li)), Some((h, hi))) = (low, high) else {
        // Unbounded on one side: integers and multiples always exist there.
        return false;
    };
    if l > h || (l == h && !(li && hi)) {
        return true;
    }
    // The smallest candidate at or above the lower bound.
    let unit = match (integer, step) {
        (_, Some(m)) if m > 0.0 && (!integer || m.fract() == 0.0) => m,
        (true, _) => 1.0,
        _ => return false,
    };
    // A quotient a hair above a whole number (0.7 / 0.1) must not skip the multiple at the
    // bound: round down first, so that an error can only make the answer "maybe".
    let mut k = (l / unit - 1e-9).ceil();
    if k * unit <= l && !li {
        k += 1.0;
    }
    let candidate = k * unit;
    // Only a clear miss counts: floating point must not turn a "maybe" into a "never".
    let margin = 1e-9 * h.abs().max(1.0);
    candidate > h + margin || (!hi && candidate == h)
}

/// The fewest characters a wildcard's text can match: its characters other than `*`.
fn wildcard_min_len(source: &str) -> usize {
    let mut n = 0;
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => {}
            '\\' => {
                chars.next();
                n += 1;
            }
            _ => n += 1,
        }
    }
    n
}

impl<'s> Domain<'s> {
    fn of(types: &'s [String], schema: &'s J) -> Domain<'s> {
        Domain {
            types,
            schema,
            validator: std::cell::OnceCell::new(),
        }
    }

    fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                if has_ref(self.schema) {
                    None
                } else {
                    crate::workspace::compile_schema(self.schema).ok()
                }
            })
            .as_ref()
    }

    /// The numbers the schema allows, in words.
    fn describe_numbers(&self) -> String {
        let (low, high) = self.bounds();
        let mut allows = format_interval(low, high);
        if self.integer_only() {
            allows.push_str(", whole numbers only");
        }
        if let Some(m) = number(self.schema, "multipleOf") {
            allows.push_str(&format!(", multiples of {m}"));
        }
        allows
    }

    fn valid(&self, v: &J) -> Option<bool> {
        self.validator().map(|val| val.is_valid(v))
    }

    fn integer_only(&self) -> bool {
        self.types.iter().any(|t| t == "integer") && !self.types.iter().any(|t| t == "number")
    }

    fn bounds(&self) -> (Bound, Bound) {
        let s = self.schema;
        let mut low = number(s, "minimum").map(|v| (v, true));
        let mut high = number(s, "maximum").map(|v| (v, true));
        // Draft 4 writes the exclusive bounds as booleans beside minimum and maximum.
        match s.get("exclusiveMinimum") {
            Some(J::Bool(true)) => low = low.map(|(v, _)| (v, false)),
            Some(v) => low = tighter(low, v.as_f64().map(|v| (v, false)), false),
            None => {}
        }
        match s.get("exclusiveMaximum") {
            Some(J::Bool(true)) => high = high.map(|(v, _)| (v, false)),
            Some(v) => high = tighter(high, v.as_f64().map(|v| (v, false)), true),
            None => {}
        }
        (low, high)
    }

    /// Every value the schema allows, when they are few: booleans, null, a short run of
    /// integers. Each is checked against the whole leaf schema.
    fn finite(&self) -> Option<Vec<J>> {
        let mut out = Vec::new();
        for t in self.types {
            match t.as_str() {
                "boolean" => out.extend([J::Bool(false), J::Bool(true)]),
                "null" => out.push(J::Null),
                "integer" if self.integer_only() => {
                    let (Some((l, li)), Some((h, hi))) = self.bounds() else {
                        return None;
                    };
                    // Whole multiples of a whole `multipleOf`, or every integer.
                    let unit = number(self.schema, "multipleOf")
                        .filter(|m| *m >= 1.0 && m.fract() == 0.0)
                        .unwrap_or(1.0);
                    let mut k = (l / unit).ceil();
                    if k * unit == l && !li {
                        k += 1.0;
                    }
                    let mut last = (h / unit).floor();
                    if last * unit == h && !hi {
                        last -= 1.0;
                    }
                    if !(k.is_finite() && last.is_finite()) || last - k > 1024.0 {
                        return None;
                    }
                    while k <= last {
                        out.push(J::from((k * unit) as i64));
                        k += 1.0;
                    }
                }
                _ => return None,
            }
        }
        // Without a validator, the values cannot be held to the rest of the schema.
        self.validator()?;
        out.retain(|v| self.valid(v) == Some(true));
        Some(out)
    }

    /// Why `m` can match no value the schema allows, or `None` when it may match one.
    fn never(&self, m: &Matcher, profile: NumericProfile) -> Option<String> {
        let max_len = self.schema.get("maxLength").and_then(J::as_u64);
        let too_long = |need: usize, what: String| {
            max_len.filter(|&max| need as u64 > max).map(|max| {
                format!(
                    "the schema allows at most {max} character{}, but {what} needs at least {need}",
                    if max == 1 { "" } else { "s" }
                )
            })
        };
        let invalid = |v: J, shown: String| {
            (self.valid(&v) == Some(false)).then(|| {
                let why = self
                    .validator()
                    .and_then(|val| val.iter_errors(&v).next().map(|e| e.to_string()))
                    .unwrap_or_default();
                format!("the pattern wants {shown}, which the schema does not allow ({why})")
            })
        };
        match m {
            Matcher::Exact { value, ip: None } | Matcher::Exactly(value) => {
                invalid(J::String(value.clone()), m.to_string())
            }
            Matcher::Number { text, .. } => {
                let v = serde_json::from_str::<J>(text).ok()?;
                invalid(v, m.to_string())
            }
            Matcher::Bool(b) => invalid(J::Bool(*b), m.to_string()),
            Matcher::Null => invalid(J::Null, m.to_string()),
            Matcher::Prefix(p) | Matcher::Suffix(p) => too_long(p.chars().count(), m.to_string()),
            Matcher::PrefixFolded(_, p) | Matcher::SuffixFolded(_, p) if p.is_ascii() => {
                too_long(p.len(), m.to_string())
            }
            Matcher::EqualsIgnoreCase(_, p) if p.is_ascii() => {
                let min_len = self.schema.get("minLength").and_then(J::as_u64);
                too_long(p.len(), m.to_string()).or_else(|| {
                    min_len.filter(|&min| (p.len() as u64) < min).map(|min| {
                        format!(
                            "the schema wants at least {min} characters, but {m} has {}",
                            p.len()
                        )
                    })
                })
            }
            Matcher::Wildcard(w) => too_long(wildcard_min_len(w.source()), m.to_string()),
            Matcher::Numeric(range) if profile == NumericProfile::F64 => {
                let (low, high) = self.bounds();
                let step = number(self.schema, "multipleOf");
                let integer = self.integer_only();
                let both_low = tighter(low, range.low, false);
                let both_high = tighter(high, range.high, true);
                interval_empty(both_low, both_high, integer, step).then(|| {
                    format!(
                        "the schema allows {}, but the pattern wants {m}",
                        self.describe_numbers()
                    )
                })
            }
            _ => None,
        }
    }
}

/// Why some sub-rule of a pattern can never match: the sub-rule, its field and the reason.
pub(crate) struct Never {
    pub(crate) branch: usize,
    pub(crate) path: String,
    pub(crate) list: std::sync::Arc<LeafList>,
    pub(crate) reason: String,
}

/// `None` when some valid instance of the producer's event may match; otherwise one reason per
/// sub-rule, each naming the field that can never be satisfied.
pub(crate) fn never_matches(pattern: &Pattern, producer: &Producer<'_>) -> Option<Vec<Never>> {
    let mut reasons = Vec::new();
    for (branch, rule) in pattern.sub_rules().iter().enumerate() {
        let mut why = None;
        for field in &rule.fields {
            if let Some(reason) = field_never(
                &field.list,
                &producer.knowledge(&field.path),
                pattern.profile(),
            ) {
                why = Some(Never {
                    branch,
                    path: field.path.clone(),
                    list: std::sync::Arc::clone(&field.list),
                    reason,
                });
                break;
            }
        }
        reasons.push(why?);
    }
    Some(reasons)
}

/// The type a matcher fixes for the values it accepts, when it fixes one.
fn fixed_type(m: &Matcher) -> Option<&'static str> {
    match m {
        Matcher::Exact { .. }
        | Matcher::Exactly(_)
        | Matcher::Prefix(_)
        | Matcher::PrefixFolded(..)
        | Matcher::Suffix(_)
        | Matcher::SuffixFolded(..)
        | Matcher::EqualsIgnoreCase(..)
        | Matcher::Wildcard(_)
        | Matcher::Cidr(..) => Some("string"),
        Matcher::Number { value: Some(v), .. } if v.fract() == 0.0 => Some("integer"),
        Matcher::Number { .. } | Matcher::Numeric(_) => Some("number"),
        Matcher::Bool(_) => Some("boolean"),
        Matcher::Null => Some("null"),
        // `anything-but` and `exists` accept values of any type.
        Matcher::AnythingBut(_) | Matcher::Exists(_) => None,
    }
}

/// Whether a value of type `fixed` is a `wanted` in a `uses` entry.
fn type_fits(fixed: &str, wanted: &str) -> bool {
    fixed == wanted || (wanted == "number" && fixed == "integer")
}

/// Whether the pattern itself guarantees `field` (of `ty`, if given) in every event it
/// matches: in every sub-rule (every `$or` branch), a condition on the field other than
/// `exists: false` (which requires a value there), or on a field below it (which requires an
/// object there). A type is fixed when every condition of the list fixes one that fits.
pub(crate) fn pattern_guarantees(pattern: &Pattern, field: &str, ty: Option<&str>) -> bool {
    let below = format!("{field}.");
    pattern.sub_rules().iter().all(|rule| {
        rule.fields.iter().any(|f| {
            if f.path == field {
                !f.list.has_exists_false
                    && ty.is_none_or(|ty| {
                        f.list
                            .matchers
                            .iter()
                            .all(|m| fixed_type(m).is_some_and(|t| type_fits(t, ty)))
                    })
            } else {
                f.path.starts_with(&below) && ty.is_none_or(|ty| ty == "object")
            }
        })
    })
}

/// Whether the producer's schema declares that `field`, or a member on the way to it, can be
/// an array (where a condition on a string also matches an array of strings). A schema that
/// gives no type is taken at the pattern's word.
pub(crate) fn may_be_array(producer: &Producer<'_>, field: &str) -> bool {
    let Some(rest) = field.strip_prefix("detail.") else {
        return false;
    };
    let Some(mut node) = producer.schema else {
        return false;
    };
    for seg in rest.split('.') {
        if types_of(node).iter().any(|t| t == "array") {
            return true;
        }
        match node.get("properties").and_then(|p| p.get(seg)) {
            Some(child) => node = child,
            None => return false,
        }
    }
    types_of(node).iter().any(|t| t == "array")
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

#[cfg(test)]
mod tests {
    use super::{interval_empty, wildcard_min_len};

    #[test]
    fn intervals() {
        let inc = |v: f64| Some((v, true));
        let exc = |v: f64| Some((v, false));
        // `> 480` against `maximum: 480`.
        assert!(interval_empty(exc(480.0), inc(480.0), false, None));
        assert!(!interval_empty(inc(480.0), inc(480.0), false, None));
        // Unbounded on one side is never empty.
        assert!(!interval_empty(exc(480.0), None, true, None));
        // Whole numbers strictly between 1 and 2: none.
        assert!(interval_empty(exc(1.0), exc(2.0), true, None));
        assert!(!interval_empty(exc(1.0), exc(2.0), false, None));
        // Multiples of 15 strictly between 450 and 465: none; up to 465 inclusive: one.
        assert!(interval_empty(exc(450.0), exc(465.0), true, Some(15.0)));
        assert!(!interval_empty(exc(450.0), inc(465.0), true, Some(15.0)));
        // Floating point never turns a multiple at the bound into a "never".
        assert!(!interval_empty(inc(0.7), inc(0.7), false, Some(0.1)));
        assert!(!interval_empty(inc(0.3), inc(0.3), false, Some(0.1)));
        assert!(!interval_empty(inc(99.99), inc(99.99), false, Some(0.01)));
        assert!(interval_empty(exc(100.0), inc(100.0), false, Some(0.01)));
    }

    use proptest::prelude::*;
    use serde_json::json;

    /// A schema of numbers with some of the bounds JSON Schema has.
    fn number_schema() -> impl Strategy<Value = serde_json::Value> {
        (
            prop::bool::ANY,
            prop::option::of(-20i32..20),
            prop::option::of(-20i32..20),
            prop::option::of(-20i32..20),
            prop::option::of(-20i32..20),
            prop::option::of(prop::sample::select(vec![0.5, 1.0, 2.0, 3.0, 5.0, 0.25])),
        )
            .prop_map(|(integer, min, max, xmin, xmax, step)| {
                let mut s = json!({"type": if integer { "integer" } else { "number" }});
                if let Some(v) = min {
                    s["minimum"] = json!(v);
                }
                if let Some(v) = max {
                    s["maximum"] = json!(v);
                }
                if let Some(v) = xmin {
                    s["exclusiveMinimum"] = json!(v);
                }
                if let Some(v) = xmax {
                    s["exclusiveMaximum"] = json!(v);
                }
                if let Some(v) = step {
                    s["multipleOf"] = json!(v);
                }
                s
            })
    }

    fn numeric_condition() -> impl Strategy<Value = String> {
        let op = prop::sample::select(vec![">", ">=", "<", "<=", "="]);
        prop_oneof![
            (op.clone(), -25i32..25).prop_map(|(o, v)| format!("[\"{o}\", {v}]")),
            (-25i32..25, 0i32..12, prop::bool::ANY, prop::bool::ANY).prop_map(|(l, w, li, hi)| {
                let lo = if li { ">=" } else { ">" };
                let ho = if hi { "<=" } else { "<" };
                format!("[\"{lo}\", {l}, \"{ho}\", {}]", l + w)
            }),
        ]
    }

    proptest! {
        /// "Never" is said only when no value the schema allows satisfies the condition:
        /// checked against every quarter from -30 to 30.
        #[test]
        fn numeric_never_is_sound(schema in number_schema(), condition in numeric_condition()) {
            let Ok(validator) = crate::workspace::compile_schema(&schema) else {
                return Ok(());
            };
            // EventBridge refuses some ranges (an empty one); they are not the question here.
            let Ok(pattern) = crate::Pattern::parse(&format!(
                "{{\"detail\": {{\"n\": [{{\"numeric\": {condition}}}]}}}}"
            )) else {
                return Ok(());
            };
            let wrapped = json!({
                "type": "object",
                "required": ["n"],
                "properties": {"n": schema},
            });
            let producer = super::Producer {
                source: "s",
                detail_type: "d",
                schema: Some(&wrapped),
            };
            if super::never_matches(&pattern, &producer).is_some() {
                for q in -120..=120 {
                    let v = f64::from(q) / 4.0;
                    let value = if v.fract() == 0.0 { json!(v as i64) } else { json!(v) };
                    if validator.is_valid(&value) {
                        let event = format!("{{\"detail\": {{\"n\": {value}}}}}");
                        prop_assert!(
                            !pattern.matches(&event).unwrap(),
                            "said never, but {value} is valid and matches"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn wildcard_lengths() {
        assert_eq!(wildcard_min_len("SAVE*2026"), 8);
        assert_eq!(wildcard_min_len("*"), 0);
        assert_eq!(wildcard_min_len("a\\*b*"), 3);
    }
}
