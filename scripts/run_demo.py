#!/usr/bin/env python3
"""`make run`: the best of the module in a few seconds, on the unix firmware
against scripts/demo_server.py (loopback, a free port). Each example prints
what it did and what it cost (time, heap).

Usage: scripts/run_demo.py [firmware]      (default build/micropython, or $MICROPYTHON)
"""

import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from demo_server import DemoServer  # noqa: E402

# (script, firmware options, what it shows)
STEPS = [
    ("demo.py", [], "everyday calls: JSON, a form and JSON posted, a download through one buffer"),
    ("big_json.py", ["-X", "heapsize=32k"],
     "big JSON in a 32 KiB heap: values picked from a 5 MB document, its 10,000 entries walked"),
    ("gzip_body.py", [], "a gzip body (Accept-Encoding), decoded while it streams"),
    ("async_session.py", [], "AsyncSession: eight slow requests at once while a task keeps ticking"),
]


def main():
    firmware = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "MICROPYTHON", str(ROOT / "build" / "micropython"))
    t0 = time.monotonic()
    failed = 0
    with DemoServer() as srv:
        print("demo server on", srv.url, "(scripts/demo_server.py)")
        for script, options, what in STEPS:
            print("\n== examples/%s%s: %s" % (script, " " + " ".join(options) if options else "",
                                             what), flush=True)
            rc = subprocess.run([firmware] + options + [str(ROOT / "examples" / script), srv.url],
                                timeout=120).returncode
            if rc:
                print("   (exit status %d)" % rc)
                failed += 1
    print("\n%d examples in %.1f s; every one is in examples/ and checked by "
          "python_tests/test_examples.py" % (len(STEPS), time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
