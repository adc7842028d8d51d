//! What a scan produces, as public serialisable types: the report writers, the store and the server consume
//! these, never the pipeline that made them.

use crate::{Fact, Finding, Location};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which source a scan read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanMode {
    Worktree,
    Staged,
    History,
    /// A container image (`docker save` tarball or OCI layout), layer by layer.
    Image,
    /// What a range of commits changed (`--diff BASE..HEAD`): findings the range introduced.
    Diff,
}

impl ScanMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worktree => "worktree",
            Self::Staged => "staged",
            Self::History => "history",
            Self::Image => "image",
            Self::Diff => "diff",
        }
    }
}

/// The identity of one scan: what ran, on what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    pub tool: String,
    pub tool_version: String,
    /// A digest of every rule that could report in this run (ids, severities, patterns where they exist):
    /// two scans with the same value ran the same rules.
    pub rules_version: String,
    /// The path the user asked to scan, as given.
    pub target: String,
    pub mode: ScanMode,
    /// HEAD of the repository holding the target, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// The analyzers that ran (`--only`/`--skip` applied).
    pub analyzers: Vec<String>,
    /// Names the key behind fingerprints and secret hashes (not the key).
    pub hash_key_id: String,
}

/// Why a file was not scanned, or what went wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Unreadable,
    Symlink,
    /// An analyzer read the file but could not parse or interpret it.
    Unsupported,
    /// No analyzer that ran wanted the file (`--only`).
    Unclaimed,
    /// Scanned, but an analyzer cut its work on the file short (a per-file budget, a nesting limit); listed so
    /// the user knows, without failing the run.
    Partial,
    /// Not about an input: the history cache could not be written (the scan itself is complete).
    CacheNotWritten,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::TooLarge => "too-large",
            Self::Unreadable => "unreadable",
            Self::Symlink => "symlink",
            Self::Unsupported => "unsupported",
            Self::Unclaimed => "unclaimed",
            Self::Partial => "partial",
            Self::CacheNotWritten => "cache-not-written",
        }
    }

    /// Whether the user must hear about each such file (an error), or only a count in the summary.
    pub fn is_error(self) -> bool {
        matches!(self, Self::Unreadable | Self::Unsupported)
    }
}

/// A problem with one input: the file and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub path: String,
    pub reason: SkipReason,
    pub message: String,
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub files_scanned: u64,
    /// Bytes handed to analyzers (skipped files do not count).
    pub bytes_scanned: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    /// History scans: commits walked and unique blobs seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commits: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobs: Option<u64>,
    /// History scans with a cache: blobs whose clean result came from the cache instead of being read. Change
    /// scans (`--diff`, `--staged`) with a cache: unchanged files whose facts came from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_blobs: Option<u64>,
    /// Findings dropped by inline `warden:ignore` markers.
    pub suppressed_inline: u64,
    /// Findings dropped because a baseline knew them.
    #[serde(default)]
    pub suppressed_baseline: u64,
    pub duration_ms: u64,
}

/// A baseline entry: a finding known and accepted when the baseline was written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    /// Where it was when the baseline was written; informational only.
    pub line: u32,
    /// What live validation said when the baseline was written (`live`, `dead`, `unknown`), if it ran. A
    /// credential recorded `dead` that validates `live` later is reported again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
}

/// What kind of thing an inventory asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    Model,
    LlmClient,
    Agent,
    Tool,
    VectorStore,
    Dataset,
    McpServer,
    Workload,
    ServiceAccount,
    Credential,
}

/// A node of the inventory: something an analyzer saw that matters beyond one finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// Stable within a repository: the analyzer derives it from content, not from line numbers.
    pub id: String,
    pub kind: AssetKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Kind-specific details, defined by the analyzer that published the asset.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub properties: serde_json::Value,
}

/// How two assets relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    Uses,
    Reads,
    Exposes,
    RunsAs,
    AuthenticatesWith,
    /// A workload runs code that holds an AI asset, or serves a model.
    Runs,
}

/// A directed edge between two assets, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

/// A software or model component, for a bill of materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// `library`, `framework`, `application`, `machine-learning-model`, `data` (CycloneDX component types).
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Package URL, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Used by code (imported) but declared in no dependency manifest of the repository.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub undeclared: bool,
}

/// Everything one scan produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanResult {
    pub scan: ScanInfo,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Asset>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<Edge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// What analyzers told each other between their two phases (for HEAD's tree in a history scan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// Baseline entries that matched no finding (only when a baseline was applied to a full scan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_baseline: Vec<BaselineEntry>,
    pub stats: Stats,
}

impl ScanResult {
    pub fn new(scan: ScanInfo) -> Self {
        ScanResult {
            scan,
            findings: Vec::new(),
            diagnostics: Vec::new(),
            assets: Vec::new(),
            edges: Vec::new(),
            components: Vec::new(),
            facts: Vec::new(),
            stale_baseline: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Whether some input could not be read or parsed.
    pub fn had_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.reason.is_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_survives_a_round_trip_through_json() {
        let mut r = ScanResult::new(ScanInfo {
            tool: "warden".into(),
            tool_version: "0.1.0".into(),
            rules_version: "0011223344556677".into(),
            target: ".".into(),
            mode: ScanMode::History,
            head_commit: Some("ab".repeat(20)),
            branch: Some("main".into()),
            started_at: "2026-11-29T00:00:00Z".into(),
            analyzers: vec!["secrets".into()],
            hash_key_id: "0123456789ab".into(),
        });
        r.diagnostics.push(Diagnostic {
            path: "a".into(),
            reason: SkipReason::Unreadable,
            message: "permission denied".into(),
        });
        r.edges.push(Edge {
            from: "a".into(),
            to: "b".into(),
            kind: EdgeKind::RunsAs,
        });
        r.stats.skipped.insert(SkipReason::Binary, 3);
        let text = serde_json::to_string(&r).unwrap();
        let back: ScanResult = serde_json::from_str(&text).unwrap();
        assert_eq!(back.scan, r.scan);
        assert_eq!(back.diagnostics, r.diagnostics);
        assert_eq!(back.edges, r.edges);
        assert_eq!(back.stats, r.stats);
        assert!(text.contains("\"runs-as\""));
    }
}
