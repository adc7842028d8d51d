#!/usr/bin/env bash
# Makes sure the server's browser tests (crates/warden-server/tests/browser.rs) have what they drive: Debian's
# Chromium and ChromeDriver (packages chromium and chromium-driver: /usr/bin/chromium, /usr/bin/chromedriver)
# and the Selenium bindings from PyPI, pinned, in a virtualenv at target/browser-venv of this workspace.
# Idempotent: a no-op when both binaries exist and the venv already has this Selenium. Prints the venv's python
# on its last line of stdout (everything else goes to stderr). Installs with apt-get as root, or through sudo.
# Nothing is ever downloaded by Selenium itself: the tests point it at /usr/bin/chromedriver and set
# SE_OFFLINE=true, so Selenium Manager stays off.
set -euo pipefail

SELENIUM_VERSION=4.51.0
# Selenium and everything it brings, pinned (on Python 3.11 and later), so that a newer release of any of them
# never changes what the tests run on.
REQUIREMENTS=(
    "selenium==$SELENIUM_VERSION" certifi==2026.10.19.post1 trio==0.35.0 trio-websocket==0.12.2
    typing_extensions==4.16.0 websocket-client==1.9.2 attrs==26.1.0 outcome==1.3.0.post0 PySocks==1.7.1
    sniffio==1.3.1 wsproto==1.3.2 idna==3.20 sortedcontainers==2.4.0 urllib3==2.8.0 h11==0.16.0
)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WARDEN_BROWSER_VENV:-$ROOT/target/browser-venv}"
PY="${PYTHON:-python3}"

say() { echo "browser: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$(dirname "$VENV")"
# One install at a time, however many test processes ask at once.
exec 9> "$(dirname "$VENV")/.browser-install.lock"
if command -v flock > /dev/null; then
    flock 9
fi

# Chromium and ChromeDriver, from Debian.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo > /dev/null || die "need root or sudo to install chromium and chromium-driver with apt-get"
        SUDO="sudo -n"
    fi
    command -v apt-get > /dev/null || die "apt-get not found: install chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver) by hand"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2 || die "apt-get update failed"
    # chromium-driver depends on the same chromium version: apt brings both to it.
    $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2 \
        || die "apt-get install chromium chromium-driver failed"
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium still missing after apt-get install"
    [ -x /usr/bin/chromedriver ] || die "/usr/bin/chromedriver still missing after apt-get install"
fi

# Selenium, pinned, in a venv.
have_selenium() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$SELENIUM_VERSION" 2> /dev/null << 'EOF'
import sys
import selenium
sys.exit(0 if selenium.__version__ == sys.argv[1] else 1)
EOF
}

if ! have_selenium; then
    command -v "$PY" > /dev/null || die "$PY not found: need Python 3 (set PYTHON to another interpreter)"
    say "installing selenium==$SELENIUM_VERSION into $VENV"
    rm -rf "$VENV"
    if "$PY" -m venv "$VENV" >&2; then
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${REQUIREMENTS[@]}" >&2 \
            || die "pip install selenium==$SELENIUM_VERSION into $VENV failed"
    else
        # Debian's own python3 has no ensurepip without python3-venv: a venv without pip, filled by the
        # interpreter's pip (pip >= 22.3 installs into another environment with --python).
        rm -rf "$VENV"
        "$PY" -m venv --without-pip "$VENV" >&2 || die "$PY -m venv failed (on Debian: apt-get install python3-venv)"
        "$PY" -m pip --version > /dev/null 2>&1 \
            || die "$PY has neither ensurepip nor pip: apt-get install python3-venv (or python3-pip)"
        "$PY" -m pip --python "$VENV/bin/python" install -q --disable-pip-version-check \
            "${REQUIREMENTS[@]}" >&2 \
            || die "pip install selenium==$SELENIUM_VERSION into $VENV failed"
    fi
    have_selenium || die "selenium==$SELENIUM_VERSION does not import in $VENV"
fi

echo "$VENV/bin/python"
