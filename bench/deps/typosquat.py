#!/usr/bin/env python3
"""How the `deps/typosquat` check behaves, measured (docs/supply-chain.md, "Typosquats").

    python3 bench/deps/typosquat.py [--warden target/release/warden]

1. Legitimate neighbours. The check stays quiet on every name of an ecosystem's popular list, so its false
   positives come from legitimate packages that are not on the list. The list's own less popular part stands in
   for them: every name ranked below 5,000 (by downloads) is compared with the top names exactly as the check does (same
   targets, minimum length and trailing-digit rule), as if it were not on the list. The rate printed is the share
   of such names the check would flag.
2. Reported squats. Names from public typosquatting reports (below), declared in a requirements.txt and a
   package.json, scanned with `warden scan --only deps`: how many it reports, and which it misses (mostly
   combosquats such as `nodemailer-js`, which are more than one edit away and outside this rule).
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "crates/warden-deps/data/popular"
# Each ecosystem's lists and how many of each list's top names are targets (as crates/warden-deps/src/typosquat.rs).
LISTS = {"pypi": [("pypi", 1000)], "npm": [("npm", 2000), ("npm-dependents", 1000)]}
MIN_LEN = 5

# Names from public reports: the SK-CSIRT advisory of September 2017 and later PyPI takedowns (PyPI); npm's
# August 2017 removal of the `crossenv` family and later npm takedowns (npm). Each maps to the package it imitates.
REPORTED = {
    "pypi": {
        "urlib3": "urllib3", "urllib": "urllib3", "setup-tools": "setuptools", "colourama": "colorama",
        "djanga": "django", "reqeusts": "requests", "requesst": "requests", "python3-dateutil": "python-dateutil",
        "jeilyfish": "jellyfish", "acqusition": "acquisition", "beautifulsoup": "beautifulsoup4",
        "pyyamll": "pyyaml", "matplotib": "matplotlib", "numppy": "numpy", "pandsa": "pandas",
        "tensorfow": "tensorflow", "scikitlearn": "scikit-learn", "openai-python": "openai",
    },
    "npm": {
        "crossenv": "cross-env", "cross-env.js": "cross-env", "mongose": "mongoose", "gruntcli": "grunt-cli",
        "nodesass": "node-sass", "nodemailer-js": "nodemailer", "jquery.js": "jquery", "d3.js": "d3",
        "babelcli": "babel-cli", "electorn": "electron", "lodashs": "lodash", "momnet": "moment",
        "expres": "express", "reactt": "react", "axois": "axios", "noderequest": "request",
        "discordi.js": "discord.js", "ffmepg": "ffmpeg",
    },
}


def names(eco):
    return [l.strip() for l in (DATA / f"{eco}.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]


def key(eco, n):
    n = n.lower()
    return re.sub(r"[-_.]+", "-", n) if eco == "pypi" else n


def one_edit(a, b):
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    if len(a) == len(b):
        return a[p + 1:] == b[p + 1:] or (p + 1 < len(a) and a[p] == b[p + 1] and a[p + 1] == b[p]
                                          and a[p + 2:] == b[p + 2:])
    s, l = (a, b) if len(a) < len(b) else (b, a)
    return s[p:] == l[p + 1:]


def digit_suffix_only(a, b):
    return a.rstrip("0123456789") == b.rstrip("0123456789")


def legit_neighbours(eco):
    targets = []
    for lst, top in LISTS[eco]:
        targets += [t for t in (key(eco, n) for n in names(lst)[:top]) if len(t) >= MIN_LEN and t not in targets]
    ns = [key(eco, n) for n in names(eco)]
    rest = [n for n in ns[5000:] if n not in targets]
    hits = [(c, next(t for t in targets if one_edit(c, t) and not digit_suffix_only(c, t)))
            for c in rest if any(one_edit(c, t) and not digit_suffix_only(c, t) for t in targets)]
    return len(rest), hits


def scan(warden):
    with tempfile.TemporaryDirectory() as d:
        pathlib.Path(d, "requirements.txt").write_text("".join(f"{n}==1.0.0\n" for n in REPORTED["pypi"]))
        deps = {n: "^1.0.0" for n in REPORTED["npm"]}
        pathlib.Path(d, "package.json").write_text(json.dumps({"name": "app", "dependencies": deps}))
        r = subprocess.run([warden, "scan", d, "--only", "deps", "--format", "json", "--fail-on", "none",
                            "--no-progress"], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            sys.exit(f"warden failed: {r.stderr}")
        doc = json.loads(r.stdout)
    found = {}
    for f in doc["findings"]:
        if f.get("rule_id", f.get("rule")) == "deps/typosquat":
            e = f["ext"]["deps"]
            found[(e["ecosystem"], e["package"])] = e["resembles"]
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warden", default=os.environ.get("WARDEN", str(ROOT / "target/release/warden")))
    a = ap.parse_args()
    print("== 1. Legitimate names below rank 5,000 that one edit turns into a top name ==")
    for eco in ("pypi", "npm"):
        n, hits = legit_neighbours(eco)
        print(f"{eco}: {len(hits)}/{n} ({100 * len(hits) / n:.2f}%) would be flagged if they were not on the list; "
              f"e.g. " + ", ".join(f"{c}~{t}" for c, t in hits[:8]))
    print()
    print("== 2. Names from public typosquatting reports ==")
    if not os.path.isfile(a.warden):
        print(f"warden binary {a.warden} missing: skipped")
        return
    found = scan(a.warden)
    for eco, osv in (("pypi", "PyPI"), ("npm", "npm")):
        rep = REPORTED[eco]
        got = [n for n in rep if (osv, n) in found]
        missed = [n for n in rep if (osv, n) not in found]
        wrong = [n for n in got if key(eco, found[(osv, n)]) != key(eco, rep[n])]
        print(f"{eco}: {len(got)}/{len(rep)} reported ({len(wrong)} naming another target: {wrong}); "
              f"missed: {', '.join(f'{n} ({rep[n]})' for n in missed)}")


if __name__ == "__main__":
    main()
