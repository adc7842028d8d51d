#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (Debian's `postgresql` package) are on this machine, for the store's
# tests, which start a throwaway server of their own (initdb in a temporary directory, a free port on
# 127.0.0.1). Idempotent: a no-op when /usr/lib/postgresql/*/bin/initdb exists. Installs with apt-get otherwise
# (as root, or through sudo when available).
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
    exit 0
fi
echo "postgres: installing Debian's postgresql package for the store's tests"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo > /dev/null || { echo "postgres: need root or sudo to install postgresql"; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql > /dev/null
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || { echo "postgres: initdb still missing"; exit 1; }
