//! The contract between the scan pipeline and the analyzers that plug into it. An analyzer crate depends on
//! this module and nothing below it: it never sees the walker, git, or the reporters.

use crate::{Asset, Component, Config, Edge, Finding, HashKey, RuleMeta, ScanResult};
use serde::{Deserialize, Serialize};
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::io::{self, Read, Seek};
use std::rc::Rc;

/// What an analyzer may look at before deciding how to read a file: cheap to build for every file (a stat and
/// the first 8 KiB).
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Relative to the scanned root, `/`-separated.
    pub path: &'a str,
    pub size: u64,
    /// The first bytes of the file (up to [`HEAD_LEN`]).
    pub head: &'a [u8],
    /// Whether the head holds a NUL byte (the heuristic of git and ripgrep).
    pub binary: bool,
}

/// How many leading bytes [`FileMeta::head`] holds and the binary sniff looks at.
pub const HEAD_LEN: usize = 8 * 1024;

/// A file is binary when its first 8 KiB hold a NUL byte.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(HEAD_LEN)]).is_some()
}

impl FileMeta<'_> {
    /// The file name's extension, lowercased, without the dot.
    pub fn extension(&self) -> Option<String> {
        let name = self.file_name();
        name.rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(_, e)| e.to_ascii_lowercase())
    }

    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// How an analyzer wants a file, decided from its [`FileMeta`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not at all.
    Skip,
    /// As text: only when the file is not binary and within the scan's size cap (`max_file_size`); then
    /// [`SourceFile::bytes`] holds the whole file.
    Text,
    /// Whole, binary or not, when it is at most `max` bytes; then [`SourceFile::bytes`] holds it.
    Bytes { max: u64 },
    /// Any size, read through [`SourceFile::open`] (a seekable stream over the file); memory stays bounded.
    Stream,
}

/// A seekable byte stream.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Opens a stream over a file that is not held in memory.
pub type Opener<'a> = &'a dyn Fn() -> io::Result<Box<dyn ReadSeek>>;

/// One file as every analyzer that claimed it sees it: read at most once, with a per-file cache so a parse is
/// built once and shared.
pub struct SourceFile<'a> {
    pub meta: FileMeta<'a>,
    bytes: Option<&'a [u8]>,
    opener: Option<Opener<'a>>,
    cache: RefCell<Vec<(TypeId, Rc<dyn Any>)>>,
}

impl<'a> SourceFile<'a> {
    /// A file held in memory.
    pub fn in_memory(meta: FileMeta<'a>, bytes: &'a [u8]) -> Self {
        SourceFile {
            meta,
            bytes: Some(bytes),
            opener: None,
            cache: RefCell::default(),
        }
    }

    /// A file read as a stream only.
    pub fn streamed(meta: FileMeta<'a>, opener: Opener<'a>) -> Self {
        SourceFile {
            meta,
            bytes: None,
            opener: Some(opener),
            cache: RefCell::default(),
        }
    }

    /// The whole file, for analyzers that claimed [`Claim::Text`] or [`Claim::Bytes`] (always there for them).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes.unwrap_or_default()
    }

    /// Whether the whole file is in memory.
    pub fn in_memory_bytes(&self) -> Option<&'a [u8]> {
        self.bytes
    }

    /// A seekable stream from the start of the file (over the bytes in memory when they are there).
    pub fn open(&self) -> io::Result<Box<dyn ReadSeek + 'a>> {
        match (self.bytes, self.opener) {
            (Some(b), _) => Ok(Box::new(io::Cursor::new(b))),
            (None, Some(open)) => open().map(|r| r as Box<dyn ReadSeek + 'a>),
            (None, None) => Err(io::Error::other("file has no content")),
        }
    }

    /// Per-file shared work: the value of type `T` built by the first analyzer that asks, shared by every
    /// later one (a tree-sitter tree, a parsed YAML document). One value per type.
    pub fn cached<T: Any>(&self, init: impl FnOnce(&Self) -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        if let Some(v) = self.lookup::<T>(id) {
            return v;
        }
        // Built outside the borrow: `init` may itself ask for other cached values.
        let value: Rc<T> = Rc::new(init(self));
        if let Some(v) = self.lookup::<T>(id) {
            return v;
        }
        self.cache
            .borrow_mut()
            .push((id, value.clone() as Rc<dyn Any>));
        value
    }

    fn lookup<T: Any>(&self, id: TypeId) -> Option<Rc<T>> {
        let cache = self.cache.borrow();
        let (_, v) = cache.iter().find(|(t, _)| *t == id)?;
        v.clone().downcast::<T>().ok()
    }
}

/// A fact one analyzer learned from one file, for whole-repository reasoning after the scan (a workload is
/// public; this module imports openai; this file holds a pickle). Small, owned and serialisable.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fact {
    /// Which analyzer published it.
    pub analyzer: String,
    /// What it says, e.g. `k8s/workload`, `py/import`.
    pub kind: String,
    pub path: String,
    pub data: serde_json::Value,
}

/// The facts of one tree, handed to each analyzer's [`Analyzer::finish`].
#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub all: Vec<Fact>,
}

impl Facts {
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
        self.all.iter().filter(move |f| f.kind == kind)
    }
}

/// What the per-file phase of an analyzer produces.
#[derive(Debug, Default)]
pub struct FileOutput {
    pub findings: Vec<Finding>,
    pub facts: Vec<Fact>,
    /// Problems with this file that the user should know about (a parse error), as human-readable reasons.
    /// They make the run's report incomplete (exit code 2).
    pub problems: Vec<String>,
    /// Where the analysis of this file was cut short on purpose (a per-file budget, a nesting limit): listed
    /// as `partial` diagnostics, without failing the run.
    pub partial: Vec<String>,
}

/// A problem the second phase found with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// What the whole-repository phase of an analyzer produces.
#[derive(Debug, Default)]
pub struct FinishOutput {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub assets: Vec<Asset>,
    pub edges: Vec<Edge>,
    pub components: Vec<Component>,
}

/// Whether an analyzer has a second phase, and which trees of a history scan it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FinishScope {
    /// No second phase: [`Analyzer::finish`] is never called.
    #[default]
    None,
    /// The tree the scan is about: the working tree, the index (`--staged`: every indexed file contributes
    /// facts, changed or not), or HEAD's tree in a history scan.
    Head,
    /// As `Head`, and in a history scan every commit's tree, oldest first; a finding is attributed to the first
    /// commit whose tree produced it.
    EachCommit,
}
/// What every analyzer is built from.
pub struct AnalyzerSetup<'a> {
    pub config: &'a Config,
    /// The key for secret hashes (fingerprints are the pipeline's).
    pub hash_key: &'a HashKey,
    /// `--show-secrets`: print sensitive matches whole instead of redacted.
    pub reveal: bool,
    /// The directory on disk the scan reads, for a working-tree scan of a directory; `None` for staged and
    /// history scans (whose files live in git objects) and for rule listings. Analyzers that must look at
    /// the tree as files (a model signature covers a whole directory) use it in [`Analyzer::finish`].
    pub worktree: Option<&'a std::path::Path>,
    /// `--validate`: analyzers that can ask a provider whether a credential works may do so (opt-in: it sends
    /// the credential to the provider's fixed endpoint).
    pub validate: bool,
    /// `--vulndb`: the offline vulnerability database dependency versions are matched against.
    pub vulndb: Option<&'a std::path::Path>,
}

/// A checker that reads files and reports findings. Two phases: [`Analyzer::analyze`] runs per file, in
/// parallel, and may publish [`Fact`]s; [`Analyzer::finish`] runs once per tree, over that tree's facts.
pub trait Analyzer: Send + Sync {
    /// Short name, also the prefix of its rule ids and the name `--only`/`--skip` and `warden.toml` use.
    fn name(&self) -> &'static str;
    /// Every rule this analyzer can report, for `warden rules`, `warden explain` and SARIF.
    fn rules(&self) -> &[RuleMeta];
    /// What its rules match beyond their metadata (patterns, keywords), as bytes for the scan's
    /// `rules_version` digest: two runs with equal digests ran the same checks.
    fn rules_digest_input(&self) -> Vec<u8> {
        Vec::new()
    }
    /// Whether and how it wants this file; decided from path, size and first bytes only.
    fn claim(&self, file: &FileMeta) -> Claim;
    /// Per file: findings that need only this file, plus facts for the second phase.
    fn analyze(&self, file: &SourceFile, out: &mut FileOutput);
    /// Whether the per-file phase may publish facts (read by second and third phases). A source that needs only
    /// a file's facts — an unchanged file of `--diff` or `--staged`, a renamed blob in a history scan — skips
    /// the analyzers that publish none. `true` unless overridden.
    fn publishes_facts(&self) -> bool {
        true
    }
    /// Whether there is a second phase and which trees it sees; [`FinishScope::None`] unless overridden.
    fn finish_scope(&self) -> FinishScope {
        FinishScope::None
    }
    /// Once per tree, after every file: findings and inventory that need the whole repository.
    fn finish(&self, _facts: &Facts) -> FinishOutput {
        FinishOutput::default()
    }
    /// The third, cross-domain phase: once per scan, after every analyzer's second phase, over the merged
    /// result (every analyzer's findings, assets, edges, and the facts of the tree the scan is about). It reads
    /// other analyzers' output only through that vocabulary, never their types. It may add context to existing
    /// findings (related locations, linked asset ids, tags) but never drops one; what it returns is merged
    /// like a second phase's output (config applied, inline markers honoured, fingerprints set).
    fn correlate(&self, _result: &mut ScanResult) -> FinishOutput {
        FinishOutput::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(head: &[u8]) -> FileMeta<'_> {
        FileMeta {
            path: "dir/app.PY",
            size: head.len() as u64,
            head,
            binary: is_binary(head),
        }
    }

    #[test]
    fn nul_means_binary() {
        assert!(is_binary(b"PK\x03\x04\x00\x00"));
        assert!(!is_binary("caf\u{e9} \u{1F512}".as_bytes()));
        assert!(!is_binary(b"\xff\xfe invalid utf-8 is still text"));
        let mut late = vec![b'a'; HEAD_LEN];
        late.push(0);
        assert!(!is_binary(&late));
    }

    #[test]
    fn the_cache_builds_each_value_once_and_allows_nesting() {
        let bytes = b"print(1)\n";
        let file = SourceFile::in_memory(meta(bytes), bytes);
        struct Lines(usize);
        struct Parse(usize);
        let built = std::cell::Cell::new(0);
        let a = file.cached(|f| {
            built.set(built.get() + 1);
            // Nested: a parse built from another cached value.
            let lines = f.cached(|f| Lines(f.bytes().split(|b| *b == b'\n').count()));
            Parse(lines.0 * 10)
        });
        let b = file.cached::<Parse>(|_| unreachable!("cached already"));
        let l = file.cached::<Lines>(|_| unreachable!("cached already"));
        assert_eq!((a.0, b.0, l.0, built.get()), (20, 20, 2, 1));
        assert_eq!(meta(bytes).extension().as_deref(), Some("py"));
    }

    #[test]
    fn streams_read_memory_or_the_opener() {
        let bytes = b"abc";
        let file = SourceFile::in_memory(meta(bytes), bytes);
        let mut s = String::new();
        file.open().unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "abc");
        let open = || Ok(Box::new(io::Cursor::new(b"xyz".to_vec())) as Box<dyn ReadSeek>);
        let file = SourceFile::streamed(meta(b""), &open);
        let mut s = String::new();
        file.open().unwrap().read_to_string(&mut s).unwrap();
        assert_eq!((s.as_str(), file.bytes()), ("xyz", &b""[..]));
    }
}
