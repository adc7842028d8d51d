#!/usr/bin/env bash
# Supply-chain benchmark driver (bench/deps/README.md): installs the peers into bench/deps/work/ when missing,
# then runs bench.py with the options given.
#   bench/deps/run.sh                                   warden = target/release/warden of this repo
#   bench/deps/run.sh --warden /work/target-wt8/release/warden
#   bench/deps/run.sh --only sbom|vuln [--runs 3] [--services 200] [--osv-scanner PATH] [--timeout 1800]
# Idempotent: cdxgen (npm, pinned below) goes to bench/deps/work/node_modules once; PyYAML and packaging come
# from python3 when it has them, else from a venv bench/deps/work/venv made once. warden itself is not built here.
set -euo pipefail
CDXGEN_VERSION="12.8.4"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/work"
PY="${PYTHON:-python3}"
mkdir -p "$WORK"
[ -f "$WORK/.gitignore" ] || printf '*\n!.gitignore\n' > "$WORK/.gitignore"

# cdxgen, the SBOM peer.
PKG="$WORK/node_modules/@cyclonedx/cdxgen/package.json"
have=""
[ -f "$PKG" ] && have="$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$PKG" 2>/dev/null || true)"
if [ "$have" != "$CDXGEN_VERSION" ]; then
  if command -v npm >/dev/null; then
    echo "installing @cyclonedx/cdxgen@$CDXGEN_VERSION into $WORK ..." >&2
    npm install --prefix "$WORK" --no-audit --no-fund --loglevel=error "@cyclonedx/cdxgen@$CDXGEN_VERSION" >&2 \
      || echo "run.sh: cdxgen install failed; bench.py reports it as n/a" >&2
  else
    echo "run.sh: npm not found (cdxgen needs Node.js >= 20); bench.py reports cdxgen as n/a" >&2
  fi
fi

# Python modules for the OSV YAML -> JSON conversion and the reference matcher.
if ! "$PY" -c 'import yaml, packaging.version' 2>/dev/null; then
  if [ ! -x "$WORK/venv/bin/python" ]; then
    "$PY" -m venv "$WORK/venv"
  fi
  "$WORK/venv/bin/python" -c 'import yaml, packaging.version' 2>/dev/null \
    || "$WORK/venv/bin/pip" install --quiet pyyaml packaging
  PY="$WORK/venv/bin/python"
fi

exec "$PY" "$HERE/bench.py" "$@"
