//! Terraform JSON (`terraform show -json`), of a plan or of the state:
//! `aws_cloudwatch_event_rule` with its `event_pattern`, and `aws_cloudwatch_event_target` with
//! `dead_letter_config` and `retry_policy`. In a plan, values known only after apply are
//! absent; the configuration's references then say what a target points at.

use std::collections::BTreeMap;

use super::tree::{Node, Tree};
use super::{Imported, ImportedRule, ImportedTarget, Note, arn_name, bus_name};
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
    let strip_index = |a: &str| match a.rfind('[') {
        Some(i) if a.ends_with(']') => a[..i].to_string(),
        _ => a.to_string(),
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
}
