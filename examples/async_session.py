# AsyncSession: eight requests to a server that takes 300 ms to answer each,
# all in flight at once (up to max_connections=4 at a time), while another
# task keeps ticking every 10 ms: the event loop never blocks on the network.
# One after another they would take 8 x 300 ms.
#
# Run against the demo server (python3 scripts/demo_server.py):
#   micropython examples/async_session.py http://127.0.0.1:8080
import asyncio
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
COUNT = 8
DELAY_MS = 300

ticks = 0


async def ticker():
    global ticks
    while True:
        await asyncio.sleep(0.01)
        ticks += 1


async def main():
    tick_task = asyncio.create_task(ticker())
    async with adafruit_requests.AsyncSession(socket) as session:
        t0 = ticks_ms()
        urls = [BASE + "/slow?ms=%d&id=%d" % (DELAY_MS, i) for i in range(COUNT)]
        responses = await asyncio.gather(*(session.get(u) for u in urls))
        elapsed = ticks_diff(ticks_ms(), t0)
        ids = [r.json()["id"] for r in responses]
        for r in responses:
            r.close()
    tick_task.cancel()
    gc.collect()
    print("%d requests of %d ms each, 4 at a time: %d ms in all (one after another: %d ms), ids %s"
          % (COUNT, DELAY_MS, elapsed, COUNT * DELAY_MS, ids))
    print("a task ticking every 10 ms ticked %d times meanwhile (%d B heap in use)"
          % (ticks, gc.mem_alloc()))


asyncio.run(main())
