//! What the per-file phase saw: AI assets sighted in one file, published as one `ai/file` fact per file and
//! joined across files (and with other analyzers' output) in the cross-domain phase.

use crate::python::describe_uri;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One AI asset as one file shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sighting {
    /// `llm-client`, `model`, `model-file`, `agent`, `tool`, `vector-store`, `dataset`, `mcp-server`,
    /// `ai-service` (Terraform).
    pub kind: String,
    pub name: String,
    pub line: u32,
    pub end_line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// Model names an LLM client is called with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeySource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    /// Tools: what they let a model do (`shell`, `python`, `code-exec`, `file-write`, `file-read`, `http`,
    /// `sql`, `mcp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Vector-store indexes or collections, database names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<String>,
    /// Columns read (a table) or metadata keys written (a vector store).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Where the input of an LLM call or agent run comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Input>,
    /// Other sightings of the same file this one is given (an agent's tools and model), by index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<usize>,
    /// Other sightings of the same file whose data flows into this one (a vector store fed from a table).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<usize>,
    /// A model file's path, a database's address (without credentials), a bucket path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub embeddings: bool,
    /// Kind-specific details (MCP server command and transport, Terraform resource type, …).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Where a client's key comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeySource {
    /// `env`, `hard-coded`, `secret-manager`, `sdk-default` (the SDK reads its variable), `code` (an
    /// expression warden does not follow), `cloud-identity` (AWS/GCP credentials chain).
    pub from: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    pub line: u32,
}

/// Whether a third-party model is pinned to an immutable revision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pin {
    pub pinned: bool,
    /// The revision, tag or digest given, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Why: `commit`, `digest`, `mutable-ref`, `none`, `local`.
    pub how: String,
}

/// An input that reaches a prompt or an agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// `http-request` (a parameter of a web route handler) or `parameter` (of a plain function).
    pub source: String,
    pub name: String,
    pub function: String,
    pub line: u32,
}

/// An environment variable the file reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvRead {
    pub name: String,
    pub line: u32,
}

/// A package a dependency manifest declares.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    /// `pypi`, `npm`, `golang`.
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Pinned to one exact version.
    pub pinned: bool,
    pub line: u32,
}

/// Everything the per-file phase publishes about one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sightings: Vec<Sighting>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvRead>,
    /// AI packages of a dependency manifest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Top-level modules of AI libraries the file imports (Python), for dependencies no manifest declares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<EnvRead>,
    /// The file is a build manifest (Dockerfile, requirements, pyproject, package.json, go.mod): its directory
    /// is a service's root.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manifest: bool,
}

impl FileFacts {
    pub fn is_empty(&self) -> bool {
        self.sightings.is_empty()
            && self.dependencies.is_empty()
            && self.imports.is_empty()
            && !self.manifest
    }
}

/// The data sets a code file's strings name, once its AI assets are known: tables of its SQL (with the columns
/// read), databases and buckets of its URIs; and the flows between them: a vector store written in the file
/// reads the file's tables, a table reads from the file's one database, an SQL tool or agent reaches the
/// file's databases. Shared by the Python and JavaScript readers.
pub fn add_data_sets(facts: &mut FileFacts, sql: Vec<(String, u32)>, uris: Vec<(String, u32)>) {
    let mut table_idx = Vec::new();
    for (sql, line) in sql {
        let Some(q) = crate::sql::parse(&sql) else {
            continue;
        };
        let columns = q.columns;
        for table in q.tables {
            if let Some(i) = facts.sightings.iter().position(|s| {
                s.kind == "dataset" && s.provider.as_deref() == Some("table") && s.name == table
            }) {
                let s = &mut facts.sightings[i];
                for c in &columns {
                    if !s.fields.contains(c) {
                        s.fields.push(c.clone());
                    }
                }
                continue;
            }
            table_idx.push(facts.sightings.len());
            facts.sightings.push(Sighting {
                kind: "dataset".into(),
                provider: Some("table".into()),
                name: table,
                line,
                end_line: line,
                fields: columns.clone(),
                ..Default::default()
            });
        }
    }
    let databases: Vec<String> = facts
        .sightings
        .iter()
        .filter(|s| s.kind == "dataset" && s.provider.as_deref() == Some("database"))
        .map(|s| s.name.clone())
        .collect();
    if let [db] = databases.as_slice() {
        for &t in &table_idx {
            facts.sightings[t]
                .extra
                .insert("database".into(), db.clone().into());
        }
    }
    for (uri, line) in uris {
        let Some((name, target)) = describe_uri(&uri) else {
            continue;
        };
        if facts
            .sightings
            .iter()
            .any(|s| s.target.as_deref() == Some(target.as_str()))
        {
            continue;
        }
        let bucket = ["s3", "gs", "ab", "az"]
            .iter()
            .any(|p| target.starts_with(p));
        facts.sightings.push(Sighting {
            kind: "dataset".into(),
            provider: Some(if bucket { "bucket" } else { "database" }.into()),
            name,
            line,
            end_line: line,
            target: Some(target),
            ..Default::default()
        });
    }
    // Data flows: a vector store written in this file reads the tables this file queries; an SQL tool
    // reaches the databases its file opens.
    let stores: Vec<usize> = (0..facts.sightings.len())
        .filter(|&i| {
            let s = &facts.sightings[i];
            s.kind == "vector-store" && s.extra.contains_key("written")
        })
        .collect();
    for s in stores {
        facts.sightings[s].reads.extend(table_idx.iter().copied());
    }
    let dbs: Vec<usize> = (0..facts.sightings.len())
        .filter(|&i| {
            let s = &facts.sightings[i];
            s.kind == "dataset" && s.provider.as_deref() == Some("database")
        })
        .collect();
    for i in 0..facts.sightings.len() {
        let s = &facts.sightings[i];
        if (s.kind == "tool" || s.kind == "agent") && s.capabilities.iter().any(|c| c == "sql") {
            facts.sightings[i].reads.extend(dbs.iter().copied());
        }
    }
}

/// Every file's `ai/file` fact of a scan, with its path, in the order the scan holds them.
pub fn file_facts(result: &warden_core::ScanResult) -> Vec<(String, FileFacts)> {
    result
        .facts
        .iter()
        .filter(|f| f.analyzer == crate::NAME && f.kind == crate::FACT_FILE)
        .filter_map(|f| {
            serde_json::from_value::<FileFacts>(f.data.clone())
                .ok()
                .map(|d| (f.path.clone(), d))
        })
        .collect()
}

fn uri_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^(?:postgres(?:ql)?(?:\+\w+)?|mysql(?:\+\w+)?|mongodb(?:\+srv)?|mssql(?:\+\w+)?|s3|gs|abfss?|az)://[^\s]+$")
            .expect("re")
    })
}

/// Keeps a string literal of code that is an SQL statement or a database or bucket address, for
/// [`add_data_sets`].
pub fn note_literal(
    sql: &mut Vec<(String, u32)>,
    uris: &mut Vec<(String, u32)>,
    s: &str,
    line: u32,
) {
    if s.len() > 20_000 {
        return;
    }
    if crate::sql::parse(s).is_some() {
        sql.push((s.to_string(), line));
    } else if uri_re().is_match(s.trim()) {
        uris.push((s.trim().to_string(), line));
    }
}

/// An agent given no variable that holds a tool (or a client) uses every tool (and client) of its file.
pub fn link_agents(facts: &mut FileFacts) {
    let of_kind = |k: &str| -> Vec<usize> {
        (0..facts.sightings.len())
            .filter(|&i| facts.sightings[i].kind == k)
            .collect()
    };
    let tools = of_kind("tool");
    let clients = of_kind("llm-client");
    for i in 0..facts.sightings.len() {
        if facts.sightings[i].kind != "agent" {
            continue;
        }
        let s = &mut facts.sightings[i];
        s.uses.retain(|&u| u != i);
        if !s.uses.iter().any(|&u| tools.contains(&u)) {
            s.uses.extend(tools.iter().copied());
        }
        if !s.uses.iter().any(|&u| clients.contains(&u)) {
            s.uses.extend(clients.iter().copied());
        }
        s.uses.sort();
        s.uses.dedup();
    }
}
