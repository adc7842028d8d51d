//! `warden scan --staged` and `--history` on repositories the tests create.

mod common;
use common::*;
use tempfile::TempDir;

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "old.env", format!("GH={}\n", github_pat()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "old key already committed"]);
    write(root, "new.env", format!("SLACK={}\n", slack_bot_token()));
    git(root, &["add", "new.env"]);
    // Unstaged edits are not what the commit will hold.
    write(root, "unstaged.env", format!("AWS={}\n", aws_key_id()));
    write(
        root,
        "new.env",
        "SLACK=removed-in-worktree-but-still-staged\n",
    );
    let out = warden()
        .args(["scan", "--staged", "--format", "json"])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    assert_eq!(rule_ids(&doc), ["secrets/slack-bot-token"]);
    assert_eq!(doc["findings"][0]["location"]["path"], "new.env");
    assert_eq!(doc["scan"]["mode"], "staged");
}

#[test]
fn staged_in_a_fresh_repository_without_commits() {
    let dir = TempDir::new().unwrap();
    init_repo(dir.path());
    write(dir.path(), "a.env", format!("GH={}\n", github_pat()));
    git(dir.path(), &["add", "."]);
    warden()
        .args(["scan", "--staged"])
        .current_dir(dir.path())
        .assert()
        .code(1);
}

#[test]
fn history_finds_removed_secrets_and_names_the_commit() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "app/config.py", "DEBUG = True\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "initial"]);
    write(
        root,
        "app/config.py",
        format!("DEBUG = True\nGITHUB_TOKEN = \"{}\"\n", github_pat()),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "add token for CI"]);
    // Edited again with the key still there: a new blob, the same finding.
    write(
        root,
        "app/config.py",
        format!("DEBUG = False\nGITHUB_TOKEN = \"{}\"\n", github_pat()),
    );
    git(root, &["commit", "-qam", "turn debug off"]);
    write(root, "app/config.py", "DEBUG = False\n");
    git(root, &["commit", "-qam", "remove token"]);
    // A key on a side branch only.
    git(root, &["checkout", "-qb", "feature"]);
    write(
        root,
        "feature.env",
        format!("SLACK={}\n", slack_bot_token()),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "feature work"]);
    git(root, &["checkout", "-q", "main"]);

    warden()
        .args(["scan", "."])
        .current_dir(root)
        .assert()
        .code(0);
    let out = warden()
        .args(["scan", "--history", "--format", "json"])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let mut ids = rule_ids(&doc);
    ids.sort();
    assert_eq!(
        ids,
        ["secrets/github-classic-pat", "secrets/slack-bot-token"]
    );
    let gh = finding_of(&doc, "secrets/github-classic-pat");
    let prov = &gh["location"]["provenance"];
    assert_eq!(prov["summary"], "add token for CI");
    assert_eq!(prov["author"], "Dev One <dev@acme.test>");
    assert_eq!(prov["in_head"], false);
    assert_eq!(gh["location"]["path"], "app/config.py");
    assert_eq!(gh["location"]["start_line"], 2);
    assert_eq!(doc["summary"]["commits"], 5);

    let text = warden()
        .args(["scan", "--history"])
        .current_dir(root)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("introduced in") && text.contains("no longer in HEAD"),
        "{text}"
    );
}

#[test]
fn history_of_a_corrupt_repository_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), ".git/HEAD", "garbage");
    warden()
        .args(["scan", "--history"])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a usable git repository"));
}

#[test]
fn history_since_a_revision_reads_only_what_came_after() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "old.env", format!("GITHUB_TOKEN={}\n", github_pat()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "old key"]);
    git(root, &["tag", "scanned"]);
    write(root, "new.env", format!("SLACK={}\n", slack_bot_token()));
    write(root, "notes.txt", "nothing here\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "new key"]);

    let out = warden()
        .args([
            "scan",
            "--history",
            "--since",
            "scanned",
            "--format",
            "json",
        ])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    assert_eq!(rule_ids(&doc), ["secrets/slack-bot-token"]);
    assert_eq!(doc["summary"]["commits"], 1);
    assert_eq!(doc["summary"]["blobs"], 2);
    // A revision that does not exist is a clear error; --since needs --history.
    warden()
        .args(["scan", "--history", "--since", "no-such-rev"])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-such-rev"));
    warden()
        .args(["scan", "--since", "scanned"])
        .current_dir(root)
        .assert()
        .code(2);
}

/// Findings of a JSON report, reduced to what a rescan must reproduce exactly.
fn finding_keys(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["fingerprint"],
                f["location"]["path"],
                f["location"]["provenance"]["commit"],
                f["location"]["provenance"]["in_head"]
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn history_rescans_read_only_new_blobs_and_report_what_a_cold_scan_does() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    for i in 0..20 {
        write(root, &format!("src/m{i}.py"), format!("X = {i}\n"));
    }
    write(root, "old.env", format!("GITHUB_TOKEN={}\n", github_pat()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "first"]);
    git(root, &["checkout", "-qb", "topic"]);
    write(root, "topic.env", format!("SLACK={}\n", slack_bot_token()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "topic key"]);
    git(root, &["checkout", "-q", "main"]);

    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--history", "--format", "json"];
        args.extend_from_slice(extra);
        let out = warden().args(&args).current_dir(root).assert().code(1);
        json(&out.get_output().stdout)
    };
    let cold = scan(&[]);
    assert_eq!(cold["summary"]["cached_blobs"], 0);
    let cache_dir = root.join(".warden/cache");
    assert!(cache_dir.join(".gitignore").is_file());
    // The cache holds no secret, not even a fragment of one.
    for e in std::fs::read_dir(&cache_dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(!text.contains(&github_pat()[..12]) && !text.contains(&slack_bot_token()[..12]));
    }

    // One new commit: only its blob is read, and the report is the cold one plus the new finding.
    write(
        root,
        "src/m3.py",
        format!("X = 3\nTOKEN = \"{}\"\n", gitlab_pat()),
    );
    git(root, &["commit", "-qam", "third"]);
    let warm = scan(&[]);
    let fresh = scan(&["--no-cache"]);
    assert_eq!(finding_keys(&warm), finding_keys(&fresh));
    assert_eq!(warm["summary"]["commits"], 3);
    assert_eq!(warm["summary"]["blobs"], fresh["summary"]["blobs"]);
    assert_eq!(
        warm["summary"]["bytes_scanned"],
        fresh["summary"]["bytes_scanned"]
    );
    let cached = warm["summary"]["cached_blobs"].as_u64().unwrap();
    // 20 clean modules; the two key files (findings) and the new blob are read again.
    assert_eq!(cached, 20, "{}", warm["summary"]);
    assert!(fresh["summary"].get("cached_blobs").is_none());
    assert_eq!(rule_ids(&warm).len(), 3);

    // A deleted branch takes its blobs with it: the cached walk no longer holds, and the key only the
    // branch had is gone from the report.
    git(root, &["branch", "-qD", "topic"]);
    let after = scan(&[]);
    assert_eq!(finding_keys(&after), finding_keys(&scan(&["--no-cache"])));
    assert!(!rule_ids(&after).contains(&"secrets/slack-bot-token".to_string()));

    // Elsewhere with --cache; nothing written to the repository's own cache then.
    let other = TempDir::new().unwrap();
    std::fs::remove_dir_all(&cache_dir).unwrap();
    let _ = scan(&["--cache", other.path().to_str().unwrap()]);
    assert!(!cache_dir.exists());
    assert!(std::fs::read_dir(other.path()).unwrap().count() >= 2);
    warden()
        .args(["scan", "--cache", "x"])
        .current_dir(root)
        .assert()
        .code(2);
}

#[test]
fn packed_and_loose_blobs_are_read_alike() {
    // Many versions of one file, packed (deltas against each other), then one more commit left loose.
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    let mut body = String::new();
    for i in 0..40 {
        body.push_str(&format!("def f{i}():\n    return {i}\n"));
        if i == 7 {
            body.push_str(&format!("GITHUB_TOKEN = \"{}\"\n", github_pat()));
        }
        if i == 20 {
            body = body.replace(&github_pat(), "os.environ['GITHUB_TOKEN']");
        }
        write(root, "app/main.py", &body);
        git(root, &["add", "."]);
        git(root, &["commit", "-qm", &format!("v{i}")]);
    }
    pack_everything(root);
    write(root, "loose.env", format!("SLACK={}\n", slack_bot_token()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "loose"]);
    assert!(std::fs::read_dir(root.join(".git/objects/pack"))
        .unwrap()
        .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "pack")));

    let out = warden()
        .args(["scan", "--history", "--no-cache", "--format", "json"])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let mut ids = rule_ids(&doc);
    ids.sort();
    assert_eq!(
        ids,
        ["secrets/github-classic-pat", "secrets/slack-bot-token"]
    );
    let gh = finding_of(&doc, "secrets/github-classic-pat");
    assert_eq!(gh["location"]["provenance"]["summary"], "v7");
    assert_eq!(gh["location"]["provenance"]["in_head"], false);
    assert_eq!(doc["summary"]["blobs"], 41);
    assert_eq!(doc["summary"]["files_scanned"], 41);
}

/// Packs every object of the repository with git's plumbing (rev-list into pack-objects, then prune-packed),
/// each step's input given explicitly: `git gc` and `git repack` have read stray input where tests run.
fn pack_everything(root: &std::path::Path) {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let run = |args: &[&str], input: Option<&[u8]>| -> Vec<u8> {
        let mut child = Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", root)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git runs");
        if let Some(bytes) = input {
            child.stdin.take().unwrap().write_all(bytes).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let objects = run(&["rev-list", "--objects", "--all"], None);
    run(
        &["pack-objects", "-q", ".git/objects/pack/pack"],
        Some(&objects),
    );
    run(&["prune-packed", "-q"], None);
}

/// The first finding of `rule` in a JSON report.
fn finding_of<'a>(doc: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding"))
}

#[test]
fn diff_reports_what_the_range_introduced() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "old.env", format!("GH={}\n", github_pat()));
    write(root, "app.py", "print('hello')\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "base, with a key already there"]);
    git(root, &["branch", "-q", "base"]);
    git(root, &["checkout", "-qb", "topic"]);
    // The old key's file is edited but keeps its key: not something the branch introduced.
    write(root, "old.env", format!("# edited\nGH={}\n", github_pat()));
    write(root, "new.env", format!("SLACK={}\n", slack_bot_token()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "topic adds a key"]);
    // The base branch moves on with a key of its own, which the topic branch never had.
    git(root, &["checkout", "-q", "base"]);
    write(root, "base.env", format!("AWS={}\n", aws_key_id()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "base adds a key"]);
    git(root, &["checkout", "-q", "topic"]);

    for range in ["base..topic", "base...topic", "base"] {
        let doc = scan_json(root, &["--diff", range], 1);
        assert_eq!(rule_ids(&doc), ["secrets/slack-bot-token"], "{range}");
        assert_eq!(doc["findings"][0]["location"]["path"], "new.env");
        assert_eq!(doc["scan"]["mode"], "diff");
    }
    // Nothing changed, nothing reported; the working tree is not what a range holds.
    write(root, "untracked.env", format!("AWS={}\n", aws_key_id()));
    let doc = scan_json(root, &["--diff", "topic..topic"], 0);
    assert_eq!(rule_ids(&doc), Vec::<String>::new());

    warden()
        .args(["scan", "--diff", "no-such-branch..topic"])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-such-branch"));
}

#[test]
fn change_scans_take_unchanged_files_facts_from_the_cache() {
    // A cross-file trace: the request value comes from a module the change does not touch, so the finding in
    // the changed file needs that module's facts — from the cache on the second run.
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    init_repo(root);
    write(root, "shop/__init__.py", "");
    write(
        root,
        "shop/params.py",
        "from flask import request\n\n\ndef customer_id():\n    return request.args.get(\"customer\", \"\")\n",
    );
    let safe = "import sqlite3\n\nfrom flask import Flask\n\nfrom shop.params import customer_id\n\napp = Flask(__name__)\n\n\n@app.route(\"/orders\")\ndef orders():\n    conn = sqlite3.connect(\"shop.db\")\n    cid = customer_id()\n    return conn.execute(\"SELECT * FROM orders WHERE customer = ?\", (cid,)).fetchall()\n";
    write(root, "shop/views.py", safe);
    // An unchanged file with a key: never cached, so the cache holds no part of it.
    write(root, "old.env", format!("GH={}\n", github_pat()));
    for i in 0..12 {
        write(
            root,
            &format!("lib/m{i}.py"),
            format!("def f{i}():\n    return {i}\n"),
        );
    }
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["branch", "-q", "base"]);
    git(root, &["checkout", "-qb", "topic"]);
    write(
        root,
        "shop/views.py",
        safe.replace(
            "\"SELECT * FROM orders WHERE customer = ?\", (cid,)",
            "\"SELECT * FROM orders WHERE customer = '\" + cid + \"'\"",
        ),
    );
    write(root, "new.env", format!("SLACK={}\n", slack_bot_token()));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "topic"]);

    let diff = |extra: &[&str]| {
        let mut args = vec!["--diff", "base..topic"];
        args.extend_from_slice(extra);
        scan_json(root, &args, 1)
    };
    let uncached = diff(&["--no-cache"]);
    let mut want = rule_ids(&uncached);
    want.sort();
    assert_eq!(want, ["code/sql-injection", "secrets/slack-bot-token"]);
    assert!(uncached["summary"].get("cached_blobs").is_none());
    let cache_dir = root.join(".warden/cache");
    assert!(!cache_dir.exists(), "--no-cache writes nothing");

    let cold = diff(&[]);
    let warm = diff(&[]);
    assert_eq!(finding_keys(&cold), finding_keys(&uncached));
    assert_eq!(finding_keys(&warm), finding_keys(&uncached));
    assert_eq!(cold["summary"]["cached_blobs"], 0);
    // Every unchanged file but the one with a key: params, __init__ and the twelve modules.
    assert_eq!(warm["summary"]["cached_blobs"], 14, "{}", warm["summary"]);
    let trace = finding_of(&warm, "code/sql-injection");
    assert!(
        trace.to_string().contains("shop/params.py"),
        "the trace still runs through the cached module: {trace}"
    );
    for e in std::fs::read_dir(&cache_dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(!text.contains(&github_pat()[..12]) && !text.contains(&slack_bot_token()[..12]));
    }

    // The pre-commit path shares the cache: a staged edit of one module, the rest from the cache.
    write(root, "lib/m0.py", "def f0():\n    return 'zero'\n");
    git(root, &["add", "lib/m0.py"]);
    let out = warden()
        .args(["scan", "--staged", "--format", "json"])
        .current_dir(root)
        .assert()
        .code(0);
    let staged = json(&out.get_output().stdout);
    assert!(
        staged["summary"]["cached_blobs"].as_u64().unwrap() >= 13,
        "{}",
        staged["summary"]
    );
    // A cache that cannot be written is said, and the scan is still complete (its findings, its exit code).
    let blocked = root.join("old.env").join("cache");
    let doc = diff(&["--cache", blocked.to_str().unwrap()]);
    assert_eq!(finding_keys(&doc), finding_keys(&uncached));
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["reason"] == "cache-not-written"),
        "{}",
        doc["diagnostics"]
    );
    // A scan of the working tree has no cache to use.
    warden()
        .args(["scan", "--cache", "x"])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--history, --diff and --staged"));
}
