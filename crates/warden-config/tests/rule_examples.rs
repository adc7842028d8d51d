//! Every configuration rule carries positive and negative example files. This runs each through the real
//! analyzer (parse, scopes, both phases) with that rule alone: a positive example must be reported on exactly
//! the lines it marks with a trailing `# expect`, a negative example not at all.
//!
//! `RULES=k8s.toml cargo test -p warden-config --test rule_examples` checks one rule file.

use std::collections::{BTreeSet, HashSet};
use warden_config::rules::{RuleDef, RuleFile};
use warden_config::scope::example_path;
use warden_config::{ConfigAnalyzer, ConfigSettings, Family};

const MARKER: &str = "# expect";

fn selected() -> Vec<(Family, &'static str, RuleDef)> {
    let only = std::env::var("RULES").ok();
    let mut out = Vec::new();
    for fam in Family::ALL {
        for (file, src) in fam.rule_files() {
            if only.as_deref().is_some_and(|o| o != *file) {
                continue;
            }
            let parsed: RuleFile =
                toml::from_str(src).unwrap_or_else(|e| panic!("rules/{file}: {e}"));
            out.extend(parsed.rules.into_iter().map(|d| (fam, *file, d)));
        }
    }
    out
}

/// The example with its markers removed, and the marked lines.
fn strip(example: &str) -> (String, BTreeSet<u32>) {
    let mut lines = BTreeSet::new();
    let mut out = String::new();
    for (i, l) in example.lines().enumerate() {
        match l.find(MARKER) {
            Some(p) if l[p + MARKER.len()..].trim().is_empty() => {
                lines.insert(i as u32 + 1);
                out.push_str(l[..p].trim_end());
            }
            _ => out.push_str(l),
        }
        out.push('\n');
    }
    (out, lines)
}

#[test]
fn every_rule_is_well_formed() {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let mut count = 0;
    for (fam, file, r) in selected() {
        count += 1;
        let at = format!("{file}: {}/{}", fam.name(), r.id);
        if !ids.insert(format!("{}/{}", fam.name(), r.id)) {
            problems.push(format!("{at}: duplicate id"));
        }
        if !r
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/')
        {
            problems.push(format!("{at}: id must be kebab-case"));
        }
        if fam == Family::Ci && !(r.id.starts_with("gha/") || r.id.starts_with("gitlab/")) {
            problems.push(format!("{at}: ci rule ids start with gha/ or gitlab/"));
        }
        if r.examples.is_empty() || r.negative_examples.is_empty() {
            problems.push(format!("{at}: needs examples and negative_examples"));
        }
        if r.examples.iter().any(|e| strip(e).1.is_empty()) {
            problems.push(format!(
                "{at}: every example marks its expected line(s) with `{MARKER}`"
            ));
        }
        if r.description.trim().len() < 40 || r.remediation.trim().len() < 20 {
            problems.push(format!("{at}: needs a description and a remediation"));
        }
        if r.references.is_empty() || !r.tags.iter().any(|t| t.starts_with("CWE-")) {
            problems.push(format!("{at}: needs a reference and a CWE tag"));
        }
        if let Err(e) = r.compile(fam.name()) {
            problems.push(format!("{file}: {e}"));
        }
    }
    assert!(count > 0, "no rules selected");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn examples_match_on_their_lines_and_negative_examples_do_not() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (fam, file, def) in selected() {
        let id = format!("{}/{}", fam.name(), def.id);
        let analyzer =
            match ConfigAnalyzer::new(fam, vec![(file, def.clone())], ConfigSettings::default()) {
                Ok(a) => a,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
        let path = def
            .example_path
            .clone()
            .unwrap_or_else(|| example_path(&def.scope).to_string());
        for (i, ex) in def.examples.iter().enumerate() {
            let (text, want) = strip(ex);
            let (findings, _, notes) = analyzer.analyze_files(&[(&path, &text)]);
            checked += 1;
            let got: BTreeSet<u32> = findings
                .iter()
                .filter(|f| f.rule_id == id)
                .map(|f| f.location.start_line)
                .collect();
            if got != want {
                problems.push(format!(
                    "{id}: example {} ({path}): expected lines {want:?}, reported {got:?}{}",
                    i + 1,
                    if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" (notes: {notes:?})")
                    }
                ));
            }
        }
        for (i, ex) in def.negative_examples.iter().enumerate() {
            let (findings, _, notes) = analyzer.analyze_files(&[(&path, ex)]);
            checked += 1;
            let got: Vec<_> = findings.iter().filter(|f| f.rule_id == id).collect();
            if !got.is_empty() {
                problems.push(format!(
                    "{id}: negative example {} is reported on line(s) {:?}{}",
                    i + 1,
                    got.iter()
                        .map(|f| f.location.start_line)
                        .collect::<Vec<_>>(),
                    if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" (notes: {notes:?})")
                    }
                ));
            }
        }
    }
    assert!(checked > 0);
    assert!(
        problems.is_empty(),
        "{} of {checked} examples wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
