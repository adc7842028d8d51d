//! `[triage]` in `warden.toml`: services with their criticality, and the invariants a scan checks (the defaults
//! shipped in `data/invariants.toml`, then the team's own). A malformed invariant is an error naming the file,
//! line and column of the offending token inside its `forbid` string.

use crate::invariant::{Invariant, Invariants, ParseError};
use crate::{ServiceConfig, Services};
use serde::Deserialize;
use std::collections::BTreeMap;
use warden_core::{Config, ConfigError, Severity};

const DEFAULTS: &str = include_str!("../data/invariants.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    services: BTreeMap<String, ServiceConfig>,
    #[serde(default = "yes")]
    default_invariants: bool,
    #[serde(default)]
    disable_invariants: Vec<String>,
    #[serde(default)]
    invariants: Vec<RawInvariant>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvariant {
    name: String,
    description: String,
    forbid: String,
    #[serde(default)]
    severity: Option<Severity>,
}

#[derive(Debug, Deserialize)]
struct Defaults {
    invariant: Vec<RawInvariant>,
}

/// Only to find where each `forbid` string sits in the file.
#[derive(Deserialize)]
struct SpanDoc {
    #[serde(default)]
    triage: Option<SpanTriage>,
}

#[derive(Deserialize)]
struct SpanTriage {
    #[serde(default)]
    invariants: Vec<SpanInvariant>,
}

#[derive(Deserialize)]
struct SpanInvariant {
    #[serde(default)]
    forbid: Option<toml::Spanned<String>>,
}

/// What triage reads from the configuration.
#[derive(Debug, Default)]
pub struct Settings {
    pub services: Services,
    pub invariants: Invariants,
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The invariants shipped with warden.
pub fn default_invariants() -> Vec<Invariant> {
    let d: Defaults = toml::from_str(DEFAULTS).expect("data/invariants.toml is valid TOML");
    d.invariant
        .into_iter()
        .map(|r| {
            Invariant::new(
                &r.name,
                &r.description,
                &r.forbid,
                r.severity.unwrap_or(Severity::High),
                true,
            )
            .unwrap_or_else(|e| panic!("default invariant {}: {e:?}", r.name))
        })
        .collect()
}

/// Line and column (1-based, in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// Where the value of a `forbid` string starts in the file, given the span of the TOML string and its value:
/// exact when the literal holds no escapes, else the string's start.
fn value_offset(text: &str, span: std::ops::Range<usize>, value: &str, at: usize) -> usize {
    let Some(raw) = text.get(span.clone()) else {
        return span.start;
    };
    let (mut skip, multi) = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
        (3, true)
    } else {
        (1, false)
    };
    if multi {
        // TOML trims a newline right after the opening delimiter.
        if raw[skip..].starts_with("\r\n") {
            skip += 2;
        } else if raw[skip..].starts_with('\n') {
            skip += 1;
        }
    }
    let inner = &raw[skip.min(raw.len())..];
    if inner.starts_with(value) {
        span.start + skip + at
    } else {
        span.start
    }
}

impl Settings {
    /// Reads `[triage]` (or the defaults when there is none).
    pub fn load(config: &Config) -> Result<Settings, ConfigError> {
        let Some(section) = config.section("triage") else {
            return Ok(Settings {
                services: Services::default(),
                invariants: Invariants {
                    list: default_invariants(),
                },
            });
        };
        let raw: Raw = section.parse("triage")?;
        let invalid = |line: usize, column: usize, message: String| ConfigError::Invalid {
            path: section.path.clone(),
            line,
            column,
            message,
        };
        let services = Services::new(&raw.services).map_err(|m| invalid(section.line, 1, m))?;
        let mut list: Vec<Invariant> = if raw.default_invariants {
            default_invariants()
        } else {
            Vec::new()
        };
        let known: Vec<String> = list.iter().map(|i| i.name.clone()).collect();
        for d in &raw.disable_invariants {
            if !known.contains(d) {
                return Err(invalid(
                    section.line,
                    1,
                    format!(
                        "[triage] disable_invariants: no default invariant `{d}` (defaults: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
        list.retain(|i| !raw.disable_invariants.contains(&i.name));
        let text = std::fs::read_to_string(&section.path).unwrap_or_default();
        let spans: Vec<Option<toml::Spanned<String>>> = toml::from_str::<SpanDoc>(&text)
            .ok()
            .and_then(|d| d.triage)
            .map(|t| t.invariants.into_iter().map(|i| i.forbid).collect())
            .unwrap_or_default();
        let mut seen: Vec<&str> = Vec::new();
        for (n, r) in raw.invariants.iter().enumerate() {
            let place = |e: &ParseError| -> (usize, usize) {
                match spans.get(n).and_then(Option::as_ref) {
                    Some(s) => line_col(&text, value_offset(&text, s.span(), &r.forbid, e.offset)),
                    None => (section.line, 1),
                }
            };
            if !valid_name(&r.name) {
                let (l, c) = place(&ParseError {
                    offset: 0,
                    message: String::new(),
                });
                return Err(invalid(
                    l,
                    c,
                    format!(
                        "[[triage.invariants]] name `{}`: use lowercase letters, digits and `-`",
                        r.name
                    ),
                ));
            }
            if seen.contains(&r.name.as_str()) {
                return Err(invalid(
                    section.line,
                    1,
                    format!("[[triage.invariants]] `{}` is declared twice", r.name),
                ));
            }
            seen.push(&r.name);
            let inv = Invariant::new(
                &r.name,
                &r.description,
                &r.forbid,
                r.severity.unwrap_or(Severity::High),
                false,
            )
            .map_err(|e| {
                let (l, c) = place(&e);
                invalid(l, c, format!("invariant `{}`: {}", r.name, e.message))
            })?;
            // The team's own replaces a default of the same name.
            list.retain(|i| i.name != inv.name);
            list.push(inv);
        }
        Ok(Settings {
            services,
            invariants: Invariants { list },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_have_unique_names() {
        let d = default_invariants();
        assert!(d.len() >= 5);
        let mut names: Vec<_> = d.iter().map(|i| i.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), d.len());
    }

    #[test]
    fn positions_map_into_the_file() {
        let text = "x = 1\n[triage]\n[[triage.invariants]]\nname = \"a\"\nforbid = 'finding where rul == x'\n";
        let s = toml::from_str::<SpanDoc>(text).unwrap();
        let span = s.triage.unwrap().invariants[0].forbid.clone().unwrap();
        let off = value_offset(text, span.span(), "finding where rul == x", 14);
        assert_eq!(line_col(text, off), (5, 25));
        let text = "[[triage.invariants]]\nforbid = '''\nfinding where\n  rul == x'''\n";
        let s = toml::from_str::<SpanDoc>(text).unwrap();
        let span = s.triage.unwrap().invariants[0].forbid.clone().unwrap();
        let v = "finding where\n  rul == x";
        let off = value_offset(text, span.span(), v, v.find("rul").unwrap());
        assert_eq!(line_col(text, off), (4, 3));
    }
}
