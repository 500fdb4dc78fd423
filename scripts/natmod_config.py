#!/usr/bin/env python3
"""The config header of the natmod build: what `mpy_ld.py --preprocess`
writes (MP_QSTR_x as constants for the firmware's static qstrs, as loads from
the natmod's qstr table for the others), plus RQ_LINK_MP_QSTR_x for every one
of them: the value static tables hold until import (cmodule/natmod/rq_natmod.h).

usage: natmod_config.py MPY_LD OUT SOURCE...
"""
import re
import subprocess
import sys


def main():
    mpy_ld, out, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    subprocess.run([sys.executable, mpy_ld, "--preprocess", "-o", out, *sources], check=True)
    with open(out) as f:
        text = f.read()
    links = []
    for m in re.finditer(r"^#define (MP_QSTR_\w+) \((\d+)\)$", text, re.M):
        links.append("#define RQ_LINK_%s (%s)" % (m.group(1), m.group(2)))
    for m in re.finditer(r"^#define (MP_QSTR_\w+) \(mp_native_qstr_table\[(\d+)\]\)$", text, re.M):
        links.append("#define RQ_LINK_%s (RQ_LINK_FLAG | %s)" % (m.group(1), m.group(2)))
    with open(out, "a") as f:
        f.write("\n".join(links) + "\n")


if __name__ == "__main__":
    main()
