#!/usr/bin/env python3
"""Alert reduction of warden's triage on a planted repository.

Generates the acme-shop monorepo (make_repo.py) in a temporary directory, runs

  WARDEN scan REPO --db DB --fail-on none --no-progress --format json --output scan.json
  WARDEN triage list --db DB --repo-path REPO --format json

and prints: the raw number of open findings, how many landed at each priority P1-P4, P1+P2 (the alerts to look
at), the reduction 1 - (P1+P2)/raw, every planted problem of labels.json with its priority and reasons, the
other findings of planted problems, and every noise finding that landed in P1/P2 (false escalations). For
comparison it also prints what severity alone (critical + high) would have queued.

A planted problem is matched by rule_id and path (and line when its label gives one); when several findings
match, the best priority counts. `also` findings of a label are other views of the same problem (the secret
finding on the line of a k8s/secret-in-env-value): they are neither planted problems nor noise. Every other
finding is noise.

Exit 1 when a planted problem is missing or below P2, when the reduction is under the bar (--bar, default
20%: the seeds' bar), or when warden fails; else 0. The output is deterministic (no times, no temporary paths).

  python3 bench/triage/score.py [--warden PATH] [--keep DIR] [--bar 20]

--warden defaults to target/release/warden under the repository root (nothing is built). --keep DIR writes
the repository, the store and warden's outputs to DIR (which must not exist or be empty) and keeps them.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LABELS = HERE / "labels.json"
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ beside the bench
import make_repo  # noqa: E402

# A fixed key: fingerprints are the same on every run, and warden writes no .warden/hash-key into the repository.
WARDEN_ENV = {"WARDEN_HASH_KEY": "00" * 32, "NO_COLOR": "1"}
# The reason warden gives for each kind of code that is not production (`priority_reasons`).
KINDS = [("test", "in test code"), ("example", "in example code"), ("docs", "in documentation"),
         ("vendored", "in vendored third-party code"), ("generated", "in generated code")]
TOP = (1, 2)


def code_kind(f: dict) -> str:
    for kind, text in KINDS:
        if any(r.startswith(text) for r in f.get("priority_reasons", [])):
            return kind
    return "production"


def where(f: dict) -> str:
    return f"{f['path']}:{f['line']}"


def key(f: dict) -> tuple:
    return (f["priority"], f["path"], f["line"], f["rule_id"], f.get("fingerprint", ""))


def matches(label: dict, f: dict) -> bool:
    return (f["rule_id"] == label["rule_id"] and f["path"] == label["path"]
            and ("line" not in label or f["line"] == label["line"]))


def run(cmd: list[str], what: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **WARDEN_ENV)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        print(f"FAIL: {what} exited {p.returncode}:", file=sys.stderr)
        print("\n".join((p.stderr or p.stdout).strip().splitlines()[-10:]), file=sys.stderr)
        sys.exit(1)
    return p


def raised(f: dict, rule_sev: dict) -> str:
    """Says so when the finding's severity is not its rule's (an analyzer raised it, e.g. for exposure)."""
    base = rule_sev.get(f["rule_id"])
    return f"   (rule severity: {base})" if base and base != f["severity"] else ""


def reasons(f: dict) -> str:
    # The first reason is always the severity, printed in its own column.
    rest = f["priority_reasons"][1:]
    return "; ".join(rest) if rest else "(severity and confidence alone)"


def bench(work: Path, exe: str, bar: float) -> int:
    repo = work / "acme-shop"
    db = work / "warden.db"
    make_repo.make(repo)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL).stdout.strip()
    version = run([exe, "--version"], "warden --version").stdout.strip()
    rule_sev = {r["id"]: r["severity"] for r in json.loads(run([exe, "rules", "--format", "json"],
                                                                "warden rules").stdout)}
    run([exe, "scan", str(repo), "--db", str(db), "--fail-on", "none", "--no-progress", "--format", "json",
         "--output", str(work / "scan.json")], "warden scan")
    listed = run([exe, "triage", "list", "--db", str(db), "--repo-path", str(repo), "--format", "json"],
                 "warden triage list").stdout
    (work / "triage.json").write_text(listed)
    findings = sorted(json.loads(listed), key=key)
    reported = len(json.loads((work / "scan.json").read_text()).get("findings", []))
    labels = json.loads(LABELS.read_text())

    raw = len(findings)
    by_p = Counter(f["priority"] for f in findings)
    top = by_p[1] + by_p[2]
    reduction = 100.0 * (1 - top / raw) if raw else 0.0

    out: list[str] = []
    say = out.append
    say(f"triage bench: acme-shop (bench/triage/make_repo.py, commit {commit}), {version}")
    say(f"  {len(labels)} planted problems; labels: bench/triage/labels.json")
    say("")
    say(f"  raw findings   {raw:>5}" + ("" if reported == raw else f"   (the scan report holds {reported})"))
    for p in (1, 2, 3, 4):
        say(f"  P{p}             {by_p[p]:>5}")
    say(f"  P1+P2          {top:>5}")
    say(f"  reduction     {reduction:5.1f}%   {top} alerts to look at instead of {raw} (the bar: {bar:g}% fewer)")

    # ---- planted problems
    used: set[int] = set()
    planted_rows, missing, low = [], [], []
    for lab in labels:
        hits = [i for i, f in enumerate(findings) if matches(lab, f)]
        used.update(hits)
        if not hits:
            missing.append(lab)
            planted_rows.append((9, lab, None, 0))
            continue
        best = min(hits, key=lambda i: key(findings[i]))
        if findings[best]["priority"] not in TOP:
            low.append(lab)
        planted_rows.append((findings[best]["priority"], lab, findings[best], len(hits)))
    also_rows = []
    for lab in labels:
        for a in lab.get("also", []):
            for i, f in enumerate(findings):
                if i not in used and matches(a, f):
                    used.add(i)
                    also_rows.append((f, lab))
    found = len(labels) - len(missing)
    in_top = found - len(low)
    pc = Counter(r[0] for r in planted_rows)
    say("")
    say(f"planted problems: {found}/{len(labels)} found, {in_top} at P1-P2 (P1 {pc[1]}, P2 {pc[2]}), "
        f"{len(low)} below P2, {len(missing)} missing")
    for prio, lab, f, n in sorted(planted_rows, key=lambda r: (r[0], r[1]["path"], r[1]["rule_id"])):
        if f is None:
            say(f"  MISSING  {lab['rule_id']}  {lab['path']}" + (f":{lab['line']}" if "line" in lab else ""))
            say(f"           {lab['why']}")
            continue
        flag = "" if prio in TOP else "   <-- below P2"
        more = f"  ({n} findings match; the best counts)" if n > 1 else ""
        say(f"  P{prio}  {f['severity']:<8} {f['rule_id']}  {where(f)}{more}{raised(f, rule_sev)}{flag}")
        say(f"           why: {lab['why']}")
        say(f"           reasons: {reasons(f)}")

    say("")
    say(f"other findings of planted problems (the same place seen by another rule; not noise): {len(also_rows)}")
    for f, lab in sorted(also_rows, key=lambda r: key(r[0])):
        say(f"  P{f['priority']}  {f['severity']:<8} {f['rule_id']}  {where(f)}   (with {lab['rule_id']})"
            f"{raised(f, rule_sev)}")

    # ---- noise
    noise = [f for i, f in enumerate(findings) if i not in used]
    false_esc = [f for f in noise if f["priority"] in TOP]
    say("")
    say(f"noise: {len(noise)} findings, {len(false_esc)} of them in P1/P2 (false escalations)")
    kinds = ["production"] + [k for k, _ in KINDS]
    nk = Counter(code_kind(f) for f in noise)
    for kind in kinds:
        if not nk[kind]:
            continue
        pk = Counter(f["priority"] for f in noise if code_kind(f) == kind)
        say(f"  {kind:<11} {nk[kind]:>4}   " + "  ".join(f"P{p} {pk[p]:>3}" for p in (1, 2, 3, 4)))
    say("  false escalations:")
    for f in false_esc:
        say(f"  P{f['priority']}  {f['severity']:<8} {f['rule_id']}  {where(f)}{raised(f, rule_sev)}")
        say(f"           reasons: {reasons(f)}")
    if not false_esc:
        say("    none")

    # ---- severity alone, for comparison
    sev = [f for f in findings if f["severity"] in ("critical", "high")]
    sev_planted = sum(1 for lab in labels if any(matches(lab, f) for f in sev))
    say("")
    say(f"for comparison, severity alone (critical + high): {len(sev)} alerts "
        f"({100.0 * (1 - len(sev) / raw) if raw else 0:.1f}% fewer than raw), holding {sev_planted}/{len(labels)} "
        f"planted problems")

    # ---- verdict
    fails = []
    if missing:
        fails.append(f"{len(missing)} planted problem(s) not reported: "
                     + ", ".join(f"{m['rule_id']} {m['path']}" for m in missing))
    if low:
        fails.append(f"{len(low)} planted problem(s) below P2: "
                     + ", ".join(f"{m['rule_id']} {m['path']}" for m in low))
    if reduction < bar:
        fails.append(f"reduction {reduction:.1f}% is under the bar of {bar:g}%")
    say("")
    if fails:
        say("FAIL: " + "; ".join(fails))
    else:
        say(f"PASS: every planted problem at P1-P2 and {reduction:.1f}% fewer alerts (bar {bar:g}%)")
    text = "\n".join(out) + "\n"
    print(text, end="")
    (work / "report.txt").write_text(text)
    return 1 if fails else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warden", default=str(REPO / "target" / "release" / "warden"),
                    help="the warden binary (default: target/release/warden; nothing is built)")
    ap.add_argument("--keep", metavar="DIR", help="write the repository, store and outputs to DIR and keep them")
    ap.add_argument("--bar", type=float, default=20.0, help="the reduction, in percent, that must be reached")
    args = ap.parse_args()
    exe = str(Path(args.warden).resolve())
    if not Path(exe).is_file():
        print(f"FAIL: no warden binary at {args.warden} (build it: cargo build --release -p warden)", file=sys.stderr)
        return 1
    if args.keep:
        work = Path(args.keep).resolve()
        if work.exists() and any(work.iterdir()):
            print(f"FAIL: --keep {args.keep}: exists and is not empty", file=sys.stderr)
            return 1
        work.mkdir(parents=True, exist_ok=True)
        return bench(work, exe, args.bar)
    with tempfile.TemporaryDirectory(prefix="warden-triage-bench-") as tmp:
        return bench(Path(tmp), exe, args.bar)


if __name__ == "__main__":
    sys.exit(main())
