//! Command-line arguments (clap derive only; no logic here).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "Exit codes:
  0  success (test-pattern printed a result; every pattern given to validate is valid)
  1  findings (validate found an invalid pattern)
  2  usage, I/O or input errors (including an invalid pattern or event given to test-pattern)";

/// Amazon EventBridge contracts, testable offline: EventBridge's event-pattern matching and
/// validation, exact to the real service.
#[derive(Debug, Parser)]
#[command(name = "bus-contract", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test an event against an event pattern, like `aws events test-event-pattern`.
    ///
    /// Prints {"Result": true} or {"Result": false} and exits 0. An invalid pattern prints
    /// EventBridge's InvalidEventPatternException message on stderr and exits 2; an event that
    /// TestEventPattern would refuse prints its ValidationException and exits 2.
    #[command(name = "test-pattern")]
    TestPattern(TestPatternArgs),

    /// Validate pattern files: one verdict line per file.
    ///
    /// Exits 1 if any pattern is invalid, 2 if a file cannot be read.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct TestPatternArgs {
    /// The event pattern: inline JSON, or file://PATH.
    #[arg(long = "event-pattern", value_name = "PATTERN")]
    pub event_pattern: String,

    /// The event: inline JSON, or file://PATH.
    #[arg(long, value_name = "EVENT")]
    pub event: String,

    /// Accept any JSON object as the event. Without it, the event must carry the envelope
    /// fields id, account, source, time, region and detail-type, as the AWS API requires.
    #[arg(long)]
    pub lenient: bool,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Pattern files (plain EventBridge JSON, as given to put-rule).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// The longest pattern accepted, in characters. EventBridge's default quota is 2048; an
    /// account can raise it to 4096. 0 turns the check off.
    #[arg(long, value_name = "N", default_value_t = 2048)]
    pub max_pattern_size: usize,
}
