#!/usr/bin/env bash
# warden serve at scale (bench/server/README.md): a throwaway PostgreSQL, `warden serve` on 127.0.0.1, REPOS x
# FINDINGS_PER_REPO findings uploaded through the API (throughput), BURST concurrent uploads of BURST_FINDINGS-finding
# scans (new repositories, then rescans with a few changes), and p50/p99 latency of the overview, queue and finding
# pages and the JSON findings list (sequential, and LAT_CLIENTS clients at once). Then the same reads on SQLite at
# SQLITE_REPOS x FINDINGS_PER_REPO (0 skips it). Prints one table with the targets; everything it started is stopped
# and its temporary directories removed on exit, failed or not.
#
#   bench/server/run.sh                              # full: 1,000 x 1,000 findings (~1M), 64 x 5,000, SQLite 100k
#   REPOS=20 BURST=8 BURST_FINDINGS=500 SQLITE_REPOS=5 LAT_N=50 bench/server/run.sh   # quick
#
# Environment: REPOS (1000), FINDINGS_PER_REPO (1000), UPLOAD_CLIENTS (4), BURST (64; 0 skips the bursts),
# BURST_FINDINGS (5000), BURST_CHANGES (50: per rescan, that many dropped, added and reworded), LAT_N (200),
# LAT_WARMUP (10), LAT_CLIENTS (8), LAT_CONC_N (200), EXTRA_N (20: requests of each extra page; 0 skips them),
# SQLITE_REPOS (100; 0 skips SQLite), CONNECTIONS (8), PG_OPTS (server settings, below), WARDEN (a warden binary to
# use instead of building one), KEEP_WORK=1 (keep the temporary directory). Results: bench/server/work/ (last-run.txt,
# last-run.jsonl, explain-postgres.txt, pg-stats-*.txt).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REPOS=${REPOS:-1000}
FINDINGS_PER_REPO=${FINDINGS_PER_REPO:-1000}
UPLOAD_CLIENTS=${UPLOAD_CLIENTS:-4}
BURST=${BURST:-64}
BURST_FINDINGS=${BURST_FINDINGS:-5000}
BURST_CHANGES=${BURST_CHANGES:-50}
LAT_N=${LAT_N:-200}
LAT_WARMUP=${LAT_WARMUP:-10}
LAT_CLIENTS=${LAT_CLIENTS:-8}
LAT_CONC_N=${LAT_CONC_N:-200}
EXTRA_N=${EXTRA_N:-20}
SQLITE_REPOS=${SQLITE_REPOS:-100}
CONNECTIONS=${CONNECTIONS:-8}
# A bench, not a database anyone keeps: fsync is off (commits do not wait for the disk). shared_buffers is sized
# for the data set, as a server holding a million findings would be.
PG_OPTS=${PG_OPTS:--c fsync=off -c shared_buffers=1GB -c shared_preload_libraries=pg_stat_statements}
PY=python3
LOAD="$HERE/load.py"

mkdir -p "$HERE/work"
TMP="$(mktemp -d /tmp/warden-server-bench.XXXXXX)"
RESULTS="$HERE/work/last-run.jsonl"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED=$(date +%s)
: > "$RESULTS"
SERVER_PID=""
PG_DATA=""
PG_BIN=""
AS_POSTGRES=0

as_pg() {
  if [ "$AS_POSTGRES" = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

CHILD=""
child() {  # runs a long step in the background and waits for it, so that INT/TERM stop the run at once
  "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  return $rc
}

cleanup() {
  local rc=$?
  if [ -n "$CHILD" ]; then kill "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  stop_server
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop > /dev/null 2>&1 || true
  fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "run.sh: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() {  # URL, log: waits until the server answers /healthz, or fails with its log
  for _ in $(seq 1 600); do
    if $PY -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1]+'/healthz', timeout=2)" "$1" 2>/dev/null; then
      return 0
    fi
    if [ -n "$SERVER_PID" ] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "run.sh: warden serve exited:" >&2; cat "$2" >&2; return 1
    fi
    sleep 0.2
  done
  echo "run.sh: warden serve did not answer:" >&2; cat "$2" >&2; return 1
}

start_server() {  # DB, log: starts warden serve on a free port of 127.0.0.1 and sets URL
  local port
  port=$(free_port)
  URL="http://127.0.0.1:$port"
  "$WARDEN" serve --db "$1" --listen "127.0.0.1:$port" --connections "$CONNECTIONS" --insecure-cookies \
    > "$2" 2>&1 &
  SERVER_PID=$!
  wait_http "$URL" "$2"
}

new_token() {  # DB: an admin token, printed on stdout by warden
  "$WARDEN" token create --name bench --role admin --expires 1d --db "$1" | tail -n 1
}

# --- 1. warden, PostgreSQL ------------------------------------------------------------------------------------
WARDEN_GIVEN="${WARDEN:-}"
if [ -z "${WARDEN:-}" ]; then
  echo "== building warden (release)" >&2
  child bash -c 'cd "$1" && cargo build -q --release -p warden' _ "$ROOT"
  WARDEN="${CARGO_TARGET_DIR:-$ROOT/target}/release/warden"
fi
[ -x "$WARDEN" ] || { echo "run.sh: $WARDEN is not executable" >&2; exit 1; }
# What was measured: the tree the binary was built from (run.sh's own build), else the binary given.
if [ -z "${WARDEN_GIVEN:-}" ]; then
  COMMIT="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD -- crates 2>/dev/null || echo ' + uncommitted changes in crates/')"
else
  COMMIT="(binary $WARDEN given; tree at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
fi
"$ROOT/scripts/postgres.sh"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
[ "$(id -u)" = 0 ] && AS_POSTGRES=1
PG_DIR="$TMP/pg"
mkdir -p "$PG_DIR"
if [ "$AS_POSTGRES" = 1 ]; then
  # PostgreSQL refuses to run as root: the package's `postgres` user owns and runs it.
  chmod 755 "$TMP"
  chown -R postgres "$PG_DIR"
fi
PG_DATA="$PG_DIR/data"
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U warden -A trust --no-sync -E UTF8 > "$PG_DIR/initdb.log"
PG_PORT=$(free_port)
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR $PG_OPTS" start > /dev/null
PG_URL="postgres://warden@127.0.0.1:$PG_PORT/postgres"
psql_to() {  # FILE OUT: runs a bench SQL file against the bench's PostgreSQL (diagnosis only; never fails the run)
  if [ -x "$PG_BIN/psql" ]; then
    "$PG_BIN/psql" -q -X -h 127.0.0.1 -p "$PG_PORT" -U warden -d postgres -f "$1" > "$2" 2>&1 || true
  fi
}
if [[ "$PG_OPTS" == *pg_stat_statements* ]]; then
  "$PG_BIN/psql" -q -X -h 127.0.0.1 -p "$PG_PORT" -U warden -d postgres \
    -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" > /dev/null 2>&1 || true
fi
PG_VERSION="$("$PG_BIN/postgres" --version)"
echo "== $PG_VERSION on 127.0.0.1:$PG_PORT ($PG_OPTS)" >&2

TOKEN="$(new_token "$PG_URL")"
export WARDEN_BENCH_TOKEN="$TOKEN"
start_server "$PG_URL" "$TMP/serve-pg.log"
echo "== warden serve on $URL, $CONNECTIONS store connections" >&2
WATCH="warden=$SERVER_PID,postgres=$(head -n 1 "$PG_DATA/postmaster.pid")"

# --- 2. bulk load ----------------------------------------------------------------------------------------------
echo "== generating $REPOS scans of $FINDINGS_PER_REPO findings" >&2
child $PY "$LOAD" gen --out "$TMP/bodies" --prefix svc --repos "$REPOS" --per-repo "$FINDINGS_PER_REPO"
echo "== uploading ($UPLOAD_CLIENTS clients)" >&2
child $PY "$LOAD" load --url "$URL" --results "$RESULTS" --backend postgres --watch "$WATCH" --dir "$TMP/bodies" \
  --clients "$UPLOAD_CLIENTS" --label "bulk load" > /dev/null
rm -rf "$TMP/bodies"

# --- 4. read latency at REPOS x FINDINGS_PER_REPO (before the bursts add to it) --------------------------------
echo "== read latency (postgres)" >&2
child $PY "$LOAD" latency --url "$URL" --results "$RESULTS" --backend postgres --n "$LAT_N" --warmup "$LAT_WARMUP" \
  --conc "$LAT_CLIENTS" --conc-n "$LAT_CONC_N" --extra-n "$EXTRA_N" > /dev/null
# What PostgreSQL spent its time on so far (load + reads), and the plans of the pages' queries (README: diagnosis).
psql_to "$HERE/stats.sql" "$HERE/work/pg-stats-load-and-reads.txt"
psql_to "$HERE/explain.sql" "$HERE/work/explain-postgres.txt"

# --- 3. concurrent uploads -------------------------------------------------------------------------------------
if [ "$BURST" -gt 0 ]; then
echo "== $BURST concurrent uploads of $BURST_FINDINGS findings: new repositories" >&2
child $PY "$LOAD" burst --url "$URL" --results "$RESULTS" --backend postgres --watch "$WATCH" --prefix burst --clients "$BURST" \
  --per-repo "$BURST_FINDINGS" --label "new repositories" > /dev/null
echo "== $BURST concurrent uploads of $BURST_FINDINGS findings: rescans, $BURST_CHANGES fixed + $BURST_CHANGES new + $BURST_CHANGES changed each" >&2
child $PY "$LOAD" burst --url "$URL" --results "$RESULTS" --backend postgres --watch "$WATCH" --prefix burst --clients "$BURST" \
  --per-repo "$BURST_FINDINGS" --rescan --changes "$BURST_CHANGES" --label "rescans" > /dev/null
psql_to "$HERE/stats.sql" "$HERE/work/pg-stats-bursts.txt"
fi

stop_server
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop > /dev/null
rm -rf "$PG_DIR"
PG_DATA=""

# --- 5. SQLite, smaller --------------------------------------------------------------------------------------------
if [ "$SQLITE_REPOS" -gt 0 ]; then
  DB="$TMP/sqlite/warden.db"
  mkdir -p "$TMP/sqlite"
  TOKEN="$(new_token "$DB")"
  export WARDEN_BENCH_TOKEN="$TOKEN"
  # SQLite: one writer at a time; warden's default is 2 connections.
  CONNECTIONS=2 start_server "$DB" "$TMP/serve-sqlite.log"
  echo "== SQLite: generating and uploading $SQLITE_REPOS x $FINDINGS_PER_REPO" >&2
  child $PY "$LOAD" gen --out "$TMP/bodies" --prefix sq --repos "$SQLITE_REPOS" --per-repo "$FINDINGS_PER_REPO"
  child $PY "$LOAD" load --url "$URL" --results "$RESULTS" --backend sqlite --watch "warden=$SERVER_PID" --dir "$TMP/bodies" \
    --clients "$UPLOAD_CLIENTS" --label "bulk load" > /dev/null
  rm -rf "$TMP/bodies"
  echo "== read latency (sqlite)" >&2
  child $PY "$LOAD" latency --url "$URL" --results "$RESULTS" --backend sqlite --n "$LAT_N" --warmup "$LAT_WARMUP" \
    --conc "$LAT_CLIENTS" --conc-n "$LAT_CONC_N" --extra-n "$EXTRA_N" > /dev/null
  stop_server
fi

# --- 6. table --------------------------------------------------------------------------------------------------
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
MACHINE="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr)"
$PY "$LOAD" report --results "$RESULTS" --machine "$MACHINE" --save "$HERE/work/last-run.txt" \
  --notes "warden at $COMMIT|PostgreSQL: $PG_VERSION, throwaway server with $PG_OPTS — fsync=off: commits do not wait for the disk (bench only)|warden serve --connections $CONNECTIONS on PostgreSQL, 2 on SQLite; client: Python threads on the same machine|load average before the run $LOAD_BEFORE, at its end $LOAD_AFTER (the machine is shared); run took $(( $(date +%s) - STARTED )) s|targets (issue): overview and queue p99 < 100 ms at 1M findings on PostgreSQL; uploads >= 20,000 findings/s"
