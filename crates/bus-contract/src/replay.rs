//! Replaying an archive of events through a [`Matcher`]: a JSON Lines stream (or JSON
//! documents one after another, pretty-printed or not) read in constant memory, each event
//! matched, the hits tallied per rule. Events may be delivered events or PutEvents entries.
//!
//! A line that is not an event is reported with its line number and the stream goes on; only
//! an I/O error stops it.
//!
//! ```
//! use bus_contract::{Matcher, Pattern, Replay, Scratch};
//!
//! let mut builder = Matcher::builder();
//! builder.add("users", Pattern::parse(r#"{"source": ["bellyfed.user"]}"#)?)?;
//! let matcher = builder.build()?;
//! let archive = "{\"source\": \"bellyfed.user\"}\nnot json\n{\"source\": \"bellyfed.auth\"}\n";
//!
//! let mut scratch = Scratch::default();
//! let mut replay = Replay::new(&matcher, &mut scratch, archive.as_bytes());
//! let mut bad_lines = Vec::new();
//! while let Some(event) = replay.next_event() {
//!     let event = event?;
//!     if event.outcome.is_err() {
//!         bad_lines.push(event.line);
//!     }
//! }
//! let tally = replay.finish();
//! assert_eq!(bad_lines, [2]);
//! assert_eq!((tally.events, tally.bad), (3, 1));
//! assert_eq!(tally.per_rule, [1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{self, BufRead, Cursor, Read};
use std::time::{Duration, Instant};

use crate::event::{Event, EventError};
use crate::matcher::{Matcher, PatternId, Scratch};

/// The largest event a replay reads: a line of JSON Lines, or a whole pretty-printed document.
/// EventBridge's own limit is 256 KB; a longer line is reported and skipped, unread.
pub const MAX_EVENT_SIZE: u64 = 16 * 1024 * 1024;

/// Counts over a replay so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Tally {
    /// Events read (blank lines are not events), bad ones included.
    pub events: u64,
    /// Lines that were not events.
    pub bad: u64,
    /// Bytes read.
    pub bytes: u64,
    /// How many events each rule matched, by [`PatternId`].
    pub per_rule: Vec<u64>,
    /// The time from [`Replay::new`] to [`Replay::finish`].
    pub elapsed: Duration,
}

impl Tally {
    /// Events per second over [`Tally::elapsed`]; zero when no time has passed.
    pub fn events_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.events as f64 / seconds
        } else {
            0.0
        }
    }
}

/// One event of a replay.
#[derive(Debug)]
pub struct Replayed<'r> {
    /// The 1-based line the event starts on.
    pub line: usize,
    /// The event's bytes, as read (a PutEvents entry is matched as the event delivered for
    /// it).
    pub event: &'r [u8],
    /// The bus the event was matched on: its PutEvents entry's, or the one given to
    /// [`Replay::buses`]; `None` when it was matched against every rule.
    pub bus: Option<&'r str>,
    /// The rules it matched, in [`PatternId`] order, or why it is not an event.
    pub outcome: Result<&'r [PatternId], EventError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No event read yet: the first may be a pretty-printed document.
    Start,
    /// Reading JSON Lines.
    Lines,
    /// Reading JSON documents one after another, each over any number of lines.
    Documents,
    /// Everything has been read.
    Done,
}

/// The bus an event is matched on: its PutEvents entry's (when the stream holds entries), or
/// the one given to [`Replay::buses`] for every event.
fn bus_of<'a>(
    entries: bool,
    entry_bus: &'a Option<String>,
    buses: &'a Option<(Vec<Vec<String>>, Option<String>)>,
) -> Option<&'a str> {
    if entries {
        entry_bus.as_deref()
    } else {
        buses.as_ref().and_then(|(_, b)| b.as_deref())
    }
}

/// Where a JSON document being split from a stream stands.
#[derive(Debug, Clone, Copy, Default)]
struct Split {
    depth: usize,
    in_string: bool,
    escaped: bool,
    started: bool,
}

impl Split {
    /// Scans `bytes`; the index just past the end of the document, if it ends in them.
    fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    self.started = true;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 && self.started {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// A replay of a stream of events through a matcher, one event at a time. The caller's
/// [`Scratch`] is reused for every event, and one line buffer for every line, so memory stays
/// flat however long the stream is.
///
/// The stream is JSON Lines when its first line is an event. Otherwise it is read as JSON
/// documents one after another (a pretty-printed event, or many), each at most
/// [`MAX_EVENT_SIZE`] and reported on the line it starts on; a line outside any document is
/// reported as not an event.
///
/// An event that is a PutEvents entry ([`Event::is_put_events_entry`], decided by the first
/// event of the stream) is matched as the event EventBridge delivers for it. With
/// [`Replay::buses`], an event is matched only against the rules on its bus: the entry's
/// `EventBusName` (`default` without one), or the bus given for every event.
#[derive(Debug)]
pub struct Replay<'a, R> {
    matcher: &'a Matcher,
    scratch: &'a mut Scratch,
    reader: R,
    /// Bytes read ahead while looking for a pretty-printed document, read again as lines.
    ahead: Cursor<Vec<u8>>,
    buf: Vec<u8>,
    hits: Vec<PatternId>,
    /// The line the next read starts on.
    next_line: usize,
    state: State,
    /// Whether the stream's events are PutEvents entries (decided by the first).
    entries: bool,
    /// The delivered event of an entry.
    delivered: Vec<u8>,
    /// The buses of each rule, and the bus of events that do not name one.
    buses: Option<(Vec<Vec<String>>, Option<String>)>,
    /// The bus of the current PutEvents entry, once it is read.
    bus: Option<String>,
    tally: Tally,
    start: Instant,
}

impl<'a, R: BufRead> Replay<'a, R> {
    /// A replay of `reader` through `matcher`, with the caller's buffers.
    pub fn new(matcher: &'a Matcher, scratch: &'a mut Scratch, reader: R) -> Self {
        Replay {
            matcher,
            scratch,
            reader,
            ahead: Cursor::new(Vec::new()),
            buf: Vec::with_capacity(1 << 12),
            hits: Vec::new(),
            next_line: 1,
            state: State::Start,
            entries: false,
            delivered: Vec::new(),
            buses: None,
            bus: None,
            tally: Tally {
                per_rule: vec![0; matcher.len()],
                ..Tally::default()
            },
            start: Instant::now(),
        }
    }

    /// Match each event only against the rules on its bus. `rule_buses[i]` holds the bus
    /// names of the rule with [`PatternId`] `i` (a rule may be on one bus per environment); an
    /// event's bus is its PutEvents entry's `EventBusName`, else `bus` if given; an event
    /// with neither is matched against every rule.
    #[must_use]
    pub fn buses(mut self, rule_buses: Vec<Vec<String>>, bus: Option<String>) -> Self {
        self.buses = Some((
            rule_buses,
            bus.map(|b| crate::event::bus_name(&b).to_string()),
        ));
        self
    }

    /// The counts so far ([`Tally::elapsed`] is set by [`Replay::finish`]).
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Ends the replay and returns its counts, with the time it took.
    pub fn finish(mut self) -> Tally {
        self.tally.elapsed = self.start.elapsed();
        self.tally
    }

    /// The next event, matched; `None` at the end of the stream.
    ///
    /// # Errors
    /// When reading fails. A line that is not an event is not an error here: its
    /// [`Replayed::outcome`] says why, and the next call goes on with the next line.
    pub fn next_event(&mut self) -> Option<io::Result<Replayed<'_>>> {
        loop {
            if self.state == State::Done {
                return None;
            }
            let mut line = self.next_line;
            let read = if self.state == State::Documents {
                self.read_document(&mut line)
            } else {
                self.read_line()
            };
            let too_long = match read {
                Ok(None) => {
                    self.state = State::Done;
                    return None;
                }
                Ok(Some(too_long)) => too_long,
                Err(e) => {
                    self.state = State::Done;
                    return Some(Err(e));
                }
            };
            if !too_long && self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if self.state == State::Start {
                let first = Event::from_slice(&self.buf);
                self.entries = first.as_ref().is_ok_and(Event::is_put_events_entry);
                if too_long || first.is_ok() {
                    self.state = State::Lines;
                } else {
                    // Not an event on its own: the start of a document over many lines, or
                    // a bad line. Read it again as documents.
                    self.state = State::Documents;
                    let first = std::mem::take(&mut self.buf);
                    self.unread(&first);
                    self.next_line = line;
                    continue;
                }
            }
            self.tally.events += 1;
            let outcome = if too_long {
                Err(EventError::TooLarge {
                    limit: MAX_EVENT_SIZE,
                })
            } else {
                self.match_one()
            };
            if outcome.is_err() {
                self.tally.bad += 1;
            }
            let outcome = outcome.map(|()| &self.hits[..]);
            let bus = bus_of(self.entries, &self.bus, &self.buses);
            return Some(Ok(Replayed {
                line,
                event: &self.buf,
                bus,
                outcome,
            }));
        }
    }

    /// Matches `buf` (or the event delivered for the entry in it) into `hits`, keeping the
    /// rules on the event's bus, and tallies them.
    fn match_one(&mut self) -> Result<(), EventError> {
        let bytes: &[u8] = if self.entries {
            self.bus = None;
            let entry = Event::from_slice(&self.buf)?;
            if !entry.is_put_events_entry() {
                return Err(EventError::Entry(
                    "the stream's first event is a PutEvents entry, and this is not one".into(),
                ));
            }
            let (event, bus) = entry.to_delivered()?;
            self.delivered.clear();
            self.delivered
                .extend_from_slice(event.to_string().as_bytes());
            self.bus = Some(bus);
            &self.delivered
        } else {
            &self.buf
        };
        self.matcher
            .matches_into(bytes, self.scratch, &mut self.hits)?;
        let bus = bus_of(self.entries, &self.bus, &self.buses);
        if let (Some((rule_buses, _)), Some(bus)) = (&self.buses, bus) {
            self.hits.retain(|id| {
                rule_buses
                    .get(id.0 as usize)
                    .is_some_and(|b| b.iter().any(|b| b == bus))
            });
        }
        for id in &self.hits {
            self.tally.per_rule[id.0 as usize] += 1;
        }
        Ok(())
    }

    /// Puts bytes back in front of what is still to be read.
    fn unread(&mut self, bytes: &[u8]) {
        let pos = self.ahead.position() as usize;
        let mut rest = bytes.to_vec();
        rest.extend_from_slice(&self.ahead.get_ref()[pos.min(self.ahead.get_ref().len())..]);
        self.tally.bytes = self.tally.bytes.saturating_sub(bytes.len() as u64);
        self.ahead = Cursor::new(rest);
    }

    /// Reads the next JSON document into `buf`, over as many lines as it takes; `line` is set
    /// to the line it starts on. A line with no document on it is returned alone (it is not
    /// an event). `None` at the end; else whether the document was longer than
    /// [`MAX_EVENT_SIZE`] (it is then skipped, unstored).
    fn read_document(&mut self, line: &mut usize) -> io::Result<Option<bool>> {
        let mut doc: Vec<u8> = Vec::new();
        let mut split = Split::default();
        let mut too_long = false;
        loop {
            let at = self.next_line;
            let Some(long_line) = self.read_line()? else {
                // The end: what was gathered is the (unfinished) document.
                if doc.is_empty() && !too_long {
                    return Ok(None);
                }
                self.buf = doc;
                return Ok(Some(too_long));
            };
            if !split.started && !too_long {
                let trimmed = self.buf.iter().position(|b| !b.is_ascii_whitespace());
                let Some(start) = trimmed else { continue };
                *line = at;
                if !matches!(self.buf[start], b'{' | b'[') {
                    // Not a document: the line on its own, reported as not an event.
                    return Ok(Some(long_line));
                }
            }
            if long_line {
                too_long = true;
                continue;
            }
            if split.started && self.buf.first() == Some(&b'{') {
                // A line that starts with `{` in its first column inside a document: the
                // document before it was cut short (pretty-printed JSON indents what is
                // nested). That one is bad; this line starts the next.
                let again = std::mem::take(&mut self.buf);
                self.unread(&again);
                self.next_line = at;
                self.buf = doc;
                return Ok(Some(too_long));
            }
            match split.scan(&self.buf) {
                Some(end) => {
                    let rest = self.buf.split_off(end);
                    if !rest.iter().all(u8::is_ascii_whitespace) {
                        self.unread(&rest);
                        self.next_line -= 1;
                    }
                    if !too_long {
                        doc.extend_from_slice(&self.buf);
                    }
                    self.buf = doc;
                    return Ok(Some(too_long));
                }
                None if !too_long => {
                    doc.extend_from_slice(&self.buf);
                    if doc.len() as u64 > MAX_EVENT_SIZE {
                        doc = Vec::new();
                        too_long = true;
                    }
                }
                None => {}
            }
        }
    }

    /// Reads the next line into `buf`, newline included: `None` at the end, else whether the
    /// line was longer than [`MAX_EVENT_SIZE`] (its rest is skipped, unstored).
    fn read_line(&mut self) -> io::Result<Option<bool>> {
        self.buf.clear();
        let mut n = 0;
        if (self.ahead.position() as usize) < self.ahead.get_ref().len() {
            n += self.ahead.read_until(b'\n', &mut self.buf)?;
            if self.buf.last() == Some(&b'\n') {
                self.next_line += 1;
                self.tally.bytes += n as u64;
                return Ok(Some(false));
            }
        } else if !self.ahead.get_ref().is_empty() {
            self.ahead = Cursor::new(Vec::new());
        }
        let room = (MAX_EVENT_SIZE + 1).saturating_sub(self.buf.len() as u64);
        n += (&mut self.reader)
            .take(room)
            .read_until(b'\n', &mut self.buf)?;
        self.tally.bytes += n as u64;
        if n == 0 {
            return Ok(None);
        }
        self.next_line += 1;
        if self.buf.len() as u64 > MAX_EVENT_SIZE && self.buf.last() != Some(&b'\n') {
            self.buf.clear();
            self.skip_line()?;
            return Ok(Some(true));
        }
        Ok(Some(false))
    }

    /// Skips the rest of a line too long to keep.
    fn skip_line(&mut self) -> io::Result<()> {
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(());
            }
            let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            self.reader.consume(used);
            self.tally.bytes += used as u64;
            if done {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    fn matcher() -> Matcher {
        let mut b = Matcher::builder();
        b.add("user", Pattern::parse(r#"{"source": ["u"]}"#).unwrap())
            .unwrap();
        b.add("auth", Pattern::parse(r#"{"source": ["a"]}"#).unwrap())
            .unwrap();
        b.build().unwrap()
    }

    /// An event's line, and the names of the rules it hit (`None` when it is bad).
    type Seen = (usize, Option<Vec<String>>);

    /// Every event seen, and the tally.
    fn replay(input: &[u8]) -> (Vec<Seen>, Tally) {
        let m = matcher();
        let mut scratch = Scratch::default();
        let mut r = Replay::new(&m, &mut scratch, input);
        let mut out = Vec::new();
        while let Some(e) = r.next_event() {
            let e = e.unwrap();
            let hits = e
                .outcome
                .ok()
                .map(|ids| ids.iter().map(|&id| m.name(id).to_string()).collect());
            out.push((e.line, hits));
        }
        (out, r.finish())
    }

    fn names(n: &[&str]) -> Option<Vec<String>> {
        Some(n.iter().map(|s| (*s).to_string()).collect())
    }

    #[test]
    fn lines_are_matched_and_tallied() {
        let (events, tally) = replay(
            b"{\"source\":\"u\"}\n\n{\"source\":\"a\"}\n{\"source\":\"x\"}\n{\"source\":\"u\"}",
        );
        assert_eq!(
            events,
            [
                (1, names(&["user"])),
                (3, names(&["auth"])),
                (4, names(&[])),
                (5, names(&["user"])),
            ]
        );
        assert_eq!(
            (tally.events, tally.bad, tally.per_rule),
            (4, 0, vec![2, 1])
        );
        assert_eq!(tally.bytes, 60);
    }

    #[test]
    fn bad_lines_never_stop_the_stream() {
        let (events, tally) = replay(b"nope\n{\"source\":\"u\"}\n[1]\n\xff\n{\"source\":\"a\"}\n");
        assert_eq!(
            events,
            [
                (1, None),
                (2, names(&["user"])),
                (3, None),
                (4, None),
                (5, names(&["auth"])),
            ]
        );
        assert_eq!((tally.events, tally.bad), (5, 3));
    }

    #[test]
    fn one_pretty_printed_event_is_one_event() {
        let (events, tally) = replay(b"{\n  \"source\": \"u\"\n}\n");
        assert_eq!(events, [(1, names(&["user"]))]);
        assert_eq!((tally.events, tally.bad, tally.bytes), (1, 0, 20));
    }

    #[test]
    fn documents_one_after_another_are_events() {
        let input = b"{\n  \"source\": \"u\",\n  \"detail\": {\"a\": [{\"b\": \"}\"}]}\n}\n{\n  \"source\": \"a\"\n}{\"source\": \"u\"}\n\n[1]\nnope\n{\"source\":\"a\"}\n";
        let (events, tally) = replay(input);
        assert_eq!(
            events,
            [
                (1, names(&["user"])),
                (5, names(&["auth"])),
                (7, names(&["user"])),
                (9, None),
                (10, None),
                (11, names(&["auth"])),
            ]
        );
        assert_eq!(tally.bytes, input.len() as u64);
    }

    #[test]
    fn put_events_entries_are_matched_as_delivered_on_their_bus() {
        let m = matcher();
        let mut scratch = Scratch::default();
        let input = br#"{"Source": "u", "DetailType": "T", "Detail": "{}", "EventBusName": "one"}
{"Source": "u", "DetailType": "T", "Detail": "{}", "EventBusName": "arn:aws:events:eu-west-1:111122223333:event-bus/two"}
{"Source": "a", "DetailType": "T", "Detail": "{}"}
{"Source": "u", "DetailType": "T", "Detail": "[1]"}
{"source": "u"}
"#;
        let buses = vec![
            vec!["one".to_string()],
            vec!["two".to_string(), "default".to_string()],
        ];
        let mut r = Replay::new(&m, &mut scratch, &input[..]).buses(buses, None);
        let mut seen = Vec::new();
        while let Some(e) = r.next_event() {
            let e = e.unwrap();
            let hits: Option<Vec<&str>> = e
                .outcome
                .ok()
                .map(|ids| ids.iter().map(|&id| m.name(id)).collect());
            seen.push((e.line, e.bus.map(String::from), hits));
        }
        assert_eq!(
            seen,
            [
                (1, Some("one".into()), Some(vec!["user"])),
                (2, Some("two".into()), Some(vec![])),
                (3, Some("default".into()), Some(vec!["auth"])),
                (4, None, None),
                (5, None, None),
            ]
        );
    }

    #[test]
    fn a_bad_first_line_of_a_stream_is_read_again_as_lines() {
        let (events, _) = replay(b"{\n{\"source\":\"a\"}\n");
        assert_eq!(events, [(1, None), (2, names(&["auth"]))]);
        let (events, tally) = replay(b"oops\n{\"source\":\"a\"}\n{\"source\":\"u\"}\n");
        assert_eq!(
            events,
            [(1, None), (2, names(&["auth"])), (3, names(&["user"]))]
        );
        assert_eq!(tally.bytes, 35);
    }

    #[test]
    fn a_line_too_long_is_skipped_unread() {
        let mut input = b"{\"source\":\"u\",\"pad\":\"".to_vec();
        input.resize(MAX_EVENT_SIZE as usize + 100, b'x');
        input.extend_from_slice(b"\"}\n{\"source\":\"a\"}\n");
        let (events, tally) = replay(&input);
        assert_eq!(events, [(1, None), (2, names(&["auth"]))]);
        assert_eq!(tally.bytes, input.len() as u64);
    }
}
