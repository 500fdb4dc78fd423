#!/usr/bin/env python3
"""Free GC heap on an emulated Pico right after boot, and after
`import adafruit_requests`, for each UF2 given.

    pico_heap.py --emu build/pico-emu NAME=FIRMWARE.uf2 [NAME=FIRMWARE.uf2 ...]

Each image boots in rp2040js (python_tests/qemu/pico_runner.py's Board, the
emulator `make test-pico` prepares), and the raw REPL runs one script that
collects and reads gc.mem_free() before and after the import. An image
without the module (the plain build) reports the import's error instead.
Exit 1 when an image does not reach the REPL; the board's last output and
stderr lines are printed then (a Pico W image waits for its Wi-Fi chip).
"""

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python_tests", "qemu"))

import pico_runner  # noqa: E402

PROBE = b"""import gc
gc.collect()
print("boot", gc.mem_free(), gc.mem_alloc())
try:
    import adafruit_requests
except ImportError as e:
    print("import", "ImportError", repr(str(e)))
else:
    gc.collect()
    print("import", gc.mem_free(), gc.mem_alloc())
"""


def probe(emu_dir, uf2, log_path, limit, circuitpython=False):
    flash_image = None
    if circuitpython:
        flash_image = pico_runner.prepare_cp_drive(uf2, os.path.dirname(log_path))
    board = pico_runner.Board(emu_dir, uf2, log_path, flash_image)
    started = time.monotonic()
    try:
        board.enter_raw_repl(started + pico_runner.BOOT_LIMIT)
        problem = pico_runner.cp_boot_problem(board, time.monotonic() + 60) if circuitpython else None
        if problem:
            raise pico_runner.BoardError("booted in " + problem)
        out, err = board.exec_raw(PROBE, time.monotonic() + limit)
    except pico_runner.BoardError as e:
        tail = board.close()[-5:]
        return {"error": "%s (after %.0f s)" % (e, time.monotonic() - started), "board_log": tail}
    board.close()
    result = {}
    for line in pico_runner.normalise(out).decode(errors="replace").splitlines():
        word, _, rest = line.partition(" ")
        if word in ("boot", "import"):
            result[word] = rest
    if err.strip():
        result["error"] = err.decode(errors="replace").strip()
    return result


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--emu", default=os.path.join(ROOT, "build", "pico-emu"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "pico-heap"))
    ap.add_argument("--time-limit", type=float, default=120)
    ap.add_argument("--circuitpython", action="store_true",
                    help="CircuitPython images: boot with an empty CIRCUITPY drive, safe mode fails")
    ap.add_argument("images", nargs="+", metavar="NAME=UF2")
    args = ap.parse_args(argv[1:])
    os.makedirs(args.work, exist_ok=True)
    emu = os.path.abspath(args.emu)
    results, failed = {}, False
    for item in args.images:
        name, _, uf2 = item.partition("=")
        if not os.path.exists(uf2):
            print("%-24s %s is missing" % (name, uf2))
            failed = True
            continue
        r = probe(emu, os.path.abspath(uf2), os.path.join(args.work, name + ".board.log"), args.time_limit,
                  args.circuitpython)
        results[name] = r
        if "boot" in r:
            print("%-24s after boot: free alloc = %s; after import: %s" % (name, r["boot"], r.get("import", "?")))
        else:
            failed = True
            print("%-24s did not run: %s" % (name, r.get("error")))
            for line in r.get("board_log", []):
                print("    " + line)
    with open(os.path.join(args.work, "heap.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
