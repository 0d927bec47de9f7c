//! Terraform JSON (`terraform show -json`), of a plan or of the state:
//! `aws_cloudwatch_event_rule` with its `event_pattern`, and `aws_cloudwatch_event_target` with
//! `dead_letter_config` and `retry_policy`. In a plan, values known only after apply are
//! absent; the configuration's references then say what a target points at.

use std::collections::BTreeMap;

use super::tree::{Node, Tree};
use super::{Imported, ImportedRule, ImportedTarget, Note, PLACEHOLDER, arn_name, bus_name};
use crate::diag::Location;

/// One resource of the document, with its full address.
struct Resource<'a> {
    address: String,
    ty: &'a str,
    values: Option<&'a Node>,
    at: Location,
}

fn resources<'a>(module: &'a Node, out: &mut Vec<Resource<'a>>, depth: usize) {
    if let Some(Tree::List(items)) = module.get("resources").map(|r| &r.value) {
        for r in items {
            if r.get("mode").and_then(Node::as_str) == Some("data") {
                continue;
            }
            out.push(Resource {
                address: r
                    .get("address")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                ty: r.get("type").and_then(Node::as_str).unwrap_or_default(),
                values: r.get("values"),
                at: r.at.clone(),
            });
        }
    }
    if depth < 32 {
        if let Some(Tree::List(children)) = module.get("child_modules").map(|c| &c.value) {
            for c in children {
                resources(c, out, depth + 1);
            }
        }
    }
}

/// The configuration's references of each resource attribute, by full address: what a value
/// unknown until apply was made from.
fn references(
    module: &Node,
    prefix: &str,
    out: &mut BTreeMap<(String, String), Vec<String>>,
    depth: usize,
) {
    if let Some(Tree::List(items)) = module.get("resources").map(|r| &r.value) {
        for r in items {
            let address = format!(
                "{prefix}{}",
                r.get("address").and_then(Node::as_str).unwrap_or_default()
            );
            for (attr, expr) in r.get("expressions").map(Node::entries).unwrap_or_default() {
                // Blocks (dead_letter_config) are lists of mappings of expressions.
                let exprs: Vec<(String, &Node)> = match &expr.value {
                    Tree::List(blocks) => blocks
                        .iter()
                        .flat_map(|b| {
                            b.entries()
                                .iter()
                                .map(move |(k, v)| (format!("{attr}.{k}"), v))
                        })
                        .collect(),
                    _ => vec![(attr.clone(), expr)],
                };
                for (name, e) in exprs {
                    if let Some(Tree::List(refs)) = e.get("references").map(|r| &r.value) {
                        let refs = refs
                            .iter()
                            .filter_map(Node::as_str)
                            .map(|s| format!("{prefix}{s}"))
                            .collect();
                        out.insert((address.clone(), name), refs);
                    }
                }
            }
        }
    }
    if depth < 32 {
        for (name, call) in module
            .get("module_calls")
            .map(Node::entries)
            .unwrap_or_default()
        {
            if let Some(m) = call.get("module") {
                references(m, &format!("{prefix}module.{name}."), out, depth + 1);
            }
        }
    }
}

fn string<'a>(values: Option<&'a Node>, key: &str) -> Option<&'a str> {
    values?.get(key)?.as_str()
}

fn integer(node: Option<&Node>) -> Option<i64> {
    match &node?.value {
        Tree::Number(n) => n.parse().ok(),
        Tree::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The first block of a nested block attribute (`dead_letter_config`, `retry_policy`).
fn block<'a>(values: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    match &values?.get(key)?.value {
        Tree::List(items) => items.first(),
        Tree::Map(_) => values?.get(key),
        _ => None,
    }
}

/// A resource's address without its instance index: `a.b[0]` → `a.b`, as the configuration
/// names it.
fn strip_index(a: &str) -> String {
    match a.rfind('[') {
        Some(i) if a.ends_with(']') => a[..i].to_string(),
        _ => a.to_string(),
    }
}

/// The resource a configuration reference points at: `aws_lambda_function.x.arn` →
/// `aws_lambda_function.x`.
fn referenced(refs: Option<&Vec<String>>) -> Option<String> {
    let refs = refs?;
    // The list holds both `a.b.attr` and `a.b`; the shortest is the resource.
    refs.iter().min_by_key(|r| r.len()).cloned()
}

pub(crate) fn import(root: &Node, file: &str, out: &mut Imported) {
    let values_root = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|v| v.get("root_module"));
    let Some(module) = values_root else {
        out.problems.push(Note {
            file: file.to_string(),
            location: Location::File,
            message: "Terraform JSON with neither planned_values nor values: nothing to import"
                .into(),
            blocks_matching: false,
        });
        return;
    };
    let mut all = Vec::new();
    resources(module, &mut all, 0);
    let mut refs = BTreeMap::new();
    if let Some(config) = root.get("configuration").and_then(|c| c.get("root_module")) {
        references(config, "", &mut refs, 0);
    }
    // What a plan leaves unknown until apply.
    let mut unknown: BTreeMap<String, &Node> = BTreeMap::new();
    if let Some(Tree::List(changes)) = root.get("resource_changes").map(|c| &c.value) {
        for c in changes {
            if let (Some(a), Some(u)) = (
                c.get("address").and_then(Node::as_str),
                c.get("change").and_then(|c| c.get("after_unknown")),
            ) {
                unknown.insert(a.to_string(), u);
            }
        }
    }
    let is_unknown = |address: &str, key: &str| {
        unknown
            .get(address)
            .and_then(|u| u.get(key))
            .is_some_and(|v| v.value == Tree::Bool(true))
    };
    let targets: Vec<&Resource<'_>> = all
        .iter()
        .filter(|r| r.ty == "aws_cloudwatch_event_target")
        .collect();
    for rule in all.iter().filter(|r| r.ty == "aws_cloudwatch_event_rule") {
        let v = rule.values;
        let mut unresolved = Vec::new();
        let pattern = match string(v, "event_pattern") {
            Some(p) => p.to_string(),
            None if is_unknown(&rule.address, "event_pattern") => {
                unresolved.push(Note {
                    file: file.to_string(),
                    location: rule.at.clone(),
                    message: format!(
                        "the event_pattern of {} cannot be resolved: it is known only after apply",
                        rule.address
                    ),
                    blocks_matching: true,
                });
                format!(
                    "{{\"unresolved\": [\"{}event_pattern}}\"]}}",
                    super::PLACEHOLDER
                )
            }
            // A scheduled rule: nothing to match.
            None => continue,
        };
        let name = string(v, "name").map_or_else(|| rule.address.clone(), String::from);
        let raw_bus = string(v, "event_bus_name").unwrap_or("default");
        let bus_place = super::BusPlace::of(raw_bus, &BTreeMap::new());
        let bus = bus_name(raw_bus);
        let enabled = match (string(v, "state"), v.and_then(|v| v.get("is_enabled"))) {
            (Some(s), _) => s != "DISABLED",
            (None, Some(n)) => n.value != Tree::Bool(false),
            (None, None) => true,
        };
        let mut rule_targets = Vec::new();
        for t in &targets {
            let tv = t.values;
            let same_rule = match string(tv, "rule") {
                Some(r) => {
                    r == name && bus_name(string(tv, "event_bus_name").unwrap_or("default")) == bus
                }
                None => referenced(refs.get(&(strip_index(&t.address), "rule".to_string())))
                    .is_some_and(|r| r == strip_index(&rule.address)),
            };
            if !same_rule {
                continue;
            }
            // A value known only after apply: the resource the configuration refers to, by
            // the name the plan gives it, or else by its address.
            let named = |key: &str, arn: Option<&str>| -> Option<String> {
                arn.map(arn_name).or_else(|| {
                    let address =
                        referenced(refs.get(&(strip_index(&t.address), key.to_string())))?;
                    let planned = all.iter().find(|r| strip_index(&r.address) == address);
                    let name = planned.and_then(|r| {
                        ["function_name", "name", "arn"]
                            .iter()
                            .find_map(|k| string(r.values, k))
                            .map(arn_name)
                    });
                    Some(name.unwrap_or(address))
                })
            };
            let dlq = block(tv, "dead_letter_config");
            let retry = block(tv, "retry_policy");
            rule_targets.push(ImportedTarget {
                id: string(tv, "target_id").unwrap_or_default().to_string(),
                name: named("arn", string(tv, "arn")).unwrap_or_else(|| t.address.clone()),
                dead_letter_queue: dlq.and_then(|d| {
                    named(
                        "dead_letter_config.arn",
                        d.get("arn").and_then(Node::as_str),
                    )
                }),
                maximum_retry_attempts: integer(
                    retry.and_then(|r| r.get("maximum_retry_attempts")),
                ),
                maximum_event_age_seconds: integer(
                    retry.and_then(|r| r.get("maximum_event_age_in_seconds")),
                ),
                has_retry_policy: retry.is_some(),
                input: super::TargetInput::of(
                    block(tv, "input_transformer").is_some(),
                    tv.and_then(|v| v.get("input"))
                        .filter(|n| n.value != Tree::Null)
                        .map(|n| n.as_str().map(String::from)),
                    tv.and_then(|v| v.get("input_path"))
                        .filter(|n| n.value != Tree::Null)
                        .map(|n| n.as_str().map(String::from)),
                ),
            });
        }
        let unmatchable = !unresolved.is_empty();
        out.rules.push(ImportedRule {
            name,
            bus,
            bus_place,
            pattern,
            enabled,
            targets: rule_targets,
            file: file.to_string(),
            location: rule.at.clone(),
            origin: rule.address.clone(),
            unresolved,
            warnings: Vec::new(),
            unmatchable,
        });
    }
    filters(&all, &refs, file, out);
    facts(&all, &refs, file, out);
}

/// Alarms, functions, queues and event-source mappings, for the practice checks.
fn facts(
    all: &[Resource<'_>],
    refs: &BTreeMap<(String, String), Vec<String>>,
    file: &str,
    out: &mut Imported,
) {
    // What a value names: its ARN's or name's text, else the resource the configuration
    // refers to, by its planned name or address.
    let named = |r: &Resource<'_>, key: &str| -> Option<(String, Option<&str>)> {
        if let Some(text) = string(r.values, key) {
            return Some((super::filters::source_name_of_arn(text), None));
        }
        let address = referenced(refs.get(&(strip_index(&r.address), key.to_string())))?;
        let planned = all.iter().find(|p| strip_index(&p.address) == address);
        let name = planned
            .and_then(|p| {
                ["function_name", "name"]
                    .iter()
                    .find_map(|k| string(p.values, k))
            })
            .map_or_else(|| address.clone(), String::from);
        Some((name, planned.map(|p| p.ty)))
    };
    for r in all {
        let v = r.values;
        match r.ty {
            "aws_cloudwatch_metric_alarm" => {
                let dimensions = v
                    .and_then(|v| v.get("dimensions"))
                    .map(|d| {
                        d.entries()
                            .iter()
                            .filter_map(|(k, n)| Some((k.clone(), n.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                out.alarms.push(super::ImportedAlarm {
                    name: string(v, "alarm_name").map_or_else(|| r.address.clone(), String::from),
                    namespace: string(v, "namespace").unwrap_or_default().to_string(),
                    metric: string(v, "metric_name").unwrap_or_default().to_string(),
                    dimensions,
                });
            }
            "aws_lambda_function" => out.functions.push(super::ImportedFunction {
                name: string(v, "function_name").map_or_else(|| r.address.clone(), String::from),
                timeout: integer(v.and_then(|v| v.get("timeout"))).unwrap_or(3),
                reserved_concurrency: integer(
                    v.and_then(|v| v.get("reserved_concurrent_executions")),
                )
                .filter(|n| *n >= 0),
                file: file.to_string(),
                location: r.at.clone(),
            }),
            "aws_sqs_queue" => out.queues.push(super::ImportedQueue {
                name: string(v, "name").map_or_else(|| r.address.clone(), String::from),
                visibility_timeout: integer(v.and_then(|v| v.get("visibility_timeout_seconds")))
                    .unwrap_or(30),
            }),
            "aws_lambda_event_source_mapping" => {
                let (source, source_kind) = match named(r, "event_source_arn") {
                    Some((name, Some(ty))) => (
                        name,
                        super::filters::kind_of_terraform_type(ty).ok().flatten(),
                    ),
                    Some((name, None)) => {
                        let kind = string(v, "event_source_arn")
                            .and_then(|arn| super::filters::kind_of_arn(arn).ok().flatten());
                        (name, kind)
                    }
                    None => ("kafka".to_string(), Some(crate::Dialect::LambdaKafka)),
                };
                let reports = match v
                    .and_then(|v| v.get("function_response_types"))
                    .map(|n| &n.value)
                {
                    Some(Tree::List(items)) => items
                        .iter()
                        .any(|i| i.as_str() == Some("ReportBatchItemFailures")),
                    _ => false,
                };
                out.mappings.push(super::ImportedMapping {
                    origin: r.address.clone(),
                    source,
                    source_kind,
                    function: named(r, "function_name").map(|(n, _)| arn_name(&n)),
                    batch_size: integer(v.and_then(|v| v.get("batch_size"))),
                    batching_window: integer(
                        v.and_then(|v| v.get("maximum_batching_window_in_seconds")),
                    ),
                    report_batch_item_failures: reports,
                    maximum_concurrency: integer(
                        block(v, "scaling_config").and_then(|s| s.get("maximum_concurrency")),
                    ),
                    file: file.to_string(),
                    location: r.at.clone(),
                });
            }
            _ => {}
        }
    }
}

/// A list block's items (`filter_criteria`, `filter`), each a mapping.
fn items<'a>(node: Option<&'a Node>, key: &str) -> Vec<&'a Node> {
    match node.and_then(|n| n.get(key)).map(|n| &n.value) {
        Some(Tree::List(items)) => items.iter().collect(),
        Some(Tree::Map(_)) => node.and_then(|n| n.get(key)).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The patterns of a `filter_criteria` block.
fn patterns(criteria: Option<&Node>) -> Vec<String> {
    items(criteria, "filter")
        .into_iter()
        .filter_map(|f| f.get("pattern").and_then(Node::as_str))
        .map(String::from)
        .collect()
}

/// Pipes, event-source mappings and SNS subscriptions that filter.
fn filters(
    all: &[Resource<'_>],
    refs: &BTreeMap<(String, String), Vec<String>>,
    file: &str,
    out: &mut Imported,
) {
    use super::filters::{
        dialect_of, kind_of_arn, kind_of_terraform_type, mq_note, sns_scope, source_name_of_arn,
    };
    use crate::Dialect;
    for r in all {
        let v = r.values;
        let (own, source_key, criteria, target_key) = match r.ty {
            "aws_lambda_event_source_mapping" => (
                None,
                "event_source_arn",
                items(v, "filter_criteria").first().copied(),
                "function_name",
            ),
            "aws_pipes_pipe" => (
                Some(Dialect::Pipes),
                "source",
                items(v, "source_parameters")
                    .first()
                    .and_then(|p| items(Some(p), "filter_criteria").first().copied()),
                "target",
            ),
            "aws_sns_topic_subscription" => (
                sns_scope(string(v, "filter_policy_scope")),
                "topic_arn",
                None,
                "endpoint",
            ),
            _ => continue,
        };
        let patterns = if r.ty == "aws_sns_topic_subscription" {
            match string(v, "filter_policy").filter(|p| !p.is_empty()) {
                Some(p) => vec![p.to_string()],
                None => continue,
            }
        } else {
            match criteria {
                Some(c) => patterns(Some(c)),
                None => continue,
            }
        };
        let mut unresolved = Vec::new();
        // The source: its ARN, else the resource the configuration refers to.
        let referenced_resource = || {
            referenced(refs.get(&(strip_index(&r.address), source_key.to_string())))
                .and_then(|a| all.iter().find(|p| strip_index(&p.address) == a))
        };
        let self_managed = r.ty == "aws_lambda_event_source_mapping"
            && string(v, "event_source_arn").is_none()
            && v.and_then(|v| v.get("self_managed_event_source"))
                .is_some_and(|n| n.value != Tree::Null);
        let (source, kind) = match (string(v, source_key), referenced_resource()) {
            _ if self_managed => {
                let topics = match v.and_then(|v| v.get("topics")).map(|t| &t.value) {
                    Some(Tree::List(t)) => t
                        .iter()
                        .filter_map(Node::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    _ => "kafka".to_string(),
                };
                (topics, Ok(Some(Dialect::LambdaKafka)))
            }
            (Some(arn), _) => (source_name_of_arn(arn), kind_of_arn(arn)),
            (None, Some(p)) => {
                let name = ["name", "arn"]
                    .iter()
                    .find_map(|k| string(p.values, k))
                    .map_or_else(|| strip_index(&p.address), source_name_of_arn);
                let ty = p.ty;
                (name, kind_of_terraform_type(ty))
            }
            (None, None) => (
                format!("{PLACEHOLDER}{}.{source_key}}}", r.address),
                Err(()),
            ),
        };
        let source_kind = match kind {
            Ok(Some(k)) => Some(k),
            Ok(None) => {
                out.unread.push(mq_note(file, r.at.clone(), &r.address));
                continue;
            }
            Err(()) => {
                unresolved.push(Note {
                    file: file.to_string(),
                    location: r.at.clone(),
                    message: format!(
                        "what kind of source {} reads (a queue, stream or topic) cannot be known offline, so neither can its filter's dialect",
                        r.address
                    ),
                    blocks_matching: true,
                });
                None
            }
        };
        let own = if r.ty == "aws_sns_topic_subscription" {
            own.or_else(|| {
                unresolved.push(Note {
                    file: file.to_string(),
                    location: r.at.clone(),
                    message: format!(
                        "the filter_policy_scope of {} is neither MessageAttributes nor MessageBody",
                        r.address
                    ),
                    blocks_matching: true,
                });
                None
            })
        } else {
            own
        };
        let source_kind = if r.ty == "aws_sns_topic_subscription" {
            own
        } else {
            source_kind
        };
        let dialect = dialect_of(own, source_kind);
        let target = string(v, target_key)
            .map(arn_name)
            .or_else(|| referenced(refs.get(&(strip_index(&r.address), target_key.to_string()))));
        let enabled = match r.ty {
            "aws_lambda_event_source_mapping" => v
                .and_then(|v| v.get("enabled"))
                .is_none_or(|n| n.value != Tree::Bool(false)),
            "aws_pipes_pipe" => string(v, "desired_state") != Some("STOPPED"),
            _ => true,
        };
        let name = match r.ty {
            "aws_pipes_pipe" => string(v, "name")
                .filter(|n| !n.is_empty())
                .map_or_else(|| r.address.clone(), String::from),
            _ => r.address.clone(),
        };
        let unmatchable = unresolved.iter().any(|n| n.blocks_matching) || dialect.is_none();
        out.filters.push(super::ImportedFilter {
            name,
            dialect,
            source_kind,
            source,
            patterns,
            target,
            enabled,
            file: file.to_string(),
            location: r.at.clone(),
            origin: r.address.clone(),
            unresolved,
            unmatchable,
        });
    }
}
