"""The firmware starts and has the native module built in."""

import os
import pathlib
import re
import subprocess

REPO = pathlib.Path(__file__).resolve().parent.parent


def test_module_reports_version():
    firmware = os.environ.get("MICROPYTHON") or str(REPO / "build" / "micropython")
    natmod = os.environ.get("RQ_NATMOD")
    # The dynamic native module is imported from its folder.
    path = "import sys; sys.path.insert(0, %r); " % os.path.dirname(natmod) if natmod else ""
    proc = subprocess.run(
        [firmware, "-c", path + "import adafruit_requests; print(adafruit_requests.__version__)"],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", proc.stdout.strip()), proc.stdout
