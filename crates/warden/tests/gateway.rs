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
