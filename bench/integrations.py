#!/usr/bin/env python3
"""Developer integrations: pull-request (diff) scans and the language server.

  bench/run.sh --only integrations [--runs 3] [--quick] [--size-mb 60] [--debounce 0,150] [--tools ...]
               [--warden PATH]

Input (built under bench/work/ on first use, then reused; fixed seeds, stamp files):
  bench/work/int-corpus  gen_corpus.py corpus --size-mb 60 (6 with --quick): ~2000 files of generated
                         Python/JS/YAML/JSON/.env/Terraform/Markdown, a fake key planted in one file of 40.
  $TMPDIR/warden-bench-integrations/int-repo-60m (outside the checkout: see args_repo_dir)
                         a copy committed as `base` (branch main), then branch `feature` with one commit that
                         edits 20 files (Python, JS, Markdown; one of them already held a planted key, which
                         must NOT be reported again) and adds one new Slack bot token (built at run time, fake, real shape) to a
                         Python file. HEAD = feature.

1. Pull-request scans, wall time (median of --runs), in int-repo:
   warden      full: `warden scan . --format json`; diff: `warden scan --diff base..HEAD --format json`;
               diff-secrets: the same with `--only secrets`. The diff scan must report exactly the new key.
   kingfisher  full: `kingfisher scan . --git-history none`; diff: `--git-history none --since-commit base`
               (net tree diff to HEAD); diff-commits: `--git-history full --since-commit base` (the commits).
   semgrep     full: `semgrep scan --config bench/code/semgrep-rules.yml`; diff: the same with
               `--baseline-commit base` (semgrep's diff-aware scan). Code rules, not secrets: compare its own
               full vs diff, and against warden's code analysis (`--only code`) on the same input.
2. The language server (`warden lsp --debounce MS`, stdio JSON-RPC): time from `initialize` to the first
   workspace publishDiagnostics and to the last file of the workspace scan; then one Python file opened and 20
   full-text didChange edits, one at a time, alternately adding and removing a credential line: latency from
   the change to the publishDiagnostics carrying its version (p50/p95); one didSave: time until every file of
   the workspace scan and the open buffer are published again. Compared with a full `warden scan .`.

warden is not built here: `cargo build --release` first (target/release/warden, or $CARGO_TARGET_DIR).
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import math
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
OUT = os.path.join(WORK, "int-out")
VENV = os.path.join(HERE, ".venv")
RULES = os.path.join(HERE, "code", "semgrep-rules.yml")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "accuracy"))
import gen_corpus as gc  # noqa: E402
import make_corpus as mc  # noqa: E402

HASH_KEY = "00" * 32
ENV = dict(os.environ, WARDEN_HASH_KEY=HASH_KEY, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0",
           GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="Bench",
           GIT_COMMITTER_EMAIL="bench@example.com")
LOG = []


def say(s=""):
    print(s, flush=True)
    LOG.append(s)


def slack_bot(rng):
    """A fake Slack bot token of the real shape, assembled at run time (never written to a tracked file)."""
    dig, alnum = "0123456789", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    pick = lambda a, n: "".join(rng.choice(a) for _ in range(n))  # noqa: E731
    return "-".join(["xox" + "b", pick(dig, 11), pick(dig, 13), pick(alnum, 24)])


def git(repo, *args, ts=None):
    env = dict(ENV)
    if ts:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = "%d +0000" % ts
    return subprocess.run(["git", "-C", repo, *args], check=True, env=env, capture_output=True, text=True).stdout


# ----------------------------------------------------------------------------- input
REPO_DIR = None


def args_repo_dir():
    """Where the git repository is built: outside this checkout. warden reads `.wardenignore` files of parent
    directories too, even above a nested repository's root, so under bench/work/ the checkout's own .wardenignore
    (`tests/`, ...) would silently drop every `*/tests/*` file of the generated repository from `warden scan .`."""
    return REPO_DIR or os.path.join(tempfile.gettempdir(), "warden-bench-integrations")


def build_repo(size_mb, seed):
    corpus = os.path.join(WORK, "int-corpus-%dm" % size_mb)
    repo = os.path.join(args_repo_dir(), "int-repo-%dm" % size_mb)
    info_path = repo + ".json"
    params = {"size_mb": size_mb, "seed": seed, "v": 2}
    stamp = os.path.join(repo, ".git", "int-stamp")
    if os.path.exists(stamp) and open(stamp).read() == json.dumps(params) and os.path.exists(info_path):
        say("repository up to date: %s" % repo)
        return repo, json.load(open(info_path))
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "corpus", "--out", corpus,
                    "--size-mb", str(size_mb), "--seed", str(seed)], check=True)
    manifest = json.load(open(corpus + "-manifest.json"))
    if os.path.exists(repo):
        shutil.rmtree(repo)
    shutil.copytree(corpus, repo, ignore=shutil.ignore_patterns(".gen-stamp"))
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base: the generated corpus", ts=1700000000)
    git(repo, "tag", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    # The pull request: 20 files edited (a few generated lines replaced, as gen_corpus.py's history does), one
    # of them a file that already holds a planted key, and one new credential in a Python file.
    g = gc.Gen(seed + 7)
    rng = random.Random(seed + 8)
    kinds = {k[1]: k[0] for k in gc.KINDS}
    files = sorted(os.path.relpath(os.path.join(d, f), repo) for d, _, fs in os.walk(repo) if "/.git" not in d + "/"
                   for f in fs)
    planted = sorted(manifest["plants"])
    old_key_file = rng.choice([p for p in planted if p.endswith((".py", ".js"))])
    # source and docs only: lines spliced into YAML / JSON / Terraform at random would not parse
    clean = [f for f in files if f not in manifest["plants"] and f.endswith((".py", ".js", ".md"))]
    key_file = rng.choice([f for f in clean if f.endswith(".py")])
    edited = sorted(set([old_key_file, key_file] + rng.sample(clean, 18)))
    while len(edited) < 20:
        edited = sorted(set(edited + [rng.choice(clean)]))
    key = slack_bot(rng)
    key_line = None
    for rel in edited:
        p = os.path.join(repo, rel)
        kind = kinds[os.path.splitext(rel)[1]] if not os.path.basename(rel).startswith((".env", "config.env")) else "env"
        lines = open(p).read().split("\n")[:-1]
        at = g.r.randint(1, len(lines) - 1)
        if rel == old_key_file:  # keep the planted line: edit elsewhere in the file
            at = 1 if manifest["plants"][rel]["line"] > 8 else len(lines) - 1
        new = gc.gen_file(g, kind, 6)[-g.r.randint(1, 5):]
        lines[at:at + (0 if rel == old_key_file else g.r.randint(0, 3))] = new
        if rel == key_file:
            at = len(lines) // 2
            lines.insert(at, 'SLACK_BOT_TOKEN = "%s"' % key)
            key_line = at + 1
        with open(p, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature: touch 20 files, add a Slack notifier", ts=1700003600)
    info = {"files": manifest["files"], "bytes": manifest["bytes"], "planted_in_base": manifest["planted"],
            "edited": edited, "old_key_file": old_key_file, "key_file": key_file, "key_line": key_line,
            "key_sha256": hashlib.sha256(key.encode()).hexdigest()}
    os.makedirs(os.path.dirname(info_path), exist_ok=True)
    with open(info_path, "w") as fh:
        json.dump(info, fh, indent=1)
    with open(stamp, "w") as fh:
        fh.write(json.dumps(params))
    say("repository: %d files, %.1f MiB, %d keys in base; feature edits %d files, new key in %s:%d -> %s"
        % (info["files"], info["bytes"] / 1048576, info["planted_in_base"], len(edited), key_file, key_line,
           repo))
    return repo, info


# ----------------------------------------------------------------------------- timing
def timed(argv, cwd, out_name, timeout=1800):
    """Wall time of one run; stdout/stderr to bench/work/int-out/."""
    with open(os.path.join(OUT, out_name + ".stdout"), "wb") as o, open(os.path.join(OUT, out_name + ".stderr"), "wb") as e:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=ENV, stdout=o, stderr=e, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = "timeout"
        return time.perf_counter() - t0, rc


def median_runs(argv, cwd, name, runs, ok=(0, 1)):
    walls = []
    for i in range(runs):
        w, rc = timed(argv, cwd, "%s.%d" % (name, i))
        if rc not in ok:
            tail = open(os.path.join(OUT, "%s.%d.stderr" % (name, i)), errors="replace").read()[-600:]
            say("  %s: exit %s: %s" % (name, rc, tail.strip().replace("\n", " | ")))
            return None
        walls.append(w)
        print("  %-26s run %d: %.2f s" % (name, i + 1, w), file=sys.stderr, flush=True)
    return statistics.median(walls)


def kingfisher_bin():
    c = glob.glob(os.path.join(VENV, "lib", "python*", "site-packages", "kingfisher", "bin", "kingfisher"))
    return c[0] if c else shutil.which("kingfisher")


def semgrep_bin():
    p = os.path.join(VENV, "bin", "semgrep")
    return p if os.path.exists(p) else shutil.which("semgrep")


def version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=ENV)
        return (r.stdout or r.stderr).strip().splitlines()[-1].split()[-1]
    except Exception:  # noqa: BLE001
        return "?"


def count_in(path, key):
    """How many items a peer's JSON report holds under `key`; None when it is missing or unreadable."""
    try:
        return len(json.load(open(path)).get(key, []))
    except (OSError, ValueError):
        return None


def warden_findings(path):
    with open(path) as fh:
        return json.load(fh).get("findings", [])


def pr_scans(args, repo, info):
    w = args.warden
    kf, sg = kingfisher_bin(), semgrep_bin()
    tools = set(args.tools.split(","))
    rows = []  # (tool, mode, seconds, findings, note)
    jo = lambda n: os.path.join(OUT, n + ".json")  # noqa: E731
    say("")
    say("## 1. Pull-request scans (%s: %d files, %.1f MiB; the PR edits %d files)"
        % (os.path.basename(repo), info["files"], info["bytes"] / 1048576, len(info["edited"])))
    W = {}
    plans = [
        ("full", [w, "scan", ".", "--format", "json", "--output", jo("w-full"), "--no-progress"], "w-full"),
        ("diff", [w, "scan", "--diff", "base..HEAD", "--no-cache", "--format", "json", "--output", jo("w-diff"),
                  "--no-progress"], "w-diff"),
        # The facts cache (.warden/cache/): the first run below fills it, the timed ones use it.
        ("diff (warm cache)", [w, "scan", "--diff", "base..HEAD", "--format", "json", "--output", jo("w-diff-warm"),
                               "--no-progress"], "w-diff-warm"),
        ("diff --only secrets", [w, "scan", "--diff", "base..HEAD", "--only", "secrets", "--format", "json",
                                 "--output", jo("w-diff-secrets"), "--no-progress"], "w-diff-secrets"),
        ("full --only secrets", [w, "scan", ".", "--only", "secrets", "--format", "json", "--output",
                                 jo("w-full-secrets"), "--no-progress"], "w-full-secrets"),
    ]
    if "semgrep" in tools and sg:
        plans += [
            ("full --only code", [w, "scan", ".", "--only", "code", "--format", "json", "--output", jo("w-full-code"),
                                  "--no-progress"], "w-full-code"),
            ("diff --only code", [w, "scan", "--diff", "base..HEAD", "--only", "code", "--no-cache", "--format", "json",
                                  "--output", jo("w-diff-code"), "--no-progress"], "w-diff-code"),
        ]
    shutil.rmtree(os.path.join(repo, ".warden", "cache"), ignore_errors=True)
    for mode, argv, name in plans:
        if "warm cache" in mode:
            timed(argv, repo, name + ".fill")
        t = median_runs(argv, repo, name, args.runs)
        n = None
        if t is not None:
            fs = warden_findings(jo(name))
            n = len(fs)
            W[mode] = (t, fs)
        rows.append(("warden", mode, t, n, ""))
    # the check: the diff scan reports exactly the new key
    check = "n/a"
    if "diff --only secrets" in W and "diff" in W:
        sec = W["diff --only secrets"][1]
        alld = W["diff"][1]
        sec_all = [f for f in alld if str(f.get("rule_id", "")).startswith("secrets/")]
        at = [(f.get("location", {}).get("path"), f.get("location", {}).get("start_line")) for f in sec]
        ok = len(sec) == 1 and at[0] == (info["key_file"], info["key_line"])
        full_sec = len(W["full --only secrets"][1]) if "full --only secrets" in W else None
        check = ("%s: diff --only secrets reports %d finding(s) %s (planted: %s:%d); diff (all analyzers) reports %d, "
                 "%d of them secrets; the full scan reports %s secrets (%d keys planted in base + 1); the edited file "
                 "%s that already held a key: %s"
                 % ("PASS" if ok else "FAIL", len(sec), at, info["key_file"], info["key_line"], len(alld), len(sec_all),
                    full_sec, info["planted_in_base"], info["old_key_file"],
                    "not reported again" if all(p != info["old_key_file"] for p, _ in at) else "REPORTED AGAIN"))
        summ = json.load(open(jo("w-full")))["summary"]
        check += "; the full scan read %d of the repository's %d files" % (summ["files_scanned"], info["files"])
        if "diff (warm cache)" in W:
            fp = lambda fs: sorted(str(f.get("fingerprint")) for f in fs)  # noqa: E731
            same = fp(W["diff (warm cache)"][1]) == fp(alld)
            cached = json.load(open(jo("w-diff-warm")))["summary"].get("cached_blobs")
            check += "; diff with a warm cache: %s (%s unchanged files from the cache)" % (
                "the same findings" if same else "DIFFERENT FINDINGS", cached)
        rules = sorted({str(f.get("rule_id")) for f in alld})
        check += "; diff rules: %s" % ", ".join(rules)
    if "kingfisher" in tools and kf:
        subprocess.run([kf, "scan", ".", "--no-validate", "--no-update-check", "-q", "--git-history", "none",
                        "--format", "json", "-o", os.path.join(OUT, "kf-warm.json"), "-j", "1", "--no-binary"],
                       cwd=os.path.join(HERE, "accuracy"), capture_output=True, env=ENV)  # fills the rule cache
        base = [kf, "scan", ".", "--no-validate", "--no-update-check", "-q", "--no-dedup", "--no-binary",
                "--no-extract-archives", "--format", "json"]
        for mode, extra, name in [("full", ["--git-history", "none"], "kf-full"),
                                  ("diff", ["--git-history", "none", "--since-commit", "base"], "kf-diff"),
                                  ("diff (commits)", ["--git-history", "full", "--since-commit", "base"], "kf-diff-commits")]:
            t = median_runs(base + extra + ["-o", jo(name)], repo, name, args.runs, ok=(0, 200, 205))
            n = count_in(jo(name), "findings") if t is not None else None
            note = ""
            if t is not None and mode != "full":
                try:
                    fi = [f.get("finding", {}) for f in json.load(open(jo(name))).get("findings", [])]
                    at = sorted({(x.get("path", "")[2:] if x.get("path", "").startswith("./") else x.get("path"),
                                  x.get("line")) for x in fi})
                    note = "new key %s; old key of the edited file %s" % (
                        "found" if (info["key_file"], info["key_line"]) in at else "MISSED",
                        "reported again" if any(p == info["old_key_file"] for p, _ in at) else "not reported")
                except (OSError, ValueError):
                    pass
            rows.append(("kingfisher %s" % version([kf, "--version"]), mode, t, n, note))
    elif "kingfisher" in tools:
        rows.append(("kingfisher", "-", None, None, "not installed (pip install kingfisher-bin)"))
    if "semgrep" in tools and sg:
        base = [sg, "scan", "--config", RULES, "--json", "--metrics=off", "--disable-version-check", "--quiet",
                "-j", str(os.cpu_count() or 2)]
        for mode, extra, name, runs in [("full", [], "sg-full", args.semgrep_runs),
                                        ("diff", ["--baseline-commit", "base"], "sg-diff", args.runs)]:
            t = median_runs(base + extra + ["--output", jo(name), "."], repo, name, runs)
            n = count_in(jo(name), "results") if t is not None else None
            rows.append(("semgrep %s" % version([sg, "--version"]), mode, t, n,
                         "%d run" % runs if runs != args.runs else ""))
    elif "semgrep" in tools:
        rows.append(("semgrep", "-", None, None, "not installed"))
    # table: ratios peer / warden for the same job (Kingfisher: warden --only secrets; semgrep: --only code)
    ref = {("kingfisher", "full"): "full --only secrets", ("kingfisher", "diff"): "diff --only secrets",
           ("kingfisher", "diff (commits)"): "diff --only secrets",
           ("semgrep", "full"): "full --only code", ("semgrep", "diff"): "diff --only code"}
    say("")
    say("| tool | mode | seconds | findings | vs warden (peer / warden) | note |")
    say("| --- | --- | ---: | ---: | --- | --- |")
    for tool, mode, t, n, note in rows:
        r = ""
        key = (tool.split()[0], mode)
        if key in ref and t and ref[key] in W:
            wt = W[ref[key]][0]
            r = "%.1fx (warden %s: %.2f s)" % (t / wt, ref[key], wt)
        elif tool == "warden" and mode.startswith("diff") and t:
            full = W.get("full" if mode in ("diff", "diff (warm cache)") else mode.replace("diff", "full"), (None,))[0]
            if full:
                r = "diff / full = %.2f" % (t / full)
        if tool.split()[0] != "warden" and mode.startswith("diff") and t:
            fulls = [x for x in rows if x[0] == tool and x[1] == "full" and x[2]]
            if fulls:
                note = (note + "; " if note else "") + "diff / full = %.2f" % (t / fulls[0][2])
        say("| %s | %s | %s | %s | %s | %s |" % (tool, mode, "%.2f" % t if t else "n/a", "-" if n is None else n, r, note))
    say("")
    say("check: " + check)
    return W.get("full", (None,))[0]


# ----------------------------------------------------------------------------- the language server
class Lsp:
    def __init__(self, argv, cwd):
        self.p = subprocess.Popen(argv, cwd=cwd, env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=open(os.path.join(OUT, "lsp.stderr"), "ab"))
        self.q = queue.Queue()
        self.next = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        r = self.p.stdout
        while True:
            n = None
            while True:
                line = r.readline()
                if not line:
                    self.q.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            body = r.read(n)
            self.q.put((time.perf_counter(), json.loads(body)))

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        b = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
        self.p.stdin.flush()
        return time.perf_counter()

    def notify(self, method, params):
        return self.send({"method": method, "params": params})

    def request(self, method, params):
        i = self.next
        self.next += 1
        t = self.send({"id": i, "method": method, "params": params})
        return i, t

    def recv(self, timeout):
        try:
            m = self.q.get(timeout=timeout)
        except queue.Empty:
            return None
        if m is None:
            raise RuntimeError("warden lsp exited (see bench/work/int-out/lsp.stderr)")
        return m

    def wait_for(self, pred, timeout=600):
        end = time.perf_counter() + timeout
        while True:
            m = self.recv(max(0.01, end - time.perf_counter()))
            if m is None:
                raise TimeoutError("no matching message within %d s" % timeout)
            if pred(m[1]):
                return m

    def workspace_round(self, t0, expect, extra=None, quiet=5.0, timeout=900):
        """Collect workspace publishes (no version) until `expect` distinct URIs came (or `quiet` s of silence
        after the first); `extra(msg)` marks another message to wait for. Returns (first, last, n, extra_t)."""
        uris, first, last, extra_t = set(), None, None, None
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            m = self.recv(quiet if first else max(0.01, end - time.perf_counter()))
            if m is None:
                break
            t, msg = m
            if msg.get("method") != "textDocument/publishDiagnostics":
                continue
            if extra and extra(msg):
                extra_t = t - t0
            elif "version" not in msg["params"] or msg["params"].get("version") is None:
                uris.add(msg["params"]["uri"])
                first = first or t - t0
                last = t - t0
            if len(uris) >= expect and (extra is None or extra_t is not None):
                break
        return first, last, len(uris), extra_t

    def close(self):
        try:
            i, _ = self.request("shutdown", None)
            self.wait_for(lambda m: m.get("id") == i, 60)
            self.notify("exit", None)
            self.p.stdin.close()
            self.p.wait(30)
        except Exception:  # noqa: BLE001
            self.p.kill()
            self.p.wait()


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100.0 * len(s)) - 1))]  # nearest rank


def lsp_bench(args, repo, info, full_scan):
    say("")
    say("## 2. The language server (`warden lsp`, stdio JSON-RPC; %d edits; 1 session per debounce setting)" % args.edits)
    # what the workspace scan publishes: every file with findings (warden scan . --format json)
    fs = warden_findings(os.path.join(OUT, "w-full.json"))
    files_with = len({f["location"]["path"] for f in fs})
    root = os.path.realpath(repo)
    uri = lambda rel: "file://" + os.path.join(root, rel)  # noqa: E731
    target = info["key_file"]
    turi = uri(target)
    text = open(os.path.join(root, target)).read()
    # the buffer starts without the new key (as on main), and the edits add / remove credential lines
    lines = [ln for ln in text.split("\n") if not ln.startswith("SLACK_BOT_TOKEN = ")]
    base_text = "\n".join(lines)
    rng = random.Random(99)
    say("workspace: %d findings in %d files (a full `warden scan .` took %s s); buffer: %s (%d lines, %.0f KiB)"
        % (len(fs), files_with, "%.2f" % full_scan if full_scan else "n/a", target, len(lines), len(base_text) / 1024))
    say("")
    say("| debounce | init -> first diag | init -> all %d files | open -> diag | edit -> diag p50 | p95 | max | "
        "save -> all files | save -> buffer | edits right |" % files_with)
    say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    results = {}
    for deb in [int(x) for x in args.debounce.split(",")]:
        c = Lsp([args.warden, "lsp", "--debounce", str(deb)], root)
        try:
            i, t0 = c.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + root,
                                             "capabilities": {"general": {"positionEncodings": ["utf-16"]}}})
            c.wait_for(lambda m: m.get("id") == i, 120)
            c.notify("initialized", {})
            first, last, n, _ = c.workspace_round(t0, files_with)
            # open the buffer
            t1 = c.notify("textDocument/didOpen", {"textDocument": {"uri": turi, "languageId": "python", "version": 1,
                                                                    "text": base_text}})
            t, _m = c.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                               and m["params"]["uri"] == turi and m["params"].get("version") == 1, 300)
            open_lat = t - t1
            lat, right = [], 0
            cur = lines[:]
            for k in range(args.edits):
                v = k + 2
                if k % 2 == 0:  # add a credential line
                    at = rng.randint(5, len(cur) - 5)
                    cur = lines[:at] + ['NOTIFY_TOKEN = "%s"' % slack_bot(rng)] + lines[at:]
                    want = 1
                else:  # and remove it
                    cur = lines[:]
                    want = 0
                ts = c.notify("textDocument/didChange", {"textDocument": {"uri": turi, "version": v},
                                                         "contentChanges": [{"text": "\n".join(cur)}]})
                t, m = c.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                  and m["params"]["uri"] == turi and m["params"].get("version") == v, 300)
                lat.append(t - ts)
                got = sum(1 for d in m["params"]["diagnostics"] if str(d.get("code", "")).startswith("secrets/"))
                right += got == want
            # save: the workspace is scanned again, then the open buffer
            ts = c.notify("textDocument/didSave", {"textDocument": {"uri": turi}})
            s_first, s_last, s_n, s_buf = c.workspace_round(
                ts, files_with - (1 if turi in {uri(f["location"]["path"]) for f in fs} else 0),
                extra=lambda m: m["params"]["uri"] == turi and m["params"].get("version") is not None)
        finally:
            c.close()
        ms = lambda x: "%.0f ms" % (x * 1000) if x is not None else "n/a"  # noqa: E731
        sec = lambda x: "%.2f s" % x if x is not None else "n/a"  # noqa: E731
        say("| %d ms | %s | %s (%d seen) | %s | %s | %s | %s | %s (%d seen) | %s | %d/%d |"
            % (deb, sec(first), sec(last), n, ms(open_lat), ms(statistics.median(lat)), ms(pct(lat, 95)), ms(max(lat)),
               sec(s_last), s_n, sec(s_buf), right, len(lat)))
        results[deb] = statistics.median(lat)
    if full_scan:
        say("")
        say("edit -> diagnostics p50 vs a full `warden scan .` (%.2f s): %s"
            % (full_scan, ", ".join("debounce %d ms: %.0fx sooner" % (d, full_scan / v) for d, v in results.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="6 MiB repository, 1 run")
    ap.add_argument("--size-mb", type=int, default=None, help="repository size (default 60, 6 with --quick)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--semgrep-runs", type=int, default=None, help="runs of semgrep's full scan (default 1: slow)")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--debounce", default="0,150", help="comma-separated `warden lsp --debounce` settings (ms)")
    ap.add_argument("--tools", default="warden,kingfisher,semgrep")
    ap.add_argument("--skip", default="", help="pr or lsp")
    ap.add_argument("--repo-dir", default=None, help="where to build the git repository (default: $TMPDIR/"
                    "warden-bench-integrations; not under this checkout, whose .wardenignore would apply)")
    tgt = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    ap.add_argument("--warden", default=os.path.join(tgt, "release", "warden"))
    args = ap.parse_args()
    if args.quick:
        args.runs = 1
    args.size_mb = args.size_mb or (6 if args.quick else 60)
    args.semgrep_runs = args.semgrep_runs or 1
    global REPO_DIR
    REPO_DIR = args.repo_dir
    if not os.access(args.warden, os.X_OK):
        sys.exit("warden not found at %s: build it first (cargo build --release), or pass --warden" % args.warden)
    os.makedirs(OUT, exist_ok=True)
    for x in ("lsp.stderr",):
        open(os.path.join(OUT, x), "w").close()
    say("# warden developer integrations benchmark (bench/integrations.py)")
    say("%s UTC; %s; %d cores; load: %s" % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), os.uname().machine,
                                           os.cpu_count(), subprocess.run(["uptime"], capture_output=True,
                                                                          text=True).stdout.strip()))
    say("warden %s (%s); runs: %d (median)" % (version([args.warden, "--version"]), args.warden, args.runs))
    repo, info = build_repo(args.size_mb, args.seed)
    full = None
    if "pr" not in args.skip:
        full = pr_scans(args, repo, info)
    else:
        t = median_runs([args.warden, "scan", ".", "--format", "json", "--output", os.path.join(OUT, "w-full.json"),
                         "--no-progress"], repo, "w-full", args.runs)
        full = t
    if "lsp" not in args.skip:
        lsp_bench(args, repo, info, full)
    say("")
    say("load after: %s" % subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with open(os.path.join(WORK, "last-integrations%s.txt" % ("-quick" if args.quick else "")), "w") as fh:
        fh.write("\n".join(LOG) + "\n")


if __name__ == "__main__":
    main()
