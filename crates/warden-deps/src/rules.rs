//! The analyzer's rules (`data/rules.toml`): metadata for `warden rules`/`explain`/SARIF, and the example
//! repositories each rule carries (checked by `tests/deps.rs`).

use std::sync::OnceLock;
use warden_core::ExampleRule;

pub const RULES_TOML: &str = include_str!("../data/rules.toml");

pub const VULNERABLE: &str = "vulnerable-package";
pub const VCS_UNPINNED: &str = "vcs-dependency-unpinned";
pub const URL_DEPENDENCY: &str = "url-dependency";
pub const EXTRA_INDEX: &str = "extra-index-url";
pub const INSTALL_SCRIPT: &str = "install-script";
pub const UNPINNED: &str = "unpinned-without-lockfile";
pub const TYPOSQUAT: &str = "typosquat";
pub const OUT_OF_SYNC: &str = "lockfile-out-of-sync";

/// One rule as written in `rules.toml` (the shape every rules-as-data analyzer shares).
pub type Rule = ExampleRule;

/// Every rule; a broken file is caught by this crate's tests.
pub fn all() -> &'static [Rule] {
    static R: OnceLock<Vec<Rule>> = OnceLock::new();
    R.get_or_init(|| Rule::parse_all(crate::NAME, RULES_TOML).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_file_reads_and_every_rule_but_the_database_one_has_examples() {
        let rules = Rule::parse_all(crate::NAME, RULES_TOML).unwrap();
        assert_eq!(rules.len(), 8);
        for id in [
            VULNERABLE,
            VCS_UNPINNED,
            URL_DEPENDENCY,
            EXTRA_INDEX,
            INSTALL_SCRIPT,
            UNPINNED,
            TYPOSQUAT,
            OUT_OF_SYNC,
        ] {
            let r = rules
                .iter()
                .find(|r| r.short_id() == id)
                .unwrap_or_else(|| panic!("{id}"));
            if id != VULNERABLE {
                assert!(!r.example.is_empty() && !r.negative.is_empty(), "{id}");
            }
        }
    }
}
