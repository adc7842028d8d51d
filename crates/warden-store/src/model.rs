//! What the store keeps and answers, independent of the backend.

use serde::{Deserialize, Serialize};

/// The schema version this warden writes and reads. A database at a higher version is refused.
pub const SCHEMA_VERSION: i64 = 2;

/// Triage states. `fixed` is set by a scan that no longer shows the finding; the others by people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Open,
    Confirmed,
    FalsePositive,
    AcceptedRisk,
    Fixed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Confirmed => "confirmed",
            State::FalsePositive => "false-positive",
            State::AcceptedRisk => "accepted-risk",
            State::Fixed => "fixed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "open" => State::Open,
            "confirmed" => State::Confirmed,
            "false-positive" => State::FalsePositive,
            "accepted-risk" => State::AcceptedRisk,
            "fixed" => State::Fixed,
            _ => return None,
        })
    }
}

/// One finding of a scan, as the store records it: never a secret, only its redacted snippet and keyed hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub fingerprint: String,
    /// See [`crate::diff::Known::content_key`].
    pub content_key: String,
    /// See [`crate::diff::Known::line_key`].
    pub line_key: String,
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub confidence: String,
    pub path: String,
    pub line: i64,
    pub message: String,
    /// Redacted, as reports print it.
    pub snippet: String,
    pub secret_hash: Option<String>,
    /// 1 (look now) to 4, from severity, confidence and context.
    pub priority: i64,
    /// Why that priority, one reason per entry.
    pub priority_reasons: Vec<String>,
    /// From CODEOWNERS.
    pub owner: Option<String>,
    /// What surrounds the finding (blame author and age, service, code kind, exposure, ...), as the caller
    /// describes it. Stored as JSON text; `None` is stored as NULL.
    #[serde(default)]
    pub context: Option<serde_json::Value>,
}

/// A scan to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRecord {
    /// The repository's identity (its canonical remote, else its root path).
    pub repo: String,
    pub branch: String,
    pub started_at: String,
    pub head_commit: Option<String>,
    pub tool_version: String,
    pub rules_version: String,
    /// Who records it, for the audit log.
    pub actor: String,
    pub findings: Vec<FindingRecord>,
}

/// What a recorded scan changed, by fingerprint of the new scan's findings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScanDiff {
    pub scan_id: i64,
    pub new: Vec<String>,
    pub unchanged: Vec<String>,
    /// Fixed before, shown again: reopened with their history and decisions kept.
    pub reopened: Vec<String>,
    /// Stored findings this scan no longer shows (their stored fingerprints).
    pub fixed: Vec<String>,
}

/// A finding as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub id: i64,
    pub repo: String,
    pub branch: String,
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub confidence: String,
    pub path: String,
    pub line: i64,
    pub message: String,
    pub snippet: String,
    pub priority: i64,
    pub priority_reasons: Vec<String>,
    pub owner: Option<String>,
    /// As the last scan that showed the finding described it (see [`FindingRecord::context`]).
    #[serde(default)]
    pub context: Option<serde_json::Value>,
    pub state: State,
    pub reason: Option<String>,
    pub expires: Option<String>,
    pub first_scan: i64,
    pub last_scan: i64,
}

/// Errors with what the user can do about them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: not a warden database, or corrupt ({detail})")]
    Corrupt { path: String, detail: String },
    #[error("{path}: schema version {found} is newer than this warden supports ({supported}); upgrade warden")]
    Newer {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{path}: the database is busy (another scan is writing); try again")]
    Busy { path: String },
    #[error("no finding {0}")]
    NoSuchFinding(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {detail}")]
    Backend { path: String, detail: String },
}

/// A person's decision about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The finding: its store id, or its fingerprint (a unique prefix of at least 8 hex digits is enough).
    pub finding: String,
    /// `confirmed`, `false-positive`, `accepted-risk` (needs `expires`) or `open` (reopen).
    pub to: State,
    pub reason: String,
    /// RFC 3339 date or time; required for an accepted risk, refused otherwise.
    pub expires: Option<String>,
    pub actor: String,
    pub at: String,
}

impl Decision {
    /// Checks what no backend may accept.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.reason.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a decision needs a reason (--reason)".into(),
            ));
        }
        match (self.to, &self.expires) {
            (State::Fixed, _) => Err(StoreError::Invalid(
                "`fixed` is set by a scan that no longer shows the finding, not by hand".into(),
            )),
            (State::AcceptedRisk, None) => Err(StoreError::Invalid(
                "an accepted risk needs an expiry (--expires YYYY-MM-DD)".into(),
            )),
            (State::AcceptedRisk, Some(d)) if !looks_like_date(d) => Err(StoreError::Invalid(
                format!("--expires {d}: expected a date like 2027-03-31"),
            )),
            (to, Some(_)) if to != State::AcceptedRisk => Err(StoreError::Invalid(
                "--expires applies to an accepted risk only".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The audit action name of the decision.
    pub fn action(&self) -> &'static str {
        match self.to {
            State::Confirmed => "confirm",
            State::FalsePositive => "dismiss",
            State::AcceptedRisk => "accept",
            State::Open => "reopen",
            State::Fixed => "fix",
        }
    }
}

/// `YYYY-MM-DD`, optionally followed by a time: compared as text, which orders RFC 3339 UTC correctly.
pub fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}
