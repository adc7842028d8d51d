//! A throwaway two-phase analyzer, written against `warden_core` alone, driven through every source. It checks
//! what a new analyzer relies on: claims (text and stream), the shared per-file cache, facts scoped to one tree,
//! second-phase findings with related locations, inventory outputs, and inline markers on second-phase findings.

use std::io::Read as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use warden_core::{
    Analyzer, Asset, AssetKind, Claim, Confidence, Config, Edge, EdgeKind, Fact, Facts, FileMeta,
    FileOutput, Finding, FinishOutput, FinishScope, HashKey, Location, Related, RelatedKind,
    RuleMeta, ScanResult, Severity, SkipReason, SourceFile,
};
use warden_scan::Scanner;

/// `.links` files: `include NAME` lines. The second phase reports includes of files the tree does not hold.
struct Links {
    scope: FinishScope,
    rules: Vec<RuleMeta>,
    parses: &'static AtomicUsize,
}

/// Reads `.bin` files of any size as a stream and reports the ones whose magic says "EVIL".
struct Magic {
    rules: Vec<RuleMeta>,
    parses: &'static AtomicUsize,
}

/// One parse per file, shared by both analyzers through the file's cache.
struct Parsed {
    includes: Vec<(u32, String)>,
}

fn parsed(file: &SourceFile, parses: &AtomicUsize) -> std::rc::Rc<Parsed> {
    file.cached(|f| {
        parses.fetch_add(1, Ordering::SeqCst);
        let text = String::from_utf8_lossy(f.bytes()).into_owned();
        Parsed {
            includes: text
                .lines()
                .enumerate()
                .filter_map(|(i, l)| {
                    l.strip_prefix("include ").map(|t| {
                        (
                            i as u32 + 1,
                            t.split_whitespace().next().unwrap_or("").to_string(),
                        )
                    })
                })
                .collect(),
        }
    })
}

fn rule(id: &str) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        title: id.into(),
        severity: Severity::Medium,
        confidence: Confidence::High,
        description: "test rule".into(),
        remediation: "fix it".into(),
        tags: vec![],
        references: vec![],
    }
}

impl Links {
    fn new(scope: FinishScope, parses: &'static AtomicUsize) -> Self {
        Links {
            scope,
            rules: vec![rule("links/dangling-include")],
            parses,
        }
    }
}

impl Analyzer for Links {
    fn name(&self) -> &'static str {
        "links"
    }
    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }
    fn claim(&self, file: &FileMeta) -> Claim {
        if file.extension().as_deref() == Some("links") {
            Claim::Text
        } else {
            Claim::Skip
        }
    }
    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let p = parsed(file, self.parses);
        out.facts.push(Fact {
            analyzer: "links".into(),
            kind: "links/file".into(),
            path: file.meta.path.into(),
            data: serde_json::json!({ "includes": p.includes }),
        });
    }
    fn finish_scope(&self) -> FinishScope {
        self.scope
    }
    fn finish(&self, facts: &Facts) -> FinishOutput {
        let present: std::collections::HashSet<&str> = facts
            .of_kind("links/file")
            .map(|f| f.path.as_str())
            .collect();
        let mut out = FinishOutput::default();
        for f in facts.of_kind("links/file") {
            out.assets.push(Asset {
                id: format!("links:{}", f.path),
                kind: AssetKind::Dataset,
                name: f.path.clone(),
                location: None,
                properties: serde_json::Value::Null,
            });
            let includes: Vec<(u32, String)> =
                serde_json::from_value(f.data["includes"].clone()).unwrap();
            for (line, target) in includes {
                if present.contains(target.as_str()) {
                    out.edges.push(Edge {
                        from: format!("links:{}", f.path),
                        to: format!("links:{target}"),
                        kind: EdgeKind::Uses,
                    });
                    continue;
                }
                let mut finding = Finding::new(
                    &self.rules[0],
                    format!("`{target}` is not in this tree"),
                    Location::at(f.path.clone(), line, 1, 9),
                );
                finding.matched = format!("{}->{target}", f.path);
                finding.related.push(Related {
                    kind: RelatedKind::Context,
                    location: Location::at(target.clone(), 1, 1, 1),
                    message: "expected here".into(),
                });
                out.findings.push(finding);
            }
        }
        out
    }
}

impl Analyzer for Magic {
    fn name(&self) -> &'static str {
        "magic"
    }
    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }
    fn claim(&self, file: &FileMeta) -> Claim {
        match file.extension().as_deref() {
            Some("bin") => Claim::Stream,
            // Shares the parse the links analyzer built.
            Some("links") => Claim::Text,
            _ => Claim::Skip,
        }
    }
    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        if file.meta.path.ends_with(".links") {
            let _ = parsed(file, self.parses);
            return;
        }
        let mut stream = file.open().expect("stream opens");
        let mut magic = [0u8; 4];
        if stream.read_exact(&mut magic).is_ok() && &magic == b"EVIL" {
            let mut f = Finding::new(
                &self.rules[0],
                "evil magic",
                Location::at(file.meta.path, 1, 1, 5),
            );
            f.matched = "EVIL".into();
            out.findings.push(f);
        }
    }
}

fn key() -> HashKey {
    HashKey::new(vec![7; 32]).unwrap()
}

fn scanner(scope: FinishScope, config: Config) -> (Scanner, &'static AtomicUsize) {
    let parses: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
    let magic = Magic {
        rules: vec![rule("magic/evil")],
        parses,
    };
    let analyzers: Vec<Box<dyn Analyzer>> =
        vec![Box::new(Links::new(scope, parses)), Box::new(magic)];
    (Scanner::new(analyzers, config, key()).threads(2), parses)
}

fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Runs git in `root` with a fixed identity (and, for commits, a fixed date), outside the user's config.
fn git_at(root: &Path, args: &[&str], date: Option<&str>) {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@acme.test")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@acme.test")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        .stdin(std::process::Stdio::null());
    if let Some(d) = date {
        cmd.env("GIT_AUTHOR_DATE", d).env("GIT_COMMITTER_DATE", d);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn git(root: &Path, args: &[&str]) {
    git_at(root, args, None);
}

fn commit(root: &Path, msg: &str, date: &str) {
    git(root, &["add", "-A"]);
    git_at(root, &["commit", "-q", "-m", msg], Some(date));
}

fn init(root: &Path) {
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["config", "commit.gpgsign", "false"]);
}

fn dangling(r: &ScanResult) -> Vec<(String, u32)> {
    r.findings
        .iter()
        .filter(|f| f.rule_id == "links/dangling-include")
        .map(|f| (f.location.path.clone(), f.location.start_line))
        .collect()
}

#[test]
fn both_phases_run_on_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a.links", "include b.links\ninclude gone.links\n# warden:ignore[dangling-include]\ninclude quiet.links\n");
    write(root, "b.links", "nothing\n");
    // Larger than the size cap and binary: the text analyzer never reads it, the stream analyzer does.
    let mut big = b"EVIL\0".to_vec();
    big.resize(64 * 1024, 0);
    write(root, "model.bin", &big);
    write(root, "other.txt", "not claimed\n");
    let config = Config {
        max_file_size: Some(1024),
        ..Config::default()
    };
    let (s, parses) = scanner(FinishScope::Head, config);
    let r = s.scan_worktree(root).unwrap();

    assert_eq!(dangling(&r), [("a.links".to_string(), 2)]);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "links/dangling-include")
        .unwrap();
    assert_eq!(f.related[0].location.path, "gone.links");
    assert_eq!(
        f.fingerprint,
        key().fingerprint(&f.rule_id, "a.links", "a.links->gone.links")
    );
    assert_eq!(
        r.stats.suppressed_inline, 1,
        "a marker silences a second-phase finding"
    );
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule_id == "magic/evil" && f.location.path == "model.bin"));
    assert_eq!(r.assets.len(), 2);
    assert_eq!(
        r.edges,
        [Edge {
            from: "links:a.links".into(),
            to: "links:b.links".into(),
            kind: EdgeKind::Uses
        }]
    );
    // Two analyzers read each .links file; it was parsed once.
    assert_eq!(parses.load(Ordering::SeqCst), 2);
    assert_eq!(r.stats.files_scanned, 3);
    assert_eq!(r.stats.skipped.get(&SkipReason::Unclaimed), Some(&1));
    assert_eq!(r.scan.analyzers, ["links", "magic"]);
}

#[test]
fn history_reasons_about_one_tree_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    write(root, "a.links", "include b.links\ninclude c.links\n");
    write(root, "b.links", "x\n");
    commit(root, "first: c.links missing", "2024-01-01T00:00:00Z");
    write(root, "c.links", "y\n");
    std::fs::remove_file(root.join("b.links")).unwrap();
    commit(
        root,
        "second: b.links removed, c.links added",
        "2024-02-01T00:00:00Z",
    );

    // HEAD's tree: b.links is gone, although a blob of it exists in history.
    let (s, _) = scanner(FinishScope::Head, Config::default());
    let r = s.scan_history(root).unwrap();
    assert_eq!(dangling(&r), [("a.links".to_string(), 1)]);
    let p = r.findings[0].location.provenance.as_ref().unwrap();
    assert!(p.in_head && p.summary.starts_with("second"));

    // Every commit's tree: c.links was missing in the first commit and is not any more.
    let (s, _) = scanner(FinishScope::EachCommit, Config::default());
    let r = s.scan_history(root).unwrap();
    let mut found: Vec<(u32, String, bool)> = r
        .findings
        .iter()
        .map(|f| {
            let p = f.location.provenance.as_ref().unwrap();
            (f.location.start_line, p.summary.clone(), p.in_head)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                1,
                "second: b.links removed, c.links added".to_string(),
                true
            ),
            (2, "first: c.links missing".to_string(), false),
        ]
    );
}

#[test]
fn a_blob_renamed_in_head_is_seen_at_its_head_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    // The same bytes first as a .txt file (no analyzer claims it), then renamed to a .links file.
    write(root, "a.links", "include b.links\n");
    write(root, "b.txt", "hello\n");
    commit(root, "first", "2024-01-01T00:00:00Z");
    std::fs::rename(root.join("b.txt"), root.join("b.links")).unwrap();
    commit(root, "rename", "2024-02-01T00:00:00Z");
    let (s, _) = scanner(FinishScope::Head, Config::default());
    let r = s.scan_history(root).unwrap();
    assert_eq!(dangling(&r), Vec::<(String, u32)>::new());
    assert!(r.facts.iter().any(|f| f.path == "b.links"));
}

#[test]
fn staged_sees_the_whole_index_and_reports_what_the_commit_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    write(root, "b.links", "x\n");
    write(root, "old.links", "include missing-for-ages.links\n");
    commit(root, "base", "2024-01-01T00:00:00Z");
    write(root, "a.links", "include b.links\ninclude nowhere.links\n");
    git(root, &["add", "a.links"]);
    let (s, _) = scanner(FinishScope::Head, Config::default());
    let r = s.scan_staged(root).unwrap();
    // b.links is unchanged but in the index: not dangling. old.links is not part of this commit.
    assert_eq!(dangling(&r), [("a.links".to_string(), 2)]);
    assert_eq!(r.stats.files_scanned, 1);
}
