//! What `POST /api/v1/scans` accepts, turned into the scan the store records:
//! - the scan record `warden scan --upload` sends (findings already keyed, prioritised and with context);
//! - warden's JSON report (`--format json`), for a pipeline that kept the report;
//! - SARIF 2.1.0 from any tool (each run's results; the rule id is prefixed with the tool's name, so
//!   `semgrep/…`, `gitleaks/…` are domains of their own on the dashboards).
//!
//! A report from elsewhere carries no keyed hashes: its findings are identified by the tool's fingerprints
//! (SARIF `partialFingerprints`/`fingerprints`), else by a digest of rule, file and message. Snippets from
//! other tools are masked before they are stored, since some (secret scanners) put the secret there.

use serde_json::Value;
use sha2::{Digest, Sha256};
use warden_store::{FindingRecord, ScanRecord};

/// Where a report's findings belong when the report does not say.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Target {
    pub repo: Option<String>,
    pub branch: Option<String>,
}

/// The body was not something we record, with why.
#[derive(Debug)]
pub struct Rejected(pub String);

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

/// The severity scale warden stores, from SARIF's `security-severity` (CVSS-like, as GitHub reads it) or level.
fn severity_of(security: Option<f64>, level: &str) -> &'static str {
    match security {
        Some(s) if s >= 9.0 => "critical",
        Some(s) if s >= 7.0 => "high",
        Some(s) if s >= 4.0 => "medium",
        Some(s) if s > 0.0 => "low",
        _ => match level {
            "error" => "high",
            "warning" => "medium",
            "note" => "low",
            _ => "info",
        },
    }
}

/// Priority without context: by severity alone (1 look now … 4).
fn priority_of(severity: &str) -> i64 {
    match severity {
        "critical" => 1,
        "high" => 2,
        "medium" => 3,
        _ => 4,
    }
}

/// Masks every run of 8 or more token characters to its first four and `****`: what a foreign snippet may
/// hold of a secret never reaches the store whole.
pub fn mask(s: &str) -> String {
    let token = |c: char| c.is_ascii_alphanumeric() || "+/=_-.".contains(c);
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 8 {
            out.extend(run.chars().take(4));
            out.push_str("****");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if token(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn line_key(rule: &str, path: &str, snippet: &str) -> String {
    let normalised: String = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    if normalised.is_empty() {
        String::new()
    } else {
        digest(&[rule, path, &normalised])
    }
}

/// What an upload brings: the scan, and with a scan record from `warden scan --upload`, its inventory and
/// self-assessment.
#[derive(Debug)]
pub struct Upload {
    pub scan: ScanRecord,
    pub attachments: Vec<warden_store::access::Attachment>,
}

/// Reads an upload: a scan record (with `inventory` and `assessment` beside its fields), warden's JSON report
/// or SARIF.
pub fn parse(body: &[u8], target: &Target, actor: &str) -> Result<Upload, Rejected> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Rejected(format!("the body is not JSON ({e})")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| Rejected("the body is not a JSON object".into()))?;
    let mut attachments = Vec::new();
    let mut scan = if obj.contains_key("runs") {
        sarif(&v, target)?
    } else if obj.contains_key("scan") && obj.contains_key("summary") {
        report(v, target)?
    } else if obj.contains_key("repo") && obj.contains_key("findings") {
        for kind in warden_store::access::ATTACHMENT_KINDS {
            if let Some(body) = obj.get(kind).filter(|b| b.is_object()) {
                attachments.push(warden_store::access::Attachment {
                    kind: kind.to_string(),
                    body: body.clone(),
                });
            }
        }
        serde_json::from_value::<ScanRecord>(v)
            .map_err(|e| Rejected(format!("not a warden scan record ({e})")))?
    } else {
        return Err(Rejected(
            "expected a warden scan record, warden's JSON report or SARIF 2.1.0".into(),
        ));
    };
    if let Some(r) = &target.repo {
        scan.repo = r.clone();
    }
    if let Some(b) = &target.branch {
        scan.branch = b.clone();
    }
    if scan.repo.trim().is_empty() {
        return Err(Rejected("the scan names no repository".into()));
    }
    if scan.branch.trim().is_empty() {
        scan.branch = "(no branch)".into();
    }
    scan.actor = actor.to_string();
    // One finding per fingerprint, as `warden scan --db` stores them.
    let mut seen = std::collections::HashSet::new();
    scan.findings.retain(|f| seen.insert(f.fingerprint.clone()));
    Ok(Upload { scan, attachments })
}

fn require_repo(target: &Target, what: &str) -> Result<String, Rejected> {
    target
        .repo
        .clone()
        .ok_or_else(|| Rejected(format!("{what} names no repository: add ?repo=…")))
}

fn report(v: Value, target: &Target) -> Result<ScanRecord, Rejected> {
    let doc: warden_report::ReportDocument = serde_json::from_value(v)
        .map_err(|e| Rejected(format!("not a warden JSON report ({e})")))?;
    let repo = require_repo(target, "a JSON report")?;
    let findings = doc
        .findings
        .iter()
        .map(|f| {
            let severity = f.severity.as_str().to_string();
            FindingRecord {
                fingerprint: f.fingerprint.clone(),
                content_key: f.fingerprint.clone(),
                line_key: line_key(&f.rule_id, &f.location.path, &f.snippet),
                rule_id: f.rule_id.clone(),
                title: f.title.clone(),
                priority: priority_of(&severity),
                priority_reasons: vec![format!("{severity} severity")],
                severity,
                confidence: f.confidence.as_str().to_string(),
                path: f.location.path.clone(),
                line: f.location.start_line as i64,
                message: f.message.clone(),
                // warden's report snippets are already redacted.
                snippet: f.snippet.clone(),
                secret_hash: None,
                owner: None,
                context: None,
            }
        })
        .collect();
    Ok(ScanRecord {
        repo,
        branch: doc.scan.branch.clone().unwrap_or_default(),
        started_at: doc.scan.started_at.clone(),
        head_commit: doc.scan.head_commit.clone(),
        tool_version: doc.scan.tool_version.clone(),
        rules_version: doc.scan.rules_version.clone(),
        actor: String::new(),
        findings,
    })
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::to_string)
}

fn sarif(v: &Value, target: &Target) -> Result<ScanRecord, Rejected> {
    if v.get("version").and_then(Value::as_str) != Some("2.1.0") {
        return Err(Rejected("only SARIF version 2.1.0 is read".into()));
    }
    let repo = require_repo(target, "SARIF")?;
    let runs = v
        .get("runs")
        .and_then(Value::as_array)
        .ok_or_else(|| Rejected("SARIF without runs".into()))?;
    let mut findings = Vec::new();
    let mut tools = Vec::new();
    let mut branch = None;
    let mut commit = None;
    for run in runs {
        let tool = text(run, &["tool", "driver", "name"]).unwrap_or_else(|| "sarif".into());
        let version = text(run, &["tool", "driver", "version"])
            .or_else(|| text(run, &["tool", "driver", "semanticVersion"]))
            .unwrap_or_default();
        tools.push(format!("{tool} {version}").trim().to_string());
        if let Some(vcs) = run
            .get("versionControlProvenance")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            branch = branch.or_else(|| text(vcs, &["branch"]));
            commit = commit.or_else(|| text(vcs, &["revisionId"]));
        }
        let prefix = tool.to_ascii_lowercase().replace(' ', "-");
        let native = prefix == "warden";
        let rules: Vec<&Value> = run
            .pointer("/tool/driver/rules")
            .and_then(Value::as_array)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let rule_by_id = |id: &str| {
            rules
                .iter()
                .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
                .copied()
        };
        for r in run
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let index_rule = r
                .get("ruleIndex")
                .and_then(Value::as_u64)
                .and_then(|i| rules.get(i as usize).copied());
            let rule_id = text(r, &["ruleId"])
                .or_else(|| text(r, &["rule", "id"]))
                .or_else(|| index_rule.and_then(|x| text(x, &["id"])))
                .unwrap_or_else(|| "result".into());
            let rule = rule_by_id(&rule_id).or(index_rule);
            let level = text(r, &["level"])
                .or_else(|| rule.and_then(|x| text(x, &["defaultConfiguration", "level"])))
                .unwrap_or_else(|| "warning".into());
            let security = rule
                .and_then(|x| x.pointer("/properties/security-severity"))
                .and_then(|s| {
                    s.as_f64()
                        .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
                });
            let severity = severity_of(security, &level).to_string();
            let message = text(r, &["message", "text"]).unwrap_or_default();
            let loc = r
                .get("locations")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(|l| l.get("physicalLocation"));
            let path = loc
                .and_then(|l| text(l, &["artifactLocation", "uri"]))
                .unwrap_or_default();
            let path = path.strip_prefix("file://").unwrap_or(&path).to_string();
            let line = loc
                .and_then(|l| l.pointer("/region/startLine"))
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let raw_snippet = loc
                .and_then(|l| text(l, &["region", "snippet", "text"]))
                .unwrap_or_default();
            let snippet = if native {
                raw_snippet
            } else {
                mask(raw_snippet.trim())
            };
            let id = if native {
                rule_id.clone()
            } else {
                format!("{prefix}/{rule_id}")
            };
            let tool_fp = ["partialFingerprints", "fingerprints"]
                .iter()
                .find_map(|k| {
                    let m = r.get(*k)?.as_object()?;
                    let mut keys: Vec<&String> = m.keys().collect();
                    keys.sort();
                    keys.first()
                        .and_then(|k| m[*k].as_str())
                        .map(str::to_string)
                });
            let fingerprint = match tool_fp {
                Some(fp) => digest(&[&id, &fp]),
                None => digest(&[&id, &path, &message, &snippet]),
            };
            let title = rule
                .and_then(|x| text(x, &["shortDescription", "text"]).or_else(|| text(x, &["name"])))
                .unwrap_or_else(|| rule_id.clone());
            findings.push(FindingRecord {
                content_key: fingerprint.clone(),
                line_key: line_key(&id, &path, &snippet),
                fingerprint,
                rule_id: id,
                title,
                priority: priority_of(&severity),
                priority_reasons: vec![format!("{severity} severity (from {tool})")],
                severity,
                confidence: "medium".into(),
                path,
                line,
                message,
                snippet,
                secret_hash: None,
                owner: None,
                context: None,
            });
        }
    }
    Ok(ScanRecord {
        repo,
        branch: branch.unwrap_or_default(),
        started_at: crate::now(),
        head_commit: commit,
        tool_version: tools.join(", "),
        rules_version: String::new(),
        actor: String::new(),
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_four_characters_of_long_runs() {
        assert_eq!(mask("key = \"abcdefghijkl\""), "key = \"abcd****\"");
        assert_eq!(mask("short x = 1"), "short x = 1");
    }

    #[test]
    fn sarif_from_another_tool_is_prefixed_masked_and_fingerprinted() {
        // Built from pieces, so warden's scan of its own sources sees no credential here.
        let secret = ["zq8Rb1pX", "7mW3kL9d"].concat();
        let line = format!("token = '{secret}'");
        let body = serde_json::json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "gitleaks", "version": "8.28.0", "rules": [
                    {"id": "generic-api-key", "shortDescription": {"text": "Generic API Key"},
                     "properties": {"security-severity": "7.5"}}
                ]}},
                "results": [{
                    "ruleId": "generic-api-key",
                    "message": {"text": "generic-api-key has detected secret for file app.py."},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app.py"},
                        "region": {"startLine": 4, "snippet": {"text": line}}}}],
                    "partialFingerprints": {"commitSha": "abc", "email": "x"}
                }]
            }]
        });
        let target = Target {
            repo: Some("github.com/acme/api".into()),
            branch: Some("main".into()),
        };
        let s = parse(body.to_string().as_bytes(), &target, "token:1")
            .unwrap()
            .scan;
        assert_eq!(s.findings.len(), 1);
        let f = &s.findings[0];
        assert_eq!(f.rule_id, "gitleaks/generic-api-key");
        assert_eq!(f.severity, "high");
        assert_eq!(f.title, "Generic API Key");
        assert_eq!((f.path.as_str(), f.line), ("app.py", 4));
        assert!(!f.snippet.contains(&secret), "{}", f.snippet);
        let again = parse(body.to_string().as_bytes(), &target, "token:1")
            .unwrap()
            .scan;
        assert_eq!(again.findings[0].fingerprint, f.fingerprint);
        assert_eq!(s.actor, "token:1");
        let no_repo = parse(body.to_string().as_bytes(), &Target::default(), "a");
        assert!(no_repo.unwrap_err().0.contains("?repo="));
    }

    #[test]
    fn other_json_is_refused_with_what_was_expected() {
        let e = parse(b"{\"a\": 1}", &Target::default(), "a").unwrap_err();
        assert!(e.0.contains("SARIF"), "{}", e.0);
        assert!(parse(b"\xff", &Target::default(), "a").is_err());
        assert!(parse(b"[1]", &Target::default(), "a").is_err());
    }

    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
            Just(serde_json::Value::from("2.1.0")),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let keys = prop_oneof![
                Just("runs".to_string()),
                Just("version".to_string()),
                Just("results".to_string()),
                Just("tool".to_string()),
                Just("driver".to_string()),
                Just("rules".to_string()),
                Just("locations".to_string()),
                Just("repo".to_string()),
                Just("findings".to_string()),
                Just("scan".to_string()),
                Just("summary".to_string()),
                Just("ruleIndex".to_string()),
                "[a-z]{1,6}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(keys, inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any bytes, and any JSON shaped like the three formats: an upload is read or refused, never a panic.
        #[test]
        fn parsing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256), doc in arb_json()) {
            let target = Target { repo: Some("r".into()), branch: None };
            let _ = parse(&bytes, &target, "a");
            let _ = parse(doc.to_string().as_bytes(), &target, "a");
            let _ = parse(doc.to_string().as_bytes(), &Target::default(), "a");
        }

        /// No run of 8 or more token characters survives masking.
        #[test]
        fn masking_leaves_no_long_run(s in ".{0,80}") {
            let m = mask(&s);
            let token = |c: char| c.is_ascii_alphanumeric() || "+/=_-.".contains(c);
            let mut run = 0;
            for c in m.chars() {
                run = if token(c) { run + 1 } else { 0 };
                prop_assert!(run < 8, "{m}");
            }
        }
    }
}
