//! The analyzer's rules (`data/rules.toml`): metadata for `warden rules`/`explain`/SARIF, and the example
//! repositories each rule carries (checked by `tests/ai_rules.rs`).

use std::sync::OnceLock;
use warden_core::{ExampleRule, RuleMeta};

pub const RULES_TOML: &str = include_str!("../data/rules.toml");

pub const PUBLIC_LLM_APP: &str = "public-llm-app";
pub const AGENT_POWERFUL_WORKLOAD: &str = "agent-tool-in-powerful-workload";
pub const PII_IN_VECTOR_STORE: &str = "pii-in-vector-store";
pub const MCP_UNPINNED: &str = "mcp-server-unpinned";
pub const MCP_PLAIN_HTTP: &str = "mcp-server-plain-http";
pub const SERVED_MODEL_UNPINNED: &str = "served-model-unpinned";
pub const AI_SERVICE_BROAD_ROLE: &str = "ai-service-broad-role";

/// One rule as written in `rules.toml` (the shape every rules-as-data analyzer shares).
pub type Rule = ExampleRule;

/// Every rule; a broken file is caught by this crate's tests.
pub fn all() -> &'static [Rule] {
    static R: OnceLock<Vec<Rule>> = OnceLock::new();
    R.get_or_init(|| Rule::parse_all(crate::NAME, RULES_TOML).unwrap_or_default())
}

/// A rule's metadata by its short id (`public-llm-app`).
pub fn meta(id: &str) -> Option<RuleMeta> {
    all().iter().find(|r| r.short_id() == id).map(Rule::meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_parses_and_carries_examples_both_ways() {
        let f = Rule::parse_all(crate::NAME, RULES_TOML).expect("rules.toml");
        assert_eq!(f.len(), 7);
        for r in &f {
            assert!(!r.example.is_empty(), "{} has no example", r.id);
            assert!(!r.negative.is_empty(), "{} has no negative example", r.id);
            assert!(
                r.tags.iter().any(|t| t.starts_with("OWASP-LLM")),
                "{} names its OWASP LLM Top 10 risk",
                r.id
            );
        }
        for id in [
            PUBLIC_LLM_APP,
            AGENT_POWERFUL_WORKLOAD,
            PII_IN_VECTOR_STORE,
            MCP_UNPINNED,
            MCP_PLAIN_HTTP,
            SERVED_MODEL_UNPINNED,
            AI_SERVICE_BROAD_ROLE,
        ] {
            assert!(meta(id).is_some(), "{id}");
        }
    }
}
