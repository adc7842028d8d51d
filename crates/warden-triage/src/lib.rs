//! Triage context and priority (in progress on this branch): who owns a finding's file, what kind of code it is
//! in, how critical its service is, whether it is exposed or tied to AI assets, and from all of that a priority
//! P1–P4 with every reason listed. Written against the finding model only, so later analyzers need no change.

pub mod codeowners;
pub mod invariant;
pub mod settings;

pub use settings::Settings;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use warden_core::{Confidence, Finding, Severity};

/// What kind of code a path holds, by the conventions of the ecosystems warden reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeKind {
    Production,
    Test,
    Example,
    Docs,
    Vendored,
    Generated,
}

/// Classifies a path (relative, `/`-separated).
pub fn code_kind(path: &str) -> CodeKind {
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let name = parts.last().copied().unwrap_or("");
    let has_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));
    if has_dir(&[
        "vendor",
        "node_modules",
        "third_party",
        "third-party",
        "external",
        "site-packages",
        ".venv",
        "venv",
    ]) {
        return CodeKind::Vendored;
    }
    if name.ends_with(".min.js")
        || name.ends_with("_pb2.py")
        || name.ends_with(".pb.go")
        || name.ends_with(".generated.ts")
        || name.ends_with("_generated.go")
        || has_dir(&["generated", "__generated__", "gen"])
    {
        return CodeKind::Generated;
    }
    if has_dir(&[
        "test",
        "tests",
        "testing",
        "__tests__",
        "spec",
        "specs",
        "testdata",
        "fixtures",
        "__fixtures__",
        "e2e",
    ]) || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name.ends_with("_test.go")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name == "conftest.py"
    {
        return CodeKind::Test;
    }
    if has_dir(&[
        "example",
        "examples",
        "sample",
        "samples",
        "demo",
        "demos",
        "tutorial",
        "tutorials",
    ]) {
        return CodeKind::Example;
    }
    if has_dir(&["docs", "doc", "documentation"]) || name.ends_with(".md") || name.ends_with(".rst")
    {
        return CodeKind::Docs;
    }
    CodeKind::Production
}

/// How critical a service is (`[triage.services]` in `warden.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Critical,
    High,
    Normal,
    Low,
}

/// A service: the paths it owns, and how critical it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub paths: Vec<String>,
    pub criticality: Criticality,
}

/// Services by name, matched by path (the first whose globs match).
#[derive(Debug, Default)]
pub struct Services {
    list: Vec<(String, Criticality, GlobSet)>,
}

impl Services {
    pub fn new(config: &std::collections::BTreeMap<String, ServiceConfig>) -> Result<Self, String> {
        let mut list = Vec::new();
        for (name, s) in config {
            let mut b = GlobSetBuilder::new();
            for p in &s.paths {
                b.add(
                    Glob::new(p)
                        .map_err(|e| format!("[triage.services.{name}] paths: `{p}`: {e}"))?,
                );
            }
            let set = b
                .build()
                .map_err(|e| format!("[triage.services.{name}]: {e}"))?;
            list.push((name.clone(), s.criticality, set));
        }
        Ok(Services { list })
    }

    pub fn of(&self, path: &str) -> Option<(&str, Criticality)> {
        self.list
            .iter()
            .find(|(_, _, g)| g.is_match(path))
            .map(|(n, c, _)| (n.as_str(), *c))
    }
}

/// `+2`, `−1` (a minus sign, as in the other reasons), `±0`.
fn signed(d: i32) -> String {
    match d {
        0 => "±0".into(),
        d if d > 0 => format!("+{d}"),
        d => format!("−{}", -d),
    }
}

/// A priority and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// 1 (look now) to 4 (look when time allows).
    pub level: u8,
    pub reasons: Vec<String>,
    pub code: CodeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// What surrounds a finding, gathered by the caller.
pub struct Context<'a> {
    pub owners: Option<&'a codeowners::CodeOwners>,
    pub services: &'a Services,
    /// To name what an `invariant:<name>` tag stands for.
    pub invariants: &'a invariant::Invariants,
}

/// The priority of one finding: severity and confidence set the base; exposure, live credentials, the
/// service's criticality and links to AI assets raise it; test, example, docs, vendored and generated code,
/// dead credentials and history-only findings lower it. Every step is a reason.
pub fn prioritise(f: &Finding, cx: &Context) -> Priority {
    let mut reasons = Vec::new();
    let mut score: i32 = match f.severity {
        Severity::Critical => 8,
        Severity::High => 6,
        Severity::Medium => 4,
        Severity::Low => 2,
        Severity::Info => 0,
    };
    reasons.push(format!("{} severity", f.severity.as_str()));
    match f.confidence {
        Confidence::High => {}
        Confidence::Medium => {
            score -= 1;
            reasons.push("medium confidence (−1)".into());
        }
        Confidence::Low => {
            score -= 2;
            reasons.push("low confidence (−2)".into());
        }
    }
    let tag = |t: &str| f.tags.iter().any(|x| x == t);
    // The exposure graph already raised the severity of what it tagged: one more step here, not two.
    if tag("exposure:public") {
        score += 1;
        reasons.push("reachable from the internet: a publicly exposed workload (+1)".into());
    }
    if tag("validation:live") {
        score += 2;
        reasons.push("the credential works: validated live (+2)".into());
    }
    if tag("validation:dead") {
        score -= 3;
        reasons.push("the credential no longer works: validated dead (−3)".into());
    }
    if f.assets.iter().any(|a| a.starts_with("ai:")) {
        score += 1;
        reasons.push(format!(
            "part of the AI inventory ({}) (+1)",
            f.assets
                .iter()
                .filter(|a| a.starts_with("ai:"))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if f.location.provenance.as_ref().is_some_and(|p| !p.in_head) {
        score -= 1;
        reasons.push(
            "only in history, no longer in HEAD (−1; a leaked secret still needs rotating)".into(),
        );
    }
    let code = code_kind(&f.location.path);
    let (delta, what) = match code {
        CodeKind::Production => (0, None),
        CodeKind::Test => (-3, Some("in test code")),
        CodeKind::Example => (-2, Some("in example code")),
        CodeKind::Docs => (-2, Some("in documentation")),
        CodeKind::Vendored => (-3, Some("in vendored third-party code")),
        CodeKind::Generated => (-2, Some("in generated code")),
    };
    if let Some(w) = what {
        // A live credential is a live credential wherever it sits; an unvalidated one in a test is most
        // likely a fixture.
        let live = f.rule_id.starts_with("secrets/") && tag("validation:live");
        let d = if live { delta / 2 } else { delta };
        score += d;
        reasons.push(format!("{w} ({})", signed(d)));
    }
    let service = cx.services.of(&f.location.path);
    // A service's criticality is that of what runs: its tests, examples and docs do not inherit it.
    if let Some((name, c)) = service.filter(|_| code == CodeKind::Production) {
        let (d, w) = match c {
            Criticality::Critical => (2, "critical"),
            Criticality::High => (1, "high-criticality"),
            Criticality::Normal => (0, "normal"),
            Criticality::Low => (-1, "low-criticality"),
        };
        score += d;
        reasons.push(format!("{w} service {name} ({})", signed(d)));
    }
    let owner = cx
        .owners
        .and_then(|o| o.owners_of(&f.location.path))
        .map(|(o, _)| o.join(" "));
    let mut level = match score {
        8.. => 1,
        6..=7 => 2,
        4..=5 => 3,
        _ => 4,
    };
    // An invariant the team declared overrides the arithmetic: breaking one is P1, whatever else holds.
    for name in f.tags.iter().filter_map(|t| t.strip_prefix("invariant:")) {
        level = 1;
        let what = cx
            .invariants
            .get(name)
            .map(|i| format!(": {}", i.description))
            .unwrap_or_default();
        reasons.push(format!("breaks the invariant `{name}`{what} (P1)"));
    }
    Priority {
        level,
        reasons,
        code,
        owner,
        service: service.map(|(n, _)| n.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_core::{Location, RuleMeta};

    fn finding(
        rule: &str,
        severity: Severity,
        confidence: Confidence,
        path: &str,
        tags: &[&str],
    ) -> Finding {
        let meta = RuleMeta {
            id: rule.into(),
            title: "t".into(),
            severity,
            confidence,
            description: String::new(),
            remediation: String::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            references: vec![],
        };
        Finding::new(&meta, "m", Location::at(path, 1, 1, 1))
    }

    #[test]
    fn paths_are_classified_by_convention() {
        assert_eq!(code_kind("src/app.py"), CodeKind::Production);
        assert_eq!(code_kind("tests/test_app.py"), CodeKind::Test);
        assert_eq!(code_kind("pkg/handler_test.go"), CodeKind::Test);
        assert_eq!(code_kind("web/src/app.spec.ts"), CodeKind::Test);
        assert_eq!(code_kind("examples/quickstart.py"), CodeKind::Example);
        assert_eq!(code_kind("vendor/github.com/x/y.go"), CodeKind::Vendored);
        assert_eq!(code_kind("api/v1/service.pb.go"), CodeKind::Generated);
        assert_eq!(code_kind("docs/setup.md"), CodeKind::Docs);
        assert_eq!(code_kind("attestation/contest.py"), CodeKind::Production);
    }

    #[test]
    fn context_raises_and_lowers_with_reasons() {
        let services = Services::new(&std::collections::BTreeMap::from([(
            "payments".to_string(),
            ServiceConfig {
                paths: vec!["services/payments/**".into()],
                criticality: Criticality::Critical,
            },
        )]))
        .unwrap();
        let owners = codeowners::CodeOwners::parse("/services/payments/ @acme/payments\n");
        let invariants = invariant::Invariants::default();
        let cx = Context {
            owners: Some(&owners),
            services: &services,
            invariants: &invariants,
        };
        // As the exposure graph hands it over: raised from high for the exposure.
        let public = finding(
            "k8s/privileged-container",
            Severity::Critical,
            Confidence::High,
            "deploy/app.yaml",
            &["exposure:public"],
        );
        assert_eq!(prioritise(&public, &cx).level, 1);
        // A hygiene finding raised to medium by exposure does not reach P1 on that alone.
        let hygiene = finding(
            "k8s/seccomp-profile-missing",
            Severity::Medium,
            Confidence::High,
            "deploy/app.yaml",
            &["exposure:public"],
        );
        assert_eq!(prioritise(&hygiene, &cx).level, 3);
        // Tests of a critical service do not inherit its criticality.
        let fixture = prioritise(
            &finding(
                "secrets/stripe-webhook-secret",
                Severity::High,
                Confidence::High,
                "services/payments/tests/conftest.py",
                &[],
            ),
            &cx,
        );
        assert_eq!(fixture.level, 4, "{fixture:?}");
        let pay = prioritise(
            &finding(
                "code/sql-injection",
                Severity::Medium,
                Confidence::High,
                "services/payments/api.py",
                &[],
            ),
            &cx,
        );
        assert_eq!(pay.level, 2);
        assert_eq!(pay.owner.as_deref(), Some("@acme/payments"));
        assert!(
            pay.reasons
                .iter()
                .any(|r| r.contains("critical service payments")),
            "{:?}",
            pay.reasons
        );
        let test = prioritise(
            &finding(
                "code/sql-injection",
                Severity::High,
                Confidence::High,
                "tests/test_api.py",
                &[],
            ),
            &cx,
        );
        assert_eq!(test.level, 4);
        assert!(
            test.reasons.iter().any(|r| r == "in test code (−3)"),
            "{:?}",
            test.reasons
        );
        let vendored = prioritise(
            &finding(
                "code/x",
                Severity::Low,
                Confidence::High,
                "vendor/lib/x.go",
                &[],
            ),
            &cx,
        );
        assert!(vendored
            .reasons
            .iter()
            .any(|r| r == "in vendored third-party code (−3)"));
        // A live key in a test file still matters.
        let key = prioritise(
            &finding(
                "secrets/aws",
                Severity::High,
                Confidence::High,
                "tests/conftest.py",
                &["validation:live"],
            ),
            &cx,
        );
        assert!(key.level <= 2, "{key:?}");
        let dead = prioritise(
            &finding(
                "secrets/aws",
                Severity::High,
                Confidence::High,
                "app.py",
                &["validation:dead"],
            ),
            &cx,
        );
        assert_eq!(dead.level, 4);
    }
}
