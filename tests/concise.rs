//! `--style concise`: one line per finding (`path:line:col: severity rule-id message`), secrets redacted as in
//! the full style, then the same summary line.

mod common;
use common::*;
use tempfile::TempDir;

fn fixture() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        ".env",
        format!(
            "GITHUB_TOKEN={}\nAWS_ACCESS_KEY_ID={}\n",
            github_pat(),
            aws_key_id()
        ),
    );
    write(
        root,
        "src/app.py",
        format!("import os\n\nSLACK = \"{}\"\n", slack_bot_token()),
    );
    write(root, "README.md", "# app\n");
    dir
}

fn concise(root: &std::path::Path, extra: &[&str]) -> String {
    let out = warden()
        .args(["scan", ".", "--style", "concise"])
        .args(extra)
        .current_dir(root)
        .assert()
        .code(1);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn concise_text_report() {
    let dir = fixture();
    let out = concise(dir.path(), &[]);
    report_settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn concise_is_one_line_per_finding_and_never_prints_a_secret() {
    let dir = fixture();
    let out = concise(dir.path(), &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[..3]
            .iter()
            .all(|l| l.contains(": ") && l.contains(" secrets/")),
        "{out}"
    );
    assert!(lines[3].starts_with("warden: 3 findings"), "{out}");
    for secret in [github_pat(), aws_key_id(), slack_bot_token()] {
        assert!(!out.contains(&secret), "{secret} printed whole:\n{out}");
    }
    // Colour only when asked for.
    assert!(!out.contains('\x1b'));
    assert!(concise(dir.path(), &["--color", "always"]).contains('\x1b'));
}

#[test]
fn model_scan_takes_the_style_too() {
    let dir = TempDir::new().unwrap();
    // A pickle that calls os.system("id") when loaded.
    write(
        dir.path(),
        "model.pkl",
        b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.",
    );
    let out = warden()
        .args(["model", "scan", ".", "--style", "concise"])
        .current_dir(dir.path())
        .assert()
        .code(1);
    let out = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("model.pkl:1:1: critical model/pickle-dangerous-callable "),
        "{out}"
    );
    assert!(lines[1].starts_with("warden: 1 finding"), "{out}");
}
