//! The citylots banks and rule-count scaling, on a corpus in memory, each beside the parse
//! floor (`serde_json` into `IgnoredAny` over the same lines) measured in the same run.
//!
//!     benches/citylots.sh                       # generates target/citylots/cl2.jsonl first
//!     cargo bench --bench citylots              # criterion, then a table of ratios
//!     CITYLOTS_LINES=all cargo bench --bench citylots -- --table   # the table, every event
//!
//! The table's ratio is the floor's time over the matcher's, best of 7 passes each, taken in
//! one run: higher is faster than parsing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bus_contract::{Matcher, Pattern, Scratch};
use criterion::{Criterion, Throughput};

mod common;
use common::corpus;

fn banks() -> Vec<(String, Vec<String>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/rules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let rules: serde_json::Value = serde_json::from_str(&text).expect("rules.json is JSON");
    let bank = |name: &str| -> Vec<String> {
        rules["classes"][name]["rules"]
            .as_array()
            .expect("a bank")
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect()
    };
    let mut out: Vec<(String, Vec<String>)> = rules["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .filter(|b| !matches!(*b, "SHELLSTYLE" | "REGEXP"))
        .map(|b| (b.to_string(), bank(b)))
        .collect();
    for composite in ["PARTIAL_COMBO", "COMBO"] {
        let all = rules["composites"][composite]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| bank(b.as_str().unwrap()))
            .collect();
        out.push((composite.to_string(), all));
    }
    out
}

fn matcher(patterns: &[String], stop_early: bool) -> Matcher {
    let mut b = Matcher::builder();
    for (i, p) in patterns.iter().enumerate() {
        b.add(
            format!("r{i}"),
            Pattern::parse_with(p, &bus_contract::Options::default().max_pattern_size(None))
                .expect("valid"),
        )
        .expect("unique");
    }
    b.stop_early(stop_early);
    b.build().expect("builds")
}

fn floor_pass(lines: &[Vec<u8>]) {
    for l in lines {
        let _ = black_box(serde_json::from_slice::<serde::de::IgnoredAny>(l));
    }
}

fn match_pass(
    m: &Matcher,
    lines: &[Vec<u8>],
    scratch: &mut Scratch,
    out: &mut Vec<bus_contract::PatternId>,
) -> usize {
    let mut hits = 0;
    for l in lines {
        m.matches_into(l, scratch, out).expect("valid event");
        hits += out.len();
    }
    hits
}

fn best(mut f: impl FnMut()) -> Duration {
    (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Exact or prefix rules on the STREET field, `n` of them; the first few name real streets.
fn street_rules(n: usize, prefix: bool) -> Vec<String> {
    let real = ["DAVIS", "FULTON", "JEFFERSON", "CRANLEIGH", "MISSION"];
    (0..n)
        .map(|i| {
            let value = if i < real.len() {
                real[i].to_string()
            } else {
                format!("STREET{i:06}")
            };
            let value = if prefix {
                &value[..value.len().min(4 + i % 3)]
            } else {
                value.as_str()
            }
            .to_string();
            if prefix {
                format!(r#"{{"properties":{{"STREET":[{{"prefix":"{value}"}}]}}}}"#)
            } else {
                format!(r#"{{"properties":{{"STREET":["{value}"]}}}}"#)
            }
        })
        .collect()
}

fn main() {
    let Some(lines) = corpus() else {
        eprintln!("skipping: target/citylots/cl2.jsonl not found; run benches/citylots.sh first");
        return;
    };
    let banks = banks();
    if banks.is_empty() {
        eprintln!("skipping: ../shared/bench/rules.json not found");
        return;
    }
    // `-- --table` prints only the table (benches/citylots.sh puts it beside `match`'s rates).
    let table_only = std::env::args().any(|a| a == "--table");
    let c = Criterion::default();
    let mut c = if table_only {
        c
    } else {
        c.configure_from_args()
    }
    .sample_size(10)
    .measurement_time(Duration::from_secs(2));
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    if !table_only {
        let mut g = c.benchmark_group("citylots");
        g.throughput(Throughput::Elements(lines.len() as u64));
        g.bench_function("parse_floor", |b| b.iter(|| floor_pass(&lines)));
        for (name, patterns) in &banks {
            let m = matcher(patterns, true);
            g.bench_function(name.as_str(), |b| {
                b.iter(|| match_pass(&m, &lines, &mut scratch, &mut out))
            });
        }
        g.finish();
    }
    if !table_only {
        let mut g = c.benchmark_group("rule_count");
        g.throughput(Throughput::Elements(lines.len() as u64));
        for prefix in [false, true] {
            for n in [5, 1_000, 10_000, 100_000] {
                let m = matcher(&street_rules(n, prefix), true);
                let id = format!("{}_{n}", if prefix { "prefix" } else { "exact" });
                g.bench_function(id, |b| {
                    b.iter(|| match_pass(&m, &lines, &mut scratch, &mut out))
                });
            }
        }
        g.finish();
    }

    // The table: ratios to the floor, floor measured before and after, in this run.
    let f1 = best(|| floor_pass(&lines));
    println!(
        "\n{} events in memory; parse floor {:.0} events/s",
        lines.len(),
        lines.len() as f64 / f1.as_secs_f64()
    );
    println!("| bank | events/s | ratio to floor | events/s, reading every byte | ratio |");
    println!("| --- | --- | --- | --- | --- |");
    let mut rows = Vec::new();
    for (name, patterns) in &banks {
        let fast = matcher(patterns, true);
        let full = matcher(patterns, false);
        let t_fast = best(|| {
            black_box(match_pass(&fast, &lines, &mut scratch, &mut out));
        });
        let t_full = best(|| {
            black_box(match_pass(&full, &lines, &mut scratch, &mut out));
        });
        rows.push((name.clone(), t_fast, t_full));
    }
    let f2 = best(|| floor_pass(&lines));
    let floor = (f1 + f2) / 2;
    let rate = |t: Duration| lines.len() as f64 / t.as_secs_f64();
    for (name, t_fast, t_full) in rows {
        println!(
            "| {name} | {:.0} | {:.2} | {:.0} | {:.2} |",
            rate(t_fast),
            floor.as_secs_f64() / t_fast.as_secs_f64(),
            rate(t_full),
            floor.as_secs_f64() / t_full.as_secs_f64()
        );
    }
    println!("\n| rules | exact: ns/event | prefix: ns/event |");
    println!("| --- | --- | --- |");
    for n in [5, 1_000, 10_000, 100_000] {
        let mut per = |prefix: bool| {
            let m = matcher(&street_rules(n, prefix), true);
            let t = best(|| {
                black_box(match_pass(&m, &lines, &mut scratch, &mut out));
            });
            t.as_nanos() as f64 / lines.len() as f64
        };
        let (exact, prefix) = (per(false), per(true));
        println!("| {n} | {exact:.0} | {prefix:.0} |");
    }
}
