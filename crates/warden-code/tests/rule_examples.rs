//! Every code rule carries positive and negative examples; this runs each one through the real analyzer with
//! that rule alone (parse, lowering, models, taint), so a rule that stops matching its example, or starts
//! matching its safe twin, fails here.

use std::collections::HashSet;
use warden_code::rules::embedded_rules;
use warden_code::{CodeAnalyzer, CodeSettings};

fn file_name(lang: &str) -> &'static str {
    match lang {
        "python" => "example.py",
        "javascript" => "example.js",
        "typescript" => "example.tsx",
        "go" => "example.go",
        other => panic!("unknown example language {other}"),
    }
}

#[test]
fn every_rule_is_well_formed() {
    let rules = embedded_rules().expect("rule files parse");
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for (file, r) in &rules {
        let at = format!("{file}: code/{}", r.id);
        if !ids.insert(r.id.clone()) {
            problems.push(format!("{at}: duplicate id"));
        }
        if !r
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problems.push(format!("{at}: id must be kebab-case"));
        }
        if r.examples.is_empty() || r.negative_examples.is_empty() {
            problems.push(format!("{at}: needs examples and negative_examples"));
        }
        if r.description.trim().len() < 40 || r.remediation.trim().len() < 20 {
            problems.push(format!("{at}: needs a description and a remediation"));
        }
        if r.references.is_empty() || !r.tags.iter().any(|t| t.starts_with("CWE-")) {
            problems.push(format!("{at}: needs a reference and a CWE tag"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn examples_match_and_negative_examples_do_not() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (file, def) in embedded_rules().expect("rule files parse") {
        let id = def.full_id();
        let analyzer = CodeAnalyzer::from_defs(vec![(file, def.clone())], CodeSettings::default())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        for (i, ex) in def.examples.iter().enumerate() {
            let path = ex
                .path
                .clone()
                .unwrap_or_else(|| file_name(&ex.lang).to_string());
            let out = analyzer.analyze_text(&path, &ex.code);
            checked += 1;
            if !out.findings.iter().any(|f| f.rule_id == id) {
                problems.push(format!(
                    "{id}: example {} ({}) is not reported{}",
                    i + 1,
                    ex.lang,
                    if out.partial.is_empty() {
                        String::new()
                    } else {
                        format!(" (partial: {:?})", out.partial)
                    }
                ));
            }
        }
        for (i, ex) in def.negative_examples.iter().enumerate() {
            let path = ex
                .path
                .clone()
                .unwrap_or_else(|| file_name(&ex.lang).to_string());
            let out = analyzer.analyze_text(&path, &ex.code);
            checked += 1;
            for f in out.findings.iter().filter(|f| f.rule_id == id) {
                problems.push(format!(
                    "{id}: negative example {} ({}) is reported at line {}: {}",
                    i + 1,
                    ex.lang,
                    f.location.start_line,
                    f.snippet
                ));
            }
        }
    }
    assert!(checked > 80, "only {checked} examples");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
