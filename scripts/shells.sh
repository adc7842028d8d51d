#!/usr/bin/env bash
# Makes sure the shells, man-page tools and editor the tests drive are on this machine: zsh and fish
# (Debian's packages) for the completion scripts, man-db and groff-base for rendering the man page
# (tests/shell.rs), Neovim for the language server (tests/lsp_neovim.rs). bash is always there. Idempotent: a no-op when every command is found. Installs with apt-get otherwise (as root, or
# through sudo when available).
set -euo pipefail
missing=()
command -v zsh > /dev/null || missing+=(zsh)
command -v fish > /dev/null || missing+=(fish)
command -v man > /dev/null || missing+=(man-db)
command -v groff > /dev/null || missing+=(groff-base)
command -v nvim > /dev/null || missing+=(neovim)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "shells: installing Debian's ${missing[*]} for the completion and man page tests"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo > /dev/null || { echo "shells: need root or sudo to install ${missing[*]}"; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -o DPkg::Lock::Timeout=300 -y -qq --no-install-recommends "${missing[@]}" > /dev/null
for c in zsh fish man groff nvim; do
    command -v "$c" > /dev/null || { echo "shells: $c still missing after apt-get install"; exit 1; }
done
