#!/usr/bin/env python3
"""Load generator and latency probe for `warden serve` (bench/server/README.md). Standard library only.

Subcommands (run.sh calls them in order; each appends one JSON object per measurement to --results):
  gen        write the upload bodies (scan records) for REPOS repositories of N findings to a directory
  load       upload every body of a directory through POST /api/v1/scans, C clients at a time
  burst      C uploads at once of freshly generated scans (new repositories, or rescans with a few changes)
  latency    p50/p99 of the overview, queue, finding pages and the JSON findings list, sequential and concurrent
  report     print the results table (with the targets) from the results file
"""

import argparse
import concurrent.futures as cf
import hashlib
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

# --------------------------------------------------------------------------------------------------------------
# Realistic findings: the rule ids warden emits, by domain, each with its usual severity and confidence, and the
# kind of file it shows up in.

SECRETS = [
    # rule, title, severity, confidence, weight
    ("secrets/aws-access-key-id", "AWS access key ID", "critical", "high", 6),
    ("secrets/github-classic-pat", "GitHub personal access token (classic)", "critical", "high", 5),
    ("secrets/slack-bot-token", "Slack bot token", "high", "high", 3),
    ("secrets/slack-webhook-url", "Slack incoming webhook URL", "medium", "high", 3),
    ("secrets/openai-project-key", "OpenAI project API key", "critical", "high", 4),
    ("secrets/anthropic-api-key", "Anthropic API key", "critical", "high", 2),
    ("secrets/stripe-webhook-secret", "Stripe webhook signing secret", "high", "high", 2),
    ("secrets/private-key", "Private key", "critical", "medium", 4),
    ("secrets/gcp-service-account-private-key", "GCP service account key", "critical", "high", 2),
    ("secrets/generic-secret-assignment", "Secret assigned in code", "medium", "low", 10),
    ("secrets/netrc-password", "Password in .netrc", "high", "medium", 1),
    ("secrets/docker-registry-auth", "Docker registry credentials", "high", "high", 1),
    ("secrets/terraform-state-secret", "Secret in Terraform state", "high", "medium", 1),
    ("secrets/rails-master-key", "Rails master key", "critical", "high", 1),
]
CODE = [
    ("code/sql-injection", "SQL built from request input", "high", "medium", 8),
    ("code/command-injection", "Shell command built from input", "critical", "medium", 4),
    ("code/path-traversal", "File path from request input", "high", "medium", 5),
    ("code/ssrf", "Outbound request to a user-supplied URL", "high", "low", 4),
    ("code/xss", "Unescaped input in HTML", "medium", "medium", 6),
    ("code/insecure-deserialization", "Deserialisation of untrusted data", "high", "medium", 3),
    ("code/weak-hash", "MD5/SHA-1 used for security", "low", "high", 6),
    ("code/tls-verify-disabled", "TLS certificate checks disabled", "medium", "high", 4),
    ("code/llm-output-code-execution", "LLM output executed as code", "critical", "medium", 2),
    ("code/llm-output-sql", "LLM output used as SQL", "high", "medium", 2),
    ("code/debug-log-secret", "Credential written to a log", "medium", "low", 3),
]
CONFIG = [
    ("config/k8s-privileged", "Privileged container", "high", "high", 5),
    ("config/k8s-run-as-root", "Container runs as root", "medium", "high", 6),
    ("config/k8s-no-resource-limits", "No resource limits", "low", "high", 6),
    ("config/docker-latest-tag", "Image pinned to :latest", "low", "high", 5),
    ("config/docker-root-user", "Dockerfile without USER", "medium", "high", 4),
    ("config/terraform-public-bucket", "Publicly readable bucket", "critical", "high", 2),
    ("config/terraform-open-security-group", "Security group open to 0.0.0.0/0", "high", "high", 3),
    ("config/gha-pull-request-target", "pull_request_target checks out the PR", "high", "medium", 2),
    ("config/gha-unpinned-action", "Action not pinned to a commit", "low", "high", 7),
    ("config/debug-enabled", "Debug mode enabled", "medium", "medium", 3),
]
MODELS = [
    ("models/pickle-exec", "Pickle that runs code on load", "critical", "high", 3),
    ("models/torch-load-unsafe", "torch.load without weights_only", "high", "high", 3),
    ("models/keras-lambda-layer", "Keras Lambda layer (arbitrary code)", "high", "medium", 2),
    ("models/unsigned-model", "Model without a signature", "low", "high", 5),
    ("models/trust-remote-code", "trust_remote_code=True", "high", "high", 3),
    ("models/license-restricted", "Model licence restricts use", "info", "high", 2),
]
DEPS = [
    ("deps/vulnerable-package", "Dependency with a known vulnerability", "high", "high", 12),
    ("deps/typosquat", "Possible typosquat of a popular package", "high", "low", 1),
    ("deps/unpinned-version", "Dependency not pinned", "low", "high", 6),
    ("deps/ai-unsafe-default", "AI library with an unsafe default", "medium", "medium", 2),
    ("deps/deprecated-package", "Deprecated or abandoned package", "info", "high", 3),
]
DOMAINS = [("secrets", SECRETS, 30), ("code", CODE, 30), ("config", CONFIG, 20), ("deps", DEPS, 15),
           ("models", MODELS, 5)]

SERVICES = ["billing", "checkout", "auth", "search", "ingest", "notifications", "reports", "gateway", "ml-serving",
            "admin", "payments", "inventory", "profile", "analytics", "web"]
LANGS = [("py", "python"), ("ts", "typescript"), ("js", "javascript"), ("go", "go"), ("java", "java"),
         ("rb", "ruby"), ("rs", "rust"), ("cs", "csharp")]
TEAMS = ["@acme/platform", "@acme/payments", "@acme/identity", "@acme/data", "@acme/ml", "@acme/web",
         "@acme/sre", "@acme/security", None]
AUTHORS = ["alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hiro", "ines", "jamal", "kasia",
           "li", "mateo", "nadia", "oskar", "priya", "quinn", "rosa", "sven", "tariq"]
PACKAGES = [("npm", "lodash", "4.17.15", "CVE-2020-8203"), ("npm", "minimist", "1.2.5", "CVE-2021-44906"),
            ("pypi", "requests", "2.19.1", "CVE-2018-18074"), ("pypi", "pyyaml", "5.3", "CVE-2020-14343"),
            ("pypi", "jinja2", "2.10", "CVE-2019-10906"), ("go", "golang.org/x/net", "0.7.0", "CVE-2023-39325"),
            ("crates.io", "hyper", "0.14.9", "CVE-2021-32714"), ("maven", "log4j-core", "2.14.1",
                                                                 "CVE-2021-44228"),
            ("npm", "axios", "0.21.0", "CVE-2020-28168"), ("pypi", "transformers", "4.30.0", "CVE-2023-7018")]

SEV_RANK = {"critical": 1, "high": 2, "medium": 3, "low": 4, "info": 4}


def _pick_table():
    """A flat weighted list of (domain, rule tuple) for fast random choice."""
    flat = []
    for domain, rules, dw in DOMAINS:
        total = sum(r[4] for r in rules)
        for r in rules:
            flat.append((domain, r, dw * r[4] / total))
    return flat


PICK = _pick_table()
PICK_ITEMS = [p[:2] for p in PICK]
PICK_WEIGHTS = [p[2] for p in PICK]


def h(n, *parts):
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=n).hexdigest()


def path_for(domain, rule, rnd, service):
    lang, _ = rnd.choice(LANGS)
    d = rnd.randrange(40)
    if domain == "secrets":
        return rnd.choice([
            f"services/{service}/config/settings.{lang}", f"services/{service}/.env.production",
            f"deploy/{service}/values-{rnd.choice(['prod', 'staging', 'dev'])}.yaml",
            f"scripts/ops/rotate_{d}.sh", f"services/{service}/src/client_{d}.{lang}",
            f"docs/runbooks/{service}-{d}.md", f"terraform/envs/prod/{service}.tfstate",
            f"tests/fixtures/{service}/creds_{d}.json",
        ])
    if domain == "code":
        return f"services/{service}/src/{rnd.choice(['handlers', 'api', 'db', 'jobs', 'util'])}/mod_{d}.{lang}"
    if domain == "config":
        if "k8s" in rule:
            return f"deploy/k8s/{service}/deployment-{d}.yaml"
        if "docker" in rule:
            return f"services/{service}/Dockerfile" if d % 3 else f"services/{service}/docker/{d}.Dockerfile"
        if "terraform" in rule:
            return f"terraform/modules/{service}/main_{d}.tf"
        if "gha" in rule:
            return f".github/workflows/{service}-{d}.yml"
        return f"services/{service}/config/app_{d}.yaml"
    if domain == "models":
        ext = rnd.choice(["pkl", "pt", "bin", "h5", "joblib", "safetensors"])
        return f"ml/{service}/models/{rnd.choice(['churn', 'ranker', 'fraud', 'embed', 'intent'])}_v{d}.{ext}"
    return rnd.choice([f"services/{service}/package-lock.json", f"services/{service}/requirements.txt",
                       f"services/{service}/go.sum", f"services/{service}/Cargo.lock",
                       f"services/{service}/pom.xml", f"services/{service}/poetry.lock"])


def finding(repo, i, rnd, salt=""):
    """One finding of `repo`, the i-th; deterministic for (repo, i, salt)."""
    domain, (rule, title, sev, conf, _) = rnd.choices(PICK_ITEMS, PICK_WEIGHTS)[0]
    # Some spread around each rule's usual severity, as context and tuning produce.
    roll = rnd.random()
    if roll < 0.08 and sev != "critical":
        sev = {"high": "critical", "medium": "high", "low": "medium", "info": "low"}[sev]
    elif roll > 0.92 and sev not in ("info", "low"):
        sev = {"critical": "high", "high": "medium", "medium": "low"}[sev]
    service = rnd.choice(SERVICES)
    path = path_for(domain, rule, rnd, service)
    line = rnd.randrange(1, 2400)
    reasons = [f"severity {sev}", f"confidence {conf}"]
    prio = SEV_RANK[sev]
    exposure = rnd.choice(["internet", "internal", "internal", "test", "none"])
    if exposure == "internet" and prio > 1:
        prio -= 1
        reasons.append("reachable from the internet")
    if path.startswith("tests/") or exposure == "test":
        prio = min(4, prio + 1)
        reasons.append("test code")
    if conf == "low" and prio < 4:
        prio += 1
        reasons.append("low confidence")
    age = rnd.randrange(1, 1500)
    if domain == "secrets":
        prefix = rule.split("/")[1][:4].upper()
        snippet = f'{rnd.choice(["API_KEY", "token", "secret", "password", "key"])} = "{prefix}****"'
        message = f"{title} in {path.rsplit('/', 1)[-1]}; rotate it and remove it from history"
        secret_hash = h(32, repo, rule, str(i), salt, "secret")
    elif domain == "deps":
        eco, pkg, ver, cve = rnd.choice(PACKAGES)
        snippet = f'"{pkg}": "{ver}"'
        message = f"{eco} {pkg} {ver}: {cve}; upgrade to a fixed version"
        secret_hash = None
    elif domain == "models":
        snippet = rnd.choice(["GLOBAL posix system", "REDUCE builtins.exec", "torch.load(path)",
                              "Lambda(lambda x: eval(x))", "from_pretrained(name, trust_remote_code=True)"])
        message = f"{title}: loading this file can run code of its author"
        secret_hash = None
    else:
        snippet = rnd.choice([
            'cursor.execute("SELECT * FROM users WHERE id = " + user_id)',
            "subprocess.run(cmd, shell=True)", "open(os.path.join(base, request.args['f']))",
            "requests.get(request.json['url'])", "securityContext: {privileged: true}",
            "FROM python:latest", "uses: actions/checkout@v4", "verify=False", "hashlib.md5(password)",
            "eval(completion.choices[0].message.content)", "cidr_blocks = [\"0.0.0.0/0\"]",
        ])
        message = f"{title} ({snippet[:40]})"
        secret_hash = None
    if salt:
        message += f" [{salt}]"
    context = {
        "blame": {"author": rnd.choice(AUTHORS), "age_days": age},
        "service": service,
        "code_kind": "test" if exposure == "test" else rnd.choice(["production", "production", "script", "docs"]),
        "exposure": exposure,
    }
    return {
        "fingerprint": h(16, repo, rule, path, str(i), "fp"),
        "content_key": h(16, repo, rule, str(i), "content"),
        "line_key": h(16, repo, rule, path, str(i), "line"),
        "rule_id": rule,
        "title": title,
        "severity": sev,
        "confidence": conf,
        "path": path,
        "line": line,
        "message": message,
        "snippet": snippet,
        "secret_hash": secret_hash,
        "priority": prio,
        "priority_reasons": reasons,
        "owner": rnd.choice(TEAMS),
        "context": context,
    }


def scan_record(repo, n, seq=0, changes=0):
    """A scan of `repo` with n findings. A rescan (seq > 0) with `changes` > 0 drops `changes` findings, adds
    `changes` new ones and rewords `changes` messages; the rest are identical to scan 0."""
    rnd = random.Random(repo)
    findings = [finding(repo, i, rnd) for i in range(n)]
    if seq and changes:
        crnd = random.Random(f"{repo}#{seq}")
        k = min(changes, n // 3)
        picks = crnd.sample(range(n), 2 * k)
        gone, reworded = set(picks[:k]), picks[k:]
        for j in reworded:
            findings[j]["message"] += f" (rescan {seq})"
        findings = [f for j, f in enumerate(findings) if j not in gone]
        findings += [finding(repo, n + seq * 1_000_000 + j, crnd, salt=f"s{seq}") for j in range(k)]
    return {
        "repo": repo,
        "branch": "main",
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "head_commit": h(20, repo, str(seq), "commit"),
        "tool_version": "warden 0.1.0",
        "rules_version": "2025.06",
        "actor": "bench",
        "findings": findings,
    }


def body_of(rec):
    return json.dumps(rec, separators=(",", ":")).encode()


def repo_name(prefix, i):
    orgs = ["acme", "acme-labs", "acme-payments", "acme-ml", "acme-infra"]
    return f"https://git.example.com/{orgs[i % len(orgs)]}/{prefix}-{i:05d}"


# --------------------------------------------------------------------------------------------------------------
# HTTP


class Client:
    """One keep-alive connection to the server, reopened when the server closes it."""

    def __init__(self, url, token, timeout=900):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.token, self.timeout = token, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        hdrs = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def upload(client, body, key):
    t0 = time.perf_counter()
    status, data = client.request("POST", "/api/v1/scans", body, {"Idempotency-Key": key})
    dt = time.perf_counter() - t0
    if status not in (200, 201):
        raise RuntimeError(f"upload {key}: HTTP {status}: {data[:300]!r}")
    return dt, json.loads(data)


def pct(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def _proc_tree_cpu(root):
    """CPU seconds (user + system) of a process and its live descendants, from /proc."""
    tck = os.sysconf("SC_CLK_TCK")
    kids, cpu = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(st[1]), []).append(int(p))
        cpu[int(p)] = (int(st[11]) + int(st[12])) / tck
    total, todo = 0.0, [root]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo.extend(kids.get(p, []))
    return total


class CpuWatch:
    """CPU used during a phase by the processes named in --watch (name=pid,...) and by this client."""

    def __init__(self, spec):
        self.pids = [(n, int(p)) for n, p in (x.split("=") for x in spec.split(",") if x)] if spec else []
        self.start = {n: _proc_tree_cpu(p) for n, p in self.pids}
        self.client = time.process_time()

    def used(self):
        out = {n: round(_proc_tree_cpu(p) - self.start[n], 1) for n, p in self.pids}
        out["client"] = round(time.process_time() - self.client, 1)
        return out


def emit(args, obj):
    line = json.dumps(obj)
    print(line, flush=True)
    with open(args.results, "a") as f:
        f.write(line + "\n")


# --------------------------------------------------------------------------------------------------------------
# Subcommands


def _gen_one(a):
    out, prefix, i, n = a
    repo = repo_name(prefix, i)
    with open(os.path.join(out, f"{i:05d}.json"), "wb") as f:
        f.write(body_of(scan_record(repo, n)))
    return i


def cmd_gen(args):
    os.makedirs(args.out, exist_ok=True)
    t0 = time.perf_counter()
    jobs = [(args.out, args.prefix, i, args.per_repo) for i in range(args.repos)]
    # Generated before the server is measured, in processes (the server is idle meanwhile).
    import multiprocessing
    with multiprocessing.Pool(args.procs) as pool:
        for _ in pool.imap_unordered(_gen_one, jobs, chunksize=4):
            pass
    size = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print(f"gen: {args.repos} bodies of {args.per_repo} findings, {size / 1e6:.0f} MB, "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)


def cmd_load(args):
    files = sorted(f for f in os.listdir(args.dir) if f.endswith(".json"))
    run = f"{args.label}-{os.getpid()}-{int(time.time())}"
    lock = threading.Lock()
    state = {"done": 0, "findings": 0, "new": 0}
    lat = []
    local = threading.local()

    def one(name):
        if not hasattr(local, "c"):
            local.c = Client(args.url, args.token)
        with open(os.path.join(args.dir, name), "rb") as f:
            body = f.read()
        dt, r = upload(local.c, body, f"{run}-{name}")
        with lock:
            state["done"] += 1
            state["new"] += r["new"]
            lat.append(dt)
            if state["done"] % max(1, len(files) // 10) == 0:
                el = time.perf_counter() - t0
                print(f"  {args.label}: {state['done']}/{len(files)} uploads, {state['new']} findings, "
                      f"{state['new'] / el:,.0f} findings/s", file=sys.stderr, flush=True)

    watch = CpuWatch(args.watch)
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(args.clients) as ex:
        for f in ex.map(one, files):
            pass
    wall = time.perf_counter() - t0
    emit(args, {"kind": "load", "label": args.label, "backend": args.backend, "uploads": len(files),
                "clients": args.clients, "findings": state["new"], "wall_s": wall,
                "findings_per_s": state["new"] / wall, "upload_p50_s": pct(lat, 50), "upload_p99_s": pct(lat, 99),
                "cpu_s": watch.used()})


def cmd_burst(args):
    """`clients` uploads at once; with --rescan, rescans (seq 1, a few changes) of the repositories of a previous
    burst with the same prefix."""
    t0 = time.perf_counter()
    seq = 1 if args.rescan else 0
    bodies = [body_of(scan_record(repo_name(args.prefix, i), args.per_repo, seq, args.changes if seq else 0))
              for i in range(args.clients)]
    sent = sum(b.count(b'"fingerprint"') for b in bodies)
    print(f"  burst {args.label}: {len(bodies)} bodies generated in {time.perf_counter() - t0:.0f} s "
          f"({sum(map(len, bodies)) / 1e6:.0f} MB)", file=sys.stderr, flush=True)
    clients = [Client(args.url, args.token) for _ in bodies]
    # Connect every client first, so the burst measures uploads, not connection setup.
    for c in clients:
        c.request("GET", "/healthz")
    barrier = threading.Barrier(len(bodies) + 1)
    run = f"{args.label}-{os.getpid()}-{int(time.time())}"
    results = [None] * len(bodies)

    def one(i):
        barrier.wait()
        results[i] = upload(clients[i], bodies[i], f"{run}-{i}")
        return time.perf_counter()

    with cf.ThreadPoolExecutor(len(bodies)) as ex:
        futs = [ex.submit(one, i) for i in range(len(bodies))]
        watch = CpuWatch(args.watch)
        barrier.wait()
        t0 = time.perf_counter()
        ends = [f.result() for f in futs]
    wall = max(ends) - t0
    lat = [r[0] for r in results]
    tot = {k: sum(r[1][k] for r in results) for k in ("new", "unchanged", "reopened", "fixed")}
    emit(args, {"kind": "burst", "label": args.label, "backend": args.backend, "uploads": len(bodies),
                "per_scan": args.per_repo, "findings": sent, "wall_s": wall, "findings_per_s": sent / wall,
                "upload_p50_s": pct(lat, 50), "upload_max_s": max(lat), **tot, "cpu_s": watch.used()})


def cmd_latency(args):
    c = Client(args.url, args.token)
    # Real finding ids: probe random ids in [1, max id] (a BIGSERIAL/rowid, nearly dense) through the API.
    status, data = c.request("GET", "/api/v1/findings?limit=1&state=open,confirmed,false-positive,accepted-risk,fixed")
    assert status == 200, (status, data[:200])
    total = json.loads(data)["total"]
    lo, hi = 1, max(1, total)
    while c.request("GET", f"/api/v1/findings/{hi}")[0] == 200:
        hi *= 2
    # hi does not exist, find the last id that does (ids are nearly dense; a gap at worst stops early).
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if c.request("GET", f"/api/v1/findings/{mid}")[0] == 200:
            lo = mid
        else:
            hi = mid
    max_id = lo
    rnd = random.Random(42)
    ids = []
    while len(ids) < 64:
        i = rnd.randint(1, max_id)
        if c.request("GET", f"/api/v1/findings/{i}")[0] == 200:
            ids.append(i)
    print(f"  latency {args.backend}: {total} findings, ids 1..{max_id}", file=sys.stderr, flush=True)

    endpoints = [
        ("overview page /", lambda r: "/"),
        ("queue page /queue", lambda r: "/queue"),
        ("finding page /findings/{id}", lambda r: f"/findings/{r.choice(ids)}"),
        ("GET /api/v1/findings?limit=50", lambda r: "/api/v1/findings?limit=50"),
    ]
    # The first overview after the server started verifies the whole audit chain (then only what is appended):
    # timed on its own, before the warm-up.
    t0 = time.perf_counter()
    status, _ = c.request("GET", "/")
    first = time.perf_counter() - t0
    assert status == 200, status
    emit(args, {"kind": "first_overview", "backend": args.backend, "findings": total, "s": first})

    def timed(client, path):
        t0 = time.perf_counter()
        status, data = client.request("GET", path)
        dt = time.perf_counter() - t0
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}: {data[:200]!r}")
        return dt, len(data)

    for name, path_of in endpoints:
        r = random.Random(name)
        for _ in range(args.warmup):
            timed(c, path_of(r))
        seq = [timed(c, path_of(r)) for _ in range(args.n)]
        lat = [s[0] for s in seq]
        emit(args, {"kind": "latency", "backend": args.backend, "findings": total, "endpoint": name,
                    "mode": "sequential", "clients": 1, "n": len(lat), "p50_ms": pct(lat, 50) * 1e3,
                    "p99_ms": pct(lat, 99) * 1e3, "max_ms": max(lat) * 1e3, "rps": len(lat) / sum(lat),
                    "bytes": seq[-1][1]})
        per = max(1, args.conc_n // args.conc)
        clients = [Client(args.url, args.token) for _ in range(args.conc)]
        for cl in clients:
            timed(cl, path_of(r))
        barrier = threading.Barrier(args.conc)

        def worker(k):
            rr = random.Random(f"{name}{k}")
            barrier.wait()
            return [timed(clients[k], path_of(rr))[0] for _ in range(per)]

        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(args.conc) as ex:
            lat = [x for xs in ex.map(worker, range(args.conc)) for x in xs]
        wall = time.perf_counter() - t0
        emit(args, {"kind": "latency", "backend": args.backend, "findings": total, "endpoint": name,
                    "mode": "concurrent", "clients": args.conc, "n": len(lat), "p50_ms": pct(lat, 50) * 1e3,
                    "p99_ms": pct(lat, 99) * 1e3, "max_ms": max(lat) * 1e3, "rps": len(lat) / wall})

    # Beyond the four: pages a person reaches in one click from those, sequential and fewer (some are slow).
    extras = [
        ("repositories page /repos", "/repos"),
        ("queue, open+confirmed", "/queue?state=open%2Cconfirmed"),
        ("queue, page 101 (offset 5000)", "/queue?state=open&offset=5000"),
    ]
    for name, path in extras if args.extra_n > 0 else []:
        for _ in range(2):
            timed(c, path)
        seq = [timed(c, path) for _ in range(args.extra_n)]
        lat = [x[0] for x in seq]
        emit(args, {"kind": "latency", "backend": args.backend, "findings": total, "endpoint": name,
                    "mode": "sequential", "clients": 1, "n": len(lat), "p50_ms": pct(lat, 50) * 1e3,
                    "p99_ms": pct(lat, 99) * 1e3, "max_ms": max(lat) * 1e3, "rps": len(lat) / sum(lat),
                    "bytes": seq[-1][1], "extra": True})


def cmd_report(args):
    rows = [json.loads(l) for l in open(args.results) if l.strip()]
    out = []
    p = out.append
    p(f"warden serve benchmark — {args.machine}")
    if args.notes:
        for n in args.notes.split("|"):
            p(f"  note: {n}")
    p("")
    up_target = 20_000

    def cpu_line(r):
        c = r.get("cpu_s") or {}
        parts = ", ".join(f"{k} {v:.1f}" for k, v in c.items())
        return f"  {'':<10}   -> CPU s during it: {parts} (of {r['wall_s'] * (os.cpu_count() or 1):.1f} available)"

    def verdict(ok):
        return "PASS" if ok else "MISS"

    p("Uploads (POST /api/v1/scans, scan records)")
    p(f"  {'backend':<10} {'what':<48} {'findings':>10} {'wall s':>8} {'findings/s':>11} "
      f"{'p50 s':>7} {'max/p99 s':>9}  target")
    for r in rows:
        if r["kind"] == "load":
            what = f"{r['uploads']} scans of {r['findings'] // max(1, r['uploads'])} findings, {r['clients']} clients"
            tgt = f">= {up_target:,}/s {verdict(r['findings_per_s'] >= up_target)}" if r["backend"] == "postgres" else ""
            p(f"  {r['backend']:<10} {what:<48} {r['findings']:>10,} {r['wall_s']:>8.1f} "
              f"{r['findings_per_s']:>11,.0f} {r['upload_p50_s']:>7.2f} {r['upload_p99_s']:>9.2f}  {tgt}")
            p(cpu_line(r))
        elif r["kind"] == "burst":
            what = f"{r['uploads']} at once x {r['per_scan']} ({r['label']})"
            tgt = f">= {up_target:,}/s {verdict(r['findings_per_s'] >= up_target)}" if r["backend"] == "postgres" else ""
            p(f"  {r['backend']:<10} {what:<48} {r['findings']:>10,} {r['wall_s']:>8.1f} "
              f"{r['findings_per_s']:>11,.0f} {r['upload_p50_s']:>7.2f} {r['upload_max_s']:>9.2f}  {tgt}")
            p(f"  {'':<10}   -> new {r['new']:,}, unchanged {r['unchanged']:,}, fixed {r['fixed']:,}, "
              f"reopened {r['reopened']:,}")
            p(cpu_line(r))
    p("")
    for r in rows:
        if r["kind"] == "first_overview":
            p(f"First overview after start ({r['backend']}, {r['findings']:,} findings; verifies the whole audit "
              f"chain once): {r['s']:.2f} s")
    p("")
    p("Read latency (ms; warm; sequential = 1 client, concurrent = N clients at once)")
    p(f"  {'backend':<10} {'findings':>10} {'endpoint':<32} {'mode':<14} {'n':>4} {'p50':>8} {'p99':>8} "
      f"{'max':>8} {'req/s':>7}  target")
    for r in rows:
        if r["kind"] != "latency":
            continue
        tgt = ""
        if r["backend"] == "postgres" and r["endpoint"].split()[0] in ("overview", "queue"):
            tgt = f"p99 < 100 ms {verdict(r['p99_ms'] < 100)}"
        mode = r["mode"] if r["clients"] == 1 else f"{r['mode']} x{r['clients']}"
        if r.get("extra"):
            tgt = "(extra, not in the issue)"
        p(f"  {r['backend']:<10} {r['findings']:>10,} {r['endpoint']:<32} {mode:<14} {r['n']:>4} "
          f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['rps']:>7.1f}  {tgt}")
    text = "\n".join(out)
    print(text)
    if args.save:
        with open(args.save, "w") as f:
            f.write(text + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(s):
        s.add_argument("--url", required=True)
        s.add_argument("--token", default=os.environ.get("WARDEN_BENCH_TOKEN"))
        s.add_argument("--results", required=True)
        s.add_argument("--backend", default="postgres")
        s.add_argument("--watch", default="", help="name=pid,... whose CPU time (with children) to report")

    s = sub.add_parser("gen")
    s.add_argument("--out", required=True)
    s.add_argument("--prefix", default="svc")
    s.add_argument("--repos", type=int, default=1000)
    s.add_argument("--per-repo", type=int, default=1000)
    s.add_argument("--procs", type=int, default=os.cpu_count() or 2)
    s = sub.add_parser("load")
    common(s)
    s.add_argument("--dir", required=True)
    s.add_argument("--clients", type=int, default=4)
    s.add_argument("--label", default="load")
    s = sub.add_parser("burst")
    common(s)
    s.add_argument("--prefix", default="burst")
    s.add_argument("--clients", type=int, default=64)
    s.add_argument("--per-repo", type=int, default=5000)
    s.add_argument("--rescan", action="store_true")
    s.add_argument("--changes", type=int, default=50)
    s.add_argument("--label", default="new repositories")
    s = sub.add_parser("latency")
    common(s)
    s.add_argument("--n", type=int, default=200)
    s.add_argument("--warmup", type=int, default=10)
    s.add_argument("--conc", type=int, default=8)
    s.add_argument("--conc-n", type=int, default=200)
    s.add_argument("--extra-n", type=int, default=20, help="requests of each extra page (0: none)")
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--machine", default="")
    s.add_argument("--notes", default="")
    s.add_argument("--save")
    args = ap.parse_args()
    if getattr(args, "url", None) and not args.token:
        ap.error("--token or WARDEN_BENCH_TOKEN is required")
    {"gen": cmd_gen, "load": cmd_load, "burst": cmd_burst, "latency": cmd_latency, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
