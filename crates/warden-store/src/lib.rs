//! warden's findings store: one trait ([`Store`]), two backends — SQLite, the embedded default, and PostgreSQL
//! for an organisation — with the same schema, the same rules ([`ops`]) and the same hash-chained audit log
//! ([`audit`]). Scans are matched to stored findings by fingerprint, with fallbacks for renamed files and
//! reworded lines ([`diff`]). No secret is ever stored: findings arrive redacted, with keyed hashes.

pub mod access;
pub mod audit;
pub mod dash;
pub mod diff;
pub mod model;
pub mod ops;
pub mod pg;
pub mod sql;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use model::*;

/// Version 2, the same text for both backends: access (users, API tokens, web sessions), uploads by
/// idempotency key, snapshots, and what the organisation server's cross-repository pages read: indexes, and
/// `finding_counts`, the findings counted by repository, branch, state, severity, priority and rule, and
/// `finding_totals`, the same across repositories by domain (filled by [`ops::fill_totals`] after this text
/// runs), both kept by every write (see [`ops::recount`]) so that dashboards never count a million rows.
pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE users (
  name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, repos TEXT NOT NULL,
  created_at TEXT NOT NULL, disabled_at TEXT
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, repos TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT
);
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users(name), csrf TEXT NOT NULL,
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE uploads (
  key TEXT PRIMARY KEY, scan_id BIGINT NOT NULL REFERENCES scans(id), repo TEXT NOT NULL, branch TEXT NOT NULL,
  diff TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE snapshots (
  scan_id BIGINT NOT NULL REFERENCES scans(id), repo TEXT NOT NULL, branch TEXT NOT NULL, kind TEXT NOT NULL,
  at TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (scan_id, kind)
);
CREATE INDEX snapshots_by_repo ON snapshots (kind, repo, branch, scan_id);
CREATE INDEX findings_queue ON findings (state, priority, id);
CREATE INDEX audit_by_action ON audit (action, seq);
CREATE TABLE finding_counts (
  repo TEXT NOT NULL, branch TEXT NOT NULL, state TEXT NOT NULL, severity TEXT NOT NULL, priority BIGINT NOT NULL,
  rule_id TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (repo, branch, state, severity, priority, rule_id)
);
INSERT INTO finding_counts (repo, branch, state, severity, priority, rule_id, n)
  SELECT repo, branch, state, severity, priority, rule_id, count(*) FROM findings
  GROUP BY repo, branch, state, severity, priority, rule_id;
CREATE TABLE finding_totals (
  state TEXT NOT NULL, severity TEXT NOT NULL, priority BIGINT NOT NULL, domain TEXT NOT NULL, n BIGINT NOT NULL,
  PRIMARY KEY (state, severity, priority, domain)
);
CREATE INDEX audit_by_finding ON audit (finding, seq);
CREATE INDEX findings_by_fingerprint ON findings (fingerprint);
UPDATE meta SET value = '2' WHERE key = 'schema_version';
";

/// Priority reasons as stored: a JSON array of strings.
pub(crate) fn reasons_json(r: &[String]) -> String {
    serde_json::to_string(r).unwrap_or_else(|_| "[]".into())
}

/// A finding's context as stored: JSON text, NULL when absent.
pub(crate) fn context_json(c: &Option<serde_json::Value>) -> Option<String> {
    c.as_ref().map(|v| v.to_string())
}

/// A finding's context as read back; text that is not JSON is a corrupt database, named with the finding.
pub(crate) fn context_of(
    path: &str,
    id: i64,
    text: Option<&str>,
) -> Result<Option<serde_json::Value>, StoreError> {
    text.map(|t| {
        serde_json::from_str(t).map_err(|e| StoreError::Corrupt {
            path: path.into(),
            detail: format!("finding {id}: its context is not JSON ({e})"),
        })
    })
    .transpose()
}

/// The digest of everything a scan writes to a stored finding's row (all of [`FindingRecord`] but the rule,
/// which a match never changes), as stored in its `digest` column: a rescan that brings the same values leaves
/// the row alone. Each field is length-prefixed and an absent value has its own tag, so no two records share
/// an encoding; 128 bits of SHA-256.
pub(crate) fn digest(f: &FindingRecord) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |v: Option<&str>| match v {
        Some(v) => {
            h.update(b"=");
            h.update((v.len() as u64).to_be_bytes());
            h.update(v.as_bytes());
        }
        None => h.update(b"~"),
    };
    field(Some(&f.fingerprint));
    field(Some(&f.content_key));
    field(Some(&f.line_key));
    field(Some(&f.title));
    field(Some(&f.severity));
    field(Some(&f.confidence));
    field(Some(&f.path));
    field(Some(&f.line.to_string()));
    field(Some(&f.message));
    field(Some(&f.snippet));
    field(f.secret_hash.as_deref());
    field(Some(&f.priority.to_string()));
    field(Some(&reasons_json(&f.priority_reasons)));
    field(f.owner.as_deref());
    field(context_json(&f.context).as_deref());
    hex::encode(&h.finalize()[..16])
}

/// What every backend offers.
pub trait Store {
    /// Records a scan of a repository and branch: new, unchanged, reopened and fixed findings, all or nothing.
    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanDiff, StoreError>;
    /// A person's decision about one finding.
    fn decide(&mut self, d: &Decision) -> Result<Stored, StoreError>;
    /// Accepted risks whose expiry is before `now` reopen.
    fn expire(&mut self, now: &str) -> Result<Vec<String>, StoreError>;
    /// The findings of a repository and branch in these states (all when empty).
    fn findings(
        &mut self,
        repo: &str,
        branch: &str,
        states: &[State],
    ) -> Result<Vec<Stored>, StoreError>;
    /// The whole audit log, in order.
    fn audit_log(&mut self) -> Result<Vec<audit::Entry>, StoreError>;
    /// Runs one operation in a write transaction (all or nothing).
    fn write_dyn(
        &mut self,
        op: &mut dyn FnMut(&mut dyn ops::Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Reads outside a transaction.
    fn reader(&mut self) -> Box<dyn sql::Sql + '_>;

    /// Creates an API token: returns it (shown once) and its listing. See [`access`].
    fn create_token(
        &mut self,
        t: &access::NewToken,
    ) -> Result<(String, access::TokenInfo), StoreError> {
        in_tx(self, |tx| access::create_token(tx, t))
    }
    fn revoke_token(&mut self, id: &str, actor: &str, at: &str) -> Result<(), StoreError> {
        in_tx(self, |tx| access::revoke_token(tx, id, actor, at))
    }
    fn tokens(&mut self) -> Result<Vec<access::TokenInfo>, StoreError> {
        access::list_tokens(&mut *self.reader())
    }
    /// The principal an API token stands for, if valid at `now`.
    fn authenticate(
        &mut self,
        secret: &str,
        now: &str,
    ) -> Result<Option<access::Principal>, StoreError> {
        access::authenticate(&mut *self.reader(), secret, now)
    }
    fn create_user(
        &mut self,
        u: &access::UserInfo,
        password: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        in_tx(self, |tx| access::create_user(tx, u, password, actor))
    }
    fn disable_user(&mut self, name: &str, actor: &str, at: &str) -> Result<(), StoreError> {
        in_tx(self, |tx| access::disable_user(tx, name, actor, at))
    }
    fn users(&mut self) -> Result<Vec<access::UserInfo>, StoreError> {
        access::list_users(&mut *self.reader())
    }
    fn check_password(
        &mut self,
        name: &str,
        password: &str,
    ) -> Result<Option<access::UserInfo>, StoreError> {
        access::check_password(&mut *self.reader(), name, password)
    }
    fn start_session(
        &mut self,
        user: &access::UserInfo,
        now: &str,
        expires_at: &str,
    ) -> Result<(String, access::Session), StoreError> {
        access::start_session(&mut *self.reader(), user, now, expires_at)
    }
    fn session(&mut self, secret: &str, now: &str) -> Result<Option<access::Session>, StoreError> {
        access::session(&mut *self.reader(), secret, now)
    }
    fn end_session(&mut self, secret: &str) -> Result<(), StoreError> {
        access::end_session(&mut *self.reader(), secret)
    }
    /// Records an uploaded scan once per idempotency key (`true`: a replay of an earlier upload), with what
    /// came with it (the inventory, the self-assessment).
    fn record_upload(
        &mut self,
        key: &str,
        scan: &ScanRecord,
        attachments: &[access::Attachment],
    ) -> Result<(ScanDiff, bool), StoreError> {
        in_tx(self, |tx| access::record_upload(tx, key, scan, attachments))
    }
    /// The latest snapshot of `kind` for each repository and branch in scope.
    fn latest_snapshots(
        &mut self,
        scope: &access::Scope,
        kind: &str,
    ) -> Result<Vec<dash::Snapshot>, StoreError> {
        dash::latest_snapshots(&mut *self.reader(), scope, kind)
    }
    /// Every snapshot of `kind` in scope, oldest first, at most `limit`.
    fn snapshot_history(
        &mut self,
        scope: &access::Scope,
        kind: &str,
        limit: i64,
    ) -> Result<Vec<dash::Snapshot>, StoreError> {
        dash::snapshot_history(&mut *self.reader(), scope, kind, limit)
    }
    fn overview(&mut self, scope: &access::Scope) -> Result<dash::Overview, StoreError> {
        dash::overview(&mut *self.reader(), scope)
    }
    fn repositories(&mut self, scope: &access::Scope) -> Result<Vec<dash::RepoRow>, StoreError> {
        dash::repositories(&mut *self.reader(), scope)
    }
    fn queue(
        &mut self,
        scope: &access::Scope,
        filter: &dash::QueueFilter,
    ) -> Result<dash::Page<Stored>, StoreError> {
        dash::queue(&mut *self.reader(), scope, filter)
    }
    fn finding_by_id(&mut self, id: i64) -> Result<Option<Stored>, StoreError> {
        dash::finding(&mut *self.reader(), id)
    }
    fn history(&mut self, fingerprint: &str) -> Result<Vec<audit::Entry>, StoreError> {
        dash::history(&mut *self.reader(), fingerprint)
    }
    fn audit_page(
        &mut self,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<audit::Entry>, StoreError> {
        dash::audit_page(&mut *self.reader(), limit, before)
    }
    fn audit_after(&mut self, seq: i64, limit: i64) -> Result<Vec<audit::Entry>, StoreError> {
        dash::audit_after(&mut *self.reader(), seq, limit)
    }
}

/// Runs `op` in the store's write transaction and returns what it returned.
fn in_tx<S: Store + ?Sized, T>(
    store: &mut S,
    op: impl FnOnce(&mut dyn ops::Tx) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut op = Some(op);
    let mut out = None;
    store.write_dyn(&mut |tx| {
        if let Some(op) = op.take() {
            out = Some(op(tx)?);
        }
        Ok(())
    })?;
    out.ok_or_else(|| StoreError::Invalid("the operation did not run".into()))
}

impl Store for sqlite::Sqlite {
    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanDiff, StoreError> {
        sqlite::Sqlite::record_scan(self, scan)
    }
    fn decide(&mut self, d: &Decision) -> Result<Stored, StoreError> {
        sqlite::Sqlite::decide(self, d)
    }
    fn expire(&mut self, now: &str) -> Result<Vec<String>, StoreError> {
        sqlite::Sqlite::expire(self, now)
    }
    fn findings(
        &mut self,
        repo: &str,
        branch: &str,
        states: &[State],
    ) -> Result<Vec<Stored>, StoreError> {
        sqlite::Sqlite::findings(self, repo, branch, states)
    }
    fn audit_log(&mut self) -> Result<Vec<audit::Entry>, StoreError> {
        sqlite::Sqlite::audit_log(self)
    }
    fn write_dyn(
        &mut self,
        op: &mut dyn FnMut(&mut dyn ops::Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        sqlite::Sqlite::write_dyn(self, op)
    }
    fn reader(&mut self) -> Box<dyn sql::Sql + '_> {
        Box::new(sqlite::Sqlite::reader(self))
    }
}

impl Store for pg::Postgres {
    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanDiff, StoreError> {
        pg::Postgres::record_scan(self, scan)
    }
    fn decide(&mut self, d: &Decision) -> Result<Stored, StoreError> {
        pg::Postgres::decide(self, d)
    }
    fn expire(&mut self, now: &str) -> Result<Vec<String>, StoreError> {
        pg::Postgres::expire(self, now)
    }
    fn findings(
        &mut self,
        repo: &str,
        branch: &str,
        states: &[State],
    ) -> Result<Vec<Stored>, StoreError> {
        pg::Postgres::findings(self, repo, branch, states)
    }
    fn audit_log(&mut self) -> Result<Vec<audit::Entry>, StoreError> {
        pg::Postgres::audit_log(self)
    }
    fn write_dyn(
        &mut self,
        op: &mut dyn FnMut(&mut dyn ops::Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        pg::Postgres::write_dyn(self, op)
    }
    fn reader(&mut self) -> Box<dyn sql::Sql + '_> {
        Box::new(pg::Postgres::reader(self))
    }
}
