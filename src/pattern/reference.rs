//! The reference matcher: one pattern over one parsed event, written to be obviously correct.
//!
//! 1. Flatten the event into leaves `(path, value, array trail)` (spec §1.2). The trail lists,
//!    for each enclosing array whose element is an object or an array, which element the leaf
//!    came from; scalars directly inside an array record nothing.
//! 2. A sub-rule matches when its fields, taken in path order, can each be given a leaf that its
//!    leaf list accepts, all of them *consistent*: no two chosen leaves disagree about the
//!    element of an array they share (array consistency, §3.2). A field whose list holds
//!    `exists: false` is also satisfied when no leaf consistent with the choices so far exists.
//! 3. The pattern matches when any sub-rule does.
//!
//! The search is a depth-first walk with memoised failures, keyed by the field and by the part of
//! the choices that later fields can see, so repeated work never multiplies.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::event::Event;
use crate::ip::parse_ip;
use crate::json::Value;
use crate::number::NumericProfile;
use crate::pattern::ast::{AnythingBut, LeafList, Matcher, SubRule};
use crate::pattern::text::{has_prefix, has_suffix};

/// An (array id, element index) pair.
type Step = (u32, u32);

/// The leaves at one path, in a trie keyed by their array trails, so that the leaves consistent
/// with a set of choices are found without scanning the others.
#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    leaves: Vec<usize>,
    children: BTreeMap<Step, usize>,
}

impl Trie {
    fn insert(&mut self, trail: &[Step], leaf: usize) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut at = 0;
        for &step in trail {
            at = match self.nodes[at].children.get(&step) {
                Some(&n) => n,
                None => {
                    self.nodes.push(TrieNode::default());
                    let n = self.nodes.len() - 1;
                    self.nodes[at].children.insert(step, n);
                    n
                }
            };
        }
        self.nodes[at].leaves.push(leaf);
    }

    /// Leaves whose trails agree with `chosen`, in trail order.
    fn consistent(&self, chosen: &[Step], out: &mut Vec<usize>) {
        out.clear();
        if self.nodes.is_empty() {
            return;
        }
        let mut stack = vec![0usize];
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n];
            out.extend_from_slice(&node.leaves);
            // Visit children array by array; a chosen array admits only its chosen element.
            let mut from: Step = (0, 0);
            while let Some((&(array, _), _)) = node.children.range(from..).next() {
                match chosen.iter().find(|(a, _)| *a == array) {
                    Some(&(_, idx)) => {
                        if let Some(&c) = node.children.get(&(array, idx)) {
                            stack.push(c);
                        }
                    }
                    None => stack.extend(
                        node.children
                            .range((array, 0)..=(array, u32::MAX))
                            .map(|(_, &c)| c),
                    ),
                }
                if array == u32::MAX {
                    break;
                }
                from = (array + 1, 0);
            }
        }
    }
}

struct Leaf<'e> {
    value: &'e Value,
    trail: Vec<Step>,
}

/// The leaves of an event at the paths a pattern names.
struct Flat<'e> {
    leaves: Vec<Leaf<'e>>,
    by_path: HashMap<String, Trie>,
}

impl<'e> Flat<'e> {
    fn new(event: &'e Event, paths: &BTreeSet<&str>) -> Self {
        let mut flat = Flat {
            leaves: Vec::new(),
            by_path: HashMap::new(),
        };
        // Whether some pattern path is `path` or lies below it.
        let wanted = |path: &str| {
            paths
                .range(path..)
                .take_while(|p| p.starts_with(path))
                .any(|p| p.len() == path.len() || p.as_bytes()[path.len()] == b'.')
        };
        let mut next_array: u32 = 0;
        // (value, its path, its array trail)
        let mut stack: Vec<(&'e Value, String, Vec<Step>)> = Vec::new();
        if let Value::Object(members) = event.value() {
            for (k, v) in members.iter().rev() {
                if wanted(k) {
                    stack.push((v, k.clone(), Vec::new()));
                }
            }
        }
        while let Some((value, path, trail)) = stack.pop() {
            match value {
                Value::Object(members) => {
                    for (k, v) in members.iter().rev() {
                        let p = format!("{path}.{k}");
                        if wanted(&p) {
                            stack.push((v, p, trail.clone()));
                        }
                    }
                }
                Value::Array(items) => {
                    let id = next_array;
                    next_array = next_array.saturating_add(1);
                    for (i, item) in items.iter().enumerate().rev() {
                        let mut t = trail.clone();
                        if matches!(item, Value::Object(_) | Value::Array(_)) {
                            t.push((id, u32::try_from(i).unwrap_or(u32::MAX)));
                        }
                        stack.push((item, path.clone(), t));
                    }
                }
                scalar => {
                    if paths.contains(path.as_str()) {
                        let leaf = flat.leaves.len();
                        flat.by_path.entry(path).or_default().insert(&trail, leaf);
                        flat.leaves.push(Leaf {
                            value: scalar,
                            trail,
                        });
                    }
                }
            }
        }
        flat
    }
}

/// The choices that change how a pattern matches (see [`crate::Options`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Semantics {
    pub(crate) profile: NumericProfile,
    pub(crate) array_consistency: bool,
}

/// The event's values at each of `paths`, in document order.
#[cfg(feature = "workspace")]
pub(crate) fn values_at<'e>(event: &'e Event, paths: &[&str]) -> Vec<Vec<&'e Value>> {
    let set: BTreeSet<&str> = paths.iter().copied().collect();
    let flat = Flat::new(event, &set);
    paths
        .iter()
        .map(|p| {
            let mut ids = Vec::new();
            if let Some(trie) = flat.by_path.get(*p) {
                trie.consistent(&[], &mut ids);
            }
            ids.sort_unstable();
            ids.into_iter().map(|i| flat.leaves[i].value).collect()
        })
        .collect()
}

/// Whether `rules` (one pattern) match `event`.
pub(crate) fn matches(rules: &[SubRule], event: &Event, semantics: Semantics) -> bool {
    let paths: BTreeSet<&str> = rules
        .iter()
        .flat_map(|r| r.fields.iter().map(|f| f.path.as_str()))
        .collect();
    let flat = Flat::new(event, &paths);
    rules
        .iter()
        .any(|rule| Search::new(rule, &flat, semantics).run())
}

struct Search<'a, 'e> {
    rule: &'a SubRule,
    semantics: Semantics,
    flat: &'a Flat<'e>,
    /// For each field index, the arrays that leaves of that field or later ones belong to.
    visible: Vec<HashSet<u32>>,
    failed: HashSet<(usize, Vec<Step>)>,
    chosen: Vec<Step>,
}

impl<'a, 'e> Search<'a, 'e> {
    fn new(rule: &'a SubRule, flat: &'a Flat<'e>, semantics: Semantics) -> Self {
        let mut visible = vec![HashSet::new(); rule.fields.len() + 1];
        for (i, field) in rule.fields.iter().enumerate().rev() {
            let mut set = visible[i + 1].clone();
            if let Some(trie) = flat.by_path.get(&field.path) {
                for node in &trie.nodes {
                    for &leaf in &node.leaves {
                        set.extend(flat.leaves[leaf].trail.iter().map(|&(a, _)| a));
                    }
                }
            }
            visible[i] = set;
        }
        Search {
            rule,
            semantics,
            flat,
            visible,
            failed: HashSet::new(),
            chosen: Vec::new(),
        }
    }

    fn run(&mut self) -> bool {
        self.field(0)
    }

    fn field(&mut self, k: usize) -> bool {
        let Some(field) = self.rule.fields.get(k) else {
            return true;
        };
        let mut key: Vec<Step> = self
            .chosen
            .iter()
            .copied()
            .filter(|(a, _)| self.visible[k].contains(a))
            .collect();
        key.sort_unstable();
        let key = (k, key);
        if self.failed.contains(&key) {
            return false;
        }
        let mut candidates = Vec::new();
        if let Some(trie) = self.flat.by_path.get(&field.path) {
            // Without array consistency, every leaf at the path is a candidate.
            let chosen: &[Step] = if self.semantics.array_consistency {
                &self.chosen
            } else {
                &[]
            };
            trie.consistent(chosen, &mut candidates);
        }
        for &leaf in &candidates {
            let leaf = &self.flat.leaves[leaf];
            if list_accepts(&field.list, leaf.value, self.semantics.profile) {
                let mark = self.chosen.len();
                for &step in &leaf.trail {
                    if !self.chosen.contains(&step) {
                        self.chosen.push(step);
                    }
                }
                let ok = self.field(k + 1);
                self.chosen.truncate(mark);
                if ok {
                    return true;
                }
            }
        }
        if candidates.is_empty() && field.list.has_exists_false && self.field(k + 1) {
            return true;
        }
        self.failed.insert(key);
        false
    }
}

/// A leaf value, borrowed: from a parsed [`Value`] here, from event bytes in the compiled
/// matcher. Both matchers judge values with the same functions below.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar<'a> {
    Str(&'a str),
    /// A number, as written.
    Num(&'a str),
    Bool(bool),
    Null,
}

impl<'a> Scalar<'a> {
    pub(crate) fn of(v: &'a Value) -> Scalar<'a> {
        match v {
            Value::String(s) => Scalar::Str(s),
            Value::Number(t) => Scalar::Num(t),
            Value::Bool(b) => Scalar::Bool(*b),
            // Containers are never leaves; the flatteners never hand one over.
            Value::Null | Value::Array(_) | Value::Object(_) => Scalar::Null,
        }
    }
}

/// Whether any matcher of a leaf list accepts a leaf value.
pub(crate) fn list_accepts(list: &LeafList, v: &Value, profile: NumericProfile) -> bool {
    scalar_accepted(list, Scalar::of(v), profile)
}

/// Whether any matcher of a leaf list accepts a leaf value.
pub(crate) fn scalar_accepted(list: &LeafList, v: Scalar<'_>, profile: NumericProfile) -> bool {
    let indexed = match v {
        Scalar::Str(s) => list.strings.contains(s),
        Scalar::Num(t) => {
            !list.numbers.is_empty()
                && profile
                    .approx(t)
                    .is_some_and(|n| list.numbers.contains(&n.to_bits()))
                && profile.comparable(t).is_some()
        }
        _ => false,
    };
    indexed
        || list
            .rest
            .iter()
            .any(|&i| accepts(&list.matchers[i], v, profile))
}

/// Whether one matcher accepts one leaf value. `exists: false` never accepts a value: it is
/// satisfied by the absence of values, which the search handles.
pub(crate) fn accepts(m: &Matcher, v: Scalar<'_>, profile: NumericProfile) -> bool {
    match (m, v) {
        (Matcher::Exists(present), _) => *present,
        (Matcher::AnythingBut(a), v) => !excluded(a, v, profile),
        (Matcher::Exact { value, ip }, Scalar::Str(s)) => {
            s == value || ip.is_some_and(|ip| parse_ip(s) == Some(ip))
        }
        (Matcher::Exactly(value), Scalar::Str(s)) => s == value,
        (Matcher::Number { text, value }, Scalar::Num(t)) => match value {
            Some(want) => profile.approx(t) == Some(*want) && profile.comparable(t).is_some(),
            None => t == text,
        },
        (Matcher::Bool(b), Scalar::Bool(e)) => *b == e,
        (Matcher::Null, Scalar::Null) => true,
        (Matcher::Prefix(p), Scalar::Str(s)) => has_prefix(s, p),
        (Matcher::Suffix(p), Scalar::Str(s)) => has_suffix(s, p),
        (Matcher::PrefixFolded(f, _), Scalar::Str(s)) => f.is_prefix_of(s),
        (Matcher::SuffixFolded(f, _), Scalar::Str(s)) => f.is_suffix_of(s),
        (Matcher::EqualsIgnoreCase(f, _), Scalar::Str(s)) => f.equals(s),
        (Matcher::Wildcard(w), Scalar::Str(s)) => w.is_match(s),
        (Matcher::Numeric(r), Scalar::Num(t)) => {
            profile.approx(t).is_some_and(|n| r.contains(n)) && profile.comparable(t).is_some()
        }
        (Matcher::Cidr(c, _), Scalar::Str(s)) => c.contains(s),
        _ => false,
    }
}

/// Whether `anything-but` excludes a value. Values of another type are never excluded.
fn excluded(a: &AnythingBut, v: Scalar<'_>, profile: NumericProfile) -> bool {
    match (a, v) {
        (AnythingBut::Strings(list), Scalar::Str(s)) => list.iter().any(|x| x == s),
        (AnythingBut::Numbers(list), Scalar::Num(t)) => {
            profile
                .approx(t)
                .is_some_and(|n| list.iter().any(|(x, _)| *x == n))
                && profile.comparable(t).is_some()
        }
        (AnythingBut::Prefix(list), Scalar::Str(s)) => list.iter().any(|p| has_prefix(s, p)),
        (AnythingBut::Suffix(list), Scalar::Str(s)) => list.iter().any(|p| has_suffix(s, p)),
        (AnythingBut::EqualsIgnoreCase(list), Scalar::Str(s)) => {
            list.iter().any(|(f, _)| f.equals(s))
        }
        (AnythingBut::Wildcard(list), Scalar::Str(s)) => list.iter().any(|w| w.is_match(s)),
        _ => false,
    }
}
