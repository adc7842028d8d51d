//! Secrets are never printed whole: a short prefix (often just the provider's marker) and the length.

/// `sk-proj-…[164 chars]`, `-----BEGIN RSA PRIVATE KEY-----…[1679 chars]`.
pub fn redact(secret: &str) -> String {
    let len = secret.chars().count();
    if let Some(rest) = secret.strip_prefix("-----BEGIN") {
        if let Some(end) = rest.find("-----") {
            return format!(
                "{}…[{len} chars]",
                &secret[..secret.len() - rest.len() + end + 5]
            );
        }
    }
    let keep = if len < 12 { 0 } else { (len / 6).min(8) };
    let shown: String = secret.chars().take(keep).collect();
    format!("{shown}…[{len} chars]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_whole() {
        assert_eq!(
            redact("ghp_R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9Ab0Cd1E"), // warden:ignore: test fixture
            "ghp_R8…[40 chars]"
        );
        assert_eq!(redact("hunter2"), "…[7 chars]");
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
        assert!(redact(pem).starts_with("-----BEGIN RSA PRIVATE KEY-----…"));
        assert_eq!(redact("é€"), "…[2 chars]");
    }
}
