#!/usr/bin/env bash
# The Debian trixie chroot CircuitPython's board ports build in: they ask for
# arm-none-eabi-gcc 14 (CIRCUITPY_MIN_GCC_VERSION), Debian 12 has 12.2, and
# trixie's 14.2 needs a newer glibc than this machine's, so it lives in a
# chroot of its own instead of in the host.
#
#   scripts/cp_chroot.sh DIR    create DIR (reused when DIR/.ready exists)
#
# Needs root, debootstrap (installed here when missing) and the Debian
# mirror the host's apt already uses. About 1.5 GB downloaded, 4 GB on disk.
# pip inside the chroot fails certificate checks, so the build's Python
# packages are downloaded on the host as wheels and installed offline.
set -euo pipefail

DIR=${1:?usage: $0 DIR}
PYTHON=${PYTHON:-python3}

log() { printf '[cp-chroot] %s\n' "$*" >&2; }

if [ -f "$DIR/.ready" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    log "creating a chroot needs root"
    exit 1
fi
command -v debootstrap >/dev/null 2>&1 ||
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends debootstrap

mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

if [ ! -f "$DIR/.bootstrapped" ]; then
    log "debootstrap trixie into $DIR from $mirror"
    rm -rf "$DIR"
    mkdir -p "$DIR"
    debootstrap --variant=minbase trixie "$DIR" "$mirror"
    touch "$DIR/.bootstrapped"
fi

# What ports/raspberrypi's make runs: the cross compiler and newlib, make,
# python3 with venv (the build's helper scripts), git (version helpers),
# cmake and a host C++ compiler (pioasm and picotool are built from the SDK),
# gettext (msgfmt for the translations).
log "installing the toolchain in the chroot"
chroot "$DIR" apt-get update
chroot "$DIR" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi make python3 python3-venv \
    git cmake gettext g++ gcc libc6-dev xz-utils ca-certificates

# The build's Python packages (ports' requirements-dev.txt, the parts a
# raspberrypi build imports), as wheels for the chroot's Python.
pyver=$(chroot "$DIR" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
wheels=$DIR/opt/wheels
mkdir -p "$wheels"
log "downloading wheels for Python $pyver on the host"
"$PYTHON" -m pip download -q --only-binary=:all: --python-version "$pyver" \
    --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
    -d "$wheels" cascadetoml jinja2 typer jsonschema "click<8.2.0" minify_html polib \
    intelhex cryptography semver setuptools wheel
"$PYTHON" -m pip download -q --no-binary=:all: --no-deps -d "$wheels" jsmin
chroot "$DIR" python3 -m venv /opt/venv
chroot "$DIR" /opt/venv/bin/pip install -q --no-index --find-links /opt/wheels setuptools wheel
chroot "$DIR" /opt/venv/bin/pip install -q --no-index --find-links /opt/wheels --no-build-isolation \
    cascadetoml jinja2 typer jsonschema "click<8.2.0" minify_html polib intelhex cryptography semver jsmin

chroot "$DIR" arm-none-eabi-gcc --version | head -1 >&2
touch "$DIR/.ready"
log "ready: $DIR"
