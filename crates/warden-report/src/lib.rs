//! warden's reports: what the user reads (text, and one HTML page whose templates the server reuses), what
//! programs read (json, versioned), what code scanning platforms read (SARIF 2.1.0), and an inventory as
//! CycloneDX 1.6. A [`Reporter`] turns one [`Report`] into bytes, nothing more: it sees the scan's result and
//! rules, never the pipeline or the analyzers.

mod cyclonedx;
mod gitlab;
pub mod html;
mod json;
mod sarif;
mod text;

pub use cyclonedx::{bom as cyclonedx_bom, uuid_from, CycloneDxReporter};
pub use gitlab::{GitlabSastReporter, GitlabSecretsReporter, GITLAB_SCHEMA_VERSION};
pub use html::HtmlReporter;
pub use json::{JsonReporter, ReportDocument, Summary, JSON_REPORT_VERSION};
pub use sarif::SarifReporter;
pub use text::TextReporter;

use std::io::{self, Write};
use warden_core::{RuleMeta, ScanResult};

/// Everything a reporter may show about one scan.
pub struct Report<'a> {
    pub result: &'a ScanResult,
    /// Every rule that could have reported in this run (SARIF `tool.driver.rules`).
    pub rules: &'a [&'a RuleMeta],
}

pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}
