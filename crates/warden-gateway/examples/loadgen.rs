//! Latency and throughput of the gateway against a local mock upstream with a fixed latency, used by
//! `bench/gateway/run.sh`.
//!
//!     loadgen [--clients N] [--seconds S] [--latency-ms L] [--stream] [--target URL]
//!
//! Starts the mock upstream (an OpenAI-style chat completion after L ms; streamed as 20 chunks when asked), and
//! unless `--target` names another proxy in front of the same mock (printed as `mock: URL` first, read from
//! stdin as `URL\n` when `--target -`), a warden gateway in front of it. Then N clients send requests for S
//! seconds, first straight to the mock, then through the proxy, and it prints one JSON line per run: requests,
//! requests/s, p50/p99 latency, and the added p50/p99.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use warden_gateway::screen::Policy;
use warden_gateway::server::{serve, Gateway, Kind, Settings, Upstream, UpstreamConfig};

struct Opts {
    clients: usize,
    seconds: u64,
    latency: Duration,
    stream: bool,
    target: Option<String>,
    mock_port: u16,
}

fn opts() -> Opts {
    let mut o = Opts {
        clients: 1,
        seconds: 5,
        latency: Duration::from_millis(20),
        stream: false,
        target: None,
        mock_port: 0,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--clients" => o.clients = v.parse().unwrap_or(1),
            "--seconds" => o.seconds = v.parse().unwrap_or(5),
            "--latency-ms" => o.latency = Duration::from_millis(v.parse().unwrap_or(20)),
            "--target" => o.target = Some(v),
            "--mock-port" => o.mock_port = v.parse().unwrap_or(0),
            "--stream" => {
                o.stream = true;
                i += 1;
                continue;
            }
            other => {
                eprintln!("loadgen: unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    o
}

async fn mock(latency: Duration, port: u16) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind mock");
    let addr = listener.local_addr().expect("mock address");
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: Request<hyper::body::Incoming>| async move {
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let stream = serde_json::from_slice::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|v| v["stream"].as_bool())
                            .unwrap_or(false);
                        tokio::time::sleep(latency).await;
                        let resp = if stream {
                            let mut s = String::new();
                            for i in 0..20 {
                                let d = json!({"id": "c", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": format!("word{i} ")}, "finish_reason": null}]});
                                s.push_str(&format!("data: {d}\n\n"));
                            }
                            s.push_str("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
                            Response::builder()
                                .header("content-type", "text/event-stream")
                                .body(Full::new(Bytes::from(s)))
                        } else {
                            let v = json!({"id": "c", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "The capital of France is Paris. It has been the capital for centuries and is known for the Louvre."}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 20, "completion_tokens": 20, "total_tokens": 40}});
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from(v.to_string())))
                        };
                        Ok::<_, Infallible>(resp.expect("response"))
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    addr
}

async fn drive(url: &str, o: &Opts) -> (usize, usize, Vec<Duration>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.clients * 2)
        .build()
        .expect("client");
    let body = json!({"model": "gpt-4o-mini", "stream": o.stream, "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France? Answer in two sentences, and mention one museum."}
    ]})
    .to_string();
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let mut tasks = Vec::new();
    for _ in 0..o.clients {
        let client = client.clone();
        let body = body.clone();
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .bearer_auth("sk-local-bench")
                    .body(body.clone())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(_) => lat.push(t.elapsed()),
                        Err(_) => errors += 1,
                    },
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    all.sort();
    (all.len(), errors, all)
}

fn pct(v: &[Duration], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn main() {
    let o = opts();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mock_addr = mock(o.latency, o.mock_port).await;
        let mock_url = format!("http://{mock_addr}");
        let target = match &o.target {
            Some(t) if t == "-" => {
                println!("mock: {mock_url}");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).expect("target URL on stdin");
                line.trim().to_string()
            }
            Some(t) => t.clone(),
            None => {
                let up = Upstream::load(&UpstreamConfig {
                    name: "mock".into(),
                    url: mock_url.clone(),
                    kind: Kind::Openai,
                    key_env: None,
                    key_file: None,
                    models: vec![],
                })
                .expect("upstream");
                let gw = Arc::new(
                    Gateway::new(Settings {
                        upstreams: vec![up],
                        policy: Policy::default(),
                        max_body: 4 << 20,
                        timeout: Duration::from_secs(30),
                        audit: None,
                        keys: None,
                        client_timeout: Duration::from_secs(30),
                    })
                    .expect("gateway"),
                );
                let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind gateway");
                let a = l.local_addr().expect("gateway address");
                tokio::spawn(serve(gw, l, std::future::pending()));
                format!("http://{a}")
            }
        };
        let direct = drive(&format!("{mock_url}/v1/chat/completions"), &o).await;
        let proxied = drive(&format!("{target}/v1/chat/completions"), &o).await;
        let secs = o.seconds as f64;
        println!(
            "{}",
            json!({
                "clients": o.clients, "stream": o.stream, "upstream_latency_ms": o.latency.as_millis() as u64,
                "direct": {"requests": direct.0, "errors": direct.1, "rps": direct.0 as f64 / secs, "p50_ms": pct(&direct.2, 0.5), "p99_ms": pct(&direct.2, 0.99)},
                "proxied": {"requests": proxied.0, "errors": proxied.1, "rps": proxied.0 as f64 / secs, "p50_ms": pct(&proxied.2, 0.5), "p99_ms": pct(&proxied.2, 0.99)},
                "added_p50_ms": pct(&proxied.2, 0.5) - pct(&direct.2, 0.5),
                "added_p99_ms": pct(&proxied.2, 0.99) - pct(&direct.2, 0.99),
            })
        );
    });
}
