//! The scan's `rules_version` changes when what a rule matches changes, not only its title or severity.

use warden_core::Analyzer;
use warden_secrets::rules::embedded_rules;
use warden_secrets::SecretsAnalyzer;

#[test]
fn a_pattern_or_keyword_edit_changes_the_digest() {
    let defs: Vec<_> = embedded_rules()
        .unwrap()
        .into_iter()
        .map(|(_, d)| d)
        .take(5)
        .collect();
    let digest = |defs: Vec<_>| {
        SecretsAnalyzer::from_defs(defs)
            .unwrap()
            .rules_digest_input()
    };
    let base = digest(defs.clone());
    assert_eq!(base, digest(defs.clone()));
    let mut changed = defs.clone();
    changed[0].pattern.push_str("x?");
    assert_ne!(base, digest(changed));
    let mut moved = defs.clone();
    let k = moved[0].keywords.pop().unwrap();
    moved[0].paths.push(k);
    assert_ne!(base, digest(moved));
}
