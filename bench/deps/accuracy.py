#!/usr/bin/env python3
"""Cross-checks the labels of warden's deps accuracy set against reference version orders.

The set (tests/data/deps-accuracy/, see its README.md) labels which locked package versions its
synthetic OSV records affect. tests/deps_accuracy.rs checks warden against those labels; this script
checks the LABELS themselves: for every labeled pair it evaluates the OSV records with each ecosystem's reference
implementation of the version order and the OSV schema's range rule, and reports where a label and the reference
disagree. It never runs warden.

References (each reads a list of versions and answers the matrix of comparisons):

| ecosystem | reference | how it is had |
| --- | --- | --- |
| PyPI | Python `packaging` (`Version`) | imported if present, else a venv under $WORK with `pip install packaging` |
| npm, crates.io | node-semver (`semver.compare`) | `npm install --prefix $WORK/node semver` unless already there |
| Go | `golang.org/x/mod/semver` when `go` and Debian's golang-golang-x-mod-dev are here, else node-semver on the versions without `v` | |
| RubyGems | `Gem::Version#<=>` | when `ruby` is on PATH |
| Packagist | composer/semver (`VersionParser::normalize`, `Comparator`) | when `php` and Debian's php-composer-semver are here |
| Maven | maven-artifact's `ComparableVersion` | when `java` and Maven's `maven-artifact-*.jar` are here |

PyPI and npm/crates.io are required (the script installs them); an ecosystem whose reference is missing is
reported as "not cross-checked". OSV `SEMVER` ranges are evaluated in SemVer 2.0.0 precedence (node-semver, the
package's leading `v` dropped) whatever the ecosystem; `GIT` ranges are skipped; withdrawn records match nothing.

Run from the repository root: `python3 bench/deps/accuracy.py` (`--work DIR` for where references are installed,
default /tmp/warden-deps-accuracy-ref; `-v` prints every pair). Exit status 1 when any label disagrees.
"""

import argparse
import functools
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "crates" / "warden" / "tests" / "data" / "deps-accuracy"

ECOSYSTEM_OF_FILE = {
    "requirements.txt": "PyPI",
    "poetry.lock": "PyPI",
    "package-lock.json": "npm",
    "Cargo.lock": "crates.io",
    "go.mod": "Go",
    "Gemfile.lock": "RubyGems",
    "composer.lock": "Packagist",
    "pom.xml": "Maven",
}


def ecosystem_of(path):
    return ECOSYSTEM_OF_FILE[path.rsplit("/", 1)[-1]]


def normalise_name(eco, name):
    """Package identity: PEP 503 for PyPI, lower case for Packagist (Composer's names are lower case), as
    written elsewhere (npm, crates.io, Go module paths, RubyGems, Maven group:artifact)."""
    if eco == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    if eco == "Packagist":
        return name.lower()
    return name


# ------------------------------------------------------------------------------------------------ references

PY_PACKAGING = r"""
import sys
from packaging.version import Version
vs = [Version(l) for l in sys.stdin.read().split("\n") if l]
for a in vs:
    print(" ".join(str((a > b) - (a < b)) for b in vs))
"""

NODE_SEMVER = r"""
const semver = require('semver');
const vs = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const v of vs) { if (semver.valid(v) === null) { console.error('not SemVer: ' + v); process.exit(2); } }
for (const a of vs) console.log(vs.map(b => semver.compare(a, b)).join(' '));
"""

RUBY_GEM = r"""
vs = STDIN.read.split("\n").reject(&:empty?).map { |l| Gem::Version.new(l) }
vs.each { |a| puts vs.map { |b| a <=> b }.join(' ') }
"""

PHP_COMPOSER = r"""<?php
require '%s';
use Composer\Semver\VersionParser;
use Composer\Semver\Comparator;
$p = new VersionParser();
$vs = array_map(fn($l) => $p->normalize($l), array_values(array_filter(explode("\n", stream_get_contents(STDIN)), 'strlen')));
foreach ($vs as $a) {
    echo implode(' ', array_map(fn($b) => Comparator::lessThan($a, $b) ? -1 : (Comparator::greaterThan($a, $b) ? 1 : 0), $vs)), "\n";
}
"""

JAVA_MAVEN = r"""
import org.apache.maven.artifact.versioning.ComparableVersion;
import java.io.*;
import java.util.*;
public class MavenCmp {
    public static void main(String[] args) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in));
        List<ComparableVersion> vs = new ArrayList<>();
        for (String l; (l = r.readLine()) != null; ) if (!l.isEmpty()) vs.add(new ComparableVersion(l));
        StringBuilder sb = new StringBuilder();
        for (ComparableVersion a : vs) {
            for (int i = 0; i < vs.size(); i++) sb.append(i > 0 ? " " : "").append(Integer.signum(a.compareTo(vs.get(i))));
            sb.append('\n');
        }
        System.out.print(sb);
    }
}
"""

GO_XMOD = r"""
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	s := bufio.NewScanner(os.Stdin)
	var vs []string
	for s.Scan() {
		t := strings.TrimSpace(s.Text())
		if t == "" {
			continue
		}
		if !strings.HasPrefix(t, "v") {
			t = "v" + t // OSV's Go records spell versions without the v
		}
		if !semver.IsValid(t) {
			fmt.Fprintln(os.Stderr, "not a Go version:", t)
			os.Exit(2)
		}
		vs = append(vs, t)
	}
	for _, a := range vs {
		row := make([]string, len(vs))
		for i, b := range vs {
			row[i] = fmt.Sprint(semver.Compare(a, b))
		}
		fmt.Println(strings.Join(row, " "))
	}
}
"""


class Reference:
    """A command that reads versions (one a line) and prints the matrix of their comparisons."""

    def __init__(self, name, argv, env=None, prepare=None):
        self.name = name
        self.argv = argv
        self.env = env
        self.prepare = prepare or (lambda v: v)

    def matrix(self, versions):
        text = "\n".join(self.prepare(v) for v in versions) + "\n"
        env = dict(os.environ, **(self.env or {}))
        out = subprocess.run(self.argv, input=text, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise RuntimeError(f"{self.name}: {out.stderr.strip() or out.stdout.strip()}")
        rows = [list(map(int, line.split())) for line in out.stdout.strip().split("\n")]
        assert len(rows) == len(versions) and all(len(r) == len(versions) for r in rows), self.name
        return rows


def run_ok(argv, **kw):
    try:
        return subprocess.run(argv, capture_output=True, text=True, **kw).returncode == 0
    except OSError:
        return False


def packaging_reference(work):
    if run_ok([sys.executable, "-c", "import packaging.version"]):
        python = sys.executable
    else:
        venv = work / "venv"
        python = str(venv / "bin" / "python")
        if not run_ok([python, "-c", "import packaging.version"]):
            print(f"installing packaging into {venv} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([python, "-m", "pip", "install", "-q", "packaging"], check=True)
    version = subprocess.run([python, "-c", "import packaging; print(packaging.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return Reference(f"packaging {version}", [python, "-c", PY_PACKAGING])


def node_semver_reference(work, prepare=None, label="node-semver"):
    if not shutil.which("node"):
        raise SystemExit("node is needed for the node-semver reference")
    prefix = work / "node"
    env = {"NODE_PATH": str(prefix / "node_modules")}
    probe = ["node", "-e", "console.log(require('semver/package.json').version)"]
    penv = dict(os.environ, **env)
    if not run_ok(probe, env=penv):
        print(f"installing semver into {prefix} ...", file=sys.stderr)
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), "semver"],
                       check=True)
    version = subprocess.run(probe, capture_output=True, text=True, env=penv, check=True).stdout.strip()
    return Reference(f"{label} {version}", ["node", "-e", NODE_SEMVER], env=env, prepare=prepare)


def strip_v(v):
    return v[1:] if v.startswith("v") else v


def go_reference(work, semver_fallback):
    xmod = Path("/usr/share/gocode/src/golang.org/x/mod/semver")
    if shutil.which("go") and xmod.is_dir():
        src = work / "gocmp" / "src" / "gocmp"
        src.mkdir(parents=True, exist_ok=True)
        (src / "main.go").write_text(GO_XMOD)
        binary = work / "gocmp" / "gocmp"
        env = dict(os.environ, GO111MODULE="off", GOPATH=f"{work / 'gocmp'}:/usr/share/gocode",
                   GOCACHE=str(work / "gocmp" / "cache"))
        built = subprocess.run(["go", "build", "-o", str(binary), "gocmp"], capture_output=True, text=True, env=env)
        if built.returncode == 0:
            return Reference("golang.org/x/mod/semver", [str(binary)])
        print(f"go build failed, using node-semver for Go: {built.stderr.strip()}", file=sys.stderr)
    return Reference(semver_fallback.name.replace("node-semver", "node-semver (Go versions without v)"),
                     semver_fallback.argv, env=semver_fallback.env, prepare=strip_v)


def ruby_reference(work):
    if not shutil.which("ruby"):
        return None
    version = subprocess.run(["ruby", "-e", "print Gem::VERSION"], capture_output=True, text=True).stdout.strip()
    return Reference(f"Gem::Version (rubygems {version})", ["ruby", "-e", RUBY_GEM])


def composer_reference(work):
    autoload = "/usr/share/php/Composer/Semver/autoload.php"
    if not (shutil.which("php") and os.path.isfile(autoload)):
        return None
    script = work / "composer-cmp.php"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(PHP_COMPOSER % autoload)
    return Reference("composer/semver (Debian php-composer-semver)", ["php", str(script)])


def maven_reference(work):
    if not shutil.which("java"):
        return None
    jars = sorted(glob.glob("/usr/share/maven/lib/maven-artifact*.jar")) + sorted(
        glob.glob(os.path.expanduser("~/.m2/repository/org/apache/maven/maven-artifact/*/maven-artifact-*.jar")))
    if not jars:
        return None
    src = work / "MavenCmp.java"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(JAVA_MAVEN)
    mvn = subprocess.run(["mvn", "-v"], capture_output=True, text=True) if shutil.which("mvn") else None
    m = re.search(r"Apache Maven ([0-9][0-9A-Za-z.-]*)", mvn.stdout if mvn else "")
    label = f"ComparableVersion (maven-artifact{' ' + m.group(1) if m else ''})"
    return Reference(label, ["java", "-cp", jars[0], str(src)])


# ------------------------------------------------------------------------------------------------ OSV evaluation


class Order:
    """Comparisons among a fixed set of versions, answered by one reference run."""

    def __init__(self, reference, versions):
        self.reference = reference
        self.versions = sorted(set(versions))
        self.index = {v: i for i, v in enumerate(self.versions)}
        self.rows = reference.matrix(self.versions) if self.versions else []

    def cmp(self, a, b):
        return self.rows[self.index[a]][self.index[b]]


def events_of(r):
    for e in r.get("events", []):
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            if kind in e:
                yield kind, e[kind]


def in_range(version, events, order):
    """The OSV schema's evaluation: events sorted by version ("0" first); `introduced` opens, `fixed` closes
    (exclusive), `last_affected` closes after itself."""
    evs = [(k, v) for k, v in events if k != "limit"]

    def compare(x, y):
        zx, zy = x == ("introduced", "0"), y == ("introduced", "0")
        if zx or zy:
            return (zy - zx) if not (zx and zy) else 0
        return order.cmp(x[1], y[1])

    affected = False
    for kind, v in sorted(evs, key=functools.cmp_to_key(compare)):
        if kind == "introduced":
            if v == "0" or order.cmp(version, v) >= 0:
                affected = True
        elif kind == "fixed":
            if order.cmp(version, v) >= 0:
                affected = False
        elif kind == "last_affected":
            if order.cmp(version, v) > 0:
                affected = False
    return affected


def evaluate(records, eco, package, version, eco_order, semver_order, semver_version):
    """The vulnerabilities the reference finds for one locked version: [(sorted ids, fixed or None)]."""
    hits = []
    for rec in records:
        if rec.get("withdrawn"):
            continue
        affected_here = False
        fixes = []
        for a in rec.get("affected", []):
            p = a.get("package") or {}
            if p.get("ecosystem", "").split(":")[0] != eco:
                continue
            if normalise_name(eco, p.get("name", "")) != normalise_name(eco, package):
                continue
            hit = any(v == version or eco_order.cmp(v, version) == 0 for v in a.get("versions", []))
            for r in a.get("ranges", []):
                if r["type"] == "ECOSYSTEM":
                    order, v = eco_order, version
                elif r["type"] == "SEMVER":
                    order, v = semver_order, semver_version
                else:
                    continue  # GIT: commits, not versions
                if v is None:
                    continue  # not a SemVer version, so in no SEMVER range
                if in_range(v, list(events_of(r)), order):
                    hit = True
            if not hit:
                continue
            affected_here = True
            for r in a.get("ranges", []):
                if r["type"] == "ECOSYSTEM":
                    order, v = eco_order, version
                elif r["type"] == "SEMVER":
                    order, v = semver_order, semver_version
                else:
                    continue
                if v is None:
                    continue
                fixes += [(order, f) for k, f in events_of(r) if k == "fixed" and order.cmp(f, v) > 0]
        if not affected_here:
            continue
        fixed = None
        for order, f in fixes:
            if fixed is None or order.cmp(f, fixed[1]) < 0:
                fixed = (order, f)
        hits.append((set([rec["id"]] + rec.get("aliases", [])), fixed))
    # Records that share an id are one vulnerability; its fix is the one every record agrees is fixed (the highest).
    merged = []
    for ids, fixed in hits:
        for m in [m for m in merged if m[0] & ids]:
            merged.remove(m)
            ids = ids | m[0]
            if fixed is None or (m[1] is not None and m[1][0].cmp(m[1][1], fixed[1]) > 0):
                fixed = m[1]
        merged.append((ids, fixed))
    return [(sorted(ids), fixed[1] if fixed else None) for ids, fixed in merged]


# ------------------------------------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="/tmp/warden-deps-accuracy-ref", help="where references are installed")
    ap.add_argument("--set", default=str(SET), help="the accuracy set's directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every labeled pair")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    data = Path(args.set)

    labels = tomllib.loads((data / "expected.toml").read_text())
    records = [json.loads(Path(p).read_text()) for p in sorted(glob.glob(str(data / "osv" / "*.json")))]
    pairs = [("finding", f) for f in labels.get("finding", [])] + [("clean", c) for c in labels.get("clean", [])]

    semver = node_semver_reference(work)
    refs = {
        "PyPI": packaging_reference(work),
        "npm": semver,
        "crates.io": semver,
        "Go": go_reference(work, semver),
        "RubyGems": ruby_reference(work),
        "Packagist": composer_reference(work),
        "Maven": maven_reference(work),
    }
    semver_for_ranges = Reference(semver.name, semver.argv, env=semver.env, prepare=strip_v)

    # Every version each order has to compare: the labels' and the records' events and lists.
    eco_versions = {e: set() for e in refs}
    semver_versions = set()
    for _, lab in pairs:
        eco = ecosystem_of(lab["path"])
        eco_versions[eco].add(lab["version"])
        semver_versions.add(lab["version"])
    for rec in records:
        for a in rec.get("affected", []):
            eco = (a.get("package") or {}).get("ecosystem", "").split(":")[0]
            if eco not in refs:
                continue
            eco_versions[eco].update(a.get("versions", []))
            for r in a.get("ranges", []):
                vs = {v for k, v in events_of(r) if not (k == "introduced" and v == "0")}
                if r["type"] == "ECOSYSTEM":
                    eco_versions[eco].update(vs)
                elif r["type"] == "SEMVER":
                    semver_versions.update(vs)
    # SEMVER ranges only ever compare the versions of packages they name; keep the ones that are SemVer at all.
    semver_ok = {v for v in semver_versions if re.fullmatch(
        r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?", v)}
    semver_order = Order(semver_for_ranges, semver_ok)

    by_eco = {}
    problems = []
    for kind, lab in pairs:
        eco = ecosystem_of(lab["path"])
        by_eco.setdefault(eco, []).append((kind, lab))

    summary = []
    total_ok = total_checked = 0
    for eco in ["PyPI", "npm", "crates.io", "Go", "RubyGems", "Packagist", "Maven"]:
        labs = by_eco.get(eco, [])
        ref = refs[eco]
        if not labs:
            continue
        if ref is None:
            summary.append(f"{eco}: {len(labs)} labeled pairs not cross-checked (no reference installed here)")
            continue
        eco_order = Order(ref, eco_versions[eco])
        # The reference's findings per (path, package, version), to compare with the labels of that key.
        keys = {}
        for kind, lab in labs:
            keys.setdefault((lab["path"], lab["package"], lab["version"]), []).append((kind, lab))
        ok = 0
        for (path, package, version), group in keys.items():
            found = evaluate(records, eco, package, version, eco_order, semver_order,
                             version if version in semver_ok else None)
            claimed = set()
            for kind, lab in group:
                where = f"{path} {package} {version}"
                if kind == "clean":
                    good = not found
                    said = "clean" if good else "; ".join(f"{'+'.join(i)} fixed {f}" for i, f in found)
                    if args.verbose or not good:
                        print(f"  [{'ok' if good else 'DISAGREE'}] {eco} {where}: label clean, {ref.name} says {said}"
                              + ("" if good else f"\n      why: {lab['why']}"))
                else:
                    want = (sorted(lab["ids"]), lab.get("fixed"))
                    match = [f for f in found if f[0] == want[0]]
                    good = bool(match) and match[0][1] == want[1]
                    if match:
                        claimed.add(tuple(match[0][0]))
                    said = "; ".join(f"{'+'.join(i)} fixed {f}" for i, f in found) or "clean"
                    if args.verbose or not good:
                        print(f"  [{'ok' if good else 'DISAGREE'}] {eco} {where}: label {'+'.join(want[0])} fixed "
                              f"{want[1]}, {ref.name} says {said}" + ("" if good else f"\n      why: {lab['why']}"))
                ok += good
                if not good:
                    problems.append(where)
            if any(kind == "finding" for kind, _ in group):
                for ids, f in found:
                    if tuple(ids) not in claimed:
                        print(f"  [UNLABELED] {eco} {path} {package} {version}: {ref.name} also finds "
                              f"{'+'.join(ids)} fixed {f}, which no label names")
                        problems.append(f"{path} {package} {version} {'+'.join(ids)}")
        total_ok += ok
        total_checked += len(labs)
        summary.append(f"labels vs {ref.name} ({eco}): {ok}/{len(labs)} agree")

    print("\n".join(summary))
    print(f"cross-checked: {total_ok}/{total_checked} labeled pairs agree; {len(pairs)} labeled pairs in the set")
    # The short form: the two references every machine can install.
    short = []
    for name, ecos in (("packaging", ["PyPI"]), ("node-semver", ["npm", "crates.io"])):
        n = sum(len(by_eco.get(e, [])) for e in ecos)
        bad = sum(1 for p in problems if ecosystem_of(p.split()[0]) in ecos)
        short.append(f"labels vs {name}: {n - bad}/{n} agree")
    print("; ".join(short))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
