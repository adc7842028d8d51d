//! The one place analyzers are registered: a new analyzer crate adds one line here.

use anyhow::Result;
use warden_core::Config;
use warden_scan::Analyzer;

pub fn analyzers(config: &Config) -> Result<Vec<Box<dyn Analyzer>>> {
    Ok(vec![Box::new(warden_secrets::SecretsAnalyzer::new(
        config,
    )?)])
}
