//! Who is calling: an API token (`Authorization: Bearer wst_…`) or a session cookie; what they may do; and
//! the sign-in limiter.

use crate::{ApiError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use warden_store::access::{Principal, Role};

/// The session cookie's name.
pub const COOKIE: &str = "warden_session";
/// The header a cookie-authenticated API write carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Token,
    /// A session; its CSRF token guards writes.
    Session {
        secret: String,
        csrf: String,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub via: Via,
}

impl Caller {
    /// Refuses a caller below `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.principal.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }

    /// A write by a session must carry its CSRF token (a token caller sends no cookie, so no forgery can
    /// borrow its authority).
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), ApiError> {
        match &self.via {
            Via::Token => Ok(()),
            Via::Session { csrf, .. } => {
                if sent.is_some_and(|s| constant_eq(s.as_bytes(), csrf.as_bytes())) {
                    Ok(())
                } else {
                    Err(ApiError::forbidden(
                        "missing or wrong CSRF token (X-CSRF-Token)",
                    ))
                }
            }
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Token => "",
            Via::Session { csrf, .. } => csrf,
        }
    }

    /// The audit log's name for the caller.
    pub fn actor(&self) -> String {
        self.principal.name.clone()
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE).then(|| v.to_string())
        })
}

/// Who the request is from, or `None` for an anonymous request. A malformed or unknown credential is an
/// error, not anonymity.
pub async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string())
            .ok_or_else(ApiError::unauthorized)?;
        let now = crate::now();
        let p = state
            .store
            .call(move |s| s.authenticate(&token, &now))
            .await??;
        return match p {
            Some(principal) => Ok(Some(Caller {
                principal,
                via: Via::Token,
            })),
            None => Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the token is unknown, revoked or expired",
            )),
        };
    }
    if let Some(secret) = session_cookie(headers) {
        let now = crate::now();
        let s2 = secret.clone();
        let session = state.store.call(move |s| s.session(&s2, &now)).await??;
        return Ok(session.map(|s| Caller {
            principal: s.principal,
            via: Via::Session {
                secret,
                csrf: s.csrf,
            },
        }));
    }
    Ok(None)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(state, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Failed sign-ins per client address in the last minute.
#[derive(Default)]
pub struct Limiter {
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl Limiter {
    /// Whether `ip` may try again now.
    pub fn allowed(&self, ip: IpAddr, max: usize) -> bool {
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let v = m.entry(ip).or_default();
        v.retain(|t| now.duration_since(*t) < WINDOW);
        v.len() < max
    }
    pub fn failed(&self, ip: IpAddr) {
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a flood of addresses cannot grow the map without limit.
        if m.len() > 100_000 {
            let now = Instant::now();
            m.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        m.entry(ip).or_default().push(Instant::now());
    }
    pub fn succeeded(&self, ip: IpAddr) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=b; warden_session=wss_x; c=d".parse().unwrap(),
        );
        assert_eq!(session_cookie(&h).as_deref(), Some("wss_x"));
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }

    #[test]
    fn the_limiter_counts_failures_per_address() {
        let l = Limiter::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..5 {
            assert!(l.allowed(ip, 5));
            l.failed(ip);
        }
        assert!(!l.allowed(ip, 5));
        assert!(l.allowed("127.0.0.2".parse().unwrap(), 5));
        l.succeeded(ip);
        assert!(l.allowed(ip, 5));
    }
}
