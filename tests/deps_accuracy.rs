//! The labeled accuracy set of known-vulnerability matching (`tests/data/deps-accuracy/`, described in its
//! README.md): synthetic OSV records of seven ecosystems are imported with `warden vulndb import`, one lockfile
//! per ecosystem is scanned with `warden scan --only deps --vulndb`, and every `deps/vulnerable-package` finding
//! is compared with `expected.toml`. Each missed, extra, wrongly-identified and wrong-fix case is printed with the
//! label's `why` before the test fails; the agreement count is printed either way.
//!
//! The labels follow each ecosystem's documented version order (`bench/deps/accuracy.py` checks them against
//! reference implementations), not what warden happens to do: a disagreement here is a bug in warden.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

fn set_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/deps-accuracy")
}

// ---------------------------------------------------------------------------------------------------------
// expected.toml: `[[finding]]` and `[[clean]]` tables of basic strings and one-line string arrays. The test
// crate has no TOML parser, so this reads exactly that subset and rejects anything else (bench/deps/accuracy.py
// reads the same file with Python's tomllib, a full TOML parser).
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Finding,
    Clean,
}

#[derive(Debug, Clone)]
struct Label {
    kind: Kind,
    /// Line of the table header in expected.toml.
    line: usize,
    path: String,
    package: String,
    version: String,
    ids: Vec<String>,
    fixed: Option<String>,
    why: String,
}

enum Value {
    Str(String),
    Array(Vec<String>),
}

/// A TOML basic string at the start of `s` (after its opening quote): the value and what follows it.
fn basic_string(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => {
                let (_, e) = chars.next().ok_or("an unfinished escape")?;
                match e {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' | 'U' => {
                        let n = if e == 'u' { 4 } else { 8 };
                        let hex: String = (0..n)
                            .filter_map(|_| chars.next().map(|(_, h)| h))
                            .collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("a bad \\{e} escape"))?;
                        out.push(code);
                    }
                    other => return Err(format!("an unknown escape \\{other}")),
                }
            }
            c if c.is_control() && c != '\t' => {
                return Err("a control character in a string".into())
            }
            c => out.push(c),
        }
    }
    Err("an unterminated string".into())
}

/// The end of a line after a value: nothing, or a comment.
fn rest_is_empty(rest: &str) -> Result<(), String> {
    let r = rest.trim_start();
    if r.is_empty() || r.starts_with('#') {
        Ok(())
    } else {
        Err(format!("unexpected `{r}` after the value"))
    }
}

fn value(text: &str) -> Result<Value, String> {
    let t = text.trim_start();
    if let Some(s) = t.strip_prefix('"') {
        let (v, rest) = basic_string(s)?;
        rest_is_empty(rest)?;
        return Ok(Value::Str(v));
    }
    if let Some(mut s) = t.strip_prefix('[') {
        let mut items = Vec::new();
        loop {
            s = s.trim_start();
            if let Some(rest) = s.strip_prefix(']') {
                rest_is_empty(rest)?;
                return Ok(Value::Array(items));
            }
            let inner = s
                .strip_prefix('"')
                .ok_or("expected a string in the array")?;
            let (v, rest) = basic_string(inner)?;
            items.push(v);
            s = rest.trim_start();
            if let Some(rest) = s.strip_prefix(',') {
                s = rest;
            } else if !s.starts_with(']') {
                return Err("expected `,` or `]` in the array".into());
            }
        }
    }
    Err(format!(
        "expected a string or an array of strings, got `{t}`"
    ))
}

fn parse_expected(text: &str) -> Result<Vec<Label>, String> {
    let mut labels: Vec<Label> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let check = |l: &Label, keys: &[String]| -> Result<(), String> {
        let at = format!("the table at line {}", l.line);
        for k in ["path", "package", "version", "why"] {
            if !keys.iter().any(|x| x == k) {
                return Err(format!("{at} has no `{k}`"));
            }
        }
        match l.kind {
            Kind::Finding if l.ids.is_empty() => Err(format!("{at}: a finding needs `ids`")),
            Kind::Clean if !l.ids.is_empty() || l.fixed.is_some() => {
                Err(format!("{at}: a clean entry has no `ids` or `fixed`"))
            }
            _ => Ok(()),
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let header = match t.split('#').next().unwrap_or("").trim() {
            "[[finding]]" => Some(Kind::Finding),
            "[[clean]]" => Some(Kind::Clean),
            _ => None,
        };
        if let Some(kind) = header {
            if let Some(prev) = labels.last() {
                check(prev, &keys)?;
            }
            keys.clear();
            labels.push(Label {
                kind,
                line,
                path: String::new(),
                package: String::new(),
                version: String::new(),
                ids: Vec::new(),
                fixed: None,
                why: String::new(),
            });
            continue;
        }
        let err = |m: String| format!("expected.toml line {line}: {m}");
        let (key, val) = t
            .split_once('=')
            .ok_or_else(|| err("expected `[[finding]]`, `[[clean]]` or `key = value`".into()))?;
        let key = key.trim();
        let label = labels
            .last_mut()
            .ok_or_else(|| err("a key before any table".into()))?;
        if keys.iter().any(|k| k == key) {
            return Err(err(format!("`{key}` given twice")));
        }
        keys.push(key.to_string());
        match (key, value(val).map_err(&err)?) {
            ("path", Value::Str(s)) => label.path = s,
            ("package", Value::Str(s)) => label.package = s,
            ("version", Value::Str(s)) => label.version = s,
            ("fixed", Value::Str(s)) => label.fixed = Some(s),
            ("why", Value::Str(s)) => label.why = s,
            ("ids", Value::Array(a)) => label.ids = a,
            (k, _) => return Err(err(format!("unknown key or wrong type: `{k}`"))),
        }
    }
    if let Some(prev) = labels.last() {
        check(prev, &keys)?;
    }
    Ok(labels)
}

// ---------------------------------------------------------------------------------------------------------
// Identity of a labeled pair: the lockfile, the package as its ecosystem compares names, the version.
// ---------------------------------------------------------------------------------------------------------

fn ecosystem_of(path: &str) -> &'static str {
    match path.rsplit('/').next().unwrap_or(path) {
        "requirements.txt" | "poetry.lock" => "PyPI",
        "package-lock.json" => "npm",
        "Cargo.lock" => "crates.io",
        "go.mod" => "Go",
        "Gemfile.lock" => "RubyGems",
        "composer.lock" => "Packagist",
        "pom.xml" => "Maven",
        other => panic!("expected.toml names a file of no known ecosystem: {other}"),
    }
}

/// PyPI names compare under PEP 503 (case-folded, runs of `-_.` as one `-`); Composer's and RubyGems' labels are
/// lower case here anyway; the others compare as written.
fn name_key(eco: &str, name: &str) -> String {
    match eco {
        "PyPI" => {
            let mut out = String::new();
            let mut sep = false;
            for c in name.chars() {
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
        "Packagist" | "RubyGems" => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

/// A label's version is the lockfile's text; Composer's leading `v` is no part of the version
/// (`VersionParser::normalize` drops it, OSV's Packagist records omit it), so either spelling is the same pair.
fn version_key(eco: &str, version: &str) -> String {
    match eco {
        "Packagist" => match version.strip_prefix(['v', 'V']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest.to_string(),
            _ => version.to_string(),
        },
        _ => version.to_string(),
    }
}

type Key = (String, String, String);

fn key(path: &str, package: &str, version: &str) -> Key {
    let eco = ecosystem_of(path);
    (
        path.to_string(),
        name_key(eco, package),
        version_key(eco, version),
    )
}

/// One `deps/vulnerable-package` finding as warden reported it.
#[derive(Debug, Clone)]
struct Reported {
    path: String,
    package: String,
    version: String,
    ids: Vec<String>,
    fixed: Option<String>,
}

impl Reported {
    fn show(&self) -> String {
        format!(
            "{} {} {}: [{}], fixed {}",
            self.path,
            self.package,
            self.version,
            self.ids.join(", "),
            self.fixed.as_deref().unwrap_or("(none)")
        )
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    v
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = warden()
        .args(args)
        .current_dir(dir)
        .write_stdin("")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn expected_toml_subset_parser_reads_and_rejects() {
    let ok = parse_expected(
        "# c\n[[finding]] # t\npath = \"npm/package-lock.json\"\npackage = \"a\"\nversion = \"1.0.0\"\n\
         ids = [\"X-1\", \"X-2\",]\nfixed = \"1.0.1\" # c\nwhy = \"say \\\"hi\\\" \\u00e9\"\n\n[[clean]]\n\
         path = \"go/go.mod\"\npackage = \"m\"\nversion = \"v1\"\nwhy = \"w\"\n",
    )
    .unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].ids, ["X-1", "X-2"]);
    assert_eq!(ok[0].why, "say \"hi\" é");
    assert_eq!(ok[0].fixed.as_deref(), Some("1.0.1"));
    assert_eq!(ok[1].kind, Kind::Clean);
    for bad in [
        "path = \"x\"\n",
        "[[finding]]\npath = \"a\"\npackage = \"b\"\nversion = \"c\"\nwhy = \"d\"\n",
        "[[clean]]\npath = \"a\"\npackage = \"b\"\nversion = \"c\"\nwhy = \"d\"\nfixed = \"e\"\n",
        "[[clean]]\npath = \"a\"\npackage = \"b\"\nversion = 'c'\nwhy = \"d\"\n",
        "[[clean]]\npath = \"a\"\npath = \"a\"\n",
        "[[clean]]\npath = \"a\" x\n",
        "[[clean]]\nwho = \"a\"\n",
        "[finding]\n",
    ] {
        assert!(parse_expected(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn known_vulnerability_matching_agrees_with_the_labeled_set() {
    let src = set_dir();
    let labels =
        parse_expected(&std::fs::read_to_string(src.join("expected.toml")).unwrap()).unwrap();
    let findings_n = labels.iter().filter(|l| l.kind == Kind::Finding).count();
    assert!(
        labels.len() >= 60 && findings_n > 0 && findings_n < labels.len(),
        "the set needs at least 60 labeled pairs, affected and clean"
    );
    // Each labeled pair once: a (file, package, version) is either clean or a list of distinct vulnerabilities.
    let mut seen: BTreeMap<Key, Kind> = BTreeMap::new();
    for l in &labels {
        assert!(
            src.join(&l.path).is_file(),
            "line {}: no file {}",
            l.line,
            l.path
        );
        let k = key(&l.path, &l.package, &l.version);
        if let Some(prev) = seen.insert(k.clone(), l.kind) {
            assert!(
                prev == Kind::Finding && l.kind == Kind::Finding,
                "line {}: {k:?} is labeled both clean and affected, or clean twice",
                l.line
            );
        }
    }

    let tmp = tempfile::tempdir().unwrap();
    let set = tmp.path().join("set");
    copy_dir(&src, &set);
    let db = tmp.path().join("osv.db");
    let (db_s, set_s) = (db.to_str().unwrap(), set.to_str().unwrap());
    let osv = set.join("osv");
    let records = std::fs::read_dir(&osv)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();

    let (code, out, err) = run(
        tmp.path(),
        &["vulndb", "import", osv.to_str().unwrap(), "--vulndb", db_s],
    );
    assert_eq!(code, 0, "vulndb import failed: {out}{err}");
    assert!(
        out.contains(&format!("{records} records read: {records} added")),
        "every record of osv/ is imported: {out}"
    );

    let (code, out, err) = run(
        tmp.path(),
        &[
            "scan",
            set_s,
            "--only",
            "deps",
            "--vulndb",
            db_s,
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(code, 0, "scan failed: {err}");
    let doc = json(out.as_bytes());
    // Every lockfile was read: nothing unreadable, no parse error, each labeled file scanned.
    assert_eq!(
        doc["diagnostics"].as_array().map_or(0, Vec::len),
        0,
        "the scan reported diagnostics (a lockfile it could not read?): {:#}",
        doc["diagnostics"]
    );
    let files: std::collections::BTreeSet<&str> = labels.iter().map(|l| l.path.as_str()).collect();
    assert!(
        doc["summary"]["files_scanned"].as_u64().unwrap_or(0) >= files.len() as u64,
        "not every lockfile of the set was scanned: {:#}",
        doc["summary"]
    );

    let mut reported: Vec<Reported> = Vec::new();
    for f in doc["findings"].as_array().expect("findings") {
        if f["rule_id"] != "deps/vulnerable-package" {
            continue;
        }
        let d = &f["ext"]["deps"];
        let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        reported.push(Reported {
            path: s(&f["location"]["path"]),
            package: s(&d["package"]),
            version: s(&d["version"]),
            ids: sorted(
                &d["ids"]
                    .as_array()
                    .map(|a| a.iter().map(s).collect::<Vec<_>>())
                    .unwrap_or_default(),
            ),
            fixed: d["fixed"].as_str().map(str::to_string),
        });
    }
    let mut by_key: BTreeMap<Key, Vec<(usize, &Reported)>> = BTreeMap::new();
    for (i, r) in reported.iter().enumerate() {
        by_key
            .entry(key(&r.path, &r.package, &r.version))
            .or_default()
            .push((i, r));
    }

    let mut used = vec![false; reported.len()];
    let mut report: Vec<String> = Vec::new();
    let mut agree = 0usize;
    let mut per_eco: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for l in &labels {
        let k = key(&l.path, &l.package, &l.version);
        let here = by_key.get(&k).map(Vec::as_slice).unwrap_or_default();
        let where_ = format!(
            "{} {} {} (expected.toml line {})",
            l.path, l.package, l.version, l.line
        );
        let good = match l.kind {
            Kind::Clean => {
                for (i, r) in here {
                    used[*i] = true;
                    report.push(format!(
                        "EXTRA     {where_}: labeled clean, warden reports [{}] fixed {}\n          why clean: {}",
                        r.ids.join(", "),
                        r.fixed.as_deref().unwrap_or("(none)"),
                        l.why
                    ));
                }
                here.is_empty()
            }
            Kind::Finding => {
                let want = sorted(&l.ids);
                let exact = here.iter().find(|(_, r)| r.ids == want);
                let overlap = here
                    .iter()
                    .find(|(i, r)| !used[*i] && r.ids.iter().any(|id| want.contains(id)));
                match (exact, overlap) {
                    (Some((i, r)), _) => {
                        used[*i] = true;
                        if r.fixed == l.fixed {
                            true
                        } else {
                            report.push(format!(
                                "WRONG FIX {where_} [{}]: expected fixed {}, warden says {}\n          why: {}",
                                want.join(", "),
                                l.fixed.as_deref().unwrap_or("(none)"),
                                r.fixed.as_deref().unwrap_or("(none)"),
                                l.why
                            ));
                            false
                        }
                    }
                    (None, Some((i, r))) => {
                        used[*i] = true;
                        report.push(format!(
                            "WRONG IDS {where_}: expected [{}], warden reports [{}] (aliases not merged, or merged too far)\n          why: {}",
                            want.join(", "),
                            r.ids.join(", "),
                            l.why
                        ));
                        false
                    }
                    (None, None) => {
                        report.push(format!(
                            "MISSED    {where_}: expected [{}] fixed {}, warden reports nothing\n          why: {}",
                            want.join(", "),
                            l.fixed.as_deref().unwrap_or("(none)"),
                            l.why
                        ));
                        false
                    }
                }
            }
        };
        agree += usize::from(good);
        let e = per_eco.entry(ecosystem_of(&l.path)).or_default();
        e.0 += usize::from(good);
        e.1 += 1;
    }
    let mut unlabeled = 0;
    for (i, r) in reported.iter().enumerate() {
        if !used[i] {
            unlabeled += 1;
            report.push(format!(
                "EXTRA     {}: no label names this (package, version, vulnerability)",
                r.show()
            ));
        }
    }

    let per: Vec<String> = per_eco
        .iter()
        .map(|(e, (a, n))| format!("{e} {a}/{n}"))
        .collect();
    println!(
        "accuracy: {agree}/{} labeled pairs agree ({}); {} findings reported, {unlabeled} unlabeled",
        labels.len(),
        per.join(", "),
        reported.len()
    );
    for line in &report {
        println!("{line}");
    }
    assert!(
        report.is_empty(),
        "{} disagreement(s) with the labeled set (printed above)",
        report.len()
    );
}
