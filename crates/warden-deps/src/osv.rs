//! OSV records (https://ossf.github.io/osv-schema/): the fields matching needs, read from JSON or YAML, and the
//! schema's rule for whether a version is affected.

use crate::Ecosystem;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Set when the advisory was retracted: it matches nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// GHSA puts its own rating here (`{"severity": "HIGH"}`).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub database_specific: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<PackageRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageRef {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of a range; exactly one field is set in a valid record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

impl Event {
    fn version(&self) -> Option<&str> {
        self.introduced
            .as_deref()
            .or(self.fixed.as_deref())
            .or(self.last_affected.as_deref())
            .or(self.limit.as_deref())
    }
}

/// A version order: `None` when either side is not a version of that order.
pub type Order<'a> = &'a dyn Fn(&str, &str) -> Option<Ordering>;

/// Compares with OSV's `"0"` (the very first version) below everything.
fn cmp_with_zero(order: Order, a: &str, b: &str) -> Option<Ordering> {
    match (a == "0", b == "0") {
        (true, true) => Some(Ordering::Equal),
        (true, false) => Some(Ordering::Less),
        (false, true) => Some(Ordering::Greater),
        (false, false) => order(a, b),
    }
}

/// Whether `version` falls in a range, per the schema's evaluation: events in version order; `introduced` opens,
/// `fixed` closes (exclusive), `last_affected` closes after itself. `limit` applies to `GIT` ranges only, which
/// need commits and are not evaluated here. Events whose version does not parse in the order are skipped.
pub fn in_range(version: &str, events: &[Event], order: Order) -> bool {
    let mut evs: Vec<(&Event, &str)> = events
        .iter()
        .filter_map(|e| e.version().map(|v| (e, v)))
        .filter(|(_, v)| *v == "0" || order(v, v).is_some())
        .collect();
    // Sorted by version; at the same version an `introduced` comes before a closing event.
    evs.sort_by(|(ea, a), (eb, b)| {
        cmp_with_zero(order, a, b)
            .unwrap_or(Ordering::Equal)
            .then_with(|| eb.introduced.is_some().cmp(&ea.introduced.is_some()))
    });
    let mut affected = false;
    for (e, v) in evs {
        let Some(c) = cmp_with_zero(order, version, v) else {
            continue;
        };
        if e.introduced.is_some() {
            if c != Ordering::Less {
                affected = true;
            }
        } else if e.fixed.is_some() {
            if c != Ordering::Less {
                affected = false;
            }
        } else if e.last_affected.is_some() && c == Ordering::Greater {
            affected = false;
        }
    }
    affected
}

impl Affected {
    /// Whether this entry names the package (ecosystem and name, the name compared as the ecosystem does).
    pub fn names(&self, eco: Ecosystem, normalised_name: &str) -> bool {
        self.package.as_ref().is_some_and(|p| {
            Ecosystem::from_osv(&p.ecosystem) == Some(eco)
                && crate::normalise_name(eco, &p.name) == normalised_name
        })
    }

    /// Whether `version` is affected: listed in `versions`, or inside an `ECOSYSTEM` range (in `order`) or a
    /// `SEMVER` range (in `semver`).
    pub fn affects(&self, version: &str, order: Order, semver: Order) -> bool {
        let equal = |v: &str| v == version || order(v, version) == Some(Ordering::Equal);
        if self.versions.iter().any(|v| equal(v)) {
            return true;
        }
        self.ranges.iter().any(|r| match r.kind.as_str() {
            "ECOSYSTEM" => in_range(version, &r.events, order),
            "SEMVER" => in_range(version, &r.events, semver),
            _ => false,
        })
    }

    /// The first `fixed` version above `version` in this entry's ranges, for the remediation.
    pub fn fixed_after(&self, version: &str, order: Order, semver: Order) -> Option<String> {
        let mut best: Option<(&str, Order)> = None;
        for r in &self.ranges {
            let o: Order = match r.kind.as_str() {
                "ECOSYSTEM" => order,
                "SEMVER" => semver,
                _ => continue,
            };
            for f in r.events.iter().filter_map(|e| e.fixed.as_deref()) {
                if o(f, version) != Some(Ordering::Greater) {
                    continue;
                }
                if best.is_none_or(|(b, bo)| bo(f, b) == Some(Ordering::Less)) {
                    best = Some((f, o));
                }
            }
        }
        best.map(|(f, _)| f.to_string())
    }
}

impl Record {
    /// All the ids that name this advisory: its own and its aliases, sorted, without duplicates.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::iter::once(self.id.clone())
            .chain(self.aliases.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Reads a record from JSON text.
pub fn from_json(text: &[u8]) -> Result<Record, String> {
    serde_json::from_slice(text).map_err(|e| format!("line {}: {e}", e.line()))
}

/// Reads a record from YAML text. Every scalar is kept as text (a version `1.10` must not become the number
/// 1.1); `~` and `null` are null. Built on saphyr's event parser rather than a typed YAML loader for exactly
/// that reason.
pub fn from_yaml(text: &str) -> Result<Record, String> {
    let value = yaml_value(text)?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn yaml_value(text: &str) -> Result<serde_json::Value, String> {
    use saphyr_parser::{Event as Y, Parser, ScalarStyle};
    use serde_json::Value;
    enum Frame {
        Seq(Vec<Value>),
        Map(serde_json::Map<String, Value>, Option<String>),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    let mut anchors: std::collections::HashMap<usize, Value> = std::collections::HashMap::new();
    // Depth and size caps keep a hostile file bounded.
    const MAX_DEPTH: usize = 64;
    const MAX_NODES: usize = 1_000_000;
    let mut nodes = 0usize;
    let mut pending_anchor: Vec<usize> = Vec::new();
    for next in Parser::new_from_str(text) {
        let (ev, span) = next.map_err(|e| format!("line {}: {}", e.marker().line(), e.info()))?;
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(format!("line {}: too many YAML nodes", span.start.line()));
        }
        let value = match ev {
            Y::Scalar(v, style, anchor, _) => {
                let v = if style == ScalarStyle::Plain
                    && matches!(v.as_ref(), "~" | "null" | "Null" | "NULL" | "")
                {
                    Value::Null
                } else {
                    Value::String(v.to_string())
                };
                if anchor > 0 {
                    anchors.insert(anchor, v.clone());
                }
                v
            }
            Y::Alias(id) => anchors.get(&id).cloned().unwrap_or(Value::Null),
            Y::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("line {}: nested too deeply", span.start.line()));
                }
                pending_anchor.push(anchor);
                stack.push(Frame::Seq(Vec::new()));
                continue;
            }
            Y::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("line {}: nested too deeply", span.start.line()));
                }
                pending_anchor.push(anchor);
                stack.push(Frame::Map(serde_json::Map::new(), None));
                continue;
            }
            Y::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items)) => {
                    let v = Value::Array(items);
                    if let Some(a) = pending_anchor.pop().filter(|a| *a > 0) {
                        anchors.insert(a, v.clone());
                    }
                    v
                }
                _ => return Err(format!("line {}: unbalanced sequence", span.start.line())),
            },
            Y::MappingEnd => match stack.pop() {
                Some(Frame::Map(m, _)) => {
                    let v = Value::Object(m);
                    if let Some(a) = pending_anchor.pop().filter(|a| *a > 0) {
                        anchors.insert(a, v.clone());
                    }
                    v
                }
                _ => return Err(format!("line {}: unbalanced mapping", span.start.line())),
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(value);
                }
            }
            Some(Frame::Seq(items)) => items.push(value),
            Some(Frame::Map(m, key)) => match key.take() {
                None => {
                    let k = match value {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    m.insert(k, value);
                }
            },
        }
    }
    root.ok_or_else(|| "empty document".to_string())
}

/// A severity from the record: the highest CVSS base score among its vectors (v3.x or v4.0), else GHSA's own
/// rating. Returns the score (when computed) and a level `critical`, `high`, `medium`, `low`.
pub fn severity(
    record: &Record,
    affected: Option<&Affected>,
) -> Option<(Option<f64>, &'static str)> {
    let entries = record
        .severity
        .iter()
        .chain(affected.into_iter().flat_map(|a| a.severity.iter()));
    let mut best: Option<f64> = None;
    for e in entries {
        let score = match e.kind.as_str() {
            "CVSS_V3" => e
                .score
                .parse::<cvss::v3::Base>()
                .ok()
                .map(|b| b.score().value()),
            "CVSS_V4" => e
                .score
                .parse::<cvss::v4::Vector>()
                .ok()
                .map(|v| v.score().value()),
            _ => None,
        };
        if let Some(s) = score {
            best = Some(best.map_or(s, |b: f64| b.max(s)));
        }
    }
    if let Some(s) = best {
        let level = if s >= 9.0 {
            "critical"
        } else if s >= 7.0 {
            "high"
        } else if s >= 4.0 {
            "medium"
        } else {
            "low"
        };
        return Some((Some(s), level));
    }
    let rating = record.database_specific["severity"].as_str()?;
    let level = match rating.to_ascii_uppercase().as_str() {
        "CRITICAL" => "critical",
        "HIGH" => "high",
        "MODERATE" | "MEDIUM" => "medium",
        "LOW" => "low",
        _ => return None,
    };
    Some((None, level))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A numeric dotted order, enough to test range logic apart from any ecosystem.
    fn dotted(a: &str, b: &str) -> Option<Ordering> {
        let p = |s: &str| -> Option<Vec<u64>> { s.split('.').map(|x| x.parse().ok()).collect() };
        Some(p(a)?.cmp(&p(b)?))
    }

    fn ev(kind: &str, v: &str) -> Event {
        let mut e = Event::default();
        match kind {
            "i" => e.introduced = Some(v.into()),
            "f" => e.fixed = Some(v.into()),
            "l" => e.last_affected = Some(v.into()),
            _ => e.limit = Some(v.into()),
        }
        e
    }

    #[test]
    fn ranges_open_close_and_reopen() {
        let evs = vec![
            ev("i", "0"),
            ev("f", "1.2.0"),
            ev("i", "2.0.0"),
            ev("f", "2.1.3"),
        ];
        let yes = |v| in_range(v, &evs, &dotted);
        assert!(yes("0.1"));
        assert!(yes("1.1.9"));
        assert!(!yes("1.2.0"));
        assert!(!yes("1.9"));
        assert!(yes("2.0.0"));
        assert!(yes("2.1.2"));
        assert!(!yes("2.1.3"));
        // Events out of order in the record are sorted first.
        let shuffled = vec![
            ev("f", "2.1.3"),
            ev("i", "2.0.0"),
            ev("f", "1.2.0"),
            ev("i", "0"),
        ];
        assert!(in_range("2.0.5", &shuffled, &dotted));
        assert!(!in_range("1.5", &shuffled, &dotted));
        // last_affected is inclusive.
        let la = vec![ev("i", "1.0"), ev("l", "1.4")];
        assert!(in_range("1.4", &la, &dotted));
        assert!(!in_range("1.4.1", &la, &dotted));
        assert!(!in_range("0.9", &la, &dotted));
        // Unparseable event versions are skipped, not fatal.
        let odd = vec![ev("i", "0"), ev("f", "not-a-version")];
        assert!(in_range("9.9", &odd, &dotted));
    }

    #[test]
    fn yaml_keeps_versions_as_text() {
        let r = from_yaml(
            "id: PYSEC-1\nmodified: 2024-01-01T00:00:00Z\naliases: [CVE-2024-1, GHSA-x]\naffected:\n- package:\n    ecosystem: PyPI\n    name: Foo_Bar\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: 1.10\n  versions:\n  - 1.0\n  - 1.9\n",
        )
        .unwrap();
        assert_eq!(r.affected[0].versions, ["1.0", "1.9"]);
        assert_eq!(
            r.affected[0].ranges[0].events[1].fixed.as_deref(),
            Some("1.10")
        );
        assert!(r.affected[0].names(Ecosystem::PyPI, "foo-bar"));
        assert_eq!(r.ids(), ["CVE-2024-1", "GHSA-x", "PYSEC-1"]);
        assert!(r.affected[0].affects("1.9", &dotted, &dotted));
        assert!(!r.affected[0].affects("1.10", &dotted, &dotted));
        assert_eq!(
            r.affected[0]
                .fixed_after("1.5", &dotted, &dotted)
                .as_deref(),
            Some("1.10")
        );
        assert!(from_yaml("id: [unclosed").is_err());
        assert!(from_yaml("").is_err());
    }

    #[test]
    fn severity_from_cvss_or_ghsa() {
        let mut r = from_json(br#"{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#).unwrap();
        let (score, level) = severity(&r, None).unwrap();
        assert_eq!(level, "critical");
        assert!((score.unwrap() - 9.8).abs() < 0.01);
        r.severity.clear();
        r.database_specific = serde_json::json!({"severity": "MODERATE"});
        assert_eq!(severity(&r, None), Some((None, "medium")));
    }

    proptest::proptest! {
        #[test]
        fn yaml_never_panics(s in "\\PC{0,200}") {
            let _ = from_yaml(&s);
        }
    }
}
