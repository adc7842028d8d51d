//! `warden scan` on working trees: reports, exit codes, suppression, config, bad input.

mod common;
use common::*;
use predicates::prelude::*;
use tempfile::TempDir;

fn fixture() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, ".env", format!("GITHUB_TOKEN={}\nAWS_ACCESS_KEY_ID={}\nPLACEHOLDER=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", github_pat(), aws_key_id()));
    write(
        root,
        "src/app.py",
        format!(
            "import os\n\nSLACK = \"{}\"\nDB = os.environ[\"DB_PASSWORD\"]\n",
            slack_bot_token()
        ),
    );
    write(
        root,
        "deploy/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  password: UzNjcjN0UEBzc3cwcmQh\n",
    );
    write(
        root,
        "README.md",
        "# app\nSet OPENAI_API_KEY=<your-key> before running.\n",
    );
    dir
}

#[test]
fn text_report() {
    let dir = fixture();
    let out = warden()
        .args(["scan", "."])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    report_settings().bind(|| insta::assert_snapshot!(String::from_utf8(out).unwrap()));
}

#[test]
fn secrets_are_never_printed_whole_unless_asked() {
    let dir = fixture();
    for format in ["text", "json", "sarif"] {
        let out = warden()
            .args(["scan", ".", "--format", format])
            .current_dir(dir.path())
            .assert()
            .code(1);
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        for secret in [
            github_pat(),
            aws_key_id(),
            slack_bot_token(),
            "UzNjcjN0UEBzc3cwcmQh".into(),
            "S3cr3tP@ssw0rd!".into(),
        ] {
            assert!(
                !stdout.contains(&secret),
                "{format} output leaks {}",
                &secret[..6]
            );
        }
    }
    warden()
        .args(["scan", ".", "--format", "json", "--show-secrets"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(github_pat()));
}

#[test]
fn json_report_matches_its_schema() {
    let dir = fixture();
    let doc = scan_json(dir.path(), &[], 1);
    let errors = schema_errors(include_str!("../docs/schemas/report-v2.schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let mut ids = rule_ids(&doc);
    ids.sort();
    assert_eq!(
        ids,
        [
            // The Secret manifest itself: committed with its values (the config analyzer).
            "k8s/secret-manifest-with-data",
            "secrets/aws-access-key-id",
            "secrets/generic-secret-assignment",
            "secrets/github-classic-pat",
            "secrets/slack-bot-token"
        ]
    );
    // The Kubernetes finding comes from the decoded value and points at the encoded one.
    let k8s = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["location"]["path"] == "deploy/secret.yaml"
                && f["rule_id"].as_str().unwrap().starts_with("secrets/")
        })
        .unwrap();
    assert_eq!(k8s["location"]["start_line"], 6);
    assert!(k8s["tags"]
        .as_array()
        .unwrap()
        .contains(&"decoded:base64".into()));
    assert_eq!(
        doc["findings"][0]["ext"]["secrets"]["lifetime"],
        "long-lived"
    );
}

#[test]
fn sarif_report_matches_the_official_schema() {
    let dir = fixture();
    let out = warden()
        .args(["scan", ".", "--format", "sarif"])
        .current_dir(dir.path())
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let errors = schema_errors(include_str!("data/sarif-schema-2.1.0.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for r in results {
        assert!(
            r["partialFingerprints"]["wardenFingerprint/v2"]
                .as_str()
                .unwrap()
                .len()
                == 32
        );
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        assert!(
            run["tool"]["driver"]["rules"][idx]["help"]["text"]
                .as_str()
                .unwrap()
                .len()
                > 40
        );
    }
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_empty() {
    let dir = fixture();
    let report = dir.path().join("out/report.json");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    warden()
        .args([
            "scan",
            ".",
            "--format",
            "json",
            "--output",
            "out/report.json",
        ])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["version"], 2);
    let leftovers: Vec<_> = std::fs::read_dir(report.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.env",
        format!("SLACK_BOT_TOKEN={}\n", slack_bot_token()),
    );
    // A Slack bot token is high: it fails at the default (any), at high, but not at critical or none.
    for (fail_on, code) in [
        (None, 1),
        (Some("critical"), 0),
        (Some("high"), 1),
        (Some("none"), 0),
        (Some("urgent"), 2),
    ] {
        let mut args = vec!["scan", "."];
        if let Some(level) = fail_on {
            args.extend(["--fail-on", level]);
        }
        warden()
            .args(&args)
            .current_dir(dir.path())
            .assert()
            .code(code);
    }
    let clean = TempDir::new().unwrap();
    write(clean.path(), "main.py", "print('hello')\n");
    warden()
        .args(["scan", "."])
        .current_dir(clean.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn a_missing_path_is_a_clear_error() {
    warden()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/definitely/not/here: no such file or directory",
        ));
}

#[test]
fn inline_ignore_silences_one_line() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.py",
        format!(
            "A = '{}'  # warden:ignore\n# warden:ignore[secrets/slack-bot-token]\nB = '{}'\nC = '{}'  # warden:ignore[secrets/other-rule]\n",
            github_pat(),
            slack_bot_token(),
            aws_key_id()
        ),
    );
    let doc = scan_json(dir.path(), &[], 1);
    assert_eq!(rule_ids(&doc), ["secrets/aws-access-key-id"]);
    assert_eq!(doc["summary"]["suppressed_inline"], 2);
}

#[test]
fn dotfiles_are_scanned_and_ignore_files_honoured() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let line = format!("token={}\n", github_pat());
    write(root, ".npmrc", &line);
    write(root, ".github/workflows/ci.yml", &line);
    write(root, "ignored-by-git/x.env", &line);
    write(root, "ignored-by-warden/x.env", &line);
    write(root, ".git/config", &line);
    write(root, ".gitignore", "ignored-by-git/\n");
    write(root, ".wardenignore", "ignored-by-warden/\n");
    let doc = scan_json(root, &[], 1);
    let paths = finding_paths(&doc);
    assert_eq!(paths, [".github/workflows/ci.yml", ".npmrc"]);
}

#[test]
fn a_root_that_a_parent_gitignore_ignores_is_still_scanned() {
    // A generated or vendored directory the enclosing repository ignores, scanned by name.
    let dir = TempDir::new().unwrap();
    let line = format!("token={}\n", github_pat());
    write(dir.path(), ".gitignore", "build/\n*.log\n");
    write(dir.path(), "build/app/.npmrc", &line);
    write(dir.path(), "build/app/skip/x.env", &line);
    write(dir.path(), "build/app/.gitignore", "skip/\n");
    let doc = scan_json(&dir.path().join("build/app"), &[], 1);
    let paths = finding_paths(&doc);
    assert_eq!(paths, [".npmrc"], "the root's own ignore file still holds");
    // A root the parents do not ignore keeps their rules.
    write(dir.path(), "src/.npmrc", &line);
    write(dir.path(), "src/debug.log", &line);
    let doc = scan_json(&dir.path().join("src"), &[], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc:#}");
}

#[test]
fn ignore_files_above_a_repository_root_do_not_reach_into_it() {
    // A project checked out inside another directory tree (a monorepo's scratch dir, a benchmark's work dir):
    // the enclosing .wardenignore and .gitignore are another project's.
    let dir = TempDir::new().unwrap();
    let line = format!("token={}\n", github_pat());
    write(dir.path(), ".wardenignore", "tests/\n");
    write(dir.path(), ".gitignore", "*.env\n");
    let repo = dir.path().join("work/project");
    write(&repo, "tests/a.py", format!("T = \"{}\"\n", github_pat()));
    write(&repo, "b.env", &line);
    init_repo(&repo);
    let doc = scan_json(&repo, &[], 1);
    let paths = finding_paths(&doc);
    assert_eq!(paths, ["b.env", "tests/a.py"]);
    // A directory that is not a repository's root still takes its parents' rules.
    let doc = scan_json(&repo.join("tests"), &[], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc:#}");
    write(&repo, ".wardenignore", "tests/\n");
    let doc = scan_json(&repo, &[], 1);
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        1,
        "the repository's own file holds: {doc:#}"
    );
}

#[test]
fn config_disables_rules_overrides_severity_and_allowlists() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        "a.env",
        format!(
            "GH={}\nSLACK={}\nAWS={}\n",
            github_pat(),
            slack_bot_token(),
            aws_key_id()
        ),
    );
    write(root, "fixtures/b.env", format!("GH={}\n", github_pat()));
    write(
        root,
        "warden.toml",
        "[rules]\ndisable = [\"secrets/slack-bot-token\"]\nseverity = { \"secrets/github-classic-pat\" = \"low\" }\n\
         [allowlist]\npaths = [\"fixtures/**\"]\nvalues = [\"^AKIAZ3KQ\"]\n",
    );
    let doc = scan_json(root, &[], 1);
    assert_eq!(rule_ids(&doc), ["secrets/github-classic-pat"]);
    assert_eq!(doc["findings"][0]["severity"], "low");
}

#[test]
fn a_malformed_config_names_file_line_and_expectation() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "warden.toml",
        "[scan]\nmax_file_size = \"huge\"\n",
    );
    warden()
        .args(["scan", "."])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("warden.toml:2:")
                .and(predicate::str::contains("expected a size like 10MiB")),
        );
}

#[test]
fn bad_input_is_skipped_counted_and_never_fatal() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    // Binary: a NUL early on. Its printable runs are scanned; the finding points at the byte offset.
    write(
        root,
        "blob.bin",
        [b"\x00\x01\x02ELF\x00".as_slice(), github_pat().as_bytes()].concat(),
    );
    // An image: compressed bytes, left alone.
    write(
        root,
        "logo.png",
        [
            b"\x89PNG\r\n\x1a\n\x00\x00".as_slice(),
            github_pat().as_bytes(),
        ]
        .concat(),
    );
    // Invalid UTF-8 around a real key is still text and still scanned.
    write(
        root,
        "latin1.txt",
        [
            b"caf\xe9 \xff token=".as_slice(),
            github_pat().as_bytes(),
            b"\n",
        ]
        .concat(),
    );
    // Too large for the cap given on the command line.
    write(root, "big.log", format!("{}\n", "x".repeat(4096)));
    // A name that is not UTF-8.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"weird-\xff.env");
        std::fs::write(root.join(name), format!("SLACK={}\n", slack_bot_token())).unwrap();
        std::os::unix::fs::symlink(root.join("loop"), root.join("loop")).ok();
    }
    let doc = scan_json(root, &["--max-file-size", "1KiB"], 1);
    let skipped = &doc["summary"]["skipped"];
    assert_eq!(skipped["unclaimed"], 1, "{skipped}");
    assert_eq!(skipped["too-large"], 1);
    let in_blob: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"] == "blob.bin")
        .collect();
    assert_eq!(in_blob.len(), 1, "{in_blob:?}");
    assert_eq!(in_blob[0]["location"]["byte_offset"], 7);
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["location"]["path"] != "logo.png"));
    let mut ids = rule_ids(&doc);
    ids.sort();
    assert!(ids.contains(&"secrets/github-classic-pat".to_string()));
    #[cfg(unix)]
    assert!(
        ids.contains(&"secrets/slack-bot-token".to_string()),
        "{ids:?}"
    );
}

#[test]
fn symlink_loops_are_reported_when_following_links() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "a/ok.txt", "nothing\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("a"), root.join("a/again")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("dangling.env")).unwrap();
    }
    write(root, "warden.toml", "[scan]\nfollow_symlinks = true\n");
    warden()
        .args(["scan", "."])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("a/again")
                .and(predicate::str::contains("loop"))
                .and(predicate::str::contains(
                    "warden: dangling.env: no such file or directory (unreadable)",
                )),
        )
        .stdout(predicate::str::contains("skipped 2 unreadable"));
}

#[test]
fn scanning_a_single_file_works() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "one.env", format!("T={}\n", github_pat()));
    let out = warden()
        .args(["scan", "one.env", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(1);
    assert_eq!(
        json(&out.get_output().stdout)["findings"][0]["location"]["path"],
        "one.env"
    );
}

#[test]
fn baseline_reports_only_new_findings_and_stale_entries() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "a.env", format!("GH={}\n", github_pat()));
    warden()
        .args(["baseline", "."])
        .current_dir(root)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("1 entries"));
    // Known finding moves down a line: still known.
    write(root, "a.env", format!("# moved\nGH={}\n", github_pat()));
    warden()
        .args(["scan", ".", "--baseline", ".warden-baseline.json"])
        .current_dir(root)
        .assert()
        .code(0);
    // A new one is reported; the fixed one turns its entry stale.
    write(root, "a.env", format!("SLACK={}\n", slack_bot_token()));
    let out = warden()
        .args([
            "scan",
            ".",
            "--baseline",
            ".warden-baseline.json",
            "--format",
            "json",
        ])
        .current_dir(root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stale baseline entry"));
    let doc = json(&out.get_output().stdout);
    assert_eq!(rule_ids(&doc), ["secrets/slack-bot-token"]);
    assert_eq!(
        doc["stale_baseline"][0]["rule_id"],
        "secrets/github-classic-pat"
    );
    write(root, "broken.json", "{");
    warden()
        .args(["scan", ".", "--baseline", "broken.json"])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "broken.json: not a warden baseline",
        ));
}

#[test]
fn rules_and_explain() {
    let out = warden()
        .args(["rules"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("secrets/openai-project-key"));
    let count: usize = text
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(count >= 250, "{count} rules");
    warden()
        .args(["explain", "github-classic-pat"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("secrets/github-classic-pat")
                .and(predicate::str::contains("How to fix")),
        );
    warden()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule"));
}

#[test]
fn warden_scans_its_own_repository_clean() {
    // Rule examples and fixtures are fake credentials kept out by .wardenignore and inline markers.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    warden()
        .args(["scan", "."])
        .current_dir(&root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn a_token_with_a_broken_checksum_is_reported_with_low_confidence() {
    let dir = TempDir::new().unwrap();
    let fake = format!("ghp_{}", "R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9AQq81Kx");
    write(
        dir.path(),
        "a.env",
        format!("GOOD={}\nFAKE={fake}\n", github_pat()),
    );
    let doc = scan_json(dir.path(), &[], 1);
    let f = doc["findings"].as_array().unwrap();
    assert_eq!(f[0]["confidence"], "high");
    assert!(f[0]["tags"]
        .as_array()
        .unwrap()
        .contains(&"checksum:valid".into()));
    assert_eq!(f[1]["confidence"], "low");
    assert!(f[1]["tags"]
        .as_array()
        .unwrap()
        .contains(&"checksum:invalid".into()));
}

#[test]
fn json_and_sarif_reports() {
    let dir = fixture();
    let doc = scan_json(dir.path(), &[], 1);
    insta::assert_json_snapshot!("json_report", doc, {
        ".scan.tool_version" => "[version]",
        ".scan.rules_version" => "[rules version]",
        ".scan.started_at" => "[time]",
        ".summary.duration_ms" => "[ms]",
        ".findings[].remediation" => "[remediation]",
    });
    let out = warden()
        .args(["scan", ".", "--format", "sarif"])
        .current_dir(dir.path())
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    // Every rule that can report is listed, not only those that fired; the snapshot keeps the results.
    let listed = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .len();
    let rules = warden()
        .args(["rules", "--format", "json"])
        .assert()
        .success();
    assert_eq!(
        listed,
        json(&rules.get_output().stdout).as_array().unwrap().len()
    );
    insta::assert_json_snapshot!("sarif_report", doc, {
        ".runs[].tool.driver.version" => "[version]",
        ".runs[].tool.driver.semanticVersion" => "[version]",
        ".runs[].tool.driver.rules" => "[every rule]",
        ".runs[].results[].ruleIndex" => "[index]",
        ".runs[].invocations[].startTimeUtc" => "[time]",
        ".runs[].properties.rulesVersion" => "[rules version]",
    });
}
