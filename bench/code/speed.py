#!/usr/bin/env python3
"""Speed of code analyzers: warden vs semgrep, bandit and ruff (--select S).

Inputs (built under bench/work/ on first use, then reused):
  (a) python: bench/work/py-tree/lib/python3.X: a copy of the stdlib of the Python running this script
      (the parent of sysconfig.get_paths()['stdlib'], without its site-packages) plus a site-packages
      pip-installed with --target (requests, flask, django, numpy, pandas, sqlalchemy, boto3,
      langchain-core, openai, anthropic and their dependencies). --quick: its site-packages/django.
  (b) js: bench/work/js-tree/node_modules from `npm install` of typescript, react, next, express,
      lodash, @angular/core, openai, ai, axios. --quick: node_modules/openai.
  (c) go: the Go standard library sources (GOROOT/src of Debian's golang-go, installed with apt-get
      when `go` is missing). --quick: GOROOT/src/net/http.

  python3 bench/code/speed.py [--quick] [--runs 3] [--threads N] [--tools warden,warden-all,semgrep,bandit,ruff]
                              [--inputs python,js,go] [--warden PATH]
"""
from __future__ import annotations

import argparse
import json
import math
import re
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
WORK = BENCH / "work"
RULES = HERE / "semgrep-rules.yml"
VENV_BIN = BENCH / ".venv" / "bin"

PY_PACKAGES = ["requests", "flask", "django", "numpy", "pandas", "sqlalchemy", "boto3", "langchain-core",
               "openai", "anthropic"]
JS_PACKAGES = ["typescript@5", "react@19", "react-dom@19", "next@16", "express@5", "lodash@4",
               "@angular/core@21", "openai@6", "ai@6", "axios@1"]
EXTS = {"python": (".py",), "js": (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx"), "go": (".go",)}
SEMGREP_LANG_GLOBS = {"python": ["*.py"], "js": ["*.js", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.jsx"], "go": ["*.go"]}
ALL_TOOLS = ["warden", "warden-all", "semgrep", "bandit", "ruff"]
PYTHON_ONLY = {"bandit", "ruff"}
SLOW = {"semgrep", "bandit"}  # sampled on big inputs


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def tool_bin(name: str) -> str | None:
    cand = VENV_BIN / name
    return str(cand) if cand.exists() else shutil.which(name)


# ----------------------------------------------------------------------------- inputs

def python_tree() -> Path:
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    root = WORK / "py-tree" / "lib" / stdlib.name
    done = WORK / "py-tree" / ".complete"
    if done.exists():
        return root
    log(f"building {root} (stdlib copy of {stdlib} + pip install --target site-packages) ...")
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(stdlib, root, symlinks=True,
                    ignore=lambda d, names: [n for n in names if n in ("site-packages", "__pycache__")])
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile",
                    "--target", str(root / "site-packages"), *PY_PACKAGES], check=True)
    done.write_text(" ".join(PY_PACKAGES) + "\n")
    return root


def js_tree() -> Path:
    root = WORK / "js-tree"
    nm = root / "node_modules"
    if (root / ".complete").exists() and nm.is_dir():
        return nm
    log(f"npm install into {root} ...")
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "package.json").exists():
        (root / "package.json").write_text('{"name": "warden-bench-js-tree", "private": true}\n')
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", *JS_PACKAGES],
                   cwd=root, check=True)
    (root / ".complete").write_text(" ".join(JS_PACKAGES) + "\n")
    return nm


def go_tree() -> Path:
    if not shutil.which("go"):
        log("installing golang-go with apt-get ...")
        subprocess.run(["apt-get", "install", "-y", "-q", "golang-go"], check=True)
    goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    return Path(os.path.realpath(Path(goroot) / "src"))


QUICK = {"python": "site-packages/django", "js": "openai", "go": "net/http"}


def source_files(root: Path, lang: str) -> list[tuple[Path, int]]:
    out = []
    for d, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            if n.endswith(EXTS[lang]):
                p = Path(d) / n
                if p.is_symlink() or not p.is_file():
                    continue
                out.append((p, p.stat().st_size))
    return out


def warm(files: list[tuple[Path, int]]) -> None:
    for p, _ in files:
        try:
            with open(p, "rb") as fh:
                while fh.read(1 << 20):
                    pass
        except OSError:
            pass


def make_sample(root: Path, files: list[tuple[Path, int]], limit: int, dest: Path) -> tuple[Path, int, int, int]:
    """Copy 1 of every k files (sorted by path) to dest; return (dest, k, n files, bytes)."""
    total = sum(s for _, s in files)
    k = max(1, math.ceil(total / limit))
    picked = files[::k]
    if dest.exists():
        shutil.rmtree(dest)
    for p, _ in picked:
        d = dest / p.relative_to(root)
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, d)
    return dest, k, len(picked), sum(s for _, s in picked)


# ----------------------------------------------------------------------------- running

def timed(cmd: list[str], cwd: Path, timeout: int, env=None) -> tuple[float, float, int, str]:
    """Run cmd; return (wall seconds, peak RSS MiB, exit code, stderr tail)."""
    err = tempfile.TemporaryFile()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True)
    deadline = t0 + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(p.pid, 9)
            pid, status, ru = os.wait4(p.pid, 0)
            return time.monotonic() - t0, ru.ru_maxrss / 1024, -9, "timeout"
        time.sleep(0.02)
    wall = time.monotonic() - t0
    err.seek(0)
    tail = err.read()[-400:].decode(errors="replace")
    return wall, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), tail


def command(tool: str, target: Path, out: Path, args, lang: str) -> tuple[list[str], Path, dict | None]:
    """Return (argv, cwd, env)."""
    t = str(args.threads)
    if tool == "warden":
        return [args.warden, "scan", str(target), "--only", "code", "--format", "json", "--output", str(out),
                "--threads", t], target, None
    if tool == "warden-all":
        return [args.warden, "scan", str(target), "--format", "json", "--output", str(out), "--threads", t], target, None
    if tool == "semgrep":
        env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
        inc = [a for g in SEMGREP_LANG_GLOBS[lang] for a in ("--include", g)]
        return [tool_bin("semgrep"), "scan", "--config", str(RULES), "--json", "--output", str(out), "--metrics=off",
                "--disable-version-check", "--no-git-ignore", "--x-ignore-semgrepignore-files",
                "-j", t, "--quiet", *inc, "."], target, env
    if tool == "bandit":
        return [tool_bin("bandit"), "-r", ".", "-f", "json", "-q", "-o", str(out)], target, None
    if tool == "ruff":
        return [tool_bin("ruff"), "check", "--select", "S", "--output-format", "json", "--no-cache",
                "--no-respect-gitignore", "--config", "exclude = []", "--exit-zero", "--output-file", str(out), "."], target, None
    raise ValueError(tool)


def count_findings(tool: str, out: Path) -> int | None:
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return None
    if tool.startswith("warden"):
        return len(data.get("findings", []))
    if tool == "semgrep":
        return len(data.get("results", []))
    if tool == "bandit":
        return len(data.get("results", []))
    if tool == "ruff":
        return sum(1 for r in data if (r.get("code") or "").startswith("S"))
    return None


def version(tool: str, args) -> str:
    exe = {"warden": args.warden, "warden-all": args.warden}.get(tool) or tool_bin(tool)
    if not exe or not Path(exe).exists():
        return "-"
    try:
        p = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0"))
    except Exception:
        return "?"
    m = re.search(r"\d+\.\d+(?:\.\d+)?", (p.stdout or p.stderr).split("\n")[0] if (p.stdout or p.stderr) else "")
    return m.group(0) if m else "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--inputs", default="python,js,go")
    ap.add_argument("--warden", default=str(REPO / "target" / "release" / "warden"))
    ap.add_argument("--sample-mib", type=float, default=None,
                    help="run semgrep/bandit on a sample when an input holds more source than this (default 10, quick 2)")
    args = ap.parse_args()
    sample_limit = int((args.sample_mib or (2 if args.quick else 10)) * 1024 * 1024)
    tools = [t for t in args.tools.split(",") if t]
    out_root = WORK / ("code-speed-quick" if args.quick else "code-speed")
    out_root.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    say = lambda s="": (print(s, flush=True), lines.append(s))
    t_start = time.monotonic()
    versions = {t: version(t, args) for t in tools}

    for lang in [x for x in args.inputs.split(",") if x]:
        root = {"python": python_tree, "js": js_tree, "go": go_tree}[lang]()
        if args.quick:
            root = root / QUICK[lang]
        files = source_files(root, lang)
        nbytes = sum(s for _, s in files)
        mib = nbytes / 1048576
        warm(files)
        sample = None
        if any(t in SLOW for t in tools) and nbytes > sample_limit:
            sample = make_sample(root, files, sample_limit, out_root / f"sample-{lang}")
        say(f"=== ({'abc'[['python', 'js', 'go'].index(lang)]}) {lang}: {root}")
        say(f"    {mib:.1f} MiB of {'/'.join(EXTS[lang])} source in {len(files)} files; {args.threads} thread(s); "
            f"wall = median of {args.runs} run(s) (1 run when a run takes > 60 s); page cache warmed first")
        say("    tool                    version     wall s   MiB/s  peak RSS MiB  findings        comparison / note")
        say("    ----------------------  ----------  -------  ------  ------------  --------------  ---------------------------------------")
        rows = {}
        for tool in tools:
            name = {"warden": "warden (code)", "warden-all": "warden (all analyzers)"}.get(tool, tool)
            if tool in PYTHON_ONLY and lang != "python":
                rows[tool] = None
                say(f"    {name:<22}  {versions[tool]:<10}  {'n/a':>7}  {'':>6}  {'':>12}  {'':<14}  n/a: Python only")
                continue
            exe = command(tool, root, out_root / "x", args, lang)[0][0]
            if not exe or not Path(exe).exists():
                rows[tool] = None
                say(f"    {name:<22}  {'-':<10}  {'n/a':>7}  {'':>6}  {'':>12}  {'':<14}  n/a: not installed")
                continue
            target, scale, mark = root, 1.0, ""
            if tool in SLOW and sample:
                target, k, nfiles, sbytes = sample[0], sample[1], sample[2], sample[3]
                scale, mark = nbytes / sbytes, "*"
            out = out_root / f"{lang}-{tool}.json"
            argv, cwd, env = command(tool, target, out, args, lang)
            timeout = 1200 if tool in SLOW else 600
            walls, rss, note = [], 0.0, ""
            for i in range(args.runs):
                out.unlink(missing_ok=True)
                wall, peak, rc, tail = timed(argv, cwd, timeout, env)
                ok = rc in (0, 1) and out.exists()
                if rc == 2 and tool.startswith("warden") and count_findings(tool, out) is not None:
                    # warden's documented exit 2: the scan finished but some files were not (fully) analysed
                    # (over [code] max_file_bytes, nesting too deep, unreadable); the report lists them.
                    ok = True
                    ndiag = len(json.loads(out.read_text()).get("diagnostics", []))
                    note = f"exit 2: {ndiag} files not fully analysed (report diagnostics)"
                if not ok:
                    note = f"failed (exit {rc}): {tail.strip().splitlines()[-1][:80] if tail.strip() else ''}"
                    if rc == -9:
                        note = f"timeout after {timeout} s"
                    break
                walls.append(wall)
                rss = max(rss, peak)
                if wall > 60:
                    break
            if not walls:
                rows[tool] = None
                label = "n/a: code analyzer not available" if tool == "warden" and "unknown analyzer" in note else f"n/a: {note}"
                say(f"    {name:<22}  {versions[tool]:<10}  {'n/a':>7}  {'':>6}  {'':>12}  {'':<14}  {label}")
                continue
            wall = statistics.median(walls) * scale
            found = count_findings(tool, out)
            rows[tool] = wall
            fnd = f"{found}" + (" (sample)" if mark else "")
            say(f"    {name:<22}  {versions[tool]:<10}  {wall:>6.2f}{mark or ' '}  {mib / wall:>6.1f}  {rss:>12.0f}  {fnd:<14}  @CMP_{tool}@"
                + (f"; {note}" if note else ""))
        base = rows.get("warden")
        for tool in tools:
            if tool.startswith("warden"):
                cmp = ""
                if tool == "warden-all" and base:
                    cmp = f"{rows[tool] / base:.1f}x the time of warden (code)" if rows.get(tool) else ""
            elif rows.get(tool) is None:
                continue
            elif base:
                r = rows[tool] / base
                cmp = f"warden is {r:.1f}x faster than {tool}" if r >= 1 else f"warden is {1 / r:.1f}x slower than {tool}"
            else:
                cmp = "(warden (code) n/a)"
            if tool == "bandit":
                cmp += "; single process (no -j)"
            key = f"@CMP_{tool}@"
            for i, l in enumerate(lines):
                if key in l:
                    lines[i] = l.replace(key, cmp).replace("  ; exit 2", "  exit 2")
        if sample:
            _, k, nfiles, sbytes = sample
            slow = ", ".join(t for t in tools if t in SLOW and (t not in PYTHON_ONLY or lang == "python"))
            say(f"    * {slow} ran on a sample (1 of every {k} files: {nfiles} files, {sbytes / 1048576:.1f} MiB); "
                f"wall time extrapolated x{nbytes / sbytes:.1f} by bytes; findings are for the sample; peak RSS is the sample's")
        say()
    # print the final tables again without placeholders (the rows above were printed before the ratios were known)
    print("\n".join(["", "=== summary", *lines]))
    say(f"total bench time {time.monotonic() - t_start:.0f} s; load average at the end: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    (WORK / ("code-speed-quick.txt" if args.quick else "code-speed.txt")).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
