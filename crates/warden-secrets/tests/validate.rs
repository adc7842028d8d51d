//! Live validation against local HTTP servers started here (no test reaches the network): a rule built in the
//! test points at the server, which answers 200 for the one live token and 401 for any other.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use warden_core::Config;
use warden_secrets::rules::RuleDef;
use warden_secrets::SecretsAnalyzer;

/// A server that answers `live_token` with 200, anything else with 401; counts requests.
fn server(live_token: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/check", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            c.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut live = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if line.to_ascii_lowercase().starts_with("authorization:")
                    && line.contains(live_token)
                {
                    live = true;
                }
            }
            let status = if live { "200 OK" } else { "401 Unauthorized" };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, count)
}

fn rule(url: &str) -> RuleDef {
    let toml = format!(
        r#"
id = "acme-token"
title = "Acme token"
provider = "Acme"
severity = "high"
confidence = "high"
lifetime = "long-lived"
keywords = ["acme_"]
pattern = '''\b(acme_[A-Za-z0-9]{{24}})\b'''
description = "An Acme API token."
references = ["https://acme.test/docs/auth"]
examples = ['''ACME=acme_Qv8rT2mX9kLp4ZwB3nYcTq7v''']
negative_examples = ['''ACME=acme_short''']
[verify]
url = "{url}"
headers = [["Authorization", "Bearer {{secret}}"]]
live = [200]
dead = [401, 403]
doc = "https://acme.test/docs/auth#verify"
"#
    );
    toml::from_str(&toml).unwrap()
}

#[test]
fn live_dead_and_one_request_per_secret() {
    let live = "acme_Qv8rT2mX9kLp4ZwB3nYcTq7v";
    let dead = "acme_Zq8vR2mT7xLp4KwB9nYcQv8r";
    let (url, count) = server("acme_Qv8rT2mX9kLp4ZwB3nYcTq7v");
    let a = SecretsAnalyzer::from_defs(vec![rule(&url)])
        .unwrap()
        .with_validation();
    let text = format!("A={live}\nB={dead}\nC={live}\n");
    let meta = warden_core::FileMeta {
        path: "x.env",
        size: text.len() as u64,
        head: text.as_bytes(),
        binary: false,
    };
    let file = warden_core::SourceFile::in_memory(meta, text.as_bytes());
    let mut out = warden_core::FileOutput::default();
    warden_core::Analyzer::analyze(&a, &file, &mut out);
    let tags: Vec<Vec<String>> = out.findings.iter().map(|f| f.tags.clone()).collect();
    assert_eq!(out.findings.len(), 3, "{:#?}", out.findings);
    assert!(tags[0].contains(&"validation:live".to_string()), "{tags:?}");
    assert!(tags[1].contains(&"validation:dead".to_string()), "{tags:?}");
    assert!(tags[2].contains(&"validation:live".to_string()), "{tags:?}");
    assert_eq!(
        out.findings[0].ext["secrets"]["validation"]["status"],
        "live"
    );
    // The same secret twice: one request.
    assert_eq!(count.load(Ordering::SeqCst), 2);
    for f in &out.findings {
        assert!(
            !f.message.contains(live) && !f.message.contains(dead),
            "{}",
            f.message
        );
    }

    // Without --validate nothing is sent.
    let quiet = SecretsAnalyzer::from_defs(vec![rule(&url)]).unwrap();
    let mut out = warden_core::FileOutput::default();
    warden_core::Analyzer::analyze(&quiet, &file, &mut out);
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert!(out
        .findings
        .iter()
        .all(|f| !f.tags.iter().any(|t| t.starts_with("validation:"))));
}

#[test]
fn a_server_that_cannot_be_reached_is_unknown_and_http_elsewhere_is_refused() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let a = SecretsAnalyzer::from_defs(vec![rule(&format!("http://127.0.0.1:{port}/x"))])
        .unwrap()
        .with_validation();
    let text = "A=acme_Qv8rT2mX9kLp4ZwB3nYcTq7v\n";
    let meta = warden_core::FileMeta {
        path: "x.env",
        size: text.len() as u64,
        head: text.as_bytes(),
        binary: false,
    };
    let file = warden_core::SourceFile::in_memory(meta, text.as_bytes());
    let mut out = warden_core::FileOutput::default();
    warden_core::Analyzer::analyze(&a, &file, &mut out);
    assert!(out.findings[0]
        .tags
        .contains(&"validation:unknown".to_string()));

    // A rule that would send a secret over plain http to a remote host does not load.
    let refused = SecretsAnalyzer::from_defs(vec![rule("http://acme.test/check")]);
    let err = refused.err().expect("refused").to_string();
    assert!(err.contains("https"), "{err}");
    let _ = Config::default();
}
