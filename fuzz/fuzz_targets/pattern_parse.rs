//! Pattern parsing never panics, and a pattern it accepts can be compiled and shown.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pattern) = bus_contract::Pattern::parse(text) {
        let _ = pattern.sub_rule_count();
        let mut builder = bus_contract::Matcher::builder();
        if builder.add("p", pattern).is_ok() {
            let _ = builder.build();
        }
    }
});
