#!/usr/bin/env bash
# Bounded fuzzing: builds every cargo-fuzz target in fuzz/ once, then runs each for FUZZ_SECONDS (default 20) on
# a scratch copy of its seeds (fuzz/corpus/<target>/ never grows). Exits non-zero on any crash, naming the
# crashing input. Idempotent: installs cargo-fuzz only when missing.
#   FUZZ_SECONDS=60 scripts/fuzz.sh          # longer
#   FUZZ_TARGETS="decode engine" scripts/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-20}
max_len=${FUZZ_MAX_LEN:-65536}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked || { echo "fuzz: cannot install cargo-fuzz"; exit 1; }
fi

# cargo fuzz needs nightly flags (-Zsanitizer). Without a nightly toolchain, the default one is told to allow
# them (RUSTC_BOOTSTRAP=1), since no other toolchain can be installed on some machines.
tc=(+nightly)
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain; using $(rustc --version) with RUSTC_BOOTSTRAP=1"
    tc=()
    export RUSTC_BOOTSTRAP=1
fi

targets=${FUZZ_TARGETS:-$(cd fuzz && cargo "${tc[@]}" fuzz list)}
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 1; }

build_start=$SECONDS
# cargo fuzz has no --locked: check first that fuzz/Cargo.lock is complete as committed (fails if cargo would
# have to change it). Then release with debug assertions, without a sanitizer (safe Rust; twice the runs).
if ! (cd fuzz && cargo "${tc[@]}" fetch --locked && cargo "${tc[@]}" fuzz build -s none); then
    echo "fuzz: build failed"
    exit 1
fi
echo "fuzz: built $(echo $targets | wc -w) targets in $((SECONDS - build_start))s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
crashed=()
summary=()
for t in $targets; do
    mkdir -p "$scratch/$t" "fuzz/artifacts/$t"
    cp -R "fuzz/corpus/$t/." "$scratch/$t/" 2>/dev/null || true
    log="$scratch/$t.log"
    start=$SECONDS
    (cd fuzz && cargo "${tc[@]}" fuzz run -s none "$t" "$scratch/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$max_len" \
        -timeout=25 -print_final_stats=1) >"$log" 2>&1
    status=$?
    took=$((SECONDS - start))
    runs=$(grep -oE '^Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+')
    if [ "$status" -ne 0 ]; then
        cp "$log" "fuzz/artifacts/$t/last-run.log"
        grep -E -A3 'panicked at|^SUMMARY|^==[0-9]+==ERROR' "$log" | head -n 30
        grep -E '^Base64: ' "$log" | tail -1
        input=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | awk '{print $NF}')
        echo "fuzz: $t: CRASH after ${took}s (exit $status); input: ${input:-none written}; log: fuzz/artifacts/$t/last-run.log"
        echo "fuzz: reproduce: (cd fuzz && cargo ${tc[*]} fuzz run -s none $t ${input:-<input>})"
        crashed+=("$t")
    else
        echo "fuzz: $t: ${runs:-?} runs in ${took}s, no crash"
    fi
    summary+=("$t")
done

n=${#summary[@]}
if [ ${#crashed[@]} -gt 0 ]; then
    echo "fuzz: $n targets, ${#crashed[@]} crashed (${crashed[*]})"
    exit 1
fi
echo "fuzz: $n targets, no crashes"
