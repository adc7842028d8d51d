//! `warden inventory` and `warden assess`: a scan with every analyzer, rendered as the AI inventory (text,
//! JSON, CycloneDX) or as the ten-question self-assessment (text, JSON).

use crate::{run_scan, write_atomically, ColorChoice, SourceArgs};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use warden_ai::assess::Assessment;
use warden_ai::inventory::{coverage, is_ai_asset};
use warden_core::{Asset, AssetKind, EdgeKind, ScanResult};

/// The version of the inventory JSON document (docs/inventory.md); bumped on any incompatible change.
pub const INVENTORY_VERSION: &str = "1";

#[derive(Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = InventoryFormat::Text)]
    format: InventoryFormat,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Colour in text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Args)]
pub struct AssessArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = AssessFormat::Text)]
    format: AssessFormat,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum InventoryFormat {
    Text,
    Json,
    /// CycloneDX 1.6 AI-BOM: models as machine-learning-model components, data sets as data, with evidence
    Cyclonedx,
}

#[derive(Clone, Copy, ValueEnum)]
enum AssessFormat {
    Text,
    Json,
}

fn emit(
    output: &Option<PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match output {
        Some(path) => write_atomically(path, write),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out)
                .and_then(|_| out.flush())
                .context("writing to stdout")
        }
    }
}

fn exit(result: &ScanResult) -> u8 {
    if result.had_errors() {
        2
    } else {
        0
    }
}

pub fn inventory(args: InventoryArgs) -> Result<u8> {
    let (_, result) = run_scan(&args.source, false)?;
    let notes = coverage(&result);
    let color = args.color.enabled(&args.output);
    match args.format {
        InventoryFormat::Json => {
            let doc = inventory_json(&result, &notes);
            emit(&args.output, |w| {
                serde_json::to_writer_pretty(&mut *w, &doc)?;
                writeln!(w)
            })?;
        }
        InventoryFormat::Cyclonedx => {
            let doc = warden_report::cyclonedx_bom(&result);
            emit(&args.output, |w| {
                serde_json::to_writer_pretty(&mut *w, &doc)?;
                writeln!(w)
            })?;
        }
        InventoryFormat::Text => {
            let text = inventory_text(&result, &notes, color);
            emit(&args.output, |w| w.write_all(text.as_bytes()))?;
        }
    }
    Ok(exit(&result))
}

pub fn assess(args: AssessArgs) -> Result<u8> {
    let (_, result) = run_scan(&args.source, false)?;
    let config = crate::load_config(&args.source)?;
    let answers = match config.section(warden_ai::NAME) {
        Some(s) => s.parse::<warden_ai::Settings>(warden_ai::NAME)?.assess,
        None => Default::default(),
    };
    let a = warden_ai::assess::assess(&result, &answers);
    match args.format {
        AssessFormat::Json => emit(&args.output, |w| {
            serde_json::to_writer_pretty(&mut *w, &a)?;
            writeln!(w)
        })?,
        AssessFormat::Text => {
            let text = assess_text(&a);
            emit(&args.output, |w| w.write_all(text.as_bytes()))?;
        }
    }
    Ok(exit(&result))
}

/// What `warden scan --upload` sends beside the scan: the inventory document (when the scan saw any asset)
/// and the self-assessment (answered from the scan and `[ai.assess]`), as the server keeps them.
pub fn upload_attachments(src: &SourceArgs, r: &ScanResult) -> Result<Vec<(String, Value)>> {
    let config = crate::load_config(src)?;
    let answers = match config.section(warden_ai::NAME) {
        Some(s) => s.parse::<warden_ai::Settings>(warden_ai::NAME)?.assess,
        None => Default::default(),
    };
    let mut out = Vec::new();
    if !r.assets.is_empty() {
        out.push(("inventory".into(), inventory_json(r, &coverage(r))));
    }
    let a = warden_ai::assess::assess(r, &answers);
    out.push(("assessment".into(), serde_json::to_value(&a)?));
    Ok(out)
}

/// The inventory as a JSON document: AI assets and the workloads, accounts and credentials around them,
/// their edges, AI dependencies, the `ai/` findings, and what the scan could not see.
pub fn inventory_json(r: &ScanResult, notes: &[String]) -> Value {
    let ai: Vec<&Asset> = r.assets.iter().filter(|a| is_ai_asset(a)).collect();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_level: BTreeMap<String, usize> = BTreeMap::new();
    for a in &ai {
        *by_kind.entry(kind_name(a)).or_default() += 1;
        if let Some(l) = a.properties["risk"]["level"].as_str() {
            *by_level.entry(l.to_string()).or_default() += 1;
        }
    }
    let assets: Vec<Value> = r
        .assets
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("ai".into(), json!(is_ai_asset(a)));
                if let Some(risk) = a.properties.get("risk") {
                    o.insert("risk".into(), risk.clone());
                }
            }
            v
        })
        .collect();
    json!({
        "inventory_version": INVENTORY_VERSION,
        "scan": r.scan,
        "summary": {
            "ai_assets": ai.len(),
            "by_kind": by_kind,
            "by_level": by_level,
            "edges": r.edges.len(),
            "dependencies": r.components.len(),
        },
        "assets": assets,
        "edges": r.edges,
        "components": r.components,
        "findings": r.findings.iter().filter(|f| f.analyzer() == warden_ai::NAME).collect::<Vec<_>>(),
        "not_seen": notes,
    })
}

fn kind_name(a: &Asset) -> String {
    match a.kind {
        AssetKind::Workload if a.id.starts_with("tf:") => "ai-service".into(),
        AssetKind::Workload => "model-server".into(),
        k => serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

fn paint(color: bool, level: &str, s: &str) -> String {
    if !color {
        return s.to_string();
    }
    let code = match level {
        "critical" => "1;31",
        "high" => "31",
        "medium" => "33",
        _ => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

pub fn inventory_text(r: &ScanResult, notes: &[String], color: bool) -> String {
    let mut ai: Vec<&Asset> = r.assets.iter().filter(|a| is_ai_asset(a)).collect();
    let score = |a: &Asset| a.properties["risk"]["score"].as_u64().unwrap_or(0);
    ai.sort_by(|a, b| {
        score(b)
            .cmp(&score(a))
            .then(kind_name(a).cmp(&kind_name(b)))
            .then(a.name.cmp(&b.name))
    });
    let names: BTreeMap<&str, &str> = r
        .assets
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let mut out = String::new();
    let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &ai {
        *levels
            .entry(a.properties["risk"]["level"].as_str().unwrap_or("low"))
            .or_default() += 1;
    }
    let level_list: Vec<String> = ["critical", "high", "medium", "low"]
        .iter()
        .filter_map(|l| levels.get(l).map(|n| format!("{n} {l}")))
        .collect();
    out.push_str(&format!(
        "AI inventory of {}: {} AI assets ({}), {} edges, {} AI dependencies\n",
        r.scan.target,
        ai.len(),
        if level_list.is_empty() {
            "none".to_string()
        } else {
            level_list.join(", ")
        },
        r.edges.len(),
        r.components.len()
    ));
    for a in &ai {
        let risk = &a.properties["risk"];
        let level = risk["level"].as_str().unwrap_or("low");
        let at = a
            .location
            .as_ref()
            .map(|l| format!("{}:{}", l.path, l.start_line))
            .unwrap_or_default();
        out.push('\n');
        out.push_str(&format!(
            "{} {:>3}  {:<13} {}  {}\n",
            paint(color, level, &format!("{level:<8}")),
            risk["score"].as_u64().unwrap_or(0),
            kind_name(a),
            a.name,
            at
        ));
        let mut facts = Vec::new();
        let p = &a.properties;
        if let Some(m) = p["models"].as_array().filter(|m| !m.is_empty()) {
            facts.push(format!(
                "models: {}",
                m.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(k) = p["key"]["from"].as_str() {
            let vars: Vec<&str> = p["key"]["env"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            facts.push(if vars.is_empty() {
                format!("key: {k}")
            } else {
                format!("key: {k} {}", vars.join("|"))
            });
        }
        if let Some(pin) = p
            .get("pin")
            .filter(|x| x.is_object() && x["how"] != "local")
        {
            facts.push(format!(
                "{}{}",
                if pin["pinned"] == true {
                    "pinned"
                } else {
                    "not pinned"
                },
                pin["revision"]
                    .as_str()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
        if let Some(f) = p["sensitive_fields"].as_array().filter(|f| !f.is_empty()) {
            facts.push(format!(
                "personal fields: {}",
                f.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let uses: Vec<&str> = r
            .edges
            .iter()
            .filter(|e| {
                e.from == a.id
                    && matches!(
                        e.kind,
                        EdgeKind::Uses
                            | EdgeKind::Reads
                            | EdgeKind::AuthenticatesWith
                            | EdgeKind::RunsAs
                            | EdgeKind::Runs
                    )
            })
            .filter_map(|e| names.get(e.to.as_str()).copied())
            .collect();
        if !uses.is_empty() {
            facts.push(format!("uses: {}", uses.join(", ")));
        }
        let runs_in: Vec<&str> = r
            .edges
            .iter()
            .filter(|e| e.to == a.id && e.kind == EdgeKind::Runs)
            .filter_map(|e| names.get(e.from.as_str()).copied())
            .collect();
        if !runs_in.is_empty() {
            facts.push(format!("runs in: {}", runs_in.join(", ")));
        }
        if !facts.is_empty() {
            out.push_str(&format!("              {}\n", facts.join(" · ")));
        }
        for reason in risk["reasons"].as_array().into_iter().flatten() {
            let tags: Vec<&str> = reason["owasp"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(reason["atlas"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            out.push_str(&format!(
                "              {:>+3} {}{}\n",
                reason["points"].as_u64().unwrap_or(0),
                reason["text"].as_str().unwrap_or(""),
                if tags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", tags.join(" "))
                }
            ));
        }
    }
    if !r.components.is_empty() {
        out.push_str("\nAI dependencies:\n");
        for c in &r.components {
            let note = if c.undeclared {
                "  undeclared: imported, but in no dependency manifest"
            } else if c.purl.as_deref().is_some_and(|p| !p.contains('@')) {
                "  not pinned"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} {}  {}{note}\n",
                c.name,
                c.version.as_deref().unwrap_or("(any version)"),
                c.location
                    .as_ref()
                    .map(|l| format!("{}:{}", l.path, l.start_line))
                    .unwrap_or_default(),
            ));
        }
    }
    let ai_findings: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.analyzer() == warden_ai::NAME)
        .collect();
    if !ai_findings.is_empty() {
        out.push_str(&format!(
            "\n{} ai/ findings (also in `warden scan`):\n",
            ai_findings.len()
        ));
        for f in ai_findings {
            out.push_str(&format!(
                "  {} {}:{} {}: {}\n",
                paint(color, f.severity.as_str(), f.severity.as_str()),
                f.location.path,
                f.location.start_line,
                f.rule_id,
                f.message
            ));
        }
    }
    if !notes.is_empty() {
        out.push_str("\nNot seen:\n");
        for n in notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    out
}

pub fn assess_text(a: &Assessment) -> String {
    let mut out = String::new();
    for q in &a.questions {
        out.push_str(&format!(
            "{:>2}. {} {}{}\n",
            q.id,
            q.question,
            q.answer.to_ascii_uppercase(),
            match q.source {
                "warden.toml" => " (from warden.toml)",
                "unanswered" => " (unanswered: counts as no)",
                _ => "",
            }
        ));
        for e in &q.evidence {
            out.push_str(&format!("      - {e}\n"));
        }
        if let Some(f) = q.fix {
            out.push_str(&format!("      fix first: {f}\n"));
        }
    }
    out.push_str(&format!(
        "\nScore: {} (10 points per no or unanswered question): {}\n",
        a.score,
        match a.level {
            "advanced" => "advanced (0-10)",
            "moderate" => "moderate (11-20)",
            _ => "high risk (30 and above)",
        }
    ));
    out
}
