//! Filter dialects: the other AWS services that filter with EventBridge's pattern syntax
//! (spec §7). EventBridge Pipes and Lambda event-source mappings share the grammar and the
//! matching engine; what differs is the document matched (the source record, its data field
//! decoded), which operators are allowed, the limits, and what happens when the data field's
//! format does not fit the filter.
//!
//! ```
//! use bus_contract::{Dialect, Event};
//!
//! let filters = Dialect::LambdaSqs.filters(&[r#"{"body": {"kind": ["refund"]}}"#]).unwrap();
//! let record = Event::parse(r#"{"messageId": "m1", "body": "{\"kind\": \"refund\"}"}"#)?;
//! assert!(filters.matches(&record));
//! // A plain-text body never meets a filter on the body's JSON fields.
//! let plain = Event::parse(r#"{"messageId": "m2", "body": "refund"}"#)?;
//! assert!(!filters.matches(&plain));
//! // Lambda has no wildcard.
//! assert!(Dialect::LambdaSqs.filters(&[r#"{"body": [{"wildcard": "r*"}]}"#]).is_err());
//! # Ok::<(), bus_contract::EventError>(())
//! ```

use base64::Engine as _;

use crate::event::Event;
use crate::json::Value;
use crate::pattern::ast::{AnythingBut, Matcher as Cond, SubRule};
use crate::pattern::{Options, Pattern};

/// Where a filter runs, which decides how it is validated and what it is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// An EventBridge rule's event pattern, matched against the delivered event.
    EventBridge,
    /// An EventBridge Pipes filter, matched against the source's record (SQS, Kinesis and
    /// DynamoDB records are decoded as the Lambda dialects decode them, told apart by their
    /// `eventSource`).
    Pipes,
    /// A Lambda event-source mapping on SQS: the record's `body` is matched as parsed JSON
    /// when it is a JSON object or array, else as the string it is.
    LambdaSqs,
    /// A Lambda event-source mapping on Kinesis: the record's base64 `data` is decoded, and
    /// parsed when it is JSON.
    LambdaKinesis,
    /// A Lambda event-source mapping on DynamoDB Streams: the record as it is (attribute
    /// values keep their typed form, `{"N": "42"}`, numbers as strings).
    LambdaDynamodb,
    /// A Lambda event-source mapping on Amazon MSK or self-managed Kafka: the record's base64
    /// `key` and `value` are decoded, and parsed when they are JSON. Where one's format does
    /// not fit the filter (plain text filtered by its JSON fields, JSON by a list of values,
    /// bytes that are not UTF-8), the filter's conditions on it are ignored and the record is
    /// filtered on the rest.
    LambdaKafka,
    /// An SNS subscription's filter policy on message attributes (`FilterPolicyScope`
    /// `MessageAttributes`, the default), matched against a Publish request's
    /// `MessageAttributes`: `String` as a string, `String.Array` as the array its text holds,
    /// `Number` as a number; `Binary` attributes are ignored.
    SnsAttributes,
    /// An SNS subscription's filter policy on the message body (`MessageBody`), matched
    /// against the Publish request's `Message` parsed as JSON; a body that is not a JSON
    /// object matches nothing.
    SnsBody,
}

/// Every dialect, in the order `--help` lists them.
pub const DIALECTS: [Dialect; 8] = [
    Dialect::EventBridge,
    Dialect::Pipes,
    Dialect::LambdaSqs,
    Dialect::LambdaKinesis,
    Dialect::LambdaDynamodb,
    Dialect::LambdaKafka,
    Dialect::SnsAttributes,
    Dialect::SnsBody,
];

/// An SNS filter policy's limits: keys, the total combination of values, the magnitude of
/// numbers, and its size (256 KB).
const SNS_MAX_KEYS: usize = 5;
const SNS_MAX_COMBINATIONS: usize = 150;
const SNS_MAX_NUMBER: f64 = 1e9;
const SNS_MAX_SIZE: usize = 256 * 1024;

/// Why a dialect refuses a filter: AWS's error code, its message, and our reason (AWS gives
/// none for Lambda).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct FilterError {
    /// The error code the service returns.
    pub code: &'static str,
    /// The message the service returns.
    pub message: String,
    /// What is wrong, in this tool's words, where the service's message does not say.
    pub reason: String,
}

impl FilterError {
    /// The service's code and message, then the reason where the message does not already
    /// say it: `InvalidParameterValueException: Invalid filter pattern definition. (…)`.
    pub fn explained(&self) -> String {
        if self.reason.is_empty() || self.message.contains(&self.reason) {
            self.to_string()
        } else {
            format!("{self} ({})", self.reason)
        }
    }
}

/// The filters of one mapping or pipe (any one matching is enough), validated for their dialect.
#[derive(Debug, Clone)]
pub struct Filters {
    dialect: Dialect,
    patterns: Vec<Pattern>,
}

/// The Lambda dialect whose records `record` is: the dialect itself, or for Pipes the one
/// its `eventSource` names.
fn source_of(dialect: Dialect, record: &Event) -> Option<Dialect> {
    match dialect {
        Dialect::Pipes => match record.value().get("eventSource") {
            Some(Value::String(s)) if s == "aws:sqs" => Some(Dialect::LambdaSqs),
            Some(Value::String(s)) if s == "aws:kinesis" => Some(Dialect::LambdaKinesis),
            Some(Value::String(s)) if s == "aws:dynamodb" => Some(Dialect::LambdaDynamodb),
            Some(Value::String(s)) if s == "aws:kafka" || s == "SelfManagedKafka" => {
                Some(Dialect::LambdaKafka)
            }
            _ => None,
        },
        Dialect::EventBridge | Dialect::SnsAttributes | Dialect::SnsBody => None,
        other => Some(other),
    }
}

impl Dialect {
    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::EventBridge => "eventbridge",
            Dialect::Pipes => "pipes",
            Dialect::LambdaSqs => "lambda-sqs",
            Dialect::LambdaKinesis => "lambda-kinesis",
            Dialect::LambdaDynamodb => "lambda-dynamodb",
            Dialect::LambdaKafka => "lambda-kafka",
            Dialect::SnsAttributes => "sns-attributes",
            Dialect::SnsBody => "sns-body",
        }
    }

    /// The data field of this source's records whose format the filter's shape must fit
    /// (Kafka's `key` and `value` follow a rule of their own).
    pub(crate) fn data_field(self) -> Option<&'static str> {
        match self {
            Dialect::LambdaSqs => Some("body"),
            Dialect::LambdaKinesis => Some("data"),
            Dialect::LambdaDynamodb => Some("dynamodb"),
            _ => None,
        }
    }

    /// The kinds of source a pipe or a mapping reads, as contracts name them (`source-kind`,
    /// `consumer: source`), with the dialect their records are decoded as.
    #[cfg(feature = "workspace")]
    pub(crate) const SOURCE_KINDS: [(&'static str, Dialect); 4] = [
        ("sqs", Dialect::LambdaSqs),
        ("kinesis", Dialect::LambdaKinesis),
        ("dynamodb", Dialect::LambdaDynamodb),
        ("kafka", Dialect::LambdaKafka),
    ];

    /// The source-kind name of a Lambda dialect, as [`Dialect::SOURCE_KINDS`] gives it.
    #[cfg(feature = "workspace")]
    pub(crate) fn source_kind_name(self) -> Option<&'static str> {
        Dialect::SOURCE_KINDS
            .iter()
            .find(|(_, d)| *d == self)
            .map(|(n, _)| *n)
    }

    pub(crate) fn is_sns(self) -> bool {
        matches!(self, Dialect::SnsAttributes | Dialect::SnsBody)
    }

    /// The dialect of a name, as [`Dialect::name`] gives it.
    pub fn from_name(name: &str) -> Option<Dialect> {
        DIALECTS.into_iter().find(|d| d.name() == name)
    }

    /// How many filters one mapping or pipe holds: 5 (Lambda's default quota, which can be
    /// raised to 10; Pipes' limit). An EventBridge rule has one pattern.
    pub fn max_filters(self) -> usize {
        match self {
            Dialect::EventBridge | Dialect::SnsAttributes | Dialect::SnsBody => 1,
            _ => 5,
        }
    }

    /// The parsing options: each filter of Pipes and Lambda may be 4,096 characters long, an
    /// SNS filter policy 256 KB.
    pub fn options(self) -> Options {
        match self {
            Dialect::EventBridge => Options::default(),
            Dialect::SnsAttributes | Dialect::SnsBody => {
                Options::default().max_pattern_size(Some(SNS_MAX_SIZE))
            }
            _ => Options::default().max_pattern_size(Some(4096)),
        }
    }

    /// Parses and validates the filters of one mapping or pipe.
    ///
    /// # Errors
    /// A [`FilterError`] with the service's code and message: Lambda reports every invalid
    /// filter as `InvalidParameterValueException: Invalid filter pattern definition.`.
    pub fn filters(self, texts: &[&str]) -> Result<Filters, FilterError> {
        let refuse = |reason: String| FilterError {
            code: match self {
                Dialect::EventBridge => "InvalidEventPatternException",
                Dialect::SnsAttributes | Dialect::SnsBody => "InvalidParameter",
                _ => "InvalidParameterValueException",
            },
            message: match self {
                Dialect::EventBridge => format!("Event pattern is not valid. Reason: {reason}"),
                Dialect::SnsAttributes | Dialect::SnsBody => {
                    format!("Invalid parameter: Attributes Reason: FilterPolicy: {reason}")
                }
                _ => "Invalid filter pattern definition.".to_string(),
            },
            reason,
        };
        if texts.is_empty() {
            return Err(refuse("no filter given".into()));
        }
        if texts.len() > self.max_filters() {
            return Err(refuse(format!(
                "{} filters; a {} holds at most {}",
                texts.len(),
                if self == Dialect::Pipes {
                    "pipe"
                } else {
                    "mapping"
                },
                self.max_filters()
            )));
        }
        let mut patterns = Vec::with_capacity(texts.len());
        for text in texts {
            let pattern = Pattern::parse_with(text, &self.options()).map_err(|e| {
                let mut err = refuse(e.reason().to_string());
                if self == Dialect::EventBridge {
                    err.message = e.to_string();
                }
                err
            })?;
            self.allowed(&pattern).map_err(refuse)?;
            if self == Dialect::SnsAttributes {
                flat(text).map_err(refuse)?;
            }
            patterns.push(pattern);
        }
        Ok(Filters {
            dialect: self,
            patterns,
        })
    }

    /// Whether every operator of a pattern is one the dialect offers (spec §7.4), and a
    /// Kinesis or DynamoDB data field is filtered as an object.
    fn allowed(self, pattern: &Pattern) -> Result<(), String> {
        if self == Dialect::EventBridge {
            return Ok(());
        }
        if self.is_sns() {
            sns_limits(self, pattern)?;
        }
        for rule in pattern.sub_rules() {
            for field in &rule.fields {
                for m in &field.list.matchers {
                    let refused = match m {
                        Cond::Wildcard(_) => Some("wildcard"),
                        Cond::Cidr(..) if !self.is_sns() => Some("cidr"),
                        Cond::PrefixFolded(..) if self.is_sns() => {
                            Some("prefix equals-ignore-case")
                        }
                        Cond::SuffixFolded(..) if self.is_sns() => {
                            Some("suffix equals-ignore-case")
                        }
                        // SNS documents anything-but with a prefix; Lambda and Pipes do not.
                        Cond::AnythingBut(AnythingBut::Prefix(_)) if !self.is_sns() => {
                            Some("anything-but prefix")
                        }
                        Cond::AnythingBut(AnythingBut::Suffix(_)) => Some("anything-but suffix"),
                        Cond::AnythingBut(AnythingBut::EqualsIgnoreCase(_)) => {
                            Some("anything-but equals-ignore-case")
                        }
                        Cond::AnythingBut(AnythingBut::Wildcard(_)) => {
                            Some("anything-but wildcard")
                        }
                        _ => None,
                    };
                    if let Some(op) = refused {
                        return Err(format!(
                            "{} filters do not offer {op} (at {})",
                            self.name(),
                            field.list.pointer
                        ));
                    }
                }
                // An SQS body may be plain text, so a list of values there is valid.
                let object_only = matches!(self, Dialect::LambdaKinesis | Dialect::LambdaDynamodb);
                if object_only && self.data_field() == Some(field.path.as_str()) {
                    return Err(format!(
                        "the {} field must be filtered as a JSON object, not with a list of values",
                        field.path
                    ));
                }
            }
        }
        Ok(())
    }

    /// The document a filter of this dialect is matched against, made from a record as the
    /// service hands it to the function: an SQS `body` parsed when it is a JSON object or
    /// array; a Kinesis record's fields lifted from its `kinesis` member (as the filters name
    /// them) and its base64 `data` decoded, then parsed when it is JSON.
    pub fn view(self, record: &Event) -> Event {
        if self.is_sns() {
            return sns_view(self, record).unwrap_or_else(|| Event::from_members(Vec::new()));
        }
        let Value::Object(members) = record.value() else {
            return record.clone();
        };
        let mut members = members.clone();
        let source = source_of(self, record);
        if source == Some(Dialect::LambdaKinesis) {
            if let Some(at) = members.iter().position(|(k, _)| k == "kinesis") {
                if let (_, Value::Object(inner)) = &members.remove(at) {
                    members.extend(inner.iter().cloned());
                }
            }
        }
        let field = source.and_then(Dialect::data_field);
        let kafka = source == Some(Dialect::LambdaKafka);
        for (key, value) in &mut members {
            let decoded = (kafka && (key == "key" || key == "value")) || field == Some("data");
            if !decoded && Some(key.as_str()) != field {
                continue;
            }
            let text = match &*value {
                Value::String(b64) if decoded => base64_text(b64),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            if let Some(text) = text {
                *value = match Value::parse(&text) {
                    Ok(parsed @ (Value::Object(_) | Value::Array(_))) => parsed,
                    _ => Value::String(text),
                };
            }
        }
        Event::from_members(members)
    }
}

impl Filters {
    /// The filters' patterns, in the order given.
    #[cfg(feature = "workspace")]
    pub(crate) fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The dialect the filters were validated for.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether a record passes: some filter matches the record's view ([`Dialect::view`]),
    /// and, for the data field, the filter's shape fits the data's format. An SQS message
    /// whose body is plain text does not pass a filter on the body's JSON fields, nor a JSON
    /// body a filter that lists the body's values; a Kinesis or DynamoDB record whose data is
    /// not JSON does not pass a filter on its data (spec §7.2).
    pub fn matches(&self, record: &Event) -> bool {
        if self.dialect.is_sns() {
            // A body that is not a JSON object meets no body policy.
            return sns_view(self.dialect, record)
                .is_some_and(|view| self.patterns.iter().any(|p| p.matches_event(&view)));
        }
        let view = self.dialect.view(record);
        let source = source_of(self.dialect, record);
        if source == Some(Dialect::LambdaKafka) {
            return self.patterns.iter().any(|p| {
                p.sub_rules().iter().any(|rule| {
                    let rule = kafka_rule(rule, record);
                    p.matches_sub_rule(&rule, &view)
                })
            });
        }
        let field = source.and_then(Dialect::data_field);
        let json = field
            .and_then(|f| view.value().get(f))
            .map(|v| matches!(v, Value::Object(_) | Value::Array(_)));
        self.patterns.iter().any(|p| {
            p.sub_rules()
                .iter()
                .any(|rule| fits(rule, field, json) && p.matches_sub_rule(rule, &view))
        })
    }
}

/// Base64 text decoded to UTF-8, if it is both.
fn base64_text(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// A Kafka filter's sub-rule without its conditions on a `key` or `value` whose format does
/// not fit them (spec §7.2: for Kafka the data filter is then ignored, the record not dropped).
fn kafka_rule(rule: &SubRule, record: &Event) -> SubRule {
    let format = |field: &str| {
        let Some(Value::String(b64)) = record.value().get(field) else {
            return None;
        };
        // Some(None): not UTF-8; Some(Some(json)) otherwise.
        Some(
            base64_text(b64)
                .map(|text| matches!(Value::parse(&text), Ok(Value::Object(_) | Value::Array(_)))),
        )
    };
    let (key, value) = (format("key"), format("value"));
    SubRule {
        fields: rule
            .fields
            .iter()
            .filter(|f| {
                let (name, nested) = match f.path.split_once('.') {
                    Some((name, _)) => (name, true),
                    None => (f.path.as_str(), false),
                };
                let state = match name {
                    "key" => key,
                    "value" => value,
                    _ => return true,
                };
                match state {
                    None => true,
                    Some(None) => false,
                    Some(Some(json)) => json == nested,
                }
            })
            .cloned()
            .collect(),
    }
}

/// An SNS filter policy's limits: at most 5 keys (every key of an attribute policy; the
/// top-level keys of a body policy), at most 150 combinations of values (the product of the
/// lists' lengths, summed over `$or` branches), numbers within ±10^9.
fn sns_limits(dialect: Dialect, pattern: &Pattern) -> Result<(), String> {
    let mut keys: Vec<&str> = Vec::new();
    let mut combinations = 0usize;
    for rule in pattern.sub_rules() {
        let mut product = 1usize;
        for field in &rule.fields {
            let key = match dialect {
                Dialect::SnsBody => field.path.split('.').next().unwrap_or(&field.path),
                _ => field.path.as_str(),
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
            product = product.saturating_mul(field.list.matchers.len().max(1));
            for m in &field.list.matchers {
                let numbers: Vec<f64> = match m {
                    Cond::Number { value: Some(v), .. } => vec![*v],
                    Cond::Numeric(r) => r.low.iter().chain(&r.high).map(|b| b.0).collect(),
                    Cond::AnythingBut(AnythingBut::Numbers(list)) => {
                        list.iter().map(|n| n.0).collect()
                    }
                    _ => Vec::new(),
                };
                if numbers.iter().any(|n| n.abs() > SNS_MAX_NUMBER) {
                    return Err(format!(
                        "a number at {} is outside -1e9 to 1e9, SNS's range",
                        field.list.pointer
                    ));
                }
            }
        }
        combinations = combinations.saturating_add(product);
    }
    if keys.len() > SNS_MAX_KEYS {
        return Err(format!(
            "{} keys ({}); a filter policy has at most {SNS_MAX_KEYS}",
            keys.len(),
            keys.join(", ")
        ));
    }
    if combinations > SNS_MAX_COMBINATIONS {
        return Err(format!(
            "{combinations} combinations of values; a filter policy has at most {SNS_MAX_COMBINATIONS}"
        ));
    }
    Ok(())
}

/// An attribute policy is flat: each key (or `$or` branch's key) names a list of values, never
/// an object.
fn flat(text: &str) -> Result<(), String> {
    fn check(v: &Value) -> Result<(), String> {
        let Value::Object(members) = v else {
            return Ok(());
        };
        for (k, v) in members {
            match v {
                Value::Array(branches) if k == "$or" => branches.iter().try_for_each(check)?,
                Value::Object(_) => {
                    return Err(format!(
                        "{k} holds an object; an attribute policy is not nested (filter the message body with FilterPolicyScope MessageBody)"
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
    Value::parse(text).map_or(Ok(()), |v| check(&v))
}

/// The document an SNS policy is matched against, from a Publish request's message
/// (`{"Message": …, "MessageAttributes": {…}}`); `None` for a body policy when the body is
/// not a JSON object.
fn sns_view(dialect: Dialect, message: &Event) -> Option<Event> {
    let request = message.value();
    if dialect == Dialect::SnsBody {
        let Some(Value::String(body)) = request.get("Message") else {
            return None;
        };
        return Event::parse(body).ok();
    }
    let mut members = Vec::new();
    if let Some(Value::Object(attributes)) = request.get("MessageAttributes") {
        for (name, attribute) in attributes {
            let kind = match attribute.get("DataType") {
                Some(Value::String(t)) => t.as_str(),
                _ => continue,
            };
            let Some(Value::String(text)) = attribute.get("StringValue") else {
                continue;
            };
            // A type may carry a custom suffix (`String.id`, `Number.float`).
            let base = kind.split('.').next().unwrap_or(kind);
            let value = match (kind, base) {
                ("String.Array", _) => match Value::parse(text) {
                    Ok(array @ Value::Array(_)) => array,
                    _ => continue,
                },
                (_, "String") => Value::String(text.clone()),
                (_, "Number") => match Value::parse(text) {
                    Ok(number @ Value::Number(_)) => number,
                    _ => continue,
                },
                // Binary attributes, and types SNS does not define, are not compared.
                _ => continue,
            };
            members.push((name.clone(), value));
        }
    }
    Some(Event::from_members(members))
}

/// Whether a sub-rule's use of the data field fits the data's format (`json`: whether the
/// field holds JSON; `None` when the record has no such field).
fn fits(rule: &SubRule, field: Option<&str>, json: Option<bool>) -> bool {
    let (Some(field), Some(json)) = (field, json) else {
        return true;
    };
    let nested = format!("{field}.");
    rule.fields.iter().all(|f| {
        if f.path == field {
            !json
        } else if f.path.starts_with(&nested) {
            json
        } else {
            true
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(dialect: Dialect, filters: &[&str], record: &str) -> bool {
        dialect
            .filters(filters)
            .unwrap()
            .matches(&Event::parse(record).unwrap())
    }

    fn refused(dialect: Dialect, filter: &str) -> FilterError {
        dialect.filters(&[filter]).unwrap_err()
    }

    /// Spec §7.1: an SQS body that is JSON is matched as its parsed value.
    #[test]
    fn dialect_sqs_json_body_is_parsed() {
        let f = r#"{"body": {"RequestCode": ["BBBB"]}}"#;
        assert!(passes(
            Dialect::LambdaSqs,
            &[f],
            r#"{"messageId": "1", "body": "{\"RequestCode\": \"BBBB\"}"}"#
        ));
        assert!(!passes(
            Dialect::LambdaSqs,
            &[f],
            r#"{"messageId": "1", "body": "{\"RequestCode\": \"AAAA\"}"}"#
        ));
    }

    /// Spec §7.1 and §7.2: a plain body stays a string; a leaf list on the body matches it,
    /// and a filter of the other shape drops the message, even one `exists: false` would
    /// otherwise let through.
    #[test]
    fn dialect_sqs_body_format_must_fit_the_filter() {
        let plain = r#"{"messageId": "1", "body": "hello"}"#;
        let json = r#"{"messageId": "1", "body": "{\"a\": 1}"}"#;
        assert!(passes(
            Dialect::LambdaSqs,
            &[r#"{"body": ["hello"]}"#],
            plain
        ));
        assert!(!passes(
            Dialect::LambdaSqs,
            &[r#"{"body": {"a": [{"exists": false}]}}"#],
            plain
        ));
        assert!(!passes(
            Dialect::LambdaSqs,
            &[r#"{"body": [{"exists": true}]}"#],
            json
        ));
        // A filter that says nothing of the body filters metadata only.
        assert!(passes(
            Dialect::LambdaSqs,
            &[r#"{"messageId": ["1"]}"#],
            plain
        ));
        assert!(passes(
            Dialect::LambdaSqs,
            &[r#"{"messageId": ["1"]}"#],
            json
        ));
    }

    /// Spec §7.1: Kinesis data is base64-decoded, then parsed when it is JSON; the record's
    /// fields are named without their `kinesis` member.
    #[test]
    fn dialect_kinesis_data_is_decoded() {
        let data = base64::engine::general_purpose::STANDARD.encode(r#"{"temperature": 70}"#);
        let record = format!(
            r#"{{"eventSource": "aws:kinesis", "kinesis": {{"partitionKey": "p1", "data": "{data}"}}}}"#
        );
        let hot = r#"{"data": {"temperature": [{"numeric": [">", 60]}]}}"#;
        assert!(passes(Dialect::LambdaKinesis, &[hot], &record));
        assert!(passes(Dialect::Pipes, &[hot], &record));
        assert!(passes(
            Dialect::LambdaKinesis,
            &[r#"{"partitionKey": ["p1"]}"#],
            &record
        ));
        // Data that is not JSON never meets a filter on its fields (§7.2).
        let text = base64::engine::general_purpose::STANDARD.encode("temperature=70");
        let record = format!(r#"{{"kinesis": {{"data": "{text}"}}}}"#);
        assert!(!passes(
            Dialect::LambdaKinesis,
            &[r#"{"data": {"temperature": [{"exists": false}]}}"#],
            &record
        ));
    }

    /// Spec §7.2: a Kinesis or DynamoDB data filter that is a list of values is refused when
    /// the mapping is created.
    #[test]
    fn dialect_data_filters_must_be_objects() {
        for (d, f) in [
            (Dialect::LambdaKinesis, r#"{"data": ["x"]}"#),
            (
                Dialect::LambdaDynamodb,
                r#"{"dynamodb": [{"exists": true}]}"#,
            ),
        ] {
            let e = refused(d, f);
            assert_eq!(
                e.to_string(),
                "InvalidParameterValueException: Invalid filter pattern definition."
            );
            assert!(e.reason.contains("JSON object"), "{}", e.reason);
        }
    }

    /// Spec §7.1: DynamoDB attribute values keep their typed form; a number is a string.
    #[test]
    fn dialect_dynamodb_numbers_are_strings() {
        let record = r#"{"eventName": "INSERT", "dynamodb": {"NewImage": {"n": {"N": "42"}}}}"#;
        assert!(passes(
            Dialect::LambdaDynamodb,
            &[r#"{"dynamodb": {"NewImage": {"n": {"N": ["42"]}}}}"#],
            record
        ));
        assert!(!passes(
            Dialect::LambdaDynamodb,
            &[r#"{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}"#],
            record
        ));
    }

    /// Spec §7.4 and §7.5: the operators neither Pipes nor Lambda offer are refused, with
    /// Lambda's one message; any filter may match, at most five of them.
    #[test]
    fn dialect_operators_and_filter_counts() {
        for f in [
            r#"{"a": [{"wildcard": "x*"}]}"#,
            r#"{"a": [{"anything-but": {"prefix": "x"}}]}"#,
            r#"{"a": [{"anything-but": {"suffix": "x"}}]}"#,
            r#"{"a": [{"anything-but": {"equals-ignore-case": "x"}}]}"#,
            r#"{"a": [{"cidr": "10.0.0.0/8"}]}"#,
        ] {
            for d in [Dialect::Pipes, Dialect::LambdaSqs] {
                assert_eq!(refused(d, f).code, "InvalidParameterValueException", "{f}");
            }
            assert!(Dialect::EventBridge.filters(&[f]).is_ok(), "{f}");
        }
        for f in [
            r#"{"a": [{"prefix": {"equals-ignore-case": "x"}}]}"#,
            r#"{"a": [{"suffix": "x"}, {"anything-but": ["y"]}, null, ""]}"#,
            r#"{"$or": [{"a": ["x"]}, {"b": [{"numeric": ["<", 1]}]}]}"#,
        ] {
            assert!(Dialect::Pipes.filters(&[f]).is_ok(), "{f}");
        }
        // EP-ERR-4's shapes: a leaf that is not a list, an empty list.
        assert_eq!(
            refused(Dialect::LambdaSqs, r#"{"eventSource": []}"#).message,
            "Invalid filter pattern definition."
        );
        refused(Dialect::LambdaSqs, r#"{"eventSource": "aws:sqs"}"#);
        let two = [r#"{"body": ["a"]}"#, r#"{"body": ["b"]}"#];
        assert!(passes(Dialect::LambdaSqs, &two, r#"{"body": "b"}"#));
        assert!(!passes(Dialect::LambdaSqs, &two, r#"{"body": "c"}"#));
        assert!(Dialect::LambdaSqs.filters(&[two[0]; 6]).is_err());
        assert!(Dialect::LambdaSqs.filters(&[two[0]; 5]).is_ok());
    }

    fn publish(attributes: &str, body: &str) -> String {
        format!(
            r#"{{"Message": {}, "MessageAttributes": {{{attributes}}}}}"#,
            serde_json::to_string(body).unwrap()
        )
    }

    /// SNS's string matching guide: `anything-but` with a prefix is offered, and refuses the
    /// values that start with it.
    #[test]
    fn dialect_sns_anything_but_prefix() {
        let policy = r#"{"event": [{"anything-but": {"prefix": "order-"}}]}"#;
        let event = |v: &str| {
            publish(
                &format!(r#""event": {{"DataType": "String", "StringValue": "{v}"}}"#),
                "hello",
            )
        };
        assert!(passes(
            Dialect::SnsAttributes,
            &[policy],
            &event("data-entry")
        ));
        assert!(passes(
            Dialect::SnsAttributes,
            &[policy],
            &event("order_number")
        ));
        assert!(!passes(
            Dialect::SnsAttributes,
            &[policy],
            &event("order-cancelled")
        ));
        let body = r#"{"event": [{"anything-but": {"prefix": "order-"}}]}"#;
        assert!(passes(
            Dialect::SnsBody,
            &[body],
            &publish("", r#"{"event": "data-entry"}"#)
        ));
        assert_eq!(
            refused(Dialect::LambdaSqs, policy).code,
            "InvalidParameterValueException"
        );
    }

    /// SNS string matching: a `String.Array` attribute's elements are matched one by one; a
    /// policy key the message lacks fails the policy.
    #[test]
    fn dialect_sns_attributes_string_and_array() {
        let policy = r#"{"customer_interests": ["rugby", "tennis"]}"#;
        let string = |v: &str| {
            publish(
                &format!(r#""customer_interests": {{"DataType": "String", "StringValue": "{v}"}}"#),
                "hello",
            )
        };
        let array = |v: &str| {
            publish(
                &format!(
                    r#""customer_interests": {{"DataType": "String.Array", "StringValue": {}}}"#,
                    serde_json::to_string(v).unwrap()
                ),
                "hello",
            )
        };
        assert!(passes(Dialect::SnsAttributes, &[policy], &string("rugby")));
        assert!(!passes(
            Dialect::SnsAttributes,
            &[policy],
            &string("baseball")
        ));
        assert!(passes(
            Dialect::SnsAttributes,
            &[policy],
            &array(r#"["rugby", "tennis"]"#)
        ));
        assert!(!passes(
            Dialect::SnsAttributes,
            &[policy],
            &array(r#"["baseball"]"#)
        ));
        assert!(!passes(
            Dialect::SnsAttributes,
            &[policy],
            &publish("", "rugby")
        ));
        // The body is not what an attribute policy reads.
        assert!(!passes(
            Dialect::SnsAttributes,
            &[r#"{"customer_interests": ["rugby"]}"#],
            &publish("", r#"{"customer_interests": "rugby"}"#)
        ));
    }

    /// SNS compares String, String.Array and Number attributes, and ignores Binary ones.
    #[test]
    fn dialect_sns_attribute_types() {
        let price = |t: &str, v: &str| {
            publish(
                &format!(r#""price": {{"DataType": "{t}", "StringValue": "{v}"}}"#),
                "",
            )
        };
        let range = r#"{"price": [{"numeric": [">=", 10, "<", 100]}]}"#;
        assert!(passes(
            Dialect::SnsAttributes,
            &[range],
            &price("Number", "50")
        ));
        assert!(passes(
            Dialect::SnsAttributes,
            &[range],
            &price("Number.float", "50.5")
        ));
        assert!(!passes(
            Dialect::SnsAttributes,
            &[range],
            &price("Number", "100")
        ));
        // A number written as a String attribute is a string.
        assert!(!passes(
            Dialect::SnsAttributes,
            &[range],
            &price("String", "50")
        ));
        let absent = r#"{"price": [{"exists": false}]}"#;
        assert!(passes(
            Dialect::SnsAttributes,
            &[absent],
            &price("Binary", "AAAA")
        ));
        assert!(!passes(
            Dialect::SnsAttributes,
            &[absent],
            &price("String", "x")
        ));
    }

    /// SNS payload-based filtering: the body parsed as JSON, nested keys allowed; a body that
    /// is not JSON matches nothing.
    #[test]
    fn dialect_sns_body() {
        let policy = r#"{"order": {"kind": ["refund"]}, "amount": [{"numeric": [">", 0]}]}"#;
        let body = r#"{"order": {"kind": "refund"}, "amount": 12}"#;
        assert!(passes(Dialect::SnsBody, &[policy], &publish("", body)));
        assert!(!passes(
            Dialect::SnsBody,
            &[policy],
            &publish("", "refund of 12")
        ));
        assert!(!passes(
            Dialect::SnsBody,
            &[r#"{"order": [{"exists": false}]}"#],
            &publish("", "not json")
        ));
        // Nesting is for the body only.
        let e = refused(Dialect::SnsAttributes, policy);
        assert!(e.reason.contains("not nested"), "{}", e.reason);
    }

    /// SNS's limits: five keys (every key of an attribute policy, the top-level keys of a body
    /// policy), 150 combinations (the product of the lists' lengths), numbers within ±10^9,
    /// and the error as Subscribe reports it.
    #[test]
    fn dialect_sns_limits() {
        let keys = |n: usize| {
            let members: Vec<String> = (0..n).map(|i| format!(r#""k{i}": ["v"]"#)).collect();
            format!("{{{}}}", members.join(", "))
        };
        assert!(Dialect::SnsAttributes.filters(&[&keys(5)]).is_ok());
        let e = refused(Dialect::SnsAttributes, &keys(6));
        assert!(
            e.to_string().starts_with(
                "InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: 6 keys"
            ),
            "{e}"
        );
        // Nested keys under five top-level ones count once each in a body policy.
        let nested = r#"{"a": {"x": ["1"], "y": ["2"], "z": ["3"]}, "b": ["1"], "c": ["1"], "d": ["1"], "e": {"f": ["1"], "g": ["1"]}}"#;
        assert!(Dialect::SnsBody.filters(&[nested]).is_ok());
        // 3 × 1 × 2 = 6 is fine; 6 × 5 × 6 = 180 is not.
        let list = |n: usize| {
            let v: Vec<String> = (0..n).map(|i| format!(r#""v{i}""#)).collect();
            format!("[{}]", v.join(", "))
        };
        let policy = |a, b, c| {
            format!(
                r#"{{"a": {}, "b": {}, "c": {}}}"#,
                list(a),
                list(b),
                list(c)
            )
        };
        assert!(Dialect::SnsAttributes.filters(&[&policy(3, 1, 2)]).is_ok());
        let e = refused(Dialect::SnsAttributes, &policy(6, 5, 6));
        assert!(e.reason.starts_with("180 combinations"), "{}", e.reason);
        refused(
            Dialect::SnsAttributes,
            r#"{"n": [{"numeric": [">", 1000000001]}]}"#,
        );
        assert!(
            Dialect::SnsAttributes
                .filters(&[r#"{"n": [{"numeric": [">", -1000000000]}]}"#])
                .is_ok()
        );
        refused(Dialect::SnsBody, r#"{"a": [{"wildcard": "x*"}]}"#);
        assert!(
            Dialect::SnsAttributes
                .filters(&[r#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#])
                .is_ok()
        );
    }

    /// Spec §7.1 and §7.2: Kafka key and value are decoded; a filter on a value of the other
    /// format is ignored, not a reason to drop the record.
    #[test]
    fn dialect_kafka_mismatch_ignores_the_data_filter() {
        let b64 = |t: &[u8]| base64::engine::general_purpose::STANDARD.encode(t);
        let record = |value: &str| {
            format!(
                r#"{{"eventSource": "aws:kafka", "topic": "orders", "key": "{}", "value": "{value}"}}"#,
                b64(b"k1")
            )
        };
        let json = record(&b64(br#"{"kind": "refund"}"#));
        let plain = record(&b64(b"refund"));
        let binary = record(&b64(&[0xff, 0xfe]));
        let on_json = r#"{"topic": ["orders"], "value": {"kind": ["sale"]}}"#;
        assert!(!passes(Dialect::LambdaKafka, &[on_json], &json));
        assert!(passes(
            Dialect::LambdaKafka,
            &[r#"{"value": {"kind": ["refund"]}}"#],
            &json
        ));
        // Plain text and bytes: the value's conditions are ignored, the topic's still apply.
        assert!(passes(Dialect::LambdaKafka, &[on_json], &plain));
        assert!(passes(Dialect::LambdaKafka, &[on_json], &binary));
        assert!(passes(Dialect::Pipes, &[on_json], &plain));
        assert!(!passes(
            Dialect::LambdaKafka,
            &[r#"{"topic": ["payments"], "value": {"kind": ["sale"]}}"#],
            &plain
        ));
        assert!(passes(
            Dialect::LambdaKafka,
            &[r#"{"key": ["k1"]}"#],
            &plain
        ));
        assert!(passes(
            Dialect::LambdaKafka,
            &[r#"{"value": ["refund"]}"#],
            &plain
        ));
    }

    /// Each filter of Pipes and Lambda may be 4,096 characters long, twice a rule's default.
    #[test]
    fn dialect_filters_are_longer_than_rules() {
        let f = format!(r#"{{"a": ["{}"]}}"#, "x".repeat(3000));
        assert!(Dialect::LambdaSqs.filters(&[&f]).is_ok());
        assert!(Dialect::EventBridge.filters(&[&f]).is_err());
        let f = format!(r#"{{"a": ["{}"]}}"#, "x".repeat(4100));
        assert!(Dialect::LambdaSqs.filters(&[&f]).is_err());
    }
}
