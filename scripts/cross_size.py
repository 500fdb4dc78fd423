#!/usr/bin/env python3
"""Cross-builds the Rust library for microcontroller targets and reports the
flash its code takes in a firmware.

    scripts/cross_size.py [--out build/cross] [--top 25] [triple ...]

For each triple: the staticlib as cmodule/micropython.mk builds it, prelinked
the same way (one relocatable object, only rq_* global, unwind tables and
bitcode removed), then linked on its own with --gc-sections, every rq_*
symbol as a root and the C side's symbols left unresolved. That last step is
what the firmware's link does to the object, so the sizes are what a firmware
carries of the Rust side (checked against the qemu firmware's map file:
within a few bytes of alignment).

The links use the target's GNU ld when it is installed (arm-none-eabi-ld,
riscv64-unknown-elf-ld), as firmware builds do; otherwise rust-lld, which
also drops unused pieces of merged string sections and so reports up to a
kilobyte less than a GNU-linked firmware carries. The other tools come from
the Rust toolchain (llvm-objcopy/nm/size from `rustup component add
llvm-tools`), so one set reads every target.
Symbol tables (largest first, grouped by crate) go to <out>/<triple>.symbols.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TRIPLES = [
    "thumbv6m-none-eabi",
    "thumbv7m-none-eabi",
    "thumbv7em-none-eabihf",
    "riscv32imc-unknown-none-elf",
]
# What the Rust code alone took on a Cortex-M3 on 2026-12-07 (every feature,
# multipart included: 54,632 bytes; 48,874 after the Rust size cuts of the
# same day) and a little room, so that growth shows here too. The budget that fails the build is the whole module's, measured
# in real firmwares: scripts/module_profile.py (make size-profile).
BUDGET = {"thumbv7m-none-eabi": 50 * 1024}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, universal_newlines=True, **kw).stdout


def tool_dir():
    sysroot = run(["rustc", "--print", "sysroot"]).strip()
    host = re.search(r"^host: (\S+)", run(["rustc", "-vV"]), re.M).group(1)
    d = os.path.join(sysroot, "lib", "rustlib", host, "bin")
    missing = [t for t in ("rust-lld", "llvm-objcopy", "llvm-nm", "llvm-size") if not os.path.exists(os.path.join(d, t))]
    if missing:
        sys.exit("cross_size: %s missing in %s (rustup component add llvm-tools)" % (", ".join(missing), d))
    return d


def build(triple, target_dir):
    subprocess.run(
        ["cargo", "rustc", "--lib", "--crate-type", "staticlib", "--release", "--features", "firmware,multipart",
         "--manifest-path", os.path.join(ROOT, "Cargo.toml"), "--target-dir", target_dir, "--target", triple],
        check=True,
    )
    return os.path.join(target_dir, triple, "release", "libadafruit_requests_native.a")


def gnu_ld_for(triple):
    if triple.startswith(("thumb", "arm")):
        return shutil.which("arm-none-eabi-ld")
    if triple.startswith("riscv32"):
        return shutil.which("riscv64-unknown-elf-ld")
    return None


MEM_SYMBOLS = ["memcpy", "memmove", "memset", "memcmp", "__aeabi_mem*"]
MEM_NAMES = {"memcpy", "memmove", "memset", "memcmp"} | {
    "__aeabi_mem%s%s" % (op, n) for op in ("cpy", "move", "set", "clr") for n in ("", "4", "8")}


def link(tools, triple, lib, out):
    """lib -> out (the firmware's view of the Rust side); returns the linker used."""
    gnu_ld = gnu_ld_for(triple)
    if gnu_ld:
        linker = [gnu_ld, "-z", "noexecstack"]
    else:
        linker = [os.path.join(tools, "rust-lld"), "-flavor", "gnu"]
    if triple.startswith("riscv32"):
        linker += ["-m", "elf32lriscv"]
    obj = out + ".o"
    if triple.startswith(("thumb", "arm")):
        # As micropython.mk: Rust's calls to the integer helpers go to the
        # firmware's libgcc, so its own copies are not counted.
        helpers = ["__aeabi_uidiv", "__aeabi_uidivmod", "__aeabi_idiv", "__aeabi_idivmod", "__aeabi_uldivmod",
                   "__aeabi_ldivmod", "__aeabi_lmul", "__aeabi_llsl", "__aeabi_llsr", "__aeabi_lasr"]
        local_lib = out + ".a"
        run([os.path.join(tools, "llvm-objcopy")] + ["--localize-symbol=%s" % h for h in helpers] + [lib, local_lib])
        lib = local_lib
    # -S as in micropython.mk: old RISC-V GNU ld rejects the debug relocations.
    # --unique as in micropython.mk (GNU ld only): merged, the constant and
    # string sections Rust uses would keep compiler_builtins' unused ones.
    unique = ["--unique=.rodata.cst*", "--unique=.rodata.str*"] if gnu_ld else []
    run(linker + ["-r", "-S"] + unique + ["--whole-archive", lib, "--no-whole-archive", "-o", obj + ".tmp"], stderr=subprocess.DEVNULL)
    # The memory routines stay global, as in micropython.mk, and the firmware's
    # (its C library's, and cmodule/shims_mem.c for the __aeabi_mem* names)
    # replace them: stood in for here by absolute symbols, which win over
    # compiler_builtins' weak definitions.
    strip = ["--wildcard", "--keep-global-symbol=rq_*", "--remove-section=.llvmbc", "--remove-section=.llvmcmd",
             "--remove-section=.llvm_addrsig", "--strip-debug"]
    strip += ["--keep-global-symbol=%s" % m for m in MEM_SYMBOLS]
    if triple.startswith(("thumb", "arm")):
        strip += ["--remove-section=.ARM.exidx*", "--remove-section=.ARM.extab*"]
    run([os.path.join(tools, "llvm-objcopy")] + strip + [obj + ".tmp", obj])
    os.remove(obj + ".tmp")
    roots = sorted({
        line.split()[-1]
        for line in run([os.path.join(tools, "llvm-nm"), "--defined-only", "--extern-only", obj]).splitlines()
        if line.split() and line.split()[-1].startswith("rq_")
    })
    if not roots:
        sys.exit("cross_size: %s exports no rq_* symbol" % lib)
    undef = [a for r in roots for a in ("-u", r)]
    mem = run([os.path.join(tools, "llvm-nm"), "--defined-only", "--extern-only", obj]).split()
    undef += ["--defsym=%s=0" % m for m in mem if m in MEM_NAMES]
    run(linker + ["--gc-sections", "-e", roots[0], "--unresolved-symbols=ignore-all"] + undef + ["-o", out, obj],
        stderr=subprocess.DEVNULL)
    os.remove(obj)
    if lib == out + ".a":
        os.remove(lib)
    return os.path.basename(linker[0])


def section_sizes(tools, obj):
    sizes = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    for line in run([os.path.join(tools, "llvm-size"), "-A", obj]).splitlines():
        f = line.split()
        if len(f) < 2 or not f[1].isdigit():
            continue
        name, size = f[0], int(f[1])
        for kind in ("text", "rodata", "data", "bss"):
            if name == "." + kind or name.startswith("." + kind + "."):
                sizes[kind] += size
        if name.startswith(".srodata") or name.startswith(".sdata"):
            sizes["rodata" if "ro" in name else "data"] += size
        elif name.startswith(".sbss"):
            sizes["bss"] += size
    return sizes


def owner(sym):
    """Which part of the code a demangled symbol belongs to."""
    s = sym.lstrip("<")
    if sym.startswith("rq_"):
        return "glue (rq_* entry points)"
    if sym.startswith("__") or sym in ("memcpy", "memmove", "memset", "memcmp", "bcmp") or s.startswith("compiler_builtins"):
        return "compiler_builtins"
    if sym.startswith((".L", "anon.")):
        return "anonymous constants (string literals, tables)"
    m = re.match(r"adafruit_requests_native::(\w+)", s)
    if m:
        return m.group(1)
    m = re.match(r"(\w+)::", s)
    return m.group(1) if m else "other"


# Escapes of Rust's legacy symbol mangling that llvm-nm leaves in place.
LEGACY_ESCAPES = [("$LT$", "<"), ("$GT$", ">"), ("$C$", ","), ("$RF$", "&"), ("$BP$", "*"), ("$SP$", "@"),
                  ("$LP$", "("), ("$RP$", ")"), ("$u20$", " "), ("$u27$", "'"), ("$u5b$", "["), ("$u5d$", "]"),
                  ("$u7b$", "{"), ("$u7d$", "}"), ("$u7e$", "~"), ("..", "::")]


def demangle_rest(name):
    # A path segment that would start with '$' gets a '_' in front.
    name = re.sub(r"(^|::)_\$", r"\1$", name)
    for a, b in LEGACY_ESCAPES:
        name = name.replace(a, b)
    return name


def symbols(tools, obj):
    out = run([os.path.join(tools, "llvm-nm"), "--size-sort", "--print-size", "--demangle", "--radix=d", obj])
    rows = []
    for line in out.splitlines():
        m = re.match(r"\d+ (\d+) ([tTrRdDbBwWvV]) (.*)$", line)
        if m:
            name = demangle_rest(re.sub(r"::h[0-9a-f]{16}$", "", m.group(3)))
            rows.append((int(m.group(1)), m.group(2), name))
    rows.sort(reverse=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "cross"))
    ap.add_argument("--top", type=int, default=25, help="largest symbols to print for thumbv7m-none-eabi")
    ap.add_argument("triples", nargs="*", default=DEFAULT_TRIPLES)
    args = ap.parse_args()

    tools = tool_dir()
    os.makedirs(args.out, exist_ok=True)
    target_dir = os.path.join(args.out, "cargo")
    report = []
    for triple in args.triples:
        lib = build(triple, target_dir)
        obj = os.path.join(args.out, triple + ".elf")
        linker = link(tools, triple, lib, obj)
        sizes = section_sizes(tools, obj)
        rows = symbols(tools, obj)
        by_owner = {}
        for size, _, name in rows:
            by_owner[owner(name)] = by_owner.get(owner(name), 0) + size
        with open(os.path.join(args.out, triple + ".symbols"), "w") as f:
            f.write("# bytes by part\n")
            for k, v in sorted(by_owner.items(), key=lambda kv: -kv[1]):
                f.write("%7d  %s\n" % (v, k))
            f.write("# symbols, largest first (t = code, r = read-only data)\n")
            for size, kind, name in rows:
                f.write("%7d %s %s\n" % (size, kind, name))
        report.append((triple, sizes, linker, rows, by_owner))

    print()
    print("Rust code per target, as linked into a firmware (bytes; flash = text + rodata + data)")
    print("%-30s %7s %7s %5s %5s %7s  %s" % ("target", "text", "rodata", "data", "bss", "flash", "linked by"))
    for triple, s, linker, _, _ in report:
        flash = s["text"] + s["rodata"] + s["data"]
        note = ""
        if triple in BUDGET:
            b = BUDGET[triple]
            note = "  budget %d: %s" % (b, "ok" if flash <= b else "over by %d" % (flash - b))
        print("%-30s %7d %7d %5d %5d %7d  %-16s%s" % (triple, s["text"], s["rodata"], s["data"], s["bss"], flash, linker, note))
    for triple, s, linker, rows, by_owner in report:
        if triple != "thumbv7m-none-eabi":
            continue
        print()
        print("%s by part (bytes of symbols):" % triple)
        for k, v in sorted(by_owner.items(), key=lambda kv: -kv[1]):
            if v:
                print("%7d  %s" % (v, k))
        print("largest %d symbols (full list: %s):" % (args.top, os.path.relpath(os.path.join(args.out, triple + ".symbols"))))
        for size, kind, name in rows[: args.top]:
            print("%7d %s %s" % (size, kind, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
