//! `warden gateway`: the runtime guard in front of model APIs (crates/warden-gateway, docs/gateway.md).

use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use warden_gateway::screen::Policy;
use warden_gateway::server::{
    run_until_interrupted, GatewayConfig, Kind, Settings, Upstream, UpstreamConfig, DEFAULT_LISTEN,
    DEFAULT_MAX_BODY, DEFAULT_TIMEOUT,
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
pub struct GatewayArgs {
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
}

pub fn gateway(args: GatewayArgs) -> Result<u8> {
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
    let settings = Settings {
        upstreams,
        policy: file.policy.unwrap_or_else(Policy::default),
        max_body: file.max_body.unwrap_or(DEFAULT_MAX_BODY),
        timeout: file
            .timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT),
        audit: args.audit.or(file.audit),
    };
    let names: Vec<String> = settings
        .upstreams
        .iter()
        .map(|u| format!("{} ({})", u.name, u.url))
        .collect();
    run_until_interrupted(&listen, settings, |addr| {
        eprintln!(
            "warden gateway: listening on http://{addr} → {}; local clients only (no client keys configured); Ctrl-C stops",
            names.join(", ")
        );
    })
    .map_err(|e| anyhow!(e))?;
    Ok(0)
}
