//! warden's credential analyzer. Rules are data (rules/*.toml, see docs/secret-rules.md); matching is a keyword
//! prefilter plus per-rule regexes on windows ([`engine`]); Kubernetes/docker base64, JSON escapes and URL
//! encoding are decoded and scanned again ([`decode`]); every secret is redacted before it leaves the crate.

pub mod decode;
pub mod engine;
pub mod entropy;
pub mod filters;
pub mod prefilter;
pub mod redact;
pub mod rules;

use engine::Engine;
use rules::{RuleDef, RuleError};
use std::ops::Range;
use warden_core::finding::{fingerprint, secret_sha256};
use warden_core::{Config, Finding, Location, RuleMeta};
use warden_scan::{Analyzer, FileMeta, FileOutput, SourceFile};

/// How deep decoded views nest (a base64 `.dockerconfigjson` holding base64 `auth` values is two).
const MAX_DECODE_DEPTH: usize = 2;
const SNIPPET_MAX: usize = 160;

pub struct SecretsAnalyzer {
    engine: Engine,
    metas: Vec<RuleMeta>,
}

/// A match mapped back to the scanned file.
struct Hit {
    rule: usize,
    secret: Vec<u8>,
    /// Where to point in the file: the secret itself, or the encoded value it was decoded from.
    loc: Range<usize>,
    encoding: Option<&'static str>,
    checksum: Option<bool>,
}

impl SecretsAnalyzer {
    /// Every embedded rule, less those the config disables.
    pub fn new(config: &Config) -> Result<Self, RuleError> {
        let defs: Vec<RuleDef> = rules::embedded_rules()?
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| !config.rule_disabled(&d.full_id()))
            .collect();
        Self::from_defs(defs)
    }

    pub fn from_defs(defs: Vec<RuleDef>) -> Result<Self, RuleError> {
        let engine = Engine::new(defs)?;
        let metas = engine.rules.iter().map(|r| r.meta.clone()).collect();
        Ok(SecretsAnalyzer { engine, metas })
    }

    /// Compiles every rule's regex now; the ids of those that fail (the engine would never match them).
    pub fn compile_all(&self) -> Vec<String> {
        self.engine
            .rules
            .iter()
            .filter(|r| r.regex().is_none())
            .map(|r| format!("{}: pattern does not compile", r.meta.id))
            .collect()
    }

    pub fn rule_defs(&self) -> impl Iterator<Item = &RuleDef> {
        self.engine.rules.iter().map(|r| &r.def)
    }

    fn hits(&self, path: &str, text: &[u8], depth: usize, out: &mut Vec<Hit>) {
        for f in self.engine.find(path, text) {
            out.push(Hit {
                rule: f.rule,
                secret: text[f.secret.clone()].to_vec(),
                loc: f.secret,
                encoding: None,
                checksum: f.checksum,
            });
        }
        if depth >= MAX_DECODE_DEPTH {
            return;
        }
        for view in decode::views(path, text) {
            let mut inner = Vec::new();
            self.hits(path, &view.text, depth + 1, &mut inner);
            for h in inner {
                out.push(Hit {
                    rule: h.rule,
                    secret: h.secret,
                    loc: view.source_of(h.loc.start),
                    encoding: Some(h.encoding.unwrap_or(view.encoding)),
                    checksum: h.checksum,
                });
            }
        }
    }

    /// Scans bytes as if they were the file at `path`; the per-file phase without the pipeline around it.
    pub fn scan(&self, path: &str, bytes: &[u8]) -> Vec<Finding> {
        let mut hits = Vec::new();
        self.hits(path, bytes, 0, &mut hits);
        if hits.is_empty() {
            return Vec::new();
        }
        // A fallback match on an encoded value is noise once the decoded value produced its own finding.
        let decoded: Vec<Range<usize>> = hits
            .iter()
            .filter(|h| h.encoding.is_some())
            .map(|h| h.loc.clone())
            .collect();
        hits.retain(|h| {
            h.encoding.is_some()
                || !self.engine.rules[h.rule].fallback
                || !decoded
                    .iter()
                    .any(|d| d.start < h.loc.end && h.loc.start < d.end)
        });
        // The same credential raw and decoded is one finding: the same rule on the same spot (a JSON-escaped PEM
        // matched both ways), or, where decoding only unescapes (JSON, URL), any specific rule on the same spot
        // (the service-account rule on the raw line, the PEM rule on the unescaped one).
        let raw: Vec<(usize, Range<usize>)> = hits
            .iter()
            .filter(|h| h.encoding.is_none())
            .map(|h| (h.rule, h.loc.clone()))
            .collect();
        hits.retain(|h| {
            let Some(enc) = h.encoding else { return true };
            let unescaped = enc != "base64";
            !raw.iter().any(|(r, l)| {
                l.start < h.loc.end
                    && h.loc.start < l.end
                    && (*r == h.rule || (unescaped && !self.engine.rules[*r].fallback))
            })
        });
        let lines = LineIndex::new(bytes);
        // One credential found raw and again in a decoded view of the same line is one finding.
        let mut seen = std::collections::HashSet::new();
        hits.retain(|h| seen.insert((h.rule, h.secret.clone(), lines.line_of(h.loc.start))));
        let redactions: Vec<Range<usize>> = hits.iter().map(|h| h.loc.clone()).collect();
        let mut secrets: Vec<String> = hits
            .iter()
            .map(|h| String::from_utf8_lossy(&h.secret).into_owned())
            .filter(|s| s.len() >= 8)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        hits.iter()
            .map(|h| self.finding(path, bytes, &lines, h, &redactions, &secrets))
            .collect()
    }

    fn finding(
        &self,
        path: &str,
        bytes: &[u8],
        lines: &LineIndex,
        h: &Hit,
        redactions: &[Range<usize>],
        secrets: &[String],
    ) -> Finding {
        let rule = &self.engine.rules[h.rule];
        let secret = String::from_utf8_lossy(&h.secret).into_owned();
        let (start_line, start_column) = lines.position(h.loc.start);
        let (end_line, end_column) = lines.position(h.loc.end);
        let redacted = redact::redact(&secret);
        let lifetime = rule.def.lifetime;
        let mut message = format!("{} `{redacted}`", rule.def.title);
        if let Some(enc) = h.encoding {
            message.push_str(&format!(" (decoded from {enc})"));
        }
        message.push_str(
            &format!("; {} credential", lifetime.as_str()).replace("; unknown credential", ""),
        );
        let mut tags = rule.meta.tags.clone();
        if let Some(enc) = h.encoding {
            tags.push(format!("decoded:{enc}"));
        }
        // A token whose built-in checksum fails was never issued: a test value or a typo, still worth a look.
        let mut confidence = rule.def.confidence;
        match h.checksum {
            Some(true) => tags.push("checksum:valid".into()),
            Some(false) => {
                tags.push("checksum:invalid".into());
                confidence = warden_core::Confidence::Low;
                message.push_str(" (its checksum does not match: likely not a real token)");
            }
            None => {}
        }
        Finding {
            rule_id: rule.meta.id.clone(),
            title: rule.def.title.clone(),
            message,
            severity: rule.def.severity,
            confidence,
            location: Location {
                path: path.to_owned(),
                start_line,
                start_column,
                end_line,
                end_column,
                provenance: None,
            },
            snippet: snippet(bytes, lines, h.loc.start, redactions, secrets),
            secret: Some(redacted),
            secret_sha256: Some(secret_sha256(&secret)),
            lifetime: Some(lifetime),
            fingerprint: fingerprint(&rule.meta.id, path, &secret),
            tags,
            remediation: rule.meta.remediation.clone(),
            matched: secret,
        }
    }
}

impl Analyzer for SecretsAnalyzer {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    fn wants(&self, _file: &FileMeta) -> bool {
        true // credentials hide in every kind of text file
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        out.findings.extend(self.scan(file.meta.path, file.bytes));
    }
}

/// Byte offset → 1-based line and column, built only for files with hits.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(bytes: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.line_of(offset);
        (line as u32, (offset - self.starts[line - 1] + 1) as u32)
    }

    fn line_range(&self, line: usize, len: usize) -> Range<usize> {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(len, |&s| s - 1);
        start..end.max(start)
    }
}

/// The line around `at`, trimmed to at most [`SNIPPET_MAX`] characters, with every credential on it redacted:
/// the matched ranges, and any other occurrence of a matched secret's text.
fn snippet(
    bytes: &[u8],
    lines: &LineIndex,
    at: usize,
    redactions: &[Range<usize>],
    secrets: &[String],
) -> String {
    let line = lines.line_range(lines.line_of(at), bytes.len());
    let mut cuts: Vec<&Range<usize>> = redactions
        .iter()
        .filter(|r| r.start < line.end.max(line.start + 1) && r.end > line.start)
        .collect();
    cuts.sort_by_key(|r| r.start);
    let mut out = String::new();
    let mut pos = line.start;
    let mut focus = 0;
    for r in cuts {
        let s = r.start.max(line.start);
        if s < pos {
            continue;
        }
        out.push_str(&String::from_utf8_lossy(&bytes[pos..s]));
        if r.start == at {
            focus = out.chars().count();
        }
        out.push_str(&redact::redact(&String::from_utf8_lossy(&bytes[r.clone()])));
        pos = r.end.min(line.end).max(s);
        if r.end > line.end {
            pos = line.end;
        }
    }
    if pos < line.end {
        out.push_str(&String::from_utf8_lossy(&bytes[pos..line.end]));
    }
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), &redact::redact(secret));
        }
    }
    let trimmed = out.trim_end_matches('\r');
    let lead = trimmed.chars().take_while(|c| c.is_whitespace()).count();
    let chars: Vec<char> = trimmed.chars().skip(lead).collect();
    let focus = focus.saturating_sub(lead);
    if chars.len() <= SNIPPET_MAX {
        return chars.into_iter().collect();
    }
    let start = focus
        .saturating_sub(SNIPPET_MAX / 3)
        .min(chars.len() - SNIPPET_MAX);
    let mut s: String = chars[start..start + SNIPPET_MAX].iter().collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if start + SNIPPET_MAX < chars.len() {
        s.push('…');
    }
    s
}
