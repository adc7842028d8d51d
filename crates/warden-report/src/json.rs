use crate::{Report, Reporter};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use warden_core::{Asset, BaselineEntry, Component, Diagnostic, Edge, Finding, ScanInfo, Stats};

/// Bumped on any incompatible change to the document (docs/report-json.md, docs/schemas/report-v2.schema.json).
pub const JSON_REPORT_VERSION: u32 = 2;

pub struct JsonReporter;

/// The JSON report document (version 2).
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    scan: &'a ScanInfo,
    summary: Summary<'a>,
    findings: &'a [Finding],
    diagnostics: &'a [Diagnostic],
    assets: &'a [Asset],
    edges: &'a [Edge],
    components: &'a [Component],
    stale_baseline: &'a [BaselineEntry],
}

#[derive(Serialize)]
struct Summary<'a> {
    findings: usize,
    by_severity: BTreeMap<&'static str, usize>,
    #[serde(flatten)]
    stats: &'a Stats,
}

impl Reporter for JsonReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let res = r.result;
        let mut by_severity = BTreeMap::new();
        for f in &res.findings {
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
        let doc = Document {
            version: JSON_REPORT_VERSION,
            scan: &res.scan,
            summary: Summary {
                findings: res.findings.len(),
                by_severity,
                stats: &res.stats,
            },
            findings: &res.findings,
            diagnostics: &res.diagnostics,
            assets: &res.assets,
            edges: &res.edges,
            components: &res.components,
            stale_baseline: &res.stale_baseline,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
