//! Replaying an archive of events through a [`Matcher`]: a JSON Lines stream (or one
//! pretty-printed event) read in constant memory, each event matched, the hits tallied per rule.
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
    /// The event's bytes, as read.
    pub event: &'r [u8],
    /// The rules it matched, in [`PatternId`] order, or why it is not an event.
    pub outcome: Result<&'r [PatternId], EventError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No event read yet: the first may be a pretty-printed document.
    Start,
    /// Reading JSON Lines.
    Lines,
    /// Everything has been read.
    Done,
}

/// A replay of a stream of events through a matcher, one event at a time. The caller's
/// [`Scratch`] is reused for every event, and one line buffer for every line, so memory stays
/// flat however long the stream is.
///
/// The stream is JSON Lines, unless its first line is not an event and the whole input (at
/// most [`MAX_EVENT_SIZE`]) is one: then it is that one event, on line 1.
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
            tally: Tally {
                per_rule: vec![0; matcher.len()],
                ..Tally::default()
            },
            start: Instant::now(),
        }
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
            let line = self.next_line;
            let too_long = match self.read_line() {
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
                self.state = State::Lines;
                if !too_long && Event::from_slice(&self.buf).is_err() {
                    match self.one_document() {
                        Ok(true) => self.state = State::Done,
                        Ok(false) => {}
                        Err(e) => {
                            self.state = State::Done;
                            return Some(Err(e));
                        }
                    }
                }
            }
            self.tally.events += 1;
            let outcome = if too_long {
                Err(EventError::TooLarge {
                    limit: MAX_EVENT_SIZE,
                })
            } else {
                self.matcher
                    .matches_into(&self.buf, self.scratch, &mut self.hits)
                    .map(|()| {
                        for id in &self.hits {
                            self.tally.per_rule[id.0 as usize] += 1;
                        }
                        &self.hits[..]
                    })
            };
            if outcome.is_err() {
                self.tally.bad += 1;
            }
            return Some(Ok(Replayed {
                line,
                event: &self.buf,
                outcome,
            }));
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

    /// The first line is not an event: if the whole input is one (pretty-printed) event, it
    /// becomes `buf` and `true` is returned. Otherwise what was read ahead is kept, to be read
    /// again line by line, and `buf` still holds the first line.
    fn one_document(&mut self) -> io::Result<bool> {
        let first = self.buf.len();
        let room = (MAX_EVENT_SIZE + 1).saturating_sub(first as u64);
        let n = (&mut self.reader).take(room).read_to_end(&mut self.buf)?;
        if self.buf.len() as u64 <= MAX_EVENT_SIZE && Event::from_slice(&self.buf).is_ok() {
            self.tally.bytes += n as u64;
            return Ok(true);
        }
        let ahead = self.buf.split_off(first);
        self.ahead = Cursor::new(ahead);
        Ok(false)
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
