//! The organisation server from the CLI: `warden serve`, `warden token`, `warden user`, and the upload behind
//! `warden scan --upload` (crates/warden-server, docs/server.md).

use crate::store_cmd::{self, StoreArgs};
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::io::{BufRead, Write};
use std::time::Duration;
use warden_store::access::{NewToken, Role, Scope, UserInfo};
use warden_store::ScanRecord;

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Reads findings, repositories and the overview of its repositories
    Viewer,
    /// Also triages findings and uploads scans
    Triager,
    /// Also manages users and tokens and reads the audit log; sees every repository
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Triager => Role::Triager,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8780")]
    listen: String,
    /// Session cookies without `Secure`, for plain HTTP on a trusted network (behind a TLS proxy, leave it out)
    #[arg(long)]
    insecure_cookies: bool,
    /// Store connections serving requests at once [default: 8 for PostgreSQL, 2 for SQLite]
    #[arg(long)]
    connections: Option<usize>,
    /// Largest upload accepted, in MiB
    #[arg(long, default_value_t = 512)]
    max_upload_mib: usize,
}

pub fn serve(args: ServeArgs) -> Result<u8> {
    let pg = args.store.db.starts_with("postgres");
    let n = args.connections.unwrap_or(if pg { 8 } else { 2 }).max(1);
    // Every connection is opened (and the schema migrated) before the runtime starts: the PostgreSQL client
    // must not be created inside it, and a bad --db fails here, by name.
    let mut stores = Vec::with_capacity(n);
    for _ in 0..n {
        stores.push(store_cmd::open(&args.store.db, &args.store.repo_path)?);
    }
    let users = stores[0].users()?;
    let store = warden_server::SharedStore::start(stores);
    let settings = warden_server::Settings {
        secure_cookies: !args.insecure_cookies,
        max_upload: args.max_upload_mib << 20,
        ..Default::default()
    };
    let state = warden_server::AppState::new(store, settings);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("{}: cannot listen", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!("warden serve: listening on http://{addr} ({n} store connections)");
        if users.iter().all(|u| u.disabled_at.is_some()) {
            eprintln!(
                "warden serve: no users yet; add an admin with `warden user add NAME --role admin` (password on stdin)"
            );
        }
        if args.insecure_cookies {
            eprintln!("warden serve: session cookies are sent over plain HTTP (--insecure-cookies)");
        }
        warden_server::serve(listener, state)
            .await
            .context("the server stopped")
    })?;
    Ok(0)
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token: printed once on stdout, stored only as its hash
    Create {
        /// What it is for (shown in lists and the audit log)
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// When it expires: 30d, 12h, or a date (2027-03-31); required
        #[arg(long)]
        expires: String,
        /// A repository it may see, or a group as a prefix ending in `*`; repeat for more [default: all]
        #[arg(long = "repo")]
        repos: Vec<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List tokens with their role, repositories, expiry and last use (never the token)
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token by its id
    Revoke {
        id: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn scope_of(repos: Vec<String>) -> Scope {
    if repos.is_empty() {
        Scope::all()
    } else {
        Scope(repos)
    }
}

pub fn token(cmd: TokenCommand) -> Result<u8> {
    let now = warden_server::now();
    match cmd {
        TokenCommand::Create {
            name,
            role,
            expires,
            repos,
            store,
        } => {
            let expires_at =
                warden_server::api::expiry(&expires).map_err(|e| anyhow!(e.message))?;
            let mut s = store_cmd::open(&store.db, &store.repo_path)?;
            let (secret, info) = s.create_token(&NewToken {
                name,
                role: role.into(),
                scope: scope_of(repos),
                expires_at,
                actor: store_cmd::actor(None),
                at: now,
            })?;
            eprintln!(
                "warden: token {} ({}, {}) expires {}; copy it now, it is not shown again",
                info.id,
                info.role.as_str(),
                info.scope.0.join(" "),
                info.expires_at
            );
            println!("{secret}");
        }
        TokenCommand::List { format, store } => {
            let tokens = store_cmd::open(&store.db, &store.repo_path)?.tokens()?;
            let mut out = std::io::stdout().lock();
            match format {
                ListFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&tokens)?)?,
                ListFormat::Text => {
                    if tokens.is_empty() {
                        writeln!(out, "no tokens")?;
                    }
                    for t in tokens {
                        let status = if let Some(r) = &t.revoked_at {
                            format!("revoked {r}")
                        } else if t.expires_at <= now {
                            "expired".into()
                        } else {
                            "active".into()
                        };
                        writeln!(
                            out,
                            "{}  {:<8} {:<28} {:<24} expires {}  last used {}  {status}  ({})",
                            t.id,
                            t.role.as_str(),
                            t.name,
                            t.scope.0.join(" "),
                            t.expires_at,
                            t.last_used_at.as_deref().unwrap_or("never"),
                            t.created_by,
                        )?;
                    }
                }
            }
        }
        TokenCommand::Revoke { id, store } => {
            store_cmd::open(&store.db, &store.repo_path)?.revoke_token(
                &id,
                &store_cmd::actor(None),
                &now,
            )?;
            eprintln!("warden: token {id} revoked");
        }
    }
    Ok(0)
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user who signs in to the web UI; the password is read from the first line of stdin
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A repository they may see, or a group as a prefix ending in `*`; repeat for more [default: all]
        #[arg(long = "repo")]
        repos: Vec<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List users
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable a user and end their sessions
    Disable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn user(cmd: UserCommand) -> Result<u8> {
    let now = warden_server::now();
    match cmd {
        UserCommand::Add {
            name,
            role,
            repos,
            store,
        } => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from stdin")?;
            let password = line.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("no password on stdin (e.g. `printf '%s\\n' \"$PW\" | warden user add {name} --role admin`)");
            }
            let info = UserInfo {
                name,
                role: role.into(),
                scope: scope_of(repos),
                created_at: now,
                disabled_at: None,
            };
            store_cmd::open(&store.db, &store.repo_path)?.create_user(
                &info,
                password,
                &store_cmd::actor(None),
            )?;
            eprintln!("warden: user {} added ({})", info.name, info.role.as_str());
        }
        UserCommand::List { format, store } => {
            let users = store_cmd::open(&store.db, &store.repo_path)?.users()?;
            let mut out = std::io::stdout().lock();
            match format {
                ListFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&users)?)?,
                ListFormat::Text => {
                    if users.is_empty() {
                        writeln!(out, "no users")?;
                    }
                    for u in users {
                        writeln!(
                            out,
                            "{:<24} {:<8} {:<32} {}",
                            u.name,
                            u.role.as_str(),
                            u.scope.0.join(" "),
                            u.disabled_at
                                .map(|d| format!("disabled {d}"))
                                .unwrap_or_else(|| "active".into())
                        )?;
                    }
                }
            }
        }
        UserCommand::Disable { name, store } => {
            store_cmd::open(&store.db, &store.repo_path)?.disable_user(
                &name,
                &store_cmd::actor(None),
                &now,
            )?;
            eprintln!("warden: user {name} disabled");
        }
    }
    Ok(0)
}

/// Sends a scan to a server's `/api/v1/scans`, retrying on network errors and 5xx with the same idempotency
/// key (so a retry never records twice).
pub fn upload(
    url: &str,
    token_env: &str,
    scan: &ScanRecord,
    attachments: &[(String, serde_json::Value)],
) -> Result<()> {
    let token = std::env::var(token_env).map_err(|_| {
        anyhow!("--upload: set {token_env} to an API token (`warden token create --role triager`)")
    })?;
    // The scan record's fields, with the inventory and assessment beside them.
    let mut doc = serde_json::to_value(scan)?;
    if let Some(o) = doc.as_object_mut() {
        for (kind, body) in attachments {
            o.insert(kind.clone(), body.clone());
        }
    }
    let body = serde_json::to_vec(&doc)?;
    let key = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&body))
    };
    let endpoint = format!("{}/api/v1/scans", url.trim_end_matches('/'));
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(300)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut last = String::new();
    for attempt in 0..4 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_secs(1 << attempt));
        }
        let res = agent
            .post(&endpoint)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Idempotency-Key", &key)
            .header("Content-Type", "application/json")
            .send(&body[..]);
        match res {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let text = r.body_mut().read_to_string().unwrap_or_default();
                if (200..300).contains(&status) {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    eprintln!(
                        "warden: uploaded to {url} ({} @ {}): {} new, {} unchanged, {} reopened, {} fixed (scan {}{})",
                        scan.repo,
                        scan.branch,
                        v["new"],
                        v["unchanged"],
                        v["reopened"],
                        v["fixed"],
                        v["scan_id"],
                        if v["replayed"] == true { ", already recorded" } else { "" }
                    );
                    return Ok(());
                }
                let message = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                    .unwrap_or(text);
                last = format!("HTTP {status}: {message}");
                if status < 500 {
                    break;
                }
            }
            Err(e) => last = e.to_string(),
        }
    }
    bail!("--upload {endpoint}: {last}")
}
