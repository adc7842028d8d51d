"""Ops API: small host utilities behind the VPN."""
import re
import subprocess
from pathlib import Path

from fastapi import FastAPI, HTTPException

app = FastAPI()
LOG_ROOT = Path("/var/log/services")
HOST_RE = re.compile(r"^[a-z0-9.-]{1,253}$")


@app.get("/diag/{host}")
def diagnose(host: str):
    out = subprocess.run(f"dig +short {host}", shell=True, capture_output=True, text=True)  # VULN:cmdi
    return {"answer": out.stdout.split()}


@app.get("/diag-checked/{host}")
def diagnose_checked(host: str):
    if not HOST_RE.match(host):
        raise HTTPException(status_code=400)
    out = subprocess.run(f"dig +short {host}", shell=True, capture_output=True, text=True)
    return {"answer": out.stdout.split()}


@app.get("/logs")
def tail_log(service: str, lines: int = 100):
    path = LOG_ROOT / f"{service}.log"
    text = open(path).read().splitlines()  # VULN:path
    return {"lines": text[-lines:]}


@app.get("/logs-checked")
def tail_log_checked(service: str, lines: int = 100):
    path = (LOG_ROOT / f"{service}.log").resolve()
    if not path.is_relative_to(LOG_ROOT):
        raise HTTPException(status_code=400)
    text = open(path).read().splitlines()
    return {"lines": text[-lines:]}


@app.post("/restart")
def restart(unit: str):
    subprocess.run(["systemctl", "restart", "--", unit], check=True)
    return {"restarted": unit}
