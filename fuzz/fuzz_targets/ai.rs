//! The AI inventory's readers (Python sightings through tree-sitter, MCP configs, Modelfiles, manifests and
//! lockfiles, Terraform, incident documents) on arbitrary bytes, then the cross-domain builder over the facts
//! they publish: no panic, no stack overflow, every asset and finding inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_ai::manifest::{self, Kind};
use warden_core::{Fact, ScanInfo, ScanMode, ScanResult};

/// The first input byte picks the file name (`'0'`..`'9'`, `'a'`..`'c'` in the seeds), which picks the reader.
const PATHS: &[&str] = &[
    "svc/app.py",
    ".vscode/mcp.json",
    "models/Modelfile",
    "svc/requirements.txt",
    "pyproject.toml",
    "package.json",
    "go.mod",
    "infra/main.tf",
    "poetry.lock",
    "package-lock.json",
    "docs/incident-runbook.md",
    "web/route.ts",
    "web/app.js",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[sel as usize % PATHS.len()];
    let facts = if path.ends_with(".py") {
        warden_ai::python::scan(rest)
    } else if path.ends_with(".ts") || path.ends_with(".js") {
        warden_ai::js::scan(rest, path)
    } else {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let Some(kind) = manifest::kind_of(path) else {
            return;
        };
        assert!(kind != Kind::Dockerfile);
        manifest::scan(kind, path, text)
    };
    let Ok(facts) = facts else { return };
    let lines = rest.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    for s in &facts.sightings {
        assert!(s.line >= 1 && s.line <= lines, "{path}: line {} of {lines}", s.line);
        for &u in s.uses.iter().chain(&s.reads) {
            assert!(u < facts.sightings.len());
        }
    }
    let mut result = ScanResult::new(ScanInfo {
        tool: "warden".into(),
        tool_version: "fuzz".into(),
        rules_version: String::new(),
        target: ".".into(),
        mode: ScanMode::Worktree,
        head_commit: None,
        branch: None,
        started_at: String::new(),
        analyzers: vec!["ai".into()],
        hash_key_id: String::new(),
    });
    result.facts.push(Fact {
        analyzer: warden_ai::NAME.into(),
        kind: warden_ai::FACT_FILE.into(),
        path: path.into(),
        data: serde_json::to_value(&facts).unwrap(),
    });
    let out = warden_ai::inventory::build(&mut result, &warden_ai::Settings::default());
    for a in &out.assets {
        if let Some(l) = &a.location {
            assert!(l.start_line >= 1);
        }
    }
    result.assets.extend(out.assets);
    let _ = warden_ai::assess::assess(&result, &Default::default());
});
