//! Architectural intent: design boundaries stated in the `[intent]` section of `warden.toml`, checked against
//! the imports and calls the code analyzer extracts from Python, JavaScript/TypeScript and Go files.
//!
//! Four kinds of statement, four rules:
//!
//! | entry | rule | reports |
//! |---|---|---|
//! | `layers = [...]` | `intent/layer-violation` | a file importing a repository file of a layer above its own |
//! | `[[intent.forbid_import]]` | `intent/forbidden-import` | an import of a listed module where the entry forbids it |
//! | `[[intent.forbid_call]]` | `intent/forbidden-call` | a call of a listed function where the entry forbids it |
//! | `[[intent.contract]]` | `intent/forbidden-dependency` | a `from` file reaching a `to` file through any chain of imports |
//!
//! The checks work on facts only ([`ModuleFacts`]: a path, its imports and its resolved calls), so they run in an
//! analyzer's second phase over the whole tree. Imports are mapped to the repository's own files by rules
//! that follow each language's loader closely enough for architecture (see `Repo::resolve_*`); an import that
//! maps to no file is external (a package, the standard library).
//!
//! Output is deterministic: the same facts in any order give the same findings in the same order, and a
//! finding's `matched` (its fingerprint input) never contains a line number, so fingerprints survive edits.

use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, VecDeque};
use warden_core::{Confidence, Finding, Location, Related, RelatedKind, RuleMeta, Severity};

/// Rule ids, stable: users write them in `[rules]`, baselines and `warden:ignore[...]`.
pub const LAYER_VIOLATION: &str = "intent/layer-violation";
pub const FORBIDDEN_IMPORT: &str = "intent/forbidden-import";
pub const FORBIDDEN_CALL: &str = "intent/forbidden-call";
pub const FORBIDDEN_DEPENDENCY: &str = "intent/forbidden-dependency";

// ---------------------------------------------------------------------------------------------------------------
// Facts: what the code analyzer hands over per file.
// ---------------------------------------------------------------------------------------------------------------

pub use crate::ir::Lang;

/// One source file as the architecture checks see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModuleFacts {
    /// Repository-relative, `/`-separated, e.g. `app/api/views.py`.
    pub path: String,
    pub lang: Lang,
    #[serde(default)]
    pub imports: Vec<ImportRef>,
    #[serde(default)]
    pub calls: Vec<CallRef>,
}

/// One import statement (or one `require`/dynamic import with a literal specifier).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImportRef {
    /// Python: the absolute dotted module, relative imports already resolved (`from app.domain import models`
    /// gives `app.domain` with `names = ["models"]`). JS/TS: the specifier as written (`./utils`, `openai`,
    /// `node:child_process`, `@scope/pkg/sub`). Go: the import path.
    pub module: String,
    /// Python `from X import a, b`: `["a", "b"]`; empty otherwise.
    #[serde(default)]
    pub names: Vec<String>,
    /// 1-based; columns count bytes.
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
}

/// One call whose callee the extractor resolved through the file's imports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallRef {
    /// `subprocess.run`, `os.system`, `child_process.exec`, `os/exec.Command`.
    pub callee: String,
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
}

/// A `go.mod` of the repository: Go imports under its module path are the repository's own packages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GoModule {
    /// Repository-relative directory of the `go.mod`; `""` for the root.
    pub dir: String,
    /// The module path it declares.
    pub module: String,
}

// ---------------------------------------------------------------------------------------------------------------
// Settings: the `[intent]` section.
// ---------------------------------------------------------------------------------------------------------------

/// The `[intent]` section of `warden.toml`. Every part is optional; an empty section checks nothing.
///
/// Path lists (`paths`, `in`, `except_in`, `from`, `to`) take globs over repository-relative paths
/// (`app/api/**`), plain directories or files (`app/api` means it and everything under it), and
/// `layer:NAME` for the paths of a layer declared in `layers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentSettings {
    /// Ordered from the top: a layer may import the layers below it, never one above it. Files in no layer
    /// are not constrained, and neither are imports of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Layer>,
    /// Severity of `intent/layer-violation` findings (default `medium`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbid_import: Vec<ForbidImport>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbid_call: Vec<ForbidCall>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contract: Vec<Contract>,
}

/// One layer of `[intent] layers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub name: String,
    pub paths: Vec<String>,
}

/// `[[intent.forbid_import]]`: these modules must not be imported (in `in`, or anywhere but `except_in`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbidImport {
    /// Names the entry in findings; also part of their fingerprints, so renaming an entry renews them.
    pub name: String,
    /// A module and its submodules (`openai` covers `openai.types`), a JS package and its subpaths
    /// (`@anthropic-ai/sdk`), a Go import path and the packages under it, or a glob (`langchain_*`,
    /// `app/db/**` for the repository's own files in any language).
    pub modules: Vec<String>,
    /// Only files matching these; every file when absent.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_paths: Option<Vec<String>>,
    /// Never files matching these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub except_in: Option<Vec<String>>,
    /// Why: shown in the finding's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Default `medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// `[[intent.forbid_call]]`: these functions must not be called (in `in`, or anywhere but `except_in`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbidCall {
    pub name: String,
    /// Resolved callee names: exact (`os.system`), a module or object prefix (`subprocess` covers
    /// `subprocess.run`), or a glob (`subprocess.*`, `os/exec.*`, `child_process.exec*`).
    pub calls: Vec<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_paths: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub except_in: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Default `medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// `[[intent.contract]]`: files matching `from` must not depend on files matching `to`, directly or through
/// any chain of the repository's own modules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub name: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Default `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// What is wrong with an `[intent]` section. Messages name the entry and the field, so the caller only has to
/// add the file and line (`ConfigError::Invalid`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    #[error("intent.{kind}[{index}]: `name` is empty; every entry needs a name (findings and fingerprints use it)")]
    EmptyName { kind: &'static str, index: usize },
    #[error("intent.{kind}: two entries are named `{name}`; names must be unique")]
    DuplicateName { kind: &'static str, name: String },
    #[error(
        "intent.{entry}: `{field}` is empty; list at least one pattern (or leave the key out)"
    )]
    EmptyList { entry: String, field: &'static str },
    #[error("intent.{entry}: `{field}` has an empty pattern")]
    EmptyPattern { entry: String, field: &'static str },
    #[error("intent.{entry}: `{field}`: invalid glob `{pattern}`: {message}")]
    BadGlob {
        entry: String,
        field: &'static str,
        pattern: String,
        message: String,
    },
    #[error(
        "intent.{entry}: `{field}` names `layer:{layer}`, but intent.layers has no layer `{layer}`"
    )]
    UnknownLayer {
        entry: String,
        field: &'static str,
        layer: String,
    },
    #[error(
        "intent.layers: layers `{first}` and `{second}` overlap (`{first_pattern}` covers `{second_pattern}`); \
         a file must belong to one layer"
    )]
    LayerOverlap {
        first: String,
        second: String,
        first_pattern: String,
        second_pattern: String,
    },
}

impl IntentSettings {
    /// Whether the section states nothing to check.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
            && self.forbid_import.is_empty()
            && self.forbid_call.is_empty()
            && self.contract.is_empty()
    }

    /// Checks names, lists, globs, `layer:` references and layer overlaps; the first problem found is the error.
    pub fn validate(&self) -> Result<(), IntentError> {
        Intent::new(self).map(|_| ())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------------

/// Every rule the intent checks can report, for `warden rules`, `warden explain` and SARIF.
pub fn rules() -> Vec<RuleMeta> {
    [
        LAYER_VIOLATION,
        FORBIDDEN_IMPORT,
        FORBIDDEN_CALL,
        FORBIDDEN_DEPENDENCY,
    ]
    .into_iter()
    .filter_map(rule)
    .collect()
}

fn rule(id: &str) -> Option<RuleMeta> {
    // CWE-710 (Improper Adherence to Coding Standards) is the honest parent of "the code breaks a design rule
    // its own team wrote down"; no narrower CWE fits all four.
    let tags = |extra: &[&str]| {
        let mut t = vec![
            "intent".to_string(),
            "architecture".to_string(),
            "CWE-710".to_string(),
        ];
        t.extend(extra.iter().map(|s| s.to_string()));
        t
    };
    let (title, severity, confidence, description, remediation, extra): (
        &str,
        Severity,
        Confidence,
        &str,
        &str,
        &[&str],
    ) = match id {
        LAYER_VIOLATION => (
            "Import from a higher architectural layer",
            Severity::Medium,
            Confidence::High,
            "`[intent] layers` in warden.toml orders the repository's layers from the top: a layer may import \
             the layers below it, never one above it. This file imports a module of a layer above its own. \
             Upward imports couple low-level code to the code meant to depend on it, invite import cycles, and \
             let checks that the upper layers own (authentication at the API, validation at the edges) be \
             bypassed or entangled.",
            "Move what the lower layer needs down into it (or into a layer below both), or invert the \
             dependency: let the lower layer define an interface or a callback and the upper layer supply it. \
             If the layering itself is wrong, change `[intent] layers` in warden.toml.",
            &["layering"],
        ),
        FORBIDDEN_IMPORT => (
            "Import forbidden by architectural intent",
            Severity::Medium,
            Confidence::High,
            "An `[[intent.forbid_import]]` entry in warden.toml forbids importing these modules in this part of \
             the repository, for example model SDKs outside the gateway that adds authentication, rate limits \
             and audit logs. The import goes around the boundary the entry states.",
            "Reach the capability through the component the entry allows (its `reason` says which). If this \
             file is meant to be allowed, add its path to the entry's `except_in`.",
            &[],
        ),
        FORBIDDEN_CALL => (
            "Call forbidden by architectural intent",
            Severity::Medium,
            Confidence::High,
            "An `[[intent.forbid_call]]` entry in warden.toml forbids calling these functions in this part of \
             the repository, for example shell execution in a service that handles model output. The call \
             gives this code a capability the design keeps out of it.",
            "Remove the call or move it behind the component that is allowed to make it (the entry's `reason` \
             says why). If this file is meant to be allowed, add its path to the entry's `except_in`.",
            &[],
        ),
        FORBIDDEN_DEPENDENCY => (
            "Forbidden dependency between components",
            Severity::High,
            // The chain runs through resolution heuristics (Python source roots, JS index files), so a hop
            // can occasionally be wrong; each hop is shown so a reader can check it.
            Confidence::Medium,
            "An `[[intent.contract]]` in warden.toml says code matching `from` must never depend on code \
             matching `to`, directly or through any chain of the repository's own modules. This file reaches a \
             `to` file through the chain in the finding's steps. A transitive dependency is as real as a direct \
             one: the `to` code is loaded with this file, and what it can do (open database sessions, read \
             credentials, run commands) is reachable from code that was meant never to have it.",
            "Break the chain at the hop that should not exist (the steps list every import): move the shared \
             code out of the `to` side, or pass the needed data in instead of importing its source. If the \
             dependency is intended, narrow the contract's `from` or `to`.",
            &["dependency"],
        ),
        _ => return None,
    };
    Some(RuleMeta {
        id: id.to_string(),
        title: title.to_string(),
        severity,
        confidence,
        description: description.to_string(),
        remediation: remediation.to_string(),
        tags: tags(extra),
        references: vec!["https://cwe.mitre.org/data/definitions/710.html".to_string()],
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled settings
// ---------------------------------------------------------------------------------------------------------------

/// `[intent]` with every glob compiled, ready to check any number of trees.
#[derive(Debug, Clone)]
pub struct Intent {
    layers: Vec<CompiledLayer>,
    layer_severity: Severity,
    forbid_import: Vec<CompiledForbid>,
    forbid_call: Vec<CompiledForbid>,
    contracts: Vec<CompiledContract>,
}

#[derive(Debug, Clone)]
struct CompiledLayer {
    name: String,
    paths: GlobSet,
}

/// A forbid_import or forbid_call entry: the same shape, matched against different things.
#[derive(Debug, Clone)]
struct CompiledForbid {
    name: String,
    patterns: Vec<NamePattern>,
    scope: Scope,
    reason: Option<String>,
    severity: Severity,
}

#[derive(Debug, Clone)]
struct CompiledContract {
    name: String,
    from: GlobSet,
    to: GlobSet,
    reason: Option<String>,
    severity: Severity,
}

/// Where an entry applies: files in `only` (every file when `None`) and not in `except`.
#[derive(Debug, Clone)]
struct Scope {
    only: Option<GlobSet>,
    except: Option<GlobSet>,
}

impl Scope {
    fn covers(&self, path: &str) -> bool {
        self.only.as_ref().is_none_or(|s| s.is_match(path))
            && !self.except.as_ref().is_some_and(|s| s.is_match(path))
    }
}

/// A module or callee pattern.
#[derive(Debug, Clone)]
enum NamePattern {
    /// A plain name: itself and what lies under it (the next character is the language's separator).
    Prefix(String),
    /// A glob over the whole name; `*` crosses `.` and `/`, so `subprocess.*` covers `subprocess.run`.
    Glob(String, GlobMatcher),
}

impl NamePattern {
    fn text(&self) -> &str {
        match self {
            NamePattern::Prefix(p) | NamePattern::Glob(p, _) => p,
        }
    }

    /// Whether `name` is this pattern or lies under it, `seps` being what separates a module from what is
    /// inside it in the name's language (`.` in Python, `/` in JS and Go paths).
    fn matches(&self, name: &str, seps: &[char]) -> bool {
        match self {
            NamePattern::Prefix(p) => name
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(seps)),
            NamePattern::Glob(_, g) => g.is_match(name),
        }
    }
}

fn has_glob_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '{', '\\'])
}

/// `node:fs` and `fs` are the same module; patterns and names are compared without the scheme.
fn strip_node_scheme(s: &str) -> &str {
    s.strip_prefix("node:").unwrap_or(s)
}

/// A name for an entry in error messages: `forbid_import \`llm\``, or its index when it has no name.
fn entry_label(kind: &str, index: usize, name: &str) -> String {
    if name.trim().is_empty() {
        format!("{kind}[{index}]")
    } else {
        format!("{kind} `{name}`")
    }
}

/// Expands a path list into glob strings: `layer:NAME` becomes that layer's patterns, and a plain path
/// (no glob characters) also covers everything under it, so `app/api` reads as the directory it names.
fn expand_paths(
    patterns: &[String],
    entry: &str,
    field: &'static str,
    layers: &BTreeMap<&str, &[String]>,
) -> Result<Vec<String>, IntentError> {
    if patterns.is_empty() {
        return Err(IntentError::EmptyList {
            entry: entry.to_string(),
            field,
        });
    }
    let mut out = Vec::new();
    for raw in patterns {
        let p = raw.trim();
        if let Some(layer) = p.strip_prefix("layer:") {
            let layer = layer.trim();
            let Some(paths) = layers.get(layer) else {
                return Err(IntentError::UnknownLayer {
                    entry: entry.to_string(),
                    field,
                    layer: layer.to_string(),
                });
            };
            // A layer's own patterns were expanded when the layer was compiled; expanding them again here is
            // cheap and keeps `layer:` exactly equivalent to writing the layer's paths out.
            out.extend(expand_paths(paths, entry, field, &BTreeMap::new())?);
            continue;
        }
        // Paths in facts never start with `./` or end with `/`; patterns written that way would never match.
        let p = p.strip_prefix("./").unwrap_or(p).trim_end_matches('/');
        if p.is_empty() {
            return Err(IntentError::EmptyPattern {
                entry: entry.to_string(),
                field,
            });
        }
        if has_glob_meta(p) {
            out.push(p.to_string());
        } else {
            out.push(p.to_string());
            out.push(format!("{p}/**"));
        }
    }
    Ok(out)
}

fn build_globset(
    globs: &[String],
    entry: &str,
    field: &'static str,
) -> Result<GlobSet, IntentError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(compile_glob(g, entry, field)?);
    }
    b.build().map_err(|e| IntentError::BadGlob {
        entry: entry.to_string(),
        field,
        pattern: globs.join(", "),
        message: e.to_string(),
    })
}

fn compile_glob(pattern: &str, entry: &str, field: &'static str) -> Result<Glob, IntentError> {
    // Plain `Glob::new`, as `[scan]` and `[allowlist]` use: one glob dialect for the whole of warden.toml.
    Glob::new(pattern).map_err(|e| IntentError::BadGlob {
        entry: entry.to_string(),
        field,
        pattern: pattern.to_string(),
        message: e.kind().to_string(),
    })
}

fn path_set(
    patterns: &[String],
    entry: &str,
    field: &'static str,
    layers: &BTreeMap<&str, &[String]>,
) -> Result<GlobSet, IntentError> {
    build_globset(&expand_paths(patterns, entry, field, layers)?, entry, field)
}

fn optional_path_set(
    patterns: Option<&[String]>,
    entry: &str,
    field: &'static str,
    layers: &BTreeMap<&str, &[String]>,
) -> Result<Option<GlobSet>, IntentError> {
    patterns
        .map(|p| path_set(p, entry, field, layers))
        .transpose()
}

fn name_patterns(
    patterns: &[String],
    entry: &str,
    field: &'static str,
) -> Result<Vec<NamePattern>, IntentError> {
    if patterns.is_empty() {
        return Err(IntentError::EmptyList {
            entry: entry.to_string(),
            field,
        });
    }
    patterns
        .iter()
        .map(|raw| {
            let p = strip_node_scheme(raw.trim());
            if p.is_empty() {
                Err(IntentError::EmptyPattern {
                    entry: entry.to_string(),
                    field,
                })
            } else if has_glob_meta(p) {
                let glob = compile_glob(p, entry, field)?;
                Ok(NamePattern::Glob(p.to_string(), glob.compile_matcher()))
            } else {
                Ok(NamePattern::Prefix(p.to_string()))
            }
        })
        .collect()
}

/// Rejects empty and duplicate names within one kind of entry.
fn check_names<'a>(
    kind: &'static str,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), IntentError> {
    let mut seen = std::collections::BTreeSet::new();
    for (index, name) in names.enumerate() {
        let name = name.trim();
        if name.is_empty() {
            return Err(IntentError::EmptyName { kind, index });
        }
        if !seen.insert(name) {
            return Err(IntentError::DuplicateName {
                kind,
                name: name.to_string(),
            });
        }
    }
    Ok(())
}

impl Intent {
    /// Compiles the settings; the same checks as [`IntentSettings::validate`].
    pub fn new(settings: &IntentSettings) -> Result<Intent, IntentError> {
        check_names("layers", settings.layers.iter().map(|l| l.name.as_str()))?;
        check_names(
            "forbid_import",
            settings.forbid_import.iter().map(|e| e.name.as_str()),
        )?;
        check_names(
            "forbid_call",
            settings.forbid_call.iter().map(|e| e.name.as_str()),
        )?;
        check_names(
            "contract",
            settings.contract.iter().map(|e| e.name.as_str()),
        )?;

        let no_layers = BTreeMap::new();
        let mut layers = Vec::new();
        let mut expanded: Vec<Vec<String>> = Vec::new();
        for layer in &settings.layers {
            let entry = format!("layers `{}`", layer.name.trim());
            let globs = expand_paths(&layer.paths, &entry, "paths", &no_layers)?;
            layers.push(CompiledLayer {
                name: layer.name.trim().to_string(),
                paths: build_globset(&globs, &entry, "paths")?,
            });
            expanded.push(globs);
        }
        check_layer_overlap(&layers, &expanded)?;
        let by_name: BTreeMap<&str, &[String]> = settings
            .layers
            .iter()
            .map(|l| (l.name.trim(), l.paths.as_slice()))
            .collect();

        let mut forbid_import = Vec::new();
        for (i, e) in settings.forbid_import.iter().enumerate() {
            let entry = entry_label("forbid_import", i, &e.name);
            forbid_import.push(CompiledForbid {
                name: e.name.trim().to_string(),
                patterns: name_patterns(&e.modules, &entry, "modules")?,
                scope: Scope {
                    only: optional_path_set(e.in_paths.as_deref(), &entry, "in", &by_name)?,
                    except: optional_path_set(
                        e.except_in.as_deref(),
                        &entry,
                        "except_in",
                        &by_name,
                    )?,
                },
                reason: clean_reason(e.reason.as_deref()),
                severity: e.severity.unwrap_or(Severity::Medium),
            });
        }

        let mut forbid_call = Vec::new();
        for (i, e) in settings.forbid_call.iter().enumerate() {
            let entry = entry_label("forbid_call", i, &e.name);
            forbid_call.push(CompiledForbid {
                name: e.name.trim().to_string(),
                patterns: name_patterns(&e.calls, &entry, "calls")?,
                scope: Scope {
                    only: optional_path_set(e.in_paths.as_deref(), &entry, "in", &by_name)?,
                    except: optional_path_set(
                        e.except_in.as_deref(),
                        &entry,
                        "except_in",
                        &by_name,
                    )?,
                },
                reason: clean_reason(e.reason.as_deref()),
                severity: e.severity.unwrap_or(Severity::Medium),
            });
        }

        let mut contracts = Vec::new();
        for (i, c) in settings.contract.iter().enumerate() {
            let entry = entry_label("contract", i, &c.name);
            contracts.push(CompiledContract {
                name: c.name.trim().to_string(),
                from: path_set(&c.from, &entry, "from", &by_name)?,
                to: path_set(&c.to, &entry, "to", &by_name)?,
                reason: clean_reason(c.reason.as_deref()),
                severity: c.severity.unwrap_or(Severity::High),
            });
        }

        Ok(Intent {
            layers,
            layer_severity: settings.layer_severity.unwrap_or(Severity::Medium),
            forbid_import,
            forbid_call,
            contracts,
        })
    }
}

fn clean_reason(reason: Option<&str>) -> Option<String> {
    reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// Layers must not share files. Whether two globs can match a common path is undecidable in general, so this
/// catches the overlaps people actually write: one layer's pattern covering another's, read as a literal path
/// (`app/**` covers `app/domain/**`), and the same pattern twice. An overlap this misses is settled at check
/// time by the first listed layer winning.
fn check_layer_overlap(
    layers: &[CompiledLayer],
    expanded: &[Vec<String>],
) -> Result<(), IntentError> {
    for (a, layer_a) in layers.iter().enumerate() {
        for (b, layer_b) in layers.iter().enumerate() {
            if a == b {
                continue;
            }
            let (Some(globs_a), Some(globs_b)) = (expanded.get(a), expanded.get(b)) else {
                continue;
            };
            for pb in globs_b {
                if layer_a.paths.is_match(pb.as_str()) {
                    let pa = globs_a
                        .iter()
                        .find(|pa| {
                            Glob::new(pa)
                                .map(|g| g.compile_matcher().is_match(pb.as_str()))
                                .unwrap_or(false)
                        })
                        .cloned()
                        .unwrap_or_default();
                    let (first, second, first_pattern, second_pattern) = if a < b {
                        (&layer_a.name, &layer_b.name, pa, pb.clone())
                    } else {
                        (&layer_b.name, &layer_a.name, pb.clone(), pa)
                    };
                    return Err(IntentError::LayerOverlap {
                        first: first.clone(),
                        second: second.clone(),
                        first_pattern,
                        second_pattern,
                    });
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution: imports to the repository's own files
// ---------------------------------------------------------------------------------------------------------------

/// JS/TS extensions tried for an extension-less relative specifier, in the order bundlers and `tsc` try them.
const JS_EXTENSIONS: [&str; 6] = ["ts", "tsx", "js", "jsx", "mjs", "cjs"];

/// The repository's files, indexed for resolving imports.
struct Repo<'a> {
    /// Sorted by path, one entry per path: indices into it identify files everywhere below.
    files: Vec<&'a ModuleFacts>,
    by_path: HashMap<&'a str, usize>,
    /// Python files by [`py_key`], so a dotted module is looked up without scanning every file.
    by_py_key: HashMap<&'a str, Vec<usize>>,
    /// Directory to the Go files directly in it that belong to its package (tests excluded).
    go_dirs: HashMap<&'a str, Vec<usize>>,
    /// `(dir, module path)` of each go.mod, longest module path first, so nested modules win.
    go_modules: Vec<(String, &'a str)>,
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// The lookup key of a Python file: its name, or `pkg/__init__.py` for a package (every package has an
/// `__init__.py`, so the bare name would make one huge bucket).
fn py_key(path: &str) -> &str {
    if file_name(path) != "__init__.py" {
        return file_name(path);
    }
    let dir = parent_dir(path);
    let start = dir.rfind('/').map_or(0, |i| i + 1);
    &path[start..]
}

fn join_dir(dir: &str, rest: &str) -> String {
    match (dir.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{dir}/{rest}"),
    }
}

fn normalize_dir(dir: &str) -> String {
    let d = dir.trim().trim_end_matches('/');
    let d = d.strip_prefix("./").unwrap_or(d);
    if d == "." {
        String::new()
    } else {
        d.to_string()
    }
}

impl<'a> Repo<'a> {
    fn new(modules: &'a [ModuleFacts], go: &'a [GoModule]) -> Self {
        let mut files: Vec<&ModuleFacts> = modules.iter().collect();
        // Stable sort then dedup keeps the first of duplicate paths, so facts given twice count once.
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|b, a| a.path == b.path);
        let mut by_path = HashMap::new();
        let mut by_py_key: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut go_dirs: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            let path = f.path.as_str();
            by_path.insert(path, i);
            if path.ends_with(".py") {
                by_py_key.entry(py_key(path)).or_default().push(i);
            }
            // `_test.go` files are compiled only into their package's tests; importing the package never
            // loads them.
            if path.ends_with(".go") && !path.ends_with("_test.go") {
                go_dirs.entry(parent_dir(path)).or_default().push(i);
            }
        }
        let mut go_modules: Vec<(String, &str)> = go
            .iter()
            .map(|g| (normalize_dir(&g.dir), g.module.trim()))
            .filter(|(_, m)| !m.is_empty())
            .collect();
        go_modules.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.cmp(b)));
        Repo {
            files,
            by_path,
            by_py_key,
            go_dirs,
            go_modules,
        }
    }

    /// The files an import of `importer` refers to: sorted, without duplicates, never `importer` itself.
    fn resolve(&self, importer: &ModuleFacts, import: &ImportRef) -> Vec<usize> {
        let mut out = match importer.lang {
            Lang::Python => self.resolve_python(import, &importer.path),
            Lang::JavaScript | Lang::TypeScript => self.resolve_js(&import.module, &importer.path),
            Lang::Go => self.resolve_go(import.module.trim()),
        };
        out.sort_unstable();
        out.dedup();
        out.retain(|&i| self.files.get(i).is_some_and(|f| f.path != importer.path));
        out
    }

    /// `import a.b` is `a/b/__init__.py` or `a/b.py`; `from a.b import c` is the submodule `a/b/c` when there
    /// is one and otherwise a name defined in `a.b`. Parent packages' `__init__.py`, which Python also runs,
    /// are not edges: counting them would join every module of a package to every other through `__init__`.
    fn resolve_python(&self, import: &ImportRef, importer: &str) -> Vec<usize> {
        let module = import.module.trim();
        let valid = !module.is_empty()
            && module
                .split('.')
                .all(|seg| !seg.is_empty() && !seg.contains(['/', '\\']));
        if !valid {
            // An unresolved relative import (`..x`) or garbage: nothing we can map.
            return Vec::new();
        }
        let base = module.replace('.', "/");
        let mut out = Vec::new();
        let mut needs_base = import.names.is_empty();
        for name in &import.names {
            let name = name.trim();
            let plain = !name.is_empty() && name != "*" && !name.contains(['.', '/', '\\']);
            if !plain {
                needs_base = true;
                continue;
            }
            let hit = self.find_python_module(&format!("{base}/{name}"), importer);
            if hit.is_empty() {
                needs_base = true;
            } else {
                out.extend(hit);
            }
        }
        if needs_base {
            out.extend(self.find_python_module(&base, importer));
        }
        out
    }

    /// A package directory shadows a module of the same name, as in Python's own path finder.
    fn find_python_module(&self, slashed: &str, importer: &str) -> Vec<usize> {
        let package = self.find_python_file(&format!("{slashed}/__init__.py"), importer);
        if !package.is_empty() {
            return package;
        }
        self.find_python_file(&format!("{slashed}.py"), importer)
    }

    /// Finds `rel` at the repository root or under a source root (`src/app/x.py` for `app/x.py`). A directory
    /// is a plausible source root only if it is not itself a package: under `app/utils/` (with its
    /// `__init__.py`), `json.py` is `app.utils.json`, and `import json` must stay the standard library.
    /// Among several roots, the one holding the importer wins (a project's code imports its own tree), then
    /// the shallowest; ties are kept, being equally plausible.
    fn find_python_file(&self, rel: &str, importer: &str) -> Vec<usize> {
        if let Some(&exact) = self.by_path.get(rel) {
            return vec![exact];
        }
        let Some(candidates) = self.by_py_key.get(py_key(rel)) else {
            return Vec::new();
        };
        let mut ranked: Vec<((u8, usize), usize)> = Vec::new();
        for &i in candidates {
            let Some(path) = self.files.get(i).map(|f| f.path.as_str()) else {
                continue;
            };
            let Some(root) = path.strip_suffix(rel) else {
                continue;
            };
            if !root.ends_with('/') {
                continue; // `myapp/x.py` is not `app/x.py`
            }
            if self
                .by_path
                .contains_key(format!("{root}__init__.py").as_str())
            {
                continue;
            }
            let rank = if importer.starts_with(root) {
                (0, usize::MAX - root.len())
            } else {
                (1, root.len())
            };
            ranked.push((rank, i));
        }
        let Some(best) = ranked.iter().map(|(r, _)| *r).min() else {
            return Vec::new();
        };
        ranked
            .into_iter()
            .filter(|(r, _)| *r == best)
            .map(|(_, i)| i)
            .collect()
    }

    /// Relative specifiers only: a bare specifier is a package, and path aliases (`@/…`, tsconfig `paths`)
    /// are project configuration this does not read. Tries the path as written, then with each extension,
    /// then the TypeScript source of a `.js` specifier (ESM TypeScript imports `./x.js` for `x.ts`), then
    /// `index.*` inside it.
    fn resolve_js(&self, specifier: &str, importer: &str) -> Vec<usize> {
        let spec = specifier.trim();
        // Bundler suffixes (`./x.svg?raw`) are not part of the path.
        let spec = spec.split(['?', '#']).next().unwrap_or(spec);
        let relative =
            spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../");
        if !relative {
            return Vec::new();
        }
        let Some(target) = join_relative(parent_dir(importer), spec) else {
            return Vec::new();
        };
        let mut candidates = Vec::new();
        if !target.is_empty() {
            candidates.push(target.clone());
            candidates.extend(JS_EXTENSIONS.iter().map(|e| format!("{target}.{e}")));
            let ts_sources: &[(&str, &[&str])] = &[
                (".js", &["ts", "tsx"]),
                (".jsx", &["tsx"]),
                (".mjs", &["mts"]),
                (".cjs", &["cts"]),
            ];
            for (js, ts) in ts_sources {
                if let Some(stem) = target.strip_suffix(js) {
                    candidates.extend(ts.iter().map(|e| format!("{stem}.{e}")));
                }
            }
        }
        let index = join_dir(&target, "index");
        candidates.extend(JS_EXTENSIONS.iter().map(|e| format!("{index}.{e}")));
        candidates
            .iter()
            .find_map(|c| self.by_path.get(c.as_str()).copied())
            .into_iter()
            .collect()
    }

    /// A Go import path under a go.mod's module path names the directory below that go.mod; the package is
    /// every (non-test) `.go` file directly in it.
    fn resolve_go(&self, path: &str) -> Vec<usize> {
        for (dir, module) in &self.go_modules {
            let rest = if path == *module {
                ""
            } else if let Some(rest) = path.strip_prefix(module).and_then(|r| r.strip_prefix('/')) {
                rest
            } else {
                continue;
            };
            let target = join_dir(dir, rest);
            return self
                .go_dirs
                .get(target.as_str())
                .cloned()
                .unwrap_or_default();
        }
        Vec::new()
    }
}

/// `dir` joined with a relative specifier, `.` and `..` applied; `None` when it climbs above the root.
fn join_relative(dir: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in spec.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

// ---------------------------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------------------------

/// Checks `modules` (one tree's files) against the settings. Settings that do not validate check nothing:
/// call [`IntentSettings::validate`] when loading the config to report them.
pub fn check(settings: &IntentSettings, modules: &[ModuleFacts], go: &[GoModule]) -> Vec<Finding> {
    match Intent::new(settings) {
        Ok(intent) => intent.check(modules, go),
        Err(_) => Vec::new(),
    }
}

/// One import edge of the graph: the `k`-th import of a file and the files it resolves to.
struct Edge {
    import: usize,
    targets: Vec<usize>,
}

fn sort_key(f: &Finding) -> (&str, u32, u32, &str, &str) {
    (
        &f.location.path,
        f.location.start_line,
        f.location.start_column,
        &f.rule_id,
        &f.matched,
    )
}

fn import_location(path: &str, imp: &ImportRef) -> Location {
    Location::at(path, imp.line, imp.column, imp.end_column)
}

/// The module an import reached `target` through, as a reader would name it: `app.api.schemas` for
/// `from app.api import schemas` when `schemas` is a submodule, `app.api` when it is a name defined there.
fn display_import(lang: Lang, imp: &ImportRef, target: &str) -> String {
    if lang == Lang::Python {
        let file = file_name(target);
        let stem = if file == "__init__.py" {
            file_name(parent_dir(target))
        } else {
            file.strip_suffix(".py").unwrap_or(file)
        };
        if let Some(name) = imp.names.iter().find(|n| n.trim() == stem) {
            return format!("{}.{}", imp.module, name.trim());
        }
    }
    imp.module.clone()
}

fn with_reason(message: String, reason: &Option<String>) -> String {
    match reason {
        Some(r) => format!("{message}; {r}"),
        None => message,
    }
}

impl Intent {
    /// Checks one tree's files. Findings are sorted by path, line, column and rule.
    pub fn check(&self, modules: &[ModuleFacts], go: &[GoModule]) -> Vec<Finding> {
        let repo = Repo::new(modules, go);
        // Resolve every import once; every check below reads this graph. Imports are visited in source
        // order, so "the first import" means the same thing whatever order the extractor listed them in.
        let graph: Vec<Vec<Edge>> = repo
            .files
            .iter()
            .map(|f| {
                let mut order: Vec<usize> = (0..f.imports.len()).collect();
                order.sort_by_key(|&k| {
                    f.imports
                        .get(k)
                        .map(|i| (i.line, i.column, i.module.as_str()))
                });
                order
                    .into_iter()
                    .filter_map(|k| {
                        let imp = f.imports.get(k)?;
                        Some(Edge {
                            import: k,
                            targets: repo.resolve(f, imp),
                        })
                    })
                    .collect()
            })
            .collect();

        let mut findings = Vec::new();
        self.check_layers(&repo, &graph, &mut findings);
        self.check_forbidden_imports(&repo, &graph, &mut findings);
        self.check_forbidden_calls(&repo, &mut findings);
        self.check_contracts(&repo, &graph, &mut findings);
        findings.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        findings
    }

    fn layer_of(&self, path: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.paths.is_match(path))
    }

    fn check_layers(&self, repo: &Repo, graph: &[Vec<Edge>], out: &mut Vec<Finding>) {
        if self.layers.is_empty() {
            return;
        }
        let Some(rule) = rule(LAYER_VIOLATION) else {
            return;
        };
        let layer_of: Vec<Option<usize>> =
            repo.files.iter().map(|f| self.layer_of(&f.path)).collect();
        let stack = self
            .layers
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(" > ");
        for (i, file) in repo.files.iter().enumerate() {
            let Some(Some(own)) = layer_of.get(i).copied() else {
                continue;
            };
            for edge in graph.get(i).into_iter().flatten() {
                let Some(imp) = file.imports.get(edge.import) else {
                    continue;
                };
                // One finding per import, about the highest layer it reaches (a Go package import can
                // resolve to files of several layers only if the layers split a directory).
                let Some((target_layer, target)) = edge
                    .targets
                    .iter()
                    .filter_map(|&t| Some((layer_of.get(t).copied().flatten()?, t)))
                    .filter(|(l, _)| *l < own)
                    .min()
                else {
                    continue;
                };
                let (Some(own_layer), Some(up_layer), Some(target_file)) = (
                    self.layers.get(own),
                    self.layers.get(target_layer),
                    repo.files.get(target),
                ) else {
                    continue;
                };
                let shown = display_import(file.lang, imp, &target_file.path);
                let message = format!(
                    "layer `{}` imports `{shown}` ({}) from layer `{}` above it; layers import only downward \
                     ({stack})",
                    own_layer.name, target_file.path, up_layer.name
                );
                let mut f = Finding::new(&rule, message, import_location(&file.path, imp));
                f.severity = self.layer_severity;
                // The target file, not the line or the imported names: a fingerprint that survives edits
                // and tells two upward imports of one file apart.
                f.matched = format!(
                    "layers|{}>{}|{}",
                    own_layer.name, up_layer.name, target_file.path
                );
                let targets: Vec<&str> = edge
                    .targets
                    .iter()
                    .filter_map(|&t| repo.files.get(t).map(|f| f.path.as_str()))
                    .collect();
                f.ext.insert(
                    "intent".to_string(),
                    json!({
                        "kind": "layers",
                        "entry": "layers",
                        "from_layer": own_layer.name,
                        "to_layer": up_layer.name,
                        "layers": self.layers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
                        "import": imp.module,
                        "targets": targets,
                    }),
                );
                out.push(f);
            }
        }
    }

    fn check_forbidden_imports(&self, repo: &Repo, graph: &[Vec<Edge>], out: &mut Vec<Finding>) {
        if self.forbid_import.is_empty() {
            return;
        }
        let Some(rule) = rule(FORBIDDEN_IMPORT) else {
            return;
        };
        for (i, file) in repo.files.iter().enumerate() {
            let entries: Vec<&CompiledForbid> = self
                .forbid_import
                .iter()
                .filter(|e| e.scope.covers(&file.path))
                .collect();
            if entries.is_empty() {
                continue;
            }
            for edge in graph.get(i).into_iter().flatten() {
                let Some(imp) = file.imports.get(edge.import) else {
                    continue;
                };
                let targets: Vec<&str> = edge
                    .targets
                    .iter()
                    .filter_map(|&t| repo.files.get(t).map(|f| f.path.as_str()))
                    .collect();
                let names = import_names(file.lang, imp, &targets);
                for entry in &entries {
                    let Some((pattern, name)) = entry.patterns.iter().find_map(|p| {
                        names
                            .iter()
                            .find(|(n, sep)| p.matches(n, &[*sep]))
                            .map(|(n, _)| (p.text(), n.as_str()))
                    }) else {
                        continue;
                    };
                    let message = with_reason(
                        format!(
                            "import of `{name}` is forbidden here by intent `{}`",
                            entry.name
                        ),
                        &entry.reason,
                    );
                    let mut f = Finding::new(&rule, message, import_location(&file.path, imp));
                    f.severity = entry.severity;
                    f.matched = format!("{}|{}", entry.name, imp.module);
                    f.ext.insert(
                        "intent".to_string(),
                        json!({
                            "kind": "forbid_import",
                            "entry": entry.name,
                            "import": imp.module,
                            "matched": name,
                            "pattern": pattern,
                            "targets": targets,
                            "reason": entry.reason,
                        }),
                    );
                    out.push(f);
                }
            }
        }
    }

    fn check_forbidden_calls(&self, repo: &Repo, out: &mut Vec<Finding>) {
        if self.forbid_call.is_empty() {
            return;
        }
        let Some(rule) = rule(FORBIDDEN_CALL) else {
            return;
        };
        for file in &repo.files {
            let entries: Vec<&CompiledForbid> = self
                .forbid_call
                .iter()
                .filter(|e| e.scope.covers(&file.path))
                .collect();
            if entries.is_empty() {
                continue;
            }
            for call in &file.calls {
                let callee = strip_node_scheme(call.callee.trim());
                for entry in &entries {
                    // `.` separates a callee from its module or object (`subprocess.run`), `/` a Go package
                    // from the packages under it (`os/exec.Command`), as it does for imports.
                    let Some(pattern) = entry
                        .patterns
                        .iter()
                        .find(|p| p.matches(callee, &['.', '/']))
                    else {
                        continue;
                    };
                    let message = with_reason(
                        format!(
                            "call to `{callee}` is forbidden here by intent `{}` (matches `{}`)",
                            entry.name,
                            pattern.text()
                        ),
                        &entry.reason,
                    );
                    let location =
                        Location::at(&file.path, call.line, call.column, call.end_column);
                    let mut f = Finding::new(&rule, message, location);
                    f.severity = entry.severity;
                    f.matched = format!("{}|{callee}", entry.name);
                    f.ext.insert(
                        "intent".to_string(),
                        json!({
                            "kind": "forbid_call",
                            "entry": entry.name,
                            "call": callee,
                            "pattern": pattern.text(),
                            "reason": entry.reason,
                        }),
                    );
                    out.push(f);
                }
            }
        }
    }

    /// One breadth-first search per contract, backwards from every `to` file at once, gives each file its
    /// distance to the nearest `to` file: linear in the graph, however many `from` files there are. A
    /// shortest chain is then read forwards by always taking the first import (in source order) that gets one
    /// step closer, which makes the reported chain deterministic.
    fn check_contracts(&self, repo: &Repo, graph: &[Vec<Edge>], out: &mut Vec<Finding>) {
        if self.contracts.is_empty() {
            return;
        }
        let Some(rule) = rule(FORBIDDEN_DEPENDENCY) else {
            return;
        };
        let n = repo.files.len();
        let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, edges) in graph.iter().enumerate() {
            for edge in edges {
                for &t in &edge.targets {
                    if let Some(r) = reverse.get_mut(t) {
                        r.push(i);
                    }
                }
            }
        }
        for contract in &self.contracts {
            let mut dist: Vec<Option<usize>> = vec![None; n];
            let mut queue = VecDeque::new();
            for (i, f) in repo.files.iter().enumerate() {
                if contract.to.is_match(&f.path) {
                    dist[i] = Some(0);
                    queue.push_back(i);
                }
            }
            while let Some(t) = queue.pop_front() {
                let next = dist[t].map_or(0, |d| d + 1);
                for &i in reverse.get(t).into_iter().flatten() {
                    if dist[i].is_none() {
                        dist[i] = Some(next);
                        queue.push_back(i);
                    }
                }
            }
            for (i, file) in repo.files.iter().enumerate() {
                // A file on both sides is part of `to`: depending on its neighbours there is not a breach.
                let Some(d) = dist[i] else { continue };
                if d == 0 || !contract.from.is_match(&file.path) {
                    continue;
                }
                if let Some(f) = self.contract_finding(&rule, contract, repo, graph, &dist, i) {
                    out.push(f);
                }
            }
        }
    }

    fn contract_finding(
        &self,
        rule: &RuleMeta,
        contract: &CompiledContract,
        repo: &Repo,
        graph: &[Vec<Edge>],
        dist: &[Option<usize>],
        start: usize,
    ) -> Option<Finding> {
        let mut hops: Vec<(usize, &ImportRef, usize)> = Vec::new();
        let mut current = start;
        while let Some(d) = dist.get(current).copied().flatten().filter(|&d| d > 0) {
            let file = repo.files.get(current)?;
            // Some neighbour is one step closer, by construction of `dist`; `?` only guards the invariant.
            let (imp, next) = graph.get(current)?.iter().find_map(|edge| {
                let imp = file.imports.get(edge.import)?;
                edge.targets
                    .iter()
                    .find(|&&t| dist.get(t).copied().flatten() == Some(d - 1))
                    .map(|&t| (imp, t))
            })?;
            hops.push((current, imp, next));
            current = next;
        }
        let (_, first_import, _) = *hops.first()?;
        let start_file = repo.files.get(start)?;
        let end_file = repo.files.get(current)?;
        let mut chain = vec![start_file.path.as_str()];
        chain.extend(
            hops.iter()
                .filter_map(|&(_, _, t)| repo.files.get(t).map(|f| f.path.as_str())),
        );
        let message = with_reason(
            format!(
                "contract `{}` forbids this dependency: {}",
                contract.name,
                chain.join(" -> ")
            ),
            &contract.reason,
        );
        let mut f = Finding::new(
            rule,
            message,
            import_location(&start_file.path, first_import),
        );
        f.severity = contract.severity;
        f.matched = format!("{}|{}", contract.name, end_file.path);
        f.related = hops
            .iter()
            .filter_map(|&(from, imp, to)| {
                let from = repo.files.get(from)?;
                let to = repo.files.get(to)?;
                Some(Related {
                    kind: RelatedKind::Step,
                    location: import_location(&from.path, imp),
                    message: format!("imports {}", to.path),
                })
            })
            .collect();
        f.ext.insert(
            "intent".to_string(),
            json!({
                "kind": "contract",
                "entry": contract.name,
                "chain": chain,
                "imports": hops.iter().map(|(_, imp, _)| imp.module.as_str()).collect::<Vec<_>>(),
                "reason": contract.reason,
            }),
        );
        Some(f)
    }
}

/// The names an import can be matched by, each with the separator between a module and its submodules in
/// that name: the module as written (without `node:`), for Python also `module.name` for each imported name
/// (`from google import genai` is an import of `google.genai`), and the repository files it resolves to.
fn import_names(lang: Lang, imp: &ImportRef, targets: &[&str]) -> Vec<(String, char)> {
    let module = imp.module.trim();
    let mut names = Vec::new();
    match lang {
        Lang::Python => {
            names.push((module.to_string(), '.'));
            for n in &imp.names {
                let n = n.trim();
                if !n.is_empty() && n != "*" {
                    names.push((format!("{module}.{n}"), '.'));
                }
            }
        }
        Lang::JavaScript | Lang::TypeScript => {
            names.push((strip_node_scheme(module).to_string(), '/'));
        }
        Lang::Go => names.push((module.to_string(), '/')),
    }
    names.extend(targets.iter().map(|t| (t.to_string(), '/')));
    names
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    // ---- helpers: facts are written as compactly as the extractor would produce them ----

    fn imp(module: &str, line: u32) -> ImportRef {
        ImportRef {
            module: module.to_string(),
            names: Vec::new(),
            line,
            column: 1,
            end_column: 1 + module.len() as u32,
        }
    }

    fn from_imp(module: &str, names: &[&str], line: u32) -> ImportRef {
        ImportRef {
            names: names.iter().map(|s| s.to_string()).collect(),
            ..imp(module, line)
        }
    }

    fn call(callee: &str, line: u32) -> CallRef {
        CallRef {
            callee: callee.to_string(),
            line,
            column: 5,
            end_column: 5 + callee.len() as u32,
        }
    }

    fn lang_of(path: &str) -> Lang {
        match path.rsplit('.').next() {
            Some("py") => Lang::Python,
            Some("go") => Lang::Go,
            Some("ts" | "tsx" | "mts" | "cts") => Lang::TypeScript,
            _ => Lang::JavaScript,
        }
    }

    fn file(path: &str, imports: Vec<ImportRef>) -> ModuleFacts {
        ModuleFacts {
            path: path.to_string(),
            lang: lang_of(path),
            imports,
            calls: Vec::new(),
        }
    }

    fn with_calls(path: &str, calls: Vec<CallRef>) -> ModuleFacts {
        ModuleFacts {
            calls,
            ..file(path, Vec::new())
        }
    }

    fn settings(toml_text: &str) -> IntentSettings {
        let s: IntentSettings = toml::from_str(toml_text).expect("test settings parse");
        s.validate().expect("test settings validate");
        s
    }

    /// The repository paths an import resolves to.
    fn resolved(
        modules: &[ModuleFacts],
        go: &[GoModule],
        importer: &str,
        i: &ImportRef,
    ) -> Vec<String> {
        let repo = Repo::new(modules, go);
        let f = modules
            .iter()
            .find(|m| m.path == importer)
            .expect("importer is among the modules");
        repo.resolve(f, i)
            .into_iter()
            .map(|t| repo.files[t].path.clone())
            .collect()
    }

    fn ids_and_paths(findings: &[Finding]) -> Vec<(String, String, u32)> {
        findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.clone(),
                    f.location.path.clone(),
                    f.location.start_line,
                )
            })
            .collect()
    }

    const LAYERS: &str = r#"
        layers = [
          { name = "api",    paths = ["app/api/**"] },
          { name = "domain", paths = ["app/domain"] },
          { name = "infra",  paths = ["app/infra/**"] },
        ]
    "#;

    // ---- settings ----

    #[test]
    fn the_documented_example_parses_and_validates() {
        let text = r#"
[intent]
layers = [
  { name = "api",    paths = ["app/api/**"] },
  { name = "domain", paths = ["app/domain/**"] },
  { name = "infra",  paths = ["app/infra/**"] },
]
layer_severity = "high"
[[intent.forbid_import]]
name = "llm-sdks-only-in-gateway"
modules = ["openai", "anthropic", "@anthropic-ai/sdk", "litellm"]
except_in = ["services/gateway/**"]
reason = "model traffic goes through the gateway"
[[intent.forbid_call]]
name = "no-shell-in-rag"
calls = ["subprocess.*", "os.system", "os/exec.*", "child_process.*"]
in = ["services/rag/**"]
severity = "high"
[[intent.contract]]
name = "ui-never-reaches-db"
from = ["app/ui/**"]
to = ["app/db/**", "layer:infra"]
"#;
        // The section as warden-core hands it over: a table parsed into the analyzer's own type.
        let doc: toml::Table = toml::from_str(text).expect("parses");
        let section = doc.get("intent").cloned().expect("has [intent]");
        let s = IntentSettings::deserialize(section).expect("deserializes");
        assert_eq!(s.validate(), Ok(()));
        assert!(!s.is_empty());
        assert_eq!(s.layers.len(), 3);
        assert_eq!(s.layer_severity, Some(Severity::High));
        assert_eq!(
            s.forbid_call[0].in_paths.as_deref(),
            Some(&["services/rag/**".to_string()][..])
        );
        assert_eq!(s.forbid_call[0].severity, Some(Severity::High));
        assert_eq!(s.contract[0].severity, None);
        assert!(IntentSettings::default().is_empty());
        // What serialises reads back the same (`in` keeps its TOML name).
        let again: IntentSettings =
            toml::from_str(&toml::to_string(&s).expect("serialises")).expect("re-parses");
        assert_eq!(again, s);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let e = toml::from_str::<IntentSettings>("layer = []").unwrap_err();
        assert!(e.to_string().contains("unknown field `layer`"), "{e}");
        let e = toml::from_str::<IntentSettings>(
            "[[forbid_call]]\nname = \"x\"\ncalls = [\"os.system\"]\nexcept = [\"a\"]\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `except`"), "{e}");
    }

    #[test]
    fn validation_names_the_entry_and_the_problem() {
        let err = |text: &str| {
            toml::from_str::<IntentSettings>(text)
                .expect("parses")
                .validate()
                .expect_err("is invalid")
                .to_string()
        };
        let e = err("[[forbid_import]]\nname = \"llm\"\nmodules = []\n");
        assert_eq!(e, "intent.forbid_import `llm`: `modules` is empty; list at least one pattern (or leave the key out)");
        let e = err("[[forbid_call]]\nname = \"x\"\ncalls = [\"os.system\"]\nin = []\n");
        assert!(e.contains("forbid_call `x`: `in` is empty"), "{e}");
        let e = err("[[forbid_import]]\nname = \"x\"\nmodules = [\"a\"]\nin = [\"src/[\"]\n");
        assert!(
            e.starts_with("intent.forbid_import `x`: `in`: invalid glob `src/[`"),
            "{e}"
        );
        let e = err("[[forbid_call]]\nname = \"x\"\ncalls = [\"a.{b\"]\n");
        assert!(e.contains("`calls`: invalid glob `a.{b`"), "{e}");
        let e = err("[[contract]]\nname = \"c\"\nfrom = [\"a\"]\nto = [\"b\"]\n[[contract]]\nname = \"c\"\nfrom = [\"a\"]\nto = [\"b\"]\n");
        assert!(e.contains("two entries are named `c`"), "{e}");
        let e = err("[[contract]]\nname = \" \"\nfrom = [\"a\"]\nto = [\"b\"]\n");
        assert!(e.contains("intent.contract[0]: `name` is empty"), "{e}");
        let e = err("[[contract]]\nname = \"c\"\nfrom = [\"layer:ui\"]\nto = [\"b\"]\n");
        assert!(e.contains("`from` names `layer:ui`"), "{e}");
        let e = err("[[contract]]\nname = \"c\"\nfrom = [\"./\"]\nto = [\"b\"]\n");
        assert!(e.contains("`from` has an empty pattern"), "{e}");
        let e = err("layers = [{ name = \"app\", paths = [\"app/**\"] }, { name = \"domain\", paths = [\"app/domain\"] }]");
        assert!(
            e.contains("layers `app` and `domain` overlap (`app/**` covers `app/domain`)"),
            "{e}"
        );
        let e = err("layers = [{ name = \"a\", paths = [] }]");
        assert!(e.contains("layers `a`: `paths` is empty"), "{e}");
        let e =
            err("layers = [{ name = \"a\", paths = [\"x\"] }, { name = \"a\", paths = [\"y\"] }]");
        assert!(
            e.contains("intent.layers: two entries are named `a`"),
            "{e}"
        );
    }

    #[test]
    fn invalid_settings_check_nothing_and_never_panic() {
        let s: IntentSettings =
            toml::from_str("[[forbid_import]]\nname = \"x\"\nmodules = [\"[\"]\n").expect("parses");
        let m = vec![file("a.py", vec![imp("os", 1)])];
        assert!(check(&s, &m, &[]).is_empty());
    }

    #[test]
    fn rules_are_the_four_intent_rules() {
        let r = rules();
        let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                LAYER_VIOLATION,
                FORBIDDEN_IMPORT,
                FORBIDDEN_CALL,
                FORBIDDEN_DEPENDENCY
            ]
        );
        for rule in &r {
            assert_eq!(rule.analyzer(), "intent");
            assert!(rule.tags.iter().any(|t| t == "architecture"));
            assert!(!rule.description.is_empty() && !rule.remediation.is_empty());
        }
        assert_eq!(r[3].severity, Severity::High);
    }

    // ---- resolution: Python ----

    #[test]
    fn python_modules_resolve_at_the_root_and_in_packages() {
        let m = vec![
            file("app/api/views.py", vec![]),
            file("app/domain/__init__.py", vec![]),
            file("app/domain/models.py", vec![]),
            file("app/infra/db.py", vec![]),
        ];
        let from = "app/api/views.py";
        assert_eq!(
            resolved(&m, &[], from, &imp("app.infra.db", 1)),
            ["app/infra/db.py"]
        );
        // `import app.domain` is the package's __init__.py.
        assert_eq!(
            resolved(&m, &[], from, &imp("app.domain", 1)),
            ["app/domain/__init__.py"]
        );
        // `from app.domain import models`: a submodule.
        assert_eq!(
            resolved(&m, &[], from, &from_imp("app.domain", &["models"], 1)),
            ["app/domain/models.py"]
        );
        // `from app.domain import Order, models`: Order is a name in the package, models a submodule.
        assert_eq!(
            resolved(
                &m,
                &[],
                from,
                &from_imp("app.domain", &["Order", "models"], 1)
            ),
            ["app/domain/__init__.py", "app/domain/models.py"]
        );
        // `from app.infra.db import Session`: a name inside the module.
        assert_eq!(
            resolved(&m, &[], from, &from_imp("app.infra.db", &["Session"], 1)),
            ["app/infra/db.py"]
        );
        // Packages and the standard library are external.
        assert!(resolved(&m, &[], from, &imp("requests", 1)).is_empty());
        assert!(resolved(&m, &[], from, &imp("..broken", 1)).is_empty());
    }

    #[test]
    fn python_source_roots_are_suffixes_that_are_not_packages() {
        let m = vec![
            file("src/shop/__init__.py", vec![]),
            file("src/shop/orders.py", vec![]),
            file("tests/test_orders.py", vec![]),
            file("shop_tools/shop/orders.py", vec![]),
            file("app/utils/__init__.py", vec![]),
            file("app/utils/json.py", vec![]),
        ];
        // From its own source root, and from tests/ outside it: the shallowest root wins over `shop_tools/`.
        assert_eq!(
            resolved(&m, &[], "src/shop/__init__.py", &imp("shop.orders", 1)),
            ["src/shop/orders.py"]
        );
        assert_eq!(
            resolved(
                &m,
                &[],
                "tests/test_orders.py",
                &from_imp("shop", &["orders"], 1)
            ),
            ["src/shop/orders.py"]
        );
        // The importer's own root wins, and a file is never an import of itself.
        assert!(resolved(&m, &[], "shop_tools/shop/orders.py", &imp("shop.orders", 1)).is_empty());
        // `app/utils/` is a package, so `json.py` in it is `app.utils.json`, not the standard library's json.
        assert!(resolved(&m, &[], "src/shop/orders.py", &imp("json", 1)).is_empty());
        // Suffixes match at a `/` boundary only.
        let m2 = vec![file("myshop/orders.py", vec![]), file("x.py", vec![])];
        assert!(resolved(&m2, &[], "x.py", &imp("shop.orders", 1)).is_empty());
    }

    #[test]
    fn python_prefers_the_importers_root_when_several_fit() {
        let m = vec![
            file("lib/common/util.py", vec![]),
            file("services/a/src/common/util.py", vec![]),
            file("services/a/src/main.py", vec![]),
        ];
        assert_eq!(
            resolved(&m, &[], "services/a/src/main.py", &imp("common.util", 1)),
            ["services/a/src/common/util.py"]
        );
    }

    // ---- resolution: JavaScript / TypeScript ----

    #[test]
    fn js_relative_specifiers_resolve_with_extensions_and_index_files() {
        let m = vec![
            file("web/src/pages/home.tsx", vec![]),
            file("web/src/utils.ts", vec![]),
            file("web/src/components/index.tsx", vec![]),
            file("web/src/lib/api.js", vec![]),
            file("web/src/esm/client.ts", vec![]),
            file("web/src/data.mjs", vec![]),
        ];
        let from = "web/src/pages/home.tsx";
        assert_eq!(
            resolved(&m, &[], from, &imp("../utils", 1)),
            ["web/src/utils.ts"]
        );
        assert_eq!(
            resolved(&m, &[], from, &imp("../components", 1)),
            ["web/src/components/index.tsx"]
        );
        assert_eq!(
            resolved(&m, &[], from, &imp("../lib/api.js", 1)),
            ["web/src/lib/api.js"]
        );
        // ESM TypeScript writes the compiled extension.
        assert_eq!(
            resolved(&m, &[], from, &imp("../esm/client.js", 1)),
            ["web/src/esm/client.ts"]
        );
        assert_eq!(
            resolved(&m, &[], from, &imp("../data", 1)),
            ["web/src/data.mjs"]
        );
        assert_eq!(
            resolved(&m, &[], "web/src/utils.ts", &imp("./lib/api?raw", 1)),
            ["web/src/lib/api.js"]
        );
        // Packages, aliases and paths above the root are not repository files.
        assert!(resolved(&m, &[], from, &imp("react", 1)).is_empty());
        assert!(resolved(&m, &[], from, &imp("@/utils", 1)).is_empty());
        assert!(resolved(&m, &[], from, &imp("../../../../x", 1)).is_empty());
        assert!(resolved(&m, &[], from, &imp("./missing", 1)).is_empty());
    }

    // ---- resolution: Go ----

    #[test]
    fn go_imports_resolve_through_the_longest_module_prefix() {
        let go = vec![
            GoModule {
                dir: String::new(),
                module: "github.com/acme/shop".into(),
            },
            GoModule {
                dir: "tools/".into(),
                module: "github.com/acme/shop/tools".into(),
            },
        ];
        let m = vec![
            file("cmd/server/main.go", vec![]),
            file("internal/db/db.go", vec![]),
            file("internal/db/tx.go", vec![]),
            file("internal/db/db_test.go", vec![]),
            file("internal/db/sub/x.go", vec![]),
            file("tools/gen/gen.go", vec![]),
        ];
        let from = "cmd/server/main.go";
        assert_eq!(
            resolved(&m, &go, from, &imp("github.com/acme/shop/internal/db", 1)),
            ["internal/db/db.go", "internal/db/tx.go"]
        );
        // The nested go.mod owns its subtree.
        assert_eq!(
            resolved(&m, &go, from, &imp("github.com/acme/shop/tools/gen", 1)),
            ["tools/gen/gen.go"]
        );
        assert!(resolved(&m, &go, from, &imp("os/exec", 1)).is_empty());
        assert!(resolved(&m, &go, from, &imp("github.com/acme/shopping/x", 1)).is_empty());
    }

    // ---- layers ----

    #[test]
    fn upward_imports_violate_layers_and_downward_ones_do_not() {
        let s = settings(LAYERS);
        let m = vec![
            file("app/api/schemas.py", vec![]),
            // Downward (api -> domain -> infra), same-layer and unlayered imports are all fine.
            file(
                "app/api/views.py",
                vec![
                    imp("app.domain.order", 1),
                    imp("app.infra.db", 2),
                    imp("app.api.schemas", 3),
                ],
            ),
            file(
                "app/domain/order.py",
                vec![
                    imp("app.infra.db", 1),
                    imp("scripts.seed", 2),
                    from_imp("app.api", &["schemas"], 3),
                ],
            ),
            file("app/infra/db.py", vec![imp("sqlalchemy", 1)]),
            file("scripts/seed.py", vec![imp("app.api.views", 1)]),
        ];
        let f = check(&s, &m, &[]);
        assert_eq!(
            ids_and_paths(&f),
            [(
                LAYER_VIOLATION.to_string(),
                "app/domain/order.py".to_string(),
                3
            )]
        );
        let v = &f[0];
        assert_eq!(
            v.message,
            "layer `domain` imports `app.api.schemas` (app/api/schemas.py) from layer `api` above it; layers \
             import only downward (api > domain > infra)"
        );
        assert_eq!(v.severity, Severity::Medium);
        assert_eq!(v.matched, "layers|domain>api|app/api/schemas.py");
        assert_eq!(v.ext["intent"]["from_layer"], "domain");
        assert_eq!(v.ext["intent"]["targets"], json!(["app/api/schemas.py"]));
    }

    #[test]
    fn layer_messages_name_the_module_not_the_imported_class() {
        let s = settings(LAYERS);
        let m = vec![
            file("app/api/schemas.py", vec![]),
            file("app/api/__init__.py", vec![]),
            file(
                "app/domain/invoice.py",
                vec![
                    from_imp("app.api.schemas", &["OrderOut"], 2),
                    from_imp("app.api", &["router"], 5),
                ],
            ),
        ];
        let f = check(&s, &m, &[]);
        let shown: Vec<(&str, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.message.split('`').nth(3).unwrap_or(""),
                    f.matched.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("app.api.schemas", "layers|domain>api|app/api/schemas.py"),
                ("app.api", "layers|domain>api|app/api/__init__.py"),
            ]
        );
    }

    #[test]
    fn layer_severity_applies_and_js_layers_work() {
        let s = settings(
            r#"layers = [{ name = "ui", paths = ["web/ui"] }, { name = "core", paths = ["web/core/**"] }]
               layer_severity = "low""#,
        );
        let m = vec![
            file("web/ui/button.tsx", vec![imp("../core/state", 1)]),
            file("web/core/state.ts", vec![imp("../ui/button", 4)]),
        ];
        let f = check(&s, &m, &[]);
        assert_eq!(
            ids_and_paths(&f),
            [(
                LAYER_VIOLATION.to_string(),
                "web/core/state.ts".to_string(),
                4
            )]
        );
        assert_eq!(f[0].severity, Severity::Low);
    }

    // ---- forbid_import ----

    #[test]
    fn forbidden_imports_match_modules_submodules_and_packages() {
        let s = settings(
            r#"[[forbid_import]]
               name = "llm-sdks-only-in-gateway"
               modules = ["openai", "@anthropic-ai/sdk", "google.genai", "github.com/sashabaranov/go-openai", "langchain_*"]
               except_in = ["services/gateway/**"]
               reason = "model traffic goes through the gateway""#,
        );
        let m = vec![
            file(
                "services/rag/answer.py",
                vec![
                    imp("openai.types.chat", 2),
                    from_imp("google", &["genai"], 3),
                    imp("langchain_openai", 4),
                    imp("openai_compat", 5),
                ],
            ),
            file(
                "web/chat.ts",
                vec![
                    imp("@anthropic-ai/sdk/resources", 1),
                    imp("openai-edge", 2),
                    imp("./openai", 3),
                ],
            ),
            file(
                "worker/main.go",
                vec![imp("github.com/sashabaranov/go-openai", 7)],
            ),
            // The exception: the gateway may import them.
            file("services/gateway/client.py", vec![imp("openai", 1)]),
        ];
        let f = check(&s, &m, &[]);
        assert_eq!(
            ids_and_paths(&f),
            [
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "services/rag/answer.py".to_string(),
                    2
                ),
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "services/rag/answer.py".to_string(),
                    3
                ),
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "services/rag/answer.py".to_string(),
                    4
                ),
                (FORBIDDEN_IMPORT.to_string(), "web/chat.ts".to_string(), 1),
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "worker/main.go".to_string(),
                    7
                ),
            ]
        );
        assert_eq!(
            f[0].message,
            "import of `openai.types.chat` is forbidden here by intent `llm-sdks-only-in-gateway`; model traffic \
             goes through the gateway"
        );
        assert_eq!(f[1].ext["intent"]["matched"], "google.genai");
        assert_eq!(f[1].matched, "llm-sdks-only-in-gateway|google");
        assert_eq!(f[2].ext["intent"]["pattern"], "langchain_*");
    }

    #[test]
    fn forbidden_imports_respect_in_and_cover_internal_files() {
        let s = settings(
            r#"[[forbid_import]]
               name = "handlers-use-repositories"
               modules = ["app/db/**", "node:child_process"]
               in = ["app/handlers"]
               severity = "low""#,
        );
        let m = vec![
            file("app/db/session.py", vec![]),
            file("app/db/pool.ts", vec![]),
            file(
                "app/handlers/orders.py",
                vec![from_imp("app.db", &["session"], 1)],
            ),
            file(
                "app/handlers/jobs.ts",
                vec![imp("../db/pool", 1), imp("child_process", 2)],
            ),
            // Outside `in`: not checked.
            file("app/repos/orders.py", vec![imp("app.db.session", 1)]),
        ];
        let f = check(&s, &m, &[]);
        assert_eq!(
            ids_and_paths(&f),
            [
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "app/handlers/jobs.ts".to_string(),
                    1
                ),
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "app/handlers/jobs.ts".to_string(),
                    2
                ),
                (
                    FORBIDDEN_IMPORT.to_string(),
                    "app/handlers/orders.py".to_string(),
                    1
                ),
            ]
        );
        assert!(f.iter().all(|f| f.severity == Severity::Low));
        assert_eq!(f[0].ext["intent"]["matched"], "app/db/pool.ts");
        assert_eq!(f[1].ext["intent"]["matched"], "child_process");
    }

    #[test]
    fn package_prefixes_stop_at_the_languages_separator() {
        let s =
            settings("[[forbid_import]]\nname = \"no-lodash\"\nmodules = [\"lodash\", \"os\"]\n");
        let m = vec![
            // `lodash.debounce` is its own npm package; `lodash/fp` is part of lodash.
            file("a.js", vec![imp("lodash.debounce", 1), imp("lodash/fp", 2)]),
            // In Python `.` is the separator; in Go `os/exec` is another package than `os`.
            file("b.py", vec![imp("os.path", 1)]),
            file("c.go", vec![imp("os/exec", 1)]),
        ];
        let f = check(&s, &m, &[]);
        let at: Vec<(String, u32)> = f
            .iter()
            .map(|f| (f.location.path.clone(), f.location.start_line))
            .collect();
        // c.go: the Go import path `os/exec` lies under `os` as a path, which is how Go paths nest.
        assert_eq!(
            at,
            [
                ("a.js".to_string(), 2),
                ("b.py".to_string(), 1),
                ("c.go".to_string(), 1)
            ]
        );
    }

    // ---- forbid_call ----

    #[test]
    fn forbidden_calls_match_globs_and_prefixes_inside_in() {
        let s = settings(
            r#"[[forbid_call]]
               name = "no-shell-in-rag"
               calls = ["subprocess.*", "os.system", "os/exec.*", "child_process", "eval"]
               in = ["services/rag/**"]
               except_in = ["services/rag/scripts/**"]
               reason = "the RAG service handles model output""#,
        );
        let m = vec![
            with_calls(
                "services/rag/index.py",
                vec![
                    call("subprocess.run", 3),
                    call("os.system", 4),
                    call("os.path.join", 5),
                    call("evaluate", 6),
                ],
            ),
            with_calls(
                "services/rag/fetch.ts",
                vec![call("node:child_process.exec", 9), call("eval", 10)],
            ),
            with_calls(
                "services/rag/run.go",
                vec![call("os/exec.Command", 2), call("os.Getenv", 3)],
            ),
            // Outside `in`, and inside `except_in`: not checked.
            with_calls("services/api/admin.py", vec![call("subprocess.run", 1)]),
            with_calls(
                "services/rag/scripts/reindex.py",
                vec![call("subprocess.run", 1)],
            ),
        ];
        let f = check(&s, &m, &[]);
        assert_eq!(
            ids_and_paths(&f),
            [
                (
                    FORBIDDEN_CALL.to_string(),
                    "services/rag/fetch.ts".to_string(),
                    9
                ),
                (
                    FORBIDDEN_CALL.to_string(),
                    "services/rag/fetch.ts".to_string(),
                    10
                ),
                (
                    FORBIDDEN_CALL.to_string(),
                    "services/rag/index.py".to_string(),
                    3
                ),
                (
                    FORBIDDEN_CALL.to_string(),
                    "services/rag/index.py".to_string(),
                    4
                ),
                (
                    FORBIDDEN_CALL.to_string(),
                    "services/rag/run.go".to_string(),
                    2
                ),
            ]
        );
        let py = &f[2];
        assert_eq!(
            py.message,
            "call to `subprocess.run` is forbidden here by intent `no-shell-in-rag` (matches `subprocess.*`); the \
             RAG service handles model output"
        );
        assert_eq!(py.matched, "no-shell-in-rag|subprocess.run");
        assert_eq!((py.location.start_column, py.location.end_column), (5, 19));
        assert_eq!(f[0].ext["intent"]["call"], "child_process.exec");
    }

    #[test]
    fn call_prefixes_stop_at_a_separator() {
        let s = settings("[[forbid_call]]\nname = \"x\"\ncalls = [\"os\", \"pickle.load\"]\n");
        let m = vec![
            with_calls(
                "main.go",
                vec![
                    call("os/exec.Command", 1),
                    call("os.Exit", 2),
                    call("osext.Run", 3),
                ],
            ),
            with_calls(
                "load.py",
                vec![call("pickle.loads", 1), call("pickle.load", 2)],
            ),
        ];
        let at: Vec<(String, u32)> = check(&s, &m, &[])
            .iter()
            .map(|f| (f.location.path.clone(), f.location.start_line))
            .collect();
        assert_eq!(
            at,
            [
                ("load.py".to_string(), 2),
                ("main.go".to_string(), 1),
                ("main.go".to_string(), 2)
            ]
        );
    }

    // ---- contracts ----

    fn contract_repo() -> Vec<ModuleFacts> {
        vec![
            file(
                "app/ui/page.py",
                vec![imp("app.ui.widgets", 1), imp("app.services.orders", 2)],
            ),
            file("app/ui/widgets.py", vec![imp("app.services.cache", 1)]),
            file(
                "app/services/orders.py",
                vec![imp("app.util", 1), from_imp("app.db", &["session"], 4)],
            ),
            file("app/services/cache.py", vec![imp("app.services.orders", 1)]),
            file("app/util.py", vec![]),
            file(
                "app/db/session.py",
                vec![imp("sqlalchemy", 1), imp("app.db.models", 2)],
            ),
            file("app/db/models.py", vec![]),
        ]
    }

    const CONTRACT: &str = r#"
        [[contract]]
        name = "ui-never-reaches-db"
        from = ["app/ui/**"]
        to = ["app/db/**"]
        reason = "the UI talks to services only"
    "#;

    #[test]
    fn contracts_report_the_shortest_chain_once_per_file() {
        let f = check(&settings(CONTRACT), &contract_repo(), &[]);
        assert_eq!(
            ids_and_paths(&f),
            [
                (
                    FORBIDDEN_DEPENDENCY.to_string(),
                    "app/ui/page.py".to_string(),
                    2
                ),
                (
                    FORBIDDEN_DEPENDENCY.to_string(),
                    "app/ui/widgets.py".to_string(),
                    1
                ),
            ]
        );
        let page = &f[0];
        // page -> widgets -> cache -> orders -> session is longer; the chain through line 2 is reported.
        assert_eq!(
            page.message,
            "contract `ui-never-reaches-db` forbids this dependency: app/ui/page.py -> app/services/orders.py -> \
             app/db/session.py; the UI talks to services only"
        );
        assert_eq!(page.severity, Severity::High);
        assert_eq!(page.confidence, Confidence::Medium);
        assert_eq!(page.matched, "ui-never-reaches-db|app/db/session.py");
        let steps: Vec<(RelatedKind, &str, u32, &str)> = page
            .related
            .iter()
            .map(|r| {
                (
                    r.kind,
                    r.location.path.as_str(),
                    r.location.start_line,
                    r.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                (
                    RelatedKind::Step,
                    "app/ui/page.py",
                    2,
                    "imports app/services/orders.py"
                ),
                (
                    RelatedKind::Step,
                    "app/services/orders.py",
                    4,
                    "imports app/db/session.py"
                ),
            ]
        );
        assert_eq!(
            page.ext["intent"]["chain"],
            json!([
                "app/ui/page.py",
                "app/services/orders.py",
                "app/db/session.py"
            ])
        );
        let widgets = &f[1];
        assert_eq!(widgets.related.len(), 3);
        assert!(widgets.message.contains(
            "app/ui/widgets.py -> app/services/cache.py -> app/services/orders.py -> app/db/session.py"
        ));
    }

    #[test]
    fn direct_imports_are_chains_of_one() {
        let m = vec![
            file(
                "app/ui/admin.ts",
                vec![imp("react", 1), imp("../db/client", 3)],
            ),
            file("app/db/client.ts", vec![]),
        ];
        let f = check(&settings(CONTRACT), &m, &[]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].location.start_line, 3);
        assert_eq!(f[0].related.len(), 1);
        assert!(
            f[0].message
                .contains(": app/ui/admin.ts -> app/db/client.ts; the UI"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_satisfied_contract_reports_nothing() {
        // The UI reaches services, services reach the db, but nothing chains the UI to the db.
        let m = vec![
            file(
                "app/ui/page.py",
                vec![imp("app.services.api", 1), imp("app.util", 2)],
            ),
            file("app/services/api.py", vec![imp("app.util", 1)]),
            file("app/services/orders.py", vec![imp("app.db.session", 1)]),
            file("app/util.py", vec![imp("app.ui.page", 1)]), // a cycle back into `from` must not loop
            file("app/db/session.py", vec![imp("app.ui.page", 1)]), // the reverse direction is allowed
        ];
        assert!(check(&settings(CONTRACT), &m, &[]).is_empty());
    }

    #[test]
    fn contracts_follow_go_packages_and_can_name_layers() {
        let s = settings(
            r#"layers = [{ name = "handlers", paths = ["internal/http"] }, { name = "store", paths = ["internal/store"] }]
               [[contract]]
               name = "cli-never-touches-store"
               from = ["cmd/**"]
               to = ["layer:store"]"#,
        );
        let go = vec![GoModule {
            dir: String::new(),
            module: "example.com/svc".into(),
        }];
        let m = vec![
            file(
                "cmd/svc/main.go",
                vec![imp("fmt", 1), imp("example.com/svc/internal/http", 4)],
            ),
            file(
                "internal/http/server.go",
                vec![imp("example.com/svc/internal/store", 6)],
            ),
            file("internal/http/routes.go", vec![]),
            file("internal/store/pg.go", vec![]),
        ];
        let f = check(&s, &m, &go);
        assert_eq!(
            ids_and_paths(&f),
            [(
                FORBIDDEN_DEPENDENCY.to_string(),
                "cmd/svc/main.go".to_string(),
                4
            )]
        );
        assert!(f[0]
            .message
            .ends_with("cmd/svc/main.go -> internal/http/server.go -> internal/store/pg.go"));
    }

    // ---- determinism and fingerprints ----

    #[test]
    fn output_does_not_depend_on_input_order() {
        let s = settings(&format!(
            "{LAYERS}\n{CONTRACT}\n[[forbid_import]]\nname = \"no-sqlalchemy\"\nmodules = [\"sqlalchemy\"]\nexcept_in = [\"app/db\"]\n"
        ));
        let mut m = contract_repo();
        m.push(file(
            "app/domain/order.py",
            vec![imp("app.api.views", 1), imp("sqlalchemy", 2)],
        ));
        m.push(file("app/api/views.py", vec![]));
        let render = |fs: &[Finding]| -> Vec<String> {
            fs.iter()
                .map(|f| serde_json::to_string(f).expect("serialises") + &f.matched)
                .collect()
        };
        let expected = render(&check(&s, &m, &[]));
        assert_eq!(expected.len(), 4);
        // Reversed files, reversed imports within each file: same findings, same order.
        let mut shuffled = m.clone();
        shuffled.reverse();
        for f in &mut shuffled {
            f.imports.reverse();
        }
        assert_eq!(render(&check(&s, &shuffled, &[])), expected);
        // Facts for the same path given twice count once.
        let mut doubled = m.clone();
        doubled.extend(m.iter().cloned());
        assert_eq!(render(&check(&s, &doubled, &[])), expected);
    }

    #[test]
    fn matched_strings_do_not_change_when_lines_move() {
        let s = settings("[[forbid_import]]\nname = \"no-pickle\"\nmodules = [\"pickle\"]\n");
        let a = check(&s, &[file("a.py", vec![imp("pickle", 3)])], &[]);
        let b = check(&s, &[file("a.py", vec![imp("pickle", 30)])], &[]);
        assert_eq!(a[0].matched, b[0].matched);
        assert_ne!(a[0].location, b[0].location);
    }
}
