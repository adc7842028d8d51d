//! The organisation server from the CLI: `warden user` and `warden token` manage access, `warden serve` serves
//! the store, and `warden scan --upload` records a scan through it as `--db` would.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn run(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = warden()
        .args(args)
        .current_dir(dir)
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

struct Serve(Child);
impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `warden serve` on a free port; returns it with its base URL.
fn serve(dir: &Path, db: &str) -> (Serve, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            "127.0.0.1:0",
            "--insecure-cookies",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Serve(child), url)
}

#[test]
fn users_tokens_serve_and_upload() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "app.env", format!("GITHUB_TOKEN={}\n", github_pat()));
    let db = d.join("org.db").display().to_string();

    let (code, _, err) = run(
        d,
        &["user", "add", "ana", "--role", "admin", "--db", &db],
        "a long password\n",
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        d,
        &["user", "add", "bo", "--role", "viewer", "--db", &db],
        "short\n",
    );
    assert_eq!(code, 2, "a short password is refused");
    assert!(err.contains("8 characters"), "{err}");
    let (_, out, _) = run(d, &["user", "list", "--db", &db], "");
    assert!(
        out.contains("ana") && out.contains("admin") && out.contains("active"),
        "{out}"
    );

    let (code, token, err) = run(
        d,
        &[
            "token",
            "create",
            "--name",
            "ci",
            "--role",
            "triager",
            "--expires",
            "30d",
            "--db",
            &db,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_string();
    assert!(token.starts_with("wst_") && token.len() == 52, "{token}");
    assert!(err.contains("not shown again"));
    let (code, _, err) = run(
        d,
        &[
            "token",
            "create",
            "--name",
            "x",
            "--role",
            "viewer",
            "--expires",
            "whenever",
            "--db",
            &db,
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("30d"), "{err}");
    let (_, list, _) = run(d, &["token", "list", "--format", "json", "--db", &db], "");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["name"], "ci");
    assert!(!list.to_string().contains(&token), "never listed whole");

    let (_server, url) = serve(d, &db);
    let out = warden()
        .args([
            "scan",
            ".",
            "--fail-on",
            "none",
            "--format",
            "json",
            "--upload",
            &url,
        ])
        .current_dir(d)
        .env("WARDEN_TOKEN", &token)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("uploaded to") && err.contains("1 new"),
        "{err}"
    );
    // The same scan again: unchanged.
    let out = warden()
        .args(["scan", ".", "--fail-on", "none", "--upload", &url])
        .current_dir(d)
        .env("WARDEN_TOKEN", &token)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("0 new, 1 unchanged") || err.contains("already recorded"),
        "{err}"
    );
    // Without a token, or with a wrong one: a clear error, exit 2.
    let out = warden()
        .args(["scan", ".", "--fail-on", "none", "--upload", &url])
        .current_dir(d)
        .env_remove("WARDEN_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARDEN_TOKEN"));
    let out = warden()
        .args(["scan", ".", "--fail-on", "none", "--upload", &url])
        .current_dir(d)
        .env("WARDEN_TOKEN", format!("wst_{}", "0".repeat(48)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));

    // What the server holds: the finding, redacted.
    let (code, list, _) = run(d, &["triage", "list", "--format", "json", "--db", &db], "");
    assert_eq!(code, 0);
    assert!(list.contains("github"), "{list}");
    assert!(!list.contains(&github_pat()), "never stored whole");

    let (code, _, err) = run(d, &["token", "revoke", &list_id(d, &db), "--db", &db], "");
    assert_eq!(code, 0, "{err}");
    let out = warden()
        .args(["scan", ".", "--fail-on", "none", "--upload", &url])
        .current_dir(d)
        .env("WARDEN_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a revoked token is refused");
}

fn list_id(d: &Path, db: &str) -> String {
    let (_, list, _) = run(d, &["token", "list", "--format", "json", "--db", db], "");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    list[0]["id"].as_str().unwrap().to_string()
}
