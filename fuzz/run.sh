#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds (default 60) on stable Rust.
# cargo-fuzz needs nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets
# the stable toolchain accept them. New corpus entries go to a scratch copy so
# the committed seeds stay small.
set -euo pipefail
secs="${1:-60}"
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
cargo fuzz build
targets=(response_head body_decoder url request json_select compressed_frame set_cookie)
status=0
for t in "${targets[@]}"; do
    work="target/corpus-run/$t"
    mkdir -p "$work"
    log="target/fuzz-$t.log"
    if cargo fuzz run "$t" "$work" "corpus/$t" -- -max_total_time="$secs" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
    fi
    stats=$(grep -E '^(#[0-9]+|Done)' "$log" | tail -1 || true)
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    persec=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    printf '%-14s %-6s execs=%s execs/s=%s  %s\n' "$t" "$result" "${execs:-?}" "${persec:-?}" "$stats"
    if [ "$result" = FAILED ]; then
        grep -E 'panicked|ERROR|SUMMARY|artifact' "$log" | head -5 || true
    fi
done
exit "$status"
