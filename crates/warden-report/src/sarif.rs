use crate::{Report, Reporter};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde::Serialize as DeriveSerialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};
use warden_core::{Finding, Location, RelatedKind, RuleMeta, Severity};

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

fn physical(l: &Location, snippet: Option<&str>) -> Value {
    let mut region = json!({
        "startLine": l.start_line,
        "startColumn": l.start_column,
        "endLine": l.end_line,
        "endColumn": l.end_column,
    });
    // In binary content the byte offset is the location; the line fields stay (viewers require a line).
    if let Some(b) = l.byte_offset {
        region["byteOffset"] = json!(b);
    }
    if let Some(s) = snippet {
        region["snippet"] = json!({ "text": s });
    }
    json!({ "physicalLocation": { "artifactLocation": { "uri": uri(&l.path) }, "region": region } })
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut props = json!({
        "severity": f.severity,
        "confidence": f.confidence,
        "tags": f.tags,
    });
    // Analyzer-owned details, under the analyzer's name, as in the JSON report.
    for (k, v) in &f.ext {
        props[k] = v.clone();
    }
    if !f.assets.is_empty() {
        props["assets"] = json!(f.assets);
    }
    if let Some(p) = &f.location.provenance {
        props["commit"] = json!(p.commit);
        props["author"] = json!(p.author);
        props["commitTime"] = json!(p.time);
        props["inHead"] = json!(p.in_head);
    }
    let mut v = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [physical(&f.location, Some(&f.snippet))],
        "partialFingerprints": { "wardenFingerprint/v2": f.fingerprint },
        "properties": props,
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    if let Some(state) = &f.baseline_state {
        v["baselineState"] = json!(state);
    }
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut loc = physical(&r.location, None);
                loc["id"] = json!(i + 1);
                loc["message"] = json!({ "text": r.message });
                loc
            })
            .collect();
        v["relatedLocations"] = json!(related);
    }
    // A flow (source → … → sink) is a code flow: its steps in order, then the finding itself.
    let steps: Vec<Value> = f
        .related
        .iter()
        .filter(|r| r.kind == RelatedKind::Step)
        .map(|r| {
            let mut loc = physical(&r.location, None);
            loc["message"] = json!({ "text": r.message });
            json!({ "location": loc })
        })
        .collect();
    if !steps.is_empty() {
        let mut sink = physical(&f.location, None);
        sink["message"] = json!({ "text": f.message });
        let mut all = steps;
        all.push(json!({ "location": sink }));
        v["codeFlows"] = json!([{ "threadFlows": [{ "locations": all }] }]);
    }
    v
}

/// The results of a run, serialized as they are made.
struct Results<'a> {
    findings: &'a [Finding],
    index: &'a BTreeMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.findings.len()))?;
        for f in self.findings {
            seq.serialize_element(&result(f, self.index.get(f.rule_id.as_str()).copied()))?;
        }
        seq.end()
    }
}

/// A run: its other members, with `results` in its place in key order (as a JSON object's keys are written).
struct Run<'a> {
    head: Map<String, Value>,
    results: Results<'a>,
}

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.head.len() + 1))?;
        let mut pending = true;
        for (k, v) in &self.head {
            if pending && k.as_str() > "results" {
                map.serialize_entry("results", &self.results)?;
                pending = false;
            }
            map.serialize_entry(k, v)?;
        }
        if pending {
            map.serialize_entry("results", &self.results)?;
        }
        map.end()
    }
}

/// The SARIF log: one run.
#[derive(DeriveSerialize)]
struct Document<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

impl Reporter for SarifReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Every rule that could report in this run, in a stable order; findings point at them by index.
        let mut metas: Vec<&RuleMeta> = r.rules.to_vec();
        metas.sort_by(|a, b| a.id.cmp(&b.id));
        metas.dedup_by(|a, b| a.id == b.id);
        let index: BTreeMap<&str, usize> = metas
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        let rules: Vec<Value> = metas.iter().map(|m| rule(m)).collect();
        // Results are written one by one as they are made: a DOM of every result (and the copies `json!` makes
        // of it) took gigabytes for a few hundred thousand findings.
        let results = Results {
            findings: &r.result.findings,
            index: &index,
        };
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
        let scan = &r.result.scan;
        let mut run = json!({
            "tool": { "driver": {
                "name": "warden",
                "version": scan.tool_version,
                "semanticVersion": scan.tool_version,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": r.result.diagnostics.is_empty(),
                "startTimeUtc": scan.started_at,
                "toolExecutionNotifications": notifications,
            }],
            "properties": {
                "mode": scan.mode,
                "target": scan.target,
                "rulesVersion": scan.rules_version,
                "hashKeyId": scan.hash_key_id,
            },
        });
        // `versionControlProvenance` needs the repository's URI, which a local scan does not know.
        if let Some(c) = &scan.head_commit {
            run["properties"]["headCommit"] = json!(c);
        }
        if let Some(b) = &scan.branch {
            run["properties"]["branch"] = json!(b);
        }
        let Value::Object(run) = run else {
            unreachable!("`run` is built as an object above")
        };
        let doc = Document {
            schema: "https://json.schemastore.org/sarif-2.1.0.json",
            runs: [Run { head: run, results }],
            version: "2.1.0",
        };
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
