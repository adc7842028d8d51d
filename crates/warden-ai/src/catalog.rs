//! The catalog of SDK entry points (`data/catalog.toml`), loaded once, and its matcher over resolved call
//! names.

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub kind: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub framework: Option<String>,
    pub modules: Vec<String>,
    pub names: Vec<String>,
    #[serde(default)]
    pub key_env: Vec<String>,
    #[serde(default)]
    pub capability: Option<String>,
    #[serde(default)]
    pub arg: Vec<String>,
    #[serde(default)]
    pub embeddings: bool,
    #[serde(default)]
    pub only_arg0: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    entry: Vec<Entry>,
}

pub const CATALOG_TOML: &str = include_str!("../data/catalog.toml");

/// Every entry of the catalog; a broken catalog is a build-time mistake that the crate's tests catch.
pub fn entries() -> &'static [Entry] {
    static E: OnceLock<Vec<Entry>> = OnceLock::new();
    E.get_or_init(|| {
        toml::from_str::<File>(CATALOG_TOML)
            .map(|f| f.entry)
            .unwrap_or_default()
    })
}

/// Every top-level module the catalog knows: a Python file that imports none of them is not read further.
pub fn root_modules() -> Vec<String> {
    let mut roots: Vec<String> = entries()
        .iter()
        .flat_map(|e| e.modules.iter())
        .map(|m| {
            // `google` is a namespace package of every Google client library: its AI parts are named whole.
            let depth = if m.starts_with("google.") { 2 } else { 1 };
            m.split('.').take(depth).collect::<Vec<_>>().join(".")
        })
        .collect();
    roots.extend(["mcp", "fastmcp", "os"].iter().map(|s| s.to_string()));
    roots.sort();
    roots.dedup();
    roots
}

/// Top-level modules whose import alone makes a file worth reading: AI SDKs, frameworks and stores. The
/// others (pickle, joblib, torch, database drivers, boto3) matter only beside a model file's name or an AI
/// import, and a file that imports only them is read when it names a model file.
pub fn strong_roots() -> Vec<String> {
    let weak_only = |root: &str| {
        entries()
            .iter()
            .filter(|e| {
                e.modules
                    .iter()
                    .any(|m| m == root || m.starts_with(&format!("{root}.")))
            })
            .all(|e| matches!(e.kind.as_str(), "model-file" | "dataset") || !e.only_arg0.is_empty())
    };
    let mut roots: Vec<String> = root_modules()
        .into_iter()
        .filter(|r| r != "os" && (r == "mcp" || r == "fastmcp" || r == "datasets" || !weak_only(r)))
        .collect();
    roots.retain(|r| r != "torch" || !weak_only(r));
    roots
}

/// The entry a resolved call name (`langchain_openai.chat_models.ChatOpenAI`) matches, if any.
pub fn lookup(qualified: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| matches(e, qualified))
}

fn matches(e: &Entry, q: &str) -> bool {
    e.modules.iter().any(|m| {
        let Some(rest) = q.strip_prefix(m.as_str()).and_then(|r| r.strip_prefix('.')) else {
            return false;
        };
        e.names.iter().any(|n| {
            rest == n
                || rest
                    .strip_suffix(n.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_parses_and_every_entry_is_usable() {
        let file: File = toml::from_str(CATALOG_TOML).expect("catalog.toml");
        assert!(file.entry.len() > 60);
        for e in &file.entry {
            assert!(
                [
                    "llm-client",
                    "model",
                    "model-file",
                    "agent",
                    "tool",
                    "vector-store",
                    "dataset"
                ]
                .contains(&e.kind.as_str()),
                "{e:?}"
            );
            assert!(!e.modules.is_empty() && !e.names.is_empty(), "{e:?}");
            if e.kind == "tool" {
                assert!(e.capability.is_some(), "a tool says what it can do: {e:?}");
            }
        }
    }

    #[test]
    fn names_match_through_submodules_but_not_by_accident() {
        let e = lookup("langchain_openai.chat_models.base.ChatOpenAI").unwrap();
        assert_eq!(e.provider.as_deref(), Some("OpenAI"));
        assert_eq!(lookup("openai.OpenAI").unwrap().kind, "llm-client");
        assert_eq!(
            lookup("transformers.AutoModel.from_pretrained")
                .unwrap()
                .kind,
            "model"
        );
        assert!(lookup("openaix.OpenAI").is_none());
        assert!(lookup("mylib.OpenAI").is_none());
        assert!(lookup("openai.NotOpenAI").is_none());
    }
}
