#!/usr/bin/env python3
"""Where a firmware's flash goes for this module, from the GNU ld map file
the firmware's link wrote: the bytes of code and read-only/initialised data
that the linker kept from the Rust core's object and from each cmodule/*.c
object, after --gc-sections. What grows elsewhere (the qstr pool, the
module table) is the rest of the difference between the firmware with and
without the module (scripts/module_profile.py measures it).

Merged sections (`.rodata.*.str1.N` string literals, `.rodata.cst16`
constants) are where GNU ld's maps mislead: the linker pools every object's
merged strings, and newer versions (binutils >= 2.42 or so, as used by
CircuitPython's GCC 14 builds) show the whole firmware's pool as the size
of the first input section of the pool, the rest at 0 with their own size
as "size before relaxing". Each of our merged sections is charged its own
size before merging (the smaller of the two when both are shown): an upper
bound, since a string identical to one elsewhere in the firmware is stored
once. They are also reported on their own.

usage: module_size.py FIRMWARE.map [--json]
"""

import json
import re
import sys

# An input section line: " .text.name  0xADDR  0xSIZE  path/obj.o", with the
# name on a line of its own when it is long; a merged section may be
# followed by "  0xSIZE (size before relaxing)".
FULL = re.compile(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
NAME_ONLY = re.compile(r"^ (\.\S+)\s*$")
REST = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
BEFORE_RELAXING = re.compile(r"^\s+0x([0-9a-f]+) \(size before relaxing\)\s*$")
# Sections that take flash: code, constants, and initial values of data.
FLASH = (".text", ".rodata", ".data")
# SHF_MERGE sections as GCC and rustc name them.
MERGED = re.compile(r"(^|\.)(str\d+\.\d+|cst\d+)$")
RUST_OBJECT = "adafruit_requests_native.o"


class Section:
    __slots__ = ("name", "addr", "size", "obj", "before")

    def __init__(self, name, addr, size, obj):
        self.name, self.addr, self.size, self.obj, self.before = name, addr, size, obj, None

    @property
    def merged(self):
        return bool(MERGED.search(self.name))

    def charged(self):
        """The bytes this section stands for in the firmware (see the module's
        docstring for merged sections)."""
        if self.merged and self.before is not None:
            return min(self.size, self.before) if self.size else self.before
        return self.size


def parse(lines):
    """Every input section of the memory map, in order."""
    started = False
    pending = None
    last = None
    for line in lines:
        if not started:
            started = line.startswith("Linker script and memory map")
            continue
        if pending is not None:
            m = REST.match(line)
            last = Section(pending, int(m.group(1), 16), int(m.group(2), 16), m.group(3)) if m else None
            pending = None
            if last is not None:
                yield last
            continue
        m = BEFORE_RELAXING.match(line)
        if m:
            if last is not None:
                last.before = int(m.group(1), 16)
            continue
        m = FULL.match(line)
        if m:
            last = Section(m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4))
            yield last
            continue
        last = None
        m = NAME_ONLY.match(line)
        if m:
            pending = m.group(1)


def input_sections(lines):
    """(section, address, size, object) of each input section (older callers)."""
    for s in parse(lines):
        yield s.name, s.addr, s.size, s.obj


def owner(obj):
    """'rust', a cmodule file name, or None for the rest of the firmware."""
    if RUST_OBJECT in obj:
        return "rust"
    m = re.search(r"cmodule/([A-Za-z0-9_]+)\.c\.o|cmodule/([A-Za-z0-9_]+)\.o", obj)
    if m:
        return (m.group(1) or m.group(2)) + ".c"
    return None


def module_sections(path):
    """(owner, Section, bytes charged) of each flash section of the module,
    with "size before relaxing" read (parse() fills it after yielding)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    all_sections = list(parse(lines))
    out = []
    for s in all_sections:
        if not s.name.startswith(FLASH):
            continue
        who = owner(s.obj)
        if who is None:
            continue
        size = s.charged()
        # Address 0 with nothing to charge: discarded, or not loaded.
        if size == 0 or (s.addr == 0 and not (s.merged and s.before)):
            continue
        out.append((who, s, size))
    return out


def measure(path):
    sizes = {}
    merged = {"rust": 0, "c": 0}
    for who, s, size in module_sections(path):
        sizes[who] = sizes.get(who, 0) + size
        if s.merged:
            merged["rust" if who == "rust" else "c"] += size
    rust = sizes.pop("rust", 0)
    return {"rust": rust, "c": sum(sizes.values()), "c_files": dict(sorted(sizes.items())), "merged": merged}


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
    print("  of which merged strings/constants: Rust %d, C %d (before the linker's merging:"
          " an upper bound)" % (m["merged"]["rust"], m["merged"]["c"]))
    for name, size in sorted(m["c_files"].items(), key=lambda kv: -kv[1]):
        print("  %6d  cmodule/%s" % (size, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
