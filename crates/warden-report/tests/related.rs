//! Related locations and inventory outputs, as each report renders them: SARIF relatedLocations and codeFlows
//! (valid against the official schema), JSON v2 (valid against its own schema), indented steps in text.

use warden_core::*;
use warden_report::{JsonReporter, Report, Reporter, SarifReporter, TextReporter};

fn result() -> (ScanResult, RuleMeta) {
    let rule = RuleMeta {
        id: "code/py/llm-output-to-exec".into(),
        title: "Model output reaches exec".into(),
        severity: Severity::High,
        confidence: Confidence::Medium,
        description: "Text a model produced is executed.".into(),
        remediation: "Never execute model output. Parse it into a fixed set of actions.".into(),
        tags: vec!["CWE-94".into()],
        references: vec![
            "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/".into(),
        ],
    };
    let mut f = Finding::new(
        &rule,
        "model output is executed",
        Location::at("app/agent.py", 9, 5, 20),
    );
    f.snippet = "exec(reply)".into();
    f.fingerprint = "0123456789abcdef0123456789abcdef".into();
    f.related = vec![
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
    f.assets = vec!["agent:app/agent.py".into()];
    let info = ScanInfo {
        tool: "warden".into(),
        tool_version: "0.0.0".into(),
        rules_version: "0123456789abcdef".into(),
        target: ".".into(),
        mode: ScanMode::Worktree,
        head_commit: None,
        branch: None,
        started_at: "2026-11-29T12:00:00Z".into(),
        analyzers: vec!["code".into()],
        hash_key_id: "0123456789ab".into(),
    };
    let mut r = ScanResult::new(info);
    r.findings.push(f);
    r.assets.push(Asset {
        id: "agent:app/agent.py".into(),
        kind: AssetKind::Agent,
        name: "agent".into(),
        location: Some(Location::at("app/agent.py", 1, 1, 2)),
        properties: serde_json::json!({ "tools": ["shell"] }),
    });
    r.assets.push(Asset {
        id: "model:gpt".into(),
        kind: AssetKind::Model,
        name: "gpt".into(),
        location: None,
        properties: serde_json::Value::Null,
    });
    r.edges.push(Edge {
        from: "agent:app/agent.py".into(),
        to: "model:gpt".into(),
        kind: EdgeKind::Uses,
    });
    r.components.push(Component {
        kind: "library".into(),
        name: "openai".into(),
        version: Some("1.55.0".into()),
        purl: Some("pkg:pypi/openai@1.55.0".into()),
        location: None,
        undeclared: false,
    });
    (r, rule)
}

fn render(reporter: &dyn Reporter) -> Vec<u8> {
    let (r, rule) = result();
    let mut out = Vec::new();
    reporter
        .write(
            &Report {
                result: &r,
                rules: &[&rule],
            },
            &mut out,
        )
        .unwrap();
    out
}

fn errors(schema: &str, doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn sarif_has_related_locations_and_a_code_flow() {
    let doc: serde_json::Value = serde_json::from_slice(&render(&SarifReporter)).unwrap();
    let errs = errors(
        include_str!("../../../tests/data/sarif-schema-2.1.0.json"),
        &doc,
    );
    assert!(errs.is_empty(), "{errs:#?}");
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 3);
    assert_eq!(result["relatedLocations"][2]["id"], 3);
    let flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap();
    // Two steps, then the sink; context is not part of the flow.
    assert_eq!(flow.len(), 3);
    assert_eq!(
        flow[0]["location"]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        flow[2]["location"]["physicalLocation"]["region"]["startLine"],
        9
    );
    assert_eq!(result["properties"]["assets"][0], "agent:app/agent.py");
}

#[test]
fn json_v2_carries_related_locations_and_inventory() {
    let doc: serde_json::Value = serde_json::from_slice(&render(&JsonReporter)).unwrap();
    let errs = errors(
        include_str!("../../../docs/schemas/report-v2.schema.json"),
        &doc,
    );
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(doc["findings"][0]["related"][0]["kind"], "step");
    assert_eq!(doc["assets"].as_array().unwrap().len(), 2);
    assert_eq!(doc["edges"][0]["kind"], "uses");
    assert_eq!(doc["components"][0]["purl"], "pkg:pypi/openai@1.55.0");
}

#[test]
fn text_shows_steps_in_order_then_context() {
    let text = String::from_utf8(render(&TextReporter { color: false })).unwrap();
    insta::assert_snapshot!(text.replace('\r', ""), @r"
    app/agent.py
      9:5     high     code/py/llm-output-to-exec  model output is executed
              │ exec(reply)
              │ step 1  app/agent.py:3:9  the model's reply
              │ step 2  app/agent.py:6:5  assigned to `reply`
              │ see     deploy/agent.yaml:12:7  the workload that runs it is public
              │ confidence medium · fingerprint 0123456789abcdef
              └ fix: Never execute model output.

    warden: 1 finding (1 high) in 1 file · 0 files (0 B) scanned in 0.00s · 2 assets in the inventory
    ");
}

#[test]
fn the_json_document_reads_back_as_a_report_document() {
    let bytes = render(&JsonReporter);
    let doc: warden_report::ReportDocument = serde_json::from_slice(&bytes).unwrap();
    let (r, _) = result();
    assert_eq!(doc.version, 2);
    assert_eq!(*doc.scan, r.scan);
    assert_eq!(doc.findings[0].related, r.findings[0].related);
    assert_eq!(doc.summary.by_severity[&Severity::High], 1);
    assert_eq!(doc.edges.as_ref(), r.edges.as_slice());
    // Written again, it is the same document.
    assert_eq!(
        serde_json::to_vec_pretty(&doc).unwrap(),
        bytes[..bytes.len() - 1]
    );
}
