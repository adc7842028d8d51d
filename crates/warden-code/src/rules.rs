//! Rules and language models as data (`rules/*.toml`, `models/*.toml`, documented in docs/code-rules.md),
//! embedded in the binary and compiled once.
//!
//! Models say what the code's libraries do: which values come from users or models (sources), which calls
//! consume them dangerously (sinks, by kind: `shell`, `sql`, `html`, ...), which make them safe (sanitizers),
//! which are model calls. Rules say what to report: a `taint` rule names source labels and sink kinds; a
//! `pattern` rule names calls and conditions on their arguments.

use crate::ir::Lang;
use crate::path::Patterns;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use warden_core::{Confidence, RuleMeta, Severity};

pub const RULE_FILES: &[(&str, &str)] = &[
    (
        "rules/injection.toml",
        include_str!("../rules/injection.toml"),
    ),
    ("rules/llm.toml", include_str!("../rules/llm.toml")),
    ("rules/models.toml", include_str!("../rules/models.toml")),
    ("rules/crypto.toml", include_str!("../rules/crypto.toml")),
    ("rules/config.toml", include_str!("../rules/config.toml")),
];

pub const MODEL_FILES: &[(Lang, &str, &str)] = &[
    (
        Lang::Python,
        "models/python.toml",
        include_str!("../models/python.toml"),
    ),
    (
        Lang::JavaScript,
        "models/javascript.toml",
        include_str!("../models/javascript.toml"),
    ),
    (
        Lang::Go,
        "models/go.toml",
        include_str!("../models/go.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RuleError {
    pub file: String,
    pub message: String,
}

// ---------------------------------------------------------------- models

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    #[serde(default)]
    pub source: Vec<SourceDef>,
    #[serde(default)]
    pub sink: Vec<SinkDef>,
    #[serde(default)]
    pub sanitizer: Vec<SanitizerDef>,
    #[serde(default)]
    pub llm: Vec<LlmDef>,
    #[serde(default)]
    pub format: Vec<FormatDef>,
    /// Methods that put their arguments into their receiver (`append`, `push`, `WriteString`).
    #[serde(default)]
    pub mutators: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// `user` (request data, CLI input), `llm` (model output), `tool` (arguments a model chooses for a tool).
    pub label: String,
    /// Values whose resolved path starts with one of these (`flask.request.args`).
    #[serde(default)]
    pub access: Vec<String>,
    /// Parameters of functions decorated with one of these (`flask.Flask().route`, `mcp.server.fastmcp.FastMCP().tool`).
    #[serde(default)]
    pub decorated_params: Vec<String>,
    /// Parameters of function arguments passed to these calls (`express().get`): Express-style handlers.
    #[serde(default)]
    pub callback_params: Vec<String>,
    /// Parameters whose declared type resolves to one of these (`net/http.Request`).
    #[serde(default)]
    pub typed_params: Vec<String>,
    /// Parameters of exported route handlers by function name (Next.js `GET`, `POST`).
    #[serde(default)]
    pub handler_names: Vec<String>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkDef {
    pub kind: String,
    #[serde(default)]
    pub calls: Vec<String>,
    /// Positional arguments that are dangerous (0-based).
    #[serde(default)]
    pub args: Vec<usize>,
    /// Keyword arguments (and option-object keys) that are dangerous.
    #[serde(default)]
    pub kwargs: Vec<String>,
    /// Every argument.
    #[serde(default)]
    pub all_args: bool,
    /// The object the method is called on (`Path(x).read_text()`).
    #[serde(default)]
    pub receiver: bool,
    /// Assignments to attributes with these names (`el.innerHTML = x`).
    #[serde(default)]
    pub assign: Vec<String>,
    /// Only when these keyword arguments have these values (`shell = "true"`).
    #[serde(default)]
    pub when: BTreeMap<String, String>,
    /// Calls the name patterns would match that are not this sink (`child_process.exec` for a SQL `**.exec`).
    #[serde(default)]
    pub except_calls: Vec<String>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanitizerDef {
    pub calls: Vec<String>,
    /// The sink kinds it makes a value safe for; `*` for all (a conversion to a number).
    pub kinds: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmDef {
    pub calls: Vec<String>,
    #[serde(default)]
    pub prompt_args: Vec<usize>,
    #[serde(default)]
    pub prompt_kwargs: Vec<String>,
    /// Arguments that hold the system prompt or instructions.
    #[serde(default)]
    pub system_kwargs: Vec<String>,
    /// Arguments that bound the answer's length; a call with none of them is unbounded.
    #[serde(default)]
    pub limit_kwargs: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatDef {
    pub calls: Vec<String>,
    pub template_arg: usize,
}

// ---------------------------------------------------------------- rules

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub lang: String,
    pub code: String,
    /// The file name the example is analysed under (for rules that look at paths).
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    #[serde(default)]
    pub langs: Vec<String>,
    #[serde(default)]
    pub calls: Vec<String>,
    /// Conditions every one of which must hold: argument (`"0"`, `"shell"`, `"1|Loader"`) → value spec.
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// The match is void when any of these holds.
    #[serde(default)]
    pub unless: BTreeMap<String, String>,
    /// Arguments that must be absent.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Some argument (or element of a list argument) matches this value spec.
    #[serde(default)]
    pub any_arg: Option<String>,
    /// A regex on the name the result is assigned to, or else the enclosing function's name.
    #[serde(default)]
    pub context: Option<String>,
    /// Only in files whose path matches one of these globs.
    #[serde(default)]
    pub paths: Vec<String>,
    /// An assignment: target path patterns and a value spec.
    #[serde(default)]
    pub assign: Option<AssignMatch>,
    /// A key in an object literal, dict or composite literal, with a value spec.
    #[serde(default)]
    pub property: Option<PropertyMatch>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignMatch {
    pub target: Vec<String>,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyMatch {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// The finding's message; `{sink}` and `{source}` are filled in for taint rules, `{call}` for patterns.
    pub message: String,
    // taint
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub sinks: Vec<String>,
    /// The value must carry one of these (`interp`: built into a string with literal text; `system`: placed in
    /// a system prompt; `html`: built into markup).
    #[serde(default)]
    pub require_any_flags: Vec<String>,
    /// The value must carry none of these (`container`: only inside a list or dict built here).
    #[serde(default)]
    pub forbid_flags: Vec<String>,
    #[serde(default, rename = "match")]
    pub matchers: Vec<Matcher>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<Example>,
}

impl RuleDef {
    pub fn full_id(&self) -> String {
        format!("{}/{}", crate::NAME, self.id)
    }

    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.full_id(),
            title: self.title.clone(),
            severity: self.severity,
            confidence: self.confidence,
            // Rule files wrap long text over lines; reports reflow it themselves.
            description: self
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            remediation: self
                .remediation
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            tags: self.tags.clone(),
            references: self.references.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rule: Vec<RuleDef>,
}

/// Every embedded rule with the file it came from.
pub fn embedded_rules() -> Result<Vec<(&'static str, RuleDef)>, RuleError> {
    let mut out = Vec::new();
    for (file, text) in RULE_FILES {
        let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        out.extend(parsed.rule.into_iter().map(|r| (*file, r)));
    }
    Ok(out)
}

pub fn embedded_models() -> Result<Vec<(Lang, ModelFile)>, RuleError> {
    MODEL_FILES
        .iter()
        .map(|(lang, file, text)| {
            toml::from_str::<ModelFile>(text)
                .map(|m| (*lang, m))
                .map_err(|e| RuleError {
                    file: file.to_string(),
                    message: e.to_string(),
                })
        })
        .collect()
}

// ---------------------------------------------------------------- compiled

/// Taint labels (where a value came from).
pub const USER: u8 = 1;
pub const LLM: u8 = 2;
pub const TOOL: u8 = 4;

pub fn label_bit(s: &str) -> Option<u8> {
    Some(match s {
        "user" => USER,
        "llm" => LLM,
        "tool" => TOOL,
        _ => return None,
    })
}

pub fn label_name(bits: u8) -> &'static str {
    if bits & USER != 0 {
        "user input"
    } else if bits & TOOL != 0 {
        "a tool argument the model chooses"
    } else {
        "model output"
    }
}

/// Flags on a tainted value (how it was built).
pub const INTERP: u8 = 1;
pub const HTML: u8 = 2;
pub const SYSTEM: u8 = 4;
pub const CONTAINER: u8 = 8;

pub fn flag_bit(s: &str) -> Option<u8> {
    Some(match s {
        "interp" => INTERP,
        "html" => HTML,
        "system" => SYSTEM,
        "container" => CONTAINER,
        _ => return None,
    })
}

/// A value condition in a pattern rule (see docs/code-rules.md): `true`, `false`, `null`, `any`, `const`,
/// `str:TEXT`, `re:REGEX` (a constant string), `text:REGEX` (the argument's source text), `path:PATTERN` (its
/// resolved name).
#[derive(Debug, Clone)]
pub enum ValueSpec {
    Bool(bool),
    Null,
    Any,
    Const,
    Str(String),
    Re(regex::Regex),
    Text(regex::Regex),
    Path(Patterns),
}

impl ValueSpec {
    pub fn parse(s: &str) -> Result<ValueSpec, String> {
        let re = |r: &str| regex::Regex::new(r).map_err(|e| format!("bad regex `{r}`: {e}"));
        Ok(match s {
            "true" => ValueSpec::Bool(true),
            "false" => ValueSpec::Bool(false),
            "null" => ValueSpec::Null,
            "any" => ValueSpec::Any,
            "const" => ValueSpec::Const,
            _ => match s.split_once(':') {
                Some(("str", v)) => ValueSpec::Str(v.to_string()),
                Some(("re", v)) => ValueSpec::Re(re(v)?),
                Some(("text", v)) => ValueSpec::Text(re(v)?),
                Some(("path", v)) => ValueSpec::Path(Patterns::parse(&[v.to_string()])?),
                _ => return Err(format!("unknown value spec `{s}`")),
            },
        })
    }
}

/// Which argument a condition is about: positions and/or names (`"1|Loader"`).
#[derive(Debug, Clone)]
pub struct ArgRef {
    pub positions: Vec<usize>,
    pub names: Vec<String>,
}

impl ArgRef {
    pub fn parse(s: &str) -> ArgRef {
        let mut r = ArgRef {
            positions: Vec::new(),
            names: Vec::new(),
        };
        for part in s.split('|') {
            match part.parse::<usize>() {
                Ok(i) => r.positions.push(i),
                Err(_) => r.names.push(part.to_string()),
            }
        }
        r
    }
}

#[derive(Debug)]
pub struct CMatcher {
    pub langs: Vec<Lang>,
    pub calls: Patterns,
    pub args: Vec<(ArgRef, ValueSpec)>,
    pub unless: Vec<(ArgRef, ValueSpec)>,
    pub missing: Vec<ArgRef>,
    pub any_arg: Option<ValueSpec>,
    pub context: Option<regex::Regex>,
    pub paths: Option<globset::GlobSet>,
    pub assign: Option<(Patterns, ValueSpec)>,
    pub property: Option<(String, ValueSpec)>,
}

#[derive(Debug)]
pub struct CRule {
    pub def: RuleDef,
    pub meta: RuleMeta,
    pub taint: bool,
    pub labels: u8,
    pub sinks: Vec<String>,
    pub any_flags: u8,
    pub no_flags: u8,
    pub matchers: Vec<CMatcher>,
}

pub struct CSource {
    pub label: u8,
    pub access: Patterns,
    pub decorated: Patterns,
    pub callback: Patterns,
    pub typed: Patterns,
    pub handler_names: Vec<String>,
}

pub struct CSink {
    pub kind: String,
    pub calls: Patterns,
    pub args: Vec<usize>,
    pub kwargs: Vec<String>,
    pub all_args: bool,
    pub receiver: bool,
    pub assign: Vec<String>,
    pub when: Vec<(String, ValueSpec)>,
    pub except_calls: Patterns,
}

pub struct CSanitizer {
    pub calls: Patterns,
    /// Bitmask over sink kinds; all ones for `*`.
    pub kinds: u64,
}

pub struct CLlm {
    pub calls: Patterns,
    pub prompt_args: Vec<usize>,
    pub prompt_kwargs: Vec<String>,
    pub system_kwargs: Vec<String>,
    pub limit_kwargs: Vec<String>,
}

/// Entries indexed by the last segment their patterns require, so a call is compared only with entries
/// that can match it (comparing every call with every pattern was a sixth of the analysis time).
#[derive(Default)]
pub struct KeyIndex {
    by_key: HashMap<String, Vec<usize>>,
    any: Vec<usize>,
}

impl KeyIndex {
    fn build<'p>(items: impl Iterator<Item = (usize, &'p Patterns)>) -> KeyIndex {
        let mut ix = KeyIndex::default();
        for (i, pats) in items {
            for p in &pats.0 {
                match p.last_key() {
                    Some(k) => {
                        let v = ix.by_key.entry(k.to_string()).or_default();
                        if !v.contains(&i) {
                            v.push(i);
                        }
                    }
                    None => {
                        if !ix.any.contains(&i) {
                            ix.any.push(i);
                        }
                    }
                }
            }
        }
        ix
    }

    /// The entries that may match a path whose last segment is `last` (`()` stripped), in order.
    pub fn candidates(&self, last: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self.any.clone();
        if let Some(v) = self.by_key.get(last) {
            out.extend(v);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// One language family's models, compiled.
#[derive(Default)]
pub struct Models {
    pub sink_index: KeyIndex,
    pub sanitizer_index: KeyIndex,
    pub llm_index: KeyIndex,
    pub sources: Vec<CSource>,
    pub sinks: Vec<CSink>,
    pub sanitizers: Vec<CSanitizer>,
    pub llms: Vec<CLlm>,
    pub formats: Vec<(Patterns, usize)>,
    pub mutators: Vec<String>,
}

/// Everything the engine needs, compiled once.
pub struct RuleSet {
    pub rules: Vec<CRule>,
    pub models: HashMap<Lang, Models>,
    /// Sink kinds by index (for sanitizer bitmasks).
    pub kinds: Vec<String>,
}

fn err(file: &str, message: impl Into<String>) -> RuleError {
    RuleError {
        file: file.to_string(),
        message: message.into(),
    }
}

impl RuleSet {
    pub fn kind_bit(&self, kind: &str) -> u64 {
        self.kinds
            .iter()
            .position(|k| k == kind)
            .map_or(0, |i| 1u64 << i)
    }

    pub fn compile(
        rules: Vec<(&str, RuleDef)>,
        models: Vec<(Lang, ModelFile)>,
    ) -> Result<RuleSet, RuleError> {
        let mut kinds: Vec<String> = Vec::new();
        for (_, m) in &models {
            for s in &m.sink {
                if !kinds.contains(&s.kind) {
                    kinds.push(s.kind.clone());
                }
            }
        }
        for extra in ["prompt", "prompt-unbounded"] {
            if !kinds.contains(&extra.to_string()) {
                kinds.push(extra.to_string());
            }
        }
        if kinds.len() > 64 {
            return Err(err("models", "more than 64 sink kinds"));
        }
        let mut set = RuleSet {
            rules: Vec::new(),
            models: HashMap::new(),
            kinds,
        };
        for (lang, m) in models {
            let file = format!("models/{}.toml", lang.name());
            let pats = |l: &[String]| Patterns::parse(l).map_err(|e| err(&file, e));
            let mut cm = Models::default();
            for s in &m.source {
                let label = label_bit(&s.label)
                    .ok_or_else(|| err(&file, format!("unknown label `{}`", s.label)))?;
                cm.sources.push(CSource {
                    label,
                    access: pats(&s.access)?,
                    decorated: pats(&s.decorated_params)?,
                    callback: pats(&s.callback_params)?,
                    typed: pats(&s.typed_params)?,
                    handler_names: s.handler_names.clone(),
                });
            }
            for s in &m.sink {
                let mut when = Vec::new();
                for (k, v) in &s.when {
                    when.push((k.clone(), ValueSpec::parse(v).map_err(|e| err(&file, e))?));
                }
                cm.sinks.push(CSink {
                    kind: s.kind.clone(),
                    calls: pats(&s.calls)?,
                    args: s.args.clone(),
                    kwargs: s.kwargs.clone(),
                    all_args: s.all_args,
                    receiver: s.receiver,
                    assign: s.assign.clone(),
                    when,
                    except_calls: pats(&s.except_calls)?,
                });
            }
            for s in &m.sanitizer {
                let mut bits = 0u64;
                for k in &s.kinds {
                    if k == "*" {
                        bits = u64::MAX;
                    } else {
                        let b = set.kind_bit(k);
                        if b == 0 {
                            return Err(err(
                                &file,
                                format!("sanitizer names unknown sink kind `{k}`"),
                            ));
                        }
                        bits |= b;
                    }
                }
                cm.sanitizers.push(CSanitizer {
                    calls: pats(&s.calls)?,
                    kinds: bits,
                });
            }
            for l in &m.llm {
                cm.llms.push(CLlm {
                    calls: pats(&l.calls)?,
                    prompt_args: l.prompt_args.clone(),
                    prompt_kwargs: l.prompt_kwargs.clone(),
                    system_kwargs: l.system_kwargs.clone(),
                    limit_kwargs: l.limit_kwargs.clone(),
                });
            }
            for f in &m.format {
                cm.formats.push((pats(&f.calls)?, f.template_arg));
            }
            cm.mutators = m.mutators.clone();
            cm.sink_index =
                KeyIndex::build(cm.sinks.iter().enumerate().map(|(i, s)| (i, &s.calls)));
            cm.sanitizer_index =
                KeyIndex::build(cm.sanitizers.iter().enumerate().map(|(i, s)| (i, &s.calls)));
            cm.llm_index = KeyIndex::build(cm.llms.iter().enumerate().map(|(i, s)| (i, &s.calls)));
            set.models.insert(lang, cm);
        }
        for (file, def) in rules {
            let taint = match def.kind.as_str() {
                "taint" => true,
                "pattern" => false,
                k => return Err(err(file, format!("{}: unknown kind `{k}`", def.id))),
            };
            let mut labels = 0;
            for l in &def.sources {
                labels |= label_bit(l)
                    .ok_or_else(|| err(file, format!("{}: unknown source label `{l}`", def.id)))?;
            }
            for k in &def.sinks {
                if set.kind_bit(k) == 0 {
                    return Err(err(
                        file,
                        format!("{}: no model has sink kind `{k}`", def.id),
                    ));
                }
            }
            let mut any_flags = 0;
            for f in &def.require_any_flags {
                any_flags |= flag_bit(f)
                    .ok_or_else(|| err(file, format!("{}: unknown flag `{f}`", def.id)))?;
            }
            let mut no_flags = 0;
            for f in &def.forbid_flags {
                no_flags |= flag_bit(f)
                    .ok_or_else(|| err(file, format!("{}: unknown flag `{f}`", def.id)))?;
            }
            if taint && (labels == 0 || def.sinks.is_empty()) {
                return Err(err(
                    file,
                    format!("{}: a taint rule needs sources and sinks", def.id),
                ));
            }
            if !taint && def.matchers.is_empty() {
                return Err(err(
                    file,
                    format!("{}: a pattern rule needs [[rule.match]] entries", def.id),
                ));
            }
            let mut matchers = Vec::new();
            for m in &def.matchers {
                matchers
                    .push(compile_matcher(m).map_err(|e| err(file, format!("{}: {e}", def.id)))?);
            }
            let meta = def.meta();
            set.rules.push(CRule {
                meta,
                taint,
                labels,
                sinks: def.sinks.clone(),
                any_flags,
                no_flags,
                matchers,
                def,
            });
        }
        Ok(set)
    }
}

fn compile_matcher(m: &Matcher) -> Result<CMatcher, String> {
    let mut langs = Vec::new();
    for l in &m.langs {
        langs.push(Lang::parse_name(l).ok_or_else(|| format!("unknown language `{l}`"))?);
    }
    let specs = |map: &BTreeMap<String, String>| -> Result<Vec<(ArgRef, ValueSpec)>, String> {
        map.iter()
            .map(|(k, v)| Ok((ArgRef::parse(k), ValueSpec::parse(v)?)))
            .collect()
    };
    let paths = if m.paths.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for p in &m.paths {
            b.add(globset::Glob::new(p).map_err(|e| e.to_string())?);
        }
        Some(b.build().map_err(|e| e.to_string())?)
    };
    let c = CMatcher {
        langs,
        calls: Patterns::parse(&m.calls)?,
        args: specs(&m.args)?,
        unless: specs(&m.unless)?,
        missing: m.missing.iter().map(|s| ArgRef::parse(s)).collect(),
        any_arg: m.any_arg.as_deref().map(ValueSpec::parse).transpose()?,
        context: m
            .context
            .as_deref()
            .map(|r| regex::Regex::new(r).map_err(|e| e.to_string()))
            .transpose()?,
        paths,
        assign: match &m.assign {
            Some(a) => Some((Patterns::parse(&a.target)?, ValueSpec::parse(&a.value)?)),
            None => None,
        },
        property: match &m.property {
            Some(p) => Some((p.key.clone(), ValueSpec::parse(&p.value)?)),
            None => None,
        },
    };
    if c.calls.is_empty() && c.assign.is_none() && c.property.is_none() {
        return Err("a match needs calls, assign or property".into());
    }
    Ok(c)
}
