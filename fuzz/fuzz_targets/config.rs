//! `warden.toml` parsing on arbitrary text: no panic, and every error points at a line and column >= 1. An
//! analyzer section that parses as a table is then read as each analyzer's settings (`[secrets]`, `[code]`,
//! `[intent]`, whose validation must not panic either), with the same rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use warden_core::config::ConfigError;

fn check(e: ConfigError) {
    match e {
        ConfigError::Invalid { line, column, .. } => {
            assert!(line >= 1 && column >= 1, "error at {line}:{column}")
        }
        e => panic!("parse returned a read error: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match warden_core::Config::parse(text, Path::new("warden.toml")) {
        Ok(config) => {
            for (name, section) in &config.sections {
                if let Err(e) = section.parse::<warden_secrets::SecretsSettings>(name) {
                    check(e);
                }
                if let Err(e) = section.parse::<warden_code::CodeSettings>(name) {
                    check(e);
                }
                match section.parse::<warden_code::intent::IntentSettings>(name) {
                    Ok(intent) => {
                        if intent.validate().is_ok() {
                            let _ = warden_code::intent::check(&intent, &[], &[]);
                        }
                    }
                    Err(e) => check(e),
                }
            }
        }
        Err(e) => check(e),
    }
});
