//! Rust, Go, Ruby, PHP and Java: `Cargo.lock` and `Cargo.toml`, `go.mod`, `Gemfile.lock` (and Bundler's
//! `gems.locked`), `composer.lock` and `composer.json`, and Maven's `pom.xml`.
//!
//! Each reader follows its format's own semantics:
//! - `Cargo.lock`: packages without a `source` are the workspace's own (members and path dependencies); they
//!   are not reported, and what their `dependencies` name is direct. Cargo records nothing about dev-only use.
//! - `Cargo.toml`: every dependency table (`dependencies`, `dev-dependencies`, `build-dependencies`, their
//!   `target.'cfg(..)'` forms and `workspace.dependencies`); `workspace = true` entries take their
//!   specification from this file's `[workspace.dependencies]` or, through `read`, from the nearest ancestor
//!   manifest with a `[workspace]`, and are left out when neither can be read. `version` is set only for an
//!   `=x.y.z` pin.
//! - `go.mod`: `require` lines and blocks (`// indirect` ones are not direct), `replace` directives (a
//!   directory becomes a [`Source::Path`], another module a [`Source::Vcs`] naming that module and version,
//!   since Go fetches a module from its repository); `exclude`, `retract` and the other directives change
//!   nothing reported. `go.sum` is a checksum database, not a package list, and is not read.
//! - `Gemfile.lock`: the specs of `GEM`, `GIT`, `PATH` and `PLUGIN SOURCE` sections, platform suffixes cut
//!   off the version (`1.15.4-x86_64-linux` is 1.15.4, and a gem locked for several platforms is reported
//!   once), `DEPENDENCIES` naming the direct ones. Bundler records no groups, so nothing is dev-only.
//! - `composer.lock`: `packages` and `packages-dev` (dev), versions without Composer's leading `v` as OSV
//!   spells them; direct ones come from the sibling `composer.json` when `read` gives it, else they are the
//!   packages no other locked package requires. Packages Packagist serves are [`Source::Registry`] although
//!   their `source` is a git repository; those of another Composer repository (its `notification-url`) are
//!   [`Source::OtherRegistry`], those of a VCS repository [`Source::Vcs`] with the locked reference, `path`
//!   repositories [`Source::Path`]. A `composer-plugin` runs code when installed: `install_script`.
//! - `composer.json`: `require` and `require-dev` (dev) without platform packages (`php`, `ext-*`, `lib-*`,
//!   `composer-*-api`), constraints as requirements, `version` only for an exact version.
//! - `pom.xml`: the project's `<dependencies>` (and its profiles'), names as `groupId:artifactId`, `test`
//!   scope dev, `system` scope a [`Source::Path`] to its `systemPath`; `${…}` resolved from the pom's own
//!   `<properties>` and the project's (or its parent's) coordinates; a missing version taken from the pom's
//!   own `<dependencyManagement>`, whose entries are not dependencies themselves. What stays unresolved
//!   (parent poms and BOMs are not fetched) has no version and keeps the text as its requirement; version
//!   ranges are requirements too.
//!
//! TOML is read through `toml`'s spanned document, XML through `quick-xml`'s event reader, JSON by a small
//! position-aware parser, and the line formats line by line, so every package carries the line of its entry.

use super::{file_name, json, line_of, line_of_index, strip_credentials, Input, LockError};
use crate::{Ecosystem, Package, Source};
use std::collections::{HashMap, HashSet};

/// The packages of a Rust, Go, Ruby, PHP or Java lockfile or manifest, or `None` for a file name this module
/// does not read.
pub fn parse(input: &Input) -> Option<Result<Vec<Package>, LockError>> {
    // A byte-order mark sits on line 1, so offsets past it still count lines correctly.
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    let result = match file_name(input.path) {
        "Cargo.lock" => cargo::lockfile(text),
        "Cargo.toml" => cargo::manifest(text, input),
        "go.mod" => go::module(text),
        "Gemfile.lock" | "gems.locked" => ruby::lockfile(text),
        "composer.lock" => php::lockfile(text, input.read),
        "composer.json" => php::manifest(text),
        "pom.xml" => maven::pom(text),
        _ => return None,
    };
    Some(result.map(|mut packages| {
        packages.sort_by_key(|p| p.line);
        packages
    }))
}

/// Lines of a text, to turn many byte offsets into line numbers without rescanning it.
struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter_map(|(i, b)| (b == b'\n').then_some(i))
                .collect(),
        }
    }

    /// 1-based line of a byte offset, as [`line_of`] counts it.
    fn line(&self, offset: usize) -> u32 {
        line_of_index(self.newlines.partition_point(|&n| n < offset))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Rust: Cargo.lock and Cargo.toml
// ---------------------------------------------------------------------------------------------------------

mod cargo {
    use super::*;
    use toml::de::{DeTable, DeValue};
    use toml::Spanned;

    type Value<'i> = Spanned<DeValue<'i>>;

    pub(super) fn document(text: &str) -> Result<DeTable<'_>, LockError> {
        DeTable::parse(text).map(Spanned::into_inner).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            LockError::new(line, format!("not valid TOML: {}", e.message().trim()))
        })
    }

    fn line(text: &Lines, value: &Value<'_>) -> u32 {
        text.line(value.span().start)
    }

    fn table<'a, 'i>(value: &'a Value<'i>) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    fn expect_table<'a, 'i>(
        text: &Lines,
        value: &'a Value<'i>,
        what: &str,
    ) -> Result<&'a DeTable<'i>, LockError> {
        table(value).ok_or_else(|| {
            LockError::new(
                line(text, value),
                format!("{what} is a {}, not a table", value.get_ref().type_str()),
            )
        })
    }

    /// A string field of a table: `None` when absent, an error when it is not a string.
    fn string<'a>(
        text: &Lines,
        t: &'a DeTable<'_>,
        key: &str,
    ) -> Result<Option<&'a str>, LockError> {
        match t.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Ok(Some(s)),
                other => Err(LockError::new(
                    line(text, v),
                    format!("`{key}` is a {}, not a string", other.type_str()),
                )),
            },
        }
    }

    // --- Cargo.lock ---

    struct Locked<'a> {
        name: &'a str,
        version: &'a str,
        source: Option<&'a str>,
        dependencies: Vec<&'a str>,
        line: u32,
    }

    pub(super) fn lockfile(source_text: &str) -> Result<Vec<Package>, LockError> {
        let doc = document(source_text)?;
        let text = &Lines::new(source_text);
        let mut locked = Vec::new();
        // Lockfile format 1 keeps the root package apart, in `[root]`.
        if let Some(root) = doc.get("root") {
            locked.push(entry(text, root)?);
        }
        if let Some(list) = doc.get("package") {
            let DeValue::Array(items) = list.get_ref() else {
                return Err(LockError::new(
                    line(text, list),
                    "`package` is not an array of tables",
                ));
            };
            for item in items.iter() {
                locked.push(entry(text, item)?);
            }
        }

        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in locked.iter().enumerate() {
            by_name.entry(p.name).or_default().push(i);
        }
        let mut direct = vec![false; locked.len()];
        for member in locked.iter().filter(|p| p.source.is_none()) {
            for dep in &member.dependencies {
                // `name`, `name version` or (format 1, and where names clash) `name version (source)`.
                let mut parts = dep.splitn(3, ' ');
                let name = parts.next().unwrap_or_default();
                let version = parts.next();
                let source = parts
                    .next()
                    .map(|s| s.trim().trim_start_matches('(').trim_end_matches(')'));
                for &i in by_name.get(name).into_iter().flatten() {
                    let p = &locked[i];
                    if p.source.is_some()
                        && version.is_none_or(|v| v == p.version)
                        && source.is_none_or(|s| Some(s) == p.source)
                    {
                        direct[i] = true;
                    }
                }
            }
        }

        Ok(locked
            .iter()
            .zip(direct)
            .filter_map(|(p, direct)| {
                let source = p.source?;
                let mut out =
                    Package::new(Ecosystem::CratesIo, p.name, p.line, lock_source(source));
                out.version = Some(p.version.to_string());
                out.direct = direct;
                Some(out)
            })
            .collect())
    }

    fn entry<'a>(text: &Lines, item: &'a Value<'_>) -> Result<Locked<'a>, LockError> {
        let at = line(text, item);
        let t = expect_table(text, item, "a `[[package]]` entry")?;
        let name = string(text, t, "name")?
            .ok_or_else(|| LockError::new(at, "a locked package without a `name`"))?;
        let line = t.get("name").map_or(at, |v| line(text, v));
        let version = string(text, t, "version")?.ok_or_else(|| {
            LockError::new(line, format!("locked package `{name}` has no `version`"))
        })?;
        let source = string(text, t, "source")?;
        let mut dependencies = Vec::new();
        if let Some(deps) = t.get("dependencies") {
            let DeValue::Array(items) = deps.get_ref() else {
                return Err(LockError::new(
                    text.line(deps.span().start),
                    format!("`dependencies` of `{name}` is not an array"),
                ));
            };
            for d in items.iter() {
                match d.get_ref() {
                    DeValue::String(s) => dependencies.push(&**s),
                    other => {
                        return Err(LockError::new(
                            text.line(d.span().start),
                            format!("a dependency of `{name}` is a {}", other.type_str()),
                        ))
                    }
                }
            }
        }
        Ok(Locked {
            name,
            version,
            source,
            dependencies,
            line,
        })
    }

    /// A lockfile `source`: crates.io's git or sparse index, another registry, or a git repository whose URL
    /// fragment is the locked commit.
    fn lock_source(source: &str) -> Source {
        const CRATES_IO: [&str; 3] = [
            "registry+https://github.com/rust-lang/crates.io-index",
            "sparse+https://index.crates.io/",
            "sparse+https://index.crates.io",
        ];
        if CRATES_IO.contains(&source) {
            return Source::Registry;
        }
        if let Some(url) = source
            .strip_prefix("registry+")
            .or_else(|| source.strip_prefix("sparse+"))
        {
            return Source::OtherRegistry {
                url: strip_credentials(url),
            };
        }
        if let Some(url) = source.strip_prefix("git+") {
            let (url, rev) = match url.split_once('#') {
                Some((u, rev)) => (u, Some(rev.to_string())),
                None => (url, None),
            };
            let url = url.split('?').next().unwrap_or(url);
            return Source::Vcs {
                url: strip_credentials(url),
                rev,
            };
        }
        if let Some(path) = source.strip_prefix("path+") {
            return Source::Path {
                path: path.strip_prefix("file://").unwrap_or(path).to_string(),
            };
        }
        Source::OtherRegistry {
            url: strip_credentials(source),
        }
    }

    // --- Cargo.toml ---

    const SECTIONS: [(&str, bool); 5] = [
        ("dependencies", false),
        ("dev-dependencies", true),
        ("dev_dependencies", true),
        ("build-dependencies", false),
        ("build_dependencies", false),
    ];

    /// What one dependency entry says.
    struct Spec {
        name: String,
        requirement: Option<String>,
        source: Source,
    }

    enum Entry {
        Spec(Spec),
        /// `workspace = true`: the specification is the workspace's.
        Inherited,
    }

    pub(super) fn manifest(source_text: &str, input: &Input) -> Result<Vec<Package>, LockError> {
        let doc = document(source_text)?;
        let text = &Lines::new(source_text);
        let mut sections: Vec<(&Value<'_>, bool)> = Vec::new();
        for (key, dev) in SECTIONS {
            if let Some(v) = doc.get(key) {
                sections.push((v, dev));
            }
        }
        if let Some(targets) = doc.get("target") {
            for (_, target) in expect_table(text, targets, "`target`")?.iter() {
                let target = expect_table(text, target, "a `target` entry")?;
                for (key, dev) in SECTIONS {
                    if let Some(v) = target.get(key) {
                        sections.push((v, dev));
                    }
                }
            }
        }
        let own_workspace = match doc.get("workspace") {
            Some(w) => Some(expect_table(text, w, "`workspace`")?),
            None => None,
        };
        let workspace_deps = own_workspace.and_then(|w| w.get("dependencies"));
        if let Some(v) = workspace_deps {
            sections.push((v, false));
        }

        let mut out = Vec::new();
        let mut inherited = Vec::new();
        for (deps, dev) in sections {
            for (key, value) in expect_table(text, deps, "a dependency table")?.iter() {
                let at = text.line(key.span().start);
                match spec(text, key.get_ref(), value)? {
                    Entry::Spec(spec) => out.push(dependency(spec, at, dev)),
                    Entry::Inherited => inherited.push((key.get_ref().to_string(), at, dev)),
                }
            }
        }
        if inherited.is_empty() {
            return Ok(out);
        }

        // A manifest with `[workspace]` is the root; any other looks upwards for it.
        let root_text = match own_workspace {
            Some(_) => None,
            None => workspace_root(input, &doc),
        };
        let root_doc = root_text.as_deref().and_then(|t| document(t).ok());
        let root_lines = Lines::new(root_text.as_deref().unwrap_or_default());
        let (spec_text, specs) = match (workspace_deps, &root_doc) {
            (Some(v), _) => (text, table(v)),
            (None, Some(root)) => (
                &root_lines,
                root.get("workspace")
                    .and_then(table)
                    .and_then(|w| w.get("dependencies"))
                    .and_then(table),
            ),
            (None, None) => (text, None),
        };
        if let Some(specs) = specs {
            for (name, at, dev) in inherited {
                // The root's own mistakes are the root's to report; here such an entry is left out.
                if let Some(Ok(Entry::Spec(spec))) =
                    specs.get(name.as_str()).map(|v| spec(spec_text, &name, v))
                {
                    out.push(dependency(spec, at, dev));
                }
            }
        }
        Ok(out)
    }

    fn dependency(spec: Spec, line: u32, dev: bool) -> Package {
        let mut p = Package::new(Ecosystem::CratesIo, &spec.name, line, spec.source);
        p.version = spec.requirement.as_deref().and_then(exact_pin);
        p.requirement = spec.requirement;
        p.direct = true;
        p.dev = dev;
        p
    }

    fn spec(text: &Lines, key: &str, value: &Value<'_>) -> Result<Entry, LockError> {
        let at = line(text, value);
        let t = match value.get_ref() {
            DeValue::String(requirement) => {
                return Ok(Entry::Spec(Spec {
                    name: key.to_string(),
                    requirement: Some(requirement.to_string()),
                    source: Source::Registry,
                }))
            }
            DeValue::Table(t) => t,
            other => {
                return Err(LockError::new(
                    at,
                    format!(
                        "dependency `{key}` is a {}, not a version requirement or a table",
                        other.type_str()
                    ),
                ))
            }
        };
        if let Some(w) = t.get("workspace") {
            return match w.get_ref() {
                DeValue::Boolean(true) => Ok(Entry::Inherited),
                _ => Err(LockError::new(
                    line(text, w),
                    format!("dependency `{key}`: `workspace` can only be `true`"),
                )),
            };
        }
        let name = string(text, t, "package")?.unwrap_or(key);
        let requirement = string(text, t, "version")?.map(str::to_string);
        let git = string(text, t, "git")?;
        let path = string(text, t, "path")?;
        let rev = string(text, t, "rev")?;
        let tag = string(text, t, "tag")?;
        let branch = string(text, t, "branch")?;
        let registry = string(text, t, "registry")?;
        let registry_index = string(text, t, "registry-index")?;
        let source = match (git, path) {
            (Some(_), Some(_)) => {
                return Err(LockError::new(
                    at,
                    format!("dependency `{key}` names both `git` and `path`"),
                ))
            }
            (Some(url), None) => Source::Vcs {
                url: strip_credentials(url),
                rev: rev.or(tag).or(branch).map(str::to_string),
            },
            (None, Some(path)) => Source::Path {
                path: path.to_string(),
            },
            // A registry's name (its URL lives in Cargo's configuration), else its index URL.
            (None, None) => match (registry.filter(|r| *r != "crates-io"), registry_index) {
                (Some(name), _) => Source::OtherRegistry {
                    url: name.to_string(),
                },
                (None, Some(index)) => Source::OtherRegistry {
                    url: strip_credentials(index),
                },
                (None, None) => Source::Registry,
            },
        };
        Ok(Entry::Spec(Spec {
            name: name.to_string(),
            requirement,
            source,
        }))
    }

    /// The workspace root manifest of a member: the folder `package.workspace` names, else the nearest
    /// ancestor manifest with a `[workspace]` table (never above the scanned tree).
    fn workspace_root(input: &Input, doc: &DeTable<'_>) -> Option<String> {
        let explicit = doc
            .get("package")
            .and_then(table)
            .and_then(|p| p.get("workspace"))
            .and_then(|w| match w.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                _ => None,
            });
        if let Some(dir) = explicit {
            return (input.read)(&format!("{}/Cargo.toml", dir.trim_end_matches('/')));
        }
        let mut up = String::new();
        for _ in 0..input.path.matches('/').count() {
            up.push_str("../");
            if let Some(t) = (input.read)(&format!("{up}Cargo.toml")) {
                if document(&t).is_ok_and(|d| d.contains_key("workspace")) {
                    return Some(t);
                }
            }
        }
        None
    }

    /// The version an `=x.y.z` requirement pins exactly.
    fn exact_pin(requirement: &str) -> Option<String> {
        let v = requirement.trim().strip_prefix('=')?.trim();
        is_semver(v).then(|| v.to_string())
    }

    /// `MAJOR.MINOR.PATCH`, with an optional `-pre` and `+build`.
    pub(super) fn is_semver(v: &str) -> bool {
        let core_end = v.find(['-', '+']).unwrap_or(v.len());
        let (core, rest) = v.split_at(core_end);
        let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = core.split('.').collect();
        parts.len() == 3
            && parts.iter().all(|p| numeric(p))
            && (rest.is_empty()
                || (rest.len() > 1
                    && rest[1..]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Go: go.mod
// ---------------------------------------------------------------------------------------------------------

mod go {
    use super::*;

    struct Require {
        path: String,
        version: String,
        indirect: bool,
        line: u32,
    }

    struct Replace {
        old: String,
        old_version: Option<String>,
        target: Source,
    }

    #[derive(Default)]
    struct Module {
        requires: Vec<Require>,
        replaces: Vec<Replace>,
    }

    pub(super) fn module(text: &str) -> Result<Vec<Package>, LockError> {
        let mut m = Module::default();
        // The verb of an open `verb (` block and the line that opened it.
        let mut block: Option<(String, u32)> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = line_of_index(i);
            let (tokens, comment) = lex(raw, line)?;
            if tokens.is_empty() {
                continue;
            }
            if let Some((verb, _)) = &block {
                if tokens == [")"] {
                    block = None;
                } else if tokens.iter().any(|t| t == "(" || t == ")") {
                    return Err(LockError::new(line, "unexpected parenthesis in a block"));
                } else {
                    directive(&mut m, verb, &tokens, comment, line)?;
                }
                continue;
            }
            match tokens.as_slice() {
                [verb, open] if open == "(" => block = Some((verb.clone(), line)),
                [_, open, close] if open == "(" && close == ")" => {}
                [verb, args @ ..] => {
                    if verb == "(" || verb == ")" || args.iter().any(|t| t == "(" || t == ")") {
                        return Err(LockError::new(line, "unexpected parenthesis"));
                    }
                    directive(&mut m, verb, args, comment, line)?;
                }
                [] => {}
            }
        }
        if let Some((verb, line)) = block {
            return Err(LockError::new(
                line,
                format!("the `{verb} (` block is never closed"),
            ));
        }

        Ok(m.requires
            .into_iter()
            .map(|r| {
                // A replacement for this very version beats one for every version of the module.
                let replaced = m
                    .replaces
                    .iter()
                    .filter(|x| {
                        x.old == r.path && x.old_version.as_ref().is_none_or(|v| *v == r.version)
                    })
                    .max_by_key(|x| x.old_version.is_some());
                let source = replaced.map_or(Source::Registry, |x| x.target.clone());
                let mut p = Package::new(Ecosystem::Go, &r.path, r.line, source);
                p.version = Some(r.version);
                p.direct = !r.indirect;
                p
            })
            .collect())
    }

    fn directive(
        m: &mut Module,
        verb: &str,
        args: &[String],
        comment: &str,
        line: u32,
    ) -> Result<(), LockError> {
        match verb {
            "require" => {
                let [path, version] = args else {
                    return Err(LockError::new(line, "usage: require module/path v1.2.3"));
                };
                check_version(version, line)?;
                m.requires.push(Require {
                    path: path.clone(),
                    version: version.clone(),
                    indirect: comment == "indirect" || comment.starts_with("indirect;"),
                    line,
                });
            }
            "replace" => {
                let usage = || {
                    LockError::new(
                        line,
                        "usage: replace module/path [v1.2.3] => other/module v1.4.5 or local/directory",
                    )
                };
                let arrow = args.iter().position(|t| t == "=>").ok_or_else(usage)?;
                let (old, old_version) = match &args[..arrow] {
                    [old] => (old, None),
                    [old, v] => {
                        check_version(v, line)?;
                        (old, Some(v.clone()))
                    }
                    _ => return Err(usage()),
                };
                let target = match &args[arrow + 1..] {
                    [dir] if is_directory(dir) => Source::Path { path: dir.clone() },
                    [_] => {
                        return Err(LockError::new(
                            line,
                            "a replacement module without a version must be a directory path (rooted or starting with ./ or ../)",
                        ))
                    }
                    [dir, _] if is_directory(dir) => {
                        return Err(LockError::new(
                            line,
                            "a replacement directory cannot have a version",
                        ))
                    }
                    [module, v] => {
                        check_version(v, line)?;
                        Source::Vcs {
                            url: module.clone(),
                            rev: Some(v.clone()),
                        }
                    }
                    _ => return Err(usage()),
                };
                m.replaces.push(Replace {
                    old: old.clone(),
                    old_version,
                    target,
                });
            }
            "exclude" => {
                let [_, version] = args else {
                    return Err(LockError::new(line, "usage: exclude module/path v1.2.3"));
                };
                check_version(version, line)?;
            }
            // module, go, toolchain, godebug, retract, tool, ignore, and directives newer than this reader.
            _ => {}
        }
        Ok(())
    }

    fn check_version(v: &str, line: u32) -> Result<(), LockError> {
        if v.len() > 1 && v.starts_with('v') {
            Ok(())
        } else {
            Err(LockError::new(
                line,
                format!("`{v}` is not a module version (v1.2.3)"),
            ))
        }
    }

    /// Go's rule for a replacement that is a directory: rooted, or starting with `./` or `../`.
    fn is_directory(path: &str) -> bool {
        let p = path.replace('\\', "/");
        p == "."
            || p == ".."
            || p.starts_with("./")
            || p.starts_with("../")
            || p.starts_with('/')
            || (p.len() > 2 && p.as_bytes()[0].is_ascii_alphabetic() && p[1..].starts_with(":/"))
    }

    /// One line's tokens (quoted strings unquoted; `(`, `)` and `=>` apart) and its `//` comment, trimmed.
    fn lex(raw: &str, line: u32) -> Result<(Vec<String>, &str), LockError> {
        let mut tokens = Vec::new();
        let mut rest = raw;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return Ok((tokens, ""));
            }
            if let Some(comment) = rest.strip_prefix("//") {
                return Ok((tokens, comment.trim()));
            }
            if let Some(r) = rest.strip_prefix("=>") {
                tokens.push("=>".to_string());
                rest = r;
                continue;
            }
            let mut chars = rest.char_indices();
            let Some((_, first)) = chars.next() else {
                return Ok((tokens, ""));
            };
            match first {
                '(' | ')' => {
                    tokens.push(first.to_string());
                    rest = &rest[1..];
                }
                '`' => {
                    let end = rest[1..]
                        .find('`')
                        .ok_or_else(|| LockError::new(line, "unterminated raw string"))?;
                    tokens.push(rest[1..1 + end].to_string());
                    rest = &rest[end + 2..];
                }
                '"' => {
                    let mut token = String::new();
                    let mut end = None;
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '"' => {
                                end = Some(i + 1);
                                break;
                            }
                            '\\' => match chars.next() {
                                Some((_, 'n')) => token.push('\n'),
                                Some((_, 't')) => token.push('\t'),
                                Some((_, 'r')) => token.push('\r'),
                                Some((_, e)) => token.push(e),
                                None => break,
                            },
                            c => token.push(c),
                        }
                    }
                    let end =
                        end.ok_or_else(|| LockError::new(line, "unterminated quoted string"))?;
                    tokens.push(token);
                    rest = &rest[end..];
                }
                _ => {
                    let end = rest
                        .char_indices()
                        .find(|&(i, c)| {
                            c.is_whitespace()
                                || matches!(c, '(' | ')' | '"' | '`')
                                || rest[i..].starts_with("//")
                                || rest[i..].starts_with("=>")
                        })
                        .map_or(rest.len(), |(i, _)| i);
                    tokens.push(rest[..end].to_string());
                    rest = &rest[end..];
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Ruby: Gemfile.lock
// ---------------------------------------------------------------------------------------------------------

mod ruby {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Kind {
        Gem,
        Git,
        Path,
        Plugin,
    }

    struct GemSource {
        kind: Kind,
        remotes: Vec<String>,
        revision: Option<String>,
        git_ref: Option<String>,
        tag: Option<String>,
        branch: Option<String>,
        line: u32,
    }

    struct Spec {
        name: String,
        version: String,
        source: usize,
        line: u32,
    }

    enum Section {
        Source { index: usize, in_specs: bool },
        Dependencies,
        Other,
    }

    pub(super) fn lockfile(text: &str) -> Result<Vec<Package>, LockError> {
        let mut sources: Vec<GemSource> = Vec::new();
        let mut specs: Vec<Spec> = Vec::new();
        let mut direct: HashSet<&str> = HashSet::new();
        let mut section: Option<Section> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = line_of_index(i);
            if ["<<<<<<<", "=======", ">>>>>>>"]
                .iter()
                .any(|m| raw.starts_with(m))
            {
                return Err(LockError::new(line, "an unresolved merge conflict"));
            }
            let raw = raw.trim_end();
            if raw.is_empty() {
                continue;
            }
            let body = raw.trim_start_matches(' ');
            let indent = raw.len() - body.len();
            if body.starts_with('\t') {
                return Err(LockError::new(line, "a tab in the indentation"));
            }
            if indent == 0 {
                let kind = match body {
                    "GEM" => Some(Kind::Gem),
                    "GIT" => Some(Kind::Git),
                    "PATH" => Some(Kind::Path),
                    "PLUGIN SOURCE" => Some(Kind::Plugin),
                    _ => None,
                };
                section = Some(match (kind, body) {
                    (Some(kind), _) => {
                        sources.push(GemSource {
                            kind,
                            remotes: Vec::new(),
                            revision: None,
                            git_ref: None,
                            tag: None,
                            branch: None,
                            line,
                        });
                        Section::Source {
                            index: sources.len() - 1,
                            in_specs: false,
                        }
                    }
                    (None, "DEPENDENCIES") => Section::Dependencies,
                    // PLATFORMS, CHECKSUMS, RUBY VERSION, BUNDLED WITH and sections newer than this reader.
                    (None, _) => Section::Other,
                });
                continue;
            }
            match &mut section {
                None => return Err(LockError::new(line, "an indented line before any section")),
                Some(Section::Other) => {}
                Some(Section::Dependencies) => {
                    if indent != 2 {
                        return Err(LockError::new(
                            line,
                            format!("a dependency indented {indent} spaces, not 2"),
                        ));
                    }
                    let (name, _, _) = name_version(body, line)?;
                    direct.insert(name);
                }
                Some(Section::Source { index, in_specs }) => match indent {
                    2 if body == "specs:" => *in_specs = true,
                    2 => {
                        let Some((key, value)) = body.split_once(':') else {
                            return Err(LockError::new(line, "expected `key: value`"));
                        };
                        let value = Some(value.trim().to_string());
                        let s = &mut sources[*index];
                        match key {
                            "remote" => s.remotes.extend(value),
                            "revision" => s.revision = value,
                            "ref" => s.git_ref = value,
                            "tag" => s.tag = value,
                            "branch" => s.branch = value,
                            _ => {}
                        }
                    }
                    4 | 6 if !*in_specs => {
                        return Err(LockError::new(line, "a gem outside `specs:`"));
                    }
                    4 => {
                        let (name, version, _) = name_version(body, line)?;
                        let version = version.ok_or_else(|| {
                            LockError::new(line, format!("gem `{name}` has no version"))
                        })?;
                        // `1.15.4-x86_64-linux`: the platform follows the first `-`.
                        let version = version.split('-').next().unwrap_or(version).trim();
                        if version.is_empty() {
                            return Err(LockError::new(
                                line,
                                format!("gem `{name}` has an empty version"),
                            ));
                        }
                        specs.push(Spec {
                            name: name.to_string(),
                            version: version.to_string(),
                            source: *index,
                            line,
                        });
                    }
                    6 => {
                        name_version(body, line)?;
                    }
                    _ => {
                        return Err(LockError::new(
                            line,
                            format!("unexpected indentation of {indent} spaces"),
                        ))
                    }
                },
            }
        }

        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for spec in &specs {
            if !seen.insert((spec.name.as_str(), spec.version.as_str(), spec.source)) {
                continue; // the same gem locked for another platform
            }
            let source = gem_source(&sources[spec.source])?;
            let mut p = Package::new(Ecosystem::RubyGems, &spec.name, spec.line, source);
            p.version = Some(spec.version.clone());
            p.direct = direct.contains(spec.name.as_str());
            out.push(p);
        }
        Ok(out)
    }

    /// `name`, `name (requirements or version)`, either with Bundler's `!` (pinned to a GIT or PATH source).
    fn name_version(body: &str, line: u32) -> Result<(&str, Option<&str>, bool), LockError> {
        let (body, pinned) = match body.strip_suffix('!') {
            Some(b) => (b, true),
            None => (body, false),
        };
        let (name, version) = match body.split_once(' ') {
            None => (body, None),
            Some((name, rest)) => {
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .filter(|inner| !inner.contains(['(', ')']))
                    .ok_or_else(|| LockError::new(line, "expected `name (version)`"))?;
                (name, Some(inner))
            }
        };
        if name.is_empty() || name.contains(['(', ')', '!']) {
            return Err(LockError::new(line, format!("`{name}` is not a gem name")));
        }
        Ok((name, version, pinned))
    }

    fn gem_source(s: &GemSource) -> Result<Source, LockError> {
        let remote = s.remotes.first();
        Ok(match s.kind {
            Kind::Gem => {
                // Old Bundler wrote every remote of the Gemfile into one GEM section; which gem came from which
                // is not said, so one that is not rubygems.org names the section.
                match s.remotes.iter().find(|r| !is_rubygems(r)) {
                    None => Source::Registry,
                    Some(r) => Source::OtherRegistry {
                        url: strip_credentials(r),
                    },
                }
            }
            Kind::Git => {
                let url = remote
                    .ok_or_else(|| LockError::new(s.line, "a GIT section without `remote:`"))?;
                Source::Vcs {
                    url: strip_credentials(url),
                    rev: s
                        .revision
                        .clone()
                        .or_else(|| s.git_ref.clone())
                        .or_else(|| s.tag.clone())
                        .or_else(|| s.branch.clone()),
                }
            }
            Kind::Path => Source::Path {
                path: remote
                    .ok_or_else(|| LockError::new(s.line, "a PATH section without `remote:`"))?
                    .clone(),
            },
            Kind::Plugin => Source::OtherRegistry {
                url: strip_credentials(remote.ok_or_else(|| {
                    LockError::new(s.line, "a PLUGIN SOURCE section without `remote:`")
                })?),
            },
        })
    }

    fn is_rubygems(remote: &str) -> bool {
        let r = remote.trim_end_matches('/').to_ascii_lowercase();
        let host = r
            .strip_prefix("https://")
            .or_else(|| r.strip_prefix("http://"))
            .unwrap_or(&r);
        matches!(
            host,
            "rubygems.org" | "www.rubygems.org" | "index.rubygems.org"
        )
    }
}

// ---------------------------------------------------------------------------------------------------------
// PHP: composer.lock and composer.json
// ---------------------------------------------------------------------------------------------------------

mod php {
    use super::json::{self, Member, Node, Value};
    use super::*;

    const PACKAGIST_NOTIFY: &str = "https://packagist.org/downloads/";

    fn object<'a, 'j>(node: &'a Node<'j>, what: &str) -> Result<&'a [Member<'j>], LockError> {
        match &node.value {
            Value::Obj(members) => Ok(members),
            _ => Err(LockError::new(
                node.line,
                format!("{what} is not an object"),
            )),
        }
    }

    fn string<'a>(members: &'a [Member], key: &str) -> Result<Option<&'a str>, LockError> {
        match json::get(members, key) {
            None
            | Some(Node {
                value: Value::Null, ..
            }) => Ok(None),
            Some(Node {
                value: Value::Str(s),
                ..
            }) => Ok(Some(s)),
            Some(n) => Err(LockError::new(n.line, format!("`{key}` is not a string"))),
        }
    }

    /// Composer's platform packages: the PHP runtime, its extensions and libraries, Composer's own APIs.
    fn is_platform(name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        matches!(
            n.as_str(),
            "php"
                | "php-64bit"
                | "php-ipv6"
                | "php-zts"
                | "php-debug"
                | "hhvm"
                | "composer"
                | "composer-plugin-api"
                | "composer-runtime-api"
        ) || n.starts_with("ext-")
            || n.starts_with("lib-")
    }

    /// A version as Packagist advisories in OSV spell it: without one leading `v`.
    fn strip_v(v: &str) -> &str {
        match v.strip_prefix(['v', 'V']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => v,
        }
    }

    pub(super) fn lockfile(
        text: &str,
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<Package>, LockError> {
        let root = json::parse(text)?;
        let top = object(&root, "composer.lock")?;
        let mut out = Vec::new();
        let mut required: HashSet<String> = HashSet::new();
        for (key, dev) in [("packages", false), ("packages-dev", true)] {
            let Some(list) = json::get(top, key) else {
                continue;
            };
            let items = match &list.value {
                Value::Arr(items) => items,
                Value::Null => continue,
                _ => {
                    return Err(LockError::new(
                        list.line,
                        format!("`{key}` is not an array"),
                    ))
                }
            };
            for item in items {
                let fields = object(item, "a locked package")?;
                let name = string(fields, "name")?.ok_or_else(|| {
                    LockError::new(item.line, "a locked package without a `name`")
                })?;
                let line = json::get(fields, "name").map_or(item.line, |n| n.line);
                let version = string(fields, "version")?.ok_or_else(|| {
                    LockError::new(line, format!("locked package `{name}` has no `version`"))
                })?;
                if let Some(req) = json::get(fields, "require") {
                    if let Value::Obj(reqs) = &req.value {
                        required.extend(reqs.iter().map(|m| m.key.to_ascii_lowercase()));
                    }
                }
                let mut p = Package::new(Ecosystem::Packagist, name, line, lock_source(fields)?);
                p.version = Some(strip_v(version).to_string());
                p.dev = dev;
                p.install_script = string(fields, "type")? == Some("composer-plugin");
                out.push(p);
            }
        }

        // The root's own requirements name the direct packages; without the manifest, the packages nothing
        // else requires are taken for them.
        match read("composer.json").and_then(|t| manifest_names(&t)) {
            Some(names) => {
                for p in &mut out {
                    p.direct = names.contains(&p.name.to_ascii_lowercase());
                }
            }
            None => {
                for p in &mut out {
                    p.direct = !required.contains(&p.name.to_ascii_lowercase());
                }
            }
        }
        Ok(out)
    }

    /// A package's `source` or `dist`: its type, URL and reference.
    struct Origin<'a> {
        kind: Option<&'a str>,
        url: Option<&'a str>,
        reference: Option<&'a str>,
    }

    fn origin<'a>(fields: &'a [Member], key: &str) -> Result<Option<Origin<'a>>, LockError> {
        match json::get(fields, key) {
            None
            | Some(Node {
                value: Value::Null, ..
            }) => Ok(None),
            Some(node) => {
                let m = object(node, &format!("`{key}`"))?;
                Ok(Some(Origin {
                    kind: string(m, "type")?,
                    url: string(m, "url")?,
                    reference: string(m, "reference")?,
                }))
            }
        }
    }

    fn lock_source(fields: &[Member]) -> Result<Source, LockError> {
        let source = origin(fields, "source")?;
        let dist = origin(fields, "dist")?;
        if let Some(Origin {
            kind: Some("path"),
            url: Some(url),
            ..
        }) = dist
        {
            return Ok(Source::Path {
                path: url.to_string(),
            });
        }
        // Only a Composer repository (Packagist or another) has packages report their downloads.
        if let Some(notify) = string(fields, "notification-url")? {
            if notify.trim_end_matches('/') == PACKAGIST_NOTIFY.trim_end_matches('/') {
                return Ok(Source::Registry);
            }
            let repo = notify.trim_end_matches('/');
            let repo = repo.strip_suffix("/downloads").unwrap_or(repo);
            return Ok(Source::OtherRegistry {
                url: strip_credentials(repo),
            });
        }
        Ok(match (source, dist) {
            (
                Some(Origin {
                    kind: Some("git" | "hg" | "svn" | "fossil"),
                    url: Some(url),
                    reference,
                }),
                _,
            ) => Source::Vcs {
                url: strip_credentials(url),
                rev: reference.map(str::to_string),
            },
            (_, Some(Origin { url: Some(url), .. })) => Source::Url {
                url: strip_credentials(url),
            },
            // A metapackage, or a lock written without download data.
            _ => Source::Registry,
        })
    }

    /// The lowercased names a `composer.json` requires (`require` and `require-dev`).
    fn manifest_names(text: &str) -> Option<HashSet<String>> {
        let root = json::parse(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
        let Value::Obj(top) = &root.value else {
            return None;
        };
        let mut names = HashSet::new();
        for key in ["require", "require-dev"] {
            if let Some(Node {
                value: Value::Obj(reqs),
                ..
            }) = json::get(top, key)
            {
                names.extend(reqs.iter().map(|m| m.key.to_ascii_lowercase()));
            }
        }
        Some(names)
    }

    pub(super) fn manifest(text: &str) -> Result<Vec<Package>, LockError> {
        let root = json::parse(text)?;
        let top = object(&root, "composer.json")?;
        let mut out = Vec::new();
        for (key, dev) in [("require", false), ("require-dev", true)] {
            let Some(section) = json::get(top, key) else {
                continue;
            };
            // Composer writes an empty section as `[]` at times.
            if matches!(&section.value, Value::Arr(a) if a.is_empty()) {
                continue;
            }
            for m in object(section, &format!("`{key}`"))? {
                if is_platform(&m.key) {
                    continue;
                }
                let Value::Str(constraint) = &m.value.value else {
                    return Err(LockError::new(
                        m.line,
                        format!("the constraint of `{}` is not a string", m.key),
                    ));
                };
                let mut p = Package::new(Ecosystem::Packagist, &m.key, m.line, Source::Registry);
                p.version = exact_version(constraint);
                p.requirement = Some(constraint.to_string());
                p.direct = true;
                p.dev = dev;
                out.push(p);
            }
        }
        Ok(out)
    }

    /// The version a Composer constraint pins exactly (`1.2.3`, `v1.2.3`, `=1.2.3`, `1.2.3@beta`): one
    /// version, no operator, range, wildcard or branch.
    fn exact_version(constraint: &str) -> Option<String> {
        let c = constraint.trim();
        let c = c.split_once('@').map_or(c, |(v, _)| v).trim();
        let c = c
            .strip_prefix("==")
            .or_else(|| c.strip_prefix('='))
            .unwrap_or(c)
            .trim();
        let c = strip_v(c);
        let (core, suffix) = c.split_once('-').unwrap_or((c, ""));
        let parts: Vec<&str> = core.split('.').collect();
        let numeric = (1..=4).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let suffix_ok = suffix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            && !(suffix.is_empty() && c.ends_with('-'))
            && !suffix.eq_ignore_ascii_case("dev");
        (numeric && suffix_ok).then(|| c.to_string())
    }
}

// ---------------------------------------------------------------------------------------------------------
// Java: pom.xml
// ---------------------------------------------------------------------------------------------------------

mod maven {
    use super::*;
    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    #[derive(Default)]
    struct Dependency {
        group: Option<String>,
        artifact: Option<String>,
        version: Option<String>,
        scope: Option<String>,
        system_path: Option<String>,
        line: u32,
    }

    #[derive(Default)]
    struct Project {
        group: Option<String>,
        artifact: Option<String>,
        version: Option<String>,
        parent_group: Option<String>,
        parent_version: Option<String>,
        properties: HashMap<String, String>,
        dependencies: Vec<Dependency>,
        managed: Vec<Dependency>,
    }

    /// Where a `<dependency>` sits: the project's, a profile's, or dependency management's.
    fn dependency_list(stack: &[String]) -> Option<bool> {
        let s: Vec<&str> = stack.iter().map(String::as_str).collect();
        match s.as_slice() {
            ["project", "dependencies", "dependency"]
            | ["project", "profiles", "profile", "dependencies", "dependency"] => Some(false),
            ["project", "dependencyManagement", "dependencies", "dependency"]
            | ["project", "profiles", "profile", "dependencyManagement", "dependencies", "dependency"] => {
                Some(true)
            }
            _ => None,
        }
    }

    pub(super) fn pom(text: &str) -> Result<Vec<Package>, LockError> {
        let project = read(text)?;
        let managed: HashMap<String, &str> = project
            .managed
            .iter()
            .filter(|d| d.scope.as_deref() != Some("import"))
            .filter_map(|d| {
                let key = format!(
                    "{}:{}",
                    resolve_or_raw(&project, d.group.as_deref()?),
                    resolve_or_raw(&project, d.artifact.as_deref()?)
                );
                Some((key, d.version.as_deref()?))
            })
            .collect();

        let mut out = Vec::new();
        for d in &project.dependencies {
            let (Some(group), Some(artifact)) = (&d.group, &d.artifact) else {
                let missing = if d.group.is_none() {
                    "groupId"
                } else {
                    "artifactId"
                };
                return Err(LockError::new(
                    d.line,
                    format!("a dependency without a `{missing}`"),
                ));
            };
            let name = format!(
                "{}:{}",
                resolve_or_raw(&project, group),
                resolve_or_raw(&project, artifact)
            );
            let raw = d.version.as_deref().or_else(|| managed.get(&name).copied());
            let scope = d.scope.as_deref().map(str::trim);
            let source = match (scope, &d.system_path) {
                (Some("system"), Some(path)) => Source::Path {
                    path: resolve_or_raw(&project, path),
                },
                _ => Source::Registry,
            };
            let mut p = Package::new(Ecosystem::Maven, &name, d.line, source);
            if let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) {
                match resolve(&project, raw, 0) {
                    Some(v) if v.starts_with(['[', '(']) => p.requirement = Some(v),
                    Some(v) if !v.is_empty() => {
                        p.version = Some(v.clone());
                        p.requirement = Some(v);
                    }
                    _ => p.requirement = Some(raw.to_string()),
                }
            }
            p.direct = true;
            p.dev = scope == Some("test");
            out.push(p);
        }
        Ok(out)
    }

    fn resolve_or_raw(project: &Project, text: &str) -> String {
        let text = text.trim();
        resolve(project, text, 0).unwrap_or_else(|| text.to_string())
    }

    /// `text` with every `${name}` replaced from the pom's properties and the project's coordinates; `None`
    /// when one cannot be (a parent's or the environment's property, a cycle).
    fn resolve(project: &Project, text: &str, depth: u32) -> Option<String> {
        if depth > 16 {
            return None;
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}')? + start;
            let name = &rest[start + 2..end];
            let value = match name {
                "project.version" | "pom.version" | "version" => project
                    .version
                    .as_deref()
                    .or(project.parent_version.as_deref()),
                "project.groupId" | "pom.groupId" | "groupId" => {
                    project.group.as_deref().or(project.parent_group.as_deref())
                }
                "project.artifactId" | "pom.artifactId" | "artifactId" => {
                    project.artifact.as_deref()
                }
                "project.parent.version" | "parent.version" => project.parent_version.as_deref(),
                "project.parent.groupId" | "parent.groupId" => project.parent_group.as_deref(),
                // The folder of the pom, which every path in it is relative to.
                "basedir" | "project.basedir" => Some("."),
                _ => None,
            };
            // The model's own values come first, as Maven interpolates them.
            let value = value.or_else(|| project.properties.get(name).map(String::as_str))?;
            out.push_str(&resolve(project, value.trim(), depth + 1)?);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    fn read(text: &str) -> Result<Project, LockError> {
        let mut reader = Reader::from_str(text);
        let mut project = Project::default();
        let mut stack: Vec<String> = Vec::new();
        let mut content = String::new();
        // The open `<dependency>` and whether it is dependency management's.
        let mut current: Option<(Dependency, bool)> = None;
        let mut seen_root = false;
        let lines = Lines::new(text);
        let error = |reader: &Reader<&[u8]>, e: &dyn std::fmt::Display| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            LockError::new(lines.line(at), format!("not valid XML: {e}"))
        };
        loop {
            let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event().map_err(|e| error(&reader, &e))?;
            let (name, empty) = match &event {
                Event::Start(e) => (Some(e.local_name()), false),
                Event::Empty(e) => (Some(e.local_name()), true),
                _ => (None, false),
            };
            if let Some(local) = name {
                let local = String::from_utf8_lossy(local.as_ref()).into_owned();
                if !seen_root {
                    seen_root = true;
                    if local != "project" {
                        return Err(LockError::new(
                            lines.line(start),
                            format!("the root element is <{local}>, not <project>"),
                        ));
                    }
                }
                stack.push(local);
                content.clear();
                if let Some(managed) = dependency_list(&stack) {
                    let line = lines.line(start);
                    current = Some((
                        Dependency {
                            line,
                            ..Dependency::default()
                        },
                        managed,
                    ));
                }
                if !empty {
                    continue;
                }
            }
            match event {
                Event::Start(_) => {}
                Event::Text(t) => {
                    let t = t.xml10_content().map_err(|e| error(&reader, &e))?;
                    content.push_str(&t);
                }
                Event::CData(t) => {
                    let t = t.decode().map_err(|e| error(&reader, &e))?;
                    content.push_str(&t);
                }
                Event::GeneralRef(r) => {
                    if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => content.push(c),
                            Ok(None) => {}
                            Err(e) => return Err(error(&reader, &e)),
                        }
                    } else {
                        let name = r.decode().map_err(|e| error(&reader, &e))?;
                        match resolve_predefined_entity(&name) {
                            Some(s) => content.push_str(s),
                            None => {
                                content.push('&');
                                content.push_str(&name);
                                content.push(';');
                            }
                        }
                    }
                }
                Event::End(_) | Event::Empty(_) => {
                    let value = content.trim().to_string();
                    content.clear();
                    close(&mut project, &stack, &mut current, value);
                    stack.pop();
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if let Some(open) = stack.last() {
            return Err(LockError::new(
                lines.line(text.len()),
                format!("<{open}> is never closed"),
            ));
        }
        if !seen_root {
            return Err(LockError::new(1, "no <project> element"));
        }
        Ok(project)
    }

    /// An element ends: keep its text where the pom model wants it.
    fn close(
        project: &mut Project,
        stack: &[String],
        current: &mut Option<(Dependency, bool)>,
        value: String,
    ) {
        if dependency_list(stack).is_some() {
            if let Some((d, managed)) = current.take() {
                if managed {
                    project.managed.push(d);
                } else {
                    project.dependencies.push(d);
                }
            }
            return;
        }
        let s: Vec<&str> = stack.iter().map(String::as_str).collect();
        if let (Some((d, _)), [parent @ .., leaf]) = (current.as_mut(), s.as_slice()) {
            if dependency_list(&stack[..parent.len()]).is_some() {
                let slot = match *leaf {
                    "groupId" => &mut d.group,
                    "artifactId" => &mut d.artifact,
                    "version" => &mut d.version,
                    "scope" => &mut d.scope,
                    "systemPath" => &mut d.system_path,
                    _ => return,
                };
                *slot = Some(value);
                return;
            }
        }
        match s.as_slice() {
            ["project", "groupId"] => project.group = Some(value),
            ["project", "artifactId"] => project.artifact = Some(value),
            ["project", "version"] => project.version = Some(value),
            ["project", "parent", "groupId"] => project.parent_group = Some(value),
            ["project", "parent", "version"] => project.parent_version = Some(value),
            ["project", "properties", name] => {
                project.properties.insert((*name).to_string(), value);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_none(_: &str) -> Option<String> {
        None
    }

    fn run(path: &str, text: &str) -> Result<Vec<Package>, LockError> {
        parse(&Input {
            path,
            text,
            read: &read_none,
        })
        .expect("a file this module reads")
    }

    fn ok(path: &str, text: &str) -> Vec<Package> {
        run(path, text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn err(path: &str, text: &str) -> LockError {
        match run(path, text) {
            Err(e) => e,
            Ok(p) => panic!("{path}: expected an error, got {p:?}"),
        }
    }

    /// The 1-based line of the `nth` (from 0) line of `text` containing `needle`.
    fn line_nth(text: &str, needle: &str, nth: usize) -> u32 {
        let i = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .unwrap_or_else(|| panic!("`{needle}` not in the sample"))
            .0;
        line_of_index(i)
    }

    fn line(text: &str, needle: &str) -> u32 {
        line_nth(text, needle, 0)
    }

    fn one<'a>(packages: &'a [Package], name: &str) -> &'a Package {
        let found: Vec<&Package> = packages.iter().filter(|p| p.name == name).collect();
        assert_eq!(found.len(), 1, "{name} in {packages:#?}");
        found[0]
    }

    fn names(packages: &[Package]) -> Vec<&str> {
        packages.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn the_line_index_counts_as_line_of_does() {
        let text = "a\n\nbc\r\nd\n";
        let lines = Lines::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(lines.line(offset), line_of(text, offset), "{offset}");
        }
    }

    #[test]
    fn other_file_names_are_not_read() {
        for path in [
            "go.sum",
            "Gemfile",
            "package.json",
            "build.gradle",
            "src/main.rs",
        ] {
            let input = Input {
                path,
                text: "",
                read: &read_none,
            };
            assert!(parse(&input).is_none(), "{path}");
        }
    }

    // --- Cargo.lock ---

    const CARGO_LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "cfg-if"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "baf1de4339761588bc0619e3cbc0120ee582ebb74b53b4efbf79117bd2da40fd"

[[package]]
name = "inventory-cli"
version = "0.3.0"
dependencies = [
 "inventory-core",
 "log",
 "rand 0.8.5",
]

[[package]]
name = "inventory-core"
version = "0.3.0"
dependencies = [
 "cfg-if",
 "shelf-codes",
 "tinyjson",
]

[[package]]
name = "log"
version = "0.4.22"
source = "sparse+https://index.crates.io/"
checksum = "a7a70ba024b9dc04c27ea2f0c0548feb474ec5c54bba33a7f72f873a39d07b24"

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "rand_core 0.5.1",
]

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "rand_core 0.6.4",
]

[[package]]
name = "rand_core"
version = "0.5.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand_core"
version = "0.6.4"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "shelf-codes"
version = "2.1.0"
source = "sparse+https://deploy:changeme@crates.warehouse.example/index/"

[[package]]
name = "tinyjson"
version = "2.5.1"
source = "git+https://github.com/example/tinyjson?branch=main#2f4c5e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e"
"#;

    #[test]
    fn cargo_lock_reports_locked_crates_with_sources_and_direct_ones() {
        let ps = ok("Cargo.lock", CARGO_LOCK);
        assert_eq!(
            names(&ps),
            [
                "cfg-if",
                "log",
                "rand",
                "rand",
                "rand_core",
                "rand_core",
                "shelf-codes",
                "tinyjson"
            ],
            "workspace members are not dependencies"
        );
        let cfg_if = one(&ps, "cfg-if");
        assert_eq!(cfg_if.ecosystem, Ecosystem::CratesIo);
        assert_eq!(cfg_if.version.as_deref(), Some("1.0.0"));
        assert_eq!(cfg_if.requirement, None);
        assert_eq!(cfg_if.source, Source::Registry);
        assert!(cfg_if.direct && !cfg_if.dev);
        assert_eq!(cfg_if.line, line(CARGO_LOCK, "name = \"cfg-if\""));

        let log = one(&ps, "log");
        assert_eq!(
            log.source,
            Source::Registry,
            "the sparse index is crates.io"
        );
        assert!(log.direct);
        assert_eq!(log.line, 30);

        // `rand 0.8.5` names one of the two versions.
        let rand: Vec<_> = ps.iter().filter(|p| p.name == "rand").collect();
        assert_eq!(rand[0].version.as_deref(), Some("0.7.3"));
        assert!(!rand[0].direct);
        assert_eq!(rand[1].version.as_deref(), Some("0.8.5"));
        assert!(rand[1].direct);
        assert!(ps
            .iter()
            .filter(|p| p.name == "rand_core")
            .all(|p| !p.direct));

        let shelf = one(&ps, "shelf-codes");
        assert_eq!(
            shelf.source,
            Source::OtherRegistry {
                url: "https://crates.warehouse.example/index/".into()
            },
            "another registry, its credentials removed"
        );
        assert!(shelf.direct, "a dependency of a second workspace member");

        let tinyjson = one(&ps, "tinyjson");
        assert_eq!(
            tinyjson.source,
            Source::Vcs {
                url: "https://github.com/example/tinyjson".into(),
                rev: Some("2f4c5e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e".into())
            }
        );
        assert_eq!(tinyjson.line, line(CARGO_LOCK, "name = \"tinyjson\""));
    }

    #[test]
    fn cargo_lock_format_1_has_a_root_table_and_sources_in_references() {
        let text = r#"[root]
name = "ledger"
version = "0.1.0"
dependencies = [
 "libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "libc"
version = "0.2.40"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "libc"
version = "0.2.40"
source = "registry+https://mirror.example/index"

[metadata]
"checksum libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)" = "6fd41f331ac7c5b8ac259b8bf82c75c0fb2e469bbf37d2becbba9a6a2221965b"
"#;
        let ps = ok("Cargo.lock", text);
        assert_eq!(ps.len(), 2);
        assert!(ps[0].direct && ps[0].source == Source::Registry);
        assert_eq!(ps[0].line, 9);
        assert!(
            !ps[1].direct,
            "the same name and version from another source"
        );
    }

    #[test]
    fn malformed_cargo_locks_are_errors_with_lines() {
        let e = err(
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\nsource = \"x\"\n",
        );
        assert_eq!(e.line, 5, "{e}");
        let e = err(
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"a\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        );
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("version"), "{e}");
        let e = err("Cargo.lock", "version = 4\npackage = \"oops\"\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err(
            "Cargo.lock",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\n 7,\n]\n",
        );
        assert_eq!(e.line, 5, "{e}");
    }

    // --- Cargo.toml ---

    const CARGO_TOML: &str = r#"[package]
name = "inventory-cli"
version = "0.3.0"
edition = "2021"

[dependencies]
serde = { version = "1.0", features = ["derive"] }
time = "=0.3.36"
regex = "1"
json = { package = "serde_json", version = "^1.0.120" }
shelf = { path = "../shelf" }
fancy-table = { git = "https://github.com/example/fancy-table", branch = "next" }
pinned = { git = "https://github.com/example/pinned", rev = "9f8e7d6" }
scanner-core = { version = "0.4", registry = "acme" }
anything = { version = "*", registry-index = "sparse+https://bot:changeme@crates.acme.example/" }

[dependencies.tokio]
version = "1.38"
features = ["full"]

[dev-dependencies]
proptest = "1.5"
insta.version = "= 1.39.0"

[build-dependencies]
cc = "1.0.99"

[target.'cfg(windows)'.dependencies]
winapi = { version = "0.3", features = ["winuser"] }

[target.'cfg(unix)'.dev-dependencies]
nix = "0.29"
"#;

    #[test]
    fn cargo_manifest_reads_every_dependency_table_and_form() {
        let ps = ok("Cargo.toml", CARGO_TOML);
        assert_eq!(ps.len(), 15, "{ps:#?}");
        assert!(ps
            .iter()
            .all(|p| p.direct && p.ecosystem == Ecosystem::CratesIo));

        let serde = one(&ps, "serde");
        assert_eq!(serde.requirement.as_deref(), Some("1.0"));
        assert_eq!(serde.version, None, "a caret requirement is not a pin");
        assert_eq!(serde.source, Source::Registry);
        assert_eq!(serde.line, 7);

        let time = one(&ps, "time");
        assert_eq!(time.requirement.as_deref(), Some("=0.3.36"));
        assert_eq!(time.version.as_deref(), Some("0.3.36"));
        assert_eq!(time.line, 8);

        let json = one(&ps, "serde_json");
        assert_eq!(json.requirement.as_deref(), Some("^1.0.120"));
        assert_eq!(
            json.line,
            line(CARGO_TOML, "json = {"),
            "renamed: the line of its key"
        );

        let shelf = one(&ps, "shelf");
        assert_eq!(
            shelf.source,
            Source::Path {
                path: "../shelf".into()
            }
        );
        assert_eq!(shelf.requirement, None);

        assert_eq!(
            one(&ps, "fancy-table").source,
            Source::Vcs {
                url: "https://github.com/example/fancy-table".into(),
                rev: Some("next".into())
            }
        );
        assert_eq!(
            one(&ps, "pinned").source,
            Source::Vcs {
                url: "https://github.com/example/pinned".into(),
                rev: Some("9f8e7d6".into())
            }
        );
        assert_eq!(
            one(&ps, "scanner-core").source,
            Source::OtherRegistry { url: "acme".into() }
        );
        assert_eq!(
            one(&ps, "anything").source,
            Source::OtherRegistry {
                url: "sparse+https://crates.acme.example/".into()
            }
        );

        let tokio = one(&ps, "tokio");
        assert_eq!(tokio.requirement.as_deref(), Some("1.38"));
        assert_eq!(tokio.line, line(CARGO_TOML, "[dependencies.tokio]"));

        let proptest = one(&ps, "proptest");
        assert!(proptest.dev);
        let insta = one(&ps, "insta");
        assert!(insta.dev);
        assert_eq!(insta.version.as_deref(), Some("1.39.0"));
        assert_eq!(insta.line, line(CARGO_TOML, "insta.version"));

        let cc = one(&ps, "cc");
        assert!(
            !cc.dev,
            "build dependencies are built into the product's build"
        );
        assert_eq!(cc.version, None);

        let winapi = one(&ps, "winapi");
        assert!(!winapi.dev);
        assert_eq!(winapi.line, line(CARGO_TOML, "winapi ="));
        let nix = one(&ps, "nix");
        assert!(nix.dev);
        assert_eq!(nix.line, line(CARGO_TOML, "nix ="));

        let lines: Vec<u32> = ps.iter().map(|p| p.line).collect();
        assert!(lines.windows(2).all(|w| w[0] <= w[1]), "in file order");
    }

    const WORKSPACE_ROOT: &str = r#"[workspace]
members = ["crates/*"]
resolver = "2"

[workspace.package]
version = "0.9.0"

[workspace.dependencies]
anyhow = "1.0.86"
serde = { version = "=1.0.203", default-features = false }
fork = { git = "https://github.com/example/fork", tag = "v2.0.0" }
"#;

    const WORKSPACE_MEMBER: &str = r#"[package]
name = "ledger"
version.workspace = true

[dependencies]
anyhow.workspace = true
serde = { workspace = true, features = ["derive"] }
fork = { workspace = true }
nowhere = { workspace = true }

[dev-dependencies]
pretty = { workspace = false }
"#;

    #[test]
    fn workspace_true_is_an_error_when_false() {
        let e = err("crates/ledger/Cargo.toml", WORKSPACE_MEMBER);
        assert_eq!(e.line, 12, "{e}");
    }

    #[test]
    fn workspace_entries_inherit_from_the_root_manifest() {
        let member = WORKSPACE_MEMBER.replace(
            "pretty = { workspace = false }",
            "anyhow = { workspace = true }",
        );
        let read = |path: &str| (path == "../../Cargo.toml").then(|| WORKSPACE_ROOT.to_string());
        let ps = parse(&Input {
            path: "crates/ledger/Cargo.toml",
            text: &member,
            read: &read,
        })
        .unwrap()
        .unwrap();
        assert_eq!(
            names(&ps),
            ["anyhow", "serde", "fork", "anyhow"],
            "`nowhere` cannot be resolved"
        );
        assert_eq!(ps[0].requirement.as_deref(), Some("1.0.86"));
        assert_eq!(ps[0].line, 6, "the member's line");
        assert_eq!(ps[1].version.as_deref(), Some("1.0.203"));
        assert_eq!(
            ps[2].source,
            Source::Vcs {
                url: "https://github.com/example/fork".into(),
                rev: Some("v2.0.0".into())
            }
        );
        assert!(ps[3].dev && !ps[0].dev);

        // Without the root nothing can be said of them.
        let alone = ok("crates/ledger/Cargo.toml", &member);
        assert!(alone.is_empty(), "{alone:?}");
    }

    #[test]
    fn a_root_manifest_reports_its_workspace_dependencies_and_resolves_its_own() {
        let text = format!(
            "{WORKSPACE_ROOT}\n[package]\nname = \"tool\"\nversion = \"0.1.0\"\n\n[dependencies]\nanyhow = {{ workspace = true }}\n"
        );
        let ps = ok("Cargo.toml", &text);
        assert_eq!(names(&ps), ["anyhow", "serde", "fork", "anyhow"]);
        assert_eq!(ps[0].line, 9);
        assert_eq!(ps[3].line, line(&text, "anyhow = { workspace"));
        assert_eq!(ps[3].requirement.as_deref(), Some("1.0.86"));
    }

    #[test]
    fn malformed_cargo_manifests_are_errors_with_lines() {
        let e = err(
            "Cargo.toml",
            "[package]\nname = \"x\"\n\n[dependencies]\nserde = 1\n",
        );
        assert_eq!(e.line, 5, "{e}");
        let e = err(
            "Cargo.toml",
            "[package]\nname = \"x\"\n[dependencies\nserde = \"1\"\n",
        );
        assert_eq!(e.line, 3, "{e}");
        let e = err(
            "Cargo.toml",
            "[dependencies]\nboth = { git = \"https://example.com/r\", path = \"../r\" }\n",
        );
        assert_eq!(e.line, 2, "{e}");
        let e = err("Cargo.toml", "[dependencies]\nserde = { version = 1 }\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err("Cargo.toml", "dependencies = [\"serde\"]\n");
        assert_eq!(e.line, 1, "{e}");
    }

    // --- go.mod ---

    const GO_MOD: &str = r#"// The order service.
module example.com/shop/orders

go 1.22.3

toolchain go1.22.5

godebug default=go1.21

require github.com/gorilla/mux v1.8.1

require (
	github.com/google/uuid v1.6.0
	golang.org/x/crypto v0.24.0 // indirect
	github.com/old/lib v1.2.0+incompatible
	"example.com/quoted/mod" v0.1.0
	example.com/internal/auth v0.0.0-20240102150405-abcdef123456 // indirect; needed by tests
	golang.org/x/sys v0.21.0 // indirectly used, not marked
)

replace github.com/old/lib => ../forks/lib

replace (
	golang.org/x/crypto v0.24.0 => github.com/example/crypto-fork v0.24.1
	golang.org/x/crypto => golang.org/x/crypto v0.25.0
	github.com/gorilla/mux v1.8.0 => github.com/example/mux v1.8.0
)

exclude golang.org/x/net v0.1.0

retract (
	v1.0.0 // published by mistake
	[v1.1.0, v1.1.5]
)

tool golang.org/x/tools/cmd/stringer
"#;

    #[test]
    fn go_mod_reads_requires_indirect_marks_and_replacements() {
        let ps = ok("go.mod", GO_MOD);
        assert_eq!(
            names(&ps),
            [
                "github.com/gorilla/mux",
                "github.com/google/uuid",
                "golang.org/x/crypto",
                "github.com/old/lib",
                "example.com/quoted/mod",
                "example.com/internal/auth",
                "golang.org/x/sys"
            ]
        );
        assert!(ps.iter().all(|p| p.ecosystem == Ecosystem::Go && !p.dev));

        let mux = one(&ps, "github.com/gorilla/mux");
        assert_eq!(mux.version.as_deref(), Some("v1.8.1"));
        assert!(mux.direct);
        assert_eq!(
            mux.source,
            Source::Registry,
            "the replacement is for v1.8.0 only"
        );
        assert_eq!(mux.line, 10);

        let uuid = one(&ps, "github.com/google/uuid");
        assert_eq!(uuid.line, 13);
        assert!(uuid.direct);

        let crypto = one(&ps, "golang.org/x/crypto");
        assert!(!crypto.direct);
        assert_eq!(
            crypto.source,
            Source::Vcs {
                url: "github.com/example/crypto-fork".into(),
                rev: Some("v0.24.1".into())
            },
            "the replacement for this version wins"
        );

        let old = one(&ps, "github.com/old/lib");
        assert_eq!(old.version.as_deref(), Some("v1.2.0+incompatible"));
        assert_eq!(
            old.source,
            Source::Path {
                path: "../forks/lib".into()
            }
        );

        assert_eq!(one(&ps, "example.com/quoted/mod").line, 16);
        let auth = one(&ps, "example.com/internal/auth");
        assert!(!auth.direct);
        assert_eq!(
            auth.version.as_deref(),
            Some("v0.0.0-20240102150405-abcdef123456")
        );
        assert!(one(&ps, "golang.org/x/sys").direct);
    }

    #[test]
    fn malformed_go_mods_are_errors_with_lines() {
        let e = err("go.mod", "module m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n");
        assert_eq!(e.line, 3, "{e}");
        let e = err("go.mod", "module m\nrequire github.com/a/b\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err("go.mod", "module m\nrequire github.com/a/b 1.0.0\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err(
            "go.mod",
            "module m\n\nreplace github.com/a/b => github.com/c/d\n",
        );
        assert_eq!(e.line, 3, "{e}");
        let e = err("go.mod", "module m\nreplace github.com/a/b => ./b v1.0.0\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err("go.mod", "module m\nrequire \"github.com/a/b v1.0.0\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err("go.mod", "module m\n)\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err("go.mod", "module m\nrequire (\n\tx v1.0.0\nreplace (\n)\n");
        assert_eq!(e.line, 4, "{e}");
    }

    // --- Gemfile.lock ---

    const GEMFILE_LOCK: &str = "GIT
  remote: https://github.com/example/sidekiq-extras.git
  revision: 4b825dc642cb6eb9a060e54bf8d69288fbee4904
  branch: main
  specs:
    sidekiq-extras (0.9.0)
      sidekiq (>= 7.0)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)
      money (~> 6.16)

GEM
  remote: https://rubygems.org/
  specs:
    concurrent-ruby (1.3.3)
    connection_pool (2.4.1)
    i18n (1.14.5)
      concurrent-ruby (~> 1.0)
    money (6.19.0)
      i18n (>= 0.6.4, <= 2)
    nokogiri (1.16.6-arm64-darwin)
      racc (~> 1.4)
    nokogiri (1.16.6-x86_64-linux)
      racc (~> 1.4)
    racc (1.8.0)
    rack (3.1.3)
    rspec (3.13.0)
    sidekiq (7.2.4)
      connection_pool (>= 2.3.0)
      rack (>= 2.2.4)

GEM
  remote: https://gems.acme.example/
  specs:
    acme-auth (2.0.1)

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  acme-auth!
  billing!
  nokogiri (~> 1.16)
  rspec
  sidekiq (~> 7.2)
  sidekiq-extras!

CHECKSUMS
  rack (3.1.3) sha256=b2b9d0e3ab3a7e0e9a6ddc9c4e2b6a1f0ed7b9e1cb3f3c7d7a5a8f3a1c2b3d4e

BUNDLED WITH
   2.5.11
";

    #[test]
    fn gemfile_lock_reads_every_source_and_the_direct_gems() {
        let ps = ok("Gemfile.lock", GEMFILE_LOCK);
        assert_eq!(
            names(&ps),
            [
                "sidekiq-extras",
                "billing",
                "concurrent-ruby",
                "connection_pool",
                "i18n",
                "money",
                "nokogiri",
                "racc",
                "rack",
                "rspec",
                "sidekiq",
                "acme-auth"
            ],
            "a gem locked for two platforms is one package"
        );
        assert!(ps
            .iter()
            .all(|p| p.ecosystem == Ecosystem::RubyGems && !p.dev));

        let extras = one(&ps, "sidekiq-extras");
        assert_eq!(extras.version.as_deref(), Some("0.9.0"));
        assert_eq!(
            extras.source,
            Source::Vcs {
                url: "https://github.com/example/sidekiq-extras.git".into(),
                rev: Some("4b825dc642cb6eb9a060e54bf8d69288fbee4904".into())
            }
        );
        assert!(extras.direct);
        assert_eq!(extras.line, 6);

        let billing = one(&ps, "billing");
        assert_eq!(
            billing.source,
            Source::Path {
                path: "engines/billing".into()
            }
        );
        assert!(billing.direct);
        assert_eq!(billing.line, 12);

        let nokogiri = one(&ps, "nokogiri");
        assert_eq!(nokogiri.version.as_deref(), Some("1.16.6"));
        assert_eq!(nokogiri.line, line(GEMFILE_LOCK, "nokogiri (1.16.6-arm64"));
        assert!(nokogiri.direct);
        assert_eq!(nokogiri.source, Source::Registry);

        let money = one(&ps, "money");
        assert!(!money.direct, "only a dependency of another gem");
        assert_eq!(money.line, line(GEMFILE_LOCK, "    money (6.19.0)"));
        assert!(one(&ps, "rspec").direct);
        assert!(one(&ps, "sidekiq").direct);
        assert!(!one(&ps, "rack").direct);

        let auth = one(&ps, "acme-auth");
        assert_eq!(
            auth.source,
            Source::OtherRegistry {
                url: "https://gems.acme.example/".into()
            }
        );
        assert!(auth.direct);
        assert_eq!(auth.version.as_deref(), Some("2.0.1"));
    }

    #[test]
    fn malformed_gemfile_locks_are_errors_with_lines() {
        let e = err(
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.1.3\n",
        );
        assert_eq!(e.line, 4, "{e}");
        let e = err(
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack\n",
        );
        assert_eq!(e.line, 4, "{e}");
        let e = err(
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n<<<<<<< HEAD\n    rack (3.1.3)\n=======\n    rack (3.1.2)\n>>>>>>> main\n",
        );
        assert_eq!(e.line, 4, "{e}");
        let e = err("Gemfile.lock", "    rack (3.1.3)\n");
        assert_eq!(e.line, 1, "{e}");
        let e = err(
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n    rack (3.1.3)\n",
        );
        assert_eq!(e.line, 3, "{e}");
        let e = err(
            "Gemfile.lock",
            "GIT\n  revision: abc\n  specs:\n    x (1.0)\n",
        );
        assert_eq!(e.line, 1, "{e}");
        let e = err(
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n     rack (3.1.3)\n",
        );
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn gems_locked_is_bundlers_other_name() {
        let ps = ok(
            "app/gems.locked",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.2.1)\n\nDEPENDENCIES\n  rake\n",
        );
        assert_eq!(ps.len(), 1);
        assert!(ps[0].direct);
        assert_eq!(ps[0].line, 4);
    }

    // --- composer.lock ---

    const COMPOSER_LOCK: &str = r#"{
    "_readme": [
        "This file locks the dependencies of your project to a known state",
        "This file is @generated automatically"
    ],
    "content-hash": "0d4bc7f6f0b2a9e3c8d1e5f7a6b4c3d2",
    "packages": [
        {
            "name": "acme/internal-sdk",
            "version": "1.4.0",
            "source": {
                "type": "git",
                "url": "https://git.acme.example/php/sdk.git",
                "reference": "8c1f2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6"
            },
            "require": {
                "psr/log": "^3.0"
            },
            "type": "library"
        },
        {
            "name": "acme/local-tools",
            "version": "dev-main",
            "dist": {
                "type": "path",
                "url": "packages/local-tools",
                "reference": "5d7a2c4e1b3f"
            },
            "type": "library"
        },
        {
            "name": "monolog/monolog",
            "version": "3.6.0",
            "source": {
                "type": "git",
                "url": "https://github.com/Seldaek/monolog.git",
                "reference": "4b18b21a5527a3d5ffdac2fd35d3ab25a9597654"
            },
            "dist": {
                "type": "zip",
                "url": "https://api.github.com/repos/Seldaek/monolog/zipball/4b18b21a5527a3d5ffdac2fd35d3ab25a9597654",
                "reference": "4b18b21a5527a3d5ffdac2fd35d3ab25a9597654",
                "shasum": ""
            },
            "require": {
                "php": ">=8.1",
                "psr/log": "^2.0 || ^3.0"
            },
            "type": "library",
            "notification-url": "https://packagist.org/downloads/",
            "license": ["MIT"],
            "description": "Sends your logs to files, sockets, inboxes, databases and various web services \u2014 \"fast\""
        },
        {
            "name": "private/billing",
            "version": "v2.0.3",
            "dist": {
                "type": "zip",
                "url": "https://repo.packagist.com/acme/dists/private/billing/v2.0.3/abc.zip",
                "reference": null
            },
            "type": "library",
            "notification-url": "https://repo.packagist.com/acme/downloads/"
        },
        {
            "name": "psr/log",
            "version": "3.0.0",
            "source": {
                "type": "git",
                "url": "https://github.com/php-fig/log.git",
                "reference": "fe5ea303b0887d5caefd3d431c3e61ad47037001"
            },
            "type": "library",
            "notification-url": "https://packagist.org/downloads/"
        },
        {
            "name": "symfony/console",
            "version": "v7.1.1",
            "type": "library",
            "notification-url": "https://packagist.org/downloads/"
        }
    ],
    "packages-dev": [
        {
            "name": "phpstan/extension-installer",
            "version": "1.4.1",
            "type": "composer-plugin",
            "notification-url": "https://packagist.org/downloads/"
        },
        {
            "name": "phpunit/phpunit",
            "version": "11.2.5",
            "type": "library",
            "notification-url": "https://packagist.org/downloads/"
        }
    ],
    "aliases": [],
    "minimum-stability": "stable",
    "stability-flags": {},
    "prefer-stable": false,
    "prefer-lowest": false,
    "platform": {
        "php": ">=8.2"
    },
    "platform-dev": [],
    "plugin-api-version": "2.6.0"
}
"#;

    const COMPOSER_JSON: &str = r#"{
    "name": "acme/shop",
    "type": "project",
    "description": "The shop \"front\"",
    "require": {
        "php": "^8.2",
        "ext-json": "*",
        "ext-mbstring": "*",
        "lib-curl": ">=7.0",
        "composer-runtime-api": "^2.2",
        "monolog/monolog": "^3.6",
        "symfony/console": "v7.1.1",
        "guzzlehttp/guzzle": "7.8.*",
        "acme/internal-sdk": "dev-main#8c1f2e3d",
        "doctrine/orm": "~3.2.0 || ^3.3",
        "psr/log": "3.0.0@stable",
        "private/billing": "==2.0.3"
    },
    "require-dev": {
        "phpunit/phpunit": "^11.2",
        "phpstan/extension-installer": "1.4.1"
    },
    "repositories": [
        {"type": "vcs", "url": "https://git.acme.example/php/sdk.git"},
        {"type": "composer", "url": "https://repo.packagist.com/acme/"}
    ],
    "config": {"allow-plugins": {"phpstan/extension-installer": true}}
}
"#;

    #[test]
    fn composer_lock_reads_packages_dev_packages_sources_and_plugins() {
        let read = |path: &str| (path == "composer.json").then(|| COMPOSER_JSON.to_string());
        let ps = parse(&Input {
            path: "composer.lock",
            text: COMPOSER_LOCK,
            read: &read,
        })
        .unwrap()
        .unwrap();
        assert_eq!(
            names(&ps),
            [
                "acme/internal-sdk",
                "acme/local-tools",
                "monolog/monolog",
                "private/billing",
                "psr/log",
                "symfony/console",
                "phpstan/extension-installer",
                "phpunit/phpunit"
            ]
        );
        assert!(ps.iter().all(|p| p.ecosystem == Ecosystem::Packagist));

        let sdk = one(&ps, "acme/internal-sdk");
        assert_eq!(
            sdk.source,
            Source::Vcs {
                url: "https://git.acme.example/php/sdk.git".into(),
                rev: Some("8c1f2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6".into())
            },
            "from a VCS repository"
        );
        assert!(sdk.direct && !sdk.dev);
        assert_eq!(sdk.line, 9);

        let local = one(&ps, "acme/local-tools");
        assert_eq!(
            local.source,
            Source::Path {
                path: "packages/local-tools".into()
            }
        );
        assert!(!local.direct, "not in composer.json");

        let monolog = one(&ps, "monolog/monolog");
        assert_eq!(
            monolog.source,
            Source::Registry,
            "Packagist packages carry a git source too"
        );
        assert_eq!(monolog.version.as_deref(), Some("3.6.0"));
        assert_eq!(
            monolog.line,
            line(COMPOSER_LOCK, "\"name\": \"monolog/monolog\"")
        );

        let billing = one(&ps, "private/billing");
        assert_eq!(
            billing.version.as_deref(),
            Some("2.0.3"),
            "one leading v stripped"
        );
        assert_eq!(
            billing.source,
            Source::OtherRegistry {
                url: "https://repo.packagist.com/acme".into()
            }
        );

        let console = one(&ps, "symfony/console");
        assert_eq!(console.version.as_deref(), Some("7.1.1"));
        assert!(console.direct);
        assert!(one(&ps, "psr/log").direct);

        let installer = one(&ps, "phpstan/extension-installer");
        assert!(installer.dev && installer.direct && installer.install_script);
        assert_eq!(
            installer.line,
            line(COMPOSER_LOCK, "\"name\": \"phpstan/extension-installer\"")
        );
        let phpunit = one(&ps, "phpunit/phpunit");
        assert!(phpunit.dev && !phpunit.install_script);
    }

    #[test]
    fn composer_lock_without_its_manifest_takes_unrequired_packages_as_direct() {
        let ps = ok("composer.lock", COMPOSER_LOCK);
        let direct: Vec<&str> = ps
            .iter()
            .filter(|p| p.direct)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            direct,
            [
                "acme/internal-sdk",
                "acme/local-tools",
                "monolog/monolog",
                "private/billing",
                "symfony/console",
                "phpstan/extension-installer",
                "phpunit/phpunit"
            ],
            "psr/log is required by others"
        );
    }

    #[test]
    fn composer_manifest_skips_platform_packages_and_keeps_constraints() {
        let ps = ok("composer.json", COMPOSER_JSON);
        assert_eq!(
            names(&ps),
            [
                "monolog/monolog",
                "symfony/console",
                "guzzlehttp/guzzle",
                "acme/internal-sdk",
                "doctrine/orm",
                "psr/log",
                "private/billing",
                "phpunit/phpunit",
                "phpstan/extension-installer"
            ]
        );
        assert!(ps.iter().all(|p| p.direct && p.source == Source::Registry));
        let monolog = one(&ps, "monolog/monolog");
        assert_eq!(monolog.requirement.as_deref(), Some("^3.6"));
        assert_eq!(monolog.version, None);
        assert_eq!(monolog.line, 11);
        let console = one(&ps, "symfony/console");
        assert_eq!(console.requirement.as_deref(), Some("v7.1.1"));
        assert_eq!(console.version.as_deref(), Some("7.1.1"));
        assert_eq!(one(&ps, "guzzlehttp/guzzle").version, None);
        assert_eq!(one(&ps, "acme/internal-sdk").version, None);
        assert_eq!(one(&ps, "doctrine/orm").version, None);
        assert_eq!(one(&ps, "psr/log").version.as_deref(), Some("3.0.0"));
        assert_eq!(
            one(&ps, "private/billing").version.as_deref(),
            Some("2.0.3")
        );
        let phpunit = one(&ps, "phpunit/phpunit");
        assert!(phpunit.dev);
        assert_eq!(phpunit.line, 20);
        let installer = one(&ps, "phpstan/extension-installer");
        assert!(installer.dev);
        assert_eq!(installer.version.as_deref(), Some("1.4.1"));
    }

    #[test]
    fn malformed_composer_files_are_errors_with_lines() {
        let e = err(
            "composer.json",
            "{\n  \"require\": {\n    \"a/b\": \"^1.0\",\n  }\n}\n",
        );
        assert_eq!(e.line, 4, "{e}");
        let e = err(
            "composer.json",
            "{\n  \"require\": {\n    \"a/b\": 1\n  }\n}\n",
        );
        assert_eq!(e.line, 3, "{e}");
        let e = err("composer.json", "{\n  \"require\": \"a/b\"\n}\n");
        assert_eq!(e.line, 2, "{e}");
        let e = err("composer.json", "[1, 2]");
        assert_eq!(e.line, 1, "{e}");
        let e = err(
            "composer.lock",
            "{\n\"packages\": [\n  {\"version\": \"1.0.0\"}\n]\n}",
        );
        assert_eq!(e.line, 3, "{e}");
        let e = err(
            "composer.lock",
            "{\n\"packages\": [\n  {\"name\": \"a/b\"\n",
        );
        assert_eq!(e.line, 4, "{e}");
        let e = err("composer.lock", "{\n\"packages\": {}\n}");
        assert_eq!(e.line, 2, "{e}");
        let e = err("composer.lock", "{\"a\": \"tab\there\"}");
        assert_eq!(e.line, 1, "{e}");
        let e = err("composer.lock", &"[".repeat(10_000));
        assert!(e.message.contains("deeply"), "{e}");
    }

    #[test]
    fn json_strings_unescape() {
        let root = json::parse(
            r#"{"k": "a\"b\\c\/d\u00e9\ud83d\ude00\n", "n": -1.5e3, "t": true, "z": null}"#,
        )
        .unwrap();
        let json::Value::Obj(m) = root.value else {
            panic!("an object")
        };
        let Some(json::Node {
            value: json::Value::Str(s),
            ..
        }) = json::get(&m, "k")
        else {
            panic!("a string")
        };
        assert_eq!(s, "a\"b\\c/d\u{e9}\u{1f600}\n");
        assert!(json::parse("01").is_err());
        assert!(json::parse("1.").is_err());
        assert!(json::parse("\"\\x\"").is_err());
    }

    // --- pom.xml ---

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>

  <parent>
    <groupId>com.acme</groupId>
    <artifactId>acme-parent</artifactId>
    <version>5.1.0</version>
  </parent>

  <artifactId>orders-service</artifactId>
  <version>2.3.0-SNAPSHOT</version>
  <name>Orders &amp; invoices</name>

  <properties>
    <java.version>17</java.version>
    <jackson.version>2.17.1</jackson.version>
    <log4j2.version>2.23.1</log4j2.version>
    <log4j.version>${log4j2.version}</log4j.version>
  </properties>

  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.junit</groupId>
        <artifactId>junit-bom</artifactId>
        <version>5.10.2</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>33.2.1-jre</version>
      </dependency>
    </dependencies>
  </dependencyManagement>

  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
      <exclusions>
        <exclusion>
          <groupId>org.example</groupId>
          <artifactId>unwanted</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>orders-api</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>org.springframework</groupId>
      <artifactId>spring-core</artifactId>
      <version>${spring.version}</version>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>javax.servlet</groupId>
      <artifactId>javax.servlet-api</artifactId>
      <version>[3.1,4.0)</version>
      <scope>provided</scope>
    </dependency>
    <dependency>
      <groupId>com.acme.legacy</groupId>
      <artifactId>legacy-crypto</artifactId>
      <version><![CDATA[1.0]]></version>
      <scope>system</scope>
      <systemPath>${basedir}/lib/legacy-crypto-1.0.jar</systemPath>
    </dependency>
    <!-- <dependency><groupId>commented.out</groupId><artifactId>gone</artifactId></dependency> -->
  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.2.5</version>
        <dependencies>
          <dependency>
            <groupId>org.ow2.asm</groupId>
            <artifactId>asm</artifactId>
            <version>9.7</version>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>

  <profiles>
    <profile>
      <id>metrics</id>
      <dependencies>
        <dependency><groupId>io.micrometer</groupId><artifactId>micrometer-core</artifactId><version>1.13.1</version></dependency>
      </dependencies>
    </profile>
  </profiles>
</project>
"#;

    #[test]
    fn pom_reads_dependencies_with_properties_management_and_scopes() {
        let ps = ok("pom.xml", POM);
        assert_eq!(
            names(&ps),
            [
                "com.fasterxml.jackson.core:jackson-databind",
                "org.apache.logging.log4j:log4j-core",
                "com.google.guava:guava",
                "com.acme:orders-api",
                "org.springframework:spring-core",
                "org.junit.jupiter:junit-jupiter",
                "javax.servlet:javax.servlet-api",
                "com.acme.legacy:legacy-crypto",
                "io.micrometer:micrometer-core"
            ],
            "management, plugin and commented-out dependencies are not dependencies"
        );
        assert!(ps
            .iter()
            .all(|p| p.ecosystem == Ecosystem::Maven && p.direct));

        let jackson = one(&ps, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(jackson.version.as_deref(), Some("2.17.1"));
        assert_eq!(jackson.line, line_nth(POM, "<dependency>", 2));
        assert_eq!(jackson.source, Source::Registry);
        assert!(!jackson.dev);

        let log4j = one(&ps, "org.apache.logging.log4j:log4j-core");
        assert_eq!(
            log4j.version.as_deref(),
            Some("2.23.1"),
            "a property of a property"
        );

        let guava = one(&ps, "com.google.guava:guava");
        assert_eq!(
            guava.version.as_deref(),
            Some("33.2.1-jre"),
            "managed by this pom"
        );
        assert_eq!(guava.line, line_nth(POM, "<dependency>", 4));

        let api = one(&ps, "com.acme:orders-api");
        assert_eq!(api.version.as_deref(), Some("2.3.0-SNAPSHOT"));

        let spring = one(&ps, "org.springframework:spring-core");
        assert_eq!(spring.version, None, "the parent's property is not known");
        assert_eq!(spring.requirement.as_deref(), Some("${spring.version}"));

        let junit = one(&ps, "org.junit.jupiter:junit-jupiter");
        assert!(junit.dev);
        assert_eq!(junit.version, None, "managed by an imported BOM");
        assert_eq!(junit.requirement, None);

        let servlet = one(&ps, "javax.servlet:javax.servlet-api");
        assert!(!servlet.dev, "provided is kept");
        assert_eq!(servlet.version, None);
        assert_eq!(servlet.requirement.as_deref(), Some("[3.1,4.0)"));

        let legacy = one(&ps, "com.acme.legacy:legacy-crypto");
        assert_eq!(legacy.version.as_deref(), Some("1.0"));
        assert_eq!(
            legacy.source,
            Source::Path {
                path: "./lib/legacy-crypto-1.0.jar".into()
            }
        );

        let micrometer = one(&ps, "io.micrometer:micrometer-core");
        assert_eq!(micrometer.version.as_deref(), Some("1.13.1"));
        assert_eq!(micrometer.line, line(POM, "micrometer-core"));
    }

    #[test]
    fn pom_property_cycles_stay_unresolved() {
        let text = "<project>\n<properties><a>${b}</a><b>${a}</b></properties>\n<dependencies>\n<dependency><groupId>g</groupId><artifactId>x</artifactId><version>${a}</version></dependency>\n</dependencies>\n</project>\n";
        let ps = ok("pom.xml", text);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].version, None);
        assert_eq!(ps[0].requirement.as_deref(), Some("${a}"));
        assert_eq!(ps[0].line, 4);
    }

    #[test]
    fn malformed_poms_are_errors_with_lines() {
        let e = err(
            "pom.xml",
            "<project>\n  <dependencies>\n    <dependency>\n      <groupId>g</artifactId>\n",
        );
        assert_eq!(e.line, 4, "{e}");
        let e = err(
            "pom.xml",
            "<project>\n  <dependencies>\n    <dependency>\n      <artifactId>a</artifactId>\n    </dependency>\n  </dependencies>\n</project>\n",
        );
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("groupId"), "{e}");
        let e = err(
            "pom.xml",
            "<?xml version=\"1.0\"?>\n<settings>\n</settings>\n",
        );
        assert_eq!(e.line, 2, "{e}");
        let e = err("pom.xml", "<project>\n  <dependencies>\n");
        assert!(e.message.contains("never closed"), "{e}");
        let e = err("pom.xml", "<!-- nothing -->\n");
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn composer_sources_without_a_repository_notice() {
        let text = r#"{"packages": [
  {"name": "acme/artifact", "version": "1.0.0",
   "dist": {"type": "zip", "url": "https://user:pw@files.acme.example/artifact-1.0.0.zip"}},
  {"name": "acme/meta", "version": "1.0.0", "type": "metapackage"},
  {"name": "acme/hg", "version": "0.2.0", "source": {"type": "hg", "url": "https://hg.acme.example/lib", "reference": "a1b2"}}
]}"#;
        let ps = ok("composer.lock", text);
        assert_eq!(
            ps[0].source,
            Source::Url {
                url: "https://files.acme.example/artifact-1.0.0.zip".into()
            }
        );
        assert_eq!(ps[1].source, Source::Registry);
        assert_eq!(
            ps[2].source,
            Source::Vcs {
                url: "https://hg.acme.example/lib".into(),
                rev: Some("a1b2".into())
            }
        );
        assert_eq!(ps.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 4, 5]);
    }

    #[test]
    fn json_repeated_keys_keep_the_last_as_php_does() {
        let ps = ok(
            "composer.json",
            "{\"require\": {\"a/b\": \"^1\"},\n \"require\": {\"c/d\": \"^2\"}}",
        );
        assert_eq!(names(&ps), ["c/d"]);
        assert_eq!(ps[0].line, 2);
    }

    #[test]
    fn pom_model_values_come_before_same_named_properties() {
        let text = "<project>\n<groupId>g</groupId><artifactId>a</artifactId><version>3.0.0</version>\n<properties><project.version>9.9.9</project.version><revision>1.2.3</revision></properties>\n<dependencies>\n<dependency><groupId>g</groupId><artifactId>b</artifactId><version>${project.version}</version></dependency>\n<dependency><groupId>g</groupId><artifactId>c</artifactId><version>${revision}</version></dependency>\n</dependencies>\n</project>\n";
        let ps = ok("pom.xml", text);
        assert_eq!(ps[0].version.as_deref(), Some("3.0.0"));
        assert_eq!(ps[1].version.as_deref(), Some("1.2.3"));
        assert_eq!((ps[0].line, ps[1].line), (5, 6));
    }

    #[test]
    fn crlf_files_read_the_same() {
        for (path, sample) in FILES {
            let crlf = sample.replace('\n', "\r\n");
            assert_eq!(ok(path, sample), ok(path, &crlf), "{path}");
        }
    }

    // --- never panics ---

    const FILES: [(&str, &str); 7] = [
        ("Cargo.lock", CARGO_LOCK),
        ("Cargo.toml", CARGO_TOML),
        ("go.mod", GO_MOD),
        ("Gemfile.lock", GEMFILE_LOCK),
        ("composer.lock", COMPOSER_LOCK),
        ("composer.json", COMPOSER_JSON),
        ("pom.xml", POM),
    ];

    fn no_panic(path: &str, text: &str) {
        let read = |_: &str| Some(text.to_string());
        if let Some(Err(e)) = parse(&Input {
            path,
            text,
            read: &read,
        }) {
            assert!(e.line >= 1, "{path}: {e}");
            assert!(
                e.line as usize <= text.lines().count().max(1) + 1,
                "{path}: {e}"
            );
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(file in 0usize..7, text in "\\PC*") {
            no_panic(FILES[file].0, &text);
        }

        #[test]
        fn damaged_samples_never_panic(
            file in 0usize..7,
            at in any::<prop::sample::Index>(),
            cut in 0usize..64,
            insert in "[\\[\\](){}<>\"'=:,#/\\\\ \n\t!a-z0-9.$-]{0,12}",
        ) {
            let (path, sample) = FILES[file];
            let mut start = at.index(sample.len() + 1);
            while !sample.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + cut).min(sample.len());
            while !sample.is_char_boundary(end) {
                end -= 1;
            }
            let text = format!("{}{}{}", &sample[..start], insert, &sample[end..]);
            no_panic(path, &text);
        }
    }
}
