//! CloudFormation and SAM: `AWS::Events::Rule` resources, and the `EventBridgeRule` and
//! `CloudWatchEvent` events of `AWS::Serverless::Function` and `AWS::Serverless::StateMachine`.

use std::collections::BTreeMap;

use super::eval::{Env, Note as EvalNote, PLACEHOLDER, Val};
use super::tree::Node;
use super::{Imported, ImportedRule, ImportedTarget, Note, arn_name, bus_name};
use crate::diag::Location;

/// Where a template sits.
pub(crate) struct Context<'a> {
    pub(crate) file: &'a str,
}

pub(crate) fn import(
    root: &Node,
    file: &str,
    parameters: &BTreeMap<String, String>,
    stack_name: Option<&str>,
    out: &mut Imported,
) {
    let mut params = parameters.clone();
    if let Some(s) = stack_name {
        params
            .entry("AWS::StackName".to_string())
            .or_insert_with(|| s.to_string());
    }
    let mut env = Env::new(root, &params);
    let cx = Context { file };
    let Some(resources) = root.get("Resources") else {
        return;
    };
    for (id, res) in resources.entries() {
        let ty = res.get("Type").and_then(Node::as_str).unwrap_or_default();
        super::facts::resource(&mut env, &cx, root, id, ty, res, out);
        match ty {
            "AWS::Events::Rule" => {
                if let Some(rule) = events_rule(&mut env, &cx, id, res) {
                    out.rules.push(rule);
                }
            }
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
                out.rules.extend(serverless(&mut env, &cx, id, res));
                if ty == "AWS::Serverless::Function" {
                    super::filters::serverless(&mut env, &cx, id, res, out);
                }
            }
            "AWS::Pipes::Pipe" | "AWS::Lambda::EventSourceMapping" | "AWS::SNS::Subscription" => {
                super::filters::resource(&mut env, &cx, id, ty, res, out);
            }
            _ => {}
        }
    }
}

/// Notes as the public type, in this file.
pub(super) fn notes(file: &str, notes: Vec<EvalNote>, blocks_matching: bool) -> Vec<Note> {
    notes
        .into_iter()
        .map(|n| Note {
            file: file.to_string(),
            location: n.at,
            message: n.message,
            blocks_matching,
        })
        .collect()
}

/// A rule being assembled; `critical` notes (pattern, bus, state, existence) make it
/// unmatchable.
pub(super) struct Draft {
    pub(super) critical: Vec<EvalNote>,
    pub(super) other: Vec<EvalNote>,
    pub(super) typed: Vec<EvalNote>,
    bus_place: super::BusPlace,
}

impl Draft {
    pub(super) fn new() -> Draft {
        Draft {
            critical: Vec::new(),
            other: Vec::new(),
            typed: Vec::new(),
            bus_place: super::BusPlace::default(),
        }
    }

    pub(super) fn take(&mut self, env: &mut Env<'_>, critical: bool) {
        let notes = std::mem::take(&mut env.unresolved);
        if critical {
            self.critical.extend(notes);
        } else {
            self.other.extend(notes);
        }
    }
}

/// Whether a resource's `Condition` lets it exist; a note when that is not known.
pub(super) fn exists(env: &mut Env<'_>, res: &Node, draft: &mut Draft) -> bool {
    let Some(name) = res.get("Condition").and_then(Node::as_str) else {
        return true;
    };
    match env.condition(name) {
        Some(b) => b,
        None => {
            draft.critical.push(EvalNote {
                at: res.get("Condition").map_or(res.at.clone(), |n| n.at.clone()),
                message: format!(
                    "whether the rule exists cannot be resolved: condition {name} depends on a value not known offline"
                ),
            });
            true
        }
    }
}

pub(super) fn pattern(env: &mut Env<'_>, node: &Node, draft: &mut Draft) -> String {
    env.watch_typed = true;
    let v = env.eval(node);
    env.watch_typed = false;
    let typed = std::mem::take(&mut env.typed);
    let text = match v {
        // A pattern written as a JSON string: JSON says what is a string and what is not.
        Val::Str(s) => s,
        v => {
            // Where only a boolean (`exists`) or a number (`numeric`) is valid, quoting is no
            // advice: the reader's type is the only one the pattern accepts.
            let mut typed_only = Vec::new();
            operands_typed_by_position(node, &mut typed_only);
            draft
                .typed
                .extend(typed.into_iter().filter(|n| !typed_only.contains(&n.at)));
            env.json_text(&v)
        }
    };
    draft.take(env, true);
    text
}

/// The places of a pattern's scalars whose type the operator fixes: the operand of `exists`,
/// and the numbers of `numeric`.
fn operands_typed_by_position(node: &Node, out: &mut Vec<Location>) {
    match &node.value {
        super::tree::Tree::Map(entries) => {
            for (key, value) in entries {
                match (key.as_str(), &value.value) {
                    ("exists", _) => out.push(value.at.clone()),
                    ("numeric", super::tree::Tree::List(items)) => {
                        out.extend(items.iter().map(|i| i.at.clone()));
                    }
                    _ => operands_typed_by_position(value, out),
                }
            }
        }
        super::tree::Tree::List(items) => {
            for i in items {
                operands_typed_by_position(i, out);
            }
        }
        _ => {}
    }
}

fn bus(env: &mut Env<'_>, node: Option<&Node>, draft: &mut Draft) -> String {
    let Some(node) = node else {
        draft.bus_place = super::BusPlace::of("default", env.parameters);
        return "default".into();
    };
    let v = env.eval(node);
    let name = match &v {
        Val::Res { id, attr, .. } => match env.bus_name_of(id, attr.as_deref()) {
            Some(n) => n,
            None => env.text(&v, &node.at),
        },
        v => env.text(v, &node.at),
    };
    draft.bus_place = super::BusPlace::of(&name, env.parameters);
    let name = bus_name(&name);
    if name.contains(PLACEHOLDER) {
        draft.take(env, true);
    } else {
        // An ARN whose region or account is unknown still names its bus.
        env.unresolved.clear();
    }
    name
}

/// What a target or queue names: a resource's literal name, else its logical id; the last
/// part of an ARN.
pub(super) fn target_name(env: &mut Env<'_>, node: &Node, draft: &mut Draft) -> String {
    let v = env.eval(node);
    let name = match &v {
        Val::Res { id, .. } => resource_name(env, id).unwrap_or_else(|| id.clone()),
        v => arn_name(&env.text(v, &node.at)),
    };
    draft.take(env, false);
    name
}

/// A resource's literal physical name, when its template gives one.
fn resource_name(env: &mut Env<'_>, id: &str) -> Option<String> {
    let props = env.resource(id)?.get("Properties")?;
    let keys = [
        "FunctionName",
        "QueueName",
        "TopicName",
        "StateMachineName",
        "Name",
        "LogGroupName",
        "StreamName",
        "DeliveryStreamName",
        "TableName",
        "ClusterName",
    ];
    let node = keys.iter().find_map(|k| props.get(k))?;
    literal(env, Some(node))
}

/// What a target (or a SAM event, which has the same keys) sends: `Input`, `InputPath` or
/// `InputTransformer`. A value that does not resolve is as unknown as a transformer's output.
fn target_input(env: &mut Env<'_>, t: &Node) -> super::TargetInput {
    use super::TargetInput;
    if t.get("InputTransformer").is_some() {
        return TargetInput::Transformed;
    }
    if let Some(input) = t.get("Input") {
        return literal(env, Some(input)).map_or(TargetInput::Transformed, TargetInput::Constant);
    }
    if let Some(path) = t.get("InputPath") {
        return literal(env, Some(path)).map_or(TargetInput::Transformed, TargetInput::Path);
    }
    TargetInput::Event
}

pub(super) fn number(env: &mut Env<'_>, node: Option<&Node>, draft: &mut Draft) -> Option<i64> {
    let node = node?;
    let v = env.eval(node);
    let text = env.text(&v, &node.at);
    draft.take(env, false);
    text.trim().parse().ok()
}

fn retry(env: &mut Env<'_>, node: Option<&Node>, target: &mut ImportedTarget, draft: &mut Draft) {
    if let Some(policy) = node {
        target.has_retry_policy = true;
        target.maximum_retry_attempts = number(env, policy.get("MaximumRetryAttempts"), draft);
        target.maximum_event_age_seconds =
            number(env, policy.get("MaximumEventAgeInSeconds"), draft);
    }
}

/// A value as text when it resolves; `None`, and no notes, when it does not (the caller has a
/// fallback, such as the logical id for a name).
pub(super) fn literal(env: &mut Env<'_>, node: Option<&Node>) -> Option<String> {
    text_apart(env, node?).ok()
}

/// A rule's name when it resolves. When it does not, the rule is named by its logical id, and
/// what could not be resolved is noted (a name holds no routing, so the note does not stop
/// matching).
pub(super) fn rule_name(
    env: &mut Env<'_>,
    node: Option<&Node>,
    draft: &mut Draft,
) -> Option<String> {
    text_apart(env, node?)
        .map_err(|notes| draft.other.extend(notes))
        .ok()
}

/// A value as text, evaluated apart from the notes gathered so far: the text when it resolves,
/// else the notes saying why not.
fn text_apart(env: &mut Env<'_>, node: &Node) -> Result<String, Vec<EvalNote>> {
    let saved = std::mem::take(&mut env.unresolved);
    let v = env.eval(node);
    let text = env.text(&v, &node.at);
    let notes = std::mem::replace(&mut env.unresolved, saved);
    if text.contains(PLACEHOLDER) {
        Err(notes)
    } else {
        Ok(text)
    }
}

pub(super) fn cdk_path(res: &Node) -> Option<&str> {
    res.get("Metadata")?.get("aws:cdk:path")?.as_str()
}

/// What an imported item is known by: its CDK construct path, else its logical id.
pub(super) fn origin(res: &Node, id: &str) -> String {
    cdk_path(res).map_or_else(|| id.to_string(), String::from)
}

/// What one event of a SAM function or state machine is known by: its resource's origin, then
/// `/Events/NAME`. The rules, filters and mappings SAM makes from it share it.
pub(super) fn event_origin(res: &Node, id: &str, event: &str) -> String {
    format!("{}/Events/{event}", origin(res, id))
}

/// A resource's name when its template gives none: the construct path without its
/// `/Resource`, else the logical id.
pub(super) fn default_name(res: &Node, id: &str) -> String {
    cdk_path(res).map_or_else(
        || id.to_string(),
        |p| p.strip_suffix("/Resource").unwrap_or(p).to_string(),
    )
}

pub(super) fn state(env: &mut Env<'_>, node: Option<&Node>, draft: &mut Draft) -> bool {
    let Some(node) = node else { return true };
    let v = env.eval(node);
    let text = env.text(&v, &node.at);
    draft.take(env, true);
    !text.eq_ignore_ascii_case("DISABLED") && text != "false"
}

fn finish(
    cx: &Context<'_>,
    draft: Draft,
    name: String,
    origin: String,
    location: Location,
    parts: (String, String, bool, Vec<ImportedTarget>),
) -> ImportedRule {
    let (bus, pattern, enabled, targets) = parts;
    let bus_place = draft.bus_place.clone();
    let unmatchable = !draft.critical.is_empty() || pattern.contains(PLACEHOLDER);
    let mut unresolved = notes(cx.file, draft.critical, true);
    unresolved.extend(notes(cx.file, draft.other, false));
    ImportedRule {
        name,
        bus,
        bus_place,
        pattern,
        enabled,
        targets,
        file: cx.file.to_string(),
        location,
        origin,
        unresolved,
        warnings: notes(cx.file, draft.typed, false),
        unmatchable,
    }
}

fn events_rule(env: &mut Env<'_>, cx: &Context<'_>, id: &str, res: &Node) -> Option<ImportedRule> {
    let mut draft = Draft::new();
    if !exists(env, res, &mut draft) {
        return None;
    }
    let props = res.get("Properties")?;
    // A rule with only a schedule has no pattern to match.
    let pattern_node = props.get("EventPattern")?;
    let pattern = pattern(env, pattern_node, &mut draft);
    let bus = bus(env, props.get("EventBusName"), &mut draft);
    let enabled = state(env, props.get("State"), &mut draft);
    let origin = origin(res, id);
    let name =
        rule_name(env, props.get("Name"), &mut draft).unwrap_or_else(|| default_name(res, id));
    let mut targets = Vec::new();
    if let Some(list) = props.get("Targets") {
        let items: Vec<Node> = match &list.value {
            super::tree::Tree::List(items) => items.clone(),
            _ => Vec::new(),
        };
        for t in &items {
            let id = literal(env, t.get("Id")).unwrap_or_default();
            let name = t
                .get("Arn")
                .map(|a| target_name(env, a, &mut draft))
                .unwrap_or_default();
            let dead_letter_queue = t
                .get("DeadLetterConfig")
                .and_then(|d| d.get("Arn"))
                .map(|a| target_name(env, a, &mut draft));
            let mut target = ImportedTarget {
                id,
                name,
                dead_letter_queue,
                maximum_retry_attempts: None,
                maximum_event_age_seconds: None,
                has_retry_policy: false,
                input: target_input(env, t),
            };
            retry(env, t.get("RetryPolicy"), &mut target, &mut draft);
            targets.push(target);
        }
    }
    Some(finish(
        cx,
        draft,
        name,
        origin,
        res.at.clone(),
        (bus, pattern, enabled, targets),
    ))
}

/// The rules SAM makes from a function's or state machine's events.
fn serverless(env: &mut Env<'_>, cx: &Context<'_>, id: &str, res: &Node) -> Vec<ImportedRule> {
    let mut out = Vec::new();
    let Some(props) = res.get("Properties") else {
        return out;
    };
    let Some(events) = props.get("Events") else {
        return out;
    };
    let is_function = res.get("Type").and_then(Node::as_str) == Some("AWS::Serverless::Function");
    for (event_name, event) in events.entries() {
        let kind = event.get("Type").and_then(Node::as_str).unwrap_or_default();
        if kind != "EventBridgeRule" && kind != "CloudWatchEvent" {
            continue;
        }
        let mut draft = Draft::new();
        if !exists(env, res, &mut draft) {
            return out;
        }
        let Some(ep) = event.get("Properties") else {
            continue;
        };
        let Some(pattern_node) = ep.get("Pattern") else {
            continue;
        };
        let pattern = pattern(env, pattern_node, &mut draft);
        let bus = bus(env, ep.get("EventBusName"), &mut draft);
        let mut enabled = state(env, ep.get("State"), &mut draft);
        if let Some(e) = ep.get("Enabled") {
            enabled &= state(env, Some(e), &mut draft);
        }
        // SAM names the generated rule resource after the function and the event.
        let logical = format!("{id}{event_name}");
        let name =
            rule_name(env, ep.get("RuleName"), &mut draft).unwrap_or_else(|| logical.clone());
        let target = literal(
            env,
            props.get(if is_function { "FunctionName" } else { "Name" }),
        )
        .unwrap_or_else(|| id.to_string());
        let target_id = ep
            .get("Target")
            .and_then(|t| literal(env, t.get("Id")))
            .unwrap_or_else(|| {
                format!(
                    "{logical}{}",
                    if is_function {
                        "LambdaTarget"
                    } else {
                        "StepFunctionsTarget"
                    }
                )
            });
        let dead_letter_queue = ep.get("DeadLetterConfig").map(|d| {
            if let Some(arn) = d.get("Arn") {
                target_name(env, arn, &mut draft)
            } else {
                // `Type: SQS`: SAM creates the queue, named by QueueLogicalId or after the rule.
                literal(env, d.get("QueueLogicalId")).unwrap_or_else(|| format!("{logical}Queue"))
            }
        });
        let mut target = ImportedTarget {
            id: target_id,
            name: target,
            dead_letter_queue,
            maximum_retry_attempts: None,
            maximum_event_age_seconds: None,
            has_retry_policy: false,
            input: target_input(env, ep),
        };
        retry(env, ep.get("RetryPolicy"), &mut target, &mut draft);
        let origin = event_origin(res, id, event_name);
        out.push(finish(
            cx,
            draft,
            name,
            origin,
            event.at.clone(),
            (bus, pattern, enabled, vec![target]),
        ));
    }
    out
}
