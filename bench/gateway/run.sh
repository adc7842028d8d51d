#!/usr/bin/env bash
# Gateway latency and throughput (bench/gateway/README.md): warden gateway and LiteLLM's proxy in front of the same
# local mock upstream (fixed latency), non-streaming and streaming, at 1, 64 and 512 concurrent clients.
#   bench/gateway/run.sh [--seconds S] [--latency-ms L] [--no-litellm]
# Idempotent: LiteLLM (PyPI litellm[proxy], pinned below) goes into bench/gateway/work/venv once; the loadgen
# example of warden-gateway is built in release mode. Prints one table; the raw JSON lines go to work/last-run.jsonl.
set -euo pipefail
LITELLM_VERSION="1.79.3"  # 1.80+ put the proxy in a separate `litellm-proxy` package the index lacks
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$HERE/work"
SECONDS_PER_RUN=5
LATENCY=20
LITELLM=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --latency-ms) LATENCY="$2"; shift 2 ;;
    --no-litellm) LITELLM=0; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK"
[ -f "$WORK/.gitignore" ] || printf '*\n' > "$WORK/.gitignore"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$ROOT" && cargo build -q --release -p warden-gateway --example loadgen)
LOADGEN="$TARGET/release/examples/loadgen"

if [ "$LITELLM" = 1 ] && [ ! -x "$WORK/venv/bin/litellm" ]; then
  echo "installing litellm[proxy]==$LITELLM_VERSION into $WORK/venv ..." >&2
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install --quiet "litellm[proxy]==$LITELLM_VERSION" >&2 || { echo "run.sh: litellm install failed; LiteLLM rows are skipped" >&2; LITELLM=0; }
fi

out="$WORK/last-run.jsonl"
: > "$out"
for stream in "" "--stream"; do
  for clients in 1 64 512; do
    "$LOADGEN" --clients "$clients" --seconds "$SECONDS_PER_RUN" --latency-ms "$LATENCY" $stream \
      | sed 's/^{/{"proxy":"warden",/' >> "$out"
    if [ "$LITELLM" = 1 ]; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      mockport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      # The mock listens on a port chosen here, so LiteLLM can be pointed at it before the run starts.
      OPENAI_API_KEY=sk-local-bench "$WORK/venv/bin/litellm" --model openai/gpt-4o-mini \
        --api_base "http://127.0.0.1:$mockport/v1" --host 127.0.0.1 --port "$port" --num_workers 1 \
        > "$WORK/litellm.log" 2>&1 &
      lpid=$!
      for _ in $(seq 1 120); do
        curl -s -o /dev/null "http://127.0.0.1:$port/health/liveliness" && break
        sleep 1
      done
      "$LOADGEN" --clients "$clients" --seconds "$SECONDS_PER_RUN" --latency-ms "$LATENCY" $stream \
        --mock-port "$mockport" --target "http://127.0.0.1:$port" \
        | sed 's/^{/{"proxy":"litellm",/' >> "$out" || true
      kill "$lpid" 2>/dev/null || true
      wait "$lpid" 2>/dev/null || true
    fi
  done
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"{'proxy':<8} {'mode':<7} {'clients':>7} {'rps direct':>10} {'rps proxied':>11} {'p50 ms':>8} {'p99 ms':>8} {'added p50':>9} {'added p99':>9} {'errors':>6}")
for r in rows:
    d, p = r["direct"], r["proxied"]
    print(f"{r['proxy']:<8} {'stream' if r['stream'] else 'json':<7} {r['clients']:>7} {d['rps']:>10.0f} {p['rps']:>11.0f} "
          f"{p['p50_ms']:>8.2f} {p['p99_ms']:>8.2f} {r['added_p50_ms']:>9.2f} {r['added_p99_ms']:>9.2f} {p['errors']:>6}")
by = {(r["proxy"], r["stream"], r["clients"]): r for r in rows}
for (proxy, stream, clients), r in sorted(by.items()):
    if proxy == "warden" and ("litellm", stream, clients) in by:
        l = by[("litellm", stream, clients)]
        ratio = r["proxied"]["rps"] / max(l["proxied"]["rps"], 1e-9)
        print(f"{'stream' if stream else 'json'} x{clients}: warden {ratio:.1f}x LiteLLM's throughput")
PY
