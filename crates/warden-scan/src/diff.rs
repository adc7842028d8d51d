//! The diff source: what a range of commits changed (`BASE..HEAD`, or `BASE...HEAD` from their merge base, as
//! `git diff` reads them), for a pull request's CI. The head tree is scanned as a change against the base tree
//! (whole-repository analyzers see every file of the head tree, as facts); the base tree is scanned the same way
//! against the head, and a finding the base already had (same fingerprint: rule, path, matched text) is not
//! reported. What is left is what the range introduced.

use crate::history::{open_repo, tree_blobs, ExcludeRules};
use crate::pipeline::{ScanError, Scanner};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use warden_core::{ScanMode, ScanResult};

/// A parsed `--diff` range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRange {
    pub base: String,
    pub head: String,
    /// `BASE...HEAD`: from the merge base of the two.
    pub merge_base: bool,
}

impl DiffRange {
    /// `BASE..HEAD`, `BASE...HEAD`, or `BASE` alone (`BASE..HEAD`); an empty side is HEAD, as in git.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (base, head, merge_base) = if let Some((a, b)) = s.split_once("...") {
            (a, b, true)
        } else if let Some((a, b)) = s.split_once("..") {
            (a, b, false)
        } else {
            (s, "", false)
        };
        let side = |x: &str| if x.is_empty() { "HEAD" } else { x }.to_string();
        if base.is_empty() && head.is_empty() {
            return Err(format!("`{s}`: expected BASE..HEAD, BASE...HEAD or BASE"));
        }
        Ok(Self {
            base: side(base),
            head: side(head),
            merge_base,
        })
    }
}

impl Scanner {
    /// Scans what `range` changed in the repository containing `path`: findings in the head tree that touch a
    /// changed file and that the base tree did not have.
    pub fn scan_diff(&self, path: &Path, range: &DiffRange) -> Result<ScanResult, ScanError> {
        let start = Instant::now();
        let repo = open_repo(path)?;
        let git_err = |reason: String| ScanError::Git {
            path: path.to_owned(),
            reason,
        };
        let commit = |spec: &str| -> Result<gix::ObjectId, ScanError> {
            let id = repo
                .rev_parse_single(spec)
                .map_err(|e| git_err(format!("`{spec}`: {e}")))?;
            let c = id
                .object()
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| git_err(format!("`{spec}` is not a commit: {e}")))?;
            Ok(c.id)
        };
        let head = commit(&range.head)?;
        let mut base = commit(&range.base)?;
        if range.merge_base {
            base = repo
                .merge_base(base, head)
                .map_err(|e| {
                    git_err(format!(
                        "merge base of `{}` and `{}`: {e}",
                        range.base, range.head
                    ))
                })?
                .ok_or_else(|| {
                    git_err(format!(
                        "`{}` and `{}` have no common ancestor",
                        range.base, range.head
                    ))
                })?
                .detach();
        }
        let tree_of = |id: gix::ObjectId| -> Result<Vec<(String, gix::ObjectId)>, ScanError> {
            let tree = repo
                .find_commit(id)
                .and_then(|c| c.tree_id())
                .map_err(|e| git_err(format!("commit {id}: {e}")))?;
            tree_blobs(&repo, tree.detach()).map_err(git_err)
        };
        let head_tree = tree_of(head)?;
        let base_tree = tree_of(base)?;
        let head_map: HashMap<String, gix::ObjectId> = head_tree.iter().cloned().collect();
        let base_map: HashMap<String, gix::ObjectId> = base_tree.iter().cloned().collect();

        let mut info = self.scan_info(path, ScanMode::Diff);
        info.head_commit = Some(head.to_string());
        let exclude = ExcludeRules::new(&repo);
        let sync = repo.into_sync();
        let mut memo = self.change_memo();
        let (mut result, head_seen) = self.scan_change(
            path,
            &sync,
            &exclude,
            info.clone(),
            head_tree,
            &base_map,
            &mut memo,
        )?;
        // The same change seen from the base: what the changed files held before.
        let (before, base_seen) =
            self.scan_change(path, &sync, &exclude, info, base_tree, &head_map, &mut memo)?;
        let had: HashSet<&str> = before
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        result
            .findings
            .retain(|f| !had.contains(f.fingerprint.as_str()));
        self.save_memo(&memo, &[&head_seen, &base_seen], &mut result);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::DiffRange;

    #[test]
    fn ranges_read_as_git_reads_them() {
        let r = |base: &str, head: &str, merge_base| DiffRange {
            base: base.into(),
            head: head.into(),
            merge_base,
        };
        assert_eq!(
            DiffRange::parse("main..topic"),
            Ok(r("main", "topic", false))
        );
        assert_eq!(
            DiffRange::parse("main...topic"),
            Ok(r("main", "topic", true))
        );
        assert_eq!(
            DiffRange::parse("origin/main"),
            Ok(r("origin/main", "HEAD", false))
        );
        assert_eq!(DiffRange::parse("main.."), Ok(r("main", "HEAD", false)));
        assert_eq!(DiffRange::parse("..topic"), Ok(r("HEAD", "topic", false)));
        assert!(DiffRange::parse("..").is_err());
        assert!(DiffRange::parse("").is_err());
    }
}
