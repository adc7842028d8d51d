#!/usr/bin/env python3
"""Line-level accuracy of code analyzers on bench/code/accuracy/.

Copies the corpus to bench/work/code-accuracy/ with the `VULN:<category>` markers stripped (line
numbers unchanged), writes labels.json, runs each tool on the copy and prints recall / precision / F1
per tool, overall, per language and per category.

A labeled line reported by a tool (any finding whose start line is that line) is a true positive;
each distinct (file, line) a tool reports that is not labeled is a false positive.

  python3 bench/code/score.py [--tools warden,semgrep,bandit,ruff] [--warden PATH] [--jobs N] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
CORPUS = HERE / "accuracy"
RULES = HERE / "semgrep-rules.yml"
VENV_BIN = BENCH / ".venv" / "bin"

LANG_BY_EXT = {".py": "python", ".js": "js/ts", ".mjs": "js/ts", ".cjs": "js/ts", ".jsx": "js/ts",
               ".ts": "js/ts", ".tsx": "js/ts", ".go": "go"}
LANGS = ["python", "js/ts", "go"]
MARKER = re.compile(r"\s*(?:#|//)\s*VULN:([A-Za-z0-9_-]+)\s*$")
ALL_TOOLS = ["warden", "semgrep", "bandit", "ruff"]
PYTHON_ONLY = {"bandit", "ruff"}


def lang_of(path: str) -> str | None:
    return LANG_BY_EXT.get(Path(path).suffix)


def tool_bin(name: str) -> str | None:
    cand = VENV_BIN / name
    if cand.exists():
        return str(cand)
    return shutil.which(name)


def prepare(work: Path) -> list[dict]:
    """Copy the corpus with markers stripped; return the labels."""
    if work.exists():
        shutil.rmtree(work)
    labels = []
    for src in sorted(CORPUS.rglob("*")):
        rel = src.relative_to(CORPUS)
        if "__pycache__" in rel.parts or rel.suffix == ".pyc":
            continue
        dst = work / rel
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8")
        out = []
        for no, line in enumerate(text.split("\n"), 1):
            m = MARKER.search(line)
            if m:
                labels.append({"path": rel.as_posix(), "line": no, "category": m.group(1),
                               "language": lang_of(rel.name)})
                line = line[: m.start()].rstrip()
            if "VULN:" in line:
                sys.exit(f"{rel}:{no}: marker not at the end of the line")
            out.append(line)
        dst.write_text("\n".join(out), encoding="utf-8")
    (work.parent / "code-accuracy-labels.json").write_text(json.dumps(labels, indent=1))
    return labels


# ----------------------------------------------------------------------------- tool runners
# Each returns (set of (relpath, line), note, seconds) or (None, note, 0) when the tool is n/a.

def run(cmd, cwd, env=None, timeout=1200):
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def run_warden(target: Path, out_dir: Path, args) -> tuple:
    exe = Path(args.warden)
    if not exe.exists():
        return None, f"n/a: {exe} not built", 0
    out = out_dir / "warden.json"
    out.unlink(missing_ok=True)
    p, secs = run([str(exe), "scan", str(target), "--only", "code", "--format", "json", "--output", str(out)],
                  cwd=target)
    (out_dir / "warden.log").write_text(p.stdout + p.stderr)
    # exit 2 with a report = the scan finished but some files were not fully analysed (see diagnostics)
    if p.returncode not in (0, 1, 2) or not out.exists():
        msg = (p.stderr.strip().splitlines() or ["?"])[-1][:90]
        return None, f"n/a: code analyzer not available ({msg})", 0
    data = json.loads(out.read_text())
    found, rules = set(), Counter()
    for f in data.get("findings", []):
        loc = f.get("location", {})
        found.add((loc.get("path", "").lstrip("./"), loc.get("start_line")))
        rules[f.get("rule_id", "?")] += 1
    return found, "", secs


def run_semgrep(target: Path, out_dir: Path, args) -> tuple:
    exe = tool_bin("semgrep")
    if not exe:
        return None, "n/a: semgrep not installed (bench/run.sh installs it)", 0
    out = out_dir / "semgrep.json"
    env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    p, secs = run([exe, "scan", "--config", str(RULES), "--json", "--output", str(out), "--metrics=off",
                   "--disable-version-check", "--no-git-ignore", "-j", str(args.jobs), "--quiet", "."],
                  cwd=target, env=env)
    (out_dir / "semgrep.log").write_text(p.stdout + p.stderr)
    if not out.exists():
        return None, f"n/a: semgrep failed (exit {p.returncode}, see {out_dir}/semgrep.log)", 0
    data = json.loads(out.read_text())
    found = {(r["path"].lstrip("./"), r["start"]["line"]) for r in data.get("results", [])}
    errs = [e for e in data.get("errors", []) if e.get("level") == "error"]
    note = f"{len(errs)} semgrep errors (see semgrep.json)" if errs else ""
    return found, note, secs


def run_bandit(target: Path, out_dir: Path, args) -> tuple:
    exe = tool_bin("bandit")
    if not exe:
        return None, "n/a: bandit not installed", 0
    out = out_dir / "bandit.json"
    p, secs = run([exe, "-r", ".", "-f", "json", "-q", "-o", str(out)], cwd=target)
    (out_dir / "bandit.log").write_text(p.stdout + p.stderr)
    if not out.exists():
        return None, f"n/a: bandit failed (exit {p.returncode})", 0
    data = json.loads(out.read_text())
    found = {(r["filename"].removeprefix("./"), r["line_number"]) for r in data.get("results", [])}
    return found, "", secs


def run_ruff(target: Path, out_dir: Path, args) -> tuple:
    exe = tool_bin("ruff")
    if not exe:
        return None, "n/a: ruff not installed", 0
    out = out_dir / "ruff.json"
    p, secs = run([exe, "check", "--select", "S", "--output-format", "json", "--no-cache",
                   "--no-respect-gitignore", "--exit-zero", "--output-file", str(out), "."], cwd=target)
    (out_dir / "ruff.log").write_text(p.stdout + p.stderr)
    if not out.exists():
        return None, f"n/a: ruff failed (exit {p.returncode})", 0
    found = set()
    for r in json.loads(out.read_text()):
        if not (r.get("code") or "").startswith("S"):
            continue  # syntax errors and the like
        rel = os.path.relpath(r["filename"], target)
        found.add((rel, r["location"]["row"]))
    return found, "", secs


RUNNERS = {"warden": run_warden, "semgrep": run_semgrep, "bandit": run_bandit, "ruff": run_ruff}


# ----------------------------------------------------------------------------- scoring

def prf(tp: int, fp: int, fn: int) -> tuple[str, str, str]:
    r = tp / (tp + fn) if tp + fn else None
    p = tp / (tp + fp) if tp + fp else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    fmt = lambda x, pct=True: "-" if x is None else (f"{100 * x:5.1f}%" if pct else f"{x:.3f}")
    return fmt(r), fmt(p), fmt(f, False)


def score(found: set, labels: list[dict], lang: str | None = None):
    lab = {(l["path"], l["line"]) for l in labels if lang is None or l["language"] == lang}
    pred = {x for x in found if lang is None or lang_of(x[0]) == lang}
    tp = lab & pred
    return len(tp), len(pred - lab), len(lab - pred), tp, pred - lab, lab - pred


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--warden", default=str(REPO / "target" / "release" / "warden"))
    ap.add_argument("--jobs", "--threads", dest="jobs", type=int, default=os.cpu_count() or 1,
                    help="semgrep -j (default: all cores)")
    ap.add_argument("--quick", action="store_true", help="accepted for run.sh; the corpus is small either way")
    ap.add_argument("--runs", type=int, help="accepted for run.sh; ignored")
    ap.add_argument("--verbose", "-v", action="store_true", help="list each tool's misses and false positives")
    ap.add_argument("--work", default=str(BENCH / "work"))
    args = ap.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t not in RUNNERS:
            sys.exit(f"unknown tool {t}; known: {', '.join(ALL_TOOLS)}")

    work = Path(args.work)
    target = work / "code-accuracy"
    out_dir = work / "code-accuracy-out"
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = prepare(target)
    (target / "labels.json").unlink(missing_ok=True)
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=1))

    files = [p for p in target.rglob("*") if p.is_file() and lang_of(p.name)]
    by_lang_files = Counter(lang_of(p.name) for p in files)
    by_lang_labels = Counter(l["language"] for l in labels)
    lines = []
    say = lambda s="": (print(s), lines.append(s))
    say(f"=== code accuracy: {CORPUS.relative_to(REPO)} ({len(files)} source files, {len(labels)} labeled lines; per line)")
    say("    " + ", ".join(f"{lg}: {by_lang_files[lg]} files / {by_lang_labels[lg]} labels" for lg in LANGS))
    say(f"    categories: " + ", ".join(f"{c} {n}" for c, n in Counter(l['category'] for l in labels).most_common()))

    results = {}
    for t in tools:
        found, note, secs = RUNNERS[t](target, out_dir, args)
        results[t] = (found, note, secs)

    say()
    say("    tool      TP   FP   FN  recall  precision  F1     time   note")
    say("    -------  ---  ---  ---  ------  ---------  -----  -----  ----")
    for t in tools:
        found, note, secs = results[t]
        if found is None:
            say(f"    {t:<7}  n/a{'':<43}{note}")
            continue
        tp, fp, fn, *_ = score(found, labels)
        r, p, f = prf(tp, fp, fn)
        extra = ""
        if t in PYTHON_ONLY:
            ptp, pfp, pfn, *_ = score(found, labels, "python")
            pr, _, pf = prf(ptp, pfp, pfn)
            extra = f"Python-only tool: recall over all labels; on Python labels only: recall {pr.strip()}, F1 {pf}"
        say(f"    {t:<7}  {tp:>3}  {fp:>3}  {fn:>3}  {r:>6}  {p:>9}  {f:<5}  {secs:4.1f}s  {(note + ' ' + extra).strip()}")

    say()
    say("    per language (recall / precision / F1; TP FP FN)")
    header = "    tool     " + "".join(f"{lg:<34}" for lg in LANGS)
    say(header)
    for t in tools:
        found, note, _ = results[t]
        if found is None:
            continue
        cells = []
        for lg in LANGS:
            if t in PYTHON_ONLY and lg != "python":
                cells.append(f"{'(python only)':<34}")
                continue
            tp, fp, fn, *_ = score(found, labels, lg)
            r, p, f = prf(tp, fp, fn)
            cells.append(f"{r.strip()} / {p.strip()} / {f} ({tp} {fp} {fn})".ljust(34))
        say(f"    {t:<8} " + "".join(cells))

    say()
    say("    recall per category (labeled lines found / labeled)")
    cats = [c for c, _ in Counter(l["category"] for l in labels).most_common()]
    say("    category            " + "".join(f"{t:>10}" for t in tools))
    for c in cats:
        cl = [l for l in labels if l["category"] == c]
        row = f"    {c:<20}"
        for t in tools:
            found = results[t][0]
            if found is None:
                row += f"{'n/a':>10}"
                continue
            hit = sum((l["path"], l["line"]) in found for l in cl)
            row += f"{f'{hit}/{len(cl)}':>10}"
        say(row)

    if args.verbose:
        for t in tools:
            found = results[t][0]
            if found is None:
                continue
            _, _, _, _, fps, fns = score(found, labels)
            cat = {(l["path"], l["line"]): l["category"] for l in labels}
            say()
            say(f"    {t} misses ({len(fns)}):")
            for k in sorted(fns):
                say(f"      {k[0]}:{k[1]} [{cat[k]}]")
            say(f"    {t} false positives ({len(fps)}):")
            for k in sorted(fps):
                say(f"      {k[0]}:{k[1]}")
    (work / "code-accuracy-report.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
