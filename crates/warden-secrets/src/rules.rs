//! Rule data: TOML files under rules/, one per provider family, embedded at build time (see docs/secret-rules.md).

use crate::Lifetime;
use serde::Deserialize;
use warden_core::{Confidence, RuleMeta, Severity};

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// Checks beyond the regex that some rules need, written in code because they decode or parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// A value assigned to a secret-named key: silent on placeholders, references, hashes, ids and prose.
    GenericValue,
    /// A password inside a URI or connection string: silent on placeholders and variable references.
    Password,
    /// base64 of `user:password` (docker `auth`, HTTP basic).
    Base64UserPass,
    /// A JWT whose header decodes to JSON with an `alg`.
    Jwt,
    /// A random token, not words: `readFromEnvironmentFirst` or `load_from_vault` under a token's name.
    Random,
    /// A password in a file whose format exists to store credentials (`.netrc`, `.pgpass`, `.git-credentials`,
    /// an FTP client's site list): the format is the evidence, so a weak password is reported too (at medium
    /// confidence, tagged `password:weak`); only references and placeholders are dropped, and the entropy
    /// floor does not apply.
    Stored,
}

/// A checksum some token formats carry, which tells a real token from a look-alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// The last 6 characters after the final `_` are the base62 CRC32 of the characters before them
    /// (GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`, npm `npm_`).
    Crc32Base62,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub provider: String,
    pub severity: Severity,
    pub confidence: Confidence,
    #[serde(default)]
    pub lifetime: Lifetime,
    /// Literals one of which must occur near a match; empty only for rules restricted by `paths`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Globs of the files the rule applies to (`config/master.key`, `.pgpass`), matched at any depth unless
    /// they start with `/`. Empty: every file.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Globs of files where the rule stays silent (`google-services.json`): what they hold is public by design.
    #[serde(default)]
    pub unless_paths: Vec<String>,
    /// Literals (3+ bytes, ASCII case-insensitive) that silence a match when one starts within
    /// [`UNLESS_NEAR_BYTES`] of it: `authDomain` beside a Firebase web API key.
    #[serde(default)]
    pub unless_near: Vec<String>,
    /// Rules (ids without `secrets/`) that find the other half of the same credential (an AWS access key id and
    /// its secret access key). Both halves in one file link to each other as related locations. Either side may
    /// name the pair.
    #[serde(default)]
    pub pairs_with: Vec<String>,
    /// The match names a credential rather than being it (an AWS access key id, a service-account key id):
    /// beside its secret half in the same file it is folded into the secret's finding as a related location,
    /// and its lifetime (an `ASIA` id: short-lived) becomes the pair's. Alone, it is reported as itself.
    #[serde(default)]
    pub identifier: bool,
    /// Matched by a structure reader rather than by its pattern (`tfstate`: Terraform state, see
    /// `structured.rs`); the engine never runs its pattern, which only documents the shape.
    #[serde(default)]
    pub structured: Option<String>,
    /// For `validate = "stored"` rules without `paths`: the files whose name proves the format (`.netrc`).
    /// There weak passwords are reported; elsewhere (a script or a test that holds the same syntax) the
    /// ordinary password checks apply.
    #[serde(default)]
    pub format_paths: Vec<String>,
    /// How `--validate` asks the provider whether the credential works (see `verify.rs`).
    #[serde(default)]
    pub verify: Option<crate::verify::Verify>,
    /// The file name the rule's examples are scanned as (for rules with `paths`).
    #[serde(default)]
    pub example_path: Option<String>,
    pub pattern: String,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    #[serde(default)]
    pub multiline: bool,
    #[serde(default)]
    pub validate: Option<Validator>,
    #[serde(default)]
    pub checksum: Option<Checksum>,
    /// Where the credential states its own expiry (`sas`: the `se=` beside it; `jwt`: its `exp` claim); a
    /// past expiry makes the finding low confidence, tagged `expired`.
    #[serde(default)]
    pub expires: Option<crate::expiry::Expiry>,
    pub description: String,
    #[serde(default)]
    pub remediation: Option<String>,
    /// The provider's documentation, SDK or changelog that states the format (first) and anything else read.
    #[serde(default)]
    pub references: Vec<String>,
    /// The format is stated by one source only (one SDK's regex, one blog post, no published prefix): such a
    /// rule may not claim `confidence = "high"`.
    #[serde(default)]
    pub single_source: bool,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleDef>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rules/{file}: {message}")]
    Parse { file: String, message: String },
    #[error("rule secrets/{id}: invalid pattern: {message}")]
    Pattern { id: String, message: String },
    #[error("rule secrets/{id}: {message}")]
    Invalid { id: String, message: String },
}

/// Every embedded rule definition, in file order.
pub fn embedded_rules() -> Result<Vec<(String, RuleDef)>, RuleError> {
    let mut out = Vec::new();
    for (file, text) in RULE_FILES {
        let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Parse {
            file: file.to_string(),
            message: match e.span() {
                Some(s) => format!(
                    "line {}: {}",
                    text[..s.start].matches('\n').count() + 1,
                    e.message()
                ),
                None => e.message().to_string(),
            },
        })?;
        for r in parsed.rule {
            out.push((file.to_string(), r));
        }
    }
    Ok(out)
}

/// How far (bytes before a match's start or after its end) an `unless_near` literal silences it: enough for
/// the neighbouring keys of a config object, not the whole file.
pub const UNLESS_NEAR_BYTES: usize = 512;

pub const CWE_HARDCODED_CREDENTIALS: &str = "CWE-798";

impl RuleDef {
    pub fn full_id(&self) -> String {
        format!("secrets/{}", self.id)
    }

    pub fn meta(&self) -> RuleMeta {
        let mut tags = vec![CWE_HARDCODED_CREDENTIALS.to_string(), "secret".to_string()];
        if !self.provider.is_empty() {
            tags.push(format!("provider:{}", slug(&self.provider)));
        }
        tags.push(format!("lifetime:{}", self.lifetime.as_str()));
        RuleMeta {
            id: self.full_id(),
            title: self.title.clone(),
            severity: self.severity,
            confidence: self.confidence,
            description: self.description.trim().to_string(),
            remediation: self.remediation_text(),
            tags,
            references: self.references.clone(),
        }
    }

    /// The rule's own advice, then what holds for every credential of its lifetime.
    pub fn remediation_text(&self) -> String {
        let general = match self.lifetime {
            Lifetime::LongLived => {
                "This credential stays valid until revoked: revoke or rotate it now, remove it from the code and \
                 from git history, and load it at run time from a secret manager. Prefer short-lived credentials \
                 issued through OIDC or workload identity where the platform supports them."
            }
            Lifetime::ShortLived => {
                "This credential expires by itself, but may still be valid: revoke the session if it is, remove it \
                 from the code, and find the process that wrote it here."
            }
            Lifetime::Unknown => {
                "Rotate the credential, remove it from the code and from git history, and load it at run time \
                 from a secret manager or the environment."
            }
        };
        match &self.remediation {
            Some(own) if !own.trim().is_empty() => format!("{} {general}", own.trim()),
            _ => general.to_string(),
        }
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
