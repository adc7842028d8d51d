//! The JavaScript ecosystem (npm): `package-lock.json` and `npm-shrinkwrap.json` (lockfile versions 1, 2 and
//! 3), `yarn.lock` (classic v1 and berry v2+), `pnpm-lock.yaml` (lockfile 5.x, 6.x and 9.x) and the
//! `package.json` manifest.
//!
//! Each reader follows its format's own semantics for what is direct and what is dev-only:
//! - npm v2/v3 names direct dependencies in the root package `""` (and in each workspace folder's entry) and
//!   flags dev-only packages with `dev`; v1 has no list of direct dependencies, so they come from the sibling
//!   `package.json` when it can be read, else from the top-level packages nothing else requires.
//! - yarn says nothing about dev: classic leaves `direct` to the caller (it joins with `package.json`), berry
//!   takes it from the workspace entries, whose `dependencies` already merge in the dev ones.
//! - pnpm 5/6 flag `dev`; 9 does not, so dev-only is what only the importers' `devDependencies` reach through
//!   `snapshots`.
//!
//! JSON is read by a small position-aware parser (one linear pass that keeps each key's line); YAML by
//! `saphyr-parser`'s event stream; yarn classic by a line parser.

use super::{file_name, json, line_of_index, Input, LockError};
use super::{split_url, strip_credentials};
use crate::{Ecosystem, Package, Source};
use std::collections::{HashMap, HashSet};

/// The packages of a JavaScript lockfile or manifest, or `None` for a file name this module does not read.
pub fn parse(input: &Input) -> Option<Result<Vec<Package>, LockError>> {
    let text = strip_bom(input.text);
    Some(match file_name(input.path) {
        "package-lock.json" | "npm-shrinkwrap.json" => npm_lock(text, input.read),
        "yarn.lock" if is_berry(text) => yarn_berry(text),
        "yarn.lock" => yarn_classic(text),
        "pnpm-lock.yaml" => pnpm(text),
        "package.json" => manifest(text),
        _ => return None,
    })
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The dependency sections of a `package.json` (and of npm v2+ root and workspace entries), with whether each
/// holds dev-only dependencies.
const SECTIONS: [(&str, bool); 4] = [
    ("dependencies", false),
    ("devDependencies", true),
    ("optionalDependencies", false),
    ("peerDependencies", false),
];

// ---------------------------------------------------------------------------------------------------------
// package-lock.json / npm-shrinkwrap.json
// ---------------------------------------------------------------------------------------------------------

fn npm_lock(text: &str, read: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Package>, LockError> {
    let root = json::parse(text)?;
    if root.members().is_none() {
        return Err(LockError::new(1, "a lockfile is a JSON object"));
    }
    // Version 2 keeps v1's `dependencies` beside `packages` for old npm; `packages` is the truth.
    if let Some(m) = root.member("packages") {
        let Some(entries) = m.value.members() else {
            return Err(LockError::new(m.line, "`packages` is not an object"));
        };
        return npm_packages(entries);
    }
    match root.member("dependencies") {
        Some(m) => match m.value.members() {
            Some(entries) => npm_v1(entries, read),
            None => Err(LockError::new(m.line, "`dependencies` is not an object")),
        },
        None => Ok(Vec::new()),
    }
}

/// The installed name of a `packages` key: what follows its last `node_modules/` (`@scope/name` included), or
/// `None` for the root `""` and workspace folders.
fn installed_name(key: &str) -> Option<&str> {
    const NM: &str = "node_modules/";
    let at = key.rfind(NM)?;
    if at > 0 && !key[..at].ends_with('/') {
        return None;
    }
    let name = &key[at + NM.len()..];
    (!name.is_empty()).then_some(name)
}

/// Lockfile versions 2 and 3: `packages` keyed by install path.
fn npm_packages(entries: &[json::Member]) -> Result<Vec<Package>, LockError> {
    // The root `""` and workspace folders (keys without `node_modules/`) are the project itself: what they
    // declare is direct, and link entries point at them.
    let mut declared: HashSet<&str> = HashSet::new();
    let mut folders: HashMap<&str, &json::Value> = HashMap::new();
    for m in entries {
        if installed_name(&m.key).is_some() {
            continue;
        }
        folders.insert(&m.key, &m.value);
        for (section, _) in SECTIONS {
            if let Some(deps) = m.value.get(section).and_then(json::Value::members) {
                declared.extend(deps.iter().map(|d| &*d.key));
            }
        }
    }
    let mut out = Vec::with_capacity(entries.len());
    for m in entries {
        let Some(installed) = installed_name(&m.key) else {
            continue;
        };
        let e = &m.value;
        if e.members().is_none() {
            return Err(LockError::new(
                m.line,
                format!("`{}`: a package entry is not an object", m.key),
            ));
        }
        let mut p = Package::new(Ecosystem::Npm, installed, m.line, Source::Registry);
        if e.flag("link") {
            // A symlink to a workspace folder or a local directory; its version lives in the target's entry.
            let target = e.str("resolved").unwrap_or("");
            let folder = folders.get(target);
            if let Some(name) = folder.and_then(|f| f.str("name")).or(e.str("name")) {
                p.name = name.to_string();
            }
            p.version = folder.and_then(|f| f.str("version")).map(str::to_string);
            p.source = Source::Path {
                path: target.strip_prefix("file:").unwrap_or(target).to_string(),
            };
        } else {
            if let Some(name) = e.str("name") {
                // An alias (`"x": "npm:real@1"`) installs `real` under `node_modules/x`.
                p.name = name.to_string();
            }
            p.version = e.str("version").map(str::to_string);
            if let Some(resolved) = e.str("resolved") {
                p.source = source_of_resolved(resolved, &p.name);
            }
        }
        // Direct: installed right under the root or a workspace folder, and declared by the project.
        p.direct = m.key.matches("node_modules/").count() == 1 && declared.contains(installed);
        // `devOptional` packages are installed in production when optional ones are, so they are not dev-only.
        p.dev = e.flag("dev");
        p.install_script = e.flag("hasInstallScript");
        out.push(p);
    }
    Ok(out)
}

/// Lockfile version 1: nested `dependencies` keyed by name.
fn npm_v1(
    entries: &[json::Member],
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Package>, LockError> {
    // v1 does not say which packages the project declares. The sibling manifest does; without it, a top-level
    // package nothing else requires is there only because the project asked for it.
    let manifest = read("package.json");
    let declared: Option<HashSet<String>> = manifest
        .as_deref()
        .and_then(|t| json::parse(strip_bom(t)).ok())
        .map(|root| {
            SECTIONS
                .iter()
                .filter_map(|(s, _)| root.get(s).and_then(json::Value::members))
                .flatten()
                .map(|d| d.key.to_string())
                .collect()
        });
    let mut required: HashSet<&str> = HashSet::new();
    if declared.is_none() {
        v1_requires(entries, &mut required);
    }
    let is_direct = |name: &str| match &declared {
        Some(d) => d.contains(name),
        None => !required.contains(name),
    };
    let mut out = Vec::new();
    v1_walk(entries, true, &is_direct, &mut out)?;
    Ok(out)
}

fn v1_requires<'a>(entries: &'a [json::Member<'a>], required: &mut HashSet<&'a str>) {
    for m in entries {
        if let Some(req) = m.value.get("requires").and_then(json::Value::members) {
            required.extend(req.iter().map(|r| &*r.key));
        }
        if let Some(nested) = m.value.get("dependencies").and_then(json::Value::members) {
            v1_requires(nested, required);
        }
    }
}

fn v1_walk(
    entries: &[json::Member],
    top: bool,
    is_direct: &dyn Fn(&str) -> bool,
    out: &mut Vec<Package>,
) -> Result<(), LockError> {
    for m in entries {
        let e = &m.value;
        if e.members().is_none() {
            return Err(LockError::new(
                m.line,
                format!("`{}`: a dependency entry is not an object", m.key),
            ));
        }
        let mut p = Package::new(Ecosystem::Npm, &m.key, m.line, Source::Registry);
        let version = e.str("version").unwrap_or("").trim();
        let resolved = e.str("resolved");
        // v1 writes what is not a registry version into `version`: `npm:real@1.0.0` for an alias, the git
        // URL with its commit, `file:…`, a tarball URL.
        match classify_spec(version) {
            Spec::Alias { name, range } => {
                p.version = Some(range);
                if let Some(r) = resolved {
                    p.source = source_of_resolved(r, &name);
                }
                p.name = name;
            }
            Spec::Source(src) => p.source = src,
            Spec::Range => {
                p.version = (!version.is_empty()).then(|| version.to_string());
                if let Some(r) = resolved {
                    p.source = source_of_resolved(r, &p.name);
                }
            }
        }
        p.direct = top && is_direct(&m.key);
        p.dev = e.flag("dev");
        p.install_script = e.flag("hasInstallScript");
        out.push(p);
        if let Some(nested) = e.member("dependencies") {
            match nested.value.members() {
                Some(n) => v1_walk(n, false, is_direct, out)?,
                None => {
                    return Err(LockError::new(
                        nested.line,
                        format!("`{}`: `dependencies` is not an object", m.key),
                    ))
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// package.json
// ---------------------------------------------------------------------------------------------------------

fn manifest(text: &str) -> Result<Vec<Package>, LockError> {
    let root = json::parse(text)?;
    if root.members().is_none() {
        return Err(LockError::new(1, "package.json is a JSON object"));
    }
    let mut out = Vec::new();
    for (section, dev) in SECTIONS {
        let Some(m) = root.member(section) else {
            continue;
        };
        let entries = match &m.value.value {
            json::Value::Obj(entries) => entries,
            json::Value::Null => continue,
            _ => {
                return Err(LockError::new(
                    m.line,
                    format!("`{section}` is not an object"),
                ))
            }
        };
        for d in entries {
            let json::Value::Str(spec) = &d.value.value else {
                return Err(LockError::new(
                    d.line,
                    format!(
                        "`{}` in `{section}`: the version range is not a string",
                        d.key
                    ),
                ));
            };
            let mut p = manifest_entry(&d.key, spec, d.line);
            p.dev = dev;
            p.peer = section == "peerDependencies";
            out.push(p);
        }
    }
    Ok(out)
}

fn manifest_entry(name: &str, spec: &str, line: u32) -> Package {
    let spec = spec.trim();
    let mut p = Package::new(Ecosystem::Npm, name, line, Source::Registry);
    p.direct = true;
    p.requirement = Some(spec.to_string());
    match classify_spec(spec) {
        Spec::Alias { name, range } => {
            // The alias installs `name`; its range is what constrains that package.
            p.name = name;
            p.version = exact_pin(&range);
            p.requirement = Some(range);
        }
        Spec::Source(src) => p.source = src,
        Spec::Range => p.version = exact_pin(spec),
    }
    p
}

/// The version an npm range pins exactly (`1.2.3`, `=1.2.3`, `v1.2.3`, prereleases and build metadata
/// included), or `None` for a real range, a tag or `*`.
fn exact_pin(range: &str) -> Option<String> {
    let r = range.trim();
    let r = r.strip_prefix('=').unwrap_or(r).trim_start();
    let r = r.strip_prefix('v').unwrap_or(r);
    is_semver(r).then(|| r.to_string())
}

fn is_semver(v: &str) -> bool {
    let ident = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    if build.is_some_and(|b| !ident(b)) {
        return false;
    }
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    if pre.is_some_and(|p| !ident(p)) {
        return false;
    }
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------------------------------------------------
// Specs, URLs and sources
// ---------------------------------------------------------------------------------------------------------

/// What a dependency spec (a `package.json` value, the range of a yarn pattern, a v1 `version`) asks for.
enum Spec {
    /// `npm:real@range`.
    Alias { name: String, range: String },
    /// Not the registry: git, a tarball URL, a path.
    Source(Source),
    /// A semver range or a dist-tag.
    Range,
}

fn classify_spec(spec: &str) -> Spec {
    let s = spec.trim();
    if let Some(rest) = s.strip_prefix("npm:") {
        let (name, range) = split_name_range(rest);
        let range = if range.is_empty() { "latest" } else { range };
        return Spec::Alias {
            name: name.to_string(),
            range: range.to_string(),
        };
    }
    for prefix in ["file:", "link:", "portal:"] {
        if let Some(path) = s.strip_prefix(prefix) {
            return Spec::Source(Source::Path {
                path: path.to_string(),
            });
        }
    }
    if s.starts_with("workspace:") {
        // A sibling workspace by name; the spec is all the place there is.
        return Spec::Source(Source::Path {
            path: s.to_string(),
        });
    }
    if let Some(src) = git_source(s) {
        return Spec::Source(src);
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        return Spec::Source(Source::Url {
            url: strip_credentials(s),
        });
    }
    if s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with('/')
        || s.starts_with("~/")
        || s == "."
        || s == ".."
    {
        return Spec::Source(Source::Path {
            path: s.to_string(),
        });
    }
    if let Some(src) = github_shorthand(s) {
        return Spec::Source(src);
    }
    Spec::Range
}

/// `name@range` split at the `@` that ends the name (a scope's leading `@` is part of the name); the range is
/// empty when there is none.
fn split_name_range(s: &str) -> (&str, &str) {
    match s.get(1..).and_then(|rest| rest.find('@')) {
        Some(i) => (&s[..i + 1], &s[i + 2..]),
        None => (s, ""),
    }
}

/// The registries npm and yarn use by default.
const DEFAULT_REGISTRIES: [&str; 3] = [
    "registry.npmjs.org",
    "registry.npmjs.com",
    "registry.yarnpkg.com",
];

/// Where a lockfile's `resolved` (or pnpm's tarball) says a package came from.
fn source_of_resolved(resolved: &str, name: &str) -> Source {
    let r = resolved.trim();
    if r.is_empty() {
        return Source::Registry;
    }
    for prefix in ["file:", "link:"] {
        if let Some(path) = r.strip_prefix(prefix) {
            return Source::Path {
                path: path.to_string(),
            };
        }
    }
    if let Some(src) = git_source(r) {
        return src;
    }
    let without_fragment = r.split('#').next().unwrap_or(r);
    let Some(u) = split_url(r) else {
        if r.starts_with('.') || r.starts_with('/') || r.starts_with('~') {
            return Source::Path {
                path: r.to_string(),
            };
        }
        return Source::Url {
            url: strip_credentials(without_fragment),
        };
    };
    let host = u.host.to_ascii_lowercase();
    if !matches!(u.scheme, "http" | "https") {
        return Source::Url {
            url: strip_credentials(without_fragment),
        };
    }
    if DEFAULT_REGISTRIES.contains(&host.as_str()) {
        return Source::Registry;
    }
    let path = u.rest.split(['?', '#']).next().unwrap_or("");
    if host == "codeload.github.com" {
        // GitHub's tarball of a commit: `/user/repo/tar.gz/<sha>`.
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        if let [user, repo, _, rev] = parts.as_slice() {
            return Source::Vcs {
                url: format!("https://github.com/{user}/{repo}"),
                rev: Some((*rev).to_string()),
            };
        }
    }
    if host == "npm.pkg.github.com" {
        return Source::OtherRegistry {
            url: "https://npm.pkg.github.com/".to_string(),
        };
    }
    // A registry serves a tarball at `<registry>/<name>/-/<file>.tgz`.
    if let Some(i) = path.find("/-/").filter(|_| path.ends_with(".tgz")) {
        let mut base = &path[..i];
        let encoded = name.replacen('/', "%2f", 1);
        let suffixes = [format!("/{name}"), format!("/{encoded}")];
        if let Some(s) = suffixes.iter().find(|s| {
            !name.is_empty() && base.to_ascii_lowercase().ends_with(&s.to_ascii_lowercase())
        }) {
            base = &base[..base.len() - s.len()];
        } else if let Some((b, last)) = base.rsplit_once('/') {
            base = b;
            if last.starts_with('@') || last.contains("%2") {
                // Already the scope; nothing more to drop.
            } else if let Some((b2, scope)) = base.rsplit_once('/') {
                if scope.starts_with('@') {
                    base = b2;
                }
            }
        }
        return Source::OtherRegistry {
            url: format!("{}://{}{}/", u.scheme, u.hostport, base),
        };
    }
    Source::Url {
        url: strip_credentials(without_fragment),
    }
}

/// A git spec or URL (`git+https://…#ref`, `git://`, `git+ssh://`, `git@host:path`, `github:user/repo`,
/// `gitlab:`, `bitbucket:`, `gist:`, an HTTP(S) URL ending in `.git` or carrying yarn's `#commit=`), with the
/// revision it pins.
fn git_source(spec: &str) -> Option<Source> {
    let s = spec.trim();
    let (body, fragment) = match s.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (s, None),
    };
    let hosted = [
        ("github:", "https://github.com/"),
        ("gitlab:", "https://gitlab.com/"),
        ("bitbucket:", "https://bitbucket.org/"),
        ("gist:", "https://gist.github.com/"),
    ];
    let url: String = if let Some((prefix, base)) = hosted.iter().find(|(p, _)| body.starts_with(p))
    {
        let path = &body[prefix.len()..];
        format!("{base}{}", path.strip_suffix(".git").unwrap_or(path))
    } else if let Some(rest) = body.strip_prefix("git+") {
        rest.to_string()
    } else if ["git://", "ssh://", "git@"]
        .iter()
        .any(|p| body.starts_with(p))
        || (["https://", "http://"].iter().any(|p| body.starts_with(p))
            && (body.ends_with(".git") || fragment.is_some_and(|f| f.contains("commit="))))
    {
        body.to_string()
    } else {
        return None;
    };
    Some(Source::Vcs {
        url: strip_credentials(&url),
        rev: fragment.and_then(rev_of_fragment),
    })
}

/// The revision in a git URL's fragment: npm's `#<ref>` / `#semver:<range>`, yarn berry's
/// `#commit=<sha>&…` (or `head=` / `tag=` / `semver=`).
fn rev_of_fragment(fragment: &str) -> Option<String> {
    let f = fragment.trim();
    if f.is_empty() {
        return None;
    }
    if !f.contains('=') {
        return Some(f.to_string());
    }
    let pairs: Vec<(&str, &str)> = f.split('&').filter_map(|p| p.split_once('=')).collect();
    ["commit", "tag", "head", "semver"]
        .iter()
        .find_map(|k| pairs.iter().find(|(pk, _)| pk == k))
        .map(|(k, v)| {
            if *k == "semver" {
                format!("semver:{v}")
            } else {
                (*v).to_string()
            }
        })
        .filter(|v| !v.is_empty())
}

/// npm's GitHub shorthand `user/repo[#ref]`.
fn github_shorthand(spec: &str) -> Option<Source> {
    let (body, fragment) = match spec.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (spec, None),
    };
    let (user, repo) = body.split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !ok(user) || !ok(repo) || user.starts_with(['.', '-']) {
        return None;
    }
    Some(Source::Vcs {
        url: format!(
            "https://github.com/{user}/{}",
            repo.strip_suffix(".git").unwrap_or(repo)
        ),
        rev: fragment.and_then(rev_of_fragment),
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| (*h as char).to_digit(16));
        match (c, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------------------
// yarn.lock
// ---------------------------------------------------------------------------------------------------------

/// Berry writes YAML with a top-level `__metadata` entry; classic never does.
fn is_berry(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("__metadata:"))
}

struct ClassicEntry {
    line: u32,
    patterns: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
}

/// yarn classic (v1): `pattern, pattern:` headers, two-space indented `key value` properties, and
/// four-space indented members of `dependencies:` / `optionalDependencies:` sections.
fn yarn_classic(text: &str) -> Result<Vec<Package>, LockError> {
    let mut out = Vec::new();
    let mut current: Option<ClassicEntry> = None;
    let mut in_section = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = line_of_index(i);
        let l = raw.trim_end();
        let body = l.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.starts_with('\t') {
            return Err(LockError::new(line, "tab indentation"));
        }
        match l.len() - body.len() {
            0 => {
                if let Some(entry) = current.take() {
                    out.push(classic_package(entry)?);
                }
                let Some(header) = body.strip_suffix(':') else {
                    return Err(LockError::new(
                        line,
                        "expected `pattern, pattern:` to start an entry",
                    ));
                };
                let patterns = classic_patterns(header, line)?;
                current = Some(ClassicEntry {
                    line,
                    patterns,
                    version: None,
                    resolved: None,
                });
                in_section = false;
            }
            2 => {
                let Some(entry) = current.as_mut() else {
                    return Err(LockError::new(line, "an indented line outside an entry"));
                };
                let tokens = classic_tokens(body, line)?;
                match tokens.as_slice() {
                    [(_, true)] => in_section = true,
                    [(key, false), (value, false)] => {
                        in_section = false;
                        match key.as_str() {
                            "version" => entry.version = Some(value.clone()),
                            "resolved" => entry.resolved = Some(value.clone()),
                            _ => {}
                        }
                    }
                    _ => return Err(LockError::new(line, "expected `key value` or `key:`")),
                }
            }
            4 if in_section => {
                let tokens = classic_tokens(body, line)?;
                if !matches!(tokens.as_slice(), [(_, false), (_, false)]) {
                    return Err(LockError::new(line, "expected `name range`"));
                }
            }
            _ => return Err(LockError::new(line, "unexpected indentation")),
        }
    }
    if let Some(entry) = current.take() {
        out.push(classic_package(entry)?);
    }
    Ok(out)
}

/// A double-quoted string at the start of `s` (JSON-like escapes) and what follows it.
fn classic_quoted(s: &str, line: u32) -> Result<(String, &str), LockError> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, e)) => out.push(e),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(LockError::new(line, "unterminated string"))
}

fn classic_patterns(header: &str, line: u32) -> Result<Vec<String>, LockError> {
    let mut patterns = Vec::new();
    let mut rest = header.trim();
    loop {
        if rest.starts_with('"') {
            let (p, after) = classic_quoted(rest, line)?;
            patterns.push(p);
            rest = after.trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            patterns.push(rest[..end].trim().to_string());
            rest = &rest[end..];
        }
        if rest.is_empty() {
            break;
        }
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None => return Err(LockError::new(line, "expected `,` between patterns")),
        }
    }
    if patterns.iter().any(String::is_empty) {
        return Err(LockError::new(line, "an empty pattern"));
    }
    Ok(patterns)
}

/// The whitespace-separated tokens of a property line, each with whether a `:` ends it.
fn classic_tokens(body: &str, line: u32) -> Result<Vec<(String, bool)>, LockError> {
    let mut tokens = Vec::new();
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let (token, after) = if rest.starts_with('"') {
            classic_quoted(rest, line)?
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        };
        let (token, colon, after) = match after.strip_prefix(':') {
            Some(a) => (token, true, a),
            None => match token.strip_suffix(':') {
                Some(t) if !rest.starts_with('"') => (t.to_string(), true, after),
                _ => (token, false, after),
            },
        };
        tokens.push((token, colon));
        rest = after.trim_start();
    }
    Ok(tokens)
}

fn classic_package(entry: ClassicEntry) -> Result<Package, LockError> {
    let first = entry.patterns.first().map(String::as_str).unwrap_or("");
    let (installed, range) = split_name_range(first);
    if installed.is_empty() || range.is_empty() {
        return Err(LockError::new(
            entry.line,
            format!("pattern `{first}` names no range"),
        ));
    }
    let Some(version) = entry.version else {
        return Err(LockError::new(
            entry.line,
            format!("`{first}` has no version"),
        ));
    };
    let spec = classify_spec(range);
    let name = match &spec {
        Spec::Alias { name, .. } => name.clone(),
        _ => installed.to_string(),
    };
    let resolved = entry
        .resolved
        .as_deref()
        .map(|r| source_of_resolved(r, &name));
    let source = match (spec, resolved) {
        // A git or path pattern: what was fetched, when that says more (a commit), else the pattern.
        (Spec::Source(s @ (Source::Vcs { .. } | Source::Path { .. })), r) => match r {
            Some(r @ Source::Vcs { .. }) => r,
            _ => s,
        },
        (_, Some(r)) => r,
        (Spec::Source(s), None) => s,
        (_, None) => Source::Registry,
    };
    let mut p = Package::new(Ecosystem::Npm, &name, entry.line, source);
    p.version = Some(version);
    Ok(p)
}

/// The descriptors of a berry key (`a@npm:^1, a@npm:^1.2`), each `name@protocol:range` (a range without a
/// protocol, as older lockfiles write the workspace dependencies, is npm's).
fn berry_descriptor(name: &str, range: &str) -> String {
    // A bound descriptor (`file:./x::locator=app%40workspace%3A.`) is the declared one plus its binding.
    let range = range.split("::").next().unwrap_or(range);
    if range.contains(':') {
        format!("{name}@{range}")
    } else {
        format!("{name}@npm:{range}")
    }
}

fn berry_descriptors(key: &str) -> impl Iterator<Item = String> + '_ {
    key.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let (n, r) = split_name_range(d);
            berry_descriptor(n, r)
        })
}

/// The locator a `patch:` reference patches (`lodash@npm%3A4.17.21#…` → `lodash@npm:4.17.21`).
fn berry_patched(reference: &str) -> Option<String> {
    let inner = reference.strip_prefix("patch:")?;
    let inner = inner.split('#').next().unwrap_or(inner);
    Some(percent_decode(inner))
}

/// yarn berry (v2+): YAML keyed by descriptors, `resolution` locators with protocols.
fn yarn_berry(text: &str) -> Result<Vec<Package>, LockError> {
    let docs = yaml::parse(text)?;
    let Some(root) = docs.first() else {
        return Ok(Vec::new());
    };
    let Some(entries) = root.map() else {
        return Err(LockError::new(1, "a yarn lockfile is a mapping"));
    };
    let entries: Vec<&yaml::Entry> = entries.iter().filter(|e| e.key != "__metadata").collect();
    // Workspaces declare the direct dependencies (dev ones merged in); resolutions say what each entry is.
    let mut direct: HashSet<String> = HashSet::new();
    let mut resolutions: HashSet<&str> = HashSet::new();
    for e in &entries {
        if e.value.map().is_none() {
            return Err(LockError::new(
                e.line,
                format!("`{}`: an entry is not a mapping", e.key),
            ));
        }
        let Some(resolution) = e.value.str("resolution") else {
            return Err(LockError::new(
                e.line,
                format!("`{}` has no resolution", e.key),
            ));
        };
        resolutions.insert(resolution);
        if !split_name_range(resolution).1.starts_with("workspace:") {
            continue;
        }
        for d in e
            .value
            .get("dependencies")
            .and_then(yaml::Node::map)
            .unwrap_or(&[])
        {
            if let Some(range) = d.value.as_str() {
                direct.insert(berry_descriptor(&d.key, range));
            }
        }
    }
    // A directly declared patch makes the package it patches direct.
    let mut direct_locators: HashSet<String> = HashSet::new();
    for e in &entries {
        let resolution = e.value.str("resolution").unwrap_or("");
        let (_, reference) = split_name_range(resolution);
        if let Some(inner) = berry_patched(reference) {
            if berry_descriptors(&e.key).any(|d| direct.contains(&d)) {
                direct_locators.insert(inner);
            }
        }
    }
    let mut out = Vec::with_capacity(entries.len());
    for e in &entries {
        let resolution = e.value.str("resolution").unwrap_or("");
        let (name, reference) = split_name_range(resolution);
        let version = e
            .value
            .str("version")
            .filter(|v| *v != "0.0.0-use.local")
            .map(str::to_string);
        let is_direct = berry_descriptors(&e.key).any(|d| direct.contains(&d))
            || direct_locators.contains(resolution);
        let source = if let Some(path) = reference.strip_prefix("workspace:") {
            if path == "." {
                // The root workspace is the project itself.
                continue;
            }
            Source::Path {
                path: path.to_string(),
            }
        } else if let Some(inner) = berry_patched(reference) {
            // The patched package has its own entry; report the patch only when it does not.
            if resolutions.contains(inner.as_str()) {
                continue;
            }
            let (_, inner_ref) = split_name_range(&inner);
            berry_source(inner_ref, name)
        } else {
            berry_source(reference, name)
        };
        let mut p = Package::new(Ecosystem::Npm, name, e.line, source);
        p.version = version;
        p.direct = is_direct;
        out.push(p);
    }
    Ok(out)
}

fn berry_source(reference: &str, name: &str) -> Source {
    if reference.starts_with("npm:") {
        return Source::Registry;
    }
    for prefix in ["file:", "portal:", "link:", "exec:"] {
        if let Some(path) = reference.strip_prefix(prefix) {
            // `file:../x::locator=app%40workspace%3A.`, `file:./x.tgz#./x.tgz::hash=…` — the locator names
            // the dependent and the hash the content, neither the place.
            let path = path.split("::").next().unwrap_or(path);
            let path = path.split('#').next().unwrap_or(path);
            return Source::Path {
                path: percent_decode(path),
            };
        }
    }
    if let Some(src) = git_source(reference) {
        return src;
    }
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return source_of_resolved(reference.split("::").next().unwrap_or(reference), name);
    }
    Source::Registry
}

// ---------------------------------------------------------------------------------------------------------
// pnpm-lock.yaml
// ---------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum PnpmStyle {
    /// 5.x: `/name/1.2.3_peer@1.0.0`.
    V5,
    /// 6.x: `/name@1.2.3(peer@1.0.0)`.
    V6,
    /// 9.x: `name@1.2.3` in `packages`, peer variants in `snapshots`.
    V9,
}

/// A `packages` key without its peer-dependency suffix.
fn strip_peers(key: &str, style: PnpmStyle) -> &str {
    match style {
        PnpmStyle::V5 => {
            let start = key.rfind('/').map_or(0, |i| i + 1);
            match key[start..].find('_') {
                Some(i) => &key[..start + i],
                None => key,
            }
        }
        PnpmStyle::V6 | PnpmStyle::V9 => key.split('(').next().unwrap_or(key),
    }
}

/// The name and version a `packages` key spells, when it spells them.
fn pnpm_key(base: &str, style: PnpmStyle) -> (Option<&str>, Option<&str>) {
    let (name, version) = match style {
        PnpmStyle::V5 => {
            let path = match base.strip_prefix('/') {
                Some(p) => p,
                // `registry.example.com/name/1.0.0`: the host is not part of the name.
                None => match base.split_once('/') {
                    Some((host, rest)) if host.contains('.') && !host.contains(':') => rest,
                    _ => return (None, None),
                },
            };
            match path.rsplit_once('/') {
                Some((n, v)) => (n, v),
                None => return (None, None),
            }
        }
        PnpmStyle::V6 | PnpmStyle::V9 => {
            let s = base.strip_prefix('/').unwrap_or(base);
            match split_name_range(s) {
                (n, v) if !v.is_empty() => (n, v),
                _ => return (None, None),
            }
        }
    };
    let name = (!name.is_empty() && !name.contains(':')).then_some(name);
    let version = (!version.is_empty() && !version.contains([':', '/'])).then_some(version);
    (name, version)
}

fn pnpm_source(entry: &yaml::Node, base: &str, name: &str, style: PnpmStyle) -> Source {
    if let Some(res) = entry.get("resolution") {
        if let Some(repo) = res.str("repo") {
            return Source::Vcs {
                url: strip_credentials(repo),
                rev: res.str("commit").map(str::to_string),
            };
        }
        if let Some(dir) = res.str("directory") {
            return Source::Path {
                path: dir.to_string(),
            };
        }
        if let Some(tarball) = res.str("tarball") {
            return source_of_resolved(tarball, name);
        }
    }
    let (_, rest) = split_name_range(base.strip_prefix('/').unwrap_or(base));
    for s in [base, rest] {
        for prefix in ["file:", "link:"] {
            if let Some(path) = s.strip_prefix(prefix) {
                return Source::Path {
                    path: path.to_string(),
                };
            }
        }
    }
    // 5.x and 6.x key a package from another registry than the default by that registry's host
    // (`npm.corp.example/name/1.0.0`).
    if style != PnpmStyle::V9 && !base.starts_with('/') {
        if let Some((host, _)) = base.split_once('/') {
            let host = host.to_ascii_lowercase();
            let git_hosts = [
                "github.com",
                "gitlab.com",
                "bitbucket.org",
                "codeload.github.com",
            ];
            if host.contains('.')
                && !host.contains([':', '@'])
                && !DEFAULT_REGISTRIES.contains(&host.as_str())
                && !git_hosts.contains(&host.as_str())
            {
                return Source::OtherRegistry {
                    url: format!("https://{host}/"),
                };
            }
        }
    }
    Source::Registry
}

struct PnpmGroup {
    base: String,
    package: Package,
    /// Every peer variant is flagged `dev: true` (5/6).
    all_dev: bool,
}

fn pnpm(text: &str) -> Result<Vec<Package>, LockError> {
    let docs = yaml::parse(text)?;
    let mut out = Vec::new();
    for doc in &docs {
        pnpm_doc(doc, &mut out)?;
    }
    Ok(out)
}

fn pnpm_doc(doc: &yaml::Node, out: &mut Vec<Package>) -> Result<(), LockError> {
    if doc.map().is_none() {
        if doc.as_str().is_some_and(str::is_empty) {
            return Ok(());
        }
        return Err(LockError::new(1, "a pnpm lockfile is a mapping"));
    }
    let Some(ver) = doc.entry("lockfileVersion") else {
        return Err(LockError::new(1, "no lockfileVersion"));
    };
    let major: Option<u32> = ver
        .value
        .as_str()
        .and_then(|v| v.trim().split('.').next())
        .and_then(|m| m.parse().ok());
    let Some(major) = major else {
        return Err(LockError::new(
            ver.line,
            "lockfileVersion is not a version number",
        ));
    };
    let snapshots = doc.get("snapshots").and_then(yaml::Node::map);
    let style = if major >= 9 || snapshots.is_some() {
        PnpmStyle::V9
    } else if major >= 6 {
        PnpmStyle::V6
    } else {
        PnpmStyle::V5
    };

    // Packages, one per key without its peer suffix (5/6 list each peer variant).
    let mut groups: Vec<PnpmGroup> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    if let Some(pe) = doc.entry("packages") {
        let entries = match &pe.value {
            yaml::Node::Map(entries) => entries.as_slice(),
            yaml::Node::Scalar(s) if s.is_empty() => &[],
            _ => return Err(LockError::new(pe.line, "`packages` is not a mapping")),
        };
        for e in entries {
            if e.value.map().is_none() {
                return Err(LockError::new(
                    e.line,
                    format!("`{}`: a package entry is not a mapping", e.key),
                ));
            }
            let base = strip_peers(&e.key, style);
            let dev = e.value.str("dev") == Some("true");
            let install = e.value.str("requiresBuild") == Some("true");
            if let Some(g) = index.get(base).and_then(|&i| groups.get_mut(i)) {
                g.all_dev &= dev;
                g.package.install_script |= install;
                continue;
            }
            let (key_name, key_version) = pnpm_key(base, style);
            let name = e.value.str("name").or(key_name).unwrap_or(base);
            let mut p = Package::new(
                Ecosystem::Npm,
                name,
                e.line,
                pnpm_source(&e.value, base, name, style),
            );
            p.version = e.value.str("version").or(key_version).map(str::to_string);
            p.install_script = install;
            index.insert(base.to_string(), groups.len());
            groups.push(PnpmGroup {
                base: base.to_string(),
                package: p,
                all_dev: dev,
            });
        }
    }

    // Importers (one per workspace project; 5.x single projects keep their sections at the top).
    let importers: Vec<&yaml::Node> = match doc.get("importers").and_then(yaml::Node::map) {
        Some(imps) => imps.iter().map(|e| &e.value).collect(),
        None => vec![doc],
    };
    let mut prod_roots: Vec<String> = Vec::new();
    let mut dev_roots: Vec<String> = Vec::new();
    let mut links: HashSet<(String, String)> = HashSet::new();
    let mut linked: Vec<Package> = Vec::new();
    for imp in importers {
        for (section, dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            for d in imp.get(section).and_then(yaml::Node::map).unwrap_or(&[]) {
                // 5.x: `name: version`; 6.0 and 9.0: `name: {specifier, version}`.
                let v = match &d.value {
                    yaml::Node::Map(_) => d.value.str("version").unwrap_or(""),
                    other => other.as_str().unwrap_or(""),
                };
                if let Some(path) = v.strip_prefix("link:") {
                    if links.insert((d.key.to_string(), path.to_string())) {
                        let mut p = Package::new(
                            Ecosystem::Npm,
                            &d.key,
                            d.line,
                            Source::Path {
                                path: path.to_string(),
                            },
                        );
                        p.direct = true;
                        p.dev = dev;
                        linked.push(p);
                    }
                    continue;
                }
                let n = &d.key;
                let candidates = [
                    v.to_string(),
                    format!("/{n}/{v}"),
                    format!("/{n}@{v}"),
                    format!("{n}@{v}"),
                ];
                for c in candidates {
                    let Some(g) = index
                        .get(strip_peers(&c, style))
                        .and_then(|&i| groups.get_mut(i))
                    else {
                        continue;
                    };
                    g.package.direct = true;
                    if dev {
                        dev_roots.push(c);
                    } else {
                        prod_roots.push(c);
                    }
                    break;
                }
            }
        }
    }

    match (style, snapshots) {
        (PnpmStyle::V9, Some(snaps)) => {
            // 9.0 flags nothing: dev-only is what only devDependencies reach.
            let snaps: HashMap<&str, &yaml::Node> =
                snaps.iter().map(|e| (&*e.key, &e.value)).collect();
            let prod = pnpm_reach(prod_roots, &snaps);
            let dev = pnpm_reach(dev_roots, &snaps);
            for g in &mut groups {
                g.package.dev = dev.contains(g.base.as_str()) && !prod.contains(g.base.as_str());
            }
        }
        (PnpmStyle::V9, None) => {}
        _ => {
            for g in &mut groups {
                g.package.dev = g.all_dev;
            }
        }
    }
    out.extend(groups.into_iter().map(|g| g.package));
    out.extend(linked);
    Ok(())
}

/// The `packages` keys (peer suffixes stripped) that `snapshots` reach from `roots`.
fn pnpm_reach(roots: Vec<String>, snaps: &HashMap<&str, &yaml::Node>) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut stack = roots;
    while let Some(key) = stack.pop() {
        if seen.contains(&key) {
            continue;
        }
        if let Some(node) = snaps.get(key.as_str()) {
            for section in ["dependencies", "optionalDependencies"] {
                for d in node.get(section).and_then(yaml::Node::map).unwrap_or(&[]) {
                    let v = d.value.as_str().unwrap_or("");
                    if v.is_empty() || v.starts_with("link:") {
                        continue;
                    }
                    // `1.0.0(peer@1)` is a version of `d.key`; `real@1.0.0` is an alias's target.
                    let head = v.split('(').next().unwrap_or(v);
                    let child = if split_name_range(head).1.is_empty() {
                        format!("{}@{v}", d.key)
                    } else {
                        v.to_string()
                    };
                    if !seen.contains(&child) {
                        stack.push(child);
                    }
                }
            }
        }
        seen.insert(key);
    }
    seen.iter()
        .map(|k| strip_peers(k, PnpmStyle::V9).to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// YAML to a small tree with the line of every mapping key
// ---------------------------------------------------------------------------------------------------------

mod yaml {
    use super::LockError;
    use saphyr_parser::{Event, Parser};
    use std::borrow::Cow;

    /// Lockfiles nest a handful of levels; anything deeper is not one.
    const MAX_DEPTH: usize = 64;

    pub enum Node<'a> {
        Scalar(Cow<'a, str>),
        Seq,
        Map(Vec<Entry<'a>>),
    }

    pub struct Entry<'a> {
        pub key: Cow<'a, str>,
        /// 1-based line of the key.
        pub line: u32,
        pub value: Node<'a>,
    }

    impl<'a> Node<'a> {
        pub fn map(&self) -> Option<&[Entry<'a>]> {
            match self {
                Node::Map(e) => Some(e),
                _ => None,
            }
        }

        pub fn as_str(&self) -> Option<&str> {
            match self {
                Node::Scalar(s) => Some(s),
                _ => None,
            }
        }

        pub fn entry(&self, key: &str) -> Option<&Entry<'a>> {
            self.map()?.iter().rev().find(|e| e.key == key)
        }

        pub fn get(&self, key: &str) -> Option<&Node<'a>> {
            self.entry(key).map(|e| &e.value)
        }

        pub fn str(&self, key: &str) -> Option<&str> {
            self.get(key)?.as_str()
        }
    }

    enum Frame<'a> {
        Seq(u32),
        Map {
            line: u32,
            entries: Vec<Entry<'a>>,
            key: Option<(Cow<'a, str>, u32)>,
        },
    }

    /// The documents of a YAML stream (aliases read as empty scalars; lockfiles have none).
    pub fn parse(text: &str) -> Result<Vec<Node<'_>>, LockError> {
        let mut docs = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Node> = None;
        for ev in Parser::new_from_str(text) {
            let (ev, span) = ev.map_err(|e| {
                let line = u32::try_from(e.marker().line()).unwrap_or(u32::MAX).max(1);
                LockError::new(line, e.info().to_string())
            })?;
            let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX).max(1);
            let (node, node_line) = match ev {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing => continue,
                Event::DocumentStart(_) => {
                    stack.clear();
                    continue;
                }
                Event::DocumentEnd => {
                    docs.extend(root.take());
                    continue;
                }
                Event::Scalar(v, ..) => (Node::Scalar(v), line),
                Event::Alias(_) => (Node::Scalar(Cow::Borrowed("")), line),
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(LockError::new(
                            line,
                            format!("nested deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    stack.push(if matches!(ev, Event::SequenceStart(..)) {
                        Frame::Seq(line)
                    } else {
                        Frame::Map {
                            line,
                            entries: Vec::new(),
                            key: None,
                        }
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Frame::Seq(l)) => (Node::Seq, l),
                    Some(Frame::Map {
                        line: l, entries, ..
                    }) => (Node::Map(entries), l),
                    None => continue,
                },
            };
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Seq(_)) => {}
                Some(Frame::Map { entries, key, .. }) => match key.take() {
                    Some((k, kl)) => entries.push(Entry {
                        key: k,
                        line: kl,
                        value: node,
                    }),
                    None => match node {
                        Node::Scalar(k) => *key = Some((k, node_line)),
                        _ => {
                            return Err(LockError::new(
                                node_line,
                                "a mapping key that is not a scalar",
                            ))
                        }
                    },
                },
            }
        }
        docs.extend(root);
        Ok(docs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::line_of;

    fn run_with(
        path: &str,
        text: &str,
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<Package>, LockError> {
        parse(&Input { path, text, read }).expect("a file this module reads")
    }

    fn run(path: &str, text: &str) -> Result<Vec<Package>, LockError> {
        run_with(path, text, &|_| None)
    }

    fn ok(path: &str, text: &str) -> Vec<Package> {
        match run(path, text) {
            Ok(p) => p,
            Err(e) => panic!("{path}: {e}"),
        }
    }

    fn one<'a>(ps: &'a [Package], name: &str, version: Option<&str>) -> &'a Package {
        let found: Vec<&Package> = ps
            .iter()
            .filter(|p| p.name == name && p.version.as_deref() == version)
            .collect();
        assert_eq!(found.len(), 1, "{name}@{version:?} in {ps:#?}");
        found[0]
    }

    /// The line of the first occurrence of `needle`.
    fn line(text: &str, needle: &str) -> u32 {
        line_of(text, text.find(needle).expect(needle))
    }

    fn vcs(url: &str, rev: Option<&str>) -> Source {
        Source::Vcs {
            url: url.into(),
            rev: rev.map(str::to_string),
        }
    }

    fn path(p: &str) -> Source {
        Source::Path { path: p.into() }
    }

    const LOCK_V3: &str = r#"{
  "name": "shop-frontend",
  "version": "2.4.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "shop-frontend",
      "version": "2.4.0",
      "workspaces": [
        "packages/*"
      ],
      "dependencies": {
        "@acme/ui": "^1.0.0",
        "express": "^4.18.2",
        "legacy-widget": "github:acme/legacy-widget#v2",
        "left-pad": "npm:@acme/left-pad@^1.3.0"
      },
      "devDependencies": {
        "esbuild": "^0.19.0"
      },
      "optionalDependencies": {
        "fsevents": "^2.3.3"
      }
    },
    "node_modules/@acme/ui": {
      "resolved": "packages/ui",
      "link": true
    },
    "node_modules/@esbuild/linux-x64": {
      "version": "0.19.12",
      "resolved": "https://registry.npmjs.org/@esbuild/linux-x64/-/linux-x64-0.19.12.tgz",
      "integrity": "sha512-bmoCYyWdEL3wDQIVbcyzRyeKLgk2WtWLTWz1ZIAZF/EGbNOwSA6ew3PftJ1PqMiOOGu0OyFMzG53L0zqIpPeNA==",
      "cpu": [
        "x64"
      ],
      "dev": true,
      "optional": true,
      "os": [
        "linux"
      ],
      "engines": {
        "node": ">=12"
      }
    },
    "node_modules/esbuild": {
      "version": "0.19.12",
      "resolved": "https://registry.npmjs.org/esbuild/-/esbuild-0.19.12.tgz",
      "dev": true,
      "hasInstallScript": true,
      "bin": {
        "esbuild": "bin/esbuild"
      },
      "optionalDependencies": {
        "@esbuild/linux-x64": "0.19.12"
      }
    },
    "node_modules/express": {
      "version": "4.18.2",
      "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz",
      "dependencies": {
        "debug": "2.6.9",
        "tarball-dep": "https://files.example.com/builds/tarball-dep-0.1.0.tgz"
      },
      "engines": {
        "node": ">= 0.10.0"
      }
    },
    "node_modules/express/node_modules/debug": {
      "version": "2.6.9",
      "resolved": "https://registry.npmjs.org/debug/-/debug-2.6.9.tgz",
      "dependencies": {
        "ms": "2.0.0"
      }
    },
    "node_modules/fsevents": {
      "version": "2.3.3",
      "resolved": "https://registry.npmjs.org/fsevents/-/fsevents-2.3.3.tgz",
      "hasInstallScript": true,
      "optional": true,
      "os": [
        "darwin"
      ]
    },
    "node_modules/legacy-widget": {
      "version": "2.0.1",
      "resolved": "git+ssh://git@github.com/acme/legacy-widget.git#0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
      "license": "MIT"
    },
    "node_modules/left-pad": {
      "name": "@acme/left-pad",
      "version": "1.3.2",
      "resolved": "https://deploy:changeme@npm.acme.internal/repository/npm-private/@acme/left-pad/-/left-pad-1.3.2.tgz"
    },
    "node_modules/ms": {
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz",
      "devOptional": true
    },
    "node_modules/tarball-dep": {
      "version": "0.1.0",
      "resolved": "https://files.example.com/builds/tarball-dep-0.1.0.tgz?token=abc123&v=1"
    },
    "packages/ui": {
      "name": "@acme/ui",
      "version": "1.2.0",
      "dependencies": {
        "react": "^18.2.0"
      }
    },
    "packages/ui/node_modules/react": {
      "version": "18.2.0",
      "resolved": "https://registry.npmjs.org/react/-/react-18.2.0.tgz"
    }
  }
}
"#;

    #[test]
    fn package_lock_v3() {
        let ps = ok("web/package-lock.json", LOCK_V3);
        assert_eq!(ps.len(), 11, "{ps:#?}");

        let ui = one(&ps, "@acme/ui", Some("1.2.0"));
        assert_eq!(ui.source, path("packages/ui"));
        assert!(ui.direct && !ui.dev);
        assert_eq!(ui.line, 26);

        let express = one(&ps, "express", Some("4.18.2"));
        assert!(express.direct && !express.dev);
        assert_eq!(express.source, Source::Registry);
        assert_eq!(express.line, line(LOCK_V3, "\"node_modules/express\""));
        assert_eq!(express.ecosystem, Ecosystem::Npm);
        assert_eq!(express.requirement, None);

        let debug = one(&ps, "debug", Some("2.6.9"));
        assert!(!debug.direct, "nested under express");
        assert_eq!(
            debug.line,
            line(LOCK_V3, "\"node_modules/express/node_modules/debug\"")
        );

        let esbuild = one(&ps, "esbuild", Some("0.19.12"));
        assert!(esbuild.direct && esbuild.dev && esbuild.install_script);
        let platform = one(&ps, "@esbuild/linux-x64", Some("0.19.12"));
        assert!(!platform.direct && platform.dev && !platform.install_script);
        assert_eq!(platform.line, 30);

        let fsevents = one(&ps, "fsevents", Some("2.3.3"));
        assert!(fsevents.direct && !fsevents.dev && fsevents.install_script);

        let widget = one(&ps, "legacy-widget", Some("2.0.1"));
        assert!(widget.direct);
        assert_eq!(
            widget.source,
            vcs(
                "ssh://git@github.com/acme/legacy-widget.git",
                Some("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")
            )
        );

        // The alias is reported as the package it installs, from a private registry without its password.
        let pad = one(&ps, "@acme/left-pad", Some("1.3.2"));
        assert!(pad.direct);
        assert_eq!(
            pad.source,
            Source::OtherRegistry {
                url: "https://npm.acme.internal/repository/npm-private/".into()
            }
        );
        assert_eq!(pad.purl(), "pkg:npm/%40acme/left-pad@1.3.2");

        // devOptional: installed in production when optional dependencies are.
        assert!(!one(&ps, "ms", Some("2.0.0")).dev);

        let tarball = one(&ps, "tarball-dep", Some("0.1.0"));
        assert!(!tarball.direct);
        assert_eq!(
            tarball.source,
            Source::Url {
                url: "https://files.example.com/builds/tarball-dep-0.1.0.tgz?v=1".into()
            }
        );

        // Declared by the `packages/ui` workspace, installed in its own node_modules.
        let react = one(&ps, "react", Some("18.2.0"));
        assert!(react.direct);
        assert_eq!(
            react.line,
            line(LOCK_V3, "\"packages/ui/node_modules/react\"")
        );
    }

    #[test]
    fn package_lock_v2_prefers_packages_and_shrinkwrap_reads_the_same() {
        let text = r#"{
  "name": "svc",
  "lockfileVersion": 2,
  "requires": true,
  "packages": {
    "": {
      "dependencies": {
        "semver": "^7.5.0"
      }
    },
    "node_modules/semver": {
      "version": "7.5.4",
      "resolved": "https://registry.npmjs.org/semver/-/semver-7.5.4.tgz",
      "dependencies": {
        "lru-cache": "^6.0.0"
      }
    },
    "node_modules/lru-cache": {
      "version": "6.0.0",
      "resolved": "https://registry.npmjs.org/lru-cache/-/lru-cache-6.0.0.tgz"
    }
  },
  "dependencies": {
    "semver": {
      "version": "7.5.4",
      "resolved": "https://registry.npmjs.org/semver/-/semver-7.5.4.tgz",
      "requires": {
        "lru-cache": "^6.0.0"
      }
    },
    "lru-cache": {
      "version": "6.0.0",
      "resolved": "https://registry.npmjs.org/lru-cache/-/lru-cache-6.0.0.tgz"
    }
  }
}"#;
        for file in ["package-lock.json", "npm-shrinkwrap.json"] {
            let ps = ok(file, text);
            assert_eq!(ps.len(), 2);
            let semver = one(&ps, "semver", Some("7.5.4"));
            assert!(semver.direct);
            assert_eq!(semver.line, 11);
            let lru = one(&ps, "lru-cache", Some("6.0.0"));
            assert!(!lru.direct);
            assert_eq!(lru.line, 18);
        }
    }

    const LOCK_V1: &str = r#"{
  "name": "old-app",
  "version": "1.0.0",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "accepts": {
      "version": "1.3.8",
      "resolved": "https://registry.npmjs.org/accepts/-/accepts-1.3.8.tgz",
      "integrity": "sha512-PYAthTa2m2VKxuvSD3DPC/Gy+U+sOA1LAuT8mkmRuvw+NACSaeXEQ+NHcVF7rONl6qcaxV3Uuemwawk+7+SJLw==",
      "requires": {
        "mime-types": "~2.1.34",
        "negotiator": "0.6.3"
      }
    },
    "chalk": {
      "version": "2.4.2",
      "resolved": "https://registry.npmjs.org/chalk/-/chalk-2.4.2.tgz",
      "dev": true,
      "requires": {
        "supports-color": "^5.3.0"
      },
      "dependencies": {
        "supports-color": {
          "version": "5.5.0",
          "resolved": "https://registry.npmjs.org/supports-color/-/supports-color-5.5.0.tgz",
          "dev": true,
          "requires": {
            "has-flag": "^3.0.0"
          }
        }
      }
    },
    "has-flag": {
      "version": "3.0.0",
      "resolved": "https://registry.npmjs.org/has-flag/-/has-flag-3.0.0.tgz",
      "dev": true
    },
    "local-lib": {
      "version": "file:../local-lib"
    },
    "mime-types": {
      "version": "2.1.35",
      "resolved": "https://registry.npmjs.org/mime-types/-/mime-types-2.1.35.tgz"
    },
    "my-fork": {
      "version": "git+https://github.com/someone/my-fork.git#abcdef1234567890abcdef1234567890abcdef12",
      "from": "git+https://github.com/someone/my-fork.git"
    },
    "negotiator": {
      "version": "0.6.3",
      "resolved": "https://registry.npmjs.org/negotiator/-/negotiator-0.6.3.tgz"
    },
    "strip-ansi-cjs": {
      "version": "npm:strip-ansi@6.0.1",
      "resolved": "https://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz"
    },
    "supports-color": {
      "version": "7.2.0",
      "resolved": "https://registry.npmjs.org/supports-color/-/supports-color-7.2.0.tgz"
    }
  }
}
"#;

    #[test]
    fn package_lock_v1_without_a_manifest() {
        let ps = ok("package-lock.json", LOCK_V1);
        assert_eq!(ps.len(), 10);
        let accepts = one(&ps, "accepts", Some("1.3.8"));
        assert!(accepts.direct && !accepts.dev);
        assert_eq!(accepts.line, 7);
        let chalk = one(&ps, "chalk", Some("2.4.2"));
        assert!(chalk.direct && chalk.dev);
        let nested = one(&ps, "supports-color", Some("5.5.0"));
        assert!(!nested.direct && nested.dev);
        assert_eq!(nested.line, 24);
        // Required by chalk, so not known to be declared.
        assert!(!one(&ps, "supports-color", Some("7.2.0")).direct);
        assert!(!one(&ps, "mime-types", Some("2.1.35")).direct);
        assert!(!one(&ps, "has-flag", Some("3.0.0")).direct);

        let fork = one(&ps, "my-fork", None);
        assert!(fork.direct);
        assert_eq!(
            fork.source,
            vcs(
                "https://github.com/someone/my-fork.git",
                Some("abcdef1234567890abcdef1234567890abcdef12")
            )
        );
        assert_eq!(one(&ps, "local-lib", None).source, path("../local-lib"));
        let alias = one(&ps, "strip-ansi", Some("6.0.1"));
        assert_eq!(alias.source, Source::Registry);
        assert_eq!(alias.line, line(LOCK_V1, "\"strip-ansi-cjs\""));
    }

    #[test]
    fn package_lock_v1_with_the_sibling_manifest() {
        let manifest = r#"{
  "dependencies": { "accepts": "^1.3.8", "my-fork": "git+https://github.com/someone/my-fork.git" },
  "devDependencies": { "chalk": "^2.4.2" }
}"#;
        let read = |name: &str| (name == "package.json").then(|| manifest.to_string());
        let ps = run_with("app/package-lock.json", LOCK_V1, &read).unwrap();
        let direct: Vec<&str> = ps
            .iter()
            .filter(|p| p.direct)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(direct, ["accepts", "chalk", "my-fork"]);
    }

    #[test]
    fn package_lock_errors_carry_lines() {
        let trailing_comma = "{\n  \"packages\": {\n    \"node_modules/a\": {\n      \"version\": \"1.0.0\",\n    }\n  }\n}\n";
        let e = run("package-lock.json", trailing_comma).unwrap_err();
        assert_eq!(e.line, 5, "{e}");

        let truncated = &LOCK_V3[..LOCK_V3.find("\"node_modules/fsevents\"").unwrap()];
        let e = run("package-lock.json", truncated).unwrap_err();
        assert_eq!(e.line, line(LOCK_V3, "\"node_modules/fsevents\""), "{e}");

        let not_object = "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": \"1.0.0\"\n  }\n}";
        let e = run("package-lock.json", not_object).unwrap_err();
        assert_eq!(e.line, 4, "{e}");

        let e = run("package-lock.json", "{\"packages\": [1, 2]}").unwrap_err();
        assert_eq!(e.line, 1);
        let e = run("package-lock.json", "[]").unwrap_err();
        assert_eq!(e.line, 1);
        let e = run("package-lock.json", "\n\n{\"a\": tru}").unwrap_err();
        assert_eq!(e.line, 3);
        let e = run("package-lock.json", "{\"a\": \"x\ny\"}").unwrap_err();
        assert!(e.message.contains("control character"), "{e}");
        let e = run(
            "package-lock.json",
            "{\"dependencies\": {\"a\": {\"dependencies\": 3}}}",
        )
        .unwrap_err();
        assert_eq!(e.line, 1);

        // Nesting is bounded, not a stack overflow.
        let deep = "[".repeat(100_000);
        let e = run("package-lock.json", &deep).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        let deep = "{\"a\":".repeat(100_000);
        assert!(run("package-lock.json", &deep).is_err());
    }

    #[test]
    fn json_strings_numbers_and_escapes() {
        let text = "\u{feff}{\"lockfileVersion\": 1.5e0, \"dependencies\": {\"caf\\u00e9\": {\"version\": \"1.0.0\", \"x\": [true, null, -0.5, {\"y\": \"\\ud83d\\ude00\\n\"}]}}}";
        let ps = ok("package-lock.json", text);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].name, "café");
        assert!(run("package-lock.json", "{\"a\": 01}").is_err());
        assert!(run("package-lock.json", "{\"a\": \"\\x\"}").is_err());
        assert!(run("package-lock.json", "{\"a\": 1} x").is_err());
        assert!(run("package-lock.json", "{\"a\" 1}").is_err());
        assert_eq!(ok("package-lock.json", "{}").len(), 0);
    }

    const MANIFEST: &str = r#"{
  "name": "storefront",
  "version": "3.0.0",
  "private": true,
  "workspaces": ["packages/*"],
  "dependencies": {
    "react": "18.2.0",
    "react-dom": "^18.2.0",
    "lodash": "=4.17.21",
    "moment": "v2.29.4",
    "next": "latest",
    "ui-kit": "github:acme/ui-kit#v1.4.0",
    "icons": "acme/icons",
    "parser": "git+https://github.com/acme/parser.git#semver:^2.0.0",
    "private-fork": "git+https://ci-token@github.com/acme/private-fork.git#7d3f1e2",
    "vendored": "https://cdn.example.com/vendored-1.0.0.tgz",
    "shared": "workspace:*",
    "local-lib": "file:../local-lib",
    "linked": "link:../linked",
    "sibling": "../sibling",
    "string-width-cjs": "npm:string-width@^4.2.0",
    "core": "npm:@acme/core@1.2.3",
    "ranged": "1.2.3 - 1.4.0",
    "partial": "1.2"
  },
  "devDependencies": {
    "typescript": "~5.3.0",
    "prerelease": "1.0.0-beta.2+build.7"
  },
  "optionalDependencies": {
    "fsevents": "2.3.3"
  },
  "peerDependencies": {
    "react": ">=17"
  }
}
"#;

    #[test]
    fn package_json() {
        let ps = ok("package.json", MANIFEST);
        assert_eq!(ps.len(), 22);
        assert!(ps.iter().all(|p| p.direct));
        let by = |name: &str, req: &str| {
            let found: Vec<&Package> = ps
                .iter()
                .filter(|p| p.name == name && p.requirement.as_deref() == Some(req))
                .collect();
            assert_eq!(found.len(), 1, "{name} {req}");
            found[0]
        };

        let react = by("react", "18.2.0");
        assert_eq!(react.version.as_deref(), Some("18.2.0"));
        assert!(!react.dev);
        assert_eq!(react.line, 7);
        assert_eq!(react.source, Source::Registry);
        let peer = by("react", ">=17");
        assert_eq!(peer.version, None);
        assert_eq!(peer.line, line(MANIFEST, "\"react\": \">=17\""));

        assert_eq!(by("react-dom", "^18.2.0").version, None);
        assert_eq!(by("lodash", "=4.17.21").version.as_deref(), Some("4.17.21"));
        assert_eq!(by("moment", "v2.29.4").version.as_deref(), Some("2.29.4"));
        assert_eq!(by("next", "latest").version, None);
        assert_eq!(by("ranged", "1.2.3 - 1.4.0").version, None);
        assert_eq!(by("partial", "1.2").version, None);

        assert_eq!(
            by("ui-kit", "github:acme/ui-kit#v1.4.0").source,
            vcs("https://github.com/acme/ui-kit", Some("v1.4.0"))
        );
        assert_eq!(
            by("icons", "acme/icons").source,
            vcs("https://github.com/acme/icons", None)
        );
        assert_eq!(
            by(
                "parser",
                "git+https://github.com/acme/parser.git#semver:^2.0.0"
            )
            .source,
            vcs("https://github.com/acme/parser.git", Some("semver:^2.0.0"))
        );
        let fork = by(
            "private-fork",
            "git+https://ci-token@github.com/acme/private-fork.git#7d3f1e2",
        );
        assert_eq!(
            fork.source,
            vcs("https://github.com/acme/private-fork.git", Some("7d3f1e2"))
        );
        assert_eq!(fork.version, None);
        assert_eq!(
            by("vendored", "https://cdn.example.com/vendored-1.0.0.tgz").source,
            Source::Url {
                url: "https://cdn.example.com/vendored-1.0.0.tgz".into()
            }
        );
        assert_eq!(by("shared", "workspace:*").source, path("workspace:*"));
        assert_eq!(
            by("local-lib", "file:../local-lib").source,
            path("../local-lib")
        );
        assert_eq!(by("linked", "link:../linked").source, path("../linked"));
        assert_eq!(by("sibling", "../sibling").source, path("../sibling"));

        let alias = by("string-width", "^4.2.0");
        assert_eq!(alias.version, None);
        assert_eq!(alias.line, line(MANIFEST, "\"string-width-cjs\""));
        let core = by("@acme/core", "1.2.3");
        assert_eq!(core.version.as_deref(), Some("1.2.3"));

        let ts = by("typescript", "~5.3.0");
        assert!(ts.dev);
        let pre = by("prerelease", "1.0.0-beta.2+build.7");
        assert!(pre.dev);
        assert_eq!(pre.version.as_deref(), Some("1.0.0-beta.2+build.7"));
        let fsevents = by("fsevents", "2.3.3");
        assert!(!fsevents.dev);
        assert_eq!(fsevents.version.as_deref(), Some("2.3.3"));
    }

    #[test]
    fn package_json_errors() {
        let e = run(
            "package.json",
            "{\n  \"dependencies\": {\n    \"a\": \"^1\",\n    \"b\": 2\n  }\n}",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = run(
            "package.json",
            "{\n  \"name\": \"x\",\n  \"devDependencies\": [\"a\"]\n}",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run("package.json", "{\n  \"name\": \"x\",\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(ok("package.json", "{\"name\": \"x\", \"dependencies\": null}").is_empty());
    }

    const YARN_CLASSIC: &str = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.22.13":
  version "7.22.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.22.13.tgz#e3c1c099402598483b7a8c46a721d1038803755e"
  integrity sha512-XktuhWlJ5g+3TJXc5upd9Ks1HutSArik6jf2eAjYFyIOf4ej3RN+184cZbzDvbPnuTJIUhPKKJE3cIsYTiAT3w==
  dependencies:
    "@babel/highlight" "^7.22.13"
    chalk "^2.4.2"

chalk@^2.4.2:
  version "2.4.2"
  resolved "https://registry.yarnpkg.com/chalk/-/chalk-2.4.2.tgz#cd42541677a54333cf541a49108c1432b44c9424"
  integrity sha512-Mti+f9lpJNcwF4tWV8/OrTTtF1gZi+f8FqlyAdouralcFWFQWF2+NgCHShjkCb+IFBLq9buZwE1xckQU4peSuw==
  dependencies:
    ansi-styles "^3.2.1"
    escape-string-regexp "^1.0.5"
    supports-color "^5.3.0"

internal-utils@^3.1.0:
  version "3.1.4"
  resolved "https://builder:changeme@npm.corp.example/internal-utils/-/internal-utils-3.1.4.tgz#0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"

"parser@git+https://github.com/acme/parser.git#v1.2.0":
  version "1.2.0"
  resolved "git+https://github.com/acme/parser.git#1234abcd5678ef901234abcd5678ef901234abcd"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
  resolved "https://registry.yarnpkg.com/string-width/-/string-width-4.2.3.tgz#269c7117d27b05ad2e536830a8ec895ef9c6d010"
  dependencies:
    emoji-regex "^8.0.0"

"helpers@file:./vendor/helpers":
  version "1.0.0"

"widget@github:acme/widget#main":
  version "0.4.0"
  resolved "https://codeload.github.com/acme/widget/tar.gz/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"

fsevents@~2.3.2:
  version "2.3.3"
  resolved "https://registry.yarnpkg.com/fsevents/-/fsevents-2.3.3.tgz#cac6407785d03675a2a5e1a5305c697b347d90d6"
  integrity sha512-5xoDfX+fL7faATnagmWPpbFtwh/R77WmMMqqHGS65C3vvB0YHrgF+B1YmZ3441tMj5n63k0212XNoJwzlhffQw==
"#;

    #[test]
    fn yarn_classic_lockfile() {
        let ps = ok("yarn.lock", YARN_CLASSIC);
        assert_eq!(ps.len(), 8);
        assert!(ps.iter().all(|p| !p.direct && !p.dev));

        let frame = one(&ps, "@babel/code-frame", Some("7.22.13"));
        assert_eq!(frame.line, 5);
        assert_eq!(frame.source, Source::Registry);
        assert_eq!(one(&ps, "chalk", Some("2.4.2")).line, 13);

        let internal = one(&ps, "internal-utils", Some("3.1.4"));
        assert_eq!(
            internal.source,
            Source::OtherRegistry {
                url: "https://npm.corp.example/".into()
            }
        );
        assert_eq!(
            one(&ps, "parser", Some("1.2.0")).source,
            vcs(
                "https://github.com/acme/parser.git",
                Some("1234abcd5678ef901234abcd5678ef901234abcd")
            )
        );
        let sw = one(&ps, "string-width", Some("4.2.3"));
        assert_eq!(sw.line, line(YARN_CLASSIC, "\"string-width-cjs@"));
        assert_eq!(sw.source, Source::Registry);
        assert_eq!(
            one(&ps, "helpers", Some("1.0.0")).source,
            path("./vendor/helpers")
        );
        assert_eq!(
            one(&ps, "widget", Some("0.4.0")).source,
            vcs(
                "https://github.com/acme/widget",
                Some("9f8e7d6c5b4a39281706f5e4d3c2b1a098765432")
            )
        );
        assert_eq!(
            one(&ps, "fsevents", Some("2.3.3")).line,
            line(YARN_CLASSIC, "fsevents@~2.3.2:")
        );
    }

    #[test]
    fn yarn_classic_errors_carry_lines() {
        let cases: [(&str, u32); 7] = [
            ("a@^1:\n  version \"1.0.0\"\n   resolved \"x\"\n", 3),
            ("a@^1:\n  version \"1.0.0\n", 2),
            ("# c\na@^1\n  version \"1.0.0\"\n", 2),
            ("  version \"1.0.0\"\n", 1),
            (
                "a@^1:\n  resolved \"https://registry.yarnpkg.com/a/-/a-1.0.0.tgz\"\n",
                1,
            ),
            ("a@^1:\n  version \"1.0.0\"\n    b \"^1\"\n", 3),
            ("\n\nnoversion:\n  version \"1.0.0\"\n", 3),
        ];
        for (text, want) in cases {
            let e = run("yarn.lock", text).unwrap_err();
            assert_eq!(e.line, want, "{text:?}: {e}");
        }
        assert!(run("yarn.lock", "a@^1:\n\tversion \"1.0.0\"\n").is_err());
        assert!(ok("yarn.lock", "# yarn lockfile v1\n\n").is_empty());
        // CRLF line endings read the same.
        let crlf = YARN_CLASSIC.replace('\n', "\r\n");
        assert_eq!(ok("yarn.lock", &crlf), ok("yarn.lock", YARN_CLASSIC));
    }

    const YARN_BERRY: &str = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@types/node@npm:^20.10.0":
  version: 20.10.5
  resolution: "@types/node@npm:20.10.5"
  dependencies:
    undici-types: "npm:~5.26.4"
  checksum: 10c0/be30609aae0bfe492097815f166ccc07f465220cb604647fa4e5ec05a1d16c012a41b82b5f11ecfe2485cbb479d4d20384b95b809ca0bcff6d94d5bbafa645bb
  languageName: node
  linkType: hard

"ansi-regex@npm:^5.0.1":
  version: 5.0.1
  resolution: "ansi-regex@npm:5.0.1"
  checksum: 10c0/9a64bb8627b434ba9327b60c027742e5d17ac69277960d041898596271d992d4d52ba7267a63ca10232e29f6107fc8a835f6ce8d719b88c5f8493f8254813737
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    "@types/node": "npm:^20.10.0"
    lodash: "patch:lodash@npm%3A4.17.21#~/.yarn/patches/lodash-npm-4.17.21-6382451519.patch"
    shared: "workspace:^"
    string-width-cjs: "npm:string-width@^4.2.0"
    tool: "https://github.com/acme/tool.git"
    vendored: "file:./vendor/vendored.tgz"
  languageName: unknown
  linkType: soft

"lodash@npm:4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
  checksum: 10c0/d8cbea072bb08655bb4c989da418994b073a608dffa608b09ac04b43a791b12aeae7cd7ad919aa4c925f33b48490b5cfe6c1f71d827956071dae2e7bb3a6b74c
  languageName: node
  linkType: hard

"lodash@patch:lodash@npm%3A4.17.21#~/.yarn/patches/lodash-npm-4.17.21-6382451519.patch":
  version: 4.17.21
  resolution: "lodash@patch:lodash@npm%3A4.17.21#~/.yarn/patches/lodash-npm-4.17.21-6382451519.patch::version=4.17.21&hash=8a5b4f"
  checksum: 10c0/3c4a2be0bb4fd9e4a38e0e6e7b0f3c2c8f0a6d5b71ac4f1e2b0c1e5d3a8f9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d
  languageName: node
  linkType: hard

"shared@workspace:^, shared@workspace:packages/shared":
  version: 0.0.0-use.local
  resolution: "shared@workspace:packages/shared"
  dependencies:
    undici-types: "npm:~5.26.4"
  languageName: unknown
  linkType: soft

"string-width-cjs@npm:string-width@^4.2.0, string-width@npm:^4.1.0":
  version: 4.2.3
  resolution: "string-width@npm:4.2.3"
  dependencies:
    ansi-regex: "npm:^5.0.1"
  checksum: 10c0/1e525e92e5eae0afd7454086eed9c818ee84374bb80328fc41217ae72ff5f065ef1c9d7f72da41de40c75fa8bb3dee63d92373fd492c84260a552c636392a47b
  languageName: node
  linkType: hard

"tool@https://github.com/acme/tool.git":
  version: 1.4.0
  resolution: "tool@https://github.com/acme/tool.git#commit=5d41402abc4b2a76b9719d911017c592ae5f6c1b"
  languageName: node
  linkType: hard

"undici-types@npm:~5.26.4":
  version: 5.26.5
  resolution: "undici-types@npm:5.26.5"
  checksum: 10c0/bb673d7876c2d411b6eb6c560e0c571eef4a01c1c19925175d16e3a30c4c428181fb8d7ae802a261f283e4166a0ac435e2f505743aa9e45d893f9a3df017b501
  languageName: node
  linkType: hard

"vendored@file:./vendor/vendored.tgz::locator=app%40workspace%3A.":
  version: 2.0.0
  resolution: "vendored@file:./vendor/vendored.tgz#./vendor/vendored.tgz::hash=4c1d2e&locator=app%40workspace%3A."
  languageName: node
  linkType: hard
"#;

    #[test]
    fn yarn_berry_lockfile() {
        let ps = ok("yarn.lock", YARN_BERRY);
        // The root workspace is the project; the lodash patch folds into lodash.
        assert_eq!(ps.len(), 8, "{ps:#?}");
        assert!(ps.iter().all(|p| !p.dev));

        let node = one(&ps, "@types/node", Some("20.10.5"));
        assert!(node.direct);
        assert_eq!(node.line, 8);
        assert_eq!(node.source, Source::Registry);
        assert!(!one(&ps, "ansi-regex", Some("5.0.1")).direct);

        let lodash = one(&ps, "lodash", Some("4.17.21"));
        assert!(lodash.direct, "declared through its patch");
        assert_eq!(lodash.line, line(YARN_BERRY, "\"lodash@npm:4.17.21\":"));

        let shared = one(&ps, "shared", None);
        assert!(shared.direct);
        assert_eq!(shared.source, path("packages/shared"));

        let sw = one(&ps, "string-width", Some("4.2.3"));
        assert!(sw.direct);
        assert_eq!(sw.line, line(YARN_BERRY, "\"string-width-cjs@"));

        let tool = one(&ps, "tool", Some("1.4.0"));
        assert!(tool.direct);
        assert_eq!(
            tool.source,
            vcs(
                "https://github.com/acme/tool.git",
                Some("5d41402abc4b2a76b9719d911017c592ae5f6c1b")
            )
        );
        // Declared by the `shared` workspace.
        assert!(one(&ps, "undici-types", Some("5.26.5")).direct);

        let vendored = one(&ps, "vendored", Some("2.0.0"));
        assert!(vendored.direct);
        assert_eq!(vendored.source, path("./vendor/vendored.tgz"));
    }

    #[test]
    fn yarn_berry_old_metadata_ranges_without_protocol() {
        let text = r#"__metadata:
  version: 4
  cacheKey: 7

"left@npm:^1.0.0":
  version: 1.0.3
  resolution: "left@npm:1.0.3"
  dependencies:
    right: ^2.0.0
  languageName: node
  linkType: hard

"right@npm:^2.0.0":
  version: 2.1.0
  resolution: "right@npm:2.1.0"
  languageName: node
  linkType: hard

"site@workspace:.":
  version: 0.0.0-use.local
  resolution: "site@workspace:."
  dependencies:
    left: ^1.0.0
  languageName: unknown
  linkType: soft
"#;
        let ps = ok("yarn.lock", text);
        assert_eq!(ps.len(), 2);
        assert!(one(&ps, "left", Some("1.0.3")).direct);
        assert!(!one(&ps, "right", Some("2.1.0")).direct);
        assert_eq!(one(&ps, "right", Some("2.1.0")).line, 13);
    }

    #[test]
    fn yarn_berry_errors_carry_lines() {
        let bad_yaml = "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: \"1.0.0\n";
        let e = run("yarn.lock", bad_yaml).unwrap_err();
        assert!(e.line >= 5, "{e}");
        let no_resolution = "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n";
        assert_eq!(run("yarn.lock", no_resolution).unwrap_err().line, 4);
        let scalar_entry = "__metadata:\n  version: 8\n\"a@npm:^1\": 1.0.0\n";
        assert_eq!(run("yarn.lock", scalar_entry).unwrap_err().line, 3);
        let list = "__metadata:\n  version: 8\n? [a, b]\n: c\n";
        assert_eq!(run("yarn.lock", list).unwrap_err().line, 3);
    }

    const PNPM_5: &str = r#"lockfileVersion: 5.4

specifiers:
  '@testing-library/react': ^13.4.0
  internal-utils: ^3.1.0
  local-utils: link:../local-utils
  react: ^18.2.0
  react-dom: ^18.2.0
  sharp: ^0.32.0
  widget: github:acme/widget#main

dependencies:
  local-utils: link:../local-utils
  internal-utils: npm.corp.example/internal-utils/3.1.4
  react: 18.2.0
  react-dom: 18.2.0_react@18.2.0
  sharp: 0.32.6
  widget: github.com/acme/widget/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432

devDependencies:
  '@testing-library/react': 13.4.0_biqbaboplfbrettd7655fr4n2y

packages:

  /@testing-library/react/13.4.0_biqbaboplfbrettd7655fr4n2y:
    resolution: {integrity: sha512-sXOGON+WNTh3MLE9rve97ftaZukN3oNf2KjDy7YTx6hcTO2uuLHuCGynMDhFwGw/jYf4OJ2Qk0i4i79qMNNkyw==}
    engines: {node: '>=12'}
    peerDependencies:
      react: ^18.0.0
      react-dom: ^18.0.0
    dependencies:
      react: 18.2.0
      react-dom: 18.2.0_react@18.2.0
    dev: true

  /js-tokens/4.0.0:
    resolution: {integrity: sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==}
    dev: false

  npm.corp.example/internal-utils/3.1.4:
    resolution: {integrity: sha512-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC==}
    dev: false

  /loose-envify/1.4.0:
    resolution: {integrity: sha512-lyuxPGr/Wfhrlem2CL/UcnUc1zcqKAImBDzukY7Y5F/yQiNdko6+fRLevlw1HgMySw7f611UIY408EtxRSoK3Q==}
    hasBin: true
    dependencies:
      js-tokens: 4.0.0
    dev: false

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0
    dev: false

  /react/18.2.0:
    resolution: {integrity: sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==}
    engines: {node: '>=0.10.0'}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /scheduler/0.23.0:
    resolution: {integrity: sha512-CtuThmgHNg7zIZWAXi3AsyIzA3n4xx7aNyjwC2VJldO2LMVDhFK+63xGqq6CsJH4rTAt6/M+N4GhZiDYPx9eUw==}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /sharp/0.32.6:
    resolution: {integrity: sha512-KyLTWwgcR9Oe4d9HwCwNM2l7+J0dUQwn/yf7S0EnTtb0eVS4RxO0eUSvxPtzT4F3SY+C4K6fqdv/DO27sJ/v/w==}
    engines: {node: '>=14.15.0'}
    requiresBuild: true
    dependencies:
      detect-libc: 2.0.2
    dev: false

  github.com/acme/widget/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432:
    resolution: {tarball: https://codeload.github.com/acme/widget/tar.gz/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432}
    name: widget
    version: 0.4.0
    dev: false
"#;

    #[test]
    fn pnpm_lockfile_5() {
        let ps = ok("pnpm-lock.yaml", PNPM_5);
        assert_eq!(ps.len(), 10, "{ps:#?}");
        let rtl = one(&ps, "@testing-library/react", Some("13.4.0"));
        assert!(rtl.direct && rtl.dev);
        assert_eq!(rtl.line, 25);
        let internal = one(&ps, "internal-utils", Some("3.1.4"));
        assert!(internal.direct && !internal.dev);
        assert_eq!(
            internal.source,
            Source::OtherRegistry {
                url: "https://npm.corp.example/".into()
            }
        );
        let dom = one(&ps, "react-dom", Some("18.2.0"));
        assert!(dom.direct && !dom.dev);
        assert!(one(&ps, "react", Some("18.2.0")).direct);
        let tokens = one(&ps, "js-tokens", Some("4.0.0"));
        assert!(!tokens.direct && !tokens.dev);
        assert_eq!(tokens.line, line(PNPM_5, "/js-tokens/4.0.0:"));
        let sharp = one(&ps, "sharp", Some("0.32.6"));
        assert!(sharp.direct && sharp.install_script);
        let widget = one(&ps, "widget", Some("0.4.0"));
        assert!(widget.direct);
        assert_eq!(
            widget.source,
            vcs(
                "https://github.com/acme/widget",
                Some("9f8e7d6c5b4a39281706f5e4d3c2b1a098765432")
            )
        );
        let local = one(&ps, "local-utils", None);
        assert!(local.direct);
        assert_eq!(local.source, path("../local-utils"));
        assert_eq!(local.line, 13);
    }

    const PNPM_6: &str = r#"lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.2.2
        version: 5.2.2

  packages/api:
    dependencies:
      '@acme/shared':
        specifier: workspace:*
        version: link:../shared
      fastify:
        specifier: ^4.24.0
        version: 4.24.3
      old-uuid:
        specifier: npm:uuid@^8.3.2
        version: /uuid@8.3.2
      private-lib:
        specifier: ^2.0.0
        version: 2.0.0
      use-sync:
        specifier: ^1.2.0
        version: 1.2.0(react@18.2.0)

  packages/shared:
    dependencies:
      zod:
        specifier: ^3.22.0
        version: 3.22.4

packages:

  /fast-json-stringify@5.9.1:
    resolution: {integrity: sha512-NMrf+uU9UJnTzfxaumMDXK1NWqtPCfGoM9DYIE+ESlaTQqjlANFBy0VWbM7sOcLsj6x/yEwoUVGbBaMi/Vhp0Q==}
    dev: false

  /fastify@4.24.3:
    resolution: {integrity: sha512-6HHJ+R2x2LS3y1PqxnwEIjOTZxFl+8h4kSC/haulkmnV2gz5Dd7F6jl4w9t5ZMTlvdmNUn6s2awZbzt9idg1hQ==}
    dependencies:
      fast-json-stringify: 5.9.1
    dev: false

  /private-lib@2.0.0:
    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==, tarball: https://npm.corp.example/private-lib/-/private-lib-2.0.0.tgz}
    dev: false

  /typescript@5.2.2:
    resolution: {integrity: sha512-mI4WrpHsbCIcwT9cF4FZvr80QUeKvsUsUvKDoR+X/7XHQH98xYD8YHZg7ANtz2GtZt/CBq2QJ0thkGJMHfqc1w==}
    engines: {node: '>=14.17'}
    hasBin: true
    dev: true

  /use-sync@1.2.0(react@17.0.2):
    resolution: {integrity: sha512-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB==}
    peerDependencies:
      react: '>=17'
    dev: true

  /use-sync@1.2.0(react@18.2.0):
    resolution: {integrity: sha512-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB==}
    peerDependencies:
      react: '>=17'
    dev: false

  /uuid@8.3.2:
    resolution: {integrity: sha512-+NYs2QeMWy+GWFOEm9xnn6HCDp0l7QBD7ml8zLUmJ+93Q5NF0NocErnwkTkXVFNiX3/fpC6afS8Dhb/gz7R7eg==}
    hasBin: true
    dev: false

  /zod@3.22.4:
    resolution: {integrity: sha512-iC+8Io04lddc+mVqQ9AZ7OQ2MrUKGN+oIQyq1vemgt46jwCwLfhq7/pwnBnNXXXZb8VTVLKwp9EDkx+ryxIWmg==}
    dev: false
"#;

    #[test]
    fn pnpm_lockfile_6() {
        let ps = ok("pnpm-lock.yaml", PNPM_6);
        assert_eq!(ps.len(), 8, "{ps:#?}");
        let ts = one(&ps, "typescript", Some("5.2.2"));
        assert!(ts.direct && ts.dev);
        assert_eq!(ts.line, line(PNPM_6, "/typescript@5.2.2:"));
        let fastify = one(&ps, "fastify", Some("4.24.3"));
        assert!(fastify.direct && !fastify.dev);
        assert!(!one(&ps, "fast-json-stringify", Some("5.9.1")).direct);
        assert!(one(&ps, "uuid", Some("8.3.2")).direct, "through the alias");
        assert!(one(&ps, "zod", Some("3.22.4")).direct);
        let shared = one(&ps, "@acme/shared", None);
        assert!(shared.direct);
        assert_eq!(shared.source, path("../shared"));
        assert_eq!(shared.line, 17);
        // Two peer variants, one package: dev only when every variant is.
        let sync = one(&ps, "use-sync", Some("1.2.0"));
        assert!(sync.direct && !sync.dev);
        assert_eq!(sync.line, line(PNPM_6, "/use-sync@1.2.0(react@17.0.2):"));
        assert_eq!(
            one(&ps, "private-lib", Some("2.0.0")).source,
            Source::OtherRegistry {
                url: "https://npm.corp.example/".into()
            }
        );
    }

    const PNPM_9: &str = r#"lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      gadget:
        specifier: git+https://github.com/acme/gadget.git#v3.1.0
        version: git+https://github.com/acme/gadget.git#3f2a9c0e1d4b5a6978c7d6e5f4a3b2c1d0e9f8a7
      local-pkg:
        specifier: file:../local-pkg
        version: file:../local-pkg
      react:
        specifier: ^18.2.0
        version: 18.2.0
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
      string-width-cjs:
        specifier: npm:string-width@^4.2.0
        version: string-width@4.2.3
    devDependencies:
      vitest:
        specifier: ^1.0.0
        version: 1.0.4

packages:

  esbuild@0.19.12:
    resolution: {integrity: sha512-aARqgq8roFBj054KvQr5f1sFu0D65G+miZRCuJyJ0G13Zwx7vRar5Zhn2tkQNzIXcBrNVsv/8stehpj+GAjgbg==}
    engines: {node: '>=12'}
    hasBin: true

  gadget@git+https://github.com/acme/gadget.git#3f2a9c0e1d4b5a6978c7d6e5f4a3b2c1d0e9f8a7:
    resolution: {commit: 3f2a9c0e1d4b5a6978c7d6e5f4a3b2c1d0e9f8a7, repo: https://github.com/acme/gadget.git, type: git}
    version: 3.1.0

  js-tokens@4.0.0:
    resolution: {integrity: sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==}

  local-pkg@file:../local-pkg:
    resolution: {directory: ../local-pkg, type: directory}
    version: 0.3.0

  loose-envify@1.4.0:
    resolution: {integrity: sha512-lyuxPGr/Wfhrlem2CL/UcnUc1zcqKAImBDzukY7Y5F/yQiNdko6+fRLevlw1HgMySw7f611UIY408EtxRSoK3Q==}
    hasBin: true

  react-dom@18.2.0:
    resolution: {integrity: sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==}
    engines: {node: '>=0.10.0'}

  scheduler@0.23.0:
    resolution: {integrity: sha512-CtuThmgHNg7zIZWAXi3AsyIzA3n4xx7aNyjwC2VJldO2LMVDhFK+63xGqq6CsJH4rTAt6/M+N4GhZiDYPx9eUw==}

  string-width@4.2.3:
    resolution: {integrity: sha512-wKyQRQpjJ0sIp62ErSZdGsjMJWsap5oRNihHhu6G7JVO/9jIB6UyevL+tXuOqrng8j/cxKTWyWUwvSTriiZz/g==}
    engines: {node: '>=8'}

  vitest@1.0.4:
    resolution: {integrity: sha512-s1GQHp/UOeWEo4+aXDOeFBJwFzL6mjycbQwwKWX2QcYfh/7tIerS59hWQ20mxzupTJluA2SdwiBuWwQHH67ckg==}
    engines: {node: ^18.0.0 || >=20.0.0}
    hasBin: true

snapshots:

  esbuild@0.19.12: {}

  gadget@git+https://github.com/acme/gadget.git#3f2a9c0e1d4b5a6978c7d6e5f4a3b2c1d0e9f8a7:
    dependencies:
      loose-envify: 1.4.0

  js-tokens@4.0.0: {}

  local-pkg@file:../local-pkg: {}

  loose-envify@1.4.0:
    dependencies:
      js-tokens: 4.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  scheduler@0.23.0:
    dependencies:
      loose-envify: 1.4.0

  string-width@4.2.3: {}

  vitest@1.0.4:
    dependencies:
      esbuild: 0.19.12
      js-tokens: 4.0.0
"#;

    #[test]
    fn pnpm_lockfile_9() {
        let ps = ok("pnpm-lock.yaml", PNPM_9);
        assert_eq!(ps.len(), 10, "{ps:#?}");
        let vitest = one(&ps, "vitest", Some("1.0.4"));
        assert!(vitest.direct && vitest.dev);
        // Reached only through vitest.
        let esbuild = one(&ps, "esbuild", Some("0.19.12"));
        assert!(!esbuild.direct && esbuild.dev);
        assert_eq!(esbuild.line, line(PNPM_9, "  esbuild@0.19.12:"));
        // Reached through vitest and through react.
        let tokens = one(&ps, "js-tokens", Some("4.0.0"));
        assert!(!tokens.direct && !tokens.dev);
        let dom = one(&ps, "react-dom", Some("18.2.0"));
        assert!(dom.direct && !dom.dev);
        assert!(!one(&ps, "scheduler", Some("0.23.0")).dev);
        assert!(one(&ps, "string-width", Some("4.2.3")).direct);

        let gadget = one(&ps, "gadget", Some("3.1.0"));
        assert!(gadget.direct && !gadget.dev);
        assert_eq!(
            gadget.source,
            vcs(
                "https://github.com/acme/gadget.git",
                Some("3f2a9c0e1d4b5a6978c7d6e5f4a3b2c1d0e9f8a7")
            )
        );
        assert_eq!(
            gadget.line,
            line(
                PNPM_9,
                "  gadget@git+https://github.com/acme/gadget.git#3f2a"
            )
        );
        let local = one(&ps, "local-pkg", Some("0.3.0"));
        assert!(local.direct);
        assert_eq!(local.source, path("../local-pkg"));
    }

    #[test]
    fn pnpm_errors_carry_lines() {
        let e = run("pnpm-lock.yaml", "- a\n- b\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = run("pnpm-lock.yaml", "importers: {}\n").unwrap_err();
        assert!(e.message.contains("lockfileVersion"), "{e}");
        let e = run("pnpm-lock.yaml", "\nlockfileVersion: next\n").unwrap_err();
        assert_eq!(e.line, 2);
        let scalar = "lockfileVersion: '6.0'\n\npackages:\n\n  /a@1.0.0: yes\n";
        assert_eq!(run("pnpm-lock.yaml", scalar).unwrap_err().line, 5);
        let bad = "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x\n";
        assert!(run("pnpm-lock.yaml", bad).unwrap_err().line >= 4);
        let e = run("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages: 3\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(ok("pnpm-lock.yaml", "").is_empty());
        assert!(ok("pnpm-lock.yaml", "lockfileVersion: '9.0'\n").is_empty());
        let deep = format!("a: {}", "[".repeat(10_000));
        assert!(run("pnpm-lock.yaml", &deep).is_err());
    }

    #[test]
    fn other_names_are_not_read() {
        let read = |_: &str| None;
        for path in [
            "Cargo.lock",
            "requirements.txt",
            "package-lock.json.bak",
            "yarn.lock/x",
            "bun.lockb",
        ] {
            assert!(parse(&Input {
                path,
                text: "{}",
                read: &read
            })
            .is_none());
        }
    }

    #[test]
    fn resolved_urls_name_their_source() {
        let s = |r: &str, name: &str| source_of_resolved(r, name);
        assert_eq!(
            s("https://registry.npmjs.org/a/-/a-1.0.0.tgz", "a"),
            Source::Registry
        );
        assert_eq!(
            s("http://registry.yarnpkg.com/a/-/a-1.0.0.tgz#abc", "a"),
            Source::Registry
        );
        assert_eq!(
            s(
                "https://user:pw@artifacts.example.com/artifactory/api/npm/npm-remote/@scope/pkg/-/pkg-1.0.0.tgz",
                "@scope/pkg"
            ),
            Source::OtherRegistry {
                url: "https://artifacts.example.com/artifactory/api/npm/npm-remote/".into()
            }
        );
        assert_eq!(
            s(
                "https://registry.example.com/@scope%2fpkg/-/pkg-1.0.0.tgz",
                "@scope/pkg"
            ),
            Source::OtherRegistry {
                url: "https://registry.example.com/".into()
            }
        );
        assert_eq!(
            s(
                "https://npm.pkg.github.com/download/@acme/pkg/1.0.0/0123abcd",
                "@acme/pkg"
            ),
            Source::OtherRegistry {
                url: "https://npm.pkg.github.com/".into()
            }
        );
        assert_eq!(
            s(
                "https://gitlab.com/acme/lib/-/archive/v1.0.0/lib-v1.0.0.tar.gz",
                "lib"
            ),
            Source::Url {
                url: "https://gitlab.com/acme/lib/-/archive/v1.0.0/lib-v1.0.0.tar.gz".into()
            }
        );
        assert_eq!(
            s("git@github.com:acme/lib.git#v1", "lib"),
            vcs("git@github.com:acme/lib.git", Some("v1"))
        );
        assert_eq!(
            s("git://github.com/acme/lib.git", "lib"),
            vcs("git://github.com/acme/lib.git", None)
        );
        assert_eq!(s("file:../lib-1.0.0.tgz", "lib"), path("../lib-1.0.0.tgz"));
        assert_eq!(
            strip_credentials("https://x:y@h.example:8443/p?auth_token=1&a=2#frag"),
            "https://h.example:8443/p?a=2#frag"
        );
        assert_eq!(
            strip_credentials("ssh://git@github.com/a/b.git"),
            "ssh://git@github.com/a/b.git"
        );
        assert_eq!(
            strip_credentials("ssh://git:pw@github.com/a/b.git"),
            "ssh://github.com/a/b.git"
        );
    }

    #[test]
    fn exact_pins() {
        for (range, pin) in [
            ("1.2.3", Some("1.2.3")),
            ("=1.2.3", Some("1.2.3")),
            ("= 1.2.3", Some("1.2.3")),
            ("v1.2.3", Some("1.2.3")),
            ("=v1.2.3-rc.1", Some("1.2.3-rc.1")),
            ("1.2.3-x-y.0+b.1", Some("1.2.3-x-y.0+b.1")),
            ("^1.2.3", None),
            ("~1.2.3", None),
            ("1.2", None),
            ("1.2.x", None),
            (">=1.2.3", None),
            ("1.2.3 || 2.0.0", None),
            ("*", None),
            ("", None),
            ("1.2.3-", None),
            ("1..3", None),
        ] {
            assert_eq!(exact_pin(range).as_deref(), pin, "{range:?}");
        }
    }

    const SAMPLES: [(&str, &str); 8] = [
        ("package-lock.json", LOCK_V3),
        ("package-lock.json", LOCK_V1),
        ("package.json", MANIFEST),
        ("yarn.lock", YARN_CLASSIC),
        ("yarn.lock", YARN_BERRY),
        ("pnpm-lock.yaml", PNPM_5),
        ("pnpm-lock.yaml", PNPM_6),
        ("pnpm-lock.yaml", PNPM_9),
    ];

    #[test]
    fn every_truncation_of_the_samples_is_an_answer() {
        for (name, text) in SAMPLES {
            for (i, _) in text.char_indices().step_by(7) {
                let _ = run(name, &text[..i]);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "(?s).{0,400}") {
            for name in ["package-lock.json", "npm-shrinkwrap.json", "package.json", "yarn.lock", "pnpm-lock.yaml"] {
                let _ = run(name, &text);
            }
        }

        #[test]
        fn shaped_text_never_panics(
            text in "[{}\\[\\]:,\"\\\\ \n@/#._a-z0-9-]{0,300}",
            berry in proptest::bool::ANY,
        ) {
            let yarn = if berry { format!("__metadata:\n{text}") } else { text.clone() };
            let _ = run("yarn.lock", &yarn);
            for name in ["package-lock.json", "package.json", "pnpm-lock.yaml"] {
                let _ = run(name, &text);
            }
        }

        #[test]
        fn edited_samples_never_panic(
            sample in 0..SAMPLES.len(),
            at in 0usize..20_000,
            insert in "[{}\\[\\]:,\"' \n\t@/#_()-]{0,3}",
            cut in 0usize..40,
        ) {
            let (name, text) = SAMPLES[sample];
            let at = text.char_indices().map(|(i, _)| i).nth(at % text.chars().count()).unwrap_or(0);
            let rest = text[at..].char_indices().nth(cut).map_or(text.len(), |(i, _)| at + i);
            let edited = format!("{}{}{}", &text[..at], insert, &text[rest..]);
            let _ = run(name, &edited);
        }
    }
}
