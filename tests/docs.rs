//! Docs generated from code stay current: `WARDEN_UPDATE_DOCS=1 cargo test -p warden --test docs` rewrites them.

mod common;

#[test]
fn rules_reference_is_current() {
    let out = common::warden()
        .args(["rules", "--format", "markdown"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let generated = String::from_utf8(out).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("WARDEN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run WARDEN_UPDATE_DOCS=1 cargo test -p warden --test docs"
    );
}
