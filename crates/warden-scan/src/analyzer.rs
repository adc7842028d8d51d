use serde::{Deserialize, Serialize};
use warden_core::{Finding, RuleMeta};

/// What an analyzer may look at before deciding to read a file: cheap to build for every file.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Relative to the scanned root, `/`-separated.
    pub path: &'a str,
    pub size: u64,
    /// The first bytes of the file (up to 8 KiB).
    pub head: &'a [u8],
}

impl FileMeta<'_> {
    /// The file name's extension, lowercased, without the dot.
    pub fn extension(&self) -> Option<String> {
        let name = self.path.rsplit('/').next().unwrap_or(self.path);
        name.rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(_, e)| e.to_ascii_lowercase())
    }

    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// A file's whole contents, read once and shared by every analyzer.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    pub meta: FileMeta<'a>,
    pub bytes: &'a [u8],
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

/// Every fact of a scan, handed to each analyzer's [`Analyzer::finish`].
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
    pub problems: Vec<String>,
}

/// A checker that reads files and reports findings. Two phases: [`Analyzer::analyze`] runs per file, in
/// parallel, and may publish [`Fact`]s; [`Analyzer::finish`] runs once after every file, over all facts.
pub trait Analyzer: Send + Sync {
    /// Short name, also the prefix of its rule ids (`secrets`).
    fn name(&self) -> &'static str;
    /// Every rule this analyzer can report, for `warden rules`, `warden explain` and SARIF.
    fn rules(&self) -> &[RuleMeta];
    /// Whether it wants this file; decided from path, size and first bytes only.
    fn wants(&self, file: &FileMeta) -> bool;
    /// Per file: findings that need only this file, plus facts for the second phase.
    fn analyze(&self, file: &SourceFile, out: &mut FileOutput);
    /// Once, after every file: findings that need the whole repository.
    fn finish(&self, _facts: &Facts, _out: &mut Vec<Finding>) {}
}
