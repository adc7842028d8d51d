use crate::{Confidence, Severity};
use serde::Serialize;

/// What every rule of every analyzer tells the user about itself: listed by `warden rules`, printed by
/// `warden explain`, and written into SARIF `tool.driver.rules`.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    /// Stable id, `<analyzer>/<name>`, e.g. `secrets/openai-project-key`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// What it finds and why it matters.
    pub description: String,
    /// How to fix it.
    pub remediation: String,
    /// CWE ids and other labels, e.g. `CWE-798`, `provider:openai`.
    pub tags: Vec<String>,
    pub references: Vec<String>,
}

impl RuleMeta {
    /// The analyzer part of the id (`secrets` in `secrets/openai-project-key`).
    pub fn analyzer(&self) -> &str {
        self.id.split_once('/').map_or(self.id.as_str(), |(a, _)| a)
    }
}

/// A rule as the analyzers that keep their rules as data write it (`data/rules.toml`: `[[rule]]` tables), with
/// the small repositories it must fire on and must not (path → content), which each analyzer's CLI test runs.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleRule {
    /// The short id (`typosquat`); the full id is `<analyzer>/<id>`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub tags: Vec<String>,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Small repositories (path → content) that must raise the rule.
    #[serde(default)]
    pub example: Vec<std::collections::BTreeMap<String, String>>,
    /// Small repositories that must not.
    #[serde(default)]
    pub negative: Vec<std::collections::BTreeMap<String, String>>,
}

impl ExampleRule {
    /// The rules of one `rules.toml`, for `analyzer`.
    pub fn parse_all(analyzer: &str, text: &str) -> Result<Vec<ExampleRule>, toml::de::Error> {
        #[derive(serde::Deserialize)]
        struct File {
            rule: Vec<ExampleRule>,
        }
        let mut rules = toml::from_str::<File>(text)?.rule;
        for r in &mut rules {
            r.id = format!("{analyzer}/{}", r.id);
        }
        Ok(rules)
    }

    /// `<analyzer>/<id>`.
    pub fn full_id(&self) -> String {
        self.id.clone()
    }

    /// The id without its analyzer (`typosquat`).
    pub fn short_id(&self) -> &str {
        self.id.split_once('/').map_or(self.id.as_str(), |(_, s)| s)
    }

    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.id.clone(),
            title: self.title.clone(),
            severity: self.severity,
            confidence: self.confidence,
            description: self.description.trim().to_string(),
            remediation: self.remediation.clone(),
            tags: self.tags.clone(),
            references: self.references.clone(),
        }
    }
}
