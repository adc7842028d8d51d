//! Cross-domain context after every analyzer's second phase, from assets and edges alone (never from an
//! analyzer's types): a finding inside a credential asset (a Kubernetes Secret manifest) is linked to it,
//! names the workloads that read it, and is raised one severity step when one of them is publicly exposed.

use std::collections::HashMap;
use warden_core::{AssetKind, EdgeKind, Location, Related, RelatedKind, ScanResult};

/// How many reading workloads a finding names.
const MAX_READERS: usize = 5;

pub(crate) fn credentials_in_workloads(result: &mut ScanResult) {
    let ScanResult {
        findings,
        assets,
        edges,
        ..
    } = result;
    let creds: Vec<_> = assets
        .iter()
        .filter(|a| a.kind == AssetKind::Credential)
        .filter_map(|a| a.location.as_ref().map(|l| (a, l)))
        .collect();
    if creds.is_empty() {
        return;
    }
    let by_id: HashMap<&str, _> = assets.iter().map(|a| (a.id.as_str(), a)).collect();
    for f in findings.iter_mut() {
        let line = f.location.start_line;
        let Some((cred, _)) = creds
            .iter()
            .find(|(_, l)| l.path == f.location.path && l.start_line <= line && line <= l.end_line)
        else {
            continue;
        };
        if f.assets.contains(&cred.id) {
            continue;
        }
        f.assets.push(cred.id.clone());
        let mut public = false;
        let readers = edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Reads && e.to == cred.id)
            .filter_map(|e| by_id.get(e.from.as_str()));
        for w in readers.take(MAX_READERS) {
            let exposed = w.properties["public"].as_bool() == Some(true);
            public |= exposed;
            let at = w
                .location
                .clone()
                .unwrap_or_else(|| Location::at(f.location.path.clone(), 1, 1, 1));
            f.related.push(Related {
                kind: RelatedKind::Context,
                location: Location {
                    end_line: at.start_line,
                    ..at
                },
                message: format!(
                    "mounted by {}{}",
                    w.name,
                    if exposed { " (publicly exposed)" } else { "" }
                ),
            });
            f.assets.push(w.id.clone());
        }
        if public {
            f.severity = f.severity.raised();
            f.message = format!(
                "{}; it is in {}, which a publicly exposed workload mounts",
                f.message, cred.name
            );
            if !f.tags.iter().any(|t| t == "exposure:public") {
                f.tags.push("exposure:public".into());
            }
        }
    }
}

/// A credential written into the manifest of a publicly exposed workload (a literal env value, an argument) is
/// reachable from the internet as much as one in a Secret it mounts: linked to the workload, tagged and raised
/// one severity step like those.
pub(crate) fn credentials_in_public_manifests(result: &mut ScanResult) {
    let ScanResult {
        findings, assets, ..
    } = result;
    let public: Vec<(&warden_core::Asset, &Location)> = assets
        .iter()
        .filter(|a| a.kind == AssetKind::Workload && a.properties["public"].as_bool() == Some(true))
        .filter_map(|a| a.location.as_ref().map(|l| (a, l)))
        .collect();
    if public.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        if f.analyzer() != "secrets" || f.tags.iter().any(|t| t == "exposure:public") {
            continue;
        }
        let line = f.location.start_line;
        let Some((w, _)) = public
            .iter()
            .find(|(_, l)| l.path == f.location.path && l.start_line <= line && line <= l.end_line)
        else {
            continue;
        };
        f.severity = f.severity.raised();
        f.message = format!(
            "{}; it is in the manifest of {}, which is publicly exposed",
            f.message, w.name
        );
        f.tags.push("exposure:public".into());
        if !f.assets.contains(&w.id) {
            f.assets.push(w.id.clone());
        }
    }
}
