#!/usr/bin/env python3
"""Detection matrix of model-artifact scanners: warden vs picklescan, modelscan and fickling.

Samples: bench/work/models-samples/ (bench/models/gen_samples.py; regenerated when missing, when the generator's
VERSION changes, or with --regen), each labeled in labels.json as malicious, benign or benign-library.

Each tool scans each file in its own process (one at a time, --timeout seconds each):
  warden      warden model scan FILE --format json --no-progress
  picklescan  picklescan --path FILE
  modelscan   modelscan scan -p FILE -r json -o OUT
  fickling    fickling --check-safety --json-output OUT FILE

Verdicts, from each tool's exit code and output:
  warden      detected when it reports a finding of severity medium or above (exit 1 with such a finding);
              low/info findings alone (e.g. a known ML library's class) do not count; exit 2: error.
  picklescan  detected when its summary counts a dangerous global or an infected file ("suspicious" globals
              alone do not count, as for its exit code); exit 2 without that: error; 0 files scanned: skipped.
  modelscan   detected when its JSON report holds an issue; errors without issues: error; exit 3 (no
              supported file, it picks files by extension): skipped.
  fickling    exit 1: detected; 0: clean; 2 (cannot parse: zip archives, .npy, GGUF...): error.
A crash, a timeout or an error counts as not detected on a malicious sample and as not clean on a benign one.
Skipped counts as not detected / clean.

  python3 bench/models/matrix.py [--tools warden,picklescan,modelscan,fickling] [--warden PATH]
                                 [--timeout 120] [--regen] [--no-real] [--json] [--files] [--filter REGEX]
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
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_samples  # noqa: E402
import peers  # noqa: E402

ALL_TOOLS = ["warden"] + peers.PEERS
SEV_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
SEV_SHORT = {"info": "info", "low": "low", "medium": "med", "high": "high", "critical": "crit"}


def samples(regen: bool, real: bool) -> tuple[Path, list[dict]]:
    root = peers.WORK / "models-samples"
    lab = root / "labels.json"
    if not regen and lab.exists():
        doc = json.loads(lab.read_text())
        has_real = any(l["source"] == "real" for l in doc["files"])
        if doc.get("version") == gen_samples.VERSION and has_real == real:
            return root, doc["files"]
    peers.log(f"generating {root} ...")
    return root, gen_samples.generate(root, real=real)


def run(cmd: list[str], cwd: Path, timeout: int, env=None) -> tuple[int, str, str, float]:
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), \
            time.monotonic() - t0
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace")
        return -9, out, err, time.monotonic() - t0


def last_line(text: str) -> str:
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:160] if lines else ""


# ----------------------------------------------------------------------------- per-tool verdicts
# Each returns {status: detected|clean|error|timeout|skipped, sev, note, rc, secs, raw}

def scan_warden(exe: str, f: Path, scratch: Path, timeout: int) -> dict:
    rc, out, err, secs = run(peers.warden_cmd(exe, f), scratch, timeout, env=dict(os.environ, **peers.WARDEN_ENV))
    if rc == -9:
        return dict(status="timeout", rc=rc, secs=secs, note="timeout")
    try:
        data = json.loads(out)
    except ValueError:
        return dict(status="error", rc=rc, secs=secs, note=f"exit {rc}: {last_line(err)}")
    findings = data.get("findings", [])
    diags = data.get("diagnostics", [])
    top = max((SEV_RANK.get(x.get("severity"), 0) for x in findings), default=-1)
    sev = next((k for k, v in SEV_RANK.items() if v == top), "")
    raw = {"findings": [{"rule": x.get("rule_id"), "severity": x.get("severity"), "message": x.get("message")}
                        for x in findings], "diagnostics": diags}
    if rc == 2:
        return dict(status="error", rc=rc, secs=secs, sev=sev, note=f"exit 2: {last_line(err)}", raw=raw)
    status = "detected" if top >= SEV_RANK["medium"] else "clean"
    return dict(status=status, rc=rc, secs=secs, sev=sev, raw=raw,
                note=f"{len(diags)} diagnostics" if diags else "")


def scan_picklescan(exe: str, f: Path, scratch: Path, timeout: int) -> dict:
    rc, out, err, secs = run(peers.picklescan_cmd(exe, f), scratch, timeout)
    if rc == -9:
        return dict(status="timeout", rc=rc, secs=secs, note="timeout")
    text = out + err
    def count(label):
        m = re.search(rf"{label}: (\d+)", text)
        return int(m.group(1)) if m else None
    scanned, infected, susp, dang = (count(x) for x in ("Scanned files", "Infected files", "Suspicious globals",
                                                         "Dangerous globals"))
    raw = {"summary": {"scanned": scanned, "infected": infected, "suspicious": susp, "dangerous": dang},
           "lines": [l for l in text.splitlines() if "dangerous" in l.lower() or "suspicious" in l.lower()
                     or "ERROR" in l][:8]}
    if (infected or 0) > 0 or (dang or 0) > 0:
        return dict(status="detected", rc=rc, secs=secs, sev="dangerous", raw=raw)
    if rc == 2 or scanned is None:
        return dict(status="error", rc=rc, secs=secs, note=f"exit {rc}: {last_line(err or out)}", raw=raw)
    if scanned == 0:
        return dict(status="skipped", rc=rc, secs=secs, note="not scanned (extension)", raw=raw)
    return dict(status="clean", rc=rc, secs=secs, sev="suspicious" if susp else "", raw=raw)


def scan_modelscan(exe: str, f: Path, scratch: Path, timeout: int) -> dict:
    out_json = scratch / "modelscan.json"
    out_json.unlink(missing_ok=True)
    rc, out, err, secs = run(peers.modelscan_cmd(exe, f, out_json), scratch, timeout)
    if rc == -9:
        return dict(status="timeout", rc=rc, secs=secs, note="timeout")
    try:
        data = json.loads(out_json.read_text())
    except (OSError, ValueError):
        return dict(status="error", rc=rc, secs=secs, note=f"exit {rc}: {last_line(err or out)}")
    summ = data.get("summary", {})
    issues = data.get("issues", [])
    total = summ.get("total_issues", len(issues))
    errors = data.get("errors", [])
    by_sev = summ.get("total_issues_by_severity", {})
    sev = next((s.lower() for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW") if by_sev.get(s)), "")
    raw = {"issues": [{"operator": i.get("operator"), "module": i.get("module"), "severity": i.get("severity"),
                       "scanner": i.get("scanner")} for i in issues][:8],
           "errors": [e.get("description", str(e))[:200] if isinstance(e, dict) else str(e)[:200]
                      for e in errors][:4]}
    if total:
        return dict(status="detected", rc=rc, secs=secs, sev=sev, raw=raw)
    if errors:
        return dict(status="error", rc=rc, secs=secs, note=f"exit {rc}: {raw['errors'][0][:120]}", raw=raw)
    if rc == 3 or not summ.get("scanned", {}).get("total_scanned"):
        return dict(status="skipped", rc=rc, secs=secs, note="not scanned (extension)", raw=raw)
    return dict(status="clean", rc=rc, secs=secs, raw=raw)


def scan_fickling(exe: str, f: Path, scratch: Path, timeout: int) -> dict:
    out_json = scratch / "fickling.json"
    out_json.unlink(missing_ok=True)
    rc, out, err, secs = run(peers.fickling_cmd(exe, f, out_json), scratch, timeout)
    if rc == -9:
        return dict(status="timeout", rc=rc, secs=secs, note="timeout")
    sev = ""
    try:
        data = json.loads(out_json.read_text())
        sev = str(data.get("severity", "")).lower() if isinstance(data, dict) else ""
    except (OSError, ValueError):
        pass
    if rc == 1:
        return dict(status="detected", rc=rc, secs=secs, sev=sev or "unsafe")
    if rc == 0:
        return dict(status="clean", rc=rc, secs=secs)
    return dict(status="error", rc=rc, secs=secs, note=f"exit {rc}: {last_line(err or out)}")


SCANNERS = {"warden": scan_warden, "picklescan": scan_picklescan, "modelscan": scan_modelscan,
            "fickling": scan_fickling}


def cell(lab: dict, r: dict) -> str:
    st, sev = r["status"], (r.get("sev") or "")
    sev = SEV_SHORT.get(sev, sev[:6])
    if lab["malicious"]:
        if st == "detected":
            return f"ok {sev}".strip()
        extra = {"error": "err", "timeout": "t/o", "skipped": "skip"}.get(st) or sev
        return f"MISS({extra})" if extra else "MISS"
    if st in ("clean", "skipped"):
        extra = "skip" if st == "skipped" else sev
        return f"ok({extra})" if extra else "ok"
    if st == "detected":
        return f"FP {sev}".strip()
    return {"error": "ERR", "timeout": "T/O"}[st]


def names_expected(lab: dict, r: dict) -> bool | None:
    """Whether one of warden's findings names the expected callable (None when the label names no callable)."""
    exp = lab.get("expected", "")
    if not re.fullmatch(r"[\w.]+\.[\w]+", exp):
        return None
    alts = {exp, exp.replace("__builtin__.", "builtins."), *lab.get("aliases", [])}
    msgs = " ".join(x.get("message") or "" for x in (r.get("raw") or {}).get("findings", []))
    return any(a in msgs for a in alts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--warden", default=peers.default_warden())
    ap.add_argument("--timeout", type=int, default=120, help="seconds per tool per file")
    ap.add_argument("--regen", action="store_true", help="regenerate the samples")
    ap.add_argument("--no-real", action="store_true", help="leave out the real model (no download)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    ap.add_argument("--files", action="store_true", help="also print the per-file matrix (default: categories)")
    ap.add_argument("--no-install", action="store_true", help="do not create/update bench/work/models-venv")
    ap.add_argument("--filter", default="", help="only the samples whose path matches this regular expression")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in ALL_TOOLS:
            sys.exit(f"unknown tool {t}; known: {', '.join(ALL_TOOLS)}")
    if not args.no_install and any(t in peers.PEERS for t in tools):
        peers.ensure_venv()
    root, labels = samples(args.regen, not args.no_real)
    if args.filter:
        labels = [l for l in labels if re.search(args.filter, l["path"])]
    scratch = peers.WORK / "models-matrix"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)

    exes, versions, missing = {}, {}, []
    for t in tools:
        exe = args.warden if t == "warden" else peers.tool_bin(t)
        if not exe or not Path(exe).exists():
            missing.append(f"{t} ({f'not built: {exe}; cargo build --release -p warden or --warden PATH' if t == 'warden' else 'not installed'})")
            peers.log(f"n/a: {missing[-1]}")
            continue
        exes[t] = exe
        versions[t] = peers.tool_version(exe, "--version") if t == "warden" else peers.peer_version(t)
    tools = [t for t in tools if t in exes]
    if not tools:
        sys.exit("no tool to run: " + "; ".join(missing))

    t_start = time.monotonic()
    results: dict[str, dict[str, dict]] = {}
    for i, lab in enumerate(labels):
        f = root / lab["path"]
        results[lab["path"]] = {}
        for t in tools:
            results[lab["path"]][t] = SCANNERS[t](exes[t], f, scratch, args.timeout)
        if (i + 1) % 20 == 0:
            peers.log(f"  {i + 1}/{len(labels)} files ...")
    elapsed = time.monotonic() - t_start

    # ---- summary numbers
    summary = {}
    for t in tools:
        s = defaultdict(int)
        for lab in labels:
            r = results[lab["path"]][t]
            kind = "mal" if lab["malicious"] else ("lib" if lab["label"] == "benign-library" else
                                                   ("real" if lab["source"] == "real" else "ben"))
            s[f"{kind}_n"] += 1
            if lab["malicious"]:
                s["mal_detected"] += r["status"] == "detected"
            else:
                s[f"{kind}_clean"] += r["status"] in ("clean", "skipped")
            s[f"{kind}_st_{r['status']}"] += 1
            if t == "warden" and lab["malicious"]:
                ne = names_expected(lab, r)
                if ne is not None:
                    s["named_n"] += 1
                    s["named"] += ne
        summary[t] = dict(s)

    if args.json:
        print(json.dumps({"samples": str(root), "versions": versions, "seconds": round(elapsed, 1),
                          "summary": summary,
                          "files": [dict(lab, results=results[lab["path"]]) for lab in labels]}, indent=1))
        return 0

    lines: list[str] = []
    say = lambda s="": (print(s, flush=True), lines.append(s))
    mal = [l for l in labels if l["malicious"]]
    ben = [l for l in labels if not l["malicious"]]
    say(f"=== model scanners: detection matrix on {root} ({len(mal)} malicious, {len(ben)} benign files; "
        f"one process per file per tool, timeout {args.timeout} s)")
    say("    versions: " + ", ".join(f"{t} {versions[t]}" for t in tools))
    if missing:
        say("    n/a: " + "; ".join(missing))
    w = 12
    if args.files:
        say()
        say(f"    {'file':<58} {'label':<9}" + "".join(f" {t:<{w}}" for t in tools))
        for lab in labels:
            lbl = {"malicious": "MAL", "benign": "benign", "benign-library": "lib"}[lab["label"]]
            say(f"    {lab['path'][:58]:<58} {lbl:<9}" + "".join(f" {cell(lab, results[lab['path']][t]):<{w}}"
                                                             for t in tools))
    # categories
    say()
    say("    per category: malicious rows count detections, benign rows count clean verdicts (errors are neither)")
    say(f"    {'category':<20} {'kind':<6} {'files':>5}" + "".join(f" {t:>{w}}" for t in tools))
    cats = []
    for lab in labels:
        if lab["category"] not in cats:
            cats.append(lab["category"])
    for c in cats:
        ls = [l for l in labels if l["category"] == c]
        kind = "mal" if ls[0]["malicious"] else "benign"
        row = f"    {c:<20} {kind:<6} {len(ls):>5}"
        for t in tools:
            if ls[0]["malicious"]:
                n = sum(results[l["path"]][t]["status"] == "detected" for l in ls)
            else:
                n = sum(results[l["path"]][t]["status"] in ("clean", "skipped") for l in ls)
            errs = sum(results[l["path"]][t]["status"] in ("error", "timeout") for l in ls)
            row += f" {f'{n}/{len(ls)}' + (f' e{errs}' if errs else ''):>{w}}"
        say(row)
    say()
    say("    summary")
    for t in tools:
        s = summary[t]
        parts = [f"malicious detected {s.get('mal_detected', 0)}/{s.get('mal_n', 0)}"
                 + (f" ({s.get('mal_st_error', 0) + s.get('mal_st_timeout', 0)} errors, {s.get('mal_st_skipped', 0)} not scanned)"),
                 f"benign clean {s.get('ben_clean', 0)}/{s.get('ben_n', 0)}"
                 + (f" ({s.get('ben_st_error', 0) + s.get('ben_st_timeout', 0)} errors)" if s.get('ben_st_error', 0) + s.get('ben_st_timeout', 0) else "")]
        if s.get("lib_n"):
            parts.append(f"benign-library clean {s.get('lib_clean', 0)}/{s['lib_n']}")
        if s.get("real_n"):
            parts.append(f"real model files clean {s.get('real_clean', 0)}/{s['real_n']}"
                         + (f" ({s.get('real_st_error', 0)} errors)" if s.get("real_st_error") else ""))
        if t == "warden" and s.get("named_n"):
            parts.append(f"expected callable named {s['named']}/{s['named_n']}")
        say(f"    {t:<11} " + "; ".join(parts))
        secs = sum(results[l["path"]][t]["secs"] for l in labels)
        say(f"    {'':<11} {secs:.1f} s for {len(labels)} files ({1000 * secs / len(labels):.0f} ms/file)")

    if "warden" in tools:
        say()
        say("    warden: malicious samples not detected (no finding >= medium), benign samples flagged, and")
        say("    detections whose findings do not name the expected callable:")
        n = 0
        for lab in labels:
            r = results[lab["path"]]["warden"]
            ne = names_expected(lab, r) if lab["malicious"] else None
            bad = (lab["malicious"] and r["status"] != "detected") or \
                  (not lab["malicious"] and r["status"] not in ("clean", "skipped")) or ne is False
            if not bad:
                continue
            n += 1
            what = ("MISSED" if r["status"] != "detected" else "NOT NAMED") if lab["malicious"] else "FLAGGED"
            say(f"    - {what}: {lab['path']} (expected {lab['expected'] or '-'}; {lab['note'] or lab['category']})"
                f" -> {r['status']}, exit {r['rc']}{(' ' + r['note']) if r.get('note') else ''}")
            raw = r.get("raw") or {}
            for x in raw.get("findings", [])[:6]:
                say(f"        {x['severity']:<8} {x['rule']}: {(x['message'] or '')[:220]}")
            for d in raw.get("diagnostics", [])[:3]:
                say(f"        diagnostic: {json.dumps(d)[:220]}")
            if not raw.get("findings") and not raw.get("diagnostics"):
                say("        (no findings)")
        if not n:
            say("    (none)")
    say()
    say(f"    total {elapsed:.0f} s; load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    (peers.WORK / "models-matrix.txt").write_text("\n".join(lines) + "\n")
    (peers.WORK / "models-matrix.json").write_text(json.dumps(
        {"samples": str(root), "versions": versions, "summary": summary,
         "files": [dict(lab, results=results[lab["path"]]) for lab in labels]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
