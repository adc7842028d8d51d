/// How many leading bytes decide whether a file is binary (the same heuristic as git and ripgrep).
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// A file is binary when its first 8 KiB hold a NUL byte.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LEN)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_means_binary() {
        assert!(is_binary(b"PK\x03\x04\x00\x00"));
        assert!(!is_binary("caf\u{e9} \u{1F512}".as_bytes()));
        assert!(!is_binary(b"\xff\xfe invalid utf-8 is still text"));
        let mut late = vec![b'a'; BINARY_SNIFF_LEN];
        late.push(0);
        assert!(!is_binary(&late));
    }
}
