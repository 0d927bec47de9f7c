//! The compiled form of a pattern: sub-rules of fields, each field a list of matchers.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::ip::{Cidr, Ip};
use crate::json::write_json_string;
use crate::pattern::text::{Folded, Wildcard};

/// One condition in a leaf list. A field is satisfied when any of its matchers accepts one of
/// the event's values at that path (spec §2.1).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matcher {
    /// A string literal; `ip` is set when the literal is an IP address, which EventBridge then
    /// compares as an address (spec §2.3).
    Exact {
        value: String,
        ip: Option<Ip>,
    },
    /// `{"exactly": "…"}`: a string literal without the address quirk.
    Exactly(String),
    /// A number literal; `value` is its comparable value, if it has one (spec §2.4).
    Number {
        text: String,
        value: Option<f64>,
    },
    Bool(bool),
    Null,
    Prefix(String),
    PrefixFolded(Folded, String),
    Suffix(String),
    SuffixFolded(Folded, String),
    EqualsIgnoreCase(Folded, String),
    Wildcard(Wildcard),
    AnythingBut(AnythingBut),
    Numeric(Range),
    Exists(bool),
    Cidr(Cidr, String),
}

/// What an `anything-but` excludes (spec §2.10).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AnythingBut {
    Strings(Vec<String>),
    /// Comparable values, with the numbers' texts for display.
    Numbers(Vec<(f64, String)>),
    Prefix(Vec<String>),
    Suffix(Vec<String>),
    EqualsIgnoreCase(Vec<(Folded, String)>),
    Wildcard(Vec<Wildcard>),
}

/// A numeric condition: an optional lower and upper bound, each with whether it is inclusive.
/// `=` is a range whose bounds are equal and inclusive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Range {
    pub(crate) low: Option<(f64, bool)>,
    pub(crate) high: Option<(f64, bool)>,
    /// The operator array as written, for display.
    pub(crate) text: String,
}

impl Range {
    pub(crate) fn contains(&self, v: f64) -> bool {
        let above = match self.low {
            Some((b, true)) => v >= b,
            Some((b, false)) => v > b,
            None => true,
        };
        let below = match self.high {
            Some((b, true)) => v <= b,
            Some((b, false)) => v < b,
            None => true,
        };
        above && below
    }
}

/// The matchers of one leaf list, with its plain string and number literals also kept in hash
/// sets, so that a long list costs one lookup per event value instead of a scan.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LeafList {
    pub(crate) matchers: Vec<Matcher>,
    /// Exact string literals that are not IP addresses.
    pub(crate) strings: HashSet<String>,
    /// Bit patterns of comparable number literals.
    pub(crate) numbers: HashSet<u64>,
    /// Indexes of the matchers not covered by the two sets.
    pub(crate) rest: Vec<usize>,
    pub(crate) has_exists_false: bool,
    /// The JSON pointer of the list in the pattern, and the byte offset of its member name's
    /// opening quote in the pattern's text: where findings about the condition point.
    pub(crate) pointer: String,
    pub(crate) offset: Option<usize>,
}

impl LeafList {
    pub(crate) fn new(matchers: Vec<Matcher>) -> Self {
        let mut list = LeafList {
            strings: HashSet::new(),
            numbers: HashSet::new(),
            rest: Vec::new(),
            has_exists_false: matchers.contains(&Matcher::Exists(false)),
            matchers: Vec::new(),
            pointer: String::new(),
            offset: None,
        };
        for (i, m) in matchers.iter().enumerate() {
            match m {
                Matcher::Exact { value, ip: None } => {
                    list.strings.insert(value.clone());
                }
                Matcher::Number { value: Some(v), .. } => {
                    list.numbers.insert(v.to_bits());
                }
                _ => list.rest.push(i),
            }
        }
        list.matchers = matchers;
        list
    }
}

/// One path of a sub-rule and its leaf list. Leaf lists are shared between the sub-rules that
/// `$or` expansion clones.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The path, member names joined with `.` as EventBridge joins them (spec §1.3).
    pub(crate) path: String,
    pub(crate) list: Arc<LeafList>,
}

/// One conjunctive branch of a pattern after `$or` expansion. Fields are sorted by path in
/// UTF-16 order, the order EventBridge's engine visits them in (spec §3.3).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubRule {
    pub(crate) fields: Vec<Field>,
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[String]) -> fmt::Result {
    if let [one] = items {
        return write_json_string(f, one);
    }
    f.write_str("[")?;
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write_json_string(f, s)?;
    }
    f.write_str("]")
}

impl fmt::Display for Matcher {
    /// The matcher in pattern syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Exact { value, .. } => write_json_string(f, value),
            Matcher::Exactly(s) => {
                f.write_str("{\"exactly\":")?;
                write_json_string(f, s)?;
                f.write_str("}")
            }
            Matcher::Number { text, .. } => f.write_str(text),
            Matcher::Bool(b) => write!(f, "{b}"),
            Matcher::Null => f.write_str("null"),
            Matcher::Prefix(s) => {
                f.write_str("{\"prefix\":")?;
                write_json_string(f, s)?;
                f.write_str("}")
            }
            Matcher::PrefixFolded(_, s) => {
                f.write_str("{\"prefix\":{\"equals-ignore-case\":")?;
                write_json_string(f, s)?;
                f.write_str("}}")
            }
            Matcher::Suffix(s) => {
                f.write_str("{\"suffix\":")?;
                write_json_string(f, s)?;
                f.write_str("}")
            }
            Matcher::SuffixFolded(_, s) => {
                f.write_str("{\"suffix\":{\"equals-ignore-case\":")?;
                write_json_string(f, s)?;
                f.write_str("}}")
            }
            Matcher::EqualsIgnoreCase(_, s) => {
                f.write_str("{\"equals-ignore-case\":")?;
                write_json_string(f, s)?;
                f.write_str("}")
            }
            Matcher::Wildcard(w) => {
                f.write_str("{\"wildcard\":")?;
                write_json_string(f, w.source())?;
                f.write_str("}")
            }
            Matcher::AnythingBut(a) => {
                f.write_str("{\"anything-but\":")?;
                match a {
                    AnythingBut::Strings(v) => write_list(f, v)?,
                    AnythingBut::Numbers(v) => {
                        let texts: Vec<&str> = v.iter().map(|(_, t)| t.as_str()).collect();
                        if let [one] = texts.as_slice() {
                            f.write_str(one)?;
                        } else {
                            write!(f, "[{}]", texts.join(","))?;
                        }
                    }
                    AnythingBut::Prefix(v) => {
                        f.write_str("{\"prefix\":")?;
                        write_list(f, v)?;
                        f.write_str("}")?;
                    }
                    AnythingBut::Suffix(v) => {
                        f.write_str("{\"suffix\":")?;
                        write_list(f, v)?;
                        f.write_str("}")?;
                    }
                    AnythingBut::EqualsIgnoreCase(v) => {
                        f.write_str("{\"equals-ignore-case\":")?;
                        let texts: Vec<String> = v.iter().map(|(_, t)| t.clone()).collect();
                        write_list(f, &texts)?;
                        f.write_str("}")?;
                    }
                    AnythingBut::Wildcard(v) => {
                        f.write_str("{\"wildcard\":")?;
                        let texts: Vec<String> = v.iter().map(|w| w.source().to_string()).collect();
                        write_list(f, &texts)?;
                        f.write_str("}")?;
                    }
                }
                f.write_str("}")
            }
            Matcher::Numeric(r) => write!(f, "{{\"numeric\":{}}}", r.text),
            Matcher::Exists(b) => write!(f, "{{\"exists\":{b}}}"),
            Matcher::Cidr(_, s) => {
                f.write_str("{\"cidr\":")?;
                write_json_string(f, s)?;
                f.write_str("}")
            }
        }
    }
}
