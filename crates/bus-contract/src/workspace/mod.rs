//! Workspaces: a platform's contracts, patterns, schemas and examples, loaded with every
//! problem collected rather than the first one returned.

mod contract;
mod explore;
pub(crate) mod files;
mod graph;
mod imports;
mod model;
mod registry;

pub use explore::{Basis, RuleSet};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;

use crate::diag::{Code, Finding, Location, Severity};
use crate::pattern::Pattern;
use files::{Base, Files, Origin, Overlay, Read};
use model::{BusNameFile, ConfigFile, ImportFile, RegistryKey, ServiceConfigFile};

/// Why a workspace could not be loaded at all. Problems inside it are findings, not errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The directory does not exist or is not a directory.
    #[error("{path} is not a directory")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
}

/// The default file of the workspace configuration.
pub const CONFIG_FILE: &str = "bus-contract.yaml";

/// The default routing snapshot.
pub const SNAPSHOT_FILE: &str = "routing.snap.yaml";

/// A loaded workspace: services with what they publish and subscribe to.
///
/// # Example
/// ```
/// let report = bus_contract::Workspace::bellyfed().check(&Default::default());
/// report.assert_ok();
/// ```
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) files: Files,
    extras: Extras,
    pub(crate) config: Config,
    pub(crate) services: Vec<Service>,
    /// Problems found while loading.
    pub(crate) problems: Vec<Finding>,
    /// Pattern files that contracts refer to.
    referenced_patterns: std::collections::BTreeSet<String>,
    /// The routing snapshot, if the workspace has one.
    pub(crate) snapshot: Option<(String, String)>,
    /// How many contract files and imports there were to read, readable or not (of the
    /// service repo, when there is one).
    sources: usize,
    /// The `contracts` globs of the service repo.
    service_contracts: Vec<String>,
}

/// What is added to a workspace's own files: overlay contracts, imports and parameters.
#[derive(Debug, Clone, Default)]
struct Extras {
    overlays: Vec<Overlay>,
    /// The service repo checked on top of this registry (absolute), if any.
    service: Option<PathBuf>,
    imports: Vec<PathBuf>,
    parameters: BTreeMap<String, String>,
}

/// An entry of `imports:` in `bus-contract.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct ImportEntry {
    /// The `bus-contract.yaml` that lists it, as findings name it.
    pub(crate) config: String,
    /// The directory its path is relative to and may not leave: `None` for the workspace's
    /// own, a service repo's root for the service repo's.
    pub(crate) root: Option<PathBuf>,
    pub(crate) path: String,
    pub(crate) service: Option<String>,
    pub(crate) parameters: BTreeMap<String, String>,
    pub(crate) at: Location,
}

impl ImportEntry {
    fn of(entry: &Spanned<ImportFile>, config: &str, root: Option<&Path>) -> ImportEntry {
        let (path, service, parameters) = match &entry.value {
            ImportFile::Path(path) => (path.clone(), None, BTreeMap::new()),
            ImportFile::Full(full) => (
                full.path.clone(),
                full.service.clone(),
                full.parameters.clone(),
            ),
        };
        ImportEntry {
            config: config.to_string(),
            root: root.map(Path::to_path_buf),
            path,
            service,
            parameters,
            at: loc(entry),
        }
    }
}

/// Whether the `bus-contract.yaml` in `root` names a registry: the directory is then a
/// service repo. A file that cannot be read or parsed is left to the registry's loading to
/// report.
fn names_registry(root: &Path) -> bool {
    let path = root.join(CONFIG_FILE);
    files::read_workspace_file(root, "the workspace", &path, CONFIG_FILE)
        .ok()
        .and_then(|text| parse_yaml::<RegistryKey>(&text).ok())
        .is_some_and(|k| k.registry.is_some())
}

/// `bus-contract.yaml`, with defaults applied.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) environments: Vec<String>,
    pub(crate) contracts: Vec<String>,
    pub(crate) patterns: Vec<String>,
    pub(crate) conventions: Option<Conventions>,
    /// Severity overrides; `None` turns a code off.
    pub(crate) severities: BTreeMap<Code, Option<Severity>>,
    pub(crate) max_event_size: u64,
    pub(crate) snapshot: String,
    pub(crate) imports: Vec<ImportEntry>,
    pub(crate) practices: Practices,
}

/// The best-practice checks a platform turns on (`practices:`); all off by default.
#[derive(Debug, Clone, Default)]
pub(crate) struct Practices {
    pub(crate) require_idempotency_key: bool,
    pub(crate) require_size_budget: bool,
    pub(crate) report_unused_fields: bool,
    /// Buses (as contracts write them) a field marked `x-sensitive` may not be published on.
    pub(crate) denied_buses: Vec<String>,
    /// The services that may use a sensitive field; `None`: any.
    pub(crate) allowed_consumers: Option<Vec<String>>,
    pub(crate) require_alarms: bool,
    pub(crate) require_timeouts: bool,
    pub(crate) require_partial_failure_reporting: bool,
    pub(crate) require_concurrency_limit: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            environments: vec!["dev".into(), "staging".into(), "prod".into()],
            contracts: vec!["contracts/*.yaml".into()],
            patterns: vec!["patterns/**/*.json".into()],
            conventions: None,
            severities: BTreeMap::new(),
            max_event_size: 256 * 1024,
            snapshot: SNAPSHOT_FILE.into(),
            imports: Vec::new(),
            practices: Practices::default(),
        }
    }
}

/// Naming conventions; a workspace without them gets no naming checks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conventions {
    pub(crate) service: Option<String>,
    pub(crate) categories: Vec<String>,
    pub(crate) domains: Vec<String>,
    /// Bus name templates, each with the domain it implies when it has no `{domain}`.
    pub(crate) bus_names: Vec<(String, Option<String>)>,
    pub(crate) event_names: Option<String>,
    pub(crate) sources: Option<String>,
    pub(crate) detail_types: Option<String>,
}

/// One service's contract.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) publishes: Vec<Publication>,
    pub(crate) subscribes: Vec<Subscription>,
    /// Consumers that filter a queue, stream or topic (`subscribes` entries with `filter`).
    pub(crate) filters: Vec<FilterSubscription>,
}

/// A value read from a contract, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct At<T> {
    pub(crate) value: T,
    pub(crate) at: Location,
}

fn loc<T>(s: &Spanned<T>) -> Location {
    Location::LineColumn(s.referenced.line(), s.referenced.column())
}

#[derive(Debug, Clone)]
pub(crate) struct Publication {
    pub(crate) event: At<String>,
    pub(crate) bus: At<String>,
    pub(crate) source: At<String>,
    pub(crate) detail_type: At<String>,
    pub(crate) schema: Option<Schema>,
    pub(crate) examples: Vec<Example>,
    /// `size-budget`: the largest the event may be, in bytes, as a PutEvents entry.
    pub(crate) size_budget: Option<At<u64>>,
    pub(crate) at: Location,
}

/// What consumes a subscription's events: from a contract's `consumer:` or from what the
/// templates say (the import's own type, which both fill).
pub(crate) use crate::import::ConsumerFacts as Consumer;

/// The alarms a subscription has: on its rule's failed invocations and on each dead-letter
/// queue's depth, by the alarms' names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Alarms {
    pub(crate) failed_invocations: Option<String>,
    /// By dead-letter queue name.
    pub(crate) dead_letter_queues: BTreeMap<String, String>,
}

impl Publication {
    #[cfg(feature = "gen")]
    pub(crate) fn declaration(&self) -> crate::strategy::Declaration {
        crate::strategy::Declaration {
            event: self.event.value.clone(),
            source: self.source.value.clone(),
            detail_type: self.detail_type.value.clone(),
            schema: self.schema.as_ref().map(|s| s.value.clone()),
        }
    }
}

/// A rule of a workspace: one subscription of one service.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rule<'w> {
    /// The subscribing service.
    pub service: &'w str,
    /// The rule's name.
    pub name: &'w str,
    /// The bus, with `${environment}` unexpanded.
    pub bus: &'w str,
    /// The pattern; `None` when it is invalid or holds an unresolved value. A disabled
    /// rule has its pattern here, though EventBridge does not match it.
    pub pattern: Option<&'w Pattern>,
    /// Whether EventBridge matches the rule.
    pub state: RuleState,
    /// The events the rule expects, each with whether it expects every instance.
    pub expects: Vec<(&'w str, bool)>,
    /// The rule's targets.
    pub targets: Vec<&'w str>,
    /// The file the rule is written in: a contract, or an imported template.
    pub file: &'w str,
    /// For an imported rule: its logical id, CDK construct path or Terraform address.
    pub origin: Option<&'w str>,
}

/// Whether a rule is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleState {
    /// Matched, as EventBridge does.
    Enabled,
    /// DISABLED: EventBridge does not match it, and neither does bus-contract.
    Disabled,
    /// Its pattern, bus or state holds a value that cannot be resolved offline (an
    /// `unresolved-value` finding): never matched, so that a placeholder cannot match by
    /// accident.
    Unresolved,
}

#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub(crate) value: serde_json::Value,
    /// Where the schema is: its own file, or the contract.
    pub(crate) file: String,
    pub(crate) at: Location,
    /// The schema compiled once, when it compiles (an `invalid-contract` error otherwise).
    pub(crate) validator: Option<std::sync::Arc<jsonschema::Validator>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub(crate) file: String,
    pub(crate) text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub(crate) rule: At<String>,
    pub(crate) bus: At<String>,
    /// The valid pattern, even of a disabled rule; `None` when it is invalid (reported as
    /// `invalid-pattern`) or holds a placeholder.
    pub(crate) declared: Option<Pattern>,
    pub(crate) state: RuleState,
    pub(crate) expects: Vec<At<Expectation>>,
    /// Events the rule may receive without expecting them (`also-accepts`).
    pub(crate) also_accepts: AlsoAccepts,
    pub(crate) uses: Vec<At<Use>>,
    pub(crate) targets: Vec<Target>,
    /// The file the subscription is written in.
    pub(crate) file: String,
    /// Logical id, CDK path or Terraform address of an imported rule.
    pub(crate) origin: Option<String>,
    /// The bus's account and region, when an imported rule says them.
    pub(crate) bus_place: crate::import::BusPlace,
    pub(crate) at: Location,
    /// The file the pattern is written in: its own, or the contract (inline).
    pub(crate) pattern_file: String,
    /// Where the pattern is: `File` for a pattern file, the mapping's place when inline.
    pub(crate) pattern_at: Location,
    /// For an inline pattern: where each JSON pointer of it is written in the contract.
    pub(crate) inline: Option<BTreeMap<String, Location>>,
    /// The field the handler deduplicates on.
    pub(crate) idempotency_key: Option<At<String>>,
    pub(crate) alarms: Alarms,
    /// What consumes its target, when said.
    pub(crate) consumer: Option<Consumer>,
}

/// What a subscription takes beyond its `expects`: the events its handler tolerates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum AlsoAccepts {
    /// Nothing: matching any other event is `unexpected-event`.
    #[default]
    Nothing,
    /// These events.
    Events(Vec<At<String>>),
    /// Every event on the bus (`also-accepts: any`).
    Any,
}

impl AlsoAccepts {
    pub(crate) fn covers(&self, event: &str) -> bool {
        match self {
            AlsoAccepts::Nothing => false,
            AlsoAccepts::Events(events) => events.iter().any(|e| e.value == event),
            AlsoAccepts::Any => true,
        }
    }
}

impl Subscription {
    /// Where a field condition of the pattern is written: its line and column in the pattern
    /// file, or its place in the contract for an inline pattern.
    pub(crate) fn field_location(&self, list: &crate::pattern::ast::LeafList) -> Location {
        match (&self.inline, list.offset, &self.declared) {
            (Some(map), _, _) => map
                .get(&list.pointer)
                .cloned()
                .unwrap_or_else(|| self.pattern_at.clone()),
            (None, Some(offset), Some(pattern)) => {
                let (line, column) = crate::json::line_col(pattern.source(), offset);
                Location::LineColumn(line as u64, column as u64)
            }
            (None, _, _) => self.pattern_at.clone(),
        }
    }

    /// The pattern as matched: only an enabled rule's.
    pub(crate) fn pattern(&self) -> Option<&Pattern> {
        self.declared
            .as_ref()
            .filter(|_| self.state == RuleState::Enabled)
    }
}

impl RuleState {
    /// A rule's state: unresolved values win over a disabled state.
    pub(crate) fn of(unresolved: bool, enabled: bool) -> RuleState {
        if unresolved {
            RuleState::Unresolved
        } else if enabled {
            RuleState::Enabled
        } else {
            RuleState::Disabled
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) name: At<String>,
    pub(crate) dead_letter_queue: Option<At<String>>,
    pub(crate) retry_policy: Option<At<RetryPolicy>>,
    /// What the rule sends it: the event unless an imported target says otherwise.
    pub(crate) input: crate::import::TargetInput,
}

/// A consumer of a queue, stream or topic that filters what it is delivered: a Lambda
/// event-source mapping, an EventBridge pipe or an SNS subscription. The events that reach it
/// are those the rules targeting its source deliver, as that source hands them on.
#[derive(Debug, Clone)]
pub(crate) struct FilterSubscription {
    pub(crate) name: At<String>,
    /// How its source's records are decoded: the dialect's own source, or the Lambda dialect
    /// of a pipe's source; `None` when not known offline.
    pub(crate) source_kind: Option<crate::Dialect>,
    /// The queue, stream or topic, named as rules name their targets.
    pub(crate) source: At<String>,
    /// The filters, when valid and resolved.
    pub(crate) filters: Option<crate::Filters>,
    pub(crate) state: RuleState,
    pub(crate) expects: Vec<At<Expectation>>,
    pub(crate) also_accepts: AlsoAccepts,
    pub(crate) uses: Vec<At<Use>>,
    pub(crate) file: String,
    pub(crate) origin: Option<String>,
    pub(crate) at: Location,
    /// Where the filters are written: their own file, or the contract.
    pub(crate) pattern_file: String,
    pub(crate) pattern_at: Location,
    /// The field the handler deduplicates on.
    pub(crate) idempotency_key: Option<At<String>>,
    /// The mapping's and its function's settings, when said.
    pub(crate) consumer: Option<Consumer>,
}

/// A dialect's filters, validated; the error as a finding's message: the service's code and
/// message, then the reason.
pub(crate) fn filter_check(
    dialect: crate::Dialect,
    texts: &[&str],
) -> Result<crate::Filters, String> {
    dialect
        .filters(texts)
        .map_err(|e| format!("{} rejects it: {}", dialect.name(), e.explained()))
}

impl FilterSubscription {
    /// The filters, when the consumer is checked: enabled, valid and resolved.
    pub(crate) fn active(&self) -> Option<&crate::Filters> {
        (self.state == RuleState::Enabled)
            .then_some(self.filters.as_ref())
            .flatten()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Expectation {
    pub(crate) event: String,
    pub(crate) every: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Use {
    pub(crate) field: String,
    pub(crate) ty: Option<String>,
    /// Read when present: not held to being guaranteed.
    pub(crate) optional: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) attempts: Option<i64>,
    pub(crate) age_seconds: Option<i64>,
}

/// Compiles a schema of `detail`. Formats (`date-time`, `email`, `uuid`, …) are asserted, as a
/// team writing them expects, whatever the schema's draft says by default.
pub(crate) fn compile_schema(schema: &serde_json::Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// YAML parsing with the limits a CI gate needs: strict booleans (`y` is not `true`), and a
/// budget that refuses alias bombs long before they expand.
fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, (Location, String)> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options.strict_booleans = true;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 100_000;
    budget.max_aliases = 10_000;
    budget.max_events = 200_000;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 100_000;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let location = e.location().map_or(Location::File, |l| {
            Location::LineColumn(l.line(), l.column())
        });
        let mut message = e.without_snippet().to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        let message = message
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        (location, message)
    })
}

impl Workspace {
    /// Loads the workspace in `dir`. Problems in its files do not make this fail: they are
    /// kept, and [`Workspace::check`] reports them as `invalid-contract` and `invalid-pattern`
    /// findings, together with everything else it finds.
    ///
    /// # Errors
    /// [`LoadError::NotADirectory`] when `dir` is not a directory.
    pub fn load(dir: impl AsRef<Path>) -> Result<Workspace, LoadError> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(LoadError::NotADirectory {
                path: dir.to_path_buf(),
            });
        }
        // Absolute, so that glob results and the root share a prefix.
        let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if names_registry(&root) {
            return Ok(Workspace::bellyfed().service(dir));
        }
        Ok(Workspace::from_files(
            Files {
                base: Base::Dir(root),
                label: String::new(),
                shown: dir.display().to_string(),
            },
            Extras::default(),
        ))
    }

    /// The Bellyfed platform registry, embedded in the crate: its conventions, every
    /// service's contract, the patterns, schemas, examples and the routing snapshot.
    pub fn bellyfed() -> Workspace {
        Workspace::from_files(
            Files {
                base: Base::Embedded(registry::FILES),
                label: String::new(),
                shown: String::new(),
            },
            Extras::default(),
        )
    }

    /// This workspace with one more contract, read from disk: a service repo's own, newer
    /// contract, checked against the rest of the platform. It replaces the contract of the
    /// same service, if there is one.
    ///
    /// The contract's service repo is the current directory when the contract is inside it
    /// (`cargo test` runs in the package's directory), else the contract's own directory.
    /// Paths in the contract resolve as in [`Workspace::service`]: beside the contract, then
    /// at the service repo's root, then in the registry, and never outside the service repo.
    /// Routing that differs from the platform's snapshot is then a warning, since the
    /// snapshot is the platform's to update.
    #[must_use]
    pub fn overlay(self, contract: impl AsRef<Path>) -> Workspace {
        let mut extras = self.extras;
        extras.overlays.push(Overlay::of_file(contract.as_ref()));
        Workspace::from_files(self.files.labelled(), extras)
    }

    /// This registry with a service repo on top: the contracts the service repo's
    /// `bus-contract.yaml` lists under `contracts:` (by default `contracts/*.yaml`) and the
    /// infrastructure code under its `imports:`, checked against the rest of the platform.
    /// Each contract replaces the registry's contract of the same service.
    ///
    /// Paths in the service repo's contracts resolve beside the contract first, then at the
    /// service repo's root (so `pattern: patterns/x.json` works as in the registry), then in
    /// the registry; a path that leaves the service repo is refused. Findings name the
    /// service repo's files relative to it, and the registry's with a prefix (`bellyfed:`
    /// for the embedded registry, the registry's directory otherwise). [`Workspace::load`] of
    /// a directory whose `bus-contract.yaml` says `registry: bellyfed` is
    /// `Workspace::bellyfed().service(dir)`.
    ///
    /// # Example
    /// ```no_run
    /// let report = bus_contract::Workspace::bellyfed()
    ///     .service(".")
    ///     .check(&Default::default());
    /// report.assert_ok();
    /// ```
    #[must_use]
    pub fn service(self, dir: impl AsRef<Path>) -> Workspace {
        let dir = dir.as_ref();
        let mut extras = self.extras;
        extras.service = Some(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()));
        Workspace::from_files(self.files.labelled(), extras)
    }

    /// Whether this is a service repo checked on top of a registry ([`Workspace::service`]).
    pub fn is_service_repo(&self) -> bool {
        self.extras.service.is_some()
    }

    /// This workspace with the rules of more infrastructure code, read from disk, as if
    /// listed under `imports:` in `bus-contract.yaml`: a CloudFormation or SAM template, a
    /// CDK `cdk.out` directory or Terraform JSON. See [`crate::import::import`].
    #[must_use]
    pub fn import(self, path: impl AsRef<Path>) -> Workspace {
        self.imports([path])
    }

    /// This workspace with the rules of every file of `paths`, as [`Workspace::import`] adds
    /// one, read in one pass: adding many costs what listing them under `imports:` does.
    #[must_use]
    pub fn imports<P: AsRef<Path>>(self, paths: impl IntoIterator<Item = P>) -> Workspace {
        let mut extras = self.extras;
        let before = extras.imports.len();
        extras
            .imports
            .extend(paths.into_iter().map(|p| p.as_ref().to_path_buf()));
        if extras.imports.len() == before {
            return Workspace { extras, ..self };
        }
        Workspace::from_files(self.files, extras)
    }

    /// This workspace with template parameters set for every import: they override the
    /// templates' defaults and the `parameters` of `imports:` entries, and may set pseudo
    /// parameters such as `AWS::AccountId`. A value may hold `${environment}`.
    #[must_use]
    pub fn parameters(self, parameters: impl IntoIterator<Item = (String, String)>) -> Workspace {
        let mut extras = self.extras;
        extras.parameters.extend(parameters);
        Workspace::from_files(self.files, extras)
    }

    /// Whether contracts or rules were added to the workspace's own (the snapshot is then the
    /// platform's to update).
    pub(crate) fn has_overlays(&self) -> bool {
        !self.extras.overlays.is_empty()
            || !self.extras.imports.is_empty()
            || self.extras.service.is_some()
    }

    /// Every rule (subscription) of the workspace, service by service.
    pub fn rules(&self) -> Vec<Rule<'_>> {
        self.services
            .iter()
            .flat_map(|s| {
                s.subscribes.iter().map(move |sub| Rule {
                    service: &s.name,
                    name: &sub.rule.value,
                    bus: &sub.bus.value,
                    pattern: sub.declared.as_ref(),
                    state: sub.state,
                    expects: sub
                        .expects
                        .iter()
                        .map(|e| (e.value.event.as_str(), e.value.every))
                        .collect(),
                    targets: sub.targets.iter().map(|t| t.name.value.as_str()).collect(),
                    file: &sub.file,
                    origin: sub.origin.as_deref(),
                })
            })
            .collect()
    }

    /// The rule with this name, written `rule` or `service/rule`.
    pub fn rule(&self, name: &str) -> Option<Rule<'_>> {
        self.rules()
            .into_iter()
            .find(|r| r.name == name || format!("{}/{}", r.service, r.name) == name)
    }

    /// The name nearest to a rule name that is not the workspace's (written `rule` or
    /// `service/rule`, as [`Workspace::rule`] takes it), for a "did you mean".
    pub fn nearest_rule(&self, name: &str) -> Option<String> {
        let names: Vec<String> = self
            .rules()
            .iter()
            .flat_map(|r| [r.name.to_string(), format!("{}/{}", r.service, r.name)])
            .collect();
        let pool: Vec<&str> = if name.contains('/') {
            names
                .iter()
                .filter(|n| n.contains('/'))
                .map(String::as_str)
                .collect()
        } else {
            names
                .iter()
                .filter(|n| !n.contains('/'))
                .map(String::as_str)
                .collect()
        };
        crate::suggest::nearest(name, pool).map(String::from)
    }

    /// The published event name nearest to one that no service publishes.
    pub fn nearest_event(&self, name: &str) -> Option<String> {
        let names: Vec<&str> = self
            .services
            .iter()
            .flat_map(|s| &s.publishes)
            .map(|p| p.event.value.as_str())
            .collect();
        crate::suggest::nearest(name, names).map(String::from)
    }

    /// What each producer of `event` declares about it.
    #[cfg(feature = "gen")]
    pub fn declarations(&self, event: &str) -> Vec<crate::strategy::Declaration> {
        self.services
            .iter()
            .flat_map(|s| &s.publishes)
            .filter(|p| p.event.value == event)
            .map(|p| p.declaration())
            .collect()
    }

    /// The environments `${environment}` expands over: `environments` of
    /// `bus-contract.yaml`, by default `dev`, `staging` and `prod`.
    pub fn environments(&self) -> &[String] {
        &self.config.environments
    }

    /// Why `env` is not one of the workspace's environments (with the nearest, for `Prod` or
    /// `production`), or `None` when it is.
    pub fn unknown_environment(&self, env: &str) -> Option<String> {
        let known = &self.config.environments;
        if known.iter().any(|k| k == env) {
            return None;
        }
        let hint = crate::suggest::hint(env, known.iter().map(String::as_str));
        Some(format!(
            "unknown environment `{env}`{hint}: the workspace's environments are {}",
            known.join(", ")
        ))
    }

    /// Why there is nothing to check, when there is nothing: no contract file matches the
    /// `contracts` globs, no overlay was added, and there are no imports. A gate over nothing
    /// must not pass, so [`Workspace::check`] reports this as an error, and `bus-contract
    /// check` exits 2 with it.
    pub fn nothing_to_check(&self) -> Option<String> {
        if self.sources > 0 {
            return None;
        }
        if let Some(root) = &self.extras.service {
            return Some(format!(
                "nothing to check in the service repo {}: no contract matches {} and there are no imports (imports: in its {CONFIG_FILE}, or --import)",
                root.display(),
                self.service_contracts.join(", ")
            ));
        }
        let place = match &self.files.base {
            Base::Dir(root) => root.display().to_string(),
            Base::Embedded(_) => "the embedded registry".to_string(),
        };
        let mut message = format!(
            "nothing to check in {place}: no contract matches {} and there are no imports (imports: in {CONFIG_FILE}, or --import)",
            self.config.contracts.join(", ")
        );
        if let Base::Dir(root) = &self.files.base {
            let yaml_here = std::fs::read_dir(root).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    (name.ends_with(".yaml") || name.ends_with(".yml")) && name != CONFIG_FILE
                })
            });
            if yaml_here && !self.files.exists(CONFIG_FILE) {
                message.push_str(
                    "; this directory holds YAML files itself: if they are the contracts, check the workspace above it",
                );
            }
        }
        Some(message)
    }

    /// The names of the services, in order.
    pub fn service_names(&self) -> Vec<&str> {
        self.services.iter().map(|s| s.name.as_str()).collect()
    }

    fn from_files(files: Files, extras: Extras) -> Workspace {
        let mut ws = Workspace {
            files,
            extras,
            config: Config::default(),
            services: Vec::new(),
            problems: Vec::new(),
            referenced_patterns: Default::default(),
            snapshot: None,
            sources: 0,
            service_contracts: Vec::new(),
        };
        ws.load_config();
        let mut contracts: Vec<Origin> = Vec::new();
        for glob in ws.config.contracts.clone() {
            match ws.files.glob(&glob) {
                Ok(found) => contracts.extend(found.into_iter().map(Origin::Workspace)),
                Err(e) => {
                    let name = ws.files.name(CONFIG_FILE);
                    ws.problem(Code::InvalidContract, name, Location::File, e);
                }
            }
        }
        contracts.dedup();
        let registry_sources = contracts.len() + ws.config.imports.len();
        if let Some(root) = ws.extras.service.clone() {
            let found = ws.load_service_config(&root);
            ws.extras.overlays.extend(found);
        }
        let mine = ws.extras.overlays.len()
            + ws.extras.imports.len()
            + ws.config
                .imports
                .iter()
                .filter(|i| i.root.is_some())
                .count();
        contracts.extend(ws.extras.overlays.iter().cloned().map(Origin::Overlay));
        ws.sources = if ws.extras.service.is_some() {
            mine
        } else {
            registry_sources + mine
        };
        for origin in contracts {
            let text = match &origin {
                Origin::Workspace(rel) => ws.files.read(rel).map(|r| r.text),
                Origin::Overlay(o) => {
                    files::read_workspace_file(&o.root, "the service repo", &o.path, &o.name)
                }
            };
            match text {
                Ok(text) => ws.load_contract(&origin, &text),
                Err(e) => {
                    let name = origin.display(&ws.files);
                    ws.problem(Code::InvalidContract, name, Location::File, e);
                }
            }
        }
        ws.load_imports();
        // Pattern files no contract refers to are still validated.
        for glob in ws.config.patterns.clone() {
            let found = match ws.files.glob(&glob) {
                Ok(found) => found,
                Err(e) => {
                    let name = ws.files.name(CONFIG_FILE);
                    ws.problem(Code::InvalidContract, name, Location::File, e);
                    continue;
                }
            };
            let unreferenced: Vec<String> = found
                .into_iter()
                .filter(|f| !ws.referenced_patterns.contains(&ws.files.name(f)))
                .collect();
            for rel in unreferenced {
                match ws.files.read(&rel) {
                    Ok(read) => {
                        if let Err(e) = Pattern::parse(&read.text) {
                            let at = Location::LineColumn(e.line() as u64, e.column() as u64);
                            ws.problem(Code::InvalidPattern, read.name, at, e.to_string());
                        }
                    }
                    Err(e) => {
                        let name = ws.files.name(&rel);
                        ws.problem(Code::InvalidContract, name, Location::File, e);
                    }
                }
            }
        }
        let snapshot = ws.config.snapshot.clone();
        if ws.files.exists(&snapshot) {
            match ws.files.read(&snapshot) {
                Ok(Read { name, text }) => ws.snapshot = Some((name, text)),
                Err(e) => ws.problem(Code::InvalidContract, snapshot, Location::File, e),
            }
        }
        ws
    }

    fn problem(
        &mut self,
        code: Code,
        file: impl Into<String>,
        at: Location,
        message: impl Into<String>,
    ) {
        self.problems.push(Finding::new(code, file, at, message));
    }

    fn load_config(&mut self) {
        if !self.files.exists(CONFIG_FILE) {
            return;
        }
        let text = match self.files.read(CONFIG_FILE) {
            Ok(r) => r.text,
            Err(e) => {
                let name = self.files.name(CONFIG_FILE);
                return self.problem(Code::InvalidContract, name, Location::File, e);
            }
        };
        let file: ConfigFile = match parse_yaml(&text) {
            Ok(f) => f,
            Err((at, message)) => {
                let name = self.files.name(CONFIG_FILE);
                return self.problem(Code::InvalidContract, name, at, message);
            }
        };
        let config = &mut self.config;
        if let Some(envs) = file.environments {
            config.environments = envs;
        }
        if let Some(globs) = file.contracts {
            config.contracts = globs;
        }
        if let Some(globs) = file.patterns {
            config.patterns = globs;
        }
        if let Some(size) = file.max_event_size {
            config.max_event_size = size;
        }
        if let Some(p) = file.practices {
            let sensitive = p.sensitive_fields.unwrap_or_default();
            config.practices = Practices {
                require_idempotency_key: p.require_idempotency_key,
                require_size_budget: p.require_size_budget,
                report_unused_fields: p.report_unused_fields,
                denied_buses: sensitive.denied_buses,
                allowed_consumers: sensitive.allowed_consumers,
                require_alarms: p.require_alarms,
                require_timeouts: p.require_timeouts,
                require_partial_failure_reporting: p.require_partial_failure_reporting,
                require_concurrency_limit: p.require_concurrency_limit,
            };
        }
        let mut bad_snapshot = None;
        if let Some(s) = file.snapshot {
            if files::normalize(Path::new(&s)).is_none_or(|r| r.is_empty()) {
                bad_snapshot = Some(format!(
                    "snapshot `{s}` is outside the workspace; paths in {CONFIG_FILE} are relative to it"
                ));
            }
            // Kept as written: `write_snapshot` refuses it too.
            config.snapshot = s;
        }
        let listed_in = self.files.name(CONFIG_FILE);
        for entry in &file.imports {
            config
                .imports
                .push(ImportEntry::of(entry, &listed_in, None));
        }
        if let Some(c) = file.conventions {
            config.conventions = Some(Conventions {
                service: c.service,
                categories: c.categories,
                domains: c.domains,
                bus_names: c
                    .bus_names
                    .into_iter()
                    .map(|b| match b {
                        BusNameFile::Template(t) => (t, None),
                        BusNameFile::WithDomain(w) => (w.pattern, Some(w.domain)),
                    })
                    .collect(),
                event_names: c.event_names,
                sources: c.sources,
                detail_types: c.detail_types,
            });
        }
        let mut bad = Vec::new();
        for (code, level) in &file.severities {
            let Some(c) = Code::from_name(code) else {
                bad.push((
                    loc(level),
                    format!(
                        "unknown finding code `{code}` in severities{}",
                        Code::hint(code)
                    ),
                ));
                continue;
            };
            let Some(severity) = Severity::setting(&level.value) else {
                bad.push((
                    loc(level),
                    format!(
                        "severity `{}` for `{code}`: expected error, warning or off",
                        level.value
                    ),
                ));
                continue;
            };
            self.config.severities.insert(c, severity);
        }
        if let Some(r) = file.registry {
            bad.push((
                loc(&r),
                "registry: names the registry a service repo is checked against, so this is a service repo's file, not a registry's".to_string(),
            ));
        }
        let name = self.files.name(CONFIG_FILE);
        for (at, message) in bad {
            self.problem(Code::InvalidContract, &name, at, message);
        }
        if let Some(message) = bad_snapshot {
            self.problem(Code::InvalidContract, name, Location::File, message);
        }
    }

    /// Reads a service repo's `bus-contract.yaml` (if it has one): its `contracts` globs,
    /// matched in the service repo, and its `imports`, added to the workspace's. Returns the
    /// contracts.
    fn load_service_config(&mut self, root: &Path) -> Vec<Overlay> {
        let mut globs = vec!["contracts/*.yaml".to_string()];
        if !root.is_dir() {
            self.problem(
                Code::InvalidContract,
                root.display().to_string(),
                Location::File,
                "the service repo is not a directory",
            );
            self.service_contracts = globs;
            return Vec::new();
        }
        let config = root.join(CONFIG_FILE);
        if config.symlink_metadata().is_ok() {
            let read = files::read_workspace_file(root, "the service repo", &config, CONFIG_FILE);
            let parsed = read.map_err(|e| (Location::File, e)).and_then(|text| {
                parse_yaml::<ServiceConfigFile>(&text).map_err(|(at, m)| {
                    let m = if m.contains("unknown field") {
                        format!("{m}: environments, conventions, severities and the like are the registry's; a service repo's {CONFIG_FILE} holds only registry, contracts and imports")
                    } else {
                        m
                    };
                    (at, m)
                })
            });
            match parsed {
                Err((at, message)) => self.problem(Code::InvalidContract, CONFIG_FILE, at, message),
                Ok(file) => {
                    if let Some(r) = &file.registry {
                        if r.value != "bellyfed" && matches!(self.files.base, Base::Embedded(_)) {
                            self.problem(
                                Code::InvalidContract,
                                CONFIG_FILE,
                                loc(r),
                                format!(
                                    "unknown registry `{}`: the registry built in is `bellyfed`; check against another with --registry DIR (Workspace::load(dir)?.service(..) in the library)",
                                    r.value
                                ),
                            );
                        }
                    }
                    if let Some(g) = file.contracts {
                        globs = g;
                    }
                    for entry in &file.imports {
                        let entry = ImportEntry::of(entry, CONFIG_FILE, Some(root));
                        self.config.imports.push(entry);
                    }
                }
            }
        }
        let mut found = Vec::new();
        for glob in &globs {
            let matched = glob::Pattern::new(glob)
                .map_err(|e| format!("invalid glob `{glob}`: {e}"))
                .and_then(|compiled| files::walk_glob(root, glob, &compiled));
            match matched {
                Ok(paths) => found.extend(paths.into_iter().map(|rel| Overlay {
                    path: root.join(&rel),
                    name: rel,
                    root: root.to_path_buf(),
                })),
                Err(e) => self.problem(Code::InvalidContract, CONFIG_FILE, Location::File, e),
            }
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found.dedup();
        self.service_contracts = globs;
        found
    }

    /// Replaces the workspace's snapshot file (`routing.snap.yaml` unless `bus-contract.yaml`
    /// names another) with `text`, atomically, and returns its path.
    pub(crate) fn write_snapshot_text(&self, text: &str) -> std::io::Result<PathBuf> {
        match &self.files.base {
            Base::Dir(root) => {
                let rel = files::normalize(Path::new(&self.config.snapshot)).ok_or_else(|| {
                    std::io::Error::other(format!(
                        "the snapshot path `{}` is outside the workspace; refused",
                        self.config.snapshot
                    ))
                })?;
                let path = root.join(rel);
                files::write_atomic(root, &path, |w| w.write_all(text.as_bytes()))?;
                Ok(path)
            }
            Base::Embedded(_) => Err(std::io::Error::other("the embedded registry is read-only")),
        }
    }
}
