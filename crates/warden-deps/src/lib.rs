//! The supply-chain analyzer (`deps`): what a repository depends on, read from its lockfiles and manifests with
//! each ecosystem's own semantics; which of those versions an offline OSV database says are vulnerable, compared
//! in each ecosystem's version order; and the dependency risks assistants bring (loose pins, typosquats, URL and
//! VCS sources, dependency confusion, install scripts).

pub mod aiml;
pub mod analyzer;
pub mod lock;
pub mod osv;
pub mod rules;
pub mod typosquat;
pub mod version;
pub mod vulndb;

pub use analyzer::{DepsAnalyzer, NAME};
use serde::{Deserialize, Serialize};

/// The package ecosystems warden reads, named as OSV names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "crates.io")]
    CratesIo,
    #[serde(rename = "Go")]
    Go,
    #[serde(rename = "RubyGems")]
    RubyGems,
    #[serde(rename = "Packagist")]
    Packagist,
    #[serde(rename = "Maven")]
    Maven,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 7] = [
        Ecosystem::PyPI,
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Maven,
    ];

    /// OSV's name (`PyPI`, `npm`, `crates.io`, …).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
        }
    }

    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        // OSV qualifies some ecosystems with a suffix (`Maven:central`); the part before it names the family.
        let base = name.split(':').next().unwrap_or(name);
        Self::ALL.into_iter().find(|e| e.osv_name() == base)
    }

    /// The package URL type (`pkg:pypi/…`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::PyPI => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Go => "golang",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::Maven => "maven",
        }
    }
}

/// Where a package comes from, when it is not the ecosystem's registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    Registry,
    /// Another registry or index than the ecosystem's default (its URL, credentials removed).
    OtherRegistry {
        url: String,
    },
    /// A tarball or wheel URL.
    Url {
        url: String,
    },
    /// A git (or other VCS) repository; `rev` is what the lockfile or manifest pins, if anything.
    Vcs {
        url: String,
        rev: Option<String>,
    },
    /// A local path.
    Path {
        path: String,
    },
}

/// One package as a lockfile or manifest states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// As the ecosystem spells it in the file; compare through [`normalise_name`].
    pub name: String,
    /// The exact version locked or pinned; `None` for a manifest requirement that is not a pin.
    pub version: Option<String>,
    /// The requirement as written in a manifest (`>=2.0,<3`, `^1.2.0`), when the file is a manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// Declared by the project itself (a manifest entry, a lockfile's root dependency), not only pulled in.
    pub direct: bool,
    /// Needed only to develop or test (dev dependencies, dev groups).
    pub dev: bool,
    /// 1-based line of the package's entry in the file (1 when the format gives no place).
    pub line: u32,
    pub source: Source,
    /// Install scripts the lockfile records (npm `hasInstallScript`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub install_script: bool,
    /// A peer dependency (npm `peerDependencies`): the consumer installs it, so a lockfile may not hold it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub peer: bool,
}

impl Package {
    /// A package at `line` of its file: no version or requirement yet, neither direct nor dev, no install script.
    pub fn new(ecosystem: Ecosystem, name: &str, line: u32, source: Source) -> Package {
        Package {
            ecosystem,
            name: name.to_string(),
            version: None,
            requirement: None,
            direct: false,
            dev: false,
            line,
            source,
            install_script: false,
            peer: false,
        }
    }

    /// The package URL (`pkg:pypi/requests@2.31.0`), per the purl spec's rules for each type.
    pub fn purl(&self) -> String {
        let name = normalise_name(self.ecosystem, &self.name);
        let (ns, n) = match self.ecosystem {
            Ecosystem::Npm if name.starts_with('@') => match name.split_once('/') {
                Some((scope, n)) => (Some(format!("%40{}", &scope[1..])), n.to_string()),
                None => (None, name.clone()),
            },
            Ecosystem::Go | Ecosystem::Packagist => match name.rsplit_once('/') {
                Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
                None => (None, name.clone()),
            },
            Ecosystem::Maven => match name.split_once(':') {
                Some((g, a)) => (Some(g.to_string()), a.to_string()),
                None => (None, name.clone()),
            },
            _ => (None, name.clone()),
        };
        let mut p = format!("pkg:{}/", self.ecosystem.purl_type());
        if let Some(ns) = ns {
            p.push_str(&ns);
            p.push('/');
        }
        p.push_str(&n);
        if let Some(v) = &self.version {
            p.push('@');
            p.push_str(v);
        }
        p
    }
}

/// A package name as its ecosystem compares names: PyPI per PEP 503 (case-folded, runs of `-_.` as one `-`),
/// npm, crates.io, Go and Maven as written (crates.io treats `-` and `_` alike), RubyGems and Packagist
/// case-folded.
pub fn normalise_name(eco: Ecosystem, name: &str) -> String {
    match eco {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.extend(c.to_lowercase());
                }
            }
            out
        }
        Ecosystem::CratesIo => name.replace('_', "-"),
        Ecosystem::RubyGems | Ecosystem::Packagist => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(
            normalise_name(Ecosystem::PyPI, "Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(normalise_name(Ecosystem::PyPI, "a--b"), "a-b");
        assert_eq!(
            normalise_name(Ecosystem::CratesIo, "serde_json"),
            "serde-json"
        );
        assert_eq!(normalise_name(Ecosystem::Npm, "@Scope/Pkg"), "@Scope/Pkg");
    }

    #[test]
    fn purls_follow_each_type() {
        let p = |eco, name: &str, v: &str| Package {
            ecosystem: eco,
            name: name.into(),
            version: Some(v.into()),
            requirement: None,
            direct: true,
            dev: false,
            line: 1,
            source: Source::Registry,
            install_script: false,
            peer: false,
        };
        assert_eq!(
            p(Ecosystem::PyPI, "Django", "4.2.1").purl(),
            "pkg:pypi/django@4.2.1"
        );
        assert_eq!(
            p(Ecosystem::Npm, "@types/node", "20.1.0").purl(),
            "pkg:npm/%40types/node@20.1.0"
        );
        assert_eq!(
            p(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.9.1").purl(),
            "pkg:golang/github.com/gin-gonic/gin@v1.9.1"
        );
        assert_eq!(
            p(
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                "2.14.1"
            )
            .purl(),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            p(Ecosystem::CratesIo, "serde", "1.0.0").purl(),
            "pkg:cargo/serde@1.0.0"
        );
    }
}
