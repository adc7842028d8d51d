#!/usr/bin/env python3
"""AI inventory (AI-BOM) benchmark: warden vs cdxgen on the fixture tests/fixtures/ai-platform/.

What it does
  1. Copies the fixture to a temporary directory (`<tmp>/ai-platform/`), leaves out the oracle
     `expected-inventory.md` (the answer key is not part of the repository being inventoried) and writes
     `models/churn-classifier.pkl` there: a 60-byte pickle-protocol-2 opcode stream built by hand (a GLOBAL
     naming scikit-learn's LogisticRegression, NEWOBJ, an empty state dict, BUILD, STOP). It is never loaded.
     No git repository is created: nothing used below reads git (see --include-formulation below).
  2. Runs cdxgen (installed into bench/work/cdxgen/ by bench/inventory/peers.sh) and warden
     (`WARDEN inventory DIR --format json`), each --runs times (default 3); the last run's output is scored and
     the best wall time is reported.
  3. Scores both against ORACLE (the 20 AI assets of expected-inventory.md) with one lenient matcher, and looks
     for the "facts that matter" (FACTS) in each tool's output.

cdxgen options (tried on 12.8.4, this fixture, 2 cores; the choice is the one with the most AI assets):
  no -t (auto-detect)            11 pypi libraries from requirements.txt, nothing AI-specific.
  -t python                      the same 11 libraries.
  -t ai                          cdxgen's AI inventory (Python/JS source + Modelfile): machine-learning-model
                                 components gpt-4o-mini, claude-3-5-sonnet-20241022, text-embedding-3-small,
                                 cardiffnlp/twitter-roberta-base-sentiment, llama3.1:8b, plus inference services.
  -t mcp                         the MCP config: services filesystem and postgres.
  -t python -t ai -t mcp         the union of the three above in one BOM: the best single invocation.
  -t universal (or kubernetes)   container images and services from the k8s manifests (vllm/vllm-openai...).
                                 A multi-type run (-t python -t ai -t mcp -t universal) drops these, so they
                                 need a second invocation.
  --profile ml / ml-deep         forces dependency installation even with --no-install-deps: pip installs every
                                 requirements.txt into a temporary venv (torch + CUDA wheels via
                                 sentence-transformers: ~6 GB, ~6 min here) and reports 120 libraries, but with
                                 -t python no AI inventory at all (no machine-learning-model components).
  --include-formulation          adds only a list of every git-tracked file with its blob id, plus tool
                                 metadata; matching file names from a file listing is not discovery (`ls`
                                 would score the same), so it is not used and the copy is not a git repo.
  --bom-audit --bom-audit-categories ai-inventory (hidden option)
                                 no audit finding on this fixture; its predictive audit queries PyPI for
                                 every library. Not used.
  --install-deps (the default)   pip-installs the requirements (the same 6 GB) for transitive libraries,
                                 none of which is an oracle asset, so --no-install-deps is passed.
So cdxgen runs twice per measurement and its BOMs are merged (wall time = the sum of both):
  cdxgen -t python -t ai -t mcp --no-install-deps -o OUT1 DIR
  cdxgen -t universal --no-install-deps -o OUT2 DIR
The report also gives the score of the first invocation alone.

Lenient matching (the same for both tools): every component/service/asset becomes an item with a set of kinds
(cdxgen: component type, cdx:ai:kind, cdx:file:kind, cdx:mcp:serviceType; warden: the asset's kind, "library"
for its `components`) and a lower-cased text (type/kind, group, name, version, purl, description, and its
properties as "key=value", except file paths). A keyword finds an asset when it is a substring of one item's
text; "re:..." is a regular expression; a tuple needs all its parts on the same item, where "kind:a|b" means
the item has kind a or b. Facts are regular expressions searched in all of a tool's text (items, warden's risk
reasons, OWASP/ATLAS ids and `findings`, cdxgen's annotations).

  python3 bench/inventory/compare.py [--warden PATH] [--cdxgen PATH] [--runs 3] [--timeout 600] [--keep]
                                     [--verbose]
WARDEN defaults to $WARDEN, else target/release/warden, else $CARGO_TARGET_DIR/release/warden.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
WORK = BENCH / "work"
OUT = WORK / "inventory"
FIXTURE = REPO / "crates" / "warden" / "tests" / "fixtures" / "ai-platform"
PEERS_SH = HERE / "peers.sh"
# Any fixed key: fingerprints are not compared, and a fixed key keeps warden from writing .warden/hash-key.
WARDEN_ENV = {"WARDEN_HASH_KEY": "00" * 32}

# A scikit-learn-shaped pickle, protocol 2, as raw opcodes: PROTO 2, GLOBAL sklearn.linear_model._logistic
# LogisticRegression, BINPUT 0, EMPTY_TUPLE, NEWOBJ, BINPUT 1, EMPTY_DICT, BINPUT 2, BUILD, STOP. Written as
# bytes; nothing here imports pickle or loads it.
PICKLE_BYTES = b"\x80\x02csklearn.linear_model._logistic\nLogisticRegression\nq\x00)\x81q\x01}q\x02b."

CDXGEN_RUNS = [
    ["-t", "python", "-t", "ai", "-t", "mcp", "--no-install-deps"],
    ["-t", "universal", "--no-install-deps"],
]

LIB = "kind:library|framework"
# The 20 AI assets of expected-inventory.md: (kind, asset, keywords). Dependencies are one row of the oracle
# table; openai, langchain*, sentence-transformers and transformers count as four assets here (pinecone is
# covered by the vector-store row).
ORACLE: list[tuple[str, str, list]] = [
    ("llm-client", "OpenAI chat client (gpt-4o-mini)", ["openai", "gpt-4o-mini"]),
    ("llm-client", "OpenAI embeddings (text-embedding-3-small)", ["text-embedding-3-small", "openaiembeddings"]),
    ("llm-client", "Anthropic client (claude-3-5-sonnet)", ["anthropic", "claude-3-5-sonnet"]),
    ("model", "sentence-transformers/all-MiniLM-L6-v2", ["all-minilm-l6-v2"]),
    ("model", "cardiffnlp/twitter-roberta-base-sentiment", ["twitter-roberta-base-sentiment"]),
    ("model", "models/churn-classifier.pkl", ["churn-classifier.pkl"]),
    ("model", "llama3.1:8b (Ollama Modelfile)", ["llama3.1"]),
    ("vector-store", "Pinecone index customer-support", ["pinecone", "customer-support"]),
    ("dataset", "PostgreSQL table customers", [("kind:dataset|data", "customers"), "customers table",
                                                "table customers"]),
    ("agent", "LangChain agent (tickets)", [("kind:agent",), "initialize_agent", "zero_shot_react",
                                           "langchain agent"]),
    ("tool", "ShellTool", ["shelltool", ("kind:tool", "shell")]),
    ("tool", "SQLDatabaseToolkit", ["sqldatabasetoolkit", "sql database toolkit", ("kind:tool", "sql")]),
    ("mcp-server", "MCP filesystem (/srv/shared)", ["server-filesystem",
                                                    ("kind:mcp-server|configured-server", "filesystem")]),
    ("mcp-server", "MCP postgres (operations)", ["server-postgres",
                                                 ("kind:mcp-server|configured-server", "postgres")]),
    ("workload", "vLLM: meta-llama/Llama-3.1-8B-Instruct", ["vllm", "llama-3.1-8b-instruct"]),
    ("workload", "SageMaker endpoint churn", [("sagemaker", "endpoint"), "sagemaker"]),
    ("dependency", "openai (SDK)", [(LIB, "openai")]),
    ("dependency", "langchain*", [(LIB, "langchain")]),
    ("dependency", "sentence-transformers", [(LIB, "sentence-transformers")]),
    ("dependency", "transformers", [(LIB, r"re:(?<![\w-])transformers")]),
]

# Facts from the oracle's last column: regular expressions over all of a tool's output text.
FACTS: list[tuple[str, list[str]]] = [
    ("public exposure (LoadBalancer)", [r"\bpublic\b", r"loadbalancer", r"internet[- ]facing",
                                        r"exposed to the internet"]),
    ("unpinned model / package", [r"unpinned", r"not pinned", r"no revision", r"without (a )?revision",
                                  r"floating (tag|version)"]),
    ("sensitive data (PII)", [r"\bpii\b", r"sensitive", r"personal data", r"personally identifiable"]),
    ("hard-coded key", [r"hard-?coded", r"hard coded", r"literal (api )?key", r"key in (source|code)"]),
    ("dangerous agent tools", [r"shelltool", r"shell tool", r"shell command", r"excessive agency",
                               r"\bllm0?6\b", r"\bllm08\b"]),
    ("privileged / cluster-admin", [r"cluster-admin", r"\bprivileged\b"]),
    ("pickle (code on load)", [r"pickle", r"deserializ", r"code (execution )?on load"]),
]

PATH_KEYS = re.compile(r"(^|[:_.-])(srcfile|path|file|filename|location)$", re.I)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Item:
    __slots__ = ("label", "kinds", "text")

    def __init__(self, label: str, kinds: set[str], text: str):
        self.label = label
        self.kinds = {k.lower() for k in kinds if k}
        self.text = text.lower()


def flatten(value, key: str = "") -> list[str]:
    """key=value strings of a JSON value, recursively; values of path-like keys are left out."""
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += flatten(v, str(k))
    elif isinstance(value, list):
        for v in value:
            out += flatten(v, key)
    elif value is not None and not PATH_KEYS.search(key):
        out.append(f"{key}={value}" if key else str(value))
    return out


# ---------------------------------------------------------------------------------------------------- cdxgen


def cdx_props(obj: dict) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for p in obj.get("properties") or []:
        if isinstance(p, dict) and "name" in p:
            props.setdefault(str(p["name"]), []).append(str(p.get("value", "")))
    return props


def cdx_item(obj: dict, default_kind: str) -> Item:
    props = cdx_props(obj)
    kinds = {str(obj.get("type") or default_kind)}
    for key in ("cdx:ai:kind", "cdx:file:kind", "cdx:mcp:serviceType"):
        kinds.update(props.get(key, []))
    parts = [str(obj.get(k) or "") for k in ("type", "group", "name", "version", "purl", "description")]
    parts += flatten(obj.get("endpoints") or [])
    for name, values in props.items():
        if not PATH_KEYS.search(name):
            parts += [f"{name}={v}" for v in values]
    label = "/".join(x for x in (obj.get("group"), obj.get("name")) if x) or "?"
    return Item(label, kinds | ({default_kind} if default_kind == "service" else set()), " ".join(parts))


def walk_components(comps, out: list[Item], skip_files: bool = False) -> None:
    for c in comps or []:
        if not isinstance(c, dict):
            continue
        if not (skip_files and c.get("type") == "file"):
            out.append(cdx_item(c, "library"))
        walk_components(c.get("components"), out, skip_files)


def cdxgen_items(boms: list[dict]) -> tuple[list[Item], str, dict]:
    """Items of the merged BOMs, extra text for facts (annotations), and counts by component type."""
    items: list[Item] = []
    extra: list[str] = []
    for bom in boms:
        walk_components(bom.get("components"), items)
        for s in bom.get("services") or []:
            if isinstance(s, dict):
                items.append(cdx_item(s, "service"))
        # Formulation (only with --include-formulation, not used): its `file` components are a listing of the
        # git tree and are skipped; anything else counts.
        for f in bom.get("formulation") or []:
            if isinstance(f, dict):
                walk_components(f.get("components"), items, skip_files=True)
        for a in bom.get("annotations") or []:
            if isinstance(a, dict):
                extra.append(str(a.get("text", "")))
    counts: dict[str, int] = {}
    seen = set()
    for bom in boms:
        for c in bom.get("components") or []:
            key = (c.get("type"), c.get("group"), c.get("name"), c.get("version"))
            if key not in seen:
                seen.add(key)
                counts[str(c.get("type"))] = counts.get(str(c.get("type")), 0) + 1
        n = len({s.get("name") for s in bom.get("services") or [] if isinstance(s, dict)})
        counts["service"] = counts.get("service", 0) + n
    return items, " ".join(extra).lower(), counts


def cdxgen_version(exe: str) -> str:
    pkg = Path(exe).resolve().parent.parent / "package.json"
    try:
        return json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        pass
    p = subprocess.run([exe, "--version"], capture_output=True, text=True)
    m = re.search(r"(\d+\.\d+\.\d+)", p.stdout + p.stderr)
    return m.group(1) if m else "?"


def run_cdxgen(exe: str, target: Path, runs: int, timeout: float) -> dict:
    env = dict(os.environ)
    env.pop("CDXGEN_DEBUG_MODE", None)
    res = {"ok": False, "times": [], "first_times": [], "boms": [], "error": "",
           "cmds": [" ".join(["cdxgen", *a, "-o", f"OUT{i + 1}.json", "DIR"]) for i, a in enumerate(CDXGEN_RUNS)]}
    for r in range(runs):
        boms, total = [], 0.0
        for i, args in enumerate(CDXGEN_RUNS):
            out = OUT / f"cdxgen-{i + 1}.json"
            out.unlink(missing_ok=True)
            log_file = OUT / f"cdxgen-{i + 1}.log"
            t0 = time.perf_counter()
            try:
                with open(log_file, "w") as lf:
                    p = subprocess.run([exe, *args, "-o", str(out), str(target)], cwd=str(OUT), env=env,
                                       stdout=lf, stderr=subprocess.STDOUT, timeout=timeout)
            except subprocess.TimeoutExpired:
                res["error"] = f"timeout after {timeout:.0f}s: cdxgen {' '.join(args)}"
                return res
            dt = time.perf_counter() - t0
            total += dt
            if i == 0:
                res["first_times"].append(dt)
            try:
                boms.append(json.loads(out.read_text()))
            except (OSError, ValueError) as e:
                res["error"] = f"cdxgen {' '.join(args)}: exit {p.returncode}, no BOM ({e}); see {log_file}"
                return res
        res["times"].append(total)
        res["boms"] = boms
        log(f"  cdxgen run {r + 1}/{runs}: {total:.2f}s")
    res["ok"] = True
    return res


# ---------------------------------------------------------------------------------------------------- warden


def default_warden() -> str:
    if os.environ.get("WARDEN"):
        return os.environ["WARDEN"]
    default = REPO / "target" / "release" / "warden"
    if not default.exists() and os.environ.get("CARGO_TARGET_DIR"):
        alt = Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "warden"
        if alt.exists():
            return str(alt)
    return str(default)


def parse_warden_json(text: str) -> dict | None:
    text = text.strip()
    if not text:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        # Tolerate a log line before the document.
        start = text.find("{")
        try:
            doc = json.loads(text[start:]) if start >= 0 else None
        except ValueError:
            return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("assets"), list) else None


def warden_items(doc: dict) -> tuple[list[Item], str, dict]:
    items: list[Item] = []
    extra: list[str] = []
    counts: dict[str, int] = {}
    for a in doc.get("assets") or []:
        if not isinstance(a, dict):
            continue
        kind = str(a.get("kind") or "")
        counts[kind] = counts.get(kind, 0) + 1
        parts = [kind, str(a.get("name") or "")] + flatten(a.get("properties") or {})
        items.append(Item(str(a.get("name") or a.get("id") or "?"), {kind}, " ".join(parts)))
        risk = a.get("risk") or {}
        if isinstance(risk, dict):
            extra.append(f"level={risk.get('level', '')}")
            for reason in risk.get("reasons") or []:
                if isinstance(reason, dict):
                    extra.append(str(reason.get("text", "")))
                    extra += [str(x) for x in (reason.get("owasp") or []) + (reason.get("atlas") or [])]
                else:
                    extra.append(str(reason))
    for c in doc.get("components") or []:
        if not isinstance(c, dict):
            continue
        kinds = {"library", str(c.get("type") or ""), str(c.get("kind") or "")}
        parts = ["library"] + [str(c.get(k) or "") for k in ("type", "group", "name", "version", "purl",
                                                              "description")]
        parts += flatten(c.get("properties") or {})
        items.append(Item(str(c.get("name") or "?"), kinds, " ".join(parts)))
        counts["component"] = counts.get("component", 0) + 1
    # The inventory's own findings (the ai/ rules) are warden output too: searched for facts, not for assets.
    for f in doc.get("findings") or []:
        extra += flatten(f)
    counts["edge"] = len(doc.get("edges") or [])
    return items, " ".join(extra).lower(), counts


def run_warden(exe: str, target: Path, runs: int, timeout: float) -> dict:
    res = {"ok": False, "times": [], "doc": None, "error": ""}
    if not Path(exe).exists() and not shutil.which(exe):
        res["error"] = f"{exe} not found (build it with `cargo build --release -p warden`, or pass --warden PATH)"
        return res
    env = {**os.environ, **WARDEN_ENV}
    cmd = [exe, "inventory", str(target), "--format", "json"]
    for r in range(runs):
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, cwd=str(OUT), env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            res["error"] = f"timeout after {timeout:.0f}s"
            return res
        except OSError as e:
            res["error"] = str(e)
            return res
        dt = time.perf_counter() - t0
        (OUT / "warden.json").write_text(p.stdout)
        (OUT / "warden.log").write_text(p.stderr)
        doc = parse_warden_json(p.stdout)
        if doc is None:
            first = (p.stderr.strip().splitlines() or p.stdout.strip().splitlines() or ["no output"])[0]
            res["error"] = f"exit {p.returncode}, no inventory JSON: {first[:160]}"
            return res
        res["times"].append(dt)
        res["doc"] = doc
        log(f"  warden run {r + 1}/{runs}: {dt:.3f}s")
    res["ok"] = True
    return res


# ---------------------------------------------------------------------------------------------------- scoring


def part_matches(part: str, item: Item) -> bool:
    if part.startswith("kind:"):
        return bool(item.kinds & set(part[5:].lower().split("|")))
    if part.startswith("re:"):
        return re.search(part[3:], item.text) is not None
    return part.lower() in item.text


def find(keywords: list, items: list[Item]) -> Item | None:
    # The same lenient rule for both tools; among the items it accepts, the one whose label (name) holds a
    # keyword is shown, so the table names the asset that was found rather than a neighbour that mentions it.
    for kw in keywords:
        parts = kw if isinstance(kw, tuple) else (kw,)
        hits = [item for item in items if all(part_matches(p, item) for p in parts)]
        if hits:
            named = [
                i for i in hits
                if any(not p.startswith(("kind:", "re:")) and p.lower() in i.label.lower() for p in parts)
            ]
            return (named or hits)[0]
    return None


def facts(items: list[Item], extra: str) -> dict[str, bool]:
    blob = " ".join(i.text for i in items) + " " + extra
    return {name: any(re.search(rx, blob) for rx in rxs) for name, rxs in FACTS}


def fmt_time(ts: list[float]) -> str:
    return f"{min(ts):.3f}s" if ts else "n/a"


def prepare(tmp: Path) -> Path:
    target = tmp / "ai-platform"
    shutil.copytree(FIXTURE, target)
    (target / "expected-inventory.md").unlink(missing_ok=True)
    (target / "models").mkdir(exist_ok=True)
    (target / "models" / "churn-classifier.pkl").write_bytes(PICKLE_BYTES)
    return target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warden", default=default_warden(), help="warden binary (default: $WARDEN or "
                    "target/release/warden)")
    ap.add_argument("--cdxgen", default="", help="cdxgen executable (default: install with peers.sh)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool; best time reported")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per tool invocation")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy of the fixture")
    ap.add_argument("--verbose", action="store_true", help="list every item each tool reported")
    args = ap.parse_args()
    runs = max(1, args.runs)
    OUT.mkdir(parents=True, exist_ok=True)

    cdxgen = args.cdxgen
    if not cdxgen:
        p = subprocess.run(["bash", str(PEERS_SH)], stdout=subprocess.PIPE, text=True)
        cdxgen = p.stdout.strip().splitlines()[-1] if p.returncode == 0 and p.stdout.strip() else ""

    tmp = Path(tempfile.mkdtemp(prefix="warden-inventory-"))
    try:
        target = prepare(tmp)
        log(f"fixture copy: {target}")
        if cdxgen:
            log(f"cdxgen {cdxgen_version(cdxgen)} ({cdxgen}) ...")
            cdx = run_cdxgen(cdxgen, target, runs, args.timeout)
        else:
            cdx = {"ok": False, "error": "cdxgen not installed (peers.sh failed)", "times": [], "first_times": [],
                   "cmds": []}
        log(f"warden ({args.warden}) ...")
        wd = run_warden(args.warden, target, runs, args.timeout)
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    tools: dict[str, dict] = {}
    if wd["ok"]:
        items, extra, counts = warden_items(wd["doc"])
        tools["warden"] = {"items": items, "extra": extra, "counts": counts}
    if cdx["ok"]:
        items, extra, counts = cdxgen_items(cdx["boms"])
        first_items, _, _ = cdxgen_items(cdx["boms"][:1])
        tools["cdxgen"] = {"items": items, "extra": extra, "counts": counts, "first": first_items}

    lines: list[str] = []
    say = lines.append
    say("AI inventory: warden vs cdxgen on tests/fixtures/ai-platform/ (+ generated pickle)")
    say(f"  warden: {args.warden} inventory DIR --format json"
        + ("" if wd["ok"] else f"   -> n/a: {wd['error']}"))
    ver = cdxgen_version(cdxgen) if cdxgen else "?"
    for i, c in enumerate(cdx.get("cmds") or []):
        say(f"  cdxgen {ver}: {c}" if i == 0 else f"  {' ' * (len(ver) + 8)}{c}")
    if not cdx["ok"]:
        say(f"  cdxgen -> n/a: {cdx['error']}")
    say("")
    width = max(len(a) for _, a, _ in ORACLE) + 16
    say(f"{'kind':<13} {'asset':<{width - 14}} | {'warden':<26} | cdxgen")
    say("-" * (width + 60))
    found = {t: 0 for t in ("warden", "cdxgen")}
    first_found = 0
    for kind, asset, kws in ORACLE:
        cells = []
        for t in ("warden", "cdxgen"):
            if t not in tools:
                cells.append("n/a")
                continue
            hit = find(kws, tools[t]["items"])
            if hit:
                found[t] += 1
                cells.append(f"yes ({hit.label[:20 if t == 'warden' else 40]})")
            else:
                cells.append("-")
        if "cdxgen" in tools and find(kws, tools["cdxgen"]["first"]):
            first_found += 1
        say(f"{kind:<13} {asset:<{width - 14}} | {cells[0]:<26} | {cells[1]}")
    n = len(ORACLE)
    say("-" * (width + 60))
    tot = {t: (f"found {found[t]}/{n}" if t in tools else "n/a") for t in found}
    say(f"{'':<13} {'total':<{width - 14}} | {tot['warden']:<26} | {tot['cdxgen']}")
    if "cdxgen" in tools:
        say(f"  cdxgen's first invocation alone (-t python -t ai -t mcp): found {first_found}/{n}")
    say("")
    say(f"{'fact that matters':<32} | {'warden':<7} | cdxgen")
    say("-" * 52)
    fx = {t: facts(tools[t]["items"], tools[t]["extra"]) for t in tools}
    for name, _ in FACTS:
        cells = [("yes" if fx[t][name] else "-") if t in fx else "n/a" for t in ("warden", "cdxgen")]
        say(f"{name:<32} | {cells[0]:<7} | {cells[1]}")
    if tools:
        say("-" * 52)
        cells = [f"{sum(fx[t].values())}/{len(FACTS)}" if t in fx else "n/a" for t in ("warden", "cdxgen")]
        say(f"{'total':<32} | {cells[0]:<7} | {cells[1]}")
    say("")
    for t in ("warden", "cdxgen"):
        if t in tools:
            c = tools[t]["counts"]
            say(f"  {t} output: " + ", ".join(f"{v} {k}" for k, v in sorted(c.items())))
    say(f"wall time, best of {runs}: warden {fmt_time(wd['times'])}, cdxgen {fmt_time(cdx['times'])} "
        f"(first invocation alone {fmt_time(cdx.get('first_times') or [])})")
    if wd["times"] and cdx["times"]:
        ratio = min(cdx["times"]) / max(min(wd["times"]), 1e-6)
        say(f"  cdxgen/warden = {ratio:.1f}x")
    if args.verbose:
        for t in tools:
            say("")
            say(f"{t} items:")
            for it in tools[t]["items"]:
                say(f"  [{','.join(sorted(it.kinds))}] {it.label}: {it.text[:200]}")
    report = "\n".join(lines)
    print(report)
    (OUT / "last-run.txt").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
