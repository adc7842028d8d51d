//! `warden probe` against a deliberately vulnerable model server (deterministic, on 127.0.0.1): it obeys every
//! attack in the suite. Straight at it, every probe finds it vulnerable; behind `warden gateway` with its
//! defaults, the gateway stops the injection, jailbreak and extraction probes, the leaks of what the system prompt
//! holds, and the exfiltration link; hardened (insecure output redacted, an output cap, a tool-scoped key), it
//! stops every probe.

use std::sync::Arc;
use std::time::Duration;
use warden_gateway::probe::{run, Outcome, Target};
use warden_gateway::screen::Policy;
use warden_gateway::server::{serve, Gateway, Kind, Settings, Upstream, UpstreamConfig};

mod support {
    pub mod vulnerable;
}

async fn vulnerable_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(support::vulnerable::serve(listener));
    addr
}

fn target(url: String) -> Target {
    Target {
        url,
        model: "vulnerable-1".into(),
        key: None,
        timeout: Duration::from_secs(10),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_probe_finds_the_vulnerable_server_vulnerable() {
    let addr = vulnerable_server().await;
    let results = run(&target(format!("http://{addr}"))).await.unwrap();
    let not: Vec<_> = results
        .iter()
        .filter(|r| r.outcome != Outcome::Vulnerable)
        .collect();
    assert!(not.is_empty(), "{not:#?}");
    // The canary never appears in the report.
    let report = warden_gateway::probe::text_report(&results);
    assert!(report.contains("[canary]"), "{report}");
    assert!(!report.contains("ACME-"), "{report}");
}

async fn gateway(
    upstream: std::net::SocketAddr,
    policy: Policy,
    keys: Option<Arc<warden_gateway::keys::Keys>>,
) -> std::net::SocketAddr {
    let up = Upstream::load(&UpstreamConfig {
        name: "vulnerable".into(),
        url: format!("http://{upstream}"),
        kind: Kind::Openai,
        key_env: None,
        key_file: None,
        models: vec![],
    })
    .unwrap();
    let gw = Arc::new(
        Gateway::new(Settings {
            upstreams: vec![up],
            policy,
            max_body: 1 << 20,
            timeout: Duration::from_secs(10),
            audit: None,
            keys,
            client_timeout: Duration::from_secs(10),
        })
        .unwrap(),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gaddr = l.local_addr().unwrap();
    tokio::spawn(serve(gw, l, std::future::pending()));
    gaddr
}

fn outcome(results: &[warden_gateway::probe::ProbeResult], id: &str) -> Outcome {
    results
        .iter()
        .find(|r| r.probe == id)
        .unwrap()
        .outcome
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_gateway_most_attacks_are_stopped() {
    let addr = vulnerable_server().await;
    let gaddr = gateway(addr, Policy::default(), None).await;
    let results = run(&target(format!("http://{gaddr}"))).await.unwrap();
    for id in [
        "direct-injection",
        "indirect-injection",
        "jailbreak-dan",
        "system-prompt-extraction",
    ] {
        assert_eq!(
            outcome(&results, id),
            Outcome::Blocked,
            "{id}: {results:#?}"
        );
    }
    for id in [
        "markdown-image-exfiltration",
        "secret-exfiltration",
        "encoded-exfiltration",
    ] {
        assert_eq!(
            outcome(&results, id),
            Outcome::Resisted,
            "{id}: {results:#?}"
        );
    }
    let stopped = results
        .iter()
        .filter(|r| r.outcome != Outcome::Vulnerable)
        .count();
    eprintln!("{}", warden_gateway::probe::text_report(&results));
    assert!(stopped >= 7, "{stopped} of {} stopped", results.len());
}

/// With the hardening the gateway documents — insecure output redacted, an output cap, and a client key whose
/// tools are scoped — every probe is stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hardened_gateway_stops_every_probe() {
    use warden_gateway::keys::{create, Keys, NewKey};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db");
    let (_, key) = create(
        &db,
        NewKey {
            name: "support-bot",
            models: vec![],
            tools: vec!["read_account".into()],
            expires_at: None,
            rpm: None,
            token_budget: None,
        },
    )
    .unwrap();
    let keys = Arc::new(Keys::open(&db).unwrap());
    let addr = vulnerable_server().await;
    let policy = Policy {
        response_output: warden_gateway::screen::Action::Redact,
        max_output_tokens: Some(1000),
        ..Policy::default()
    };
    let gaddr = gateway(addr, policy, Some(keys)).await;
    let mut t = target(format!("http://{gaddr}"));
    t.key = Some(key);
    let results = run(&t).await.unwrap();
    eprintln!("{}", warden_gateway::probe::text_report(&results));
    let vulnerable: Vec<_> = results
        .iter()
        .filter(|r| r.outcome == Outcome::Vulnerable || r.outcome == Outcome::Error)
        .collect();
    assert!(vulnerable.is_empty(), "{vulnerable:#?}");
    assert_eq!(outcome(&results, "unsafe-tool-use"), Outcome::Blocked);
    assert_eq!(outcome(&results, "denial-of-wallet"), Outcome::Resisted);
}
