//! The gateway: an HTTP server (hyper) in front of model APIs, forwarding to the configured upstreams
//! (reqwest) with the provider key the gateway holds, screening each request before it leaves and each response
//! before it reaches the client — streamed responses event by event, with a bounded hold-back (`stream.rs`).

use crate::screen::{Action, Hit, Policy, Screener};
use crate::sse::SseRewriter;
use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Body = BoxBody<Bytes, std::io::Error>;

/// The API shape an upstream speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// OpenAI and every OpenAI-compatible server (vLLM, Ollama, LM Studio): `Authorization: Bearer`.
    Openai,
    /// Azure OpenAI: `api-key`.
    Azure,
    /// Anthropic Messages: `x-api-key` and `anthropic-version`.
    Anthropic,
}

/// One upstream as configured (`[[gateway.upstream]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    pub name: String,
    /// Base URL, e.g. `https://api.openai.com` (requests keep their path: `/v1/chat/completions`).
    pub url: String,
    #[serde(default = "default_kind")]
    pub kind: Kind,
    /// The environment variable that holds the provider key.
    #[serde(default)]
    pub key_env: Option<String>,
    /// Or a file that holds it (first line).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The models routed here; empty: any model no other upstream names.
    #[serde(default)]
    pub models: Vec<String>,
}

fn default_kind() -> Kind {
    Kind::Openai
}

/// An upstream with its key read (the key never leaves the gateway: not in logs, errors or responses).
pub struct Upstream {
    pub name: String,
    pub url: String,
    pub kind: Kind,
    key: Option<String>,
    pub models: Vec<String>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("kind", &self.kind)
            .field("key", &self.key.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Upstream {
    /// The upstream URL for an API path (`/v1/chat/completions`): the same path on OpenAI-style and Anthropic
    /// servers; Azure OpenAI's v1 API under `/openai` (`https://RESOURCE.openai.azure.com/openai/v1/…`, the model
    /// named in the body as with OpenAI).
    pub fn endpoint(&self, path: &str) -> String {
        match self.kind {
            Kind::Azure if !self.url.ends_with("/openai") => format!("{}/openai{path}", self.url),
            _ => format!("{}{path}", self.url),
        }
    }

    pub fn load(c: &UpstreamConfig) -> Result<Upstream, String> {
        let key = match (&c.key_env, &c.key_file) {
            (Some(var), _) => Some(std::env::var(var).map_err(|_| {
                format!(
                    "upstream `{}`: the environment variable {var} is not set",
                    c.name
                )
            })?),
            (None, Some(path)) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("upstream `{}`: {}: {e}", c.name, path.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            ),
            (None, None) => None,
        };
        let url = c.url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "upstream `{}`: `{url}` is not an http(s) URL",
                c.name
            ));
        }
        Ok(Upstream {
            name: c.name.clone(),
            url,
            kind: c.kind,
            key,
            models: c.models.clone(),
        })
    }
}

/// Everything the gateway runs with.
pub struct Settings {
    pub upstreams: Vec<Upstream>,
    pub policy: Policy,
    /// Largest request body accepted.
    pub max_body: usize,
    /// Upstream connect-and-headers timeout, and the longest gap between two chunks of a streamed response.
    pub timeout: Duration,
    /// JSON-lines audit log; `None` writes none.
    pub audit: Option<PathBuf>,
    /// Client keys; without any, only loopback clients are served.
    pub keys: Option<Arc<crate::keys::Keys>>,
    /// How long a client may take to send its request headers, and then its body (slow clients).
    pub client_timeout: Duration,
}

#[derive(Default)]
pub struct Metrics {
    requests: AtomicU64,
    blocked: AtomicU64,
    redacted: AtomicU64,
    upstream_errors: AtomicU64,
    in_flight: AtomicU64,
    latency_micros: AtomicU64,
}

pub struct Gateway {
    settings: Settings,
    screener: Screener,
    client: reqwest::Client,
    pub metrics: Metrics,
    audit: Mutex<Option<std::fs::File>>,
    next_id: AtomicU64,
}

/// An OpenAI-style error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    let kind = if status.is_server_error() {
        "api_error"
    } else {
        "invalid_request_error"
    };
    let body = json!({"error": {"message": message, "type": kind, "code": code}});
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(body.to_string()))
        .unwrap_or_else(|_| Response::new(full(String::new())))
}

fn full(s: impl Into<Bytes>) -> Body {
    Full::new(s.into()).map_err(|never| match never {}).boxed()
}

impl Gateway {
    pub fn new(settings: Settings) -> Result<Gateway, String> {
        let screener = Screener::new(settings.policy.clone())?;
        let client = reqwest::Client::builder()
            .connect_timeout(settings.timeout)
            .read_timeout(settings.timeout)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let audit = match &settings.audit {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("{}: {e}", p.display()))?,
            ),
            None => None,
        };
        Ok(Gateway {
            settings,
            screener,
            client,
            metrics: Metrics::default(),
            audit: Mutex::new(audit),
            next_id: AtomicU64::new(1),
        })
    }

    fn audit(&self, entry: Value) {
        if let Ok(mut guard) = self.audit.lock() {
            if let Some(f) = guard.as_mut() {
                let _ = writeln!(f, "{entry}");
            }
        }
    }

    fn upstream_for(&self, model: Option<&str>) -> Option<&Upstream> {
        let ups = &self.settings.upstreams;
        model
            .and_then(|m| ups.iter().find(|u| u.models.iter().any(|x| x == m)))
            .or_else(|| ups.iter().find(|u| u.models.is_empty()))
            .or_else(|| ups.first())
    }

    fn keyed(&self) -> bool {
        self.settings.keys.as_ref().is_some_and(|k| k.any())
    }

    fn check_key(
        &self,
        headers: &hyper::HeaderMap,
        model: Option<&str>,
    ) -> Result<Option<crate::keys::KeyRecord>, Box<Response<Body>>> {
        let Some(keys) = self.settings.keys.as_ref().filter(|k| k.any()) else {
            return Ok(None);
        };
        match keys.check(crate::keys::presented(headers).as_deref(), model) {
            Ok(r) => Ok(Some(r)),
            Err(refusal) => {
                let (status, code, message) = refusal.describe();
                if status == 429 {
                    self.metrics.blocked.fetch_add(1, Ordering::Relaxed);
                }
                // Boxed: a refusal is the rare path, and a response is large to carry in every Ok.
                Err(Box::new(error(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED),
                    code,
                    &message,
                )))
            }
        }
    }

    fn metrics_text(&self) -> String {
        let m = &self.metrics;
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "# HELP warden_gateway_requests_total Requests received.\n# TYPE warden_gateway_requests_total counter\nwarden_gateway_requests_total {}\n\
             # HELP warden_gateway_blocked_total Requests or responses blocked by policy.\n# TYPE warden_gateway_blocked_total counter\nwarden_gateway_blocked_total {}\n\
             # HELP warden_gateway_redactions_total Spans redacted in requests and responses.\n# TYPE warden_gateway_redactions_total counter\nwarden_gateway_redactions_total {}\n\
             # HELP warden_gateway_upstream_errors_total Upstream failures (connect, timeout, reset).\n# TYPE warden_gateway_upstream_errors_total counter\nwarden_gateway_upstream_errors_total {}\n\
             # HELP warden_gateway_in_flight Requests in progress.\n# TYPE warden_gateway_in_flight gauge\nwarden_gateway_in_flight {}\n\
             # HELP warden_gateway_upstream_seconds_total Time to upstream response headers, summed.\n# TYPE warden_gateway_upstream_seconds_total counter\nwarden_gateway_upstream_seconds_total {:.6}\n",
            g(&m.requests),
            g(&m.blocked),
            g(&m.redacted),
            g(&m.upstream_errors),
            g(&m.in_flight),
            g(&m.latency_micros) as f64 / 1e6,
        )
    }

    /// One request, start to finish; never an `Err`: every failure is an OpenAI-style error response.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Body>, Infallible> {
        let path = req.uri().path().to_string();
        match (req.method(), path.as_str()) {
            (&Method::GET, "/healthz") => return Ok(Response::new(full("ok\n"))),
            (&Method::GET, "/readyz") => {
                return Ok(if self.settings.upstreams.is_empty() {
                    error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "no_upstream",
                        "no upstream configured",
                    )
                } else {
                    Response::new(full("ready\n"))
                })
            }
            (&Method::GET, "/metrics") => {
                return Ok(Response::builder()
                    .header("content-type", "text/plain; version=0.0.4")
                    .body(full(self.metrics_text()))
                    .unwrap_or_else(|_| Response::new(full(String::new()))))
            }
            _ => {}
        }
        self.metrics.requests.fetch_add(1, Ordering::Relaxed);
        // Without client keys, only this machine may use the gateway's provider keys.
        if !self.keyed() && !peer.ip().is_loopback() {
            return Ok(error(
                StatusCode::FORBIDDEN,
                "loopback_only",
                "this gateway has no client keys configured and serves local clients only",
            ));
        }
        let api = matches!(
            path.as_str(),
            "/v1/chat/completions"
                | "/v1/completions"
                | "/v1/responses"
                | "/v1/embeddings"
                | "/v1/messages"
        );
        if req.method() == Method::GET && path == "/v1/models" {
            if self.keyed() {
                if let Err(r) = self.check_key(req.headers(), None) {
                    return Ok(*r);
                }
            }
            return Ok(self.forward_plain(req, &path).await);
        }
        if !api || req.method() != Method::POST {
            return Ok(error(
                StatusCode::NOT_FOUND,
                "unknown_route",
                &format!("{} {path} is not an API this gateway serves", req.method()),
            ));
        }
        self.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        let resp = self.clone().proxy(req, &path).await;
        self.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
        Ok(resp)
    }

    async fn forward_plain(&self, req: Request<Incoming>, path: &str) -> Response<Body> {
        let Some(up) = self.upstream_for(None) else {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_upstream",
                "no upstream configured",
            );
        };
        let _ = req;
        let rb = self.authorise(self.client.get(up.endpoint(path)), up, None);
        match rb.send().await {
            Ok(r) => {
                let status =
                    StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
                let body = r.bytes().await.unwrap_or_default();
                Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(full(body))
                    .unwrap_or_else(|_| Response::new(full(String::new())))
            }
            Err(e) => self.upstream_error(&e),
        }
    }

    fn authorise(
        &self,
        rb: reqwest::RequestBuilder,
        up: &Upstream,
        anthropic_version: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let rb = match (&up.key, up.kind) {
            (Some(k), Kind::Openai) => rb.bearer_auth(k),
            (Some(k), Kind::Azure) => rb.header("api-key", k),
            (Some(k), Kind::Anthropic) => rb.header("x-api-key", k),
            (None, _) => rb,
        };
        if up.kind == Kind::Anthropic {
            rb.header(
                "anthropic-version",
                anthropic_version.unwrap_or("2023-06-01"),
            )
        } else {
            rb
        }
    }

    fn upstream_error(&self, e: &reqwest::Error) -> Response<Body> {
        self.metrics.upstream_errors.fetch_add(1, Ordering::Relaxed);
        if e.is_timeout() {
            error(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                "the upstream did not answer in time",
            )
        } else {
            error(
                StatusCode::BAD_GATEWAY,
                "upstream_unavailable",
                "the upstream could not be reached",
            )
        }
    }

    async fn proxy(self: Arc<Self>, req: Request<Incoming>, path: &str) -> Response<Body> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let headers = req.headers().clone();
        let anthropic_version = req
            .headers()
            .get("anthropic-version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let collected = tokio::time::timeout(
            self.settings.client_timeout,
            Limited::new(req.into_body(), self.settings.max_body).collect(),
        )
        .await;
        let Ok(collected) = collected else {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                &format!(
                    "the request body did not arrive within {} s",
                    self.settings.client_timeout.as_secs_f64()
                ),
            );
        };
        let bytes = match collected {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                return if e
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    error(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body_too_large",
                        &format!(
                            "the request body is larger than {} bytes",
                            self.settings.max_body
                        ),
                    )
                } else {
                    error(
                        StatusCode::BAD_REQUEST,
                        "body_unreadable",
                        "the request body could not be read",
                    )
                };
            }
        };
        let mut body: Value = match serde_json::from_slice(&bytes) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    "the request body is not a JSON object",
                )
            }
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    &format!("the request body is not JSON: {e}"),
                )
            }
        };
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string);
        let key = match self.check_key(&headers, model.as_deref()) {
            Ok(k) => k,
            Err(resp) => return *resp,
        };
        let key_id = key.as_ref().map(|k| k.id.clone());
        let streaming = body.get("stream").and_then(Value::as_bool) == Some(true);
        let protected = crate::screen::protected_tokens(&body);
        let hits = self.screener.request(&mut body);
        let blocked: Vec<&Hit> = hits.iter().filter(|h| h.action == Action::Block).collect();
        let redactions = hits.iter().filter(|h| h.action == Action::Redact).count() as u64;
        self.metrics
            .redacted
            .fetch_add(redactions, Ordering::Relaxed);
        let audit_content = self.settings.policy.audit_content;
        let request_content: Option<Vec<String>> = audit_content.then(|| {
            crate::screen::texts(&body)
                .iter()
                .map(|t| self.screener.redact_all(&clip(t)))
                .collect()
        });
        let entry = |status: u16, hits: &[Hit], response_hits: &[Hit]| {
            json!({
                "time": warden_core::time::rfc3339(warden_core::time::now()),
                "request_id": format!("req-{id}"),
                "key_id": key_id,
                "route": path,
                "model": model,
                "status": status,
                "request": hits,
                "response": response_hits,
                "request_content": request_content,
            })
        };
        if !blocked.is_empty() {
            self.metrics.blocked.fetch_add(1, Ordering::Relaxed);
            self.audit(entry(400, &hits, &[]));
            let rules: Vec<&str> = blocked.iter().map(|h| h.rule.as_str()).collect();
            return error(
                StatusCode::BAD_REQUEST,
                "warden_blocked",
                &format!("blocked by the gateway's policy: {}", rules.join(", ")),
            );
        }
        let Some(up) = self.upstream_for(model.as_deref()) else {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_upstream",
                "no upstream configured",
            );
        };
        if let Some(cap) = self.settings.policy.max_output_tokens {
            let service = up.kind == Kind::Azure
                || host_of_url(&up.url).is_some_and(|h| h == "api.openai.com");
            crate::screen::cap_output(&mut body, path, cap, service);
        }
        let started = Instant::now();
        let rb = self
            .authorise(
                self.client.post(up.endpoint(path)),
                up,
                anthropic_version.as_deref(),
            )
            .header("content-type", "application/json")
            .body(body.to_string());
        let upstream = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                self.audit(entry(502, &hits, &[]));
                return self.upstream_error(&e);
            }
        };
        self.metrics
            .latency_micros
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        let status =
            StatusCode::from_u16(upstream.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let event_stream = upstream
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"));
        if streaming && event_stream && status.is_success() {
            let gw = self.clone();
            let mut rewriter = match &key {
                Some(k) => SseRewriter::with_tools(&k.tools),
                None => SseRewriter::new(),
            }
            .protecting(protected.clone());
            let request_hits = hits.clone();
            let route = path.to_string();
            let model2 = model.clone();
            let key_id2 = key_id.clone();
            let mut upstream_stream = upstream.bytes_stream();
            let request_content2 = request_content.clone();
            let stream = async_stream(move |tx| async move {
                let mut response_hits: Vec<Hit> = Vec::new();
                let mut failed = false;
                let mut transcript = String::new();
                let keep = |out: &str, transcript: &mut String| {
                    if audit_content && transcript.len() < AUDIT_CONTENT_MAX {
                        transcript.push_str(&crate::sse::text_of(out));
                    }
                };
                while let Some(chunk) = upstream_stream.next().await {
                    match chunk {
                        Ok(b) => {
                            let (out, h) = rewriter.push(&gw.screener, &b);
                            response_hits.extend(h);
                            keep(&out, &mut transcript);
                            if !out.is_empty()
                                && tx.send(Ok(Frame::data(Bytes::from(out)))).await.is_err()
                            {
                                return;
                            }
                            if rewriter.stopped {
                                gw.metrics.blocked.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                        Err(_) => {
                            failed = true;
                            gw.metrics.upstream_errors.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
                let (out, h) = rewriter.finish(&gw.screener);
                response_hits.extend(h);
                keep(&out, &mut transcript);
                if !out.is_empty() {
                    let _ = tx.send(Ok(Frame::data(Bytes::from(out)))).await;
                }
                if failed {
                    // The client sees the stream end with an error event, not a hang.
                    let e = json!({"error": {"message": "the upstream stream failed", "type": "api_error", "code": "upstream_reset"}});
                    let _ = tx
                        .send(Ok(Frame::data(Bytes::from(format!("data: {e}\n\n")))))
                        .await;
                }
                let red = response_hits
                    .iter()
                    .filter(|h| h.action == Action::Redact)
                    .count() as u64;
                gw.metrics.redacted.fetch_add(red, Ordering::Relaxed);
                if let (Some(k), Some(keys)) = (&key_id2, &gw.settings.keys) {
                    keys.spend(k, rewriter.tokens);
                }
                gw.audit(json!({
                    "time": warden_core::time::rfc3339(warden_core::time::now()),
                    "request_id": format!("req-{id}"),
                    "key_id": key_id2,
                    "route": route,
                    "model": model2,
                    "status": status.as_u16(),
                    "stream": true,
                    "request": request_hits,
                    "response": response_hits,
                    "request_content": request_content2,
                    "response_content": audit_content.then(|| vec![gw.screener.redact_all(&clip(&transcript))]),
                }));
            });
            return Response::builder()
                .status(status)
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .body(stream)
                .unwrap_or_else(|_| Response::new(full(String::new())));
        }
        let bytes = match upstream.bytes().await {
            Ok(b) => b,
            Err(e) => {
                self.audit(entry(502, &hits, &[]));
                return self.upstream_error(&e);
            }
        };
        if status.is_success() {
            if let Some(tool) = key.as_ref().filter(|k| !k.tools.is_empty()).and_then(|k| {
                tool_calls(&bytes)
                    .into_iter()
                    .find(|t| !k.tools.contains(t))
            }) {
                self.metrics.blocked.fetch_add(1, Ordering::Relaxed);
                let hit = Hit {
                    category: "tools",
                    rule: format!("tools/not-allowed ({tool})"),
                    action: Action::Block,
                };
                self.audit(entry(403, &hits, &[hit]));
                return error(
                    StatusCode::FORBIDDEN,
                    "tool_not_allowed",
                    &format!("the model called the tool `{tool}`, which this key may not use"),
                );
            }
        }
        let (out, response_hits) = if status.is_success() {
            self.response(&bytes, &protected)
        } else {
            (bytes.to_vec(), Vec::new())
        };
        if let (Some(k), Some(keys)) = (&key_id, &self.settings.keys) {
            keys.spend(k, tokens_used(&bytes));
        }
        let red = response_hits
            .iter()
            .filter(|h| h.action == Action::Redact)
            .count() as u64;
        self.metrics.redacted.fetch_add(red, Ordering::Relaxed);
        let mut e = entry(status.as_u16(), &hits, &response_hits);
        if audit_content {
            let answers: Vec<String> = serde_json::from_slice::<Value>(&out)
                .map(|v| {
                    crate::screen::texts(&json!({"choices": v["choices"], "content": v["content"], "output": v["output"]}))
                        .iter()
                        .map(|t| self.screener.redact_all(&clip(t)))
                        .collect()
                })
                .unwrap_or_default();
            e["response_content"] = json!(answers);
        }
        self.audit(e);
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(full(out))
            .unwrap_or_else(|_| Response::new(full(String::new())))
    }

    /// A whole JSON response: every text the model produced, screened.
    fn response(&self, bytes: &[u8], protected: &[String]) -> (Vec<u8>, Vec<Hit>) {
        let Ok(mut v) = serde_json::from_slice::<Value>(bytes) else {
            return (bytes.to_vec(), Vec::new());
        };
        let mut hits = Vec::new();
        let mut fix = |s: &mut Value| {
            if let Value::String(t) = s {
                let (out, h) = self.screener.answer(t, protected);
                *t = out;
                hits.extend(h);
            }
        };
        if let Some(choices) = v.get_mut("choices").and_then(Value::as_array_mut) {
            for c in choices {
                if let Some(m) = c.get_mut("message").and_then(|m| m.get_mut("content")) {
                    fix(m);
                }
                if let Some(t) = c.get_mut("text") {
                    fix(t);
                }
            }
        }
        if let Some(parts) = v.get_mut("content").and_then(Value::as_array_mut) {
            for p in parts {
                if let Some(t) = p.get_mut("text") {
                    fix(t);
                }
            }
        }
        if let Some(items) = v.get_mut("output").and_then(Value::as_array_mut) {
            for it in items {
                if let Some(parts) = it.get_mut("content").and_then(Value::as_array_mut) {
                    for p in parts {
                        if let Some(t) = p.get_mut("text") {
                            fix(t);
                        }
                    }
                }
            }
        }
        (v.to_string().into_bytes(), hits)
    }
}

/// The tools a whole response calls: OpenAI `choices[].message.tool_calls[].function.name`, Anthropic `tool_use`
/// blocks, Responses API `function_call` items.
fn tool_calls(bytes: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in v["choices"].as_array().into_iter().flatten() {
        for t in c["message"]["tool_calls"].as_array().into_iter().flatten() {
            out.extend(t["function"]["name"].as_str().map(str::to_string));
        }
        out.extend(
            c["message"]["function_call"]["name"]
                .as_str()
                .map(str::to_string),
        );
    }
    for b in v["content"].as_array().into_iter().flatten() {
        if b["type"] == "tool_use" {
            out.extend(b["name"].as_str().map(str::to_string));
        }
    }
    for it in v["output"].as_array().into_iter().flatten() {
        if it["type"] == "function_call" {
            out.extend(it["name"].as_str().map(str::to_string));
        }
    }
    out
}

/// The tokens a whole response reports: OpenAI's `usage.total_tokens`, or Anthropic's input plus output tokens.
fn tokens_used(bytes: &[u8]) -> u64 {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return 0;
    };
    let u = &v["usage"];
    u["total_tokens"].as_u64().unwrap_or_else(|| {
        u["input_tokens"].as_u64().unwrap_or(0) + u["output_tokens"].as_u64().unwrap_or(0)
    })
}

/// A response body fed by a task through a bounded channel: the client's backpressure reaches the upstream
/// read, and a client that goes away ends the task.
fn async_stream<F, Fut>(f: F) -> Body
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Frame<Bytes>, std::io::Error>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(f(tx));
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    BodyExt::boxed(StreamBody::new(stream))
}

/// Serves until `shutdown` resolves; each connection on its own task.
pub async fn serve(
    gw: Arc<Gateway>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => r?,
            _ = &mut shutdown => return Ok(()),
        };
        // Events of a stream go out as they are released, not when Nagle's algorithm and the client's delayed
        // ACK agree (a 40 ms stall per response otherwise).
        let _ = stream.set_nodelay(true);
        let gw = gw.clone();
        let client_timeout = gw.settings.client_timeout;
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let svc = hyper::service::service_fn(move |req| gw.clone().handle(req, peer));
            // Slow clients: headers must arrive within the client timeout (the body too, see `proxy`).
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(client_timeout)
                .serve_connection(io, svc)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_per_kind() {
        let up = |kind, url: &str| {
            Upstream::load(&UpstreamConfig {
                name: "u".into(),
                url: url.into(),
                kind,
                key_env: None,
                key_file: None,
                models: vec![],
            })
            .unwrap()
        };
        assert_eq!(
            up(Kind::Openai, "https://api.openai.com/").endpoint("/v1/chat/completions"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            up(Kind::Azure, "https://acme.openai.azure.com").endpoint("/v1/chat/completions"),
            "https://acme.openai.azure.com/openai/v1/chat/completions"
        );
        assert_eq!(
            up(Kind::Anthropic, "https://api.anthropic.com").endpoint("/v1/messages"),
            "https://api.anthropic.com/v1/messages"
        );
        assert!(Upstream::load(&UpstreamConfig {
            name: "bad".into(),
            url: "ftp://x".into(),
            kind: Kind::Openai,
            key_env: None,
            key_file: None,
            models: vec![],
        })
        .is_err());
    }
}

/// `[gateway]` in `warden.toml` (or the file `--config` names).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Address to listen on (`127.0.0.1:8787` by default).
    #[serde(default)]
    pub listen: Option<String>,
    #[serde(default)]
    pub upstream: Vec<UpstreamConfig>,
    #[serde(default)]
    pub policy: Option<Policy>,
    /// Largest request body accepted, in bytes (4 MiB by default).
    #[serde(default)]
    pub max_body: Option<usize>,
    /// Upstream timeout in seconds (120 by default).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Seconds a client may take to send its request headers, and then its body (30 by default).
    #[serde(default)]
    pub client_timeout_secs: Option<u64>,
    /// JSON-lines audit log.
    #[serde(default)]
    pub audit: Option<PathBuf>,
    /// The client key store (`warden gateway keys`); default `.warden/gateway-keys.db`.
    #[serde(default)]
    pub keys: Option<PathBuf>,
}

/// The most text of one prompt or answer the audit log keeps.
const AUDIT_CONTENT_MAX: usize = 16 * 1024;

/// `t` cut to `AUDIT_CONTENT_MAX` bytes on a character boundary.
fn clip(t: &str) -> String {
    let mut end = t.len().min(AUDIT_CONTENT_MAX);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    t[..end].to_string()
}

fn host_of_url(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    rest.split(['/', ':', '?']).next()
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
pub const DEFAULT_MAX_BODY: usize = 4 << 20;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
pub const DEFAULT_CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the gateway on its own runtime until Ctrl-C; `ready` is called with the bound address.
pub fn run_until_interrupted(
    listen: &str,
    settings: Settings,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async move {
        let gw = Arc::new(Gateway::new(settings)?);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        ready(addr);
        serve(gw, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("serving on {addr}: {e}"))
    })
}
