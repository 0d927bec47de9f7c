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
//! The search over the tree of array elements (`Search::by_elements`) decides array
//! consistency in time polynomial in the event; the depth-first walk with memoised failures
//! (`Search::field`) is the definition it is tested against, and serves sub-rules of more than
//! 128 constrained fields.

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
        if self.semantics.array_consistency {
            if let Some(answer) = self.by_elements() {
                return answer;
            }
        }
        self.field(0)
    }

    /// Array consistency decided over the event's tree of array elements rather than by
    /// trying combinations of leaves, so that the time grows with the event polynomially.
    ///
    /// Each field is *free* (satisfied by a leaf outside arrays of objects, which constrains
    /// nothing), *failed* (no leaf can satisfy it), or *constrained*. A trie of the
    /// constrained fields' leaves by their trails gives, for each array element, the pairs
    /// (fields its leaves satisfy together, `exists: false` fields absent so far): at an
    /// element, its own leaves, joined with one pair from at most one element of each array
    /// below it. A field with `exists: false` is absent when each of its leaves lies in an
    /// element that a field *before* it (in path order, as the search takes them) did not
    /// choose: an array holding one of its leaves must have its element chosen by such a field,
    /// and the leaf must be outside that element or absent within it. Only pairs no other pair
    /// covers are kept. The sub-rule matches when the root has a pair in which every
    /// constrained field is satisfied or absent. Each field takes one leaf, so with
    /// `exists: false` fields about, sets from two arrays must not share a field, and only
    /// pairs of the same satisfied set are compared: the work is then exponential in the
    /// number of constrained fields of the sub-rule, never in the event. `None` for more than
    /// 128 constrained fields.
    fn by_elements(&self) -> Option<bool> {
        // The constrained fields: the leaves that can satisfy each, and for a field with
        // `exists: false`, every leaf at its path (any of them rules absence out where it is
        // consistent).
        struct Constrained {
            accepted: Vec<usize>,
            all: Vec<usize>,
            optional: bool,
        }
        // Every leaf at each field's path.
        let leaves: Vec<Vec<usize>> = self
            .rule
            .fields
            .iter()
            .map(|f| {
                let mut ids = Vec::new();
                if let Some(trie) = self.flat.by_path.get(&f.path) {
                    trie.consistent(&[], &mut ids);
                }
                ids
            })
            .collect();
        // A field before a field with `exists: false` and values may have to choose a leaf
        // inside an element (to rule that field's values out), even when a leaf outside
        // arrays would satisfy it.
        let last_optional = self
            .rule
            .fields
            .iter()
            .zip(&leaves)
            .rposition(|(f, ids)| f.list.has_exists_false && !ids.is_empty());
        let mut constrained: Vec<Constrained> = Vec::new();
        for (k, (field, ids)) in self.rule.fields.iter().zip(leaves).enumerate() {
            let accepted: Vec<usize> = ids
                .iter()
                .copied()
                .filter(|&l| {
                    list_accepts(
                        &field.list,
                        self.flat.leaves[l].value,
                        self.semantics.profile,
                    )
                })
                .collect();
            let untrailed = |l: &usize| self.flat.leaves[*l].trail.is_empty();
            if accepted.iter().any(untrailed) && last_optional.is_none_or(|o| o <= k) {
                continue;
            }
            let optional = field.list.has_exists_false;
            if optional && ids.is_empty() {
                continue;
            }
            if accepted.is_empty() && (!optional || ids.iter().any(untrailed)) {
                // Nothing satisfies it, and it cannot be absent (a value outside arrays is
                // consistent with every choice).
                return Some(false);
            }
            constrained.push(Constrained {
                accepted,
                all: if optional { ids } else { Vec::new() },
                optional,
            });
        }
        if constrained.is_empty() {
            return Some(true);
        }
        if constrained.len() > 128 {
            return None;
        }
        let bit = |i: usize| 1u128 << i;
        // For each field, the fields before it.
        let before = |i: usize| bit(i) - 1;
        let wanted_absent: u128 = constrained
            .iter()
            .enumerate()
            .filter(|(_, c)| c.optional)
            .fold(0, |m, (i, _)| m | bit(i));
        // The trie of trails. Each node: the fields its own leaves satisfy, the optional fields
        // with a leaf of their own there, the optional fields with a leaf anywhere below, and
        // the children by (array, element).
        #[derive(Default)]
        struct Node {
            satisfies: u128,
            holds: u128,
            below: u128,
            children: BTreeMap<Step, usize>,
        }
        let mut nodes: Vec<Node> = vec![Node::default()];
        let place = |trail: &[Step], nodes: &mut Vec<Node>| {
            let mut at = 0;
            let mut path = vec![0];
            for &step in trail {
                at = match nodes[at].children.get(&step) {
                    Some(&n) => n,
                    None => {
                        nodes.push(Node::default());
                        let n = nodes.len() - 1;
                        nodes[at].children.insert(step, n);
                        n
                    }
                };
                path.push(at);
            }
            path
        };
        for (i, c) in constrained.iter().enumerate() {
            for &l in &c.accepted {
                let path = place(&self.flat.leaves[l].trail, &mut nodes);
                if let Some(&end) = path.last() {
                    nodes[end].satisfies |= bit(i);
                }
            }
            for &l in &c.all {
                let path = place(&self.flat.leaves[l].trail, &mut nodes);
                if let Some(&end) = path.last() {
                    nodes[end].holds |= bit(i);
                }
                for &n in &path {
                    nodes[n].below |= bit(i);
                }
            }
        }
        let full: u128 = if constrained.len() == 128 {
            u128::MAX
        } else {
            bit(constrained.len()) - 1
        };
        let done = |(s, d): (u128, u128)| (s | (d & wanted_absent)) & full == full;
        // Without `exists: false` fields, satisfying more is never worse, so only maximal sets
        // are kept; with them, every set of satisfied fields is kept apart.
        let monotone = wanted_absent == 0;
        // Children come after their parents, so the nodes are settled from the last.
        let mut families: Vec<Vec<(u128, u128)>> = vec![Vec::new(); nodes.len()];
        for n in (0..nodes.len()).rev() {
            let node = &nodes[n];
            // The node's own leaves are joined after its arrays: they choose no element, so
            // they rule nothing out below.
            let mut acc = vec![(0, wanted_absent & !node.holds)];
            let mut from: Step = (0, 0);
            while let Some((&(array, _), _)) = node.children.range(from..).next() {
                let elements: Vec<usize> = node
                    .children
                    .range((array, 0)..=(array, u32::MAX))
                    .map(|(_, &c)| c)
                    .collect();
                // The optional fields with a leaf somewhere in this array.
                let in_array = elements.iter().fold(0, |m, &e| m | nodes[e].below);
                // Choosing no element: absence holds only for fields with no leaf here.
                let mut options: Vec<(u128, u128)> = vec![(0, wanted_absent & !in_array)];
                for &e in &elements {
                    for &(s, d) in &families[e] {
                        let mut absent = wanted_absent & !in_array;
                        let mut x = in_array;
                        while x != 0 {
                            let i = x.trailing_zeros() as usize;
                            x &= x - 1;
                            // Chosen by a field before it, and absent inside the element.
                            let by_earlier = s & before(i) != 0;
                            let inside_ok = nodes[e].below & bit(i) == 0 || d & bit(i) != 0;
                            if by_earlier && inside_ok {
                                absent |= bit(i);
                            }
                        }
                        keep(&mut options, (s, absent), monotone);
                    }
                }
                let mut next = Vec::new();
                for &(s, d) in &acc {
                    for &(os, od) in &options {
                        // One leaf per field: with `exists: false` fields about, a field
                        // credited in two arrays would rule out values it cannot reach.
                        if monotone || s & os == 0 {
                            keep(&mut next, (s | os, d & od), monotone);
                        }
                    }
                }
                acc = next;
                if array == u32::MAX {
                    break;
                }
                from = (array + 1, 0);
            }
            let own = nodes[n].satisfies;
            let mut family = Vec::new();
            if monotone {
                for (s, d) in acc {
                    keep(&mut family, (s | own, d), true);
                }
            } else {
                // Each field takes one leaf: any of the node's own fields may take theirs here
                // or leave it to a leaf elsewhere (here, the fields its arrays gave).
                family = acc;
                let mut x = own;
                while x != 0 {
                    let f = x & x.wrapping_neg();
                    x &= x - 1;
                    let with: Vec<(u128, u128)> = family
                        .iter()
                        .filter(|(s, _)| s & f == 0)
                        .map(|&(s, d)| (s | f, d))
                        .collect();
                    for pair in with {
                        keep(&mut family, pair, false);
                    }
                }
            }
            families[n] = family;
            // What a child gave is no longer needed.
            for &c in nodes[n].children.values() {
                families[c] = Vec::new();
            }
        }
        Some(families[0].iter().any(|&pair| done(pair)))
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

/// Adds `pair` to a family of (satisfied, absent) pairs, dropping what another pair makes
/// redundant: when `monotone`, a pair that satisfies and leaves absent no more than another;
/// otherwise a pair of the same satisfied fields that leaves absent no more.
fn keep(family: &mut Vec<(u128, u128)>, pair: (u128, u128), monotone: bool) {
    let covers = |a: (u128, u128), b: (u128, u128)| {
        (if monotone {
            a.0 & b.0 == b.0
        } else {
            a.0 == b.0
        }) && a.1 & b.1 == b.1
    };
    if family.iter().any(|&f| covers(f, pair)) {
        return;
    }
    family.retain(|&f| !covers(pair, f));
    family.push(pair);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// JSON text of an event with arrays of objects, nested arrays, duplicate keys and dotted
    /// keys, over a few paths and values.
    fn event() -> impl Strategy<Value = String> {
        let value = prop::sample::select(vec!["\"x\"", "\"y\"", "1", "2"]);
        let member = (prop::sample::select(vec!["a", "b", "c"]), value.clone())
            .prop_map(|(k, v)| format!("\"{k}\":{v}"));
        let object =
            prop::collection::vec(member, 0..3).prop_map(|m| format!("{{{}}}", m.join(",")));
        let nested =
            (object.clone(), prop::collection::vec(object.clone(), 0..3)).prop_map(|(o, inner)| {
                let inner = inner.join(",");
                format!("{},\"Q\":[{inner}]}}", o.trim_end_matches('}')).replacen("{,", "{", 1)
            });
        let array = prop::collection::vec(prop_oneof![object, nested], 0..4)
            .prop_map(|items| format!("\"P\":[{}]", items.join(",")));
        let dotted = (prop::sample::select(vec!["P.a", "P.b", "P.Q.c"]), value)
            .prop_map(|(k, v)| format!("\"{k}\":{v}"));
        prop::collection::vec(prop_oneof![array, dotted], 1..4)
            .prop_map(|members| format!("{{{}}}", members.join(",")))
    }

    fn pattern() -> impl Strategy<Value = String> {
        let condition = prop::sample::select(vec![
            "[\"x\"]",
            "[\"y\"]",
            "[1]",
            "[{\"numeric\":[\">\",1]}]",
            "[{\"exists\":true}]",
            "[{\"prefix\":\"x\"}]",
            "[{\"exists\":false}]",
            "[{\"exists\":false}]",
            "[\"x\",{\"exists\":false}]",
        ]);
        let path = prop::sample::select(vec!["\"a\"", "\"b\"", "\"c\""]);
        let p = prop::collection::btree_map(path.clone(), condition.clone(), 1..3).prop_map(|m| {
            m.into_iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(",")
        });
        let q = prop::collection::btree_map(path, condition, 0..3).prop_map(|m| {
            m.into_iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(",")
        });
        (p, q).prop_map(|(p, q)| {
            if q.is_empty() {
                format!("{{\"P\":{{{p}}}}}")
            } else {
                format!("{{\"P\":{{{p},\"Q\":{{{q}}}}}}}")
            }
        })
    }

    proptest! {
        /// The search over the tree of array elements and the search over combinations of
        /// leaves give the same answer.
        #[test]
        fn by_elements_agrees_with_the_search(pattern in pattern(), event in event()) {
            let Ok(p) = crate::Pattern::parse(&pattern) else { return Ok(()) };
            let Ok(e) = Event::parse(&event) else { return Ok(()) };
            let semantics = p.semantics();
            let paths: BTreeSet<&str> = p
                .sub_rules()
                .iter()
                .flat_map(|r| r.fields.iter().map(|f| f.path.as_str()))
                .collect();
            let flat = Flat::new(&e, &paths);
            for rule in p.sub_rules() {
                let fast = Search::new(rule, &flat, semantics).by_elements();
                let slow = Search::new(rule, &flat, semantics).field(0);
                if let Some(fast) = fast {
                    prop_assert_eq!(fast, slow, "{} on {}", pattern, event);
                }
            }
        }
    }
}
