//! A scan killed in the middle of its write leaves the previous state whole: the store holds either the whole
//! new scan or none of it, and its audit chain verifies. The test re-runs its own binary as the writer and kills
//! it after a moment; whatever instant the kill lands on, the assertion is the same.

use std::process::{Command, Stdio};
use std::time::Duration;
use warden_store::*;

const CHILD_ENV: &str = "WARDEN_STORE_CRASH_DB";

fn record(n: usize, tag: &str) -> ScanRecord {
    ScanRecord {
        repo: "github.com/acme/app".into(),
        branch: "main".into(),
        started_at: "2026-11-30T10:00:00Z".into(),
        head_commit: None,
        tool_version: "t".into(),
        rules_version: "r".into(),
        actor: "ci".into(),
        findings: (0..n)
            .map(|i| FindingRecord {
                fingerprint: format!("{tag}{i:016x}"),
                content_key: format!("c{tag}{i}"),
                line_key: format!("l{tag}{i}"),
                rule_id: "code/x".into(),
                title: "t".into(),
                severity: "low".into(),
                confidence: "high".into(),
                path: format!("f{i}.py"),
                line: 1,
                message: "m".into(),
                snippet: "s".into(),
                secret_hash: None,
                priority: 4,
                priority_reasons: vec![],
                owner: None,
                context: None,
            })
            .collect(),
    }
}

/// The writer: a no-op unless the parent test started it.
#[test]
fn child_writes_a_big_scan() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut s = sqlite::Sqlite::open(std::path::Path::new(&db)).unwrap();
    loop {
        s.record_scan(&record(200_000, "b")).unwrap();
    }
}

#[test]
fn a_scan_killed_mid_write_leaves_the_previous_state_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    {
        let mut s = sqlite::Sqlite::open(&db).unwrap();
        s.record_scan(&record(1000, "a")).unwrap();
    }
    for wait in [50u64, 300, 900] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["child_writes_a_big_scan", "--exact", "--nocapture"])
            .env(CHILD_ENV, &db)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap();
        child.wait().unwrap();
        let s = sqlite::Sqlite::open(&db).unwrap();
        let all = s.findings("github.com/acme/app", "main", &[]).unwrap();
        // The first scan's 1000, plus either none or all of the 200,000.
        assert!(
            all.len() == 1000 || all.len() == 201_000,
            "{} findings after a kill at {wait} ms",
            all.len()
        );
        let log = s.audit_log().unwrap();
        assert!(
            audit::verify(&log).is_ok(),
            "chain broken after a kill at {wait} ms"
        );
    }
}
