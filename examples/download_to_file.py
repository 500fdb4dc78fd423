# Streams a 256 KiB download to a file through one preallocated 4 KiB
# buffer (readinto allocates nothing), so the body is never held in RAM.
#
#   micropython examples/download_to_file.py http://127.0.0.1:8080 [out.bin]
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
OUT = sys.argv[2] if len(sys.argv) > 2 else "download.bin"

session = adafruit_requests.Session(socket)
buf = bytearray(4096)
mv = memoryview(buf)
written = 0
t0 = ticks_ms()
with session.get(BASE + "/blob?kib=256", stream=True) as response, open(OUT, "wb") as out:
    response.raise_for_status()
    while True:
        n = response.readinto(buf)
        if not n:
            break
        out.write(mv[:n])
        written += n
gc.collect()
print("wrote %d bytes to %s (%d ms, %d B heap in use)"
      % (written, OUT, ticks_diff(ticks_ms(), t0), gc.mem_alloc()))
session.close()
