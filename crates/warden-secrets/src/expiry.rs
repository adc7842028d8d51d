//! When a credential's own text says it has expired: the `se=` (signed expiry) of an Azure SAS query string,
//! the `exp` claim of a JWT. An expired credential grants nothing any more: still reported (it shows where
//! credentials are handled carelessly, and the key that signed a SAS is not expired), at low confidence.

use base64::Engine as _;
use serde::Deserialize;

/// Where a rule's credential states its expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expiry {
    /// The `se=` parameter of the SAS query string on the same line (ISO 8601, URL-encoded or not).
    Sas,
    /// The `exp` claim (seconds since the epoch) of the JWT's payload.
    Jwt,
}

/// The expiry, in seconds since the epoch, that `secret` (found on `line`) states, if it states one.
pub fn expires_at(kind: Expiry, line: &[u8], secret: &[u8]) -> Option<i64> {
    match kind {
        Expiry::Sas => sas_expiry(line),
        Expiry::Jwt => jwt_exp(secret),
    }
}

fn sas_expiry(line: &[u8]) -> Option<i64> {
    // `se=` begins the query or follows `&` (or its HTML escape `&amp;`).
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&line[from..], b"se=") {
        let at = from + i;
        from = at + 3;
        if at > 0 && !matches!(line[at - 1], b'&' | b'?' | b';') {
            continue;
        }
        if let Some(t) = iso_date(&line[at + 3..]) {
            return Some(t);
        }
    }
    None
}

/// `YYYY-MM-DD`, optionally followed by `T` and `HH:MM[:SS]` (colons may be `%3A`), read as UTC.
fn iso_date(s: &[u8]) -> Option<i64> {
    let num = |b: &[u8]| -> Option<i64> {
        if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(b).ok()?.parse().ok()
    };
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&s[..4])?, num(&s[5..7])?, num(&s[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    let rest = &s[10..];
    if rest.first() == Some(&b'T') {
        let t = String::from_utf8_lossy(&rest[1..rest.len().min(20)])
            .replace("%3A", ":")
            .replace("%3a", ":");
        let mut parts = t.split(':');
        let h = parts.next().and_then(|p| num(p.get(..2)?.as_bytes()));
        let mi = parts.next().and_then(|p| num(p.get(..2)?.as_bytes()));
        let se = parts.next().and_then(|p| num(p.get(..2)?.as_bytes()));
        secs += h.unwrap_or(0) * 3600 + mi.unwrap_or(0) * 60 + se.unwrap_or(0);
    } else {
        // A date alone is valid through that day.
        secs += 86_399;
    }
    Some(secs)
}

fn jwt_exp(secret: &[u8]) -> Option<i64> {
    let payload = secret.split(|b| *b == b'.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("exp")?.as_f64().map(|e| e as i64)
}

use warden_core::time::days_from_civil;
pub use warden_core::time::{date, now};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sas_expiry_is_read_from_the_query_string() {
        let line =
            b"https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&se=2023-12-20T22:54:52Z&sig=abc";
        assert_eq!(
            date(expires_at(Expiry::Sas, line, b"").unwrap()),
            "2023-12-20"
        );
        let enc = b"?sp=r&amp;se=2031-01-02T03%3A04%3A05Z&amp;sv=2021-06-08&amp;sig=x";
        let t = expires_at(Expiry::Sas, enc, b"").unwrap();
        assert_eq!(
            t,
            days_from_civil(2031, 1, 2) * 86_400 + 3 * 3600 + 4 * 60 + 5
        );
        // A date alone lasts the day; `rse=` or `case=` is not `se=`.
        assert_eq!(
            expires_at(Expiry::Sas, b"?sv=2020-01-01&se=2024-02-29&sig=x", b""),
            Some(days_from_civil(2024, 2, 29) * 86_400 + 86_399)
        );
        assert_eq!(
            expires_at(Expiry::Sas, b"?rse=2020-01-01&case=2020-01-01&sig=x", b""),
            None
        );
        assert_eq!(expires_at(Expiry::Sas, b"?se=2020-13-01&sig=x", b""), None);
        assert_eq!(expires_at(Expiry::Sas, b"?se=20", b""), None);
    }

    #[test]
    fn jwt_exp_is_read_from_the_payload() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256"}"#),
            enc(r#"{"sub":"x","exp":1700000000}"#)
        );
        assert_eq!(
            expires_at(Expiry::Jwt, b"", jwt.as_bytes()),
            Some(1_700_000_000)
        );
        assert_eq!(date(1_700_000_000), "2023-11-14");
        let none = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256"}"#),
            enc(r#"{"sub":"x"}"#)
        );
        assert_eq!(expires_at(Expiry::Jwt, b"", none.as_bytes()), None);
        assert_eq!(expires_at(Expiry::Jwt, b"", b"not.a.jwt"), None);
    }

    #[test]
    fn dates_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2024, 12, 31), (2099, 6, 15)] {
            assert_eq!(
                date(days_from_civil(y, m, d) * 86_400),
                format!("{y:04}-{m:02}-{d:02}")
            );
        }
    }
}
