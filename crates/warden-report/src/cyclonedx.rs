//! CycloneDX 1.6 (JSON) from a scan's inventory: each asset and dependency component becomes a component
//! (models as `machine-learning-model`, data sets and vector stores as `data`, workloads as `container`), with
//! the places that showed it as `evidence.occurrences`, and the inventory's edges as `dependencies`. Written by
//! hand: the `cyclonedx-bom` crate stops at spec 1.5, and the types needed here are few. Tests validate the
//! output against the official 1.6 JSON schema.

use crate::{Report, Reporter};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use warden_core::{Asset, AssetKind, Component, ScanResult};

pub struct CycloneDxReporter;

impl Reporter for CycloneDxReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let doc = bom(report.result);
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

/// The component type CycloneDX gives an asset of this kind.
fn component_type(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Model => "machine-learning-model",
        AssetKind::Dataset | AssetKind::VectorStore => "data",
        AssetKind::Workload => "container",
        AssetKind::LlmClient | AssetKind::Tool => "library",
        AssetKind::Agent | AssetKind::McpServer => "application",
        AssetKind::ServiceAccount | AssetKind::Credential => "data",
    }
}

fn kind_name(kind: AssetKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `warden:<key>` properties from an asset's details: scalars as they are, anything else as JSON.
fn properties(kind: AssetKind, details: &Value) -> Vec<Value> {
    let mut props = vec![json!({"name": "warden:kind", "value": kind_name(kind)})];
    if let Value::Object(map) = details {
        for (k, v) in map {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            props.push(json!({"name": format!("warden:{k}"), "value": value}));
        }
    }
    props
}

fn occurrence(path: &str, line: u32) -> Value {
    let mut o = Map::new();
    o.insert("location".into(), json!(path));
    if line > 0 {
        o.insert("line".into(), json!(line));
    }
    Value::Object(o)
}

fn asset_component(a: &Asset) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(component_type(a.kind)));
    c.insert("bom-ref".into(), json!(a.id));
    c.insert("name".into(), json!(a.name));
    c.insert(
        "properties".into(),
        Value::Array(properties(a.kind, &a.properties)),
    );
    if let Some(loc) = &a.location {
        c.insert(
            "evidence".into(),
            json!({"occurrences": [occurrence(&loc.path, loc.start_line)]}),
        );
    }
    Value::Object(c)
}

fn dependency_component(d: &Component, bom_ref: &str) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(d.kind));
    c.insert("bom-ref".into(), json!(bom_ref));
    c.insert("name".into(), json!(d.name));
    if let Some(v) = &d.version {
        c.insert("version".into(), json!(v));
    }
    if let Some(p) = &d.purl {
        c.insert("purl".into(), json!(p));
    }
    if let Some(loc) = &d.location {
        c.insert(
            "evidence".into(),
            json!({"occurrences": [occurrence(&loc.path, loc.start_line)]}),
        );
    }
    Value::Object(c)
}

/// A UUID (RFC 4122 form, version 4 bits set) derived from what identifies the scan, so one scan's BOM has one
/// serial number.
fn serial(res: &ScanResult) -> String {
    let h = Sha256::digest(format!(
        "{}|{}|{}",
        res.scan.target, res.scan.started_at, res.scan.rules_version
    ));
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// The BOM of one scan result.
pub fn bom(res: &ScanResult) -> Value {
    let mut components = Vec::new();
    let mut refs = BTreeSet::new();
    for a in &res.assets {
        if refs.insert(a.id.clone()) {
            components.push(asset_component(a));
        }
    }
    for d in &res.components {
        // A package's purl identifies it; without one, its kind, name and version do.
        let bom_ref = d.purl.clone().unwrap_or_else(|| {
            format!(
                "{}:{}@{}",
                d.kind,
                d.name,
                d.version.as_deref().unwrap_or("")
            )
        });
        if refs.insert(bom_ref.clone()) {
            components.push(dependency_component(d, &bom_ref));
        }
    }
    let mut depends: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &res.edges {
        if refs.contains(&e.from) && refs.contains(&e.to) {
            depends.entry(&e.from).or_default().insert(&e.to);
        }
    }
    let dependencies: Vec<Value> = depends
        .into_iter()
        .map(|(from, to)| json!({"ref": from, "dependsOn": to.into_iter().collect::<Vec<_>>()}))
        .collect();
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(res),
        "version": 1,
        "metadata": {
            "timestamp": res.scan.started_at,
            "tools": {"components": [{
                "type": "application",
                "name": res.scan.tool,
                "version": res.scan.tool_version,
            }]},
            "component": {"type": "application", "bom-ref": "warden:target", "name": res.scan.target},
        },
        "components": components,
    });
    if !dependencies.is_empty() {
        doc["dependencies"] = Value::Array(dependencies);
    }
    doc
}
