//! AI/ML packages whose defaults run code from the files they load (`data/ai-packages.toml`). The analyzer
//! publishes each one a lockfile or manifest selects as a `deps/ai-unsafe-default` fact, which the AI
//! self-assessment reads; they are facts, not findings: depending on `torch` is not a flaw, loading an untrusted
//! checkpoint with it is, and the code analyzer is the one that sees the call.

use crate::{normalise_name, version, Ecosystem, Package};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::sync::OnceLock;

pub const FACT: &str = "deps/ai-unsafe-default";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// The first version whose default is safe; `None` when no version is.
    #[serde(default)]
    pub safe_from: Option<String>,
    pub risk: String,
    pub advice: String,
    pub reference: String,
}

#[derive(Deserialize)]
struct Catalog {
    package: Vec<Entry>,
}

pub fn catalog() -> &'static [Entry] {
    static C: OnceLock<Vec<Entry>> = OnceLock::new();
    C.get_or_init(|| {
        // The catalog is compiled in and checked by a test; a parse failure is a build defect, so it yields an
        // empty catalog rather than a panic at scan time.
        toml::from_str::<Catalog>(include_str!("../data/ai-packages.toml"))
            .map(|c| c.package)
            .unwrap_or_default()
    })
}

/// What the fact says about one package of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsafeDefault {
    pub ecosystem: Ecosystem,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    pub line: u32,
    /// `true`: the selected version has the unsafe default; `false`: it is at or above `safe_from`; `None`: a
    /// range or no version, so the file does not say which is installed.
    pub affected: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_from: Option<String>,
    pub risk: String,
    pub advice: String,
    pub reference: String,
}

/// The catalogued packages among `pkgs`, once per name.
pub fn unsafe_defaults(pkgs: &[Package]) -> Vec<UnsafeDefault> {
    let mut out: Vec<UnsafeDefault> = Vec::new();
    for p in pkgs {
        let n = normalise_name(p.ecosystem, &p.name);
        // Catalogue names are written normalised (a test checks it), so they compare as they are.
        let Some(e) = catalog()
            .iter()
            .find(|e| e.ecosystem == p.ecosystem && e.name == n)
        else {
            continue;
        };
        if out
            .iter()
            .any(|u| u.ecosystem == p.ecosystem && normalise_name(p.ecosystem, &u.name) == n)
        {
            continue;
        }
        let affected = match (&e.safe_from, &p.version) {
            (None, _) => Some(true),
            (Some(safe), Some(v)) => {
                version::compare(p.ecosystem, v, safe).map(|o| o == Ordering::Less)
            }
            (Some(_), None) => None,
        };
        out.push(UnsafeDefault {
            ecosystem: p.ecosystem,
            name: p.name.clone(),
            version: p.version.clone(),
            requirement: p.requirement.clone(),
            line: p.line,
            affected,
            safe_from: e.safe_from.clone(),
            risk: e.risk.clone(),
            advice: e.advice.clone(),
            reference: e.reference.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn pkg(name: &str, version: Option<&str>) -> Package {
        let mut p = Package::new(Ecosystem::PyPI, name, 3, Source::Registry);
        p.version = version.map(str::to_string);
        p
    }

    #[test]
    fn the_catalog_parses_and_every_safe_version_is_ordered() {
        assert!(catalog().len() >= 8);
        for e in catalog() {
            if let Some(s) = &e.safe_from {
                assert!(version::compare(e.ecosystem, s, s).is_some(), "{}", e.name);
            }
            assert!(e.reference.starts_with("https://"), "{}", e.name);
            assert_eq!(
                normalise_name(e.ecosystem, &e.name),
                e.name,
                "written normalised"
            );
        }
    }

    #[test]
    fn versions_below_the_safe_default_are_affected() {
        let found = unsafe_defaults(&[
            pkg("torch", Some("2.5.1")),
            pkg("Torch", Some("2.6.0")), // the same package again: reported once
            pkg("numpy", Some("1.26.4")),
            pkg("joblib", None),
            pkg("keras", None),
            pkg("requests", Some("2.0.0")),
        ]);
        let got: Vec<(&str, Option<bool>)> = found
            .iter()
            .map(|u| (u.name.as_str(), u.affected))
            .collect();
        assert_eq!(
            got,
            [
                ("torch", Some(true)),
                ("numpy", Some(false)),
                ("joblib", Some(true)),
                ("keras", None)
            ]
        );
        assert_eq!(
            unsafe_defaults(&[pkg("torch", Some("2.6.0rc1"))])[0].affected,
            Some(true)
        );
    }
}
