#!/usr/bin/env bash
# Peer of the AI-inventory benchmark: cdxgen (npm @cyclonedx/cdxgen), installed once into bench/work/cdxgen/.
# Idempotent: a no-op when the pinned version is already there. Prints the path of the cdxgen executable.
#   bench/inventory/peers.sh            install if needed, print the path
# 12.8.4 was the latest release when this was written; its package.json declares node "^20 || ^22 || ^24 ...".
set -euo pipefail
CDXGEN_VERSION="12.8.4"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="$(cd "$HERE/.." && pwd)/work/cdxgen"
BIN="$PREFIX/node_modules/.bin/cdxgen"
PKG="$PREFIX/node_modules/@cyclonedx/cdxgen/package.json"

installed_version() {
  [ -f "$PKG" ] && node -e 'process.stdout.write(require(process.argv[1]).version)' "$PKG" 2>/dev/null || true
}

if [ ! -x "$BIN" ] || [ "$(installed_version)" != "$CDXGEN_VERSION" ]; then
  command -v npm >/dev/null || { echo "peers.sh: npm not found (cdxgen needs Node.js >= 20)" >&2; exit 1; }
  mkdir -p "$PREFIX"
  echo "installing @cyclonedx/cdxgen@$CDXGEN_VERSION into $PREFIX ..." >&2
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "@cyclonedx/cdxgen@$CDXGEN_VERSION" >&2
fi
[ -x "$BIN" ] || { echo "peers.sh: $BIN missing after install" >&2; exit 1; }
echo "$(cd "$(dirname "$BIN")" && pwd)/cdxgen"
