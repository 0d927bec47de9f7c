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
    /// nothing), *failed* (no leaf it accepts), or *constrained* (only leaves inside array
    /// elements). A trie of the constrained fields' accepted leaves by their trails gives, for
    /// each element, the sets of fields that leaves within it can satisfy together: at an
    /// element, its own leaves, joined with one set from at most one element of each array
    /// below it. Only maximal sets are kept. The sub-rule matches when the root has a set of
    /// every constrained field. `None` when the method does not apply: a field with
    /// `exists: false` and values inside arrays (whose absence depends on the choices before
    /// it, which the search follows), or more than 128 constrained fields.
    fn by_elements(&self) -> Option<bool> {
        let mut constrained: Vec<Vec<usize>> = Vec::new();
        for field in &self.rule.fields {
            let mut ids = Vec::new();
            if let Some(trie) = self.flat.by_path.get(&field.path) {
                trie.consistent(&[], &mut ids);
            }
            let trailed = ids.iter().any(|&l| !self.flat.leaves[l].trail.is_empty());
            if field.list.has_exists_false && trailed {
                return None;
            }
            let accepted: Vec<usize> = ids
                .into_iter()
                .filter(|&l| {
                    list_accepts(
                        &field.list,
                        self.flat.leaves[l].value,
                        self.semantics.profile,
                    )
                })
                .collect();
            if accepted.is_empty() {
                // Absent, or present and refused: `exists: false` holds only when absent.
                let absent = self
                    .flat
                    .by_path
                    .get(&field.path)
                    .is_none_or(|t| t.nodes.iter().all(|n| n.leaves.is_empty()));
                if field.list.has_exists_false && absent {
                    continue;
                }
                return Some(false);
            }
            if accepted
                .iter()
                .any(|&l| self.flat.leaves[l].trail.is_empty())
            {
                continue;
            }
            constrained.push(accepted);
        }
        if constrained.is_empty() {
            return Some(true);
        }
        if constrained.len() > 128 {
            return None;
        }
        let full: u128 = if constrained.len() == 128 {
            u128::MAX
        } else {
            (1u128 << constrained.len()) - 1
        };
        // The trie of trails: each node an element (the root: outside every array), with the
        // fields its own leaves satisfy and its children by (array, element).
        let mut nodes: Vec<(u128, BTreeMap<Step, usize>)> = vec![(0, BTreeMap::new())];
        for (bit, leaves) in constrained.iter().enumerate() {
            for &l in leaves {
                let mut at = 0;
                for &step in &self.flat.leaves[l].trail {
                    at = match nodes[at].1.get(&step) {
                        Some(&n) => n,
                        None => {
                            nodes.push((0, BTreeMap::new()));
                            let n = nodes.len() - 1;
                            nodes[at].1.insert(step, n);
                            n
                        }
                    };
                }
                nodes[at].0 |= 1u128 << bit;
            }
        }
        // Children come after their parents, so the nodes are settled from the last.
        let mut families: Vec<Vec<u128>> = vec![Vec::new(); nodes.len()];
        for n in (0..nodes.len()).rev() {
            let (own, children) = &nodes[n];
            let mut acc = vec![*own];
            let mut from: Step = (0, 0);
            while let Some((&(array, _), _)) = children.range(from..).next() {
                let mut options: Vec<u128> = Vec::new();
                for (_, &c) in children.range((array, 0)..=(array, u32::MAX)) {
                    for &set in &families[c] {
                        keep_maximal(&mut options, set);
                    }
                }
                let mut next = acc.clone();
                for &a in &acc {
                    for &o in &options {
                        keep_maximal(&mut next, a | o);
                    }
                }
                acc = next;
                if acc.iter().any(|&set| set & full == full) {
                    break;
                }
                if array == u32::MAX {
                    break;
                }
                from = (array + 1, 0);
            }
            families[n] = acc;
            // What a child gave is no longer needed.
            for &c in children.values() {
                families[c] = Vec::new();
            }
        }
        Some(families[0].iter().any(|&set| set & full == full))
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

/// Adds `set` to a family of sets that keeps only its maximal members.
fn keep_maximal(family: &mut Vec<u128>, set: u128) {
    if family.iter().any(|&f| f & set == set) {
        return;
    }
    family.retain(|&f| f & set != f);
    family.push(set);
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

    /// Seven arrays reached through one duplicated key, each element holding one of eight
    /// fields: no consistent choice exists, and finding that out takes no time.
    #[test]
    fn many_arrays_are_not_exponential() {
        let fields = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let element = |i: usize| format!("{{\"{}\":\"v\"}}", fields[i % 8]);
        let array = |shift: usize| {
            let items: Vec<String> = (0..10).map(|i| element(i + shift)).collect();
            format!("\"P\":[{}]", items.join(","))
        };
        let arrays: Vec<String> = (0..7).map(array).collect();
        let event = format!("{{{}}}", arrays.join(","));
        assert!(event.len() < 4096 + 512, "{}", event.len());
        let conditions: Vec<String> = fields.iter().map(|f| format!("\"{f}\":[\"v\"]")).collect();
        let pattern =
            crate::Pattern::parse(&format!("{{\"P\":{{{}}}}}", conditions.join(","))).unwrap();
        let start = std::time::Instant::now();
        assert!(!pattern.matches(&event).unwrap());
        assert!(
            start.elapsed() < std::time::Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
        let mut builder = crate::Matcher::builder();
        builder.add("p", pattern).unwrap();
        let matcher = builder.build().unwrap();
        let start = std::time::Instant::now();
        assert!(matcher.matches(event.as_bytes()).unwrap().is_empty());
        assert!(
            start.elapsed() < std::time::Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
    }
}
