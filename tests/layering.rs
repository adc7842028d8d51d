//! The crate layering of docs/architecture.md holds: analyzer crates and the reporters depend on the vocabulary
//! (`warden-core`) and on library crates that know nothing of warden (`warden-archive`), never on the pipeline
//! (`warden-scan`) nor on each other. The pipeline uses triage (`warden-triage`), which sees only the vocabulary.

use std::path::Path;

/// The workspace crates a crate's `[dependencies]` name.
fn workspace_deps(krate: &str) -> Vec<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates")
        .join(krate)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && line.starts_with("warden-") {
            out.push(line.split(['.', ' ', '=']).next().unwrap().to_string());
        }
    }
    out
}

#[test]
fn analyzers_and_reports_depend_on_the_vocabulary_only() {
    const LIBRARIES: &[&str] = &["warden-archive"];
    for krate in [
        "warden-secrets",
        "warden-code",
        "warden-config",
        "warden-models",
        "warden-report",
    ] {
        let deps = workspace_deps(krate);
        assert!(
            deps.contains(&"warden-core".to_string()),
            "{krate}: {deps:?}"
        );
        for d in &deps {
            assert!(
                d == "warden-core" || LIBRARIES.contains(&d.as_str()),
                "{krate} depends on {d}"
            );
        }
    }
    for lib in LIBRARIES {
        assert!(workspace_deps(lib).is_empty(), "{lib}");
    }
    // Triage (priorities, invariants) reads findings, assets and facts through the vocabulary only; the
    // pipeline checks invariants once a result is complete, so it may use triage, and nothing else.
    assert_eq!(workspace_deps("warden-triage"), ["warden-core"]);
    let scan = workspace_deps("warden-scan");
    assert!(
        scan.iter()
            .all(|d| d == "warden-core" || d == "warden-triage" || LIBRARIES.contains(&d.as_str())),
        "warden-scan: {scan:?}"
    );
    assert!(workspace_deps("warden-core").is_empty());
}
