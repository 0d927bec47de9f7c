//! Events: parsed JSON objects, and the envelope `TestEventPattern` insists on.

use std::fmt;

use crate::json::Value;

/// The envelope members that EventBridge's `TestEventPattern` requires (spec §1.1).
pub const ENVELOPE_FIELDS: [&str; 6] = ["id", "account", "source", "time", "region", "detail-type"];

/// An event: a JSON object, with every number's original text and every duplicate member kept,
/// as EventBridge's matching sees it.
///
/// # Example
/// ```
/// let event = bus_contract::Event::parse(r#"{"source": "bellyfed.user", "detail": {"n": 3.0e2}}"#)?;
/// assert!(event.missing_envelope_fields().contains(&"id"));
/// # Ok::<(), bus_contract::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    root: Value,
}

/// Why some input is not an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The input is not valid UTF-8; `offset` is the first bad byte.
    #[error("event is not valid UTF-8 (first bad byte at offset {offset})")]
    Utf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The input is not JSON.
    #[error("event is not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// The parser's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The input is JSON, but not an object.
    #[error("event is not a JSON object")]
    NotAnObject,
    /// The input is a PutEvents entry that EventBridge would not accept.
    #[error("PutEvents entry: {0}")]
    Entry(String),
    /// The input is longer than a reader accepts (a line of JSON Lines, in a replay).
    #[error("event is longer than {limit} bytes; skipped")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
}

impl Event {
    /// Parses an event from JSON text.
    ///
    /// # Errors
    /// [`EventError::Syntax`] when the text is not JSON (nesting is limited to 1,000 levels),
    /// [`EventError::NotAnObject`] when it is JSON but not an object.
    pub fn parse(text: &str) -> Result<Event, EventError> {
        let root = Value::parse(text).map_err(|e| EventError::Syntax {
            message: e.message,
            line: e.line,
            column: e.column,
        })?;
        if !matches!(root, Value::Object(_)) {
            return Err(EventError::NotAnObject);
        }
        Ok(Event { root })
    }

    /// Parses an event from bytes, which must be UTF-8.
    ///
    /// # Errors
    /// As [`Event::parse`], plus [`EventError::Utf8`] for bytes that are not UTF-8.
    pub fn from_slice(bytes: &[u8]) -> Result<Event, EventError> {
        let text = std::str::from_utf8(bytes).map_err(|e| EventError::Utf8 {
            offset: e.valid_up_to(),
        })?;
        Event::parse(text)
    }

    /// An event of members (a record's view, built by a dialect).
    pub(crate) fn from_members(members: Vec<(String, Value)>) -> Event {
        Event {
            root: Value::Object(members),
        }
    }

    /// The event as a JSON value.
    pub fn value(&self) -> &Value {
        &self.root
    }

    /// The envelope members (see [`ENVELOPE_FIELDS`]) this event lacks, in that order.
    pub fn missing_envelope_fields(&self) -> Vec<&'static str> {
        ENVELOPE_FIELDS
            .into_iter()
            .filter(|f| self.root.get(f).is_none())
            .collect()
    }
}

/// What an event delivered for a PutEvents entry holds where the entry cannot say: EventBridge
/// fills these from the caller's account and region and the time of the call.
pub const ENTRY_DEFAULTS: [(&str, &str); 4] = [
    ("id", "00000000-0000-0000-0000-000000000000"),
    ("account", "123456789012"),
    ("time", "1970-01-01T00:00:00Z"),
    ("region", "us-east-1"),
];

/// The bus a PutEvents entry goes to without `EventBusName`.
pub const DEFAULT_BUS: &str = "default";

impl Event {
    /// Whether this is a PutEvents request entry (`Source`, `DetailType`, `Detail`,
    /// `EventBusName`, …, as application code holds it) rather than a delivered event: it has
    /// one of `Source`, `DetailType` or `Detail`, and neither `source` nor `detail-type`.
    pub fn is_put_events_entry(&self) -> bool {
        let has = |k: &str| self.root.get(k).is_some();
        (has("Source") || has("DetailType") || has("Detail"))
            && !has("source")
            && !has("detail-type")
    }

    /// The event EventBridge delivers for this event: itself, or, for a PutEvents entry
    /// ([`Event::is_put_events_entry`]), the event of [`Event::to_delivered`].
    ///
    /// # Errors
    /// As [`Event::to_delivered`], for an entry EventBridge would refuse.
    pub fn into_delivered(self) -> Result<Event, EventError> {
        if self.is_put_events_entry() {
            self.to_delivered().map(|(event, _)| event)
        } else {
            Ok(self)
        }
    }

    /// The event EventBridge delivers for this PutEvents entry, and the name of the bus the
    /// entry goes to (`EventBusName`, a name or an event bus ARN; `default` without one).
    /// `Detail`, a string, becomes `detail`; `Resources` and `Time` (a string) are kept; the
    /// envelope members the entry cannot set are [`ENTRY_DEFAULTS`].
    ///
    /// # Errors
    /// [`EventError::Entry`] when EventBridge would refuse the entry: `Source`, `DetailType`
    /// or `Detail` missing or not strings, or `Detail` not a JSON object.
    ///
    /// # Example
    /// ```
    /// let entry = bus_contract::Event::parse(
    ///     r#"{"Source": "bellyfed.user", "DetailType": "ProfileUpdated", "Detail": "{\"userId\": \"u1\"}", "EventBusName": "bellyfed-domain-user-dev"}"#,
    /// )?;
    /// let (event, bus) = entry.to_delivered()?;
    /// assert_eq!(bus, "bellyfed-domain-user-dev");
    /// assert_eq!(event.value().get("detail-type").unwrap().to_string(), r#""ProfileUpdated""#);
    /// # Ok::<(), bus_contract::EventError>(())
    /// ```
    pub fn to_delivered(&self) -> Result<(Event, String), EventError> {
        let text = |k: &str| -> Result<&str, EventError> {
            match self.root.get(k) {
                Some(Value::String(s)) => Ok(s),
                Some(_) => Err(EventError::Entry(format!("{k} must be a string"))),
                None => Err(EventError::Entry(format!(
                    "{k} is missing; EventBridge needs Source, DetailType and Detail"
                ))),
            }
        };
        let source = text("Source")?;
        let detail_type = text("DetailType")?;
        let detail = Value::parse(text("Detail")?)
            .ok()
            .filter(|d| matches!(d, Value::Object(_)))
            .ok_or_else(|| {
                EventError::Entry(
                    "Detail is not a JSON object (EventBridge: MalformedDetail)".into(),
                )
            })?;
        let bus = match self.root.get("EventBusName") {
            None => DEFAULT_BUS.to_string(),
            Some(Value::String(b)) => bus_name(b).to_string(),
            Some(_) => return Err(EventError::Entry("EventBusName must be a string".into())),
        };
        let resources = match self.root.get("Resources") {
            None => Value::Array(Vec::new()),
            Some(r @ Value::Array(_)) => r.clone(),
            Some(_) => return Err(EventError::Entry("Resources must be a list".into())),
        };
        let string = |s: &str| Value::String(s.to_string());
        let [id, account, time, region] = ENTRY_DEFAULTS.map(|(_, v)| v);
        let time = match self.root.get("Time") {
            Some(Value::String(t)) => t.as_str(),
            _ => time,
        };
        let root = Value::Object(vec![
            ("version".into(), string("0")),
            ("id".into(), string(id)),
            ("detail-type".into(), string(detail_type)),
            ("source".into(), string(source)),
            ("account".into(), string(account)),
            ("time".into(), string(time)),
            ("region".into(), string(region)),
            ("resources".into(), resources),
            ("detail".into(), detail),
        ]);
        Ok((Event { root }, bus))
    }
}

/// The name in an event bus name or ARN (`arn:aws:events:REGION:ACCOUNT:event-bus/NAME`).
pub fn bus_name(name_or_arn: &str) -> &str {
    match name_or_arn.strip_prefix("arn:") {
        Some(rest) => rest
            .split_once(":event-bus/")
            .map_or(name_or_arn, |(_, n)| n),
        None => name_or_arn,
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}
