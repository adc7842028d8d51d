//! `warden lsp` with a real editor: Neovim (Debian's `neovim` package, installed by scripts/shells.sh when
//! missing), headless and without user configuration, runs tests/lsp/neovim.lua — it opens a Python file
//! holding a credential, reads the diagnostics, hovers, lists the code actions, applies the
//! environment-lookup fix and waits for the diagnostic to go. The script writes what it saw as JSON.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

fn install_neovim() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/shells.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{} failed, so Neovim is missing: {}{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn neovim_shows_the_findings_and_applies_the_fix() {
    install_neovim();
    let dir = TempDir::new().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let file = root.join("app.py");
    write(
        &root,
        "app.py",
        format!(
            "import requests\n\nSLACK_TOKEN = \"{}\"\n",
            slack_bot_token()
        ),
    );
    let out = root.join("seen.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/neovim.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("WARDEN", env!("CARGO_BIN_EXE_warden"))
        .env(
            "WARDEN_HASH_KEY",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        )
        .env("ROOT", &root)
        .env("FILE", &file)
        .env("OUT", &out)
        .env("XDG_CONFIG_HOME", root.join(".config"))
        .env("XDG_DATA_HOME", root.join(".data"))
        .env("XDG_STATE_HOME", root.join(".state"))
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("Neovim did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let seen: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the script wrote what it saw"))
            .unwrap();
    println!("{}", serde_json::to_string_pretty(&seen).unwrap());
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");

    let opened = seen["opened"].as_array().unwrap();
    assert_eq!(opened.len(), 1, "{seen}");
    assert_eq!(opened[0]["code"], "secrets/slack-bot-token");
    assert_eq!(opened[0]["source"], "warden");
    assert_eq!(opened[0]["line"], 2);
    assert_eq!(opened[0]["col"], 15);
    assert_eq!(opened[0]["severity"], 1); // ERROR
    assert!(!opened[0]["message"]
        .as_str()
        .unwrap()
        .contains(&slack_bot_token()));

    assert!(seen["hover"]
        .as_str()
        .unwrap()
        .contains("secrets/slack-bot-token"));
    assert_eq!(
        seen["actions"],
        serde_json::json!([
            "warden: ignore secrets/slack-bot-token on this line",
            "warden: read the credential from $SLACK_TOKEN",
            "warden: explain secrets/slack-bot-token",
        ])
    );
    assert_eq!(
        seen["text"],
        serde_json::json!([
            "import os",
            "import requests",
            "",
            "SLACK_TOKEN = os.environ[\"SLACK_TOKEN\"]",
        ])
    );
    assert_eq!(seen["cleared"], true, "{seen}");
}
