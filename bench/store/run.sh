#!/usr/bin/env bash
# The findings store at scale: record N findings, diff a rescan with 1% changed, a rescan where every context
# changed, the triage query, and audit verification — on SQLite and on PostgreSQL (a throwaway server from
# Debian's postgresql package, installed by scripts/postgres.sh when missing; or WARDEN_BENCH_PG=postgres://…).
# Usage: bench/store/run.sh [N] (default 1000000; ~4 min and ~3 GB at 1M on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/postgres.sh
WARDEN_BENCH_PG=${WARDEN_BENCH_PG:-auto} cargo run -q -p warden-store --release --features testing --locked \
    --example store_bench -- "${1:-1000000}"
