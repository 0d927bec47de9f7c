//! Loading and checking a workspace whose contract is the input never panics or hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("bus-contract-fuzz-ws-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("contracts"));
    if std::fs::write(dir.join("contracts/fuzzed.yaml"), data).is_err() {
        return;
    }
    let Ok(workspace) = bus_contract::Workspace::load(&dir) else {
        return;
    };
    let _ = workspace.check(&bus_contract::CheckConfig::default().cases(4));
});
