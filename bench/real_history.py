#!/usr/bin/env python3
"""Builds a git repository whose history is a real project's evolution: Django's source distributions from PyPI,
release after release, each release committed as one commit per top-level directory it changed (dated at the
release's upload time). It stands in for a large real history where the network reaches PyPI but not a git host.

    python3 bench/real_history.py OUT_DIR [--releases N]

Idempotent: an OUT_DIR that already holds a finished repository (OUT_DIR/.git/bench-done) is left alone. The sdists are kept
under OUT_DIR.cache/ so a rebuild downloads nothing.
"""
import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request

INDEX = "https://pypi.org/pypi/Django/json"


def version_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def releases(n):
    with urllib.request.urlopen(INDEX, timeout=60) as r:
        data = json.load(r)
    out = []
    for v, files in data["releases"].items():
        if not re.fullmatch(r"\d+\.\d+(\.\d+)?", v):
            continue  # finals only
        for f in files:
            if f["packagetype"] == "sdist" and f["url"].endswith(".tar.gz") and not f.get("yanked"):
                url = urllib.parse.urljoin(INDEX, f["url"])
                out.append((version_key(v), v, url, f["upload_time"]))
                break
    out.sort()
    # Evenly spread over the whole range, oldest to newest, so the history spans many years of change.
    if len(out) > n:
        step = len(out) / n
        out = [out[int(i * step)] for i in range(n)]
    return out


def git(repo, *args, env=None):
    subprocess.run(["git", "-C", repo, *args], check=True, stdout=subprocess.DEVNULL, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--releases", type=int, default=120)
    a = ap.parse_args()
    if os.path.exists(os.path.join(a.out, ".git", "bench-done")):
        print(f"{a.out}: already built")
        return
    cache = a.out.rstrip("/") + ".cache"
    os.makedirs(cache, exist_ok=True)
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    git(a.out, "init", "-q", "-b", "main")
    git(a.out, "config", "user.name", "bench")
    git(a.out, "config", "user.email", "bench@example.invalid")
    git(a.out, "config", "gc.auto", "0")
    rels = releases(a.releases)
    for i, (_, v, url, when) in enumerate(rels):
        path = os.path.join(cache, f"Django-{v}.tar.gz")
        if not os.path.exists(path):
            with urllib.request.urlopen(url, timeout=120) as r, open(path + ".part", "wb") as f:
                shutil.copyfileobj(r, f)
            os.replace(path + ".part", path)
        for name in os.listdir(a.out):
            if name != ".git":
                p = os.path.join(a.out, name)
                shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)
        with tarfile.open(path) as t:
            for m in t.getmembers():
                parts = m.name.split("/", 1)
                if len(parts) < 2 or not parts[1] or not (m.isfile() or m.isdir()):
                    continue
                m.name = parts[1]
                t.extract(m, a.out, filter="data")
        env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        env["GIT_LITERAL_PATHSPECS"] = "1"
        status = subprocess.run(["git", "-C", a.out, "status", "--porcelain", "-z", "-uall"], check=True,
                                capture_output=True).stdout.decode("utf-8", "surrogateescape").split("\0")
        groups = {}
        for entry in status:
            if len(entry) < 4:
                continue
            p = entry[3:]
            parts = p.split("/")
            top = "/".join(parts[:2]) if parts[0] in ("django", "tests", "docs") and len(parts) > 2 else parts[0]
            groups.setdefault(top, []).append(p)
        for top in sorted(groups):
            subprocess.run(["git", "-C", a.out, "add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul"],
                           check=True, env=env, input="\0".join(groups[top]).encode("utf-8", "surrogateescape"),
                           stdout=subprocess.DEVNULL)
            git(a.out, "commit", "-q", "--allow-empty", "-m", f"Django {v}: {top}", env=env)
        print(f"[{i + 1}/{len(rels)}] Django {v}: {len(groups)} commits", file=sys.stderr)
    git(a.out, "gc", "-q")
    open(os.path.join(a.out, ".git", "bench-done"), "w").close()
    print(a.out)


if __name__ == "__main__":
    main()
