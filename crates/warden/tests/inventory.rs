//! The inventory as CycloneDX 1.6, on the multi-service AI fixture (tests/fixtures/ai-platform): what the
//! analyzers publish as assets today (the Kubernetes exposure graph), validated against the official schema.

mod common;
use common::*;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn cyclonedx_errors(doc: &serde_json::Value) -> Vec<String> {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap(),
        )
        .unwrap()
    };
    let mut opts = jsonschema::options();
    for name in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        opts = opts.with_resource(
            format!("http://cyclonedx.org/schema/{name}"),
            jsonschema::Resource::from_contents(read(name)).unwrap(),
        );
    }
    let v = opts.build(&read("bom-1.6.schema.json")).unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn scan_writes_the_inventory_as_cyclonedx_1_6() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/ai-platform"
        )),
        dir.path(),
    );
    let out = warden()
        .args(["scan", ".", "--only", "k8s", "--format", "cyclonedx"])
        .current_dir(dir.path())
        .assert();
    let doc = json(&out.get_output().stdout);
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    let comps = doc["components"].as_array().unwrap();
    let names: Vec<&str> = comps.iter().filter_map(|c| c["name"].as_str()).collect();
    // The public chat service's workload is in the inventory, with the manifest as its evidence.
    let chat = comps
        .iter()
        .find(|c| {
            c["type"] == "container" && c["name"].as_str().is_some_and(|n| n.contains("chat"))
        })
        .unwrap_or_else(|| panic!("no chat workload among {names:?}"));
    assert_eq!(
        chat["evidence"]["occurrences"][0]["location"],
        "deploy/k8s/chat.yaml"
    );
}
