#!/usr/bin/env bash
# `make test-sanitize`: the pytest runs on the sanitizer firmwares, side by
# side. The suite mostly waits on sockets and timers (a whole run uses about
# a minute of CPU in eight of wall time), so concurrent runs cost little CPU
# and divide the wall time.
#
# Environment (the Makefile sets it): PYTHON, OUT (log directory),
# FIRMWARE_ASAN, FIRMWARE_UBSAN, ASAN_ARGS, ASAN_SHARDS, UBSAN_ARGS,
# REPEAT_TESTS, REPEAT.
set -u

rm -rf "$OUT"
mkdir -p "$OUT"

# run NAME FIRMWARE PYTEST-ARGS...: one pytest run; its reports under
# $OUT/NAME/, its output in $OUT/NAME.log, its exit status in $OUT/NAME.rc.
run() {
    local name=$1 fw=$2
    shift 2
    MICROPYTHON=$fw SANITIZE_LOG_DIR=$OUT/$name "$PYTHON" -m pytest -q "$@" \
        >"$OUT/$name.log" 2>&1
    echo $? >"$OUT/$name.rc"
}

names=()
for k in $(seq "$ASAN_SHARDS"); do
    # shellcheck disable=SC2086
    run "asan-$k" "$FIRMWARE_ASAN" $ASAN_ARGS "--shard=$k/$ASAN_SHARDS" &
    names+=("asan-$k")
done
# shellcheck disable=SC2086
run ubsan "$FIRMWARE_UBSAN" $UBSAN_ARGS &
names+=(ubsan)
wait

# Races: named tests again and again on the ASan build, one after another.
if [ -n "${REPEAT_TESTS// /}" ]; then
    for i in $(seq "$REPEAT"); do
        # shellcheck disable=SC2086
        run "asan-repeat-$i" "$FIRMWARE_ASAN" $REPEAT_TESTS
        names+=("asan-repeat-$i")
    done
fi

rc=0
for name in "${names[@]}"; do
    status=$(cat "$OUT/$name.rc")
    echo "=== $name (exit $status): $OUT/$name.log"
    tail -n 25 "$OUT/$name.log"
    [ "$status" = 0 ] || rc=1
done
exit $rc
