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
    /// Events read so far, this one included.
    pub events_read: u64,
    /// Bytes read so far, for a progress display (with [`Replay::jobs`] above 1, reading
    /// runs a few chunks ahead of the events handed out).
    pub bytes_read: u64,
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
    buses: Option<&'a Buses>,
) -> Option<&'a str> {
    if entries {
        entry_bus.as_deref()
    } else {
        buses.and_then(|(_, b)| b.as_deref())
    }
}

/// Counts one event into a tally: its hits, or that it was not an event.
fn count(tally: &mut Tally, hits: Option<&[PatternId]>) {
    tally.events += 1;
    match hits {
        Some(hits) => {
            for id in hits {
                tally.per_rule[id.0 as usize] += 1;
            }
        }
        None => tally.bad += 1,
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
    buses: Option<Buses>,
    /// The bus of the current PutEvents entry, once it is read.
    bus: Option<String>,
    /// JSON Lines past the first line, read in large chunks and split in place.
    chunks: Chunks,
    batch: Batch,
    /// The next event of `batch` to serve.
    served: usize,
    /// Threads to match on ([`Replay::jobs`]).
    jobs: usize,
    tally: Tally,
    start: Instant,
}

/// Bytes read for a JSON Lines chunk at a time: large enough that reads and hand-offs between
/// threads are few, small enough that a few chunks per thread keep memory flat.
const CHUNK: usize = 1 << 18;

/// A matched line of a chunk: its hits (a range of [`Batch::hits`]) or why it is not an
/// event, and a PutEvents entry's bus.
type Outcome = (Result<(u32, u32), EventError>, Option<String>);

/// The buses of each rule, and the bus of events that do not name one ([`Replay::buses`]).
type Buses = (Vec<Vec<String>>, Option<String>);

/// One line of a chunk: its bytes in [`Batch::buf`], its line number, and whether it was too
/// long to keep (its bytes are then not in the chunk).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    line: usize,
    too_long: bool,
}

/// A chunk of JSON Lines, and once matched, each line's outcome.
#[derive(Debug, Default)]
struct Batch {
    /// Initialized once, reused: the chunk is `buf[..len]`.
    buf: Vec<u8>,
    len: usize,
    spans: Vec<Span>,
    /// Set when matching it panicked.
    panicked: bool,
    /// Per span once matched: its hits (a range of `hits`) or why it is not an event, and
    /// an entry's bus.
    outcomes: Vec<Outcome>,
    hits: Vec<PatternId>,
}

/// Splits JSON Lines read in chunks: what one chunk leaves of an unfinished line is carried
/// into the next, so each line is copied at most once (by the read itself, in the usual case).
#[derive(Debug, Default)]
struct Chunks {
    carry: Vec<u8>,
    /// Skipping the rest of a line too long to keep.
    skipping: bool,
    eof: bool,
}

impl Chunks {
    /// Fills `batch` with the next lines (at least one unless the stream has ended); whether
    /// there are any.
    fn fill<R: Read>(
        &mut self,
        reader: &mut R,
        batch: &mut Batch,
        next_line: &mut usize,
        bytes: &mut u64,
    ) -> io::Result<bool> {
        batch.spans.clear();
        batch.outcomes.clear();
        batch.hits.clear();
        let want = CHUNK.max(self.carry.len() + CHUNK / 4);
        if batch.buf.len() < want {
            batch.buf.resize(want, 0);
        }
        batch.buf[..self.carry.len()].copy_from_slice(&self.carry);
        batch.len = self.carry.len();
        self.carry.clear();
        let mut line_start = 0;
        // The carried bytes hold no newline.
        let mut scan = batch.len;
        loop {
            while let Some(i) = memchr::memchr(b'\n', &batch.buf[scan..batch.len]) {
                let end = scan + i + 1;
                self.line(batch, line_start, end, next_line, end - line_start - 1);
                line_start = end;
                scan = end;
            }
            scan = batch.len;
            if self.skipping {
                // The rest of a long line is dropped as it is read.
                batch.len = line_start;
                scan = line_start;
            } else if (batch.len - line_start) as u64 > MAX_EVENT_SIZE {
                batch.spans.push(Span {
                    start: line_start,
                    end: line_start,
                    line: *next_line,
                    too_long: true,
                });
                *next_line += 1;
                self.skipping = true;
                batch.len = line_start;
                scan = line_start;
            }
            if self.eof {
                if line_start < batch.len && !self.skipping {
                    let end = batch.len;
                    self.line(batch, line_start, end, next_line, end - line_start);
                }
                return Ok(!batch.spans.is_empty());
            }
            if !batch.spans.is_empty() && batch.len >= CHUNK {
                break;
            }
            if batch.buf.len() - batch.len < CHUNK / 4 {
                if !batch.spans.is_empty() {
                    break;
                }
                // One line longer than the chunk: room for more of it.
                let grown = batch.buf.len() + CHUNK;
                batch.buf.resize(grown, 0);
            }
            let n = loop {
                match reader.read(&mut batch.buf[batch.len..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            *bytes += n as u64;
            if n == 0 {
                self.eof = true;
            }
            batch.len += n;
        }
        self.carry
            .extend_from_slice(&batch.buf[line_start..batch.len]);
        batch.len = line_start;
        Ok(true)
    }

    /// Records the line `buf[start..end]` (`content` bytes without its newline).
    fn line(
        &mut self,
        batch: &mut Batch,
        start: usize,
        end: usize,
        next_line: &mut usize,
        content: usize,
    ) {
        if self.skipping {
            // The end of a line already reported as too long.
            self.skipping = false;
            return;
        }
        let line = *next_line;
        *next_line += 1;
        if batch.buf[start..end].iter().all(u8::is_ascii_whitespace) {
            return;
        }
        batch.spans.push(Span {
            start,
            end,
            line,
            too_long: content as u64 > MAX_EVENT_SIZE,
        });
    }
}

/// Tallies a matched chunk's events and hands them to `f`, in order.
fn hand_out<F>(
    batch: &mut Batch,
    tally: &mut Tally,
    entries: bool,
    buses: Option<&Buses>,
    f: &mut F,
) -> io::Result<()>
where
    F: FnMut(&Replayed<'_>) -> io::Result<()>,
{
    for (i, (outcome, bus)) in batch.outcomes.drain(..).enumerate() {
        let span = batch.spans[i];
        let outcome = outcome.map(|(a, b)| &batch.hits[a as usize..b as usize]);
        count(tally, outcome.as_ref().ok().copied());
        f(&Replayed {
            line: span.line,
            event: &batch.buf[span.start..span.end],
            bus: bus_of(entries, &bus, buses),
            outcome,
            events_read: tally.events,
            bytes_read: tally.bytes,
        })?;
    }
    Ok(())
}

/// Matches every line of a chunk, recording each outcome in it.
fn match_batch(
    matcher: &Matcher,
    scratch: &mut Scratch,
    batch: &mut Batch,
    entries: bool,
    buses: Option<&Buses>,
    delivered: &mut Vec<u8>,
    hits: &mut Vec<PatternId>,
) {
    for span in &batch.spans {
        if span.too_long {
            let too_long = EventError::TooLarge {
                limit: MAX_EVENT_SIZE,
            };
            batch.outcomes.push((Err(too_long), None));
            continue;
        }
        let bytes = &batch.buf[span.start..span.end];
        let (outcome, bus) = match_event(matcher, scratch, bytes, entries, buses, delivered, hits);
        let from = batch.hits.len() as u32;
        if outcome.is_ok() {
            batch.hits.extend_from_slice(hits);
        }
        let to = batch.hits.len() as u32;
        batch.outcomes.push((outcome.map(|()| (from, to)), bus));
    }
}

/// Matches one event's bytes (or the event delivered for the PutEvents entry in them) into
/// `hits`, keeping the rules on the event's bus; the entry's bus.
fn match_event(
    matcher: &Matcher,
    scratch: &mut Scratch,
    bytes: &[u8],
    entries: bool,
    buses: Option<&Buses>,
    delivered: &mut Vec<u8>,
    hits: &mut Vec<PatternId>,
) -> (Result<(), EventError>, Option<String>) {
    let mut entry_bus = None;
    let bytes = if entries {
        let converted = Event::from_slice(bytes).and_then(|entry| {
            if !entry.is_put_events_entry() {
                return Err(EventError::Entry(
                    "the stream's first event is a PutEvents entry, and this is not one".into(),
                ));
            }
            entry.to_delivered()
        });
        match converted {
            Ok((event, bus)) => {
                delivered.clear();
                delivered.extend_from_slice(event.to_string().as_bytes());
                entry_bus = Some(bus);
                &delivered[..]
            }
            Err(e) => return (Err(e), None),
        }
    } else {
        bytes
    };
    if let Err(e) = matcher.matches_into(bytes, scratch, hits) {
        return (Err(e), entry_bus);
    }
    if let (Some((rule_buses, _)), Some(bus)) = (buses, bus_of(entries, &entry_bus, buses)) {
        hits.retain(|id| {
            rule_buses
                .get(id.0 as usize)
                .is_some_and(|b| b.iter().any(|b| b == bus))
        });
    }
    (Ok(()), entry_bus)
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
            chunks: Chunks::default(),
            batch: Batch::default(),
            served: 0,
            jobs: 1,
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

    /// Match on `n` threads (at least 1; 1 is the default). With more, [`Replay::for_each`]
    /// spreads the chunks of a JSON Lines stream over them and hands out the events in
    /// stream order; memory stays bounded (two chunks of about a megabyte in flight per
    /// thread). [`Replay::next_event`] and streams of documents match on the calling thread.
    #[must_use]
    pub fn jobs(mut self, n: usize) -> Self {
        self.jobs = n.max(1);
        self
    }

    /// Runs the replay to its end, calling `f` with each event in stream order, and returns
    /// the tally. Matches on the threads [`Replay::jobs`] asks for.
    ///
    /// # Errors
    /// When reading fails, when `f` fails (the replay then stops), or when matching panicked
    /// on a thread.
    pub fn for_each<F>(mut self, mut f: F) -> io::Result<Tally>
    where
        F: FnMut(&Replayed<'_>) -> io::Result<()>,
        R: Send,
    {
        // On the calling thread: the first line (which decides the stream's kind), and a
        // stream of documents to its end.
        while self.jobs == 1 || self.state != State::Lines || self.served < self.batch.spans.len() {
            match self.next_event() {
                None => return Ok(self.finish()),
                Some(event) => f(&event?)?,
            }
        }
        self.parallel(&mut f)?;
        Ok(self.finish())
    }

    /// The rest of a JSON Lines stream on `jobs` threads. Each thread takes the next chunk
    /// from the stream (one at a time, in order) and matches it, so a chunk is read and
    /// matched on one core; the calling thread hands the events to `f` in stream order.
    fn parallel<F>(&mut self, f: &mut F) -> io::Result<()>
    where
        F: FnMut(&Replayed<'_>) -> io::Result<()>,
        R: Send,
    {
        use std::collections::BTreeMap;
        use std::sync::{Mutex, mpsc};

        /// The stream, taken by one thread at a time.
        struct Source<'s, R> {
            reader: &'s mut R,
            chunks: &'s mut Chunks,
            next_line: &'s mut usize,
            bytes: u64,
            /// The next chunk's place in the stream.
            seq: u64,
            done: bool,
            error: Option<io::Error>,
        }

        let (matcher, entries, jobs) = (self.matcher, self.entries, self.jobs);
        let buses = self.buses.as_ref();
        let source = Mutex::new(Source {
            reader: &mut self.reader,
            chunks: &mut self.chunks,
            next_line: &mut self.next_line,
            bytes: 0,
            seq: 0,
            done: false,
            error: None,
        });
        // Two chunks per thread: the memory in flight, whatever the stream's length.
        let (free_tx, free_rx) = mpsc::channel::<Batch>();
        for _ in 0..2 * jobs {
            let _ = free_tx.send(Batch::default());
        }
        let free_rx = Mutex::new(free_rx);
        let (done_tx, done_rx) = mpsc::channel::<(u64, Batch)>();
        let tally = &mut self.tally;
        let bytes_before = tally.bytes;
        let outcome = std::thread::scope(|scope| {
            for _ in 0..jobs {
                let (source, free_rx, done_tx) = (&source, &free_rx, done_tx.clone());
                scope.spawn(move || {
                    let mut scratch = Scratch::default();
                    let (mut delivered, mut hits) = (Vec::new(), Vec::new());
                    loop {
                        let Ok(Ok(mut batch)) = free_rx.lock().map(|rx| rx.recv()) else {
                            return;
                        };
                        let seq = {
                            let Ok(mut src) = source.lock() else { return };
                            if src.done {
                                return;
                            }
                            let src = &mut *src;
                            let filled = src.chunks.fill(
                                src.reader,
                                &mut batch,
                                src.next_line,
                                &mut src.bytes,
                            );
                            match filled {
                                Ok(true) => {
                                    src.seq += 1;
                                    src.seq - 1
                                }
                                Ok(false) => {
                                    src.done = true;
                                    return;
                                }
                                Err(e) => {
                                    src.done = true;
                                    src.error = Some(e);
                                    return;
                                }
                            }
                        };
                        let matched =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                match_batch(
                                    matcher,
                                    &mut scratch,
                                    &mut batch,
                                    entries,
                                    buses,
                                    &mut delivered,
                                    &mut hits,
                                );
                            }));
                        batch.panicked = matched.is_err();
                        if done_tx.send((seq, batch)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut early: BTreeMap<u64, Batch> = BTreeMap::new();
            let mut next = 0u64;
            // Until every thread has ended (the stream's end or its error), or `f` stops.
            let outcome = 'run: loop {
                let Ok((seq, batch)) = done_rx.recv() else {
                    break Ok(());
                };
                early.insert(seq, batch);
                while let Some(mut batch) = early.remove(&next) {
                    next += 1;
                    if batch.panicked {
                        break 'run Err(io::Error::other("matching an event panicked"));
                    }
                    tally.bytes = bytes_before + source.lock().map_or(0, |s| s.bytes);
                    if let Err(e) = hand_out(&mut batch, tally, entries, buses, f) {
                        break 'run Err(e);
                    }
                    let _ = free_tx.send(batch);
                }
            };
            // Threads waiting for a free chunk then end; one matching ends when it hands
            // its chunk over.
            drop(free_tx);
            drop(done_rx);
            outcome
        });
        // The stream's own error comes first: it is why the threads stopped.
        let source = source
            .into_inner()
            .map_err(|_| io::Error::other("a reading thread panicked"))?;
        self.tally.bytes = bytes_before + source.bytes;
        self.state = State::Done;
        match source.error {
            Some(e) => Err(e),
            None => outcome,
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
        if self.state == State::Lines {
            return self.next_line();
        }
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
            let outcome = self.match_held(too_long, None);
            return Some(Ok(Replayed {
                line,
                event: &self.buf,
                bus: bus_of(self.entries, &self.bus, self.buses.as_ref()),
                outcome: outcome.map(|()| &self.hits[..]),
                events_read: self.tally.events,
                bytes_read: self.tally.bytes,
            }));
        }
    }

    /// Matches the event held in `buf`, or in the current chunk at `span`, into `hits` (an
    /// entry's bus into `bus`), and tallies it.
    fn match_held(&mut self, too_long: bool, span: Option<Span>) -> Result<(), EventError> {
        let outcome = if too_long {
            Err(EventError::TooLarge {
                limit: MAX_EVENT_SIZE,
            })
        } else {
            let event = match span {
                Some(span) => &self.batch.buf[span.start..span.end],
                None => &self.buf[..],
            };
            let (outcome, bus) = match_event(
                self.matcher,
                self.scratch,
                event,
                self.entries,
                self.buses.as_ref(),
                &mut self.delivered,
                &mut self.hits,
            );
            self.bus = bus;
            outcome
        };
        count(&mut self.tally, outcome.is_ok().then_some(&self.hits[..]));
        outcome
    }

    /// The next event of a JSON Lines stream past its first line, from the current chunk.
    fn next_line(&mut self) -> Option<io::Result<Replayed<'_>>> {
        while self.served == self.batch.spans.len() {
            self.served = 0;
            match self.chunks.fill(
                &mut self.reader,
                &mut self.batch,
                &mut self.next_line,
                &mut self.tally.bytes,
            ) {
                Ok(true) => {}
                Ok(false) => {
                    self.state = State::Done;
                    return None;
                }
                Err(e) => {
                    self.state = State::Done;
                    self.batch.spans.clear();
                    return Some(Err(e));
                }
            }
        }
        let span = self.batch.spans[self.served];
        self.served += 1;
        let outcome = self.match_held(span.too_long, Some(span));
        Some(Ok(Replayed {
            line: span.line,
            event: &self.batch.buf[span.start..span.end],
            bus: bus_of(self.entries, &self.bus, self.buses.as_ref()),
            outcome: outcome.map(|()| &self.hits[..]),
            events_read: self.tally.events,
            bytes_read: self.tally.bytes,
        }))
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

    /// A reader that hands out at most `step` bytes per read, so that lines and chunks split
    /// everywhere; `fail_at` makes reading fail once that many bytes are read.
    struct Trickle<'b> {
        bytes: &'b [u8],
        step: usize,
        fail_at: Option<usize>,
        read: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.fail_at.is_some_and(|at| self.read >= at) {
                return Err(io::Error::other("the disk is gone"));
            }
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            self.read += n;
            Ok(n)
        }
    }

    /// Every event seen through `for_each` on `jobs` threads.
    fn replay_with(input: &[u8], step: usize, jobs: usize) -> (Vec<Seen>, Tally) {
        let m = matcher();
        let mut scratch = Scratch::default();
        let reader = io::BufReader::with_capacity(
            64,
            Trickle {
                bytes: input,
                step,
                fail_at: None,
                read: 0,
            },
        );
        let mut out = Vec::new();
        let tally = Replay::new(&m, &mut scratch, reader)
            .jobs(jobs)
            .for_each(|e| {
                let hits = e
                    .outcome
                    .as_ref()
                    .ok()
                    .map(|ids| ids.iter().map(|&id| m.name(id).to_string()).collect());
                out.push((e.line, hits));
                Ok(())
            })
            .unwrap();
        (out, tally)
    }

    /// A stream of many chunks: events of every size, blank and bad lines, a line just
    /// within the size limit and one just over it, CRLF, no newline at the end.
    fn long_stream() -> (Vec<u8>, Vec<Seen>) {
        let mut input = Vec::new();
        let mut want = Vec::new();
        let mut line = 1;
        let mut push = |input: &mut Vec<u8>, text: &[u8], seen: Option<Option<Vec<String>>>| {
            input.extend_from_slice(text);
            if let Some(hits) = seen {
                want.push((line, hits));
            }
            line += 1;
        };
        // A first line that is an event makes the stream JSON Lines.
        push(&mut input, b"{\"source\":\"u\"}\n", Some(names(&["user"])));
        for i in 0..6000 {
            let pad = "p".repeat(i * 37 % 700);
            match i % 9 {
                0 => push(&mut input, b"\n", None),
                1 => push(&mut input, b"not json\n", Some(None)),
                2 => push(
                    &mut input,
                    format!("{{\"source\":\"a\",\"x\":\"{pad}\"}}\r\n").as_bytes(),
                    Some(names(&["auth"])),
                ),
                _ => push(
                    &mut input,
                    format!("{{\"source\":\"u\",\"x\":\"{pad}\"}}\n").as_bytes(),
                    Some(names(&["user"])),
                ),
            }
            if i == 3000 {
                // Exactly the limit, then one byte over it.
                for extra in [0, 1] {
                    let mut big = b"{\"source\":\"u\",\"x\":\"".to_vec();
                    big.resize(MAX_EVENT_SIZE as usize - 2 + extra, b'x');
                    big.extend_from_slice(b"\"}\n");
                    let seen = if extra == 0 { names(&["user"]) } else { None };
                    push(&mut input, &big, Some(seen));
                }
            }
        }
        push(&mut input, b"{\"source\":\"a\"}", Some(names(&["auth"])));
        (input, want)
    }

    /// Where two sequences of events first differ (to keep a failure's message short).
    fn same(got: &[Seen], want: &[Seen], what: &str) {
        let at = got.iter().zip(want).position(|(g, w)| g != w);
        assert!(
            at.is_none() && got.len() == want.len(),
            "{what}: {} events against {}, first difference at {at:?}: {:?} against {:?}",
            got.len(),
            want.len(),
            at.map(|i| &got[i]),
            at.map(|i| &want[i]),
        );
    }

    #[test]
    fn chunks_and_threads_see_every_line_in_order() {
        let (input, want) = long_stream();
        let (events, tally) = replay(&input);
        same(&events, &want, "next_event");
        assert_eq!(tally.bytes, input.len() as u64);
        for (step, jobs) in [(usize::MAX, 1), (usize::MAX, 2), (usize::MAX, 3), (4099, 2)] {
            let (events, other) = replay_with(&input, step, jobs);
            same(&events, &want, &format!("step {step}, {jobs} threads"));
            assert_eq!(other.events, tally.events);
            assert_eq!(other.bad, tally.bad);
            assert_eq!(other.bytes, tally.bytes);
            assert_eq!(other.per_rule, tally.per_rule);
        }
    }

    #[test]
    fn a_trickling_reader_splits_lines_anywhere() {
        let mut input = Vec::new();
        for i in 0..300 {
            let source = if i % 2 == 0 { "u" } else { "a" };
            input.extend_from_slice(format!("{{\"source\":\"{source}\"}}\n").as_bytes());
        }
        let (want, _) = replay(&input);
        for step in [1, 2, 3, 7, 16] {
            for jobs in [1, 2] {
                same(
                    &replay_with(&input, step, jobs).0,
                    &want,
                    &format!("step {step}"),
                );
            }
        }
    }

    #[test]
    fn threads_stop_when_the_caller_or_the_reader_fails() {
        let (input, _) = long_stream();
        let m = matcher();
        for jobs in [1, 2, 3] {
            // The caller stops after ten events.
            let mut scratch = Scratch::default();
            let mut seen = 0;
            let stopped = Replay::new(&m, &mut scratch, &input[..])
                .jobs(jobs)
                .for_each(|_| {
                    seen += 1;
                    if seen == 10 {
                        return Err(io::Error::other("enough"));
                    }
                    Ok(())
                });
            assert_eq!(stopped.unwrap_err().to_string(), "enough");
            assert_eq!(seen, 10);
            // Reading fails a megabyte in.
            let mut scratch = Scratch::default();
            let reader = io::BufReader::new(Trickle {
                bytes: &input,
                step: 1 << 16,
                fail_at: Some(1 << 20),
                read: 0,
            });
            let failed = Replay::new(&m, &mut scratch, reader)
                .jobs(jobs)
                .for_each(|_| Ok(()));
            assert_eq!(failed.unwrap_err().to_string(), "the disk is gone");
        }
    }
}
