#!/usr/bin/env python3
"""The module's flash, per source file and per function, as a real firmware
link kept it (text + rodata + data after --gc-sections, from the GNU ld map
file), and the whole module's cost against a budget.

    module_profile.py --map FIRMWARE.map [--elf FIRMWARE.elf --plain-elf PLAIN.elf]
                      [--board NAME] [--budget BYTES (default: BUDGETS[NAME])] [--top N] [--out FILE]

Rust sections are named after their symbols: a symbol's module path gives
its source file (glue::head::HeadReader::poll -> src/glue/head.rs),
#[no_mangle] entry points are looked up in src/, and what comes from other
crates (core, compiler_builtins, httparse) is listed by crate. C sections
come from cmodule/*.o. Merged strings are charged as scripts/module_size.py
charges them (each object's own strings before merging).

With --elf and --plain-elf (the same board built without the module) the
whole module is the difference of the two images' flash (text + data):
Rust + C + the rest, which is its qstrs, its module/type tables and the
few bytes the firmware's own code grows by. --budget fails (exit 1) when
that whole exceeds it.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys

import module_size

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE = "adafruit_requests_native"

# The whole module's flash per board (Rust + C + qstrs/tables: the image with
# it less the image without), every RQ_ENABLE_* on: the size after the last
# change rounded up to the next 100 bytes, so that any growth is a decision
# (raise it in the same commit and say why) rather than a drift. Measured
# 2026-12-07, MicroPython 1.25.0, GCC 12.2, Rust profile z/LTO/cgu=1, after
# the size cuts (the firmware's memory routines, one verb object table, no
# UTF-8 validator or memchr from core) and the word-at-a-time json() check
# that came with them: MICROBIT (Cortex-M0, thumbv6m) 83,048; MPS2_AN385
# (Cortex-M3) 80,552. Before the cuts: 86,476 and 84,428. Raised on purpose
# by the small-GET work that landed next (8,345 instructions and 320 GC bytes
# per GET: the read-ahead block, chunk framing taken out in place, the
# compare-and-swap guard): 84,152 and 81,680. Lowered by the Rust size cuts
# that followed (one-word errors with static message records, Rust's
# integer helpers from the firmware's libgcc, mergeable constants kept apart
# in the prelink, one byte splitter and field iterator; small GET 8,211
# instructions): 78,444 and 76,020. Lowered again by the exchange built in
# its slot (no copy of it) and the cookie records' field reader kept out of
# line (small GET 8,055 instructions): 78,320 and 75,976. With the C layer's
# cuts merged beside them (one exception builder and type test, one session
# initialiser, one socket-call helper per verb, the gzip decoder as its own
# raw-body stream, Content-Encoding and Set-Cookie read once, the aligned
# memory routines as aliases): 77,516 (Rust 50,390, C 24,908) and 75,264.
BUDGETS = {
    "MICROBIT": 77600,
    "MPS2_AN385": 75300,
}

Row = collections.namedtuple("Row", "size kind function file")

# Escapes of Rust's legacy symbol mangling.
LEGACY_ESCAPES = [("$LT$", "<"), ("$GT$", ">"), ("$C$", ","), ("$RF$", "&"), ("$BP$", "*"), ("$SP$", "@"),
                  ("$LP$", "("), ("$RP$", ")"), ("$u20$", " "), ("$u27$", "'"), ("$u5b$", "["), ("$u5d$", "]"),
                  ("$u7b$", "{"), ("$u7d$", "}"), ("$u7e$", "~"), ("..", "::")]


def idents(s, start):
    """The <length><identifier> runs of a mangled name from `start` on."""
    out = []
    i = start
    while i < len(s):
        m = re.compile(r"\d+").match(s, i)
        if not m:
            i += 1
            continue
        n = int(m.group(0))
        ident = s[m.end():m.end() + n]
        if n and len(ident) == n:
            out.append(ident)
            i = m.end() + n
        else:
            i = m.end()
    return out


def demangle(sym):
    """A readable path for a Rust symbol (hash dropped), or the name as is."""
    if sym.startswith("_ZN") and sym.endswith("E"):
        parts = idents(sym[3:-1], 0)
        if parts and re.match(r"h[0-9a-f]{16}$", parts[-1]):
            parts = parts[:-1]
        name = "::".join(parts)
        name = re.sub(r"(^|::)_\$", r"\1$", name)
        for a, b in LEGACY_ESCAPES:
            name = name.replace(a, b)
        return name
    if sym.startswith("_R"):
        # v0 mangling (the precompiled core/compiler_builtins): crate and
        # item names are its <length><identifier> runs.
        # Crate disambiguators (Cs<base-62>_) hold digits: drop them first.
        parts = idents(re.sub(r"C[sS][0-9a-zA-Z]*_", "C", sym), 2)
        return "::".join(parts) if parts else sym
    return sym


def rust_file(path, root, entry_index):
    """The source file a demangled Rust path belongs to."""
    if path.startswith("rq_"):
        return entry_index.get(path, "src (#[no_mangle] %s)" % path)
    m = re.search(CRATE + r"((?:::\w+)+)", path)
    if not m:
        crate = re.match(r"<?(\w+)::", path)
        # Unmangled: the compiler's helpers (__aeabi_*, memcmp, ...).
        return "crate %s" % (crate.group(1) if crate else "compiler_builtins")
    comps = m.group(1).strip(":").split("::")
    while comps:
        base = os.path.join("src", *comps)
        for cand in (base + ".rs", os.path.join(base, "mod.rs")):
            if os.path.exists(os.path.join(root, cand)):
                return cand
        comps.pop()
    return "src/lib.rs"


def entry_points(root):
    """#[no_mangle] fn rq_* -> the file under src/ that defines it."""
    index = {}
    for d, _, files in os.walk(os.path.join(root, "src")):
        for f in files:
            if not f.endswith(".rs"):
                continue
            p = os.path.join(d, f)
            with open(p, encoding="utf-8", errors="replace") as fh:
                for name in re.findall(r"\bfn\s+(rq_\w+)", fh.read()):
                    index.setdefault(name, os.path.relpath(p, root))
    return index


def short(path):
    return path[len(CRATE) + 2:] if path.startswith(CRATE + "::") else path


def rows(map_path, root=ROOT):
    """One Row per function (code, its strings, its constants) of the module."""
    index = entry_points(root)
    acc = collections.OrderedDict()
    for who, s, size in module_size.module_sections(map_path):
        name = s.name
        kind = "code" if name.startswith(".text") else ("data" if name.startswith(".data") else "rodata")
        sym = re.sub(r"^\.(text|rodata|data)\.", "", name)
        sym = re.sub(r"(^|\.)(str\d+\.\d+|cst\d+)$", "", sym) if s.merged else sym
        if who == "rust":
            if s.merged and sym == "":
                function, file = "(strings)" if "str" in name else "(merged constants)", "(Rust anonymous data)"
            elif sym.startswith(".Lanon") or sym.startswith("anon."):
                function, file = "(anonymous constants)", "(Rust anonymous data)"
            else:
                path = demangle(sym)
                function, file = short(path), rust_file(path, root, index)
                if s.merged:
                    function += " (strings)"
        else:
            file = "cmodule/" + who
            if s.merged:
                function = (sym + " (strings)") if sym else "(strings)"
            else:
                function = sym if sym not in (".rodata", ".text", ".data") else "(%s)" % kind
        key = (function, file)
        size0, kind0 = acc.get(key, (0, kind))
        acc[key] = (size0 + size, kind0)
    return sorted((Row(sz, k, f, fl) for (f, fl), (sz, k) in acc.items()), key=lambda r: (-r.size, r.function))


def image_flash(elf):
    """text + data of an image (what it takes of flash), from size(1)."""
    tool = shutil.which("arm-none-eabi-size") or shutil.which("size")
    out = subprocess.run([tool, elf], check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    f = out.splitlines()[1].split()
    return int(f[0]) + int(f[1])


def check_budget(board, total, budget):
    """(passes, line): the whole module (rust + c + rest) against `budget`."""
    whole = total["rust"] + total["c"] + total["rest"]
    if whole <= budget:
        return True, "%s: whole module %d bytes, budget %d: ok (%d to spare)" % (board, whole, budget, budget - whole)
    return False, "%s: whole module %d bytes is over its budget of %d by %d" % (board, whole, budget, whole - budget)


def report(board, rs, total, top):
    lines = []
    by_file = collections.Counter()
    for r in rs:
        by_file[r.file] += r.size
    w = total["rust"] + total["c"] + (total["rest"] or 0)
    lines.append("%s: module flash %s bytes = Rust %d + C %d + qstrs/tables/rest %s"
                 % (board, w if total["rest"] is not None else "?", total["rust"], total["c"],
                    total["rest"] if total["rest"] is not None else "? (no plain image)"))
    lines.append("  per source file:")
    for f, sz in by_file.most_common():
        lines.append("  %7d  %s" % (sz, f))
    lines.append("  largest %d functions (code, or their strings/constants):" % top)
    for r in rs[:top]:
        lines.append("  %7d  %-6s %s  [%s]" % (r.size, r.kind, r.function, r.file))
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--map", required=True)
    ap.add_argument("--elf")
    ap.add_argument("--plain-elf")
    ap.add_argument("--board", default="firmware")
    ap.add_argument("--budget", type=int)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", help="write the full per-function list here")
    args = ap.parse_args(argv)

    rs = rows(args.map)
    m = module_size.measure(args.map)
    total = {"rust": m["rust"], "c": m["c"], "rest": None}
    if args.elf and args.plain_elf:
        total["rest"] = image_flash(args.elf) - image_flash(args.plain_elf) - m["rust"] - m["c"]
    for line in report(args.board, rs, total, args.top):
        print(line)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(report(args.board, rs, total, len(rs))) + "\n")
        print("  full list: %s" % os.path.relpath(args.out))
    budget = args.budget if args.budget is not None else BUDGETS.get(args.board)
    if budget is not None:
        if total["rest"] is None:
            print("module_profile: a budget needs --elf and --plain-elf", file=sys.stderr)
            return 2
        ok, line = check_budget(args.board, total, budget)
        print(line)
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
