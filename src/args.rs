//! Command-line arguments (clap derive only; no logic here).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

impl WorkspaceDir {
    /// The workspace directory: the positional `DIR` (check, snapshot) if given, else
    /// --workspace, else the current directory.
    pub fn dir(&self, positional: Option<&Path>) -> PathBuf {
        positional
            .or(self.workspace.as_deref())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    }
}

const EXIT_CODES: &str = "Exit codes:
  0  success (check found no errors; test-pattern printed a result; every pattern given to
     validate is valid; snapshot, generate, match, explain and graph did their job)
  1  findings (check found errors; validate found an invalid pattern; with --exit-code,
     explain or test-pattern found no match)
  2  usage, I/O or input errors (including an invalid pattern or event given to test-pattern,
     an unknown rule or event name, events match or explain cannot read, and files import
     cannot read)

Every subcommand that reads a workspace takes it as --workspace DIR (-w; default: the
current directory), and --registry DIR to check a service repo against a platform registry.";

const CHECK_EXIT: &str = "Exit codes:
  0  no errors (warnings alone, unless --deny warnings)
  1  errors found
  2  usage or I/O error: nothing to check, an unknown --env, a report file that cannot be
     written, a workspace that cannot be loaded";
const SNAPSHOT_EXIT: &str = "Exit codes:
  0  the snapshot was written
  2  it could not be (a service repo, the embedded registry, an unwritable file)";
const GENERATE_EXIT: &str = "Exit codes:
  0  the events were printed
  2  unknown event or rule, a rule that cannot be used, or events that cannot be generated";
const MATCH_EXIT: &str = "Exit codes:
  0  every event was read and matched
  2  an input that cannot be read, or at least one line that is not an event (each is
     reported on stderr with its line; the others are still matched)";
const EXPLAIN_EXIT: &str = "Exit codes:
  0  the explanation was printed (with --exit-code: and the rule matches)
  1  with --exit-code: the rule does not match the event
  2  unknown rule, an unusable pattern, or an event that cannot be read";
const GRAPH_EXIT: &str = "Exit codes:
  0  the graph was printed
  2  the workspace cannot be loaded";
const TEST_PATTERN_EXIT: &str = "Exit codes:
  0  the result was printed (with --exit-code: and it is true)
  1  with --exit-code: the result is false
  2  an invalid pattern (InvalidEventPatternException) or event (ValidationException)";
const VALIDATE_EXIT: &str = "Exit codes:
  0  every pattern is valid
  1  at least one is invalid
  2  a file cannot be read";
const IMPORT_EXIT: &str = "Exit codes:
  0  the contract was printed
  2  a file cannot be read or is not a template (nothing is printed on stdout)";
const COMPLETIONS_EXIT: &str = "Exit codes:
  0  the script was printed";

/// Amazon EventBridge contracts, testable offline: EventBridge's event-pattern matching and
/// validation, exact to the real service.
#[derive(Debug, Parser)]
#[command(name = "bus-contract", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to color the output: auto (a terminal, NO_COLOR unset or empty, TERM not dumb),
    /// always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The formats of `check`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: findings grouped by service, then the verdict.
    Human,
    /// One JSON document.
    Json,
    /// JUnit XML (the schema Jenkins reads).
    Junit,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding.
    Github,
}

/// The formats of `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchFormat {
    /// For people.
    Human,
    /// JSON: one line per event; with --summary, one object.
    Json,
}

/// `--workspace DIR`, the same for every subcommand.
#[derive(Debug, Args)]
pub struct WorkspaceDir {
    /// The workspace: a platform registry (bus-contract.yaml, contracts/) or a service repo
    /// (default: the current directory).
    #[arg(
        short = 'w',
        long = "workspace",
        visible_alias = "dir",
        value_name = "DIR"
    )]
    pub workspace: Option<PathBuf>,
}

/// Where the workspace is, and what is added to it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Workspace")]
pub struct WorkspaceArgs {
    #[command(flatten)]
    pub workspace: WorkspaceDir,

    /// Check the workspace as a service repo against this platform registry: a directory,
    /// or `bellyfed` for the registry built into bus-contract. The service repo's contracts
    /// (contracts/*.yaml) replace the registry's contracts of the same services. Without this
    /// flag, a workspace whose bus-contract.yaml says `registry: bellyfed` is a service repo
    /// checked against the built-in registry.
    #[arg(long, value_name = "DIR")]
    pub registry: Option<PathBuf>,

    #[command(flatten)]
    pub imports: ImportArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a contract registry: the CI gate.
    ///
    /// Verifies that every consumer's rule is satisfied by some producer, that patterns are
    /// valid, examples fit their schemas, names follow the conventions, every subscription has
    /// a dead-letter queue and a sound retry policy, and that routing matches
    /// routing.snap.yaml. Exits 1 when it finds errors (warnings alone exit 0, unless
    /// --deny warnings), and 2 when there is nothing to check (no contract matches and there
    /// are no imports) or --env names an environment the workspace does not have.
    #[command(after_help = CHECK_EXIT)]
    Check(CheckArgs),

    /// Rewrite routing.snap.yaml: the rules each example event hits.
    #[command(after_help = SNAPSHOT_EXIT)]
    Snapshot(SnapshotArgs),

    /// Print generated events as JSON Lines: exactly N full envelopes, the same for the same
    /// seed.
    ///
    /// With --event, valid instances of a published event (its declared schema). With --rule,
    /// events the rule matches: valid under the schema of an expected event where a producer
    /// declares one, otherwise built from the pattern alone. With --near-miss, events that
    /// differ from a match in one condition and fail the rule's pattern.
    #[command(after_help = GENERATE_EXIT)]
    Generate(GenerateArgs),

    /// Show which rules each event hits: one JSON event, or JSON Lines (an exported archive),
    /// read as a stream in constant memory.
    #[command(after_help = MATCH_EXIT)]
    Match(MatchArgs),

    /// Explain, field by field, why a rule matches an event or why not.
    #[command(after_help = EXPLAIN_EXIT)]
    Explain(ExplainArgs),

    /// Draw the routing graph: producers → buses → rules → targets.
    #[command(after_help = GRAPH_EXIT)]
    Graph(GraphArgs),

    /// Test an event against an event pattern, like `aws events test-event-pattern`.
    ///
    /// Prints {"Result": true} or {"Result": false} and exits 0. An invalid pattern prints
    /// EventBridge's InvalidEventPatternException message on stderr and exits 2; an event that
    /// TestEventPattern would refuse prints its ValidationException and exits 2.
    #[command(name = "test-pattern", after_help = TEST_PATTERN_EXIT)]
    TestPattern(TestPatternArgs),

    /// Validate pattern files: one verdict line per file.
    ///
    /// Exits 1 if any pattern is invalid, 2 if a file cannot be read.
    #[command(after_help = VALIDATE_EXIT)]
    Validate(ValidateArgs),

    /// Print the rules that infrastructure code deploys as a contract's subscribes entries.
    ///
    /// Reads CloudFormation and SAM templates (JSON or YAML), CDK synth output (the cdk.out
    /// directory or its manifest.json) and Terraform JSON (terraform show -json, of a plan or
    /// of the state). Intrinsic functions are resolved against parameter defaults, --parameter
    /// values and the pseudo parameters; what cannot be resolved is written as
    /// ${unresolved:...}, and such a rule is never matched. Notes about unresolved values go
    /// to stderr. Exits 2 if a file cannot be read.
    #[command(after_help = IMPORT_EXIT)]
    Import(ImportCommandArgs),

    /// Print a shell completion script, e.g. `bus-contract completions bash >
    /// ~/.local/share/bash-completion/completions/bus-contract`.
    #[command(after_help = COMPLETIONS_EXIT)]
    Completions(CompletionsArgs),

    /// Print the man page (roff), e.g. `bus-contract man > bus-contract.1`.
    #[command(after_help = COMPLETIONS_EXIT)]
    Man,
}

/// Rules from infrastructure code, added to the workspace's own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Imports")]
pub struct ImportArgs {
    /// Also take rules from this CloudFormation/SAM template, cdk.out directory or Terraform
    /// JSON, as if listed under imports: in bus-contract.yaml (repeatable).
    #[arg(long = "import", value_name = "PATH")]
    pub imports: Vec<PathBuf>,

    /// Set a template parameter (or a pseudo parameter such as AWS::AccountId) for every
    /// import, overriding its default (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_parameter)]
    pub parameters: Vec<(String, String)>,
}

fn parse_parameter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{s}`")),
    }
}

#[derive(Debug, Args)]
pub struct ImportCommandArgs {
    /// Templates, cdk.out directories or Terraform JSON files.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// The service the contract is for (default: named after the first file).
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,

    /// Set a template parameter (or a pseudo parameter such as AWS::AccountId), overriding its
    /// default (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_parameter)]
    pub parameters: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The workspace, as --workspace gives it (default: the current directory).
    #[arg(value_name = "DIR", conflicts_with = "workspace")]
    pub dir: Option<PathBuf>,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    /// Check one environment only, one of the workspace's environments (default: every
    /// environment of the workspace).
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,

    /// The report on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also write the report in FORMAT to FILE (repeatable), e.g. --output junit=report.xml
    /// --output sarif=bus-contract.sarif; stdout keeps --format.
    #[arg(long = "output", value_name = "FORMAT=FILE", value_parser = parse_output)]
    pub outputs: Vec<(Format, PathBuf)>,

    /// Print only the findings and the verdict (no list of clean services, no witnesses, no
    /// counts).
    #[arg(short, long)]
    pub quiet: bool,

    /// How many events to generate for each question static reasoning leaves open
    /// (partial-coverage, unexpected-event).
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub cases: u32,

    /// The seed of the generated events: the same seed gives the same report.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// Fail on warnings too: `--deny warnings` makes every warning an error (in every
    /// format), so that the check exits 1 when it finds any.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,

    /// Set the severity of one finding code, over severities: in bus-contract.yaml
    /// (repeatable), e.g. --severity orphan-event=error or --severity undecided=off.
    #[arg(long = "severity", value_name = "CODE=LEVEL", value_parser = parse_severity)]
    pub severities: Vec<(bus_contract::Code, Option<bus_contract::Severity>)>,
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let Some((format, file)) = s.split_once('=') else {
        return Err(format!(
            "expected FORMAT=FILE, e.g. junit=report.xml, got `{s}`"
        ));
    };
    let format = Format::from_str(format, false).map_err(|_| {
        format!("unknown format `{format}`: expected human, json, junit, sarif or github")
    })?;
    if file.is_empty() {
        return Err(format!("no file after `{format:?}=`").to_lowercase());
    }
    Ok((format, PathBuf::from(file)))
}

/// What `--deny` turns into failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Every warning.
    Warnings,
}

fn parse_severity(s: &str) -> Result<(bus_contract::Code, Option<bus_contract::Severity>), String> {
    use bus_contract::{Code, Severity};
    let Some((code, level)) = s.split_once('=') else {
        return Err(format!("expected CODE=LEVEL, got `{s}`"));
    };
    let c = Code::parse(code)?;
    let level = Severity::setting(level)
        .ok_or_else(|| format!("unknown level `{level}`: expected error, warning or off"))?;
    Ok((c, level))
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["event", "rule"])))]
pub struct GenerateArgs {
    /// A published event, such as user.profile.updated.
    #[arg(long, value_name = "NAME")]
    pub event: Option<String>,

    /// A rule, written rule or service/rule.
    #[arg(long, value_name = "NAME")]
    pub rule: Option<String>,

    /// How many events.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub count: usize,

    /// The seed.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// Events that just miss the rule's pattern (with --rule only).
    #[arg(long, requires = "rule", conflicts_with = "event")]
    pub near_miss: bool,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The events: JSON Lines (an exported archive), or JSON documents one after another
    /// (pretty-printed or not), each an event or a PutEvents entry; - for standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: String,

    /// Match only the rules on this event bus (a name, or an event bus ARN). A PutEvents
    /// entry's EventBusName does the same for that entry.
    #[arg(long, value_name = "NAME")]
    pub bus: Option<String>,

    /// Take rules from pattern files matching these globs (the rule's name is the file's
    /// path) instead of the workspace.
    #[arg(long, value_name = "GLOB")]
    pub patterns: Vec<String>,

    /// Output format: human, or json (one JSON line per event; with --summary, exactly one JSON
    /// object).
    #[arg(long, value_enum, default_value_t = MatchFormat::Human)]
    pub format: MatchFormat,

    /// Print only, at the end, each rule's hit count and the throughput.
    #[arg(long)]
    pub summary: bool,

    /// Read every byte of every event. By default an event is read only until every field the
    /// rules name has a value outside arrays: faster, but a later duplicate key goes unseen and
    /// malformed JSON after that point goes unreported.
    #[arg(long)]
    pub validate: bool,

    /// Threads to match on (default: the available cores). Output stays in input order;
    /// a stream of pretty-printed documents is matched on one thread.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Match the pattern files as filters of this service (see test-pattern --help): each
    /// line is then a source record or an SNS message, matched on one thread by the
    /// reference matcher. Needs --patterns.
    #[arg(long, value_name = "DIALECT", default_value = "eventbridge", value_parser = dialect_parser())]
    pub dialect: bus_contract::Dialect,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["rule", "pattern"])))]
pub struct ExplainArgs {
    /// The rule, written rule or service/rule.
    #[arg(long, value_name = "NAME")]
    pub rule: Option<String>,

    /// Explain this event pattern instead of a rule's: inline JSON, or file://PATH.
    #[arg(long, value_name = "PATTERN")]
    pub pattern: Option<String>,

    /// The event: a file of one JSON event or PutEvents entry, or - for standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: String,

    /// Exit 1 when the pattern does not match the event (for scripts).
    #[arg(long)]
    pub exit_code: bool,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The workspace, as --workspace gives it (default: the current directory).
    #[arg(value_name = "DIR", conflicts_with = "workspace")]
    pub dir: Option<PathBuf>,

    #[command(flatten)]
    pub workspace: WorkspaceDir,
}

#[derive(Debug, Args)]
pub struct TestPatternArgs {
    /// The event pattern: inline JSON, or file://PATH. Repeat it for the filters of one Pipes
    /// pipe or Lambda event-source mapping (at most 5), which are ORed.
    #[arg(long = "event-pattern", value_name = "PATTERN", required = true)]
    pub event_pattern: Vec<String>,

    /// The event: inline JSON, or file://PATH. A PutEvents entry (Source, DetailType, Detail
    /// as a string) is turned into the event EventBridge would deliver. With --dialect
    /// lambda-* or pipes, the record as the service hands it to the function: an SQS record
    /// with its body as a string, a Kinesis record with base64 data, a DynamoDB stream record, a Kafka record with base64
    /// key and value.
    /// With --dialect sns-*, a Publish request's message: {"Message": "…", "MessageAttributes":
    /// {"name": {"DataType": "String", "StringValue": "v"}}}.
    #[arg(long, value_name = "EVENT")]
    pub event: String,

    /// Where the filter runs: an EventBridge rule (the default), an EventBridge Pipes filter,
    /// a Lambda event-source mapping on SQS, Kinesis, DynamoDB Streams or Kafka, or an SNS
    /// subscription's filter policy on message attributes or on the message body. Each has
    /// its own operators, limits and input; an invalid filter is reported as that service
    /// reports it (Lambda: InvalidParameterValueException: Invalid filter pattern definition.;
    /// SNS: InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: …). The
    /// Engine options apply to EventBridge rules only.
    #[arg(long, value_name = "DIALECT", default_value = "eventbridge", value_parser = dialect_parser())]
    pub dialect: bus_contract::Dialect,

    /// Accept any JSON object as the event. Without it, the event must carry the envelope
    /// fields id, account, source, time, region and detail-type, as the AWS API requires.
    #[arg(long)]
    pub lenient: bool,

    /// Exit 1 when the result is false (for scripts).
    #[arg(long)]
    pub exit_code: bool,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Pattern files (plain EventBridge JSON, as given to put-rule, or a filter's pattern).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Validate as this service's filters (see test-pattern --help).
    #[arg(long, value_name = "DIALECT", default_value = "eventbridge", value_parser = dialect_parser())]
    pub dialect: bus_contract::Dialect,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `--dialect`: one of the library's dialects, by name.
fn dialect_parser() -> impl clap::builder::TypedValueParser<Value = bus_contract::Dialect> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(bus_contract::DIALECTS.map(|d| d.name())).map(|name| {
        bus_contract::Dialect::from_name(&name).unwrap_or(bus_contract::Dialect::EventBridge)
    })
}

/// Limits and compatibility switches. The defaults are EventBridge's; the README lists the
/// choices where the service's behaviour is not known for certain.
#[derive(Debug, Args)]
#[command(next_help_heading = "Engine")]
pub struct LimitArgs {
    /// The longest pattern accepted, in characters. EventBridge's default quota is 2048; an
    /// account can raise it to 4096. 0 turns the check off.
    #[arg(long, value_name = "N", default_value_t = 2048)]
    pub max_pattern_size: usize,

    /// The highest wildcard complexity accepted ("Rule is too complex"). 0 turns the check
    /// off.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_wildcard_complexity: usize,

    /// How numbers compare: f64 (the current engine) or legacy-5e9 (the documented older
    /// range of ±5.0e9 with six decimals).
    #[arg(long, value_name = "PROFILE", value_enum, default_value_t = Profile::F64)]
    pub numeric_profile: Profile,

    /// Let fields from different elements of one array of objects combine (the older,
    /// flattened behaviour). By default they never do.
    #[arg(long)]
    pub no_array_consistency: bool,

    /// Compare equals-ignore-case on non-ASCII text by plain Unicode lower-casing, instead of
    /// reproducing the engine's per-character mapping and its quirks.
    #[arg(long)]
    pub no_unicode_case_quirks: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    #[value(name = "f64")]
    F64,
    #[value(name = "legacy-5e9")]
    Legacy5e9,
}
