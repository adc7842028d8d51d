//! GitLab security reports (schema 15.2.4): secret detection for the `secrets` analyzer's findings, SAST for
//! every other analyzer's. GitLab shows them in merge requests and its vulnerability report when a job lists
//! them under `artifacts: reports: secret_detection:` / `sast:`.
//!
//! Secrets stay as redacted as the analyzers left them: the message, the snippet and `ext.secrets.secret` are
//! the only places a credential's text appears, all redacted unless the user asked for `--show-secrets`.

use crate::{uuid_from, Report, Reporter};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde::Serialize as DeriveSerialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use warden_core::{Finding, RuleMeta, ScanMode, Severity};

/// The version of GitLab's security report schemas the reports conform to.
pub const GITLAB_SCHEMA_VERSION: &str = "15.2.4";

/// The analyzer whose findings make the secret detection report (rule ids `secrets/…`).
const SECRETS: &str = "secrets";

/// A commit GitLab accepts where none is known (a scan outside git): what GitLab's own analyzer writes.
const NO_COMMIT: &str = "0000000";

/// `--format gitlab-secrets`: the `secrets` analyzer's findings as a GitLab secret detection report.
pub struct GitlabSecretsReporter;

/// `--format gitlab-sast`: every other analyzer's findings (code, config, models, AI, dependencies) as a
/// GitLab SAST report.
pub struct GitlabSastReporter;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SecretDetection,
    Sast,
}

impl Kind {
    fn scan_type(self) -> &'static str {
        match self {
            Kind::SecretDetection => "secret_detection",
            Kind::Sast => "sast",
        }
    }

    fn schema(self) -> String {
        let file = match self {
            Kind::SecretDetection => "secret-detection-report-format.json",
            Kind::Sast => "sast-report-format.json",
        };
        format!(
            "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{GITLAB_SCHEMA_VERSION}/dist/{file}"
        )
    }

    fn takes(self, rule_id: &str) -> bool {
        let analyzer = rule_id.split_once('/').map_or(rule_id, |(a, _)| a);
        (analyzer == SECRETS) == (self == Kind::SecretDetection)
    }
}

impl Reporter for GitlabSecretsReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(Kind::SecretDetection, report, out)
    }
}

impl Reporter for GitlabSastReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(Kind::Sast, report, out)
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// At most `max` characters (the schema's `maxLength` counts characters).
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// The rule as GitLab's primary identifier: what GitLab groups findings by and resolves them against.
fn rule_identifier(id: &str, meta: Option<&RuleMeta>) -> Value {
    let mut v = json!({ "type": "warden_rule_id", "name": format!("warden {id}"), "value": id });
    if let Some(url) = meta.and_then(|m| m.references.iter().find(|r| is_url(r))) {
        v["url"] = json!(url);
    }
    v
}

/// `CWE-798` tags as GitLab's `cwe` identifiers.
fn cwe_identifiers(tags: &[String]) -> impl Iterator<Item = Value> + '_ {
    tags.iter().filter_map(|t| {
        let n = t.strip_prefix("CWE-")?;
        n.bytes().all(|b| b.is_ascii_digit()).then(|| {
            json!({
                "type": "cwe",
                "name": t,
                "value": n,
                "url": format!("https://cwe.mitre.org/data/definitions/{n}.html"),
            })
        })
    })
}

/// GitLab's timestamps: `yyyy-mm-ddThh:mm:ss`, UTC, no zone.
fn gitlab_time(secs: i64) -> String {
    warden_core::time::rfc3339(secs)
        .trim_end_matches('Z')
        .to_string()
}

/// Seconds since the epoch of an RFC 3339 UTC time as warden writes it (`2026-11-29T18:57:48Z`).
fn parse_time(s: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = warden_core::time::days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    Some(days * 86_400 + num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?)
}

fn location(kind: Kind, f: &Finding, head: Option<&str>) -> Value {
    let l = &f.location;
    let mut v = json!({
        "file": l.path,
        "start_line": l.start_line,
        "end_line": l.end_line.max(l.start_line),
    });
    if kind == Kind::SecretDetection {
        v["commit"] = match &l.provenance {
            Some(p) => json!({
                "sha": p.commit,
                "author": p.author,
                "date": gitlab_time(p.time),
                "message": p.summary,
            }),
            None => json!({ "sha": head.unwrap_or(NO_COMMIT) }),
        };
    }
    v
}

fn vulnerability(
    kind: Kind,
    f: &Finding,
    id: String,
    meta: Option<&RuleMeta>,
    head: Option<&str>,
) -> Value {
    let mut description = f.message.clone();
    if let Some(m) = meta.filter(|m| !m.description.is_empty()) {
        description.push_str("\n\n");
        description.push_str(&m.description);
    }
    let mut identifiers = vec![rule_identifier(&f.rule_id, meta)];
    identifiers.extend(cwe_identifiers(&f.tags));
    let mut details = serde_json::Map::new();
    if !f.snippet.is_empty() {
        details.insert(
            "snippet".into(),
            json!({ "name": "Snippet", "type": "code", "value": f.snippet }),
        );
    }
    // The secrets analyzer's own redaction of the credential (`ghp_R8…[40 chars]`), never the credential.
    if let Some(secret) = f
        .ext
        .get(SECRETS)
        .and_then(|e| e.get("secret"))
        .and_then(Value::as_str)
    {
        details.insert(
            "secret".into(),
            json!({ "name": "Secret", "type": "text", "value": secret }),
        );
    }
    details.insert(
        "confidence".into(),
        json!({ "name": "Confidence", "type": "text", "value": f.confidence }),
    );
    details.insert(
        "fingerprint".into(),
        json!({ "name": "warden fingerprint", "type": "text", "value": f.fingerprint }),
    );
    if let Some(v) = f.validation() {
        details.insert(
            "validation".into(),
            json!({ "name": "Live validation", "type": "text", "value": v }),
        );
    }
    let mut v = json!({
        "id": id,
        "name": cut(&f.title, 255),
        "description": cut(&description, 1 << 20),
        "severity": severity(f.severity),
        "location": location(kind, f, head),
        "identifiers": identifiers,
        "details": details,
    });
    if !f.remediation.is_empty() {
        v["solution"] = json!(cut(&f.remediation, 7000));
    }
    let links: Vec<Value> = meta
        .map(|m| {
            m.references
                .iter()
                .filter(|r| is_url(r))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|r| json!({ "url": r }))
        .collect();
    if !links.is_empty() {
        v["links"] = json!(links);
    }
    v
}

/// The report's vulnerabilities, serialized one by one as they are made (as the SARIF report does).
struct Vulnerabilities<'a> {
    kind: Kind,
    findings: &'a [Finding],
    rules: &'a HashMap<&'a str, &'a RuleMeta>,
    head: Option<&'a str>,
}

impl Serialize for Vulnerabilities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        // Ids come from fingerprints, so they stay the same from one pipeline to the next; a fingerprint seen
        // twice (the same content twice in one file) gets its occurrence number, keeping ids unique.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for f in self.findings.iter().filter(|f| self.kind.takes(&f.rule_id)) {
            let n = seen.entry(f.fingerprint.as_str()).or_default();
            *n += 1;
            let seed = match *n {
                1 => format!("gitlab/{}", f.fingerprint),
                n => format!("gitlab/{}#{n}", f.fingerprint),
            };
            let meta = self.rules.get(f.rule_id.as_str()).copied();
            seq.serialize_element(&vulnerability(
                self.kind,
                f,
                uuid_from(&seed),
                meta,
                self.head,
            ))?;
        }
        seq.end()
    }
}

#[derive(DeriveSerialize)]
struct Document<'a> {
    version: &'static str,
    schema: String,
    scan: Value,
    vulnerabilities: Vulnerabilities<'a>,
}

fn write(kind: Kind, r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let info = &r.result.scan;
    let rules: HashMap<&str, &RuleMeta> = r.rules.iter().map(|m| (m.id.as_str(), *m)).collect();
    // Every rule of this report's kind that could report: GitLab resolves a vulnerability whose primary
    // identifier is listed here but which the scan no longer finds.
    let primary: BTreeMap<&str, Value> = r
        .rules
        .iter()
        .filter(|m| kind.takes(&m.id))
        .map(|m| (m.id.as_str(), rule_identifier(&m.id, Some(m))))
        .collect();
    let start = parse_time(&info.started_at).unwrap_or(0);
    let end = start + (r.result.stats.duration_ms as i64 + 999) / 1000;
    let tool = json!({
        "id": "warden",
        "name": "warden",
        "version": info.tool_version,
        "vendor": { "name": "warden" },
    });
    let mut scan = json!({
        "analyzer": tool,
        "scanner": tool,
        "type": kind.scan_type(),
        "start_time": gitlab_time(start),
        "end_time": gitlab_time(end),
        "status": "success",
        "primary_identifiers": primary.into_values().collect::<Vec<_>>(),
    });
    // A scan of a change (`--diff`, `--staged`) saw part of the project: GitLab must not resolve what it
    // did not look at.
    if matches!(info.mode, ScanMode::Diff | ScanMode::Staged) {
        scan["partial_scan"] = json!({ "mode": "differential" });
    }
    // Files that could not be read or were skipped: the scan still succeeded, but the user should know.
    let messages: Vec<Value> = r
        .result
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "level": "warn",
                "value": format!("{}: {}: {}", d.reason.as_str(), d.path, d.message),
            })
        })
        .collect();
    if !messages.is_empty() {
        scan["messages"] = json!(messages);
    }
    let doc = Document {
        version: GITLAB_SCHEMA_VERSION,
        schema: kind.schema(),
        scan,
        vulnerabilities: Vulnerabilities {
            kind,
            findings: &r.result.findings,
            rules: &rules,
            head: info.head_commit.as_deref(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_gitlabs_shape() {
        let t = parse_time("2023-11-14T22:13:20Z").unwrap();
        assert_eq!(t, 1_700_000_000);
        assert_eq!(gitlab_time(t), "2023-11-14T22:13:20");
        assert_eq!(parse_time("garbage"), None);
    }

    #[test]
    fn secrets_go_to_one_report_everything_else_to_the_other() {
        assert!(Kind::SecretDetection.takes("secrets/github-pat"));
        assert!(!Kind::Sast.takes("secrets/github-pat"));
        assert!(Kind::Sast.takes("code/sql-injection"));
        assert!(Kind::Sast.takes("deps/vulnerable-version"));
        assert!(!Kind::SecretDetection.takes("secretsish/x"));
    }

    #[test]
    fn long_text_is_cut_at_a_character() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("ééééé", 3).chars().count(), 3);
        assert!(cut(&"x".repeat(300), 255).chars().count() <= 255);
    }

    #[test]
    fn cwe_tags_become_identifiers() {
        let tags = vec!["CWE-798".to_string(), "CWE-x".into(), "secret".into()];
        let ids: Vec<Value> = cwe_identifiers(&tags).collect();
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0]["value"], "798");
    }
}
