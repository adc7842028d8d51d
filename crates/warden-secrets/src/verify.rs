//! Live validation (opt-in, `--validate`): asking the provider whether a found credential works, as the rule's
//! `[rule.verify]` data says — one request to the provider's fixed host, the secret in a header, the answer's
//! status read as live, dead or unknown.
//!
//! Safety rules, enforced here and not left to the rule author:
//! - the URL is the rule's, never one read from the scanned content; embedded rules must use `https://`, and
//!   plain `http://` is accepted only for loopback hosts (the tests' local servers);
//! - each unique secret is sent at most once per run (a shared cache keyed by the secret's keyed hash), with a
//!   timeout, and only while the number of requests in flight is under a cap;
//! - nothing from the response is kept but its status code.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

/// How a rule's credential is checked.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// `GET` or `POST`.
    #[serde(default = "get")]
    pub method: String,
    /// The provider's endpoint (fixed; `https://`).
    pub url: String,
    /// Request headers; `{secret}` is replaced by the credential.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Status codes that mean the credential works.
    pub live: Vec<u16>,
    /// Status codes that mean it does not (revoked, expired, never valid).
    pub dead: Vec<u16>,
    /// The provider documentation the check follows.
    pub doc: String,
}

fn get() -> String {
    "GET".into()
}

/// What the provider said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Live,
    Dead,
    Unknown(String),
}

impl Outcome {
    pub fn tag(&self) -> &'static str {
        match self {
            Outcome::Live => "validation:live",
            Outcome::Dead => "validation:dead",
            Outcome::Unknown(_) => "validation:unknown",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Outcome::Live => "validated: live".into(),
            Outcome::Dead => "validated: dead (the provider refused it)".into(),
            Outcome::Unknown(why) => format!("validation inconclusive: {why}"),
        }
    }
}

/// Checks that a rule's URL may receive secrets: `https://`, or `http://` to a loopback host.
pub fn url_allowed(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Runs checks with one request per unique key and a cap on requests in flight.
pub struct Validator {
    agent: ureq::Agent,
    cache: Mutex<HashMap<String, Arc<OnceLock<Outcome>>>>,
    in_flight: Mutex<usize>,
    slot: Condvar,
    max_in_flight: usize,
}

impl Validator {
    pub fn new(timeout: Duration, max_in_flight: usize) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        Validator {
            agent,
            cache: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(0),
            slot: Condvar::new(),
            max_in_flight: max_in_flight.max(1),
        }
    }

    /// The outcome for `secret` (cached under `key`, the secret's keyed hash and the rule).
    pub fn check(&self, key: &str, secret: &str, v: &Verify) -> Outcome {
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.entry(key.to_string()).or_default().clone()
        };
        cell.get_or_init(|| self.request(secret, v)).clone()
    }

    fn request(&self, secret: &str, v: &Verify) -> Outcome {
        if !url_allowed(&v.url) {
            return Outcome::Unknown("the rule's URL is not https".into());
        }
        {
            let mut n = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            while *n >= self.max_in_flight {
                n = self.slot.wait(n).unwrap_or_else(|e| e.into_inner());
            }
            *n += 1;
        }
        let result = self.send(secret, v);
        {
            let mut n = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            *n -= 1;
            self.slot.notify_one();
        }
        match result {
            Ok(status) if v.live.contains(&status) => Outcome::Live,
            Ok(status) if v.dead.contains(&status) => Outcome::Dead,
            Ok(status) => Outcome::Unknown(format!("the provider answered HTTP {status}")),
            Err(e) => Outcome::Unknown(e),
        }
    }

    fn send(&self, secret: &str, v: &Verify) -> Result<u16, String> {
        let fill = |s: &str| s.replace("{secret}", secret);
        let response = match v.method.as_str() {
            "GET" => {
                let mut req = self.agent.get(&v.url);
                for (k, val) in &v.headers {
                    req = req.header(k.as_str(), fill(val).as_str());
                }
                req.call()
            }
            "POST" => {
                let mut req = self.agent.post(&v.url);
                for (k, val) in &v.headers {
                    req = req.header(k.as_str(), fill(val).as_str());
                }
                req.send_empty()
            }
            other => return Err(format!("unsupported method {other}")),
        };
        // The error text never carries the request's headers, so the secret cannot leak through it.
        response
            .map(|r| r.status().as_u16())
            .map_err(|e| format!("request failed: {}", error_kind(&e)))
    }
}

/// A short, secret-free description of a transport error.
fn error_kind(e: &ureq::Error) -> &'static str {
    match e {
        ureq::Error::Timeout(_) => "timed out",
        ureq::Error::Io(_) => "connection failed",
        ureq::Error::HostNotFound => "host not found",
        ureq::Error::ConnectionFailed => "connection failed",
        ureq::Error::Tls(_) => "TLS failed",
        _ => "transport error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_checks_go_to_https_endpoints_with_a_doc() {
        let rules = crate::rules::embedded_rules().unwrap();
        let checks: Vec<_> = rules
            .iter()
            .filter_map(|(_, d)| d.verify.as_ref())
            .collect();
        assert!(checks.len() >= 7, "{}", checks.len());
        for v in checks {
            assert!(v.url.starts_with("https://"), "{}", v.url);
            assert!(v.doc.starts_with("https://"), "{}", v.doc);
            assert!(
                v.headers.iter().any(|(_, h)| h.contains("{secret}")),
                "{}",
                v.url
            );
        }
    }

    #[test]
    fn only_https_or_loopback_receive_secrets() {
        assert!(url_allowed("https://api.github.com/user"));
        assert!(url_allowed("http://127.0.0.1:8080/x"));
        assert!(url_allowed("http://localhost/x"));
        assert!(!url_allowed("http://api.github.com/user"));
        assert!(!url_allowed("http://127.0.0.1.evil.io/x"));
        assert!(!url_allowed("ftp://x"));
    }
}
