//! The Kubernetes exposure graph, built in the second phase from every manifest's object summaries:
//! workload → service account → RBAC permissions; workload ← Service ← Ingress / Gateway route (public or
//! not); NetworkPolicy coverage; the Secrets and ConfigMaps each workload mounts; its images.
//!
//! It becomes assets and edges (for the inventory and triage), three findings of its own, and context on the
//! per-file findings: a finding on a publicly exposed workload says how it is exposed and is raised one
//! severity step.

use crate::k8s::Summary;
use std::collections::{BTreeMap, BTreeSet};
use warden_core::{
    Asset, AssetKind, Edge, EdgeKind, Finding, Location, Related, RelatedKind, RuleMeta,
};

pub const NS_WITHOUT_NETPOL: &str = "k8s/namespace-without-networkpolicy";
pub const PUBLIC_READS_SECRETS: &str = "k8s/public-workload-reads-secrets";
pub const PUBLIC_MODEL_SERVER: &str = "k8s/public-model-server";
pub const GRAPH_RULES: &[&str] = &[NS_WITHOUT_NETPOL, PUBLIC_READS_SECRETS, PUBLIC_MODEL_SERVER];

/// How a workload is reached from outside the cluster.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub how: String,
    pub path: String,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct Permissions {
    pub cluster_admin: bool,
    pub read_secrets: bool,
    pub wildcard: bool,
    pub escalate: bool,
    pub exec: bool,
    pub via: Vec<String>,
}

pub struct Graph<'a> {
    pub objects: &'a [Summary],
    /// Workload index → how it is exposed (empty: not public).
    pub exposure: BTreeMap<usize, Vec<Exposure>>,
    /// Workload index → whether a NetworkPolicy selects it for ingress.
    pub covered: BTreeMap<usize, bool>,
    /// `ns/name` of a service account → its permissions.
    pub permissions: BTreeMap<String, Permissions>,
    /// Workload id (`Kind/ns/name`) → index.
    ids: std::collections::HashMap<String, usize>,
}

fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub fn workload_asset_id(s: &Summary) -> String {
    format!("k8s:workload:{}/{}/{}", s.kind, s.namespace, s.name)
}

fn sa_key(ns: &str, name: &str) -> String {
    format!("{ns}/{name}")
}

impl<'a> Graph<'a> {
    pub fn build(objects: &'a [Summary]) -> Self {
        let mut g = Graph {
            objects,
            exposure: BTreeMap::new(),
            covered: BTreeMap::new(),
            permissions: BTreeMap::new(),
            ids: Default::default(),
        };
        let workloads: Vec<usize> = (0..objects.len())
            .filter(|&i| objects[i].workload.is_some())
            .collect();
        let selected_by = |svc: &Summary| -> Vec<usize> {
            let Some(info) = &svc.service else {
                return vec![];
            };
            if info.selector.is_empty() {
                return vec![];
            }
            workloads
                .iter()
                .copied()
                .filter(|&w| {
                    objects[w].namespace == svc.namespace
                        && selects(&info.selector, &objects[w].labels)
                })
                .collect()
        };
        for &w in &workloads {
            g.exposure.insert(w, Vec::new());
            let o = &objects[w];
            g.ids
                .entry(format!("{}/{}/{}", o.kind, o.namespace, o.name))
                .or_insert(w);
        }
        for svc in objects.iter().filter(|o| o.service.is_some()) {
            let info = svc.service.as_ref().unwrap();
            let how = match info.type_.as_str() {
                "LoadBalancer" if !info.internal_lb => {
                    Some(format!("Service \"{}\" of type LoadBalancer", svc.name))
                }
                "NodePort" => Some(format!("Service \"{}\" of type NodePort", svc.name)),
                _ if info.external_ips => {
                    Some(format!("Service \"{}\" with externalIPs", svc.name))
                }
                _ => None,
            };
            if let Some(how) = how {
                for w in selected_by(svc) {
                    g.exposure.entry(w).or_default().push(Exposure {
                        how: how.clone(),
                        path: svc.path.clone(),
                        line: info.type_line,
                    });
                }
            }
        }
        for route in objects.iter().filter(|o| o.route.is_some()) {
            let info = route.route.as_ref().unwrap();
            if info.internal {
                continue;
            }
            let host = info
                .hosts
                .first()
                .map(|h| format!(" (host {h})"))
                .unwrap_or_default();
            for name in &info.services {
                for svc in objects.iter().filter(|o| {
                    o.service.is_some() && &o.name == name && o.namespace == route.namespace
                }) {
                    for w in selected_by(svc) {
                        g.exposure.entry(w).or_default().push(Exposure {
                            how: format!(
                                "{} \"{}\"{host} → Service \"{}\"",
                                route.kind, route.name, svc.name
                            ),
                            path: route.path.clone(),
                            line: route.line,
                        });
                    }
                }
            }
        }
        for &w in &workloads {
            let o = &objects[w];
            let info = o.workload.as_ref().unwrap();
            if o.kind == "InferenceService" && !info.cluster_local {
                g.exposure.entry(w).or_default().push(Exposure {
                    how: format!(
                        "InferenceService \"{}\" without networking.kserve.io/visibility: cluster-local (served on the external ingress gateway)",
                        o.name
                    ),
                    path: o.path.clone(),
                    line: o.line,
                });
            }
            let covered = objects.iter().any(|np| {
                np.namespace == o.namespace
                    && np.netpol.as_ref().is_some_and(|p| {
                        p.ingress && (p.selector_complex || selects(&p.selector, &o.labels))
                    })
            });
            g.covered.insert(w, covered);
        }
        // RBAC: roles by scope, bindings to service accounts.
        let role = |kind: &str, ns: &str, name: &str| -> Option<(bool, bool, bool, bool, bool)> {
            match (kind, name) {
                ("ClusterRole", "cluster-admin") => return Some((true, true, true, true, true)),
                ("ClusterRole", "admin" | "edit") => {
                    return Some((false, true, false, false, true))
                }
                _ => {}
            }
            objects
                .iter()
                .find(|r| {
                    r.kind == kind && r.name == name && (kind == "ClusterRole" || r.namespace == ns)
                })
                .and_then(|r| r.role.as_ref())
                .map(|r| (false, r.read_secrets, r.wildcard, r.escalate, r.exec))
        };
        for b in objects.iter().filter(|o| o.binding.is_some()) {
            let info = b.binding.as_ref().unwrap();
            let Some((admin, secrets, wildcard, escalate, exec)) =
                role(&info.role_kind, &b.namespace, &info.role)
            else {
                continue;
            };
            for sub in info.subjects.iter().filter(|s| s.kind == "ServiceAccount") {
                let p = g
                    .permissions
                    .entry(sa_key(&sub.namespace, &sub.name))
                    .or_default();
                p.cluster_admin |= admin || (wildcard && b.kind == "ClusterRoleBinding");
                p.read_secrets |= secrets;
                p.wildcard |= wildcard;
                p.escalate |= escalate;
                p.exec |= exec;
                p.via.push(format!(
                    "{} \"{}\" → {} \"{}\"",
                    b.kind, b.name, info.role_kind, info.role
                ));
            }
        }
        g
    }

    pub fn is_public(&self, w: usize) -> bool {
        self.exposure.get(&w).is_some_and(|e| !e.is_empty())
    }

    fn token_mounted(&self, w: usize) -> bool {
        let o = &self.objects[w];
        let info = o.workload.as_ref().unwrap();
        match info.automount {
            Some(b) => b,
            None => !self.objects.iter().any(|sa| {
                sa.kind == "ServiceAccount"
                    && sa.name == info.service_account
                    && sa.namespace == o.namespace
                    && sa.automount == Some(false)
            }),
        }
    }

    fn permissions_of(&self, w: usize) -> Option<&Permissions> {
        let o = &self.objects[w];
        let sa = &o.workload.as_ref()?.service_account;
        self.permissions.get(&sa_key(&o.namespace, sa))
    }

    /// The workload index of a workload id (`Kind/ns/name`).
    pub fn workload(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// Assets and edges: workloads, service accounts, and the Secrets the repository defines.
    pub fn assets(&self) -> (Vec<Asset>, Vec<Edge>) {
        let mut assets = Vec::new();
        let mut edges = Vec::new();
        let mut sas = BTreeSet::new();
        let secrets: BTreeMap<(String, String), &Summary> = self
            .objects
            .iter()
            .filter(|o| o.kind == "Secret")
            .map(|o| ((o.namespace.clone(), o.name.clone()), o))
            .collect();
        for (key, s) in &secrets {
            assets.push(Asset {
                id: format!("k8s:secret:{}/{}", key.0, key.1),
                kind: AssetKind::Credential,
                name: format!("Secret {}/{}", key.0, key.1),
                location: Some(span(s)),
                properties: serde_json::json!({ "namespace": key.0, "source": "kubernetes-secret" }),
            });
        }
        for (&w, exp) in &self.exposure {
            let o = &self.objects[w];
            let info = o.workload.as_ref().unwrap();
            let id = workload_asset_id(o);
            let perms = self.permissions_of(w);
            assets.push(Asset {
                id: id.clone(),
                kind: AssetKind::Workload,
                name: format!("{} {}/{}", o.kind, o.namespace, o.name),
                location: Some(span(o)),
                properties: serde_json::json!({
                    "kind": o.kind,
                    "namespace": o.namespace,
                    "public": !exp.is_empty(),
                    "exposed_by": exp.iter().map(|e| &e.how).collect::<Vec<_>>(),
                    "network_policy": self.covered.get(&w).copied().unwrap_or(false),
                    "service_account": info.service_account,
                    "token_mounted": self.token_mounted(w),
                    "images": info.images,
                    "secrets": info.secrets,
                    "config_maps": info.config_maps,
                    "host_network": info.host_network,
                    "privileged": info.privileged,
                    "inference": info.inference,
                    "containers": info.containers,
                    "env": info.env,
                    "gpu": info.gpu,
                    "limits": info.limits,
                    "models": info.models,
                    "model_revision": info.model_revision,
                    "permissions": perms.map(|p| serde_json::json!({
                        "cluster_admin": p.cluster_admin,
                        "read_secrets": p.read_secrets,
                        "wildcard": p.wildcard,
                        "escalate": p.escalate,
                        "exec": p.exec,
                        "via": p.via,
                    })),
                }),
            });
            let sa_id = format!(
                "k8s:service-account:{}/{}",
                o.namespace, info.service_account
            );
            if sas.insert(sa_id.clone()) {
                let p = perms;
                assets.push(Asset {
                    id: sa_id.clone(),
                    kind: AssetKind::ServiceAccount,
                    name: format!("ServiceAccount {}/{}", o.namespace, info.service_account),
                    location: self
                        .objects
                        .iter()
                        .find(|s| {
                            s.kind == "ServiceAccount"
                                && s.name == info.service_account
                                && s.namespace == o.namespace
                        })
                        .map(span),
                    properties: serde_json::json!({
                        "namespace": o.namespace,
                        "cluster_admin": p.is_some_and(|p| p.cluster_admin),
                        "read_secrets": p.is_some_and(|p| p.read_secrets),
                        "bindings": p.map(|p| p.via.clone()).unwrap_or_default(),
                    }),
                });
            }
            edges.push(Edge {
                from: id.clone(),
                to: sa_id,
                kind: EdgeKind::RunsAs,
            });
            for sec in &info.secrets {
                if secrets.contains_key(&(o.namespace.clone(), sec.clone())) {
                    edges.push(Edge {
                        from: id.clone(),
                        to: format!("k8s:secret:{}/{sec}", o.namespace),
                        kind: EdgeKind::Reads,
                    });
                }
            }
        }
        (assets, edges)
    }

    /// The graph's own findings.
    pub fn findings(&self, meta: &dyn Fn(&str) -> Option<RuleMeta>) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(rule) = meta(NS_WITHOUT_NETPOL) {
            let mut by_ns: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &w in self.exposure.keys() {
                by_ns.entry(&self.objects[w].namespace).or_default().push(w);
            }
            for (ns, ws) in by_ns {
                if self
                    .objects
                    .iter()
                    .any(|o| o.netpol.is_some() && o.namespace == ns)
                {
                    continue;
                }
                let first = ws
                    .iter()
                    .copied()
                    .min_by(|&a, &b| {
                        let (a, b) = (&self.objects[a], &self.objects[b]);
                        (&a.path, a.line).cmp(&(&b.path, b.line))
                    })
                    .unwrap();
                let o = &self.objects[first];
                let names: Vec<_> = ws
                    .iter()
                    .map(|&w| format!("{} \"{}\"", self.objects[w].kind, self.objects[w].name))
                    .collect();
                let mut f = Finding::new(
                    &rule,
                    format!(
                        "Namespace \"{ns}\" has no NetworkPolicy: every pod in it accepts traffic from anywhere in the cluster ({})",
                        names.join(", ")
                    ),
                    at(&o.path, o.name_line),
                );
                f.matched = format!("namespace/{ns}");
                out.push(f);
            }
        }
        for (&w, exp) in &self.exposure {
            if exp.is_empty() {
                continue;
            }
            let o = &self.objects[w];
            let info = o.workload.as_ref().unwrap();
            if let (Some(rule), Some(p)) = (meta(PUBLIC_READS_SECRETS), self.permissions_of(w)) {
                if self.token_mounted(w) && (p.read_secrets || p.cluster_admin) {
                    let what = if p.cluster_admin {
                        "is cluster-admin"
                    } else {
                        "can read Secrets"
                    };
                    let mut f = Finding::new(
                        &rule,
                        format!(
                            "{} \"{}\" is publicly exposed and its service account \"{}\" {what} ({}): one request-level compromise reads every credential it can reach",
                            o.kind, o.name, info.service_account, p.via.join("; ")
                        ),
                        at(&o.path, info.sa_line),
                    );
                    f.matched = format!("{}/{}/{}", o.kind, o.namespace, o.name);
                    f.assets.push(workload_asset_id(o));
                    add_exposure(&mut f, exp);
                    out.push(f);
                }
            }
            if let Some(rule) = meta(PUBLIC_MODEL_SERVER) {
                if info.inference {
                    let mut f = Finding::new(
                        &rule,
                        format!(
                            "{} \"{}\" serves a model and is publicly exposed through {}",
                            o.kind, o.name, exp[0].how
                        ),
                        at(&o.path, o.name_line),
                    );
                    f.matched = format!("{}/{}/{}", o.kind, o.namespace, o.name);
                    f.assets.push(workload_asset_id(o));
                    add_exposure(&mut f, exp);
                    out.push(f);
                }
            }
        }
        out
    }

    /// Context for a per-file finding on a workload: exposure raises it one step.
    pub fn annotate(&self, f: &mut Finding, workload: &str) {
        let Some(w) = self.workload(workload) else {
            return;
        };
        f.assets.push(workload_asset_id(&self.objects[w]));
        let exp = &self.exposure[&w];
        if exp.is_empty() {
            return;
        }
        f.severity = f.severity.raised();
        f.message = format!(
            "{}; the workload is publicly exposed ({})",
            f.message, exp[0].how
        );
        add_exposure(f, exp);
    }
}

fn add_exposure(f: &mut Finding, exp: &[Exposure]) {
    if !f.tags.iter().any(|t| t == "exposure:public") {
        f.tags.push("exposure:public".into());
    }
    for e in exp.iter().take(3) {
        f.related.push(Related {
            kind: RelatedKind::Context,
            location: at(&e.path, e.line),
            message: format!("publicly exposed by {}", e.how),
        });
    }
}

fn at(path: &str, line: u32) -> Location {
    Location {
        path: path.to_string(),
        start_line: line.max(1),
        start_column: 1,
        end_line: line.max(1),
        end_column: 1,
        provenance: None,
        byte_offset: None,
    }
}

fn span(s: &Summary) -> Location {
    Location {
        path: s.path.clone(),
        start_line: s.line.max(1),
        start_column: 1,
        end_line: s.end_line.max(s.line).max(1),
        end_column: 1,
        provenance: None,
        byte_offset: None,
    }
}
