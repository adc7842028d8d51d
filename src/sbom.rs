//! `warden sbom`: the software bill of materials of a repository from its lockfiles and manifests (the `deps`
//! analyzer), as CycloneDX 1.6, SPDX 2.3 or warden's own JSON. Written by hand as JSON values: the crates for
//! both formats lag the spec versions asked for (CycloneDX 1.6) and the fields needed are few; tests validate the
//! output against the official schemas.

use crate::{run_scan, write_atomically, SourceArgs};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use warden_core::{Facts, ScanResult};
use warden_deps::{Package, Source};

#[derive(Clone, Copy, ValueEnum)]
pub enum SbomFormat {
    Cyclonedx,
    Spdx,
    Json,
}

#[derive(Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Cyclonedx)]
    format: SbomFormat,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

/// One package of the SBOM, with every place it is locked or pinned.
struct Entry<'a> {
    pkg: &'a Package,
    places: Vec<(&'a str, u32)>,
    direct: bool,
    dev: bool,
}

fn entries<'a>(joined: &'a warden_deps::analyzer::Joined) -> Vec<Entry<'a>> {
    let mut by_purl: BTreeMap<String, Entry<'a>> = BTreeMap::new();
    for (path, p) in warden_deps::analyzer::sbom_packages(joined) {
        let e = by_purl.entry(p.purl()).or_insert(Entry {
            pkg: p,
            places: Vec::new(),
            direct: false,
            // Dev only when every place says so.
            dev: true,
        });
        e.places.push((path, p.line.max(1)));
        e.direct |= p.direct;
        e.dev &= p.dev;
    }
    by_purl.into_values().collect()
}

/// A UUID derived from the scan's identity and `salt`: stable for one scan, distinct across scans and formats.
fn uuid(res: &ScanResult, salt: &str) -> String {
    warden_report::uuid_from(&format!(
        "{salt}|{}|{}|{}",
        res.scan.target, res.scan.started_at, res.scan.rules_version
    ))
}

fn subject_name(res: &ScanResult) -> String {
    let t = std::path::Path::new(&res.scan.target);
    std::fs::canonicalize(t)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| res.scan.target.clone())
}

fn source_json(s: &Source) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

fn cyclonedx(res: &ScanResult, list: &[Entry]) -> Value {
    let components: Vec<Value> = list
        .iter()
        .map(|e| {
            let p = e.pkg;
            let mut c = json!({
                "type": "library",
                "bom-ref": p.purl(),
                "name": p.name,
                "purl": p.purl(),
                // CycloneDX: `excluded` components are used for tests and other non-runtime purposes.
                "scope": if e.dev { "excluded" } else { "required" },
                "properties": [
                    { "name": "warden:ecosystem", "value": p.ecosystem.osv_name() },
                    { "name": "warden:dependency", "value": if e.direct { "direct" } else { "transitive" } },
                ],
                "evidence": { "occurrences": e.places.iter().map(|(path, line)| json!({"location": path, "line": line})).collect::<Vec<_>>() },
            });
            if let Some(v) = &p.version {
                c["version"] = json!(v);
            }
            match &p.source {
                Source::Vcs { url, .. } | Source::Url { url } | Source::OtherRegistry { url } => {
                    c["externalReferences"] = json!([{
                        "type": if matches!(p.source, Source::Vcs { .. }) { "vcs" } else { "distribution" },
                        "url": url,
                    }]);
                }
                _ => {}
            }
            c
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid(res, "cyclonedx")),
        "version": 1,
        "metadata": {
            "timestamp": res.scan.started_at,
            "tools": { "components": [{ "type": "application", "name": "warden", "version": res.scan.tool_version }] },
            "component": { "type": "application", "bom-ref": "subject", "name": subject_name(res) },
        },
        "components": components,
        "dependencies": [{
            "ref": "subject",
            "dependsOn": list.iter().filter(|e| e.direct).map(|e| e.pkg.purl()).collect::<Vec<_>>(),
        }],
    })
}

fn spdx(res: &ScanResult, list: &[Entry]) -> Value {
    let name = subject_name(res);
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Subject",
        "name": name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "APPLICATION",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Subject",
    })];
    for (i, e) in list.iter().enumerate() {
        let p = e.pkg;
        let id = format!("SPDXRef-Package-{}", i + 1);
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "downloadLocation": match &p.source {
                Source::Vcs { url, rev } => match rev {
                    Some(r) => format!("git+{}@{r}", url.trim_start_matches("git+")),
                    None => format!("git+{}", url.trim_start_matches("git+")),
                },
                Source::Url { url } => url.clone(),
                _ => "NOASSERTION".into(),
            },
            "filesAnalyzed": false,
            "primaryPackagePurpose": "LIBRARY",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl(),
            }],
            "comment": format!(
                "{} dependency, declared in {}",
                if e.direct { "direct" } else { "transitive" },
                e.places.iter().map(|(f, l)| format!("{f}:{l}")).collect::<Vec<_>>().join(", ")
            ),
        });
        if let Some(v) = &p.version {
            pkg["versionInfo"] = json!(v);
        }
        packages.push(pkg);
        relationships.push(if e.dev {
            json!({ "spdxElementId": id, "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-Subject" })
        } else {
            json!({ "spdxElementId": "SPDXRef-Subject", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": id })
        });
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": format!("{name} dependencies"),
        "documentNamespace": format!("https://spdx.org/spdxdocs/warden-{name}-{}", uuid(res, "spdx")),
        "creationInfo": {
            "created": res.scan.started_at,
            "creators": [format!("Tool: warden-{}", res.scan.tool_version)],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

fn own_json(list: &[Entry]) -> Value {
    json!({
        "version": 1,
        "packages": list.iter().map(|e| json!({
            "ecosystem": e.pkg.ecosystem.osv_name(),
            "name": e.pkg.name,
            "version": e.pkg.version,
            "purl": e.pkg.purl(),
            "direct": e.direct,
            "dev": e.dev,
            "source": source_json(&e.pkg.source),
            "locations": e.places.iter().map(|(f, l)| json!({"path": f, "line": l})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn sbom(mut args: SbomArgs) -> Result<u8> {
    args.source.only = vec![warden_deps::NAME.to_string()];
    args.source.skip.clear();
    let (_, result) = run_scan(&args.source, false)?;
    let facts = Facts {
        all: result.facts.clone(),
    };
    let joined = warden_deps::analyzer::join(&facts);
    let list = entries(&joined);
    let doc = match args.format {
        SbomFormat::Cyclonedx => cyclonedx(&result, &list),
        SbomFormat::Spdx => spdx(&result, &list),
        SbomFormat::Json => own_json(&list),
    };
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        writeln!(w)
    };
    match &args.output {
        Some(p) => write_atomically(p, write)?,
        None => {
            let mut out = std::io::stdout().lock();
            write(&mut out).context("writing the SBOM to stdout")?;
        }
    }
    eprintln!(
        "warden: {} packages from {} files",
        list.len(),
        joined.files.len()
    );
    Ok(if result.diagnostics.is_empty() { 0 } else { 2 })
}
