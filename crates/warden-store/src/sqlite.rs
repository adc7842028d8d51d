//! The embedded backend: one SQLite file (`.warden/warden.db` by default), through rusqlite with SQLite built
//! in (`bundled`), so every machine has the same SQLite. Writes run in `BEGIN IMMEDIATE` transactions: a second
//! writer waits up to the busy timeout, then gets a clear "busy" error, and a crash mid-scan leaves the previous
//! state whole (SQLite's journal).

use crate::audit::Entry;
use crate::diff::Known;
use crate::model::*;
use crate::ops::{self, Row, Tx};
use crate::{context_json, context_of, digest, reasons_json};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

const SCHEMA_V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL, branch TEXT NOT NULL, started_at TEXT NOT NULL, head_commit TEXT,
  tool_version TEXT NOT NULL, rules_version TEXT NOT NULL,
  new_count INTEGER NOT NULL DEFAULT 0, unchanged_count INTEGER NOT NULL DEFAULT 0,
  reopened_count INTEGER NOT NULL DEFAULT 0, fixed_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL, branch TEXT NOT NULL, fingerprint TEXT NOT NULL,
  content_key TEXT NOT NULL, line_key TEXT NOT NULL,
  rule_id TEXT NOT NULL, title TEXT NOT NULL, severity TEXT NOT NULL, confidence TEXT NOT NULL,
  path TEXT NOT NULL, line INTEGER NOT NULL, message TEXT NOT NULL, snippet TEXT NOT NULL, secret_hash TEXT,
  priority INTEGER NOT NULL DEFAULT 4, priority_reasons TEXT NOT NULL DEFAULT '[]', owner TEXT, context TEXT,
  state TEXT NOT NULL, reason TEXT, expires TEXT,
  -- last_scan NULL: shown by the latest scan of its repo and branch (a rescan need not touch the row).
  -- digest: of the values the last scan that wrote the row gave it (a rescan that brings the same skips it).
  first_scan INTEGER NOT NULL REFERENCES scans(id), last_scan INTEGER REFERENCES scans(id), digest TEXT NOT NULL,
  UNIQUE (repo, branch, fingerprint)
);
CREATE INDEX findings_by_state ON findings (repo, branch, state, priority);
CREATE INDEX scans_by_branch ON scans (repo, branch, id);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, finding TEXT NOT NULL,
  from_state TEXT, to_state TEXT, reason TEXT, expires TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

pub struct Sqlite {
    conn: Connection,
    path: String,
}

pub(crate) fn backend(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Busy { path: path.into() }
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            StoreError::Corrupt {
                path: path.into(),
                detail: e.to_string(),
            }
        }
        _ => StoreError::Backend {
            path: path.into(),
            detail: e.to_string(),
        },
    }
}

impl Sqlite {
    /// Opens (creating when missing) the database at `path` and brings its schema to [`SCHEMA_VERSION`]; a
    /// database from a newer warden is refused.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(backend(&name))?;
        Self::init(conn, name)
    }

    /// A private in-memory database (tests, dry runs).
    pub fn in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(backend(":memory:"))?;
        Self::init(conn, ":memory:".into())
    }

    fn init(conn: Connection, path: String) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(backend(&path))?;
        // Reading the schema is the first thing that touches the file: a file that is not a database fails here.
        let mut store = Sqlite { conn, path };
        let v = schema_version(&store.conn, &store.path)?;
        if let Some(v) = v.filter(|v| *v > SCHEMA_VERSION) {
            return Err(StoreError::Newer {
                path: store.path.clone(),
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        if v != Some(SCHEMA_VERSION) {
            let path = store.path.clone();
            let err = backend(&path);
            let tx = store
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&err)?;
            // Read again under the write lock: another process may have migrated meanwhile.
            let v = schema_version(&tx, &path)?;
            if v.is_none() {
                tx.execute_batch(SCHEMA_V1).map_err(&err)?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params!["1"],
                )
                .map_err(&err)?;
            }
            if v.unwrap_or(1) < 2 {
                tx.execute_batch(crate::SCHEMA_V2).map_err(&err)?;
                crate::ops::fill_totals(&mut crate::sql::Conn {
                    conn: &tx,
                    path: &path,
                })?;
            }
            tx.commit().map_err(&err)?;
        }
        Ok(store)
    }

    /// Runs one store operation in a `BEGIN IMMEDIATE` transaction: all of it or nothing.
    fn write<T>(
        &mut self,
        op: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend(&path))?;
        let mut w = SqliteTx {
            tx: &tx,
            path: &path,
        };
        let out = op(&mut w)?;
        tx.commit().map_err(backend(&path))?;
        Ok(out)
    }

    /// Records a scan (see [`ops::record_scan`]).
    pub fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanDiff, StoreError> {
        self.write(|tx| ops::record_scan(tx, scan))
    }

    /// Applies a person's decision to one finding, with its audit entry.
    pub fn decide(&mut self, d: &Decision) -> Result<Stored, StoreError> {
        let id = self.write(|tx| ops::decide(tx, d))?;
        self.finding(id)
    }

    /// Accepted risks whose expiry is before `now` go back to open, each with an audit entry.
    pub fn expire(&mut self, now: &str) -> Result<Vec<String>, StoreError> {
        self.write(|tx| ops::expire(tx, now))
    }

    fn finding(&self, id: i64) -> Result<Stored, StoreError> {
        let (repo, branch): (String, String) = self
            .conn
            .query_row(
                "SELECT repo, branch FROM findings WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(backend(&self.path))?;
        self.findings(&repo, &branch, &[])?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| StoreError::NoSuchFinding(id.to_string()))
    }

    /// Every audit entry, in order.
    pub fn audit_log(&self) -> Result<Vec<Entry>, StoreError> {
        let err = backend(&self.path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, actor, action, finding, from_state, to_state, reason, expires, prev_hash, hash
                 FROM audit ORDER BY seq",
            )
            .map_err(&err)?;
        let rows = stmt.query_map([], row_entry).map_err(&err)?;
        rows.map(|r| r.map_err(&err)).collect()
    }

    /// The findings of a repository and branch, in the given states (all when empty).
    pub fn findings(
        &self,
        repo: &str,
        branch: &str,
        states: &[State],
    ) -> Result<Vec<Stored>, StoreError> {
        let err = backend(&self.path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line, message,
                 snippet, state, reason, expires, first_scan,
                 COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = ?1 AND s.branch = ?2)),
                 priority, priority_reasons, owner, context
                 FROM findings WHERE repo = ?1 AND branch = ?2 ORDER BY priority, path, line, rule_id",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map(params![repo, branch], |r| {
                let stored = Stored {
                    id: r.get(0)?,
                    repo: r.get(1)?,
                    branch: r.get(2)?,
                    fingerprint: r.get(3)?,
                    rule_id: r.get(4)?,
                    title: r.get(5)?,
                    severity: r.get(6)?,
                    confidence: r.get(7)?,
                    path: r.get(8)?,
                    line: r.get(9)?,
                    message: r.get(10)?,
                    snippet: r.get(11)?,
                    state: State::parse(&r.get::<_, String>(12)?).unwrap_or(State::Open),
                    reason: r.get(13)?,
                    expires: r.get(14)?,
                    first_scan: r.get(15)?,
                    last_scan: r.get(16)?,
                    priority: r.get(17)?,
                    priority_reasons: serde_json::from_str(&r.get::<_, String>(18)?)
                        .unwrap_or_default(),
                    owner: r.get(19)?,
                    context: None,
                };
                Ok((stored, r.get::<_, Option<String>>(20)?))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        for row in rows {
            let (mut f, context) = row.map_err(&err)?;
            if states.is_empty() || states.contains(&f.state) {
                f.context = context_of(&self.path, f.id, context.as_deref())?;
                out.push(f);
            }
        }
        Ok(out)
    }

    /// Runs one operation written over [`Tx`] in a write transaction.
    pub fn write_dyn(
        &mut self,
        op: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write(op)
    }

    /// Reads outside a transaction.
    pub fn reader(&mut self) -> crate::sql::Conn<'_> {
        crate::sql::Conn {
            conn: &self.conn,
            path: &self.path,
        }
    }

    /// Raw access for tests that tamper with the file.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The schema version recorded in `meta`; `None` for a database without warden's tables.
fn schema_version(conn: &Connection, path: &str) -> Result<Option<i64>, StoreError> {
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(backend(path))?
        > 0;
    if !has_meta {
        return Ok(None);
    }
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'schema_version'",
        [],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map_err(backend(path))?
    .and_then(|v| v.parse().ok())
    .map(Some)
    .ok_or_else(|| StoreError::Corrupt {
        path: path.into(),
        detail: "no schema version".into(),
    })
}

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    path: &'a str,
}

const ROW_COLUMNS: &str =
    "id, fingerprint, rule_id, path, content_key, line_key, state, expires, digest, last_scan IS NULL";

fn row_of(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok(Row {
        known: Known {
            id: r.get(0)?,
            fingerprint: r.get(1)?,
            rule_id: r.get(2)?,
            path: r.get(3)?,
            content_key: r.get(4)?,
            line_key: r.get(5)?,
        },
        state: r.get(6)?,
        expires: r.get(7)?,
        digest: r.get(8)?,
        current: r.get(9)?,
    })
}

impl SqliteTx<'_> {
    fn insert_one(
        &mut self,
        scan: &ScanRecord,
        f: &FindingRecord,
        scan_id: i64,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO findings (repo, branch, fingerprint, content_key, line_key, rule_id, title, severity,
                 confidence, path, line, message, snippet, secret_hash, state, first_scan, last_scan, priority,
                 priority_reasons, owner, context, digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'open', ?15, NULL,
                 ?16, ?17, ?18, ?19, ?20)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    scan.repo,
                    scan.branch,
                    f.fingerprint,
                    f.content_key,
                    f.line_key,
                    f.rule_id,
                    f.title,
                    f.severity,
                    f.confidence,
                    f.path,
                    f.line,
                    f.message,
                    f.snippet,
                    f.secret_hash,
                    scan_id,
                    f.priority,
                    reasons_json(&f.priority_reasons),
                    f.owner,
                    context_json(&f.context),
                    digest(f)
                ])
            })
            .map_err(backend(self.path))?;
        Ok(())
    }

    fn update_one(&mut self, id: i64, f: &FindingRecord, state: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE findings SET fingerprint = ?2, content_key = ?3, line_key = ?4, title = ?5, severity = ?6,
                 confidence = ?7, path = ?8, line = ?9, message = ?10, snippet = ?11, secret_hash = ?12,
                 state = ?13, last_scan = NULL, priority = ?14, priority_reasons = ?15, owner = ?16, context = ?17,
                 digest = ?18 WHERE id = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![
                    id,
                    f.fingerprint,
                    f.content_key,
                    f.line_key,
                    f.title,
                    f.severity,
                    f.confidence,
                    f.path,
                    f.line,
                    f.message,
                    f.snippet,
                    f.secret_hash,
                    state,
                    f.priority,
                    reasons_json(&f.priority_reasons),
                    f.owner,
                    context_json(&f.context),
                    digest(f)
                ])
            })
            .map_err(backend(self.path))?;
        Ok(())
    }

    fn query_rows(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Row>, StoreError> {
        let err = backend(self.path);
        let mut stmt = self.tx.prepare_cached(sql).map_err(&err)?;
        let rows = stmt.query_map(args, row_of).map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }
}

impl crate::sql::Sql for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, args: &[crate::sql::Val]) -> Result<u64, StoreError> {
        crate::sql::Conn {
            conn: self.tx,
            path: self.path,
        }
        .exec(sql, args)
    }
    fn query(
        &mut self,
        sql: &str,
        args: &[crate::sql::Val],
    ) -> Result<Vec<crate::sql::SqlRow>, StoreError> {
        crate::sql::Conn {
            conn: self.tx,
            path: self.path,
        }
        .query(sql, args)
    }
}

impl Tx for SqliteTx<'_> {
    fn sql(&mut self) -> &mut dyn crate::sql::Sql {
        self
    }
    // One statement per row: SQLite runs in-process, so a row costs no round trip.
    fn insert_findings(
        &mut self,
        scan: &ScanRecord,
        fs: &[&FindingRecord],
        scan_id: i64,
    ) -> Result<(), StoreError> {
        fs.iter()
            .try_for_each(|f| self.insert_one(scan, f, scan_id))
    }

    fn update_findings(&mut self, rows: &[(i64, &FindingRecord, &str)]) -> Result<(), StoreError> {
        rows.iter()
            .try_for_each(|(id, f, state)| self.update_one(*id, f, state))
    }

    fn latest_scan(&mut self, repo: &str, branch: &str) -> Result<Option<i64>, StoreError> {
        self.tx
            .query_row(
                "SELECT max(id) FROM scans WHERE repo = ?1 AND branch = ?2",
                params![repo, branch],
                |r| r.get(0),
            )
            .map_err(backend(self.path))
    }

    fn insert_scan(&mut self, scan: &ScanRecord) -> Result<i64, StoreError> {
        self.tx
            .execute(
                "INSERT INTO scans (repo, branch, started_at, head_commit, tool_version, rules_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    scan.repo,
                    scan.branch,
                    scan.started_at,
                    scan.head_commit,
                    scan.tool_version,
                    scan.rules_version
                ],
            )
            .map_err(backend(self.path))?;
        Ok(self.tx.last_insert_rowid())
    }

    fn scan_counts(&mut self, scan_id: i64, d: &ScanDiff) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE scans SET new_count = ?2, unchanged_count = ?3, reopened_count = ?4, fixed_count = ?5
                 WHERE id = ?1",
                params![
                    scan_id,
                    d.new.len() as i64,
                    d.unchanged.len() as i64,
                    d.reopened.len() as i64,
                    d.fixed.len() as i64
                ],
            )
            .map_err(backend(self.path))?;
        Ok(())
    }

    fn rows(&mut self, repo: &str, branch: &str) -> Result<Vec<Row>, StoreError> {
        self.query_rows(
            &format!("SELECT {ROW_COLUMNS} FROM findings WHERE repo = ?1 AND branch = ?2"),
            &[&repo, &branch],
        )
    }

    fn rows_by_key(&mut self, key: &str) -> Result<Vec<Row>, StoreError> {
        self.query_rows(
            &format!(
                "SELECT {ROW_COLUMNS} FROM findings
                 WHERE CAST(id AS TEXT) = ?1 OR (length(?1) >= 8 AND fingerprint LIKE ?1 || '%')"
            ),
            &[&key],
        )
    }

    fn rows_expiring(&mut self, now: &str) -> Result<Vec<Row>, StoreError> {
        self.query_rows(
            &format!(
                "SELECT {ROW_COLUMNS} FROM findings
                 WHERE state = 'accepted-risk' AND expires IS NOT NULL AND expires < ?1 ORDER BY id"
            ),
            &[&now],
        )
    }

    fn fix_findings(&mut self, ids: &[i64], last_scan: i64) -> Result<(), StoreError> {
        let mut st = self
            .tx
            .prepare_cached(
                "UPDATE findings SET state = 'fixed', last_scan = COALESCE(last_scan, ?2) WHERE id = ?1",
            )
            .map_err(backend(self.path))?;
        for id in ids {
            st.execute(params![id, last_scan])
                .map_err(backend(self.path))?;
        }
        Ok(())
    }

    fn set_state(
        &mut self,
        id: i64,
        state: &str,
        decision: Option<(&str, Option<&str>)>,
    ) -> Result<(), StoreError> {
        let r = match decision {
            Some((reason, expires)) => self.tx.execute(
                "UPDATE findings SET state = ?2, reason = ?3, expires = ?4 WHERE id = ?1",
                params![id, state, reason, expires],
            ),
            None => self.tx.execute(
                "UPDATE findings SET state = ?2 WHERE id = ?1",
                params![id, state],
            ),
        };
        r.map_err(backend(self.path))?;
        Ok(())
    }

    fn last_audit(&mut self) -> Result<Option<Entry>, StoreError> {
        self.tx
            .query_row(
                "SELECT seq, at, actor, action, finding, from_state, to_state, reason, expires, prev_hash, hash
                 FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                row_entry,
            )
            .optional()
            .map_err(backend(self.path))
    }

    fn insert_audit(&mut self, e: &Entry) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit (seq, at, actor, action, finding, from_state, to_state, reason, expires,
                 prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    e.seq,
                    e.at,
                    e.actor,
                    e.action,
                    e.finding,
                    e.from_state,
                    e.to_state,
                    e.reason,
                    e.expires,
                    e.prev_hash,
                    e.hash
                ])
            })
            .map_err(backend(self.path))?;
        Ok(())
    }
}

fn row_entry(r: &rusqlite::Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        finding: r.get(4)?,
        from_state: r.get(5)?,
        to_state: r.get(6)?,
        reason: r.get(7)?,
        expires: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit;

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

    fn scan(at: &str, findings: Vec<FindingRecord>) -> ScanRecord {
        ScanRecord {
            repo: "github.com/acme/app".into(),
            branch: "main".into(),
            started_at: at.into(),
            head_commit: None,
            tool_version: "0.1.0".into(),
            rules_version: "r1".into(),
            actor: "ci".into(),
            findings,
        }
    }

    #[test]
    fn new_unchanged_fixed_reopened_and_a_rename() {
        let mut s = Sqlite::in_memory().unwrap();
        let d = s
            .record_scan(&scan(
                "2026-11-30T10:00:00Z",
                vec![finding("a", "x.py", "ca"), finding("b", "y.py", "cb")],
            ))
            .unwrap();
        assert_eq!((d.new.len(), d.unchanged.len(), d.fixed.len()), (2, 0, 0));
        // b is gone, a moved to another file (new fingerprint, same content).
        let d = s
            .record_scan(&scan(
                "2026-11-30T11:00:00Z",
                vec![finding("a2", "src/x.py", "ca")],
            ))
            .unwrap();
        assert_eq!(d.unchanged, ["a2"]);
        assert_eq!(d.fixed, ["b"]);
        // b comes back: reopened, not new.
        let d = s
            .record_scan(&scan(
                "2026-11-30T12:00:00Z",
                vec![finding("a2", "src/x.py", "ca"), finding("b", "y.py", "cb")],
            ))
            .unwrap();
        assert_eq!(d.reopened, ["b"]);
        assert!(d.new.is_empty());
        let all = s.findings("github.com/acme/app", "main", &[]).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|f| f.state == State::Open));
        let log = s.audit_log().unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["new", "new", "rekey", "fix", "reopen"]);
        assert_eq!(audit::verify(&log), Ok(5));
        // Never a secret: the stored snippet is the redacted one.
        assert!(all.iter().all(|f| !f.snippet.contains("ghp_R")));
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

    #[test]
    fn decisions_are_kept_across_scans_and_accepted_risks_expire() {
        let mut s = Sqlite::in_memory().unwrap();
        let fp = "0123456789abcdef";
        s.record_scan(&scan(
            "2026-11-30T10:00:00Z",
            vec![finding(fp, "x.py", "ca")],
        ))
        .unwrap();
        assert!(
            s.decide(&decision("01234567", State::AcceptedRisk, None))
                .is_err(),
            "no expiry"
        );
        assert!(
            s.decide(&decision("0123", State::Confirmed, None)).is_err(),
            "prefix too short"
        );
        let f = s
            .decide(&decision(
                "01234567",
                State::AcceptedRisk,
                Some("2027-01-31"),
            ))
            .unwrap();
        assert_eq!(
            (f.state, f.expires.as_deref()),
            (State::AcceptedRisk, Some("2027-01-31"))
        );
        // A later scan that still shows it keeps the decision.
        s.record_scan(&scan(
            "2026-12-01T10:00:00Z",
            vec![finding(fp, "x.py", "ca")],
        ))
        .unwrap();
        assert_eq!(
            s.findings("github.com/acme/app", "main", &[]).unwrap()[0].state,
            State::AcceptedRisk
        );
        assert!(s.expire("2027-01-15T00:00:00Z").unwrap().is_empty());
        assert_eq!(s.expire("2027-02-01T00:00:00Z").unwrap(), [fp]);
        let f = &s.findings("github.com/acme/app", "main", &[]).unwrap()[0];
        assert_eq!(f.state, State::Open);
        let log = s.audit_log().unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["new", "accept", "expire"]);
        assert_eq!(log[1].actor, "ana@example.com");
        assert_eq!(audit::verify(&log), Ok(3));
    }

    #[test]
    fn the_audit_table_refuses_updates_and_deletes() {
        let mut s = Sqlite::in_memory().unwrap();
        s.record_scan(&scan(
            "2026-11-30T10:00:00Z",
            vec![finding("a", "x.py", "ca")],
        ))
        .unwrap();
        let c = s.connection();
        assert!(c.execute("UPDATE audit SET reason = 'x'", []).is_err());
        assert!(c.execute("DELETE FROM audit", []).is_err());
        assert_eq!(s.audit_log().unwrap().len(), 1);
    }

    #[test]
    fn a_newer_schema_and_a_file_that_is_not_a_database_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("warden.db");
        {
            let s = Sqlite::open(&db).unwrap();
            s.connection()
                .execute(
                    "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
                    [],
                )
                .unwrap();
        }
        let e = Sqlite::open(&db).err().unwrap().to_string();
        assert!(
            e.contains("warden.db") && e.contains("99") && e.contains("upgrade"),
            "{e}"
        );
        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not sqlite at all, just text that is long enough",
        )
        .unwrap();
        let e = Sqlite::open(&junk).err().unwrap().to_string();
        assert!(
            e.contains("junk.db") && e.contains("not a warden database"),
            "{e}"
        );
    }

    #[test]
    fn a_context_that_is_not_json_is_a_corrupt_database_naming_the_finding() {
        let mut s = Sqlite::in_memory().unwrap();
        let mut f = finding("a", "x.py", "ca");
        f.context = Some(serde_json::json!({"service": "payments"}));
        s.record_scan(&scan("2026-11-30T10:00:00Z", vec![f]))
            .unwrap();
        s.connection()
            .execute(
                "UPDATE findings SET context = '{\"service\": ' WHERE id = 1",
                [],
            )
            .unwrap();
        let e = s
            .findings("github.com/acme/app", "main", &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a warden database") && e.contains("finding 1"),
            "{e}"
        );
    }

    #[test]
    fn a_scan_with_more_entries_than_one_audit_batch_chains_them_all() {
        let mut s = Sqlite::in_memory().unwrap();
        let many = |tag: &str| {
            (0..25_000)
                .map(|i| {
                    finding(
                        &format!("{tag}{i:08x}"),
                        &format!("{i}.py"),
                        &format!("{tag}{i}"),
                    )
                })
                .collect()
        };
        s.record_scan(&scan("2026-11-30T10:00:00Z", many("a")))
            .unwrap();
        let d = s
            .record_scan(&scan("2026-11-30T11:00:00Z", many("b")))
            .unwrap();
        assert_eq!((d.new.len(), d.fixed.len()), (25_000, 25_000));
        let log = s.audit_log().unwrap();
        assert_eq!(audit::verify(&log), Ok(75_000));
        assert_eq!(log[24_999].finding, "a000061a7");
        assert_eq!(log[25_000].finding, "b00000000");
    }

    #[test]
    fn a_failed_scan_leaves_the_previous_state_whole() {
        let mut s = Sqlite::in_memory().unwrap();
        s.record_scan(&scan(
            "2026-11-30T10:00:00Z",
            vec![finding("a", "x.py", "ca")],
        ))
        .unwrap();
        // Two findings with one fingerprint violate the unique key halfway through the transaction.
        let bad = scan(
            "2026-11-30T11:00:00Z",
            vec![finding("n", "n.py", "cn"), finding("n", "n.py", "cn")],
        );
        assert!(s.record_scan(&bad).is_err());
        let all = s.findings("github.com/acme/app", "main", &[]).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].state, State::Open);
        assert_eq!(s.audit_log().unwrap().len(), 1);
    }
}
