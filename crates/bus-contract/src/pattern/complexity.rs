//! The wildcard complexity limit (spec §2.15).
//!
//! EventBridge rejects a pattern when some input could keep too many partial wildcard matches
//! alive at once. The measure, per field: build the byte automaton of the field's wildcard
//! values, each value wrapped in `"` as EventBridge's engine stores strings, and find the largest
//! set of automaton states that one input can have active together. The values of one
//! `anything-but` list share their common prefixes; separate matchers do not. This reproduces
//! every figure in the spec's calibration table (for example `*:*:*:*` is 7, `*a*a*a*a*a*a` is
//! 12, and `["*x*", "*y*", "*z*"]` as three matchers is 9).

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use crate::pattern::ast::{AnythingBut, Matcher, SubRule};
use crate::pattern::text::{WildToken, Wildcard};

/// How many state sets the search visits before it calls a pattern too complex. Real patterns
/// stay far below this; only adversarial ones reach it.
const MAX_VISITED: usize = 100_000;

/// Whether any field's wildcard complexity is above `limit`.
pub(crate) fn exceeds(rules: &[SubRule], limit: usize) -> bool {
    // Per path, the distinct groups of wildcard values (one per matcher).
    let mut groups: BTreeMap<&str, BTreeSet<Vec<Vec<WildToken>>>> = BTreeMap::new();
    for rule in rules {
        for field in &rule.fields {
            for m in &field.list.matchers {
                let group: Vec<&Wildcard> = match m {
                    Matcher::Wildcard(w) => vec![w],
                    Matcher::AnythingBut(AnythingBut::Wildcard(ws)) => ws.iter().collect(),
                    _ => continue,
                };
                let tokens = group
                    .iter()
                    .map(|w| {
                        let mut t = vec![WildToken::Byte(b'"')];
                        t.extend(w.tokens());
                        t.push(WildToken::Byte(b'"'));
                        t
                    })
                    .collect();
                groups
                    .entry(field.path.as_str())
                    .or_default()
                    .insert(tokens);
            }
        }
    }
    groups.values().any(|g| complexity(g, limit) > limit)
}

struct Node {
    token: Option<WildToken>,
    children: Vec<usize>,
}

/// The largest number of simultaneously active states, stopping early once above `limit`.
fn complexity(groups: &BTreeSet<Vec<Vec<WildToken>>>, limit: usize) -> usize {
    // One trie per group; node 0.. are the group roots, which are not counted.
    let mut nodes: Vec<Node> = Vec::new();
    let mut roots = Vec::new();
    for group in groups {
        let root = nodes.len();
        nodes.push(Node {
            token: None,
            children: Vec::new(),
        });
        roots.push(root);
        for value in group {
            let mut at = root;
            for &t in value {
                let existing = nodes[at]
                    .children
                    .iter()
                    .copied()
                    .find(|&c| nodes[c].token == Some(t));
                at = match existing {
                    Some(c) => c,
                    None => {
                        nodes.push(Node {
                            token: Some(t),
                            children: Vec::new(),
                        });
                        let id = nodes.len() - 1;
                        nodes[at].children.push(id);
                        id
                    }
                };
            }
        }
    }
    let mut alphabet: BTreeSet<u8> = nodes
        .iter()
        .filter_map(|n| match n.token {
            Some(WildToken::Byte(b)) => Some(b),
            _ => None,
        })
        .collect();
    if let Some(other) = (0..=255u8).find(|b| !alphabet.contains(b)) {
        alphabet.insert(other);
    }

    let closure = |set: &mut Vec<usize>| {
        let mut i = 0;
        while i < set.len() {
            for &c in &nodes[set[i]].children {
                if nodes[c].token == Some(WildToken::Star) && !set.contains(&c) {
                    set.push(c);
                }
            }
            i += 1;
        }
        set.sort_unstable();
    };

    let mut start = roots.clone();
    closure(&mut start);
    let mut visited: HashSet<Vec<usize>> = HashSet::new();
    let mut queue = VecDeque::from([start.clone()]);
    visited.insert(start);
    let mut max = 0;
    while let Some(set) = queue.pop_front() {
        for &b in &alphabet {
            let mut next = Vec::new();
            for &n in &set {
                if nodes[n].token == Some(WildToken::Star) && !next.contains(&n) {
                    next.push(n);
                }
                for &c in &nodes[n].children {
                    if nodes[c].token == Some(WildToken::Byte(b)) && !next.contains(&c) {
                        next.push(c);
                    }
                }
            }
            if next.is_empty() {
                continue;
            }
            closure(&mut next);
            max = max.max(next.len());
            if max > limit || visited.len() >= MAX_VISITED {
                return max.max(limit + 1);
            }
            if visited.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(values: &[&[&str]]) -> usize {
        let groups = values
            .iter()
            .map(|g| {
                g.iter()
                    .map(|v| {
                        let mut t = vec![WildToken::Byte(b'"')];
                        t.extend(Wildcard::parse(v).unwrap().tokens());
                        t.push(WildToken::Byte(b'"'));
                        t
                    })
                    .collect()
            })
            .collect();
        complexity(&groups, 1000)
    }

    #[test]
    fn wildcard_complexity_calibration() {
        // The spec's calibration table (§2.15) and the probe file's figures.
        let cases: &[(&[&[&str]], usize)] = &[
            (&[&["/Users/*/doc.txt"]], 2),
            (&[&["arn:aws:events:us-east-1:*:event-bus/*"]], 3),
            (&[&["*/dir/*"]], 4),
            (&[&["*/init/*", "*/dir/*"]], 5),
            (&[&["/Users/*/dir/dir/dir/dir/dir/doc.txt"]], 7),
            (&[&["*a*b*c*d*e*"]], 7),
            (&[&["*:*:*:*"]], 7),
            (&[&["*:*:*:*:*"]], 9),
            (&[&["*:*:*:*:*:event-bus/*"]], 11),
            (&[&[""]], 1),
            (&[&["*"]], 2),
            (&[&["a\\*b"]], 1),
            (&[&["*\"*"]], 4),
            (&[&["*\""]], 3),
            (&[&["a*b*c*d*e*f*g*h"]], 8),
            (&[&["*aaaaaaaa"]], 9),
            (&[&["*ab*ab*ab*ab"]], 8),
            (&[&["*a*a*a*a*a*a"]], 12),
            (&[&["*x*"], &["*y*"], &["*z*"]], 9),
        ];
        for (values, want) in cases {
            assert_eq!(measure(values), *want, "{values:?}");
        }
    }
}
