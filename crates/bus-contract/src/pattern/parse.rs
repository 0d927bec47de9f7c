//! Pattern text → sub-rules, in one streaming pass.
//!
//! The pass mirrors how EventBridge validates: token by token, so the *first* problem in
//! document order is the one reported (spec §2.14), a repeated leaf key replaces the earlier
//! one while a repeated object key merges (§2.2), and `$or` clones the sub-rules seen so far
//! once per branch (§2.13.1).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ip::{Cidr, parse_ip};
use crate::json::{Reader, Token};
use crate::number::NumericProfile;
use crate::pattern::ast::{AnythingBut, Field, LeafList, Matcher, Range, SubRule};
use crate::pattern::error::{PatternError, PatternErrorKind};
use crate::pattern::text::{Folded, Wildcard};
use crate::pattern::{Options, complexity};

/// Field names that may not appear anywhere inside a `$or` branch (spec §2.13.2).
const RESERVED: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

type Rules = Vec<BTreeMap<String, Arc<LeafList>>>;

/// Compiles pattern text into sorted sub-rules.
pub(crate) fn parse(text: &str, options: &Options) -> Result<Vec<SubRule>> {
    if let Some(max) = options.max_pattern_size {
        let size = text.encode_utf16().count();
        if size > max {
            return Err(PatternError::new(
                PatternErrorKind::TooLarge,
                format!("Event pattern is {size} characters long, more than the maximum of {max}"),
                1,
                1,
                String::new(),
            ));
        }
    }
    let mut c = Compiler {
        reader: Reader::new(text),
        pointer: Vec::new(),
        max_combinations: options.max_combinations,
        profile: options.numeric_profile,
        quirks: options.unicode_case_quirks,
    };
    let rules = c.root()?;
    let rules: Vec<SubRule> = rules
        .into_iter()
        .map(|m| {
            let mut fields: Vec<Field> = m
                .into_iter()
                .map(|(path, list)| Field { path, list })
                .collect();
            fields.sort_by(|a, b| a.path.encode_utf16().cmp(b.path.encode_utf16()));
            SubRule { fields }
        })
        .collect();
    if let Some(limit) = options.max_wildcard_complexity {
        if complexity::exceeds(&rules, limit) {
            return Err(PatternError::new(
                PatternErrorKind::TooComplex,
                "Rule is too complex - try using fewer wildcard characters or fewer repeating character \
                 sequences after a wildcard character"
                    .into(),
                1,
                1,
                String::new(),
            ));
        }
    }
    Ok(rules)
}

/// Where an object's sub-rules go when it closes.
#[derive(Debug, Clone, Copy)]
enum ObjectKind {
    /// The pattern itself: its sub-rules are the result.
    Root,
    /// A member's value: its sub-rules replace the enclosing object's.
    Nested,
    /// A `$or` branch: its sub-rules join the `$or`'s output.
    Branch,
}

/// A container being read.
enum Frame {
    /// An object, with the working set of sub-rules its fields are added to.
    Object {
        prefix: String,
        in_or: bool,
        empty: bool,
        rules: Rules,
        kind: ObjectKind,
    },
    /// A `$or` array: each branch starts from `base`, the sub-rules before the `$or`.
    Or {
        prefix: String,
        base: Rules,
        out: Rules,
        branches: usize,
    },
}

struct Compiler<'a> {
    reader: Reader<'a>,
    /// JSON pointer segments of the value being read, for error locations.
    pointer: Vec<String>,
    max_combinations: usize,
    profile: NumericProfile,
    quirks: bool,
}

type Result<T> = std::result::Result<T, PatternError>;

impl Compiler<'_> {
    fn fail<T>(&self, reason: impl Into<String>) -> Result<T> {
        Err(self.error(PatternErrorKind::Invalid, reason.into()))
    }

    fn error(&self, kind: PatternErrorKind, reason: String) -> PatternError {
        let (line, column) = self.reader.line_col(self.reader.offset());
        PatternError::new(kind, reason, line, column, self.pointer_text())
    }

    /// The JSON pointer of the value being read.
    fn pointer_text(&self) -> String {
        self.pointer
            .iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }

    fn next(&mut self) -> Result<Token> {
        match self.reader.next() {
            Ok(Some(t)) => Ok(t),
            // The reader only returns `None` after the root value, and the compiler stops
            // asking once the root object closes.
            Ok(None) => Err(self.error(PatternErrorKind::Syntax, "Unexpected end-of-input".into())),
            Err(e) => Err(PatternError::new(
                PatternErrorKind::Syntax,
                e.message,
                e.line,
                e.column,
                String::new(),
            )),
        }
    }

    /// Reads the whole pattern. Objects and `$or` arrays nest without limit in the grammar, so
    /// they are walked with an explicit stack rather than by recursion: a deep pattern meets
    /// the reader's nesting limit, never the end of the thread's stack.
    fn root(&mut self) -> Result<Rules> {
        match self.next()? {
            Token::StartObject => {}
            _ => return self.fail("Filter is not an object"),
        }
        let mut stack = vec![Frame::Object {
            prefix: String::new(),
            in_or: false,
            empty: true,
            rules: vec![BTreeMap::new()],
            kind: ObjectKind::Root,
        }];
        loop {
            let Some(top) = stack.last_mut() else {
                return self.fail("Unexpected end-of-input");
            };
            match top {
                Frame::Object {
                    prefix,
                    in_or,
                    empty,
                    rules,
                    ..
                } => {
                    let name = match self.next()? {
                        Token::EndObject if *empty => {
                            return self.fail("Empty objects are not allowed");
                        }
                        Token::EndObject => {
                            let Some(Frame::Object { rules, kind, .. }) = stack.pop() else {
                                unreachable!("invariant: the top frame is an object")
                            };
                            match (kind, stack.last_mut()) {
                                (ObjectKind::Root, _) => return Ok(rules),
                                (ObjectKind::Nested, Some(Frame::Object { rules: parent, .. })) => {
                                    *parent = rules;
                                }
                                (ObjectKind::Branch, Some(Frame::Or { out, branches, .. })) => {
                                    *branches += 1;
                                    if out.len() + rules.len() > self.max_combinations {
                                        return Err(self.error(
                                            PatternErrorKind::TooManyCombinations,
                                            format!(
                                                "The use of $or results in more than {} rule combinations",
                                                self.max_combinations
                                            ),
                                        ));
                                    }
                                    out.extend(rules);
                                }
                                _ => unreachable!(
                                    "invariant: nested objects sit in objects, branches in $or"
                                ),
                            }
                            self.pointer.pop();
                            continue;
                        }
                        Token::Name(name) => name,
                        other => return self.fail(format!("Unexpected token {}", other.text())),
                    };
                    *empty = false;
                    // Where the member name begins; its line and column are worked out only
                    // when a finding needs them.
                    let name_at = self.reader.name_start();
                    self.pointer.push(name.clone());
                    if name == "$or" {
                        match self.next()? {
                            Token::StartArray => {}
                            _ => return self.fail("It must be an Array followed with $or."),
                        }
                        let frame = Frame::Or {
                            prefix: prefix.clone(),
                            base: std::mem::take(rules),
                            out: Vec::new(),
                            branches: 0,
                        };
                        stack.push(frame);
                        continue;
                    }
                    if *in_or && RESERVED.contains(&name.as_str()) {
                        return self.fail(format!(
                            "{name} is Ruler reserved fieldName which cannot be used inside $or."
                        ));
                    }
                    let path = if prefix.is_empty() {
                        name.clone()
                    } else {
                        format!("{prefix}.{name}")
                    };
                    match self.next()? {
                        Token::StartObject => {
                            let frame = Frame::Object {
                                prefix: path,
                                in_or: *in_or,
                                empty: true,
                                rules: std::mem::take(rules),
                                kind: ObjectKind::Nested,
                            };
                            stack.push(frame);
                        }
                        Token::StartArray => {
                            let mut list = LeafList::new(self.leaf_list()?);
                            list.pointer = self.pointer_text();
                            list.offset = Some(name_at);
                            let list = Arc::new(list);
                            for rule in rules.iter_mut() {
                                rule.insert(path.clone(), Arc::clone(&list));
                            }
                            self.pointer.pop();
                        }
                        _ => return self.fail(format!("\"{name}\" must be an object or an array")),
                    }
                }
                Frame::Or {
                    prefix,
                    base,
                    out,
                    branches,
                } => match self.next()? {
                    Token::EndArray => {
                        if *branches < 2 {
                            return self
                                .fail("There must have at least 2 Objects in $or relationship.");
                        }
                        let out = std::mem::take(out);
                        stack.pop();
                        if let Some(Frame::Object { rules, .. }) = stack.last_mut() {
                            *rules = out;
                        }
                        self.pointer.pop();
                    }
                    Token::StartObject => {
                        self.pointer.push(branches.to_string());
                        let frame = Frame::Object {
                            prefix: prefix.clone(),
                            in_or: true,
                            empty: true,
                            rules: base.clone(),
                            kind: ObjectKind::Branch,
                        };
                        stack.push(frame);
                    }
                    _ => {
                        return self
                            .fail("Only JSON object is allowed in array of $or relationship.");
                    }
                },
            }
        }
    }

    /// Reads a leaf list whose `[` was just read.
    fn leaf_list(&mut self) -> Result<Vec<Matcher>> {
        let mut out = Vec::new();
        loop {
            self.pointer.push(out.len().to_string());
            let m = match self.next()? {
                Token::EndArray if out.is_empty() => {
                    self.pointer.pop();
                    return self.fail("Empty arrays are not allowed");
                }
                Token::EndArray => {
                    self.pointer.pop();
                    return Ok(out);
                }
                Token::String(value) => {
                    let ip = parse_ip(&value);
                    Matcher::Exact { value, ip }
                }
                Token::Number(text) => Matcher::Number {
                    value: self.profile.comparable(&text),
                    text,
                },
                Token::True => Matcher::Bool(true),
                Token::False => Matcher::Bool(false),
                Token::Null => Matcher::Null,
                Token::StartObject => self.match_expression()?,
                _ => return self.fail("Match value must be String, number, true, false, or null"),
            };
            self.pointer.pop();
            out.push(m);
        }
    }

    fn string_or(&mut self, reason: &str) -> Result<String> {
        match self.next()? {
            Token::String(s) => Ok(s),
            _ => self.fail(reason),
        }
    }

    /// Reads a match expression whose `{` was just read, up to and including its `}`.
    fn match_expression(&mut self) -> Result<Matcher> {
        let name = match self.next()? {
            Token::Name(n) => n,
            _ => return self.fail("Match expression name not found"),
        };
        let m = match name.as_str() {
            "prefix" => self.prefix_or_suffix(true)?,
            "suffix" => self.prefix_or_suffix(false)?,
            "equals-ignore-case" => {
                let s = self.string_or("equals-ignore-case match pattern must be a string")?;
                Matcher::EqualsIgnoreCase(Folded::with_quirks(&s, self.quirks), s)
            }
            "wildcard" => {
                let s = self.string_or("wildcard match pattern must be a string")?;
                Matcher::Wildcard(self.wildcard(&s)?)
            }
            "exactly" => Matcher::Exactly(self.string_or("exact match pattern must be a string")?),
            "anything-but" => Matcher::AnythingBut(self.anything_but()?),
            "numeric" => Matcher::Numeric(self.numeric()?),
            "exists" => match self.next()? {
                Token::True => Matcher::Exists(true),
                Token::False => Matcher::Exists(false),
                _ => return self.fail("exists match pattern must be either true or false."),
            },
            "cidr" => {
                let s = self.string_or("prefix match pattern must be a string")?;
                match Cidr::parse(&s) {
                    Ok(c) => Matcher::Cidr(c, s),
                    Err(reason) => return self.fail(reason),
                }
            }
            other => return self.fail(format!("Unrecognized match type {other}")),
        };
        match self.next()? {
            Token::EndObject => Ok(m),
            _ if matches!(name.as_str(), "anything-but" | "numeric") => {
                self.fail("Too many elements in numeric expression")
            }
            _ => self.fail("Only one key allowed in match expression"),
        }
    }

    fn wildcard(&self, s: &str) -> Result<Wildcard> {
        Wildcard::parse(s).or_else(|reason| self.fail(reason))
    }

    fn prefix_or_suffix(&mut self, prefix: bool) -> Result<Matcher> {
        let (word, cap) = if prefix {
            ("prefix", "Prefix")
        } else {
            ("suffix", "Suffix")
        };
        match self.next()? {
            Token::String(s) => Ok(if prefix {
                Matcher::Prefix(s)
            } else {
                Matcher::Suffix(s)
            }),
            Token::StartObject => {
                let s = match self.next()? {
                    Token::Name(n) if n == "equals-ignore-case" => {
                        self.string_or("equals-ignore-case match pattern must be a string")?
                    }
                    Token::Name(n) => return self.fail(format!("Unsupported {word} pattern: {n}")),
                    _ => return self.fail(format!("{cap} expression name not found")),
                };
                match self.next()? {
                    Token::EndObject => {}
                    _ => return self.fail("Only one key allowed in match expression"),
                }
                let folded = Folded::with_quirks(&s, self.quirks);
                Ok(if prefix {
                    Matcher::PrefixFolded(folded, s)
                } else {
                    Matcher::SuffixFolded(folded, s)
                })
            }
            _ => self.fail(format!("{word} match pattern must be a string")),
        }
    }

    fn anything_but(&mut self) -> Result<AnythingBut> {
        const NOT_VALUE: &str =
            "Value of anything-but must be an array or single string/number value.";
        const MIXED: &str = "Inside anything but list, either all values are number or string, mixed type is not supported";
        match self.next()? {
            Token::String(s) => Ok(AnythingBut::Strings(vec![s])),
            Token::Number(t) => Ok(AnythingBut::Numbers(vec![(self.comparable(&t)?, t)])),
            Token::StartArray => {
                let mut strings = Vec::new();
                let mut numbers = Vec::new();
                loop {
                    match self.next()? {
                        Token::EndArray => break,
                        Token::String(s) if numbers.is_empty() => strings.push(s),
                        Token::Number(t) if strings.is_empty() => {
                            numbers.push((self.comparable(&t)?, t))
                        }
                        Token::String(_) | Token::Number(_) => return self.fail(MIXED),
                        _ => {
                            return self.fail(
                                "Inside anything but list, start|null|boolean is not supported.",
                            );
                        }
                    }
                }
                if !numbers.is_empty() {
                    Ok(AnythingBut::Numbers(numbers))
                } else if !strings.is_empty() {
                    Ok(AnythingBut::Strings(strings))
                } else {
                    self.fail(MIXED)
                }
            }
            Token::StartObject => {
                let name = match self.next()? {
                    Token::Name(n) => n,
                    _ => return self.fail("Anything-But expression name not found"),
                };
                let inner = match name.as_str() {
                    "prefix" | "suffix" => {
                        let list = self.string_values(
                            "prefix/suffix match pattern must be a string",
                            Some(NOT_VALUE),
                        )?;
                        if list.iter().any(String::is_empty) {
                            return self.fail("Null prefix/suffix not allowed");
                        }
                        if name == "prefix" {
                            AnythingBut::Prefix(list)
                        } else {
                            AnythingBut::Suffix(list)
                        }
                    }
                    "equals-ignore-case" => {
                        let list = self.string_values(
                            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
                            None,
                        )?;
                        AnythingBut::EqualsIgnoreCase(
                            list.into_iter()
                                .map(|s| (Folded::with_quirks(&s, self.quirks), s))
                                .collect(),
                        )
                    }
                    "wildcard" => {
                        let list =
                            self.string_values("wildcard match pattern must be a string", None)?;
                        let mut out = Vec::with_capacity(list.len());
                        for s in &list {
                            out.push(self.wildcard(s)?);
                        }
                        AnythingBut::Wildcard(out)
                    }
                    other => {
                        return self.fail(format!("Unsupported anything-but pattern: {other}"));
                    }
                };
                match self.next()? {
                    Token::EndObject => Ok(inner),
                    _ => self.fail("Too many elements in numeric expression"),
                }
            }
            _ => self.fail(NOT_VALUE),
        }
    }

    /// A string or a non-empty list of strings, inside `anything-but`. `object_reason` is the
    /// reason when the value is an object, if it differs from `reason`.
    fn string_values(&mut self, reason: &str, object_reason: Option<&str>) -> Result<Vec<String>> {
        match self.next()? {
            Token::String(s) => Ok(vec![s]),
            Token::StartArray => {
                let mut out = Vec::new();
                loop {
                    match self.next()? {
                        Token::EndArray => break,
                        Token::String(s) => out.push(s),
                        _ => return self.fail(reason),
                    }
                }
                if out.is_empty() {
                    // EventBridge's engine accepts an empty list here and then fails at match
                    // time; we reject it up front (see the README's divergences).
                    return self.fail("Empty arrays are not allowed");
                }
                Ok(out)
            }
            Token::StartObject => self.fail(object_reason.unwrap_or(reason)),
            _ => self.fail(reason),
        }
    }

    fn comparable(&self, text: &str) -> Result<f64> {
        self.profile
            .operand(text)
            .or_else(|reason| self.fail(reason))
    }

    /// A numeric operand: its comparable value and its text.
    fn operand(&mut self, op: &str) -> Result<(f64, String)> {
        match self.next()? {
            Token::Number(t) => Ok((self.comparable(&t)?, t)),
            _ if op == "=" => self.fail("Value of equals must be numeric"),
            _ => self.fail(format!("Value of {op} must be numeric")),
        }
    }

    fn numeric(&mut self) -> Result<Range> {
        match self.next()? {
            Token::StartArray => {}
            _ => return self.fail("Value of numeric must be an array."),
        }
        let op = match self.next()? {
            Token::String(s) => s,
            other => {
                return self.fail(format!("Invalid member in numeric match: {}", other.text()));
            }
        };
        if !matches!(op.as_str(), "=" | "<" | "<=" | ">" | ">=") {
            return self.fail(format!("Unrecognized numeric range operator: {op}"));
        }
        let (v, v_text) = self.operand(&op)?;
        let text = format!("[\"{op}\",{v_text}]");
        let range = match op.as_str() {
            "=" => Range {
                low: Some((v, true)),
                high: Some((v, true)),
                text,
            },
            "<" | "<=" => Range {
                low: None,
                high: Some((v, op == "<=")),
                text,
            },
            _ => {
                let low = Some((v, op == ">="));
                match self.next()? {
                    Token::EndArray => {
                        return Ok(Range {
                            low,
                            high: None,
                            text,
                        });
                    }
                    Token::String(op2) => {
                        if !matches!(op2.as_str(), "<" | "<=") {
                            return self.fail(format!("Bad numeric range operator: {op2}"));
                        }
                        let (top, top_text) = self.operand(&op2)?;
                        match self.next()? {
                            Token::EndArray => {}
                            _ => return self.fail("Too many terms in numeric range expression"),
                        }
                        if v >= top {
                            return self.fail("Bottom must be less than top");
                        }
                        return Ok(Range {
                            low,
                            high: Some((top, op2 == "<=")),
                            text: format!("[\"{op}\",{v_text},\"{op2}\",{top_text}]"),
                        });
                    }
                    other => {
                        return self.fail(format!("Bad value in numeric range: {}", other.text()));
                    }
                }
            }
        };
        match self.next()? {
            Token::EndArray => Ok(range),
            _ => self.fail("Too many elements in numeric expression"),
        }
    }
}
