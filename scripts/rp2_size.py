#!/usr/bin/env python3
"""Flash cost of adafruit_requests on a MicroPython rp2 board, and the check
CI runs on it.

Reads the images `make rp2` (and, when built, `make rp2-minimal` and
`make rp2-reference`) wrote under BUILD/<BOARD>, BUILD/<BOARD>-plain,
BUILD/<BOARD>-minimal and BUILD/<BOARD>-reference, and prints each one's
firmware.bin size. Fails (exit 1) when

- the module costs more flash than the board's budget below, or
- an image runs into the board's flash filesystem: the rp2 linker script
  maps all of the flash chip, so an image that grows over the filesystem's
  first block links without a word and then corrupts it (or is corrupted);
- the image with the module has a GNU_STACK program header the plain image
  lacks (a note from the module's prelinked object that made the linker
  warn about newlib's crtn.o and mark the stack executable).

usage: rp2_size.py --board B --board-dir DIR --sdk PICO_SDK --build DIR [--json]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

# Bytes of firmware.bin the module may add, per board: the cost measured
# after the last change plus about 2 %, so that growing the module is a
# decision rather than a drift. Measured 2026-12-07 (MicroPython 1.25.0,
# every RQ_ENABLE_* on, GCC 12.2): RPI_PICO_W +84,852 (Rust 57,462, C 26,552,
# qstrs/tables 838) after cookies, compressed-body checks, strict json(), the
# session owner, streamed ajson and the TLS handshake budget landed (it was
# +64,604 in the morning), then +86,276 with the small-GET fast path (raw
# heads kept, the request head reused); RPI_PICO and RPI_PICO2_W carry the
# same module within a few hundred bytes.
BUDGETS = {
    "RPI_PICO_W": 88000,
    "RPI_PICO": 88400,
    "RPI_PICO2_W": 86800,
}

VARIANTS = (("plain", "-plain"), ("module", ""), ("minimal", "-minimal"), ("reference", "-reference"))

DEFINE = r"^\s*#\s*define\s+%s\s+(.+?)\s*(?://.*)?$"
# Only integer arithmetic is left once the one macro is substituted.
ARITH = re.compile(r"^[0-9\s()+\-*/]+$")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def define(text, name):
    m = re.search(DEFINE % re.escape(name), text, re.M)
    return m.group(1) if m else None


def evaluate(expr, macros):
    for name, value in macros.items():
        expr = re.sub(r"\b%s\b" % re.escape(name), "(%d)" % value, expr)
    if not ARITH.match(expr):
        raise ValueError("cannot evaluate %r" % expr)
    return int(eval(expr, {"__builtins__": {}}))  # digits and operators only


def pico_board(board_dir):
    m = re.search(r'set\s*\(\s*PICO_BOARD\s+"?([A-Za-z0-9_]+)"?\s*\)',
                  read(os.path.join(board_dir, "mpconfigboard.cmake")))
    if not m:
        raise ValueError("no PICO_BOARD in %s/mpconfigboard.cmake" % board_dir)
    return m.group(1)


def filesystem_start(board_dir, sdk):
    """Offset in flash where the board's filesystem begins (rp2_flash.c:
    PICO_FLASH_SIZE_BYTES - MICROPY_HW_FLASH_STORAGE_BYTES)."""
    name = pico_board(board_dir) + ".h"
    # The SDK's boards, or a board header that ships with the board itself.
    candidates = [os.path.join(sdk, "src", "boards", "include", "boards", name), os.path.join(board_dir, name)]
    header = next((c for c in candidates if os.path.exists(c)), None)
    if header is None:
        raise ValueError("no board header %s in the SDK or the board directory" % name)
    flash = define(read(header), "PICO_FLASH_SIZE_BYTES")
    if flash is None:
        raise ValueError("no PICO_FLASH_SIZE_BYTES in %s" % header)
    flash_bytes = evaluate(flash, {})
    storage = define(read(os.path.join(board_dir, "mpconfigboard.h")), "MICROPY_HW_FLASH_STORAGE_BYTES")
    if storage is None:
        raise ValueError("no MICROPY_HW_FLASH_STORAGE_BYTES in %s/mpconfigboard.h" % board_dir)
    return flash_bytes - evaluate(storage, {"PICO_FLASH_SIZE_BYTES": flash_bytes})


def stack_headers(readelf_output):
    """The flags of each GNU_STACK line in `readelf -lW` output."""
    # Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align; Flg may hold a space.
    return [" ".join(line.split()[6:-1]) for line in readelf_output.splitlines()
            if line.split()[:1] == ["GNU_STACK"]]


def readelf_stack(elf):
    """GNU_STACK flags of an ELF, or None when no readelf is at hand."""
    tool = shutil.which("arm-none-eabi-readelf") or shutil.which("readelf")
    if tool is None or not os.path.exists(elf):
        return None
    out = subprocess.run([tool, "-lW", elf], check=True, capture_output=True, text=True).stdout
    return stack_headers(out)


def measure(board, build):
    sizes = {}
    for name, suffix in VARIANTS:
        path = os.path.join(build, board + suffix, "firmware.bin")
        if os.path.exists(path):
            sizes[name] = os.path.getsize(path)
    return sizes


def check(board, sizes, fs_start, budgets=BUDGETS, stacks=None):
    """Lines to print and the failures among them. stacks: GNU_STACK flags
    per image name, for the images whose ELF could be read."""
    lines, failures = [], []
    stacks = stacks or {}
    if "module" in stacks and "plain" in stacks and stacks["module"] != stacks["plain"]:
        failures.append("%s: the image with the module has GNU_STACK header(s) %s, the plain one %s"
                        % (board, ", ".join(stacks["module"]) or "none", ", ".join(stacks["plain"]) or "none"))
    plain = sizes.get("plain")
    for name, _ in VARIANTS:
        if name not in sizes:
            continue
        size = sizes[name]
        delta = "" if plain is None or name == "plain" else " (%+d)" % (size - plain)
        room = "" if fs_start is None else ", %d free before the filesystem" % (fs_start - size)
        lines.append("%s %-9s firmware.bin %9d bytes%s%s" % (board, name, size, delta, room))
        if fs_start is not None and size > fs_start:
            failures.append("%s %s image ends at %d, inside the filesystem (starts at %d)"
                            % (board, name, size, fs_start))
    if "module" not in sizes or plain is None:
        failures.append("%s: need both firmware.bin files (module and plain) to check the budget" % board)
        return lines, failures
    cost = sizes["module"] - plain
    budget = budgets.get(board)
    if budget is None:
        lines.append("%s: module costs %d bytes of flash; no budget set for this board" % (board, cost))
    elif cost > budget:
        failures.append("%s: module costs %d bytes of flash, over its budget of %d (scripts/rp2_size.py)"
                        % (board, cost, budget))
    else:
        lines.append("%s: module costs %d bytes of flash, budget %d (%d left)"
                     % (board, cost, budget, budget - cost))
    return lines, failures


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--board-dir", required=True)
    ap.add_argument("--sdk", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv[1:])
    sizes = measure(args.board, args.build)
    try:
        fs_start = filesystem_start(args.board_dir, args.sdk)
    except (OSError, ValueError) as e:
        # Boards that describe their flash some other way: sizes only.
        print("%s: filesystem boundary not checked (%s)" % (args.board, e))
        fs_start = None
    stacks = {}
    for name, suffix in VARIANTS:
        flags = readelf_stack(os.path.join(args.build, args.board + suffix, "firmware.elf"))
        if flags is not None:
            stacks[name] = flags
    lines, failures = check(args.board, sizes, fs_start, stacks=stacks)
    if args.json:
        print(json.dumps({"board": args.board, "sizes": sizes, "filesystem_start": fs_start,
                          "failures": failures}))
    else:
        for line in lines:
            print(line)
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
