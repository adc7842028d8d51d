//! The cross-domain phase: sightings of every file joined with the other analyzers' assets and findings into
//! the inventory graph (asset → data it reads → workload that runs it → exposure → service account and
//! permissions → credentials), a risk score per asset with every reason, and the `ai/…` findings.

use crate::rules;
use crate::sighting::{Dependency, FileFacts, Sighting};
use crate::{Settings, NAME};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use warden_core::{
    Asset, AssetKind, Component, Edge, EdgeKind, Finding, FinishOutput, Location, Related,
    RelatedKind, ScanResult,
};

/// Capabilities that let a model act on the machine it runs on.
pub const DANGEROUS: &[&str] = &["shell", "python", "code-exec", "file-write"];

/// Field and table names that look like personal data.
const PII_WORDS: &[&str] = &[
    "email",
    "e_mail",
    "mail",
    "phone",
    "mobile",
    "telephone",
    "ssn",
    "social_security",
    "full_name",
    "first_name",
    "last_name",
    "firstname",
    "lastname",
    "surname",
    "birth",
    "dob",
    "address",
    "street",
    "zip",
    "postcode",
    "postal",
    "passport",
    "national_id",
    "tax_id",
    "iban",
    "card_number",
    "credit_card",
    "cardnumber",
    "account_number",
    "salary",
    "diagnosis",
    "medical",
    "health",
    "patient",
    "ip_address",
    "gender",
    "religion",
    "ethnicity",
];
const PII_TABLES: &[&str] = &[
    "customers",
    "customer",
    "patients",
    "patient",
    "users",
    "user",
    "employees",
    "employee",
    "members",
    "persons",
    "people",
    "contacts",
    "accounts",
    "clients",
    "students",
];

/// Whether a column, key or table name looks personal.
pub fn pii_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    PII_WORDS.iter().any(|w| {
        n == *w
            || n.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|part| part == *w)
            || (w.contains('_') && n.contains(w))
    })
}

fn pii_table(name: &str) -> bool {
    let n = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    PII_TABLES.contains(&n.as_str())
}

/// One reason in a risk assessment.
#[derive(Debug, Clone)]
struct Reason {
    text: String,
    points: u32,
    owasp: &'static [&'static str],
    atlas: &'static [&'static str],
}

fn reason(
    text: String,
    points: u32,
    owasp: &'static [&'static str],
    atlas: &'static [&'static str],
) -> Reason {
    Reason {
        text,
        points,
        owasp,
        atlas,
    }
}

/// The level a score means.
pub fn level(score: u32) -> &'static str {
    match score {
        70.. => "critical",
        40.. => "high",
        20.. => "medium",
        _ => "low",
    }
}

/// A workload AI code can run in: a Kubernetes workload as the config analyzer described it, or a compose
/// service.
#[derive(Debug, Clone, Default)]
struct Workload {
    /// `compose` or `kubernetes`.
    platform: &'static str,
    /// Compose: the build context, relative to the repository root.
    build: Option<String>,
    /// Compose: ports published on every host interface (reachable from the host's network; not counted as
    /// public, which is kept for what a cluster exposes to the internet).
    published: Vec<String>,
    id: String,
    name: String,
    wname: String,
    location: Option<Location>,
    public: bool,
    exposed_by: Vec<String>,
    network_policy: bool,
    privileged: bool,
    host_network: bool,
    cluster_admin: bool,
    read_secrets: bool,
    token_mounted: bool,
    service_account: String,
    namespace: String,
    images: Vec<String>,
    containers: Vec<String>,
    env: BTreeMap<String, String>,
    inference: bool,
    gpu: bool,
    limits: bool,
    models: Vec<String>,
    model_revision: bool,
}

impl Workload {
    fn from_asset(a: &Asset) -> Self {
        let p = &a.properties;
        let strs = |k: &str| owned_strings(&p[k]);
        let b = |k: &str| p[k].as_bool().unwrap_or(false);
        Workload {
            platform: "kubernetes",
            build: None,
            published: Vec::new(),
            id: a.id.clone(),
            name: a.name.clone(),
            wname: a.id.rsplit('/').next().unwrap_or("").to_string(),
            location: a.location.clone(),
            public: b("public"),
            exposed_by: strs("exposed_by"),
            network_policy: b("network_policy"),
            privileged: b("privileged"),
            host_network: b("host_network"),
            cluster_admin: p["permissions"]["cluster_admin"].as_bool().unwrap_or(false),
            read_secrets: p["permissions"]["read_secrets"].as_bool().unwrap_or(false),
            token_mounted: b("token_mounted"),
            service_account: p["service_account"]
                .as_str()
                .unwrap_or("default")
                .to_string(),
            namespace: p["namespace"].as_str().unwrap_or("").to_string(),
            images: strs("images"),
            containers: strs("containers"),
            env: p["env"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            inference: b("inference"),
            gpu: b("gpu"),
            limits: b("limits"),
            models: strs("models"),
            model_revision: b("model_revision"),
        }
    }

    /// The names code could be deployed under: image repository names, container names, the workload's.
    fn names(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for img in &self.images {
            let no_digest = img.split('@').next().unwrap_or(img);
            let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
            let repo = last.split(':').next().unwrap_or(last);
            out.push((norm(repo), "image"));
        }
        for c in &self.containers {
            out.push((norm(c), "container"));
        }
        out.push((norm(&self.wname), "workload"));
        out
    }

    /// A compose service from the docker analyzer's `compose/service` fact.
    fn from_compose(path: &str, d: &Value) -> Option<Self> {
        let name = d["name"].as_str()?.to_string();
        let strs = |k: &str| owned_strings(&d[k]);
        let image = d["image"].as_str().map(str::to_string);
        let command = strs("command");
        let published = strs("published");
        let base = dir_of(path);
        let build = d["build"]
            .as_str()
            .map(|b| normalise(&format!("{base}/{b}")));
        let lower_image = image.clone().unwrap_or_default().to_ascii_lowercase();
        let mut models = Vec::new();
        let mut revision = false;
        for (i, w) in command.iter().enumerate() {
            let (flag, inline) = w
                .split_once('=')
                .map_or((w.as_str(), None), |(f, v)| (f, Some(v)));
            match flag {
                "--model" | "--model-id" | "--model_id" => {
                    if let Some(m) = inline
                        .map(str::to_string)
                        .or_else(|| command.get(i + 1).cloned())
                    {
                        models.push(m);
                    }
                }
                "--revision" => revision = true,
                "serve" if i > 0 && command[i - 1].ends_with("vllm") => {
                    models.extend(command.get(i + 1).cloned());
                }
                _ => {}
            }
        }
        let gpu = d["gpu"].as_bool().unwrap_or(false);
        let inference = gpu || MODEL_SERVERS.iter().any(|m| lower_image.contains(m));
        let line = d["line"].as_u64().unwrap_or(1) as u32;
        Some(Workload {
            platform: "compose",
            build,
            id: format!("compose:service:{path}#{name}"),
            name: format!("compose service {name}"),
            wname: name.clone(),
            location: Some(
                Location::at(path.to_string(), line.max(1), 1, 1)
                    .with_end_line(d["end_line"].as_u64().unwrap_or(line as u64) as u32),
            ),
            public: false,
            exposed_by: Vec::new(),
            published,
            network_policy: false,
            privileged: d["privileged"].as_bool().unwrap_or(false),
            host_network: d["host_network"].as_bool().unwrap_or(false),
            images: image.into_iter().collect(),
            containers: vec![name],
            env: d["env"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            inference,
            gpu,
            limits: d["limits"].as_bool().unwrap_or(false),
            models,
            model_revision: revision,
            ..Default::default()
        })
    }

    fn asset(&self) -> Asset {
        Asset {
            id: self.id.clone(),
            kind: AssetKind::Workload,
            name: self.name.clone(),
            location: self.location.clone(),
            properties: json!({
                "platform": self.platform,
                "public": self.public,
                "published_ports": self.published,
                "build": self.build,
                "images": self.images,
                "env": self.env,
                "privileged": self.privileged,
                "host_network": self.host_network,
                "inference": self.inference,
                "gpu": self.gpu,
                "limits": self.limits,
                "models": self.models,
                "model_revision": self.model_revision,
            }),
        }
    }

    fn powers(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.privileged {
            p.push("privileged".to_string());
        }
        if self.host_network {
            p.push("on the host network".to_string());
        }
        if self.cluster_admin {
            p.push(format!(
                "as cluster-admin (service account {})",
                self.service_account
            ));
        } else if self.read_secrets && self.token_mounted {
            p.push(format!(
                "with a service account that reads Secrets ({})",
                self.service_account
            ));
        }
        p
    }
}

fn norm(s: &str) -> String {
    s.to_ascii_lowercase().replace('_', "-")
}

/// Images of model servers (a compose service running one serves a model).
const MODEL_SERVERS: &[&str] = &[
    "vllm",
    "text-generation-inference",
    "text-embeddings-inference",
    "ollama",
    "tritonserver",
    "llama.cpp",
    "llama-cpp",
    "localai",
    "xinference",
    "tei",
    "sglang",
    "lmdeploy",
    "kserve",
    "seldon",
    "torchserve",
];

/// Where an asset came from in a file, for occurrences.
fn occurrence(path: &str, s: &Sighting) -> Location {
    Location::at(path.to_string(), s.line.max(1), 1, 1).with_end_line(s.end_line.max(s.line).max(1))
}

trait WithEnd {
    fn with_end_line(self, end: u32) -> Self;
}

impl WithEnd for Location {
    fn with_end_line(mut self, end: u32) -> Self {
        self.end_line = end;
        self
    }
}

struct Node {
    asset: Asset,
    props: Map<String, Value>,
    occurrences: Vec<Location>,
    reasons: Vec<Reason>,
    /// For assets from code: the file's sightings, to find inputs and capabilities.
    sighting: Option<Sighting>,
    workloads: Vec<usize>,
}

struct Builder<'a> {
    nodes: BTreeMap<String, Node>,
    edges: BTreeSet<(String, String, EdgeKind)>,
    workloads: Vec<Workload>,
    settings: &'a Settings,
}

impl Builder<'_> {
    fn add(
        &mut self,
        id: String,
        kind: AssetKind,
        name: String,
        at: Location,
        s: Option<&Sighting>,
    ) -> String {
        let node = self.nodes.entry(id.clone()).or_insert_with(|| Node {
            asset: Asset {
                id: id.clone(),
                kind,
                name,
                location: Some(at.clone()),
                properties: Value::Null,
            },
            props: Map::new(),
            occurrences: Vec::new(),
            reasons: Vec::new(),
            sighting: s.cloned(),
            workloads: Vec::new(),
        });
        if !node.occurrences.contains(&at) {
            node.occurrences.push(at);
        }
        id
    }

    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind) {
        if from != to {
            self.edges.insert((from.to_string(), to.to_string(), kind));
        }
    }

    fn prop(&mut self, id: &str, key: &str, v: Value) {
        if let Some(n) = self.nodes.get_mut(id) {
            n.props.insert(key.to_string(), v);
        }
    }
}

fn slug(s: &str) -> String {
    s.to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '/' || c == ':' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Resolves `a/./b/../c` to `a/c`.
fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

fn kind_of(s: &str) -> Option<AssetKind> {
    Some(match s {
        "llm-client" => AssetKind::LlmClient,
        "model" | "model-file" => AssetKind::Model,
        "agent" => AssetKind::Agent,
        "tool" => AssetKind::Tool,
        "vector-store" => AssetKind::VectorStore,
        "dataset" => AssetKind::Dataset,
        "mcp-server" => AssetKind::McpServer,
        "ai-service" => AssetKind::Workload,
        _ => return None,
    })
}

/// The ids of the inventory's AI assets (not the workloads, service accounts and credentials around them).
pub fn is_ai_asset(a: &Asset) -> bool {
    a.id.starts_with("ai:")
        || (a.id.starts_with("tf:") && a.kind == AssetKind::Workload)
        || (a.kind == AssetKind::Workload && a.properties["inference"].as_bool() == Some(true))
}

pub fn build(result: &mut ScanResult, settings: &Settings) -> FinishOutput {
    let mut files: Vec<(String, FileFacts)> = crate::sighting::file_facts(result);
    // Facts arrive in the order parallel workers finished their files: sort, so ids, locations and output
    // are the same on every run.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    // Imports of a name the repository defines itself (its own `agents` package) are not the AI library.
    let local: BTreeSet<String> = result
        .facts
        .iter()
        .filter(|f| f.analyzer == NAME && f.kind == crate::FACT_LOCAL_MODULE)
        .filter_map(|f| f.data["module"].as_str().map(str::to_string))
        .collect();
    if !local.is_empty() {
        for (_, f) in files.iter_mut() {
            // Marked, not removed: other sightings of the file refer to these by index.
            for s in f.sightings.iter_mut() {
                let root = s
                    .extra
                    .get("call")
                    .and_then(Value::as_str)
                    .and_then(|c| c.split('.').next());
                if root.is_some_and(|r| local.contains(r)) {
                    s.kind = "shadowed".into();
                }
            }
            f.imports.retain(|i| !local.contains(&i.name));
        }
    }
    let model_files: BTreeMap<String, String> = result
        .facts
        .iter()
        .filter(|f| f.kind == "model/file")
        .map(|f| {
            (
                f.path.clone(),
                f.data["format"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut workloads: Vec<Workload> = result
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::Workload && a.id.starts_with("k8s:workload:"))
        .map(Workload::from_asset)
        .collect();
    let mut compose: Vec<Workload> = result
        .facts
        .iter()
        .filter(|f| f.kind == "compose/service")
        .filter_map(|f| Workload::from_compose(&f.path, &f.data))
        .collect();
    compose.sort_by(|a, b| a.id.cmp(&b.id));
    let compose_assets: Vec<Asset> = compose.iter().map(Workload::asset).collect();
    workloads.extend(compose);
    let mut b = Builder {
        nodes: BTreeMap::new(),
        edges: BTreeSet::new(),
        workloads,
        settings,
    };
    let roots: BTreeSet<String> = files
        .iter()
        .filter(|(_, f)| f.manifest)
        .map(|(p, _)| dir_of(p).to_string())
        .collect();
    let mut components = Vec::new();
    let mut tf: Vec<(String, Sighting)> = Vec::new();

    // Model files the model analyzer recognised by content.
    for (path, format) in &model_files {
        let id = format!("ai:model:file:{path}");
        b.add(
            id.clone(),
            AssetKind::Model,
            path.clone(),
            Location::at(path.clone(), 1, 1, 1),
            None,
        );
        b.prop(&id, "source", json!("model-file"));
        b.prop(&id, "format", json!(format));
        b.prop(&id, "present", json!(true));
    }

    for (path, facts) in &files {
        for d in &facts.dependencies {
            components.push(dependency(path, d));
        }
        let mut ids: Vec<Option<String>> = Vec::new();
        let mut ordinal: BTreeMap<String, usize> = BTreeMap::new();
        for s in &facts.sightings {
            if s.kind == "iam"
                || (s.kind == "ai-service" && s.extra.get("primary") != Some(&Value::Bool(true)))
            {
                tf.push((path.clone(), s.clone()));
                ids.push(None);
                continue;
            }
            let Some(kind) = kind_of(&s.kind) else {
                ids.push(None);
                continue;
            };
            if s.kind == "ai-service" {
                tf.push((path.clone(), s.clone()));
            }
            let at = occurrence(path, s);
            let (id, name) = match s.kind.as_str() {
                "llm-client" => {
                    let n = ordinal
                        .entry(format!("c:{}:{}", s.name, s.embeddings))
                        .and_modify(|n| *n += 1)
                        .or_insert(0);
                    let label = if s.embeddings {
                        format!("{} embeddings", s.name)
                    } else {
                        s.name.clone()
                    };
                    (
                        format!(
                            "ai:llm-client:{path}#{}{}{}",
                            slug(&s.name),
                            if s.embeddings { "#embeddings" } else { "" },
                            suffix(*n)
                        ),
                        label,
                    )
                }
                "model" => (
                    format!(
                        "ai:model:{}:{}",
                        slug(s.provider.as_deref().unwrap_or("hub")),
                        s.name
                    ),
                    s.name.clone(),
                ),
                "model-file" => {
                    let target = s.target.clone().unwrap_or_else(|| s.name.clone());
                    let candidates = [
                        normalise(&target),
                        normalise(&format!("{}/{target}", dir_of(path))),
                    ];
                    let found = candidates
                        .iter()
                        .find(|c| model_files.contains_key(*c))
                        .cloned();
                    let resolved = found.clone().unwrap_or_else(|| candidates[0].clone());
                    let id = format!("ai:model:file:{resolved}");
                    if found.is_none() {
                        b.add(
                            id.clone(),
                            AssetKind::Model,
                            resolved.clone(),
                            at.clone(),
                            Some(s),
                        );
                        b.prop(&id, "present", json!(false));
                    }
                    (id, resolved)
                }
                "agent" | "tool" => {
                    let n = ordinal
                        .entry(format!("{}:{}", s.kind, s.name))
                        .and_modify(|n| *n += 1)
                        .or_insert(0);
                    (
                        format!("ai:{}:{path}#{}{}", s.kind, slug(&s.name), suffix(*n)),
                        s.name.clone(),
                    )
                }
                "vector-store" => {
                    let key = s
                        .collections
                        .first()
                        .cloned()
                        .unwrap_or_else(|| path.clone());
                    let name = match s.collections.first() {
                        Some(c) => format!("{} index {c}", s.name),
                        None => s.name.clone(),
                    };
                    (format!("ai:vector-store:{}:{key}", slug(&s.name)), name)
                }
                "dataset" => {
                    let what = s.provider.as_deref().unwrap_or("data");
                    let key = match what {
                        "table" => format!(
                            "table:{}/{}",
                            s.extra
                                .get("database")
                                .and_then(Value::as_str)
                                .unwrap_or(""),
                            s.name
                        ),
                        _ => format!(
                            "{}:{}",
                            slug(what),
                            s.target.clone().unwrap_or_else(|| s.name.clone())
                        ),
                    };
                    let name = match what {
                        "table" => format!("table {}", s.name),
                        "Hugging Face" => format!("Hugging Face data set {}", s.name),
                        _ => s.name.clone(),
                    };
                    (format!("ai:dataset:{key}"), name)
                }
                "mcp-server" => (
                    format!("ai:mcp-server:{path}#{}", slug(&s.name)),
                    format!("MCP server {}", s.name),
                ),
                "ai-service" => (
                    format!(
                        "tf:{}",
                        s.extra
                            .get("resource")
                            .and_then(Value::as_str)
                            .unwrap_or(&s.name)
                    ),
                    s.name.clone(),
                ),
                _ => {
                    ids.push(None);
                    continue;
                }
            };
            let id = b.add(id, kind, name, at.clone(), Some(s));
            describe(&mut b, &id, path, s);
            // An MCP server given a database address reaches that database (the same node code opening it
            // reaches).
            if s.kind == "mcp-server" {
                if let (Some(target), Some(db)) = (
                    &s.target,
                    s.collections.iter().find(|c| c.contains(" database ")),
                ) {
                    let did = format!("ai:dataset:database:{target}");
                    b.add(did.clone(), AssetKind::Dataset, db.clone(), at, None);
                    b.prop(&did, "source", json!("config"));
                    b.prop(&did, "provider", json!("database"));
                    b.prop(&did, "target", json!(target));
                    b.edge(&id, &did, EdgeKind::Reads);
                }
            }
            ids.push(Some(id));
        }
        // Edges inside the file: an agent's tools and model, the data a store or tool reads.
        for (i, s) in facts.sightings.iter().enumerate() {
            let Some(from) = ids[i].clone() else { continue };
            for &u in &s.uses {
                if let Some(Some(to)) = ids.get(u) {
                    b.edge(&from, to, EdgeKind::Uses);
                }
            }
            for &r in &s.reads {
                if let Some(Some(to)) = ids.get(r) {
                    b.edge(&from, to, EdgeKind::Reads);
                }
            }
        }
        // A table read by a file is read from that file's database.
        let dbs: Vec<&String> = facts
            .sightings
            .iter()
            .zip(&ids)
            .filter(|(s, _)| s.kind == "dataset" && s.provider.as_deref() == Some("database"))
            .filter_map(|(_, id)| id.as_ref())
            .collect();
        if let [db] = dbs.as_slice() {
            let db = (*db).clone();
            for (s, id) in facts.sightings.iter().zip(&ids) {
                if let (Some(id), "dataset", Some("table")) =
                    (id, s.kind.as_str(), s.provider.as_deref())
                {
                    b.edge(id, &db, EdgeKind::Reads);
                }
            }
        }
        // Code that calls an LLM with a store or table of the same file reads them into its context.
        let readers: Vec<String> = facts
            .sightings
            .iter()
            .zip(&ids)
            .filter(|(s, _)| s.kind == "llm-client" || s.kind == "agent")
            .filter_map(|(_, id)| id.clone())
            .collect();
        let stores: Vec<String> = facts
            .sightings
            .iter()
            .zip(&ids)
            .filter(|(s, _)| s.kind == "vector-store")
            .filter_map(|(_, id)| id.clone())
            .collect();
        for r in &readers {
            for st in &stores {
                b.edge(r, st, EdgeKind::Reads);
            }
        }
        // Code assets run where their service is deployed.
        let code_ids: Vec<String> = facts
            .sightings
            .iter()
            .zip(&ids)
            .filter(|(s, _)| {
                !matches!(s.kind.as_str(), "ai-service" | "mcp-server")
                    || s.extra.get("source") == Some(&json!("code"))
            })
            .filter(|_| crate::is_code(path))
            .filter_map(|(_, id)| id.clone())
            .collect();
        if !code_ids.is_empty() {
            let matched = deployment(&b, &roots, path);
            for (w, how) in matched {
                let wid = b.workloads[w].id.clone();
                for id in &code_ids {
                    b.edge(&wid, id, EdgeKind::Runs);
                    if let Some(n) = b.nodes.get_mut(id) {
                        if !n.workloads.contains(&w) {
                            n.workloads.push(w);
                            let list = n.props.entry("deployed_as").or_insert_with(|| json!([]));
                            if let Some(a) = list.as_array_mut() {
                                a.push(json!({"workload": wid, "matched_by": how}));
                            }
                        }
                    }
                }
            }
        }
    }

    // Kubernetes model servers: the models they serve.
    for w in 0..b.workloads.len() {
        let wl = b.workloads[w].clone();
        for m in &wl.models {
            let provider = if m.contains('/') && !m.starts_with('/') {
                "hugging-face"
            } else {
                "served"
            };
            let id = format!("ai:model:{provider}:{m}");
            let at = wl
                .location
                .clone()
                .unwrap_or_else(|| Location::at(String::new(), 1, 1, 1));
            b.add(id.clone(), AssetKind::Model, m.clone(), at, None);
            b.prop(&id, "source", json!("kubernetes"));
            b.prop(
                &id,
                "provider",
                json!(if provider == "served" {
                    "unknown"
                } else {
                    "Hugging Face"
                }),
            );
            b.prop(
                &id,
                "pin",
                json!({"pinned": wl.model_revision, "how": if wl.model_revision { "revision-flag" } else { "none" }}),
            );
            b.edge(&wl.id, &id, EdgeKind::Runs);
            if let Some(n) = b.nodes.get_mut(&id) {
                if !n.workloads.contains(&w) {
                    n.workloads.push(w);
                }
            }
        }
    }

    // AI libraries code imports that no manifest of the repository declares: dependencies nobody pinned.
    let declared: BTreeSet<String> = files
        .iter()
        .flat_map(|(_, f)| f.dependencies.iter())
        .map(|d| d.name.to_ascii_lowercase())
        .collect();
    let mut undeclared = BTreeSet::new();
    for (path, facts) in &files {
        for i in &facts.imports {
            let pkg = crate::manifest::pypi_package_of(&i.name);
            let family = |d: &String| {
                // `langchain_community` imported, `langchain-community` declared; `pinecone-client` for `pinecone`.
                d == &pkg || d.starts_with(&format!("{pkg}-")) && pkg != "langchain"
            };
            if !crate::manifest::is_ai_package("pypi", &pkg)
                || declared.iter().any(family)
                || !undeclared.insert(pkg.clone())
            {
                continue;
            }
            components.push(Component {
                kind: "library".into(),
                name: pkg.clone(),
                version: None,
                purl: Some(format!("pkg:pypi/{pkg}")),
                location: Some(Location::at(path.clone(), i.line.max(1), 1, 1)),
                undeclared: true,
            });
        }
    }

    // Compose services are assets of this analyzer (the docker analyzer publishes them only as facts).
    for a in compose_assets {
        let id = a.id.clone();
        let at = a
            .location
            .clone()
            .unwrap_or_else(|| Location::at(String::new(), 1, 1, 1));
        b.add(id.clone(), AssetKind::Workload, a.name.clone(), at, None);
        if let (Some(n), Value::Object(props)) = (b.nodes.get_mut(&id), a.properties) {
            n.props.extend(props);
        }
    }

    // A client pointed at a host that is one of the repository's workloads (`base_url="http://llm:8000/v1"`)
    // calls that model server.
    let hosts: Vec<(String, String)> = b
        .nodes
        .values()
        .filter(|n| n.asset.kind == AssetKind::LlmClient)
        .filter_map(|n| {
            Some((
                n.asset.id.clone(),
                n.props.get("host")?.as_str()?.to_ascii_lowercase(),
            ))
        })
        .collect();
    for (id, host) in hosts {
        let short = host.split('.').next().unwrap_or(&host).to_string();
        let targets: Vec<String> = b
            .workloads
            .iter()
            .filter(|w| {
                norm(&w.wname) == norm(&short)
                    || w.containers.iter().any(|c| norm(c) == norm(&short))
            })
            .map(|w| w.id.clone())
            .collect();
        for t in targets {
            b.edge(&id, &t, EdgeKind::Uses);
            b.prop(&id, "served_by", json!(t));
        }
    }

    terraform(&mut b, &tf, &result.assets);
    let secrets = link_credentials(&mut b, result);
    link_models(&mut b, result);
    risk(&mut b, result);
    let findings = findings(&b);

    // Risk on the inference workloads the config analyzer published.
    for a in result.assets.iter_mut() {
        if a.kind == AssetKind::Workload && a.properties["inference"].as_bool() == Some(true) {
            if let Some(w) = b.workloads.iter().find(|w| w.id == a.id) {
                let reasons = workload_reasons(w);
                if let Some(obj) = a.properties.as_object_mut() {
                    obj.insert("risk".into(), risk_value(&reasons));
                }
            }
        }
    }

    let mut out = FinishOutput {
        findings,
        components,
        ..Default::default()
    };
    out.assets.extend(secrets);
    out.components.sort_by(|a, b| {
        let at = |c: &Component| c.location.as_ref().map(|l| (l.path.clone(), l.start_line));
        at(a).cmp(&at(b)).then(a.name.cmp(&b.name))
    });
    for (_, mut n) in std::mem::take(&mut b.nodes) {
        // Where an asset is seen in code and in a config, its location is the code.
        if let Some(code) = n.occurrences.iter().find(|l| crate::is_code(&l.path)) {
            if n.asset.kind == AssetKind::Dataset {
                n.asset.location = Some(code.clone());
            }
        }
        n.props.insert(
            "occurrences".into(),
            json!(n
                .occurrences
                .iter()
                .map(|l| json!({"path": l.path, "line": l.start_line}))
                .collect::<Vec<_>>()),
        );
        n.props.insert("risk".into(), risk_value(&n.reasons));
        n.asset.properties = Value::Object(n.props);
        out.assets.push(n.asset);
    }
    out.edges = b
        .edges
        .into_iter()
        .map(|(from, to, kind)| Edge { from, to, kind })
        .collect();
    out
}

fn suffix(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("#{}", n + 1)
    }
}

fn dependency(path: &str, d: &Dependency) -> Component {
    // The purl spec percent-encodes an npm scope's `@`.
    let name = match d.name.strip_prefix('@') {
        Some(scoped) if d.ecosystem == "npm" => format!("%40{scoped}"),
        _ => d.name.clone(),
    };
    let purl = match (&d.version, d.pinned) {
        (Some(v), true) => format!("pkg:{}/{name}@{v}", d.ecosystem),
        _ => format!("pkg:{}/{name}", d.ecosystem),
    };
    Component {
        kind: "library".into(),
        name: d.name.clone(),
        version: d.version.clone(),
        purl: Some(purl),
        location: Some(Location::at(path.to_string(), d.line.max(1), 1, 1)),
        undeclared: false,
    }
}

/// The properties a sighting gives its asset.
fn describe(b: &mut Builder, id: &str, path: &str, s: &Sighting) {
    let Some(n) = b.nodes.get_mut(id) else { return };
    let p = &mut n.props;
    p.entry("source").or_insert_with(|| {
        json!(match s.kind.as_str() {
            "ai-service" => "terraform",
            "mcp-server" if s.extra.get("source") == Some(&json!("config")) => "config",
            _ if path.ends_with("Modelfile") || path.ends_with(".modelfile") => "modelfile",
            _ => "code",
        })
    });
    if let Some(v) = &s.provider {
        p.entry("provider").or_insert_with(|| json!(v));
    }
    if let Some(v) = &s.framework {
        p.entry("framework").or_insert_with(|| json!(v));
    }
    let mut merge = |key: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let list = p.entry(key).or_insert_with(|| json!([]));
        if let Some(a) = list.as_array_mut() {
            for i in items {
                if !a.iter().any(|x| x == i) {
                    a.push(json!(i));
                }
            }
        }
    };
    merge("models", &s.models);
    merge("capabilities", &s.capabilities);
    merge("collections", &s.collections);
    merge("fields", &s.fields);
    if let Some(k) = &s.key {
        p.insert("key".into(), serde_json::to_value(k).unwrap_or_default());
    }
    if let Some(pin) = &s.pin {
        // A model used unpinned anywhere is unpinned.
        let keep_old = p
            .get("pin")
            .is_some_and(|old| old["pinned"] == json!(false));
        if !keep_old {
            p.insert("pin".into(), serde_json::to_value(pin).unwrap_or_default());
        }
    }
    if !s.inputs.is_empty() {
        p.insert(
            "inputs".into(),
            serde_json::to_value(&s.inputs).unwrap_or_default(),
        );
    }
    if let Some(t) = &s.target {
        p.entry("target").or_insert_with(|| json!(t));
    }
    if s.embeddings {
        p.insert("embeddings".into(), json!(true));
    }
    for (k, v) in &s.extra {
        if matches!(k.as_str(), "call" | "primary" | "refs" | "written") {
            continue;
        }
        p.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let sensitive: Vec<String> = s.fields.iter().filter(|f| pii_field(f)).cloned().collect();
    if !sensitive.is_empty() || (s.kind == "dataset" && pii_table(&s.name)) {
        p.insert("sensitive".into(), json!(true));
        merge_sensitive(p, &sensitive);
    }
}

fn merge_sensitive(p: &mut Map<String, Value>, fields: &[String]) {
    let list = p.entry("sensitive_fields").or_insert_with(|| json!([]));
    if let Some(a) = list.as_array_mut() {
        for f in fields {
            if !a.iter().any(|x| x == f) {
                a.push(json!(f));
            }
        }
    }
}

/// The workloads a file's service is deployed as: `[ai] deployments` first, else the service directory's
/// name against image repository, container and workload names.
fn deployment(b: &Builder, roots: &BTreeSet<String>, path: &str) -> Vec<(usize, String)> {
    for (dir, names) in &b.settings.deployments {
        let dir = dir.trim_end_matches('/');
        if path.starts_with(&format!("{dir}/")) {
            return b
                .workloads
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    names.iter().any(|n| {
                        w.id.ends_with(&format!(":{n}"))
                            || w.id.ends_with(&format!("/{n}"))
                            || &w.wname == n
                    })
                })
                .map(|(i, _)| (i, format!("[ai] deployments \"{dir}\"")))
                .collect();
        }
    }
    // A compose service built from a directory that holds the file runs it.
    let built: Vec<(usize, String)> = b
        .workloads
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let ctx = w.build.as_deref()?;
            (ctx.is_empty() || path.starts_with(&format!("{ctx}/"))).then(|| {
                (
                    i,
                    format!("build context {}", if ctx.is_empty() { "." } else { ctx }),
                )
            })
        })
        .collect();
    if !built.is_empty() {
        // The deepest context is the service's own.
        let depth = |s: &String| s.matches('/').count();
        let best = built.iter().map(|(_, h)| depth(h)).max().unwrap_or(0);
        return built
            .into_iter()
            .filter(|(_, h)| depth(h) == best)
            .collect();
    }
    let mut dir = dir_of(path);
    let root = loop {
        if roots.contains(dir) || dir.is_empty() {
            break dir;
        }
        dir = dir_of(dir);
    };
    let root = if root.is_empty() { dir_of(path) } else { root };
    let name = norm(root.rsplit('/').next().unwrap_or(root));
    if name.is_empty() {
        return vec![];
    }
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, w) in b.workloads.iter().enumerate() {
        if let Some((_, how)) = w.names().into_iter().find(|(n, _)| *n == name) {
            out.push((i, format!("{how} name \"{name}\" = directory {root}")));
        }
    }
    // An image match is stronger than a container or workload name: keep the strongest kind only.
    if out.iter().any(|(_, h)| h.starts_with("image")) {
        out.retain(|(_, h)| h.starts_with("image"));
    }
    out
}

/// Terraform AI services: follow references to the IAM role they run as and its policies.
fn terraform(b: &mut Builder, tf: &[(String, Sighting)], _assets: &[Asset]) {
    let by_res: BTreeMap<String, &(String, Sighting)> = tf
        .iter()
        .filter_map(|e| Some((e.1.extra.get("resource")?.as_str()?.to_string(), e)))
        .collect();
    let refs = |s: &Sighting| -> Vec<String> {
        s.extra
            .get("refs")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (path, s) in tf
        .iter()
        .filter(|(_, s)| s.kind == "ai-service" && s.extra.get("primary") == Some(&json!(true)))
    {
        let res = s
            .extra
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let id = format!("tf:{res}");
        // Breadth-first over references, a few steps deep.
        let mut seen = BTreeSet::from([res.clone()]);
        let mut frontier = refs(s);
        let mut roles = BTreeSet::new();
        let mut artifacts = Vec::new();
        for _ in 0..4 {
            let mut next = Vec::new();
            for r in frontier {
                if !seen.insert(r.clone()) {
                    continue;
                }
                if r.starts_with("aws_iam_role.") {
                    roles.insert(r.clone());
                    continue;
                }
                if let Some((_, t)) = by_res.get(&r) {
                    if let Some(url) = t.extra["attributes"]["model_data_url"].as_str() {
                        artifacts.push((url.to_string(), t.clone()));
                    }
                    next.extend(refs(t));
                }
            }
            frontier = next;
        }
        if let Some(url) = s.extra["attributes"]["model_data_url"].as_str() {
            artifacts.push((url.to_string(), s.clone()));
        }
        for (url, t) in artifacts {
            let mid = format!("ai:model:artifact:{url}");
            let p = by_res
                .get(
                    t.extra
                        .get("resource")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                )
                .map(|e| e.0.clone())
                .unwrap_or_else(|| path.clone());
            b.add(
                mid.clone(),
                AssetKind::Model,
                url.clone(),
                occurrence(&p, &t),
                None,
            );
            b.prop(&mid, "source", json!("terraform"));
            b.prop(&mid, "pin", json!({"pinned": false, "how": "storage-path"}));
            b.edge(&id, &mid, EdgeKind::Runs);
        }
        for role in roles {
            // Policies attached to the role, wherever they are declared.
            let mut policies = Vec::new();
            let mut wildcard = false;
            for (_, t) in tf.iter().filter(|(_, t)| t.kind == "iam") {
                let tres = t
                    .extra
                    .get("resource")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let attrs = &t.extra["attributes"];
                let mentions = refs(t).contains(&role);
                if tres == role {
                    if let Some(m) = attrs["managed_policy_arns"].as_str() {
                        policies.extend(
                            m.split(['"', ',', '[', ']', ' '])
                                .filter(|x| x.starts_with("arn:"))
                                .map(str::to_string),
                        );
                    }
                }
                if mentions
                    && (tres.starts_with("aws_iam_role_policy_attachment.")
                        || tres.starts_with("aws_iam_role_policy."))
                {
                    if let Some(arn) = attrs["policy_arn"].as_str() {
                        policies.push(arn.to_string());
                    }
                    wildcard |= t.extra.get("wildcard_policy") == Some(&json!(true));
                }
            }
            let broad: Vec<String> = policies
                .iter()
                .filter(|p| {
                    p.contains("FullAccess")
                        || p.ends_with("/AdministratorAccess")
                        || p.ends_with("/PowerUserAccess")
                })
                .cloned()
                .collect();
            let (rpath, rs) = by_res
                .get(&role)
                .map(|e| (e.0.clone(), Some(e.1.clone())))
                .unwrap_or_else(|| (path.clone(), None));
            let at = rs
                .as_ref()
                .map_or_else(|| occurrence(path, s), |r| occurrence(&rpath, r));
            let rid = format!("tf:{role}");
            b.add(
                rid.clone(),
                AssetKind::ServiceAccount,
                format!("IAM role {}", role.trim_start_matches("aws_iam_role.")),
                at,
                None,
            );
            b.prop(&rid, "source", json!("terraform"));
            b.prop(&rid, "policies", json!(policies));
            b.prop(&rid, "broad_policies", json!(broad));
            b.prop(&rid, "wildcard", json!(wildcard));
            b.edge(&id, &rid, EdgeKind::RunsAs);
            let mut list = b
                .nodes
                .get(&id)
                .and_then(|n| n.props.get("broad_policies").cloned())
                .unwrap_or(json!([]));
            if let Some(a) = list.as_array_mut() {
                a.extend(broad.iter().map(|x| json!(x)));
                if wildcard {
                    a.push(json!("an inline policy allowing *"));
                }
            }
            b.prop(&id, "broad_policies", list);
            b.prop(&id, "role", json!(role));
        }
    }
}

/// Hard-coded keys: the secrets analyzer's findings inside a client's call become credential assets the
/// client authenticates with (by fingerprint, never the value), and those findings learn which AI asset
/// holds them. Keys from the environment are traced to the Kubernetes Secret that fills the variable.
fn link_credentials(b: &mut Builder, result: &mut ScanResult) -> Vec<Asset> {
    let mut creds = Vec::new();
    let ids: Vec<String> = b.nodes.keys().cloned().collect();
    for id in ids {
        let (path, line, end, key, name, workloads) = {
            let n = &b.nodes[&id];
            let Some(s) = &n.sighting else { continue };
            let Some(k) = &s.key else { continue };
            let path = n
                .asset
                .location
                .as_ref()
                .map(|l| l.path.clone())
                .unwrap_or_default();
            (
                path,
                s.line,
                s.end_line,
                k.clone(),
                n.asset.name.clone(),
                n.workloads.clone(),
            )
        };
        if key.from == "hard-coded" {
            let hits: Vec<usize> = result
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    f.analyzer() == "secrets"
                        && f.location.path == path
                        && ((line <= f.location.start_line && f.location.start_line <= end)
                            || f.location.start_line == key.line)
                })
                .map(|(i, _)| i)
                .collect();
            let mut confirmed = Vec::new();
            for i in hits {
                let f = &mut result.findings[i];
                let cid = format!("secret:{}", f.fingerprint);
                creds.push(Asset {
                    id: cid.clone(),
                    kind: AssetKind::Credential,
                    name: format!("{} ({})", f.title, short(&f.fingerprint)),
                    location: Some(f.location.clone()),
                    properties: json!({"source": "secrets-finding", "rule": f.rule_id, "fingerprint": f.fingerprint, "hard_coded": true}),
                });
                b.edge(&id, &cid, EdgeKind::AuthenticatesWith);
                confirmed.push(json!({"rule": f.rule_id, "fingerprint": f.fingerprint, "line": f.location.start_line}));
                // The finding learns whose key it is, and where that runs.
                if !f.assets.contains(&id) {
                    f.assets.push(id.clone());
                    let mut ctx = format!("used by {name}");
                    for &w in &workloads {
                        let wl = &b.workloads[w];
                        let mut what = vec![];
                        if wl.public {
                            what.push("publicly exposed".to_string());
                        }
                        what.extend(wl.powers());
                        ctx.push_str(&format!(
                            ", which runs in {}{}",
                            wl.name,
                            if what.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", what.join(", "))
                            }
                        ));
                        f.assets.push(wl.id.clone());
                    }
                    f.related.push(Related {
                        kind: RelatedKind::Context,
                        location: f.location.clone(),
                        message: ctx,
                    });
                }
            }
            b.prop(&id, "hard_coded_key", json!(confirmed));
        } else if key.from == "env" || key.from == "sdk-default" {
            let mut provided = Vec::new();
            for &w in &workloads {
                let wl = b.workloads[w].clone();
                for var in &key.env {
                    if let Some(src) = wl.env.get(var) {
                        provided.push(json!({"workload": wl.id, "env": var, "from": src}));
                        if let Some(secret) = src.strip_prefix("secret:") {
                            let sid = format!("k8s:secret:{}/{secret}", wl.namespace);
                            if result.assets.iter().any(|a| a.id == sid) {
                                b.edge(&id, &sid, EdgeKind::AuthenticatesWith);
                            }
                        }
                    }
                }
            }
            if !provided.is_empty() {
                b.prop(&id, "key_provided_by", json!(provided));
            }
        }
    }
    creds
}

fn short(fp: &str) -> String {
    fp.chars().take(12).collect()
}

/// Model files: what the model analyzer found in them, and which code loads them.
fn link_models(b: &mut Builder, result: &mut ScanResult) {
    let ids: Vec<String> = b
        .nodes
        .keys()
        .filter(|k| k.starts_with("ai:model:file:"))
        .cloned()
        .collect();
    for id in ids {
        let path = id.trim_start_matches("ai:model:file:").to_string();
        let mut rules_hit = BTreeSet::new();
        let mut unsigned = false;
        for f in result.findings.iter_mut() {
            if f.analyzer() != "model" {
                continue;
            }
            let p = &f.location.path;
            let inside = p == &path || p.starts_with(&format!("{path}!"));
            let dir_unsigned = f.rule_id == "model/unsigned-model"
                && (path.starts_with(&format!("{}/", p.trim_end_matches('/')))
                    || dir_of(&path) == p);
            if inside {
                rules_hit.insert(f.rule_id.clone());
                if !f.assets.contains(&id) {
                    f.assets.push(id.clone());
                }
            }
            if dir_unsigned || (inside && f.rule_id == "model/unsigned-model") {
                unsigned = true;
            }
        }
        b.prop(&id, "model_findings", json!(rules_hit));
        b.prop(
            &id,
            "signature",
            json!(if unsigned { "missing" } else { "not checked" }),
        );
    }
    // Code findings about an AI asset's lines (a dangerous tool, an unpinned model, a pickle load) name it.
    let spans: Vec<(String, String, u32, u32)> = b
        .nodes
        .values()
        .filter_map(|n| {
            let s = n.sighting.as_ref()?;
            let l = n.asset.location.as_ref()?;
            Some((n.asset.id.clone(), l.path.clone(), s.line, s.end_line))
        })
        .collect();
    for f in result
        .findings
        .iter_mut()
        .filter(|f| f.analyzer() == "code")
    {
        for (id, path, a, z) in &spans {
            if &f.location.path == path
                && *a <= f.location.start_line
                && f.location.start_line <= *z
                && !f.assets.contains(id)
            {
                f.assets.push(id.clone());
            }
        }
    }
}

const O_LLM01: &[&str] = &["LLM01:2025"];
const O_LLM02: &[&str] = &["LLM02:2025"];
const O_LLM02_08: &[&str] = &["LLM02:2025", "LLM08:2025"];
const O_LLM03: &[&str] = &["LLM03:2025"];
const O_LLM06: &[&str] = &["LLM06:2025"];
const O_LLM10: &[&str] = &["LLM10:2025"];
const O_LLM01_10: &[&str] = &["LLM01:2025", "LLM10:2025"];
const A_NONE: &[&str] = &[];
const A_INJECT: &[&str] = &["AML.T0051"];
const A_API: &[&str] = &["AML.T0040"];
const A_TOOL: &[&str] = &["AML.T0053", "AML.T0050"];
const A_LEAK: &[&str] = &["AML.T0057"];
const A_CREDS: &[&str] = &["AML.T0055"];
const A_MODEL_SUPPLY: &[&str] = &["AML.T0010.003"];
const A_UNSAFE_ARTIFACT: &[&str] = &["AML.T0011.000", "AML.T0010.003"];
const A_SW_SUPPLY: &[&str] = &["AML.T0010.001"];
const A_DOS: &[&str] = &["AML.T0029", "AML.T0034"];

fn workload_reasons(w: &Workload) -> Vec<Reason> {
    let mut r = Vec::new();
    if w.public {
        r.push(reason(
            format!("publicly exposed ({})", w.exposed_by.join(", ")),
            25,
            O_LLM01_10,
            A_API,
        ));
    } else if !w.published.is_empty() {
        r.push(reason(
            format!(
                "publishes port {} on every interface of its host",
                w.published.join(", ")
            ),
            10,
            O_LLM10,
            A_API,
        ));
    } else if w.platform == "kubernetes" {
        r.push(reason(
            format!("internal: {} is not exposed outside the cluster", w.name),
            0,
            &[],
            A_NONE,
        ));
    }
    for p in w.powers() {
        r.push(reason(format!("runs {p}"), 20, O_LLM06, A_NONE));
    }
    if w.inference {
        if w.gpu {
            r.push(reason(
                "claims a GPU: an expensive target for abuse".into(),
                0,
                &[],
                A_NONE,
            ));
        }
        if !w.limits {
            r.push(reason(
                "model server without CPU and memory limits: one heavy request can starve its node"
                    .into(),
                10,
                O_LLM10,
                A_DOS,
            ));
        }
        if !w.network_policy && w.platform == "kubernetes" {
            r.push(reason(
                "no NetworkPolicy admits its callers: any pod in the cluster can use the model"
                    .into(),
                5,
                O_LLM10,
                A_API,
            ));
        }
        if !w.models.is_empty() && !w.model_revision {
            r.push(reason(
                format!("serves {} by name, without --revision", w.models.join(", ")),
                15,
                O_LLM03,
                A_MODEL_SUPPLY,
            ));
        }
    }
    r
}

/// The strings of a JSON array, owned (an absent or non-array value is empty).
fn owned_strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// The strings of an array property.
fn str_list<'a>(props: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    props
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn caps_of(b: &Builder, id: &str) -> (Vec<String>, Vec<String>) {
    let mut caps = BTreeSet::new();
    let mut via = BTreeSet::new();
    let own = &b.nodes[id];
    for c in str_list(&own.props, "capabilities") {
        caps.insert(c.to_string());
    }
    for (from, to, kind) in &b.edges {
        if from == id && *kind == EdgeKind::Uses {
            if let Some(t) = b.nodes.get(to) {
                if t.asset.kind == AssetKind::Tool {
                    for c in str_list(&t.props, "capabilities") {
                        caps.insert(c.to_string());
                        // Name the tools that bring the dangerous powers.
                        if DANGEROUS.contains(&c) {
                            via.insert(t.asset.name.clone());
                        }
                    }
                }
            }
        }
    }
    (caps.into_iter().collect(), via.into_iter().collect())
}

fn sensitive_reads(b: &Builder, id: &str, depth: usize) -> Vec<String> {
    if depth > 3 {
        return vec![];
    }
    let mut out = Vec::new();
    for (from, to, kind) in &b.edges {
        if from == id && *kind == EdgeKind::Reads {
            if let Some(t) = b.nodes.get(to) {
                if t.props.get("sensitive") == Some(&json!(true)) {
                    out.push(t.asset.name.clone());
                }
                out.extend(sensitive_reads(b, to, depth + 1));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn risk(b: &mut Builder, _result: &ScanResult) {
    let ids: Vec<String> = b.nodes.keys().cloned().collect();
    for id in ids {
        let n = &b.nodes[&id];
        if id.starts_with("compose:service:") {
            let reasons = b
                .workloads
                .iter()
                .find(|w| w.id == id)
                .map(workload_reasons)
                .unwrap_or_default();
            b.nodes.get_mut(&id).expect("node").reasons = reasons;
            continue;
        }
        let mut r: Vec<Reason> = Vec::new();
        let kind = n.asset.kind;
        let p = n.props.clone();
        let ws: Vec<Workload> = n
            .workloads
            .iter()
            .map(|&w| b.workloads[w].clone())
            .collect();
        // Where it runs.
        if kind != AssetKind::ServiceAccount {
            if let Some(w) = ws.iter().find(|w| w.public) {
                r.push(reason(
                    format!(
                        "runs in {}, publicly exposed ({})",
                        w.name,
                        w.exposed_by.join(", ")
                    ),
                    25,
                    O_LLM01_10,
                    A_API,
                ));
            } else if let Some(w) = ws.iter().find(|w| !w.published.is_empty()) {
                r.push(reason(
                    format!(
                        "runs in {}, which publishes port {} on every interface of its host",
                        w.name,
                        w.published.join(", ")
                    ),
                    10,
                    O_LLM10,
                    A_API,
                ));
            } else if let Some(w) = ws.first() {
                let text = if w.platform == "kubernetes" {
                    format!(
                        "internal: runs in {}, not exposed outside the cluster",
                        w.name
                    )
                } else {
                    format!("internal: runs in {}, which publishes no port", w.name)
                };
                r.push(reason(text, 0, &[], A_NONE));
            }
            let mut seen_powers = BTreeSet::new();
            for w in &ws {
                for pw in w.powers() {
                    if seen_powers.insert(pw.clone()) {
                        r.push(reason(
                            format!("its workload {} runs {pw}", w.name),
                            20,
                            O_LLM06,
                            A_NONE,
                        ));
                    }
                }
            }
        }
        // What feeds it.
        let public = ws.iter().any(|w| w.public);
        if let Some(i) = p
            .get("inputs")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            let (src, name, func) = (
                i["source"].as_str().unwrap_or(""),
                i["name"].as_str().unwrap_or(""),
                i["function"].as_str().unwrap_or(""),
            );
            let (text, pts) = match (src, public) {
                ("http-request", true) => (format!("customer-facing: HTTP request data (`{name}` of {func}()) reaches the prompt"), 15),
                ("http-request", false) => (format!("HTTP request data (`{name}` of {func}()) reaches the prompt"), 10),
                _ => (format!("input from outside the module (`{name}` of {func}()) reaches the prompt"), 10),
            };
            r.push(reason(text, pts, O_LLM01, A_INJECT));
        }
        // What it can do.
        if matches!(
            kind,
            AssetKind::Agent | AssetKind::Tool | AssetKind::McpServer
        ) {
            let (caps, via) = caps_of(b, &id);
            let dangerous: Vec<&String> = caps
                .iter()
                .filter(|c| DANGEROUS.contains(&c.as_str()))
                .collect();
            let other: Vec<&String> = caps
                .iter()
                .filter(|c| !DANGEROUS.contains(&c.as_str()))
                .collect();
            let through = if via.is_empty() {
                String::new()
            } else {
                format!(" through {}", via.join(", "))
            };
            if !dangerous.is_empty() {
                r.push(reason(
                    format!(
                        "can {}{through}: excessive agency",
                        dangerous
                            .iter()
                            .map(|c| cap_text(c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    30,
                    O_LLM06,
                    A_TOOL,
                ));
            }
            if !other.is_empty() {
                r.push(reason(
                    format!(
                        "can {}{}",
                        other
                            .iter()
                            .map(|c| cap_text(c))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if dangerous.is_empty() {
                            through
                        } else {
                            String::new()
                        }
                    ),
                    10,
                    O_LLM06,
                    A_TOOL,
                ));
            }
        }
        // Its keys.
        if let Some(k) = p.get("key") {
            match k["from"].as_str().unwrap_or("") {
                "hard-coded" => {
                    let confirmed = p
                        .get("hard_coded_key")
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty());
                    let line = k["line"].as_u64().unwrap_or(0);
                    r.push(reason(
                        if confirmed {
                            let fp = p["hard_coded_key"][0]["fingerprint"].as_str().unwrap_or("");
                            format!(
                                "hard-coded key on line {line} (secrets finding {})",
                                short(fp)
                            )
                        } else {
                            format!("hard-coded key on line {line}")
                        },
                        25,
                        O_LLM02,
                        A_CREDS,
                    ));
                }
                "env" | "sdk-default" => {
                    let vars: Vec<&str> = k["env"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let from = p
                        .get("key_provided_by")
                        .and_then(|v| v[0]["from"].as_str())
                        .map(|s| format!(", filled from {}", env_source(s)))
                        .unwrap_or_default();
                    r.push(reason(
                        format!("long-lived API key from the environment ({}{from}); rotate it and prefer short-lived credentials", vars.join(" or ")),
                        5,
                        O_LLM02,
                        A_CREDS,
                    ));
                }
                "secret-manager" => r.push(reason(
                    "key read from a secret manager".into(),
                    0,
                    &[],
                    A_NONE,
                )),
                _ => {}
            }
        }
        // The data it holds or reads.
        let own_sensitive = p.get("sensitive") == Some(&json!(true));
        if own_sensitive {
            let fields: Vec<&str> = p
                .get("sensitive_fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let text = if fields.is_empty() {
                "personal data: its name says it holds records about people".to_string()
            } else {
                format!("personal data: {}", fields.join(", "))
            };
            r.push(reason(
                text,
                20,
                if kind == AssetKind::VectorStore {
                    O_LLM02_08
                } else {
                    O_LLM02
                },
                A_LEAK,
            ));
        }
        let reads = sensitive_reads(b, &id, 0);
        if !(reads.is_empty() || own_sensitive && kind == AssetKind::Dataset) {
            r.push(reason(
                format!("reads personal data from {}", reads.join(", ")),
                if kind == AssetKind::VectorStore {
                    20
                } else {
                    10
                },
                if kind == AssetKind::VectorStore {
                    O_LLM02_08
                } else {
                    O_LLM02
                },
                A_LEAK,
            ));
        }
        // Models.
        if kind == AssetKind::Model {
            if let Some(pin) = p.get("pin") {
                if pin["pinned"] == json!(false) {
                    let how = pin["how"].as_str().unwrap_or("none");
                    let text = match how {
                        "mutable-ref" => format!("third-party model pinned only to a mutable name ({})", pin["revision"].as_str().unwrap_or("a tag")),
                        "storage-path" => "model artifact by storage path: nothing pins its content".to_string(),
                        _ => "third-party model without a pinned revision: each load fetches what the hub holds that day".to_string(),
                    };
                    r.push(reason(text, 15, O_LLM03, A_MODEL_SUPPLY));
                }
            }
            let format = p.get("format").and_then(Value::as_str).unwrap_or("");
            let target = p
                .get("target")
                .and_then(Value::as_str)
                .unwrap_or(&n.asset.name)
                .to_ascii_lowercase();
            let pickled = matches!(
                format,
                "pickle" | "pytorch-legacy" | "pytorch-zip" | "pytorch-tar" | "joblib"
            ) || (format.is_empty()
                && [".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt"]
                    .iter()
                    .any(|e| target.ends_with(e)));
            let findings: Vec<&str> = p
                .get("model_findings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if findings.iter().any(|f| f.contains("dangerous")) {
                r.push(reason(
                    format!(
                        "the model file calls dangerous code on load ({})",
                        findings.join(", ")
                    ),
                    40,
                    O_LLM03,
                    A_UNSAFE_ARTIFACT,
                ));
            } else if pickled {
                r.push(reason(
                    format!(
                        "{} format: loading it runs code{}",
                        if format.is_empty() {
                            "pickle-based"
                        } else {
                            format
                        },
                        if findings.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", findings.join(", "))
                        }
                    ),
                    30,
                    O_LLM03,
                    A_UNSAFE_ARTIFACT,
                ));
            }
            match p.get("signature").and_then(Value::as_str) {
                Some("missing") => r.push(reason(
                    "unsigned: no model signature covers it".into(),
                    10,
                    O_LLM03,
                    A_MODEL_SUPPLY,
                )),
                Some(_) => r.push(reason(
                    "signature not checked: set [model] require_signatures to verify model files"
                        .into(),
                    5,
                    O_LLM03,
                    A_MODEL_SUPPLY,
                )),
                None => {}
            }
        }
        // MCP servers.
        if kind == AssetKind::McpServer {
            if p.get("pin").is_some_and(|x| x["pinned"] == json!(false)) {
                r.push(reason(
                    format!("launched without a fixed version ({}): each start runs what the registry serves", p.get("package").and_then(Value::as_str).unwrap_or("its package")),
                    20,
                    O_LLM03,
                    A_SW_SUPPLY,
                ));
            }
            if p.get("plain_http") == Some(&json!(true)) {
                r.push(reason(
                    "reached over plain HTTP".into(),
                    15,
                    O_LLM02,
                    A_NONE,
                ));
            }
        }
        // Cloud AI services.
        if kind == AssetKind::Workload && id.starts_with("tf:") {
            let broad: Vec<&str> = p
                .get("broad_policies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !broad.is_empty() {
                r.push(reason(
                    format!("its role has {}", broad.join(", ")),
                    20,
                    O_LLM06,
                    A_NONE,
                ));
            }
            let attrs = &p.get("attributes").cloned().unwrap_or(Value::Null);
            let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
            if ty == "aws_sagemaker_notebook_instance"
                && attrs["direct_internet_access"].as_str() != Some("Disabled")
            {
                r.push(reason(
                    "notebook with direct internet access (the default)".into(),
                    15,
                    O_LLM02,
                    A_API,
                ));
            }
            if ty == "azurerm_cognitive_account"
                && attrs["public_network_access_enabled"] != json!(false)
            {
                r.push(reason(
                    "public network access enabled (the default)".into(),
                    15,
                    O_LLM01_10,
                    A_API,
                ));
            }
        }
        b.nodes.get_mut(&id).expect("node").reasons = r;
    }
}

/// Where a workload's environment variable comes from, in words.
fn env_source(s: &str) -> String {
    match s.split_once(':') {
        Some(("secret", n)) => format!("Secret {n}"),
        Some(("configmap", n)) => format!("ConfigMap {n}"),
        _ => match s {
            "literal" => "a literal value in the manifest".into(),
            "interpolated" => "the host's environment (compose interpolation)".into(),
            "env_file" => "an env_file".into(),
            "field" => "a field of the pod".into(),
            other => other.into(),
        },
    }
}

fn cap_text(c: &str) -> &'static str {
    match c {
        "shell" => "run shell commands",
        "python" => "run Python code",
        "code-exec" => "execute code",
        "file-write" => "write files",
        "file-read" => "read files",
        "http" => "make HTTP requests",
        "sql" => "run SQL",
        "mcp" => "call MCP tools",
        _ => "act",
    }
}

fn risk_value(reasons: &[Reason]) -> Value {
    let score: u32 = reasons.iter().map(|r| r.points).sum::<u32>().min(100);
    let mut owasp: Vec<&str> = reasons
        .iter()
        .flat_map(|r| r.owasp.iter().copied())
        .collect();
    owasp.sort();
    owasp.dedup();
    let mut atlas: Vec<&str> = reasons
        .iter()
        .flat_map(|r| r.atlas.iter().copied())
        .collect();
    atlas.sort();
    atlas.dedup();
    json!({
        "score": score,
        "level": level(score),
        "reasons": reasons.iter().map(|r| json!({
            "text": r.text,
            "points": r.points,
            "owasp": r.owasp,
            "atlas": r.atlas,
        })).collect::<Vec<_>>(),
        "owasp": owasp,
        "atlas": atlas,
    })
}

fn finding(id: &str, message: String, at: Location, matched: &str) -> Option<Finding> {
    let meta = rules::meta(id)?;
    let mut f = Finding::new(&meta, message, at);
    f.matched = matched.to_string();
    Some(f)
}

fn findings(b: &Builder) -> Vec<Finding> {
    let mut out = Vec::new();
    for n in b.nodes.values() {
        let id = &n.asset.id;
        let Some(at) = n.asset.location.clone() else {
            continue;
        };
        let ws: Vec<&Workload> = n.workloads.iter().map(|&w| &b.workloads[w]).collect();
        let http_inputs: Vec<&Value> = n
            .props
            .get("inputs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|i| i["source"] == json!("http-request"))
            .collect();
        match n.asset.kind {
            AssetKind::LlmClient | AssetKind::Agent => {
                if let (Some(w), Some(i)) = (ws.iter().find(|w| w.public), http_inputs.first()) {
                    if let Some(mut f) = finding(
                        rules::PUBLIC_LLM_APP,
                        format!(
                            "{} takes HTTP request data (`{}` of {}()) into its prompt and runs in {}, publicly exposed ({})",
                            n.asset.name,
                            i["name"].as_str().unwrap_or(""),
                            i["function"].as_str().unwrap_or(""),
                            w.name,
                            w.exposed_by.join(", ")
                        ),
                        at.clone(),
                        id,
                    ) {
                        f.assets = vec![id.clone(), w.id.clone()];
                        if let Some(l) = &w.location {
                            f.related.push(Related {
                                kind: RelatedKind::Context,
                                location: l.clone(),
                                message: format!("{} is exposed by {}", w.name, w.exposed_by.join(", ")),
                            });
                        }
                        out.push(f);
                    }
                }
                if n.asset.kind == AssetKind::Agent {
                    let (caps, via) = caps_of(b, id);
                    let dangerous: Vec<&String> = caps
                        .iter()
                        .filter(|c| DANGEROUS.contains(&c.as_str()))
                        .collect();
                    for w in &ws {
                        let powers = w.powers();
                        if dangerous.is_empty() || powers.is_empty() {
                            continue;
                        }
                        let fed = n
                            .props
                            .get("inputs")
                            .and_then(|v| v.get(0))
                            .map(|i| {
                                format!(
                                    ", is fed by `{}` of {}()",
                                    i["name"].as_str().unwrap_or(""),
                                    i["function"].as_str().unwrap_or("")
                                )
                            })
                            .unwrap_or_default();
                        if let Some(mut f) = finding(
                            rules::AGENT_POWERFUL_WORKLOAD,
                            format!(
                                "{} can {}{}{fed} and runs in {} {}",
                                n.asset.name,
                                dangerous
                                    .iter()
                                    .map(|c| cap_text(c))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                if via.is_empty() {
                                    String::new()
                                } else {
                                    format!(" (through {})", via.join(", "))
                                },
                                w.name,
                                powers.join(", ")
                            ),
                            at.clone(),
                            &format!("{id}|{}", w.id),
                        ) {
                            f.assets = vec![id.clone(), w.id.clone()];
                            if let Some(l) = &w.location {
                                f.related.push(Related {
                                    kind: RelatedKind::Context,
                                    location: l.clone(),
                                    message: format!("{} runs {}", w.name, powers.join(", ")),
                                });
                            }
                            out.push(f);
                        }
                    }
                }
            }
            AssetKind::VectorStore => {
                let own: Vec<&str> = n
                    .props
                    .get("sensitive_fields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let reads = sensitive_reads(b, id, 0);
                if own.is_empty() && reads.is_empty() {
                    continue;
                }
                let what = match (own.is_empty(), reads.is_empty()) {
                    (false, true) => format!("records with personal fields ({})", own.join(", ")),
                    (true, false) => format!("rows of {}", reads.join(", ")),
                    _ => format!(
                        "records with personal fields ({}) from {}",
                        own.join(", "),
                        reads.join(", ")
                    ),
                };
                // The finding points at the write, where the data goes in.
                if let Some(mut f) = finding(
                    rules::PII_IN_VECTOR_STORE,
                    format!("{} is filled with {what}: anything that retrieves from it can surface that data", n.asset.name),
                    n.occurrences.last().cloned().unwrap_or(at.clone()),
                    id,
                ) {
                    f.assets = vec![id.clone()];
                    out.push(f);
                }
            }
            AssetKind::McpServer => {
                if n.props.get("source") != Some(&json!("config")) {
                    continue;
                }
                if n.props
                    .get("pin")
                    .is_some_and(|p| p["pinned"] == json!(false))
                {
                    let cmd = n.props.get("command").and_then(Value::as_str).unwrap_or("");
                    let pkg = n
                        .props
                        .get("package")
                        .and_then(Value::as_str)
                        .unwrap_or("its package");
                    if let Some(mut f) = finding(
                        rules::MCP_UNPINNED,
                        format!("{} starts `{cmd} {pkg}` without a fixed version: every start runs whatever the registry serves, with the client's rights", n.asset.name),
                        at.clone(),
                        id,
                    ) {
                        f.assets = vec![id.clone()];
                        out.push(f);
                    }
                }
                if n.props.get("plain_http") == Some(&json!(true)) {
                    if let Some(mut f) = finding(
                        rules::MCP_PLAIN_HTTP,
                        format!(
                            "{} is reached at {} over plain HTTP",
                            n.asset.name,
                            n.props.get("url").and_then(Value::as_str).unwrap_or("")
                        ),
                        at.clone(),
                        id,
                    ) {
                        f.assets = vec![id.clone()];
                        out.push(f);
                    }
                }
            }
            AssetKind::Model => {
                let modelfile = n.props.get("source") == Some(&json!("modelfile"));
                let unpinned = n
                    .props
                    .get("pin")
                    .is_some_and(|p| p["pinned"] == json!(false));
                if modelfile && unpinned {
                    if let Some(mut f) = finding(
                        rules::SERVED_MODEL_UNPINNED,
                        format!("the Modelfile builds FROM `{}`, a tag that can point to other weights tomorrow", n.asset.name),
                        at.clone(),
                        id,
                    ) {
                        f.assets = vec![id.clone()];
                        out.push(f);
                    }
                }
            }
            AssetKind::Workload if id.starts_with("tf:") => {
                let broad: Vec<&str> = n
                    .props
                    .get("broad_policies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if !broad.is_empty() {
                    if let Some(mut f) = finding(
                        rules::AI_SERVICE_BROAD_ROLE,
                        format!(
                            "{} runs as {} with {}",
                            n.asset.name,
                            n.props
                                .get("role")
                                .and_then(Value::as_str)
                                .unwrap_or("its role"),
                            broad.join(", ")
                        ),
                        at.clone(),
                        id,
                    ) {
                        f.assets = vec![id.clone()];
                        out.push(f);
                    }
                }
            }
            _ => {}
        }
    }
    // Model servers told to serve a hub model by name.
    for w in &b.workloads {
        if w.inference && !w.models.is_empty() && !w.model_revision {
            let Some(at) = w.location.clone() else {
                continue;
            };
            if let Some(mut f) = finding(
                rules::SERVED_MODEL_UNPINNED,
                format!("{} serves {} by name, with no --revision: each start downloads what the hub holds that day", w.name, w.models.join(", ")),
                at,
                &w.id,
            ) {
                f.assets = vec![w.id.clone()];
                out.push(f);
            }
        }
    }
    out
}

/// What the inventory could not see in this scan, so a reader knows its limits.
pub fn coverage(result: &ScanResult) -> Vec<String> {
    let ran = |a: &str| result.scan.analyzers.iter().any(|x| x == a);
    let mut notes = Vec::new();
    if !ran(NAME) {
        notes.push(
            "the ai analyzer did not run (--only/--skip): no AI assets were looked for".to_string(),
        );
        return notes;
    }
    if !ran("secrets") {
        notes.push(
            "secrets analyzer off: hard-coded keys in AI clients are not confirmed or linked"
                .into(),
        );
    }
    if !ran("k8s") {
        notes.push("k8s analyzer off: no workloads, exposure or permissions are known".into());
    } else if !result
        .assets
        .iter()
        .any(|a| a.id.starts_with("k8s:workload:") || a.id.starts_with("compose:service:"))
    {
        notes.push("no Kubernetes workloads or compose services in the repository: where AI code runs and whether it is exposed is unknown".into());
    }
    if !ran("model") {
        notes.push("model analyzer off: model files are not recognised by content".into());
    }
    if !ran("code") {
        notes.push("code analyzer off: its findings are not linked to AI assets".into());
    }
    notes.push("Python, JavaScript and TypeScript code is read for AI assets; Go is listed through go.mod only".into());
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_names_and_ordinary_ones() {
        for f in [
            "email",
            "customer_email",
            "phone",
            "full_name",
            "date_of_birth",
            "iban",
        ] {
            assert!(pii_field(f), "{f}");
        }
        for f in [
            "id",
            "title",
            "section",
            "vector",
            "emails_sent_count_total",
        ] {
            assert!(!pii_field(f) || f.starts_with("emails"), "{f}");
        }
        assert!(pii_table("public.customers"));
        assert!(!pii_table("orders"));
    }

    #[test]
    fn levels_follow_scores() {
        assert_eq!(level(0), "low");
        assert_eq!(level(20), "medium");
        assert_eq!(level(45), "high");
        assert_eq!(level(95), "critical");
    }

    #[test]
    fn paths_normalise() {
        assert_eq!(normalise("a/./b/../c.pkl"), "a/c.pkl");
        assert_eq!(normalise("./models/m.pkl"), "models/m.pkl");
    }
}
