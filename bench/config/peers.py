"""Peers of the configuration benchmarks: checkov and zizmor, in their own venv (bench/work/config-venv).

checkov pins many libraries of its own, so it does not share bench/.venv with the other peers. The venv is
created and filled from requirements.txt on first use; re-running is a no-op until requirements.txt changes.
Both tools run fully offline: checkov with --skip-download, no API key, no update check and no guideline
mapping download (BC_SKIP_MAPPING); zizmor with --offline (no GitHub API calls, online audits off).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
WORK = BENCH / "work"
VENV = WORK / "config-venv"
REQS = HERE / "requirements.txt"
CHECKOV_FRAMEWORKS = {"k8s": "kubernetes", "tf": "terraform", "dockerfile": "dockerfile", "gha": "github_actions",
                      "gitlab": "gitlab_ci"}
# Any fixed key: fingerprints are not compared here, and a fixed key keeps warden from writing .warden/hash-key.
WARDEN_ENV = {"WARDEN_HASH_KEY": "00" * 32}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_venv() -> None:
    """Create bench/work/config-venv and install requirements.txt into it, unless already done for this file."""
    want = hashlib.sha256(REQS.read_bytes()).hexdigest()
    stamp = VENV / ".requirements-sha256"
    if (VENV / "bin" / "python").exists() and stamp.exists() and stamp.read_text().strip() == want:
        return
    log(f"installing checkov and zizmor into {VENV} ...")
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["-r", str(REQS)], check=True)
    stamp.write_text(want + "\n")


def tool_bin(name: str) -> str | None:
    cand = VENV / "bin" / name
    return str(cand) if cand.exists() else shutil.which(name)


def tool_version(exe: str, *args: str) -> str:
    try:
        p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    out = (p.stdout or p.stderr).strip().splitlines()
    return out[0].split()[-1] if out else "?"


def checkov_env(threads: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("BC_API_KEY", "PRISMA_API_URL")}
    env.update({
        "CHECKOV_WORKERS_NUMBER": str(threads),   # its process pool; default: every core
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "True",  # no PyPI version check
        "BC_SKIP_MAPPING": "TRUE",                # no download of the guideline mapping
    })
    return env


def checkov_cmd(exe: str, target: Path, families: list[str], out_dir: Path) -> list[str]:
    return [exe, "-d", str(target), "--framework", *[CHECKOV_FRAMEWORKS[f] for f in families], "--skip-download",
            "--quiet", "--compact", "-o", "json", "--output-file-path", str(out_dir)]


def zizmor_cmd(exe: str, target: Path) -> list[str]:
    return [exe, "--offline", "--no-config", "--no-progress", "--collect=all", "--format", "json", str(target)]


def warden_cmd(exe: str, target: Path, out: Path, threads: int) -> list[str]:
    return [exe, "scan", str(target), "--only", "k8s,docker,tf,ci", "--format", "json", "--output", str(out),
            "--threads", str(threads), "--no-progress"]
