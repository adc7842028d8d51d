//! Every `ai/` rule's examples (crates/warden-ai/data/rules.toml): each example repository raises the rule in
//! `warden scan`, each negative example does not. The examples are whole small repositories because the rules
//! join what several analyzers see (code, manifests, MCP configs, Terraform).

mod common;
use common::*;

#[test]
fn every_ai_rule_fires_on_its_examples_and_not_on_its_negative_examples() {
    let rules = warden_ai::rules::all();
    assert!(!rules.is_empty());
    let failures = rule_example_failures(rules, &[]);
    assert!(failures.is_empty(), "{failures:#?}");
}
