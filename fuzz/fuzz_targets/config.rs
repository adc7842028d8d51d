//! `warden.toml` parsing on arbitrary text: no panic, and every error points at a line and column >= 1.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use warden_core::config::ConfigError;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match warden_core::Config::parse(text, Path::new("warden.toml")) {
        Ok(_) => {}
        Err(ConfigError::Invalid { line, column, .. }) => {
            assert!(line >= 1 && column >= 1, "error at {line}:{column}");
        }
        Err(e) => panic!("parse returned a read error: {e}"),
    }
});
