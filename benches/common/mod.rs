//! What the in-memory benches share.

/// How many citylots events the in-memory benches match.
pub const LINES: usize = 20_000;

/// The first [`LINES`] events of the citylots corpus (`benches/citylots.sh` generates it), or
/// as many as `CITYLOTS_LINES` says (`all` for every one), each its own buffer; `None` when
/// the corpus is not there.
pub fn corpus() -> Option<Vec<Vec<u8>>> {
    let lines = match std::env::var("CITYLOTS_LINES").as_deref() {
        Ok("all") => usize::MAX,
        Ok(n) => n.parse().unwrap_or(LINES),
        Err(_) => LINES,
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/citylots/cl2.jsonl");
    let text = std::fs::read(path).ok()?;
    Some(
        text.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .take(lines)
            .map(<[u8]>::to_vec)
            .collect(),
    )
}
