use crate::{Report, Reporter};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use warden_core::Finding;
use warden_scan::baseline::BaselineEntry;
use warden_scan::{Diagnostic, Stats};

/// Bumped on any incompatible change to the document (docs/report-json.md, docs/schemas/report-v1.schema.json).
pub const JSON_REPORT_VERSION: u32 = 1;

pub struct JsonReporter;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool<'a>,
    scan: Scan<'a>,
    summary: Summary<'a>,
    findings: &'a [Finding],
    diagnostics: &'a [Diagnostic],
    stale_baseline: &'a [BaselineEntry],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Scan<'a> {
    target: &'a str,
    mode: crate::ScanMode,
}

#[derive(Serialize)]
struct Summary<'a> {
    findings: usize,
    by_severity: BTreeMap<&'static str, usize>,
    suppressed_baseline: usize,
    #[serde(flatten)]
    stats: &'a Stats,
}

impl Reporter for JsonReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut by_severity = BTreeMap::new();
        for f in &r.result.findings {
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
        let doc = Document {
            version: JSON_REPORT_VERSION,
            tool: Tool {
                name: "warden",
                version: r.tool_version,
            },
            scan: Scan {
                target: r.target,
                mode: r.mode,
            },
            summary: Summary {
                findings: r.result.findings.len(),
                by_severity,
                suppressed_baseline: r.baseline_suppressed,
                stats: &r.result.stats,
            },
            findings: &r.result.findings,
            diagnostics: &r.result.diagnostics,
            stale_baseline: r.stale_baseline,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
