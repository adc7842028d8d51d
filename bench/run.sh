#!/usr/bin/env bash
# warden benchmark driver: sets up bench/.venv with the peer scanners, then runs bench.py.
#   bench/run.sh                 full run (~20-30 min on 2 cores)
#   bench/run.sh --quick         small inputs (~3 min)
#   bench/run.sh --only accuracy|speed|linear   [--threads N] [--runs N] [--tools warden,kingfisher]
#   bench/run.sh --only code-accuracy|code-speed [--quick] [--threads N] [--runs N] [--tools warden,semgrep,bandit,ruff]
#   bench/run.sh --only config-accuracy|config-speed [--quick] [--threads N] [--runs N] [--tools warden,checkov,zizmor]
#   bench/run.sh --only config-holdout [--tools ...] [--verbose]   (config accuracy on the held-out set)
#   bench/run.sh --only contexts [--tools warden,kingfisher,detect-secrets,trufflehog] [--files] [--warden PATH]
#                                (secrets in UTF-16, archives, images, tfstate, kubeconfig, SQLite, .pyc: bench/contexts.py)
#   bench/run.sh --only integrations [--runs N] [--quick]   (diff scans and `warden lsp`: bench/integrations.py)
# warden itself is not built here: build it first with `cargo build --release -p warden`
# (bench.py reports it as n/a when target/release/warden is missing).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PY="${PYTHON:-python3}"

ONLY=""; prev=""
for a in "$@"; do
  [ "$prev" = "--only" ] && ONLY="$a"
  case "$a" in --only=*) ONLY="${a#--only=}" ;; esac
  prev="$a"
done
# The arguments without `--only X` / `--only=X`, for the scripts that take the rest.
ARGS=(); skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in --only) skip=1 ;; --only=*) ;; *) ARGS+=("$a") ;; esac
done
# Configuration benchmark (bench/config/, see README "Configuration analysis"): --only config-accuracy | config-speed,
# and --only config-holdout (config-accuracy on the held-out set bench/config/accuracy-holdout/).
# Its peers (checkov, zizmor) live in their own venv, bench/work/config-venv, which bench/config/peers.py creates
# and fills from bench/config/requirements.txt on first use (a no-op afterwards).
case "$ONLY" in
  config-accuracy|config-speed|config-holdout)
    mkdir -p "$HERE/work"
    if [ "$ONLY" = config-accuracy ]; then
      exec "$PY" "$HERE/config/score.py" "${ARGS[@]}"
    fi
    if [ "$ONLY" = config-holdout ]; then
      exec "$PY" "$HERE/config/score.py" --set "$HERE/config/accuracy-holdout" "${ARGS[@]}"
    fi
    exec "$PY" "$HERE/config/speed.py" "${ARGS[@]}"
    ;;
esac
# Model-artifact benchmark (bench/models/, see README "Model artifacts"):
#   bench/run.sh --only models-accuracy [--tools warden,picklescan,modelscan,fickling] [--files] [--json] [--warden PATH]
#   bench/run.sh --only models-speed [--quick] [--runs N] [--timeout S] [--no-sign] [--warden PATH]
# Its peers (picklescan, modelscan, fickling, model-signing) live in their own venv, bench/work/models-venv, which
# bench/models/peers.py creates and fills from bench/models/requirements.txt on first use (a no-op afterwards).
case "$ONLY" in
  models-accuracy|models-speed)
    mkdir -p "$HERE/work"
    if [ "$ONLY" = models-accuracy ]; then
      exec "$PY" "$HERE/models/matrix.py" "${ARGS[@]}"
    fi
    exec "$PY" "$HERE/models/speed.py" "${ARGS[@]}"
    ;;
esac
# AI inventory benchmark (bench/inventory/, see README "AI inventory (cdxgen)"):
#   bench/run.sh --only inventory [--runs N] [--warden PATH] [--cdxgen PATH] [--keep] [--verbose]
# Its peer, cdxgen (npm @cyclonedx/cdxgen, needs Node.js >= 20), is installed into bench/work/cdxgen by
# bench/inventory/peers.sh on first use (a no-op afterwards).
case "$ONLY" in
  inventory)
    mkdir -p "$HERE/work"
    exec "$PY" "$HERE/inventory/compare.py" "${ARGS[@]}"
    ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# Code-analysis benchmark (bench/code/, see README "Code analysis"): --only code-accuracy | code-speed.
# Its peers are semgrep, bandit and ruff, installed here once; the secrets peers are not needed for it.
case "$ONLY" in
  code-accuracy|code-speed)
    if [ ! -x "$VENV/bin/semgrep" ] || [ ! -x "$VENV/bin/bandit" ] || [ ! -x "$VENV/bin/ruff" ]; then
      "$VENV/bin/pip" install -q --disable-pip-version-check semgrep bandit ruff
    fi
    mkdir -p "$HERE/work"
    export SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0
    if [ "$ONLY" = code-accuracy ]; then
      exec "$VENV/bin/python" "$HERE/code/score.py" "${ARGS[@]}"
    fi
    exec "$VENV/bin/python" "$HERE/code/speed.py" "${ARGS[@]}"
    ;;
esac
# Developer integrations (bench/integrations.py, see README "Developer integrations"): --only integrations
#   [--runs N] [--quick] [--size-mb N] [--debounce 0,150] [--tools warden,kingfisher,semgrep] [--warden PATH]
# Pull-request (diff) scans vs Kingfisher's --since-commit and semgrep's --baseline-commit, and `warden lsp`
# latencies. Its peers (kingfisher-bin, semgrep) are installed into bench/.venv once.
case "$ONLY" in
  integrations)
    if [ ! -x "$VENV/bin/semgrep" ] || [ ! -x "$VENV/bin/kingfisher" ]; then
      "$VENV/bin/pip" install -q --disable-pip-version-check kingfisher-bin semgrep
    fi
    mkdir -p "$HERE/work"
    export SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0
    exec "$VENV/bin/python" "$HERE/integrations.py" "${ARGS[@]}"
    ;;
esac
# Install the peers once; re-running is a no-op unless something is missing.
if ! "$VENV/bin/python" -c "import detect_secrets, truffleHog" 2>/dev/null \
   || [ ! -x "$VENV/bin/kingfisher" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/pip" install -q --disable-pip-version-check kingfisher-bin detect-secrets trufflehog
fi
mkdir -p "$HERE/work"
# Secrets in non-plain-text contexts (bench/contexts.py, see README "Secrets in non-plain-text contexts"):
# --only contexts. Same peers as above (Kingfisher, detect-secrets; trufflehog 2.x is reported n/a).
case "$ONLY" in
  contexts)
    exec "$VENV/bin/python" "$HERE/contexts.py" "${ARGS[@]}"
    ;;
esac
exec "$VENV/bin/python" "$HERE/bench.py" "$@"
