# Compressed bodies: asks for gzip with Accept-Encoding and reads a JSON
# document that crosses the wire at a fraction of its size. The module
# decodes it while it streams (the firmware's deflate.DeflateIO; on
# CircuitPython, whole, with zlib), so content, text, json() with or without
# paths, iter_json, iter_content, iter_lines and readinto all see the decoded
# bytes. Without Accept-Encoding nothing is decoded, as in the reference.
#
# Run against the demo server (python3 scripts/demo_server.py):
#   micropython examples/gzip_body.py http://127.0.0.1:8080
import gc
import os
import socket
import sys

import adafruit_requests

try:
    from time import ticks_diff, ticks_ms  # MicroPython
except ImportError:  # CircuitPython: the adafruit_ticks library
    from adafruit_ticks import ticks_diff, ticks_ms

BASE = (sys.argv[1] if len(sys.argv) > 1 else os.getenv("DEMO_URL") or "http://127.0.0.1:8080").rstrip("/")
URL = BASE + "/big.json?kb=300"
GZIP = {"Accept-Encoding": "gzip"}


def cost(t0):
    gc.collect()
    return "%d ms, %d B heap in use" % (ticks_diff(ticks_ms(), t0), gc.mem_alloc())


session = adafruit_requests.Session(socket)


# The Session keeps its last response, and with it the decoder's 32 KiB
# window, until its next request or close(); a response kept in a variable
# keeps its own, hence one function per request here.
def count_decoded():
    with session.get(URL, headers=GZIP) as r:
        wire = int(r.headers["content-length"])
        encoding = r.headers.get("content-encoding")
        decoded = 0
        for chunk in r.iter_content(4096):
            decoded += len(chunk)
    return wire, encoding, decoded


def pick():
    with session.get(URL, headers=GZIP) as r:
        return r.json({"now": ("current", "temp"), "highs": ("daily", None, "max")})


t0 = ticks_ms()
wire, encoding, decoded = count_decoded()
print("gzip body: %d bytes on the wire (Content-Encoding: %s), %d decoded (%s)"
      % (wire, encoding, decoded, cost(t0)))

t0 = ticks_ms()
picked = pick()
print("gzip json selection: now %s C, highs %s (%s)" % (picked["now"], picked["highs"], cost(t0)))
session.close()
gc.collect()
print("after session.close(): %d B heap in use" % gc.mem_alloc())
