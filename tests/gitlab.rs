//! `warden scan --format gitlab-secrets|gitlab-sast`: GitLab's security report schemas (tests/data/gitlab/),
//! which findings go where, stable ids, redaction, and snapshots of both reports.

mod common;
use common::*;
use serde_json::Value;
use tempfile::TempDir;

const SECRETS_SCHEMA: &str = include_str!("data/gitlab/secret-detection-report-format.json");
const SAST_SCHEMA: &str = include_str!("data/gitlab/sast-report-format.json");

/// Two credentials, a committed Kubernetes Secret and a SQL injection: findings for both reports.
fn fixture() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        ".env",
        format!(
            "GITHUB_TOKEN={}\nAWS_ACCESS_KEY_ID={}\n",
            github_pat(),
            aws_key_id()
        ),
    );
    write(
        root,
        "deploy/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  password: UzNjcjN0UEBzc3cwcmQh\n",
    );
    write(
        root,
        "app/views.py",
        "import sqlite3\n\nfrom flask import request\n\n\ndef orders():\n    conn = sqlite3.connect(\"shop.db\")\n    \
         cid = request.args.get(\"customer\", \"\")\n    \
         return conn.execute(\"SELECT * FROM orders WHERE customer = '\" + cid + \"'\").fetchall()\n",
    );
    dir
}

fn report(root: &std::path::Path, format: &str, extra: &[&str]) -> (Value, String) {
    let out = warden()
        .args(["scan", ".", "--format", format])
        .args(extra)
        .current_dir(root)
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    (json(text.as_bytes()), text)
}

fn rule_values(doc: &Value) -> Vec<String> {
    doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["identifiers"][0]["value"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn both_reports_match_gitlabs_schemas() {
    let dir = fixture();
    for (format, schema) in [
        ("gitlab-secrets", SECRETS_SCHEMA),
        ("gitlab-sast", SAST_SCHEMA),
    ] {
        let (doc, _) = report(dir.path(), format, &[]);
        let errors = schema_errors(schema, &doc);
        assert!(errors.is_empty(), "{format}: {errors:#?}");
        assert_eq!(doc["version"], "15.2.4");
        assert!(!doc["vulnerabilities"].as_array().unwrap().is_empty());
    }
}

#[test]
fn the_schemas_reject_what_gitlab_rejects() {
    // The vendored schemas are not vacuous: a secret without its commit, a lower-case severity and a
    // report of the wrong type all fail.
    let dir = fixture();
    let (doc, _) = report(dir.path(), "gitlab-secrets", &[]);
    let mut bad = doc.clone();
    bad["vulnerabilities"][0]["location"]
        .as_object_mut()
        .unwrap()
        .remove("commit");
    assert!(!schema_errors(SECRETS_SCHEMA, &bad).is_empty());
    let mut bad = doc.clone();
    bad["vulnerabilities"][0]["severity"] = "high".into();
    assert!(!schema_errors(SECRETS_SCHEMA, &bad).is_empty());
    assert!(!schema_errors(SAST_SCHEMA, &doc).is_empty());
}

#[test]
fn secrets_go_to_secret_detection_and_the_rest_to_sast() {
    let dir = fixture();
    let (secrets, _) = report(dir.path(), "gitlab-secrets", &[]);
    let (sast, _) = report(dir.path(), "gitlab-sast", &[]);
    let secret_rules = rule_values(&secrets);
    let sast_rules = rule_values(&sast);
    assert!(secret_rules.iter().all(|r| r.starts_with("secrets/")));
    assert!(secret_rules.contains(&"secrets/github-classic-pat".to_string()));
    assert!(sast_rules.iter().all(|r| !r.starts_with("secrets/")));
    assert!(sast_rules.iter().any(|r| r.starts_with("k8s/")));
    assert!(sast_rules.iter().any(|r| r.starts_with("code/")));
    // Together they hold every finding of the JSON report, once.
    let all = scan_json(dir.path(), &[], 1);
    assert_eq!(
        secret_rules.len() + sast_rules.len(),
        all["findings"].as_array().unwrap().len()
    );
    assert_eq!(secrets["scan"]["type"], "secret_detection");
    assert_eq!(sast["scan"]["type"], "sast");
    // Outside git there is no commit: GitLab's placeholder.
    assert_eq!(
        secrets["vulnerabilities"][0]["location"]["commit"]["sha"],
        "0000000"
    );
}

#[test]
fn ids_are_stable_and_unique() {
    let dir = fixture();
    let (a, _) = report(dir.path(), "gitlab-secrets", &[]);
    let (b, _) = report(dir.path(), "gitlab-secrets", &[]);
    let ids = |d: &Value| -> Vec<String> {
        d["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
    let mut unique = ids(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids(&a).len());
}

#[test]
fn secrets_are_never_printed_whole() {
    let dir = fixture();
    for format in ["gitlab-secrets", "gitlab-sast"] {
        let (_, text) = report(dir.path(), format, &[]);
        for secret in [github_pat(), aws_key_id(), "UzNjcjN0UEBzc3cwcmQh".into()] {
            assert!(!text.contains(&secret), "{format} leaks {}", &secret[..6]);
        }
    }
}

#[test]
fn history_findings_carry_their_commit() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "config.env", format!("TOKEN={}\n", github_pat()));
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "add config"]);
    let (doc, _) = report(root, "gitlab-secrets", &["--history", "--no-cache"]);
    assert!(schema_errors(SECRETS_SCHEMA, &doc).is_empty());
    let commit = &doc["vulnerabilities"][0]["location"]["commit"];
    assert_eq!(commit["sha"].as_str().unwrap().len(), 40);
    assert_eq!(commit["author"], "Dev One <dev@acme.test>");
    assert_eq!(commit["message"], "add config");
    assert_eq!(commit["date"], "2024-03-01T12:00:00");
}

#[test]
fn a_diff_scan_is_a_partial_scan() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "README.md", "# app\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "base"]);
    write(root, "config.env", format!("TOKEN={}\n", github_pat()));
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "add config"]);
    let (doc, _) = report(root, "gitlab-secrets", &["--diff", "HEAD~1..HEAD"]);
    assert!(schema_errors(SECRETS_SCHEMA, &doc).is_empty());
    assert_eq!(doc["scan"]["partial_scan"]["mode"], "differential");
    assert_eq!(rule_values(&doc), ["secrets/github-classic-pat"]);
    let (full, _) = report(root, "gitlab-secrets", &[]);
    assert!(full["scan"].get("partial_scan").is_none());
}

fn snapshot_of(doc: &Value) -> Value {
    let mut doc = doc.clone();
    // Every rule that could report; counted, not listed, so a new rule does not churn the snapshot.
    let n = doc["scan"]["primary_identifiers"].as_array().unwrap().len();
    assert!(n > 0);
    doc["scan"]["primary_identifiers"] = "[every rule of the report's kind]".into();
    doc
}

#[test]
fn gitlab_reports() {
    let dir = fixture();
    let (secrets, _) = report(dir.path(), "gitlab-secrets", &[]);
    insta::assert_json_snapshot!("gitlab_secret_detection_report", snapshot_of(&secrets), {
        ".scan.analyzer.version" => "[version]",
        ".scan.scanner.version" => "[version]",
        ".scan.start_time" => "[time]",
        ".scan.end_time" => "[time]",
        ".vulnerabilities[].solution" => "[remediation]",
        ".vulnerabilities[].description" => "[description]",
    });
    let (sast, _) = report(dir.path(), "gitlab-sast", &[]);
    insta::assert_json_snapshot!("gitlab_sast_report", snapshot_of(&sast), {
        ".scan.analyzer.version" => "[version]",
        ".scan.scanner.version" => "[version]",
        ".scan.start_time" => "[time]",
        ".scan.end_time" => "[time]",
        ".vulnerabilities[].solution" => "[remediation]",
        ".vulnerabilities[].description" => "[description]",
    });
}
