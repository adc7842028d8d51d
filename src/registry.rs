//! The one place analyzers are registered: a new analyzer crate adds one line to [`REGISTRY`].

use anyhow::{bail, Result};
use warden_core::{Analyzer, AnalyzerSetup};

type Build = fn(&AnalyzerSetup) -> Result<Box<dyn Analyzer>>;

/// Every analyzer, by family name (its rule-id prefix, its `--only`/`--skip` name and its `warden.toml` section).
const REGISTRY: &[(&str, Build)] = &[
    (warden_secrets::NAME, |s| {
        Ok(Box::new(warden_secrets::SecretsAnalyzer::from_setup(s)?))
    }),
    (warden_code::NAME, |s| {
        Ok(Box::new(warden_code::CodeAnalyzer::from_setup(s)?))
    }),
    (warden_code::INTENT, |s| {
        Ok(Box::new(warden_code::IntentAnalyzer::from_setup(s)?))
    }),
    (warden_config::K8S, |s| {
        config(warden_config::Family::K8s, s)
    }),
    (warden_config::DOCKER, |s| {
        config(warden_config::Family::Docker, s)
    }),
    (warden_config::TF, |s| config(warden_config::Family::Tf, s)),
    (warden_config::CI, |s| config(warden_config::Family::Ci, s)),
    (warden_models::NAME, |s| {
        Ok(Box::new(
            warden_models::ModelsAnalyzer::from_setup(s).map_err(anyhow::Error::msg)?,
        ))
    }),
    (warden_ai::NAME, |s| {
        Ok(Box::new(
            warden_ai::AiAnalyzer::from_setup(s).map_err(anyhow::Error::msg)?,
        ))
    }),
    (warden_deps::NAME, |s| {
        Ok(Box::new(
            warden_deps::DepsAnalyzer::from_setup(s).map_err(anyhow::Error::msg)?,
        ))
    }),
];

fn config(family: warden_config::Family, s: &AnalyzerSetup) -> Result<Box<dyn Analyzer>> {
    Ok(Box::new(
        warden_config::ConfigAnalyzer::from_setup(family, s).map_err(anyhow::Error::msg)?,
    ))
}

/// Sections of `warden.toml` read by a command rather than an analyzer.
pub const NON_ANALYZER_SECTIONS: &[&str] = &["triage"];

/// The known family names.
pub fn families() -> Vec<&'static str> {
    REGISTRY.iter().map(|(n, _)| *n).collect()
}

/// The analyzers the config selects, each built from its own section. Unknown family names in `only`, `skip`
/// or a section header are errors, so a typo never silently turns a check off.
pub fn analyzers(setup: &AnalyzerSetup) -> Result<Vec<Box<dyn Analyzer>>> {
    let config = setup.config;
    let known = families();
    for (what, name) in config
        .only
        .iter()
        .map(|n| ("--only/scan.only", n))
        .chain(config.skip.iter().map(|n| ("--skip/scan.skip", n)))
    {
        if !known.contains(&name.as_str()) {
            bail!(
                "{what}: unknown analyzer `{name}` (known: {})",
                known.join(", ")
            );
        }
    }
    for (name, section) in &config.sections {
        if !known.contains(&name.as_str()) && !NON_ANALYZER_SECTIONS.contains(&name.as_str()) {
            bail!(
                "{}:{}:1: unknown section [{name}] (known analyzer sections: {})",
                section.path.display(),
                section.line,
                known.join(", ")
            );
        }
    }
    let mut out = Vec::new();
    for (name, build) in REGISTRY {
        if config.analyzer_selected(name) {
            out.push(build(setup)?);
        }
    }
    if out.is_empty() {
        bail!("no analyzer left to run (check --only and --skip)");
    }
    Ok(out)
}
