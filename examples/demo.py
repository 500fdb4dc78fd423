# A tour of the everyday calls: fetch JSON, post a form and JSON, stream a
# download through one reused buffer. Each line says what it cost: the time
# and the heap in use afterwards (after a collection). `make run` runs it
# against scripts/demo_server.py.
#
#   micropython examples/demo.py http://127.0.0.1:8080
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


def cost(t0):
    gc.collect()
    return "%d ms, %d B heap in use" % (ticks_diff(ticks_ms(), t0), gc.mem_alloc())


session = adafruit_requests.Session(socket)

t0 = ticks_ms()
with session.get(BASE + "/json") as r:
    data = r.json()
    print("GET /json ->", r.status_code, r.headers["content-type"],
          "station:", data["station"], "readings:", data["readings"], "(%s)" % cost(t0))

t0 = ticks_ms()
with session.post(BASE + "/echo", data={"name": "board 1", "temp": 21.5}) as r:
    print("POST form ->", r.status_code, r.json()["body"], "(%s)" % cost(t0))

t0 = ticks_ms()
with session.post(BASE + "/echo", json={"led": True, "level": 3}) as r:
    print("POST json ->", r.status_code, r.json()["body"], "(%s)" % cost(t0))

t0 = ticks_ms()
total = 0
buf = bytearray(1024)
with session.get(BASE + "/blob") as r:
    while True:
        n = r.readinto(buf)
        if n == 0:
            break
        total += n
print("GET /blob streamed", total, "bytes with one reused 1 KiB buffer (%s)" % cost(t0))
session.close()
print("adafruit_requests", adafruit_requests.__version__, "done")
