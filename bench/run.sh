#!/usr/bin/env bash
# warden benchmark driver: sets up bench/.venv with the peer scanners, then runs bench.py.
#   bench/run.sh                 full run (~20-30 min on 2 cores)
#   bench/run.sh --quick         small inputs (~3 min)
#   bench/run.sh --only accuracy|speed|linear   [--threads N] [--runs N] [--tools warden,kingfisher]
# warden itself is not built here: build it first with `cargo build --release -p warden`
# (bench.py reports it as n/a when target/release/warden is missing).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# Install the peers once; re-running is a no-op unless something is missing.
if ! "$VENV/bin/python" -c "import detect_secrets, truffleHog" 2>/dev/null \
   || [ ! -x "$VENV/bin/kingfisher" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/pip" install -q --disable-pip-version-check kingfisher-bin detect-secrets trufflehog
fi
mkdir -p "$HERE/work"
exec "$VENV/bin/python" "$HERE/bench.py" "$@"
