//! The staged source: every blob in the index that differs from HEAD, read from the object database (what
//! `git commit` would record, not what the working tree holds).

use crate::history::{open_repo, tree_blobs, ExcludeRules};
use crate::pipeline::{ScanError, ScanResult, Scanner, SkipReason};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

impl Scanner {
    /// Scans what is staged for commit in the repository containing `path`.
    pub fn scan_staged(&self, path: &Path) -> Result<ScanResult, ScanError> {
        let start = Instant::now();
        let repo = open_repo(path)?;
        let git_err = |reason: String| ScanError::Git {
            path: path.to_owned(),
            reason,
        };
        let index = repo.index_or_empty().map_err(|e| git_err(e.to_string()))?;
        let head: HashMap<String, gix::ObjectId> = match repo.head_tree_id() {
            Ok(tree) => tree_blobs(&repo, tree.detach())
                .map_err(git_err)?
                .into_iter()
                .collect(),
            Err(_) => HashMap::new(), // unborn HEAD: everything staged is new
        };
        let exclude = ExcludeRules::new(&repo);

        let mut todo = Vec::new();
        for entry in index.entries() {
            let rel = entry.path(&index).to_string();
            let Some(mode) = entry.mode.to_tree_entry_mode() else {
                continue;
            };
            if mode.is_tree() || mode.is_commit() || mode.is_link() || entry.stage_raw() != 0 {
                continue;
            }
            if head.get(&rel) == Some(&entry.id)
                || !self.config.path_selected(&rel)
                || exclude.excluded(&rel)
            {
                continue;
            }
            todo.push((rel, entry.id));
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
                    |repo, (rel, id)| match repo.find_blob(*id) {
                        Ok(blob) => Ok(self.scan_bytes(rel, &blob.data)),
                        Err(e) => Err((rel.clone(), e.to_string())),
                    },
                )
                .collect()
        });
        let mut result = ScanResult::default();
        for r in reports {
            match r {
                Ok(report) => result.merge(report),
                Err((rel, msg)) => result.skip(
                    rel,
                    SkipReason::Unreadable,
                    format!("cannot read staged blob: {msg}"),
                ),
            }
        }
        self.finish(&mut result);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }
}
