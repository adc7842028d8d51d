//! warden's scan pipeline. Sources (the working tree, the staged index, every blob of the git history) yield
//! files; each file is read once, classified, and handed to every [`Analyzer`] that wants it; findings are
//! filtered (config, inline `warden:ignore`, baseline) and sorted. Analyzers plug in through the trait alone.

mod analyzer;
pub mod baseline;
mod classify;
mod history;
mod pipeline;
mod staged;
pub mod suppress;
mod walk;

pub use analyzer::{Analyzer, Fact, Facts, FileMeta, FileOutput, SourceFile};
pub use classify::{is_binary, BINARY_SNIFF_LEN};
pub use pipeline::{Diagnostic, Progress, ScanError, ScanResult, Scanner, SkipReason, Stats};
