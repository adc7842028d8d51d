#!/usr/bin/env python3
"""Generates the inputs of the configuration speed benchmark (bench/config/speed.py) under bench/work/config-corpus/.

Deterministic (fixed seed): the same files on every machine. Nothing third-party is copied; every file is built
here from templates and word lists.

  k8s/         Kubernetes manifests: app bundles (ServiceAccount, ConfigMap, Deployment, Service, Ingress, HPA,
               PDB, NetworkPolicy in one multi-document file), StatefulSets, CronJobs/Jobs, DaemonSets, RBAC,
               large ConfigMaps, KServe/vLLM model servers and a few big "rendered chart" files
  terraform/   one Terraform tree: a root module, environments calling local modules (modules/aws-*, gcp-*,
               azure-*) and per-service directories; AWS, GCP and Azure resources, variables, locals, outputs,
               dynamic blocks and jsonencode'd IAM policies
  workflows/   repositories repo-NN/.github/workflows/*.yml: GitHub Actions workflows with varied triggers,
               permissions, matrices, services, reusable workflow calls and expressions
  docker/      Dockerfiles (multi-stage builds for several languages) and docker-compose files

A fraction of the files carry the usual misconfigurations (privileged containers, :latest images, open
security groups, unpinned actions, script injection...) so that every tool has findings to report.

  python3 bench/config/gen_corpus.py [--out DIR] [--scale 1.0] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "work" / "config-corpus"
VERSION = "1"  # bump when the generator changes, so that speed.py regenerates

WORDS = ["orders", "billing", "search", "auth", "catalog", "cart", "checkout", "payments", "inventory", "shipping",
         "notify", "profile", "reviews", "recommend", "pricing", "ledger", "gateway", "reports", "audit", "media",
         "upload", "thumbnail", "ingest", "etl", "features", "embeddings", "ranker", "chat", "assistant", "rag",
         "vector", "scheduler", "webhooks", "sessions", "accounts", "tenants", "metering", "invoices", "fraud",
         "risk", "kyc", "ledger-sync", "geo", "maps", "routing", "dispatch", "fleet", "telemetry", "alerts", "docs"]
TEAMS = ["platform", "commerce", "data", "ml", "identity", "growth", "infra", "finance", "ops", "search"]
REGISTRIES = ["ghcr.io/acme", "registry.example.com/team", "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
              "europe-docker.pkg.dev/acme-prod/apps", "acmecr.azurecr.io"]
BASE_IMAGES = ["nginx:1.27.2-alpine", "redis:7.4.1-alpine", "postgres:16.4", "busybox:1.36", "python:3.12-slim",
               "node:20.18-alpine", "golang:1.23", "envoyproxy/envoy:v1.31.2", "otel/opentelemetry-collector:0.112.0",
               "fluent/fluent-bit:3.1.9", "grafana/grafana:11.3.0", "prom/prometheus:v2.55.0", "nginx:latest",
               "ubuntu", "alpine:latest"]
SHA = "0123456789abcdef"


def sha(rng: random.Random, n: int = 40) -> str:
    return "".join(rng.choice(SHA) for _ in range(n))


def pick(rng, seq, k=None):
    return rng.choice(seq) if k is None else rng.sample(seq, k)


class Out:
    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0

    def write(self, rel: str, text: str) -> None:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        self.files += 1
        self.bytes += len(text.encode())


# ----------------------------------------------------------------------------- Kubernetes

def k8s_env(rng, app, n):
    lines = []
    for i in range(n):
        kind = rng.random()
        name = f"{pick(rng, ['APP', 'SVC', 'FEATURE', 'CACHE', 'DB', 'QUEUE', 'OTEL', 'LOG'])}_{pick(rng, WORDS).upper().replace('-', '_')}_{i}"
        if kind < 0.6:
            lines.append(f"            - name: {name}\n              value: \"{pick(rng, ['true', 'false', str(rng.randint(1, 9000)), app, 'info', 'https://' + app + '.internal'])}\"")
        elif kind < 0.85:
            lines.append(f"            - name: {name}\n              valueFrom:\n                configMapKeyRef:\n                  name: {app}-config\n                  key: {name.lower()}")
        else:
            lines.append(f"            - name: {name}\n              valueFrom:\n                secretKeyRef:\n                  name: {app}-secrets\n                  key: {name.lower()}")
    return "\n".join(lines)


def k8s_container(rng, app, name, bad: bool, indent="        "):
    img = f"{pick(rng, REGISTRIES)}/{app}:{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
    if bad and rng.random() < 0.3:
        img = pick(rng, ["nginx", "busybox:latest", f"{pick(rng, REGISTRIES)}/{app}:latest"])
    port = pick(rng, [8080, 8000, 3000, 9090, 5000])
    sc = ["          securityContext:", "            runAsNonRoot: true", "            allowPrivilegeEscalation: false",
          "            readOnlyRootFilesystem: true", "            capabilities:", "              drop: [\"ALL\"]"]
    if bad:
        r = rng.random()
        if r < 0.25:
            sc = ["          securityContext:", "            privileged: true"]
        elif r < 0.5:
            sc = []
        elif r < 0.7:
            sc = ["          securityContext:", "            runAsUser: 0", "            allowPrivilegeEscalation: true"]
        else:
            sc = ["          securityContext:", "            capabilities:", "              add: [\"NET_ADMIN\", \"SYS_TIME\"]"]
    res = ["          resources:", "            requests:", f"              cpu: {rng.choice([50, 100, 250, 500])}m",
           f"              memory: {rng.choice([64, 128, 256, 512])}Mi", "            limits:",
           f"              cpu: {rng.choice(['500m', '1', '2'])}", f"              memory: {rng.choice([256, 512, 1024, 2048])}Mi"]
    if bad and rng.random() < 0.4:
        res = ["          resources:", "            requests:", "              cpu: 100m"]
    lines = [f"        - name: {name}", f"          image: {img}", "          imagePullPolicy: IfNotPresent",
             "          ports:", "            - name: http", f"              containerPort: {port}", "          env:",
             k8s_env(rng, app, rng.randint(3, 25)), *res, *sc]
    if rng.random() < 0.8:
        lines += ["          livenessProbe:", "            httpGet:", "              path: /healthz",
                  f"              port: {port}", f"            initialDelaySeconds: {rng.randint(5, 30)}",
                  "          readinessProbe:", "            httpGet:", "              path: /ready",
                  f"              port: {port}"]
    lines += ["          volumeMounts:", "            - name: config", "              mountPath: /etc/" + app,
              "              readOnly: true", "            - name: tmp", "              mountPath: /tmp"]
    return "\n".join(lines)


def k8s_pod_spec(rng, app, bad, ns):
    lines = ["    spec:", f"      serviceAccountName: {app}", "      automountServiceAccountToken: false"]
    if bad and rng.random() < 0.3:
        lines.append(pick(rng, ["      hostNetwork: true", "      hostPID: true", "      hostIPC: true"]))
    lines += ["      securityContext:", "        runAsNonRoot: true", f"        runAsUser: {rng.randint(1000, 65000)}",
              "        seccompProfile:", "          type: RuntimeDefault"]
    if rng.random() < 0.3:
        lines += ["      initContainers:", k8s_container(rng, app, "init-" + pick(rng, ["migrate", "wait", "assets"]), bad)]
    lines.append("      containers:")
    lines.append(k8s_container(rng, app, app, bad))
    for i in range(rng.choice([0, 0, 1, 1, 2])):
        lines.append(k8s_container(rng, app, pick(rng, ["proxy", "metrics", "log-shipper", "auth-sidecar"]) + str(i), bad and rng.random() < 0.5))
    lines += ["      volumes:", "        - name: config", "          configMap:", f"            name: {app}-config",
              "        - name: tmp", "          emptyDir: {}"]
    if bad and rng.random() < 0.15:
        lines += ["        - name: docker", "          hostPath:", "            path: /var/run/docker.sock"]
    if rng.random() < 0.5:
        lines += ["      affinity:", "        podAntiAffinity:", "          preferredDuringSchedulingIgnoredDuringExecution:",
                  "            - weight: 100", "              podAffinityTerm:", "                topologyKey: kubernetes.io/hostname",
                  "                labelSelector:", "                  matchLabels:", f"                    app.kubernetes.io/name: {app}"]
    if rng.random() < 0.3:
        lines += ["      tolerations:", "        - key: dedicated", "          operator: Equal", f"          value: {pick(rng, TEAMS)}",
                  "          effect: NoSchedule"]
    return "\n".join(lines)


def k8s_meta(app, ns, kind, api, extra_labels=""):
    return (f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {app}\n  namespace: {ns}\n  labels:\n"
            f"    app.kubernetes.io/name: {app}\n    app.kubernetes.io/part-of: {ns}{extra_labels}\n")


def k8s_workload(rng, app, ns, kind, bad):
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    head = k8s_meta(app, ns, kind, api)
    sel = f"  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n"
    tmpl = f"  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {app}\n{k8s_pod_spec(rng, app, bad, ns)}\n"
    if kind == "Deployment":
        return head + f"spec:\n  replicas: {rng.randint(1, 6)}\n  revisionHistoryLimit: 5\n" + sel + \
            "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n" + tmpl
    if kind == "StatefulSet":
        return head + f"spec:\n  serviceName: {app}\n  replicas: {rng.randint(1, 5)}\n" + sel + tmpl + \
            "  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n        accessModes: [\"ReadWriteOnce\"]\n" \
            f"        resources:\n          requests:\n            storage: {rng.choice([10, 20, 50, 100])}Gi\n"
    if kind == "DaemonSet":
        return head + "spec:\n" + sel + tmpl
    if kind == "Job":
        return head + f"spec:\n  backoffLimit: {rng.randint(0, 4)}\n" + tmpl.replace("    spec:\n", "    spec:\n      restartPolicy: Never\n", 1)
    # CronJob: the pod template two levels down
    inner = tmpl.replace("\n", "\n    ").rstrip() + "\n"
    inner = inner.replace("    spec:\n", "    spec:\n          restartPolicy: OnFailure\n", 1)
    return head + f"spec:\n  schedule: \"{rng.randint(0, 59)} {rng.randint(0, 23)} * * *\"\n  jobTemplate:\n    spec:\n  " + inner


def k8s_service(rng, app, ns, public):
    t = "LoadBalancer" if public else pick(rng, ["ClusterIP", "ClusterIP", "ClusterIP", "NodePort"])
    return k8s_meta(app, ns, "Service", "v1") + f"spec:\n  type: {t}\n  selector:\n    app.kubernetes.io/name: {app}\n" \
        f"  ports:\n    - name: http\n      port: 80\n      targetPort: http\n"


def k8s_ingress(rng, app, ns):
    host = f"{app}.{pick(rng, ['example.com', 'acme.io', 'internal.acme.io'])}"
    ann = "  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\n    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n"
    if rng.random() < 0.1:
        ann += "    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers \"X-Debug: 1\";\n"
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n  namespace: {ns}\n{ann}"
            f"spec:\n  ingressClassName: nginx\n  tls:\n    - hosts: [\"{host}\"]\n      secretName: {app}-tls\n"
            f"  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
            f"            backend:\n              service:\n                name: {app}\n                port:\n                  number: 80\n")


def k8s_configmap(rng, app, ns, big=False):
    n = rng.randint(40, 160) if big else rng.randint(4, 14)
    data = []
    for i in range(n):
        key = f"{pick(rng, WORDS)}.{pick(rng, ['timeout', 'enabled', 'url', 'pool', 'retries', 'level'])}.{i}"
        data.append(f"  {key}: \"{pick(rng, ['30s', 'true', 'false', '5', 'info', 'http://' + pick(rng, WORDS) + ':8080'])}\"")
    if big:
        conf = "\n".join(f"    location /{pick(rng, WORDS)}/{i} {{\n      proxy_pass http://{pick(rng, WORDS)}:8080;\n"
                         f"      proxy_read_timeout {rng.randint(5, 120)}s;\n    }}" for i in range(rng.randint(30, 120)))
        data.append(f"  nginx.conf: |\n    server {{\n      listen 8080;\n{conf}\n    }}")
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {ns}\ndata:\n" + "\n".join(data) + "\n"


def k8s_rbac(rng, app, ns, bad):
    rules = []
    for _ in range(rng.randint(2, 10)):
        res = pick(rng, ["pods", "services", "configmaps", "deployments", "jobs", "events", "endpoints", "leases"], rng.randint(1, 3))
        verbs = pick(rng, ["get", "list", "watch", "create", "update", "patch", "delete"], rng.randint(1, 4))
        grp = pick(rng, ['""', '"apps"', '"batch"', '"coordination.k8s.io"'])
        rules.append(f"  - apiGroups: [{grp}]\n    resources: [{', '.join(json.dumps(r) for r in res)}]\n"
                     f"    verbs: [{', '.join(json.dumps(v) for v in verbs)}]")
    if bad:
        rules.append(pick(rng, ['  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]',
                                '  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get", "list"]',
                                '  - apiGroups: [""]\n    resources: ["pods/exec"]\n    verbs: ["create"]']))
    cluster = rng.random() < 0.4
    kind = "ClusterRole" if cluster else "Role"
    nsline = "" if cluster else f"  namespace: {ns}\n"
    out = [f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  namespace: {ns}\n",
           f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {app}\n{nsline}rules:\n" + "\n".join(rules) + "\n",
           f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}Binding\nmetadata:\n  name: {app}\n{nsline}"
           f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {kind}\n  name: {app}\nsubjects:\n"
           f"  - kind: ServiceAccount\n    name: {app}\n    namespace: {ns}\n"]
    return out


def k8s_extras(rng, app, ns):
    out = []
    if rng.random() < 0.6:
        out.append(f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
                   f"spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {app}\n"
                   f"  minReplicas: 2\n  maxReplicas: {rng.randint(4, 30)}\n  metrics:\n    - type: Resource\n      resource:\n"
                   f"        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: 70\n")
    if rng.random() < 0.5:
        out.append(f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
                   f"spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n")
    if rng.random() < 0.5:
        out.append(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
                   f"spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n  policyTypes: [\"Ingress\"]\n"
                   f"  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n"
                   f"              kubernetes.io/metadata.name: {pick(rng, TEAMS)}\n")
    return out


def k8s_model_server(rng, app, ns, bad):
    if rng.random() < 0.5:
        vis = "" if bad else "    networking.kserve.io/visibility: cluster-local\n"
        return [f"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
                f"  labels:\n    team: ml\n{vis}spec:\n  predictor:\n    minReplicas: 1\n    model:\n      modelFormat:\n"
                f"        name: {pick(rng, ['sklearn', 'xgboost', 'pytorch', 'huggingface'])}\n"
                f"      storageUri: s3://acme-models/{app}/v{rng.randint(1, 20)}\n      resources:\n        limits:\n"
                f"          cpu: \"2\"\n          memory: 4Gi\n"]
    dep = k8s_workload(rng, app, ns, "Deployment", bad).replace(
        "          imagePullPolicy: IfNotPresent\n", "          imagePullPolicy: IfNotPresent\n          args: [\"--model\", \"meta-llama/Llama-3.1-8B-Instruct\"]\n", 1)
    dep = dep.replace(f"image: {dep.split('image: ')[1].split(chr(10))[0]}", "image: vllm/vllm-openai:v0.6.3", 1)
    return [dep, k8s_service(rng, app, ns, bad)]


def gen_k8s(rng, out: Out, n_files: int):
    for i in range(n_files):
        ns = f"{pick(rng, TEAMS)}-{pick(rng, WORDS)}"
        app = f"{pick(rng, WORDS)}-{i}"
        bad = rng.random() < 0.3
        r = rng.random()
        if r < 0.40:
            docs = [k8s_configmap(rng, app, ns), k8s_workload(rng, app, ns, "Deployment", bad),
                    k8s_service(rng, app, ns, bad and rng.random() < 0.3)]
            if rng.random() < 0.5:
                docs.append(k8s_ingress(rng, app, ns))
            docs += k8s_extras(rng, app, ns)
            name = f"apps/{ns}/{app}.yaml"
        elif r < 0.50:
            docs = [k8s_workload(rng, app, ns, "StatefulSet", bad), k8s_service(rng, app, ns, False)]
            name = f"data/{ns}/{app}-statefulset.yaml"
        elif r < 0.60:
            docs = [k8s_workload(rng, app, ns, pick(rng, ["CronJob", "Job"]), bad)]
            name = f"jobs/{ns}/{app}.yaml"
        elif r < 0.66:
            docs = [k8s_workload(rng, app, ns, "DaemonSet", bad)]
            name = f"system/{ns}/{app}-daemonset.yaml"
        elif r < 0.78:
            docs = k8s_rbac(rng, app, ns, bad)
            name = f"rbac/{ns}/{app}-rbac.yaml"
        elif r < 0.86:
            docs = [k8s_configmap(rng, app, ns, big=True)]
            name = f"config/{ns}/{app}-configmap.yaml"
        elif r < 0.94:
            docs = k8s_model_server(rng, app, ns, bad)
            name = f"ml/{ns}/{app}-serving.yaml"
        else:
            # a rendered chart: many objects in one file
            docs = []
            for j in range(rng.randint(6, 20)):
                sub = f"{app}-{j}"
                docs += [k8s_configmap(rng, sub, ns), k8s_workload(rng, sub, ns, pick(rng, ["Deployment", "StatefulSet"]), bad and j % 3 == 0),
                         k8s_service(rng, sub, ns, False)] + k8s_rbac(rng, sub, ns, False)
            name = f"rendered/{ns}/{app}-chart.yaml"
        out.write("k8s/" + name, "---\n".join(docs))


# ----------------------------------------------------------------------------- Terraform

def tf_tags(rng, name, indent="  "):
    return (f"{indent}tags = merge(local.common_tags, {{\n{indent}  Name    = \"{name}\"\n"
            f"{indent}  Service = \"{pick(rng, WORDS)}\"\n{indent}}})\n")


def tf_aws_network(rng, n):
    parts = ['resource "aws_vpc" "this" {\n  cidr_block           = var.cidr\n  enable_dns_hostnames = true\n'
             '  enable_dns_support   = true\n  tags = merge(local.common_tags, { Name = var.name })\n}\n']
    for i in range(n):
        parts.append(f'resource "aws_subnet" "private_{i}" {{\n  vpc_id            = aws_vpc.this.id\n'
                     f'  cidr_block        = cidrsubnet(var.cidr, 8, {i})\n  availability_zone = element(var.azs, {i % 3})\n'
                     f'  tags = merge(local.common_tags, {{ Name = "${{var.name}}-private-{i}", Tier = "private" }})\n}}\n')
        parts.append(f'resource "aws_route_table" "private_{i}" {{\n  vpc_id = aws_vpc.this.id\n'
                     f'  route {{\n    cidr_block     = "0.0.0.0/0"\n    nat_gateway_id = var.nat_gateway_id\n  }}\n}}\n')
    for i in range(n):
        bad = rng.random() < 0.2
        ingress = []
        for port in pick(rng, [443, 8080, 5432, 6379, 22, 3389, 9090], rng.randint(1, 4)):
            cidr = '"0.0.0.0/0"' if (bad or port == 443) else f'"10.{rng.randint(0, 255)}.0.0/16"'
            ingress.append(f'  ingress {{\n    description = "port {port}"\n    from_port   = {port}\n    to_port     = {port}\n'
                           f'    protocol    = "tcp"\n    cidr_blocks = [{cidr}]\n  }}\n')
        parts.append(f'resource "aws_security_group" "sg_{i}" {{\n  name        = "${{var.name}}-sg-{i}"\n'
                     f'  description = "Security group {i}"\n  vpc_id      = aws_vpc.this.id\n' + "".join(ingress) +
                     '  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')
    parts.append('resource "aws_security_group" "dynamic" {\n  name   = "${var.name}-dynamic"\n  vpc_id = aws_vpc.this.id\n'
                 '  dynamic "ingress" {\n    for_each = var.allowed_ports\n    content {\n      from_port   = ingress.value\n'
                 '      to_port     = ingress.value\n      protocol    = "tcp"\n      cidr_blocks = var.allowed_cidrs\n    }\n  }\n}\n')
    return parts


def tf_aws_storage(rng, n):
    parts = []
    for i in range(n):
        b = f"b{i}"
        bad = rng.random() < 0.2
        parts.append(f'resource "aws_s3_bucket" "{b}" {{\n  bucket = "${{var.prefix}}-{pick(rng, WORDS)}-{i}"\n' + tf_tags(rng, b) + '}\n')
        flag = "false" if bad else "true"
        parts.append(f'resource "aws_s3_bucket_public_access_block" "{b}" {{\n  bucket                  = aws_s3_bucket.{b}.id\n'
                     f'  block_public_acls       = {flag}\n  block_public_policy     = {flag}\n  ignore_public_acls      = true\n'
                     f'  restrict_public_buckets = true\n}}\n')
        parts.append(f'resource "aws_s3_bucket_server_side_encryption_configuration" "{b}" {{\n  bucket = aws_s3_bucket.{b}.id\n'
                     f'  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm     = "aws:kms"\n'
                     f'      kms_master_key_id = var.kms_key_arn\n    }}\n  }}\n}}\n')
        if rng.random() < 0.6:
            parts.append(f'resource "aws_s3_bucket_versioning" "{b}" {{\n  bucket = aws_s3_bucket.{b}.id\n'
                         f'  versioning_configuration {{\n    status = "Enabled"\n  }}\n}}\n')
        if bad and rng.random() < 0.5:
            parts.append(f'resource "aws_s3_bucket_acl" "{b}" {{\n  bucket = aws_s3_bucket.{b}.id\n  acl    = "public-read"\n}}\n')
        if rng.random() < 0.4:
            principal = '"*"' if bad else '{ AWS = var.reader_role_arn }'
            parts.append(f'resource "aws_s3_bucket_policy" "{b}" {{\n  bucket = aws_s3_bucket.{b}.id\n  policy = jsonencode({{\n'
                         f'    Version = "2012-10-17"\n    Statement = [{{\n      Effect    = "Allow"\n      Principal = {principal}\n'
                         f'      Action    = ["s3:GetObject"]\n      Resource  = "${{aws_s3_bucket.{b}.arn}}/*"\n    }}]\n  }})\n}}\n')
    return parts


def tf_aws_compute(rng, n):
    parts = []
    for i in range(n):
        bad = rng.random() < 0.25
        md = '' if bad else '  metadata_options {\n    http_tokens   = "required"\n    http_endpoint = "enabled"\n  }\n'
        parts.append(f'resource "aws_instance" "node_{i}" {{\n  ami                    = var.ami_id\n'
                     f'  instance_type          = "{pick(rng, ["t3.medium", "m7i.large", "c7g.xlarge", "g5.2xlarge"])}"\n'
                     f'  subnet_id              = element(var.subnet_ids, {i})\n  vpc_security_group_ids = var.security_group_ids\n'
                     f'  iam_instance_profile   = aws_iam_instance_profile.node.name\n  monitoring             = true\n{md}'
                     f'  root_block_device {{\n    volume_size = {rng.choice([20, 50, 100])}\n    encrypted   = {"false" if bad else "true"}\n  }}\n'
                     f'  user_data = templatefile("${{path.module}}/user_data.sh.tpl", {{ role = "{pick(rng, WORDS)}" }})\n' + tf_tags(rng, f"node-{i}") + '}\n')
    parts.append('resource "aws_iam_role" "node" {\n  name = "${var.name}-node"\n  assume_role_policy = jsonencode({\n'
                 '    Version = "2012-10-17"\n    Statement = [{\n      Effect    = "Allow"\n      Principal = { Service = "ec2.amazonaws.com" }\n'
                 '      Action    = "sts:AssumeRole"\n    }]\n  })\n}\n')
    parts.append('resource "aws_iam_instance_profile" "node" {\n  name = "${var.name}-node"\n  role = aws_iam_role.node.name\n}\n')
    for i in range(max(2, n // 2)):
        bad = rng.random() < 0.2
        actions = '"*"' if bad else json.dumps(pick(rng, ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sqs:ReceiveMessage",
                                                           "dynamodb:GetItem", "dynamodb:PutItem", "kms:Decrypt", "logs:PutLogEvents"], 3))
        parts.append(f'resource "aws_iam_policy" "p{i}" {{\n  name = "${{var.name}}-p{i}"\n  policy = jsonencode({{\n    Version = "2012-10-17"\n'
                     f'    Statement = [{{\n      Effect   = "Allow"\n      Action   = {actions}\n      Resource = "*"\n    }}]\n  }})\n}}\n')
        parts.append(f'resource "aws_iam_role_policy_attachment" "p{i}" {{\n  role       = aws_iam_role.node.name\n  policy_arn = aws_iam_policy.p{i}.arn\n}}\n')
    return parts


def tf_aws_data(rng, n):
    parts = []
    for i in range(n):
        bad = rng.random() < 0.25
        parts.append(f'resource "aws_db_instance" "db_{i}" {{\n  identifier              = "${{var.name}}-db-{i}"\n'
                     f'  engine                  = "{pick(rng, ["postgres", "mysql"])}"\n  instance_class          = "db.r6g.large"\n'
                     f'  allocated_storage       = {rng.choice([20, 100, 500])}\n  username                = "admin_{i}"\n'
                     f'  manage_master_user_password = true\n  storage_encrypted       = {"false" if bad else "true"}\n'
                     f'  publicly_accessible     = {"true" if bad and rng.random() < 0.5 else "false"}\n  multi_az                = true\n'
                     f'  backup_retention_period = 7\n  deletion_protection     = true\n' + tf_tags(rng, f"db-{i}") + '}\n')
        parts.append(f'resource "aws_dynamodb_table" "t_{i}" {{\n  name         = "${{var.name}}-t-{i}"\n  billing_mode = "PAY_PER_REQUEST"\n'
                     f'  hash_key     = "pk"\n  range_key    = "sk"\n  attribute {{\n    name = "pk"\n    type = "S"\n  }}\n'
                     f'  attribute {{\n    name = "sk"\n    type = "S"\n  }}\n  point_in_time_recovery {{\n    enabled = true\n  }}\n'
                     f'  server_side_encryption {{\n    enabled = true\n  }}\n}}\n')
        parts.append(f'resource "aws_kms_key" "k_{i}" {{\n  description         = "key {i}"\n  enable_key_rotation = {"false" if bad else "true"}\n}}\n')
    return parts


def tf_aws_ml(rng, n):
    parts = []
    for i in range(n):
        bad = rng.random() < 0.3
        extra = '' if bad else '  direct_internet_access = "Disabled"\n  root_access            = "Disabled"\n  kms_key_id             = var.kms_key_arn\n'
        parts.append(f'resource "aws_sagemaker_notebook_instance" "nb_{i}" {{\n  name          = "${{var.name}}-nb-{i}"\n'
                     f'  role_arn      = var.sagemaker_role_arn\n  instance_type = "ml.t3.medium"\n{extra}}}\n')
        parts.append(f'resource "aws_sagemaker_model" "m_{i}" {{\n  name               = "${{var.name}}-m-{i}"\n'
                     f'  execution_role_arn = var.sagemaker_role_arn\n  enable_network_isolation = {"false" if bad else "true"}\n'
                     f'  primary_container {{\n    image          = var.inference_image\n    model_data_url = "s3://${{var.prefix}}-models/m{i}/model.tar.gz"\n  }}\n}}\n')
        parts.append(f'resource "aws_sagemaker_endpoint_configuration" "ec_{i}" {{\n  name = "${{var.name}}-ec-{i}"\n'
                     + ('' if bad else '  kms_key_arn = var.kms_key_arn\n') +
                     f'  production_variants {{\n    variant_name           = "primary"\n    model_name             = aws_sagemaker_model.m_{i}.name\n'
                     f'    initial_instance_count = 1\n    instance_type          = "ml.m5.large"\n  }}\n}}\n')
    return parts


def tf_gcp(rng, n):
    parts = ['resource "google_compute_network" "vpc" {\n  name                    = var.name\n  auto_create_subnetworks = false\n}\n']
    for i in range(n):
        bad = rng.random() < 0.25
        parts.append(f'resource "google_compute_subnetwork" "s_{i}" {{\n  name          = "${{var.name}}-s-{i}"\n'
                     f'  ip_cidr_range = "10.{i}.0.0/20"\n  region        = var.region\n  network       = google_compute_network.vpc.id\n'
                     f'  private_ip_google_access = true\n}}\n')
        parts.append(f'resource "google_compute_firewall" "fw_{i}" {{\n  name    = "${{var.name}}-fw-{i}"\n  network = google_compute_network.vpc.name\n'
                     f'  allow {{\n    protocol = "tcp"\n    ports    = ["{pick(rng, ["22", "443", "8080", "3389"])}"]\n  }}\n'
                     f'  source_ranges = ["{"0.0.0.0/0" if bad else "10.0.0.0/8"}"]\n}}\n')
        parts.append(f'resource "google_storage_bucket" "b_{i}" {{\n  name                        = "${{var.prefix}}-b-{i}"\n'
                     f'  location                    = "EU"\n  uniform_bucket_level_access = {"false" if bad else "true"}\n'
                     f'  public_access_prevention    = "enforced"\n  versioning {{\n    enabled = true\n  }}\n}}\n')
        if bad:
            parts.append(f'resource "google_storage_bucket_iam_member" "pub_{i}" {{\n  bucket = google_storage_bucket.b_{i}.name\n'
                         f'  role   = "roles/storage.objectViewer"\n  member = "allUsers"\n}}\n')
    parts.append('resource "google_sql_database_instance" "main" {\n  name             = "${var.name}-pg"\n  database_version = "POSTGRES_16"\n'
                 '  region           = var.region\n  settings {\n    tier = "db-custom-2-7680"\n    ip_configuration {\n'
                 '      ipv4_enabled    = false\n      private_network = google_compute_network.vpc.id\n    }\n    backup_configuration {\n'
                 '      enabled = true\n    }\n  }\n}\n')
    parts.append('resource "google_workbench_instance" "nb" {\n  name     = "${var.name}-nb"\n  location = "${var.region}-a"\n'
                 '  gce_setup {\n    machine_type      = "n1-standard-8"\n    disable_public_ip = var.notebook_private\n  }\n}\n')
    parts.append('resource "google_vertex_ai_endpoint" "ep" {\n  name         = "ep-${var.name}"\n  display_name = var.name\n'
                 '  location     = var.region\n}\n')
    return parts


def tf_azure(rng, n):
    parts = ['resource "azurerm_resource_group" "rg" {\n  name     = "rg-${var.name}"\n  location = var.location\n}\n']
    for i in range(n):
        bad = rng.random() < 0.25
        parts.append(f'resource "azurerm_storage_account" "sa_{i}" {{\n  name                            = "${{var.prefix}}sa{i}"\n'
                     f'  resource_group_name             = azurerm_resource_group.rg.name\n  location                        = var.location\n'
                     f'  account_tier                    = "Standard"\n  account_replication_type        = "GRS"\n'
                     f'  min_tls_version                 = "{"TLS1_0" if bad else "TLS1_2"}"\n'
                     f'  allow_nested_items_to_be_public = {"true" if bad else "false"}\n}}\n')
        parts.append(f'resource "azurerm_network_security_rule" "r_{i}" {{\n  name                        = "rule-{i}"\n'
                     f'  priority                    = {100 + i}\n  direction                   = "Inbound"\n  access                      = "Allow"\n'
                     f'  protocol                    = "Tcp"\n  source_port_range           = "*"\n'
                     f'  destination_port_range      = "{pick(rng, ["22", "443", "3389", "8443"])}"\n'
                     f'  source_address_prefix       = "{"*" if bad else "10.0.0.0/8"}"\n  destination_address_prefix  = "*"\n'
                     f'  resource_group_name         = azurerm_resource_group.rg.name\n  network_security_group_name = "nsg-${{var.name}}"\n}}\n')
    parts.append('resource "azurerm_cognitive_account" "openai" {\n  name                          = "oai-${var.name}"\n'
                 '  location                      = var.location\n  resource_group_name           = azurerm_resource_group.rg.name\n'
                 '  kind                          = "OpenAI"\n  sku_name                      = "S0"\n'
                 '  public_network_access_enabled = var.openai_public\n  local_auth_enabled            = false\n}\n')
    parts.append('resource "azurerm_key_vault" "kv" {\n  name                     = "kv-${var.name}"\n  location                 = var.location\n'
                 '  resource_group_name      = azurerm_resource_group.rg.name\n  tenant_id                = var.tenant_id\n'
                 '  sku_name                 = "standard"\n  purge_protection_enabled = true\n}\n')
    return parts


MODULE_VARS = {
    "aws-network": ["name", "cidr", "azs:list(string)", "nat_gateway_id", "allowed_ports:list(number)", "allowed_cidrs:list(string)"],
    "aws-storage": ["prefix", "kms_key_arn", "reader_role_arn"],
    "aws-compute": ["name", "ami_id", "subnet_ids:list(string)", "security_group_ids:list(string)"],
    "aws-data": ["name"],
    "aws-ml": ["name", "prefix", "sagemaker_role_arn", "inference_image", "kms_key_arn"],
    "gcp-platform": ["name", "prefix", "region", "notebook_private:bool"],
    "azure-platform": ["name", "prefix", "location", "tenant_id", "openai_public:bool"],
}


def tf_variables(vars_):
    out = []
    for v in vars_:
        name, _, typ = v.partition(":")
        out.append(f'variable "{name}" {{\n  description = "{name.replace("_", " ")}"\n  type        = {typ or "string"}\n}}\n')
    return "\n".join(out)


def tf_locals(team):
    return (f'locals {{\n  common_tags = {{\n    Team       = "{team}"\n    ManagedBy  = "terraform"\n'
            f'    CostCenter = "cc-{sum(map(ord, team)) % 1000:03d}"\n  }}\n}}\n')


def gen_tf(rng, out: Out, scale: float):
    base = "terraform"
    n = max(2, int(6 * scale))
    gens = {"aws-network": lambda: tf_aws_network(rng, n), "aws-storage": lambda: tf_aws_storage(rng, n * 2),
            "aws-compute": lambda: tf_aws_compute(rng, n), "aws-data": lambda: tf_aws_data(rng, n),
            "aws-ml": lambda: tf_aws_ml(rng, max(2, n // 2)), "gcp-platform": lambda: tf_gcp(rng, n),
            "azure-platform": lambda: tf_azure(rng, n)}
    for mod, g in gens.items():
        parts = g()
        half = len(parts) // 2
        out.write(f"{base}/modules/{mod}/main.tf", "\n".join(parts[:half]))
        out.write(f"{base}/modules/{mod}/{mod.split('-')[1]}.tf", "\n".join(parts[half:]))
        out.write(f"{base}/modules/{mod}/variables.tf", tf_variables(MODULE_VARS[mod]))
        out.write(f"{base}/modules/{mod}/locals.tf", tf_locals(pick(rng, TEAMS)))
        out.write(f"{base}/modules/{mod}/outputs.tf", f'output "module_name" {{\n  value = "{mod}"\n}}\n')
    for env in ["dev", "staging", "prod"]:
        calls = [f'terraform {{\n  required_version = ">= 1.6"\n  required_providers {{\n    aws = {{\n      source  = "hashicorp/aws"\n'
                 f'      version = "~> 5.70"\n    }}\n    google = {{\n      source  = "hashicorp/google"\n      version = "~> 6.8"\n    }}\n'
                 f'    azurerm = {{\n      source  = "hashicorp/azurerm"\n      version = "~> 4.6"\n    }}\n  }}\n'
                 f'  backend "s3" {{\n    bucket = "acme-tfstate"\n    key    = "{env}/terraform.tfstate"\n    region = "eu-west-1"\n  }}\n}}\n',
                 'provider "aws" {\n  region = var.region\n}\n', 'provider "google" {\n  project = var.gcp_project\n  region  = "europe-west1"\n}\n',
                 'provider "azurerm" {\n  features {}\n}\n',
                 f'locals {{\n  name   = "acme-{env}"\n  prefix = "acme{env}"\n}}\n']
        for mod, vars_ in MODULE_VARS.items():
            args = []
            for v in vars_:
                name, _, typ = v.partition(":")
                val = {"list(string)": '["a", "b", "c"]', "list(number)": "[443, 8443]", "bool": "true" if env != "prod" else "false"}.get(
                    typ, f'"${{local.name}}-{name}"' if name not in ("name", "prefix") else f"local.{name}")
                if name == "allowed_cidrs":
                    val = '["0.0.0.0/0"]' if env == "dev" else '["10.0.0.0/8"]'
                args.append(f"  {name} = {val}")
            calls.append(f'module "{mod.replace("-", "_")}" {{\n  source = "../../modules/{mod}"\n' + "\n".join(args) + "\n}\n")
        out.write(f"{base}/envs/{env}/main.tf", "\n".join(calls))
        out.write(f"{base}/envs/{env}/variables.tf", 'variable "region" {\n  type    = string\n  default = "eu-west-1"\n}\n\n'
                  'variable "gcp_project" {\n  type    = string\n  default = "acme-' + env + '"\n}\n')
        out.write(f"{base}/envs/{env}/outputs.tf", 'output "env" {\n  value = local.name\n}\n')
    # per-service stacks: a few resources each, written flat
    for i in range(int(50 * scale)):
        svc = f"{pick(rng, WORDS)}-{i}"
        parts = [tf_locals(pick(rng, TEAMS)),
                 f'variable "name" {{\n  type    = string\n  default = "{svc}"\n}}\n',
                 f'variable "prefix" {{\n  type    = string\n  default = "acme-{svc}"\n}}\n',
                 f'variable "kms_key_arn" {{\n  type    = string\n  default = "arn:aws:kms:eu-west-1:123456789012:key/{sha(rng, 8)}"\n}}\n',
                 'variable "reader_role_arn" {\n  type    = string\n  default = "arn:aws:iam::123456789012:role/reader"\n}\n']
        parts += tf_aws_storage(rng, rng.randint(1, 2)) + tf_aws_data(rng, 1)
        parts.append(f'resource "aws_sqs_queue" "q" {{\n  name                      = "{svc}"\n  sqs_managed_sse_enabled   = true\n'
                     f'  message_retention_seconds = {rng.choice([86400, 345600, 1209600])}\n}}\n')
        parts.append(f'resource "aws_lambda_function" "fn" {{\n  function_name = "{svc}"\n  role          = "arn:aws:iam::123456789012:role/{svc}"\n'
                     f'  runtime       = "{pick(rng, ["python3.12", "nodejs20.x", "java21"])}"\n  handler       = "app.handler"\n'
                     f'  filename      = "build/{svc}.zip"\n  environment {{\n    variables = {{\n      QUEUE_URL = aws_sqs_queue.q.url\n'
                     f'      LOG_LEVEL = "info"\n    }}\n  }}\n  tracing_config {{\n    mode = "Active"\n  }}\n}}\n')
        out.write(f"{base}/services/{svc}/main.tf", "\n".join(parts))
        out.write(f"{base}/services/{svc}/outputs.tf", 'output "queue_url" {\n  value = aws_sqs_queue.q.url\n}\n')


# ----------------------------------------------------------------------------- GitHub Actions

ACTIONS = [("actions/checkout", "v4"), ("actions/setup-node", "v4"), ("actions/setup-python", "v5"), ("actions/setup-go", "v5"),
           ("actions/cache", "v4"), ("actions/upload-artifact", "v4"), ("actions/download-artifact", "v4"),
           ("docker/setup-buildx-action", "v3"), ("docker/login-action", "v3"), ("docker/build-push-action", "v6"),
           ("aws-actions/configure-aws-credentials", "v4"), ("google-github-actions/auth", "v2"),
           ("github/codeql-action/analyze", "v3"), ("actions/github-script", "v7"), ("softprops/action-gh-release", "v2"),
           ("codecov/codecov-action", "v4"), ("peter-evans/create-pull-request", "v7"), ("azure/login", "v2")]
TRIGGERS = ["push", "pull_request", "pull_request_target", "schedule", "workflow_dispatch", "issues", "issue_comment",
            "release", "workflow_call", "merge_group"]


def gha_uses(rng, bad):
    a, tag = pick(rng, ACTIONS)
    if bad and rng.random() < 0.6:
        return f"{a}@{pick(rng, [tag, 'main', 'master'])}"
    return f"{a}@{sha(rng)} # {tag}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"


def gha_step(rng, bad, trig):
    r = rng.random()
    if r < 0.45:
        u = gha_uses(rng, bad)
        s = f"      - uses: {u}\n"
        if rng.random() < 0.6:
            s += "        with:\n" + "".join(f"          {k}: {v}\n" for k, v in pick(rng, [
                ("node-version", "20"), ("python-version", "'3.12'"), ("cache", "npm"), ("fetch-depth", "0"),
                ("persist-credentials", "false"), ("path", "dist/"), ("name", "build-${{ github.run_id }}"),
                ("key", "${{ runner.os }}-deps-${{ hashFiles('**/package-lock.json') }}"),
                ("token", "${{ secrets.GITHUB_TOKEN }}")], rng.randint(1, 3)))
        return s
    expr = pick(rng, ["${{ github.sha }}", "${{ matrix.version }}", "${{ inputs.environment }}", "${{ github.run_number }}",
                      "${{ steps.meta.outputs.version }}", "${{ env.REGISTRY }}", "${{ needs.build.outputs.digest }}"])
    if bad and trig in ("pull_request_target", "issues", "issue_comment", "pull_request") and rng.random() < 0.5:
        expr = pick(rng, ["${{ github.event.pull_request.title }}", "${{ github.event.issue.body }}",
                          "${{ github.event.comment.body }}", "${{ github.head_ref }}", "${{ github.event.pull_request.head.ref }}"])
    cmds = [f"echo \"building {expr}\"", "make " + pick(rng, ["build", "test", "lint", "dist", "docker"]),
            f"./scripts/{pick(rng, WORDS)}.sh --ref {expr}", "npm ci", "npm run " + pick(rng, ["test", "build", "lint"]),
            "go test ./...", "python -m pytest -q", f"docker build -t app:{expr} .",
            "echo \"version=$(git describe --tags)\" >> \"$GITHUB_OUTPUT\""]
    body = "\n".join("          " + c for c in pick(rng, cmds, rng.randint(1, 5)))
    s = f"      - name: {pick(rng, ['Build', 'Test', 'Lint', 'Package', 'Publish', 'Notify', 'Deploy', 'Verify'])} {rng.randint(1, 99)}\n"
    if rng.random() < 0.3:
        s += "        if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n"
    if rng.random() < 0.4:
        s += "        env:\n          REGISTRY: ghcr.io\n          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"
    return s + f"        run: |\n{body}\n"


def gha_workflow(rng, i):
    bad = rng.random() < 0.35
    trigs = pick(rng, TRIGGERS, rng.randint(1, 3))
    on = ["on:"]
    for t in trigs:
        if t == "push":
            on.append("  push:\n    branches: [main, 'release/**']\n    paths-ignore: ['docs/**']")
        elif t == "pull_request":
            on.append("  pull_request:\n    types: [opened, synchronize, reopened]")
        elif t == "pull_request_target":
            on.append("  pull_request_target:\n    types: [opened, synchronize]")
        elif t == "schedule":
            on.append(f"  schedule:\n    - cron: '{rng.randint(0, 59)} {rng.randint(0, 23)} * * {rng.randint(0, 6)}'")
        elif t == "workflow_dispatch":
            on.append("  workflow_dispatch:\n    inputs:\n      environment:\n        type: choice\n        options: [staging, production]\n"
                      "        default: staging")
        elif t == "workflow_call":
            on.append("  workflow_call:\n    inputs:\n      environment:\n        type: string\n        required: true\n"
                      "    secrets:\n      DEPLOY_TOKEN:\n        required: true")
        else:
            on.append(f"  {t}:\n    types: [{'created' if t == 'issue_comment' else 'opened'}]")
    trig = trigs[0]
    head = [f"name: {pick(rng, ['CI', 'Release', 'Deploy', 'Nightly', 'Docs', 'Lint', 'Triage', 'Security'])} {i}", *on]
    if not (bad and rng.random() < 0.5):
        head.append("permissions:\n  contents: read" + ("\n  packages: write" if rng.random() < 0.2 else ""))
    elif rng.random() < 0.3:
        head.append("permissions: write-all")
    head.append("concurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n  cancel-in-progress: true")
    head.append("env:\n  REGISTRY: ghcr.io\n  IMAGE: ${{ github.repository }}")
    jobs = ["jobs:"]
    names = []
    for j in range(rng.randint(1, 7)):
        jn = f"{pick(rng, ['build', 'test', 'lint', 'deploy', 'package', 'scan', 'docs', 'e2e'])}-{j}"
        job = [f"  {jn}:"]
        if names and rng.random() < 0.6:
            job.append(f"    needs: [{pick(rng, names)}]")
        if rng.random() < 0.1:
            job.append(f"    uses: acme/shared/.github/workflows/{pick(rng, ['build', 'deploy'])}.yml@{'main' if bad else sha(rng)}")
            job.append("    secrets: inherit" if bad else "    with:\n      environment: staging")
            jobs.append("\n".join(job))
            names.append(jn)
            continue
        job.append(f"    runs-on: {pick(rng, ['ubuntu-latest', 'ubuntu-24.04', 'macos-14', '${{ matrix.os }}', '[self-hosted, linux]'])}")
        if rng.random() < 0.3:
            job.append("    timeout-minutes: 30")
        if rng.random() < 0.35:
            job.append("    strategy:\n      fail-fast: false\n      matrix:\n        os: [ubuntu-latest, macos-14]\n"
                       "        version: ['18', '20', '22']")
        if rng.random() < 0.15:
            img = "node:latest" if bad else "node:20.18-bookworm"
            job.append(f"    container:\n      image: {img}")
        if rng.random() < 0.15:
            job.append("    services:\n      postgres:\n        image: postgres:16\n        env:\n          POSTGRES_PASSWORD: postgres\n"
                       "        ports: ['5432:5432']")
        job.append("    steps:")
        steps = [f"      - uses: actions/checkout@{'v4' if bad and rng.random() < 0.5 else sha(rng) + ' # v4.2.2'}\n        with:\n          persist-credentials: false\n"]
        steps += [gha_step(rng, bad, trig) for _ in range(rng.randint(2, 12))]
        jobs.append("\n".join(job) + "\n" + "".join(steps).rstrip("\n"))
        names.append(jn)
    return "\n".join(head) + "\n" + "\n".join(jobs) + "\n"


def gen_gha(rng, out: Out, n: int):
    per_repo = 10
    for i in range(n):
        repo = f"repo-{i // per_repo:02d}"
        out.write(f"workflows/{repo}/.github/workflows/{pick(rng, ['ci', 'release', 'deploy', 'nightly', 'lint', 'triage'])}-{i}.yml",
                  gha_workflow(rng, i))


# ----------------------------------------------------------------------------- Dockerfiles and compose

def dockerfile(rng, i):
    lang = pick(rng, ["go", "node", "python", "java", "rust"])
    bad = rng.random() < 0.35
    build = {"go": ("golang:1.23", ["COPY go.mod go.sum ./", "RUN go mod download", "COPY . .",
                                     "RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app"]),
             "node": ("node:20.18-bookworm", ["COPY package.json package-lock.json ./", "RUN npm ci", "COPY . .", "RUN npm run build"]),
             "python": ("python:3.12-slim", ["COPY requirements.txt .", "RUN pip install --no-cache-dir --prefix=/install -r requirements.txt",
                                             "COPY . ."]),
             "java": ("eclipse-temurin:21-jdk", ["COPY gradlew build.gradle.kts settings.gradle.kts ./", "COPY src src",
                                                 "RUN ./gradlew --no-daemon bootJar"]),
             "rust": ("rust:1.82", ["COPY Cargo.toml Cargo.lock ./", "COPY src src", "RUN cargo build --release --locked"])}[lang]
    runtime = {"go": "gcr.io/distroless/static-debian12:nonroot", "node": "node:20.18-bookworm-slim", "python": "python:3.12-slim",
               "java": "eclipse-temurin:21-jre", "rust": "debian:12-slim"}[lang]
    if bad and rng.random() < 0.5:
        runtime = runtime.split(":")[0] + pick(rng, [":latest", ""])
    lines = ["# syntax=docker/dockerfile:1.7", f"ARG BASE={build[0]}", "FROM ${BASE} AS build", "WORKDIR /src"]
    lines += ["RUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n    " +
              " \\\n    ".join(pick(rng, ["ca-certificates", "curl", "git", "make", "gcc", "libssl-dev", "pkg-config", "unzip", "jq"], rng.randint(2, 6))) +
              " \\\n && rm -rf /var/lib/apt/lists/*"] if lang != "go" else []
    lines += build[1]
    if bad and rng.random() < 0.4:
        lines.append(pick(rng, ["RUN curl -fsSL https://get.example.dev/install.sh | sh", "ADD https://example.com/tool.tar.gz /tmp/",
                                "RUN pip install --trusted-host pypi.internal -r extra.txt", "RUN curl -k -o /tmp/cert.pem https://pki.internal/root.pem"]))
    lines += ["", f"FROM {runtime}", "LABEL org.opencontainers.image.source=\"https://github.com/acme/" + pick(rng, WORDS) + "\"",
              f"ENV APP_ENV=production PORT={pick(rng, ['8080', '3000', '8000'])}"]
    if bad and rng.random() < 0.3:
        lines.append(f"ENV API_KEY=sk-proj-{sha(rng, 32)}")
    lines += ["WORKDIR /app", "COPY --from=build /src /app" if lang in ("node", "python") else "COPY --from=build /out /app"]
    for _ in range(rng.randint(0, 6)):
        lines.append(pick(rng, ["RUN mkdir -p /app/data /app/tmp", f"EXPOSE {pick(rng, [8080, 9090, 3000])}",
                                "HEALTHCHECK --interval=30s CMD [\"/app/healthcheck\"]", "ENV TZ=UTC",
                                "COPY config/ /app/config/", "ARG VERSION=dev", "LABEL version=$VERSION"]))
    if not (bad and rng.random() < 0.6):
        lines.append(pick(rng, ["USER 10001", "USER nonroot:nonroot", "USER app"]))
    lines.append(f"ENTRYPOINT [\"/app/{pick(rng, WORDS)}\"]")
    return "\n".join(lines) + "\n"


def compose(rng, i):
    bad = rng.random() < 0.35
    svcs = ["services:"]
    for j in range(rng.randint(2, 9)):
        name = f"{pick(rng, WORDS)}{j}"
        img = pick(rng, BASE_IMAGES)
        s = [f"  {name}:", f"    image: {img}", "    restart: unless-stopped"]
        if rng.random() < 0.6:
            s.append("    environment:\n" + "\n".join(f"      {pick(rng, WORDS).upper().replace('-', '_')}_{k}: \"{pick(rng, ['true', '8080', '${VAR_' + str(k) + '}', 'info'])}\""
                                                  for k in range(rng.randint(1, 8))))
        if bad and rng.random() < 0.3:
            s.append(pick(rng, ["    privileged: true", "    network_mode: host", "    pid: host",
                                "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock",
                                "    environment:\n      POSTGRES_PASSWORD: hunter2-prod"]))
        elif rng.random() < 0.5:
            s.append(f"    volumes:\n      - {name}-data:/data\n      - ./config/{name}.yml:/etc/{name}.yml:ro")
        if rng.random() < 0.5:
            s.append(f"    ports:\n      - \"{rng.randint(3000, 9999)}:{pick(rng, [80, 8080, 5432, 6379])}\"")
        if rng.random() < 0.4:
            s.append("    healthcheck:\n      test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://localhost/\"]\n      interval: 30s")
        svcs.append("\n".join(s))
    return "\n".join(svcs) + "\nvolumes: {}\n"


def gen_docker(rng, out: Out, n_docker: int, n_compose: int):
    for i in range(n_docker):
        out.write(f"docker/svc-{i:03d}/Dockerfile", dockerfile(rng, i))
    for i in range(n_compose):
        out.write(f"docker/stack-{i:03d}/docker-compose.yml", compose(rng, i))


# ----------------------------------------------------------------------------- main

def generate(out_dir: Path, scale: float = 1.0, seed: int = 7) -> dict:
    """Writes the four trees under out_dir (replacing it); returns counts per tree."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    counts = {}
    for tree, fn in [("k8s", lambda r, o: gen_k8s(r, o, int(400 * scale))), ("terraform", lambda r, o: gen_tf(r, o, scale)),
                     ("workflows", lambda r, o: gen_gha(r, o, int(200 * scale))),
                     ("docker", lambda r, o: gen_docker(r, o, int(120 * scale), int(60 * scale)))]:
        rng = random.Random(f"{seed}-{tree}")
        o = Out(out_dir)
        fn(rng, o)
        counts[tree] = {"files": o.files, "bytes": o.bytes}
    tf_resources = sum(p.read_text().count('\nresource "') + p.read_text().startswith('resource "')
                       for p in (out_dir / "terraform").rglob("*.tf"))
    counts["terraform"]["resources"] = tf_resources
    (out_dir / ".complete").write_text(json.dumps({"version": VERSION, "scale": scale, "seed": seed, "counts": counts}) + "\n")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    counts = generate(Path(args.out), args.scale, args.seed)
    for tree, c in counts.items():
        print(f"{tree:<10} {c['files']:>5} files {c['bytes'] / 1048576:7.2f} MiB" +
              (f"  {c['resources']} resources" if "resources" in c else ""))


if __name__ == "__main__":
    main()
