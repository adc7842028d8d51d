//! The working-tree source: ripgrep's parallel walker, honouring .gitignore, .ignore and .wardenignore, seeing
//! dotfiles (`.env`, `.npmrc`, `.github/`), never entering `.git/`.

use crate::pipeline::{Partial, ScanError, Scanner};
use ignore::{WalkBuilder, WalkState};
use std::io::Read as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;
use warden_core::{Fact, Facts, Finding, FinishScope, ScanMode, ScanResult, SkipReason};

pub const IGNORE_FILE: &str = ".wardenignore";

/// A worker's share of the result, sent to the caller when the walker drops the worker.
struct Local {
    result: Partial,
    tx: mpsc::Sender<Partial>,
}

impl Drop for Local {
    fn drop(&mut self) {
        let _ = self.tx.send(std::mem::take(&mut self.result));
    }
}

/// Whether the ignore files above `root` (a parent's `.gitignore`, `.git/info/exclude`) ignore `root` itself.
/// ripgrep's walker would then skip everything under it and the scan would silently see nothing; a root the user
/// named is scanned, so the caller drops the parents' rules (its own ignore files, and those below, still hold).
fn ignored_by_parents(root: &Path) -> bool {
    let Ok(abs) = root.canonicalize() else {
        return false;
    };
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        return false;
    };
    // Listing the parent one level deep with the same ignore rules: the root is missing when they ignore it.
    let listed = WalkBuilder::new(parent)
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(true)
        .add_custom_ignore_filename(IGNORE_FILE)
        .max_depth(Some(1))
        .build()
        .filter_map(Result::ok)
        .any(|e| e.depth() == 1 && e.file_name() == name);
    !listed
}

impl Scanner {
    /// Scans the files under `root` (or `root` itself when it is a file).
    pub fn scan_worktree(&self, root: &Path) -> Result<ScanResult, ScanError> {
        let start = Instant::now();
        let info = self.scan_info(root, ScanMode::Worktree);
        let meta = std::fs::metadata(root).map_err(|e| ScanError::Input {
            path: root.to_owned(),
            reason: io_reason(&e),
        })?;
        let single_file = meta.is_file();

        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            // Above a repository's root nothing applies: git reads no .gitignore there, and a .wardenignore of an
            // enclosing directory (another project's) must not drop this one's files either.
            .parents(!single_file && !root.join(".git").exists() && !ignored_by_parents(root))
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .ignore(true)
            .follow_links(self.config.follow_symlinks)
            .threads(self.threads)
            .add_custom_ignore_filename(IGNORE_FILE)
            .filter_entry(|e| e.file_name() != ".git" && e.file_name() != crate::key::KEY_DIR);

        // Each worker keeps its own partial result and hands it over once, when the walk drops it: no
        // per-file messages, no wake-ups of a collector on the hot path.
        let (tx, rx) = mpsc::channel::<Partial>();
        builder.build_parallel().run(|| {
            let mut local = Local {
                result: Partial::default(),
                tx: tx.clone(),
            };
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let (path, message) = describe(&err);
                        let path = path.map_or_else(
                            || root.display().to_string(),
                            |p| relative(root, &p, false),
                        );
                        local.result.skip(path, SkipReason::Unreadable, message);
                        return WalkState::Continue;
                    }
                };
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if ft.is_dir() {
                    return WalkState::Continue;
                }
                let rel = relative(root, entry.path(), single_file);
                if ft.is_symlink() {
                    // Only reached when links are not followed.
                    local.result.skip(
                        rel,
                        SkipReason::Symlink,
                        "symbolic link not followed".into(),
                    );
                    return WalkState::Continue;
                }
                if !ft.is_file() || !self.config.path_selected(&rel) {
                    return WalkState::Continue;
                }
                match self.scan_disk(&rel, entry.path()) {
                    Ok(report) => local.result.merge(report),
                    Err(e) => local
                        .result
                        .skip(rel, SkipReason::Unreadable, io_reason(&e)),
                }
                WalkState::Continue
            })
        });
        drop(tx);
        let mut part = Partial::default();
        for p in rx {
            part.absorb(p);
        }
        let mut result = ScanResult::new(info);
        let cap = self.config.max_file_size();
        let read = |rel: &str| {
            let path = if single_file {
                root.to_owned()
            } else {
                root.join(rel)
            };
            read_capped(&path, cap).ok()
        };
        if self.has_finish(|s| s != FinishScope::None) {
            let facts = Facts {
                all: std::mem::take(&mut part.facts),
            };
            let (out, suppressed) = self.finish_tree(&facts, |_| true, &read);
            part.stats.suppressed_inline += suppressed;
            Self::absorb_finish(&mut part, &mut result, out);
            part.facts = facts.all;
        }
        let mut result = self.complete(result, part, &read, &|_| true);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }
}

impl Scanner {
    /// One file as an editor holds it (`rel` under the worktree `root`, not yet saved), scanned in the context
    /// of the rest of the worktree: `context` is a worktree scan's facts, whose entries for `rel` give way to
    /// the buffer's, so whole-repository analyzers reason about the tree as it would be with the buffer saved.
    /// Only findings that touch `rel` are kept. Never fails: a buffer nobody wants is an empty result.
    pub fn scan_buffer(&self, root: &Path, context: &[Fact], rel: &str, text: &[u8]) -> ScanResult {
        let start = Instant::now();
        let info = self.scan_info(root, ScanMode::Worktree);
        let mut report = self.scan_loaded(rel, text);
        let own = std::mem::take(&mut report.facts);
        let mut part = Partial::default();
        part.merge(report);
        let mut result = ScanResult::new(info);
        let cap = self.config.max_file_size();
        let read = |p: &str| {
            if p == rel {
                Some(text.to_vec())
            } else {
                read_capped(&root.join(p), cap).ok()
            }
        };
        let touches = |f: &Finding| {
            f.location.path == rel || f.related.iter().any(|r| r.location.path == rel)
        };
        if self.has_finish(|s| s != FinishScope::None) {
            let mut all: Vec<Fact> = context.iter().filter(|f| f.path != rel).cloned().collect();
            all.extend(own);
            let facts = Facts { all };
            let (mut out, suppressed) = self.finish_tree(&facts, |_| true, &read);
            out.findings.retain(|f| touches(f));
            part.stats.suppressed_inline += suppressed;
            Self::absorb_finish(&mut part, &mut result, out);
            part.facts = facts.all;
        }
        let mut result = self.complete(result, part, &read, &touches);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        result
    }
}

/// A whole file, when it is at most `cap` bytes (for inline markers of second-phase findings).
fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other("too large"));
    }
    Ok(bytes)
}

/// `/`-separated path relative to the root; non-UTF-8 bytes are shown lossily.
pub(crate) fn relative(root: &Path, path: &Path, single_file: bool) -> String {
    let rel = if single_file {
        Path::new(path.file_name().unwrap_or(path.as_os_str()))
    } else {
        path.strip_prefix(root).unwrap_or(path)
    };
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// The path a walk error is about, and the reason without the path repeated.
fn describe(err: &ignore::Error) -> (Option<std::path::PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), describe(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe(err)
        }
        ignore::Error::Loop { child, ancestor } => (
            Some(child.clone()),
            format!("symbolic link loop back to {}", ancestor.display()),
        ),
        ignore::Error::Io(e) => (None, io_reason(e)),
        other => (None, other.to_string()),
    }
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
