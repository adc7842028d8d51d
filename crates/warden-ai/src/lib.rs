//! The `ai` analyzer: the AI inventory.
//!
//! Per file it sights AI assets — LLM clients, hub models and model files loaded by code, agents and the tools
//! they are given, vector stores and the data they index, MCP servers (configs and code), Ollama Modelfiles,
//! AI packages of dependency manifests, and AI services in Terraform — and publishes them as one `ai/file`
//! fact per file. Its cross-domain phase ([`Analyzer::correlate`]) joins those sightings with what the other
//! analyzers published — Kubernetes workloads and their exposure, service accounts and permissions, credential
//! findings, model-file findings — into assets and edges, gives every AI asset a risk score with its reasons,
//! and reports the stories no single analyzer sees as `ai/…` findings.

pub mod assess;
pub mod catalog;
pub mod inventory;
pub mod js;
pub mod manifest;
pub mod python;
pub mod rules;
pub mod sighting;
pub mod sql;
pub mod terraform;

use serde::Deserialize;
use warden_core::{
    Analyzer, AnalyzerSetup, Claim, Fact, FileMeta, FileOutput, FinishOutput, RuleMeta, ScanResult,
    SourceFile,
};

/// The analyzer's name: rule-id prefix, `--only`/`--skip` name and `warden.toml` section.
pub const NAME: &str = "ai";
/// The kind of the per-file fact.
pub const FACT_FILE: &str = "ai/file";
/// A top-level module of the repository whose name is also an AI library's (`agents/`, `datasets.py`): imports
/// of that name are the repository's own, not the library.
pub const FACT_LOCAL_MODULE: &str = "ai/local-module";

/// AI libraries whose import names a repository may well use for its own packages.
pub const SHADOWED_NAMES: &[&str] = &[
    "agents", "datasets", "mcp", "tools", "ollama", "together", "groq", "guidance",
];

/// The top-level module a Python file makes importable from the repository root or `src/`, when its name is
/// one of [`SHADOWED_NAMES`].
fn local_module(path: &str) -> Option<&str> {
    let rel = path.strip_prefix("src/").unwrap_or(path);
    let first = rel.split('/').next()?;
    let name = if rel.contains('/') {
        first
    } else {
        first.strip_suffix(".py")?
    };
    SHADOWED_NAMES.contains(&name).then_some(name)
}

/// `[ai]` in `warden.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Answers to the self-assessment's questions the repository cannot show (`warden assess`).
    #[serde(default)]
    pub assess: assess::Answers,
    /// Service directory → workload names it is deployed as, where names do not match
    /// (`services/agent = ["Deployment/ops/ticket-agent"]`).
    #[serde(default)]
    pub deployments: std::collections::BTreeMap<String, Vec<String>>,
}

pub struct AiAnalyzer {
    rules: Vec<RuleMeta>,
    settings: Settings,
}

impl AiAnalyzer {
    pub fn from_setup(setup: &AnalyzerSetup) -> Result<Self, String> {
        let settings = match setup.config.section(NAME) {
            Some(s) => s.parse(NAME).map_err(|e| e.to_string())?,
            None => Settings::default(),
        };
        Ok(AiAnalyzer {
            rules: rules::all().iter().map(|r| r.meta()).collect(),
            settings,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// What the analyzer reads a file as.
enum Format {
    Python,
    Js,
    Other(manifest::Kind),
}

fn format_of(path: &str) -> Option<Format> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".py") {
        return Some(Format::Python);
    }
    let js = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"];
    let declarations = [".d.ts", ".d.mts", ".d.cts"];
    if js.iter().any(|e| lower.ends_with(e)) && !declarations.iter().any(|e| lower.ends_with(e)) {
        return Some(Format::Js);
    }
    manifest::kind_of(path).map(Format::Other)
}

/// Source code the inventory reads for sightings (Python, JavaScript, TypeScript), by path.
pub fn is_code(path: &str) -> bool {
    matches!(format_of(path), Some(Format::Python | Format::Js))
}

impl Analyzer for AiAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    fn rules_digest_input(&self) -> Vec<u8> {
        let mut v = catalog::CATALOG_TOML.as_bytes().to_vec();
        v.extend_from_slice(js::CATALOG_JS_TOML.as_bytes());
        v.extend_from_slice(rules::RULES_TOML.as_bytes());
        v
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        match format_of(file.path) {
            Some(_) if !file.binary => Claim::Text,
            _ => Claim::Skip,
        }
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let Some(format) = format_of(file.meta.path) else {
            return;
        };
        let bytes = file.bytes();
        if matches!(format, Format::Python) {
            if let Some(m) = local_module(file.meta.path) {
                out.facts.push(Fact {
                    analyzer: NAME.into(),
                    kind: FACT_LOCAL_MODULE.into(),
                    path: file.meta.path.to_string(),
                    data: serde_json::json!({ "module": m }),
                });
            }
        }
        let result = match format {
            Format::Python => {
                if !python::worth_parsing(bytes) {
                    return;
                }
                python::scan(bytes)
            }
            Format::Js => {
                if !js::worth_parsing(bytes) {
                    return;
                }
                js::scan(bytes, file.meta.path)
            }
            Format::Other(kind) => match std::str::from_utf8(bytes) {
                Ok(text) => manifest::scan(kind, file.meta.path, text),
                Err(_) => Err("not UTF-8".into()),
            },
        };
        match result {
            Ok(facts) if !facts.is_empty() => out.facts.push(Fact {
                analyzer: NAME.into(),
                kind: FACT_FILE.into(),
                path: file.meta.path.to_string(),
                data: serde_json::to_value(&facts).unwrap_or_default(),
            }),
            Ok(_) => {}
            // The inventory misses this file's assets; the other analyzers still read it.
            Err(e) => out
                .partial
                .push(format!("AI inventory: {e}; its assets are not listed")),
        }
    }

    fn correlate(&self, result: &mut ScanResult) -> FinishOutput {
        inventory::build(result, &self.settings)
    }
}

#[cfg(test)]
mod tests {
    use super::local_module;

    #[test]
    fn a_repository_package_can_shadow_an_ai_library() {
        assert_eq!(local_module("agents/__init__.py"), Some("agents"));
        assert_eq!(local_module("src/agents/planner.py"), Some("agents"));
        assert_eq!(local_module("datasets.py"), Some("datasets"));
        assert_eq!(local_module("services/agents/app.py"), None);
        assert_eq!(local_module("openai.py"), None);
    }
}
