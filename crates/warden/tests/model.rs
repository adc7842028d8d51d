//! `warden model scan`: only the model analyzer, over a file or a directory; exit 1 when it finds something.
//! Samples are built here from opcode bytes; nothing is ever unpickled.

mod common;

use common::{warden, write};

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
