//! `warden.toml`: optional; every setting has a default. Errors name the file, line and column, and say what
//! was expected, the way a compiler would.

use crate::Severity;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The settings a scan runs with.
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub max_file_size: Option<u64>,
    pub follow_symlinks: bool,
    /// When not empty, only paths matching one of these are scanned.
    pub include: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
    /// When not empty, only these rules (ids or `prefix/`) run.
    pub enabled_rules: Vec<String>,
    pub disabled_rules: Vec<String>,
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Findings whose matched content matches one of these are dropped.
    pub allow_values: Vec<Regex>,
    /// Findings in paths matching these are dropped.
    pub allow_paths: Option<GlobSet>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    allowlist: RawAllowlist,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScan {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    max_file_size: Option<Spanned<ByteSize>>,
    #[serde(default)]
    follow_symlinks: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    enable: Vec<String>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAllowlist {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    values: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ByteSize {
    Bytes(u64),
    Text(String),
}

impl Config {
    /// Reads `warden.toml` from `root` if it exists; the defaults otherwise.
    pub fn discover(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("warden.toml");
        if path.is_file() {
            Config::load(&path)
        } else {
            Ok(Config::default())
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses config text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = line_col(text, span.map_or(0, |s| s.start));
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().trim().to_string()))?;

        let globs =
            |items: &[Spanned<String>], key: &str| -> Result<Option<GlobSet>, ConfigError> {
                if items.is_empty() {
                    return Ok(None);
                }
                let mut b = GlobSetBuilder::new();
                for item in items {
                    let glob = Glob::new(item.get_ref()).map_err(|e| {
                        invalid(
                            Some(item.span()),
                            format!("{key}: invalid glob: {}", e.kind()),
                        )
                    })?;
                    b.add(glob);
                }
                b.build()
                    .map(Some)
                    .map_err(|e| invalid(None, format!("{key}: {e}")))
            };

        let max_file_size = match raw.scan.max_file_size {
            None => None,
            Some(s) => {
                let span = s.span();
                match s.into_inner() {
                    ByteSize::Bytes(n) => Some(n),
                    ByteSize::Text(t) => Some(parse_size(&t).ok_or_else(|| {
                        invalid(
                            Some(span),
                            format!("scan.max_file_size: expected a size like 10MiB, got `{t}`"),
                        )
                    })?),
                }
            }
        };

        let mut allow_values = Vec::new();
        for v in &raw.allowlist.values {
            let re = Regex::new(v.get_ref()).map_err(|e| {
                invalid(
                    Some(v.span()),
                    format!("allowlist.values: invalid regex: {e}"),
                )
            })?;
            allow_values.push(re);
        }

        Ok(Config {
            max_file_size,
            follow_symlinks: raw.scan.follow_symlinks,
            include: globs(&raw.scan.include, "scan.include")?,
            exclude: globs(&raw.scan.exclude, "scan.exclude")?,
            enabled_rules: raw.rules.enable,
            disabled_rules: raw.rules.disable,
            severity_overrides: raw.rules.severity,
            allow_values,
            allow_paths: globs(&raw.allowlist.paths, "allowlist.paths")?,
        })
    }

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// Whether a rule is switched off, by its id or a prefix ending in `/` (`secrets/` turns off all of them).
    pub fn rule_disabled(&self, id: &str) -> bool {
        self.disabled_rules
            .iter()
            .any(|d| d == id || (d.ends_with('/') && id.starts_with(d.as_str())))
    }

    /// Whether a path (relative, `/`-separated) is to be scanned at all.
    pub fn path_selected(&self, rel: &str) -> bool {
        if let Some(inc) = &self.include {
            if !inc.is_match(rel) {
                return false;
            }
        }
        !self.exclude.as_ref().is_some_and(|ex| ex.is_match(rel))
    }
}

/// `10MiB`, `512KB`, `1048576`, `2 GiB`.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("warden.toml"))
    }

    #[test]
    fn full_config_parses() {
        let c = parse(
            r#"
[scan]
exclude = ["vendor/**"]
max_file_size = "1MiB"
[rules]
disable = ["secrets/generic-secret"]
severity = { "secrets/slack-webhook-url" = "low" }
[allowlist]
paths = ["tests/fixtures/**"]
values = ["^AKIA.*TEST$"]
"#,
        )
        .unwrap();
        assert_eq!(c.max_file_size(), 1024 * 1024);
        assert!(c.rule_disabled("secrets/generic-secret"));
        assert!(!c.path_selected("vendor/a/b.js"));
        assert!(c.path_selected("src/main.py"));
        assert_eq!(
            c.severity_overrides["secrets/slack-webhook-url"],
            Severity::Low
        );
    }

    #[test]
    fn errors_name_file_line_and_expectation() {
        let e = parse("[scan]\nmax_file_size = \"lots\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("warden.toml:2:"), "{e}");
        assert!(e.contains("expected a size"), "{e}");
        let e = parse("[rules]\nseverity = { x = \"urgent\" }\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("warden.toml:2:"), "{e}");
        let e = parse("[scan]\nfollow = true\n").unwrap_err().to_string();
        assert!(e.contains("unknown field"), "{e}");
        let e = parse("[allowlist]\nvalues = [\"(\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid regex"), "{e}");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("2 kb"), Some(2000));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("ten"), None);
    }
}
