//! The parse floor of the citylots benchmark: `serde_json` into `IgnoredAny` over the same lines,
//! read the same way `bus-contract match` reads them. Prints events per second.
//!
//!     cargo run --release --example parse_floor -- FILE

use std::io::BufRead;

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/citylots/cl2.jsonl".into());
    let mut reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
    let mut line = Vec::with_capacity(1 << 12);
    let (mut events, mut bad) = (0u64, 0u64);
    let start = std::time::Instant::now();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(&line).is_err() {
            bad += 1;
        }
        events += 1;
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "{{\"events\": {events}, \"bad\": {bad}, \"elapsed_seconds\": {s}, \"events_per_second\": {}}}",
        events as f64 / s
    );
    Ok(())
}
