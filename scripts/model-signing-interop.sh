#!/usr/bin/env bash
# Installs the OpenSSF `model_signing` CLI (model-signing 1.1.1 from PyPI, with pyopenssl) into a venv under
# target/model-signing-venv and prints the path of its `model_signing` executable on stdout (progress goes to
# stderr). Idempotent: an existing venv that already has model-signing 1.1.1 is reused as it is.
# The interop test (crates/warden-models/tests/signing.rs, part of `cargo test --workspace`) runs this script
# itself unless WARDEN_MODEL_SIGNING names an executable (or is `skip`, for a machine without PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.1.1
venv=$PWD/target/model-signing-venv
cli=$venv/bin/model_signing

installed() {
    [ -x "$venv/bin/python" ] && [ -x "$cli" ] &&
        [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("model-signing"))' 2>/dev/null)" = "$version" ] &&
        "$venv/bin/python" -c 'import OpenSSL' 2>/dev/null
}

if ! installed; then
    python=${PYTHON:-python3}
    command -v "$python" >/dev/null || { echo "model-signing-interop: $python not found" >&2; exit 1; }
    if [ ! -x "$venv/bin/python" ]; then
        echo "model-signing-interop: creating $venv" >&2
        mkdir -p "$(dirname "$venv")"
        "$python" -m venv "$venv" >&2
    fi
    echo "model-signing-interop: installing model-signing==$version and pyopenssl" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "model-signing==$version" pyopenssl >&2
    installed || { echo "model-signing-interop: $cli missing or not model-signing $version after install" >&2; exit 1; }
fi

echo "$cli"
