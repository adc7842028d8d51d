use crate::{Confidence, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// For findings in binary content (a compiled file, a database, a model): the byte offset of the match
    /// in the file, where lines mean nothing; the line and columns are then 1.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub byte_offset: Option<u64>,
}

impl Location {
    /// A span on one line.
    pub fn at(path: impl Into<String>, line: u32, start_column: u32, end_column: u32) -> Self {
        Location {
            path: path.into(),
            start_line: line,
            start_column,
            end_line: line,
            end_column,
            provenance: None,
            byte_offset: None,
        }
    }

    /// A match at `offset` bytes into a binary file.
    pub fn at_byte(path: impl Into<String>, offset: u64) -> Self {
        Location {
            byte_offset: Some(offset),
            ..Location::at(path, 1, 1, 1)
        }
    }
}

/// Which commit brought a blob into the history, and whether its finding survives in HEAD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub commit: String,
    pub author: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    pub summary: String,
    /// The blob the finding is in; empty for findings about a whole tree (an analyzer's second phase).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub blob: String,
    /// Whether the same finding (rule and content) is still present in HEAD.
    pub in_head: bool,
}

/// What a related location is to its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelatedKind {
    /// A step of a flow that ends at the finding (a taint trace), in order; rendered as a SARIF code flow.
    Step,
    /// Context that explains the finding (the workload that exposes a key, the other half of a pair).
    Context,
}

/// Another place that explains a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub kind: RelatedKind,
    pub location: Location,
    pub message: String,
}

/// One thing warden reports. Analyzer-specific details live in [`Finding::ext`], under the analyzer's name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub message: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub location: Location,
    /// Steps of a flow and other places that explain the finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// The matched line(s), with anything sensitive redacted by the analyzer.
    pub snippet: String,
    /// Content-based identity, keyed (see [`crate::HashKey::fingerprint`]); filled in by the pipeline.
    pub fingerprint: String,
    pub tags: Vec<String>,
    pub remediation: String,
    /// Inventory assets the finding is about (ids of [`crate::Asset`]s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
    /// Analyzer-owned details, keyed by analyzer name (`"secrets": {"secret": …, "lifetime": …}`). The analyzer
    /// defines and documents their shape; nothing else edits them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ext: BTreeMap<String, serde_json::Value>,
    /// Against the findings store (`warden scan --db`): `new`, `unchanged` or `updated` (reopened, or found
    /// again under a new fingerprint) — SARIF's `baselineState` values. Absent without a store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<String>,
    /// The matched content, kept in memory only: for fingerprints and allowlists. Never serialised.
    #[serde(skip)]
    pub matched: String,
    /// The identifier half of a credential pair folded into this finding (the key id beside a secret key), kept
    /// in memory only: for live validation, which needs both halves. Never serialised.
    #[serde(skip)]
    pub matched_partner: String,
}

impl Finding {
    /// A finding with the given identity and place; the rest empty, to be filled in by the analyzer.
    pub fn new(rule: &crate::RuleMeta, message: impl Into<String>, location: Location) -> Self {
        Finding {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            message: message.into(),
            severity: rule.severity,
            confidence: rule.confidence,
            location,
            related: Vec::new(),
            snippet: String::new(),
            fingerprint: String::new(),
            tags: rule.tags.clone(),
            remediation: rule.remediation.clone(),
            assets: Vec::new(),
            ext: BTreeMap::new(),
            baseline_state: None,
            matched: String::new(),
            matched_partner: String::new(),
        }
    }

    /// The live-validation status (`live`, `dead`, `unknown`) a finding carries as its `validation:` tag.
    pub fn validation(&self) -> Option<&str> {
        self.tags.iter().find_map(|t| t.strip_prefix("validation:"))
    }

    /// The analyzer part of the rule id (`secrets` in `secrets/openai-project-key`).
    pub fn analyzer(&self) -> &str {
        self.rule_id
            .split_once('/')
            .map_or(self.rule_id.as_str(), |(a, _)| a)
    }
}
