# shellcheck shell=bash
# What scripts/ci/github-action.sh and scripts/ci/gitlab.sh share. Sourced by both, which define `say`.

# WARDEN when it names a binary (exit 2 when it is not an executable); fails when WARDEN is empty.
given_warden() {
    [[ -n "${WARDEN:-}" ]] || return 1
    if [[ ! -x "$WARDEN" ]] && ! command -v "$WARDEN" >/dev/null; then
        say "WARDEN=$WARDEN is not an executable"
        exit 2
    fi
    printf '%s\n' "$WARDEN"
}

# Builds warden from the source directory $1 with `cargo install --locked` into WARDEN_INSTALL_ROOT (default:
# $CARGO_HOME), with WARDEN_CARGO_ARGS added; prints the binary.
build_warden() {
    local src="$1" root="${WARDEN_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}"
    local -a cargo_args=()
    if [[ -n "${WARDEN_CARGO_ARGS:-}" ]]; then
        read -r -a cargo_args <<<"$WARDEN_CARGO_ARGS"
    fi
    say "building warden from $src"
    cargo install --locked --quiet --path "$src" --root "$root" "${cargo_args[@]}" >&2
    printf '%s\n' "$root/bin/warden"
}

# Whether the commit $1 (described as $2) is here, fetched from origin when a shallow clone lacks it.
have_commit() {
    git cat-file -e "$1^{commit}" 2>/dev/null && return 0
    say "fetching $2 $1"
    git fetch --quiet --no-tags --depth=1 origin "$1" </dev/null >&2 && return 0
    say "could not fetch $1: scanning everything"
    return 1
}

# The inputs every scan shares: an empty WARDEN_HASH_KEY (how an unset secret arrives; warden would reject an
# empty key) is dropped, and WARDEN_ARGS is split on whitespace (no globbing, no evaluation) into `extra`, an
# array the caller declares.
scan_inputs() {
    if [[ -z "${WARDEN_HASH_KEY:-}" ]]; then
        unset WARDEN_HASH_KEY
    fi
    if [[ -n "${WARDEN_ARGS:-}" ]]; then
        # shellcheck disable=SC2034 # the caller's array
        read -r -a extra <<<"$WARDEN_ARGS"
    fi
}
