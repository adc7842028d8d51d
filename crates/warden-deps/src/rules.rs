//! The analyzer's rules (`data/rules.toml`): metadata for `warden rules`/`explain`/SARIF, and the example
//! repositories each rule carries (checked by `crates/warden/tests/deps_rules.rs`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use warden_core::{Confidence, RuleMeta, Severity};

pub const RULES_TOML: &str = include_str!("../data/rules.toml");

pub const VULNERABLE: &str = "vulnerable-package";
pub const VCS_UNPINNED: &str = "vcs-dependency-unpinned";
pub const URL_DEPENDENCY: &str = "url-dependency";
pub const EXTRA_INDEX: &str = "extra-index-url";
pub const INSTALL_SCRIPT: &str = "install-script";
pub const UNPINNED: &str = "unpinned-without-lockfile";
pub const TYPOSQUAT: &str = "typosquat";
pub const OUT_OF_SYNC: &str = "lockfile-out-of-sync";

/// One rule as written in `rules.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub tags: Vec<String>,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Small repositories (path → content) that must raise the rule.
    #[serde(default)]
    pub example: Vec<BTreeMap<String, String>>,
    /// Small repositories that must not.
    #[serde(default)]
    pub negative: Vec<BTreeMap<String, String>>,
}

impl Rule {
    pub fn full_id(&self) -> String {
        format!("{}/{}", crate::NAME, self.id)
    }

    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.full_id(),
            title: self.title.clone(),
            severity: self.severity,
            confidence: self.confidence,
            description: self.description.trim().to_string(),
            remediation: self.remediation.clone(),
            tags: self.tags.clone(),
            references: self.references.clone(),
        }
    }
}

#[derive(Deserialize)]
struct File {
    rule: Vec<Rule>,
}

/// Every rule; a broken file is caught by this crate's tests.
pub fn all() -> &'static [Rule] {
    static R: OnceLock<Vec<Rule>> = OnceLock::new();
    R.get_or_init(|| {
        toml::from_str::<File>(RULES_TOML)
            .map(|f| f.rule)
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_file_reads_and_every_rule_but_the_database_one_has_examples() {
        let rules: Vec<Rule> = toml::from_str::<File>(RULES_TOML).unwrap().rule;
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
                .find(|r| r.id == id)
                .unwrap_or_else(|| panic!("{id}"));
            if id != VULNERABLE {
                assert!(!r.example.is_empty() && !r.negative.is_empty(), "{id}");
            }
        }
    }
}
