//! `warden gateway`: the runtime guard in front of model APIs (crates/warden-gateway, docs/gateway.md).

use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use warden_gateway::keys;
use warden_gateway::server::{
    run_until_interrupted, GatewayConfig, Kind, Settings, Upstream, UpstreamConfig,
    DEFAULT_CLIENT_TIMEOUT, DEFAULT_LISTEN, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT,
};

#[derive(Clone, Copy, ValueEnum)]
enum UpstreamKind {
    /// OpenAI or any OpenAI-compatible server (vLLM, Ollama, LM Studio)
    Openai,
    /// Azure OpenAI
    Azure,
    /// Anthropic Messages API
    Anthropic,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GatewayArgs {
    #[command(subcommand)]
    command: Option<GatewayCommand>,
    /// Address to listen on [default: 127.0.0.1:8787, or `listen` in [gateway]]
    #[arg(long)]
    listen: Option<String>,
    /// One upstream from flags alone: its base URL (e.g. https://api.openai.com)
    #[arg(long)]
    upstream: Option<String>,
    /// The environment variable holding the upstream's key
    #[arg(long, requires = "upstream")]
    upstream_key_env: Option<String>,
    /// The upstream's API
    #[arg(long, value_enum, default_value_t = UpstreamKind::Openai, requires = "upstream")]
    upstream_kind: UpstreamKind,
    /// A TOML file with a [gateway] section (default: warden.toml in the current directory, if any)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Append every decision to this JSON-lines file
    #[arg(long)]
    audit: Option<PathBuf>,
    /// The client key store [default: `keys` in [gateway], else .warden/gateway-keys.db]; with keys in it, every
    /// client must present one, and clients on other machines are served
    #[arg(long)]
    keys: Option<PathBuf>,
}

#[derive(Subcommand)]
enum GatewayCommand {
    /// Client keys: create (shown once), list, revoke
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it (the store keeps only its hash)
    Create {
        /// A name for the key's holder (an application, a team)
        #[arg(long)]
        name: String,
        /// A model the key may use (repeat for several; none: any model)
        #[arg(long = "model")]
        models: Vec<String>,
        /// A tool (function name) the model may call for this key (repeat for several; none: any tool)
        #[arg(long = "tool")]
        tools: Vec<String>,
        /// Last day the key works (YYYY-MM-DD, UTC)
        #[arg(long)]
        expires: Option<String>,
        /// Requests per minute
        #[arg(long)]
        rpm: Option<u32>,
        /// Tokens the key may use in all
        #[arg(long)]
        budget: Option<u64>,
        /// The key store [default: .warden/gateway-keys.db]
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// List the keys (ids, names, scope, expiry, use; never the keys)
    List {
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id (the gateway stops accepting it within seconds)
    Revoke {
        id: String,
        #[arg(long)]
        keys: Option<PathBuf>,
    },
}

const DEFAULT_KEYS: &str = ".warden/gateway-keys.db";

/// The end of a UTC day given as YYYY-MM-DD, in seconds since the epoch.
fn end_of_day(date: &str) -> Result<i64> {
    let parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow!("--expires {date}: not a date (YYYY-MM-DD)"))?;
    let [y, m, d] = parts[..] else {
        bail!("--expires {date}: not a date (YYYY-MM-DD)");
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        bail!("--expires {date}: not a date (YYYY-MM-DD)");
    }
    Ok((warden_core::time::days_from_civil(y, m, d) + 1) * 86_400)
}

fn keys_command(command: KeysCommand) -> Result<u8> {
    match command {
        KeysCommand::Create {
            name,
            models,
            tools,
            expires,
            rpm,
            budget,
            keys: db,
        } => {
            let db = db.unwrap_or_else(|| PathBuf::from(DEFAULT_KEYS));
            let expires_at = expires.as_deref().map(end_of_day).transpose()?;
            let (rec, key) = keys::create(
                &db,
                keys::NewKey {
                    name: &name,
                    models,
                    tools,
                    expires_at,
                    rpm,
                    token_budget: budget,
                },
            )
            .map_err(|e| anyhow!(e))?;
            println!("{key}");
            eprintln!(
                "warden: created key {} for {} in {} (shown once: store it now)",
                rec.id,
                rec.name,
                db.display()
            );
            Ok(0)
        }
        KeysCommand::List { keys: db, json } => {
            let db = db.unwrap_or_else(|| PathBuf::from(DEFAULT_KEYS));
            let list = keys::list(&db).map_err(|e| anyhow!(e))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for k in &list {
                    println!(
                        "{}  {:<16} models: {:<24} expires: {:<10} rpm: {:<5} tokens: {}{}{}",
                        k.id,
                        k.name,
                        if k.models.is_empty() {
                            "any".to_string()
                        } else {
                            k.models.join(",")
                        },
                        k.expires_at
                            .map(|e| warden_core::time::date(e - 1))
                            .unwrap_or_else(|| "never".into()),
                        k.rpm.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                        k.tokens_used,
                        k.token_budget.map(|b| format!("/{b}")).unwrap_or_default(),
                        if k.revoked { "  REVOKED" } else { "" }
                    );
                }
                eprintln!(
                    "warden: {} key{}",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                );
            }
            Ok(0)
        }
        KeysCommand::Revoke { id, keys: db } => {
            let db = db.unwrap_or_else(|| PathBuf::from(DEFAULT_KEYS));
            if keys::revoke(&db, &id).map_err(|e| anyhow!(e))? {
                eprintln!("warden: revoked {id}");
                Ok(0)
            } else {
                bail!("no key {id} in {}", db.display())
            }
        }
    }
}

pub fn gateway(args: GatewayArgs) -> Result<u8> {
    if let Some(GatewayCommand::Keys { command }) = args.command {
        return keys_command(command);
    }
    let config_path = args
        .config
        .clone()
        .or_else(|| Some(PathBuf::from("warden.toml")).filter(|p| p.is_file()));
    let file: GatewayConfig = match &config_path {
        Some(p) => {
            let config = warden_core::Config::load(p)?;
            match config.section("gateway") {
                Some(s) => s.parse("gateway")?,
                None => GatewayConfig::default(),
            }
        }
        None => GatewayConfig::default(),
    };
    let mut upstreams = Vec::new();
    if let Some(url) = &args.upstream {
        let kind = match args.upstream_kind {
            UpstreamKind::Openai => Kind::Openai,
            UpstreamKind::Azure => Kind::Azure,
            UpstreamKind::Anthropic => Kind::Anthropic,
        };
        upstreams.push(
            Upstream::load(&UpstreamConfig {
                name: "cli".into(),
                url: url.clone(),
                kind,
                key_env: args.upstream_key_env.clone(),
                key_file: None,
                models: Vec::new(),
            })
            .map_err(|e| anyhow!(e))?,
        );
    }
    for u in &file.upstream {
        upstreams.push(Upstream::load(u).map_err(|e| anyhow!(e))?);
    }
    if upstreams.is_empty() {
        bail!("no upstream: pass --upstream URL (and --upstream-key-env VAR), or list [[gateway.upstream]] in warden.toml");
    }
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let keys_path = args
        .keys
        .or(file.keys.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_KEYS));
    let keys = if keys_path.is_file() {
        Some(Arc::new(
            keys::Keys::open(&keys_path).map_err(|e| anyhow!(e))?,
        ))
    } else {
        None
    };
    let keyed = keys.as_ref().is_some_and(|k| k.any());
    let settings = Settings {
        keys,
        upstreams,
        policy: file.policy.unwrap_or_default(),
        max_body: file.max_body.unwrap_or(DEFAULT_MAX_BODY),
        timeout: file
            .timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT),
        audit: args.audit.or(file.audit),
        client_timeout: file
            .client_timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_CLIENT_TIMEOUT),
    };
    let names: Vec<String> = settings
        .upstreams
        .iter()
        .map(|u| format!("{} ({})", u.name, u.url))
        .collect();
    run_until_interrupted(&listen, settings, |addr| {
        eprintln!(
            "warden gateway: listening on http://{addr} → {}; {}; Ctrl-C stops",
            names.join(", "),
            if keyed {
                format!("clients need a key from {}", keys_path.display())
            } else {
                "local clients only (no client keys configured)".to_string()
            }
        );
    })
    .map_err(|e| anyhow!(e))?;
    Ok(0)
}
