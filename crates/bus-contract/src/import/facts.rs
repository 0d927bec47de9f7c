//! What the practice checks need from CloudFormation and SAM besides rules and filters:
//! `AWS::CloudWatch::Alarm` (namespace, metric, dimensions), Lambda functions' `Timeout` and
//! `ReservedConcurrentExecutions` (SAM's `Globals` included), SQS queues' `VisibilityTimeout`,
//! and every event-source mapping's batching (`AWS::Lambda::EventSourceMapping`, and the queue
//! and stream events of `AWS::Serverless::Function`).

use super::cfn::{Context, Draft, event_origin, exists, literal, number, origin, target_name};
use super::eval::Env;
use super::filters::source_of;
use super::tree::{Node, Tree};
use super::{Imported, ImportedAlarm, ImportedFunction, ImportedMapping, ImportedQueue};

/// Lambda's default timeout, seconds.
const LAMBDA_TIMEOUT: i64 = 3;
/// SQS's default visibility timeout, seconds.
const SQS_VISIBILITY: i64 = 30;

/// A name as rules name their targets: a resource's literal name or logical id, the last part
/// of an ARN, or the text.
fn named(env: &mut Env<'_>, root: &Node, node: &Node) -> String {
    // A `Ref` to what the template does not declare is a resource SAM makes (a function
    // event's rule, `FunctionEventName`): its logical id is how the import names it.
    if let Some(id) = node.get("Ref").and_then(Node::as_str) {
        let parameter = root.get("Parameters").and_then(|p| p.get(id)).is_some();
        if env.resource(id).is_none() && !parameter && !id.starts_with("AWS::") {
            return id.to_string();
        }
    }
    let mut draft = Draft::new();
    target_name(env, node, &mut draft)
}

fn integer(env: &mut Env<'_>, node: Option<&Node>) -> Option<i64> {
    let mut draft = Draft::new();
    number(env, node, &mut draft)
}

/// Whether `FunctionResponseTypes` lists `ReportBatchItemFailures`.
fn reports_failures(env: &mut Env<'_>, node: Option<&Node>) -> bool {
    let Some(Tree::List(items)) = node.map(|n| &n.value) else {
        return false;
    };
    items
        .iter()
        .any(|i| literal(env, Some(i)).as_deref() == Some("ReportBatchItemFailures"))
}

/// The facts of one resource, when it is a kind the practices read.
pub(super) fn resource(
    env: &mut Env<'_>,
    cx: &Context<'_>,
    root: &Node,
    id: &str,
    ty: &str,
    res: &Node,
    out: &mut Imported,
) {
    let mut draft = Draft::new();
    if !exists(env, res, &mut draft) {
        return;
    }
    let props = res.get("Properties");
    let prop = |k: &str| props.and_then(|p| p.get(k));
    let origin = origin(res, id);
    match ty {
        "AWS::CloudWatch::Alarm" => {
            let text = |env: &mut Env<'_>, k: &str| literal(env, prop(k)).unwrap_or_default();
            let mut dimensions = Vec::new();
            if let Some(Tree::List(dims)) = prop("Dimensions").map(|d| &d.value) {
                for d in dims {
                    let name = literal(env, d.get("Name")).unwrap_or_default();
                    let value = d
                        .get("Value")
                        .map(|v| named(env, root, v))
                        .unwrap_or_default();
                    dimensions.push((name, value));
                }
            }
            out.alarms.push(ImportedAlarm {
                name: literal(env, prop("AlarmName")).unwrap_or_else(|| id.to_string()),
                namespace: text(env, "Namespace"),
                metric: text(env, "MetricName"),
                dimensions,
            });
        }
        "AWS::SQS::Queue" => {
            let name = literal(env, prop("QueueName")).unwrap_or_else(|| id.to_string());
            out.queues.push(ImportedQueue {
                name,
                visibility_timeout: integer(env, prop("VisibilityTimeout"))
                    .unwrap_or(SQS_VISIBILITY),
            });
        }
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
            let globals = root
                .get("Globals")
                .and_then(|g| g.get("Function"))
                .filter(|_| ty == "AWS::Serverless::Function");
            let timeout = integer(env, prop("Timeout"))
                .or_else(|| integer(env, globals.and_then(|g| g.get("Timeout"))))
                .unwrap_or(LAMBDA_TIMEOUT);
            let reserved = integer(env, prop("ReservedConcurrentExecutions")).or_else(|| {
                integer(
                    env,
                    globals.and_then(|g| g.get("ReservedConcurrentExecutions")),
                )
            });
            let name = literal(env, prop("FunctionName")).unwrap_or_else(|| id.to_string());
            out.functions.push(ImportedFunction {
                name: name.clone(),
                timeout,
                reserved_concurrency: reserved,
                file: cx.file.to_string(),
                location: res.at.clone(),
            });
            if ty == "AWS::Serverless::Function" {
                serverless_mappings(env, cx, id, res, &name, out);
            }
        }
        "AWS::Lambda::EventSourceMapping" => {
            let (source, source_kind) = match prop("EventSourceArn") {
                Some(arn) => source_of(env, arn, &mut draft),
                None => ("kafka".to_string(), Some(crate::Dialect::LambdaKafka)),
            };
            out.mappings.push(ImportedMapping {
                origin,
                source,
                source_kind,
                function: prop("FunctionName").map(|f| named(env, root, f)),
                batch_size: integer(env, prop("BatchSize")),
                batching_window: integer(env, prop("MaximumBatchingWindowInSeconds")),
                report_batch_item_failures: reports_failures(env, prop("FunctionResponseTypes")),
                maximum_concurrency: integer(
                    env,
                    prop("ScalingConfig").and_then(|s| s.get("MaximumConcurrency")),
                ),
                file: cx.file.to_string(),
                location: res.at.clone(),
            });
        }
        _ => {}
    }
}

/// The mappings SAM makes from a function's queue and stream events.
fn serverless_mappings(
    env: &mut Env<'_>,
    cx: &Context<'_>,
    id: &str,
    res: &Node,
    function: &str,
    out: &mut Imported,
) {
    let Some(events) = res.get("Properties").and_then(|p| p.get("Events")) else {
        return;
    };
    for (event_name, event) in events.entries() {
        let kind = event.get("Type").and_then(Node::as_str).unwrap_or_default();
        let key = match kind {
            "SQS" => "Queue",
            "Kinesis" | "DynamoDB" | "MSK" => "Stream",
            _ => continue,
        };
        let Some(ep) = event.get("Properties") else {
            continue;
        };
        let mut draft = Draft::new();
        let (source, source_kind) = match ep.get(key) {
            Some(node) => source_of(env, node, &mut draft),
            None => continue,
        };
        let origin = event_origin(res, id, event_name);
        out.mappings.push(ImportedMapping {
            origin,
            source,
            source_kind,
            function: Some(function.to_string()),
            batch_size: integer(env, ep.get("BatchSize")),
            batching_window: integer(env, ep.get("MaximumBatchingWindowInSeconds")),
            report_batch_item_failures: reports_failures(env, ep.get("FunctionResponseTypes")),
            maximum_concurrency: integer(
                env,
                ep.get("ScalingConfig")
                    .and_then(|s| s.get("MaximumConcurrency")),
            ),
            file: cx.file.to_string(),
            location: event.at.clone(),
        });
    }
}
