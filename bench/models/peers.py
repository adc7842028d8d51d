"""Peers of the model-artifact benchmarks: picklescan, modelscan, fickling and model-signing, in their own venv
(bench/work/models-venv).

The venv is created and filled from requirements.txt on first use; re-running is a no-op until requirements.txt
changes. No torch and no tensorflow are installed: each peer reports what it can without them (modelscan's
Keras .h5 and SavedModel scanners need tensorflow/h5py; none of the samples are in those formats).
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
VENV = WORK / "models-venv"
REQS = HERE / "requirements.txt"
# Any fixed key: fingerprints are not compared here, and a fixed key keeps warden from writing .warden/hash-key.
WARDEN_ENV = {"WARDEN_HASH_KEY": "00" * 32}
PEERS = ["picklescan", "modelscan", "fickling"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_venv() -> None:
    """Create bench/work/models-venv and install requirements.txt into it, unless already done for this file."""
    want = hashlib.sha256(REQS.read_bytes()).hexdigest()
    stamp = VENV / ".requirements-sha256"
    if (VENV / "bin" / "python").exists() and stamp.exists() and stamp.read_text().strip() == want:
        return
    log(f"installing picklescan, modelscan, fickling and model-signing into {VENV} ...")
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["-r", str(REQS)], check=True)
    stamp.write_text(want + "\n")


def default_warden() -> str:
    """REPO/target/release/warden, as the other benchmarks use; else $CARGO_TARGET_DIR/release/warden when that
    exists (a build with a separate target directory)."""
    default = REPO / "target" / "release" / "warden"
    if not default.exists() and os.environ.get("CARGO_TARGET_DIR"):
        alt = Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "warden"
        if alt.exists():
            return str(alt)
    return str(default)


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


def peer_version(name: str) -> str:
    """The installed version of a peer's distribution (from the venv's metadata; some CLIs have no --version)."""
    dist = {"model_signing": "model-signing"}.get(name, name)
    py = VENV / "bin" / "python"
    if not py.exists():
        return "?"
    p = subprocess.run([str(py), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                       capture_output=True, text=True)
    return p.stdout.strip() or "?"


# ----------------------------------------------------------------------------- command lines

def warden_cmd(exe: str, target: Path) -> list[str]:
    return [exe, "model", "scan", str(target), "--format", "json", "--no-progress"]


def picklescan_cmd(exe: str, target: Path) -> list[str]:
    return [exe, "--path", str(target)]


def modelscan_cmd(exe: str, target: Path, out: Path) -> list[str]:
    return [exe, "scan", "-p", str(target), "-r", "json", "-o", str(out)]


def fickling_cmd(exe: str, target: Path, out: Path) -> list[str]:
    return [exe, "--check-safety", "--json-output", str(out), str(target)]


def warden_sign_cmd(exe: str, model: Path, key: Path, sig: Path) -> list[str]:
    return [exe, "model", "sign", str(model), "--key", str(key), "--signature", str(sig)]


def warden_verify_cmd(exe: str, model: Path, pub: Path, sig: Path) -> list[str]:
    return [exe, "model", "verify", str(model), "--key", str(pub), "--signature", str(sig)]


def model_signing_sign_cmd(exe: str, model: Path, key: Path, sig: Path) -> list[str]:
    return [exe, "sign", "key", str(model), "--private_key", str(key), "--signature", str(sig)]


def model_signing_verify_cmd(exe: str, model: Path, pub: Path, sig: Path) -> list[str]:
    return [exe, "verify", "key", str(model), "--signature", str(sig), "--public_key", str(pub)]
