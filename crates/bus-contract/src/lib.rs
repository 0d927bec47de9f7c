//! bus-contract makes Amazon EventBridge contracts testable offline.
//!
//! At its core is an engine that implements EventBridge event-pattern matching the way the real
//! service does: every operator, array consistency, number semantics, and validation that rejects
//! what EventBridge rejects, with EventBridge's own reason.
//!
//! ```
//! use bus_contract::{Event, Pattern};
//!
//! let pattern = Pattern::parse(r#"{
//!     "source": ["bellyfed.user"],
//!     "detail-type": [{"prefix": "Profile"}],
//!     "detail": {"plan": [{"anything-but": "free"}]}
//! }"#)?;
//! let event = Event::parse(r#"{
//!     "id": "1", "account": "123456789012", "source": "bellyfed.user",
//!     "time": "2026-11-27T10:00:00Z", "region": "eu-west-1",
//!     "detail-type": "ProfileUpdated", "detail": {"plan": "pro"}
//! }"#)?;
//! assert!(pattern.matches_event(&event));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics
//!
//! The rules are those of the EventBridge pattern specification this project follows; where the
//! real service and the documentation disagree, the service wins. The few places where the
//! behaviour of the real service is not known, and the choice made here, are listed in the
//! README under "Divergences from EventBridge".
//!
//! # Layout
//!
//! The modules run one way, bottom first: JSON, numbers and confined file access; events;
//! patterns (parsing, validation, the reference matcher); the compiled [`Matcher`], the
//! strategies and the diagnostics (`Finding`, `Report`); [`Replay`] and the template
//! imports; the `Workspace`; the checks; the report's renderers. `ARCHITECTURE.md` in the
//! repository says which module owns what, and a test keeps the arrows pointing down.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)
)]

#[cfg(feature = "workspace")]
mod check;
#[cfg(feature = "workspace")]
mod diag;
mod dialect;
#[cfg(feature = "workspace")]
mod environment;
mod event;
#[cfg(feature = "workspace")]
mod fs;
#[cfg(feature = "workspace")]
pub mod import;
mod ip;
mod json;
mod matcher;
mod number;
mod pattern;
mod replay;
#[cfg(feature = "workspace")]
mod report;
#[cfg(feature = "gen")]
pub mod strategy;
#[cfg(feature = "workspace")]
mod suggest;
#[cfg(feature = "workspace")]
mod workspace;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

pub use dialect::{DIALECTS, Dialect, FilterError, Filters};
pub use event::{DEFAULT_BUS, ENTRY_DEFAULTS, ENVELOPE_FIELDS, Event, EventError, bus_name};
pub use json::Value;
pub use matcher::{BuildError, Matcher, MatcherBuilder, PatternId, Scratch};
pub use number::NumericProfile;
#[cfg(feature = "workspace")]
pub use pattern::{BranchVerdict, Explanation, FieldVerdict};
pub use pattern::{Options, Pattern, PatternError, PatternErrorKind};
pub use replay::{MAX_EVENT_SIZE, Replay, Replayed, Tally};

#[cfg(feature = "workspace")]
pub use check::CheckConfig;
#[cfg(feature = "workspace")]
pub use diag::{Code, Evidence, Finding, Location, Report, Severity, Witness};
#[cfg(feature = "workspace")]
pub use workspace::{
    Basis, CONFIG_FILE, LoadError, Rule, RuleSet, RuleState, SNAPSHOT_FILE, Workspace,
};
