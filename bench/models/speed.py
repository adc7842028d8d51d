#!/usr/bin/env python3
"""Speed of model-artifact scanners (warden vs picklescan and modelscan) and of model signing (warden vs the
OpenSSF model_signing CLI).

Inputs, generated into bench/work/models-speed/ (models-speed-quick/ with --quick, about 1/10 the sizes) and
reused while the generator's version and scale are unchanged:
  torch-zip/model.pt        a 1 GiB PyTorch-style zip: archive/data.pkl (a state_dict of 16 tensors) and 16
                            stored 64 MiB storage members (+ config.json beside it: the signing input is this dir)
  numpy-pickle/weights.pkl  a 1 GiB protocol-4 pickle of one numpy array: numpy _reconstruct/ndarray/dtype and
                            a single BINBYTES8 argument of 1 GiB (emitted opcode by opcode)
  dense-pickle/items.pkl    a ~150 MB protocol-2 pickle of one list of ~30 million small ints and short
                            strings, in APPENDS batches of 1000 (the stdlib pickle.dumps of 1000-item chunks,
                            spliced into one list so the generator never holds the whole list)
  mixed/                    ~200 MB: torch zips, safetensors, .npy, .npz, GGUF (with tensors), pickles, joblib
                            and a Keras v3 file, a few of each
Nothing is ever unpickled; numpy and torch are not imported.

Each tool scans each input (a file, or the mixed directory) in a fresh process:
  warden      warden model scan INPUT --format json --no-progress   (stdout to a file)
  picklescan  picklescan --path INPUT
  modelscan   modelscan scan -p INPUT -r json -o OUT
Signing, on torch-zip/ (the 1 GiB zip and its config.json), signature written outside the directory:
  warden          warden model sign DIR --key key.pem --signature S / warden model verify DIR --key pub.pem --signature S
  model_signing   model_signing sign key DIR --private_key key.pem --signature S /
                  model_signing verify key DIR --signature S --public_key pub.pem
  (model-signing 1.1.1; a P-256 key from `openssl ecparam -name prime256v1 -genkey -noout` + `openssl ec -pubout`)

Wall time: best of --runs (default 1) after the page cache is warmed; peak RSS from /usr/bin/time -v when
present (else os.wait4's rusage of the child); a run over --timeout seconds (default 600) is killed and printed
as "> 600 s". The ratio column is the tool's time over warden's on the same input.

  python3 bench/models/speed.py [--quick] [--runs 1] [--timeout 600] [--tools warden,picklescan,modelscan]
                                [--inputs torch-zip,numpy-pickle,dense-pickle,mixed] [--no-sign] [--warden PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402
from pk import (Pickle, f32, gguf, keras_dense, keras_file, npy, numpy_array_pickle, safetensors,  # noqa: E402
                torch_state_dict, zip_bytes)

VERSION = 1
INPUTS = ["torch-zip", "numpy-pickle", "dense-pickle", "mixed"]
SCAN_TOOLS = ["warden", "picklescan", "modelscan"]
GIB = 1 << 30
MIB = 1 << 20
TIME_BIN = "/usr/bin/time"


# ----------------------------------------------------------------------------- generators (streaming)

class ZipStream:
    """A stored-only zip written member by member without holding members in memory: the local header is
    written with a placeholder CRC, the data streamed, then the CRC patched in."""

    def __init__(self, path: Path):
        self.fh = open(path, "wb")
        self.central = []

    def add(self, name: str, chunks) -> None:
        n = name.encode()
        offset = self.fh.tell()
        self.fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, 0, 0, 0, len(n), 0) + n)
        crc, size = 0, 0
        for c in chunks:
            crc = zlib.crc32(c, crc)
            size += len(c)
            self.fh.write(c)
        if size >= 1 << 32:
            raise ValueError("member too large for a zip without zip64")
        end = self.fh.tell()
        self.fh.seek(offset + 14)
        self.fh.write(struct.pack("<III", crc, size, size))
        self.fh.seek(end)
        self.central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0, 0, 0, 0x21, crc, size,
                                        size, len(n), 0, 0, 0, 0, 0o100644 << 16, offset) + n)

    def close(self) -> None:
        start = self.fh.tell()
        for c in self.central:
            self.fh.write(c)
        size = self.fh.tell() - start
        self.fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.central), len(self.central), size, start, 0))
        self.fh.close()


def noise_chunks(total: int, seed: int, chunk: int = 4 * MIB):
    """TOTAL bytes of float32-looking noise: one random block per seed, each chunk lightly varied."""
    rng = random.Random(seed)
    block = bytearray(rng.randbytes(chunk))
    done, i = 0, 0
    while done < total:
        n = min(chunk, total - done)
        block[i % chunk] ^= 0xFF
        yield bytes(block[:n]) if n < chunk else bytes(block)
        done += n
        i += 4099


def gen_torch_zip(path: Path, total: int, n_tensors: int = 16) -> None:
    per = total // n_tensors // 4 * 4
    rows = 1024
    tensors = [(f"layers.{i}.weight", (rows, per // 4 // rows)) for i in range(n_tensors)]
    z = ZipStream(path)
    z.add("archive/data.pkl", [torch_state_dict(tensors)])
    z.add("archive/byteorder", [b"little"])
    for i in range(n_tensors):
        z.add(f"archive/data/{i}", noise_chunks(rows * (per // 4 // rows) * 4, seed=i))
    z.add("archive/version", [b"3\n"])
    z.add("archive/.data/serialization_id", [b"1234567890123456789012345678901234567890"])
    z.close()


def gen_numpy_pickle(path: Path, total: int) -> None:
    """numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') + BUILD (1, (n,), dtype('f4'), False, <bytes>)
    with the bytes as one BINBYTES8 opcode, streamed."""
    n = total // 4
    head = Pickle(4)
    head.sglob("numpy.core.multiarray", "_reconstruct")
    head.args([lambda q: q.sglob("numpy", "ndarray"), lambda q: q.args([lambda r: r.i(0)]),
               lambda q: q.by(b"b")]).reduce()
    head.mark().i(1).args([lambda q: q.i(n)])
    head.sglob("numpy", "dtype").args([lambda q: q.s("f4"), lambda q: q.false(), lambda q: q.true()]).reduce()
    head.mark().i(3).s("<").none().none().none().i(-1).i(-1).i(0).tuple().build()
    head.false()
    with open(path, "wb") as fh:
        fh.write(head.bytes())
        fh.write(b"\x8e" + struct.pack("<Q", n * 4))
        for c in noise_chunks(n * 4, seed=99):
            fh.write(c)
        fh.write(b"tb.")  # TUPLE (closes the BUILD state's MARK), BUILD, STOP


def gen_dense_pickle(path: Path, total: int) -> int:
    """One list of many small items: PROTO 2, EMPTY_LIST, BINPUT 0, then the MARK ... APPENDS batches of
    stdlib pickle.dumps(chunk, protocol=2) (each a 1000-item list: ints and unique short strings, no memo
    GETs, so the batches splice), then STOP. Returns the item count."""
    head = b"\x80\x02]q\x00"
    items = 0
    with open(path, "wb") as fh:
        fh.write(head)
        k = 0
        while fh.tell() < total:
            chunk = [x for i in range(k, k + 250) for x in (i % 250, (i * 7) % 60000, (i * 3) % 250, f"{i:x}")]
            data = pickle.dumps(chunk, protocol=2)
            assert data.startswith(head) and data.endswith(b"e.") and data[len(head):len(head) + 1] == b"("
            fh.write(data[len(head):-1])
            items += len(chunk)
            k += 250
        fh.write(b".")
    return items


def gguf_with_tensors(path: Path, tensors: list[tuple[str, int]], seed: int) -> None:
    """GGUF v3 with F32 tensors of the given element counts (1-D), aligned to 32 bytes."""
    kv = gguf([("general.architecture", "llama"), ("general.alignment", 32),
               ("tokenizer.chat_template", "{% for message in messages %}{{ message['content'] }}{% endfor %}")])
    out = bytearray(kv)
    struct.pack_into("<Q", out, 8, len(tensors))
    off = 0
    for name, n in tensors:
        nb = name.encode()
        out += struct.pack("<Q", len(nb)) + nb + struct.pack("<IQIQ", 1, n, 0, off)
        off += (n * 4 + 31) // 32 * 32
    out += b"\0" * ((32 - len(out) % 32) % 32)
    with open(path, "wb") as fh:
        fh.write(out)
        for i, (_, n) in enumerate(tensors):
            for c in noise_chunks(n * 4, seed=seed + i):
                fh.write(c)
            fh.write(b"\0" * ((32 - (n * 4) % 32) % 32))


def gen_mixed(root: Path, scale: float) -> None:
    root.mkdir(parents=True, exist_ok=True)
    mb = lambda x: max(1, int(x * scale)) * MIB
    for i in range(3):
        gen_torch_zip(root / f"torch_{i}.pt", mb(30), n_tensors=6)
    for i in range(3):
        size = mb(20)
        blob = b"".join(noise_chunks(size, seed=200 + i))
        (root / f"model_{i}.safetensors").write_bytes(
            safetensors({"embed.weight": ("F32", [size // 4 // 256, 256], blob)}, {"format": "pt"}))
    for i in range(2):
        size = mb(10)
        (root / f"array_{i}.npy").write_bytes(npy("<f4", (size // 4,), b"".join(noise_chunks(size, seed=300 + i))))
    size = mb(10)
    (root / "arrays.npz").write_bytes(zip_bytes([dict(name=f"a{j}.npy", data=npy("<f4", (size // 16,),
                                                b"".join(noise_chunks(size // 4, seed=400 + j)))) for j in range(4)]))
    for i in range(2):
        gguf_with_tensors(root / f"model_{i}.gguf", [(f"blk.{j}.weight", mb(5) // 4 // 4) for j in range(4)],
                          seed=500 + 10 * i)
    for i in range(2):
        gen_dense_pickle(root / f"items_{i}.pkl", mb(5))
    p = Pickle(2)
    numpy_array_pickle(p, f32([0.5] * 1000), 1000).stop()
    (root / "small_array.pkl").write_bytes(p.bytes())
    (root / "config.joblib").write_bytes(zlib.compress(pickle.dumps({"lr": 0.01, "layers": [64, 32]}, protocol=4)))
    (root / "model.keras").write_bytes(keras_file([keras_dense("dense", 8), keras_dense("dense_1", 1)]))
    (root / "config.json").write_text(json.dumps({"model_type": "bench", "hidden_size": 256}))


def inputs_root(quick: bool) -> Path:
    root = peers.WORK / ("models-speed-quick" if quick else "models-speed")
    scale = 0.1 if quick else 1.0
    stamp = root / ".complete"
    if stamp.exists():
        meta = json.loads(stamp.read_text())
        if meta.get("version") == VERSION and meta.get("scale") == scale:
            return root
    if root.exists():
        shutil.rmtree(root)
    peers.log(f"generating {root} (scale {scale}) ...")
    t0 = time.monotonic()
    (root / "torch-zip").mkdir(parents=True)
    gen_torch_zip(root / "torch-zip" / "model.pt", int(GIB * scale))
    (root / "torch-zip" / "config.json").write_text(json.dumps({"model_type": "bench", "n_layers": 16}))
    (root / "numpy-pickle").mkdir()
    gen_numpy_pickle(root / "numpy-pickle" / "weights.pkl", int(GIB * scale))
    (root / "dense-pickle").mkdir()
    items = gen_dense_pickle(root / "dense-pickle" / "items.pkl", int(150 * 1000 * 1000 * scale))
    gen_mixed(root / "mixed", scale)
    stamp.write_text(json.dumps({"version": VERSION, "scale": scale, "dense_items": items}) + "\n")
    peers.log(f"  generated in {time.monotonic() - t0:.0f} s")
    return root


def input_path(root: Path, name: str) -> Path:
    return {"torch-zip": root / "torch-zip" / "model.pt", "numpy-pickle": root / "numpy-pickle" / "weights.pkl",
            "dense-pickle": root / "dense-pickle" / "items.pkl", "mixed": root / "mixed"}[name]


def files_of(p: Path) -> list[Path]:
    return [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file())


def warm(paths: list[Path]) -> None:
    for p in paths:
        with open(p, "rb") as fh:
            while fh.read(8 * MIB):
                pass


# ----------------------------------------------------------------------------- timing

def timed(cmd: list[str], cwd: Path, timeout: int, env=None, stdout_path: Path | None = None) -> dict:
    """Run CMD in a fresh process group; {wall, rss_mib, rc, tail}. rc -9: killed at the timeout."""
    use_time = os.access(TIME_BIN, os.X_OK)
    tfile = tempfile.NamedTemporaryFile(prefix="time-", suffix=".txt", delete=False)
    tfile.close()
    argv = [TIME_BIN, "-v", "-o", tfile.name, *cmd] if use_time else cmd
    err = tempfile.TemporaryFile()
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True)
    deadline = t0 + timeout
    rc = None
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.killpg(p.pid, 9)
            os.wait4(p.pid, 0)
            rc = -9
            break
        time.sleep(0.01)
    wall = time.monotonic() - t0
    if stdout_path:
        out.close()
    rss = ru.ru_maxrss / 1024 if rc != -9 else 0.0
    if use_time and rc != -9:
        text = Path(tfile.name).read_text(errors="replace")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if m:
            rss = int(m.group(1)) / 1024
        m = re.search(r"Exit status: (\d+)", text)
        if m:
            rc = int(m.group(1))
        elif "Command terminated by signal" in text:
            rc = -int(re.search(r"signal (\d+)", text).group(1))
    os.unlink(tfile.name)
    err.seek(0)
    tail = err.read()[-800:].decode(errors="replace")
    return {"wall": wall, "rss": rss, "rc": rc, "tail": tail}


def findings_of(tool: str, res: dict, out: Path) -> str:
    """A short count of what the tool reported (from its output), for the table's last column."""
    try:
        if tool == "warden":
            d = json.loads(out.read_text())
            return f"{len(d.get('findings', []))} findings"
        if tool == "modelscan":
            d = json.loads(out.read_text())
            s = d.get("summary", {})
            nerr = len(d.get("errors", []))
            return f"{s.get('total_issues', 0)} issues, {s.get('scanned', {}).get('total_scanned', 0)} scanned" + \
                (f", {nerr} errors" if nerr else "")
        if tool == "picklescan":
            text = out.read_text(errors="replace") + res["tail"]
            sc = re.search(r"Scanned files: (\d+)", text)
            dg = re.search(r"Dangerous globals: (\d+)", text)
            return f"{dg.group(1) if dg else '?'} dangerous, {sc.group(1) if sc else '?'} scanned"
    except (OSError, ValueError):
        pass
    return ""


def scan_cmd(tool: str, exe: str, target: Path, out: Path) -> list[str]:
    if tool == "warden":
        return peers.warden_cmd(exe, target)
    if tool == "picklescan":
        return peers.picklescan_cmd(exe, target)
    return peers.modelscan_cmd(exe, target, out)


def fmt_secs(r: dict | None, timeout: int) -> str:
    if r is None:
        return "n/a"
    if r["rc"] == -9:
        return f"> {timeout} s"
    return f"{r['wall']:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="about 1/10 of the sizes")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per run")
    ap.add_argument("--tools", default=",".join(SCAN_TOOLS))
    ap.add_argument("--inputs", default=",".join(INPUTS))
    ap.add_argument("--no-sign", action="store_true", help="skip the signing benchmark")
    ap.add_argument("--warden", default=peers.default_warden())
    ap.add_argument("--no-install", action="store_true", help="do not create/update bench/work/models-venv")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    inputs = [i for i in args.inputs.split(",") if i]
    for t in tools:
        if t not in SCAN_TOOLS:
            sys.exit(f"unknown tool {t}; known: {', '.join(SCAN_TOOLS)}")
    for i in inputs:
        if i not in INPUTS:
            sys.exit(f"unknown input {i}; known: {', '.join(INPUTS)}")
    if not args.no_install:
        peers.ensure_venv()
    root = inputs_root(args.quick)
    out_dir = peers.WORK / ("models-speed-out-quick" if args.quick else "models-speed-out")
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    exes, versions = {}, {}
    for t in tools + ["model_signing"]:
        exe = args.warden if t == "warden" else peers.tool_bin(t)
        if exe and Path(exe).exists():
            exes[t] = exe
            versions[t] = peers.tool_version(exe, "--version") if t == "warden" else peers.peer_version(t)
    wenv = dict(os.environ, **peers.WARDEN_ENV)

    lines: list[str] = []
    say = lambda s="": (print(s, flush=True), lines.append(s))
    t_start = time.monotonic()
    say(f"=== model scanners: speed on {root} (best of {args.runs}; page cache warmed; timeout {args.timeout} s; "
        f"peak RSS from {'/usr/bin/time -v' if os.access(TIME_BIN, os.X_OK) else 'wait4 rusage'})")
    say("    versions: " + ", ".join(f"{t} {v}" for t, v in versions.items()))
    say(f"    {'input':<14} {'size':>9}  {'tool':<14} {'seconds':>9} {'peak MB':>8} {'vs warden':>9}  output")
    say(f"    {'-' * 14} {'-' * 9}  {'-' * 14} {'-' * 9} {'-' * 8} {'-' * 9}  {'-' * 30}")
    for name in inputs:
        target = input_path(root, name)
        files = files_of(target)
        size = sum(f.stat().st_size for f in files)
        warm(files)
        rows = []
        for tool in tools:
            if tool not in exes:
                rows.append((tool, None, "n/a: " + ("not built" if tool == "warden" else "not installed")))
                continue
            best = None
            out = out_dir / f"{name}-{tool}.out"
            for _ in range(args.runs):
                out.unlink(missing_ok=True)
                peers.log(f"  {name}: {tool} ...")
                stdout_path = out if tool in ("warden", "picklescan") else None
                r = timed(scan_cmd(tool, exes[tool], target, out), out_dir, args.timeout,
                          env=wenv if tool == "warden" else None, stdout_path=stdout_path)
                if r["rc"] == -9:
                    best = r
                    break
                if best is None or r["wall"] < best["wall"]:
                    best = r
            note = "" if best["rc"] == -9 else findings_of(tool, best, out)
            if best["rc"] not in (0, 1, -9):
                last = (best["tail"].strip().splitlines() or [""])[-1][:80]
                note = f"exit {best['rc']}" + (f": {note}" if note else "") + (f" ({last})" if last else "")
            rows.append((tool, best, note))
        base = next((r for t, r, _ in rows if t == "warden" and r and r["rc"] != -9), None)
        for k, (tool, r, note) in enumerate(rows):
            lead = f"    {name:<14} {size / MIB:>6.0f} MiB" if k == 0 else f"    {'':<14} {'':>9}"
            ratio = ""
            if r and base and tool != "warden":
                ratio = f"> {args.timeout / base['wall']:.1f}x" if r["rc"] == -9 else f"{r['wall'] / base['wall']:.1f}x"
            rss = f"{r['rss']:.0f}" if r and r["rc"] != -9 else ""
            say(f"{lead}  {tool:<14} {fmt_secs(r, args.timeout):>9} {rss:>8} {ratio:>9}  {note}")

    if not args.no_sign and "warden" in exes:
        say()
        model = root / "torch-zip"
        size = sum(f.stat().st_size for f in files_of(model))
        keys = root / "keys"
        if not (keys / "pub.pem").exists():
            keys.mkdir(exist_ok=True)
            subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                            str(keys / "key.pem")], check=True)
            subprocess.run(["openssl", "ec", "-in", str(keys / "key.pem"), "-pubout", "-out", str(keys / "pub.pem")],
                           check=True, capture_output=True)
        warm(files_of(model))
        say(f"    signing {model} ({size / MIB:.0f} MiB, {len(files_of(model))} files; P-256 key; signature outside the dir)")
        say(f"    {'step':<14} {'tool':<14} {'seconds':>9} {'peak MB':>8} {'vs warden':>9}  result")
        say(f"    {'-' * 14} {'-' * 14} {'-' * 9} {'-' * 8} {'-' * 9}  {'-' * 30}")
        sigs = {t: out_dir / f"{t}.sig" for t in ("warden", "model_signing")}
        plans = {
            "sign": {"warden": peers.warden_sign_cmd, "model_signing": peers.model_signing_sign_cmd},
            "verify": {"warden": peers.warden_verify_cmd, "model_signing": peers.model_signing_verify_cmd},
        }
        for step, makers in plans.items():
            base = None
            for tool, make in makers.items():
                if tool not in exes:
                    say(f"    {step:<14} {tool:<14} {'n/a':>9}")
                    continue
                key = keys / ("key.pem" if step == "sign" else "pub.pem")
                best = None
                for _ in range(args.runs):
                    peers.log(f"  {step}: {tool} ...")
                    r = timed(make(exes[tool], model, key, sigs[tool]), out_dir, args.timeout,
                              env=wenv if tool == "warden" else None)
                    if r["rc"] == -9:
                        best = r
                        break
                    if best is None or r["wall"] < best["wall"]:
                        best = r
                if tool == "warden" and best["rc"] == 0:
                    base = best
                ratio = ""
                if base and tool != "warden":
                    ratio = f"> {args.timeout / base['wall']:.1f}x" if best["rc"] == -9 else \
                        f"{best['wall'] / base['wall']:.1f}x"
                res = "ok" if best["rc"] == 0 else ("timeout" if best["rc"] == -9 else
                                                    f"exit {best['rc']}: {(best['tail'].strip().splitlines() or [''])[-1][:80]}")
                rss = f"{best['rss']:.0f}" if best["rc"] != -9 else ""
                say(f"    {step:<14} {tool:<14} {fmt_secs(best, args.timeout):>9} {rss:>8} {ratio:>9}  {res}")
        # Interoperability, untimed: each tool verifies the other's signature.
        if all(t in exes for t in ("warden", "model_signing")) and all(s.exists() for s in sigs.values()):
            a = subprocess.run(peers.warden_verify_cmd(exes["warden"], model, keys / "pub.pem", sigs["model_signing"]),
                               capture_output=True, env=wenv)
            b = subprocess.run(peers.model_signing_verify_cmd(exes["model_signing"], model, keys / "pub.pem",
                                                              sigs["warden"]), capture_output=True)
            say(f"    interop (untimed): warden verifies model_signing's signature: "
                f"{'ok' if a.returncode == 0 else f'exit {a.returncode}'}; model_signing verifies warden's: "
                f"{'ok' if b.returncode == 0 else f'exit {b.returncode}'}")
    say()
    say(f"    total bench time {time.monotonic() - t_start:.0f} s; load average at the end: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    (peers.WORK / ("models-speed-quick.txt" if args.quick else "models-speed.txt")).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
