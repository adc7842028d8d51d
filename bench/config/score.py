#!/usr/bin/env python3
"""Accuracy of configuration scanners on the labeled set bench/config/accuracy/.

The set: Kubernetes manifests (k8s/), Terraform module directories (terraform/), Dockerfiles (dockerfile/),
compose files (compose/), GitHub workflows (gha/.github/workflows/) and GitLab pipelines (gitlab/), written
for this benchmark. labels.json gives, per file, the expected findings as (concept, line) and lists the clean
files; mapping.json maps each concept, per family, to the rule ids of each tool.

It is copied to bench/work/config-accuracy/, each tool scans the copy once, and per tool and family it reports:

- line recall: a label (concept, line) is found when the tool reports a rule mapped to the concept with its
  start line on that line;
- resource recall: ... when the labeled line lies within the range the tool reports for such a finding
  (checkov reports the whole resource, zizmor the spans of its locations, warden the key);
- clean files: the share of clean files with no finding of a mapped rule, and (strict) with no finding at all;
- extra: findings of mapped rules on labeled files whose reported range holds no label of a concept the rule is
  mapped to (distinct file, rule, line): findings beyond what is labeled.

  python3 bench/config/score.py [--tools warden,checkov,zizmor] [--warden PATH] [--threads N] [--verbose]
                                [--set DIR]   (default bench/config/accuracy; bench/config/accuracy-holdout: held-out set)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

HERE = peers.HERE
CORPUS = HERE / "accuracy"
FAMILY_OF_DIR = {"k8s": "k8s", "terraform": "tf", "dockerfile": "dockerfile", "compose": "compose", "gha": "gha",
                 "gitlab": "gitlab"}
FAMILIES = ["k8s", "tf", "dockerfile", "compose", "gha", "gitlab"]
ALL_TOOLS = ["warden", "checkov", "zizmor"]
# Families each tool analyses (checkov has no compose framework; zizmor reads GitHub workflows only).
APPLIES = {"warden": set(FAMILIES), "checkov": {"k8s", "tf", "dockerfile", "gha", "gitlab"}, "zizmor": {"gha"}}


def family_of(path: str) -> str | None:
    return FAMILY_OF_DIR.get(path.split("/", 1)[0])


def load_set() -> tuple[dict, list, dict]:
    """labels.json and mapping.json, checked against the files: every label's line still holds its text."""
    doc = json.loads((CORPUS / "labels.json").read_text())
    mapping = {k: v for k, v in json.loads((CORPUS / "mapping.json").read_text()).items() if not k.startswith("_")}
    files, clean = doc["files"], doc["clean"]
    errors = []
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()} - {"labels.json",
                                                                                               "mapping.json"}
    listed = set(files) | set(clean)
    for rel in sorted(on_disk - listed):
        errors.append(f"{rel}: neither labeled nor listed as clean")
    for rel in sorted(listed - on_disk):
        errors.append(f"{rel}: listed in labels.json but missing")
    for rel, labs in files.items():
        if rel not in on_disk:
            continue
        lines = (CORPUS / rel).read_text(encoding="utf-8").split("\n")
        fam = family_of(rel)
        for l in labs:
            if l["concept"] not in mapping.get(fam, {}):
                errors.append(f"{rel}:{l['line']}: concept {l['concept']} not in mapping.json[{fam}]")
            if not (1 <= l["line"] <= len(lines)) or lines[l["line"] - 1].strip() != l["text"]:
                errors.append(f"{rel}:{l['line']}: line does not hold {l['text']!r} (file edited? fix the label)")
    if errors:
        sys.exit("labels.json does not match the files:\n  " + "\n  ".join(errors))
    return files, clean, mapping


# ----------------------------------------------------------------------------- tool runners
# Each returns (list of findings {path, rule, start, end}, note, seconds), or (None, note, 0) when n/a.

def run(cmd, cwd, env=None, timeout=1800):
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def run_warden(target: Path, out_dir: Path, args) -> tuple:
    exe = Path(args.warden)
    if not exe.exists():
        return None, f"n/a: {exe} not built (cargo build --release)", 0
    out = out_dir / "warden.json"
    out.unlink(missing_ok=True)
    p, secs = run(peers.warden_cmd(str(exe), target, out, args.threads), cwd=target,
                  env=dict(os.environ, **peers.WARDEN_ENV))
    (out_dir / "warden.log").write_text(p.stdout + p.stderr)
    if p.returncode not in (0, 1, 2) or not out.exists():
        msg = (p.stderr.strip().splitlines() or ["?"])[-1][:100]
        return None, f"n/a: warden failed (exit {p.returncode}: {msg})", 0
    data = json.loads(out.read_text())
    found = []
    for f in data.get("findings", []):
        loc = f.get("location", {})
        start = loc.get("start_line") or 0
        found.append({"path": loc.get("path", "").removeprefix("./"), "rule": f.get("rule_id", "?"),
                      "start": start, "end": loc.get("end_line") or start})
    diags = data.get("diagnostics", [])
    note = f"{len(diags)} diagnostics (see warden.json)" if diags else ""
    return found, note, secs


def run_checkov(target: Path, out_dir: Path, args) -> tuple:
    exe = peers.tool_bin("checkov")
    if not exe:
        return None, "n/a: checkov not installed (bench/run.sh --only config-accuracy installs it)", 0
    res_dir = out_dir / "checkov"
    shutil.rmtree(res_dir, ignore_errors=True)
    fams = [f for f in FAMILIES if f in APPLIES["checkov"]]
    p, secs = run(peers.checkov_cmd(exe, target, fams, res_dir), cwd=target, env=peers.checkov_env(args.threads))
    (out_dir / "checkov.log").write_text(p.stdout + p.stderr)
    out = res_dir / "results_json.json"
    if not out.exists():
        return None, f"n/a: checkov failed (exit {p.returncode}, see {out_dir}/checkov.log)", 0
    data = json.loads(out.read_text())
    reports = data if isinstance(data, list) else [data]
    found, seen, parse_errors = [], set(), 0
    for rep in reports:
        parse_errors += rep.get("summary", {}).get("parsing_errors", 0)
        for c in rep.get("results", {}).get("failed_checks", []):
            rel = c["file_path"].lstrip("/")
            start, end = (c.get("file_line_range") or [0, 0])[:2]
            key = (rel, c["check_id"], start, end)
            if key in seen:  # a module's resources are reported once per caller and once on their own
                continue
            seen.add(key)
            found.append({"path": rel, "rule": c["check_id"], "start": start, "end": end})
    note = f"{parse_errors} parsing errors" if parse_errors else ""
    return found, note, secs


def run_zizmor(target: Path, out_dir: Path, args) -> tuple:
    exe = peers.tool_bin("zizmor")
    if not exe:
        return None, "n/a: zizmor not installed (bench/run.sh --only config-accuracy installs it)", 0
    p, secs = run(peers.zizmor_cmd(exe, Path("gha")), cwd=target)
    (out_dir / "zizmor.json").write_text(p.stdout)
    (out_dir / "zizmor.log").write_text(p.stderr)
    # exit 0: nothing found; 10-14: findings of the highest severity 10+n; anything else is a failure
    if p.returncode not in (0, 10, 11, 12, 13, 14):
        return None, f"n/a: zizmor failed (exit {p.returncode}, see {out_dir}/zizmor.log)", 0
    found = []
    for f in json.loads(p.stdout or "[]"):
        prim, spans = None, []
        for loc in f.get("locations", []):
            c = loc.get("concrete", {}).get("location", {})
            s, e = c.get("start_point", {}).get("row"), c.get("end_point", {}).get("row")
            if s is None:
                continue
            path = loc["symbolic"]["key"].get("Local", {}).get("given_path") or \
                loc["symbolic"]["key"].get("Local", {}).get("verbatim_path", "")
            spans.append((path.removeprefix("./"), s + 1, (e if e is not None else s) + 1))
            if loc["symbolic"].get("kind") == "Primary" and prim is None:
                prim = spans[-1]
        if prim is None:
            continue
        found.append({"path": prim[0], "rule": f["ident"], "start": prim[1], "end": prim[2],
                      "spans": [(s, e) for p_, s, e in spans if p_ == prim[0]]})
    return found, "", secs


RUNNERS = {"warden": run_warden, "checkov": run_checkov, "zizmor": run_zizmor}


# ----------------------------------------------------------------------------- scoring

def covers(f: dict, line: int) -> bool:
    spans = f.get("spans") or [(f["start"], f["end"])]
    return any(s <= line <= max(s, e) for s, e in spans)


def score_family(tool: str, fam: str, found: list, files: dict, clean: list, mapping: dict) -> dict:
    concepts = mapping[fam]
    rule_concepts = defaultdict(set)  # rule id -> concepts it is mapped to in this family
    for c, m in concepts.items():
        for r in m.get(tool, []):
            rule_concepts[r].add(c)
    fam_files = {p: l for p, l in files.items() if family_of(p) == fam}
    fam_clean = [p for p in clean if family_of(p) == fam]
    by_file = defaultdict(list)
    for f in found:
        if family_of(f["path"]) == fam:
            by_file[f["path"]].append(f)
    labels = [(p, l["line"], l["concept"]) for p, ls in fam_files.items() for l in ls]
    line_hit, res_hit, misses = 0, 0, []
    for p, line, c in labels:
        cands = [f for f in by_file.get(p, []) if c in rule_concepts.get(f["rule"], ())]
        lh = any(f["start"] == line for f in cands)
        rh = lh or any(covers(f, line) for f in cands)
        line_hit += lh
        res_hit += rh
        if not lh:
            misses.append((p, line, c, "resource-level hit" if rh else
                           ("no mapped rule" if not any(concepts[c].get(tool)) else "")))
    extras = set()
    for p, labs in fam_files.items():
        for f in by_file.get(p, []):
            cs = rule_concepts.get(f["rule"])
            if cs and not any(l["concept"] in cs and covers(f, l["line"]) for l in labs):
                extras.add((p, f["rule"], f["start"]))
    clean_mapped = sum(not any(f["rule"] in rule_concepts for f in by_file.get(p, [])) for p in fam_clean)
    clean_strict = sum(not by_file.get(p) for p in fam_clean)
    noisy_clean = {p: sorted({f["rule"] for f in by_file.get(p, [])}) for p in fam_clean if by_file.get(p)}
    return {"labels": len(labels), "line": line_hit, "res": res_hit, "clean": len(fam_clean),
            "clean_mapped": clean_mapped, "clean_strict": clean_strict, "extra": sorted(extras),
            "misses": misses, "noisy_clean": noisy_clean,
            "mapped_concepts": sum(bool(m.get(tool)) for m in concepts.values()), "concepts": len(concepts)}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    -"


def main() -> int:
    global CORPUS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--warden", default=str(peers.REPO / "target" / "release" / "warden"))
    ap.add_argument("--threads", "--jobs", dest="threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="accepted for run.sh; the set is small either way")
    ap.add_argument("--runs", type=int, help="accepted for run.sh; ignored")
    ap.add_argument("--verbose", "-v", action="store_true", help="list misses, extra findings and noisy clean files")
    ap.add_argument("--no-install", action="store_true", help="do not create/update bench/work/config-venv")
    ap.add_argument("--set", dest="set_dir", default=str(CORPUS),
                    help="labeled set to score (default: %(default)s; the held-out set is bench/config/accuracy-holdout)")
    args = ap.parse_args()
    CORPUS = Path(args.set_dir).resolve()
    # work/report names follow the set: config-accuracy* for the default set, config-accuracy-holdout* for the holdout
    tag = f"config-{CORPUS.name}"
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t not in RUNNERS:
            sys.exit(f"unknown tool {t}; known: {', '.join(ALL_TOOLS)}")
    files, clean, mapping = load_set()
    if not args.no_install and any(t in ("checkov", "zizmor") for t in tools):
        peers.ensure_venv()

    target = peers.WORK / tag
    out_dir = peers.WORK / f"{tag}-out"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("labels.json", "mapping.json"))
    out_dir.mkdir(parents=True, exist_ok=True)

    results = {t: RUNNERS[t](target, out_dir, args) for t in tools}
    versions = {"warden": "", "checkov": "", "zizmor": ""}
    if "checkov" in tools and peers.tool_bin("checkov"):
        versions["checkov"] = peers.tool_version(peers.tool_bin("checkov"), "--version")
    if "zizmor" in tools and peers.tool_bin("zizmor"):
        versions["zizmor"] = peers.tool_version(peers.tool_bin("zizmor"), "--version")

    lines = []
    say = lambda s="": (print(s), lines.append(s))
    n_labels = sum(len(v) for v in files.values())
    n_cases = len([p for p, v in files.items() if v])
    shown = CORPUS.relative_to(peers.REPO) if CORPUS.is_relative_to(peers.REPO) else CORPUS
    say(f"=== config accuracy: {shown}: {n_cases} labeled files ({n_labels} labels, "
        f"{sum(len(v) for k, v in mapping.items())} concepts), {len(clean)} clean files")
    say("    " + ", ".join(f"{fam}: {sum(1 for p, v in files.items() if v and family_of(p) == fam)} files / "
                          f"{sum(len(v) for p, v in files.items() if family_of(p) == fam)} labels / "
                          f"{sum(1 for p in clean if family_of(p) == fam)} clean" for fam in FAMILIES))
    say("    line = labeled line reported by a mapped rule; resource = labeled line within the reported range; "
        "clean = clean files without a mapped finding / without any finding; extra = mapped findings "
        "whose range holds no label of their concepts")
    for t in tools:
        found, note, secs = results[t]
        v = f" {versions[t]}" if versions.get(t) else ""
        say(f"    {t}{v}: " + (f"{len(found)} findings in {secs:.1f}s" if found is not None else "") +
            (f" {note}" if note else ""))
    say()
    say("    family      tool      concepts  line recall       resource recall   clean (mapped)  clean (strict)  extra")
    say("    ----------  --------  --------  ----------------  ----------------  --------------  --------------  -----")
    scores = {}
    for fam in FAMILIES + ["all"]:
        for t in tools:
            found = results[t][0]
            if found is None:
                continue
            if fam == "all":
                parts = [scores[(t, f)] for f in FAMILIES if (t, f) in scores]
                tot = lambda k: sum(p[k] for p in parts)
                n_lab = sum(len(v) for v in files.values())
                s = {"labels": n_lab, "line": tot("line"), "res": tot("res"), "clean": len(clean),
                     "clean_mapped": tot("clean_mapped") if len(parts) == len(FAMILIES) else None,
                     "clean_strict": tot("clean_strict") if len(parts) == len(FAMILIES) else None,
                     "extra": [x for p in parts for x in p["extra"]], "mapped_concepts": tot("mapped_concepts"),
                     "concepts": sum(len(v) for v in mapping.values())}
            elif fam not in APPLIES[t]:
                continue
            else:
                s = score_family(t, fam, found, files, clean, mapping)
                scores[(t, fam)] = s
            cm = (f"{s['clean_mapped']:>2}/{s['clean']:<2} {pct(s['clean_mapped'], s['clean'])}"
                  if s["clean_mapped"] is not None else "     n/a")
            cs = (f"{s['clean_strict']:>2}/{s['clean']:<2} {pct(s['clean_strict'], s['clean'])}"
                  if s["clean_strict"] is not None else "     n/a")
            say(f"    {fam:<10}  {t:<8}  {s['mapped_concepts']:>3}/{s['concepts']:<4}  "
                f"{s['line']:>3}/{s['labels']:<3} {pct(s['line'], s['labels'])}  "
                f"{s['res']:>3}/{s['labels']:<3} {pct(s['res'], s['labels'])}  {cm:<14}  {cs:<14}  {len(s['extra']):>5}")
        if fam != "all":
            say()
    say("    (all: over every label, so a tool is charged for the families it does not read; checkov reads no "
        "compose files, zizmor only GitHub workflows. concepts = concepts with at least one mapped rule.)")

    if args.verbose:
        for t in tools:
            if results[t][0] is None:
                continue
            say()
            say(f"--- {t}")
            for fam in FAMILIES:
                s = scores.get((t, fam))
                if not s:
                    continue
                for p, line, c, why in s["misses"]:
                    say(f"    miss   {p}:{line} [{c}] {why}")
                for p, r, line in s["extra"]:
                    say(f"    extra  {p}:{line} {r}")
                for p, rules in s["noisy_clean"].items():
                    say(f"    clean  {p}: {', '.join(rules)}")
    (peers.WORK / f"{tag}-report.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
