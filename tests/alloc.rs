//! After warm-up, matching allocates nothing per event: a counting allocator checks it.
//!
//! A global allocator needs `unsafe impl`; this test file is the only place that may use
//! `unsafe` (the library forbids it).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bus_contract::{Matcher, Scratch, Workspace};

struct Counting;

thread_local! {
    /// Allocations made by this thread: tests run in parallel, each counts its own.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn alloc_matching_allocates_nothing_after_warm_up() {
    // Every Bellyfed rule, and the generated events they receive.
    let ws = Workspace::bellyfed();
    let mut builder = Matcher::builder();
    for r in ws.rules() {
        builder
            .add(
                format!("{}/{}", r.service, r.name),
                r.pattern.unwrap().clone(),
            )
            .unwrap();
    }
    for stop_early in [false, true] {
        builder.stop_early(stop_early);
        let matcher = builder.build().unwrap();
        let events: Vec<Vec<u8>> = ws
            .rules()
            .iter()
            .flat_map(|r| {
                let p = r.pattern.unwrap();
                bus_contract::strategy::sample(&bus_contract::strategy::matching(p), 20, 1).unwrap()
            })
            .map(|e| serde_json::to_vec(&e).unwrap())
            .collect();
        let mut scratch = Scratch::default();
        let mut out = Vec::with_capacity(64);
        let mut hits = 0;
        // Warm-up: buffers grow to their working size.
        for e in &events {
            matcher.matches_into(e, &mut scratch, &mut out).unwrap();
        }
        let before = allocations();
        for _ in 0..3 {
            for e in &events {
                matcher.matches_into(e, &mut scratch, &mut out).unwrap();
                hits += out.len();
            }
        }
        let allocated = allocations() - before;
        assert!(
            hits >= 3 * events.len(),
            "every generated event matches its rule"
        );
        assert_eq!(
            allocated,
            0,
            "{allocated} allocations over {} events (stop_early = {stop_early})",
            3 * events.len()
        );
    }
}

/// Array consistency is settled in place too: no allocation for events that need it.
#[test]
fn alloc_array_consistency_allocates_nothing() {
    let mut builder = Matcher::builder();
    builder
        .add(
            "both",
            bus_contract::Pattern::parse(r#"{"d":{"a":[{"exists":true}],"b":[{"exists":true}]}}"#)
                .unwrap(),
        )
        .unwrap();
    builder
        .add(
            "absent",
            bus_contract::Pattern::parse(r#"{"d":{"b":[3],"c":[{"exists":false}]}}"#).unwrap(),
        )
        .unwrap();
    let matcher = builder.build().unwrap();
    let events: [&[u8]; 3] = [
        br#"{"d":[{"a":1},{"b":2},{"a":3,"b":4}]}"#,
        br#"{"d":[{"a":1},{"b":2}]}"#,
        br#"{"d":[{"b":3},{"b":1,"c":2}]}"#,
    ];
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(8);
    for e in events {
        matcher.matches_into(e, &mut scratch, &mut out).unwrap();
    }
    let mut hits = Vec::with_capacity(events.len());
    let before = allocations();
    for e in events {
        matcher.matches_into(e, &mut scratch, &mut out).unwrap();
        hits.push(out.len());
    }
    let allocated = allocations() - before;
    assert_eq!(allocated, 0);
    assert_eq!(hits, [1, 0, 1]);
}

/// Every indexed operator, and non-ASCII case folding, match without allocating after
/// warm-up: numeric ranges, wildcards, folded text and its prefix and suffix forms.
#[test]
fn alloc_indexed_operators_allocate_nothing() {
    let mut builder = Matcher::builder();
    for i in 0..40 {
        for (name, pattern) in [
            (
                "range",
                format!(r#"{{"n": [{{"numeric": [">", {i}, "<=", {}]}}]}}"#, i + 1),
            ),
            ("wild", format!(r#"{{"s": [{{"wildcard": "Ż{i}*x"}}]}}"#)),
            (
                "folded",
                format!(r#"{{"s": [{{"equals-ignore-case": "Straße{i}"}}]}}"#),
            ),
            (
                "prefix",
                format!(r#"{{"s": [{{"prefix": {{"equals-ignore-case": "ŻÓ{i}"}}}}]}}"#),
            ),
            (
                "suffix",
                format!(r#"{{"s": [{{"suffix": {{"equals-ignore-case": "{i}ÉÈ"}}}}]}}"#),
            ),
            ("inner", format!(r#"{{"s": [{{"wildcard": "*y{i}*x*"}}]}}"#)),
            (
                "but",
                format!(r#"{{"s": [{{"anything-but": {{"prefix": "Q{i}"}}}}], "n": [{i}]}}"#),
            ),
            (
                "cidr",
                format!(r#"{{"ip": [{{"cidr": "10.{i}.0.0/16"}}]}}"#),
            ),
            ("v6", format!(r#"{{"ip": ["2001:db8::{i:x}"]}}"#)),
        ] {
            builder
                .add(
                    format!("{name}{i}"),
                    bus_contract::Pattern::parse(&pattern).unwrap(),
                )
                .unwrap();
        }
    }
    let matcher = builder.build().unwrap();
    let events: Vec<Vec<u8>> = (0..40)
        .flat_map(|i| {
            [
                format!(r#"{{"n": {}.5, "s": "STRASSE{i}"}}"#, i),
                format!(r#"{{"s": "Ż{i}yyx"}}"#),
                format!(r#"{{"s": "żó{i}ééè"}}"#),
                format!(r#"{{"s": ["straße{i}", "x{i}éè"], "n": [1, {i}]}}"#),
                format!(r#"{{"s": "ay{i}bxc", "ip": "10.{i}.3.4"}}"#),
                format!(r#"{{"ip": "2001:db8:0:0::{i:x}", "s": ["Q{i}", "R"], "n": {i}}}"#),
            ]
        })
        .map(String::into_bytes)
        .collect();
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(256);
    for e in &events {
        matcher.matches_into(e, &mut scratch, &mut out).unwrap();
    }
    let before = allocations();
    let mut hits = 0;
    for e in &events {
        matcher.matches_into(e, &mut scratch, &mut out).unwrap();
        hits += out.len();
    }
    let allocated = allocations() - before;
    assert!(hits >= events.len(), "the events match: {hits}");
    assert_eq!(
        allocated,
        0,
        "{allocated} allocations over {} events",
        events.len()
    );
}
