//! The history source: every commit reachable from any ref, each unique blob scanned once. A blob's findings
//! are attributed to the oldest commit (by commit time) whose tree holds it, at the path it had there.

use crate::pipeline::{ScanError, ScanResult, Scanner, SkipReason};
use crate::walk::IGNORE_FILE;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use warden_core::Provenance;

pub(crate) fn open_repo(path: &Path) -> Result<gix::Repository, ScanError> {
    if !path.exists() {
        return Err(ScanError::Input {
            path: path.to_owned(),
            reason: "no such file or directory".into(),
        });
    }
    gix::discover(path).map_err(|e| ScanError::Git {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// `.wardenignore` at the repository root, applied to paths inside git objects.
pub(crate) struct ExcludeRules(Option<ignore::gitignore::Gitignore>);

impl ExcludeRules {
    pub(crate) fn new(repo: &gix::Repository) -> Self {
        let Some(root) = repo.workdir() else {
            return ExcludeRules(None);
        };
        let file = root.join(IGNORE_FILE);
        if !file.is_file() {
            return ExcludeRules(None);
        }
        let (gi, _err) = ignore::gitignore::Gitignore::new(&file);
        ExcludeRules(Some(gi))
    }

    pub(crate) fn excluded(&self, rel: &str) -> bool {
        self.0
            .as_ref()
            .is_some_and(|gi| gi.matched_path_or_any_parents(rel, false).is_ignore())
    }
}

/// Every blob of a tree, recursively, with its path.
pub(crate) fn tree_blobs(
    repo: &gix::Repository,
    tree: gix::ObjectId,
) -> Result<Vec<(String, gix::ObjectId)>, String> {
    let mut out = Vec::new();
    let mut seen_trees = HashSet::new();
    walk_tree(
        repo,
        tree,
        "",
        &mut seen_trees,
        &mut |path, id| out.push((path.to_owned(), id)),
        false,
    )?;
    Ok(out)
}

/// Visits blobs under `tree`; with `skip_seen`, subtrees already visited (in any commit) are not entered again,
/// which makes a whole-history walk cost one visit per unique tree.
fn walk_tree(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    prefix: &str,
    seen_trees: &mut HashSet<gix::ObjectId>,
    visit: &mut dyn FnMut(&str, gix::ObjectId),
    skip_seen: bool,
) -> Result<(), String> {
    if skip_seen && !seen_trees.insert(tree) {
        return Ok(());
    }
    let obj = repo
        .find_tree(tree)
        .map_err(|e| format!("tree {tree}: {e}"))?;
    let decoded = obj.decode().map_err(|e| format!("tree {tree}: {e}"))?;
    let mut subtrees = Vec::new();
    for entry in &decoded.entries {
        let path = if prefix.is_empty() {
            entry.filename.to_string()
        } else {
            format!("{prefix}/{}", entry.filename)
        };
        if entry.mode.is_tree() {
            subtrees.push((entry.oid.to_owned(), path));
        } else if !entry.mode.is_commit() && !entry.mode.is_link() {
            visit(&path, entry.oid.to_owned());
        }
    }
    drop(decoded);
    for (id, path) in subtrees {
        walk_tree(repo, id, &path, seen_trees, visit, skip_seen)?;
    }
    Ok(())
}

struct CommitInfo {
    id: gix::ObjectId,
    tree: gix::ObjectId,
    author: String,
    time: i64,
    summary: String,
}

impl Scanner {
    /// Scans every blob reachable from any ref of the repository containing `path`.
    pub fn scan_history(&self, path: &Path) -> Result<ScanResult, ScanError> {
        let start = Instant::now();
        let repo = open_repo(path)?;
        let git_err = |reason: String| ScanError::Git {
            path: path.to_owned(),
            reason,
        };
        let mut result = ScanResult::default();

        // Tips: every ref that peels to a commit.
        let mut tips = Vec::new();
        let refs = repo.references().map_err(|e| git_err(e.to_string()))?;
        for r in refs.all().map_err(|e| git_err(e.to_string()))? {
            let Ok(mut r) = r else { continue };
            if let Ok(id) = r.peel_to_id() {
                if repo.find_commit(id.detach()).is_ok() {
                    tips.push(id.detach());
                }
            }
        }
        if let Ok(id) = repo.head_id() {
            tips.push(id.detach());
        }
        tips.sort();
        tips.dedup();

        let mut commits = Vec::new();
        if !tips.is_empty() {
            let walk = repo
                .rev_walk(tips)
                .all()
                .map_err(|e| git_err(e.to_string()))?;
            for info in walk {
                let info = match info {
                    Ok(i) => i,
                    Err(e) => {
                        result.skip(
                            path.display().to_string(),
                            SkipReason::Unreadable,
                            format!("commit walk: {e}"),
                        );
                        continue;
                    }
                };
                match read_commit(&repo, info.id) {
                    Ok(c) => commits.push(c),
                    Err(e) => result.skip(format!("commit {}", info.id), SkipReason::Unreadable, e),
                }
            }
        }
        // Oldest first, so the first sighting of a blob is the commit that introduced it. The walk yields
        // children before parents; reversed and stably sorted by time, equal times keep parents first.
        commits.reverse();
        commits.sort_by_key(|c| c.time);

        let exclude = ExcludeRules::new(&repo);
        let mut seen_trees = HashSet::new();
        let mut first_seen: HashMap<gix::ObjectId, (String, usize)> = HashMap::new();
        for (ci, c) in commits.iter().enumerate() {
            let mut visit = |p: &str, id: gix::ObjectId| {
                first_seen.entry(id).or_insert_with(|| (p.to_owned(), ci));
            };
            if let Err(e) = walk_tree(&repo, c.tree, "", &mut seen_trees, &mut visit, true) {
                result.skip(format!("commit {}", c.id), SkipReason::Unreadable, e);
            }
        }
        let head_blobs: HashSet<gix::ObjectId> = match repo.head_tree_id() {
            Ok(t) => tree_blobs(&repo, t.detach())
                .map(|v| v.into_iter().map(|(_, id)| id).collect())
                .unwrap_or_default(),
            Err(_) => HashSet::new(),
        };

        let mut blobs: Vec<(gix::ObjectId, String, usize)> = first_seen
            .into_iter()
            .filter(|(_, (p, _))| self.config.path_selected(p) && !exclude.excluded(p))
            .map(|(id, (p, ci))| (id, p, ci))
            .collect();
        blobs.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1)));
        result.stats.commits = Some(commits.len() as u64);
        result.stats.blobs = Some(blobs.len() as u64);

        let sync = repo.into_sync();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| git_err(e.to_string()))?;
        let reports: Vec<_> = pool.install(|| {
            blobs
                .par_iter()
                .map_init(
                    || sync.to_thread_local(),
                    |repo, (id, p, ci)| match repo.find_blob(*id) {
                        Ok(blob) => Ok((self.scan_bytes(p, &blob.data), *id, *ci)),
                        Err(e) => Err((p.clone(), e.to_string())),
                    },
                )
                .collect()
        });

        for r in reports {
            match r {
                Ok((mut report, blob, ci)) => {
                    let c = &commits[ci];
                    for f in &mut report.findings {
                        f.location.provenance = Some(Provenance {
                            commit: c.id.to_string(),
                            author: c.author.clone(),
                            time: c.time,
                            summary: c.summary.clone(),
                            blob: blob.to_string(),
                            in_head: head_blobs.contains(&blob),
                        });
                    }
                    result.merge(report);
                }
                Err((p, msg)) => result.skip(
                    p,
                    SkipReason::Unreadable,
                    format!("cannot read blob: {msg}"),
                ),
            }
        }

        // The same secret in a file edited many times appears in many blobs: keep its oldest sighting, and call
        // it present in HEAD if any of its blobs is.
        let mut in_head: HashSet<(String, String)> = HashSet::new();
        for f in &result.findings {
            if f.location.provenance.as_ref().is_some_and(|p| p.in_head) {
                in_head.insert((f.rule_id.clone(), f.matched.clone()));
            }
        }
        result
            .findings
            .sort_by_key(|f| f.location.provenance.as_ref().map_or(0, |p| p.time));
        let mut seen = HashSet::new();
        result
            .findings
            .retain(|f| seen.insert(f.fingerprint.clone()));
        for f in &mut result.findings {
            if let Some(p) = &mut f.location.provenance {
                p.in_head = in_head.contains(&(f.rule_id.clone(), f.matched.clone()));
            }
        }
        self.finish(&mut result);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }
}

fn read_commit(repo: &gix::Repository, id: gix::ObjectId) -> Result<CommitInfo, String> {
    let commit = repo
        .find_commit(id)
        .map_err(|e| format!("commit {id}: {e}"))?;
    let tree = commit
        .tree_id()
        .map_err(|e| format!("commit {id}: {e}"))?
        .detach();
    let (author, time) = match commit.author() {
        Ok(sig) => (format!("{} <{}>", sig.name, sig.email), sig.seconds()),
        Err(_) => (String::new(), 0),
    };
    let summary = commit
        .message()
        .map(|m| m.summary().to_string())
        .unwrap_or_default();
    Ok(CommitInfo {
        id,
        tree,
        author,
        time,
        summary,
    })
}
