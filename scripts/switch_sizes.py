#!/usr/bin/env python3
"""Flash each build-time switch saves (cmodule/rq_config.h), measured on a
real firmware: MicroPython's qemu port for the MPS2-AN385 board (Cortex-M3,
the board `make qemu` builds), linked with --gc-sections as board ports are.

    scripts/switch_sizes.py [--out build/switch-sizes]

Builds the firmware once with every switch on, once with each switch off,
and once with all of them off, and prints the flash (text + data) of each
next to what it saves. Needs `make deps-cross` (arm-none-eabi-gcc and the
thumbv7m Rust target).
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWITCHES = ["MULTIPART", "LEGACY_API", "ITER_LINES", "JSON_SELECT", "DEFLATE", "ASYNC"]
WHAT = {
    "MULTIPART": "files= uploads",
    "LEGACY_API": "module-level request()/get()/..., set_socket()",
    "ITER_LINES": "iter_lines(), iter_content(decode_unicode=True)",
    "JSON_SELECT": "json(*path), json({name: path}), iter_json()",
    "DEFLATE": "gzip/deflate bodies",
    "ASYNC": "AsyncSession, aread()/ajson()/aiter_*()",
}


def build(out, name, switches):
    build_dir = os.path.join(out, name)
    micropy = os.environ.get("MICROPY_DIR", os.path.join(ROOT, "deps", "micropython"))
    cmd = ["make", "-C", os.path.join(micropy, "ports", "qemu"), "-j%d" % (os.cpu_count() or 2),
           "BOARD=MPS2_AN385", "BOARD_DIR=%s" % os.path.join(ROOT, "ports", "qemu", "MPS2_AN385"),
           "BUILD=%s" % build_dir, "USER_C_MODULES=%s" % ROOT, "FROZEN_MANIFEST="]
    cmd += ["RQ_ENABLE_%s=0" % s for s in switches]
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(micropy))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("build %s failed:\n%s" % (name, (r.stderr or r.stdout)[-3000:]))
    size = subprocess.run(["arm-none-eabi-size", os.path.join(build_dir, "firmware.elf")],
                          capture_output=True, text=True, check=True).stdout.splitlines()[1].split()
    return int(size[0]) + int(size[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "switch-sizes"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    base = build(args.out, "all-on", [])
    rows = []
    for s in SWITCHES:
        size = build(args.out, "no-" + s.lower(), [s])
        rows.append(("RQ_ENABLE_%s=0" % s, WHAT[s], size, base - size))
    size = build(args.out, "all-off", SWITCHES)
    rows.append(("all of them 0", "", size, base - size))
    lines = ["| switch | leaves out | firmware flash | saves |", "|---|---|---:|---:|",
             "| (all on) | | %d | |" % base]
    lines += ["| `%s` | %s | %d | %d |" % r for r in rows]
    text = "\n".join(lines)
    with open(os.path.join(args.out, "sizes.md"), "w") as f:
        f.write(text + "\n")
    print("Flash (text + data, bytes) of the MPS2-AN385 (Cortex-M3) firmware:")
    print(text)


if __name__ == "__main__":
    main()
