#!/usr/bin/env python3
"""Where a firmware's flash goes for this module, from the GNU ld map file
the firmware's link wrote: the bytes of code and read-only/initialised data
that the linker kept from the Rust core's object and from each cmodule/*.c
object, after --gc-sections. What grows elsewhere (the qstr pool, the
module table) is the rest of the difference between the firmware with and
without the module.

usage: module_size.py FIRMWARE.map [--json]
"""

import json
import re
import sys

# An input section line: " .text.name  0xADDR  0xSIZE  path/obj.o", with the
# name on a line of its own when it is long.
FULL = re.compile(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
NAME_ONLY = re.compile(r"^ (\.\S+)\s*$")
REST = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
# Sections that take flash: code, constants, and initial values of data.
FLASH = (".text", ".rodata", ".data")
RUST_OBJECT = "adafruit_requests_native.o"


def input_sections(lines):
    started = False
    pending = None
    for line in lines:
        if not started:
            started = line.startswith("Linker script and memory map")
            continue
        if pending is not None:
            m = REST.match(line)
            if m:
                yield pending, int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            pending = None
            continue
        m = FULL.match(line)
        if m:
            yield m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
            continue
        m = NAME_ONLY.match(line)
        if m:
            pending = m.group(1)


def owner(obj):
    """'rust', a cmodule file name, or None for the rest of the firmware."""
    if RUST_OBJECT in obj:
        return "rust"
    m = re.search(r"cmodule/([A-Za-z0-9_]+)\.c\.o|cmodule/([A-Za-z0-9_]+)\.o", obj)
    if m:
        return (m.group(1) or m.group(2)) + ".c"
    return None


def measure(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    sizes = {}
    for section, addr, size, obj in input_sections(lines):
        # Address 0: discarded by --gc-sections, or not loaded.
        if addr == 0 or size == 0 or not section.startswith(FLASH):
            continue
        who = owner(obj)
        if who is not None:
            sizes[who] = sizes.get(who, 0) + size
    rust = sizes.pop("rust", 0)
    return {"rust": rust, "c": sum(sizes.values()), "c_files": dict(sorted(sizes.items()))}


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    m = measure(argv[1])
    if "--json" in argv:
        print(json.dumps(m))
        return 0
    if m["rust"] == 0 and m["c"] == 0:
        print("module_size: no object of this module in %s" % argv[1], file=sys.stderr)
        return 1
    print("module in flash: %d bytes (Rust core %d, C layer %d)"
          % (m["rust"] + m["c"], m["rust"], m["c"]))
    for name, size in sorted(m["c_files"].items(), key=lambda kv: -kv[1]):
        print("  %6d  cmodule/%s" % (size, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
