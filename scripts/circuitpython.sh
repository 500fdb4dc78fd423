#!/usr/bin/env bash
# CircuitPython's unix port with adafruit_requests built in, for the pytest
# suite (make test-circuitpython) and for the board-flag compile check.
#
#   scripts/circuitpython.sh tree       print the CircuitPython tree in use
#                                       (exit 3 when there is none)
#   scripts/circuitpython.sh firmware   build -> build/circuitpython
#   scripts/circuitpython.sh cflags     compile cmodule/*.c with a board
#                                       port's warning flags (host gcc, and
#                                       arm-none-eabi-gcc when installed)
#
# Where the CircuitPython tree comes from, first match wins:
#   CIRCUITPY_DIR   an unpacked CircuitPython tree (a checkout with its
#                   submodules, or one unpacked by this script)
#   CIRCUITPY_GIT   a clone of adafruit/circuitpython (a bare one will do);
#                   unpacked once into $DEPS_DIR/circuitpython, with
#                   HUFFMAN_GIT (a clone of tannewt/huffman, the one
#                   submodule the unix port needs) as tools/huffman
# No tree at all: exit 3 with a line saying so, so CI can tell "not run"
# from "failed".
#
# CircuitPython's unix port has no socket or TLS module. The firmware gets
# MicroPython's, compiled from MICROPY_DIR (deps/micropython) at build time
# as two extra user C modules: ports/unix/modsocket.c and, with Mbed TLS
# from MicroPython's lib/mbedtls, extmod/modtls_mbedtls.c.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS_DIR=${DEPS_DIR:-$ROOT/deps}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
MICROPY_DIR=${MICROPY_DIR:-$ROOT/deps/micropython}
# Snapshots: a `.mirror` folder beside this checkout, as scripts/deps.sh.
MIRROR=${MIRROR:-$(cd "$ROOT/.." && pwd)/.mirror}
CIRCUITPY_GIT=${CIRCUITPY_GIT:-$MIRROR/adafruit+circuitpython/repo}
HUFFMAN_GIT=${HUFFMAN_GIT:-$MIRROR/tannewt+huffman/repo}
# A snapshot may be a clone with a work tree: its git dir is then .git inside.
[ -d "$CIRCUITPY_GIT/.git" ] && CIRCUITPY_GIT=$CIRCUITPY_GIT/.git
[ -d "$HUFFMAN_GIT/.git" ] && HUFFMAN_GIT=$HUFFMAN_GIT/.git
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

log() { printf '[circuitpython] %s\n' "$*" >&2; }

# The tree, unpacked when only a clone is at hand. Prints its path.
locate_tree() {
    if [ -n "${CIRCUITPY_DIR:-}" ]; then
        if [ ! -f "$CIRCUITPY_DIR/py/circuitpy_mpconfig.h" ]; then
            log "CIRCUITPY_DIR=$CIRCUITPY_DIR is not a CircuitPython tree"
            exit 1
        fi
        echo "$CIRCUITPY_DIR"
        return
    fi
    local dest=$DEPS_DIR/circuitpython
    if [ -f "$dest/.unpacked" ]; then
        echo "$dest"
        return
    fi
    if ! git --git-dir="$CIRCUITPY_GIT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        log "no CircuitPython tree. Either set CIRCUITPY_DIR to a checkout with its"
        log "submodules, or clone two repositories and name them:"
        log "  git clone --bare https://github.com/adafruit/circuitpython cp.git"
        log "  git clone --bare https://github.com/tannewt/huffman huffman.git"
        log "  CIRCUITPY_GIT=\$PWD/cp.git HUFFMAN_GIT=\$PWD/huffman.git make test-circuitpython"
        exit 3
    fi
    if ! git --git-dir="$HUFFMAN_GIT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        log "no clone of https://github.com/tannewt/huffman (the unix port's tools/huffman):"
        log "  git clone --bare https://github.com/tannewt/huffman huffman.git; set HUFFMAN_GIT=\$PWD/huffman.git"
        exit 3
    fi
    log "unpacking $(git --git-dir="$CIRCUITPY_GIT" describe --tags HEAD) into $dest"
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    # Everything but ports/ (some snapshots lack blobs of other ports), then
    # only the unix port.
    local top
    top=$(git --git-dir="$CIRCUITPY_GIT" ls-tree --name-only HEAD | grep -vx ports)
    # shellcheck disable=SC2086
    git --git-dir="$CIRCUITPY_GIT" archive HEAD $top | tar -x -C "$dest.tmp"
    git --git-dir="$CIRCUITPY_GIT" archive --prefix=ports/unix/ HEAD:ports/unix | tar -x -C "$dest.tmp"
    mkdir -p "$dest.tmp/tools/huffman"
    git --git-dir="$HUFFMAN_GIT" archive HEAD | tar -x -C "$dest.tmp/tools/huffman"
    git --git-dir="$CIRCUITPY_GIT" describe --tags HEAD > "$dest.tmp/.cp-version"
    git --git-dir="$CIRCUITPY_GIT" rev-parse HEAD > "$dest.tmp/.cp-commit"
    touch "$dest.tmp/.unpacked"
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
    echo "$dest"
}

# The version string CircuitPython's build would otherwise take from git.
cp_version() {
    local tree=$1
    if [ -n "${CP_VERSION:-}" ]; then
        echo "$CP_VERSION"
    elif [ -f "$tree/.cp-version" ]; then
        cat "$tree/.cp-version"
    else
        git -C "$tree" describe --tags 2>/dev/null || echo 10.0.0-unknown
    fi
}

# USER_C_MODULES is one folder whose subfolders each hold a micropython.mk:
# this repository's module (by reference, so paths stay ours) and the socket
# and TLS modules, whose sources are MicroPython's.
write_user_modules() {
    local mods=$1
    rm -rf "$mods"
    mkdir -p "$mods/adafruit_requests" "$mods/rq_socket" "$mods/rq_tls"
    cat > "$mods/adafruit_requests/micropython.mk" <<EOF
USERMOD_DIR := $ROOT/cmodule
include $ROOT/cmodule/micropython.mk
EOF
    # modsocket.c is compiled only under MICROPY_PY_SOCKET, which
    # CircuitPython's unix port leaves off; the wrapper turns it on for this
    # one file (and for the qstr scan, which reads the same file).
    cat > "$mods/rq_socket/socket.c" <<EOF
#define MICROPY_PY_SOCKET (1)
#include "$MICROPY_DIR/ports/unix/modsocket.c"
EOF
    cat > "$mods/rq_socket/micropython.mk" <<'EOF'
SRC_USERMOD_C += $(USERMOD_DIR)/socket.c
EOF
    local mbed=$MICROPY_DIR/lib/mbedtls
    if [ "${CP_TLS:-1}" = 1 ] && [ -f "$mbed/library/ssl_tls.c" ]; then
        cat > "$mods/rq_tls/tls.c" <<EOF
#define MICROPY_PY_SSL (1)
#define MICROPY_SSL_MBEDTLS (1)
#include "$MICROPY_DIR/extmod/modtls_mbedtls.c"
EOF
        # The port's config includes "extmod/mbedtls/...": give it that one
        # folder, not all of MicroPython's tree (whose py/ would shadow
        # CircuitPython's).
        mkdir -p "$mods/rq_tls/inc/extmod"
        ln -s "$MICROPY_DIR/extmod/mbedtls" "$mods/rq_tls/inc/extmod/mbedtls"
        cat > "$mods/rq_tls/micropython.mk" <<EOF
RQ_MBEDTLS := $mbed
RQ_MPY := $MICROPY_DIR
EOF
        cat >> "$mods/rq_tls/micropython.mk" <<'EOF'
SRC_USERMOD_C += $(USERMOD_DIR)/tls.c
SRC_USERMOD_LIB_C += $(filter-out %/net_sockets.c %/timing.c %/error.c,$(wildcard $(RQ_MBEDTLS)/library/*.c))
SRC_USERMOD_LIB_C += $(RQ_MPY)/lib/mbedtls_errors/mp_mbedtls_errors.c
CFLAGS_USERMOD += -I$(RQ_MBEDTLS)/include -I$(USERMOD_DIR)/inc \
	-DMBEDTLS_CONFIG_FILE='"$(RQ_MPY)/ports/unix/mbedtls/mbedtls_config_port.h"'
EOF
    else
        log "no Mbed TLS under $mbed: building without tls"
        rm -rf "$mods/rq_tls"
    fi
}

build_firmware() {
    local tree version mods out
    tree=$(locate_tree)
    version=$(cp_version "$tree")
    mods=$BUILD_DIR/cp-usermods
    out=$BUILD_DIR/cp-unix
    write_user_modules "$mods"
    log "building the unix port of CircuitPython $version"
    # standard variant without the parts that are submodules (ulab,
    # micropython-lib, berkeley-db) or do not build against CircuitPython's
    # ringbuf (ringio).
    make -C "$tree/ports/unix" -j"$JOBS" VARIANT=standard BUILD="$out" \
        FROZEN_MANIFEST= CIRCUITPY_ULAB=0 MICROPY_PY_BTREE=0 MICROPY_PY_FFI=0 \
        CFLAGS_EXTRA=-DMICROPY_PY_MICROPYTHON_RINGIO=0 \
        USER_C_MODULES="$mods" CP_VERSION="$version" \
        GIT_CEILING_DIRECTORIES="$(dirname "$tree")"
    # Its own mpy-cross: the low-memory tests load their helpers as .mpy,
    # and CircuitPython refuses MicroPython's.
    make -C "$tree/mpy-cross" -j"$JOBS" BUILD="$BUILD_DIR/cp-mpy-cross" \
        CP_VERSION="$version" \
        GIT_CEILING_DIRECTORIES="$(dirname "$tree")"
    cp "$out/micropython" "$BUILD_DIR/circuitpython.tmp"
    mv -f "$BUILD_DIR/circuitpython.tmp" "$BUILD_DIR/circuitpython"
    log "built $BUILD_DIR/circuitpython"
}

# The warning flags CircuitPython's board ports compile C with: BASE_CFLAGS
# of py/circuitpy_defns.mk, and what ports/atmel-samd and ports/raspberrypi
# add (-Werror=missing-prototypes, -Werror=old-style-definition,
# -Wtype-limits, -std=gnu11, -fshort-enums).
BOARD_WARNINGS=(-std=gnu11 -Wall -Werror -fshort-enums -fsingle-precision-constant
    -fno-strict-aliasing -Wdouble-promotion -Wimplicit-fallthrough=2 -Wno-endif-labels
    -Wstrict-prototypes -Werror-implicit-function-declaration -Wfloat-equal -Wundef
    -Wshadow -Wwrite-strings -Wsign-compare -Wmissing-format-attribute
    -Wno-deprecated-declarations -Wnested-externs -Wunreachable-code -Wcast-align
    -Werror=missing-prototypes -Werror=old-style-definition -Wtype-limits)

# cmodule/*.c against CircuitPython's headers and the qstrs of the unix
# build (make firmware-circuitpython first), with the board ports' flags:
# the host compiler, then arm-none-eabi-gcc for a Cortex-M4F (the
# SAMD51/nRF52 boards' CPU) where it is installed, where -Wcast-align
# means something.
check_cflags() {
    local tree gen cc f
    tree=$(locate_tree)
    gen=$BUILD_DIR/cp-unix
    if [ ! -f "$gen/genhdr/qstrdefs.generated.h" ]; then
        log "no $gen/genhdr: build the CircuitPython firmware first"
        exit 1
    fi
    # CircuitPython's folders as system headers: the unix port's config is
    # not written for -Wundef (board configs define what it leaves out), and
    # what is checked here is this repository's code.
    local common=("${BOARD_WARNINGS[@]}" -Os -DNDEBUG -DCIRCUITPY=1 -DUNIX
        -DMICROPY_PY_MICROPYTHON_RINGIO=0 -I"$ROOT/cmodule" -isystem "$tree"
        -isystem "$tree/ports/unix" -isystem "$tree/ports/unix/variants/standard" -isystem "$gen")
    for cc in gcc arm-none-eabi-gcc; do
        local extra=()
        if [ "$cc" = arm-none-eabi-gcc ]; then
            if ! command -v "$cc" >/dev/null 2>&1; then
                log "arm-none-eabi-gcc not installed: host compiler only"
                continue
            fi
            # The unix port's config assumes a hosted libc; newlib has it.
            extra=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
        fi
        for f in "$ROOT"/cmodule/*.c; do
            "$cc" "${common[@]}" "${extra[@]}" -c "$f" -o /dev/null
        done
        log "$cc: cmodule/*.c compiles clean with the board ports' warning flags"
    done
}

case "${1:-}" in
    tree) locate_tree ;;
    firmware) build_firmware ;;
    cflags) check_cflags ;;
    *) echo "usage: $0 tree|firmware|cflags" >&2; exit 2 ;;
esac
