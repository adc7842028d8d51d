//! Any text given as warden.toml either parses or yields an error naming the file and a real position.

use proptest::prelude::*;
use std::path::Path;
use warden_core::{Config, ConfigError};

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]

    #[test]
    fn config_errors_have_positions(text in "(\\[(scan|rules|allowlist)\\]\n|[a-z_]{1,14} = (\"[^\"\n]{0,12}\"|[0-9]{1,4}|\\[\"[^\"\n]{0,8}\"\\]|true)\n|\\PC{0,10}\n){0,8}") {
        match Config::parse(&text, Path::new("w.toml")) {
            Ok(_) => {}
            Err(ConfigError::Invalid { path, line, column, message }) => {
                prop_assert_eq!(path, Path::new("w.toml"));
                prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1);
                prop_assert!(column >= 1);
                prop_assert!(!message.is_empty());
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}
