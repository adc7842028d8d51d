//! `warden probe URL`: red-team probes against an OpenAI-compatible endpoint (crates/warden-gateway/src/probe.rs).

use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use std::time::Duration;
use warden_gateway::probe::{run, sarif_report, text_report, Outcome, Target};

#[derive(Clone, Copy, ValueEnum)]
enum ProbeFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Args)]
pub struct ProbeArgs {
    /// The endpoint's base URL (requests go to URL/v1/chat/completions), e.g. http://127.0.0.1:8787
    url: String,
    /// The model to ask
    #[arg(long, default_value = "gpt-4o-mini")]
    model: String,
    /// The environment variable holding the endpoint's key (sent as a bearer token)
    #[arg(long)]
    key_env: Option<String>,
    #[arg(long, short = 'f', value_enum, default_value_t = ProbeFormat::Text)]
    format: ProbeFormat,
    /// Seconds to wait for each answer
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

/// Exit 1 when a probe found the endpoint vulnerable, 2 when none could be judged, 0 otherwise.
pub fn probe(args: ProbeArgs) -> Result<u8> {
    if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
        bail!("{}: not an http(s) URL", args.url);
    }
    let key = match &args.key_env {
        Some(var) => Some(
            std::env::var(var).map_err(|_| anyhow!("the environment variable {var} is not set"))?,
        ),
        None => None,
    };
    let target = Target {
        url: args.url.clone(),
        model: args.model.clone(),
        key,
        timeout: Duration::from_secs(args.timeout),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("runtime: {e}"))?;
    let results = rt.block_on(run(&target)).map_err(|e| anyhow!(e))?;
    match args.format {
        ProbeFormat::Text => print!("{}", text_report(&results)),
        ProbeFormat::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        ProbeFormat::Sarif => {
            let doc = sarif_report(&results, &args.url, env!("CARGO_PKG_VERSION"))
                .map_err(|e| anyhow!(e))?;
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    if results.iter().all(|r| r.outcome == Outcome::Error) {
        eprintln!(
            "warden: no probe could be judged: {} did not answer",
            args.url
        );
        return Ok(2);
    }
    Ok(u8::from(
        results.iter().any(|r| r.outcome == Outcome::Vulnerable),
    ))
}
