//! The HTML report: what the page shows (a snapshot), that it needs and fetches nothing (no script, no inline
//! style attribute, no outside address), that it never prints a secret whole nor a finding's text unescaped,
//! and that the server can build its own pages on the same templates.

use proptest::prelude::*;
use warden_core::*;
use warden_report::html::{self, FindingView, HtmlReporter, Triage};
use warden_report::{Report, Reporter};

/// A credential with a real shape, assembled at run time so this file holds none whole.
fn secret() -> String {
    format!("ghp_{}", "R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9A2I07wp")
}

fn rule(id: &str, title: &str, severity: Severity, confidence: Confidence) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        title: title.into(),
        severity,
        confidence,
        description: String::new(),
        remediation: format!("Fix {id}. Then check again."),
        tags: vec![],
        references: vec![],
    }
}

fn info() -> ScanInfo {
    ScanInfo {
        tool: "warden".into(),
        tool_version: "0.0.0".into(),
        rules_version: "0123456789abcdef".into(),
        target: ".".into(),
        mode: ScanMode::Worktree,
        head_commit: Some("ab".repeat(20)),
        branch: Some("main".into()),
        started_at: "2026-11-29T12:00:00Z".into(),
        analyzers: vec!["secrets".into(), "code".into(), "k8s".into(), "ai".into()],
        hash_key_id: "0123456789ab".into(),
    }
}

fn result() -> ScanResult {
    let mut r = ScanResult::new(info());

    let gh = rule(
        "secrets/github-classic-pat",
        "GitHub personal access token",
        Severity::High,
        Confidence::High,
    );
    let mut key = Finding::new(
        &gh,
        "GitHub personal access token",
        Location::at("config/.env", 2, 14, 54),
    );
    key.snippet = "GITHUB_TOKEN=ghp_R8…[40 chars]".into();
    key.fingerprint = "00112233445566778899aabbccddeeff".into();
    key.tags = vec!["validation:live".into()];
    key.ext.insert(
        "secrets".into(),
        serde_json::json!({"secret": "ghp_R8…[40 chars]", "secret_hash": "ffee", "lifetime": "long-lived"}),
    );
    key.matched = secret();
    key.matched_partner = format!("{}{}", "partner-", "Zq9Wx7Vb5Nm3");
    r.findings.push(key);

    let exec = rule(
        "code/py/llm-output-to-exec",
        "Model output reaches exec",
        Severity::Critical,
        Confidence::Medium,
    );
    let mut flow = Finding::new(
        &exec,
        "model output is executed",
        Location::at("app/agent.py", 9, 5, 20),
    );
    flow.snippet = "exec(reply)".into();
    flow.fingerprint = "0123456789abcdef0123456789abcdef".into();
    flow.related = vec![
        Related {
            kind: RelatedKind::Step,
            location: Location::at("app/agent.py", 3, 9, 40),
            message: "the model's reply".into(),
        },
        Related {
            kind: RelatedKind::Step,
            location: Location::at("app/agent.py", 6, 5, 30),
            message: "assigned to `reply`".into(),
        },
        Related {
            kind: RelatedKind::Context,
            location: Location::at("deploy/agent.yaml", 12, 7, 20),
            message: "the workload that runs it is public".into(),
        },
    ];
    r.findings.push(flow);

    // Text a hostile repository controls: a path and a message with markup and an address in them.
    let priv_ = rule(
        "k8s/privileged-container",
        "Privileged container",
        Severity::Medium,
        Confidence::High,
    );
    let mut odd = Finding::new(
        &priv_,
        "see https://evil.example/x <img src=x onerror=alert(1)> & \"quotes\"",
        Location::at("deploy/<script>alert(1)</script>.yaml", 4, 1, 2),
    );
    odd.snippet = "privileged: true # </pre><script>alert(2)</script>".into();
    odd.fingerprint = "fedcba9876543210fedcba9876543210".into();
    odd.location.provenance = Some(Provenance {
        commit: "cd".repeat(20),
        author: "Dev One <dev@acme.test>".into(),
        time: 1_700_000_000,
        summary: "add the deployment".into(),
        blob: String::new(),
        in_head: false,
    });
    r.findings.push(odd);

    let model = rule(
        "model/pickle-unsafe-global",
        "Pickle imports a dangerous global",
        Severity::Low,
        Confidence::High,
    );
    let mut bin = Finding::new(
        &model,
        "os.system in a pickle",
        Location::at_byte("models/m.pkl", 1234),
    );
    bin.fingerprint = "aaaabbbbccccddddaaaabbbbccccdddd".into();
    r.findings.push(bin);

    r.assets.push(Asset {
        id: "ai:agent:app/agent.py".into(),
        kind: AssetKind::Agent,
        name: "support-agent".into(),
        location: Some(Location::at("app/agent.py", 1, 1, 2)),
        properties: serde_json::json!({
            "risk": {"score": 45, "level": "high", "reasons": [
                {"text": "can run shell commands", "points": 30},
                {"text": "publicly exposed", "points": 15}
            ]}
        }),
    });
    r.assets.push(Asset {
        id: "ai:model:gpt-4o".into(),
        kind: AssetKind::Model,
        name: "gpt-4o".into(),
        location: None,
        properties: serde_json::json!({"risk": {"score": 5, "level": "low", "reasons": []}}),
    });
    r.edges.push(Edge {
        from: "ai:agent:app/agent.py".into(),
        to: "ai:model:gpt-4o".into(),
        kind: EdgeKind::Uses,
    });
    r.components.push(Component {
        kind: "library".into(),
        name: "openai".into(),
        version: Some("1.55.0".into()),
        purl: Some("pkg:pypi/openai@1.55.0".into()),
        location: Some(Location::at("requirements.txt", 3, 1, 2)),
        undeclared: false,
    });
    r.diagnostics.push(Diagnostic {
        path: "data/locked.bin".into(),
        reason: SkipReason::Unreadable,
        message: "permission denied".into(),
    });
    r.stale_baseline.push(BaselineEntry {
        fingerprint: "99998888777766669999888877776666".into(),
        rule_id: "secrets/aws-access-key-id".into(),
        path: "old.env".into(),
        line: 1,
        validation: None,
    });
    r.stats = Stats {
        files_scanned: 42,
        bytes_scanned: 123_456,
        skipped: [(SkipReason::Binary, 3), (SkipReason::Unreadable, 1)].into(),
        suppressed_inline: 1,
        duration_ms: 1234,
        ..Stats::default()
    };
    r
}

/// Triage as the CLI would compute it, one per finding in order.
fn triage() -> Vec<Triage> {
    vec![
        Triage {
            priority: 1,
            reasons: vec![
                "high severity".into(),
                "the credential works: validated live (+2)".into(),
            ],
            owner: Some("@acme/platform".into()),
            context: Some(serde_json::json!({"code": "production", "service": "payments"})),
        },
        Triage {
            priority: 1,
            reasons: vec!["critical severity".into(), "medium confidence (−1)".into()],
            owner: None,
            context: Some(
                serde_json::json!({"code": "production", "ai_assets": ["ai:agent:app/agent.py"]}),
            ),
        },
        Triage {
            priority: 3,
            reasons: vec!["medium severity".into()],
            owner: None,
            context: None,
        },
        Triage {
            priority: 4,
            reasons: vec!["low severity".into()],
            owner: None,
            context: None,
        },
    ]
}

fn render_with(reporter: &HtmlReporter, r: &ScanResult) -> String {
    let mut out = Vec::new();
    reporter
        .write(
            &Report {
                result: r,
                rules: &[],
            },
            &mut out,
        )
        .unwrap();
    String::from_utf8(out).unwrap()
}

fn render() -> String {
    render_with(&HtmlReporter::with_triage(triage()), &result())
}

/// The inside of every tag (`a href="#f1"` for `<a href="#f1">`), comments and the doctype left out.
fn tags(page: &str) -> Vec<&str> {
    page.split('<')
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(inside, _)| inside))
        .filter(|t| !t.starts_with('!') && !t.starts_with('/'))
        .collect()
}

/// Every value of an attribute `name="…"` in the page.
fn attribute_values<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    page.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &page[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn the_report_page() {
    let page = render();
    // The stylesheet is checked on its own; the snapshot is about what the page says.
    assert_eq!(
        page.matches(html::CSS).count(),
        1,
        "the stylesheet is inline once"
    );
    insta::assert_snapshot!("report", page.replace(html::CSS, "[warden.css]"));
}

#[test]
fn the_page_is_self_contained() {
    let page = render();
    let lower = page.to_ascii_lowercase();
    assert!(
        !lower.contains("<script"),
        "no script, not even the ones findings quote"
    );
    assert!(!lower.contains("<link"), "no linked stylesheet");
    assert!(
        !lower.contains("@import") && !lower.contains("url("),
        "the stylesheet fetches nothing"
    );
    assert!(
        !lower.contains(" style="),
        "styles only from the stylesheet"
    );
    // Every `<` left in the page opens warden's own markup (the findings' text is escaped, below).
    for tag in tags(&lower) {
        let name = tag.split_whitespace().next().unwrap_or_default();
        assert!(
            !["script", "link", "img", "iframe", "object", "embed", "base", "form"].contains(&name),
            "<{tag}>"
        );
        for attr in tag.split_whitespace().skip(1) {
            let attr = attr.split('=').next().unwrap();
            assert!(!attr.starts_with("on") && attr != "style", "<{tag}>");
        }
    }
    // No address outside the page in any tag (a finding's message may name one: that is text).
    for tag in tags(&lower) {
        assert!(
            !tag.contains("http:") && !tag.contains("https:") && !tag.contains("//"),
            "<{tag}>"
        );
    }
    assert!(!html::CSS.contains("http:") && !html::CSS.contains("https:"));
    assert!(attribute_values(&page, "src").is_empty());
    for href in attribute_values(&page, "href") {
        assert!(href.starts_with('#'), "a link out of the page: {href}");
    }
    assert!(page.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">"#
    ));
}

#[test]
fn secrets_are_never_printed_whole() {
    let page = render();
    assert!(!page.contains(&secret()), "the matched secret leaks");
    assert!(!page.contains("Zq9Wx7Vb5Nm3"), "the matched partner leaks");
    assert!(page.contains("GITHUB_TOKEN=ghp_R8…[40 chars]"));
}

#[test]
fn a_finding_s_text_is_escaped() {
    let page = render();
    assert!(page.contains("deploy&#x2f;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;.yaml"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"));
    assert!(page.contains("&lt;&#x2f;pre&gt;&lt;script&gt;alert(2)"));
    assert!(!page.contains("<img"));
}

#[test]
fn charts_and_sections_are_there() {
    let page = render();
    assert_eq!(page.matches(r#"<svg class="chart bar-chart""#).count(), 3);
    for title in [
        "Findings by severity",
        "Findings by priority",
        "Findings by domain",
    ] {
        assert!(page.contains(&format!("<title>{title}</title>")), "{title}");
    }
    assert!(page.contains("<title>secrets: 1</title>") && page.contains("<title>P1: 2</title>"));
    // Priority 1 first, then 3 and 4; no empty group.
    let p1 = page.find(r#"id="p1""#).unwrap();
    let p3 = page.find(r#"id="p3""#).unwrap();
    let p4 = page.find(r#"id="p4""#).unwrap();
    assert!(p1 < p3 && p3 < p4 && !page.contains(r#"id="p2""#));
    for s in [
        r#"id="inventory""#,
        r#"id="diagnostics""#,
        "support-agent",
        "can run shell commands (+30)",
        "uses gpt-4o",
        "data&#x2f;locked.bin",
        "permission denied",
        "step 2",
        "the workload that runs it is public",
        "@acme&#x2f;platform",
        "models&#x2f;m.pkl@1234",
        "no longer in HEAD",
    ] {
        assert!(page.contains(s), "missing: {s}");
    }
}

#[test]
fn without_triage_the_priority_is_the_severity_s() {
    let page = render_with(&HtmlReporter::new(), &result());
    // critical → P1, high → P2, medium → P3, low → P4.
    for p in ["p1", "p2", "p3", "p4"] {
        assert!(page.contains(&format!(r#"id="{p}""#)), "{p}");
    }
    // A triage list for another result is ignored, not misattributed.
    let page2 = render_with(
        &HtmlReporter::with_triage(vec![Triage::default()]),
        &result(),
    );
    assert_eq!(page, page2);
}

#[test]
fn an_empty_scan_renders() {
    let page = render_with(&HtmlReporter::new(), &ScanResult::new(info()));
    assert!(page.contains("No findings."));
    assert!(!page.contains("<svg"), "no chart of nothing");
    assert!(!page.contains(r#"id="inventory""#) && !page.contains(r#"id="diagnostics""#));
}

#[test]
fn the_server_builds_its_pages_on_the_same_templates() {
    let mut env = html::environment();
    env.add_template(
        "finding.html",
        r#"{% extends "base.html" %}{% import "macros.html" as m %}
{% block title %}{{ f.rule_id }}{% endblock %}
{% block content %}{{ m.finding_card(f) }}{{ m.findings_table([f]) }}{{ line_chart("Open findings", trend) }}{% endblock %}"#,
    )
    .unwrap();
    let r = result();
    let mut f = FindingView::of(&r.findings[2]);
    f.state = Some("confirmed".into());
    f.url = Some("/findings/7".into());
    let page = env
        .get_template("finding.html")
        .unwrap()
        .render(minijinja::context! {
            f,
            trend => vec![("2026-11-01", 4u64), ("2026-11-02", 2)],
        })
        .unwrap();
    assert!(page.contains(r#"<link rel="stylesheet" href="/static/warden.css">"#));
    assert!(!page.contains("<style") && !page.contains("Content-Security-Policy"));
    assert!(page.contains(r#"<a href="&#x2f;findings&#x2f;7">"#));
    assert!(page.contains(r#"<span class="badge state state-confirmed">confirmed</span>"#));
    assert!(page.contains(r#"<th scope="col">State</th>"#));
    assert!(page.contains("<polyline") && page.contains("<title>Open findings</title>"));
    // From the severity alone: medium is P3.
    assert!(page.contains(r#"<span class="badge prio prio-3""#));
    assert!(!page.to_ascii_lowercase().contains("<script"));
}

#[test]
fn a_typo_in_a_template_is_an_error_not_an_empty_string() {
    let mut env = html::environment();
    env.add_template("t.html", "{{ no_such_variable }}")
        .unwrap();
    assert!(env.get_template("t.html").unwrap().render(()).is_err());
}

fn one(message: &str, path: &str, snippet: &str) -> ScanResult {
    let mut r = ScanResult::new(info());
    let meta = rule("code/x", "X", Severity::High, Confidence::High);
    let mut f = Finding::new(
        &meta,
        format!("m{message}"),
        Location::at(format!("p{path}"), 1, 1, 2),
    );
    f.snippet = format!("s{snippet}");
    f.fingerprint = "0123".into();
    r.findings.push(f);
    r
}

/// Text with the characters markup is made of, among others.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        prop::collection::vec(
            prop_oneof![
                Just("<".to_string()),
                Just(">".to_string()),
                Just("&".to_string()),
                Just("\"".to_string()),
                Just("'".to_string()),
                Just("</style>".to_string()),
                Just("<script>".to_string()),
                Just("{{ x }}".to_string()),
                Just("{% raw %}".to_string()),
                ".{0,3}",
            ],
            0..8
        )
        .prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever a finding's message, path and snippet hold, the page renders, and it has exactly the markup
    /// of a page whose finding says nothing special: not one `<` comes from the finding's text.
    #[test]
    fn any_text_renders_escaped(message in hostile(), path in hostile(), snippet in hostile()) {
        let reporter = HtmlReporter::new();
        let page = render_with(&reporter, &one(&message, &path, &snippet));
        let plain = render_with(&reporter, &one("", "", ""));
        prop_assert_eq!(page.matches('<').count(), plain.matches('<').count());
        prop_assert_eq!(page.matches('>').count(), plain.matches('>').count());
    }
}
