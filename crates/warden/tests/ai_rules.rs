//! Every `ai/` rule's examples (crates/warden-ai/data/rules.toml): each example repository raises the rule in
//! `warden scan`, each negative example does not. The examples are whole small repositories because the rules
//! join what several analyzers see (code, manifests, MCP configs, Terraform).

mod common;
use common::*;

fn scan_ids(files: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text.trim_start());
    }
    let out = warden()
        .args(["scan", ".", "--format", "json", "--fail-on", "none"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    rule_ids(&json(&out.get_output().stdout))
}

#[test]
fn every_ai_rule_fires_on_its_examples_and_not_on_its_negative_examples() {
    let rules = warden_ai::rules::all();
    assert!(!rules.is_empty());
    let mut failures = Vec::new();
    for r in rules {
        let id = r.full_id();
        for (i, ex) in r.example.iter().enumerate() {
            let ids = scan_ids(ex);
            if !ids.contains(&id) {
                failures.push(format!(
                    "{id}: example {} did not fire (got {ids:?})",
                    i + 1
                ));
            }
        }
        for (i, ex) in r.negative.iter().enumerate() {
            let ids = scan_ids(ex);
            if ids.contains(&id) {
                failures.push(format!("{id}: negative example {} fired", i + 1));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
