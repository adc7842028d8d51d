//! The `deps` analyzer. Per file: a lockfile or manifest read into packages (a `deps/packages` fact), and the
//! risks one file shows (VCS and URL sources, an extra index, install scripts). Per tree: manifests joined with
//! the lockfiles beside them (direct and dev flags), unpinned manifests without a lockfile, the SBOM components,
//! and known vulnerabilities from the offline database.

use crate::lock::{self, Input};
use crate::rules::{
    self, EXTRA_INDEX, INSTALL_SCRIPT, OUT_OF_SYNC, TYPOSQUAT, UNPINNED, URL_DEPENDENCY,
    VCS_UNPINNED, VULNERABLE,
};
use crate::vulndb::VulnDb;
use crate::{normalise_name, version, Ecosystem, Package, Source};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use warden_core::{
    Analyzer, AnalyzerSetup, Claim, Fact, Facts, FileMeta, FileOutput, Finding, FinishOutput,
    FinishScope, Location, Problem, RuleMeta, Severity, SourceFile,
};

pub const NAME: &str = "deps";

/// Lockfiles can be large (a monorepo's package-lock.json runs to tens of MiB); they are read whole up to this.
const MAX_LOCKFILE: u64 = 512 << 20;

/// `[deps]` in `warden.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The vulnerability database (`warden vulndb import`); `--vulndb` wins over it.
    #[serde(default)]
    pub vulndb: Option<PathBuf>,
}

pub struct DepsAnalyzer {
    rules: Vec<RuleMeta>,
    vulndb: Option<PathBuf>,
    worktree: Option<PathBuf>,
}

/// What one file holds, as the fact carries it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileFacts {
    pub lockfile: bool,
    pub packages: Vec<Package>,
}

/// Whether a file name is a lockfile (exact versions of the whole tree) rather than a manifest.
pub fn is_lockfile(path: &str) -> bool {
    matches!(
        lock::file_name(path),
        "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "poetry.lock"
            | "uv.lock"
            | "Pipfile.lock"
            | "Cargo.lock"
            | "go.mod"
            | "Gemfile.lock"
            | "composer.lock"
    )
}

fn no_read(_: &str) -> Option<String> {
    None
}

/// Whether warden reads this file as a lockfile or manifest.
pub fn recognises(path: &str) -> bool {
    lock::parse(&Input {
        path,
        text: "",
        read: &no_read,
    })
    .is_some()
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn pinned_rev(rev: Option<&str>) -> bool {
    rev.is_some_and(|r| {
        (r.len() == 40 || r.len() == 64) && r.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

impl DepsAnalyzer {
    pub fn from_setup(setup: &AnalyzerSetup) -> Result<Self, String> {
        let settings: Settings = match setup.config.section(NAME) {
            Some(s) => s.parse(NAME).map_err(|e| e.to_string())?,
            None => Settings::default(),
        };
        Ok(DepsAnalyzer {
            rules: rules::all().iter().map(|r| r.meta()).collect(),
            vulndb: setup.vulndb.map(Path::to_path_buf).or(settings.vulndb),
            worktree: setup.worktree.map(Path::to_path_buf),
        })
    }

    fn meta(&self, id: &str) -> &RuleMeta {
        let full = format!("{NAME}/{id}");
        self.rules
            .iter()
            .find(|r| r.id == full)
            .unwrap_or(&self.rules[0])
    }

    fn finding(
        &self,
        id: &str,
        message: String,
        path: &str,
        line: u32,
        matched: String,
    ) -> Finding {
        let mut f = Finding::new(
            self.meta(id),
            message,
            Location::at(path, line.max(1), 1, 1),
        );
        f.matched = matched;
        f
    }

    /// The risks one file shows on its own.
    fn file_risks(&self, path: &str, text: &str, pkgs: &[Package], out: &mut FileOutput) {
        let lines: Vec<&str> = text.lines().collect();
        let snippet = |line: u32| -> String {
            lines
                .get(line.saturating_sub(1) as usize)
                .map(|l| l.trim().chars().take(200).collect())
                .unwrap_or_default()
        };
        for p in pkgs {
            let mut push = |id: &str, message: String, key: &str, severity: Option<Severity>| {
                let mut f = self.finding(id, message, path, p.line, format!("{}|{key}", p.name));
                f.snippet = snippet(p.line);
                if let Some(s) = severity {
                    f.severity = s;
                }
                out.findings.push(f);
            };
            match &p.source {
                Source::Vcs { url, rev } if !pinned_rev(rev.as_deref()) => push(
                    VCS_UNPINNED,
                    match rev {
                        Some(r) => format!(
                            "`{}` is installed from {url} at `{r}`, a branch or tag that can move, not a commit",
                            p.name
                        ),
                        None => format!(
                            "`{}` is installed from {url} with no commit pinned: whatever the default branch holds at install time",
                            p.name
                        ),
                    },
                    "vcs",
                    None,
                ),
                Source::Url { url } => {
                    let plain = url.starts_with("http://");
                    push(
                        URL_DEPENDENCY,
                        format!(
                            "`{}` is downloaded from {url}{}",
                            p.name,
                            if plain {
                                " over plain http: anyone on the path can replace it"
                            } else {
                                ", outside any registry"
                            }
                        ),
                        "url",
                        plain.then_some(Severity::High),
                    );
                }
                _ => {}
            }
            if p.install_script {
                push(
                    INSTALL_SCRIPT,
                    format!(
                        "`{}`{} runs an install script",
                        p.name,
                        p.version
                            .as_deref()
                            .map(|v| format!(" {v}"))
                            .unwrap_or_default()
                    ),
                    "script",
                    None,
                );
            }
        }
        // pip reads `--extra-index-url` in requirements files; `extra-index-url` in pip.conf / pip.ini.
        let name = lock::file_name(path);
        let requirements = name.ends_with(".txt") || name.ends_with(".in");
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            let hit = if requirements {
                t.starts_with("--extra-index-url")
            } else {
                false
            };
            if hit {
                let url = t
                    .trim_start_matches("--extra-index-url")
                    .trim_start_matches(['=', ' ', '\t'])
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                let shown = lock::strip_credentials(url);
                let mut f = self.finding(
                    EXTRA_INDEX,
                    format!(
                        "`--extra-index-url {shown}`: pip takes the highest version from this index or PyPI, so a package of the same name on PyPI wins"
                    ),
                    path,
                    i as u32 + 1,
                    format!("extra-index|{shown}"),
                );
                f.snippet = format!("--extra-index-url {shown}");
                out.findings.push(f);
            }
        }
    }
}

/// A version order that parses each distinct version string once: matching compares the same advisory bounds
/// and locked versions over and over (a package's every advisory, for every version the tree locks), and parsing
/// (PEP 440's is a regular expression) is most of the cost.
struct Memo {
    eco: Ecosystem,
    semver: bool,
    parsed: std::cell::RefCell<HashMap<String, Option<version::Version>>>,
}

impl Memo {
    /// Entries kept before the cache starts over (a bound on memory for trees with millions of versions).
    const MAX: usize = 1 << 20;

    fn new(eco: Ecosystem, semver: bool) -> Memo {
        Memo {
            eco,
            semver,
            parsed: Default::default(),
        }
    }

    fn cmp(&self, a: &str, b: &str) -> Option<std::cmp::Ordering> {
        let mut m = self.parsed.borrow_mut();
        if m.len() > Self::MAX {
            m.clear();
        }
        for s in [a, b] {
            if !m.contains_key(s) {
                let v = if self.semver {
                    version::Version::parse_semver(s)
                } else {
                    version::Version::parse(self.eco, s)
                };
                m.insert(s.to_string(), v);
            }
        }
        Some(m.get(a)?.as_ref()?.cmp(m.get(b)?.as_ref()?))
    }
}

impl Analyzer for DepsAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        if recognises(file.path) {
            Claim::Bytes { max: MAX_LOCKFILE }
        } else {
            Claim::Skip
        }
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let path = file.meta.path;
        let text = String::from_utf8_lossy(file.bytes());
        let dir = dir_of(path).to_string();
        let root = self.worktree.clone();
        // Included files (`-r other.txt`) are read from the working tree when there is one.
        let read = move |rel: &str| -> Option<String> {
            let root = root.as_ref()?;
            let joined = if dir.is_empty() {
                rel.to_string()
            } else {
                format!("{dir}/{rel}")
            };
            // `..` may climb to a parent manifest (a Cargo workspace root), never out of the tree.
            let mut parts: Vec<&str> = Vec::new();
            for c in joined.split('/') {
                match c {
                    "" | "." => {}
                    ".." => {
                        parts.pop()?;
                    }
                    c => parts.push(c),
                }
            }
            std::fs::read_to_string(root.join(parts.join("/"))).ok()
        };
        let parsed = lock::parse(&Input {
            path,
            text: &text,
            read: &read,
        });
        let pkgs = match parsed {
            None => return,
            Some(Err(e)) => {
                out.problems.push(e.to_string());
                return;
            }
            Some(Ok(p)) => p,
        };
        self.file_risks(path, &text, &pkgs, out);
        for u in crate::aiml::unsafe_defaults(&pkgs) {
            out.facts.push(Fact {
                analyzer: NAME.into(),
                kind: crate::aiml::FACT.into(),
                path: path.into(),
                data: serde_json::to_value(&u).unwrap_or_default(),
            });
        }
        let facts = FileFacts {
            lockfile: is_lockfile(path),
            packages: pkgs,
        };
        out.facts.push(Fact {
            analyzer: NAME.into(),
            kind: "deps/packages".into(),
            path: path.into(),
            data: serde_json::to_value(&facts).unwrap_or_default(),
        });
    }

    fn finish_scope(&self) -> FinishScope {
        FinishScope::Head
    }

    fn finish(&self, facts: &Facts) -> FinishOutput {
        let mut out = FinishOutput::default();
        let Joined { files, locked } = join(facts);
        // Manifests with loose requirements and no lockfile beside them.
        for (path, f) in &files {
            if f.lockfile {
                continue;
            }
            let loose: Vec<&Package> = f
                .packages
                .iter()
                .filter(|p| {
                    p.version.is_none()
                        && matches!(p.source, Source::Registry | Source::OtherRegistry { .. })
                })
                .filter(|p| !locked_at(&locked, dir_of(path), p.ecosystem))
                .collect();
            if let Some(first) = loose.first() {
                let names: Vec<String> = loose
                    .iter()
                    .take(5)
                    .map(|p| match &p.requirement {
                        Some(r) if !r.is_empty() => format!("{} {r}", p.name),
                        _ => p.name.clone(),
                    })
                    .collect();
                let mut f = self.finding(
                    UNPINNED,
                    format!(
                        "{} dependenc{} resolved at install time, with no lockfile beside this manifest: {}{}",
                        loose.len(),
                        if loose.len() == 1 { "y is" } else { "ies are" },
                        names.join(", "),
                        if loose.len() > 5 { ", …" } else { "" }
                    ),
                    path,
                    first.line,
                    format!("unpinned|{path}"),
                );
                f.snippet = names.join(", ");
                out.findings.push(f);
            }
        }
        self.typosquats(&files, &mut out);
        self.out_of_sync(&files, &mut out);
        // The SBOM is `warden sbom`'s, built from the facts (`join`, `sbom_packages`): components of the scan
        // stay the inventory's, whose AI dependencies they are.
        // Known vulnerabilities.
        if let Some(db_path) = &self.vulndb {
            match VulnDb::open_existing(db_path) {
                Err(e) => out.problems.push(Problem {
                    path: db_path.display().to_string(),
                    message: e.to_string(),
                }),
                Ok(db) => self.vulnerabilities(&db, &files, &mut out),
            }
        }
        out
    }
}

/// The lockfiles that record what a manifest declares, by file name: the lockfile must sit in the manifest's
/// directory (a workspace member's manifest is not compared with its root's lockfile: nothing in the facts says
/// whether that lockfile covers it).
fn lockfiles_of(manifest: &str) -> &'static [&'static str] {
    match manifest {
        "package.json" => &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
        ],
        "pyproject.toml" => &["poetry.lock", "uv.lock"],
        "Pipfile" => &["Pipfile.lock"],
        "Cargo.toml" => &["Cargo.lock"],
        "composer.json" => &["composer.lock"],
        _ => &[],
    }
}

impl DepsAnalyzer {
    /// Declared dependencies one edit away from a popular name of their ecosystem (`typosquat.rs`). Manifests
    /// are read first; a lockfile's direct packages count only where no manifest beside it declared them.
    fn typosquats(&self, files: &[(String, FileFacts)], out: &mut FinishOutput) {
        let mut seen: HashSet<(String, Ecosystem, String)> = HashSet::new();
        let manifests = files.iter().filter(|(_, f)| !f.lockfile);
        let lockfiles = files.iter().filter(|(_, f)| f.lockfile);
        for (path, f) in manifests.chain(lockfiles) {
            for p in f.packages.iter().filter(|p| p.direct) {
                if !matches!(p.source, Source::Registry) {
                    continue;
                }
                let key = (
                    dir_of(path).to_string(),
                    p.ecosystem,
                    normalise_name(p.ecosystem, &p.name),
                );
                if !seen.insert(key) {
                    continue;
                }
                let Some(target) = crate::typosquat::resembles(p.ecosystem, &p.name) else {
                    continue;
                };
                let mut finding = self.finding(
                    TYPOSQUAT,
                    format!(
                        "`{}` is one edit away from `{target}`, one of the most downloaded {} packages, and is not popular itself: make sure it is the package you meant",
                        p.name,
                        p.ecosystem.osv_name()
                    ),
                    path,
                    p.line,
                    format!("typosquat|{}|{}", p.ecosystem.osv_name(), p.name),
                );
                finding.snippet = p.name.clone();
                finding.ext.insert(
                    NAME.into(),
                    serde_json::json!({"package": p.name, "ecosystem": p.ecosystem.osv_name(), "resembles": target}),
                );
                out.findings.push(finding);
            }
        }
    }

    /// Manifests that declare registry dependencies the lockfile beside them does not lock (or locks at another
    /// version than an exact pin): the lockfile was not regenerated after the manifest changed.
    fn out_of_sync(&self, files: &[(String, FileFacts)], out: &mut FinishOutput) {
        let by_path: HashMap<&str, &FileFacts> =
            files.iter().map(|(p, f)| (p.as_str(), f)).collect();
        for (path, f) in files.iter().filter(|(_, f)| !f.lockfile) {
            let dir = dir_of(path);
            for lock_name in lockfiles_of(lock::file_name(path)) {
                let lock_path = if dir.is_empty() {
                    lock_name.to_string()
                } else {
                    format!("{dir}/{lock_name}")
                };
                let Some(lockf) = by_path.get(lock_path.as_str()) else {
                    continue;
                };
                let mut locked: HashMap<(Ecosystem, String), Vec<&str>> = HashMap::new();
                for p in &lockf.packages {
                    locked
                        .entry((p.ecosystem, normalise_name(p.ecosystem, &p.name)))
                        .or_default()
                        .extend(p.version.as_deref());
                }
                let mut stale: Vec<String> = Vec::new();
                let mut first = None;
                for p in f.packages.iter().filter(|p| p.direct && !p.peer) {
                    if !matches!(p.source, Source::Registry | Source::OtherRegistry { .. }) {
                        continue;
                    }
                    let why = match locked.get(&(p.ecosystem, normalise_name(p.ecosystem, &p.name)))
                    {
                        None => Some(format!("{} (not locked)", p.name)),
                        Some(versions) => p.version.as_deref().and_then(|pin| {
                            let same = versions.iter().any(|v| {
                                version::compare(p.ecosystem, v, pin)
                                    == Some(std::cmp::Ordering::Equal)
                            });
                            (!same && !versions.is_empty()).then(|| {
                                format!("{} {pin} (locked at {})", p.name, versions.join(", "))
                            })
                        }),
                    };
                    if let Some(w) = why {
                        first.get_or_insert(p.line);
                        stale.push(w);
                    }
                }
                let Some(line) = first else { continue };
                let shown: Vec<&str> = stale.iter().take(5).map(String::as_str).collect();
                let mut finding = self.finding(
                    OUT_OF_SYNC,
                    format!(
                        "{lock_name} does not match this manifest: {}{}; regenerate the lockfile so that installs from it get what the manifest declares",
                        shown.join(", "),
                        if stale.len() > 5 { format!(" and {} more", stale.len() - 5) } else { String::new() }
                    ),
                    path,
                    line,
                    format!("out-of-sync|{lock_path}"),
                );
                finding.snippet = shown.join(", ");
                out.findings.push(finding);
            }
        }
    }
}

/// The packages of a tree, file by file, with manifests joined to the lockfiles beside them: a locked package
/// that a manifest declares is direct (and dev when the manifest says so).
pub struct Joined {
    /// By path, in path order.
    pub files: Vec<(String, FileFacts)>,
    /// Directories (and ecosystems) that hold a lockfile.
    pub locked: HashSet<(String, Ecosystem)>,
}

pub fn join(facts: &Facts) -> Joined {
    let mut files: Vec<(String, FileFacts)> = facts
        .of_kind("deps/packages")
        .filter(|f| f.analyzer == NAME)
        .filter_map(|f| {
            serde_json::from_value::<FileFacts>(f.data.clone())
                .ok()
                .map(|d| (f.path.clone(), d))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut declared: HashMap<(String, Ecosystem), HashMap<String, bool>> = HashMap::new();
    let mut locked: HashSet<(String, Ecosystem)> = HashSet::new();
    for (path, f) in &files {
        for p in &f.packages {
            let key = (dir_of(path).to_string(), p.ecosystem);
            if f.lockfile {
                locked.insert(key);
            }
        }
    }
    // A manifest's declarations go to the nearest lockfile of its ecosystem, in its directory or above (a
    // workspace member's package.json and the root yarn.lock). A package is dev only if every declaration is.
    for (path, f) in &files {
        if f.lockfile {
            continue;
        }
        for p in f.packages.iter().filter(|p| p.direct) {
            let Some(lock_dir) = nearest_lock(&locked, dir_of(path), p.ecosystem) else {
                continue;
            };
            declared
                .entry((lock_dir.to_string(), p.ecosystem))
                .or_default()
                .entry(normalise_name(p.ecosystem, &p.name))
                .and_modify(|dev| *dev &= p.dev)
                .or_insert(p.dev);
        }
    }
    for (path, f) in files.iter_mut() {
        if !f.lockfile {
            continue;
        }
        for p in f.packages.iter_mut() {
            if let Some(m) = declared.get(&(dir_of(path).to_string(), p.ecosystem)) {
                if let Some(dev) = m.get(&normalise_name(p.ecosystem, &p.name)) {
                    p.direct = true;
                    p.dev |= *dev;
                }
            }
        }
    }
    Joined { files, locked }
}

/// Whether a lockfile of `eco` sits in `dir` or a directory above it (workspaces lock at their root).
pub fn locked_at(locked: &HashSet<(String, Ecosystem)>, dir: &str, eco: Ecosystem) -> bool {
    nearest_lock(locked, dir, eco).is_some()
}

/// The nearest directory at or above `dir` that holds a lockfile of `eco`.
fn nearest_lock<'a>(
    locked: &HashSet<(String, Ecosystem)>,
    dir: &'a str,
    eco: Ecosystem,
) -> Option<&'a str> {
    let mut d = dir;
    loop {
        if locked.contains(&(d.to_string(), eco)) {
            return Some(d);
        }
        if d.is_empty() {
            return None;
        }
        d = dir_of(d);
    }
}

/// What an SBOM lists: the packages lockfiles select, and the exact pins of manifests that have no lockfile
/// beside them; each once per file.
pub fn sbom_packages(j: &Joined) -> Vec<(&str, &Package)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (path, f) in &j.files {
        for p in &f.packages {
            if p.version.is_none() {
                continue;
            }
            if !f.lockfile && locked_at(&j.locked, dir_of(path), p.ecosystem) {
                continue;
            }
            if seen.insert((path.as_str(), p.purl())) {
                out.push((path.as_str(), p));
            }
        }
    }
    out
}

impl DepsAnalyzer {
    fn vulnerabilities(&self, db: &VulnDb, files: &[(String, FileFacts)], out: &mut FinishOutput) {
        let mut cache: BTreeMap<(Ecosystem, String, String), Vec<crate::vulndb::Match>> =
            BTreeMap::new();
        let mut records: HashMap<(Ecosystem, String), Vec<crate::osv::Record>> = HashMap::new();
        let mut orders: HashMap<Ecosystem, Memo> = HashMap::new();
        let semver = Memo::new(Ecosystem::Npm, true);
        for (path, f) in files {
            for p in &f.packages {
                let Some(v) = &p.version else { continue };
                let key = (p.ecosystem, normalise_name(p.ecosystem, &p.name), v.clone());
                let matches = match cache.get(&key) {
                    Some(m) => m.clone(),
                    None => {
                        // A package's records are read once, however many of its versions the tree locks.
                        let rkey = (p.ecosystem, key.1.clone());
                        if !records.contains_key(&rkey) {
                            match db.records_for(p.ecosystem, &p.name) {
                                Ok(r) => {
                                    records.insert(rkey.clone(), r);
                                }
                                Err(e) => {
                                    out.problems.push(Problem {
                                        path: path.clone(),
                                        message: e.to_string(),
                                    });
                                    return;
                                }
                            }
                        }
                        let memo = orders
                            .entry(p.ecosystem)
                            .or_insert_with(|| Memo::new(p.ecosystem, false));
                        let order = |a: &str, b: &str| memo.cmp(a, b);
                        let semver_order = |a: &str, b: &str| semver.cmp(a, b);
                        let m = crate::vulndb::matches_in(
                            records.get(&rkey).map_or(&[][..], |r| &r[..]),
                            p.ecosystem,
                            &p.name,
                            v,
                            &order,
                            &semver_order,
                        );
                        cache.insert(key, m.clone());
                        m
                    }
                };
                for m in matches {
                    let how = match (p.direct, p.dev) {
                        (true, false) => "a direct dependency",
                        (true, true) => "a direct development dependency",
                        (false, false) => "a transitive dependency",
                        (false, true) => "a transitive development dependency",
                    };
                    let message = format!(
                        "{} {v} ({how}) is affected by {}{}{}",
                        p.name,
                        m.ids.join(", "),
                        m.summary
                            .as_deref()
                            .map(|s| format!(": {}", s.trim()))
                            .unwrap_or_default(),
                        match &m.fixed {
                            Some(fx) => format!("; fixed in {fx}"),
                            None => "; the advisory names no release above this one that fixes it"
                                .into(),
                        }
                    );
                    let primary = m.ids.first().cloned().unwrap_or_default();
                    let mut finding = self.finding(
                        VULNERABLE,
                        message,
                        path,
                        p.line,
                        format!("{}|{}|{v}|{primary}", p.ecosystem.osv_name(), p.name),
                    );
                    if let Some(level) = m.level {
                        finding.severity = level.parse().unwrap_or(finding.severity);
                    }
                    finding.snippet = format!("{} {v}", p.name);
                    finding.tags.extend(m.ids.iter().cloned());
                    finding.tags.push(format!("purl:{}", p.purl()));
                    finding.ext.insert(
                        NAME.into(),
                        serde_json::json!({
                            "package": p.name, "version": v, "ecosystem": p.ecosystem.osv_name(),
                            "purl": p.purl(), "direct": p.direct, "dev": p.dev,
                            "ids": m.ids, "fixed": m.fixed, "cvss": m.score,
                        }),
                    );
                    out.findings.push(finding);
                }
            }
        }
    }
}
