//! `warden serve`: the findings store (SQLite or PostgreSQL) behind a JSON API (`/api/v1`, described by
//! `data/openapi.json`) and server-rendered pages, for an organisation's security team.
//!
//! - Who: users with a password (argon2id) and a role (admin, triager, viewer) scoped to repositories, signed in
//!   with a session cookie (HttpOnly, SameSite=Strict, Secure unless told the server runs on plain HTTP) and a
//!   CSRF token on every form and cookie-authenticated write; API tokens (`Authorization: Bearer wst_…`) with a
//!   role, repositories and a required expiry. Sign-in attempts are limited per client address.
//! - What: every read is filtered by the caller's repositories; a finding outside them is a 404, not a 403,
//!   so its existence does not leak. Every change goes through the store, so through its audit chain.
//! - How it scales: the server keeps no state of its own but the sign-in limiter and the audit verifier's
//!   position (both safe to lose); sessions live in the store. Several servers can run behind a load balancer
//!   on one PostgreSQL.

pub mod api;
pub mod auth;
pub mod graph;
pub mod import;
pub mod pages;
pub mod pool;

use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

pub use pool::SharedStore;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Session cookies carry `Secure` (default). Off only for plain-HTTP testing on loopback.
    pub secure_cookies: bool,
    /// How long a web session lasts.
    pub session: Duration,
    /// Largest upload accepted, in bytes.
    pub max_upload: usize,
    /// Failed sign-ins allowed per client address per minute.
    pub login_attempts: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: true,
            session: Duration::from_secs(8 * 3600),
            max_upload: 512 << 20,
            login_attempts: 5,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: SharedStore,
    pub settings: Arc<Settings>,
    pub limiter: Arc<auth::Limiter>,
    pub chain: Arc<api::ChainStatus>,
    pub templates: Arc<minijinja::Environment<'static>>,
}

impl AppState {
    pub fn new(store: SharedStore, settings: Settings) -> AppState {
        AppState {
            store,
            settings: Arc::new(settings),
            limiter: Arc::default(),
            chain: Arc::default(),
            templates: Arc::new(pages::environment()),
        }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max = state.settings.max_upload;
    Router::new()
        .merge(api::routes(max))
        .merge(pages::routes())
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves until ctrl-c (or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // The first check of the audit chain reads the whole log: start it now, not on the first page.
    let _ = state.chain.current(&state);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// The page's own origin only: no inline script anywhere, no framing, no referrer leaving the site.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// An error as the API returns it: `{"error": {"code", "message"}}` with its status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in, or send `Authorization: Bearer <token>`",
        )
    }
    pub fn forbidden(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", what)
    }
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }
    pub fn bad_request(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", what)
    }
}

impl From<warden_store::StoreError> for ApiError {
    fn from(e: warden_store::StoreError) -> Self {
        use warden_store::StoreError as E;
        match e {
            E::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m),
            E::NoSuchFinding(f) => ApiError::not_found(format!("no finding {f}")),
            E::Busy { .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the store is busy; retry",
            ),
            other => {
                eprintln!("warden serve: store error: {other}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "store",
                    "the store failed; see the server's log",
                )
            }
        }
    }
}

impl From<pool::Unavailable> for ApiError {
    fn from(_: pool::Unavailable) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the store is unavailable",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}
#[derive(Serialize)]
struct ErrorInner<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorInner {
                code: self.code,
                message: &self.message,
            },
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"warden\""),
            );
        }
        res
    }
}

/// Now, as the store writes times.
pub fn now() -> String {
    warden_core::time::rfc3339(warden_core::time::now())
}

/// `secs` from now, as the store writes times.
pub fn later(secs: u64) -> String {
    warden_core::time::rfc3339(warden_core::time::now() + secs as i64)
}
