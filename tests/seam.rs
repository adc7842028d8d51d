//! The CLI side of the analyzer seam and the hardening around it: analyzer selection, analyzer sections, rule
//! selection, exit codes, hash keys and baselines across keys and versions, closed pipes.

mod common;
use common::*;
use predicates::prelude::*;
use std::io::Read as _;
use tempfile::TempDir;

fn k8s_secret() -> &'static str {
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  password: UzNjcjN0UEBzc3cwcmQh\n"
}

#[test]
fn only_and_skip_select_analyzer_families() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), ".env", format!("T={}\n", github_pat()));
    let doc = scan_json(dir.path(), &["--only", "secrets"], 1);
    assert_eq!(doc["scan"]["analyzers"], serde_json::json!(["secrets"]));
    warden()
        .args(["scan", ".", "--only", "secretz"])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown analyzer `secretz` (known: secrets, code, intent, k8s, docker, tf, ci, model, ai, deps)",
        ));
    warden()
        .args([
            "scan",
            ".",
            "--skip",
            "secrets,code,intent,k8s,docker,tf,ci,model,ai,deps",
        ])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no analyzer left to run"));
    write(dir.path(), "warden.toml", "[scan]\nskip = [\"secrets\"]\n");
    warden()
        .args(["scan", ".", "--only", "secrets", "--skip", "none-of-these"])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown analyzer `none-of-these`"));
}

#[test]
fn analyzer_sections_are_read_by_their_analyzer_and_unknown_ones_rejected() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "deploy/secret.yaml", k8s_secret());
    let decoded =
        |doc: &serde_json::Value| doc["findings"][0]["ext"]["secrets"]["decoded_from"].clone();
    assert_eq!(
        decoded(&scan_json(root, &["--only", "secrets"], 1)),
        "base64"
    );
    // Without decoding, only the raw value under a secret-named key is left.
    write(root, "warden.toml", "[scan]\n\n[secrets]\ndecode = false\n");
    assert_eq!(
        decoded(&scan_json(root, &["--only", "secrets"], 1)),
        serde_json::Value::Null
    );
    // A configuration analyzer reads its own section.
    write(root, "warden.toml", "[k8s]\nmax_file_bytes = 10\n");
    let doc = scan_json(root, &["--only", "k8s"], 0);
    assert!(doc["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("over [k8s] max_file_bytes (10)"));
    let rejected = |config: &str, error: &str| {
        write(root, "warden.toml", config);
        warden()
            .args(["scan", "."])
            .current_dir(root)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(error));
    };
    rejected(
        "[secrets]\ndecoding = false\n",
        "warden.toml:1:1: [secrets]: unknown field `decoding`",
    );
    rejected(
        "[scan]\n[secretz]\ndecode = false\n",
        "warden.toml:2:1: unknown section [secretz]",
    );
}

#[test]
fn rules_enable_narrows_the_run_to_the_rules_it_names() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        ".env",
        format!("T={}\nAWS={}\n", github_pat(), aws_key_id()),
    );
    write(
        root,
        "warden.toml",
        "[rules]\nenable = [\"secrets/github-classic-pat\"]\n",
    );
    assert_eq!(
        rule_ids(&scan_json(root, &[], 1)),
        ["secrets/github-classic-pat"]
    );
    // SARIF lists the rules that can report in this run: here, one.
    let out = warden()
        .args(["scan", ".", "--format", "sarif"])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert!(doc["runs"][0]["tool"]["driver"]
        .get("informationUri")
        .is_none());
}

#[test]
fn unreadable_input_exits_2_even_with_findings() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, ".env", format!("T={}\n", github_pat()));
    write(root, "warden.toml", "[scan]\nfollow_symlinks = true\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("missing"), root.join("dangling.env")).unwrap();
    let doc = scan_json(root, &[], 2);
    assert_eq!(rule_ids(&doc), ["secrets/github-classic-pat"]);
    assert_eq!(doc["diagnostics"][0]["reason"], "unreadable");
}

#[test]
fn the_hash_key_is_created_once_kept_out_of_reports_and_keeps_fingerprints_stable() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, ".env", format!("T={}\n", github_pat()));
    let run = |format: &str| {
        let out = warden()
            .env_remove("WARDEN_HASH_KEY")
            .args(["scan", ".", "--format", format])
            .current_dir(root)
            .assert()
            .code(1);
        let o = out.get_output();
        (
            String::from_utf8(o.stdout.clone()).unwrap(),
            String::from_utf8(o.stderr.clone()).unwrap(),
        )
    };
    let (first, err) = run("json");
    assert!(err.contains("created ./.warden/hash-key"), "{err}");
    let key = std::fs::read_to_string(root.join(".warden/hash-key")).unwrap();
    let (second, err) = run("json");
    assert!(!err.contains("created"), "{err}");
    let (a, b) = (json(first.as_bytes()), json(second.as_bytes()));
    assert_eq!(
        a["findings"][0]["fingerprint"],
        b["findings"][0]["fingerprint"]
    );
    assert_eq!(
        a["findings"][0]["ext"]["secrets"]["secret_hash"],
        b["findings"][0]["ext"]["secrets"]["secret_hash"]
    );
    // A different key gives different hashes: nobody holding only a report can test guesses.
    let other = scan_json(root, &[], 1);
    assert_ne!(
        other["findings"][0]["fingerprint"],
        a["findings"][0]["fingerprint"]
    );
    for format in ["text", "json", "sarif"] {
        let (out, _) = run(format);
        assert!(!out.contains(key.trim()), "{format} report holds the key");
    }
}

#[test]
fn a_baseline_from_another_key_is_refused_and_version_1_migrates() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let pat = github_pat();
    write(root, ".env", format!("T={pat}\n"));
    warden()
        .args(["baseline", "."])
        .current_dir(root)
        .assert()
        .success();
    warden()
        .env("WARDEN_HASH_KEY", "ffeeddccbbaa99887766554433221100")
        .args(["scan", ".", "--baseline", ".warden-baseline.json"])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("written with hash key"));

    let legacy = warden_core::hash::legacy_fingerprint("secrets/github-classic-pat", ".env", &pat);
    write(
        root,
        "v1.json",
        format!(
            r#"{{"version":1,"entries":[{{"fingerprint":"{legacy}","rule_id":"secrets/github-classic-pat","path":".env","line":1}}]}}"#
        ),
    );
    warden()
        .args(["scan", ".", "--baseline", "v1.json"])
        .current_dir(root)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("version 1 baseline"));
    warden()
        .args(["baseline", ".", "--migrate", "v1.json", "-o", "v2.json"])
        .current_dir(root)
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote v2.json with 1 entries"));
    let v2 = json(&std::fs::read(root.join("v2.json")).unwrap());
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["hash_key_id"].as_str().unwrap().len(), 12);
    warden()
        .args(["scan", ".", "--baseline", "v2.json"])
        .current_dir(root)
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args(["rules", "--format", "markdown"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here, like `| head -c 16`.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn the_scan_names_itself() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "a.txt", "hello\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "one"]);
    let doc = scan_json(root, &[], 0);
    let scan = &doc["scan"];
    assert_eq!(scan["mode"], "worktree");
    assert_eq!(scan["branch"], "main");
    assert_eq!(scan["head_commit"].as_str().unwrap().len(), 40);
    assert_eq!(scan["rules_version"].as_str().unwrap().len(), 16);
    assert!(scan["started_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        scan["hash_key_id"],
        warden_core::HashKey::from_hex(TEST_KEY).unwrap().id()
    );
}
