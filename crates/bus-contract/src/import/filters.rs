//! Filters in CloudFormation and SAM: `AWS::Pipes::Pipe` (`SourceParameters.FilterCriteria`),
//! `AWS::Lambda::EventSourceMapping` (`FilterCriteria`), `AWS::SNS::Subscription`
//! (`FilterPolicy`, `FilterPolicyScope`), and the `SQS`, `Kinesis`, `DynamoDB`, `MSK`,
//! `SelfManagedKafka` and `SNS` events of `AWS::Serverless::Function`. The source each reads is
//! named as a rule's targets are, so that `check` can follow events from a rule to its queue,
//! stream or topic and through the filter.

use super::cfn::{
    Context, Draft, default_name, event_origin, exists, literal, notes, origin, pattern, state,
    target_name,
};
use super::eval::{Env, Val};
use super::tree::{Node, Tree};
use super::{Imported, ImportedFilter, Note, PLACEHOLDER, arn_name};
use crate::Dialect;

/// What kind of source an ARN names, by its service: `Ok(None)` for Amazon MQ, which no
/// dialect models; `Err` for anything else.
pub(crate) fn kind_of_arn(arn: &str) -> Result<Option<Dialect>, ()> {
    let service = arn.split(':').nth(2).unwrap_or_default();
    match service {
        "sqs" => Ok(Some(Dialect::LambdaSqs)),
        "kinesis" => Ok(Some(Dialect::LambdaKinesis)),
        "dynamodb" => Ok(Some(Dialect::LambdaDynamodb)),
        "kafka" => Ok(Some(Dialect::LambdaKafka)),
        "mq" => Ok(None),
        "sns" => Ok(Some(Dialect::SnsAttributes)),
        _ => Err(()),
    }
}

/// What kind of source a resource type is.
fn kind_of_type(ty: &str) -> Result<Option<Dialect>, ()> {
    match ty {
        "AWS::SQS::Queue" => Ok(Some(Dialect::LambdaSqs)),
        "AWS::Kinesis::Stream" => Ok(Some(Dialect::LambdaKinesis)),
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => Ok(Some(Dialect::LambdaDynamodb)),
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => Ok(Some(Dialect::LambdaKafka)),
        "AWS::AmazonMQ::Broker" => Ok(None),
        "AWS::SNS::Topic" => Ok(Some(Dialect::SnsAttributes)),
        _ => Err(()),
    }
}

/// What kind of source a Terraform resource type is.
pub(crate) fn kind_of_terraform_type(ty: &str) -> Result<Option<Dialect>, ()> {
    match ty {
        "aws_sqs_queue" => Ok(Some(Dialect::LambdaSqs)),
        "aws_kinesis_stream" => Ok(Some(Dialect::LambdaKinesis)),
        "aws_dynamodb_table" => Ok(Some(Dialect::LambdaDynamodb)),
        "aws_msk_cluster" | "aws_msk_serverless_cluster" => Ok(Some(Dialect::LambdaKafka)),
        "aws_mq_broker" => Ok(None),
        "aws_sns_topic" => Ok(Some(Dialect::SnsAttributes)),
        _ => Err(()),
    }
}

/// The dialect of an SNS subscription's `filter_policy_scope` or `FilterPolicyScope`.
pub(crate) fn sns_scope(scope: Option<&str>) -> Option<Dialect> {
    match scope {
        None | Some("" | "MessageAttributes") => Some(Dialect::SnsAttributes),
        Some("MessageBody") => Some(Dialect::SnsBody),
        Some(_) => None,
    }
}

/// An imported filter's dialect: a pipe's or an SNS subscription's own, else that of the
/// Lambda mapping's source.
pub(crate) fn dialect_of(own: Option<Dialect>, source_kind: Option<Dialect>) -> Option<Dialect> {
    match own {
        Some(Dialect::Pipes) => Some(Dialect::Pipes),
        Some(d) if d.is_sns() => Some(d),
        _ => source_kind,
    }
}

/// The note for a filter on an Amazon MQ broker.
pub(crate) fn mq_note(file: &str, at: crate::diag::Location, origin: &str) -> Note {
    Note::about(
        file,
        at,
        format!(
            "{origin} filters an Amazon MQ broker's messages, which bus-contract does not model: its filter is not checked"
        ),
    )
}

/// The name an ARN gives its source: a DynamoDB stream's table, else what targets are
/// named by.
pub(crate) fn source_name_of_arn(arn: &str) -> String {
    // A DynamoDB stream's table (`table/NAME/stream/…`), a Kafka cluster's name
    // (`cluster/NAME/UUID`).
    for marker in [":table/", ":cluster/"] {
        if let Some((_, rest)) = arn.split_once(marker) {
            return rest.split('/').next().unwrap_or(rest).to_string();
        }
    }
    arn_name(arn)
}

/// A source as it is read: its name, and its kind when that is known.
struct Source {
    name: String,
    kind: Result<Option<Dialect>, ()>,
}

fn source(env: &mut Env<'_>, node: &Node, draft: &mut Draft) -> Source {
    let v = env.eval(node);
    let kind = match &v {
        Val::Res { id, .. } => env.resource_type(id).map_or(Err(()), kind_of_type),
        v => {
            let text = env.text(v, &node.at);
            if text.contains(PLACEHOLDER) {
                Err(())
            } else {
                kind_of_arn(&text)
            }
        }
    };
    let name = match &v {
        Val::Res { .. } => target_name(env, node, draft),
        v => {
            let text = env.text(v, &node.at);
            source_name_of_arn(&text)
        }
    };
    draft.take(env, true);
    Source { name, kind }
}

/// A source's name and kind (`None` when not known offline or not modelled), for the
/// practice checks.
pub(super) fn source_of(
    env: &mut Env<'_>,
    node: &Node,
    draft: &mut Draft,
) -> (String, Option<Dialect>) {
    let s = source(env, node, draft);
    (s.name, s.kind.ok().flatten())
}

/// The patterns of a `FilterCriteria`: `Filters`, each with a `Pattern`.
fn criteria(env: &mut Env<'_>, node: &Node, draft: &mut Draft) -> Vec<String> {
    let Some(Tree::List(filters)) = node.get("Filters").map(|f| &f.value) else {
        return Vec::new();
    };
    filters
        .iter()
        .filter_map(|f| f.get("Pattern"))
        .map(|p| pattern(env, p, draft))
        .collect()
}

/// A filter being assembled, with what its resource says.
struct Found {
    name: String,
    origin: String,
    dialect: Option<Dialect>,
    source: Source,
    patterns: Vec<String>,
    target: Option<String>,
    enabled: bool,
    location: crate::diag::Location,
}

fn finish(cx: &Context<'_>, env: &mut Env<'_>, mut draft: Draft, found: Found, out: &mut Imported) {
    draft.take(env, false);
    let source_kind = match found.source.kind {
        Ok(Some(k)) => Some(k),
        Ok(None) => {
            out.unread
                .push(mq_note(cx.file, found.location.clone(), &found.origin));
            return;
        }
        Err(()) => {
            draft.critical.push(super::eval::Note {
                at: found.location.clone(),
                message: format!(
                    "what kind of source {} reads (a queue, stream or topic) cannot be known offline, so neither can its filter's dialect",
                    found.origin
                ),
            });
            None
        }
    };
    let dialect = dialect_of(found.dialect, source_kind);
    let unmatchable = !draft.critical.is_empty()
        || dialect.is_none()
        || found.patterns.iter().any(|p| p.contains(PLACEHOLDER));
    let mut unresolved = notes(cx.file, draft.critical, true);
    unresolved.extend(notes(cx.file, draft.other, false));
    out.filters.push(ImportedFilter {
        name: found.name,
        dialect,
        source_kind,
        source: found.source.name,
        patterns: found.patterns,
        target: found.target,
        enabled: found.enabled,
        file: cx.file.to_string(),
        location: found.location,
        origin: found.origin,
        unresolved,
        unmatchable,
    });
}

/// An SNS subscription's dialect, from its `FilterPolicyScope` (`MessageAttributes` when
/// none is given).
fn sns_dialect(env: &mut Env<'_>, scope: Option<&Node>, draft: &mut Draft) -> Option<Dialect> {
    let Some(scope) = scope else {
        return Some(Dialect::SnsAttributes);
    };
    let text = literal(env, Some(scope));
    match text.as_deref().and_then(|s| sns_scope(Some(s))) {
        Some(d) => Some(d),
        None => {
            let other = text.as_deref();
            draft.critical.push(super::eval::Note {
                at: scope.at.clone(),
                message: match other {
                    Some(s) => format!(
                        "FilterPolicyScope `{s}` is neither MessageAttributes nor MessageBody"
                    ),
                    None => "FilterPolicyScope cannot be resolved offline".to_string(),
                },
            });
            None
        }
    }
}

/// A pipe, an event-source mapping or an SNS subscription, when it filters.
pub(super) fn resource(
    env: &mut Env<'_>,
    cx: &Context<'_>,
    id: &str,
    ty: &str,
    res: &Node,
    out: &mut Imported,
) {
    let mut draft = Draft::new();
    if !exists(env, res, &mut draft) {
        return;
    }
    let Some(props) = res.get("Properties") else {
        return;
    };
    let origin = origin(res, id);
    let found = match ty {
        "AWS::Lambda::EventSourceMapping" => {
            // A mapping without filter criteria takes every record: nothing to check.
            let Some(fc) = props.get("FilterCriteria") else {
                return;
            };
            let source = match props.get("EventSourceArn") {
                Some(arn) => source(env, arn, &mut draft),
                None if props.get("SelfManagedEventSource").is_some() => Source {
                    name: topics(env, props.get("Topics")),
                    kind: Ok(Some(Dialect::LambdaKafka)),
                },
                None => return,
            };
            let patterns = criteria(env, fc, &mut draft);
            let target = props
                .get("FunctionName")
                .map(|f| target_name(env, f, &mut draft));
            let enabled = state(env, props.get("Enabled"), &mut draft);
            Found {
                name: default_name(res, id),
                origin,
                dialect: None,
                source,
                patterns,
                target,
                enabled,
                location: res.at.clone(),
            }
        }
        "AWS::Pipes::Pipe" => {
            let Some(fc) = props
                .get("SourceParameters")
                .and_then(|s| s.get("FilterCriteria"))
            else {
                return;
            };
            let Some(src) = props.get("Source") else {
                return;
            };
            let source = source(env, src, &mut draft);
            let patterns = criteria(env, fc, &mut draft);
            let target = props.get("Target").map(|t| target_name(env, t, &mut draft));
            let enabled = match props.get("DesiredState") {
                Some(s) => literal(env, Some(s)).is_none_or(|s| s != "STOPPED"),
                None => true,
            };
            let name = literal(env, props.get("Name")).unwrap_or_else(|| default_name(res, id));
            Found {
                name,
                origin,
                dialect: Some(Dialect::Pipes),
                source,
                patterns,
                target,
                enabled,
                location: res.at.clone(),
            }
        }
        "AWS::SNS::Subscription" => {
            let Some(policy) = props.get("FilterPolicy") else {
                return;
            };
            let Some(topic) = props.get("TopicArn") else {
                return;
            };
            let source = source(env, topic, &mut draft);
            let dialect = sns_dialect(env, props.get("FilterPolicyScope"), &mut draft);
            let patterns = vec![pattern(env, policy, &mut draft)];
            let target = props
                .get("Endpoint")
                .map(|e| target_name(env, e, &mut draft));
            Found {
                name: default_name(res, id),
                origin,
                dialect: dialect.or(Some(Dialect::SnsAttributes)),
                source: Source {
                    kind: dialect.map_or(Err(()), |d| Ok(Some(d))),
                    ..source
                },
                patterns,
                target,
                enabled: true,
                location: res.at.clone(),
            }
        }
        _ => return,
    };
    finish(cx, env, draft, found, out);
}

/// A self-managed Kafka source's name: its topics.
fn topics(env: &mut Env<'_>, node: Option<&Node>) -> String {
    let Some(node) = node else {
        return "kafka".to_string();
    };
    match env.eval(node) {
        Val::List(items) => items
            .iter()
            .map(|i| env.text(i, &node.at))
            .collect::<Vec<_>>()
            .join(","),
        v => env.text(&v, &node.at),
    }
}

/// The filters SAM makes from a function's `SQS`, `Kinesis`, `DynamoDB`, `MSK`,
/// `SelfManagedKafka`, `MQ` and `SNS` events.
pub(super) fn serverless(
    env: &mut Env<'_>,
    cx: &Context<'_>,
    id: &str,
    res: &Node,
    out: &mut Imported,
) {
    let Some(events) = res.get("Properties").and_then(|p| p.get("Events")) else {
        return;
    };
    let function = literal(
        env,
        res.get("Properties").and_then(|p| p.get("FunctionName")),
    )
    .unwrap_or_else(|| id.to_string());
    for (event_name, event) in events.entries() {
        let kind = event.get("Type").and_then(Node::as_str).unwrap_or_default();
        let Some(ep) = event.get("Properties") else {
            continue;
        };
        let mut draft = Draft::new();
        if !exists(env, res, &mut draft) {
            return;
        }
        let origin = event_origin(res, id, event_name);
        // SAM names the mapping or subscription after the function and the event.
        let name = format!("{id}{event_name}");
        let (dialect, source, patterns) = match kind {
            "SQS" | "Kinesis" | "DynamoDB" | "MSK" | "MQ" | "SelfManagedKafka" => {
                let Some(fc) = ep.get("FilterCriteria") else {
                    continue;
                };
                let key = match kind {
                    "SQS" => "Queue",
                    "MQ" => "Broker",
                    _ => "Stream",
                };
                let source = match (kind, ep.get(key)) {
                    ("SelfManagedKafka", _) => Source {
                        name: topics(env, ep.get("Topics")),
                        kind: Ok(Some(Dialect::LambdaKafka)),
                    },
                    ("MQ", _) => Source {
                        name: String::new(),
                        kind: Ok(None),
                    },
                    (_, Some(node)) => source(env, node, &mut draft),
                    (_, None) => continue,
                };
                let patterns = criteria(env, fc, &mut draft);
                (None, source, patterns)
            }
            "SNS" => {
                let Some(policy) = ep.get("FilterPolicy") else {
                    continue;
                };
                let Some(topic) = ep.get("Topic") else {
                    continue;
                };
                let source = source(env, topic, &mut draft);
                let dialect = sns_dialect(env, ep.get("FilterPolicyScope"), &mut draft);
                let patterns = vec![pattern(env, policy, &mut draft)];
                let source = Source {
                    kind: dialect.map_or(Err(()), |d| Ok(Some(d))),
                    ..source
                };
                (dialect.or(Some(Dialect::SnsAttributes)), source, patterns)
            }
            _ => continue,
        };
        let enabled = state(env, ep.get("Enabled"), &mut draft);
        let found = Found {
            name,
            origin,
            dialect,
            source,
            patterns,
            target: Some(function.clone()),
            enabled,
            location: event.at.clone(),
        };
        finish(cx, env, draft, found, out);
    }
}
