#!/usr/bin/env python3
"""Speed of configuration scanners: warden vs checkov (and zizmor on GitHub workflows).

Inputs: bench/work/config-corpus/ (bench/config/gen_corpus.py, fixed seed; regenerated when missing or when the
generator's version changes): k8s/ (400 manifests), terraform/ (one tree of modules, environments and service
stacks, ~700 resources), docker/ (Dockerfiles and compose files), workflows/ (200 GitHub Actions workflows in
20 repositories). --quick: a quarter of each (config-corpus-quick/).

Each tree is scanned by:
  warden   warden scan TREE --only k8s,docker,tf,ci --format json --output F --threads N
  checkov  checkov -d TREE --framework <the tree's framework> --skip-download --quiet --compact -o json
           --output-file-path D (CHECKOV_WORKERS_NUMBER=N; no update check, no API key, offline)
  zizmor   zizmor --offline --no-config --collect=all --format json TREE (workflows only; no thread option)

Wall time: best of --runs (default 3) for warden and zizmor; checkov runs once when its first run takes over
30 s, else best of --runs too. The page cache is warmed first. Peak RSS of the tool's process tree (os.wait4).

  python3 bench/config/speed.py [--quick] [--runs 3] [--threads 2] [--tools warden,checkov,zizmor]
                                [--trees k8s,terraform,docker,workflows] [--warden PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus  # noqa: E402
import peers  # noqa: E402

TREES = ["k8s", "terraform", "docker", "workflows"]
FAMILY = {"k8s": "k8s", "terraform": "tf", "docker": "dockerfile", "workflows": "gha"}
WHAT = {"k8s": "Kubernetes manifests", "terraform": "Terraform (.tf)", "docker": "Dockerfiles + compose files",
        "workflows": "GitHub Actions workflows"}
ALL_TOOLS = ["warden", "checkov", "zizmor"]
CHECKOV_ONE_RUN_AFTER = 30.0
TARGETS = {"checkov": 20.0, "zizmor": 1.0}  # the speed targets: peer time / warden time at least this


def corpus(quick: bool) -> Path:
    root = peers.WORK / ("config-corpus-quick" if quick else "config-corpus")
    scale = 0.25 if quick else 1.0
    stamp = root / ".complete"
    if stamp.exists():
        meta = json.loads(stamp.read_text())
        if meta.get("version") == gen_corpus.VERSION and meta.get("scale") == scale:
            return root
    peers.log(f"generating {root} ...")
    gen_corpus.generate(root, scale=scale)
    return root


def tree_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def warm(files: list[Path]) -> None:
    for p in files:
        with open(p, "rb") as fh:
            while fh.read(1 << 20):
                pass


def timed(cmd: list[str], cwd: Path, timeout: int, env=None, stdout=None) -> tuple[float, float, int, str]:
    """Run cmd; return (wall seconds, peak RSS MiB of its process tree, exit code, stderr tail)."""
    err = tempfile.TemporaryFile()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=stdout or subprocess.DEVNULL, stderr=err, env=env, start_new_session=True)
    deadline = t0 + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(p.pid, 9)
            pid, status, ru = os.wait4(p.pid, 0)
            return time.monotonic() - t0, ru.ru_maxrss / 1024, -9, "timeout"
        time.sleep(0.005)
    wall = time.monotonic() - t0
    err.seek(0)
    tail = err.read()[-600:].decode(errors="replace")
    return wall, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), tail


def run_tool(tool: str, tree: str, root: Path, out_dir: Path, args) -> tuple[list[float], float, int | None, str]:
    """Timed runs of one tool on one tree: (wall times, peak RSS MiB, findings, note)."""
    target = root / tree
    if tool == "warden":
        out = out_dir / f"{tree}-warden.json"
        argv, env, ok_codes = peers.warden_cmd(args.warden, target, out, args.threads), dict(os.environ, **peers.WARDEN_ENV), (0, 1, 2)
    elif tool == "checkov":
        out = out_dir / f"{tree}-checkov" / "results_json.json"
        argv = peers.checkov_cmd(peers.tool_bin("checkov"), target, [FAMILY[tree]], out.parent)
        env, ok_codes = peers.checkov_env(args.threads), (0, 1)
    else:
        out = out_dir / f"{tree}-zizmor.json"
        argv, env, ok_codes = peers.zizmor_cmd(peers.tool_bin("zizmor"), target), None, (0, 10, 11, 12, 13, 14)
    walls, rss, note = [], 0.0, ""
    for i in range(args.runs):
        out.unlink(missing_ok=True)
        with open(out, "w") if tool == "zizmor" else open(os.devnull, "w") as so:
            wall, peak, rc, tail = timed(argv, target, args.timeout, env, stdout=so)
        if rc not in ok_codes or not out.exists():
            note = "timeout" if rc == -9 else f"failed (exit {rc}): {(tail.strip().splitlines() or [''])[-1][:100]}"
            break
        walls.append(wall)
        rss = max(rss, peak)
        if tool == "checkov" and wall > CHECKOV_ONE_RUN_AFTER:
            break
    found = None
    if walls:
        data = json.loads(out.read_text() or "[]")
        if tool == "warden":
            found = len(data.get("findings", []))
            nd = len(data.get("diagnostics", []))
            note = f"{nd} diagnostics" if nd else ""
        elif tool == "checkov":
            reps = data if isinstance(data, list) else [data]
            found = sum(len(r.get("results", {}).get("failed_checks", [])) for r in reps)
            perr = sum(r.get("summary", {}).get("parsing_errors", 0) for r in reps)
            note = f"{perr} parsing errors" if perr else ""
        else:
            found = len(data)
    return walls, rss, found, note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a quarter of the corpus")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--trees", "--inputs", dest="trees", default=",".join(TREES))
    ap.add_argument("--warden", default=str(peers.REPO / "target" / "release" / "warden"))
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per run")
    ap.add_argument("--no-install", action="store_true", help="do not create/update bench/work/config-venv")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    trees = [t for t in args.trees.split(",") if t]
    for t in tools:
        if t not in ALL_TOOLS:
            sys.exit(f"unknown tool {t}; known: {', '.join(ALL_TOOLS)}")
    for t in trees:
        if t not in TREES:
            sys.exit(f"unknown tree {t}; known: {', '.join(TREES)}")
    if not args.no_install and any(t in ("checkov", "zizmor") for t in tools):
        peers.ensure_venv()
    root = corpus(args.quick)
    out_dir = peers.WORK / ("config-speed-quick" if args.quick else "config-speed")
    out_dir.mkdir(parents=True, exist_ok=True)
    versions = {"warden": "", "checkov": "", "zizmor": ""}
    if Path(args.warden).exists():
        versions["warden"] = peers.tool_version(args.warden, "--version")
    for t in ("checkov", "zizmor"):
        if t in tools and peers.tool_bin(t):
            versions[t] = peers.tool_version(peers.tool_bin(t), "--version")
    meta = json.loads((root / ".complete").read_text())

    lines: list[str] = []
    say = lambda s="": (print(s, flush=True), lines.append(s))
    t_start = time.monotonic()
    say(f"=== config speed: {root} ({args.threads} threads for every tool; warden and zizmor best of {args.runs}; "
        f"checkov 1 run when a run takes > {CHECKOV_ONE_RUN_AFTER:.0f} s, else best of {args.runs}; page cache warmed)")
    say("    tree        files    MiB  tool      version    wall s  peak RSS MiB  findings  peer / warden")
    say("    ----------  -----  -----  --------  --------  -------  ------------  --------  -------------")
    ratios = {}
    for tree in trees:
        files = tree_files(root / tree)
        mib = sum(p.stat().st_size for p in files) / 1048576
        warm(files)
        extra = f" ({meta['counts']['terraform'].get('resources')} resources)" if tree == "terraform" else ""
        rows = {}
        for tool in tools:
            if tool == "zizmor" and tree != "workflows":
                continue
            exe = args.warden if tool == "warden" else peers.tool_bin(tool)
            if not exe or not Path(exe).exists():
                rows[tool] = (None, 0, None, "n/a: not installed" if tool != "warden" else "n/a: not built (cargo build --release)")
                continue
            peers.log(f"  {tree}: {tool} ...")
            walls, rss, found, note = run_tool(tool, tree, root, out_dir, args)
            rows[tool] = (min(walls) if walls else None, rss, found, note if walls else f"n/a: {note}")
        base = rows.get("warden", (None,))[0]
        first = True
        for tool, (wall, rss, found, note) in rows.items():
            lead = f"    {tree:<10}  {len(files):>5}  {mib:>5.2f}" if first else f"    {'':<10}  {'':>5}  {'':>5}"
            first = False
            if wall is None:
                say(f"{lead}  {tool:<8}  {versions[tool] or '-':<8}  {'n/a':>7}  {'':>12}  {'':>8}  {note}")
                continue
            ratio = ""
            if tool != "warden" and base:
                r = wall / base
                ratios[(tree, tool)] = r
                ratio = f"{r:6.1f}x" + (f"  (target >= {TARGETS[tool]:.0f}x)" if tool in TARGETS else "")
            say(f"{lead}  {tool:<8}  {versions[tool]:<8}  {wall:>7.2f}  {rss:>12.0f}  {found if found is not None else '-':>8}  "
                f"{ratio}{('  ' + note) if note else ''}")
        if extra:
            say(f"    {'':<10}  {'':>5}  {'':>5}  {WHAT[tree]}{extra}")
    say()
    if ratios:
        summary = []
        for tool in ("checkov", "zizmor"):
            rs = [r for (tr, t), r in ratios.items() if t == tool]
            if rs:
                summary.append(f"{tool}/warden: " + ", ".join(f"{tr} {r:.1f}x" for (tr, t), r in ratios.items() if t == tool)
                               + f" (target >= {TARGETS[tool]:.0f}x; {'met' if min(rs) >= TARGETS[tool] else 'NOT met'} on every tree)")
        say("    " + "; ".join(summary))
    say(f"    total bench time {time.monotonic() - t_start:.0f} s; load average at the end: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    (peers.WORK / ("config-speed-quick.txt" if args.quick else "config-speed.txt")).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
