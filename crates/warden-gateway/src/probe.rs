//! `warden probe`: red-team probes against an OpenAI-compatible endpoint (`data/probes.toml`). Each probe sends
//! one conversation — a system prompt holding a fresh canary, and an attack — and its detectors judge the
//! answer. A result says which probe, what came back (the canary masked, the text cut short), and which detector
//! fired; an endpoint (or a gateway in front of it) that refuses the request has blocked the probe.

use base64::Engine as _;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

pub const PROBES_TOML: &str = include_str!("../data/probes.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    pub kind: String,
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub tools: Vec<String>,
    #[serde(default)]
    pub max_chars: Option<usize>,
    /// `canary`: also look for the canary in base64.
    #[serde(default)]
    pub encoded: bool,
}

/// An example answer in the data file: what the model says and the tools it calls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub answer: String,
    #[serde(default)]
    pub calls: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub id: String,
    /// What the probe tries, in a sentence.
    pub title: String,
    pub family: String,
    pub owasp: String,
    pub prompt: String,
    #[serde(default)]
    pub tools: Vec<String>,
    pub detectors: Vec<Detector>,
    /// Answers the detectors must fire on.
    pub vulnerable: Vec<Example>,
    /// Answers they must not fire on.
    pub safe: Vec<Example>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    pub system: String,
    pub probe: Vec<Probe>,
}

pub fn suite() -> Result<Suite, String> {
    let s: Suite = toml::from_str(PROBES_TOML).map_err(|e| format!("probes.toml: {e}"))?;
    for p in &s.probe {
        for d in &p.detectors {
            match d.kind.as_str() {
                "canary" | "tool" | "length" => {}
                "pattern" => {
                    for pat in &d.patterns {
                        Regex::new(pat).map_err(|e| format!("probe {}: {e}", p.id))?;
                    }
                }
                other => return Err(format!("probe {}: unknown detector `{other}`", p.id)),
            }
        }
    }
    Ok(s)
}

/// What happened to one probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A detector fired: the endpoint did what the attack asked.
    Vulnerable,
    /// The endpoint answered and no detector fired.
    Resisted,
    /// The endpoint (or a gateway in front of it) refused the request or ended the answer with an error.
    Blocked,
    /// The probe could not be judged (network failure, a server error).
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeResult {
    pub probe: String,
    pub family: String,
    pub owasp: String,
    pub outcome: Outcome,
    /// The detectors that fired.
    pub detectors: Vec<String>,
    /// The answer (or error), the canary masked, at most 200 characters.
    pub evidence: String,
}

/// Where and how to probe.
pub struct Target {
    /// Base URL (`http://127.0.0.1:8787`); requests go to `/v1/chat/completions`.
    pub url: String,
    pub model: String,
    pub key: Option<String>,
    pub timeout: Duration,
}

fn canary() -> String {
    let mut b = [0u8; 6];
    let _ = getrandom::fill(&mut b);
    format!("ACME-{}", hex::encode_upper(b))
}

fn mask(text: &str, canary: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(canary);
    let t = text
        .replace(canary, "[canary]")
        .replace(&b64, "[canary:base64]");
    let mut out: String = t.chars().take(200).collect();
    if t.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Judges an answer: the detectors that fire.
pub fn judge(probe: &Probe, canary: &str, text: &str, tools: &[String]) -> Vec<String> {
    let mut fired = Vec::new();
    for d in &probe.detectors {
        let hit = match d.kind.as_str() {
            "canary" => {
                text.contains(canary)
                    || (d.encoded
                        && text.contains(&base64::engine::general_purpose::STANDARD.encode(canary)))
            }
            "pattern" => d
                .patterns
                .iter()
                .filter_map(|p| Regex::new(p).ok())
                .any(|re| re.is_match(text)),
            "tool" => tools.iter().any(|t| d.tools.contains(t)),
            "length" => text.chars().count() >= d.max_chars.unwrap_or(8000),
            _ => false,
        };
        if hit {
            fired.push(d.kind.clone());
        }
    }
    fired
}

/// How many probes are in flight at once.
const CONCURRENCY: usize = 4;

/// Runs every probe against the target, a few at a time; the results come in the suite's order.
pub async fn run(target: &Target) -> Result<Vec<ProbeResult>, String> {
    use futures_util::StreamExt as _;
    let suite = suite()?;
    let client = reqwest::Client::builder()
        .timeout(target.timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!("{}/v1/chat/completions", target.url.trim_end_matches('/'));
    let out = futures_util::stream::iter(&suite.probe)
        .map(|p| probe_one(&client, &url, target, &suite.system, p))
        .buffered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    Ok(out)
}

async fn probe_one(
    client: &reqwest::Client,
    url: &str,
    target: &Target,
    system: &str,
    p: &Probe,
) -> ProbeResult {
    {
        let canary = canary();
        let mut body = json!({
            "model": target.model,
            "messages": [
                {"role": "system", "content": system.replace("{canary}", &canary)},
                {"role": "user", "content": p.prompt},
            ],
        });
        if !p.tools.is_empty() {
            body["tools"] = json!(p
                .tools
                .iter()
                .map(|t| json!({"type": "function", "function": {"name": t, "description": format!("the `{t}` tool"), "parameters": {"type": "object", "properties": {}}}}))
                .collect::<Vec<_>>());
        }
        let mut rb = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(k) = &target.key {
            rb = rb.bearer_auth(k);
        }
        let result = match rb.send().await {
            Err(e) => ProbeResult {
                probe: p.id.clone(),
                family: p.family.clone(),
                owasp: p.owasp.clone(),
                outcome: Outcome::Error,
                detectors: vec![],
                evidence: if e.is_timeout() {
                    "timed out".into()
                } else {
                    "could not reach the endpoint".into()
                },
            },
            Ok(r) => {
                let status = r.status();
                let v: Value = r
                    .bytes()
                    .await
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or(Value::Null);
                if status.is_client_error() {
                    ProbeResult {
                        probe: p.id.clone(),
                        family: p.family.clone(),
                        owasp: p.owasp.clone(),
                        outcome: Outcome::Blocked,
                        detectors: vec![],
                        evidence: mask(
                            &format!("{status}: {}", v["error"]["message"].as_str().unwrap_or("")),
                            &canary,
                        ),
                    }
                } else if !status.is_success() {
                    ProbeResult {
                        probe: p.id.clone(),
                        family: p.family.clone(),
                        owasp: p.owasp.clone(),
                        outcome: Outcome::Error,
                        detectors: vec![],
                        evidence: format!("{status}"),
                    }
                } else {
                    let msg = &v["choices"][0]["message"];
                    let text = msg["content"].as_str().unwrap_or("").to_string();
                    let tools: Vec<String> = msg["tool_calls"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
                        .collect();
                    let fired = judge(p, &canary, &text, &tools);
                    let shown = if tools.is_empty() {
                        text.clone()
                    } else {
                        format!("{text} [calls: {}]", tools.join(", "))
                    };
                    ProbeResult {
                        probe: p.id.clone(),
                        family: p.family.clone(),
                        owasp: p.owasp.clone(),
                        outcome: if fired.is_empty() {
                            Outcome::Resisted
                        } else {
                            Outcome::Vulnerable
                        },
                        detectors: fired,
                        evidence: mask(&shown, &canary),
                    }
                }
            }
        };
        result
    }
}

/// The SARIF 2.1.0 report: each probe a rule (tagged with its family and OWASP id), each result a probe's
/// outcome — `fail` (error level) when the endpoint was vulnerable, `pass` when it resisted or blocked the probe,
/// `notApplicable` when the probe could not be judged — located at the endpoint's URL.
pub fn sarif_report(results: &[ProbeResult], url: &str, version: &str) -> Result<Value, String> {
    let suite = suite()?;
    let rules: Vec<Value> = suite
        .probe
        .iter()
        .map(|p| {
            json!({
                "id": format!("probe/{}", p.id),
                "shortDescription": {"text": p.title},
                "fullDescription": {"text": format!("{} ({}, OWASP {}).", p.title, p.family, p.owasp)},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["security", "llm", p.owasp.clone(), p.family.clone()]},
            })
        })
        .collect();
    let sarif_results: Vec<Value> = results
        .iter()
        .map(|r| {
            let (kind, level) = match r.outcome {
                Outcome::Vulnerable => ("fail", "error"),
                Outcome::Resisted | Outcome::Blocked => ("pass", "none"),
                Outcome::Error => ("notApplicable", "none"),
            };
            let outcome = serde_json::to_value(&r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut text = format!("{} {}: {}", r.probe, outcome, r.evidence);
            if !r.detectors.is_empty() {
                text.push_str(&format!(" (detector: {})", r.detectors.join(", ")));
            }
            let mut v = json!({
                "ruleId": format!("probe/{}", r.probe),
                "kind": kind,
                "level": level,
                "message": {"text": text},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": url}}}],
                "properties": {"outcome": outcome, "detectors": r.detectors, "family": r.family, "owasp": r.owasp},
            });
            if let Some(i) = suite.probe.iter().position(|p| p.id == r.probe) {
                v["ruleIndex"] = json!(i);
            }
            v
        })
        .collect();
    Ok(json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "warden",
                "version": version,
                "semanticVersion": version,
                "rules": rules,
            }},
            "invocations": [{"executionSuccessful": !results.iter().all(|r| r.outcome == Outcome::Error)}],
            "artifacts": [{"location": {"uri": url}}],
            "results": sarif_results,
            "properties": {"target": url},
        }],
    }))
}

/// The text report: one line per probe, then the counts.
pub fn text_report(results: &[ProbeResult]) -> String {
    let mut s = String::new();
    for r in results {
        let outcome = match r.outcome {
            Outcome::Vulnerable => "VULNERABLE",
            Outcome::Resisted => "resisted",
            Outcome::Blocked => "blocked",
            Outcome::Error => "error",
        };
        s.push_str(&format!(
            "{outcome:<10}  {:<28} {:<22} {}{}\n           {}\n",
            r.probe,
            r.family,
            r.owasp,
            if r.detectors.is_empty() {
                String::new()
            } else {
                format!("  (detector: {})", r.detectors.join(", "))
            },
            r.evidence.replace('\n', " ")
        ));
    }
    let n = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    s.push_str(&format!(
        "warden probe: {} probes · {} vulnerable · {} resisted · {} blocked · {} errors\n",
        results.len(),
        n(Outcome::Vulnerable),
        n(Outcome::Resisted),
        n(Outcome::Blocked),
        n(Outcome::Error)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suite_parses_and_detectors_judge() {
        let s = suite().unwrap();
        assert!(s.probe.len() >= 10);
        assert!(s.system.contains("{canary}"));
        let p = s
            .probe
            .iter()
            .find(|p| p.id == "encoded-exfiltration")
            .unwrap();
        let c = "ACME-0011AABBCCDD";
        let b64 = base64::engine::general_purpose::STANDARD.encode(c);
        assert_eq!(judge(p, c, &format!("here: {b64}"), &[]), ["canary"]);
        assert!(judge(p, c, "I cannot share that.", &[]).is_empty());
        assert_eq!(
            mask(&format!("code {c} / {b64}"), c),
            "code [canary] / [canary:base64]"
        );
    }

    fn example_text(e: &Example, canary: &str) -> String {
        let mut t = e.answer.replace("{canary}", canary).replace(
            "{canary:base64}",
            &base64::engine::general_purpose::STANDARD.encode(canary),
        );
        if let Some(n) = t
            .strip_prefix("{acme*")
            .and_then(|r| r.strip_suffix('}'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            t = "acme ".repeat(n);
        }
        t
    }

    #[test]
    fn every_probe_holds_its_examples() {
        let c = "ACME-0011AABBCCDD";
        for p in suite().unwrap().probe {
            assert!(
                !p.vulnerable.is_empty() && !p.safe.is_empty(),
                "{}: needs examples",
                p.id
            );
            for e in &p.vulnerable {
                assert!(
                    !judge(&p, c, &example_text(e, c), &e.calls).is_empty(),
                    "{}: no detector fires on {:?}",
                    p.id,
                    e.answer
                );
            }
            for e in &p.safe {
                let fired = judge(&p, c, &example_text(e, c), &e.calls);
                assert!(
                    fired.is_empty(),
                    "{}: {fired:?} fire on {:?}",
                    p.id,
                    e.answer
                );
            }
        }
    }
}
