//! `warden gateway` from the CLI: flags alone start it on a loopback port; a missing upstream is a usage error.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn the_gateway_starts_from_flags_alone_and_answers_health_checks() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args([
            "gateway",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(line.contains("local clients only"), "{line}");
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
}

#[test]
fn without_an_upstream_the_gateway_says_what_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    warden()
        .args(["gateway", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no upstream: pass --upstream URL",
        ));
}

#[test]
fn client_keys_are_created_once_listed_without_the_key_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let out = warden()
        .args([
            "gateway",
            "keys",
            "create",
            "--name",
            "billing-app",
            "--model",
            "gpt-4o-mini",
            "--expires",
            "2031-01-31",
            "--rpm",
            "30",
        ])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(0);
    let key = String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .trim()
        .to_string();
    assert!(key.starts_with("wgk_"), "{key}");
    let list = warden()
        .args(["gateway", "keys", "list", "--json"])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(0);
    let doc = json(&list.get_output().stdout);
    assert_eq!(doc[0]["name"], "billing-app");
    assert_eq!(doc[0]["models"][0], "gpt-4o-mini");
    assert!(
        !doc.to_string().contains(&key[4..]),
        "the key is never listed"
    );
    let text = warden()
        .args(["gateway", "keys", "list"])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(0);
    let text = String::from_utf8(text.get_output().stdout.clone()).unwrap();
    assert!(text.contains("expires: 2031-01-31"), "{text}");
    let id = doc[0]["id"].as_str().unwrap().to_string();
    warden()
        .args(["gateway", "keys", "revoke", &id])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(0);
    warden()
        .args(["gateway", "keys", "revoke", "k_missing"])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no key k_missing"));
    warden()
        .args([
            "gateway",
            "keys",
            "create",
            "--name",
            "x",
            "--expires",
            "tomorrow",
        ])
        .current_dir(dir.path())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a date"));
}

#[test]
fn probing_an_endpoint_that_does_not_answer_is_exit_2() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = l.local_addr().unwrap();
    drop(l);
    warden()
        .args(["probe", &format!("http://{dead}"), "--timeout", "2"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no probe could be judged"));
    warden()
        .args(["probe", "ftp://x"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an http(s) URL"));
}

/// An endpoint that answers every request with the same words: it obeys the direct injection and resists the
/// rest. One thread, one connection at a time, `Connection: close`.
fn parrot(answer: &'static str) -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = r.read_exact(&mut body);
            let reply = serde_json::json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}]}).to_string();
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    addr
}

#[test]
fn probe_reports_in_sarif_match_the_official_schema() {
    let addr = parrot("PWNED");
    let out = warden()
        .args([
            "probe",
            &format!("http://{addr}"),
            "--format",
            "sarif",
            "--model",
            "m",
        ])
        .write_stdin("")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let errors = schema_errors(include_str!("data/sarif-schema-2.1.0.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 10);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r["kind"] == "fail")
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["probe/direct-injection"]);
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == format!("http://{addr}").as_str()
    ));
}
