#!/usr/bin/env bash
# The GitHub Action's logic (action.yml calls it), kept here so it runs and is tested outside GitHub
# (tests/ci.rs). Everything comes in through environment variables, never through `${{ }}` in a script.
#
#   github-action.sh cache-key   print the actions/cache key for the build (to $GITHUB_OUTPUT as `key`)
#   github-action.sh scan        build warden if needed, scan, write SARIF, outputs and the step summary
#
# Inputs (action.yml maps its inputs onto them):
#   WARDEN            an existing warden binary; empty: `cargo install --locked --path "$WARDEN_SOURCE"`
#   WARDEN_SOURCE     warden's source to build (default: $GITHUB_ACTION_PATH, the action's own checkout)
#   WARDEN_INSTALL_ROOT, WARDEN_CARGO_ARGS  where `cargo install` puts it (default: $CARGO_HOME) and more
#                     arguments for it (tests pass `--debug` to reuse their build)
#   WARDEN_PATH       what to scan (default: .)
#   WARDEN_ARGS       more `warden scan` arguments, split on whitespace (no globbing, no evaluation)
#   WARDEN_FAIL_ON    info|low|medium|high|critical|none (default: high)
#   WARDEN_SARIF      the SARIF file to write (default: warden.sarif)
#   WARDEN_DIFF       true (default): on a pull request scan only what it changed; false: everything
#   WARDEN_BASE_SHA   the pull request's base commit (github.event.pull_request.base.sha)
#   WARDEN_REF        the action's ref (github.action_ref), part of the cache key
#   GITHUB_EVENT_NAME, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY: as GitHub sets them (unset: not written)
#
# Exit status: warden's own. 0 nothing at or above WARDEN_FAIL_ON, 1 findings at or above it, 2 an error
# (bad arguments, unreadable input); the SARIF file is written in every case warden could write it.
# Backticks in single-quoted printf formats are Markdown, not command substitution.
# shellcheck disable=SC2016
set -euo pipefail

say() { printf 'warden-action: %s\n' "$*" >&2; }
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

output() {
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

summary() {
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        cat >>"$GITHUB_STEP_SUMMARY"
    else
        cat >/dev/null
    fi
}

source_dir() {
    local src="${WARDEN_SOURCE:-${GITHUB_ACTION_PATH:-}}"
    if [[ -z "$src" ]]; then
        src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    fi
    printf '%s\n' "$src"
}

cache_key() {
    local src lock
    src="$(source_dir)"
    lock="$(sha256sum "$src/Cargo.lock" "$src/Cargo.toml" | sha256sum | cut -c1-16)"
    # The action's ref (a tag or SHA) keeps builds of different warden versions apart.
    local ref="${WARDEN_REF:-local}"
    local key="warden-${RUNNER_OS:-$(uname -s)}-${ref//[^A-Za-z0-9._-]/_}-${lock}"
    output key "$key"
    printf '%s\n' "$key"
}

# The binary to run: WARDEN when given, else one built from the action's source.
resolve_warden() {
    given_warden || build_warden "$(source_dir)"
}

# `--diff BASE..HEAD` on a pull request, with the base commit fetched when a shallow checkout lacks it.
diff_args() {
    case "${GITHUB_EVENT_NAME:-}" in
    pull_request | pull_request_target) ;;
    *) return 0 ;;
    esac
    if [[ "${WARDEN_DIFF:-true}" != "true" ]]; then
        return 0
    fi
    local base="${WARDEN_BASE_SHA:-}"
    if [[ -z "$base" ]]; then
        say "pull request without a base commit: scanning everything"
        return 0
    fi
    have_commit "$base" "the base commit" || return 0
    printf '%s\n' "--diff" "$base..HEAD"
}

# Counts and the first findings, read back from the SARIF file (python3 is on every GitHub-hosted runner).
describe() {
    local sarif="$1"
    python3 - "$sarif" <<'PY' 2>/dev/null || true
import json, sys
try:
    run = json.load(open(sys.argv[1]))["runs"][0]
except Exception:
    sys.exit(0)
order = ["critical", "high", "medium", "low", "info"]
counts = dict.fromkeys(order, 0)
rows = []
for r in run.get("results", []):
    sev = r.get("properties", {}).get("severity", "info")
    counts[sev] = counts.get(sev, 0) + 1
    loc = r["locations"][0]["physicalLocation"]
    where = "%s:%s" % (loc["artifactLocation"]["uri"], loc.get("region", {}).get("startLine", 1))
    msg = r["message"]["text"].replace("|", "\\|").replace("\n", " ")
    rows.append((order.index(sev) if sev in order else 5, sev, r["ruleId"], where, msg))
print("total=%d" % sum(counts.values()))
for s in order:
    print("%s=%d" % (s, counts[s]))
rows.sort(key=lambda x: x[0])
for _, sev, rule, where, msg in rows[:20]:
    print("row=| %s | `%s` | `%s` | %s |" % (sev, rule, where, msg[:200]))
if len(rows) > 20:
    print("more=%d" % (len(rows) - 20))
PY
}

scan() {
    local -a extra=() diff=()
    scan_inputs
    local warden path fail_on sarif
    warden="$(resolve_warden)"
    path="${WARDEN_PATH:-.}"
    fail_on="${WARDEN_FAIL_ON:-high}"
    sarif="${WARDEN_SARIF:-warden.sarif}"
    mapfile -t diff < <(diff_args)
    local -a cmd=("$warden" scan "$path" --format sarif --output "$sarif" --fail-on "$fail_on"
        --no-progress "${diff[@]}" "${extra[@]}")
    say "${cmd[*]}"
    local code=0
    "${cmd[@]}" || code=$?

    output exit-code "$code"
    if [[ -f "$sarif" ]]; then
        output sarif-file "$sarif"
    fi
    local total=0 more=0 rows="" critical=0 high=0 medium=0 low=0 info=0 line
    if [[ -f "$sarif" ]]; then
        while IFS= read -r line; do
            case "$line" in
            total=*) total="${line#total=}" ;;
            critical=*) critical="${line#*=}" ;;
            high=*) high="${line#*=}" ;;
            medium=*) medium="${line#*=}" ;;
            low=*) low="${line#*=}" ;;
            info=*) info="${line#*=}" ;;
            more=*) more="${line#more=}" ;;
            row=*) rows+="${line#row=}"$'\n' ;;
            esac
        done < <(describe "$sarif")
    fi
    output findings "$total"
    local verdict
    case "$code" in
    0) verdict="✅ passed: nothing at or above \`$fail_on\`" ;;
    1) verdict="❌ failed: findings at or above \`$fail_on\`" ;;
    *) verdict="⚠️ error (exit $code): the scan is incomplete, see the job log" ;;
    esac
    {
        printf '## warden\n\n%s\n\n' "$verdict"
        if [[ ${#diff[@]} -gt 0 ]]; then
            printf 'Scanned what the pull request changed (`%s`).\n\n' "${diff[1]}"
        fi
        printf '| critical | high | medium | low | info | total |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n'
        printf '| %s | %s | %s | %s | %s | %s |\n\n' "$critical" "$high" "$medium" "$low" "$info" "$total"
        if [[ -n "$rows" ]]; then
            printf '| severity | rule | location | message |\n| --- | --- | --- | --- |\n%s' "$rows"
            if [[ "$more" -gt 0 ]]; then
                printf '\n…and %s more in `%s`.\n' "$more" "$sarif"
            fi
        fi
    } | summary
    say "exit $code, $total findings (SARIF: $sarif)"
    return "$code"
}

case "${1:-scan}" in
cache-key) cache_key ;;
scan) scan ;;
*)
    say "unknown command ${1}: cache-key or scan"
    exit 2
    ;;
esac
