//! Templates as trees: YAML (with CloudFormation's short-form tags) and JSON read into one
//! shape, each node knowing where it was written.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle};

use crate::diag::Location;

/// A node of a template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Tree,
    /// Line and column (YAML) or a JSON pointer (JSON).
    pub(crate) at: Location,
    /// A plain YAML scalar read as a boolean or a number: the reader decided its type.
    pub(crate) typed_plain: bool,
    /// Where the key of a mapping entry is written (YAML), for findings about the key itself.
    pub(crate) key_at: Option<Location>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tree {
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    String(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub(crate) fn new(value: Tree, at: Location) -> Node {
        Node {
            value,
            at,
            typed_plain: false,
            key_at: None,
        }
    }

    /// The value under `key`, when this is a mapping that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Tree::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Tree::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Tree::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// The most nodes one document may expand to, aliases included (text counts a node for every
/// 64 bytes): a refusal of alias bombs, of many nodes or of long strings.
const MAX_NODES: usize = 1_000_000;

/// The intrinsic functions a short-form tag may name.
const SHORT_FORMS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "If",
    "Equals",
    "And",
    "Or",
    "Not",
    "Length",
    "ToJsonString",
];

/// Reads YAML, turning `!Ref x` into `{"Ref": x}`, `!Condition c` into `{"Condition": c}`
/// and `!Fn x` into `{"Fn::Fn": x}`, as CloudFormation does.
pub(crate) fn from_yaml(text: &str) -> Result<Node, (Location, String)> {
    yaml(text, false).map(|(node, _)| node)
}

/// Remarks on how a template was read, each with where: what CloudFormation accepts and this
/// reader takes as it does, but a person should know of.
pub(crate) type Warnings = Vec<(Location, String)>;

/// Reads a template's YAML as CloudFormation does: a key written twice keeps its last value
/// (with a warning), and a tag CloudFormation does not know (a pre-processor's, such as
/// `!Rain::Embed`) becomes a value that evaluates to a placeholder, so that it stops nothing
/// but what uses it.
pub(crate) fn template_from_yaml(text: &str) -> Result<(Node, Warnings), (Location, String)> {
    yaml(text, true)
}

fn yaml(text: &str, lenient: bool) -> Result<(Node, Warnings), (Location, String)> {
    let mut builder = YamlBuilder {
        lenient,
        ..YamlBuilder::default()
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            let m = e.marker();
            (
                Location::LineColumn(m.line() as u64, m.col() as u64 + 1),
                e.info(),
            )
        })?;
        let at = Location::LineColumn(span.start.line() as u64, span.start.col() as u64 + 1);
        if builder.event(event, at)? {
            break;
        }
    }
    let root = builder
        .done
        .ok_or((Location::File, "the document is empty".to_string()))?;
    Ok((root, builder.warnings))
}

/// The key under which an unknown tag's value is kept: `!` and the tag, which no template key
/// can be (the evaluator reads it as a function it does not know).
pub(crate) const UNKNOWN_TAG: char = '!';

/// The warning for a key written twice, whose last value is kept.
fn duplicate(key: &str, first: Option<&Location>) -> String {
    let first = first.map_or_else(String::new, |at| format!(" (first at {at})"));
    format!("key `{key}` is written twice{first}; CloudFormation keeps this last value")
}

#[derive(Default)]
struct YamlBuilder {
    /// A template's reading: duplicate keys keep the last, unknown tags are kept as such.
    lenient: bool,
    warnings: Warnings,
    /// Open collections: the node, the key waiting for its value, the anchor, the tag.
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    done: Option<Node>,
}

struct Open {
    node: Node,
    key: Option<(String, Location)>,
    anchor: usize,
    tag: Option<String>,
    /// The keys of a mapping so far, so that a duplicate is found in constant time.
    keys: std::collections::HashSet<String>,
}

/// What a node costs when an alias copies it: its nodes, and the bytes of its text (a short
/// document may alias a long string many times).
fn count(node: &Node) -> usize {
    match &node.value {
        Tree::List(items) => 1 + items.iter().map(count).sum::<usize>(),
        Tree::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| k.len() / 64 + count(v))
                .sum::<usize>()
        }
        Tree::String(s) | Tree::Number(s) => 1 + s.len() / 64,
        _ => 1,
    }
}

/// A local tag (`!Ref`), as the name of the intrinsic it stands for.
fn local_tag(tag: Option<&granit_parser::Tag>) -> Option<String> {
    let tag = tag?;
    (tag.handle() == "!").then(|| tag.suffix().to_string())
}

/// Wraps a tagged node in the long form of its intrinsic function; an unknown tag, when
/// `lenient`, under the key `!tag`.
fn apply_tag(tag: Option<String>, node: Node, lenient: bool) -> Result<Node, (Location, String)> {
    let Some(tag) = tag else { return Ok(node) };
    let at = node.at.clone();
    let key = match tag.as_str() {
        "Ref" | "Condition" => tag.clone(),
        "GetAtt" => "Fn::GetAtt".to_string(),
        t if SHORT_FORMS.contains(&t) => format!("Fn::{t}"),
        _ if lenient => format!("{UNKNOWN_TAG}{tag}"),
        _ => {
            return Err((
                at,
                format!("unknown tag !{tag}: CloudFormation has no such function"),
            ));
        }
    };
    Ok(Node::new(Tree::Map(vec![(key, node)]), at))
}

impl YamlBuilder {
    /// Takes one event; `true` when the first document is complete.
    fn event(&mut self, event: Event<'_>, at: Location) -> Result<bool, (Location, String)> {
        let node = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag_name = tag.as_deref().and_then(|t| local_tag(Some(t)));
                let core = tag
                    .as_deref()
                    .and_then(|t| t.core_suffix().map(String::from));
                let mut node = scalar(&text, style, core.as_deref(), tag_name.is_some(), &at);
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                node = apply_tag(tag_name, node, self.lenient)?;
                node
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                let value = match event {
                    Event::SequenceStart(..) => Tree::List(Vec::new()),
                    _ => Tree::Map(Vec::new()),
                };
                let tag = local_tag(tag.as_deref());
                self.stack.push(Open {
                    node: Node::new(value, at),
                    key: None,
                    anchor,
                    tag,
                    keys: std::collections::HashSet::new(),
                });
                self.nodes += 1;
                return Ok(false);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Ok(false);
                };
                if open.anchor != 0 {
                    self.anchors.insert(open.anchor, open.node.clone());
                }
                apply_tag(open.tag, open.node, self.lenient)?
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id) else {
                    return Err((at, "alias to an unknown anchor".into()));
                };
                self.nodes += count(node);
                if self.nodes > MAX_NODES {
                    return Err((
                        at,
                        format!(
                            "the document expands to more than {MAX_NODES} nodes through its aliases"
                        ),
                    ));
                }
                let mut node = node.clone();
                node.at = at;
                node
            }
            Event::DocumentEnd => return Ok(self.done.is_some()),
            _ => return Ok(false),
        };
        self.nodes += 1;
        self.place(node)?;
        Ok(false)
    }

    fn place(&mut self, node: Node) -> Result<(), (Location, String)> {
        let Some(open) = self.stack.last_mut() else {
            self.done = Some(node);
            return Ok(());
        };
        match &mut open.node.value {
            Tree::List(items) => items.push(node),
            Tree::Map(entries) => match open.key.take() {
                None => {
                    let key = match node.value {
                        Tree::String(s) | Tree::Number(s) => s,
                        Tree::Bool(b) => b.to_string(),
                        Tree::Null => "null".into(),
                        _ => return Err((node.at, "a mapping key must be a scalar".into())),
                    };
                    open.key = Some((key, node.at));
                }
                Some((key, key_at)) => {
                    let again = !open.keys.insert(key.clone());
                    if again && !self.lenient {
                        return Err((node.at, format!("duplicate key {key}")));
                    }
                    // A collection is reported where its key is written.
                    let mut node = node;
                    if matches!(node.value, Tree::List(_) | Tree::Map(_)) {
                        node.at = key_at.clone();
                    }
                    node.key_at = Some(key_at.clone());
                    match entries.iter_mut().find(|(k, _)| again && *k == key) {
                        Some(entry) => {
                            let message = duplicate(&key, entry.1.key_at.as_ref());
                            self.warnings.push((key_at, message));
                            entry.1 = node;
                        }
                        None => entries.push((key, node)),
                    }
                }
            },
            _ => {}
        }
        Ok(())
    }
}

/// A YAML scalar under the core schema: quoted text and tagged scalars are strings; plain
/// `true`, `false`, `null`, `~` and numbers are typed.
fn scalar(text: &str, style: ScalarStyle, core: Option<&str>, tagged: bool, at: &Location) -> Node {
    let string = |s: &str| Node::new(Tree::String(s.to_string()), at.clone());
    match core {
        Some("str") => return string(text),
        Some("bool") | Some("int") | Some("float") | Some("null") => {}
        _ if style != ScalarStyle::Plain || tagged => return string(text),
        _ => {}
    }
    let typed = |value: Tree| Node {
        value,
        at: at.clone(),
        typed_plain: true,
        key_at: None,
    };
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Node::new(Tree::Null, at.clone()),
        "true" | "True" | "TRUE" => typed(Tree::Bool(true)),
        "false" | "False" | "FALSE" => typed(Tree::Bool(false)),
        t if is_json_number(t.strip_prefix('+').unwrap_or(t)) => {
            typed(Tree::Number(t.strip_prefix('+').unwrap_or(t).to_string()))
        }
        // A string to YAML 1.2, but a boolean or an octal number to a YAML 1.1 reader.
        t if yaml11_typed(t) => typed(Tree::String(t.to_string())),
        t => string(t),
    }
}

/// Plain scalars that YAML 1.1 types and YAML 1.2 does not: `yes`, `no`, `on`, `off`, `y`,
/// `n` in their spellings, and digits with a leading zero (octal).
fn yaml11_typed(t: &str) -> bool {
    const WORDS: [&str; 16] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF",
    ];
    let octal = t.len() > 1 && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit());
    WORDS.contains(&t) || octal
}

/// Whether `s` is a number as JSON writes one.
pub(crate) fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let start = i;
    if digits(&mut i) == 0 || (b[start] == b'0' && i - start > 1) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Reads JSON; each node's location is its JSON pointer. Members keep their order and
/// numbers their spelling; a key given twice is an error.
#[cfg(test)]
pub(crate) fn from_json(text: &str) -> Result<Node, (Location, String)> {
    json(text, None)
}

/// Reads a template's JSON as CloudFormation does: a key given twice keeps its last value, with
/// a warning.
pub(crate) fn template_from_json(text: &str) -> Result<(Node, Warnings), (Location, String)> {
    let mut warnings = Vec::new();
    let root = json(text, Some(&mut warnings))?;
    Ok((root, warnings))
}

fn json(text: &str, lenient: Option<&mut Warnings>) -> Result<Node, (Location, String)> {
    let value = crate::json::Value::parse(text).map_err(|e| {
        (
            Location::LineColumn(e.line as u64, e.column as u64),
            e.message,
        )
    })?;
    let mut lenient = lenient;
    from_value(&value, String::new(), &mut lenient)
}

fn from_value(
    value: &crate::json::Value,
    pointer: String,
    lenient: &mut Option<&mut Warnings>,
) -> Result<Node, (Location, String)> {
    use crate::json::Value as V;
    let tree = match value {
        V::Null => Tree::Null,
        V::Bool(b) => Tree::Bool(*b),
        V::Number(n) => Tree::Number(n.clone()),
        V::String(s) => Tree::String(s.clone()),
        V::Array(items) => Tree::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| from_value(v, format!("{pointer}/{i}"), lenient))
                .collect::<Result<_, _>>()?,
        ),
        V::Object(members) => {
            let mut entries: Vec<(String, Node)> = Vec::with_capacity(members.len());
            let mut keys: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for (k, v) in members {
                let escaped = k.replace('~', "~0").replace('/', "~1");
                let at = format!("{pointer}/{escaped}");
                let node = from_value(v, at.clone(), lenient)?;
                match keys.get(k.as_str()) {
                    None => {
                        keys.insert(k.as_str(), entries.len());
                        entries.push((k.clone(), node));
                    }
                    Some(&i) => match lenient {
                        // A pointer names both members alike, so the warning says which.
                        Some(warnings) => {
                            warnings.push((
                                Location::Pointer(at),
                                format!(
                                    "key `{k}` is given twice in one object; CloudFormation keeps the last value"
                                ),
                            ));
                            entries[i].1 = node;
                        }
                        None => return Err((Location::Pointer(at), format!("duplicate key {k}"))),
                    },
                }
            }
            Tree::Map(entries)
        }
    };
    Ok(Node::new(tree, Location::Pointer(pointer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        let node =
            from_yaml("a: !Ref B\nb: !GetAtt X.Arn\nc: !Sub [\"${x}\", {x: 1}]\nd: !Condition C\n")
                .unwrap();
        assert_eq!(
            node.get("a").unwrap().get("Ref").unwrap().as_str(),
            Some("B")
        );
        assert_eq!(
            node.get("b").unwrap().get("Fn::GetAtt").unwrap().as_str(),
            Some("X.Arn")
        );
        assert!(matches!(
            node.get("c").unwrap().get("Fn::Sub").unwrap().value,
            Tree::List(_)
        ));
        assert!(node.get("d").unwrap().get("Condition").is_some());
        assert_eq!(node.get("b").unwrap().at, Location::LineColumn(2, 1));
    }

    #[test]
    fn plain_scalars_are_typed_and_quoted_ones_are_not() {
        let node = from_yaml("a: false\nb: 4.0\nc: 'false'\nd: \"4.0\"\ne: 007\nf: yes\n").unwrap();
        assert_eq!(node.get("a").unwrap().value, Tree::Bool(false));
        assert!(node.get("a").unwrap().typed_plain);
        assert_eq!(node.get("b").unwrap().value, Tree::Number("4.0".into()));
        assert_eq!(node.get("c").unwrap().value, Tree::String("false".into()));
        assert_eq!(node.get("d").unwrap().value, Tree::String("4.0".into()));
        assert_eq!(node.get("e").unwrap().value, Tree::String("007".into()));
        assert_eq!(node.get("f").unwrap().value, Tree::String("yes".into()));
        // Strings here, but typed by a YAML 1.1 reader.
        assert!(node.get("e").unwrap().typed_plain);
        assert!(node.get("f").unwrap().typed_plain);
        assert!(!node.get("c").unwrap().typed_plain);
    }

    #[test]
    fn bad_yaml_is_an_error_with_a_place() {
        let (at, message) = from_yaml("a: [1, 2\n").unwrap_err();
        assert!(matches!(at, Location::LineColumn(..)), "{message}");
        assert!(from_yaml("a: !Bogus x\n").unwrap_err().1.contains("!Bogus"));
        assert!(
            from_yaml("a: 1\na: 2\n")
                .unwrap_err()
                .1
                .contains("duplicate")
        );
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            doc.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = c;
        }
        assert!(from_yaml(&doc).unwrap_err().1.contains("aliases"));
    }

    #[test]
    fn json_keeps_order_and_spelling_and_refuses_duplicates() {
        let node = from_json(r#"{"b": 1.0e2, "a": 2}"#).unwrap();
        let keys: Vec<&str> = node.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(node.get("b").unwrap().value, Tree::Number("1.0e2".into()));
        let (at, message) = from_json(r#"{"a": {"x": 1, "x": 2}}"#).unwrap_err();
        assert_eq!(at, Location::Pointer("/a/x".into()));
        assert!(message.contains("duplicate"));
    }

    #[test]
    fn json_nodes_know_their_pointer() {
        let node = from_json(r#"{"Resources": {"a/b": {"x": [1, true]}}}"#).unwrap();
        let x = node
            .get("Resources")
            .unwrap()
            .get("a/b")
            .unwrap()
            .get("x")
            .unwrap();
        assert_eq!(x.at, Location::Pointer("/Resources/a~1b/x".into()));
    }
}
