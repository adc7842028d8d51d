//! Live validation (opt-in, `--validate`): asking the provider whether a found credential works, as the rule's
//! `[rule.verify]` data says — one request to the provider's fixed host, the secret in a header, HTTP Basic
//! credentials, the URL's path or query, or an AWS Signature V4 (with the key id found beside the secret), the
//! answer's status (and, where the provider answers 200 either way, a marker in its body) read as live, dead or
//! unknown.
//!
//! Safety rules, enforced here and not left to the rule author:
//! - the URL is the rule's, never one read from the scanned content; embedded rules must use `https://`, and
//!   plain `http://` is accepted only for loopback hosts (the tests' local servers);
//! - each unique secret is sent at most once per run (a shared cache keyed by the secret's keyed hash), with a
//!   timeout, and only while the number of requests in flight is under a cap;
//! - nothing from the response is kept but its status code and whether a marker occurred in its first 64 KiB.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read as _;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

/// How a rule's credential is checked.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// `GET` or `POST`.
    #[serde(default = "get")]
    pub method: String,
    /// The provider's endpoint (fixed host, `https://`); `{secret}` may appear in its path or query, never
    /// in its host.
    pub url: String,
    /// Request headers; `{secret}` is replaced by the credential, `{id}` by the identifier half found beside
    /// it (a key id, an account SID).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// HTTP Basic credentials `[user, password]`, with the same placeholders.
    #[serde(default)]
    pub basic: Option<(String, String)>,
    /// A request body (with `method = "POST"`), with the same placeholders, sent as
    /// `application/x-www-form-urlencoded` unless a `Content-Type` header says otherwise.
    #[serde(default)]
    pub body: Option<String>,
    /// Sign the request with AWS Signature Version 4 (`[region, service]`): the access key id is `{id}`, the
    /// secret access key is the secret.
    #[serde(default)]
    pub aws_sigv4: Option<(String, String)>,
    /// Status codes that mean the credential works.
    pub live: Vec<u16>,
    /// Status codes that mean it does not (revoked, expired, never valid).
    pub dead: Vec<u16>,
    /// For providers that answer 200 either way: a live status counts only when the body holds one of these.
    #[serde(default)]
    pub body_live: Vec<String>,
    /// A body holding one of these means dead, whatever the status.
    #[serde(default)]
    pub body_dead: Vec<String>,
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

impl Verify {
    /// Whether the check needs the identifier half of the pair (`{id}`, or a SigV4 signature).
    pub fn needs_id(&self) -> bool {
        self.aws_sigv4.is_some()
            || self.url.contains("{id}")
            || self.headers.iter().any(|(_, v)| v.contains("{id}"))
            || self
                .basic
                .as_ref()
                .is_some_and(|(u, p)| u.contains("{id}") || p.contains("{id}"))
            || self.body.as_deref().is_some_and(|b| b.contains("{id}"))
    }
}

/// Checks that a rule's URL may receive secrets: `https://`, or `http://` to a loopback host, and no
/// placeholder in the host (the host is the rule's, never the scanned content's).
pub fn url_allowed(url: &str) -> bool {
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains(['{', '}', '@']) {
        return false;
    }
    if https {
        return true;
    }
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// A credential put in a URL's path or query: everything but unreserved characters percent-encoded (`:` kept,
/// as in Telegram's `bot123:ABC` path segment).
fn url_encode(s: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b':');
    percent_encoding::utf8_percent_encode(s, KEEP).to_string()
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

    /// The outcome for `secret` (cached under `key`: the rule and the keyed hashes of the secret and of `id`),
    /// with `id` the identifier half found beside it, if any.
    pub fn check(&self, key: &str, secret: &str, id: Option<&str>, v: &Verify) -> Outcome {
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.entry(key.to_string()).or_default().clone()
        };
        cell.get_or_init(|| self.request(secret, id, v)).clone()
    }

    fn request(&self, secret: &str, id: Option<&str>, v: &Verify) -> Outcome {
        if !url_allowed(&v.url) {
            return Outcome::Unknown("the rule's URL is not https".into());
        }
        if v.needs_id() && id.is_none() {
            return Outcome::Unknown(
                "the check needs the key id, which is not beside the secret".into(),
            );
        }
        {
            let mut n = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            while *n >= self.max_in_flight {
                n = self.slot.wait(n).unwrap_or_else(|e| e.into_inner());
            }
            *n += 1;
        }
        let result = self.send(secret, id.unwrap_or(""), v);
        {
            let mut n = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            *n -= 1;
            self.slot.notify_one();
        }
        match result {
            Ok((_, body)) if v.body_dead.iter().any(|m| body.contains(m.as_str())) => Outcome::Dead,
            Ok((status, body))
                if v.live.contains(&status)
                    && (v.body_live.is_empty()
                        || v.body_live.iter().any(|m| body.contains(m.as_str()))) =>
            {
                Outcome::Live
            }
            Ok((status, _)) if v.dead.contains(&status) => Outcome::Dead,
            Ok((status, _)) => Outcome::Unknown(format!("the provider answered HTTP {status}")),
            Err(e) => Outcome::Unknown(e),
        }
    }

    fn send(&self, secret: &str, id: &str, v: &Verify) -> Result<(u16, String), String> {
        let fill = |s: &str| s.replace("{secret}", secret).replace("{id}", id);
        let url = v
            .url
            .replace("{secret}", &url_encode(secret))
            .replace("{id}", &url_encode(id));
        let mut headers: Vec<(String, String)> = v
            .headers
            .iter()
            .map(|(k, val)| (k.clone(), fill(val)))
            .collect();
        if let Some((user, pass)) = &v.basic {
            let token = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                fill(user),
                fill(pass)
            ));
            headers.push(("Authorization".into(), format!("Basic {token}")));
        }
        let body = v.body.as_deref().map(fill);
        if body.is_some()
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ));
        }
        if let Some((region, service)) = &v.aws_sigv4 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            sigv4_sign(
                &v.method,
                &url,
                &mut headers,
                body.as_deref().unwrap_or(""),
                (id, secret),
                (region, service),
                now,
            )?;
        }
        let response = match v.method.as_str() {
            "GET" => {
                let mut req = self.agent.get(&url);
                for (k, val) in &headers {
                    req = req.header(k.as_str(), val.as_str());
                }
                req.call()
            }
            "POST" => {
                let mut req = self.agent.post(&url);
                for (k, val) in &headers {
                    req = req.header(k.as_str(), val.as_str());
                }
                match &body {
                    Some(b) => req.send(b.as_bytes()),
                    None => req.send_empty(),
                }
            }
            other => return Err(format!("unsupported method {other}")),
        };
        // The error text never carries the request's headers, so the secret cannot leak through it.
        let mut response = response.map_err(|e| format!("request failed: {}", error_kind(&e)))?;
        let status = response.status().as_u16();
        // Only read when a marker decides, and never more than 64 KiB.
        let mut text = String::new();
        if !v.body_live.is_empty() || !v.body_dead.is_empty() {
            let mut buf = Vec::new();
            let _ = response
                .body_mut()
                .as_reader()
                .take(64 << 10)
                .read_to_end(&mut buf);
            text = String::from_utf8_lossy(&buf).into_owned();
        }
        Ok((status, text))
    }
}

/// Adds AWS Signature Version 4 headers (`x-amz-date`, `Authorization`) to a request with no query string,
/// as the AWS General Reference's signing steps give them.
fn sigv4_sign(
    method: &str,
    url: &str,
    headers: &mut Vec<(String, String)>,
    body: &str,
    (key_id, secret): (&str, &str),
    (region, service): (&str, &str),
    now: i64,
) -> Result<(), String> {
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or("the rule's URL has no scheme")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    // `20150830T123600Z`, and its day `20150830`.
    let amz_date = warden_core::time::rfc3339(now).replace(['-', ':'], "");
    let day = amz_date[..8].to_string();
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    let mut signed: Vec<(String, String)> = vec![
        ("host".into(), host.to_string()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    if let Some(ct) = content_type {
        signed.push(("content-type".into(), ct));
    }
    signed.sort();
    let canonical_headers: String = signed
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    let signed_names = signed
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{method}\n{path}\n\n{canonical_headers}\n{signed_names}\n{}",
        hex::encode(Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mac = |key: &[u8], data: &str| -> Vec<u8> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(data.as_bytes());
        m.finalize().into_bytes().to_vec()
    };
    let k = mac(format!("AWS4{secret}").as_bytes(), &day);
    let k = mac(&k, region);
    let k = mac(&k, service);
    let k = mac(&k, "aws4_request");
    let signature = hex::encode(mac(&k, &to_sign));
    headers.push(("x-amz-date".into(), amz_date));
    headers.push((
        "Authorization".into(),
        format!("AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed_names}, Signature={signature}"),
    ));
    Ok(())
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
        assert!(checks.len() >= 30, "{}", checks.len());
        for v in checks {
            assert!(v.url.starts_with("https://"), "{}", v.url);
            assert!(v.doc.starts_with("https://"), "{}", v.doc);
            let carries = v.headers.iter().any(|(_, h)| h.contains("{secret}"))
                || v.url.contains("{secret}")
                || v.basic
                    .as_ref()
                    .is_some_and(|(_, p)| p.contains("{secret}"))
                || v.aws_sigv4.is_some();
            assert!(carries, "{}: the secret goes nowhere", v.url);
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

#[cfg(test)]
mod sigv4_tests {
    use super::*;

    #[test]
    fn signature_v4_matches_the_aws_test_suite_get_vanilla_case() {
        // AWS Signature Version 4 test suite, `get-vanilla`: GET / on example.amazonaws.com, 2015-08-30T12:36:00Z.
        let mut headers = Vec::new();
        sigv4_sign(
            "GET",
            "https://example.amazonaws.com/",
            &mut headers,
            "",
            ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            ("us-east-1", "service"),
            1_440_938_160,
        )
        .unwrap();
        assert_eq!(
            headers[0],
            ("x-amz-date".to_string(), "20150830T123600Z".to_string())
        );
        assert_eq!(
            headers[1].1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn placeholders_never_reach_the_host() {
        assert!(url_allowed("https://api.telegram.org/bot{secret}/getMe"));
        assert!(!url_allowed("https://{secret}.example.com/x"));
        assert!(!url_allowed("https://user:{secret}@example.com/x"));
        assert!(!url_allowed("https://example.com{id}/x"));
        assert_eq!(url_encode("123:AA+b/c"), "123:AA%2Bb%2Fc");
    }
}
