#![allow(dead_code)]
//! Helpers for driving the real binary over files in temporary directories.

use std::path::Path;
use std::process::Command;

/// Fake credentials with real shapes, assembled at run time so this source file holds none whole.
pub fn github_pat() -> String {
    // A valid CRC32 checksum in the last six characters, as real GitHub tokens carry.
    format!("ghp_{}", "R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9A2I07wp")
}
pub fn aws_key_id() -> String {
    format!("AKIA{}", "Z3KQ7RMW5VXN2TPB")
}
pub fn slack_bot_token() -> String {
    format!(
        "xoxb-{}-{}-{}",
        "2847561930", "4719305826371", "Qm7vT2kPzR8xW3nL5bY9cH4d"
    )
}

pub fn gitlab_pat() -> String {
    format!("glpat-{}", "Xq4Rk8VmT2nPw7Ls9BdY")
}

pub fn warden() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("warden").expect("binary built");
    // A fixed hash key keeps fingerprints in snapshots stable and keeps `.warden/` out of fixtures.
    c.env("NO_COLOR", "1")
        .env_remove("CI")
        .env("WARDEN_HASH_KEY", TEST_KEY);
    c
}

pub const TEST_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

pub fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev@acme.test")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev@acme.test")
        .env("GIT_AUTHOR_DATE", "2024-03-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-03-01T12:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        // Never the test runner's stdin: `git gc` reads revisions from it where it is not a terminal.
        .stdin(std::process::Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn init_repo(root: &Path) {
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["config", "commit.gpgsign", "false"]);
}

pub fn json(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout).expect("valid JSON on stdout")
}

pub fn rule_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

/// The paths of a report's findings, sorted.
pub fn finding_paths(doc: &serde_json::Value) -> Vec<String> {
    let mut paths: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths
}

/// Runs `warden scan . --format json` plus `extra` in `root`, expects `code`, and parses the report.
pub fn scan_json(root: &Path, extra: &[&str], code: i32) -> serde_json::Value {
    let out = warden()
        .args(["scan", ".", "--format", "json"])
        .args(extra)
        .current_dir(root)
        .assert()
        .code(code);
    json(&out.get_output().stdout)
}

/// Every error of `doc` against the JSON Schema `schema` (text), as readable lines.
pub fn schema_errors(schema: &str, doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// Snapshot settings for text reports: the run time in the summary line varies.
pub fn report_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"scanned in \d+\.\d+s", "scanned in [time]");
    s
}

/// Every error of `doc` against the official CycloneDX 1.6 schema (with the SPDX licence and JSF schemas it
/// references).
pub fn cyclonedx_errors(doc: &serde_json::Value) -> Vec<String> {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap(),
        )
        .unwrap()
    };
    let mut opts = jsonschema::options();
    for name in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        opts = opts.with_resource(
            format!("http://cyclonedx.org/schema/{name}"),
            jsonschema::Resource::from_contents(read(name)).unwrap(),
        );
    }
    let v = opts.build(&read("bom-1.6.schema.json")).unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// Every error of `doc` against the official SPDX 2.3 JSON schema.
pub fn spdx_errors(doc: &serde_json::Value) -> Vec<String> {
    let schema = std::fs::read_to_string(format!(
        "{}/tests/data/spdx-2.3.schema.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    schema_errors(&schema, doc)
}

/// Every example repository of rules-as-data rules scanned with `warden scan --fail-on none` plus `args`: what
/// did not fire, and what fired on a negative example.
#[allow(dead_code)]
pub fn rule_example_failures(rules: &[warden_core::ExampleRule], args: &[&str]) -> Vec<String> {
    let scan_ids = |files: &std::collections::BTreeMap<String, String>| -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            write(dir.path(), path, text.trim_start());
        }
        let mut all = vec!["--fail-on", "none"];
        all.extend_from_slice(args);
        rule_ids(&scan_json(dir.path(), &all, 0))
    };
    let mut failures = Vec::new();
    for r in rules {
        let id = r.full_id();
        for (i, ex) in r.example.iter().enumerate() {
            let ids = scan_ids(ex);
            if !ids.contains(&id) {
                failures.push(format!(
                    "{id}: example {} did not fire (got {ids:?})",
                    i + 1
                ));
            }
        }
        for (i, ex) in r.negative.iter().enumerate() {
            if scan_ids(ex).contains(&id) {
                failures.push(format!("{id}: negative example {} fired", i + 1));
            }
        }
    }
    failures
}
