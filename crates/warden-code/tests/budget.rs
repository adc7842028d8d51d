//! A file whose parse runs out of its time budget is listed as not analysed; nothing panics (a parse abandoned
//! under load once left the engine an empty module).

use warden_code::rules::embedded_rules;
use warden_code::{CodeAnalyzer, CodeSettings};

#[test]
fn a_parse_over_budget_is_a_partial_note_not_a_panic() {
    let settings = CodeSettings {
        parse_budget_ms: 0,
        ..CodeSettings::default()
    };
    let analyzer = CodeAnalyzer::from_defs(embedded_rules().unwrap(), settings).unwrap();
    let src = "import os\n".to_string() + &"os.system(input())\n".repeat(20_000);
    let out = analyzer.analyze_text("big.py", &src);
    assert!(out.findings.is_empty());
    assert!(
        out.partial.iter().any(|p| p.contains("parse took over")),
        "{:?}",
        out.partial
    );
}
