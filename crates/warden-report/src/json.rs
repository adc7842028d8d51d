use crate::{Report, Reporter};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use warden_core::{
    Asset, BaselineEntry, Component, Diagnostic, Edge, Finding, ScanInfo, ScanResult, Severity,
    Stats,
};

/// Bumped on any incompatible change to the document (docs/report-json.md, docs/schemas/report-v2.schema.json).
pub const JSON_REPORT_VERSION: u32 = 2;

pub struct JsonReporter;

/// The JSON report document (version 2): what `--format json` writes and what a store or server reads back
/// (`serde_json::from_slice::<ReportDocument>`). Borrows a [`ScanResult`] when writing, owns its data when read.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportDocument<'a> {
    pub version: u32,
    pub scan: Cow<'a, ScanInfo>,
    pub summary: Summary,
    pub findings: Cow<'a, [Finding]>,
    pub diagnostics: Cow<'a, [Diagnostic]>,
    pub assets: Cow<'a, [Asset]>,
    pub edges: Cow<'a, [Edge]>,
    pub components: Cow<'a, [Component]>,
    pub stale_baseline: Cow<'a, [BaselineEntry]>,
}

/// Counts for the whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub findings: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    #[serde(flatten)]
    pub stats: Stats,
}

impl<'a> ReportDocument<'a> {
    pub fn of(res: &'a ScanResult) -> Self {
        let mut by_severity = BTreeMap::new();
        for f in &res.findings {
            *by_severity.entry(f.severity).or_default() += 1;
        }
        ReportDocument {
            version: JSON_REPORT_VERSION,
            scan: Cow::Borrowed(&res.scan),
            summary: Summary {
                findings: res.findings.len(),
                by_severity,
                stats: res.stats.clone(),
            },
            findings: Cow::Borrowed(&res.findings),
            diagnostics: Cow::Borrowed(&res.diagnostics),
            assets: Cow::Borrowed(&res.assets),
            edges: Cow::Borrowed(&res.edges),
            components: Cow::Borrowed(&res.components),
            stale_baseline: Cow::Borrowed(&res.stale_baseline),
        }
    }
}

impl Reporter for JsonReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &ReportDocument::of(r.result))?;
        writeln!(out)
    }
}
