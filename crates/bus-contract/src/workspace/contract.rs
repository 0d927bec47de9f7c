//! Contracts read from a YAML tree, key by key. A mistake in one key is a finding at that key,
//! and the rest of the file is still read: one typo must not hide every other problem in a
//! contract. Only a file that is not YAML at all is dropped, and the finding says so.

use std::collections::BTreeMap;

use crate::diag::{Code, Finding, Location};
use crate::import::tree::{self, Node, Tree};
use crate::pattern::Pattern;

use super::files::Origin;
use super::{
    AlsoAccepts, At, Example, Expectation, FilterSubscription, Publication, RetryPolicy, RuleState,
    Schema, Service, Subscription, Target, Use, Workspace, compile_schema,
};

const CONTRACT_KEYS: &[&str] = &["service", "description", "owner", "publishes", "subscribes"];
const PUBLISH_KEYS: &[&str] = &[
    "event",
    "bus",
    "source",
    "detail-type",
    "schema",
    "examples",
    "size-budget",
    "description",
];
const SUBSCRIBE_KEYS: &[&str] = &[
    "rule",
    "bus",
    "pattern",
    "expects",
    "also-accepts",
    "uses",
    "target",
    "dead-letter-queue",
    "retry-policy",
    "input",
    "input-path",
    "input-transformer",
    "targets",
    "state",
    "idempotency-key",
    "alarms",
    "consumer",
    "description",
];
const FILTER_KEYS: &[&str] = &[
    "filter",
    "dialect",
    "source",
    "source-kind",
    "pattern",
    "patterns",
    "expects",
    "also-accepts",
    "uses",
    "target",
    "state",
    "idempotency-key",
    "consumer",
    "description",
];
const ALARM_KEYS: &[&str] = &["failed-invocations", "dead-letter-queue"];
const CONSUMER_KEYS: &[&str] = &[
    "timeout",
    "queue-visibility-timeout",
    "source",
    "batch-size",
    "batching-window",
    "report-batch-item-failures",
    "maximum-concurrency",
    "reserved-concurrency",
];
const TARGET_KEYS: &[&str] = &[
    "target",
    "dead-letter-queue",
    "retry-policy",
    "input",
    "input-path",
    "input-transformer",
];
const EXPECT_KEYS: &[&str] = &["event", "every"];
const USES_KEYS: &[&str] = &["field", "type", "optional"];
const RETRY_KEYS: &[&str] = &["maximum-retry-attempts", "maximum-event-age-seconds"];
/// The types a `uses` entry may name: JSON Schema's.
const USES_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// The findings of one contract file, with its name.
struct Doc {
    file: String,
    problems: Vec<Finding>,
}

fn kind(node: &Node) -> &'static str {
    match node.value {
        Tree::Null => "null",
        Tree::Bool(_) => "a boolean",
        Tree::Number(_) => "a number",
        Tree::String(_) => "a string",
        Tree::List(_) => "a list",
        Tree::Map(_) => "a mapping",
    }
}

impl Doc {
    fn error(&mut self, at: &Location, message: impl Into<String>) {
        self.problems.push(Finding::new(
            Code::InvalidContract,
            &self.file,
            at.clone(),
            message,
        ));
    }

    /// The entries of a mapping, with every unknown key reported at the key (with the nearest
    /// known key), and `None` (reported) when the node is not a mapping.
    fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<&'n [(String, Node)]> {
        let Tree::Map(entries) = &node.value else {
            self.error(
                &node.at,
                format!("{what} must be a mapping, not {}", kind(node)),
            );
            return None;
        };
        for (key, value) in entries {
            if !known.contains(&key.as_str()) {
                let at = value.key_at.clone().unwrap_or_else(|| value.at.clone());
                let hint = crate::suggest::nearest(key, known.iter().copied()).map_or_else(
                    || format!("; known keys: {}", known.join(", ")),
                    |k| format!(" (did you mean `{k}`?)"),
                );
                self.error(&at, format!("unknown key `{key}` in {what}{hint}"));
            }
        }
        Some(entries)
    }

    /// An optional string member.
    fn string(&mut self, node: &Node, key: &str, what: &str) -> Option<At<String>> {
        let value = node.get(key)?;
        match &value.value {
            Tree::String(s) => Some(At {
                value: s.clone(),
                at: value.at.clone(),
            }),
            // A plain number or boolean where a name is wanted is what the author wrote.
            Tree::Number(n) => Some(At {
                value: n.clone(),
                at: value.at.clone(),
            }),
            _ => {
                self.error(
                    &value.at,
                    format!("`{key}` of {what} must be a string, not {}", kind(value)),
                );
                None
            }
        }
    }

    /// A string member that must be there.
    fn required(&mut self, node: &Node, key: &str, what: &str) -> Option<At<String>> {
        if node.get(key).is_none() {
            self.error(&node.at, format!("{what} has no `{key}`"));
            return None;
        }
        self.string(node, key, what)
    }

    /// A list member, or one value where a list is allowed to be written as its one item.
    fn list<'n>(&mut self, node: &'n Node, key: &str, what: &str) -> &'n [Node] {
        match node.get(key) {
            None => &[],
            Some(Node {
                value: Tree::List(items),
                ..
            }) => items,
            Some(other) if other.value == Tree::Null => &[],
            Some(other) => {
                self.error(
                    &other.at,
                    format!("`{key}` of {what} must be a list, not {}", kind(other)),
                );
                &[]
            }
        }
    }

    fn integer(&mut self, node: &Node, key: &str, what: &str) -> Option<i64> {
        let value = node.get(key)?;
        let parsed = match &value.value {
            Tree::Number(n) => n.parse::<i64>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                &value.at,
                format!(
                    "`{key}` of {what} must be a whole number, not {}",
                    kind(value)
                ),
            );
        }
        parsed
    }

    fn retry_policy(&mut self, node: &Node, what: &str) -> Option<At<RetryPolicy>> {
        let value = node.get("retry-policy")?;
        self.map(value, &format!("the retry-policy of {what}"), RETRY_KEYS)?;
        Some(At {
            value: RetryPolicy {
                attempts: self.integer(value, "maximum-retry-attempts", "a retry-policy"),
                age_seconds: self.integer(value, "maximum-event-age-seconds", "a retry-policy"),
            },
            at: value.at.clone(),
        })
    }

    /// `state`: whether the entry is disabled. `unresolved` (what `bus-contract import`
    /// writes for what it could not resolve) sets `unresolved`, said once: a placeholder in
    /// the pattern already says it.
    fn state(&mut self, s: &Node, what: &str, unresolved: &mut bool, consequence: &str) -> bool {
        let Some(st) = self.string(s, "state", what) else {
            return false;
        };
        match st.value.to_ascii_lowercase().as_str() {
            "enabled" => false,
            "disabled" => true,
            "unresolved" => {
                if !*unresolved {
                    self.problems.push(Finding::new(
                        Code::UnresolvedValue,
                        &self.file,
                        st.at.clone(),
                        format!(
                            "{what}: its state is unresolved (a value of its template could not be known offline); {consequence}"
                        ),
                    ));
                }
                *unresolved = true;
                false
            }
            other => {
                self.error(
                    &st.at,
                    format!("state `{other}`: expected enabled, disabled or unresolved"),
                );
                false
            }
        }
    }

    /// `alarms:`: the alarm on the rule's failed invocations and the one on its dead-letter
    /// queues' depth, by name.
    fn alarms(&mut self, s: &Node, what: &str, targets: &[Target]) -> super::Alarms {
        let mut alarms = super::Alarms::default();
        let Some(node) = s.get("alarms") else {
            return alarms;
        };
        if self
            .map(node, &format!("the alarms of {what}"), ALARM_KEYS)
            .is_none()
        {
            return alarms;
        }
        alarms.failed_invocations = self
            .string(node, "failed-invocations", what)
            .map(|a| a.value);
        if let Some(name) = self.string(node, "dead-letter-queue", what) {
            for t in targets {
                if let Some(q) = &t.dead_letter_queue {
                    alarms
                        .dead_letter_queues
                        .insert(q.value.clone(), name.value.clone());
                }
            }
        }
        alarms
    }

    /// The dialect a source kind's records are decoded as; an unknown name is an error,
    /// `{unknown} `NAME`; known: …`.
    fn source_kind(&mut self, k: &At<String>, unknown: &str) -> Option<crate::Dialect> {
        let known = crate::Dialect::SOURCE_KINDS;
        match known.iter().find(|(n, _)| *n == k.value) {
            Some((_, d)) => Some(*d),
            None => {
                let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
                self.error(
                    &k.at,
                    format!("{unknown} `{}`; known: {}", k.value, names.join(", ")),
                );
                None
            }
        }
    }

    /// `consumer:`: what consumes the target (a rule's) or what the mapping is (a filter's).
    fn consumer(&mut self, s: &Node, what: &str) -> Option<super::Consumer> {
        let node = s.get("consumer")?;
        let whose = format!("the consumer of {what}");
        self.map(node, &whose, CONSUMER_KEYS)?;
        let source_kind = self
            .string(node, "source", &whose)
            .and_then(|k| self.source_kind(&k, &format!("{whose}: unknown source")));
        let report = node
            .get("report-batch-item-failures")
            .and_then(|b| match b.value {
                Tree::Bool(v) => Some(v),
                _ => {
                    self.error(
                        &b.at,
                        format!(
                            "`report-batch-item-failures` of {whose} must be true or false, not {}",
                            kind(b)
                        ),
                    );
                    None
                }
            });
        Some(super::Consumer {
            timeout: self.integer(node, "timeout", &whose),
            visibility_timeout: self.integer(node, "queue-visibility-timeout", &whose),
            source_kind,
            batch_size: self.integer(node, "batch-size", &whose),
            batching_window: self.integer(node, "batching-window", &whose),
            report_batch_item_failures: report,
            maximum_concurrency: self.integer(node, "maximum-concurrency", &whose),
            reserved_concurrency: self.integer(node, "reserved-concurrency", &whose),
            file: self.file.clone(),
            location: node.at.clone(),
        })
    }

    /// What a target is sent: `input` (a constant text), `input-path` (a `JSONPath`) or
    /// `input-transformer` (its template is not worked out offline); the event when none.
    fn target_input(&mut self, node: &Node, what: &str) -> crate::import::TargetInput {
        use crate::import::TargetInput;
        let given: Vec<&str> = ["input", "input-path", "input-transformer"]
            .into_iter()
            .filter(|k| node.get(k).is_some())
            .collect();
        if given.len() > 1 {
            self.error(
                &node.at,
                format!("{what}: give at most one of {}", given.join(", ")),
            );
        }
        if let Some(t) = node.get("input-transformer") {
            if !matches!(t.value, Tree::Bool(true) | Tree::Map(_)) {
                self.error(
                    &t.at,
                    format!(
                        "`input-transformer` of {what} must be true or the transformer's mapping"
                    ),
                );
            }
            return TargetInput::Transformed;
        }
        if let Some(input) = self.string(node, "input", what) {
            return TargetInput::Constant(input.value);
        }
        if let Some(path) = self.string(node, "input-path", what) {
            return TargetInput::Path(path.value);
        }
        TargetInput::Event
    }

    fn expects(&mut self, s: &Node, what: &str) -> Vec<At<Expectation>> {
        let mut expects = Vec::new();
        for e in self.list(s, "expects", what) {
            let value = match &e.value {
                Tree::String(event) => Expectation {
                    event: event.clone(),
                    every: false,
                },
                Tree::Map(_) => {
                    if self
                        .map(e, &format!("an expects entry of {what}"), EXPECT_KEYS)
                        .is_none()
                    {
                        continue;
                    }
                    let Some(event) = self.required(e, "event", "an expects entry") else {
                        continue;
                    };
                    let every = match e.get("every") {
                        None => false,
                        Some(Node {
                            value: Tree::Bool(b),
                            ..
                        }) => *b,
                        Some(other) => {
                            self.error(
                                &other.at,
                                format!("`every` must be true or false, not {}", kind(other)),
                            );
                            false
                        }
                    };
                    Expectation {
                        event: event.value,
                        every,
                    }
                }
                _ => {
                    self.error(
                        &e.at,
                        format!(
                            "an expects entry must be an event name or {{ event, every }}, not {}",
                            kind(e)
                        ),
                    );
                    continue;
                }
            };
            expects.push(At {
                value,
                at: e.at.clone(),
            });
        }
        expects
    }

    fn also_accepts(&mut self, s: &Node) -> AlsoAccepts {
        match s.get("also-accepts") {
            None => AlsoAccepts::Nothing,
            Some(Node {
                value: Tree::String(any),
                ..
            }) if any == "any" => AlsoAccepts::Any,
            Some(Node {
                value: Tree::List(items),
                ..
            }) => {
                let mut events = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(e) => events.push(At {
                            value: e.to_string(),
                            at: item.at.clone(),
                        }),
                        None => self.error(
                            &item.at,
                            format!(
                                "an also-accepts entry must be an event name, not {}",
                                kind(item)
                            ),
                        ),
                    }
                }
                AlsoAccepts::Events(events)
            }
            Some(other) => {
                self.error(
                    &other.at,
                    format!(
                        "also-accepts must be a list of event names, or `any`, not {}",
                        kind(other)
                    ),
                );
                AlsoAccepts::Nothing
            }
        }
    }

    fn uses(&mut self, s: &Node, what: &str) -> Vec<At<Use>> {
        let mut uses = Vec::new();
        for u in self.list(s, "uses", what) {
            let value = match &u.value {
                Tree::String(field) => Use {
                    field: field.clone(),
                    ty: None,
                    optional: false,
                },
                Tree::Map(_) => {
                    if self
                        .map(u, &format!("a uses entry of {what}"), USES_KEYS)
                        .is_none()
                    {
                        continue;
                    }
                    let field = self.required(u, "field", "a uses entry");
                    let optional = match u.get("optional").map(|o| &o.value) {
                        None | Some(Tree::Bool(false)) => false,
                        Some(Tree::Bool(true)) => true,
                        Some(_) => {
                            let at = u.get("optional").map_or(u.at.clone(), |o| o.at.clone());
                            self.error(&at, "`optional` of a uses entry must be true or false");
                            false
                        }
                    };
                    let ty = if optional && u.get("type").is_none() {
                        None
                    } else {
                        self.required(u, "type", "a uses entry")
                    };
                    let Some(field) = field else {
                        continue;
                    };
                    let Some(ty) = ty else {
                        if optional {
                            uses.push(At {
                                value: Use {
                                    field: field.value,
                                    ty: None,
                                    optional,
                                },
                                at: u.at.clone(),
                            });
                        }
                        continue;
                    };
                    if !USES_TYPES.contains(&ty.value.as_str()) {
                        let hint = crate::suggest::hint(&ty.value, USES_TYPES.iter().copied());
                        self.error(
                            &ty.at,
                            format!(
                                "type `{}`{hint}: expected one of {}",
                                ty.value,
                                USES_TYPES.join(", ")
                            ),
                        );
                        continue;
                    }
                    Use {
                        field: field.value,
                        ty: Some(ty.value),
                        optional,
                    }
                }
                _ => {
                    self.error(
                        &u.at,
                        format!(
                            "a uses entry must be a field path or {{ field, type, optional }}, not {}",
                            kind(u)
                        ),
                    );
                    continue;
                }
            };
            uses.push(At {
                value,
                at: u.at.clone(),
            });
        }
        uses
    }
}

/// A YAML tree as JSON text, in the order written, numbers as written.
fn to_json_text(node: &Node, out: &mut String) {
    match &node.value {
        Tree::Null => out.push_str("null"),
        Tree::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Tree::Number(n) => out.push_str(n),
        Tree::String(s) => {
            let _ = crate::json::write_json_string(out, s);
        }
        Tree::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json_text(item, out);
            }
            out.push(']');
        }
        Tree::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = crate::json::write_json_string(out, k);
                out.push(':');
                to_json_text(v, out);
            }
            out.push('}');
        }
    }
}

/// Where each JSON pointer of an inline value is written in the contract.
fn locations(node: &Node, pointer: &str, out: &mut BTreeMap<String, Location>) {
    out.insert(
        pointer.to_string(),
        node.key_at.clone().unwrap_or_else(|| node.at.clone()),
    );
    match &node.value {
        Tree::Map(entries) => {
            for (k, v) in entries {
                let escaped = k.replace('~', "~0").replace('/', "~1");
                locations(v, &format!("{pointer}/{escaped}"), out);
            }
        }
        Tree::List(items) => {
            for (i, v) in items.iter().enumerate() {
                locations(v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn to_json(node: &Node) -> serde_json::Value {
    let mut text = String::new();
    to_json_text(node, &mut text);
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

impl Workspace {
    /// Reads one contract. Its findings join the workspace's problems; its service joins the
    /// workspace, with every entry that could be read.
    pub(super) fn load_contract(&mut self, origin: &Origin, text: &str) {
        let file_name = origin.display(&self.files);
        let mut doc = Doc {
            file: file_name.clone(),
            problems: Vec::new(),
        };
        let root = match tree::from_yaml(text) {
            Ok(root) => root,
            Err((at, message)) => {
                doc.error(
                    &at,
                    format!("{message}; the contract cannot be read, so nothing in it is checked"),
                );
                self.problems.extend(doc.problems);
                return;
            }
        };
        if doc.map(&root, "a contract", CONTRACT_KEYS).is_none() {
            self.problems.extend(doc.problems);
            return;
        }
        let service_at = doc.required(&root, "service", "the contract");
        let name = service_at.as_ref().map_or_else(
            || {
                // Named after the file, so that its other findings still have a service.
                std::path::Path::new(&file_name)
                    .file_stem()
                    .map_or_else(|| file_name.clone(), |s| s.to_string_lossy().into_owned())
            },
            |s| s.value.clone(),
        );
        let mut service = Service {
            name: name.clone(),
            file: file_name.clone(),
            publishes: Vec::new(),
            subscribes: Vec::new(),
            filters: Vec::new(),
        };
        for p in doc.list(&root, "publishes", "the contract") {
            if let Some(publication) = self.publication(&mut doc, origin, p) {
                service.publishes.push(publication);
            }
        }
        for s in doc.list(&root, "subscribes", "the contract") {
            if s.get("filter").is_some() {
                if let Some(filter) = self.contract_filter(&mut doc, origin, s) {
                    service.filters.push(filter);
                }
                continue;
            }
            if let Some(subscription) = self.contract_subscription(&mut doc, origin, s) {
                service.subscribes.push(subscription);
            }
        }
        let mut problems = doc.problems;
        for p in &mut problems {
            p.service = Some(name.clone());
        }
        self.problems.extend(problems);
        // A service repo's contract replaces the registry's contract of the same service; two
        // of one service in the service repo are a mistake, as in a registry.
        let registry_file = |file: &str| self.files.base_path(file).is_some();
        let replaces = matches!(origin, Origin::Overlay(_))
            && self
                .services
                .iter()
                .any(|s| s.name == name && registry_file(&s.file));
        if replaces {
            self.services
                .retain(|s| !(s.name == name && registry_file(&s.file)));
        } else if let Some(other) = self.services.iter().find(|s| s.name == name) {
            let message = format!("service `{name}` is also declared in {}", other.file);
            let at = service_at.map_or(Location::File, |s| s.at);
            self.problems.push(
                Finding::new(Code::InvalidContract, &file_name, at, message).service(Some(&name)),
            );
        }
        self.services.push(service);
    }

    fn publication(&mut self, doc: &mut Doc, origin: &Origin, p: &Node) -> Option<Publication> {
        doc.map(p, "a publishes entry", PUBLISH_KEYS)?;
        let event = doc.required(p, "event", "a publishes entry");
        let what = event.as_ref().map_or_else(
            || "a publishes entry".to_string(),
            |e| format!("event {}", e.value),
        );
        let bus = doc.required(p, "bus", &what);
        let source = doc.required(p, "source", &what);
        let detail_type = doc.required(p, "detail-type", &what);
        let schema = p
            .get("schema")
            .and_then(|s| self.schema(doc, origin, s, &what));
        let mut examples = Vec::new();
        for e in doc.list(p, "examples", &what) {
            let Some(path) = e.as_str() else {
                doc.error(
                    &e.at,
                    format!("an example of {what} must be a path, not {}", kind(e)),
                );
                continue;
            };
            match self.files.read_from(origin, path) {
                Ok(read) => examples.push(Example {
                    file: read.name,
                    text: read.text,
                }),
                Err(err) => doc.error(&e.at, format!("example: {err}")),
            }
        }
        let size_budget = p.get("size-budget").and_then(|b| {
            let value = doc.integer(p, "size-budget", &what)?;
            match u64::try_from(value) {
                Ok(v) if v > 0 => Some(At {
                    value: v,
                    at: b.at.clone(),
                }),
                _ => {
                    doc.error(
                        &b.at,
                        format!("the size-budget of {what} must be a positive number of bytes"),
                    );
                    None
                }
            }
        });
        Some(Publication {
            size_budget,
            event: event?,
            bus: bus?,
            source: source?,
            detail_type: detail_type?,
            schema,
            examples,
            at: p.at.clone(),
        })
    }

    fn schema(&mut self, doc: &mut Doc, origin: &Origin, s: &Node, what: &str) -> Option<Schema> {
        let schema = match &s.value {
            Tree::String(path) => match self.files.read_from(origin, path) {
                Ok(read) => match serde_json::from_str::<serde_json::Value>(&read.text) {
                    Ok(value) => Schema {
                        value,
                        file: read.name,
                        at: Location::File,
                        validator: None,
                    },
                    Err(e) => {
                        doc.problems.push(Finding::new(
                            Code::InvalidContract,
                            read.name,
                            Location::LineColumn(e.line() as u64, e.column() as u64),
                            format!("schema is not JSON: {e}"),
                        ));
                        return None;
                    }
                },
                Err(e) => {
                    doc.error(&s.at, format!("schema: {e}"));
                    return None;
                }
            },
            Tree::Map(_) => Schema {
                value: to_json(s),
                file: doc.file.clone(),
                at: s.at.clone(),
                validator: None,
            },
            _ => {
                doc.error(
                    &s.at,
                    "schema must be a JSON Schema mapping or the path of a .json file",
                );
                return None;
            }
        };
        let mut schema = schema;
        match compile_schema(&schema.value) {
            Ok(v) => schema.validator = Some(std::sync::Arc::new(v)),
            Err(e) => doc.problems.push(Finding::new(
                Code::InvalidContract,
                &schema.file,
                schema.at.clone(),
                format!("schema of {what} is not a valid JSON Schema: {e}"),
            )),
        }
        Some(schema)
    }

    fn contract_subscription(
        &mut self,
        doc: &mut Doc,
        origin: &Origin,
        s: &Node,
    ) -> Option<Subscription> {
        doc.map(s, "a subscribes entry", SUBSCRIBE_KEYS)?;
        let rule = doc.required(s, "rule", "a subscribes entry")?;
        let what = format!("rule {}", rule.value);
        let bus = doc.required(s, "bus", &what)?;
        // The pattern: a file of plain EventBridge JSON, or a mapping written inline.
        let mut inline = None;
        let (pattern_file, pattern_at, text) = match s.get("pattern") {
            None => {
                doc.error(&s.at, format!("{what} has no `pattern`"));
                (doc.file.clone(), s.at.clone(), None)
            }
            Some(p) => match &p.value {
                Tree::String(path) => match self.files.read_from(origin, path) {
                    Ok(read) => {
                        self.referenced_patterns.insert(read.name.clone());
                        (read.name, Location::File, Some(read.text))
                    }
                    Err(e) => {
                        doc.error(&p.at, format!("pattern: {e}"));
                        (doc.file.clone(), p.at.clone(), None)
                    }
                },
                Tree::Map(_) => {
                    let mut text = String::new();
                    to_json_text(p, &mut text);
                    let mut at = BTreeMap::new();
                    locations(p, "", &mut at);
                    inline = Some(at);
                    (doc.file.clone(), p.at.clone(), Some(text))
                }
                _ => {
                    doc.error(
                        &p.at,
                        "pattern must be an inline mapping or the path of a .json file",
                    );
                    (doc.file.clone(), p.at.clone(), None)
                }
            },
        };
        // A placeholder left by `bus-contract import` is never matched.
        let mut unresolved = text
            .as_deref()
            .is_some_and(|t| t.contains(crate::import::PLACEHOLDER));
        if unresolved {
            doc.problems.push(Finding::new(
                Code::UnresolvedValue,
                &pattern_file,
                pattern_at.clone(),
                format!(
                    "{what}: the pattern holds a value that cannot be resolved ({}…}}); the rule is not matched",
                    crate::import::PLACEHOLDER
                ),
            ));
        }
        let declared = text
            .filter(|_| !unresolved)
            .and_then(|text| match Pattern::parse(&text) {
                Ok(p) => Some(p),
                Err(e) => {
                    let at = match (&pattern_at, &inline) {
                        (Location::File, _) => {
                            Location::LineColumn(e.line() as u64, e.column() as u64)
                        }
                        (inline_at, Some(map)) => map
                            .get(e.pointer())
                            .cloned()
                            .unwrap_or_else(|| inline_at.clone()),
                        (inline_at, None) => inline_at.clone(),
                    };
                    let pointer = if e.pointer().is_empty() {
                        String::new()
                    } else {
                        format!(" (at {})", e.pointer())
                    };
                    doc.problems.push(Finding::new(
                        Code::InvalidPattern,
                        &pattern_file,
                        at,
                        format!("{what}: {e}{pointer}"),
                    ));
                    None
                }
            });
        let disabled = doc.state(s, &what, &mut unresolved, "the rule is not matched");
        if bus.value.contains(crate::import::PLACEHOLDER) && !unresolved {
            doc.problems.push(Finding::new(
                Code::UnresolvedValue,
                &doc.file,
                bus.at.clone(),
                format!("{what}: the bus cannot be resolved; the rule is not matched"),
            ));
            unresolved = true;
        }
        let targets = self.targets(doc, s, &what);
        let expects = doc.expects(s, &what);
        let also_accepts = doc.also_accepts(s);
        let uses = doc.uses(s, &what);
        let idempotency_key = doc.string(s, "idempotency-key", &what);
        let alarms = doc.alarms(s, &what, &targets);
        let consumer = doc.consumer(s, &what);
        Some(Subscription {
            idempotency_key,
            alarms,
            consumer,
            rule,
            bus,
            declared,
            state: RuleState::of(unresolved, !disabled),
            expects,
            also_accepts,
            uses,
            targets,
            file: doc.file.clone(),
            origin: None,
            bus_place: crate::import::BusPlace::default(),
            at: s.at.clone(),
            pattern_file,
            pattern_at,
            inline,
        })
    }

    /// A `subscribes` entry with `filter`: a consumer that filters a queue, stream or topic.
    fn contract_filter(
        &mut self,
        doc: &mut Doc,
        origin: &Origin,
        s: &Node,
    ) -> Option<FilterSubscription> {
        doc.map(s, "a subscribes entry with `filter`", FILTER_KEYS)?;
        let name = doc.required(s, "filter", "a subscribes entry")?;
        let what = format!("filter {}", name.value);
        let source = doc.required(s, "source", &what)?;
        let dialect = doc.required(s, "dialect", &what).and_then(|d| {
            match crate::Dialect::from_name(&d.value) {
                Some(crate::Dialect::EventBridge) => {
                    doc.error(
                        &d.at,
                        format!("{what}: an EventBridge pattern is a rule's: write it with `rule`, `bus` and `pattern`"),
                    );
                    None
                }
                Some(dialect) => Some(dialect),
                None => {
                    let names: Vec<&str> = crate::DIALECTS
                        .iter()
                        .filter(|d| **d != crate::Dialect::EventBridge)
                        .map(|d| d.name())
                        .collect();
                    let hint = crate::suggest::nearest(&d.value, names.iter().copied())
                        .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
                    doc.error(
                        &d.at,
                        format!(
                            "{what}: unknown dialect `{}`{hint}; known: {}",
                            d.value,
                            names.join(", ")
                        ),
                    );
                    None
                }
            }
        });
        let source_kind = match (dialect, doc.string(s, "source-kind", &what)) {
            (Some(crate::Dialect::Pipes), Some(k)) => {
                doc.source_kind(&k, &format!("{what}: unknown source-kind"))
            }
            (Some(crate::Dialect::Pipes), None) => {
                doc.error(
                    &s.at,
                    format!("{what}: a pipe's filter needs `source-kind` (sqs, kinesis, dynamodb or kafka): it decides how the source's records are read"),
                );
                None
            }
            (d, Some(k)) => {
                doc.error(
                    &k.at,
                    format!(
                        "{what}: `source-kind` is for pipes; the {} dialect says its source",
                        d.map_or("given", crate::Dialect::name)
                    ),
                );
                d
            }
            (d, None) => d,
        };
        // The filters: each an inline mapping or the path of a .json file.
        let items: Vec<&Node> = match (s.get("pattern"), s.get("patterns")) {
            (Some(p), None) => vec![p],
            (None, Some(_)) => doc.list(s, "patterns", &what).iter().collect(),
            (Some(_), Some(_)) | (None, None) => {
                doc.error(
                    &s.at,
                    format!("{what}: give either `pattern` or `patterns`"),
                );
                Vec::new()
            }
        };
        let (mut pattern_file, mut pattern_at) = (doc.file.clone(), s.at.clone());
        let mut texts = Vec::new();
        let mut readable = !items.is_empty();
        for (i, p) in items.iter().enumerate() {
            match &p.value {
                Tree::String(path) => match self.files.read_from(origin, path) {
                    Ok(read) => {
                        if i == 0 {
                            (pattern_file, pattern_at) = (read.name.clone(), Location::File);
                        }
                        texts.push(read.text);
                    }
                    Err(e) => {
                        doc.error(&p.at, format!("pattern: {e}"));
                        readable = false;
                    }
                },
                Tree::Map(_) => {
                    let mut text = String::new();
                    to_json_text(p, &mut text);
                    if i == 0 {
                        pattern_at = p.at.clone();
                    }
                    texts.push(text);
                }
                _ => {
                    doc.error(
                        &p.at,
                        "a filter pattern must be an inline mapping or the path of a .json file",
                    );
                    readable = false;
                }
            }
        }
        let unresolved = texts.iter().any(|t| t.contains(crate::import::PLACEHOLDER));
        let filters = match dialect {
            Some(dialect) if readable && !unresolved => {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                match super::filter_check(dialect, &refs) {
                    Ok(f) => Some(f),
                    Err(message) => {
                        doc.problems.push(Finding::new(
                            Code::InvalidPattern,
                            &pattern_file,
                            pattern_at.clone(),
                            format!("{what}: {message}"),
                        ));
                        None
                    }
                }
            }
            _ => None,
        };
        if unresolved {
            doc.problems.push(Finding::new(
                Code::UnresolvedValue,
                &pattern_file,
                pattern_at.clone(),
                format!(
                    "{what}: a pattern holds a value that cannot be resolved ({}…}}); the filter is not checked",
                    crate::import::PLACEHOLDER
                ),
            ));
        }
        let mut unresolved = unresolved;
        let disabled = doc.state(s, &what, &mut unresolved, "the filter is not checked");
        // The function or endpoint it delivers to: read so that its type is checked.
        let _target = doc.string(s, "target", &what);
        let expects = doc.expects(s, &what);
        let also_accepts = doc.also_accepts(s);
        let uses = doc.uses(s, &what);
        let idempotency_key = doc.string(s, "idempotency-key", &what);
        let consumer = doc.consumer(s, &what).map(|mut c| {
            c.source_kind = c.source_kind.or(source_kind);
            c
        });
        Some(FilterSubscription {
            idempotency_key,
            consumer,
            name,
            source_kind: match dialect {
                Some(crate::Dialect::Pipes) => source_kind,
                d => d,
            },
            source,
            filters,
            state: RuleState::of(unresolved, !disabled),
            expects,
            also_accepts,
            uses,
            file: doc.file.clone(),
            origin: None,
            at: s.at.clone(),
            pattern_file,
            pattern_at,
        })
    }

    fn targets(&mut self, doc: &mut Doc, s: &Node, what: &str) -> Vec<Target> {
        let one = |doc: &mut Doc, node: &Node, key: &str| -> Option<Target> {
            Some(Target {
                name: doc.string(node, key, what)?,
                dead_letter_queue: doc.string(node, "dead-letter-queue", what),
                retry_policy: doc.retry_policy(node, what),
                input: doc.target_input(node, what),
            })
        };
        match (s.get("target"), s.get("targets")) {
            (Some(_), None) => one(doc, s, "target").into_iter().collect(),
            (None, Some(_)) => {
                if let Some(extra) = s.get("dead-letter-queue").or_else(|| s.get("retry-policy")) {
                    doc.error(
                        &extra.key_at.clone().unwrap_or_else(|| extra.at.clone()),
                        "with `targets`, each target has its own dead-letter-queue and retry-policy",
                    );
                }
                let mut out = Vec::new();
                for t in doc.list(s, "targets", what) {
                    if doc
                        .map(t, &format!("a target of {what}"), TARGET_KEYS)
                        .is_none()
                    {
                        continue;
                    }
                    if t.get("target").is_none() {
                        doc.error(&t.at, format!("a target of {what} has no `target`"));
                        continue;
                    }
                    out.extend(one(doc, t, "target"));
                }
                out
            }
            (Some(_), Some(_)) | (None, None) => {
                doc.error(&s.at, format!("{what}: give either `target` or `targets`"));
                Vec::new()
            }
        }
    }
}
