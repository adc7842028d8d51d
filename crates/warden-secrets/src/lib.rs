//! warden's credential analyzer. Rules are data (rules/*.toml, see docs/secret-rules.md); matching is a keyword
//! prefilter plus per-rule regexes on windows ([`engine`]); Kubernetes/docker base64, JSON escapes and URL
//! encoding are decoded and scanned again ([`decode`]); every secret is redacted before it leaves the crate.

pub mod archive;
pub mod binary;
pub mod decode;
pub mod engine;
pub mod entropy;
pub mod expiry;
pub mod filters;
mod lifetime;
pub mod prefilter;
pub mod redact;
pub mod rules;
mod snippet;
pub mod structured;
pub mod verify;

pub use lifetime::Lifetime;

use engine::Engine;
use rules::{RuleDef, RuleError};
use serde::{Deserialize, Serialize};
use snippet::{Intervals, Snippets};
use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use warden_core::{
    Analyzer, AnalyzerSetup, Claim, Config, ConfigError, FileMeta, FileOutput, Finding, HashKey,
    Location, RuleMeta, SourceFile,
};

/// How deep decoded views nest (a base64 `.dockerconfigjson` holding base64 `auth` values is two).
const MAX_DECODE_DEPTH: usize = 2;

/// The analyzer's name: the prefix of its rule ids, its `--only`/`--skip` family and its `warden.toml` section.
pub const NAME: &str = "secrets";

/// What a secrets finding carries beyond the core finding, under `ext.secrets` in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretDetails {
    /// The credential, redacted (`sk-proj-Ab…[164 chars]`), or whole with `--show-secrets`.
    pub secret: String,
    /// HMAC-SHA256 of the credential under the run's hash key: one credential in many places has one hash,
    /// and the hash cannot be tested against guesses without the key.
    pub secret_hash: String,
    pub lifetime: Lifetime,
    /// The encoding the credential was found inside (`base64`, `json`, `url`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_from: Option<String>,
    /// The day the credential's own text says it expired (a SAS `se=`, a JWT `exp`), when that is past.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_on: Option<String>,
}

impl SecretDetails {
    /// The details of a finding, if it is a secrets finding.
    pub fn of(f: &Finding) -> Option<Self> {
        serde_json::from_value(f.ext.get(NAME)?.clone()).ok()
    }
}

/// `[secrets]` in `warden.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSettings {
    /// Scan decoded views (base64 in Kubernetes Secrets and docker auth, JSON escapes, URL encoding); default on.
    #[serde(default = "yes")]
    pub decode: bool,
    /// Scan binary files too: UTF-16 text decoded, other binaries by their printable runs (images, media and
    /// compressed files excepted); default on.
    #[serde(default = "yes")]
    pub binary: bool,
    /// Scan inside archives and packages (zip, jar, wheel, tar, `.tar.gz`, gzip), nested; default on.
    #[serde(default = "yes")]
    pub archives: bool,
}

fn yes() -> bool {
    true
}

impl Default for SecretsSettings {
    fn default() -> Self {
        SecretsSettings {
            decode: true,
            binary: true,
            archives: true,
        }
    }
}

/// Why the analyzer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Rules(#[from] RuleError),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

pub struct SecretsAnalyzer {
    engine: Engine,
    metas: Vec<RuleMeta>,
    /// Rule index → the rules that find the other half of its credential (both directions).
    partners: HashMap<usize, Vec<usize>>,
    key: HashKey,
    reveal: bool,
    settings: SecretsSettings,
    /// Bytes of a binary file read at most (the scan's `max_file_size`).
    binary_max: u64,
    /// `--validate`: the shared checker (one request per unique secret).
    validator: Option<std::sync::Arc<verify::Validator>>,
    /// The working tree being scanned, if this is a working-tree scan (to find a bytecode cache's source).
    worktree: Option<std::path::PathBuf>,
}

/// A match mapped back to the scanned file.
struct Hit {
    rule: usize,
    secret: Vec<u8>,
    /// Where to point in the file: the secret itself, or the encoded value it was decoded from.
    loc: Range<usize>,
    encoding: Option<&'static str>,
    checksum: Option<bool>,
    weak: bool,
    /// When the credential's own text says it expires (seconds since the epoch).
    expires_at: Option<i64>,
}

impl SecretsAnalyzer {
    /// Every embedded rule the config enables, with the run's hash key and `[secrets]` settings.
    pub fn from_setup(setup: &AnalyzerSetup) -> Result<Self, SetupError> {
        let settings = match setup.config.section(NAME) {
            Some(s) => s.parse(NAME)?,
            None => SecretsSettings::default(),
        };
        let mut a = Self::with_rules(setup.config, setup.hash_key.clone())?;
        a.reveal = setup.reveal;
        a.settings = settings;
        a.binary_max = setup.config.max_file_size();
        a.worktree = setup.worktree.map(std::path::Path::to_path_buf);
        if setup.validate {
            a = a.with_validation();
        }
        Ok(a)
    }

    /// Every embedded rule the config enables, with a random hash key (for library use and tests: hashes
    /// agree within one process only).
    pub fn new(config: &Config) -> Result<Self, RuleError> {
        Self::with_rules(config, random_key())
    }

    fn with_rules(config: &Config, key: HashKey) -> Result<Self, RuleError> {
        let defs: Vec<RuleDef> = rules::embedded_rules()?
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| config.rule_enabled(&d.full_id()))
            .collect();
        let mut a = Self::from_defs(defs)?;
        a.key = key;
        Ok(a)
    }

    pub fn from_defs(defs: Vec<RuleDef>) -> Result<Self, RuleError> {
        let engine = Engine::new(defs)?;
        let metas = engine.rules.iter().map(|r| r.meta.clone()).collect();
        let index: HashMap<&str, usize> = engine
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.def.id.as_str(), i))
            .collect();
        let mut partners: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, r) in engine.rules.iter().enumerate() {
            for other in &r.def.pairs_with {
                // A partner that is not loaded (disabled by config) is simply not linked.
                if let Some(&j) = index.get(other.as_str()) {
                    partners.entry(i).or_default().push(j);
                    partners.entry(j).or_default().push(i);
                }
            }
        }
        for v in partners.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        Ok(SecretsAnalyzer {
            engine,
            metas,
            partners,
            key: random_key(),
            reveal: false,
            settings: SecretsSettings::default(),
            binary_max: 64 << 20,
            validator: None,
            worktree: None,
        })
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
        if depth == 0 && structured::is_tfstate(path) {
            if let Some(rule) = self.structured_rule("tfstate") {
                for loc in structured::tfstate_secrets(text) {
                    let value = &text[loc.clone()];
                    if filters::stored_placeholder(value) {
                        continue;
                    }
                    out.push(Hit {
                        rule,
                        secret: value.to_vec(),
                        loc,
                        encoding: None,
                        checksum: None,
                        weak: false,
                        expires_at: None,
                    });
                }
            }
        }
        for f in self.engine.find(path, text) {
            let expires_at = self.engine.rules[f.rule].def.expires.and_then(|kind| {
                let start = memchr::memrchr(b'\n', &text[..f.secret.start]).map_or(0, |i| i + 1);
                let end = memchr::memchr(b'\n', &text[f.secret.end..])
                    .map_or(text.len(), |i| f.secret.end + i);
                expiry::expires_at(kind, &text[start..end], &text[f.secret.clone()])
            });
            out.push(Hit {
                rule: f.rule,
                secret: text[f.secret.clone()].to_vec(),
                loc: f.secret,
                encoding: None,
                checksum: f.checksum,
                weak: f.weak,
                expires_at,
            });
        }
        if depth >= MAX_DECODE_DEPTH || !self.settings.decode {
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
                    weak: h.weak,
                    expires_at: h.expires_at,
                });
            }
        }
    }

    /// Where credentials sit in `text` and which rule found each (`secrets/<id>`): byte ranges in order, none
    /// overlapping (the widest wins a shared start). For callers that rewrite text — the gateway redacts prompts
    /// and responses — without the findings, snippets and pairing of [`SecretsAnalyzer::scan`].
    pub fn spans(&self, text: &[u8]) -> Vec<(String, Range<usize>)> {
        let mut hits = Vec::new();
        self.hits("message.txt", text, 0, &mut hits);
        let mut all: Vec<(usize, Range<usize>)> =
            hits.into_iter().map(|h| (h.rule, h.loc)).collect();
        all.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
        let mut out: Vec<(String, Range<usize>)> = Vec::new();
        let mut end = 0;
        for (rule, r) in all {
            if r.start >= end && r.start < r.end && r.end <= text.len() {
                end = r.end;
                out.push((format!("{NAME}/{}", self.engine.rules[rule].def.id), r));
            }
        }
        out
    }

    /// Scans bytes as if they were the file at `path`; the per-file phase without the pipeline around it.
    pub fn scan(&self, path: &str, bytes: &[u8]) -> Vec<Finding> {
        let mut hits = Vec::new();
        self.hits(path, bytes, 0, &mut hits);
        if hits.is_empty() {
            return Vec::new();
        }
        // A value a structure reader reported (a Terraform state secret) is not reported again by a fallback.
        let structured_spans = Intervals::new(
            hits.iter()
                .filter(|h| self.engine.rules[h.rule].def.structured.is_some())
                .map(|h| h.loc.clone()),
        );
        hits.retain(|h| !self.engine.rules[h.rule].fallback || !structured_spans.overlaps(&h.loc));
        // A fallback match on an encoded value is noise once the decoded value produced its own finding.
        let decoded = Intervals::new(
            hits.iter()
                .filter(|h| h.encoding.is_some())
                .map(|h| h.loc.clone()),
        );
        hits.retain(|h| {
            h.encoding.is_some() || !self.engine.rules[h.rule].fallback || !decoded.overlaps(&h.loc)
        });
        // The same credential raw and decoded is one finding: the same rule on the same spot (a JSON-escaped PEM
        // matched both ways), or, where decoding only unescapes (JSON, URL), any specific rule on the same spot
        // (the service-account rule on the raw line, the PEM rule on the unescaped one).
        let mut raw_by_rule: HashMap<usize, Vec<Range<usize>>> = HashMap::new();
        let mut raw_specific = Vec::new();
        for h in hits.iter().filter(|h| h.encoding.is_none()) {
            raw_by_rule.entry(h.rule).or_default().push(h.loc.clone());
            if !self.engine.rules[h.rule].fallback {
                raw_specific.push(h.loc.clone());
            }
        }
        let raw_by_rule: HashMap<usize, Intervals> = raw_by_rule
            .into_iter()
            .map(|(r, v)| (r, Intervals::new(v)))
            .collect();
        let raw_specific = Intervals::new(raw_specific);
        hits.retain(|h| {
            let Some(enc) = h.encoding else { return true };
            let same_rule = raw_by_rule.get(&h.rule).is_some_and(|i| i.overlaps(&h.loc));
            !(same_rule || (enc != "base64" && raw_specific.overlaps(&h.loc)))
        });
        let lines = LineIndex::new(bytes);
        // One credential found raw and again in a decoded view of the same line is one finding.
        let mut seen = std::collections::HashSet::new();
        hits.retain(|h| seen.insert((h.rule, h.secret.clone(), lines.line_of(h.loc.start))));
        let mut secrets: Vec<&[u8]> = hits
            .iter()
            .map(|h| h.secret.as_slice())
            .filter(|s| s.len() >= 8)
            .collect();
        secrets.sort_unstable();
        secrets.dedup();
        let mut snippets = Snippets::new(bytes, hits.iter().map(|h| h.loc.clone()), &secrets);
        let mut findings: Vec<Finding> = hits
            .iter()
            .map(|h| {
                let line = lines.line_of(h.loc.start);
                let range = lines.line_range(line, bytes.len());
                let snippet = snippets.get(line, range, h.loc.start);
                self.finding(path, &lines, h, snippet)
            })
            .collect();
        let keep = self.link_pairs(&hits, &mut findings);
        findings
            .into_iter()
            .zip(keep)
            .filter_map(|(f, k)| k.then_some(f))
            .collect()
    }

    /// Each half of a credential pair in the file points at the nearest other half (by byte offset): one story,
    /// not two unrelated alerts. Per rule, the partner's offsets are sorted once and searched, so the cost stays
    /// O(n log n) in the findings.
    /// Turns live validation on (`--validate`): 10 s per request, at most 8 in flight.
    pub fn with_validation(mut self) -> Self {
        self.validator = Some(std::sync::Arc::new(verify::Validator::new(
            std::time::Duration::from_secs(10),
            8,
        )));
        self
    }

    /// Asks the provider about each finding whose rule says how (each unique secret once per run).
    fn validate_findings(&self, findings: &mut [Finding]) {
        let Some(validator) = &self.validator else {
            return;
        };
        for f in findings {
            let Some(v) = self
                .engine
                .rules
                .iter()
                .find(|r| r.meta.id == f.rule_id)
                .and_then(|r| r.def.verify.as_ref())
            else {
                continue;
            };
            let hash = f
                .ext
                .get(NAME)
                .and_then(|e| e["secret_hash"].as_str())
                .unwrap_or("");
            let id = (!f.matched_partner.is_empty()).then_some(f.matched_partner.as_str());
            let id_hash = id
                .map(|i| self.key.secret_hash(i.as_bytes()))
                .unwrap_or_default();
            let outcome = validator.check(
                &format!("{}|{hash}|{id_hash}", f.rule_id),
                &f.matched,
                id,
                v,
            );
            f.tags.push(outcome.tag().into());
            f.message.push_str(&format!(" — {}", outcome.describe()));
            if let Some(ext) = f.ext.get_mut(NAME) {
                ext["validation"] = serde_json::json!({
                    "status": outcome.tag().trim_start_matches("validation:"),
                    "detail": outcome.describe(),
                });
            }
        }
    }

    /// The rule a structure reader reports under, if enabled.
    fn structured_rule(&self, kind: &str) -> Option<usize> {
        self.engine
            .rules
            .iter()
            .position(|r| r.def.structured.as_deref() == Some(kind))
    }

    /// An identifier half (`identifier = true`: a key id) beside its secret half is folded into the secret's
    /// finding: one credential, one finding, with the id as a related location and the pair's lifetime taken
    /// from the id (an `ASIA` key id makes the secret beside it short-lived). Returns which findings to keep.
    fn link_pairs(&self, hits: &[Hit], findings: &mut [Finding]) -> Vec<bool> {
        let mut keep = vec![true; findings.len()];
        if self.partners.is_empty() {
            return keep;
        }
        let mut by_rule: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        for (i, h) in hits.iter().enumerate() {
            by_rule.entry(h.rule).or_default().push((h.loc.start, i));
        }
        for v in by_rule.values_mut() {
            v.sort_unstable();
        }
        let mut links = Vec::new();
        for (i, h) in hits.iter().enumerate() {
            let Some(partners) = self.partners.get(&h.rule) else {
                continue;
            };
            let at = h.loc.start;
            let nearest = partners
                .iter()
                .filter_map(|r| by_rule.get(r))
                .filter_map(|v| {
                    let k = v.partition_point(|(o, _)| *o < at);
                    [k.checked_sub(1), Some(k)]
                        .into_iter()
                        .flatten()
                        .filter_map(|k| v.get(k))
                        .min_by_key(|(o, _)| o.abs_diff(at))
                        .copied()
                })
                .min_by_key(|(o, _)| o.abs_diff(at));
            if let Some((_, j)) = nearest {
                links.push((i, j));
            }
        }
        let identifier = |i: usize| self.engine.rules[hits[i].rule].def.identifier;
        for &(i, j) in &links {
            if identifier(i) && !identifier(j) {
                // Folded into the secret's finding below.
                keep[i] = false;
                continue;
            }
            if identifier(j) && !identifier(i) {
                let id_rule = &self.engine.rules[hits[j].rule].def;
                let related = warden_core::Related {
                    kind: warden_core::RelatedKind::Context,
                    location: findings[j].location.clone(),
                    message: format!(
                        "{} of this credential: `{}`",
                        id_rule.title,
                        redact::redact(&String::from_utf8_lossy(&hits[j].secret))
                    ),
                };
                let f = &mut findings[i];
                if f.matched_partner.is_empty() {
                    f.matched_partner = String::from_utf8_lossy(&hits[j].secret).into_owned();
                }
                if !f.related.iter().any(|r| r.location == related.location) {
                    f.related.push(related);
                }
                if !f.tags.iter().any(|t| t == "pair:complete") {
                    f.tags.push("pair:complete".into());
                }
                let own = self.engine.rules[hits[i].rule].def.lifetime;
                if id_rule.lifetime != Lifetime::Unknown && id_rule.lifetime != own {
                    set_lifetime(f, own, id_rule.lifetime);
                }
                continue;
            }
            let other = &findings[j];
            let related = warden_core::Related {
                kind: warden_core::RelatedKind::Context,
                location: other.location.clone(),
                message: format!("the other half of this credential: {}", other.title),
            };
            findings[i].related.push(related);
            findings[i].tags.push("pair:complete".into());
        }
        keep
    }

    fn finding(&self, path: &str, lines: &LineIndex, h: &Hit, snippet: String) -> Finding {
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
        let mut f = Finding::new(
            &rule.meta,
            String::new(),
            Location {
                path: path.to_owned(),
                start_line,
                start_column,
                end_line,
                end_column,
                provenance: None,
                byte_offset: None,
            },
        );
        if let Some(enc) = h.encoding {
            f.tags.push(format!("decoded:{enc}"));
        }
        // A token whose built-in checksum fails was never issued: a test value or a typo, still worth a look.
        match h.checksum {
            Some(true) => f.tags.push("checksum:valid".into()),
            Some(false) => {
                f.tags.push("checksum:invalid".into());
                f.confidence = warden_core::Confidence::Low;
                message.push_str(" (its checksum does not match: likely not a real token)");
            }
            None => {}
        }
        // A weak password stored where the format proves it is one: live all the same, less certain.
        if h.weak {
            f.tags.push("password:weak".into());
            if f.confidence > warden_core::Confidence::Medium {
                f.confidence = warden_core::Confidence::Medium;
            }
            message.push_str(" (a weak password, stored as a credential)");
        }
        // A credential whose own text says it has expired grants nothing any more.
        let mut expired_on = None;
        if let Some(t) = h.expires_at.filter(|t| *t < expiry::now()) {
            let day = expiry::date(t);
            f.tags.push("expired".into());
            f.confidence = warden_core::Confidence::Low;
            message.push_str(&format!(" (expired on {day})"));
            expired_on = Some(day);
        }
        let details = SecretDetails {
            expired_on,
            secret: if self.reveal {
                secret.clone()
            } else {
                redacted
            },
            secret_hash: self.key.secret_hash(&h.secret),
            lifetime,
            decoded_from: h.encoding.map(str::to_string),
        };
        f.message = message;
        f.snippet = snippet;
        f.ext.insert(
            NAME.into(),
            serde_json::to_value(details).expect("plain struct serialises"),
        );
        f.matched = secret;
        f
    }
}

/// A key for library use, where hashes only need to agree within the process. Without an entropy source the
/// time stands in: such hashes never leave the process through the CLI, which always passes its own key.
fn random_key() -> HashKey {
    HashKey::random().unwrap_or_else(|_| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        HashKey::new(t.to_le_bytes().repeat(2)).expect("32 bytes")
    })
}

impl Analyzer for SecretsAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Findings only: a file nobody changed needs no secrets pass in a diff or staged scan.
    fn publishes_facts(&self) -> bool {
        false
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    fn rules_digest_input(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |field: &str| {
            out.extend((field.len() as u64).to_le_bytes());
            out.extend(field.as_bytes());
        };
        for r in &self.engine.rules {
            let d = &r.def;
            // Field by field, length-prefixed, lists with their counts: what changes a match changes the digest.
            put(&d.id);
            put(&d.pattern);
            put(&format!("{:?}", d.min_entropy));
            put(&d.multiline.to_string());
            put(&format!("{:?}", d.validate));
            put(&format!("{:?}", d.checksum));
            put(&format!("{:?}", d.verify));
            for list in [
                &d.keywords,
                &d.paths,
                &d.unless_paths,
                &d.unless_near,
                &d.pairs_with,
            ] {
                put(&list.len().to_string());
                list.iter().for_each(|x| put(x));
            }
        }
        out
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        if self.settings.archives && archive::kind(file.head).is_some() {
            return Claim::Stream;
        }
        if !file.binary {
            return Claim::Text; // credentials hide in every kind of text file
        }
        if !self.settings.binary
            || binary::is_opaque_binary(file.head)
            || binary::cache_left_to_source(self.worktree.as_deref(), file.path)
        {
            return Claim::Skip;
        }
        // UTF-16 text and other binaries alike are read as a stream, up to the scan's size cap.
        Claim::Stream
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let before = out.findings.len();
        self.analyze_file(file, out);
        self.validate_findings(&mut out.findings[before..]);
    }
}

impl SecretsAnalyzer {
    fn analyze_file(&self, file: &SourceFile, out: &mut FileOutput) {
        if let Some(kind) = archive::kind(file.meta.head).filter(|_| self.settings.archives) {
            if let Err(e) = self.scan_archive(file, kind, out) {
                out.problems.push(format!("reading the archive: {e}"));
            }
            return;
        }
        if !file.meta.binary {
            out.findings.extend(self.scan(file.meta.path, file.bytes()));
            return;
        }
        if let Err(e) = self.scan_binary(file, out) {
            out.problems.push(format!("reading the file: {e}"));
        }
    }
}

impl SecretsAnalyzer {
    /// A binary file: UTF-16 text decoded and scanned as text (findings on its lines), anything else by its
    /// printable runs (findings at their byte offsets).
    fn scan_binary(&self, file: &SourceFile, out: &mut FileOutput) -> std::io::Result<()> {
        let mut stream = file.open()?;
        self.scan_binary_stream(
            file.meta.path,
            file.meta.head,
            file.meta.size,
            &mut stream,
            out,
        )
    }

    /// Every member of an archive (nested archives walked), each scanned as the file it is.
    fn scan_archive(
        &self,
        file: &SourceFile,
        kind: archive::Kind,
        out: &mut FileOutput,
    ) -> std::io::Result<()> {
        let mut stream = file.open()?;
        let mut members = Vec::new();
        let mut notes = Vec::new();
        {
            let mut visit = |m: archive::Member| {
                let mut found = FileOutput::default();
                self.scan_member(&m.path, &m.bytes, &mut found);
                members.push(found);
            };
            let mut note = |n: String| notes.push(n);
            let mut walker = archive::Walker::new(self.binary_max, &mut visit, &mut note);
            walker.walk(&mut stream, kind, file.meta.path, 0)?;
        }
        for m in members {
            out.findings.extend(m.findings);
            out.partial.extend(m.partial);
            out.problems.extend(m.problems);
        }
        out.partial.extend(notes);
        Ok(())
    }

    /// One archive member, in memory: text, UTF-16 or binary, as a file would be.
    fn scan_member(&self, path: &str, bytes: &[u8], out: &mut FileOutput) {
        if !warden_core::is_binary(bytes) {
            out.findings.extend(self.scan(path, bytes));
            return;
        }
        let head = &bytes[..bytes.len().min(warden_core::HEAD_LEN)];
        if !self.settings.binary
            || binary::is_opaque_binary(head)
            || binary::cache_left_to_source(self.worktree.as_deref(), path)
        {
            return;
        }
        let mut stream = bytes;
        if let Err(e) = self.scan_binary_stream(path, head, bytes.len() as u64, &mut stream, out) {
            out.problems.push(format!("{path}: {e}"));
        }
    }

    fn scan_binary_stream(
        &self,
        path: &str,
        head: &[u8],
        size: u64,
        stream: &mut dyn Read,
        out: &mut FileOutput,
    ) -> std::io::Result<()> {
        let max = self.binary_max;
        if let Some(enc) = binary::utf16_encoding(head) {
            let mut bytes = Vec::new();
            std::io::Read::take(&mut *stream, max).read_to_end(&mut bytes)?;
            if bytes.len() as u64 == max && size > max {
                out.partial.push(format!(
                    "only the first {max} bytes of the UTF-16 file were scanned"
                ));
            }
            let text = binary::decode_utf16(&bytes, enc);
            for mut f in self.scan(path, text.as_bytes()) {
                f.message.push_str(&format!(" (in {} text)", enc.name()));
                f.tags
                    .push(format!("encoding:{}", enc.name().to_ascii_lowercase()));
                out.findings.push(f);
            }
            return Ok(());
        }
        // The same match reached through two overlapping strings (a misaligned `.pyc` read) is one finding.
        let seen = std::cell::RefCell::new(std::collections::HashSet::new());
        let report = |runs: &binary::Runs, out: &mut FileOutput| {
            for mut f in self.scan(path, &runs.text) {
                let Some(at) = runs.offset(f.location.start_line, f.location.start_column) else {
                    continue;
                };
                if !seen.borrow_mut().insert((f.rule_id.clone(), at)) {
                    continue;
                }
                f.location = Location {
                    provenance: f.location.provenance.take(),
                    ..Location::at_byte(path, at)
                };
                for r in &mut f.related {
                    if r.location.path == path {
                        if let Some(o) = runs.offset(r.location.start_line, r.location.start_column)
                        {
                            r.location = Location::at_byte(path, o);
                        }
                    }
                }
                f.message
                    .push_str(&format!(" (in binary content, byte {at})"));
                out.findings.push(f);
            }
        };
        if let Some(kind) = binary::structured(head, path) {
            let mut bytes = Vec::new();
            std::io::Read::take(&mut *stream, max).read_to_end(&mut bytes)?;
            report(&binary::structured_strings(&bytes, kind), out);
            return Ok(());
        }
        let (_, more) =
            binary::for_each_batch(&mut *stream, max, 4 << 20, |runs| report(runs, &mut *out))?;
        if more {
            out.partial.push(format!(
                "only the first {max} bytes of the binary file were scanned"
            ));
        }
        Ok(())
    }
}

/// Replaces a finding's lifetime (message and `ext.secrets`), when its pair says otherwise.
fn set_lifetime(f: &mut Finding, from: Lifetime, to: Lifetime) {
    f.message = f.message.replace(
        &format!("; {} credential", from.as_str()),
        &format!("; {} credential (as its key id shows)", to.as_str()),
    );
    if let Some(ext) = f.ext.get_mut(NAME) {
        ext["lifetime"] = serde_json::json!(to);
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
