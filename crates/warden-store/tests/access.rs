//! Access (users, tokens, sessions), uploads and the dashboards' reads: the same behaviour on SQLite and
//! PostgreSQL, and a version-1 database migrated forward with its findings and audit chain kept.

use warden_store::access;
use warden_store::access::{NewToken, Role, Scope, UserInfo};
use warden_store::dash::QueueFilter;
use warden_store::*;

fn finding(fp: &str, rule: &str, severity: &str, priority: i64) -> FindingRecord {
    FindingRecord {
        fingerprint: fp.into(),
        content_key: format!("c{fp}"),
        line_key: format!("l{fp}"),
        rule_id: rule.into(),
        title: "A finding".into(),
        severity: severity.into(),
        confidence: "high".into(),
        path: format!("src/{fp}.py"),
        line: 3,
        message: "message".into(),
        snippet: "x = ****".into(),
        secret_hash: None,
        priority,
        priority_reasons: vec!["because".into()],
        owner: None,
        context: None,
    }
}

fn scan(repo: &str, at: &str, findings: Vec<FindingRecord>) -> ScanRecord {
    ScanRecord {
        repo: repo.into(),
        branch: "main".into(),
        started_at: at.into(),
        head_commit: Some("abc123".into()),
        tool_version: "0.1.0".into(),
        rules_version: "1".into(),
        actor: "ci".into(),
        findings,
    }
}

fn token(role: Role, scope: &[&str], expires: &str) -> NewToken {
    NewToken {
        name: "ci upload".into(),
        role,
        scope: Scope(scope.iter().map(|s| s.to_string()).collect()),
        expires_at: expires.into(),
        actor: "admin".into(),
        at: "2026-11-30T10:00:00Z".into(),
    }
}

fn access(s: &mut dyn Store) {
    // Tokens: shown once, stored hashed, scoped, expiring, revocable, listed with last use.
    let (secret, info) = s
        .create_token(&token(Role::Triager, &["github.com/acme/*"], "2026-12-30"))
        .unwrap();
    assert!(secret.starts_with("wst_") && secret.len() == 52);
    assert_eq!(info.role, Role::Triager);
    let p = s
        .authenticate(&secret, "2026-11-30T11:00:00Z")
        .unwrap()
        .unwrap();
    assert_eq!(p.name, format!("token:{}", info.id));
    assert!(p.can_see("github.com/acme/api") && !p.can_see("github.com/other/x"));
    let listed = s.tokens().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at.as_deref(), Some("2026-11-30T11:00"));
    assert!(
        s.authenticate(&secret, "2026-12-30T00:00:01Z")
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(s
        .authenticate(
            &format!(
                "{}{}",
                &secret[..51],
                if secret.ends_with('0') { '1' } else { '0' }
            ),
            "2026-11-30T11:00:00Z"
        )
        .unwrap()
        .is_none());
    assert!(s
        .authenticate("Bearer nonsense", "2026-11-30")
        .unwrap()
        .is_none());
    s.revoke_token(&info.id, "admin", "2026-11-30T12:00:00Z")
        .unwrap();
    assert!(s
        .authenticate(&secret, "2026-11-30T12:00:01Z")
        .unwrap()
        .is_none());
    let e = s
        .revoke_token(&info.id, "admin", "2026-11-30T12:00:00Z")
        .unwrap_err()
        .to_string();
    assert!(e.contains(&info.id), "{e}");
    // An expiry is required and must be in the future; a scope must be well formed.
    assert!(s
        .create_token(&token(Role::Viewer, &["*"], "2026-11-01"))
        .is_err());
    assert!(s
        .create_token(&token(Role::Viewer, &["*"], "soon"))
        .is_err());
    assert!(s
        .create_token(&token(Role::Viewer, &["a*b"], "2027-01-01"))
        .is_err());

    // Users: argon2id passwords, disabled users cannot sign in and lose their sessions.
    let ana = UserInfo {
        name: "ana@example.com".into(),
        role: Role::Admin,
        scope: Scope::all(),
        created_at: "2026-11-30T10:00:00Z".into(),
        disabled_at: None,
    };
    s.create_user(&ana, "correct horse battery", "bootstrap")
        .unwrap();
    assert!(s
        .create_user(&ana, "another password", "bootstrap")
        .is_err());
    let bob = UserInfo {
        name: "bob".into(),
        role: Role::Viewer,
        scope: Scope(vec!["github.com/acme/api".into()]),
        ..ana.clone()
    };
    assert!(
        s.create_user(&bob, "short", "ana@example.com").is_err(),
        "too short"
    );
    s.create_user(&bob, "bob's long password", "ana@example.com")
        .unwrap();
    assert!(s
        .check_password("ana@example.com", "wrong")
        .unwrap()
        .is_none());
    assert!(s.check_password("nobody", "whatever").unwrap().is_none());
    let signed = s
        .check_password("bob", "bob's long password")
        .unwrap()
        .unwrap();
    let (cookie, session) = s
        .start_session(&signed, "2026-11-30T10:00:00Z", "2026-11-30T18:00:00Z")
        .unwrap();
    assert!(cookie.starts_with("wss_"));
    let again = s.session(&cookie, "2026-11-30T11:00:00Z").unwrap().unwrap();
    assert_eq!(again.csrf, session.csrf);
    assert_eq!(again.principal.role, Role::Viewer);
    assert!(s
        .session(&cookie, "2026-11-30T18:00:01Z")
        .unwrap()
        .is_none());
    s.disable_user("bob", "ana@example.com", "2026-11-30T13:00:00Z")
        .unwrap();
    assert!(s
        .session(&cookie, "2026-11-30T13:00:01Z")
        .unwrap()
        .is_none());
    assert!(s
        .check_password("bob", "bob's long password")
        .unwrap()
        .is_none());
    let (c2, _) = s
        .start_session(&ana, "2026-11-30T10:00:00Z", "2026-11-30T18:00:00Z")
        .unwrap();
    s.end_session(&c2).unwrap();
    assert!(s.session(&c2, "2026-11-30T11:00:00Z").unwrap().is_none());
    let users = s.users().unwrap();
    assert_eq!(users.len(), 2);
    assert!(users[1].disabled_at.is_some());

    // Every change of access is in the chain, and no secret is.
    let log = s.audit_log().unwrap();
    let actions: Vec<&str> = log
        .iter()
        .filter(|e| e.finding.starts_with("token:") || e.finding.starts_with("user:"))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "token-create",
            "token-revoke",
            "user-add",
            "user-add",
            "user-disable"
        ]
    );
    assert!(audit::verify(&log).is_ok());
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(&secret) && !text.contains("horse") && !text.contains(&cookie));
}

fn attach(score: i64) -> Vec<access::Attachment> {
    vec![
        access::Attachment {
            kind: "assessment".into(),
            body: serde_json::json!({"score": score, "level": "moderate"}),
        },
        access::Attachment {
            kind: "inventory".into(),
            body: serde_json::json!({"assets": [{"id": "a1", "kind": "agent", "name": "support-bot"}]}),
        },
    ]
}

fn uploads_and_dashboards(s: &mut dyn Store) {
    let first = scan(
        "github.com/acme/api",
        "2026-11-01T09:00:00Z",
        vec![
            finding("aaaa0001", "secrets/aws-access-key", "critical", 1),
            finding("aaaa0002", "code/sql-injection", "high", 2),
            finding("aaaa0003", "config/k8s-privileged", "medium", 3),
        ],
    );
    let (d, replay) = s.record_upload("upload-1", &first, &attach(40)).unwrap();
    assert!(!replay);
    assert_eq!(d.new.len(), 3);
    // A retry with the same key records nothing and answers the same.
    let (again, replay) = s.record_upload("upload-1", &first, &attach(40)).unwrap();
    assert!(replay);
    assert_eq!(again, d);
    assert_eq!(
        s.audit_log().unwrap().len(),
        3,
        "a replay writes no audit entry"
    );
    let mut other = first.clone();
    other.repo = "github.com/acme/web".into();
    assert!(s.record_upload("upload-1", &other, &[]).is_err());
    // A later scan fixes one finding; another repository has its own.
    let second = scan(
        "github.com/acme/api",
        "2026-11-11T09:00:00Z",
        vec![
            finding("aaaa0001", "secrets/aws-access-key", "critical", 1),
            finding("aaaa0002", "code/sql-injection", "high", 2),
        ],
    );
    s.record_upload("upload-2", &second, &attach(20)).unwrap();
    s.record_upload(
        "upload-3",
        &scan(
            "github.com/ml/trainer",
            "2026-11-12T09:00:00Z",
            vec![finding("bbbb0001", "models/pickle-exec", "critical", 1)],
        ),
        &[],
    )
    .unwrap();

    let all = Scope::all();
    // What came with the uploads: the latest per repository, and the history.
    let latest = s.latest_snapshots(&all, "assessment").unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].body["score"], 20);
    assert_eq!(
        s.snapshot_history(&all, "assessment", 100).unwrap().len(),
        2
    );
    assert_eq!(
        s.latest_snapshots(&all, "inventory").unwrap()[0].body["assets"][0]["name"],
        "support-bot"
    );
    assert!(s
        .latest_snapshots(&Scope(vec!["github.com/ml/*".into()]), "assessment")
        .unwrap()
        .is_empty());
    let bad = [access::Attachment {
        kind: "secrets".into(),
        body: serde_json::json!({}),
    }];
    assert!(s.record_upload("upload-9", &first, &bad).is_err());
    let o = s.overview(&all).unwrap();
    assert_eq!(o.open, 3);
    assert_eq!(o.untriaged, 3);
    assert_eq!(o.by_severity.get("critical"), Some(&2));
    assert_eq!(o.by_domain.get("secrets"), Some(&1));
    assert_eq!(o.by_domain.get("models"), Some(&1));
    assert_eq!(o.by_priority.get(&1), Some(&2));
    assert_eq!(o.repositories, 2);
    assert_eq!(o.trend.len(), 3);
    assert_eq!(o.trend[1].day, "2026-11-11");
    assert_eq!(o.trend[1].fixed, 1);
    assert_eq!(o.median_days_to_fix, Some(10.0));

    let acme = Scope(vec!["github.com/acme/*".into()]);
    assert_eq!(s.overview(&acme).unwrap().open, 2);
    let repos = s.repositories(&acme).unwrap();
    assert_eq!(repos.len(), 1);
    assert_eq!(
        (repos[0].open, repos[0].critical, repos[0].scans),
        (2, 1, 2)
    );
    assert_eq!(
        repos[0].last_scan_at.as_deref(),
        Some("2026-11-11T09:00:00Z")
    );

    let q = s
        .queue(
            &all,
            &QueueFilter {
                limit: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(q.total, 3);
    assert_eq!(q.items.len(), 2);
    assert!(q.items.iter().all(|f| f.priority == 1));
    let q = s
        .queue(
            &acme,
            &QueueFilter {
                domain: Some("code".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(q.total, 1);
    assert_eq!(q.items[0].rule_id, "code/sql-injection");
    let id = q.items[0].id;

    // A decision takes it out of the untriaged queue and into its history.
    s.decide(&Decision {
        finding: id.to_string(),
        to: State::FalsePositive,
        reason: "test fixture".into(),
        expires: None,
        actor: "ana".into(),
        at: "2026-11-30T10:00:00Z".into(),
    })
    .unwrap();
    let f = s.finding_by_id(id).unwrap().unwrap();
    assert_eq!(f.state, State::FalsePositive);
    assert_eq!(f.last_scan, d.scan_id + 1);
    let h = s.history(&f.fingerprint).unwrap();
    assert_eq!(
        h.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["new", "dismiss"]
    );
    assert_eq!(
        s.queue(
            &acme,
            &QueueFilter {
                limit: 50,
                ..Default::default()
            }
        )
        .unwrap()
        .total,
        1
    );
    assert!(s.finding_by_id(999_999).unwrap().is_none());
    // Two states at once: merged in priority order, counted from the totals.
    let both = s
        .queue(
            &all,
            &QueueFilter {
                states: vec![State::Open, State::FalsePositive],
                limit: 2,
                offset: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(both.total, 3);
    assert_eq!(both.items.len(), 2);
    assert_eq!(both.items[0].priority, 1);
    assert_eq!(both.items[1].rule_id, "code/sql-injection");
    let scoped_both = s
        .queue(
            &acme,
            &QueueFilter {
                states: vec![State::Open, State::FalsePositive],
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(scoped_both.total, 2);
    assert_eq!(scoped_both.items.len(), 2);
    let page = s.audit_page(2, None).unwrap();
    assert_eq!(page[0].action, "dismiss");
    assert_eq!(page.len(), 2);
    let after = s.audit_after(page[1].seq, 100).unwrap();
    assert_eq!(after.len(), 1);
    let mut r = s.reader();
    let kept = r
        .query("SELECT repo, branch, state, rule_id, n FROM finding_counts ORDER BY repo, branch, state, rule_id", &[])
        .unwrap();
    let fresh = r
        .query(
            "SELECT repo, branch, state, rule_id, count(*) FROM findings GROUP BY repo, branch, state, rule_id
             ORDER BY repo, branch, state, rule_id",
            &[],
        )
        .unwrap();
    assert_eq!(
        kept.into_iter().map(|r| r.0).collect::<Vec<_>>(),
        fresh.into_iter().map(|r| r.0).collect::<Vec<_>>()
    );
}

/// Turns a fresh database back into what version 1 wrote (the same tables, without version 2's).
const TO_V1: &str = "DROP TABLE sessions; DROP TABLE users; DROP TABLE tokens; DROP TABLE uploads; DROP TABLE snapshots;
    DROP INDEX findings_queue; DROP INDEX audit_by_finding; DROP INDEX findings_by_fingerprint; DROP INDEX audit_by_action; DROP TABLE finding_counts; DROP TABLE finding_totals;
    UPDATE meta SET value = '1' WHERE key = 'schema_version';";

#[test]
fn sqlite_access_uploads_and_dashboards() {
    let dir = tempfile::tempdir().unwrap();
    access(&mut sqlite::Sqlite::open(&dir.path().join("a.db")).unwrap());
    uploads_and_dashboards(&mut sqlite::Sqlite::open(&dir.path().join("b.db")).unwrap());
}

#[test]
fn sqlite_version_1_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v1.db");
    let mut s = sqlite::Sqlite::open(&db).unwrap();
    s.record_scan(&scan(
        "r",
        "2026-11-01T00:00:00Z",
        vec![finding("cccc0001", "secrets/x", "high", 1)],
    ))
    .unwrap();
    s.connection().execute_batch(TO_V1).unwrap();
    drop(s);
    let mut s = sqlite::Sqlite::open(&db).unwrap();
    assert_eq!(s.findings("r", "main", &[]).unwrap().len(), 1);
    assert!(audit::verify(&s.audit_log().unwrap()).is_ok());
    access(&mut s);
}

#[test]
fn postgres_access_uploads_dashboards_and_migration() {
    let server = warden_store::testing::Server::start();
    access(&mut pg::Postgres::open(&server.database("access")).unwrap());
    uploads_and_dashboards(&mut pg::Postgres::open(&server.database("dash")).unwrap());
    let url = server.database("v1");
    let mut s = pg::Postgres::open(&url).unwrap();
    s.record_scan(&scan(
        "r",
        "2026-11-01T00:00:00Z",
        vec![finding("cccc0001", "secrets/x", "high", 1)],
    ))
    .unwrap();
    s.client().batch_execute(TO_V1).unwrap();
    drop(s);
    let mut s = pg::Postgres::open(&url).unwrap();
    assert_eq!(s.findings("r", "main", &[]).unwrap().len(), 1);
    access(&mut s);
}
