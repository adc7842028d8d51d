use crate::suppress::Markers;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use warden_core::{
    is_binary, Analyzer, Claim, Config, Diagnostic, Fact, Facts, FileMeta, FileOutput, Finding,
    FinishOutput, FinishScope, HashKey, ReadSeek, RuleMeta, ScanInfo, ScanMode, ScanResult,
    SkipReason, SourceFile, Stats, HEAD_LEN,
};

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
    pub(crate) key: HashKey,
    pub(crate) threads: usize,
    pub(crate) progress: Option<Arc<Progress>>,
    /// History scans: only commits not reachable from this revision (`--since REV`).
    pub(crate) since: Option<String>,
    /// History scans: the directory of the history cache (none: no cache).
    /// Where the history cache and the facts cache of change scans live; `None`: no cache.
    pub(crate) cache_dir: Option<std::path::PathBuf>,
    /// Services and invariants (`[triage]`): checked once the result is complete.
    pub(crate) triage: warden_triage::Settings,
}

/// What one file contributed.
#[derive(Default)]
pub(crate) struct FileReport {
    pub findings: Vec<Finding>,
    pub facts: Vec<Fact>,
    pub diagnostics: Vec<Diagnostic>,
    pub scanned_bytes: Option<u64>,
    pub skipped: Option<SkipReason>,
    pub suppressed_inline: u64,
}

impl FileReport {
    pub(crate) fn skipped(reason: SkipReason) -> Self {
        FileReport {
            skipped: Some(reason),
            ..FileReport::default()
        }
    }
}

/// A worker's share of a scan, merged into the [`ScanResult`] at the end.
#[derive(Default, Serialize)]
pub(crate) struct Partial {
    pub findings: Vec<Finding>,
    pub facts: Vec<Fact>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

/// Which analyzers run on a file, and how it must be read for them.
struct Plan {
    run: Vec<usize>,
    /// Read the whole file into memory, up to this many bytes.
    read_cap: Option<u64>,
    /// Why nothing runs, when nothing does.
    skipped: Option<SkipReason>,
}

impl Scanner {
    pub fn new(analyzers: Vec<Box<dyn Analyzer>>, config: Config, key: HashKey) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Scanner {
            analyzers,
            config,
            key,
            threads,
            progress: None,
            since: None,
            cache_dir: None,
            triage: warden_triage::Settings::default(),
        }
    }

    /// The services and invariants a finished scan is checked against (`[triage]` in `warden.toml`).
    pub fn triage(mut self, settings: warden_triage::Settings) -> Self {
        self.triage = settings;
        self
    }

    pub fn triage_settings(&self) -> &warden_triage::Settings {
        &self.triage
    }

    /// Limits a history scan to the commits not reachable from `rev` (and the blobs they add).
    pub fn since(mut self, rev: Option<String>) -> Self {
        self.since = rev;
        self
    }

    /// Keeps caches in `dir`: a history scan's (see `history_cache.rs`; a rescan reads only new blobs) and the
    /// facts of the unchanged files of `--diff` and `--staged` scans (see `fact_cache.rs`; the next change scan
    /// analyses only what changed).
    pub fn cache_dir(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }

    /// What a cached scan result depends on besides a blob's bytes and path: the rule set and the
    /// configuration.
    pub(crate) fn cache_key(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.rules_version().as_bytes());
        h.update(format!("{:?}", self.config).as_bytes());
        hex::encode(&h.finalize()[..8])
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

    pub fn hash_key(&self) -> &HashKey {
        &self.key
    }

    /// Every rule that can report in this run: the analyzers that run, less rules the config turns off.
    pub fn rules(&self) -> Vec<&RuleMeta> {
        self.analyzers
            .iter()
            .flat_map(|a| a.rules())
            .chain(self.triage.invariants.rules())
            .filter(|r| self.config.rule_enabled(&r.id))
            .collect()
    }

    /// A digest of the tool version, every rule that can report and what each analyzer says its rules match:
    /// equal values ran equal checks.
    pub fn rules_version(&self) -> String {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for r in self.rules() {
            h.update(serde_json::to_vec(r).unwrap_or_default());
        }
        for a in &self.analyzers {
            h.update(a.name().as_bytes());
            h.update(a.rules_digest_input());
        }
        for i in &self.triage.invariants.list {
            h.update(i.name.as_bytes());
            h.update(i.forbid.as_bytes());
        }
        hex::encode(&h.finalize()[..8])
    }

    /// The identity of a scan of `target` starting now.
    pub(crate) fn scan_info(&self, target: &Path, mode: ScanMode) -> ScanInfo {
        let (head_commit, branch) = crate::history::head_of(target);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        ScanInfo {
            tool: "warden".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            rules_version: self.rules_version(),
            target: target.display().to_string(),
            mode,
            head_commit,
            branch,
            started_at: warden_core::time::rfc3339(now),
            analyzers: self
                .analyzers
                .iter()
                .map(|a| a.name().to_string())
                .collect(),
            hash_key_id: self.key.id(),
        }
    }

    /// Asks every analyzer how it wants the file (with `facts_only`, only those that publish facts).
    fn plan(&self, meta: &FileMeta, facts_only: bool) -> Plan {
        let cap = self.config.max_file_size();
        let mut plan = Plan {
            run: Vec::new(),
            read_cap: None,
            skipped: None,
        };
        let mut reason = None;
        let read = |plan: &mut Plan, i: usize, max: u64| {
            plan.run.push(i);
            plan.read_cap = Some(plan.read_cap.unwrap_or(0).max(max));
        };
        for (i, a) in self.analyzers.iter().enumerate() {
            if facts_only && !a.publishes_facts() {
                continue;
            }
            match a.claim(meta) {
                Claim::Skip => {}
                Claim::Text if meta.size > cap => {
                    reason.get_or_insert(SkipReason::TooLarge);
                }
                Claim::Text if meta.binary => {
                    reason.get_or_insert(SkipReason::Binary);
                }
                Claim::Text => read(&mut plan, i, cap),
                Claim::Bytes { max } if meta.size > max => {
                    reason.get_or_insert(SkipReason::TooLarge);
                }
                Claim::Bytes { max } => read(&mut plan, i, max),
                Claim::Stream => plan.run.push(i),
            }
        }
        if plan.run.is_empty() {
            plan.skipped = Some(reason.unwrap_or(SkipReason::Unclaimed));
        }
        plan
    }

    /// A file on disk: a stat and the first 8 KiB decide; the rest is read only if an analyzer needs it whole.
    pub(crate) fn scan_disk(&self, rel: &str, abs: &Path) -> std::io::Result<FileReport> {
        let file = std::fs::File::open(abs)?;
        let size = file.metadata()?.len();
        let mut buf = Vec::with_capacity(if size <= self.config.max_file_size() {
            size as usize + 1
        } else {
            HEAD_LEN
        });
        let mut file = file;
        (&mut file).take(HEAD_LEN as u64).read_to_end(&mut buf)?;
        let meta = FileMeta {
            path: rel,
            size,
            head: &buf,
            binary: is_binary(&buf),
        };
        let binary = meta.binary;
        let plan = self.plan(&meta, false);
        if let Some(reason) = plan.skipped {
            return Ok(FileReport::skipped(reason));
        }
        if let Some(cap) = plan.read_cap {
            // The file may have grown since the stat: never read past the cap.
            file.take((cap + 1).saturating_sub(buf.len() as u64))
                .read_to_end(&mut buf)?;
            if buf.len() as u64 > cap {
                return Ok(FileReport::skipped(SkipReason::TooLarge));
            }
        }
        let size = if plan.read_cap.is_some() {
            buf.len() as u64
        } else {
            size
        };
        let head = &buf[..buf.len().min(HEAD_LEN)];
        let meta = FileMeta {
            path: rel,
            size,
            head,
            binary,
        };
        let abs = abs.to_owned();
        let opener = move || std::fs::File::open(&abs).map(|f| Box::new(f) as Box<dyn ReadSeek>);
        let source = match plan.read_cap {
            Some(_) => SourceFile::in_memory(meta, &buf),
            None => SourceFile::streamed(meta, &opener),
        };
        Ok(self.run(&source, &plan))
    }

    /// Content already in memory (a git blob).
    pub(crate) fn scan_loaded(&self, rel: &str, bytes: &[u8]) -> FileReport {
        self.scan_loaded_for(rel, bytes, false)
    }

    /// As [`Self::scan_loaded`]; with `facts_only`, for a file whose facts are all that is wanted, only the
    /// analyzers that publish facts run.
    pub(crate) fn scan_loaded_for(&self, rel: &str, bytes: &[u8], facts_only: bool) -> FileReport {
        let meta = FileMeta {
            path: rel,
            size: bytes.len() as u64,
            head: &bytes[..bytes.len().min(HEAD_LEN)],
            binary: is_binary(bytes),
        };
        let plan = self.plan(&meta, facts_only);
        if let Some(reason) = plan.skipped {
            return FileReport::skipped(reason);
        }
        self.run(&SourceFile::in_memory(meta, bytes), &plan)
    }

    fn run(&self, file: &SourceFile, plan: &Plan) -> FileReport {
        let mut out = FileOutput::default();
        for &i in &plan.run {
            self.analyzers[i].analyze(file, &mut out);
        }
        let path = file.meta.path;
        let mut report = FileReport::default();
        for problem in out.problems {
            report.diagnostics.push(Diagnostic {
                path: path.to_owned(),
                reason: SkipReason::Unsupported,
                message: problem,
            });
        }
        for note in out.partial {
            report.diagnostics.push(Diagnostic {
                path: path.to_owned(),
                reason: SkipReason::Partial,
                message: note,
            });
        }
        self.apply_config(&mut out.findings);
        if let Some(bytes) = file.in_memory_bytes() {
            report.suppressed_inline = Markers::new(bytes).retain(&mut out.findings);
        }
        self.fingerprint(&mut out.findings);
        report.findings = out.findings;
        report.facts = out.facts;
        report.scanned_bytes = Some(file.meta.size);
        if let Some(p) = &self.progress {
            p.files.fetch_add(1, Ordering::Relaxed);
            p.bytes.fetch_add(file.meta.size, Ordering::Relaxed);
        }
        report
    }

    fn fingerprint(&self, findings: &mut [Finding]) {
        for f in findings {
            f.fingerprint = self
                .key
                .fingerprint(&f.rule_id, &f.location.path, &f.matched);
        }
    }

    /// Config-driven filtering and overrides that hold for every analyzer.
    pub(crate) fn apply_config(&self, findings: &mut Vec<Finding>) {
        let c = &self.config;
        findings.retain(|f| {
            c.rule_enabled(&f.rule_id)
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

    /// Whether some analyzer's second phase is `select`ed by its scope.
    pub(crate) fn has_finish(&self, select: impl Fn(FinishScope) -> bool) -> bool {
        self.analyzers.iter().any(|a| select(a.finish_scope()))
    }

    /// The second phase over one tree's facts, for the analyzers whose scope `select` picks: config applied,
    /// inline markers honoured (`read` returns a file of that tree), fingerprints set.
    pub(crate) fn finish_tree(
        &self,
        facts: &Facts,
        select: impl Fn(FinishScope) -> bool,
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> (FinishOutput, u64) {
        let mut all = FinishOutput::default();
        for a in &self.analyzers {
            let scope = a.finish_scope();
            if scope == FinishScope::None || !select(scope) {
                continue;
            }
            let out = a.finish(facts);
            all.findings.extend(out.findings);
            all.problems.extend(out.problems);
            all.assets.extend(out.assets);
            all.edges.extend(out.edges);
            all.components.extend(out.components);
        }
        self.apply_config(&mut all.findings);
        let suppressed = suppress_by_file(&mut all.findings, read);
        self.fingerprint(&mut all.findings);
        (all, suppressed)
    }

    /// The third phase: each analyzer's cross-domain pass over the merged result, its output treated like a
    /// second phase's.
    fn correlate(
        &self,
        result: &mut ScanResult,
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
        keep: &dyn Fn(&Finding) -> bool,
    ) {
        for a in &self.analyzers {
            let mut out = a.correlate(result);
            out.findings.retain(|f| keep(f));
            self.apply_config(&mut out.findings);
            result.stats.suppressed_inline += suppress_by_file(&mut out.findings, read);
            self.fingerprint(&mut out.findings);
            let mut part = Partial::default();
            Self::absorb_finish(&mut part, result, out);
            result.findings.extend(part.findings);
            result.diagnostics.extend(part.diagnostics);
        }
    }

    /// Last, with every link made: findings that break an invariant are tagged with it, and assets and facts
    /// that break one raise findings of their own, treated like a second phase's.
    fn invariants(
        &self,
        result: &mut ScanResult,
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
        keep: &dyn Fn(&Finding) -> bool,
    ) {
        let t = &self.triage;
        let mut raised = t.invariants.check(result, &t.services);
        raised.retain(|f| keep(f));
        self.apply_config(&mut raised);
        result.stats.suppressed_inline += suppress_by_file(&mut raised, read);
        self.fingerprint(&mut raised);
        result.findings.extend(raised);
    }

    /// Adds a tree's second-phase output to the partial result.
    pub(crate) fn absorb_finish(part: &mut Partial, result: &mut ScanResult, out: FinishOutput) {
        part.findings.extend(out.findings);
        for p in out.problems {
            part.diagnostics.push(Diagnostic {
                path: p.path,
                reason: SkipReason::Unsupported,
                message: p.message,
            });
        }
        result.assets.extend(out.assets);
        result.edges.extend(out.edges);
        result.components.extend(out.components);
    }

    /// The finished result: partial results merged, findings and diagnostics in a stable order.
    pub(crate) fn complete(
        &self,
        mut result: ScanResult,
        part: Partial,
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
        keep: &dyn Fn(&Finding) -> bool,
    ) -> ScanResult {
        result.findings = part.findings;
        result.diagnostics = part.diagnostics;
        result.facts = part.facts;
        result.stats = part.stats;
        self.correlate(&mut result, read, keep);
        crate::correlate::credentials_in_workloads(&mut result);
        crate::correlate::credentials_in_public_manifests(&mut result);
        self.invariants(&mut result, read, keep);
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
        result
            .diagnostics
            .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        result.assets.sort_by(|a, b| a.id.cmp(&b.id));
        result.assets.dedup_by(|a, b| a.id == b.id);
        result
            .edges
            .sort_by(|a, b| (&a.from, &a.to, a.kind).cmp(&(&b.from, &b.to, b.kind)));
        result.edges.dedup();
        result
    }
}

/// Drops second-phase findings silenced by a marker in their file; each file is read once.
/// Line `n` (1-based) of a file, trimmed and cut to 200 characters.
fn line_at(bytes: &[u8], n: u32) -> String {
    let line = bytes
        .split(|b| *b == b'\n')
        .nth(n.saturating_sub(1) as usize)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(line);
    text.trim().chars().take(200).collect()
}

fn suppress_by_file(findings: &mut Vec<Finding>, read: &dyn Fn(&str) -> Option<Vec<u8>>) -> u64 {
    if findings.is_empty() {
        return 0;
    }
    findings.sort_by(|a, b| a.location.path.cmp(&b.location.path));
    let mut kept = Vec::with_capacity(findings.len());
    let mut dropped = 0;
    let mut rest = std::mem::take(findings).into_iter().peekable();
    while let Some(first) = rest.next() {
        let path = first.location.path.clone();
        let mut group = vec![first];
        while rest.peek().is_some_and(|f| f.location.path == path) {
            group.extend(rest.next());
        }
        if let Some(bytes) = read(&path) {
            dropped += Markers::new(&bytes).retain(&mut group);
            // Second phases reason over facts, not text: give their findings the line they point at.
            for f in group.iter_mut().filter(|f| f.snippet.is_empty()) {
                f.snippet = line_at(&bytes, f.location.start_line);
            }
        }
        kept.extend(group);
    }
    *findings = kept;
    dropped
}

impl Partial {
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
        self.facts.extend(r.facts);
        self.diagnostics.extend(r.diagnostics);
    }

    /// Adds another worker's share of the same scan.
    pub(crate) fn absorb(&mut self, other: Partial) {
        self.findings.extend(other.findings);
        self.diagnostics.extend(other.diagnostics);
        self.facts.extend(other.facts);
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
}
