//! The compiled matcher: many named patterns in one structure, matched against event bytes.
//!
//! How an event is matched:
//!
//! 1. The flattener ([`flatten`]) walks the bytes once, skipping every member no pattern
//!    names, and records the leaves at named paths.
//! 2. Each leaf is looked up in its path's value index: exact strings, numbers, `true`,
//!    `false` and `null` by hash; prefixes and suffixes by hashing each prefix (suffix) of
//!    the value at the lengths the patterns have; ASCII `equals-ignore-case` by hashing the
//!    value lower-cased; IP addresses and `cidr` blocks by hashing the address under each
//!    mask the blocks have. The other operators are tested exactly, but only those an index
//!    names as possible: `numeric` ranges by an interval tree, wildcards by their literal
//!    start or end, or (`*…*`) by an Aho-Corasick automaton over their longest pieces, other
//!    case-folded text by the texts its first or last units can take. Each hit satisfies one
//!    field ("condition") of one sub-rule. A field of `anything-but`s alone accepts almost
//!    every value (as does `exists: true`), so it is not indexed: it is settled when its
//!    sub-rule is verified.
//! 3. A sub-rule whose indexed required conditions are all satisfied (or, with none, whose
//!    `anything-but` field's path has a value) is a candidate. Its `anything-but` fields are
//!    tested on their paths' leaves; it matches at once unless two or more of its fields
//!    involve leaves inside arrays of objects; then array consistency decides, and the
//!    reference matcher settles that event.
//!
//! So the cost per event follows the event's named leaves and the rules they hit (or, for
//! `anything-but`, the rules whose other fields it meets), not the number of rules;
//! `benches/scaling.rs` measures it per operator.

mod flatten;

use std::collections::HashMap;

use crate::event::{Event, EventError};
use crate::number::NumericProfile;
use crate::pattern::Pattern;
use crate::pattern::ast::Matcher as Cond;
use crate::pattern::reference::{Scalar, Semantics, accepts};
use flatten::{Buffers, Interest, Kind};

/// The index maps: keys are short (paths, values), so a fast hasher; foldhash's per-process
/// seed keeps a crafted pattern set from forcing collisions.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The index of a pattern in a [`Matcher`], in the order it was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternId(pub u32);

/// Why a matcher could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Two patterns were given the same name.
    #[error("two patterns are named {0:?}")]
    DuplicateName(String),
    /// Two patterns were parsed with different matching options (numeric profile, array
    /// consistency): one matcher applies one set of options to every pattern.
    #[error(
        "patterns {first:?} and {other:?} were parsed with different matching options (numeric profile or array consistency); build one matcher per set of options"
    )]
    MixedOptions {
        /// The first pattern's name.
        first: String,
        /// The name of a pattern whose options differ from the first's.
        other: String,
    },
}

/// Collects named patterns, then builds a [`Matcher`].
#[derive(Debug, Clone, Default)]
pub struct MatcherBuilder {
    patterns: Vec<(String, Pattern)>,
    /// The names taken, so that adding stays constant-time.
    names: std::collections::HashSet<String>,
    stop_early: bool,
    validate: bool,
}

impl MatcherBuilder {
    /// Adds a pattern under a name; its [`PatternId`] is its position.
    ///
    /// # Errors
    /// [`BuildError::DuplicateName`] when the name is taken.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        pattern: Pattern,
    ) -> Result<&mut Self, BuildError> {
        let name = name.into();
        if !self.names.insert(name.clone()) {
            return Err(BuildError::DuplicateName(name));
        }
        self.patterns.push((name, pattern));
        Ok(self)
    }

    /// Whether to stop reading an event as soon as every path the patterns name has a value
    /// outside arrays. Default: `false`. Much faster on events whose tails no pattern names,
    /// but a later duplicate key is then not seen (the reference matcher counts every value of
    /// a repeated key), and malformed JSON after that point is not reported.
    pub fn stop_early(&mut self, on: bool) -> &mut Self {
        self.stop_early = on;
        self
    }

    /// Whether to refuse every event that is not valid JSON as a whole: malformed bytes in
    /// members no pattern names, text after the event, nesting over 1,000 levels, invalid
    /// UTF-8. Each event is then parsed in full before it is matched, as the reference
    /// matcher parses it, so matching is slower. Default: `false` (bytes no pattern names
    /// are skipped unread, which is what makes matching fast).
    pub fn validate(&mut self, on: bool) -> &mut Self {
        self.validate = on;
        self
    }

    /// Compiles the patterns, with the matching options they were parsed with.
    ///
    /// # Errors
    /// [`BuildError::MixedOptions`] when the patterns were parsed with different numeric
    /// profiles or array-consistency settings.
    pub fn build(&self) -> Result<Matcher, BuildError> {
        if let Some((first, p)) = self.patterns.first() {
            if let Some((other, _)) = self
                .patterns
                .iter()
                .find(|(_, q)| q.semantics() != p.semantics())
            {
                return Err(BuildError::MixedOptions {
                    first: first.clone(),
                    other: other.clone(),
                });
            }
        }
        let mut m = Matcher::compile(&self.patterns);
        m.stop_early = self.stop_early && !self.validate;
        m.validate = self.validate;
        Ok(m)
    }
}

/// One field of one sub-rule.
#[derive(Debug)]
struct Condition {
    sub_rule: u32,
    path: u32,
    /// Whether absence satisfies it (`exists: false` in the list).
    optional: bool,
    /// For a field whose every matcher is an `anything-but` or `exists: true` (which accept
    /// almost every value): its matchers in [`Matcher::lazy`]. Such a field is not indexed, since listing
    /// every field that accepts a value costs as much as the rules hold; it is settled when
    /// its sub-rule is verified, by testing the leaves at its path. Empty for other fields.
    lazy: std::ops::Range<u32>,
}

#[derive(Debug)]
struct SubRule {
    pattern: u32,
    conditions: std::ops::Range<u32>,
    /// How many of its conditions need a value and are indexed (not lazy): the sub-rule is
    /// a candidate once that many are satisfied.
    required: u32,
    /// Whether some of its lazy conditions need a value.
    lazy_required: bool,
}

/// Records that leaf `li` satisfies condition `ci` this epoch; whether it is the first to.
fn mark(s: &mut Marks, ci: u32, li: u32, trailed: bool) -> bool {
    let (c, epoch) = (ci as usize, s.epoch);
    if trailed {
        s.pairs.push((ci, li));
    } else {
        s.free[c] = epoch;
    }
    if s.satisfied[c] == epoch {
        s.condition_trailed[c] |= trailed;
        return false;
    }
    s.satisfied[c] = epoch;
    s.condition_trailed[c] = trailed;
    true
}

/// A leaf's value, read from the event or from the buffer of unescaped strings.
fn leaf_scalar<'a>(leaf: &flatten::Leaf, buffers: &'a Buffers, event: &'a [u8]) -> Scalar<'a> {
    let bytes: &[u8] = if leaf.unescaped {
        &buffers.text[leaf.start as usize..leaf.end as usize]
    } else {
        &event[leaf.start as usize..leaf.end as usize]
    };
    // The flattener checked strings are UTF-8; numbers and literals are ASCII.
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    match leaf.kind {
        Kind::String => Scalar::Str(text),
        Kind::Number => Scalar::Num(text),
        Kind::True => Scalar::Bool(true),
        Kind::False => Scalar::Bool(false),
        Kind::Null => Scalar::Null,
    }
}

/// The value index of one path.
#[derive(Debug, Default)]
struct PathIndex {
    exact: FastMap<Box<[u8]>, Vec<u32>>,
    numbers: FastMap<u64, Vec<u32>>,
    prefixes: FastMap<Box<[u8]>, Vec<u32>>,
    suffixes: FastMap<Box<[u8]>, Vec<u32>>,
    /// The distinct lengths of the prefixes and suffixes, so only those are probed.
    prefix_lens: Vec<usize>,
    suffix_lens: Vec<usize>,
    /// Whether some prefix ends (suffix starts) with `"`: only then is the quote quirk probed.
    quote_quirk: bool,
    /// ASCII `equals-ignore-case` values, lower-cased: probed with the value lower-cased.
    folded: FastMap<Box<[u8]>, Vec<u32>>,
    /// Conditions tested matcher by matcher: (condition, matcher).
    others: Vec<(u32, Cond)>,
    /// The indices into `others` tested for every leaf; the rest are found through an index
    /// first (`ranges`).
    linear: Vec<u32>,
    /// `numeric` ranges of `others`, by interval: only those containing a leaf's number are
    /// tested.
    ranges: RangeIndex,
    /// `wildcard`s of `others` by their literal start (a value can only match if it starts
    /// with it), and those that start with `*` by their literal end; only `*…*` ones are
    /// tested for every leaf.
    wild_starts: Affixes,
    wild_ends: Affixes,
    /// Non-ASCII `equals-ignore-case` values and `prefix` `equals-ignore-case` values of
    /// `others` by the texts a matching value can start with (their first units'
    /// alternatives); `suffix` `equals-ignore-case` values by the texts it can end with.
    folded_starts: Affixes,
    folded_ends: Affixes,
    /// `wildcard`s of `others` that start and end with `*`, by their longest literal piece,
    /// which a matching value contains.
    inner: Inner,
    /// `cidr` blocks and string literals that are IP addresses, by mask: hit when a value
    /// is an address whose masked bits are the block's network.
    blocks: Vec<Blocks>,
    /// The conditions naming `true`, `false` and `null`.
    literals: [Vec<u32>; 3],
    /// Sub-rules whose every required condition is lazy, one of them at this path: each is a
    /// candidate when the event has a value here.
    anchored: Vec<u32>,
    /// Whether some condition here compares numbers (so a number leaf needs parsing).
    has_numbers: bool,
}

/// Literal starts (or ends) of values, each naming entries of a path's `others`, probed at
/// the lengths they have.
#[derive(Debug, Default)]
struct Affixes {
    by_text: FastMap<Box<[u8]>, Vec<u32>>,
    lens: Vec<usize>,
}

impl Affixes {
    fn push(&mut self, text: &str, other: u32) {
        self.push_bytes(text.as_bytes(), other);
    }

    fn push_bytes(&mut self, text: &[u8], other: u32) {
        let entry = self.by_text.entry(text.into()).or_default();
        if !entry.contains(&other) {
            entry.push(other);
        }
        if !self.lens.contains(&text.len()) {
            self.lens.push(text.len());
        }
    }

    /// Appends the entries whose text starts (`end` false) or ends `value`.
    #[inline]
    fn probe(&self, value: &[u8], end: bool, out: &mut Vec<u32>) {
        if self.lens.is_empty() {
            return;
        }
        for &len in &self.lens {
            if len <= value.len() {
                let key = if end {
                    &value[value.len() - len..]
                } else {
                    &value[..len]
                };
                if let Some(js) = self.by_text.get(key) {
                    out.extend_from_slice(js);
                }
            }
        }
    }
}

/// The `cidr` blocks of one path with one family and mask, by network.
#[derive(Debug)]
struct Blocks {
    v6: bool,
    mask: u128,
    networks: FastMap<u128, Vec<u32>>,
}

/// Literal pieces that values must contain, each naming entries of a path's `others`, found
/// in a value in one pass by an Aho-Corasick automaton over all of them.
#[derive(Debug, Default)]
struct Inner {
    /// Each distinct piece and its entries, and where each piece is in that list.
    pieces: Vec<(Box<[u8]>, Vec<u32>)>,
    at: FastMap<Box<[u8]>, usize>,
    automaton: Option<aho_corasick::AhoCorasick>,
}

impl Inner {
    fn push(&mut self, piece: &str, other: u32) {
        let at = *self
            .at
            .entry(piece.as_bytes().into())
            .or_insert(self.pieces.len());
        if at == self.pieces.len() {
            self.pieces.push((piece.as_bytes().into(), Vec::new()));
        }
        self.pieces[at].1.push(other);
    }

    /// Builds the automaton; `None` (the pieces' entries to be tested linearly) when there
    /// are too few pieces to be worth it or it cannot be built.
    fn seal(&mut self) -> Option<Vec<u32>> {
        let entries = || {
            self.pieces
                .iter()
                .flat_map(|(_, js)| js.iter().copied())
                .collect()
        };
        if self.pieces.len() <= FEW {
            return Some(entries());
        }
        match aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(self.pieces.iter().map(|(p, _)| p))
        {
            Ok(ac) => {
                self.automaton = Some(ac);
                None
            }
            Err(_) => Some(entries()),
        }
    }

    /// Appends the entries whose piece occurs in `value`.
    fn probe(&self, value: &[u8], out: &mut Vec<u32>) {
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(value) {
                out.extend_from_slice(&self.pieces[m.pattern().as_usize()].1);
            }
        }
    }
}

impl PathIndex {
    /// Indexes entry `j` of `others` by the texts a matching value starts (`end`: ends) with,
    /// or tests it for every value when there are none (the quirks are off).
    fn push_folded(&mut self, texts: Option<Vec<Vec<u8>>>, end: bool, j: u32) {
        let Some(texts) = texts else {
            self.linear.push(j);
            return;
        };
        let affixes = if end {
            &mut self.folded_ends
        } else {
            &mut self.folded_starts
        };
        for t in texts {
            affixes.push_bytes(&t, j);
        }
    }

    fn push_block(&mut self, block: crate::ip::Cidr, ci: u32) {
        let (v6, mask, network) = block.parts();
        let at = match self
            .blocks
            .iter()
            .position(|b| b.v6 == v6 && b.mask == mask)
        {
            Some(at) => at,
            None => {
                self.blocks.push(Blocks {
                    v6,
                    mask,
                    networks: FastMap::default(),
                });
                self.blocks.len() - 1
            }
        };
        self.blocks[at]
            .networks
            .entry(network)
            .or_default()
            .push(ci);
    }
}

/// How many leading units of a non-ASCII `equals-ignore-case` value index it (up to 2^this
/// texts per value).
const FOLDED_UNITS: usize = 4;

/// Up to this many `numeric` ranges (or `*…*` wildcards) on a path are tested one by one, not
/// through their index.
const FEW: usize = 8;

/// Closed intervals of numbers, each naming an entry of a path's `others`, answering "which
/// intervals contain x" in O(log n + k): sorted by low end, with the highest high end of each
/// node of an implicit binary tree over them. An interval stands for a `numeric` range with
/// its ends closed (open ends are tested exactly afterwards), so the answer is a superset.
#[derive(Debug, Default)]
struct RangeIndex {
    /// (low, high, index into `others`), by low.
    items: Vec<(f64, f64, u32)>,
    /// The highest high end under each node; leaves at `size + i`.
    max_high: Vec<f64>,
    size: usize,
}

impl RangeIndex {
    fn push(&mut self, range: &crate::pattern::ast::Range, other: u32) {
        let low = range.low.map_or(f64::NEG_INFINITY, |(b, _)| b);
        let high = range.high.map_or(f64::INFINITY, |(b, _)| b);
        self.items.push((low, high, other));
    }

    fn seal(&mut self) {
        self.items
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        self.size = self.items.len().next_power_of_two();
        self.max_high = vec![f64::NEG_INFINITY; 2 * self.size];
        for (i, item) in self.items.iter().enumerate() {
            self.max_high[self.size + i] = item.1;
        }
        for i in (1..self.size).rev() {
            self.max_high[i] = self.max_high[2 * i].max(self.max_high[2 * i + 1]);
        }
    }

    /// Appends to `out` the entries whose interval contains `x`.
    fn containing(&self, x: f64, out: &mut Vec<u32>) {
        if self.items.is_empty() {
            return;
        }
        let below = self.items.partition_point(|it| it.0 <= x);
        self.walk(1, 0, self.size, below, x, out);
    }

    fn walk(&self, node: usize, lo: usize, hi: usize, below: usize, x: f64, out: &mut Vec<u32>) {
        if lo >= below || self.max_high[node] < x {
            return;
        }
        if node >= self.size {
            out.push(self.items[node - self.size].2);
            return;
        }
        let mid = (lo + hi) / 2;
        self.walk(2 * node, lo, mid, below, x, out);
        self.walk(2 * node + 1, mid, hi, below, x, out);
    }
}

/// Many named patterns compiled together. Immutable, `Send` and `Sync`: share one across
/// threads, each with its own [`Scratch`].
///
/// # Example
/// ```
/// use bus_contract::{Matcher, Pattern, Scratch};
/// let mut builder = Matcher::builder();
/// builder.add("users", Pattern::parse(r#"{"source": ["bellyfed.user"]}"#)?)?;
/// builder.add("big", Pattern::parse(r#"{"detail": {"n": [{"numeric": [">", 10]}]}}"#)?)?;
/// let matcher = builder.build()?;
/// let mut scratch = Scratch::default();
/// let mut hits = Vec::new();
/// matcher.matches_into(br#"{"source": "bellyfed.user", "detail": {"n": 42}}"#, &mut scratch, &mut hits)?;
/// let names: Vec<&str> = hits.iter().map(|&id| matcher.name(id)).collect();
/// assert_eq!(names, ["users", "big"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Matcher {
    names: Vec<String>,
    patterns: Vec<Pattern>,
    /// Every dot-prefix of every pattern path, and how it is used.
    interests: FastMap<Box<[u8]>, Interest>,
    paths: Vec<PathIndex>,
    conditions: Vec<Condition>,
    sub_rules: Vec<SubRule>,
    /// The matchers of lazy conditions ([`Condition::lazy`]).
    lazy: Vec<Cond>,
    /// Sub-rules with no required condition: candidates for every event.
    always: Vec<u32>,
    /// The matching options every pattern was parsed with (the builder refuses a mix).
    semantics: Semantics,
    /// Whether each event is parsed in full, and refused unless valid, before matching.
    validate: bool,
    stop_early: bool,
}

/// Per-thread buffers for [`Matcher::matches_into`]; reused, they make matching allocation-free.
#[derive(Debug, Default)]
pub struct Scratch {
    buffers: Buffers,
    marks: Marks,
}

/// The per-event marks, apart from the flattener's buffers so both can be borrowed at once.
#[derive(Debug, Default)]
struct Marks {
    /// Per condition: the epoch it was last satisfied in.
    satisfied: Vec<u32>,
    /// Per sub-rule: satisfied required conditions, valid when `counted` is this epoch.
    counts: Vec<u32>,
    counted: Vec<u32>,
    /// Per path: leaves seen this epoch, and whether any is inside an array of objects.
    path_epoch: Vec<u32>,
    path_trailed: Vec<bool>,
    /// Per condition: whether a satisfying leaf was inside an array of objects.
    condition_trailed: Vec<bool>,
    candidates: Vec<u32>,
    hit: Vec<u32>,
    epoch: u32,
    key: Vec<u8>,
    /// (condition, leaf) for every leaf inside an array of objects that satisfies a condition.
    pairs: Vec<(u32, u32)>,
    /// (condition, leaf, matcher) for leaves inside arrays of objects whose test was skipped
    /// because the condition was already satisfied: tested only if the search needs them.
    pending: Vec<(u32, u32, u32)>,
    /// Per condition: the epoch it was satisfied by a leaf outside arrays of objects.
    free: Vec<u32>,
    /// The array elements chosen so far by the consistency search.
    chosen: Vec<(u32, u32)>,
    /// The entries of a path's `others` to test for the current leaf.
    tested: Vec<u32>,
    /// Per path seen this epoch: its last leaf; per leaf: the path's leaf before it
    /// (`NO_LEAF` ends the chain). Lazy conditions read their path's leaves through these.
    path_last: Vec<u32>,
    leaf_before: Vec<u32>,
}

/// The end of a path's chain of leaves in [`Marks::leaf_before`].
const NO_LEAF: u32 = u32::MAX;

impl Matcher {
    /// An empty builder.
    pub fn builder() -> MatcherBuilder {
        MatcherBuilder::default()
    }

    /// How many patterns the matcher holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name a pattern was added under.
    ///
    /// # Panics
    /// When `id` is not one of this matcher's.
    pub fn name(&self, id: PatternId) -> &str {
        &self.names[id.0 as usize]
    }

    fn compile(patterns: &[(String, Pattern)]) -> Matcher {
        let mut m = Matcher {
            names: patterns.iter().map(|(n, _)| n.clone()).collect(),
            patterns: patterns.iter().map(|(_, p)| p.clone()).collect(),
            interests: FastMap::default(),
            paths: Vec::new(),
            conditions: Vec::new(),
            sub_rules: Vec::new(),
            lazy: Vec::new(),
            always: Vec::new(),
            stop_early: false,
            semantics: patterns.first().map_or(
                Semantics {
                    profile: NumericProfile::F64,
                    array_consistency: true,
                },
                |(_, p)| p.semantics(),
            ),
            validate: false,
        };
        let mut path_ids: FastMap<String, u32> = FastMap::default();
        for (pi, (_, pattern)) in patterns.iter().enumerate() {
            for rule in pattern.sub_rules() {
                let sr = m.sub_rules.len() as u32;
                let first = m.conditions.len() as u32;
                let mut required = 0;
                let mut anchor = None;
                for field in &rule.fields {
                    let path = *path_ids.entry(field.path.clone()).or_insert_with(|| {
                        m.paths.push(PathIndex::default());
                        (m.paths.len() - 1) as u32
                    });
                    // Every dot-prefix, so that event keys with dots meet pattern paths.
                    let mut end = 0;
                    for (i, c) in field.path.char_indices() {
                        if c == '.' {
                            m.interests
                                .entry(field.path.as_bytes()[..i].into())
                                .or_default()
                                .descend = true;
                        }
                        end = i + c.len_utf8();
                    }
                    m.interests
                        .entry(field.path.as_bytes()[..end].into())
                        .or_default()
                        .path = Some(path);
                    let ci = m.conditions.len() as u32;
                    let optional = field.list.has_exists_false;
                    let mut valued = field
                        .list
                        .matchers
                        .iter()
                        .filter(|c| **c != Cond::Exists(false))
                        .peekable();
                    let lazy = valued.peek().is_some()
                        && valued.all(|c| matches!(c, Cond::AnythingBut(_) | Cond::Exists(true)));
                    let start = m.lazy.len() as u32;
                    if lazy {
                        m.lazy.extend(
                            field
                                .list
                                .matchers
                                .iter()
                                .filter(|c| **c != Cond::Exists(false))
                                .cloned(),
                        );
                        if !optional {
                            anchor.get_or_insert(path);
                        }
                    } else if !optional {
                        required += 1;
                    }
                    m.conditions.push(Condition {
                        sub_rule: sr,
                        path,
                        optional,
                        lazy: start..m.lazy.len() as u32,
                    });
                    if lazy {
                        continue;
                    }
                    let index = &mut m.paths[path as usize];
                    for cond in &field.list.matchers {
                        match cond {
                            Cond::Exact { value, ip: None } | Cond::Exactly(value) => {
                                index
                                    .exact
                                    .entry(value.as_bytes().into())
                                    .or_default()
                                    .push(ci);
                            }
                            Cond::Number { value: Some(v), .. } => {
                                index.has_numbers = true;
                                index.numbers.entry(v.to_bits()).or_default().push(ci);
                            }
                            Cond::Prefix(p) => {
                                index
                                    .prefixes
                                    .entry(p.as_bytes().into())
                                    .or_default()
                                    .push(ci);
                                if !index.prefix_lens.contains(&p.len()) {
                                    index.prefix_lens.push(p.len());
                                }
                                index.quote_quirk |= p.ends_with('"');
                            }
                            Cond::Suffix(p) => {
                                index
                                    .suffixes
                                    .entry(p.as_bytes().into())
                                    .or_default()
                                    .push(ci);
                                if !index.suffix_lens.contains(&p.len()) {
                                    index.suffix_lens.push(p.len());
                                }
                                index.quote_quirk |= p.starts_with('"');
                            }
                            // With ASCII text, the engine's case mapping is ASCII case folding.
                            Cond::EqualsIgnoreCase(f, p) if p.is_ascii() && !f.is_plain() => {
                                index
                                    .folded
                                    .entry(p.to_ascii_lowercase().into_bytes().into())
                                    .or_default()
                                    .push(ci);
                            }
                            Cond::Exact { ip: Some(ip), .. } => {
                                index.push_block(crate::ip::Cidr::of_address(*ip), ci);
                            }
                            Cond::Cidr(block, _) => index.push_block(*block, ci),
                            Cond::Bool(true) => index.literals[0].push(ci),
                            Cond::Bool(false) => index.literals[1].push(ci),
                            Cond::Null => index.literals[2].push(ci),
                            Cond::Exists(false) => {}
                            other => {
                                if matches!(
                                    other,
                                    Cond::Numeric(_) | Cond::Number { .. } | Cond::AnythingBut(_)
                                ) {
                                    index.has_numbers = true;
                                }
                                let j = index.others.len() as u32;
                                match other {
                                    Cond::Numeric(range) => index.ranges.push(range, j),
                                    Cond::Wildcard(w) => {
                                        let pieces = w.pieces();
                                        let (first, last) = (&pieces[0], &pieces[pieces.len() - 1]);
                                        let inner = pieces
                                            .get(1..pieces.len().saturating_sub(1))
                                            .unwrap_or_default()
                                            .iter()
                                            .max_by_key(|p| p.len())
                                            .filter(|p| !p.is_empty());
                                        if !first.is_empty() {
                                            index.wild_starts.push(first, j);
                                        } else if !last.is_empty() {
                                            index.wild_ends.push(last, j);
                                        } else if let Some(piece) = inner {
                                            index.inner.push(piece, j);
                                        } else {
                                            index.linear.push(j);
                                        }
                                    }
                                    Cond::EqualsIgnoreCase(f, _) => {
                                        index.push_folded(f.leading_texts(FOLDED_UNITS), false, j);
                                    }
                                    // A quote at the anchored end makes the quote quirk
                                    // apply, where the value need not hold the whole text.
                                    Cond::PrefixFolded(f, _) if !f.quote_at(true) => {
                                        index.push_folded(f.leading_texts(FOLDED_UNITS), false, j);
                                    }
                                    Cond::SuffixFolded(f, _) if !f.quote_at(false) => {
                                        index.push_folded(f.trailing_texts(FOLDED_UNITS), true, j);
                                    }
                                    _ => index.linear.push(j),
                                }
                                index.others.push((ci, other.clone()));
                            }
                        }
                    }
                }
                let last = m.conditions.len() as u32;
                m.sub_rules.push(SubRule {
                    pattern: pi as u32,
                    conditions: first..last,
                    required,
                    lazy_required: anchor.is_some(),
                });
                match anchor {
                    _ if required > 0 => {}
                    Some(path) => m.paths[path as usize].anchored.push(sr),
                    None => m.always.push(sr),
                }
            }
        }
        for index in &mut m.paths {
            // A few ranges are tested faster one by one than looked up.
            if index.ranges.items.len() <= FEW {
                index
                    .linear
                    .extend(index.ranges.items.drain(..).map(|(_, _, j)| j));
                index.linear.sort_unstable();
            }
            index.ranges.seal();
            if let Some(few) = index.inner.seal() {
                index.linear.extend(few);
                index.linear.sort_unstable();
            }
        }
        m
    }

    /// Which patterns match `event` (JSON bytes), into `out` in ascending id order. `out` is
    /// cleared first.
    ///
    /// # Errors
    /// An [`EventError`] for bytes that are not a JSON object. Members no pattern names are
    /// skipped without validation.
    pub fn matches_into(
        &self,
        event: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<PatternId>,
    ) -> Result<(), EventError> {
        out.clear();
        if self.validate {
            Event::from_slice(event)?;
        }
        let Scratch { buffers, marks: s } = scratch;
        s.epoch = s.epoch.wrapping_add(1);
        if s.epoch == 0 {
            // The epoch wrapped: forget every mark.
            s.satisfied.iter_mut().for_each(|e| *e = 0);
            s.counted.iter_mut().for_each(|e| *e = 0);
            s.path_epoch.iter_mut().for_each(|e| *e = 0);
            s.free.iter_mut().for_each(|e| *e = 0);
            s.epoch = 1;
        }
        let epoch = s.epoch;
        s.satisfied.resize(self.conditions.len(), 0);
        s.condition_trailed.resize(self.conditions.len(), false);
        s.counts.resize(self.sub_rules.len(), 0);
        s.counted.resize(self.sub_rules.len(), 0);
        s.path_epoch.resize(self.paths.len(), 0);
        s.path_trailed.resize(self.paths.len(), false);
        s.candidates.clear();
        s.hit.clear();
        s.pairs.clear();
        s.pending.clear();
        s.free.resize(self.conditions.len(), 0);
        s.path_last.resize(self.paths.len(), NO_LEAF);

        buffers.stop_after = if self.stop_early {
            self.paths.len() as u32
        } else {
            0
        };
        let interests = &self.interests;
        flatten::flatten(event, buffers, &|p: &[u8]| {
            interests.get(p).copied().unwrap_or_default()
        })?;
        s.leaf_before.clear();
        s.leaf_before.resize(buffers.leaves.len(), NO_LEAF);

        for li in 0..buffers.leaves.len() {
            let leaf = buffers.leaves[li];
            let trailed = leaf.trail_end > leaf.trail_start;
            let p = leaf.path as usize;
            let index = &self.paths[p];
            if s.path_epoch[p] != epoch {
                s.path_epoch[p] = epoch;
                s.path_trailed[p] = false;
                s.path_last[p] = NO_LEAF;
                s.candidates.extend_from_slice(&index.anchored);
            }
            s.path_trailed[p] |= trailed;
            s.leaf_before[li] = s.path_last[p];
            s.path_last[p] = li as u32;
            let scalar = leaf_scalar(&leaf, buffers, event);
            // A number's value, parsed once for every index that needs it, and whether it
            // is comparable (a 17-digit number needs its shortest form checked), worked out
            // at most once.
            let profile = self.semantics.profile;
            let number = match scalar {
                Scalar::Num(t) if index.has_numbers => profile.approx(t),
                _ => None,
            };
            let mut comparable: Option<bool> = None;
            let hit = |ci: u32, s: &mut Marks| {
                if mark(s, ci, li as u32, trailed) {
                    let cond = &self.conditions[ci as usize];
                    if !cond.optional {
                        let sr = cond.sub_rule as usize;
                        if s.counted[sr] != epoch {
                            s.counted[sr] = epoch;
                            s.counts[sr] = 0;
                        }
                        s.counts[sr] += 1;
                        if s.counts[sr] == self.sub_rules[sr].required {
                            s.candidates.push(cond.sub_rule);
                        }
                    }
                }
            };
            match scalar {
                Scalar::Str(v) => {
                    let bytes = v.as_bytes();
                    if let Some(cs) = index.exact.get(bytes) {
                        cs.iter().for_each(|&c| hit(c, s));
                    }
                    for &len in &index.prefix_lens {
                        if len <= v.len() && v.is_char_boundary(len) {
                            if let Some(cs) = index.prefixes.get(&bytes[..len]) {
                                cs.iter().for_each(|&c| hit(c, s));
                            }
                        }
                    }
                    for &len in &index.suffix_lens {
                        if len <= v.len() && v.is_char_boundary(v.len() - len) {
                            if let Some(cs) = index.suffixes.get(&bytes[v.len() - len..]) {
                                cs.iter().for_each(|&c| hit(c, s));
                            }
                        }
                    }
                    if index.quote_quirk {
                        // A prefix that is the value plus `"`, a suffix that is `"` plus the value.
                        s.key.clear();
                        s.key.extend_from_slice(bytes);
                        s.key.push(b'"');
                        if let Some(cs) = index.prefixes.get(s.key.as_slice()) {
                            cs.iter().for_each(|&c| hit(c, s));
                        }
                        s.key.clear();
                        s.key.push(b'"');
                        s.key.extend_from_slice(bytes);
                        if let Some(cs) = index.suffixes.get(s.key.as_slice()) {
                            cs.iter().for_each(|&c| hit(c, s));
                        }
                    }
                    if !index.folded.is_empty() {
                        s.key.clear();
                        s.key.extend(bytes.iter().map(u8::to_ascii_lowercase));
                        if let Some(cs) = index.folded.get(s.key.as_slice()) {
                            cs.iter().for_each(|&c| hit(c, s));
                        }
                    }
                    if !index.blocks.is_empty() {
                        if let Some(ip) = crate::ip::parse_ip(v) {
                            for b in index.blocks.iter().filter(|b| b.v6 == ip.v6) {
                                if let Some(cs) = b.networks.get(&(ip.bits & b.mask)) {
                                    cs.iter().for_each(|&c| hit(c, s));
                                }
                            }
                        }
                    }
                }
                Scalar::Bool(b) => {
                    let cs = &index.literals[usize::from(!b)];
                    cs.iter().for_each(|&c| hit(c, s));
                }
                Scalar::Null => index.literals[2].iter().for_each(|&c| hit(c, s)),
                Scalar::Num(t) => {
                    if let Some(cs) = number.and_then(|v| index.numbers.get(&v.to_bits())) {
                        if *comparable.get_or_insert_with(|| profile.comparable(t).is_some()) {
                            cs.iter().for_each(|&c| hit(c, s));
                        }
                    }
                }
            }
            // The conditions tested one by one: every one not indexed, and the indexed ones
            // the index finds for this value.
            let mut tested = std::mem::take(&mut s.tested);
            tested.clear();
            match scalar {
                Scalar::Num(_) => {
                    if let Some(x) = number {
                        index.ranges.containing(x, &mut tested);
                    }
                }
                Scalar::Str(v) => {
                    index.wild_starts.probe(v.as_bytes(), false, &mut tested);
                    index.wild_ends.probe(v.as_bytes(), true, &mut tested);
                    index.folded_starts.probe(v.as_bytes(), false, &mut tested);
                    index.folded_ends.probe(v.as_bytes(), true, &mut tested);
                    index.inner.probe(v.as_bytes(), &mut tested);
                    if tested.len() > 1 {
                        // An entry found twice (a piece found twice, texts of two lengths)
                        // is tested once.
                        tested.sort_unstable();
                        tested.dedup();
                    }
                }
                _ => {}
            }
            let mut accepts = |cond: &Cond| match (cond, scalar) {
                (Cond::Numeric(r), Scalar::Num(t)) => {
                    number.is_some_and(|n| r.contains(n))
                        && *comparable.get_or_insert_with(|| profile.comparable(t).is_some())
                }
                _ => accepts(cond, scalar, profile),
            };
            for &j in index.linear.iter().chain(&tested) {
                let (ci, cond) = &index.others[j as usize];
                if s.satisfied[*ci as usize] == epoch {
                    // Inside arrays of objects another satisfying leaf may matter to the
                    // consistency search, which tests it only if it gets that far.
                    if trailed {
                        s.pending.push((*ci, li as u32, j));
                    } else if s.free[*ci as usize] != epoch && accepts(cond) {
                        // Satisfied so far only inside arrays: a leaf outside them (a dotted
                        // key, a duplicate) constrains nothing, and the search needs to know.
                        s.free[*ci as usize] = epoch;
                    }
                    continue;
                }
                if accepts(cond) {
                    hit(*ci, s);
                }
            }
            s.tested = tested;
        }

        // Verify the candidates, and the sub-rules that need no value at all.
        let mut i = 0;
        while i < s.candidates.len() + self.always.len() {
            let sr = if i < s.candidates.len() {
                s.candidates[i]
            } else {
                self.always[i - s.candidates.len()]
            };
            i += 1;
            let rule = &self.sub_rules[sr as usize];
            if s.hit.contains(&rule.pattern) {
                continue;
            }
            if self.verify(rule, s, buffers, event)? {
                s.hit.push(rule.pattern);
            }
        }
        s.hit.sort_unstable();
        out.extend(s.hit.iter().map(|&p| PatternId(p)));
        Ok(())
    }

    /// Whether a candidate sub-rule matches: its optional conditions hold, and array
    /// consistency allows the combination.
    fn verify(
        &self,
        rule: &SubRule,
        s: &mut Marks,
        buffers: &Buffers,
        event: &[u8],
    ) -> Result<bool, EventError> {
        let epoch = s.epoch;
        for ci in rule.conditions.clone() {
            let c = &self.conditions[ci as usize];
            if c.lazy.is_empty() || s.path_epoch[c.path as usize] != epoch {
                continue;
            }
            let matchers = &self.lazy[c.lazy.start as usize..c.lazy.end as usize];
            let mut li = s.path_last[c.path as usize];
            while li != NO_LEAF {
                let leaf = &buffers.leaves[li as usize];
                let scalar = leaf_scalar(leaf, buffers, event);
                if matchers
                    .iter()
                    .any(|m| accepts(m, scalar, self.semantics.profile))
                {
                    mark(s, ci, li, leaf.trail_end > leaf.trail_start);
                }
                li = s.leaf_before[li as usize];
            }
        }
        if rule.lazy_required
            && rule.conditions.clone().any(|ci| {
                let c = &self.conditions[ci as usize];
                !c.lazy.is_empty() && !c.optional && s.satisfied[ci as usize] != epoch
            })
        {
            return Ok(false);
        }
        if !self.semantics.array_consistency {
            // Every value counts wherever it is: a field with `exists: false` is satisfied by
            // a value it accepts, or by no value at the path at all.
            return Ok(rule.conditions.clone().all(|ci| {
                let c = &self.conditions[ci as usize];
                s.satisfied[ci as usize] == epoch
                    || (c.optional && s.path_epoch[c.path as usize] != epoch)
            }));
        }
        let mut trailed_fields = 0;
        for ci in rule.conditions.clone() {
            let c = &self.conditions[ci as usize];
            let present = s.path_epoch[c.path as usize] == epoch;
            let satisfied = s.satisfied[ci as usize] == epoch;
            if c.optional && !satisfied && present {
                // Present but not accepted: only absence within an array element could help.
                if !s.path_trailed[c.path as usize] {
                    return Ok(false);
                }
            }
            let involved = if satisfied {
                s.condition_trailed[ci as usize]
            } else {
                present && s.path_trailed[c.path as usize]
            };
            if involved || (present && s.path_trailed[c.path as usize]) {
                trailed_fields += 1;
            }
        }
        if trailed_fields <= 1 {
            // One field at most touches arrays of objects: no combination to check, except an
            // optional field whose only values are inside arrays, which the reference settles.
            let tricky = rule.conditions.clone().any(|ci| {
                let c = &self.conditions[ci as usize];
                c.optional
                    && s.satisfied[ci as usize] != epoch
                    && s.path_epoch[c.path as usize] == epoch
            });
            if !tricky {
                return Ok(true);
            }
        }
        // Array consistency decides: search the leaves for a consistent choice, as the
        // reference matcher does. An event that exhausts the small step budget is settled by
        // the reference matcher, whose search over the tree of array elements is polynomial
        // in the event.
        s.chosen.clear();
        let mut budget: u32 = 4_000;
        match self.consistent(rule, 0, s, buffers, event, &mut budget) {
            Some(found) => Ok(found),
            None => {
                let parsed = Event::from_slice(event)?;
                Ok(self.patterns[rule.pattern as usize].matches_event(&parsed))
            }
        }
    }

    /// Whether fields `k..` of the sub-rule can be given leaves consistent with `s.chosen`;
    /// `None` when the budget runs out.
    #[allow(clippy::too_many_arguments)]
    fn consistent(
        &self,
        rule: &SubRule,
        k: u32,
        s: &mut Marks,
        buffers: &Buffers,
        event: &[u8],
        budget: &mut u32,
    ) -> Option<bool> {
        *budget = budget.checked_sub(1)?;
        let ci = rule.conditions.start + k;
        if ci >= rule.conditions.end {
            return Some(true);
        }
        let cond = &self.conditions[ci as usize];
        let epoch = s.epoch;
        // A satisfying leaf outside arrays constrains nothing: take it.
        if s.free[ci as usize] == epoch {
            return self.consistent(rule, k + 1, s, buffers, event, budget);
        }
        let trail =
            |l: &flatten::Leaf| &buffers.trails[l.trail_start as usize..l.trail_end as usize];
        let fits = |t: &[(u32, u32)], chosen: &[(u32, u32)]| {
            t.iter()
                .all(|(a, i)| chosen.iter().all(|(b, j)| a != b || i == j))
        };
        // The candidates: leaves known to satisfy the condition, then leaves whose test was
        // put off (tested only now, and only if they fit the choices so far).
        for p in 0..s.pairs.len() + s.pending.len() {
            let (c, leaf, deferred) = match s.pairs.get(p) {
                Some(&(c, leaf)) => (c, leaf, None),
                None => {
                    let (c, leaf, j) = s.pending[p - s.pairs.len()];
                    (c, leaf, Some(j))
                }
            };
            let l = &buffers.leaves[leaf as usize];
            if c != ci || !fits(trail(l), &s.chosen) {
                continue;
            }
            if let Some(j) = deferred {
                let matcher = &self.paths[l.path as usize].others[j as usize].1;
                if !accepts(
                    matcher,
                    leaf_scalar(l, buffers, event),
                    self.semantics.profile,
                ) {
                    continue;
                }
            }
            let mark = s.chosen.len();
            for step in trail(l) {
                if !s.chosen.contains(step) {
                    s.chosen.push(*step);
                }
            }
            let found = self.consistent(rule, k + 1, s, buffers, event, budget);
            s.chosen.truncate(mark);
            if found != Some(false) {
                return found;
            }
        }
        if cond.optional {
            // Absent: no leaf at the path fits the choices made so far.
            let present = buffers
                .leaves
                .iter()
                .any(|l| l.path == cond.path && fits(trail(l), &s.chosen));
            if !present {
                return self.consistent(rule, k + 1, s, buffers, event, budget);
            }
        }
        Some(false)
    }

    /// The names of the patterns matching `event`. Allocates; use
    /// [`Matcher::matches_into`] in loops.
    ///
    /// # Errors
    /// As [`Matcher::matches_into`].
    pub fn matches(&self, event: &[u8]) -> Result<Vec<&str>, EventError> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.matches_into(event, &mut scratch, &mut out)?;
        Ok(out.into_iter().map(|id| self.name(id)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(pattern: &str, event: &str) -> bool {
        compiled_with(pattern, &crate::pattern::Options::default(), event)
    }

    /// The compiled matcher's verdict, asserted equal to the reference matcher's.
    fn compiled_with(pattern: &str, options: &crate::pattern::Options, event: &str) -> bool {
        let p = Pattern::parse_with(pattern, options).unwrap();
        let reference = p.matches(event).unwrap();
        let mut b = Matcher::builder();
        b.add("p", p).unwrap();
        let got = !b
            .build()
            .unwrap()
            .matches(event.as_bytes())
            .unwrap()
            .is_empty();
        assert_eq!(
            got, reference,
            "{pattern} on {event}: compiled {got}, reference {reference}"
        );
        got
    }

    /// Found by review: the first satisfying leaf is inside an array, a later one (a dotted
    /// key) outside it; only the later one is consistent with the other field.
    #[test]
    fn matcher_a_later_leaf_outside_arrays_counts() {
        compiled(
            r#"{"P":{"a":[{"wildcard":"x*"}],"b":["y"]}}"#,
            r#"{"P":[{"a":"x1"},{"b":"y"}],"P.a":"x2"}"#,
        );
        compiled(
            r#"{"P":{"a":[{"numeric":[">",1]}],"b":["y"]}}"#,
            r#"{"P":[{"a":5},{"b":"y"}],"P.a":7}"#,
        );
    }

    /// Found by the `matchers` fuzz target: with early stop, a later duplicate key is not
    /// seen (as documented), so a match through it is missed; without early stop, or in the
    /// validating mode, it is found, as the reference matcher finds it.
    #[test]
    fn matcher_early_stop_and_a_later_duplicate_key() {
        let p = Pattern::parse(r#"{"detail":{"reason":["fraud"]}}"#).unwrap();
        let event = br#"{"detail":{"reason":"other","reason":"fraud"}}"#;
        assert!(p.matches(std::str::from_utf8(event).unwrap()).unwrap());
        let mut b = Matcher::builder();
        b.add("p", p).unwrap();
        assert_eq!(b.build().unwrap().matches(event).unwrap(), ["p"]);
        b.stop_early(true);
        assert!(b.build().unwrap().matches(event).unwrap().is_empty());
        b.validate(true);
        assert_eq!(b.build().unwrap().matches(event).unwrap(), ["p"]);
    }

    /// The validating mode refuses what the reference parser refuses, in members no pattern
    /// names too; the default mode skips those bytes unread.
    #[test]
    fn matcher_validating_mode() {
        let p = Pattern::parse(r#"{"source":["s"]}"#).unwrap();
        for bad in [
            r#"{"source":"s","zz":[1,,2]}"#,
            r#"{"source":"s"} trailing"#,
            r#"{"source":"s","zz":01}"#,
            r#"{"source":"s","zz":"\x"}"#,
        ] {
            let mut b = Matcher::builder();
            b.add("p", p.clone()).unwrap();
            assert!(b.build().unwrap().matches(bad.as_bytes()).is_ok(), "{bad}");
            b.validate(true);
            assert!(b.build().unwrap().matches(bad.as_bytes()).is_err(), "{bad}");
        }
        let deep = format!(
            r#"{{"source":"s","zz":{}{}}}"#,
            "[".repeat(1100),
            "]".repeat(1100)
        );
        let mut b = Matcher::builder();
        b.add("p", p).unwrap().validate(true);
        assert!(b.build().unwrap().matches(deep.as_bytes()).is_err());
    }

    /// Each pattern's own options: the compiled matcher follows them, and refuses to mix them.
    #[test]
    fn matcher_honours_pattern_options() {
        use crate::pattern::Options;
        let cases = [
            (
                Options::default().array_consistency(false),
                r#"{"P":{"a":["x"],"b":["y"]}}"#,
                r#"{"P":[{"a":"x"},{"b":"y"}]}"#,
            ),
            (
                Options::default().array_consistency(false),
                r#"{"P":{"a":["x"],"b":[{"exists":false}]}}"#,
                r#"{"P":[{"a":"x"},{"b":"y"}]}"#,
            ),
            (
                Options::default().numeric_profile(NumericProfile::Legacy5e9),
                r#"{"n":[{"numeric":[">",1]}]}"#,
                r#"{"n":6000000000}"#,
            ),
            (
                Options::default().numeric_profile(NumericProfile::Legacy5e9),
                r#"{"n":[1.0000001]}"#,
                r#"{"n":1.0000002}"#,
            ),
        ];
        for (options, pattern, event) in cases {
            compiled_with(pattern, &options, event);
        }
        let mut b = Matcher::builder();
        b.add("a", Pattern::parse(r#"{"n":[1]}"#).unwrap()).unwrap();
        b.add(
            "b",
            Pattern::parse_with(r#"{"n":[1]}"#, &Options::default().array_consistency(false))
                .unwrap(),
        )
        .unwrap();
        assert!(matches!(b.build(), Err(BuildError::MixedOptions { .. })));
    }

    #[test]
    fn matcher_array_consistency() {
        let e = r#"{"a":[{"b":1,"c":2},{"b":3,"c":4}]}"#;
        assert!(!compiled(r#"{"a":{"b":[1],"c":[4]}}"#, e)); // EP-ARR-4
        assert!(compiled(r#"{"a":{"b":[1],"c":[2]}}"#, e)); // EP-ARR-5
        assert!(compiled(
            r#"{"a":{"b":[1]},"x":{"y":[9]}}"#,
            r#"{"a":[{"b":1}],"x":[{"y":9}]}"#
        )); // EP-ARR-6
        assert!(!compiled(
            r#"{"a":{"b":{"c":[1],"d":[2]}}}"#,
            r#"{"a":[{"b":[{"c":1},{"d":2}]}]}"#
        )); // EP-ARR-7
        assert!(compiled(
            r#"{"a":{"k":["x"],"b":{"c":[2]}}}"#,
            r#"{"a":[{"k":"x","b":[{"c":1},{"c":2}]},{"k":"y","b":[{"c":2}]}]}"#
        )); // EP-ARR-8
        assert!(!compiled(
            r#"{"a":{"b":["x"],"c":[{"anything-but":"y"}]}}"#,
            r#"{"a":[{"b":"x","c":"y"},{"b":"z","c":"w"}]}"#
        )); // EP-ARR-10
        // EP-EXISTS-15: absence judged against the choices for earlier paths.
        assert!(compiled(
            r#"{"a":{"b":[3],"c":[{"exists":false}]}}"#,
            r#"{"a":[{"b":3},{"b":1,"c":2}]}"#
        ));
        assert!(!compiled(
            r#"{"a":{"a":[{"exists":false}],"b":[3]}}"#,
            r#"{"a":[{"b":3},{"b":1,"a":2}]}"#
        ));
        // Three fields, the match only in the last element.
        assert!(compiled(
            r#"{"d":{"a":[{"exists":true}],"b":[{"exists":true}]}}"#,
            r#"{"d":[{"a":1},{"b":2},{"a":3,"b":4}]}"#
        ));
    }

    /// Seven arrays reached through one duplicated key, each element holding one of eight
    /// fields: no consistent choice exists, and finding that out takes no time, in the
    /// reference matcher and here.
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
        // Neither matcher matches, each within the limit.
        let refused_within = |conditions: &[String], event: &str, limit: u64| {
            let text = format!("{{\"P\":{{{}}}}}", conditions.join(","));
            let pattern = Pattern::parse(&text).unwrap();
            let start = std::time::Instant::now();
            assert!(!pattern.matches(event).unwrap());
            let reference = start.elapsed();
            let mut builder = Matcher::builder();
            builder.add("p", pattern).unwrap();
            let matcher = builder.build().unwrap();
            let start = std::time::Instant::now();
            assert!(matcher.matches(event.as_bytes()).unwrap().is_empty());
            let compiled = start.elapsed();
            let limit = std::time::Duration::from_millis(limit);
            assert!(
                reference < limit && compiled < limit,
                "{reference:?}, {compiled:?}"
            );
        };
        refused_within(&conditions, &event, 100);
        // The same with a field that must be absent from the chosen elements.
        let mut conditions = conditions;
        conditions.push(r#""z":[{"exists":false}]"#.to_string());
        let event = event.replacen(r#"{"a":"v"}"#, r#"{"a":"v","z":1}"#, 3);
        refused_within(&conditions, &event, 200);
    }
}
