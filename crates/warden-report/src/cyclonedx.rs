//! CycloneDX 1.6 (JSON) from a scan's inventory: each asset and dependency component becomes a component
//! (models as `machine-learning-model` with the model-card fields known, data sets and vector stores as `data`
//! with their personal fields as `sensitiveData`, workloads as `container`), LLM provider APIs and remote MCP
//! servers as `services`, with the places that showed each as `evidence.occurrences`, and the inventory's edges
//! as `dependencies`. Written by
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

/// Every place that showed an asset: its `occurrences` property where the analyzer lists several, else its
/// location.
fn occurrences(a: &Asset) -> Vec<Value> {
    let listed: Vec<Value> = a.properties["occurrences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            let path = o["path"].as_str()?;
            Some(occurrence(path, o["line"].as_u64().unwrap_or(0) as u32))
        })
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    a.location
        .iter()
        .map(|l| occurrence(&l.path, l.start_line))
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// An asset that is reached over the network rather than shipped: an LLM provider's API that a client calls,
/// a remote MCP server. CycloneDX lists these as `services`.
fn is_service(a: &Asset) -> bool {
    a.kind == AssetKind::LlmClient
        || (a.kind == AssetKind::McpServer && a.properties["transport"] == "remote")
}

/// Where a provider's API lives, for the services of LLM clients.
fn provider_endpoint(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "OpenAI" => "https://api.openai.com/v1",
        "Anthropic" => "https://api.anthropic.com",
        "Google GenAI" => "https://generativelanguage.googleapis.com",
        "Cohere" => "https://api.cohere.com",
        "Mistral" => "https://api.mistral.ai",
        "Groq" => "https://api.groq.com",
        "Together" => "https://api.together.xyz",
        "Hugging Face Inference" => "https://api-inference.huggingface.co",
        _ => return None,
    })
}

fn service(a: &Asset) -> Value {
    let p = &a.properties;
    let mut s = Map::new();
    s.insert("bom-ref".into(), json!(a.id));
    s.insert("name".into(), json!(a.name));
    if let Some(provider) = p["provider"].as_str() {
        s.insert("provider".into(), json!({"name": provider}));
        if let Some(url) = provider_endpoint(provider) {
            s.insert("endpoints".into(), json!([url]));
        }
    }
    if let Some(url) = p["url"].as_str() {
        s.insert("endpoints".into(), json!([url]));
    }
    let models = strings(&p["models"]);
    if !models.is_empty() {
        s.insert(
            "description".into(),
            json!(format!("models: {}", models.join(", "))),
        );
    }
    if a.kind == AssetKind::LlmClient {
        // A provider's API is called with a key and leaves the organisation's boundary.
        s.insert("authenticated".into(), json!(p["key"]["from"] != "none"));
        s.insert("x-trust-boundary".into(), json!(true));
    }
    s.insert(
        "properties".into(),
        Value::Array(properties(a.kind, &a.properties)),
    );
    Value::Object(s)
}

fn asset_component(a: &Asset, reads: &[&str]) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(component_type(a.kind)));
    c.insert("bom-ref".into(), json!(a.id));
    c.insert("name".into(), json!(a.name));
    let p = &a.properties;
    if let Some(provider) = p["provider"].as_str() {
        c.insert("publisher".into(), json!(provider));
    }
    if a.kind == AssetKind::Model {
        // The model card fields the inventory knows: the task, and the data sets the model reads.
        let mut params = Map::new();
        if let Some(task) = p["task"].as_str() {
            params.insert("task".into(), json!(task));
        }
        if let Some(format) = p["format"].as_str() {
            params.insert("modelArchitecture".into(), json!(format));
        }
        if !reads.is_empty() {
            params.insert(
                "datasets".into(),
                Value::Array(reads.iter().map(|r| json!({"ref": r})).collect()),
            );
        }
        if !params.is_empty() {
            c.insert("modelCard".into(), json!({"modelParameters": params}));
        }
    }
    if matches!(a.kind, AssetKind::Dataset | AssetKind::VectorStore) {
        let mut d = Map::new();
        d.insert("type".into(), json!("dataset"));
        d.insert("name".into(), json!(a.name));
        let sensitive = strings(&p["sensitive_fields"]);
        if !sensitive.is_empty() {
            d.insert("sensitiveData".into(), json!(sensitive));
            d.insert("classification".into(), json!("personal data"));
        }
        c.insert("data".into(), json!([d]));
    }
    c.insert(
        "properties".into(),
        Value::Array(properties(a.kind, &a.properties)),
    );
    let occ = occurrences(a);
    if !occ.is_empty() {
        c.insert("evidence".into(), json!({"occurrences": occ}));
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
    if d.undeclared {
        c.insert(
            "properties".into(),
            json!([{"name": "warden:undeclared", "value": "true"}]),
        );
    }
    Value::Object(c)
}

/// A UUID (RFC 4122 form, version 4 bits set) derived from `seed`: documents about one scan get stable serial
/// numbers and namespaces, distinct across scans.
pub fn uuid_from(seed: &str) -> String {
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// The BOM's serial number: one per scan.
fn serial(res: &ScanResult) -> String {
    format!(
        "urn:uuid:{}",
        uuid_from(&format!(
            "{}|{}|{}",
            res.scan.target, res.scan.started_at, res.scan.rules_version
        ))
    )
}

/// The BOM of one scan result.
pub fn bom(res: &ScanResult) -> Value {
    let mut components = Vec::new();
    let mut services = Vec::new();
    let mut refs = BTreeSet::new();
    for a in &res.assets {
        if !refs.insert(a.id.clone()) {
            continue;
        }
        if is_service(a) {
            services.push(service(a));
            continue;
        }
        let reads: Vec<&str> = res
            .edges
            .iter()
            .filter(|e| e.from == a.id && e.kind == warden_core::EdgeKind::Reads)
            .map(|e| e.to.as_str())
            .collect();
        components.push(asset_component(a, &reads));
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
    if !services.is_empty() {
        doc["services"] = Value::Array(services);
    }
    if !dependencies.is_empty() {
        doc["dependencies"] = Value::Array(dependencies);
    }
    doc
}
