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

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}
