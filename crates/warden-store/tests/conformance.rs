//! The same behaviour from both backends: one suite, run against a SQLite file and against a throwaway
//! PostgreSQL server.

use warden_store::audit::{self, Broken};
use warden_store::*;

fn finding(fp: &str, path: &str, content: &str) -> FindingRecord {
    FindingRecord {
        fingerprint: fp.into(),
        content_key: content.into(),
        line_key: format!("line-{fp}"),
        rule_id: "secrets/github-classic-pat".into(),
        title: "GitHub token".into(),
        severity: "high".into(),
        confidence: "high".into(),
        path: path.into(),
        line: 3,
        message: "GitHub token `ghp_…[36 chars]`".into(),
        snippet: "token = \"ghp_…\"".into(),
        secret_hash: Some("h".repeat(64)),
        priority: 2,
        priority_reasons: vec!["high severity".into()],
        owner: Some("@acme/app".into()),
        context: None,
    }
}

fn scan(branch: &str, at: &str, findings: Vec<FindingRecord>) -> ScanRecord {
    ScanRecord {
        repo: "github.com/acme/app".into(),
        branch: branch.into(),
        started_at: at.into(),
        head_commit: Some("c0ffee".into()),
        tool_version: "0.1.0".into(),
        rules_version: "r1".into(),
        actor: "ci".into(),
        findings,
    }
}

fn decision(finding: &str, to: State, expires: Option<&str>) -> Decision {
    Decision {
        finding: finding.into(),
        to,
        reason: "checked with the owner".into(),
        expires: expires.map(str::to_string),
        actor: "ana@example.com".into(),
        at: "2026-11-30T13:00:00Z".into(),
    }
}

/// The whole lifecycle on one store.
fn lifecycle(s: &mut dyn Store) {
    let repo = "github.com/acme/app";
    let d = s
        .record_scan(&scan(
            "main",
            "2026-11-30T10:00:00Z",
            vec![
                finding("aaaaaaaa00000001", "x.py", "ca"),
                finding("bbbbbbbb00000002", "y.py", "cb"),
                finding("cccccccc00000003", "z.py", "cc"),
            ],
        ))
        .unwrap();
    assert_eq!(d.new.len(), 3);
    // Branches are kept apart.
    let other = s
        .record_scan(&scan(
            "dev",
            "2026-11-30T10:05:00Z",
            vec![finding("aaaaaaaa00000001", "x.py", "ca")],
        ))
        .unwrap();
    assert_eq!(other.new.len(), 1);
    s.decide(&decision("aaaaaaaa", State::FalsePositive, None))
        .unwrap_err(); // two findings: ambiguous
    let dismissed = s.findings(repo, "dev", &[]).unwrap()[0].id.to_string();
    s.decide(&decision(&dismissed, State::FalsePositive, None))
        .unwrap();
    s.decide(&decision(
        "bbbbbbbb",
        State::AcceptedRisk,
        Some("2027-01-31"),
    ))
    .unwrap();
    // Second scan: c fixed, a renamed, b unchanged (decision kept).
    let d = s
        .record_scan(&scan(
            "main",
            "2026-12-01T10:00:00Z",
            vec![
                finding("aaaaaaaa00000009", "src/x.py", "ca"),
                finding("bbbbbbbb00000002", "y.py", "cb"),
            ],
        ))
        .unwrap();
    assert_eq!((d.new.len(), d.unchanged.len(), d.fixed.len()), (0, 2, 1));
    assert_eq!(d.fixed, ["cccccccc00000003"]);
    // Third scan: c is back: reopened, not new.
    let d = s
        .record_scan(&scan(
            "main",
            "2026-12-02T10:00:00Z",
            vec![
                finding("aaaaaaaa00000009", "src/x.py", "ca"),
                finding("bbbbbbbb00000002", "y.py", "cb"),
                finding("cccccccc00000003", "z.py", "cc"),
            ],
        ))
        .unwrap();
    assert_eq!(d.reopened, ["cccccccc00000003"]);
    let main = s.findings(repo, "main", &[]).unwrap();
    let state_of = |fp: &str| main.iter().find(|f| f.fingerprint == fp).unwrap().state;
    assert_eq!(state_of("bbbbbbbb00000002"), State::AcceptedRisk);
    let a = main
        .iter()
        .find(|f| f.fingerprint == "aaaaaaaa00000009")
        .unwrap();
    assert_eq!((a.priority, a.owner.as_deref()), (2, Some("@acme/app")));
    assert_eq!(a.priority_reasons, ["high severity"]);
    assert_eq!(state_of("aaaaaaaa00000009"), State::Open);
    assert_eq!(
        s.findings(repo, "dev", &[]).unwrap()[0].state,
        State::FalsePositive
    );
    // The accepted risk expires.
    assert_eq!(
        s.expire("2027-02-01T00:00:00Z").unwrap(),
        ["bbbbbbbb00000002"]
    );
    let log = s.audit_log().unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["new", "new", "new", "new", "dismiss", "accept", "rekey", "fix", "reopen", "expire"]
    );
    assert_eq!(audit::verify(&log), Ok(10));
    counts_agree(s);
}

/// The counts the dashboards read, kept by every scan, decision and expiry, equal a fresh count of the findings.
pub fn counts_agree(s: &mut dyn Store) {
    let mut r = s.reader();
    let kept = r
        .query(
            "SELECT repo, branch, state, severity, priority, rule_id, n FROM finding_counts
             ORDER BY repo, branch, state, severity, priority, rule_id",
            &[],
        )
        .unwrap();
    let fresh = r
        .query(
            "SELECT repo, branch, state, severity, priority, rule_id, count(*) FROM findings
             GROUP BY repo, branch, state, severity, priority, rule_id
             ORDER BY repo, branch, state, severity, priority, rule_id",
            &[],
        )
        .unwrap();
    let rows = |v: Vec<warden_store::sql::SqlRow>| v.into_iter().map(|r| r.0).collect::<Vec<_>>();
    let fresh = rows(fresh);
    assert_eq!(rows(kept), fresh);
    // And the totals across repositories, by domain.
    let mut want = std::collections::BTreeMap::new();
    for r in &fresh {
        let t = |i: usize| match &r[i] {
            warden_store::sql::Val::Text(s) => s.clone(),
            warden_store::sql::Val::Int(n) => n.to_string(),
            warden_store::sql::Val::Null => String::new(),
        };
        let n = match r[6] {
            warden_store::sql::Val::Int(n) => n,
            _ => 0,
        };
        let domain = warden_store::ops::domain_of(&t(5)).to_string();
        *want.entry((t(2), t(3), t(4), domain)).or_insert(0) += n;
    }
    let got: std::collections::BTreeMap<_, _> = r
        .query(
            "SELECT state, severity, priority, domain, n FROM finding_totals WHERE n <> 0",
            &[],
        )
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                (r.text(0), r.text(1), r.int(2).to_string(), r.text(3)),
                r.int(4),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// The context a caller gives each finding is kept as given, read back, and replaced by a rescan's.
fn context_is_kept(s: &mut dyn Store) {
    let repo = "github.com/acme/app";
    let with =
        |fp: &str, path: &str, content: &str, context: Option<serde_json::Value>| FindingRecord {
            context,
            ..finding(fp, path, content)
        };
    let first = serde_json::json!({
        "blame": {"author": "ana@example.com", "age_days": 412},
        "service": "payments",
        "kind": "source",
        "exposure": "public",
        "note": "ünïcode, \"quotes\" and a\nnewline",
    });
    s.record_scan(&scan(
        "main",
        "2026-11-30T10:00:00Z",
        vec![
            with("aaaaaaaa0000000a", "a.py", "ca", Some(first.clone())),
            with("bbbbbbbb0000000b", "b.py", "cb", None),
            with(
                "cccccccc0000000c",
                "c.py",
                "cc",
                Some(serde_json::json!([1, 2.5, null])),
            ),
        ],
    ))
    .unwrap();
    let context_of = |s: &mut dyn Store, fp: &str| {
        s.findings(repo, "main", &[])
            .unwrap()
            .into_iter()
            .find(|f| f.fingerprint == fp)
            .unwrap()
            .context
    };
    assert_eq!(context_of(s, "aaaaaaaa0000000a"), Some(first.clone()));
    assert_eq!(context_of(s, "bbbbbbbb0000000b"), None);
    assert_eq!(
        context_of(s, "cccccccc0000000c"),
        Some(serde_json::json!([1, 2.5, null]))
    );
    // A rescan replaces it: changed, added, removed; a renamed file carries the new scan's.
    let changed = serde_json::json!({"blame": {"author": "bo@example.com", "age_days": 3}, "exposure": "internal"});
    let d = s
        .record_scan(&scan(
            "main",
            "2026-12-01T10:00:00Z",
            vec![
                with("aaaaaaaa0000000a", "a.py", "ca", Some(changed.clone())),
                with(
                    "bbbbbbbb0000000b",
                    "b.py",
                    "cb",
                    Some(serde_json::json!({"service": "search"})),
                ),
                with("cccccccc0000000d", "moved/c.py", "cc", None),
            ],
        ))
        .unwrap();
    assert_eq!((d.new.len(), d.unchanged.len()), (0, 3));
    assert_eq!(context_of(s, "aaaaaaaa0000000a"), Some(changed));
    assert_eq!(
        context_of(s, "bbbbbbbb0000000b"),
        Some(serde_json::json!({"service": "search"}))
    );
    assert_eq!(context_of(s, "cccccccc0000000d"), None);
    // The same scan again keeps it as it is.
    s.record_scan(&scan(
        "main",
        "2026-12-02T10:00:00Z",
        vec![
            with(
                "aaaaaaaa0000000a",
                "a.py",
                "ca",
                Some(serde_json::json!({"blame": {"author": "bo@example.com", "age_days": 3}, "exposure": "internal"})),
            ),
            with(
                "bbbbbbbb0000000b",
                "b.py",
                "cb",
                Some(serde_json::json!({"service": "search"})),
            ),
            with("cccccccc0000000d", "moved/c.py", "cc", None),
        ],
    ))
    .unwrap();
    assert_eq!(
        context_of(s, "bbbbbbbb0000000b"),
        Some(serde_json::json!({"service": "search"}))
    );
    // A decision's answer carries it too.
    let decided = s
        .decide(&decision("aaaaaaaa", State::Confirmed, None))
        .unwrap();
    assert_eq!(
        decided.context.unwrap()["blame"]["author"],
        serde_json::json!("bo@example.com")
    );
}

/// A rescan writes only the rows it changes (`written` returns, and forgets, the fingerprints of the rows
/// updated since it was last called), and every finding still reads back with the scans that first and last
/// showed it.
fn rescans_write_only_what_changed<S: Store>(s: &mut S, written: impl Fn(&mut S) -> Vec<String>) {
    let repo = "github.com/acme/app";
    let scan_of = |at: &str, fs: &[(&str, &str)]| {
        scan(
            "main",
            at,
            fs.iter()
                .map(|(fp, message)| FindingRecord {
                    message: message.to_string(),
                    context: Some(serde_json::json!({"service": "payments"})),
                    ..finding(fp, &format!("{fp}.py"), &format!("c{fp}"))
                })
                .collect(),
        )
    };
    let scans_of = |s: &mut S| -> Vec<(String, State, i64, i64)> {
        let mut all: Vec<_> = s
            .findings(repo, "main", &[])
            .unwrap()
            .into_iter()
            .map(|f| (f.fingerprint, f.state, f.first_scan, f.last_scan))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    };
    let (a, b, c) = ("aaaaaaaa000000aa", "bbbbbbbb000000bb", "cccccccc000000cc");
    let s1 = s
        .record_scan(&scan_of(
            "2026-11-30T10:00:00Z",
            &[(a, "m"), (b, "m"), (c, "m")],
        ))
        .unwrap()
        .scan_id;
    written(s);
    // The same findings again: nothing written, all of them last shown by the new scan.
    let s2 = s
        .record_scan(&scan_of(
            "2026-12-01T10:00:00Z",
            &[(a, "m"), (b, "m"), (c, "m")],
        ))
        .unwrap();
    assert_eq!(s2.unchanged.len(), 3);
    let s2 = s2.scan_id;
    assert_eq!(written(s), Vec::<String>::new());
    assert_eq!(
        scans_of(s),
        [
            (a.into(), State::Open, s1, s2),
            (b.into(), State::Open, s1, s2),
            (c.into(), State::Open, s1, s2)
        ]
    );
    // A scan of another branch moves nothing here.
    s.record_scan(&scan(
        "dev",
        "2026-12-01T11:00:00Z",
        vec![finding(a, "a.py", "ca")],
    ))
    .unwrap();
    assert_eq!(scans_of(s)[0].3, s2);
    // a's message changes, b is gone, c unchanged: a and b written, b last shown by s2.
    let s3 = s
        .record_scan(&scan_of("2026-12-02T10:00:00Z", &[(a, "m2"), (c, "m")]))
        .unwrap()
        .scan_id;
    let mut w = written(s);
    w.sort();
    assert_eq!(w, [a, b]);
    assert_eq!(
        scans_of(s),
        [
            (a.into(), State::Open, s1, s3),
            (b.into(), State::Fixed, s1, s2),
            (c.into(), State::Open, s1, s3)
        ]
    );
    // Reopened by hand, b is still last shown by s2; a scan without it fixes it again and keeps s2.
    s.decide(&decision("bbbbbbbb", State::Open, None)).unwrap();
    written(s);
    assert_eq!(scans_of(s)[1], (b.into(), State::Open, s1, s2));
    s.record_scan(&scan_of("2026-12-03T10:00:00Z", &[(a, "m2"), (c, "m")]))
        .unwrap();
    assert_eq!(written(s), [b]);
    assert_eq!(scans_of(s)[1], (b.into(), State::Fixed, s1, s2));
    // Reopened by hand again and shown, unchanged, by the next scan: written, since it was not last shown by
    // the latest scan.
    s.decide(&decision("bbbbbbbb", State::Open, None)).unwrap();
    written(s);
    let d = s
        .record_scan(&scan_of(
            "2026-12-04T10:00:00Z",
            &[(a, "m2"), (b, "m"), (c, "m")],
        ))
        .unwrap();
    assert_eq!((d.unchanged.len(), d.reopened.len()), (3, 0));
    assert_eq!(written(s), [b]);
    let s5 = d.scan_id;
    assert_eq!(scans_of(s)[1], (b.into(), State::Open, s1, s5));
    // Gone, then back: fixed, then reopened and written; the others not.
    s.record_scan(&scan_of("2026-12-05T10:00:00Z", &[(a, "m2"), (c, "m")]))
        .unwrap();
    assert_eq!(written(s), [b]);
    let d = s
        .record_scan(&scan_of(
            "2026-12-06T10:00:00Z",
            &[(a, "m2"), (b, "m"), (c, "m")],
        ))
        .unwrap();
    assert_eq!(d.reopened, [b]);
    assert_eq!(written(s), [b]);
    let s7 = d.scan_id;
    assert_eq!(
        scans_of(s),
        [
            (a.into(), State::Open, s1, s7),
            (b.into(), State::Open, s1, s7),
            (c.into(), State::Open, s1, s7)
        ]
    );
    // Only the context changes: written.
    let mut changed = scan_of("2026-12-07T10:00:00Z", &[(a, "m2"), (b, "m"), (c, "m")]);
    changed.findings[2].context = Some(serde_json::json!({"service": "search"}));
    s.record_scan(&changed).unwrap();
    assert_eq!(written(s), [c]);
    assert_eq!(
        audit::verify(&s.audit_log().unwrap()).map(|n| n > 0),
        Ok(true)
    );
}

fn bad_decisions(s: &mut dyn Store) {
    s.record_scan(&scan(
        "main",
        "2026-11-30T10:00:00Z",
        vec![finding("dddddddd00000004", "d.py", "cd")],
    ))
    .unwrap();
    for (d, why) in [
        (decision("dddddddd", State::AcceptedRisk, None), "expiry"),
        (
            decision("dddddddd", State::Confirmed, Some("2027-01-01")),
            "accepted risk only",
        ),
        (decision("dddddddd", State::Fixed, None), "set by a scan"),
        (
            decision("dd%", State::Confirmed, None),
            "expected a finding id",
        ),
        (decision("eeeeeeee", State::Confirmed, None), "no finding"),
    ] {
        let e = s.decide(&d).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }
    assert_eq!(
        s.audit_log().unwrap().len(),
        1,
        "refused decisions leave no trace"
    );
}

#[test]
fn sqlite_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sqlite::Sqlite::open(&dir.path().join("a.db")).unwrap();
    lifecycle(&mut s);
    let mut s = sqlite::Sqlite::open(&dir.path().join("b.db")).unwrap();
    bad_decisions(&mut s);
    let mut s = sqlite::Sqlite::open(&dir.path().join("c.db")).unwrap();
    context_is_kept(&mut s);
    let mut s = sqlite::Sqlite::open(&dir.path().join("d.db")).unwrap();
    s.connection()
        .execute_batch(
            "CREATE TABLE test_written (fingerprint TEXT NOT NULL);
             CREATE TRIGGER test_written AFTER UPDATE ON findings
             BEGIN INSERT INTO test_written VALUES (NEW.fingerprint); END;",
        )
        .unwrap();
    rescans_write_only_what_changed(&mut s, |s| {
        let c = s.connection();
        let mut st = c.prepare("SELECT fingerprint FROM test_written").unwrap();
        let w = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<String>, _>>()
            .unwrap();
        c.execute("DELETE FROM test_written", []).unwrap();
        w
    });
}

#[test]
fn sqlite_tampering_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut s = sqlite::Sqlite::open(&db).unwrap();
    lifecycle(&mut s);
    // Someone with the file drops the guard and edits an entry.
    s.connection()
        .execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET reason = 'nothing to see' WHERE seq = 5;")
        .unwrap();
    assert_eq!(
        audit::verify(&s.audit_log().unwrap()),
        Err(Broken::Edited { seq: 5 })
    );
}

#[test]
fn postgres_conforms_and_tampering_is_detected() {
    let server = warden_store::testing::Server::start();
    let mut s = pg::Postgres::open(&server.database("lifecycle")).unwrap();
    lifecycle(&mut s);
    assert!(s
        .client()
        .execute("UPDATE audit SET reason = 'x' WHERE seq = 1", &[])
        .is_err());
    assert!(s
        .client()
        .execute("DELETE FROM audit WHERE seq = 10", &[])
        .is_err());
    s.client()
        .batch_execute("ALTER TABLE audit DISABLE TRIGGER USER; DELETE FROM audit WHERE seq = 3;")
        .unwrap();
    assert_eq!(
        audit::verify(&s.audit_log().unwrap()),
        Err(Broken::Gap {
            seq: 4,
            expected: 3
        })
    );
    let mut s = pg::Postgres::open(&server.database("decisions")).unwrap();
    bad_decisions(&mut s);
    let mut s = pg::Postgres::open(&server.database("context")).unwrap();
    context_is_kept(&mut s);
    let mut s = pg::Postgres::open(&server.database("rescans")).unwrap();
    s.client()
        .batch_execute(
            "CREATE TABLE test_written (fingerprint TEXT NOT NULL);
             CREATE FUNCTION test_written() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN INSERT INTO test_written VALUES (NEW.fingerprint); RETURN NULL; END $$;
             CREATE TRIGGER test_written AFTER UPDATE ON findings
               FOR EACH ROW EXECUTE FUNCTION test_written();",
        )
        .unwrap();
    rescans_write_only_what_changed(&mut s, |s| {
        s.client()
            .query("DELETE FROM test_written RETURNING fingerprint", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    // A newer schema is refused, by name and without the password.
    let url = server.database("newer");
    let mut s = pg::Postgres::open(&url).unwrap();
    s.client()
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            &[],
        )
        .unwrap();
    drop(s);
    let e = pg::Postgres::open(&url).err().unwrap().to_string();
    assert!(e.contains("99") && e.contains("upgrade"), "{e}");
    // An unreachable server is a clear error.
    let e = pg::Postgres::open("postgres://warden:pw@127.0.0.1:1/none")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("cannot connect") && !e.contains("pw@"), "{e}");
}

/// Two writers at once, each with its own connection: both scans are recorded whole, one after the other, and
/// the audit chain stays one unbroken sequence.
fn concurrent(open: impl Fn() -> Box<dyn Store> + Sync) {
    std::thread::scope(|sc| {
        let hs: Vec<_> = (0..2)
            .map(|w| {
                let open = &open;
                sc.spawn(move || {
                    let mut s = open();
                    for round in 0..5 {
                        let findings = (0..50)
                            .map(|i| {
                                finding(
                                    &format!("{w:02x}{round:02x}{i:012x}"),
                                    &format!("w{w}/f{i}.py"),
                                    &format!("c{w}{round}{i}"),
                                )
                            })
                            .collect();
                        s.record_scan(&scan(
                            &format!("branch-{w}"),
                            "2026-11-30T10:00:00Z",
                            findings,
                        ))
                        .unwrap();
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
    let mut s = open();
    let log = s.audit_log().unwrap();
    // Each round: 50 new, and the previous round's 50 fixed (after the first).
    assert_eq!(log.len(), 2 * (5 * 50 + 4 * 50));
    assert_eq!(audit::verify(&log), Ok(log.len() as u64));
}

#[test]
fn sqlite_two_writers_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    sqlite::Sqlite::open(&db).unwrap();
    concurrent(|| Box::new(sqlite::Sqlite::open(&db).unwrap()));
}

#[test]
fn postgres_two_writers_at_once() {
    let server = warden_store::testing::Server::start();
    let url = server.database("concurrent");
    pg::Postgres::open(&url).unwrap();
    concurrent(|| Box::new(pg::Postgres::open(&url).unwrap()));
}
