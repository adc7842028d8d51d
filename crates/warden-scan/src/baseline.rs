//! Baselines: a file of finding fingerprints that a later scan does not report again. An entry that no longer
//! matches any finding is stale, and is reported so suppressions do not rot silently.
//!
//! Version 2 fingerprints are keyed (see `warden_core::HashKey`) and the file names the key's id, so a baseline
//! read under another key is an error, not a silent mismatch. Version 1 files (unkeyed SHA-256 fingerprints)
//! still apply, matched through the legacy fingerprint, and `Baseline::migrate` rewrites them as version 2.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use warden_core::hash::legacy_fingerprint;
use warden_core::{BaselineEntry, Finding, HashKey};

pub const BASELINE_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    pub version: u32,
    /// The id of the key the fingerprints were made with (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_key_id: Option<String>,
    pub entries: Vec<BaselineEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read baseline: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: not a warden baseline: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "{path}: written with hash key {expected}, but this run uses key {found}: commit .warden/hash-key \
         or set the key the baseline was written with (WARDEN_HASH_KEY or hash.key_file)"
    )]
    KeyMismatch {
        path: String,
        expected: String,
        found: String,
    },
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq)]
pub struct Applied {
    pub suppressed: usize,
    /// Entries that matched no finding.
    pub stale: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding], key: &HashKey) -> Self {
        let mut seen = HashSet::new();
        let entries = findings
            .iter()
            .filter(|f| seen.insert(f.fingerprint.clone()))
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.location.path.clone(),
                line: f.location.start_line,
                validation: f.validation().map(str::to_owned),
            })
            .collect();
        Baseline {
            version: BASELINE_VERSION,
            hash_key_id: Some(key.id()),
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
        let invalid = |reason: String| BaselineError::Invalid {
            path: name.to_owned(),
            reason,
        };
        let b: Baseline = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        match b.version {
            1 => Ok(b),
            BASELINE_VERSION if b.hash_key_id.is_some() => Ok(b),
            BASELINE_VERSION => Err(invalid("version 2 without `hash_key_id`".into())),
            v => Err(invalid(format!(
                "version {v} (expected 1 or {BASELINE_VERSION})"
            ))),
        }
    }

    /// Whether this is a version 1 baseline, with unkeyed fingerprints.
    pub fn is_legacy(&self) -> bool {
        self.version == 1
    }

    fn check_key(&self, key: &HashKey, name: &str) -> Result<(), BaselineError> {
        match &self.hash_key_id {
            Some(id) if !self.is_legacy() && *id != key.id() => Err(BaselineError::KeyMismatch {
                path: name.to_owned(),
                expected: id.clone(),
                found: key.id(),
            }),
            _ => Ok(()),
        }
    }

    /// The fingerprint of `f` this baseline's entries are comparable with.
    fn print_of(&self, f: &Finding) -> String {
        if self.is_legacy() {
            legacy_fingerprint(&f.rule_id, &f.location.path, &f.matched)
        } else {
            f.fingerprint.clone()
        }
    }

    /// For each finding, whether an entry knows it; and the entries that know no finding (stale).
    fn matches(&self, findings: &[Finding]) -> (Vec<bool>, Vec<BaselineEntry>) {
        let known: std::collections::HashMap<&str, Option<&str>> = self
            .entries
            .iter()
            .map(|e| (e.fingerprint.as_str(), e.validation.as_deref()))
            .collect();
        let prints: Vec<String> = findings.iter().map(|f| self.print_of(f)).collect();
        // Accepted as dead, live now: not the finding the baseline accepted.
        let hit = prints
            .iter()
            .zip(findings)
            .map(|(p, f)| match known.get(p.as_str()) {
                Some(Some("dead")) => f.validation() != Some("live"),
                Some(_) => true,
                None => false,
            })
            .collect();
        let present: HashSet<&str> = prints.iter().map(String::as_str).collect();
        let stale = self
            .entries
            .iter()
            .filter(|e| !present.contains(e.fingerprint.as_str()))
            .cloned()
            .collect();
        (hit, stale)
    }

    /// Drops findings the baseline knows. `name` names the file in errors.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        key: &HashKey,
        name: &str,
    ) -> Result<Applied, BaselineError> {
        self.check_key(key, name)?;
        let (hit, stale) = self.matches(findings);
        let before = findings.len();
        let mut hit = hit.into_iter();
        findings.retain(|_| !hit.next().unwrap_or(false));
        Ok(Applied {
            suppressed: before - findings.len(),
            stale,
        })
    }

    /// This baseline rewritten under `key` (version 2) from the findings of a scan: each entry that matches a
    /// finding gets that finding's keyed fingerprint; entries that match nothing are returned as stale.
    pub fn migrate(&self, findings: &[Finding], key: &HashKey) -> (Baseline, Vec<BaselineEntry>) {
        let (hit, stale) = self.matches(findings);
        let matched: Vec<Finding> = findings
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(f, _)| f.clone())
            .collect();
        (Baseline::from_findings(&matched, key), stale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_core::{Confidence, Location, RuleMeta, Severity};

    fn finding(key: &HashKey, path: &str, matched: &str) -> Finding {
        let rule = RuleMeta {
            id: "secrets/x".into(),
            title: "x".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            description: String::new(),
            remediation: String::new(),
            tags: vec![],
            references: vec![],
        };
        let mut f = Finding::new(&rule, "m", Location::at(path, 1, 1, 2));
        f.matched = matched.into();
        f.fingerprint = key.fingerprint(&f.rule_id, path, matched);
        f
    }

    fn key(b: u8) -> HashKey {
        HashKey::new(vec![b; 32]).unwrap()
    }

    #[test]
    fn applies_reports_stale_and_refuses_another_key() {
        let k = key(1);
        let b = Baseline::from_findings(&[finding(&k, "a", "s1"), finding(&k, "gone", "s2")], &k);
        let text = serde_json::to_string(&b).unwrap();
        let b = Baseline::parse(&text, "b.json").unwrap();
        let mut now = vec![finding(&k, "a", "s1"), finding(&k, "new", "s3")];
        let applied = b.apply(&mut now, &k, "b.json").unwrap();
        assert_eq!(applied.suppressed, 1);
        assert_eq!(applied.stale.len(), 1);
        assert_eq!(now[0].location.path, "new");
        let e = b
            .apply(&mut now, &key(2), "b.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("b.json: written with hash key"), "{e}");
    }

    #[test]
    fn validation_is_recorded_and_a_dead_credential_that_comes_alive_is_reported_again() {
        let k = key(1);
        let tagged = |path: &str, secret: &str, status: &str| {
            let mut f = finding(&k, path, secret);
            f.tags.push(format!("validation:{status}"));
            f
        };
        let b =
            Baseline::from_findings(&[tagged("a", "s1", "dead"), tagged("b", "s2", "live")], &k);
        assert_eq!(b.entries[0].validation.as_deref(), Some("dead"));
        let text = serde_json::to_string(&b).unwrap();
        assert!(text.contains(r#""validation":"dead""#), "{text}");
        let b = Baseline::parse(&text, "b.json").unwrap();
        // Still dead, or not validated this time: suppressed as before. Live now: reported.
        let mut now = vec![tagged("a", "s1", "dead"), finding(&k, "b", "s2")];
        assert_eq!(b.apply(&mut now, &k, "b.json").unwrap().suppressed, 2);
        let mut now = vec![tagged("a", "s1", "live"), tagged("b", "s2", "live")];
        let applied = b.apply(&mut now, &k, "b.json").unwrap();
        assert_eq!(applied.suppressed, 1);
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].location.path, "a");
    }

    #[test]
    fn version_1_baselines_apply_and_migrate() {
        let k = key(1);
        let v1 = format!(
            r#"{{"version":1,"entries":[{{"fingerprint":"{}","rule_id":"secrets/x","path":"a","line":3}},{{"fingerprint":"{}","rule_id":"secrets/x","path":"old","line":1}}]}}"#,
            legacy_fingerprint("secrets/x", "a", "s1"),
            legacy_fingerprint("secrets/x", "old", "s9"),
        );
        let b = Baseline::parse(&v1, "v1.json").unwrap();
        assert!(b.is_legacy());
        let mut now = vec![finding(&k, "a", "s1"), finding(&k, "b", "s2")];
        let applied = b.apply(&mut now.clone(), &key(9), "v1.json").unwrap();
        assert_eq!((applied.suppressed, applied.stale.len()), (1, 1));
        let (v2, stale) = b.migrate(&now, &k);
        assert_eq!((v2.version, v2.entries.len(), stale.len()), (2, 1, 1));
        assert_eq!(v2.entries[0].fingerprint, now[0].fingerprint);
        let applied = v2.apply(&mut now, &k, "v2.json").unwrap();
        assert_eq!(applied.suppressed, 1);
    }

    #[test]
    fn bad_files_say_why() {
        for (text, why) in [
            ("{", "EOF"),
            (r#"{"version":7,"entries":[]}"#, "version 7"),
            (r#"{"version":2,"entries":[]}"#, "without `hash_key_id`"),
        ] {
            let e = Baseline::parse(text, "b.json").unwrap_err().to_string();
            assert!(
                e.starts_with("b.json: not a warden baseline") && e.contains(why),
                "{e}"
            );
        }
    }
}
