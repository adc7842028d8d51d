//! warden's code analyzer. Python, JavaScript/TypeScript and Go files are parsed with tree-sitter (once per file,
//! shared through [`SourceFile::cached`]) and lowered to one model ([`ir`]); pattern rules and taint rules
//! (`rules/*.toml`, over the library models in `models/*.toml`) run on that model ([`engine`]). Flows through the
//! repository's own modules are resolved in the second phase from per-file function summaries ([`xfile`]).
//! The `intent` analyzer in the same crate checks the repository's declared architecture ([`intent`]).

pub mod engine;
pub mod intent;
pub mod ir;
pub mod lower;
pub mod path;
pub mod rules;
mod xfile;

use engine::{Analysis, Engine, Step};
use ir::{Lang, Span};
use lower::{Budget, Parsed};
use rules::{RuleError, RuleSet};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use warden_core::{
    Analyzer, AnalyzerSetup, Claim, Config, ConfigError, Facts, FileMeta, FileOutput, Finding,
    FinishOutput, FinishScope, Location, Related, RelatedKind, RuleMeta, SourceFile,
};

/// The analyzer's name: the prefix of its rule ids, its `--only`/`--skip` family and its `warden.toml` section.
pub const NAME: &str = "code";

/// `[code]` in `warden.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSettings {
    /// Languages to analyse (`python`, `javascript`, `typescript`, `go`); all by default.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// Wall time one file's parse may take before it is abandoned and reported, in milliseconds.
    #[serde(default = "default_parse_ms")]
    pub parse_budget_ms: u64,
    /// Files larger than this many bytes are not parsed (reported); minified bundles and generated code.
    #[serde(default = "default_max_bytes")]
    pub max_file_bytes: u64,
}

fn default_parse_ms() -> u64 {
    3000
}

fn default_max_bytes() -> u64 {
    2 * 1024 * 1024
}

impl Default for CodeSettings {
    fn default() -> Self {
        CodeSettings {
            languages: None,
            parse_budget_ms: default_parse_ms(),
            max_file_bytes: default_max_bytes(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Rules(#[from] RuleError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("[{section}] {message}")]
    Settings {
        section: &'static str,
        message: String,
    },
}

/// The code analyzer.
pub struct CodeAnalyzer {
    rules: Arc<RuleSet>,
    metas: Vec<RuleMeta>,
    settings: CodeSettings,
    langs: Vec<Lang>,
}

/// The per-file parse every code-reading analyzer shares.
pub fn parsed(file: &SourceFile, budget: Budget) -> Option<std::rc::Rc<Parsed>> {
    let lang = Lang::of_path(file.meta.path)?;
    Some(file.cached(|f| lower::parse(lang, f.meta.path, f.bytes(), budget)))
}

/// Whether a file is one the code analyzers read: a source file of a known language, not a declaration file.
pub fn is_code(path: &str) -> Option<Lang> {
    if path.ends_with(".d.ts") || path.ends_with(".min.js") {
        return None;
    }
    Lang::of_path(path)
}

impl CodeAnalyzer {
    pub fn from_setup(setup: &AnalyzerSetup) -> Result<Self, SetupError> {
        let settings = match setup.config.section(NAME) {
            Some(s) => s.parse(NAME)?,
            None => CodeSettings::default(),
        };
        Self::with_settings(setup.config, settings)
    }

    /// Every embedded rule the config enables, default settings (for library use and tests).
    pub fn new(config: &Config) -> Result<Self, SetupError> {
        Self::with_settings(config, CodeSettings::default())
    }

    fn with_settings(config: &Config, settings: CodeSettings) -> Result<Self, SetupError> {
        let defs = rules::embedded_rules()?
            .into_iter()
            .filter(|(_, d)| config.rule_enabled(&d.full_id()))
            .collect();
        Self::from_defs(defs, settings)
    }

    /// An analyzer with exactly these rules (the rule tests run each rule alone).
    pub fn from_defs(
        defs: Vec<(&str, rules::RuleDef)>,
        settings: CodeSettings,
    ) -> Result<Self, SetupError> {
        let set = RuleSet::compile(defs, rules::embedded_models()?)?;
        let metas = set.rules.iter().map(|r| r.meta.clone()).collect();
        let langs = match &settings.languages {
            None => vec![Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Go],
            Some(list) => list
                .iter()
                .map(|l| {
                    Lang::parse_name(l).ok_or_else(|| SetupError::Settings {
                        section: NAME,
                        message: format!(
                            "unknown language `{l}` (known: python, javascript, typescript, go)"
                        ),
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(CodeAnalyzer {
            rules: Arc::new(set),
            metas,
            settings,
            langs,
        })
    }

    fn budget(&self) -> Budget {
        Budget {
            parse_time: Duration::from_millis(self.settings.parse_budget_ms),
        }
    }

    /// Analyses one file in memory (for tests and the rule examples): its findings and problems.
    pub fn analyze_text(&self, path: &str, text: &str) -> FileOutput {
        self.analyze_bytes(path, text.as_bytes())
    }

    /// As [`CodeAnalyzer::analyze_text`], for bytes that may not be UTF-8 (the fuzz target).
    pub fn analyze_bytes(&self, path: &str, bytes: &[u8]) -> FileOutput {
        let meta = FileMeta {
            path,
            size: bytes.len() as u64,
            head: bytes,
            binary: false,
        };
        let file = SourceFile::in_memory(meta, bytes);
        let mut out = FileOutput::default();
        self.analyze(&file, &mut out);
        out
    }
}

/// A finding's location from a span.
fn location(path: &str, span: Span) -> Location {
    Location {
        path: path.to_string(),
        start_line: span.line,
        start_column: span.col,
        end_line: span.end_line,
        end_column: span.end_col,
        provenance: None,
        byte_offset: None,
    }
}

/// The source line(s) a span starts on, trimmed, for the snippet.
fn snippet(src: &[u8], span: Span) -> String {
    let start = src[..(span.start as usize).min(src.len())]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = src[(span.start as usize).min(src.len())..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(src.len(), |i| span.start as usize + i);
    let line = String::from_utf8_lossy(&src[start..end.max(start)]);
    let t = line.trim();
    if t.chars().count() > 200 {
        format!("{}…", t.chars().take(200).collect::<String>())
    } else {
        t.to_string()
    }
}

fn related(path: &str, steps: &[Step]) -> Vec<Related> {
    steps
        .iter()
        .map(|s| Related {
            kind: RelatedKind::Step,
            location: location(s.path.as_deref().unwrap_or(path), s.span),
            message: s.message.clone(),
        })
        .collect()
}

/// The message of a taint or pattern finding.
fn message(template: &str, source: u8, sink: &str) -> String {
    template
        .replace(
            "{source}",
            if source == 0 {
                ""
            } else {
                rules::label_name(source)
            },
        )
        .replace("{sink}", sink)
        .replace("{call}", sink)
}

impl Analyzer for CodeAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    fn rules_digest_input(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (_, text) in rules::RULE_FILES {
            out.extend_from_slice(text.as_bytes());
        }
        for (_, _, text) in rules::MODEL_FILES {
            out.extend_from_slice(text.as_bytes());
        }
        out
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        match is_code(file.path) {
            Some(l) if self.langs.contains(&l) && !file.binary => Claim::Text,
            _ => Claim::Skip,
        }
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let path = file.meta.path;
        let src = file.bytes();
        if src.len() as u64 > self.settings.max_file_bytes {
            out.partial.push(format!(
                "{} bytes is over [code] max_file_bytes ({}); not analysed for code rules",
                src.len(),
                self.settings.max_file_bytes
            ));
            return;
        }
        let Some(parsed) = parsed(file, self.budget()) else {
            return;
        };
        out.partial.extend(parsed.problems.iter().cloned());
        let Some(engine) = Engine::new(&self.rules, parsed.lang, path, src, &parsed.module) else {
            return;
        };
        let (analysis, out_of_budget) = engine.run();
        if out_of_budget {
            out.partial.push("the code analysis budget for one file ran out; the rest of the file was not analysed".into());
        }
        self.findings(path, src, &analysis, out);
        if let Some(fact) = xfile::facts(path, parsed.lang, src, &analysis) {
            out.facts.extend(fact);
        }
    }

    fn finish_scope(&self) -> FinishScope {
        FinishScope::Head
    }

    fn finish(&self, facts: &Facts) -> FinishOutput {
        xfile::finish(&self.rules, facts)
    }
}

impl CodeAnalyzer {
    fn findings(&self, path: &str, src: &[u8], a: &Analysis, out: &mut FileOutput) {
        for h in &a.hits {
            let rule = &self.rules.rules[h.rule];
            let mut f = Finding::new(
                &rule.meta,
                message(&rule.def.message, h.source, &h.what),
                location(path, h.span),
            );
            f.related = related(path, &h.trace);
            f.snippet = snippet(src, h.span);
            // Identity: the rule, the sink's text and where the data came from — not line numbers.
            let origin = h.trace.first().map(|s| s.message.as_str()).unwrap_or("");
            f.matched = format!("{}|{}|{}", h.what, origin, f.snippet);
            out.findings.push(f);
        }
    }
}

// ------------------------------------------------------------------ intent

/// The intent analyzer's name (rule ids `intent/...`, section `[intent]`).
pub const INTENT: &str = "intent";

/// Checks the architecture the repository declares in `[intent]`: layers, forbidden imports and calls,
/// transitive contracts. Without an `[intent]` section it reads nothing.
pub struct IntentAnalyzer {
    settings: Option<intent::IntentSettings>,
    metas: Vec<RuleMeta>,
}

impl IntentAnalyzer {
    pub fn from_setup(setup: &AnalyzerSetup) -> Result<Self, SetupError> {
        let settings: Option<intent::IntentSettings> = match setup.config.section(INTENT) {
            Some(s) => Some(s.parse(INTENT)?),
            None => None,
        };
        if let Some(s) = &settings {
            s.validate().map_err(|e| SetupError::Settings {
                section: INTENT,
                message: e.to_string(),
            })?;
        }
        let settings = settings.filter(|s| !s.is_empty());
        Ok(IntentAnalyzer {
            settings,
            metas: intent::rules(),
        })
    }

    pub fn with_settings(settings: intent::IntentSettings) -> Self {
        IntentAnalyzer {
            settings: Some(settings),
            metas: intent::rules(),
        }
    }
}

impl Analyzer for IntentAnalyzer {
    fn name(&self) -> &'static str {
        INTENT
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        if self.settings.is_none() {
            return Claim::Skip;
        }
        if file.file_name() == "go.mod" || is_code(file.path).is_some() {
            Claim::Text
        } else {
            Claim::Skip
        }
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let path = file.meta.path;
        if file.meta.file_name() == "go.mod" {
            if let Some(m) = xfile::go_module(file.bytes()) {
                let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                out.facts.push(warden_core::Fact {
                    analyzer: INTENT.into(),
                    kind: "intent/go-module".into(),
                    path: path.into(),
                    data: serde_json::json!({ "dir": dir, "module": m }),
                });
            }
            return;
        }
        let Some(parsed) = parsed(file, Budget::default()) else {
            return;
        };
        let facts = xfile::module_facts(path, &parsed);
        if let Ok(data) = serde_json::to_value(&facts) {
            out.facts.push(warden_core::Fact {
                analyzer: INTENT.into(),
                kind: "intent/module".into(),
                path: path.into(),
                data,
            });
        }
    }

    fn finish_scope(&self) -> FinishScope {
        if self.settings.is_some() {
            FinishScope::Head
        } else {
            FinishScope::None
        }
    }

    fn finish(&self, facts: &Facts) -> FinishOutput {
        let Some(settings) = &self.settings else {
            return FinishOutput::default();
        };
        let mut modules = Vec::new();
        let mut go = Vec::new();
        for f in &facts.all {
            if f.analyzer != INTENT {
                continue;
            }
            match f.kind.as_str() {
                "intent/module" => {
                    if let Ok(m) = serde_json::from_value::<intent::ModuleFacts>(f.data.clone()) {
                        modules.push(m);
                    }
                }
                "intent/go-module" => {
                    let dir = f.data["dir"].as_str().unwrap_or("").to_string();
                    let module = f.data["module"].as_str().unwrap_or("").to_string();
                    go.push(intent::GoModule { dir, module });
                }
                _ => {}
            }
        }
        modules.sort_by(|a, b| a.path.cmp(&b.path));
        FinishOutput {
            findings: intent::check(settings, &modules, &go),
            ..FinishOutput::default()
        }
    }
}
