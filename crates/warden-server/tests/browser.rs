//! The pages in a real browser, on SQLite and on PostgreSQL: headless Chromium, driven by Selenium from
//! `tests/browser/flow.py`, signs in, reads the overview, dismisses the queue's first finding as a false
//! positive, sees it leave the queue and enter the audit log, and visits the admin pages, with no SEVERE entry
//! (a CSP violation, a failed load) in the browser's console. `scripts/browser.sh` installs Debian's chromium
//! and chromium-driver and a pinned Selenium the first time. Each page's picture is kept in the workspace's
//! `target/screenshots/{sqlite,postgres}-<page>.png`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use warden_store::access::{Role, Scope, UserInfo};
use warden_store::{FindingRecord, ScanRecord, Store};

const USER: &str = "ana";
const PASSWORD: &str = "correct horse battery staple";
/// A finding's message holds this; the queue must show it as text.
const MARKUP: &str = "<b>x</b>";
/// Longest a browser flow may take before it is stopped.
const FLOW_TIMEOUT: Duration = Duration::from_secs(180);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python that has Selenium, after `scripts/browser.sh` made sure of Chromium, ChromeDriver and Selenium
/// (once per process, however many tests ask at the same time).
fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = PYTHON.get_or_init(|| {
        let script = workspace().join("scripts/browser.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", script.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "{} failed ({}):\n{stdout}{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let venv = stdout.lines().last().map(PathBuf::from);
        Ok(venv
            .filter(|p| p.exists())
            .unwrap_or_else(|| "python3".into()))
    });
    match found {
        Ok(p) => p,
        Err(e) => panic!("the browser tests cannot run: {e}"),
    }
}

fn start(stores: Vec<Box<dyn Store + Send>>) -> String {
    support::start(stores, Default::default())
}

/// A finding as `warden scan` records it: `what` is "rule-id: title".
fn finding(fp: &str, what: &str, severity: &str, priority: i64, message: &str) -> FindingRecord {
    let (rule, title) = what.split_once(": ").unwrap();
    FindingRecord {
        fingerprint: fp.into(),
        content_key: format!("c{fp}"),
        line_key: format!("l{fp}"),
        rule_id: rule.into(),
        title: title.into(),
        severity: severity.into(),
        confidence: "high".into(),
        path: format!("src/{}.py", &fp[..8]),
        line: 12,
        message: message.into(),
        snippet: "key = AKIA****************".into(),
        secret_hash: None,
        priority,
        priority_reasons: vec![format!("{severity} severity"), "public repository".into()],
        owner: Some("@acme/platform".into()),
        context: Some(serde_json::json!({"exposure": "public", "service": "billing"})),
    }
}

fn scan(repo: &str, at: &str, commit: &str, findings: Vec<FindingRecord>) -> ScanRecord {
    ScanRecord {
        repo: repo.into(),
        branch: "main".into(),
        started_at: at.into(),
        head_commit: Some(commit.into()),
        tool_version: "0.1.0".into(),
        rules_version: "r1".into(),
        actor: "ci".into(),
        findings,
    }
}

/// An admin who signs in with a password, and two repositories scanned on two days (one finding fixed in
/// between, so the overview has a trend and a time to fix).
fn seed(s: &mut dyn Store) {
    s.create_user(
        &UserInfo {
            name: USER.into(),
            role: Role::Admin,
            scope: Scope::all(),
            created_at: "2026-11-01T00:00:00Z".into(),
            disabled_at: None,
        },
        PASSWORD,
        "setup",
    )
    .unwrap();
    let (a, b) = ("github.com/acme/api", "github.com/ml/trainer");
    let key = finding(
        "aaaa000000000001",
        "secrets/aws-access-key: AWS access key",
        "critical",
        1,
        &format!("An AWS access key {MARKUP} in a config default"),
    );
    let sql = finding(
        "aaaa000000000002",
        "code/sql-injection: SQL built from user input",
        "high",
        2,
        "Query built from request.args",
    );
    let debug = finding(
        "aaaa000000000003",
        "config/debug-enabled: Debug mode enabled",
        "medium",
        3,
        "DEBUG = True in production settings",
    );
    s.record_scan(&scan(
        a,
        "2026-11-18T09:00:00Z",
        "1111111111111111",
        vec![key.clone(), sql.clone(), debug],
    ))
    .unwrap();
    s.record_scan(&scan(
        a,
        "2026-11-20T09:00:00Z",
        "2222222222222222",
        vec![key, sql],
    ))
    .unwrap();
    s.record_scan(&scan(
        b,
        "2026-11-20T10:00:00Z",
        "3333333333333333",
        vec![
            finding(
                "bbbb000000000001",
                "models/pickle-exec: Pickle that runs code on load",
                "critical",
                1,
                "model.pkl runs code when loaded",
            ),
            finding(
                "bbbb000000000002",
                "deps/typosquat: Likely typosquatted package",
                "low",
                4,
                "requirements.txt names reqeusts",
            ),
        ],
    ))
    .unwrap();
}

/// Seeds the store, serves it, and runs the browser flow against it; screenshots as `<label>-<page>.png`.
fn browse(label: &str, mut stores: Vec<Box<dyn Store + Send>>) {
    let python = python();
    seed(&mut *stores[0]);
    let base = start(stores);
    let shots = workspace().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shots = shots.canonicalize().unwrap();
    let flow = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/flow.py");
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let started = Instant::now();
    let mut child = Command::new(python)
        .arg(&flow)
        .arg(&base)
        .arg(&shots)
        .arg(label)
        .env("WARDEN_TEST_USER", USER)
        .env("WARDEN_TEST_PASSWORD", PASSWORD)
        .env("WARDEN_TEST_MARKUP", MARKUP)
        .env("SE_OFFLINE", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > FLOW_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    println!(
        "{label}: flow.py took {:.1} s; screenshots in {}\n{stdout}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
    assert!(
        matches!(status, Some(s) if s.success()),
        "{label}: the browser flow failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        status.map_or("timed out".to_string(), |s| s.to_string())
    );
}

#[test]
fn sqlite_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("browser.db");
    let stores: Vec<Box<dyn Store + Send>> = (0..2)
        .map(|_| {
            Box::new(warden_store::sqlite::Sqlite::open(&db).unwrap()) as Box<dyn Store + Send>
        })
        .collect();
    browse("sqlite", stores);
}

#[test]
fn postgres_in_a_browser() {
    // Before any runtime starts: the PostgreSQL client blocks on its own.
    let server = warden_store::testing::Server::start();
    let url = server.database("browser");
    let stores: Vec<Box<dyn Store + Send>> = (0..4)
        .map(|_| Box::new(warden_store::pg::Postgres::open(&url).unwrap()) as Box<dyn Store + Send>)
        .collect();
    browse("postgres", stores);
}
