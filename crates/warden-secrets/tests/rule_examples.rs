//! Every secret rule carries its own examples; this runs each one through the real engine (prefilter, windows,
//! decoding, filters, overlap resolution with all the other rules).

use std::collections::HashSet;
use warden_secrets::rules::embedded_rules;
use warden_secrets::SecretsAnalyzer;

#[test]
fn every_rule_is_well_formed() {
    let rules = embedded_rules().expect("rule files parse");
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for (file, r) in &rules {
        let at = format!("{file}: secrets/{}", r.id);
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
        if r.examples.is_empty() {
            problems.push(format!("{at}: no examples"));
        }
        if r.negative_examples.is_empty() {
            problems.push(format!("{at}: no negative_examples"));
        }
        if r.title.trim().is_empty() || r.description.trim().len() < 20 {
            problems.push(format!("{at}: needs a title and a description"));
        }
        if !r.paths.is_empty() && r.example_path.is_none() {
            problems.push(format!("{at}: a rule with paths needs an example_path"));
        }
        for other in &r.pairs_with {
            if !rules.iter().any(|(_, o)| &o.id == other) {
                problems.push(format!("{at}: pairs_with names no rule `{other}`"));
            }
        }
        if r.references.is_empty() {
            problems.push(format!("{at}: needs a reference"));
        }
        if r.single_source && r.confidence == warden_core::Confidence::High {
            problems.push(format!(
                "{at}: a single-source format cannot be high confidence"
            ));
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
    let mut defs = Vec::new();
    for (_, d) in embedded_rules().expect("rule files parse") {
        match SecretsAnalyzer::from_defs(vec![d.clone()]) {
            Ok(a) if a.compile_all().is_empty() => defs.push(d),
            Ok(a) => problems.extend(a.compile_all()),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let analyzer = SecretsAnalyzer::from_defs(defs.clone()).expect("rules compile");
    for d in &defs {
        let id = d.full_id();
        let path = d.example_path.as_deref().unwrap_or("example.txt");
        for (i, ex) in d.examples.iter().enumerate() {
            let found = analyzer.scan(path, ex.as_bytes());
            if !found.iter().any(|f| f.rule_id == id) {
                let others: Vec<_> = found.iter().map(|f| f.rule_id.as_str()).collect();
                problems.push(format!(
                    "{id}: example {i} not detected (found instead: {others:?})"
                ));
            }
        }
        for (i, ex) in d.negative_examples.iter().enumerate() {
            let found = analyzer.scan(path, ex.as_bytes());
            if found.iter().any(|f| f.rule_id == id) {
                problems.push(format!("{id}: negative example {i} was detected"));
            }
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
fn rules_stay_silent_in_their_unless_paths() {
    let defs: Vec<_> = embedded_rules()
        .expect("rule files parse")
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let analyzer = SecretsAnalyzer::from_defs(defs.clone()).expect("rules compile");
    let mut problems = Vec::new();
    for d in defs.iter().filter(|d| !d.unless_paths.is_empty()) {
        let id = d.full_id();
        // A literal glob is a file name; an example found anywhere else must be silent there.
        for glob in &d.unless_paths {
            let path = match glob.strip_prefix('/') {
                Some(root) => root.to_string(),
                None => format!("app/{glob}"),
            };
            if path.contains(['*', '?', '[', '{']) {
                continue;
            }
            for (i, ex) in d.examples.iter().enumerate() {
                if analyzer
                    .scan(&path, ex.as_bytes())
                    .iter()
                    .any(|f| f.rule_id == id)
                {
                    problems.push(format!("{id}: example {i} detected in {path}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_pattern_too_big_to_compile_stops_start_up() {
    let rule = |pattern: &str| -> warden_secrets::rules::RuleDef {
        let mut d = embedded_rules().expect("rule files parse")[0].1.clone();
        d.id = "too-big".into();
        d.pattern = pattern.into();
        d
    };
    // Parses fine; its NFA would be far over the size limit.
    let err = SecretsAnalyzer::from_defs(vec![rule(r"\w{1000}{1000}")])
        .err()
        .expect("start-up fails")
        .to_string();
    assert!(err.contains("secrets/too-big"), "{err}");
    assert!(SecretsAnalyzer::from_defs(vec![rule(r"(unclosed")]).is_err());
    assert!(SecretsAnalyzer::from_defs(vec![rule(r"\bsk-[a-z0-9]{20}")]).is_ok());
}
