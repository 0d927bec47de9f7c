//! CloudFormation's intrinsic functions, evaluated offline against parameter defaults,
//! `--parameter` overrides and the pseudo parameters. What cannot be known offline becomes a
//! placeholder, `${unresolved:…}`, and a note saying what and where: never a guess.

use std::collections::BTreeMap;

use super::tree::{Node, Tree};
use crate::diag::Location;
use crate::environment::ENVIRONMENT;

/// A value that cannot be known offline is written `${unresolved:WHAT}`; this is its start.
pub const PLACEHOLDER: &str = "${unresolved:";

/// An evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
    /// A resource of the template (`Ref` or `Fn::GetAtt`): known by name, not by value.
    Res {
        id: String,
        attr: Option<String>,
        at: Location,
    },
    /// `AWS::NoValue`: the property is dropped.
    NoValue,
}

/// Something that could not be resolved, or was read in a way worth a warning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Note {
    pub(crate) at: Location,
    pub(crate) message: String,
}

/// One template being evaluated.
pub(crate) struct Env<'t> {
    pub(crate) root: &'t Node,
    pub(crate) parameters: &'t BTreeMap<String, String>,
    pub(crate) stack_name: Option<String>,
    /// Unresolved values met since the last `take_notes`.
    pub(crate) unresolved: Vec<Note>,
    /// Plain YAML scalars typed as booleans or numbers, when `watch_typed` is on.
    pub(crate) typed: Vec<Note>,
    pub(crate) watch_typed: bool,
    conditions: BTreeMap<String, Option<bool>>,
    depth: usize,
    /// Nodes evaluated so far: the whole evaluation is bounded, not only its depth.
    work: usize,
}

const MAX_DEPTH: usize = 64;

/// The most nodes one template's evaluation visits: a real template visits thousands.
const MAX_WORK: usize = 10_000_000;

/// Resource types whose `Ref` (no attribute) or `Fn::GetAtt` attribute returns the value of a
/// property, the resource's name, as CloudFormation's template reference documents them.
/// When the property is not given, CloudFormation generates the name: it stays unresolved.
pub(crate) const NAMED_BY: &[(&str, Option<&str>, &str)] = &[
    (
        "AWS::AutoScaling::AutoScalingGroup",
        None,
        "AutoScalingGroupName",
    ),
    ("AWS::CodeBuild::Project", None, "Name"),
    (
        "AWS::CodeCommit::Repository",
        Some("Name"),
        "RepositoryName",
    ),
    ("AWS::CodePipeline::Pipeline", None, "Name"),
    ("AWS::DynamoDB::Table", None, "TableName"),
    ("AWS::ECR::Repository", None, "RepositoryName"),
    ("AWS::ECS::Cluster", None, "ClusterName"),
    ("AWS::Glue::Crawler", None, "Name"),
    ("AWS::Glue::Job", None, "Name"),
    ("AWS::IAM::Role", None, "RoleName"),
    ("AWS::Kinesis::Stream", None, "Name"),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        None,
        "DeliveryStreamName",
    ),
    ("AWS::Lambda::Function", None, "FunctionName"),
    ("AWS::Logs::LogGroup", None, "LogGroupName"),
    ("AWS::S3::Bucket", None, "BucketName"),
    ("AWS::SNS::Topic", Some("TopicName"), "TopicName"),
    ("AWS::SQS::Queue", Some("QueueName"), "QueueName"),
    ("AWS::SSM::Parameter", None, "Name"),
    (
        "AWS::StepFunctions::StateMachine",
        Some("Name"),
        "StateMachineName",
    ),
];

/// The parameter types whose value is a Parameter Store parameter's: `AWS::SSM::Parameter::Value<…>`.
const SSM_TYPE: &str = "AWS::SSM::Parameter::Value<";

/// Where a dynamic reference begins.
const DYNAMIC: &str = "{{resolve:";

fn placeholder(what: &str) -> String {
    format!("{PLACEHOLDER}{what}}}")
}

impl<'t> Env<'t> {
    pub(crate) fn new(root: &'t Node, parameters: &'t BTreeMap<String, String>) -> Env<'t> {
        Env {
            root,
            parameters,
            stack_name: parameters.get("AWS::StackName").cloned(),
            unresolved: Vec::new(),
            typed: Vec::new(),
            watch_typed: false,
            conditions: BTreeMap::new(),
            depth: 0,
            work: 0,
        }
    }

    pub(crate) fn resource(&self, id: &str) -> Option<&'t Node> {
        self.root.get("Resources")?.get(id)
    }

    pub(crate) fn resource_type(&self, id: &str) -> Option<&'t str> {
        self.resource(id)?.get("Type")?.as_str()
    }

    fn unresolved(&mut self, at: &Location, what: &str, why: &str) -> Val {
        Val::Str(self.placeholder(at, what, why))
    }

    /// Notes what cannot be resolved, and why; returns its placeholder.
    fn placeholder(&mut self, at: &Location, what: &str, why: &str) -> String {
        let message = if why.is_empty() {
            format!("{what} cannot be resolved offline")
        } else {
            format!("{what} cannot be resolved: {why}")
        };
        self.unresolved.push(Note {
            at: at.clone(),
            message,
        });
        placeholder(what)
    }

    /// Evaluates a node: intrinsics resolved, `AWS::NoValue` dropped.
    pub(crate) fn eval(&mut self, node: &Node) -> Val {
        if self.depth > MAX_DEPTH {
            return self.unresolved(&node.at, "a value", "intrinsics nest too deep");
        }
        self.work += 1;
        if self.work > MAX_WORK {
            return self.unresolved(
                &node.at,
                "a value",
                "the template takes too much work to evaluate",
            );
        }
        self.depth += 1;
        let v = self.eval_inner(node);
        self.depth -= 1;
        match v {
            Val::Str(s) if s.contains(DYNAMIC) => Val::Str(self.dynamic_references(&s, &node.at)),
            v => v,
        }
    }

    /// A string with its dynamic references (`{{resolve:ssm:…}}`, `{{resolve:ssm-secure:…}}`,
    /// `{{resolve:secretsmanager:…}}`) replaced by placeholders: CloudFormation resolves them
    /// at deploy time, from Parameter Store or Secrets Manager.
    fn dynamic_references(&mut self, s: &str, at: &Location) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find(DYNAMIC) {
            let Some(len) = rest[i..].find("}}") else {
                break;
            };
            out.push_str(&rest[..i]);
            let reference = &rest[i + 2..i + len];
            let service = match reference.split(':').nth(1) {
                Some("secretsmanager") => "from Secrets Manager",
                Some("ssm" | "ssm-secure") => "from Parameter Store",
                _ => "",
            };
            let message = format!(
                "the dynamic reference {{{{{reference}}}}} cannot be resolved offline: CloudFormation reads it {service} at deploy time"
            )
            .replace("  at", " at");
            self.unresolved.push(Note {
                at: at.clone(),
                message,
            });
            out.push_str(&placeholder(reference));
            rest = &rest[i + len + 2..];
        }
        out.push_str(rest);
        out
    }

    fn eval_inner(&mut self, node: &Node) -> Val {
        match &node.value {
            Tree::Null => Val::Null,
            Tree::Bool(b) => {
                self.watch(node, &b.to_string());
                Val::Bool(*b)
            }
            Tree::Number(n) => {
                self.watch(node, n);
                Val::Num(n.clone())
            }
            Tree::String(s) => {
                self.watch(node, s);
                Val::Str(s.clone())
            }
            Tree::List(items) => Val::List(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .filter(|v| *v != Val::NoValue)
                    .collect(),
            ),
            Tree::Map(entries) => {
                if let [(key, arg)] = entries.as_slice() {
                    if key == "Ref" || key.starts_with("Fn::") {
                        return self.intrinsic(key, arg, &node.at);
                    }
                    if key.starts_with(super::tree::UNKNOWN_TAG) {
                        return self.unresolved(
                            &node.at,
                            key,
                            "CloudFormation has no such function (a pre-processor's tag?), so its value is not known offline",
                        );
                    }
                }
                Val::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), self.eval(v)))
                        .filter(|(_, v)| *v != Val::NoValue)
                        .collect(),
                )
            }
        }
    }

    /// Notes a plain YAML scalar whose type a template reader decides: a boolean, or a
    /// number not written canonically (`4.0`, `1e3`, `+5`), which a conversion may rewrite.
    fn watch(&mut self, node: &Node, text: &str) {
        let canonical_integer = text
            .strip_prefix('-')
            .unwrap_or(text)
            .bytes()
            .all(|b| b.is_ascii_digit());
        if matches!(node.value, Tree::Number(_)) && canonical_integer {
            return;
        }
        if self.watch_typed && node.typed_plain {
            let message = if matches!(node.value, Tree::String(_)) {
                format!(
                    "`{text}` is unquoted: a string to YAML 1.2, but a YAML 1.1 reader takes it for a boolean or an octal number: quote it"
                )
            } else if matches!(node.value, Tree::Bool(_)) {
                format!(
                    "`{text}` is unquoted, so a boolean here, but CloudFormation may hand EventBridge the string \"{text}\": quote it to match a string, or write the pattern as a JSON string to match a boolean"
                )
            } else {
                format!(
                    "`{text}` is unquoted, so a number here, but CloudFormation may hand EventBridge another spelling of it, or the string \"{text}\": quote it to match a string, or write the pattern as a JSON string to keep the number as written"
                )
            };
            self.typed.push(Note {
                at: node.at.clone(),
                message,
            });
        }
    }

    /// A value as a string, for `Fn::Sub`, `Fn::Join` and names.
    pub(crate) fn text(&mut self, v: &Val, at: &Location) -> String {
        match v {
            Val::Str(s) | Val::Num(s) => s.clone(),
            Val::Bool(b) => b.to_string(),
            Val::Null | Val::NoValue => String::new(),
            Val::Res { id, attr, at } => match self
                .bus_name_of(id, attr.as_deref())
                .or_else(|| self.ref_name(id, attr.as_deref()))
            {
                Some(name) => name,
                None => {
                    let at = at.clone();
                    self.placeholder(&at, &resource_what(id, attr.as_deref()), DEPLOYED)
                }
            },
            Val::List(_) | Val::Map(_) => {
                self.placeholder(at, "a list or mapping", "a string is needed here")
            }
        }
    }

    /// The name of an event bus resource, for `Ref`, `.Name` and `.Arn` (a bus's name is
    /// what routing needs, and an ARN reduces to it).
    pub(crate) fn bus_name_of(&mut self, id: &str, attr: Option<&str>) -> Option<String> {
        if self.resource_type(id) != Some("AWS::Events::EventBus") {
            return None;
        }
        if !matches!(attr, None | Some("Name" | "Arn")) {
            return None;
        }
        let name = self.resource(id)?.get("Properties")?.get("Name")?;
        let v = self.eval(name);
        match v {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What `Ref` or `Fn::GetAtt` returns for resource types that return a name given as a
    /// property ([`NAMED_BY`]), when the template gives that name literally.
    fn ref_name(&mut self, id: &str, attr: Option<&str>) -> Option<String> {
        let ty = self.resource_type(id)?;
        let (_, _, key) = NAMED_BY.iter().find(|(t, a, _)| *t == ty && *a == attr)?;
        let node = self.resource(id)?.get("Properties")?.get(key)?;
        // When the name does not resolve, the caller reports the reference itself.
        let saved = std::mem::take(&mut self.unresolved);
        let v = self.eval(node);
        self.unresolved = saved;
        match v {
            Val::Str(s) if !s.contains(PLACEHOLDER) => Some(s),
            _ => None,
        }
    }

    fn intrinsic(&mut self, key: &str, arg: &Node, at: &Location) -> Val {
        let list = |n: &'_ Node| match &n.value {
            Tree::List(items) => Some(items.clone()),
            _ => None,
        };
        match key {
            "Ref" => {
                let Some(name) = arg.as_str() else {
                    return self.unresolved(at, "!Ref", "its argument must be a name");
                };
                self.reference(name, at)
            }
            "Fn::GetAtt" => {
                let (id, attr) = match (&arg.value, list(arg)) {
                    (Tree::String(s), _) => match s.split_once('.') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => (s.clone(), String::new()),
                    },
                    (_, Some(items)) if items.len() == 2 => {
                        let id = items[0].as_str().unwrap_or_default().to_string();
                        let attr = self.eval(&items[1]);
                        let attr = self.text(&attr, at);
                        (id, attr)
                    }
                    _ => {
                        return self.unresolved(at, "!GetAtt", "expected Resource.Attribute");
                    }
                };
                if self.resource(&id).is_some() {
                    Val::Res {
                        id,
                        attr: Some(attr),
                        at: at.clone(),
                    }
                } else {
                    self.unresolved(
                        at,
                        &format!("!GetAtt {id}.{attr}"),
                        &format!("the template has no resource {id}"),
                    )
                }
            }
            "Fn::Sub" => self.sub(arg, at),
            "Fn::Join" => {
                let Some([delim, items]) = list(arg)
                    .as_deref()
                    .map(|l| l.to_vec())
                    .and_then(|l| <[Node; 2]>::try_from(l).ok())
                else {
                    return self.unresolved(at, "!Join", "expected [delimiter, list]");
                };
                let delim = self.eval(&delim);
                let delim = self.text(&delim, at);
                match self.eval(&items) {
                    Val::List(items) => {
                        let parts: Vec<String> = items.iter().map(|v| self.text(v, at)).collect();
                        Val::Str(parts.join(&delim))
                    }
                    Val::Str(s) if s.starts_with(PLACEHOLDER) => Val::Str(s),
                    _ => self.unresolved(at, "!Join", "its second argument must be a list"),
                }
            }
            "Fn::Select" => {
                let Some([index, items]) = list(arg).and_then(|l| <[Node; 2]>::try_from(l).ok())
                else {
                    return self.unresolved(at, "!Select", "expected [index, list]");
                };
                let index = self.eval(&index);
                let index = self.text(&index, at);
                match (index.parse::<usize>(), self.eval(&items)) {
                    (Ok(i), Val::List(items)) if i < items.len() => items[i].clone(),
                    (_, Val::Str(s)) if s.starts_with(PLACEHOLDER) => Val::Str(s),
                    (Err(_), _) if index.contains(PLACEHOLDER) => Val::Str(index),
                    _ => self.unresolved(
                        at,
                        &format!("!Select {index}"),
                        "the index is not within the list",
                    ),
                }
            }
            "Fn::Split" => {
                let Some([delim, source]) = list(arg).and_then(|l| <[Node; 2]>::try_from(l).ok())
                else {
                    return self.unresolved(at, "!Split", "expected [delimiter, string]");
                };
                let delim = self.eval(&delim);
                let delim = self.text(&delim, at);
                let source = self.eval(&source);
                let source = self.text(&source, at);
                if source.contains(PLACEHOLDER) || delim.is_empty() {
                    return Val::Str(source);
                }
                Val::List(
                    source
                        .split(delim.as_str())
                        .map(|s| Val::Str(s.into()))
                        .collect(),
                )
            }
            "Fn::If" => {
                let Some([cond, yes, no]) = list(arg).and_then(|l| <[Node; 3]>::try_from(l).ok())
                else {
                    return self.unresolved(at, "!If", "expected [condition, then, else]");
                };
                let name = cond.as_str().unwrap_or_default().to_string();
                match self.condition(&name) {
                    Some(true) => self.eval(&yes),
                    Some(false) => self.eval(&no),
                    None => self.unresolved(
                        at,
                        &format!("!If {name}"),
                        &format!("condition {name} depends on a value not known offline"),
                    ),
                }
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let wrapped =
                    Node::new(Tree::Map(vec![(key.to_string(), arg.clone())]), at.clone());
                match self.truth(&wrapped) {
                    Some(b) => Val::Bool(b),
                    None => self.unresolved(
                        at,
                        &format!("!{}", &key[4..]),
                        "depends on a value not known offline",
                    ),
                }
            }
            "Fn::FindInMap" => {
                let Some(items) = list(arg).filter(|l| l.len() >= 3) else {
                    return self.unresolved(at, "!FindInMap", "expected [map, key, key]");
                };
                let keys: Vec<String> = items[..3]
                    .iter()
                    .map(|n| {
                        let v = self.eval(n);
                        self.text(&v, at)
                    })
                    .collect();
                if let Some(k) = keys.iter().find(|k| k.contains(PLACEHOLDER)) {
                    return Val::Str(k.clone());
                }
                if keys.iter().any(|k| k.contains(ENVIRONMENT)) {
                    return self.unresolved(
                        at,
                        &format!("!FindInMap [{}]", keys.join(", ")),
                        "the key differs per environment; give the parameter one environment's value",
                    );
                }
                let found = self
                    .root
                    .get("Mappings")
                    .and_then(|m| m.get(&keys[0]))
                    .and_then(|m| m.get(&keys[1]))
                    .and_then(|m| m.get(&keys[2]));
                match (found, items.get(3).and_then(|d| d.get("DefaultValue"))) {
                    (Some(v), _) | (None, Some(v)) => self.eval(v),
                    (None, None) => self.unresolved(
                        at,
                        &format!("!FindInMap [{}]", keys.join(", ")),
                        "the mapping has no such entry",
                    ),
                }
            }
            "Fn::ImportValue" => {
                let v = self.eval(arg);
                let name = self.text(&v, at);
                self.unresolved(
                    at,
                    &format!("!ImportValue {name}"),
                    "it is another stack's export, known only in the deployed account",
                )
            }
            "Fn::Base64" => {
                let v = self.eval(arg);
                let s = self.text(&v, at);
                if s.contains(PLACEHOLDER) {
                    return Val::Str(s);
                }
                Val::Str(base64(s.as_bytes()))
            }
            "Fn::Cidr" => {
                let Some([block, count, bits]) =
                    list(arg).and_then(|l| <[Node; 3]>::try_from(l).ok())
                else {
                    return self.unresolved(at, "!Cidr", "expected [block, count, bits]");
                };
                let mut text = |n: &Node| {
                    let v = self.eval(n);
                    self.text(&v, at)
                };
                let (block, count, bits) = (text(&block), text(&count), text(&bits));
                match cidr(&block, &count, &bits) {
                    Some(list) => Val::List(list.into_iter().map(Val::Str).collect()),
                    None => self.unresolved(
                        at,
                        &format!("!Cidr [{block}, {count}, {bits}]"),
                        "not a block that splits that way",
                    ),
                }
            }
            "Fn::GetAZs" => self.unresolved(
                at,
                "!GetAZs",
                "the zones of a region are known only to the account",
            ),
            "Fn::ToJsonString" => {
                let v = self.eval(arg);
                Val::Str(self.json_text(&v))
            }
            "Fn::Length" => match self.eval(arg) {
                Val::List(items) => Val::Num(items.len().to_string()),
                _ => self.unresolved(at, "!Length", "its argument is not a list"),
            },
            other => self.unresolved(at, other, "bus-contract does not evaluate it"),
        }
    }

    fn reference(&mut self, name: &str, at: &Location) -> Val {
        if let Some(v) = self.parameters.get(name) {
            return self.parameter_value(name, v.clone());
        }
        match name {
            "AWS::NoValue" => return Val::NoValue,
            "AWS::Partition" => return Val::Str("aws".into()),
            "AWS::URLSuffix" => return Val::Str("amazonaws.com".into()),
            "AWS::NotificationARNs" => return Val::List(Vec::new()),
            "AWS::StackName" => {
                if let Some(s) = &self.stack_name {
                    return Val::Str(s.clone());
                }
            }
            _ => {}
        }
        if name.starts_with("AWS::") {
            return self.unresolved(
                at,
                &format!("!Ref {name}"),
                &format!("a pseudo parameter of the deployment; give --parameter {name}=VALUE"),
            );
        }
        if let Some(param) = self.root.get("Parameters").and_then(|p| p.get(name)) {
            let ty = param.get("Type").and_then(Node::as_str).unwrap_or("String");
            if ty.starts_with(SSM_TYPE) {
                // Its default is a Parameter Store key, not the value.
                return self.unresolved(
                    at,
                    &format!("!Ref {name}"),
                    &format!(
                        "parameter {name} is of type {ty}: it names a Parameter Store parameter, whose value CloudFormation reads at deploy time; give --parameter {name}=VALUE"
                    ),
                );
            }
            return match param.get("Default") {
                // CloudFormation takes a default as written: functions are not evaluated
                // there, so neither are they here (a chain of `!Sub` defaults would grow
                // exponentially).
                Some(d) if matches!(d.value, Tree::Map(_) | Tree::List(_)) => self.unresolved(
                    at,
                    &format!("!Ref {name}"),
                    &format!(
                        "the default of parameter {name} is not a literal value, which CloudFormation refuses; give --parameter {name}=VALUE"
                    ),
                ),
                Some(d) => {
                    let v = self.eval(d);
                    let text = self.text(&v, at);
                    self.parameter_value(name, text)
                }
                None => self.unresolved(
                    at,
                    &format!("!Ref {name}"),
                    &format!("parameter {name} has no default; give --parameter {name}=VALUE"),
                ),
            };
        }
        if self.resource(name).is_some() {
            return Val::Res {
                id: name.to_string(),
                attr: None,
                at: at.clone(),
            };
        }
        self.unresolved(
            at,
            &format!("!Ref {name}"),
            "the template has no parameter or resource of that name",
        )
    }

    /// A parameter's value, split when its type is a list.
    fn parameter_value(&self, name: &str, value: String) -> Val {
        let ty = self
            .root
            .get("Parameters")
            .and_then(|p| p.get(name))
            .and_then(|p| p.get("Type"))
            .and_then(Node::as_str)
            .unwrap_or("String");
        let ty = ty
            .strip_prefix(SSM_TYPE)
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(ty);
        if ty == "CommaDelimitedList" || ty.starts_with("List<") {
            Val::List(
                value
                    .split(',')
                    .map(|s| Val::Str(s.trim().into()))
                    .collect(),
            )
        } else {
            Val::Str(value)
        }
    }

    fn sub(&mut self, arg: &Node, at: &Location) -> Val {
        let (template, vars) = match &arg.value {
            Tree::String(s) => (s.clone(), Vec::new()),
            Tree::List(items) if items.len() == 2 && items[0].as_str().is_some() => {
                let vars: Vec<(String, Val)> = items[1]
                    .entries()
                    .iter()
                    .map(|(k, v)| (k.clone(), self.eval(v)))
                    .collect();
                (items[0].as_str().unwrap_or_default().to_string(), vars)
            }
            _ => {
                return self.unresolved(at, "!Sub", "expected a string or [string, variables]");
            }
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = match vars.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => v.clone(),
                    None => match name.split_once('.') {
                        Some((id, attr)) if !name.starts_with("AWS::") => {
                            if self.resource(id).is_some() {
                                Val::Res {
                                    id: id.into(),
                                    attr: Some(attr.into()),
                                    at: at.clone(),
                                }
                            } else {
                                self.unresolved(
                                    at,
                                    &format!("${{{name}}}"),
                                    &format!("the template has no resource {id}"),
                                )
                            }
                        }
                        _ => self.reference(name, at),
                    },
                };
                let text = match value {
                    Val::List(_) | Val::Map(_) => self.placeholder(
                        at,
                        &format!("${{{name}}}"),
                        "a list cannot be substituted into a string",
                    ),
                    v => self.text(&v, at),
                };
                out.push_str(&text);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Val::Str(out)
    }

    /// A condition of the `Conditions` section; `None` when it depends on something unknown.
    pub(crate) fn condition(&mut self, name: &str) -> Option<bool> {
        if let Some(known) = self.conditions.get(name) {
            return *known;
        }
        // A cycle reads as unknown.
        self.conditions.insert(name.to_string(), None);
        let node = self.root.get("Conditions")?.get(name)?;
        let value = self.truth(node);
        self.conditions.insert(name.to_string(), value);
        value
    }

    fn truth(&mut self, node: &Node) -> Option<bool> {
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let value = self.truth_inner(node);
        self.depth -= 1;
        value
    }

    fn truth_inner(&mut self, node: &Node) -> Option<bool> {
        if let Tree::Map(entries) = &node.value {
            if let [(key, arg)] = entries.as_slice() {
                let args = match &arg.value {
                    Tree::List(items) => items.clone(),
                    _ => vec![arg.clone()],
                };
                return match key.as_str() {
                    "Condition" => self.condition(arg.as_str()?),
                    "Fn::Equals" => {
                        let [a, b] = <[Node; 2]>::try_from(args).ok()?;
                        let (a, b) = (self.eval(&a), self.eval(&b));
                        let (a, b) = (self.text(&a, &node.at), self.text(&b, &node.at));
                        // A value that differs per environment decides nothing once.
                        if [&a, &b]
                            .iter()
                            .any(|t| t.contains(PLACEHOLDER) || t.contains(ENVIRONMENT))
                        {
                            return None;
                        }
                        Some(a == b)
                    }
                    "Fn::Not" => Some(!self.truth(args.first()?)?),
                    // And is false once any is false; Or is true once any is true.
                    "Fn::And" | "Fn::Or" => {
                        let decisive = key == "Fn::Or";
                        let values: Vec<Option<bool>> =
                            args.iter().map(|a| self.truth(a)).collect();
                        if values.contains(&Some(decisive)) {
                            Some(decisive)
                        } else if values.iter().all(Option::is_some) {
                            Some(!decisive)
                        } else {
                            None
                        }
                    }
                    _ => match self.eval(node) {
                        Val::Bool(b) => Some(b),
                        Val::Str(s) if s == "true" => Some(true),
                        Val::Str(s) if s == "false" => Some(false),
                        _ => None,
                    },
                };
            }
        }
        match self.eval(node) {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }
}

impl Env<'_> {
    /// A value as JSON text. Resources (known only after deploy) become placeholders, noted
    /// as `text` notes them.
    pub(crate) fn json_text(&mut self, v: &Val) -> String {
        let mut out = String::new();
        self.write_json(v, &mut out);
        out
    }

    fn write_json(&mut self, v: &Val, out: &mut String) {
        let string = |s: &str, out: &mut String| {
            out.push_str(&serde_json::Value::String(s.to_string()).to_string());
        };
        match v {
            Val::Null | Val::NoValue => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Num(n) => out.push_str(n),
            Val::Str(s) => string(s, out),
            // A resource in a pattern is its name when that is what `Ref` or `Fn::GetAtt`
            // returns and the template gives it; otherwise its ARN or id, never known offline.
            Val::Res { id, attr, at } => {
                let text = match self.ref_name(id, attr.as_deref()) {
                    Some(name) => name,
                    None => self.placeholder(at, &resource_what(id, attr.as_deref()), DEPLOYED),
                };
                string(&text, out);
            }
            Val::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.write_json(item, out);
                }
                out.push(']');
            }
            Val::Map(entries) => {
                out.push('{');
                for (i, (k, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(k, out);
                    out.push(':');
                    self.write_json(item, out);
                }
                out.push('}');
            }
        }
    }
}

/// Why a resource's ARN or id is unknown.
const DEPLOYED: &str = "known only once the stack is deployed";

/// How a reference to a resource is written.
fn resource_what(id: &str, attr: Option<&str>) -> String {
    match attr {
        Some(a) => format!("!GetAtt {id}.{a}"),
        None => format!("!Ref {id}"),
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Fn::Cidr`: `count` blocks of `bits` host bits each, carved from the start of `block`.
fn cidr(block: &str, count: &str, bits: &str) -> Option<Vec<String>> {
    let (addr, prefix) = block.split_once('/')?;
    let prefix: u32 = prefix.parse().ok()?;
    let count: u32 = count.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    let (width, base): (u32, u128) = match addr.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(a) => (32, u128::from(u32::from(a))),
        std::net::IpAddr::V6(a) => (128, u128::from(a)),
    };
    if prefix > width || bits == 0 || bits > width - prefix || count == 0 || count > 256 {
        return None;
    }
    let new_prefix = width - bits;
    let available = 1u128.checked_shl(new_prefix - prefix).unwrap_or(u128::MAX);
    if u128::from(count) > available {
        return None;
    }
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix) >> (128 - width)
    };
    let start = base & mask;
    let step = 1u128 << bits;
    Some(
        (0..u128::from(count))
            .map(|i| {
                let a = start + i * step;
                let addr = if width == 32 {
                    std::net::Ipv4Addr::from(a as u32).to_string()
                } else {
                    std::net::Ipv6Addr::from(a).to_string()
                };
                format!("{addr}/{new_prefix}")
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::tree::from_yaml;

    fn eval_in(template: &str, expr: &str, params: &[(&str, &str)]) -> (Val, Vec<Note>) {
        let doc = format!("{template}\nValue: {expr}\n");
        let root = from_yaml(&doc).unwrap();
        let params: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut env = Env::new(&root, &params);
        let node = root.get("Value").unwrap().clone();
        let v = env.eval(&node);
        (v, env.unresolved)
    }

    const TEMPLATE: &str = "\
Parameters:
  Stage: {Type: String, Default: dev}
  Sources: {Type: CommaDelimitedList, Default: 'a,b'}
  NoDefault: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref NoDefault, x]
Mappings:
  Buses: {dev: {Name: bus-dev}, prod: {Name: bus-prod}}
Resources:
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: !Sub 'orders-${Stage}'}}
  Fn: {Type: AWS::Lambda::Function}";

    fn s(v: &str) -> Val {
        Val::Str(v.into())
    }

    /// Every entry of the table: `Ref` or `Fn::GetAtt` gives the literal name; without the
    /// property (a generated name), a placeholder.
    #[test]
    fn names_given_as_properties_resolve() {
        for (ty, attr, property) in NAMED_BY {
            let expr = match attr {
                None => "!Ref Thing".to_string(),
                Some(a) => format!("!GetAtt Thing.{a}"),
            };
            let with = format!(
                "Resources:\n  Thing:\n    Type: {ty}\n    Properties:\n      {property}: orders-prod\n"
            );
            // The text `Resources.X.V` evaluates to in a template.
            let value_of = |template: &str| {
                let root = from_yaml(template).unwrap();
                let params = BTreeMap::new();
                let mut env = Env::new(&root, &params);
                let node = root
                    .get("Resources")
                    .and_then(|r| r.get("X"))
                    .and_then(|x| x.get("V"))
                    .unwrap();
                let v = env.eval(node);
                env.text(&v, &node.at)
            };
            let named = value_of(&format!("{with}  X:\n    V: {expr}\n"));
            assert_eq!(named, "orders-prod", "{ty} {expr}");
            let without = format!("Resources:\n  Thing:\n    Type: {ty}\n  X:\n    V: {expr}\n");
            assert!(value_of(&without).starts_with(PLACEHOLDER), "{ty} {expr}");
        }
    }

    #[test]
    fn intrinsics_resolve_against_defaults_and_overrides() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Val);
        let cases: &[Case<'_>] = &[
            ("!Ref Stage", &[], s("dev")),
            ("!Ref Stage", &[("Stage", "prod")], s("prod")),
            (
                "!Sub 'x-${Stage}-${AWS::Partition}-${!Literal}'",
                &[],
                s("x-dev-aws-${Literal}"),
            ),
            ("!Sub ['${A}-${Stage}', {A: !Ref Stage}]", &[], s("dev-dev")),
            ("!Join [':', [a, !Ref Stage]]", &[], s("a:dev")),
            ("!Select [1, !Ref Sources]", &[], s("b")),
            ("!Select [0, !Split ['/', 'x/y']]", &[], s("x")),
            ("!If [IsProd, p, d]", &[], s("d")),
            ("!If [NotProd, p, d]", &[("Stage", "prod")], s("d")),
            ("!FindInMap [Buses, !Ref Stage, Name]", &[], s("bus-dev")),
            ("!Base64 'hello'", &[], s("aGVsbG8=")),
            (
                "!Select [1, !Cidr ['10.0.0.0/16', 3, 8]]",
                &[],
                s("10.0.1.0/24"),
            ),
            ("!Sub '${Bus}'", &[], s("orders-dev")),
            ("!Equals [a, a]", &[], Val::Bool(true)),
            (
                "!Or [!Equals [a, b], !Condition IsProd]",
                &[("Stage", "prod")],
                Val::Bool(true),
            ),
            (
                "!And [!Equals [a, a], !Condition IsProd]",
                &[],
                Val::Bool(false),
            ),
        ];
        for (expr, params, want) in cases {
            let (got, notes) = eval_in(TEMPLATE, expr, params);
            assert_eq!(&got, want, "{expr}");
            assert!(notes.is_empty(), "{expr}: {notes:?}");
        }
    }

    #[test]
    fn what_is_not_known_offline_stays_a_placeholder() {
        let cases = [
            ("!ImportValue shared-bus", "!ImportValue shared-bus"),
            ("!Ref NoDefault", "!Ref NoDefault"),
            ("!Ref AWS::AccountId", "!Ref AWS::AccountId"),
            ("!If [Unknown, a, b]", "!If Unknown"),
            ("!GetAZs ''", "!GetAZs"),
            ("!Sub 'arn:${Fn.Arn}'", "!GetAtt Fn.Arn"),
        ];
        for (expr, what) in cases {
            let (got, notes) = eval_in(TEMPLATE, expr, &[]);
            let Val::Str(text) = got else {
                panic!("{expr}: {got:?}")
            };
            assert!(
                text.contains(&format!("{PLACEHOLDER}{what}}}")),
                "{expr}: {text}"
            );
            assert!(
                notes.iter().any(|n| n.message.starts_with(what)),
                "{expr}: {notes:?}"
            );
        }
        let (got, _) = eval_in(TEMPLATE, "!Ref Fn", &[]);
        assert!(matches!(got, Val::Res { .. }));
    }

    #[test]
    fn a_per_environment_parameter_decides_no_condition() {
        let env = [("Stage", "${environment}")];
        let (got, _) = eval_in(TEMPLATE, "!Sub 'bus-${Stage}'", &env);
        assert_eq!(got, s("bus-${environment}"));
        for expr in ["!If [IsProd, p, d]", "!FindInMap [Buses, !Ref Stage, Name]"] {
            let (got, notes) = eval_in(TEMPLATE, expr, &env);
            assert!(
                matches!(got, Val::Str(ref t) if t.starts_with(PLACEHOLDER)),
                "{expr}: {got:?}"
            );
            assert!(!notes.is_empty(), "{expr}");
        }
    }

    #[test]
    fn cidr_splits_ipv4_and_ipv6() {
        assert_eq!(
            cidr("192.168.0.0/24", "2", "6").unwrap(),
            ["192.168.0.0/26", "192.168.0.64/26"]
        );
        assert_eq!(cidr("2001:db8::/56", "1", "64").unwrap(), ["2001:db8::/64"]);
        assert!(cidr("10.0.0.0/30", "8", "1").is_none());
    }
}
