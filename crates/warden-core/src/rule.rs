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
