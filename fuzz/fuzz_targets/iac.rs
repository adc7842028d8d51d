//! The configuration analyzers (YAML with positions, HCL, the Dockerfile parser, scopes, rules, the exposure
//! graph and Terraform's variable resolution) on arbitrary bytes: no panic, no stack overflow, every finding
//! and related location inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use warden_config::{ConfigAnalyzer, ConfigSettings, Family};

/// The first input byte picks the file name (`'0'`..`'6'` in the seeds), which picks the format.
const PATHS: &[&str] = &[
    "deploy.yaml",
    "docker-compose.yml",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "kustomization.yaml",
    "Dockerfile",
    "main.tf",
];

fn analyzers() -> &'static Vec<ConfigAnalyzer> {
    static A: OnceLock<Vec<ConfigAnalyzer>> = OnceLock::new();
    A.get_or_init(|| {
        Family::ALL
            .iter()
            .map(|&f| {
                ConfigAnalyzer::new(
                    f,
                    warden_config::embedded_rules(f).expect("embedded rules load"),
                    ConfigSettings::default(),
                )
                .expect("rules compile")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let path = PATHS[pick.wrapping_sub(b'0') as usize % PATHS.len()];
    // A manifest is only claimed when its head names apiVersion and kind.
    let text = if path == "deploy.yaml" && !text.contains("apiVersion") {
        format!("apiVersion: v1\nkind: Pod\n{text}")
    } else {
        text.to_string()
    };
    let lines = text.split('\n').count() as u32;
    for a in analyzers() {
        let (findings, fin, _) = a.analyze_files(&[(path, &text)]);
        for f in &findings {
            assert!(
                f.location.start_line >= 1 && f.location.start_line <= lines,
                "{}: line {} of {lines}",
                f.rule_id,
                f.location.start_line
            );
            for r in &f.related {
                assert!(r.location.start_line >= 1 && r.location.start_line <= lines);
            }
        }
        for asset in &fin.assets {
            if let Some(l) = &asset.location {
                assert!(l.start_line >= 1 && l.end_line <= lines + 1, "{}: {l:?}", asset.id);
            }
        }
    }
});
