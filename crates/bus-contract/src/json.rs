//! A small streaming JSON reader, plus the event value built from it.
//!
//! EventBridge validates patterns with a streaming (token by token) parser, and that choice is
//! visible to users: duplicate keys, the first error in document order, and the parser's own
//! error texts. This reader reproduces those texts for the common cases (the spec, §2.1), keeps
//! number tokens as their original text (§1.2 rule 8), and never recurses, so no input can
//! overflow the stack.

use std::fmt;

/// The nesting limit of the JSON parser EventBridge uses (Jackson's default since 2.15).
pub(crate) const MAX_NESTING: usize = 1000;

/// One token of a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    /// A member name; the reader has consumed the `:` after it.
    Name(String),
    String(String),
    /// A number, as written.
    Number(String),
    True,
    False,
    Null,
}

impl Token {
    /// The token's text, as the parser EventBridge uses prints it in messages.
    pub(crate) fn text(&self) -> String {
        match self {
            Token::StartObject => "{".into(),
            Token::EndObject => "}".into(),
            Token::StartArray => "[".into(),
            Token::EndArray => "]".into(),
            Token::Name(s) | Token::String(s) | Token::Number(s) => s.clone(),
            Token::True => "true".into(),
            Token::False => "false".into(),
            Token::Null => "null".into(),
        }
    }
}

/// A syntax error, with the 1-based line and column where the reader stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Inside an object; `true` once a member has been read.
    Object(bool),
    /// Inside an array; `true` once an element has been read.
    Array(bool),
}

/// Line and column (1-based, in characters) of a byte offset into `src`.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(src.len());
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    let before = &src[..end];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Pull reader over a JSON text. After the root value it returns `None`; any trailing text is
/// ignored, as the pattern parser EventBridge uses does.
pub(crate) struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    stack: Vec<(Frame, usize)>,
    root_done: bool,
    /// Whether the next token is a member value (right after a name).
    after_name: bool,
    /// Where the last member name began: its opening quote.
    name_start: usize,
}

const VALUE_LIST: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

impl<'a> Reader<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Reader {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            stack: Vec::new(),
            root_done: false,
            after_name: false,
            name_start: 0,
        }
    }

    /// Byte offset of the opening quote of the member name read last.
    pub(crate) fn name_start(&self) -> usize {
        self.name_start
    }

    /// Byte offset of the reader.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// Line and column (1-based, in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.src, offset)
    }

    pub(crate) fn error_at(&self, offset: usize, message: String) -> SyntaxError {
        let (line, column) = self.line_col(offset);
        SyntaxError {
            message,
            line,
            column,
        }
    }

    fn err(&self, message: String) -> SyntaxError {
        self.error_at(self.pos, message)
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Skips whitespace; a `/` there starts a comment, which strict JSON does not allow, and
    /// the parser EventBridge uses says so.
    fn skip_ws_checked(&mut self) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'/') {
            return Err(self.unexpected(
                '/',
                "maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)",
            ));
        }
        Ok(())
    }

    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn unexpected(&self, c: char, what: &str) -> SyntaxError {
        self.err(format!("Unexpected character ({}): {what}", char_desc(c)))
    }

    fn end_of_input(&self) -> SyntaxError {
        match self.stack.last() {
            Some((frame, start)) => {
                let kind = match frame {
                    Frame::Object(_) => "Object",
                    Frame::Array(_) => "Array",
                };
                let (line, column) = self.line_col(*start);
                self.err(format!(
                    "Unexpected end-of-input: expected close marker for {kind} (start marker at \
                     [Source: (String)\"{}\"; line: {line}, column: {column}])",
                    source_excerpt(self.src)
                ))
            }
            None => self.err("No content to map due to end-of-input".into()),
        }
    }

    fn mismatched_close(&self, got: char, want: char) -> SyntaxError {
        let (kind, start) = match self.stack.last() {
            Some((Frame::Object(_), start)) => ("Object", *start),
            Some((Frame::Array(_), start)) => ("Array", *start),
            None => ("root", 0),
        };
        let (line, column) = self.line_col(start);
        self.err(format!(
            "Unexpected close marker '{got}': expected '{want}' (for {kind} starting at [Source: (String)\"{}\"; \
             line: {line}, column: {column}])",
            source_excerpt(self.src)
        ))
    }

    /// The next token, `Ok(None)` after the root value.
    pub(crate) fn next(&mut self) -> Result<Option<Token>, SyntaxError> {
        if self.root_done {
            return Ok(None);
        }
        self.skip_ws_checked()?;
        if self.after_name {
            self.after_name = false;
            return self.value().map(Some);
        }
        match self.stack.last().copied() {
            None => self.value().map(Some),
            Some((Frame::Object(seen), _)) => {
                let Some(c) = self.peek_char() else {
                    return Err(self.end_of_input());
                };
                if c == '}' {
                    self.pos += 1;
                    self.pop();
                    return Ok(Some(Token::EndObject));
                }
                if c == ']' {
                    return Err(self.mismatched_close(']', '}'));
                }
                if seen {
                    if c != ',' {
                        return Err(
                            self.unexpected(c, "was expecting comma to separate Object entries")
                        );
                    }
                    self.pos += 1;
                    self.skip_ws_checked()?;
                }
                self.name_start = self.pos;
                self.name().map(Some)
            }
            Some((Frame::Array(seen), _)) => {
                let Some(c) = self.peek_char() else {
                    return Err(self.end_of_input());
                };
                if c == ']' {
                    self.pos += 1;
                    self.pop();
                    return Ok(Some(Token::EndArray));
                }
                if c == '}' {
                    return Err(self.mismatched_close('}', ']'));
                }
                if seen {
                    if c != ',' {
                        return Err(
                            self.unexpected(c, "was expecting comma to separate Array entries")
                        );
                    }
                    self.pos += 1;
                    self.skip_ws_checked()?;
                }
                if let Some(last) = self.stack.last_mut() {
                    last.0 = Frame::Array(true);
                }
                self.value().map(Some)
            }
        }
    }

    fn pop(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_done = true;
        }
    }

    fn name(&mut self) -> Result<Token, SyntaxError> {
        let Some(c) = self.peek_char() else {
            return Err(self.end_of_input());
        };
        if c != '"' {
            return Err(self.unexpected(c, "was expecting double-quote to start field name"));
        }
        let name = self.string()?;
        self.skip_ws_checked()?;
        match self.peek_char() {
            Some(':') => self.pos += 1,
            Some(c) => {
                return Err(
                    self.unexpected(c, "was expecting a colon to separate field name and value")
                );
            }
            None => return Err(self.end_of_input()),
        }
        if let Some(last) = self.stack.last_mut() {
            last.0 = Frame::Object(true);
        }
        self.after_name = true;
        Ok(Token::Name(name))
    }

    fn open(&mut self, frame: Frame) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_NESTING {
            return Err(self.err(format!(
                "Document nesting depth ({}) exceeds the maximum allowed ({MAX_NESTING}, from \
                 `StreamReadConstraints.getMaxNestingDepth()`)",
                self.stack.len() + 1
            )));
        }
        self.stack.push((frame, self.pos));
        self.pos += 1;
        Ok(())
    }

    fn scalar_done(&mut self) {
        if self.stack.is_empty() {
            self.root_done = true;
        }
    }

    fn value(&mut self) -> Result<Token, SyntaxError> {
        self.skip_ws_checked()?;
        let Some(c) = self.peek_char() else {
            return Err(self.end_of_input());
        };
        let token = match c {
            '{' => {
                self.open(Frame::Object(false))?;
                return Ok(Token::StartObject);
            }
            '[' => {
                self.open(Frame::Array(false))?;
                return Ok(Token::StartArray);
            }
            '"' => Token::String(self.string()?),
            '-' | '0'..='9' => Token::Number(self.number()?),
            ']' | '}' => return Err(self.unexpected(c, "expected a value")),
            c if is_ident_start(c) => self.literal()?,
            c => return Err(self.unexpected(c, &format!("expected a valid value {VALUE_LIST}"))),
        };
        self.scalar_done();
        Ok(token)
    }

    fn literal(&mut self) -> Result<Token, SyntaxError> {
        let start = self.pos;
        let rest = &self.src[start..];
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_ident_part(c))
            .map_or(rest.len(), |(i, _)| i);
        let word = &rest[..len];
        let token = match word {
            "true" => Token::True,
            "false" => Token::False,
            "null" => Token::Null,
            "NaN" | "Infinity" => {
                return Err(self.err(format!(
                    "Non-standard token '{word}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
                )));
            }
            _ => {
                return Err(self.error_at(
                    start + len,
                    format!("Unrecognized token '{word}': was expecting {VALUE_LIST}"),
                ));
            }
        };
        self.pos += len;
        Ok(token)
    }

    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        let b = self.bytes;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
            match b.get(i) {
                Some(b'0'..=b'9') => {}
                Some(_) if self.src[i..].starts_with("Infinity") => {
                    self.pos = i;
                    return Err(self.err(
                        "Non-standard token '-Infinity': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
                            .into(),
                    ));
                }
                Some(_) => {
                    self.pos = i;
                    let c = self.peek_char().unwrap_or('?');
                    return Err(self.err(format!(
                        "Unexpected character ({}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value",
                        char_desc(c)
                    )));
                }
                None => {
                    self.pos = i;
                    return Err(self.err("Unexpected end-of-input in numeric value".into()));
                }
            }
        }
        let int_start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i - int_start > 1 && b[int_start] == b'0' {
            self.pos = i;
            return Err(self.err("Invalid numeric value: Leading zeroes not allowed".into()));
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac = i;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
            if i == frac {
                self.pos = i;
                return Err(self.digit_expected("Decimal point not followed by a digit"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp = i;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
            if i == exp {
                self.pos = i;
                return Err(self.digit_expected("Exponent indicator not followed by a digit"));
            }
        }
        self.pos = i;
        Ok(self.src[start..i].to_string())
    }

    fn digit_expected(&self, what: &str) -> SyntaxError {
        match self.peek_char() {
            Some(c) => self.err(format!(
                "Unexpected character ({}) in numeric value: {what}",
                char_desc(c)
            )),
            None => self.err("Unexpected end-of-input in numeric value".into()),
        }
    }

    /// Reads a string token starting at the opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.pos..];
            // Copy the run of plain bytes in one go.
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            out.push_str(&self.src[self.pos..self.pos + run]);
            self.pos += run;
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.err(if self.after_name || self.stack.is_empty() {
                    "Unexpected end-of-input in VALUE_STRING".into()
                } else {
                    "Unexpected end-of-input: was expecting closing quote for a string value".into()
                }));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                _ => {
                    return Err(self.err(format!(
                        "Illegal unquoted character ((CTRL-CHAR, code {b})): has to be escaped using backslash to be included in string value"
                    )));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let Some(c) = self.peek_char() else {
            return Err(self.err("Unexpected end-of-input in character escape sequence".into()));
        };
        self.pos += c.len_utf8();
        let decoded = match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) && self.src[self.pos..].starts_with("\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        return Ok(());
                    }
                    self.pos = save;
                }
                // A lone surrogate cannot live in a Rust string; it becomes U+FFFD.
                char::from_u32(unit).unwrap_or('\u{FFFD}')
            }
            c => {
                return Err(self.err(format!("Unrecognized character escape {}", char_desc(c))));
            }
        };
        out.push(decoded);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0;
        for _ in 0..4 {
            let Some(c) = self.peek_char() else {
                return Err(self.err("Unexpected end-of-input in character escape sequence".into()));
            };
            let Some(d) = c.to_digit(16) else {
                return Err(
                    self.unexpected(c, "expected a hex-digit for character escape sequence")
                );
            };
            self.pos += c.len_utf8();
            v = v * 16 + d;
        }
        Ok(v)
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// How the parser EventBridge uses names a character in its messages.
fn char_desc(c: char) -> String {
    let code = c as u32;
    if c.is_control() {
        format!("(CTRL-CHAR, code {code})")
    } else if code > 255 {
        format!("'{c}' (code {code} / 0x{code:x})")
    } else {
        format!("'{c}' (code {code})")
    }
}

fn source_excerpt(src: &str) -> String {
    const MAX: usize = 500;
    let count = src.chars().count();
    if count <= MAX {
        src.to_string()
    } else {
        let head: String = src.chars().take(MAX).collect();
        format!("{head}\"[truncated {} chars]", count - MAX)
    }
}

/// A JSON value that keeps what EventBridge's matching needs and a DOM would lose: the text of
/// each number, and every member of an object even when a key repeats.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written in the source.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in document order, duplicates included.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Parses a complete JSON document. Text after the root value is an error here, unlike in
    /// patterns, because an event is a whole document.
    pub(crate) fn parse(src: &str) -> Result<Value, SyntaxError> {
        let mut reader = Reader::new(src);
        // Containers under construction; never recursive, so depth is bounded only by the
        // reader's nesting limit.
        enum Open {
            Array(Vec<Value>),
            Object(Vec<(String, Value)>, Option<String>),
        }
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let Some(token) = reader.next()? else {
                return Err(reader.end_of_input());
            };
            let done = match token {
                Token::StartObject => {
                    stack.push(Open::Object(Vec::new(), None));
                    continue;
                }
                Token::StartArray => {
                    stack.push(Open::Array(Vec::new()));
                    continue;
                }
                Token::Name(name) => {
                    if let Some(Open::Object(_, pending)) = stack.last_mut() {
                        *pending = Some(name);
                    }
                    continue;
                }
                Token::EndObject | Token::EndArray => match stack.pop() {
                    Some(Open::Array(items)) => Value::Array(items),
                    Some(Open::Object(members, _)) => Value::Object(members),
                    None => return Err(reader.err("Unexpected close marker".into())),
                },
                Token::String(s) => Value::String(s),
                Token::Number(n) => Value::Number(n),
                Token::True => Value::Bool(true),
                Token::False => Value::Bool(false),
                Token::Null => Value::Null,
            };
            match stack.last_mut() {
                None => {
                    reader.skip_ws();
                    if let Some(c) = reader.peek_char() {
                        return Err(
                            reader.unexpected(c, "expected end of input after the JSON value")
                        );
                    }
                    return Ok(done);
                }
                Some(Open::Array(items)) => items.push(done),
                Some(Open::Object(members, pending)) => {
                    let name = pending.take().unwrap_or_default();
                    members.push((name, done));
                }
            }
        }
    }

    /// The first member with this key, if this is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl Drop for Value {
    /// Drops deep values without recursion, so a deeply nested event cannot overflow the stack.
    fn drop(&mut self) {
        let mut pending: Vec<Value> = Vec::new();
        match self {
            Value::Array(items) if !items.is_empty() => pending.append(items),
            Value::Object(members) if !members.is_empty() => {
                pending.extend(members.drain(..).map(|(_, v)| v));
            }
            _ => return,
        }
        while let Some(mut v) = pending.pop() {
            match &mut v {
                Value::Array(items) => pending.append(items),
                Value::Object(members) => pending.extend(members.drain(..).map(|(_, v)| v)),
                _ => {}
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(n),
            Value::String(s) => write_json_string(f, s),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(members) => {
                f.write_str("{")?;
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_json_string(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Writes `s` as a JSON string literal.
pub(crate) fn write_json_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(src: &str) -> String {
        let mut r = Reader::new(src);
        loop {
            match r.next() {
                Ok(Some(_)) => {}
                Ok(None) => return "ok".into(),
                Err(e) => return e.message,
            }
        }
    }

    #[test]
    fn reader_reports_jackson_texts() {
        // EP-PAT-2
        assert_eq!(
            syntax("{'bad': 'quotation'}"),
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name"
        );
        assert_eq!(
            syntax("this is valid json but not a dict"),
            "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
        );
        assert_eq!(
            syntax(r#"{"a": [1, 2 3]}"#),
            "Unexpected character ('3' (code 51)): was expecting comma to separate Array entries"
        );
        assert_eq!(
            syntax(r#"{"a": "x\d"}"#),
            "Unrecognized character escape 'd' (code 100)"
        );
        assert_eq!(
            syntax(r#"{"a": [01]}"#),
            "Invalid numeric value: Leading zeroes not allowed"
        );
        assert_eq!(
            syntax(r#"{"a": [1,]}"#),
            "Unexpected character (']' (code 93)): expected a value"
        );
        assert!(
            syntax(r#"{"a": [1]"#)
                .starts_with("Unexpected end-of-input: expected close marker for Object")
        );
        assert_eq!(syntax(r#"{"a": [1]} trailing"#), "ok");
        assert_eq!(
            syntax(r#"{"a": [1}"#),
            r#"Unexpected close marker '}': expected ']' (for Array starting at [Source: (String)"{"a": [1}"; line: 1, column: 7])"#
        );
        assert_eq!(
            syntax(r#"{"a":["x"] /* c */}"#),
            "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"
        );
    }

    #[test]
    fn reader_limits_nesting_without_recursion() {
        let deep = "[".repeat(100_000);
        assert!(syntax(&deep).starts_with("Document nesting depth (1001) exceeds"));
    }

    #[test]
    fn value_keeps_number_text_and_duplicates() {
        let v = Value::parse(r#"{"a": 3.0e2, "a": [true, null, "x\u00e9"]}"#).unwrap();
        let Value::Object(members) = &v else { panic!() };
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].1, Value::Number("3.0e2".into()));
        assert_eq!(v.to_string(), r#"{"a":3.0e2,"a":[true,null,"xé"]}"#);
        assert!(Value::parse(r#"{"a":1} x"#).is_err());
    }
}
