//! Kubernetes manifests: objects (a `List`'s items too), their pod specs and containers as rule scopes, and
//! the summary of each object that the exposure graph is built from.

use crate::scope::Instance;
use crate::tree::{Kind, NodeId, Tree};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One object of a manifest.
#[derive(Debug, Clone)]
pub struct Object {
    pub node: NodeId,
    pub api: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub start_line: u32,
    pub end_line: u32,
}

/// The objects of a document: itself, or the items of a `List`.
pub fn objects(t: &Tree, root: NodeId, start_line: u32, end_line: u32, out: &mut Vec<Object>) {
    let (Some(api), Some(kind)) = (t.get_str(root, "apiVersion"), t.get_str(root, "kind")) else {
        return;
    };
    if kind.ends_with("List") && t.get(root, "items").is_some() {
        for &item in t.elems(t.get(root, "items").unwrap()) {
            let n = t.node(item);
            let (s, e) = (n.line, n.end_line.max(n.line));
            objects(t, item, s, e, out);
        }
        return;
    }
    let meta = t.get(root, "metadata");
    let name = meta
        .and_then(|m| {
            t.get_str(m, "name")
                .or_else(|| t.get_str(m, "generateName"))
        })
        .unwrap_or("")
        .to_string();
    let namespace = meta
        .and_then(|m| t.get_str(m, "namespace"))
        .map(str::to_string);
    out.push(Object {
        node: root,
        api: api.to_string(),
        kind: kind.to_string(),
        name,
        namespace,
        start_line,
        end_line,
    });
}

/// Where a kind keeps its pod specs.
fn pod_spec_paths(api: &str, kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "Pod" => &[&["spec"]],
        "PodTemplate" => &[&["template", "spec"]],
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController"
        | "Rollout" => &[&["spec", "template", "spec"]],
        "CronJob" => &[&["spec", "jobTemplate", "spec", "template", "spec"]],
        "Service" if api.starts_with("serving.knative.dev") => &[&["spec", "template", "spec"]],
        "InferenceService" => &[
            &["spec", "predictor"],
            &["spec", "transformer"],
            &["spec", "explainer"],
        ],
        "InferenceGraph" | "ServingRuntime" | "ClusterServingRuntime" => &[&["spec"]],
        "SeldonDeployment" => &[&["spec", "predictors", "componentSpecs", "spec"]],
        "RayService" => &[
            &[
                "spec",
                "rayClusterConfig",
                "headGroupSpec",
                "template",
                "spec",
            ],
            &[
                "spec",
                "rayClusterConfig",
                "workerGroupSpecs",
                "template",
                "spec",
            ],
        ],
        "RayCluster" => &[
            &["spec", "headGroupSpec", "template", "spec"],
            &["spec", "workerGroupSpecs", "template", "spec"],
        ],
        "Notebook" => &[&["spec", "template", "spec"]],
        _ => &[],
    }
}

/// Whether a kind runs pods (and is a workload of the graph).
pub fn is_workload(o: &Object) -> bool {
    !pod_spec_paths(&o.api, &o.kind).is_empty()
}

pub fn workload_id(o: &Object) -> String {
    format!(
        "{}/{}/{}",
        o.kind,
        o.namespace.as_deref().unwrap_or("default"),
        o.name
    )
}

/// The pod specs of an object.
pub fn pod_specs(t: &Tree, o: &Object) -> Vec<NodeId> {
    pod_spec_hits(t, o).into_iter().map(|h| h.node).collect()
}

/// The pod specs of an object, with the keys they are under (`spec:`), where findings about a pod point.
pub fn pod_spec_hits(t: &Tree, o: &Object) -> Vec<crate::tree::Hit> {
    let mut out = Vec::new();
    for path in pod_spec_paths(&o.api, &o.kind) {
        let steps: Vec<_> = path
            .iter()
            .map(|s| crate::tree::Step::Key((*s).to_string()))
            .collect();
        for h in t.lookup(o.node, &steps) {
            if t.is_map(h.node) {
                out.push(h);
            }
        }
    }
    out
}

/// Containers of a pod spec, with the list they are in. A KServe predictor's `model` is a container too.
pub fn containers(t: &Tree, pod: NodeId) -> Vec<(NodeId, &'static str)> {
    containers_with_keys(t, pod)
        .into_iter()
        .map(|(c, l, _)| (c, l))
        .collect()
}

/// As [`containers`], with the key of a container that is a map entry (a KServe `model:`).
pub fn containers_with_keys(t: &Tree, pod: NodeId) -> Vec<(NodeId, &'static str, Option<NodeId>)> {
    let mut out = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(l) = t.get(pod, list) {
            out.extend(
                t.elems(l)
                    .iter()
                    .filter(|&&c| t.is_map(c))
                    .map(|&c| (c, list, None)),
            );
        }
    }
    for model in [
        "model",
        "sklearn",
        "xgboost",
        "pytorch",
        "tensorflow",
        "onnx",
        "huggingface",
        "triton",
    ] {
        if let Some(h) = t.get_hit(pod, model).filter(|h| t.is_map(h.node)) {
            out.push((h.node, "model", h.key));
        }
    }
    out
}

/// The rule scopes of one object.
pub fn instances(t: &Tree, o: &Object, out: &mut Vec<Instance>) {
    let obj_what = format!("{} \"{}\"", o.kind, o.name);
    let ns = o.namespace.as_deref().unwrap_or("default");
    let key = format!("{}/{}/{}", o.kind, ns, o.name);
    let workload = is_workload(o).then(|| workload_id(o));
    out.push(Instance {
        scope: "k8s/object",
        kind: o.kind.clone(),
        node: o.node,
        anchors: vec![("object", o.node)],
        what: obj_what.clone(),
        key: key.clone(),
        workload: workload.clone(),
        head: None,
    });
    for (i, hit) in pod_spec_hits(t, o).into_iter().enumerate() {
        let pod = hit.node;
        out.push(Instance {
            scope: "k8s/pod",
            kind: o.kind.clone(),
            node: pod,
            anchors: vec![("object", o.node), ("pod", pod)],
            what: obj_what.clone(),
            key: format!("{key}/pod{i}"),
            workload: workload.clone(),
            head: hit.key,
        });
        for (c, list, ckey) in containers_with_keys(t, pod) {
            let cname = t.get_str(c, "name").unwrap_or(list);
            out.push(Instance {
                scope: "k8s/container",
                kind: o.kind.clone(),
                node: c,
                anchors: vec![("object", o.node), ("pod", pod), ("container", c)],
                what: format!("container \"{cname}\" of {obj_what}"),
                key: format!("{key}/pod{i}/{list}/{cname}"),
                workload: workload.clone(),
                head: ckey,
            });
        }
    }
}

/// What the exposure graph needs to know of an object (published as a `k8s/object` fact).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub kind: String,
    pub api: String,
    pub name: String,
    pub namespace: String,
    pub path: String,
    pub line: u32,
    pub end_line: u32,
    /// The line of `metadata.name`.
    pub name_line: u32,
    /// Pod labels (workloads), object labels otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceInfo>,
    /// Ingress and Gateway API routes: the Services they send traffic to, and (routes) their Gateways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netpol: Option<NetpolInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<BindingInfo>,
    /// ServiceAccount: its automountServiceAccountToken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkloadInfo {
    pub service_account: String,
    pub sa_line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount: Option<bool>,
    pub images: Vec<String>,
    pub secrets: Vec<String>,
    pub config_maps: Vec<String>,
    pub host_network: bool,
    pub privileged: bool,
    /// Serves a model: an inference CRD, a GPU request, or a known model-server image.
    pub inference: bool,
    /// KServe: `networking.kserve.io/visibility: cluster-local`.
    pub cluster_local: bool,
    /// Container names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    /// Environment variable name → where its value comes from (`secret:NAME`, `configmap:NAME`, `field`,
    /// `literal`); literal values are never kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Some container requests or limits a GPU.
    #[serde(default)]
    pub gpu: bool,
    /// Every container sets both a CPU and a memory limit.
    #[serde(default)]
    pub limits: bool,
    /// Models a model server is told to serve: `--model`/`--model-id` arguments, `vllm serve MODEL`, and the
    /// `MODEL_ID`/`MODEL_NAME`/`HF_MODEL_ID` environment variables (literal values only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// A `--revision` argument pins the served model.
    #[serde(default)]
    pub model_revision: bool,
}

/// Environment variables that name the model a server loads (TGI, vLLM images, KServe Hugging Face runtime).
const MODEL_ENV: &[&str] = &["MODEL_ID", "MODEL_NAME", "HF_MODEL_ID", "MODEL"];

/// Model-server arguments: `--model X`, `--model=X`, `--model-id X`, `serve X` (vLLM's CLI); `--revision`.
fn model_args(args: &[&str], w: &mut WorkloadInfo) {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (a, None),
        };
        let next = || args.get(i + 1).copied().filter(|v| !v.starts_with('-'));
        match flag {
            "--model" | "--model-id" | "--model_id" | "--model-name" => {
                if let Some(v) = inline.or_else(next) {
                    w.models.push(v.to_string());
                }
            }
            "--revision" | "--code-revision" => w.model_revision = true,
            "serve" if i > 0 && args[i - 1].ends_with("vllm") => {
                if let Some(v) = next() {
                    w.models.push(v.to_string());
                }
            }
            _ => {}
        }
        i += 1;
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceInfo {
    #[serde(rename = "type")]
    pub type_: String,
    pub type_line: u32,
    pub selector: BTreeMap<String, String>,
    pub internal_lb: bool,
    pub external_ips: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RouteInfo {
    pub services: Vec<String>,
    pub gateways: Vec<String>,
    pub hosts: Vec<String>,
    pub internal: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NetpolInfo {
    pub selector: BTreeMap<String, String>,
    /// `podSelector` has matchExpressions we do not evaluate: assume it selects.
    pub selector_complex: bool,
    pub ingress: bool,
    pub egress: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RoleInfo {
    pub read_secrets: bool,
    pub wildcard: bool,
    pub escalate: bool,
    pub exec: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BindingInfo {
    pub role_kind: String,
    pub role: String,
    pub subjects: Vec<Subject>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Subject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

fn str_map(t: &Tree, n: Option<NodeId>) -> BTreeMap<String, String> {
    n.map(|n| {
        t.entries(n)
            .filter_map(|(k, v)| Some((t.str(k)?.to_string(), t.str(v).unwrap_or("").to_string())))
            .collect()
    })
    .unwrap_or_default()
}

fn strs(t: &Tree, n: Option<NodeId>) -> Vec<String> {
    n.map(|n| {
        if t.kind(n) == Kind::Seq {
            t.elems(n)
                .iter()
                .filter_map(|&e| t.str(e).map(str::to_string))
                .collect()
        } else {
            t.str(n).map(|s| vec![s.to_string()]).unwrap_or_default()
        }
    })
    .unwrap_or_default()
}

fn bool_at(t: &Tree, n: NodeId, key: &str) -> Option<bool> {
    let v = t.get(n, key)?;
    match t.str(v)? {
        s if s.eq_ignore_ascii_case("true") => Some(true),
        s if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn path_str<'t>(t: &'t Tree, n: NodeId, path: &[&str]) -> Option<&'t str> {
    let mut cur = n;
    for k in path {
        cur = t.get(cur, k)?;
    }
    t.str(cur)
}

const MODEL_SERVER_IMAGES: &[&str] = &[
    "vllm",
    "text-generation-inference",
    "tgi",
    "triton",
    "tritonserver",
    "ollama",
    "kserve",
    "torchserve",
    "tensorflow/serving",
    "llama.cpp",
    "llama-cpp",
    "sglang",
    "tensorrt-llm",
    "lmdeploy",
    "localai",
    "huggingface",
    "seldon",
    "mlserver",
    "ray-ml",
    "text-embeddings-inference",
    "xinference",
];

pub fn summarize(t: &Tree, o: &Object, path: &str) -> Summary {
    let meta = t.get(o.node, "metadata");
    let mut s = Summary {
        kind: o.kind.clone(),
        api: o.api.clone(),
        name: o.name.clone(),
        namespace: o.namespace.clone().unwrap_or_else(|| "default".into()),
        path: path.to_string(),
        line: o.start_line,
        end_line: o.end_line,
        name_line: meta
            .and_then(|m| t.get_hit(m, "name"))
            .map_or(o.start_line, |h| t.node(h.key.unwrap_or(h.node)).line),
        labels: str_map(t, meta.and_then(|m| t.get(m, "labels"))),
        annotations: str_map(t, meta.and_then(|m| t.get(m, "annotations"))),
        ..Default::default()
    };
    let spec = t.get(o.node, "spec");
    if is_workload(o) {
        let pods = pod_specs(t, o);
        let mut w = WorkloadInfo {
            service_account: "default".into(),
            sa_line: t
                .get(o.node, "metadata")
                .map_or(o.start_line, |m| t.node(m).line),
            ..Default::default()
        };
        // Pod labels: the template's, else the object's.
        let tmpl_labels = spec
            .and_then(|sp| t.get(sp, "template"))
            .and_then(|tp| t.get(tp, "metadata"))
            .and_then(|m| t.get(m, "labels"));
        if let Some(l) = tmpl_labels {
            s.labels = str_map(t, Some(l));
        }
        w.cluster_local = s
            .labels
            .get("networking.kserve.io/visibility")
            .is_some_and(|v| v == "cluster-local");
        w.inference = matches!(
            o.kind.as_str(),
            "InferenceService"
                | "SeldonDeployment"
                | "ServingRuntime"
                | "ClusterServingRuntime"
                | "RayService"
                | "InferenceGraph"
        );
        let mut all_limited = true;
        for pod in pods {
            if let Some(h) = t
                .get_hit(pod, "serviceAccountName")
                .or_else(|| t.get_hit(pod, "serviceAccount"))
            {
                if let Some(name) = t.str(h.node) {
                    w.service_account = name.to_string();
                    w.sa_line = t.node(h.key.unwrap_or(h.node)).line;
                }
            }
            w.automount = w
                .automount
                .or(bool_at(t, pod, "automountServiceAccountToken"));
            w.host_network |= bool_at(t, pod, "hostNetwork") == Some(true);
            if let Some(vols) = t.get(pod, "volumes") {
                for &v in t.elems(vols) {
                    if let Some(n) = path_str(t, v, &["secret", "secretName"]) {
                        w.secrets.push(n.to_string());
                    }
                    if let Some(n) = path_str(t, v, &["configMap", "name"]) {
                        w.config_maps.push(n.to_string());
                    }
                    if let Some(srcs) = t.get(v, "projected").and_then(|p| t.get(p, "sources")) {
                        for &src in t.elems(srcs) {
                            if let Some(n) = path_str(t, src, &["secret", "name"]) {
                                w.secrets.push(n.to_string());
                            }
                            if let Some(n) = path_str(t, src, &["configMap", "name"]) {
                                w.config_maps.push(n.to_string());
                            }
                        }
                    }
                }
            }
            if let Some(ips) = t.get(pod, "imagePullSecrets") {
                for &e in t.elems(ips) {
                    if let Some(n) = t.get_str(e, "name") {
                        w.secrets.push(n.to_string());
                    }
                }
            }
            for (c, _) in containers(t, pod) {
                if let Some(n) = t.get_str(c, "name") {
                    w.containers.push(n.to_string());
                }
                let mut argv: Vec<&str> = Vec::new();
                for key in ["command", "args"] {
                    if let Some(seq) = t.get(c, key) {
                        argv.extend(t.elems(seq).iter().filter_map(|&e| t.str(e)));
                    }
                }
                // A shell form (`sh -c "vllm serve X"`) is split into words.
                let words: Vec<&str> = argv.iter().flat_map(|a| a.split_whitespace()).collect();
                model_args(&words, &mut w);
                let limited = |what: &str| {
                    t.get(c, "resources")
                        .and_then(|r| t.get(r, "limits"))
                        .is_some_and(|l| t.entries(l).any(|(k, _)| t.text(k) == what))
                };
                all_limited &= limited("cpu") && limited("memory");
                if let Some(img) = t.get_str(c, "image") {
                    let lower = img.to_ascii_lowercase();
                    if MODEL_SERVER_IMAGES.iter().any(|m| lower.contains(m)) {
                        w.inference = true;
                    }
                    w.images.push(img.to_string());
                }
                if path_str(t, c, &["securityContext", "privileged"]).is_some_and(|v| v == "true") {
                    w.privileged = true;
                }
                for res in ["limits", "requests"] {
                    if let Some(r) = t.get(c, "resources").and_then(|r| t.get(r, res)) {
                        if t.entries(r).any(|(k, _)| t.text(k).ends_with("/gpu")) {
                            w.inference = true;
                            w.gpu = true;
                        }
                    }
                }
                if let Some(env) = t.get(c, "env") {
                    for &e in t.elems(env) {
                        if let Some(var) = t.get_str(e, "name") {
                            let from = if let Some(n) =
                                path_str(t, e, &["valueFrom", "secretKeyRef", "name"])
                            {
                                format!("secret:{n}")
                            } else if let Some(n) =
                                path_str(t, e, &["valueFrom", "configMapKeyRef", "name"])
                            {
                                format!("configmap:{n}")
                            } else if t.get(e, "valueFrom").is_some() {
                                "field".to_string()
                            } else {
                                if MODEL_ENV.contains(&var) {
                                    if let Some(v) = t.get_str(e, "value") {
                                        w.models.push(v.to_string());
                                    }
                                }
                                "literal".to_string()
                            };
                            w.env.insert(var.to_string(), from);
                        }
                        if let Some(n) = path_str(t, e, &["valueFrom", "secretKeyRef", "name"]) {
                            w.secrets.push(n.to_string());
                        }
                        if let Some(n) = path_str(t, e, &["valueFrom", "configMapKeyRef", "name"]) {
                            w.config_maps.push(n.to_string());
                        }
                    }
                }
                if let Some(ef) = t.get(c, "envFrom") {
                    for &e in t.elems(ef) {
                        if let Some(n) = path_str(t, e, &["secretRef", "name"]) {
                            w.secrets.push(n.to_string());
                        }
                        if let Some(n) = path_str(t, e, &["configMapRef", "name"]) {
                            w.config_maps.push(n.to_string());
                        }
                    }
                }
            }
        }
        w.limits = all_limited && !w.containers.is_empty();
        for v in [
            &mut w.secrets,
            &mut w.config_maps,
            &mut w.images,
            &mut w.models,
        ] {
            v.sort();
            v.dedup();
        }
        s.workload = Some(w);
    }
    match o.kind.as_str() {
        "Service" if spec.is_some() && !o.api.starts_with("serving.knative.dev") => {
            let spec = spec.unwrap();
            let type_hit = t.get_hit(spec, "type");
            let ann = &s.annotations;
            let internal_lb = ann.iter().any(|(k, v)| {
                let v = v.to_ascii_lowercase();
                (k.contains("load-balancer-internal") && v == "true")
                    || (k.contains("load-balancer-type") && v == "internal")
                    || (k.contains("aws-load-balancer-scheme") && v == "internal")
                    || (k == "service.beta.kubernetes.io/oci-load-balancer-internal" && v == "true")
            });
            s.service = Some(ServiceInfo {
                type_: type_hit
                    .and_then(|h| t.str(h.node))
                    .unwrap_or("ClusterIP")
                    .to_string(),
                type_line: type_hit.map_or(o.start_line, |h| t.node(h.key.unwrap_or(h.node)).line),
                selector: str_map(t, t.get(spec, "selector")),
                internal_lb,
                external_ips: t
                    .get(spec, "externalIPs")
                    .is_some_and(|n| !t.elems(n).is_empty()),
            });
        }
        "Ingress" => {
            let mut r = RouteInfo::default();
            if let Some(spec) = spec {
                for p in [
                    "defaultBackend.service.name",
                    "rules.http.paths.backend.service.name",
                    "backend.serviceName",
                    "rules.http.paths.backend.serviceName",
                ] {
                    for h in t.lookup(spec, &crate::tree::parse_path(p).unwrap()) {
                        if let Some(n) = t.str(h.node) {
                            r.services.push(n.to_string());
                        }
                    }
                }
                r.hosts = t
                    .lookup(spec, &crate::tree::parse_path("rules.host").unwrap())
                    .iter()
                    .filter_map(|h| t.str(h.node).map(str::to_string))
                    .collect();
            }
            let class = spec
                .and_then(|sp| t.get_str(sp, "ingressClassName"))
                .or_else(|| {
                    s.annotations
                        .get("kubernetes.io/ingress.class")
                        .map(String::as_str)
                })
                .unwrap_or("");
            r.internal = class.contains("internal")
                || s.annotations.iter().any(|(k, v)| {
                    (k.ends_with("/scheme") && v == "internal")
                        || (k.contains("load-balancer-type") && v.eq_ignore_ascii_case("internal"))
                        || (k.contains("ingress.class") && v.contains("internal"))
                });
            s.route = Some(r);
        }
        "HTTPRoute" | "GRPCRoute" | "TCPRoute" | "TLSRoute" | "UDPRoute" => {
            let mut r = RouteInfo::default();
            if let Some(spec) = spec {
                for h in t.lookup(
                    spec,
                    &crate::tree::parse_path("rules.backendRefs[*]").unwrap(),
                ) {
                    let kind = t.get_str(h.node, "kind").unwrap_or("Service");
                    if kind == "Service" {
                        if let Some(n) = t.get_str(h.node, "name") {
                            r.services.push(n.to_string());
                        }
                    }
                }
                for h in t.lookup(spec, &crate::tree::parse_path("parentRefs[*]").unwrap()) {
                    if let Some(n) = t.get_str(h.node, "name") {
                        r.gateways.push(n.to_string());
                    }
                }
                r.hosts = strs(t, t.get(spec, "hostnames"));
            }
            s.route = Some(r);
        }
        "NetworkPolicy" if spec.is_some() => {
            let spec = spec.unwrap();
            let sel = t.get(spec, "podSelector");
            let types = strs(t, t.get(spec, "policyTypes"));
            let has_egress_rules = t.get(spec, "egress").is_some();
            s.netpol = Some(NetpolInfo {
                selector: str_map(t, sel.and_then(|n| t.get(n, "matchLabels"))),
                selector_complex: sel.and_then(|n| t.get(n, "matchExpressions")).is_some(),
                ingress: types.is_empty() || types.iter().any(|x| x == "Ingress"),
                egress: types.iter().any(|x| x == "Egress")
                    || (types.is_empty() && has_egress_rules),
            });
        }
        "Role" | "ClusterRole" => {
            let mut r = RoleInfo::default();
            if let Some(rules) = t.get(o.node, "rules") {
                for &rule in t.elems(rules) {
                    let verbs = strs(t, t.get(rule, "verbs"));
                    let res = strs(t, t.get(rule, "resources"));
                    let any_verb = verbs.iter().any(|v| v == "*");
                    let any_res = res.iter().any(|v| v == "*");
                    if any_verb && any_res {
                        r.wildcard = true;
                    }
                    if (any_res || res.iter().any(|x| x == "secrets"))
                        && (any_verb
                            || verbs
                                .iter()
                                .any(|v| matches!(v.as_str(), "get" | "list" | "watch")))
                    {
                        r.read_secrets = true;
                    }
                    if verbs
                        .iter()
                        .any(|v| matches!(v.as_str(), "escalate" | "bind" | "impersonate"))
                    {
                        r.escalate = true;
                    }
                    if res.iter().any(|x| x == "pods/exec" || x == "pods/attach")
                        && (any_verb || verbs.iter().any(|v| v == "create" || v == "get"))
                    {
                        r.exec = true;
                    }
                }
            }
            s.role = Some(r);
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            let rr = t.get(o.node, "roleRef");
            let mut b = BindingInfo {
                role_kind: rr
                    .and_then(|r| t.get_str(r, "kind"))
                    .unwrap_or("")
                    .to_string(),
                role: rr
                    .and_then(|r| t.get_str(r, "name"))
                    .unwrap_or("")
                    .to_string(),
                subjects: Vec::new(),
            };
            if let Some(subs) = t.get(o.node, "subjects") {
                for &sub in t.elems(subs) {
                    b.subjects.push(Subject {
                        kind: t.get_str(sub, "kind").unwrap_or("").to_string(),
                        name: t.get_str(sub, "name").unwrap_or("").to_string(),
                        namespace: t
                            .get_str(sub, "namespace")
                            .map(str::to_string)
                            .unwrap_or_else(|| s.namespace.clone()),
                    });
                }
            }
            s.binding = Some(b);
        }
        "ServiceAccount" => s.automount = bool_at(t, o.node, "automountServiceAccountToken"),
        _ => {}
    }
    s
}
