//! Baselines: a file of finding fingerprints that a later scan does not report again. An entry that no longer
//! matches any finding is stale, and is reported so suppressions do not rot silently.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use warden_core::Finding;

pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    /// Where it was when the baseline was written; informational only.
    pub line: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read baseline: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: not a warden baseline: {reason}")]
    Invalid { path: String, reason: String },
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut seen = HashSet::new();
        let entries = findings
            .iter()
            .filter(|f| seen.insert(f.fingerprint.clone()))
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.location.path.clone(),
                line: f.location.start_line,
            })
            .collect();
        Baseline {
            version: BASELINE_VERSION,
            entries,
        }
    }

    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, &name)
    }

    /// Parses baseline text; `name` only names the file in errors.
    pub fn parse(text: &str, name: &str) -> Result<Self, BaselineError> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| BaselineError::Invalid {
            path: name.to_owned(),
            reason: e.to_string(),
        })?;
        if b.version != BASELINE_VERSION {
            return Err(BaselineError::Invalid {
                path: name.to_owned(),
                reason: format!("version {} (expected {BASELINE_VERSION})", b.version),
            });
        }
        Ok(b)
    }

    /// Drops findings the baseline knows; returns how many were dropped and the entries that matched nothing.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> (usize, Vec<BaselineEntry>) {
        let known: HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let present: HashSet<String> = findings.iter().map(|f| f.fingerprint.clone()).collect();
        let before = findings.len();
        findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        let stale = self
            .entries
            .iter()
            .filter(|e| !present.contains(&e.fingerprint))
            .cloned()
            .collect();
        (before - findings.len(), stale)
    }
}
