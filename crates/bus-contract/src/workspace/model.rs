//! `bus-contract.yaml` as it is written. Unknown keys are errors, so a typo is a finding
//! rather than a silently ignored line. Contracts are read key by key (`contract.rs`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConfigFile {
    #[serde(default)]
    pub(crate) environments: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) contracts: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) patterns: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) conventions: Option<ConventionsFile>,
    #[serde(default)]
    pub(crate) severities: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(crate) max_event_size: Option<u64>,
    #[serde(default)]
    pub(crate) snapshot: Option<String>,
    #[serde(default)]
    pub(crate) imports: Vec<Spanned<ImportFile>>,
    #[serde(default)]
    pub(crate) practices: Option<PracticesFile>,
    /// Only in a service repo's file, which `ServiceConfigFile` reads.
    #[serde(default)]
    pub(crate) registry: Option<Spanned<String>>,
}

/// A service repo's `bus-contract.yaml`: which registry it is checked against, where its
/// contracts are, and the infrastructure code to import. Conventions, environments and
/// severities are the registry's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ServiceConfigFile {
    #[serde(default)]
    pub(crate) registry: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) contracts: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) imports: Vec<Spanned<ImportFile>>,
}

/// Whether a `bus-contract.yaml` is a service repo's: it names a registry.
#[derive(Debug, Deserialize)]
pub(crate) struct RegistryKey {
    #[serde(default)]
    pub(crate) registry: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConventionsFile {
    #[serde(default)]
    pub(crate) service: Option<String>,
    #[serde(default)]
    pub(crate) categories: Vec<String>,
    #[serde(default)]
    pub(crate) domains: Vec<String>,
    #[serde(default)]
    pub(crate) bus_names: Vec<BusNameFile>,
    #[serde(default)]
    pub(crate) event_names: Option<String>,
    #[serde(default)]
    pub(crate) sources: Option<String>,
    #[serde(default)]
    pub(crate) detail_types: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum BusNameFile {
    Template(String),
    WithDomain(BusNameWithDomain),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct BusNameWithDomain {
    pub(crate) pattern: String,
    pub(crate) domain: String,
}

/// An entry of `imports:`: a path, or a path with the service its rules belong to and
/// parameters for its templates.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum ImportFile {
    Path(String),
    Full(ImportFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ImportFull {
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) service: Option<String>,
    #[serde(default)]
    pub(crate) parameters: BTreeMap<String, String>,
}

/// `practices:`: the best-practice checks a platform turns on.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct PracticesFile {
    #[serde(default)]
    pub(crate) require_idempotency_key: bool,
    #[serde(default)]
    pub(crate) require_size_budget: bool,
    #[serde(default)]
    pub(crate) report_unused_fields: bool,
    #[serde(default)]
    pub(crate) sensitive_fields: Option<SensitiveFile>,
    #[serde(default)]
    pub(crate) require_alarms: bool,
    #[serde(default)]
    pub(crate) require_timeouts: bool,
    #[serde(default)]
    pub(crate) require_partial_failure_reporting: bool,
    #[serde(default)]
    pub(crate) require_concurrency_limit: bool,
}

/// Where fields marked `x-sensitive` may not go.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SensitiveFile {
    #[serde(default)]
    pub(crate) denied_buses: Vec<String>,
    #[serde(default)]
    pub(crate) allowed_consumers: Option<Vec<String>>,
}
