//! `warden scan` with the configuration analyzers: the Kubernetes exposure graph on a multi-service example
//! (assets, edges, graph findings, raised severities, a credential in a Secret that a public workload mounts),
//! findings from every family in every report format, and bad input.

mod common;
use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// Two namespaces. `shop` has a NetworkPolicy; its frontend is public through an Ingress, runs as a service
/// account bound to cluster-admin and reads a Secret that holds a GitHub token. `ml` has none; its model
/// server (vLLM, one GPU) is internal.
fn cluster() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        "deploy/shop/frontend.yaml",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: frontend}
  template:
    metadata:
      labels: {app: frontend}
    spec:
      serviceAccountName: frontend
      containers:
        - name: web
          image: shop/frontend:1.4.2
          securityContext:
            privileged: true
          envFrom:
            - secretRef:
                name: frontend-keys
---
apiVersion: v1
kind: Service
metadata:
  name: frontend
  namespace: shop
spec:
  selector: {app: frontend}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: frontend, port: {number: 80}}
"#,
    );
    write(
        root,
        "deploy/shop/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: frontend-keys\n  namespace: shop\ntype: Opaque\nstringData:\n  GITHUB_TOKEN: {}\n",
            github_pat()
        ),
    );
    write(
        root,
        "deploy/shop/rbac.yaml",
        r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: frontend
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: frontend-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: frontend
    namespace: shop
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
"#,
    );
    write(
        root,
        "deploy/ml/model-server.yaml",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: model-server
  namespace: ml
spec:
  selector:
    matchLabels: {app: llm}
  template:
    metadata:
      labels: {app: llm}
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.3
          resources:
            limits:
              nvidia.com/gpu: 1
---
apiVersion: v1
kind: Service
metadata:
  name: llm
  namespace: ml
spec:
  selector: {app: llm}
  ports: [{port: 8000}]
"#,
    );
    dir
}

fn find<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn asset<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no asset {id}: {:#}", doc["assets"]))
}

#[test]
fn exposure_graph_on_a_multi_service_cluster() {
    let dir = cluster();
    let doc = scan_json(dir.path(), &["--only", "k8s,secrets"], 1);
    let errors = schema_errors(
        include_str!("../docs/schemas/report-v2.schema.json"),
        &doc,
    );
    assert!(errors.is_empty(), "{errors:#?}");

    // The graph: the frontend is public through the Ingress and covered by a NetworkPolicy; the model server
    // is internal, serves a model, and its namespace has no policy.
    let front = asset(&doc, "k8s:workload:Deployment/shop/frontend");
    assert_eq!(front["kind"], "workload");
    assert_eq!(front["properties"]["public"], true);
    assert_eq!(
        front["properties"]["exposed_by"][0],
        "Ingress \"shop\" (host shop.example.com) → Service \"frontend\""
    );
    assert_eq!(front["properties"]["network_policy"], true);
    assert_eq!(front["properties"]["service_account"], "frontend");
    assert_eq!(front["properties"]["permissions"]["cluster_admin"], true);
    assert_eq!(front["properties"]["secrets"][0], "frontend-keys");
    let model = asset(&doc, "k8s:workload:Deployment/ml/model-server");
    assert_eq!(model["properties"]["public"], false);
    assert_eq!(model["properties"]["inference"], true);
    assert_eq!(model["properties"]["network_policy"], false);
    let sa = asset(&doc, "k8s:service-account:shop/frontend");
    assert_eq!(sa["properties"]["cluster_admin"], true);
    assert_eq!(
        asset(&doc, "k8s:secret:shop/frontend-keys")["kind"],
        "credential"
    );
    let edges = doc["edges"].as_array().unwrap();
    let has = |from: &str, to: &str, kind: &str| {
        edges
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    assert!(has(
        "k8s:workload:Deployment/shop/frontend",
        "k8s:service-account:shop/frontend",
        "runs-as"
    ));
    assert!(has(
        "k8s:workload:Deployment/shop/frontend",
        "k8s:secret:shop/frontend-keys",
        "reads"
    ));
    assert!(has(
        "k8s:workload:Deployment/ml/model-server",
        "k8s:service-account:ml/default",
        "runs-as"
    ));

    // Graph findings: the public cluster-admin frontend; the namespace without a policy (ml, not shop); no
    // public model server.
    let admin = find(&doc, "k8s/public-workload-reads-secrets");
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0]["location"]["path"], "deploy/shop/frontend.yaml");
    assert_eq!(admin[0]["location"]["start_line"], 14);
    let netpol = find(&doc, "k8s/namespace-without-networkpolicy");
    assert_eq!(netpol.len(), 1);
    assert_eq!(netpol[0]["location"]["path"], "deploy/ml/model-server.yaml");
    assert!(find(&doc, "k8s/public-model-server").is_empty());

    // A per-file finding on the public workload says so and is raised: privileged is high, here critical.
    let privileged = find(&doc, "k8s/privileged-container");
    assert_eq!(privileged.len(), 1);
    assert_eq!(privileged[0]["severity"], "critical");
    assert!(privileged[0]["tags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("exposure:public")));
    assert_eq!(privileged[0]["related"][0]["kind"], "context");
    assert_eq!(
        privileged[0]["related"][0]["location"]["path"],
        "deploy/shop/frontend.yaml"
    );

    // The token in the Secret names the public workload that mounts it, and is raised.
    let token = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["location"]["path"] == "deploy/shop/secret.yaml"
                && f["rule_id"].as_str().unwrap().starts_with("secrets/")
        })
        .expect("the token in the Secret is found");
    assert_eq!(token["severity"], "critical");
    assert!(token["assets"]
        .as_array()
        .unwrap()
        .contains(&Value::from("k8s:workload:Deployment/shop/frontend")));
    assert!(token["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["message"] == "mounted by Deployment shop/frontend (publicly exposed)"));
}

#[test]
fn graph_report_in_every_format() {
    let dir = cluster();
    let text = warden()
        .args(["scan", ".", "--only", "k8s,secrets"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    report_settings()
        .bind(|| insta::assert_snapshot!("config_text_report", String::from_utf8(text).unwrap()));
    let doc = scan_json(dir.path(), &["--only", "k8s,secrets"], 1);
    insta::assert_json_snapshot!("config_json_report", doc, {
        ".scan.tool_version" => "[version]",
        ".scan.rules_version" => "[rules version]",
        ".scan.started_at" => "[time]",
        ".summary.duration_ms" => "[ms]",
        ".findings[].remediation" => "[remediation]",
    });
    let out = warden()
        .args(["scan", ".", "--only", "k8s,secrets", "--format", "sarif"])
        .current_dir(dir.path())
        .assert()
        .code(1);
    let sarif = json(&out.get_output().stdout);
    let errors = schema_errors(include_str!("data/sarif-schema-2.1.0.json"), &sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    insta::assert_json_snapshot!("config_sarif_report", sarif, {
        ".runs[].tool.driver.version" => "[version]",
        ".runs[].tool.driver.semanticVersion" => "[version]",
        ".runs[].tool.driver.rules" => "[every rule]",
        ".runs[].results[].ruleIndex" => "[index]",
        ".runs[].invocations[].startTimeUtc" => "[time]",
        ".runs[].properties.rulesVersion" => "[rules version]",
    });
}

#[test]
fn every_family_reports_at_the_offending_line() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM python:3.12-slim\nRUN curl -fsSL https://get.example.sh | sh\nCMD [\"python\", \"app.py\"]\n");
    write(
        root,
        "docker-compose.yml",
        "services:\n  app:\n    image: app:1.0\n    privileged: true\n",
    );
    write(
        root,
        "infra/main.tf",
        "resource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = var.admin_cidrs\n  }\n}\n",
    );
    write(
        root,
        "infra/variables.tf",
        "variable \"admin_cidrs\" {\n  default = [\"0.0.0.0/0\"]\n}\n",
    );
    write(
        root,
        ".github/workflows/triage.yml",
        "on: issues\npermissions: {}\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n",
    );
    write(
        root,
        ".github/actions/notify/action.yml",
        "name: notify\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: |\n        echo start\n        echo \"${{ github.event.pull_request.title }}\"\n",
    );
    let doc = scan_json(root, &["--only", "docker,tf,ci"], 1);
    let at = |rule_prefix: &str, path: &str| -> Vec<u64> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["location"]["path"] == path
                    && f["rule_id"].as_str().unwrap().starts_with(rule_prefix)
            })
            .map(|f| f["location"]["start_line"].as_u64().unwrap())
            .collect()
    };
    assert!(at("docker/", "Dockerfile").contains(&2), "{doc:#}");
    assert!(at("docker/", "docker-compose.yml").contains(&4), "{doc:#}");
    // The CIDR comes from a variable in another file of the module: resolved, reported at the reference.
    assert!(at("tf/", "infra/main.tf").contains(&6), "{doc:#}");
    assert!(
        at("ci/gha/", ".github/workflows/triage.yml").contains(&7),
        "{doc:#}"
    );
}

#[test]
fn bad_input_is_a_diagnostic_and_the_scan_goes_on() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    // An alias bomb, deep nesting, invalid YAML after a good document, invalid HCL, a Helm template.
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10u8 {
        let (p, c) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        bomb.push_str(&format!(
            "{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    write(root, "bomb.yaml", &bomb);
    write(
        root,
        "deep.yaml",
        format!("apiVersion: v1\nkind: Pod\nspec: {}\n", "[".repeat(50_000)),
    );
    write(
        root,
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n---\napiVersion: v1\nkind: Pod\nspec: [\n",
    );
    write(
        root,
        "broken.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  acl = \n}\n",
    );
    write(
        root,
        "chart/templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    let out = warden()
        .args(["scan", ".", "--only", "k8s,tf", "--format", "json"])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let diags = doc["diagnostics"].as_array().unwrap();
    let diag = |path: &str| -> String {
        diags
            .iter()
            .filter(|d| d["path"] == path)
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let deep = diag("deep.yaml");
    assert!(
        deep.contains("recursion limit") || deep.contains("nested deeper than"),
        "{diags:#?}"
    );
    assert!(
        diag("broken.yaml").contains("invalid YAML at line 13:1"),
        "{diags:#?}"
    );
    assert!(
        diag("broken.yaml").contains("1 document(s) before it analysed"),
        "{diags:#?}"
    );
    assert!(
        diag("broken.tf").contains("invalid HCL: line 2"),
        "{diags:#?}"
    );
    assert!(
        diag("chart/templates/deploy.yaml").contains("Helm template"),
        "{diags:#?}"
    );
    assert_eq!(diag("bomb.yaml"), "");
    // The good document before the error is still analysed.
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["location"]["path"] == "broken.yaml"
            && f["rule_id"] == "k8s/privileged-container"));
}

#[test]
fn a_large_manifest_is_analysed_within_bounds() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n";
    let mut s = String::with_capacity(50 << 20);
    s.push_str(doc);
    let mut i = 0;
    while s.len() < 50 << 20 {
        s.push_str(&format!("  key{i}: \"{}\"\n", "v".repeat(100)));
        i += 1;
    }
    write(root, "big.yaml", &s);
    warden()
        .args(["scan", ".", "--only", "k8s"])
        .current_dir(root)
        .assert()
        .code(0);
}
