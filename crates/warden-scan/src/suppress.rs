//! Inline suppression: `warden:ignore` on the finding's line or the line above silences every rule there;
//! `warden:ignore[secrets/openai-project-key, generic-secret]` only the rules named (full id or the part after
//! the analyzer prefix).

use warden_core::Finding;

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

/// The lines of one file that carry a marker, found in one pass: checking a finding costs a binary search,
/// not a count of lines from the top (a file with 200,000 findings stays linear).
pub struct Markers<'a> {
    bytes: &'a [u8],
    /// (1-based line, byte range of the line) for every line holding the marker, in order.
    lines: Vec<(u32, std::ops::Range<usize>)>,
}

impl<'a> Markers<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut lines = Vec::new();
        let finder = memchr::memmem::Finder::new(MARKER);
        let mut line_no = 1u32;
        let mut counted_to = 0;
        let mut last_line = 0;
        for at in finder.find_iter(bytes) {
            line_no += memchr::memchr_iter(b'\n', &bytes[counted_to..at]).count() as u32;
            counted_to = at;
            if line_no == last_line {
                continue;
            }
            last_line = line_no;
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            lines.push((line_no, start..end));
        }
        Markers { bytes, lines }
    }

    fn line(&self, line: u32) -> Option<&[u8]> {
        let i = self.lines.binary_search_by_key(&line, |(l, _)| *l).ok()?;
        Some(&self.bytes[self.lines[i].1.clone()])
    }

    /// Whether a finding of `rule_id` at `line` is silenced by a marker on that line or the one above.
    pub fn suppresses(&self, line: u32, rule_id: &str) -> bool {
        if self.lines.is_empty() {
            return false;
        }
        [line, line.saturating_sub(1)]
            .into_iter()
            .filter_map(|l| self.line(l))
            .any(|text| line_ignores(text, rule_id))
    }

    /// Drops silenced findings; returns how many.
    pub fn retain(&self, findings: &mut Vec<Finding>) -> u64 {
        if self.lines.is_empty() {
            return 0;
        }
        let before = findings.len();
        findings.retain(|f| !self.suppresses(f.location.start_line, &f.rule_id));
        (before - findings.len()) as u64
    }
}

/// The 1-based `line` of `bytes` (without its newline), or empty. Linear in the file: for tests and one-offs.
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
    Markers::new(bytes).suppresses(line, rule_id)
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
        assert!(is_suppressed(text, 2, "secrets/x"));
        assert!(!is_suppressed(text, 4, "secrets/x"));
        assert!(!is_suppressed(text, 1, "secrets/x"));
        assert_eq!(nth_line(text, 4), b"other");
        assert_eq!(nth_line(text, 9), b"");
    }

    #[test]
    fn two_markers_on_one_line_are_one_line() {
        let text = b"x # warden:ignore[a] warden:ignore[b]\ny\n";
        let m = Markers::new(text);
        assert!(m.suppresses(1, "secrets/b") && m.suppresses(2, "secrets/a"));
        assert!(!m.suppresses(2, "secrets/c"));
    }
}
