#!/usr/bin/env bash
# The pre-commit hooks of this repository, used the way a user uses them: pre-commit from PyPI (pinned, in a
# virtualenv at target/precommit-venv), a throwaway git repository whose .pre-commit-config.yaml points at a
# snapshot of this repository's working tree, `pre-commit install`, then commits:
#   1. a clean file: the commit goes through;
#   2. a file with a credential (made up at run time): the `warden-secrets` hook refuses the commit;
#   3. the same with the `warden` hook (every analyzer): refused too.
# pre-commit builds the hooks itself (`cargo install --bins --root ENV --path .` in its clone), exactly as on a
# user's machine. One change, unless WARDEN_PRECOMMIT_RELEASE=1: a `cargo` shim first on pre-commit's PATH adds
# `--debug --locked` to that `cargo install` and points it at this workspace's target directory
# (WARDEN_PRECOMMIT_TARGET, default target/), so it reuses the dependencies the test build compiled instead of a
# from-scratch release build (about ten minutes on two cores).
# Prints a transcript on stderr; exits 0 when every expectation holds.
set -euo pipefail

PRE_COMMIT_VERSION=4.7.0
# pre-commit and everything it brings, pinned, so a new release of any of them never changes what this runs.
REQUIREMENTS=(
    "pre-commit==$PRE_COMMIT_VERSION" cfgv==3.5.0 distlib==0.4.4 filelock==4.3.1 identify==2.6.20
    nodeenv==1.12.0 packaging==26.4 platformdirs==4.14.9 python-discovery==1.9.6 PyYAML==6.0.4
    virtualenv==21.15.11
)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WARDEN_PRECOMMIT_VENV:-$ROOT/target/precommit-venv}"
TARGET="${WARDEN_PRECOMMIT_TARGET:-${CARGO_TARGET_DIR:-$ROOT/target}}"
PY="${PYTHON:-python3}"

say() { echo "precommit: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

mkdir -p "$(dirname "$VENV")"
if ! "$VENV/bin/pre-commit" --version 2> /dev/null | grep -qx "pre-commit $PRE_COMMIT_VERSION"; then
    say "installing pre-commit $PRE_COMMIT_VERSION from PyPI into $VENV"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" >&2
fi
PRE_COMMIT="$VENV/bin/pre-commit"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Rust stays where it is (the toolchain, the registry cache); git and pre-commit get a home of their own.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export HOME="$WORK/home" # no user git config, no user pre-commit cache
mkdir -p "$HOME"
export PRE_COMMIT_HOME="$WORK/pre-commit-cache"
export GIT_CONFIG_NOSYSTEM=1
git config --global user.name "warden test"
git config --global user.email "test@example.invalid"
git config --global init.defaultBranch main
git config --global protocol.file.allow always

# The hook repository: this working tree as it is (tracked and untracked files, not target/), committed, so
# what is tested is what is here, committed or not.
HOOKS="$WORK/hooks"
mkdir -p "$HOOKS"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | grep -zv '^target/' | xargs -0 tar -cf - 2> /dev/null) \
    | tar -xf - -C "$HOOKS"
# The snapshot's workspace crates get a version of their own. Cargo names a path crate's build outputs by its
# path relative to the workspace and its version, not by where the workspace is: built unchanged in the shared
# target directory, the snapshot's crates would be rebuilt in place under the outer build's file names (their
# sources are at another path, so they are stale there), and a `cargo test` running this script would then link
# its doc-tests against them. Registry crates keep their names and are reused.
sed -i 's/^version = "0\.1\.0"$/version = "0.1.0-hooks"/' "$HOOKS/Cargo.toml"
sed -i '/^name = "warden/{n;s/^version = "0\.1\.0"$/version = "0.1.0-hooks"/}' "$HOOKS/Cargo.lock"
git -C "$HOOKS" init -q
git -C "$HOOKS" add -A > /dev/null
git -C "$HOOKS" commit -qm "hooks snapshot"
REV="$(git -C "$HOOKS" rev-parse HEAD)"

# The cargo shim (see above). pre-commit finds `cargo` on PATH for `cargo --version` and `cargo install`.
REAL_CARGO="$(command -v cargo)" || die "no cargo on PATH: language: rust hooks need a Rust toolchain"
if [ "${WARDEN_PRECOMMIT_RELEASE:-0}" != 1 ]; then
    mkdir -p "$WORK/shim"
    cat > "$WORK/shim/cargo" << EOF
#!/bin/sh
if [ "\$1" = install ]; then
    shift
    # Run from a cargo test, the variables cargo set for it must not reach this build: a build script watching
    # one (ring watches CARGO_MANIFEST_DIR) would rebuild in place what the outer build made.
    for v in \$(env | sed -n 's/^\(CARGO_[A-Z0-9_]*\)=.*/\1/p'); do
        case "\$v" in CARGO_HOME) ;; *) unset "\$v" ;; esac
    done
    CARGO_TARGET_DIR="$TARGET" exec "$REAL_CARGO" install --debug --locked "\$@"
fi
exec "$REAL_CARGO" "\$@"
EOF
    chmod +x "$WORK/shim/cargo"
    export PATH="$WORK/shim:$PATH"
fi

# The user's repository.
REPO="$WORK/project"
mkdir -p "$REPO"
cd "$REPO"
git init -q
cat > .pre-commit-config.yaml << EOF
repos:
  - repo: $HOOKS
    rev: $REV
    hooks:
      - id: warden-secrets
EOF
echo "print('hello')" > app.py
git add .
"$PRE_COMMIT" install >&2
say "first commit (pre-commit builds warden from $HOOKS)"
git commit -qm "clean start" < /dev/null >&2 || die "a clean commit was refused"
say "clean commit: accepted"

# A made-up Slack bot token, assembled here so no file of this repository holds one.
KEY="xoxb-2847561930-4719305826371-$(printf '%s' Qm7vT2kPzR8xW3nL5bY9cH4d)"
printf 'SLACK_TOKEN = "%s"\n' "$KEY" > settings.py
git add settings.py
if git commit -qm "add settings" < /dev/null > "$WORK/out.txt" 2>&1; then
    cat "$WORK/out.txt" >&2
    die "warden-secrets let a commit with a credential through"
fi
cat "$WORK/out.txt" >&2
grep -q "secrets/slack-bot-token" "$WORK/out.txt" || die "the refusal does not name the rule"
grep -qF "$KEY" "$WORK/out.txt" && die "the hook printed the credential whole"
say "commit with a credential: refused by warden-secrets"

# The whole analysis: the `warden` hook.
cat > .pre-commit-config.yaml << EOF
repos:
  - repo: $HOOKS
    rev: $REV
    hooks:
      - id: warden
EOF
git add .pre-commit-config.yaml
if git commit -qm "add settings, every analyzer" < /dev/null > "$WORK/out.txt" 2>&1; then
    cat "$WORK/out.txt" >&2
    die "the warden hook let a commit with a credential through"
fi
cat "$WORK/out.txt" >&2
grep -q "secrets/slack-bot-token" "$WORK/out.txt" || die "the warden hook's refusal does not name the rule"
say "commit with a credential: refused by warden"

git rm -q --cached settings.py
rm settings.py
git commit -qm "every analyzer, nothing to find" < /dev/null >&2 || die "a clean commit was refused by the warden hook"
say "clean commit under the warden hook: accepted"
say "ok"
