//! `warden scan --image`: container images without a daemon. The tests build the images themselves: a
//! `docker save` tarball and an OCI image layout, with a key deleted by a later layer, a gzipped layer and
//! secrets baked into the config (Env) and build history (ARG).

mod common;

use common::{github_pat, json, slack_bot_token, warden, write};
use warden_archive::tar::testkit::build as tar_of;

fn aws_secret_line() -> String {
    format!("SLACK_TOKEN={}\n", slack_bot_token())
}

fn layers() -> (Vec<u8>, Vec<u8>) {
    let env = format!("GITHUB_TOKEN={}\n", github_pat());
    let l1 = tar_of(&[
        ("app/.env", env.as_bytes()),
        ("app/main.py", b"print('hi')\n"),
    ]);
    // Layer 2 deletes the .env (a whiteout) and adds a config, gzipped.
    let l2_tar = tar_of(&[
        ("app/.wh..env", b""),
        ("etc/app.conf", aws_secret_line().as_bytes()),
    ]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &l2_tar).unwrap();
    (l1, gz.finish().unwrap())
}

fn config() -> Vec<u8> {
    format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Env":["PATH=/usr/bin","NPM_TOKEN=npm_{}"],"Cmd":["python","main.py"]}},"history":[{{"created_by":"ARG DEPLOY_KEY=ghp_{}"}},{{"created_by":"COPY app /app"}}]}}"#,
        "Qv8rT2mX9kLp4ZwB3nYcTq7vR2mX9kLp4ZwB",
        "Zq8vR2mT7xLp4KwB9nYcQv8rT2mX9kLp4Zw0"
    )
    .into_bytes()
}

fn check(doc: &serde_json::Value) {
    assert_eq!(doc["scan"]["mode"], "image");
    let findings = doc["findings"].as_array().unwrap();
    let env = findings
        .iter()
        .find(|f| f["location"]["path"] == "layer1!/app/.env")
        .expect("the deleted .env is still reported");
    let tags: Vec<&str> = env["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(tags.contains(&"image:deleted"), "{tags:?}");
    assert!(tags.contains(&"image:layer=1"), "{tags:?}");
    assert!(env["message"]
        .as_str()
        .unwrap()
        .contains("deleted in layer 2"));
    assert!(findings
        .iter()
        .any(|f| f["location"]["path"] == "layer2!/etc/app.conf"));
    let config: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["location"]["path"] == "image-config")
        .collect();
    assert!(config.len() >= 2, "Env and history: {config:#?}");
}

#[test]
fn docker_save_tarball() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (l1, l2) = layers();
    let manifest = br#"[{"Config":"cfg.json","RepoTags":["acme/app:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#;
    let cfg = config();
    let image = tar_of(&[
        ("manifest.json", manifest.as_slice()),
        ("cfg.json", cfg.as_slice()),
        ("aaa/layer.tar", l1.as_slice()),
        ("bbb/layer.tar", l2.as_slice()),
    ]);
    write(root, "app.tar", &image);
    check(&image_scan(root.join("app.tar")));
    // A tarball that is not an image is a clear error.
    write(root, "plain.tar", tar_of(&[("a.txt", b"x")]));
    warden()
        .args(["scan", "--image", "--no-progress"])
        .arg(root.join("plain.tar"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("manifest.json"));
}

#[test]
fn oci_image_layout() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("oci");
    let (l1, l2) = layers();
    let cfg = config();
    let put = |bytes: &[u8]| -> String {
        let hex = sha256_hex(bytes);
        write(&root, &format!("blobs/sha256/{hex}"), bytes);
        format!("sha256:{hex}")
    };
    let (c, a, b) = (put(&cfg), put(&l1), put(&l2));
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"digest":"{c}"}},"layers":[{{"digest":"{a}"}},{{"digest":"{b}"}}]}}"#
    );
    let m = put(manifest.as_bytes());
    write(
        &root,
        "index.json",
        format!(r#"{{"schemaVersion":2,"manifests":[{{"digest":"{m}"}}]}}"#),
    );
    write(&root, "oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
    check(&image_scan(&root));
}

fn sha256_hex(bytes: &[u8]) -> String {
    // A content address only needs to be unique in the test: a stable hash of the bytes will do.
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:016x}{:048x}", h.finish(), bytes.len())
}

/// `warden scan --image TARGET --only secrets` as a JSON report (findings expected: exit code 1).
fn image_scan(target: impl AsRef<std::ffi::OsStr>) -> serde_json::Value {
    let out = warden()
        .args([
            "scan",
            "--image",
            "--only",
            "secrets",
            "--format",
            "json",
            "--no-progress",
        ])
        .arg(target)
        .assert()
        .code(1);
    json(&out.get_output().stdout)
}
