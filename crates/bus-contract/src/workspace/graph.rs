//! The routing graph: producers → buses → rules → targets, as Mermaid or Graphviz DOT.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::Workspace;

/// A node id both formats accept.
fn id(kind: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{kind}_{clean}")
}

/// The graph's nodes and edges, sorted, so that the output is deterministic.
struct Graph {
    /// (id, label, kind)
    nodes: BTreeSet<(String, String, &'static str)>,
    /// (from, to, label)
    edges: BTreeSet<(String, String, String)>,
}

impl Workspace {
    fn graph(&self) -> Graph {
        let mut g = Graph {
            nodes: BTreeSet::new(),
            edges: BTreeSet::new(),
        };
        let places = self.bus_places();
        let templates: BTreeSet<&String> = self
            .services
            .iter()
            .flat_map(|s| &s.publishes)
            .map(|p| &p.bus.value)
            .collect();
        for s in &self.services {
            for p in &s.publishes {
                let (svc, bus) = (id("svc", &s.name), id("bus", &p.bus.value));
                g.nodes.insert((svc.clone(), s.name.clone(), "service"));
                g.nodes.insert((bus.clone(), p.bus.value.clone(), "bus"));
                g.edges.insert((svc, bus, p.event.value.clone()));
            }
            for sub in &s.subscribes {
                // A concrete bus (an imported rule's) joins the producers' bus it is in some
                // environment.
                let bus_name = templates
                    .iter()
                    .find(|t| {
                        self.config
                            .environments
                            .iter()
                            .any(|env| crate::environment::expand(t, env) == sub.bus.value)
                    })
                    .map_or(sub.bus.value.clone(), |t| (*t).clone());
                // Same-named buses in two accounts or regions are two buses.
                let elsewhere = places
                    .get(sub.bus.value.as_str())
                    .is_some_and(|all| all.iter().any(|p| !p.may_be_same(&sub.bus_place)));
                let place = elsewhere.then(|| {
                    let p = &sub.bus_place;
                    format!(
                        "{}/{}",
                        p.account.as_deref().unwrap_or("?"),
                        p.region.as_deref().unwrap_or("?")
                    )
                });
                let bus_name = match &place {
                    Some(place) => format!("{bus_name} ({place})"),
                    None => bus_name,
                };
                let bus = id("bus", &bus_name);
                let name = match &place {
                    Some(place) => format!("{}/{} ({place})", s.name, sub.rule.value),
                    None => format!("{}/{}", s.name, sub.rule.value),
                };
                let rule = id("rule", &name);
                g.nodes.insert((bus.clone(), bus_name, "bus"));
                g.nodes.insert((rule.clone(), name, "rule"));
                g.edges.insert((bus, rule.clone(), String::new()));
                for t in &sub.targets {
                    let target = id("target", &t.name.value);
                    g.nodes
                        .insert((target.clone(), t.name.value.clone(), "target"));
                    g.edges.insert((rule.clone(), target, String::new()));
                }
            }
        }
        g
    }

    /// The places (account, region) of the buses of each name the subscriptions use, gathered
    /// once: a subscription's bus is drawn apart when another of the same name is elsewhere.
    fn bus_places(&self) -> BTreeMap<&str, Vec<&crate::import::BusPlace>> {
        let mut by_name: BTreeMap<&str, Vec<&crate::import::BusPlace>> = BTreeMap::new();
        for sub in self.services.iter().flat_map(|s| &s.subscribes) {
            by_name
                .entry(sub.bus.value.as_str())
                .or_default()
                .push(&sub.bus_place);
        }
        by_name
    }

    /// The routing graph as a Mermaid flowchart: services publish events onto buses, rules on
    /// the buses deliver to targets.
    pub fn graph_mermaid(&self) -> String {
        let g = self.graph();
        let mut out = String::from("flowchart LR\n");
        for (id, label, kind) in &g.nodes {
            let label = label.replace('"', "'");
            let _ = match *kind {
                "service" => writeln!(out, "  {id}[\"{label}\"]"),
                "bus" => writeln!(out, "  {id}{{{{\"{label}\"}}}}"),
                "rule" => writeln!(out, "  {id}([\"{label}\"])"),
                _ => writeln!(out, "  {id}[(\"{label}\")]"),
            };
        }
        for (from, to, label) in &g.edges {
            let _ = if label.is_empty() {
                writeln!(out, "  {from} --> {to}")
            } else {
                writeln!(out, "  {from} -- \"{label}\" --> {to}")
            };
        }
        out
    }

    /// The routing graph in Graphviz DOT.
    pub fn graph_dot(&self) -> String {
        let g = self.graph();
        let mut out = String::from("digraph routing {\n  rankdir=LR;\n");
        for (id, label, kind) in &g.nodes {
            let shape = match *kind {
                "service" => "box",
                "bus" => "hexagon",
                "rule" => "ellipse",
                _ => "cylinder",
            };
            let _ = writeln!(
                out,
                "  {id} [label=\"{}\", shape={shape}];",
                label.replace('"', "\\\"")
            );
        }
        for (from, to, label) in &g.edges {
            let _ = if label.is_empty() {
                writeln!(out, "  {from} -> {to};")
            } else {
                writeln!(out, "  {from} -> {to} [label=\"{label}\"];")
            };
        }
        out.push_str("}\n");
        out
    }

    /// The rules (as `service/rule`) whose patterns match `event`, whatever their bus.
    pub fn matching_rules(&self, event: &crate::Event) -> Vec<String> {
        let mut builder = crate::Matcher::builder();
        for r in self.rules() {
            if let Some(p) = r.pattern {
                let _ = builder.add(format!("{}/{}", r.service, r.name), p.clone());
            }
        }
        let Ok(matcher) = builder.build() else {
            return Vec::new();
        };
        matcher
            .matches(event.to_string().as_bytes())
            .map(|names| names.into_iter().map(String::from).collect())
            .unwrap_or_default()
    }
}
