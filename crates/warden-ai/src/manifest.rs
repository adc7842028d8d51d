//! AI assets outside code: MCP server configs of editors and agents, Ollama Modelfiles, the AI packages of
//! dependency manifests, and AI services in Terraform.

use crate::sighting::{Dependency, FileFacts, KeySource, Pin, Sighting};
use serde_json::Value;

/// Which non-code format a path is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mcp,
    Modelfile,
    Requirements,
    Pyproject,
    PackageJson,
    GoMod,
    Pipfile,
    Dockerfile,
    Terraform,
    /// `poetry.lock`, `uv.lock`, `pdm.lock`: TOML `[[package]]` tables.
    PyLock,
    /// `package-lock.json` / `npm-shrinkwrap.json`.
    PackageLock,
    /// An incident-response plan, runbook or security policy (for the self-assessment).
    Doc,
}

/// The format of a file by its path (relative, `/`-separated).
pub fn kind_of(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let parent = path.rsplit('/').nth(1).unwrap_or("");
    Some(match lower.as_str() {
        "mcp.json"
        | ".mcp.json"
        | "claude_desktop_config.json"
        | "mcp_config.json"
        | "cline_mcp_settings.json"
        | "mcp_settings.json" => Kind::Mcp,
        "settings.json" if parent == ".gemini" => Kind::Mcp,
        "modelfile" => Kind::Modelfile,
        "pyproject.toml" => Kind::Pyproject,
        "package.json" => Kind::PackageJson,
        "go.mod" => Kind::GoMod,
        "pipfile" => Kind::Pipfile,
        "poetry.lock" | "uv.lock" | "pdm.lock" => Kind::PyLock,
        "package-lock.json" | "npm-shrinkwrap.json" => Kind::PackageLock,
        "dockerfile" | "containerfile" => Kind::Dockerfile,
        _ if lower.ends_with(".modelfile") => Kind::Modelfile,
        _ if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") => Kind::Dockerfile,
        _ if lower.ends_with(".txt")
            && (lower.starts_with("requirements") || parent == "requirements") =>
        {
            Kind::Requirements
        }
        _ if lower.ends_with(".tf") => Kind::Terraform,
        _ if (lower.ends_with(".md") || lower.ends_with(".rst") || lower.ends_with(".txt"))
            && (lower.contains("incident")
                || lower.contains("runbook")
                || lower.contains("playbook")
                || lower == "security.md") =>
        {
            Kind::Doc
        }
        _ => return None,
    })
}

/// Packages that make a project an AI project, by ecosystem (prefixes end with `*`).
const AI_PACKAGES: &[(&str, &[&str])] = &[
    (
        "pypi",
        &[
            "openai",
            "anthropic",
            "langchain*",
            "langgraph*",
            "llama-index*",
            "llama_index*",
            "transformers",
            "torch",
            "tensorflow",
            "keras",
            "sentence-transformers",
            "pinecone*",
            "weaviate-client",
            "qdrant-client",
            "chromadb",
            "pymilvus",
            "faiss-cpu",
            "faiss-gpu",
            "cohere",
            "mistralai",
            "groq",
            "google-generativeai",
            "google-genai",
            "google-cloud-aiplatform",
            "vertexai",
            "litellm",
            "ollama",
            "crewai*",
            "autogen*",
            "pyautogen",
            "ag2",
            "semantic-kernel",
            "openai-agents",
            "mcp",
            "fastmcp",
            "smolagents",
            "pydantic-ai*",
            "huggingface-hub",
            "datasets",
            "diffusers",
            "accelerate",
            "peft",
            "vllm",
            "tiktoken",
            "lancedb",
            "pgvector",
            "instructor",
            "dspy*",
            "haystack-ai",
            "guidance",
            "scikit-learn",
            "xgboost",
            "lightgbm",
            "onnx",
            "onnxruntime*",
            "safetensors",
            "llama-cpp-python",
            "together",
            "boto3-bedrock",
            "skops",
            "langsmith",
            "optimum",
            "timm",
            "open-clip-torch",
            "unstructured",
            "tokenizers",
        ],
    ),
    (
        "npm",
        &[
            "openai",
            "@anthropic-ai/*",
            "@google/generative-ai",
            "@google/genai",
            "langchain",
            "@langchain/*",
            "llamaindex",
            "ai",
            "@ai-sdk/*",
            "@pinecone-database/pinecone",
            "chromadb",
            "@qdrant/*",
            "weaviate-client",
            "weaviate-ts-client",
            "@modelcontextprotocol/*",
            "@mistralai/mistralai",
            "groq-sdk",
            "cohere-ai",
            "ollama",
            "@huggingface/*",
            "@xenova/transformers",
            "@zilliz/milvus2-sdk-node",
            "@aws-sdk/client-bedrock-runtime",
            "@azure/openai",
            "@openai/agents",
            "fastmcp",
            "@lancedb/lancedb",
        ],
    ),
    (
        "golang",
        &[
            "github.com/sashabaranov/go-openai",
            "github.com/openai/openai-go*",
            "github.com/anthropics/anthropic-sdk-go",
            "github.com/tmc/langchaingo",
            "google.golang.org/genai",
            "github.com/google/generative-ai-go",
            "github.com/mark3labs/mcp-go",
            "github.com/modelcontextprotocol/go-sdk",
            "github.com/ollama/ollama",
            "github.com/pinecone-io/go-pinecone*",
            "github.com/qdrant/go-client",
            "github.com/weaviate/weaviate-go-client*",
            "github.com/milvus-io/milvus-sdk-go*",
            "github.com/cohere-ai/cohere-go*",
        ],
    ),
];

/// The PyPI package that provides a top-level module, where the two differ.
pub fn pypi_package_of(module: &str) -> String {
    match module {
        "sklearn" => "scikit-learn".into(),
        "google.genai" => "google-genai".into(),
        "google.generativeai" => "google-generativeai".into(),
        "vertexai" => "google-cloud-aiplatform".into(),
        "weaviate" => "weaviate-client".into(),
        "faiss" => "faiss-cpu".into(),
        "llama_cpp" => "llama-cpp-python".into(),
        "agents" => "openai-agents".into(),
        "open_clip" => "open-clip-torch".into(),
        "autogen" => "autogen-agentchat".into(),
        m => m.to_ascii_lowercase().replace('_', "-"),
    }
}

/// Whether a package (normalised: lowercase, `_` as `-` for PyPI) is an AI package.
pub fn is_ai_package(ecosystem: &str, name: &str) -> bool {
    let name = if ecosystem == "pypi" {
        name.to_ascii_lowercase().replace(['_', '.'], "-")
    } else {
        name.to_string()
    };
    AI_PACKAGES
        .iter()
        .filter(|(e, _)| *e == ecosystem)
        .flat_map(|(_, list)| list.iter())
        .any(|p| match p.strip_suffix('*') {
            Some(prefix) => name.starts_with(&prefix.replace('_', "-")) || name.starts_with(prefix),
            None => name == *p || name == p.replace('_', "-"),
        })
}

pub fn scan(kind: Kind, path: &str, text: &str) -> Result<FileFacts, String> {
    let mut facts = FileFacts::default();
    match kind {
        Kind::Mcp => facts.sightings = mcp(path, text)?,
        Kind::Modelfile => facts.sightings = modelfile(text),
        Kind::Requirements => {
            facts.manifest = true;
            facts.dependencies = requirements(text);
        }
        Kind::Pipfile => {
            facts.manifest = true;
            facts.dependencies = toml_deps(text, &["packages", "dev-packages"])?;
        }
        Kind::Pyproject => {
            facts.manifest = true;
            facts.dependencies = pyproject(text)?;
        }
        Kind::PackageJson => {
            facts.manifest = true;
            facts.dependencies = package_json(text)?;
        }
        Kind::GoMod => {
            facts.manifest = true;
            facts.dependencies = go_mod(text);
        }
        Kind::Dockerfile => facts.manifest = true,
        Kind::PyLock => {
            facts.manifest = true;
            facts.dependencies = py_lock(text)?;
        }
        Kind::PackageLock => {
            facts.manifest = true;
            facts.dependencies = package_lock(text)?;
        }
        Kind::Terraform => facts.sightings = crate::terraform::scan(text)?,
        Kind::Doc => facts.sightings = incident_plan(text),
    }
    Ok(facts)
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() as u32 + 1)
}

/// `servers` (VS Code) or `mcpServers` (Claude, Cursor, Cline, Gemini CLI) of an MCP config.
fn mcp(path: &str, text: &str) -> Result<Vec<Sighting>, String> {
    let v: Value = serde_json::from_str(strip_jsonc(text).as_str())
        .map_err(|e| format!("invalid JSON in MCP config: {e}"))?;
    let servers = v
        .get("servers")
        .or_else(|| v.get("mcpServers"))
        .or_else(|| v.get("mcp").and_then(|m| m.get("servers")))
        .and_then(Value::as_object);
    let Some(servers) = servers else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for (name, cfg) in servers {
        let line = line_of(text, &format!("\"{name}\""));
        let command = cfg.get("command").and_then(Value::as_str).unwrap_or("");
        let args: Vec<String> = cfg
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let url = cfg
            .get("url")
            .or_else(|| cfg.get("serverUrl"))
            .or_else(|| cfg.get("httpUrl"))
            .and_then(Value::as_str);
        let mut s = Sighting {
            kind: "mcp-server".into(),
            name: name.clone(),
            line,
            end_line: line,
            framework: Some("MCP".into()),
            ..Default::default()
        };
        s.extra.insert("source".into(), "config".into());
        s.extra.insert("config".into(), path.into());
        if let Some(url) = url {
            s.extra.insert("transport".into(), "remote".into());
            let plain = url.starts_with("http://")
                && !url.starts_with("http://localhost")
                && !url.starts_with("http://127.0.0.1");
            s.extra.insert("url".into(), redact_url(url).into());
            s.extra.insert("plain_http".into(), plain.into());
            s.pin = Some(Pin {
                pinned: true,
                revision: None,
                how: "remote".into(),
            });
        } else {
            s.extra.insert("transport".into(), "stdio".into());
            s.extra.insert("command".into(), command.into());
            let (package, pin) = launched_package(command, &args);
            if let Some(p) = package {
                s.extra.insert("package".into(), p.into());
            }
            s.pin = Some(pin);
        }
        // What it reaches: paths and databases among its arguments.
        let mut reaches = Vec::new();
        for a in &args {
            if let Some((name, target)) = crate::python::describe_uri(a) {
                reaches.push(name);
                s.target.get_or_insert(target);
                s.capabilities.push("sql".into());
            } else if a.starts_with('/') || a.starts_with("~/") || a.starts_with("./") {
                reaches.push(a.clone());
                s.capabilities.push("file-read".into());
                s.capabilities.push("file-write".into());
            }
        }
        let pkg = s
            .extra
            .get("package")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if pkg.contains("filesystem") && !s.capabilities.is_empty() {
            // The reference filesystem server reads and writes under its allowed directories.
        } else if pkg.contains("shell")
            || pkg.contains("terminal")
            || pkg.contains("desktop-commander")
        {
            s.capabilities.push("shell".into());
        } else if pkg.contains("fetch") || pkg.contains("puppeteer") || pkg.contains("playwright") {
            s.capabilities.push("http".into());
        }
        s.capabilities.sort();
        s.capabilities.dedup();
        s.collections = reaches;
        if let Some(env) = cfg.get("env").and_then(Value::as_object) {
            let names: Vec<String> = env.keys().cloned().collect();
            let literal = env.iter().any(|(k, v)| {
                v.as_str()
                    .is_some_and(|v| !v.is_empty() && !v.starts_with("${") && !v.starts_with('$'))
                    && looks_secret_name(k)
            });
            s.key = Some(KeySource {
                from: if literal { "hard-coded" } else { "env" }.into(),
                env: names,
                line,
            });
        }
        out.push(s);
    }
    Ok(out)
}

fn looks_secret_name(k: &str) -> bool {
    let k = k.to_ascii_uppercase();
    ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASS", "CREDENTIAL"]
        .iter()
        .any(|w| k.contains(w))
}

fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
            let rest = rest.split('?').next().unwrap_or(rest);
            format!("{scheme}://{rest}")
        }
        None => url.to_string(),
    }
}

/// The package an MCP launcher runs and whether its version is fixed: `npx -y pkg@1.2.3`, `uvx pkg==1.0`,
/// `docker run image@sha256:…`.
fn launched_package(command: &str, args: &[String]) -> (Option<String>, Pin) {
    let cmd = command.rsplit('/').next().unwrap_or(command);
    let first_pkg = |skip_flags: bool| {
        args.iter()
            .find(|a| {
                !(skip_flags && a.starts_with('-')) && *a != "run" && *a != "dlx" && *a != "exec"
            })
            .cloned()
    };
    let unpinned = |p: Option<String>| {
        (
            p,
            Pin {
                pinned: false,
                revision: None,
                how: "none".into(),
            },
        )
    };
    match cmd {
        "npx" | "bunx" | "pnpm" | "yarn" => {
            let Some(p) = first_pkg(true) else {
                return unpinned(None);
            };
            // `@scope/name@1.2.3` or `name@1.2.3`; a dist-tag (`@latest`) is not a version.
            let at = p.rfind('@').filter(|&i| i > 0);
            match at {
                Some(i) => {
                    let v = &p[i + 1..];
                    let exact = v.chars().next().is_some_and(|c| c.is_ascii_digit())
                        && !v.contains(['^', '~', '*', 'x', '>', '<']);
                    (
                        Some(p[..i].to_string()),
                        Pin {
                            pinned: exact,
                            revision: Some(v.to_string()),
                            how: if exact { "version" } else { "mutable-ref" }.into(),
                        },
                    )
                }
                None => unpinned(Some(p)),
            }
        }
        "uvx" | "pipx" | "uv" => {
            let Some(p) = args
                .iter()
                .skip_while(|a| *a == "run" || *a == "tool")
                .find(|a| !a.starts_with('-'))
                .cloned()
            else {
                return unpinned(None);
            };
            match p.split_once("==") {
                Some((n, v)) => (
                    Some(n.to_string()),
                    Pin {
                        pinned: true,
                        revision: Some(v.to_string()),
                        how: "version".into(),
                    },
                ),
                None => unpinned(Some(p)),
            }
        }
        "docker" | "podman" => {
            let image = args
                .iter()
                .skip_while(|a| *a != "run")
                .skip(1)
                .scan(false, |skip_next, a| {
                    let this = *skip_next;
                    *skip_next = matches!(
                        a.as_str(),
                        "-e" | "--env" | "-v" | "--volume" | "--name" | "-p" | "--network"
                    );
                    Some((this, a))
                })
                .find(|(skipped, a)| !skipped && !a.starts_with('-'))
                .map(|(_, a)| a.clone());
            match image {
                Some(i) if i.contains("@sha256:") => (
                    Some(i.clone()),
                    Pin {
                        pinned: true,
                        revision: i.split_once('@').map(|(_, d)| d.to_string()),
                        how: "digest".into(),
                    },
                ),
                Some(i) => unpinned(Some(i)),
                None => unpinned(None),
            }
        }
        "" => unpinned(None),
        other => (
            Some(other.to_string()),
            Pin {
                pinned: true,
                revision: None,
                how: "local".into(),
            },
        ),
    }
}

/// JSON with comments and trailing commas (VS Code's settings dialect) to JSON: comments outside strings are
/// blanked and a comma before `}`/`]` dropped; line numbers stay.
fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                out.push(c);
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    if b[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
                i += 2;
            }
            b',' => {
                let next = b[i + 1..].iter().find(|x| !x.is_ascii_whitespace());
                if !matches!(next, Some(b'}') | Some(b']')) {
                    out.push(c);
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A document that plans incident response and speaks of AI systems.
fn incident_plan(text: &str) -> Vec<Sighting> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let ai = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(AI|LLM|LLMs|model|models|prompt injection|machine learning|agent|agents)\b",
        )
        .expect("re")
    });
    let incident = text.to_ascii_lowercase().contains("incident");
    match ai.find(text) {
        Some(m) if incident => {
            let line = text[..m.start()].matches('\n').count() as u32 + 1;
            vec![Sighting {
                kind: "ir-plan".into(),
                name: "incident response plan".into(),
                line,
                end_line: line,
                ..Default::default()
            }]
        }
        _ => vec![],
    }
}

/// `FROM base` of an Ollama Modelfile: a model by tag, a digest, or a local weights file.
fn modelfile(text: &str) -> Vec<Sighting> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let Some(rest) = line
            .split_once(char::is_whitespace)
            .filter(|(k, _)| k.eq_ignore_ascii_case("FROM"))
            .map(|(_, r)| r.trim())
        else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let local = rest.starts_with('.')
            || rest.starts_with('/')
            || rest.ends_with(".gguf")
            || rest.ends_with(".bin");
        let digest = rest.contains("@sha256:");
        out.push(Sighting {
            kind: if local { "model-file" } else { "model" }.into(),
            name: rest.to_string(),
            line: i as u32 + 1,
            end_line: i as u32 + 1,
            provider: Some(if local { "local" } else { "Ollama library" }.into()),
            framework: Some("Ollama".into()),
            pin: Some(Pin {
                pinned: local || digest,
                revision: rest
                    .split_once(':')
                    .map(|(_, t)| t.to_string())
                    .filter(|_| !local),
                how: if local {
                    "local"
                } else if digest {
                    "digest"
                } else {
                    "mutable-ref"
                }
                .into(),
            }),
            target: local.then(|| rest.to_string()),
            ..Default::default()
        });
    }
    out
}

fn pep508(spec: &str, line: u32) -> Option<Dependency> {
    let spec = spec.split(';').next().unwrap_or(spec).trim();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(spec.len());
    let name = &spec[..end];
    if name.is_empty() {
        return None;
    }
    let rest = spec[end..].trim();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']').map_or("", |(_, r)| r).trim(),
        None => rest,
    };
    let (pinned, version) = match rest.strip_prefix("==") {
        Some(v) if !v.contains(['*', ',']) => (true, Some(v.trim().to_string())),
        _ if rest.is_empty() => (false, None),
        _ => (false, Some(rest.to_string())),
    };
    is_ai_package("pypi", name).then(|| Dependency {
        ecosystem: "pypi".into(),
        name: name.to_ascii_lowercase().replace('_', "-"),
        version,
        pinned,
        line,
    })
}

fn requirements(text: &str) -> Vec<Dependency> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.split(" #").next().unwrap_or(l).trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with('-') || l.contains("://") {
                return None;
            }
            pep508(l, i as u32 + 1)
        })
        .collect()
}

fn pyproject(text: &str) -> Result<Vec<Dependency>, String> {
    let v: toml::Value = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    let mut out = Vec::new();
    let line = |name: &str| line_of(text, name);
    if let Some(deps) = v
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
    {
        for d in deps.iter().filter_map(|d| d.as_str()) {
            let l = line(d);
            out.extend(pep508(d, l));
        }
    }
    if let Some(groups) = v
        .get("project")
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(|d| d.as_table())
    {
        for d in groups
            .values()
            .filter_map(|g| g.as_array())
            .flatten()
            .filter_map(|d| d.as_str())
        {
            let l = line(d);
            out.extend(pep508(d, l));
        }
    }
    if let Some(t) = v
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table())
    {
        for (name, spec) in t {
            let version = spec.as_str().map(str::to_string).or_else(|| {
                spec.get("version")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
            if is_ai_package("pypi", name) {
                let pinned = version.as_deref().is_some_and(|v| {
                    v.chars().next().is_some_and(|c| c.is_ascii_digit()) && !v.contains('*')
                });
                out.push(Dependency {
                    ecosystem: "pypi".into(),
                    name: name.to_ascii_lowercase().replace('_', "-"),
                    version: version.map(|v| v.trim_start_matches("==").to_string()),
                    pinned,
                    line: line(name),
                });
            }
        }
    }
    Ok(out)
}

fn toml_deps(text: &str, tables: &[&str]) -> Result<Vec<Dependency>, String> {
    let v: toml::Value = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    let mut out = Vec::new();
    for t in tables {
        if let Some(t) = v.get(*t).and_then(|t| t.as_table()) {
            for (name, spec) in t {
                let version = spec.as_str().map(str::to_string).or_else(|| {
                    spec.get("version")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                });
                if is_ai_package("pypi", name) {
                    out.push(Dependency {
                        ecosystem: "pypi".into(),
                        name: name.to_ascii_lowercase().replace('_', "-"),
                        pinned: version.as_deref().is_some_and(|v| v.starts_with("==")),
                        version: version
                            .filter(|v| v != "*")
                            .map(|v| v.trim_start_matches("==").to_string()),
                        line: line_of(text, name),
                    });
                }
            }
        }
    }
    Ok(out)
}

fn package_json(text: &str) -> Result<Vec<Dependency>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = Vec::new();
    for section in [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ] {
        let Some(deps) = v.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, ver) in deps {
            if !is_ai_package("npm", name) {
                continue;
            }
            let ver = ver.as_str().unwrap_or("").to_string();
            let pinned = ver.chars().next().is_some_and(|c| c.is_ascii_digit())
                && !ver.contains(['^', '~', '*', 'x', '>', '<', ' ']);
            out.push(Dependency {
                ecosystem: "npm".into(),
                name: name.clone(),
                version: (!ver.is_empty()).then_some(ver),
                pinned,
                line: line_of(text, &format!("\"{name}\"")),
            });
        }
    }
    Ok(out)
}

/// `[[package]]` tables of a Python lockfile: every AI package with its locked version.
fn py_lock(text: &str) -> Result<Vec<Dependency>, String> {
    let v: toml::Value = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    let mut out = Vec::new();
    for p in v
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(version)) = (
            p.get("name").and_then(|n| n.as_str()),
            p.get("version").and_then(|n| n.as_str()),
        ) else {
            continue;
        };
        if is_ai_package("pypi", name) {
            out.push(Dependency {
                ecosystem: "pypi".into(),
                name: name.to_ascii_lowercase().replace('_', "-"),
                version: Some(version.to_string()),
                pinned: true,
                line: line_of(text, &format!("name = \"{name}\"")),
            });
        }
    }
    Ok(out)
}

/// `packages` (lockfile v2/v3) or `dependencies` (v1) of an npm lockfile.
fn package_lock(text: &str) -> Result<Vec<Dependency>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out: Vec<Dependency> = Vec::new();
    let mut push = |name: &str, version: Option<&str>, key: &str| {
        if !is_ai_package("npm", name) || out.iter().any(|d| d.name == name) {
            return;
        }
        out.push(Dependency {
            ecosystem: "npm".into(),
            name: name.to_string(),
            version: version.map(str::to_string),
            pinned: version.is_some(),
            line: line_of(text, &format!("\"{key}\"")),
        });
    };
    if let Some(pkgs) = v.get("packages").and_then(Value::as_object) {
        for (key, p) in pkgs {
            let Some(name) = key.rsplit("node_modules/").next().filter(|n| !n.is_empty()) else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            push(name, p.get("version").and_then(Value::as_str), key);
        }
    } else if let Some(deps) = v.get("dependencies").and_then(Value::as_object) {
        for (name, p) in deps {
            push(name, p.get("version").and_then(Value::as_str), name);
        }
    }
    Ok(out)
}

fn go_mod(text: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.split("//").next().unwrap_or(raw).trim();
        let spec = if in_block {
            if l == ")" {
                in_block = false;
                continue;
            }
            l
        } else if l == "require (" {
            in_block = true;
            continue;
        } else if let Some(r) = l.strip_prefix("require ") {
            r.trim()
        } else {
            continue;
        };
        let mut parts = spec.split_whitespace();
        let (Some(name), Some(ver)) = (parts.next(), parts.next()) else {
            continue;
        };
        if is_ai_package("golang", name) {
            out.push(Dependency {
                ecosystem: "golang".into(),
                name: name.to_string(),
                version: Some(ver.to_string()),
                pinned: true,
                line: i as u32 + 1,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vscode_mcp_config_with_an_unpinned_and_a_pinned_server() {
        let text = r#"{
  // comments are allowed in VS Code's files
  "servers": {
    "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/srv/data"]},
    "git": {"command": "uvx", "args": ["mcp-server-git==0.6.2"]},
    "remote": {"type": "http", "url": "http://mcp.example.com/mcp"},
  }
}"#;
        let s = mcp(".vscode/mcp.json", text).unwrap();
        assert_eq!(s.len(), 3);
        let fs = s.iter().find(|x| x.name == "fs").unwrap();
        assert!(!fs.pin.as_ref().unwrap().pinned);
        assert_eq!(
            fs.extra["package"],
            "@modelcontextprotocol/server-filesystem"
        );
        assert!(fs.capabilities.contains(&"file-write".to_string()));
        assert_eq!(fs.line, 4);
        let git = s.iter().find(|x| x.name == "git").unwrap();
        assert!(git.pin.as_ref().unwrap().pinned);
        let remote = s.iter().find(|x| x.name == "remote").unwrap();
        assert_eq!(remote.extra["plain_http"], true);
    }

    #[test]
    fn npx_versions_and_dist_tags() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(
            launched_package("npx", &args(&["-y", "@scope/pkg@1.2.3"]))
                .1
                .pinned
        );
        assert!(
            !launched_package("npx", &args(&["-y", "@scope/pkg@latest"]))
                .1
                .pinned
        );
        assert!(!launched_package("npx", &args(&["pkg"])).1.pinned);
        assert!(
            launched_package("docker", &args(&["run", "-i", "--rm", "img@sha256:abc"]))
                .1
                .pinned
        );
    }

    #[test]
    fn a_modelfile_names_its_base_model() {
        let s = modelfile("FROM llama3.1:8b\nPARAMETER temperature 0.2\n");
        assert_eq!(s[0].name, "llama3.1:8b");
        assert_eq!(s[0].pin.as_ref().unwrap().how, "mutable-ref");
        let local = modelfile("FROM ./weights/model.gguf\n");
        assert_eq!(local[0].kind, "model-file");
    }

    #[test]
    fn only_ai_packages_are_kept_with_their_pins() {
        let d = requirements(
            "fastapi==0.115.0\nopenai==1.51.0\nlangchain-community>=0.3\n# c\n-r base.txt\n",
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.name.as_str(), d.pinned, d.line))
            .collect();
        assert_eq!(
            got,
            [("openai", true, 2), ("langchain-community", false, 3)]
        );
        let p = package_json(r#"{"dependencies": {"openai": "^4.0.0", "express": "4", "@anthropic-ai/sdk": "0.30.1"}}"#).unwrap();
        assert_eq!(p.len(), 2);
        assert!(p.iter().any(|d| d.name == "@anthropic-ai/sdk" && d.pinned));
        let g = go_mod("module x\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.32.0\n\tgolang.org/x/text v0.3.0\n)\n");
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].line, 4);
    }

    #[test]
    fn lockfiles_give_exact_versions() {
        let p = py_lock("[[package]]\nname = \"openai\"\nversion = \"1.51.0\"\n\n[[package]]\nname = \"httpx\"\nversion = \"0.27.0\"\n").unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].version.as_deref(), p[0].pinned, p[0].line),
            (Some("1.51.0"), true, 2)
        );
        let n = package_lock(r#"{"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/openai": {"version": "4.67.0"}, "node_modules/express": {"version": "4.21.0"}, "node_modules/@langchain/core": {"version": "0.3.1"}}}"#).unwrap();
        let got: Vec<_> = n
            .iter()
            .map(|d| (d.name.as_str(), d.version.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("@langchain/core", Some("0.3.1")),
                ("openai", Some("4.67.0"))
            ]
        );
    }

    #[test]
    fn paths_name_their_format() {
        assert_eq!(kind_of(".vscode/mcp.json"), Some(Kind::Mcp));
        assert_eq!(kind_of(".cursor/mcp.json"), Some(Kind::Mcp));
        assert_eq!(kind_of("claude_desktop_config.json"), Some(Kind::Mcp));
        assert_eq!(kind_of(".gemini/settings.json"), Some(Kind::Mcp));
        assert_eq!(kind_of(".vscode/settings.json"), None);
        assert_eq!(kind_of("models/Modelfile"), Some(Kind::Modelfile));
        assert_eq!(
            kind_of("svc/requirements-dev.txt"),
            Some(Kind::Requirements)
        );
        assert_eq!(kind_of("notes.txt"), None);
    }

    proptest::proptest! {
        #[test]
        fn no_manifest_input_panics(text in "(?s).{0,300}") {
            for k in [Kind::Mcp, Kind::Modelfile, Kind::Requirements, Kind::Pyproject, Kind::PackageJson, Kind::GoMod, Kind::Pipfile, Kind::Terraform, Kind::PyLock, Kind::PackageLock, Kind::Doc] {
                let _ = scan(k, "x", &text);
            }
            let _ = strip_jsonc(&text);
        }
    }
}
