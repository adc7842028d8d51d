use crate::{Report, Reporter};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};
use warden_core::{Finding, RuleMeta, Severity};

pub struct SarifReporter;

/// Characters a relative URI path must escape (RFC 3986); `/` stays.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn uri(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// `secrets/openai-project-key` → `SecretsOpenaiProjectKey` (SARIF's `name` is an identifier-like string).
fn rule_name(id: &str) -> String {
    id.split(['/', '-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule(meta: &RuleMeta) -> Value {
    let mut markdown = format!(
        "{}\n\n**How to fix:** {}",
        meta.description, meta.remediation
    );
    if !meta.references.is_empty() {
        markdown.push_str("\n\n**References:**\n");
        for r in &meta.references {
            markdown.push_str(&format!("- <{r}>\n"));
        }
    }
    let mut tags = meta.tags.clone();
    tags.push("security".into());
    let precision = match meta.confidence {
        warden_core::Confidence::High => "high",
        warden_core::Confidence::Medium => "medium",
        warden_core::Confidence::Low => "low",
    };
    let mut v = json!({
        "id": meta.id,
        "name": rule_name(&meta.id),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.description },
        "help": { "text": format!("{}\n\nHow to fix: {}", meta.description, meta.remediation), "markdown": markdown },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": { "tags": tags, "precision": precision, "security-severity": meta.severity.security_score() },
    });
    if let Some(first) = meta.references.first() {
        v["helpUri"] = json!(first);
    }
    v
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut props = json!({
        "severity": f.severity,
        "confidence": f.confidence,
        "tags": f.tags,
    });
    if let Some(l) = f.lifetime {
        props["lifetime"] = json!(l);
    }
    if let Some(s) = &f.secret {
        props["secret"] = json!(s);
    }
    if let Some(p) = &f.location.provenance {
        props["commit"] = json!(p.commit);
        props["author"] = json!(p.author);
        props["commitTime"] = json!(p.time);
        props["inHead"] = json!(p.in_head);
    }
    let mut fingerprints = json!({ "wardenFingerprint/v1": f.fingerprint });
    if let Some(h) = &f.secret_sha256 {
        fingerprints["secretSha256/v1"] = json!(h);
    }
    json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.location.path) },
                "region": {
                    "startLine": f.location.start_line,
                    "startColumn": f.location.start_column,
                    "endLine": f.location.end_line,
                    "endColumn": f.location.end_column,
                    "snippet": { "text": f.snippet },
                }
            }
        }],
        "partialFingerprints": fingerprints,
        "properties": props,
    })
}

impl Reporter for SarifReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Rules: those reported first-come, so `ruleIndex` is stable for a given result set.
        let by_id: BTreeMap<&str, &RuleMeta> =
            r.rules.iter().map(|m| (m.id.as_str(), *m)).collect();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rules = Vec::new();
        let mut results = Vec::new();
        for f in &r.result.findings {
            let i = match index.get(f.rule_id.as_str()) {
                Some(i) => *i,
                None => {
                    let meta = by_id.get(f.rule_id.as_str()).copied();
                    rules.push(match meta {
                        Some(m) => rule(m),
                        None => json!({ "id": f.rule_id, "shortDescription": { "text": f.title } }),
                    });
                    index.insert(&f.rule_id, rules.len() - 1);
                    rules.len() - 1
                }
            };
            results.push(result(f, i));
        }
        let notifications: Vec<Value> = r
            .result
            .diagnostics
            .iter()
            .map(|d| {
                json!({
                    "level": "error",
                    "message": { "text": format!("{}: {}", d.reason.as_str(), d.message) },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&d.path) } } }],
                })
            })
            .collect();
        let doc = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "warden",
                    "version": r.tool_version,
                    "semanticVersion": r.tool_version,
                    "informationUri": "https://github.com/warden-sec/warden",
                    "rules": rules,
                }},
                "invocations": [{
                    "executionSuccessful": r.result.diagnostics.is_empty(),
                    "toolExecutionNotifications": notifications,
                }],
                "results": results,
            }]
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_uris() {
        assert_eq!(
            super::rule_name("secrets/openai-project-key"),
            "SecretsOpenaiProjectKey"
        );
        assert_eq!(
            super::uri("dir with space/a#b.env"),
            "dir%20with%20space/a%23b.env"
        );
    }
}
