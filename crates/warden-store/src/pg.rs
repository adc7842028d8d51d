//! The organisation backend: PostgreSQL, through the `postgres` crate. The same schema as SQLite in
//! PostgreSQL's dialect, the same rules ([`crate::ops`]) and the same audit chain: hashes are computed in Rust,
//! never by the database. Every write transaction first takes one advisory lock (the audit chain is a single
//! sequence, so writers take turns on it) and then reads under READ COMMITTED, which sees the previous writer's
//! commit; a SERIALIZABLE snapshot would be taken at the lock statement, before the wait, and fail. The audit
//! table refuses UPDATE, DELETE and TRUNCATE through triggers.

use crate::audit::Entry;
use crate::diff::Known;
use crate::model::*;
use crate::ops::{self, Row, Tx};
use crate::{context_json, context_of, digest, reasons_json};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

const SCHEMA_V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scans (
  id BIGSERIAL PRIMARY KEY,
  repo TEXT NOT NULL, branch TEXT NOT NULL, started_at TEXT NOT NULL, head_commit TEXT,
  tool_version TEXT NOT NULL, rules_version TEXT NOT NULL,
  new_count BIGINT NOT NULL DEFAULT 0, unchanged_count BIGINT NOT NULL DEFAULT 0,
  reopened_count BIGINT NOT NULL DEFAULT 0, fixed_count BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE findings (
  id BIGSERIAL PRIMARY KEY,
  repo TEXT NOT NULL, branch TEXT NOT NULL, fingerprint TEXT NOT NULL,
  content_key TEXT NOT NULL, line_key TEXT NOT NULL,
  rule_id TEXT NOT NULL, title TEXT NOT NULL, severity TEXT NOT NULL, confidence TEXT NOT NULL,
  path TEXT NOT NULL, line BIGINT NOT NULL, message TEXT NOT NULL, snippet TEXT NOT NULL, secret_hash TEXT,
  priority BIGINT NOT NULL DEFAULT 4, priority_reasons TEXT NOT NULL DEFAULT '[]', owner TEXT, context TEXT,
  state TEXT NOT NULL, reason TEXT, expires TEXT,
  -- last_scan NULL: shown by the latest scan of its repo and branch (a rescan need not touch the row).
  -- digest: of the values the last scan that wrote the row gave it (a rescan that brings the same skips it).
  first_scan BIGINT NOT NULL REFERENCES scans(id), last_scan BIGINT REFERENCES scans(id), digest TEXT NOT NULL,
  UNIQUE (repo, branch, fingerprint)
);
CREATE INDEX findings_by_state ON findings (repo, branch, state, priority);
CREATE INDEX scans_by_branch ON scans (repo, branch, id);
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, finding TEXT NOT NULL,
  from_state TEXT, to_state TEXT, reason TEXT, expires TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE FUNCTION warden_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION warden_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_append_only();
";

/// The transaction-level advisory lock every write takes first (the audit chain is one sequence): a writer
/// waits for the one before it, and a writer whose session dies releases it with its transaction.
pub const WRITE_LOCK: i64 = 7723701;
/// The advisory lock the schema migration takes.
pub const MIGRATE_LOCK: i64 = 7723700;

pub struct Postgres {
    client: Client,
    /// The URL with its password removed, for messages.
    name: String,
}

fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((cred, host)) => {
                let user = cred.split(':').next().unwrap_or("");
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

pub(crate) fn backend(name: &str) -> impl Fn(postgres::Error) -> StoreError + '_ {
    move |e| {
        let serialization = e
            .code()
            .is_some_and(|c| *c == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE);
        if serialization {
            StoreError::Busy { path: name.into() }
        } else {
            // The driver's own Display says only "db error": the server's message is the useful part.
            let detail = match e.as_db_error() {
                Some(db) => format!("{} ({})", db.message(), db.code().code()),
                None => e.to_string(),
            };
            StoreError::Backend {
                path: name.into(),
                detail,
            }
        }
    }
}

impl Postgres {
    /// Connects to `url` (`postgres://user:pass@host:port/db`) and brings the schema to [`SCHEMA_VERSION`]; a
    /// database from a newer warden is refused.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let name = redact(url);
        let client = Client::connect(url, NoTls).map_err(|e| StoreError::Backend {
            path: name.clone(),
            detail: format!("cannot connect: {e}"),
        })?;
        let mut store = Postgres { client, name };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let name = self.name.clone();
        let err = backend(&name);
        let mut tx = self.client.transaction().map_err(&err)?;
        // One migrator at a time.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
            .map_err(&err)?;
        let has_meta: bool = tx
            .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])
            .map_err(&err)?
            .get(0);
        let v = if has_meta {
            let v: Option<String> = tx
                .query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])
                .map_err(&err)?
                .map(|r| r.get(0));
            let v: i64 = v
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| StoreError::Corrupt {
                    path: name.clone(),
                    detail: "no schema version".into(),
                })?;
            if v > SCHEMA_VERSION {
                return Err(StoreError::Newer {
                    path: name.clone(),
                    found: v,
                    supported: SCHEMA_VERSION,
                });
            }
            v
        } else {
            tx.batch_execute(SCHEMA_V1).map_err(&err)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', '1')",
                &[],
            )
            .map_err(&err)?;
            1
        };
        if v < 2 {
            tx.batch_execute(crate::SCHEMA_V2).map_err(&err)?;
            crate::ops::fill_totals(&mut crate::sql::Client {
                client: &mut tx,
                name: &name,
            })?;
        }
        tx.commit().map_err(&err)?;
        Ok(())
    }

    fn write<T>(
        &mut self,
        op: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let name = self.name.clone();
        let err = backend(&name);
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::ReadCommitted)
            .start()
            .map_err(&err)?;
        // The audit chain is one sequence for the whole database: writers take turns on it.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(&err)?;
        let out = {
            let mut w = PgTx {
                tx: &mut tx,
                name: &name,
            };
            op(&mut w)?
        };
        tx.commit().map_err(&err)?;
        Ok(out)
    }

    pub fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanDiff, StoreError> {
        self.write(|tx| ops::record_scan(tx, scan))
    }

    pub fn decide(&mut self, d: &Decision) -> Result<Stored, StoreError> {
        let id = self.write(|tx| ops::decide(tx, d))?;
        self.finding(id)
    }

    pub fn expire(&mut self, now: &str) -> Result<Vec<String>, StoreError> {
        self.write(|tx| ops::expire(tx, now))
    }

    fn finding(&mut self, id: i64) -> Result<Stored, StoreError> {
        let name = self.name.clone();
        let row = self
            .client
            .query_opt("SELECT repo, branch FROM findings WHERE id = $1", &[&id])
            .map_err(backend(&name))?
            .ok_or_else(|| StoreError::NoSuchFinding(id.to_string()))?;
        let (repo, branch): (String, String) = (row.get(0), row.get(1));
        self.findings(&repo, &branch, &[])?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| StoreError::NoSuchFinding(id.to_string()))
    }

    pub fn findings(
        &mut self,
        repo: &str,
        branch: &str,
        states: &[State],
    ) -> Result<Vec<Stored>, StoreError> {
        let name = self.name.clone();
        let err = backend(&name);
        // Streamed: a branch can hold a million findings, and each row is converted as it arrives.
        let mut rows = self
            .client
            .query_raw(
                "SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line, message,
                 snippet, state, reason, expires, first_scan,
                 COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = $1 AND s.branch = $2)),
                 priority, priority_reasons, owner, context
                 FROM findings WHERE repo = $1 AND branch = $2 ORDER BY priority, path, line, rule_id",
                [repo, branch],
            )
            .map_err(&err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&err)? {
            let f = Stored {
                id: r.get(0),
                repo: r.get(1),
                branch: r.get(2),
                fingerprint: r.get(3),
                rule_id: r.get(4),
                title: r.get(5),
                severity: r.get(6),
                confidence: r.get(7),
                path: r.get(8),
                line: r.get(9),
                message: r.get(10),
                snippet: r.get(11),
                state: State::parse(r.get::<_, &str>(12)).unwrap_or(State::Open),
                reason: r.get(13),
                expires: r.get(14),
                first_scan: r.get(15),
                last_scan: r.get(16),
                priority: r.get(17),
                priority_reasons: serde_json::from_str(r.get::<_, &str>(18)).unwrap_or_default(),
                owner: r.get(19),
                context: context_of(&name, r.get(0), r.get(20))?,
            };
            if states.is_empty() || states.contains(&f.state) {
                out.push(f);
            }
        }
        Ok(out)
    }

    pub fn audit_log(&mut self) -> Result<Vec<Entry>, StoreError> {
        let name = self.name.clone();
        let err = backend(&name);
        let mut rows = self
            .client
            .query_raw(
                "SELECT seq, at, actor, action, finding, from_state, to_state, reason, expires, prev_hash, hash
                 FROM audit ORDER BY seq",
                std::iter::empty::<&str>(),
            )
            .map_err(&err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&err)? {
            out.push(entry_of(&r));
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
    pub fn reader(&mut self) -> crate::sql::Client<'_, Client> {
        crate::sql::Client {
            client: &mut self.client,
            name: &self.name,
        }
    }

    /// Raw access for tests that tamper with the database.
    #[doc(hidden)]
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

fn entry_of(r: &postgres::Row) -> Entry {
    Entry {
        seq: r.get(0),
        at: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        finding: r.get(4),
        from_state: r.get(5),
        to_state: r.get(6),
        reason: r.get(7),
        expires: r.get(8),
        prev_hash: r.get(9),
        hash: r.get(10),
    }
}

struct PgTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    name: &'a str,
}

const ROW_COLUMNS: &str =
    "id, fingerprint, rule_id, path, content_key, line_key, state, expires, digest, last_scan IS NULL";

/// Rows per batched statement.
const BATCH: usize = 5000;

fn row_of(r: &postgres::Row) -> Row {
    Row {
        known: Known {
            id: r.get(0),
            fingerprint: r.get(1),
            rule_id: r.get(2),
            path: r.get(3),
            content_key: r.get(4),
            line_key: r.get(5),
        },
        state: r.get(6),
        expires: r.get(7),
        digest: r.get(8),
        current: r.get(9),
    }
}

impl PgTx<'_, '_> {
    fn rows_where(
        &mut self,
        clause: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let err = backend(self.name);
        let mut rows = self
            .tx
            .query_raw(
                &format!("SELECT {ROW_COLUMNS} FROM findings WHERE {clause}"),
                args.iter().copied(),
            )
            .map_err(&err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&err)? {
            out.push(row_of(&r));
        }
        Ok(out)
    }
}

impl crate::sql::Sql for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, args: &[crate::sql::Val]) -> Result<u64, StoreError> {
        crate::sql::Client {
            client: &mut *self.tx,
            name: self.name,
        }
        .exec(sql, args)
    }
    fn query(
        &mut self,
        sql: &str,
        args: &[crate::sql::Val],
    ) -> Result<Vec<crate::sql::SqlRow>, StoreError> {
        crate::sql::Client {
            client: &mut *self.tx,
            name: self.name,
        }
        .query(sql, args)
    }
}

impl Tx for PgTx<'_, '_> {
    fn sql(&mut self) -> &mut dyn crate::sql::Sql {
        self
    }
    fn latest_scan(&mut self, repo: &str, branch: &str) -> Result<Option<i64>, StoreError> {
        let row = self
            .tx
            .query_one(
                "SELECT max(id) FROM scans WHERE repo = $1 AND branch = $2",
                &[&repo, &branch],
            )
            .map_err(backend(self.name))?;
        Ok(row.get(0))
    }

    fn insert_scan(&mut self, scan: &ScanRecord) -> Result<i64, StoreError> {
        let row = self
            .tx
            .query_one(
                "INSERT INTO scans (repo, branch, started_at, head_commit, tool_version, rules_version)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &scan.repo,
                    &scan.branch,
                    &scan.started_at,
                    &scan.head_commit,
                    &scan.tool_version,
                    &scan.rules_version,
                ],
            )
            .map_err(backend(self.name))?;
        Ok(row.get(0))
    }

    fn scan_counts(&mut self, scan_id: i64, d: &ScanDiff) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE scans SET new_count = $2, unchanged_count = $3, reopened_count = $4, fixed_count = $5
                 WHERE id = $1",
                &[
                    &scan_id,
                    &(d.new.len() as i64),
                    &(d.unchanged.len() as i64),
                    &(d.reopened.len() as i64),
                    &(d.fixed.len() as i64),
                ],
            )
            .map_err(backend(self.name))?;
        Ok(())
    }

    fn rows(&mut self, repo: &str, branch: &str) -> Result<Vec<Row>, StoreError> {
        self.rows_where("repo = $1 AND branch = $2", &[&repo, &branch])
    }

    fn rows_by_key(&mut self, key: &str) -> Result<Vec<Row>, StoreError> {
        self.rows_where(
            "CAST(id AS TEXT) = $1::text OR (length($1::text) >= 8 AND fingerprint LIKE $1::text || '%')",
            &[&key],
        )
    }

    fn rows_expiring(&mut self, now: &str) -> Result<Vec<Row>, StoreError> {
        self.rows_where(
            "state = 'accepted-risk' AND expires IS NOT NULL AND expires < $1 ORDER BY id",
            &[&now],
        )
    }

    fn set_state(
        &mut self,
        id: i64,
        state: &str,
        decision: Option<(&str, Option<&str>)>,
    ) -> Result<(), StoreError> {
        let r = match decision {
            Some((reason, expires)) => self.tx.execute(
                "UPDATE findings SET state = $2, reason = $3, expires = $4 WHERE id = $1",
                &[&id, &state, &reason, &expires],
            ),
            None => self.tx.execute(
                "UPDATE findings SET state = $2 WHERE id = $1",
                &[&id, &state],
            ),
        };
        r.map_err(backend(self.name))?;
        Ok(())
    }

    // Batches: one statement per few thousand rows, their columns as arrays through UNNEST (a round trip per
    // row cost 94 s for 100k findings on a local server).
    fn insert_findings(
        &mut self,
        scan: &ScanRecord,
        fs: &[&FindingRecord],
        scan_id: i64,
    ) -> Result<(), StoreError> {
        for chunk in fs.chunks(BATCH) {
            let col = |g: &dyn Fn(&FindingRecord) -> String| -> Vec<String> {
                chunk.iter().map(|f| g(f)).collect()
            };
            let opt = |g: &dyn Fn(&FindingRecord) -> Option<String>| -> Vec<Option<String>> {
                chunk.iter().map(|f| g(f)).collect()
            };
            let num = |g: &dyn Fn(&FindingRecord) -> i64| -> Vec<i64> {
                chunk.iter().map(|f| g(f)).collect()
            };
            self.tx
                .execute(
                    "INSERT INTO findings (repo, branch, fingerprint, content_key, line_key, rule_id, title, severity,
                     confidence, path, line, message, snippet, secret_hash, state, first_scan, last_scan, priority,
                     priority_reasons, owner, context, digest)
                     SELECT $1, $2, u.fingerprint, u.content_key, u.line_key, u.rule_id, u.title, u.severity,
                            u.confidence, u.path, u.line, u.message, u.snippet, u.secret_hash, 'open', $3, NULL,
                            p.priority, p.reasons, p.owner, p.context, p.digest
                     FROM UNNEST($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                                 $11::text[], $12::bigint[], $13::text[], $14::text[], $15::text[])
                          WITH ORDINALITY AS u(fingerprint, content_key, line_key, rule_id, title, severity, confidence,
                                                path, line, message, snippet, secret_hash, n)
                     JOIN UNNEST($16::bigint[], $17::text[], $18::text[], $19::text[], $20::text[])
                          WITH ORDINALITY AS p(priority, reasons, owner, context, digest, n)
                       ON p.n = u.n",
                    &[
                        &scan.repo,
                        &scan.branch,
                        &scan_id,
                        &col(&|f| f.fingerprint.clone()),
                        &col(&|f| f.content_key.clone()),
                        &col(&|f| f.line_key.clone()),
                        &col(&|f| f.rule_id.clone()),
                        &col(&|f| f.title.clone()),
                        &col(&|f| f.severity.clone()),
                        &col(&|f| f.confidence.clone()),
                        &col(&|f| f.path.clone()),
                        &num(&|f| f.line),
                        &col(&|f| f.message.clone()),
                        &col(&|f| f.snippet.clone()),
                        &opt(&|f| f.secret_hash.clone()),
                        &num(&|f| f.priority),
                        &col(&|f| reasons_json(&f.priority_reasons)),
                        &opt(&|f| f.owner.clone()),
                        &opt(&|f| context_json(&f.context)),
                        &col(&digest),
                    ],
                )
                .map_err(backend(self.name))?;
        }
        Ok(())
    }

    fn update_findings(&mut self, rows: &[(i64, &FindingRecord, &str)]) -> Result<(), StoreError> {
        for chunk in rows.chunks(BATCH) {
            let col = |g: &dyn Fn(&FindingRecord) -> String| -> Vec<String> {
                chunk.iter().map(|(_, f, _)| g(f)).collect()
            };
            let opt = |g: &dyn Fn(&FindingRecord) -> Option<String>| -> Vec<Option<String>> {
                chunk.iter().map(|(_, f, _)| g(f)).collect()
            };
            let ids: Vec<i64> = chunk.iter().map(|(id, _, _)| *id).collect();
            let states: Vec<String> = chunk.iter().map(|(_, _, s)| s.to_string()).collect();
            let lines: Vec<i64> = chunk.iter().map(|(_, f, _)| f.line).collect();
            let prios: Vec<i64> = chunk.iter().map(|(_, f, _)| f.priority).collect();
            self.tx
                .execute(
                    "UPDATE findings AS f SET fingerprint = u.fingerprint, content_key = u.content_key,
                     line_key = u.line_key, title = u.title, severity = u.severity, confidence = u.confidence,
                     path = u.path, line = u.line, message = u.message, snippet = u.snippet,
                     secret_hash = u.secret_hash, state = u.state, last_scan = NULL, priority = u.priority,
                     priority_reasons = u.reasons, owner = u.owner, context = u.context, digest = u.digest
                     FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[],
                                 $14::bigint[], $15::text[], $16::text[], $17::text[], $18::text[])
                          AS u(id, fingerprint, content_key, line_key, title, severity, confidence, path, line, message,
                               snippet, secret_hash, state, priority, reasons, owner, context, digest)
                     WHERE f.id = u.id",
                    &[
                        &ids,
                        &col(&|f| f.fingerprint.clone()),
                        &col(&|f| f.content_key.clone()),
                        &col(&|f| f.line_key.clone()),
                        &col(&|f| f.title.clone()),
                        &col(&|f| f.severity.clone()),
                        &col(&|f| f.confidence.clone()),
                        &col(&|f| f.path.clone()),
                        &lines,
                        &col(&|f| f.message.clone()),
                        &col(&|f| f.snippet.clone()),
                        &opt(&|f| f.secret_hash.clone()),
                        &states,
                        &prios,
                        &col(&|f| reasons_json(&f.priority_reasons)),
                        &opt(&|f| f.owner.clone()),
                        &opt(&|f| context_json(&f.context)),
                        &col(&digest),
                    ],
                )
                .map_err(backend(self.name))?;
        }
        Ok(())
    }

    fn fix_findings(&mut self, ids: &[i64], last_scan: i64) -> Result<(), StoreError> {
        for chunk in ids.chunks(BATCH) {
            self.tx
                .execute(
                    "UPDATE findings SET state = 'fixed', last_scan = COALESCE(last_scan, $2)
                     WHERE id = ANY($1::bigint[])",
                    &[&chunk, &last_scan],
                )
                .map_err(backend(self.name))?;
        }
        Ok(())
    }

    fn insert_audits(&mut self, es: &[Entry]) -> Result<(), StoreError> {
        for chunk in es.chunks(BATCH) {
            let s = |g: &dyn Fn(&Entry) -> String| -> Vec<String> { chunk.iter().map(g).collect() };
            let o = |g: &dyn Fn(&Entry) -> Option<String>| -> Vec<Option<String>> {
                chunk.iter().map(g).collect()
            };
            let seqs: Vec<i64> = chunk.iter().map(|e| e.seq).collect();
            self.tx
                .execute(
                    "INSERT INTO audit (seq, at, actor, action, finding, from_state, to_state, reason, expires,
                     prev_hash, hash)
                     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                          $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])",
                    &[
                        &seqs,
                        &s(&|e| e.at.clone()),
                        &s(&|e| e.actor.clone()),
                        &s(&|e| e.action.clone()),
                        &s(&|e| e.finding.clone()),
                        &o(&|e| e.from_state.clone()),
                        &o(&|e| e.to_state.clone()),
                        &o(&|e| e.reason.clone()),
                        &o(&|e| e.expires.clone()),
                        &s(&|e| e.prev_hash.clone()),
                        &s(&|e| e.hash.clone()),
                    ],
                )
                .map_err(backend(self.name))?;
        }
        Ok(())
    }

    fn last_audit(&mut self) -> Result<Option<Entry>, StoreError> {
        let row = self
            .tx
            .query_opt(
                "SELECT seq, at, actor, action, finding, from_state, to_state, reason, expires, prev_hash, hash
                 FROM audit ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .map_err(backend(self.name))?;
        Ok(row.as_ref().map(entry_of))
    }

    fn insert_audit(&mut self, e: &Entry) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO audit (seq, at, actor, action, finding, from_state, to_state, reason, expires,
                 prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &e.seq,
                    &e.at,
                    &e.actor,
                    &e.action,
                    &e.finding,
                    &e.from_state,
                    &e.to_state,
                    &e.reason,
                    &e.expires,
                    &e.prev_hash,
                    &e.hash,
                ],
            )
            .map_err(backend(self.name))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_url_loses_its_password_in_messages() {
        assert_eq!(
            redact("postgres://warden:s3cret@db.internal:5432/warden"), // warden:ignore
            "postgres://warden@db.internal:5432/warden"
        );
        assert_eq!(redact("postgres://db/warden"), "postgres://db/warden");
    }
}
