#!/usr/bin/env python3
"""Flash use of the CircuitPython board images scripts/circuitpython_board.sh
built, read off each link's memory report (ld --print-memory-usage), and
what the module costs against the image without it.

    cp_board_size.py --board raspberry_pi_pico [--build build/cp-board] [--json]

Looks at BUILD/<board>*-{plain,module,minimal,reference}/link.log (a board
built with a larger firmware area is a folder of its own, <board>_fw<N>k).
A link that failed because the image did not fit is reported with the
linker's overflow; the figure "used" is then the region plus the overflow.
Exit 1 when no image of the board was built, or when the image with the
module was built for the stock layout and did not link (the overflow is
the news, not a crash of this script).
"""

import argparse
import glob
import json
import os
import re
import sys

VARIANTS = ("plain", "module", "minimal", "reference")
# "  FLASH_FIRMWARE:     1084560 B      1020 KB    103.84%"
USAGE = re.compile(r"^\s*(FLASH_FIRMWARE|RAM):\s+(\d+)\s*(B|KB|MB)\s+(\d+)\s*(B|KB|MB)\s+[\d.]+%", re.M)
OVERFLOW = re.compile(r"region `FLASH_FIRMWARE' overflowed by (\d+) bytes")
UNIT = {"B": 1, "KB": 1024, "MB": 1024 * 1024}


def read_link(path):
    """{'used', 'size', 'free', 'ram', 'linked', 'overflow'} or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    regions = {}
    for m in USAGE.finditer(text):
        regions[m.group(1)] = (int(m.group(2)) * UNIT[m.group(3)], int(m.group(4)) * UNIT[m.group(5)])
    if "FLASH_FIRMWARE" not in regions:
        return None
    used, size = regions["FLASH_FIRMWARE"]
    over = OVERFLOW.search(text)
    linked = over is None and os.path.exists(os.path.join(os.path.dirname(path), "firmware.uf2"))
    return {
        "used": used,
        "size": size,
        "free": size - used,
        "ram": regions.get("RAM", (None,))[0],
        "linked": linked,
        "overflow": int(over.group(1)) if over else 0,
    }


def layouts(build, board):
    """{layout name: folder prefix}: the stock board and each grown one."""
    found = {board: os.path.join(build, board)}
    for d in sorted(glob.glob(os.path.join(build, board + "_fw*k-*"))):
        name = os.path.basename(d).rsplit("-", 1)[0]
        found[name] = os.path.join(build, name)
    return found


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "cp-board"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv[1:])

    report = {}
    for layout, prefix in layouts(args.build, args.board).items():
        for variant in VARIANTS:
            r = read_link("%s-%s/link.log" % (prefix, variant))
            if r:
                report["%s %s" % (layout, variant)] = r
    if not report:
        print("cp_board_size.py: no image of %s under %s" % (args.board, args.build))
        return 1
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print("%-40s %12s %12s %10s  %s" % ("image", "flash used", "area", "free", "vs plain"))
        for key, r in report.items():
            layout = key.rsplit(" ", 1)[0]
            # A grown layout without its own plain image compares with the
            # stock one: the code is the same, only the area differs.
            plain = report.get(layout + " plain") or report.get(args.board + " plain")
            delta = "%+d" % (r["used"] - plain["used"]) if plain and not key.endswith(" plain") else ""
            state = "" if r["linked"] else "  DOES NOT LINK: overflows by %d bytes" % r["overflow"]
            print("%-40s %12d %12d %10d  %s%s" % (key, r["used"], r["size"], r["free"], delta, state))
    stock = report.get(args.board + " module")
    return 1 if stock and not stock["linked"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
