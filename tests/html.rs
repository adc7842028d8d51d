//! `warden scan --format html`: one page on stdout or in --output, with triage's priority and owner, and never a
//! secret whole.

mod common;
use common::*;
use tempfile::TempDir;

fn fixture() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, ".env", format!("GITHUB_TOKEN={}\n", github_pat()));
    write(root, ".github/CODEOWNERS", "* @acme/platform\n");
    dir
}

#[test]
fn the_html_report_names_the_rule_and_never_the_secret() {
    let dir = fixture();
    let out = warden()
        .args(["scan", ".", "--format", "html"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let page = String::from_utf8(out).unwrap();
    assert!(page.starts_with("<!doctype html>"), "{}", &page[..100]);
    // Paths and ids are HTML-escaped (`/` as `&#x2f;`).
    assert!(page.contains("secrets&#x2f;github-classic-pat"));
    assert!(!page.contains(&github_pat()), "the page leaks the token");
    assert!(
        !page.contains(&github_pat()[4..]),
        "the page leaks the token's body"
    );
    // Triage ran: its reasons and the CODEOWNERS owner are on the card.
    assert!(page.contains("<li>high severity</li>"));
    assert!(page.contains("@acme&#x2f;platform"));
    assert!(!page.to_ascii_lowercase().contains("<script"));
}

#[test]
fn the_html_report_goes_to_output_when_asked() {
    let dir = fixture();
    warden()
        .args(["scan", ".", "--format", "html", "--output", "report.html"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout("");
    let page = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(page.starts_with("<!doctype html>") && page.trim_end().ends_with("</html>"));
    assert!(page.contains("secrets&#x2f;github-classic-pat"));
}
