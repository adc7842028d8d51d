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
    let verify = format!(
        r#"url = "{url}"
headers = [["Authorization", "Bearer {{secret}}"]]
live = [200]
dead = [401, 403]"#
    );
    rules_with(&verify).remove(0)
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

/// A server whose answer (status line, body) a closure picks from the request's head and body.
fn answering(respond: fn(&str) -> (&'static str, &'static str)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                request.push_str(&line);
            }
            let mut body = vec![0u8; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            request.push_str(&String::from_utf8_lossy(&body));
            let (status, body) = respond(&request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

/// A rule for `acme_` tokens, with an identifier rule `AKID…` paired to it, checked as `verify` says.
fn rules_with(verify: &str) -> Vec<RuleDef> {
    let secret = format!(
        r#"
id = "acme-secret"
title = "Acme secret"
provider = "Acme"
severity = "high"
confidence = "high"
lifetime = "long-lived"
keywords = ["acme_"]
pattern = '''\b(acme_[A-Za-z0-9]{{24}})\b'''
description = "An Acme API secret."
references = ["https://acme.test/docs/auth"]
examples = ['''ACME=acme_Qv8rT2mX9kLp4ZwB3nYcTq7v''']
negative_examples = ['''ACME=acme_short''']
[verify]
{verify}
doc = "https://acme.test/docs/auth#verify"
"#
    );
    let id = r#"
id = "acme-key-id"
title = "Acme key id"
provider = "Acme"
severity = "low"
confidence = "high"
keywords = ["AKID"]
identifier = true
pairs_with = ["acme-secret"]
pattern = '''\b(AKID[A-Z0-9]{12})\b'''
description = "An Acme key id, the public half of a key."
references = ["https://acme.test/docs/auth"]
examples = ['''ID=AKIDQ7RMW5VXN2TP''']
negative_examples = ['''ID=AKID''']
"#;
    vec![
        toml::from_str(&secret).unwrap(),
        toml::from_str(id).unwrap(),
    ]
}

fn validated(rules: Vec<RuleDef>, text: &str) -> Vec<warden_core::Finding> {
    let a = SecretsAnalyzer::from_defs(rules).unwrap().with_validation();
    let meta = warden_core::FileMeta {
        path: "x.env",
        size: text.len() as u64,
        head: text.as_bytes(),
        binary: false,
    };
    let file = warden_core::SourceFile::in_memory(meta, text.as_bytes());
    let mut out = warden_core::FileOutput::default();
    warden_core::Analyzer::analyze(&a, &file, &mut out);
    out.findings
}

fn status(f: &warden_core::Finding) -> String {
    f.ext["secrets"]["validation"]["status"]
        .as_str()
        .unwrap_or("none")
        .to_string()
}

const LIVE: &str = "acme_Qv8rT2mX9kLp4ZwB3nYcTq7v";
const DEAD: &str = "acme_Zq8vR2mT7xLp4KwB9nYcQv8r";

#[test]
fn a_provider_that_answers_200_either_way_is_read_by_its_body() {
    let base = answering(|req| {
        if req.contains(LIVE) {
            ("200 OK", r#"{"ok":true,"team":"acme"}"#)
        } else if req.contains(DEAD) {
            ("200 OK", r#"{"ok":false,"error":"invalid_auth"}"#)
        } else {
            ("200 OK", r#"{"ok":false,"error":"ratelimited"}"#)
        }
    });
    let verify = format!(
        r#"method = "POST"
url = "{base}/api/auth.test"
headers = [["Authorization", "Bearer {{secret}}"]]
live = [200]
dead = []
body_live = ['"ok":true']
body_dead = ["invalid_auth"]"#
    );
    let other = "acme_Mn3bV6cX9zLk2JhG5fDs8aQw";
    let found = validated(
        rules_with(&verify),
        &format!("A={LIVE}\nB={DEAD}\nC={other}\n"),
    );
    let got: Vec<String> = found.iter().map(status).collect();
    assert_eq!(got, ["live", "dead", "unknown"]);
}

#[test]
fn basic_credentials_take_the_key_id_found_beside_the_secret() {
    // Live only for the right id and secret together, as HTTP Basic.
    let base = answering(|req| {
        use base64::Engine as _;
        let good =
            base64::engine::general_purpose::STANDARD.encode(format!("AKIDQ7RMW5VXN2TP:{LIVE}"));
        if req.contains(&format!("Basic {good}")) {
            ("200 OK", "")
        } else {
            ("401 Unauthorized", "")
        }
    });
    let verify = format!(
        r#"url = "{base}/Accounts.json"
basic = ["{{id}}", "{{secret}}"]
live = [200]
dead = [401]"#
    );
    let paired = validated(
        rules_with(&verify),
        &format!("ACME_ID=AKIDQ7RMW5VXN2TP\nACME_SECRET={LIVE}\n"),
    );
    assert_eq!(paired.len(), 1, "{paired:#?}");
    assert_eq!(status(&paired[0]), "live");
    // Alone, the secret cannot be checked: unknown, and nothing is sent.
    let alone = validated(rules_with(&verify), &format!("ACME_SECRET={LIVE}\n"));
    assert_eq!(status(&alone[0]), "unknown");
    assert!(
        alone[0].ext["secrets"]["validation"]["detail"]
            .as_str()
            .unwrap()
            .contains("key id"),
        "{}",
        alone[0].ext["secrets"]["validation"]
    );
}

#[test]
fn a_secret_in_the_url_path_and_a_sigv4_signature() {
    let base = answering(|req| {
        let telegram = req.starts_with(&format!("GET /bot{LIVE}/getMe "));
        let signed = req.starts_with("POST /sts ")
            && req.contains("Credential=AKIDQ7RMW5VXN2TP/")
            && req.contains("/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=")
            && req.ends_with("Action=GetCallerIdentity&Version=2011-06-15")
            && !req.contains(LIVE);
        if telegram || signed {
            ("200 OK", "")
        } else {
            ("403 Forbidden", "")
        }
    });
    let path = format!(
        r#"url = "{base}/bot{{secret}}/getMe"
live = [200]
dead = [401, 404]"#
    );
    assert_eq!(
        status(&validated(rules_with(&path), &format!("T={LIVE}\n"))[0]),
        "live"
    );
    let signed = format!(
        r#"method = "POST"
url = "{base}/sts"
body = "Action=GetCallerIdentity&Version=2011-06-15"
aws_sigv4 = ["us-east-1", "sts"]
live = [200]
dead = [403]"#
    );
    // The signature proves the secret without sending it.
    let found = validated(
        rules_with(&signed),
        &format!("ID=AKIDQ7RMW5VXN2TP\nKEY={LIVE}\n"),
    );
    assert_eq!(status(&found[0]), "live");
}
