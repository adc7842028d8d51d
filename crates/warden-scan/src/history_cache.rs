//! The history cache: what one `--history` scan learned, so that the next reads only the blobs new commits add.
//!
//! It holds the commit graph the walk saw (ids, trees, parents, and the attribution fields), where every blob was
//! first seen, and for each blob whose scan came back clean, what that scan produced (bytes scanned, a skip
//! reason, inline suppressions, the facts analyzers published). A blob with any finding or error is not kept: it
//! is scanned again on every run, so the cache never holds a secret, a snippet or a secret's hash, and a rescan
//! reports exactly what a cold scan would.
//!
//! One file per rule set and configuration (`history-<key>.json` under `.warden/cache/` of the repository, or
//! the `--cache` directory), written whole to a temporary file and renamed into place, so a run that dies
//! mid-write leaves the previous cache intact. A file in another format or under another key is ignored.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use warden_core::{Fact, SkipReason};

/// Bumped when the file's meaning changes; older files are then ignored.
const FORMAT: u32 = 1;
/// Cache files kept per directory (one per rule set and configuration); the least recently written go first.
const KEEP: usize = 4;

#[derive(Serialize, Deserialize)]
pub(crate) struct CacheFile {
    format: u32,
    key: String,
    /// The commits the walk started from.
    pub tips: Vec<String>,
    /// Every commit walked.
    pub commits: Vec<CachedCommit>,
    /// Every blob the walk met (before path filters, which may change between runs).
    pub blobs: Vec<CachedBlob>,
}

#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct CachedCommit {
    pub id: String,
    pub tree: String,
    pub parents: Vec<String>,
    pub author: String,
    pub time: i64,
    pub summary: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct CachedBlob {
    pub id: String,
    /// The path and commit it was first seen at.
    pub path: String,
    pub commit: String,
    /// What its scan produced, when that was clean; absent: scan it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean: Option<Clean>,
}

/// A clean blob's scan, enough to account for it without reading it.
#[derive(Serialize, Deserialize, Clone, Default)]
pub(crate) struct Clean {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<SkipReason>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub suppressed: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// The blob had facts, not kept because it was not in HEAD's tree: scanned again if it is one day.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub facts_omitted: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where the cache of a repository lives and under which key.
pub(crate) struct CacheSlot {
    pub file: PathBuf,
    key: String,
}

impl CacheSlot {
    pub(crate) fn new(dir: &Path, key: &str) -> Self {
        CacheSlot {
            file: dir.join(format!("history-{key}.json")),
            key: key.to_owned(),
        }
    }

    /// The cache, when there is one for this key; a missing, unreadable or foreign file is no cache.
    pub(crate) fn load(&self) -> Option<CacheFile> {
        let bytes = std::fs::read(&self.file).ok()?;
        let c: CacheFile = serde_json::from_slice(&bytes).ok()?;
        (c.format == FORMAT && c.key == self.key).then_some(c)
    }

    /// Writes the cache whole (temporary file, then rename) and drops the oldest other caches beyond [`KEEP`].
    pub(crate) fn store(
        &self,
        tips: Vec<String>,
        commits: Vec<CachedCommit>,
        blobs: Vec<CachedBlob>,
    ) -> Result<(), String> {
        let file = CacheFile {
            format: FORMAT,
            key: self.key.clone(),
            tips,
            commits,
            blobs,
        };
        write_whole(&self.file, &file)?;
        prune(
            self.file.parent().unwrap_or(Path::new(".")),
            &self.file,
            "history-",
        );
        Ok(())
    }
}

/// Removes the least recently written `<prefix>*.json` files beyond [`KEEP`], never `keep`.
pub(crate) fn prune(dir: &Path, keep: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(prefix) && n.ends_with(".json")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, p) in files.into_iter().skip(KEEP) {
        if p != keep {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Writes `value` as JSON to `file` through a temporary file in the same directory, renamed into place; the
/// directory gets a `.gitignore` that keeps the cache out of commits.
pub(crate) fn write_whole(file: &Path, value: &impl Serialize) -> Result<(), String> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(&ignore, "*\n");
    }
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut w = std::io::BufWriter::new(tmp.as_file_mut());
    serde_json::to_writer(&mut w, value).map_err(|e| e.to_string())?;
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    tmp.persist(file)
        .map_err(|e| format!("{}: {}", file.display(), e.error))?;
    Ok(())
}

/// Whether every commit of the cached walk is still reachable: each old tip must be a current tip, a parent of
/// a new commit, or an ancestor (through the cached graph) of one of those. When a branch was deleted or
/// rewritten, blobs only it held must no longer be reported, and the walk starts over.
pub(crate) fn old_walk_still_reachable(
    cache: &CacheFile,
    current_tips: &HashSet<String>,
    new_parents: &HashSet<String>,
) -> bool {
    let parents: HashMap<&str, &[String]> = cache
        .commits
        .iter()
        .map(|c| (c.id.as_str(), c.parents.as_slice()))
        .collect();
    let mut reached: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = current_tips
        .iter()
        .chain(new_parents.iter())
        .map(String::as_str)
        .filter(|id| parents.contains_key(id))
        .collect();
    while let Some(id) = stack.pop() {
        if !reached.insert(id) {
            continue;
        }
        for p in parents.get(id).copied().unwrap_or_default() {
            if parents.contains_key(p.as_str()) && !reached.contains(p.as_str()) {
                stack.push(p);
            }
        }
    }
    cache.tips.iter().all(|t| reached.contains(t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, parents: &[&str]) -> CachedCommit {
        CachedCommit {
            id: id.into(),
            tree: String::new(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            author: String::new(),
            time: 0,
            summary: String::new(),
        }
    }

    fn cache(tips: &[&str], commits: Vec<CachedCommit>) -> CacheFile {
        CacheFile {
            format: FORMAT,
            key: "k".into(),
            tips: tips.iter().map(|t| t.to_string()).collect(),
            commits,
            blobs: Vec::new(),
        }
    }

    fn set(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|i| i.to_string()).collect()
    }

    #[test]
    fn a_fast_forward_keeps_the_old_walk_and_a_deleted_branch_does_not() {
        // a <- b (main) ; a <- c (topic)
        let c = cache(
            &["b", "c"],
            vec![commit("a", &[]), commit("b", &["a"]), commit("c", &["a"])],
        );
        // main moved on to d (parent b), topic still there.
        assert!(old_walk_still_reachable(
            &c,
            &set(&["d", "c"]),
            &set(&["b"])
        ));
        // topic deleted: c is no longer reachable.
        assert!(!old_walk_still_reachable(&c, &set(&["d"]), &set(&["b"])));
        // topic merged into main first, then deleted: c is reachable through the merge's parents.
        assert!(old_walk_still_reachable(
            &c,
            &set(&["m"]),
            &set(&["b", "c"])
        ));
        // main rewound to a: b is gone.
        assert!(!old_walk_still_reachable(&c, &set(&["a", "c"]), &set(&[])));
    }

    #[test]
    fn a_cache_under_another_key_or_format_is_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let slot = CacheSlot::new(dir.path(), "one");
        slot.store(vec!["t".into()], vec![commit("t", &[])], Vec::new())
            .unwrap();
        assert!(slot.load().is_some());
        assert!(dir.path().join(".gitignore").exists());
        let other = CacheSlot {
            file: slot.file.clone(),
            key: "two".into(),
        };
        assert!(other.load().is_none());
        std::fs::write(&slot.file, b"{\"format\": 99}").unwrap();
        assert!(slot.load().is_none());
    }

    #[test]
    fn only_the_newest_caches_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..(KEEP + 3) {
            CacheSlot::new(dir.path(), &format!("k{i}"))
                .store(Vec::new(), Vec::new(), Vec::new())
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        let n = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("history-")
            })
            .count();
        assert_eq!(n, KEEP);
        assert!(dir
            .path()
            .join(format!("history-k{}.json", KEEP + 2))
            .exists());
    }
}
