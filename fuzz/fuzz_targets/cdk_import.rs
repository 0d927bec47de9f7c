//! The CDK assembly reader takes any manifest and template without panicking or looping. The
//! input is a manifest and a template separated by a NUL byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (manifest, template) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let dir = std::env::temp_dir().join(format!("bus-contract-fuzz-cdk-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    if std::fs::write(dir.join("manifest.json"), manifest).is_err()
        || std::fs::write(dir.join("Stack.template.json"), template).is_err()
    {
        return;
    }
    let imported = bus_contract::import::import(&dir, "cdk.out", &Default::default());
    for rule in &imported.rules {
        let _ = bus_contract::Pattern::parse(&rule.pattern);
    }
});
