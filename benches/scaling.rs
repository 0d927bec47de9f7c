//! Cost per event as rule counts grow, per operator: N seldom-matching rules of one operator
//! (5, 500, 5,000 and 50,000 by default) over the same 20,000 citylots events in memory, on
//! one thread. For each operator: nanoseconds per event and the cost relative to 5 rules, all
//! measured in one run (best of three passes each), then the time to build the matcher and
//! the memory it holds, per rule, at the largest count.
//!
//!     benches/scaling.sh [COUNTS...]       # generates the corpus first if needed
//!     cargo bench --bench scaling -- 5 500 5000 50000
//!     cargo bench --bench scaling -- 5 50000 wildcard cidr   # only operators named so
//!
//! The memory is what the built matcher holds (bytes allocated and not freed while parsing
//! the patterns and building it, with the parsed patterns and the builder dropped), counted by
//! a global allocator; this file may use `unsafe` for that alone.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use bus_contract::{Matcher, Pattern, Scratch};

struct Counting;

/// Bytes allocated and not yet freed, by every thread.
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

mod common;
use common::corpus;

/// The same events, each with an `ip` member first (an address in 10.0.0.0/8), for `cidr`.
fn with_addresses(lines: &[Vec<u8>]) -> Vec<Vec<u8>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let ip = format!(r#"{{"ip":"10.{}.{}.{}","#, i % 7, i % 251, i % 13);
            [ip.as_bytes(), &l[1..]].concat()
        })
        .collect()
}

fn street(cond: &str) -> String {
    format!(r#"{{"properties":{{"STREET":[{cond}]}}}}"#)
}

/// A second field the corpus lacks keeps the operators that match almost every value
/// (`anything-but`) from matching.
fn guarded(cond: &str, i: usize) -> String {
    format!(r#"{{"properties":{{"STREET":[{cond}],"BLOCK_NUM":["ZZ{i}"]}}}}"#)
}

fn x(cond: &str) -> String {
    format!(r#"{{"geometry":{{"firstCoordinates":{{"x":[{cond}]}}}}}}"#)
}

type Make = fn(usize) -> String;

/// Each operator, and whether its events carry addresses.
fn operators() -> Vec<(&'static str, Make, bool)> {
    vec![
        ("exact", |i| street(&format!(r#""ZZ{i}""#)), false),
        (
            "prefix",
            |i| street(&format!(r#"{{"prefix":"ZZ{i}"}}"#)),
            false,
        ),
        (
            "suffix",
            |i| street(&format!(r#"{{"suffix":"{i}ZZ"}}"#)),
            false,
        ),
        (
            "equals-ignore-case (ASCII)",
            |i| street(&format!(r#"{{"equals-ignore-case":"zz{i}"}}"#)),
            false,
        ),
        (
            "equals-ignore-case (non-ASCII)",
            |i| street(&format!(r#"{{"equals-ignore-case":"ŻŻ{i}"}}"#)),
            false,
        ),
        (
            "prefix equals-ignore-case",
            |i| street(&format!(r#"{{"prefix":{{"equals-ignore-case":"zz{i}"}}}}"#)),
            false,
        ),
        (
            "suffix equals-ignore-case",
            |i| street(&format!(r#"{{"suffix":{{"equals-ignore-case":"{i}zz"}}}}"#)),
            false,
        ),
        (
            "wildcard (literal start)",
            |i| street(&format!(r#"{{"wildcard":"ZZ{i}*Q"}}"#)),
            false,
        ),
        (
            "wildcard (*x*)",
            |i| street(&format!(r#"{{"wildcard":"*ZZ{i}*Q*"}}"#)),
            false,
        ),
        (
            "anything-but (list)",
            |i| guarded(&format!(r#"{{"anything-but":["A{i}","B{i}"]}}"#), i),
            false,
        ),
        (
            "anything-but prefix",
            |i| guarded(&format!(r#"{{"anything-but":{{"prefix":"ZZ{i}"}}}}"#), i),
            false,
        ),
        (
            "anything-but suffix",
            |i| guarded(&format!(r#"{{"anything-but":{{"suffix":"{i}ZZ"}}}}"#), i),
            false,
        ),
        (
            "anything-but wildcard",
            |i| guarded(&format!(r#"{{"anything-but":{{"wildcard":"ZZ{i}*"}}}}"#), i),
            false,
        ),
        (
            "anything-but (numbers)",
            |i| {
                format!(
                    r#"{{"geometry":{{"firstCoordinates":{{"x":[{{"anything-but":[{i},{}]}}]}}}},"properties":{{"BLOCK_NUM":["ZZ{i}"]}}}}"#,
                    i + 1
                )
            },
            false,
        ),
        ("exists", |i| guarded(r#"{"exists":true}"#, i), false),
        (
            "numeric range",
            |i| {
                x(&format!(
                    r#"{{"numeric":[">",{},"<=",{}.5]}}"#,
                    1000 + i,
                    1000 + i
                ))
            },
            false,
        ),
        (
            "numeric =",
            |i| x(&format!(r#"{{"numeric":["=",{}]}}"#, 1000 + i)),
            false,
        ),
        (
            "cidr",
            |i| {
                format!(
                    r#"{{"ip":[{{"cidr":"192.{}.{}.0/24"}}]}}"#,
                    i / 256 % 256,
                    i % 256
                )
            },
            true,
        ),
        (
            "IP address literal",
            |i| format!(r#"{{"ip":["192.168.{}.{}"]}}"#, i / 256 % 256, i % 256),
            true,
        ),
    ]
}

/// The matcher for `n` rules, the time to build it (parsing included) and the bytes it holds.
fn build(make: Make, n: usize) -> (Matcher, Duration, isize) {
    let texts: Vec<String> = (0..n).map(make).collect();
    let before = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    let matcher = {
        let mut b = Matcher::builder();
        for (i, t) in texts.iter().enumerate() {
            b.add(format!("r{i}"), Pattern::parse(t).expect("a valid pattern"))
                .expect("unique names");
        }
        b.stop_early(true);
        b.build().expect("one set of options")
    };
    let took = start.elapsed();
    (matcher, took, LIVE.load(Ordering::Relaxed) - before)
}

/// Nanoseconds per event, best of three passes, and the hits.
fn per_event(m: &Matcher, lines: &[Vec<u8>]) -> (f64, usize) {
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    let mut hits = 0;
    let best = (0..3)
        .map(|_| {
            hits = 0;
            let t = Instant::now();
            for l in lines {
                m.matches_into(black_box(l), &mut scratch, &mut out)
                    .expect("a valid event");
                hits += out.len();
            }
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    (best.as_nanos() as f64 / lines.len() as f64, hits)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut counts: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    // Other arguments pick operators by a part of their names.
    let only: Vec<&String> = args
        .iter()
        .filter(|a| a.parse::<usize>().is_err())
        .collect();
    if counts.is_empty() {
        counts = vec![5, 500, 5_000, 50_000];
    }
    let Some(lines) = corpus() else {
        eprintln!("skipping: target/citylots/cl2.jsonl not found; run benches/scaling.sh");
        return;
    };
    let addressed = with_addresses(&lines);
    let largest = counts.iter().copied().max().unwrap_or_default();
    println!(
        "{} events in memory, one thread; ns/event (cost relative to {} rules)\n",
        lines.len(),
        counts[0]
    );
    let heads: Vec<String> = counts.iter().map(|n| format!("{n} rules")).collect();
    println!(
        "| operator | {} | build µs/rule at {largest} | bytes/rule at {largest} | hits at {largest} |",
        heads.join(" | ")
    );
    println!("|---|{}---|---|---|", "---|".repeat(counts.len()));
    for (name, make, ip) in operators() {
        if !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        let events = if ip { &addressed } else { &lines };
        let mut cells = Vec::new();
        let mut base = 0.0;
        let (mut build_us, mut bytes, mut hits) = (0.0, 0, 0);
        for &n in &counts {
            let (m, took, held) = build(make, n);
            let (ns, h) = per_event(&m, events);
            if cells.is_empty() {
                base = ns;
            }
            cells.push(format!("{ns:.0} ({:.2}×)", ns / base));
            if n == largest {
                build_us = took.as_secs_f64() * 1e6 / n as f64;
                bytes = held / n as isize;
                hits = h;
            }
        }
        println!(
            "| {name} | {} | {build_us:.1} | {bytes} | {hits} |",
            cells.join(" | ")
        );
    }
}
