"""mip installs the dynamic native module the way users install libraries:
the folder `make natmod` writes (the .mpy and its package.json) is served on
127.0.0.1, stock firmware runs mip.install("http://<that folder>"), then
imports the module from where mip put it and makes a GET with it.

Runs with RQ_NATMOD (make test-natmod); mip and its requests come from
micropython-lib (MICROPY_DIR/lib/micropython-lib, or MPYLIB_DIR), which the
test copies to a temporary folder.
"""

import functools
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import threading

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
NATMOD = os.environ.get("RQ_NATMOD")

# micropython-lib's folders holding the two packages mip needs.
MIP_PACKAGES = {
    "mip": "micropython/mip/mip",
    "requests": "python-ecosys/requests/requests",
}

pytestmark = pytest.mark.skipif(not NATMOD, reason="installs the natmod with mip: runs with RQ_NATMOD (make test-natmod)")


def micropython_lib():
    if os.environ.get("MPYLIB_DIR"):
        return pathlib.Path(os.environ["MPYLIB_DIR"])
    mpy_dir = pathlib.Path(os.environ.get("MICROPY_DIR") or REPO / "deps" / "micropython")
    return mpy_dir / "lib" / "micropython-lib"


@pytest.fixture
def mip_dir(tmp_path):
    lib = micropython_lib()
    if not (lib / MIP_PACKAGES["mip"] / "__init__.py").exists():
        pytest.skip("no micropython-lib at %s (scripts/deps.sh micropython-lib, or MPYLIB_DIR)" % lib)
    tools = tmp_path / "tools"
    for name, rel in MIP_PACKAGES.items():
        shutil.copytree(lib / rel, tools / name)
    return tools


@pytest.fixture
def served_natmod():
    """An HTTP server on 127.0.0.1 for the natmod's folder: its base URL."""
    folder = os.path.dirname(os.path.abspath(NATMOD))
    handler = functools.partial(QuietHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1], folder
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


SCRIPT = """
import sys
sys.path.insert(0, %(tools)r)
import mip
mip.install(%(url)r, target=%(lib)r)
sys.path.insert(0, %(lib)r)
import adafruit_requests, socket
print("FROM", adafruit_requests.__file__)
s = adafruit_requests.Session(socket)
with s.get(%(get)r) as r:
    print("STATUS", r.status_code)
    print("JSON", r.json()["urls"])
s.close()
"""


def test_mip_installs_and_the_module_gets(mip_dir, served_natmod, tmp_path):
    base, folder = served_natmod
    with open(os.path.join(folder, "package.json")) as f:
        package = json.load(f)
    lib = tmp_path / "lib"
    script = SCRIPT % {
        "tools": str(mip_dir),
        # The folder, as README says: mip adds /package.json itself.
        "url": base,
        "lib": str(lib),
        "get": base + "/package.json",
    }
    firmware = os.environ.get("MICROPYTHON") or str(REPO / "build" / "micropython-plain")
    proc = subprocess.run([firmware, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    # mip copied what package.json names, byte for byte.
    for target, _url in package["urls"]:
        with open(os.path.join(folder, target), "rb") as f, open(lib / target, "rb") as g:
            assert f.read() == g.read(), target
    # The module came from mip's folder (stock firmware has none built in).
    assert "FROM %s/adafruit_requests.mpy" % lib in out, proc.stdout
    assert "STATUS 200" in out, proc.stdout
    assert "JSON %s" % package["urls"] in out, proc.stdout
