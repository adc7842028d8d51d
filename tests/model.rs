//! `warden model scan`: only the model analyzer, over a file or a directory; exit 1 when it finds something.
//! Samples are built here from opcode bytes; nothing is ever unpickled.

mod common;

use common::{git, init_repo, json, warden, write};

/// A protocol-2 pickle that would call `module.name("id")`.
fn reduce_pickle(module: &str, name: &str) -> Vec<u8> {
    let mut p = vec![0x80, 2];
    p.extend_from_slice(format!("c{module}\n{name}\n").as_bytes());
    p.extend_from_slice(b"X\x02\x00\x00\x00id\x85R.");
    p
}

/// A one-member stored zip whose member has the "encrypted" flag bit set.
fn zip_with_encrypted_member(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let flags = 1u16;
    out.extend_from_slice(b"PK\x03\x04");
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&[0; 10]); // method, time, date, crc
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let cd_offset = out.len() as u32;
    let mut cd = b"PK\x01\x02".to_vec();
    cd.extend_from_slice(&20u16.to_le_bytes());
    cd.extend_from_slice(&20u16.to_le_bytes());
    cd.extend_from_slice(&flags.to_le_bytes());
    cd.extend_from_slice(&[0; 10]);
    cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
    cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
    cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
    cd.extend_from_slice(&[0; 12]);
    cd.extend_from_slice(&0u32.to_le_bytes());
    cd.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&cd);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
    out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn model_scan_reports_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "models/model.pt",
        zip_with_encrypted_member("archive/data.pkl", &reduce_pickle("os", "system")),
    );
    write(
        root,
        "models/weights.safetensors",
        reduce_pickle("builtins", "exec"),
    );
    // A secret in a text file: `model scan` runs the model analyzer only.
    write(
        root,
        "notes.txt",
        format!("token = {}\n", common::github_pat()),
    );
    let out = warden()
        .args(["model", "scan", "--no-progress", "-f", "json"])
        .arg(root)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let findings = report["findings"].as_array().expect("findings");
    let ids: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("model/")), "{ids:?}");
    for want in [
        "model/pickle-dangerous-callable",
        "model/zip-encrypted-flag",
        "model/extension-mismatch",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    let system = findings
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("os.system"))
        })
        .expect("os.system reported");
    assert_eq!(system["ext"]["model"]["member"], "archive/data.pkl");
    assert_eq!(system["ext"]["model"]["offset"], 2);
    assert_eq!(system["location"]["start_line"], 1);

    // Text output names the callable; a clean directory exits 0.
    warden()
        .args(["model", "scan", "--no-progress"])
        .arg(root.join("models/weights.safetensors"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains("builtins.exec"));
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "readme.md", "no models here\n");
    warden()
        .args(["model", "scan", "--no-progress"])
        .arg(clean.path())
        .assert()
        .code(0);
}

// ---------------------------------------------------------------------------------------------------------
// `warden model sign` / `warden model verify` (OpenSSF model signing, vectors made by model-signing 1.1.1)

fn vectors() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/warden-models/tests/data/model-signing")
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// A temp copy of the vectors' `model/`, still named `model`.
fn model_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("model");
    copy_dir(&vectors().join("model"), &model);
    (tmp, model)
}

const SIG_VECTORS: [(&str, &str); 2] = [
    ("model.p256.sig", "p256.pub"),
    ("model.p384.sig", "p384.pub"),
];

#[test]
fn model_verify_vectors() {
    let data = vectors();
    for (sig, key) in SIG_VECTORS {
        warden()
            .args(["model", "verify"])
            .arg(data.join("model"))
            .arg("--key")
            .arg(data.join(key))
            .arg("--signature")
            .arg(data.join(sig))
            .assert()
            .code(0)
            .stderr(predicates::str::contains("signature verified (6 files"));
    }
    // Each key verifies only its own signature.
    warden()
        .args(["model", "verify"])
        .arg(data.join("model"))
        .arg("--key")
        .arg(data.join("p384.pub"))
        .arg("--signature")
        .arg(data.join("model.p256.sig"))
        .assert()
        .code(1);
}

#[test]
fn model_verify_tampered_copy_names_each_file() {
    let data = vectors();
    for (sig, key) in SIG_VECTORS {
        let (_tmp, model) = model_copy();
        // README.md is signed by both vectors (the p384 one was made with `--ignore-paths README.md`, which
        // the tool resolves against its working directory, outside `model/`).
        std::fs::write(model.join("README.md"), b"edited").unwrap();
        std::fs::write(model.join("new.bin"), b"x").unwrap();
        std::fs::remove_file(model.join("a-b.txt")).unwrap();
        let out = warden()
            .args(["model", "verify"])
            .arg(&model)
            .arg("--key")
            .arg(data.join(key))
            .arg("--signature")
            .arg(data.join(sig))
            .assert()
            .code(1)
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("changed: README.md"), "{sig}: {err}");
        assert!(err.contains("new.bin"), "{sig}: {err}");
        assert!(err.contains("a-b.txt"), "{sig}: {err}");
        assert!(!err.contains("weights.bin"), "{sig}: {err}");
    }
}

#[test]
fn model_verify_usage_and_io_errors_exit_2() {
    let data = vectors();
    let (_tmp, model) = model_copy();
    // No signature at the default DIR/model.sig.
    warden()
        .args(["model", "verify"])
        .arg(&model)
        .arg("--key")
        .arg(data.join("p256.pub"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("model.sig"));
    // A key file that is not a key; a missing key; a missing directory; no --key at all.
    warden()
        .args(["model", "verify"])
        .arg(&model)
        .arg("--key")
        .arg(data.join("README.md"))
        .arg("--signature")
        .arg(data.join("model.p256.sig"))
        .assert()
        .code(2);
    warden()
        .args(["model", "verify"])
        .arg(&model)
        .arg("--key")
        .arg(data.join("absent.pub"))
        .assert()
        .code(2);
    warden()
        .args(["model", "verify"])
        .arg(model.join("absent"))
        .arg("--key")
        .arg(data.join("p256.pub"))
        .assert()
        .code(2);
    warden()
        .args(["model", "verify"])
        .arg(&model)
        .assert()
        .code(2);
    warden()
        .args(["model", "sign"])
        .arg(&model)
        .arg("--key")
        .arg(data.join("p256.pub"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("private key"));
}

fn p256_keys() -> (String, String) {
    use p256::elliptic_curve::Generate;
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let sk = p256::ecdsa::SigningKey::generate();
    (
        sk.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        sk.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
}

/// `warden model verify MODEL --key PUB`.
fn verify_with(model: &std::path::Path, public_key: &std::path::Path) -> assert_cmd::Command {
    let mut c = warden();
    c.args(["model", "verify"])
        .arg(model)
        .arg("--key")
        .arg(public_key);
    c
}

#[test]
fn model_sign_then_verify_roundtrip() {
    let (private, public) = p256_keys();
    let (tmp, model) = model_copy();
    std::fs::create_dir_all(model.join("logs")).unwrap();
    std::fs::write(model.join("logs/run.txt"), b"1").unwrap();
    let key = tmp.path().join("key.pem");
    let pubkey = tmp.path().join("pub.pem");
    std::fs::write(&key, private).unwrap();
    std::fs::write(&pubkey, public).unwrap();

    // Default signature path DIR/model.sig; ignore paths relative to the working directory.
    warden()
        .current_dir(tmp.path())
        .args([
            "model",
            "sign",
            "model",
            "--key",
            "key.pem",
            "--ignore-paths",
            "model/logs",
        ])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("signed 6 files"));
    assert!(model.join("model.sig").is_file());
    verify_with(&model, &pubkey).assert().code(0);
    // Ignored paths may change; signed files may not.
    std::fs::write(model.join("logs/run2.txt"), b"2").unwrap();
    verify_with(&model, &pubkey).assert().code(0);
    std::fs::write(model.join("weights.bin"), b"swapped").unwrap();
    verify_with(&model, &pubkey)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("changed: weights.bin"));

    // An explicit --signature outside the model, and a verify with another key fails with 1.
    let sig = tmp.path().join("elsewhere.sig");
    warden()
        .args(["model", "sign"])
        .arg(&model)
        .arg("--key")
        .arg(&key)
        .arg("--signature")
        .arg(&sig)
        .assert()
        .code(0);
    warden()
        .args(["model", "verify"])
        .arg(&model)
        .arg("--key")
        .arg(&pubkey)
        .arg("--signature")
        .arg(&sig)
        .assert()
        .code(0);
    warden()
        .args(["model", "verify"])
        .arg(&model)
        .arg("--key")
        .arg(vectors().join("p256.pub"))
        .arg("--signature")
        .arg(&sig)
        .assert()
        .code(1);
}

/// A valid one-tensor safetensors file.
fn safetensors() -> Vec<u8> {
    let header = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut st = (header.len() as u64).to_le_bytes().to_vec();
    st.extend_from_slice(header);
    st.extend_from_slice(&[0u8; 8]);
    st
}

#[test]
fn scan_requires_signed_model_directories_when_configured() {
    let (private, public) = p256_keys();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "keys/models.pub.pem", public.as_bytes());
    let key = root.join("signing-key.pem");
    std::fs::write(&key, private).unwrap();
    write(
        root,
        "warden.toml",
        b"[model]\nrequire_signatures = true\npublic_key = \"keys/models.pub.pem\"\n",
    );
    write(root, "models/bert/model.safetensors", safetensors());
    write(root, "models/bert/onnx/config.json", b"{}");
    write(root, "models/bert/onnx/model.safetensors", safetensors());
    write(root, "models/gpt/weights.safetensors", safetensors());
    warden()
        .args(["model", "sign"])
        .arg(root.join("models/bert"))
        .arg("--key")
        .arg(&key)
        .assert()
        .code(0);
    std::fs::remove_file(&key).unwrap();

    let scan = |expect: i32| -> serde_json::Value {
        let out = warden()
            .args(["scan", "--format", "json", "--no-progress"])
            .arg(root)
            .assert()
            .code(expect)
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    let rules = |report: &serde_json::Value| -> Vec<(String, String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["location"]["path"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // The signed directory (with a model in a subdirectory) verifies; the other has no signature.
    let found = rules(&scan(1));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "model/unsigned-model");
    assert_eq!(found[0].1, "models/gpt/weights.safetensors");
    assert!(found[0].2.contains("models/gpt"), "{}", found[0].2);

    // A changed file breaks the signature, and the finding names it.
    write(root, "models/bert/onnx/model.safetensors", &{
        let mut st = safetensors();
        *st.last_mut().unwrap() = 1;
        st
    });
    let found = rules(&scan(1));
    let invalid = found
        .iter()
        .find(|f| f.0 == "model/signature-invalid")
        .expect("tampered model reported");
    assert_eq!(invalid.1, "models/bert/model.sig");
    assert!(
        invalid.2.contains("onnx/model.safetensors"),
        "{}",
        invalid.2
    );

    // Without the requirement, nothing about signatures is reported.
    write(
        root,
        "warden.toml",
        b"[model]\nrequire_signatures = false\n",
    );
    assert!(rules(&scan(0)).is_empty());

    // A key that cannot be read stops the run with the file named.
    write(
        root,
        "warden.toml",
        b"[model]\nrequire_signatures = true\npublic_key = \"keys/missing.pem\"\n",
    );
    warden()
        .args(["scan", "--no-progress"])
        .arg(root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("warden.toml"))
        .stderr(predicates::str::contains("keys/missing.pem"));
}

#[test]
fn model_files_in_the_index_and_in_history() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    init_repo(root);
    write(root, "README.md", "models\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "initial"]);
    // A payload committed, then replaced by a clean file: only history has it.
    write(
        root,
        "models/weights.bin",
        reduce_pickle("subprocess", "check_output"),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "add weights"]);
    write(root, "models/weights.bin", safetensors());
    git(root, &["commit", "-qam", "weights as safetensors"]);
    warden()
        .args(["scan", ".", "--only", "model", "--no-progress"])
        .current_dir(root)
        .assert()
        .code(0);
    let out = warden()
        .args([
            "scan",
            "--history",
            "--only",
            "model",
            "--format",
            "json",
            "--no-progress",
        ])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "model/pickle-dangerous-callable")
        .expect("the payload in history");
    assert_eq!(f["location"]["path"], "models/weights.bin");
    assert_eq!(f["location"]["provenance"]["summary"], "add weights");
    assert_eq!(f["location"]["provenance"]["in_head"], false);
    assert_eq!(f["ext"]["model"]["subject"], "subprocess.check_output");

    // Staged: the index is read, not the working tree.
    write(root, "models/extra.pkl", reduce_pickle("builtins", "exec"));
    git(root, &["add", "models/extra.pkl"]);
    write(root, "models/extra.pkl", safetensors());
    let out = warden()
        .args([
            "scan",
            "--staged",
            "--only",
            "model",
            "--format",
            "json",
            "--no-progress",
        ])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["location"]["path"] == "models/extra.pkl"
                && f["ext"]["model"]["subject"] == "builtins.exec"),
        "{doc:#}"
    );
}
