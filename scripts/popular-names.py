#!/usr/bin/env python3
"""Regenerate the popular-package lists that `deps/typosquat` compares dependency names against.

    python3 scripts/popular-names.py

Writes crates/warden-deps/data/popular/{npm,npm-dependents,pypi,go,rubygems}.txt: one name per line, most popular first
(RubyGems: the order of the source), under a header that states the source. The sources are published
packages, fetched from their registries (no GitHub access needed):

- npm: the npm package `npm-high-impact` by Titus Wormer (MIT): `lib/top-download.js`, npm packages ordered
  by weekly downloads from the npm registry's counts, and `lib/top-dependent.js`, ordered by how many packages
  depend on them (what developers declare, where downloads also count transitive helpers).
- PyPI, Go, RubyGems: the PyPI package `guarddog` by Datadog (Apache-2.0), `guarddog/analyzer/metadata/
  resources/top_*_packages.json`. Its PyPI list is Hugo van Kemenade's top-pypi-packages (downloads over 30
  days, from the PyPI BigQuery dataset); the Go and RubyGems lists are Datadog's snapshots of those
  ecosystems' most downloaded modules and gems.

crates.io, Packagist and Maven Central have no such list reachable from a registry package, so no typosquat
check runs for them.
"""
import io
import json
import pathlib
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile

NPM_PACKAGE = "npm-high-impact"
NPM_VERSION = "1.13.0"
GUARDDOG_VERSION = "3.2.0"
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/warden-deps/data/popular"


def fetch(url: str) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "warden popular-names"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def npm_names(list_file: str) -> list[str]:
    meta = json.loads(fetch(f"https://registry.npmjs.org/{NPM_PACKAGE}/{NPM_VERSION}"))
    tgz = fetch(meta["dist"]["tarball"])
    with tarfile.open(fileobj=io.BytesIO(tgz)) as t:
        js = t.extractfile(f"package/lib/{list_file}").read().decode()
    return re.findall(r"^\s*'([^']+)',?$", js, re.M)


def guarddog_lists() -> tuple[dict[str, list[str]], dict[str, int]]:
    # pip, not the JSON API: it honours the machine's index configuration (mirrors, proxies).
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", tmp,
             f"guarddog=={GUARDDOG_VERSION}"],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("guarddog-*.whl"))
        lists, stamps = {}, {}
        with zipfile.ZipFile(wheel) as z:
            for eco in ("pypi", "go", "rubygems"):
                d = json.loads(z.read(f"guarddog/analyzer/metadata/resources/top_{eco}_packages.json"))
                lists[eco] = d["packages"]
                stamps[eco] = d["downloaded_timestamp"]
    return lists, stamps


def write(eco: str, names: list[str], source: str) -> None:
    seen, unique = set(), []
    for n in names:
        n = n.strip()
        if n and n not in seen:
            seen.add(n)
            unique.append(n)
    OUT.mkdir(parents=True, exist_ok=True)
    header = "".join(f"# {line}\n" for line in source.splitlines())
    (OUT / f"{eco}.txt").write_text(header + "".join(n + "\n" for n in unique))
    print(f"{eco}: {len(unique)} names")


def day(ts: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def main() -> None:
    write(
        "npm",
        npm_names("top-download.js"),
        f"Most downloaded npm packages, most popular first.\n"
        f"Source: npm package {NPM_PACKAGE}@{NPM_VERSION} (MIT, Titus Wormer), lib/top-download.js.\n"
        f"Regenerate: python3 scripts/popular-names.py",
    )
    write(
        "npm-dependents",
        npm_names("top-dependent.js"),
        f"npm packages with the most dependents (what developers declare), most first.\n"
        f"Source: npm package {NPM_PACKAGE}@{NPM_VERSION} (MIT, Titus Wormer), lib/top-dependent.js.\n"
        f"Regenerate: python3 scripts/popular-names.py",
    )
    lists, stamps = guarddog_lists()
    origin = {
        "pypi": "Hugo van Kemenade's top-pypi-packages (30-day downloads, PyPI BigQuery dataset)",
        "go": "Datadog's snapshot of the most imported Go modules",
        "rubygems": "Datadog's snapshot of popular RubyGems (unordered)",
    }
    for eco, names in lists.items():
        write(
            eco,
            names,
            f"Popular {eco} packages, most popular first unless stated.\n"
            f"Source: PyPI package guarddog=={GUARDDOG_VERSION} (Apache-2.0, Datadog), "
            f"guarddog/analyzer/metadata/resources/top_{eco}_packages.json, taken {day(stamps[eco])};\n"
            f"upstream: {origin[eco]}.\n"
            f"Regenerate: python3 scripts/popular-names.py",
        )


if __name__ == "__main__":
    main()
