"""What the firmware under test is and which networking modules it has,
asked of the firmware itself once per run (MICROPYTHON=..., default
build/micropython). Tests that depend on them skip or xfail with the reason,
never silently."""

import json
import os
import pathlib
import subprocess

REPO = pathlib.Path(__file__).resolve().parent.parent


def natmod_path():
    """RQ_NATMOD=path/to/adafruit_requests.mpy: the suite runs that dynamic
    native module on stock firmware (build/micropython-plain unless
    MICROPYTHON says otherwise) instead of the built-in module."""
    return os.environ.get("RQ_NATMOD") or None


def firmware_path():
    default = "micropython-plain" if natmod_path() else "micropython"
    return os.environ.get("MICROPYTHON") or str(REPO / "build" / default)


# What the dynamic native module leaves out, and why (README, "Stock
# firmware"). Tests that need one skip with the reason under RQ_NATMOD.
NATMOD_LACKS = {
    "async": "the dynamic native module has no AsyncSession: its awaitables end "
             "through the VM's stop_iteration_arg and find asyncio in sys.modules' "
             "C map, neither of which mp_fun_table reaches",
    "finaliser": "a dynamic native module cannot allocate objects with a finaliser "
                 "(gc_alloc's flag is not in mp_fun_table): a Session dropped without "
                 "close() keeps its sockets",
    "heap": "the dynamic native module's import keeps about 3.4 KB of the heap "
            "(its globals, bss and qstr table; the built-in module's are in ROM), "
            "more than this 32 KiB-heap case has to spare",
    "threads": "a dynamic native module cannot see the firmware's thread state or "
               "release the GIL: one Session used from two threads raises "
               "'Session is busy' instead of waiting",
}


def natmod_lacks(feature):
    """The reason to skip when the module under test is the natmod and it
    lacks `feature` (a NATMOD_LACKS key), else None."""
    return NATMOD_LACKS[feature] if natmod_path() else None


_CAPS_SCRIPT = """
import sys, json
caps = {"name": sys.implementation.name}
for m in ("socket", "tls", "ssl", "socketpool", "wifi", "deflate", "select", "asyncio"):
    try:
        __import__(m)
        caps[m] = True
    except ImportError:
        caps[m] = False
# Compressed bodies (SPEC 10): decoded while streaming through
# deflate.DeflateIO, or whole through a one-shot zlib.decompress.
caps["decompressor"] = None
try:
    import deflate
    if hasattr(deflate, "DeflateIO"):
        caps["decompressor"] = "stream"
except ImportError:
    try:
        import zlib
        if hasattr(zlib, "decompress"):
            caps["decompressor"] = "whole"
    except ImportError:
        pass
print(json.dumps(caps))
"""
_caps = {}


def firmware_caps():
    path = firmware_path()
    if path not in _caps:
        caps = {"name": "unknown"}
        if os.path.exists(path):
            proc = subprocess.run([path, "-c", _CAPS_SCRIPT], capture_output=True, text=True,
                                  timeout=30)
            if proc.returncode == 0 and proc.stdout.strip():
                caps = json.loads(proc.stdout.strip().splitlines()[-1])
        _caps[path] = caps
    return _caps[path]


def on_circuitpython():
    return firmware_caps()["name"] == "circuitpython"


def default_networking():
    """Whether the module-level API can build its own session: CircuitPython
    needs wifi and socketpool (and ssl for https), MicroPython socket."""
    caps = firmware_caps()
    if caps["name"] == "circuitpython":
        return caps.get("wifi", False) and caps.get("socketpool", False)
    return caps.get("socket", False)


def default_networking_reason():
    caps = firmware_caps()
    if caps["name"] == "circuitpython":
        return ("circuitpython firmware without wifi and socketpool, which the module-level "
                "API defaults to (its branch runs on stand-ins: test_circuitpython_defaults.py)")
    return "%s firmware without the socket module the module-level API defaults to" % caps["name"]


def decompressor():
    """How compressed bodies are decoded (SPEC §10): "stream" through
    MicroPython's deflate.DeflateIO, "whole" through a one-shot
    zlib.decompress (CircuitPython), or None (bodies stay encoded)."""
    return firmware_caps().get("decompressor")


def has_decompressor():
    return decompressor() is not None


def asyncio_skip_reason(aio):
    """Why AsyncSession cannot run on this firmware with this asyncio, or
    None: MicroPython's asyncio must be built in; CircuitPython's library
    needs select.poll (both wait through it)."""
    caps = firmware_caps()
    if not caps.get("select", False):
        return "%s firmware without select, which asyncio's I/O queue polls" % caps["name"]
    if aio == "micropython" and not caps.get("asyncio", False):
        return ("%s firmware without a built-in asyncio (CircuitPython's library from PyPI "
                "runs the same tests)" % caps["name"])
    return None
