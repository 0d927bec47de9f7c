//! `naming` and `cross-domain`: names against the workspace's conventions.
//!
//! A convention is a template such as `{service}-{category}-{domain}-{environment}`: literal
//! text and placeholders. A placeholder matches a run of lower-case letters and digits, and
//! where the conventions list its values (`service`, `categories`, `domains`, the
//! environments), one of them. `{environment}` also matches the literal `${environment}` that
//! contracts write in bus names.

use std::collections::BTreeMap;

use crate::check::{Code, Finding, Location};
use crate::workspace::{Conventions, Workspace};

type Captures = BTreeMap<String, String>;

enum Part<'t> {
    Literal(&'t str),
    Hole(&'t str),
}

fn parts(template: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Part::Literal(&rest[..open]));
        }
        match rest[open..].find('}') {
            Some(close) => {
                out.push(Part::Hole(&rest[open + 1..open + close]));
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push(Part::Literal(&rest[open..]));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        out.push(Part::Literal(rest));
    }
    out
}

/// Matches `value` against `template`, returning the placeholders' values.
fn matches(template: &str, value: &str, c: &Conventions, envs: &[String]) -> Option<Captures> {
    let mut caps = Captures::new();
    let mut rest = value;
    for part in parts(template) {
        match part {
            Part::Literal(l) => rest = rest.strip_prefix(l)?,
            Part::Hole(name) => {
                let taken = if name == "environment" && rest.starts_with("${environment}") {
                    "${environment}"
                } else {
                    let len = rest
                        .find(|ch: char| !(ch.is_ascii_lowercase() || ch.is_ascii_digit()))
                        .unwrap_or(rest.len());
                    &rest[..len]
                };
                if taken.is_empty() {
                    return None;
                }
                let allowed: Option<Vec<&str>> = match name {
                    "service" => c.service.as_deref().map(|s| vec![s]),
                    "category" if !c.categories.is_empty() => {
                        Some(c.categories.iter().map(String::as_str).collect())
                    }
                    "domain" if !c.domains.is_empty() => {
                        Some(c.domains.iter().map(String::as_str).collect())
                    }
                    "environment" if taken != "${environment}" => {
                        Some(envs.iter().map(String::as_str).collect())
                    }
                    _ => None,
                };
                if allowed.is_some_and(|a| !a.contains(&taken)) {
                    return None;
                }
                caps.insert(name.to_string(), taken.to_string());
                rest = &rest[taken.len()..];
            }
        }
    }
    rest.is_empty().then_some(caps)
}

fn pascal_case(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The domain a bus name implies, if it follows a bus template.
fn bus_domain(bus: &str, c: &Conventions, envs: &[String]) -> Result<Option<String>, ()> {
    if c.bus_names.is_empty() {
        return Ok(None);
    }
    for (template, domain) in &c.bus_names {
        if let Some(caps) = matches(template, bus, c, envs) {
            return Ok(caps.get("domain").cloned().or_else(|| domain.clone()));
        }
    }
    Err(())
}

pub(crate) fn check(ws: &Workspace, c: &Conventions, envs: &[String], out: &mut Vec<Finding>) {
    let all_envs = &ws.config.environments;
    let envs: Vec<String> = all_envs.iter().chain(envs).cloned().collect();
    let bus_rule = || {
        c.bus_names
            .iter()
            .map(|(t, _)| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    for service in &ws.services {
        let mut push = |at: &Location, code: Code, message: String| {
            out.push(
                Finding::new(code, &service.file, at.clone(), message).service(Some(&service.name)),
            );
        };
        for p in &service.publishes {
            let domain = match bus_domain(&p.bus.value, c, &envs) {
                Ok(d) => d,
                Err(()) => {
                    push(
                        &p.bus.at,
                        Code::Naming,
                        format!("bus `{}` does not follow {}", p.bus.value, bus_rule()),
                    );
                    None
                }
            };
            if let Some(t) = &c.event_names {
                if matches(t, &p.event.value, c, &envs).is_none() {
                    push(
                        &p.event.at,
                        Code::Naming,
                        format!("event `{}` does not follow `{t}`", p.event.value),
                    );
                }
            }
            let mut source_domain = None;
            if let Some(t) = &c.sources {
                match matches(t, &p.source.value, c, &envs) {
                    Some(caps) => source_domain = caps.get("domain").cloned(),
                    None => push(
                        &p.source.at,
                        Code::Naming,
                        format!("source `{}` does not follow `{t}`", p.source.value),
                    ),
                }
            }
            if let Some(style) = &c.detail_types {
                let ok = match style.as_str() {
                    "PascalCase" => pascal_case(&p.detail_type.value),
                    template => matches(template, &p.detail_type.value, c, &envs).is_some(),
                };
                if !ok {
                    push(
                        &p.detail_type.at,
                        Code::Naming,
                        format!("detail-type `{}` is not {style}", p.detail_type.value),
                    );
                }
            }
            if let (Some(bus), Some(source)) = (&domain, &source_domain) {
                if bus != source {
                    push(
                        &p.source.at,
                        Code::CrossDomain,
                        format!(
                            "{} publishes source {} (domain {source}) on {} (domain {bus}); publish on the bus of its own domain",
                            p.event.value, p.source.value, p.bus.value
                        ),
                    );
                }
            }
        }
        for s in &service.subscribes {
            if bus_domain(&s.bus.value, c, &envs).is_err() {
                push(
                    &s.bus.at,
                    Code::Naming,
                    format!("bus `{}` does not follow {}", s.bus.value, bus_rule()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_templates() {
        let c = Conventions {
            service: Some("bellyfed".into()),
            categories: vec!["domain".into(), "infra".into(), "analytics".into()],
            domains: vec!["user".into(), "auth".into(), "system".into()],
            ..Conventions::default()
        };
        let envs = vec!["dev".to_string(), "prod".to_string()];
        let t = "{service}-{category}-{domain}-{environment}";
        let caps = matches(t, "bellyfed-domain-user-${environment}", &c, &envs).unwrap();
        assert_eq!(caps["domain"], "user");
        assert!(matches(t, "bellyfed-domain-user-prod", &c, &envs).is_some());
        assert!(matches(t, "bellyfed-domain-user-qa", &c, &envs).is_none());
        assert!(matches(t, "bellyfed-domain-billing-dev", &c, &envs).is_none());
        assert!(matches(t, "other-domain-user-dev", &c, &envs).is_none());
        assert!(
            matches(
                "{domain}.{entity}.{action}",
                "user.profile.updated",
                &c,
                &envs
            )
            .is_some()
        );
        assert!(matches("{domain}.{entity}.{action}", "UserAvatarChanged", &c, &envs).is_none());
        assert!(pascal_case("ProfileUpdated"));
        assert!(!pascal_case("profile-updated"));
    }
}
