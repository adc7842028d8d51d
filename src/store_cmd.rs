//! The findings store from the CLI: `warden scan --db` records a scan, `warden triage` lists and decides,
//! `warden audit` verifies and exports the hash-chained log.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use warden_core::{HashKey, ScanResult};
use warden_store::{audit, Decision, FindingRecord, ScanDiff, ScanRecord, State, Store};

/// Where `--db` points when given without a value: `.warden/warden.db` under the repository root.
pub fn open(db: &str, target: &Path) -> Result<Box<dyn Store + Send>> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok(Box::new(warden_store::pg::Postgres::open(db)?));
    }
    let path = if db.is_empty() {
        let dir = warden_scan::key::key_root(target).join(warden_scan::key::KEY_DIR);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        dir.join("warden.db")
    } else {
        PathBuf::from(db)
    };
    Ok(Box::new(warden_store::sqlite::Sqlite::open(&path)?))
}

/// Who is acting: `WARDEN_ACTOR`, else git's `user.email` (or `user.name`), else the login name.
pub fn actor(explicit: Option<&str>) -> String {
    if let Some(a) = explicit.filter(|a| !a.trim().is_empty()) {
        return a.to_string();
    }
    if let Ok(a) = std::env::var("WARDEN_ACTOR") {
        if !a.trim().is_empty() {
            return a;
        }
    }
    for key in ["user.email", "user.name"] {
        let out = std::process::Command::new("git")
            .args(["config", "--get", key])
            .stdin(std::process::Stdio::null())
            .output();
        if let Ok(o) = out {
            let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if o.status.success() && !v.is_empty() {
                return v;
            }
        }
    }
    std::env::var("USER").unwrap_or_else(|_| "unknown".into())
}

/// The repository and branch a path belongs to, as the store names them.
pub fn identity(target: &Path) -> (String, String) {
    let repo = warden_scan::repository_identity(target).unwrap_or_else(|| {
        std::fs::canonicalize(target)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| target.display().to_string())
    });
    let branch = warden_scan::head_of(target)
        .1
        .unwrap_or_else(|| "(no branch)".into());
    (repo, branch)
}

/// The repository's CODEOWNERS, if it has one (in any of the places GitHub and GitLab read it from).
fn owners_of(target: &Path) -> Option<warden_triage::codeowners::CodeOwners> {
    let root = warden_scan::key::key_root(target);
    warden_triage::codeowners::LOCATIONS
        .iter()
        .find_map(|l| std::fs::read_to_string(root.join(l)).ok())
        .map(|t| warden_triage::codeowners::CodeOwners::parse(&t))
}

/// At most this many files are blamed for a scan's context (the ones with the most findings first).
const MAX_BLAME_FILES: usize = 2000;

/// What surrounds a finding, as the store keeps it: the kind of code and the service it sits in, its exposure
/// and AI assets, and who changed its lines last and when.
fn context_json(
    f: &warden_core::Finding,
    p: &warden_triage::Priority,
    cx: &warden_triage::Context,
    last: Option<&warden_scan::blame::LastChange>,
) -> serde_json::Value {
    let mut c = serde_json::Map::new();
    c.insert(
        "code".into(),
        serde_json::to_value(p.code).unwrap_or_default(),
    );
    if let Some((name, crit)) = cx.services.of(&f.location.path) {
        c.insert("service".into(), name.into());
        c.insert(
            "criticality".into(),
            serde_json::to_value(crit).unwrap_or_default(),
        );
    }
    if f.tags.iter().any(|t| t == "exposure:public") {
        c.insert("exposure".into(), "public".into());
    }
    let ai: Vec<&String> = f.assets.iter().filter(|a| a.starts_with("ai:")).collect();
    if !ai.is_empty() {
        c.insert("ai_assets".into(), serde_json::json!(ai));
    }
    let invariants: Vec<&str> = f
        .tags
        .iter()
        .filter_map(|t| t.strip_prefix("invariant:"))
        .collect();
    if !invariants.is_empty() {
        c.insert("invariants".into(), serde_json::json!(invariants));
    }
    if let Some(l) = last {
        c.insert(
            "last_change".into(),
            serde_json::json!({
                "commit": l.commit,
                "author": l.author,
                "date": warden_core::time::rfc3339(l.time),
                // Seconds, for the age shown at display time: storing the age would make every row differ
                // each day and defeat the store's skipping of unchanged rows.
                "time": l.time,
            }),
        );
    }
    serde_json::Value::Object(c)
}

/// A scan result as the store records it: redacted snippets and keyed hashes, never a secret; each finding
/// with its priority, the reasons for it, and its context.
fn record_of(
    result: &ScanResult,
    key: &HashKey,
    repo: &str,
    branch: &str,
    cx: &warden_triage::Context,
    target: &Path,
) -> ScanRecord {
    // Blame only what HEAD holds: a finding only in history has no lines there.
    let mut wanted = warden_scan::blame::Wanted::new();
    for f in &result.findings {
        if f.location.provenance.as_ref().is_some_and(|p| !p.in_head) {
            continue;
        }
        let (s, e) = (
            f.location.start_line,
            f.location.end_line.max(f.location.start_line),
        );
        let ranges = wanted.entry(f.location.path.clone()).or_default();
        if !ranges.contains(&(s, e)) {
            ranges.push((s, e));
        }
    }
    let blame = warden_scan::blame::last_changes(target, &wanted, MAX_BLAME_FILES);
    // Fingerprints are content-based: the same secret twice in one file is one finding to triage, stored once
    // (at its first place).
    let mut seen = std::collections::HashSet::new();
    let findings = result
        .findings
        .iter()
        .filter(|f| seen.insert(f.fingerprint.as_str()))
        .map(|f| {
            let p = warden_triage::prioritise(f, cx);
            let last = blame.get(&(
                f.location.path.clone(),
                f.location.start_line,
                f.location.end_line.max(f.location.start_line),
            ));
            let context = context_json(f, &p, cx, last);
            let normalised: String = f.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            FindingRecord {
                fingerprint: f.fingerprint.clone(),
                content_key: key.fingerprint(&f.rule_id, "", &f.matched),
                line_key: if normalised.is_empty() {
                    String::new()
                } else {
                    key.fingerprint(&f.rule_id, &f.location.path, &format!("line:{normalised}"))
                },
                rule_id: f.rule_id.clone(),
                title: f.title.clone(),
                severity: f.severity.as_str().to_string(),
                confidence: f.confidence.as_str().to_string(),
                path: f.location.path.clone(),
                line: f.location.start_line as i64,
                message: f.message.clone(),
                snippet: f.snippet.clone(),
                secret_hash: f
                    .ext
                    .get("secrets")
                    .and_then(|s| s.get("secret_hash"))
                    .and_then(|h| h.as_str())
                    .map(str::to_string),
                priority: p.level as i64,
                priority_reasons: p.reasons,
                owner: p.owner,
                context: Some(context),
            }
        })
        .collect();
    ScanRecord {
        repo: repo.into(),
        branch: branch.into(),
        started_at: result.scan.started_at.clone(),
        head_commit: result.scan.head_commit.clone(),
        tool_version: result.scan.tool_version.clone(),
        rules_version: result.scan.rules_version.clone(),
        actor: actor(None),
        findings,
    }
}

/// Each finding's priority, reasons, owner and context as the store would record them (without the blame of its
/// lines), in the order of the result's findings: for the HTML report.
pub fn triage_of(
    result: &ScanResult,
    settings: &warden_triage::Settings,
    target: &Path,
) -> Vec<warden_report::html::Triage> {
    let owners = owners_of(target);
    let cx = warden_triage::Context {
        owners: owners.as_ref(),
        services: &settings.services,
        invariants: &settings.invariants,
    };
    result
        .findings
        .iter()
        .map(|f| {
            let p = warden_triage::prioritise(f, &cx);
            let context = context_json(f, &p, &cx, None);
            warden_report::html::Triage {
                priority: p.level,
                reasons: p.reasons,
                owner: p.owner,
                context: Some(context),
            }
        })
        .collect()
}

/// A scan as `warden scan --upload` sends it to a server: what `--db` would record.
pub fn record_for_upload(
    result: &ScanResult,
    key: &HashKey,
    settings: &warden_triage::Settings,
    target: &Path,
) -> ScanRecord {
    let owners = owners_of(target);
    let cx = warden_triage::Context {
        owners: owners.as_ref(),
        services: &settings.services,
        invariants: &settings.invariants,
    };
    let (repo, branch) = identity(target);
    record_of(result, key, &repo, &branch, &cx, target)
}

/// Records a scan in the store and marks each finding's `baseline_state`.
pub fn record(
    result: &mut ScanResult,
    key: &HashKey,
    settings: &warden_triage::Settings,
    db: &str,
    target: &Path,
) -> Result<ScanDiff> {
    let owners = owners_of(target);
    let cx = warden_triage::Context {
        owners: owners.as_ref(),
        services: &settings.services,
        invariants: &settings.invariants,
    };
    let mut store = open(db, target)?;
    let (repo, branch) = identity(target);
    let rec = record_of(result, key, &repo, &branch, &cx, target);
    let diff = store.record_scan(&rec)?;
    let new: std::collections::HashSet<&str> = diff.new.iter().map(String::as_str).collect();
    let reopened: std::collections::HashSet<&str> =
        diff.reopened.iter().map(String::as_str).collect();
    for f in &mut result.findings {
        f.baseline_state = Some(
            if new.contains(f.fingerprint.as_str()) {
                "new"
            } else if reopened.contains(f.fingerprint.as_str()) {
                "updated"
            } else {
                "unchanged"
            }
            .into(),
        );
    }
    eprintln!(
        "warden: store ({repo} @ {branch}): {} new, {} unchanged, {} reopened, {} fixed (scan {})",
        diff.new.len(),
        diff.unchanged.len(),
        diff.reopened.len(),
        diff.fixed.len(),
        diff.scan_id
    );
    Ok(diff)
}

#[derive(Args)]
pub struct StoreArgs {
    /// The store: a SQLite file, or a postgres:// URL (default: .warden/warden.db in the repository)
    #[arg(long, default_value = "")]
    pub db: String,
    /// The repository the findings belong to (default: the current directory's)
    #[arg(long, default_value = ".")]
    pub repo_path: PathBuf,
}

#[derive(Subcommand)]
pub enum TriageCommand {
    /// The open findings of this repository and branch, most severe first
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// States to list (default: open, confirmed)
        #[arg(long, value_delimiter = ',')]
        state: Vec<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// A finding is a real problem
    Confirm(DecideArgs),
    /// A finding is a false positive
    Dismiss(DecideArgs),
    /// A finding's risk is accepted until a date (--expires); it reopens then
    Accept(DecideArgs),
    /// Back to open
    Reopen(DecideArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct DecideArgs {
    /// The finding: its id in the store, or its fingerprint (8 or more leading hex digits)
    id: String,
    /// Why (recorded in the audit log)
    #[arg(long)]
    reason: String,
    /// For accept: until when (YYYY-MM-DD)
    #[arg(long)]
    expires: Option<String>,
    /// Who decides (default: WARDEN_ACTOR, else git's user.email)
    #[arg(long)]
    actor: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Checks the whole hash chain; exit 1 naming the first edited, inserted, deleted or reordered entry
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Writes the log as JSON lines
    Export {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
}

fn now() -> String {
    warden_core::time::rfc3339(warden_core::time::now())
}

pub fn triage(cmd: TriageCommand) -> Result<u8> {
    let (args, to) = match cmd {
        TriageCommand::List {
            store,
            state,
            format,
        } => return list(store, state, format),
        TriageCommand::Confirm(a) => (a, State::Confirmed),
        TriageCommand::Dismiss(a) => (a, State::FalsePositive),
        TriageCommand::Accept(a) => (a, State::AcceptedRisk),
        TriageCommand::Reopen(a) => (a, State::Open),
    };
    let mut store = open(&args.store.db, &args.store.repo_path)?;
    let f = store.decide(&Decision {
        finding: args.id.clone(),
        to,
        reason: args.reason.clone(),
        expires: args.expires.clone(),
        actor: actor(args.actor.as_deref()),
        at: now(),
    })?;
    println!(
        "{} {} {}:{} is {}",
        f.id,
        f.rule_id,
        f.path,
        f.line,
        f.state.as_str()
    );
    Ok(0)
}

fn list(store_args: StoreArgs, states: Vec<String>, format: ListFormat) -> Result<u8> {
    let mut store = open(&store_args.db, &store_args.repo_path)?;
    store.expire(&now())?;
    let (repo, branch) = identity(&store_args.repo_path);
    let states: Vec<State> = if states.is_empty() {
        vec![State::Open, State::Confirmed]
    } else {
        states
            .iter()
            .map(|s| State::parse(s).ok_or_else(|| anyhow!("--state {s}: unknown state")))
            .collect::<Result<_>>()?
    };
    // In priority order (the store returns them so).
    let found = store.findings(&repo, &branch, &states)?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &found)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            writeln!(out, "{repo} @ {branch}: {} findings", found.len())?;
            for f in &found {
                writeln!(
                    out,
                    "P{} {:>6}  {:<8} {:<15} {}:{}  {}  {}{}",
                    f.priority,
                    f.id,
                    f.severity,
                    f.state.as_str(),
                    f.path,
                    f.line,
                    f.rule_id,
                    &f.fingerprint[..f.fingerprint.len().min(12)],
                    f.owner
                        .as_deref()
                        .map(|o| format!("  {o}"))
                        .unwrap_or_default()
                )?;
                writeln!(out, "           {}", f.priority_reasons.join("; "))?;
                if let Some(c) = f.context.as_ref().and_then(context_line) {
                    writeln!(out, "           {c}")?;
                }
            }
        }
    }
    Ok(0)
}

/// One line of context under a finding in `warden triage list`: the kind of code, the service, the last change.
fn context_line(c: &serde_json::Value) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(code) = c["code"].as_str() {
        parts.push(format!("{code} code"));
    }
    if let Some(s) = c["service"].as_str() {
        parts.push(format!(
            "service {s} ({})",
            c["criticality"].as_str().unwrap_or("normal")
        ));
    }
    if let Some(l) = c.get("last_change") {
        let days = (warden_core::time::now() - l["time"].as_i64().unwrap_or(0)).max(0) / 86_400;
        let when = match days {
            0 => "today".to_string(),
            1 => "yesterday".to_string(),
            d => format!("{d} days ago"),
        };
        parts.push(format!(
            "last changed {when} by {} ({})",
            l["author"].as_str().unwrap_or("?"),
            &l["commit"].as_str().unwrap_or("")
                [..l["commit"].as_str().map_or(0, |c| c.len().min(10))]
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

pub fn audit_cmd(cmd: AuditCommand) -> Result<u8> {
    match cmd {
        AuditCommand::Verify { store } => {
            let mut s = open(&store.db, &store.repo_path)?;
            let log = s.audit_log()?;
            match audit::verify(&log) {
                Ok(n) => {
                    println!("audit log verified: {n} entries, chain intact");
                    Ok(0)
                }
                Err(e) => {
                    println!("audit log broken: {e}");
                    Ok(1)
                }
            }
        }
        AuditCommand::Export { store, output } => {
            let mut s = open(&store.db, &store.repo_path)?;
            let log = s.audit_log()?;
            let write = |w: &mut dyn Write| -> std::io::Result<()> {
                for e in &log {
                    serde_json::to_writer(&mut *w, e)?;
                    writeln!(w)?;
                }
                Ok(())
            };
            match output {
                Some(p) => crate::write_atomically(&p, write)?,
                None => {
                    let mut out = std::io::stdout().lock();
                    write(&mut out).context("writing to stdout")?;
                }
            }
            Ok(0)
        }
    }
}

/// `--new-only` without `--db` makes no sense: say so.
pub fn check_new_only(db: Option<&str>, new_only: bool) -> Result<()> {
    if new_only && db.is_none() {
        bail!("--new-only needs --db (what is new is decided against the store)");
    }
    Ok(())
}
