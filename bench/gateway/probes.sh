#!/usr/bin/env bash
# Red-teaming (bench/gateway/README.md): `warden probe` and garak against the same local endpoint, the deliberately
# vulnerable model server (warden-gateway's `vulnerable` example), straight, behind `warden gateway` with its
# defaults, and behind a hardened gateway (response_output = "redact", max_output_tokens, a key scoped to one tool).
#   bench/gateway/probes.sh [--cap N] [--no-garak]
# --cap: garak's soft prompt cap per probe (default 256, garak's own; 16 gives a quick run); every garak probe runs
# with 1 generation.
# Idempotent: garak (PyPI, pinned below, as in accuracy.py) goes into bench/gateway/work/garak-venv once, without
# torch (see GARAK_DEPS); warden and the example are built in release mode. If garak cannot be installed or run,
# its rows are skipped and the reason is printed. Prints one table; the runs' raw output stays in work/probes-run/.
set -euo pipefail
GARAK_VERSION="0.17.1"
# garak's declared dependencies pull torch, transformers and CUDA wheels (pip resolves ~200 packages, several GB).
# The probes in probes/garak-probes.toml, their string and regex detectors and the OpenAICompatible generator
# import only these (found by running them and installing what failed to import; bounds as garak declares them).
GARAK_DEPS=(pyyaml "colorama>=0.4.3" "tqdm>=4.67.1" requests "xdg-base-dirs>=6.0.1" httpx aiohttp "numpy>=2.0.0"
  "nltk>=3.10.3" "langdetect==1.0.9" "markdown>=3.10.0" "openai>=2.0,<3.0" "backoff>=2.1.1" "datasets>=5.0.1,<6.0"
  "tiktoken>=0.7.0" jsonschema)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$HERE/work"
CAP=256
GARAK=1
while [ $# -gt 0 ]; do
  case "$1" in
    --cap) CAP="$2"; shift 2 ;;
    --no-garak) GARAK=0; shift ;;
    *) echo "probes.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK"
[ -f "$WORK/.gitignore" ] || printf '*\n' > "$WORK/.gitignore"
RUN="$WORK/probes-run"
rm -rf "$RUN"
mkdir -p "$RUN"
skip_garak() { GARAK=0; echo "$1" > "$RUN/garak-skipped.txt"; echo "probes.sh: garak skipped: $1" >&2; }
[ "$GARAK" = 1 ] || skip_garak "--no-garak"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
# `--bin warden` too: with only `--example` given, cargo builds no binary of the warden package.
(cd "$ROOT" && cargo build -q --release -p warden --bin warden -p warden-gateway --example vulnerable)
# The target dir may be shared with other work trees: run copies of this tree's binaries.
BIN="$WORK/bin"
mkdir -p "$BIN"
for exe in "$TARGET/release/warden" "$TARGET/release/examples/vulnerable"; do
  cp "$exe" "$BIN/.new" && mv -f "$BIN/.new" "$BIN/$(basename "$exe")"
done

GVENV="$WORK/garak-venv"
garak_ok() {
  [ -x "$GVENV/bin/python" ] && "$GVENV/bin/python" -c "import importlib.metadata as m, openai, datasets, nltk, tiktoken, jsonschema, garak.cli; assert m.version('garak') == '$GARAK_VERSION'" 2>/dev/null
}
if [ "$GARAK" = 1 ] && ! garak_ok; then
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    skip_garak "garak $GARAK_VERSION needs Python 3.11 or later"
  else
    echo "installing garak==$GARAK_VERSION (without torch) into $GVENV ..." >&2
    t0=$(date +%s)
    rm -rf "$GVENV"
    python3 -m venv "$GVENV"
    if "$GVENV/bin/pip" install --quiet "${GARAK_DEPS[@]}" >&2 \
      && "$GVENV/bin/pip" install --quiet --no-deps "garak==$GARAK_VERSION" >&2 && garak_ok; then
      echo "garak installed in $(( $(date +%s) - t0 )) s; $GVENV is $(du -sh "$GVENV" | cut -f1)" >&2
    else
      skip_garak "installing garak $GARAK_VERSION into $GVENV failed (see pip's output above)"
    fi
  fi
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "probes.sh: $1 did not answer" >&2; return 1; }
VPID="" GWPID=""
stop_gateway() { if [ -n "$GWPID" ]; then kill "$GWPID" 2>/dev/null || true; wait "$GWPID" 2>/dev/null || true; GWPID=""; fi; }
cleanup() { stop_gateway; if [ -n "$VPID" ]; then kill "$VPID" 2>/dev/null || true; wait "$VPID" 2>/dev/null || true; fi; }
trap cleanup EXIT
# timed TARGET TOOL CMD...: runs CMD, appends its wall time (ms) and exit code to times.tsv.
timed() {
  local target="$1" tool="$2" t0 t1 rc=0
  shift 2
  t0=$(date +%s%N)
  "$@" || rc=$?
  t1=$(date +%s%N)
  printf '%s\t%s\t%s\t%s\n' "$target" "$tool" $(( (t1 - t0) / 1000000 )) "$rc" >> "$RUN/times.tsv"
}

VPORT=$(free_port)
"$BIN/vulnerable" "127.0.0.1:$VPORT" > "$RUN/vulnerable.log" 2>&1 &
VPID=$!
wait_http "http://127.0.0.1:$VPORT/v1/models"

# The hardened gateway of docs/gateway.md ("Hardening"): insecure output redacted, output capped, and a client key
# that may call read_account only (so clients must present it).
printf '[gateway.policy]\nresponse_output = "redact"\nmax_output_tokens = 1024\n' > "$RUN/hardened.toml"
HARDENED_KEY=$("$BIN/warden" gateway keys create --name probes-bench --tool read_account --keys "$RUN/keys.db" 2>/dev/null)

# start_gateway MODE AUDIT: a fresh gateway in front of the vulnerable server (one per tool, so that each tool's
# audit log holds its own requests only); sets URL. It runs in an empty directory, so no warden.toml or key store
# of the caller's is read.
start_gateway() {
  local mode="$1" audit="$2" port home
  port=$(free_port)
  home="$RUN/gateway-home"
  mkdir -p "$home"
  local extra=()
  [ "$mode" = hardened ] && extra=(--config "$RUN/hardened.toml" --keys "$RUN/keys.db")
  (cd "$home" && exec "$BIN/warden" gateway --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$VPORT" \
    --audit "$audit" "${extra[@]}") >> "$RUN/gateway.log" 2>&1 &
  GWPID=$!
  URL="http://127.0.0.1:$port"
  wait_http "$URL/healthz"
  # One benign request first, so the timed run does not pay for the screens' first use (a few hundred ms); the
  # report leaves requests for the model "warmup" out.
  curl -s -o /dev/null -H 'content-type: application/json' ${key:+-H "authorization: Bearer $key"} \
    -d '{"model":"warmup","messages":[{"role":"user","content":"What are your opening hours?"}]}' \
    "$URL/v1/chat/completions"
}

for target in straight gateway hardened; do
  out="$RUN/$target"
  mkdir -p "$out"
  key="sk-local-bench"
  [ "$target" = hardened ] && key="$HARDENED_KEY"

  if [ "$target" = straight ]; then URL="http://127.0.0.1:$VPORT"; else start_gateway "$target" "$out/warden-audit.jsonl"; fi
  # Exit code 1 means a probe succeeded: expected here.
  WARDEN_BENCH_KEY="$key" timed "$target" warden "$BIN/warden" probe "$URL" --model vulnerable-1 \
    --key-env WARDEN_BENCH_KEY --format json > "$out/warden.json"
  stop_gateway

  if [ "$GARAK" = 1 ]; then
    if [ "$target" != straight ]; then start_gateway "$target" "$out/garak-audit.jsonl"; fi
    python3 "$HERE/probes/compare.py" garak-config "$URL/v1/" "$CAP" "$out" "$RUN/sysprompts" > "$out/garak-config.json"
    # Offline: no hub downloads (HF_*), and garak's data, cache and log stay under work/.
    timed "$target" garak env OPENAICOMPATIBLE_API_KEY="$key" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 \
      TRANSFORMERS_OFFLINE=1 HF_HOME="$WORK/garak-home/hf" XDG_DATA_HOME="$WORK/garak-home/data" \
      XDG_CONFIG_HOME="$WORK/garak-home/config" XDG_CACHE_HOME="$WORK/garak-home/cache" \
      "$GVENV/bin/python" -m garak --config "$out/garak-config.json" --report_prefix garak \
      > "$out/garak.stdout" 2>&1
    stop_gateway
    if [ ! -s "$out/garak.report.jsonl" ] || ! grep -q "run complete" "$out/garak.stdout"; then
      tail -5 "$out/garak.stdout" >&2
      skip_garak "garak's run against the $target target failed (see $out/garak.stdout)"
      rm -f "$out/garak.report.jsonl"
    fi
  fi
done
stop_gateway

python3 "$HERE/probes/compare.py" report "$RUN" "$GARAK_VERSION" "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
