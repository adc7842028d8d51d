use crate::{Confidence, Lifetime, Severity};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a finding is: a path relative to the scanned root and a 1-based line/column span (columns count bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// For findings from git history: the commit that introduced the content.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provenance: Option<Provenance>,
}

/// Which commit brought a blob into the history, and whether its finding survives in HEAD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub commit: String,
    pub author: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    pub summary: String,
    pub blob: String,
    /// Whether the same secret (rule and value) is still present in HEAD.
    pub in_head: bool,
}

/// One thing warden reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub message: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub location: Location,
    /// The matched line(s) with any secret redacted.
    pub snippet: String,
    /// The secret in redacted form (`sk-proj-Ab…[164 chars]`), unless `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secret: Option<String>,
    /// SHA-256 of the secret: the same credential in many places has one hash.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secret_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lifetime: Option<Lifetime>,
    /// Content-based identity; see [`fingerprint`].
    pub fingerprint: String,
    pub tags: Vec<String>,
    pub remediation: String,
    /// The matched content, kept in memory only: for fingerprints, allowlists and `--show-secrets`.
    #[serde(skip)]
    pub matched: String,
}

impl Finding {
    /// Recomputes the fingerprint from rule, path and matched content.
    pub fn refresh_fingerprint(&mut self) {
        self.fingerprint = fingerprint(&self.rule_id, &self.location.path, &self.matched);
    }
}

/// A finding's stable identity: SHA-256 over rule id, path and the matched content, never line numbers, so a
/// finding keeps its identity when lines move. Hex, first 32 digits (128 bits).
pub fn fingerprint(rule_id: &str, path: &str, matched: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule_id, path, matched] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

/// Hex SHA-256 of a secret value.
pub fn secret_sha256(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_fields() {
        let a = fingerprint("secrets/x", "a.env", "k");
        assert_eq!(a, fingerprint("secrets/x", "a.env", "k"));
        assert_eq!(a.len(), 32);
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        assert_ne!(fingerprint("r", "ab", "c"), fingerprint("r", "a", "bc"));
    }
}
