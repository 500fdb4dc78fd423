# Big JSON on a small heap: picks a few values out of a 5 MB forecast
# document, then walks its 10,000 hourly entries one at a time, in a 32 KiB
# heap. Only the selected values are ever built as Python objects; the rest
# of the document streams past. A whole-document json() cannot fit.
#
# Run against the demo server (python3 scripts/demo_server.py):
#   micropython -X heapsize=32k examples/big_json.py http://127.0.0.1:8080
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
URL = BASE + "/big.json?kb=5000"


def ms_since(t0):
    return ticks_diff(ticks_ms(), t0)


def cost(t0):
    gc.collect()
    return "%d ms, %d B in use of a %d B heap" % (ms_since(t0), gc.mem_alloc(), gc.mem_alloc() + gc.mem_free())


session = adafruit_requests.Session(socket)

t0 = ticks_ms()
with session.get(URL) as r:
    size = int(r.headers["content-length"])
    picked = r.json({"city": "city", "now": ("current", "temp"), "highs": ("daily", None, "max")})
print("picked from %d bytes: city %s, now %s C, highs %s (%s)"
      % (size, picked["city"], picked["now"], picked["highs"], cost(t0)))

t0 = ticks_ms()
count = 0
warmest = None
with session.get(URL) as r:
    for hour in r.iter_json("hourly", None):
        count += 1
        if warmest is None or hour["temp"] > warmest[0]:
            warmest = (hour["temp"], hour["dt"])
print("iterated %d hourly entries: warmest %s C at %d (%s)" % (count, warmest[0], warmest[1], cost(t0)))

t0 = ticks_ms()
try:
    with session.get(URL) as r:
        r.json()
    print("whole-document json(): fitted")
except MemoryError:
    print("whole-document json(): MemoryError, as expected in this heap (%s)" % cost(t0))
session.close()
