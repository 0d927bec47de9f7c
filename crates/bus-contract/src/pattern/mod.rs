//! Event patterns: parsing, validation, and the reference matcher.

pub(crate) mod ast;
mod complexity;
mod error;
#[cfg(feature = "workspace")]
mod explain;
mod parse;
pub(crate) mod reference;
mod text;

use crate::event::{Event, EventError};
use crate::number::NumericProfile;

pub use error::{PatternError, PatternErrorKind};
#[cfg(feature = "workspace")]
pub use explain::{BranchVerdict, Explanation, FieldVerdict};

/// Limits applied when parsing a pattern. The defaults are EventBridge's.
///
/// # Example
/// ```
/// use bus_contract::{Options, Pattern};
/// let big = format!(r#"{{"source": [{}]}}"#, vec!["\"x\""; 1000].join(","));
/// assert!(Pattern::parse(&big).is_err());
/// assert!(Pattern::parse_with(&big, &Options::default().max_pattern_size(None)).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    max_pattern_size: Option<usize>,
    max_combinations: usize,
    max_wildcard_complexity: Option<usize>,
    numeric_profile: NumericProfile,
    array_consistency: bool,
    unicode_case_quirks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_pattern_size: Some(2048),
            max_combinations: 1000,
            max_wildcard_complexity: Some(10),
            numeric_profile: NumericProfile::F64,
            array_consistency: true,
            unicode_case_quirks: true,
        }
    }
}

impl Options {
    /// The longest pattern accepted, in characters (UTF-16 units, as EventBridge counts them).
    /// Default: `Some(2048)`, EventBridge's default quota; accounts can raise it up to 4,096.
    /// `None` turns the check off.
    #[must_use]
    pub fn max_pattern_size(mut self, limit: Option<usize>) -> Self {
        self.max_pattern_size = limit;
        self
    }

    /// The most sub-rules `$or` may expand to. Default: 1,000, EventBridge's limit.
    #[must_use]
    pub fn max_combinations(mut self, limit: usize) -> Self {
        self.max_combinations = limit;
        self
    }

    /// The highest wildcard complexity accepted (see the README). Default: `Some(10)`; AWS is
    /// known to accept 7 and to reject 11. `None` turns the check off.
    #[must_use]
    pub fn max_wildcard_complexity(mut self, limit: Option<usize>) -> Self {
        self.max_wildcard_complexity = limit;
        self
    }

    /// How numbers compare. Default: [`NumericProfile::F64`], the current engine's.
    #[must_use]
    pub fn numeric_profile(mut self, profile: NumericProfile) -> Self {
        self.numeric_profile = profile;
        self
    }

    /// Whether fields from different elements of one array of objects may combine to satisfy
    /// a pattern. Default: `true`, they may not (array consistency), as EventBridge's engine
    /// behaves. `false` gives the older, flattened behaviour.
    #[must_use]
    pub fn array_consistency(mut self, on: bool) -> Self {
        self.array_consistency = on;
        self
    }

    /// Whether `equals-ignore-case` (and the prefix, suffix and `anything-but` forms of it)
    /// reproduce the engine's per-character case mapping on non-ASCII text, quirks included.
    /// Default: `true`. `false` compares the Unicode lower-case forms of both sides. ASCII
    /// text behaves the same either way.
    #[must_use]
    pub fn unicode_case_quirks(mut self, on: bool) -> Self {
        self.unicode_case_quirks = on;
        self
    }
}

/// A validated EventBridge event pattern.
///
/// Parsing accepts exactly what EventBridge accepts, and rejects the rest with EventBridge's
/// reason. [`Pattern::matches`] is the reference matcher: slow and simple, and the oracle the
/// rest of the crate is tested against.
///
/// # Example
/// ```
/// use bus_contract::Pattern;
/// let pattern = Pattern::parse(r#"{"source": ["bellyfed.user"], "detail": {"n": [{"numeric": [">", 2]}]}}"#)?;
/// assert!(pattern.matches(r#"{"source": "bellyfed.user", "detail": {"n": 3.0e0}}"#)?);
/// assert!(!pattern.matches(r#"{"source": "bellyfed.user", "detail": {"n": "3"}}"#)?);
///
/// let err = Pattern::parse(r#"{"source": []}"#).unwrap_err();
/// assert_eq!(err.to_string(), "Event pattern is not valid. Reason: Empty arrays are not allowed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    source: String,
    rules: Vec<ast::SubRule>,
    semantics: reference::Semantics,
}

impl Pattern {
    /// Parses and validates a pattern with the default [`Options`].
    ///
    /// # Errors
    /// A [`PatternError`] when EventBridge would reject the pattern.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        Pattern::parse_with(text, &Options::default())
    }

    /// Parses and validates a pattern with the given limits.
    ///
    /// # Errors
    /// A [`PatternError`] when EventBridge would reject the pattern.
    pub fn parse_with(text: &str, options: &Options) -> Result<Pattern, PatternError> {
        let rules = parse::parse(text, options)?;
        Ok(Pattern {
            source: text.to_string(),
            rules,
            semantics: reference::Semantics {
                profile: options.numeric_profile,
                array_consistency: options.array_consistency,
            },
        })
    }

    /// The pattern's text, as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// How many sub-rules the pattern has after `$or` expansion.
    pub fn sub_rule_count(&self) -> usize {
        self.rules.len()
    }

    pub(crate) fn sub_rules(&self) -> &[ast::SubRule] {
        &self.rules
    }

    #[cfg(feature = "workspace")]
    pub(crate) fn profile(&self) -> NumericProfile {
        self.semantics.profile
    }

    /// The matching options the pattern was parsed with.
    pub(crate) fn semantics(&self) -> reference::Semantics {
        self.semantics
    }

    /// Whether the pattern matches an event given as JSON text.
    ///
    /// # Errors
    /// An [`EventError`] when the text is not a JSON object.
    pub fn matches(&self, event: &str) -> Result<bool, EventError> {
        Ok(self.matches_event(&Event::parse(event)?))
    }

    /// Whether the pattern matches a parsed event.
    pub fn matches_event(&self, event: &Event) -> bool {
        reference::matches(&self.rules, event, self.semantics)
    }

    /// Whether one of this pattern's sub-rules matches a parsed event.
    pub(crate) fn matches_sub_rule(&self, rule: &ast::SubRule, event: &Event) -> bool {
        reference::matches(std::slice::from_ref(rule), event, self.semantics)
    }
}

#[cfg(test)]
mod tests;
