//! Baseline JSON parsing on arbitrary text: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = warden_scan::baseline::Baseline::parse(text, "baseline.json");
});
