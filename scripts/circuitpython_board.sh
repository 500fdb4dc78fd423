#!/usr/bin/env bash
# CircuitPython board images (ports/raspberrypi) with adafruit_requests as a
# user C module, built in a Debian trixie chroot (GCC 14).
#
#   scripts/circuitpython_board.sh tree              unpack the CircuitPython tree and
#                                                    the submodules the port reads
#   scripts/circuitpython_board.sh build BOARD VARIANT
#        BOARD    raspberry_pi_pico | raspberry_pi_pico_w (any ports/raspberrypi board)
#        VARIANT  module     the stock board with the module
#                 plain      the stock board, nothing added
#                 reference  the stock board with the PyPI adafruit_requests (and
#                            adafruit_connection_manager) frozen in, no C module
#                 minimal    the module with every RQ_ENABLE_* switch off
#        -> build/cp-board/BOARD-VARIANT/firmware.{uf2,elf}, link.log (the
#           linker's memory report) and size.txt
#
# Extra make arguments for the port (e.g. CIRCUITPY_QRIO=0) go in CP_MAKE_ARGS;
# CP_BUILD_SUFFIX then names the build folder apart (BOARD-VARIANT-SUFFIX).
# CP_FIRMWARE_KB=N builds BOARD with an N KiB firmware area instead of the
# board's own (the CIRCUITPY drive shrinks by as much): a board folder
# BOARD_fwNk, a copy of BOARD's with its linker script's firmware_size and
# CIRCUITPY_FIRMWARE_SIZE changed together, made in the unpacked tree.
#
# Where things come from:
#   CIRCUITPY_GIT   a clone of adafruit/circuitpython (bare is fine); default
#                   the snapshot in the .mirror folder beside this checkout
#   MIRROR          that folder: each submodule is read from
#                   MIRROR/<owner>+<name>/repo at the commit CircuitPython pins,
#                   or at a known substitute when a snapshot lacks the pin
#                   (printed; see KNOWN_SUBSTITUTES)
#   CP_BOARD_DEPS   where the unpacked tree (circuitpython-board/) and the
#                   chroot (cp-trixie/) go; default deps/
# A missing CircuitPython clone or submodule snapshot: exit 3 with a line
# starting "NOT RUN:", so CI can tell "not run" from "failed".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
CP_BOARD_DEPS=${CP_BOARD_DEPS:-$ROOT/deps}
MIRROR=${MIRROR:-$(cd "$ROOT/.." && pwd)/.mirror}
CIRCUITPY_GIT=${CIRCUITPY_GIT:-$MIRROR/adafruit+circuitpython/repo}
TREE=${CP_BOARD_TREE:-$CP_BOARD_DEPS/circuitpython-board}
CHROOT=${CP_CHROOT:-$CP_BOARD_DEPS/cp-trixie}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
RUST_TARGET=thumbv6m-none-eabi

log() { printf '[cp-board] %s\n' "$*" >&2; }
not_run() { echo "NOT RUN: $*"; exit 3; }

# Submodule path in the CircuitPython tree -> snapshot name under MIRROR.
# The raspberrypi port's raspberry_pi_pico and raspberry_pi_pico_w read these
# (the port Makefile, py/circuitpy_defns.mk and the board configs).
SUBMODULES=(
    "ports/raspberrypi/sdk raspberrypi+pico-sdk"
    "lib/tinyusb hathach+tinyusb"
    "ports/raspberrypi/lib/cyw43-driver georgerobotics+cyw43-driver"
    "ports/raspberrypi/lib/lwip adafruit+lwip"
    "ports/raspberrypi/lib/Pico-PIO-USB sekigon-gonnoc+Pico-PIO-USB"
    "ports/raspberrypi/lib/PicoDVI circuitpython+PicoDVI"
    "lib/mbedtls Mbed-TLS+mbedtls"
    "lib/tlsf espressif+tlsf"
    "extmod/ulab v923z+micropython-ulab"
    "lib/mp3 adafruit+Adafruit_MP3"
    "lib/protomatter adafruit+Adafruit_Protomatter"
    "lib/quirc adafruit+quirc"
    "lib/adafruit_floppy adafruit+Adafruit_Floppy"
    "data/nvm.toml adafruit+nvm.toml"
    "lib/certificates adafruit+certificates"
    "tools/huffman tannewt+huffman"
    "tools/uf2 Microsoft+uf2"
    "tools/bitmap_font adafruit+Adafruit_CircuitPython_BitmapFont"
)
# Nested submodules: path, snapshot name, the pin's source (the gitlink in
# the parent tree as unpacked).
NESTED=(
    "lib/mbedtls/tf-psa-crypto Mbed-TLS+TF-PSA-Crypto"
    "lib/mbedtls/framework Mbed-TLS+mbedtls-framework"
    "lib/mbedtls/tf-psa-crypto/framework Mbed-TLS+mbedtls-framework"
)
# Pins today's snapshots lack, and the commit used instead (what each is):
#   lwip bd522fde -> 39fe808d  lwIP 2.2.1 + the secondary-hostname change
#   mbedtls ece41aa8 -> e90c1643  Mbed TLS v4.0.0 (its own nested pins)
#   Protomatter 425b6c7f -> f83bac7e
#   certificates d7c6385f -> 96174bf8  tag 20250209 (no roots-full.pem: copied
#                                      from roots.pem)
#   uf2 27e322fc -> a690c5a4
#   Pico-PIO-USB a5a2f5ae -> 675543bc  CircuitPython's pin of 2025-08 to 2026-05;
#                                      the later pins moved one CRC routine to RAM,
#                                      done here too (pio_usb_crc_in_ram)
KNOWN_SUBSTITUTES=(
    "ports/raspberrypi/lib/lwip bd522fde9409398297b4e3244c92576b86ef16ec 39fe808d"
    "lib/mbedtls ece41aa84d7879d7e55c59e955a5884b541f7f3b e90c1643"
    "lib/protomatter 425b6c7f887cca5d24d768d8c80c74ba7eb88dc6 f83bac7e"
    "lib/certificates d7c6385f671665820ea2d307b0a94f9e61ef6f91 96174bf8"
    "tools/uf2 27e322fcdcc6eee0642242638d4f2557efb32559 a690c5a4"
    "ports/raspberrypi/lib/Pico-PIO-USB a5a2f5ae91988449ba576ec9d237e806d5cd4416 675543bc"
)
# Blobs missing from the snapshots; nothing the build reads.
EXCLUDES=(
    "raspberrypi+pico-sdk src/rp2350/hardware_regs/RP2350.svd"
    "Mbed-TLS+TF-PSA-Crypto tests/suites/test_suite_pk.pk_can_do_psa.data"
)

git_dir() { # snapshot name -> its git dir, or nothing
    local d=$MIRROR/$1/repo
    [ -d "$d/.git" ] && d=$d/.git
    git --git-dir="$d" rev-parse --verify -q HEAD >/dev/null 2>&1 && echo "$d"
    return 0
}

substitute_for() { # path pin -> substitute commit, or nothing
    local s
    for s in "${KNOWN_SUBSTITUTES[@]}"; do
        set -- "$1" "$2" $s
        if [ "$3" = "$1" ] && [ "$4" = "$2" ]; then echo "$5"; return; fi
    done
}

excludes_for() { # snapshot name -> pathspecs
    local e
    for e in "${EXCLUDES[@]}"; do
        set -- "$1" $e
        [ "$2" = "$1" ] && echo ":(exclude)$3"
    done
    return 0
}

# path, snapshot name, pin -> unpacked at dest/path; records what was used.
unpack_one() {
    local dest=$1 path=$2 name=$3 pin=$4 gd use sub
    gd=$(git_dir "$name")
    [ -n "$gd" ] || not_run "$path: no snapshot of ${name/+//} in $MIRROR (fetch it, or set MIRROR)"
    use=$pin
    if ! git --git-dir="$gd" cat-file -e "$pin^{commit}" 2>/dev/null; then
        sub=$(substitute_for "$path" "$pin")
        if [ -z "$sub" ] || ! git --git-dir="$gd" cat-file -e "$sub^{commit}" 2>/dev/null; then
            log "$path: the snapshot of ${name/+//} lacks the pinned commit $pin and no known substitute is in it"
            exit 1
        fi
        use=$(git --git-dir="$gd" rev-parse "$sub^{commit}")
        log "SUBSTITUTED $path: pinned ${pin:0:10} is not in the snapshot, using ${use:0:10}"
    fi
    mkdir -p "$dest/$path"
    # git archive still reports an excluded missing blob (and exits 0):
    # those reports are dropped, any other stays.
    local errs
    errs=$(mktemp)
    # shellcheck disable=SC2046
    git --git-dir="$gd" archive "$use" -- . $(excludes_for "$name") 2>"$errs" | tar -x -C "$dest/$path"
    local skip
    skip=$(excludes_for "$name" | sed 's/^:(exclude)//')
    if [ -n "$skip" ]; then grep -vF "$skip" "$errs" >&2 || true; else cat "$errs" >&2; fi
    rm -f "$errs"
    printf '%s %s %s%s\n' "$path" "${name/+//}" "$use" "$([ "$use" = "$pin" ] || echo " (pinned $pin)")" \
        >> "$dest/.trees"
}

unpack_tree() {
    [ -f "$TREE/.unpacked" ] && return 0
    git --git-dir="$CIRCUITPY_GIT" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
        not_run "no CircuitPython clone at $CIRCUITPY_GIT (set CIRCUITPY_GIT or MIRROR)"
    local s path name pin dest=$TREE.tmp
    # Every snapshot first, so that a missing one stops before any unpacking.
    for s in "${SUBMODULES[@]}" "${NESTED[@]}"; do
        set -- $s
        [ -n "$(git_dir "$2")" ] || not_run "$1: no snapshot of ${2/+//} in $MIRROR (fetch it, or set MIRROR)"
    done
    log "unpacking CircuitPython $(git --git-dir="$CIRCUITPY_GIT" describe --tags HEAD) into $TREE"
    rm -rf "$dest"
    mkdir -p "$dest"
    # Everything but ports/ (the snapshot lacks blobs of ports/atmel-samd),
    # then the one port built here.
    local top
    top=$(git --git-dir="$CIRCUITPY_GIT" ls-tree --name-only HEAD | grep -vx ports)
    # shellcheck disable=SC2086
    git --git-dir="$CIRCUITPY_GIT" archive HEAD $top 2>"$dest/.archive-errors" | tar -x -C "$dest"
    grep -v "for 'ports/" "$dest/.archive-errors" >&2 || true
    git --git-dir="$CIRCUITPY_GIT" archive --prefix=ports/raspberrypi/ HEAD:ports/raspberrypi | tar -x -C "$dest"
    git --git-dir="$CIRCUITPY_GIT" describe --tags HEAD > "$dest/.cp-version"
    printf 'circuitpython adafruit/circuitpython %s\n' "$(git --git-dir="$CIRCUITPY_GIT" rev-parse HEAD)" > "$dest/.trees"
    for s in "${SUBMODULES[@]}"; do
        set -- $s
        path=$1 name=$2
        pin=$(git --git-dir="$CIRCUITPY_GIT" ls-tree HEAD "$path" | awk '{print $3}')
        unpack_one "$dest" "$path" "$name" "$pin"
    done
    for s in "${NESTED[@]}"; do
        set -- $s
        path=$1 name=$2
        pin=$(nested_pin "$dest" "$path")
        unpack_one "$dest" "$path" "$name" "$pin"
    done
    # The certificates tag in the snapshot predates roots-full.pem.
    if [ ! -f "$dest/lib/certificates/data/roots-full.pem" ] && [ -f "$dest/lib/certificates/data/roots.pem" ]; then
        cp "$dest/lib/certificates/data/roots.pem" "$dest/lib/certificates/data/roots-full.pem"
        log "lib/certificates: roots-full.pem copied from roots.pem"
    fi
    tf_psa_layout "$dest/lib/mbedtls/tf-psa-crypto"
    pio_usb_crc_in_ram "$dest/ports/raspberrypi/lib/Pico-PIO-USB"
    touch "$dest/.unpacked"
    rm -rf "$TREE"
    mv "$dest" "$TREE"
    log "trees used (also in $TREE/.trees):"
    cat "$TREE/.trees" >&2
}

# CircuitPython pins Mbed TLS 4.2, whose TF-PSA-Crypto keeps some sources in
# core/, platform/ and utilities/; the substitute (v4.0.0 with TF-PSA-Crypto
# 1.0.0) has them all in drivers/builtin/src/, and psa_util.c there still
# holds what later became psa_util_internal.c. Boards whose hashlib is
# Mbed TLS without SSL (py/circuitpy_defns.mk, CIRCUITPY_HASHLIB_MBEDTLS_ONLY:
# the Pico) name the new paths one by one; the SSL boards take each folder
# by wildcard, which would then compile each file twice: each new path
# includes the old file only under CIRCUITPY_HASHLIB_MBEDTLS_ONLY.
tf_psa_layout() {
    local tf=$1 new old
    [ -f "$tf/drivers/builtin/src/psa_util.c" ] && [ ! -f "$tf/core/psa_util.c" ] || return 0
    for new in core/psa_util.c platform/platform.c platform/platform_util.c utilities/constant_time.c; do
        old=drivers/builtin/src/${new##*/}
        mkdir -p "$tf/${new%/*}"
        printf '/* TF-PSA-Crypto 1.0 keeps this file at %s. */\n#if CIRCUITPY_HASHLIB_MBEDTLS_ONLY\n#include "../%s"\n#else\ntypedef int tf_psa_compiled_from_%s;\n#endif\n' \
            "$old" "$old" "$(basename "$new" .c)" > "$tf/$new"
    done
    printf '/* In TF-PSA-Crypto 1.0 this part is still in psa_util.c. */\ntypedef int tf_psa_util_internal_in_psa_util;\n' \
        > "$tf/drivers/builtin/src/psa_util_internal.c"
    log "lib/mbedtls/tf-psa-crypto: TF-PSA-Crypto 1.0 layout, the paths Mbed TLS 4.2 builds name added"
}

# The change CircuitPython's Pico-PIO-USB pin brings over the substitute:
# calc_usb_crc16 runs on core 1 (USB host), which must not touch flash, and
# the port's link step fails an image where core 1 reaches a function in
# flash. Its table is already in RAM; the function goes there as its
# neighbour calc_usb_crc5 does.
pio_usb_crc_in_ram() {
    local f=$1/src/usb_crc.c
    grep -q '^uint16_t calc_usb_crc16(' "$f" || return 0
    sed -i 's/^uint16_t calc_usb_crc16(/uint16_t __not_in_flash_func(calc_usb_crc16)(/' "$f"
    log "ports/raspberrypi/lib/Pico-PIO-USB: calc_usb_crc16 placed in RAM (the change of the pinned commit)"
}

# A nested submodule's pin: the gitlink of its parent's snapshot at the
# commit that was unpacked for the parent.
nested_pin() {
    local dest=$1 path=$2 parent sub line
    parent=${path%/*}
    sub=${path##*/}
    line=$(grep "^$parent " "$dest/.trees")
    set -- $line
    git --git-dir="$(git_dir "${2/\//+}")" ls-tree "$3" "$sub" | awk '{print $3}'
}

# ---- the chroot and the build ----

# Runs the rest of the arguments in the chroot, in a mount namespace of its
# own: the folders the build reads and writes (and /proc, /dev) are
# bind-mounted at the same paths inside, so every path means the same on
# both sides, and the mounts end with the process whatever way it ends (a
# mount left behind would let `rm -rf build` reach through it).
in_chroot() {
    local binds=() d
    for d in /proc /dev "$ROOT" "$TREE" "$BUILD_DIR"; do
        binds+=("$(realpath "$d")")
    done
    unshare --mount --propagation private -- bash -euc '
        chroot_dir=$1; shift
        while [ "$1" != -- ]; do
            mkdir -p "$chroot_dir$1"
            mountpoint -q "$chroot_dir$1" || mount --bind "$1" "$chroot_dir$1"
            shift
        done
        shift
        exec chroot "$chroot_dir" "$@"' in_chroot "$CHROOT" "${binds[@]}" -- "$@"
}

# BOARD with a larger firmware area -> the new board's name. The port links
# boards/BOARD/link.ld before its own script, which takes firmware_size from
# it; the C side places the NVM and CIRCUITPY drive after
# CIRCUITPY_FIRMWARE_SIZE (ports/raspberrypi/mpconfigport.h). The Pico W's
# own pair is 1532k / 1536 KiB (its NVM sector sits inside the latter); the
# new pair keeps each board's difference.
grown_board() {
    local board=$1 kb=$2 boards=$TREE/ports/raspberrypi/boards new ld_kb slack
    new=${board}_fw${kb}k
    ld_kb=$kb
    if [ -f "$boards/$board/link.ld" ]; then
        slack=$(( $(sed -n 's/.*CIRCUITPY_FIRMWARE_SIZE=.(\([0-9]*\) \* 1024).*/\1/p' "$boards/$board/mpconfigboard.mk") \
            - $(sed -n 's/^firmware_size = \([0-9]*\)k;/\1/p' "$boards/$board/link.ld") ))
        ld_kb=$((kb - slack))
    fi
    rm -rf "${boards:?}/$new"
    cp -r "$boards/$board" "$boards/$new"
    sed -i '/CIRCUITPY_FIRMWARE_SIZE/d' "$boards/$new/mpconfigboard.mk"
    printf '\n# %s with a %d KiB firmware area (scripts/circuitpython_board.sh)\nCFLAGS += -DCIRCUITPY_FIRMWARE_SIZE='"'"'(%d * 1024)'"'"'\n' \
        "$board" "$kb" "$kb" >> "$boards/$new/mpconfigboard.mk"
    printf 'firmware_size = %dk;\n' "$ld_kb" > "$boards/$new/link.ld"
    echo "$new"
}

build_image() {
    local board=$1 variant=$2 out features version
    [ -d "$TREE/ports/raspberrypi/boards/$board" ] || { log "no board $board in ports/raspberrypi"; exit 2; }
    local name=$board
    if [ -n "${CP_FIRMWARE_KB:-}" ]; then
        board=$(grown_board "$board" "$CP_FIRMWARE_KB")
        log "$name with a ${CP_FIRMWARE_KB} KiB firmware area: board folder $board"
    fi
    out=$(realpath -m "$BUILD_DIR/cp-board/$board-$variant${CP_BUILD_SUFFIX:+-$CP_BUILD_SUFFIX}")
    version=$(cat "$TREE/.cp-version")
    mkdir -p "$out"

    local make_args=(BOARD="$board" BUILD="$out/build" CP_VERSION="$version"
        PYTHON=/opt/venv/bin/python3 -j"$JOBS")
    case $variant in
        module|minimal)
            # The Rust core for Cortex-M0+ on the host (bindgen needs libclang);
            # make in the chroot then only prelinks it (CARGO=true).
            features=firmware,multipart
            local switches=()
            if [ "$variant" = minimal ]; then
                features=firmware
                switches=(RQ_ENABLE_MULTIPART=0 RQ_ENABLE_LEGACY_API=0 RQ_ENABLE_ITER_LINES=0
                    RQ_ENABLE_JSON_SELECT=0 RQ_ENABLE_DEFLATE=0 RQ_ENABLE_ASYNC=0)
            fi
            # One cargo folder per feature set: images of both variants may
            # build side by side.
            local cargo_dir=$BUILD_DIR/cp-board/cargo-${features//,/-}
            log "cargo: $RUST_TARGET, features $features"
            cargo rustc --lib --crate-type staticlib --release --features "$features" \
                --manifest-path "$ROOT/Cargo.toml" --target-dir "$cargo_dir" \
                --target "$RUST_TARGET"
            make_args+=(USER_C_MODULES="$ROOT" CARGO=true RUST_TARGET="$RUST_TARGET"
                RQ_CARGO_TARGET_DIR="$cargo_dir" "${switches[@]}")
            ;;
        plain) ;;
        reference)
            # What users have today: the PyPI package's .py files, frozen.
            local ref=$ROOT/deps/reference
            [ -f "$ref/adafruit_requests.py" ] || "$ROOT/scripts/deps.sh" reference
            rm -rf "$out/frozen"
            mkdir -p "$out/frozen/adafruit_requests"
            cp "$ref/adafruit_requests.py" "$ref/adafruit_connection_manager.py" "$out/frozen/adafruit_requests/"
            # CircuitPython's freezer asks git for the version of any file
            # with a __version__ line (it expects a tagged library checkout):
            # a one-commit repository tagged with the package's version.
            local tag
            tag=$(basename "$ref"/adafruit_circuitpython_requests-*.dist-info .dist-info)
            tag=${tag#adafruit_circuitpython_requests-}
            git -C "$out/frozen/adafruit_requests" init -q
            git -C "$out/frozen/adafruit_requests" add .
            git -C "$out/frozen/adafruit_requests" -c user.name=build -c user.email=build@localhost \
                commit -qm "adafruit-circuitpython-requests $tag"
            git -C "$out/frozen/adafruit_requests" tag "$tag"
            make_args+=(FROZEN_MPY_DIRS="$out/frozen/adafruit_requests")
            # Any frozen build checks that micropython-lib is there (the
            # manifest made from FROZEN_MPY_DIRS reads nothing from it).
            if [ ! -f "$TREE/lib/micropython-lib/README.md" ]; then
                unpack_one "$TREE" lib/micropython-lib micropython+micropython-lib \
                    "$(git --git-dir="$CIRCUITPY_GIT" ls-tree HEAD lib/micropython-lib | awk '{print $3}')"
            fi
            ;;
        *) log "variant is module, plain, reference or minimal, not '$variant'"; exit 2 ;;
    esac
    # shellcheck disable=SC2206
    make_args+=(${CP_MAKE_ARGS:-})

    "$ROOT/scripts/cp_chroot.sh" "$CHROOT"
    # mpy-cross first, on its own: left to the port's make (frozen modules
    # need it), it is built with the port's BUILD= and genhdr and fails.
    if [ "$variant" = reference ] && [ ! -x "$TREE/mpy-cross/build/mpy-cross" ]; then
        in_chroot env -i PATH=/opt/venv/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
            GIT_CEILING_DIRECTORIES="$(realpath "$TREE/..")" \
            make -C "$(realpath "$TREE")/mpy-cross" CP_VERSION="$version" PYTHON=/opt/venv/bin/python3 -j"$JOBS"
    fi
    log "make ${make_args[*]}"
    local rc=0
    in_chroot env -i PATH=/opt/venv/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        GIT_CEILING_DIRECTORIES="$(realpath "$TREE/..")" \
        make -C "$(realpath "$TREE")/ports/raspberrypi" "${make_args[@]}" 2>&1 | tee "$out/link.log" || rc=$?
    if [ "$rc" != 0 ]; then
        grep -E "overflowed by|region .* overflowed" "$out/link.log" >&2 || true
        log "$board $variant: build failed (log: $out/link.log)"
        return 1
    fi
    cp "$out/build/firmware.uf2" "$out/firmware.uf2"
    cp "$out/build/firmware.elf" "$out/firmware.elf"
    # The linker's memory report: the last one in the log.
    grep -E '^ *(FLASH|RAM|SCRATCH|FLASH_FIRMWARE|FLASH_BOOT)[A-Z_]*:' "$out/link.log" | tail -n 8 > "$out/size.txt" || true
    cat "$out/size.txt"
    log "built $out/firmware.uf2"
}

case "${1:-}" in
    tree) unpack_tree; echo "$TREE" ;;
    build)
        [ $# = 3 ] || { echo "usage: $0 build BOARD VARIANT" >&2; exit 2; }
        unpack_tree
        build_image "$2" "$3"
        ;;
    *) echo "usage: $0 tree | build BOARD VARIANT" >&2; exit 2 ;;
esac
