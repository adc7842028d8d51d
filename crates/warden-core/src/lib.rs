//! warden's vocabulary: what a finding, a rule, a location and a scan result are, the contract analyzers
//! implement, how identities are hashed, and the `warden.toml` configuration. No I/O here except reading the
//! config file.

pub mod analyzer;
pub mod config;
pub mod finding;
pub mod hash;
pub mod result;
pub mod rule;
pub mod severity;
pub mod time;

pub use analyzer::{
    is_binary, Analyzer, AnalyzerSetup, Claim, Fact, Facts, FileMeta, FileOutput, FinishOutput,
    FinishScope, Problem, ReadSeek, SourceFile, HEAD_LEN,
};
pub use config::{Config, ConfigError};
pub use finding::{Finding, Location, Provenance, Related, RelatedKind};
pub use hash::{HashKey, KeyError};
pub use result::{
    Asset, AssetKind, BaselineEntry, Component, Diagnostic, Edge, EdgeKind, ScanInfo, ScanMode,
    ScanResult, SkipReason, Stats,
};
pub use rule::{ExampleRule, RuleMeta};
pub use severity::{Confidence, Severity};
