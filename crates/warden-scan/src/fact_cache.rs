//! The facts cache of change scans (`--diff`, `--staged`). A file a change did not touch is wanted only for its
//! facts (the second phases reason over the whole tree), and those depend on nothing but the file's path, its
//! bytes, the rule set and the configuration. So each file a change scan analysed whole and found clean is kept
//! here by path and blob id with its facts, and the next change scan analyses what changed and what the cache
//! does not vouch for, instead of every file of the tree.
//!
//! As with the history cache (`history_cache.rs`), a blob is kept only when its full scan (every analyzer, the
//! secrets analyzer included) came back with no finding, so the cache never holds a secret, a snippet or a
//! secret's hash; a file with a finding is analysed again on every run. (A file with a parse problem but no
//! finding is kept: what it yields is the same each time, and the cache keeps facts, never messages.) One file per rule set and
//! configuration (`facts-<key>.json` beside the history cache), holding the files of the trees the last scan
//! saw (so it does not grow with the repository's past), written whole to a temporary file and renamed into
//! place: a run that dies mid-write leaves the previous cache intact. A missing, unreadable or foreign file is
//! no cache.

use crate::history_cache::{prune, write_whole};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use warden_core::Fact;

/// Bumped when the file's meaning changes; older files are then ignored.
const FORMAT: u32 = 1;

/// The cache file: read owned ([`CachedFile`]), written borrowed from the memo ([`CachedFileRef`]), so saving
/// copies no facts.
#[derive(Serialize, Deserialize)]
struct FactsFile<F> {
    format: u32,
    key: String,
    files: Vec<F>,
}

#[derive(Deserialize)]
struct CachedFile {
    path: String,
    blob: String,
    #[serde(default)]
    facts: Vec<Fact>,
}

#[derive(Serialize)]
struct CachedFileRef<'a> {
    path: &'a str,
    blob: String,
    #[serde(skip_serializing_if = "<[Fact]>::is_empty")]
    facts: &'a [Fact],
}

/// A file of a tree: its path and blob.
pub(crate) type FileKey = (String, gix::ObjectId);

/// The facts of the files one change scan has analysed or taken from the cache, by path and blob (a blob's
/// facts depend on its path: the same bytes are Python in `a.py` and nothing in `a.txt`), and which of them
/// are clean.
#[derive(Default)]
pub(crate) struct FactMemo {
    facts: HashMap<FileKey, Vec<Fact>>,
    clean: HashSet<FileKey>,
    /// The files the cache file held when it was read.
    loaded: HashSet<FileKey>,
    /// Where the cache is read from and written to; `None`: no cache (`--no-cache`, or a scan without a
    /// repository-wide second phase).
    slot: Option<(PathBuf, String)>,
}

impl FactMemo {
    /// A memo without a cache.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A memo that starts from the cache in `dir` under `key`, if there is one, and can be saved back.
    pub(crate) fn cached(dir: &Path, key: &str) -> Self {
        let file = dir.join(format!("facts-{key}.json"));
        let mut memo = FactMemo::default();
        if let Some(f) = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<FactsFile<CachedFile>>(&b).ok())
            .filter(|f| f.format == FORMAT && f.key == key)
        {
            for c in f.files {
                let Ok(id) = gix::ObjectId::from_hex(c.blob.as_bytes()) else {
                    continue;
                };
                // Facts are said of the path they were read at; a file that says otherwise is not ours.
                if c.facts.iter().any(|fact| fact.path != c.path) {
                    continue;
                }
                let k = (c.path, id);
                memo.clean.insert(k.clone());
                memo.loaded.insert(k.clone());
                memo.facts.insert(k, c.facts);
            }
        }
        memo.slot = Some((file, key.to_owned()));
        memo
    }

    /// Whether this memo keeps a cache, so that unchanged files are worth a full scan (to learn they are clean).
    pub(crate) fn caching(&self) -> bool {
        self.slot.is_some()
    }

    pub(crate) fn contains(&self, path: &str, id: &gix::ObjectId) -> bool {
        // A borrowed lookup would need a key type of its own; the clone is one short path per file.
        self.facts.contains_key(&(path.to_owned(), *id))
    }

    /// How many of `files` the cache file vouched for.
    pub(crate) fn from_cache<'a>(&self, files: impl Iterator<Item = &'a FileKey>) -> u64 {
        files.filter(|k| self.loaded.contains(*k)).count() as u64
    }

    /// Records a file's facts; `clean`: its full scan found nothing.
    pub(crate) fn insert(&mut self, key: FileKey, facts: Vec<Fact>, clean: bool) {
        if clean {
            self.clean.insert(key.clone());
        } else {
            self.clean.remove(&key);
        }
        self.facts.insert(key, facts);
    }

    /// The facts of a tree's files, in the tree's order.
    pub(crate) fn tree_facts(&self, tree: &[FileKey]) -> warden_core::Facts {
        let mut all = Vec::new();
        for k in tree {
            all.extend(self.facts.get(k).into_iter().flatten().cloned());
        }
        warden_core::Facts { all }
    }

    /// Writes the cache: the clean files of `trees` (the trees this scan saw), sorted, whole or not at all.
    /// Returns the cache file and the reason when it could not be written; nothing without a cache.
    pub(crate) fn save(&self, trees: &[&[FileKey]]) -> Result<(), (PathBuf, String)> {
        let Some((file, key)) = &self.slot else {
            return Ok(());
        };
        let mut keep: Vec<&FileKey> = trees
            .iter()
            .flat_map(|t| t.iter())
            .filter(|k| self.clean.contains(*k))
            .collect();
        keep.sort();
        keep.dedup();
        let out = FactsFile {
            format: FORMAT,
            key: key.clone(),
            files: keep
                .into_iter()
                .map(|k| CachedFileRef {
                    path: &k.0,
                    blob: k.1.to_string(),
                    facts: self.facts.get(k).map(Vec::as_slice).unwrap_or_default(),
                })
                .collect(),
        };
        write_whole(file, &out).map_err(|e| (file.clone(), e))?;
        prune(file.parent().unwrap_or(Path::new(".")), file, "facts-");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(path: &str) -> Fact {
        Fact {
            analyzer: "code".into(),
            kind: "py/import".into(),
            path: path.into(),
            data: serde_json::json!({"module": "os"}),
        }
    }

    fn id(n: u8) -> gix::ObjectId {
        gix::ObjectId::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn keeps_the_clean_files_of_the_trees_it_saw_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let mut memo = FactMemo::cached(dir.path(), "k1");
        let a = ("a.py".to_string(), id(1));
        let b = ("b.py".to_string(), id(2));
        let gone = ("gone.py".to_string(), id(3));
        memo.insert(a.clone(), vec![fact("a.py")], true);
        memo.insert(b.clone(), vec![fact("b.py")], false); // had a finding
        memo.insert(gone.clone(), vec![], true);
        memo.save(&[&[a.clone(), b.clone()]]).unwrap();

        let again = FactMemo::cached(dir.path(), "k1");
        assert!(again.contains("a.py", &id(1)));
        assert!(
            !again.contains("b.py", &id(2)),
            "a file with a finding is scanned again"
        );
        assert!(
            !again.contains("gone.py", &id(3)),
            "only the trees this scan saw"
        );
        assert_eq!(again.tree_facts(&[a.clone()]).all, vec![fact("a.py")]);
        // The same blob at another path is another file.
        assert!(!again.contains("a.txt", &id(1)));
        // Another rule set or configuration: no cache.
        assert!(!FactMemo::cached(dir.path(), "k2").contains("a.py", &id(1)));
        assert!(dir.path().join(".gitignore").exists());
    }

    #[test]
    fn a_damaged_cache_is_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("facts-k.json"),
            b"{\"format\": 1, \"key\": \"k\", \"fi",
        )
        .unwrap();
        let memo = FactMemo::cached(dir.path(), "k");
        assert!(memo.caching());
        assert!(memo.facts.is_empty());
    }
}
