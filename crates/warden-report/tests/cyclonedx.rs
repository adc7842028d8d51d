//! The CycloneDX 1.6 output validates against the official JSON schema (with the SPDX license list and JSF
//! signature schemas it references), and says what the inventory holds.

use warden_core::{
    Asset, AssetKind, Component, Edge, EdgeKind, Location, ScanInfo, ScanMode, ScanResult,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/");

fn schema_validator() -> jsonschema::Validator {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}{name}")).unwrap()).unwrap()
    };
    let mut opts = jsonschema::options();
    for name in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        opts = opts.with_resource(
            format!("http://cyclonedx.org/schema/{name}"),
            jsonschema::Resource::from_contents(read(name)).unwrap(),
        );
    }
    opts.build(&read("bom-1.6.schema.json")).unwrap()
}

fn result() -> ScanResult {
    let mut r = ScanResult::new(ScanInfo {
        tool: "warden".into(),
        tool_version: "0.1.0".into(),
        rules_version: "0123456789abcdef".into(),
        target: "ai-platform".into(),
        mode: ScanMode::Worktree,
        head_commit: None,
        branch: None,
        started_at: "2026-11-30T08:00:00Z".into(),
        analyzers: vec!["secrets".into()],
        hash_key_id: "k".into(),
    });
    let asset = |id: &str, kind, name: &str, path: &str, line, props| Asset {
        id: id.into(),
        kind,
        name: name.into(),
        location: Some(Location::at(path, line, 1, 2)),
        properties: props,
    };
    r.assets = vec![
        asset(
            "model:churn",
            AssetKind::Model,
            "churn-classifier.pkl",
            "models/churn-classifier.pkl",
            0,
            serde_json::json!({"format": "pickle", "signed": false}),
        ),
        asset(
            "data:customers",
            AssetKind::Dataset,
            "customers",
            "services/rag/pipeline.py",
            15,
            serde_json::json!({"columns": ["email", "phone"]}),
        ),
        asset(
            "workload:support/chat",
            AssetKind::Workload,
            "support/chat",
            "deploy/k8s/chat.yaml",
            2,
            serde_json::json!({"exposure": "public"}),
        ),
        asset(
            "client:openai",
            AssetKind::LlmClient,
            "OpenAI",
            "services/chat/app.py",
            9,
            serde_json::Value::Null,
        ),
    ];
    r.edges = vec![
        Edge {
            from: "workload:support/chat".into(),
            to: "client:openai".into(),
            kind: EdgeKind::Uses,
        },
        Edge {
            from: "client:openai".into(),
            to: "data:customers".into(),
            kind: EdgeKind::Reads,
        },
        Edge {
            from: "client:openai".into(),
            to: "nowhere".into(),
            kind: EdgeKind::Reads,
        },
    ];
    r.components = vec![Component {
        kind: "library".into(),
        name: "openai".into(),
        version: Some("1.51.0".into()),
        purl: Some("pkg:pypi/openai@1.51.0".into()),
        location: Some(Location::at("services/chat/requirements.txt", 2, 1, 2)),
        undeclared: false,
    }];
    r
}

#[test]
fn the_bom_validates_against_the_cyclonedx_1_6_schema() {
    let doc = warden_report::cyclonedx_bom(&result());
    let v = schema_validator();
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    assert_eq!(doc["specVersion"], "1.6");
    let comps = doc["components"].as_array().unwrap();
    let by_ref = |r: &str| comps.iter().find(|c| c["bom-ref"] == r).unwrap();
    assert_eq!(by_ref("model:churn")["type"], "machine-learning-model");
    assert_eq!(by_ref("data:customers")["type"], "data");
    assert_eq!(
        by_ref("data:customers")["evidence"]["occurrences"][0]["line"],
        15
    );
    assert_eq!(by_ref("pkg:pypi/openai@1.51.0")["version"], "1.51.0");
    // Edges to components that are not in the BOM are left out; the others are dependencies.
    let deps = doc["dependencies"].as_array().unwrap();
    let openai = deps.iter().find(|d| d["ref"] == "client:openai").unwrap();
    assert_eq!(openai["dependsOn"], serde_json::json!(["data:customers"]));
    // One scan, one serial number.
    assert_eq!(
        doc["serialNumber"],
        warden_report::cyclonedx_bom(&result())["serialNumber"]
    );
}

#[test]
fn a_damaged_bom_is_caught_by_the_schema() {
    let mut doc = warden_report::cyclonedx_bom(&result());
    doc["components"][0]["type"] = serde_json::json!("spaceship");
    assert!(!schema_validator().is_valid(&doc));
}
