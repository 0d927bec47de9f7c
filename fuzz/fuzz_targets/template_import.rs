//! Every template reader (CloudFormation YAML and JSON, SAM, Terraform JSON and HCL) takes any
//! input without panicking. The first byte picks the file's ending.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let name = match first % 3 {
        0 => "template.yaml",
        1 => "template.json",
        _ => "main.tf",
    };
    let dir = std::env::temp_dir().join(format!("bus-contract-fuzz-tpl-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    if std::fs::write(&path, rest).is_err() {
        return;
    }
    let mut parameters = std::collections::BTreeMap::new();
    parameters.insert("Environment".to_string(), "prod".to_string());
    let imported = bus_contract::import::import(&path, name, &parameters);
    for rule in &imported.rules {
        let _ = bus_contract::Pattern::parse(&rule.pattern);
    }
});
