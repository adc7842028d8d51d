//! warden's reports: what the user reads (text), what programs read (json, versioned), and what code
//! scanning platforms read (SARIF 2.1.0). A [`Reporter`] turns one [`Report`] into bytes, nothing more.

mod json;
mod sarif;
mod text;
mod time;

pub use json::{JsonReporter, JSON_REPORT_VERSION};
pub use sarif::SarifReporter;
pub use text::TextReporter;

use std::io::{self, Write};
use warden_core::RuleMeta;
use warden_scan::baseline::BaselineEntry;
use warden_scan::ScanResult;

/// Which source a scan read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanMode {
    Worktree,
    Staged,
    History,
}

/// Everything a reporter may show about one scan.
pub struct Report<'a> {
    pub tool_version: &'a str,
    /// The path the user asked to scan, as given.
    pub target: &'a str,
    pub mode: ScanMode,
    pub result: &'a ScanResult,
    /// Every rule that could have reported (for SARIF `tool.driver.rules`).
    pub rules: &'a [&'a RuleMeta],
    /// Findings dropped because a baseline knew them.
    pub baseline_suppressed: usize,
    /// Baseline entries that matched nothing.
    pub stale_baseline: &'a [BaselineEntry],
}

pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}
