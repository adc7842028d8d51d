//! warden's findings store: one trait ([`Store`]), two backends — SQLite, the embedded default, and PostgreSQL
//! for an organisation — with the same schema, the same rules ([`ops`]) and the same hash-chained audit log
//! ([`audit`]). Scans are matched to stored findings by fingerprint, with fallbacks for renamed files and
//! reworded lines ([`diff`]). No secret is ever stored: findings arrive redacted, with keyed hashes.

pub mod audit;
pub mod diff;
pub mod model;
pub mod ops;
pub mod pg;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use model::*;

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
}
