//! warden's scan pipeline. Sources (the working tree, the staged index, every blob of the git history) yield
//! files; each file is stat'ed and sniffed, claimed by the analyzers that want it, read at most once, and
//! analysed; findings are filtered (config, inline `warden:ignore`), fingerprinted and sorted; each tree's facts
//! go to the analyzers' second phase. Analyzers plug in through `warden_core::Analyzer` alone.

pub mod baseline;
pub mod blame;
mod correlate;
mod diff;
mod fact_cache;
mod history;
mod history_cache;
mod image;
pub mod key;
mod pipeline;
mod staged;
pub mod suppress;
mod walk;

pub use diff::DiffRange;
pub use history::{head_of, normalise_remote, repository_identity};
pub use pipeline::{Progress, ScanError, Scanner};
