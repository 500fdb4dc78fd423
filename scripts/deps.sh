#!/usr/bin/env bash
# Installs everything `make firmware` and `make test` need on a Debian 12
# machine. Every step checks first, so a second run costs a few seconds.
#
#   scripts/deps.sh [apt|micropython|python|reference|all]
#   scripts/deps.sh cross     ARM/RISC-V cross builds, the qemu and Pico emulator tests
#   scripts/deps.sh rp2       Raspberry Pi Pico SDK, TinyUSB and picotool
#   scripts/deps.sh picow     rp2, plus what the Pico W boards read: cyw43-driver,
#                             lwIP, BTstack and micropython-lib in MICROPY_DIR/lib
#   scripts/deps.sh micropython-lib   only micropython-lib (the rp2 boards'
#                             frozen manifests require drivers from it)
#
# Environment:
#   DEPS_DIR        where downloads and unpacked trees go (default: <repo>/deps)
#   MICROPY_DIR     an existing MicroPython tree; skips fetching our own
#   RQ_DEPS_CACHE   directory holding (or receiving) the Debian source
#                   tarballs, so clones can share one download
#   PYTHON          interpreter that creates the test venv (default: python3)
#   CYW43_GIT, BTSTACK_GIT, MPYLIB_GIT, LWIP_GIT
#                   git dirs (clones or bare snapshots) of georgerobotics/
#                   cyw43-driver, bluekitchen/btstack, micropython/
#                   micropython-lib and lwip-tcpip/lwip, read at the commits
#                   MicroPython 1.25.0 pins (picow / micropython-lib steps);
#                   LWIP_GIT only when Debian's lwip source is unreachable
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS_DIR=${DEPS_DIR:-$ROOT/deps}
PYTHON=${PYTHON:-python3}
DL=${RQ_DEPS_CACHE:-$DEPS_DIR/downloads}

MICROPYTHON_VERSION=1.25.0
REFERENCE_REQUESTS=adafruit-circuitpython-requests==4.1.17
REFERENCE_CM=adafruit-circuitpython-connectionmanager==3.1.5
# The last release with the module-level API (set_socket, get, ...): its
# signatures are what python_tests/test_signatures.py checks those against.
REFERENCE_LEGACY=adafruit-circuitpython-requests==2.0.5
# CircuitPython's asyncio library (and the ticks module it imports): the
# AsyncSession tests run on it as well as on MicroPython's built-in asyncio.
CP_ASYNCIO=adafruit-circuitpython-asyncio==3.1.1
CP_TICKS=adafruit-circuitpython-ticks==1.1.7

APT_PACKAGES=(build-essential pkg-config libffi-dev libclang-dev clang cmake
              nginx valgrind xz-utils bzip2 ca-certificates python3 python3-venv)

# `make cross`, `make qemu`, `make test-qemu` and `make rp2`. python3-serial:
# run-tests.py talks to the emulated board's serial port through pyserial.
# libstdc++-arm-none-eabi-newlib: pico-sdk compiles a C++ file.
# gcc-riscv64-unknown-elf with picolibc and qemu-system-misc (which has
# qemu-system-riscv32): the RISC-V qemu board.
CROSS_APT_PACKAGES=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib binutils-riscv64-unknown-elf
                    gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
                    qemu-system-arm python3-serial)
RUST_CROSS_TARGETS=(thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf
                    riscv32imc-unknown-none-elf riscv32imac-unknown-none-elf thumbv8m.main-none-eabi)

# MicroPython 1.25.0's submodule pins (`git ls-tree v1.25.0 lib/`).
CYW43_PIN=dd7568229f3bf7a37737b9e1ef250c26efe75b23     # cyw43-driver v1.1.0
BTSTACK_PIN=77e752abd6a0992334047a48038a5a3960e5c6bc   # BTstack v1.5.6.2
LWIP_PIN=0a0452b2c39bdd91e252aef045c115f88f6ca773      # lwIP STABLE-2_2_0
MPYLIB_PIN=5b496e944ec045177afa1620920a168410b7f60b    # micropython-lib
# lwIP comes from Debian trixie's source package (2.2.1, one bugfix release
# past the pin) unless that cannot be downloaded; then from LWIP_GIT.
LWIP_DEBIAN=lwip_2.2.1
# cyw43-driver and BTstack are in no package registry, and micropython-lib
# only as individual packages on micropython.org: these come from snapshots
# of their GitHub repositories (default: where this machine's mirror keeps them).
# Fetched snapshots (bare git dirs named <owner>+<name>/repo) are looked for
# in a `.mirror` folder beside this checkout unless MIRROR names another.
MIRROR=${MIRROR:-$(cd "$ROOT/.." && pwd)/.mirror}
CYW43_GIT=${CYW43_GIT:-$MIRROR/georgerobotics+cyw43-driver/repo}
BTSTACK_GIT=${BTSTACK_GIT:-$MIRROR/bluekitchen+btstack/repo}
MPYLIB_GIT=${MPYLIB_GIT:-$MIRROR/micropython+micropython-lib/repo}
LWIP_GIT=${LWIP_GIT:-$MIRROR/lwip-tcpip+lwip/repo}
# A snapshot may be a clone with a work tree: its git dir is then .git inside.
for var in CYW43_GIT BTSTACK_GIT MPYLIB_GIT LWIP_GIT; do
    [ -d "${!var}/.git" ] && printf -v "$var" '%s' "${!var}/.git"
done

log() { printf '[deps] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

step_apt() {
    apt_install "${APT_PACKAGES[@]}"
}

apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} = 0 ]; then
        log "Debian packages present"
        return
    fi
    log "installing ${missing[*]}"
    as_root apt-get update
    # nginx's postinst starts a daemon on port 80 that no test wants; the
    # tests start their own instance on a free port.
    as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# The private apt setup reads trixie's indexes without touching the machine's
# own apt state (which stays on bookworm). $1: deb-src or deb; each type has
# its own state directory, since an update drops the lists of the other.
private_apt() { # type -> prints nothing, sets the array PRIVATE_APT
    local type=$1 apt_dir=$DEPS_DIR/apt uri
    [ "$type" = deb ] && apt_dir=$DEPS_DIR/apt-bin
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$DL"
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    printf 'Types: %s\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$type" "$uri" > "$apt_dir/trixie.sources"
    PRIVATE_APT=(-o "Dir::Etc::sourcelist=$apt_dir/trixie.sources"
                 -o "Dir::Etc::sourceparts=-"
                 -o "Dir::State::Lists=$apt_dir/lists"
                 -o "Dir::Cache=$apt_dir/cache"
                 -o "APT::Sandbox::User=root")
    apt-get "${PRIVATE_APT[@]}" update
}

fetch_sources() {
    private_apt deb-src
    (cd "$DL" && apt-get "${PRIVATE_APT[@]}" source --download-only "$@")
}

find_orig() { # filename prefix -> newest matching orig tarball in $DL, or ""
    { ls -1 "$DL"/"$1"*.orig.tar.* 2>/dev/null || true; } | grep -v '\.asc$' | sort -V | tail -n1 || true
}

step_micropython() {
    local dest=$DEPS_DIR/micropython
    # The Makefile passes its default (our own tree) down as well.
    if [ -n "${MICROPY_DIR:-}" ] && [ "$(realpath -m "$MICROPY_DIR")" != "$(realpath -m "$dest")" ]; then
        log "using MICROPY_DIR=$MICROPY_DIR"
        [ -f "$MICROPY_DIR/py/py.mk" ] || { echo "MICROPY_DIR has no py/py.mk" >&2; exit 1; }
        return
    fi
    if [ -f "$dest/.unpacked" ]; then
        log "MicroPython tree present: $dest"
        return
    fi
    local mp tls
    mp=$(find_orig "micropython_${MICROPYTHON_VERSION}")
    tls=$(find_orig mbedtls_3.6)
    if [ -z "$mp" ] || [ -z "$tls" ]; then
        log "downloading MicroPython and Mbed TLS sources from Debian trixie"
        fetch_sources micropython mbedtls
        mp=$(find_orig "micropython_${MICROPYTHON_VERSION}")
        tls=$(find_orig mbedtls_3.6)
    fi
    [ -n "$mp" ] && [ -n "$tls" ] || { echo "source tarballs missing in $DL" >&2; exit 1; }
    log "unpacking $(basename "$mp") and $(basename "$tls")"
    rm -rf "$dest" "$dest.tmp"
    mkdir -p "$dest.tmp" "$dest.tmp/lib/mbedtls"
    tar -xf "$mp" -C "$dest.tmp" --strip-components=1
    rm -rf "$dest.tmp/lib/mbedtls"
    mkdir -p "$dest.tmp/lib/mbedtls"
    tar -xf "$tls" -C "$dest.tmp/lib/mbedtls" --strip-components=1
    touch "$dest.tmp/.unpacked"
    mv "$dest.tmp" "$dest"
}

# A venv rather than the interpreter's own site-packages: Debian 12's python3
# refuses `pip install` outside one (PEP 668).
step_python() {
    local req=$ROOT/python_tests/requirements.txt venv=$DEPS_DIR/venv
    if [ ! -x "$venv/bin/python" ]; then
        log "creating $venv"
        "$PYTHON" -m venv "$venv"
    fi
    if "$venv/bin/python" - "$req" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        ok &= (version(name) == want) if want else True
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
    then
        log "Python test packages present"
        return
    fi
    log "installing Python test packages"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
}

step_reference() {
    local dest=$DEPS_DIR/reference stamp
    stamp="$REFERENCE_REQUESTS $REFERENCE_CM"
    if [ "$(cat "$dest/.installed" 2>/dev/null)" = "$stamp" ]; then
        log "reference adafruit_requests present"
        step_cp_asyncio
        return
    fi
    log "installing reference $REFERENCE_REQUESTS"
    rm -rf "$dest"
    [ -x "$DEPS_DIR/venv/bin/python" ] || step_python
    "$DEPS_DIR/venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps \
        --target "$dest" "$REFERENCE_REQUESTS" "$REFERENCE_CM"
    echo "$stamp" > "$dest/.installed"
    step_cp_asyncio
}

step_reference_legacy() {
    local dest=$DEPS_DIR/reference-legacy
    if [ "$(cat "$dest/.installed" 2>/dev/null)" = "$REFERENCE_LEGACY" ]; then
        log "legacy reference adafruit_requests present"
        return
    fi
    log "installing legacy reference $REFERENCE_LEGACY"
    rm -rf "$dest"
    "$DEPS_DIR/venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps \
        --target "$dest" "$REFERENCE_LEGACY"
    echo "$REFERENCE_LEGACY" > "$dest/.installed"
}

step_cp_asyncio() {
    local dest=$DEPS_DIR/cp_asyncio stamp="$CP_ASYNCIO $CP_TICKS"
    if [ "$(cat "$dest/.installed" 2>/dev/null)" = "$stamp" ]; then
        log "CircuitPython asyncio library present"
        return
    fi
    log "installing $CP_ASYNCIO"
    rm -rf "$dest"
    "$DEPS_DIR/venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps \
        --target "$dest" "$CP_ASYNCIO" "$CP_TICKS"
    echo "$stamp" > "$dest/.installed"
}

step_cross() {
    apt_install "${CROSS_APT_PACKAGES[@]}"
    # `make test-pico` runs the rp2040js emulator (Node 18 or newer; Debian
    # 12 has 18.19). A Node installed some other way, npm included, is kept.
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    if ! command -v rustup >/dev/null 2>&1; then
        log "no rustup: install the Rust std for ${RUST_CROSS_TARGETS[*]} and llvm-tools yourself"
        return
    fi
    local installed missing=() t
    installed=$(rustup target list --installed)
    for t in "${RUST_CROSS_TARGETS[@]}"; do
        grep -qx "$t" <<<"$installed" || missing+=("$t")
    done
    if [ ${#missing[@]} != 0 ]; then
        log "rustup target add ${missing[*]}"
        rustup target add "${missing[@]}"
    fi
    # rust-lld, llvm-objcopy/nm/size for scripts/cross_size.py: one set of
    # tools for every target, matching rustc's LLVM.
    if ! rustup component list --installed | grep -q '^llvm-tools'; then
        log "rustup component add llvm-tools"
        rustup component add llvm-tools
    fi
}

# pico-sdk and TinyUSB as Debian trixie ships them: pico-sdk-source and
# tinyusb-source are architecture-independent packages of plain source files,
# unpacked here rather than installed. The SDK insists on picotool for the
# UF2 (and would clone it from GitHub otherwise); trixie's binary needs a newer
# libc than Debian 12's, so it is built from Debian's source, without USB.
step_rp2() {
    local sdk=$DEPS_DIR/pico-sdk tusb=$DEPS_DIR/tinyusb pt=$DEPS_DIR/picotool deb
    step_micropython
    if [ ! -f "$sdk/.unpacked" ] || [ ! -f "$tusb/.unpacked" ]; then
        local sdk_deb tusb_deb
        sdk_deb=$(ls -1 "$DL"/pico-sdk-source_*_all.deb 2>/dev/null | sort -V | tail -n1 || true)
        tusb_deb=$(ls -1 "$DL"/tinyusb-source_*_all.deb 2>/dev/null | sort -V | tail -n1 || true)
        if [ -z "$sdk_deb" ] || [ -z "$tusb_deb" ]; then
            log "downloading pico-sdk-source and tinyusb-source from Debian trixie"
            private_apt deb
            (cd "$DL" && apt-get "${PRIVATE_APT[@]}" download pico-sdk-source tinyusb-source)
            sdk_deb=$(ls -1 "$DL"/pico-sdk-source_*_all.deb | sort -V | tail -n1)
            tusb_deb=$(ls -1 "$DL"/tinyusb-source_*_all.deb | sort -V | tail -n1)
        fi
        log "unpacking $(basename "$sdk_deb") and $(basename "$tusb_deb")"
        rm -rf "$sdk" "$tusb" "$DEPS_DIR/pico.tmp"
        for deb in "$sdk_deb" "$tusb_deb"; do
            dpkg-deb -x "$deb" "$DEPS_DIR/pico.tmp"
        done
        # The SDK's lib/tinyusb is a symlink to ../../tinyusb: the two trees
        # stay side by side.
        mv "$DEPS_DIR/pico.tmp/usr/src/pico-sdk" "$sdk"
        mv "$DEPS_DIR/pico.tmp/usr/src/tinyusb" "$tusb"
        rm -rf "$DEPS_DIR/pico.tmp"
        touch "$sdk/.unpacked" "$tusb/.unpacked"
    fi
    # MicroPython's rp2 port takes TinyUSB from its own lib/ (Debian strips
    # the submodule); only our own tree is changed.
    local mp_tusb=$DEPS_DIR/micropython/lib/tinyusb
    if [ -d "$mp_tusb" ] && [ ! -L "$mp_tusb" ] && [ -z "$(ls -A "$mp_tusb")" ]; then
        rmdir "$mp_tusb"
        ln -s ../../tinyusb "$mp_tusb"
    fi
    if [ ! -x "$pt/picotool/picotool" ]; then
        local src
        src=$(find_orig picotool_)
        if [ -z "$src" ]; then
            log "downloading picotool sources from Debian trixie"
            fetch_sources picotool || true   # only the orig tarball is needed
            src=$(find_orig picotool_)
        fi
        [ -n "$src" ] || { echo "picotool source tarball missing in $DL" >&2; exit 1; }
        log "building picotool from $(basename "$src")"
        rm -rf "$pt" "$pt.src"
        mkdir -p "$pt.src"
        tar -xf "$src" -C "$pt.src" --strip-components=1
        cmake -S "$pt.src" -B "$pt.src/build" -DPICO_SDK_PATH="$sdk" -DPICOTOOL_NO_LIBUSB=1 \
            -DPICOTOOL_FLAT_INSTALL=1 -DCMAKE_INSTALL_PREFIX="$pt" >/dev/null
        cmake --build "$pt.src/build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
        cmake --install "$pt.src/build" >/dev/null
        rm -rf "$pt.src"
    fi
    log "pico-sdk, TinyUSB and picotool present"
}

# One pinned tree from a git dir into MICROPY_DIR/lib/<name>, in place of
# the empty directory Debian's tarball leaves there. Extra arguments are
# pathspecs (excludes). Returns 1, saying what to fetch, when the git dir or
# the commit is missing.
unpack_pinned() { # name git_dir pin github_repo variable [pathspec...]
    local name=$1 git=$2 pin=$3 repo=$4 var=$5
    shift 5
    local dest=$DEPS_DIR/micropython/lib/$name
    if [ "$(cat "$dest/.unpacked" 2>/dev/null)" = "$pin" ]; then
        log "$name present at ${pin:0:7}"
        return 0
    fi
    if ! git --git-dir="$git" cat-file -e "$pin^{commit}" 2>/dev/null; then
        log "MISSING $name: no git dir with commit ${pin:0:7} at $var=$git;"
        log "  get a clone or snapshot of github.com/$repo and set $var=<its git dir>"
        return 1
    fi
    log "unpacking $name ${pin:0:7} from $git"
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    if ! git --git-dir="$git" archive "$pin" -- . "$@" | tar -x -C "$dest.tmp"; then
        rm -rf "$dest.tmp"
        log "MISSING $name: git archive of ${pin:0:7} failed (blobs absent from $var=$git?)"
        return 1
    fi
    echo "$pin" > "$dest.tmp/.unpacked"
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
}

# lwIP: Debian trixie's lwip source package; the pinned snapshot when that
# cannot be had.
unpack_lwip() {
    local dest=$DEPS_DIR/micropython/lib/lwip src
    if [ -f "$dest/.unpacked" ]; then
        log "lwIP present ($(cat "$dest/.unpacked"))"
        return 0
    fi
    src=$(find_orig "$LWIP_DEBIAN")
    if [ -z "$src" ]; then
        log "downloading the lwip source package from Debian trixie"
        fetch_sources lwip >/dev/null 2>&1 || true
        src=$(find_orig "$LWIP_DEBIAN")
    fi
    if [ -z "$src" ]; then
        log "Debian's lwip source is unreachable; using the pinned snapshot"
        unpack_pinned lwip "$LWIP_GIT" "$LWIP_PIN" lwip-tcpip/lwip LWIP_GIT
        return
    fi
    log "unpacking $(basename "$src")"
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    tar -xf "$src" -C "$dest.tmp" --strip-components=1
    basename "$src" > "$dest.tmp/.unpacked"
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
}

our_tree_or_skip() { # step name -> 0 when MICROPY_DIR is deps/micropython
    if [ -n "${MICROPY_DIR:-}" ] && [ "$(realpath -m "$MICROPY_DIR")" != "$(realpath -m "$DEPS_DIR/micropython")" ]; then
        log "$1: using MICROPY_DIR=$MICROPY_DIR and its own lib/ submodules"
        return 1
    fi
    return 0
}

step_micropython_lib() {
    our_tree_or_skip micropython-lib || return 0
    step_micropython
    unpack_pinned micropython-lib "$MPYLIB_GIT" "$MPYLIB_PIN" micropython/micropython-lib MPYLIB_GIT ||
        exit 3
}

# What RPI_PICO_W / RPI_PICO2_W read beyond RPI_PICO. BTstack's snapshot lacks
# blobs in two ports the build never reads, so they are left out (git still
# prints "error: invalid object ... port/msp432p401lp-cc256x/..." while
# walking the excluded tree, and exits 0 with every other file archived). Exit 3
# (after naming every missing tree) lets CI tell "not run" from "failed".
step_picow() {
    our_tree_or_skip picow || return 0
    step_micropython
    local missing=0
    unpack_pinned cyw43-driver "$CYW43_GIT" "$CYW43_PIN" georgerobotics/cyw43-driver CYW43_GIT || missing=1
    unpack_pinned btstack "$BTSTACK_GIT" "$BTSTACK_PIN" bluekitchen/btstack BTSTACK_GIT \
        ':(exclude)port/msp432p401lp-cc256x' ':(exclude)port/stm32-wb55xx-nucleo-freertos' || missing=1
    unpack_pinned micropython-lib "$MPYLIB_GIT" "$MPYLIB_PIN" micropython/micropython-lib MPYLIB_GIT || missing=1
    unpack_lwip || missing=1
    if [ $missing = 1 ]; then
        log "the Pico W firmware cannot be built until the trees above are present"
        exit 3
    fi
}

what=${1:-all}
case $what in
    apt) step_apt ;;
    micropython) step_micropython ;;
    python) step_python ;;
    reference) step_reference; step_reference_legacy ;;
    cross) step_cross ;;
    rp2) step_apt; step_cross; step_rp2 ;;
    picow) step_apt; step_cross; step_rp2; step_picow ;;
    micropython-lib) step_micropython_lib ;;
    all) step_apt; step_micropython; step_python; step_reference; step_reference_legacy ;;
    *) echo "unknown step: $what" >&2; exit 2 ;;
esac
