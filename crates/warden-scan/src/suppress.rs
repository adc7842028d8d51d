//! Inline suppression: `warden:ignore` on the finding's line or the line above silences every rule there;
//! `warden:ignore[secrets/openai-project-key, generic-secret]` only the rules named (full id or the part after
//! the analyzer prefix).

const MARKER: &[u8] = b"warden:ignore";

/// Whether `line` carries a marker that silences `rule_id`.
pub fn line_ignores(line: &[u8], rule_id: &str) -> bool {
    let mut rest = line;
    while let Some(i) = memchr::memmem::find(rest, MARKER) {
        let after = &rest[i + MARKER.len()..];
        match after.first() {
            Some(b'[') => {
                let end = memchr::memchr(b']', after).unwrap_or(after.len());
                let list = String::from_utf8_lossy(&after[1..end]);
                let short = rule_id.split_once('/').map_or(rule_id, |(_, s)| s);
                if list
                    .split(',')
                    .map(str::trim)
                    .any(|id| id == rule_id || id == short)
                {
                    return true;
                }
            }
            Some(c) if c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_' => {}
            _ => return true,
        }
        rest = after;
    }
    false
}

/// The 1-based `line` of `bytes` (without its newline), or empty.
pub fn nth_line(bytes: &[u8], line: u32) -> &[u8] {
    if line == 0 {
        return &[];
    }
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => start += i + 1,
            None => return &[],
        }
    }
    let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
    &bytes[start..end]
}

/// Whether a finding at `line` is silenced by a marker on that line or the one above.
pub fn is_suppressed(bytes: &[u8], line: u32, rule_id: &str) -> bool {
    line_ignores(nth_line(bytes, line), rule_id)
        || line_ignores(nth_line(bytes, line.saturating_sub(1)), rule_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let id = "secrets/openai-project-key";
        assert!(line_ignores(b"key = 'sk-proj-..' # warden:ignore", id));
        assert!(line_ignores(
            b"# warden:ignore[secrets/openai-project-key]",
            id
        ));
        assert!(line_ignores(
            b"// warden:ignore[other, openai-project-key]",
            id
        ));
        assert!(!line_ignores(
            b"# warden:ignore[secrets/slack-bot-token]",
            id
        ));
        assert!(!line_ignores(b"# warden:ignored-by-nobody", id));
        assert!(!line_ignores(b"nothing here", id));
    }

    #[test]
    fn previous_line_counts() {
        let text = b"a\n# warden:ignore\nsecret\nother\n";
        assert!(is_suppressed(text, 3, "secrets/x"));
        assert!(!is_suppressed(text, 4, "secrets/x"));
        assert_eq!(nth_line(text, 4), b"other");
        assert_eq!(nth_line(text, 9), b"");
    }
}
