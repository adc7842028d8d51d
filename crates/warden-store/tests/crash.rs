//! A scan killed in the middle of its write leaves the previous state whole: the store holds either the whole
//! new scan or none of it, and its audit chain verifies. The test re-runs its own binary as the writer and kills
//! it after a moment; whatever instant the kill lands on, the assertion is the same. On SQLite the writer is
//! killed a moment after it starts; on PostgreSQL a moment after its transaction holds the write lock (so the
//! kill lands inside a write), and the lock must come free with the dead session.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use warden_store::*;

const CHILD_ENV: &str = "WARDEN_STORE_CRASH_DB";
const PG_CHILD_ENV: &str = "WARDEN_STORE_CRASH_PG";

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

/// The PostgreSQL writer: scans of `PG_BIG` findings, alternating between two sets, so that every scan inserts
/// a whole set and fixes the other.
#[test]
fn child_writes_big_scans_to_postgres() {
    let Ok(url) = std::env::var(PG_CHILD_ENV) else {
        return;
    };
    let mut s = pg::Postgres::open(&url).unwrap();
    let scans = [record(PG_BIG, "b"), record(PG_BIG, "c")];
    for round in 0.. {
        s.record_scan(&scans[round % 2]).unwrap();
    }
}

const PG_BIG: usize = 25_000;

fn spawn_writer(test: &str, env: &str, value: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture"])
        .env(env, value)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Holds the write lock for as long as it lives: the dead writer's transaction is over (rolled back, or
/// committed just before the kill) once it is granted, and no one else writes meanwhile.
struct WriteLock(postgres::Client);

impl WriteLock {
    fn take(url: &str) -> WriteLock {
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        // A guard against a hang, not a measure: a dead session's transaction ends within moments.
        c.batch_execute("SET lock_timeout = '120s'").unwrap();
        if let Err(e) = c.execute("SELECT pg_advisory_lock($1)", &[&pg::WRITE_LOCK]) {
            panic!("the killed writer's session still holds the write lock: {e:?}");
        }
        WriteLock(c)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self
            .0
            .execute("SELECT pg_advisory_unlock($1)", &[&pg::WRITE_LOCK]);
    }
}

/// Checks that the store holds whole scans only: the findings that are not fixed are exactly one scan's set,
/// every set the store holds is whole, every finding has its `new` audit entry, and the chain verifies.
fn assert_whole(s: &mut pg::Postgres, when: &str) {
    let all = s.findings("github.com/acme/app", "main", &[]).unwrap();
    let mut sets: BTreeMap<char, (usize, usize)> = BTreeMap::new();
    for f in &all {
        let e = sets
            .entry(f.fingerprint.chars().next().unwrap())
            .or_default();
        e.0 += 1;
        if f.state != State::Fixed {
            e.1 += 1;
        }
    }
    let size = |tag: char| if tag == 'a' { 1000 } else { PG_BIG };
    for (tag, (n, _)) in &sets {
        assert_eq!(*n, size(*tag), "set {tag} is not whole {when}: {sets:?}");
    }
    let shown: Vec<char> = sets
        .iter()
        .filter(|(_, (_, open))| *open > 0)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(shown.len(), 1, "more than one scan shown {when}: {sets:?}");
    assert_eq!(sets[&shown[0]].1, size(shown[0]), "{when}: {sets:?}");
    let log = s.audit_log().unwrap();
    assert!(
        audit::verify(&log).is_ok(),
        "chain broken {when}: {:?}",
        audit::verify(&log)
    );
    let news = log.iter().filter(|e| e.action == "new").count();
    assert_eq!(news, all.len(), "new entries and findings differ {when}");
}

#[test]
fn a_postgres_scan_killed_mid_write_leaves_the_previous_state_whole() {
    let server = testing::Server::start();
    let url = server.database("crash");
    pg::Postgres::open(&url)
        .unwrap()
        .record_scan(&record(1000, "a"))
        .unwrap();
    let mut watch = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let scans = |c: &mut postgres::Client| -> i64 {
        c.query_one("SELECT count(*) FROM scans", &[])
            .unwrap()
            .get(0)
    };
    // Killed inside its first write (nothing of it may show), and inside a write after one or two whole scans
    // committed (those show whole, the one cut short not at all).
    for (commits, wait) in [(0i64, 0u64), (0, 1000), (1, 0), (2, 300)] {
        let before = scans(&mut watch);
        let mut child = spawn_writer("child_writes_big_scans_to_postgres", PG_CHILD_ENV, &url);
        // Until the writer has committed that many scans and its next transaction holds the write lock (or
        // the writer died on its own: a failure).
        loop {
            let committed = scans(&mut watch) - before;
            let held: i64 = watch
                .query_one(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
                     AND classid = 0 AND objid = $1::bigint::oid",
                    &[&pg::WRITE_LOCK],
                )
                .unwrap()
                .get(0);
            if committed >= commits && held > 0 {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the writer exited by itself: {status}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap();
        child.wait().unwrap();
        let when =
            format!("after a kill {wait} ms into a write that followed {commits} whole ones");
        // Granted only once the dead session's transaction is over: the lock does not outlive it.
        let lock = WriteLock::take(&url);
        let mut s = pg::Postgres::open(&url).unwrap();
        assert_whole(&mut s, &when);
        drop(lock);
        // And writers go on: a new scan is recorded whole.
        let d = s.record_scan(&record(1000, "a")).unwrap();
        assert_eq!(d.new.len() + d.unchanged.len() + d.reopened.len(), 1000);
        assert_whole(&mut s, &format!("{when}, then a new scan"));
    }
}
