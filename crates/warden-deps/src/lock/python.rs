//! Python (PyPI): Poetry's and uv's lockfiles, Pipenv's `Pipfile` and `Pipfile.lock`, `pyproject.toml` (PEP 621,
//! PEP 735, Poetry, uv) and pip requirements files, each read with its tool's own semantics.
//!
//! Lines: TOML files are read through `toml::de::DeTable`, which keeps the byte span of every key and value, so a
//! package's line is the line of what names it: the key in a table of dependencies, the string in a PEP 508 array,
//! the `name =` of a lockfile's `[[package]]`. `Pipfile.lock` is JSON: serde_json checks it and gives the line of
//! a syntax error, and a one-pass scanner finds where each package's key stands. Requirements files report the
//! first physical line of each logical line (pip joins `\` continuations), and a package brought in by `-r` or
//! `-c` reports the line of that option in the file that was asked for.
//!
//! PEP 508 is parsed by the small parser in [`pep508`] rather than the `pep508_rs` crate: that crate carries its
//! own PEP 440 version model, URL, regex and serde stacks, while warden needs only the name, the specifiers (as
//! written, and whether they pin one version), whether the marker is well formed, and the URL of a direct
//! reference. The grammar is short and fully covered by the tests below.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::{file_name, json, line_of, line_of_index, strip_credentials, Input, LockError};
use crate::{normalise_name, Ecosystem, Package, Source};

/// The packages of a Python lockfile or manifest, or `None` for a file name this module does not read.
pub fn parse(input: &Input) -> Option<Result<Vec<Package>, LockError>> {
    let kind = Kind::of(input.path)?;
    let result = match kind {
        Kind::PoetryLock => poetry_lock(input.text),
        Kind::UvLock => uv_lock(input.text),
        Kind::PipfileLock => pipfile_lock(input.text),
        Kind::Pipfile => pipfile(input.text),
        Kind::Pyproject => pyproject(input.text),
        Kind::Requirements => requirements(input),
    };
    Some(result.map(|mut packages| {
        packages.sort_by_key(|p| p.line);
        packages
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    PoetryLock,
    UvLock,
    PipfileLock,
    Pipfile,
    Pyproject,
    Requirements,
}

impl Kind {
    fn of(path: &str) -> Option<Kind> {
        Some(match file_name(path) {
            "poetry.lock" => Kind::PoetryLock,
            "uv.lock" => Kind::UvLock,
            "Pipfile.lock" => Kind::PipfileLock,
            "Pipfile" => Kind::Pipfile,
            "pyproject.toml" => Kind::Pyproject,
            _ if is_requirements_file(path) => Kind::Requirements,
            _ => return None,
        })
    }
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, any `.txt` in a `requirements/` directory,
/// `constraints*.txt`, and pip-tools' `requirements*.in` (the same format, before compiling).
fn is_requirements_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let dir = path.rsplit('/').nth(1).map(str::to_ascii_lowercase);
    let txt = name.ends_with(".txt");
    let dot_in = name.ends_with(".in");
    (txt && (name.contains("requirements") || name.starts_with("constraints")))
        || (dot_in && name.contains("requirements"))
        || ((txt || dot_in) && dir.as_deref() == Some("requirements"))
}

// ---------------------------------------------------------------------------------------------------------------
// URLs, indexes and references

/// Whether an index URL is PyPI's own (`https://pypi.org/simple`, the legacy `pypi.python.org`).
fn is_pypi(url: &str) -> bool {
    let url = strip_credentials(url.trim());
    let Some(scheme_end) = url.find("://") else {
        return false;
    };
    let rest = &url[scheme_end + 3..];
    let host = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    matches!(
        host.as_str(),
        "pypi.org" | "www.pypi.org" | "pypi.python.org"
    )
}

/// The source a package index stands for: PyPI's own is the default registry.
fn index_source(url: &str) -> Source {
    if is_pypi(url) {
        Source::Registry
    } else {
        Source::OtherRegistry {
            url: strip_credentials(url.trim()),
        }
    }
}

const VCS_PREFIXES: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];

fn is_vcs(reference: &str) -> bool {
    let lower = reference.to_ascii_lowercase();
    VCS_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Whether pip treats a requirement as a URL (`is_url`: a scheme it knows, VCS schemes included).
fn is_url(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https" | "file" | "ftp")
        || VCS_PREFIXES
            .iter()
            .any(|p| scheme.starts_with(p) && scheme.len() > p.len())
}

/// A VCS reference as pip writes it (`git+https://host/org/repo.git@v1.2#egg=name`): the repository URL, with
/// git's `git+` prefix dropped (git is what [`Source::Vcs`] assumes) and other systems' (`hg+`, `svn+`, `bzr+`)
/// kept, and the revision after the last `@` of the path.
fn split_vcs(reference: &str) -> (String, Option<String>) {
    let no_fragment = reference.split('#').next().unwrap_or(reference);
    let lower = no_fragment.to_ascii_lowercase();
    let (prefix, body) = if lower.starts_with("git+") {
        ("", &no_fragment[4..])
    } else {
        match VCS_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
            Some(p) => (&no_fragment[..p.len()], &no_fragment[p.len()..]),
            None => ("", no_fragment),
        }
    };
    let path_start = match body.find("://") {
        Some(i) => i + 3 + body[i + 3..].find('/').unwrap_or(body.len() - i - 3),
        // scp-like `git@host:org/repo.git`: the path follows the first `:`.
        None => body.find(':').map_or(0, |i| i + 1),
    };
    let (url, rev) = match body[path_start..].rfind('@') {
        Some(at) => {
            let at = path_start + at;
            (&body[..at], Some(body[at + 1..].to_string()))
        }
        None => (body, None),
    };
    (
        strip_credentials(&format!("{prefix}{url}")),
        rev.filter(|r| !r.is_empty()),
    )
}

/// Where a URL or path reference points (a PEP 508 `@ url`, a bare link in a requirements file).
fn reference_source(reference: &str) -> Source {
    let reference = reference.trim();
    let lower = reference.to_ascii_lowercase();
    if is_vcs(reference) {
        let (url, rev) = split_vcs(reference);
        Source::Vcs { url, rev }
    } else if lower.starts_with("file:") {
        let path = reference[5..].split('#').next().unwrap_or("");
        let path = match path.strip_prefix("//") {
            Some(p)
                if p.get(..9)
                    .is_some_and(|h| h.eq_ignore_ascii_case("localhost")) =>
            {
                &p[9..]
            }
            Some(p) => p,
            None => path,
        };
        Source::Path {
            path: path.to_string(),
        }
    } else if lower.contains("://") {
        Source::Url {
            url: strip_credentials(reference.split('#').next().unwrap_or(reference)),
        }
    } else {
        Source::Path {
            path: reference.to_string(),
        }
    }
}

const ARCHIVE_SUFFIXES: [&str; 9] = [
    ".whl", ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".txz", ".zip", ".tar",
];

fn is_archive(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|x| lower.ends_with(x))
}

/// Name and version from a wheel (`name-1.0-py3-none-any.whl`) or sdist (`name-1.0.tar.gz`) file name.
fn dist_filename(file: &str) -> Option<(&str, &str)> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        let parts: Vec<&str> = file[..file.len() - 4].split('-').collect();
        return ((parts.len() == 5 || parts.len() == 6)
            && !parts[0].is_empty()
            && !parts[1].is_empty())
        .then(|| (parts[0], parts[1]));
    }
    let suffix = ARCHIVE_SUFFIXES[1..].iter().find(|x| lower.ends_with(*x))?;
    let stem = &file[..file.len() - suffix.len()];
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then_some((name, version))
}

/// `name[extra1,extra2]` → `name`.
fn strip_extras(s: &str) -> &str {
    let s = s.trim();
    match s.strip_suffix(']').and_then(|t| t.rfind('[')) {
        Some(open) => s[..open].trim_end(),
        None => s,
    }
}

/// The name (and version, from a distribution file name) pip gives a bare link: the `#egg=` fragment, else the
/// wheel or sdist file name, else the last path segment (a repository or directory name). `None` for `.` and
/// `..`: the project itself, not a dependency.
fn link_name(reference: &str) -> Option<(String, Option<String>)> {
    let (before, fragment) = match reference.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (reference, None),
    };
    if let Some(egg) = fragment.and_then(|f| f.split('&').find_map(|kv| kv.strip_prefix("egg="))) {
        let egg = strip_extras(egg);
        if !egg.is_empty() {
            return Some((egg.to_string(), None));
        }
    }
    let path = before
        .split('?')
        .next()
        .unwrap_or(before)
        .trim_end_matches(['/', '\\']);
    let mut segment = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if is_vcs(reference) {
        segment = segment.split('@').next().unwrap_or(segment);
    }
    if let Some((name, version)) = dist_filename(segment) {
        return Some((name.to_string(), Some(version.to_string())));
    }
    let segment = segment.strip_suffix(".git").unwrap_or(segment);
    let segment = strip_extras(segment);
    if segment.is_empty() || segment == "." || segment == ".." || segment.contains(':') {
        return None;
    }
    Some((segment.to_string(), None))
}

/// The version a direct reference's file name states, when the file is a distribution of that very package.
fn reference_version(name: &str, reference: &str) -> Option<String> {
    if is_vcs(reference) {
        return None;
    }
    let path = reference.split(['#', '?']).next().unwrap_or(reference);
    let file = path.rsplit('/').next().unwrap_or(path);
    let (n, v) = dist_filename(file)?;
    (normalise_name(Ecosystem::PyPI, n) == normalise_name(Ecosystem::PyPI, name))
        .then(|| v.to_string())
}

// ---------------------------------------------------------------------------------------------------------------
// TOML helpers

type TomlValue<'i> = Spanned<DeValue<'i>>;

fn parse_toml(text: &str) -> Result<Spanned<DeTable<'_>>, LockError> {
    DeTable::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        LockError::new(line, format!("invalid TOML: {}", e.message()))
    })
}

fn span_line(text: &str, span: Range<usize>) -> u32 {
    line_of(text, span.start)
}

fn type_error(text: &str, v: &TomlValue, what: &str, expected: &str) -> LockError {
    LockError::new(
        span_line(text, v.span()),
        format!(
            "{what}: expected {expected}, found {}",
            v.get_ref().type_str()
        ),
    )
}

fn want_str<'a>(text: &str, v: &'a TomlValue<'_>, what: &str) -> Result<&'a str, LockError> {
    v.get_ref()
        .as_str()
        .ok_or_else(|| type_error(text, v, what, "a string"))
}

fn want_table<'a, 'i>(
    text: &str,
    v: &'a TomlValue<'i>,
    what: &str,
) -> Result<&'a DeTable<'i>, LockError> {
    v.get_ref()
        .as_table()
        .ok_or_else(|| type_error(text, v, what, "a table"))
}

fn want_array<'a, 'i>(
    text: &str,
    v: &'a TomlValue<'i>,
    what: &str,
) -> Result<&'a DeArray<'i>, LockError> {
    v.get_ref()
        .as_array()
        .ok_or_else(|| type_error(text, v, what, "an array"))
}

fn opt_str<'a>(text: &str, t: &'a DeTable<'_>, key: &str) -> Result<Option<&'a str>, LockError> {
    t.get(key).map(|v| want_str(text, v, key)).transpose()
}

fn opt_table<'a, 'i>(
    text: &str,
    t: &'a DeTable<'i>,
    key: &str,
) -> Result<Option<&'a DeTable<'i>>, LockError> {
    t.get(key).map(|v| want_table(text, v, key)).transpose()
}

fn opt_array<'a, 'i>(
    text: &str,
    t: &'a DeTable<'i>,
    key: &str,
) -> Result<Option<&'a DeArray<'i>>, LockError> {
    t.get(key).map(|v| want_array(text, v, key)).transpose()
}

fn opt_bool(t: &DeTable<'_>, key: &str) -> bool {
    t.get(key)
        .and_then(|v| v.get_ref().as_bool())
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------------------------
// poetry.lock

/// `poetry.lock`: every `[[package]]` with its exact version. Poetry 1.x marks dev packages `category = "dev"`;
/// Poetry 2 lists the dependency `groups` a package serves (dev when `main` is not among them); lock format 2.0
/// (Poetry 1.5–1.8) records neither, so those packages read as not dev. The lock does not say which packages the
/// project names itself: all are `direct = false`, and the analyzer joins with `pyproject.toml`.
fn poetry_lock(text: &str) -> Result<Vec<Package>, LockError> {
    let doc = parse_toml(text)?;
    let root = doc.get_ref();
    let mut out = Vec::new();
    let Some(entries) = opt_array(text, root, "package")? else {
        return Ok(out);
    };
    for entry in entries.iter() {
        let t = want_table(text, entry, "[[package]]")?;
        let (name, line) = named(text, t, entry)?;
        let source = match opt_table(text, t, "source")? {
            Some(s) => poetry_lock_source(text, s, entry)?,
            None => Source::Registry,
        };
        let mut p = Package::new(Ecosystem::PyPI, name, line, source);
        p.version = opt_str(text, t, "version")?.map(str::to_string);
        let category_dev = opt_str(text, t, "category")? == Some("dev");
        let groups_dev = match opt_array(text, t, "groups")? {
            Some(groups) => {
                let mut names = Vec::new();
                for g in groups.iter() {
                    names.push(want_str(text, g, "groups")?);
                }
                !names.is_empty() && !names.contains(&"main")
            }
            None => false,
        };
        p.dev = category_dev || groups_dev;
        out.push(p);
    }
    Ok(out)
}

/// A table's `name` and the line it stands on; an error at the table's own line when it has none.
fn named<'a>(
    text: &str,
    t: &'a DeTable<'_>,
    table: &TomlValue<'_>,
) -> Result<(&'a str, u32), LockError> {
    match t.get_key_value("name") {
        Some((k, v)) => {
            let name = want_str(text, v, "name")?;
            if name.trim().is_empty() {
                return Err(LockError::new(
                    span_line(text, v.span()),
                    "empty package name",
                ));
            }
            Ok((name, span_line(text, k.span())))
        }
        None => Err(LockError::new(
            span_line(text, table.span()),
            "package without a name",
        )),
    }
}

fn poetry_lock_source(
    text: &str,
    s: &DeTable<'_>,
    entry: &TomlValue<'_>,
) -> Result<Source, LockError> {
    let kind = opt_str(text, s, "type")?.unwrap_or("");
    let url = opt_str(text, s, "url")?.unwrap_or("");
    let missing = || {
        LockError::new(
            span_line(text, entry.span()),
            format!("source of type {kind:?} without a url"),
        )
    };
    Ok(match kind {
        "git" | "hg" | "svn" | "bzr" => {
            if url.is_empty() {
                return Err(missing());
            }
            let rev = opt_str(text, s, "resolved_reference")?
                .or(opt_str(text, s, "reference")?)
                .filter(|r| !r.is_empty())
                .map(str::to_string);
            let url = if kind == "git" {
                strip_credentials(url)
            } else {
                strip_credentials(&format!("{kind}+{url}"))
            };
            Source::Vcs { url, rev }
        }
        "url" => {
            if url.is_empty() {
                return Err(missing());
            }
            Source::Url {
                url: strip_credentials(url),
            }
        }
        "file" | "directory" => Source::Path {
            path: url.to_string(),
        },
        // `legacy` is a PEP 503 index other than PyPI (Poetry's name for any simple repository).
        _ if !url.is_empty() => index_source(url),
        _ => Source::Registry,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// uv.lock

/// A dependency edge of `uv.lock`: `{ name = "…", version = "…"?, extra = ["…"]? }`.
struct UvRef {
    name: String,
    version: Option<String>,
    extras: Vec<String>,
}

struct UvPackage {
    name: String,
    line: u32,
    version: Option<String>,
    source: Source,
    root: bool,
    dependencies: Vec<UvRef>,
    optional: HashMap<String, Vec<UvRef>>,
    dev: Vec<UvRef>,
}

/// `uv.lock`: every `[[package]]` but the project's own. The project (and each workspace member) is the package
/// whose source is `editable`/`virtual` at `.`, or is named in `[manifest] members`; its `dependencies`,
/// `optional-dependencies` and `dev-dependencies` (PEP 735 groups and uv's legacy `dev`) name the direct
/// dependencies, as do `[manifest] requirements` and `dependency-groups` of a project without `[project]`.
/// `dev` follows the graph: a package reachable only from dependency groups is dev.
fn uv_lock(text: &str) -> Result<Vec<Package>, LockError> {
    let doc = parse_toml(text)?;
    let root = doc.get_ref();
    let manifest = opt_table(text, root, "manifest")?;
    let mut members = HashSet::new();
    let mut manifest_prod = Vec::new();
    let mut manifest_dev = Vec::new();
    if let Some(m) = manifest {
        if let Some(list) = opt_array(text, m, "members")? {
            for v in list.iter() {
                members.insert(normalise_name(
                    Ecosystem::PyPI,
                    want_str(text, v, "members")?,
                ));
            }
        }
        if let Some(list) = m.get("requirements") {
            manifest_prod = uv_refs(text, list)?;
        }
        if let Some(groups) = opt_table(text, m, "dependency-groups")? {
            for (_, list) in groups.iter() {
                manifest_dev.extend(uv_refs(text, list)?);
            }
        }
    }
    let mut packages = Vec::new();
    if let Some(entries) = opt_array(text, root, "package")? {
        for entry in entries.iter() {
            packages.push(uv_package(text, entry, &members)?);
        }
    }

    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name
            .entry(normalise_name(Ecosystem::PyPI, &p.name))
            .or_default()
            .push(i);
    }
    let mut direct_prod = manifest_prod;
    let mut direct_dev = manifest_dev;
    for p in packages.iter().filter(|p| p.root) {
        direct_prod.extend(p.dependencies.iter().map(UvRef::clone_ref));
        for refs in p.optional.values() {
            direct_prod.extend(refs.iter().map(UvRef::clone_ref));
        }
        direct_dev.extend(p.dev.iter().map(UvRef::clone_ref));
    }
    let targets = |r: &UvRef| -> Vec<usize> {
        by_name
            .get(&normalise_name(Ecosystem::PyPI, &r.name))
            .map(|ix| {
                ix.iter()
                    .copied()
                    .filter(|&i| r.version.is_none() || packages[i].version == r.version)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut direct = vec![false; packages.len()];
    for r in direct_prod.iter().chain(direct_dev.iter()) {
        for i in targets(r) {
            direct[i] = true;
        }
    }
    let reach = |start: &[UvRef]| -> Vec<bool> {
        let mut seen = vec![false; packages.len()];
        let mut extras_done: HashSet<(usize, String)> = HashSet::new();
        let mut queue: VecDeque<&UvRef> = start.iter().collect();
        while let Some(r) = queue.pop_front() {
            for i in targets(r) {
                let p = &packages[i];
                if p.root {
                    continue;
                }
                if !seen[i] {
                    seen[i] = true;
                    queue.extend(p.dependencies.iter());
                }
                for extra in &r.extras {
                    if extras_done.insert((i, extra.clone())) {
                        if let Some(refs) = p.optional.get(extra) {
                            queue.extend(refs.iter());
                        }
                    }
                }
            }
        }
        seen
    };
    let prod = reach(&direct_prod);
    let dev = reach(&direct_dev);

    Ok(packages
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.root)
        .map(|(i, p)| {
            let mut out = Package::new(Ecosystem::PyPI, &p.name, p.line, p.source);
            out.version = p.version;
            out.direct = direct[i];
            out.dev = dev[i] && !prod[i];
            out
        })
        .collect())
}

impl UvRef {
    fn clone_ref(&self) -> UvRef {
        UvRef {
            name: self.name.clone(),
            version: self.version.clone(),
            extras: self.extras.clone(),
        }
    }
}

fn uv_refs(text: &str, list: &TomlValue<'_>) -> Result<Vec<UvRef>, LockError> {
    let mut out = Vec::new();
    for item in want_array(text, list, "dependencies")?.iter() {
        let t = want_table(text, item, "dependency")?;
        let name = match t.get("name") {
            Some(v) => want_str(text, v, "name")?,
            None => {
                return Err(LockError::new(
                    span_line(text, item.span()),
                    "dependency without a name",
                ))
            }
        };
        let mut extras = Vec::new();
        if let Some(list) = opt_array(text, t, "extra")? {
            for e in list.iter() {
                extras.push(want_str(text, e, "extra")?.to_string());
            }
        }
        out.push(UvRef {
            name: name.to_string(),
            version: opt_str(text, t, "version")?.map(str::to_string),
            extras,
        });
    }
    Ok(out)
}

fn uv_package(
    text: &str,
    entry: &TomlValue<'_>,
    members: &HashSet<String>,
) -> Result<UvPackage, LockError> {
    let t = want_table(text, entry, "[[package]]")?;
    let (name, line) = named(text, t, entry)?;
    let mut root = members.contains(&normalise_name(Ecosystem::PyPI, name));
    let source = match opt_table(text, t, "source")? {
        None => Source::Registry,
        Some(s) => {
            let (kind, value) = match s.iter().next() {
                Some((k, v)) => (k.get_ref().as_ref(), want_str(text, v, "source")?),
                None => {
                    return Err(LockError::new(
                        span_line(text, entry.span()),
                        "empty package source",
                    ))
                }
            };
            match kind {
                "registry" => index_source(value),
                "git" => {
                    let (base, commit) = match value.split_once('#') {
                        Some((b, c)) => (b, Some(c)),
                        None => (value, None),
                    };
                    let (url, query) = match base.split_once('?') {
                        Some((u, q)) => (u, Some(q)),
                        None => (base, None),
                    };
                    let asked = query.and_then(|q| {
                        q.split('&').find_map(|kv| {
                            let (k, v) = kv.split_once('=')?;
                            matches!(k, "rev" | "tag" | "branch").then_some(v)
                        })
                    });
                    let rev = commit
                        .filter(|c| !c.is_empty())
                        .or(asked)
                        .map(str::to_string);
                    Source::Vcs {
                        url: strip_credentials(url),
                        rev,
                    }
                }
                "url" => Source::Url {
                    url: strip_credentials(value),
                },
                "path" | "directory" => Source::Path {
                    path: value.to_string(),
                },
                "editable" | "virtual" => {
                    if members.is_empty() && value == "." {
                        root = true;
                    }
                    Source::Path {
                        path: value.to_string(),
                    }
                }
                other => {
                    return Err(LockError::new(
                        span_line(text, entry.span()),
                        format!("unknown package source kind {other:?}"),
                    ))
                }
            }
        }
    };
    let dependencies = match t.get("dependencies") {
        Some(v) => uv_refs(text, v)?,
        None => Vec::new(),
    };
    let mut optional = HashMap::new();
    if let Some(groups) = opt_table(text, t, "optional-dependencies")? {
        for (k, v) in groups.iter() {
            optional.insert(k.get_ref().to_string(), uv_refs(text, v)?);
        }
    }
    let mut dev = Vec::new();
    if let Some(groups) = opt_table(text, t, "dev-dependencies")? {
        for (_, v) in groups.iter() {
            dev.extend(uv_refs(text, v)?);
        }
    }
    Ok(UvPackage {
        name: name.to_string(),
        line,
        version: opt_str(text, t, "version")?.map(str::to_string),
        source,
        root,
        dependencies,
        optional,
        dev,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Pipfile.lock

/// `Pipfile.lock`: `default` (what the project runs with), `develop` and any custom Pipenv category (not installed
/// by a plain `pipenv install`, so dev). Versions are locked as `==1.2.3`. The lock flattens what the Pipfile
/// names and what it pulls in, so every entry is `direct = false`. `index` names one of `_meta.sources`; `git`
/// (with `ref`), `file` and `path` entries come from there instead.
fn pipfile_lock(text: &str) -> Result<Vec<Package>, LockError> {
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| LockError::new(e.line().max(1) as u32, format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(root) = &doc else {
        return Err(LockError::new(1, "Pipfile.lock is not a JSON object"));
    };
    let lines = JsonLines::new(text);
    let mut indexes = Vec::new();
    if let Some(sources) = root
        .get("_meta")
        .and_then(|m| m.get("sources"))
        .and_then(|s| s.as_array())
    {
        for s in sources {
            if let (Some(name), Some(url)) = (
                s.get("name").and_then(|v| v.as_str()),
                s.get("url").and_then(|v| v.as_str()),
            ) {
                indexes.push((name.to_string(), url.to_string()));
            }
        }
    }
    let default_index = indexes
        .first()
        .map_or(Source::Registry, |(_, url)| index_source(url));
    let mut out = Vec::new();
    for (section, entries) in root {
        if section == "_meta" {
            continue;
        }
        let serde_json::Value::Object(entries) = entries else {
            if section == "default" || section == "develop" {
                return Err(LockError::new(
                    lines.section(section),
                    format!("{section:?} is not an object"),
                ));
            }
            continue;
        };
        for (name, entry) in entries {
            let line = lines.entry(section, name);
            let serde_json::Value::Object(e) = entry else {
                return Err(LockError::new(
                    line,
                    format!("entry {name:?} is not an object"),
                ));
            };
            let field = |key: &str| -> Result<Option<&str>, LockError> {
                match e.get(key) {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
                    Some(_) => Err(LockError::new(
                        line,
                        format!("{name:?}: {key} is not a string"),
                    )),
                }
            };
            let vcs = ["git", "hg", "svn", "bzr"]
                .into_iter()
                .find_map(|k| Some((k, e.get(k)?.as_str()?)));
            let source = if let Some((kind, url)) = vcs {
                let url = if kind == "git" {
                    url.to_string()
                } else {
                    format!("{kind}+{url}")
                };
                Source::Vcs {
                    url: strip_credentials(&url),
                    rev: field("ref")?.map(str::to_string),
                }
            } else if let Some(file) = field("file")? {
                reference_source(file)
            } else if let Some(path) = field("path")? {
                Source::Path {
                    path: path.to_string(),
                }
            } else if let Some(index) = field("index")? {
                match indexes.iter().find(|(n, _)| n == index) {
                    Some((_, url)) => index_source(url),
                    None if index.eq_ignore_ascii_case("pypi") => Source::Registry,
                    None => Source::OtherRegistry {
                        url: index.to_string(),
                    },
                }
            } else {
                default_index.clone()
            };
            let mut p = Package::new(Ecosystem::PyPI, name, line, source);
            p.version = field("version")?.map(|v| {
                let v = v.trim();
                v.strip_prefix("===")
                    .or_else(|| v.strip_prefix("=="))
                    .unwrap_or(v)
                    .trim()
                    .to_string()
            });
            p.dev = section != "default";
            out.push(p);
        }
    }
    Ok(out)
}

/// Where the keys of a JSON document's first two levels stand, read by the position-aware parser (serde_json
/// keeps no positions). Where a key repeats, the last one wins, as it does in serde_json's map; a key not
/// found stands on its section's line, a section not found on line 1.
struct JsonLines<'a> {
    root: Option<json::Node<'a>>,
}

impl<'a> JsonLines<'a> {
    fn new(text: &'a str) -> Self {
        JsonLines {
            root: json::parse(text).ok(),
        }
    }

    fn member(&self, section: &str) -> Option<&json::Member<'a>> {
        self.root.as_ref()?.member(section)
    }

    fn section(&self, section: &str) -> u32 {
        self.member(section).map_or(1, |m| m.line)
    }

    fn entry(&self, section: &str, key: &str) -> u32 {
        match self.member(section) {
            Some(s) => s.value.member(key).map_or(s.line, |m| m.line),
            None => 1,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Package indexes named in manifests (Pipfile sources, Poetry sources, uv indexes)

/// The indexes a manifest names and the one a package without an explicit index comes from.
struct Indexes {
    named: Vec<(String, String)>,
    default: Source,
}

impl Indexes {
    fn pypi() -> Indexes {
        Indexes {
            named: Vec::new(),
            default: Source::Registry,
        }
    }

    /// The source of a package pinned to the index called `name`. An index defined outside this file (uv's
    /// `uv.toml`, Poetry's user config) is reported by its name.
    fn by_name(&self, name: &str) -> Source {
        match self
            .named
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, url)) => index_source(url),
            None if name.eq_ignore_ascii_case("pypi") => Source::Registry,
            None => Source::OtherRegistry {
                url: name.to_string(),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Pipfile

/// `Pipfile`: `[packages]`, `[dev-packages]` and custom Pipenv categories (dev: not installed by default), each
/// `name = "specifier"` (`"*"` for any version; a bare version is exact) or a table with `version`, `git` and
/// `ref`, `path`, `file`, `index`. All direct. The first `[[source]]` is the default index.
fn pipfile(text: &str) -> Result<Vec<Package>, LockError> {
    let doc = parse_toml(text)?;
    let root = doc.get_ref();
    let mut ix = Indexes::pypi();
    if let Some(sources) = opt_array(text, root, "source")? {
        for s in sources.iter() {
            let t = want_table(text, s, "[[source]]")?;
            let url = opt_str(text, t, "url")?.unwrap_or("");
            let name = opt_str(text, t, "name")?.unwrap_or("");
            if ix.named.is_empty() && !url.is_empty() {
                ix.default = index_source(url);
            }
            ix.named.push((name.to_string(), url.to_string()));
        }
    }
    let mut out = Vec::new();
    for (section, v) in root.iter() {
        let section = section.get_ref().as_ref();
        if matches!(section, "source" | "requires" | "pipenv" | "scripts") {
            continue;
        }
        let Some(table) = v.get_ref().as_table() else {
            continue;
        };
        let dev = section != "packages";
        for (k, spec) in table.iter() {
            let name = k.get_ref().as_ref();
            let line = span_line(text, k.span());
            let mut p = pipfile_entry(text, &ix, name, line, spec)?;
            p.direct = true;
            p.dev = dev;
            out.push(p);
        }
    }
    Ok(out)
}

fn pipfile_entry(
    text: &str,
    ix: &Indexes,
    name: &str,
    line: u32,
    spec: &TomlValue<'_>,
) -> Result<Package, LockError> {
    let version_of = |s: &str,
                      at: &TomlValue<'_>|
     -> Result<(Option<String>, Option<String>), LockError> {
        let s = s.trim();
        if s == "*" || s.is_empty() {
            return Ok((None, Some("*".to_string())));
        }
        if s.starts_with(|c: char| c.is_ascii_digit()) {
            // Pipenv reads a bare version as `==version`.
            pep508::parse_specifiers(&format!("=={s}"))
                .map_err(|m| LockError::new(span_line(text, at.span()), format!("{name}: {m}")))?;
            return Ok((Some(s.to_string()), Some(s.to_string())));
        }
        let specs = pep508::parse_specifiers(s)
            .map_err(|m| LockError::new(span_line(text, at.span()), format!("{name}: {m}")))?;
        Ok((
            pep508::pinned(&specs).map(str::to_string),
            pep508::join(&specs),
        ))
    };
    match spec.get_ref() {
        DeValue::String(s) => {
            let (version, requirement) = version_of(s, spec)?;
            let mut p = Package::new(Ecosystem::PyPI, name, line, ix.default.clone());
            p.version = version;
            p.requirement = requirement;
            Ok(p)
        }
        DeValue::Table(t) => {
            let vcs = ["git", "hg", "svn", "bzr"]
                .into_iter()
                .find_map(|k| Some((k, t.get(k)?)));
            let source = if let Some((kind, v)) = vcs {
                let url = want_str(text, v, kind)?;
                let url = if kind == "git" {
                    url.to_string()
                } else {
                    format!("{kind}+{url}")
                };
                Source::Vcs {
                    url: strip_credentials(&url),
                    rev: opt_str(text, t, "ref")?.map(str::to_string),
                }
            } else if let Some(file) = opt_str(text, t, "file")? {
                reference_source(file)
            } else if let Some(path) = opt_str(text, t, "path")? {
                Source::Path {
                    path: path.to_string(),
                }
            } else if let Some(index) = opt_str(text, t, "index")? {
                ix.by_name(index)
            } else {
                ix.default.clone()
            };
            let mut p = Package::new(Ecosystem::PyPI, name, line, source);
            if let Some(v) = t.get("version") {
                let (version, requirement) = version_of(want_str(text, v, "version")?, v)?;
                p.version = version;
                p.requirement = requirement;
            }
            Ok(p)
        }
        _ => Err(type_error(text, spec, name, "a version string or a table")),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// pyproject.toml

/// A manifest entry, and whether it says where the package comes from (a URL, a uv source, a Poetry table with
/// `git`/`url`/`path`/`source`): Poetry 2 lets `[tool.poetry.dependencies]` add that to a `[project]` entry.
struct Declared {
    package: Package,
    explicit_source: bool,
}

/// `pyproject.toml`: PEP 621 `[project] dependencies` and `optional-dependencies` (extras: not dev), PEP 735
/// `[dependency-groups]` and uv's legacy `[tool.uv] dev-dependencies` (dev), Poetry's
/// `[tool.poetry.dependencies]` (without `python`), `[tool.poetry.dev-dependencies]` and
/// `[tool.poetry.group.<g>.dependencies]` (dev but for `main`). All direct. `version` is set only for an exact
/// pin (`==1.2.3`, `===1.2.3`, and Poetry's bare `1.2.3`); `requirement` keeps the constraint as written.
/// Sources: PEP 508 URLs, `[tool.uv.sources]` with `[[tool.uv.index]]`, and Poetry's tables with
/// `[[tool.poetry.source]]` (a primary source replaces PyPI for packages without one).
fn pyproject(text: &str) -> Result<Vec<Package>, LockError> {
    let doc = parse_toml(text)?;
    let root = doc.get_ref();
    let project = opt_table(text, root, "project")?;
    let tool = opt_table(text, root, "tool")?;
    let uv = match tool {
        Some(t) => opt_table(text, t, "uv")?,
        None => None,
    };
    let poetry = match tool {
        Some(t) => opt_table(text, t, "poetry")?,
        None => None,
    };
    let uv_ix = match uv {
        Some(uv) => uv_indexes(text, uv)?,
        None => Indexes::pypi(),
    };
    let poetry_ix = match poetry {
        Some(p) => poetry_sources(text, p)?,
        None => Indexes::pypi(),
    };
    let pep_default = if uv_ix.named.is_empty() && uv_ix.default == Source::Registry {
        poetry_ix.default.clone()
    } else {
        uv_ix.default.clone()
    };
    let uv_sources = match uv
        .map(|u| opt_table(text, u, "sources"))
        .transpose()?
        .flatten()
    {
        Some(s) => uv_sources(text, s, &uv_ix)?,
        None => HashMap::new(),
    };
    let self_name = match project {
        Some(p) => opt_str(text, p, "name")?.map(|n| normalise_name(Ecosystem::PyPI, n)),
        None => None,
    };
    let ctx = PepCtx {
        text,
        default: &pep_default,
        uv_sources: &uv_sources,
        self_name: self_name.as_deref(),
    };

    let mut declared: Vec<Declared> = Vec::new();
    if let Some(p) = project {
        if let Some(deps) = p.get("dependencies") {
            ctx.list(deps, false, &mut declared)?;
        }
        if let Some(extras) = opt_table(text, p, "optional-dependencies")? {
            for (_, list) in extras.iter() {
                ctx.list(list, false, &mut declared)?;
            }
        }
    }
    if let Some(groups) = opt_table(text, root, "dependency-groups")? {
        for (_, list) in groups.iter() {
            ctx.list(list, true, &mut declared)?;
        }
    }
    if let Some(list) = uv.and_then(|u| u.get("dev-dependencies")) {
        ctx.list(list, true, &mut declared)?;
    }
    if let Some(poetry) = poetry {
        let mut tables: Vec<(&DeTable, bool)> = Vec::new();
        if let Some(t) = opt_table(text, poetry, "dependencies")? {
            tables.push((t, false));
        }
        if let Some(t) = opt_table(text, poetry, "dev-dependencies")? {
            tables.push((t, true));
        }
        if let Some(groups) = opt_table(text, poetry, "group")? {
            for (g, v) in groups.iter() {
                let group = want_table(text, v, "group")?;
                if let Some(t) = opt_table(text, group, "dependencies")? {
                    tables.push((t, g.get_ref() != "main"));
                }
            }
        }
        for (table, dev) in tables {
            for (k, v) in table.iter() {
                let name = k.get_ref().as_ref();
                if name.eq_ignore_ascii_case("python") {
                    continue;
                }
                let line = span_line(text, k.span());
                for d in poetry_dependency(text, &poetry_ix, name, line, v, dev)? {
                    merge_poetry(&mut declared, d);
                }
            }
        }
    }
    Ok(declared.into_iter().map(|d| d.package).collect())
}

/// A Poetry entry for a package `[project]` or `[dependency-groups]` already declares (Poetry 2's enrichment)
/// lends it its source instead of standing as a second package.
fn merge_poetry(declared: &mut Vec<Declared>, d: Declared) {
    let key = normalise_name(Ecosystem::PyPI, &d.package.name);
    let mut matched = false;
    for e in declared.iter_mut().filter(|e| {
        e.package.line != d.package.line
            && e.package.dev == d.package.dev
            && normalise_name(Ecosystem::PyPI, &e.package.name) == key
    }) {
        matched = true;
        if d.explicit_source && !e.explicit_source {
            e.package.source = d.package.source.clone();
            e.explicit_source = true;
        }
    }
    if !matched {
        declared.push(d);
    }
}

struct PepCtx<'a> {
    text: &'a str,
    default: &'a Source,
    uv_sources: &'a HashMap<String, Source>,
    self_name: Option<&'a str>,
}

impl PepCtx<'_> {
    /// An array of PEP 508 strings (PEP 735 groups may also hold `{ include-group = "…" }`, whose packages the
    /// included group lists itself). A project naming itself (`myproject[extra]`) is not a dependency.
    fn list(
        &self,
        list: &TomlValue<'_>,
        dev: bool,
        out: &mut Vec<Declared>,
    ) -> Result<(), LockError> {
        for item in want_array(self.text, list, "dependencies")?.iter() {
            if let Some(t) = item.get_ref().as_table() {
                if t.get("include-group").is_some() {
                    continue;
                }
            }
            let s = want_str(self.text, item, "dependency")?;
            let line = span_line(self.text, item.span());
            let req = pep508::parse(s).map_err(|m| LockError::new(line, format!("{s:?}: {m}")))?;
            let key = normalise_name(Ecosystem::PyPI, req.name);
            if self.self_name == Some(key.as_str()) {
                continue;
            }
            let (source, explicit) = match (req.url, self.uv_sources.get(&key)) {
                (Some(url), _) => (reference_source(url), true),
                (None, Some(s)) => (s.clone(), true),
                (None, None) => (self.default.clone(), false),
            };
            let mut p = Package::new(Ecosystem::PyPI, req.name, line, source);
            p.version = req
                .pinned()
                .map(str::to_string)
                .or_else(|| req.url.and_then(|u| reference_version(req.name, u)));
            p.requirement = req.specifier_string();
            p.direct = true;
            p.dev = dev;
            out.push(Declared {
                package: p,
                explicit_source: explicit,
            });
        }
        Ok(())
    }
}

/// `[[tool.uv.index]]` (`default = true` replaces PyPI; an index not marked `explicit` is searched before PyPI
/// for every package) and the legacy `index-url` / `extra-index-url`.
fn uv_indexes(text: &str, uv: &DeTable<'_>) -> Result<Indexes, LockError> {
    let mut ix = Indexes::pypi();
    let mut replaced = None;
    let mut searched_first = None;
    if let Some(list) = opt_array(text, uv, "index")? {
        for v in list.iter() {
            let t = want_table(text, v, "[[tool.uv.index]]")?;
            let url = match t.get("url") {
                Some(u) => want_str(text, u, "url")?,
                None => {
                    return Err(LockError::new(
                        span_line(text, v.span()),
                        "index without a url",
                    ))
                }
            };
            if opt_bool(t, "default") && replaced.is_none() {
                replaced = Some(url.to_string());
            } else if !opt_bool(t, "explicit") && searched_first.is_none() {
                searched_first = Some(url.to_string());
            }
            if let Some(name) = opt_str(text, t, "name")? {
                ix.named.push((name.to_string(), url.to_string()));
            }
        }
    }
    if let Some(url) = opt_str(text, uv, "index-url")? {
        replaced.get_or_insert_with(|| url.to_string());
    }
    if let Some(list) = opt_array(text, uv, "extra-index-url")? {
        if let Some(first) = list.first() {
            let url = want_str(text, first, "extra-index-url")?;
            searched_first.get_or_insert_with(|| url.to_string());
        }
    }
    ix.default = match (searched_first, replaced) {
        (Some(url), _) | (None, Some(url)) => index_source(&url),
        (None, None) => Source::Registry,
    };
    Ok(ix)
}

/// `[tool.uv.sources]`: `{ git, rev|tag|branch }`, `{ url }`, `{ path }`, `{ index }`, `{ workspace = true }`
/// (a member of the same workspace, reported as the path `workspace:<name>`), or an array of them split by
/// markers (the first one is taken).
fn uv_sources(
    text: &str,
    sources: &DeTable<'_>,
    ix: &Indexes,
) -> Result<HashMap<String, Source>, LockError> {
    let mut out = HashMap::new();
    for (k, v) in sources.iter() {
        let name = k.get_ref().as_ref();
        let t = match v.get_ref() {
            DeValue::Array(a) => match a.first() {
                Some(first) => want_table(text, first, name)?,
                None => continue,
            },
            _ => want_table(text, v, name)?,
        };
        let source = if let Some(git) = opt_str(text, t, "git")? {
            let rev = match opt_str(text, t, "rev")? {
                Some(r) => Some(r),
                None => match opt_str(text, t, "tag")? {
                    Some(r) => Some(r),
                    None => opt_str(text, t, "branch")?,
                },
            };
            Source::Vcs {
                url: strip_credentials(git),
                rev: rev.map(str::to_string),
            }
        } else if let Some(url) = opt_str(text, t, "url")? {
            Source::Url {
                url: strip_credentials(url),
            }
        } else if let Some(path) = opt_str(text, t, "path")? {
            Source::Path {
                path: path.to_string(),
            }
        } else if let Some(index) = opt_str(text, t, "index")? {
            ix.by_name(index)
        } else if opt_bool(t, "workspace") {
            Source::Path {
                path: format!("workspace:{name}"),
            }
        } else {
            return Err(LockError::new(
                span_line(text, k.span()),
                format!("source for {name:?} names no git, url, path, index or workspace"),
            ));
        };
        out.insert(normalise_name(Ecosystem::PyPI, name), source);
    }
    Ok(out)
}

/// `[[tool.poetry.source]]`: a `default` source (deprecated) or else the first `primary` one (the priority a
/// source without one has) replaces the implicit PyPI; `supplemental` and `explicit` sources do not.
fn poetry_sources(text: &str, poetry: &DeTable<'_>) -> Result<Indexes, LockError> {
    let mut ix = Indexes::pypi();
    let mut default = None;
    let mut primary = None;
    if let Some(list) = opt_array(text, poetry, "source")? {
        for v in list.iter() {
            let t = want_table(text, v, "[[tool.poetry.source]]")?;
            let name = opt_str(text, t, "name")?.unwrap_or("");
            // PyPI may be listed by name alone.
            let url = opt_str(text, t, "url")?.unwrap_or(if name.eq_ignore_ascii_case("pypi") {
                "https://pypi.org/simple"
            } else {
                ""
            });
            let priority = match opt_str(text, t, "priority")? {
                Some(p) => p.to_ascii_lowercase(),
                None if opt_bool(t, "default") => "default".to_string(),
                None if opt_bool(t, "secondary") => "supplemental".to_string(),
                None => "primary".to_string(),
            };
            if priority == "default" && default.is_none() {
                default = Some(url.to_string());
            } else if priority == "primary" && primary.is_none() {
                primary = Some(url.to_string());
            }
            ix.named.push((name.to_string(), url.to_string()));
        }
    }
    ix.default = match default.or(primary) {
        Some(url) if !url.is_empty() => index_source(&url),
        _ => Source::Registry,
    };
    Ok(ix)
}

/// Poetry's exact constraint: `1.2.3`, `==1.2.3` or `=1.2.3` (not `^`, `~`, ranges, wildcards or unions).
fn poetry_exact(constraint: &str) -> Option<String> {
    let c = constraint.trim();
    let v = c
        .strip_prefix("==")
        .or_else(|| c.strip_prefix('='))
        .unwrap_or(c)
        .trim();
    let ok = v.starts_with(|ch: char| ch.is_ascii_digit())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+' | b'!'));
    ok.then(|| v.to_string())
}

/// One `[tool.poetry.*dependencies]` entry: `"^1.2"`, a table (`version`, `git` with `branch`/`tag`/`rev`, `url`,
/// `path`, `source`), or an array of tables (constraints split by Python version or platform), one package each.
fn poetry_dependency(
    text: &str,
    ix: &Indexes,
    name: &str,
    line: u32,
    v: &TomlValue<'_>,
    dev: bool,
) -> Result<Vec<Declared>, LockError> {
    let one = |v: &TomlValue<'_>| -> Result<Declared, LockError> {
        let (constraint, source, explicit) = match v.get_ref() {
            DeValue::String(s) => (Some(s.as_ref()), ix.default.clone(), false),
            DeValue::Table(t) => {
                let source = if let Some(git) = opt_str(text, t, "git")? {
                    let rev = ["rev", "tag", "branch"]
                        .into_iter()
                        .find_map(|k| t.get(k).and_then(|v| v.get_ref().as_str()));
                    Some(Source::Vcs {
                        url: strip_credentials(git),
                        rev: rev.map(str::to_string),
                    })
                } else if let Some(url) = opt_str(text, t, "url")? {
                    Some(Source::Url {
                        url: strip_credentials(url),
                    })
                } else if let Some(path) = opt_str(text, t, "path")? {
                    Some(Source::Path {
                        path: path.to_string(),
                    })
                } else {
                    opt_str(text, t, "source")?.map(|s| ix.by_name(s))
                };
                let explicit = source.is_some();
                (
                    opt_str(text, t, "version")?,
                    source.unwrap_or_else(|| ix.default.clone()),
                    explicit,
                )
            }
            _ => return Err(type_error(text, v, name, "a version string or a table")),
        };
        if constraint.is_some_and(|c| c.trim().is_empty()) {
            return Err(LockError::new(
                span_line(text, v.span()),
                format!("{name}: empty version constraint"),
            ));
        }
        let mut p = Package::new(Ecosystem::PyPI, name, line, source);
        p.version = constraint.and_then(poetry_exact);
        p.requirement = constraint.map(|c| c.trim().to_string());
        p.direct = true;
        p.dev = dev;
        Ok(Declared {
            package: p,
            explicit_source: explicit,
        })
    };
    match v.get_ref() {
        DeValue::Array(items) => items.iter().map(one).collect(),
        _ => Ok(vec![one(v)?]),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// requirements files

/// A requirements file serves development when its name says so: a word of the file name (split at `-`, `_`, `.`)
/// begins with `dev`, `test` or `lint` (`requirements-dev.txt`, `dev-requirements.txt`, `requirements/tests.txt`,
/// `requirements_lint.in`). pip knows no such thing; this is the convention projects follow, so it is a heuristic.
/// An entry takes the name of the file it is written in: `requirements-dev.txt` including `-r requirements.txt`
/// brings runtime packages, not dev ones.
fn dev_by_name(path: &str) -> bool {
    file_name(path)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.starts_with("dev") || w.starts_with("test") || w.starts_with("lint"))
}

/// pip's `-c` files only bound the versions of what something else requires.
fn is_constraints_name(path: &str) -> bool {
    file_name(path)
        .to_ascii_lowercase()
        .starts_with("constraints")
}

/// What one requirement line states; `source: None` is "from the package index", decided once the whole file
/// (and its includes) has been read, since pip's index options apply to the whole install wherever they stand.
struct Entry {
    name: String,
    version: Option<String>,
    requirement: Option<String>,
    source: Option<Source>,
}

/// The index options pip gathers from every file of one install: the last `--index-url` wins, `--extra-index-url`
/// and `--find-links` add up.
#[derive(Default)]
struct PipIndexes {
    index_url: Option<String>,
    extra: Vec<String>,
    find_links: Vec<String>,
    no_index: bool,
}

impl PipIndexes {
    /// Where a package from "the index" comes from. pip takes the best version across `--index-url` and every
    /// `--extra-index-url`, so a non-PyPI extra index can serve any package (the dependency-confusion setting):
    /// such a package is reported as from that index.
    fn source(&self) -> Source {
        if self.no_index {
            return self
                .find_links
                .first()
                .map_or(Source::Registry, |u| index_source(u));
        }
        if let Some(url) = self.index_url.as_deref().filter(|u| !is_pypi(u)) {
            return index_source(url);
        }
        match self.extra.iter().find(|u| !is_pypi(u)) {
            Some(url) => index_source(url),
            None => Source::Registry,
        }
    }
}

/// Files read per requirements file asked for, includes and their includes together.
const MAX_FILES: usize = 256;

struct Pip<'r> {
    read: &'r dyn Fn(&str) -> Option<String>,
    seen: HashSet<String>,
    indexes: PipIndexes,
    out: Vec<(Package, bool)>,
}

/// One file of the install: its path, text, the line of the `-r`/`-c` in the file asked for that brought it in,
/// and whether it is a constraints file.
struct PipFile<'a> {
    path: &'a str,
    text: &'a str,
    at: Option<u32>,
    constraint: bool,
}

/// pip's requirements file format: one requirement or option per logical line; `#` comments (at the start or
/// after whitespace); `\` continuations; `name==1.2.3` (or `===`) pins, other PEP 508 specifiers kept as the
/// requirement; `name @ url` direct references; bare URLs, VCS links (`git+https://…@rev#egg=name`), wheels and
/// local paths; `-e`/`--editable`; per-requirement options (`--hash=…`, `--config-settings`); `-r`/`--requirement`
/// and `-c`/`--constraint` includes read through `input.read`, relative to the including file, each file once (so
/// include cycles end); and the index options `-i`/`--index-url`, `--extra-index-url`, `--no-index`,
/// `-f`/`--find-links`. Every requirement is direct; constraints (from `constraints*.txt` or `-c`) are not.
fn requirements(input: &Input) -> Result<Vec<Package>, LockError> {
    let mut pip = Pip {
        read: input.read,
        seen: HashSet::from([normalise_path(input.path).unwrap_or_else(|| input.path.to_string())]),
        indexes: PipIndexes::default(),
        out: Vec::new(),
    };
    pip.file(&PipFile {
        path: input.path,
        text: input.text,
        at: None,
        constraint: is_constraints_name(input.path),
    })?;
    let index = pip.indexes.source();
    Ok(pip
        .out
        .into_iter()
        .map(|(mut p, from_index)| {
            if from_index {
                p.source = index.clone();
            }
            p
        })
        .collect())
}

/// `a/b/../c/./d` → `a/c/d`; `None` when it climbs above the root or is absolute.
fn normalise_path(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A path an include names, relative to the including file's directory.
fn resolve_include(from: &str, target: &str) -> Option<String> {
    let target = target.trim().replace('\\', "/");
    if target.is_empty() || is_url(&target) || target.starts_with('/') {
        return None;
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    if dir.is_empty() {
        normalise_path(&target)
    } else {
        normalise_path(&format!("{dir}/{target}"))
    }
}

/// pip's `join_lines`: a line ending in `\` continues on the next, unless it is a comment; the logical line keeps
/// the number of its first physical line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = 0u32;
    let mut open = false;
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let n = line_of_index(i);
        let comment = raw.trim_start().starts_with('#');
        if !raw.ends_with('\\') || comment {
            if open {
                if comment {
                    buf.push(' ');
                }
                buf.push_str(raw);
                out.push((start, std::mem::take(&mut buf)));
                open = false;
            } else {
                out.push((n, raw.to_string()));
            }
        } else {
            if !open {
                start = n;
                open = true;
            }
            buf.push_str(raw.trim_matches('\\'));
        }
    }
    if open {
        out.push((start, buf));
    }
    out
}

/// pip's comment rule: `#` at the start of the line or after whitespace begins a comment (`…#egg=` does not).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let cut = (0..b.len()).find(|&i| b[i] == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()));
    line[..cut.unwrap_or(line.len())].trim()
}

/// pip's `break_args_options`: words (split at single spaces) up to the first that starts with `-` are the
/// requirement, the rest are options.
fn split_args_options(line: &str) -> (&str, &str) {
    let mut pos = 0;
    for word in line.split(' ') {
        if word.starts_with('-') {
            return (line[..pos].trim(), &line[pos..]);
        }
        pos += word.len() + 1;
    }
    (line.trim(), "")
}

/// POSIX shell words, as `shlex.split` gives them to pip's option parser.
fn shell_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("no closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err("no closing quotation".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("no closing quotation".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PipOpt {
    Requirement,
    Constraint,
    Editable,
    IndexUrl,
    ExtraIndexUrl,
    FindLinks,
    NoIndex,
    /// Another option pip accepts in requirements files (`--hash`, `--pre`, `--trusted-host`, …); `true` when it
    /// takes a value.
    Other(bool),
}

fn pip_option(name: &str) -> PipOpt {
    match name {
        "-r" | "--requirement" => PipOpt::Requirement,
        "-c" | "--constraint" => PipOpt::Constraint,
        "-e" | "--editable" => PipOpt::Editable,
        "-i" | "--index-url" => PipOpt::IndexUrl,
        "--extra-index-url" => PipOpt::ExtraIndexUrl,
        "-f" | "--find-links" => PipOpt::FindLinks,
        "--no-index" => PipOpt::NoIndex,
        "--hash" | "--config-settings" | "--global-option" | "--install-option"
        | "--trusted-host" | "--only-binary" | "--no-binary" | "--use-feature" => {
            PipOpt::Other(true)
        }
        // Flags (`--pre`, `--prefer-binary`, `--require-hashes`) and options of newer pips: no value assumed.
        _ => PipOpt::Other(false),
    }
}

/// The options of one line with their values (`-r f`, `-rf`, `--requirement f`, `--requirement=f`).
fn pip_options(s: &str) -> Result<Vec<(PipOpt, String)>, String> {
    let words = shell_words(s)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if !w.starts_with('-') || w == "-" {
            continue;
        }
        let (name, attached) = if let Some(long) = w.strip_prefix("--") {
            match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (w.clone(), None),
            }
        } else if w.len() > 2 && w.is_char_boundary(2) {
            (w[..2].to_string(), Some(w[2..].to_string()))
        } else {
            (w.clone(), None)
        };
        let opt = pip_option(&name);
        match opt {
            PipOpt::NoIndex => {
                out.push((opt, String::new()));
                continue;
            }
            PipOpt::Other(false) => continue,
            _ => {}
        }
        let value = match attached {
            Some(v) => v,
            None => match words.get(i) {
                Some(v) => {
                    i += 1;
                    v.clone()
                }
                None => return Err(format!("option {name} needs a value")),
            },
        };
        out.push((opt, value));
    }
    Ok(out)
}

/// A bare link or path (pip's `Link`), named as [`link_name`] names it.
fn link_entry(reference: &str) -> Option<Entry> {
    let (name, version) = link_name(reference)?;
    Some(Entry {
        name,
        version,
        requirement: None,
        source: Some(reference_source(reference)),
    })
}

/// One requirement as pip reads it (`install_req_from_line`): a URL; a PEP 508 direct reference (`name @ url`); a
/// local path or archive (anything with a `/`, starting with `.`, or ending `.whl`/`.tar.gz`/…); else PEP 508.
fn pip_requirement(s: &str) -> Result<Option<Entry>, String> {
    if is_url(s) {
        let link = s.split("; ").next().unwrap_or(s).trim();
        return Ok(link_entry(link));
    }
    let head = s.split(';').next().unwrap_or(s).trim();
    let looks_like_path =
        head.contains(['/', '\\']) || head.starts_with('.') || is_archive(strip_extras(head));
    let parsed = pep508::parse(s);
    if let Ok(req) = &parsed {
        if req.url.is_some() || !looks_like_path {
            let source = req.url.map(reference_source);
            return Ok(Some(Entry {
                name: req.name.to_string(),
                version: req
                    .pinned()
                    .map(str::to_string)
                    .or_else(|| req.url.and_then(|u| reference_version(req.name, u))),
                requirement: req.specifier_string(),
                source,
            }));
        }
    }
    if looks_like_path {
        return Ok(link_entry(strip_extras(head)));
    }
    parsed.map(|_| None)
}

/// `-e` takes a local path or a VCS URL.
fn editable_entry(s: &str) -> Option<Entry> {
    let s = s.trim();
    if is_url(s) {
        link_entry(s)
    } else {
        link_entry(strip_extras(s))
    }
}

impl Pip<'_> {
    fn file(&mut self, f: &PipFile) -> Result<(), LockError> {
        let dev = dev_by_name(f.path);
        for (n, raw) in logical_lines(f.text) {
            let line = strip_comment(&raw);
            if line.is_empty() {
                continue;
            }
            let report = f.at.unwrap_or(n);
            let error = |msg: String| match f.at {
                None => LockError::new(n, msg),
                Some(at) => LockError::new(at, format!("{} line {n}: {msg}", f.path)),
            };
            let (args, opts) = split_args_options(line);
            let opts = pip_options(opts).map_err(&error)?;
            let mut entries = Vec::new();
            if !args.is_empty() {
                entries.extend(pip_requirement(args).map_err(|m| error(format!("{args:?}: {m}")))?);
            }
            for (opt, value) in opts {
                match opt {
                    PipOpt::Requirement | PipOpt::Constraint => {
                        self.include(f, &value, report, opt == PipOpt::Constraint)?;
                    }
                    PipOpt::Editable if args.is_empty() => entries.extend(editable_entry(&value)),
                    PipOpt::IndexUrl => self.indexes.index_url = Some(value),
                    PipOpt::ExtraIndexUrl => self.indexes.extra.push(value),
                    PipOpt::FindLinks => self.indexes.find_links.push(value),
                    PipOpt::NoIndex => self.indexes.no_index = true,
                    PipOpt::Editable | PipOpt::Other(_) => {}
                }
            }
            for e in entries {
                let from_index = e.source.is_none();
                let mut p = Package::new(
                    Ecosystem::PyPI,
                    &e.name,
                    report,
                    e.source.unwrap_or(Source::Registry),
                );
                p.version = e.version;
                p.requirement = e.requirement;
                p.direct = !f.constraint;
                p.dev = dev;
                self.out.push((p, from_index));
            }
        }
        Ok(())
    }

    /// `-r`/`-c`: the named file, once; one pip cannot open (a URL, outside the repository, unreadable) adds
    /// nothing. A `-r` inside a constraints file is a requirements file again, as in pip.
    fn include(
        &mut self,
        from: &PipFile,
        target: &str,
        at: u32,
        constraint: bool,
    ) -> Result<(), LockError> {
        let Some(path) = resolve_include(from.path, target) else {
            return Ok(());
        };
        if self.seen.len() >= MAX_FILES || !self.seen.insert(path.clone()) {
            return Ok(());
        }
        let Some(text) = (self.read)(&path) else {
            return Ok(());
        };
        self.file(&PipFile {
            path: &path,
            text: &text,
            at: Some(at),
            constraint,
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// PEP 508

mod pep508 {
    //! PEP 508 dependency specifiers: `name [extras] (specifiers | @ url) ; marker`, with PEP 440's comparison
    //! operators and PEP 508's marker grammar (the environment variables it names, `and`/`or`, parentheses,
    //! `in`/`not in`, quoted strings).

    /// What warden keeps of a requirement: extras and markers are checked, not kept (a package is a dependency
    /// whatever extras it is asked with and on whichever platform).
    pub struct Requirement<'a> {
        pub name: &'a str,
        pub specifiers: Vec<(&'a str, &'a str)>,
        pub url: Option<&'a str>,
    }

    impl Requirement<'_> {
        /// The specifiers as one PEP 440 string (`>=2.0,<3`), `None` when there are none.
        pub fn specifier_string(&self) -> Option<String> {
            join(&self.specifiers)
        }

        /// The version the specifiers pin, if they pin one (`==1.2.3`, `===1.2.3`; not `==1.2.*`).
        pub fn pinned(&self) -> Option<&str> {
            pinned(&self.specifiers)
        }
    }

    pub fn join(specs: &[(&str, &str)]) -> Option<String> {
        (!specs.is_empty()).then(|| {
            specs
                .iter()
                .map(|(op, v)| format!("{op}{v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    pub fn pinned<'a>(specs: &[(&'a str, &'a str)]) -> Option<&'a str> {
        specs
            .iter()
            .find(|(op, v)| *op == "===" || (*op == "==" && !v.contains('*')))
            .map(|(_, v)| *v)
    }

    const OPERATORS: [&str; 8] = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"];

    const MARKER_VARIABLES: [&str; 20] = [
        "python_version",
        "python_full_version",
        "os_name",
        "sys_platform",
        "platform_release",
        "platform_system",
        "platform_version",
        "platform_machine",
        "platform_python_implementation",
        "implementation_name",
        "implementation_version",
        "extra",
        // PEP 751's additions.
        "extras",
        "dependency_groups",
        // The dotted spellings of PEP 345, still accepted by `packaging`.
        "os.name",
        "sys.platform",
        "platform.version",
        "platform.machine",
        "platform.python_implementation",
        "python_implementation",
    ];

    struct Cursor<'a> {
        s: &'a str,
        i: usize,
    }

    impl<'a> Cursor<'a> {
        fn peek(&self) -> Option<u8> {
            self.s.as_bytes().get(self.i).copied()
        }

        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.i += 1;
            }
        }

        fn eat(&mut self, t: &str) -> bool {
            if self.s[self.i..].starts_with(t) {
                self.i += t.len();
                true
            } else {
                false
            }
        }

        /// Bytes while `f` holds; `f` must treat all non-ASCII bytes alike so the cut is a char boundary.
        fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
            let start = self.i;
            while self.peek().is_some_and(&f) {
                self.i += 1;
            }
            &self.s[start..self.i]
        }

        fn at_end(&self) -> bool {
            self.i >= self.s.len()
        }

        fn here(&self) -> String {
            let rest: String = self.s[self.i..].chars().take(20).collect();
            format!("unexpected {rest:?}")
        }
    }

    fn name_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
    }

    fn valid_identifier(s: &str) -> bool {
        let b = s.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|&c| name_byte(c))
    }

    pub fn parse(s: &str) -> Result<Requirement<'_>, String> {
        let s = s.trim();
        let mut c = Cursor { s, i: 0 };
        let name = c.take_while(name_byte);
        if name.is_empty() {
            return Err(format!("expected a package name, {}", c.here()));
        }
        if !valid_identifier(name) {
            return Err(format!("invalid package name {name:?}"));
        }
        c.ws();
        if c.eat("[") {
            c.ws();
            if !c.eat("]") {
                loop {
                    c.ws();
                    let extra = c.take_while(name_byte);
                    if !valid_identifier(extra) {
                        return Err(format!("invalid extra name, {}", c.here()));
                    }
                    c.ws();
                    if c.eat(",") {
                        continue;
                    }
                    if c.eat("]") {
                        break;
                    }
                    return Err(format!("expected `,` or `]` in extras, {}", c.here()));
                }
            }
            c.ws();
        }
        let mut specifiers = Vec::new();
        let mut url = None;
        if c.eat("@") {
            c.ws();
            let u = c.take_while(|b| !b.is_ascii_whitespace());
            if u.is_empty() {
                return Err("expected a URL after `@`".into());
            }
            url = Some(u);
        } else if c.eat("(") {
            specifiers = specs(&mut c)?;
            c.ws();
            if !c.eat(")") {
                return Err(format!("expected `)`, {}", c.here()));
            }
        } else if matches!(c.peek(), Some(b'<' | b'>' | b'=' | b'!' | b'~')) {
            specifiers = specs(&mut c)?;
        }
        c.ws();
        if c.eat(";") {
            check_marker(s[c.i..].trim())?;
        } else if !c.at_end() {
            return Err(c.here());
        }
        Ok(Requirement {
            name,
            specifiers,
            url,
        })
    }

    /// A specifier list alone (`>=1.0, <2`), as Pipfile versions are written.
    pub fn parse_specifiers(s: &str) -> Result<Vec<(&str, &str)>, String> {
        let s = s.trim();
        let mut c = Cursor { s, i: 0 };
        let out = specs(&mut c)?;
        c.ws();
        if !c.at_end() {
            return Err(c.here());
        }
        Ok(out)
    }

    fn specs<'a>(c: &mut Cursor<'a>) -> Result<Vec<(&'a str, &'a str)>, String> {
        let mut out = Vec::new();
        loop {
            c.ws();
            let Some(op) = OPERATORS.into_iter().find(|op| c.eat(op)) else {
                return Err(format!("expected a comparison operator, {}", c.here()));
            };
            c.ws();
            let v = if op == "===" {
                c.take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b',' | b';' | b')'))
            } else {
                c.take_while(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'-' | b'_' | b'.' | b'*' | b'+' | b'!')
                })
            };
            if v.is_empty() {
                return Err(format!("expected a version after `{op}`"));
            }
            if op != "===" {
                let wildcard_ok =
                    matches!(op, "==" | "!=") && v.ends_with(".*") && v.matches('*').count() == 1;
                if v.contains('*') && !wildcard_ok {
                    return Err(format!(
                        "`*` is only allowed as a trailing `.*` after == or !=: {op}{v}"
                    ));
                }
                if !v.starts_with(|ch: char| ch.is_ascii_alphanumeric()) {
                    return Err(format!("invalid version {v:?}"));
                }
            }
            out.push((op, v));
            c.ws();
            if !c.eat(",") {
                return Ok(out);
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Tok {
        Open,
        Close,
        Value,
        Op,
        And,
        Or,
    }

    fn marker_tokens(m: &str) -> Result<Vec<Tok>, String> {
        let b = m.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b' ' | b'\t' => i += 1,
                b'(' => {
                    out.push(Tok::Open);
                    i += 1;
                }
                b')' => {
                    out.push(Tok::Close);
                    i += 1;
                }
                q @ (b'\'' | b'"') => {
                    let end = m[i + 1..]
                        .find(q as char)
                        .ok_or("unclosed string in marker")?;
                    out.push(Tok::Value);
                    i += end + 2;
                }
                b'<' | b'>' | b'=' | b'!' | b'~' => {
                    let op = OPERATORS
                        .into_iter()
                        .find(|op| m[i..].starts_with(op))
                        .ok_or_else(|| format!("invalid operator in marker at {:?}", &m[i..]))?;
                    out.push(Tok::Op);
                    i += op.len();
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = i;
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.'))
                    {
                        i += 1;
                    }
                    match &m[start..i] {
                        "and" => out.push(Tok::And),
                        "or" => out.push(Tok::Or),
                        "in" => out.push(Tok::Op),
                        "not" => {
                            while i < b.len() && matches!(b[i], b' ' | b'\t') {
                                i += 1;
                            }
                            if !m[i..].starts_with("in")
                                || b.get(i + 2)
                                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                            {
                                return Err("expected `in` after `not` in marker".into());
                            }
                            i += 2;
                            out.push(Tok::Op);
                        }
                        v if MARKER_VARIABLES.contains(&v) => out.push(Tok::Value),
                        v => return Err(format!("unknown marker variable {v:?}")),
                    }
                }
                _ => {
                    let c = m[i..].chars().next().unwrap_or('?');
                    return Err(format!("unexpected {c:?} in marker"));
                }
            }
        }
        Ok(out)
    }

    const MAX_MARKER_DEPTH: usize = 32;

    fn check_marker(m: &str) -> Result<(), String> {
        if m.is_empty() {
            return Err("empty marker after `;`".into());
        }
        let toks = marker_tokens(m)?;
        let mut p = 0;
        or_expr(&toks, &mut p, 0)?;
        if p != toks.len() {
            return Err(format!("unexpected {:?} in marker", toks[p]));
        }
        Ok(())
    }

    fn or_expr(t: &[Tok], p: &mut usize, depth: usize) -> Result<(), String> {
        and_expr(t, p, depth)?;
        while t.get(*p) == Some(&Tok::Or) {
            *p += 1;
            and_expr(t, p, depth)?;
        }
        Ok(())
    }

    fn and_expr(t: &[Tok], p: &mut usize, depth: usize) -> Result<(), String> {
        atom(t, p, depth)?;
        while t.get(*p) == Some(&Tok::And) {
            *p += 1;
            atom(t, p, depth)?;
        }
        Ok(())
    }

    fn atom(t: &[Tok], p: &mut usize, depth: usize) -> Result<(), String> {
        if depth > MAX_MARKER_DEPTH {
            return Err("marker nested too deeply".into());
        }
        match t.get(*p) {
            Some(Tok::Open) => {
                *p += 1;
                or_expr(t, p, depth + 1)?;
                if t.get(*p) != Some(&Tok::Close) {
                    return Err("expected `)` in marker".into());
                }
                *p += 1;
                Ok(())
            }
            Some(Tok::Value) => {
                *p += 1;
                if t.get(*p) != Some(&Tok::Op) {
                    return Err("expected a comparison in marker".into());
                }
                *p += 1;
                if t.get(*p) != Some(&Tok::Value) {
                    return Err(
                        "expected a variable or quoted string after the comparison in marker"
                            .into(),
                    );
                }
                *p += 1;
                Ok(())
            }
            Some(other) => Err(format!("unexpected {other:?} in marker")),
            None => Err("marker ends early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn no_files(_: &str) -> Option<String> {
        None
    }

    fn run(path: &str, text: &str) -> Result<Vec<Package>, LockError> {
        parse(&Input {
            path,
            text,
            read: &no_files,
        })
        .expect("a Python file name")
    }

    fn ok(path: &str, text: &str) -> Vec<Package> {
        run(path, text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn with_files(path: &str, files: &[(&str, &str)]) -> Result<Vec<Package>, LockError> {
        let map: HashMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let read = |p: &str| map.get(p).cloned();
        parse(&Input {
            path,
            text: &map[path],
            read: &read,
        })
        .expect("a Python file name")
    }

    fn get<'a>(ps: &'a [Package], name: &str) -> &'a Package {
        let matching: Vec<&Package> = ps.iter().filter(|p| p.name == name).collect();
        assert_eq!(matching.len(), 1, "exactly one {name} in {ps:#?}");
        matching[0]
    }

    fn names(ps: &[Package]) -> Vec<&str> {
        ps.iter().map(|p| p.name.as_str()).collect()
    }

    /// 1-based line of the first occurrence of `needle`.
    fn line(text: &str, needle: &str) -> u32 {
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in the sample"));
        line_of(text, at)
    }

    fn v(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    fn other(url: &str) -> Source {
        Source::OtherRegistry { url: url.into() }
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

    fn url(u: &str) -> Source {
        Source::Url { url: u.into() }
    }

    #[test]
    fn reads_only_python_file_names() {
        for p in [
            "poetry.lock",
            "sub/uv.lock",
            "Pipfile.lock",
            "Pipfile",
            "pyproject.toml",
            "requirements.txt",
            "requirements-dev.txt",
            "dev-requirements.txt",
            "requirements/base.txt",
            "requirements/prod.in",
            "requirements.in",
            "constraints.txt",
            "ci/constraints-py311.txt",
        ] {
            assert!(
                parse(&Input {
                    path: p,
                    text: "",
                    read: &no_files
                })
                .is_some(),
                "{p}"
            );
        }
        for p in [
            "setup.py",
            "package-lock.json",
            "requirements.md",
            "docs/notes.txt",
            "pipfile",
            "Cargo.lock",
            "poetry.lock.bak",
            "requirements.txt/README",
        ] {
            assert!(
                parse(&Input {
                    path: p,
                    text: "",
                    read: &no_files
                })
                .is_none(),
                "{p}"
            );
        }
    }

    // --- poetry.lock ---------------------------------------------------------------------------------------

    const POETRY_LOCK_1: &str = r#"# This file is automatically @generated by Poetry 1.4.2 and should not be changed by hand.

[[package]]
name = "certifi"
version = "2023.7.22"
description = "Python package for providing Mozilla's CA Bundle."
category = "main"
optional = false
python-versions = ">=3.6"
files = [
    {file = "certifi-2023.7.22-py3-none-any.whl", hash = "sha256:92d6037539857d8206b8f6ae472e8b77db8058fec5937a1ef3f54304089edbb9"},
]

[[package]]
name = "colorama"
version = "0.4.6"
description = "Cross-platform colored terminal text."
category = "dev"
optional = false
python-versions = "!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,!=3.4.*,!=3.5.*,!=3.6.*,>=2.7"
files = []

[[package]]
name = "corp-auth"
version = "1.4.0"
description = "Internal authentication helpers"
category = "main"
optional = false
python-versions = ">=3.8"
files = []

[package.source]
type = "legacy"
url = "https://deploy:changeme@pkgs.corp.example/simple"
reference = "corp"

[[package]]
name = "pytest"
version = "7.4.0"
description = "pytest: simple powerful testing with Python"
category = "dev"
optional = false
python-versions = ">=3.7"
files = []

[package.dependencies]
colorama = {version = "*", markers = "sys_platform == \"win32\""}

[package.extras]
testing = ["argcomplete", "hypothesis (>=3.56)"]

[[package]]
name = "tomlkit"
version = "0.12.1"
description = "Style preserving TOML library"
category = "main"
optional = true
python-versions = ">=3.7"
files = []
develop = false

[package.source]
type = "git"
url = "https://github.com/sdispater/tomlkit.git"
reference = "master"
resolved_reference = "6ee6bb7d1d1e1c1a2d76b7c8d0e9d4a1b2c3d4e5"

[[package]]
name = "shared_utils"
version = "0.2.0"
description = ""
category = "main"
optional = false
python-versions = "^3.9"
files = []
develop = true

[package.source]
type = "directory"
url = "../shared_utils"

[[package]]
name = "Wheelish"
version = "1.0"
description = ""
category = "main"
optional = false
python-versions = "*"
files = []

[package.source]
type = "url"
url = "https://example.com/dist/wheelish-1.0-py3-none-any.whl"

[extras]
toml = ["tomlkit"]

[metadata]
lock-version = "2.0"
python-versions = "^3.9"
content-hash = "b1946ac92492d2347c6235b4d2611184d7d4e1b8c3a1e0f2b6a3c4d5e6f70812"
"#;

    #[test]
    fn poetry_lock_1x_categories_and_sources() {
        let ps = ok("poetry.lock", POETRY_LOCK_1);
        assert_eq!(
            names(&ps),
            [
                "certifi",
                "colorama",
                "corp-auth",
                "pytest",
                "tomlkit",
                "shared_utils",
                "Wheelish"
            ]
        );
        let certifi = get(&ps, "certifi");
        assert_eq!(certifi.version, v("2023.7.22"));
        assert_eq!(certifi.line, 4);
        assert_eq!(certifi.source, Source::Registry);
        assert!(!certifi.direct && !certifi.dev);
        assert_eq!(certifi.requirement, None);
        assert!(get(&ps, "colorama").dev);
        let pytest = get(&ps, "pytest");
        assert!(pytest.dev && !pytest.direct);
        assert_eq!(pytest.line, line(POETRY_LOCK_1, "name = \"pytest\""));
        assert_eq!(
            get(&ps, "corp-auth").source,
            other("https://pkgs.corp.example/simple")
        );
        let tomlkit = get(&ps, "tomlkit");
        assert_eq!(
            tomlkit.source,
            vcs(
                "https://github.com/sdispater/tomlkit.git",
                Some("6ee6bb7d1d1e1c1a2d76b7c8d0e9d4a1b2c3d4e5")
            )
        );
        assert!(!tomlkit.dev, "optional is an extra, not dev");
        assert_eq!(get(&ps, "shared_utils").source, path("../shared_utils"));
        assert_eq!(
            get(&ps, "Wheelish").source,
            url("https://example.com/dist/wheelish-1.0-py3-none-any.whl")
        );
        for p in &ps {
            assert_eq!(p.ecosystem, Ecosystem::PyPI);
        }
    }

    const POETRY_LOCK_2: &str = r#"# This file is automatically @generated by Poetry 2.1.1 and should not be changed by hand.

[[package]]
name = "click"
version = "8.1.7"
description = "Composable command line interface toolkit"
optional = false
python-versions = ">=3.7"
groups = ["main", "dev"]
files = []

[[package]]
name = "mypy"
version = "1.10.0"
description = "Optional static typing for Python"
optional = false
python-versions = ">=3.8"
groups = ["dev", "lint"]
files = []

[[package]]
name = "httpx"
version = "0.27.0"
description = "The next generation HTTP client."
optional = false
python-versions = ">=3.8"
groups = ["main"]
markers = "python_version >= \"3.9\""
files = []

[metadata]
lock-version = "2.1"
python-versions = ">=3.9"
content-hash = "0f3e1c4b"
"#;

    #[test]
    fn poetry_lock_2x_groups() {
        let ps = ok("poetry.lock", POETRY_LOCK_2);
        assert!(!get(&ps, "click").dev, "main among its groups");
        assert!(get(&ps, "mypy").dev);
        assert!(!get(&ps, "httpx").dev);
        assert_eq!(
            get(&ps, "httpx").line,
            line(POETRY_LOCK_2, "name = \"httpx\"")
        );
        assert!(ps.iter().all(|p| !p.direct));
    }

    #[test]
    fn poetry_lock_errors() {
        let e = run(
            "poetry.lock",
            "[[package]]\nname = \"a\"\nversion = 1.0.0\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run(
            "poetry.lock",
            "[metadata]\n\n[[package]]\nversion = \"1.0\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run(
            "poetry.lock",
            "[[package]]\nname = \"a\"\nversion = \"1\"\ngroups = [\"main\", 3]\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = run(
            "poetry.lock",
            "[[package]]\nname = \"a\"\n\n[package.source]\ntype = \"git\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        let e = run("poetry.lock", "package = \"nope\"\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert_eq!(
            ok("poetry.lock", "[metadata]\nlock-version = \"2.0\"\n"),
            []
        );
    }

    // --- uv.lock -------------------------------------------------------------------------------------------

    const UV_LOCK: &str = r#"version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
    { name = "sniffio" },
]
sdist = { url = "https://files.pythonhosted.org/packages/anyio-4.4.0.tar.gz", hash = "sha256:5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94", size = 163930 }
wheels = [
    { url = "https://files.pythonhosted.org/packages/anyio-4.4.0-py3-none-any.whl", hash = "sha256:c1b2d8f46a8a812513012e1107cb0e68c17159a7a594208005a57dc776e1bdc7", size = 86780 },
]

[[package]]
name = "demo-app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "httpx", extra = ["http2"] },
    { name = "internal-sdk" },
]

[package.optional-dependencies]
cli = [
    { name = "rich" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]
lint = [
    { name = "ruff" },
]

[package.metadata]
requires-dist = [
    { name = "httpx", extras = ["http2"], git = "https://github.com/encode/httpx?tag=0.27.0" },
    { name = "internal-sdk", specifier = ">=2", index = "https://pkgs.corp.example/simple" },
    { name = "rich", marker = "extra == 'cli'", specifier = ">=13" },
]

[package.metadata.requires-dev]
dev = [{ name = "pytest", specifier = ">=8" }]
lint = [{ name = "ruff", specifier = ">=0.4" }]

[[package]]
name = "h2"
version = "4.1.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "hpack" },
]

[[package]]
name = "hpack"
version = "4.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "httpx"
version = "0.27.0"
source = { git = "https://github.com/encode/httpx?tag=0.27.0#5e5a7fd4e7e7e0fa4fcc2f1b1c1d6b5c1c7b3a6d" }
dependencies = [
    { name = "anyio" },
    { name = "idna" },
]

[package.optional-dependencies]
http2 = [
    { name = "h2" },
]

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "iniconfig"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "internal-sdk"
version = "2.0.0"
source = { registry = "https://uv:changeme@pkgs.corp.example/simple" }

[[package]]
name = "pytest"
version = "8.2.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "iniconfig" },
    { name = "sniffio", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "rich"
version = "13.7.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "ruff"
version = "0.4.8"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "sniffio"
version = "1.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tarball"
version = "2.0"
source = { url = "https://example.com/dist/tarball-2.0.tar.gz" }

[[package]]
name = "vendored"
version = "1.0"
source = { path = "vendor/vendored-1.0-py3-none-any.whl" }
"#;

    #[test]
    fn uv_lock_roots_direct_and_dev_by_reachability() {
        let ps = ok("uv.lock", UV_LOCK);
        assert!(
            ps.iter().all(|p| p.name != "demo-app"),
            "the project itself is no dependency"
        );
        assert_eq!(ps.len(), 13);
        let httpx = get(&ps, "httpx");
        assert!(httpx.direct && !httpx.dev);
        assert_eq!(
            httpx.source,
            vcs(
                "https://github.com/encode/httpx",
                Some("5e5a7fd4e7e7e0fa4fcc2f1b1c1d6b5c1c7b3a6d")
            )
        );
        assert_eq!(httpx.version, v("0.27.0"));
        assert_eq!(httpx.line, line(UV_LOCK, "name = \"httpx\"\nversion"));
        let h2 = get(&ps, "h2");
        assert!(!h2.direct && !h2.dev, "h2 comes with httpx[http2]");
        assert!(!get(&ps, "hpack").dev);
        let rich = get(&ps, "rich");
        assert!(rich.direct && !rich.dev, "an extra is not dev");
        let pytest = get(&ps, "pytest");
        assert!(pytest.direct && pytest.dev);
        let ruff = get(&ps, "ruff");
        assert!(ruff.direct && ruff.dev);
        let iniconfig = get(&ps, "iniconfig");
        assert!(!iniconfig.direct && iniconfig.dev, "only pytest needs it");
        let sniffio = get(&ps, "sniffio");
        assert!(
            !sniffio.direct && !sniffio.dev,
            "anyio needs it at run time too"
        );
        let anyio = get(&ps, "anyio");
        assert!(!anyio.direct && !anyio.dev);
        assert_eq!(anyio.line, 6);
        assert_eq!(anyio.source, Source::Registry);
        let sdk = get(&ps, "internal-sdk");
        assert!(sdk.direct);
        assert_eq!(sdk.source, other("https://pkgs.corp.example/simple"));
        assert_eq!(
            get(&ps, "tarball").source,
            url("https://example.com/dist/tarball-2.0.tar.gz")
        );
        let vendored = get(&ps, "vendored");
        assert_eq!(
            vendored.source,
            path("vendor/vendored-1.0-py3-none-any.whl")
        );
        assert!(!vendored.direct && !vendored.dev, "nothing reaches it");
    }

    #[test]
    fn uv_lock_workspace_members_and_manifest() {
        let text = r#"version = 1
requires-python = ">=3.12"

[manifest]
members = [
    "app",
    "corelib",
]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "corelib" },
    { name = "flask" },
]

[package.dev-dependencies]
test = [{ name = "pytest" }]

[[package]]
name = "corelib"
version = "0.1.0"
source = { editable = "packages/corelib" }
dependencies = [
    { name = "attrs" },
]

[[package]]
name = "attrs"
version = "23.2.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "flask"
version = "3.0.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.2.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "editable-dep"
version = "0.0.1"
source = { editable = "../editable-dep" }
"#;
        let ps = ok("uv.lock", text);
        assert_eq!(names(&ps), ["attrs", "flask", "pytest", "editable-dep"]);
        assert!(
            get(&ps, "attrs").direct,
            "a member's dependency is the workspace's"
        );
        assert!(get(&ps, "flask").direct);
        assert!(get(&ps, "pytest").dev);
        let e = get(&ps, "editable-dep");
        assert_eq!(e.source, path("../editable-dep"));
        assert!(!e.direct);

        let scripts = r#"version = 1
requires-python = ">=3.12"

[manifest]
requirements = [{ name = "requests", specifier = ">=2" }]

[manifest.dependency-groups]
dev = [{ name = "pytest" }]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.2.2"
source = { registry = "https://pypi.org/simple" }
"#;
        let ps = ok("uv.lock", scripts);
        assert!(get(&ps, "requests").direct && !get(&ps, "requests").dev);
        assert!(get(&ps, "pytest").direct && get(&ps, "pytest").dev);
    }

    #[test]
    fn uv_lock_errors() {
        let e = run(
            "uv.lock",
            "version = 1\n\n[[package]]\nname = \"a\"\nsource = { teleport = \"x\" }\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run(
            "uv.lock",
            "version = 1\n\n[[package]]\nname = \"a\"\ndependencies = [\n  { version = \"1\" },\n]\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        let e = run(
            "uv.lock",
            "version = 1\n[[package]]\nname = \"a\"\nname = \"b\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    // --- Pipfile.lock --------------------------------------------------------------------------------------

    const PIPFILE_LOCK: &str = r#"{
    "_meta": {
        "hash": {
            "sha256": "7f3e0b2a9c1d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"
        },
        "pipfile-spec": 6,
        "requires": {
            "python_version": "3.11"
        },
        "sources": [
            {
                "name": "pypi",
                "url": "https://pypi.org/simple",
                "verify_ssl": true
            },
            {
                "name": "corp",
                "url": "https://builder:changeme@pkgs.corp.example/simple",
                "verify_ssl": true
            }
        ]
    },
    "default": {
        "requests": {
            "hashes": [
                "sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"
            ],
            "index": "pypi",
            "markers": "python_version >= '3.7'",
            "version": "==2.31.0"
        },
        "corp-auth": {
            "index": "corp",
            "version": "==1.4.0"
        },
        "mylib": {
            "editable": true,
            "git": "https://github.com/example/mylib.git",
            "ref": "3f786850e387550fdab836ed7e6dc881de23001b"
        },
        "localpkg": {
            "editable": true,
            "path": "./localpkg"
        },
        "wheel-url": {
            "file": "https://example.com/pkgs/wheel_url-1.0-py3-none-any.whl"
        },
        "odd\"name": {
            "version": "==0.1"
        }
    },
    "develop": {
        "pytest": {
            "hashes": [],
            "index": "pypi",
            "version": "==7.4.0"
        }
    },
    "docs": {
        "sphinx": {
            "version": "==7.2.6"
        }
    }
}
"#;

    #[test]
    fn pipfile_lock_sections_sources_and_lines() {
        let ps = ok("Pipfile.lock", PIPFILE_LOCK);
        assert_eq!(ps.len(), 8);
        let requests = get(&ps, "requests");
        assert_eq!(requests.version, v("2.31.0"));
        assert_eq!(requests.line, line(PIPFILE_LOCK, "\"requests\""));
        assert_eq!(requests.source, Source::Registry);
        assert!(!requests.direct && !requests.dev);
        assert_eq!(
            get(&ps, "corp-auth").source,
            other("https://pkgs.corp.example/simple")
        );
        let mylib = get(&ps, "mylib");
        assert_eq!(
            mylib.source,
            vcs(
                "https://github.com/example/mylib.git",
                Some("3f786850e387550fdab836ed7e6dc881de23001b")
            )
        );
        assert_eq!(mylib.version, None);
        assert_eq!(get(&ps, "localpkg").source, path("./localpkg"));
        assert_eq!(
            get(&ps, "wheel-url").source,
            url("https://example.com/pkgs/wheel_url-1.0-py3-none-any.whl")
        );
        assert_eq!(
            get(&ps, "odd\"name").line,
            line(PIPFILE_LOCK, "\"odd\\\"name\"")
        );
        let pytest = get(&ps, "pytest");
        assert!(pytest.dev);
        assert_eq!(pytest.line, line(PIPFILE_LOCK, "\"pytest\""));
        assert!(
            get(&ps, "sphinx").dev,
            "custom categories are not installed by default"
        );
    }

    #[test]
    fn pipfile_lock_errors() {
        let e = run(
            "Pipfile.lock",
            "{\n  \"default\": {\n    \"a\": {\"version\": \"==1\",}\n  }\n}\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run(
            "Pipfile.lock",
            "{\n  \"_meta\": {},\n  \"default\": []\n}\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run(
            "Pipfile.lock",
            "{\n  \"default\": {\n    \"a\": \"==1.0\"\n  }\n}\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = run("Pipfile.lock", "{\"default\": {\"a\": {\"version\": 1}}}").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert_eq!(run("Pipfile.lock", "[]").unwrap_err().line, 1);
        assert_eq!(run("Pipfile.lock", "").unwrap_err().line, 1);
    }

    // --- requirements files --------------------------------------------------------------------------------

    const REQUIREMENTS: &str = r#"#
# Runtime requirements. Pinned where it matters.
#
--index-url https://pypi.org/simple/

requests==2.31.0  # pinned
Django===4.2.7
numpy>=1.24,<2 ; python_version >= "3.9"
urllib3[socks] >= 1.26.0, != 1.26.5
flask [async] ~= 2.3
pywin32==306; sys_platform == "win32"
cryptography==41.0.3 \
    --hash=sha256:0d3b1c4f7a9e2b8d5c6f1e0a3b7d9c2e4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c \
    --hash=sha256:4a9f7c2e1b8d6f3a0c5e9b7d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a
six
zope.interface (>=5.0)
-e git+https://github.com/example/editable.git@v1.0#egg=editable-pkg
mypkg @ https://example.com/packages/mypkg-1.2.0-py3-none-any.whl
vcs-pkg @ git+https://oauth2:ghp_secret@github.com/example/vcs-pkg.git@0123abc
git+https://github.com/example/bare.git@main#egg=bare-pkg&subdirectory=src
./downloads/numpy_financial-1.0.0-py3-none-any.whl
https://example.com/dist/tarpkg-0.4.tar.gz#sha256=00ff
../sibling[extra]
-e .
file:///opt/wheels/localwheel-3.1-cp311-cp311-manylinux_2_17_x86_64.whl
pkg-with-hash==1.0 --hash=sha256:ab --config-settings="--build-option=--x"
"#;

    #[test]
    fn requirements_pins_specifiers_and_links() {
        let ps = ok("requirements.txt", REQUIREMENTS);
        assert_eq!(
            names(&ps),
            [
                "requests",
                "Django",
                "numpy",
                "urllib3",
                "flask",
                "pywin32",
                "cryptography",
                "six",
                "zope.interface",
                "editable-pkg",
                "mypkg",
                "vcs-pkg",
                "bare-pkg",
                "numpy_financial",
                "tarpkg",
                "sibling",
                "localwheel",
                "pkg-with-hash",
            ]
        );
        assert!(ps.iter().all(|p| p.direct && !p.dev));
        let requests = get(&ps, "requests");
        assert_eq!((requests.version.clone(), requests.line), (v("2.31.0"), 6));
        assert_eq!(requests.requirement, v("==2.31.0"));
        assert_eq!(
            requests.source,
            Source::Registry,
            "--index-url of PyPI itself"
        );
        assert_eq!(get(&ps, "Django").version, v("4.2.7"));
        let numpy = get(&ps, "numpy");
        assert_eq!(numpy.version, None);
        assert_eq!(numpy.requirement, v(">=1.24,<2"));
        assert_eq!(get(&ps, "urllib3").requirement, v(">=1.26.0,!=1.26.5"));
        assert_eq!(get(&ps, "flask").requirement, v("~=2.3"));
        assert_eq!(get(&ps, "pywin32").version, v("306"));
        let crypto = get(&ps, "cryptography");
        assert_eq!(crypto.version, v("41.0.3"));
        assert_eq!(crypto.line, 12, "a continued line keeps its first line");
        let six = get(&ps, "six");
        assert_eq!(
            (six.version.clone(), six.requirement.clone(), six.line),
            (None, None, 15)
        );
        assert_eq!(get(&ps, "zope.interface").requirement, v(">=5.0"));
        let editable = get(&ps, "editable-pkg");
        assert_eq!(
            editable.source,
            vcs("https://github.com/example/editable.git", Some("v1.0"))
        );
        assert_eq!(editable.line, 17);
        let mypkg = get(&ps, "mypkg");
        assert_eq!(
            mypkg.source,
            url("https://example.com/packages/mypkg-1.2.0-py3-none-any.whl")
        );
        assert_eq!(mypkg.version, v("1.2.0"), "from the wheel's file name");
        assert_eq!(
            get(&ps, "vcs-pkg").source,
            vcs("https://github.com/example/vcs-pkg.git", Some("0123abc")),
            "credentials removed"
        );
        assert_eq!(
            get(&ps, "bare-pkg").source,
            vcs("https://github.com/example/bare.git", Some("main"))
        );
        let wheel = get(&ps, "numpy_financial");
        assert_eq!(
            wheel.source,
            path("./downloads/numpy_financial-1.0.0-py3-none-any.whl")
        );
        assert_eq!(wheel.version, v("1.0.0"));
        let tar = get(&ps, "tarpkg");
        assert_eq!(
            tar.source,
            url("https://example.com/dist/tarpkg-0.4.tar.gz")
        );
        assert_eq!(tar.version, v("0.4"));
        assert_eq!(get(&ps, "sibling").source, path("../sibling"));
        assert_eq!(
            get(&ps, "localwheel").source,
            path("/opt/wheels/localwheel-3.1-cp311-cp311-manylinux_2_17_x86_64.whl")
        );
        assert_eq!(get(&ps, "localwheel").version, v("3.1"));
        assert_eq!(get(&ps, "pkg-with-hash").version, v("1.0"));
    }

    #[test]
    fn requirements_indexes_apply_to_the_whole_file_without_credentials() {
        let text = "requests==2.31.0\n-i https://ci:p%40ss@pkgs.corp.example/simple\nflask\n"; // warden:ignore
        let ps = ok("requirements.txt", text);
        assert!(ps
            .iter()
            .all(|p| p.source == other("https://pkgs.corp.example/simple")));

        let text = "--extra-index-url=https://${TOKEN}@pkgs.corp.example/simple\ncorp-auth==1.4.0\ngit+https://github.com/a/b.git#egg=b\n";
        let ps = ok("requirements.txt", text);
        assert_eq!(
            get(&ps, "corp-auth").source,
            other("https://pkgs.corp.example/simple")
        );
        assert_eq!(
            get(&ps, "b").source,
            vcs("https://github.com/a/b.git", None),
            "a link is not from the index"
        );

        let ps = ok(
            "requirements.txt",
            "--extra-index-url https://pypi.python.org/simple\nsix\n",
        );
        assert_eq!(get(&ps, "six").source, Source::Registry);

        let ps = ok(
            "requirements.txt",
            "--no-index\n--find-links ./wheels\nsix\n",
        );
        assert_eq!(get(&ps, "six").source, other("./wheels"));
    }

    #[test]
    fn requirements_includes_lines_dev_constraints_and_cycles() {
        let files = [
            (
                "app/requirements.txt",
                "-r base.txt\n-c constraints.txt\nflask==3.0.0\n--requirement=requirements-dev.txt\n-r missing.txt\n-r https://example.com/r.txt\n-r ../../outside.txt\n",
            ),
            ("app/base.txt", "requests==2.31.0\n-r ../shared/common.txt\n"),
            ("shared/common.txt", "idna==3.4\n-r ../app/requirements.txt\n"),
            ("app/constraints.txt", "urllib3==2.0.7\n"),
            ("app/requirements-dev.txt", "pytest==7.4.0\n-r requirements-dev.txt\n-rbase.txt\n"),
        ];
        let ps = with_files("app/requirements.txt", &files).unwrap();
        assert_eq!(
            names(&ps),
            ["requests", "idna", "urllib3", "flask", "pytest"]
        );
        let requests = get(&ps, "requests");
        assert_eq!(requests.line, 1, "reported at the -r line");
        assert!(requests.direct && !requests.dev);
        assert_eq!(get(&ps, "idna").line, 1);
        let urllib3 = get(&ps, "urllib3");
        assert_eq!(urllib3.line, 2);
        assert!(!urllib3.direct, "a constraint is not a requirement");
        assert_eq!(urllib3.version, v("2.0.7"));
        assert_eq!(get(&ps, "flask").line, 3);
        let pytest = get(&ps, "pytest");
        assert_eq!(pytest.line, 4);
        assert!(pytest.dev && pytest.direct);

        let ps = with_files("app/requirements-dev.txt", &files).unwrap();
        assert_eq!(
            names(&ps),
            ["pytest", "requests", "idna", "urllib3", "flask"]
        );
        assert!(get(&ps, "pytest").dev);
        assert!(
            !get(&ps, "requests").dev,
            "runtime packages the dev file includes stay runtime"
        );
        assert_eq!(get(&ps, "requests").line, 3);

        let ps = with_files("app/constraints.txt", &files).unwrap();
        assert!(!get(&ps, "urllib3").direct);

        let bad = [
            ("r/requirements.txt", "six\n-r nested.txt\n"),
            ("r/nested.txt", "ok==1\n\nbroken===\n"),
        ];
        let e = with_files("r/requirements.txt", &bad).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("r/nested.txt line 3"), "{e}");
    }

    #[test]
    fn requirements_include_chains_are_bounded() {
        let texts: Vec<(String, String)> = (0..400)
            .map(|i| {
                (
                    format!("reqs/r{i}.txt"),
                    format!("pkg{i}==1.0\n-r r{}.txt\n", i + 1),
                )
            })
            .collect();
        let files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let mut top = files.clone();
        top.push(("requirements.txt", "-r reqs/r0.txt\n"));
        let ps = with_files("requirements.txt", &top).unwrap();
        assert_eq!(ps.len(), MAX_FILES - 1);
        assert!(ps.iter().all(|p| p.line == 1));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "[project]\ndependencies = {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(run("pyproject.toml", &deep).is_err());
        let deep = format!(
            "{{\"default\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(run("Pipfile.lock", &deep).is_err());
        let deep = format!(
            "x; {}os_name == 'a'{}\n",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert!(run("requirements.txt", &deep).is_err());
    }

    #[test]
    fn requirements_dev_heuristic_reads_the_file_name() {
        for (p, dev) in [
            ("requirements.txt", false),
            ("requirements-dev.txt", true),
            ("dev-requirements.txt", true),
            ("requirements_test.txt", true),
            ("requirements/tests.txt", true),
            ("requirements/lint.in", true),
            ("requirements/development.txt", true),
            ("requirements/prod.txt", false),
            ("requirements-latest.txt", false),
            ("tests/requirements.txt", false),
        ] {
            let ps = ok(p, "six\n");
            assert_eq!(ps[0].dev, dev, "{p}");
        }
    }

    #[test]
    fn requirements_comments_and_continuations_follow_pip() {
        let text = "# a comment ending in a backslash \\\nsix\nfoo==1.0 \\\n  # a comment line ends the continuation\nbar\\\n==2.0\n\n\\\n";
        let ps = ok("requirements.txt", text);
        assert_eq!(names(&ps), ["six", "foo", "bar"]);
        assert_eq!(get(&ps, "foo").version, v("1.0"));
        assert_eq!(get(&ps, "bar").version, v("2.0"));
        assert_eq!(get(&ps, "bar").line, 5);
        // `baz#not-a-comment==1` is no comment (no whitespace before `#`) and no valid requirement.
        let text = "six\nbaz#x==1\n";
        assert_eq!(run("requirements.txt", text).unwrap_err().line, 2);
    }

    #[test]
    fn requirements_errors() {
        for (text, line_no) in [
            ("six\nrequests==\n", 2),
            ("-r\n", 1),
            ("six\n\n--index-url\n", 3),
            ("foo bar\n", 1),
            ("-e 'unclosed\n", 1),
            ("ok\nname[extra\n", 2),
            ("a; os_name == 'nt\n", 1),
            ("a >= 1.*\n", 1),
        ] {
            let e = run("requirements.txt", text).unwrap_err();
            assert_eq!(e.line, line_no, "{text:?}: {e}");
        }
    }

    // --- pyproject.toml ------------------------------------------------------------------------------------

    const PYPROJECT_PEP621: &str = r#"[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo-service"
version = "0.3.0"
requires-python = ">=3.10"
dependencies = [
    "requests>=2.31,<3",
    "pydantic[email]==2.5.2",
    "internal-sdk",
    "tomli>=2.0; python_version < '3.11'",
    "mywheel @ https://example.com/mywheel-1.1-py3-none-any.whl",
    "httpx",
]

[project.optional-dependencies]
cli = ["rich~=13.0", "demo_service[extra]"]

[dependency-groups]
test = ["pytest>=8", "coverage[toml]"]
lint = ["ruff==0.4.4"]
dev = [{ include-group = "test" }, { include-group = "lint" }, "ipython"]

[tool.uv]
dev-dependencies = ["mypy"]

[tool.uv.sources]
internal-sdk = { index = "corp" }
httpx = { git = "https://github.com/encode/httpx", tag = "0.27.0" }
sibling = { workspace = true }

[[tool.uv.index]]
name = "corp"
url = "https://pkgs.corp.example/simple"
explicit = true
"#;

    #[test]
    fn pyproject_pep621_pep735_and_uv_sources() {
        let ps = ok("pyproject.toml", PYPROJECT_PEP621);
        assert_eq!(
            names(&ps),
            [
                "requests",
                "pydantic",
                "internal-sdk",
                "tomli",
                "mywheel",
                "httpx",
                "rich",
                "pytest",
                "coverage",
                "ruff",
                "ipython",
                "mypy"
            ]
        );
        assert!(ps.iter().all(|p| p.direct));
        let requests = get(&ps, "requests");
        assert_eq!(requests.line, 10);
        assert_eq!(requests.requirement, v(">=2.31,<3"));
        assert_eq!(requests.version, None);
        assert!(!requests.dev);
        assert_eq!(get(&ps, "pydantic").version, v("2.5.2"));
        assert_eq!(
            get(&ps, "internal-sdk").source,
            other("https://pkgs.corp.example/simple")
        );
        assert_eq!(
            get(&ps, "tomli").source,
            Source::Registry,
            "an explicit index serves only who names it"
        );
        let mywheel = get(&ps, "mywheel");
        assert_eq!(
            mywheel.source,
            url("https://example.com/mywheel-1.1-py3-none-any.whl")
        );
        assert_eq!(mywheel.version, v("1.1"));
        assert_eq!(
            get(&ps, "httpx").source,
            vcs("https://github.com/encode/httpx", Some("0.27.0"))
        );
        assert!(!get(&ps, "rich").dev, "extras are not dev");
        for d in ["pytest", "coverage", "ruff", "ipython", "mypy"] {
            assert!(get(&ps, d).dev, "{d}");
        }
        assert_eq!(get(&ps, "ruff").version, v("0.4.4"));
        assert_eq!(
            get(&ps, "ruff").line,
            line(PYPROJECT_PEP621, "\"ruff==0.4.4\"")
        );
    }

    const PYPROJECT_POETRY: &str = r#"[tool.poetry]
name = "poetry-demo"
version = "0.1.0"
description = ""
authors = ["A. Developer <dev@example.com>"]

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
django = "4.2.7"
attrs = "==23.1.0"
pendulum = { version = "~2.1", optional = true }
tomlkit = { git = "https://github.com/sdispater/tomlkit.git", branch = "master" }
my-local = { path = "../my-local", develop = true }
wheelish = { url = "https://example.com/wheelish-1.0-py3-none-any.whl" }
private-lib = { version = "^1.0", source = "corp" }
numpy = [
    { version = "<1.25", python = "<3.9" },
    { version = "^1.26", python = ">=3.9" },
]

[tool.poetry.dev-dependencies]
black = "^23.0"

[tool.poetry.group.test.dependencies]
pytest = "^7.4"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
mkdocs = "*"

[[tool.poetry.source]]
name = "corp"
url = "https://pkgs.corp.example/simple/"
priority = "supplemental"
"#;

    #[test]
    fn pyproject_poetry_tables_groups_and_sources() {
        let ps = ok("pyproject.toml", PYPROJECT_POETRY);
        assert!(ps.iter().all(|p| p.name != "python"));
        assert!(ps.iter().all(|p| p.direct));
        let requests = get(&ps, "requests");
        assert_eq!(
            (requests.version.clone(), requests.requirement.clone()),
            (None, v("^2.31"))
        );
        assert_eq!(requests.line, 9);
        assert_eq!(requests.source, Source::Registry);
        assert_eq!(
            get(&ps, "django").version,
            v("4.2.7"),
            "a bare version is exact in Poetry"
        );
        assert_eq!(get(&ps, "attrs").version, v("23.1.0"));
        let pendulum = get(&ps, "pendulum");
        assert_eq!(
            (pendulum.version.clone(), pendulum.requirement.clone()),
            (None, v("~2.1"))
        );
        assert!(!pendulum.dev);
        assert_eq!(
            get(&ps, "tomlkit").source,
            vcs("https://github.com/sdispater/tomlkit.git", Some("master"))
        );
        assert_eq!(get(&ps, "my-local").source, path("../my-local"));
        assert_eq!(
            get(&ps, "wheelish").source,
            url("https://example.com/wheelish-1.0-py3-none-any.whl")
        );
        assert_eq!(
            get(&ps, "private-lib").source,
            other("https://pkgs.corp.example/simple/")
        );
        let numpy: Vec<&Package> = ps.iter().filter(|p| p.name == "numpy").collect();
        assert_eq!(numpy.len(), 2);
        assert!(numpy.iter().all(|p| p.line == 17));
        assert_eq!(numpy[0].requirement, v("<1.25"));
        assert_eq!(numpy[1].requirement, v("^1.26"));
        for d in ["black", "pytest", "mkdocs"] {
            assert!(get(&ps, d).dev, "{d}");
        }
        assert_eq!(get(&ps, "mkdocs").requirement, v("*"));
        assert_eq!(get(&ps, "mkdocs").line, line(PYPROJECT_POETRY, "mkdocs"));
    }

    #[test]
    fn pyproject_poetry_primary_source_replaces_pypi_and_enriches_pep621() {
        let text = r#"[project]
name = "p2"
version = "1.0.0"
dependencies = [
    "requests>=2",
    "tomlkit",
]

[tool.poetry.dependencies]
tomlkit = { git = "https://github.com/sdispater/tomlkit.git", rev = "abc1234" }
extra-only = "^1"

[[tool.poetry.source]]
name = "mirror"
url = "https://mirror.corp.example/simple"
priority = "primary"
"#;
        let ps = ok("pyproject.toml", text);
        assert_eq!(names(&ps), ["requests", "tomlkit", "extra-only"]);
        assert_eq!(
            get(&ps, "requests").source,
            other("https://mirror.corp.example/simple")
        );
        let tomlkit = get(&ps, "tomlkit");
        assert_eq!(
            tomlkit.line, 6,
            "the [project] entry, lent the Poetry source"
        );
        assert_eq!(
            tomlkit.source,
            vcs("https://github.com/sdispater/tomlkit.git", Some("abc1234"))
        );

        let pypi_named = "[tool.poetry.dependencies]\nsix = \"*\"\n\n[[tool.poetry.source]]\nname = \"PyPI\"\npriority = \"primary\"\n";
        assert_eq!(ok("pyproject.toml", pypi_named)[0].source, Source::Registry);
    }

    #[test]
    fn pyproject_errors() {
        for (text, line_no) in [
            (
                "[project]\nname = \"x\"\ndependencies = [\n  \"ok\",\n  \"requests>>2\",\n]\n",
                5,
            ),
            ("[project]\ndependencies = \"requests\"\n", 2),
            ("[project]\ndependencies = [\n  3,\n]\n", 3),
            ("[tool.poetry.dependencies]\nrequests = 2\n", 2),
            ("[tool.poetry.dependencies]\nrequests = \"\"\n", 2),
            (
                "[dependency-groups]\ntest = [\"pytest\", \"bad name!\"]\n",
                2,
            ),
            ("[tool.uv.sources]\nfoo = { branch = \"main\" }\n", 2),
            ("[project\nname = 1\n", 1),
            ("project = 3\n", 1),
        ] {
            let e = run("pyproject.toml", text).unwrap_err();
            assert_eq!(e.line, line_no, "{text:?}: {e}");
        }
        assert_eq!(
            ok(
                "pyproject.toml",
                "[project]\nname = \"x\"\ndynamic = [\"dependencies\"]\n"
            ),
            []
        );
    }

    // --- Pipfile -------------------------------------------------------------------------------------------

    const PIPFILE: &str = r#"[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[[source]]
url = "https://${CORP_USER}:${CORP_TOKEN}@pkgs.corp.example/simple"
verify_ssl = true
name = "corp"

[packages]
requests = "*"
django = "==4.2.7"
flask = { version = ">=2.3,<3", extras = ["async"] }
records = "0.5.3"
mylib = { git = "https://github.com/example/mylib.git", ref = "v1.2.0", editable = true }
localpkg = { path = "./localpkg", editable = true }
corp-auth = { version = "*", index = "corp" }
"zope.interface" = "~=6.0"

[dev-packages]
pytest = ">=7"

[docs]
sphinx = "*"

[requires]
python_version = "3.11"

[scripts]
serve = "python -m http.server"
"#;

    #[test]
    fn pipfile_sections_versions_and_sources() {
        let ps = ok("Pipfile", PIPFILE);
        assert_eq!(ps.len(), 10);
        assert!(ps.iter().all(|p| p.direct));
        let requests = get(&ps, "requests");
        assert_eq!(
            (requests.version.clone(), requests.requirement.clone()),
            (None, v("*"))
        );
        assert_eq!(requests.line, 12);
        assert_eq!(requests.source, Source::Registry);
        assert_eq!(get(&ps, "django").version, v("4.2.7"));
        let flask = get(&ps, "flask");
        assert_eq!(
            (flask.version.clone(), flask.requirement.clone()),
            (None, v(">=2.3,<3"))
        );
        assert_eq!(get(&ps, "records").version, v("0.5.3"));
        assert_eq!(
            get(&ps, "mylib").source,
            vcs("https://github.com/example/mylib.git", Some("v1.2.0"))
        );
        assert_eq!(get(&ps, "localpkg").source, path("./localpkg"));
        assert_eq!(
            get(&ps, "corp-auth").source,
            other("https://pkgs.corp.example/simple")
        );
        assert_eq!(get(&ps, "zope.interface").line, 19);
        assert!(get(&ps, "pytest").dev && get(&ps, "sphinx").dev);
        assert!(!get(&ps, "django").dev);
    }

    #[test]
    fn pipfile_errors() {
        for (text, line_no) in [
            ("[packages]\nrequests = \"*\"\ndjango = \">>1\"\n", 3),
            ("[packages]\ndjango = 3\n", 2),
            ("[packages]\ndjango = { version = \"==\" }\n", 2),
            ("[packages\n", 1),
            ("[[source]]\nurl = 5\n", 2),
        ] {
            let e = run("Pipfile", text).unwrap_err();
            assert_eq!(e.line, line_no, "{text:?}: {e}");
        }
    }

    // --- PEP 508, URLs ------------------------------------------------------------------------------------

    #[test]
    fn pep508_accepts_the_specification_examples() {
        for s in [
            "A",
            "A.B-C_D",
            "aa",
            "name",
            "name<=1",
            "name>=3",
            "name>=3,<2",
            "name@http://foo.com",
            "name [fred,bar] @ http://foo.com ; python_version=='2.7'",
            "name[quux, strange];python_version<'2.7' and platform_version=='2'",
            "name; os_name=='a' or os_name=='b'",
            "name; os_name=='a' and os_name=='b' or os_name=='c'",
            "name; os_name=='a' and (os_name=='b' or os_name=='c')",
            "name; os_name=='a' or os_name=='b' and os_name=='c'",
            "name; (os_name=='a' or os_name=='b') and os_name=='c'",
            "name (>=1.0, <2.0)",
            "name == 1.*",
            "name===foobar",
            "name[]",
            "name; 'win' in sys_platform",
            "name; sys_platform not in 'linux darwin'",
            "name; extra == \"test\"",
        ] {
            assert!(
                pep508::parse(s).is_ok(),
                "{s}: {:?}",
                pep508::parse(s).err()
            );
        }
        let r = pep508::parse("name [fred,bar] @ http://foo.com ; python_version=='2.7'").unwrap();
        assert_eq!((r.name, r.url), ("name", Some("http://foo.com")));
        let r = pep508::parse("name (>=1.0, <2.0)").unwrap();
        assert_eq!(r.specifier_string(), v(">=1.0,<2.0"));
        assert_eq!(pep508::parse("name == 1.*").unwrap().pinned(), None);
        assert_eq!(
            pep508::parse("name===foobar").unwrap().pinned(),
            Some("foobar")
        );
        assert_eq!(pep508::parse("n>=1,==1.5").unwrap().pinned(), Some("1.5"));
    }

    #[test]
    fn pep508_rejects_malformed_requirements() {
        let deep = format!("name; {}os_name=='a'{}", "(".repeat(200), ")".repeat(200));
        for s in [
            "",
            "-name",
            "name-",
            "name[",
            "name[a b]",
            "name>=",
            "name>=1.0 extra",
            "name @ ",
            "name; foo == 'x'",
            "name; os_name ==",
            "name; (os_name == 'a'",
            "name >= 1.*",
            "name == 1.*.2",
            "name; os_name == 'a",
            "name===",
            "name;",
            "name; os_name == 'a' and",
            "name; not os_name",
            "name (>=1",
            "näme",
            deep.as_str(),
        ] {
            assert!(pep508::parse(s).is_err(), "{s:?} accepted");
        }
    }

    #[test]
    fn urls_lose_credentials_and_split_revisions() {
        assert_eq!(
            strip_credentials("https://u:p@host/simple"),
            "https://host/simple"
        );
        assert_eq!(
            strip_credentials("https://token@host/x@y"),
            "https://host/x@y"
        );
        assert_eq!(
            strip_credentials("ssh://git@github.com/a/b.git"),
            "ssh://git@github.com/a/b.git"
        );
        assert_eq!(
            strip_credentials("git+ssh://u:p@host/a"),
            "git+ssh://host/a"
        );
        assert_eq!(strip_credentials("no-scheme@host"), "no-scheme@host");
        assert_eq!(
            split_vcs("git+ssh://git@github.com/org/repo.git@v2#egg=repo"),
            ("ssh://git@github.com/org/repo.git".to_string(), v("v2"))
        );
        assert_eq!(
            split_vcs("hg+https://hg.example.org/proj@abc"),
            ("hg+https://hg.example.org/proj".to_string(), v("abc"))
        );
        assert_eq!(
            split_vcs("git+git@github.com:org/repo.git@main"),
            ("git@github.com:org/repo.git".to_string(), v("main"))
        );
        assert_eq!(reference_source("file://localhost/srv/x"), path("/srv/x"));
        assert_eq!(reference_source("file://ééééé/x"), path("ééééé/x"));
        assert!(is_pypi("https://pypi.org/simple/") && is_pypi("https://PyPI.org:443/simple"));
        assert!(
            !is_pypi("https://test.pypi.org/simple")
                && !is_pypi("https://pypi.org.evil.example/simple")
        );
    }

    // --- never panics -------------------------------------------------------------------------------------

    const FILE_NAMES: [&str; 8] = [
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "Pipfile",
        "pyproject.toml",
        "requirements.txt",
        "requirements/dev.in",
        "constraints.txt",
    ];

    const FRAGMENTS: [&str; 49] = [
        "\n",
        " ",
        "\\\n",
        "#",
        "[[package]]\n",
        "[package.source]\n",
        "name = \"a\"\n",
        "version = \"1\"\n",
        "source = { git = \"https://h/r?rev=x#y\" }\n",
        "source = { editable = \".\" }\n",
        "dependencies = [",
        "{ name = \"a\", extra = [\"x\"] }",
        "]",
        "[",
        "{",
        "}",
        "\"",
        ",",
        ":",
        "=",
        "[project]\n",
        "dependencies = [\"a>=1; os_name=='nt'\"]\n",
        "[tool.poetry.dependencies]\n",
        "a = { git = \"g\" }\n",
        "[manifest]\nmembers = [\"a\"]\n",
        "{\"default\": {\"a\": {\"version\": \"==1\"}}}",
        "\"develop\"",
        "-r x.txt\n",
        "-c ../y.txt\n",
        "-e ",
        "git+https://u:p@h/r.git@v#egg=e",
        "a @ https://h/a-1-py3-none-any.whl",
        "@",
        ";",
        "(",
        ")",
        " and ",
        " or ",
        "not in",
        "'",
        "===",
        "==1.*",
        "-i https://h/simple\n",
        "--hash=sha256:0",
        "./x.tar.gz",
        "[packages]\n",
        "é",
        "file://é",
        "\u{0}",
    ];

    fn noise() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::collection::vec(prop::sample::select(&FRAGMENTS[..]), 0..60)
                .prop_map(|v| v.concat()),
        ]
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in noise(), included in noise()) {
            for name in FILE_NAMES {
                let read = |_: &str| Some(included.clone());
                let result = parse(&Input { path: name, text: &text, read: &read });
                match result {
                    Some(Ok(packages)) => {
                        for p in packages {
                            prop_assert!(p.line >= 1);
                            prop_assert_eq!(p.ecosystem, Ecosystem::PyPI);
                        }
                    }
                    Some(Err(e)) => prop_assert!(e.line >= 1),
                    None => prop_assert!(false, "{} not read", name),
                }
            }
        }
    }
}
