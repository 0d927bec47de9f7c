//! Rules imported from infrastructure code (`imports:` and [`Workspace::import`]): each
//! becomes a subscription of a service, pointing at the template it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::files::{Base, normalize};
use super::{
    At, CONFIG_FILE, FilterSubscription, ImportEntry, RetryPolicy, RuleState, Service,
    Subscription, Target, Workspace,
};
use crate::diag::{Code, Finding, Location, Severity};
use crate::environment::{ENVIRONMENT, expand};
use crate::import::{ImportedFilter, ImportedRule, default_service, import};
use crate::pattern::Pattern;

impl Workspace {
    pub(super) fn load_imports(&mut self) {
        let mut facts = crate::import::Imported::default();
        self.read_imports(&mut facts);
        self.attach_facts(&facts);
    }

    /// What the templates say of alarms, functions, queues and mappings, joined to the
    /// subscriptions they concern: a rule's alarms by its name and its queues' names, its
    /// consumer by its target (a function, or a queue a mapping reads), a filter's by its
    /// mapping. What a contract says itself is kept.
    fn attach_facts(&mut self, facts: &crate::import::Imported) {
        // A mapping with a filter is the filter's consumer, not its queue's rules'.
        let filtered: std::collections::BTreeSet<String> = self
            .services
            .iter()
            .flat_map(|s| &s.filters)
            .filter_map(|f| f.origin.clone())
            .collect();
        for service in &mut self.services {
            for sub in &mut service.subscribes {
                if sub.alarms.failed_invocations.is_none() {
                    sub.alarms.failed_invocations =
                        facts.rule_alarm(&sub.rule.value).map(String::from);
                }
                for t in &sub.targets {
                    let Some(q) = &t.dead_letter_queue else {
                        continue;
                    };
                    if !sub.alarms.dead_letter_queues.contains_key(&q.value) {
                        if let Some(a) = facts.queue_alarm(&q.value) {
                            sub.alarms
                                .dead_letter_queues
                                .insert(q.value.clone(), a.to_string());
                        }
                    }
                }
                if sub.consumer.is_none() {
                    sub.consumer = sub
                        .targets
                        .first()
                        .and_then(|t| facts.target_consumer(&t.name.value, &filtered));
                }
            }
            for f in &mut service.filters {
                if f.consumer.is_none() {
                    if let Some(origin) = &f.origin {
                        f.consumer = facts.mapping_consumer(origin);
                    }
                }
            }
        }
    }

    fn read_imports(&mut self, facts: &mut crate::import::Imported) {
        let mut sources: Vec<(PathBuf, String, ImportEntry)> = Vec::new();
        for entry in self.config.imports.clone() {
            let Some(rel) = normalize(Path::new(&entry.path)) else {
                let place = if entry.root.is_some() {
                    "the service repo"
                } else {
                    "the workspace"
                };
                self.problem(
                    Code::InvalidContract,
                    &entry.config,
                    entry.at.clone(),
                    format!("import `{}` is outside {place}", entry.path),
                );
                continue;
            };
            let (root, place) = match (&entry.root, &self.files.base) {
                (Some(root), _) => (root.clone(), "the service repo"),
                (None, Base::Dir(root)) => (root.clone(), "the workspace"),
                (None, Base::Embedded(_)) => {
                    self.problem(
                        Code::InvalidContract,
                        &entry.config,
                        entry.at.clone(),
                        "the embedded registry cannot import files",
                    );
                    continue;
                }
            };
            let path = root.join(&rel);
            // A link out of the workspace is refused; a missing file is reported below.
            if path.symlink_metadata().is_ok() {
                if let Err(e) = super::files::resolve_inside(&root, place, &path, &rel) {
                    self.problem(
                        Code::InvalidContract,
                        &entry.config,
                        entry.at.clone(),
                        format!("import: {e}"),
                    );
                    continue;
                }
            }
            let display = if entry.root.is_some() {
                rel
            } else {
                self.files.name(&rel)
            };
            sources.push((path, display, entry));
        }
        for path in self.extras.imports.clone() {
            let display = path.display().to_string();
            sources.push((
                path.clone(),
                display.clone(),
                ImportEntry {
                    config: CONFIG_FILE.to_string(),
                    root: None,
                    path: display,
                    service: None,
                    parameters: BTreeMap::new(),
                    at: Location::File,
                },
            ));
        }
        // A service repo's imports belong to the service repo's one contract, if it has
        // exactly one; otherwise each is named after its file.
        let own: Vec<&str> = self
            .services
            .iter()
            .filter(|s| self.files.base_path(&s.file).is_none())
            .map(|s| s.name.as_str())
            .collect();
        let own = match own[..] {
            [one] if self.extras.service.is_some() => Some(one.to_string()),
            _ => None,
        };
        for (disk, display, entry) in sources {
            let mut parameters = entry.parameters.clone();
            parameters.extend(self.extras.parameters.clone());
            if !disk.exists() {
                let (file, at) = if entry.at == Location::File {
                    (display.clone(), Location::File)
                } else {
                    (entry.config.clone(), entry.at.clone())
                };
                self.problem(
                    Code::InvalidContract,
                    file,
                    at,
                    format!("import {display} does not exist"),
                );
                continue;
            }
            // A parameter given as `${environment}` is evaluated once per environment, so that
            // conditions and mappings on it are decided for each; rules that come out the same
            // in every environment are kept once.
            let runs: Vec<BTreeMap<String, String>> =
                if parameters.values().any(|v| v.contains(ENVIRONMENT)) {
                    self.config
                        .environments
                        .iter()
                        .map(|env| {
                            parameters
                                .iter()
                                .map(|(k, v)| (k.clone(), expand(v, env)))
                                .collect()
                        })
                        .collect()
                } else {
                    vec![parameters]
                };
            let mut runs = runs.iter();
            let Some(first) = runs.next() else { continue };
            let mut imported = import(&disk, &display, first);
            for run in runs {
                let once = import(&disk, &display, run);
                extend_new(&mut imported.problems, once.problems);
                extend_new(&mut imported.unread, once.unread);
                extend_new(&mut imported.warnings, once.warnings);
                extend_new(&mut imported.rules, once.rules);
                extend_new(&mut imported.filters, once.filters);
                extend_new(&mut imported.alarms, once.alarms);
                extend_new(&mut imported.functions, once.functions);
                extend_new(&mut imported.queues, once.queues);
                extend_new(&mut imported.mappings, once.mappings);
            }
            facts.alarms.extend(imported.alarms.clone());
            facts.functions.extend(imported.functions.clone());
            facts.queues.extend(imported.queues.clone());
            facts.mappings.extend(imported.mappings.clone());
            for p in imported.problems {
                self.problem(Code::InvalidContract, p.file, p.location, p.message);
            }
            for w in imported.warnings {
                self.problem(Code::DuplicateKey, w.file, w.location, w.message);
            }
            for u in imported.unread {
                self.problems.push(
                    Finding::new(Code::UnresolvedValue, u.file, u.location, u.message)
                        .severity(Severity::Warning),
                );
            }
            let service = entry.service.clone().unwrap_or_else(|| match &own {
                Some(one) => one.clone(),
                None => default_service(&disk),
            });
            let subs: Vec<Subscription> = imported
                .rules
                .iter()
                .map(|r| self.subscription(&service, r))
                .collect();
            let filters: Vec<FilterSubscription> = imported
                .filters
                .iter()
                .map(|f| self.filter_subscription(&service, f))
                .collect();
            match self.services.iter_mut().find(|s| s.name == service) {
                Some(s) => {
                    s.subscribes.extend(subs);
                    s.filters.extend(filters);
                }
                None => self.services.push(Service {
                    name: service,
                    file: display,
                    publishes: Vec::new(),
                    subscribes: subs,
                    filters,
                }),
            }
        }
    }

    /// One imported rule as a subscription; its notes become findings.
    fn subscription(&mut self, service: &str, r: &ImportedRule) -> Subscription {
        let finding = |code: Code, file: &str, at: Location, message: String| {
            Finding::new(code, file, at, message)
                .service(Some(service))
                .origin(Some(&r.origin))
        };
        self.unresolved(
            service,
            &r.origin,
            &format!("rule {}", r.name),
            &r.unresolved,
            "the rule is not matched",
        );
        for n in &r.warnings {
            let f = finding(
                Code::AmbiguousScalar,
                &n.file,
                n.location.clone(),
                format!("rule {}: {}", r.name, n.message),
            );
            self.problems.push(f);
        }
        let declared = if r.unmatchable {
            None
        } else {
            match Pattern::parse(&r.pattern) {
                Ok(p) => Some(p),
                Err(e) => {
                    let f = finding(
                        Code::InvalidPattern,
                        &r.file,
                        r.location.clone(),
                        format!("rule {}: {e}", r.name),
                    );
                    self.problems.push(f);
                    None
                }
            }
        };
        let state = RuleState::of(r.unmatchable, r.enabled);
        let here = |value: String| At {
            value,
            at: r.location.clone(),
        };
        Subscription {
            rule: here(r.name.clone()),
            bus: here(r.bus.clone()),
            declared,
            state,
            expects: Vec::new(),
            also_accepts: super::AlsoAccepts::Nothing,
            uses: Vec::new(),
            targets: r
                .targets
                .iter()
                .map(|t| Target {
                    name: here(t.name.clone()),
                    dead_letter_queue: t.dead_letter_queue.clone().map(here),
                    retry_policy: t.has_retry_policy.then(|| At {
                        value: RetryPolicy {
                            attempts: t.maximum_retry_attempts,
                            age_seconds: t.maximum_event_age_seconds,
                        },
                        at: r.location.clone(),
                    }),
                    input: t.input.clone(),
                })
                .collect(),
            file: r.file.clone(),
            origin: Some(r.origin.clone()),
            bus_place: r.bus_place.clone(),
            at: r.location.clone(),
            pattern_file: r.file.clone(),
            pattern_at: r.location.clone(),
            // The pattern's text is made from the template: its findings point at the rule.
            inline: Some(BTreeMap::new()),
            idempotency_key: None,
            alarms: super::Alarms::default(),
            consumer: None,
        }
    }
}

impl Workspace {
    /// An imported item's unresolved values as findings: an error, saying `consequence`, when
    /// the value blocks the item (its pattern, bus, source or state), else a warning.
    fn unresolved(
        &mut self,
        service: &str,
        origin: &str,
        what: &str,
        notes: &[crate::import::Note],
        consequence: &str,
    ) {
        for n in notes {
            let (severity, tail) = if n.blocks_matching {
                (Severity::Error, format!("; {consequence}"))
            } else {
                (Severity::Warning, String::new())
            };
            self.problems.push(
                Finding::new(
                    Code::UnresolvedValue,
                    &n.file,
                    n.location.clone(),
                    format!("{what}: {}{tail}", n.message),
                )
                .severity(severity)
                .service(Some(service))
                .origin(Some(origin)),
            );
        }
    }

    /// One imported filter as a filter subscription; its notes become findings.
    fn filter_subscription(&mut self, service: &str, f: &ImportedFilter) -> FilterSubscription {
        self.unresolved(
            service,
            &f.origin,
            &format!("filter {}", f.name),
            &f.unresolved,
            "the filter is not checked",
        );
        let filters = match (f.dialect, f.unmatchable) {
            (Some(dialect), false) => {
                let texts: Vec<&str> = f.patterns.iter().map(String::as_str).collect();
                match super::filter_check(dialect, &texts) {
                    Ok(filters) => Some(filters),
                    Err(message) => {
                        self.problems.push(
                            Finding::new(
                                Code::InvalidPattern,
                                &f.file,
                                f.location.clone(),
                                format!("filter {}: {message}", f.name),
                            )
                            .service(Some(service))
                            .origin(Some(&f.origin)),
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        let here = |value: String| At {
            value,
            at: f.location.clone(),
        };
        FilterSubscription {
            name: here(f.name.clone()),
            source_kind: f.source_kind,
            source: here(f.source.clone()),
            filters,
            state: RuleState::of(f.unmatchable, f.enabled),
            expects: Vec::new(),
            also_accepts: super::AlsoAccepts::Nothing,
            uses: Vec::new(),
            file: f.file.clone(),
            origin: Some(f.origin.clone()),
            at: f.location.clone(),
            pattern_file: f.file.clone(),
            pattern_at: f.location.clone(),
            idempotency_key: None,
            consumer: None,
        }
    }
}

/// Appends the items of `more` that `into` does not hold yet: what one environment's import
/// adds to the others'.
fn extend_new<T: PartialEq>(into: &mut Vec<T>, more: Vec<T>) {
    for item in more {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}
