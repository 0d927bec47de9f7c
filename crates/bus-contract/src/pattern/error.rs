//! The error for a pattern EventBridge would reject.

/// What kind of problem made a pattern invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternErrorKind {
    /// The text is not JSON; the reason is the JSON parser's message.
    Syntax,
    /// The JSON is not a valid pattern: a bad operator, value or shape.
    Invalid,
    /// Wildcards too non-deterministic for EventBridge ("Rule is too complex…").
    TooComplex,
    /// `$or` expands to more rule combinations than EventBridge allows.
    TooManyCombinations,
    /// The pattern is longer than the size limit.
    TooLarge,
}

/// A pattern that EventBridge would reject with `InvalidEventPatternException`.
///
/// Displays as EventBridge's message, `Event pattern is not valid. Reason: <reason>`. The reason
/// is EventBridge's own text wherever it is known (see the README's divergences for the few
/// places where it is not).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Event pattern is not valid. Reason: {reason}")]
pub struct PatternError {
    kind: PatternErrorKind,
    reason: String,
    line: usize,
    column: usize,
    pointer: String,
}

impl PatternError {
    pub(crate) fn new(
        kind: PatternErrorKind,
        reason: String,
        line: usize,
        column: usize,
        pointer: String,
    ) -> Self {
        PatternError {
            kind,
            reason,
            line,
            column,
            pointer,
        }
    }

    /// The kind of problem.
    pub fn kind(&self) -> PatternErrorKind {
        self.kind
    }

    /// EventBridge's reason text, without the `Event pattern is not valid.` prefix.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The 1-based line where the problem was found.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column, in characters, where the problem was found.
    pub fn column(&self) -> usize {
        self.column
    }

    /// A JSON pointer to the member or element being read when the problem was found; empty
    /// for the whole pattern.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The exception name EventBridge returns.
    pub fn code(&self) -> &'static str {
        "InvalidEventPatternException"
    }
}
