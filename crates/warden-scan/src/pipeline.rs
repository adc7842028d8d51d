use crate::analyzer::{Analyzer, Fact, Facts, FileMeta, FileOutput, SourceFile};
use crate::classify::{is_binary, BINARY_SNIFF_LEN};
use crate::suppress;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use warden_core::{Config, Finding, RuleMeta};

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Unreadable,
    Symlink,
    Unsupported,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::TooLarge => "too-large",
            Self::Unreadable => "unreadable",
            Self::Symlink => "symlink",
            Self::Unsupported => "unsupported",
        }
    }

    /// Whether the user must hear about each such file (an error), or only a count in the summary.
    pub fn is_error(self) -> bool {
        matches!(self, Self::Unreadable | Self::Unsupported)
    }
}

/// A problem with one input: the file and the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub path: String,
    pub reason: SkipReason,
    pub message: String,
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    /// History scans: commits walked and unique blobs seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blobs: Option<u64>,
    /// Findings dropped by inline `warden:ignore` markers.
    pub suppressed_inline: u64,
    pub duration_ms: u64,
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub facts: Facts,
    pub stats: Stats,
}

/// Errors that stop a scan before it starts (a missing path, a repository that cannot be opened).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{path}: {reason}")]
    Input { path: PathBuf, reason: String },
    #[error("{path}: not a usable git repository: {reason}")]
    Git { path: PathBuf, reason: String },
}

/// Live counters the CLI may poll to draw progress.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

/// Runs analyzers over files. Built once per run; every source uses the same per-file path.
pub struct Scanner {
    pub(crate) analyzers: Vec<Box<dyn Analyzer>>,
    pub(crate) config: Config,
    pub(crate) threads: usize,
    pub(crate) progress: Option<Arc<Progress>>,
}

/// What one file contributed, sent from worker threads to the collector.
#[derive(Default)]
pub(crate) struct FileReport {
    pub findings: Vec<Finding>,
    pub facts: Vec<Fact>,
    pub diagnostics: Vec<Diagnostic>,
    pub scanned_bytes: Option<u64>,
    pub skipped: Option<SkipReason>,
    pub suppressed_inline: u64,
}

impl Scanner {
    pub fn new(analyzers: Vec<Box<dyn Analyzer>>, config: Config) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Scanner {
            analyzers,
            config,
            threads,
            progress: None,
        }
    }

    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }

    pub fn progress(mut self, p: Arc<Progress>) -> Self {
        self.progress = Some(p);
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Every rule of every analyzer, config-disabled ones left out.
    pub fn rules(&self) -> Vec<&RuleMeta> {
        self.analyzers
            .iter()
            .flat_map(|a| a.rules())
            .filter(|r| !self.config.rule_disabled(&r.id))
            .collect()
    }

    /// The per-file path shared by every source: classify, analyze, filter.
    pub(crate) fn scan_bytes(&self, path: &str, bytes: &[u8]) -> FileReport {
        let mut report = FileReport::default();
        if bytes.len() as u64 > self.config.max_file_size() {
            report.skipped = Some(SkipReason::TooLarge);
            return report;
        }
        if is_binary(bytes) {
            report.skipped = Some(SkipReason::Binary);
            return report;
        }
        let meta = FileMeta {
            path,
            size: bytes.len() as u64,
            head: &bytes[..bytes.len().min(BINARY_SNIFF_LEN)],
        };
        let file = SourceFile { meta, bytes };
        let mut out = FileOutput::default();
        for analyzer in &self.analyzers {
            if analyzer.wants(&meta) {
                analyzer.analyze(&file, &mut out);
            }
        }
        for problem in out.problems {
            report.diagnostics.push(Diagnostic {
                path: path.to_owned(),
                reason: SkipReason::Unsupported,
                message: problem,
            });
        }
        let before = out.findings.len();
        out.findings
            .retain(|f| !suppress::is_suppressed(bytes, f.location.start_line, &f.rule_id));
        report.suppressed_inline = (before - out.findings.len()) as u64;
        report.findings = out.findings;
        self.apply_config(&mut report.findings);
        report.facts = out.facts;
        report.scanned_bytes = Some(bytes.len() as u64);
        if let Some(p) = &self.progress {
            p.files.fetch_add(1, Ordering::Relaxed);
            p.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        report
    }

    /// Config-driven filtering and overrides that hold for every analyzer.
    pub(crate) fn apply_config(&self, findings: &mut Vec<Finding>) {
        let c = &self.config;
        findings.retain(|f| {
            !c.rule_disabled(&f.rule_id)
                && !c
                    .allow_paths
                    .as_ref()
                    .is_some_and(|g| g.is_match(&f.location.path))
                && !c.allow_values.iter().any(|re| re.is_match(&f.matched))
        });
        for f in findings.iter_mut() {
            if let Some(sev) = c.severity_overrides.get(&f.rule_id) {
                f.severity = *sev;
            }
        }
    }

    pub(crate) fn finish(&self, result: &mut ScanResult) {
        let mut extra = Vec::new();
        for analyzer in &self.analyzers {
            analyzer.finish(&result.facts, &mut extra);
        }
        self.apply_config(&mut extra);
        result.findings.extend(extra);
        result.findings.sort_by(|a, b| {
            (
                &a.location.path,
                a.location.start_line,
                a.location.start_column,
                &a.rule_id,
            )
                .cmp(&(
                    &b.location.path,
                    b.location.start_line,
                    b.location.start_column,
                    &b.rule_id,
                ))
        });
        result.diagnostics.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

impl ScanResult {
    pub(crate) fn merge(&mut self, r: FileReport) {
        if let Some(n) = r.scanned_bytes {
            self.stats.files_scanned += 1;
            self.stats.bytes_scanned += n;
        }
        if let Some(reason) = r.skipped {
            *self.stats.skipped.entry(reason).or_default() += 1;
        }
        self.stats.suppressed_inline += r.suppressed_inline;
        self.findings.extend(r.findings);
        self.facts.all.extend(r.facts);
        self.diagnostics.extend(r.diagnostics);
    }

    /// Adds another partial result of the same scan.
    pub(crate) fn absorb(&mut self, other: ScanResult) {
        self.findings.extend(other.findings);
        self.diagnostics.extend(other.diagnostics);
        self.facts.all.extend(other.facts.all);
        let (a, b) = (&mut self.stats, other.stats);
        a.files_scanned += b.files_scanned;
        a.bytes_scanned += b.bytes_scanned;
        a.suppressed_inline += b.suppressed_inline;
        for (k, v) in b.skipped {
            *a.skipped.entry(k).or_default() += v;
        }
    }

    pub(crate) fn skip(&mut self, path: String, reason: SkipReason, message: String) {
        *self.stats.skipped.entry(reason).or_default() += 1;
        if reason.is_error() {
            self.diagnostics.push(Diagnostic {
                path,
                reason,
                message,
            });
        }
    }

    /// Whether some input could not be read or parsed.
    pub fn had_errors(&self) -> bool {
        !self.diagnostics.is_empty()
    }
}
