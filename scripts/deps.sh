#!/usr/bin/env bash
# Installs everything `make firmware` and `make test` need on a Debian 12
# machine. Every step checks first, so a second run costs a few seconds.
#
#   scripts/deps.sh [apt|micropython|python|reference|all]
#
# Environment:
#   DEPS_DIR        where downloads and unpacked trees go (default: <repo>/deps)
#   MICROPY_DIR     an existing MicroPython tree; skips fetching our own
#   RQ_DEPS_CACHE   directory holding (or receiving) the Debian source
#                   tarballs, so clones can share one download
#   PYTHON          interpreter that creates the test venv (default: python3)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS_DIR=${DEPS_DIR:-$ROOT/deps}
PYTHON=${PYTHON:-python3}
DL=${RQ_DEPS_CACHE:-$DEPS_DIR/downloads}

MICROPYTHON_VERSION=1.25.0
REFERENCE_REQUESTS=adafruit-circuitpython-requests==4.1.17
REFERENCE_CM=adafruit-circuitpython-connectionmanager==3.1.5

APT_PACKAGES=(build-essential pkg-config libffi-dev libclang-dev clang cmake
              nginx valgrind xz-utils bzip2 ca-certificates python3 python3-venv)

log() { printf '[deps] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

step_apt() {
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do
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

# The private apt setup reads trixie's source index without touching the
# machine's own apt state (which stays on bookworm).
fetch_sources() {
    local apt_dir=$DEPS_DIR/apt uri
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$DL"
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" > "$apt_dir/trixie.sources"
    local A=(-o "Dir::Etc::sourcelist=$apt_dir/trixie.sources"
             -o "Dir::Etc::sourceparts=-"
             -o "Dir::State::Lists=$apt_dir/lists"
             -o "Dir::Cache=$apt_dir/cache"
             -o "APT::Sandbox::User=root")
    apt-get "${A[@]}" update
    (cd "$DL" && apt-get "${A[@]}" source --download-only micropython mbedtls)
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
        fetch_sources
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
        return
    fi
    log "installing reference $REFERENCE_REQUESTS"
    rm -rf "$dest"
    [ -x "$DEPS_DIR/venv/bin/python" ] || step_python
    "$DEPS_DIR/venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps \
        --target "$dest" "$REFERENCE_REQUESTS" "$REFERENCE_CM"
    echo "$stamp" > "$dest/.installed"
}

what=${1:-all}
case $what in
    apt) step_apt ;;
    micropython) step_micropython ;;
    python) step_python ;;
    reference) step_reference ;;
    all) step_apt; step_micropython; step_python; step_reference ;;
    *) echo "unknown step: $what" >&2; exit 2 ;;
esac
