//! Writes a synthetic workspace for benchmarking `check`: N services, each publishing 5 events
//! (with a schema and an example) and subscribing with 10 rules to events of other services.
//!
//!     cargo run --release --example gen_workspace -- DIR [SERVICES] [practices]
//!
//! With `practices`, every practice check is on (`practices:` in `bus-contract.yaml`) and the
//! contracts give what they ask for: size budgets and bounded schemas, idempotency keys,
//! alarms and consumers.

use std::fmt::Write as _;
use std::path::Path;

const DOMAINS: [&str; 4] = ["user", "auth", "system", "analytics"];
const ACTIONS: [&str; 5] = ["created", "updated", "deleted", "viewed", "scored"];

fn bus(domain: &str) -> String {
    match domain {
        "system" => "acme-infra-system-${environment}".into(),
        "analytics" => "acme-analytics-${environment}".into(),
        d => format!("acme-domain-{d}-${{environment}}"),
    }
}

fn pascal(s: &str) -> String {
    s.split(['-', '.'])
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map_or("target/bench-workspace", String::as_str));
    let services: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let practices = args.get(3).is_some_and(|a| a == "practices");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("contracts/examples"))?;
    let mut config = "environments: [dev, staging, prod]\nconventions:\n  service: acme\n  categories: [domain, infra, analytics]\n  domains: [user, auth, system, analytics]\n  bus-names:\n    - \"{service}-{category}-{domain}-{environment}\"\n    - pattern: \"{service}-analytics-{environment}\"\n      domain: analytics\n  event-names: \"{domain}.{entity}.{action}\"\n  sources: \"acme.{domain}\"\n  detail-types: PascalCase\n".to_string();
    if practices {
        config.push_str("practices:\n  require-idempotency-key: true\n  require-size-budget: true\n  report-unused-fields: true\n  sensitive-fields:\n    denied-buses: [\"acme-analytics-${environment}\"]\n  require-alarms: true\n  require-timeouts: true\n  require-partial-failure-reporting: true\n  require-concurrency-limit: true\n");
    }
    std::fs::write(dir.join("bus-contract.yaml"), config)?;
    let (budget, closed, max_len) = if practices {
        (
            "    size-budget: 4096\n",
            "      additionalProperties: false\n",
            ", maxLength: 64",
        )
    } else {
        ("", "", "")
    };
    // Event e of service s: domain by service, entity by service, action by e.
    let event = |s: usize, e: usize| {
        let d = DOMAINS[s % DOMAINS.len()];
        (
            d,
            format!("{d}.entity{s}.{}", ACTIONS[e]),
            pascal(&format!("entity{s}-{}", ACTIONS[e])),
        )
    };
    for s in 0..services {
        let mut c = format!("service: svc{s}\npublishes:\n");
        for e in 0..5 {
            let (d, name, dt) = event(s, e);
            let example = format!("examples/svc{s}-{e}.json");
            let _ = write!(
                c,
                "  - event: {name}\n    bus: {}\n    source: acme.{d}\n    detail-type: {dt}\n{budget}    schema:\n      type: object\n{closed}      required: [id, score, kind]\n      properties:\n        id: {{ type: string{max_len} }}\n        score: {{ type: integer, minimum: 0, maximum: 100 }}\n        kind: {{ type: string, enum: [a, b, c] }}\n        note: {{ type: string{max_len} }}\n    examples: [{example}]\n",
                bus(d)
            );
            let ex = format!(
                "{{\"version\":\"0\",\"id\":\"{s}-{e}\",\"detail-type\":\"{dt}\",\"source\":\"acme.{d}\",\"account\":\"123456789012\",\"time\":\"2026-11-27T10:00:00Z\",\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{{\"id\":\"x{s}\",\"score\":{},\"kind\":\"{}\"}}}}\n",
                (s * 7 + e * 13) % 101,
                ["a", "b", "c"][(s + e) % 3]
            );
            std::fs::write(dir.join("contracts").join(&example), ex)?;
        }
        c.push_str("subscribes:\n");
        for r in 0..10 {
            // Subscribe to an event of another service in the same domain, so buses meet.
            let other = (s + 4 * (r + 1)) % services;
            let (d, name, dt) = event(other, r % 5);
            let detail = match r % 4 {
                0 => String::new(),
                1 => ", detail: { score: [{ numeric: [\">=\", 10] }] }".into(),
                2 => ", detail: { kind: [{ anything-but: c }] }".into(),
                _ => ", detail: { id: [{ prefix: x }], note: [{ exists: false }] }".into(),
            };
            let _ = write!(
                c,
                "  - rule: svc{s}-rule{r}\n    bus: {}\n    pattern: {{ source: [acme.{d}], detail-type: [{dt}]{detail} }}\n    expects: [{name}]\n    uses: [detail.id, detail.score]\n    target: svc{s}-handler\n    dead-letter-queue: svc{s}-dlq\n    retry-policy: {{ maximum-retry-attempts: 3, maximum-event-age-seconds: 600 }}\n",
                bus(d)
            );
            if practices {
                let _ = write!(
                    c,
                    "    idempotency-key: id\n    alarms: {{ failed-invocations: svc{s}-rule{r}-failures, dead-letter-queue: svc{s}-dlq-depth }}\n    consumer: {{ timeout: 30, queue-visibility-timeout: 180, source: sqs, batch-size: 10, report-batch-item-failures: true, maximum-concurrency: 5 }}\n"
                );
            }
        }
        std::fs::write(dir.join(format!("contracts/svc{s}.yaml")), c)?;
    }
    println!(
        "wrote {services} services, {} events, {} rules to {}",
        services * 5,
        services * 10,
        dir.display()
    );
    Ok(())
}
