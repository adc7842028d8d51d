#!/usr/bin/env bash
# The GitLab CI template's logic (ci/gitlab/warden.gitlab-ci.yml runs it), kept here so it runs and is tested
# outside GitLab (tests/ci.rs). It writes three reports into the project directory:
#
#   gl-secret-detection-report.json   `artifacts: reports: secret_detection:` (the secrets analyzer)
#   gl-sast-report.json               `artifacts: reports: sast:` (code, config, models, AI, dependencies)
#   warden.sarif                      SARIF 2.1.0, for anything else that reads it
#
# Inputs (the template's variables):
#   WARDEN          an existing warden binary; empty: `warden` on PATH, else built from WARDEN_SOURCE
#   WARDEN_SOURCE   warden's source to build with `cargo install --locked --path` (default: next to this script)
#   WARDEN_INSTALL_ROOT, WARDEN_CARGO_ARGS  where `cargo install` puts it (default: $CARGO_HOME) and more
#                   arguments for it (tests pass `--debug` to reuse their build)
#   WARDEN_PATH     what to scan (default: .)
#   WARDEN_ARGS     more `warden scan` arguments, split on whitespace (no globbing, no evaluation)
#   WARDEN_FAIL_ON  info|low|medium|high|critical|none (default: high)
#   WARDEN_DIFF     true (default): in a merge request pipeline scan only what it changed; false: everything
#   WARDEN_REPORT_DIR  where the reports go (default: $CI_PROJECT_DIR, else .)
#   CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_COMMIT_SHA: as GitLab sets them
#
# Exit status: warden's. 0 nothing at or above WARDEN_FAIL_ON, 1 findings at or above it, 2 an error.
set -euo pipefail

say() { printf 'warden-gitlab: %s\n' "$*" >&2; }
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

resolve_warden() {
    given_warden || command -v warden ||
        build_warden "${WARDEN_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
}

# `--diff BASE..HEAD` in a merge request pipeline, with the base commit fetched when the clone is too shallow.
diff_args() {
    local base="${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}"
    if [[ -z "$base" || "${WARDEN_DIFF:-true}" != "true" ]]; then
        return 0
    fi
    local head="${CI_COMMIT_SHA:-HEAD}"
    have_commit "$base" "the merge request's base commit" || return 0
    printf '%s\n' "--diff" "$base..$head"
}

main() {
    local -a extra=() diff=()
    scan_inputs
    local warden path fail_on dir
    warden="$(resolve_warden)"
    path="${WARDEN_PATH:-.}"
    fail_on="${WARDEN_FAIL_ON:-high}"
    dir="${WARDEN_REPORT_DIR:-${CI_PROJECT_DIR:-.}}"
    mapfile -t diff < <(diff_args)
    if [[ ${#diff[@]} -gt 0 ]]; then
        say "merge request: scanning what ${diff[1]} changed"
    fi

    # One scan per report: GitLab reads each report type from its own file. They are written aside and moved
    # in at the end, so no scan reads another's report.
    local format file code=0 worst=0
    tmp="$(mktemp -d)"
    trap 'rm -rf "${tmp:-}"' EXIT
    for format in gitlab-secrets:gl-secret-detection-report.json gitlab-sast:gl-sast-report.json sarif:warden.sarif; do
        file="$tmp/${format#*:}"
        code=0
        "$warden" scan "$path" --format "${format%%:*}" --output "$file" --fail-on "$fail_on" --no-progress \
            "${diff[@]}" "${extra[@]}" || code=$?
        say "${format%%:*}: $dir/${format#*:} (exit $code)"
        if ((code > worst)); then
            worst=$code
        fi
    done
    mv "$tmp"/* "$dir/" 2>/dev/null || true

    # The job log's summary: vulnerabilities by severity in the two GitLab reports (one `"severity"` line each).
    local sev n line=""
    for sev in Critical High Medium Low Info; do
        n=$(cat "$dir/gl-secret-detection-report.json" "$dir/gl-sast-report.json" 2>/dev/null |
            grep -c "^      \"severity\": \"$sev\"" || true)
        line+=" ${sev,,}=$n"
    done
    say "findings:$line"
    case "$worst" in
    0) say "passed: nothing at or above $fail_on" ;;
    1) say "failed: findings at or above $fail_on" ;;
    *) say "error (exit $worst): the scan is incomplete" ;;
    esac
    return "$worst"
}

main "$@"
