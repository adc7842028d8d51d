//! Decoded views of a file: base64 values (Kubernetes `Secret` data, docker `auth`), JSON string escapes
//! (notebooks, service-account JSON) and URL-encoding. Each view is new text plus a map from its byte ranges
//! back to the encoded bytes, so a finding in decoded text points at the line of the encoded value.

use crate::filters::decode_base64;
use regex::bytes::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Longest line that JSON-unescaping and URL-decoding look at.
const MAX_VIEW_LINE: usize = 8 * 1024;

pub struct View {
    pub text: Vec<u8>,
    /// Sorted by `view.start`; every byte of `text` belongs to one segment.
    pub segments: Vec<Segment>,
    pub encoding: &'static str,
}

pub struct Segment {
    pub view: Range<usize>,
    pub src: Range<usize>,
}

impl View {
    fn new(encoding: &'static str) -> Self {
        View {
            text: Vec::new(),
            segments: Vec::new(),
            encoding,
        }
    }

    fn push(&mut self, decoded: &[u8], src: Range<usize>) {
        let start = self.text.len();
        self.text.extend_from_slice(decoded);
        self.text.push(b'\n');
        self.segments.push(Segment {
            view: start..self.text.len(),
            src,
        });
    }

    /// The encoded source range that view offset `at` came from.
    pub fn source_of(&self, at: usize) -> Range<usize> {
        let i = self
            .segments
            .partition_point(|s| s.view.end <= at)
            .min(self.segments.len().saturating_sub(1));
        self.segments[i].src.clone()
    }
}

static YAML_B64: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*"?([A-Za-z0-9_.-]{1,128})"?[ \t]*:[ \t]*["']?([A-Za-z0-9+/]{12,}={0,2})["']?[ \t]*,?[ \t]*\r?$"#)
        .expect("static regex")
});
static JSON_B64: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""([A-Za-z0-9_.-]{1,128})"[ \t]*:[ \t]*"([A-Za-z0-9+/]{12,}={0,2})""#)
        .expect("static regex")
});
static PERCENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"%[0-9A-Fa-f]{2}").expect("static regex"));

/// Every decoded view worth scanning for this file.
pub fn views(path: &str, text: &[u8]) -> Vec<View> {
    let mut out = Vec::new();
    if let Some(v) = base64_values(text) {
        out.push(v);
    }
    if is_json_like(path) {
        if let Some(v) = json_unescaped(text) {
            out.push(v);
        }
    }
    if let Some(v) = url_decoded(text) {
        out.push(v);
    }
    out
}

fn contains(text: &[u8], needle: &str) -> bool {
    memchr::memmem::find(text, needle.as_bytes()).is_some()
}

fn is_k8s_secret(text: &[u8]) -> bool {
    [
        "kind: Secret",
        "kind: \"Secret\"",
        "kind: 'Secret'",
        "\"kind\": \"Secret\"",
        "\"kind\":\"Secret\"",
    ]
    .iter()
    .any(|k| contains(text, k))
}

/// base64 values of key/value pairs, in Kubernetes Secrets and docker configs only: elsewhere base64 is data.
fn base64_values(text: &[u8]) -> Option<View> {
    let k8s = is_k8s_secret(text);
    let docker = contains(text, "\"auth\"")
        || contains(text, "dockerconfigjson")
        || contains(text, "dockercfg");
    if !k8s && !docker {
        return None;
    }
    let mut view = View::new("base64");
    let mut seen: Vec<Range<usize>> = Vec::new();
    let regexes: &[&Regex] = if k8s {
        &[&YAML_B64, &JSON_B64]
    } else {
        &[&JSON_B64]
    };
    for re in regexes {
        for caps in re.captures_iter(text) {
            let (Some(key), Some(val)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            if !k8s && key.as_bytes() != b"auth" {
                continue;
            }
            if seen.contains(&val.range()) {
                continue;
            }
            let Some(decoded) = decode_base64(val.as_bytes()).filter(|d| is_printable(d)) else {
                continue;
            };
            seen.push(val.range());
            let mut line = key.as_bytes().to_vec();
            line.extend_from_slice(b": ");
            line.extend_from_slice(&decoded);
            view.push(&line, val.range());
        }
    }
    (!view.segments.is_empty()).then_some(view)
}

/// Text, not bytes: valid UTF-8 without control characters other than whitespace.
fn is_printable(d: &[u8]) -> bool {
    !d.is_empty()
        && std::str::from_utf8(d).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        })
}

fn is_json_like(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".json", ".ipynb", ".jsonl", ".ndjson", ".har", ".tfstate"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Each line holding JSON escapes, unescaped.
fn json_unescaped(text: &[u8]) -> Option<View> {
    memchr::memchr(b'\\', text)?;
    let mut view = View::new("json-escape");
    for (range, line) in lines(text) {
        // Minified bundles and source maps are one huge line: a finding there could not point anywhere useful.
        if line.len() > MAX_VIEW_LINE || memchr::memchr(b'\\', line).is_none() {
            continue;
        }
        let decoded = unescape_json(line);
        if decoded != line {
            view.push(&decoded, range);
        }
    }
    (!view.segments.is_empty()).then_some(view)
}

/// JSON string escapes (`\"`, `\\`, `\n`, `\t`, `\/`, `\uXXXX`); anything else is kept as it is. Written by hand
/// because the escapes sit inside lines that are not whole JSON documents.
pub fn unescape_json(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() {
            let simple = match s[i + 1] {
                b'"' => Some(b'"'),
                b'\\' => Some(b'\\'),
                b'/' => Some(b'/'),
                b'n' => Some(b'\n'),
                b't' => Some(b'\t'),
                b'r' => Some(b'\r'),
                _ => None,
            };
            if let Some(c) = simple {
                out.push(c);
                i += 2;
                continue;
            }
            if s[i + 1] == b'u' && i + 6 <= s.len() {
                if let Some(c) = std::str::from_utf8(&s[i + 2..i + 6])
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    i += 6;
                    continue;
                }
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Lines holding two or more percent-escapes, decoded.
fn url_decoded(text: &[u8]) -> Option<View> {
    memchr::memchr(b'%', text)?;
    let mut view = View::new("url-encoding");
    for (range, line) in lines(text) {
        if line.len() > MAX_VIEW_LINE
            || memchr::memchr(b'%', line).is_none()
            || PERCENT.find_iter(line).nth(1).is_none()
        {
            continue;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode(line).collect();
        if decoded != line && std::str::from_utf8(&decoded).is_ok() {
            view.push(&decoded, range);
        }
    }
    (!view.segments.is_empty()).then_some(view)
}

/// Lines with their byte ranges, leading whitespace and the line break left out.
fn lines(text: &[u8]) -> impl Iterator<Item = (Range<usize>, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        let mut s = start;
        while s < end && (text[s] == b' ' || text[s] == b'\t') {
            s += 1;
        }
        let mut e = end;
        if e > s && text[e - 1] == b'\r' {
            e -= 1;
        }
        start = end + 1;
        Some((s..e, &text[s..e]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k8s_secret_values_decode_with_their_keys() {
        let text = b"apiVersion: v1\nkind: Secret\ndata:\n  password: UzNjcjN0UEBzc3cwcmQh\n  name: bXlhcHA=\n"; // warden:ignore: test fixture
        let v = base64_values(text).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&v.text),
            "password: S3cr3tP@ssw0rd!\n" // warden:ignore: test fixture
        );
        let src = v.source_of(3);
        assert_eq!(&text[src], b"UzNjcjN0UEBzc3cwcmQh");
    }

    #[test]
    fn base64_elsewhere_is_left_alone() {
        // warden:ignore: test fixture
        assert!(base64_values(b"config:\n  password: UzNjcjN0UEBzc3cwcmQh\n").is_none());
    }

    #[test]
    fn json_escapes() {
        assert_eq!(unescape_json(br#"a\"b\\n\nc\u0041\q"#), b"a\"b\\n\ncA\\q");
        let v = json_unescaped(b"{\n  \"k\": \"x = \\\"v\\\"\"\n}").unwrap();
        assert_eq!(String::from_utf8_lossy(&v.text), "\"k\": \"x = \"v\"\"\n");
    }

    #[test]
    fn url_lines() {
        let v = url_decoded(b"url: https://h/?token%3Dabc%26x%3D1\nplain 100%\n").unwrap();
        assert_eq!(
            String::from_utf8_lossy(&v.text),
            "url: https://h/?token=abc&x=1\n"
        );
    }
}
