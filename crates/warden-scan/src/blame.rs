//! Who last changed a finding's lines, and when: `git blame` at HEAD with gix, limited to the lines findings sit
//! on, for triage context. Lines not in HEAD (a new or modified file) have no last change yet.

use gix::bstr::ByteSlice;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The commit that last changed some lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    pub commit: String,
    /// The author's email, else name.
    pub author: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
}

/// Line ranges (1-based, inclusive) wanted per path (relative to `target`, `/`-separated).
pub type Wanted = BTreeMap<String, Vec<(u32, u32)>>;

/// For each wanted `(path, start, end)`, the most recent change among those lines at HEAD. At most
/// `max_files` files are blamed (the ones with the most ranges first): blame walks history, and a scan with
/// findings in thousands of files should not wait on it.
pub fn last_changes(
    target: &Path,
    wanted: &Wanted,
    max_files: usize,
) -> HashMap<(String, u32, u32), LastChange> {
    let mut out = HashMap::new();
    let dir = if target.is_file() {
        target.parent().unwrap_or(Path::new("."))
    } else {
        target
    };
    let Ok(repo) = gix::discover(dir) else {
        return out;
    };
    let Ok(head) = repo.head_id() else {
        return out;
    };
    let Some(workdir) = repo.workdir() else {
        return out;
    };
    // Finding paths are relative to the scanned directory, blame paths to the work tree.
    let prefix = match (std::fs::canonicalize(dir), std::fs::canonicalize(workdir)) {
        (Ok(d), Ok(w)) => d
            .strip_prefix(&w)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut files: Vec<(&String, &Vec<(u32, u32)>)> = wanted.iter().collect();
    files.sort_by_key(|(_, r)| std::cmp::Reverse(r.len()));
    let mut commits: HashMap<gix::ObjectId, Option<(String, i64)>> = HashMap::new();
    for (path, ranges) in files.into_iter().take(max_files) {
        let full = if prefix.is_empty() {
            path.clone()
        } else {
            format!("{prefix}/{path}")
        };
        let mut blame_ranges = gix::blame::BlameRanges::default();
        for &(s, e) in ranges {
            let (s, e) = (s.max(1), e.max(s.max(1)));
            if blame_ranges.add_one_based_inclusive_range(s..=e).is_err() {
                continue;
            }
        }
        let options = gix::repository::blame_file::Options {
            ranges: blame_ranges,
            ..Default::default()
        };
        let Ok(outcome) = repo.blame_file(full.as_bytes().as_bstr(), head, options) else {
            continue;
        };
        for &(s, e) in ranges {
            let mut best: Option<(i64, gix::ObjectId)> = None;
            for entry in &outcome.entries {
                let from = entry.start_in_blamed_file + 1;
                let to = entry.start_in_blamed_file + entry.len.get();
                if to < s || from > e {
                    continue;
                }
                let info = commits
                    .entry(entry.commit_id)
                    .or_insert_with(|| author_of(&repo, entry.commit_id));
                if let Some((_, t)) = info {
                    if best.is_none_or(|(bt, _)| *t > bt) {
                        best = Some((*t, entry.commit_id));
                    }
                }
            }
            if let Some((time, id)) = best {
                if let Some(Some((author, _))) = commits.get(&id) {
                    out.insert(
                        (path.clone(), s, e),
                        LastChange {
                            commit: id.to_string(),
                            author: author.clone(),
                            time,
                        },
                    );
                }
            }
        }
    }
    out
}

fn author_of(repo: &gix::Repository, id: gix::ObjectId) -> Option<(String, i64)> {
    let commit = repo.find_commit(id).ok()?;
    let sig = commit.author().ok()?;
    let who = if sig.email.is_empty() {
        sig.name.to_str_lossy().into_owned()
    } else {
        sig.email.to_str_lossy().into_owned()
    };
    let time = sig.time().ok()?.seconds;
    Some((who, time))
}
