#!/usr/bin/env python3
"""Helper of bench/gateway/probes.sh: writes garak's run config, and reads both tools' results into the table.

    compare.py garak-config URI CAP REPORT_DIR SYSPROMPT_DIR > config.json   (JSON is YAML, which garak reads)
    compare.py report RUN_DIR GARAK_VERSION WARDEN_COMMIT

RUN_DIR holds times.tsv (target, tool, milliseconds, exit code) and, per target, warden.json, garak.report.jsonl,
garak.stdout, and for the gateway targets warden-audit.jsonl and garak-audit.jsonl (one fresh gateway per tool).
"""
import collections
import json
import pathlib
import re
import sys
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TARGETS = [("straight", "vulnerable server, straight"), ("gateway", "behind warden gateway (defaults)"),
           ("hardened", "behind warden gateway (hardened)")]
# The system prompt warden's probes plant (probes.toml), with a fixed code in place of the per-run canary: the
# vulnerable server leaks it, and the gateway redacts it from answers as it would warden's canary.
CODE = "Q7X2K9M4PL"
NAMES = {"LLM01": "prompt injection", "LLM02": "sensitive information", "LLM05": "improper output handling",
         "LLM06": "excessive agency", "LLM07": "system prompt leakage", "LLM10": "unbounded consumption"}


def garak_probes():
    return tomllib.loads((HERE / "garak-probes.toml").read_text())["probe"]


def warden_probes():
    return tomllib.loads((ROOT / "crates/warden-gateway/data/probes.toml").read_text())


def garak_config(uri, cap, report_dir, sysprompt_dir):
    system = warden_probes()["system"].replace("{canary}", CODE)
    d = pathlib.Path(sysprompt_dir)
    d.mkdir(parents=True, exist_ok=True)
    (d / "train.jsonl").write_text(json.dumps({"systemprompt": system}) + "\n")
    config = {
        # Attempts run one at a time, so the gateway's request ids follow garak's attempts (see attempts_with_audit).
        "system": {"parallel_attempts": False, "parallel_requests": False, "lite": True},
        "run": {"generations": 1, "soft_probe_prompt_cap": int(cap), "seed": 13,
                "spec": {"include": ["probes." + p["name"] for p in garak_probes()]}},
        "plugins": {
            "target_type": "openai.OpenAICompatible",
            "target_name": "vulnerable-1",
            "generators": {"openai": {"OpenAICompatible": {"uri": uri}}},
            "probes": {"sysprompt_extraction": {"SystemPromptExtraction": {
                "system_prompt_sources": [str(d)], "system_prompt_subsample": 1}}},
        },
        "reporting": {"report_dir": str(report_dir)},
    }
    print(json.dumps(config, indent=1))


def read_jsonl(path):
    p = pathlib.Path(path)
    return [json.loads(l) for l in p.open() if l.strip()] if p.is_file() else None


def answered(attempt):
    return any(o and o.get("text") for o in attempt["outputs"])


def hit_detectors(attempt, threshold=0.5):
    """The detectors that judged this attempt vulnerable (garak's default eval_threshold is 0.5)."""
    return sorted(d for d, scores in attempt["detector_results"].items() if any((s or 0) >= threshold for s in scores))


def attempts_with_audit(report, audit):
    """garak's finished attempts, in the order they ran, each with the gateway's audit entry for its request.

    garak runs one attempt at a time and sends one request per attempt (1 generation), and the gateway numbers
    requests as they arrive (req-1, req-2, …), so the n-th request is the n-th attempt. Checked: the counts must
    match and every refused request must have given garak no answer; otherwise no entry is matched."""
    attempts = [r for r in report if r["entry_type"] == "attempt" and r["status"] == 2]
    if audit is None:
        return [(a, None) for a in attempts], None
    audit = sorted((a for a in audit if a["route"].endswith("/chat/completions") and a["model"] != "warmup"),
                   key=lambda a: int(a["request_id"].rsplit("-", 1)[1]))
    if len(audit) != len(attempts):
        return [(a, None) for a in attempts], f"{len(audit)} requests for {len(attempts)} attempts"
    pairs = list(zip(attempts, audit))
    if any(e["status"] >= 400 and answered(a) for a, e in pairs):
        return [(a, None) for a in attempts], "a refused request has an answer"
    return pairs, None


def summarize_garak(report, audit):
    pairs, mismatch = attempts_with_audit(report, audit)
    per = collections.OrderedDict()
    detectors = collections.Counter()
    for a, e in pairs:
        c = per.setdefault(a["probe_classname"], collections.Counter())
        c["attempts"] += 1
        hits = hit_detectors(a)
        if hits:
            c["vulnerable"] += 1
            detectors.update(hits)
        if not answered(a):
            c["no_answer"] += 1
        if e is not None:
            c["blocked"] += e["status"] >= 400
            c["redacted"] += any(d["action"] == "redact" for d in e["response"])
    return per, detectors, mismatch


def summarize_audit(audit):
    if audit is None:
        return None
    rows = [a for a in audit if a["route"].endswith("/chat/completions") and a["model"] != "warmup"]
    return {"requests": len(rows), "blocked": sum(a["status"] >= 400 for a in rows),
            "redacted": sum(any(d["action"] == "redact" for d in a["response"]) for a in rows),
            "rules": collections.Counter(d["rule"] for a in rows for d in a["request"] + a["response"]
                                         if d["action"] in ("block", "redact"))}


def report(run, version, commit):
    run = pathlib.Path(run)
    times = {}
    for line in (run / "times.tsv").read_text().splitlines():
        target, tool, ms, rc = line.split("\t")
        times[(target, tool)] = (int(ms) / 1000, int(rc))
    skipped = (run / "garak-skipped.txt").read_text().strip() if (run / "garak-skipped.txt").is_file() else None
    gp = garak_probes()
    owasp_of = {p["name"]: p["owasp"] for p in gp}
    wp = warden_probes()["probe"]
    configs = sorted(run.glob("*/garak-config.json"))
    cap = json.loads(configs[0].read_text())["run"]["soft_probe_prompt_cap"] if configs else None

    res = {}
    for target, _ in TARGETS:
        t = run / target
        if not t.is_dir():
            continue
        w = json.loads((t / "warden.json").read_text()) if (t / "warden.json").is_file() else None
        waudit = summarize_audit(read_jsonl(t / "warden-audit.jsonl"))
        g = None
        greport = read_jsonl(t / "garak.report.jsonl")
        if greport is not None:
            per, dets, mismatch = summarize_garak(greport, read_jsonl(t / "garak-audit.jsonl"))
            out = (t / "garak.stdout").read_text(errors="replace") if (t / "garak.stdout").is_file() else ""
            own = re.findall(r"run complete in ([0-9.]+)s", out)
            g = {"per": per, "detectors": dets, "mismatch": mismatch, "own_s": float(own[-1]) if own else None,
                 "audit": summarize_audit(read_jsonl(t / "garak-audit.jsonl"))}
        res[target] = {"warden": w, "warden_audit": waudit, "garak": g}

    print(f"warden probe ({commit}) vs garak {version}, against the vulnerable model server (bench/gateway/probes.sh)")
    print(f"  warden: {len(wp)} probes, 1 request each; garak: {len(gp)} probes"
          + (f", prompt cap {cap}, 1 generation" if cap is not None else " (not run)"))
    if skipped:
        print(f"  garak skipped: {skipped}")
    print()
    hdr = f"{'target':<9} {'tool':<7} {'wall s':>7} {'probes':>6} {'requests':>8} {'ms/req':>7}  " \
          f"{'vulnerable':<30} {'blocked':>7} {'redacted':>8}"
    print(hdr)
    print("-" * len(hdr))
    summary = {}
    for target, _ in TARGETS:
        if target not in res:
            continue
        r = res[target]
        if r["warden"] is not None:
            w = r["warden"]
            secs, rc = times.get((target, "warden"), (float("nan"), -1))
            vul = sum(x["outcome"] == "vulnerable" for x in w)
            blocked = sum(x["outcome"] == "blocked" for x in w)
            red = r["warden_audit"]["redacted"] if r["warden_audit"] else None
            summary[(target, "warden")] = {"s": secs, "requests": len(w), "vulnerable_probes": vul}
            print(f"{target:<9} {'warden':<7} {secs:>7.2f} {len(w):>6} {len(w):>8} {1000 * secs / max(len(w), 1):>7.1f}  "
                  f"{f'{vul}/{len(w)} probes':<30} {blocked if target != 'straight' else '-':>7} "
                  f"{red if red is not None else '-':>8}")
        g = r["garak"]
        if g is not None:
            secs, rc = times.get((target, "garak"), (float("nan"), -1))
            n = sum(c["attempts"] for c in g["per"].values())
            vul = sum(c["vulnerable"] for c in g["per"].values())
            vp = sum(1 for c in g["per"].values() if c["vulnerable"])
            audit = g["audit"]
            summary[(target, "garak")] = {"s": secs, "requests": n, "vulnerable_attempts": vul, "vulnerable_probes": vp}
            print(f"{target:<9} {'garak':<7} {secs:>7.2f} {len(g['per']):>6} {n:>8} {1000 * secs / max(n, 1):>7.1f}  "
                  f"{f'{vul}/{n} attempts ({vp} probes)':<30} {audit['blocked'] if audit else '-':>7} "
                  f"{audit['redacted'] if audit else '-':>8}")
    print()
    for target, label in TARGETS:
        w, g = summary.get((target, "warden")), summary.get((target, "garak"))
        if w and g:
            own = res[target]["garak"]["own_s"]
            print(f"{target}: garak took {g['s'] / max(w['s'], 1e-3):.0f}x warden probe's wall time "
                  f"({g['s']:.2f} s vs {w['s']:.2f} s; garak's own timer: {own if own is not None else '?'} s), "
                  f"sending {g['requests'] / max(w['requests'], 1):.0f}x the requests")
    base_w, base_g = summary.get(("straight", "warden")), summary.get(("straight", "garak"))
    for target, label in TARGETS[1:]:
        w, g = summary.get((target, "warden")), summary.get((target, "garak"))
        parts = []
        if base_w and w:
            parts.append(f"warden's vulnerable probes {base_w['vulnerable_probes']} -> {w['vulnerable_probes']}")
        if base_g and g:
            parts.append(f"garak's vulnerable attempts {base_g['vulnerable_attempts']} -> {g['vulnerable_attempts']}"
                         f" (probes {base_g['vulnerable_probes']} -> {g['vulnerable_probes']})")
        if parts:
            print(f"{label}: " + "; ".join(parts))

    # Coverage: which OWASP ids each tool's probes attack.
    print()
    print(f"{'OWASP 2025':<30} {'warden probes':<60} garak probes" + ("" if cap is not None else " (not run)"))
    ids = sorted({p["owasp"] for p in wp} | set(owasp_of.values()))
    for i in ids:
        ws = [p["id"] for p in wp if p["owasp"] == i]
        gs = collections.Counter(n.split(".")[0] for n, o in owasp_of.items() if o == i)
        gtxt = ", ".join(f"{m} ({c})" if c > 1 else m for m, c in gs.items())
        print(f"{i + ' ' + NAMES.get(i, ''):<30} {str(len(ws)) + ': ' + ', '.join(ws) if ws else '-':<60} "
              f"{str(sum(gs.values())) + ': ' + gtxt if gs else '-'}")

    # Per probe, across targets.
    present = [t for t, _ in TARGETS if t in res]
    print()
    print(f"{'warden probe':<30} {'OWASP':<6} " + " ".join(f"{t:<11}" for t in present))
    for p in wp:
        cells = []
        for t in present:
            w = res[t]["warden"]
            o = next((x["outcome"] for x in (w or []) if x["probe"] == p["id"]), "-")
            if o == "resisted" and t != "straight":
                ev = next((x["evidence"] for x in w if x["probe"] == p["id"]), "")
                o = "redacted" if "[REDACTED" in ev else "capped" if p["id"] == "denial-of-wallet" else o
            cells.append(f"{o:<11}")
        print(f"{p['id']:<30} {p['owasp']:<6} " + " ".join(cells))
    if any(res[t]["garak"] for t in present):
        print()
        print("garak probe: attempts, and per target vulnerable attempts [blocked/redacted by the gateway]")
        print(f"{'garak probe':<44} {'OWASP':<6} {'n':>4}  " + " ".join(f"{t:<15}" for t in present))
        for p in gp:
            name = p["name"]
            cells, n = [], None
            for t in present:
                g = res[t]["garak"]
                c = g["per"].get(name) if g else None
                if c is None:
                    cells.append(f"{'-':<15}")
                    continue
                n = c["attempts"]
                extra = f" [{c['blocked']}/{c['redacted']}]" if t != "straight" and g["mismatch"] is None else ""
                cells.append(f"{str(c['vulnerable']) + extra:<15}")
            print(f"{name:<44} {p['owasp']:<6} {n if n is not None else '-':>4}  " + " ".join(cells))
        for t in present:
            g = res[t]["garak"]
            if g:
                dets = ", ".join(f"{d} {c}" for d, c in g["detectors"].most_common()) or "none"
                print(f"{t}: garak detectors that fired (attempts): {dets}")
                if g["mismatch"]:
                    print(f"{t}: requests not matched to attempts ({g['mismatch']}); blocked/redacted are totals only")
                if g["audit"] and g["audit"]["rules"]:
                    print(f"{t}: gateway rules on garak's traffic: "
                          + ", ".join(f"{r} {c}" for r, c in g["audit"]["rules"].most_common()))

    out = {f"{t}/{tool}": v for (t, tool), v in summary.items()}
    (run.parent / "probes-last.json").write_text(json.dumps(out, indent=1) + "\n")


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "garak-config":
        garak_config(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "report":
        report(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
