//! The history source: every commit reachable from any ref, each unique blob scanned once. A blob's findings
//! are attributed to the oldest commit (by commit time) whose tree holds it, at the path it had there.

use crate::history_cache::{
    old_walk_still_reachable, CacheFile, CacheSlot, CachedBlob, CachedCommit, Clean,
};
use crate::pipeline::{FileReport, Partial, ScanError, Scanner};
use crate::walk::IGNORE_FILE;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use warden_core::{Fact, Facts, FinishScope, Provenance, ScanMode, ScanResult, SkipReason};

/// HEAD's commit id and branch name for the repository holding `target`, where there is one.
pub fn head_of(target: &Path) -> (Option<String>, Option<String>) {
    let dir = if target.is_file() {
        target.parent().unwrap_or(Path::new("."))
    } else {
        target
    };
    let Ok(repo) = gix::discover(dir) else {
        return (None, None);
    };
    let commit = repo.head_id().ok().map(|id| id.to_string());
    let branch = repo
        .head_name()
        .ok()
        .flatten()
        .map(|n| n.shorten().to_string());
    (commit, branch)
}

/// What names a repository across clones, for the findings store: its `origin` remote's URL without
/// credentials, scheme or `.git` (`github.com/acme/app`), else the absolute path of its work tree; `None`
/// outside a repository.
pub fn repository_identity(target: &Path) -> Option<String> {
    let dir = if target.is_file() {
        target.parent().unwrap_or(Path::new("."))
    } else {
        target
    };
    let repo = gix::discover(dir).ok()?;
    let remote = repo.find_remote("origin").ok().and_then(|r| {
        r.url(gix::remote::Direction::Fetch)
            .map(|u| u.to_bstring().to_string())
    });
    if let Some(url) = remote {
        return Some(normalise_remote(&url));
    }
    let root = repo.workdir().unwrap_or_else(|| repo.git_dir());
    std::fs::canonicalize(root)
        .ok()
        .map(|p| p.display().to_string())
}

/// `https://user:tok@github.com/acme/app.git`, `git@github.com:acme/app.git` and `ssh://git@github.com/acme/app`
/// all become `github.com/acme/app`.
pub fn normalise_remote(url: &str) -> String {
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((_, r)) => r.to_string(),
        // scp-like `git@host:path`.
        None => match url.split_once(':') {
            Some((host, path)) if !host.contains('/') => format!("{host}/{path}"),
            _ => url.to_string(),
        },
    };
    let rest = rest.rsplit_once('@').map_or(rest.as_str(), |(_, r)| r);
    rest.trim_end_matches('/')
        .trim_end_matches(".git")
        .to_ascii_lowercase()
}

/// Loads a blob unless it is larger than `cap`: the size comes from the object header, so an oversized blob
/// is never decompressed.
pub(crate) fn load_blob(
    repo: &gix::Repository,
    id: gix::ObjectId,
    cap: u64,
) -> Result<Option<Vec<u8>>, String> {
    let header = repo.find_header(id).map_err(|e| e.to_string())?;
    if header.size() > cap {
        return Ok(None);
    }
    let blob = repo.find_blob(id).map_err(|e| e.to_string())?;
    Ok(Some(blob.detach().data))
}

/// Scans one blob, or counts it as too large; with `facts_only`, only for its facts.
pub(crate) fn scan_blob(
    scanner: &Scanner,
    repo: &gix::Repository,
    path: &str,
    id: gix::ObjectId,
    facts_only: bool,
) -> Result<FileReport, String> {
    let header = repo.find_header(id).map_err(|e| e.to_string())?;
    if header.size() > scanner.config.max_file_size() {
        return Ok(FileReport::skipped(SkipReason::TooLarge));
    }
    // Not detached: the buffer goes back to the repository's pool when the blob drops, so a history scan
    // allocates (and zeroes) a few buffers per thread, not one per blob.
    let blob = repo.find_blob(id).map_err(|e| e.to_string())?;
    Ok(scanner.scan_loaded_for(path, &blob.data, facts_only))
}

/// A tree's facts: each blob's facts, at the path the blob has in that tree.
pub(crate) fn tree_facts(
    blobs: &[(String, gix::ObjectId)],
    by_blob: &HashMap<gix::ObjectId, Vec<Fact>>,
) -> Facts {
    let mut all = Vec::new();
    for (path, id) in blobs {
        for f in by_blob.get(id).into_iter().flatten() {
            all.push(Fact {
                path: path.clone(),
                ..f.clone()
            });
        }
    }
    Facts { all }
}

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
    parents: Vec<gix::ObjectId>,
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
        let info = self.scan_info(path, ScanMode::History);
        let mut result = Partial::default();

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

        // `--since REV`: that commit and its ancestors are not walked, and blobs its tree holds are not new.
        let mut old_blobs: HashSet<gix::ObjectId> = HashSet::new();
        let mut hidden = Vec::new();
        if let Some(rev) = &self.since {
            let id = repo
                .rev_parse_single(rev.as_str())
                .map_err(|e| git_err(format!("--since {rev}: {e}")))?
                .detach();
            let commit = repo
                .find_commit(id)
                .map_err(|e| git_err(format!("--since {rev}: {e}")))?;
            if let Ok(tree) = commit.tree_id() {
                old_blobs.extend(
                    tree_blobs(&repo, tree.detach())
                        .map_err(git_err)?
                        .into_iter()
                        .map(|(_, id)| id),
                );
            }
            hidden.push(id);
        }
        let slot = self
            .cache_dir
            .as_ref()
            .map(|dir| CacheSlot::new(dir, &self.cache_key()));
        let cache = slot.as_ref().and_then(CacheSlot::load);
        // Clean results by blob, usable whenever the blob is seen at the same path again.
        let mut cached_clean: HashMap<gix::ObjectId, (String, Clean)> = HashMap::new();
        if let Some(c) = &cache {
            for b in &c.blobs {
                if let (Some(clean), Ok(id)) = (&b.clean, gix::ObjectId::from_hex(b.id.as_bytes()))
                {
                    cached_clean.insert(id, (b.path.clone(), clean.clone()));
                }
            }
        }
        // A cache whose walk is still reachable from today's refs (no branch deleted or rewritten) stands for
        // every commit it walked: only commits that are not its ancestors are read. `--since` walks its own range.
        let mut commits = Vec::new();
        let mut first_seen: HashMap<gix::ObjectId, (String, gix::ObjectId)> = HashMap::new();
        let mut incremental = false;
        // The cached walk's commits: their trees were walked before.
        let mut old_ids: HashSet<gix::ObjectId> = HashSet::new();
        if let (Some(c), None) = (&cache, &self.since) {
            if let Some((old, new)) = incremental_walk(&repo, c, &tips) {
                incremental = true;
                old_ids = old.iter().map(|c| c.id).collect();
                commits = old;
                commits.extend(new);
                for b in &c.blobs {
                    if let (Ok(id), Ok(commit)) = (
                        gix::ObjectId::from_hex(b.id.as_bytes()),
                        gix::ObjectId::from_hex(b.commit.as_bytes()),
                    ) {
                        first_seen.insert(id, (b.path.clone(), commit));
                    }
                }
            }
        }
        if !incremental && !tips.is_empty() {
            let walk = repo
                .rev_walk(tips.clone())
                .with_hidden(hidden)
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
        // Oldest first, so the first sighting of a blob is the commit that introduced it: parents before
        // children, then stably by time (commits made in the same second keep their parents first).
        let mut commits = parents_first(commits);
        commits.sort_by_key(|c| c.time);
        let time_of: HashMap<gix::ObjectId, i64> = commits.iter().map(|c| (c.id, c.time)).collect();

        let exclude = ExcludeRules::new(&repo);
        let mut seen_trees = HashSet::new();
        // Incrementally, only the new commits' trees are walked; a blob they share with the cached walk keeps
        // its older sighting.
        for c in &commits {
            if old_ids.contains(&c.id) {
                continue;
            }
            let mut visit = |p: &str, id: gix::ObjectId| match first_seen.get(&id) {
                Some((_, at)) if time_of.get(at).is_some_and(|t| *t <= c.time) => {}
                _ => {
                    first_seen.insert(id, (p.to_owned(), c.id));
                }
            };
            if let Err(e) = walk_tree(&repo, c.tree, "", &mut seen_trees, &mut visit, true) {
                result.skip(format!("commit {}", c.id), SkipReason::Unreadable, e);
            }
        }
        let index_of: HashMap<gix::ObjectId, usize> =
            commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let head_tree: Vec<(String, gix::ObjectId)> = match repo.head_tree_id() {
            Ok(t) => tree_blobs(&repo, t.detach()).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let head_blobs: HashSet<gix::ObjectId> = head_tree.iter().map(|(_, id)| *id).collect();
        let head_commit = repo.head_id().ok().map(|id| id.detach());

        let mut blobs: Vec<(gix::ObjectId, String, usize)> = first_seen
            .iter()
            .filter(|(id, (p, _))| {
                self.config.path_selected(p) && !exclude.excluded(p) && !old_blobs.contains(*id)
            })
            .filter_map(|(id, (p, c))| Some((*id, p.clone(), *index_of.get(c)?)))
            .collect();
        blobs.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1)));
        result.stats.commits = Some(commits.len() as u64);
        result.stats.blobs = Some(blobs.len() as u64);

        // Facts feed the second phases: HEAD's tree only, unless an analyzer looks at every commit's. Others are
        // dropped as soon as a blob is scanned, so memory follows HEAD's size, not the history's.
        let all_facts = self.has_finish(|s| s == FinishScope::EachCommit);
        let wants_facts = |id: &gix::ObjectId| all_facts || head_blobs.contains(id);
        // Blobs the cache vouches for (clean, at the same path, with their facts where they are needed) are
        // accounted for without being read.
        let (from_cache, to_scan): (Vec<_>, Vec<_>) = blobs.iter().partition(|(id, p, _)| {
            cached_clean
                .get(id)
                .is_some_and(|(at, c)| at == p && !(c.facts_omitted && wants_facts(id)))
        });
        if slot.is_some() {
            result.stats.cached_blobs = Some(from_cache.len() as u64);
        }

        let sync = repo.into_sync();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| git_err(e.to_string()))?;
        // Packed blobs are read pack by pack in pack order; what no pack holds (loose objects, alternates, a
        // pack that could not be read whole) one by one.
        let want: HashMap<gix::ObjectId, (&str, usize)> = to_scan
            .iter()
            .map(|(id, p, ci)| (*id, (p.as_str(), *ci)))
            .collect();
        let objects_dir = sync.to_thread_local().objects.store_ref().path().to_owned();
        let (mut reports, done) = self.scan_packs(&objects_dir, &want, &|id| wants_facts(id));
        let rest: Vec<_> = to_scan
            .iter()
            .filter(|(id, _, _)| !done.contains(id))
            .collect();
        let loose: Vec<_> = pool.install(|| {
            rest.par_iter()
                .map_init(
                    || sync.to_thread_local(),
                    |repo, (id, p, ci)| match scan_blob(self, repo, p, *id, false) {
                        Ok(mut report) => {
                            let omitted = !report.facts.is_empty() && !wants_facts(id);
                            if omitted {
                                report.facts = Vec::new();
                            }
                            Ok((report, *id, *ci, omitted))
                        }
                        Err(e) => Err((p.clone(), e)),
                    },
                )
                .collect::<Vec<_>>()
        });
        reports.extend(loose);
        // Oldest commit first, whatever order the packs delivered blobs in: the first sighting of a finding is
        // the one kept.
        reports.sort_by_key(|r| match r {
            Ok((_, id, ci, _)) => (*ci, *id),
            Err(_) => (usize::MAX, gix::ObjectId::null(gix::hash::Kind::Sha1)),
        });

        let mut facts_by_blob: HashMap<gix::ObjectId, Vec<Fact>> = HashMap::new();
        let mut now_clean: HashMap<gix::ObjectId, Clean> = HashMap::new();
        for (id, _, _) in &from_cache {
            let clean = cached_clean.remove(id).map(|(_, c)| c).unwrap_or_default();
            result.merge(FileReport {
                scanned_bytes: clean.bytes,
                skipped: clean.skipped,
                suppressed_inline: clean.suppressed,
                ..FileReport::default()
            });
            if !clean.facts.is_empty() {
                facts_by_blob.insert(*id, clean.facts.clone());
            }
            now_clean.insert(*id, clean);
        }
        for r in reports {
            match r {
                Ok((mut report, blob, ci, facts_omitted)) => {
                    if slot.is_some() && report.findings.is_empty() && report.diagnostics.is_empty()
                    {
                        now_clean.insert(
                            blob,
                            Clean {
                                bytes: report.scanned_bytes,
                                skipped: report.skipped,
                                suppressed: report.suppressed_inline,
                                facts: report.facts.clone(),
                                facts_omitted,
                            },
                        );
                    }
                    if !report.facts.is_empty() {
                        facts_by_blob.insert(blob, std::mem::take(&mut report.facts));
                    }
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
        // The cache is rewritten after a walk of every ref (not after `--since`, which saw part of it).
        if let (Some(slot), None) = (&slot, &self.since) {
            let tips_hex = tips.iter().map(|t| t.to_string()).collect();
            let cached_commits = commits
                .iter()
                .map(|c| CachedCommit {
                    id: c.id.to_string(),
                    tree: c.tree.to_string(),
                    parents: c.parents.iter().map(|p| p.to_string()).collect(),
                    author: c.author.clone(),
                    time: c.time,
                    summary: c.summary.clone(),
                })
                .collect();
            // Clean results of blobs not selected this time (another path filter) are kept as they were.
            let mut cached_blobs: Vec<CachedBlob> = first_seen
                .iter()
                .map(|(id, (p, c))| CachedBlob {
                    id: id.to_string(),
                    path: p.clone(),
                    commit: c.to_string(),
                    clean: now_clean.remove(id).or_else(|| {
                        cached_clean
                            .remove(id)
                            .and_then(|(at, clean)| (&at == p).then_some(clean))
                    }),
                })
                .collect();
            cached_blobs.sort_by(|a, b| a.id.cmp(&b.id));
            if let Err(e) = slot.store(tips_hex, cached_commits, cached_blobs) {
                result.diagnostics.push(warden_core::Diagnostic {
                    path: slot.file.display().to_string(),
                    reason: SkipReason::CacheNotWritten,
                    message: format!("history cache not written: {e}"),
                });
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
        let mut out = ScanResult::new(info);
        let provenance = |c: &CommitInfo, in_head: bool| Provenance {
            commit: c.id.to_string(),
            author: c.author.clone(),
            time: c.time,
            summary: c.summary.clone(),
            blob: String::new(),
            in_head,
        };
        let read_in = |tree: &[(String, gix::ObjectId)], rel: &str| {
            let id = tree.iter().find(|(p, _)| p == rel)?.1;
            load_blob(&sync.to_thread_local(), id, self.config.max_file_size())
                .ok()
                .flatten()
        };
        // Second phases see one tree at a time, never a pool of every blob ever seen: HEAD's tree, and every
        // commit's tree for analyzers that ask.
        let head_info = head_commit.and_then(|h| commits.iter().find(|c| c.id == h));
        if self.has_finish(|s| s == FinishScope::Head) {
            // A blob was analysed at the path it first had; where HEAD holds it under another path (a rename),
            // analyse it again there for its facts, since what an analyzer makes of a file depends on its path.
            let scanned_at: HashMap<gix::ObjectId, &str> =
                blobs.iter().map(|(id, p, _)| (*id, p.as_str())).collect();
            let renamed: Vec<&(String, gix::ObjectId)> = head_tree
                .iter()
                .filter(|(p, id)| scanned_at.get(id).is_some_and(|first| first != p))
                .collect();
            let again: HashMap<String, Vec<Fact>> = pool.install(|| {
                renamed
                    .par_iter()
                    .map_init(
                        || sync.to_thread_local(),
                        |repo, (p, id)| {
                            let facts = scan_blob(self, repo, p, *id, true)
                                .map(|r| r.facts)
                                .unwrap_or_default();
                            (p.clone(), facts)
                        },
                    )
                    .collect()
            });
            let mut facts = tree_facts(
                &head_tree
                    .iter()
                    .filter(|(p, _)| !again.contains_key(p))
                    .cloned()
                    .collect::<Vec<_>>(),
                &facts_by_blob,
            );
            facts.all.extend(again.into_values().flatten());
            let read = |rel: &str| read_in(&head_tree, rel);
            let (mut fin, suppressed) = self.finish_tree(&facts, |s| s == FinishScope::Head, &read);
            for f in &mut fin.findings {
                f.location.provenance = head_info.map(|c| provenance(c, true));
            }
            result.stats.suppressed_inline += suppressed;
            Self::absorb_finish(&mut result, &mut out, fin);
            result.facts = facts.all;
        }
        if self.has_finish(|s| s == FinishScope::EachCommit) {
            let repo = sync.to_thread_local();
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut per_commit = Vec::new();
            let mut head_prints = HashSet::new();
            for c in &commits {
                let tree = match tree_blobs(&repo, c.tree) {
                    Ok(t) => t,
                    Err(e) => {
                        result.skip(format!("commit {}", c.id), SkipReason::Unreadable, e);
                        continue;
                    }
                };
                let facts = tree_facts(&tree, &facts_by_blob);
                let read = |rel: &str| read_in(&tree, rel);
                let (mut fin, suppressed) =
                    self.finish_tree(&facts, |s| s == FinishScope::EachCommit, &read);
                if Some(c.id) == head_commit {
                    head_prints.extend(fin.findings.iter().map(|f| f.fingerprint.clone()));
                    result.stats.suppressed_inline += suppressed;
                }
                fin.findings
                    .retain(|f| seen.insert(f.fingerprint.clone(), 0).is_none());
                for f in &mut fin.findings {
                    f.location.provenance = Some(provenance(c, false));
                }
                per_commit.push(fin);
            }
            for mut fin in per_commit {
                for f in &mut fin.findings {
                    if let Some(p) = &mut f.location.provenance {
                        p.in_head = head_prints.contains(&f.fingerprint);
                    }
                }
                Self::absorb_finish(&mut result, &mut out, fin);
            }
        }
        let mut out = self.complete(out, result, &|rel| read_in(&head_tree, rel), &|_| true);
        out.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(out)
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
    let parents = commit.parent_ids().map(|p| p.detach()).collect();
    Ok(CommitInfo {
        id,
        tree,
        parents,
        author,
        time,
        summary,
    })
}

/// What scanning one blob gave: its report, id, commit index and whether facts were dropped; or its path and
/// why it could not be read.
type BlobScan = Result<(FileReport, gix::ObjectId, usize, bool), (String, String)>;

impl Scanner {
    /// Scans the wanted blobs by reading each pack once in pack order, deltas resolved through the pack's delta
    /// tree: a base is decoded once for every version built on it, where looking blobs up one by one decodes a
    /// delta chain per blob. Returns the scans and the blobs seen; the caller reads the rest one by one (loose
    /// objects, alternates, and whatever a pack that fails part-way did not deliver).
    fn scan_packs(
        &self,
        objects_dir: &Path,
        want: &HashMap<gix::ObjectId, (&str, usize)>,
        wants_facts: &(dyn Fn(&gix::ObjectId) -> bool + Sync),
    ) -> (Vec<BlobScan>, HashSet<gix::ObjectId>) {
        let out: std::sync::Mutex<(Vec<BlobScan>, HashSet<gix::ObjectId>)> = Default::default();
        let Ok(entries) = std::fs::read_dir(objects_dir.join("pack")) else {
            return Default::default();
        };
        let cap = self.config.max_file_size();
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "idx") || want.is_empty() {
                continue;
            }
            let Ok(bundle) = gix::odb::pack::Bundle::at(&path, gix::hash::Kind::Sha1) else {
                continue;
            };
            // A few blobs (a rescan after new commits) are cheaper to look up than a whole pack to decode.
            if (want.len() as u64) * 20 < u64::from(bundle.index.num_objects()) {
                continue;
            }
            let interrupt = std::sync::atomic::AtomicBool::new(false);
            let out = &out;
            let processor = move |kind: gix::object::Kind,
                                  data: &[u8],
                                  entry: &gix::odb::pack::index::Entry,
                                  _: &dyn gix::progress::Progress| {
                if kind != gix::object::Kind::Blob {
                    return Ok(());
                }
                let Some(&(p, ci)) = want.get(&entry.oid) else {
                    return Ok(());
                };
                if !out
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .1
                    .insert(entry.oid)
                {
                    return Ok(());
                }
                let mut report = if data.len() as u64 > cap {
                    FileReport::skipped(SkipReason::TooLarge)
                } else {
                    self.scan_loaded(p, data)
                };
                let omitted = !report.facts.is_empty() && !wants_facts(&entry.oid);
                if omitted {
                    report.facts = Vec::new();
                }
                out.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .0
                    .push(Ok((report, entry.oid, ci, omitted)));
                Ok(())
            };
            // A failure part-way (a damaged pack, an object over the allocation cap) leaves the blobs not yet
            // delivered to the one-by-one path.
            let _ = bundle.index.traverse(
                &bundle.pack,
                &mut gix::progress::Discard,
                &interrupt,
                processor,
                gix::odb::pack::index::traverse::Options {
                    traversal: gix::odb::pack::index::traverse::Algorithm::DeltaTreeLookup,
                    thread_limit: Some(self.threads),
                    check: gix::odb::pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerification,
                    alloc_limit_bytes: Some((cap.saturating_mul(2)).max(64 << 20) as usize),
                    make_pack_lookup_cache: || gix::odb::pack::cache::Never,
                },
            );
        }
        out.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// The cached walk's commits and the commits that are new since it, when the cached walk still holds: every
/// old tip exists and is still reachable from today's tips. None: walk everything again.
fn incremental_walk(
    repo: &gix::Repository,
    cache: &CacheFile,
    tips: &[gix::ObjectId],
) -> Option<(Vec<CommitInfo>, Vec<CommitInfo>)> {
    let mut old = Vec::with_capacity(cache.commits.len());
    for c in &cache.commits {
        old.push(CommitInfo {
            id: gix::ObjectId::from_hex(c.id.as_bytes()).ok()?,
            tree: gix::ObjectId::from_hex(c.tree.as_bytes()).ok()?,
            parents: c
                .parents
                .iter()
                .map(|p| gix::ObjectId::from_hex(p.as_bytes()).ok())
                .collect::<Option<_>>()?,
            author: c.author.clone(),
            time: c.time,
            summary: c.summary.clone(),
        });
    }
    let old_tips: Vec<gix::ObjectId> = cache
        .tips
        .iter()
        .map(|t| gix::ObjectId::from_hex(t.as_bytes()).ok())
        .collect::<Option<_>>()?;
    if old_tips.iter().any(|t| repo.find_commit(*t).is_err()) {
        return None;
    }
    let mut new = Vec::new();
    if !tips.is_empty() {
        let walk = repo
            .rev_walk(tips.to_vec())
            .with_hidden(old_tips)
            .all()
            .ok()?;
        for info in walk {
            new.push(read_commit(repo, info.ok()?.id).ok()?);
        }
    }
    let current: HashSet<String> = tips.iter().map(|t| t.to_string()).collect();
    let parents: HashSet<String> = new
        .iter()
        .flat_map(|c| c.parents.iter().map(|p| p.to_string()))
        .collect();
    old_walk_still_reachable(cache, &current, &parents).then_some((old, new))
}

/// The commits in an order where every commit comes after those of its parents that are in the list.
fn parents_first(commits: Vec<CommitInfo>) -> Vec<CommitInfo> {
    let index: HashMap<gix::ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut placed = vec![false; commits.len()];
    // A commit on the current path is not entered again (no cycle can exist in git's graph; this keeps a
    // damaged one from looping).
    let mut on_path = vec![false; commits.len()];
    let mut order = Vec::with_capacity(commits.len());
    for start in 0..commits.len() {
        // Iterative depth-first walk: a commit is placed once all its parents are.
        let mut stack = vec![(start, 0usize)];
        while let Some((i, next)) = stack.pop() {
            if placed[i] {
                continue;
            }
            on_path[i] = true;
            let parents = &commits[i].parents;
            if let Some(p) = parents[next..]
                .iter()
                .position(|p| index.get(p).is_some_and(|&j| !placed[j] && !on_path[j]))
            {
                let j = index[&parents[next + p]];
                stack.push((i, next + p + 1));
                stack.push((j, 0));
                continue;
            }
            on_path[i] = false;
            placed[i] = true;
            order.push(i);
        }
    }
    let mut slots: Vec<Option<CommitInfo>> = commits.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(n: u8, parents: &[u8]) -> CommitInfo {
        let id = |n: u8| gix::ObjectId::from_bytes_or_panic(&[n; 20]);
        CommitInfo {
            id: id(n),
            tree: id(0),
            parents: parents.iter().map(|p| id(*p)).collect(),
            author: String::new(),
            time: 0,
            summary: String::new(),
        }
    }

    #[test]
    fn parents_come_before_their_children_whatever_the_input_order() {
        // 1 <- 2 <- 4, 1 <- 3 <- 4 (a merge), 5 whose parent is not in the list.
        let order: Vec<u8> = parents_first(vec![
            c(4, &[2, 3]),
            c(3, &[1]),
            c(5, &[9]),
            c(2, &[1]),
            c(1, &[]),
        ])
        .iter()
        .map(|c| c.id.as_bytes()[0])
        .collect();
        let pos = |n: u8| order.iter().position(|&x| x == n).unwrap();
        assert_eq!(order.len(), 5);
        assert!(pos(1) < pos(2) && pos(1) < pos(3) && pos(2) < pos(4) && pos(3) < pos(4));
        // A long line of commits, newest first, as a walk yields it.
        let line: Vec<CommitInfo> = (1..=200u8)
            .rev()
            .map(|n| if n > 1 { c(n, &[n - 1]) } else { c(1, &[]) })
            .collect();
        let order: Vec<u8> = parents_first(line)
            .iter()
            .map(|c| c.id.as_bytes()[0])
            .collect();
        assert_eq!(order, (1..=200u8).collect::<Vec<_>>());
    }
}
