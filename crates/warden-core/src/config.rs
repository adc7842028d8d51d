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
    /// When not empty, only these analyzers run (`scan.only`, `--only`).
    pub only: Vec<String>,
    /// These analyzers do not run (`scan.skip`, `--skip`).
    pub skip: Vec<String>,
    /// A file holding the hex key for fingerprints and secret hashes (`hash.key_file`), for an organisation
    /// that shares one key across repositories.
    pub hash_key_file: Option<PathBuf>,
    /// Analyzer sections (`[secrets]`, …), each read by its analyzer; the registry rejects unknown names.
    pub sections: BTreeMap<String, Section>,
}

/// One analyzer's table in `warden.toml`, with where it starts for error messages.
#[derive(Debug, Clone)]
pub struct Section {
    pub table: toml::Table,
    pub path: PathBuf,
    pub line: usize,
}

impl Section {
    /// Reads the section as the analyzer's own settings type; errors name the file and the section's line.
    pub fn parse<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, ConfigError> {
        T::deserialize(toml::Value::Table(self.table.clone())).map_err(|e| ConfigError::Invalid {
            path: self.path.clone(),
            line: self.line,
            column: 1,
            message: format!("[{name}]: {}", e.message().trim()),
        })
    }
}

// No `deny_unknown_fields` here: other tables are analyzer sections, checked against the registry.
#[derive(Deserialize, Default)]
struct RawConfig {
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    allowlist: RawAllowlist,
    #[serde(default)]
    hash: RawHash,
    #[serde(flatten)]
    sections: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHash {
    key_file: Option<PathBuf>,
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
    #[serde(default)]
    only: Vec<String>,
    #[serde(default)]
    skip: Vec<String>,
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

        let mut sections = BTreeMap::new();
        for (name, value) in raw.sections {
            let line = section_line(text, &name);
            let toml::Value::Table(table) = value else {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    line,
                    column: 1,
                    message: format!(
                        "`{name}` must be a table (an analyzer section like [secrets])"
                    ),
                });
            };
            sections.insert(
                name,
                Section {
                    table,
                    path: path.to_owned(),
                    line,
                },
            );
        }
        // A relative key file is relative to the config file.
        let hash_key_file = raw.hash.key_file.map(|f| match path.parent() {
            Some(dir) if f.is_relative() => dir.join(f),
            _ => f,
        });

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
            only: raw.scan.only,
            skip: raw.scan.skip,
            hash_key_file,
            sections,
        })
    }

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// Whether a rule runs: listed in `rules.enable` (when that is not empty) and not in `rules.disable`, by
    /// its id or a prefix ending in `/` (`secrets/` names all of them).
    pub fn rule_enabled(&self, id: &str) -> bool {
        let names = |list: &[String]| {
            list.iter()
                .any(|d| d == id || (d.ends_with('/') && id.starts_with(d.as_str())))
        };
        (self.enabled_rules.is_empty() || names(&self.enabled_rules))
            && !names(&self.disabled_rules)
    }

    /// Whether the analyzer `name` runs under `only`/`skip`.
    pub fn analyzer_selected(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|n| n == name))
            && !self.skip.iter().any(|n| n == name)
    }

    /// The `[name]` section, if the config has one.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.get(name)
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

/// The line of a `[name]` table header, or 1.
fn section_line(text: &str, name: &str) -> usize {
    let header = format!("[{name}]");
    text.lines()
        .position(|l| l.trim_start().starts_with(&header))
        .map_or(1, |i| i + 1)
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
        assert!(!c.rule_enabled("secrets/generic-secret"));
        assert!(c.rule_enabled("secrets/slack-webhook-url"));
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
        let e = parse("\n\nsecrets = 3\n").unwrap_err().to_string();
        assert!(e.contains("must be a table"), "{e}");
        let e = parse("[allowlist]\nvalues = [\"(\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid regex"), "{e}");
    }

    #[test]
    fn enable_narrows_disable_removes_and_families_select() {
        let c = parse(
            "[scan]\nonly = [\"secrets\", \"code\"]\nskip = [\"code\"]\n[rules]\nenable = [\"secrets/\"]\ndisable = [\"secrets/generic-secret\"]\n",
        )
        .unwrap();
        assert!(c.rule_enabled("secrets/aws-access-key-id"));
        assert!(!c.rule_enabled("secrets/generic-secret"));
        assert!(!c.rule_enabled("code/py/exec"));
        assert!(c.analyzer_selected("secrets"));
        assert!(!c.analyzer_selected("code"));
        assert!(!c.analyzer_selected("models"));
        assert!(Config::default().rule_enabled("anything/at-all"));
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Demo {
        decode: bool,
    }

    #[test]
    fn analyzer_sections_parse_with_their_line() {
        let c = parse("[scan]\n\n[demo]\ndecode = false\n[hash]\nkey_file = \"k.hex\"\n").unwrap();
        let s = c.section("demo").unwrap();
        assert_eq!(s.line, 3);
        assert!(!s.parse::<Demo>("demo").unwrap().decode);
        assert_eq!(c.hash_key_file.as_deref(), Some(Path::new("k.hex")));
        let c = parse("[demo]\ndecod = false\n").unwrap();
        let e = c
            .section("demo")
            .unwrap()
            .parse::<Demo>("demo")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("warden.toml:1:1: [demo]: unknown field `decod`"),
            "{e}"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("2 kb"), Some(2000));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("ten"), None);
    }
}
