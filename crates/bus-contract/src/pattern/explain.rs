//! Why a pattern matches an event, or why not: field by field, branch by branch.

use std::fmt::Write as _;

use crate::event::Event;
use crate::json::Value;
use crate::pattern::Pattern;
use crate::pattern::ast::{AnythingBut, Matcher};
use crate::pattern::reference::{list_accepts, values_at};

/// The verdict on one field of one branch.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldVerdict {
    /// The field's path, joined with `.`.
    pub path: String,
    /// The condition, in pattern syntax (the leaf list).
    pub wants: String,
    /// The event's values at the path, as JSON.
    pub values: Vec<String>,
    /// Whether some value (or, for `exists: false`, the absence of values) satisfies it.
    pub ok: bool,
    /// For a failed field: the wanted literal nearest to the event's value, and that value.
    pub nearest: Option<(String, String)>,
}

/// The verdicts on one branch (sub-rule) of a pattern; a pattern without `$or` has one.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchVerdict {
    /// Field verdicts in the order the engine checks them.
    pub fields: Vec<FieldVerdict>,
}

impl BranchVerdict {
    /// Whether every field of the branch is satisfied on its own.
    pub fn fields_ok(&self) -> bool {
        self.fields.iter().all(|f| f.ok)
    }
}

/// The explanation of one pattern against one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Whether the pattern matches (the reference matcher's verdict).
    pub matches: bool,
    /// One entry per `$or` branch.
    pub branches: Vec<BranchVerdict>,
}

/// The literal strings a matcher wants, for finding the nearest one.
fn wanted_strings(m: &Matcher) -> Vec<String> {
    match m {
        Matcher::Exact { value, .. }
        | Matcher::Exactly(value)
        | Matcher::Prefix(value)
        | Matcher::Suffix(value)
        | Matcher::PrefixFolded(_, value)
        | Matcher::SuffixFolded(_, value)
        | Matcher::EqualsIgnoreCase(_, value) => vec![value.clone()],
        Matcher::Wildcard(w) => vec![w.source().to_string()],
        Matcher::Number { text, .. } => vec![text.clone()],
        Matcher::AnythingBut(AnythingBut::Strings(_)) => Vec::new(),
        _ => Vec::new(),
    }
}

fn similarity(a: &str, b: &str) -> f32 {
    similar::TextDiff::from_chars(a, b).ratio()
}

impl Pattern {
    /// Explains the verdict of [`Pattern::matches_event`]: for each `$or` branch, for each
    /// field, the condition, the event's values and whether they satisfy it.
    pub fn explain(&self, event: &Event) -> Explanation {
        let branches = self
            .sub_rules()
            .iter()
            .map(|rule| {
                let paths: Vec<&str> = rule.fields.iter().map(|f| f.path.as_str()).collect();
                let values = values_at(event, &paths);
                let fields = rule
                    .fields
                    .iter()
                    .zip(values)
                    .map(|(f, vals)| {
                        let ok = if vals.is_empty() {
                            f.list.has_exists_false
                        } else {
                            vals.iter()
                                .any(|v| list_accepts(&f.list, v, self.profile()))
                        };
                        let shown: Vec<String> = vals.iter().map(|v| v.to_string()).collect();
                        let nearest = if ok {
                            None
                        } else {
                            let got: Vec<String> = vals
                                .iter()
                                .map(|v| match v {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect();
                            let wanted: Vec<String> =
                                f.list.matchers.iter().flat_map(wanted_strings).collect();
                            let mut best: Option<(f32, String, String)> = None;
                            for w in &wanted {
                                for g in &got {
                                    let score = similarity(w, g);
                                    if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                                        best = Some((score, w.clone(), g.clone()));
                                    }
                                }
                            }
                            best.map(|(_, w, g)| (w, g))
                        };
                        FieldVerdict {
                            path: f.path.clone(),
                            wants: format!(
                                "[{}]",
                                f.list
                                    .matchers
                                    .iter()
                                    .map(ToString::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            values: shown,
                            ok,
                            nearest,
                        }
                    })
                    .collect();
                BranchVerdict { fields }
            })
            .collect();
        Explanation {
            matches: self.matches_event(event),
            branches,
        }
    }
}

impl Explanation {
    /// The explanation as text for people. With `color`, marks and diffs are colored with ANSI
    /// escapes.
    pub fn to_text(&self, rule: &str, color: bool) -> String {
        let paint = |s: &str, code: &str| {
            if color {
                format!("\u{1b}[{code}m{s}\u{1b}[0m")
            } else {
                s.to_string()
            }
        };
        let mut out = String::new();
        if self.matches {
            let _ = writeln!(out, "{} {rule} matches", paint("✓", "32"));
        } else {
            let _ = writeln!(out, "{} {rule} does not match", paint("✗", "31"));
        }
        let many = self.branches.len() > 1;
        for (i, b) in self.branches.iter().enumerate() {
            let indent = if many {
                let mark = if b.fields_ok() {
                    paint("✓", "32")
                } else {
                    paint("✗", "31")
                };
                let _ = writeln!(
                    out,
                    "  $or branch {} of {} {mark}",
                    i + 1,
                    self.branches.len()
                );
                "    "
            } else {
                "  "
            };
            for f in &b.fields {
                let mark = if f.ok {
                    paint("✓", "32")
                } else {
                    paint("✗", "31")
                };
                let values = if f.values.is_empty() {
                    "(absent)".to_string()
                } else {
                    f.values.join(", ")
                };
                let _ = writeln!(out, "{indent}{mark} {}", f.path);
                let _ = writeln!(out, "{indent}    wants {}", f.wants);
                let _ = writeln!(out, "{indent}    event {values}");
                if let Some((want, got)) = &f.nearest {
                    let diff = similar::TextDiff::from_chars(want.as_str(), got.as_str());
                    // Runs of one kind of change, so that `[-Upd-]` reads as one edit.
                    let mut runs: Vec<(similar::ChangeTag, String)> = Vec::new();
                    for change in diff.iter_all_changes() {
                        match runs.last_mut() {
                            Some((tag, text)) if *tag == change.tag() => {
                                text.push_str(change.value())
                            }
                            _ => runs.push((change.tag(), change.value().to_string())),
                        }
                    }
                    let mut line = String::new();
                    for (tag, v) in runs {
                        match tag {
                            similar::ChangeTag::Equal => line.push_str(&v),
                            similar::ChangeTag::Delete => {
                                line.push_str(&paint(&format!("[-{v}-]"), "31"))
                            }
                            similar::ChangeTag::Insert => {
                                line.push_str(&paint(&format!("{{+{v}+}}"), "32"))
                            }
                        }
                    }
                    let _ = writeln!(out, "{indent}    nearest {want:?}: {line}");
                }
            }
            if b.fields_ok() && !self.matches && !many {
                let _ = writeln!(
                    out,
                    "{indent}every field has a matching value, but not within one element of an array of objects (array consistency)"
                );
            }
        }
        out
    }
}
