//! Credentials in files that are not UTF-8 text: UTF-16 text is decoded and reported on its lines; other
//! binaries are scanned by their printable runs and reported at byte offsets; images and compressed files are
//! left alone.

mod common;

use common::{github_pat, scan_json, slack_bot_token, warden, write};

fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xff, 0xfe] } else { Vec::new() };
    out.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

fn findings_in<'a>(doc: &'a serde_json::Value, path: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"] == path)
        .collect()
}

#[test]
fn utf16_text_is_decoded_and_reported_on_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A PowerShell profile saved by Windows PowerShell (UTF-16LE with a BOM), and a registry export without one.
    write(
        root,
        "profile.ps1",
        utf16le(
            &format!("# profile\r\n$env:GITHUB_TOKEN = \"{}\"\r\n", github_pat()),
            true,
        ),
    );
    write(
        root,
        "settings.reg",
        utf16le(
            &format!(
                "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme]\r\n\"SlackToken\"=\"{}\"\r\n",
                slack_bot_token()
            ),
            false,
        ),
    );
    let doc = scan_json(root, &["--only", "secrets"], 1);
    let ps = findings_in(&doc, "profile.ps1");
    assert_eq!(ps.len(), 1, "{doc:#}");
    assert_eq!(ps[0]["rule_id"], "secrets/github-classic-pat");
    assert_eq!(ps[0]["location"]["start_line"], 2);
    assert!(ps[0]["location"].get("byte_offset").is_none());
    assert!(ps[0]["message"].as_str().unwrap().contains("UTF-16LE"));
    let reg = findings_in(&doc, "settings.reg");
    assert_eq!(reg.len(), 1, "{doc:#}");
    assert_eq!(reg[0]["location"]["start_line"], 4);
}

#[test]
fn binaries_by_their_printable_runs_at_byte_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A compiled program's data and a .pyc-like file: the token sits among binary bytes. (SQLite files are read
    // by their records: `sqlite_values_are_read_from_their_records`.)
    let mut db =
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00".to_vec();
    db.resize(4096, 0);
    let at = db.len();
    db.extend_from_slice(format!("\x07\x15token={}", github_pat()).as_bytes());
    db.extend_from_slice(&[0, 0, 3, 0xff]);
    write(root, "bin/app", &db);
    // In a .pyc a short string is `z`, its length, its bytes, and the next object's type byte: all printable
    // here, so only reading the length cuts the token out.
    let token = slack_bot_token();
    let mut pyc = vec![0x6f, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];
    pyc.extend_from_slice(&[0xe3, 0, 0, 0, b')', b'z', token.len() as u8]);
    pyc.extend_from_slice(token.as_bytes());
    pyc.extend_from_slice(b"N)\xda");
    write(root, "dist/settings.pyc", &pyc);
    // The same bytes as a bytecode cache beside its source: the source is what is scanned. A cache whose
    // source is gone is scanned.
    write(
        root,
        "app/settings.py",
        "import os\nTOKEN = os.environ['TOKEN']\n",
    );
    write(root, "app/__pycache__/settings.cpython-311.pyc", &pyc);
    write(root, "app/__pycache__/orphan.cpython-311.pyc", &pyc);
    // An image with the same bytes is left alone.
    write(
        root,
        "logo.png",
        [
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".as_slice(),
            github_pat().as_bytes(),
        ]
        .concat(),
    );

    let doc = scan_json(root, &["--only", "secrets"], 1);
    let db_f = findings_in(&doc, "bin/app");
    assert_eq!(db_f.len(), 1, "{doc:#}");
    // "token=" starts 2 bytes into the run; the token itself 6 bytes later.
    assert_eq!(db_f[0]["location"]["byte_offset"], at + 2 + 6);
    assert_eq!(db_f[0]["location"]["start_line"], 1);
    assert!(findings_in(&doc, "app/__pycache__/settings.cpython-311.pyc").is_empty());
    assert_eq!(
        findings_in(&doc, "app/__pycache__/orphan.cpython-311.pyc").len(),
        1
    );
    let pyc_f = findings_in(&doc, "dist/settings.pyc");
    assert_eq!(pyc_f.len(), 1, "{doc:#}");
    assert_eq!(pyc_f[0]["location"]["byte_offset"], 15);
    assert!(findings_in(&doc, "logo.png").is_empty());

    // SARIF carries the offset as region.byteOffset; the text report shows @OFFSET.
    let out = warden()
        .args(["scan", ".", "--only", "secrets", "--format", "sarif"])
        .current_dir(root)
        .assert()
        .code(1);
    let sarif: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bin/app")
        .unwrap();
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["byteOffset"],
        at + 8
    );
    let out = warden()
        .args(["scan", ".", "--only", "secrets", "--no-progress"])
        .current_dir(root)
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(text.contains(&format!("@{}", at + 8)), "{text}");

    // `[secrets] binary = false` turns it off.
    write(root, "warden.toml", "[secrets]\nbinary = false\n");
    let doc = scan_json(root, &["--only", "secrets"], 0);
    assert!(doc["findings"].as_array().unwrap().is_empty(), "{doc:#}");
}

#[test]
fn archives_and_packages_name_the_member() {
    use warden_archive::tar::testkit::build as tar_of;
    use warden_archive::zip::testkit::{build as zip_of, spec, Spec};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A wheel with a settings module, deflated.
    let settings = format!("GITHUB_TOKEN = \"{}\"\n", github_pat());
    let whl = zip_of(
        &[
            spec("app/__init__.py", b""),
            Spec {
                deflate: true,
                ..spec("app/settings.py", settings.as_bytes())
            },
        ],
        b"",
        b"",
    );
    write(root, "dist/app-1.0-py3-none-any.whl", &whl);
    // A release tarball, gzipped, with a .env and a jar whose class file holds a token in its constant pool.
    let token = slack_bot_token();
    let mut class = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 2];
    class.extend_from_slice(&[1, 0, token.len() as u8]);
    class.extend_from_slice(token.as_bytes());
    class.extend_from_slice(&[0x00, 0x21, 0, 1]);
    let jar = zip_of(&[spec("com/acme/Config.class", &class)], b"", b"");
    let env = format!("SLACK_TOKEN={}\n", slack_bot_token());
    let tar = tar_of(&[
        ("./release/.env", env.as_bytes()),
        ("./release/lib/acme.jar", &jar),
    ]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    write(root, "release.tar.gz", gz.finish().unwrap());
    // A zip bomb: a note, not an outage.
    let zeros = vec![0u8; 16 << 20];
    let bomb = zip_of(
        &[Spec {
            deflate: true,
            ..spec("zeros.bin", &zeros)
        }],
        b"",
        b"",
    );
    write(root, "bomb.zip", &bomb);

    let doc = scan_json(root, &["--only", "secrets"], 1);
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"dist/app-1.0-py3-none-any.whl!/app/settings.py"),
        "{paths:?}"
    );
    assert!(paths.contains(&"release.tar.gz!/release/.env"), "{paths:?}");
    assert!(
        paths.contains(&"release.tar.gz!/release/lib/acme.jar!/com/acme/Config.class"),
        "{paths:?}"
    );
    let settings_f = findings_in(&doc, "dist/app-1.0-py3-none-any.whl!/app/settings.py");
    assert_eq!(settings_f[0]["location"]["start_line"], 1);
    let notes = doc["diagnostics"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|d| d["path"] == "bomb.zip" && d["message"].as_str().unwrap().contains("zip bomb")),
        "{notes:?}"
    );

    // `[secrets] archives = false` leaves them closed.
    write(root, "warden.toml", "[secrets]\narchives = false\n");
    let doc = scan_json(root, &["--only", "secrets"], 0);
    assert!(doc["findings"].as_array().unwrap().is_empty(), "{doc:#}");
}

#[test]
fn sqlite_values_are_read_from_their_records() {
    // A database written by SQLite itself (tests/data/tokens.db, page size 1024): a token stored between two
    // other columns, whose bytes sit back to back with theirs (`githubghp_…repo,workflow`), and a value longer
    // than a page whose start is on its leaf page.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let db = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tokens.db")).unwrap();
    write(root, "var/app.db", &db);
    let doc = scan_json(root, &["--only", "secrets"], 1);
    let found = findings_in(&doc, "var/app.db");
    let mut ids: Vec<&str> = found
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["secrets/github-classic-pat", "secrets/slack-bot-token"],
        "{doc:#}"
    );
    let gh = found
        .iter()
        .find(|f| f["rule_id"] == "secrets/github-classic-pat")
        .unwrap();
    let at = gh["location"]["byte_offset"].as_u64().unwrap() as usize;
    assert_eq!(&db[at..at + github_pat().len()], github_pat().as_bytes());
    let sl = found
        .iter()
        .find(|f| f["rule_id"] == "secrets/slack-bot-token")
        .unwrap();
    let at = sl["location"]["byte_offset"].as_u64().unwrap() as usize;
    assert_eq!(
        &db[at..at + slack_bot_token().len()],
        slack_bot_token().as_bytes()
    );
}
