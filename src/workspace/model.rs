//! The workspace format as it is written: `bus-contract.yaml` and `contracts/*.yaml`. Unknown
//! keys are errors, so a typo is a finding rather than a silently ignored line.

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ContractFile {
    pub(crate) service: Spanned<String>,
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) owner: Option<String>,
    #[serde(default)]
    pub(crate) publishes: Vec<Spanned<PublishFile>>,
    #[serde(default)]
    pub(crate) subscribes: Vec<Spanned<SubscribeFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct PublishFile {
    pub(crate) event: Spanned<String>,
    pub(crate) bus: Spanned<String>,
    pub(crate) source: Spanned<String>,
    pub(crate) detail_type: Spanned<String>,
    #[serde(default)]
    pub(crate) schema: Option<Spanned<serde_json::Value>>,
    #[serde(default)]
    pub(crate) examples: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SubscribeFile {
    pub(crate) rule: Spanned<String>,
    pub(crate) bus: Spanned<String>,
    pub(crate) pattern: Spanned<serde_json::Value>,
    #[serde(default)]
    pub(crate) expects: Vec<Spanned<ExpectFile>>,
    #[serde(default)]
    pub(crate) uses: Vec<Spanned<UsesFile>>,
    #[serde(default)]
    pub(crate) target: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) dead_letter_queue: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) retry_policy: Option<Spanned<RetryPolicyFile>>,
    /// Several targets, each with its own queue and policy (instead of `target`).
    #[serde(default)]
    pub(crate) targets: Option<Vec<Spanned<TargetFile>>>,
    /// `enabled` (the default) or `disabled`.
    #[serde(default)]
    pub(crate) state: Option<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct TargetFile {
    pub(crate) target: Spanned<String>,
    #[serde(default)]
    pub(crate) dead_letter_queue: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) retry_policy: Option<Spanned<RetryPolicyFile>>,
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

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum ExpectFile {
    Name(String),
    Full(ExpectFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExpectFull {
    pub(crate) event: String,
    #[serde(default)]
    pub(crate) every: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum UsesFile {
    Path(String),
    Typed(UsesTyped),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct UsesTyped {
    pub(crate) field: String,
    #[serde(rename = "type")]
    pub(crate) ty: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RetryPolicyFile {
    #[serde(default)]
    pub(crate) maximum_retry_attempts: Option<i64>,
    #[serde(default)]
    pub(crate) maximum_event_age_seconds: Option<i64>,
}
