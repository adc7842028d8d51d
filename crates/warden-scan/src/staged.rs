//! The staged source: every blob in the index that differs from HEAD, read from the object database (what
//! `git commit` would record, not what the working tree holds). The change itself (a tree against a base) is
//! scanned by [`Scanner::scan_change`], which the diff source (`diff.rs`) shares.

use crate::fact_cache::{FactMemo, FileKey};
use crate::history::{load_blob, open_repo, scan_blob, tree_blobs, ExcludeRules};
use crate::pipeline::{Partial, ScanError, Scanner};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use warden_core::{Diagnostic, Finding, FinishScope, ScanInfo, ScanMode, ScanResult, SkipReason};

impl Scanner {
    /// Scans what is staged for commit in the repository containing `path`.
    pub fn scan_staged(&self, path: &Path) -> Result<ScanResult, ScanError> {
        let start = Instant::now();
        let repo = open_repo(path)?;
        let git_err = |reason: String| ScanError::Git {
            path: path.to_owned(),
            reason,
        };
        let info = self.scan_info(path, ScanMode::Staged);
        let index = repo.index_or_empty().map_err(|e| git_err(e.to_string()))?;
        let head: HashMap<String, gix::ObjectId> = match repo.head_tree_id() {
            Ok(tree) => tree_blobs(&repo, tree.detach())
                .map_err(git_err)?
                .into_iter()
                .collect(),
            Err(_) => HashMap::new(), // unborn HEAD: everything staged is new
        };
        let mut tree = Vec::new();
        for entry in index.entries() {
            let Some(mode) = entry.mode.to_tree_entry_mode() else {
                continue;
            };
            if mode.is_tree() || mode.is_commit() || mode.is_link() || entry.stage_raw() != 0 {
                continue;
            }
            tree.push((entry.path(&index).to_string(), entry.id));
        }
        let exclude = ExcludeRules::new(&repo);
        let sync = repo.into_sync();
        let mut memo = self.change_memo();
        let (mut result, seen) =
            self.scan_change(path, &sync, &exclude, info, tree, &head, &mut memo)?;
        self.save_memo(&memo, &[&seen], &mut result);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }

    /// The memo of a change scan: with a cache directory and a repository-wide second phase (which is what
    /// needs the unchanged files' facts), it starts from the facts cache (`fact_cache.rs`).
    pub(crate) fn change_memo(&self) -> FactMemo {
        match &self.cache_dir {
            Some(dir) if self.has_finish(|s| s != FinishScope::None) => {
                FactMemo::cached(dir, &self.cache_key())
            }
            _ => FactMemo::new(),
        }
    }

    /// Writes the facts cache for the trees a change scan saw; a cache that cannot be written is said as a
    /// diagnostic (the scan itself is complete).
    pub(crate) fn save_memo(&self, memo: &FactMemo, trees: &[&[FileKey]], result: &mut ScanResult) {
        if let Err((file, e)) = memo.save(trees) {
            result.diagnostics.push(Diagnostic {
                path: file.display().to_string(),
                reason: SkipReason::CacheNotWritten,
                message: format!("facts cache not written: {e}"),
            });
        }
    }

    /// Scans `tree` as a change against `base` (path → blob): the blobs that differ from the base are
    /// analysed and reported; with a second phase, the others contribute their facts too (taken from `memo`
    /// when the cache or an earlier call has them), so it reasons about the whole tree. Only findings that
    /// touch a changed file are kept. Returns the result and the files of the tree it saw (after path filters).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan_change(
        &self,
        path: &Path,
        sync: &gix::ThreadSafeRepository,
        exclude: &ExcludeRules,
        info: ScanInfo,
        tree: Vec<(String, gix::ObjectId)>,
        base: &HashMap<String, gix::ObjectId>,
        memo: &mut FactMemo,
    ) -> Result<(ScanResult, Vec<FileKey>), ScanError> {
        let git_err = |reason: String| ScanError::Git {
            path: path.to_owned(),
            reason,
        };
        let finishing = self.has_finish(|s| s != FinishScope::None);
        let tree: Vec<FileKey> = tree
            .into_iter()
            .filter(|(rel, _)| self.config.path_selected(rel) && !exclude.excluded(rel))
            .collect();
        // Changed entries are scanned; with a second phase, unchanged ones contribute their facts too.
        let todo: Vec<(&str, gix::ObjectId, bool)> = tree
            .iter()
            .map(|(rel, id)| (rel.as_str(), *id, base.get(rel) != Some(id)))
            .filter(|(rel, id, changed)| *changed || (finishing && !memo.contains(rel, id)))
            .collect();
        // With a cache, an unchanged file is scanned whole, not only for its facts: only a file known to be
        // clean may be cached. (The secrets analyzer, the one that publishes no facts, is the cheap one.)
        let whole = memo.caching();

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| git_err(e.to_string()))?;
        let reports: Vec<_> = pool.install(|| {
            todo.par_iter()
                .map_init(
                    || sync.to_thread_local(),
                    |repo, (rel, id, changed)| {
                        (
                            *rel,
                            *id,
                            *changed,
                            scan_blob(self, repo, rel, *id, !*changed && !whole),
                        )
                    },
                )
                .collect()
        });
        let mut part = Partial::default();
        for (rel, id, changed, r) in reports {
            match r {
                Ok(mut report) => {
                    // Clean: no finding (what could hold a secret). A file the analyzers could not parse whole is
                    // clean too: what it yields is the same each time, and the cache keeps facts, not messages.
                    let clean = (changed || whole) && report.findings.is_empty();
                    memo.insert(
                        (rel.to_string(), id),
                        std::mem::take(&mut report.facts),
                        clean,
                    );
                    if changed {
                        part.merge(report);
                    }
                }
                Err(msg) => part.skip(
                    rel.to_string(),
                    SkipReason::Unreadable,
                    format!("cannot read blob {id}: {msg}"),
                ),
            }
        }
        let mut result = ScanResult::new(info);
        let by_path: HashMap<&str, gix::ObjectId> =
            tree.iter().map(|(p, id)| (p.as_str(), *id)).collect();
        let read = |rel: &str| {
            let id = *by_path.get(rel)?;
            load_blob(&sync.to_thread_local(), id, self.config.max_file_size())
                .ok()
                .flatten()
        };
        // A change speaks of what it changes: findings that touch a changed file.
        let changed: HashSet<&str> = todo.iter().filter(|t| t.2).map(|t| t.0).collect();
        let touches_change = |f: &Finding| {
            changed.contains(f.location.path.as_str())
                || f.related
                    .iter()
                    .any(|r| changed.contains(r.location.path.as_str()))
        };
        if finishing {
            let facts = memo.tree_facts(&tree);
            let (mut fin, suppressed) = self.finish_tree(&facts, |_| true, &read);
            fin.findings.retain(|f| touches_change(f));
            part.stats.suppressed_inline += suppressed;
            Self::absorb_finish(&mut part, &mut result, fin);
            part.facts = facts.all;
        }
        let mut result = self.complete(result, part, &read, &touches_change);
        if memo.caching() {
            let unchanged = tree.iter().filter(|(p, id)| base.get(p) == Some(id));
            result.stats.cached_blobs = Some(memo.from_cache(unchanged));
        }
        Ok((result, tree))
    }
}
