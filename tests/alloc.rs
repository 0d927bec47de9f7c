//! After warm-up, matching allocates nothing per event: a counting allocator checks it.
//!
//! A global allocator needs `unsafe impl`; this test file is the only place that may use
//! `unsafe` (the library forbids it).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bus_contract::{Matcher, Scratch, Workspace};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..3 {
            for e in &events {
                matcher.matches_into(e, &mut scratch, &mut out).unwrap();
                hits += out.len();
            }
        }
        let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
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
