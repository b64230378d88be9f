#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for a bounded time and prints how many inputs it executed.
#
#   scripts/fuzz.sh            # every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh routes
#
# Needs the nightly toolchain (cargo-fuzz builds with sanitizers); installs cargo-fuzz when it is missing.
# A finding stops the run with a non-zero exit; its input is saved under fuzz/artifacts/<target>/ and replays
# with `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(routes decode filter)
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cargo +nightly fuzz build 2>&1 | tail -n 1
status=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    log="$(mktemp)"
    started=$(date +%s)
    # A target's own dictionary (fuzz/<target>.dict) when it has one, else the JSON one.
    dict="$PWD/fuzz/$target.dict"
    [ -f "$dict" ] || dict="$PWD/fuzz/json.dict"
    # -rss_limit_mb: the seed state and one body per input stay far below it; a leak does not.
    if ! cargo +nightly fuzz run "$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -dict="$dict" >"$log" 2>&1; then
        status=1
        echo "fuzz.sh: $target found a failure:" >&2
        grep -E "panicked|ERROR|SUMMARY|Test unit written|Base64" "$log" >&2 || tail -n 40 "$log" >&2
    fi
    elapsed=$(( $(date +%s) - started ))
    execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
    echo "fuzz $target: ${execs:-?} executions in ${elapsed}s (coverage ${cov:-?} edges, corpus $(ls "fuzz/corpus/$target" | wc -l) inputs)"
    rm -f "$log"
done
exit $status
