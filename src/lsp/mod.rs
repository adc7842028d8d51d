//! `warden lsp`: a Language Server on stdio that shows warden's findings as diagnostics.
//!
//! - On start and on every save, the workspace is scanned as `warden scan` would (every analyzer, warden.toml,
//!   .wardenignore); every file with findings gets diagnostics, and the scan's facts are kept.
//! - An open buffer is analysed as typed (debounced): its text goes through the per-file phase, and through the
//!   whole-repository phases with the kept facts of every other file (`Scanner::scan_buffer`), so a
//!   cross-file trace or an exposure link updates before the file is saved.
//! - Findings in the baseline (`.warden-baseline.json`, or `--baseline`) and findings the store records as a
//!   false positive or an accepted risk (`.warden/warden.db`, or `--db`) are not shown.
//! - Code actions: an inline `warden:ignore[rule]` comment; for a hard-coded credential, an environment
//!   lookup in the file's language; "explain this rule" (also on hover).
//!
//! Analysis runs on a worker thread; the main thread answers requests from the last results at once.

mod edits;

use crate::{build_scanner, SourceArgs};
use anyhow::{anyhow, Result};
use clap::Args;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use warden_core::{Fact, Finding, RuleMeta, Severity};
use warden_scan::Scanner;

#[derive(Args)]
pub struct LspArgs {
    /// Config file (default: warden.toml at the workspace root, if present)
    #[arg(long)]
    config: Option<PathBuf>,
    /// How long a buffer must stay unchanged before it is analysed
    #[arg(long, value_name = "MS", default_value_t = 150)]
    debounce: u64,
    /// Findings in this baseline are not shown (default: .warden-baseline.json at the root, if present)
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Findings this store records as a false positive or an accepted risk are not shown: a SQLite file or a
    /// postgres:// URL (default: .warden/warden.db at the root, if present)
    #[arg(long, value_name = "PATH|URL")]
    db: Option<String>,
}

const EXPLAIN: &str = "warden.explain";
const RESCAN: &str = "warden.scanWorkspace";

/// An open buffer.
struct Doc {
    text: String,
    version: i32,
}

/// What the main thread and the worker share.
#[derive(Default)]
struct Shared {
    docs: HashMap<String, Doc>,
    /// The findings each URI's diagnostics show now, for code actions and hover.
    shown: HashMap<String, Vec<Finding>>,
    rules: BTreeMap<String, RuleMeta>,
}

enum Job {
    Workspace,
    Buffer(String),
    /// warden.toml or .wardenignore changed: build the scanner again, then rescan.
    Reload,
}

struct Server {
    root: PathBuf,
    utf8: bool,
    args: LspArgs,
}

/// `warden lsp`. Exit 0 after `shutdown` and `exit`; 1 when the client went away or broke the protocol (the
/// reason on stderr, which editors keep as the server's log).
pub fn lsp(args: LspArgs) -> Result<u8> {
    let (conn, io) = Connection::stdio();
    let (id, params) = conn
        .initialize_start()
        .map_err(|e| anyhow!("lsp: before initialize: {e}"))?;
    let params: lt::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|e| e.contains(&lt::PositionEncodingKind::UTF8));
    let root = workspace_root(&params);
    let caps = capabilities(utf8);
    conn.initialize_finish(
        id,
        json!({
            "capabilities": caps,
            "serverInfo": { "name": "warden", "version": env!("CARGO_PKG_VERSION") },
        }),
    )
    .map_err(|e| anyhow!("lsp: initialize: {e}"))?;
    eprintln!("warden lsp: workspace {}", root.display());

    let server = Arc::new(Server { root, utf8, args });
    let shared = Arc::new(Mutex::new(Shared::default()));
    let (jobs, queue) = crossbeam_channel::unbounded();
    let worker = {
        let (server, shared, out) = (server.clone(), shared.clone(), conn.sender.clone());
        std::thread::Builder::new()
            .name("warden-lsp-analysis".into())
            .spawn(move || Worker::new(server, shared, out).run(queue))?
    };
    let _ = jobs.send(Job::Reload);

    let mut code = 1;
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                match conn.handle_shutdown(&req) {
                    Ok(true) => {
                        code = 0;
                        break;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        eprintln!("warden lsp: {e}");
                        break;
                    }
                }
                let resp = respond(&server, &shared, &conn.sender, &jobs, req);
                let _ = conn.sender.send(resp.into());
            }
            Message::Notification(n) if n.method == "exit" => break,
            Message::Notification(n) => notified(&server, &shared, &jobs, n),
            Message::Response(_) => {}
        }
    }
    drop(jobs);
    let _ = worker.join();
    drop(conn);
    if let Err(e) = io.join() {
        eprintln!("warden lsp: {e}");
        return Ok(1);
    }
    Ok(code)
}

fn capabilities(utf8: bool) -> lt::ServerCapabilities {
    lt::ServerCapabilities {
        position_encoding: Some(if utf8 {
            lt::PositionEncodingKind::UTF8
        } else {
            lt::PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
            lt::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lt::CodeActionProviderCapability::Options(
            lt::CodeActionOptions {
                code_action_kinds: Some(vec![lt::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        execute_command_provider: Some(lt::ExecuteCommandOptions {
            commands: vec![EXPLAIN.into(), RESCAN.into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The first workspace folder, else the (deprecated) root URI or path, else the current directory.
#[allow(deprecated)]
fn workspace_root(p: &lt::InitializeParams) -> PathBuf {
    p.workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| path_of(f.uri.as_str()))
        .or_else(|| p.root_uri.as_ref().and_then(|u| path_of(u.as_str())))
        .or_else(|| p.root_path.as_ref().map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A `file:` URI's path (percent-decoded); `None` for other schemes.
fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///p` (empty authority) or `file://localhost/p`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let decoded = percent_encoding::percent_decode_str(rest).collect::<Vec<u8>>();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(decoded)))
    }
    #[cfg(not(unix))]
    {
        Some(PathBuf::from(
            String::from_utf8_lossy(&decoded).into_owned(),
        ))
    }
}

/// The `file:` URI of a path.
fn uri_of(path: &Path) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let s = path.to_string_lossy();
    format!("file://{}", percent_encoding::utf8_percent_encode(&s, KEEP))
}

fn lsp_uri(s: &str) -> Option<lt::Uri> {
    lt::Uri::from_str(s).ok()
}

impl Server {
    /// The path of a URI relative to the workspace root, `/`-separated; `None` outside it or not a file.
    fn rel(&self, uri: &str) -> Option<String> {
        let path = path_of(uri)?;
        let rel = path.strip_prefix(&self.root).ok()?;
        Some(
            rel.to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/"),
        )
    }

    /// The file name a buffer is analysed under: its path in the workspace, or for a buffer outside it (or
    /// not a file yet) its file name, so analyzers still recognise the language.
    fn name_for(&self, uri: &str) -> String {
        self.rel(uri).unwrap_or_else(|| {
            uri.rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or("buffer")
                .to_string()
        })
    }
}

// ---------------------------------------------------------------------------------------------------------
// Notifications and requests (main thread)

fn notified(server: &Server, shared: &Mutex<Shared>, jobs: &Sender<Job>, n: Notification) {
    use lt::notification::*;
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params) else {
                return;
            };
            let uri = p.text_document.uri.as_str().to_string();
            lock(shared).docs.insert(
                uri.clone(),
                Doc {
                    text: p.text_document.text,
                    version: p.text_document.version,
                },
            );
            let _ = jobs.send(Job::Buffer(uri));
        }
        DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params) else {
                return;
            };
            let uri = p.text_document.uri.as_str().to_string();
            let mut s = lock(shared);
            let Some(doc) = s.docs.get_mut(&uri) else {
                return; // a change to a buffer never opened: nothing to apply it to
            };
            for change in p.content_changes {
                apply_change(&mut doc.text, change, server.utf8);
            }
            doc.version = p.text_document.version;
            drop(s);
            let _ = jobs.send(Job::Buffer(uri));
        }
        DidSaveTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lt::DidSaveTextDocumentParams>(n.params) else {
                return;
            };
            let name = server.name_for(p.text_document.uri.as_str());
            let settings = name == "warden.toml"
                || name == ".wardenignore"
                || server.args.config.as_ref().is_some_and(|c| {
                    path_of(p.text_document.uri.as_str()).is_some_and(|u| &u == c)
                });
            let _ = jobs.send(if settings {
                Job::Reload
            } else {
                Job::Workspace
            });
        }
        DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params) else {
                return;
            };
            lock(shared).docs.remove(p.text_document.uri.as_str());
            // What is on disk shows again: the workspace findings of that file.
            let _ = jobs.send(Job::Workspace);
        }
        _ => {}
    }
}

/// Applies one change of `didChange`: a whole new text, or a range replaced.
fn apply_change(text: &mut String, change: lt::TextDocumentContentChangeEvent, utf8: bool) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let start = offset(text, range.start, utf8);
    let end = offset(text, range.end, utf8).max(start);
    text.replace_range(start..end, &change.text);
}

/// A position as a byte offset in `text`, clamped to the text (a client's stale position never panics).
fn offset(text: &str, pos: lt::Position, utf8: bool) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    line_start + edits::byte_of(&text[line_start..line_end], pos.character, utf8)
}

fn respond(
    server: &Server,
    shared: &Mutex<Shared>,
    out: &Sender<Message>,
    jobs: &Sender<Job>,
    req: Request,
) -> Response {
    use lt::request::*;
    let id = req.id.clone();
    let bad = |e: serde_json::Error| {
        Response::new_err(
            id.clone(),
            ErrorCode::InvalidParams as i32,
            format!("{}: {e}", req.method),
        )
    };
    match req.method.as_str() {
        CodeActionRequest::METHOD => match serde_json::from_value(req.params.clone()) {
            Ok(p) => Response::new_ok(id.clone(), code_actions(server, &lock(shared), p)),
            Err(e) => bad(e),
        },
        HoverRequest::METHOD => match serde_json::from_value(req.params.clone()) {
            Ok(p) => Response::new_ok(id.clone(), hover(server, &lock(shared), p)),
            Err(e) => bad(e),
        },
        ExecuteCommand::METHOD => {
            match serde_json::from_value::<lt::ExecuteCommandParams>(req.params.clone()) {
                Ok(p) if p.command == EXPLAIN => {
                    let rule = p.arguments.first().and_then(Value::as_str).unwrap_or("");
                    let text = lock(shared)
                        .rules
                        .get(rule)
                        .map(explain_text)
                        .unwrap_or_else(|| format!("warden: no rule `{rule}`"));
                    let _ = out.send(
                        Notification::new(
                            "window/showMessage".into(),
                            json!({ "type": 3, "message": text }),
                        )
                        .into(),
                    );
                    Response::new_ok(id.clone(), Value::Null)
                }
                Ok(p) if p.command == RESCAN => {
                    let _ = jobs.send(Job::Workspace);
                    Response::new_ok(id.clone(), Value::Null)
                }
                Ok(p) => Response::new_err(
                    id.clone(),
                    ErrorCode::InvalidParams as i32,
                    format!("unknown command `{}`", p.command),
                ),
                Err(e) => bad(e),
            }
        }
        m => Response::new_err(
            id.clone(),
            ErrorCode::MethodNotFound as i32,
            format!("warden lsp does not handle `{m}`"),
        ),
    }
}

fn lock(m: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    // A panic elsewhere must not take the server down with a poisoned lock: the data is still consistent
    // (every writer replaces whole entries).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The text of a URI as the client sees it: the open buffer, else the file on disk.
fn text_of(shared: &Shared, uri: &str) -> Option<String> {
    if let Some(d) = shared.docs.get(uri) {
        return Some(d.text.clone());
    }
    std::fs::read(path_of(uri)?)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The findings shown on `uri` whose range meets `range`.
fn findings_at<'a>(
    server: &Server,
    shared: &'a Shared,
    text: &str,
    uri: &str,
    range: lt::Range,
) -> Vec<&'a Finding> {
    shared
        .shown
        .get(uri)
        .into_iter()
        .flatten()
        .filter(|f| {
            let r = span(text, &f.location, server.utf8);
            r.start <= range.end && range.start <= r.end
        })
        .collect()
}

fn code_actions(server: &Server, shared: &Shared, p: lt::CodeActionParams) -> Vec<lt::CodeAction> {
    let uri = p.text_document.uri.as_str().to_string();
    let Some(text) = text_of(shared, &uri) else {
        return Vec::new();
    };
    let name = server.name_for(&uri);
    let mut actions = Vec::new();
    let mut explained = HashSet::new();
    for f in findings_at(server, shared, &text, &uri, p.range) {
        let line_no = f.location.start_line.saturating_sub(1);
        let line = text.split('\n').nth(line_no as usize).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let diagnostic = diagnostic(&text, f, server.utf8, &server.root);
        if let Some(comment) = edits::ignore_comment(&name, line, &f.rule_id) {
            let at = lt::Position::new(line_no, edits::column(line, line.len(), server.utf8));
            actions.push(action(
                format!("warden: ignore {} on this line", f.rule_id),
                &p.text_document.uri,
                vec![lt::TextEdit::new(lt::Range::new(at, at), comment)],
                &diagnostic,
                false,
            ));
        }
        if f.rule_id.starts_with("secrets/") && f.location.start_line == f.location.end_line {
            let start = f.location.start_column.saturating_sub(1) as usize;
            let end = f.location.end_column.saturating_sub(1) as usize;
            if let Some(l) = edits::env_lookup(&name, &text, line, start, end, &f.rule_id) {
                let range = lt::Range::new(
                    lt::Position::new(line_no, edits::column(line, l.start, server.utf8)),
                    lt::Position::new(line_no, edits::column(line, l.end, server.utf8)),
                );
                let mut changes = vec![lt::TextEdit::new(range, l.replacement)];
                if let Some(import) = l.import {
                    let top = lt::Position::new(0, 0);
                    changes.insert(
                        0,
                        lt::TextEdit::new(lt::Range::new(top, top), format!("{import}\n")),
                    );
                }
                actions.push(action(
                    format!("warden: read the credential from ${}", l.variable),
                    &p.text_document.uri,
                    changes,
                    &diagnostic,
                    true,
                ));
            }
        }
        if explained.insert(f.rule_id.clone()) {
            actions.push(lt::CodeAction {
                title: format!("warden: explain {}", f.rule_id),
                kind: Some(lt::CodeActionKind::QUICKFIX),
                command: Some(lt::Command::new(
                    format!("warden: explain {}", f.rule_id),
                    EXPLAIN.into(),
                    Some(vec![json!(f.rule_id)]),
                )),
                ..Default::default()
            });
        }
    }
    actions
}

fn action(
    title: String,
    uri: &lt::Uri,
    edits: Vec<lt::TextEdit>,
    diagnostic: &lt::Diagnostic,
    preferred: bool,
) -> lt::CodeAction {
    #[allow(clippy::mutable_key_type)] // lsp_types' Uri hashes its text; nothing here mutates it
    let changes = HashMap::from([(uri.clone(), edits)]);
    lt::CodeAction {
        title,
        kind: Some(lt::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(lt::WorkspaceEdit::new(changes)),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    }
}

fn hover(server: &Server, shared: &Shared, p: lt::HoverParams) -> Option<lt::Hover> {
    let uri = p
        .text_document_position_params
        .text_document
        .uri
        .as_str()
        .to_string();
    let pos = p.text_document_position_params.position;
    let text = text_of(shared, &uri)?;
    let found = findings_at(server, shared, &text, &uri, lt::Range::new(pos, pos));
    if found.is_empty() {
        return None;
    }
    let value = found
        .iter()
        .map(|f| {
            let rule = shared.rules.get(&f.rule_id);
            let mut s = format!(
                "**{}** · {} · `{}`\n\n{}",
                f.title, f.severity, f.rule_id, f.message
            );
            if let Some(r) = rule {
                s.push_str(&format!("\n\n{}", r.description));
            }
            if !f.remediation.is_empty() {
                s.push_str(&format!("\n\n**Fix:** {}", f.remediation));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Some(lt::Hover {
        contents: lt::HoverContents::Markup(lt::MarkupContent {
            kind: lt::MarkupKind::Markdown,
            value,
        }),
        range: None,
    })
}

/// `warden explain`'s text for a rule.
fn explain_text(r: &RuleMeta) -> String {
    let mut s = format!(
        "{} — {}\nseverity {}, confidence {}\n\n{}\n\nHow to fix: {}",
        r.id, r.title, r.severity, r.confidence, r.description, r.remediation
    );
    if !r.references.is_empty() {
        s.push_str(&format!("\n\nReferences: {}", r.references.join(" ")));
    }
    s
}

// ---------------------------------------------------------------------------------------------------------
// Diagnostics

fn severity(s: Severity) -> lt::DiagnosticSeverity {
    match s {
        Severity::Critical | Severity::High => lt::DiagnosticSeverity::ERROR,
        Severity::Medium => lt::DiagnosticSeverity::WARNING,
        Severity::Low => lt::DiagnosticSeverity::INFORMATION,
        Severity::Info => lt::DiagnosticSeverity::HINT,
    }
}

/// A location's range in the client's units, from its 1-based byte columns (end exclusive) and the text.
fn span(text: &str, l: &warden_core::Location, utf8: bool) -> lt::Range {
    if l.byte_offset.is_some() {
        return lt::Range::new(lt::Position::new(0, 0), lt::Position::new(0, 0));
    }
    let line = |n: u32| -> &str {
        let s = text
            .split('\n')
            .nth(n.saturating_sub(1) as usize)
            .unwrap_or("");
        s.strip_suffix('\r').unwrap_or(s)
    };
    let pos = |n: u32, col: u32| {
        lt::Position::new(
            n.saturating_sub(1),
            edits::column(line(n), col.saturating_sub(1) as usize, utf8),
        )
    };
    let start = pos(l.start_line, l.start_column);
    let mut end = pos(l.end_line.max(l.start_line), l.end_column);
    if end <= start {
        // A finding about a whole line (no columns): the line.
        end = lt::Position::new(
            start.line,
            edits::column(line(l.start_line), usize::MAX, utf8),
        );
    }
    lt::Range::new(start, end)
}

fn diagnostic(text: &str, f: &Finding, utf8: bool, root: &Path) -> lt::Diagnostic {
    let related: Vec<lt::DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| {
            let path = root.join(&r.location.path);
            let other;
            let t = if r.location.path == f.location.path {
                text
            } else {
                other = std::fs::read(&path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                &other
            };
            Some(lt::DiagnosticRelatedInformation {
                location: lt::Location::new(lsp_uri(&uri_of(&path))?, span(t, &r.location, utf8)),
                message: r.message.clone(),
            })
        })
        .collect();
    lt::Diagnostic {
        range: span(text, &f.location, utf8),
        severity: Some(severity(f.severity)),
        code: Some(lt::NumberOrString::String(f.rule_id.clone())),
        source: Some("warden".into()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        data: Some(json!({ "fingerprint": f.fingerprint })),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------------------
// The analysis worker

struct Worker {
    server: Arc<Server>,
    shared: Arc<Mutex<Shared>>,
    out: Sender<Message>,
    scanner: Option<Scanner>,
    /// The last workspace scan: its facts and its findings by path.
    facts: Vec<Fact>,
    on_disk: HashMap<String, Vec<Finding>>,
    /// URIs whose diagnostics are not empty, so that a file whose findings went away is cleared.
    published: HashSet<String>,
    hidden: Hidden,
}

/// Findings not to show: the baseline's, and the store's dismissed ones.
#[derive(Default)]
struct Hidden {
    baseline: Option<warden_scan::baseline::Baseline>,
    dismissed: HashSet<String>,
}

impl Worker {
    fn new(server: Arc<Server>, shared: Arc<Mutex<Shared>>, out: Sender<Message>) -> Self {
        Worker {
            server,
            shared,
            out,
            scanner: None,
            facts: Vec::new(),
            on_disk: HashMap::new(),
            published: HashSet::new(),
            hidden: Hidden::default(),
        }
    }

    fn run(mut self, queue: Receiver<Job>) {
        let debounce = Duration::from_millis(self.server.args.debounce);
        while let Ok(first) = queue.recv() {
            let (mut workspace, mut reload, mut buffers) = (false, false, Vec::new());
            let mut take = |j: Job| match j {
                Job::Workspace => workspace = true,
                Job::Reload => reload = true,
                Job::Buffer(u) => {
                    if !buffers.contains(&u) {
                        buffers.push(u)
                    }
                }
            };
            take(first);
            // Debounce: wait until the client has been quiet for a moment, taking everything it sent.
            loop {
                match queue.recv_timeout(debounce) {
                    Ok(j) => take(j),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if reload {
                self.reload();
                workspace = true;
            }
            if workspace {
                self.scan_workspace();
                // Every open buffer again: the facts around it changed.
                buffers = lock(&self.shared).docs.keys().cloned().collect();
            }
            for uri in buffers {
                self.scan_buffer(&uri);
            }
        }
    }

    fn message(&self, kind: u8, text: &str) {
        eprintln!("warden lsp: {text}");
        let _ = self.out.send(
            Notification::new(
                "window/showMessage".into(),
                json!({ "type": kind, "message": format!("warden: {text}") }),
            )
            .into(),
        );
    }

    /// The scanner from warden.toml (a broken one is reported, and nothing is analysed until it is fixed),
    /// the baseline and the store's dismissals.
    fn reload(&mut self) {
        let root = &self.server.root;
        let src = SourceArgs::worktree(root.clone(), self.server.args.config.clone());
        match build_scanner(&src, false) {
            Ok((scanner, _)) => {
                let rules = scanner
                    .rules()
                    .into_iter()
                    .map(|r| (r.id.clone(), r.clone()))
                    .collect();
                lock(&self.shared).rules = rules;
                self.scanner = Some(scanner);
            }
            Err(e) => {
                self.scanner = None;
                self.message(1, &format!("{e:#}"));
            }
        }
        self.hidden.baseline = None;
        let baseline = self
            .server
            .args
            .baseline
            .clone()
            .or_else(|| Some(root.join(crate::DEFAULT_BASELINE)).filter(|p| p.is_file()));
        if let Some(p) = baseline {
            match warden_scan::baseline::Baseline::load(&p) {
                Ok(b) => self.hidden.baseline = Some(b),
                Err(e) => self.message(2, &format!("{}: baseline not used: {e}", p.display())),
            }
        }
    }

    fn load_dismissed(&mut self) {
        let root = &self.server.root;
        let db = self.server.args.db.clone().or_else(|| {
            let p = root.join(".warden").join("warden.db");
            p.is_file().then(|| p.display().to_string())
        });
        let Some(db) = db else {
            return;
        };
        let read = || -> Result<HashSet<String>> {
            let mut store = crate::store_cmd::open(&db, root)?;
            let (repo, branch) = crate::store_cmd::identity(root);
            let states = [
                warden_store::State::FalsePositive,
                warden_store::State::AcceptedRisk,
            ];
            Ok(store
                .findings(&repo, &branch, &states)?
                .into_iter()
                .map(|s| s.fingerprint)
                .collect())
        };
        match read() {
            Ok(d) => self.hidden.dismissed = d,
            Err(e) => self.message(2, &format!("{db}: dismissals not read: {e:#}")),
        }
    }

    fn hide(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| !self.hidden.dismissed.contains(&f.fingerprint));
        if let (Some(b), Some(s)) = (&self.hidden.baseline, &self.scanner) {
            let _ = b.apply(findings, s.hash_key(), "baseline");
        }
    }

    fn scan_workspace(&mut self) {
        let Some(scanner) = &self.scanner else {
            return;
        };
        let result = match scanner.scan_worktree(&self.server.root) {
            Ok(r) => r,
            Err(e) => {
                self.message(1, &e.to_string());
                return;
            }
        };
        self.load_dismissed();
        let mut findings = result.findings;
        self.hide(&mut findings);
        self.facts = result.facts;
        self.on_disk.clear();
        for f in findings {
            self.on_disk
                .entry(f.location.path.clone())
                .or_default()
                .push(f);
        }
        let open: HashSet<String> = lock(&self.shared).docs.keys().cloned().collect();
        let mut now = HashSet::new();
        let paths: Vec<String> = self.on_disk.keys().cloned().collect();
        for rel in paths {
            let path = self.server.root.join(&rel);
            let uri = uri_of(&path);
            now.insert(uri.clone());
            if open.contains(&uri) {
                continue; // the buffer's own analysis follows
            }
            let text = std::fs::read(&path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let findings = self.on_disk.get(&rel).cloned().unwrap_or_default();
            self.publish(&uri, &text, None, findings);
        }
        for uri in self.published.clone() {
            if !now.contains(&uri) && !open.contains(&uri) {
                self.publish(&uri, "", None, Vec::new());
            }
        }
    }

    fn scan_buffer(&mut self, uri: &str) {
        let Some(scanner) = &self.scanner else {
            return;
        };
        let Some((text, version)) = lock(&self.shared)
            .docs
            .get(uri)
            .map(|d| (d.text.clone(), d.version))
        else {
            return;
        };
        let rel = self.server.name_for(uri);
        // Facts belong to the workspace: a buffer outside it is analysed on its own.
        let context: &[Fact] = if self.server.rel(uri).is_some() {
            &self.facts
        } else {
            &[]
        };
        let result = scanner.scan_buffer(&self.server.root, context, &rel, text.as_bytes());
        let mut findings: Vec<Finding> = result
            .findings
            .into_iter()
            .filter(|f| f.location.path == rel)
            .collect();
        self.hide(&mut findings);
        self.publish(uri, &text, Some(version), findings);
    }

    fn publish(&mut self, uri: &str, text: &str, version: Option<i32>, findings: Vec<Finding>) {
        let Some(lsp) = lsp_uri(uri) else {
            return;
        };
        let diagnostics: Vec<lt::Diagnostic> = findings
            .iter()
            .map(|f| diagnostic(text, f, self.server.utf8, &self.server.root))
            .collect();
        if findings.is_empty() {
            self.published.remove(uri);
        } else {
            self.published.insert(uri.to_string());
        }
        lock(&self.shared).shown.insert(uri.to_string(), findings);
        let params = lt::PublishDiagnosticsParams::new(lsp, diagnostics, version);
        let _ = self
            .out
            .send(Notification::new("textDocument/publishDiagnostics".into(), params).into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths_round_trip() {
        let p = Path::new("/tmp/a dir/é#x.py");
        let uri = uri_of(p);
        assert_eq!(uri, "file:///tmp/a%20dir/%C3%A9%23x.py");
        assert_eq!(path_of(&uri).as_deref(), Some(p));
        assert!(lsp_uri(&uri).is_some());
        assert_eq!(path_of("untitled:Untitled-1"), None);
        assert_eq!(
            path_of("file://localhost/tmp/x").as_deref(),
            Some(Path::new("/tmp/x"))
        );
    }

    proptest::proptest! {
        /// Whatever a client sends as a change (positions past the end, inside a character, reversed), applying
        /// it never panics and leaves valid UTF-8; span conversion of any finding position neither.
        #[test]
        fn any_change_applies_without_panic(
            text in "(?s).{0,80}",
            lines in proptest::collection::vec((0u32..6, 0u32..40, 0u32..6, 0u32..40), 1..4),
            insert in "(?s).{0,10}",
            utf8 in proptest::bool::ANY,
        ) {
            let mut t = text;
            for (l0, c0, l1, c1) in lines {
                apply_change(&mut t, lt::TextDocumentContentChangeEvent {
                    range: Some(lt::Range::new(lt::Position::new(l0, c0), lt::Position::new(l1, c1))),
                    range_length: None,
                    text: insert.clone(),
                }, utf8);
                let mut f = warden_core::Location::at("x", l0 + 1, c0, c1);
                f.end_line = l1;
                let _ = span(&t, &f, utf8);
                let line = t.lines().next().unwrap_or("");
                let _ = edits::env_lookup("a.py", &t, line, c0 as usize, c1 as usize, "secrets/x");
                let _ = edits::ignore_comment("a.py", line, "secrets/x");
            }
        }
    }

    #[test]
    fn incremental_changes_apply_in_either_encoding() {
        let mut t = String::from("a = 1\né = \"x\"\n");
        let change = |l0, c0, l1, c1, s: &str| lt::TextDocumentContentChangeEvent {
            range: Some(lt::Range::new(
                lt::Position::new(l0, c0),
                lt::Position::new(l1, c1),
            )),
            range_length: None,
            text: s.into(),
        };
        apply_change(&mut t, change(1, 5, 1, 6, "yz"), false);
        assert_eq!(t, "a = 1\né = \"yz\"\n");
        apply_change(&mut t, change(1, 6, 1, 8, "w"), true);
        assert_eq!(t, "a = 1\né = \"w\"\n");
        // Positions past the end are clamped.
        apply_change(&mut t, change(9, 0, 9, 4, "!"), false);
        assert_eq!(t, "a = 1\né = \"w\"\n!");
        apply_change(
            &mut t,
            lt::TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            },
            false,
        );
        assert_eq!(t, "new");
    }
}
