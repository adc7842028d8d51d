//! The staged source: every blob in the index that differs from HEAD, read from the object database (what
//! `git commit` would record, not what the working tree holds).

use crate::history::{load_blob, open_repo, scan_blob, tree_blobs, tree_facts, ExcludeRules};
use crate::pipeline::{Partial, ScanError, Scanner};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use warden_core::{Finding, FinishScope, ScanMode, ScanResult, SkipReason};

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
        let exclude = ExcludeRules::new(&repo);
        let finishing = self.has_finish(|s| s != FinishScope::None);

        // Changed entries are scanned; with a second phase, unchanged ones contribute their facts too, so it
        // reasons about the whole index, as the commit will record it.
        let mut todo = Vec::new();
        let mut index_tree = Vec::new();
        for entry in index.entries() {
            let rel = entry.path(&index).to_string();
            let Some(mode) = entry.mode.to_tree_entry_mode() else {
                continue;
            };
            if mode.is_tree() || mode.is_commit() || mode.is_link() || entry.stage_raw() != 0 {
                continue;
            }
            if !self.config.path_selected(&rel) || exclude.excluded(&rel) {
                continue;
            }
            let changed = head.get(&rel) != Some(&entry.id);
            if changed || finishing {
                todo.push((rel.clone(), entry.id, changed));
            }
            index_tree.push((rel, entry.id));
        }

        let sync = repo.into_sync();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| git_err(e.to_string()))?;
        let reports: Vec<_> = pool.install(|| {
            todo.par_iter()
                .map_init(
                    || sync.to_thread_local(),
                    |repo, (rel, id, changed)| {
                        (rel, *id, *changed, scan_blob(self, repo, rel, *id))
                    },
                )
                .collect()
        });
        let mut part = Partial::default();
        let mut facts_by_blob = HashMap::new();
        for (rel, id, changed, r) in reports {
            match r {
                Ok(mut report) => {
                    facts_by_blob.insert(id, std::mem::take(&mut report.facts));
                    if changed {
                        part.merge(report);
                    }
                }
                Err(msg) => part.skip(
                    rel.clone(),
                    SkipReason::Unreadable,
                    format!("cannot read staged blob: {msg}"),
                ),
            }
        }
        let mut result = ScanResult::new(info);
        let by_path: HashMap<&str, gix::ObjectId> =
            index_tree.iter().map(|(p, id)| (p.as_str(), *id)).collect();
        let read = |rel: &str| {
            let id = *by_path.get(rel)?;
            load_blob(&sync.to_thread_local(), id, self.config.max_file_size())
                .ok()
                .flatten()
        };
        // A pre-commit check speaks of what the commit changes: findings that touch a changed file.
        let changed: HashSet<&str> = todo.iter().filter(|t| t.2).map(|t| t.0.as_str()).collect();
        let touches_change = |f: &Finding| {
            changed.contains(f.location.path.as_str())
                || f.related
                    .iter()
                    .any(|r| changed.contains(r.location.path.as_str()))
        };
        if finishing {
            let facts = tree_facts(&index_tree, &facts_by_blob);
            let (mut fin, suppressed) = self.finish_tree(&facts, |_| true, &read);
            fin.findings.retain(|f| touches_change(f));
            part.stats.suppressed_inline += suppressed;
            Self::absorb_finish(&mut part, &mut result, fin);
            part.facts = facts.all;
        }
        let mut result = self.complete(result, part, &read, &touches_change);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }
}
