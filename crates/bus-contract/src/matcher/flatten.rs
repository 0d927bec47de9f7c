//! Event bytes → leaves, without building a DOM.
//!
//! The flattener walks the event once. At each member it looks the joined path up in the
//! matcher's table of path prefixes: members no pattern names are skipped by a byte scan that
//! only tracks strings and brackets, without parsing numbers or unescaping strings. That is
//! what makes matching cheaper than parsing: in a typical event most bytes are in subtrees no
//! rule looks at. The price is that skipped bytes are not validated; events that EventBridge
//! accepted (archives, exports) are valid JSON anyway.

use crate::event::EventError;
use crate::json::MAX_NESTING;

/// How a path (a joined prefix of some pattern path) is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Interest {
    /// The path's id, when some pattern tests values at exactly this path.
    pub(crate) path: Option<u32>,
    /// Whether some pattern path continues below this one.
    pub(crate) descend: bool,
}

/// The kind of a leaf value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Number,
    True,
    False,
    Null,
}

/// One leaf: its path, its kind, where its text is (in the event, or in the scratch buffer of
/// unescaped strings), and its array trail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leaf {
    pub(crate) path: u32,
    pub(crate) kind: Kind,
    pub(crate) unescaped: bool,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) trail_start: u32,
    pub(crate) trail_end: u32,
}

/// Reusable buffers: after the first events of a stream, flattening allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    pub(crate) leaves: Vec<Leaf>,
    /// All leaves' trails, back to back: (array id, element index).
    pub(crate) trails: Vec<(u32, u32)>,
    /// Unescaped strings, back to back.
    pub(crate) text: Vec<u8>,
    /// The current path, as bytes: keys are compared with pattern paths, never decoded.
    path: Vec<u8>,
    key: Vec<u8>,
    trail: Vec<(u32, u32)>,
    stack: Vec<Frame>,
    /// Early stop: how many distinct paths to see (0: read everything), which were seen in
    /// this event (`seen[path] == epoch`), how many, and how many arrays are open.
    pub(crate) stop_after: u32,
    seen: Vec<u32>,
    epoch: u32,
    seen_count: u32,
    arrays_open: u32,
    done: bool,
}

/// Bytes the skip loop must look at: quotes, backslashes and brackets.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t
};

#[derive(Debug, Clone, Copy)]
enum Frame {
    Object {
        base: usize,
        nested: bool,
        first: bool,
    },
    Array {
        interest: Interest,
        first: bool,
        id: u32,
        index: u32,
        trail_len: usize,
    },
}

fn syntax(pos: usize, message: &str) -> EventError {
    EventError::Syntax {
        message: message.to_string(),
        line: 1,
        column: pos + 1,
    }
}

struct Scan<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Scan<'_> {
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips a string whose opening quote is at `pos`; returns the content's end and whether
    /// it has escapes.
    #[inline]
    fn string_end(&mut self) -> Result<(usize, bool), EventError> {
        let start = self.pos;
        self.pos += 1;
        let mut escaped = false;
        loop {
            match self.b.get(self.pos) {
                Some(b'"') => {
                    let end = self.pos;
                    self.pos += 1;
                    return Ok((end, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(c) if *c < 0x20 => {
                    return Err(syntax(self.pos, "control character in a string"));
                }
                Some(_) => self.pos += 1,
                None => return Err(syntax(start, "unterminated string")),
            }
        }
    }

    /// Before a member or element of a container closed by `close`: `true` (and consumed)
    /// when the container ends here, `false` when a member follows (its comma consumed).
    #[inline]
    fn next_member(&mut self, first: &mut bool, close: u8) -> Result<bool, EventError> {
        match self.peek() {
            Some(c) if c == close => {
                self.pos += 1;
                return Ok(true);
            }
            Some(b',') if !*first => {
                self.pos += 1;
                self.ws();
            }
            _ if *first => {}
            _ => {
                return Err(syntax(
                    self.pos,
                    if close == b'}' {
                        "expected , or }"
                    } else {
                        "expected , or ]"
                    },
                ));
            }
        }
        *first = false;
        Ok(false)
    }

    /// Skips one value without looking inside it beyond strings and brackets.
    fn skip_value(&mut self) -> Result<(), EventError> {
        self.ws();
        match self.peek() {
            Some(b'"') => self.string_end().map(|_| ()),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    // Most bytes of a skipped subtree are neither quotes nor brackets.
                    while self.b.get(self.pos).is_some_and(|&c| !SPECIAL[c as usize]) {
                        self.pos += 1;
                    }
                    match self.b.get(self.pos) {
                        Some(b'{' | b'[') => {
                            depth += 1;
                            if depth > MAX_NESTING {
                                return Err(syntax(self.pos, "nesting deeper than 1000 levels"));
                            }
                            self.pos += 1;
                        }
                        Some(b'}' | b']') => {
                            depth -= 1;
                            self.pos += 1;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        Some(b'"') => {
                            self.string_end()?;
                        }
                        Some(_) => self.pos += 1,
                        None => return Err(syntax(self.pos, "unexpected end of the event")),
                    }
                }
            }
            Some(_) => {
                let start = self.pos;
                while let Some(&c) = self.b.get(self.pos) {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(syntax(self.pos, "expected a value"));
                }
                Ok(())
            }
            None => Err(syntax(self.pos, "unexpected end of the event")),
        }
    }

    /// Reads a scalar at `pos`: its kind and its text range (for strings, the content).
    fn scalar(&mut self) -> Result<(Kind, usize, usize, bool), EventError> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                let (end, escaped) = self.string_end()?;
                Ok((Kind::String, start + 1, end, escaped))
            }
            Some(b't') if self.b[start..].starts_with(b"true") => {
                self.pos += 4;
                Ok((Kind::True, start, self.pos, false))
            }
            Some(b'f') if self.b[start..].starts_with(b"false") => {
                self.pos += 5;
                Ok((Kind::False, start, self.pos, false))
            }
            Some(b'n') if self.b[start..].starts_with(b"null") => {
                self.pos += 4;
                Ok((Kind::Null, start, self.pos, false))
            }
            Some(b'-' | b'0'..=b'9') => {
                while let Some(&c) = self.b.get(self.pos) {
                    if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Ok((Kind::Number, start, self.pos, false))
            }
            _ => Err(syntax(start, "expected a value")),
        }
    }
}

/// Unescapes a JSON string's content into `out`; `false` if an escape is malformed.
pub(crate) fn unescape(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = raw.get(i + 1) else {
            return false;
        };
        i += 2;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = |s: &[u8]| -> Option<u32> {
                    u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
                };
                let Some(unit) = raw.get(i..i + 4).and_then(hex) else {
                    return false;
                };
                i += 4;
                if (0xD800..0xDC00).contains(&unit) && raw.get(i..i + 2) == Some(b"\\u") {
                    if let Some(low) = raw
                        .get(i + 2..i + 6)
                        .and_then(hex)
                        .filter(|l| (0xDC00..0xE000).contains(l))
                    {
                        i += 6;
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            .unwrap_or('\u{FFFD}')
                    } else {
                        '\u{FFFD}'
                    }
                } else {
                    char::from_u32(unit).unwrap_or('\u{FFFD}')
                }
            }
            _ => return false,
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    true
}

/// Flattens `event` into `buf.leaves`, looking paths up with `lookup`.
pub(crate) fn flatten(
    event: &[u8],
    buf: &mut Buffers,
    lookup: &dyn Fn(&[u8]) -> Interest,
) -> Result<(), EventError> {
    buf.leaves.clear();
    buf.trails.clear();
    buf.text.clear();
    buf.path.clear();
    buf.trail.clear();
    buf.stack.clear();
    buf.epoch = buf.epoch.wrapping_add(1);
    if buf.epoch == 0 {
        buf.seen.iter_mut().for_each(|e| *e = 0);
        buf.epoch = 1;
    }
    buf.seen_count = 0;
    buf.arrays_open = 0;
    buf.done = false;
    let mut s = Scan { b: event, pos: 0 };
    s.ws();
    if s.peek() != Some(b'{') {
        return Err(EventError::NotAnObject);
    }
    s.pos += 1;
    buf.stack.push(Frame::Object {
        base: 0,
        nested: false,
        first: true,
    });
    let mut next_array: u32 = 0;
    while let Some(frame) = buf.stack.last_mut() {
        s.ws();
        match frame {
            Frame::Object {
                base,
                nested,
                first,
            } => {
                let (base, nested) = (*base, *nested);
                if s.next_member(first, b'}')? {
                    // Back to the object's own path, for the container around it.
                    buf.path.truncate(base);
                    buf.stack.pop();
                    close_container(&mut buf.stack, &mut buf.path, &mut buf.trail);
                    continue;
                }
                if s.peek() != Some(b'"') {
                    return Err(syntax(s.pos, "expected a member name"));
                }
                let key_start = s.pos + 1;
                let (key_end, escaped) = s.string_end()?;
                s.ws();
                if s.peek() != Some(b':') {
                    return Err(syntax(s.pos, "expected :"));
                }
                s.pos += 1;
                s.ws();
                // The member's joined path.
                buf.path.truncate(base);
                if nested {
                    buf.path.push(b'.');
                }
                let raw = &event[key_start..key_end];
                let key: &[u8] = if escaped {
                    buf.key.clear();
                    if !unescape(raw, &mut buf.key) {
                        return Err(syntax(key_start, "invalid escape in a member name"));
                    }
                    &buf.key
                } else {
                    raw
                };
                // Not decoded: a key that names no pattern path is skipped like any unnamed
                // bytes, and one that does is valid UTF-8, since pattern paths are.
                buf.path.extend_from_slice(key);
                let interest = lookup(&buf.path);
                value(&mut s, event, buf, interest, &mut next_array)?;
                if buf.done {
                    return Ok(());
                }
            }
            Frame::Array {
                interest, first, ..
            } => {
                let interest = *interest;
                if s.next_member(first, b']')? {
                    buf.arrays_open -= 1;
                    buf.stack.pop();
                    close_container(&mut buf.stack, &mut buf.path, &mut buf.trail);
                    continue;
                }
                value(&mut s, event, buf, interest, &mut next_array)?;
                if buf.done {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// After a container closes: the enclosing array moves to its next element, and the path and
/// trail return to the enclosing container's.
fn close_container(stack: &mut [Frame], path: &mut Vec<u8>, trail: &mut Vec<(u32, u32)>) {
    match stack.last_mut() {
        Some(Frame::Array {
            index, trail_len, ..
        }) => {
            trail.truncate(*trail_len);
            *index += 1;
        }
        Some(Frame::Object { base, .. }) => path.truncate(*base),
        None => {}
    }
}

/// Reads the value at `s.pos`, whose path is `buf.path` and whose use is `interest`.
fn value(
    s: &mut Scan<'_>,
    event: &[u8],
    buf: &mut Buffers,
    interest: Interest,
    next_array: &mut u32,
) -> Result<(), EventError> {
    if interest.path.is_none() && !interest.descend {
        s.skip_value()?;
        return bump_scalar_index(&mut buf.stack);
    }
    if buf.stack.len() >= MAX_NESTING {
        return Err(syntax(s.pos, "nesting deeper than 1000 levels"));
    }
    match s.peek() {
        Some(b'{') => {
            if !interest.descend {
                s.skip_value()?;
                return bump_scalar_index(&mut buf.stack);
            }
            s.pos += 1;
            enter_element(&mut buf.stack, &mut buf.trail);
            buf.stack.push(Frame::Object {
                base: buf.path.len(),
                nested: true,
                first: true,
            });
        }
        Some(b'[') => {
            s.pos += 1;
            enter_element(&mut buf.stack, &mut buf.trail);
            let id = *next_array;
            *next_array = next_array.saturating_add(1);
            buf.arrays_open += 1;
            buf.stack.push(Frame::Array {
                interest,
                first: true,
                id,
                index: 0,
                trail_len: buf.trail.len(),
            });
        }
        _ => {
            let (kind, start, end, escaped) = s.scalar()?;
            if let Some(path) = interest.path {
                let (unescaped, start, end) = if escaped {
                    let from = buf.text.len();
                    if !unescape(&event[start..end], &mut buf.text) {
                        return Err(syntax(start, "invalid escape in a string"));
                    }
                    (true, from, buf.text.len())
                } else {
                    (false, start, end)
                };
                let bytes = if unescaped {
                    &buf.text[start..end]
                } else {
                    &event[start..end]
                };
                if kind == Kind::String && std::str::from_utf8(bytes).is_err() {
                    return Err(EventError::Utf8 { offset: start });
                }
                let trail_start = buf.trails.len() as u32;
                buf.trails.extend_from_slice(&buf.trail);
                buf.leaves.push(Leaf {
                    path,
                    kind,
                    unescaped,
                    start: start as u32,
                    end: end as u32,
                    trail_start,
                    trail_end: buf.trails.len() as u32,
                });
                if buf.stop_after > 0 {
                    let p = path as usize;
                    if buf.seen.len() <= p {
                        buf.seen.resize(p + 1, 0);
                    }
                    if buf.seen[p] != buf.epoch {
                        buf.seen[p] = buf.epoch;
                        buf.seen_count += 1;
                    }
                    // Every named path has a value, and no array can add more: stop here.
                    if buf.seen_count == buf.stop_after && buf.arrays_open == 0 {
                        buf.done = true;
                    }
                }
            }
            return bump_scalar_index(&mut buf.stack);
        }
    }
    Ok(())
}

/// A container that is an element of an array adds (array, element) to the trail; a scalar
/// element does not (spec §1.2).
fn enter_element(stack: &mut [Frame], trail: &mut Vec<(u32, u32)>) {
    if let Some(Frame::Array { id, index, .. }) = stack.last() {
        trail.push((*id, *index));
    }
}

/// A scalar (or skipped) element of an array moves the array to its next element.
fn bump_scalar_index(stack: &mut [Frame]) -> Result<(), EventError> {
    if let Some(Frame::Array { index, .. }) = stack.last_mut() {
        *index += 1;
    }
    Ok(())
}
