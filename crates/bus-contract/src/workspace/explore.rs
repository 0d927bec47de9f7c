//! What the exploring commands ask of a workspace: its rules as one matcher, and events to
//! generate for a rule or an event.

use proptest::strategy::{BoxedStrategy, Strategy, Union};

use super::{Rule, RuleState, Workspace};
use crate::matcher::{BuildError, MatcherBuilder};
use crate::pattern::Pattern;
use crate::strategy;

/// The rules EventBridge would match, in a [`MatcherBuilder`], and how many were left out.
#[derive(Debug)]
#[non_exhaustive]
pub struct RuleSet {
    /// Every enabled rule with a usable pattern, named `service/rule`.
    pub builder: MatcherBuilder,
    /// DISABLED rules, left out.
    pub disabled: usize,
    /// Rules holding values that cannot be resolved offline, left out.
    pub unresolved: usize,
    /// The bus names of each rule in the builder, in the order added (one per environment
    /// when the bus is written with `${environment}`), for [`crate::Replay::buses`].
    pub buses: Vec<Vec<String>>,
}

/// What [`Workspace::rule_events`] built its events from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Basis {
    /// Valid instances of the rule's expected events, under their producers' schemas.
    Schemas,
    /// The pattern alone: no expected event has a schema the pattern can match.
    PatternAlone,
    /// Near misses of the pattern.
    NearMiss,
}

impl Workspace {
    /// The workspace's matched rules, ready to be built into one matcher (set its options
    /// first).
    ///
    /// # Errors
    /// [`BuildError::DuplicateName`] when two rules share a `service/rule` name.
    pub fn rule_set(&self) -> Result<RuleSet, BuildError> {
        let mut set = RuleSet {
            builder: MatcherBuilder::default(),
            disabled: 0,
            unresolved: 0,
            buses: Vec::new(),
        };
        for r in self.rules() {
            match (r.state, r.pattern) {
                (RuleState::Enabled, Some(p)) => {
                    set.builder
                        .add(format!("{}/{}", r.service, r.name), p.clone())?;
                    let mut buses: Vec<String> = self
                        .environments()
                        .iter()
                        .map(|env| {
                            crate::event::bus_name(&crate::environment::expand(r.bus, env))
                                .to_string()
                        })
                        .collect();
                    buses.sort();
                    buses.dedup();
                    set.buses.push(buses);
                }
                (RuleState::Disabled, _) => set.disabled += 1,
                (RuleState::Unresolved, _) => set.unresolved += 1,
                _ => {}
            }
        }
        Ok(set)
    }

    /// Valid instances of `event`, from each producer's declaration.
    ///
    /// # Errors
    /// When no service publishes the event; the message names the nearest event that is.
    pub fn event_instances(&self, event: &str) -> Result<BoxedStrategy<serde_json::Value>, String> {
        let declarations = self.declarations(event);
        if declarations.is_empty() {
            let hint = self
                .nearest_event(event)
                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
            return Err(format!("no service publishes an event named {event}{hint}"));
        }
        Ok(Union::new(declarations.iter().map(|d| strategy::event_of(d).boxed())).boxed())
    }

    /// Events for `rule`, whose pattern is `pattern`: its near misses, or the valid instances of
    /// its expected events that it matches (where their producers declare schemas), or else
    /// events built from the pattern alone; the [`Basis`] says which. `seed` is used to try
    /// each expected event once. `None` for the near misses of a pattern that cannot be missed
    /// by one condition.
    pub fn rule_events(
        &self,
        rule: &Rule<'_>,
        pattern: &Pattern,
        near_miss: bool,
        seed: u64,
    ) -> Option<(BoxedStrategy<serde_json::Value>, Basis)> {
        if near_miss {
            return strategy::near_miss(pattern).map(|s| (s.boxed(), Basis::NearMiss));
        }
        let within: Vec<BoxedStrategy<serde_json::Value>> = rule
            .expects
            .iter()
            .flat_map(|(event, _)| self.declarations(event))
            .filter(|d| d.schema.is_some())
            .filter(|d| strategy::sample(&strategy::matching_within(pattern, d), 1, seed).is_ok())
            .map(|d| strategy::matching_within(pattern, &d).boxed())
            .collect();
        Some(if within.is_empty() {
            (strategy::matching(pattern).boxed(), Basis::PatternAlone)
        } else {
            (Union::new(within).boxed(), Basis::Schemas)
        })
    }
}
