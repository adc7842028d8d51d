//! The findings store from the CLI, on SQLite and on a throwaway PostgreSQL server: `scan --db` records new,
//! unchanged and fixed findings with their baseline state, `--new-only`, `triage` decisions, and `audit
//! verify` catching tampering.

mod common;
use common::*;
use std::path::Path;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.email", "ana@example.com"]);
    write(
        dir.path(),
        "a.env",
        format!("GITHUB_TOKEN={}\n", github_pat()),
    );
    dir
}

fn scan(dir: &Path, db: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "scan",
        ".",
        "--format",
        "json",
        "--fail-on",
        "none",
        "--db",
        db,
    ];
    args.extend_from_slice(extra);
    let out = warden().args(&args).current_dir(dir).assert().code(0);
    json(&out.get_output().stdout)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = warden().args(args).current_dir(dir).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn lifecycle(db: &str) {
    let dir = repo();
    let d = dir.path();
    let doc = scan(d, db, &[]);
    assert_eq!(doc["findings"][0]["baseline_state"], "new");
    // Unchanged the second time, and --new-only drops it.
    assert_eq!(
        scan(d, db, &[])["findings"][0]["baseline_state"],
        "unchanged"
    );
    assert_eq!(
        scan(d, db, &["--new-only"])["findings"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let fp = doc["findings"][0]["fingerprint"].as_str().unwrap()[..12].to_string();
    let (code, out, err) = run(
        d,
        &[
            "triage",
            "accept",
            &fp,
            "--reason",
            "test token",
            "--db",
            db,
        ],
    );
    assert_eq!(code, 2, "no expiry: {out}{err}");
    assert!(err.contains("--expires"), "{err}");
    let (code, out, _) = run(
        d,
        &[
            "triage",
            "accept",
            &fp,
            "--reason",
            "test token",
            "--expires",
            "2099-01-01",
            "--db",
            db,
        ],
    );
    assert_eq!(code, 0);
    assert!(out.contains("accepted-risk"), "{out}");
    let (_, out, _) = run(
        d,
        &[
            "triage",
            "list",
            "--db",
            db,
            "--state",
            "accepted-risk",
            "--format",
            "json",
        ],
    );
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["state"], "accepted-risk");
    // The key is removed: fixed; it comes back: reopened, its decision kept in the log.
    std::fs::remove_file(d.join("a.env")).unwrap();
    scan(d, db, &[]);
    write(d, "a.env", format!("GITHUB_TOKEN={}\n", github_pat()));
    assert_eq!(scan(d, db, &[])["findings"][0]["baseline_state"], "updated");
    let (code, out, _) = run(d, &["audit", "verify", "--db", db]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("4 entries"), "{out}");
    let (_, out, _) = run(d, &["audit", "export", "--db", db]);
    let actions: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(actions, ["new", "accept", "fix", "reopen"]);
    assert!(!out.contains(&github_pat()), "no secret in the audit log");
}

#[test]
fn the_store_on_sqlite() {
    lifecycle("");
}

#[test]
fn the_store_on_postgres() {
    let server = warden_store::testing::Server::start();
    lifecycle(&server.database("cli"));
}

#[test]
fn a_tampered_sqlite_log_is_named_and_bad_databases_are_clear_errors() {
    let dir = repo();
    let d = dir.path();
    scan(d, "", &[]);
    let db = d.join(".warden/warden.db");
    {
        let s = warden_store::sqlite::Sqlite::open(&db).unwrap();
        s.connection()
            .execute_batch(
                "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 1;",
            )
            .unwrap();
    }
    let (code, out, _) = run(d, &["audit", "verify"]);
    assert_eq!(code, 1);
    assert!(out.contains("entry 1") && out.contains("edited"), "{out}");
    // A newer schema, and a file that is not a database: exit 2 naming the file, nothing written.
    let newer = d.join("newer.db");
    {
        let s = warden_store::sqlite::Sqlite::open(&newer).unwrap();
        s.connection()
            .execute(
                "UPDATE meta SET value = '7' WHERE key = 'schema_version'",
                [],
            )
            .unwrap();
    }
    let (code, _, err) = run(d, &["scan", ".", "--db", "newer.db"]);
    assert_eq!(code, 2);
    assert!(err.contains("newer.db") && err.contains("upgrade"), "{err}");
    write(
        d,
        "junk.db",
        "plain text, not a database at all, long enough to have a header",
    );
    let (code, _, err) = run(d, &["scan", ".", "--db", "junk.db"]);
    assert_eq!(code, 2);
    assert!(err.contains("junk.db"), "{err}");
    let (code, _, err) = run(d, &["scan", ".", "--new-only"]);
    assert_eq!(code, 2);
    assert!(err.contains("--new-only needs --db"), "{err}");
}

/// Each stored finding carries its context: the kind of code, and who changed its lines last (blame at HEAD).
#[test]
fn recorded_findings_carry_context_and_blame() {
    let dir = repo();
    let d = dir.path();
    git(d, &["add", "a.env"]);
    git(
        d,
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "add env",
        ],
    );
    let db = d.join("w.db");
    let db = db.to_str().unwrap();
    scan(d, db, &[]);
    let (code, out, err) = run(d, &["triage", "list", "--format", "json", "--db", db]);
    assert_eq!(code, 0, "{err}");
    let list = json(out.as_bytes());
    let c = &list[0]["context"];
    assert_eq!(c["code"], "production", "{c}");
    // The test helper commits as dev@acme.test on 2024-03-01.
    assert_eq!(c["last_change"]["author"], "dev@acme.test", "{c}");
    assert_eq!(c["last_change"]["date"], "2024-03-01T12:00:00Z", "{c}");
    assert_eq!(c["last_change"]["time"], 1_709_294_400, "{c}");
    assert_eq!(c["last_change"]["commit"].as_str().unwrap().len(), 40);
    let (_, text, _) = run(d, &["triage", "list", "--db", db]);
    assert!(
        text.contains("production code · last changed ")
            && text.contains(" days ago by dev@acme.test ("),
        "{text}"
    );
}

/// The same rule on two objects of one manifest is two findings; the same token twice in one file is one finding
/// to triage. Neither stops a scan from being recorded.
#[test]
fn repeated_findings_in_one_file_are_recorded() {
    let dir = repo();
    let d = dir.path();
    let job = |name: &str| {
        format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"* * * * *\"\n  \
             jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: {name}\n              image: busybox\n"
        )
    };
    write(
        d,
        "deploy/jobs.yaml",
        format!("{}---\n{}", job("a"), job("b")),
    );
    write(
        d,
        "b.env",
        format!("A={}\nB={}\n", github_pat(), github_pat()),
    );
    let db = d.join("w.db");
    let doc = scan(d, db.to_str().unwrap(), &[]);
    let findings = doc["findings"].as_array().unwrap();
    let unpinned: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"] == "k8s/image-unpinned")
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(unpinned.len(), 2);
    assert_ne!(unpinned[0], unpinned[1]);
    assert!(findings.iter().all(|f| f["baseline_state"] == "new"));
}

/// A store another process holds locked longer than the busy timeout (10 s) is a clear error naming it, and the
/// scan is not recorded.
#[test]
fn a_locked_sqlite_store_is_a_clear_error() {
    let dir = repo();
    let d = dir.path();
    let db = d.join("w.db");
    let db_s = db.to_str().unwrap().to_string();
    scan(d, &db_s, &[]);
    let mut holder = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             c.execute('BEGIN EXCLUSIVE')\n\
             print('locked', flush=True)\n\
             time.sleep(30)",
            &db_s,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    let (code, _, err) = run(d, &["scan", ".", "--fail-on", "none", "--db", &db_s]);
    holder.kill().ok();
    holder.wait().ok();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{db_s}: the database is busy")),
        "{err}"
    );
    // Once free, the next scan sees the first one, not a half-written second.
    let doc = scan(d, &db_s, &[]);
    assert_eq!(doc["findings"][0]["baseline_state"], "unchanged");
}
