//! Terraform HCL, read directly: the `.tf` files of a module directory, with its variables
//! (defaults, overridden by the given parameters), `locals`, references between resources,
//! `jsonencode(…)` and heredoc patterns, `count` and `for_each` over literal collections, and
//! local child modules. What needs a plan (data sources, remote state, a registry module's
//! outputs, an attribute the provider computes) is a placeholder with a note, never a guess.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::{Block, Body, Expression, Map, Value};

use super::{
    Imported, ImportedRule, ImportedTarget, Note, PLACEHOLDER, arn_name, bus_name, problem,
};
use crate::diag::Location;

/// The deepest nesting of brackets a file may have: far above real configurations, and below
/// what would exhaust the parser's stack.
const MAX_NESTING: usize = 256;
/// The deepest chain of child modules followed.
const MAX_MODULE_DEPTH: usize = 16;
/// The most instances one `count` or `for_each` makes.
const MAX_INSTANCES: usize = 10_000;
/// The most `.tf` files read, over all modules.
const MAX_FILES: usize = 2_000;

/// One resource block, where it is written.
struct Resource {
    ty: String,
    name: String,
    body: Body,
    file: String,
    at: Location,
}

/// A module directory, read.
struct Module {
    resources: Vec<Resource>,
    variables: Vec<(String, Option<Expression>)>,
    locals: Vec<(String, Expression)>,
    /// Module calls: name, body, source, file and place.
    calls: Vec<(String, Body, String, String, Location)>,
}

/// Reads the module in `dir` (a `.tf` file stands for its directory) and its local child
/// modules; `root` confines the child modules' sources.
pub(crate) fn import(
    dir: &Path,
    display: &str,
    parameters: &BTreeMap<String, String>,
    out: &mut Imported,
) {
    let mut inputs: BTreeMap<String, Option<Value>> = BTreeMap::new();
    for (k, v) in parameters {
        inputs.insert(k.clone(), Some(Value::String(v.clone())));
    }
    let mut files = 0;
    let mut reader = Reader {
        root: dir.to_path_buf(),
        files: &mut files,
        out,
    };
    reader.module(dir, display.trim_end_matches('/'), "", &inputs, 0);
}

struct Reader<'o> {
    root: PathBuf,
    files: &'o mut usize,
    out: &'o mut Imported,
}

impl Reader<'_> {
    fn read(&mut self, dir: &Path, display: &str) -> Option<Module> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                problem(
                    self.out,
                    display,
                    Location::File,
                    format!("cannot read the module: {e}"),
                );
                return None;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            let message = if *self.files == 0 {
                "neither a CDK assembly (no manifest.json) nor a Terraform module (no .tf files)"
            } else {
                "a module source with no .tf files: the module's rules, if any, are not known"
            };
            problem(self.out, display, Location::File, message.into());
            return None;
        }
        let mut module = Module {
            resources: Vec::new(),
            variables: Vec::new(),
            locals: Vec::new(),
            calls: Vec::new(),
        };
        for path in paths {
            *self.files += 1;
            let name = format!(
                "{display}/{}",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
            if *self.files > MAX_FILES {
                problem(
                    self.out,
                    &name,
                    Location::File,
                    format!("more than {MAX_FILES} .tf files; the rest are not read"),
                );
                break;
            }
            let text = match crate::fs::read_inside(
                &self.root,
                "the import",
                &path,
                &name,
                super::MAX_FILE,
                "infrastructure files",
            ) {
                Ok(t) => t,
                Err(e) => {
                    problem(self.out, &name, Location::File, e);
                    continue;
                }
            };
            if nesting(&text) > MAX_NESTING {
                problem(
                    self.out,
                    &name,
                    Location::File,
                    format!("brackets nest deeper than {MAX_NESTING} levels; not read"),
                );
                continue;
            }
            let body = match hcl::parse(&text) {
                Ok(b) => b,
                Err(e) => {
                    let message = e.to_string();
                    let at = match &e {
                        hcl::Error::Parse(p) => Location::LineColumn(
                            p.location().line() as u64,
                            p.location().column() as u64,
                        ),
                        _ => Location::File,
                    };
                    problem(
                        self.out,
                        &name,
                        at,
                        format!("not HCL: {}", message.lines().last().unwrap_or_default()),
                    );
                    continue;
                }
            };
            for block in body.blocks() {
                let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
                match (block.identifier(), labels.as_slice()) {
                    ("resource", [ty, rname]) => module.resources.push(Resource {
                        ty: (*ty).to_string(),
                        name: (*rname).to_string(),
                        body: block.body().clone(),
                        file: name.clone(),
                        at: header(&text, "resource", &labels),
                    }),
                    ("variable", [v]) => module.variables.push((
                        (*v).to_string(),
                        attribute(block.body(), "default").cloned(),
                    )),
                    ("locals", []) => {
                        for a in block.body().attributes() {
                            module.locals.push((a.key().to_string(), a.expr().clone()));
                        }
                    }
                    ("module", [m]) => {
                        let source = match attribute(block.body(), "source") {
                            Some(Expression::String(s)) => s.clone(),
                            _ => String::new(),
                        };
                        module.calls.push((
                            (*m).to_string(),
                            block.body().clone(),
                            source,
                            name.clone(),
                            header(&text, "module", &labels),
                        ));
                    }
                    _ => {}
                }
            }
        }
        Some(module)
    }

    fn module(
        &mut self,
        dir: &Path,
        display: &str,
        prefix: &str,
        inputs: &BTreeMap<String, Option<Value>>,
        depth: usize,
    ) {
        let Some(module) = self.read(dir, display) else {
            return;
        };
        let mut ctx = base();
        // Variables: given, else their defaults; a variable with neither is unknown.
        let mut vars = Map::new();
        for (name, default) in &module.variables {
            let value = match inputs.get(name) {
                Some(v) => v.clone(),
                None => default.as_ref().and_then(|d| d.evaluate(&base()).ok()),
            };
            if let Some(v) = value {
                vars.insert(name.clone(), v);
            }
        }
        ctx.declare_var("var", Value::Object(vars));
        // Locals and resources may refer to each other: a few passes settle what can be known.
        let mut locals = Map::new();
        let mut resources: Map<String, Value> = Map::new();
        for _ in 0..4 {
            ctx.declare_var("local", Value::Object(locals.clone()));
            for (ty, objects) in &resources {
                ctx.declare_var(ty.as_str(), objects.clone());
            }
            for (name, expr) in &module.locals {
                if let Ok(v) = expr.evaluate(&ctx) {
                    locals.insert(name.clone(), v);
                }
            }
            for r in &module.resources {
                let mut attrs = Map::new();
                for a in r.body.attributes() {
                    if let Ok(v) = a.expr().evaluate(&ctx) {
                        attrs.insert(a.key().to_string(), v);
                    }
                }
                let by_type = resources
                    .entry(r.ty.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = by_type {
                    m.insert(r.name.clone(), Value::Object(attrs));
                }
            }
        }
        ctx.declare_var("local", Value::Object(locals));
        for (ty, objects) in &resources {
            ctx.declare_var(ty.as_str(), objects.clone());
        }

        // Rules, then the targets that point at them.
        let mut rules: Vec<(usize, String)> = Vec::new();
        for r in module
            .resources
            .iter()
            .filter(|r| r.ty == "aws_cloudwatch_event_rule")
        {
            for (address, ictx) in self.instances(r, prefix, &ctx) {
                let mut notes = Vec::new();
                let Some(pattern_expr) = attribute(&r.body, "event_pattern") else {
                    continue; // a scheduled rule
                };
                let eval = |key: &str,
                            expr: &Expression,
                            notes: &mut Vec<Note>,
                            critical: bool|
                 -> Option<String> {
                    evaluated(r, &address, key, expr, &ictx, notes, critical)
                };
                let pattern =
                    eval("event_pattern", pattern_expr, &mut notes, true).unwrap_or_default();
                let pattern = if pattern.starts_with(PLACEHOLDER) {
                    format!(
                        "{{\"unresolved\": [{}]}}",
                        serde_json::Value::String(pattern)
                    )
                } else {
                    pattern
                };
                let get = |k: &str| attribute(&r.body, k);
                let name = get("name").and_then(|e| eval("name", e, &mut notes, false));
                let name = match name {
                    Some(n) if !n.contains(PLACEHOLDER) => n,
                    _ => address.clone(),
                };
                let raw_bus = get("event_bus_name")
                    .and_then(|e| eval("event_bus_name", e, &mut notes, true))
                    .unwrap_or_else(|| "default".to_string());
                let bus_place = super::BusPlace::of(&raw_bus, &BTreeMap::new());
                let bus = bus_name(&raw_bus);
                let enabled = match (get("state"), get("is_enabled")) {
                    (Some(e), _) => {
                        eval("state", e, &mut notes, true).is_none_or(|s| s != "DISABLED")
                    }
                    (None, Some(e)) => {
                        eval("is_enabled", e, &mut notes, true).is_none_or(|s| s != "false")
                    }
                    _ => true,
                };
                let unmatchable =
                    notes.iter().any(|n| n.blocks_matching) || pattern.contains(PLACEHOLDER);
                rules.push((
                    self.out.rules.len(),
                    format!("{prefix}aws_cloudwatch_event_rule.{}", r.name),
                ));
                self.out.rules.push(ImportedRule {
                    name,
                    bus,
                    bus_place,
                    pattern,
                    enabled,
                    targets: Vec::new(),
                    file: r.file.clone(),
                    location: r.at.clone(),
                    origin: address,
                    unresolved: notes,
                    warnings: Vec::new(),
                    unmatchable,
                });
            }
        }
        for t in module
            .resources
            .iter()
            .filter(|r| r.ty == "aws_cloudwatch_event_target")
        {
            for (address, ictx) in self.instances(t, prefix, &ctx) {
                let get = |k: &str| attribute(&t.body, k);
                let block = |k: &str| {
                    t.body
                        .blocks()
                        .find(|b| b.identifier() == k)
                        .map(Block::body)
                };
                let text = |e: &Expression| match e.evaluate(&ictx) {
                    Ok(Value::String(s)) => Some(s),
                    _ => None,
                };
                // What a reference names when its value is not known: the resource's literal
                // name, else its address.
                let named = |e: &Expression| -> Option<String> {
                    if let Some(s) = text(e) {
                        return Some(arn_name(&s));
                    }
                    let (ty, name, _) = resource_ref(e)?;
                    Some(resource_name(&resources, prefix, &ty, &name, NAME_KEYS))
                };
                let Some(rule_expr) = get("rule") else {
                    continue;
                };
                let bus = get("event_bus_name")
                    .and_then(text)
                    .map_or_else(|| "default".to_string(), |b| bus_name(&b));
                let owner = match resource_ref(rule_expr) {
                    Some((ty, name, index)) if ty == "aws_cloudwatch_event_rule" => {
                        let base = format!("{prefix}{ty}.{name}");
                        match index.map(|i| i.evaluate(&ictx)) {
                            // `rule.x[each.key]`: that instance alone.
                            Some(Ok(key)) => {
                                let address = instance_address(&base, &key);
                                rules
                                    .iter()
                                    .map(|(i, _)| *i)
                                    .filter(|i| self.out.rules[*i].origin == address)
                                    .collect()
                            }
                            Some(Err(_)) => Vec::new(),
                            None => rules
                                .iter()
                                .filter(|(_, a)| *a == base)
                                .map(|(i, _)| *i)
                                .collect::<Vec<_>>(),
                        }
                    }
                    _ => match text(rule_expr) {
                        Some(n) => rules
                            .iter()
                            .map(|(i, _)| *i)
                            .filter(|i| {
                                self.out.rules[*i].name == n && self.out.rules[*i].bus == bus
                            })
                            .collect(),
                        None => Vec::new(),
                    },
                };
                let dlq = block("dead_letter_config");
                let retry = block("retry_policy");
                let number = |e: Option<&Expression>| integer(&e?.evaluate(&ictx).ok()?);
                let target = ImportedTarget {
                    id: get("target_id").and_then(text).unwrap_or_default(),
                    name: get("arn")
                        .and_then(named)
                        .unwrap_or_else(|| address.clone()),
                    dead_letter_queue: dlq.and_then(|b| attribute(b, "arn")).and_then(named),
                    maximum_retry_attempts: number(
                        retry.and_then(|b| attribute(b, "maximum_retry_attempts")),
                    ),
                    maximum_event_age_seconds: number(
                        retry.and_then(|b| attribute(b, "maximum_event_age_in_seconds")),
                    ),
                    has_retry_policy: retry.is_some(),
                    input: super::TargetInput::of(
                        block("input_transformer").is_some(),
                        get("input").map(text),
                        get("input_path").map(text),
                    ),
                };
                for i in owner {
                    self.out.rules[i].targets.push(target.clone());
                }
            }
        }

        // Pipes, event-source mappings and SNS subscriptions that filter.
        for r in module.resources.iter().filter(|r| {
            matches!(
                r.ty.as_str(),
                "aws_lambda_event_source_mapping" | "aws_pipes_pipe" | "aws_sns_topic_subscription"
            )
        }) {
            for (address, ictx) in self.instances(r, prefix, &ctx) {
                self.filter(r, &address, &ictx, prefix, &resources);
            }
        }

        // Alarms, functions, queues and mappings, for the practice checks.
        for r in module.resources.iter().filter(|r| {
            matches!(
                r.ty.as_str(),
                "aws_cloudwatch_metric_alarm"
                    | "aws_lambda_function"
                    | "aws_sqs_queue"
                    | "aws_lambda_event_source_mapping"
            )
        }) {
            for (address, ictx) in self.instances(r, prefix, &ctx) {
                self.facts(r, &address, &ictx, prefix, &resources);
            }
        }

        // Child modules whose source is a local directory.
        for (name, body, source, call_file, at) in &module.calls {
            let file = format!("{display}/{name}");
            if is_eventbridge_module(source) {
                self.eventbridge_module(name, body, &ctx, prefix, call_file, at);
                continue;
            }
            if !(source.starts_with("./") || source.starts_with("../")) {
                self.out.unread.push(Note::about(
                    call_file,
                    at.clone(),
                    format!(
                        "module {name} comes from {source}, which is not read offline: rules it may deploy are not known; import `terraform show -json` of a plan to see them"
                    ),
                ));
                continue;
            }
            if depth >= MAX_MODULE_DEPTH {
                problem(
                    self.out,
                    display,
                    at.clone(),
                    format!("module {name}: modules nest deeper than {MAX_MODULE_DEPTH}; not read"),
                );
                continue;
            }
            let path = dir.join(source);
            let resolved = match crate::fs::resolve_inside(&self.root, "the import", &path, &file) {
                Ok(p) if p.is_dir() => p,
                Ok(_) => {
                    problem(
                        self.out,
                        display,
                        at.clone(),
                        format!("module {name}: its source {source} is not a directory"),
                    );
                    continue;
                }
                Err(e) => {
                    problem(self.out, display, at.clone(), format!("module {name}: {e}"));
                    continue;
                }
            };
            let mut child_inputs = BTreeMap::new();
            for a in body.attributes() {
                if matches!(
                    a.key(),
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    continue;
                }
                child_inputs.insert(a.key().to_string(), a.expr().evaluate(&ctx).ok());
            }
            // An input that cannot be evaluated leaves the child's variable unknown.
            let child_display = format!(
                "{display}/{}",
                source.trim_start_matches("./").trim_end_matches('/')
            );
            self.module(
                &resolved,
                &child_display,
                &format!("{prefix}module.{name}."),
                &child_inputs,
                depth + 1,
            );
        }
    }

    /// One instance of a pipe, an event-source mapping or an SNS subscription, when it
    /// filters.
    fn filter(
        &mut self,
        r: &Resource,
        address: &str,
        ictx: &Context<'_>,
        prefix: &str,
        resources: &Map<String, Value>,
    ) {
        use super::filters::{
            dialect_of, kind_of_arn, kind_of_terraform_type, mq_note, sns_scope, source_name_of_arn,
        };
        use crate::Dialect;
        let block = |body: &Body, k: &str| -> Option<Body> {
            body.blocks()
                .find(|b| b.identifier() == k)
                .map(|b| b.body().clone())
        };
        let mut notes: Vec<Note> = Vec::new();
        let eval = |key: &str, expr: &Expression, notes: &mut Vec<Note>| -> Option<String> {
            evaluated(r, address, key, expr, ictx, notes, true)
        };
        let criteria_patterns =
            |criteria: Option<Body>, notes: &mut Vec<Note>| -> Option<Vec<String>> {
                let criteria = criteria?;
                Some(
                    criteria
                        .blocks()
                        .filter(|b| b.identifier() == "filter")
                        .filter_map(|f| attribute(f.body(), "pattern"))
                        .filter_map(|p| eval("pattern", p, notes))
                        .collect(),
                )
            };
        let (own, source_key, patterns, target_key) = match r.ty.as_str() {
            "aws_lambda_event_source_mapping" => {
                let Some(p) = criteria_patterns(block(&r.body, "filter_criteria"), &mut notes)
                else {
                    return;
                };
                (None, "event_source_arn", p, "function_name")
            }
            "aws_pipes_pipe" => {
                let criteria =
                    block(&r.body, "source_parameters").and_then(|b| block(&b, "filter_criteria"));
                let Some(p) = criteria_patterns(criteria, &mut notes) else {
                    return;
                };
                (Some(Dialect::Pipes), "source", p, "target")
            }
            _ => {
                let Some(policy) = attribute(&r.body, "filter_policy") else {
                    return;
                };
                let Some(policy) = eval("filter_policy", policy, &mut notes) else {
                    return;
                };
                let scope = attribute(&r.body, "filter_policy_scope")
                    .and_then(|e| eval("filter_policy_scope", e, &mut notes));
                let own = if scope.as_deref().is_some_and(|s| s.contains(PLACEHOLDER)) {
                    None
                } else {
                    sns_scope(scope.as_deref())
                };
                if own.is_none() {
                    notes.push(Note {
                        file: r.file.clone(),
                        location: r.at.clone(),
                        message: format!(
                            "the filter_policy_scope of {address} is not known to be MessageAttributes or MessageBody"
                        ),
                        blocks_matching: true,
                    });
                }
                (own, "topic_arn", vec![policy], "endpoint")
            }
        };
        // The source: a reference to a resource of the module, else its ARN.
        let source_expr = attribute(&r.body, source_key);
        let self_managed = r.ty == "aws_lambda_event_source_mapping"
            && source_expr.is_none()
            && block(&r.body, "self_managed_event_source").is_some();
        let (source, kind) = if self_managed {
            let topics = match attribute(&r.body, "topics").map(|t| t.evaluate(ictx)) {
                Some(Ok(Value::Array(items))) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => "kafka".to_string(),
            };
            (topics, Ok(Some(Dialect::LambdaKafka)))
        } else {
            let Some(expr) = source_expr else { return };
            match resource_ref(expr) {
                Some((ty, name, _)) => (
                    resource_name(resources, prefix, &ty, &name, &["name"]),
                    kind_of_terraform_type(&ty),
                ),
                None => match eval(source_key, expr, &mut notes) {
                    Some(arn) if !arn.contains(PLACEHOLDER) => {
                        (source_name_of_arn(&arn), kind_of_arn(&arn))
                    }
                    other => (other.unwrap_or_default(), Err(())),
                },
            }
        };
        let source_kind = match kind {
            Ok(Some(k)) => Some(k),
            Ok(None) => {
                self.out
                    .unread
                    .push(mq_note(&r.file, r.at.clone(), address));
                return;
            }
            Err(()) => {
                notes.push(Note {
                    file: r.file.clone(),
                    location: r.at.clone(),
                    message: format!(
                        "what kind of source {address} reads (a queue, stream or topic) cannot be known offline, so neither can its filter's dialect"
                    ),
                    blocks_matching: true,
                });
                None
            }
        };
        let source_kind = if r.ty == "aws_sns_topic_subscription" {
            own
        } else {
            source_kind
        };
        let dialect = dialect_of(own, source_kind);
        let target = attribute(&r.body, target_key).and_then(|e| match e.evaluate(ictx) {
            Ok(Value::String(s)) => Some(arn_name(&s)),
            _ => resource_ref(e)
                .map(|(ty, name, _)| resource_name(resources, prefix, &ty, &name, NAME_KEYS)),
        });
        let flag = |k: &str| attribute(&r.body, k).map(|e| e.evaluate(ictx));
        let enabled = match r.ty.as_str() {
            "aws_lambda_event_source_mapping" => {
                !matches!(flag("enabled"), Some(Ok(Value::Bool(false))))
            }
            "aws_pipes_pipe" => {
                !matches!(flag("desired_state"), Some(Ok(Value::String(s))) if s == "STOPPED")
            }
            _ => true,
        };
        let name = match (r.ty.as_str(), flag("name")) {
            ("aws_pipes_pipe", Some(Ok(Value::String(s)))) => s,
            _ => address.to_string(),
        };
        let unmatchable = notes.iter().any(|n| n.blocks_matching)
            || dialect.is_none()
            || patterns.iter().any(|p| p.contains(PLACEHOLDER));
        self.out.filters.push(super::ImportedFilter {
            name,
            dialect,
            source_kind,
            source,
            patterns,
            target,
            enabled,
            file: r.file.clone(),
            location: r.at.clone(),
            origin: address.to_string(),
            unresolved: notes,
            unmatchable,
        });
    }

    /// One alarm, function, queue or event-source mapping, for the practice checks.
    fn facts(
        &mut self,
        r: &Resource,
        address: &str,
        ictx: &Context<'_>,
        prefix: &str,
        resources: &Map<String, Value>,
    ) {
        let value = |k: &str| attribute(&r.body, k).and_then(|e| e.evaluate(ictx).ok());
        let text = |k: &str| match value(k) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let number = |k: &str| value(k).as_ref().and_then(integer);
        let block = |k: &str| {
            r.body
                .blocks()
                .find(|b| b.identifier() == k)
                .map(Block::body)
        };
        // What a reference names: the resource's literal name, else its address; with its type.
        let named = |k: &str| -> Option<(String, Option<String>)> {
            if let Some(s) = text(k) {
                return Some((super::filters::source_name_of_arn(&s), None));
            }
            let (ty, name, _) = resource_ref(attribute(&r.body, k)?)?;
            Some((
                resource_name(resources, prefix, &ty, &name, NAME_KEYS),
                Some(ty),
            ))
        };
        match r.ty.as_str() {
            "aws_cloudwatch_metric_alarm" => {
                let dimensions = match attribute(&r.body, "dimensions") {
                    Some(Expression::Object(entries)) => entries
                        .iter()
                        .filter_map(|(k, v)| {
                            let key = match k {
                                hcl::expr::ObjectKey::Identifier(i) => i.to_string(),
                                hcl::expr::ObjectKey::Expression(e) => match e.evaluate(ictx) {
                                    Ok(Value::String(s)) => s,
                                    _ => return None,
                                },
                                _ => return None,
                            };
                            let value = match v.evaluate(ictx) {
                                Ok(Value::String(s)) => s,
                                _ => {
                                    let (ty, name, _) = resource_ref(v)?;
                                    format!("{prefix}{ty}.{name}")
                                }
                            };
                            Some((key, value))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                self.out.alarms.push(super::ImportedAlarm {
                    name: text("alarm_name").unwrap_or_else(|| address.to_string()),
                    namespace: text("namespace").unwrap_or_default(),
                    metric: text("metric_name").unwrap_or_default(),
                    dimensions,
                });
            }
            "aws_lambda_function" => self.out.functions.push(super::ImportedFunction {
                name: text("function_name").unwrap_or_else(|| address.to_string()),
                timeout: number("timeout").unwrap_or(3),
                reserved_concurrency: number("reserved_concurrent_executions").filter(|n| *n >= 0),
                file: r.file.clone(),
                location: r.at.clone(),
            }),
            "aws_sqs_queue" => self.out.queues.push(super::ImportedQueue {
                name: text("name").unwrap_or_else(|| address.to_string()),
                visibility_timeout: number("visibility_timeout_seconds").unwrap_or(30),
            }),
            _ => {
                let (source, source_kind) = match named("event_source_arn") {
                    Some((name, Some(ty))) => (
                        name,
                        super::filters::kind_of_terraform_type(&ty).ok().flatten(),
                    ),
                    Some((name, None)) => {
                        let kind = text("event_source_arn")
                            .and_then(|arn| super::filters::kind_of_arn(&arn).ok().flatten());
                        (name, kind)
                    }
                    None => ("kafka".to_string(), Some(crate::Dialect::LambdaKafka)),
                };
                let reports = match value("function_response_types") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .any(|i| i.as_str() == Some("ReportBatchItemFailures")),
                    _ => false,
                };
                let maximum_concurrency = block("scaling_config")
                    .and_then(|b| attribute(b, "maximum_concurrency"))
                    .and_then(|e| e.evaluate(ictx).ok())
                    .as_ref()
                    .and_then(integer);
                self.out.mappings.push(super::ImportedMapping {
                    origin: address.to_string(),
                    source,
                    source_kind,
                    function: named("function_name").map(|(n, _)| arn_name(&n)),
                    batch_size: number("batch_size"),
                    batching_window: number("maximum_batching_window_in_seconds"),
                    report_batch_item_failures: reports,
                    maximum_concurrency,
                    file: r.file.clone(),
                    location: r.at.clone(),
                });
            }
        }
    }

    /// The instances of a resource: one, or one per `count` index or `for_each` key, each with
    /// its address and the context that knows `count.index` or `each`.
    fn instances<'c>(
        &mut self,
        r: &Resource,
        prefix: &str,
        ctx: &Context<'c>,
    ) -> Vec<(String, Context<'c>)> {
        let base = format!("{prefix}{}.{}", r.ty, r.name);
        let get = |k: &str| attribute(&r.body, k);
        if let Some(count) = get("count") {
            let n = match count.evaluate(ctx) {
                Ok(Value::Number(n)) => n.as_u64(),
                _ => None,
            };
            let Some(n) = n.filter(|n| *n as usize <= MAX_INSTANCES) else {
                self.note_instances(r, &base, "count");
                return Vec::new();
            };
            return (0..n)
                .map(|i| {
                    let mut c = ctx.clone();
                    let mut count = Map::new();
                    count.insert("index".to_string(), Value::from(i));
                    c.declare_var("count", Value::Object(count));
                    (instance_address(&base, &Value::from(i)), c)
                })
                .collect();
        }
        if let Some(each) = get("for_each") {
            let items: Option<Vec<(String, Value)>> = match each.evaluate(ctx) {
                Ok(Value::Object(m)) => Some(m.into_iter().collect()),
                Ok(Value::Array(a)) => a
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Some((s.clone(), Value::String(s))),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            };
            let Some(items) = items.filter(|i| i.len() <= MAX_INSTANCES) else {
                self.note_instances(r, &base, "for_each");
                return Vec::new();
            };
            return items
                .into_iter()
                .map(|(k, v)| {
                    let mut c = ctx.clone();
                    let mut each = Map::new();
                    each.insert("key".to_string(), Value::String(k.clone()));
                    each.insert("value".to_string(), v);
                    c.declare_var("each", Value::Object(each));
                    (instance_address(&base, &Value::String(k)), c)
                })
                .collect();
        }
        vec![(base, ctx.clone())]
    }

    /// The rules of a call of the `terraform-aws-modules/eventbridge` module: its `rules` map
    /// (one rule per key, named `KEY-rule` with `_` made `-`, unless `append_rule_postfix` is
    /// false), its `targets` map of lists, on `bus_name`.
    fn eventbridge_module(
        &mut self,
        name: &str,
        body: &Body,
        ctx: &Context<'_>,
        prefix: &str,
        file: &str,
        at: &Location,
    ) {
        let input = |k: &str| attribute(body, k);
        let mut notes = Vec::new();
        let value = |k: &str, notes: &mut Vec<Note>| -> Option<Value> {
            let e = input(k)?;
            match e.evaluate(ctx) {
                Ok(v) => Some(v),
                Err(err) => {
                    notes.push(Note {
                        file: file.to_string(),
                        location: at.clone(),
                        message: format!(
                            "the {k} of module {name} cannot be resolved offline: {}",
                            why(e, &err)
                        ),
                        blocks_matching: true,
                    });
                    None
                }
            }
        };
        let bus_input = input("bus_name").is_some();
        let bus = value("bus_name", &mut notes);
        let bus_place = match &bus {
            Some(Value::String(b)) => super::BusPlace::of(b, &BTreeMap::new()),
            _ => super::BusPlace::default(),
        };
        let bus = match (&bus, bus_input) {
            (Some(Value::String(b)), _) => bus_name(b),
            (_, false) => "default".to_string(),
            _ => format!("{PLACEHOLDER}module.{name}.bus_name}}"),
        };
        let postfix = !matches!(
            value("append_rule_postfix", &mut notes),
            Some(Value::Bool(false))
        );
        let rules = match value("rules", &mut notes) {
            Some(Value::Object(m)) => m,
            Some(_) | None => {
                if input("rules").is_some() {
                    problem(
                        self.out,
                        file,
                        at.clone(),
                        format!(
                            "the rules of module {name} cannot be read offline: {}",
                            notes
                                .iter()
                                .map(|n| n.message.clone())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    );
                }
                return;
            }
        };
        let targets = match value("targets", &mut notes) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        for (key, rule) in rules {
            let Value::Object(rule) = rule else { continue };
            let Some(pattern) = text(rule.get("event_pattern")) else {
                continue; // a scheduled rule
            };
            let rule_name = if postfix {
                format!("{}-rule", key.replace('_', "-"))
            } else {
                key.clone()
            };
            let enabled = !matches!(rule.get("enabled"), Some(Value::Bool(false)))
                && text(rule.get("state")).is_none_or(|s| s != "DISABLED");
            let rule_targets = match targets.get(&key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|t| match t {
                        Value::Object(t) => Some(t),
                        _ => None,
                    })
                    .map(|t| {
                        let retry = match t.get("retry_policy") {
                            Some(Value::Object(r)) => Some(r),
                            _ => None,
                        };
                        ImportedTarget {
                            id: text(t.get("target_id")).unwrap_or_default(),
                            name: text(t.get("arn"))
                                .map(|a| arn_name(&a))
                                .or_else(|| text(t.get("name")))
                                .unwrap_or_default(),
                            dead_letter_queue: text(t.get("dead_letter_arn")).map(|a| arn_name(&a)),
                            maximum_retry_attempts: retry
                                .and_then(|r| r.get("maximum_retry_attempts").and_then(integer)),
                            maximum_event_age_seconds: retry.and_then(|r| {
                                r.get("maximum_event_age_in_seconds").and_then(integer)
                            }),
                            has_retry_policy: retry.is_some(),
                            input: super::TargetInput::of(
                                t.get("input_transformer").is_some(),
                                t.get("input").map(|v| text(Some(v))),
                                t.get("input_path").map(|v| text(Some(v))),
                            ),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let unmatchable = bus.contains(PLACEHOLDER) || pattern.contains(PLACEHOLDER);
            self.out.rules.push(ImportedRule {
                name: rule_name,
                bus: bus.clone(),
                bus_place: bus_place.clone(),
                pattern,
                enabled,
                targets: rule_targets,
                file: file.to_string(),
                location: at.clone(),
                origin: format!(
                    "{prefix}module.{name}.aws_cloudwatch_event_rule.this[{}]",
                    serde_json::Value::String(key.clone())
                ),
                unresolved: notes.clone(),
                warnings: Vec::new(),
                unmatchable,
            });
        }
    }

    fn note_instances(&mut self, r: &Resource, address: &str, what: &str) {
        if r.ty == "aws_cloudwatch_event_rule" {
            problem(
                self.out,
                &r.file,
                r.at.clone(),
                format!(
                    "the {what} of {address} is not a literal collection (or is larger than {MAX_INSTANCES}): its rules are known only from a plan; import `terraform show -json` of one"
                ),
            );
        }
    }
}

/// Whether a module source is the registry's (or GitHub's) `terraform-aws-modules/eventbridge`.
fn is_eventbridge_module(source: &str) -> bool {
    let source = source
        .trim_start_matches("git::")
        .trim_start_matches("https://");
    source.starts_with("terraform-aws-modules/eventbridge/aws")
        || source.starts_with("registry.terraform.io/terraform-aws-modules/eventbridge/aws")
        || source.contains("github.com/terraform-aws-modules/terraform-aws-eventbridge")
}

/// An attribute's value as text: a string as it is, another value as HCL prints it, nothing
/// for null; a placeholder, with a note saying why, when it cannot be evaluated offline.
fn evaluated(
    r: &Resource,
    address: &str,
    key: &str,
    expr: &Expression,
    ctx: &Context<'_>,
    notes: &mut Vec<Note>,
    critical: bool,
) -> Option<String> {
    match expr.evaluate(ctx) {
        Ok(Value::String(s)) => Some(s),
        Ok(Value::Null) => None,
        Ok(v) => Some(v.to_string()),
        Err(e) => {
            notes.push(Note {
                file: r.file.clone(),
                location: r.at.clone(),
                message: format!(
                    "the {key} of {address} cannot be resolved offline: {}",
                    why(expr, &e)
                ),
                blocks_matching: critical,
            });
            Some(format!("{PLACEHOLDER}{address}.{key}}}"))
        }
    }
}

/// The attributes that give a resource its literal name, as targets and sources are named.
const NAME_KEYS: &[&str] = &["function_name", "name"];

/// What a reference to a resource of the module names: the first of `keys` the resource gives
/// as text, else its address.
fn resource_name(
    resources: &Map<String, Value>,
    prefix: &str,
    ty: &str,
    name: &str,
    keys: &[&str],
) -> String {
    let attrs = match resources.get(ty) {
        Some(Value::Object(m)) => match m.get(name) {
            Some(Value::Object(a)) => Some(a),
            _ => None,
        },
        _ => None,
    };
    attrs
        .and_then(|a| {
            keys.iter().find_map(|k| match a.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            })
        })
        .unwrap_or_else(|| format!("{prefix}{ty}.{name}"))
}

/// The address of one instance of a resource: `base[0]` for `count`, `base["key"]` for
/// `for_each`, as Terraform writes them.
fn instance_address(base: &str, key: &Value) -> String {
    match key {
        Value::String(k) => format!("{base}[{}]", serde_json::Value::String(k.clone())),
        other => format!("{base}[{other}]"),
    }
}

/// The expression of a body's attribute.
fn attribute<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

/// An integer, written as a number or a string (Terraform converts between them).
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `TYPE.NAME…` of an expression that refers to a resource, with the index that picks one of
/// its instances (`TYPE.NAME[each.key].attr`), if any.
fn resource_ref(e: &Expression) -> Option<(String, String, Option<Expression>)> {
    use hcl::expr::TraversalOperator as Op;
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let root = root.as_str();
    if matches!(
        root,
        "var" | "local" | "data" | "module" | "each" | "count" | "path" | "terraform"
    ) {
        return None;
    }
    let Op::GetAttr(name) = t.operators.first()? else {
        return None;
    };
    let index = match t.operators.get(1) {
        Some(Op::Index(i)) => Some(i.clone()),
        Some(Op::LegacyIndex(i)) => Some(Expression::from(*i)),
        _ => None,
    };
    Some((root.to_string(), name.to_string(), index))
}

/// Why an expression cannot be evaluated, in the words of what it needs.
fn why(expr: &Expression, error: &dyn std::fmt::Display) -> String {
    let mut roots = Vec::new();
    roots_of(expr, &mut roots);
    if roots.iter().any(|r| r == "data") {
        return "it reads a data source, known only from a plan".into();
    }
    if roots.iter().any(|r| r == "module") {
        return "it reads a module's output, known only from a plan".into();
    }
    let error = error.to_string();
    let first = error.lines().next().unwrap_or_default();
    let first = first.split(" in expression").next().unwrap_or(first);
    if first.contains("undefined func") {
        return format!("{first}: bus-contract does not evaluate it offline");
    }
    if roots.iter().any(|r| r == "var") && first.contains("no such key") {
        return format!(
            "{first}: a variable without a default or a value; give --parameter NAME=VALUE"
        );
    }
    format!("{first}; it is known only once applied")
}

fn roots_of(expr: &Expression, out: &mut Vec<String>) {
    match expr {
        Expression::Variable(v) => out.push(v.as_str().to_string()),
        Expression::Traversal(t) => roots_of(&t.expr, out),
        Expression::FuncCall(f) => f.args.iter().for_each(|a| roots_of(a, out)),
        Expression::Array(items) => items.iter().for_each(|a| roots_of(a, out)),
        Expression::Object(o) => o.values().for_each(|a| roots_of(a, out)),
        Expression::Parenthesis(p) => roots_of(p, out),
        Expression::TemplateExpr(t) => {
            if let Ok(template) = hcl::template::Template::from_expr(t) {
                for e in template_exprs(&template) {
                    roots_of(&e, out);
                }
            }
        }
        Expression::Conditional(c) => {
            roots_of(&c.cond_expr, out);
            roots_of(&c.true_expr, out);
            roots_of(&c.false_expr, out);
        }
        _ => {}
    }
}

fn template_exprs(t: &hcl::template::Template) -> Vec<Expression> {
    t.elements()
        .iter()
        .filter_map(|e| match e {
            hcl::template::Element::Interpolation(i) => Some(i.expr.clone()),
            _ => None,
        })
        .collect()
}

/// The context every module starts from: Terraform's functions that patterns and names use.
fn base() -> Context<'static> {
    let mut ctx = Context::new();
    ctx.declare_func(
        "jsonencode",
        FuncDef::builder().param(ParamType::Any).build(jsonencode),
    );
    ctx.declare_func(
        "lower",
        FuncDef::builder().param(ParamType::String).build(lower),
    );
    ctx.declare_func(
        "upper",
        FuncDef::builder().param(ParamType::String).build(upper),
    );
    ctx.declare_func(
        "merge",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(merge),
    );
    ctx.declare_func(
        "concat",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(concat),
    );
    ctx.declare_func(
        "tostring",
        FuncDef::builder().param(ParamType::Any).build(tostring),
    );
    ctx.declare_func(
        "lookup",
        FuncDef::builder()
            .params([ParamType::Any, ParamType::String])
            .variadic_param(ParamType::Any)
            .build(lookup),
    );
    ctx.declare_func(
        "length",
        FuncDef::builder().param(ParamType::Any).build(length),
    );
    ctx
}

/// The one argument of a one-parameter function (the parameter list has checked it is there).
fn only(args: FuncArgs) -> Value {
    args.into_values().into_iter().next().unwrap_or(Value::Null)
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    serde_json::to_string(&only(args))
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(
        only(args).as_str().unwrap_or_default().to_lowercase(),
    ))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(
        only(args).as_str().unwrap_or_default().to_uppercase(),
    ))
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    match &only(args) {
        Value::String(s) => Ok(Value::String(s.clone())),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        _ => Err("tostring takes a primitive value".into()),
    }
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    let mut args = args.into_values().into_iter();
    let (map, key, default) = (args.next(), args.next(), args.next());
    let key = key
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match map {
        Some(Value::Object(m)) => match m.get(&key) {
            Some(v) => Ok(v.clone()),
            None => default.ok_or_else(|| format!("lookup: no key `{key}` and no default")),
        },
        _ => Err("lookup takes a map".into()),
    }
}

fn length(args: FuncArgs) -> Result<Value, String> {
    match only(args) {
        Value::Array(a) => Ok(Value::from(a.len() as u64)),
        Value::Object(m) => Ok(Value::from(m.len() as u64)),
        Value::String(s) => Ok(Value::from(s.chars().count() as u64)),
        _ => Err("length takes a collection or a string".into()),
    }
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = Map::new();
    for a in args.into_values() {
        match a {
            Value::Object(m) => out.extend(m),
            Value::Null => {}
            _ => return Err("merge takes maps".into()),
        }
    }
    Ok(Value::Object(out))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for a in args.into_values() {
        match a {
            Value::Array(items) => out.extend(items),
            _ => return Err("concat takes lists".into()),
        }
    }
    Ok(Value::Array(out))
}

/// How deep brackets nest in a text (strings not told apart: an over-estimate is safe).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Where a block `kind "label" "label"` is written: the line and column of its first word.
fn header(text: &str, kind: &str, labels: &[&str]) -> Location {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix(kind) else {
            continue;
        };
        let quoted: Vec<String> = labels.iter().map(|l| format!("\"{l}\"")).collect();
        let mut rest = rest;
        let mut all = true;
        for q in &quoted {
            match rest.trim_start().strip_prefix(q.as_str()) {
                Some(r) => rest = r,
                None => {
                    all = false;
                    break;
                }
            }
        }
        if all {
            let col = line.len() - trimmed.len() + 1;
            return Location::LineColumn(i as u64 + 1, col as u64);
        }
    }
    Location::File
}
